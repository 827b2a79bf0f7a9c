"""The leak judge asks the C allocator's bytes in use where the RSS cannot decide (``harness.leaks``,
point 7): a leak just over the threshold that the RSS's steps blur into "saturating" is a leak by its
bytes in use; a bounded buffer filling, a process settling in and a leak under the threshold are not;
the RSS's own "leak" is never taken away; without the series the RSS is judged alone, and says so.

Seeded synthetic hours: the RSS drawn in the allocator's 0.4-1.7 MB pieces (``rss_staircases``), the
bytes in use the same live growth without the steps, under heavy-tailed noise (Student-t, 3 degrees of
freedom, 30 kB: a recorded healthy hour's bytes in use move by a robust 24 kB a sample)."""

from __future__ import annotations

import numpy as np
import pytest

from harness import allocator
from harness.leaks import ALLOCATOR_METRIC, ResourceSampler, judge
from harness.reports.build import _leaks
from rss_staircases import HELD, MB, PAGE, T, drawn_staircase

LEAK_5MB = 5 * MB * T / 3600.0
SETTLING = 4 * MB * (1 - np.exp(-T / 720.0))
BUFFER_30MB = 30 * MB * (1 - np.exp(-T / 1800.0))


def in_use(grows: np.ndarray, seed: int) -> np.ndarray:
    """The allocator's bytes in use of a process whose live memory grows by ``grows``."""
    rng = np.random.default_rng(1000 + seed)
    return np.round(20 * MB + grows + 30e3 * rng.standard_t(3, grows.size))


def rss(grows: np.ndarray, seed: int) -> np.ndarray:
    return drawn_staircase(250 * MB + grows + HELD, seed)


@pytest.mark.parametrize("seed", [0, 2, 6, 8, 11])
def test_a_5mb_leak_the_rss_reads_saturating_is_a_leak_by_the_bytes_in_use(seed: int) -> None:
    """Seeds at which the RSS's late half holds two or three steps and reads under the threshold."""
    alone = judge("rss_bytes", T, rss(LEAK_5MB, seed), held=HELD)
    assert (alone.verdict, alone.shape) == ("ok", "saturating"), alone.reason  # what the RSS alone says
    v = judge("rss_bytes", T, rss(LEAK_5MB, seed), held=HELD, in_use=in_use(LEAK_5MB, seed))
    assert (v.verdict, v.shape) == ("leak", "growing"), v.reason
    assert (v.allocator, v.allocator_verdict, v.allocator_shape) == ("asked", "leak", "growing")
    assert v.allocator_late_slope_per_hour is not None and v.allocator_late_slope_per_hour > v.threshold_per_hour
    assert "allocator's bytes in use" in v.reason and "read by the RSS alone: ok, saturating" in v.reason
    assert v.to_dict()["allocator"] == "asked"


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 8])
def test_a_30mb_buffer_still_filling_stays_slowing_beside_its_bytes_in_use(seed: int) -> None:
    """Still 8 MB/h at the hour's end, and slowing: its bytes in use slow too, so no "leak" is added."""
    v = judge("rss_bytes", T, rss(BUFFER_30MB, seed), held=HELD, in_use=in_use(BUFFER_30MB, seed))
    assert (v.verdict, v.shape) == ("inconclusive", "slowing"), v.reason
    assert (v.allocator, v.allocator_verdict, v.allocator_shape) == ("asked", "inconclusive", "slowing")


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 6])
def test_a_3mb_leak_under_a_settling_tail_is_not_made_a_leak(seed: int) -> None:
    """The RSS reads "saturating"; the bytes in use grow 3 MB/h late, under the threshold: the
    allocator, asked, adds nothing."""
    grows = 3 * MB * T / 3600.0 + SETTLING
    v = judge("rss_bytes", T, rss(grows, seed), held=HELD, in_use=in_use(grows, seed))
    assert (v.verdict, v.shape) == ("ok", "saturating"), v.reason
    assert (v.allocator, v.allocator_verdict) == ("asked", "ok")


def test_bytes_in_use_growing_beside_an_rss_under_the_threshold_are_not_asked() -> None:
    """The allocator is asked only where the RSS itself grew above the threshold: bytes in use
    growing 20 MB/h (served from memory the heap already held) beside a flat RSS add nothing."""
    flat = np.full(T.size, 250 * MB)
    v = judge("rss_bytes", T, flat, in_use=in_use(20 * MB * T / 3600.0, 0))
    assert (v.verdict, v.shape, v.allocator, v.allocator_verdict) == ("ok", "flat", "not_asked", None)


