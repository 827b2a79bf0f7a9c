"""What each fault kind's firings became in healthy simulated runs, and which kinds a run would
call "missed": the figures behind ``harness.fault_outcomes``' window and its ``PATH_OF_KIND``.

Why: a kind named in ``PATH_OF_KIND`` none of whose observed firings reached its path makes a
run INCONCLUSIVE (``faults.path_missed``). Before a kind is named there, its firings in healthy
runs must be seen to reach that path (a healthy run that reads "missed" is a false alarm); and a
firing's window must be long enough, at the run's own period, for what the system saw to fall
inside it. This runs the healthy system and prints, per run, its ``faults.outcomes``, the kinds
its summary calls missed, the kinds that *would* be missed were the candidate paths below judged,
the system's state at each ``dropout`` firing (how many met a system that had already failed), and a digest of its summary
without the wall-clock figures (two trees' runs of one seed compare by it).

    PYTHONPATH=$PWD .venv/bin/python bench/fault_outcome_paths.py --seeds 3 --first-seed 88501 \
        --profiles default,hostile --duration 20 [--config FILE.toml] [--quiet]

It uses only the run's public results, so it runs against any tree (``PYTHONPATH=OTHER_TREE``).
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

#: the path each kind is injected to reach, as the outcomes name it: the candidates measured here
CANDIDATE_PATHS = {"xrun": "xrun", "stall": "stall", "dropout": "device_error", "callback_raises": "error"}
#: summary keys that vary with the machine (measured callback durations, CPU, load) or the temporary
#: folder, not with the run
VOLATILE = ("spec", "history", "wall_s", "speed_x_realtime", "cpu", "callback_duration_s", "machine")


def summary_digest(summary: dict[str, Any]) -> str:
    """sha256 (16 hex) of the summary without its wall-clock, CPU and measured-duration figures."""
    kept = {k: v for k, v in summary.items() if k not in VOLATILE}
    return hashlib.sha256(json.dumps(kept, sort_keys=True, default=str).encode()).hexdigest()[:16]


def would_miss(outcomes: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Kind -> its observed outcomes, for each candidate kind none of whose observed firings
    reached its candidate path."""
    out = {}
    for kind, path in CANDIDATE_PATHS.items():
        seen = {o: n for o, n in (outcomes.get(kind) or {}).items() if o not in ("not_observed", "never_served")}
        if seen and not seen.get(path):
            out[kind] = seen
    return out


def dropout_states(entries: list[dict[str, Any]]) -> Counter[str]:
    """The system's recorded state at each ``dropout`` firing, counted (a skipped firing records
    no ``fault_start``, so it is not among them), and under ``failed, then left it`` the firings
    into a failed system that the system left ``failed`` before the dropout ended (a lifecycle
    storm's recovery or restart then met the missing device)."""
    state, states, into_failed = "uninitialized", Counter(), set()
    for e in entries:
        data = e.get("data") or {}
        if e.get("type") == "transition" and data.get("component") == "system":
            state = data.get("to_state", state)
            if state != "failed" and into_failed:
                states["failed, then left it"] += len(into_failed)
                into_failed.clear()
        elif e.get("type") == "fault_start" and e.get("value") == "dropout":
            states[state] += 1
            if state == "failed":
                into_failed.add(data.get("firing_id"))
        elif e.get("type") == "fault_end" and e.get("value") == "dropout":
            into_failed.discard(data.get("firing_id"))
    return states


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--duration", type=float, default=20.0)
    ap.add_argument("--profiles", default="default,hostile")
    ap.add_argument("--config", type=Path, help="a system configuration file (TOML) for every run")
    ap.add_argument("--quiet", action="store_true", help="print the totals only")
    args = ap.parse_args(argv)
    config = None
    if args.config is not None:
        try:
            config = tomllib.loads(args.config.read_text())
        except (OSError, tomllib.TOMLDecodeError) as exc:
            print(f"fault_outcome_paths: {args.config}: {exc} (give a readable TOML system configuration)",
                  file=sys.stderr)
            return 2
    totals: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for profile in args.profiles.split(","):
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                result = ReliabilityRun(RunSpec(backend="sim", duration_s=args.duration, seed=seed, faults=profile,
                                                config=config, report_root=Path(tmp))).execute(reports=False)
                faults = result.summary["faults"]
                entries = [e.to_dict() for e in result.history]
                states = dropout_states(entries)
                fired = sum(n for state, n in states.items() if state != "failed, then left it")
                failed = states["failed"]
                for state, n in states.items():
                    totals[f"dropouts fired while {state}"] += n
                skipped = (faults.get("skipped") or {}).get("dropout") or {}
                totals["dropouts skipped"] += sum(skipped.values())
                missed = would_miss(faults["outcomes"])
                totals["runs"] += 1
                totals["dropouts fired"] += fired
                totals["dropouts into a failed system"] += failed
                totals["runs with path_missed"] += bool(faults.get("path_missed"))
                for kind in missed:
                    totals[f"runs a candidate path calls missed: {kind}"] += 1
                totals[f"verdict {result.verdict.outcome.value}"] += 1
                if not args.quiet:
                    print(f"{profile} {seed}: {result.verdict.outcome.value} summary {summary_digest(result.summary)}"
                          f" outcomes {json.dumps(faults['outcomes'], sort_keys=True)}"
                          f" path_missed {sorted(faults.get('path_missed') or {})} would_miss {missed}"
                          f" dropouts {fired} (into failed {failed})", flush=True)
    for key in sorted(totals):
        print(f"{key}: {totals[key]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
