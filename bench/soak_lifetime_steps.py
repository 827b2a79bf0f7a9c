"""A resumed soak's process lifetimes: each one's first and last pymalloc and RSS sample, the step
from one lifetime's end to the next one's start, and the pymalloc bytes the journal a resume parses
holds (the journal cut where that lifetime began, parsed in this process, measured kept and let go).

    PYTHONPATH=$PWD .venv/bin/python bench/soak_lifetime_steps.py RUN_DIR [RUN_DIR ...]

Why: a healthy simulated soak resumed every 10 minutes stepped pymalloc's bytes up ~5 MB at each
resume, which its leak judge read as growth (bench/RESULTS.md, issue #11); the steps beside the
bytes a parsed journal holds tell whether the resume's own parse is what a lifetime starts with.
Exit 2 (nothing written) on a folder without a readable soak journal.
"""

from __future__ import annotations

import gc
import sys
import tempfile
from pathlib import Path

from harness.allocator import pymalloc_in_use_bytes
from harness.journal import JournalError, read_journal
from harness.reports.build import run_data_from_journal
from soak_hourly_means import folders_main  # the script's folder is first on sys.path


def _held_by_parse(journal: Path, first_line_of_segment: int) -> tuple[float, float]:
    """pymalloc's bytes (MB) a parse of the journal's first lines holds, kept and after it is let go."""
    lines = journal.read_bytes().split(b"\n")[:first_line_of_segment]
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / journal.name).write_bytes(b"\n".join(lines) + b"\n")
        gc.collect()
        before = pymalloc_in_use_bytes() or 0
        data = read_journal(folder)
        gc.collect()
        kept = (pymalloc_in_use_bytes() or 0) - before
        del data
        gc.collect()
        let_go = (pymalloc_in_use_bytes() or 0) - before
    return kept / 1e6, let_go / 1e6


def _segment_starts(journal: Path) -> dict[int, int]:
    """Each later segment's first checkpoint line (0-based) in the journal."""
    starts: dict[int, int] = {}
    data = read_journal(journal.parent)
    by_index = {c["index"]: c for c in data.checkpoints}
    del data
    for n, line in enumerate(journal.read_bytes().split(b"\n")):
        if b'"type":"checkpoint"' in line:
            index = int(line.split(b'"index":', 1)[1].split(b",", 1)[0])
            segment = int((by_index.get(index) or {}).get("segment", 0))
            starts.setdefault(segment, n)
    return starts


def _lifetimes(run_dir: Path) -> list[str]:
    journal = run_dir / "journal.jsonl"
    if not journal.is_file():
        raise ValueError(f"{journal}: no soak journal there; give a soak's run folder")
    try:
        samples = run_data_from_journal(journal).samples
        starts = _segment_starts(journal)
    except (JournalError, OSError) as exc:
        raise ValueError(f"{journal}: not readable as a soak journal ({exc})") from None
    if not samples or not all("pymalloc_in_use_bytes" in s and "rss_bytes" in s for s in samples):
        raise ValueError(f"{journal}: samples lack pymalloc_in_use_bytes or rss_bytes (an allocator-sampled soak has them)")
    ends: dict[int, list[dict]] = {}
    for s in samples:
        ends.setdefault(int(s.get("segment", 0)), []).append(s)
    lines, previous = [f"{run_dir}:"], None
    for segment in sorted(ends):
        first, last = ends[segment][0], ends[segment][-1]
        line = (f"  lifetime {segment}: pymalloc {first['pymalloc_in_use_bytes'] / 1e6:.1f} -> "
                f"{last['pymalloc_in_use_bytes'] / 1e6:.1f} MB, RSS {first['rss_bytes'] / 1e6:.1f} -> "
                f"{last['rss_bytes'] / 1e6:.1f} MB")
        if previous is not None:
            line += f", step {(first['pymalloc_in_use_bytes'] - previous) / 1e6:+.1f} MB"
        if segment > 0 and segment in starts:
            kept, let_go = _held_by_parse(journal, starts[segment])
            line += f"; its resume's parse holds {kept:.2f} MB kept, {let_go:.2f} MB let go"
        lines.append(line)
        previous = last["pymalloc_in_use_bytes"]
    return lines


def main(argv: list[str]) -> int:
    return folders_main("soak_lifetime_steps", _lifetimes, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
