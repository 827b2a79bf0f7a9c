"""What the coordinator reports is exact: health statuses, error records, refusals (with the
component named), the causes a failure cascade writes, and edges added after registration."""

from __future__ import annotations

import logging
from collections import deque

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from system_under_test.clock import VirtualClock
from system_under_test.coordinator import ComponentCoordinator, HealthStatus
from system_under_test.errors import (
    DeviceLostError,
    IllegalTransitionError,
    RegistrationError,
    Severity,
    XrunError,
)
from system_under_test.lifecycle import TRANSITIONS, State, is_legal

UP = (State.INITIALIZED, State.CONFIGURED, State.STARTING, State.RUNNING)


def _up(c: ComponentCoordinator, *names: str) -> None:
    for n in names:
        for s in UP:
            c.transition(n, s, "up")


def test_health_statuses_are_exact():
    class Hook:
        def __init__(self, result):
            self.result = result

        def check_health(self):
            if isinstance(self.result, Exception):
                raise self.result
            return self.result

    c = ComponentCoordinator(VirtualClock())
    c.register("plain")
    c.register("hooked", Hook(HealthStatus(False, "too hot", "ignored-name")))
    c.register("broken", Hook(ValueError("nope")))
    c.register("dead")
    _up(c, "dead")
    c.fail("dead", "x")
    assert c.check_health("plain") == HealthStatus(True, "uninitialized", "plain")
    assert c.check_health("hooked") == HealthStatus(False, "too hot", "hooked")
    assert c.check_health("broken") == HealthStatus(False, "health check raised ValueError('nope')", "broken")
    assert c.check_health("dead") == HealthStatus(False, "failed", "dead")
    assert c.check_health("dead").to_dict() == {"component": "dead", "healthy": False, "detail": "failed"}


def test_error_records_are_exact_and_numbered():
    clock = VirtualClock()
    c = ComponentCoordinator(clock)
    c.register("dev")
    clock.advance(1.5)
    lost = DeviceLostError("gone", component="dev")
    r1 = c.handle_error("dev", lost)
    r2 = c.handle_error("dsp", XrunError("late"), severity=Severity.FATAL, requires_recovery=False)
    # the record keeps a compact description of the error, never the exception (no frames pinned)
    assert (r1.seq, r1.time, r1.component, r1.error.kind, r1.error.message, r1.severity, r1.requires_recovery) == (
        1, 1.5, "dev", DeviceLostError, "gone", Severity.CRITICAL, True)
    assert (r2.seq, r2.severity, r2.requires_recovery) == (2, Severity.FATAL, False)
    d = r1.to_dict()
    assert {k: d[k] for k in ("seq", "time", "component", "severity", "requires_recovery", "error")} == {
        "seq": 1, "time": 1.5, "component": "dev", "severity": "CRITICAL", "requires_recovery": True,
        "error": lost.describe()}
    assert c.errors("dev") == [r1] and c.errors() == [r1, r2] and c.error_count == 2


def test_refusals_name_the_component():
    c = ComponentCoordinator(VirtualClock())
    c.register("a")
    cases = [
        (lambda: c.register("a"), "a", "component 'a' is already registered"),
        (lambda: c.register("s", depends_on=["s"]), "s", "component 's' cannot depend on itself (cycle)"),
        (lambda: c.register("x", depends_on=["g1", "g2"]), "x",
         "component 'x' depends on unregistered 'g1', 'g2'; register dependencies first"),
        (lambda: c.add_dependency("a", "ghost"), "ghost", "unknown component 'ghost'"),
        (lambda: c.add_dependency("a", "a"), "a", "dependency 'a' -> 'a' would create a cycle"),
        (lambda: c.state("ghost"), "ghost", "unknown component 'ghost'"),
    ]
    for call, component, message in cases:
        with pytest.raises(RegistrationError) as info:
            call()
        assert info.value.component == component and info.value.message == message


