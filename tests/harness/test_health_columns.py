"""The ``health`` checker keeps the system's transitions as two columns (numbers and state codes)
rather than a list of pairs: the states it reads for a snapshot's span must be the ones the
sorted pairs gave, numbers seen twice and out of order included, in a tenth of the memory."""

from __future__ import annotations

import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.invariants import _Health
from health_reference import STATES, states_of_span


@settings(max_examples=300, deadline=None, derandomize=True)
@given(pairs=st.lists(st.tuples(st.integers(0, 40), st.sampled_from(STATES)), max_size=60),
       first=st.integers(-2, 42), length=st.integers(-3, 12))
def test_the_states_of_a_span_are_the_sorted_pairs(pairs, first, length):
    fold = _Health({"state": "initialized"})
    for seq, state in pairs:
        fold._insert(seq, state)
    assert fold._states_in(first, first + length) == states_of_span(pairs, "initialized", first, first + length)


def test_a_transition_costs_a_few_bytes():
    fold = _Health({"state": "initialized"})
    for seq in range(100_000):
        fold._insert(seq, STATES[seq % len(STATES)])
    held = sys.getsizeof(fold.seqs) + sys.getsizeof(fold.codes)
    assert held < 100_000 * 12  # a pair in a list: ~90 bytes
