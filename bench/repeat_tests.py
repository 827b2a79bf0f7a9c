"""Run pytest node ids again and again, one pytest process per run, and print what each run said.

A diagnostic, not a test: it prints one line per run and never fails.

    python bench/repeat_tests.py --times 10 NODE [NODE ...] [--keep DIR]

Each round runs every NODE in turn (``pytest -p no:cacheprovider -q -rfE NODE``, with ``CI=true``
so a missing rig fails instead of skipping), and prints the round, the node's short name, passed or
failed, the seconds it took, the load average at its start, and for a failure its assertion's
first lines (the test's own message: for the rig kill tests, each recovery episode's time and
cause). ``--keep DIR`` keeps each failed run's whole output there. Run it beside busy loops
(``timeout 900 sh -c 'while :; do :; done' &``) for a loaded machine; the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_once(node: str) -> tuple[bool, float, str]:
    """(passed, seconds, pytest's output) of one pytest process running ``node``."""
    env = {**os.environ, "CI": "true", "PYTHONPATH": str(ROOT)}
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfE", node],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    return proc.returncode == 0, time.monotonic() - t0, out


def assertion_of(out: str, chars: int = 1500) -> str:
    """The failing assertion's lines (pytest's ``E`` lines), joined, cut to ``chars``."""
    lines = [ln[1:].strip() for ln in out.splitlines() if ln.startswith("E ")]
    return re.sub(r"\s+", " ", " | ".join(lines))[:chars]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("nodes", nargs="+")
    ap.add_argument("--times", type=int, default=10)
    ap.add_argument("--keep", type=Path)
    args = ap.parse_args(argv)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    tally: Counter[tuple[str, bool]] = Counter()
    loads = []
    for i in range(args.times):
        for node in args.nodes:
            load = os.getloadavg()[0]
            loads.append(load)
            passed, seconds, out = run_once(node)
            short = node.split("::")[-1][:60]
            tally[(short, passed)] += 1
            line = f"[{i + 1}/{args.times}] {short:60s} {'passed' if passed else 'FAILED'} {seconds:6.1f} s load {load:5.1f}"
            if not passed:
                line += f"\n    {assertion_of(out)}"
                if args.keep:
                    (args.keep / f"{i + 1}-{short}.txt").write_text(out)
            print(line, flush=True)
    print()
    for node in args.nodes:
        short = node.split("::")[-1][:60]
        print(f"{short}: {tally[(short, True)]} passed, {tally[(short, False)]} failed of {args.times}")
    print(f"load average at each run's start: min {min(loads):.1f} max {max(loads):.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
