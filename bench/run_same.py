"""Two runs of one seed, made by two trees: the same history, summary, verdict and findings?

``bench/soak_same.py``'s check for ``soundcheck run`` (no journal): a change meant only to make
the simulation cheaper must leave a seed's run as it was. Each argument is a run folder or a
``--report-dir`` holding exactly one ``run-*`` folder:

    python bench/run_same.py BEFORE AFTER

prints the history's line count and digest on each side (sha256 of every line, the meta line's
``command`` and ``started_at`` left out: they name the tree, the folder and the wall clock),
each side's outcome, the findings' digest (``summary.audio`` and ``report.glitches``), and
same/DIFFER for the history, the summary (without ``soak_same``'s volatile keys), the verdict
(outcome, failures, every invariant's status) and the findings. Exit 0 when all four are the
same, 1 when one differs, 2 on a folder that is not a finished run's. A check, not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import soak_same  # noqa: E402 - the bench folder's own module, found by the line above


class NotARun(Exception):
    """A folder without a finished run's files."""


def run_folder(path: Path) -> Path:
    if (path / "summary.json").is_file():
        return path
    found = sorted(p for p in path.glob("run-*") if (p / "summary.json").is_file())
    if len(found) != 1:
        raise NotARun(f"{path}: {len(found)} finished run folders in it; give a run folder or a "
                      "--report-dir holding one")
    return found[0]


def history_digest(folder: Path) -> tuple[int, str]:
    """(lines, digest) of ``history.jsonl``, the meta line's wall-clock and path fields left out."""
    h = hashlib.sha256()
    n = 0
    with open(folder / "history.jsonl", "rb") as f:
        first = json.loads(f.readline())
        for key in ("command", "started_at"):
            first.get("data", {}).pop(key, None)
        h.update(json.dumps(first, sort_keys=True).encode())
        n = 1
        for line in f:
            h.update(line)
            n += 1
    return n, h.hexdigest()[:16]


def verdict_of(summary: dict[str, Any]) -> str:
    v = summary.get("verdict") or {}
    return json.dumps([v.get("outcome"), v.get("failures"), summary.get("invariants"),
                       summary.get("invariant_status")], sort_keys=True, default=str)


def findings_of(summary: dict[str, Any], report: dict[str, Any]) -> str:
    doc = [soak_same.strip(summary.get("audio")), soak_same.strip(report.get("glitches"))]
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()[:16]


def compare(a: Path, b: Path) -> int:
    """Print the comparison; the number of the four that differ."""
    sides = []
    for path in (a, b):
        folder = run_folder(path)
        try:
            summary = json.loads((folder / "summary.json").read_text())
            report = json.loads((folder / "report.json").read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise NotARun(f"{folder}: {exc}; give the folder of a finished run") from None
        sides.append((folder, summary, report))
    (fa, sa, ra), (fb, sb, rb) = sides
    (na, ha), (nb, hb) = history_digest(fa), history_digest(fb)
    same = {"history": (na, ha) == (nb, hb),
            "summary": json.dumps(soak_same.strip(sa), sort_keys=True) == json.dumps(soak_same.strip(sb), sort_keys=True),
            "verdict": verdict_of(sa) == verdict_of(sb),
            "findings": findings_of(sa, ra) == findings_of(sb, rb)}
    outcome = [(s.get("verdict") or {}).get("outcome") for s in (sa, sb)]
    print(f"{na} / {nb} lines, {ha} / {hb}; {outcome[0]} / {outcome[1]}; findings {findings_of(sa, ra)} / "
          f"{findings_of(sb, rb)}; " + " ".join(f"{k} {'same' if v else 'DIFFER'}" for k, v in same.items()))
    return sum(1 for v in same.values() if not v)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    args = ap.parse_args()
    try:
        return 1 if compare(args.before, args.after) else 0
    except (NotARun, FileNotFoundError) as exc:
        print(f"run_same: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
