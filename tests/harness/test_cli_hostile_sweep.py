"""Every ``soundcheck`` command against the same hostile inputs, one table: a path that is missing,
a folder where a file goes, an empty file, binary garbage, TOML with a wrong type, NaN, inf, a
negative or huge number or an unknown key at each level, a WAV that is no WAV or holds 0 frames, a
run folder that cannot be made, one that exists holding someone else's files, and options out of
range (``--duration -1``, ``0``, ``1e12``, ``--seed -1``, ``--workers 0``).

Each row is held to the whole contract for bad input (``harness.cli``): exit 2; one message
(``soundcheck: error: ...``) that names the file (when a file is at fault) and the field or option,
with no traceback and no "internal error"; and nothing created, changed or removed anywhere in the
test's tree (the working directory, where run folders and the run-history database go, ``$HOME``,
the crash-log folder, and a folder outside reached by a link). The commands run in-process.

The loopback rig's inputs are in ``test_hostile_inputs.py`` (they need the rig's hands held off).
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import re
import struct
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.cli import main
from tests.harness.tree_snapshot import snapshot

#: the files every row can name: ``{name}`` in a row's command line is ``work/<file>``
FILES: dict[str, bytes] = {
    "empty.toml": b"",
    "garbage.bin": bytes(random.Random(94350).randrange(256) for _ in range(4096)),
    "wrong-type.toml": b'[stream]\nsample_rate = "fast"\n',
    "nan.toml": b"[stream]\nlatency_ms = nan\n",
    "inf.toml": b"[stream]\nlatency_ms = inf\n",
    "negative.toml": b"[stream]\nsample_rate = -48000\n",
    "huge.toml": b"[stream]\nsample_rate = 1e300\n",
    "unknown-top.toml": b"[streem]\nsample_rate = 48000\n",
    "unknown-inner.toml": b"[stream]\nsample_rat = 48000\n",
    "profile-nan.toml": b"[probabilities]\nxrun = nan\n",
    "profile-inf.toml": b"[probabilities]\nxrun = inf\n",
    "profile-negative.toml": b"[probabilities]\nxrun = -0.5\n",
    "profile-huge.toml": b"[probabilities]\nxrun = 1e300\n",
    "profile-wrong-type.toml": b'[probabilities]\nxrun = "often"\n',
    "profile-unknown-top.toml": b"[probabilites]\nxrun = 0.1\n",
    "profile-unknown-inner.toml": b"[probabilities]\nxrunn = 0.1\n",
    "scenario-wrong-type.toml": (b'format = 1\n[scenario]\nid = "s"\ntitle = "t"\nreproduces = "r"\n'
                                 b'[run]\nseed = "seven"\n'),
    "scenario-unknown-top.toml": b'format = 1\n[scenaro]\nid = "s"\ntitle = "t"\nreproduces = "r"\n',
    "scenario-nan.toml": (b'format = 1\n[scenario]\nid = "s"\ntitle = "t"\nreproduces = "r"\n'
                          b'[run]\nduration_s = nan\n'),
    "scenario-huge.toml": (b'format = 1\n[scenario]\nid = "s"\ntitle = "t"\nreproduces = "r"\n'
                           b'[run]\nduration_s = 1e12\n'),
    "not-a-wav.wav": b"this is text, not RIFF audio\n" * 4,
}


def _wav(frames: int) -> bytes:
    """A mono 16-bit 48 kHz WAV file holding ``frames`` frames of silence."""
    body = b"\x00\x00" * frames
    fmt = struct.pack("<HHIIHH", 1, 1, 48_000, 96_000, 2, 16)
    return (b"RIFF" + struct.pack("<I", 36 + len(body)) + b"WAVEfmt " + struct.pack("<I", 16) + fmt
            + b"data" + struct.pack("<I", len(body)) + body)


FILES["zero-frames.wav"] = _wav(0)
FILES["good.wav"] = _wav(4800)


@dataclass(frozen=True)
class Row:
    """A command line (``{name}``: the file or folder of that name under the test's working
    directory; ``{out}``: a run folder that does not exist yet) and the words its message must
    hold: the file's path (``names``) and the field or option at fault (``field``)."""

    argv: tuple[str, ...]
    field: str
    names: str | None = None


