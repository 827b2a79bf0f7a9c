"""What a finished soak's end costs, part by part, by thread CPU: the history read back, the
end-of-run checks (each checker), and the journal read back with its shape check.

    PYTHONPATH=$PWD .venv/bin/python bench/end_phase_parts.py RUN_DIR [--no-per-checker]

``RUN_DIR`` is a soak's folder (``history.jsonl`` and ``journal.jsonl``). A benchmark, not a test:
it reads the files only (no report is written) and prints figures.

Why: an 8-hour simulated soak spends ~25-30 s of its ~210-250 s of CPU after the run, in the
end-of-run checks (``check_all`` over ~970 000 history lines streamed back from the file) and the
reports (``write_reports``, which reads the ~90 MB journal back and validates every record's
shape). ``bench/cpu_parts.py`` weighs those two as wholes inside a soak; this weighs what is
inside them on the soak's own files, one part at a time, so a change to one checker or reader can
be weighed without running the soak again (issue #17).

Printed, each as thread CPU (``time.thread_time``, so the machine's load does not enter it, though
a busy machine's caches do):

- ``read``: one bare pass over the history (``iter(History.open_jsonl(...))``): the parse of every
  line, which ``check_all`` pays once;
- ``check_all``: the end-of-run checks as a run calls them, without a system (``check_all(history,
  None)``), and the number of verdicts that held;
- per checker (unless ``--no-per-checker``): a second ``check_all`` with its ``timings`` read on the
  thread CPU clock instead of ``perf_counter`` (``harness.invariants``' own name ``time`` is
  pointed at a namespace whose ``perf_counter`` is ``thread_time``, in this process only). Each
  checker's feed calls are timed one by one, and a thread-CPU read is a system call (~0.3-1 us),
  so the sum is above the untimed ``check_all``: read the rows as shares, not as seconds saved;
- ``read_journal``: the journal read back (``harness.journal.read_journal``), and of it the shape
  check (``_shape_problem``: every record validated by its pydantic model).
"""

from __future__ import annotations

import argparse
import sys
import time
import types
from pathlib import Path


def _history_parts(history_path: Path, per_checker: bool) -> None:
    from harness import invariants  # noqa: PLC0415
    from harness.history import History  # noqa: PLC0415

    history = History.open_jsonl(history_path)
    t0 = time.thread_time()
    entries = sum(1 for _ in history)
    read = time.thread_time() - t0
    t0 = time.thread_time()
    verdicts = invariants.check_all(history, None)
    whole = time.thread_time() - t0
    held = sum(1 for v in verdicts if v.ok)
    print(f"history {history_path}: {entries} entries")
    print(f"  read (one bare pass)      {read:8.2f} s CPU")
    print(f"  check_all (no system)     {whole:8.2f} s CPU; {held}/{len(verdicts)} verdicts held")
    if not per_checker:
        return
    timings: dict[str, float] = {}
    own_time = invariants.time
    invariants.time = types.SimpleNamespace(perf_counter=time.thread_time)  # type: ignore[assignment]
    try:
        t0 = time.thread_time()
        invariants.check_all(history, None, timings=timings)
        timed = time.thread_time() - t0
    finally:
        invariants.time = own_time
    print(f"  check_all, each checker timed: {timed:.2f} s CPU (the timing's own reads included); shares:")
    for name, seconds in sorted(timings.items(), key=lambda kv: -kv[1]):
        print(f"    {100 * seconds / timed:5.1f} %  {seconds:7.2f} s  {name}")


def _journal_parts(journal_path: Path) -> None:
    from harness import journal  # noqa: PLC0415

    shape_problem = journal._shape_problem
    spent = [0.0]

    def timed_shape_problem(kind: str, rec: dict) -> str | None:
        t0 = time.thread_time()
        try:
            return shape_problem(kind, rec)
        finally:
            spent[0] += time.thread_time() - t0

    journal._shape_problem = timed_shape_problem  # type: ignore[assignment]
    try:
        t0 = time.thread_time()
        data = journal.read_journal(journal_path)
        whole = time.thread_time() - t0
    finally:
        journal._shape_problem = shape_problem  # type: ignore[assignment]
    print(f"journal {journal_path}: {data.lines} lines, {len(data.problems)} problem(s)")
    print(f"  read_journal              {whole:8.2f} s CPU; of it the shape check {spent[0]:.2f} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("run_dir", type=Path, help="a soak's folder (history.jsonl, journal.jsonl)")
    ap.add_argument("--no-per-checker", action="store_true", help="skip the second, per-checker check_all")
    args = ap.parse_args(argv)
    history_path, journal_path = args.run_dir / "history.jsonl", args.run_dir / "journal.jsonl"
    missing = [str(p) for p in (history_path, journal_path) if not p.is_file()]
    if missing:
        print(f"end_phase_parts: {', '.join(missing)} not found; give a soak's run folder "
              "(soundcheck soak --run-dir DIR)", file=sys.stderr)
        return 2
    _history_parts(history_path, not args.no_per_checker)
    _journal_parts(journal_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
