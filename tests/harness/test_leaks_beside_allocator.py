"""The RSS's verdict beside the allocators' bytes in use (``harness.leaks``, point 7), each branch
read on its own: given an RSS verdict (its verdict and shape set by the test) and seeded hours of
each allocator's series, flat or leaking 10 MB an hour, what ``_beside_allocator`` makes of it.

``test_leaks_pymalloc.py`` judges the same through whole synthetic hours of the RSS's staircases
(minutes of CPU); these take milliseconds each, and pin each branch's verdict, fields and words:
the note of a verdict read by the RSS alone, the "not asked" of a leak one allocator could hold,
the leak an allocator shows where the RSS could not decide, and the RSS's "leak" doubted only when
neither allocator, nor their sum, nor the RSS beyond them grows so."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from harness.leaks import ALLOCATOR_METRIC, ASK_ALLOCATOR_SHAPES, LeakVerdict, _beside_allocator, _judge_series

MB = 1e6
#: an hour sampled every 10 s
T = np.arange(0.0, 3601.0, 10.0)
RSS_REASON = "the RSS's own reason"
NOT_SAMPLED_NOTE = ("[judged on the RSS alone: the allocator's bytes in use (glibc mallinfo2) were not sampled "
                    "for every sample (not glibc, not the simulated device, or an older journal)] ")


def _series(rate_per_hour: float, seed: int, base: float) -> np.ndarray:
    """``base`` bytes growing by ``rate_per_hour``, with 20 kB of seeded Gaussian noise."""
    return base + rate_per_hour * T / 3600.0 + 20e3 * np.random.default_rng(seed).standard_normal(T.size)


def _rss(values: np.ndarray, verdict: str, shape: str) -> LeakVerdict:
    """The RSS's verdict on ``values``, its verdict and shape set as the case needs."""
    return replace(_judge_series("rss_bytes", T, values), verdict=verdict, shape=shape, reason=RSS_REASON)


def _beside(rss: LeakVerdict, values: np.ndarray, in_use: Any, pymalloc: Any = None, **kw: Any) -> LeakVerdict:
    given: dict[str, Any] = dict(threshold_per_hour=None, min_growth=None, warmup_fraction=0.1, alpha=0.01,
                                 min_samples=6, groups=None)
    given.update(kw)
    return _beside_allocator(rss, T, values, in_use, pymalloc=pymalloc, window_records=None, **given)


MALLOC_FLAT = _series(0.0, 96350, 40 * MB)
MALLOC_LEAK = _series(10 * MB, 96351, 40 * MB)
PYMALLOC_FLAT = _series(0.0, 96352, 8 * MB)
PYMALLOC_LEAK = _series(10 * MB, 96353, 8 * MB)
BEYOND_FLAT = _series(0.0, 96354, 30 * MB)
BEYOND_LEAK = _series(10 * MB, 96355, 30 * MB)


