"""CPU and verdict of test_callback_errors_bound.py's plain run at several simulated durations.

Why: the never-spent corruption (every callback corrupt once any was asked for) makes each simulated
second after the first ``callback_raises`` a recovery from a corrupt callback; this shows how much a
shorter run saves and that the bound's evidence (its first breach) is the same.

Run: PYTHONPATH=$PWD .venv/bin/python bench/corruption_run_cost.py corrupt 60,20
(``healthy`` instead of ``corrupt``: the shipped device).
"""
import argparse
import sys
import tempfile
import time
from pathlib import Path

from harness import ReliabilityRun, RunSpec
from system_under_test.devices.simulated import SimulatedBackend


def never_spent(self, name, count=1, **_window):
    self.device(name).corrupt_callbacks += 10**9


def _durations(text: str) -> list[float]:
    try:
        values = [float(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give simulated seconds, comma-separated (e.g. 60,20)") from None
    if not values or any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError(f"{text!r}: every duration must be over 0 s")
    return values


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=("corrupt", "healthy"))
    ap.add_argument("durations", type=_durations, help="simulated seconds, comma-separated")
    args = ap.parse_args(argv)
    if args.mode == "corrupt":
        SimulatedBackend.corrupt_next_callbacks = never_spent
    for dur in args.durations:
        for seed in (1, 2):
            c0 = time.process_time()
            spec = RunSpec(duration_s=dur, seed=seed, faults="default", report_root=Path(tempfile.mkdtemp()),
                           label="callback_errors")
            r = ReliabilityRun(spec).execute(reports=False)
            (v,) = [v for v in r.verdicts if v.name == "callback_errors"]
            first = [f for f in ReliabilityRun(spec).schedule.faults if f.kind == "callback_raises"]
            print(f"{args.mode} dur={dur} seed={seed} cpu={time.process_time()-c0:.2f} outcome={r.verdict.outcome.value} "
                  f"violated={r.verdict.violated} ok={v.ok} ev={v.evidence[-1] if v.evidence else None} "
                  f"first_cb_raise={[round(f.trigger.time,2) for f in first][:3]} sim={r.summary['simulated_s']:.1f}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
