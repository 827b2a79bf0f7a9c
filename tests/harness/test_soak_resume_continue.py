"""A soak resumed on a real device continues where its last checkpoint stopped, with no replay.

A real clock cannot be replayed, so ``SoakRunner`` continues such a soak in a new segment whose
clock starts at 0, offset on the soak's time line by the simulated time its last checkpoint
reached (``sim_t1``, kept by ``_resume_point``). Without that time the resume cannot place the
new segment, and a soak killed on the rig could never be continued. The soak here runs on the
simulated device, stopped by a timer of its own clock, and only the resume's choice of where to
continue is read (``_execute`` stands in for the run, which would need a JACK server)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness import SoakRunner, SoakSpec, read_journal
from system_under_test import AudioSystem


def _killed_soak(run_dir: Path) -> float:
    """A simulated soak stopped at 25.3 s of its clock, its journal's end record then removed (a
    process killed after its last checkpoint leaves none); the time that checkpoint reached."""
    holder: dict[str, SoakRunner] = {}

    def system_with_a_stop(*args: Any, **kw: Any) -> AudioSystem:
        system = AudioSystem(*args, **kw)
        system.clock.call_at(25.3, holder["soak"].request_stop)
        return system

    spec = SoakSpec(duration_s=60.0, seed=97250, checkpoint_s=10.0, run_dir=run_dir)
    soak = holder["soak"] = SoakRunner(spec, system_factory=system_with_a_stop)
    assert soak.start().status == "interrupted"
    journal = run_dir / "journal.jsonl"
    lines = journal.read_text().splitlines(keepends=True)
    journal.write_text("".join(line for line in lines if json.loads(line).get("type") != "end"))
    return float(read_journal(run_dir).checkpoints[-1]["sim_t1"])


@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_a_real_device_soak_resumed_continues_from_its_last_checkpoint_s_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    run_dir = tmp_path / "run"
    reached = _killed_soak(run_dir)
    assert reached >= 25.3
    runner = SoakRunner.from_journal(run_dir)
    runner.spec.backend = "jack"  # a real device's soak: continued, not replayed
    continued: dict[str, Any] = {}

    def execute(journal: Any, **kw: Any) -> str:
        continued.update(kw)
        journal.close()
        return "continued"

    monkeypatch.setattr(runner, "_execute", execute)
    assert runner.start() == "continued"
    assert continued["t_offset"] == reached and continued["replay_until"] == 0
    assert continued["segment"] == 1 and continued["expected"] is None
    assert runner.spec.duration_s == pytest.approx(60.0 - reached)
