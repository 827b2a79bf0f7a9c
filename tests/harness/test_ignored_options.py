"""An option a command accepts and then does not use is refused (exit 2, naming it and the fix).

``soak --run-dir D --report-dir R`` wrote the soak into D and left R empty without a word; the
user who gave R looked there for a report that never came. Each case below was accepted and
ignored before: a soak resumed with ``--seed``, a report or swarm told both ``--db`` and
``--no-history``, ``scenario run --db`` without ``--report-dir`` (nothing recorded), and so on.
Every refusal also leaves the working directory as it found it: no run folder, no history
database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.harness.cli_capture import cli

#: (arguments, the option refused, a word of the fix); ``{t}`` is the tone WAV, ``{x}`` an empty folder
IGNORED = [
    (["soak", "--run-dir", "D", "--report-dir", "R", "--duration", "1s", "--no-progress"], "--report-dir",
     "give one of them"),
    (["soak", "--resume", "{x}", "--seed", "92900"], "--seed", "from its journal"),
    (["soak", "--resume", "{x}", "--faults", "hostile"], "--faults", "from its journal"),
    (["soak", "--resume", "{x}", "--backend", "sim"], "--backend", "from its journal"),
    (["soak", "--resume", "{x}", "--report-dir", "R"], "--report-dir", "from its journal"),
    (["soak", "--resume", "{x}", "--checkpoint", "5s", "--chunk", "2s"], "--checkpoint/--chunk", "from its journal"),
    (["soak", "--resume", "{x}", "--device", "sim-duplex"], "--device", "from its journal"),
    (["report", "{x}", "--db", "h.sqlite", "--no-history"], "--db", "with --no-history"),
    (["swarm", "--seeds", "92901-92902", "--duration", "1s", "--db", "h.sqlite", "--no-history", "--quiet"],
     "--db", "with --no-history"),
    (["swarm", "--seeds", "92903-92904", "--duration", "1s", "--no-shrink", "--shrink-runs", "5", "--quiet",
      "--no-history"], "--shrink-runs", "with --no-shrink"),
    (["swarm", "--seeds", "92905", "--duration", "1s", "--scheduler", "tcp://127.0.0.1:9", "--workers", "2",
      "--quiet", "--no-history"], "--workers", "with --scheduler"),
    (["scenario", "run", "{s}", "--db", "h.sqlite"], "--db", "add --report-dir"),
    (["scenario", "from-history", "{h}", "--max-runs", "3"], "--max-runs", "add --shrink"),
    (["analyze", "glitches", "{t}", "--reference", "{t}", "--tolerance", "0.1"], "--tolerance", "with --reference"),
    (["analyze", "glitches", "{t}", "--reference", "{t}", "--waveforms"], "--waveforms", "with --reference"),
    (["analyze", "glitches", "{t}", "--max-latency-ms", "50"], "--max-latency-ms", "add --reference"),
    (["analyze", "glitches", "{t}", "--reference-channel", "0"], "--reference-channel", "add --reference"),
]

SCENARIO = """\
id = "ignored-options"
[run]
duration = "1s"
seed = 92906
"""


@pytest.fixture()
def inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A working directory holding what the cases name, the history database at its default
    (``reports/history.sqlite`` under it)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOUNDCHECK_HISTORY_DB", raising=False)
    monkeypatch.setenv("SOUNDCHECK_LOG_DIR", str(tmp_path / "crash-logs"))
    (tmp_path / "empty").mkdir()
    code, _, err = cli("analyze", "signal", "--kind", "sine", "--out", tmp_path / "tone.wav", "--duration", "1")
    assert code == 0, err
    (tmp_path / "s.toml").write_text(SCENARIO)
    (tmp_path / "h.jsonl").write_text("")
    return {"x": str(tmp_path / "empty"), "t": str(tmp_path / "tone.wav"), "s": str(tmp_path / "s.toml"),
            "h": str(tmp_path / "h.jsonl")}


def tree(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` with its bytes (None for a folder)."""
    return {str(p.relative_to(root)): (None if p.is_dir() else p.read_bytes()) for p in sorted(root.rglob("*"))}


@pytest.mark.parametrize(("argv", "option", "fix"), IGNORED, ids=[" ".join(c[0][:2]) + " " + c[1] for c in IGNORED])
def test_an_option_the_command_would_ignore_is_refused_and_nothing_is_written(tmp_path, inputs, argv, option, fix):
    before = tree(tmp_path)
    code, _out, err = cli(*(a.format(**inputs) for a in argv))
    assert code == 2, (code, err)
    assert err.startswith(f"soundcheck: error: {option}: ignored "), err
    assert fix in err and "Traceback" not in err, err
    assert tree(tmp_path) == before


def test_the_soak_report_dir_still_places_a_new_run_folder_when_no_run_dir_is_given(tmp_path, inputs):
    """The refusal is of the pair only: ``--report-dir`` alone is where a new soak folder goes."""
    code, _out, err = cli("soak", "--report-dir", "R", "--duration", "1s", "--seed", "92907", "--no-progress",
                          "--faults", "none")
    assert code in (0, 3), err  # a 1 s soak is too short for the memory judge: inconclusive, not refused
    assert [p.name.startswith("soak-") and p.name.endswith("seed92907") for p in (tmp_path / "R").iterdir()] == [True]


def test_an_option_refused_beside_another_is_taken_alone(tmp_path, inputs):
    """The refusals above are of a pair: ``report --db`` without ``--no-history`` is the command's
    own use of the option (the run recorded in that database), never refused as ignored."""
    code, _out, err = cli("run", "--duration", "1s", "--seed", "94050", "--report-dir", tmp_path / "runs")
    assert code in (0, 1, 3), err
    (run_dir,) = (tmp_path / "runs").iterdir()
    code, _out, err = cli("report", run_dir, "--db", tmp_path / "h.sqlite")
    assert code != 2 and "ignored" not in err, (code, err)
    db = sqlite3.connect(tmp_path / "h.sqlite")
    try:
        assert db.execute("SELECT count(*) FROM runs").fetchone()[0] == 1
    finally:
        db.close()
