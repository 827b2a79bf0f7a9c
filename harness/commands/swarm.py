"""``soundcheck swarm``: thousands of seeded simulated runs on Dask distributed, failures shrunk.

Exit status: 0 every seed passed, 1 a seed failed, 3 no seed failed but one was inconclusive (or
could not be run: ``--resume`` runs it again), or the swarm was stopped (Ctrl-C, SIGTERM) before
every seed ran (its summary and report say so), 2 bad input.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..durations import duration_arg, run_duration_arg
from ..inputs import refuse_unused
from ..sut_protocol import add_system_option


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("swarm", help="many seeded simulated runs on Dask; failures shrunk to scenarios",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", default=None, help="seeds: 1-10000, 7, or 1-5,9 (required unless --resume)")
    # each seed is a run: at most a run's longest duration (``99999999d`` is a typo that ran for ever)
    p.add_argument("--duration", type=run_duration_arg, default=None,
                   help="simulated time per seed: 60, 60s, 5m, at most 31d (required unless --resume)")
    p.add_argument("--workers", type=int, default=None,
                   help="local worker processes (default one per core; refused with --scheduler)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT", default=None,
                   help="an existing Dask scheduler (default: start a local cluster)")
    p.add_argument("--faults", default=None,
                   help="swarm (each seed draws its own fault kinds; default) or a built-in profile "
                        "(none, gentle, default, hostile, outages); not a profile file")
    p.add_argument("--mutant", metavar="NAME", default=None,
                   help="swarm a deliberately broken variant of the system (harness/mutants.py)")
    p.add_argument("--out", type=Path, default=None, help="swarm folder (default reports/swarm-<time>)")
    p.add_argument("--resume", type=Path, metavar="DIR", default=None,
                   help="carry on the swarm in DIR: seeds already in its swarm.jsonl are skipped")
    p.add_argument("--seed-timeout", type=duration_arg, default=None, metavar="DURATION",
                   help="stop a seed still running after this much wall time (e.g. 10m): it is "
                        "inconclusive, grouped as timeout (default: no bound)")
    p.add_argument("--no-shrink", action="store_true", help="do not shrink the failures")
    p.add_argument("--shrink-runs", type=int, default=None,
                   help="at most this many runs to shrink each distinct failure (default 150)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_system_option(p)
    p.add_argument("--db", type=Path, default=None,
                   help="run-history database each seed is recorded in (kind swarm; default "
                        "$SOUNDCHECK_HISTORY_DB or reports/history.sqlite)")
    p.add_argument("--no-history", action="store_true", help="do not record the seeds in the run-history database")
    p.set_defaults(func=handler)


def _sigterm_as_ctrl_c() -> Callable[[], None]:
    """SIGTERM (a CI job cancelled, ``kill``) stops the swarm as Ctrl-C does: its cluster closed, its
    temp folder removed, its summary written marked interrupted. Without it the driver died at
    once, leaving its temp folder and worker semaphores behind and no summary. Returns the
    function that puts the previous handler back."""
    def stop(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (main() called from a thread): leave SIGTERM alone
        return lambda: None
    return lambda: signal.signal(signal.SIGTERM, previous)


def _remove_new_folder(out: Path) -> None:
    """Remove the swarm folder this command made for a swarm refused before any seed ran: its
    saved spec and an empty seed log, then the folder if nothing else is in it."""
    from ..swarm import SPEC_FILE, SWARM_FILE

    for name in (SPEC_FILE, SWARM_FILE):
        path = out / name
        if path.is_file() and (name == SPEC_FILE or path.stat().st_size == 0):
            path.unlink()
    with contextlib.suppress(OSError):
        out.rmdir()


def _print_groups(summary: dict[str, Any]) -> None:
    """One line per group of failing seeds and per reason of inconclusive ones, then the swarm's
    verdict: a swarm with an inconclusive seed is never said to have passed."""
    from ..swarm import group_title

    for g in summary["failures"]:
        print(f"  FAIL {group_title(g)}: {g['count']} seed(s), first {g['seeds'][0]}")
    for g in summary.get("inconclusive") or ():
        print(f"  INCONCLUSIVE {g['reason']}: {g['count']} seed(s), first {g['seeds'][0]}")
    if summary.get("rerun_seeds"):
        print(f"  RERUN {len(summary['rerun_seeds'])} seed(s) whose worker died before they finished (killed or crashed), "
              f"first {summary['rerun_seeds'][0]}")
    print(f"  verdict: {str(summary.get('verdict', '')).upper()}")


def handler(args: argparse.Namespace) -> int:
    from ..errors import UsageError
    from ..swarm import SwarmSpec, interrupted_result, prepare_out_dir, run_swarm, write_outputs

    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers must be at least 1, got {args.workers}")
    refuse_unused([("--db", args.no_history and args.db is not None)],
                  because="with --no-history: nothing is recorded", fix="give one of them")
    refuse_unused([("--shrink-runs", args.no_shrink and args.shrink_runs is not None)],
                  because="with --no-shrink: no failure is shrunk", fix="give one of them")
    refuse_unused([("--workers", args.scheduler is not None and args.workers is not None)],
                  because="with --scheduler: the scheduler's own workers run the seeds",
                  fix="give one of them (--workers starts a local cluster of that many)")
    if args.shrink_runs is None:
        args.shrink_runs = 150
    if args.shrink_runs < 1:
        raise UsageError(f"--shrink-runs must be at least 1, got {args.shrink_runs}")
    if args.resume is not None and args.out is not None:
        raise UsageError("give either --out (a new swarm) or --resume (carry one on), not both")
    given = None
    if args.resume is None:
        missing = [n for n, v in (("--seeds", args.seeds), ("--duration", args.duration)) if v is None]
        if missing:
            raise UsageError(f"a swarm needs {' and '.join(missing)} (or --resume DIR)")
        given = SwarmSpec(args.seeds, args.duration, args.faults or "swarm", args.mutant, args.system)
    elif any(v is not None for v in (args.seeds, args.duration, args.faults, args.mutant, args.system)):
        given = SwarmSpec(args.seeds, args.duration, args.faults, args.mutant, args.system)  # type: ignore[arg-type]
    if args.mutant is not None and args.system is not None:
        raise UsageError("--mutant and --system: a mutant is a broken AudioSystem; give one of them")
    if given is not None and given.seeds is not None:
        from ..swarm import parse_seeds, profile_of
        parse_seeds(given.seeds)  # bad input is refused before a folder or a cluster exists
        if given.duration_s is not None:
            from ..runner import check_holds_a_block
            check_holds_a_block(given.duration_s, None)
        if given.faults is not None:
            profile_of(given.faults, 1)
        if given.system is not None:
            from ..sut_protocol import load_system
            load_system(given.system)
        if given.mutant is not None:
            from ..mutants import MUTANTS
            if given.mutant not in MUTANTS:
                raise UsageError(f"--mutant: unknown mutant {given.mutant!r} (known: {', '.join(MUTANTS)})")
    fresh = args.resume is None and not (args.out is not None and Path(args.out).exists())
    spec, out = prepare_out_dir(given, args.out, args.resume)
    restore = _sigterm_as_ctrl_c()
    t0 = time.perf_counter()
    try:
        result = run_swarm(spec, out, scheduler=args.scheduler, workers=args.workers, progress=not args.quiet,
                           history_db=False if args.no_history else args.db, seed_timeout_s=args.seed_timeout)
    except UsageError:
        if fresh:  # refused before a seed ran (a scheduler that is not there): no folder left behind
            _remove_new_folder(out)
        raise
    except KeyboardInterrupt:
        # Ctrl-C or SIGTERM: the seeds done are on file; the summary and report say the swarm was
        # stopped (inconclusive at best, a failing seed still fails), never nothing at all
        result = interrupted_result(spec, out, time.perf_counter() - t0)
    finally:
        restore()
    if result.interrupted:
        write_outputs(result)
        o = result.summary["outcomes"]
        print(f"soundcheck swarm: INTERRUPTED: {result.summary['seeds_done']} of {result.summary['seeds_total']} "
              f"seeds run: pass {o['pass']}, fail {o['fail']}, inconclusive {o['inconclusive']}; the rest not run, "
              f"so the swarm cannot pass; `soundcheck swarm --resume {out}` carries it on")
        _print_groups(result.summary)
        print(f"  swarm folder: {out} (swarm.jsonl, summary.json, report.md)")
        return result.exit_code
    if result.history_db_warning:
        import sys
        print(f"soundcheck: warning: the seeds were NOT all recorded in the run-history database: "
              f"{result.history_db_warning}; swarm.jsonl has every seed", file=sys.stderr)
    if not args.no_shrink:
        from ..shrink import shrink_swarm_failures
        result.shrunk = shrink_swarm_failures(result, max_runs=args.shrink_runs)
    write_outputs(result)
    o = result.summary["outcomes"]
    print(f"soundcheck swarm: {result.summary['seeds_done']} of {result.summary['seeds_total']} seeds: "
          f"pass {o['pass']}, fail {o['fail']}, inconclusive {o['inconclusive']}"
          + (f", not run {len(result.errors)}" if result.errors else "")
          + f"; this run: {result.session_simulated_s / 3600:.2f} simulated h in {result.wall_s:.1f} s on "
            f"{result.workers} worker(s) ({result.summary['sim_hours_per_wall_hour']} sim h/wall h)")
    _print_groups(result.summary)
    for sh in result.shrunk:
        print(f"  shrunk {sh.get('signature')} (seed {sh['seed']}): {sh['faults_before']} -> {sh['faults_after']} "
              f"fault(s), {sh['duration_before']:g} -> {sh['duration_after']:g} s"
              + (f"; scenario {sh['scenario']}" if sh.get("scenario") else ""))
    print(f"  swarm folder: {out} (swarm.jsonl, summary.json, report.md)")
    return result.exit_code
