"""The leak judge's pairwise statistics, computed row by row, are the all-pairs ones bit for bit,
in a bounded amount of memory.

``theil_sen``, ``sen_interval`` and ``mann_kendall_p`` read every pair of samples of a group (up
to ``_MAX_POINTS``: ~1.1 million pairs). Built from ``np.triu_indices`` their index arrays,
gathers and masks made ~40-75 MB at once, the peak of a 1-hour soak's process while its report
was built (bench/RESULTS.md, issue #17). The reference below is that all-pairs computation."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from harness import leaks


def _all_pairs_slopes(t: np.ndarray, y: np.ndarray, g: np.ndarray) -> np.ndarray:
    i, j = np.triu_indices(g.size, k=1)
    same = g[i] == g[j]
    i, j = i[same], j[same]
    dt = t[j] - t[i]
    ok = dt > 0
    return (y[j] - y[i])[ok] / dt[ok]


def _all_pairs_s(y: np.ndarray, g: np.ndarray) -> float:
    s = 0.0
    for key in np.unique(g):
        yy = y[g == key]
        i, j = np.triu_indices(yy.size, k=1)
        s += float(np.sign(yy[j] - yy[i]).sum())
    return s


def _series(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Samples with repeated times, tied values, NaN-free, in 1-3 segments (groups)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 300))
    if seed % 2:
        t = np.sort(rng.integers(0, n + 1, n)).astype(float)  # repeated times: pairs skipped
    else:
        t = np.cumsum(rng.uniform(0.0, 2.0, n))
    y = np.round(rng.normal(0, 3, n)) if seed % 3 == 0 else rng.normal(0, 1, n)  # ties
    y = y + 1e-2 * t
    g = np.sort(rng.integers(0, 1 + seed % 3, n)).astype(np.int64)
    return t, y, g


@pytest.mark.parametrize("seed", range(40))
def test_the_row_by_row_statistics_are_the_all_pairs_ones(seed: int) -> None:
    t, y, g = _series(seed)
    reference = _all_pairs_slopes(t, y, g)
    got = leaks._pair_slopes(t, y, g)
    assert np.array_equal(np.sort(got), np.sort(reference))
    if reference.size:
        assert leaks.theil_sen(t, y, g) == float(np.median(reference))
    else:
        assert np.isnan(leaks.theil_sen(t, y, g))
    assert leaks._mk_s_var(y, g)[0] == _all_pairs_s(y, g)


@pytest.mark.parametrize("name", ["theil_sen", "sen_interval", "mann_kendall_p"])
def test_a_full_series_is_judged_in_little_more_memory_than_its_slopes(name: str) -> None:
    n = leaks._MAX_POINTS
    t = np.arange(n) * 2.4
    y = np.random.default_rng(1).normal(0.0, 1.0, n)
    slopes_bytes = n * (n - 1) // 2 * 8
    args = (y,) if name == "mann_kendall_p" else (t, y)
    tracemalloc.start()
    try:
        getattr(leaks, name)(*args)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1.5 * slopes_bytes, f"{name}: {peak / 1e6:.1f} MB traced at its peak"
