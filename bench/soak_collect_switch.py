"""A soak with or without a full cycle collection (``gc.collect()``) after each checkpoint on the
virtual clock, and the CPU each collection took: what such a collection buys, measured.

    PYTHONPATH=$PWD .venv/bin/python bench/soak_collect_switch.py {each,never} OUT.json \
        soak --backend sim --duration 1h --faults default --seed 69101 --no-progress --run-dir DIR

``each``: one ``gc.collect()`` after each checkpoint on the virtual clock (the soak recorder's
``harness.soak._Recorder._checkpoint`` wrapped), each call timed with ``time.process_time``: what
the soak did before a torn-down stream's cycles were broken at their source (issue #11).
``never``: the collector left to its own schedule, as the soak ships now (the calls are counted,
nothing collected). The figures in bench/RESULTS.md (issue #11, #17) were taken by this script at
1269fcb, which switched the soak's own ``collect_cycles`` the same way. The soak runs through
``harness.cli.main`` on the process's own command line (``sys.argv``), so its modules are loaded
and frozen as ``soundcheck`` itself does (``cli._load_quietly``): the collector sees what it sees
in a real soak. This is a switch for a measurement, not an option of the tool.

OUT.json: ``{"mode", "calls", "collect_cpu_s", "process_cpu_s", "found" (objects each
collection found unreachable), "each_ms"}``; the RSS verdict is the run folder's
(``bench/soak_rss_slopes.py DIR``).
"""

from __future__ import annotations

import atexit
import gc
import json
import sys
import time
from typing import Any


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[0] not in ("each", "never"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, out = argv[0], argv[1]
    import harness.soak as soak_mod
    from harness.cli import main as cli_main

    checkpoint = soak_mod._Recorder._checkpoint
    costs: list[float] = []
    found: list[int] = []

    def checkpoint_then_collect(self: Any, run: Any, system: Any, history: Any, now: float) -> None:
        checkpoint(self, run, system, history, now)
        if not getattr(system.clock, "virtual", False):
            return
        c0 = time.process_time()
        n = gc.collect() if mode == "each" else 0
        costs.append(time.process_time() - c0)
        found.append(n)

    soak_mod._Recorder._checkpoint = checkpoint_then_collect  # type: ignore[method-assign]
    c0 = time.process_time()

    def dump() -> None:
        with open(out, "w", encoding="utf-8") as fh:
            json.dump({"mode": mode, "calls": len(costs), "collect_cpu_s": round(sum(costs), 4),
                       "process_cpu_s": round(time.process_time() - c0, 3), "found": found,
                       "each_ms": [round(c * 1e3, 2) for c in costs]}, fh)

    atexit.register(dump)
    sys.argv = ["soundcheck"] + argv[2:]
    return cli_main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
