"""The RSS leak judge on steady ramps and single jumps: which does it call "step"?

    PYTHONPATH=$PWD .venv/bin/python bench/leak_ramp_vs_step.py [--seeds 20]

Synthetic series sampled as a soak samples its RSS (one sample a second of operation for one
hour, rounded to 4 KiB pages), through ``harness.leaks.judge``:

- ramps: ``150 MB + rate * t + noise`` at 2, 3, 5, 5.5 and 8 MB/h (decimal MB, as the planted
  leaks of ``harness.leak_mutants``), noise sd 0.1, 0.25 and 0.5 MB;
- jumps: one rise of 8 or 30 MB at 40 % of the hour over a creep of 0 or 2 MB/h, noise sd 0.1 and
  0.5 MB: a pool or arena grown once, which must stay "ok".

For each (kind, rate/jump, noise) the verdicts over ``--seeds`` seeds (0, 1, ...) are counted as
``verdict/shape: n``. Deterministic: seeded noise, no clock.
"""

from __future__ import annotations

import argparse
from collections import Counter

import numpy as np

from harness.leaks import judge

MB = 1_000_000.0
H = 3600.0
T = np.arange(1.0, H + 1e-9, 1.0)


def _pages(y: np.ndarray) -> np.ndarray:
    return np.round(y / 4096) * 4096


def ramp(rate_mb_h: float, sd_mb: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return _pages(150 * MB + rate_mb_h * MB * T / H + rng.normal(0.0, sd_mb * MB, T.size))


def jump(size_mb: float, creep_mb_h: float, sd_mb: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return _pages(150 * MB + (T >= 0.4 * H) * size_mb * MB + creep_mb_h * MB * T / H
                  + rng.normal(0.0, sd_mb * MB, T.size))


def _tally(series: list[np.ndarray]) -> str:
    c = Counter()
    for y in series:
        v = judge("rss_bytes", T, y)
        c[f"{v.verdict}/{v.shape}"] += 1
    return ", ".join(f"{k}: {n}" for k, n in sorted(c.items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    a = ap.parse_args()
    seeds = range(a.seeds)
    print("| series | noise sd MB | verdicts over seeds 0.." + str(a.seeds - 1) + " |")
    print("|---|---|---|")
    for rate in (2.0, 3.0, 5.0, 5.5, 8.0):
        for sd in (0.1, 0.25, 0.5):
            print(f"| ramp {rate:g} MB/h | {sd:g} | {_tally([ramp(rate, sd, s) for s in seeds])} |")
    for size in (8.0, 30.0):
        for creep in (0.0, 2.0):
            for sd in (0.1, 0.5):
                print(f"| jump {size:g} MB over {creep:g} MB/h | {sd:g} | "
                      f"{_tally([jump(size, creep, sd, s) for s in seeds])} |")


if __name__ == "__main__":
    main()
