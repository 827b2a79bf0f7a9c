"""The ``health`` checker keeps the system's transitions as two columns (numbers and state codes)
rather than a list of pairs: the states it reads for a snapshot's span must be the ones the
sorted pairs gave, numbers seen twice and out of order included, in a tenth of the memory."""

from __future__ import annotations

import bisect
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.invariants import _Health

_STATES = ("running", "recovering", "failed", "paused", "stopped", "configured")


def _reference(pairs: list[tuple[int, str]], init: str, first: int, last: int) -> list[str]:
    """The pairs' reading: ``insort`` of each (seq, state), then the state at ``first`` and every
    one entered up to ``last``."""
    states: list[tuple[int, str]] = []
    for p in pairs:
        bisect.insort(states, p)
    k = bisect.bisect_right(states, first, key=lambda t: t[0])
    held = [states[k - 1][1] if k > 0 else init]
    return held + [state for seq, state in states[k:] if seq <= last]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(pairs=st.lists(st.tuples(st.integers(0, 40), st.sampled_from(_STATES)), max_size=60),
       first=st.integers(-2, 42), length=st.integers(-3, 12))
def test_the_states_of_a_span_are_the_sorted_pairs(pairs, first, length):
    fold = _Health({"state": "initialized"})
    for seq, state in pairs:
        fold._insert(seq, state)
    assert fold._states_in(first, first + length) == _reference(pairs, "initialized", first, first + length)


def test_a_transition_costs_a_few_bytes():
    fold = _Health({"state": "initialized"})
    for seq in range(100_000):
        fold._insert(seq, _STATES[seq % len(_STATES)])
    held = sys.getsizeof(fold.seqs) + sys.getsizeof(fold.codes)
    assert held < 100_000 * 12  # a pair in a list: ~90 bytes
