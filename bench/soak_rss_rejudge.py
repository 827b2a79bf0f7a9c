"""A finished soak's RSS series judged again by the leak judge of the tree this runs from.

    PYTHONPATH=$PWD .venv/bin/python bench/soak_rss_rejudge.py RUN_DIR [RUN_DIR ...]

For each run folder: its journal's resource samples (``journal.jsonl``, read as the report does,
``run_data_from_journal``), judged as the report judges them (``harness.reports.build._leaks``:
the RSS less what the bounded logs hold, per process lifetime), one markdown row each: the
verdict and shape, the Theil-Sen slope and the late half's (B/h), the allocators' sum's verdict
where the judge asked it (``harness.leaks``, point 7), named by the folder's path as given. Run from two trees (a main
archive and a branch), it shows what a change of the judge does to the same recorded series; the
report.json in the folder holds what the soak's own judge said.
"""

from __future__ import annotations

import sys
from pathlib import Path

from harness.journal import JournalError
from harness.reports.build import _leaks, run_data_from_journal


def _num(v: float | None) -> str:
    return "-" if v is None else format(v, ".4g")


def row(run_dir: Path) -> str:
    rd = run_data_from_journal(run_dir / "journal.jsonl")
    v = _leaks(rd.samples)["rss_bytes"]
    both = "-" if v.allocators_sum_verdict is None else f"{v.allocators_sum_verdict} ({v.allocators_sum_shape})"
    return (f"| {run_dir} | {v.samples} | {v.verdict} ({v.shape}) | {_num(v.slope_per_hour)} | "
            f"{_num(v.late_slope_per_hour)} | {both} |")


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    print("| run | samples | rss_bytes | slope B/h | late half B/h | allocators' sum |")
    print("|---|---|---|---|---|---|")
    for arg in argv:
        path = Path(arg)
        try:
            print(row(path))
        except (JournalError, OSError, KeyError, ValueError) as exc:
            print(f"| {path} | not a soak's run folder: {exc} |||||")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
