"""Both players at many seeds under every built-in fault profile: how often the harness fails each.

    .venv/bin/python -m examples.simple_player.sweep [--seeds 1-10] [--duration 60]

Prints one line per (player, profile): outcomes, and for the failures the violated invariants and
how many dropouts the runs had. The fixed player must pass every run (a failure there is a false
alarm of the harness, or a bug of the adapter); the player as written fails where the device drops
out (``gentle`` never pulls the device, so it cannot show the leak).
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from pathlib import Path

from harness.runner import ReliabilityRun, RunSpec
from harness.sut_protocol import load_system
from harness.swarm import parse_seeds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1-10")
    parser.add_argument("--duration", type=float, default=60.0)
    args = parser.parse_args()
    seeds = parse_seeds(args.seeds)
    for factory in ("make_fixed_system", "make_system"):
        choice = load_system(f"examples.simple_player:{factory}")
        for profile in ("gentle", "default", "hostile"):
            outcomes: Counter[str] = Counter()
            violated: Counter[str] = Counter()
            dropouts = 0
            for seed in seeds:
                with tempfile.TemporaryDirectory() as tmp:
                    spec = RunSpec(duration_s=args.duration, seed=seed, faults=profile, run_dir=Path(tmp) / "run")
                    result = ReliabilityRun(spec, system_factory=choice).execute(reports=False)
                outcomes[result.verdict.outcome.value] += 1
                violated.update(result.verdict.violated)
                dropouts += result.summary["faults"]["by_kind"].get("dropout", 0)
            print(f"{factory:18} {profile:8} {dict(sorted(outcomes.items()))} violated {dict(sorted(violated.items()))} "
                  f"dropouts {dropouts} in {len(seeds)} x {args.duration:g} s", flush=True)


if __name__ == "__main__":
    main()
