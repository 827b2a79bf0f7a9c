"""The CPU of one resource sample (``harness.leaks.ResourceSampler.sample``, which a soak takes once a
simulated second), so the sampler's share of a soak can be weighed against the rest.

    PYTHONPATH=$PWD .venv/bin/python bench/sampler_cost.py [--samples 3000] [--rounds 3]

prints each round's thread CPU microseconds a sample. A benchmark: it prints figures and never fails
on a slow machine.
"""

from __future__ import annotations

import argparse
import sys
import time

from harness import leaks


def per_sample_us(sampler: leaks.ResourceSampler, samples: int) -> float:
    t0 = time.thread_time()
    for i in range(samples):
        sampler.sample(float(i))
    return (time.thread_time() - t0) / samples * 1e6


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    if args.samples < 1 or args.rounds < 1:
        print("sampler_cost: --samples and --rounds take positive whole numbers, e.g. 3000 and 3",
              file=sys.stderr)
        return 2
    sampler = leaks.ResourceSampler()
    for r in range(args.rounds):
        print(f"round {r + 1}: {per_sample_us(sampler, args.samples):.1f} us a sample")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
