"""A random schedule places every fault inside the run, so a kind reads "never fired" only when it
had a chance to fire.

``Schedule.random`` places a fault drawn at a check somewhere before the next check. Where the
checks do not divide the run, the last check's stretch reached past the run's end: hostile,
checked every 0.2 s, drew its last check at 59.9 s of a 60 s run and placed seed 88114's only
``coordinator_contention`` at 60.07 s, which the run, ending first, never fired; the verdict was
INCONCLUSIVE, "fault kinds the schedule drew never fired". The stretch is now cut at the run's end.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.faults.schedule import Schedule


@pytest.mark.parametrize("check_every_s, duration_s", [(0.2, 60.0), (0.3, 20.2), (0.7, 7.3), (40.0, 60.0)])
def test_no_fault_is_drawn_past_the_runs_end(check_every_s: float, duration_s: float) -> None:
    """Every check draws an xrun (probability 1), so the last check, whose stretch reaches past the
    end whenever the checks do not divide the run, always draws one: its time must still be in the
    run."""
    for seed in range(1, 21):
        schedule = Schedule.random(duration_s, seed, {"xrun": 1.0}, check_every_s=check_every_s)
        times = [f.trigger.time for f in schedule.faults]  # type: ignore[attr-defined]
        assert len(times) >= 1
        assert max(times) <= duration_s, (seed, max(times))
        assert min(times) >= 0.5


def test_hostile_seed_88114_fires_its_coordinator_contention_and_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The reproduction: a healthy 60 s hostile run at seed 88114 was INCONCLUSIVE, its one drawn
    ``coordinator_contention`` due 0.07 s after the faults were disarmed."""
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    out_dir = tmp_path / "runs"
    code = main(["run", "--backend", "sim", "--duration", "60", "--faults", "hostile", "--seed", "88114",
                 "--report-dir", str(out_dir)])
    capsys.readouterr()
    (run_dir,) = out_dir.iterdir()
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["faults"]["by_kind"]["coordinator_contention"] == 1
    assert summary["faults"]["scheduled_unfired"] == {}
    assert summary["outcome"] == "pass", summary["verdict"]["headline"]
    assert code == 0


def test_the_checks_run_from_the_start_up_to_but_not_at_the_runs_end() -> None:
    """A check at the run's end has no stretch of the run left to place its fault in: with every
    check drawing, a 20 s run checked every 0.25 s from 0.5 s draws at 0.5, 0.75, ... 19.75 s."""
    schedule = Schedule.random(20.0, 1, {"xrun": 1.0}, check_every_s=0.25)
    times = [f.trigger.time for f in schedule.faults]  # type: ignore[attr-defined]
    assert len(times) == 78
    assert max(times) < 20.0


def test_a_seed_draws_the_same_schedule_every_time_and_another_seed_another() -> None:
    def times(seed: int) -> list[float]:
        schedule = Schedule.random(20.0, seed, {"xrun": 0.5, "stall": 0.25})
        return [f.trigger.time for f in schedule.faults]  # type: ignore[attr-defined]

    assert times(7) == times(7)
    assert times(7) != times(8)


def test_each_fault_drawn_takes_its_parameters_from_the_profiles_ranges() -> None:
    schedule = Schedule.random(20.0, 3, {"xrun": 1.0}, params={"xrun": {"delay_s": [0.001, 0.002]}})
    delays = [f.delay_s for f in schedule.faults]  # type: ignore[attr-defined]
    assert len(delays) == 78
    assert all(0.001 <= d <= 0.002 for d in delays)
    assert len(set(delays)) > 1  # drawn per fault, not one value
