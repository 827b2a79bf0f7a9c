#!/usr/bin/env python3
"""Does a plain ``soundcheck run`` find each bug of a batch of ``bench_realistic_bugs.py``?

For each bug of ``--batch N`` (every bug of it, the equivalent ones too, or the ones named): a
``git archive`` copy of ``--ref``, the bug applied as the bench applies it, then
``python -m harness.cli run --backend sim --duration 60 --seed 1 --faults default`` in that copy
(``--seed``, ``--duration`` and ``--faults`` change it: a built-in profile's name or a profile file;
a longer run reaches what only a long one meets, such as the histograms' 65 536-sample reservoir
past about 6 simulated minutes), with the run
folder and the run-history database inside the copy (nothing written to the working tree).
One row per bug: its name, the run's exit code, seconds, and the summary line. The first row is the
unpatched tree's (it must exit 0 for the rows below to mean anything).
It needs no ``--no-jack``: the simulated backend starts no JACK server.

    PYTHONPATH=$PWD nice -n 19 .venv/bin/python bench/bench_plain_run_per_bug.py --batch 43 --ref COMMIT
    PYTHONPATH=$PWD nice -n 19 .venv/bin/python bench/bench_plain_run_per_bug.py --batch 64 --ref COMMIT \
        --duration 400 histogram_count_is_the_reservoir
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _catalogue():
    spec = importlib.util.spec_from_file_location("bench_realistic_bugs_plain", ROOT / "bench/bench_realistic_bugs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help="only these bugs of the batch")
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--ref", required=True, help="the commit to copy (git archive)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--duration", type=float, default=60.0, help="simulated seconds of each run")
    ap.add_argument("--faults", default="default",
                    help="a built-in profile's name or a profile file (a path is read in the working tree)")
    args = ap.parse_args(argv)
    m = _catalogue()
    if args.batch not in m.BATCHES:
        print(f"bench_plain_run_per_bug: no batch {args.batch}; batches are {min(m.BATCHES)}-{max(m.BATCHES)}",
              file=sys.stderr)
        return 2
    faults = args.faults
    if faults.endswith(".toml"):
        if not Path(faults).is_file():
            print(f"bench_plain_run_per_bug: --faults {faults}: no such profile file", file=sys.stderr)
            return 2
        faults = str(Path(faults).resolve())  # the run's working directory is the copy
    bugs = [b for b in m.BATCHES[args.batch] if not args.names or b.name in args.names]
    for bug in [None, *bugs]:
        with tempfile.TemporaryDirectory(prefix="plain-run-") as tmp:
            tree = Path(tmp) / "tree"
            tree.mkdir()
            subprocess.run(f"git -C {ROOT} archive {args.ref} | tar -x -C {tree}", shell=True, check=True)
            if bug is not None:
                m.apply(bug, tree)
            env = dict(os.environ, PYTHONPATH=str(tree), SOUNDCHECK_HISTORY_DB=str(Path(tmp) / "history.sqlite"))
            t0 = time.monotonic()
            p = subprocess.run([sys.executable, "-m", "harness.cli", "run", "--backend", "sim",
                                "--duration", f"{args.duration:g}", "--seed", str(args.seed), "--faults", faults, "--report-dir", str(Path(tmp) / "reports")],
                               cwd=tree, env=env, capture_output=True, text=True)
            lines = (p.stdout + p.stderr).strip().splitlines()
            said = [ln for ln in lines if any(w in ln for w in ("FAIL", "PASS", "INCONCLUSIVE", "Error"))]
            print(f"{bug.name if bug else '(unpatched)':42} exit={p.returncode} {time.monotonic() - t0:6.1f}s  "
                  f"{' | '.join(said[-2:])[:240] if said else (lines[-1][:240] if lines else '')}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
