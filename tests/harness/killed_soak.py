"""A ``soundcheck soak`` that SIGKILLs itself as it is about to write a given checkpoint: a crash
between two checkpoints at one simulated instant on every machine (the work since the last
checkpoint is lost, as a ``kill -9`` loses it), with no pacing and no polling race. The tests of a
killed soak's journal (its resumption, its report, the bench that builds that report) run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_SCRIPT = """
import os, signal, sys
from harness import journal
checkpoint = journal.JournalWriter.checkpoint
def dying(self, payload):
    if self.checkpoints == {written}:
        os.kill(os.getpid(), signal.SIGKILL)
    return checkpoint(self, payload)
journal.JournalWriter.checkpoint = dying
from harness.cli import main
sys.exit(main(sys.argv[1:]))
"""


def killed_at_checkpoint(n: int) -> str:
    """The ``python -c`` source of ``soundcheck ARGS`` killed as it is about to write its
    ``n``-th checkpoint (``n - 1`` written)."""
    return _SCRIPT.format(written=n - 1)


def run_killed_soak(n: int, run_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``soundcheck soak ARGS --pace 0 --run-dir RUN_DIR --no-progress`` in a child killed as it is
    about to write its ``n``-th checkpoint; its outcome (``-SIGKILL`` when it was)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", killed_at_checkpoint(n), "soak", *args, "--pace", "0",
                           "--run-dir", str(run_dir), "--no-progress"],
                          cwd=ROOT, env=env, capture_output=True, text=True)
