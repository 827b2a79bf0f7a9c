"""Two doubts the RSS's leak verdict must carry to the report rather than clear.

1. An allocator whose own series cannot decide (``inconclusive``) beside an RSS read ``ok`` through
   its steps (``saturating``, ``step``): the RSS cannot clear what the allocator cannot, so the
   verdict is ``inconclusive``, naming the allocator (``harness.leaks._beside_allocator``).
2. A resumed soak none of whose process lifetimes is judged over ``SLOPE_MIN_SPAN_S``: no verdict
   from its slopes either way (``harness.leaks._lifetimes_too_short``): a healthy soak resumed every
   10 minutes failed and a planted 5 MB/h leak passed (bench/RESULTS.md, issue #11).

Synthetic series, seeded; no clock but the samples' own times.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from harness import leaks
from harness.leak_levels import SLOPE_MIN_SPAN_S, after_warmup
from harness.leaks import MiB, judge

MB = 1e6


def _saturating_rss(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """An hour's RSS that climbs 20 MB/h for half an hour and then holds (late half flat)."""
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, 3600.0, 1.0)
    return t, 200 * MB + 20 * MB * np.minimum(t, 1800.0) / 3600.0 + rng.normal(0.0, 2e4, t.size)


def _flat(t: np.ndarray, seed: int, level: float = 60 * MB) -> np.ndarray:
    return level + np.random.default_rng(seed).normal(0.0, 2e4, t.size)


@pytest.mark.parametrize("seed", [97600, 97601, 97602])
def test_an_inconclusive_pymalloc_beside_a_saturating_rss_makes_the_verdict_inconclusive(monkeypatch, seed: int) -> None:
    t, y = _saturating_rss(seed)
    alone = judge("rss_bytes", t, y, in_use=_flat(t, seed), pymalloc=_flat(t, seed + 1))
    assert (alone.verdict, alone.shape) == ("ok", "saturating")  # the series reach the rule under test

    real = leaks.judge_pymalloc

    def undecided(*args, **kw):
        v, p, per = real(*args, **kw)
        return replace(v, verdict="inconclusive", shape="growing", reason="STUB: a line of short lifetimes"), p, per

    monkeypatch.setattr(leaks, "judge_pymalloc", undecided)
    v = judge("rss_bytes", t, y, in_use=_flat(t, seed), pymalloc=_flat(t, seed + 1))
    assert v.verdict == "inconclusive", v.reason
    assert v.shape == "saturating"
    assert "pymalloc's bytes in use cannot tell" in v.reason and "STUB: a line of short lifetimes" in v.reason
    assert v.pymalloc_verdict == "inconclusive"


def test_allocators_that_decide_leave_a_saturating_rss_ok() -> None:
    t, y = _saturating_rss(97603)
    v = judge("rss_bytes", t, y, in_use=_flat(t, 97603), pymalloc=_flat(t, 97604))
    assert (v.verdict, v.allocator, v.pymalloc_verdict, v.allocator_verdict) == ("ok", "asked", "ok", "ok")


