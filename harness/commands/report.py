"""``soundcheck report RUN_DIR``: rebuild report.json/report.html/figures from a run folder.

A soak's folder is rebuilt from its journal; a ``soundcheck run`` folder (no journal) from its
``summary.json`` and ``history.jsonl``; a ``run`` folder holding only its history (the run was
killed before its end) is reported INCONCLUSIVE, cut off where its history stops. Exit status: 0
the report is complete and the run passed; 1 the run failed or the report is partial (the HTML
and JSON say what is missing); 3 inconclusive; 2 not a run folder, or no usable journal/summary
(missing, empty, damaged in the middle), or a run or soak is still writing the folder (report it
once that has ended). A last line cut part-way by a kill is dropped with a
warning naming the file. When the run-history database cannot be written, a warning says so and
the exit status is the run's.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import InputFileError, UsageError
from ..inputs import refuse_unused


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("report", help="rebuild a run's reports from its journal",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    p.add_argument("--db", type=Path, help="run-history database (default $SOUNDCHECK_HISTORY_DB or "
                                           "reports/history.sqlite)")
    p.add_argument("--no-history", action="store_true", help="do not record the run in the history database")
    p.set_defaults(func=handler)


def handler(args: argparse.Namespace) -> int:
    from ..reports.history_db import run_db_path
    from ..runfolder import LOCK_NAME, RunFolder

    run_dir: Path = args.run_dir
    refuse_unused([("--db", args.no_history and args.db is not None)],
                  because="with --no-history: nothing is recorded", fix="give one of them")
    if not run_dir.exists():
        raise UsageError(f"{run_dir}: no such run folder")
    if not run_dir.is_dir():
        raise UsageError(f"{run_dir}: is a file, not a run folder; give the folder a run or soak wrote")
    # absolute, as a run names its database (``run_db_path``): the summary's ``history_db.path``
    # is read from other folders, and a relative one named no file there
    history_db: Path | bool = False if args.no_history else (
        Path(os.path.abspath(args.db)) if args.db is not None else run_db_path())
    # a run or soak still writing the folder holds its lock: read now, its history looks cut off
    # by a kill, and the report (and its run-history row) would call a live run a dead one. Only
    # a lock file already there is taken: a folder no run made is left without one, and a link in
    # its place (no run locks through a link) is replaced as any other planted link is
    lock_file = run_dir / LOCK_NAME
    if lock_file.is_symlink() or not lock_file.is_file():
        return _report(run_dir, args, history_db)
    with RunFolder(run_dir).lock("a run or soak still under way: report it once it has ended"):
        return _report(run_dir, args, history_db)


def _report(run_dir: Path, args: argparse.Namespace, history_db: Path | bool) -> int:
    """Rebuild the reports of ``run_dir``, whose lock the caller holds."""
    from ..journal import JOURNAL_NAME
    from ..reports import history_db_warning, write_reports
    from ..runfolder import LOCK_NAME, is_temporary

    journal = run_dir / JOURNAL_NAME
    source: Any = run_dir
    read_warnings: list[str] = []
    if not journal.exists() and not journal.is_symlink():
        if (run_dir / "summary.json").exists():
            source, read_warnings = run_folder_data(run_dir)
        elif (run_dir / "history.jsonl").exists() or (run_dir / "history.jsonl").is_symlink():
            source, read_warnings = cut_off_run_data(run_dir)
        elif not any(p.name != LOCK_NAME and not is_temporary(p.name) for p in run_dir.iterdir()):
            # `soundcheck run` makes its folder before its history: killed in between, it is empty
            raise UsageError(f"{run_dir}: an empty folder (no journal.jsonl, summary.json or history.jsonl): not "
                             "a run folder, or a run stopped before it recorded anything; nothing to report")
    for warning in read_warnings:
        print(f"soundcheck: warning: {warning}", file=sys.stderr)
    paths = write_reports(run_dir, source, history_db=history_db)
    warning = history_db_warning(paths)
    if warning:
        print(warning, file=sys.stderr)
    if history_db is not False:
        for note in record_in_summary(run_dir, paths):
            print(f"soundcheck: warning: {note}", file=sys.stderr)
    report = paths.report
    missing = report["completeness"]["missing"]
    print(f"soundcheck report: {paths.html}")
    print(f"  {report['verdict']['headline']}")
    if missing:
        print("  partial report; missing:")
        for m in missing:
            print(f"    - {m}")
    return int(report["verdict"]["exit_code"])


def record_in_summary(run_dir: Path, paths: Any) -> list[str]:
    """Say in the folder's ``summary.json`` (``history_db``) what became of the rebuilt report's
    run-history row; the warnings of doing so (none when it was done or there is no summary).

    Why: the report just rebuilt is the one the history now holds (``HistoryDB.record`` replaces
    the run folder's row), so the summary's word on the record is rewritten with it:
    ``{"recorded": true, "path": ..., "by": "soundcheck report"}``, or ``{"recorded": false,
    "why": ...}`` when the database refused it, with the summary's earlier word kept as
    ``earlier`` (a row written by the run itself may still be there, with the run's first
    report). Left as it was, a summary that said "not recorded" after the run went on saying so
    once ``soundcheck report`` had recorded it, and a driver that reads only summaries counted a
    hole that was mended. ``--no-history`` touches neither the database nor the summary."""
    import json

    from ..reports import history_record
    from ..runfolder import RunFolder

    path = run_dir / "summary.json"
    if not path.is_file() or path.is_symlink():
        return []  # a cut-off run's folder: no summary to say it in (report.json is recorded)
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        summary, why = None, str(exc)
    else:
        why = "not a JSON object"
    if not isinstance(summary, dict):
        return [f"{path}: history_db not updated ({why}); the run-history database itself was written as said above"]
    record = history_record(paths)
    earlier = summary.get("history_db")
    if record.get("recorded"):
        record["by"] = "soundcheck report"
    elif isinstance(earlier, dict) and earlier.get("recorded"):
        record["earlier"] = earlier
    summary["history_db"] = record
    RunFolder(run_dir).write_text("summary.json", json.dumps(summary, indent=2) + "\n")
    return []


class _Summary(BaseModel):
    """The parts of a ``soundcheck run`` folder's ``summary.json`` a rebuilt report reads."""

    model_config = ConfigDict(extra="allow", allow_inf_nan=False)

    spec: dict[str, Any] = {}
    invariants: dict[str, bool]
    violations: list[dict[str, Any]] = []
    inconclusive: list[dict[str, Any]] = []
    faults: dict[str, Any] = {}
    wall_s: float | None = None
    simulated_s: float | None = None
    callback_duration_s: dict[str, Any] | None = None
    cpu: dict[str, Any] | None = None
    #: the load the machine carried while the run ran (``machine_load.MachineLoad``): the rebuilt
    #: report's ``performance.machine``, as the first one's (``compare`` reads it to judge speed)
    machine: dict[str, Any] | None = None
    #: how the run ended (``runner``): an interrupted run's rebuilt report says so, as its first did
    status: Literal["completed", "interrupted"] = "completed"
    #: what the run found wrong with its configuration at its start (``runner.absent_fallbacks``)
    config_warnings: list[str] = []
    #: silences the system's watchdog laid on the machine (a note of the verdict)
    delivery_held: int = Field(default=0, ge=0)


def run_folder_data(run_dir: Path) -> tuple[Any, list[str]]:
    """``RunData`` of a ``soundcheck run`` folder: its history, with the verdicts of its summary;
    and the warnings of reading it (a history whose last line was cut)."""
    from ..history import History
    from ..inputs import load_document, validation_message
    from ..reports import RunData

    for name in ("summary.json", "history.jsonl"):
        if (run_dir / name).is_symlink():
            raise InputFileError(run_dir / name, "is a symbolic link; soundcheck never follows links in a "
                                                 "run folder (a folder from another machine could point anywhere)")
    path = run_dir / "summary.json"
    try:
        summary = _Summary.model_validate(load_document(path, "run summary", fmt="json"))
    except ValidationError as exc:
        raise InputFileError(path, f"not a soundcheck run summary: {validation_message(exc)}") from None
    history_path = run_dir / "history.jsonl"
    if not history_path.is_file():
        raise InputFileError(history_path, "missing: the run's history is needed to rebuild its report")
    history, read_warnings = _open_history(history_path)
    messages = {str(v.get("name")): v for v in [*summary.violations, *summary.inconclusive]}
    unsure = {str(v.get("name")) for v in summary.inconclusive}
    verdicts = [{"name": name, "ok": ok, "inconclusive": name in unsure,
                 "message": str((messages.get(name) or {}).get("message", "")),
                 "reason": str((messages.get(name) or {}).get("reason", "")),
                 "evidence": list((messages.get(name) or {}).get("evidence") or [])}
                for name, ok in summary.invariants.items()]
    spec = summary.spec
    meta = {"run_id": run_dir.name, "backend": spec.get("backend"), "seed": spec.get("seed"),
            "profile": spec.get("faults"), "duration_s": spec.get("duration_s"), "label": spec.get("label"),
            "faults_wanted": bool(summary.faults.get("wanted")),
            "faults_skipped": summary.faults.get("skipped") or {}}
    losses = getattr(summary, "device_losses", None)
    if isinstance(losses, dict):
        meta["device_losses"] = losses
    if summary.config_warnings:
        meta["config_warnings"] = summary.config_warnings  # notes of the verdict, as in the run's own
    if summary.delivery_held:
        meta["delivery_held"] = summary.delivery_held  # a note of the verdict, as in the run's own
    rd = RunData.from_history(history, kind=str(spec.get("label") or "run"), meta=meta, verdicts=verdicts,
                              wall_time_s=summary.wall_s, sim_time_s=summary.simulated_s,
                              history_path=str(history_path), status=summary.status)
    rd.callbacks = summary.callback_duration_s
    rd.cpu = summary.cpu
    rd.machine = summary.machine
    rd.gates = list(getattr(summary, "gates", None) or [])
    rd.steady_state = getattr(summary, "steady_state", None)
    return rd, read_warnings


def cut_off_run_data(run_dir: Path) -> tuple[Any, list[str]]:
    """``RunData`` of a ``soundcheck run`` folder that holds its history and nothing else (and the
    warnings of reading it): the run was killed (or its machine went down) before it was judged.

    Why INCONCLUSIVE and not judged: the run did not finish, so nothing vouches for the system;
    and the invariants would read the operations the kill left open, the faults it left active
    and the slopes it cut short as the system's own doing (false failures). The history is read
    as far as its last whole line (a line the kill cut part-way is dropped and named), and the
    report says when the record stops, so the folder can still be reported, compared and
    listed in the run history. A history damaged in the middle stays an input error (exit 2)."""
    from ..history import NO_ENTRIES, cut_off_phrase, recorded_nothing
    from ..reports import RunData

    history_path = run_dir / "history.jsonl"
    if history_path.is_symlink():
        raise InputFileError(history_path, "is a symbolic link; soundcheck never follows links in a run folder "
                                           "(a folder from another machine could point anywhere)")
    history, read_warnings = _open_history(history_path)
    run = history.meta.get("run")
    spec: dict[str, Any] = dict(run) if isinstance(run, dict) else {}
    asked = spec.get("duration_s")
    if not recorded_nothing(history):
        cut_off = cut_off_phrase(history)
        why = (f"{cut_off}: its history stops there ({len(history)} entries) and no summary.json is beside it "
               "(it was killed or its machine went down), so it was not judged; run it again to judge it")
    else:
        # the words `scenario from-history` refuses the same file with (``NO_ENTRIES``)
        cut_off = f"{history_path.name} {NO_ENTRIES}"
        why = f"{cut_off}, so there is nothing to judge; run it again to judge it"
    # ok and inconclusive: the verdict's form of "could not be judged" (``verdict.check_status``)
    verdicts = [{"name": "run_completed", "ok": True, "inconclusive": True, "message": why,
                 "reason": cut_off, "evidence": []}]
    meta = {"run_id": run_dir.name, "backend": spec.get("backend"), "seed": spec.get("seed"),
            "profile": spec.get("faults"), "duration_s": asked, "label": spec.get("label"),
            "faults_wanted": False, "faults_skipped": {}}
    rd = RunData.from_history(history, kind=str(spec.get("label") or "run"), meta=meta, verdicts=verdicts,
                              history_path=str(history_path), status="partial",
                              problems=read_warnings)
    return rd, read_warnings


def _open_history(history_path: Path) -> tuple[Any, list[str]]:
    """The ``History`` at ``history_path`` and the warnings of reading it: a last line cut
    part-way by a kill is dropped, and the user told which file lost what."""
    from ..history import History

    history = History.open_jsonl(history_path)
    return history, [history.cut_tail.describe(history_path)] if history.cut_tail else []
