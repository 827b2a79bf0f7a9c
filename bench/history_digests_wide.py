#!/usr/bin/env python3
"""Same seed, same history over a wider grid than ``scripts/history_digests``: its grid (gentle,
default, hostile at seeds 1, 2, 3, 7; default seed 1 with three mutants) plus outages at seeds 1,
2, 3, 7 and none at seed 1, each a 20 s ``soundcheck run --backend sim`` digested as that script
digests it (its volatile meta fields and wall-clock counters dropped).

``--strip`` drops ``state`` and ``recovering`` from the ``error`` entries only (the fields the
system's ``error`` event gained), never from other entries, where a key of that name (a health
snapshot's ``state``) must still be compared. Each line: profile, seed, mutant, SHA-256, and the
number of ``error`` entries. ``--strip-callback-numbers`` drops ``callback`` and ``stream_callback``
from every error description's ``details`` in any entry (the numbers a callback error gained: the
``error`` event's and a ``recovery_started``'s description of it), so two trees whose only
difference is those numbers digest alike. Run from a tree's root, before and after a change, and
diff:

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python bench/history_digests_wide.py [--strip] \
        [--strip-callback-numbers] > FILE
"""

from __future__ import annotations

import hashlib
import json
import runpy
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

_DIGESTS = runpy.run_path("scripts/history_digests")
GRID = _DIGESTS["GRID"] + [("outages", seed, None) for seed in (1, 2, 3, 7)] + [("none", 1, None)]
#: the fields ``--strip`` drops, from ``error`` entries only
ERROR_FIELDS = ("state", "recovering")
#: the keys ``--strip-callback-numbers`` drops from every error description's ``details``
CALLBACK_NUMBERS = ("callback", "stream_callback")


def strip_callback_numbers(value: Any) -> Any:
    """``value`` with ``CALLBACK_NUMBERS`` dropped from each ``details`` mapping at any depth."""
    if isinstance(value, dict):
        out = {k: strip_callback_numbers(v) for k, v in value.items()}
        details = out.get("details")
        if isinstance(details, dict):
            out["details"] = {k: v for k, v in details.items() if k not in CALLBACK_NUMBERS}
        return out
    if isinstance(value, list):
        return [strip_callback_numbers(v) for v in value]
    return value


def digest(profile: str, seed: int, mutant: str | None, strip: bool,
           strip_numbers: bool = False) -> tuple[str, int]:
    """The run's history digest and its number of ``error`` entries."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [_DIGESTS["soundcheck"](), "run", "--backend", "sim", "--duration", "20s", "--seed", str(seed),
               "--faults", profile, "--report-dir", tmp] + (["--mutant", mutant] if mutant else [])
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        (history,) = Path(tmp).glob("*/history.jsonl")
        sha, errors = hashlib.sha256(), 0
        for line in history.read_text().splitlines():
            entry = json.loads(line)
            if entry.get("type") == "meta":
                for key in _DIGESTS["VOLATILE_META"]:
                    entry["data"].pop(key, None)
            if entry.get("type") == "metrics":
                for key in _DIGESTS["WALL_COUNTERS"]:
                    entry["data"].get("counters", {}).pop(key, None)
            if entry.get("type") == "error":
                errors += 1
                if strip:
                    for key in ERROR_FIELDS:
                        entry["data"].pop(key, None)
            if strip_numbers:
                entry = strip_callback_numbers(entry)
            sha.update(json.dumps(entry, sort_keys=True).encode() + b"\n")
        return sha.hexdigest(), errors


def main() -> int:
    strip = "--strip" in sys.argv[1:]
    strip_numbers = "--strip-callback-numbers" in sys.argv[1:]
    for profile, seed, mutant in GRID:
        sha, errors = digest(profile, seed, mutant, strip, strip_numbers)
        print(profile, seed, mutant or "-", sha, errors, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
