"""Verdicts a user can trust after a kill: every reader of a killed run's folder says the same
thing in the same words, and a cut run is never read as a finished one.

A ``soundcheck run`` killed before its history recorded anything leaves history.jsonl empty or
holding its header alone: ``report`` calls the run INCONCLUSIVE and ``scenario from-history``
refuses the file (exit 2), both with ``harness.history.NO_ENTRIES`` as the reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.history import NO_ENTRIES

from cli_capture import cli

#: the header line a ``soundcheck run`` writes first (what a kill right after opening leaves)
HEADER = json.dumps({"index": 0, "type": "meta", "time": 0.0,
                     "data": {"format": 1, "run": {"backend": "sim", "duration_s": 20.0, "seed": 7,
                                                   "faults": "default", "label": "run"}}}) + "\n"


@pytest.fixture(params=["", HEADER], ids=["empty", "header-only"])
def killed_before_any_entry(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    folder = tmp_path / "run-killed"
    folder.mkdir()
    (folder / "history.jsonl").write_text(request.param)
    return folder


def test_report_and_from_history_give_one_reason_for_a_history_without_entries(
        killed_before_any_entry: Path, tmp_path: Path) -> None:
    """main: ``report`` said "cut off at t=0.000 s" (empty) or "of 20 s" (header), while
    ``from-history`` refused the empty file with "holds no history entries" and turned the header
    alone into a one-step replay (exit 0)."""
    history = killed_before_any_entry / "history.jsonl"
    code, out, err = cli("report", killed_before_any_entry, "--no-history")
    assert code == 3, (code, out, err)
    assert "INCONCLUSIVE" in out and NO_ENTRIES in out, out
    assert "cut off at t=" not in out and "Traceback" not in err

    code, out2, err2 = cli("scenario", "from-history", history, "-o", tmp_path / "bug.toml")
    assert code == 2, (code, out2, err2)
    assert str(history) in err2 and NO_ENTRIES in err2, err2
    assert "warning" not in err2 and err2.count("\n") == 1, err2  # the refusal alone, no "replays" warning
    assert "Traceback" not in err2 and not (tmp_path / "bug.toml").exists()


# ------------------------------------------------- compare: a killed run is compared as cut ----
def _report(status: str, outcome: str, failures: int, faults: int) -> dict[str, object]:
    """The parts of a ``report.json`` compare reads: a soak's totals, as a kill leaves them
    (entered-FAILED states of a device fault whose recovery the kill cut off)."""
    return {"kind": "soak", "run": {"run_id": status, "backend": "sim", "profile": "default", "status": status},
            "verdict": {"outcome": outcome},
            "performance": {"callback_duration_s": {"p50": 1e-5, "p99": 4e-3, "p99_9": 1.3e-2, "max": 1.5e-2}},
            "stability": {"failure_count": failures, "incident_count": failures, "faults_injected": faults,
                          "xruns_per_hour": 5760.0}}


def test_compare_with_a_killed_soak_compares_nothing_and_lists_no_regression(tmp_path: Path) -> None:
    """main: "REGRESSION (3): failures: 0 -> 8 ...; faults injected ...; verdict: pass ->
    inconclusive" and exit 1 for a finished soak against the partial report of a killed one."""
    done, killed = tmp_path / "done", tmp_path / "killed"
    for folder, report in ((done, _report("completed", "pass", 0, 67)),
                           (killed, _report("partial", "inconclusive", 8, 3))):
        folder.mkdir()
        (folder / "report.json").write_text(json.dumps(report))
    code, out, err = cli("compare", done, killed)
    assert code == 3, (code, out, err)
    assert "REGRESSION" not in out and "NOT COMPARED: B (partial) did not finish" in out, out
    assert "status: completed vs partial" in err
    code, out, _ = cli("compare", killed, done, "--json")
    doc = json.loads(out)
    assert code == 3 and doc["cut"] == ["A (partial)"] and doc["regressions"] == []
    assert {m["verdict"] for m in doc["metrics"]} == {"n/a"}
    # two finished runs are still judged: the same totals are a regression there
    (killed / "report.json").write_text(json.dumps(_report("completed", "fail", 8, 67)))
    code, out, _ = cli("compare", done, killed)
    assert code == 1 and "REGRESSION" in out and "failure incidents: 0 -> 8" in out, out


# ------------------------------------------ temporaries a kill left mid-write are removed ----
def _absent_pid() -> int:
    """A pid no process can have (above the kernel's ``pid_max``)."""
    return int(Path("/proc/sys/kernel/pid_max").read_text()) + 1


