#!/usr/bin/env python3
"""From the built-in profiles' seeded schedules alone (no run): how often two ``buffer_exhaustion``
firings overlap (the second starting before the first ends), and how close two ``callback_raises``
firings come, over seeds 1-200 of a 60 s run.

Why: a planted ``degraded_event_every_report`` shows only when an exhaustion is *reported* to a
system already degraded (two overlapping exhaustions that report), and ``corrupt_callbacks_replaced``
only when a second ``callback_raises`` comes while the first's count is unspent (at most 5
callbacks of 5.33 ms in default's ranges, while the stream calls back). The schedules say how
often a profile could reach either path whatever the run does; a run reaches it at most that often.

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python bench/fault_overlaps.py
"""

from __future__ import annotations

from collections import Counter

from harness.faults.profiles import PROFILES

SEEDS = range(1, 201)
GAPS_S = (0.0, 0.03, 0.1, 0.5)


def main() -> None:
    for name in ("default", "outages", "hostile"):
        runs_overlap = overlaps = exhaustions = raises = 0
        close: Counter[float] = Counter()
        for seed in SEEDS:
            faults = PROFILES[name].schedule(60.0, seed).faults
            ex = [f for f in faults if f.kind == "buffer_exhaustion"]
            exhaustions += len(ex)
            n = sum(1 for i, a in enumerate(ex) for b in ex[i + 1:]
                    if b.trigger.time < a.trigger.time + a.duration_s)
            overlaps += n
            runs_overlap += n > 0
            cb = [f for f in faults if f.kind == "callback_raises"]
            raises += len(cb)
            for a, b in zip(cb, cb[1:]):
                for gap in GAPS_S:
                    close[gap] += b.trigger.time - a.trigger.time <= gap + 1e-9
        print(f"{name}: seeds 1-200, 60 s: buffer_exhaustion firings {exhaustions}, overlapping pairs {overlaps} "
              f"in {runs_overlap}/200 runs; callback_raises firings {raises}, consecutive pairs within "
              + ", ".join(f"{g:g} s {close[g]}" for g in GAPS_S))


if __name__ == "__main__":
    main()
