"""A ``soundcheck soak`` that SIGKILLs itself as it is about to write a given checkpoint: a crash
between two checkpoints at one simulated instant on every machine (the work since the last
checkpoint is lost, as a ``kill -9`` loses it), with no pacing and no polling race. The tests of a
killed soak's journal (its resumption, its report, the bench that builds that report) run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

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


class Ended(BaseException):
    """A soak's end at a checkpoint, as a kill -9 ends it: not an ``Exception``, so nothing handles it."""


def soak_ended_every(monkeypatch: Any, tmp_path: Path, every: int, options: list[str], most: int
                     ) -> tuple[int, int, Path]:
    """``soundcheck soak --backend sim OPTIONS`` run in this process into ``tmp_path / "soak"`` (its
    history database under ``tmp_path``), ended as it is about to write every ``every``-th checkpoint
    and resumed (``--resume`` replays it) until it ends; (its lifetimes, the last exit code, the run
    folder). Cheaper than a child a lifetime (``run_killed_soak``): the soak's tests that need ten
    lifetimes run them in seconds. More than ``most`` lifetimes fails the test."""
    import harness.journal as journal_mod
    from harness.cli import main

    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    run_dir = tmp_path / "soak"
    args = ["soak", "--backend", "sim", *options, "--pace", "0", "--run-dir", str(run_dir), "--no-progress"]

    checkpoint = journal_mod.JournalWriter.checkpoint
    stop_at = [every]

    def ending(self: Any, payload: Any) -> Any:
        if self.checkpoints == stop_at[0]:
            raise Ended
        return checkpoint(self, payload)

    monkeypatch.setattr(journal_mod.JournalWriter, "checkpoint", ending)
    lifetimes = 1
    while True:
        try:
            return lifetimes, main(args), run_dir
        except Ended:
            lifetimes += 1
            stop_at[0] += every
            assert lifetimes <= most, "the soak never ended"
            args = ["soak", "--resume", str(run_dir), "--pace", "0", "--no-progress"]
