"""Every failure group of a swarm is shrunk keeping that same way of failing: a leak by the report's
leak rule and within its bounds (never a run shorter than its shortest window), a crash by whose
code raised; and the shrunk leak becomes a scenario whose ``no_leak`` expectation fails on the
leaking system and holds on the healthy one. On a real Dask LocalCluster, the planted leak and
crash mutants are found in groups of their own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main
from harness.faults import At, DeviceDropout
from harness.verdict import judge_run


def _fake_runs(monkeypatch: pytest.MonkeyPatch, leaks_of: Any, tried: list[tuple[int, float]]) -> None:
    """``build_run`` stood in for: each candidate's "run" holds every invariant, and the report's
    leak rule (``judge_as_its_report``) says ``leaks_of(faults, duration)``; its verdict is the
    report's (a leak fails it, as ``adopt_report_verdict`` makes it)."""
    import harness.runner
    import harness.swarm

    class _Run:
        def __init__(self, schedule: Any, duration: float) -> None:
            self.schedule, self.duration = schedule, duration

        def execute(self, *, reports: bool) -> Any:
            tried.append((len(self.schedule.faults), self.duration))
            leaks = leaks_of(self.schedule.faults, self.duration)
            found = [m for m, d in leaks.items() if d["verdict"] == "leak"]
            check = {"name": "resources", "ok": True, "inconclusive": False, "message": "held", "evidence": []}
            return type("Result", (), {"verdict": judge_run([check], leaks=found), "summary": {},
                                       "leaks": leaks})()

    monkeypatch.setattr(harness.swarm, "build_run",
                        lambda seed, duration, *a, schedule=None, **k: _Run(schedule, duration))
    monkeypatch.setattr(harness.runner, "judge_as_its_report", lambda result: result.leaks)


def _dropouts(n: int) -> list[DeviceDropout]:
    return [DeviceDropout(trigger=At(5.0 + 5.0 * i), duration_s=0.5) for i in range(n)]


