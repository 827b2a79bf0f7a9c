"""Can the listening check's analysis run on the second core? Measured on its own material.

A benchmark, not a test: it prints figures and never fails.

    python bench/bench_analysis_offload.py [--seconds 120] [--seed 3] [--faults default]
    python bench/bench_analysis_offload.py --pair main=TREE branch=TREE [--together] --out DIR -- \
        soak --backend sim --duration 1h --seed 3 --no-progress --run-dir {out}/run
    python bench/bench_analysis_offload.py --compare RUN_A RUN_B

The takes ``AudioCheck`` hands to ``analyze_glitches`` in ``soundcheck run --backend sim`` (the
stretches of sound between the faults' mutes) are captured, then analysed four ways while the
main thread runs a loop of pure Python (a stand-in for the simulation, which is Python):

- ``serial``: the takes alone, in this process (CPU and wall), and the Python loop alone;
- ``thread``: the takes on a worker thread, the loop on the main thread, both at once. numpy's
  array work releases the GIL, the analysis's own Python does not: the loop's iterations per
  second beside the worker say how much of the analysis held the GIL;
- ``process``: the takes on a worker process (``ProcessPoolExecutor``, ``spawn``, one worker), at
  most ``--in-flight`` at once, the loop beside it: what pickling and the pool's feeder thread
  cost the main process, and whether the results are the same bytes.

CPU figures are ``time.thread_time`` of the main thread (the loop's own) and ``getrusage`` of
the process and its children; wall figures depend on the machine's load (printed).
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import hashlib
import json
import multiprocessing
import os
import pickle
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402 - after the BLAS setting above

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def capture(seconds: float, seed: int, faults: str) -> list[tuple[np.ndarray, int, Any, dict[str, Any]]]:
    """Every ``analyze_glitches`` call of one simulated run, with its arguments (a copy of the take)."""
    from harness import ReliabilityRun, RunSpec, audio_check

    calls: list[tuple[np.ndarray, int, Any, dict[str, Any]]] = []
    original = audio_check.analyze_glitches

    def capturing(x: Any, fs: int, f: Any = None, **kw: Any) -> Any:
        calls.append((np.array(x, copy=True), fs, f, kw))
        return original(x, fs, f, **kw)

    audio_check.analyze_glitches = capturing  # type: ignore[assignment]
    try:
        with tempfile.TemporaryDirectory(prefix="bench-offload-") as tmp:
            ReliabilityRun(RunSpec(duration_s=seconds, seed=seed, faults=faults, report_root=Path(tmp))).execute()
    finally:
        audio_check.analyze_glitches = original  # type: ignore[assignment]
    return calls


def analyse(call: tuple[np.ndarray, int, Any, dict[str, Any]]) -> bytes:
    """One call's result as bytes (the report pickled; an ``AnalysisError`` as its text)."""
    from harness.analysis import AnalysisError, analyze_glitches

    x, fs, f, kw = call
    try:
        return pickle.dumps(analyze_glitches(x, fs, f, **kw))
    except AnalysisError as exc:
        return pickle.dumps(("error", str(exc)))


def _loop(stop: threading.Event | None, n: int | None = None) -> int:
    """Pure Python work: until ``stop`` is set (or ``n`` iterations); the iterations done."""
    i = 0
    d: dict[int, int] = {}
    while (stop is None or not stop.is_set()) and (n is None or i < n):
        d[i & 1023] = d.get(i & 1023, 0) + i
        i += 1
    return i


def _digest(outs: list[bytes]) -> str:
    return hashlib.sha256(b"".join(outs)).hexdigest()[:16]


