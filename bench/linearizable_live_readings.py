"""The live ``linearizable`` judge's readings against a fresh judge, on recorded runs.

    PYTHONPATH=$PWD .venv/bin/python bench/linearizable_live_readings.py --seeds 92000-92019 \
        --profiles default,hostile [--duration 10]

runs each seed under each fault profile (``ReliabilityRun``, simulated device, no reports), then
records its history again entry by entry into a growing history: after every entry the kept judge
(fed that entry alone, read with ``reading()``, as ``LiveChecker`` reads it after each step) and a
judge built afresh over the history so far (``check_linearizable``, what the live check ran before
it kept its judge) must give the same verdict, message and evidence, and no reading may settle the pass; at the end
the kept judge's final verdict must be ``check_all``'s post-hoc one. Prints one line a run and a JSON summary with
the thread CPU the readings and the fresh judgements took; exits 1 if any run differs.

Why: the kept judge replaces a fresh one per step, and nothing but equal verdicts on many
histories says the replacement judges alike. A benchmark: it never fails on a slow machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ("gentle", "default", "hostile")


class _Refused(argparse.ArgumentParser):
    """Bad options: the message and exit 2, never a traceback."""

    def error(self, message: str) -> Any:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message}\n")


def _seeds(text: str) -> list[int]:
    try:
        lo, _, hi = text.partition("-")
        first, last = int(lo), int(hi or lo)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--seeds {text!r}: give FIRST-LAST or one seed, e.g. 92000-92019") from None
    if last < first:
        raise argparse.ArgumentTypeError(f"--seeds {text!r}: the last seed is below the first; give FIRST-LAST")
    return list(range(first, last + 1))


def _profiles(text: str) -> list[str]:
    """Built-in profile names, or fault-profile TOML files (``bench/storm_heavy.toml``), comma-separated."""
    names = [p for p in text.split(",") if p]
    bad = [p for p in names if p not in PROFILES and not (p.endswith(".toml") and Path(p).is_file())]
    if bad or not names:
        raise argparse.ArgumentTypeError(f"--profiles {text!r}: {', '.join(bad) or 'nothing given'} is neither one of "
                                         f"{', '.join(PROFILES)} nor an existing .toml profile file; give them "
                                         "comma-separated")
    return names


def _duration(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError(f"--duration {text!r}: give simulated seconds above 0, at most 600")
    return value


def compare_run(history: Any) -> dict[str, Any]:
    """One run's history read live entry by entry against fresh judgements
    (``tests/harness/live_readings.py``), and its end against ``check_all``."""
    from harness.invariants import check_all
    from live_readings import readings_against_fresh, verdict_key  # type: ignore[import-not-found]

    got = readings_against_fresh(history)
    final = got.judge.verdict()
    post_hoc = check_all(history, only=["linearizable"])[0]
    return {"entries": got.compared, "differ": len(got.differ), "first_differ": got.differ[:2],
            "same_end": verdict_key(final) == verdict_key(post_hoc), "whole_reason": got.judge.whole_reason,
            "verdict": "INCONCLUSIVE" if final.inconclusive else ("pass" if final.ok else "FAIL"),
            "read_cpu_s": round(got.read_s, 3), "fresh_cpu_s": round(got.fresh_s, 3)}


def each_run(profiles: list[str], seeds: list[int], duration: float,
             measure: Callable[[Any], dict[str, Any]]) -> list[dict[str, Any]]:
    """Each seed under each profile run (``ReliabilityRun``, simulated device, no reports) and its
    history measured by ``measure``: one row a run, printed as a JSON line as it ends."""
    from harness.runner import ReliabilityRun, RunSpec

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for profile in profiles:
            for seed in seeds:
                spec = RunSpec(duration_s=duration, seed=seed, faults=profile, report_root=Path(tmp))
                row = {"profile": profile, "seed": seed, **measure(ReliabilityRun(spec).execute(reports=False).history)}
                rows.append(row)
                print(json.dumps(row), flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = _Refused(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=_seeds, default=_seeds("92000-92019"), help="FIRST-LAST (default 92000-92019)")
    ap.add_argument("--profiles", type=_profiles, default=["default", "hostile"], help="comma-separated fault profiles")
    ap.add_argument("--duration", type=_duration, default=10.0, help="simulated seconds a run (default 10)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "tests" / "harness"))
    rows = each_run(args.profiles, args.seeds, args.duration, compare_run)
    bad = [r for r in rows if r["differ"] or not r["same_end"]]
    print(json.dumps({"runs": len(rows), "readings": sum(r["entries"] for r in rows), "runs_differ": len(bad),
                      "by_verdict": {k: sum(r["verdict"] == k for r in rows) for k in ("pass", "FAIL", "INCONCLUSIVE")},
                      "handed_over": sum(r["whole_reason"] is not None for r in rows),
                      "read_cpu_s": round(sum(r["read_cpu_s"] for r in rows), 3),
                      "fresh_cpu_s": round(sum(r["fresh_cpu_s"] for r in rows), 3)}))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
