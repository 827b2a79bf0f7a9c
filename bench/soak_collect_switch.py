"""A soak with its per-checkpoint cycle collection (``harness.soak.collect_cycles``) kept or
switched off, and the CPU each collection took: what the collection still buys, measured.

    PYTHONPATH=$PWD .venv/bin/python bench/soak_collect_switch.py {each,never} OUT.json \
        soak --backend sim --duration 1h --faults default --seed 69101 --no-progress --run-dir DIR

``each``: the soak as it ships (one ``gc.collect()`` after each checkpoint on the virtual clock),
each call timed with ``time.process_time``. ``never``: ``collect_cycles`` replaced by a call that
collects nothing (the collector left to its own schedule). The soak runs through
``harness.cli.main`` on the process's own command line (``sys.argv``), so its modules are loaded
and frozen as ``soundcheck`` itself does (``cli._load_quietly``): the collector sees what it sees
in a real soak. This is a switch for a measurement, not an option of the tool.

OUT.json: ``{"mode", "calls", "collect_cpu_s", "process_cpu_s", "found" (objects each
collection found unreachable), "each_ms"}``; the RSS verdict is the run folder's
(``bench/soak_rss_slopes.py DIR``).
"""

from __future__ import annotations

import atexit
import json
import sys
import time


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[0] not in ("each", "never"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, out = argv[0], argv[1]
    import harness.soak as soak_mod
    from harness.cli import main as cli_main

    shipped = soak_mod.collect_cycles
    costs: list[float] = []
    found: list[int] = []

    def timed() -> int:
        c0 = time.process_time()
        n = shipped() if mode == "each" else 0
        costs.append(time.process_time() - c0)
        found.append(n)
        return n

    soak_mod.collect_cycles = timed  # type: ignore[assignment]
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
