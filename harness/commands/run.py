"""``soundcheck run``: a reliability run on one backend, summary printed and written to reports/."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..durations import run_duration_arg
from ..errors import UsageError
from ..fault_outcomes import describe_outcome
from ..inputs import load_document, seed_arg
from ..runner import BACKENDS, ReliabilityRun, RunSpec, check_device, install_stop_signals, run_config
from ..sut_protocol import add_system_option, load_system
from ..verdict import describe_skips


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("run", help="a reliability run with fault injection; writes reports/",
                              description="Run the audio system under a seeded fault schedule and check "
                                          "every invariant. Exit 0 all held, 1 something failed, 2 usage error, "
                                          "3 inconclusive (nothing failed, but a check could not reach a verdict). "
                                          "A run that violated an invariant exports its history as a scenario into "
                                          "<run>/scenarios/ and minimises it: one replay of the whole timeline, then "
                                          "at most 300 replays or 600 simulated s replayed, and never past 60 s of "
                                          "CPU, the first replay's included (a replay under way is stopped there; "
                                          "the scenario's description names the stop that ended it); the "
                                          "scenario is written whichever stop it was, its max_duration cut to "
                                          "what its kept steps need.")
    p.add_argument("--backend", choices=BACKENDS, default="sim")
    p.add_argument("--duration", type=run_duration_arg, default=60.0,
                   help="simulated (sim) or wall (real devices) time: 60, 90s, 5m, 1h (default 60 s)")
    p.add_argument("--seed", type=seed_arg, default=1, help="0..2**32-1 (default 1)")
    p.add_argument("--faults", default="default",
                   help="fault profile: none, gentle, default, hostile, outages (default's faults and device outages "
                        "past the recovery budget: give-ups), or a profile .toml file")
    p.add_argument("--device", help="the device to run on: for --backend portaudio a name from `soundcheck devices`; on the simulated device sim-duplex or sim-backup (default: sim-in and sim-out)")
    p.add_argument("--config", type=Path, help="system configuration (TOML or JSON)")
    p.add_argument("--report-dir", type=Path, default=Path("reports"), help="where run folders go")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--program", type=Path, metavar="FILE.wav",
                   help="play this WAV (2-60 s at the run's sample rate, looped, scaled to a 0.5 peak) "
                        "through the system instead of the test sine, and judge the output against it "
                        "(--backend sim or jack). Steady tones alone (tone bursts) match themselves a period "
                        "away: frames lost between bursts can leave clean_audio inconclusive; music or speech "
                        "give a verdict")
    p.add_argument("--dsp-kernel", choices=("auto", "numpy", "compiled"), default="auto",
                   help="the DSP chain's kernels: numpy, or compiled (numba: ~0.3 s to import, faster per "
                        "block); auto (default) compiles for simulated runs of 600 s and more. The summary "
                        "names the one used")
    p.add_argument("--rig-realtime", action="store_true",
                   help="--backend jack: run the rig's jackd realtime (-R, SCHED_FIFO; needs root or an rtprio "
                        "limit, refused otherwise). On a loaded machine a non-realtime rig misses cycles of its "
                        "own, which leave runs inconclusive")
    p.add_argument("--mutant", metavar="NAME",
                   help="run a deliberately broken variant of the system (see harness/mutants.py) to "
                        "watch the harness catch it")
    add_system_option(p)
    p.set_defaults(func=handler)


def load_config_file(path: Path) -> dict[str, Any]:
    """A system configuration file (TOML, or JSON by suffix), read through ``harness.inputs``.

    A file with nothing in it (0 bytes, or comments only) is refused: every key of a configuration
    is optional, so it read as "the defaults" and the run tested the default configuration under
    the name of a file that was cut short or never written. A file that says so on purpose
    (``schema_version = 3`` alone) is read."""
    doc = load_document(path, "configuration")
    if not doc:
        from ..errors import InputFileError
        raise InputFileError(Path(path), "holds no setting (empty, or comments only): a run with it would test the "
                                         "default configuration under this file's name; give the configuration's "
                                         "tables ([stream], [device], ...), or leave --config out to run on the "
                                         "defaults")
    return doc


def check_config(config: dict[str, Any], source: str, backend: str) -> None:
    """Refuse a bad configuration before anything starts; on ``sim`` also against the simulated
    devices (a misspelt device name is named here, not found mid-run as an illegal transition)."""
    from system_under_test.config import load_config
    devices = None
    if backend == "sim":
        from system_under_test.clock import VirtualClock
        from system_under_test.devices.simulated import SimulatedBackend
        devices = SimulatedBackend(VirtualClock())
    load_config(config, devices, source=source)


def reveal_mutant(run: Any, name: str) -> str | None:
    """Make sure the run's schedule has the fault kind the mutant shows under (a race needs
    concurrent callers; a seed may draw none): one is added when the profile asks for the kind
    (or, for a mutant that is ``reveal_unasked``, for any fault) and the seed drew none. What was done, or why the run cannot show the mutant, or None."""
    from ..mutants import MUTANTS

    mutant = MUTANTS[name]
    if mutant.profile is not None and not run.profile.outages:
        return (f"note: profile {run.profile.name!r} shows mutant {name} only by chance: "
                f"--faults {mutant.profile} shows it in every run of 30 s and more")
    kind = mutant.revealed_by
    if kind is None:
        return None
    asked = run.profile.probabilities.get(kind, 0) > 0
    if not asked and not (mutant.reveal_unasked and any(p > 0 for p in run.profile.probabilities.values())):
        return (f"note: mutant {name} shows only under {kind} faults, which profile "
                f"{run.profile.name!r} does not ask for: this run cannot catch it")
    run.schedule, added = run.schedule.with_at_least_one(kind, run.profile.fitted(run.spec.config))
    if added is None:
        return None
    return (f"note: this seed's schedule drew no {kind} fault, the only kind mutant {name} shows "
            f"under; one was added at t={added.trigger.time:g} s")


def handler(args: argparse.Namespace) -> int:
    config = load_config_file(args.config) if args.config else None
    spec = RunSpec(backend=args.backend, duration_s=args.duration, seed=args.seed, faults=args.faults,
                   config=config, device=args.device, report_root=args.report_dir, program=args.program,
                   dsp_kernel=args.dsp_kernel, rig_realtime=args.rig_realtime)
    if config is not None and args.device is None:
        check_config(config, str(args.config), args.backend)
    elif config is not None:
        # the file as the run will use it, with --device as its input and output device: its
        # sample rate is judged against that device (not the sim-in/sim-out the file alone
        # names), and a fallback that is the device itself is refused, before a folder exists
        check_device(spec)  # a --device that is no device, or contradicts the file, is named first
        check_config(run_config(spec), f"{args.config} with --device {args.device!r}", args.backend)
    factory: Any = None
    if args.mutant:
        from ..mutants import MUTANTS, system_factory
        if args.system is not None:
            raise UsageError("--mutant and --system: a mutant is a broken AudioSystem; give one of them")
        if args.mutant not in MUTANTS:
            raise UsageError(f"--mutant: unknown mutant {args.mutant!r} (known: {', '.join(MUTANTS)})")
        factory = system_factory(args.mutant)
    elif args.system is not None:
        factory = load_system(args.system)  # refused (exit 2) before a run folder exists
    run = ReliabilityRun(spec, system_factory=factory)
    run.on_warning = lambda message: print(f"soundcheck: warning: {message}", file=sys.stderr, flush=True)
    mutant_note = reveal_mutant(run, args.mutant) if args.mutant else None
    restore = install_stop_signals(run)
    try:
        result = run.execute(on_progress=None)
    except KeyboardInterrupt:  # a second Ctrl-C: the summary and reports, marked interrupted, are written
        print("soundcheck: interrupted; partial summary written (marked interrupted)", file=sys.stderr)
        return 130
    finally:
        restore()
    s = result.summary
    if s.get("status") == "interrupted":
        print("soundcheck: interrupted; the run stopped early and is marked so (inconclusive)", file=sys.stderr)
    from ..reports import history_db_warning
    warning = history_db_warning(result.report_paths)
    if warning:
        print(warning, file=sys.stderr)
    if args.json:
        print(json.dumps(s, indent=2))
    else:
        fr = s["frames"]
        print(f"soundcheck run: backend={s['backend']} seed={s['seed']} "
              f"simulated={s['simulated_s']:.1f}s wall={s['wall_s']:.2f}s ({s['speed_x_realtime']}x)")
        print(f"  frames: captured={fr['captured']} played={fr['played']} dropped={fr['dropped']} "
              f"inserted={fr['inserted']}")
        print(f"  xruns={s['xruns']} faults={s['faults']['total']} {s['faults']['by_kind']} "
              f"recoveries={s['recoveries']} failed recoveries={s['recovery_failures']}")
        outcomes = s["faults"].get("outcomes") or {}
        if outcomes:
            print("  as the system saw them: " + "; ".join(
                f"{kind} " + ", ".join(f"{n} {describe_outcome(o)}" for o, n in seen.items())
                for kind, seen in outcomes.items()))
        skipped = describe_skips(s["faults"].get("skipped") or {})
        if skipped:
            print(f"  {skipped}")
        never = s["faults"].get("never_fired") or []
        if never:
            why = s["faults"].get("unfired_why") or {}
            print("  never fired (this run tested nothing of them): "
                  + ", ".join(f"{k} ({why[k]['why']})" if isinstance(why.get(k), dict) and why[k].get("why") else k
                              for k in never))
        if mutant_note:
            print(f"  {mutant_note}")
        for warning in s.get("config_warnings") or ():
            print(f"  warning: {warning}")
        marks = {"held": "ok  ", "violated": "FAIL", "inconclusive": "??  "}
        for name, status in s["invariant_status"].items():
            print(f"  {marks[status]} {name}")
        for v in s["violations"]:
            print(f"  violation {v['name']}: {v['message']}")
        for v in s["inconclusive"]:
            print(f"  inconclusive {v['name']}: {v['message']}")
        print(f"  {result.verdict.headline()}; run folder: {result.run_dir}")
    return result.exit_code
