"""A soak's allocators beside its bounded books, block by block: the C allocator's and pymalloc's
bytes in use, their sum, and what the bounded logs hold (the system's, the history window's, the
fault injector's records: bytes and records), each block's mean and each series' Theil-Sen slope
over the judged window.

    PYTHONPATH=$PWD .venv/bin/python bench/soak_books_blocks.py RUN_DIR [RUN_DIR ...]

Why: a healthy 1-hour soak's allocators' sum reads "leak, growing" at some seeds while each
allocator alone reads "small" (bench/RESULTS.md, issue #11); the blocks show which book fills
beside the sum and whether it has stopped by the hour's end. Exit 2 (nothing written) on a folder
without a readable allocator-sampled soak journal.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from bench.soak_hourly_means import first_segment_series, folders_main
from harness.leaks import theil_sen

BOOKS = ("malloc_in_use_bytes", "pymalloc_in_use_bytes", "sut_log_bytes", "harness_log_bytes", "faults_log_bytes",
         "sut_log_records", "faults_log_records", "rss_bytes")
BLOCKS = 8


def _blocks(run_dir: Path) -> list[str]:
    t, a = first_segment_series(run_dir, BOOKS)
    a["sum"] = a["malloc_in_use_bytes"] + a["pymalloc_in_use_bytes"]
    a["held"] = a["sut_log_bytes"] + a["harness_log_bytes"] + a["faults_log_bytes"]
    judged = t >= t.min() + 0.1 * float(np.ptp(t))
    mb = ("malloc_in_use_bytes", "pymalloc_in_use_bytes", "sum", "held", "sut_log_bytes", "faults_log_bytes", "rss_bytes")
    lines = [f"{run_dir}: MB/h over the judged window (Theil-Sen): " + ", ".join(
        f"{k} {theil_sen(t[judged], a[k][judged]) * 3600 / 1e6:.2f}" for k in mb)]
    edges = np.linspace(t.min(), t.max(), BLOCKS + 1)
    for i in range(BLOCKS):
        m = (t >= edges[i]) & (t <= edges[i + 1])
        lines.append(f"  {edges[i] / 60:5.1f}-{edges[i + 1] / 60:5.1f} min: malloc {a['malloc_in_use_bytes'][m].mean() / 1e6:.2f}, "
                     f"pymalloc {a['pymalloc_in_use_bytes'][m].mean() / 1e6:.2f}, sum {a['sum'][m].mean() / 1e6:.2f}, held "
                     f"{a['held'][m].mean() / 1e6:.2f} MB (system log {a['sut_log_records'][m].mean():.0f} records, "
                     f"fault records {a['faults_log_records'][m].mean():.0f}), RSS {a['rss_bytes'][m].mean() / 1e6:.1f} MB")
    return lines


def main(argv: list[str]) -> int:
    return folders_main("soak_books_blocks", _blocks, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
