#!/usr/bin/env python3
"""The invariant checkers over a recorded history: each one's memory and CPU, and the two
linearizability judges' verdicts side by side.

    python bench/bench_judges.py memory HISTORY.jsonl            # each invariant alone: peak RSS, CPU
    python bench/bench_judges.py memory HISTORY.jsonl --only recovery linearizable
    python bench/bench_judges.py check-all HISTORY.jsonl         # every invariant in one pass (a run's end)
    python bench/bench_judges.py linearizable HISTORY.jsonl      # whole-history vs streaming judge
    python bench/bench_judges.py compare --duration 60 --seeds 1-8 --profiles gentle,default,hostile
    python bench/bench_judges.py compare --storms 12 HISTORY.jsonl ...   # + recorded histories, thread storms

Why child processes: a process's peak RSS only grows, so each figure of ``memory`` and
``linearizable`` is measured in a fresh interpreter that opens the history, runs one checker (or
one judge) and reports its own ``ru_maxrss`` before and after. ``MiB_before`` is the interpreter
with the history opened (a ``History`` over a file streams it; it keeps a window in memory), so
``MiB_peak - MiB_before`` is what the checker itself held at its worst.

``compare`` is the evidence that the streaming linearizability judge gives the whole-history
judge's verdict (ok, inconclusive, message and evidence) on real runs: simulated runs recorded
here (``--duration``, ``--seeds``, ``--profiles``), histories given as files, and ``--storms N``
thread-storm histories (the generator of ``tests/harness/test_linearizable_streaming.py``, seeds
0..N-1 with 8, 32 and 64 threads). It exits 1 when any verdict differs.

Each side of a before/after comparison runs with its checkout on ``PYTHONPATH`` (``git archive
REV | tar -x -C DIR``; ``PYTHONPATH=DIR python bench/bench_judges.py ...``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _open(path: str) -> Any:
    from harness.history import History

    return History.open_jsonl(path)


# -- in the child: one checker, one judge ---------------------------------------------------------
def _one_invariant(path: str, name: str) -> dict[str, Any]:
    """``name`` alone over the history at ``path`` (``check_all(only=[name])``)."""
    from harness.invariants import check_all

    h = _open(path)
    before = _rss_mib()
    t0 = time.process_time()
    (v,) = check_all(h, only=[name])
    return {"invariant": name, "cpu_s": round(time.process_time() - t0, 2), "MiB_before": round(before, 1),
            "MiB_peak": round(_rss_mib(), 1), "verdict": _kind(v)}


def _one_judge(path: str, which: str) -> dict[str, Any]:
    """The whole-history (``whole``) or streaming (``stream``) linearizability judge alone."""
    from harness.invariants import _check_linearizable_whole, _run_folds, _StreamingLinearizability

    h = _open(path)
    before = _rss_mib()
    t0 = time.process_time()
    why = None
    if which == "whole":
        v = _check_linearizable_whole(h)
    else:
        j = _StreamingLinearizability(h)
        _run_folds(h, [j], catch=False)
        v, why = j.verdict(), j.whole_reason
    return {"judge": which, "cpu_s": round(time.process_time() - t0, 2), "MiB_before": round(before, 1),
            "MiB_peak": round(_rss_mib(), 1), "verdict": _kind(v), "message": v.message[:200],
            "evidence": len(v.evidence), "whole_reason": why}


def _kind(v: Any) -> str:
    return "FAIL" if not v.ok else ("INCONCLUSIVE" if v.inconclusive else "pass")


def _child(*args: str) -> dict[str, Any]:
    """Run this script's hidden ``_child`` command in a fresh interpreter; its JSON line."""
    proc = subprocess.run([sys.executable, __file__, "_child", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", str(ROOT))})
    if proc.returncode != 0:
        raise SystemExit(f"bench_judges: the child for {args} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- commands -------------------------------------------------------------------------------------
def memory(path: str, only: list[str] | None) -> dict[str, Any]:
    from harness.invariants import NAMES

    names = only or list(NAMES)
    return {"history": path, "load": os.getloadavg(), "invariants": [_child("invariant", path, n) for n in names]}


def check_all_once(path: str) -> dict[str, Any]:
    """Every invariant in one pass, as a run's end does: CPU, peak RSS, seconds per checker."""
    from harness.invariants import check_all

    h = _open(path)
    before = _rss_mib()
    timings: dict[str, float] = {}
    t0 = time.process_time()
    vs = check_all(h, timings=timings)
    return {"history": path, "load": os.getloadavg(), "cpu_s": round(time.process_time() - t0, 2),
            "MiB_before": round(before, 1), "MiB_peak": round(_rss_mib(), 1),
            "timings_s": {k: round(t, 2) for k, t in timings.items()},
            "verdicts": {v.name: _kind(v) for v in vs}}


def linearizable(path: str) -> dict[str, Any]:
    whole, stream = _child("judge", path, "whole"), _child("judge", path, "stream")
    same = all(whole[k] == stream[k] for k in ("verdict", "message", "evidence"))
    return {"history": path, "load": os.getloadavg(), "whole": whole, "stream": stream, "same_verdict": same}


def _both(h: Any) -> tuple[tuple[Any, ...], tuple[Any, ...], str | None]:
    from harness.invariants import _check_linearizable_whole, _run_folds, _StreamingLinearizability

    w = _check_linearizable_whole(h)
    j = _StreamingLinearizability(h)
    _run_folds(h, [j], catch=False)
    s = j.verdict()
    key = lambda v: (v.ok, v.inconclusive, v.message, v.evidence)  # noqa: E731
    return key(w), key(s), j.whole_reason


def compare(duration: float, seeds: list[int], profiles: list[str], files: list[str], storms: int) -> int:
    """Whole vs streaming verdicts; prints one line per history, returns 1 when any differs."""
    rows: list[dict[str, Any]] = []

    def show(tag: str, h: Any) -> None:
        w, s, why = _both(h)
        kind = "FAIL" if not w[0] else ("INCONCLUSIVE" if w[1] else "pass")
        rows.append({"history": tag, "same": w == s, "verdict": kind, "whole_reason": why})
        print(json.dumps(rows[-1]), flush=True)

    if seeds and profiles and duration > 0:
        from harness.runner import ReliabilityRun, RunSpec

        with tempfile.TemporaryDirectory() as tmp:
            for p in profiles:
                for seed in seeds:
                    run = ReliabilityRun(RunSpec(duration_s=duration, seed=seed, faults=p, report_root=Path(tmp)))
                    show(f"run {p} seed {seed} {duration:g} s", run.execute(reports=False).history)
    for f in files:
        show(f, _open(f))
    if storms:
        sys.path.insert(0, str(ROOT / "tests" / "harness"))
        from conftest import _system_for_a_storm  # type: ignore[import-not-found]
        from test_linearizable_streaming import _storm_history  # type: ignore[import-not-found]

        for seed in range(storms):
            for threads in (8, 32, 64):
                show(f"storm seed {seed} threads {threads}", _storm_history(_system_for_a_storm, seed, threads))
    differ = [r for r in rows if not r["same"]]
    print(json.dumps({"histories": len(rows), "same": len(rows) - len(differ), "differ": len(differ),
                      "by_verdict": {k: sum(r["verdict"] == k for r in rows) for k in ("pass", "FAIL", "INCONCLUSIVE")}}))
    return 1 if differ else 0


def _seeds(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out += list(range(int(lo), int(hi or lo) + 1))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("memory", help="each invariant alone over HISTORY: peak RSS and CPU")
    m.add_argument("history")
    m.add_argument("--only", nargs="+", metavar="NAME")
    c = sub.add_parser("check-all", help="every invariant in one pass over HISTORY")
    c.add_argument("history")
    lz = sub.add_parser("linearizable", help="whole-history vs streaming judge over HISTORY")
    lz.add_argument("history")
    cmp = sub.add_parser("compare", help="whole vs streaming verdicts over runs, files and storms")
    cmp.add_argument("files", nargs="*")
    cmp.add_argument("--duration", type=float, default=0.0, help="record simulated runs this long (s)")
    cmp.add_argument("--seeds", type=_seeds, default=[], help="e.g. 1-8 or 1,3,7")
    cmp.add_argument("--profiles", default="gentle,default,hostile")
    cmp.add_argument("--storms", type=int, default=0, help="thread-storm seeds 0..N-1 (8/32/64 threads)")
    ch = sub.add_parser("_child")
    ch.add_argument("what", choices=("invariant", "judge"))
    ch.add_argument("history")
    ch.add_argument("name")
    args = ap.parse_args(argv)
    for f in [getattr(args, "history", None), *getattr(args, "files", [])]:
        if f is not None and not Path(f).is_file():
            print(f"bench_judges: {f}: no such history file (give a run folder's history.jsonl)", file=sys.stderr)
            return 2
    if args.cmd == "_child":
        fn = _one_invariant if args.what == "invariant" else _one_judge
        print(json.dumps(fn(args.history, args.name)))
        return 0
    if args.cmd == "memory":
        print(json.dumps(memory(args.history, args.only), indent=1))
    elif args.cmd == "check-all":
        print(json.dumps(check_all_once(args.history), indent=1))
    elif args.cmd == "linearizable":
        r = linearizable(args.history)
        print(json.dumps(r, indent=1))
        return 0 if r["same_verdict"] else 1
    else:
        return compare(args.duration, args.seeds, [p for p in args.profiles.split(",") if p], args.files,
                       args.storms)
    return 0


if __name__ == "__main__":
    sys.exit(main())