def test_the_rss_s_own_leak_stands_whatever_the_bytes_in_use_say() -> None:
    """A leak of CPython's small objects grows the RSS and not malloc's bytes in use: not hidden."""
    y = np.ceil((250 * MB + 8 * MB * T / 3600.0) / PAGE) * PAGE
    v = judge("rss_bytes", T, y, in_use=in_use(np.zeros(T.size), 0))
    assert (v.verdict, v.shape, v.allocator) == ("leak", "growing", "not_asked"), v.reason


def test_without_the_bytes_in_use_the_rss_is_judged_alone_and_says_so() -> None:
    y = np.ceil((250 * MB + BUFFER_30MB) / PAGE) * PAGE
    v = judge("rss_bytes", T, y, in_use=None)
    assert (v.verdict, v.shape, v.allocator) == ("inconclusive", "slowing", "not_sampled")
    assert "judged on the RSS alone" in v.reason
    half = in_use(BUFFER_30MB, 0)
    half[: T.size // 2] = np.nan  # an older segment of a resumed soak that did not sample them
    w = judge("rss_bytes", T, y, in_use=half)
    assert (w.verdict, w.allocator, w.reason) == (v.verdict, "not_sampled", v.reason)


def test_a_short_window_s_steady_bytes_in_use_are_no_leak() -> None:
    """20 minutes of a 5 MB/h leak: under ``MIN_WINDOW_S`` the bytes in use cannot call it either."""
    short = T <= 1200.0
    v = judge("rss_bytes", T[short], rss(LEAK_5MB, 0)[short], held=HELD[short],
              in_use=in_use(LEAK_5MB, 0)[short])
    assert v.verdict != "leak", v.reason


def test_other_metrics_carry_no_allocator_part() -> None:
    v = judge("threads", T, np.full(T.size, 4.0))
    assert v.allocator is None and v.to_dict()["allocator"] is None


def test_the_report_judges_the_rss_beside_the_samples_bytes_in_use() -> None:
    """``_leaks`` (what a soak's summary and report carry) reads ``malloc_in_use_bytes`` from the samples."""
    seed = 0
    y, u = rss(LEAK_5MB, seed) - HELD, in_use(LEAK_5MB, seed)
    samples = [{"t": float(t), "rss_bytes": float(a), ALLOCATOR_METRIC: float(b)} for t, a, b in zip(T, y, u)]
    got = _leaks(samples)["rss_bytes"]
    assert (got.verdict, got.allocator, got.allocator_verdict) == ("leak", "asked", "leak"), got.reason
    alone = _leaks([{k: v for k, v in s.items() if k != ALLOCATOR_METRIC} for s in samples])["rss_bytes"]
    assert (alone.verdict, alone.allocator) == ("ok", "not_sampled"), alone.reason


def test_the_sampler_reads_the_allocator_only_when_asked_and_only_where_glibc_has_it(monkeypatch) -> None:
    asked = ResourceSampler(allocator=True).sample(0.0)
    assert ALLOCATOR_METRIC not in ResourceSampler().sample(0.0)
    if allocator.in_use_bytes() is None:
        assert ALLOCATOR_METRIC not in asked
    else:
        assert isinstance(asked[ALLOCATOR_METRIC], int) and asked[ALLOCATOR_METRIC] > 0
    monkeypatch.setattr(allocator, "_mallinfo2", lambda: None)  # a C library without mallinfo2
    assert allocator.in_use_bytes() is None
    assert ALLOCATOR_METRIC not in ResourceSampler(allocator=True).sample(0.0)


def test_the_bytes_in_use_count_a_block_malloc_maps_on_its_own() -> None:
    """A block over glibc's largest mmap threshold (32 MiB on 64-bit) is always a mapping of its own,
    outside every arena (``hblkhd``): a leak of large buffers shows in the bytes in use only if those
    are counted. 64 MiB are asked for and never touched, so no page of them is made resident."""
    import ctypes
    import ctypes.util

    if allocator.in_use_bytes() is None:
        pytest.skip("no glibc mallinfo2: the bytes in use are not read here")
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    libc.free.restype, libc.free.argtypes = None, [ctypes.c_void_p]
    size = 64 * 1024 * 1024
    before = allocator.in_use_bytes()
    block = libc.malloc(size)
    assert block, "malloc refused 64 MiB"
    try:
        held = allocator.in_use_bytes()
    finally:
        libc.free(block)
    after = allocator.in_use_bytes()
    assert held - before >= size - MB, (before, held)
    assert held - after >= size - MB, (held, after)
