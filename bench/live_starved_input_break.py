"""When a soak's live checks stop the ``ignores_starved_input`` mutant, beside when its end says it
first broke: the soak's first ``starved_input`` break (``stability.live.breaks``, run time) and the
earliest bound its end's verdict finds passed unreported (``starved_from + bound_s``). The live
checks run every ``soak.LIVE_EVERY_S`` of run time, so the break should come at the first check
after that bound, not at the soak's end. Simulated device, virtual clock: deterministic per seed.

    PYTHONPATH=$PWD .venv/bin/python bench/live_starved_input_break.py [--seed 1] [--duration 60]
                                                                       [--faults outages]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from harness import SoakRunner, SoakSpec
from harness.mutants import system_factory


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--duration", type=float, default=60.0, help="simulated seconds")
    ap.add_argument("--faults", default="outages")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp) / "run"
        spec = SoakSpec(duration_s=args.duration, seed=args.seed, faults=args.faults, checkpoint_s=10.0,
                        run_dir=run_dir)
        result = SoakRunner(spec, system_factory=system_factory("ignores_starved_input")).start()
        report = json.loads((run_dir / "report.json").read_text())
    live = report["stability"]["live"]
    breaks = [b for b in live["breaks"] if b["name"] == "starved_input"]
    (end,) = [v for v in report["stability"]["invariants"] if v["name"] == "starved_input"]
    evidence = end["details"]["evidence"] if not end["ok"] else []
    due = min((e["starved_from"] + e["bound_s"] for e in evidence), default=None)
    due_text = "none" if due is None else f"{due:.3f} s"
    first_text = "none" if not breaks else f"{breaks[0]['sim_t']:.3f} s"
    print(f"seed {args.seed}, {args.duration:g} s, faults {args.faults}: outcome {result.verdict.outcome.value}; "
          f"live checks {live['checks']} every {live['every_s']:g} s; end starved_input ok={end['ok']} "
          f"({len(evidence)} unreported); earliest unreported bound {due_text}; first live break {first_text}")


if __name__ == "__main__":
    main()
