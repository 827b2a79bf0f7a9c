"""A finished soak's leak verdict as the judge reads it when the soak is cut into k segments.

    PYTHONPATH=$PWD .venv/bin/python bench/leak_segments.py [--segments 1,2,4,8,12] RUN_DIR [RUN_DIR ...]

A resumed soak on the simulated device is one run in several process lifetimes: each resume replays
the run from t=0 and carries on journaling with the next ``segment`` number, its clock carried on
(``harness.soak``). The leak judge fits each segment apart (``harness.leaks``: slopes, halves, quarters
and warm-up within a segment; ``harness.leak_levels``: each segment's own bend). This script asks how
that reading depends on the number of segments alone: it takes one uninterrupted soak's samples, cuts
them at ``k - 1`` equally spaced times into ``k`` segments (the ``segment`` label only; the values are
the one process's, so no lifetime's own level or settling-in is added), and judges each cut by
``harness.reports.build._leaks``, as the report does. One markdown row a folder and k: the RSS's
verdict and shape, pymalloc's where asked, the line through pymalloc's levels (its slope, the most
negative lifetime's bend t and the segments it was asked of) and the samples judged after the warm-up.
A folder it cannot read is said in its row and makes the exit 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from soak_allocator_rejudge import samples_of  # noqa: E402

from harness.journal import JournalError  # noqa: E402
from harness.leak_levels import level_line, window_taken_out  # noqa: E402
from harness.leaks import PYMALLOC_METRIC  # noqa: E402
from harness.reports.build import _leaks  # noqa: E402
from harness.reports.fold import WINDOW_RECORDS_METRIC  # noqa: E402


def _num(v: float | None) -> str:
    return "-" if v is None else format(v, ".4g")


def cut(samples: list[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    """The samples with ``segment`` relabelled: ``k`` segments of equal time, in time order."""
    t = np.array([s["t"] for s in samples], dtype=np.float64)
    edges = np.linspace(t.min(), t.max(), k + 1)[1:-1]
    labels = np.searchsorted(edges, t, side="right")
    return [{**s, "segment": int(g)} for s, g in zip(samples, labels)]


def _line(samples: list[dict[str, Any]]) -> str:
    """The line through pymalloc's levels, the window modelled out, as ``judge_pymalloc`` draws it."""
    if not all(PYMALLOC_METRIC in s and WINDOW_RECORDS_METRIC in s for s in samples):
        return "not sampled"
    t = np.array([s["t"] for s in samples], dtype=np.float64)
    y = np.array([s[PYMALLOC_METRIC] for s in samples], dtype=np.float64)
    r = np.array([s[WINDOW_RECORDS_METRIC] for s in samples], dtype=np.float64)
    g = np.array([s["segment"] for s in samples], dtype=np.int64)
    modelled = window_taken_out(t, y, r, g)
    line = level_line(t, modelled[0] if modelled else y, g)
    if line is None:
        return "no line (a block of a segment under 3 samples)"
    return (f"slope {_num(line.slope_per_hour)}, bend t {line.curvature_t:.2f} ({line.blocks // 8} segments), "
            f"{'bent' if line.decelerating() else 'not bent'}")


def row(run_dir: Path, k: int, samples: list[dict[str, Any]]) -> str:
    segmented = cut(samples, k)
    v = _leaks(segmented)["rss_bytes"]
    pym = "-" if v.pymalloc_verdict is None else f"{v.pymalloc_verdict} ({v.pymalloc_shape})"
    return (f"| {run_dir.name} | {k} | **{v.verdict} ({v.shape})** | {_num(v.slope_per_hour)} | "
            f"{_num(v.late_slope_per_hour)} | {pym} | {_line(segmented)} | {v.used_samples} of {v.samples} |")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run_dirs", nargs="+", type=Path)
    parser.add_argument("--segments", default="1,2,4,8,12", help="the segment counts, comma-separated")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        counts = [int(x) for x in args.segments.split(",")]
        if any(k < 1 for k in counts):
            raise ValueError
    except ValueError:
        print(f"--segments {args.segments!r}: give whole numbers of at least 1, comma-separated (e.g. 1,2,4)",
              file=sys.stderr)
        return 2
    print("| run | segments | RSS verdict | RSS B/h | late half B/h | pymalloc | pymalloc's level line | judged samples |")
    print("|---|---|---|---|---|---|---|---|")
    unread = 0
    for path in args.run_dirs:
        try:
            samples = samples_of(path)
            if not samples:
                raise ValueError("no resource samples")
        except (JournalError, OSError, KeyError, ValueError) as exc:
            print(f"| {path} | not a soak's run folder: {exc} |||||||")
            unread += 1
            continue
        for k in counts:
            print(row(path, k, samples), flush=True)
    return 2 if unread else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
