"""Dependency order holds both ways, and failure and health cascade along the dependency graph.

Two levels: a property over generated dependency graphs for the coordinator itself, and an
invariant over the transition histories the real system writes on its ordinary paths (start,
pause/resume, recovery, stop, failure, close from FAILED).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from system_under_test import AudioSystem, State
from system_under_test.clock import VirtualClock
from system_under_test.coordinator import ComponentCoordinator, HealthStatus
from system_under_test.errors import SimulatedError
from system_under_test.lifecycle import SAFE_STATES, TRANSITIONS, TransitionHistory, TransitionRecord
from system_under_test.system import COMPONENTS

UP = (State.INITIALIZED, State.CONFIGURED, State.STARTING, State.RUNNING)


@st.composite
def dags(draw) -> list[tuple[str, tuple[str, ...]]]:
    """A dependency graph in registration order: each node depends on some earlier ones."""
    n = draw(st.integers(1, 8))
    graph = []
    for i in range(n):
        deps = draw(st.sets(st.integers(0, i - 1), max_size=3)) if i else set()
        graph.append((f"c{i}", tuple(f"c{d}" for d in sorted(deps))))
    return graph


def _coordinator(graph) -> ComponentCoordinator:
    c = ComponentCoordinator(VirtualClock())
    for name, deps in graph:
        c.register(name, depends_on=deps)
    return c


def _transitive_dependents(graph, name: str) -> set[str]:
    out: set[str] = set()
    changed = True
    while changed:
        changed = False
        for n, deps in graph:
            if n not in out and (name in deps or out & set(deps)):
                out.add(n)
                changed = True
    return out


@settings(max_examples=60, deadline=None)
@given(dags())
def test_start_order_is_dependencies_first_and_stop_order_dependents_first(graph):
    c = _coordinator(graph)
    start, stop = c.start_order(), c.stop_order()
    assert sorted(start) == sorted(n for n, _ in graph) == sorted(stop)
    for name, deps in graph:
        for d in deps:
            assert start.index(d) < start.index(name)
            assert stop.index(name) < stop.index(d)


@settings(max_examples=60, deadline=None)
@given(dags(), st.data())
def test_failure_and_health_cascade_exactly_to_the_transitive_dependents(graph, data):
    c = _coordinator(graph)
    for name in c.start_order():
        for s in UP:
            c.transition(name, s, "up")
    victim = data.draw(st.sampled_from([n for n, _ in graph]))
    records = c.fail(victim, "boom")
    hit = {victim} | _transitive_dependents(graph, victim)
    assert {r.component for r in records} == hit
    for name, _ in graph:
        assert (c.state(name) == State.FAILED) == (name in hit), name
        assert c.check_health(name).healthy == (name not in hit), name
    assert c.dependents(victim, transitive=True) == hit - {victim}


@settings(max_examples=40, deadline=None)
@given(dags(), st.data())
def test_cascade_leaves_components_already_in_a_safe_state_alone(graph, data):
    c = _coordinator(graph)
    for name in c.start_order():
        for s in UP:
            c.transition(name, s, "up")
    resting = data.draw(st.sets(st.sampled_from([n for n, _ in graph])))
    for name in c.stop_order():
        if name in resting:
            # only a component whose dependents are resting too may stop (dependents-first)
            if not (c.dependents(name, transitive=True) - resting):
                c.transition(name, State.STOPPING, "stop")
                c.transition(name, State.STOPPED, "stop")
    stopped = {n for n, s in c.states().items() if s == State.STOPPED}
    victim = data.draw(st.sampled_from([n for n, _ in graph]))
    before = len(c.history)
    records = c.fail(victim, "boom")
    assert not {r.component for r in records} & stopped
    assert all(c.state(n) == State.STOPPED for n in stopped)
    assert len(c.history) - before == len(records)


# -- the invariant over a system's history ------------------------------------------------------
ACTIVE = {State.STARTING, State.RUNNING, State.PAUSED, State.RECONFIGURING, State.RECOVERING}


def dependency_order_violations(records: list[TransitionRecord],
                                graph: tuple[tuple[str, tuple[str, ...]], ...]) -> list[str]:
    """Replay the history: a component may enter RUNNING only when every dependency already runs,
    and may enter STOPPING/STOPPED only when no dependent is still running or paused."""
    deps = dict(graph)
    dependents = {n: [m for m, ds in graph if n in ds] for n in deps}
    state = {n: State.UNINITIALIZED for n in deps}
    problems = []
    for r in records:
        if r.component not in deps:
            continue
        if r.to_state == State.RUNNING:
            late = [d for d in deps[r.component] if state[d] != State.RUNNING]
            if late:
                problems.append(f"#{r.seq} {r.component} ran before its dependencies {late}")
        if r.to_state in (State.STOPPING, State.STOPPED):
            busy = [d for d in dependents[r.component] if state[d] in (State.RUNNING, State.PAUSED)]
            if busy:
                problems.append(f"#{r.seq} {r.component} stopped before its dependents {busy}")
        state[r.component] = r.to_state
    return problems


def _record(seq, component, a, b):
    return TransitionRecord(seq, float(seq), component, a, b, "t")


def test_the_invariant_sees_a_start_and_a_stop_out_of_order():
    """The check can fail: a dependent started first, a dependency stopped first."""
    graph = (("dsp", ()), ("input", ("dsp",)))
    up = [_record(i + 1, n, a, b) for i, (n, a, b) in enumerate(
        [(n, a, b) for n in ("input", "dsp") for a, b in zip((State.UNINITIALIZED, *UP), UP)])]
    assert dependency_order_violations(up, graph) == ["#4 input ran before its dependencies ['dsp']"]
    ordered = [_record(i + 1, n, a, b) for i, (n, a, b) in enumerate(
        [(n, a, b) for n in ("dsp", "input") for a, b in zip((State.UNINITIALIZED, *UP), UP)])]
    assert dependency_order_violations(ordered, graph) == []
    stop = ordered + [_record(9, "dsp", State.RUNNING, State.STOPPING)]
    assert dependency_order_violations(stop, graph) == ["#9 dsp stopped before its dependents ['input']"]


def _journey(system: AudioSystem) -> None:
    system.start()
    system.run_for(0.1)
    system.pause()
    system.resume()
    system.backend.remove_device("sim-in")
    system.run_for(0.2)
    system.backend.restore_device("sim-in")
    system.run_for(1.0)
    assert system.state == State.RUNNING
    system.stop()
    system.start()
    system.run_for(0.1)
    with pytest.raises(SimulatedError):
        system.simulate_error("input")
    assert system.recover()
    system.run_for(0.1)
    with pytest.raises(SimulatedError):
        system.simulate_error("dsp")
    system.close()  # from FAILED


def test_the_systems_history_keeps_dependency_order_both_ways():
    s = AudioSystem({}, seed=11)
    s.initialize()
    _journey(s)
    records = s.coordinator.history.records()
    assert s.coordinator.history.dropped == 0
    ran = {r.component for r in records if r.to_state == State.RUNNING}
    stopped = {r.component for r in records if r.to_state == State.STOPPED}
    assert {n for n, _ in COMPONENTS} <= ran and {n for n, _ in COMPONENTS} <= stopped
    assert dependency_order_violations(records, COMPONENTS) == []


def test_a_failed_component_takes_exactly_its_dependents_down_in_the_system():
    s = AudioSystem({}, seed=12)
    s.initialize()
    s.start()
    s.run_for(0.1)
    with pytest.raises(SimulatedError):
        s.simulate_error("input")
    states = s.coordinator.states()
    assert states["input"] == State.FAILED and states["device"] == State.FAILED
    health = s.health()
    assert not health["healthy"]
    assert not health["components"]["input"]["healthy"]
    assert not health["components"]["device"]["healthy"]
    s.close()
    assert s.resources.leak_report() == []


# -- the records the invariant checkers and reports read --------------------------------------
def test_a_transition_record_serialises_to_plain_json_values():
    import json

    rec = TransitionRecord(7, 1.25, "dsp", State.RUNNING, State.PAUSED, "pause")
    d = rec.to_dict()
    assert d == {"seq": 7, "time": 1.25, "component": "dsp", "from_state": "running",
                 "to_state": "paused", "cause": "pause"}
    assert type(d["from_state"]) is str and type(d["to_state"]) is str  # not the str-enum members
    assert json.loads(json.dumps(d)) == d


def test_the_history_keeps_ten_thousand_records_by_default():
    h = TransitionHistory()
    assert h.maxlen == 10_000
    for i in range(10_001):
        h.append(float(i), "c", State.UNINITIALIZED, State.INITIALIZED, "x")
    assert len(h) == 10_000 and h.dropped == 1 and h.records()[0].seq == 2


def test_a_history_of_size_zero_says_so_keeps_nothing_and_counts_every_drop():
    """``AudioSystem(history_size=0)`` keeps no transition: its bound reads 0 (not 1, which would
    promise the newest record) and every transition is counted as dropped."""
    h = TransitionHistory(0)
    for i in range(3):
        h.append(float(i), "c", State.UNINITIALIZED, State.INITIALIZED, "x")
    assert (h.maxlen, len(h), h.dropped, h.records()) == (0, 0, 3, [])


#: states in which no stream has been opened (or the one there was is being or has been closed)
_NO_STREAM = (State.UNINITIALIZED, State.INITIALIZED, State.CONFIGURED, State.STOPPING, State.STOPPED,
              State.FAILED, State.CLOSED)


def test_audio_moves_only_after_a_start_or_a_recovery_opened_a_stream():
    """The table's own promise: RUNNING, PAUSED and RECONFIGURING (a live stream) are reached only
    through STARTING or RECOVERING, which open one; from a state without a stream the way back to
    audio is start() or recover(), never a jump (every history check reads this table, so a
    permissive entry would pass a system that skips opening its stream)."""
    live = {State.RUNNING, State.PAUSED, State.RECONFIGURING}
    for state in _NO_STREAM:
        assert not TRANSITIONS[state] & live, f"{state.value} may jump to {sorted(s.value for s in TRANSITIONS[state] & live)}"
    assert TRANSITIONS[State.CLOSED] == frozenset(), "closed is final"
    assert State.RUNNING in TRANSITIONS[State.STARTING] and State.RUNNING in TRANSITIONS[State.RECOVERING]


# -- recover_plan: what recover() does from each state ----------------------------------------------
@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("pending", [None, State.RUNNING, State.PAUSED])
@pytest.mark.parametrize("healthy", [True, False])
def test_recover_plan_is_the_documented_table(state, pending, healthy):
    """Every cell of ``recover_plan``: no configuration is False without asking; RUNNING/PAUSED and
    healthy is True; a state recovery cannot act from is False; otherwise the pending target
    (a recovery under way), else PAUSED from PAUSED and RUNNING from anything else. ``healthy``
    is asked only while RUNNING or PAUSED."""
    from system_under_test.lifecycle import RECOVERABLE_STATES, recover_plan

    asked: list[State] = []

    def probe() -> bool:
        asked.append(state)
        return healthy

    assert recover_plan(state, configured=False, healthy=probe, pending=pending) is False
    assert asked == []
    got = recover_plan(state, configured=True, healthy=probe, pending=pending)
    live = state in (State.RUNNING, State.PAUSED)
    assert asked == ([state] if live else [])
    if live and healthy:
        assert got is True
    elif state not in {State.FAILED, State.RECOVERING, State.RUNNING, State.PAUSED}:
        assert got is False
    elif pending is not None:
        assert got is pending
    else:
        assert got is (State.PAUSED if state == State.PAUSED else State.RUNNING)
    assert RECOVERABLE_STATES == {State.FAILED, State.RECOVERING, State.RUNNING, State.PAUSED}


@pytest.mark.parametrize("maxlen, appended", [(3, 0), (3, 1), (3, 3), (3, 4), (3, 10), (1, 5)])
def test_last_seq_is_the_newest_records_number_also_after_the_history_turned_over(maxlen, appended):
    """``last_seq`` says which transitions had happened when an observer looked: the newest
    record's sequence number, which keeps counting when the oldest records fall off (it is not
    the number of records kept)."""
    h = TransitionHistory(maxlen)
    for i in range(appended):
        h.append(float(i), "c", State.UNINITIALIZED, State.INITIALIZED, "t")
    assert h.last_seq == appended
    assert len(h) == min(appended, maxlen) and h.dropped == max(0, appended - maxlen)
    assert [r.seq for r in h.records()] == list(range(max(1, appended - maxlen + 1), appended + 1))
