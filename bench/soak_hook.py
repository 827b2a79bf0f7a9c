"""What the in-process soak probes share: a private run-history database, and a probe called after
each chunk the soak's recorder books (``harness.soak._Recorder.__call__`` wrapped, then put back).

Why after the recorder's own work: the probe then reads the system and the history as the soak's
own checks just saw them, at the simulated time the chunk ended, so two runs of one seed read the
same state whatever the wall clock did."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def private_history_db(prefix: str) -> None:
    """Point the run-history database at a fresh temporary file (unless the caller chose one), so
    a probe's soak never writes the user's database."""
    os.environ.setdefault("SOUNDCHECK_HISTORY_DB", str(Path(tempfile.mkdtemp(prefix=prefix)) / "h.db"))


@contextmanager
def after_each_chunk(probe: Callable[[Any, Any], None]) -> Iterator[None]:
    """While inside, ``probe(system, history)`` runs after each chunk the soak's recorder books."""
    from harness import soak as soak_module  # noqa: PLC0415 - after the caller's environment is set

    original = soak_module._Recorder.__call__

    def hooked(self: Any, run: Any, system: Any, history: Any) -> None:
        original(self, run, system, history)
        probe(system, history)

    soak_module._Recorder.__call__ = hooked  # type: ignore[method-assign]
    try:
        yield
    finally:
        soak_module._Recorder.__call__ = original  # type: ignore[method-assign]
