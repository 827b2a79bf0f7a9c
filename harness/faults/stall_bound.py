"""How long a ``stall`` fault must last to be a stall, for a run's configuration.

Why: the ``stall`` fault stops the device's callbacks for ``duration_s``. The system's watchdog
takes a stream as stalled once no callback came for ``watchdog.stall_periods`` periods, and it
looks once per supervisor pass (``watchdog.supervisor_interval_ms``). A silence shorter than that
is a late block, or nothing, to the system: the built-in profiles' former 20-300 ms began below
the watchdog's 21.3 ms at 256 frames / 48 kHz, so a short "stall" counted as a stall injected
while the system saw none (bench/RESULTS.md, the xrun outcomes' section).

The bound kept here is ``stall_periods`` periods, a supervisor pass, and ``MARGIN_PERIODS`` of a
period more: the callbacks' gap then passes the watchdog's bound a quarter period before a
supervisor pass that sees it, not at it. It is the mirror of ``harness.faults.xrun_bound``: the
built-in profiles give a stall's length from that bound (``StallPastBound``), and a profile or
scenario file's ``duration_s`` is checked against it (``stall_duration_problem``), refused with
the file, the field and the least value allowed. A stream's own floor (``min_stall_s``, a real
device's healthy gap) is not known before the run; the fault's ``why_not_now`` reads only the
configuration the system runs at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .xrun_bound import MARGIN_PERIODS, Period, range_ends


def min_stall_s(period: Period) -> float:
    """The shortest ``stall`` the watchdog of ``period`` is sure to see as a stall."""
    return (period.stall_periods + MARGIN_PERIODS) * period.period_s + period.supervisor_s


@dataclass(frozen=True)
class StallPastBound:
    """A ``stall``'s length range from the run's bound (``min_stall_s``) to ``high_s`` seconds
    (never below the bound): the built-in profiles' stalls stay stalls at any block size and
    watchdog setting, and keep their former longest length."""

    high_s: float

    def seconds(self, period: Period) -> list[float]:
        """The ``[lo, hi]`` range in seconds for ``period``."""
        lo = min_stall_s(period)
        return [lo, max(lo, self.high_s)]


def stall_duration_problem(value: Any, period: Period, field: str) -> str | None:
    """What is wrong with ``field`` = ``value`` (a ``stall``'s ``duration_s``, one value or a
    range) for ``period``, or None. A length of 0 (a scenario's "until clean-up") is a stall; a
    range from 0 is not: its draws fall between, the shorter ones under the bound."""
    ends = range_ends(value)
    if ends is None or ends[0] == ends[1] == 0.0 or ends[0] >= min_stall_s(period):
        return None
    lowest = ends[0]
    return (f"{field}: a stall of {lowest * 1000:.1f} ms is no stall to the watchdog, with {period.describe()} "
            f"and a {period.supervisor_s * 1000:.1f} ms supervisor pass: give {field} at least "
            f"{min_stall_s(period) * 1000:.2f} ms ({min_stall_s(period):.5f} s; the xrun fault injects shorter "
            f"lateness)")


__all__ = ["StallPastBound", "min_stall_s", "stall_duration_problem"]
