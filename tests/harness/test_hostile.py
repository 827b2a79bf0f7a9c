"""Hostile input and crash safety: every case here gave a traceback, a wrong exit code, a silent pass,
lost data or a write outside the run folder before it was fixed.

The contract (README): exit 0 when everything held, 1 when something failed, 2 on a usage or input
error with a message naming the file, the field and the fix; never a traceback; nothing written
outside the run folder; nothing previously written lost. Every CLI case runs in-process
(``harness.cli.main(argv)``) so the whole file takes seconds. The Hypothesis fuzz layer is in
``test_hostile_fuzz.py``.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import sqlite3
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness import analysis
from cli_capture import cli
from harness.cli import main
from harness.faults import ConcurrentTransitions, DeviceStall, Schedule, load_profile, system_storm
from harness.journal import JOURNAL_NAME
from harness.runfolder import RunFolder
from harness import SoakRunner, SoakSpec


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Each test in its own folder, with its own run-history database and crash-log folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    monkeypatch.setenv("SOUNDCHECK_LOG_DIR", str(tmp_path / "crash-logs"))


def refused(result: tuple[int, str, str], *needles: str) -> str:
    """Assert exit 2 with one clear message holding every needle; returns stderr."""
    code, _out, err = result
    assert code == 2, (code, err)
    assert "Traceback" not in err and "internal error" not in err, err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


def fast_run(tmp_path: Path, *extra: object) -> tuple[int, str, str]:
    return cli("run", "--duration", "2", "--report-dir", tmp_path / "reports", *extra)


# ------------------------------------------------------------------------------ input files ----
def test_binary_files_as_profile_or_config_are_named(tmp_path):
    binary = tmp_path / "blob.bin"
    binary.write_bytes(bytes(range(256)) * 8)
    refused(fast_run(tmp_path, "--faults", binary), "blob.bin", "binary file", "fault profile")
    refused(fast_run(tmp_path, "--config", binary), "blob.bin", "binary file", "configuration")
    assert not (tmp_path / "reports").exists()  # refused before a run folder exists


@pytest.mark.parametrize("name, text", [
    ("deep.toml", "a = " + "[" * 5000 + "]" * 5000 + "\n"),
    ("deep.json", "[" * 100_000 + "]" * 100_000),
])
def test_deeply_nested_configs_are_refused_before_the_parser_recurses(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    refused(fast_run(tmp_path, "--config", path), name, "nested more than 64 levels")


def test_nesting_inside_strings_and_comments_is_not_counted(tmp_path):
    cfg = tmp_path / "ok.toml"
    cfg.write_text('# [[[[[[ ' * 100 + '\n[device]\ninput_device = "sim-in"\n'
                   'fallback_devices = ["' + "[" * 200 + '"]\n')
    code, _out, err = fast_run(tmp_path, "--config", cfg)
    assert code == 0 and "nested" not in err, err


def test_nan_mixer_matrix_is_refused_with_its_path(tmp_path):
    cfg = tmp_path / "mix.toml"
    cfg.write_text("[[dsp]]\nkind = 'mixer'\nmatrix = [[nan, 0.0], [0.0, 1.0]]\n")
    refused(fast_run(tmp_path, "--config", cfg), "mix.toml", "dsp[0].matrix[0][0]", "finite")


def test_a_misspelt_device_in_a_config_is_named_at_load(tmp_path):
    cfg = tmp_path / "dev.toml"
    cfg.write_text("[device]\ninput_device = 'sim-inn'\n")
    err = refused(fast_run(tmp_path, "--config", cfg), "dev.toml", "device.input_device", "'sim-inn'", "sim-in")
    assert "illegal transition" not in err
    assert not (tmp_path / "reports").exists()


# -------------------------------------------------------------------- fault profiles (#11.7) ----
@pytest.mark.parametrize("text, needles", [
    ("[probabilites]\nxrun = 0.5\n", ["probabilites: unknown key; did you mean 'probabilities'?"]),
    ("[probabilities]\nxrun = 0.5\n[params.xrun]\ndelay_ss = [0.01, 0.02]\n",
     ["params.xrun.delay_ss: unknown key; did you mean 'delay_s'?"]),
    ("chek_every_s = 0.5\n[probabilities]\nxrun = 0.5\n", ["chek_every_s", "did you mean 'check_every_s'?"]),
    ("[probabilities]\nxrunn = 0.5\n", ["probabilities.xrunn: unknown fault kind; did you mean 'xrun'?"]),
    ("[stream]\nsample_rate = 48000\n", ["stream: unknown key", "is this a system configuration?"]),
])
def test_unknown_keys_in_a_profile_are_exit_2_with_the_closest_valid_key(tmp_path, text, needles):
    prof = tmp_path / "prof.toml"
    prof.write_text(text)
    refused(fast_run(tmp_path, "--faults", prof), str(prof), *needles)
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("text, needles", [
    ("check_every_s = 0\n[probabilities]\nxrun = 0.1\n", ["check_every_s", "greater than or equal to 0.001"]),
    ("check_every_s = -1\n[probabilities]\nxrun = 0.1\n", ["check_every_s"]),
    ("check_every_s = 1e-9\n[probabilities]\nxrun = 0.1\n", ["check_every_s"]),
    ("check_every_s = nan\n[probabilities]\nxrun = 0.1\n", ["check_every_s"]),
    ("[probabilities]\nstall = 0.5\n[params.stall]\nduration_s = -1\n", ["params.stall.duration_s"]),
    ("[probabilities]\nstall = 0.5\n[params.stall]\nduration_s = [0.5, 0.1]\n", ["lo <= hi"]),
    ("[probabilities]\nconcurrent_transitions = 0.5\n[params.concurrent_transitions]\nthreads = 1000\n",
     ["params.concurrent_transitions.threads", "less than or equal to 64"]),
    # a range's upper end is held to the same bounds as one value
    ("[probabilities]\nconcurrent_transitions = 0.5\n[params.concurrent_transitions]\nthreads = [2, 1000]\n",
     ["params.concurrent_transitions.threads", "less than or equal to 64"]),
    ("[probabilities]\nconcurrent_transitions = 0.5\n[params.concurrent_transitions]\n"
     "operations = ['__class__', 'start']\n", ["operations[0]", "'__class__'"]),
    ("[probabilities]\nstall = 0.5\n[params.stall]\ntarget = 'nodev'\n", ["params.stall.target", "'nodev'"]),
    ("[probabilities]\nxrun = nan\n", ["probabilities.xrun"]),
])
def test_profiles_that_would_hang_or_fail_mid_run_are_refused_at_load(tmp_path, text, needles):
    prof = tmp_path / "prof.toml"
    prof.write_text(text)
    refused(fast_run(tmp_path, "--faults", prof), "prof.toml", *needles)
    assert not (tmp_path / "reports").exists()


def test_fault_classes_refuse_bad_values_whoever_builds_them():
    with pytest.raises(ValueError, match="duration_s"):
        DeviceStall(duration_s=-1.0)
    with pytest.raises(ValueError, match="duration_s"):
        DeviceStall(duration_s=float("nan"))
    with pytest.raises(ValueError, match="__class__"):
        ConcurrentTransitions(operations=("__class__",))
    with pytest.raises(ValueError, match="threads"):
        ConcurrentTransitions(threads=1000)


def test_a_storm_never_calls_an_operation_off_the_allow_list(make_system):
    system = make_system()
    with pytest.raises(ValueError, match="allowed"):
        system_storm(system, threads=2, ops_per_thread=1, operations=("__class__",))


def test_a_schedule_too_large_to_draw_is_refused_not_drawn():
    with pytest.raises(Exception, match="check_every_s"):
        Schedule.random(1e9, 1, {"xrun": 0.1}, check_every_s=0.25)


def test_the_summary_says_what_the_profile_asked_for_and_what_was_injected(tmp_path):
    prof = tmp_path / "rare.toml"  # asks for faults, but so rarely that 2 s draws none
    prof.write_text("check_every_s = 1.0\n[probabilities]\nxrun = 0.000001\n")
    code, _, err = fast_run(tmp_path, "--faults", prof, "--json")
    run_dir = next((tmp_path / "reports").iterdir())
    faults = json.loads((run_dir / "summary.json").read_text())["faults"]
    assert faults["asked"] == {"xrun": 0.000001}
    assert faults["requested"] == 0 and faults["total"] == 0
    none = fast_run(tmp_path, "--faults", "none", "--json")
    assert json.loads(none[1])["faults"]["asked"] == {}
    busy = json.loads(fast_run(tmp_path, "--faults", "hostile", "--json")[1])["faults"]
    assert busy["asked"]["xrun"] == 0.3 and busy["total"] > 0 and busy["requested"] >= busy["total"]


def test_run_result_names_a_run_that_asked_for_faults_and_injected_none(tmp_path):
    from harness import ReliabilityRun, RunSpec

    prof = tmp_path / "rare.toml"
    prof.write_text("check_every_s = 1.0\n[probabilities]\nxrun = 0.000001\n")
    spec = RunSpec(duration_s=2.0, faults=str(prof), report_root=tmp_path / "r")
    result = ReliabilityRun(spec).execute(reports=False)
    assert result.no_fault_injected is not None and "no fault injected" in result.no_fault_injected
    spec = RunSpec(duration_s=2.0, faults="hostile", report_root=tmp_path / "r")
    assert ReliabilityRun(spec).execute(reports=False).no_fault_injected is None
    spec = RunSpec(duration_s=2.0, faults="none", report_root=tmp_path / "r")
    assert ReliabilityRun(spec).execute(reports=False).no_fault_injected is None


def test_a_valid_profile_file_still_runs(tmp_path):
    prof = tmp_path / "flaky.toml"
    prof.write_text('name = "flaky"\n[probabilities]\nxrun = 0.5\n[params.xrun]\ndelay_s = [0.005, 0.01]\n')
    profile = load_profile(prof)
    assert profile.name == "flaky" and profile.params == {"xrun": {"delay_s": [0.005, 0.01]}}
    code, out, err = fast_run(tmp_path, "--faults", prof)
    assert code == 0, err


# ------------------------------------------------------------------------------ CLI numbers ----
@pytest.mark.parametrize("argv, needles", [
    (["run", "--seed", "-1"], ["--seed", "0..4294967295"]),
    (["run", "--duration", "100000d"], ["--duration", "maximum"]),
    (["soak", "--pace", "nan"], ["--pace", "finite"]),
    (["soak", "--pace", "1e-9"], ["--pace", "0.001"]),
    (["soak", "--chunk", "1us"], ["--chunk"]),
    (["analyze", "latency", "--reference", "a.wav", "--recorded", "b.wav", "--max-latency-ms", "nan"],
     ["--max-latency-ms", "finite"]),
    (["analyze", "latency", "--reference", "a.wav", "--recorded", "b.wav", "--max-latency-ms", "inf"],
     ["--max-latency-ms", "finite"]),
    (["analyze", "signal", "--kind", "sine", "--out", "x.wav", "--duration", "1e7"], ["samples"]),
    (["analyze", "signal", "--kind", "sine", "--out", "x.wav", "--channels", "1000000"], ["--channels"]),
    (["history", "-k", "nan"], ["-k"]),
    # an open bound refuses its end: k = 0 would flag every run, alpha = 0 none
    (["history", "-k", "0"], ["-k", "must be above 0"]),
    (["compare", "a", "b", "--alpha", "0"], ["--alpha", "must be above 0"]),
    (["analyze", "signal", "--kind", "sine", "--out", "x.wav", "--amplitude", "0"], ["--amplitude", "must be above 0"]),
    (["run", "--seed", "4294967296"], ["--seed", "0..4294967295"]),
    (["--bogus"], ["'--bogus'"]),
])
def test_bad_numbers_and_options_are_exit_2_naming_the_option(tmp_path, argv, needles):
    refused(cli(*argv), *needles)
    assert not (tmp_path / "reports").exists() and not (tmp_path / "x.wav").exists()


@pytest.mark.parametrize("seed", [0, 2**32 - 1])
def test_both_ends_of_the_seed_range_are_taken(seed):
    # the refusal names 0..4294967295: a seed it names must be one a run takes
    from harness.cli import build_parser
    assert build_parser("run").parse_args(["run", "--seed", str(seed)]).seed == seed


def test_a_negative_seed_never_records_a_failed_run(tmp_path):
    refused(fast_run(tmp_path, "--seed", "-1"), "--seed")
    assert not (tmp_path / "history.sqlite").exists()


@pytest.mark.parametrize("option", ["--faults", "--backend", "--seed", "--duration"])
def test_a_huge_bad_value_is_not_echoed_in_full(tmp_path, option):
    code, _, err = fast_run(tmp_path, option, "x" * 10_000_000)
    assert code == 2 and len(err) < 5_000, len(err)


def test_a_report_dir_that_is_a_file_is_named(tmp_path):
    (tmp_path / "afile").write_text("x")
    refused(cli("run", "--duration", "1", "--report-dir", tmp_path / "afile"), "--report-dir", "afile")


# -------------------------------------------------------------------------------------- WAV ----
def _wav(tmp_path: Path, name: str, *, channels: int = 1, rate: int = 48_000, bits: int = 16,
         align: int | None = None, body: bytes = b"\x00\x00" * 100) -> Path:
    align = channels * bits // 8 if align is None else align
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * max(align, 1), align, bits)
    data = b"RIFF" + struct.pack("<I", 36 + len(body)) + b"WAVEfmt " + struct.pack("<I", 16) + fmt \
        + b"data" + struct.pack("<I", len(body)) + body
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("kw, needle", [
    ({"channels": 0}, "0 channels"),
    ({"rate": 0}, "sample rate 0"),
    ({"bits": 12}, "12 bits"),
    ({"channels": 2, "align": 3}, "block size 3"),
    ({"body": b""}, "no audio frames"),
])
def test_impossible_wav_headers_are_named_before_any_sample_is_read(tmp_path, kw, needle):
    path = _wav(tmp_path, "bad.wav", **kw)
    refused(cli("analyze", "glitches", path), "bad.wav", needle)


def test_finite_but_absurd_float_samples_are_not_called_nan(tmp_path):
    from scipy.io import wavfile
    wavfile.write(tmp_path / "loud.wav", 48_000, np.full(4800, 1e300))
    err = refused(cli("analyze", "glitches", tmp_path / "loud.wav"), "loud.wav", "1e+300", "full scale")
    assert "NaN" not in err


# ----------------------------------------------------------------- reports and run folders ----
def test_report_on_a_regular_file_is_exit_2(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    refused(cli("report", tmp_path / "notes.txt"), "notes.txt", "not a run folder")
    assert (tmp_path / "notes.txt").read_text() == "hello"


def test_report_rebuilds_a_run_folder(tmp_path):
    assert fast_run(tmp_path, "--faults", "default")[0] == 0  # 2 s of gentle draws no fault: inconclusive
    run_dir = next((tmp_path / "reports").iterdir())
    (run_dir / "report.json").unlink()
    code, out, err = cli("report", run_dir, "--no-history")
    assert code == 0, err
    assert json.loads((run_dir / "report.json").read_text())["verdict"]["ok"] is True


@pytest.fixture(scope="module")
def soak_template(tmp_path_factory) -> Path:
    """One short simulated soak per module (copied by ``_soak_folder``: a soak costs a second), long
    enough for its leak slopes to be judged (a soak too short for them is inconclusive)."""
    root = tmp_path_factory.mktemp("soak-template")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOUNDCHECK_HISTORY_DB", str(root / "history.sqlite"))
        SoakRunner(SoakSpec(duration_s=12.0, seed=2, checkpoint_s=2.0, run_dir=root / "soak")).start()
    return root / "soak"


@pytest.fixture
def _soak_folder(tmp_path: Path, soak_template: Path):
    """``make(ended=False)``: a copy of the template soak's folder; without ``ended`` its journal
    looks killed mid-run (no end record)."""
    import shutil

    def make(*, ended: bool = False) -> Path:
        run_dir = tmp_path / "soak"
        shutil.copytree(soak_template, run_dir, symlinks=True)
        return _cut_end(run_dir) if not ended else run_dir

    return make


def _cut_end(run_dir: Path) -> Path:
    lines = (run_dir / JOURNAL_NAME).read_bytes().splitlines(keepends=True)
    (run_dir / JOURNAL_NAME).write_bytes(b"".join(line for line in lines if b'"type":"end"' not in line))
    return run_dir


def _line(record: dict) -> bytes:
    body = json.dumps(record, separators=(",", ":")).encode()
    return body[:-1] + b',"crc":"%08x"}\n' % (zlib.crc32(body) & 0xFFFFFFFF)


def test_a_checksummed_journal_line_of_the_wrong_shape_is_dropped_not_a_traceback(tmp_path, _soak_folder):
    run_dir = _soak_folder(ended=True)
    with open(run_dir / JOURNAL_NAME, "r+b") as fh:
        lines = fh.read().splitlines(keepends=True)
        lines.insert(2, _line({"type": "checkpoint", "index": 1, "sim_t0": 2.0, "sim_t1": 4.0,
                               "entries": [1, 2, 3]}))
        fh.seek(0)
        fh.write(b"".join(lines))
    code, _out, err = cli("report", run_dir, "--no-history")
    assert code == 3 and "Traceback" not in err and "internal error" not in err, err
    report = json.loads((run_dir / "report.json").read_text())
    assert any("wrong shape" in m for m in report["completeness"]["missing"])


def test_a_journal_header_with_an_invalid_spec_is_not_resumed_as_a_default_soak(tmp_path, _soak_folder):
    run_dir = _soak_folder()
    lines = (run_dir / JOURNAL_NAME).read_bytes().splitlines(keepends=True)
    header = json.loads(lines[0])
    header.pop("crc")
    header["spec"] = {"backend": "sim"}  # duration, seed, faults, intervals gone
    (run_dir / JOURNAL_NAME).write_bytes(_line(header) + b"".join(lines[1:]))
    refused(cli("soak", "--resume", run_dir, "--no-progress"), "journal.jsonl", "spec", "duration_s")


def test_two_resumes_of_one_folder_cannot_both_run(tmp_path, _soak_folder):
    run_dir = _soak_folder()
    before = (run_dir / JOURNAL_NAME).read_bytes()
    with RunFolder(run_dir).lock("the test"):
        refused(cli("soak", "--resume", run_dir, "--no-progress"), "another soundcheck process")
        assert (run_dir / JOURNAL_NAME).read_bytes() == before  # the refused resume touched nothing
    code, _, err = cli("soak", "--resume", run_dir, "--no-progress")  # the lock is gone with its holder
    assert code == 0, err


def test_a_paced_soak_stops_at_once_when_asked(tmp_path):
    """``--pace`` waits on the stop event: SIGTERM (``request_stop``) ends it within a chunk.

    At 0.001x the chunk after the first progress report waits 1000 s of wall time, so a stop that
    did not cut the wait short would hold the soak far beyond any bound below 1000 s (and beyond
    the test's timeout); how much less than that a loaded machine takes to start, stop and write
    the reports is no part of the promise, so no tighter bound is set."""
    import threading
    import time as _time
    runner = SoakRunner(SoakSpec(duration_s=3600.0, pace=0.001, checkpoint_s=1.0, run_dir=tmp_path / "p"))
    started = threading.Event()
    stopper = threading.Thread(target=lambda: started.wait() and runner.request_stop(), daemon=True)
    stopper.start()
    t0 = _time.perf_counter()
    result = runner.start(on_progress=lambda p: started.set())
    stopper.join()
    assert result.status == "interrupted", result.status
    assert _time.perf_counter() - t0 < 500  # half the paced wait the stop must cut short


OUTSIDE_NAMES = ("report.json.tmp", "history.jsonl", "faults.toml", "report.json", "report.html", "summary.json",
                 ".soundcheck.lock")


@pytest.mark.parametrize("names", [("figures",), OUTSIDE_NAMES])
def test_links_planted_in_a_run_folder_never_write_outside_it(tmp_path, _soak_folder, names):
    import shutil
    run_dir = _soak_folder()
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim"
    victim.write_text("precious")
    for name in names:
        if (run_dir / name).is_dir():
            shutil.rmtree(run_dir / name)
        (run_dir / name).unlink(missing_ok=True)
        (run_dir / name).symlink_to(outside if name == "figures" else victim)
    # a linked figures folder is refused by both; links in place of files are replaced by ``report``
    # (its writes are atomic renames, which replace the link, never its target) and refused by a
    # resume, which would append to the linked journal and lock file; ``report`` reads the linked
    # non-journal as a record with no end: INCONCLUSIVE, not a pass
    expected = {"report": 2, "soak": 2} if names == ("figures",) else {"report": 3, "soak": 2}
    for argv in (["report", run_dir, "--no-history"], ["soak", "--resume", run_dir, "--no-progress"]):
        code, _, err = cli(*argv)
        assert code == expected[argv[0]] and "Traceback" not in err and "internal error" not in err, (argv, code, err)
        if code == 2:
            assert "is a symbolic link" in err and "never writes through links" in err, err
        assert sorted(p.name for p in outside.iterdir()) == ["victim"], argv
        assert victim.read_text() == "precious", argv


def test_a_run_folder_link_is_refused_by_name(tmp_path, _soak_folder):
    run_dir = _soak_folder(ended=True)
    import shutil
    shutil.rmtree(run_dir / "figures")
    (tmp_path / "elsewhere").mkdir()
    (run_dir / "figures").symlink_to(tmp_path / "elsewhere")
    refused(cli("report", run_dir, "--no-history"), "figures", "symbolic link")
    assert not any((tmp_path / "elsewhere").iterdir())


# ------------------------------------------------------------------ history database --------
def _foreign_db(path: Path) -> Path:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY, name TEXT)")
    db.execute("INSERT INTO runs (name) VALUES ('other program')")
    db.commit()
    db.close()
    return path


def test_a_history_database_of_another_schema_is_named(tmp_path):
    db = _foreign_db(tmp_path / "other.sqlite")
    refused(cli("history", "--db", db), "other.sqlite", "not a soundcheck run-history database")


def test_text_in_numeric_columns_is_read_as_missing(tmp_path):
    db = tmp_path / "h.sqlite"
    monkey_env = {"SOUNDCHECK_HISTORY_DB": str(db)}
    os.environ.update(monkey_env)
    for seed in (1, 2):
        assert fast_run(tmp_path, "--seed", seed, "--faults", "none")[0] == 0
    con = sqlite3.connect(db)
    con.execute("UPDATE runs SET failures = 'many', xruns_per_hour = 'lots', sim_time_s = x'00ff'")
    con.commit()
    con.close()
    code, out, err = cli("history", "--db", db)
    assert code == 3 and "Traceback" not in err, err
    code, out, err = cli("history", "--db", db, "--json")
    assert code == 3 and json.loads(out)["runs"][0]["failures"] is None


def test_run_and_soak_agree_when_the_history_database_is_unusable(tmp_path):
    """Both print their summary, warn that the run is not recorded, and keep their verdict."""
    bad = tmp_path / "corrupt.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    os.environ["SOUNDCHECK_HISTORY_DB"] = str(bad)
    code, out, err = fast_run(tmp_path, "--faults", "none")
    assert code == 0 and "PASS: all" in out, err
    assert "NOT recorded" in err and "corrupt.sqlite" in err
    code, out, err = cli("soak", "--duration", "12s", "--checkpoint", "2s", "--run-dir", tmp_path / "s",
                         "--faults", "none", "--no-progress")
    assert code == 0 and "PASS" in out, err
    assert "NOT recorded" in err and "corrupt.sqlite" in err
    assert bad.read_bytes() == b"this is not sqlite" * 100


def test_a_locked_history_database_is_a_warning_not_a_hang(tmp_path, monkeypatch):
    from harness.reports import history_db
    monkeypatch.setattr(history_db, "LOCK_TIMEOUT_S", 0.05)
    db = tmp_path / "locked.sqlite"
    os.environ["SOUNDCHECK_HISTORY_DB"] = str(db)
    assert fast_run(tmp_path, "--faults", "none")[0] == 0  # creates it
    holder = sqlite3.connect(db)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, out, err = fast_run(tmp_path, "--faults", "none")
    finally:
        holder.rollback()
        holder.close()
    assert code == 0 and "locked by another process" in err, err


# ---------------------------------------------------------------------------- from-history ----
def test_from_history_on_a_binary_file_is_named(tmp_path):
    (tmp_path / "h.jsonl").write_bytes(bytes(range(256)))
    refused(cli("scenario", "from-history", tmp_path / "h.jsonl"), "h.jsonl", "binary")


def test_from_history_never_overwrites_or_writes_into_odd_places(tmp_path):
    assert fast_run(tmp_path, "--faults", "default")[0] == 0  # 2 s of gentle draws no fault: inconclusive
    hist = next((tmp_path / "reports").iterdir()) / "history.jsonl"
    keep = tmp_path / "mine.toml"
    keep.write_text("my own notes")
    refused(cli("scenario", "from-history", hist, "-o", keep), "mine.toml", "--force")
    assert keep.read_text() == "my own notes"
    refused(cli("scenario", "from-history", hist, "-o", tmp_path), "is a folder")
    refused(cli("scenario", "from-history", hist, "-o", "/dev/full"), "/dev/full")
    code, out, err = cli("scenario", "from-history", hist, "-o", keep, "--force")
    assert code == 0 and "format = 1" in keep.read_text(), err
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_from_history_keeps_a_file_saved_under_its_name_while_it_was_converting(tmp_path, monkeypatch):
    """The destination is checked before the (slow: ``--shrink`` re-runs the history) conversion,
    and a file saved under that name meanwhile (another ``from-history``, a user's editor) is
    still never replaced without ``--force``: refused naming it, the file as it was saved."""
    import harness.scenarios as scenarios
    from harness.history import History

    h = History()
    h.record("note", value="start", time=0.0)
    hist = tmp_path / "h.jsonl"
    h.write_jsonl(hist)
    out = tmp_path / "bug.toml"
    convert = scenarios.scenario_from_history

    def saved_meanwhile(*args, **kwargs):
        out.write_text("saved meanwhile")
        return convert(*args, **kwargs)

    monkeypatch.setattr(scenarios, "scenario_from_history", saved_meanwhile)
    refused(cli("scenario", "from-history", hist, "-o", out), "bug.toml", "already exists", "--force")
    assert out.read_text() == "saved meanwhile"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


# -------------------------------------------------------------------------------- scenarios ----
SCENARIO = """format = 1
[scenario]
id = "hostile"
title = "t"
reproduces = "issue 13"
[[steps]]
fault = "stall"
{target}
at = "100ms"
duration = "100ms"
[[expect]]
metric = "callbacks"
{bound}
"""


@pytest.mark.parametrize("target, bound, needles", [
    ('target = "../../etc/passwd"', "min = 1", ["steps[0].target", "not a device name"]),
    ('target = "sim-nope"', "min = 1", ["steps[0].target", "no simulated device 'sim-nope'"]),
    ("", "min = nan", ["expect[0].min", "finite"]),
    ("", "max = inf", ["expect[0].max", "finite"]),
])
def test_scenarios_that_passed_check_then_crashed_or_never_failed_are_refused(tmp_path, target, bound, needles):
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO.format(target=target, bound=bound))
    refused(cli("scenario", "check", path), "s.toml", *needles)
    refused(cli("scenario", "run", path), "s.toml", *needles)


# ----------------------------------------------------------------------------- the CLI itself ----
def test_an_internal_error_is_exit_1_with_a_log_not_a_traceback(tmp_path, monkeypatch):
    from harness.commands import history as history_cmd

    def broken(args):
        raise KeyError("a bug")

    monkeypatch.setattr(history_cmd, "handler", broken)
    code, _out, err = cli("history")
    assert code == 1 and "internal error" in err and "Traceback" not in err
    log = Path(err.rsplit("traceback in ", 1)[1].strip())
    assert log.parent == tmp_path / "crash-logs" and "KeyError: 'a bug'" in log.read_text()

# ================================================================================================
# An outside user's audit (issue #11): a boolean read as a number (``xrun = true`` became a fault on
# every check, ``input_channels = true`` one channel), a configuration's unknown key named without
# the closest valid one, an interrupted run whose ``report.json`` said it had completed, a soak
# written among the user's files, swarm seeds that filled memory, an empty history replayed.
# ================================================================================================


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# --------------------------------------------------------------- a boolean is never a number ----
@pytest.mark.parametrize("text, field", [
    ("[probabilities]\nxrun = true\n", "probabilities.xrun"),
    ("[probabilities]\nxrun = 0.1\n[params.xrun]\ndelay_s = true\n", "params.xrun.delay_s"),
    ("[probabilities]\ndropout = 0.1\n[params.dropout]\nduration_s = [false, 0.5]\n", "params.dropout.duration_s"),
    ("[probabilities]\ndropout = 0.1\n[params.dropout]\nduration_s = [0.1, true]\n", "params.dropout.duration_s"),
    ("[probabilities]\nxrun = 0.1\n[gates]\nsteady_state_s = true\n", "gates.steady_state_s"),
    ("check_every_s = true\n[probabilities]\nxrun = 0.1\n", "check_every_s"),
])
def test_a_boolean_in_a_fault_profile_is_refused_not_read_as_1(tmp_path, text, field):
    profile = write(tmp_path, "flaky.toml", text)
    refused(cli("run", "--duration", "2", "--report-dir", tmp_path / "reports", "--faults", profile),
            "flaky.toml", field, "must be a number, got")
    assert not (tmp_path / "reports").exists()


def _gate_names() -> list[str]:
    from harness.gates import Gates

    return sorted(Gates.model_fields)


@pytest.mark.parametrize("value", ["true", "false"])
@pytest.mark.parametrize("gate", _gate_names())
def test_a_boolean_for_any_gate_is_refused_not_read_as_a_threshold(tmp_path, gate, value):
    """Every key of ``[gates]``, those that may be left unset included: an optional threshold is
    ``Annotated[float, ...] | None``, and a check that looked for a bare ``float`` in the union
    let ``xruns_per_hour_max = true`` through as 1 xrun/h."""
    profile = write(tmp_path, "gated.toml", f"[probabilities]\nxrun = 0.1\n[gates]\n{gate} = {value}\n")
    refused(cli("run", "--duration", "2", "--report-dir", tmp_path / "reports", "--faults", profile),
            "gated.toml", f"gates.{gate}", f"must be a number, got {value}")
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("text, field", [
    ("schema_version = 3\n[device]\ninput_channels = true\n", "device.input_channels"),
    ("schema_version = 3\n[stream]\nlatency_ms = true\n", "stream.latency_ms"),
    ("schema_version = 3\n[recovery]\nmax_attempts = false\n", "recovery.max_attempts"),
    ('schema_version = 3\n[[dsp]]\nkind = "gain"\ngain_db = true\n', "dsp[0].gain_db"),
    ("rate = 48000\nchannels = true\n", "device.input_channels"),  # a v1 file, migrated first
])
def test_a_boolean_in_a_configuration_is_refused_not_read_as_1(tmp_path, text, field):
    config = write(tmp_path, "system.toml", text)
    refused(cli("run", "--duration", "2", "--report-dir", tmp_path / "reports", "--config", config),
            "system.toml", field, "must be a number, got")
    assert not (tmp_path / "reports").exists()


def test_booleans_stay_booleans_where_the_format_says_so():
    from system_under_test.config import load_config

    config = load_config({"recovery": {"degrade_on_exhaustion": False}})
    assert config.recovery.degrade_on_exhaustion is False


def test_a_boolean_seed_in_a_scenario_is_refused(tmp_path):
    scenario = write(tmp_path, "bug.toml", 'format = 1\n[scenario]\nid = "x"\ntitle = "t"\nreproduces = "r"\n'
                                           '[run]\nseed = true\n[[steps]]\nop = "start"\n[[expect]]\n'
                                           'invariant = "legal_transitions"\n')
    refused(cli("scenario", "check", scenario), "bug.toml", "run.seed", "must be a number, got true")


# ----------------------------------------------- a configuration's unknown key: the closest one ----
@pytest.mark.parametrize("text, needle", [
    ("schema_version = 3\n[streem]\nsample_rate = 48000\n", "streem: unknown field; did you mean 'stream'?"),
    ("schema_version = 3\n[stream]\nsample_rat = 48000\n", "stream.sample_rat: unknown field; did you mean 'sample_rate'?"),
    ('schema_version = 3\n[[dsp]]\nkind = "gain"\ngian_db = 1\n', "dsp[0].gian_db: unknown field; did you mean 'gain_db'?"),
    ('schema_version = 3\n[[dsp]]\ntype = "gain"\n', "dsp[0]: a DSP stage needs kind = one of"),
])
def test_an_unknown_configuration_key_names_the_closest_valid_one(tmp_path, text, needle):
    config = write(tmp_path, "system.toml", text)
    refused(cli("run", "--duration", "2", "--report-dir", tmp_path / "reports", "--config", config),
            "system.toml", needle)


# ------------------------------------------------ an interrupted run's report says it was ----
def test_an_interrupted_run_is_interrupted_in_every_report(tmp_path):
    from harness import ReliabilityRun, RunSpec

    chunks = {"n": 0}

    def stop_after_three(run, _system, _history):  # Ctrl-C / SIGTERM three chunks in
        chunks["n"] += 1
        if chunks["n"] == 3:
            run.request_stop()

    result = ReliabilityRun(RunSpec(duration_s=30, seed=1, report_root=tmp_path / "reports")).execute(
        on_chunk=stop_after_three)
    assert result.exit_code == 3
    summary = json.loads((result.run_dir / "summary.json").read_text())
    report = json.loads((result.run_dir / "report.json").read_text())
    assert summary["status"] == "interrupted"
    assert report["run"]["status"] == "interrupted"
    assert report["completeness"]["complete"] is False
    assert "the run did not finish (interrupted)" in report["verdict"]["reasons"]
    assert report["verdict"]["headline"] == summary["verdict"]["headline"]
    # rebuilt from the folder, the report still says so
    code, out, _err = cli("report", "--no-history", result.run_dir)
    assert code == 3, out
    rebuilt = json.loads((result.run_dir / "report.json").read_text())
    assert rebuilt["run"]["status"] == "interrupted"
    assert "the run did not finish (interrupted)" in rebuilt["verdict"]["reasons"]


def _run_signalled_in_its_third_chunk(tmp_path, signum):
    """A 30 s run under ``install_stop_signals`` with ``signum`` raised in its third chunk, as a
    user's key press or a service manager's ``kill`` would: (its result, the chunks it ran)."""
    import signal

    from harness import ReliabilityRun
    from harness import RunSpec
    from harness.runner import install_stop_signals

    chunks = {"n": 0}

    def send(_run, _system, _history):
        chunks["n"] += 1
        if chunks["n"] == 3:
            signal.raise_signal(signum)

    run = ReliabilityRun(RunSpec(duration_s=30, seed=1, report_root=tmp_path / "reports"))
    restore = install_stop_signals(run)
    try:
        result = run.execute(on_chunk=send)
    finally:
        restore()
    return result, chunks["n"]


def test_ctrl_c_on_run_stops_it_as_interrupted_not_as_a_failure(tmp_path):
    """``soundcheck run``: Ctrl-C ends the run after the chunk (as a soak's does); it once raised
    mid-chunk and the run was judged FAIL, ``run_completed`` violated, in summary, reports and
    run-history alike: a false alarm against the system for the operator's key press."""
    import signal

    result, _ = _run_signalled_in_its_third_chunk(tmp_path, signal.SIGINT)
    assert result.exit_code == 3
    assert result.summary["status"] == "interrupted"
    assert "run_completed" not in result.summary["invariants"]
    report = json.loads((result.run_dir / "report.json").read_text())
    assert report["verdict"]["outcome"] == "inconclusive"
    assert report["run"]["status"] == "interrupted"


def test_sigterm_on_run_stops_it_as_interrupted_as_ctrl_c_does(tmp_path):
    """``install_stop_signals``: SIGTERM (a service manager, ``kill``) ends the run after the chunk
    as Ctrl-C does, checked and reported, interrupted (exit 3); it never reaches the handler that
    was there before, which ``restore`` puts back. (The handler before is a recorder here, not
    the default, which would end the test process.)"""
    import signal

    before: list[int] = []

    def recorder(signum, _frame):
        before.append(signum)

    previous = signal.signal(signal.SIGTERM, recorder)
    try:
        result, chunks = _run_signalled_in_its_third_chunk(tmp_path, signal.SIGTERM)
        assert signal.getsignal(signal.SIGTERM) is recorder
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert before == []
    assert result.exit_code == 3 and result.summary["status"] == "interrupted"
    assert chunks == 3  # stopped after the chunk it was sent in
    assert "run_completed" not in result.summary["invariants"]
    assert json.loads((result.run_dir / "report.json").read_text())["run"]["status"] == "interrupted"


def test_a_second_ctrl_c_still_leaves_an_honest_interrupted_summary(tmp_path):
    """Two Ctrl-Cs in the third chunk, through ``install_stop_signals`` as two key presses go: the
    first asks the run to stop after the chunk, the second stops it at once (``KeyboardInterrupt``
    out of ``execute``, exit 130 on the command line); what was recorded is still written, marked
    interrupted, never a failure of the system. The signals are raised from the chunk's hook, at
    one simulated instant on every machine: no pacing, no wait."""
    import signal

    from harness import ReliabilityRun
    from harness import RunSpec
    from harness.runner import install_stop_signals

    chunks = {"n": 0}

    def ctrl_c_twice(_run, _system, _history):
        chunks["n"] += 1
        if chunks["n"] == 3:
            signal.raise_signal(signal.SIGINT)
            signal.raise_signal(signal.SIGINT)

    run = ReliabilityRun(RunSpec(duration_s=30, seed=1, report_root=tmp_path / "reports"))
    restore = install_stop_signals(run)
    try:
        with pytest.raises(KeyboardInterrupt):
            run.execute(on_chunk=ctrl_c_twice)
    finally:
        restore()
    assert chunks["n"] == 3
    (folder,) = (tmp_path / "reports").iterdir()
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["status"] == "interrupted"
    assert summary["outcome"] == "inconclusive", summary["verdict"]["headline"]
    assert "run_completed" not in summary["invariants"]
    assert json.loads((folder / "report.json").read_text())["run"]["status"] == "interrupted"


@pytest.mark.parametrize("table, key, needle", [
    ("scenario", "reproduce", "scenario.reproduce: unknown field; did you mean 'reproduces'?"),
    ("run", "sed", "run.sed: unknown field; did you mean 'seed'?"),
])
def test_an_unknown_key_in_a_scenario_table_names_the_closest_valid_one(tmp_path, table, key, needle):
    tables = {"scenario": 'id = "x"\ntitle = "t"\nreproduces = "r"\n', "run": "seed = 1\n"}
    tables[table] += f"{key} = 1\n"
    scenario = write(tmp_path, "bug.toml", "format = 1\n" + "".join(f"[{t}]\n{body}" for t, body in tables.items())
                     + '[[steps]]\nop = "start"\n[[expect]]\ninvariant = "legal_transitions"\n')
    refused(cli("scenario", "check", scenario), "bug.toml", needle)


@pytest.mark.parametrize("text", ["1e9h", "1.5e3", "2e-3s"])
def test_a_duration_with_an_exponent_is_named_as_such(tmp_path, text):
    """It said "unknown unit 'e'" (the number read as 1, the unit as 'e9h')."""
    err = refused(cli("run", "--duration", text, "--report-dir", tmp_path / "reports"),
                  "--duration", "a number with an exponent is not read")
    assert "unknown unit" not in err


def test_ctrl_c_while_the_command_loads_is_a_line_not_a_traceback(monkeypatch):
    """Ctrl-C in the first seconds of ``soundcheck run`` (its modules loading) printed Python's
    KeyboardInterrupt traceback and the process died of SIGINT."""
    import harness.cli

    def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(harness.cli, "build_parser", interrupted)
    code, _out, err = cli("run", "--duration", "2")
    assert code == 130
    assert err.strip() == "soundcheck: interrupted before anything ran; nothing was written"


def test_swarm_says_it_takes_no_profile_file(tmp_path):
    """``swarm --faults flaky.toml`` said "unknown fault profile '.../flaky.toml'", as if misspelt."""
    profile = write(tmp_path, "flaky.toml", "[probabilities]\nxrun = 0.1\n")
    err = refused(cli("swarm", "--seeds", "1-2", "--duration", "1s", "--workers", "1", "--no-shrink",
                      "--quiet", "--no-history", "--out", tmp_path / "swarm", "--faults", profile),
                  "flaky.toml", "not a profile file", "soundcheck run --faults FILE")
    assert "unknown fault profile" not in err
    assert not (tmp_path / "swarm").exists()


@pytest.mark.parametrize("seeds, needle", [
    ("-5-3", "seed -5 is out of range"),  # the swarm started, each negative seed failed in its worker
    ("0-4294967296", "seed 4294967296 is out of range"),  # a list of 4e9 seeds: gigabytes, then more
    ("0-4294967295", "4294967296 seeds are more than one swarm runs"),
])
def test_swarm_seeds_out_of_range_or_too_many_are_refused_before_anything_starts(tmp_path, seeds, needle):
    refused(cli("swarm", f"--seeds={seeds}", "--duration", "1s", "--workers", "1", "--no-shrink", "--quiet",
                "--no-history", "--out", tmp_path / "swarm"), "--seeds", needle)
    assert not (tmp_path / "swarm").exists()


def test_soak_refuses_a_run_dir_that_holds_other_files(tmp_path):
    """``soak --run-dir DIR`` with DIR the user's folder of inputs ran there: its journal, history,
    summary and reports landed among (and over) the user's files, and later ``soundcheck report DIR``
    and ``soak --resume DIR`` took the folder for a finished soak."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "report.html").write_text("the user's own report\n")
    err = refused(cli("soak", "--duration", "2s", "--no-progress", "--run-dir", mine),
                  str(mine), "not empty", "report.html", "give a new or empty folder")
    assert "Traceback" not in err
    assert sorted(p.name for p in mine.iterdir()) == ["report.html"]
    assert (mine / "report.html").read_text() == "the user's own report\n"


def test_soak_still_runs_in_a_new_or_empty_folder(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = cli("soak", "--duration", "2s", "--checkpoint", "1s", "--no-progress", "--run-dir", empty)
    # the folder is taken (no usage error) and the soak runs to its end there; its verdict is
    # not this test's subject
    assert code != 2, (code, out, err)
    assert "soak: completed" in out, (code, out, err)
    assert (empty / "journal.jsonl").exists() and (empty / "summary.json").exists()


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_from_history_refuses_an_empty_history(tmp_path, text):
    """It wrote a "replay" scenario of one start step from an empty file (exit 0)."""
    history = write(tmp_path, "history.jsonl", text)
    refused(cli("scenario", "from-history", history, "-o", tmp_path / "bug.toml"),
            "history.jsonl", "holds no history entries")
    assert not (tmp_path / "bug.toml").exists()


# ================================================================================================
# The audit's leftovers (issue #11, second round): a WAV cut short, a run shorter than a block, an
# unbounded ``limits.bytes``, a scenario's problems told over two attempts, swarm temp folders that
# piled up, ``soak --help`` silent on ``--run-dir``; and a fresh pass over other surfaces.
# ================================================================================================


# ---------------------------------------------------------------- a swarm leaves no temp folder ----
@pytest.fixture
def private_tmp(tmp_path, monkeypatch) -> Path:
    """A temp folder of the test's own (``TMPDIR`` for the Dask workers, ``tempfile`` for this process)."""
    import tempfile
    tmp = tmp_path / "tmpdir"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    return tmp


def _swarm_args(tmp_path: Path, seeds: str = "1-2", duration: str = "1s") -> list[object]:
    return ["swarm", "--seeds", seeds, "--duration", duration, "--workers", "1", "--no-shrink", "--quiet",
            "--no-history", "--out", tmp_path / "swarm"]


def test_a_completed_swarm_leaves_nothing_in_the_temp_folder(tmp_path, private_tmp):
    """54 ``soundcheck-swarm-SEED-*`` folders (and ``dask-scratch-space``) were left in /tmp."""
    code, out, err = cli(*_swarm_args(tmp_path))
    assert code == 0, (code, out, err)
    assert sorted(p.name for p in private_tmp.iterdir()) == []


def test_a_refused_swarm_leaves_nothing_in_the_temp_folder(tmp_path, private_tmp):
    refused(cli(*_swarm_args(tmp_path, seeds="1-x")), "--seeds")
    assert sorted(p.name for p in private_tmp.iterdir()) == []


def test_a_swarm_interrupted_mid_seed_leaves_nothing_in_the_temp_folder(tmp_path, private_tmp, capfd):
    """Ctrl-C in the driver while a worker is mid-seed: the closing cluster stops the worker before
    ``run_seed``'s ``finally``, which had left that seed's folder behind."""
    from harness import swarm

    seen: list[list[str]] = []

    def ctrl_c(row):  # the first seed is done; the worker has the second in hand
        seen.append(sorted(p.name for p in private_tmp.rglob("soundcheck-swarm-*")))
        raise KeyboardInterrupt

    spec = swarm.SwarmSpec("1-3", 1.0, "swarm", None, None)
    spec, out = swarm.prepare_out_dir(spec, tmp_path / "swarm", None)
    with pytest.raises(KeyboardInterrupt):
        swarm.run_swarm(spec, out, workers=1, in_flight=3, progress=False, on_row=ctrl_c)
    assert seen and seen[0], "the swarm's temp folder was not where the test looked"
    assert sorted(p.name for p in private_tmp.iterdir()) == []
    assert [json.loads(line)["seed"] for line in (out / "swarm.jsonl").read_text().splitlines()] == [1]
    assert "Traceback" not in capfd.readouterr().err  # a nanny's CancelledError, logged as it closed


def test_what_a_swarms_workers_log_as_its_cluster_closes_stays_off_stderr(tmp_path, private_tmp, capfd):
    """A worker of the swarm's own cluster that logs an error while the cluster closes (its
    heartbeat meeting a scheduler already closed, as a loaded machine times it) put a traceback
    on the console after a Ctrl-C: the nannies were silenced, the workers (processes of their
    own, on the same stderr) were not. Provoked here every time: a worker plugin logs at ERROR
    from its teardown, which runs as the worker closes."""
    import logging

    from distributed import WorkerPlugin, default_client

    from harness import swarm

    class LogsAsItCloses(WorkerPlugin):  # defined here: it travels to the worker by value
        def teardown(self, worker):  # noqa: ANN001
            logging.getLogger("distributed.worker").error("Traceback (most recent call last): as it closed")

    armed: list[int] = []

    def arm(row):  # the seed is done; the worker is idle and closes with the cluster
        default_client().register_plugin(LogsAsItCloses(), name="logs-as-it-closes")
        armed.append(row["seed"])

    spec, out = swarm.prepare_out_dir(swarm.SwarmSpec("1", 1.0, "swarm", None, None), tmp_path / "swarm", None)
    result = swarm.run_swarm(spec, out, workers=1, progress=False, on_row=arm)
    assert armed == [1] and result.errors == {}
    err = capfd.readouterr().err
    assert "as it closed" not in err and "dask.log" not in err  # logged as the cluster closed: not counted
    assert "as it closed" in (out / "dask.log").read_text()  # nothing lost: the worker's record is on file


# --------------------------------------------------------------- soak --help on --run-dir ----
def test_soak_help_says_the_run_dir_must_be_new_or_empty():
    """``soak --help`` said only "the run folder"; a folder of the user's files is then refused."""
    code, out, _err = cli("soak", "--help")
    assert code == 0
    text = " ".join(out.split())
    options = text[text.index("options:"):]
    option = options[options.index("--run-dir DIR"):]
    assert "new or empty folder" in option[:200], option[:200]


# ------------------------------------------------------------- a run shorter than one block ----
@pytest.mark.parametrize("command", ["run", "soak"])
@pytest.mark.parametrize("duration", ["0.0001ms", "5ms"])
def test_a_duration_shorter_than_one_block_is_refused_naming_the_minimum(tmp_path, command, duration):
    """``--duration 0.0001ms`` ran less than one block and ended inconclusive (exit 3), a run folder
    written for a typo. The default block is 256 frames at 48 kHz, 5.333 ms."""
    where = ["--report-dir", tmp_path / "reports"] if command == "run" else ["--no-progress", "--run-dir",
                                                                              tmp_path / "soak"]
    refused(cli(command, "--duration", duration, *where), "--duration", duration,
            "shorter than one audio block", "256 frames at 48000 Hz", "give at least 5.34ms")
    assert not (tmp_path / "reports").exists() and not (tmp_path / "soak").exists()


def test_a_swarm_shorter_than_one_block_is_refused_before_a_cluster_starts(tmp_path):
    refused(cli(*_swarm_args(tmp_path, duration="1ms")), "--duration 1ms", "give at least 5.34ms")
    assert not (tmp_path / "swarm").exists()


def test_the_minimum_duration_follows_the_configured_block(tmp_path):
    config = write(tmp_path, "big-blocks.toml", "[stream]\nsample_rate = 44100\nblock_size = 8192\n"
                                                "latency_ms = 600\n")
    refused(cli("run", "--duration", "0.1s", "--config", config, "--report-dir", tmp_path / "reports"),
            "8192 frames at 44100 Hz", "give at least 185.76ms")


def test_exactly_one_block_is_taken_and_a_hair_less_is_refused():
    """The boundary itself: 480 frames at 48 kHz are exactly 10 ms (``10ms`` parses to the same
    float), so a duration of one block is taken and the float just under it is refused."""
    from harness.durations import parse_duration
    from harness.errors import UsageError
    from harness.runner import check_holds_a_block

    config = {"stream": {"block_size": 480}}
    assert parse_duration("10ms") == 480 / 48_000
    check_holds_a_block(parse_duration("10ms"), config)
    with pytest.raises(UsageError, match="give at least 10ms"):
        check_holds_a_block(math.nextafter(0.01, 0.0), config)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(block=st.integers(16, 8192), rate=st.integers(8_000, 384_000))
def test_the_minimum_a_refusal_names_is_taken(block, rate):
    """Whatever the configured block, the duration the refusal tells the user to give is enough:
    written back as the message gives it (``give at least Nms``), it is not refused again."""
    import re

    from harness.durations import parse_duration
    from harness.errors import UsageError
    from harness.runner import check_holds_a_block

    config = {"stream": {"block_size": block, "sample_rate": rate, "latency_ms": 2000}}
    with pytest.raises(UsageError) as refusal:
        check_holds_a_block(1e-6, config)  # under any block (the shortest: 16 frames at 384 kHz)
    (least,) = re.findall(r"give at least (\S+ms)$", str(refusal.value))
    check_holds_a_block(parse_duration(least), config)


def test_one_block_is_enough_to_be_taken(tmp_path):
    code, out, err = cli("run", "--duration", "5.34ms", "--report-dir", tmp_path / "reports")
    assert code != 2, (code, out, err)


# ------------------------------------------------------------------ limits.bytes has a bound ----
def test_a_bytes_limit_beyond_any_address_space_is_refused_naming_the_bound(tmp_path):
    """``[limits] bytes = 99999999999999999999`` ran (exit 0): a limit no allocation can reach."""
    config = write(tmp_path, "huge-limit.toml", "[limits]\nbytes = 99999999999999999999\n")
    refused(cli("run", "--duration", "2", "--config", config, "--report-dir", tmp_path / "reports"),
            "huge-limit.toml", "limits.bytes", "99999999999999999999", "give at most 140737488355328")
    assert not (tmp_path / "reports").exists()


def test_a_bytes_limit_at_the_bound_is_taken():
    from system_under_test.config import MAX_LIMIT_BYTES, load_config
    assert MAX_LIMIT_BYTES == 2**47
    assert load_config({"limits": {"bytes": MAX_LIMIT_BYTES}}).limits.bytes == MAX_LIMIT_BYTES


#: a document of each schema version, with a ``[limits]`` table appended (v1 is flat, v2 names its
#: stages with ``type``); the limits must be held to their bounds whichever version carries them
_VERSIONED_HEADS = {
    1: "rate = 48000\nbuffer_size = 256\nchannels = 2\n",
    2: "schema_version = 2\n[[dsp]]\ntype = \"gain\"\ngain_db = -3.0\n",
    3: "schema_version = 3\n",
}


@pytest.mark.parametrize("version", sorted(_VERSIONED_HEADS))
@pytest.mark.parametrize("field, bound", [("buffers", 2**41), ("frames", 2**45), ("streams", 2**22),
                                          ("threads", 2**22), ("bytes", 2**47)])
def test_a_limit_one_past_its_bound_is_refused_in_every_schema_version(tmp_path, version, field, bound):
    """``limits.buffers``, ``frames``, ``streams`` and ``threads`` took any number (a run with
    ``threads = 99999999999999999999`` ran); each now has a bound that follows from what it counts,
    and one past it is exit 2 naming the file, the field and the bound, in v1, v2 and v3 files."""
    config = write(tmp_path, f"v{version}-{field}.toml", f"{_VERSIONED_HEADS[version]}[limits]\n{field} = {bound + 1}\n")
    refused(cli("run", "--duration", "2", "--config", config, "--report-dir", tmp_path / "reports"),
            f"v{version}-{field}.toml", f"limits.{field}", f"{bound + 1} {field}", f"give at most {bound}")
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("version", sorted(_VERSIONED_HEADS))
@pytest.mark.parametrize("field, bound", [("buffers", 2**41), ("frames", 2**45), ("streams", 2**22),
                                          ("threads", 2**22), ("bytes", 2**47)])
def test_a_limit_at_its_bound_is_taken_in_every_schema_version(tmp_path, version, field, bound):
    import tomllib

    from system_under_test.config import load_config
    config = write(tmp_path, f"v{version}.toml", f"{_VERSIONED_HEADS[version]}[limits]\n{field} = {bound}\n")
    assert getattr(load_config(tomllib.loads(config.read_text())).limits, field) == bound


# ------------------------------------------------ a scenario's problems are told in one pass ----
_MANY_PROBLEMS = """format = 1

[scenario]
id = "many-problems"
title = "every kind of problem at once"
{reproduces}
[[steps]]
name = "go"
op = "start"

[[steps]]
name = "go"
fault = "dropout"
at = "{at}"

[[steps]]
name = "stall"
fault = "stall"
at = "100ms"
duration_s = 0.1
target = "sim-nowhere"

[[expect]]
invariant = "no_such_invariant"

[[expect]]
reach = "running"
after = "unplugg.start"
within = "250ms"

[[expect]]
never = "failed"
after = "go.end"
"""


def _problems(err: str) -> set[str]:
    return {line.strip().split(": ", 2)[1] for line in err.splitlines() if line.strip().startswith("line ")}


def test_a_scenario_with_a_structural_error_reports_every_other_problem_in_the_same_pass(tmp_path):
    """A file whose model pydantic could not build stopped at pydantic's errors: duplicate step
    names, references to missing steps, unknown invariants and device targets came out only once
    those were fixed, a second round for the user."""
    broken = write(tmp_path, "broken.toml", _MANY_PROBLEMS.format(reproduces="", at="abc"))
    first = _problems(refused(cli("scenario", "check", broken), "broken.toml"))
    assert first == {"scenario.reproduces", "steps[1].at", "steps[1].name", "steps[2].target",
                     "expect[0].invariant", "expect[1].after", "expect[2].after"}, first
    fixed = write(tmp_path, "fixed.toml", _MANY_PROBLEMS.format(reproduces='reproduces = "r"', at="1s"))
    second = _problems(refused(cli("scenario", "check", fixed), "fixed.toml"))
    assert second == first - {"scenario.reproduces", "steps[1].at"}, second


def test_every_cross_reference_problem_of_a_valid_model_is_listed_not_only_the_first(tmp_path):
    fixed = write(tmp_path, "refs.toml", _MANY_PROBLEMS.format(reproduces='reproduces = "r"', at="1s")
                  .replace('invariant = "no_such_invariant"', 'invariant = "resources"')
                  .replace('target = "sim-nowhere"', 'target = "sim-in"'))
    assert _problems(refused(cli("scenario", "check", fixed), "refs.toml")) == {
        "steps[1].name", "expect[1].after", "expect[2].after"}


# ---------------------------------------------------------------------- a WAV file cut short ----
def _cut(tmp_path: Path, name: str, samples, *, keep: float = 0.5, fmt: str = "int16") -> Path:
    """A WAV file of ``samples`` whose data stops at ``keep`` of what its header promises."""
    full = tmp_path / f"full-{name}"
    analysis.write_wav(full, samples, 48_000, fmt)
    data, at = full.read_bytes(), analysis.read_wav_header(full).data_offset
    path = tmp_path / name
    path.write_bytes(data[:at + int((len(data) - at) * keep)])
    return path


def _sine(seconds: float = 1.0):
    return analysis.make_signal("sine", sample_rate=48_000, duration_s=seconds)


def test_a_recording_cut_short_is_said_and_inconclusive_not_a_silent_pass(tmp_path):
    """A WAV shorter than its header says was analysed as far as it went: exit 0, no word of it."""
    path = _cut(tmp_path, "cut.wav", _sine())
    code, out, err = cli("analyze", "glitches", path)
    assert code == 3, (code, err)
    assert "Traceback" not in err
    for needle in ("cut.wav", "cut short", "promises 48000 frames", "holds 24000", "never heard"):
        assert needle in err, (needle, err)
    doc = json.loads(out)
    assert doc["frames"] == 24000
    assert doc["cut_short"] == [{"file": str(path), "header_frames": 48000, "frames": 24000,
                                 "missing_frames": 24000, "missing_s": 0.5}]


def test_glitches_in_a_recording_cut_short_still_fail(tmp_path):
    sine = _sine()
    sine[10_000:10_480] = 0.0  # a 10 ms mute in the part that is there
    code, out, err = cli("analyze", "glitches", _cut(tmp_path, "cut.wav", sine))
    assert code == 1, (code, err)
    assert "warning: " in err and "cut short" in err and "inconclusive" not in err
    assert json.loads(out)["cut_short"][0]["frames"] == 24000


def test_a_whole_recording_or_a_streamed_one_is_not_cut_short(tmp_path):
    whole = tmp_path / "whole.wav"
    analysis.write_wav(whole, _sine(), 48_000, "int16")
    code, out, err = cli("analyze", "glitches", whole)
    assert (code, json.loads(out)["cut_short"], err) == (0, [], "")
    streamed = tmp_path / "streamed.wav"  # a recorder that never went back to write the length
    data = bytearray(whole.read_bytes())
    data[40:44] = struct.pack("<I", 0xFFFFFFFF)
    streamed.write_bytes(bytes(data))
    code, out, err = cli("analyze", "glitches", streamed)
    assert (code, json.loads(out)["cut_short"], err) == (0, [], "")


def test_latency_from_a_recording_cut_short_is_inconclusive(tmp_path):
    mls = analysis.make_signal("mls", sample_rate=48_000, duration_s=1.0)
    reference = tmp_path / "ref.wav"
    analysis.write_wav(reference, mls, 48_000, "float32")
    delayed = np.concatenate([np.zeros(480, mls.dtype), mls])
    code, out, err = cli("analyze", "latency", "--reference", reference,
                         "--recorded", _cut(tmp_path, "rec.wav", delayed, keep=0.8, fmt="float32"))
    assert code == 3, (code, err)
    doc = json.loads(out)
    assert doc["latency_frames"] == pytest.approx(480, abs=1)
    assert doc["cut_short"][0]["file"].endswith("rec.wav")
    assert "rec.wav: cut short" in err and "measured on the frames present only" in err


# ---------------------------------------------------------- analyze glitches --reference: edges ----
def test_a_reference_with_too_little_sound_is_told_so_not_that_a_perfect_match_is_too_weak(tmp_path):
    """A lone click as the reference: "1 of 1 loud blocks match it, 3 needed; ... correlate only
    1.00 (median) with the reference there, below the 0.8 a match needs": a perfect match called
    too weak, and the advice (low-pass the reference) beside the point."""
    click = analysis.make_signal("pulse", sample_rate=48_000, duration_s=3.0)
    reference, recording = tmp_path / "click.wav", tmp_path / "rec.wav"
    analysis.write_wav(reference, click, 48_000, "float32")
    analysis.write_wav(recording, np.concatenate([np.zeros(480, click.dtype), click]), 48_000, "float32")
    err = refused(cli("analyze", "glitches", recording, "--reference", reference),
                  "rec.wav against ", "click.wav: ", "only 1 loud block(s)", "too little sound", "at least 3 blocks")
    assert "below the 0.8" not in err


@pytest.mark.parametrize("other, needle", [
    ({"rate": 44_100}, "sample rates differ"),
    ({"channels": 2}, "channel counts differ"),
    ({"empty": True}, "not a readable WAV file"),
    ({"folder": True}, "is a directory"),
])
def test_a_reference_of_another_shape_is_refused_naming_both_files(tmp_path, other, needle):
    music = analysis.make_signal("mls", sample_rate=48_000, duration_s=2.0)
    recording = tmp_path / "rec.wav"
    analysis.write_wav(recording, music, 48_000, "float32")
    reference = tmp_path / "ref.wav"
    if other.get("empty"):
        reference.write_bytes(b"")
    elif other.get("folder"):
        reference.mkdir()
    else:
        rate = other.get("rate", 48_000)
        data = analysis.make_signal("mls", sample_rate=rate, duration_s=2.0)
        analysis.write_wav(reference, data[:, None].repeat(other.get("channels", 1), axis=1), rate, "float32")
    refused(cli("analyze", "glitches", recording, "--reference", reference), "ref.wav", needle)


@pytest.mark.parametrize("cut", ["ref.wav", "rec.wav"])
def test_a_comparison_with_either_file_cut_short_says_so_and_is_inconclusive(tmp_path, cut):
    """``analyze glitches REC --reference REF``: the reference is half of what was compared, and a
    reference cut short was played only in part. Either file cut short is named in ``cut_short``
    and on stderr, and a comparison that found nothing in the frames present is inconclusive."""
    music = analysis.make_signal("mls", sample_rate=48_000, duration_s=2.0)
    files = {"ref.wav": tmp_path / "ref.wav", "rec.wav": tmp_path / "rec.wav"}
    for name, path in files.items():
        if name == cut:
            files[name] = _cut(tmp_path, name, music, fmt="float32")
        else:  # the other file whole, holding what the cut one still holds
            analysis.write_wav(path, music[:48_000], 48_000, "float32")
    code, out, err = cli("analyze", "glitches", files["rec.wav"], "--reference", files["ref.wav"])
    assert code == 3, (code, err)
    doc = json.loads(out)
    assert doc["glitches"] == [], doc["glitches"]
    assert doc["cut_short"] == [{"file": str(files[cut]), "header_frames": 96_000, "frames": 48_000,
                                 "missing_frames": 48_000, "missing_s": 1.0}]
    assert f"{cut}: cut short" in err and "never heard" in err, err


def test_a_recording_compared_with_itself_is_clean(tmp_path):
    music = tmp_path / "music.wav"
    analysis.write_wav(music, analysis.make_signal("mls", sample_rate=48_000, duration_s=2.0), 48_000, "float32")
    code, out, err = cli("analyze", "glitches", music, "--reference", music)
    assert (code, json.loads(out)["glitches"], json.loads(out)["cut_short"]) == (0, [], []), err


def test_a_program_cut_short_is_refused_not_played_as_if_whole(tmp_path):
    """``run --program`` of a WAV cut short played what was there, silently, as the user's program."""
    noise = np.random.default_rng(1).uniform(-0.5, 0.5, 48_000 * 6).astype(np.float32)
    program = _cut(tmp_path, "program.wav", noise, fmt="float32")
    refused(cli("run", "--duration", "3", "--program", program, "--report-dir", tmp_path / "reports"),
            "program.wav", "cut short", "promises 288000 frames", "holds 144000")
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("command", ["latency", "glitches"])
def test_a_reference_channel_out_of_range_names_the_reference_option(tmp_path, command):
    """``--reference-channel 3`` on a mono reference said "use --channel 0..0", an option that
    chooses the recording's channel, not the reference's."""
    music = tmp_path / "music.wav"
    analysis.write_wav(music, analysis.make_signal("mls", sample_rate=48_000, duration_s=2.0), 48_000, "float32")
    argv = (["analyze", "latency", "--reference", music, "--recorded", music] if command == "latency"
            else ["analyze", "glitches", music, "--reference", music])
    err = refused(cli(*argv, "--reference-channel", "3"), "music.wav", "channel 3 is out of range",
                  "use --reference-channel 0..0")
    assert "use --channel" not in err


def test_a_folder_where_a_report_file_goes_is_named_with_its_path(tmp_path):
    """``report DIR`` with ``DIR/report.json`` a folder said ".report.json.4dd2ce240add.tmp ->
    report.json: Is a directory": a temp name the user never made, and no folder."""
    code, _, stderr = fast_run(tmp_path)  # any verdict: what matters is the run folder it wrote
    (run_dir,) = (tmp_path / "reports").glob("run-*")
    assert (run_dir / "report.json").is_file(), (code, stderr)
    (run_dir / "report.json").unlink()
    (run_dir / "report.json").mkdir()
    err = refused(cli("report", run_dir), str(run_dir / "report.json"), "is a folder", "move it aside")
    assert ".tmp" not in err
    assert not [p.name for p in run_dir.iterdir() if p.name.endswith(".tmp")]


def test_a_reader_that_goes_away_early_is_not_an_internal_error(capsys) -> None:
    """``soundcheck devices | head -1``: the reader closes the pipe after its first line, the next
    write raises BrokenPipeError. That is the reader's choice, not a bug in soundcheck: no "internal
    error", no crash log, and the shell's code for a writer ended by SIGPIPE (141)."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader went away
    pipe = io.TextIOWrapper(os.fdopen(write_end, "wb", buffering=0), write_through=True)
    stdout, sys.stdout = sys.stdout, pipe
    try:
        code = main(["devices"])
    finally:
        sys.stdout = stdout
        with contextlib.suppress(OSError):
            pipe.close()
    assert code == 141
    err = capsys.readouterr().err
    assert "internal error" not in err and "crash" not in err, err
    assert not list(Path(os.environ["SOUNDCHECK_LOG_DIR"]).glob("crash-*"))
