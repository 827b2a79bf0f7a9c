"""An 8-hour simulated soak with the default fault profile: wall time, speed, memory, leak slopes.

A benchmark, not a test: it prints figures and never fails on a slow machine.

    python bench/bench_soak.py [--duration 8h] [--seed 1] [--faults default] [--run-dir DIR]
                               [--leak-duration 2h] [--leak slow|leak_on_error|none]
                               [--synthetic-entries 200000]

Three measurements:

1. **The healthy soak** (``--duration``): wall time, x real time, the end-of-run checks (one pass
   over the streamed history; time per checker), and the process's resident memory: the first and
   last sample, the peak (``ru_maxrss``) and the leak verdict on its slope (``harness.leaks``,
   the same judgement the report makes). A healthy system must be judged "no leak".
2. **A planted leak** (``--leak``, for ``--leak-duration``): ``slow`` keeps 16 KiB of process
   memory per successful recovery and leaks one SUT buffer every 4th (the leak a missing ``release()`` on an error
   path causes); its slopes must be flagged (it runs in a fresh process: in the healthy run's
   process, memory that run freed absorbs the leak's first ~250 MiB and hides most of its slope). ``leak_on_error`` is ``harness.mutants``' mutant: it
   leaks a burst of stream allocations when reopening fails and then stays FAILED - a step, caught
   by the ``resources`` and ``recovery`` invariants rather than by a slope (reported as measured).
3. **Checker cost** (``--synthetic-entries``): ``check_all`` over a synthetic history of that many
   entries (transient faults, recoveries, rejected configs, snapshots): seconds and entries/s.

The **false-alarm matrix for soaks** is a mode of its own:

    python bench/bench_soak.py --matrix 1h:1-10 --matrix 8h:1,2 --matrix 24h:1 [--run-dir DIR]
    python bench/bench_soak.py --rejudge DIR [DIR...]

``--matrix DURATION:SEEDS`` runs the healthy system's soak (default profile) once per seed, each in
a fresh ``soundcheck soak`` process (one at a time: a soak's memory must be its own), and prints
one row per soak: seed, duration, wall time, exit code, RSS first/last, RSS slope over the window
and over its late half, the leak verdict and its shape, and every metric not judged ``ok``. A
healthy soak must pass at every seed (target: 0 leak and 0 inconclusive verdicts).
``--rejudge`` prints the same row for soaks already run, judged by the current ``harness.leaks``.

The **report build** of a soak already run is a mode of its own too (the end of a soak rebuilds its
report from the journal and reads its history for ``timeline.html``):

    python bench/bench_soak.py --report-build DIR [--vs CHECKOUT] [--rounds 1]

rebuilds DIR's reports (``soundcheck report``) in a fresh process on a linked copy of its journal
and history, and prints that process's exit status, peak RSS (``wait4``), CPU and wall time (a
killed soak's journal too: its report is built and inconclusive, exit 3); with ``--vs``, the
same with another checkout on ``PYTHONPATH`` (``git archive REV | tar -x -C CHECKOUT``), the two
run alternately, and whether the two trees wrote the same ``report.json`` (but ``generated_at``),
``report.html`` (but its generation time), ``timeline.html`` and figures.

Where a finished soak's wall time went, from its run folder (no instrumentation in the run):

    python bench/bench_soak.py --split DIR --started EPOCH --ended EPOCH

``--started``/``--ended``: the process's start and end (``date +%s.%N`` around the command).
The phases are read off the files the soak writes in order: its run-folder lock (the run begins),
``summary.json`` (simulation and end-of-run checks done; the simulation's own wall time is the
summary's ``wall_s``), the journal's end record, ``report.html`` (the report rebuilt from the
journal, ``timeline.html`` and the figures before it), then the run-history record and exit.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness.durations import format_duration, parse_duration
from harness import SoakRunner, SoakSpec

MiB = 1024 * 1024


def _timed_checks(skip: tuple[str, ...], timings: dict[str, float]) -> Any:
    """Wrap the runner's end-of-run ``check_all``: time each checker, optionally skip some."""
    import harness.invariants as inv
    import harness.runner as runner

    original = inv.check_all

    def check_all(history: Any, system: Any = None, **kw: Any) -> list[Any]:
        names = [n for n in inv.NAMES if n not in skip]
        t = time.perf_counter()
        verdicts = {v.name: v for v in original(history, system, only=names, timings=timings, **kw)}
        timings["total"] = time.perf_counter() - t
        for name in skip:
            verdicts[name] = inv.Verdict(name, True, [], "skipped by bench_soak --skip-invariant",
                                         inconclusive=True)
        for k in list(timings):
            timings[k] = round(timings[k], 2)
        return [verdicts[n] for n in inv.NAMES]

    runner.check_all = check_all
    return lambda: setattr(runner, "check_all", original)


