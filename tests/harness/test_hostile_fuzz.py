"""The fuzz layer: Hypothesis generates hostile CLI arguments, TOML/JSON files, WAV files, journals
and run-history databases, and every example must keep the CLI's contract:

- the exit status is 0, 1 or 2 (``main`` returns it; it never raises);
- no traceback on stderr, and no "internal error" (a bug found here is fixed, not tolerated);
- exit 2 names the file it refused (for file inputs);
- nothing outside the sandbox's work folder is touched, and files written before are not lost.

Every example runs in-process (``harness.cli.main``) in a fresh sandbox. The examples are
derandomized (the same cases every run: a fuzz failure reproduces) and bounded (``max_examples``,
short simulated runs), so the whole layer adds seconds to the suite, not minutes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import struct
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import tomli_w
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from harness import analysis
from cli_capture import cli
from harness.durations import DurationError, parse_duration
from harness.faults import ProfileFile
from harness.journal import JOURNAL_NAME

FUZZ = settings(derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# ----------------------------------------------------------------------------- the sandbox ----
class Sandbox:
    """A work folder (the CWD, where the command may write) and an ``outside`` folder with
    precious files that must never change."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.work = root / "work"
        self.outside = root / "outside"
        self.work.mkdir()
        self.outside.mkdir()
        (self.outside / "precious.txt").write_text("do not touch\n")
        os.symlink(self.outside, self.work / "link-out")  # a lure: writing through it is a failure
        self._before = self._digest(self.outside)

    @staticmethod
    def _digest(folder: Path) -> dict[str, str]:
        return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    def check_outside(self) -> None:
        assert self._digest(self.outside) == self._before, "something outside the work folder changed"


@contextlib.contextmanager
def sandbox() -> Iterator[Sandbox]:
    old_cwd = os.getcwd()
    old_env = {k: os.environ.get(k) for k in ("SOUNDCHECK_HISTORY_DB", "SOUNDCHECK_LOG_DIR")}
    with tempfile.TemporaryDirectory(prefix="soundcheck-fuzz-") as tmp:
        box = Sandbox(Path(tmp))
        os.chdir(box.work)
        os.environ["SOUNDCHECK_HISTORY_DB"] = str(box.work / "history.sqlite")
        os.environ["SOUNDCHECK_LOG_DIR"] = str(box.work / "crash-logs")
        try:
            yield box
            box.check_outside()
        finally:
            os.chdir(old_cwd)
            for k, v in old_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


def contract(result: tuple[int, str, str], *, names: Path | None = None) -> int:
    code, _out, err = result
    assert code in (0, 1, 2, 3), (code, err[-2000:])
    assert "Traceback" not in err, err[-2000:]
    assert "internal error" not in err, err[-2000:]
    if code == 2:
        assert err.startswith(("soundcheck: error:", "usage:")), err[-2000:]
        if names is not None:
            assert names.name in err, (names, err[-2000:])
    return code


# ------------------------------------------------------------------------- hostile numbers ----
HOSTILE_TOKENS = ["nan", "NaN", "inf", "-inf", "-1", "0", "-0", "1e308", "1e-9", "9" * 400, "", " ",
                  "0x10", "1_000", "١٢", "1e", "--", "-", "\x00", "1" + "0" * 30, "2147483648",
                  "-9223372036854775809", "4294967296", "0.0001", "5", "1.5", "x" * 5000]
hostile_number = st.one_of(
    st.sampled_from(HOSTILE_TOKENS),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(2**70), 2**70).map(str),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
)


def _short(value: str, limit_s: float) -> bool:
    """True when ``value`` is a duration the command would accept and that is short enough to run."""
    try:
        return parse_duration(value) <= limit_s
    except (DurationError, ValueError, OverflowError):
        return True  # refused: cheap


RUN_OPTIONS = ["--seed", "--duration", "--faults", "--device", "--mutant", "--config"]


@settings(FUZZ, max_examples=40)
@given(option=st.sampled_from(RUN_OPTIONS), value=hostile_number)
def test_run_keeps_the_contract_under_hostile_options(option, value):
    if option == "--duration":
        assume(_short(value, 2.0))
    with sandbox() as box:
        argv = ["run", "--duration", "1", "--faults", "none", "--report-dir", box.work / "reports"]
        code = contract(cli(*argv, option, value))
        if code == 2:  # refused at load: no run folder, no history row
            assert not (box.work / "reports").exists() and not (box.work / "history.sqlite").exists()


