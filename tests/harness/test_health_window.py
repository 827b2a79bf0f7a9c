"""The ``health`` checker keeps only the newest ``window`` system transitions: a snapshot whose span
starts after the newest one let go must read the states all of them gave (numbers seen twice and
out of order included), one that starts at or before it is not judged and makes the verdict
inconclusive, never a pass that did not look nor a made-up failure; a simulated run's verdict is
the same with a window of a few transitions."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from harness import ReliabilityRun, RunSpec, invariants
from harness.history import History
from harness.invariants import _Health
from health_reference import STATES, states_of_span


@settings(max_examples=400, deadline=None, derandomize=True)
@given(pairs=st.lists(st.tuples(st.integers(0, 60), st.sampled_from(STATES)), max_size=80),
       window=st.integers(1, 6), first=st.integers(-2, 62), length=st.integers(-3, 12))
def test_a_span_after_the_window_floor_reads_every_transitions_states(pairs, window, first, length):
    fold = _Health({"state": "initialized"})
    fold.window = window
    for seq, state in pairs:
        fold._insert(seq, state)
    assert fold.floor is None or all(seq > fold.floor[0] for seq in fold.seqs)
    got = fold._states_in(first, first + length)
    if fold.floor is not None and first <= fold.floor[0]:
        assert got is None
    else:
        assert got == states_of_span(pairs, "initialized", first, first + length)


def _transition(index: int, seq: int, frm: str, to: str) -> SimpleNamespace:
    return SimpleNamespace(index=index, type="transition", time=float(index),
                           data={"seq": seq, "component": "system", "from_state": frm, "to_state": to})


def _snapshot(index: int, first: int, last: int, state: str) -> SimpleNamespace:
    return SimpleNamespace(index=index, type="metrics", time=float(index),
                           data={"health": {"state": state, "healthy": state == "running"}, "health_seq": [first, last]})


def test_a_snapshot_before_the_window_is_not_judged_and_the_verdict_says_so():
    fold = _Health({"state": "initialized"})
    fold.window = 2
    states = ["running", "recovering"] * 5
    for i, state in enumerate(states):
        fold.feed(_transition(i, i + 1, states[i - 1] if i else "initialized", state))
    assert fold.floor is not None
    fold.feed(_snapshot(20, 1, 1, "running"))  # transition 1 was let go
    v = fold.verdict()
    assert v.ok and v.inconclusive and "1 snapshot(s)" in v.message
    fold.feed(_snapshot(21, 10, 10, "failed"))  # kept, and disagreeing: a failure still
    v = fold.verdict()
    assert not v.ok and len(v.evidence) == 1


def test_a_simulated_runs_verdict_is_the_same_with_a_small_window(tmp_path: Path):
    ReliabilityRun(RunSpec(duration_s=20.0, seed=4, faults="default", run_dir=tmp_path / "r")).execute()
    history = History.open_jsonl(tmp_path / "r" / "history.jsonl")
    small, whole = _Health(history.initial or {}), _Health(history.initial or {})
    small.window, whole.window = 4, 10**9
    invariants._run_folds(history, [small, whole], catch=False)
    assert small.floor is not None and len(small.seqs) < 8 < len(whole.seqs)
    assert small.unjudged == 0
    assert small.verdict().to_dict() == whole.verdict().to_dict()