def _leak_figures(leaks: dict[str, Any]) -> dict[str, Any]:
    return {k: {"verdict": v["verdict"], "slope_per_hour": v["slope_per_hour"],
                "ols_slope_per_hour": v["ols_slope_per_hour"], "first": v["first"], "last": v["last"]}
            for k, v in leaks.items()}


def run(duration: str = "8h", seed: int = 1, faults: str = "default", run_dir: str | None = None,
        skip_invariants: tuple[str, ...] = (), system_factory: Any = None) -> dict[str, Any]:
    root = Path(run_dir) if run_dir else Path(tempfile.mkdtemp(prefix="bench-soak-"))
    os.environ.setdefault("SOUNDCHECK_HISTORY_DB", str(root / "history.sqlite"))
    spec = SoakSpec(duration_s=parse_duration(duration), seed=seed, faults=faults, run_dir=root / "run")
    timings: dict[str, float] = {}
    restore = _timed_checks(tuple(skip_invariants), timings)
    t0 = time.perf_counter()
    try:
        result = SoakRunner(spec, system_factory=system_factory).start()
    finally:
        restore()
    wall = time.perf_counter() - t0
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    from harness import read_journal
    sim_wall = sum(c.get("wall_s", 0.0) for c in read_journal(root / "run").checkpoints)
    report = json.loads((root / "run" / "report.json").read_text())
    st, pf, rc = report["stability"], report["performance"], report["recovery"]
    rss = st["leaks"].get("rss_bytes") or {}
    history = root / "run" / "history.jsonl"
    return {
        "simulated_s": st["sim_time_s"], "wall_s": round(wall, 1),
        "simulation_wall_s": round(sim_wall, 1), "invariant_check_s": timings,
        "skipped_invariants": list(skip_invariants),
        "report_and_checks_wall_s": round(wall - sim_wall, 1),
        "speed_x_realtime": round(st["sim_time_s"] / wall, 1),
        "status": result.status, "ok": result.ok, "verdict": report["verdict"],
        "invariants_broken": st["invariants_broken"],
        "checkpoints": result.checkpoints,
        "journal_bytes": (root / "run" / "journal.jsonl").stat().st_size,
        "history_bytes": history.stat().st_size if history.exists() else None,
        "faults": st["faults_injected"], "episodes": rc["episodes_total"], "recovered": rc["recovered_total"],
        "failed_recoveries": rc["failed_count"], "xruns_per_hour": st["xruns_per_hour"],
        "callback_p99_ms": (pf["callback_duration_s"]["p99"] or 0) * 1000,
        "rss": {"start_mib": round((rss.get("first") or 0) / MiB, 1), "end_mib": round((rss.get("last") or 0) / MiB, 1),
                "peak_mib": round(peak_rss / MiB, 1),
                "slope_mib_per_hour": round((rss.get("slope_per_hour") or 0) / MiB, 3),
                "verdict": rss.get("verdict"), "reason": rss.get("reason")},
        "leaks": _leak_figures(st["leaks"]),
        "leaks_found": st["leaks_found"],
        "run_dir": str(root / "run"),
    }


def _slow_leak_factory() -> Any:
    from system_under_test import AudioSystem
    from system_under_test.resources import ResourceType

    class SlowLeak(AudioSystem):
        """Every successful recovery keeps 16 KiB alive; every 4th leaks one SUT buffer allocation
        (the default profile recovers ~4000 times an hour: ~64 MiB/h and ~1000 buffers/h, under the
        4096-buffer limit for 2 h, so the run itself goes on)."""

        def __init__(self, *a: Any, **kw: Any) -> None:
            super().__init__(*a, **kw)
            self.hoard: list[bytearray] = []

        def _finish_recovery(self, run: Any) -> None:
            super()._finish_recovery(run)
            self.hoard.append(bytearray(b"x" * (16 * 1024)))
            if len(self.hoard) % 4 == 0:
                self.resources.allocate("dsp", ResourceType.BUFFERS, 1, "leaked on recovery")

    return SlowLeak


