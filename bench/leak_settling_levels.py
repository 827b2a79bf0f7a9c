"""What pymalloc's early dip and mid-window hump are: a soak's first hour read block by block beside
the bounded books the samples count.

    PYTHONPATH=$PWD .venv/bin/python bench/leak_settling_levels.py RUN_DIR [--hours H] [--blocks N]

For the first ``H`` hours (default 1) of the soak's first segment (process lifetime), as the leak
judge reads a 1-hour soak: the first 10 % left out as warm-up, pymalloc's bytes in use with the
history window modelled out (``harness.leak_levels.window_taken_out``), cut into ``N`` blocks
(default 16). One row a block: pymalloc's level about its straight line, and the level of each
book the samples carry (the system's log, the fault injector's records, the history window) about
its own line. Then, for each book, how much of pymalloc's levels' spread a fit on it takes
(bytes a unit and the spread left), and the judge's curvature t through 8 levels with that book
also taken out: whether the bend is the book's filling.

Why: every pymalloc series of a 1-hour soak has the same shape after the warm-up (its first eighth
low, a hump mid-window: bench/RESULTS.md, issue #11), and the judge's level rule reads a bend down
as a bound. This says which of the books moves with it.

Exit 2 (nothing written; the script writes nothing) on a folder without a readable journal or a bad option.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from harness.journal import JournalError
from harness.leak_levels import level_line, trimmed_mean, window_taken_out
from harness.leaks import PYMALLOC_METRIC
from harness.reports.build import run_data_from_journal
from harness.reports.fold import WINDOW_RECORDS_METRIC

BOOKS = ("sut_log_records", "sut_log_bytes", "faults_log_records", "faults_log_bytes", WINDOW_RECORDS_METRIC,
         "malloc_in_use_bytes")
WARMUP_FRACTION = 0.1


class _Refusal(Exception):
    """Bad input, said in one line."""


def _parser() -> argparse.ArgumentParser:
    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> None:  # exit 2 with the usage, never a traceback
            raise _Refusal(f"{message} (usage: leak_settling_levels.py RUN_DIR [--hours H] [--blocks N])")

    p = _Parser(add_help=True)
    p.add_argument("run_dir", type=Path)
    p.add_argument("--hours", type=float, default=1.0)
    p.add_argument("--blocks", type=int, default=16)
    return p


def _series(run_dir: Path, hours: float) -> dict[str, np.ndarray]:
    journal = run_dir / "journal.jsonl"
    if not journal.is_file():
        raise _Refusal(f"{journal}: no soak journal there; give a soak's run folder")
    try:
        samples = run_data_from_journal(journal).samples
    except (JournalError, OSError, ValueError) as exc:
        raise _Refusal(f"{journal}: not readable as a soak journal ({exc}); give a finished soak's run folder") from None
    first = [s for s in samples if s.get("segment", 0) == 0 and s["t"] <= hours * 3600.0]
    wanted = ("t", PYMALLOC_METRIC, *BOOKS)
    missing = [k for k in wanted if not first or not all(k in s for s in first)]
    if missing:
        raise _Refusal(f"{journal}: samples lack the field(s) {', '.join(missing)}; a soak sampled by this "
                       "harness's ResourceSampler (allocator on) has them")
    return {k: np.array([s[k] for s in first], dtype=np.float64) for k in wanted}


def _block_levels(t: np.ndarray, y: np.ndarray, blocks: int) -> np.ndarray:
    """The judged part's block levels about their own straight line."""
    edges = np.linspace(t[0], t[-1], blocks + 1)
    idx = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, blocks - 1)
    centres = np.array([t[idx == i].mean() for i in range(blocks)])
    levels = np.array([trimmed_mean(y[idx == i]) for i in range(blocks)])
    return levels - np.polyval(np.polyfit(centres, levels, 1), centres)


def main(argv: list[str]) -> int:
    try:
        args = _parser().parse_args(argv)
        if not (args.hours > 0 and 4 <= args.blocks <= 64):
            raise _Refusal("--hours must be above 0 and --blocks 4..64")
        s = _series(args.run_dir, args.hours)
    except _Refusal as exc:
        print(f"leak_settling_levels: {exc}", file=sys.stderr)
        return 2
    t = s["t"]
    modelled = window_taken_out(t, s[PYMALLOC_METRIC], s[WINDOW_RECORDS_METRIC])
    if modelled is None:
        print(f"leak_settling_levels: {args.run_dir}: the history window could not be modelled out "
              "(its count never moves): nothing to read", file=sys.stderr)
        return 2
    p, per_record = modelled
    judged = t >= t[0] + WARMUP_FRACTION * (t[-1] - t[0])
    tj = t[judged]
    rows = {"pymalloc (window out)": _block_levels(tj, p[judged], args.blocks)}
    rows.update({k: _block_levels(tj, s[k][judged], args.blocks) for k in BOOKS})
    print(f"{args.run_dir}: first {args.hours:g} h of segment 0, {t.size} samples, window out at "
          f"{per_record:.4g} B an entry; {args.blocks} block levels about each series' own line")
    print("| block | " + " | ".join(rows) + " |")
    print("|---" * (len(rows) + 1) + "|")
    for i in range(args.blocks):
        print(f"| {i + 1} | " + " | ".join(f"{v[i]:.4g}" for v in rows.values()) + " |")
    base = level_line(t, p)
    print(f"\npymalloc (window out): level line slope {base.slope_per_hour:.4g} B/h, curvature t "
          f"{base.curvature_t:.2f} (dof {base.dof}), levels' spread {np.std(rows['pymalloc (window out)'], ddof=2):.4g} B")
    print("| book taken out too | bytes a unit (fit over the judged samples) | levels' spread left (B) | curvature t | slope B/h |")
    print("|---|---|---|---|---|")
    for k in BOOKS:
        design = np.column_stack([np.ones(tj.size), tj / 3600.0, s[k][judged]])
        per_unit = float(np.linalg.lstsq(design, p[judged], rcond=None)[0][-1])
        left = p - per_unit * s[k]
        line = level_line(t, left)
        spread = float(np.std(_block_levels(tj, left[judged], args.blocks), ddof=2))
        print(f"| {k} | {per_unit:.4g} | {spread:.4g} | {line.curvature_t:.2f} | {line.slope_per_hour:.4g} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
