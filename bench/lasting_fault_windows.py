"""How many fault firings read "nothing seen" whose fault was still acting when their outcome
window closed: the figure behind ``harness.fault_outcomes``' window for lasting faults.

Why: a firing's window is closed by the first metrics sample at or after its window's end. A
lasting fault (a stall, a dropout, a buffer exhaustion, a slow DSP stage with ``duration_s``)
records no end at its start, so a window counted from its start alone can close while the fault
still acts, and what the fault causes late in its own span then reads "nothing seen". This runs the
healthy system, folds each run's history with the tree's own ``FaultOutcomeFold`` (watching when
each firing leaves the fold's open list) and counts, per kind, the firings whose outcome is
``nothing_seen`` and whose ``fault_end`` came after the sample that closed their window.

    PYTHONPATH=$PWD .venv/bin/python bench/lasting_fault_windows.py --seeds 20 --first-seed 90301 \
        --profiles default,hostile --duration 20 [--config FILE.toml] [--runs] [--paths]

``--paths`` also prints, for ``stall`` and ``sample_rate_change``, how many firings the fold
would judge (``_Firing.judged``), how many of those reached their path and what the others became,
and how many runs would read one of them missed were they judged. ``--runs`` also prints each run's verdict, its outcomes and a digest of its summary without the
wall-clock figures (two trees' runs of one seed compare by it). It reads the fold's ``_open`` and
``_done`` lists, which every tree since the window's fold has, so it runs against any such tree
(``PYTHONPATH=OTHER_TREE``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

from harness import ReliabilityRun, RunSpec
from harness.fault_outcomes import FaultOutcomeFold, late_counter, run_period

#: summary keys that vary with the machine (wall clock, CPU, measured durations) or the temporary folder
VOLATILE = ("spec", "history", "wall_s", "speed_x_realtime", "cpu", "callback_duration_s", "machine")


class ClosingWatch(FaultOutcomeFold):
    """The tree's fold, noting the time of the metrics sample that closed each firing's window."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.closed_at: dict[Any, float] = {}

    def feed(self, e: Any) -> None:
        before = {id(f) for f in self._open}
        super().feed(e)
        if e.get("type") == "metrics":
            for f in self._done:
                if id(f) in before and f.firing_id not in self.closed_at:
                    self.closed_at[f.firing_id] = float(e.get("time") or 0.0)


#: the kinds whose firings' judgement is measured (``--paths``): reported, not judged, before
#: their paths were measured
MEASURED_KINDS = ("stall", "sample_rate_change")


def path_readings(fold: FaultOutcomeFold) -> tuple[Counter[str], bool]:
    """For each of ``MEASURED_KINDS``: its firings, those the fold would judge (``_Firing.judged``),
    those of them that reached their path, and the judged ones that did not by their outcome; and
    whether the run would read one of these kinds missed (judged firings, none reaching its path)."""
    counts: Counter[str] = Counter()
    missed = False
    for kind in MEASURED_KINDS:
        mine = [f for f in [*fold._done, *fold._open] if f.kind == kind]
        judged = [f for f in mine if f.judged and f.outcome not in (None, "not_observed")]
        counts[f"{kind} fired"] += len(mine)
        counts[f"{kind} judged"] += len(judged)
        counts[f"{kind} judged, reached"] += sum(f.reached for f in judged)
        for f in judged:
            if not f.reached:
                counts[f"{kind} judged, not reached: {f.outcome}"] += 1
        missed |= bool(judged) and not any(f.reached for f in mine)
    return counts, missed


def still_acting(entries: list[dict[str, Any]], counters: dict[str, Any] | None
                 ) -> tuple[Counter[str], Counter[str], ClosingWatch]:
    """(kind -> firings read ``nothing_seen``, kind -> those of them whose fault ended after the
    sample that closed their window, or never ended, the fold)."""
    fold = ClosingWatch(period=run_period(entries), counter=late_counter(counters))
    ends: dict[Any, float] = {}
    for e in entries:
        fold.feed(e)
        if e.get("type") == "fault_end":
            data = e.get("data") or {}
            if isinstance(data.get("ended_at"), (int, float)):
                ends[data.get("firing_id")] = float(data["ended_at"])
    nothing, acting = Counter(), Counter()
    for f in [*fold._done, *fold._open]:
        if f.outcome != "nothing_seen":
            continue
        nothing[f.kind] += 1
        closed = fold.closed_at.get(f.firing_id)
        if closed is not None and ends.get(f.firing_id, float("inf")) > closed:
            acting[f.kind] += 1
    return nothing, acting, fold


def summary_digest(summary: dict[str, Any]) -> str:
    """sha256 (16 hex) of the summary without its wall-clock, CPU and measured-duration figures."""
    kept = {k: v for k, v in summary.items() if k not in VOLATILE}
    return hashlib.sha256(json.dumps(kept, sort_keys=True, default=str).encode()).hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--first-seed", type=int, default=90301)
    ap.add_argument("--duration", type=float, default=20.0)
    ap.add_argument("--profiles", default="default,hostile")
    ap.add_argument("--config", type=Path, help="a system configuration file (TOML) for every run")
    ap.add_argument("--runs", action="store_true", help="print each run's verdict, outcomes and summary digest")
    ap.add_argument("--paths", action="store_true",
                    help="print how the firings of stall and sample_rate_change read their paths")
    args = ap.parse_args(argv)
    config = None
    if args.config is not None:
        try:
            config = tomllib.loads(args.config.read_text())
        except (OSError, tomllib.TOMLDecodeError) as exc:
            print(f"lasting_fault_windows: {args.config}: {exc} (give a readable TOML system configuration)",
                  file=sys.stderr)
            return 2
    nothing_total, acting_total, verdicts, paths = Counter(), Counter(), Counter(), Counter()
    runs = 0
    with tempfile.TemporaryDirectory() as tmp:
        for profile in args.profiles.split(","):
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                result = ReliabilityRun(RunSpec(backend="sim", duration_s=args.duration, seed=seed, faults=profile,
                                                config=config, report_root=Path(tmp))).execute(reports=False)
                entries = [e.to_dict() for e in result.history]
                counters = next((e.get("data", {}).get("counters") for e in reversed(entries)
                                 if e.get("type") == "metrics"), None)
                nothing, acting, fold = still_acting(entries, counters)
                readings, missed = path_readings(fold)
                paths.update(readings)
                paths[f"runs that would read {'/'.join(MEASURED_KINDS)} missed"] += missed
                nothing_total.update(nothing)
                acting_total.update(acting)
                runs += 1
                verdicts[result.verdict.outcome.value] += 1
                if args.runs:
                    faults = result.summary["faults"]
                    print(f"{profile} {seed}: {result.verdict.outcome.value} summary {summary_digest(result.summary)}"
                          f" outcomes {json.dumps(faults['outcomes'], sort_keys=True)}"
                          f" path_missed {sorted(faults.get('path_missed') or {})}", flush=True)
    print(f"runs: {runs} ({', '.join(f'{n} {v}' for v, n in sorted(verdicts.items()))})")
    print(f"nothing seen: {sum(nothing_total.values())} "
          f"({', '.join(f'{k} {n}' for k, n in sorted(nothing_total.items())) or 'none'})")
    print(f"nothing seen, the fault still acting when its window closed: {sum(acting_total.values())} "
          f"({', '.join(f'{k} {n}' for k, n in sorted(acting_total.items())) or 'none'})")
    if args.paths:
        for key in sorted(paths):
            print(f"{key}: {paths[key]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
