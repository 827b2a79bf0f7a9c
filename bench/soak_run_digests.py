"""Same seed, same history: digests of finished soaks' run folders, to compare two trees' soaks.

    PYTHONPATH=$PWD .venv/bin/python bench/soak_run_digests.py RUN_DIR [RUN_DIR ...]

For each run folder prints a SHA-256 (16 hex digits) of its ``history.jsonl`` with the fields that
describe the machine and the moment dropped (``scripts/history_digests``' ``VOLATILE_META``: start
time, command, commit, host, Python) and the wall-clock ``budget_overruns`` counter, and one of its
journal's checkpoint ``digest``s (``soak.state_digest``: clock, lifecycle, counters, frames), with
how many checkpoints. Why: a change to what the live checks read must leave a simulated soak's
history as it was; ``scripts/history_digests`` runs ``soundcheck run``, not a soak.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

VOLATILE = ("started_at", "command", "commit", "host", "python", "budget_overruns")


def _strip(o: Any) -> Any:
    if isinstance(o, dict):
        return {k: _strip(v) for k, v in o.items() if k not in VOLATILE}
    if isinstance(o, list):
        return [_strip(v) for v in o]
    return o


def digests(run_dir: Path) -> tuple[str, str, int]:
    """(history digest, checkpoint digests' digest, checkpoints)."""
    h = hashlib.sha256()
    with open(run_dir / "history.jsonl", encoding="utf-8") as f:
        for line in f:
            h.update(json.dumps(_strip(json.loads(line)), sort_keys=True).encode())
    with open(run_dir / "journal.jsonl", encoding="utf-8") as f:
        marks = [json.loads(line).get("digest") for line in f if '"type":"checkpoint"' in line]
    return h.hexdigest()[:16], hashlib.sha256("".join(map(str, marks)).encode()).hexdigest()[:16], len(marks)


def main() -> None:
    if len(sys.argv) < 2:
        print("usage: bench/soak_run_digests.py RUN_DIR [RUN_DIR ...]", file=sys.stderr)
        raise SystemExit(2)
    for arg in sys.argv[1:]:
        missing = [name for name in ("history.jsonl", "journal.jsonl") if not (Path(arg) / name).is_file()]
        if missing:
            print(f"soak_run_digests: {arg}: no {' or '.join(missing)} (give a finished soak's run folder, "
                  "its --run-dir)", file=sys.stderr)
            raise SystemExit(2)
        history, marks, n = digests(Path(arg))
        print(f"{Path(arg).name}: history {history}, checkpoint digests {marks} ({n} checkpoints)")


if __name__ == "__main__":
    main()
