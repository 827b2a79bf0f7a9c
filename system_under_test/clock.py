"""Time, injected.

Every read of time in the system and the harness goes through a ``Clock``. ``SystemClock`` is the
wall (monotonic) clock; ``VirtualClock`` only moves when told, and runs scheduled callbacks in time
order as it moves, which turns the simulated device, the watchdog and the supervisor into one
deterministic discrete-event simulation (trio's ``MockClock`` is the model).
"""

from __future__ import annotations

import heapq
import itertools
import math
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence

_heappush = heapq.heappush
_heappop = heapq.heappop

#: ``defer_along(when, times, j, end, source) -> (later, k) | None``: see ``TimerHandle``
DeferAlong = Callable[[float, Sequence[float], int, int, object], "tuple[float, int] | None"]


class Clock(ABC):
    """A source of monotonic time in seconds."""

    #: True when time only moves when someone calls ``advance`` (simulation).
    virtual: bool = False

    @abstractmethod
    def now(self) -> float:
        """Seconds since an arbitrary origin; never goes backwards."""

    @abstractmethod
    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass."""


class SystemClock(Clock):
    """The machine's monotonic clock."""

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class TimerHandle:
    """Returned by ``VirtualClock.call_at``; ``cancel()`` stops the callback from running.

    ``defer``, set by the timer's owner (None by default): ``defer(when)`` is asked, when
    ``VirtualClock.advance_to_next`` finds this timer due at ``when`` in its way, whether its
    callback would do nothing there but schedule itself again. It returns that later time, having
    done whatever else the callback would have done at ``when`` (nothing else runs between now and
    then), and the timer moves there; or None, and the timer runs as usual.

    ``defer_along``, also set by the owner (None by default), answers for a run of deferrals at
    once: ``defer_along(when, times, j, end, source)`` is asked by
    ``VirtualClock.advance_along_deferring`` when this timer, due at ``when``, is the first in the
    way of ``times[j]`` and ``source`` (the caller that moves the clock along ``times``) calls back
    at each of ``times[j - 1:end]`` with nothing else falling due before ``times[end]``. It
    returns ``(later, k)``: the deferrals that asking ``defer`` at each time the clock would stop
    on its way along ``times[j:k]`` would give (each asked with ``source``'s last callback at the
    time before), done, the last of them moving the timer to ``later``, with ``times[k]`` (if
    ``k < end``) the next time a deferral would be asked; or None when it cannot answer for the
    first of them (then ``defer`` is asked, as usual). It stops before a deferral it would not
    give: that one is asked through ``defer``, which refuses it."""

    __slots__ = ("when", "callback", "cancelled", "defer", "defer_along")

    def __init__(self, when: float, callback: Callable[[], None]) -> None:
        self.when = when
        self.callback = callback
        self.cancelled = False
        self.defer: Callable[[float], float | None] | None = None
        self.defer_along: DeferAlong | None = None

    def cancel(self) -> None:
        """Never run the callback; and let go of it (and of ``defer``/``defer_along``) now.

        Why let go: a cancelled timer stays in the clock's queue until its time comes, and its
        callback is usually a bound method of its owner (a stream, a recovery run): kept, it would
        hold a torn-down stream and all it reaches alive until then. Every reader of the queue
        skips a cancelled timer before it reads these."""
        self.cancelled = True
        self.callback = cancelled_callback
        self.defer = self.defer_along = None


def cancelled_callback() -> None:
    """What a cancelled timer (``TimerHandle``, ``scheduler._ThreadTimer``) holds in place of its
    callback: nothing to run, nothing held."""


