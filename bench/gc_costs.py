"""What the cyclic garbage collector costs a soundcheck command, by generation.

    PYTHONPATH=$PWD .venv/bin/python bench/gc_costs.py soak --backend sim --duration 10m --seed S \\
        --no-progress --run-dir DIR

runs ``soundcheck`` with the arguments given, in this process, with a ``gc.callbacks`` hook that
reads the thread's CPU clock at each collection's start and stop, and prints at exit, per
generation, the collections, their CPU seconds and the objects they freed, beside the process's
CPU. Why: py-spy charges the collector's native frame (``gc_collect_main``) without the Python
frames above it, so a profile says how much but not which collections; the generation says
whether the cost is the young collections of the run's allocations or the full ones (the soak's
own ``gc.collect()`` after the run is one of these). Bad arguments are ``soundcheck``'s: exit 2.

    ... bench/gc_costs.py --full-every 100 soak ...

sets generation 2's threshold (full collections every N collections of generation 1; CPython's
10) for the command, to weigh what fewer full collections save and what they cost a judge that
reads the process's memory (``harness.leak_mutants.drops_cycles_5mb_per_hour``).
"""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout's harness, without PYTHONPATH


class CollectionCosts:
    """Collections, thread CPU seconds and objects freed, by generation, from ``gc.callbacks``."""

    def __init__(self) -> None:
        self.by_generation: dict[int, list[float]] = {g: [0, 0.0, 0] for g in range(3)}
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.thread_time()
            return
        row = self.by_generation[info["generation"]]
        row[0] += 1
        row[1] += time.thread_time() - self._started
        row[2] += info["collected"]

    def lines(self) -> list[str]:
        out = [f"generation {g}: {int(n)} collections, {cpu:.3f} s CPU, {int(freed)} objects freed"
               for g, (n, cpu, freed) in self.by_generation.items()]
        total = sum(row[1] for row in self.by_generation.values())
        out.append(f"collector {total:.3f} s of the process's {time.process_time():.2f} s CPU")
        return out


def _full_every(argv: list[str]) -> tuple[int | None, list[str]]:
    """(generation 2's threshold asked by a leading ``--full-every N``, else None; the rest)."""
    if argv[:1] != ["--full-every"]:
        return None, argv
    text = argv[1] if len(argv) > 1 else ""
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"gc_costs.py: --full-every takes a whole number of generation-1 collections, 1 or more "
                         f"(got {text!r}); e.g. --full-every 100 soak --backend sim ...")
    return int(text), argv[2:]


def main(argv: list[str]) -> int:
    from harness.cli import main as soundcheck  # noqa: PLC0415 - loaded when run, so a test can load this module cheaply

    try:
        full_every, argv = _full_every(argv)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 2
    costs = CollectionCosts()
    threshold = gc.get_threshold()
    if full_every is not None:
        gc.set_threshold(threshold[0], threshold[1], full_every)
    gc.callbacks.append(costs)
    sys.argv = ["soundcheck", *argv]  # the process's own command line: its modules loaded frozen, as the CLI's
    try:
        code = soundcheck()
    finally:
        gc.callbacks.remove(costs)
        gc.set_threshold(*threshold)
    if code != 2:
        print("\n".join(costs.lines()), file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
