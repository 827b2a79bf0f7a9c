"""How often a leak linear in every lifetime reads bent (its growth cleared as bounded) by the line through its
levels, and how often a bounded structure refilled in every lifetime does not (read as a leak).

    PYTHONPATH=$PWD .venv/bin/python bench/leak_bend_lifetimes.py [--seeds 400] [--first-seed 96250]

A 5.35 MB/h leak (pymalloc's bytes for the 5 MB/h small-objects mutant) over k one-hour lifetimes (k = 1, 2, 4, 8),
the clock carried on as a resumed soak's is, each lifetime 1 MB above the last, its levels wandering 300 kB every
4 minutes (joined by straight lines) under 30 kB of sample noise; seeds FIRST + 1000 k + s. Beside it the healthy
twin: the same wander with no leak, and a bounded structure that each lifetime starts empty (a real device's
continuation) filling at 8 MiB/h through the first 70 % of the lifetime's judged part, then full. Prints, for each
k, the leaks read decelerating (missed) beside 1 - 0.95^k (independent lifetimes each asked at 5 %), and the
bounded structures whose line rises above the 4 MiB/h threshold and does not bend (a false "leak"). A bad
argument: exit 2.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from harness.leak_levels import after_warmup, level_line
from harness.leaks import DEFAULT_THRESHOLDS, MiB

THRESHOLD = DEFAULT_THRESHOLDS["pymalloc_in_use_bytes"]


def series(k: int, seed: int, rate: float = 5.35e6, wander: float = 3e5, hour: float = 3600.0):
    rng = np.random.default_rng(seed)
    ts, ys, gs = [], [], []
    for j in range(k):
        t = np.arange(j * hour, (j + 1) * hour, 5.0)
        knots = np.arange(j * hour, (j + 1) * hour + 241, 240.0)
        y = 60e6 + 1e6 * j + rate * t / hour + np.interp(t, knots, rng.normal(0, wander, knots.size)) \
            + rng.normal(0, 3e4, t.size)
        ts.append(t)
        ys.append(y)
        gs.append(np.full(t.size, j))
    return np.concatenate(ts), np.concatenate(ys), np.concatenate(gs)


def bounded(k: int, seed: int, fill: float = 8 * MiB, share: float = 0.7):
    """The leak's series with the leak taken out and a bounded structure refilled in every lifetime: it
    fills at ``fill`` an hour from the lifetime's first judged sample through ``share`` of its judged part."""
    t, y, g = series(k, seed)
    y = y - 5.35e6 * t / 3600.0
    judged = after_warmup(t, g, 0.1)
    for j in range(k):
        own = g == j
        start = float(t[own & judged].min())
        end = start + share * (float(t[own].max()) - start)
        y[own] += np.clip(t[own] - start, 0.0, end - start) * fill / 3600.0
    return t, y, g


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=400)
    parser.add_argument("--first-seed", type=int, default=96250)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.seeds < 1:
        print(f"--seeds {args.seeds}: give at least 1", file=sys.stderr)
        return 2
    if args.first_seed < 0:
        print(f"--first-seed {args.first_seed}: give a seed of 0 or more", file=sys.stderr)
        return 2
    n, first = args.seeds, args.first_seed
    for k in (1, 2, 4, 8):
        seeds = [first + 1000 * k + s for s in range(n)]
        bent = sum(level_line(*series(k, seed)).decelerating() for seed in seeds)
        lines = [level_line(*bounded(k, seed)) for seed in seeds]
        straight = [line for line in lines if line.slope_per_hour > THRESHOLD and not line.decelerating()]
        false_leaks = sum(getattr(line, "straight_known", True) for line in straight)
        print(f"k={k}: linear leak read bent (cleared) {bent}/{n} = {bent / n:.3f}; "
              f"independent-segments bound 1-0.95^k = {1 - 0.95 ** k:.3f}; "
              f"bounded structure read as a leak {false_leaks}/{n} = {false_leaks / n:.3f}, "
              f"unknown (lifetimes too short) {len(straight) - false_leaks}/{n}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
