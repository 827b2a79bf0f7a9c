"""The ``outages`` profile's starved inputs: as many as its outages, in the run's first half (a
soak's: all along it), from their own seeded stream, each longer than the watchdog's bound.

No built-in profile starved an input, so a plain run never asked whether a starved input is
noticed: batch 56's ``starved_last_device_wins`` and ``feed_input_keeps_starving`` passed every
plain run. They are planted here as the simulated device's starvation never applied and never
lifted. 60 s simulated runs on the virtual clock at fixed seeds: deterministic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness import ReliabilityRun, RunSpec
from harness.faults import PROFILES
from harness.runner import judge_as_its_report
from system_under_test.devices.simulated import SimulatedBackend


def _starved(schedule: Any) -> list[Any]:
    return [f for f in schedule.faults if f.fault_id.startswith("input_starved#starve")]


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_an_outages_run_starves_its_input_twice_in_its_first_half(seed: int) -> None:
    profile = PROFILES["outages"]
    starved = _starved(profile.schedule(60.0, seed))
    assert len(starved) == 2
    for k, f in enumerate(starved):
        lo, hi = profile.starvation_s
        assert lo <= f.duration_s <= hi
        # the k-th of two slices of the first half (from 0.5 s), whole
        assert 0.5 + k * 14.75 <= f.trigger.time and f.trigger.time + f.duration_s <= 0.5 + (k + 1) * 14.75
    assert not _starved(PROFILES["default"].schedule(60.0, seed))
    assert not [f for f in PROFILES["default"].schedule(60.0, seed).faults if f.kind == "input_starved"]
    soak = _starved(profile.schedule(3600.0, seed, soak=True))
    assert len(soak) == 12 and soak[-1].trigger.time > 1800.0  # all along a soak


def _run(tmp_path: Path, seed: int) -> Any:
    spec = RunSpec(duration_s=60.0, seed=seed, faults="outages", report_root=tmp_path, label="st")
    result = ReliabilityRun(spec).execute(reports=False)
    judge_as_its_report(result)  # as ``soundcheck run`` judges it
    return result


@pytest.mark.parametrize("seed", [1, 2])
def test_the_shipped_system_notices_each_starved_input(tmp_path: Path, seed: int) -> None:
    result = _run(tmp_path, seed)
    assert result.verdict.outcome.value == "pass", result.verdict.reasons
    (v,) = [v for v in result.verdicts if v.name == "starved_input"]
    assert v.ok and "nothing to judge" not in v.message, v


@pytest.mark.parametrize("seed", [1, 2])
def test_a_starvation_never_applied_fails_the_run_on_starved_input(tmp_path: Path, seed: int,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SimulatedBackend, "starve_input", lambda self, name: None)
    result = _run(tmp_path, seed)
    assert result.verdict.violated == ["starved_input"], result.verdict.reasons


@pytest.mark.parametrize("seed", [1, 2])
def test_a_starvation_never_lifted_leaves_the_run_unable_to_call_it_healthy(tmp_path: Path, seed: int,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The system notices the starvation each time (no invariant breaks: it does what it must
    with a device that brings no input), so the run cannot call it steady after its faults:
    inconclusive (exit 3), never a pass."""
    monkeypatch.setattr(SimulatedBackend, "feed_input", lambda self, name: None)
    result = _run(tmp_path, seed)
    assert result.verdict.outcome.value == "inconclusive", result.verdict.reasons
    assert any("steady state after the last fault" in r for r in result.verdict.reasons)
