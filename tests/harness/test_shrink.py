"""The shrinker: ddmin, a mutant's failing swarm seed cut down, exported, and re-checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness import run_scenario
from harness.scenarios.executor import mutant_factory
from harness.shrink import ddmin, export, shrink_seed
from harness.swarm import seed_schedule


def test_ddmin_finds_the_two_items_that_matter() -> None:
    calls: list[list[int]] = []

    def fails(items: list[int]) -> bool:
        calls.append(items)
        return {3, 7} <= set(items)

    assert ddmin(list(range(10)), fails) == [3, 7]
    assert ddmin(list(range(10)), lambda items: True) == []  # a failure that needs nothing


def test_ddmin_cuts_a_failure_that_needs_one_item_down_to_that_item() -> None:
    """1-minimal: no item of the result can go. A failure one fault makes is shrunk to that fault,
    from two items as from ten."""
    assert ddmin([1, 2], lambda items: 2 in items) == [2]
    assert ddmin(list(range(10)), lambda items: 4 in items) == [4]


@pytest.mark.parametrize("status, reproduces", [("violated", True), ("inconclusive", False), ("held", False)])
def test_a_candidate_reproduces_the_failure_only_when_its_run_violates_the_invariant(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, status: str, reproduces: bool) -> None:
    """The shrinker keeps a smaller schedule only while it still fails: a run that could not judge
    the invariant (inconclusive) found nothing, so the failure is not reproduced by it."""
    from harness.shrink import Shrinker
    from harness.verdict import judge_run

    check = {"name": "clean_audio", "ok": status != "violated", "inconclusive": status == "inconclusive",
             "message": status, "evidence": []}

    class _Run:
        def execute(self, *, reports: bool) -> object:
            return type("Result", (), {"verdict": judge_run([check])})()

    monkeypatch.setattr("harness.swarm.build_run", lambda *a, **k: _Run())
    assert Shrinker(1, "clean_audio", workdir=tmp_path).fails([], 1.0) is reproduces


@pytest.mark.slow
def test_a_mutants_failing_seed_shrinks_to_a_scenario_that_fails_only_under_it(tmp_path: Path) -> None:
    # swarm seed 3 under leak_on_error violates `resources` in a 3 s run
    before = seed_schedule("swarm", 3, 3.0)
    result = shrink_seed(3, 3.0, "resources", mutant="leak_on_error", max_runs=60)
    assert result.reproduced and not result.exhausted
    assert len(before) > 1 and 1 <= len(result.after) < len(before)
    assert "resources" in result.violated_after
    assert result.duration_after < 3.0
    # deterministic: the same shrink gives the same schedule
    again = shrink_seed(3, 3.0, "resources", mutant="leak_on_error", max_runs=60)
    assert again.to_dict() == result.to_dict()
    info = export(result, tmp_path)
    scenario = Path(info["scenario"])
    failed = run_scenario(scenario, system_factory=mutant_factory("leak_on_error"))
    assert any(f.invariant == "resources" for f in failed.failures)
    assert run_scenario(scenario).passed  # the healthy system passes the same timeline
    # `soundcheck scenario run` on the healthy system: exit 0
    saved = json.loads(Path(info["schedule"]).read_text())
    assert saved["shrink"]["faults_after"] == len(result.after)
    assert main(["scenario", "run", str(scenario)]) == 0


@pytest.mark.slow
def test_scenario_shrink_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = shrink_seed(3, 3.0, "resources", mutant="leak_on_error", max_runs=5)  # a partial shrink
    path = tmp_path / "seed3.schedule.json"
    path.write_text(json.dumps(result.to_dict()), encoding="utf-8")
    assert main(["scenario", "shrink", str(path), "--max-runs", "40", "-o", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "shrunk seed 3 (resources)" in out
    assert list((tmp_path / "out").glob("repro-*.toml"))
    # a scenario file: ddmin over its steps, still failing the same expectations
    scenario = Path(__file__).parents[2] / "scenarios" / "sim" / "dropout-falls-back.toml"
    target = tmp_path / "small.toml"
    assert main(["scenario", "shrink", str(scenario), "--mutant", "leak_on_error", "-o", str(target)]) == 0
    assert "still failing" in capsys.readouterr().out
    assert run_scenario(target, system_factory=mutant_factory("leak_on_error")).failures
    # bad input: exit 2 with the file named
    bad = tmp_path / "bad.schedule.json"
    bad.write_text("{}", encoding="utf-8")
    assert main(["scenario", "shrink", str(bad)]) == 2
    assert f"{bad}: not a saved schedule" in capsys.readouterr().err
    assert main(["scenario", "shrink", str(scenario)]) == 2  # passes on the healthy system
    assert "only a failing scenario can be shrunk" in capsys.readouterr().err


@pytest.mark.slow
def test_an_injected_invalid_config_is_exported_as_a_step(tmp_path: Path) -> None:
    # swarm seed 5 under half_reconfigure shrinks to one invalid_config fault (a missing device);
    # the exporter carries that configuration (a configure of the process "fault") into the
    # scenario as an invalid_config step, judged invalid on the simulated device as the loader does
    result = shrink_seed(5, 5.0, "rejected_config", mutant="half_reconfigure", max_runs=60)
    assert [f.kind for f in result.after.faults] == ["invalid_config"]
    info = export(result, tmp_path)
    text = Path(info["scenario"]).read_text()
    assert 'fault = "invalid_config"' in text
    assert info["scenario_fails"] is True and info["scenario_passes_healthy"] is True


@pytest.mark.slow
def test_coordinator_contention_is_exported_as_a_step(tmp_path: Path) -> None:
    # coordinator_no_lock fails only under coordinator_contention: the scenario must carry it
    result = shrink_seed(1, 5.0, "legal_transitions", mutant="coordinator_no_lock", max_runs=60)
    assert [f.kind for f in result.after.faults] == ["coordinator_contention"]
    info = export(result, tmp_path)
    assert 'fault = "coordinator_contention"' in Path(info["scenario"]).read_text()
    assert info["scenario_fails"] is True and info["scenario_passes_healthy"] is True


def test_a_shrunk_run_never_ends_before_its_last_fault_does() -> None:
    """The run is halved while it still fails, never below the end of its last fault (its time
    plus its duration) and a margin: a run cut at a fault's start would end with the fault."""
    from harness.faults import At, DeviceStall
    from harness.shrink import Shrinker

    shrinker = Shrinker(1, "recovery", max_runs=1)
    tried: list[float] = []

    def fails(faults: object, duration_s: float) -> bool:
        tried.append(duration_s)
        return True  # the failure never goes away: the run shrinks to its floor

    shrinker.fails = fails  # type: ignore[method-assign]
    try:
        faults = [DeviceStall(trigger=At(0.5), duration_s=0.25), DeviceStall(trigger=At(1.0), duration_s=2.0)]
        assert shrinker._shorten_run(faults, 10.0) == 3.05  # 1.0 + 2.0 + 0.05
        assert tried == [5.0, 3.05]
        assert shrinker._shorten_run([], 10.0) == 0.5  # no fault: the shortest run a shrink tries
    finally:
        shrinker.close()