class VirtualClock(Clock):
    """A clock that moves only when told, running due timers in (time, scheduling order).

    ``sleep()`` on a virtual clock advances it (so code written against ``Clock`` works in both
    worlds). Thread-safe for scheduling; ``advance`` is meant to be driven from one thread.
    """

    virtual = True

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)
        # heap entries are (when, seq, handle): tuples compare in C, which keeps a simulated
        # second (hundreds of timers) cheap
        self._timers: list[tuple[float, int, TimerHandle]] = []
        self._seq = itertools.count()
        #: every entry of ``_timers`` by its seq, in the order they were queued (seqs only grow; an
        #: entry taken off the heap for a moment and put back as it was keeps its place here):
        #: ``timers_queued_after`` reads the newest without walking the heap
        self._queued: dict[int, TimerHandle] = {}
        self._lock = threading.RLock()
        #: the deadline of the innermost ``run_until`` running (-inf outside one): how far
        #: ``advance_to_next`` may move the clock without the event loop
        self._deadline = -math.inf

    def now(self) -> float:
        return self._now

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def call_at(self, when: float, callback: Callable[[], None]) -> TimerHandle:
        if not when >= self._now:  # a time already past, or NaN (which would break the heap's order), is now
            when = self._now
        handle = TimerHandle(when, callback)
        with self._lock:
            seq = next(self._seq)
            _heappush(self._timers, (when, seq, handle))
            self._queued[seq] = handle
        return handle

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle:
        # call_at inlined: every simulated block schedules two timers through here
        when = self._now + (delay if delay > 0.0 else 0.0)  # == max(0.0, delay), NaN included
        handle = TimerHandle(when, callback)
        with self._lock:
            seq = next(self._seq)
            _heappush(self._timers, (when, seq, handle))
            self._queued[seq] = handle
        return handle

    def next_deadline(self) -> float | None:
        with self._lock:
            while self._timers and self._timers[0][2].cancelled:
                del self._queued[heapq.heappop(self._timers)[1]]
            return self._timers[0][0] if self._timers else None

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``, running every timer that falls due, in order."""
        if seconds < 0:
            raise ValueError(f"a clock cannot go backwards (advance({seconds}))")
        self.run_until(self._now + seconds)

    def run_until(self, deadline: float) -> None:
        timers = self._timers
        queued = self._queued
        lock = self._lock
        pop = _heappop
        outer = self._deadline
        self._deadline = deadline
        try:
            while True:
                with lock:
                    if not timers or timers[0][0] > deadline:
                        break
                    when, seq, handle = pop(timers)
                    del queued[seq]
                if handle.cancelled:
                    continue
                if when > self._now:
                    self._now = when
                handle.callback()
        finally:
            self._deadline = outer
        if deadline > self._now:
            self._now = deadline

    def advance_to_next(self, when: float) -> bool:
        """Move the clock to ``when`` now, from inside a timer's callback, if that is exactly what
        the event loop would do next with a timer scheduled for ``when`` at this moment: ``when``
        is within the running ``run_until``'s deadline and no live timer falls due at or before it
        (a timer due at the same time was scheduled earlier, so it would run first). True: the
        clock reads ``when`` and the caller runs its callback's work itself; False: nothing moved,
        schedule a timer as usual. A timer in the way whose ``defer`` moves it past ``when`` (see
        ``TimerHandle``) is moved, not run: what it would have done at its time is done.

        The simulated device calls it after each block so that a stretch of blocks with nothing
        else due costs one timer, not one a block (a timer is a handle, a heap push and pop and a
        pass of the loop); the order of everything that happens is the same, so a seed's history
        is too."""
        if when > self._deadline or when < self._now:
            return False
        timers = self._timers
        queued = self._queued
        lock = self._lock
        while True:
            with lock:
                while timers and timers[0][2].cancelled:  # the loop would skip them on its way anyway
                    del queued[_heappop(timers)[1]]
                if not timers or timers[0][0] > when:
                    break
                head = timers[0]
                defer = head[2].defer
                if defer is None:
                    return False
                _heappop(timers)
            # A timer whose owner can tell, now, that at its time it would only schedule itself
            # again (``TimerHandle.defer``; the watchdog's pass of a healthy stream): nothing else
            # falls due before it, so asking now is asking then. Outside the clock's lock: the owner
            # takes its own.
            later = defer(head[0])
            with lock:
                if later is None or not later > head[0]:
                    _heappush(timers, head)  # back in its place: it runs as scheduled
                    return False
                handle = head[2]
                handle.when = later
                del queued[head[1]]
                seq = next(self._seq)
                _heappush(timers, (later, seq, handle))
                queued[seq] = handle
        self._now = when
        return True

    def advance_along(self, times: Sequence[float], i: int) -> int:
        """Move the clock along ``times[i + 1:]`` (increasing; the clock reads ``times[i]``) as far
        as ``advance_to_next`` would move it time after time with no timer in the way, in one
        call: up to the last time before the earliest live timer, within the running
        ``run_until``'s deadline. Returns ``j``: the clock now reads ``times[j - 1]`` (``j == i +
        1``: it did not move). A timer in the way is not asked (its ``defer``) here; the caller's
        next ``advance_to_next(times[j])`` asks it, as the move after ``times[j - 1]`` would. For
        a caller that delivers the blocks between two timers at once (``SimulatedStream``)."""
        with self._lock:
            timers = self._timers
            while timers and timers[0][2].cancelled:  # as advance_to_next skips them
                del self._queued[_heappop(timers)[1]]
            head = timers[0][0] if timers else math.inf
            deadline, now = self._deadline, self._now
            j, n = i + 1, len(times)
            while j < n:
                when = times[j]
                if not (when < head and now <= when <= deadline):
                    break
                j += 1
            if j > i + 1:
                self._now = times[j - 1]
        return j

    def advance_along_deferring(self, times: Sequence[float], i: int,
                                ready: Callable[[int], bool], source: object = None) -> tuple[int, bool]:
        """``advance_along`` past the timers that defer: the moves a caller makes by
        ``advance_along(times, i)``, then, while a time is left, ``ready(j)`` and
        ``advance_to_next(times[j])`` (which asks the timer in the way its ``defer``) and
        ``advance_along(times, j)`` again, until the end of ``times``, a ``ready`` that says stop
        or a refusal. Returns ``(j, moved)``: the clock reads ``times[j - 1]``; ``moved`` is False
        when ``advance_to_next(times[j])`` refused (the timer runs as scheduled), True otherwise.

        ``ready(j)`` is called with the clock at ``times[j - 1]`` before each deferral is asked:
        the caller brings what a timer's owner reads up to its ``j``-th time there (the simulated
        device: the stream's counters and last callback time) and says whether it goes on. The
        order of every call is the one of a caller that does each step itself; the saving is
        that its own work between two deferrals (nothing of which a deferral reads) is done once
        for the whole run (``SimulatedStream._deliver_stretch``: a watchdog pass falls every few
        blocks of a stretch).

        ``source``, if given, is the caller that calls back at each of ``times`` (the stream): a
        deferrable timer in the way whose owner watches it (``TimerHandle.defer_along``) answers
        for the run of its deferrals along ``times`` in one call (``_defer_along``) instead of
        one call a deferral; ``ready`` is then asked before the first of them only (the owner
        promises that its deferrals change nothing that ``ready`` reads, and reads nothing of
        the caller's but ``times``)."""
        n = len(times)
        j = self.advance_along(times, i)
        while j < n and ready(j):
            if source is not None:
                k = self._defer_along(times, j, source)
                if k is not None:
                    j = k
                    continue
            if not self.advance_to_next(times[j]):
                return j, False
            j = self.advance_along(times, j)
        return j, True

    def _defer_along(self, times: Sequence[float], j: int, source: object) -> int | None:
        """The moves of ``advance_along_deferring`` from ``times[j]`` on, its deferrals answered
        by one ``defer_along`` of the deferrable timer in the way: that timer is the first live
        one due at or before ``times[j]``, the clock may move to ``times[j]``
        (``advance_to_next``'s conditions), and the owner is told how far along ``times`` the
        clock may go with nothing else due (``end``: before the next live timer's time, within
        the running ``run_until``'s deadline, as ``advance_along`` goes). Returns ``k``, the clock
        reading ``times[k - 1]`` and the timer moved to its new time; None, nothing done."""
        when0 = times[j]
        if when0 > self._deadline or when0 < self._now:
            return None
        timers = self._timers
        queued = self._queued
        with self._lock:
            while timers and timers[0][2].cancelled:
                del queued[_heappop(timers)[1]]
            if not timers:
                return None
            head = timers[0]
            fold = head[2].defer_along
            if fold is None or head[0] > when0:
                return None
            _heappop(timers)
            while timers and timers[0][2].cancelled:
                del queued[_heappop(timers)[1]]
            other = timers[0][0] if timers else math.inf
            deadline = self._deadline
            end, n = j, len(times)
            while end < n:
                when = times[end]
                if not (when < other and when <= deadline):
                    break
                end += 1
        if end == j:
            with self._lock:
                _heappush(timers, head)  # back in its place: nothing moved
            return None
        # Outside the clock's lock, as ``advance_to_next`` asks ``defer``: the owner takes its own.
        answer = fold(head[0], times, j, end, source)
        with self._lock:
            if answer is None:
                _heappush(timers, head)  # back in its place: ``advance_to_next`` asks it
                return None
            later, k = answer
            handle = head[2]
            handle.when = later
            del queued[head[1]]
            seq = next(self._seq)
            _heappush(timers, (later, seq, handle))
            queued[seq] = handle
        self._now = times[k - 1]
        return k

    def quiet_until(self) -> tuple[float, float]:
        """``(deadline, first)``: the running ``run_until``'s deadline (-inf outside one) and the
        time of the earliest live timer without a ``defer`` (inf if none). ``advance_to_next(t)``
        refuses every ``t`` past the deadline or at or after ``first``; before both, it can only
        meet timers with a ``defer``, which it asks (and which may refuse). For a caller that
        plans a stretch of several moves at once (``SimulatedStream``)."""
        first = math.inf
        with self._lock:
            timers = self._timers
            n = len(timers)
            if n:
                # the heap's entries in time order from its root, until a live one without a
                # defer: only those before it are visited, not the whole heap (a faulted run's
                # holds every scheduled fault's timer: hundreds)
                todo = [(timers[0][0], timers[0][1], 0)]
                while todo:
                    when, _, i = _heappop(todo)
                    handle = timers[i][2]
                    if handle.defer is None and not handle.cancelled:
                        first = when
                        break
                    for j in (2 * i + 1, 2 * i + 2):
                        if j < n:
                            entry = timers[j]
                            _heappush(todo, (entry[0], entry[1], j))
        return self._deadline, first

    def pending(self) -> int:
        with self._lock:
            return sum(1 for _, _, h in self._timers if not h.cancelled)

    def live_timers(self) -> list[TimerHandle]:
        """The timers still to run (queued, not cancelled), in no set order; nothing changes.

        Why: a timer holds its callback, and the callback its owner, until it fires; a reader that
        asks whether an owner let go of every timer it armed (the harness's ``timers_let_go``: a
        closed system, a cancelled recovery) needs the handles, not a count."""
        with self._lock:
            queued = [entry[2] for entry in self._timers]
        return [handle for handle in queued if not handle.cancelled]

    def timers_queued_after(self, seq: int) -> tuple[int, list[tuple[int, TimerHandle]]]:
        """``(newest, found)``: the newest seq still queued (``seq`` when none is newer) and the timers queued
        after ``seq`` that are still queued and not cancelled, as ``(seq, handle)``, newest first;
        nothing changes. A timer deferred (``defer``, ``defer_along``) is queued again under a new
        seq. One taken off the queue for a moment by ``advance_to_next`` or ``_defer_along``
        while its owner is asked to defer it is still listed here; ``live_timers`` does not list
        it.

        Why: a reader that asks again and again which live timers an owner holds (the harness's
        ``timers_let_go``, at every exit from recovery) would otherwise read the whole queue each
        time, and a faulted soak queues every scheduled fault's timer at its start: thousands an
        hour of soak, read at thousands of exits an hour. Reading only the timers queued since its
        last look (their owners do not change while they wait) makes each look as long as what
        was armed in between."""
        with self._lock:
            queued = self._queued
            found = []
            newest = seq
            for s in reversed(queued):
                if s <= seq:
                    break
                if s > newest:
                    newest = s
                handle = queued[s]
                if not handle.cancelled:
                    found.append((s, handle))
            return newest, found

    def queued_timer(self, seq: int) -> TimerHandle | None:
        """The timer queued under ``seq`` while it is still queued (or taken off for a moment, as
        ``timers_queued_after`` says), cancelled or not; None once it has run or been dropped."""
        return self._queued.get(seq)


__all__ = ["Clock", "DeferAlong", "SystemClock", "TimerHandle", "VirtualClock", "cancelled_callback"]
