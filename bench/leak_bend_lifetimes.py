"""How often a leak linear in every lifetime reads bent (its growth cleared as bounded) by the line through its levels.

    PYTHONPATH=$PWD .venv/bin/python bench/leak_bend_lifetimes.py [--seeds 400]

A 5.35 MB/h leak (pymalloc's bytes for the 5 MB/h small-objects mutant) over k one-hour lifetimes (k = 1, 2, 4, 8),
the clock carried on as a resumed soak's is, each lifetime 1 MB above the last, its levels wandering 300 kB every
4 minutes (joined by straight lines) under 30 kB of sample noise; seeds 96250 + 1000 k + s. Prints, for each k, the
seeds whose ``harness.leak_levels.level_line`` reads decelerating, beside 1 - 0.95^k (independent lifetimes each
asked at 5 %). A bad argument: exit 2.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from harness.leak_levels import level_line


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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=400)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.seeds < 1:
        print(f"--seeds {args.seeds}: give at least 1", file=sys.stderr)
        return 2
    n = args.seeds
    for k in (1, 2, 4, 8):
        bent = sum(level_line(*series(k, 96250 + 1000 * k + s)).decelerating() for s in range(n))
        print(f"k={k}: linear leak read bent (cleared) {bent}/{n} = {bent / n:.3f}; "
              f"independent-segments bound 1-0.95^k = {1 - 0.95 ** k:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
