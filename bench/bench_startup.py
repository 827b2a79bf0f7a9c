"""The short run as a whole process: CPU and wall, imports, and whether two trees write the same run.

A benchmark, not a test: it prints figures and never fails on a slow machine.

    python bench/bench_startup.py --vs CHECKOUT [--runs 5] [--duration 60]
    python bench/bench_startup.py --share [--vs CHECKOUT] [--runs 5]
    python bench/bench_startup.py --importtime [--runs 3]
    python bench/bench_startup.py --phases [--freeze]

``--vs``: ``soundcheck run --backend sim --duration 60`` (seed 1, default faults) from this tree
and from CHECKOUT (``git archive REV | tar -x -C CHECKOUT``), alternately, each in a fresh process
with both trees' byte code cached first; per side the median CPU (user + system, ``wait4``) and
wall time, and then the two sides' ``summary.json`` and ``report.json`` compared field by field:
every path at which they differ is printed, the fields that read the wall clock or the machine
(``VOLATILE``) left out and listed.

``--share``: the median whole-process CPU of the command and of a process that only loads what
it loads (``IMPORTS``: the CLI's run command and the report writers, interpreter start included),
and the imports' share of the command; with ``--vs``, for both trees, alternately.

``--importtime``: ``python -X importtime`` of the same run, self time summed per top-level
package (median over ``--runs``), so what start-up costs is named by package.

``--phases``: the same run in this process (a fresh one: run it as a command), CPU time of the
imports, of the run, and of each part of the run's end (the listening check's last analysis,
the end-of-run checks, the summary, each step of the reports), and the time the cyclic garbage
collector took, per generation (``gc.callbacks``); ``--freeze``: with the modules frozen out of
the collector's reach after they load (``gc.freeze``), as the command line does.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]
#: fields of summary.json / report.json that read the wall clock, the machine or the moment
VOLATILE = {"wall_s", "speed_x_realtime", "cpu", "generated_at", "started_at", "callback_duration_s",
            "callback_load_mean", "callback_load_p99", "budget_share", "callback_histogram", "budget_histogram",
            "jitter_ms", "wall_time_s", "history", "history_path", "run_id", "command", "host", "commit", "python",
            "budget_overruns", "process_cpu_s", "process_cpu_percent", "process_cpu_percent_max", "figures",
            "timeline_html", "run_dir", "path", "scenario", "scenario_note", "replay"}


def _compile(root: Path) -> None:
    for pkg in ("harness", "system_under_test"):
        compileall.compile_dir(str(root / pkg), quiet=1)


def _run(checkout: Path, out: Path, duration: float, extra: list[str] | None = None) -> dict[str, Any]:
    """One ``soundcheck run`` from ``checkout`` into ``out``: CPU and wall of the child."""
    out.mkdir(parents=True)
    env = {**os.environ, "PYTHONPATH": str(checkout), "SOUNDCHECK_HISTORY_DB": str(out / "h.sqlite")}
    cmd = [sys.executable, *(extra or []), "-m", "harness.cli", "run", "--backend", "sim", "--duration",
           str(duration), "--seed", "1", "--report-dir", str(out)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=out, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) not in (0, 1, 3):
        raise SystemExit(f"soundcheck run ({checkout}) failed:\n{err[-2000:]}")
    return {"cpu_s": round(usage.ru_utime + usage.ru_stime, 3), "wall_s": round(wall, 3), "stderr": err}


#: what ``soundcheck run`` loads before and while it writes its reports, as the CLI loads it
IMPORTS = ("from harness.cli import _load_quietly; _load_quietly(['run']); "
           "import harness.reports, harness.reports.html, harness.reports.history_db, harness.reports.timeline")


def _imports_only(checkout: Path) -> float:
    """CPU (user + system) of a fresh process that loads ``IMPORTS`` from ``checkout`` and exits."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    proc = subprocess.Popen([sys.executable, "-c", IMPORTS], cwd=checkout, env=env)
    _pid, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"loading the run's modules from {checkout} failed")
    return round(usage.ru_utime + usage.ru_stime, 3)