RUN = ("run", "--duration", "1", "--seed", "94350", "--report-dir", "{out}")
SOAK = ("soak", "--duration", "5s", "--seed", "94351", "--run-dir", "{out}", "--no-progress")
SWARM = ("swarm", "--seeds", "94352", "--duration", "1s", "--workers", "1", "--out", "{out}", "--quiet",
         "--no-history", "--no-shrink")


#: hostile files by the field their message must name ('' for a file refused whole: its name is enough)
CONFIG_FILES = {"empty.toml": "", "garbage.bin": "", "wrong-type.toml": "stream.sample_rate",
                "nan.toml": "stream.latency_ms", "inf.toml": "stream.latency_ms",
                "negative.toml": "stream.sample_rate", "huge.toml": "stream.sample_rate",
                "unknown-top.toml": "streem", "unknown-inner.toml": "sample_rat",
                "nosuch.toml": "", "a-folder": ""}
PROFILE_FILES = {"garbage.bin": "", "profile-nan.toml": "xrun", "profile-inf.toml": "xrun",
                 "profile-negative.toml": "xrun", "profile-huge.toml": "xrun", "profile-wrong-type.toml": "xrun",
                 "profile-unknown-top.toml": "probabilites", "profile-unknown-inner.toml": "xrunn",
                 "nosuch.toml": "", "a-folder": ""}
WAV_FILES = {"not-a-wav.wav": "", "zero-frames.wav": "", "garbage.bin": "", "empty.toml": "", "nosuch.wav": "",
             "a-folder": ""}
SCENARIO_FILES = {"scenario-wrong-type.toml": "seed", "scenario-unknown-top.toml": "scenaro",
                  "scenario-nan.toml": "duration_s", "scenario-huge.toml": "duration_s", "garbage.bin": "",
                  "empty.toml": "", "nosuch.toml": ""}

