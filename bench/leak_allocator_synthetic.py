"""The RSS leak judge with the allocators' bytes in use beside it, and without, on seeded synthetic hours.

    PYTHONPATH=$PWD .venv/bin/python bench/leak_allocator_synthetic.py [--seeds N] [--case I ...]

Each case is what is live in a process over an hour (one sample a second): a leak at a rate, a bounded
buffer filling, a process settling in (``bench/leak_judge_noise.py``'s cases, its ``staircase``: the
RSS rises in drawn 0.4-1.7 MB pieces, with a 3 MB bounded log the judge is told of). The allocator's
bytes in use are the same live growth without the steps, over 20 MB, under heavy-tailed noise
(Student-t, 3 degrees of freedom, scale 30 kB): a recorded hour's bytes in use (``/tmp/leak17/a-h-s1``,
``bench/soak_allocator_series.py``) move between samples by a robust spread of 24 kB, 1st and 99th
percentiles -190 kB and +193 kB. pymalloc's bytes in use are the live growth of small objects
(a case's second part: a leak of small objects, ``harness.leak_mutants.SmallObjectLeak``) over 8 MB,
without the bounded log's bytes (a recorded healthy hour's pymalloc bytes stayed flat while the logs
grew), under the same kind of noise at ``PYMALLOC_NOISE``. Each seed's RSS is judged by ``harness.leaks.judge`` alone, with ``in_use``
only (the rule before pymalloc was sampled) and with ``in_use`` and ``pymalloc`` (``harness.leaks``,
point 7); one markdown row a case: the verdicts over the seeds (``verdict/shape: count``) the three
ways, how many seeds the C allocator alone turned into "leak", and how many seeds' "leak" the
pymalloc series changed (either way).
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
#: the scale of pymalloc's bytes in use's noise (the same law)
PYMALLOC_NOISE = 30e3
_NONE = lambda: np.zeros(T.size)  # noqa: E731
_SMALL_5 = lambda: 5 * MB * T / HOUR  # noqa: E731
_BUFFER_30 = lambda: 30 * MB * (1 - np.exp(-T / 1800.0))  # noqa: E731
#: each case: (what malloc holds live beyond the start, what pymalloc's small objects hold beyond it)
CASES: dict[str, tuple[object, object]] = {
    "leak 5 MB/h": (lambda: 5 * MB * T / HOUR, _NONE),
    "leak 5 MB/h under a 4 MB settling-in tail": (lambda: 5 * MB * T / HOUR + _settling(), _NONE),
    "leak 8 MB/h": (lambda: 8 * MB * T / HOUR, _NONE),
    "leak 3 MB/h under a 4 MB settling-in tail": (lambda: 3 * MB * T / HOUR + _settling(), _NONE),
    "leak 3 MB/h": (lambda: 3 * MB * T / HOUR, _NONE),
    "a 4 MB settling-in tail alone": (lambda: _settling(), _NONE),
    "bounded buffer 6 MB (20 min)": (lambda: 6 * MB * (1 - np.exp(-T / 1200.0)), _NONE),
    "bounded buffer 30 MB (30 min)": (_BUFFER_30, _NONE),
    "small-object leak 5 MB/h": (_NONE, _SMALL_5),
    "small-object leak 5 MB/h beside a 30 MB buffer (30 min)": (_BUFFER_30, _SMALL_5),
}


def _settling() -> np.ndarray:
    return SETTLING_MB * MB * (1 - np.exp(-T / SETTLING_TAU_S))


def one(grows: np.ndarray, small: np.ndarray, seed: int) -> tuple[str, str, str]:
    """(RSS alone, with malloc's bytes in use, with malloc's and pymalloc's): ``verdict/shape`` of one seed."""
    rng = np.random.default_rng(seed)
    held = held_log()
    rss = staircase(150 * MB + grows + small + held, rng)
    in_use = np.round(20 * MB + grows + IN_USE_NOISE * rng.standard_t(3, T.size))
    pymalloc = np.round(8 * MB + small + PYMALLOC_NOISE * rng.standard_t(3, T.size))
    a = judge("rss_bytes", T, rss, held=held)
    b = judge("rss_bytes", T, rss, held=held, in_use=in_use)
    c = judge("rss_bytes", T, rss, held=held, in_use=in_use, pymalloc=pymalloc)
    return f"{a.verdict}/{a.shape}", f"{b.verdict}/{b.shape}", f"{c.verdict}/{c.shape}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--case", type=int, action="append",
                    help="only the case at this 0-based row (repeatable), so that rows can run side by side")
    a = ap.parse_args()
    print("| series | RSS alone | with malloc's bytes in use | with malloc's and pymalloc's | malloc's turned into "
          "leak | pymalloc's changed a leak |")
    print("|---|---|---|---|---|---|")
    for i, (label, (make, make_small)) in enumerate(CASES.items()):
        if a.case and i not in a.case:
            continue
        alone: Counter[str] = Counter()
        mal: Counter[str] = Counter()
        both: Counter[str] = Counter()
        turned = changed = 0
        for seed in range(a.seeds):
            x, y, z = one(make(), make_small(), seed)  # type: ignore[operator]
            alone[x] += 1
            mal[y] += 1
            both[z] += 1
            turned += x.startswith("leak") is False and y.startswith("leak")
            changed += y.startswith("leak") != z.startswith("leak")
        fmt = lambda c: ", ".join(f"{k}: {n}" for k, n in sorted(c.items()))  # noqa: E731
        print(f"| {label} | {fmt(alone)} | {fmt(mal)} | {fmt(both)} | {turned} | {changed} |", flush=True)


if __name__ == "__main__":
    main()
