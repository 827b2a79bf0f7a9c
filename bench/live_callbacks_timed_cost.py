"""What judging ``callbacks_timed`` live adds to a live check, in thread CPU.

    PYTHONPATH=$PWD .venv/bin/python bench/live_callbacks_timed_cost.py [--seed 1] [--checks 600]

Runs the shipped system on the simulated device (faults ``none``), attached to a ``History`` as a
soak attaches it, and every 10 simulated seconds (the soak's ``LIVE_EVERY_S``) times, on the
checker's thread: the whole ``LiveChecker.check()`` (linearizability left out, as a soak leaves
it) and, beside it, the ``callbacks_timed`` verdict with a metrics read of its own
(``_CallbacksTimed().verdict(system, between_steps=True)``: what it would cost the check without
the reading it shares with ``recoveries_timed``). Prints the medians. Run on a tree from before
``callbacks_timed`` was judged live (its verdict takes no ``between_steps``), it times the check
alone: the figure to compare.

Why: the verdict reads no history, so ``bench/live_fold_costs.py`` (which replays the folds on a
history, with no system) cannot see it; what it costs is the live metrics read (``system.metrics()``
summarises every histogram), which ``recoveries_timed`` already makes at each check. A benchmark:
it prints figures, never fails on a slow machine (thread CPU, so a loaded machine's waiting is not
counted, though its cache misses are).
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import time

from harness import invariants as inv
from harness.history import History
from harness.soak import LIVE_EVERY_S
from system_under_test import AudioSystem


def measure(seed: int, checks: int) -> tuple[list[float], list[float]]:
    """(seconds of thread CPU per ``LiveChecker.check()``, per ``callbacks_timed`` verdict with a
    read of its own; empty on a tree whose verdict cannot be asked between steps)."""
    system = AudioSystem({}, seed=seed)
    history = History().attach(system)
    checker = inv.LiveChecker(system, history, linearizable=False)
    whole: list[float] = []
    alone: list[float] = []
    clock = time.thread_time
    between_steps = "between_steps" in inspect.signature(inv._CallbacksTimed.verdict).parameters
    try:
        system.initialize()
        system.start()
        for _ in range(checks):
            system.run_for(LIVE_EVERY_S)
            t0 = clock()
            verdicts = checker.check()
            whole.append(clock() - t0)
            if not all(x.ok for x in verdicts):
                raise SystemExit(f"a healthy run broke a live check: {[x for x in verdicts if not x.ok]}")
            if not between_steps:
                continue
            t1 = clock()
            v = inv._CallbacksTimed().verdict(system, between_steps=True)
            alone.append(clock() - t1)
            if not v.ok:
                raise SystemExit(f"a healthy run broke callbacks_timed: {v}")
    finally:
        checker.close()
        system.close()
        history.detach()
    return whole, alone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--checks", type=int, default=600, help="live checks, one per LIVE_EVERY_S (600: 100 min)")
    args = parser.parse_args()
    whole, alone = measure(args.seed, args.checks)
    w = statistics.median(whole)
    print(f"checks: {len(whole)} (every {LIVE_EVERY_S:g} s of simulated time, faults none, seed {args.seed})")
    print(f"LiveChecker.check() median {w * 1e6:.0f} us, total {sum(whole):.3f} s of thread CPU")
    if alone:
        a = statistics.median(alone)
        print(f"callbacks_timed verdict with its own metrics read: median {a * 1e6:.0f} us, "
              f"total {sum(alone):.3f} s")
    else:
        print("callbacks_timed is not judged live on this tree: the check alone")


if __name__ == "__main__":
    main()
