"""``soundcheck report RUN_DIR``: rebuild report.json/report.html/figures from a run's journal.

Exit status: 0 the report is complete and the run passed; 1 the run failed or the report is
partial (the HTML and JSON say what is missing); 2 no usable journal (missing, empty, no header).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import UsageError


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("report", help="rebuild a run's reports from its journal",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    p.add_argument("--db", type=Path, help="run-history database (default $SOUNDCHECK_HISTORY_DB or "
                                           "reports/history.sqlite)")
    p.add_argument("--no-history", action="store_true", help="do not record the run in the history database")
    p.set_defaults(func=handler)


def handler(args: argparse.Namespace) -> int:
    from ..reports import write_reports

    if not args.run_dir.exists():
        raise UsageError(f"{args.run_dir}: no such run folder")
    history_db = False if args.no_history else args.db
    paths = write_reports(args.run_dir, args.run_dir, history_db=history_db)
    report = paths.report
    missing = report["completeness"]["missing"]
    print(f"soundcheck report: {paths.html}")
    print(f"  {report['verdict']['headline']}")
    if missing:
        print("  partial report; missing:")
        for m in missing:
            print(f"    - {m}")
    return int(report["verdict"]["exit_code"])
