"""The RSS judgement with the system's bounded logs taken out (``harness.leaks``, point 6).

A 1-hour soak's healthy RSS grows while the system's error and transition logs fill (they hold
10 000 records each and fill for hours): judged as it is, that growth sits on the threshold's
edge. Judged with the logs' bytes taken out it is flat; a leak beside the filling log is still
caught, because only what the logs hold is taken out.
"""

from __future__ import annotations

import numpy as np
import pytest

from harness.leaks import DEFAULT_THRESHOLDS, judge

MB = 1_000_000
HOUR = 3600.0


def _hour(seed: int, *, leak_per_hour: float, log_bytes_per_hour: float = 6 * MB) -> tuple[np.ndarray, ...]:
    """A 1-hour soak sampled every 3 seconds (a soak samples every second; the judge thins
    long series to 1 500 points anyway): a process settling in over its first minutes, a
    bounded log filling all hour (it would be full after ~1.5 hours), ``leak_per_hour`` more,
    and allocator noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, HOUR, 3.0)
    settle = 12 * MB * (1 - np.exp(-t / 120.0))
    log = np.minimum(log_bytes_per_hour * t / HOUR, 9 * MB)
    rss = 250 * MB + settle + log + leak_per_hour * t / HOUR + rng.normal(0, 150_000, t.size)
    return t, np.round(rss), np.round(log)


@pytest.mark.parametrize("seed", range(4))
def test_a_bounded_log_filling_all_hour_is_not_a_leak_once_its_bytes_are_taken_out(seed):
    t, rss, log = _hour(seed, leak_per_hour=0.0)
    bare = judge("rss_bytes", t, rss)
    assert bare.slope_per_hour > DEFAULT_THRESHOLDS["rss_bytes"]  # the log alone crosses the line
    assert bare.verdict != "ok"
    v = judge("rss_bytes", t, rss, held=log)
    assert v.verdict == "ok", v.reason
    assert abs(v.slope_per_hour) < 0.25 * DEFAULT_THRESHOLDS["rss_bytes"]
    assert v.held_first is not None and v.held_last > v.held_first  # what was taken out is said
    assert "bounded logs" in v.reason
    assert v.first == rss[0] and v.last == rss[-1]  # the RSS itself as it was read


@pytest.mark.parametrize("leak_mb", [10, 20])
@pytest.mark.parametrize("seed", range(2))
def test_a_linear_leak_beside_a_filling_log_is_still_a_leak(seed, leak_mb):
    """10 and 20 MB an hour. 5 MB an hour is the judge's resolution in one hour: the trend must
    add 4 MiB over the window with its largest jump taken out (``MIN_GROWTH``, ``_one_step``)."""
    t, rss, log = _hour(seed, leak_per_hour=leak_mb * MB)
    v = judge("rss_bytes", t, rss, held=log)
    assert v.verdict == "leak", v.reason
    assert v.shape == "growing"
    assert v.slope_per_hour == pytest.approx(leak_mb * MB, rel=0.15)


def test_a_held_series_with_a_gap_is_not_used_half():
    """Samples without the logs' bytes (an older journal, a system that stopped reporting): the
    series is judged as read, never corrected in part."""
    t, rss, log = _hour(1, leak_per_hour=0.0)
    held = log.astype(float)
    held[100] = np.nan
    assert judge("rss_bytes", t, rss, held=held) == judge("rss_bytes", t, rss)
