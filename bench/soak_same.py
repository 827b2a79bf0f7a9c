"""Two soaks of one seed, run by two trees: the same history, journal, summary and report?

A change meant only to make the simulation cheaper must leave a seed's soak as it was. This
compares two soak run folders (``soundcheck soak --seed S --run-dir DIR`` from each tree) and
exits 0 when they are the same, 1 naming the first difference of each file, 2 on a folder that
is not a finished soak's:

    python bench/soak_same.py BEFORE_DIR AFTER_DIR [--new-invariant NAME ...]

``--new-invariant NAME`` (repeatable): an invariant the after tree judges and the before tree does
not have; its verdict is taken out of both sides wherever it appears (a key of that name, a list
item whose ``name`` it is, a text naming it), so what is compared is everything else. The
history, which records no verdict, is compared whole either way.

What is compared, with the fields that measure the machine rather than the simulation dropped
(``VOLATILE``, at any depth: wall and CPU times, the resource sampler's samples, real callback
durations, start times, the machine's load average at the start and end (``machine``), paths and
the journal's per-line CRC, which covers those):

- ``history.jsonl`` and ``journal.jsonl``, line by line;
- ``summary.json`` whole, and ``report.json``'s verdict, stability, audio, faults, recovery and
  frames.

The leak judgement of a process's RSS (``rss_bytes``) is left out of the verdicts compared: it
reads the process's memory, which two processes of one tree do not share either (on a soak
shorter than an hour it can be "inconclusive" in one and pass in the other); the verdict's other
reasons are printed for both.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: keys whose values are the machine's, not the simulation's
VOLATILE = frozenset({
    "started_at", "command", "commit", "host", "python", "wall_s", "wall_s_total", "samples",
    "budget_overruns", "speed_x_realtime", "cpu_s", "run_dir", "generated_at", "wall", "cpu_x",
    "path", "run_id", "generated", "started", "ended", "real_s", "report_dir", "timing",
    "resources", "cb", "leaks", "callback_duration_s", "callback_load", "callbacks_histogram",
    "crc", "cpu", "history", "wall_time_s", "headline", "doubts", "notes", "rss_bytes", "reasons",
    "leaks_inconclusive", "load_1min_start", "load_1min_end",
})
LINE_FILES = ("history.jsonl", "journal.jsonl")
REPORT_KEYS = ("verdict", "stability", "audio", "faults", "recovery", "frames")


class NotASoak(Exception):
    """A folder without the files a finished soak writes."""


def strip(value: Any) -> Any:
    """``value`` without the ``VOLATILE`` keys, at any depth."""
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


def without(value: Any, names: frozenset[str]) -> Any:
    """``value`` with every trace of the invariants ``names`` taken out, at any depth."""
    if not names:
        return value
    if isinstance(value, dict):
        return {k: without(v, names) for k, v in value.items()
                if k not in names and value.get("name") not in names}
    if isinstance(value, list):
        kept = [v for v in value if not (isinstance(v, dict) and v.get("name") in names)]
        return [without(v, names) for v in kept]
    if isinstance(value, str) and any(n in value for n in names):
        return "(names a new invariant)"
    return value


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as exc:
        raise NotASoak(f"{path}: cannot be read ({exc.strerror}); give the run folder of a finished "
                       "soak (soundcheck soak --run-dir DIR)") from None


def lines(path: Path, new: frozenset[str] = frozenset()) -> Iterator[str]:
    """Each line of a JSONL file, stripped (and without the ``new`` invariants) in a canonical form."""
    for n, line in enumerate(_read(path).splitlines(), 1):
        if line.strip():
            try:
                yield json.dumps(without(strip(json.loads(line)), new), sort_keys=True)
            except json.JSONDecodeError:
                raise NotASoak(f"{path}: line {n} is not JSON; give the run folder of a finished soak") from None


def document(path: Path, keys: tuple[str, ...] | None) -> dict[str, Any]:
    try:
        doc = json.loads(_read(path))
    except json.JSONDecodeError:
        raise NotASoak(f"{path}: not JSON; give the run folder of a finished soak") from None
    return {k: doc.get(k) for k in keys} if keys else doc


def compare(a: Path, b: Path, new: frozenset[str] = frozenset()) -> int:
    """Print one line a file (its two digests and same/DIFFER) and the first difference; the
    number of files that differ. ``new``: the invariants taken out of both sides."""
    differ = 0
    for name in LINE_FILES:
        la, lb = list(lines(a / name, new)), list(lines(b / name, new))
        da = hashlib.sha256("\n".join(la).encode()).hexdigest()[:16]
        db = hashlib.sha256("\n".join(lb).encode()).hexdigest()[:16]
        print(f"{name}: {len(la)} / {len(lb)} lines, {da} / {db}: {'same' if la == lb else 'DIFFER'}")
        if la != lb:
            differ += 1
            first = next((i for i, (x, y) in enumerate(zip(la, lb)) if x != y), min(len(la), len(lb)))
            print(f"  first difference at line {first + 1}:\n  A {la[first][:400] if first < len(la) else '(end)'}"
                  f"\n  B {lb[first][:400] if first < len(lb) else '(end)'}")
    for name, keys in (("summary.json", None), ("report.json", REPORT_KEYS)):
        ja, jb = without(document(a / name, keys), new), without(document(b / name, keys), new)
        for label, doc in (("A", ja), ("B", jb)):
            verdict = doc.get("verdict") or {}
            others = [r for r in verdict.get("reasons", []) if "rss_bytes" not in r]
            print(f"  {name} {label}: {verdict.get('outcome')}; reasons but the RSS judgement's: {others}")
        sa, sb = json.dumps(strip(ja), sort_keys=True), json.dumps(strip(jb), sort_keys=True)
        print(f"{name}: {'same' if sa == sb else 'DIFFER'}")
        if sa != sb:
            differ += 1
            for k in sorted(set(ja) | set(jb)):
                if k not in VOLATILE and strip(ja.get(k)) != strip(jb.get(k)):
                    print(f"  {k}: {str(strip(ja.get(k)))[:300]}\n  vs {str(strip(jb.get(k)))[:300]}")
    return differ


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--new-invariant", action="append", default=[],
                    help="an invariant only the after tree judges: left out of both sides (repeatable)")
    args = ap.parse_args()
    try:
        return 1 if compare(args.before, args.after, frozenset(args.new_invariant)) else 0
    except NotASoak as exc:
        print(f"soak_same: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
