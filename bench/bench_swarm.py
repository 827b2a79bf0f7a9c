"""Swarm benchmark: throughput on Dask, scaling, per-task overhead, and what the swarm finds.

A benchmark, not a test: it prints figures and never fails.

1. Throughput of ``run_swarm`` (the engine behind ``soundcheck swarm``) on a LocalCluster of 1 and
   of 2 worker processes, healthy system, ``--faults swarm``: simulated hours per wall hour, over
   the whole swarm (cluster start included) and in steady state (first result to last), and the
   scaling efficiency (2-worker steady throughput / (2 x 1-worker)).
2. The engine's per-task overhead: a no-op task submitted the way seeds are, wall per task.
3. For each shipped mutant (or those of ``--mutants``): the first failing swarm seed (seeds are
   deterministic, so this is the seed ``soundcheck swarm --mutant NAME --seeds 1-N`` reports
   first), the failure group it falls in (``harness.swarm.failure_signatures``: an invariant, a
   crash, a leak by metric), and its fault schedule's size before and after shrinking that group
   (``harness.shrink``), plus whether the exported scenario fails under the mutant and passes on
   the healthy system.

    python bench/bench_swarm.py [--seeds 40] [--duration 60] [--max-seed 200] [--mutants A,B] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import MUTANTS
from harness.shrink import export, shrink_seed
from harness.swarm import SwarmSpec, failure_signatures, prepare_out_dir, run_seed, run_swarm


def throughput(workers: int, seeds: int, duration_s: float, root: Path) -> dict[str, Any]:
    spec, out = prepare_out_dir(SwarmSpec(f"1-{seeds}", duration_s, "swarm", None), root / f"w{workers}", None)
    stamps: list[float] = []
    t0 = time.perf_counter()
    result = run_swarm(spec, out, workers=workers, progress=False, on_row=lambda r: stamps.append(time.perf_counter()))
    total = time.perf_counter() - t0
    sim_h = sum(r["simulated_s"] for r in result.rows) / 3600
    task_wall = sum(r["wall_s"] for r in result.rows)
    task_cpu = sum(r["cpu_s"] for r in result.rows)
    # steady state: from the first result to the last, the seeds finished in between
    steady_wall = stamps[-1] - stamps[0] if len(stamps) > 1 else float("nan")
    steady_sim_h = sim_h * (len(stamps) - 1) / len(stamps)
    return {"workers": workers, "seeds": len(result.rows), "duration_s": duration_s,
            "outcomes": result.summary["outcomes"], "verdict": result.summary["verdict"],
            "groups": {g["signature"]: g["count"] for g in result.summary["failures"]},
            "inconclusive": {g["reason"]: g["count"] for g in result.summary["inconclusive"]},
            "wall_s": round(total, 2),
            "sim_h_per_wall_h": round(sim_h / (total / 3600), 1),
            "steady_sim_h_per_wall_h": round(steady_sim_h / (steady_wall / 3600), 1),
            "mean_task_wall_s": round(task_wall / len(result.rows), 3),
            "mean_task_cpu_s": round(task_cpu / len(result.rows), 3),
            # what the seeds would take with every worker on a core of its own
            "cpu_bound_sim_h_per_wall_h": round(workers * duration_s / (task_cpu / len(result.rows)), 1)}


def _noop(i: int) -> int:
    return i


def overhead(workers: int, tasks: int) -> dict[str, Any]:
    from distributed import Client, LocalCluster, as_completed

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                      scheduler_kwargs={"dashboard": False}, silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        client.submit(_noop, -1, pure=False).result()  # warm
        t0 = time.perf_counter()
        futures = [client.submit(_noop, i, pure=False) for i in range(tasks)]
        for f in as_completed(futures):
            f.result()
        wall = time.perf_counter() - t0
    return {"workers": workers, "tasks": tasks, "wall_s": round(wall, 3), "ms_per_task": round(1000 * wall / tasks, 2)}


def mutants(duration_s: float, max_seed: int, root: Path, shrink_runs: int,
            names: list[str] | None = None) -> list[dict[str, Any]]:
    rows = []
    for name in names or list(MUTANTS):
        t0 = time.perf_counter()
        first = None
        for seed in range(1, max_seed + 1):
            row = run_seed(seed, duration_s, "swarm", name)
            if row["outcome"] == "fail":
                first = row
                break
        entry: dict[str, Any] = {"mutant": name, "first_failing_seed": first["seed"] if first else None,
                                 "seeds_run": seed, "search_wall_s": round(time.perf_counter() - t0, 2)}
        if first is not None:
            inv = failure_signatures(first)[0]
            t1 = time.perf_counter()
            result = shrink_seed(first["seed"], duration_s, inv, mutant=name, max_runs=shrink_runs)
            info = export(result, root / name)
            entry.update(violated=first["violated"], signatures=failure_signatures(first), invariant=inv,
                         faults_before=info["faults_before"],
                         faults_after=info["faults_after"], kinds_after=info["kinds_after"],
                         run_s_before=duration_s, run_s_after=info["duration_after"], shrink_runs=info["runs"],
                         shrink_wall_s=round(time.perf_counter() - t1, 2),
                         scenario_fails=info.get("scenario_fails"),
                         scenario_passes_healthy=info.get("scenario_passes_healthy"))
        rows.append(entry)
        print(f"  {entry}", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=40, help="seeds per throughput swarm")
    ap.add_argument("--duration", type=float, default=60.0, help="simulated seconds per seed")
    ap.add_argument("--max-seed", type=int, default=200, help="search each mutant up to this seed")
    ap.add_argument("--overhead-tasks", type=int, default=500)
    ap.add_argument("--shrink-runs", type=int, default=150)
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--skip-mutants", action="store_true")
    ap.add_argument("--mutants", default=None, help="only these mutants, comma-separated (default: every one)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="soundcheck-bench-swarm-") as tmp:
        root = Path(tmp)
        if not args.skip_throughput:
            tp = [throughput(w, args.seeds, args.duration, root) for w in (1, 2)]
            report["throughput"] = tp
            eff = tp[1]["steady_sim_h_per_wall_h"] / (2 * tp[0]["steady_sim_h_per_wall_h"])
            report["scaling_efficiency"] = round(eff, 3)
            print(f"\nthroughput, {args.seeds} seeds x {args.duration:g} s, healthy system, --faults swarm:")
            print(f"{'workers':>7} {'wall s':>8} {'sim h/wall h':>13} {'steady':>8} {'task wall s':>12} "
                  f"{'task cpu s':>11} {'cpu-bound':>10}  outcomes")
            for t in tp:
                print(f"{t['workers']:>7} {t['wall_s']:>8} {t['sim_h_per_wall_h']:>13} "
                      f"{t['steady_sim_h_per_wall_h']:>8} {t['mean_task_wall_s']:>12} {t['mean_task_cpu_s']:>11} "
                      f"{t['cpu_bound_sim_h_per_wall_h']:>10}  {t['outcomes']} verdict {t['verdict']} "
                      f"groups {t['groups']} inconclusive {t['inconclusive']}")
            print(f"scaling efficiency (steady, 2 workers vs 2 x 1): {100 * eff:.0f} %")
            report["overhead"] = [overhead(w, args.overhead_tasks) for w in (1, 2)]
            for o in report["overhead"]:
                print(f"engine overhead, {o['workers']} worker(s): {o['ms_per_task']} ms per no-op task "
                      f"({o['tasks']} tasks in {o['wall_s']} s)")
        if args.skip_mutants:
            return _write(report, args.json)
        print(f"\nmutants, --faults swarm, {args.duration:g} s per seed (first failing seed, shrink):")
        report["mutants"] = mutants(args.duration, args.max_seed, root, args.shrink_runs,
                                    args.mutants.split(",") if args.mutants else None)
        print(f"\n{'mutant':<26} {'seed':>5} {'group shrunk':<28} {'faults':>12} {'run s':>12} {'runs':>5} "
              f"{'shrink s':>8}  scenario fails/healthy passes")
        for m in report["mutants"]:
            if m["first_failing_seed"] is None:
                print(f"{m['mutant']:<26} {'-':>5} not found in seeds 1..{m['seeds_run']}")
                continue
            print(f"{m['mutant']:<26} {m['first_failing_seed']:>5} {m['invariant']:<28} "
                  f"{m['faults_before']:>5} -> {m['faults_after']:<3} {m['run_s_before']:>5g} -> {m['run_s_after']:<4g} "
                  f"{m['shrink_runs']:>5} {m['shrink_wall_s']:>8}  {m['scenario_fails']}/{m['scenario_passes_healthy']}")
    return _write(report, args.json)


def _write(report: dict[str, Any], path: Path | None) -> int:
    if path:
        path.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
