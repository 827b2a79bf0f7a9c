"""pymalloc's bytes (the history window modelled out) sliced as a soak resumed every N seconds is judged.

    PYTHONPATH=$PWD .venv/bin/python bench/leak_slice_slopes.py [--slice 600] RUN_DIR [RUN_DIR ...]

A 1-hour soak resumed every 10 minutes is judged as six lifetimes, each on what follows its warm-up (10 % of
the whole span, ``harness.leak_levels.after_warmup``): its last 4 minutes. This prints, for any finished soak
(uninterrupted or resumed), each ``--slice`` seconds' slope (Theil-Sen, MB/h) over the part of it the judge
reads of such a lifetime, and each slice's mean level (MB), so an uninterrupted soak's slices can be set
beside a resumed one's lifetimes: what a lifetime's settling adds to the system's own growth at that time.
A folder it cannot read, or a bad argument: exit 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from soak_allocator_rejudge import samples_of  # noqa: E402

from harness.journal import JournalError  # noqa: E402
from harness.leak_levels import window_taken_out  # noqa: E402
from harness.leaks import PYMALLOC_METRIC, theil_sen  # noqa: E402
from harness.reports.fold import WINDOW_RECORDS_METRIC  # noqa: E402


def row(run_dir: Path, slice_s: float) -> str:
    samples = samples_of(run_dir)
    if not samples or not all(PYMALLOC_METRIC in s and WINDOW_RECORDS_METRIC in s for s in samples):
        raise KeyError(f"{PYMALLOC_METRIC} or {WINDOW_RECORDS_METRIC} not in every sample")
    t = np.array([s["t"] for s in samples], dtype=np.float64)
    y = np.array([s[PYMALLOC_METRIC] for s in samples], dtype=np.float64)
    r = np.array([s[WINDOW_RECORDS_METRIC] for s in samples], dtype=np.float64)
    g = np.array([s.get("segment", 0) for s in samples], dtype=np.int64)
    modelled = window_taken_out(t, y, r, g)
    y = y if modelled is None else modelled[0]
    warmup = 0.1 * float(t.max() - t.min())
    slopes, means = [], []
    for lo in np.arange(float(t.min()) - 1.0, float(t.max()), slice_s):
        inside = (t > lo) & (t <= lo + slice_s)
        judged = inside & (t > lo + warmup)
        one = judged & (g == (g[judged][0] if judged.any() else -1))
        slopes.append(f"{theil_sen(t[one], y[one]) * 3600.0 / 1e6:.1f}" if one.sum() > 2 else "-")
        means.append(f"{y[inside].mean() / 1e6:.2f}")
    return f"| {run_dir} | {len(np.unique(g))} | {' '.join(slopes)} | {' '.join(means)} |"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--slice", type=float, default=600.0, help="seconds a slice (a lifetime resumed so)")
    parser.add_argument("run_dirs", nargs="+", type=Path)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if not args.slice > 0:
        print(f"--slice {args.slice}: give a positive number of seconds", file=sys.stderr)
        return 2
    print("| run | segments | slope over each slice's judged part (MB/h) | each slice's mean (MB) |")
    print("|---|---|---|---|")
    unread = 0
    for path in args.run_dirs:
        try:
            print(row(path, args.slice))
        except (JournalError, OSError, KeyError, ValueError) as exc:
            print(f"| {path} | not a soak's run folder with pymalloc's samples: {exc} |||")
            unread += 1
    return 2 if unread else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
