"""The live checker judges transitions in their sequence order, not in the order they reach it.

The coordinator calls its observers after releasing its lock (``ComponentCoordinator.transition``),
so two threads' transitions of one component can reach an observer the other way round. Judged as
they came, the second read as "discontinuous", a transition the coordinator never made: a false
alarm in every caller of ``LiveChecker`` that transitions from more than one thread (a soak checks
live at every chunk while the concurrent-transition fault storms the system). The end-of-run
``legal_transitions`` already judges in sequence order; these tests hold the live one to it, and
keep it able to fail.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from harness.invariants import LiveChecker
from system_under_test.coordinator import ComponentCoordinator
from system_under_test.lifecycle import State, TransitionRecord


def _checked(history_size: int = 10_000) -> tuple[ComponentCoordinator, LiveChecker, list[Any]]:
    """A coordinator with one component brought to RUNNING, and a live checker whose observer
    the test calls itself (``delivered[0]``), in whatever order it chooses."""
    coordinator = ComponentCoordinator(history_size=history_size)
    coordinator.register("audio")
    for state in (State.INITIALIZED, State.CONFIGURED, State.STARTING, State.RUNNING):
        coordinator.transition("audio", state, "set-up")
    delivered: list[Any] = []
    system = SimpleNamespace(coordinator=coordinator, add_observer=delivered.append)
    return coordinator, LiveChecker(system), delivered  # type: ignore[arg-type]


def _record(seq: int, from_state: State, to_state: State) -> TransitionRecord:
    return TransitionRecord(seq, 0.0, "audio", from_state, to_state, "test")


def test_two_transitions_that_reach_the_checker_the_other_way_round_are_judged_in_order() -> None:
    coordinator, checker, delivered = _checked()
    coordinator.transition("audio", State.PAUSED, "pause")
    coordinator.transition("audio", State.RUNNING, "resume")
    first, second = coordinator.history.records()[-2:]
    delivered[0](second)  # resume's record first, as a second thread's notification can come
    assert checker._bad_transitions == []  # waits for the pause: not judged against RUNNING
    delivered[0](first)
    assert checker._bad_transitions == []


def test_a_discontinuity_is_still_found_whatever_order_the_records_come_in() -> None:
    coordinator, checker, delivered = _checked()
    start = coordinator.history.last_seq
    # the coordinator never left RUNNING for PAUSED and then for STOPPING from RUNNING twice
    later = _record(start + 2, State.RUNNING, State.STOPPING)
    earlier = _record(start + 1, State.RUNNING, State.PAUSED)
    delivered[0](later)
    delivered[0](earlier)
    (bad,) = checker._bad_transitions
    assert bad["seq"] == start + 2 and bad["why"] == "discontinuous: was paused", bad


def test_an_illegal_transition_is_found_once_the_records_before_it_have_come() -> None:
    coordinator, checker, delivered = _checked()
    start = coordinator.history.last_seq
    delivered[0](_record(start + 2, State.PAUSED, State.CONFIGURED))  # not in TRANSITIONS
    assert checker._bad_transitions == []
    delivered[0](_record(start + 1, State.RUNNING, State.PAUSED))
    assert [b["why"] for b in checker._bad_transitions] == ["not in TRANSITIONS"]


def test_records_made_before_the_checker_looked_are_in_its_states_not_judged_again() -> None:
    coordinator, checker, delivered = _checked()
    (old,) = coordinator.history.records()[-1:]  # STARTING -> RUNNING, made before the checker
    delivered[0](old)
    coordinator.transition("audio", State.PAUSED, "pause")
    delivered[0](coordinator.history.records()[-1])
    assert checker._bad_transitions == []


def test_a_coordinator_that_keeps_no_log_has_its_records_judged_as_they_come() -> None:
    """A log of size 0 numbers transitions it does not keep: its ``last_seq`` says nothing of
    those made, so no order can be waited for; each record is judged as it comes."""
    coordinator, checker, delivered = _checked(history_size=0)
    delivered[0](_record(99, State.RUNNING, State.STOPPING))
    delivered[0](_record(98, State.RUNNING, State.PAUSED))
    assert [b["why"] for b in checker._bad_transitions] == ["discontinuous: was stopping"]
