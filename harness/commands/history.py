"""``soundcheck history``: the runs recorded so far, trends of key figures, regressions flagged.

A regression is tonight's figure worse than the median + k x MAD (robust spread) of the previous
N runs like it: the same kind, backend, fault profile, duration class, system and mutant; xruns/h
and failure incidents are judged as counts against the baseline's own spread; the callback p99 and
the recovered share of a run shorter than 2 simulated minutes, and the callback max, recovery p95
and speed of one shorter than 1 simulated hour (measured: the largest fault a seed drew decides
them) are shown as too short to compare (see ``harness.reports.history_db``).
"inc" is the run's failure incidents: the system's distinct episodes in FAILED (one device fault
that sends every component to FAILED and fails its retries is one), "-" for a run recorded before
they were kept.
Exit status: 0 no regression in the latest run; 1 the latest run regressed; 2 usage error; 3 not
judged: no figure of the latest run could be compared (fewer than 3 runs like it before it, or
every figure unrecorded, too short or unjudged for load).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..inputs import finite_float, int_in_range


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("history", help="runs so far, trends, and regressions",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", type=Path, help="database (default $SOUNDCHECK_HISTORY_DB or reports/history.sqlite)")
    p.add_argument("--kind", choices=["run", "soak", "scenario", "swarm"], help="only runs of this kind")
    p.add_argument("--profile", help="only runs with this fault profile")
    p.add_argument("--backend", help="only runs on this backend")
    p.add_argument("--last", type=int_in_range(1, 100_000, what="number of runs"), default=15,
                   help="how many runs to list (default 15)")
    p.add_argument("--window", type=int_in_range(1, 100_000, what="number of runs"), default=10,
                   help="runs the latest is compared with (default 10)")
    p.add_argument("-k", type=finite_float(lo=0, lo_open=True, hi=1000, what="k"), default=3.0,
                   help="how many robust deviations count as worse (default 3)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=handler)


def _f(v: Any, spec: str = ".3g") -> str:
    return "-" if v is None else format(v, spec)


def _spark(values: list[float | None]) -> str:
    bars = "▁▂▃▄▅▆▇█"
    vals = [v for v in values if v is not None]
    if not vals:
        return ""
    lo, hi = min(vals), max(vals)
    return "".join(" " if v is None else bars[0 if hi == lo else int((v - lo) / (hi - lo) * 7)] for v in values)


def _verdict(row: dict[str, Any]) -> str:
    """A row's verdict as the CLI line says it (``pass``, ``FAIL``, ``INCONCLUSIVE``): an
    inconclusive run is never shown as a failure, nor as a pass; a row whose report kept no
    outcome says only that it did not pass."""
    outcome = row.get("outcome")
    if outcome in ("fail", "inconclusive"):
        return str(outcome).upper()
    if outcome == "pass":
        return "pass"
    return "pass" if row.get("ok") else "not a pass"


#: profile names a run records besides a profile file's path and a scenario's ``scenario:<id>``:
#: the built-in profiles and the swarm's own draw
SWARM_PROFILE = "swarm"


def _names_a_run_can_record(column: str) -> list[str]:
    """The values of ``column`` a run can record whatever the database holds: the built-in fault
    profiles (and the swarm's), or the backends."""
    if column == "profile":
        from ..faults.profiles import PROFILES

        return [*PROFILES, SWARM_PROFILE]
    from ..runner import BACKENDS

    return list(BACKENDS)


def _names_a_file_or_scenario(profile: str) -> bool:
    """A profile recorded from a TOML file (its path as given) or a scenario (``scenario:<id>``)."""
    return profile.startswith("scenario:") or profile.endswith(".toml") or "/" in profile


def _refuse_unrecorded_filters(args: argparse.Namespace, db: Any | None, path: Path) -> None:
    """A ``--profile`` or ``--backend`` no run could have, or (in a database with runs) no recorded
    run has: exit 2 naming it, the closest valid value and what was recorded. Shown as "0 shown" or
    "no runs recorded yet", a misspelled filter (``--profile gentel``) reads as a history with
    nothing in it, so the name is checked whether a database exists or not. A value some run has,
    that matches nothing with the other filters, is a true empty answer and is shown as one; so is
    a valid name in a database without runs."""
    from ..errors import UsageError
    from ..inputs import closest

    for option, column in (("--profile", "profile"), ("--backend", "backend")):
        wanted = getattr(args, column)
        if wanted is None:
            continue
        known = db.recorded_values(column) if db is not None else []
        valid = _names_a_run_can_record(column)
        if known:
            if wanted in known:
                continue
            near = closest(wanted, known)
            raise UsageError(f"{option} {wanted!r}: no run in the history database has it; recorded: "
                             f"{', '.join(known)} (check its spelling"
                             + (f"; did you mean {near!r}?)" if near else ")"))
        if wanted in valid or (column == "profile" and _names_a_file_or_scenario(wanted)):
            continue
        near = closest(wanted, valid)
        where = f"{path} has no runs yet" if db is not None else f"{path} does not exist yet"
        raise UsageError(f"{option} {wanted!r}: no run can have it ({where}); "
                         + (f"did you mean {near!r}? " if near else "")
                         + f"give one of {', '.join(valid)}"
                         + (", a profile file's path or scenario:<id>" if column == "profile" else "")
                         + f", or leave {option} out")


def handler(args: argparse.Namespace) -> int:
    from ..errors import UsageError
    from ..reports.history_db import (COUNT_FIGURES, KEY_FIGURES, MIN_LIKE_RUNS, HistoryDB, default_db_path,
                                      min_exposure_s, writable)

    if args.last < 1 or args.window < 1:
        raise UsageError("--last and --window must be at least 1")
    path = args.db or default_db_path()
    # an empty file is no database any run recorded into (a recording writes its table first), and
    # opening it to be shown would write a database into a file the user may have made for another use
    empty = Path(path).is_file() and Path(path).stat().st_size == 0
    if not Path(path).exists() or empty:
        what = "is an empty file, not a run-history database" if empty else "no such database"
        if args.db is not None:  # a path the user named: a misspelling must not read as "nothing yet"
            raise UsageError(f"--db {path}: {what}; give the file runs recorded into (by default "
                             f"{default_db_path()}, or $SOUNDCHECK_HISTORY_DB), or leave --db out")
        _refuse_unrecorded_filters(args, None, Path(path))
        print(f"soundcheck history: no runs recorded yet ({path} {'is empty' if empty else 'does not exist'})")
        return 0
    # a database that cannot be written (a read-only file, folder or disk) is still shown; one that
    # can be is opened as any, so an older one is upgraded (its new columns filled) on the way
    with HistoryDB(path, readonly=not writable(Path(path))) as db:
        runs = db.runs(limit=args.last, kind=args.kind, backend=args.backend, profile=args.profile)
        if not runs:
            _refuse_unrecorded_filters(args, db, Path(path))
        regressions, judged = db.judge(runs[-1], window=args.window, k=args.k) if runs else ([], [])
        too_short = db.too_short(runs[-1], window=args.window) if runs else []
        unjudged = db.not_judged_for_load(runs[-1], window=args.window) if runs else {}
        no_cpu = db.not_judged_for_cpu(runs[-1], window=args.window) if runs else {}
        like_before = db.like_runs_before(runs[-1], window=args.window) if runs else 0
    if args.json:
        print(json.dumps({"db": str(path), "runs": runs, "regressions": [r.__dict__ for r in regressions],
                          "too_short_to_compare": too_short, "not_judged_for_load": unjudged,
                          "not_judged_for_cpu_time": no_cpu, "like_runs_before": like_before, "judged": judged},
                         indent=2, default=str))
        return 1 if regressions else (3 if runs and not judged else 0)
    print(f"run history: {path} ({len(runs)} shown)")
    print(f"{'id':>4} {'recorded':<20} {'kind':<8} {'profile':<9} {'verdict':<12} {'sim time':>9} {'inc':>4} "
          f"{'xruns/h':>8} {'cb p99 ms':>9} {'rec p95 ms':>10} {'rss MiB/h':>9}")
    for r in runs:
        print(f"{r['id']:>4} {str(r['recorded_at'])[:19]:<20} {str(r['kind']):<8} {str(r['profile']):<9} "
              f"{_verdict(r):<12} {_f(r['sim_time_s'], '.0f'):>9} {_f(r['incidents'], 'd'):>4} "
              f"{_f(r['xruns_per_hour']):>8} {_f(r['cb_p99_ms']):>9} {_f(r['recovery_p95_ms']):>10} "
              f"{_f(r['rss_slope_mib_h']):>9}")
    if len(runs) > 1:
        print("trends (oldest -> latest):")
        for fig, (_hw, _m, label) in KEY_FIGURES.items():
            vals = [r.get(fig) for r in runs]
            if any(v is not None for v in vals):
                print(f"  {label:<20} {_spark(vals)}  latest {_f(vals[-1])}")
    if too_short:
        least = {label: (f"under {min_exposure_s(fig):g} s" if fig not in COUNT_FIGURES else
                         "too few in it and its baseline for any count to decide")
                 for fig, (_hw, _m, label) in KEY_FIGURES.items()}
        print("too short to compare (one seed's draw decides them below the simulated time named): "
              + ", ".join(f"{label} ({least[label]})" for label in too_short))
    for label, why in unjudged.items():
        print(f"not judged ({label}): a wall-clock figure, compared only between runs of comparable machine "
              f"load; {why}")
    for label, why in no_cpu.items():
        print(f"not judged ({label}): {why}")
    if regressions:
        print(f"REGRESSION in run {runs[-1]['id']}:")
        for reg in regressions:
            print(f"  - {reg.describe()}")
        return 1
    if runs:
        like = ", ".join(f"{k} {runs[-1].get(k)}" for k in ("kind", "backend", "profile", "duration_class",
                                                               "system", "mutant"))
        if like_before < MIN_LIKE_RUNS:
            print(f"not judged: run {runs[-1]['id']} has {like_before} run(s) like it before it, "
                  f"{MIN_LIKE_RUNS} needed for any figure to be compared ({like})")
            return 3
        if not judged:
            print(f"not judged: no figure of run {runs[-1]['id']} could be compared with the {like_before} runs "
                  f"like it before it (none recorded, too short or not judged, as said above) ({like})")
            return 3
        print(f"no regression in run {runs[-1]['id']} against the previous {like_before} runs like it ({like})")
    return 0
