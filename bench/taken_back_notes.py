"""The ``fault_taken_back`` notes of simulated runs, and the firings whose window outlasts the run's
faults: does every note name its fault, and what does the judge make of a firing the run's end cut?

    PYTHONPATH=$PWD .venv/bin/python bench/taken_back_notes.py --first-seed S [--seeds 10]
        [--duration 60] [--profile hostile]

Why: a request a fault leaves on the device is dropped at its firing's window's end, the note naming
the fault; one whose window had not ended when the faults did was taken back by ``disarm`` in one
note per device that named none (bench/RESULTS.md, issue #11). Per run it prints the notes, those
naming no fault, those made as the faults ended (``disarm``'s), the firings whose window ends after
the faults' end (``late``) with what the judge read them as (``harness.fault_outcomes``), and the
verdict. Bad input: exit 2, a message, nothing run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench_usage import Parser, Usage


def _args(argv: list[str]) -> argparse.Namespace:
    p = Parser(prog="taken_back_notes.py", add_help=True)
    p.add_argument("--first-seed", type=int, required=True)
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--duration", type=float, default=60.0)
    p.add_argument("--profile", default="hostile")
    p.add_argument("--schedules", type=int, default=0,
                   help="also read this many seeded schedules (from --first-seed, no run) for where their last faults fall")
    a = p.parse_args(argv)
    if a.first_seed < 0 or not 0 <= a.seeds <= 1000 or not 0 <= a.schedules <= 100_000:
        raise Usage("--first-seed must be >= 0, --seeds 0..1000, --schedules 0..100000")
    if not 1.0 <= a.duration <= 3600.0:
        raise Usage(f"--duration {a.duration:g}: give 1 to 3600 simulated seconds")
    from harness.faults.profiles import PROFILES  # noqa: PLC0415
    if a.profile not in PROFILES:
        raise Usage(f"--profile {a.profile!r}: give a built-in profile ({', '.join(sorted(PROFILES))})")
    return a


def _seen(firing: Any) -> str:
    """A firing's outcome as the run reports it (a tree before ``_Firing.seen``: its outcome)."""
    from harness.fault_outcomes import NOT_OBSERVED  # noqa: PLC0415

    seen = getattr(firing, "seen", None)
    return seen if seen is not None else (firing.outcome or NOT_OBSERVED)


def one_run(seed: int, duration_s: float, profile: str, root: Path) -> dict[str, Any]:
    """One run's notes, its late firings and their outcomes, and its verdict."""
    from harness import ReliabilityRun, RunSpec  # noqa: PLC0415
    from harness.fault_outcomes import fold_history  # noqa: PLC0415

    run = ReliabilityRun(RunSpec(duration_s=duration_s, seed=seed, faults=profile, report_root=root, label="tb"))
    result = run.execute(reports=False)
    faults_end = run.injector.disarmed_at
    with open(result.run_dir / "history.jsonl", encoding="utf-8") as f:
        entries = [json.loads(line) for line in f]
    notes = [e for e in entries if e.get("type") == "note" and e.get("value") == "fault_taken_back"]
    fold = fold_history(entries)
    firings = [*fold._done, *fold._open]  # each firing with its window's end (the fold's own)
    late = [f for f in firings if faults_end is not None and f.window_end > faults_end]
    return {
        "seed": seed, "verdict": result.verdict.outcome.value, "faults_end": faults_end,
        "notes": len(notes),
        "unnamed": sum("fault_id" not in (e.get("data") or {}) for e in notes),
        "at_faults_end": sum(faults_end is not None and e["time"] >= faults_end for e in notes),
        "late": Counter(f"{f.kind}:{_seen(f)}" for f in late),
        "late_detail": [(f.kind, round(f.fired_at, 3), round(f.window_end, 3), _seen(f)) for f in late],
        "path_missed": sorted(fold.path_missed()),
    }


def late_in_schedules(profile: str, first_seed: int, count: int, duration_s: float) -> str:
    """Where the seeded schedules put their last faults: how many are drawn, how many have a window
    (at the default period: ``acts_past_end_s`` and ``settle_for``) that outlasts the run's end,
    and how many of the kinds that wait on the device fire in its last period (no block can take
    them before the faults end). Schedules only: no run."""
    from harness.faults.kinds import FAULT_KINDS  # noqa: PLC0415
    from harness.faults.profiles import PROFILES  # noqa: PLC0415
    from harness.faults.xrun_bound import acts_past_end_s, period_of, settle_for  # noqa: PLC0415

    period = period_of(None)
    waits = {kind for kind, cls in FAULT_KINDS.items() if cls.waits_on_device}
    drawn, outlast, last_period = 0, Counter(), Counter()
    for seed in range(first_seed, first_seed + count):
        for fault in PROFILES[profile].schedule(duration_s, seed).faults:
            t = getattr(fault.trigger, "time", None)
            if t is None:
                continue
            drawn += 1
            end = t + float(getattr(fault, "duration_s", 0.0) or 0.0)
            if end + acts_past_end_s(fault.kind, fault.recorded_params(), period) + settle_for(period) > duration_s:
                outlast[fault.kind] += 1
            if fault.kind in waits and t > duration_s - period.period_s:
                last_period[fault.kind] += 1
    return (f"{count} {profile} schedules of {duration_s:g} s (seeds {first_seed}-{first_seed + count - 1}): "
            f"{drawn} faults drawn; window past the run's end {sum(outlast.values())} "
            f"{dict(sorted(outlast.items()))}; waiting on the device and fired in the last "
            f"{period.period_s * 1000:.2f} ms period {sum(last_period.values())} {dict(sorted(last_period.items()))}")


def main(argv: list[str]) -> int:
    try:
        a = _args(argv)
    except Usage as exc:
        print(f"taken_back_notes: {exc}", file=sys.stderr)
        return 2
    if a.schedules:
        print(late_in_schedules(a.profile, a.first_seed, a.schedules, a.duration), flush=True)
    if not a.seeds:
        return 0
    root = Path(tempfile.mkdtemp(prefix="taken-back-"))
    totals: Counter[str] = Counter()
    late_all: Counter[str] = Counter()
    for seed in range(a.first_seed, a.first_seed + a.seeds):
        row = one_run(seed, a.duration, a.profile, root)
        for key in ("notes", "unnamed", "at_faults_end"):
            totals[key] += row[key]
        totals[row["verdict"]] += 1
        late_all.update(row["late"])
        print(f"seed {seed}: {row['verdict']}, faults ended {row['faults_end']}; notes {row['notes']}, "
              f"naming no fault {row['unnamed']}, made as the faults ended {row['at_faults_end']}; "
              f"late firings {row['late_detail']}; path missed {row['path_missed']}", flush=True)
    print(f"{a.seeds} {a.profile} runs of {a.duration:g} s (seeds {a.first_seed}-{a.first_seed + a.seeds - 1}): "
          f"notes {totals['notes']}, naming no fault {totals['unnamed']}, made as the faults ended "
          f"{totals['at_faults_end']}; verdicts pass {totals['pass']} fail {totals['fail']} inconclusive "
          f"{totals['inconclusive']}; late firings by kind:outcome {dict(sorted(late_all.items()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
