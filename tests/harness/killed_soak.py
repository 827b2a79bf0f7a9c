"""A ``soundcheck soak`` that SIGKILLs itself as it is about to write a given checkpoint: a crash
between two checkpoints at one simulated instant on every machine (the work since the last
checkpoint is lost, as a ``kill -9`` loses it), with no pacing and no polling race. The tests of a
killed soak's journal (its resumption, its report, the bench that builds that report) run it."""

from __future__ import annotations

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
