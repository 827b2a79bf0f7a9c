"""A re-entrant lock that work posted from another thread never waits for.

The system calls its transition observers on the thread that makes the transition, while that
thread holds the system's operation lock: a recovery's ``enter`` makes RECOVERING, tells every
observer, and only then tears the dead stream down, with the recovery's deadline already
running. An observer that waits for a lock of the harness's hands the harness's own slowness to
the system: on the JACK rig beside two busy loops a recovery's ``enter`` spent 18.5-19.0 s of its
10 s deadline in the observers of its RECOVERING (the stream's close after it took 0.4-0.6 s),
while the run's loop, which feeds the audio check its capture under the check's lock, recorded
nothing for 26 s around it (bench/RESULTS.md, issue #11): a healthy system FAILED by its harness.

``DeferringLock.post(work)`` never blocks: the work runs at once when the lock is free (or held
by this same thread: exactly where a plain ``with lock`` would have run it), else the thread that
holds it runs it before it lets go. So every posted work runs under the lock, in the order posted,
between two whole critical sections, as it would had it waited its turn, never in the middle of
one: an interleaving the plain lock allowed, no new one.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from types import TracebackType

__all__ = ["DeferringLock"]


class DeferringLock:
    """``with lock:`` as an ``RLock``; ``post(work)`` runs ``work()`` under it without waiting."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._owner: int | None = None  # the holding thread's ident (set and cleared by it alone)
        self._depth = 0  # the owner's holds: posted work runs as the outermost begins and ends
        self._posted: deque[Callable[[], None]] = deque()

    def __enter__(self) -> DeferringLock:
        self._lock.acquire()
        self._hold()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._let_go():
            self._run_if_free()

    def post(self, work: Callable[[], None]) -> None:
        """Run ``work()`` under the lock: now if it is free or this thread holds it, else by its
        holder before it lets go. Never waits for another thread."""
        if self._owner == threading.get_ident():
            work()  # inside this thread's own hold: where a re-entrant ``with`` would run it
            return
        self._posted.append(work)
        self._run_if_free()

    @property
    def posted(self) -> int:
        """Works posted and not yet run (a holder runs them before it lets go)."""
        return len(self._posted)

    def _hold(self) -> None:
        """Just acquired: count the hold; the outermost runs what was posted before it (a work
        that raises lets the hold go, so the lock is never left held by a failed ``with``)."""
        self._depth += 1
        if self._depth == 1:
            self._owner = threading.get_ident()
            try:
                self._run_posted()
            except BaseException:
                self._depth -= 1
                self._owner = None
                self._lock.release()
                raise

    def _let_go(self) -> bool:
        """Release one hold, the outermost after running what was posted meanwhile; True when
        this thread holds it no more."""
        outermost = self._depth == 1
        try:
            if outermost:
                self._run_posted()
        finally:
            self._depth -= 1
            if outermost:
                self._owner = None
            self._lock.release()
        return outermost

    def _run_if_free(self) -> None:
        # A holder that let go after its last look at the queue leaves work behind only for a
        # poster that found it held: whoever lets go last looks again, so none is stranded.
        while self._posted and self._lock.acquire(blocking=False):
            self._hold()
            self._let_go()

    def _run_posted(self) -> None:
        """Every posted work, oldest first (under the lock, at its outermost hold)."""
        posted = self._posted
        while posted:
            posted.popleft()()
