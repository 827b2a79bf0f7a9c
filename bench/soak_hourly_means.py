"""A soak's memory series hour by hour: pymalloc's bytes in use (as sampled and with the history
window modelled out), the bounded books' counts and the RSS, one line an hour of the first segment.

    PYTHONPATH=$PWD .venv/bin/python bench/soak_hourly_means.py RUN_DIR [RUN_DIR ...]

Why: an 8 h soak's pymalloc series falls steadily in a healthy run, which masks a planted
small-objects leak (bench/RESULTS.md, issue #11); hourly means show the fall and which book is
level beside it. Exit 2 (nothing written) on a folder without a readable soak journal.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any
from pathlib import Path

import numpy as np

from harness.journal import JournalError
from harness.leak_levels import window_taken_out
from harness.reports.build import run_data_from_journal

FIELDS = ("pymalloc_in_use_bytes", "harness_log_records", "sut_log_records", "faults_log_records", "rss_bytes")


def journal_samples(run_dir: Path) -> list[dict[str, Any]]:
    """A soak folder's resource samples, as the report reads its journal; a ValueError naming the
    journal and the fix where there is none or it cannot be read. Shared by the scripts that read
    a soak's samples."""
    journal = run_dir / "journal.jsonl"
    if not journal.is_file():
        raise ValueError(f"{journal}: no soak journal there; give a soak's run folder")
    try:
        return run_data_from_journal(journal).samples
    except (JournalError, OSError) as exc:
        raise ValueError(f"{journal}: not readable as a soak journal ({exc})") from None


def first_segment_series(run_dir: Path, fields: tuple[str, ...]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The times and ``fields`` of a soak folder's first segment's samples, as the report reads the
    journal; a ValueError naming the journal and the fix where there is none, it cannot be read, or a
    sample lacks a field. Shared by the scripts that read a soak's memory series."""
    journal = run_dir / "journal.jsonl"
    samples = [s for s in journal_samples(run_dir) if s.get("segment", 0) == 0]
    if not samples or not all(k in s for s in samples for k in fields):
        raise ValueError(f"{journal}: samples lack one of {', '.join(fields)} (an allocator-sampled soak has them)")
    t = np.array([s["t"] for s in samples], dtype=np.float64)
    return t, {k: np.array([s[k] for s in samples], dtype=np.float64) for k in fields}


def _hours(run_dir: Path) -> list[str]:
    t, a = first_segment_series(run_dir, FIELDS)
    modelled = window_taken_out(t, a["pymalloc_in_use_bytes"], a["harness_log_records"])
    out = a["pymalloc_in_use_bytes"] if modelled is None else modelled[0]
    lines = [f"{run_dir}: window out at {'-' if modelled is None else format(modelled[1], '.4g')} B an entry"]
    for h in range(int(t.max() // 3600.0) + 1):
        m = (t >= h * 3600.0) & (t < (h + 1) * 3600.0)
        if m.any():
            lines.append(f"  hour {h}: pymalloc {a['pymalloc_in_use_bytes'][m].mean() / 1e6:.2f} MB, window out "
                         f"{out[m].mean() / 1e6:.2f}, window records {a['harness_log_records'][m].mean():.0f}, system log "
                         f"{a['sut_log_records'][m].mean():.0f}, fault records {a['faults_log_records'][m].mean():.0f}, "
                         f"RSS {a['rss_bytes'][m].mean() / 1e6:.1f} MB")
    return lines


def folders_main(name: str, lines_of: Callable[[Path], list[str]], argv: list[str]) -> int:
    """A bench script over soak run folders: ``lines_of`` each folder, printed once all are read;
    an option or a folder ``lines_of`` refuses (a ValueError naming the file and the fix): exit 2,
    nothing printed but the message. Shared by the scripts that read run folders and nothing else."""
    if not argv or any(a.startswith("-") for a in argv):
        print(f"{name}: usage: {name}.py RUN_DIR [RUN_DIR ...] (no options)", file=sys.stderr)
        return 2
    try:
        report = [line for arg in argv for line in lines_of(Path(arg))]
    except ValueError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report))
    return 0


def main(argv: list[str]) -> int:
    return folders_main("soak_hourly_means", _hours, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
