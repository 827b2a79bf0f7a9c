"""The ``recovery`` invariant's recording tolerance follows the history's clock
(``invariants.episode_tolerance_s``): on a virtual clock an episode past its deadline by any
measurable time is the system's; on a real one, or in a history that does not say its clock
(recorded before the attach data said), up to ``REAL_CLOCK_EPISODE_TOLERANCE_S`` is the recording's
(a thread preempted between the decision and its stamp). Hand-built histories: milliseconds."""

from __future__ import annotations

from typing import Any

import pytest

from harness.history import History
from harness.invariants import (REAL_CLOCK_EPISODE_TOLERANCE_S, VIRTUAL_CLOCK_EPISODE_TOLERANCE_S,
                                check_recovery, episode_tolerance_s)

DEADLINE_CONFIG = {"recovery": {"deadline_ms": 10_000.0, "max_backoff_ms": 1000.0}}
#: the deadline (10 s) of an episode entered at t = 1
DEADLINE_AT = 11.0


def _gave_up_late(clock: str | None, past_s: float) -> History:
    """RUNNING -> RECOVERING at 1.0, attempts every second, each failed within 0.1 s; FAILED
    ``past_s`` after the deadline (no open, no late timer to explain it). ``clock``: the attach
    data's ``clock`` (None: not said)."""
    attach: dict[str, Any] = {"state": "running", "configured": True, "pending": False,
                              "components": {"system": "running"}}
    if clock is not None:
        attach["clock"] = clock
    h = History()
    h.record("attach", data=attach)
    h.record("event", value="config_applied", time=0.0, data={"config": DEADLINE_CONFIG})
    h.record("transition", time=1.0, data={"seq": 1, "time": 1.0, "component": "system",
                                           "from_state": "running", "to_state": "recovering",
                                           "cause": "DeviceStalledError: no callback for 0.800 s"})
    for n in range(1, 11):
        a = float(n)
        h.record("event", value="recovery_attempt", time=a, data={"attempt": n, "device": "system"})
        h.record("event", value="recovery_attempt_failed", time=a + 0.1, data={"attempt": n})
    fail_at = DEADLINE_AT + past_s
    h.record("event", value="recovery_failed", time=fail_at,
             data={"reason": "deadline of 10.000 s passed", "attempts": 10})
    h.record("transition", time=fail_at, data={"seq": 2, "time": fail_at, "component": "system",
                                               "from_state": "recovering", "to_state": "failed",
                                               "cause": "recovery failed: deadline of 10.000 s passed"})
    h.record("note", value="end", time=30.0)
    return h


@pytest.mark.parametrize("initial, tolerance", [
    ({"clock": "virtual"}, VIRTUAL_CLOCK_EPISODE_TOLERANCE_S),
    ({"clock": "real"}, REAL_CLOCK_EPISODE_TOLERANCE_S),
    ({}, REAL_CLOCK_EPISODE_TOLERANCE_S),
    (None, REAL_CLOCK_EPISODE_TOLERANCE_S),
    ({"clock": None}, REAL_CLOCK_EPISODE_TOLERANCE_S),
], ids=["virtual", "real", "unsaid", "no-attach", "none"])
def test_the_tolerance_is_the_virtual_clocks_only_where_the_history_says_virtual(
        initial: dict[str, Any] | None, tolerance: float) -> None:
    assert episode_tolerance_s(initial) == tolerance


@pytest.mark.parametrize("clock, past_s, ok", [
    ("virtual", 0.0, True),     # gave up exactly at its deadline
    ("virtual", 0.02, False),   # 20 ms past it on a clock that does not move between two lines
    ("real", 0.02, True),       # the same 20 ms on a real clock: the recording's
    (None, 0.02, True),         # a history that does not say its clock: judged as a real one
    ("real", 0.5, False),       # half a second past on any clock, with nothing to explain it
    (None, 0.5, False),
], ids=["virtual-on-time", "virtual-20ms", "real-20ms", "unsaid-20ms", "real-500ms", "unsaid-500ms"])
def test_an_episode_a_little_past_its_deadline_is_judged_by_its_clocks_tolerance(
        clock: str | None, past_s: float, ok: bool) -> None:
    """Fails when a history that does not say its clock is given the virtual clock's tolerance:
    its 20 ms past the deadline was then "recovery outlived its deadline"."""
    v = check_recovery(_gave_up_late(clock, past_s))
    assert v.ok is ok and not v.inconclusive, v
