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
"""

from __future__ import annotations

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
    asleep = 0.0
    last = clock.now()
    while True:
        value = predicate()
        if value:
            return value
        alive, runnable = state(pid)
        if not alive:
            raise TimeoutError(f"process {pid} ended before {what}")
        now = clock.now()
        if not runnable:
            asleep += now - last
        last = now
        if asleep >= asleep_s:
            raise TimeoutError(f"process {pid}'s tree spent {asleep:.1f} s with nothing runnable "
                               f"waiting for {what}")
        clock.sleep(interval_s)
