"""Promises that involve a second thread: the real clock's timer thread, and the errors a device's
audio thread leaves for the supervisor. Each is driven so its outcome does not depend on timing:
the interleaving under test is forced (a timer that runs the call, callbacks between two passes),
never hoped for."""

from __future__ import annotations

import threading

import numpy as np

from system_under_test.clock import SystemClock, VirtualClock
from system_under_test.config import AudioConfig
from system_under_test.devices.base import StatusFlags
from system_under_test.monitoring import MonitoringCoordinator
from system_under_test.pipeline import Pipeline
from system_under_test.resources import ResourceManager
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


def _pipeline() -> Pipeline:
    return Pipeline(AudioConfig(), ResourceManager(VirtualClock()), MonitoringCoordinator(), simulated=True)


def test_every_callback_error_between_two_supervisor_passes_is_kept():
    """Errors wait in the pipeline until a supervisor pass drains them; on a real device several
    callbacks come between passes, so several errors must wait there, oldest first."""
    p = _pipeline()
    p.capturing = True
    bs, ch = p.block_size, p.in_channels
    out = np.zeros((bs, p.out_channels), dtype=np.float32)
    for frames in (bs - 1, bs - 2, bs - 3):  # the device hands a block of the wrong length
        p.callback(np.zeros((frames, ch), dtype=np.float32), out, bs, 0.0, StatusFlags())
    assert [e.type for e in p.errors] == ["CallbackError"] * 3
    assert [e.message.split(" input")[0] for e in p.errors] == \
        [f"device delivered ({bs - n}, {ch})" for n in (1, 2, 3)]
    p.release()


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
