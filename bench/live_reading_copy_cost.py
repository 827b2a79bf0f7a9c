"""What the live ``linearizable`` judge's per-reading copy costs, against the rest of a reading.

    PYTHONPATH=$PWD .venv/bin/python bench/live_reading_copy_cost.py --seeds 94300-94309 \\
        --profiles default,hostile,bench/storm_heavy.toml [--duration 10]

runs each seed under each fault profile (``ReliabilityRun``, simulated device, no reports), then
feeds its history entry by entry to one kept ``_StreamingLinearizability`` and reads it after
every entry, as ``LiveChecker`` reads it after every step of a state machine (a run checks after
each entry here: more readings than any live check makes). Thread CPU is counted apart for the
feed, the copy a reading settles (``_twin``) and the copy's verdict, so the copy's share of the
judge's cost is measured, not guessed; the reading's verdict is taken from the same twin, so
nothing is judged twice. Prints one JSON line a run and a summary. A benchmark: never fails on
a slow machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from linearizable_live_readings import ROOT, _duration, _profiles, _Refused, _seeds, each_run


def copy_cost(history: Any) -> dict[str, Any]:
    """One history read live entry by entry: thread CPU of feeding, copying and settling the copy."""
    from harness.invariants import _StreamingLinearizability
    from live_readings import recorded_one_by_one  # type: ignore[import-not-found]

    live, recorded = recorded_one_by_one(history)
    judge = _StreamingLinearizability(live)
    clock = time.thread_time
    feed_s = copy_s = settle_s = 0.0
    readings = held_max = 0
    for e in recorded:
        t0 = clock()
        if e.type in judge.types:
            judge.feed(e)
        t1 = clock()
        if judge.whole_reason is None and not judge.judged:
            twin = judge._twin()
            t2 = clock()
            twin.verdict()
        else:
            t2 = t1
            judge.verdict()
        t3 = clock()
        feed_s, copy_s, settle_s = feed_s + t1 - t0, copy_s + t2 - t1, settle_s + t3 - t2
        readings += 1
        held_max = max(held_max, judge.held()[0])
    return {"entries": readings, "ops": judge.ops, "max_ops_held": held_max, "handed_over": judge.whole_reason is not None,
            "feed_cpu_s": round(feed_s, 4), "copy_cpu_s": round(copy_s, 4), "settle_cpu_s": round(settle_s, 4)}


def main(argv: list[str] | None = None) -> int:
    ap = _Refused(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=_seeds, default=_seeds("94300-94309"), help="FIRST-LAST (default 94300-94309)")
    ap.add_argument("--profiles", type=_profiles, default=["default", "hostile"],
                    help="built-in profiles or profile .toml files, comma-separated")
    ap.add_argument("--duration", type=_duration, default=10.0, help="simulated seconds a run (default 10)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "tests" / "harness"))
    rows = each_run(args.profiles, args.seeds, args.duration, copy_cost)
    for profile in args.profiles:
        mine = [r for r in rows if r["profile"] == profile]
        parts = {k: round(sum(r[k] for r in mine), 3) for k in ("feed_cpu_s", "copy_cpu_s", "settle_cpu_s")}
        total = sum(parts.values()) or 1.0
        print(json.dumps({"profile": profile, "runs": len(mine), "readings": sum(r["entries"] for r in mine),
                          "ops": sum(r["ops"] for r in mine), "max_ops_held": max(r["max_ops_held"] for r in mine),
                          **parts, "copy_share": round(parts["copy_cpu_s"] / total, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