def _rusage() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def measure(calls: list[Any], in_flight: int = 4) -> dict[str, Any]:
    frames = sum(c[0].size for c in calls)
    out: dict[str, Any] = {"calls": len(calls), "frames": frames, "load_before": os.getloadavg()}

    # serial: the analysis alone, then the loop alone (its rate: iterations per CPU second)
    c0, w0 = time.process_time(), time.perf_counter()
    ref = [analyse(c) for c in calls]
    out["serial"] = {"analysis_cpu_s": round(time.process_time() - c0, 3),
                     "analysis_wall_s": round(time.perf_counter() - w0, 3), "digest": _digest(ref)}
    c0, w0 = time.thread_time(), time.perf_counter()
    n_solo = _loop(None, 3_000_000)
    loop_cpu = time.thread_time() - c0
    out["serial"]["loop_iter_per_cpu_s"] = round(n_solo / loop_cpu)
    out["serial"]["loop_iter_per_wall_s"] = round(n_solo / (time.perf_counter() - w0))

    # thread: the analysis on a worker thread, the loop on the main one until the worker is done
    stop = threading.Event()
    res: list[bytes] = []
    t_done: list[float] = []

    def work() -> None:
        res.extend(analyse(c) for c in calls)
        t_done.append(time.perf_counter())
        stop.set()

    c0, w0 = time.thread_time(), time.perf_counter()
    th = threading.Thread(target=work)
    th.start()
    n = _loop(stop)
    th.join()
    out["thread"] = {"wall_s": round(t_done[0] - w0, 3), "loop_iter": n,
                     "loop_cpu_s": round(time.thread_time() - c0, 3),
                     "loop_iter_per_wall_s": round(n / (t_done[0] - w0)), "same": _digest(res) == _digest(ref)}

    # process: one spawned worker, at most ``in_flight`` takes submitted, the loop between
    ctx = multiprocessing.get_context("spawn")
    r0 = _rusage()
    w_start = time.perf_counter()
    with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        pool.submit(int, 0).result()  # started: the start-up is measured apart
        started = time.perf_counter() - w_start
        r1 = _rusage()
        c0, w0 = time.thread_time(), time.perf_counter()
        pending: list[cf.Future[bytes]] = []
        got: list[bytes] = []
        it = 0
        k = 0
        while k < len(calls) or pending:
            while k < len(calls) and len(pending) < in_flight:
                pending.append(pool.submit(analyse, calls[k]))
                k += 1
            it += _loop(None, 20_000)
            while pending and pending[0].done():
                got.append(pending.pop(0).result())
        wall = time.perf_counter() - w0
        main_cpu = time.thread_time() - c0
    r2 = _rusage()
    out["process"] = {"startup_wall_s": round(started, 3), "startup_cpu_s": round(sum(r1) - sum(r0), 3),
                      "wall_s": round(wall, 3), "loop_iter": it, "main_thread_cpu_s": round(main_cpu, 3),
                      "loop_iter_per_wall_s": round(it / wall),
                      "process_cpu_s_excluding_worker": round(r2[0] - r1[0], 3),
                      "worker_cpu_s": round(r2[1] - r1[1], 3), "same": _digest(got) == _digest(ref)}
    out["load_after"] = os.getloadavg()
    return out


