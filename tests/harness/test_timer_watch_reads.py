"""The ``timers_let_go`` watch reads the clock's queue by what was queued since its last look, and
answers as a reading of the whole queue would.

Why: a faulted soak queues every scheduled fault's timer at its start (thousands an hour of soak)
and the watch looks at every exit from RECOVERING (thousands an hour); reading the whole queue at
each look made a soak's cost grow with the square of its length (bench/RESULTS.md, issue #17).
The clock keeps its entries by seq (``VirtualClock.timers_queued_after``, ``queued_timer``); the
watch reads a timer's owners once, when it first sees it queued, and reads the whole queue only
when a timer the system owns is live. Here: the clock's reading; the watch's answers against
``owned_live_timers`` over seeded random arming, cancelling, deferring and running; each timer's
owners read once however many looks; a timer that ran is not held. Virtual clock, fixed seeds.
"""

from __future__ import annotations

import gc
import random
import weakref
from pathlib import Path
from typing import Any

import pytest

from harness.history import History, run_op
from harness.timer_watch import TimerWatch, owned_live_timers
from system_under_test import AudioSystem
from system_under_test.clock import VirtualClock


@pytest.fixture(autouse=True)
def _history_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))


def _nothing() -> None:
    return None


def test_the_clock_lists_what_was_queued_after_a_seq_newest_first_and_live_only() -> None:
    clock = VirtualClock()
    a = clock.call_at(1.0, _nothing)
    newest, found = clock.timers_queued_after(-1)
    assert (newest, found) == (0, [(0, a)])
    b = clock.call_later(2.0, _nothing)
    c = clock.call_at(3.0, _nothing)
    b.cancel()
    newest, found = clock.timers_queued_after(0)
    assert newest == 2 and found == [(2, c)]  # the cancelled one is queued, not listed
    assert clock.queued_timer(1) is b and clock.queued_timer(0) is a
    clock.run_until(1.5)  # ``a`` ran
    assert clock.queued_timer(0) is None
    assert clock.timers_queued_after(-1) == (2, [(2, c)])
    clock.run_until(2.5)  # the cancelled ``b`` is dropped on the way
    assert clock.queued_timer(1) is None
    assert clock.timers_queued_after(2) == (2, [])  # nothing newer: the seq given back


def test_a_deferred_timer_is_queued_again_under_a_new_seq() -> None:
    clock = VirtualClock()
    with_defer = clock.call_at(0.010, _nothing)
    with_defer.defer = lambda when: when + 0.010
    clock.call_at(0.100, _nothing)
    assert clock.timers_queued_after(-1)[0] == 1
    with clock_deadline(clock, 1.0):
        assert clock.advance_to_next(0.015)  # the deferral moves it past 0.015
    assert with_defer.when == pytest.approx(0.020)
    assert clock.queued_timer(0) is None
    newest, found = clock.timers_queued_after(1)
    assert newest == 2 and found == [(2, with_defer)]


class clock_deadline:  # noqa: N801 - used as a statement, like ``open``
    """Inside a ``run_until``'s deadline, as ``advance_to_next`` needs, without running it."""

    def __init__(self, clock: VirtualClock, deadline: float) -> None:
        self.clock, self.deadline = clock, deadline

    def __enter__(self) -> None:
        self.outer, self.clock._deadline = self.clock._deadline, self.deadline

    def __exit__(self, *exc: Any) -> None:
        self.clock._deadline = self.outer


class _Owner:
    def fire(self) -> None:
        return None


def test_a_timer_that_ran_is_not_held_by_the_clocks_index() -> None:
    clock = VirtualClock()
    owner = _Owner()
    clock.call_later(0.01, owner.fire)
    gone = weakref.ref(owner)
    del owner
    assert clock.queued_timer(0) is not None
    was = gc.isenabled()
    gc.disable()
    try:
        clock.run_until(0.02)
        assert gone() is None  # freed by reference counting as it ran
    finally:
        if was:
            gc.enable()
    assert clock.queued_timer(0) is None and clock.timers_queued_after(-1) == (-1, [])


def _watched() -> tuple[AudioSystem, History]:
    system = AudioSystem({"recovery": {"initial_backoff_ms": 20, "deadline_ms": 5000}}, seed=5)
    history = History().attach(system)
    run_op(history, system, "initialize")
    run_op(history, system, "start")
    system.run_for(0.05)
    return system, history


def _callback(rng: random.Random, system: AudioSystem, other: _Owner) -> Any:
    """A callback owned by the system, its recoverer, or neither: bound or closed over."""
    kind = rng.randrange(6)
    recoverer = system._recoverer
    if kind == 0:
        return other.fire
    if kind == 1:
        return lambda: other.fire()
    if kind == 2:
        return lambda: system.poll()
    if kind == 3:
        return lambda: recoverer.active
    if kind == 4:
        return recoverer.cancel
    return _nothing


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_watch_answers_as_a_reading_of_the_whole_queue(seed: int) -> None:
    """Seeded random arming, cancelling and running of timers owned by the system, its recoverer
    or others, on the watched system's clock; after each step both questions (recovery timers,
    all the system's) answered by the watch and by ``owned_live_timers``: the same timers in the
    same order, and some steps with timers found."""
    rng = random.Random(seed)
    system, history = _watched()
    watch = history.timer_watch
    assert isinstance(watch, TimerWatch)
    clock = system.clock
    other = _Owner()
    armed: list[Any] = []
    found = 0
    for _ in range(300):
        step = rng.random()
        if step < 0.5:
            armed.append(clock.call_later(rng.uniform(0.0, 0.2), _callback(rng, system, other)))
        elif step < 0.7 and armed:
            armed.pop(rng.randrange(len(armed))).cancel()
        else:
            # the timers that fall due run (the system's own do their harmless work)
            system.run_for(rng.uniform(0.0, 0.05))
        for recovery_only in (True, False):
            got = watch._owned_now(system, recovery_only=recovery_only)
            want = owned_live_timers(system, clock, recovery_only=recovery_only)
            assert [id(t) for t in got] == [id(t) for t in want]
            found += len(want)
    assert found > 0  # the comparison met owned timers, not only empty answers
    system.close()


class _CountedCallback:
    """A callback that counts how often its owners are asked for (``__self__``, ``__closure__``)."""

    def __init__(self) -> None:
        self.asked = 0

    def __call__(self) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        if name in ("__self__", "__closure__"):
            self.asked += 1
        raise AttributeError(name)


def test_each_queued_timers_owners_are_read_once_however_many_looks() -> None:
    """Fifty timers queued far ahead (as a soak's scheduled faults are), then recovery after
    recovery: each exit from RECOVERING is a look, and each timer's owners are read at the first
    look only (a reading of the whole queue at each look reads them at every one)."""
    system, history = _watched()
    watch = history.timer_watch
    assert isinstance(watch, TimerWatch)
    counted = [_CountedCallback() for _ in range(50)]
    for i, callback in enumerate(counted):
        system.clock.call_later(100.0 + i, callback)
    exits = watch.left_recovering
    for _ in range(4):
        system.backend.remove_device("sim-in", report=True)
        system.run_for(0.05)
        system.backend.restore_device("sim-in")
        system.run_for(0.3)
    assert watch.left_recovering - exits >= 3
    assert watch.found == 0
    assert [c.asked for c in counted] == [2] * 50  # ``__self__`` and ``__closure__``, once each
    system.close()