def run_leak(kind: str, duration: str = "2h", seed: int = 1, run_dir: str | None = None) -> dict[str, Any]:
    if kind == "slow":
        factory = _slow_leak_factory()
    else:
        from harness import system_factory
        factory = system_factory(kind)
    r = run(duration, seed, "default", run_dir, system_factory=factory)
    return {"leak": kind, "simulated_s": r["simulated_s"], "wall_s": r["wall_s"], "rss": r["rss"],
            "leaks_found": r["leaks_found"], "invariants_broken": r["invariants_broken"],
            "leaks": {k: v for k, v in r["leaks"].items() if k in ("rss_bytes", "sut_live_allocations",
                                                                   "sut_buffers", "sut_streams", "threads")},
            "run_dir": r["run_dir"]}


def _synthetic(n_entries: int) -> Any:
    from harness import History
    h = History()
    h.record("attach", data={"state": "running", "configured": True, "pending": False,
                             "components": {"system": "running"}, "next_seq": 1})
    seq, i = 1, 0
    pre = {"state": "running", "configured": True, "pending": False, "config": "a"}
    while len(h) < n_entries:
        t = 10.0 * i + 1.0
        h.record("fault_start", time=t, data={"firing_id": f"f{i}", "kind": "dropout", "fired_at": t,
                                              "ended_at": None, "transient": True})
        for a, b, dt in (("running", "recovering", 0.01), ("recovering", "running", 0.2)):
            h.record("transition", time=t + dt, data={"seq": seq, "time": t + dt, "component": "system",
                                                      "from_state": a, "to_state": b, "cause": "x"})
            seq += 1
        h.record("event", value="recovery_started", time=t + 0.01, data={"cause": "x"})
        h.record("event", value="recovery_succeeded", time=t + 0.2, data={"attempts": 1})
        h.record("fault_end", time=t + 0.1, data={"firing_id": f"f{i}", "kind": "dropout", "fired_at": t,
                                                  "ended_at": t + 0.1, "transient": True})
        if i % 4 == 0:
            op = h.invoke("client", "configure", [{}], meta={"invalid": True}, pre=pre)
            h.fail(op, error={"type": "ConfigValidationError"}, post=pre)
        if i % 2 == 0:
            h.record("metrics", time=t + 5, data={
                "frames": {"captured": 1, "played": 1, "buffered": 0, "dropped": 0},
                "counters": {"callback_errors": 0}, "pending_callback_errors": 0,
                "health": {"state": "running", "healthy": True, "recovering": False, "components": {}},
                "resources": {"usage": {}, "limits": {}}})
        i += 1
    return h


def run_synthetic(n_entries: int) -> dict[str, Any]:
    from harness import check_all
    h = _synthetic(n_entries)
    timings: dict[str, float] = {}
    t = time.perf_counter()
    verdicts = check_all(h, timings=timings)
    wall = time.perf_counter() - t
    return {"entries": len(h), "check_all_s": round(wall, 2), "entries_per_s": round(len(h) / wall),
            "ok": all(v.ok for v in verdicts), "per_checker_s": {k: round(v, 2) for k, v in timings.items()}}


def _seeds(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b) + 1) if b else [int(a)])
    return out


