"""An outside user's audit of the verdict and of hostile input (issue #11, 2026-12-03 late night).

Each case here failed on main before its fix: a boolean read as a number (``xrun = true`` became a
fault on every check, ``input_channels = true`` one channel), a configuration's unknown key named
without the closest valid one, and an interrupted run whose ``report.json`` said it had completed
(``run.status``, ``completeness``) and dropped "interrupted" from the verdict that its
``summary.json`` and CLI line gave. The contract is README's: exit 2 with one message naming the
file, the field and the fix, no traceback, nothing written; one verdict everywhere.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from harness.cli import main


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    monkeypatch.setenv("SOUNDCHECK_LOG_DIR", str(tmp_path / "crash-logs"))


def cli(*argv: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def refused(result: tuple[int, str, str], *needles: str) -> str:
    code, _out, err = result
    assert code == 2, (code, err)
    assert "Traceback" not in err and "internal error" not in err, err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# --------------------------------------------------------------- a boolean is never a number ----
@pytest.mark.parametrize("text, field", [
    ("[probabilities]\nxrun = true\n", "probabilities.xrun"),
    ("[probabilities]\nxrun = 0.1\n[params.xrun]\ndelay_s = true\n", "params.xrun.delay_s"),
    ("[probabilities]\ndropout = 0.1\n[params.dropout]\nduration_s = [false, 0.5]\n", "params.dropout.duration_s"),
    ("[probabilities]\nxrun = 0.1\n[gates]\nsteady_state_s = true\n", "gates.steady_state_s"),
    ("check_every_s = true\n[probabilities]\nxrun = 0.1\n", "check_every_s"),
])
def test_a_boolean_in_a_fault_profile_is_refused_not_read_as_1(tmp_path, text, field):
    profile = write(tmp_path, "flaky.toml", text)
    refused(cli("run", "--duration", "2", "--report-dir", tmp_path / "reports", "--faults", profile),
            "flaky.toml", field, "must be a number, got")
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


def test_ctrl_c_on_run_stops_it_as_interrupted_not_as_a_failure(tmp_path):
    """``soundcheck run``: Ctrl-C ends the run after the chunk (as a soak's does); it once raised
    mid-chunk and the run was judged FAIL, ``run_completed`` violated, in summary, reports and
    run-history alike: a false alarm against the system for the operator's key press."""
    import signal

    from harness import ReliabilityRun
    from harness import RunSpec
    from harness.commands.run import _stop_on_signals

    chunks = {"n": 0}

    def ctrl_c(_run, _system, _history):
        chunks["n"] += 1
        if chunks["n"] == 3:
            signal.raise_signal(signal.SIGINT)

    run = ReliabilityRun(RunSpec(duration_s=30, seed=1, report_root=tmp_path / "reports"))
    restore = _stop_on_signals(run)
    try:
        result = run.execute(on_chunk=ctrl_c)
    finally:
        restore()
    assert result.exit_code == 3
    assert result.summary["status"] == "interrupted"
    assert "run_completed" not in result.summary["invariants"]
    report = json.loads((result.run_dir / "report.json").read_text())
    assert report["verdict"]["outcome"] == "inconclusive"
    assert report["run"]["status"] == "interrupted"


def test_a_second_ctrl_c_still_leaves_an_honest_interrupted_summary(tmp_path):
    from harness import ReliabilityRun
    from harness import RunSpec

    chunks = {"n": 0}

    def ctrl_c_twice(_run, _system, _history):
        chunks["n"] += 1
        if chunks["n"] == 3:
            raise KeyboardInterrupt

    run = ReliabilityRun(RunSpec(duration_s=30, seed=1, report_root=tmp_path / "reports"))
    with pytest.raises(KeyboardInterrupt):
        run.execute(on_chunk=ctrl_c_twice)
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
