"""A refused command line (exit 2) writes nothing: no run folder, no report, no history database or
row in it, under the working directory where the defaults put them (``reports/``,
``reports/history.sqlite``).

Why: a typo that left an empty run folder or an ``inconclusive`` history row behind shows up later
in ``history`` and ``report`` as a run that never happened. The working directory and the history
database are compared byte for byte before and after every refusal, with no database yet and with
one a run has already recorded into."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness.cli_capture import cli

#: one refusal per way in: a misspelt value, a contradiction, a missing or malformed file, an
#: option the command would have ignored
REFUSED = [
    ["run", "--faults", "hostle", "--seed", "92910"],
    ["run", "--duration", "0.0001ms"],
    ["run", "--config", "bad.toml"],
    ["run", "--system", "nosuch:make"],
    ["run", "--mutant", "nosuch"],
    ["run", "--rig-realtime"],
    ["run", "--device", "sim-dupelx"],
    ["run", "--program", "nosuch.wav"],
    ["soak", "--faults", "hostle", "--duration", "5s", "--no-progress"],
    ["soak", "--duration", "0.0001ms", "--no-progress"],
    ["soak", "--run-dir", "D", "--report-dir", "R", "--duration", "1s", "--seed", "92911", "--no-progress"],
    ["soak", "--resume", "empty", "--no-progress"],
    ["soak", "--resume", "empty", "--seed", "92912"],
    ["soak", "--pace", "0.0001", "--duration", "5s"],
    ["soak", "--system", "nosuch:make", "--duration", "5s", "--no-progress"],
    ["report", "nosuch"],
    ["report", "bad.toml"],
    ["report", "empty", "--db", "h.sqlite", "--no-history"],
    ["history", "--window", "0"],
    ["history", "--db", "nosuch.sqlite"],
    ["scenario", "run", "nosuch.toml"],
    ["scenario", "run", "bad.toml", "--report-dir", "R"],
    ["scenario", "run", "bad.toml", "--db", "h.sqlite"],
    ["scenario", "check", "bad.toml"],
    ["scenario", "from-history", "bad.jsonl", "-o", "out.toml"],
    ["scenario", "shrink", "bad.toml"],
    ["swarm", "--seeds", "92913-92914", "--duration", "1ms", "--quiet"],
]


def tree(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` with its bytes (None for a folder)."""
    return {str(p.relative_to(root)): (None if p.is_dir() else p.read_bytes()) for p in sorted(root.rglob("*"))}


@pytest.mark.parametrize("recorded_before", [False, True], ids=["no-database", "database-with-a-run"])
def test_refused_command_lines_leave_the_working_directory_and_the_history_database_as_they_were(
        tmp_path, monkeypatch, recorded_before):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("SOUNDCHECK_HISTORY_DB", raising=False)  # the default: reports/history.sqlite here
    monkeypatch.setenv("SOUNDCHECK_LOG_DIR", str(tmp_path / "crash-logs"))
    (work / "empty").mkdir()
    (work / "bad.toml").write_text("x = \n")
    (work / "bad.jsonl").write_text('{"no"\n')
    if recorded_before:
        code, _out, err = cli("run", "--duration", "1", "--seed", "92915", "--faults", "none")
        assert code == 0, err
        assert (work / "reports" / "history.sqlite").is_file()
    before = tree(work)
    for argv in REFUSED:
        code, _out, err = cli(*argv)
        assert code == 2, (argv, code, err)
        assert err.startswith("soundcheck: error: ") and "Traceback" not in err, (argv, err)
        assert tree(work) == before, (argv, sorted(set(tree(work)) ^ set(before)))
    assert not (tmp_path / "crash-logs").exists()
