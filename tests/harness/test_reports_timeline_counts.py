"""The report's timeline rows (``ChunkFold``): each checkpoint's row counts what happened in that
checkpoint, from the cumulative counters the journal holds, checked against an oracle on
counter series whose increments are known: a counter that did not move counts 0, one that moved
counts its increase, and one that fell (a resumed soak's new process counts from 0 again) counts
its new value."""

from __future__ import annotations

import random

import pytest

from harness.reports.fold import ChunkFold


def _oracle(series: list[int]) -> list[int]:
    out, prev = [], 0
    for v in series:
        out.append(v - prev if v >= prev else v)
        prev = v
    return out


def _rows(series_by_name: dict[str, list[int]]) -> list[dict]:
    fold = ChunkFold()
    n = len(next(iter(series_by_name.values())))
    for i in range(n):
        fold.add({"sim_t0": float(i), "sim_t1": float(i + 1), "state": "running",
                  "counters": {name: s[i] for name, s in series_by_name.items()}})
    return fold.rows


@pytest.mark.parametrize("series", [
    [0, 0, 0, 0],
    [3, 3, 3, 5],
    [1, 2, 2, 2, 7],
    [4, 9, 2, 2, 6],        # fell to 2: a new process, counted from 0 again; then unchanged
])
def test_each_row_counts_what_its_checkpoint_added(series: list[int]) -> None:
    rows = _rows({"xruns": series, "recoveries": series})
    assert [r["xruns"] for r in rows] == _oracle(series)
    assert [r["recoveries"] for r in rows] == _oracle(series)


@pytest.mark.parametrize("seed", range(20))
def test_random_counter_series_match_the_oracle(seed: int) -> None:
    rng = random.Random(seed)
    series: list[int] = []
    v = 0
    for _ in range(30):
        step = rng.choice(("same", "same", "up", "reset"))
        v = v if step == "same" else v + rng.randint(1, 5) if step == "up" else rng.randint(0, 3)
        series.append(v)
    rows = _rows({name: series for name in ChunkFold.TIMELINE_COUNTERS})
    for name in ChunkFold.TIMELINE_COUNTERS:
        assert [r[name] for r in rows] == _oracle(series), name


def test_the_rows_add_up_to_the_total_within_one_process() -> None:
    series = [2, 2, 5, 5, 5, 11]
    assert sum(r["errors"] for r in _rows({"errors": series})) == series[-1]
