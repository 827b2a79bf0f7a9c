"""How late an ``xrun`` fault's callback may be and still be an xrun, for a run's configuration.

Why: the ``xrun`` fault delays the device's next callback by ``delay_s``. The late block comes one
period plus that lateness after the block before it, and the system's watchdog takes a stream that
has not called back for ``watchdog.stall_periods`` periods as stalled (``DeviceStalledError``, a
recovery that restarts the stream). A lateness of ``stall_periods - 1`` periods or more is
therefore a stall, not an xrun: with the built-in profiles' former fixed 5-50 ms, 15 of 18
``xrun`` firings were stalls at 256 frames / 48 kHz (bench/RESULTS.md, the outside audit), and a
run that reported "xrun: 12 fired" had tried the xrun path twice. Long lateness is the ``stall``
fault's to inject.

The bound kept here is ``stall_periods - 1`` periods less ``MARGIN_PERIODS`` of a period: a late
block then lands a quarter period before the watchdog's bound, not at it (where the virtual
clock's order of two events at one instant, or a real device's jitter, would decide).

The built-in profiles give the lateness in periods (``LatenessInPeriods``), turned into seconds
for the run's configuration; a profile or scenario file's ``delay_s`` is checked against the
bound (``xrun_delay_problem``), refused with the file, the field and the largest value allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: how far below the watchdog's bound a late block must land (in periods)
MARGIN_PERIODS = 0.25


@dataclass(frozen=True)
class Period:
    """The settings an xrun's and a stall's bounds depend on: the block period, the watchdog's
    periods and how often its supervisor looks (``harness.faults.stall_bound``)."""

    period_s: float
    stall_periods: int
    supervisor_s: float = 0.005

    @property
    def max_lateness_s(self) -> float:
        """The latest an ``xrun``'s callback may come and still be taken as an xrun, not a stall."""
        return (self.stall_periods - 1 - MARGIN_PERIODS) * self.period_s

    def describe(self) -> str:
        """The settings as a user reads them, for messages."""
        return (f"a {self.period_s * 1000:.2f} ms period and the watchdog's {self.stall_periods} periods "
                f"({self.stall_periods * self.period_s * 1000:.1f} ms)")


#: the least time after a firing's end that what the system saw is still the firing's: the
#: watchdog's bound at 256 frames / 48 kHz (4 periods, 21.3 ms), a period, and a supervisor pass
#: (5 ms), rounded up; longer periods get ``settle_for``. The judge's windows
#: (``harness.fault_outcomes``) and the device's end of a fault's request (``CallbackRaises``) read
#: the same rule, so what the device lets act is what the judge reads as the firing's
SETTLE_S = 0.05


def settle_for(period: Period | None) -> float:
    """How long after a firing's end what the system saw is still the firing's, at ``period``
    (None: the system's defaults): the watchdog's bound (a stall is taken ``stall_periods``
    periods after the last callback), one period more (a callback error or a device loss shows
    at the next callback, a period away) and a supervisor pass (the watchdog looks once per pass),
    never less than ``SETTLE_S`` (what the default period's runs have always been read with)."""
    if period is None:
        return SETTLE_S
    return max(SETTLE_S, (period.stall_periods + 1) * period.period_s + period.supervisor_s)


def acts_past_end_s(kind: str, params: Mapping[str, Any], period: Period | None) -> float:
    """How long past its end (an instantaneous fault's firing) a fault of ``kind`` with ``params``
    still acts by itself at ``period`` (None: the system's defaults): an ``xrun``'s late block
    comes ``delay_s`` on, a ``callback_raises``' ``count`` corrupted blocks one a period from the
    next block; 0 for the others. A firing's window runs on ``settle_for`` after that."""
    if kind == "xrun":
        late = params.get("delay_s")
        return float(late) if isinstance(late, (int, float)) else 0.0
    if kind == "callback_raises":
        count = params.get("count")
        return int(count) * (period or period_of(None)).period_s if isinstance(count, int) else 0.0
    return 0.0


def period_of(config: Any) -> Period:
    """The ``Period`` of a run's configuration: an ``AudioConfig``, a configuration dict (a
    ``--config`` file's, a scenario's ``system`` table; migrated as the system would read it), or
    None (the system's defaults). A dict the system would refuse gives the defaults: the run
    refuses it on its own, with its own message."""
    from system_under_test.config import AudioConfig, migrate, structural_problems  # noqa: PLC0415

    if isinstance(config, AudioConfig):
        parsed: AudioConfig | None = config
    elif isinstance(config, Mapping) and config:
        try:
            parsed, problems = structural_problems(migrate(config))
        except Exception:  # noqa: BLE001 - any refusal is the run's to report, not this bound's
            parsed, problems = None, [("", "")]
        if problems:
            parsed = None
    else:
        parsed = None
    if parsed is None:
        parsed = AudioConfig()
    return Period(parsed.block_seconds, parsed.watchdog.stall_periods,
                  parsed.watchdog.supervisor_interval_ms / 1000.0)


#: the built-in profiles' lateness range before it was drawn against the bound: at long periods
#: (1024 frames and more at 48 kHz) the bound is past it, and the range stays what it was. Drawn up
#: to the bound there, an xrun of 8192-frame blocks came up to 470 ms late, and the audio check
#: heard the stream's restart after it outside the fault's window (a false ``clean_audio``: hostile,
#: seed 30, ``tests/harness/test_gates_steady.py``)
FORMER_RANGE_S = (0.005, 0.05)


@dataclass(frozen=True)
class LatenessInPeriods:
    """An ``xrun``'s lateness range given in periods of the run's configuration: from ``low``
    periods to ``below_bound`` periods under the bound (``Period.max_lateness_s``), within the
    former fixed range (``FORMER_RANGE_S``). The built-in profiles use it, so that their xruns stay
    xruns at any block size and watchdog setting, and are never later than they were."""

    low: float
    below_bound: float = 0.0

    def seconds(self, period: Period) -> list[float]:
        """The ``[lo, hi]`` range in seconds for ``period`` (never empty: ``lo`` is capped at ``hi``)."""
        hi = min(period.max_lateness_s - self.below_bound * period.period_s, FORMER_RANGE_S[1])
        lo = min(self.low * period.period_s, FORMER_RANGE_S[0], hi)
        return [lo, hi]


def range_ends(value: Any) -> tuple[float, float] | None:
    """The shortest and longest a length parameter can give: one value (both ends alike), or a
    ``[lo, hi]`` range's ends; None for anything else (the parameter's own validation refuses it)."""
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return float(value[0]), float(value[1])
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value), float(value)
    return None


def xrun_delay_problem(value: Any, period: Period, field: str) -> str | None:
    """What is wrong with ``field`` = ``value`` (an ``xrun``'s ``delay_s``, one value or a range)
    for ``period``, or None: a lateness past ``Period.max_lateness_s`` would be seen as a stall."""
    ends = range_ends(value)
    if ends is None or ends[1] <= period.max_lateness_s:
        return None
    highest = ends[1]
    return (f"{field}: an xrun up to {highest * 1000:.1f} ms late is a stall, not an xrun, with {period.describe()}: "
            f"give {field} at most {period.max_lateness_s * 1000:.2f} ms "
            f"({period.max_lateness_s:.5f} s; the stall fault injects longer silences)")


__all__ = ["MARGIN_PERIODS", "SETTLE_S", "LatenessInPeriods", "Period", "acts_past_end_s", "period_of", "range_ends", "settle_for",
           "xrun_delay_problem"]