def share(others: list[Path], runs: int, duration: float) -> dict[str, Any]:
    """Median whole-process CPU of the command and of its imports alone, per tree, alternately."""
    sides = {"this": HERE, **{f"other{i}": o.resolve() for i, o in enumerate(others)}}
    for root in sides.values():
        _compile(root)
    cmd: dict[str, list[float]] = {k: [] for k in sides}
    imp: dict[str, list[float]] = {k: [] for k in sides}
    load = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="bench-share-") as tmp:
        for r in range(runs):
            for name, root in sides.items():
                cmd[name].append(_run(root, Path(tmp) / f"{name}{r}", duration)["cpu_s"])
                imp[name].append(_imports_only(root))
                load.append(os.getloadavg()[0])
    out: dict[str, Any] = {"runs": runs, "load_1min": [round(min(load), 1), round(max(load), 1)]}
    for name in sides:
        c, i = statistics.median(cmd[name]), statistics.median(imp[name])
        out[name] = {"source": str(sides[name]), "command_cpu_median_s": c, "imports_cpu_median_s": i,
                     "import_share": round(i / c, 3), "command_cpus": cmd[name], "imports_cpus": imp[name]}
    return out


def _diff(a: Any, b: Any, path: str = "") -> list[str]:
    """The paths at which two JSON documents differ (volatile fields left out)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k in VOLATILE:
                continue
            if k not in a or k not in b:
                out.append(f"{path}/{k} (only in {'this' if k in a else 'other'})")
            else:
                out.extend(_diff(a[k], b[k], f"{path}/{k}"))
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path} (length {len(a)} vs {len(b)})"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _diff(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {json.dumps(a)[:80]} vs {json.dumps(b)[:80]}"]


def startup_vs(other: Path, runs: int, duration: float) -> dict[str, Any]:
    sides = {"this": HERE, "other": other.resolve()}
    for root in sides.values():
        _compile(root)
    rows: dict[str, list[dict[str, Any]]] = {k: [] for k in sides}
    load = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        for r in range(runs):
            for name, root in sides.items():
                rows[name].append(_run(root, Path(tmp) / f"{name}{r}", duration))
                load.append(os.getloadavg()[0])
        docs = {}
        for name in sides:
            (run_dir,) = [p for p in (Path(tmp) / f"{name}0").iterdir() if p.is_dir()]
            docs[name] = {f: json.loads((run_dir / f).read_text()) for f in ("summary.json", "report.json")}
    out: dict[str, Any] = {"load_1min": [min(load), max(load)], "volatile_fields_left_out": sorted(VOLATILE)}
    for name, rs in rows.items():
        out[name] = {"source": str(sides[name]), "cpu_median_s": statistics.median(r["cpu_s"] for r in rs),
                     "wall_median_s": statistics.median(r["wall_s"] for r in rs),
                     "cpus": [r["cpu_s"] for r in rs], "walls": [r["wall_s"] for r in rs]}
    out["differences"] = {f: _diff(docs["this"][f], docs["other"][f]) for f in ("summary.json", "report.json")}
    return out


def importtime(runs: int, duration: float) -> dict[str, Any]:
    """Self time of imports per top-level package, median over ``runs`` whole runs (ms)."""
    _compile(HERE)
    per: dict[str, list[float]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="bench-importtime-") as tmp:
        for r in range(runs):
            res = _run(HERE, Path(tmp) / f"r{r}", duration, extra=["-X", "importtime"])
            totals: dict[str, float] = defaultdict(float)
            for line in res["stderr"].splitlines():
                if not line.startswith("import time:") or "self [us]" in line:
                    continue
                parts = line.split("|")
                if len(parts) < 3:
                    continue
                self_us = parts[0].replace("import time:", "").strip()
                top = parts[2].strip().split(".")[0]
                totals[top] += int(self_us) / 1000.0
            for top, ms in totals.items():
                per[top].append(ms)
    med = {k: round(statistics.median(v + [0.0] * (runs - len(v))), 1) for k, v in per.items()}
    ranked = dict(sorted(med.items(), key=lambda kv: -kv[1])[:25])
    return {"runs": runs, "total_ms": round(sum(med.values()), 1), "self_ms_by_package": ranked,
            "load_1min": os.getloadavg()[0]}


def phases(freeze: bool, duration: float) -> dict[str, Any]:
    """CPU of the run's parts in this process, and the collector's time (module docstring)."""
    import gc

    spent = {"n": [0, 0, 0], "s": [0.0, 0.0, 0.0]}
    began: list[float] = []

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            began[:] = [time.perf_counter()]
        elif began:
            spent["n"][info["generation"]] += 1
            spent["s"][info["generation"]] += time.perf_counter() - began[0]

    gc.callbacks.append(on_gc)
    t0 = time.process_time()
    import harness.reports as reports
    import harness.reports.html as html
    import harness.reports.plots as plots
    import harness.runner as runner
    from harness.audio_check import AudioCheck
    from harness.reports.history_db import HistoryDB
    imports = time.process_time() - t0
    if freeze:
        gc.freeze()
    cpu: dict[str, float] = defaultdict(float)

    def timed(owner: Any, name: str, label: str) -> None:
        real = getattr(owner, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t = time.process_time()
            try:
                return real(*args, **kwargs)
            finally:
                cpu[label] += time.process_time() - t
        setattr(owner, name, wrapper)

    for owner, name, label in ((runner, "check_all", "end-of-run checks"), (runner, "summarize", "summary"),
                               (AudioCheck, "finish", "listening check: finish"),
                               (runner, "_write_reports", "reports (all)"),
                               (runner, "run_data_from_run", "reports: run data"),
                               (reports, "build_report", "reports: build"), (plots, "draw_all", "reports: figures"),
                               (reports, "_write_timeline", "reports: timeline"), (html, "render_html", "reports: html"),
                               (HistoryDB, "record", "reports: run-history record")):
        timed(owner, name, label)
    with tempfile.TemporaryDirectory(prefix="bench-phases-") as tmp:
        os.environ["SOUNDCHECK_HISTORY_DB"] = str(Path(tmp) / "h.sqlite")
        t = time.process_time()
        runner.ReliabilityRun(runner.RunSpec(backend="sim", duration_s=duration, seed=1,
                                             report_root=Path(tmp))).execute()
        run = time.process_time() - t
    gc.callbacks.remove(on_gc)
    return {"freeze": freeze, "imports_cpu_s": round(imports, 3), "run_cpu_s": round(run, 3),
            **{k: round(v, 3) for k, v in cpu.items()},
            "gc_collections": spent["n"], "gc_s": [round(x, 3) for x in spent["s"]],
            "load_1min": os.getloadavg()[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vs", type=Path, metavar="CHECKOUT")
    ap.add_argument("--importtime", action="store_true")
    ap.add_argument("--share", action="store_true", help="median CPU of the command and of its imports alone")
    ap.add_argument("--phases", action="store_true", help="CPU of the run's parts and the collector's, in-process")
    ap.add_argument("--freeze", action="store_true", help="with --phases: gc.freeze() after the imports")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--duration", type=float, default=60.0)
    a = ap.parse_args()
    if a.share:
        print(json.dumps(share([a.vs] if a.vs else [], a.runs, a.duration), indent=1))
    elif a.vs:
        print(json.dumps(startup_vs(a.vs, a.runs, a.duration), indent=1))
    if a.importtime:
        print(json.dumps(importtime(a.runs, a.duration), indent=1))
    if a.phases:
        print(json.dumps(phases(a.freeze, a.duration), indent=1))
    if not (a.vs or a.share or a.importtime or a.phases):
        ap.error("give --vs CHECKOUT, --share, --importtime or --phases")


if __name__ == "__main__":
    main()
