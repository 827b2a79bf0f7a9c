#!/usr/bin/env python3
"""How many device error reports does a supervisor pass find queued, under the built-in profiles?

An invariant "a recovery's cause is the first error after the last RUNNING" can fail with a queue
drained newest first (the catalogued ``device_errors_routed_newest_first``) only where one pass finds
two or more reports queued: with one at a time the order cannot differ. This counts, per profile,
the passes of 60 s simulated runs (in process, the shipped system, the profile's seeded schedule)
by the reports queued as each began (``AudioSystem.poll`` wrapped to read ``len(_device_errors)``
first; the read draws nothing and changes no order, so the runs are the profile's own), and how
many of the reports in passes with two or more were from the current stream (a stale one is counted
and skipped, never routed, so it cannot be a recovery's cause).

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python bench/device_errors_per_pass.py \\
        [--profiles default,outages,hostile] [--seeds 1-5] [--duration 60]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from harness import ReliabilityRun, RunSpec
from system_under_test import AudioSystem


def seed_range(text: str) -> list[int]:
    """``"1-5"`` or ``"3"`` as the seeds it names."""
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


class _PassCounter:
    """Wraps ``AudioSystem.poll``: each pass's queued reports, and those of the current stream."""

    def __init__(self) -> None:
        self.by_queued: Counter[int] = Counter()
        self.current_in_multi: Counter[int] = Counter()

    def install(self) -> Any:
        poll = AudioSystem.poll
        counter = self

        def counted(system: AudioSystem) -> None:
            queued = list(system._device_errors)
            counter.by_queued[len(queued)] += 1
            if len(queued) >= 2:
                gen = system._stream_gen
                counter.current_in_multi[sum(1 for _, g, _ in queued if g is None or g == gen)] += 1
            poll(system)

        AudioSystem.poll = counted  # type: ignore[method-assign]
        return poll


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profiles", default="default,outages,hostile")
    ap.add_argument("--seeds", default="1-5", help="a seed or a range, e.g. 1-5")
    ap.add_argument("--duration", type=float, default=60.0)
    args = ap.parse_args(argv)
    try:
        seeds = seed_range(args.seeds)
    except ValueError:
        print(f"device_errors_per_pass: --seeds {args.seeds!r}: give a seed or a range such as 1-5", file=sys.stderr)
        return 2
    for profile in args.profiles.split(","):
        counter = _PassCounter()
        poll = counter.install()
        t0 = time.monotonic()
        try:
            with tempfile.TemporaryDirectory(prefix="per-pass-") as tmp:
                for seed in seeds:
                    spec = RunSpec(duration_s=args.duration, seed=seed, faults=profile, report_root=Path(tmp))
                    ReliabilityRun(spec).execute(reports=False)
        finally:
            AudioSystem.poll = poll  # type: ignore[method-assign]
        passes = sum(counter.by_queued.values())
        multi = sum(n for q, n in counter.by_queued.items() if q >= 2)
        current2 = sum(n for c, n in counter.current_in_multi.items() if c >= 2)
        print(f"{profile:8} seeds {args.seeds} ({args.duration:g} s): passes {passes}, by reports queued "
              f"{dict(sorted(counter.by_queued.items()))}; passes with >= 2 queued: {multi}, of them with >= 2 of "
              f"the current stream: {current2}  ({time.monotonic() - t0:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
