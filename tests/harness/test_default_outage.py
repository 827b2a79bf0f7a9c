"""A profile's device outages (``Profile.outages``, ``Schedule.with_outages``): dropouts each longer
than the default recovery policy rides out, so a 60 s run reaches a recovery that gives up. Without
them a default run reached a give-up only where an operator's ``recover()`` landed inside a short
dropout (2 seeds in 10), and the ``silent_give_up`` mutant passed the other runs. The built-in
``outages`` profile has them, ``default`` not (``Profile.outages`` says why): a user who asks
whether the system's give-ups are announced picks ``--faults outages``."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from bench_scripts import load_bench_script

from harness import PROFILES, ReliabilityRun, RunSpec, system_factory
from harness.cli import main
from harness.faults.kinds import ConcurrentTransitions, DeviceDropout, LateCallback, LifecycleCalls
from harness.faults.schedule import OUTAGE_CLEAR_KINDS, OUTAGE_RECOVERY_TAIL_S, Schedule
from harness.faults.triggers import At


def _outages(schedule: Schedule) -> list[DeviceDropout]:
    return [f for f in schedule.faults if str(f.fault_id or "").startswith("dropout#outage")]


def test_outages_are_added_in_their_slices_and_overlapping_dropouts_left_out() -> None:
    short = [DeviceDropout(trigger=At(float(t)), duration_s=0.5) for t in range(1, 60, 2)]
    other = LateCallback(trigger=At(10.0))
    base = Schedule([*short, other], seed=7, duration_s=60.0)
    out = base.with_outages(2, (4.0, 6.0))
    outages = _outages(out)
    assert len(outages) == 2
    slice_s = (0.75 * 60.0 - 30.0) / 2
    for k, o in enumerate(outages):  # each starts and ends in its slice of the third quarter
        assert 4.0 <= o.duration_s <= 6.0
        assert 30.0 + k * slice_s <= o.trigger.time <= o.trigger.time + o.duration_s <= 30.0 + (k + 1) * slice_s
    for f in out.faults:
        if f.kind == "dropout" and f not in outages:
            for o in outages:  # no other dropout of the device ends an outage early
                assert f.trigger.time > o.trigger.time + o.duration_s or \
                    f.trigger.time + f.duration_s < o.trigger.time
    assert other in out.faults
    assert [f.to_dict() for f in base.with_outages(2, (4.0, 6.0)).faults] == [f.to_dict() for f in out.faults]
    assert base.with_outages(0, (4.0, 6.0)) is base


def test_operator_calls_are_kept_off_each_outage_and_its_recovery() -> None:
    """A ``stop()`` inside an outage ends its recovery before it gives up, and the ``start()``
    after it fails with the device away: FAILED, but no give-up to announce (seed 4 of a 60 s run
    did so with both its outages). Calls from an outage's start to a backoff after its end are left
    out; calls before it, and after that, are kept, and so is every other kind."""
    base = Schedule([LateCallback(trigger=At(1.0))], seed=7, duration_s=60.0)
    (o1, o2) = _outages(base.with_outages(2, (4.0, 6.0)))
    spans = [(o.trigger.time, o.trigger.time + o.duration_s) for o in (o1, o2)]
    times = sorted({t for a, b in spans for t in (a - 0.01, a, (a + b) / 2, b, b + OUTAGE_RECOVERY_TAIL_S,
                                                  b + OUTAGE_RECOVERY_TAIL_S + 0.01)})
    calls = [LifecycleCalls(trigger=At(t), count=3) for t in times]
    storms = [ConcurrentTransitions(trigger=At(t)) for t in times]
    others = [LateCallback(trigger=At(t)) for t in times]
    out = Schedule([*calls, *storms, *others], seed=7, duration_s=60.0).with_outages(2, (4.0, 6.0))
    assert [f.to_dict() for f in _outages(out)] == [o1.to_dict(), o2.to_dict()]  # the outages' draws stay

    def inside(t: float) -> bool:
        return any(a <= t <= b + OUTAGE_RECOVERY_TAIL_S for a, b in spans)

    for kind in OUTAGE_CLEAR_KINDS:
        kept = [f.trigger.time for f in out.faults if f.kind == kind]
        assert kept == [t for t in times if not inside(t)], kind
        assert len(kept) < len(times)
    assert [f.trigger.time for f in out.faults if f.kind == "xrun"] == times
    assert OUTAGE_CLEAR_KINDS == {"lifecycle_calls", "concurrent_transitions"}


def _with_outages() -> object:
    return dataclasses.replace(PROFILES["default"], outages=2)


def test_a_profile_given_outages_has_one_per_30_s_of_the_run_and_only_the_outages_profile_has_any() -> None:
    profile = _with_outages()
    assert len(_outages(profile.schedule(60.0, 3))) == 2
    assert len(_outages(profile.schedule(3600.0, 3))) == 2
    assert len(_outages(profile.schedule(45.0, 3))) == 1
    assert _outages(profile.schedule(20.0, 3)) == []  # a short run keeps its device
    for name in PROFILES:
        assert (_outages(PROFILES[name].schedule(60.0, 3)) != []) is (name == "outages"), name


@pytest.mark.parametrize("seed", [1, 4, 7])
def test_the_outages_profile_is_the_default_schedule_with_its_outages(seed: int) -> None:
    """The same seed draws default's faults, so ``--faults outages`` adds the outages to the run
    a plain ``soundcheck run`` makes, and takes away only the default faults they overlap."""
    assert PROFILES["outages"].probabilities == PROFILES["default"].probabilities
    assert PROFILES["outages"].params == PROFILES["default"].params
    with_outages = PROFILES["outages"].schedule(60.0, seed)
    expected = dataclasses.replace(PROFILES["default"], name="outages", outages=2,
                                   starvations=True).schedule(60.0, seed)
    assert [f.to_dict() for f in with_outages.faults] == [f.to_dict() for f in expected.faults]
    assert len(_outages(with_outages)) == 2


@pytest.mark.parametrize("seed", [2, 3, 4, 9])
def test_a_run_with_outages_reaches_a_give_up(seed: int, tmp_path: Path) -> None:
    """Seeds whose default run reaches no give-up (the mutant passes them): under the outages
    profile the shipped system gives up and announces it (passing), the mutant's silent give-up
    fails the run. At seed 4 an operator's ``stop()`` fell inside each outage's recovery until
    the calls were kept off the outages."""
    for mutant in (None, "silent_give_up"):
        spec = RunSpec(duration_s=60, seed=seed, faults="outages", report_root=tmp_path, label="outage")
        run = ReliabilityRun(spec, **({"system_factory": system_factory(mutant)} if mutant else {}))
        result = run.execute(reports=False)
        v = result.verdict
        if mutant is None:
            assert v.outcome.value == "pass", v.reasons
            assert any(e.value == "recovery_failed" for e in result.history.events())
        else:
            assert "give_ups_announced" in v.violated, v.reasons


def test_a_run_of_the_mutant_under_a_profile_without_outages_names_the_one_that_shows_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["run", "--report-dir", str(tmp_path), "--mutant", "silent_give_up", "--duration", "5"]
    main([*args, "--faults", "default"])
    assert ("note: profile 'default' shows mutant silent_give_up only by chance: --faults outages shows it "
            "in every run of 30 s and more") in capsys.readouterr().out
    main([*args, "--faults", "outages"])
    assert "only by chance" not in capsys.readouterr().out


@pytest.mark.parametrize("argv, option", [(["--profiles", "default,nasty"], "--profiles"),
                                          (["--mutants", "--mutant-profiles", "outage"], "--mutant-profiles")])
def test_the_false_alarm_bench_refuses_an_unknown_profile_by_its_option(
        argv: list[str], option: str, capsys: pytest.CaptureFixture[str]) -> None:
    bench = load_bench_script("bench_false_alarms.py", "bench_false_alarms_outage_test")
    with pytest.raises(SystemExit) as exc:
        bench.main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"{option}: unknown profile(s)" in err and "outages" in err and "Traceback" not in err
