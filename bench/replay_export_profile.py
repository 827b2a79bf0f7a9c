"""Where a failing run's replay export spends its CPU: ``soundcheck run --mutant NAME --seed N``
through the CLI, with ``harness.replay.export_replay`` profiled (cProfile) and its CPU counted.

Why: a failing run's export replays its history many times to minimise it; this names, per run,
the export's CPU, the replays it ran and the steps it kept, and the functions the export's CPU
went to over all the runs (cumulative, the export's own total first).

Run: PYTHONPATH=$PWD .venv/bin/python bench/replay_export_profile.py 92600 92609 \
        --mutants ignores_starved_input,silent_give_up
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import harness.runner as runner
from harness.cli import main as cli
from harness.mutants import MUTANTS
from harness.replay import export_replay

RUN_MUTANTS = ("ignores_starved_input", "silent_give_up", "output_overdrive", "holds_buffer_per_recovery",
               "crashes_on_third_recovery")


def _args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("first_seed", type=int)
    ap.add_argument("last_seed", type=int)
    ap.add_argument("--mutants", default=",".join(RUN_MUTANTS),
                    help="comma-separated mutant names, taken in turn over the seeds")
    ap.add_argument("--duration", default="60")
    ap.add_argument("--top", type=int, default=25, help="functions to list by cumulative export CPU")
    args = ap.parse_args(argv)
    names = [n for n in args.mutants.split(",") if n]
    unknown = [n for n in names if n not in MUTANTS]
    if unknown or not names:
        ap.error(f"--mutants: unknown {unknown or 'none given'}; choose from {sorted(MUTANTS)}")
    if args.last_seed < args.first_seed:
        ap.error("last_seed must not be below first_seed")
    args.names = names
    return args


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    profiler = cProfile.Profile(time.process_time)  # CPU, not wall: the machine is loaded
    spent: list[float] = []

    def profiled(verdicts: Any, **kw: Any) -> dict[str, Any]:
        c0 = time.process_time()
        profiler.enable()
        try:
            return export_replay(verdicts, **kw)
        finally:
            profiler.disable()
            spent.append(time.process_time() - c0)

    runner.export_replay = profiled
    total = 0.0
    for n, seed in enumerate(range(args.first_seed, args.last_seed + 1)):
        name = args.names[n % len(args.names)]
        out = tempfile.mkdtemp()
        spent.clear()
        c0 = time.process_time()
        with contextlib.redirect_stdout(io.StringIO()):
            rc = cli(["run", "--report-dir", out, "--mutant", name, "--seed", str(seed),
                      "--duration", args.duration])
        run_cpu = time.process_time() - c0
        export_cpu = sum(spent)
        total += export_cpu
        scenario = next(Path(out).glob("*/scenarios/*.toml"), None)
        desc = ""
        if scenario is not None:
            m = re.search(r"Minimised from [^\"]*", scenario.read_text(encoding="utf-8"))
            desc = m.group(0) if m else "(not minimised)"
        print(f"{name} seed={seed} rc={rc} run_cpu={run_cpu:.2f} export_cpu={export_cpu:.2f} {desc}", flush=True)
    print(f"export CPU over the runs: {total:.2f} s")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