ROWS: dict[str, Row] = {
    # -- run ---------------------------------------------------------------------------------
    **{f"run --config {n}": Row((*RUN, "--config", "{" + n + "}"), f, n) for n, f in CONFIG_FILES.items()},
    **{f"run --faults {n}": Row((*RUN, "--faults", "{" + n + "}"), f, n) for n, f in PROFILE_FILES.items()},
    **{f"run --program {n}": Row((*RUN, "--program", "{" + n + "}"), f, n) for n, f in WAV_FILES.items()},
    "run --duration -1": Row(("run", "--duration=-1", "--report-dir", "{out}"), "--duration"),
    "run --duration 0": Row(("run", "--duration", "0", "--report-dir", "{out}"), "--duration"),
    "run --duration 1e12": Row(("run", "--duration", "1e12", "--report-dir", "{out}"), "--duration"),
    "run --duration nan": Row(("run", "--duration", "nan", "--report-dir", "{out}"), "--duration"),
    "run --seed -1": Row(("run", "--duration", "1", "--seed=-1", "--report-dir", "{out}"), "--seed"),
    "run --seed 2**64": Row(("run", "--duration", "1", "--seed", str(2 ** 64), "--report-dir", "{out}"), "--seed"),
    "run --report-dir under a file": Row(("run", "--duration", "1", "--report-dir", "{good.wav}/reports"),
                                         "--report-dir", "good.wav"),
    "run --report-dir in /proc": Row(("run", "--duration", "1", "--report-dir", "/proc/self/soundcheck-runs"),
                                     "/proc/self/soundcheck-runs"),
    # -- soak --------------------------------------------------------------------------------
    **{f"soak --faults {n}": Row((*SOAK, "--faults", "{" + n + "}"), f, n) for n, f in PROFILE_FILES.items()},
    **{f"soak --program {n}": Row((*SOAK, "--program", "{" + n + "}"), f, n) for n, f in WAV_FILES.items()},
    "soak --duration -1": Row(("soak", "--duration=-1", "--run-dir", "{out}", "--no-progress"), "--duration"),
    "soak --duration 0": Row(("soak", "--duration", "0", "--run-dir", "{out}", "--no-progress"), "--duration"),
    "soak --duration 1e12": Row(("soak", "--duration", "1e12", "--run-dir", "{out}", "--no-progress"), "--duration"),
    "soak --seed -1": Row(("soak", "--duration", "5s", "--seed=-1", "--run-dir", "{out}", "--no-progress"), "--seed"),
    "soak --checkpoint 0": Row((*SOAK, "--checkpoint", "0"), "--checkpoint"),
    "soak --chunk -1": Row((*SOAK, "--chunk=-1"), "--chunk"),
    "soak --pace nan": Row((*SOAK, "--pace", "nan"), "--pace"),
    "soak --run-dir holding someone's files": Row(("soak", "--duration", "5s", "--run-dir", "{foreign}",
                                                   "--no-progress"), "foreign"),
    "soak --run-dir a file": Row(("soak", "--duration", "5s", "--run-dir", "{good.wav}", "--no-progress"),
                                 "good.wav"),
    "soak --run-dir under a file": Row(("soak", "--duration", "5s", "--run-dir", "{good.wav}/run",
                                        "--no-progress"), "good.wav"),
    "soak --resume a missing folder": Row(("soak", "--resume", "{nosuch}", "--no-progress"), "nosuch"),
    "soak --resume someone's folder": Row(("soak", "--resume", "{foreign}", "--no-progress"), "foreign"),
    "soak --resume a file": Row(("soak", "--resume", "{garbage.bin}", "--no-progress"), "garbage.bin"),
    # -- swarm -------------------------------------------------------------------------------
    # a swarm runs the built-in profiles only: any file is refused by its option
    **{f"swarm --faults {n}": Row((*SWARM, "--faults", "{" + n + "}"), "--faults", n) for n in PROFILE_FILES},
    "swarm --workers 0": Row((*SWARM[:5], "--workers", "0", *SWARM[7:]), "--workers"),
    "swarm --duration -1": Row(("swarm", "--seeds", "1", "--duration=-1", "--out", "{out}"), "--duration"),
    "swarm --duration 0": Row(("swarm", "--seeds", "1", "--duration", "0", "--out", "{out}"), "--duration"),
    "swarm --duration 1e12": Row(("swarm", "--seeds", "1", "--duration", "1e12", "--out", "{out}"), "--duration"),
    "swarm --seeds -1": Row(("swarm", "--seeds=-1", "--duration", "1s", "--out", "{out}"), "--seeds"),
    "swarm --seeds garbage": Row(("swarm", "--seeds", "1-x", "--duration", "1s", "--out", "{out}"), "--seeds"),
    "swarm --seed-timeout 0": Row((*SWARM, "--seed-timeout", "0"), "--seed-timeout"),
    "swarm --shrink-runs 0": Row((*SWARM[:-1], "--shrink-runs", "0"), "--shrink-runs"),
    "swarm --out holding someone's files": Row((*SWARM[:8], "{foreign}", *SWARM[9:]), "foreign"),
    "swarm --out a file": Row((*SWARM[:8], "{good.wav}", *SWARM[9:]), "good.wav"),
    "swarm --resume someone's folder": Row(("swarm", "--resume", "{foreign}"), "foreign"),
    "swarm --resume a missing folder": Row(("swarm", "--resume", "{nosuch}"), "nosuch"),
    # -- analyze -----------------------------------------------------------------------------
    **{f"analyze glitches {n}": Row(("analyze", "glitches", "{" + n + "}"), f, n) for n, f in WAV_FILES.items()},
    **{f"analyze latency --recorded {n}": Row(("analyze", "latency", "--reference", "{good.wav}", "--recorded",
                                               "{" + n + "}"), f, n) for n, f in WAV_FILES.items()},
    "analyze glitches --channel -1": Row(("analyze", "glitches", "{good.wav}", "--channel=-1"), "--channel"),
    "analyze glitches --frequency nan": Row(("analyze", "glitches", "{good.wav}", "--frequency", "nan"),
                                            "--frequency"),
    "analyze glitches --tolerance inf": Row(("analyze", "glitches", "{good.wav}", "--tolerance", "inf"),
                                            "--tolerance"),
    "analyze signal --duration -1": Row(("analyze", "signal", "--kind", "sine", "--out", "{out}/s.wav",
                                         "--duration=-1"), "--duration"),
    "analyze signal --duration 0": Row(("analyze", "signal", "--kind", "sine", "--out", "{out}/s.wav",
                                        "--duration", "0"), "--duration"),
    "analyze signal --duration 1e12": Row(("analyze", "signal", "--kind", "sine", "--out", "{out}/s.wav",
                                           "--duration", "1e12"), "--duration"),
    "analyze signal --rate 0": Row(("analyze", "signal", "--kind", "sine", "--out", "{out}/s.wav", "--rate", "0"),
                                   "--rate"),
    "analyze signal --channels 0": Row(("analyze", "signal", "--kind", "sine", "--out", "{out}/s.wav",
                                        "--channels", "0"), "--channels"),
    "analyze signal --seed -1": Row(("analyze", "signal", "--kind", "mls", "--out", "{out}/s.wav", "--seed=-1"),
                                    "--seed"),
    "analyze signal --out a folder": Row(("analyze", "signal", "--kind", "sine", "--out", "{a-folder}"),
                                         "a-folder"),
    **{f"analyze signal --out over {n}": Row(("analyze", "signal", "--kind", "sine", "--out", "{" + n + "}"),
                                             "is not a WAV file", n)
       for n in ("not-a-wav.wav", "garbage.bin", "empty.toml", "wrong-type.toml")},
    "analyze signal --out under a file": Row(("analyze", "signal", "--kind", "sine", "--out", "{good.wav}/s.wav"),
                                             "good.wav"),
    # -- scenario ----------------------------------------------------------------------------
    **{f"scenario check {n}": Row(("scenario", "check", "{" + n + "}"), f, n) for n, f in SCENARIO_FILES.items()},
    **{f"scenario run {n}": Row(("scenario", "run", "{" + n + "}", "--report-dir", "{out}"), f, n)
       for n, f in SCENARIO_FILES.items()},
    **{f"scenario from-history {n}": Row(("scenario", "from-history", "{" + n + "}", "-o", "{out}/s.toml"), "", n)
       for n in ("garbage.bin", "empty.toml", "nosuch.jsonl", "a-folder")},
    **{f"scenario shrink {n}": Row(("scenario", "shrink", "{" + n + "}", "-o", "{out}"), "", n)
       for n in ("garbage.bin", "empty.toml", "nosuch.toml", "a-folder")},
    "scenario from-history --seed -1": Row(("scenario", "from-history", "{garbage.bin}", "--seed=-1"), "--seed"),
    "scenario from-history --max-runs 0": Row(("scenario", "from-history", "{garbage.bin}", "--shrink",
                                               "--max-runs", "0"), "--max-runs"),
    # -- report, compare ---------------------------------------------------------------------
    "report a missing folder": Row(("report", "{nosuch}", "--no-history"), "", "nosuch"),
    "report a file": Row(("report", "{garbage.bin}", "--no-history"), "", "garbage.bin"),
    "report someone's folder": Row(("report", "{foreign}", "--no-history"), "", "foreign"),
    "report an empty folder": Row(("report", "{a-folder}", "--no-history"), "", "a-folder"),
    "report --db garbage": Row(("report", "{foreign}", "--db", "{garbage.bin}"), "", "foreign"),
    "compare missing folders": Row(("compare", "{nosuch}", "{nosuch}"), "", "nosuch"),
    "compare files": Row(("compare", "{garbage.bin}", "{empty.toml}"), "", "garbage.bin"),
    "compare someone's folders": Row(("compare", "{foreign}", "{a-folder}"), "", "foreign"),
    "compare --alpha 2": Row(("compare", "{foreign}", "{a-folder}", "--alpha", "2"), "--alpha"),
    "compare --alpha nan": Row(("compare", "{foreign}", "{a-folder}", "--alpha", "nan"), "--alpha"),
    # -- history -----------------------------------------------------------------------------
    "history --db garbage": Row(("history", "--db", "{garbage.bin}"), "", "garbage.bin"),
    "history --db empty": Row(("history", "--db", "{empty.toml}"), "an empty file", "empty.toml"),
    "history --db a folder": Row(("history", "--db", "{a-folder}"), "", "a-folder"),
    "history --db missing": Row(("history", "--db", "{nosuch}"), "--db", "nosuch"),
    "history --profile hostle": Row(("history", "--profile", "hostle"), "hostile"),
    "history --backend simm": Row(("history", "--backend", "simm"), "'sim'"),
    "history --kind soakk": Row(("history", "--kind", "soakk"), "'soak'"),
    "history --last 0": Row(("history", "--last", "0"), "--last"),
    "history --window -1": Row(("history", "--window=-1"), "--window"),
    "history -k nan": Row(("history", "-k", "nan"), "-k"),
    "history -k inf": Row(("history", "-k", "inf"), "-k"),
    # -- devices -----------------------------------------------------------------------------
    "devices --backend simm": Row(("devices", "--backend", "simm"), "'sim'"),
}


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The test's tree: a working directory holding the rows' files, someone else's folder
    (``foreign``), an empty one (``a-folder``), a link out to a folder beside it (a write through
    it would change ``outside``), a ``$HOME`` and a crash-log folder, the run-history database
    at its default under the working directory."""
    work, home, outside, logs = (tmp_path / n for n in ("work", "home", "outside", "logs"))
    for folder in (work, home, outside, logs):
        folder.mkdir()
    (home / ".profile").write_text("mine\n")
    (outside / "precious.txt").write_text("do not touch\n")
    os.symlink(outside, work / "link-out")
    for name, content in FILES.items():
        (work / name).write_bytes(content)
    (work / "a-folder").mkdir()
    (work / "foreign").mkdir()
    (work / "foreign" / "thesis.tex").write_text("\\chapter{Someone else's work}\n")
    (work / "foreign" / "summary.json").write_text('{"mine": true}\n')
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(work / "history.sqlite"))
    monkeypatch.setenv("SOUNDCHECK_LOG_DIR", str(logs))
    return {"root": tmp_path, "work": work}


def _argv(row: Row, work: Path) -> list[str]:
    names = {**{n: str(work / n) for n in (*FILES, "a-folder", "foreign", "nosuch", "nosuch.toml", "nosuch.wav",
                                           "nosuch.jsonl")}, "out": str(work / "out")}
    return [re.sub(r"\{([^{}]+)\}", lambda m: names[m.group(1)], arg) for arg in row.argv]


@pytest.mark.timeout(90)
@pytest.mark.parametrize("row", list(ROWS.values()), ids=list(ROWS))
def test_hostile_input_to_every_command_is_exit_2_naming_it_and_writes_nothing(tree: dict[str, Path], row: Row) -> None:
    before = snapshot(tree["root"])
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(_argv(row, tree["work"]))
    message = err.getvalue()
    assert code == 2, (code, message, out.getvalue()[-2000:])
    assert message.startswith("soundcheck: error: ") and message.count("soundcheck: error:") == 1, message
    assert "Traceback" not in message and "internal error" not in message, message
    if row.names is not None:
        assert row.names in message, message
    assert row.field in message, message
    assert snapshot(tree["root"]) == before
