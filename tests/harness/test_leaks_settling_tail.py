"""A steady leak under the tail of a process's settling in is a leak; a steady slope just over the
threshold in a 1-hour soak is growth, not "a step".

A soak's process settles in over its first half hour (the allocator's pieces, caches), beyond the
judge's 10 % warm-up: the RSS less the bounded logs of a healthy 1-h soak rises ~1.2 MB from the
judged window's first quarter to its second and a few hundred kB after. Over a steady leak that
tail makes the quarters' level rises fall as a buffer filling up would, and a planted 5 MB/h leak
read "inconclusive, slowing" (seed 1: rises of 2.82, 1.66, 1.23 MB a quarter, the last one the
leak's own rate). A buffer's rises fade towards nothing; these fade towards the leak's rate.

``MIN_GROWTH`` is the threshold's hour (4 MiB); a 1-h soak's judged part is 54 minutes, in which a
trend at up to 1.11 times the threshold adds less: a steady ramp there read "ok, step".
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from harness.leaks import DEFAULT_THRESHOLDS, judge

MB = 1_000_000.0
PAGE = 4096
T = np.arange(0.0, 3601.0, 1.0)
#: a bounded log filling under the series, told to the judge (``held``), as a soak's error log is
HELD = 2.4 * MB * T / 3600.0
#: the RSS and the bounded logs' bytes of a planted 5 MB/h leak's 1-h simulated soak at seed 1
#: (``soak --backend sim --duration 1h --seed 1 --system harness.leak_mutants:leaks_5mb_per_hour``,
#: the final code of 2026-12-06 at `8fbb6f7`), one sample a second, as its journal holds them
RECORDED = Path(__file__).parent / "data" / "planted_leak_5mb_seed1_rss.npz"


def _drawn_staircase(live: np.ndarray, seed: int) -> np.ndarray:
    """The RSS of a process whose live memory is ``live``: a new piece of 0.4-1.7 MB (drawn)
    whenever what is live outgrows what it holds."""
    rng = np.random.default_rng(seed)
    rss = np.empty_like(live)
    top = live[0] + rng.uniform(0.4, 1.7) * MB
    for i, v in enumerate(live):
        if v > top:
            top = v + rng.uniform(0.4, 1.7) * MB
        rss[i] = top
    return np.ceil(rss / PAGE) * PAGE


def test_the_recorded_planted_leaks_hour_at_seed_1_is_a_leak() -> None:
    rec = np.load(RECORDED)
    v = judge("rss_bytes", rec["t"], rec["rss_bytes"], held=rec["held_bytes"])
    assert (v.verdict, v.shape) == ("leak", "growing"), v.reason
    assert "slowing only to a steady growth" in v.reason  # the rule that reads it, not another
    assert v.late_slope_per_hour is not None and v.late_slope_per_hour > v.threshold_per_hour


def test_the_recorded_hour_without_its_leak_is_not_one() -> None:
    """The same series less the planted 5 MB/h (what the leak added by each sample): the process's
    own settling in, levelling off, is not called a leak by the rule that calls its leak one."""
    rec = np.load(RECORDED)
    t = rec["t"].astype(np.float64)
    v = judge("rss_bytes", t, rec["rss_bytes"] - 5 * MB * t / 3600.0, held=rec["held_bytes"])
    assert v.verdict == "ok", v.reason


@pytest.mark.parametrize(("size_mb", "tau_s"), [(20, 1200.0), (30, 1800.0), (40, 2400.0)])
def test_a_buffer_still_filling_fast_late_stays_inconclusive(size_mb: int, tau_s: float) -> None:
    """Exponential filling: its rises fade towards nothing, so the extrapolation does not lift
    "slowing" (the last quarter still grows 4-8 MB/h: this window cannot tell)."""
    y = np.ceil((250 * MB + size_mb * MB * (1 - np.exp(-T / tau_s))) / PAGE) * PAGE
    v = judge("rss_bytes", T, y)
    assert (v.verdict, v.shape) == ("inconclusive", "slowing"), v.reason


@pytest.mark.parametrize("rate_mb", [4.3, 4.5, 4.6])
def test_a_steady_ramp_just_over_the_threshold_in_an_hour_is_a_leak(rate_mb: float) -> None:
    y = np.ceil((250 * MB + rate_mb * MB * T / 3600.0) / PAGE) * PAGE
    v = judge("rss_bytes", T, y)
    assert rate_mb * MB > DEFAULT_THRESHOLDS["rss_bytes"]
    assert (v.verdict, v.shape) == ("leak", "growing"), v.reason


@pytest.mark.parametrize("seed", [5, 7, 12, 13])
def test_a_5mb_leak_through_drawn_steps_is_not_passed_as_a_step(seed: int) -> None:
    """Seeds at which the trend over the judged 54 minutes fell just under ``MIN_GROWTH``."""
    v = judge("rss_bytes", T, _drawn_staircase(250 * MB + 5 * MB * T / 3600.0 + HELD, seed), held=HELD)
    assert (v.verdict, v.shape) == ("leak", "growing"), v.reason


@pytest.mark.parametrize("rate_mb", [3.0, 3.9])
def test_a_ramp_under_the_threshold_stays_ok(rate_mb: float) -> None:
    y = np.ceil((250 * MB + rate_mb * MB * T / 3600.0) / PAGE) * PAGE
    assert judge("rss_bytes", T, y).verdict == "ok"
