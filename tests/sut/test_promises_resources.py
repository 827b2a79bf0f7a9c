"""The ResourceManager against a plain model: limits are checked before anything is allocated (a
refused allocation changes nothing but the refusal count), usage and peaks are exact, and every
inspection (usage, peak, per-component view, leak report, limits) reports what the model holds."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from system_under_test.clock import VirtualClock
from system_under_test.errors import ResourceLimitError
from system_under_test.resources import DEFAULT_GLOBAL_LIMITS, ResourceManager, ResourceType

COMPS = st.sampled_from(["a", "b", "c"])
TYPES = st.sampled_from([ResourceType.BUFFERS, ResourceType.STREAMS])
OPS = st.lists(st.one_of(
    st.tuples(st.just("register"), COMPS, st.dictionaries(TYPES, st.integers(0, 6), max_size=2)),
    st.tuples(st.just("limit"), st.none() | COMPS, TYPES, st.integers(0, 9)),
    st.tuples(st.just("alloc"), COMPS, TYPES, st.integers(0, 4), st.text("xyz", max_size=2)),
    st.tuples(st.just("release"), st.integers(0, 12)),
    st.tuples(st.just("release_all"), COMPS),
    st.tuples(st.just("tick"), st.integers(1, 3)),
), max_size=50)


class Model:
    def __init__(self, global_limits):
        self.glimits = {**DEFAULT_GLOBAL_LIMITS, **global_limits}
        self.climits: dict[str, dict] = {}
        self.live: dict[int, tuple] = {}
        self.next = 1
        self.refused = 0
        self.registered: set[str] = set()
        self.peak: dict[str, dict] = defaultdict(dict)
        self.gpeak: dict = {}
        self.touched: dict[str, set] = defaultdict(set)  # types a component ever asked for

    def usage(self, comp=None):
        out: dict = defaultdict(int)
        for c, t, amt, _tag, _time in self.live.values():
            if comp is None or c == comp:
                out[t] += amt
        return {t: v for t, v in out.items() if v}


def _apply(rm: ResourceManager, model: Model, clock: VirtualClock, op) -> None:
    kind = op[0]
    if kind == "register":
        _, comp, limits = op
        assert rm.register(comp, limits) == comp
        model.registered.add(comp)
        if limits:
            model.climits[comp] = dict(limits)
    elif kind == "limit":
        _, comp, t, lim = op
        rm.set_limit(t, lim, comp)
        if comp is None:
            model.glimits[t] = lim
        else:
            model.climits.setdefault(comp, {})[t] = lim
    elif kind == "alloc":
        _, comp, t, amt, tag = op
        model.touched[comp].add(t)
        used = model.usage(comp).get(t, 0)
        gused = model.usage().get(t, 0)
        clim = model.climits.get(comp, {}).get(t)
        glim = model.glimits.get(t)
        if clim is not None and used + amt > clim:
            want = ("component", used, clim)
        elif glim is not None and gused + amt > glim:
            want = ("global", gused, glim)
        else:
            want = None
        if want is not None:
            with pytest.raises(ResourceLimitError) as info:
                rm.allocate(comp, t, amt, tag)
            model.refused += 1
            scope, in_use, limit = want
            assert info.value.details == {"type": t.value, "requested": amt, "in_use": in_use,
                                          "limit": limit, "scope": scope}
            assert info.value.component == comp
            assert f"limit is {limit}" in str(info.value) and f"asked for {amt}" in str(info.value)
            return
        a = rm.allocate(comp, t, amt, tag)
        assert (a.handle, a.component, a.rtype, a.amount, a.tag, a.time) == (
            model.next, comp, t, amt, tag, clock.now())
        model.live[model.next] = (comp, t, amt, tag, clock.now())
        model.next += 1
        model.registered.add(comp)
        p = model.peak[comp]
        p[t] = max(p.get(t, 0), used + amt)
        model.gpeak[t] = max(model.gpeak.get(t, 0), gused + amt)
    elif kind == "release":
        _, h = op
        arg = h if h % 2 else next((rm_a for rm_a in rm.live() if rm_a.handle == h), h)
        assert rm.release(arg) == (h in model.live)
        model.live.pop(h, None)
    elif kind == "release_all":
        _, comp = op
        mine = [h for h, v in model.live.items() if v[0] == comp]
        assert rm.release_all(comp) == len(mine)
        for h in mine:
            del model.live[h]
    else:
        clock.advance(op[1])


def _compare(rm: ResourceManager, model: Model, clock: VirtualClock) -> None:
    assert rm.usage() == model.usage()
    assert rm.refused == model.refused
    assert rm.global_limits == model.glimits
    assert rm.components == sorted(model.registered)
    assert rm.peak() == {t: v for t, v in model.gpeak.items()}
    for comp in ("a", "b", "c"):
        assert rm.usage(comp) == model.usage(comp)
        assert rm.peak(comp) == model.peak.get(comp, {})
        view = rm.get_allocation(comp)
        assert view.component == comp
        assert {t: v for t, v in view.usage.items() if v} == model.usage(comp)
        assert set(view.usage) == model.touched[comp]
        assert view.limits == model.climits.get(comp, {})
        assert view.peak == model.peak.get(comp, {})
        assert view.within_limits() == all(model.usage(comp).get(t, 0) <= lim
                                           for t, lim in model.climits.get(comp, {}).items())
        assert rm.is_cleaned_up(comp) == (not any(v[0] == comp for v in model.live.values()))
        assert sorted(a.handle for a in rm.live(comp)) == sorted(h for h, v in model.live.items()
                                                                 if v[0] == comp)
        for t in (ResourceType.BUFFERS, ResourceType.STREAMS):
            assert rm.limit(t, comp) == model.climits.get(comp, {}).get(t)
            assert rm.limit(t) == model.glimits.get(t)
        # the view is the reader's own copy: scribbling on it changes nothing in the manager
        view.usage[ResourceType.THREADS] = 10**9
        view.limits[ResourceType.THREADS] = 0
        view.peak[ResourceType.THREADS] = 10**9
        assert rm.usage(comp) == model.usage(comp) and rm.peak(comp) == model.peak.get(comp, {})
        assert rm.limit(ResourceType.THREADS, comp) == model.climits.get(comp, {}).get(ResourceType.THREADS)
        # so is every other reading, a component's and the manager's: usage() and peak()
        for reading in (rm.usage(comp), rm.peak(comp), rm.usage(), rm.peak()):
            reading[ResourceType.THREADS] = 10**9
            reading.pop(ResourceType.BUFFERS, None)
        assert rm.usage(comp) == model.usage(comp) and rm.peak(comp) == model.peak.get(comp, {})
        assert rm.usage() == model.usage() and rm.peak() == model.gpeak
    assert rm.is_cleaned_up() == (not model.live)
    over_global = any(model.gpeak.get(t, 0) > lim for t, lim in model.glimits.items())
    over_comp = any(model.peak.get(c, {}).get(t, 0) > lim
                    for c, lims in model.climits.items() for t, lim in lims.items())
    assert rm.within_limits() == (not over_global and not over_comp)
    report = rm.leak_report()
    assert [r["handle"] for r in report] == sorted(model.live)
    for r in report:
        comp, t, amt, tag, time = model.live[r["handle"]]
        assert r == {"handle": r["handle"], "component": comp, "type": t.value, "amount": amt,
                     "tag": tag, "time": time, "age_s": clock.now() - time}


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(TYPES, st.integers(0, 8), max_size=2), OPS)
def test_resource_manager_matches_the_model(global_limits, ops):
    clock = VirtualClock()
    rm = ResourceManager(clock, global_limits)
    model = Model(global_limits)
    _compare(rm, model, clock)
    for op in ops:
        _apply(rm, model, clock, op)
        _compare(rm, model, clock)


def test_a_negative_amount_is_refused_before_anything_happens():
    rm = ResourceManager(VirtualClock())
    with pytest.raises(ValueError, match=r"negative amount \(-1\)"):
        rm.allocate("a", ResourceType.BUFFERS, -1)
    assert rm.refused == 0 and rm.components == [] and rm.usage() == {}
    rm.allocate("a", ResourceType.BUFFERS, 0)  # zero is a legal (empty) allocation


def test_limits_are_exact_at_equality():
    rm = ResourceManager(VirtualClock(), {ResourceType.STREAMS: 2})
    rm.register("dev", {ResourceType.BUFFERS: 3})
    rm.allocate("dev", ResourceType.BUFFERS, 3)  # exactly the component limit
    with pytest.raises(ResourceLimitError):
        rm.allocate("dev", ResourceType.BUFFERS, 1)
    rm.allocate("x", ResourceType.STREAMS, 2)  # exactly the global limit
    with pytest.raises(ResourceLimitError):
        rm.allocate("y", ResourceType.STREAMS, 1)
    assert rm.within_limits()
    rm.set_limit(ResourceType.STREAMS, 1)  # a limit lowered below what was used: the peak was over
    assert not rm.within_limits()


def test_default_clock_and_limits():
    rm = ResourceManager()
    assert rm.global_limits == DEFAULT_GLOBAL_LIMITS
    a = rm.allocate("a", "buffers", 1)  # the type may be named by its value
    assert a.rtype is ResourceType.BUFFERS and a.time > 0
    assert a.to_dict() == {"handle": 1, "component": "a", "type": "buffers", "amount": 1, "tag": "",
                           "time": a.time}


def test_a_component_s_limits_may_name_their_types_by_value_and_an_unknown_type_is_refused():
    """``register``'s limits are looked up as ``allocate``'s type is: a type named by its value is
    the member (its view's limits keyed by members, the limit enforced), and a name that is no
    type is refused before anything is registered."""
    rm = ResourceManager(VirtualClock())
    rm.register("dev", {"frames": 10, ResourceType.BUFFERS: 2})
    limits = rm.get_allocation("dev").limits
    assert limits == {ResourceType.FRAMES: 10, ResourceType.BUFFERS: 2}
    assert sorted(type(t).__name__ for t in limits) == ["ResourceType", "ResourceType"]
    rm.allocate("dev", "frames", 10)
    with pytest.raises(ResourceLimitError):
        rm.allocate("dev", "frames", 1)
    with pytest.raises(ValueError):
        rm.register("other", {"frame": 10})
    assert rm.components == ["dev"] and rm.limit(ResourceType.FRAMES, "other") is None


def test_release_all_counts_what_it_released_not_what_it_found():
    """``release_all`` lists a component's allocations, then releases them one by one, not under
    one lock: another thread may release one in between. It answers how many it released itself
    (the interleaving is forced here by a ``release`` that lets the other thread go first once)."""
    class Interleaved(ResourceManager):
        other: int | None = None

        def release(self, allocation):
            other, self.other = self.other, None
            if other is not None:
                super().release(other)  # the other thread's release, between listing and releasing
            return super().release(allocation)

    rm = Interleaved()
    first = rm.allocate("c", ResourceType.BUFFERS, 1)
    second = rm.allocate("c", ResourceType.BUFFERS, 1)
    rm.allocate("d", ResourceType.BUFFERS, 1)
    rm.other = second.handle
    assert rm.release_all("c") == 1
    assert rm.live("c") == [] and len(rm.live("d")) == 1 and first.handle not in {a.handle for a in rm.live()}
    assert rm.release_all("c") == 0


class _WrittenUnderLock(defaultdict):
    """Usage counts that refuse a write made without the manager's lock held."""

    def __init__(self, lock, factory) -> None:
        super().__init__(factory)
        self.lock = lock
        self.writes = 0

    def __setitem__(self, key, value) -> None:
        assert self.lock.locked(), f"usage of {key!r} written without the lock"
        self.writes += 1
        super().__setitem__(key, value)


def test_usage_is_written_only_under_the_lock():
    """An allocation and a release on two threads must not lose each other's update of a usage
    count (a read-modify-write): every write of a component's or the global usage holds the
    manager's lock (checked without threads, on the counts themselves)."""
    rm = ResourceManager(VirtualClock())
    lock = rm._lock
    rm._usage = _WrittenUnderLock(lock, lambda: _WrittenUnderLock(lock, int))
    rm._global_usage = _WrittenUnderLock(lock, int)
    a = rm.allocate("c", ResourceType.BUFFERS, 3)
    b = rm.allocate("c", ResourceType.FRAMES, 5)
    assert rm.release(a) and rm.release(b) and not rm.release(a)
    assert rm.usage() == {} and rm.usage("c") == {}
    # two updates per allocation and per release, and each type's zero inserted on its first read
    assert rm._global_usage.writes == 6 and rm._usage["c"].writes == 6


def test_each_refusal_is_counted_and_described_exactly():
    """A refusal names its scope, the component that asked and every figure, and counts once,
    for a component's limit and for the global one alike (the model test reaches a component's
    limit only when it happens to generate one; this reaches both on every run)."""
    rm = ResourceManager(VirtualClock(), {ResourceType.STREAMS: 2})
    rm.register("dev", {ResourceType.BUFFERS: 3})
    rm.allocate("dev", ResourceType.BUFFERS, 2)
    with pytest.raises(ResourceLimitError) as component:
        rm.allocate("dev", ResourceType.BUFFERS, 2)
    assert rm.refused == 1
    assert component.value.component == "dev"
    assert component.value.message == "buffers: 'dev' asked for 2 with 2 in use; its limit is 3"
    assert component.value.details == {"type": "buffers", "requested": 2, "in_use": 2, "limit": 3,
                                       "scope": "component"}
    with pytest.raises(ResourceLimitError):
        rm.allocate("dev", ResourceType.BUFFERS, 5)
    assert rm.refused == 2
    rm.allocate("x", ResourceType.STREAMS, 1)
    with pytest.raises(ResourceLimitError) as whole:
        rm.allocate("y", ResourceType.STREAMS, 2)
    with pytest.raises(ResourceLimitError):
        rm.allocate("y", ResourceType.STREAMS, 2)
    assert rm.refused == 4
    assert whole.value.component == "y"
    assert whole.value.message == ("streams: 'y' asked for 2 with 1 in use system-wide; "
                                   "the global limit is 2")
    assert whole.value.details == {"type": "streams", "requested": 2, "in_use": 1, "limit": 2,
                                   "scope": "global"}
    assert rm.usage() == {ResourceType.BUFFERS: 2, ResourceType.STREAMS: 1}


class _WalkedUnderLock(dict):
    """Live allocations that refuse a walk of their items made without the manager's lock held."""

    def __init__(self, lock) -> None:
        super().__init__()
        self.lock = lock
        self.walks = 0

    def items(self):
        assert self.lock.locked(), "the live allocations walked without the lock"
        self.walks += 1
        return super().items()


def test_release_all_lists_the_live_allocations_under_the_lock():
    """``release_all`` lists a component's allocations from the live ones, which another thread's
    ``allocate`` adds to under the manager's lock: a walk without it meets a dict changing size
    under it (``RuntimeError``) or misses the newest. Checked without threads, on the dict itself."""
    rm = ResourceManager(VirtualClock())
    rm._live = _WalkedUnderLock(rm._lock)
    rm.allocate("c", ResourceType.BUFFERS, 1)
    rm.allocate("c", ResourceType.FRAMES, 4)
    rm.allocate("d", ResourceType.BUFFERS, 1)
    assert rm.release_all("c") == 2
    assert rm._live.walks == 1 and rm.usage("c") == {} and rm.usage("d") == {ResourceType.BUFFERS: 1}
