"""A soak's callback histogram in its report is every checkpoint's histogram added up: each log
bin's count is the sum of that bin's counts over the checkpoints, so the report's percentiles and
``compare``'s test on the callback durations weigh every callback of the run, the slow ones of an
early checkpoint included.

Checked on seeded series of checkpoints (``ChunkFold.add``, as a journal is folded) against the
sum each bin's counts make, and on a run whose slow callbacks all fell in its first checkpoint."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest

from harness.reports.fold import ChunkFold


def _checkpoint(i: int, bins: dict[int, int]) -> dict[str, Any]:
    return {"sim_t0": 60.0 * i, "sim_t1": 60.0 * (i + 1), "wall_s": 1.0, "state": "running",
            "counters": {"callbacks": 1000 * (i + 1)},
            "cb": {"bins": {str(k): v for k, v in bins.items()}, "max": 1e-3, "sum": 0.5}}


def _series(seed: int) -> list[dict[int, int]]:
    rng = random.Random(seed)
    return [{rng.randrange(120, 200): rng.randrange(1, 500) for _ in range(rng.randrange(1, 12))}
            for _ in range(rng.randrange(2, 15))]


@pytest.mark.parametrize("seed", range(20))
def test_the_merged_histogram_is_the_sum_of_every_checkpoints(seed: int) -> None:
    series = _series(seed)
    fold = ChunkFold()
    for i, bins in enumerate(series):
        fold.add(_checkpoint(i, bins))
    expected: Counter[int] = Counter()
    for bins in series:
        expected.update(bins)
    assert dict(fold.bins) == dict(expected)
    assert sum(fold.bins.values()) == sum(sum(b.values()) for b in series)
    assert fold.count == len(series) and fold.with_cb == len(series)


def test_slow_callbacks_of_the_first_checkpoint_stay_in_the_whole_runs_histogram() -> None:
    slow, fast = 190, 140
    fold = ChunkFold()
    fold.add(_checkpoint(0, {fast: 900, slow: 100}))
    for i in range(1, 10):
        fold.add(_checkpoint(i, {fast: 1000}))
    assert fold.bins[slow] == 100 and fold.bins[fast] == 900 + 9 * 1000
