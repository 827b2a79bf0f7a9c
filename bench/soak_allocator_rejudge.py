"""A finished soak's RSS judged as its report judges it, with the allocator's bytes in use beside it and without.

    PYTHONPATH=$PWD .venv/bin/python bench/soak_allocator_rejudge.py RUN_DIR [RUN_DIR ...]

For each folder: the journal's resource samples (``RUN_DIR/journal.jsonl``, or ``RUN_DIR/run/journal.jsonl``,
read as the report reads them), judged by ``harness.reports.build._leaks`` twice: as sampled (the RSS, and
the allocator's bytes in use where the samples carry ``malloc_in_use_bytes``: ``harness.leaks``, point 7)
and with the bytes in use left out (the RSS alone). A folder written by ``bench/soak_allocator_series.py``
before the soak sampled the allocator itself has its bytes in use in ``allocator.jsonl`` (``malloc_in_use``
plus ``malloc_mmapped``, the same sum ``harness.allocator.in_use_bytes`` reads): they are put beside the
journal's samples of the same time. One markdown row a folder: the RSS alone's verdict, the verdict with
the allocator, what the allocator's own series said (verdict, shape, slope and late half's slope, B/h, by
the same rule even where the RSS did not ask it), and the RSS's slopes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from harness.journal import JournalError
from harness.leaks import ALLOCATOR_METRIC, MIN_GROWTH, judge
from harness.reports.build import _leaks, run_data_from_journal


def _num(v: float | None) -> str:
    return "-" if v is None else format(v, ".4g")


def samples_of(run_dir: Path) -> list[dict[str, Any]]:
    """The folder's resource samples, with the bench recorder's bytes in use put in where the journal lacks them."""
    journal = run_dir / "journal.jsonl"
    if not journal.is_file():
        journal = run_dir / "run" / "journal.jsonl"
    samples = run_data_from_journal(journal).samples
    side = run_dir / "allocator.jsonl"
    if side.is_file() and not any(ALLOCATOR_METRIC in s for s in samples):
        by_t = {r["t"]: r["malloc_in_use"] + r["malloc_mmapped"] for r in map(json.loads, side.open())}
        samples = [{**s, ALLOCATOR_METRIC: by_t[s["t"]]} for s in samples if s["t"] in by_t]
    return samples


def row(run_dir: Path) -> str:
    samples = samples_of(run_dir)
    both = _leaks(samples)["rss_bytes"]
    alone = _leaks([{k: v for k, v in s.items() if k != ALLOCATOR_METRIC} for s in samples])["rss_bytes"]
    own = "not sampled"
    if all(ALLOCATOR_METRIC in s for s in samples):
        t = np.array([s["t"] for s in samples], dtype=np.float64)
        u = np.array([s[ALLOCATOR_METRIC] for s in samples], dtype=np.float64)
        g = np.array([s.get("segment", 0) for s in samples], dtype=np.int64)
        a = judge(ALLOCATOR_METRIC, t, u, groups=g, min_growth=MIN_GROWTH["rss_bytes"])
        own = f"{a.verdict} ({a.shape}), {_num(a.slope_per_hour)}, late {_num(a.late_slope_per_hour)}"
    return (f"| {run_dir} | {both.samples} | {alone.verdict} ({alone.shape}) | **{both.verdict} ({both.shape})**, "
            f"allocator {both.allocator} | {own} | {_num(both.slope_per_hour)} | {_num(both.late_slope_per_hour)} |")


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    print("| run | samples | RSS alone | with the allocator | bytes in use judged alone (B/h) | RSS slope B/h | "
          "RSS late half B/h |")
    print("|---|---|---|---|---|---|---|")
    unread = 0
    for arg in argv:
        path = Path(arg)
        try:
            print(row(path))
        except (JournalError, OSError, KeyError, ValueError) as exc:
            print(f"| {path} | not a soak's run folder: {exc} ||||||")
            unread += 1
    return 2 if unread else 0  # a folder it could not read is bad input, said in its row


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
