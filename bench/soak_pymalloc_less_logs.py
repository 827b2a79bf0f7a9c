"""pymalloc's series judged with and without the system's bounded logs' bytes in it, on finished soaks.

    PYTHONPATH=$PWD .venv/bin/python bench/soak_pymalloc_less_logs.py RUN_DIR [RUN_DIR ...]

A measurement, not the judge: for each run folder, the RSS verdict as the tree's judge gives it
(``harness.reports.build._leaks``), and again with ``sut_log_bytes`` taken out of pymalloc's series
alone before ``harness.leaks.judge_pymalloc`` judges it (the allocators' sum keeps its own ``held``
subtraction, so the logs are not taken out twice). ``sut_log_bytes`` stands in for the logs' bytes
that live in pymalloc, an upper bound: it shows whether the logs' growth is what tips a healthy
hour's pymalloc series over the threshold, and whether a planted leak survives it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

import harness.leaks as leaks
from harness.journal import JournalError
from harness.reports.build import SampleFold, _leaks, run_data_from_journal

_stock_judge_pymalloc = leaks.judge_pymalloc
_logs: dict[str, Any] = {"bytes": None}


def _judge_pymalloc_less_logs(times_s: Any, values: Any, window_records: Any = None, **kw: Any) -> Any:
    """judge_pymalloc on pymalloc less the logs' bytes; the series it hands on keeps them, since
    the allocators' sum takes ``held`` (which holds them) out itself."""
    log = _logs["bytes"]
    v = np.asarray(values, dtype=np.float64)
    if log is None or len(log) != len(v):
        raise ValueError("sut_log_bytes not sampled for every judged sample")
    verdict, series, per_record = _stock_judge_pymalloc(times_s, v - log, window_records, **kw)
    return verdict, series + log, per_record


def _said(v: Any) -> str:
    late = v.pymalloc_late_slope_per_hour
    return (f"{v.verdict} ({v.shape}), pymalloc {v.pymalloc_verdict}"
            + ("" if late is None else f" late {late:.3g} B/h"))


def row(run_dir: Path) -> str:
    fold = SampleFold(run_data_from_journal(run_dir / "journal.jsonl").samples)
    if "sut_log_bytes" not in fold.present:
        return f"| {run_dir} | no sut_log_bytes column | - |"
    _logs["bytes"] = np.frombuffer(fold.values["sut_log_bytes"], dtype=np.float64)
    leaks.judge_pymalloc = _stock_judge_pymalloc
    stock = _leaks(fold)["rss_bytes"]
    leaks.judge_pymalloc = _judge_pymalloc_less_logs
    try:
        less = _leaks(fold)["rss_bytes"]
    finally:
        leaks.judge_pymalloc = _stock_judge_pymalloc
    return f"| {run_dir} | {_said(stock)} | {_said(less)} |"


def main(argv: list[str]) -> int:
    if not argv or any(a.startswith("-") for a in argv):
        print("usage: soak_pymalloc_less_logs.py RUN_DIR [RUN_DIR ...] (no options; each a soak's run folder)",
              file=sys.stderr)
        return 2
    for a in argv:
        if not (Path(a) / "journal.jsonl").is_file():
            print(f"{a}: no journal.jsonl in it; give a soak's run folder (--run-dir of harness.cli soak)",
                  file=sys.stderr)
            return 2
    print("| run | RSS verdict, stock | RSS verdict, pymalloc less sut_log_bytes |")
    print("|---|---|---|")
    for a in argv:
        try:
            print(row(Path(a)))
        except (JournalError, ValueError) as e:
            print(f"{a}/journal.jsonl: {e}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
