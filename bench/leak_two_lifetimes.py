"""Two leaking (or healthy) synthetic hours judged as a resumed soak's two segments, beside the first
hour alone: pymalloc's verdict and the level line's bend.

    PYTHONPATH=$PWD .venv/bin/python bench/leak_two_lifetimes.py

The hours are ``tests/harness/test_leaks_wander.py``'s (seeds 1 and 2 of ``_hour``, the seed-2
wander, the second 3 MB higher), the second's clock fresh (a device continuation's new process) or
carried on (a simulated replay's). Why: with one curve through both lifetimes' levels, the shape
every process settles in with was counted twice, and the planted leak read "ok, saturating"
(bench/RESULTS.md, issue #11). Takes no arguments (any is refused, exit 2).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "harness"))

from harness.leak_levels import level_line, window_taken_out  # noqa: E402
from harness.leaks import MIN_GROWTH, judge_pymalloc  # noqa: E402
from test_leaks_wander import HEALTHY_WANDER, LEAK_PER_HOUR, SEED2_WANDER, THRESHOLD, _hour  # noqa: E402


def _read(t: np.ndarray, y: np.ndarray, r: np.ndarray, g: np.ndarray | None, wf: float) -> str:
    v, _, _ = judge_pymalloc(t, y, r, groups=g, warmup_fraction=wf, threshold_per_hour=THRESHOLD,
                             min_growth=MIN_GROWTH["rss_bytes"])
    modelled = window_taken_out(t, y, r, g, wf)
    line = None if modelled is None else level_line(t, modelled[0], g, wf)
    bend = "-" if line is None else f"slope {line.slope_per_hour:.4g} B/h, curvature t {line.curvature_t:.2f} on {line.dof} dof"
    return f"{v.verdict} ({v.shape}) | {bend}"


def main(argv: list[str]) -> int:
    if argv:
        print(f"leak_two_lifetimes: takes no arguments, got {' '.join(argv)} (run it bare)", file=sys.stderr)
        return 2
    print("| planted B/h | warm-up | second clock | two lifetimes: verdict | their level line | first hour alone | its level line |")
    print("|---|---|---|---|---|---|---|")
    for rate, wander in ((LEAK_PER_HOUR, SEED2_WANDER), (0.0, SEED2_WANDER), (0.0, HEALTHY_WANDER)):
        a, b = _hour(rate, wander, seed=1), _hour(rate, wander, seed=2)
        for wf in (0.1, 0.2):
            for clock, offset in (("fresh", 0.0), ("carried on", 3600.0)):
                t = np.concatenate([a[0], b[0] + offset])
                y = np.concatenate([a[1], b[1] + 3e6])
                r = np.concatenate([a[2], b[2]])
                g = np.repeat([0, 1], a[0].size)
                print(f"| {rate:.4g} | {wf} | {clock} | {_read(t, y, r, g, wf)} | {_read(a[0], a[1], a[2], None, wf)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
