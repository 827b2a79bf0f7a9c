"""Timers for the control side (supervisor ticks, recovery back-off), on either clock.

On a ``VirtualClock`` timers are events in the simulation and run when the clock is advanced, in
order, on the advancing thread: a run is a pure function of its seed. On the system clock one
daemon thread runs them; the thread is the only one the control side owns, and ``close()`` joins it.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from typing import Protocol

from .clock import Clock, VirtualClock, cancelled_callback


class Cancellable(Protocol):
    def cancel(self) -> None: ...


class Scheduler:
    def call_later(self, delay: float, callback: Callable[[], None]) -> Cancellable:
        raise NotImplementedError

    def close(self) -> None:
        pass

    @property
    def thread_count(self) -> int:
        return 0


class VirtualScheduler(Scheduler):
    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        # The supervisor reschedules itself every few simulated ms: go straight to the clock.
        self.call_later = clock.call_later  # type: ignore[method-assign]

    def call_later(self, delay: float, callback: Callable[[], None]) -> Cancellable:
        return self.clock.call_later(delay, callback)


class _ThreadTimer:
    __slots__ = ("when", "seq", "callback", "cancelled")

    def __init__(self, when: float, seq: int, callback: Callable[[], None]) -> None:
        self.when, self.seq, self.callback, self.cancelled = when, seq, callback, False

    def __lt__(self, other: "_ThreadTimer") -> bool:
        return (self.when, self.seq) < (other.when, other.seq)

    def cancel(self) -> None:
        """Never run the callback, and let go of it now (as ``clock.TimerHandle.cancel`` does): a
        cancelled timer stays in the heap until its time comes, and its callback is usually a bound
        method of its owner, which it would keep alive until then. The thread reads ``cancelled``
        before ``callback``; a cancel between the two reads leaves it a callback that does nothing."""
        self.cancelled = True
        self.callback = cancelled_callback


class ThreadScheduler(Scheduler):
    """One daemon thread running timers on a real clock; exceptions in a timer are swallowed."""

    def __init__(self, clock: Clock, name: str = "soundcheck-supervisor") -> None:
        self.clock = clock
        self._heap: list[_ThreadTimer] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def call_later(self, delay: float, callback: Callable[[], None]) -> Cancellable:
        timer = _ThreadTimer(self.clock.now() + max(0.0, delay), next(self._seq), callback)
        with self._cond:
            heapq.heappush(self._heap, timer)
            self._cond.notify()
        return timer

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._closed:
                    if self._heap and self._heap[0].when <= self.clock.now():
                        break
                    timeout = (self._heap[0].when - self.clock.now()) if self._heap else None
                    self._cond.wait(timeout)
                if self._closed:
                    return
                timer = heapq.heappop(self._heap)
            if not timer.cancelled:
                try:
                    timer.callback()
                except Exception:  # a timer must never kill the supervisor thread
                    import logging
                    logging.getLogger(__name__).exception("scheduled callback raised")

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._heap.clear()
            self._cond.notify_all()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=5)

    @property
    def thread_count(self) -> int:
        return 1 if self._thread.is_alive() else 0


def scheduler_for(clock: Clock) -> Scheduler:
    if isinstance(clock, VirtualClock):
        return VirtualScheduler(clock)
    return ThreadScheduler(clock)


__all__ = ["Cancellable", "Scheduler", "ThreadScheduler", "VirtualScheduler", "scheduler_for"]