SOAK_OPTIONS = ["--seed", "--pace", "--checkpoint", "--chunk", "--duration", "--faults"]


@settings(FUZZ, max_examples=25)
@given(option=st.sampled_from(SOAK_OPTIONS), value=hostile_number)
def test_soak_keeps_the_contract_under_hostile_options(option, value):
    if option == "--duration":
        assume(_short(value, 3.0))
    if option == "--pace":
        with contextlib.suppress(ValueError, OverflowError):
            assume(not 0 < float(value) < 20)  # a valid slow pace is a real-time wait: skip it
    with sandbox() as box:
        argv = ["soak", "--duration", "2s", "--checkpoint", "1s", "--run-dir", box.work / "soak",
                "--faults", "none", "--no-progress"]
        contract(cli(*argv, option, value))


def _cheap_signal(option: str, value: str) -> bool:
    """Everything but a valid long ``--duration`` (which would really write minutes of audio)."""
    if option != "--duration":
        return True
    try:
        v = float(value)
    except (ValueError, OverflowError):
        return True
    return not 2 < v < 1e12

@settings(FUZZ, max_examples=40)
@given(option=st.sampled_from(["--duration", "--rate", "--channels", "--amplitude", "--frequency", "--seed"]),
       value=hostile_number)
def test_analyze_signal_keeps_the_contract(option, value):
    assume(_cheap_signal(option, value))
    with sandbox() as box:
        out = box.work / "sig.wav"
        argv = ["analyze", "signal", "--kind", "sine", "--out", out, "--duration", "0.05", "--rate", "8000"]
        code = contract(cli(*argv, option, value))
        if code == 2:
            assert not out.exists()  # refused: nothing half-written


@pytest.fixture(scope="module")
def tone(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tone") / "tone.wav"
    analysis.write_wav(path, analysis.make_signal("sine", sample_rate=8_000, duration_s=0.5), 8_000, "int16")
    return path


@settings(FUZZ, max_examples=40)
@given(option=st.sampled_from(["--frequency", "--channel", "--tolerance", "--max-latency-ms", "--min-confidence",
                               "--reference-channel"]), value=hostile_number)
def test_analyze_options_keep_the_contract(tone, option, value):
    with sandbox():
        if option in ("--frequency", "--channel", "--tolerance"):
            contract(cli("analyze", "glitches", tone, option, value))
        if option in ("--channel", "--max-latency-ms", "--min-confidence", "--reference-channel"):
            contract(cli("analyze", "latency", "--reference", tone, "--recorded", tone, option, value))


VOCAB = ["analyze", "history", "report", "scenario", "check", "from-history", "glitches", "latency", "signal",
         "--json", "--db", "--kind", "--last", "-k", "--help", "-o", "--force", "--bogus", "--", "-",
         "link-out/x", "link-out", ".", "..", "/dev/null", "/dev/full", "/etc/passwd", "reports"]


@settings(FUZZ, max_examples=60)
@given(argv=st.lists(st.one_of(st.sampled_from(VOCAB), hostile_number), max_size=6))
def test_arbitrary_argument_lists_keep_the_contract(argv):
    assume(not argv or argv[0] not in ("run", "soak", "devices", "loopback"))  # those start real work
    with sandbox():
        contract(cli(*argv))


# ------------------------------------------------------------------------- TOML/JSON files ----
PROFILE_KEYS = list(ProfileFile.model_fields) + ["probabilites", "params", "xrun", "stall", "dropout",
                                                 "duration_s", "delay_s", "threads", "operations", "target"]
CONFIG_KEYS = ["schema_version", "device", "stream", "buffers", "dsp", "recovery", "watchdog", "limits",
               "sample_rate", "block_size", "input_device", "matrix", "kind", "gain_db", "latency_ms",
               "input_channels", "sample_rat"]
scalars = st.one_of(
    st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20), st.sampled_from(["sim-in", "../../etc/passwd", "mixer", "gain", "__class__", "start"]),
    st.floats(0, 1),
)


def documents(keys: list[str]) -> st.SearchStrategy:
    key = st.one_of(st.sampled_from(keys), st.text(min_size=1, max_size=8))
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(key, inner, max_size=4)),
                        max_leaves=25).filter(lambda d: isinstance(d, dict)) | \
        st.dictionaries(key, st.recursive(scalars, lambda i: st.lists(i, max_size=3) |
                                          st.dictionaries(key, i, max_size=3), max_leaves=12), max_size=6)


