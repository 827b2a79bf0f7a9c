import pytest

from system_under_test.lifecycle import TRANSITIONS, State, TransitionHistory, is_legal


def test_every_state_has_a_row_and_closed_is_terminal():
    assert set(TRANSITIONS) == set(State)
    assert TRANSITIONS[State.CLOSED] == frozenset()
    for targets in TRANSITIONS.values():
        assert targets <= set(State)


@pytest.mark.parametrize("state", [s for s in State if s != State.CLOSED])
def test_every_live_state_can_reach_closed(state):
    seen, frontier = {state}, [state]
    while frontier:
        s = frontier.pop()
        for t in TRANSITIONS[s]:
            if t not in seen:
                seen.add(t)
                frontier.append(t)
    assert State.CLOSED in seen


def test_required_states_exist():
    for name in ("uninitialized", "initialized", "configured", "starting", "running", "paused",
                 "stopping", "stopped", "recovering", "failed", "closed"):
        assert State(name)


def test_history_is_bounded_and_gap_free():
    h = TransitionHistory(maxlen=3)
    for i in range(5):
        h.append(float(i), "c", State.UNINITIALIZED, State.INITIALIZED, "x")
    recs = h.records()
    assert [r.seq for r in recs] == [3, 4, 5]
    assert h.dropped == 2
    assert recs[0].to_dict()["from_state"] == "uninitialized"


def test_is_legal_matches_table():
    assert is_legal(State.RUNNING, State.PAUSED)
    assert not is_legal(State.PAUSED, State.STARTING)
