"""The minimiser's CPU guard (``export.minimise``): no replay starts once the CPU seconds spent,
plus those of the costliest replay so far, would pass ``max_cpu_s``.

Each case is a sequence of replay costs on a stand-in clock (the replays are stand-ins that never
reproduce the failure, so the minimiser keeps trying): the replays that start are the ones a
brute-force reading of the rule lets start, and as long as no replay costs more than the
costliest before it, the CPU spent never passes the guard.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from harness.scenarios import export


def _allowed(costs: list[float], max_cpu_s: float) -> int:
    """How many replays the rule lets start: replay i starts when the spent CPU plus the costliest
    replay before it is at most ``max_cpu_s``."""
    spent, costliest = 0.0, 0.0
    for n, cost in enumerate(costs):
        if spent + costliest > max_cpu_s:
            return n
        spent += cost
        costliest = max(costliest, cost)
    return len(costs)


#: (the replays' costs in CPU seconds, the guard)
CASES = [
    ([10.0] * 20, 25.0),                                 # alike: the third would pass it
    ([10.0] + [1.0] * 13 + [10.0] * 6, 25.0),            # cheap ones after a dear one, then dear again
    ([2.0, 9.0, 1.0, 1.0, 9.0, 1.0] * 4, 30.0),
    ([0.5] * 100, 7.0),
]


@pytest.mark.parametrize(("costs", "max_cpu_s"), CASES)
def test_the_minimiser_starts_exactly_the_replays_its_cpu_guard_allows(
        monkeypatch: pytest.MonkeyPatch, costs: list[float], max_cpu_s: float) -> None:
    clock = [1000.0]
    spent: list[float] = []

    def replay(doc: Any, invariant: str, system_factory: Any, guard: Any = None) -> tuple[bool, None, float]:
        cost = costs[len(spent)]
        spent.append(cost)
        clock[0] += cost
        return False, None, 0.0  # never reproduces: the minimiser tries on

    monkeypatch.setattr(time, "process_time", lambda: clock[0])
    monkeypatch.setattr(export, "_replay", replay)
    doc = {"scenario": {}, "steps": [{"name": f"s{i}", "op": "start"} for i in range(64)]}
    out = export.minimise(doc, "x", max_runs=10_000, max_sim_s=1e9, max_cpu_s=max_cpu_s)
    want = _allowed(costs, max_cpu_s)
    assert len(spent) == want < len(costs)
    assert sum(spent) <= max_cpu_s  # no cost above the costliest before it: never past the guard
    assert re.search(rf"in {want} replay\(s\)", out["scenario"]["description"])
    assert "the CPU guard" in out["scenario"]["description"]
