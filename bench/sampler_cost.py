"""The CPU of one resource sample (``harness.leaks.ResourceSampler.sample``, a soak's once a
simulated second), read from ``/proc`` (``ProcFigures``, Linux) and through psutil, alternated.

    PYTHONPATH=$PWD .venv/bin/python bench/sampler_cost.py [--samples 3000] [--rounds 3]

prints each round's thread CPU microseconds a sample for both readers (exit 1 when they give
different keys). A benchmark: it prints figures and never fails on a slow machine.
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
    proc = leaks.ResourceSampler()
    if proc._fast is None:
        print("sampler_cost: no /proc here: nothing to compare (psutil is the only reader)", file=sys.stderr)
        return 2
    via_psutil = leaks.ResourceSampler()
    import psutil  # noqa: PLC0415 - the other reader, as ResourceSampler makes it off Linux

    via_psutil._fast, via_psutil._proc = None, psutil.Process()
    if list(proc.sample(0.0)) != list(via_psutil.sample(0.0)):
        print("sampler_cost: the two readers give different keys", file=sys.stderr)
        return 1
    for r in range(args.rounds):
        fast = per_sample_us(proc, args.samples)
        slow = per_sample_us(via_psutil, args.samples)
        print(f"round {r + 1}: /proc {fast:.1f} us a sample, psutil {slow:.1f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
