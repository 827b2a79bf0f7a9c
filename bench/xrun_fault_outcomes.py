"""What each injected ``xrun`` fault of a run became: a counted xrun, a stall the system's
watchdog restarted the stream for, or neither, read from the run's ``history.jsonl``.

Why: the ``xrun`` fault is one late callback (``harness.faults.kinds``), and the built-in profiles
draw its lateness from 5-50 ms, while the system's watchdog takes a device that has not called
back for 4 periods (21.3 ms at 256 frames, 48 kHz) as stalled and restarts its stream. A run's
summary counts every such firing under ``faults.by_kind.xrun`` whichever path it took.

    PYTHONPATH=$PWD .venv/bin/python bench/xrun_fault_outcomes.py RUN_DIR/history.jsonl [MORE...]

One line per firing (time, lateness, outcome) and a count per outcome, per file; with several
files, a last line of the counts over all of them. It reads the history alone, so it judges runs
of any tree alike (a run summarised since ``harness.fault_outcomes`` also says so in its
``summary.json``'s ``faults.outcomes``, by a finer reading). An outcome is the first of
these within the lateness plus 50 ms after the firing: a ``DeviceStalledError`` entry (``stall``),
a rise of the system's ``xruns`` counter at its next metrics sample (``xrun``), else ``neither``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any


def outcomes(entries: list[dict[str, Any]]) -> list[tuple[float, float, str]]:
    """(fired at, lateness, outcome) of every ``xrun`` firing in ``entries``."""
    out = []
    xruns_before = 0
    for i, entry in enumerate(entries):
        if entry["type"] == "metrics":
            xruns_before = entry["data"]["counters"]["xruns"]
        if entry["type"] != "fault_start" or entry.get("value") != "xrun":
            continue
        fired, late = entry["time"], entry["data"]["params"]["delay_s"]
        outcome = "neither"
        for later in entries[i + 1:]:
            if later["type"] == "error" and later["data"]["error"]["type"] == "DeviceStalledError" \
                    and later["time"] <= fired + late + 0.05:
                outcome = "stall"
                break
            if later["type"] == "metrics":
                if later["data"]["counters"]["xruns"] > xruns_before:
                    outcome = "xrun"
                break
        out.append((fired, late, outcome))
    return out


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: xrun_fault_outcomes.py RUN_DIR/history.jsonl [MORE...]", file=sys.stderr)
        return 2
    for arg in argv:
        if not Path(arg).is_file():
            print(f"xrun_fault_outcomes: {arg}: no such file (give a run's history.jsonl)", file=sys.stderr)
            return 2
    overall: Counter[str] = Counter()
    for arg in argv:
        entries = [json.loads(line) for line in Path(arg).read_text(encoding="utf-8").splitlines() if line]
        rows = outcomes(entries)
        if len(argv) > 1:
            print(arg)
        for fired, late, outcome in rows:
            print(f"t={fired:8.3f} s  late by {late * 1000:5.1f} ms  -> {outcome}")
        print("total", len(rows), dict(Counter(o for _, _, o in rows)))
        overall.update(o for _, _, o in rows)
    if len(argv) > 1:
        print("all files", sum(overall.values()), dict(overall))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
