"""The digest of recorded history files, as ``scripts/history_digests`` digests the run it makes:
the meta line's fields that describe the machine and the moment, and the wall-clock counters of
metrics snapshots, dropped. For comparing two runs already made (a tree before and after a
change, each run by hand with the same seed), where that script makes its own grid of runs.

    python3 bench/history_file_digest.py HISTORY.jsonl [HISTORY.jsonl ...]

One line per file: its SHA-256 and its path. Exit 2 naming a file that is missing or not a
history (a line that is not JSON)."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

#: as ``scripts/history_digests``: the meta fields that differ between two runs of one seed
VOLATILE_META = ("started_at", "command", "commit", "host", "python")
#: as ``scripts/history_digests``: counters that read the wall clock
WALL_COUNTERS = ("budget_overruns",)


def digest(path: Path) -> str:
    sha = hashlib.sha256()
    for line in path.read_text().splitlines():
        entry = json.loads(line)
        if entry.get("type") == "meta":
            for key in VOLATILE_META:
                entry["data"].pop(key, None)
        if entry.get("type") == "metrics":
            for key in WALL_COUNTERS:
                entry["data"].get("counters", {}).pop(key, None)
        sha.update(json.dumps(entry, sort_keys=True).encode() + b"\n")
    return sha.hexdigest()


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    for name in argv:
        path = Path(name)
        if not path.is_file():
            print(f"history_file_digest: {path}: no such file (give a run folder's history.jsonl)", file=sys.stderr)
            return 2
        try:
            print(digest(path), path)
        except (json.JSONDecodeError, AttributeError, TypeError) as exc:
            print(f"history_file_digest: {path}: not a history ({exc}); give a run folder's history.jsonl",
                  file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
