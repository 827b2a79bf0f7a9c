"""History digests of seeded simulated runs, with what could tell two trees' runs apart: the
faults skipped, the stall firings and their lengths.

Why: a change to which faults act (a fault skipped while the system runs no stream) or to what a
kind draws (a stall's length from the watchdog's bound) changes the histories of the runs it
touches, and must leave every other run's history as it was. Run it from each tree's root and
compare the lines:

    PYTHONPATH=$PWD python bench/fault_paths_digests.py [--profiles gentle,default,hostile]
                                                        [--seeds 4] [--first-seed 86901] [--duration 20]

Each line: profile, seed, the history's sha256 (``bench_false_alarms.history_digest``: every entry
but the meta one), faults skipped, stall firings, the shortest stall (ms), the outcome.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_false_alarms import history_digest  # noqa: E402

from harness import ReliabilityRun, RunSpec  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--profiles", default="gentle,default,hostile")
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--first-seed", type=int, default=86901)
    ap.add_argument("--duration", type=float, default=20.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for profile in args.profiles.split(","):
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                result = ReliabilityRun(RunSpec(backend="sim", duration_s=args.duration, seed=seed, faults=profile,
                                                report_root=Path(tmp))).execute(reports=False)
                entries = list(result.history)
                stalls = [e.data["params"]["duration_s"] for e in entries
                          if e.type == "fault_start" and e.value == "stall"]
                skipped = sum(1 for e in entries if e.type == "note" and e.value == "fault_skipped")
                shortest = f"{min(stalls) * 1000:.1f}" if stalls else "-"
                print(f"{profile} {seed} {history_digest(entries)[:16]} skipped={skipped} stalls={len(stalls)} "
                      f"shortest_stall_ms={shortest} {result.summary['outcome']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
