"""The harness's own bounded working sets in a soak's process are counted, not charged to the system.

The listening check's memos of arrays (``harness.analysis``'s ``CountedCache``s: the fine-pass
templates fill toward 64 entries of ~44.6 kB, ~0.4 MB/h of a healthy hour) and the live health
check's window of transitions (``_Health``, bounded by ``HEALTH_WINDOW``) are sampled as
``caches_log_bytes`` (``harness.held_caches.HarnessHeld``) and taken out of the RSS before it is
judged, as the bounded logs are (``HELD_METRICS``). Synthetic series with a seeded generator, the
simulated device and its virtual clock: deterministic.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

from harness import analysis
from harness.held_caches import CountedCache, HarnessHeld, counted_caches, result_bytes
from harness.invariants import HEALTH_WINDOW, _Health
from harness.leaks import ResourceSampler, log_books
from harness.reports.build import _leaks
from held_soak import assert_column_taken_out, short_soak_samples

MB = 1e6


def _soak_samples(*, leak_per_h: float, cache_per_h: float, seed: int) -> list[dict[str, float]]:
    """One sample a second for an hour: an RSS of 150 MB plus a leak, plus a cache filling toward
    its cap (never reached), with 20 kB of noise; both allocators flat but for their noise (the
    cache's arrays live in malloc's heap: added there too, as the leak is)."""
    rng = np.random.default_rng(seed)
    t = np.arange(1.0, 3601.0)
    cache = np.minimum(cache_per_h * t / 3600.0, 2.85e6)
    leak = leak_per_h * t / 3600.0
    rss = 150e6 + leak + cache + rng.normal(0, 20e3, t.size)
    malloc = 40e6 + leak + cache + rng.normal(0, 5e3, t.size)
    pymalloc = 40e6 + rng.normal(0, 5e3, t.size)
    return [{"t": float(t[i]), "rss_bytes": float(rss[i]), "malloc_in_use_bytes": float(malloc[i]),
             "pymalloc_in_use_bytes": float(pymalloc[i]), "caches_log_bytes": float(cache[i])}
            for i in range(t.size)]


def test_a_cache_filling_beside_flat_allocators_is_counted_and_not_read_as_a_leak() -> None:
    """An RSS growing 3.9 MB/h (under the 4 MiB/h threshold) plus a harness cache filling 0.4 MB/h
    toward its cap: 4.3 MB/h, above it. Counted, the cache is taken out and the RSS reads ``ok``;
    the tree before charged it to the system (``leak``)."""
    samples = _soak_samples(leak_per_h=3.9 * MB, cache_per_h=0.4 * MB, seed=99761)
    v = _leaks(samples)["rss_bytes"]
    assert v.held_last == pytest.approx(samples[-1]["caches_log_bytes"])
    assert v.verdict == "ok", (v.verdict, v.shape, v.slope_per_hour, v.reason)
    assert v.slope_per_hour is not None and v.slope_per_hour < 4.0 * MB
    uncounted = _leaks([{k: x for k, x in s.items() if k != "caches_log_bytes"} for s in samples])["rss_bytes"]
    assert uncounted.verdict == "leak", (uncounted.verdict, uncounted.reason)


def test_a_planted_leak_beside_a_counted_cache_is_still_a_leak() -> None:
    samples = _soak_samples(leak_per_h=5.0 * MB, cache_per_h=0.4 * MB, seed=99762)
    v = _leaks(samples)["rss_bytes"]
    assert v.verdict == "leak", (v.verdict, v.shape, v.reason)
    assert v.slope_per_hour is not None and v.slope_per_hour > 4.5 * MB


def test_a_counted_cache_keeps_its_results_array_bytes_exactly_through_evictions() -> None:
    calls: list[int] = []

    def build(n: int) -> tuple[np.ndarray, np.ndarray, int]:
        calls.append(n)
        return np.zeros(n), np.zeros(2 * n, dtype=np.float32), n

    counted = CountedCache(build, maxsize=3)
    reference = functools.lru_cache(maxsize=3)(lambda n: n)
    for n in (10, 20, 10, 30, 40, 20, 10, 40, 50):
        counted(n)
        reference(n)
        held = counted.cache_info().currsize
        assert counted.cache_info() == reference.cache_info()
        # what it holds now: the newest 3 keys by last use, each 8n + 4*2n bytes
        assert counted.held_bytes == sum(result_bytes(r) for r, _ in counted._memo.values())
        assert held <= 3
    assert counted.held_bytes == sum(16 * k[0] for k in counted._memo)  # 8n + 8n
    assert len(calls) == counted.cache_info().misses
    assert sorted(k[0] for k in counted._memo) == [10, 40, 50]
    assert counted.fill().records == 3 and counted.fill().maxlen == 3
    counted.cache_clear()
    assert counted.held_bytes == 0 and counted.cache_info().currsize == 0


def test_the_fine_templates_memo_is_counted_at_its_arrays_bytes() -> None:
    """One 256-frame entry of ``_fine_templates_at``: its three arrays, 44 576 bytes at 1 kHz of
    48 kHz (leak35's census), in ``counted_caches`` and a ``HarnessHeld`` sample."""
    memo = analysis._fine_templates_at
    assert isinstance(memo, CountedCache)
    memo.cache_clear()
    tm, ginv, _, tm32 = analysis._fine_templates(1000 / 48000, 256)
    assert memo.held_bytes == tm.nbytes + ginv.nbytes + tm32.nbytes == 44_576
    fills = counted_caches()
    assert fills["harness.analysis._fine_templates_at"].held_bytes == 44_576
    books = log_books(HarnessHeld(), "caches")
    assert books["caches_log_bytes"] == sum(f.held_bytes for f in fills.values())
    s = ResourceSampler().sample(1.0, caches=HarnessHeld())
    assert s["caches_log_bytes"] == books["caches_log_bytes"]


def test_the_health_windows_bytes_follow_its_columns_and_keep_their_peak() -> None:
    health = _Health({})
    assert health.window_fill().records == 0
    for seq in range(HEALTH_WINDOW):
        health._insert(seq, "running" if seq % 2 else "recovering")
    half = health.window_fill()
    assert half.records == HEALTH_WINDOW and half.maxlen == 2 * HEALTH_WINDOW
    assert half.held_bytes >= HEALTH_WINDOW * 9  # 8 bytes a seq, 1 a code, and the buffers' slack
    for seq in range(HEALTH_WINDOW, 2 * HEALTH_WINDOW + 10):
        health._insert(seq, "running")
    after_cut = health.window_fill()
    assert after_cut.records < 2 * HEALTH_WINDOW
    assert after_cut.held_bytes >= half.held_bytes  # the peak: memory a cut frees is reused


@pytest.mark.soak
def test_a_soak_samples_its_caches_and_health_window_and_its_judge_takes_them_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    samples = short_soak_samples(tmp_path / "run", seed=99763, monkeypatch=monkeypatch)
    assert_column_taken_out(samples, "caches_log_bytes")
    assert samples[-1]["caches_log_bytes"] >= 44_576  # at least one fine-pass template entry


def test_the_bench_comparison_refuses_bad_input_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bench.caches_counted import main

    assert main([str(tmp_path / "no_such"), "--bogus"]) == 2
    assert main([str(tmp_path / "no_such")]) == 2
    err = capsys.readouterr().err
    assert "journal.jsonl: no soak journal there" in err and "Traceback" not in err
