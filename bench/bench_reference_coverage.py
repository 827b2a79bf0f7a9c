"""How much of a healthy take ``analyze glitches --reference`` leaves uncompared at its ends.

For every condition of ``bench_analysis.REFERENCE_CONDITIONS`` and every program material, one
undamaged 2 s take through the simulated path: the loud frames the track never followed
(``ReferenceReport.unfollowed_frames``), out of the loud frames it looked for, and whether the
report is ``partial``. ``reference_compare.PARTIAL_MIN_S`` must lie above what healthy takes lose
at their edges and below what a lost track loses.

    .venv/bin/python bench/bench_reference_coverage.py [--only TEXT]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_analysis as B  # noqa: E402

from harness import reference_compare as R  # noqa: E402
from harness.errors import AnalysisError  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", metavar="TEXT", action="append", default=[],
                    help="only the conditions whose name contains TEXT (repeatable)")
    args = ap.parse_args()
    print(f"{'condition':46s} {'material':12s} {'unfollowed':>10s} {'loud':>7s}  partial")
    for cond, params in B.REFERENCE_CONDITIONS.items():
        if args.only and not any(t in cond for t in args.only):
            continue
        kw = dict(params)
        kw.pop("quantize", None)
        for mi, kind in enumerate(R.PROGRAM_KINDS):
            rng = np.random.default_rng(mi)
            ref = R.program_material(kind, 2.0, B.FS, seed=mi)
            rec = R.through_system(ref, B.FS, delay_frames=float(rng.uniform(200, 900)), tail_frames=2000,
                                   seed=mi, **kw)
            try:
                rep = R.compare_to_reference(rec, ref, B.FS)
            except AnalysisError:
                print(f"{cond:46s} {kind:12s} {'refused':>10s}")
                continue
            print(f"{cond:46s} {kind:12s} {rep.unfollowed_frames:10d} {rep.loud_frames:7d}  {rep.partial}",
                  flush=True)


if __name__ == "__main__":
    main()