def _mutate(text: str, data: st.DataObject) -> bytes:
    raw = text.encode("utf-8")
    how = data.draw(st.sampled_from(["none", "none", "truncate", "nul", "brackets", "bytes"]))
    if how == "truncate" and raw:
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    elif how == "nul":
        raw = raw + b"\x00"
    elif how == "brackets":
        depth = data.draw(st.integers(1, 3000))
        raw = raw + b"\nzz = " + b"[" * depth + b"]" * depth + b"\n"
    elif how == "bytes":
        raw = raw + data.draw(st.binary(max_size=50))
    return raw


def _toml(doc: dict) -> str:
    try:
        return tomli_w.dumps(doc)
    except (TypeError, ValueError):  # not representable in TOML (e.g. None): an unreadable file then
        return json.dumps(doc, default=str)


@settings(FUZZ, max_examples=40)
@given(doc=documents(PROFILE_KEYS), data=st.data())
def test_hostile_profile_files_keep_the_contract(doc, data):
    with sandbox() as box:
        path = box.work / "profile.toml"
        path.write_bytes(_mutate(_toml(doc), data))
        contract(cli("run", "--duration", "1", "--faults", path, "--report-dir", box.work / "r"), names=path)


@settings(FUZZ, max_examples=40)
@given(doc=documents(CONFIG_KEYS), as_json=st.booleans(), data=st.data())
def test_hostile_config_files_keep_the_contract(doc, as_json, data):
    with sandbox() as box:
        path = box.work / ("config.json" if as_json else "config.toml")
        text = json.dumps(doc, default=str) if as_json else _toml(doc)
        path.write_bytes(_mutate(text, data))
        contract(cli("run", "--duration", "1", "--faults", "none", "--config", path,
                     "--report-dir", box.work / "r"), names=path)


SCENARIO_KEYS = ["format", "scenario", "run", "system", "steps", "expect", "cleanup", "id", "title", "reproduces",
                 "op", "fault", "at", "when", "duration", "target", "metric", "min", "max", "invariant", "never",
                 "backend", "seed", "wait"]


@settings(FUZZ, max_examples=40)
@given(doc=documents(SCENARIO_KEYS), data=st.data())
def test_hostile_scenario_files_keep_the_contract(doc, data):
    doc = {"format": 1, **doc} if data.draw(st.booleans()) else doc
    with sandbox() as box:
        path = box.work / "scenario.toml"
        path.write_bytes(_mutate(_toml(doc), data))
        contract(cli("scenario", "check", path), names=path)


