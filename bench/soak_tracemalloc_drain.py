"""Which allocation sites of a simulated soak lose (or gain) bytes as it runs: ``tracemalloc``
snapshots at chosen simulated times, diffed by traceback (``Snapshot.compare_to(..., "traceback")``).

    PYTHONPATH=$PWD .venv/bin/python bench/soak_tracemalloc_drain.py --seed S --duration-s D \
        --at T1,T2[,T3...] [--frames N] [--top K] [--system module:factory] [--run-dir DIR]

Why: a healthy 8 h soak's pymalloc bytes in use fall ~4 MB/h for hours with the RSS flat, and a
planted small-objects leak hides behind that fall (bench/RESULTS.md, issue #11). The soak is built
as ``soundcheck soak --backend sim`` builds it (``SoakRunner(SoakSpec(...))``); the snapshots are
taken from the soak's own per-chunk hook, so they see the system, the harness and the fault
injector in the one process. Between consecutive snapshots the sites whose bytes fell most and
rose most are printed, with their block counts. Bad input: exit 2, a message, nothing run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import tracemalloc
from pathlib import Path
from typing import Any

from soak_hook import private_history_db, rising_times, run_probed_soak


class _Usage(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _Usage(message)


def _args(argv: list[str]) -> argparse.Namespace:
    p = _Parser(prog="soak_tracemalloc_drain.py", add_help=True)
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--duration-s", type=float, required=True)
    p.add_argument("--at", required=True, help="simulated seconds of the snapshots, comma-separated, rising")
    p.add_argument("--frames", type=int, default=6)
    p.add_argument("--top", type=int, default=12)
    p.add_argument("--system", default=None)
    p.add_argument("--run-dir", type=Path, default=None)
    a = p.parse_args(argv)
    try:
        a.at = rising_times(a.at, a.duration_s)
    except ValueError as exc:
        raise _Usage(str(exc)) from None
    if a.seed < 0 or not 1 <= a.frames <= 50 or not 1 <= a.top <= 200:
        raise _Usage("--seed must be >= 0, --frames 1..50, --top 1..200")
    if a.run_dir is not None and a.run_dir.exists():
        raise _Usage(f"--run-dir {a.run_dir}: already exists; give a new folder")
    return a


def _site(stat: Any) -> str:
    frames = [f"{Path(f.filename).name}:{f.lineno}" for f in stat.traceback]
    return " < ".join(frames[-1:] + frames[-2::-1][:4]) if frames else "?"


def _report(label: str, new: tracemalloc.Snapshot, old: tracemalloc.Snapshot, top: int) -> None:
    diffs = [d for d in new.compare_to(old, "traceback") if d.size_diff != 0]
    total = sum(d.size_diff for d in diffs)
    print(f"{label}: net {total / 1e6:+.3f} MB over {len(diffs)} sites")
    fell = sorted(diffs, key=lambda d: d.size_diff)[:top]
    rose = sorted(diffs, key=lambda d: -d.size_diff)[:top]
    for name, rows in (("fell most", fell), ("rose most", rose)):
        print(f"  {name}:")
        for d in rows:
            print(f"    {d.size_diff / 1e6:+8.3f} MB {d.count_diff:+8d} blocks "
                  f"(now {d.size / 1e6:7.3f} MB)  {_site(d)}")


def main(argv: list[str]) -> int:
    try:
        a = _args(argv)
    except _Usage as exc:
        print(f"soak_tracemalloc_drain: {exc}", file=sys.stderr)
        return 2
    private_history_db("drain-db-")
    run_dir = a.run_dir or Path(tempfile.mkdtemp(prefix="drain-run-")) / "soak"
    last: list[tuple[float, tracemalloc.Snapshot]] = []  # the newest snapshot: the next is diffed against it
    pending = list(a.at)

    def snapshot_when_asked(system: Any, history: Any) -> None:
        now = system.clock.now()
        while pending and now >= pending[0]:
            t = pending.pop(0)
            snap = tracemalloc.take_snapshot().filter_traces((tracemalloc.Filter(False, tracemalloc.__file__),))
            print(f"snapshot at simulated {now:.0f} s (asked {t:g}), traced "
                  f"{tracemalloc.get_traced_memory()[0] / 1e6:.2f} MB", flush=True)
            if last:
                _report(f"{last[0][0]:.0f} s -> {now:.0f} s", snap, last[0][1], a.top)
            last[:] = [(now, snap)]

    tracemalloc.start(a.frames)
    try:
        result = run_probed_soak("soak_tracemalloc_drain", snapshot_when_asked, seed=a.seed, duration_s=a.duration_s,
                                 run_dir=run_dir, system=a.system)
    finally:
        tracemalloc.stop()
    if result is None:
        return 2
    print(f"soak {run_dir}: {result.status}, {getattr(result.verdict, 'status', result.verdict)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