def matrix_row(run_dir: Path, *, wall_s: float | None = None, exit_code: int | None = None) -> dict[str, Any]:
    """One soak's leak figures, judged now from its journal (``harness.reports.build._leaks``), a
    resumed soak's lifetimes read by the rule its resumes give, as the report reads them."""
    from harness import read_journal
    from harness.reports.build import _leaks, resumes_noted

    data = read_journal(run_dir)
    samples = [s for c in data.checkpoints for s in c.get("samples", [])]
    leaks = _leaks(samples, resumes_noted(data.notes))
    rss = leaks.get("rss_bytes")
    header = data.header or {}
    mib = lambda v: None if v is None else round(v / MiB, 2)  # noqa: E731
    return {
        "run_dir": str(run_dir), "seed": (header.get("meta") or {}).get("seed"),
        "simulated_h": round(samples[-1]["t"] / 3600, 2) if samples else None,
        "wall_s": None if wall_s is None else round(wall_s, 1),
        "journal_wall_s": round(sum(float(c.get("wall_s", 0.0)) for c in data.checkpoints), 1),
        "exit": exit_code,
        "rss_first_mib": mib(rss.first) if rss else None, "rss_last_mib": mib(rss.last) if rss else None,
        "rss_slope_mib_h": mib(rss.slope_per_hour) if rss else None,
        "rss_late_slope_mib_h": mib(_late_slope(samples, "rss_bytes")) if rss else None,
        "rss_verdict": rss.verdict if rss else None, "rss_shape": rss.shape if rss else None,
        "lifetimes_rule": rss.lifetimes_rule if rss else None,
        "not_ok": {k: f"{v.verdict} ({v.shape})" for k, v in leaks.items() if v.verdict != "ok"},
        "false_alarm": any(v.verdict in ("leak", "inconclusive") for v in leaks.values()),
    }


def _late_slope(samples: list[dict[str, Any]], metric: str) -> float | None:
    """Theil-Sen slope per hour over the late half of the judged window (after the 10 % warm-up),
    computed whatever the verdict (the judge computes it only for a series that grows)."""
    import numpy as np

    from harness.leaks import theil_sen

    pts = [(s["t"], s[metric]) for s in samples if isinstance(s.get(metric), (int, float))]
    if len(pts) < 6:
        return None
    t = np.array([p[0] for p in pts], dtype=float)
    y = np.array([p[1] for p in pts], dtype=float)
    start = t[0] + 0.1 * (t[-1] - t[0])
    m = t >= start + 0.5 * (t[-1] - start)
    t, y = t[m], y[m]
    if t.size > 1500:
        k = np.linspace(0, t.size - 1, 1500).round().astype(int)
        t, y = t[k], y[k]
    return theil_sen(t, y) * 3600.0


def run_matrix(specs: list[str], root: Path) -> list[dict[str, Any]]:
    """Healthy soaks, one fresh process each, one at a time; ``specs`` like ``["1h:1-10", "8h:1,2"]``."""
    rows = []
    env = dict(os.environ, SOUNDCHECK_HISTORY_DB=str(root / "history.sqlite"))
    for spec in specs:
        duration, _, seeds = spec.partition(":")
        for seed in _seeds(seeds or "1"):
            run_dir = root / f"soak-{duration}-s{seed}"
            cmd = [sys.executable, "-m", "harness.cli", "soak", "--duration", duration, "--backend", "sim",
                   "--seed", str(seed), "--run-dir", str(run_dir), "--no-progress"]
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=Path(__file__).resolve().parents[1])
            row = matrix_row(run_dir, wall_s=time.perf_counter() - t0, exit_code=proc.returncode)
            row["command"] = " ".join(["soundcheck", *cmd[3:]])
            rows.append(row)
            _print_row(row)
    return rows


def _print_row(r: dict[str, Any]) -> None:
    print(f"seed {r['seed']:>3}  {r['simulated_h']:>6} h  wall {r['wall_s'] or r['journal_wall_s']:>7} s  "
          f"exit {r['exit']}  RSS {r['rss_first_mib']} -> {r['rss_last_mib']} MiB  slope {r['rss_slope_mib_h']} MiB/h "
          f"(late half {r['rss_late_slope_mib_h']})  {r['rss_verdict']} ({r['rss_shape']})"
          f"{'  lifetimes ' + r['lifetimes_rule'] if r.get('lifetimes_rule') else ''}"
          f"{'  NOT OK: ' + json.dumps(r['not_ok']) if r['not_ok'] else ''}", flush=True)


#: ``soundcheck report``'s exits after which the reports were written: pass, fail, inconclusive
#: (a killed soak's journal, or any inconclusive verdict)
REPORT_BUILT = (0, 1, 3)


