"""The RSS leak judge with the allocator's bytes in use beside it, and without, on seeded synthetic hours.

    PYTHONPATH=$PWD .venv/bin/python bench/leak_allocator_synthetic.py [--seeds N]

Each case is what is live in a process over an hour (one sample a second): a leak at a rate, a bounded
buffer filling, a process settling in (``bench/leak_judge_noise.py``'s cases, its ``staircase``: the
RSS rises in drawn 0.4-1.7 MB pieces, with a 3 MB bounded log the judge is told of). The allocator's
bytes in use are the same live growth without the steps, over 20 MB, under heavy-tailed noise
(Student-t, 3 degrees of freedom, scale 30 kB): a recorded hour's bytes in use (``/tmp/leak17/a-h-s1``,
``bench/soak_allocator_series.py``) move between samples by a robust spread of 24 kB, 1st and 99th
percentiles -190 kB and +193 kB. Each seed's
RSS is judged by ``harness.leaks.judge`` alone and with ``in_use`` (``harness.leaks``, point 7); one
markdown row a case: the verdicts over the seeds (``verdict/shape: count``) both ways, and how many
seeds the allocator turned into "leak".
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from harness.leaks import judge

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ is no package
from leak_judge_noise import HOUR, MB, SETTLING_MB, SETTLING_TAU_S, T, held_log, staircase  # noqa: E402

#: the scale of the bytes in use's noise (Student-t, 3 degrees of freedom)
IN_USE_NOISE = 30e3
CASES: dict[str, object] = {
    "leak 5 MB/h": lambda: 5 * MB * T / HOUR,
    "leak 5 MB/h under a 4 MB settling-in tail": lambda: 5 * MB * T / HOUR + _settling(),
    "leak 8 MB/h": lambda: 8 * MB * T / HOUR,
    "leak 3 MB/h under a 4 MB settling-in tail": lambda: 3 * MB * T / HOUR + _settling(),
    "leak 3 MB/h": lambda: 3 * MB * T / HOUR,
    "a 4 MB settling-in tail alone": lambda: _settling(),
    "bounded buffer 6 MB (20 min)": lambda: 6 * MB * (1 - np.exp(-T / 1200.0)),
    "bounded buffer 30 MB (30 min)": lambda: 30 * MB * (1 - np.exp(-T / 1800.0)),
}


def _settling() -> np.ndarray:
    return SETTLING_MB * MB * (1 - np.exp(-T / SETTLING_TAU_S))


def one(grows: np.ndarray, seed: int) -> tuple[str, str]:
    """(RSS alone, with the allocator): ``verdict/shape`` of one seed."""
    rng = np.random.default_rng(seed)
    held = held_log()
    rss = staircase(150 * MB + grows + held, rng)
    in_use = np.round(20 * MB + grows + IN_USE_NOISE * rng.standard_t(3, T.size))
    a = judge("rss_bytes", T, rss, held=held)
    b = judge("rss_bytes", T, rss, held=held, in_use=in_use)
    return f"{a.verdict}/{a.shape}", f"{b.verdict}/{b.shape}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=30)
    a = ap.parse_args()
    print("| series | RSS alone | with the allocator | turned into leak |")
    print("|---|---|---|---|")
    for label, make in CASES.items():
        alone: Counter[str] = Counter()
        both: Counter[str] = Counter()
        turned = 0
        for seed in range(a.seeds):
            x, y = one(make(), seed)  # type: ignore[operator]
            alone[x] += 1
            both[y] += 1
            turned += x.startswith("leak") is False and y.startswith("leak")
        fmt = lambda c: ", ".join(f"{k}: {n}" for k, n in sorted(c.items()))  # noqa: E731
        print(f"| {label} | {fmt(alone)} | {fmt(both)} | {turned} |", flush=True)


if __name__ == "__main__":
    main()