def test_a_later_write_removes_the_temporaries_of_killed_writers_and_keeps_everything_else(
        tmp_path: Path) -> None:
    """main: the temporaries stayed forever (and a pid was never in their names)."""
    import os

    from harness.runfolder import RunFolder

    old = 1_000_000_000.0  # 2001: before this process started
    stale_pidless = tmp_path / ".report.html.4dd2ce240add.tmp"
    stale_dead = tmp_path / f".report.json.p{_absent_pid()}.0123456789ab.tmp"
    live = tmp_path / f".report.json.p{os.getppid()}.0123456789ab.tmp"  # its writer lives: kept
    fresh_pidless = tmp_path / ".summary.json.aaaaaaaaaaaa.tmp"  # newer than this process: kept
    users = tmp_path / ".notes.tmp"  # not the pattern: kept
    for path in (stale_pidless, stale_dead, live, fresh_pidless, users):
        path.write_text("half a file")
    os.utime(stale_pidless, (old, old))
    os.utime(users, (old, old))
    link = tmp_path / ".figures.svg.p1.0123456789ab.tmp"
    link.symlink_to(users)  # a link of the pattern is no temporary of ours: kept
    os.utime(link, (old, old), follow_symlinks=False)
    (tmp_path / "figures").mkdir()
    stale_sub = tmp_path / "figures" / f".a.svg.p{_absent_pid()}.ffffffffffff.tmp"
    stale_sub.write_text("half")

    folder = RunFolder(tmp_path)
    folder.write_text("report.json", "{}")
    folder.write_text("figures/b.svg", "<svg/>")
    assert not stale_pidless.exists() and not stale_dead.exists() and not stale_sub.exists()
    assert live.exists() and fresh_pidless.exists() and users.exists() and link.is_symlink()
    assert (tmp_path / "report.json").read_text() == "{}"


def test_report_removes_a_killed_writers_temporary_and_a_folder_of_temporaries_alone_is_empty(
        killed_before_any_entry: Path, tmp_path: Path) -> None:
    """main: the temporary stayed beside the rebuilt report; a folder holding only one was not
    "an empty folder" but read as a soak's (exit 2 "journal.jsonl: no journal here")."""
    stale = killed_before_any_entry / f".report.html.p{_absent_pid()}.0123456789ab.tmp"
    stale.write_text("<html>half")
    code, out, err = cli("report", killed_before_any_entry, "--no-history")
    assert code == 3, (code, out, err)
    assert not stale.exists() and (killed_before_any_entry / "report.html").is_file()

    only = tmp_path / "only-a-temporary"
    only.mkdir()
    (only / f".report.html.p{_absent_pid()}.0123456789ab.tmp").write_text("<html>half")
    code, out, err = cli("report", only, "--no-history")
    assert code == 2 and "an empty folder" in err, (code, out, err)


# --------------------------------- the failure export's minimiser does not read the wall clock ----
def _failing_history() -> "History":
    """A history of the ``half_reconfigure`` mutant violating ``rejected_config``, closed, with
    steps the failure does not need (pause, resume) for the minimiser to drop."""
    from rejected_config_history import closed_half_reconfigure_history

    return closed_half_reconfigure_history(0)


def _export(out: Path) -> str:
    from rejected_config_history import export_half_reconfigure_failure

    return export_half_reconfigure_failure(out)


