"""The leak judge reads CPython's small objects too (``harness.leaks``, point 7): pymalloc's bytes in
use (``harness.allocator.pymalloc_in_use_bytes``) move with a leak of small objects and not with a
malloc'd buffer; beside malloc's they make a small-object leak the RSS blurs into "saturating" a leak,
keep the RSS's "leak" where a small-object leak sits beside a buffer still filling, and turn the RSS's
"leak" of a buffer still filling (neither allocator growing so) into "inconclusive", never "ok".

Seeded synthetic hours as ``test_leaks_allocator.py``'s (its ``rss`` and ``in_use``); pymalloc's bytes in
use are the small objects' live growth under the same heavy-tailed noise."""

from __future__ import annotations

import gc

import numpy as np
import pytest

from harness import allocator
from harness.leak_mutants import SMALL_LEAK_RATE, SmallObjectLeak, leaks_small_objects_5mb_per_hour
from harness.leaks import ALLOCATOR_METRIC, PYMALLOC_METRIC, ResourceSampler, judge
from harness.reports.build import _leaks
from rss_staircases import HELD, MB, T, drawn_staircase
from test_leaks_allocator import BUFFER_30MB, LEAK_5MB, in_use, rss

NOTHING = np.zeros(T.size)


def pymalloc(small: np.ndarray, seed: int) -> np.ndarray:
    """pymalloc's bytes in use of a process whose small objects grow by ``small``."""
    rng = np.random.default_rng(2000 + seed)
    return np.round(8 * MB + small + 30e3 * rng.standard_t(3, small.size))


def both(malloc_grows: np.ndarray, small_grows: np.ndarray, seed: int, **kw: object):
    """(the RSS judged beside malloc's bytes in use only, beside both allocators')."""
    y = rss(malloc_grows + small_grows, seed)
    mal = in_use(malloc_grows, seed)
    before = judge("rss_bytes", T, y, held=HELD, in_use=mal, **kw)
    after = judge("rss_bytes", T, y, held=HELD, in_use=mal, pymalloc=pymalloc(small_grows, seed), **kw)
    return before, after


def test_pymalloc_bytes_move_with_small_objects_and_not_with_a_mallocd_buffer() -> None:
    if allocator.pymalloc_in_use_bytes() is None:
        pytest.skip("CPython's object allocator is not pymalloc here")
    gc.collect()  # earlier tests' garbage freed now, not by a collection the new tuples would trigger
    gc.disable()
    try:
        _measure_small_objects_and_a_buffer()
    finally:
        gc.enable()


def _measure_small_objects_and_a_buffer() -> None:
    leak = SmallObjectLeak(rate_per_hour=4 * MB)
    start = (allocator.pymalloc_in_use_bytes(), allocator.in_use_bytes())
    leak.advance(0.0)
    leak.advance(3600.0)  # an hour of its clock: 4 MB kept as small objects
    after_leak = (allocator.pymalloc_in_use_bytes(), allocator.in_use_bytes())
    assert leak.kept_bytes > 3.9 * MB
    small_rise = after_leak[0] - start[0]
    assert 0.95 * leak.kept_bytes < small_rise < 1.15 * leak.kept_bytes  # block rounding: 304 B a 289 B piece
    if start[1] is not None:
        assert abs(after_leak[1] - start[1]) < 0.05 * leak.kept_bytes  # no list array: malloc does not see it
    buffer = [bytearray(64 * 1024) for _ in range(64)]  # 4 MiB malloc'd, 64 small headers
    after_buffer = (allocator.pymalloc_in_use_bytes(), allocator.in_use_bytes())
    assert abs(after_buffer[0] - after_leak[0]) < 0.02 * 4 * MB
    if start[1] is not None:
        assert after_buffer[1] - after_leak[1] > 0.95 * 4 * 1024 * 1024
    del buffer


def test_the_small_object_mutant_keeps_its_rate_of_small_objects() -> None:
    system = leaks_small_objects_5mb_per_hour()
    system.small.advance(0.0)
    system.small.advance(1800.0)
    assert abs(system.small.kept_bytes - SMALL_LEAK_RATE / 2) <= system.small.piece_bytes


@pytest.mark.parametrize("seed", [0, 2, 6, 8, 11, 14])
def test_a_small_object_leak_the_rss_reads_saturating_is_a_leak_by_pymallocs_bytes(seed: int) -> None:
    before, after = both(NOTHING, LEAK_5MB, seed)
    assert (before.verdict, before.shape) == ("ok", "saturating"), before.reason  # malloc's sees nothing
    assert before.allocator_verdict != "leak"
    assert (after.verdict, after.shape) == ("leak", "growing"), after.reason
    assert (after.allocator, after.pymalloc_verdict, after.pymalloc_shape) == ("asked", "leak", "growing")
    assert "pymalloc's bytes in use" in after.reason
    assert after.to_dict()["pymalloc_verdict"] == "leak"


