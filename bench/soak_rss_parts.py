"""Where a soak's resident set grows: its kernel parts beside the allocators, quarter by quarter.

    PYTHONPATH=$PWD .venv/bin/python bench/soak_rss_parts.py RUN_DIR [RUN_DIR ...]

For each run folder (a simulated soak that sampled ``rss_anon_bytes``, ``rss_file_bytes``,
``rss_shmem_bytes``, ``harness.rss_parts``, and glibc's ``malloc_arena_bytes`` beside its bytes in
use): each series' Theil-Sen slope over the judged window (after the 10 % warm-up) and over its
late half (MB/h), and each quarter of the judged window's mean (MB). The bounded logs' counted
bytes (``held``) are shown as the judge takes them out.

Why: healthy 1-hour soaks read "leak" on the RSS alone while neither allocator grows
(bench/RESULTS.md, issue #11); the parts say whether the growth is anonymous memory (the heaps:
fragmentation shows as the arena growing with the bytes in use flat) or mapped files' pages paged
in as the run reaches new code. Exit 2 (nothing written) on an option or a folder without such a journal.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from bench.soak_hourly_means import first_segment_series, folders_main
from harness.leaks import theil_sen

PARTS = ("rss_bytes", "rss_anon_bytes", "rss_file_bytes", "rss_shmem_bytes", "malloc_in_use_bytes",
         "malloc_arena_bytes", "pymalloc_in_use_bytes", "sut_log_bytes", "harness_log_bytes", "faults_log_bytes")
#: sampled by later soaks only: shown where every sample has it
LATER = ("pymalloc_arena_bytes",)
QUARTERS = 4


def _parts(run_dir: Path) -> list[str]:
    try:
        t, a = first_segment_series(run_dir, PARTS + LATER)
    except ValueError:
        t, a = first_segment_series(run_dir, PARTS)
    a["held"] = a["sut_log_bytes"] + a["harness_log_bytes"] + a["faults_log_bytes"]
    shown = [k for k in ("rss_bytes", "rss_anon_bytes", "rss_file_bytes", "rss_shmem_bytes", "malloc_in_use_bytes",
                         "malloc_arena_bytes", "pymalloc_in_use_bytes", "pymalloc_arena_bytes", "held") if k in a]
    t0 = t.min() + 0.1 * float(np.ptp(t))
    judged = t >= t0
    late = t >= t0 + 0.5 * (t.max() - t0)
    ones = np.zeros(t.size, dtype=np.int64)

    def slope(k: str, m: np.ndarray) -> float:
        return theil_sen(t[m], a[k][m], ones[m]) * 3600.0 / 1e6

    lines = [f"{run_dir}: {t.size} samples, judged {t0 / 60:.1f}-{t.max() / 60:.1f} min; MB/h window (late half):",
             "  " + ", ".join(f"{k} {slope(k, judged):.2f} ({slope(k, late):.2f})" for k in shown)]
    edges = np.linspace(t0, t.max(), QUARTERS + 1)
    for i in range(QUARTERS):
        m = (t >= edges[i]) & (t <= edges[i + 1])
        lines.append(f"  {edges[i] / 60:5.1f}-{edges[i + 1] / 60:5.1f} min: " + ", ".join(
            f"{k.removesuffix('_bytes')} {a[k][m].mean() / 1e6:.2f}" for k in shown) + " MB")
    return lines


def main(argv: list[str]) -> int:
    return folders_main("soak_rss_parts", _parts, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
