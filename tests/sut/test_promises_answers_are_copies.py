"""What the coordinator and the resource manager answer is a copy: a caller may keep, sort, clear
or add to any list, set or dict they hand out, and the dependency graph, the states, the error log,
the history and the books of what is held stay what they were.

Why a property over every answer, not a test of one method: an answer that is the object's own
container (a ``return self._x`` where ``return set(self._x)`` was meant) behaves exactly like a copy
until a caller changes it, and then it changes the graph a later failure cascades along, or the
allocations a leak check reads. Each answer below is changed by the caller as hard as its type
allows, and every answer is read again and compared with the one read before.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from system_under_test.clock import VirtualClock
from system_under_test.coordinator import ComponentCoordinator
from system_under_test.errors import DeviceLostError, XrunError
from system_under_test.lifecycle import State
from system_under_test.resources import ResourceManager, ResourceType

UP = (State.INITIALIZED, State.CONFIGURED, State.STARTING, State.RUNNING)


def _frozen(value: Any) -> Any:
    """``value`` as an immutable, comparable reading (the containers' contents, not the objects)."""
    if isinstance(value, dict):
        return tuple(sorted(((repr(k), _frozen(v)) for k, v in value.items()), key=lambda kv: kv[0]))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(repr(_frozen(v)) for v in value)))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    if hasattr(value, "to_dict"):
        return _frozen(value.to_dict())
    if hasattr(value, "__dataclass_fields__"):
        return _frozen({f: getattr(value, f) for f in value.__dataclass_fields__})
    return value


def _vandalise(value: Any) -> None:
    """Change ``value`` the way a caller might: empty it and put something else in, nested
    containers (a dict's values, a dataclass's dicts) first."""
    if isinstance(value, dict):
        for v in list(value.values()):
            _vandalise(v)
        value.clear()
        value["junk"] = 0
    elif isinstance(value, set):
        value.clear()
        value.add("junk")
    elif isinstance(value, list):
        for v in value:
            _vandalise(v)
        value.clear()
        value.append("junk")
    elif hasattr(value, "__dataclass_fields__") and not getattr(value, "__dataclass_params__").frozen:
        for f in value.__dataclass_fields__:
            _vandalise(getattr(value, f))


def _each_answer_is_a_copy(answers: dict[str, Any]) -> None:
    """Read every answer, change each one in turn, and read them all again after each change: a
    change to one answer that shows in any answer (its own or another's) is the object's state."""
    before = {name: _frozen(read()) for name, read in answers.items()}
    for name, read in answers.items():
        _vandalise(read())
        after = {n: _frozen(r()) for n, r in answers.items()}
        changed = [n for n in answers if after[n] != before[n]]
        assert not changed, f"changing what {name} answered changed {changed}"


@st.composite
def _coordinators(draw: st.DrawFn) -> ComponentCoordinator:
    """A coordinator with an acyclic graph (edges at registration and after), some components
    brought up, one failed with its cascade, and errors reported."""
    n = draw(st.integers(2, 6))
    c = ComponentCoordinator(VirtualClock())
    for i in range(n):
        deps = draw(st.lists(st.integers(0, i - 1), max_size=3)) if i else []
        c.register(f"c{i}", depends_on=[f"c{d}" for d in deps])
    for _ in range(draw(st.integers(0, 3))):
        a = draw(st.integers(1, n - 1))
        c.add_dependency(f"c{a}", f"c{draw(st.integers(0, a - 1))}")
    for i in range(n):
        if draw(st.booleans()):
            for s in UP:
                c.transition(f"c{i}", s, "up")
    c.fail(f"c{draw(st.integers(0, n - 1))}", "broken")
    for i in draw(st.lists(st.integers(0, n - 1), max_size=4)):
        c.handle_error(f"c{i}", XrunError("xrun", component=f"c{i}"))
    c.handle_error("c0", DeviceLostError("gone", component="c0", details={"device": "sim-in"}))
    return c


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(_coordinators())
def test_every_answer_of_the_coordinator_is_a_copy(c):
    names = c.components
    answers: dict[str, Any] = {"components": lambda: c.components, "states": c.states,
                               "start_order": c.start_order, "stop_order": c.stop_order,
                               "system_health": c.system_health, "errors()": c.errors,
                               "recent_errors()": c.recent_errors, "history": c.history.records}
    for n in names:
        answers[f"dependents({n})"] = lambda n=n: c.dependents(n)
        answers[f"dependents({n}, transitive)"] = lambda n=n: c.dependents(n, transitive=True)
        answers[f"dependencies({n})"] = lambda n=n: c.dependencies(n)
        answers[f"errors({n})"] = lambda n=n: c.errors(n)
        answers[f"history({n})"] = lambda n=n: c.history.records(n)
    _each_answer_is_a_copy(answers)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(st.lists(st.tuples(st.sampled_from(["dev", "dsp", "ring"]), st.sampled_from(list(ResourceType)),
                          st.integers(0, 50)), min_size=1, max_size=12),
       st.lists(st.integers(0, 11), max_size=6))
def test_every_answer_of_the_resource_manager_is_a_copy(allocs, releases):
    rm = ResourceManager(VirtualClock(), {t: 10**6 for t in ResourceType})  # nothing refused
    rm.register("dev", {ResourceType.FRAMES: 10_000})
    held = [rm.allocate(comp, rtype, amount, f"{comp}-{i}") for i, (comp, rtype, amount) in enumerate(allocs)]
    for i in releases:
        if i < len(held):
            rm.release(held[i])
    answers: dict[str, Any] = {"usage()": rm.usage, "peak()": rm.peak, "live()": rm.live,
                               "global_limits": lambda: rm.global_limits, "components": lambda: rm.components,
                               "leak_report": rm.leak_report}
    for comp in ("dev", "dsp", "ring"):
        answers[f"usage({comp})"] = lambda comp=comp: rm.usage(comp)
        answers[f"peak({comp})"] = lambda comp=comp: rm.peak(comp)
        answers[f"live({comp})"] = lambda comp=comp: rm.live(comp)
        answers[f"get_allocation({comp})"] = lambda comp=comp: rm.get_allocation(comp)
    _each_answer_is_a_copy(answers)