def test_illegal_transitions_name_what_was_asked():
    c = ComponentCoordinator(VirtualClock())
    c.register("a")
    with pytest.raises(IllegalTransitionError) as info:
        c.transition("a", State.RUNNING, "x")
    assert (info.value.component, info.value.current, info.value.target) == ("a", State.UNINITIALIZED,
                                                                              State.RUNNING)
    with pytest.raises(IllegalTransitionError) as info:
        c.transition("a", State.INITIALIZED, "x", expect=(State.STOPPED, State.CONFIGURED))
    e = info.value
    assert (e.component, e.current, e.target) == ("a", State.UNINITIALIZED, State.INITIALIZED)
    assert "expected to be in ['configured', 'stopped']" in e.message
    assert c.validate_transition(State.RUNNING, State.PAUSED)
    assert not c.validate_transition(State.PAUSED, State.STARTING)


def test_try_transition_keeps_the_cause():
    c = ComponentCoordinator(VirtualClock())
    c.register("a")
    assert c.try_transition("a", State.RUNNING, "bad") is None
    rec = c.try_transition("a", State.INITIALIZED, "init")
    assert rec is not None and rec.cause == "init"


def test_drive_walks_a_path_skipping_steps_already_taken():
    c = ComponentCoordinator(VirtualClock())
    c.register("a")
    c.transition("a", State.INITIALIZED, "x")
    c.drive("a", UP, "up")
    assert c.state("a") == State.RUNNING
    assert [(r.from_state, r.to_state, r.cause) for r in c.history.records()[1:]] == [
        (State.INITIALIZED, State.CONFIGURED, "up"), (State.CONFIGURED, State.STARTING, "up"),
        (State.STARTING, State.RUNNING, "up")]


def test_a_cascade_writes_whose_failure_it_was():
    c = ComponentCoordinator(VirtualClock())
    c.register("dsp")
    c.register("input", depends_on=["dsp"])
    c.register("device", depends_on=["input"])
    _up(c, "dsp", "input", "device")
    c.transition("dsp", State.FAILED, "already failed")  # the victim itself in a safe state
    recs = c.fail("dsp", "boom")
    assert [(r.component, r.cause) for r in recs] == [
        ("device", "dependency 'dsp' failed: boom"), ("input", "dependency 'dsp' failed: boom")]
    c2 = ComponentCoordinator(VirtualClock())
    c2.register("dsp")
    _up(c2, "dsp")
    assert [(r.component, r.cause) for r in c2.fail("dsp", "boom")] == [("dsp", "boom")]


def test_an_edge_added_later_orders_start_and_cascade():
    c = ComponentCoordinator(VirtualClock())
    for n in ("a", "b", "c"):
        c.register(n)
    c.add_dependency("a", "c")  # a now needs c
    assert c.dependencies("a") == ("c",) and c.dependents("c") == {"a"}
    order = c.start_order()
    assert order.index("c") < order.index("a")
    with pytest.raises(RegistrationError, match="cycle"):
        c.add_dependency("c", "a")
    _up(c, "a", "b", "c")
    assert {r.component for r in c.fail("c", "x")} == {"a", "c"}



@st.composite
def _graphs(draw):
    """Components c0..cN, each registered naming (possibly twice) some earlier ones, then edges
    from a later component to an earlier one added after registration (possibly edges already
    there, possibly the same edge twice): every graph acyclic, as registration makes them."""
    n = draw(st.integers(1, 7))
    regs = [draw(st.lists(st.integers(0, i - 1), max_size=4)) if i else [] for i in range(n)]
    later = draw(st.lists(st.tuples(st.integers(1, max(1, n - 1)), st.integers(0, max(0, n - 2)))
                          .filter(lambda e: e[1] < e[0] < n), max_size=8))
    return n, regs, later


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(_graphs())
def test_start_order_holds_every_component_once_after_what_it_depends_on(graph):
    n, regs, later = graph
    c = ComponentCoordinator(VirtualClock())
    for i, deps in enumerate(regs):
        c.register(f"c{i}", depends_on=[f"c{d}" for d in deps])
    for a, b in later:
        c.add_dependency(f"c{a}", f"c{b}")
    edges = {(f"c{i}", f"c{d}") for i, deps in enumerate(regs) for d in deps} \
        | {(f"c{a}", f"c{b}") for a, b in later}
    order = c.start_order()
    assert sorted(order) == sorted(f"c{i}" for i in range(n))  # each once, none left out
    for name, dep in edges:
        assert order.index(dep) < order.index(name)
        assert name in c.dependents(dep)
    for i in range(n):
        assert sorted(c.dependencies(f"c{i}")) == sorted({d for x, d in edges if x == f"c{i}"})
    assert c.stop_order() == order[::-1]
    assert list(c.system_health()) == order


