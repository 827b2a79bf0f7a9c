"""Hold one thread of this process off a CPU while the JACK server and its clients keep running.

``held_thread`` is the machine keeping the system's delivery thread (the thread its callback runs
on) from running, for a bound of real time, on a 2-core machine: the thread is pinned to CPU 0
under ``SCHED_IDLE`` beside busy loops pinned there, while every child process of this one (the
rig's ``jackd``, the device host, the rig's capture agent) is pinned to the other CPU, so the
server keeps calling its clients back. ``SCHED_IDLE`` (weight 3 against a busy loop's 1024, in
the same autogroup: the loops are this process's children) keeps it waiting runnable: what the
system's watchdog measures as ``callback_cpu_wait_s``. Nothing is stopped by a signal: the thread
waits for a CPU, as on a loaded machine, and no lock is held.

Everything is given back on the way out, even on an error: the thread's policy and CPUs, the
children's CPUs, and the busy loops (killed by pid and reaped).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

#: the busy loop: pins itself to its CPU, says so, spins until killed
_SPIN = "import os, sys\nos.sched_setaffinity(0, {%d})\nprint('spinning', flush=True)\nwhile True:\n    pass\n"


def _children() -> list[int]:
    """Pids of this process's children (every thread's ``children`` list)."""
    pids: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        with contextlib.suppress(OSError):
            pids.update(int(p) for p in (task / "children").read_text().split())
    return sorted(pids)


def _tasks(pid: int) -> list[int]:
    """Thread ids of process ``pid`` (none if it is gone)."""
    try:
        return [int(t.name) for t in Path(f"/proc/{pid}/task").iterdir()]
    except OSError:
        return []


def _set_cpus(tids: list[int], cpus: set[int]) -> dict[int, set[int]]:
    """Pin every thread of ``tids`` still alive to ``cpus``; their CPUs before, to give back."""
    before: dict[int, set[int]] = {}
    for tid in tids:
        with contextlib.suppress(OSError):
            was = os.sched_getaffinity(tid)
            os.sched_setaffinity(tid, cpus)
            before[tid] = was
    return before


def _restore(before: dict[int, set[int]]) -> None:
    for tid, cpus in before.items():
        with contextlib.suppress(OSError):  # a thread that ended since
            os.sched_setaffinity(tid, cpus)


@contextlib.contextmanager
def held_thread(tid: int, *, loops: int = 2, cpu: int = 0, spare_cpu: int = 1,
                ) -> Iterator[list[int]]:
    """Within the block, thread ``tid`` of this process waits for ``cpu`` behind ``loops`` busy
    loops, and this process's children run on ``spare_cpu``. Yields the busy loops' pids.

    Raises ``RuntimeError`` on a machine with fewer than two CPUs (there is no other CPU to keep
    the server on) or when a busy loop does not start (it prints at once, or ends)."""
    if len(os.sched_getaffinity(0)) < 2 or (os.cpu_count() or 1) <= max(cpu, spare_cpu):
        raise RuntimeError(f"holding a thread needs CPUs {cpu} and {spare_cpu}; this machine has {os.cpu_count()}")
    spins: list[subprocess.Popen[bytes]] = []
    children: dict[int, set[int]] = {}
    policy = os.sched_getscheduler(tid)
    param = os.sched_getparam(tid)
    thread_cpus = os.sched_getaffinity(tid)
    try:
        for _ in range(loops):
            spin = subprocess.Popen([sys.executable, "-c", _SPIN % cpu], stdout=subprocess.PIPE,
                                    stdin=subprocess.DEVNULL)
            spins.append(spin)
        for spin in spins:
            assert spin.stdout is not None
            ready = spin.stdout.readline()  # bounded: the loop prints at once, or dies (EOF)
            if ready != b"spinning\n":
                raise RuntimeError(f"busy loop {spin.pid} did not start (said {ready!r})")
        spin_pids = {s.pid for s in spins}
        for pid in _children():
            if pid not in spin_pids:
                children.update(_set_cpus(_tasks(pid), {spare_cpu}))
        os.sched_setaffinity(tid, {cpu})
        os.sched_setscheduler(tid, os.SCHED_IDLE, os.sched_param(0))
        yield sorted(spin_pids)
    finally:
        with contextlib.suppress(OSError):
            os.sched_setscheduler(tid, policy, param)
        with contextlib.suppress(OSError):
            os.sched_setaffinity(tid, thread_cpus)
        for spin in spins:
            spin.kill()
        for spin in spins:
            spin.wait()
            if spin.stdout is not None:
                spin.stdout.close()
        _restore(children)


__all__ = ["held_thread"]
