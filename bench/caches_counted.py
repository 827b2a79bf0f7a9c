"""A soak's RSS verdict with the harness's caches counted and, from the same samples, without them.

    PYTHONPATH=$PWD .venv/bin/python bench/caches_counted.py RUN_DIR [RUN_DIR ...]

For each run folder (a simulated soak whose samples carry ``caches_log_bytes``,
``harness.held_caches``): the ``rss_bytes`` verdict, shape and Theil-Sen slope as the report
judges it (the caches' bytes taken out with the bounded logs'), the same judged with the caches'
column dropped (what the judge read before they were counted), and the caches' bytes at the first
and last sample with their slope over the judged window (MB/h).

Why: the caches are a few hundred kB an hour of a 4 MiB/h threshold; the two verdicts side by side
on one set of samples say what counting them moved, free of the seed-to-seed scatter a second run
would add. Exit 2 (nothing printed but the message) on an option or a folder without such a journal.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from bench.soak_hourly_means import folders_main, journal_samples
from harness.leaks import theil_sen
from harness.reports.build import _leaks

CACHES = "caches_log_bytes"


def _compare(run_dir: Path) -> list[str]:
    samples = journal_samples(run_dir)
    if not samples or not all(CACHES in s for s in samples):
        raise ValueError(f"{run_dir / 'journal.jsonl'}: samples lack {CACHES} (a soak from a tree that counts the harness's caches has it)")
    counted = _leaks(samples)["rss_bytes"]
    uncounted = _leaks([{k: v for k, v in s.items() if k != CACHES} for s in samples])["rss_bytes"]
    t = np.array([s["t"] for s in samples], dtype=np.float64)
    c = np.array([s[CACHES] for s in samples], dtype=np.float64)
    judged = t >= t.min() + 0.1 * float(np.ptp(t))
    slope = theil_sen(t[judged], c[judged], np.zeros(int(judged.sum()), dtype=np.int64)) * 3600.0 / 1e6

    def said(v: object) -> str:
        s = getattr(v, "slope_per_hour", None)
        return f"{getattr(v, 'verdict')}, {getattr(v, 'shape')}, {'-' if s is None else format(s, '.3e')} B/h"

    return [f"{run_dir}: caches {c[0] / 1e6:.3f} -> {c[-1] / 1e6:.3f} MB ({slope:.3f} MB/h judged window); "
            f"rss_bytes counted: {said(counted)}; uncounted: {said(uncounted)}"]


def main(argv: list[str]) -> int:
    return folders_main("caches_counted", _compare, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