def test_observers_can_be_removed_and_a_raising_one_is_logged_by_name(caplog):
    c = ComponentCoordinator(VirtualClock())
    c.register("a")
    seen, errors = [], []
    c.add_observer(seen.append)
    c.add_error_observer(errors.append)
    c.remove_observer(seen.append)
    c.remove_error_observer(errors.append)
    c.remove_observer(seen.append)  # twice is harmless
    c.transition("a", State.INITIALIZED, "x")
    c.handle_error("a", XrunError("late"))
    assert seen == [] and errors == [] and c.observer_count == 0

    def noisy(_):
        raise RuntimeError("bug")

    c.add_observer(noisy)
    with caplog.at_level(logging.ERROR, logger="system_under_test.coordinator"):
        c.transition("a", State.CONFIGURED, "x")
    assert caplog.records[-1].getMessage() == f"observer {noisy!r} raised; it is removed"
    assert not c.has_observer(noisy)


def test_the_default_history_bound_and_component_lookup():
    c = ComponentCoordinator(VirtualClock())
    assert c.history.maxlen == 10_000
    obj = object()
    c.register("a", obj)
    assert c.component("a") is obj


def test_defaults_direct_dependents_and_an_empty_cause():
    c = ComponentCoordinator(VirtualClock())
    c.register("dsp")
    c.register("input", depends_on=["dsp"])
    c.register("device", depends_on=["input"])
    assert c.dependents("dsp") == {"input"}
    assert c.dependents("dsp", transitive=True) == {"input", "device"}
    assert c.transition("dsp", State.INITIALIZED).cause == ""
    rec = c.try_transition("dsp", State.CONFIGURED)
    assert rec is not None and rec.cause == ""


#: Where a dependent in each state ends when what it depends on fails, written out here (not read
#: from ``lifecycle.SAFE_STATES``, which is what it checks): a component that is, or is about to be,
#: moving audio (starting, running, paused, reconfiguring, recovering, stopping) is failed with it;
#: one that holds no stream (never started, stopped, already failed or closed) is left as it is.
_CASCADE_END = {
    State.UNINITIALIZED: State.UNINITIALIZED, State.INITIALIZED: State.INITIALIZED,
    State.CONFIGURED: State.CONFIGURED, State.STARTING: State.FAILED, State.RUNNING: State.FAILED,
    State.PAUSED: State.FAILED, State.RECONFIGURING: State.FAILED, State.STOPPING: State.FAILED,
    State.STOPPED: State.STOPPED, State.RECOVERING: State.FAILED, State.FAILED: State.FAILED,
    State.CLOSED: State.CLOSED,
}
_PATHS = {
    State.UNINITIALIZED: (), State.INITIALIZED: UP[:1], State.CONFIGURED: UP[:2],
    State.STARTING: UP[:3], State.RUNNING: UP, State.PAUSED: (*UP, State.PAUSED),
    State.RECONFIGURING: (*UP, State.RECONFIGURING), State.STOPPING: (*UP, State.STOPPING),
    State.STOPPED: (*UP, State.STOPPING, State.STOPPED), State.RECOVERING: (*UP, State.RECOVERING),
    State.FAILED: (*UP, State.FAILED), State.CLOSED: (State.CLOSED,),
}