@pytest.mark.parametrize("count, needed, shrunk", [(2, 1, 1), (8, 1, 1), (8, 3, 4), (1, 1, 1)])
def test_a_faults_count_is_cut_to_the_fewest_firings_that_still_fail(count: int, needed: int, shrunk: int) -> None:
    """The second pass halves a fault's ``count`` while the run still fails: a failure one raising
    callback makes is shrunk to one, not left at two; one that needs three of eight stops at
    the smallest halving that still has three (4)."""
    from harness.faults import At, CallbackRaises
    from harness.shrink import Shrinker

    shrinker = Shrinker(1, "callback_errors", max_runs=50)
    shrinker.fails = lambda faults, duration_s: faults[0].count >= needed  # type: ignore[method-assign]
    try:
        (f,) = shrinker._shorten_faults([CallbackRaises(trigger=At(1.0), count=count)], 10.0)
        assert f.count == shrunk
    finally:
        shrinker.close()


XRUNS = Path(__file__).resolve().parents[2] / "scenarios" / "sim" / "xrun-is-counted-not-fatal.toml"


def _load(path: Path) -> object:
    import harness.scenarios as scenarios

    return scenarios.load_scenario(path)


def _steps(scenario: object) -> list[dict]:
    return [s.model_dump(mode="json", exclude_defaults=True, exclude_none=True)
            for s in scenario.steps]  # type: ignore[attr-defined]


