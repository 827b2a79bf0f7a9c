"""``soundcheck compare RUN_A RUN_B``: B (the candidate) against A (the baseline), figure by figure.

Each key figure gets a delta and a verdict (worse, better, same, n/a); the callback-duration
distributions are compared with a Mann-Whitney U test on their histograms, not a ratio of means
(see ``harness.reports.compare``). Runs that are not alike (backend, fault profile, duration class,
system, mutant) are compared anyway, with a warning first.

Exit status: 0 no regression beyond the thresholds; 1 B regressed; 3 not compared: a run did not
finish (killed, interrupted), so its figures are its cut's, not a change; 2 a folder without a
readable report.json, or a bad option.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..inputs import finite_float


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("compare", help="compare two runs: deltas, a test on callback durations",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run_a", type=Path, metavar="RUN_A", help="the baseline run folder")
    p.add_argument("run_b", type=Path, metavar="RUN_B", help="the candidate run folder")
    p.add_argument("--relative", type=finite_float(lo=0, hi=100, what="--relative"), default=0.25,
                   help="a figure without a measured spread (recovered share, RSS slope, faults; callback max and "
                        "recovery p95 from 1 h) is worse beyond this share of A (and its absolute margin); default 0.25")
    p.add_argument("--alpha", type=finite_float(lo=0, lo_open=True, hi=1, what="--alpha"), default=0.01,
                   help="the highest one-sided level of any one count test, derived margin or the Mann-Whitney "
                        "test (default 0.01)")
    p.add_argument("--family-alpha", type=finite_float(lo=0, lo_open=True, hi=1, what="--family-alpha"),
                   default=0.05, help="the chance that a healthy pair is called worse by any of those tests "
                                      "together: shared among the tests compared by Holm's rule (default 0.05)")
    p.add_argument("--min-effect", type=finite_float(lo=0, hi=0.5, what="--min-effect"), default=0.05,
                   help="B counts as slower when P(B slower) > 0.5 + this or the floor the healthy spread "
                        "sets at --alpha, whichever is larger (default 0.05)")
    p.add_argument("--html", type=Path, metavar="FILE", help="also write the comparison as HTML here")
    p.add_argument("--json", action="store_true", help="print the comparison as JSON")
    p.set_defaults(func=handler)


def load_report(run_dir: Path) -> dict[str, Any]:
    """The ``report.json`` of a run folder, or a clear exit-2 error naming the file and the fix."""
    from ..errors import InputFileError, UsageError
    from ..inputs import check_depth, read_text

    if not run_dir.exists():
        raise UsageError(f"{run_dir}: no such run folder")
    if not run_dir.is_dir():
        raise UsageError(f"{run_dir}: is a file, not a run folder; give the folder a run or soak wrote")
    path = run_dir / "report.json"
    if not path.exists():
        raise InputFileError(path, "missing; write it with `soundcheck report " + str(run_dir) + "`")
    if path.is_symlink():
        raise InputFileError(path, "is a symbolic link; soundcheck never follows links in a run folder")
    text = read_text(path, "report", max_bytes=512 * 2**20)
    check_depth(text, path, what="report", toml=False)
    try:
        report = json.loads(text)
    except ValueError as exc:
        raise InputFileError(path, f"not valid JSON: {str(exc)[:200]}; rebuild it with `soundcheck report "
                                   f"{run_dir}`") from None
    if not isinstance(report, dict) or not isinstance(report.get("verdict"), dict) \
            or not isinstance(report.get("performance"), dict):
        raise InputFileError(path, "not a soundcheck report (no 'verdict' or 'performance' section); rebuild it "
                                   f"with `soundcheck report {run_dir}`")
    return report


def _compared_run_holding(html: Path, run_dirs: tuple[Path, Path]) -> Path | None:
    """The compared run folder in which ``html`` names a file that exists already, if any: the
    comparison written over a run's ``report.json`` or ``summary.json`` would destroy the very
    evidence compared (a new file in a run folder is fine)."""
    if not (html.exists() or html.is_symlink()):
        return None
    target = html.parent.resolve() / html.name
    for run_dir in run_dirs:
        if target.is_relative_to(Path(run_dir).resolve()):
            return Path(run_dir)
    return None


def handler(args: argparse.Namespace) -> int:
    from ..reports.compare import compare_reports, render_compare_html, render_compare_text

    a, b = load_report(args.run_a), load_report(args.run_b)
    c = compare_reports(a, b, relative=args.relative, alpha=args.alpha, min_effect=args.min_effect,
                        family_alpha=args.family_alpha)
    if args.html:
        from ..errors import InputFileError
        from ..runfolder import RunFolder
        folder = args.html.parent
        compared = _compared_run_holding(args.html, (args.run_a, args.run_b))
        if compared is not None:
            raise InputFileError(args.html, f"would overwrite a file of the compared run {compared}; give "
                                            "--html a new file name (e.g. compare.html)")
        if not folder.is_dir():
            raise InputFileError(args.html, "cannot write the HTML: its folder does not exist; create it or "
                                            "give another --html")
        # atomically (a full disk leaves the previous comparison, never half a page), never through a link
        RunFolder(folder).write_text(args.html.name, render_compare_html(c))
    if args.json:
        print(json.dumps(c.to_dict(), indent=2, default=str))
    else:
        print(render_compare_text(c))
        if args.html:
            print(f"  html: {args.html}")
    if c.like_for_like and not args.json:
        print("soundcheck compare: warning: the runs are not alike: " + "; ".join(c.like_for_like), file=sys.stderr)
    if c.cut:
        return 3
    return 1 if c.regressed else 0
