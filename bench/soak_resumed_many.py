"""A simulated soak killed (SIGKILL) every N checkpoints and resumed until it ends: its verdict and leak figures.

    PYTHONPATH=$PWD .venv/bin/python bench/soak_resumed_many.py --run-dir DIR --duration 1h --seed S \
        --kill-every 10 [--system module:factory]

Why: each ``soak --resume`` of a simulated soak replays the run from t=0 in a new process and journals
on as the next ``segment``, so a soak resumed k - 1 times is judged as k process lifetimes
(``harness.leaks``: slopes, halves, quarters and warm-up within each segment; ``harness.leak_levels``:
each segment's own bend). This runs one so: the child is killed as it is about to write checkpoint
``N + 1``, ``2N + 1``, ... (``tests/harness/killed_soak.py``: the same instant on every machine), and
resumed each time, until a resume runs to its end. Prints one markdown row: the segments, the exit
code, the verdict, the RSS's leak verdict, shape and slope, pymalloc's verdict where asked, the
wall seconds. A bad argument: exit 2, nothing run.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "harness"))
from killed_soak import killed_at_checkpoint  # noqa: E402

from harness.durations import parse_duration  # noqa: E402


def _child(n: int, args: list[str]) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", killed_at_checkpoint(n), "soak", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True)


def _num(v: float | None) -> str:
    return "-" if v is None else format(v, ".4g")


def run(run_dir: Path, duration: str, seed: int, every: int, system: str | None) -> str:
    first = ["--backend", "sim", "--duration", duration, "--seed", str(seed), "--pace", "0",
             "--run-dir", str(run_dir), "--no-progress"] + (["--system", system] if system else [])
    wall0 = time.perf_counter()
    kills = 0
    done = _child(every + 1, first)
    while done.returncode == -signal.SIGKILL:
        kills += 1
        done = _child((kills + 1) * every + 1, ["--resume", str(run_dir), "--pace", "0", "--no-progress"])
    wall = time.perf_counter() - wall0
    report = json.loads((run_dir / "report.json").read_text(encoding="utf-8"))
    rss = report["stability"]["leaks"]["rss_bytes"]
    verdict = report.get("verdict") or {}
    pym = "-" if rss.get("pymalloc_verdict") is None else f"{rss['pymalloc_verdict']} ({rss['pymalloc_shape']})"
    return (f"| {run_dir.name} | {system or 'healthy'} | {kills + 1} | {done.returncode} | "
            f"{verdict.get('outcome', '?')} | **{rss['verdict']} ({rss['shape']})** | {_num(rss.get('slope_per_hour'))} | "
            f"{_num(rss.get('late_slope_per_hour'))} | {pym} | {rss.get('used_samples')} of {rss.get('samples')} | {wall:.0f} |")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run-dir", type=Path, required=True)
    parser.add_argument("--duration", default="1h")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--kill-every", type=int, required=True, help="checkpoints per segment (60 s each)")
    parser.add_argument("--system", default=None, help="a --system module:factory (default: the stock system)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        parse_duration(args.duration)
    except Exception:  # noqa: BLE001  (the parser's own message names the form)
        print(f"--duration {args.duration!r}: not a duration; give e.g. 1h or 90m", file=sys.stderr)
        return 2
    if args.kill_every < 1:
        print(f"--kill-every {args.kill_every}: give at least 1 checkpoint a segment", file=sys.stderr)
        return 2
    if args.run_dir.exists():
        print(f"--run-dir {args.run_dir}: already exists; give a new folder", file=sys.stderr)
        return 2
    print("| run | system | segments | exit | verdict | RSS leak verdict | RSS B/h | late half B/h | pymalloc | "
          "judged samples | wall s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print(run(args.run_dir, args.duration, args.seed, args.kill_every, args.system), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
