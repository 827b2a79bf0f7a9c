"""A soak's behaviour comes from ``RunSpec.soak``, which the soak sets; never from the label.

What a soak runs differently (its outages one per 5-minute slice of the whole soak, no
steady-state window before its faults) used to follow ``label == "soak"``: a run a user labelled
"soak" got a soak's schedule, and a soak given another label lost it. The label names the run
folder and the reports' kind, nothing else. The record of a run and a soak as the CLI makes them
is unchanged (their history hashes are in bench/RESULTS.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.runner import ReliabilityRun, RunSpec, schedule_for
from harness.soak import SoakRunner, SoakSpec

#: long enough that the outages profile's soak form differs from its run form (12 slices of 5 min)
HOUR = 3600.0


def _outage_times(spec: RunSpec) -> list[float]:
    return [f.trigger.time for f in schedule_for(spec).faults if f.fault_id.startswith("dropout#outage")]


@pytest.mark.parametrize("seed", [1, 2, 7])
def test_a_run_labelled_soak_is_an_ordinary_run(seed: int) -> None:
    run = RunSpec(duration_s=HOUR, seed=seed, faults="outages")
    labelled = RunSpec(duration_s=HOUR, seed=seed, faults="outages", label="soak")
    soak = RunSpec(duration_s=HOUR, seed=seed, faults="outages", label="soak", soak=True)
    assert schedule_for(labelled).to_dict() == schedule_for(run).to_dict()
    assert len(_outage_times(labelled)) == 2
    assert len(_outage_times(soak)) == 12
    assert ReliabilityRun(labelled).steady_window_s == ReliabilityRun(run).steady_window_s > 0.0


def test_a_soak_under_another_label_is_still_a_soak() -> None:
    soak = RunSpec(duration_s=HOUR, seed=1, faults="outages", label="overnight", soak=True)
    assert _outage_times(soak) == _outage_times(RunSpec(duration_s=HOUR, seed=1, faults="outages", soak=True))
    assert ReliabilityRun(soak).steady_window_s == 0.0


def test_the_record_says_soak_only_where_the_label_would_mislead() -> None:
    assert "soak" not in RunSpec().to_dict()
    assert "soak" not in RunSpec(label="soak", soak=True).to_dict()
    assert RunSpec(label="soak").to_dict()["soak"] is False
    assert RunSpec(label="overnight", soak=True).to_dict()["soak"] is True


def test_the_soak_command_s_run_is_a_soak(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``SoakRunner`` builds its ``ReliabilityRun`` with ``soak=True`` (the spec it hands over is
    kept as the run is built, the run itself unchanged)."""
    seen: list[RunSpec] = []
    build = ReliabilityRun.__init__

    def kept(self: ReliabilityRun, spec: RunSpec, *args: Any, **kw: Any) -> None:
        seen.append(spec)
        build(self, spec, *args, **kw)

    monkeypatch.setattr(ReliabilityRun, "__init__", kept)
    result = SoakRunner(SoakSpec(duration_s=5.0, seed=1, faults="none", checkpoint_s=5.0,
                                 run_dir=tmp_path / "soak")).start()
    assert result.exit_code in (0, 3)  # 5 s is too short for the leak judge: inconclusive is its word
    assert [s.soak for s in seen] == [True]
