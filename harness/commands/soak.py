"""``soundcheck soak``: an overnight reliability run with a journal, resume, leak detection and reports.

    soundcheck soak --duration 8h [--backend sim|jack|portaudio] [--seed N] [--faults PROFILE|FILE.toml]
                    [--run-dir DIR] [--checkpoint 60s] [--pace X]
    soundcheck soak --resume RUN_DIR

--run-dir DIR must be a new or an empty folder: a soak writes its journal, history and reports
there, and a folder holding other files is refused (exit 2) rather than written among them.

Exit status: 0 every invariant held and no leak; 1 something failed; 2 a usage or input error (a bad
duration, profile or journal); 3 inconclusive: nothing failed, but a check could not reach a verdict
or the soak was interrupted before its end (see ``harness.verdict``), never counted as a pass.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..durations import chunk_arg, format_duration, run_duration_arg
from ..errors import UsageError
from ..inputs import finite_float, refuse_unused, seed_arg
from ..runner import BACKENDS
from ..sut_protocol import add_system_option


#: the options a soak's journal records: with ``--resume`` they would be read from it, and a value
#: given on the command line would be silently dropped
_JOURNALED = ("duration", "backend", "seed", "faults", "device", "run_dir", "report_dir", "checkpoint", "chunk",
              "program", "rig_realtime", "system")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("soak", help="a long run with checkpoints, resume, leak detection and reports",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--duration", type=run_duration_arg, default=None,
                   help="how long: 30s, 90m, 8h, 1h30m (run time: simulated on sim, wall on devices; default 8h)")
    p.add_argument("--backend", choices=BACKENDS, default=None, help="sim (the default), jack or portaudio")
    p.add_argument("--seed", type=seed_arg, default=None, help="0..2**32-1 (default 1)")
    p.add_argument("--faults", default=None,
                   help="none, gentle, default, hostile, outages (with device outages past the recovery "
                        "budget: their give-ups counted among the failures), or a profile .toml (default: default)")
    p.add_argument("--device", help="the device to run on, as for `soundcheck run --device`")
    p.add_argument("--run-dir", type=Path, metavar="DIR",
                   help="the run folder: a new or empty folder (one holding other files is refused, "
                        "exit 2; to carry on a soak use --resume DIR); default reports/soak-<time>-seed<N>")
    p.add_argument("--report-dir", type=Path, default=None,
                   help="where a new run folder goes when no --run-dir is given (default reports)")
    p.add_argument("--checkpoint", type=chunk_arg, default=None,
                   help="journal checkpoint interval; a crash loses at most this much (default 60s)")
    p.add_argument("--chunk", type=chunk_arg, default=None,
                   help="resource sampling / live-check interval (default 1s)")
    p.add_argument("--pace", type=finite_float(lo=0, hi=1e6, what="pace (times real time)"), default=None,
                   help="simulated device: at most this many times real time, 0.001..1e6; 0 = as fast as "
                        "possible (the default)")
    p.add_argument("--program", type=Path, metavar="FILE.wav",
                   help="play this WAV (looped) through the system instead of the test sine and judge the "
                        "output against it (--backend sim or jack)")
    p.add_argument("--rig-realtime", action="store_true",
                   help="--backend jack: run the rig's JACK server realtime (jackd -R; refused where the "
                        "machine grants no realtime scheduling), as `run --rig-realtime`")
    p.add_argument("--resume", type=Path, metavar="RUN_DIR", help="continue the soak journaled in RUN_DIR")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (also when not a terminal)")
    add_system_option(p)
    p.set_defaults(func=handler)


class _ProgressBar:
    """rich progress: elapsed, ETA, faults injected, recoveries, violations so far."""

    def __init__(self, duration_s: float, enabled: bool) -> None:
        self.enabled = enabled
        self.progress: Any = None
        self.task: Any = None
        if not enabled:
            return
        from rich.progress import (BarColumn, Progress, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)
        self.progress = Progress(
            TextColumn("[bold]soak[/]"), BarColumn(), TextColumn("{task.percentage:>5.1f}%"),
            TextColumn("sim {task.fields[sim]}"), TimeElapsedColumn(), TextColumn("ETA"),
            TimeRemainingColumn(), TextColumn("faults {task.fields[faults]} · recoveries "
                                              "{task.fields[recoveries]} · violations {task.fields[violations]} · "
                                              "{task.fields[state]}"),
            transient=False)
        self.task = self.progress.add_task("soak", total=duration_s, sim="0s", faults=0, recoveries=0,
                                           violations=0, state="-")

    def __enter__(self) -> "_ProgressBar":
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def __call__(self, p: Any) -> None:
        if self.progress is None:
            return
        self.progress.update(self.task, completed=min(p.simulated_s, p.duration_s),
                             sim=format_duration(max(p.simulated_s, 0.0)) if p.simulated_s >= 1 else "0s",
                             faults=p.faults, recoveries=p.recoveries, violations=p.violations, state=p.state)


def _warn(message: str) -> None:
    """A warning the soak's run found at its start (a fallback device that is not there)."""
    print(f"soundcheck: warning: {message}", file=sys.stderr, flush=True)


