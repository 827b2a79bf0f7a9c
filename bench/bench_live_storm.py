"""Storms of pause/resume transitions from many threads on a real coordinator, judged live.

``LiveChecker`` is an observer, and the coordinator calls its observers after releasing its lock,
so a storm's records can reach the checker out of order. A correct coordinator must get no illegal
or discontinuous transition from the live check, whatever the threads' interleaving: this bench
counts the ones it reports over N storms (a healthy coordinator's count is a false alarm).

    PYTHONPATH=$PWD .venv/bin/python bench/bench_live_storm.py --storms 20 --threads 8 --pairs 500
"""

from __future__ import annotations

import argparse
import threading
from types import SimpleNamespace

from harness.invariants import LiveChecker
from system_under_test.coordinator import ComponentCoordinator
from system_under_test.errors import IllegalTransitionError
from system_under_test.lifecycle import State


def storm(threads: int, pairs: int) -> int:
    """One storm on a fresh coordinator; the live check's reported bad transitions."""
    coordinator = ComponentCoordinator()
    coordinator.register("audio")
    for state in (State.INITIALIZED, State.CONFIGURED, State.STARTING, State.RUNNING):
        coordinator.transition("audio", state, "set-up")
    checker = LiveChecker(SimpleNamespace(coordinator=coordinator, add_observer=coordinator.add_observer))  # type: ignore[arg-type]

    def worker() -> None:
        for _ in range(pairs):
            for target in (State.PAUSED, State.RUNNING):
                try:
                    coordinator.transition("audio", target, "storm")
                except IllegalTransitionError:  # another thread got there first: refused, as it must be
                    pass

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return len(checker._bad_transitions)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--storms", type=int, default=20)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--pairs", type=int, default=500, help="pause/resume pairs per thread")
    args = ap.parse_args()
    bad = [storm(args.threads, args.pairs) for _ in range(args.storms)]
    print(f"{args.storms} storms of {args.threads} threads x {args.pairs} pause/resume pairs: "
          f"{sum(bad)} bad transition(s) reported live, in {sum(1 for b in bad if b)} storm(s)")


if __name__ == "__main__":
    main()
