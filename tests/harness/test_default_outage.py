"""A profile's device outages (``Profile.outages``, ``Schedule.with_outages``): dropouts each longer
than the default recovery policy rides out, so a 60 s run reaches a recovery that gives up. Without
them a default run reached a give-up only where an operator's ``recover()`` landed inside a short
dropout (2 seeds in 10), and the ``silent_give_up`` mutant passed the other runs. No built-in
profile has them (``Profile.outages`` says why); a profile given them is tested here."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from harness import PROFILES, ReliabilityRun, RunSpec, system_factory
from harness.faults.kinds import DeviceDropout, LateCallback
from harness.faults.schedule import Schedule
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


def _with_outages() -> object:
    return dataclasses.replace(PROFILES["default"], outages=2)


def test_a_profile_given_outages_has_one_per_30_s_of_the_run_and_no_built_in_profile_has_any() -> None:
    profile = _with_outages()
    assert len(_outages(profile.schedule(60.0, 3))) == 2
    assert len(_outages(profile.schedule(3600.0, 3))) == 2
    assert len(_outages(profile.schedule(45.0, 3))) == 1
    assert _outages(profile.schedule(20.0, 3)) == []  # a short run keeps its device
    for name in PROFILES:
        assert _outages(PROFILES[name].schedule(60.0, 3)) == []


@pytest.mark.parametrize("seed", [2, 3, 9])
def test_a_run_with_outages_reaches_a_give_up(seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seeds whose default run reaches no give-up (the mutant passes them): with the outages the
    shipped system gives up and announces it (passing), the mutant's silent give-up fails the run."""
    monkeypatch.setitem(PROFILES, "default", _with_outages())
    for mutant in (None, "silent_give_up"):
        spec = RunSpec(duration_s=60, seed=seed, faults="default", report_root=tmp_path, label="outage")
        run = ReliabilityRun(spec, **({"system_factory": system_factory(mutant)} if mutant else {}))
        result = run.execute(reports=False)
        v = result.verdict
        if mutant is None:
            assert v.outcome.value == "pass", v.reasons
            assert any(e.value == "recovery_failed" for e in result.history.events())
        else:
            assert "give_ups_announced" in v.violated, v.reasons