def _judged_by(monkeypatch, unmet) -> None:
    """``run_scenario`` stood in for by one whose result's unmet expectations are
    ``unmet(steps)``: (expectation, inconclusive) pairs of the candidate's steps, each a
    ``Failure`` of a real ``ScenarioResult`` (so its verdict is judged as a run's)."""
    import harness.scenarios as scenarios
    from harness.history import History
    from harness.scenarios.executor import Failure, ScenarioResult

    def run_scenario(scenario: object, **_: object) -> ScenarioResult:
        failures = [Failure(e, "unsure" if unsure else "failed", inconclusive=unsure)
                    for e, unsure in unmet(_steps(scenario))]
        return ScenarioResult(scenario, None, failures, History(), 0.0, 0.0)  # type: ignore[arg-type]

    monkeypatch.setattr(scenarios, "run_scenario", run_scenario)


def test_a_shrunk_scenario_keeps_every_failure_it_had(monkeypatch) -> None:
    """ddmin over a scenario's steps keeps a candidate only when every expectation the whole
    scenario failed still fails: two failures, each from its own step, keep both steps."""
    from harness.shrink import shrink_scenario_steps

    start, first, second = _steps(_load(XRUNS))
    _judged_by(monkeypatch, lambda steps: [(e, False) for e, step in (("first xrun", first), ("second xrun", second))
                                           if step in steps])
    doc, kept, runs = shrink_scenario_steps(XRUNS)
    assert kept == ["first xrun", "second xrun"]
    assert doc["steps"] == [first, second] and start not in doc["steps"]
    assert 1 <= runs <= 150


def test_a_candidate_whose_kept_failure_is_only_inconclusive_does_not_reproduce_it(monkeypatch) -> None:
    """Without its step the second failure's expectation cannot be judged (inconclusive): such a
    candidate is not failing (verdict inconclusive, or FAIL by the first alone with the second
    unjudged), so ddmin keeps the step; counted as failing, it would have shrunk to ``[first]``, a
    scenario that proves nothing of the second."""
    from harness.shrink import shrink_scenario_steps

    start, first, second = _steps(_load(XRUNS))
    tried: list[list[dict]] = []

    def unmet(steps: list[dict]) -> list[tuple[str, bool]]:
        tried.append(steps)
        return [("first xrun", False)] * (first in steps) + [("second xrun", second not in steps)]

    _judged_by(monkeypatch, unmet)
    doc, kept, _ = shrink_scenario_steps(XRUNS)
    assert kept == ["first xrun", "second xrun"]
    assert doc["steps"] == [first, second]
    assert [first] in tried  # tried, and refused


def test_a_scenario_whose_only_unmet_expectation_is_inconclusive_cannot_be_shrunk(monkeypatch) -> None:
    from harness.errors import UsageError
    from harness.shrink import shrink_scenario_steps

    _judged_by(monkeypatch, lambda steps: [("second xrun", True)])
    with pytest.raises(UsageError) as info:
        shrink_scenario_steps(XRUNS)
    assert str(info.value) == (f"{XRUNS}: the scenario is inconclusive (expectation 'second xrun' could not be "
                               "judged: unsure); only a failing scenario can be shrunk (try --mutant NAME)")


