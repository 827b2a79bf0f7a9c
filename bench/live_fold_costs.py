"""What the soak's live history checks cost, fold by fold, replayed on a finished run's history.

    PYTHONPATH=$PWD .venv/bin/python bench/live_fold_costs.py RUN_DIR/history.jsonl [--every 10]

streams the history (``History.open_jsonl``: an 8-hour soak's million entries are never held)
through the same folds ``LiveChecker._history_verdicts`` keeps, in its order and with its type
test, and asks each fold's verdict every ``--every`` simulated seconds (the soak's
``LIVE_EVERY_S``), as the live check does, with no system (a replay has none: the live reads are
left out). Prints each fold's thread CPU fed and judged, the judging by quarter-hour of the run
(a fold whose verdict grows with the run's length shows it there), and the dispatch alone (the
type tests with no feed).

Why: the end's ``check_all`` feeds these folds' invariants again from the start of the history,
so what they cost live is also about what the end spends on them a second time; and the live
loop tests every fold's types for every entry. A benchmark: it prints figures, never fails on a
slow machine.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path
from typing import Any

from harness import invariants as inv
from harness.history import History


def live_folds(init: dict[str, Any]) -> list[Any]:
    """The folds ``LiveChecker._history_verdicts`` makes at its first check, in its order."""
    return inv.LiveChecker.new_folds(init)


def _judge(fold: Any) -> None:
    """The fold's verdict with no system, as the live check asks it (``final=False`` where the
    live check gives it)."""
    _verdict_of(fold)


def weigh(path: Path, every_s: float) -> tuple[int, dict[str, float], dict[str, float],
                                               dict[int, dict[str, float]], float]:
    """(entries, feed seconds by fold, verdict seconds by fold, verdict seconds by quarter-hour
    and fold, the dispatch's seconds alone), thread CPU."""
    history = History.open_jsonl(path)
    folds = live_folds(history.initial or {})
    fed: dict[str, float] = collections.defaultdict(float)
    judged: dict[str, float] = collections.defaultdict(float)
    by_quarter: dict[int, dict[str, float]] = collections.defaultdict(lambda: collections.defaultdict(float))
    clock = time.thread_time
    next_check = every_s
    entries = 0
    for e in history:
        entries += 1
        for f in folds:
            if f.types is None or e.type in f.types:
                t0 = clock()
                f.feed(e)
                fed[type(f).__name__] += clock() - t0
        if e.time >= next_check:
            next_check += every_s
            for f in folds:
                t0 = clock()
                _judge(f)
                spent = clock() - t0
                judged[type(f).__name__] += spent
                by_quarter[int(e.time // 900)][type(f).__name__] += spent
    folds = live_folds(history.initial or {})
    t0 = clock()
    tests = 0
    for e in History.open_jsonl(path):
        for f in folds:
            if f.types is None or e.type in f.types:
                tests += 1
    dispatch = clock() - t0
    return entries, fed, judged, by_quarter, dispatch


def routed_against_plain(path: Path) -> tuple[float, float, int]:
    """(the live checker's feed loop, a per-type route's, thread CPU seconds; how many of the folds'
    verdicts differ between the two), each over the whole history with fresh folds."""
    spent: list[float] = []
    verdicts: list[list[str]] = []
    for routed in (False, True):
        history = History.open_jsonl(path)
        entries = list(history)
        folds = live_folds(history.initial or {})
        route: dict[str, list[Any]] = {}
        t0 = time.thread_time()
        for e in entries:
            if routed:
                chosen = route.get(e.type)
                if chosen is None:
                    chosen = route[e.type] = [f for f in folds if f.types is None or e.type in f.types]
                for f in chosen:
                    f.feed(e)
            else:
                for f in folds:
                    if f.types is None or e.type in f.types:
                        f.feed(e)
        spent.append(time.thread_time() - t0)
        verdicts.append([repr(_verdict_of(f)) for f in folds])
    return spent[0], spent[1], sum(a != b for a, b in zip(*verdicts))


def _verdict_of(fold: Any) -> Any:
    if isinstance(fold, inv._ComponentsFollow):
        return fold.verdict(None, final=False)
    return fold.verdict(None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("history", type=Path, help="a run's history.jsonl")
    parser.add_argument("--every", type=float, default=10.0, help="simulated seconds between verdicts (10)")
    parser.add_argument("--routed", action="store_true", help="also time a per-type route against the live loop")
    args = parser.parse_args(argv)
    if not args.history.is_file():
        print(f"{args.history}: no such file; give a run folder's history.jsonl", file=sys.stderr)
        return 2
    entries, fed, judged, by_quarter, dispatch = weigh(args.history, args.every)
    print(f"{entries} entries; fed {sum(fed.values()):.3f} s, judged {sum(judged.values()):.3f} s, "
          f"the read and dispatch alone {dispatch:.3f} s (thread CPU)")
    for name in sorted(fed, key=lambda n: -fed[n]):
        quarters = " ".join(f"{by_quarter[q][name]:.3f}" for q in sorted(by_quarter))
        print(f"{name:24s} fed {fed[name]:.3f}  judged {judged[name]:.3f}  judged by quarter-hour {quarters}")
    if args.routed:
        plain, routed, differ = routed_against_plain(args.history)
        print(f"feed loop: the live checker's {plain:.3f} s, routed by type {routed:.3f} s; "
              f"verdicts that differ: {differ} of {len(live_folds({}))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
