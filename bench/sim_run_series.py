"""Seeded simulated runs kept in folders, for the benches that measure how healthy runs spread
(``bench_compare_pairs.py``, ``bench_incident_dispersion.py``).

Why one module: both read the same arguments (seeds, run lengths, profile, jobs, a folder), refuse
the same bad ones with exit 2, and make or re-read one ``soundcheck run --backend sim`` per seed and
length the same way, so that a series measured by one bench is re-read, not re-run, by the other."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def add_series_arguments(ap: argparse.ArgumentParser) -> None:
    """The series' own options: ``--seeds``, ``--first-seed``, ``--durations``, ``--profile``,
    ``--jobs`` and ``--out``."""
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--durations", default="300,900", help="comma-separated run lengths in seconds")
    ap.add_argument("--profile", default="default")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", type=Path, required=True, help="folder for the runs (re-read when run again)")


def series_durations(args: argparse.Namespace, prog: str) -> list[int] | None:
    """The run lengths asked for, or None after a message naming the option and the fix on stderr
    (the caller exits 2): whole positive seconds, and at least two seeds to spread."""
    try:
        durations = [int(d) for d in args.durations.split(",") if d.strip()]
    except ValueError:
        print(f"{prog}: --durations {args.durations!r}: give whole seconds, e.g. 300,900", file=sys.stderr)
        return None
    if args.seeds < 2 or not durations or any(d <= 0 for d in durations):
        print(f"{prog}: --seeds must be at least 2 and --durations positive seconds, e.g. "
              "--seeds 20 --durations 300,900", file=sys.stderr)
        return None
    return durations


def sim_report(folder: Path, db: Path, duration: int, seed: int, profile: str,
               mutant: str | None = None) -> dict[str, Any] | None:
    """The report of the run of ``seed`` kept in ``folder``, made first when the folder holds none
    (its history recorded in ``db``, not the user's database); None when the folder holds other
    than one run."""
    reports = list(folder.glob("*/report.json")) if folder.is_dir() else []
    if not reports:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SOUNDCHECK_HISTORY_DB": str(db)}
        cmd = [sys.executable, "-m", "harness.cli", "run", "--backend", "sim", "--duration", str(duration),
               "--seed", str(seed), "--faults", profile, "--report-dir", str(folder)]
        if mutant:
            cmd += ["--mutant", mutant]
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        reports = list(folder.glob("*/report.json"))
    if len(reports) != 1:
        return None
    return json.loads(reports[0].read_text())