# -------------------------------------------------------------------------------- WAV files ----
@st.composite
def wav_files(draw: st.DrawFn) -> bytes:
    tag = draw(st.sampled_from([1, 3, 0xFFFE, 0, 2, 65535]))
    channels = draw(st.one_of(st.sampled_from([0, 1, 2, 3]), st.integers(0, 65535)))
    rate = draw(st.one_of(st.sampled_from([0, 1, 8000, 48000]), st.integers(0, 2**32 - 1)))
    bits = draw(st.sampled_from([0, 8, 12, 16, 24, 32, 64, 7, 65535]))
    align = draw(st.one_of(st.just(max(channels * bits // 8, 0) % 65536), st.integers(0, 65535)))
    body = draw(st.one_of(st.binary(max_size=2000),
                          st.builds(lambda a: (a * 0.5).astype("<f4").tobytes(),
                                    st.just(np.sin(np.arange(800) * 0.3)))))
    fmt = struct.pack("<HHIIHH", tag, channels, rate, (rate * max(align, 1)) % 2**32, align, bits)
    declared = draw(st.one_of(st.just(len(body)), st.integers(0, 2**32 - 1)))
    extra = draw(st.sampled_from([b"", b"LIST\x04\x00\x00\x00abcd", b"junk\xff\xff\xff\xff"]))
    data = b"RIFF" + struct.pack("<I", (36 + len(body)) % 2**32) + b"WAVE" + extra + b"fmt " \
        + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", declared) + body
    cut = draw(st.one_of(st.just(len(data)), st.integers(0, len(data))))
    return data[:cut]


@settings(FUZZ, max_examples=80)
@given(wav=wav_files())
def test_hostile_wav_files_keep_the_contract(tone, wav):
    with sandbox() as box:
        path = box.work / "hostile.wav"
        path.write_bytes(wav)
        contract(cli("analyze", "glitches", path), names=path)
        contract(cli("analyze", "latency", "--reference", tone, "--recorded", path), names=path)


# ---------------------------------------------------------------------------------- journals ----
def _line(record: dict) -> bytes:
    body = json.dumps(record, separators=(",", ":"), default=str).encode()
    return body[:-1] + b',"crc":"%08x"}\n' % (zlib.crc32(body) & 0xFFFFFFFF)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=10)
CHECKPOINT_KEYS = ["index", "sim_t0", "sim_t1", "wall_s", "segment", "state", "counters", "frames", "digest",
                   "cb", "samples", "entries", "glitches", "config"]


@st.composite
def journals(draw: st.DrawFn) -> bytes:
    header = {"type": "header", "journal_version": 1, "kind": draw(st.sampled_from(["soak", "run", "x"])),
              "run_id": "fuzz", "meta": draw(st.dictionaries(st.sampled_from(["backend", "seed", "profile"]),
                                                             json_values, max_size=3)),
              "spec": draw(st.dictionaries(st.sampled_from(["duration_s", "seed", "backend", "faults"]),
                                           json_values, max_size=4))}
    lines = [_line(header)]
    for i in range(draw(st.integers(0, 4))):
        rec = {"type": "checkpoint", "index": i, "sim_t0": float(i), "sim_t1": float(i + 1)}
        rec.update(draw(st.dictionaries(st.sampled_from(CHECKPOINT_KEYS), json_values, max_size=4)))
        lines.append(_line(rec))
    if draw(st.booleans()):
        end = {"type": "end", "status": draw(st.sampled_from(["completed", "failed", 7]))}
        end.update(draw(st.dictionaries(st.sampled_from(["verdicts", "summary", "final_metrics", "sim_t",
                                                         "scenarios", "wall_s_total"]), json_values, max_size=3)))
        lines.append(_line(end))
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.binary(max_size=40)) + b"\n")
    raw = b"".join(lines)
    return raw[: draw(st.integers(0, len(raw)))] if draw(st.booleans()) else raw


@settings(FUZZ, max_examples=30)
@given(journal=journals())
def test_hostile_journals_keep_the_contract(journal):
    with sandbox() as box:
        run_dir = box.work / "run"
        run_dir.mkdir()
        (run_dir / JOURNAL_NAME).write_bytes(journal)
        (run_dir / "notes.txt").write_text("mine")
        contract(cli("report", run_dir, "--no-history"), names=run_dir / JOURNAL_NAME)
        assert (run_dir / JOURNAL_NAME).read_bytes() == journal  # a report never rewrites the journal
        assert (run_dir / "notes.txt").read_text() == "mine"


# ------------------------------------------------------------------------ history databases ----
db_values = st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=True), st.text(max_size=8),
                      st.binary(max_size=8))


@st.composite
def databases(draw: st.DrawFn) -> tuple[str, list]:
    from harness.reports.history_db import _SCHEMA, COLUMNS
    kind = draw(st.sampled_from(["ours", "ours", "foreign", "garbage", "empty"]))
    rows = draw(st.lists(st.dictionaries(st.sampled_from([c for c in COLUMNS if c not in ("id", "recorded_at")]),
                                         db_values,
                                         max_size=8), max_size=5)) if kind == "ours" else []
    return kind, rows


@settings(FUZZ, max_examples=40)
@given(spec=databases(), garbage=st.binary(min_size=1, max_size=300),  # (an empty file is a new database)
       args=st.sampled_from([[], ["--json"], ["--kind", "run"]]))
def test_hostile_history_databases_keep_the_contract(spec, garbage, args):
    from harness.reports.history_db import _SCHEMA
    kind, rows = spec
    with sandbox() as box:
        path = box.work / "h.sqlite"
        if kind == "garbage":
            path.write_bytes(garbage)
        elif kind != "empty":
            con = sqlite3.connect(path)
            if kind == "foreign":
                con.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY, kind TEXT, ok BLOB)")
                con.execute("INSERT INTO runs (kind, ok) VALUES ('x', x'00')")
            else:
                con.executescript(_SCHEMA)
                for row in rows:
                    row = {"recorded_at": "2026", **row}
                    con.execute(f"INSERT INTO runs ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                                tuple(row.values()))
            con.commit()
            con.close()
        before = path.read_bytes() if path.exists() else None
        contract(cli("history", "--db", path, *args), names=path)
        if kind in ("garbage", "foreign"):
            assert path.read_bytes() == before  # a database that is not ours is never written
        elif kind == "ours":
            con = sqlite3.connect(path)
            assert con.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == len(rows)  # nothing lost
            con.close()