def _timed(tree: str, args: list[str], out: Path) -> subprocess.Popen[bytes]:
    """``soundcheck ARGS`` from checkout ``tree`` under ``/usr/bin/time -v`` (``nice -n 19``), its own
    run-history database; stdout, stderr and the timing under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": tree, "SOUNDCHECK_HISTORY_DB": str(out / "runs.sqlite")}
    cmd = ["nice", "-n", "19", "/usr/bin/time", "-v", "-o", str(out / "time.txt"), sys.executable, "-m",
           "harness.cli", *args]
    (out / "command.txt").write_text(" ".join(cmd) + f"\n(PYTHONPATH={tree})\n")
    return subprocess.Popen(cmd, env=env, cwd=tree, stdout=(out / "stdout.txt").open("wb"),
                            stderr=(out / "stderr.txt").open("wb"))


def _time_figures(path: Path) -> dict[str, Any]:
    t = path.read_text()

    def field(name: str) -> str:
        return next(line.split(": ", 1)[1].strip() for line in t.splitlines() if line.strip().startswith(name))

    user, sys_ = float(field("User time")), float(field("System time"))
    wall = field("Elapsed (wall clock) time")
    parts = [float(p) for p in wall.split(":")]
    wall_s = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    return {"cpu_s": round(user + sys_, 2), "user_s": user, "sys_s": sys_, "wall_s": round(wall_s, 2),
            "max_rss_kb": int(field("Maximum resident set size")), "exit": int(field("Exit status"))}


def pair(trees: dict[str, str], args: list[str], out: Path, together: bool) -> dict[str, Any]:
    """The same ``soundcheck`` command from each checkout, started together or one after the other
    (in the order given): wall, CPU (the process and its children: the analysis worker's too),
    peak RSS, the load average at each start and end."""
    res: dict[str, Any] = {"args": args, "together": together}
    procs = {}
    for name, tree in trees.items():
        run_args = [a.replace("{out}", str(out / name)) for a in args]
        res[name] = {"tree": tree, "load_at_start": os.getloadavg(), "started": time.strftime("%H:%M:%S", time.gmtime())}
        procs[name] = _timed(tree, run_args, out / name)
        if not together:
            procs[name].wait()
            res[name]["load_at_end"] = os.getloadavg()
    for name, p in procs.items():
        p.wait()
        res[name].setdefault("load_at_end", os.getloadavg())
        res[name].update(_time_figures(out / name / "time.txt"))
    return res


#: fields of a run folder's files that differ between two runs of one seed by design: the wall
#: clock, the CPU, the speed, the paths and the start time, and the callbacks' measured durations
#: (a simulated callback is timed in CPU time: ``callback_duration_s`` and the figures from it)
VOLATILE = {"wall_s", "speed_x_realtime", "cpu", "history", "started_at", "command", "commit",
            "callback_duration_s", "cb", "run_dir", "path", "generated_at", "created", "duration_wall_s",
            "samples", "wall", "elapsed_s", "provenance"}


def _diff(a: Any, b: Any, where: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k in VOLATILE:
                continue
            if k not in a or k not in b:
                out.append(f"{where}.{k}: only in {'b' if k not in a else 'a'}")
            else:
                _diff(a[k], b[k], f"{where}.{k}", out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            _diff(x, y, f"{where}[{i}]", out)
    elif a != b:
        out.append(f"{where}: {str(a)[:80]} != {str(b)[:80]}")


def compare_folders(a: Path, b: Path) -> dict[str, Any]:
    """Two run folders of one seed, file by file: ``summary.json`` and ``report.json`` key by key,
    ``history.jsonl`` line by line (JSON), each without the ``VOLATILE`` fields; what differs."""
    res: dict[str, Any] = {}
    for name in ("summary.json", "report.json"):
        fa, fb = a / name, b / name
        if not (fa.exists() and fb.exists()):
            res[name] = "missing"
            continue
        diffs: list[str] = []
        _diff(json.loads(fa.read_text()), json.loads(fb.read_text()), name, diffs)
        # where they are: the first two keys of each path (a list's index dropped)
        where = Counter(".".join(re.sub(r"\[\d+\]", "", d.split(":")[0]).split(".")[:3]) for d in diffs)
        res[name] = {"differences": len(diffs), "by_section": dict(sorted(where.items())), "first": diffs[:20]}
    la = (a / "history.jsonl").read_text().splitlines()
    lb = (b / "history.jsonl").read_text().splitlines()
    diffs = []
    identical = 0
    for i, (x, y) in enumerate(zip(la, lb)):
        if x == y:
            identical += 1
            continue
        _diff(json.loads(x), json.loads(y), f"history[{i}]", diffs)
    res["history.jsonl"] = {"lines": [len(la), len(lb)], "identical_lines": identical,
                            "differences": len(diffs), "first": diffs[:20]}
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=120.0)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--faults", default="default")
    ap.add_argument("--in-flight", type=int, default=4)
    ap.add_argument("--pair", nargs=2, metavar=("NAME=TREE", "NAME=TREE"),
                    help="run the command after -- from two checkouts (wall, CPU, RSS); {out} in it is "
                         "each run's own folder under --out")
    ap.add_argument("--together", action="store_true", help="with --pair: start both at once")
    ap.add_argument("--out", type=Path, default=Path("/tmp/bench-offload"))
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("RUN_A", "RUN_B"),
                    help="two run folders of one seed: what differs, volatile fields aside")
    ap.add_argument("rest", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    if a.compare:
        print(json.dumps(compare_folders(*a.compare), indent=1))
        return
    if a.pair:
        trees = dict(p.split("=", 1) for p in a.pair)
        rest = a.rest[1:] if a.rest[:1] == ["--"] else a.rest
        print(json.dumps(pair(trees, rest, a.out, a.together), indent=1))
        return
    calls = capture(a.seconds, a.seed, a.faults)
    print(json.dumps(measure(calls, a.in_flight), indent=1))


if __name__ == "__main__":
    main()
