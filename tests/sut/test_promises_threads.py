"""Promises about the real clock's timer thread, the one thread the control side owns: it may be
closed from one of its own timers, and it is joined outside the operation lock. Each is driven so
its outcome does not depend on timing: the call under test is made from the thread in question or
observed as it happens, never raced for."""

from __future__ import annotations

import threading

from system_under_test.clock import SystemClock, VirtualClock
from system_under_test.scheduler import ThreadScheduler


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
