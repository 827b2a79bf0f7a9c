"""Waiting on a subprocess's progress with a bound that a loaded machine does not use up.

A wall-clock bound on "the run's system RUNNING" counts the seconds the run spent waiting for a
CPU as if the run had hung: on a 2-core machine at load 25, ``soundcheck run --backend jack``
reached RUNNING after 72.7 s of wall time, 68.5 s of which its main thread spent runnable and not
given a CPU (``/proc/PID/schedstat``). So the bound here counts only the time in which *no*
process of the run's tree (the process and every descendant: its jackd, JACK agent, device host)
was runnable: the time a hang spends, never the time the scheduler kept the run waiting.
A busy hang (a process spinning for ever) is left to the test's own timeout. The waiting thread
itself is never counted: it is running whenever it reads ``/proc``, so a wait on its own process's
tree (a test waiting on the jackd its process started) would otherwise never find the tree asleep.

The rig bounds its own waits on JACK the same way (``AsleepClock``, asked poll by poll): a JACK call
answered by a server and an agent that wait for a CPU, and a graph switched at a driver cycle that
waits for one, are slow, not hung; a server or client asleep in a lock nothing releases (a wedged
metadata database) is hung, and its bound is spent as on an idle machine.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from system_under_test.clock import Clock, SystemClock

T = TypeVar("T")


def _stat_fields(stat_path: Path) -> list[str] | None:
    """The fields of a ``/proc`` stat file after the command name (state first); None if gone."""
    try:
        return stat_path.read_text().rsplit(") ", 1)[1].split()
    except (OSError, IndexError):
        return None


def process_tree(pid: int, proc: Path = Path("/proc")) -> list[int]:
    """``pid`` and every process descended from it, from the parent pids in ``/proc``; empty
    when ``pid`` is gone."""
    parents: dict[int, int] = {}
    for stat in proc.glob("[0-9]*/stat"):
        fields = _stat_fields(stat)
        if fields is not None:
            parents[int(stat.parent.name)] = int(fields[1])
    if pid not in parents:
        return []
    tree, frontier = [pid], [pid]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        tree.extend(frontier)
    return tree


def any_runnable(pids: Iterable[int], proc: Path = Path("/proc")) -> bool:
    """Whether a thread of any of ``pids`` other than the calling thread (which runs to ask) is
    running or waiting for a CPU (state ``R``)."""
    asking = str(threading.get_native_id())
    for pid in pids:
        for stat in (proc / str(pid) / "task").glob("[0-9]*/stat"):
            if stat.parent.name == asking:
                continue
            fields = _stat_fields(stat)
            if fields is not None and fields[0] == "R":
                return True
    return False


def tree_state(pid: int) -> tuple[bool, bool]:
    """(whether ``pid`` still exists, whether any process of its tree is runnable), from /proc."""
    tree = process_tree(pid)
    return bool(tree), any_runnable(tree)


class AsleepClock:
    """The seconds ``pid``'s tree has spent with none of its processes runnable, counted poll by
    poll: an interval counts when the poll that ends it finds the whole tree asleep (a thread that
    waited for a CPU through it was runnable, and the waiting thread itself is never read)."""

    def __init__(self, pid: int, *, clock: Clock | None = None,
                 state: Callable[[int], tuple[bool, bool]] = tree_state) -> None:
        self.pid = pid
        self.clock = clock or SystemClock()
        self._state = state
        self.asleep_s = 0.0
        self._last = self.clock.now()

    def poll(self) -> bool:
        """Count the interval since the last poll if the tree is asleep now; whether ``pid`` lives."""
        alive, runnable = self._state(self.pid)
        now = self.clock.now()
        if not runnable:
            self.asleep_s += now - self._last
        self._last = now
        return alive


class AsleepBound:
    """A wait's give-up test (``JackAgent.wait_ready``'s ``give_up``, a request's loop): spent once
    ``pid``'s tree (this process's by default) has slept ``asleep_s`` since it was made, the tree
    read at most every ``poll_s``; or once ``hang_s`` of wall time has passed without that (a busy
    hang, which keeps the tree runnable for ever: ``busy_hang``)."""

    def __init__(self, asleep_s: float, *, hang_s: float, poll_s: float = 0.05, pid: int | None = None,
                 clock: Clock | None = None, state: Callable[[int], tuple[bool, bool]] = tree_state) -> None:
        self.limit_s = asleep_s
        self.clock = clock or SystemClock()
        self.asleep = AsleepClock(os.getpid() if pid is None else pid, clock=self.clock, state=state)
        self.poll_s = poll_s
        self._looked = self.started_at = self.clock.now()
        self._hang_at = self._looked + hang_s

    def __call__(self) -> bool:
        now = self.clock.now()
        if now - self._looked >= self.poll_s:
            self._looked = now
            self.asleep.poll()
        return self.asleep.asleep_s >= self.limit_s or now >= self._hang_at

    @property
    def busy_hang(self) -> bool:
        """Spent by the wall-clock guard, the tree never asleep for the bound."""
        return self.asleep.asleep_s < self.limit_s and self.clock.now() >= self._hang_at


def wait_until_awake_for(
    predicate: Callable[[], T],
    pid: int,
    asleep_s: float,
    *,
    interval_s: float = 0.05,
    what: str = "condition",
    clock: Clock | None = None,
    state: Callable[[int], tuple[bool, bool]] = tree_state,
) -> T:
    """Poll ``predicate`` until it returns something truthy. Raise ``TimeoutError`` once ``pid``'s
    tree has spent ``asleep_s`` with none of its processes runnable (a poll interval counts when
    the poll that ends it finds the whole tree asleep), or as soon as ``pid`` is gone."""
    clock = clock or SystemClock()
    asleep = AsleepClock(pid, clock=clock, state=state)
    while True:
        value = predicate()
        if value:
            return value
        if not asleep.poll():
            raise TimeoutError(f"process {pid} ended before {what}")
        if asleep.asleep_s >= asleep_s:
            raise TimeoutError(f"process {pid}'s tree spent {asleep.asleep_s:.1f} s with nothing runnable "
                               f"waiting for {what}")
        clock.sleep(interval_s)


def wait_while_awake(predicate: Callable[[], T], asleep_s: float, *, interval_s: float = 0.05,
                     what: str = "condition", clock: Clock | None = None,
                     state: Callable[[int], tuple[bool, bool]] = tree_state) -> T:
    """``wait_until_awake_for`` on this process's own tree: every jackd, JACK agent and device host
    it started. The wait of a rig, or of a test on the rig it started."""
    return wait_until_awake_for(predicate, os.getpid(), asleep_s, interval_s=interval_s, what=what,
                                clock=clock, state=state)
