"""How a soak's resident set moved, sample to sample: in steps, with plateaus between them.

    PYTHONPATH=$PWD .venv/bin/python bench/rss_steps.py RUN_DIR [RUN_DIR ...] [--min-mb 1.0]

For each run folder, from its journal's resource samples (``run_data_from_journal``): how many
consecutive samples rose, fell or stayed the same; each move of at least ``--min-mb`` MB (time,
size, level); the longest plateau (samples unchanged) and where it ends; and the bytes the
bounded logs hold (``HELD_METRICS``) at the start and end, which the leak judge takes out. It
shows why a quarter of an hour of a soak can hold one step and a long plateau (the leak judge's
"slowing" rule, bench/RESULTS.md, issue #11).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from harness.journal import JournalError
from harness.reports.build import HELD_METRICS, SampleFold, run_data_from_journal


def describe(run_dir: str, min_mb: float) -> None:
    rd = run_data_from_journal(f"{run_dir}/journal.jsonl")
    fold = rd.samples if isinstance(rd.samples, SampleFold) else SampleFold(rd.samples)
    t = np.asarray(fold.t, dtype=np.float64)
    cols = {m: np.frombuffer(fold.values[m], dtype=np.float64) for m in fold.present}
    rss = cols["rss_bytes"]
    d = np.diff(rss)
    print(f"{run_dir}: {t.size} samples; rose {int((d > 0).sum())}, fell {int((d < 0).sum())}, "
          f"unchanged {int((d == 0).sum())}")
    for i in np.flatnonzero(np.abs(d) >= min_mb * 1e6):
        print(f"  t={t[i + 1]:7.1f} s  {d[i] / 1e6:+.3f} MB  -> {rss[i + 1] / 1e6:.2f} MB")
    moved = np.flatnonzero(d != 0)
    edges = np.concatenate(([0], moved + 1, [t.size - 1]))
    lengths = t[edges[1:]] - t[edges[:-1]]
    k = int(np.argmax(lengths))
    print(f"  longest plateau {lengths[k]:.0f} s, {t[edges[k]]:.0f} -> {t[edges[k + 1]]:.0f} s")
    held = sum(cols[m] for m in HELD_METRICS if m in cols)
    if not isinstance(held, int):
        print(f"  bounded logs held {held[0] / 1e6:.2f} -> {held[-1] / 1e6:.2f} MB "
              f"({', '.join(m for m in HELD_METRICS if m in cols)})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--min-mb", type=float, default=1.0)
    a = ap.parse_args()
    for run in a.runs:
        try:
            describe(run, a.min_mb)
        except (JournalError, OSError, KeyError, ValueError) as exc:
            print(f"rss_steps: {run}: {exc} (give a soak's run folder, with its journal.jsonl)", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
