"""Promises about the real clock's timer thread, the one thread the control side owns: it may be
closed from one of its own timers, it is joined outside the operation lock, and its heap of
timers is touched only under its condition. Each is driven so
its outcome does not depend on timing: the call under test is made from the thread in question or
observed as it happens, never raced for."""

from __future__ import annotations

import threading

from system_under_test.clock import SystemClock, VirtualClock
from system_under_test.scheduler import ThreadScheduler, _ThreadTimer


def test_a_timer_may_close_its_own_scheduler():
    """A timer that closes the scheduler it runs on (an observer closing the system during a
    supervisor pass on a real clock does exactly that) must not try to join its own thread,
    which raises ``RuntimeError``: close returns, and the thread ends after the timer."""
    scheduler = ThreadScheduler(SystemClock(), name="test-self-close")
    done = threading.Event()
    raised: list[BaseException] = []

    def close_from_inside() -> None:
        try:
            scheduler.close()
        except BaseException as exc:  # noqa: BLE001 - the test reports whatever close raised
            raised.append(exc)
        finally:
            done.set()

    scheduler.call_later(0.0, close_from_inside)
    assert done.wait(10), "the timer never ran"
    assert raised == []
    scheduler._thread.join(10)
    assert scheduler.thread_count == 0


def test_close_joins_the_supervisor_thread_outside_the_operation_lock():
    """On a real clock a supervisor pass that started during ``close()`` waits for the operation
    lock; joining its thread while holding that lock stalls ``close()`` for the join's whole
    timeout (5 s, measured on the JACK rig). So the scheduler is closed (and its thread joined)
    only after ``close()`` has let the lock go."""
    from system_under_test import AudioSystem
    from system_under_test.devices.simulated import SimulatedBackend

    s = AudioSystem({}, backend=SimulatedBackend(VirtualClock()), clock=SystemClock())
    s.initialize()
    scheduler = s._scheduler
    assert isinstance(scheduler, ThreadScheduler)
    held_while_closing: list[bool] = []
    close = scheduler.close

    def close_and_note() -> None:
        held_while_closing.append(s._op_lock._is_owned())
        close()

    scheduler.close = close_and_note  # type: ignore[method-assign]
    s.close()
    assert held_while_closing == [False]
    assert scheduler.thread_count == 0


def test_timers_enter_the_heap_under_the_schedulers_condition(monkeypatch):
    """``call_later`` comes from any thread while the timer thread pops: a push made without the
    scheduler's condition can interleave with a pop and lose or misplace a timer. Every heap
    operation is a run of timer comparisons, so each comparison notes whether the thread making it
    holds the condition (observed as it happens, never raced for)."""
    scheduler = ThreadScheduler(SystemClock(), name="test-heap-lock")
    held: list[bool] = []
    compare = _ThreadTimer.__lt__

    def noting(self: _ThreadTimer, other: _ThreadTimer) -> bool:
        held.append(scheduler._cond._is_owned())
        return compare(self, other)

    monkeypatch.setattr(_ThreadTimer, "__lt__", noting)
    try:
        for delay in (300.0, 200.0, 100.0):  # each due after the test: the thread only waits
            scheduler.call_later(delay, lambda: None)
    finally:
        scheduler.close()
    assert len(held) >= 2 and all(held)
