"""The tests' name for the rig's awake-time waits (``harness.rig.awake``), imported by scripts the
tests run from this folder as well, and ``run_while_awake``: a child process run to its end under
such a bound, where ``subprocess.run(timeout=...)`` would count a loaded machine's CPU wait."""

from __future__ import annotations

import subprocess
import tempfile
from typing import Any

from harness.rig.awake import AsleepClock, any_runnable, process_tree, tree_state, wait_until_awake_for, wait_while_awake


def run_while_awake(argv: list[str], asleep_s: float, *, what: str, **popen_kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` to its end and return its exit and output, as ``subprocess.run(argv,
    capture_output=True, text=True)`` does, bounded by the time its process tree spends asleep
    (``asleep_s``; ``TimeoutError`` naming ``what``), so a child kept waiting for a CPU is waited
    for and one asleep in a hang is not. Output goes to files, not pipes: a pipe left unread while
    the wait polls could block the child, asleep, on a full buffer. The child is killed if the
    wait raises."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, text=True, **popen_kwargs)
        try:
            wait_until_awake_for(lambda: proc.poll() is not None, proc.pid, asleep_s, what=what)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(argv, proc.returncode, out.read(), err.read())


__all__ = ["AsleepClock", "any_runnable", "process_tree", "run_while_awake", "tree_state", "wait_until_awake_for",
           "wait_while_awake"]
