"""The memory of a run's end-of-run checks, fold by fold, over a finished run's history file.

    PYTHONPATH=$PWD .venv/bin/python bench/end_memory.py RUN_DIR/history.jsonl [--sizes]

The runner judges a run after its loop (``harness.runner``: ``check_all`` with the device-loss
fold): every checker of ``harness.invariants`` and ``harness.device_losses.LossFold`` read the
history once, streamed back from its file, and each keeps what its verdict needs. What they keep
grows with the run, and it is held on top of the run's own memory (the system, the listening
check), so it sets a long soak's peak RSS (bench/RESULTS.md, issue #17). This prints the
process's high-water RSS after the pass and after the verdicts, the CPU of each, and with
``--sizes`` the bytes each fold still holds after the verdicts (``held_bytes``: the containers it
reaches; functions, classes and modules are not followed, and an object two folds share is
counted once, in the first). The sizes are taken last: their walk allocates and would raise the
high-water marks.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import types
from pathlib import Path
from typing import Any

_NOT_FOLLOWED = (type, types.ModuleType, types.FunctionType, types.MethodType, types.BuiltinFunctionType)


def held_bytes(obj: Any, seen: set[int]) -> int:
    """``sys.getsizeof`` summed over ``obj`` and what it reaches (``gc.get_referents``), each object
    once across calls sharing ``seen``; functions, methods, classes and modules are not followed
    (a bound method would reach the whole interpreter through its globals)."""
    total = 0
    stack = [obj]
    while stack:
        o = stack.pop()
        if id(o) in seen or isinstance(o, _NOT_FOLLOWED):
            continue
        seen.add(id(o))
        total += sys.getsizeof(o)
        stack.extend(gc.get_referents(o))
    return total


def high_water_mb() -> float:
    """The process's peak RSS so far (Linux: ``ru_maxrss`` in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(history_path: Path, *, sizes: bool = False) -> dict[str, Any]:
    """The end-of-run checks' pass and verdicts over ``history_path``, as the runner runs them
    (without a live system: the live parts of the verdicts are not judged)."""
    from harness import invariants
    from harness.device_losses import LossFold
    from harness.history import History

    history = History.open_jsonl(history_path)
    gc.collect()
    out: dict[str, Any] = {"entries": len(history), "start_mb": high_water_mb()}
    folds = [invariants._BY_NAME[n].fold(history, None) for n in invariants.NAMES]
    loss = LossFold(history.initial)
    c0 = time.process_time()
    broken = invariants._run_folds(history, folds, also=(loss,))
    out["pass_cpu_s"] = time.process_time() - c0
    out["pass_mb"] = high_water_mb()
    c0 = time.process_time()
    verdicts = {f.name: (broken[f.name] if f.name in broken else f.verdict(None)) for f in folds}
    loss.summary(history.end_time)
    out["verdict_cpu_s"] = time.process_time() - c0
    out["verdicts_mb"] = high_water_mb()
    out["verdicts"] = {name: v.to_dict() for name, v in verdicts.items()}
    if sizes:
        seen: set[int] = {id(history), *(id(v) for v in vars(history).values())}
        out["held_mb"] = {getattr(f, "name", type(f).__name__):
                          sum(held_bytes(v, seen) for k, v in vars(f).items() if k != "history") / 1e6
                          for f in (*folds, loss)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("history", type=Path, help="a run's or soak's history.jsonl")
    parser.add_argument("--sizes", action="store_true", help="also the bytes each fold holds (slow)")
    args = parser.parse_args()
    if not args.history.is_file():
        raise SystemExit(f"{args.history}: no such history file (a run folder's history.jsonl)")
    r = measure(args.history, sizes=args.sizes)
    print(f"{r['entries']} entries; peak RSS {r['start_mb']:.0f} MB opened, {r['pass_mb']:.0f} MB after the pass "
          f"({r['pass_cpu_s']:.1f} s CPU), {r['verdicts_mb']:.0f} MB after the verdicts ({r['verdict_cpu_s']:.1f} s CPU)")
    failed = sorted(n for n, v in r["verdicts"].items() if not v.get("ok"))
    print(f"verdicts: {len(r['verdicts']) - len(failed)} held" + (f"; not held: {', '.join(failed)}" if failed else ""))
    for name, mb in sorted((r.get("held_mb") or {}).items(), key=lambda kv: -kv[1]):
        print(f"{mb:8.1f} MB  {name}")


if __name__ == "__main__":
    main()