def _report_once(src: Path, checkout: Path, out: Path) -> dict[str, Any]:
    """``soundcheck report`` of a linked copy of ``src`` (its journal and history) in ``out``, run
    from ``checkout``: the child's peak RSS, CPU and wall time, and its exit status. A killed
    soak's journal is reported too (exit 3, inconclusive: the journal has no end), which is the
    journal a crashed overnight soak leaves and so one worth measuring; a usage or input error
    (2) or a crash is not a build and stops the bench."""
    out.mkdir(parents=True)
    for name in ("journal.jsonl", "history.jsonl", "summary.json"):
        if (src / name).is_file():
            try:
                os.link(src / name, out / name)
            except OSError:
                shutil.copyfile(src / name, out / name)
    env = {**os.environ, "PYTHONPATH": str(checkout), "SOUNDCHECK_HISTORY_DB": str(out / "history.sqlite")}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "harness.cli", "report", str(out)], cwd=out,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    with proc.stderr:  # read to its end first: a child blocked on a full pipe never exits
        err = proc.stderr.read().decode(errors="replace")
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # reaped by wait4 (for its rusage), so Popen must not wait for it again
    if code not in REPORT_BUILT:
        raise SystemExit(f"soundcheck report ({checkout}) failed with exit {code}:\n{err[-2000:]}")
    return {"checkout": str(checkout), "exit": code, "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 2), "wall_s": round(wall, 2)}


def _same_reports(a: Path, b: Path) -> dict[str, bool]:
    """Which of the two folders' reports are equal (``generated_at`` and the time in the html aside)."""
    def text(p: Path) -> str:
        t = p.read_text(encoding="utf-8") if p.is_file() else ""
        return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", "TIME", t)

    names = ["report.json", "report.html", "timeline.html",
             *sorted(str(p.relative_to(a)) for p in (a / "figures").glob("*"))]
    return {n: text(a / n) == text(b / n) for n in names}


def report_build(run_dir: Path, vs: Path | None, rounds: int) -> dict[str, Any]:
    here = Path(__file__).resolve().parents[1]
    sides = {"this": here, **({"other": vs.resolve()} if vs else {})}
    rows: dict[str, list[dict[str, Any]]] = {k: [] for k in sides}
    with tempfile.TemporaryDirectory(prefix="bench-report-build-") as tmp:
        for r in range(rounds):
            for name, checkout in sides.items():
                rows[name].append(_report_once(run_dir, checkout, Path(tmp) / f"{name}{r}"))
        same = _same_reports(Path(tmp) / "this0", Path(tmp) / "other0") if vs else None
    return {"run_dir": str(run_dir), "load": os.getloadavg(), "runs": rows, "same_reports": same}


def split(run_dir: Path, started: float, ended: float) -> dict[str, Any]:
    """The soak's wall time by phase, from its files' modification times (module docstring)."""
    mtime = {name: (run_dir / name).stat().st_mtime
             for name in (".soundcheck.lock", "summary.json", "journal.jsonl", "report.html")}
    sim = float(json.loads((run_dir / "summary.json").read_text())["wall_s"])
    phases = {
        "start_s": mtime[".soundcheck.lock"] - started,
        "simulation_s": sim,
        "checks_and_summary_s": mtime["summary.json"] - mtime[".soundcheck.lock"] - sim,
        "journal_end_s": mtime["journal.jsonl"] - mtime["summary.json"],
        "report_s": mtime["report.html"] - mtime["journal.jsonl"],
        "history_db_and_exit_s": ended - mtime["report.html"],
    }
    out = {k: round(v, 1) for k, v in phases.items()}
    out["total_s"] = round(ended - started, 1)
    out["end_s"] = round(out["checks_and_summary_s"] + out["journal_end_s"] + out["report_s"]
                         + out["history_db_and_exit_s"], 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", default="8h")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--faults", default="default")
    ap.add_argument("--run-dir")
    ap.add_argument("--skip-invariant", action="append", default=[],
                    help="leave one end-of-run checker out (to measure the rest; reported)")
    ap.add_argument("--leak", default="slow", choices=("slow", "leak_on_error", "none"),
                    help="the planted leak to soak after the healthy run (none: skip)")
    ap.add_argument("--leak-duration", default="2h")
    ap.add_argument("--leak-only", action="store_true",
                    help="only the planted-leak soak (main runs it this way, in a fresh process, so the "
                         "healthy run's freed memory does not hide the leak's growth)")
    ap.add_argument("--synthetic-entries", type=int, default=200_000, help="0 skips the checker-cost figure")
    ap.add_argument("--matrix", action="append", default=[], metavar="DURATION:SEEDS",
                    help="healthy soaks at these seeds (e.g. 1h:1-10, 8h:1,2); repeatable")
    ap.add_argument("--rejudge", nargs="+", metavar="DIR", help="judge soaks already run (their journals)")
    ap.add_argument("--report-build", metavar="DIR", type=Path,
                    help="rebuild a soak's reports from its journal: peak RSS, CPU, wall")
    ap.add_argument("--vs", metavar="CHECKOUT", type=Path, help="with --report-build: against this checkout")
    ap.add_argument("--rounds", type=int, default=1, help="with --report-build: builds per side")
    ap.add_argument("--split", metavar="DIR", type=Path, help="a finished soak's wall time by phase")
    ap.add_argument("--started", type=float, help="with --split: the process's start (epoch seconds)")
    ap.add_argument("--ended", type=float, help="with --split: the process's end (epoch seconds)")
    a = ap.parse_args()
    if a.split:
        if a.started is None or a.ended is None:
            ap.error("--split needs --started and --ended (epoch seconds around the soak's command)")
        print(json.dumps(split(a.split, a.started, a.ended), indent=1))
        return
    if a.report_build:
        if not (a.report_build / "journal.jsonl").is_file():
            print(f"bench_soak: {a.report_build}: no journal.jsonl (give a soak's run folder)", file=sys.stderr)
            raise SystemExit(2)
        print(json.dumps(report_build(a.report_build, a.vs, a.rounds), indent=1))
        return
    if a.rejudge:
        rows = [matrix_row(Path(d)) for d in a.rejudge]
        for r in rows:
            _print_row(r)
        print(json.dumps(rows, indent=2))
        return
    if a.matrix:
        root = Path(a.run_dir) if a.run_dir else Path(tempfile.mkdtemp(prefix="bench-soak-matrix-"))
        rows = run_matrix(a.matrix, root)
        alarms = [r for r in rows if r["false_alarm"] or r["exit"] != 0]
        print(f"{len(rows)} healthy soak(s): {len(alarms)} not passing")
        print(json.dumps(rows, indent=2))
        return
    out: dict[str, Any] = {}
    leak_dir = str(Path(a.run_dir).with_name(Path(a.run_dir).name + "-leak")) if a.run_dir else None
    if a.leak_only:
        print(json.dumps(run_leak(a.leak, a.leak_duration, a.seed, leak_dir)))
        return
    r = out["healthy"] = run(a.duration, a.seed, a.faults, a.run_dir, tuple(a.skip_invariant))
    print(f"{format_duration(r['simulated_s'])} simulated soak ({a.faults}) in {r['wall_s']:.0f} s wall "
          f"= {r['speed_x_realtime']:.0f}x real time; {r['status']}, ok={r['ok']}; RSS "
          f"{r['rss']['start_mib']} -> {r['rss']['end_mib']} MiB (peak {r['rss']['peak_mib']}), slope "
          f"{r['rss']['slope_mib_per_hour']} MiB/h: {r['rss']['verdict']}", flush=True)
    if a.leak != "none":
        cmd = [sys.executable, __file__, "--leak-only", "--leak", a.leak, "--leak-duration", a.leak_duration,
               "--seed", str(a.seed)] + (["--run-dir", a.run_dir] if a.run_dir else [])
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
        lk = out["planted_leak"] = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"planted leak {a.leak!r}, {format_duration(lk['simulated_s'])}: leaks found {lk['leaks_found']}; "
              f"RSS slope {lk['rss']['slope_mib_per_hour']} MiB/h ({lk['rss']['verdict']}); "
              f"invariants broken {lk['invariants_broken']}", flush=True)
    if a.synthetic_entries:
        s = out["synthetic_check"] = run_synthetic(a.synthetic_entries)
        print(f"check_all over {s['entries']:,} synthetic entries: {s['check_all_s']} s "
              f"({s['entries_per_s']:,} entries/s), ok={s['ok']}", flush=True)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
