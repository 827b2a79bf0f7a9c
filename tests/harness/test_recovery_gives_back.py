"""The ``resources`` invariant at the end of each recovery episode: a recovery tears the pipeline
down and builds it again, so the same configuration on the same device holds the same amounts
after every episode. Small histories of each shape, then the recorder's reading on the shipped
system and on the ``holds_buffer_per_recovery`` mutant in a plain 60 s default run (which, judged
at close alone, passed or was inconclusive by the leak slopes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness import ReliabilityRun, RunSpec, system_factory
from harness.history import HELD_KEY, History, held_by_system
from harness.invariants import Verdict, check_all, check_resources
from harness.mutants import make_system

BLOCK_POOL = {"buffers": 10, "frames": 4096, "streams": 1, "threads": 1}


def _history() -> History:
    h = History()
    h.record("attach", data={"state": "running", "configured": True, "pending": False,
                             "components": {"system": "running"}})
    return h


def _episode_end(h: History, t: float, usage: dict[str, int] | None, *, config: str = "c1",
                 device: str = "sim-in") -> None:
    data: dict[str, Any] = {"attempts": 1, "seconds": 0.0, "device": device, "target": "running"}
    if usage is not None:
        data[HELD_KEY] = {"config": config, "usage": usage}
    h.record("event", time=t, value="recovery_succeeded", data=data)


def _judge(h: History) -> Verdict:
    v = check_resources(h)
    assert check_all(h, only=["resources"])[0].to_dict() == v.to_dict()
    return v


def test_episodes_that_end_holding_the_same_hold() -> None:
    h = _history()
    for k in range(5):
        _episode_end(h, 1.0 + k, dict(BLOCK_POOL))
    assert _judge(h).ok


def test_an_episode_that_ends_holding_one_buffer_more_is_a_violation() -> None:
    h = _history()
    _episode_end(h, 1.0, dict(BLOCK_POOL))
    _episode_end(h, 2.0, {**BLOCK_POOL, "buffers": 11})
    v = _judge(h)
    assert not v.ok and not v.inconclusive
    [ev] = v.evidence
    assert ev["why"] == "a recovery kept what it took"
    assert ev["more"] == {"buffers": {"held": 11, "before": 10}}
    assert "t=2.000 s" in ev["message"] and "11 buffers" in ev["message"]


def test_growth_is_judged_against_the_least_seen_not_the_first() -> None:
    """An episode that ended holding less lowers the mark: growing back past it is judged."""
    h = _history()
    _episode_end(h, 1.0, {**BLOCK_POOL, "buffers": 12})
    _episode_end(h, 2.0, dict(BLOCK_POOL))
    _episode_end(h, 3.0, {**BLOCK_POOL, "buffers": 11})
    v = _judge(h)
    assert not v.ok
    assert [e["more"] for e in v.evidence] == [{"buffers": {"held": 11, "before": 10}}]


def test_another_configuration_or_device_is_its_own_reference() -> None:
    """A live reconfiguration or a fallback device builds another pipeline: not compared."""
    h = _history()
    _episode_end(h, 1.0, dict(BLOCK_POOL))
    _episode_end(h, 2.0, {**BLOCK_POOL, "buffers": 20}, config="c2")
    _episode_end(h, 3.0, {**BLOCK_POOL, "buffers": 30}, device="sim-backup")
    _episode_end(h, 4.0, dict(BLOCK_POOL))
    assert _judge(h).ok


def test_an_episode_without_a_reading_is_not_judged() -> None:
    h = _history()
    _episode_end(h, 1.0, None)
    _episode_end(h, 2.0, dict(BLOCK_POOL))
    _episode_end(h, 3.0, None)
    assert _judge(h).ok


def test_the_reading_leaves_out_a_faults_allocations() -> None:
    system = make_system(None)
    system.initialize()
    before = held_by_system(system)
    system.resources.allocate("fault:competitor", "buffers", 7, "buffer exhaustion fault")
    assert held_by_system(system) == before
    system.resources.allocate("dsp", "buffers", 1, "kept")
    assert held_by_system(system)["usage"]["buffers"] == before["usage"].get("buffers", 0) + 1  # type: ignore[index]
    system.close()


@pytest.mark.parametrize("seed", [2, 5])
def test_a_plain_default_run_judges_the_shipped_system_and_the_mutant(seed: int, tmp_path: Path) -> None:
    """Seed 2 was the mutant's INCONCLUSIVE seed by the leak slopes ("slowing"); judged per
    episode, both seeds fail ``resources`` with the mutant and hold without it."""
    for mutant, held in ((None, True), ("holds_buffer_per_recovery", False)):
        spec = RunSpec(duration_s=60, seed=seed, faults="default", report_root=tmp_path, label="gives-back")
        run = ReliabilityRun(spec, **({"system_factory": system_factory(mutant)} if mutant else {}))
        result = run.execute(reports=False)
        [v] = [v for v in result.verdicts if v.name == "resources"]
        assert v.ok is held, (mutant, v)
        if not held:
            assert {e.get("why") for e in v.evidence if isinstance(e, dict)} == {"a recovery kept what it took"}
