"""How many of a built-in profile's seeded schedules place a fault past the run's end, and how many
of those leave a kind whose every drawn fault is past it (a kind the run would read "never fired"
although it never had a chance to fire). Schedules only: no run is made, so a thousand seeds take
seconds.

    PYTHONPATH=$PWD .venv/bin/python bench/schedule_past_end.py [--profiles hostile,default]
                                                                 [--seeds 1000] [--first-seed 1] [--duration 60]

One line per profile: schedules, faults drawn, faults past the end, schedules with one, and
schedules with a kind drawn only past the end (the seeds, up to ten). Run it on two trees to set
them side by side (``git archive main | tar -x -C DIR``).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.faults.profiles import PROFILES  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profiles", default="hostile,default")
    ap.add_argument("--seeds", type=int, default=1000)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--duration", type=float, default=60.0)
    args = ap.parse_args()
    for name in args.profiles.split(","):
        profile = PROFILES[name]
        drawn = past = with_past = 0
        only_past: list[int] = []
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            schedule = profile.schedule(args.duration, seed)
            times: dict[str, list[float]] = defaultdict(list)
            for fault in schedule.faults:
                t = getattr(fault.trigger, "time", None)
                if t is not None:
                    times[fault.kind].append(t)
            late = sum(t > args.duration for ts in times.values() for t in ts)
            drawn += sum(len(ts) for ts in times.values())
            past += late
            with_past += late > 0
            if any(all(t > args.duration for t in ts) for ts in times.values()):
                only_past.append(seed)
        print(f"{name}: {args.seeds} schedules of {args.duration:g} s (seeds {args.first_seed}-"
              f"{args.first_seed + args.seeds - 1}), check every {profile.check_every_s:g} s: {drawn} faults drawn, "
              f"{past} past the end, in {with_past} schedules; {len(only_past)} schedules with a kind drawn only "
              f"past the end" + (f" (seeds {', '.join(map(str, only_past[:10]))}"
                                 + (", ..." if len(only_past) > 10 else "") + ")" if only_past else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
