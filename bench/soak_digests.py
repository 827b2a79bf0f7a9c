"""Same seed, same soak: the checkpoints' state digests and the history of soak run folders side by side.

    PYTHONPATH=$PWD .venv/bin/python bench/soak_digests.py RUN_DIR [RUN_DIR ...]

For each folder, one line: the ``digest`` of every checkpoint in ``journal.jsonl`` (the deterministic state
``harness.soak.state_digest`` journals), a SHA-256 of ``history.jsonl`` without its first line (the ``meta`` record,
which holds the start time, command, commit and host), and how many samples carry ``malloc_in_use_bytes``. Two
folders of one seed run from two trees (main and a branch) show whether the branch changed what the simulated soak
does, and whether it samples the allocator.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path


def line(run_dir: Path) -> str:
    cps = [r for r in map(json.loads, (run_dir / "journal.jsonl").open()) if r.get("type") == "checkpoint"]
    h = hashlib.sha256()
    with (run_dir / "history.jsonl").open("rb") as f:
        for i, raw in enumerate(f):
            if i == 0 and json.loads(raw).get("type") == "meta":
                continue
            h.update(raw)
    in_use = sum("malloc_in_use_bytes" in s for c in cps for s in c.get("samples", []))
    return (f"{run_dir} checkpoint digests: {[c['digest'] for c in cps]} history sha256 (meta line left out): "
            f"{h.hexdigest()[:16]} samples with malloc_in_use_bytes: {in_use}")


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    for arg in argv:
        missing = [name for name in ("journal.jsonl", "history.jsonl") if not (Path(arg) / name).is_file()]
        if missing:
            print(f"soak_digests.py: {arg}: no {', '.join(missing)} here; give a soak's run folder (its --run-dir)",
                  file=sys.stderr)
            return 2
    for arg in argv:
        print(line(Path(arg)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
