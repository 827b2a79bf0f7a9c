"""The swarm's verdict by kind of failure: each way a seed failed (an invariant by name, a crash of
the system or of the harness, a leak by metric, a timeout) is a group of its own in
``summary.json``, ``report.md`` and on the console; inconclusive seeds are grouped by reason and
the swarm never passes while one is there; a crash is told apart by whose code raised."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.swarm import SwarmResult, SwarmSpec, render_report, run_seed, summarize


def failure_signatures(row: dict) -> list[str]:
    from harness.swarm import failure_signatures as signatures

    return signatures(row)


def inconclusive_reasons(row: dict) -> list[str]:
    from harness.swarm import inconclusive_reasons as reasons

    return reasons(row)

#: one seed's line per way of failing, as ``run_seed`` writes them
ROWS = [
    {"seed": 1, "outcome": "fail", "violated": ["resources"], "failures": ["invariants violated: resources"],
     "doubts": [], "leaks": {}, "crash": None, "simulated_s": 1.0},
    {"seed": 2, "outcome": "fail", "violated": [], "failures": ["leak suspected: sut_buffers"], "doubts": [],
     "leaks": {"sut_buffers": {"verdict": "leak", "slope_per_hour": 240.0, "unit": "count"},
               "sut_streams": {"verdict": "ok", "slope_per_hour": 0.0, "unit": "count"}},
     "crash": None, "simulated_s": 1.0},
    {"seed": 3, "outcome": "fail", "violated": ["run_completed"], "doubts": [], "leaks": {},
     "failures": ["invariants violated: run_completed", "the run crashed: RecoveryCrash"],
     "crash": {"by": "system", "type": "RecoveryCrash", "where": "mutants.py:1 in _finish_recovery"},
     "simulated_s": 1.0},
    {"seed": 4, "outcome": "fail", "violated": ["run_completed"], "doubts": [], "leaks": {},
     "failures": ["invariants violated: run_completed", "the run crashed: KeyError"],
     "crash": {"by": "harness", "type": "KeyError", "where": "audio_check.py:1 in poll"}, "simulated_s": 1.0},
    {"seed": 5, "outcome": "inconclusive", "violated": [], "inconclusive": [], "failures": [], "leaks": {},
     "doubts": ["steady state after the last fault could not be observed: no quiet window"], "simulated_s": 1.0},
    {"seed": 6, "outcome": "inconclusive", "violated": [], "inconclusive": ["recovery"], "failures": [],
     "leaks": {}, "doubts": ["inconclusive: recovery (the run ended before its bound)"], "simulated_s": 1.0},
    {"seed": 7, "outcome": "pass", "violated": [], "failures": [], "doubts": [], "leaks": {}, "simulated_s": 1.0},
]


def _summary(tmp_path: Path, rows: list[dict]) -> tuple[SwarmResult, dict]:
    result = SwarmResult(tmp_path, rows, {}, wall_s=1.0, workers=1)
    result.summary = summarize(SwarmSpec(f"1-{len(rows)}", 1.0), result)
    return result, result.summary


def test_each_way_of_failing_is_a_group_of_its_own_in_the_summary_and_the_report(tmp_path: Path) -> None:
    """A leak with no invariant violated was grouped with the crashes (both had no invariant), and
    a crash of the harness with one of the system (both violate ``run_completed``)."""
    result, summary = _summary(tmp_path, ROWS)
    groups = {g["signature"]: g["seeds"] for g in summary["failures"]}
    assert groups == {"invariant:resources": [1], "leak:sut_buffers": [2],
                      "system_crash:RecoveryCrash": [3], "harness_crash:KeyError": [4]}
    report = render_report(result)
    assert "### invariant violated: resources: 1 seed(s)" in report
    assert "### leak: sut_buffers: 1 seed(s)" in report
    assert "### the system crashed: RecoveryCrash: 1 seed(s)" in report
    assert "### the harness crashed (a bug of soundcheck's, not the system's): KeyError: 1 seed(s)" in report
    assert "raised in the harness's code at audio_check.py:1 in poll (seed 4)" in report
    assert "slope (seed 2): 240.0 count per hour" in report
    assert summary["verdict"] == "fail" and result.exit_code == 1


def test_inconclusive_seeds_are_grouped_by_reason_and_the_swarm_never_passes_with_one(tmp_path: Path) -> None:
    result, summary = _summary(tmp_path, [r for r in ROWS if r["outcome"] != "fail"])
    assert {g["reason"]: g["seeds"] for g in summary["inconclusive"]} == {
        "steady_state:not_observed": [5], "invariant:recovery": [6]}
    assert summary["failures"] == [] and summary["verdict"] == "inconclusive" and result.exit_code == 3
    report = render_report(result)
    assert "- verdict: **INCONCLUSIVE**: no seed failed, but 2 seed(s) could not be judged" in report
    assert "PASS" not in report and "every one of" not in report
    assert "### steady_state:not_observed: 1 seed(s)" in report and "### invariant:recovery: 1 seed(s)" in report


def test_only_a_swarm_whose_every_seed_ran_and_passed_passes(tmp_path: Path) -> None:
    result, summary = _summary(tmp_path, [ROWS[-1]])
    assert summary["verdict"] == "pass" and result.exit_code == 0
    assert "- verdict: **PASS**: every one of the 1 seed(s) passed" in render_report(result)
    interrupted = SwarmResult(tmp_path, [ROWS[-1]], {}, wall_s=1.0, workers=1, interrupted=True)
    assert summarize(SwarmSpec("1-2", 1.0), interrupted)["verdict"] == "inconclusive"


def test_a_seed_failing_two_ways_is_in_both_groups_and_a_line_without_slopes_is_read_from_its_verdict() -> None:
    assert failure_signatures({"outcome": "fail", "violated": ["recovery"],
                               "failures": ["invariants violated: recovery",
                                            "steady state did not return after the last fault: still failed"],
                               "leaks": {"sut_buffers": {"verdict": "leak"}}}) == [
        "invariant:recovery", "leak:sut_buffers", "steady_state:not_back"]
    # a line written before the slopes were kept: the verdict's own clause names the metrics
    assert failure_signatures({"outcome": "fail", "violated": [],
                               "reasons": ["leak suspected: sut_buffers, sut_live_allocations"]}) == [
        "leak:sut_buffers", "leak:sut_live_allocations"]
    assert failure_signatures({"outcome": "inconclusive", "violated": []}) == []
    assert inconclusive_reasons({"outcome": "inconclusive", "inconclusive": [], "doubts": [
        "1 device loss(es) with nothing to explain them (no device fault injected at the time, no server "
        "outage observed): 'sim-in' lost at t=3.000 s"]}) == ["device_loss"]


def test_a_crash_in_the_systems_code_is_the_systems() -> None:
    row = run_seed(2, 20.0, "swarm", "crashes_on_third_recovery")
    assert row["outcome"] == "fail"
    assert row["crash"]["by"] == "system" and row["crash"]["type"] == "RecoveryCrash"
    assert row["crash"]["where"].startswith("mutants.py:")
    assert failure_signatures(row) == ["system_crash:RecoveryCrash"]


def test_a_crash_in_the_harness_during_the_run_is_the_harnesss(monkeypatch: pytest.MonkeyPatch) -> None:
    import harness.runner

    def broken(*_a: object, **_k: object) -> object:
        return {}["no such key"]  # a harness bug: the live resource check reads a key that is not there

    monkeypatch.setattr(harness.runner, "check_resources", broken)
    row = run_seed(2, 2.0, "swarm")
    assert row["outcome"] == "fail"
    assert row["crash"]["by"] == "harness" and row["crash"]["where"].startswith("runner.py:")
    assert failure_signatures(row) == ["harness_crash:KeyError"]


def test_a_crash_of_the_harness_outside_the_run_is_a_line_naming_it_not_a_seed_left_unrun(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The seed's judgement (the report's leak rule) raising: the task failed, and the swarm
    counted the seed as one the cluster could not run, naming nobody."""
    import harness.runner

    def broken(_result: object) -> dict:
        raise ValueError("the report builder could not read a sample")

    monkeypatch.setattr(harness.runner, "judge_as_its_report", broken)
    row = run_seed(2, 2.0, "swarm")
    assert row["outcome"] == "fail" and row["crash"]["by"] == "harness"
    assert failure_signatures(row) == ["harness_crash:ValueError"]
    assert row["reasons"][0].startswith("the harness crashed outside the run: ValueError: the report builder")


