#!/usr/bin/env python3
"""Same seed, same history, apart from what ``no_callback_after_death`` adds to the record: one
SHA-256 per simulated run of a grid, over its history with every ``stream_closed`` event left out,
the ``error`` entries' ``stream``, ``stream_callbacks`` and ``stream_callbacks_due`` dropped and the
entries numbered again (an event left out shifts every later index). Run it in a tree before the
change and in one after it: equal digests say the change moved no fault, transition, error or
figure of those runs (``scripts/history_digests --ignore-key`` drops a key, not a whole event).

    PYTHONPATH=$PWD .venv/bin/python bench/history_digests_stream_fields.py [--duration 20] > digests.txt
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

#: the meta line's fields that describe the machine and the moment, not the run
VOLATILE_META = ("started_at", "command", "commit", "host", "python")
#: metrics counters that read the wall clock (``scripts/history_digests``'s own list)
WALL_COUNTERS = ("budget_overruns",)
#: the keys the change adds to a device report's ``error`` entry
ADDED_ERROR_KEYS = ("stream", "stream_callbacks", "stream_callbacks_due")
GRID = [(profile, seed) for profile in ("default", "hostile") for seed in (1, 2, 3)]


def digest(root: Path, profile: str, seed: int, duration: str) -> str:
    """The digest of one run's history, the additions taken out (see the module's docstring)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, PYTHONPATH=str(root), SOUNDCHECK_HISTORY_DB=str(Path(tmp) / "h.sqlite"))
        subprocess.run([sys.executable, "-m", "harness.cli", "run", "--backend", "sim", "--duration", duration,
                        "--seed", str(seed), "--faults", profile, "--report-dir", tmp],
                       cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        histories = list(Path(tmp).glob("*/history.jsonl"))
        if len(histories) != 1:
            return "no-history"
        sha = hashlib.sha256()
        index = 0
        for line in histories[0].read_text().splitlines():
            entry = json.loads(line)
            data = entry.get("data") or {}
            if entry.get("type") == "event" and entry.get("value") == "stream_closed":
                continue
            if entry.get("type") == "meta":
                for key in VOLATILE_META:
                    data.pop(key, None)
            if entry.get("type") == "metrics":
                for key in WALL_COUNTERS:
                    data.get("counters", {}).pop(key, None)
            if entry.get("type") == "error":
                for key in ADDED_ERROR_KEYS:
                    data.pop(key, None)
            entry["index"] = index
            index += 1
            sha.update(json.dumps(entry, sort_keys=True).encode() + b"\n")
        return sha.hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", default="20")
    ap.add_argument("--root", type=Path, default=Path.cwd(), help="the tree whose system and harness run")
    args = ap.parse_args()
    for profile, seed in GRID:
        print(f"{profile:8} {seed:3} {digest(args.root.resolve(), profile, seed, args.duration)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