@pytest.mark.parametrize("before", list(State), ids=lambda s: s.value)
def test_a_failure_cascades_to_every_transitive_dependent_in_every_state(before):
    assert set(_CASCADE_END) == set(State) == set(_PATHS)
    c = ComponentCoordinator(VirtualClock())
    c.register("dsp")
    c.register("input", depends_on=["dsp"])
    c.register("device", depends_on=["input"])
    _up(c, "dsp")
    for name in ("input", "device"):
        for s in _PATHS[before]:
            c.transition(name, s, "set up")
        assert c.state(name) == before
    c.fail("dsp", "boom")
    assert c.state("dsp") == State.FAILED
    assert {n: c.state(n) for n in ("input", "device")} == {n: _CASCADE_END[before]
                                                            for n in ("input", "device")}


def test_an_error_record_names_the_reporting_component_and_keeps_the_traceback():
    """An error from outside the tree (a ``ValueError`` a component let out) is kept as the
    reporting component's; a raised error's record carries its short traceback under
    ``traceback``, and a never-raised one has none."""
    c = ComponentCoordinator(VirtualClock())
    c.register("dsp")
    record = c.handle_error("dsp", ValueError("bad sample"))
    assert record.component == "dsp" and record.error.component == "dsp"
    assert record.to_dict()["error"]["component"] == "dsp"
    assert "traceback" not in record.to_dict()
    try:
        raise DeviceLostError("gone", component="dsp")
    except DeviceLostError as exc:
        raised = c.handle_error("dsp", exc)
    d = raised.to_dict()
    assert d["traceback"] == raised.error.traceback
    assert "test_promises_coordinator.py" in d["traceback"]


def test_error_count_keeps_counting_after_the_error_log_turned_over():
    """``error_count`` is every error ever reported (the last record's number), not the length of
    the log, which keeps the newest 10 000: with one more, one is dropped and the count says so."""
    c = ComponentCoordinator(VirtualClock())
    c.register("dsp")
    err = XrunError("late", component="dsp")  # never raised: no traceback to walk, so this is fast
    for _ in range(10_001):
        c.handle_error("dsp", err)
    assert c.error_count == 10_001 and len(c.errors()) == 10_000 and c.errors_dropped == 1
    assert [e.seq for e in c.errors()[:2]] == [2, 3] and c.errors()[-1].seq == 10_001


def test_an_error_observer_finds_its_record_in_the_log_and_the_log_is_in_number_order():
    """The log is written before the observers hear of an error: an observer that reads it finds
    the record it was told of, and an error it reports in turn comes after that record, so the log
    stays in the order of the records' numbers."""
    c = ComponentCoordinator(VirtualClock())
    c.register("dsp")
    seen: list[list[int]] = []

    def observer(record) -> None:
        seen.append([e.seq for e in c.errors()])
        if record.seq == 1:
            c.handle_error("dsp", XrunError("and another", component="dsp"))

    c.add_error_observer(observer)
    c.handle_error("dsp", XrunError("late", component="dsp"))
    assert seen == [[1], [1, 2]]
    assert [e.seq for e in c.errors()] == [1, 2]


class _CountedRLock:
    """The coordinator's re-entrant lock, with how deep the current holder is in it."""

    def __init__(self) -> None:
        import threading

        self._lock = threading.RLock()
        self.depth = 0

    def acquire(self, *a, **k):
        got = self._lock.acquire(*a, **k)
        if got:
            self.depth += 1
        return got

    def release(self) -> None:
        self.depth -= 1
        self._lock.release()

    __enter__ = acquire

    def __exit__(self, *exc) -> None:
        self.release()


