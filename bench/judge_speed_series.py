"""Judge a series of soaks' speeds (x real time) by the run-history database's speed rule, in order.

    python bench/judge_speed_series.py [--any-load] RUN_DIR [RUN_DIR ...]

Each run folder's ``report.json`` gives ``performance.speed_x_realtime`` and ``performance.machine``.
Each run is judged as ``HistoryDB.regressions`` judges a speed: against the (at most 10) runs given
before it whose loads ``machine_load.comparable`` accepts, at least 3 of them, below
``speed_limit``. The database compares speeds only from 1 hour of simulated time
(``FIGURE_MIN_EXPOSURE_S``); this script leaves that out, so that the spread of shorter soaks can
be read against the rule. ``--any-load`` drops the load filter too (every run before is the
baseline): what the floor and the MAD alone would say, for information. It prints one line a run
and the counts of each verdict.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from harness.reports.history_db import SPEED_LOG_FLOOR, speed_limit
from harness.reports.machine_load import comparable

WINDOW, MIN_RUNS = 10, 3


def _run(folder: Path) -> tuple[float, Any]:
    perf = json.loads((folder / "report.json").read_text()).get("performance") or {}
    return float(perf["speed_x_realtime"]), perf.get("machine")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--any-load", action="store_true", help="judge against every run before, whatever its load")
    ap.add_argument("runs", nargs="+", type=Path)
    args = ap.parse_args(argv)
    runs = [(folder, *_run(folder)) for folder in args.runs]
    counts = {"slower": 0, "held": 0, "not judged for load": 0, "no baseline": 0}
    print(f"SPEED_LOG_FLOOR {SPEED_LOG_FLOOR:.4f} (x{2.718281828459045 ** SPEED_LOG_FLOOR:.3g})")
    for i, (folder, speed, machine) in enumerate(runs):
        before = runs[max(0, i - WINDOW):i]
        base = [s for _, s, m in before if args.any_load or comparable(machine, m)[0]]
        if len(before) < MIN_RUNS:
            verdict, limit = "no baseline", None
        elif len(base) < MIN_RUNS:
            verdict, limit = "not judged for load", None
        else:
            limit = speed_limit(base)
            verdict = "slower" if speed < limit else "held"
        counts[verdict] += 1
        load = f"{machine.get('load_1min_start')}->{machine.get('load_1min_end')}" if isinstance(machine, dict) else "?"
        print(f"{folder}: speed {speed:.2f}x load {load}: {verdict}"
              + (f" (limit {limit:.2f}x over {len(base)} baseline run(s))" if limit is not None else
                 f" ({len(base)} of {len(before)} before it at a comparable load)"))
    print(", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
