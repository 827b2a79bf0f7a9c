"""Where and when a run ran: start time, commit, host, Python, command line.

Every report shows them in its header and the run-history database keeps the commit and start time
on every row, so a regression can be traced to the change that brought it. ``soundcheck run``
records them in the history's ``meta`` entry when the run begins (a report rebuilt later from the
run folder reads them back); soaks keep them in their journal header.
"""

from __future__ import annotations

import platform
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = ["CpuPeak", "git_commit", "run_provenance"]


def git_commit(where: Path | None = None) -> str | None:
    """The short commit of the checkout the harness runs from, or None outside a git checkout."""
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                             timeout=10, cwd=where or Path(__file__).resolve().parent)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def run_provenance() -> dict[str, Any]:
    """``{started_at, commit, host, python, command}`` for a run starting now."""
    return {"started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "commit": git_commit(), "host": socket.gethostname(),
            "python": platform.python_version(), "command": " ".join(sys.argv)}


class CpuPeak:
    """The process's peak CPU share over windows of at least ``window_s`` wall seconds.

    ``sample()`` once per chunk of the run; a window closes when ``window_s`` of wall time has
    passed since it opened. The last, unfinished window joins the one before it (a tail of a few
    milliseconds would give a meaningless percentage); a run shorter than one window has one window,
    the whole run, so the peak is never missing for a run that ran.
    """

    def __init__(self, window_s: float = 0.5) -> None:
        self.window_s = window_s
        self._cpu0 = self._cpu = time.process_time()
        self._wall0 = self._wall = time.perf_counter()
        #: the highest CPU share (cpu seconds / wall seconds) of the closed windows before the
        #: latest, and the latest closed window itself (cpu seconds, wall seconds), which the
        #: unfinished tail joins: all ``peak_percent`` reads. A list of every window grew by one a
        #: half second of wall time, without a bound over a soak (bench/RESULTS.md, issue #11)
        self._peak_share: float | None = None
        self._last: tuple[float, float] | None = None
        self._end: tuple[float, float] | None = None

    @property
    def wall0(self) -> float:
        return self._wall0

    def stop(self) -> tuple[float, float]:
        """End the measured span now; returns its (CPU seconds, wall seconds). The peak and the
        whole span's share are then read over the very same span, so the peak is never below it."""
        if self._end is None:
            self._end = (time.process_time(), time.perf_counter())
        return self._end[0] - self._cpu0, self._end[1] - self._wall0

    def sample(self) -> None:
        cpu, wall = time.process_time(), time.perf_counter()
        if wall - self._wall >= self.window_s:
            if self._last is not None:
                self._peak_share = _higher(self._peak_share, self._last)
            self._last = (cpu - self._cpu, wall - self._wall)
            self._cpu, self._wall = cpu, wall

    def peak_percent(self) -> float | None:
        """The highest window's CPU time / wall time, in percent (None before any wall time passed)."""
        cpu, wall = self._end or (time.process_time(), time.perf_counter())
        tail = (cpu - self._cpu, wall - self._wall)
        last = tail if self._last is None else (self._last[0] + tail[0], self._last[1] + tail[1])
        share = _higher(self._peak_share, last)
        return round(share, 1) if share is not None else None


def _higher(share: float | None, window: tuple[float, float]) -> float | None:
    """The higher of ``share`` and ``window``'s CPU share in percent (a window of no wall time has none)."""
    cpu, wall = window
    if wall <= 0:
        return share
    here = 100 * cpu / wall
    return here if share is None else max(share, here)


def system_identity(system: Any) -> dict[str, Any]:
    """``{system, mutant}``: the class of the system under test (and of its coordinator when that is
    not the stock one) and the name of the mutant it is, or None for the real system. Runs of a
    mutant are never compared with runs of the real system (``history_db.like_key``)."""
    from system_under_test.coordinator import ComponentCoordinator

    from ..mutants import MUTANTS

    cls = type(system)
    coord = type(getattr(system, "coordinator", None))
    name = cls.__name__ + (f"+{coord.__name__}" if coord is not type(None) and coord is not ComponentCoordinator
                           and issubclass(coord, ComponentCoordinator) else "")
    mutant = next((m.name for m in MUTANTS.values()
                   if (m.system_class is not None and cls is m.system_class)
                   or (m.coordinator_class is not None and coord is m.coordinator_class)), None)
    return {"system": name, "mutant": mutant}
