"""Whether JACK2's shared metadata database can be opened: a bounded check, in a child process.

A Berkeley DB lock left held in ``/dev/shm/jack_db-<uid>`` by a process that died holding it makes
every later open of the database wait for ever in a futex (``harness.rig._jackdb``): jackd hangs
in its start and every client in ``jack_client_open``, with no word. The rig's readiness probe then
reads exactly as a server that is slow to start, so the two are told apart here, by opening the
database as JACK2 does in a child (``_jackdb.py open``) and, when the open has not finished in
time, by what the child is doing: asleep in a futex without spending CPU is a wait that will
never end (``wedged``); running, or waiting for the CPU, is a slow machine (``undecided``), never
a reason to remove anything.

"In time" is the child's time asleep (``harness.rig.awake``), not wall time: on a 2-core machine
beside busy loops the child can wait for a CPU longer than any wall bound, and a wall bound spent
that way read a wedged database as "undecided", so the rig kept it and its start failed. A child
that never sleeps (a busy hang) is given up on after ``HANG_S`` of wall time, undecided.
"""

from __future__ import annotations

import os
import platform
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from . import _jackdb
from .awake import AsleepBound, tree_state
from .spawn import popen

#: How long the child may sleep in the open (from its ``opening``) before its state is read: a
#: healthy open takes milliseconds, a wedged one sleeps for ever.
OPEN_TIMEOUT_S = 3.0
#: How long the child's interpreter may sleep before it reaches the open: past it, the check is
#: undecided, never wedged.
START_TIMEOUT_S = 30.0
#: Wall-clock guard for a child that never sleeps nor answers (a busy hang): undecided.
HANG_S = 300.0
#: How often the child's state is read while the check waits for its line.
POLL_S = 0.05
#: How long a waiting child is watched for CPU spent before its wait counts as one that never ends.
STILL_S = 1.0
#: The futex system call's number where ``/proc/<pid>/wchan`` is hidden (by architecture).
FUTEX_SYSCALL = {"x86_64": 202, "aarch64": 98}

Verdict = Literal["opens", "wedged", "absent", "undecided"]


@dataclass(frozen=True)
class DbCheck:
    """What the check found: ``verdict``, and in words what it rests on (for logs and errors)."""

    verdict: Verdict
    detail: str


def _in_futex_wait(pid: int) -> bool:
    """True when every thread of ``pid`` sleeps in a futex wait (kernel ``wchan`` or syscall)."""
    tasks = list(Path(f"/proc/{pid}/task").glob("[0-9]*"))
    if not tasks:
        return False
    futex_nr = FUTEX_SYSCALL.get(platform.machine())
    for task in tasks:
        try:
            state = (task / "stat").read_text().rsplit(")", 1)[1].split()[0]
            wchan = (task / "wchan").read_text()
            syscall = (task / "syscall").read_text().split()
        except (OSError, IndexError):
            return False
        if state != "S":
            return False
        if "futex" not in wchan and not (syscall and futex_nr is not None and syscall[0] == str(futex_nr)):
            return False
    return True


def _cpu_ticks(pid: int) -> int | None:
    """User plus system CPU time of ``pid`` in clock ticks (None when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[11]) + int(fields[12])


def _read_line(proc: subprocess.Popen[bytes], bound: AsleepBound) -> bytes:
    """The child's next line, or ``b""`` when none came before ``bound`` was spent (the child asleep
    for its limit, or its busy-hang guard passed) or the child ended."""
    assert proc.stdout is not None
    while True:
        ready, _, _ = select.select([proc.stdout], [], [], bound.poll_s)
        if ready:
            return proc.stdout.readline()
        if bound():
            return b""


def _stuck_for_good(pid: int) -> bool:
    """Asleep in a futex and spending no CPU over ``STILL_S``: a wait nothing will end."""
    before = _cpu_ticks(pid)
    if before is None or not _in_futex_wait(pid):
        return False
    time.sleep(STILL_S)  # the observation window itself, not a wait for something
    return _in_futex_wait(pid) and _cpu_ticks(pid) == before


def check_metadata_db(folder: Path, *, open_timeout_s: float = OPEN_TIMEOUT_S,
                      start_timeout_s: float = START_TIMEOUT_S, hang_s: float = HANG_S,
                      state: Callable[[int], tuple[bool, bool]] = tree_state) -> DbCheck:
    """Open the metadata database in ``folder`` as JACK2 does, bounded; say whether it is wedged.

    Both bounds count the child's time asleep (``state`` reads it: alive, runnable), so a child
    kept waiting for a CPU is waited for; ``hang_s`` of wall time ends a wait on a child that
    never sleeps. The child is killed when the check ends undecided or wedged: a child killed
    while it waits for a lock it never got holds nothing, and a wedged database is removed after
    this anyway.
    """
    if not folder.is_dir():
        return DbCheck("absent", f"{folder} does not exist (JACK creates it as it opens)")
    proc = popen([sys.executable, "-P", _jackdb.__file__, "open", str(folder)],
                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                 start_new_session=True, bufsize=0)  # unbuffered: a line read ahead would hide from select
    try:
        started = AsleepBound(start_timeout_s, hang_s=hang_s, poll_s=POLL_S, pid=proc.pid, state=state)
        if _read_line(proc, started).strip() != b"opening":
            return DbCheck("undecided", f"the check's process did not reach the open of {folder} "
                                        f"({_spent(started)}; {_ended(proc)})")
        opening = AsleepBound(open_timeout_s, hang_s=hang_s, poll_s=POLL_S, pid=proc.pid, state=state)
        line = _read_line(proc, opening).strip()
        if line == b"opened":
            return DbCheck("opens", f"{folder} opened as JACK opens it")
        if proc.poll() is not None:
            return DbCheck("undecided", f"the open of {folder} failed ({_ended(proc)})")
        if not opening.busy_hang and _stuck_for_good(proc.pid):
            return DbCheck("wedged", f"an open of {folder} as JACK opens it slept {open_timeout_s:.0f} s "
                                     "in a futex, spending no CPU: a Berkeley DB lock held by a "
                                     "process that no longer exists")
        return DbCheck("undecided", f"an open of {folder} did not finish ({_spent(opening)}) and its process "
                                    "was not asleep in a futex spending no CPU (a loaded machine, not a held lock)")
    finally:
        _kill(proc)


def _spent(bound: AsleepBound) -> str:
    """How ``bound`` was spent, in words: the child's sleep or the busy-hang guard."""
    if bound.busy_hang:
        return f"it ran or waited for a CPU for {bound.clock.now() - bound.started_at:.0f} s without sleeping " \
               f"{bound.limit_s:.0f} s"
    return f"it slept {bound.asleep.asleep_s:.1f} s"


def _ended(proc: subprocess.Popen[bytes]) -> str:
    code = proc.poll()
    if code is None:
        return "still running"
    assert proc.stderr is not None
    err = proc.stderr.read().decode(errors="replace").strip()[-300:]
    return f"exit status {code}" + (f": {err}" if err else "")


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait(timeout=5)
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()


__all__ = ["DbCheck", "check_metadata_db"]
