"""How often the steady-state check false-alarms on the healthy system: every built-in fault profile
with faults (gentle, default, hostile) at many seeds, simulated.

    .venv/bin/python bench/steady_state_false_alarms.py --seeds 1-100 --duration 20

Prints one line per profile: runs, steady before yes/no, steady after yes/no/not observed, the run
outcomes, and every seed whose steady state was not "yes" (with the check's detail). A false alarm
is a healthy run whose steady state is anything but yes before and after.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.runner import ReliabilityRun, RunSpec  # noqa: E402
from harness.swarm import parse_seeds  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default="1-100")
    ap.add_argument("--duration", type=float, default=20.0)
    ap.add_argument("--profiles", default="gentle,default,hostile")
    args = ap.parse_args()
    seeds = parse_seeds(args.seeds)
    tmp = Path(tempfile.mkdtemp(prefix="soundcheck-steady-bench-"))
    false_alarms = 0
    t0 = time.perf_counter()
    try:
        for profile in args.profiles.split(","):
            before, after, outcomes = Counter(), Counter(), Counter()
            odd: list[str] = []
            for seed in seeds:
                run_dir = tmp / f"{profile}-{seed}"
                spec = RunSpec(backend="sim", duration_s=args.duration, seed=seed, faults=profile, run_dir=run_dir)
                result = ReliabilityRun(spec).execute(reports=False)
                st = result.summary["steady_state"]
                before[st["before"]] += 1
                after[st["after"]] += 1
                outcomes[result.verdict.outcome.value] += 1
                if st["before"] != "yes" or st["after"] != "yes":
                    false_alarms += 1
                    odd.append(f"    seed {seed}: before {st['before']} ({st['before_detail']}); "
                               f"after {st['after']} ({st['after_detail']}); outcome {result.verdict.outcome.value}")
                shutil.rmtree(run_dir, ignore_errors=True)
            print(f"{profile}: {len(seeds)} runs of {args.duration:g} s; steady before {dict(before)}; "
                  f"steady after {dict(after)}; outcomes {dict(outcomes)}")
            print("\n".join(odd[:20]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"false alarms (steady state not yes on a healthy run): {false_alarms}; wall {time.perf_counter() - t0:.0f} s")
    return 1 if false_alarms else 0


if __name__ == "__main__":
    sys.exit(main())
