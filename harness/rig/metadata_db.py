"""Whether JACK2's shared metadata database can be opened: a bounded check, in a child process.

A Berkeley DB lock left held in ``/dev/shm/jack_db-<uid>`` by a process that died holding it makes
every later open of the database wait for ever in a futex (``harness.rig._jackdb``): jackd hangs
in its start and every client in ``jack_client_open``, with no word. The rig's readiness probe then
reads exactly as a server that is slow to start, so the two are told apart here, by opening the
database as JACK2 does in a child (``_jackdb.py open``) and, when the open has not finished in
time, by what the child is doing: asleep in a futex without spending CPU is a wait that will
never end (``wedged``); running, or waiting for the CPU, is a slow machine (``undecided``), never
a reason to remove anything.
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
from pathlib import Path
from typing import Literal

from . import _jackdb
from .spawn import popen

#: How long the open itself may take (from the child's ``opening``) before its state is read: a
#: healthy open takes milliseconds, a wedged one never ends.
OPEN_TIMEOUT_S = 3.0
#: How long the child's interpreter may take to reach the open (a loaded machine): past it, the
#: check is undecided, never wedged.
START_TIMEOUT_S = 30.0
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


def _read_line(proc: subprocess.Popen[bytes], timeout_s: float) -> bytes:
    """The child's next line, or ``b""`` when none came within ``timeout_s`` (or it ended)."""
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], max(0.0, timeout_s))
    return proc.stdout.readline() if ready else b""


def _stuck_for_good(pid: int) -> bool:
    """Asleep in a futex and spending no CPU over ``STILL_S``: a wait nothing will end."""
    before = _cpu_ticks(pid)
    if before is None or not _in_futex_wait(pid):
        return False
    time.sleep(STILL_S)  # the observation window itself, not a wait for something
    return _in_futex_wait(pid) and _cpu_ticks(pid) == before


def check_metadata_db(folder: Path, *, open_timeout_s: float = OPEN_TIMEOUT_S,
                      start_timeout_s: float = START_TIMEOUT_S) -> DbCheck:
    """Open the metadata database in ``folder`` as JACK2 does, bounded; say whether it is wedged.

    The child is killed when the check ends undecided or wedged: a child killed while it waits
    for a lock it never got holds nothing, and a wedged database is removed after this anyway.
    """
    if not folder.is_dir():
        return DbCheck("absent", f"{folder} does not exist (JACK creates it as it opens)")
    proc = popen([sys.executable, "-P", _jackdb.__file__, "open", str(folder)],
                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                 start_new_session=True, bufsize=0)  # unbuffered: a line read ahead would hide from select
    try:
        if _read_line(proc, start_timeout_s).strip() != b"opening":
            return DbCheck("undecided", f"the check's process did not reach the open of {folder} in "
                                        f"{start_timeout_s:.0f} s ({_ended(proc)})")
        line = _read_line(proc, open_timeout_s).strip()
        if line == b"opened":
            return DbCheck("opens", f"{folder} opened as JACK opens it")
        if proc.poll() is not None:
            return DbCheck("undecided", f"the open of {folder} failed ({_ended(proc)})")
        if _stuck_for_good(proc.pid):
            return DbCheck("wedged", f"an open of {folder} as JACK opens it waited {open_timeout_s:.0f} s "
                                     "asleep in a futex, spending no CPU: a Berkeley DB lock held by a "
                                     "process that no longer exists")
        return DbCheck("undecided", f"an open of {folder} took over {open_timeout_s:.0f} s while its process "
                                    "ran or waited for the CPU (a loaded machine, not a held lock)")
    finally:
        _kill(proc)


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
