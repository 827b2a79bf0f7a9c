"""``soundcheck scenario run|check|from-history``: field bugs as declarative scenario files.

- ``run PATH...`` (files or folders, searched for ``*.toml``): exit 0 when every scenario passed,
  1 when one failed (which expectation, and the evidence from its history, is printed), 3 when
  none failed but one was inconclusive (an expectation could not be judged: an invariant's check
  reached no verdict, a fault step had nothing to act on), 2 when a file is invalid (every problem
  of every file is printed; nothing is run). Each scenario's line starts with its verdict
  (``harness.verdict``: PASS, FAIL, INCONCLUSIVE), the one its folder's ``summary.json`` holds.
- ``check PATH...``: validate only (0 or 2).
- ``from-history HISTORY.jsonl``: turn a recorded history into a scenario file (stdout or ``-o``).
- ``shrink FILE``: a failing scenario (ddmin over its steps) or a swarm's saved schedule (the
  shrinker of ``harness.shrink``) cut down to a minimal one that still fails the same way; a
  saved schedule whose re-run no longer fails exits 1 ("nothing to shrink"), or 3 when that re-run
  was inconclusive (its doubts printed: an inconclusive run is not a pass).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import ScenarioFileError, UsageError
from ..inputs import refuse_unused, seed_arg
from ..sut_protocol import add_system_option
from ..verdict import EXIT_CODES, Outcome


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("scenario", help="run, check or create scenario files")
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    run = sub.add_parser("run", help="run scenario files (exit 0 passed, 1 failed, 3 inconclusive, 2 invalid)")
    run.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders")
    run.add_argument("--history-dir", type=Path, default=None,
                     help="write each run's history as <dir>/<scenario id>.jsonl")
    run.add_argument("--skip-rig", action="store_true",
                     help="skip scenarios that need the JACK loopback rig instead of running them")
    add_system_option(run)
    run.add_argument("--report-dir", type=Path, default=None,
                     help="write a folder per scenario here (summary, history, report.json/html) and record "
                          "each run in the run-history database (`soundcheck history --kind scenario`)")
    run.add_argument("--db", type=Path, default=None,
                     help="run-history database for --report-dir (default $SOUNDCHECK_HISTORY_DB or "
                          "reports/history.sqlite)")
    check = sub.add_parser("check", help="validate scenario files without running them")
    check.add_argument("paths", nargs="+", metavar="PATH")
    fh = sub.add_parser("from-history", help="turn a recorded history (JSONL) into a scenario file")
    fh.add_argument("history", type=Path, metavar="HISTORY.jsonl")
    fh.add_argument("-o", "--output", type=Path, default=None,
                    help="file to write (default: stdout); an existing file is kept unless --force")
    fh.add_argument("--force", action="store_true", help="replace an existing --output file")
    fh.add_argument("--id", default=None, help="scenario id (default: from the file name)")
    fh.add_argument("--seed", type=seed_arg, default=None, help="seed (default: the history's)")
    fh.add_argument("--shrink", action="store_true",
                    help="cut the scenario down to the fewest steps that still fail the same way (ddmin); "
                         "for a history that violated an invariant")
    fh.add_argument("--mutant", default=None,
                    help="with --shrink: replay on this mutant (default: the one the history was recorded on)")
    fh.add_argument("--max-runs", type=int, default=None, help="with --shrink: at most this many runs (default 150)")
    sh = sub.add_parser("shrink", help="shrink a failing scenario or a saved schedule to a minimal one")
    sh.add_argument("file", type=Path, metavar="FILE", help="a scenario .toml or a *.schedule.json from a swarm")
    sh.add_argument("--mutant", default=None, help="run under this mutant (default: the saved one, or none)")
    sh.add_argument("--max-runs", type=int, default=150, help="at most this many runs (default 150)")
    sh.add_argument("-o", "--output", type=Path, default=None,
                    help="where to write (default: next to FILE, as <name>.shrunk.toml / a folder)")
    parser.set_defaults(func=handler)


def _load_all(paths: list[str]) -> list[tuple[Path, object]]:
    from ..scenarios import iter_scenario_files, load_scenario

    loaded, problems = [], []
    files = list(iter_scenario_files(paths))
    if not files:
        raise ScenarioFileError(", ".join(paths), "no scenario files (*.toml) found")
    for f in files:
        try:
            loaded.append((f, load_scenario(f)))
        except ScenarioFileError as exc:
            problems.append(str(exc))
    if problems:
        n = len(problems)
        raise _Raw(f"{n} invalid scenario file{'s' if n != 1 else ''} (nothing was run):\n" + "\n".join(problems))
    return loaded


class _Raw(ScenarioFileError):
    """A message that already names its file."""

    def __init__(self, message: str) -> None:
        self.path = ""
        Exception.__init__(self, message)


def handler(args: argparse.Namespace) -> int:
    if args.action == "check":
        loaded = _load_all(args.paths)
        for path, scenario in loaded:
            print(f"ok {path}: {scenario.id}")  # type: ignore[attr-defined]
        return 0
    if args.action == "run":
        return _run(args)
    if args.action == "shrink":
        return _shrink(args)
    return _from_history(args)


def _run(args: argparse.Namespace) -> int:
    from ..rig.loopback import rig_unavailable_reason
    from ..scenarios import run_scenario

    from ..sut_protocol import load_system

    refuse_unused([("--db", args.db is not None and args.report_dir is None)],
                  because="without --report-dir: only a scenario folder's run is recorded in the database",
                  fix="add --report-dir DIR or drop --db")
    system = load_system(args.system)  # a bad --system is refused before any scenario runs
    loaded = _load_all(args.paths)
    outcomes: list[Outcome] = []
    for path, scenario in loaded:
        if scenario.needs_rig:  # type: ignore[attr-defined]
            reason = "--skip-rig" if args.skip_rig else rig_unavailable_reason()
            if reason:
                print(f"SKIP {scenario.id} ({path}): needs the JACK loopback rig: {reason}")  # type: ignore[attr-defined]
                continue
        hist = None
        if args.history_dir is not None:
            hist = args.history_dir / f"{scenario.id}.jsonl"  # type: ignore[attr-defined]
            hist.unlink(missing_ok=True)
        folder = None
        if args.report_dir is not None:
            from ..runner import new_run_dir
            folder = new_run_dir(args.report_dir, f"scenario-{scenario.id}", scenario.run.seed)  # type: ignore[attr-defined]
            if hist is None:
                hist = folder / "history.jsonl"
        result = run_scenario(scenario, source=str(path), history_path=hist, system=system)  # type: ignore[arg-type]
        print(result.report())
        if folder is not None:
            from ..reports import history_db_warning
            from ..reports.scenario_folder import write_scenario_folder
            if hist != folder / "history.jsonl":
                import shutil
                shutil.copyfile(hist, folder / "history.jsonl")
            paths = write_scenario_folder(result, folder, source=str(path), history_db=args.db)
            warning = history_db_warning(paths)
            if warning:
                print(warning, file=sys.stderr)
            print(f"  scenario folder: {folder}")
        outcomes.append(result.verdict.outcome)
    total = len(loaded)
    failed, unsure = outcomes.count(Outcome.FAIL), outcomes.count(Outcome.INCONCLUSIVE)
    passed = outcomes.count(Outcome.PASS)
    if failed or unsure:
        print(f"{passed} of {total} scenario(s) passed" + (f", {failed} failed" if failed else "")
              + (f", {unsure} inconclusive" if unsure else ""))
    else:
        print(f"all {total} scenario(s) passed" if passed == total else
              f"{passed} of {total} scenario(s) passed, {total - passed} skipped")
    return EXIT_CODES[Outcome.FAIL] if failed else EXIT_CODES[Outcome.INCONCLUSIVE] if unsure else 0


def _from_history(args: argparse.Namespace) -> int:
    from ..history import History
    from ..scenarios import scenario_from_history, write_scenario

    out: Path | None = args.output
    if out is not None:  # refuse a bad destination before the (slow) conversion
        if out.is_dir():
            raise UsageError(f"-o {out}: is a folder; give a file name, e.g. {out / 'scenario.toml'}")
        if out.exists() and not out.is_file():
            raise UsageError(f"-o {out}: is not a regular file; give a file name (or omit -o for stdout)")
        if out.exists() and not args.force:
            raise UsageError(f"-o {out}: already exists; choose another name, or add --force to replace it")
    refuse_unused([("--max-runs", args.max_runs is not None and not args.shrink)],
                  because="without --shrink: only a shrink runs the scenario", fix="add --shrink or drop it")
    if args.max_runs is None:
        args.max_runs = 150
    if args.max_runs < 1:
        raise UsageError(f"--max-runs must be at least 1, got {args.max_runs}")
    if args.mutant is not None and not args.shrink:
        raise UsageError("--mutant is for --shrink (the scenario of a history names no system)")
    history = History.read_jsonl(args.history)
    # a history without entries is refused first (``NO_ENTRIES``), with no warning that its
    # scenario "replays what it recorded"
    scenario = scenario_from_history(history, scenario_id=args.id, seed=args.seed, source=args.history)
    for warning in _reading_warnings(history, args.history):
        print(f"soundcheck: warning: {warning}", file=sys.stderr)
    if args.shrink:
        text = _shrunk_text(args, history, scenario)
    else:
        text = write_scenario(scenario)
    if out is None:
        sys.stdout.write(text)
        return 0
    _write_new(out, text, replace=args.force)
    print(f"wrote {out}")
    return 0


def _reading_warnings(history: Any, path: Path) -> list[str]:
    """What the user must know of a history read for a scenario: a last line a kill cut part-way
    (dropped), and a ``soundcheck run`` that never reached its end (killed, or its machine went
    down), whose scenario replays only what it recorded. A run reached its end when its history
    holds its ``summary`` note or its folder its ``summary.json`` (written first: a kill between
    the two leaves a finished, judged run without the note)."""
    warnings = [history.cut_tail.describe(path)] if history.cut_tail is not None else []
    last_note = history.last("note")
    finished = (last_note is not None and last_note.value == "summary") or (path.parent / "summary.json").is_file()
    if "run" in history.meta and not finished:
        from ..history import cut_off_phrase

        warnings.append(f"{path}: {cut_off_phrase(history)} (its history has no verdict and no summary.json is "
                        "beside it: it was killed or its machine went down); the scenario replays what it "
                        "recorded up to there, and its expectations are what that part held")
    return warnings


def _shrunk_text(args: argparse.Namespace, history: Any, scenario: object) -> str:
    """The history's scenario shrunk (``harness.shrink.shrink_scenario_steps``) as TOML text; a
    history that violated no invariant has nothing to shrink (exit 2, saying so)."""
    from ..mutants import MUTANTS
    from ..scenarios import write_scenario
    from ..shrink import shrink_scenario_steps

    from ..invariants import check_all

    if not any(not v.ok and not v.inconclusive for v in check_all(history)):
        raise UsageError(f"{args.history}: the history violated no invariant: nothing to shrink "
                         "(leave out --shrink to get a regression scenario of it)")
    mutant = args.mutant
    if mutant is None:
        recorded = history.meta.get("mutant")
        mutant = str(recorded) if recorded else None
    if mutant is not None and mutant not in MUTANTS:
        raise UsageError(f"--mutant: unknown mutant {mutant!r} (known: {', '.join(MUTANTS)})")
    doc, kept, runs = shrink_scenario_steps(scenario, mutant=mutant, max_runs=args.max_runs,
                                            name=str(args.history))
    before = len(scenario.steps)  # type: ignore[attr-defined]
    print(f"shrunk {args.history}: {before} -> {len(doc['steps'])} step(s) in {runs} run(s)"
          + (f" on mutant {mutant}" if mutant else "") + f", still failing: {'; '.join(kept)}", file=sys.stderr)
    return str(write_scenario(doc))


def _write_new(path: Path, text: str, *, replace: bool) -> None:
    """Write ``text`` to ``path`` atomically (temp file beside it, then rename): a full disk or a
    crash leaves the old file (or none), never half a scenario; without ``replace`` an existing
    file is never touched (``os.link`` fails if the name was taken meanwhile)."""
    import os
    import secrets
    folder = path.parent if str(path.parent) else Path(".")
    tmp = folder / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            if replace:
                os.replace(tmp, path)
            else:
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    except FileExistsError:
        raise UsageError(f"-o {path}: already exists; choose another name, or add --force to replace it") from None
    except OSError as exc:
        raise UsageError(f"-o {path}: cannot write: {exc.strerror or exc}") from None


def _shrink(args: argparse.Namespace) -> int:
    from ..errors import UsageError
    from ..shrink import Shrinker, export, load_saved, shrink_scenario_steps

    if args.max_runs < 1:
        raise UsageError(f"--max-runs must be at least 1, got {args.max_runs}")
    if args.mutant is not None:
        from ..mutants import MUTANTS
        if args.mutant not in MUTANTS:
            raise UsageError(f"--mutant: unknown mutant {args.mutant!r} (known: {', '.join(MUTANTS)})")
    if args.file.suffix == ".toml":
        from ..scenarios import write_scenario
        doc, kept, runs = shrink_scenario_steps(args.file, mutant=args.mutant, max_runs=args.max_runs)
        out = args.output or args.file.with_name(args.file.stem + ".shrunk.toml")
        write_scenario(doc, out)
        print(f"shrunk {args.file} to {len(doc['steps'])} step(s) in {runs} run(s), still failing: "
              f"{'; '.join(kept)}; wrote {out}")
        return 0
    saved = load_saved(args.file)
    mutant = args.mutant if args.mutant is not None else saved.get("mutant")
    shrinker = Shrinker(int(saved["seed"]), str(saved["invariant"]), faults=str(saved.get("faults", "swarm")),
                        mutant=mutant, max_runs=args.max_runs, system=saved.get("system"))
    try:
        result = shrinker.shrink(saved["_schedule"], float(saved["duration_s"]))
    finally:
        shrinker.close()
    if not result.reproduced:
        if result.outcome_before == "inconclusive":  # not a pass: its own verdict, and why
            print(f"{args.file}: seed {result.seed} is INCONCLUSIVE with this schedule"
                  + (f" under mutant {mutant}" if mutant else "") + f" ({'; '.join(result.doubts_before)}): "
                  f"it does not violate {result.invariant}, nothing to shrink")
            return 3
        print(f"{args.file}: seed {result.seed} does not violate {result.invariant} with this schedule"
              + (f" under mutant {mutant}" if mutant else "") + ": nothing to shrink")
        return 1
    info = export(result, args.output or args.file.parent / (args.file.name.split(".")[0] + "-shrunk"))
    print(f"shrunk seed {result.seed} ({result.invariant}): {info['faults_before']} -> {info['faults_after']} "
          f"fault(s), {info['duration_before']:g} -> {info['duration_after']:g} s, {info['runs']} run(s); "
          f"schedule {info['schedule']}" + (f"; scenario {info['scenario']}" if info.get("scenario") else ""))
    if info.get("note"):
        print(f"  note: {info['note']}")
    return 0
