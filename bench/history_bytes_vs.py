"""Same seed, same history *bytes*: the history files of this tree and of another, line by line.

    cd THIS_TREE && PYTHONPATH=$PWD nice -n 19 .venv/bin/python bench/history_bytes_vs.py OTHER_TREE \\
        [--duration 30] [--dsp-kernel numpy|compiled]

``scripts/history_digests`` hashes each line as parsed JSON, which proves the same entries but
not the same text (a float written another way, a key order, an escape would pass it). This runs
``soundcheck run --backend sim`` for a grid of profiles and seeds under each tree
(``PYTHONPATH=TREE``) and compares the two ``history.jsonl`` files byte for byte, every line but
the first (the meta line, whose start time, command and commit differ by nature: compared as JSON
without those keys). Prints one line per run and exits 1 if any differs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

GRID = [("default", seed) for seed in (1, 2, 3, 7)] + [("hostile", 1), ("hostile", 2), ("gentle", 3)]
VOLATILE_META = ("started_at", "command", "commit", "host", "python")


def history_of(tree: Path, profile: str, seed: int, duration: str, kernel: str | None, out: Path) -> Path | None:
    cmd = [sys.executable, "-m", "harness.cli", "run", "--backend", "sim", "--duration", duration,
           "--seed", str(seed), "--faults", profile, "--report-dir", str(out)]
    if kernel:
        cmd += ["--dsp-kernel", kernel]
    env = {**os.environ, "PYTHONPATH": str(tree), "SOUNDCHECK_HISTORY_DB": str(out / "runs.sqlite")}
    subprocess.run(cmd, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    found = list(out.glob("*/history.jsonl"))
    return found[0] if len(found) == 1 else None


def _meta(line: bytes) -> object:
    entry = json.loads(line)
    for key in VOLATILE_META:
        entry.get("data", {}).pop(key, None)
    return entry


def compare(a: Path, b: Path) -> str:
    """"identical (N lines)" or what differs first."""
    la, lb = a.read_bytes().splitlines(keepends=True), b.read_bytes().splitlines(keepends=True)
    if not la or not lb or _meta(la[0]) != _meta(lb[0]):
        return "the meta lines differ"
    for n, (x, y) in enumerate(zip(la[1:], lb[1:]), 2):
        if x != y:
            return f"line {n} differs:\n  {x[:300]!r}\n  {y[:300]!r}"
    if len(la) != len(lb):
        return f"{len(la)} lines against {len(lb)}"
    return f"identical ({len(la)} lines, {sum(map(len, la))} bytes)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("other", type=Path, help="the other tree (a git archive with the .venv linked)")
    parser.add_argument("--duration", default="30")
    parser.add_argument("--dsp-kernel", choices=("numpy", "compiled"))
    args = parser.parse_args()
    here = Path.cwd()
    bad = 0
    for profile, seed in GRID:
        with tempfile.TemporaryDirectory() as tmp:
            ha = history_of(here, profile, seed, args.duration, args.dsp_kernel, Path(tmp) / "a")
            hb = history_of(args.other.resolve(), profile, seed, args.duration, args.dsp_kernel, Path(tmp) / "b")
            verdict = "no history" if ha is None or hb is None else compare(ha, hb)
        bad += not verdict.startswith("identical")
        print(f"{profile} {seed}: {verdict}", flush=True)
    print(f"{len(GRID) - bad} of {len(GRID)} histories byte-identical")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