def test_the_exported_scenario_is_the_same_when_the_wall_clock_jumps(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """main: a wall-clock budget of 20 s (``time.perf_counter``); a process slowed so that each
    reading is 1000 s past the last exported the un-minimised timeline, all its steps kept."""
    import itertools
    import time

    calm = _export(tmp_path / "calm")
    ticks = itertools.count()
    real = time.perf_counter
    monkeypatch.setattr(time, "perf_counter", lambda: real() + 1000.0 * next(ticks))
    monkeypatch.setattr(time, "monotonic", lambda: real() + 1000.0 * next(ticks))
    slowed = _export(tmp_path / "slowed")
    assert slowed == calm
    assert calm.count("[[steps]]") <= 2, calm  # minimised: pause, resume and close were dropped


def test_the_minimisers_budget_is_replays_and_simulated_seconds(tmp_path: Path) -> None:
    from harness.scenarios.executor import mutant_factory
    from harness.scenarios.export import _document, _steps_from_any, minimise

    steps = _steps_from_any(_failing_history())  # start, pause, resume, invalid_config, close
    doc = _document("x", "t", "r", [], 0, {}, steps, [{"invariant": "rejected_config"}])
    factory = mutant_factory("half_reconfigure")
    assert minimise(doc, "rejected_config", system_factory=factory)["steps"] == [steps[3]]
    # no replay allowed, or one replay whose simulated time uses the whole budget: nothing dropped
    # beyond what that one replay decided (told the failure showed after step4, the invalid
    # configuration: ``close`` after it is cut; without that, the first trial drops the last half,
    # which the failure needs)
    assert minimise(doc, "rejected_config", system_factory=factory, max_runs=0)["steps"] == steps
    assert minimise(doc, "rejected_config", system_factory=factory, max_sim_s=1e-9,
                    failing_step="step4")["steps"] == steps[:-1]
    assert minimise(doc, "rejected_config", system_factory=factory, max_sim_s=1e-9)["steps"] == steps


def test_a_run_s_failure_is_minimised_to_the_steps_it_needs_within_the_budget(tmp_path: Path) -> None:
    """A 60 s run of the ``half_reconfigure`` mutant (about 170 steps: the default profile's faults
    and the run's operations) exports a scenario of the one invalid configuration that fails
    ``rejected_config``: the steps after the failure cut first, then runs of steps, halves first.
    Removing one step at a time from the end spent the budget before reaching it (175 steps)."""
    code, out, err = cli("run", "--backend", "sim", "--duration", "60", "--seed", "1", "--mutant",
                         "half_reconfigure", "--report-dir", tmp_path)
    assert code == 1, out + err
    (exported,) = tmp_path.glob("run-*/scenarios/repro-rejected-config-*.toml")
    scenario = exported.read_text()
    assert scenario.count("[[steps]]") == 1 and 'fault = "invalid_config"' in scenario, scenario


# ------------------------------------------ swarm --resume reads a swarm.jsonl a kill cut ----
def _row(seed: int) -> bytes:
    return (json.dumps({"seed": seed, "outcome": "pass", "simulated_s": 22.25, "note": "é"}, sort_keys=True)
            + "\n").encode()


@pytest.mark.parametrize("cut", [1, 9, -2, -1])
def test_a_swarm_log_cut_mid_line_keeps_every_whole_line_and_names_the_cut(tmp_path: Path, cut: int) -> None:
    """main: the cut line was dropped in silence. ``cut``: the last row's bytes kept (a slice end:
    -2 drops its closing brace too; -1 only its newline, which leaves a whole row, kept)."""
    from harness.swarm import SwarmLog

    path = tmp_path / "swarm.jsonl"
    last = _row(4)
    kept = last[:cut]
    path.write_bytes(_row(1) + _row(2) + _row(2) + _row(3) + kept)  # seed 2 twice: counted once
    log = SwarmLog(path)
    if cut == -1:
        assert sorted(log.rows) == [1, 2, 3, 4] and log.warnings == []
    else:
        assert sorted(log.rows) == [1, 2, 3]
        (warning,) = log.warnings
        assert warning.startswith(f"{path}: the last {len(kept)} byte(s) (line 5, cut part-way"), warning
        assert "its seed runs again" in warning
    assert 4 in log or log.add({"seed": 4, "outcome": "pass"})
    assert not log.add({"seed": 1, "outcome": "fail"})  # a seed on file is never written again
    log.close()
    seeds = [json.loads(line)["seed"] for line in path.read_bytes().splitlines()]
    assert seeds == [1, 2, 2, 3, 4]
    again = SwarmLog(path)
    again.close()
    assert again.warnings == [] and sorted(again.rows) == [1, 2, 3, 4]


@pytest.mark.parametrize("damage", [b"{not json\n", b"\xff\xfe\n", b'{"seed": "1"}\n', b"[]\n"])
def test_a_swarm_log_damaged_in_the_middle_is_refused_naming_the_file_and_line(
        tmp_path: Path, damage: bytes) -> None:
    """main: the damaged line was skipped in silence (its seed run and counted again), and a line
    of invalid UTF-8 anywhere was a UnicodeDecodeError traceback."""
    from harness.errors import InputFileError
    from harness.swarm import SwarmLog

    path = tmp_path / "swarm.jsonl"
    data = _row(1) + damage + _row(3)
    path.write_bytes(data)
    with pytest.raises(InputFileError) as caught:
        SwarmLog(path)
    assert str(path) in str(caught.value) and "line 2: not a swarm row" in str(caught.value)
    assert path.read_bytes() == data


def test_swarm_resume_of_a_damaged_log_exits_2_before_a_cluster_starts(tmp_path: Path) -> None:
    out = tmp_path / "sw"
    out.mkdir()
    (out / "swarm-spec.json").write_text(json.dumps({"seeds": "1-3", "duration_s": 1.0, "faults": "swarm"}))
    (out / "swarm.jsonl").write_bytes(_row(1) + b"{not json\n" + _row(3))
    code, out_text, err = cli("swarm", "--resume", out, "--quiet", "--no-history", "--workers", "1")
    assert code == 2, (code, out_text, err)
    assert "swarm.jsonl: line 2: not a swarm row" in err and "Traceback" not in err