@pytest.mark.parametrize("seed", [6, 7, 11, 15])
def test_the_rss_leak_of_a_30mb_buffer_still_filling_is_inconclusive_beside_both_allocators(seed: int) -> None:
    """The RSS's steps read the last quarter as fast as the third; malloc's bytes slow, pymalloc's are
    flat, their sum slows: no leak shown by either, so at most "inconclusive", with the reason."""
    before, after = both(BUFFER_30MB, NOTHING, seed)
    assert (before.verdict, before.shape) == ("leak", "growing"), before.reason  # the false alarm
    assert after.verdict == "inconclusive", after.reason
    assert (after.allocator, after.allocator_verdict, after.allocator_shape) == ("asked", "inconclusive", "slowing")
    assert after.pymalloc_verdict == "ok" and after.allocators_sum_verdict != "leak"
    assert after.beyond_allocators_verdict != "leak"
    assert after.reason.startswith("read by the RSS alone: a leak") and "soak longer" in after.reason


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 5, 7, 8, 11])
def test_a_small_object_leak_beside_a_filling_buffer_is_a_leak(seed: int) -> None:
    """The buffer's slowing must not clear the leak: pymalloc's bytes grow steadily."""
    before, after = both(BUFFER_30MB, LEAK_5MB, seed)
    assert (after.verdict, after.shape) == ("leak", "growing"), after.reason
    assert after.allocator_verdict != "leak" and after.pymalloc_verdict == "leak"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_leak_shared_between_the_allocators_is_not_cleared(seed: int) -> None:
    """3 MB/h in each, under the 4 MiB/h threshold alone; 6 MB/h in the sum, which keeps the RSS's leak.
    The bounded log the judge is told about lives in the allocators, half in each, as a real log's
    records do: the sum is judged with the log's bytes taken out (``harness.leaks._allocators_sum``), and
    the leak stays in it."""
    share = 3 * MB * T / 3600.0
    log = HELD / 2
    y = drawn_staircase(250 * MB + 2 * share + log, seed)
    after = judge("rss_bytes", T, y, held=log, in_use=in_use(share + log / 2, seed),
                  pymalloc=pymalloc(share + log / 2, seed))
    assert after.verdict == "leak", after.reason
    assert after.allocator_verdict != "leak" and after.pymalloc_verdict != "leak"
    assert after.allocators_sum_verdict == "leak"


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_a_leak_shared_between_the_allocators_beside_no_log_is_not_cleared(seed: int) -> None:
    """The same 3 + 3 MB/h with no bounded log at all: nothing is taken out of the sum."""
    share = 3 * MB * T / 3600.0
    after = judge("rss_bytes", T, drawn_staircase(250 * MB + 2 * share, seed), in_use=in_use(share, seed),
                  pymalloc=pymalloc(share, seed))
    assert after.verdict == "leak", after.reason
    assert after.allocator_verdict != "leak" and after.pymalloc_verdict != "leak"
    assert after.allocators_sum_verdict == "leak"


def test_the_rss_leak_stands_when_only_one_allocator_was_sampled() -> None:
    seed = 6  # the buffer's RSS reads "leak" there
    y = rss(BUFFER_30MB, seed)
    only_malloc = judge("rss_bytes", T, y, held=HELD, in_use=in_use(BUFFER_30MB, seed))
    only_pymalloc = judge("rss_bytes", T, y, held=HELD, pymalloc=pymalloc(NOTHING, seed))
    assert (only_malloc.verdict, only_malloc.allocator) == ("leak", "not_asked")
    assert (only_pymalloc.verdict, only_pymalloc.allocator) == ("leak", "not_asked")


def test_the_report_reads_pymallocs_bytes_from_the_samples() -> None:
    seed = 6
    y = rss(BUFFER_30MB, seed) - HELD
    u, p = in_use(BUFFER_30MB, seed), pymalloc(NOTHING, seed)
    samples = [{"t": float(t), "rss_bytes": float(a), ALLOCATOR_METRIC: float(b), PYMALLOC_METRIC: float(c)}
               for t, a, b, c in zip(T, y, u, p)]
    got = _leaks(samples)["rss_bytes"]
    assert (got.verdict, got.allocator, got.pymalloc_verdict) == ("inconclusive", "asked", "ok"), got.reason
    alone = _leaks([{k: v for k, v in s.items() if k != PYMALLOC_METRIC} for s in samples])["rss_bytes"]
    assert (alone.verdict, alone.allocator) == ("leak", "not_asked"), alone.reason


def test_the_sampler_reads_pymalloc_only_when_asked_and_only_where_it_can(monkeypatch) -> None:
    assert PYMALLOC_METRIC not in ResourceSampler().sample(0.0)
    asked = ResourceSampler(allocator=True).sample(0.0)
    if allocator.pymalloc_in_use_bytes() is None:
        assert PYMALLOC_METRIC not in asked
    else:
        assert isinstance(asked[PYMALLOC_METRIC], int) and asked[PYMALLOC_METRIC] > 0
    monkeypatch.setattr(allocator, "_stats_writer", lambda: None)  # not CPython's pymalloc
    assert allocator.pymalloc_in_use_bytes() is None
    assert PYMALLOC_METRIC not in ResourceSampler(allocator=True).sample(0.0)


def test_an_rss_leak_mapped_past_both_allocators_stays_a_leak() -> None:
    """Memory a C extension maps itself grows in neither allocator's series: the RSS beyond them
    shows it, and the RSS's "leak" stands."""
    seed = 6
    mapped = 8 * MB * T / 3600.0
    y = rss(BUFFER_30MB + mapped, seed)
    v = judge("rss_bytes", T, y, held=HELD, in_use=in_use(BUFFER_30MB, seed), pymalloc=pymalloc(NOTHING, seed))
    assert v.verdict == "leak", v.reason
    assert v.allocator_verdict != "leak" and v.pymalloc_verdict != "leak" and v.allocators_sum_verdict != "leak"
    assert v.beyond_allocators_verdict == "leak"
