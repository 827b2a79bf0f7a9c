"""The glitch analyser's vectorised kernels give the numbers of their plain forms, bit for bit.

``analysis._window_medians`` and ``_window_nanmedians`` replace ``np.median`` / ``np.nanmedian``
over ``sliding_window_view`` in the analyser's hot path (a partition instead of numpy's median,
whose per-call overhead and masked-array NaN path cost more than the arithmetic on ~1 500-block
windows). A verdict depends on every bit of them, so they are held to numpy exactly: equal
arrays, NaN where numpy gives NaN, on random data with NaN at the ends (``_steady_span``'s
padding), inside, and windows that are all NaN. ``_fine_templates`` builds every harmonic's
columns in one array; its matrices equal a column-by-column construction. ``_median1`` and
``_percentile1`` (one 1-D float64 array's median and percentile, without numpy's dispatch) equal
``np.median`` and ``np.percentile`` number for number, NaN included.
"""

from __future__ import annotations

import math
import struct
import warnings

import numpy as np
import pytest

from harness import analysis


def _numpy_windows(a: np.ndarray, win: int, nan: bool) -> np.ndarray:
    view = np.lib.stride_tricks.sliding_window_view(a, win)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(view, axis=1) if nan else np.median(view, axis=1)


@pytest.mark.parametrize("win", [1, 3, 5, 17])
@pytest.mark.parametrize("seed", range(4))
def test_window_medians_equal_numpys(win: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(int(rng.integers(win, 400)))
    a[rng.random(a.size) < 0.1] = rng.choice(a, 1)  # ties
    assert np.array_equal(analysis._window_medians(a.copy(), win), _numpy_windows(a, win, nan=False))


def test_window_medians_give_nan_where_a_window_holds_nan() -> None:
    a = np.arange(20, dtype=np.float64)
    a[7] = np.nan
    got = analysis._window_medians(a, 5)
    want = _numpy_windows(a, 5, nan=False)
    assert np.array_equal(got, want, equal_nan=True)
    assert np.isnan(got[3:8]).all() and not np.isnan(got[:3]).any() and not np.isnan(got[8:]).any()


def test_window_medians_refuse_an_even_window() -> None:
    with pytest.raises(AssertionError):
        analysis._window_medians(np.zeros(10), 4)


@pytest.mark.parametrize("win", [2, 4, 5, 8, 9])
@pytest.mark.parametrize("seed", range(6))
def test_window_nanmedians_equal_numpys(win: int, seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    mag = rng.random(int(rng.integers(1, 300)))
    a = np.concatenate((np.full(win, np.nan), mag, np.full(win, np.nan)))  # _steady_span's padding
    if seed % 2:  # NaN inside too, a run of them longer than a window among them
        a[rng.integers(0, a.size, 5)] = np.nan
        start = int(rng.integers(0, a.size))
        a[start:start + win + 2] = np.nan
    got = analysis._window_nanmedians(a, win)
    assert np.array_equal(got, _numpy_windows(a, win, nan=True), equal_nan=True)


def test_window_nanmedians_of_windows_without_nan_are_plain_medians() -> None:
    a = np.random.default_rng(7).random(50)
    assert np.array_equal(analysis._window_nanmedians(a, 5), _numpy_windows(a, 5, nan=False))


def _templates_by_column(cyc: float, block: int) -> tuple[np.ndarray, np.ndarray]:
    """The fine pass's model columns one by one (the plain form ``_fine_templates`` regroups)."""
    m = np.arange(block, dtype=np.float64)
    t = (m - (block - 1) / 2) / block
    ph = 2 * np.pi * np.mod(m * cyc, 1.0)
    cols = [np.ones(block), t, np.cos(ph), np.sin(ph), t * np.cos(ph), t * np.sin(ph)]
    for h in range(2, analysis.FINE_HARMONICS + 1):
        if h * cyc >= 0.45:
            break
        ph = 2 * np.pi * np.mod(m * (h * cyc), 1.0)
        cols += [np.cos(ph), np.sin(ph)]
    tm = np.stack(cols, axis=1)
    return tm, np.linalg.pinv(tm.T @ tm)


@pytest.mark.parametrize("cyc", [751 / 48_000, 751 / 48_000 + 3.7e-10, 1000 / 44_100, 0.0899, 0.1125, 0.2249, 0.3])
@pytest.mark.parametrize("block", [256, 320])
def test_fine_templates_equal_a_column_by_column_build(cyc: float, block: int) -> None:
    tm, ginv, fund, tm32 = analysis._fine_templates(cyc, block)
    want_tm, want_ginv = _templates_by_column(analysis._fine_grid(cyc), block)
    assert fund == 2
    assert tm.shape == want_tm.shape and tm.flags.c_contiguous
    assert np.array_equal(tm, want_tm) and np.array_equal(ginv, want_ginv)
    assert np.array_equal(tm32, want_tm.astype(np.float32))


def _samples(rng: np.random.Generator, n: int, kind: str) -> np.ndarray:
    if kind == "ties":
        return rng.integers(0, 5, n).astype(np.float64) / 4
    if kind == "squares":
        return rng.standard_normal(n) ** 2 * 1e-3
    return rng.standard_normal(n) * 10.0 ** rng.integers(-8, 3)


@pytest.mark.parametrize("kind", ["plain", "ties", "squares"])
@pytest.mark.parametrize("seed", range(4))
def test_median1_and_percentile1_equal_numpys(kind: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for n in (1, 2, 3, 4, 5, 10, 11, 97, 128, 1500, 1501):
        a = _samples(rng, n, kind)
        before = a.copy()
        assert analysis._median1(a) == float(np.median(a)), (n, kind)
        for q in (0, 10, 25, 50, 62.5, 90, 99, 100):
            assert analysis._percentile1(a, q) == float(np.percentile(a, q)), (n, kind, q)
        assert np.array_equal(a, before)  # the caller's array is left as it was


def _long_samples(rng: np.random.Generator, n: int, kind: str) -> np.ndarray:
    a = rng.standard_normal(n) * 10.0 ** rng.integers(-8, 3)
    if kind == "ties":  # a handful of numbers: the bracket holds one of them, or misses
        a = np.round(a / np.abs(a).max() * 2) / 2
    elif kind == "zeros":  # zeros of both signs about the middle: only the whole partition picks
        a = np.round(a / np.abs(a).max() * 3)
        a[rng.integers(0, n, n // 3)] = -0.0
    elif kind == "skewed":  # a middle far from the sample's: the bracket may miss
        a[: n // 2 - 3] = 1e-9
    elif kind == "infinite":
        a[rng.integers(0, n, 40)] = np.inf
        a[rng.integers(0, n, 30)] = -np.inf
    elif kind == "nan":
        a[rng.integers(0, n)] = np.nan
    elif kind == "sorted":
        a = np.sort(a)
    if rng.integers(0, 2):
        a = a.astype(np.float32)
    return a


@pytest.mark.parametrize("kind", ["plain", "ties", "zeros", "skewed", "infinite", "nan", "sorted"])
@pytest.mark.parametrize("seed", range(3))
def test_median1_of_a_long_array_is_the_whole_partitions_bit_for_bit(kind: str, seed: int,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """From ``_BRACKET_MIN`` numbers on ``_median1`` selects inside a bracket read off a sample:
    the same number, to the bit (the sign of a zero included), as selecting from the whole
    array, which is ``_median1`` with the bracket off; and the bracket is taken (it must be, for
    this to test it) wherever it holds the middle."""
    rng = np.random.default_rng(seed)
    taken = []
    bracket = analysis._bracketed_middles
    bracket_min = analysis._BRACKET_MIN

    def counted(a: np.ndarray, h: int) -> object:
        found = bracket(a, h)
        taken.append(found is not None)
        return found

    monkeypatch.setattr(analysis, "_bracketed_middles", counted)
    for n in (bracket_min, bracket_min + 1, 20_000, 47_001, 140_288):
        a = _long_samples(rng, n, kind)
        before = a.copy()
        got = analysis._median1(a)
        monkeypatch.setattr(analysis, "_BRACKET_MIN", 10**12)
        want = analysis._median1(a)
        monkeypatch.setattr(analysis, "_BRACKET_MIN", bracket_min)
        if kind == "nan":
            assert math.isnan(got) and math.isnan(want), (n, got, want)
        else:
            assert struct.pack("<d", got) == struct.pack("<d", want), (n, kind, got, want)
        assert np.array_equal(a, before, equal_nan=True)  # the caller's array is left as it was
    if kind in ("plain", "infinite", "sorted"):
        assert all(taken), taken
    if kind == "nan":
        assert not any(taken)


def test_median1_and_percentile1_give_nan_where_numpy_does_and_defer_to_it_for_other_arrays() -> None:
    rng = np.random.default_rng(5)
    for n in (1, 2, 7, 8, 300):
        for where in {0, n // 2, n - 1}:
            a = rng.standard_normal(n)
            a[where] = np.nan
            assert np.isnan(analysis._median1(a)) and np.isnan(np.median(a))
            assert np.isnan(analysis._percentile1(a, 90)) and np.isnan(np.percentile(a, 90))
    f32 = rng.standard_normal(11).astype(np.float32)
    assert analysis._median1(f32) == float(np.median(f32))
    assert analysis._percentile1(f32, 90) == float(np.percentile(f32, 90))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's own "mean of empty slice"
        assert np.isnan(analysis._median1(np.zeros(0)))


def _partition_window_medians(a: np.ndarray, win: int) -> np.ndarray:
    """The definition ``_window_medians`` had before ``_median5``: one partition per window."""
    view = np.lib.stride_tricks.sliding_window_view(a, win)
    out = np.partition(view, win // 2, axis=1)[:, win // 2]
    out[np.isnan(view).any(axis=1)] = np.nan
    return out


@pytest.mark.parametrize("seed", range(6))
def test_window_medians_of_five_equal_one_partition_per_window_bit_for_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for n in (5, 6, 9, 40, 257):
        for kind in ("plain", "ties", "zeros", "nan"):
            a = rng.standard_normal(n) * 10.0 ** rng.integers(-6, 3)
            if kind == "ties":
                a = np.round(a * 2) / 2 + 3.0  # repeated numbers, none zero
            elif kind == "zeros":
                a = np.round(a)
                a[rng.integers(0, n, 3)] = -0.0  # zeros of both signs: the partition's path
            elif kind == "nan":
                a[rng.integers(0, n, 2)] = np.nan
            got = analysis._window_medians(a.copy(), 5)
            want = _partition_window_medians(a.copy(), 5)
            assert np.array_equal(got, want, equal_nan=True), (n, kind)
            assert np.array_equal(np.signbit(got), np.signbit(want)), (n, kind)


def test_median5_is_the_middle_of_every_ordering_of_five_numbers_with_ties() -> None:
    import itertools

    combos = np.array(list(itertools.product(range(1, 5), repeat=5)), dtype=np.float64)  # 1024 rows
    got = analysis._median5(*combos.T)
    assert np.array_equal(got, np.median(combos, axis=1))


@pytest.mark.parametrize("seed", range(4))
def test_median1_of_float32_and_column_medians_equal_numpys(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for n in (1, 2, 3, 4, 11, 12, 255, 256):
        a32 = (rng.standard_normal(n) * 10.0 ** rng.integers(-20, 5)).astype(np.float32)
        tiny = (rng.standard_normal(n) ** 2 * 1e-40).astype(np.float32)  # subnormal sums and halves
        for a in (a32, tiny, np.round(a32)):
            assert analysis._median1(a) == float(np.median(a)), (n, a.dtype)
        for cols in (1, 8):
            m = rng.standard_normal((n, cols)) ** 2 * 10.0 ** rng.integers(-300, 300)
            assert np.array_equal(analysis._column_medians(m), np.median(m, axis=0)), (n, cols)
        m[n // 2, 0] = np.nan  # a NaN column: numpy's own answer
        assert np.array_equal(analysis._column_medians(m), np.median(m, axis=0), equal_nan=True)


@pytest.mark.parametrize("seed", range(3))
def test_a_fine_pass_residual_row_is_the_same_whichever_rows_share_the_product(seed: int) -> None:
    """``_fine_events`` keeps a long take's residual, computed 256 blocks a product, and reads
    the noise's lag-1 correlation from 256 picked rows of it, where the picked rows once had a
    product of their own: the two must be the same numbers, row for row, or the whitening's rho
    could move. A last chunk of one row is numpy's matrix-vector product, whose row may round
    apart from the matrix product's: ``_fine_events`` keeps the picks' own product for those
    lengths, and this checks the others (every last-chunk size from 2 to 256 rows)."""
    rng = np.random.default_rng(seed)
    tm, _, _, tm32 = analysis._fine_templates(997 / 48_000, 256)
    for nb in range(258 + seed, 513, 3):
        blocks = (rng.standard_normal((nb, 256)) * 0.3).astype(np.float32)
        coef = rng.standard_normal((nb, tm.shape[1])) * 10.0 ** rng.integers(-6, 1)
        kept = np.concatenate([blocks[i: i + 256] - coef[i: i + 256].astype(np.float32) @ tm32.T
                               for i in range(0, nb, 256)])
        pick = np.unique(np.linspace(0, nb - 1, 256).astype(np.int64))
        own = blocks[pick] - coef[pick].astype(np.float32) @ tm32.T
        assert np.array_equal(kept[pick], own), nb


@pytest.mark.parametrize("rho", [0.0, 0.3, 0.98])
def test_the_residual_whitened_in_place_is_the_copy_s_numbers(rho: float) -> None:
    rng = np.random.default_rng(7)
    r = (rng.standard_normal((40, 256)) * 1e-3).astype(np.float32)
    want = analysis._whitened(r, rho)
    got = analysis._whitened(r.copy(), rho, in_place=True)
    assert got.dtype == want.dtype and np.array_equal(got, want)
    assert np.array_equal(np.abs(got) ** 2, want ** 2)  # the pass squares |e| for e's squares


def test_the_fine_model_is_built_once_per_grid_point_and_follows_a_tone_between_grid_points() -> None:
    """Takes of one tone refine its frequency a little apart (~1e-9 cycles a frame on the
    simulated device): within a grid step they share one build of the fine model's columns. Built
    half a grid step off the tone, the columns follow its fundamental (the ramp columns take the
    phase's slope) as closely as the exact frequency's do, and leave of each harmonic ``h`` at most
    its amplitude times ``2 pi h (block - 1)`` times half a grid step: under 1/100 of the fine
    pass's smallest reported error (``_FINE_FLOOR`` of the tone) with four harmonics at -6 to -14 dB
    of the fundamental."""
    block = 256
    grid = analysis._FINE_GRID
    base = analysis._fine_grid(997 / 48_000)
    a = analysis._fine_templates(base + 0.3 * grid, block)
    b = analysis._fine_templates(base - 0.3 * grid, block)
    assert all(x is y for x, y in zip(a, b))
    assert not any(x.flags.writeable for x in (a[0], a[1], a[3]))
    assert analysis._fine_templates(base + 0.7 * grid, block)[0] is not a[0]

    tm, ginv, _, _ = a
    cyc = base + 0.499 * grid
    exact_tm, exact_ginv = _templates_by_column(cyc, block)
    n = np.arange(200 * block, dtype=np.float64)
    amps = [0.5 / h for h in range(1, 6)]

    def worst(x: np.ndarray, t: np.ndarray, g: np.ndarray) -> float:
        blocks = x.reshape(-1, block)
        return float(np.max(np.abs(blocks - ((blocks @ t) @ g) @ t.T)))

    tone = amps[0] * np.cos(2 * np.pi * np.mod(cyc * n, 1.0) + 1.0)
    assert worst(tone, tm, ginv) < 1e-12 and worst(tone, exact_tm, exact_ginv) < 1e-12
    rich = sum(amp * np.cos(2 * np.pi * np.mod(h * cyc * n, 1.0) + h) for h, amp in enumerate(amps, 1))
    bound = sum(amp * 2 * np.pi * h * (block - 1) * 0.499 * grid for h, amp in enumerate(amps[1:], 2))
    assert worst(rich, exact_tm, exact_ginv) < 1e-11
    assert worst(rich, tm, ginv) <= bound < analysis._FINE_FLOOR * amps[0] / 100


def _line_by_offsets(phi: np.ndarray, w: np.ndarray, win: int, side: int) -> tuple[np.ndarray, ...]:
    """The weighted line through the ``win`` blocks on one side of each block, evaluated there:
    the plain form, each sum ``sum_j j**p * arr[k + j]`` an explicit loop over the offsets ``j``
    from 0.0, in their order."""
    n = phi.size
    s0, s1, s2, sy, sjy = (np.zeros(n) for _ in range(5))
    wy = phi * w
    for j in range(1, win + 1):
        jj = float(j * side)
        k = np.arange(n) + j * side  # the neighbour of every block at this offset
        inside = (k >= 0) & (k < n)
        wk = np.where(inside, w[np.clip(k, 0, n - 1)], 0.0)
        yk = np.where(inside, wy[np.clip(k, 0, n - 1)], 0.0)
        s0, s1, s2 = s0 + wk, s1 + jj * wk, s2 + (jj * jj) * wk
        sy, sjy = sy + yk, sjy + jj * yk
    det = s0 * s2 - s1 * s1
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(det > 1e-9, (s2 * sy - s1 * sjy) / det, np.nan)
        var = np.where(det > 1e-9, s2 / det, np.inf)
    return value, s0, var


@pytest.mark.parametrize("n", [1, 3, 8, 9, 17, 180, 2250])
@pytest.mark.parametrize("seed", range(3))
def test_sliding_lines_give_both_sides_of_the_offset_by_offset_sums_bit_for_bit(n: int, seed: int) -> None:
    """``_sliding_lines`` (both sides of the fine pass's phase comparison in one reduction per sum)
    equals, for each side, the loop over offsets it stands for: values, weight sums and variance
    factors, NaN and inf where too few neighbours are usable; and ``_sliding_line`` is its sides."""
    rng = np.random.default_rng(300 + seed)
    win = analysis._STEP_WINDOW
    phi = np.cumsum(rng.standard_normal(n)) * 0.01 + rng.uniform(-3, 3)
    w = (rng.random(n) > 0.3).astype(np.float64)
    w[: n // 3] = 1.0 if seed == 1 else w[: n // 3]  # full windows, then gaps
    got = analysis._sliding_lines(phi, w, win)
    for side, g in zip((-1, +1), got):
        want = _line_by_offsets(phi, w, win, side)
        for a, b in zip(g, want):
            assert a.tobytes() == b.tobytes(), side
        assert all(x.tobytes() == y.tobytes() for x, y in zip(analysis._sliding_line(phi, w, win, side), g))


@pytest.mark.parametrize("n", [1, 3, 8, 9, 17, 180, 2250])
@pytest.mark.parametrize("seed", range(4))
def test_the_compiled_sliding_lines_are_the_numpy_paths_bit_for_bit(n: int, seed: int) -> None:
    """``analysis_kernels.sliding_lines`` (``_sliding_lines`` under ``use_kernel("compiled")``)
    gives the numpy path's values, weight sums and variance factors to the bit (a NaN a NaN): NaN
    and inf where too few neighbours are usable, a NaN or infinite phase, other window lengths."""
    pytest.importorskip("numba")
    rng = np.random.default_rng(700 + seed)
    phi = np.cumsum(rng.standard_normal(n)) * 0.01 + rng.uniform(-3, 3)
    w = (rng.random(n) > 0.3).astype(np.float64)
    if seed == 1:
        w[: n // 3] = 1.0
    if seed == 2 and n > 4:
        phi[n // 2] = np.nan
        phi[n // 4] = np.inf
        w[n // 4] = 0.0
    for win in (analysis._STEP_WINDOW, 1, 4, 13):
        with analysis.use_kernel("numpy"), np.errstate(invalid="ignore"):
            want = analysis._sliding_lines(phi, w, win)
        with analysis.use_kernel("compiled"), np.errstate(invalid="ignore"):
            got = analysis._sliding_lines(phi, w, win)
        for g, e in zip(got, want):
            for a, b in zip(g, e):
                # a NaN's sign bit follows the order its operands met in (no comparison reads it)
                same = (a.view(np.int64) == b.view(np.int64)) | (np.isnan(a) & np.isnan(b))
                assert a.dtype == b.dtype and same.all(), (win, seed)


def test_sorted_unique_is_numpys_unique_of_an_ascending_array() -> None:
    """The fine pass's picks (ascending) deduplicated as ``np.unique`` does, empty included."""
    rng = np.random.default_rng(5)
    for size in (0, 1, 2, 7, 256, 1000):
        a = np.sort(rng.integers(0, max(size // 3, 1), size)).astype(np.int64)
        got = analysis._sorted_unique(a)
        assert got.dtype == np.int64 and np.array_equal(got, np.unique(a))
    picks = np.linspace(0, 2249, 256).astype(np.int64)
    assert np.array_equal(analysis._sorted_unique(picks), np.unique(picks))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_median1_of_an_even_count_is_the_two_selection_median_bit_for_bit_signed_zeros_too(dtype: type) -> None:
    """``_median1`` of an even count takes the lower middle as the largest number below the upper
    one (one selection); it must give the numbers of the two selections ``np.partition(a, (h - 1,
    h))`` it replaced, bits included: where a zero is a middle number, zeros of both signs may
    sit there, and ``(lo + hi) / 2`` keeps the sign of the pair picked."""
    rng = np.random.default_rng(11)
    values = np.array([-0.0, 0.0, 1.0, -1.0, 0.5, -2.0], dtype=dtype)
    for _ in range(1500):
        a = rng.choice(values, 2 * int(rng.integers(1, 40)))
        h = a.size // 2
        part = np.partition(a, (h - 1, h))
        if dtype is np.float64:
            want = (float(part[h - 1]) + float(part[h])) / 2
        else:
            want = float(np.float32(float(part[h - 1] + part[h]) / 2))
        got = analysis._median1(a)
        assert got == want and math.copysign(1.0, got) == math.copysign(1.0, want), a
    big = rng.standard_normal(36_000).astype(dtype) ** 2  # ``_edge_scale``'s residual squares
    part = np.partition(big, (17_999, 18_000))
    if dtype is np.float64:
        want_big = (float(part[17_999]) + float(part[18_000])) / 2
    else:
        want_big = float(np.float32(float(part[17_999] + part[18_000]) / 2))
    assert analysis._median1(big) == want_big