@pytest.mark.parametrize("shape", sorted(ASK_ALLOCATOR_SHAPES))
def test_a_growth_the_rss_could_not_decide_without_the_allocators_says_it_was_judged_on_the_rss_alone(shape):
    values = MALLOC_FLAT + PYMALLOC_FLAT + BEYOND_FLAT
    rss = _rss(values, "inconclusive", shape)
    half = MALLOC_FLAT.copy()
    half[T.size // 2:] = np.nan  # not sampled for every sample: never judged half sampled
    for in_use in (None, half):
        assert _beside(rss, values, in_use) == replace(rss, allocator="not_sampled", reason=NOT_SAMPLED_NOTE + RSS_REASON)


@pytest.mark.parametrize(("verdict", "shape"), [("leak", "growing"), ("leak", "step"), ("ok", "flat"), ("ok", "small")])
def test_a_verdict_the_rss_decided_without_the_allocators_is_its_own_without_a_note(verdict, shape):
    values = MALLOC_FLAT + PYMALLOC_FLAT + BEYOND_FLAT
    rss = _rss(values, verdict, shape)
    assert _beside(rss, values, None) == replace(rss, allocator="not_sampled")


@pytest.mark.parametrize("sampled", ["malloc", "pymalloc"])
def test_an_rss_leak_beside_one_allocator_only_stands_unasked(sampled):
    """The allocator not sampled may hold the leak: the RSS's leak is not doubted."""
    values = MALLOC_FLAT + PYMALLOC_FLAT + BEYOND_FLAT
    rss = _rss(values, "leak", "growing")
    in_use, pymalloc = (MALLOC_FLAT, None) if sampled == "malloc" else (None, PYMALLOC_FLAT)
    assert _beside(rss, values, in_use, pymalloc) == replace(rss, allocator="not_asked")


@pytest.mark.parametrize(("verdict", "shape"), [("ok", "flat"), ("ok", "growing"), ("insufficient_data", "unknown")])
def test_an_rss_whose_shape_is_not_asked_about_is_not_asked_even_with_both_allocators_leaking(verdict, shape):
    values = MALLOC_LEAK + PYMALLOC_LEAK + BEYOND_FLAT
    rss = _rss(values, verdict, shape)
    assert _beside(rss, values, MALLOC_LEAK, PYMALLOC_LEAK) == replace(rss, allocator="not_asked")


def test_a_small_rss_growth_is_asked_of_pymalloc_alone():
    values = MALLOC_LEAK + PYMALLOC_LEAK + BEYOND_FLAT
    rss = _rss(values, "ok", "small")
    got = _beside(rss, values, MALLOC_LEAK, PYMALLOC_LEAK)
    assert (got.verdict, got.shape, got.allocator, got.pymalloc_verdict, got.allocator_verdict) == (
        "leak", "growing", "asked", "leak", None)
    assert got.reason.startswith(f"read by the RSS alone: ok, small ({RSS_REASON}); but pymalloc's bytes in use, "
                                 "which the heaps' free memory does not hide, ")
    # malloc's alone is never asked of a small growth: the RSS's verdict without pymalloc's
    assert _beside(rss, values, MALLOC_LEAK) == replace(rss, allocator="not_asked")


@pytest.mark.parametrize("shape", sorted(ASK_ALLOCATOR_SHAPES))
@pytest.mark.parametrize(("leaking", "name"), [("malloc", "the C allocator's"), ("pymalloc", "pymalloc's")])
def test_a_growth_the_rss_could_not_decide_is_a_leak_where_either_allocator_leaks(shape, leaking, name):
    in_use, pymalloc = (MALLOC_LEAK, PYMALLOC_FLAT) if leaking == "malloc" else (MALLOC_FLAT, PYMALLOC_LEAK)
    values = in_use + pymalloc + BEYOND_FLAT
    rss = _rss(values, "inconclusive", shape)
    got = _beside(rss, values, in_use, pymalloc)
    assert (got.verdict, got.shape, got.allocator) == ("leak", "growing", "asked")
    assert (got.allocator_verdict, got.pymalloc_verdict) == (("leak", "ok") if leaking == "malloc" else ("ok", "leak"))
    assert got.allocator_shape == ("growing" if leaking == "malloc" else "flat")
    assert got.pymalloc_shape == ("growing" if leaking == "pymalloc" else "flat")
    assert got.allocator_slope_per_hour == pytest.approx(10 * MB if leaking == "malloc" else 0.0, abs=0.3 * MB)
    late = (got.allocator_late_slope_per_hour, got.pymalloc_late_slope_per_hour)
    assert late[0 if leaking == "malloc" else 1] == pytest.approx(10 * MB, abs=0.6 * MB)
    assert late[1 if leaking == "malloc" else 0] is None  # a flat series' late half is not read
    assert got.pymalloc_slope_per_hour == pytest.approx(10 * MB if leaking == "pymalloc" else 0.0, abs=0.3 * MB)
    assert got.pymalloc_window_bytes_per_record is None  # no window records: pymalloc's judged as sampled
    assert got.reason.startswith(f"read by the RSS alone: inconclusive, {shape} ({RSS_REASON}); but {name} bytes in use, "
                                 "which do not move with the free bytes the heap keeps resident, ")
    assert got.reason.endswith(": a leak") and " bytes/h over the window" in got.reason
    assert got.threshold_per_hour == rss.threshold_per_hour and got.samples == rss.samples


def test_the_allocators_are_judged_with_the_rss_s_threshold_and_the_bounds_the_caller_gave():
    """A caller's ``min_growth`` above the hour's 10 MB, or ``min_samples`` above its samples, is
    the allocators' too: no leak of theirs then turns the RSS's doubt into a leak."""
    for in_use, pymalloc in ((MALLOC_LEAK, PYMALLOC_FLAT), (MALLOC_FLAT, PYMALLOC_LEAK)):
        values = in_use + pymalloc + BEYOND_FLAT
        rss = _rss(values, "inconclusive", "saturating")
        assert _beside(rss, values, in_use, pymalloc).verdict == "leak"
        for kw in ({"min_growth": 50 * MB}, {"min_samples": 10 * T.size}):
            got = _beside(rss, values, in_use, pymalloc, **kw)
            assert got.verdict == "inconclusive" and "leak" not in (got.allocator_verdict, got.pymalloc_verdict), kw
        steep = replace(rss, threshold_per_hour=20 * MB)  # the RSS's threshold, not the default
        got = _beside(steep, values, in_use, pymalloc)
        assert got.verdict == "inconclusive" and "leak" not in (got.allocator_verdict, got.pymalloc_verdict)
    # their sum too: 6 MB an hour is no leak at the RSS's 20 MB
    in_use, pymalloc = _series(3 * MB, 96356, 40 * MB), _series(3 * MB, 96357, 8 * MB)
    values = in_use + pymalloc + BEYOND_FLAT
    steep = replace(_rss(values, "leak", "growing"), threshold_per_hour=20 * MB)
    got = _beside(steep, values, in_use, pymalloc)
    assert (got.verdict, got.allocators_sum_verdict) == ("inconclusive", "ok")
    # and the RSS beyond them: 10 MB an hour is no leak at 20 MB; its samples may come as JSON gives them
    values = MALLOC_FLAT + PYMALLOC_FLAT + BEYOND_LEAK
    steep = replace(_rss(values, "leak", "growing"), threshold_per_hour=20 * MB)
    as_json: list[float | None] = [float(v) for v in values]
    as_json[3] = None
    for given in (values, as_json):
        got = _beside(steep, given, MALLOC_FLAT, PYMALLOC_FLAT)  # type: ignore[arg-type]
        assert (got.verdict, got.beyond_allocators_verdict) == ("inconclusive", "ok")
    lax = _judge_series(ALLOCATOR_METRIC, T, MALLOC_LEAK, min_growth=4 * 1024 * 1024)
    assert lax.verdict == "leak"  # the default bound: the RSS's, 4 MiB over the window


def test_a_growth_the_rss_could_not_decide_with_neither_allocator_leaking_keeps_its_verdict_and_says_why():
    values = MALLOC_FLAT + PYMALLOC_FLAT + BEYOND_LEAK
    rss = _rss(values, "inconclusive", "slowing")
    got = _beside(rss, values, MALLOC_FLAT, PYMALLOC_FLAT)
    assert (got.verdict, got.shape, got.allocator) == ("inconclusive", "slowing", "asked")
    assert got.reason.startswith(f"{RSS_REASON}; the allocators' bytes in use show no leak either (the C allocator's ok, flat, ")
    assert "; pymalloc's ok, flat, " in got.reason
    assert got.reason.endswith(" B/h): the RSS's verdict stands")
    assert got.allocators_sum_verdict is None and got.beyond_allocators_verdict is None  # asked of a leak only


def test_an_rss_leak_neither_allocator_nor_their_sum_nor_the_rest_shows_is_inconclusive_never_ok():
    values = MALLOC_FLAT + PYMALLOC_FLAT + BEYOND_FLAT
    rss = _rss(values, "leak", "growing")
    got = _beside(rss, values, MALLOC_FLAT, PYMALLOC_FLAT)
    assert (got.verdict, got.shape, got.allocator) == ("inconclusive", "growing", "asked")
    assert (got.allocator_verdict, got.pymalloc_verdict, got.allocators_sum_verdict, got.allocators_sum_shape,
            got.beyond_allocators_verdict) == ("ok", "ok", "ok", "flat", "ok")
    assert got.reason.startswith(f"read by the RSS alone: a leak ({RSS_REASON}); but neither allocator's bytes in use, "
                                 "nor their sum, nor the RSS beyond them grow so (the C allocator's ok, flat, ")
    assert "; pymalloc's ok, flat, " in got.reason and "; their sum's ok, flat, " in got.reason
    assert "; the RSS beyond them ok, flat, " in got.reason
    assert got.reason.endswith("which is no leak by the allocators' own series and yet cannot be cleared: soak longer")


@pytest.mark.parametrize("where", ["malloc", "pymalloc", "sum", "beyond"])
def test_an_rss_leak_stands_where_an_allocator_their_sum_or_the_rest_grows_so(where):
    """3 MB an hour in each allocator is under the threshold in each and 6 MB in their sum; 10 MB
    an hour past both is memory mapped beyond them: each keeps the RSS's leak."""
    in_use, pymalloc, beyond = MALLOC_FLAT, PYMALLOC_FLAT, BEYOND_FLAT
    if where == "malloc":
        in_use = MALLOC_LEAK
    elif where == "pymalloc":
        pymalloc = PYMALLOC_LEAK
    elif where == "sum":
        in_use, pymalloc = _series(3 * MB, 96356, 40 * MB), _series(3 * MB, 96357, 8 * MB)
    else:
        beyond = BEYOND_LEAK
    values = in_use + pymalloc + beyond
    rss = _rss(values, "leak", "growing")
    got = _beside(rss, values, in_use, pymalloc)
    assert (got.verdict, got.shape, got.reason, got.allocator) == ("leak", "growing", RSS_REASON, "asked")
    leaks = {"malloc": got.allocator_verdict, "pymalloc": got.pymalloc_verdict, "sum": got.allocators_sum_verdict,
             "beyond": got.beyond_allocators_verdict}
    expected = {"malloc": ["malloc", "sum"], "pymalloc": ["pymalloc", "sum"], "sum": ["sum"], "beyond": ["beyond"]}
    assert [k for k, v in leaks.items() if v == "leak"] == expected[where]


@pytest.mark.parametrize("shape", ["saturating", "small"])
def test_pymalloc_sampled_alone_is_asked_and_its_window_modelled_out(shape):
    """Only pymalloc's bytes sampled beside an RSS that could not decide (or grew under the
    threshold): they are judged with the history window's entries (a saw of 5 000 to 10 000
    records, 100 bytes each) modelled out, the fit's bytes a record reported."""
    records = 5000.0 + 5000.0 * ((T / 360.0) % 1.0)
    pymalloc = PYMALLOC_LEAK + 100.0 * records
    values = MALLOC_FLAT + pymalloc + BEYOND_FLAT
    rss = _rss(values, "inconclusive" if shape == "saturating" else "ok", shape)
    got = _beside_allocator(rss, T, values, None, pymalloc=pymalloc, window_records=records, threshold_per_hour=None,
                            min_growth=None, warmup_fraction=0.1, alpha=0.01, min_samples=6, groups=None)
    assert (got.verdict, got.allocator, got.allocator_verdict, got.pymalloc_verdict) == ("leak", "asked", None, "leak")
    assert got.pymalloc_window_bytes_per_record == pytest.approx(100.0, rel=0.05)
    assert got.pymalloc_slope_per_hour == pytest.approx(10 * MB, abs=0.3 * MB)
