"""The plain reading the health check's compacted transitions must agree with, for the property
tests of ``invariants._Health``: every (seq, state) pair kept, sorted by ``insort``."""

from __future__ import annotations

import bisect

#: the states the property tests draw transitions into
STATES = ("running", "recovering", "failed", "paused", "stopped", "configured")


def states_of_span(pairs: list[tuple[int, str]], init: str, first: int, last: int) -> list[str]:
    """The pairs' reading: ``insort`` of each (seq, state), then the state at ``first`` and every
    one entered up to ``last``."""
    states: list[tuple[int, str]] = []
    for p in pairs:
        bisect.insort(states, p)
    k = bisect.bisect_right(states, first, key=lambda t: t[0])
    held = [states[k - 1][1] if k > 0 else init]
    return held + [state for seq, state in states[k:] if seq <= last]
