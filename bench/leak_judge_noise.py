"""The RSS leak judge on series shaped as a process's resident set really moves: in steps, and under
heavy-tailed noise. Seeded synthetic series through ``harness.leaks.judge``; verdicts counted.

    PYTHONPATH=$PWD .venv/bin/python bench/leak_judge_noise.py [--seeds N] [--only staircase|tails]

One sample a second for an hour of operation, whole 4 KiB pages, 150 MB to start.

``staircase``: the allocator serves new memory from what the process already holds and takes a new
piece (0.4-1.7 MB, drawn) only when what is live outgrows it, so the RSS rises in steps and is flat
between them (a planted 5 MB/h leak's soak: 3 315 of 3 600 samples unchanged, plateaus of up to
640 s). What is live: a leak at a rate, or a bounded buffer filling (6 MB, time constant 20 min),
plus a bounded log the judge is told of (``held``, 3 MB filling over the hour) as a soak's are; a leak
also under a process's settling in (a 4 MB rise fading with a time constant of 12 min, as a
planted leak's soak shows it), that tail alone, and a 30 MB buffer still filling fast late.

``tails``: a smooth series (flat, a ramp, or one 8 MB jump at 40 % of the hour) under heavy-tailed
noise: Student-t (3 degrees of freedom, scale 0.1 or 0.25 MB), or Gaussian (0.1 MB) with single-sample
spikes (a page-cache or arena event: each second with probability 0.002, up 2-20 MB and back down
the next sample), or both.

Prints one markdown row per case: the verdicts over the seeds (``verdict/shape: count``).
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable

import numpy as np

from harness.leaks import judge

MB = 1_000_000
PAGE = 4096
HOUR = 3600.0
T = np.arange(0.0, HOUR + 0.5, 1.0)


def _pages(y: np.ndarray) -> np.ndarray:
    return np.ceil(y / PAGE) * PAGE


def staircase(live: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The resident set of a process whose live memory is ``live``: it takes a new piece of
    0.4-1.7 MB whenever what is live outgrows what it holds, and holds it."""
    rss = np.empty_like(live)
    top = live[0] + rng.uniform(0.4, 1.7) * MB
    for i, v in enumerate(live):
        if v > top:
            top = v + rng.uniform(0.4, 1.7) * MB
        rss[i] = top
    return _pages(rss)


def held_log() -> np.ndarray:
    """A bounded log the judge is told of: 3 MB filling over the hour (a soak's error log)."""
    return np.floor(3 * MB * (1 - np.exp(-T / 2400.0)))


#: a process settling in: what a soak's RSS less its bounded logs does over its first half hour
#: beside a steady leak (a planted 5 MB/h leak at seed 1: rises of 1.7, 0.54, 0.11 MB a judged
#: quarter beyond the leak's, fading by ~1/3 a quarter of 13.5 min, bench/RESULTS.md, issue #11)
SETTLING_MB, SETTLING_TAU_S = 4.0, 720.0


def staircase_case(kind: str, rate: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``leak``: ``rate`` a second from the start; ``settling leak``: the same under a process's
    settling in (``SETTLING_MB``); ``settling``: that alone; ``buffer``: a 6 MB bounded buffer
    filling with a time constant of 20 min; ``big buffer``: 30 MB, 30 min (still filling fast in the
    judged window's last quarter: "slowing", a buffer this window cannot tell from a leak)."""
    held = held_log()
    settling = SETTLING_MB * MB * (1 - np.exp(-T / SETTLING_TAU_S))
    grows = {"leak": rate * T / HOUR, "settling leak": rate * T / HOUR + settling, "settling": settling,
             "buffer": 6 * MB * (1 - np.exp(-T / 1200.0)),
             "big buffer": 30 * MB * (1 - np.exp(-T / 1800.0))}[kind]
    return staircase(150 * MB + grows + held, rng), held


def _staircase_label(kind: str, rate: float) -> str:
    return {"leak": f"leak {rate / MB:g} MB/h",
            "settling leak": f"leak {rate / MB:g} MB/h under a {SETTLING_MB:g} MB settling-in tail",
            "settling": f"a {SETTLING_MB:g} MB settling-in tail alone",
            "buffer": "bounded buffer 6 MB", "big buffer": "bounded buffer 30 MB (30 min)"}[kind]


def tails_noise(kind: str, scale_mb: float, rng: np.random.Generator) -> np.ndarray:
    n = T.size
    if kind == "t3":
        return scale_mb * MB * rng.standard_t(3, n)
    noise = 0.1 * MB * rng.standard_normal(n)
    if kind in ("spikes", "t3+spikes"):
        if kind == "t3+spikes":
            noise = scale_mb * MB * rng.standard_t(3, n)
        hit = rng.random(n) < 0.002
        noise[hit] += rng.uniform(2, 20, int(hit.sum())) * MB
    return noise


def tails_case(shape: str, rate: float, noise: str, scale_mb: float, rng: np.random.Generator) -> np.ndarray:
    base = 150 * MB + rate * T / HOUR
    if shape == "jump":
        base = base + 8 * MB * (T >= 0.4 * HOUR)
    return _pages(base + tails_noise(noise, scale_mb, rng))


def _count(make: Callable[[int], tuple[np.ndarray, np.ndarray | None]], seeds: int) -> str:
    c: Counter[str] = Counter()
    for seed in range(seeds):
        y, held = make(seed)
        v = judge("rss_bytes", T, y, held=held)
        c[f"{v.verdict}/{v.shape}"] += 1
    return ", ".join(f"{k}: {n}" for k, n in sorted(c.items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--only", choices=("staircase", "tails"))
    a = ap.parse_args()
    print("| series | verdicts over the seeds |")
    print("|---|---|")
    if a.only in (None, "staircase"):
        for kind, rate in (("leak", 5 * MB), ("leak", 8 * MB), ("leak", 20 * MB), ("leak", 3 * MB), ("buffer", 0.0),
                           ("settling leak", 5 * MB), ("settling leak", 8 * MB), ("settling leak", 3 * MB),
                           ("settling", 0.0), ("big buffer", 0.0)):
            label = f"staircase, {_staircase_label(kind, rate)}"
            print(f"| {label} | "
                  f"{_count(lambda s, k=kind, r=rate: staircase_case(k, r, np.random.default_rng(s)), a.seeds)} |",
                  flush=True)
    if a.only in (None, "tails"):
        for shape, rate in (("flat", 0.0), ("ramp", 3 * MB), ("jump", 0.0), ("jump", 2 * MB), ("ramp", 5 * MB),
                            ("ramp", 8 * MB)):
            for noise, scale in (("t3", 0.1), ("t3", 0.25), ("spikes", 0.1), ("t3+spikes", 0.1)):
                label = (f"{shape} {rate / MB:g} MB/h" if shape != "jump" else f"jump 8 MB over {rate / MB:g} MB/h")
                label += f", {noise} {scale:g} MB"
                print(f"| {label} | {_count(lambda s, sh=shape, r=rate, nz=noise, sc=scale: (tails_case(sh, r, nz, sc, np.random.default_rng(1000 + s)), None), a.seeds)} |", flush=True)


if __name__ == "__main__":
    main()
