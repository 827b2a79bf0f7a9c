"""What each candidate measure of CPython's small objects costs a call, and whether it moves with them.

    PYTHONPATH=$PWD .venv/bin/python bench/pymalloc_measure.py [--calls N]

Candidates: ``harness.allocator.pymalloc_in_use_bytes`` (CPython's allocator statistics written into a
memory stream, the bytes in pymalloc's allocated blocks), ``sys.getallocatedblocks()`` (a count of
blocks, not bytes) and, for the other allocator, ``harness.allocator.in_use_bytes`` (glibc's
``mallinfo2``). ``sys._debugmallocstats`` itself writes the same statistics onto stderr (fd 2), which a
sampler would have to take over for the call: not a candidate. Truth: each figure's change when a
planted leak keeps 10 MB of small objects (``harness.leak_mutants.SmallObjectLeak``) and when a
buffer of 10 MiB is malloc'd (160 ``bytearray``s of 64 KiB), with the collector held off so that only
these allocations move the figures. Cost: the mean of N calls, with the 10 MB of small objects held
(the statistics walk every arena's pools, so they cost more the more pymalloc holds).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from typing import Callable

from harness.allocator import in_use_bytes, pymalloc_in_use_bytes
from harness.leak_mutants import SmallObjectLeak

MB = 1_000_000
CANDIDATES: dict[str, Callable[[], int | None]] = {
    "pymalloc_in_use_bytes (bytes)": pymalloc_in_use_bytes,
    "sys.getallocatedblocks() (blocks)": sys.getallocatedblocks,
    "mallinfo2 in_use_bytes (bytes)": in_use_bytes,
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--calls", type=int, default=2000)
    a = ap.parse_args()
    gc.collect()
    gc.disable()
    start = {k: f() for k, f in CANDIDATES.items()}
    leak = SmallObjectLeak(rate_per_hour=10 * MB)
    leak.advance(0.0)
    leak.advance(3600.0)
    mid = {k: f() for k, f in CANDIDATES.items()}
    buffer = [bytearray(64 * 1024) for _ in range(160)]
    end = {k: f() for k, f in CANDIDATES.items()}
    gc.enable()
    print(f"planted small objects: {leak.kept_bytes} B ({leak.pieces} pieces); malloc'd buffer: "
          f"{sum(len(b) for b in buffer)} B")
    print("| measure | moved by the small objects | moved by the malloc'd buffer | cost a call (us) |")
    print("|---|---|---|---|")
    for k, f in CANDIDATES.items():
        t0 = time.perf_counter()
        for _ in range(a.calls):
            f()
        cost = (time.perf_counter() - t0) / a.calls * 1e6
        moved = "-" if start[k] is None else f"{mid[k] - start[k]:+d}"
        moved_b = "-" if start[k] is None else f"{end[k] - mid[k]:+d}"
        print(f"| {k} | {moved} | {moved_b} | {cost:.2f} |")


if __name__ == "__main__":
    main()