def test_the_console_names_each_group_and_the_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from harness.commands.swarm import _print_groups

    _, summary = _summary(tmp_path, ROWS)
    _print_groups(summary)
    out = capsys.readouterr().out
    assert "  FAIL leak: sut_buffers: 1 seed(s), first 2\n" in out
    assert "  FAIL the system crashed: RecoveryCrash: 1 seed(s), first 3\n" in out
    assert "  INCONCLUSIVE invariant:recovery: 1 seed(s), first 6\n" in out
    assert out.endswith("  verdict: FAIL\n")
    kinds = sorted((g["kind"], g["name"]) for g in json.loads(json.dumps(summary))["failures"])
    assert kinds == [("harness_crash", "KeyError"), ("invariant", "resources"), ("leak", "sut_buffers"),
                     ("system_crash", "RecoveryCrash")]


def test_a_seed_past_its_wall_bound_is_stopped_and_inconclusive_as_a_timeout() -> None:
    """The bound is read from the ``wall`` clock given: here one that moves 10 s per reading, so
    the seed is past its 15 s bound at its second chunk whatever the machine's load."""
    ticks = iter(range(0, 10_000, 10))
    row = run_seed(2, 20.0, "swarm", timeout_s=15.0, wall=lambda: float(next(ticks)))
    assert row["timeout"]["after_s"] == 15.0 and row["timeout"]["at_simulated_s"] < 20.0
    assert row["outcome"] == "inconclusive"
    assert inconclusive_reasons(row) == ["timeout"]
    assert row["simulated_s"] < 20.0
