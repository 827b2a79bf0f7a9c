"""A finished soak's RSS judged as its report judges it, with the allocators' bytes in use beside it and without.

    PYTHONPATH=$PWD .venv/bin/python bench/soak_allocator_rejudge.py RUN_DIR [RUN_DIR ...]

For each folder: the journal's resource samples (``RUN_DIR/journal.jsonl``, or ``RUN_DIR/run/journal.jsonl``,
read as the report reads them), judged by ``harness.reports.build._leaks`` three times: as sampled (the RSS,
and the allocators' bytes in use where the samples carry ``malloc_in_use_bytes`` and
``pymalloc_in_use_bytes``: ``harness.leaks``, point 7), with pymalloc's left out (malloc's only, the rule
before pymalloc was sampled) and with both left out (the RSS alone). A folder written by ``bench/soak_allocator_series.py``
before the soak sampled the allocator itself has its bytes in use in ``allocator.jsonl`` (``malloc_in_use``
plus ``malloc_mmapped``, the same sum ``harness.allocator.in_use_bytes`` reads): they are put beside the
journal's samples of the same time. One markdown row a folder: the RSS alone's verdict, with malloc's
bytes only, with both, what each allocator's own series said (verdict, shape, slope and late half's slope,
B/h, by the same rule even where the RSS did not ask it), and the RSS's slopes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from harness.journal import JournalError
from harness.leaks import ALLOCATOR_METRIC, DEFAULT_THRESHOLDS, MIN_GROWTH, PYMALLOC_METRIC, judge, judge_pymalloc
from harness.reports.build import _leaks, run_data_from_journal
from harness.reports.fold import WINDOW_RECORDS_METRIC


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


def _own(samples: list[dict[str, Any]], metric: str) -> str:
    """The series judged alone by the rule the RSS would ask it by (pymalloc's: the history window
    modelled out where the samples count it, and through its levels' wander, ``judge_pymalloc``)."""
    if not all(metric in s for s in samples):
        return "not sampled"
    t = np.array([s["t"] for s in samples], dtype=np.float64)
    u = np.array([s[metric] for s in samples], dtype=np.float64)
    g = np.array([s.get("segment", 0) for s in samples], dtype=np.int64)
    if metric == PYMALLOC_METRIC:
        window = (np.array([s[WINDOW_RECORDS_METRIC] for s in samples], dtype=np.float64)
                  if all(WINDOW_RECORDS_METRIC in s for s in samples) else None)
        a, _, per_record = judge_pymalloc(t, u, window, groups=g, threshold_per_hour=DEFAULT_THRESHOLDS["rss_bytes"],
                                          min_growth=MIN_GROWTH["rss_bytes"])
        modelled = "as sampled" if per_record is None else f"window out at {per_record:.4g} B an entry"
        return (f"{a.verdict} ({a.shape}), {_num(a.slope_per_hour)}, late {_num(a.late_slope_per_hour)}, "
                f"{modelled}")
    a = judge(metric, t, u, groups=g, min_growth=MIN_GROWTH["rss_bytes"])
    return f"{a.verdict} ({a.shape}), {_num(a.slope_per_hour)}, late {_num(a.late_slope_per_hour)}"


def row(run_dir: Path) -> str:
    samples = samples_of(run_dir)
    both = _leaks(samples)["rss_bytes"]
    malloc_only = _leaks([{k: v for k, v in s.items() if k != PYMALLOC_METRIC} for s in samples])["rss_bytes"]
    alone = _leaks([{k: v for k, v in s.items() if k not in (ALLOCATOR_METRIC, PYMALLOC_METRIC)}
                    for s in samples])["rss_bytes"]
    return (f"| {run_dir} | {both.samples} | {alone.verdict} ({alone.shape}) | {malloc_only.verdict} "
            f"({malloc_only.shape}), {malloc_only.allocator} | **{both.verdict} ({both.shape})**, {both.allocator}, "
            f"sum {both.allocators_sum_verdict} | {_own(samples, ALLOCATOR_METRIC)} | {_own(samples, PYMALLOC_METRIC)} | "
            f"{_num(both.slope_per_hour)} | {_num(both.late_slope_per_hour)} |")


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    print("| run | samples | RSS alone | with malloc's bytes in use | with malloc's and pymalloc's | malloc's judged "
          "alone (B/h) | pymalloc's judged alone (B/h) | RSS slope B/h | RSS late half B/h |")
    print("|---|---|---|---|---|---|---|---|---|")
    unread = 0
    for arg in argv:
        path = Path(arg)
        try:
            print(row(path))
        except (JournalError, OSError, KeyError, ValueError) as exc:
            print(f"| {path} | not a soak's run folder: {exc} ||||||||")
            unread += 1
    return 2 if unread else 0  # a folder it could not read is bad input, said in its row


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