def test_a_scenario_inconclusive_by_the_loss_rule_says_so_when_it_cannot_be_shrunk(monkeypatch, tmp_path) -> None:
    """Every expectation held, but the device was lost with no fault step to explain it: the
    shrinker's refusal gives the loss rule's doubt (which device, when), not "an expectation
    could not be judged", which no expectation was."""
    import harness.scenarios.executor as executor
    from harness.errors import UsageError
    from harness.scenarios.loader import parse_scenario
    from harness.shrink import shrink_scenario_steps
    from lossy_system import LosesItsDevice, runs_a_while

    text = runs_a_while()
    path = tmp_path / "lossy.toml"
    path.write_text(text)
    base = run_scenario(parse_scenario(text), system_factory=LosesItsDevice)
    doubt = base.loss_doubt()
    assert doubt is not None and "device 'sim-in' lost at t=" in doubt and not base.failures, base.report()
    monkeypatch.setattr(executor, "mutant_factory", lambda name: LosesItsDevice)
    with pytest.raises(UsageError) as info:
        shrink_scenario_steps(path, mutant="loses-its-device")
    assert str(info.value) == (f"{path}: the scenario is inconclusive ({doubt}) under mutant loses-its-device; "
                               "only a failing scenario can be shrunk (try --mutant NAME)")


def test_an_exported_timeline_is_minimised_only_while_its_invariant_really_fails(monkeypatch) -> None:
    """The exporter's check (``scenarios.export._fails_with``): a result where the invariant's
    expectation could not be judged does not reproduce its failure; a judged failure does."""
    import harness.scenarios.executor as executor
    from harness.history import History
    from harness.scenarios.export import _fails_with
    from harness.scenarios.executor import Failure, ScenarioResult

    doc = _load(XRUNS).model_dump(mode="json", exclude_defaults=True, exclude_none=True)
    unsure = [False]

    def run_scenario(scenario: object, **_: object) -> ScenarioResult:
        failure = Failure("invariant no_leaks", "x", step="s", invariant="no_leaks", inconclusive=unsure[0])
        return ScenarioResult(scenario, None, [failure], History(), 0.0, 0.0)  # type: ignore[arg-type]

    monkeypatch.setattr(executor, "run_scenario", run_scenario)
    assert _fails_with(doc, "no_leaks", None) == (True, "s")
    unsure[0] = True
    assert _fails_with(doc, "no_leaks", None) == (False, None)


def test_a_saved_schedule_whose_seed_is_now_inconclusive_says_so_not_that_it_passes(tmp_path: Path, capsys) -> None:
    """A saved schedule whose re-run is inconclusive (here: the profile asks for faults, the
    schedule has none) does not reproduce its failure, and the command says the verdict it got and
    why, exit 3, not "does not violate" alone as after a pass."""
    path = tmp_path / "seed4.schedule.json"
    path.write_text(json.dumps({"soundcheck": "soundcheck-schedule", "seed": 4, "invariant": "resources",
                                "duration_s": 3.0, "faults": "gentle",
                                "schedule": {"faults": [], "name": "custom", "seed": 4, "duration_s": 3.0}}))
    assert main(["scenario", "shrink", str(path), "-o", str(tmp_path / "out")]) == 3
    assert capsys.readouterr().out == (
        f"{path}: seed 4 is INCONCLUSIVE with this schedule (the fault profile asked for faults but none was "
        "injected: nothing was tested under faults): it does not violate resources, nothing to shrink\n")


@pytest.mark.parametrize("target, violated, reproduces", [
    ("clean_audio", ["clean_audio"], True),
    ("clean_audio", ["clean_audio", "resources"], True),
    ("clean_audio", ["resources"], False),
    ("invariant:recovery", ["linearizable"], False),
    ("invariant:recovery", ["recovery"], True),
    ("leak:sut_buffers", ["resources"], False),
])
def test_a_candidate_that_fails_another_way_does_not_reproduce_the_failure(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, violated: list[str],
        reproduces: bool) -> None:
    """A shrink keeps the failure it was asked for: a candidate whose run violates some other
    invariant fails, but not that way, so it is not kept (else the shrunk schedule shows a
    different failure from the group it was filed under)."""
    from harness.shrink import Shrinker
    from harness.verdict import judge_run

    checks = [{"name": name, "ok": False, "inconclusive": False, "message": "violated", "evidence": []}
              for name in violated]

    class _Run:
        def execute(self, *, reports: bool) -> object:
            return type("Result", (), {"verdict": judge_run(checks)})()

    monkeypatch.setattr("harness.swarm.build_run", lambda *a, **k: _Run())
    monkeypatch.setattr("harness.runner.judge_as_its_report", lambda result: {})
    assert Shrinker(1, target, workdir=tmp_path).fails([], 1.0) is reproduces