def handler(args: argparse.Namespace) -> int:
    from ..runner import install_stop_signals
    from ..soak import SoakRunner, SoakSpec

    if args.pace is not None and 0 < args.pace < 0.001:
        raise UsageError(f"--pace {args.pace:g} is below 0.001 times real time (an 8 h soak would take "
                         "over 900 days); give 0.001..1e6, or 0 for as fast as possible")
    show = not args.no_progress and sys.stderr.isatty()
    if args.resume is not None:
        refuse_unused([(f"--{name.replace('_', '-')}", getattr(args, name) not in (None, False))
                       for name in _JOURNALED],
                      because="with --resume: a resumed soak takes its settings from its journal",
                      fix="drop them (only --pace and --no-progress go with --resume)")
        if not args.resume.is_dir():
            raise UsageError(f"--resume {args.resume}: no such run folder")
        runner = SoakRunner.from_journal(args.resume, pace=args.pace if args.pace is not None else False)
        runner.on_warning = _warn
        restore = install_stop_signals(runner)
        try:
            with _ProgressBar(runner.spec.duration_s, show) as bar:
                result = runner.start(on_progress=bar)
        finally:
            restore()
    else:
        refuse_unused([("--report-dir", args.run_dir is not None and args.report_dir is not None)],
                      because="with --run-dir: the soak writes into the --run-dir folder itself",
                      fix="give one of them (--report-dir DIR makes a new soak-<time>-seed<N> folder in DIR)")
        spec = SoakSpec(duration_s=args.duration or 8 * 3600.0, backend=args.backend or "sim",
                        seed=1 if args.seed is None else args.seed, faults=args.faults or "default",
                        device=args.device, run_dir=args.run_dir, report_root=args.report_dir or Path("reports"),
                        checkpoint_s=60.0 if args.checkpoint is None else args.checkpoint,
                        chunk_s=1.0 if args.chunk is None else args.chunk,
                        pace=args.pace, system=args.system, program=args.program,
                        rig_realtime=args.rig_realtime)
        runner = SoakRunner(spec)
        runner.on_warning = _warn
        restore = install_stop_signals(runner)
        try:
            with _ProgressBar(spec.duration_s, show) as bar:
                result = runner.start(on_progress=bar)
        finally:
            restore()
    _print(result)
    from ..reports import history_db_warning
    warning = history_db_warning(getattr(result, "report_paths", None))
    if warning:
        print(warning, file=sys.stderr)
    return result.exit_code


def _print(result: Any) -> None:
    r = getattr(result, "report_paths", {}) or {}
    print(f"soundcheck soak: {result.status}; {result.checkpoints} checkpoints; wall {result.wall_s:.1f} s")
    if result.resumed_from is not None:
        verified = {True: "digest verified", False: "DIGEST MISMATCH", None: "fresh segment"}[result.digest_verified]
        print(f"  resumed after checkpoint {result.resumed_from} ({verified})")
    print(f"  {result.verdict.headline()}; report: {r.get('html', '-')}")
