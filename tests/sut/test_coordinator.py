import concurrent.futures
import logging
import random

import pytest

from system_under_test.clock import VirtualClock
from system_under_test.coordinator import ComponentCoordinator, HealthStatus
from system_under_test.errors import IllegalTransitionError, RegistrationError, SimulatedError
from system_under_test.lifecycle import TRANSITIONS, State, is_legal


def make():
    c = ComponentCoordinator(VirtualClock())
    c.register("dsp")
    c.register("input", depends_on=["dsp"])
    c.register("output", depends_on=["dsp"])
    c.register("device", depends_on=["input", "output"])
    return c


def test_registration_refuses_missing_dependency_duplicate_and_cycle():
    c = make()
    with pytest.raises(RegistrationError, match="unregistered 'ghost'"):
        c.register("x", depends_on=["ghost"])
    with pytest.raises(RegistrationError, match="already registered"):
        c.register("dsp")
    with pytest.raises(RegistrationError, match="itself"):
        c.register("self", depends_on=["self"])
    with pytest.raises(RegistrationError, match="cycle"):
        c.add_dependency("dsp", "device")
    assert "x" not in c.components


def test_start_and_stop_order_respect_dependencies():
    c = make()
    order = c.start_order()
    for name in c.components:
        for dep in c.dependencies(name):
            assert order.index(dep) < order.index(name)
    assert c.stop_order() == list(reversed(order))



def test_components_with_no_dependency_start_in_the_order_they_were_registered():
    """Ties are broken by registration order, among the components that depend on nothing as
    among those that wait for the same one: never by name."""
    c = ComponentCoordinator(VirtualClock())
    for name in ("zulu", "mike", "alpha"):
        c.register(name)
    c.register("kilo", depends_on=["alpha"])
    assert c.start_order() == ["zulu", "mike", "alpha", "kilo"]
    assert c.stop_order() == ["kilo", "alpha", "mike", "zulu"]

def test_illegal_transition_raises_and_changes_nothing():
    c = make()
    before = len(c.history)
    with pytest.raises(IllegalTransitionError, match="uninitialized -> running"):
        c.transition("dsp", State.RUNNING, "bad")
    assert c.state("dsp") == State.UNINITIALIZED
    assert len(c.history) == before


def test_transitions_are_recorded_with_time_and_cause():
    clock = VirtualClock()
    c = ComponentCoordinator(clock)
    c.register("a")
    clock.advance(1.5)
    rec = c.transition("a", State.INITIALIZED, "init")
    assert (rec.seq, rec.time, rec.component, rec.from_state, rec.to_state, rec.cause) == (
        1, 1.5, "a", State.UNINITIALIZED, State.INITIALIZED, "init")
    assert c.history.records() == [rec]


def test_observer_that_raises_is_dropped_and_coordinator_keeps_working(caplog):
    c = make()
    seen = []

    def bad(_):
        raise RuntimeError("observer bug")

    c.add_observer(bad)
    c.add_observer(seen.append)
    with caplog.at_level(logging.ERROR):
        c.transition("dsp", State.INITIALIZED, "x")
    assert "observer" in caplog.text
    assert c.observer_count == 1
    c.transition("input", State.INITIALIZED, "y")
    assert [r.component for r in seen] == ["dsp", "input"]


def test_observer_is_called_outside_the_lock_and_may_reenter():
    c = make()
    calls = []

    def reentrant(rec):
        # would deadlock on a non-reentrant lock held during notification from another thread
        with concurrent.futures.ThreadPoolExecutor(1) as ex:
            calls.append(ex.submit(c.state, rec.component).result(timeout=5))

    c.add_observer(reentrant)
    c.transition("dsp", State.INITIALIZED, "x")
    assert calls == [State.INITIALIZED]


def test_failure_takes_dependents_to_a_safe_state():
    c = make()
    for name in c.start_order():
        for s in (State.INITIALIZED, State.CONFIGURED, State.STARTING, State.RUNNING):
            c.transition(name, s, "up")
    c.fail("dsp", "boom")
    assert all(c.state(n) == State.FAILED for n in ("dsp", "input", "output", "device"))
    assert not c.check_health("device").healthy


def test_failure_of_a_leaf_leaves_its_dependencies_alone():
    c = make()
    for name in c.start_order():
        for s in (State.INITIALIZED, State.CONFIGURED, State.STARTING, State.RUNNING):
            c.transition(name, s, "up")
    c.fail("device", "gone")
    assert c.state("device") == State.FAILED
    assert c.state("dsp") == State.RUNNING


def test_health_check_that_raises_is_unhealthy():
    class Broken:
        def check_health(self):
            raise ValueError("nope")

    class Fine:
        def check_health(self):
            return HealthStatus(True, "ok")

    c = ComponentCoordinator(VirtualClock())
    c.register("b", Broken())
    c.register("f", Fine())
    health = c.system_health()
    assert not health["b"].healthy and "nope" in health["b"].detail
    assert health["f"].healthy


def test_errors_are_tracked_and_routed_to_observers():
    c = make()
    routed = []
    c.add_error_observer(routed.append)
    rec = c.handle_error("dsp", SimulatedError("x"))
    assert routed == [rec] and c.errors("dsp") == [rec] and c.error_count == 1
    assert rec.requires_recovery is True


def test_the_error_log_keeps_the_newest_and_counts_what_it_dropped():
    c = make()
    recs = [c.handle_error("dsp", SimulatedError(f"e{i}")) for i in range(10_005)]
    kept = c.errors()
    assert len(kept) == 10_000 and kept[0] is recs[5] and kept[-1] is recs[-1]
    assert c.errors_dropped == 5


def test_recent_errors_are_the_tail_of_errors_by_component():
    c = make()
    assert c.recent_errors("dsp") == [] and c.recent_errors(None, 0) == []
    for i in range(40):
        c.handle_error(("dsp", "input", "output")[i % 3], SimulatedError(f"e{i}"))
    for component in (None, "dsp", "input", "output", "device"):
        for n in (0, 1, 2, 8, 13, 14, 100):
            assert c.recent_errors(component, n) == (c.errors(component)[-n:] if n else []), (component, n)


def test_recent_errors_default_to_the_last_eight_of_every_component():
    c = make()
    for i in range(20):
        c.handle_error(("dsp", "input")[i % 2], SimulatedError(f"e{i}"))
    assert [r.error.message for r in c.recent_errors()] == [f"e{i}" for i in range(12, 20)]
    assert c.recent_errors() == c.errors()[-8:]


def test_seed_validation_concurrent_state_changes_never_raise_and_stay_valid():
    """Seed document validation step 1: concurrent transitions from a thread pool."""
    c = ComponentCoordinator(VirtualClock())
    names = [f"c{i}" for i in range(16)]
    for n in names:
        c.register(n)
    states = list(State)

    def worker(seed):
        rng = random.Random(seed)
        for _ in range(300):
            name = rng.choice(names)
            c.try_transition(name, rng.choice(states), "storm")
        return True

    with concurrent.futures.ThreadPoolExecutor(16) as ex:
        futures = [ex.submit(worker, i) for i in range(32)]
        for f in futures:
            assert f.exception() is None
    records = c.history.records()
    assert [r.seq for r in records] == list(range(1, len(records) + 1))
    # replaying the history per component reproduces each final state through legal steps only
    for n in names:
        state = State.UNINITIALIZED
        for r in c.history.records(n):
            assert r.from_state == state and is_legal(r.from_state, r.to_state)
            state = r.to_state
        assert state == c.state(n)
    assert all(s in TRANSITIONS for s in c.states().values())