def _resumed(lifetime_s: float, lifetimes: int, pymalloc_per_hour: float, seed: int
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A soak resumed every ``lifetime_s`` (the clock carried on): malloc flat, pymalloc and the RSS
    with it rising ``pymalloc_per_hour`` within each lifetime from the same start (a new process)."""
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, lifetime_s * lifetimes, 1.0)
    g = (t // lifetime_s).astype(np.int64)
    grows = pymalloc_per_hour * (t - g * lifetime_s) / 3600.0
    rss = 200 * MB + grows + rng.normal(0.0, 2e4, t.size)
    mal = 30 * MB + rng.normal(0.0, 2e4, t.size)
    p = 50 * MB + grows + rng.normal(0.0, 2e4, t.size)
    return t, rss, g, mal, p


@pytest.mark.parametrize("pymalloc_per_hour", [0.0, 20 * MB])
@pytest.mark.parametrize("seed", [97605, 97606])
def test_a_soak_of_six_ten_minute_lifetimes_gives_no_leak_verdict(pymalloc_per_hour: float, seed: int) -> None:
    """Flat everywhere (the planted 97101's "ok, flat" PASS) or pymalloc steep in every lifetime
    (healthy 97100's FAIL): inconclusive, naming the lifetimes' judged span and the minimum."""
    t, rss, g, mal, p = _resumed(600.0, 6, pymalloc_per_hour, seed)
    v = judge("rss_bytes", t, rss, groups=g, in_use=mal, pymalloc=p)
    assert v.verdict == "inconclusive", v.reason
    assert "lifetimes too short to judge a slope: the soak ran as 6 process lifetimes" in v.reason
    assert "judged over 4.0 min" in v.reason and f"needs {SLOPE_MIN_SPAN_S / 60:.0f} min" in v.reason


def test_the_steep_lifetimes_read_a_leak_by_their_slopes_alone() -> None:
    """What the rule holds back: the same series read as one lifetime's growth is a leak."""
    t, rss, g, mal, p = _resumed(600.0, 6, 20 * MB, 97607)
    v = judge("rss_bytes", t, rss, groups=g, in_use=mal, pymalloc=p)
    assert "read by its slopes: leak" in v.reason, v.reason


def test_lifetimes_judged_long_enough_are_judged_by_their_slopes() -> None:
    """Two 40-minute lifetimes (judged 32 minutes each after the 8-minute warm-up): the rule is silent."""
    t, rss, g, mal, p = _resumed(2400.0, 2, 0.0, 97608)
    v = judge("rss_bytes", t, rss, groups=g, in_use=mal, pymalloc=p)
    assert v.verdict == "ok" and "lifetimes too short" not in v.reason, v.reason


def test_one_short_lifetime_is_left_to_the_short_window_rules() -> None:
    """An uninterrupted 10-minute run is judged by ``MIN_WINDOW_S``'s rules, not this one."""
    t, rss, g, mal, p = _resumed(600.0, 1, 0.0, 97609)
    v = judge("rss_bytes", t, rss, groups=g, in_use=mal, pymalloc=p)
    assert v.verdict == "ok" and "lifetimes too short" not in v.reason, v.reason


def test_a_clearly_unbounded_growth_in_short_lifetimes_stays_a_leak() -> None:
    t, _, g, mal, _ = _resumed(600.0, 6, 0.0, 97610)
    rss = 200 * MB + 300 * MiB * (t - g * 600.0) / 3600.0
    v = judge("rss_bytes", t, rss, groups=g, in_use=mal + (rss - 200 * MB), pymalloc=_flat(t, 97611))
    assert v.verdict == "leak", v.reason


def test_a_short_resumed_soak_is_left_to_the_short_window_rules() -> None:
    """Four 10-minute lifetimes add up to under ``MIN_WINDOW_S``: judged as a short run is (ok, flat)."""
    t, rss, g, mal, p = _resumed(600.0, 4, 0.0, 97611)
    v = judge("rss_bytes", t, rss, groups=g, in_use=mal, pymalloc=p)
    assert v.verdict == "ok" and "lifetimes too short" not in v.reason, v.reason


def test_short_lifetimes_given_as_json_gives_them_are_judged_as_the_same_numbers() -> None:
    """A journal's samples read back from JSON: lists, a sample without a time or a value ``None``.
    Those samples are left out and the rest judged as the arrays are: the same lifetimes, the same
    judged span in the reason, never a ``TypeError`` from an object array."""
    t, rss, g, mal, p = _resumed(600.0, 6, 0.0, 98300)
    times: list[float | None] = [float(x) for x in t]
    values: list[float | None] = [float(x) for x in rss]
    times[5], times[1000], values[7] = None, None, None
    v = judge("rss_bytes", times, values, groups=[int(x) for x in g], in_use=mal, pymalloc=p)
    assert v.verdict == "inconclusive", v.reason
    assert "the soak ran as 6 process lifetimes, the longest judged over 4.0 min" in v.reason


def test_a_series_with_too_few_samples_keeps_its_own_verdict_whatever_its_lifetimes() -> None:
    """``insufficient_data`` says more than "lifetimes too short" (sample longer, not only resume
    less often): the rule leaves it as it is, even where the lifetimes are many and short."""
    t, rss, g, _, _ = _resumed(600.0, 6, 0.0, 98301)
    few = replace(judge("rss_bytes", t, rss, groups=g), verdict="insufficient_data", reason="too few samples")
    assert leaks._lifetimes_too_short(few, t, rss, g, 0.1) is few


def test_two_short_lifetimes_are_as_short_as_six() -> None:
    """Two 30-minute lifetimes (judged 24 minutes each after the warm-up) add up past
    ``MIN_WINDOW_S``: inconclusive as six ten-minute ones are, not judged by their slopes."""
    t, rss, g, mal, p = _resumed(1800.0, 2, 0.0, 98302)
    v = judge("rss_bytes", t, rss, groups=g, in_use=mal, pymalloc=p)
    assert v.verdict == "inconclusive", v.reason
    assert "the soak ran as 2 process lifetimes, the longest judged over 24.0 min" in v.reason
    # the lifetimes to resume at: the span judged and the warm-up's tenth of the whole hour (6 min)
    assert "resume less often (lifetimes of 36 min or more); read by its slopes: ok, flat" in v.reason


def test_a_lifetime_judged_exactly_its_minimum_span_is_judged_by_its_slopes() -> None:
    """Two lifetimes of 2252 s sampled each second: the warm-up (a tenth of the whole 4503 s) leaves
    each judged from its 451st second to its last, exactly ``SLOPE_MIN_SPAN_S``: long enough."""
    t, rss, g, mal, p = _resumed(2252.0, 2, 0.0, 98303)
    judged = after_warmup(t, g, 0.1)
    assert float(np.ptp(t[judged & (g == 0)])) == SLOPE_MIN_SPAN_S  # the edge the test is about
    v = judge("rss_bytes", t, rss, groups=g, in_use=mal, pymalloc=p)
    assert v.verdict == "ok" and "lifetimes too short" not in v.reason, v.reason


def test_lifetimes_apart_are_summed_without_the_pauses_between_them() -> None:
    """Four 10-minute lifetimes each resumed 10 minutes after the last ended: 40 minutes judged,
    under ``MIN_WINDOW_S``, though the clock spans 70: the short window's rules (ok, flat)."""
    t, rss, g, mal, p = _resumed(600.0, 4, 0.0, 98304)
    t = t + 600.0 * g  # each lifetime starts a pause after the last
    v = judge("rss_bytes", t, rss, groups=g, in_use=mal, pymalloc=p)
    assert v.verdict == "ok" and "lifetimes too short" not in v.reason, v.reason


def test_lifetimes_adding_up_to_exactly_the_window_s_minimum_are_asked_their_span() -> None:
    """Two lifetimes of 1501 samples a second apart: 1500 s each, 3000 s together, exactly
    ``MIN_WINDOW_S``: long enough to be held to the lifetimes' rule (20 min judged each)."""
    t, rss, g, mal, p = _resumed(1501.0, 2, 0.0, 98305)
    v = judge("rss_bytes", t, rss, groups=g, in_use=mal, pymalloc=p)
    assert v.verdict == "inconclusive", v.reason
    assert "the soak ran as 2 process lifetimes, the longest judged over 20.0 min" in v.reason


def test_a_lifetime_shorter_than_its_warm_up_is_counted_as_judged_over_nothing() -> None:
    """Six 10-minute lifetimes and a seventh that died 5 s in: the last has no sample past its
    warm-up, judged over no time, and the six decide the longest."""
    t, rss, g, mal, p = _resumed(600.0, 6, 0.0, 98306)
    last = t[-1] + 1.0 + np.arange(5.0)
    t, g = np.concatenate([t, last]), np.concatenate([g, np.full(5, 6)])
    rss, mal, p = (np.concatenate([s, s[-5:]]) for s in (rss, mal, p))
    v = judge("rss_bytes", t, rss, groups=g, in_use=mal, pymalloc=p)
    assert v.verdict == "inconclusive", v.reason
    assert "the soak ran as 7 process lifetimes, the longest judged over 4.0 min" in v.reason


def test_a_growth_exactly_at_the_unbounded_bound_stays_a_leak_in_short_lifetimes() -> None:
    """The clearly unbounded growth that stays a leak: a late slope of ``UNBOUNDED_FACTOR`` times the
    threshold or more, the bound itself included."""
    t, rss, g, _, _ = _resumed(600.0, 6, 0.0, 98307)
    v = judge("rss_bytes", t, rss, groups=g)
    at_bound = replace(v, verdict="leak", late_slope_per_hour=leaks.UNBOUNDED_FACTOR * v.threshold_per_hour)
    assert leaks._lifetimes_too_short(at_bound, t, rss, g, 0.1) is at_bound
    under = replace(at_bound, late_slope_per_hour=0.99 * leaks.UNBOUNDED_FACTOR * v.threshold_per_hour)
    assert leaks._lifetimes_too_short(under, t, rss, g, 0.1).verdict == "inconclusive"