def test_a_leak_is_shrunk_keeping_the_same_metric_leaking_and_never_below_the_rules_shortest_window(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.leaks import MIN_LEAK_WINDOW_S
    from harness.shrink import Shrinker

    faults = _dropouts(8)

    def leaks_of(candidate: list[Any], duration: float) -> dict[str, dict[str, Any]]:
        # the buffers leak when the faults at 15, 30 and 35 s are there (the shrinker copies the
        # faults it runs: their times tell them apart) and the run is long enough to judge; the
        # streams "leak" with the first fault alone: another way of failing, not to be taken for it
        times = {f.trigger.time for f in candidate}
        buffers = {15.0, 30.0, 35.0} <= times and duration >= MIN_LEAK_WINDOW_S
        streams = times == {5.0}
        return {"sut_buffers": {"verdict": "leak" if buffers else "ok"},
                "sut_streams": {"verdict": "leak" if streams else "ok"}}

    tried: list[tuple[int, float]] = []
    _fake_runs(monkeypatch, leaks_of, tried)
    shrinker = Shrinker(1, "leak:sut_buffers", max_runs=200)
    try:
        from harness.faults import Schedule

        result = shrinker.shrink(Schedule(list(faults), seed=1, duration_s=240.0), 240.0)
    finally:
        shrinker.close()
    assert result.reproduced and sorted(f.trigger.time for f in result.after.faults) == [15.0, 30.0, 35.0]
    assert result.signatures_after == ["leak:sut_buffers"]
    assert result.duration_after == MIN_LEAK_WINDOW_S  # halved from 240 s, to the rule's floor
    assert min(d for _, d in tried) >= MIN_LEAK_WINDOW_S  # a shorter run cannot show a leak: never tried
    assert result.to_dict()["signature"] == "leak:sut_buffers"


def test_a_crash_is_shrunk_keeping_whose_code_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    """A candidate whose run crashed in the harness's code does not reproduce a crash of the system's."""
    import harness.swarm
    from harness.faults import Schedule
    from harness.shrink import Shrinker

    def result_of(candidate: list[Any]) -> Any:
        times = {f.trigger.time for f in candidate}
        by = "system" if {15.0, 25.0} <= times else "harness" if times else None
        checks = [{"name": "run_completed", "ok": by is None, "inconclusive": False, "message": "", "evidence": []}]
        crash = {"by": by, "type": "RecoveryCrash", "where": "x.py:1 in f"} if by else None
        return type("Result", (), {"verdict": judge_run(checks), "summary": {"crash": crash}})()

    class _Run:
        def __init__(self, schedule: Any) -> None:
            self.schedule = schedule

        def execute(self, *, reports: bool) -> Any:
            return result_of(self.schedule.faults)

    monkeypatch.setattr(harness.swarm, "build_run", lambda seed, duration, *a, schedule=None, **k: _Run(schedule))
    shrinker = Shrinker(1, "system_crash:RecoveryCrash", max_runs=200)
    try:
        result = shrinker.shrink(Schedule(_dropouts(6), seed=1, duration_s=80.0), 80.0)
    finally:
        shrinker.close()
    assert sorted(f.trigger.time for f in result.after.faults) == [15.0, 25.0]
    assert result.signatures_after == ["system_crash:RecoveryCrash"]


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_a_local_cluster_swarm_of_the_planted_leak_groups_it_by_metric_never_as_a_crash(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The planted leak (``holds_buffer_per_recovery``: a buffer more per recovery, all given back at
    close) was once one group with the crashes, and never shrunk. Its seeds are grouped by each way
    they fail: the ``resources`` invariant (judged at each recovery's end) and each leaking metric."""
    out = tmp_path / "swarm"
    # seeds whose mix restarts the stream often enough for a buffer a recovery to pass the leak
    # judge's threshold in 60 s (seed 2's: 768 buffers/h since its xruns stay xruns; 10 103/h when
    # most of them were stalls, each a restart)
    code = main(["swarm", "--seeds", "1,3", "--duration", "60s", "--workers", "2", "--mutant",
                 "holds_buffer_per_recovery", "--out", str(out), "--quiet", "--no-shrink", "--no-history"])
    assert code == 1
    rows = _rows(out / "swarm.jsonl")
    assert sorted(r["seed"] for r in rows) == [1, 3]
    assert all(r["violated"] == ["resources"] and r["crash"] is None for r in rows)
    summary = json.loads((out / "summary.json").read_text())
    assert {g["signature"]: g["seeds"] for g in summary["failures"]} == {
        "invariant:resources": [1, 3], "leak:sut_buffers": [1, 3], "leak:sut_live_allocations": [1, 3]}
    assert summary["verdict"] == "fail"
    report = (out / "report.md").read_text()
    assert "### leak: sut_buffers: 2 seed(s)" in report and "crashed" not in report
    console = capsys.readouterr().out
    assert "  FAIL leak: sut_buffers: 2 seed(s), first 1\n" in console and "  verdict: FAIL\n" in console


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_a_local_cluster_swarm_of_the_planted_crash_shrinks_the_systems_crash(tmp_path: Path) -> None:
    out = tmp_path / "swarm"
    code = main(["swarm", "--seeds", "1-3", "--duration", "20s", "--workers", "2", "--mutant",
                 "crashes_on_third_recovery", "--out", str(out), "--quiet", "--shrink-runs", "40", "--no-history"])
    assert code == 1
    summary = json.loads((out / "summary.json").read_text())
    assert [g["signature"] for g in summary["failures"]] == ["system_crash:RecoveryCrash"]
    (shrunk,) = summary["shrunk"]
    assert shrunk["signature"] == "system_crash:RecoveryCrash"
    assert "system_crash:RecoveryCrash" in shrunk["signatures_after"]
    assert shrunk["faults_after"] < shrunk["faults_before"]
    saved = json.loads(Path(shrunk["schedule"]).read_text())
    assert saved["signature"] == "system_crash:RecoveryCrash"
    assert "### the system crashed: RecoveryCrash: 3 seed(s)" in (out / "report.md").read_text()


LEAK_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "sim" / "recoveries-hold-no-more-buffers.toml"


@pytest.mark.slow
def test_a_no_leak_expectation_fails_on_the_planted_leak_and_holds_on_the_healthy_system() -> None:
    from harness.scenarios import run_scenario
    from harness.scenarios.executor import mutant_factory

    broken = run_scenario(LEAK_SCENARIO, system_factory=mutant_factory("holds_buffer_per_recovery"))
    assert broken.failed
    assert [f.expectation for f in broken.failed_expectations()] == [
        "expect[0]: no leak of sut_buffers", "expect[1]: no leak of sut_live_allocations", "invariant resources"]
    assert broken.failed_expectations()[0].message.startswith("sut_buffers: leak (grows 600 count/h")
    assert run_scenario(LEAK_SCENARIO).passed  # every buffer the healthy system takes, it gives back


def test_a_no_leak_expectation_over_a_timeline_shorter_than_the_rules_window_is_inconclusive() -> None:
    """Under 60 s of operation the leak rule calls nothing a leak: the expectation is not met and
    not failed either (inconclusive), never a pass."""
    from harness.scenarios import parse_scenario, run_scenario
    from harness.scenarios.executor import mutant_factory

    text = LEAK_SCENARIO.read_text(encoding="utf-8")
    short = parse_scenario(text.split('[[steps]]\nname = "dropout5"')[0]
                           + '[[expect]]\nno_leak = "sut_buffers"\n', "<short>")
    result = run_scenario(short, system_factory=mutant_factory("holds_buffer_per_recovery"))
    assert not result.passed and not result.failed
    assert [f.inconclusive for f in result.failures] == [True]


def test_a_no_leak_expectation_on_a_metric_the_system_has_no_books_for_is_refused(tmp_path: Path,
                                                                               capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(LEAK_SCENARIO.read_text(encoding="utf-8").replace('no_leak = "sut_buffers"', 'no_leak = "buffers"'),
                   encoding="utf-8")
    assert main(["scenario", "check", str(bad)]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert "no_leak" in captured.err + captured.out and "sut_buffers" in captured.err + captured.out


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_a_shrunk_leak_is_exported_as_a_scenario_that_fails_on_the_leaking_system_and_passes_on_the_healthy(
        tmp_path: Path) -> None:
    """The export of a leak group: the shrunk schedule's run re-run and written as a timeline with a
    ``no_leak`` expectation (its own stop and close left out: a closed system holds nothing)."""
    from harness.faults import Schedule
    from harness.scenarios import run_scenario
    from harness.scenarios.executor import mutant_factory
    from harness.shrink import Shrinker, export

    faults = [DeviceDropout(trigger=At(3.0 + 6.0 * i), duration_s=0.2) for i in range(12)]
    shrinker = Shrinker(3, "leak:sut_buffers", mutant="holds_buffer_per_recovery", max_runs=1)
    try:  # one run: the schedule as given reproduces the leak; the budget leaves it whole
        result = shrinker.shrink(Schedule(faults, seed=3, duration_s=70.0), 70.0)
    finally:
        shrinker.close()
    assert result.reproduced and "leak:sut_buffers" in result.signatures_after
    info = export(result, tmp_path)
    assert info["signature"] == "leak:sut_buffers"
    assert info["scenario_fails"] is True and info["scenario_passes_healthy"] is True
    scenario = Path(info["scenario"])
    assert 'no_leak = "sut_buffers"' in scenario.read_text(encoding="utf-8")
    assert run_scenario(scenario, system_factory=mutant_factory("holds_buffer_per_recovery")).failed
    assert main(["scenario", "run", str(scenario)]) == 0  # the healthy system passes the same timeline
    saved = json.loads(Path(info["schedule"]).read_text(encoding="utf-8"))
    assert saved["signature"] == "leak:sut_buffers" and saved["invariant"] == "leak:sut_buffers"