def test_an_errors_number_is_taken_under_the_lock_that_orders_the_log():
    """Errors come from the supervisor and from operations on other threads at once: the record's
    number must be drawn in the same critical section that appends it, or two errors get one
    number (or the log another order than their numbers). Checked without threads: every write of
    the error counter happens with the coordinator's lock held."""
    writes: list[int] = []

    class Probe(ComponentCoordinator):
        def __setattr__(self, name, value):
            if name == "_error_seq" and isinstance(getattr(self, "state_lock", None), _CountedRLock):
                writes.append(self.state_lock.depth)
            super().__setattr__(name, value)

    c = Probe(VirtualClock())
    c.state_lock = _CountedRLock()
    c.register("dsp")
    for _ in range(3):
        c.handle_error("dsp", XrunError("late", component="dsp"))
    assert writes == [1, 1, 1]
    assert [e.seq for e in c.errors()] == [1, 2, 3]


def test_a_transition_is_logged_under_the_lock_that_applies_it():
    """Two threads changing states at once must leave a history in the order the states changed:
    the record is appended in the same critical section that sets the state, or another thread's
    transition can be logged between them (a history whose last record is not the state). Checked
    without threads: every append to the history happens with the coordinator's lock held."""
    c = ComponentCoordinator(VirtualClock())
    c.state_lock = _CountedRLock()
    c.register("dsp")
    depths: list[int] = []
    append = c.history.append

    def noting(*args, **kwargs):
        depths.append(c.state_lock.depth)
        return append(*args, **kwargs)

    c.history.append = noting  # type: ignore[method-assign]
    c.transition("dsp", State.INITIALIZED, "init")
    c.try_transition("dsp", State.CONFIGURED, "configure")
    c.transition("dsp", State.STARTING, "start", expect=(State.CONFIGURED,))
    c.fail("dsp", "boom")
    assert depths == [1, 1, 1, 1]
    assert [(r.to_state, r.seq) for r in c.history.records()] == [
        (State.INITIALIZED, 1), (State.CONFIGURED, 2), (State.STARTING, 3), (State.FAILED, 4)]


def test_try_transition_refuses_an_unknown_component_as_transition_does():
    # None is for a transition the table refuses; a name nobody registered (a misspelt component)
    # is the caller's mistake and raises, never a silent "could not move"
    c = ComponentCoordinator(VirtualClock())
    c.register("a")
    for call in (lambda: c.transition("ghost", State.INITIALIZED, "x"),
                 lambda: c.try_transition("ghost", State.INITIALIZED, "x")):
        with pytest.raises(RegistrationError) as info:
            call()
        assert info.value.component == "ghost" and info.value.message == "unknown component 'ghost'"
    assert c.state("a") == State.UNINITIALIZED and len(c.history) == 0


def _path_to(state: State) -> list[State]:
    """The shortest walk through the transition table from UNINITIALIZED to ``state``."""
    came: dict[State, list[State]] = {State.UNINITIALIZED: []}
    todo = deque([State.UNINITIALIZED])
    while todo:
        at = todo.popleft()
        for nxt in sorted(TRANSITIONS[at], key=lambda s: s.value):
            if nxt not in came:
                came[nxt] = came[at] + [nxt]
                todo.append(nxt)
    return came[state]


@pytest.mark.parametrize("current", list(State), ids=lambda s: s.value)
def test_a_compare_and_set_transition_is_held_to_the_table_from_the_state_it_expects(current):
    """``expect`` narrows what ``transition`` takes, never widens it: from each state, every target
    the table refuses is refused with the state expected exactly as without ``expect`` (the table's
    reason, not the expectation's), and neither the state nor the history moves."""
    c = ComponentCoordinator(VirtualClock())
    c.register("a")
    c.drive("a", _path_to(current), "walk")
    assert c.state("a") == current
    logged = len(c.history)
    refused = [t for t in State if not is_legal(current, t)]
    assert refused  # every state refuses some target
    for target in refused:
        with pytest.raises(IllegalTransitionError) as info:
            c.transition("a", target, "cas", expect=(current,))
        e = info.value
        assert (e.component, e.current, e.target) == ("a", current, target)
        assert "not in the transition table" in e.message
        assert c.state("a") == current and len(c.history) == logged
