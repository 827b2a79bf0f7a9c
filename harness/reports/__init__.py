"""Stability, performance and recovery reports: ``report.json``, ``report.html``, figures, allure.

    from harness.reports import RunData, write_reports
    paths = write_reports(run_dir, RunData.from_history(history, kind="run", system=system,
                                                        verdicts=verdicts, meta={...}))

``write_reports(run_dir, run_data) -> ReportPaths`` writes ``report.json`` (schema: ``SCHEMA.md``),
``report.html`` (self-contained) and ``figures/*.svg`` into ``run_dir``, records the run in the run
history database (``history_db``; ``history_db=False`` to skip) and, under pytest with allure, attaches
everything. ``run_data`` may also be a run folder with a journal (``soundcheck report`` does that).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from .build import build_report, run_data_from_journal
from .model import SCHEMA_VERSION, RunData

__all__ = ["ReportPaths", "RunData", "SCHEMA_VERSION", "attach_report_to_allure", "build_report",
           "history_db_warning", "run_data_from_journal", "run_data_from_run", "write_reports"]


class ReportPaths(dict):  # type: ignore[type-arg]
    """``{"json": Path, "html": Path, "figure:<name>": Path, ..., "history_db": Path}``; ``.report``
    holds the report dict that was written."""

    report: dict[str, Any]

    @property
    def json(self) -> Path:
        return self["json"]

    @property
    def html(self) -> Path:
        return self["html"]

    @property
    def figures(self) -> dict[str, Path]:
        return {k.split(":", 1)[1]: v for k, v in self.items() if k.startswith("figure:")}

    @property
    def history_db_warning(self) -> str | None:
        """The line to print when the run could not be recorded in the run-history database."""
        return history_db_warning(self)

    def all(self) -> list[Path]:
        return [self.json, self.html, *self.figures.values(),
                *([self["timeline"]] if "timeline" in self else [])]


def write_reports(run_dir: str | os.PathLike[str], run_data: RunData | str | os.PathLike[str] | None = None,
                  *, history_db: str | os.PathLike[str] | bool | None = None, allure: bool = True
                  ) -> ReportPaths:
    """Write every report of one run into ``run_dir``; returns their paths.

    ``run_data`` None or a path: rebuilt from the journal in that folder. ``history_db``: a path,
    None for the default (``$SOUNDCHECK_HISTORY_DB`` or ``reports/history.sqlite``), False to skip.
    """
    from .html import render_html
    from .plots import FORMAT, draw_all

    from ..runfolder import RunFolder

    out = Path(run_dir)
    folder = RunFolder(out, create=True)  # every write below: inside it, never through a link
    run_data = as_run_data(run_data, out)
    report = build_report(run_data, run_dir=out)
    figures = draw_all(run_data, report)
    fig_paths: dict[str, Path] = {}
    for name, drawn in (figures or {}).items():
        fig_paths[name] = folder.write_bytes(f"figures/{name}.{FORMAT}", drawn)
    report["figures"] = {k: str(v.relative_to(out)) for k, v in fig_paths.items()}
    # everything below reads the report, not the run data: a soak's entries (hundreds of
    # thousands after 8 hours) are freed before the timeline reads the history beside them
    del run_data
    timeline_path = _write_timeline(folder, out, report)
    report["timeline_html"] = timeline_path.name if timeline_path is not None else None
    json_path = folder.write_text("report.json", json.dumps(report, indent=2, allow_nan=False))
    html_path = folder.write_text("report.html", render_html(report, figures))
    paths = ReportPaths(json=json_path, html=html_path, **{f"figure:{k}": v for k, v in fig_paths.items()})
    if timeline_path is not None:
        paths["timeline"] = timeline_path
    paths.report = report
    if history_db is not False:
        # The run-history database is a side record: when it is locked, corrupt or of another
        # schema, the reports are still written and the run keeps its verdict; the failure is
        # returned as ``history_db_error`` for every command to print the same warning.
        from .history_db import HistoryDB, HistoryDBError, default_db_path
        db_path = Path(history_db) if isinstance(history_db, (str, os.PathLike)) else default_db_path()
        try:
            with HistoryDB(db_path) as db:
                db.record(report, run_dir=out)
        except HistoryDBError as exc:
            paths["history_db_error"] = str(exc)
        else:
            paths["history_db"] = db_path
    if allure:
        attach_report_to_allure(paths)
    return paths


def _write_timeline(folder: Any, out: Path, report: dict[str, Any]) -> Path | None:
    """``timeline.html`` from the run folder's ``history.jsonl``, read in windows (a few MB
    whatever the history's length), or None when the folder has no history to draw
    (``report.json``'s ``timeline_html`` is then null)."""
    from .timeline import timeline_from_file

    history = out / "history.jsonl"
    if not history.is_file() or history.is_symlink():
        return None
    return folder.write_text("timeline.html", timeline_from_file(history, report))


def history_db_warning(paths: Any) -> str | None:
    """``soundcheck: warning: ...`` when ``paths`` (report paths, as written or as strings) carry a
    run-history database failure, or say the reports (and so the record) could not be built
    (``report_error``); the same line from ``run``, ``soak`` and ``report``."""
    paths = paths or {}
    if paths.get("report_error"):
        return (f"soundcheck: warning: this run's reports could not be built ({paths['report_error']}; "
                "report-error.txt in its folder), so it was NOT recorded in the run-history database. "
                "Its summary.json and history.jsonl are written; once the cause is mended, build both "
                "with `soundcheck report RUN_DIR`.")
    error = paths.get("history_db_error")
    if not error:
        return None
    return (f"soundcheck: warning: this run was NOT recorded in the run-history database: {error}. "
            "The reports are written; record it later with `soundcheck report RUN_DIR`.")


def history_record(paths: Any) -> dict[str, Any]:
    """``summary.json``'s ``history_db``: ``{"recorded": true, "path": ...}``, or ``{"recorded":
    false, "why": ...}`` when the run-history database refused the row, or the reports it is made
    from could not be built. Why in the summary too: a run that was not recorded exits as its
    verdict says, and a driver that keeps only the summary and the exit code (a CI job, a series
    of seeds) could not tell that its history has a hole."""
    paths = paths or {}
    if paths.get("report_error"):
        return {"recorded": False, "why": f"the reports could not be built: {paths['report_error']}"}
    if paths.get("history_db_error"):
        return {"recorded": False, "why": str(paths["history_db_error"])}
    if paths.get("history_db"):
        return {"recorded": True, "path": str(paths["history_db"])}
    return {"recorded": False, "why": "no run-history database was asked for"}


def mtbf_record(paths: Any) -> dict[str, Any] | None:
    """``summary.json``'s ``mtbf``: the report's failure incidents, the simulated time they were
    counted over, MTBF and its interval (``rates.mtbf_interval``); None when no report was built.
    Why in the summary: a driver that keeps only summaries (a CI job, a series of seeds) reads
    MTBF there, and one figure without its interval reads as a measurement when it is one draw."""
    st = (getattr(paths, "report", None) or {}).get("stability") if paths else None
    if not st:
        return None
    return {"incident_count": st.get("incident_count"), "exposure_s": st.get("sim_time_s"),
            "mtbf_s": st.get("mtbf_s"), "interval_s": st.get("mtbf_interval_s")}


def as_run_data(run_data: RunData | str | os.PathLike[str] | None, run_dir: Path) -> RunData:
    """``RunData`` from what callers hand us: RunData, or a run folder (None: ``run_dir``) whose
    journal it is rebuilt from."""
    if isinstance(run_data, RunData):
        return run_data
    if run_data is None or isinstance(run_data, (str, os.PathLike)):
        return run_data_from_journal(Path(run_data) if run_data is not None else run_dir, report_only=True)
    raise TypeError(f"write_reports needs RunData or a run folder, not {type(run_data).__name__}")


def run_data_from_run(history: Any, *, run_dir: Path, meta: dict[str, Any], label: str,
                      summary: dict[str, Any], verdicts: Any) -> RunData:
    """``RunData`` of one reliability run: its history, verdicts and summary.

    A run whose folder also holds a soak journal is merged with it: the journal has the
    per-checkpoint measurements (resources, callback histograms) and every segment of a resumed
    run; the run has the verdicts and the final figures.
    """
    from ..journal import JOURNAL_NAME, JournalError

    meta = dict(meta)
    if isinstance(summary.get("faults"), dict) and "wanted" in summary["faults"]:
        meta["faults_wanted"] = bool(summary["faults"]["wanted"])
    if isinstance(summary.get("faults"), dict) and summary["faults"].get("skipped"):
        meta["faults_skipped"] = summary["faults"]["skipped"]
    if isinstance(summary.get("faults"), dict) and isinstance(summary["faults"].get("mostly_refused"), dict):
        meta["faults_mostly_refused"] = summary["faults"]["mostly_refused"]  # a note of the verdict
    if isinstance(summary.get("faults"), dict) and isinstance(summary["faults"].get("not_applicable"), dict):
        meta["faults_not_applicable"] = summary["faults"]["not_applicable"]  # a note of the verdict
    if isinstance(summary.get("faults"), dict) and summary["faults"].get("scheduled_unfired"):
        meta["faults_unfired"] = summary["faults"]["scheduled_unfired"]  # a doubt of the verdict
        if isinstance(summary["faults"].get("unfired_why"), dict):
            meta["faults_unfired_why"] = summary["faults"]["unfired_why"]  # and why, kind by kind
    if isinstance(summary.get("faults"), dict) and isinstance(summary["faults"].get("outcomes"), dict):
        meta["fault_outcomes"] = summary["faults"]["outcomes"]  # the reports' table, the verdict's path doubt
    if isinstance(summary.get("faults"), dict) and isinstance(summary["faults"].get("path_missed"), dict):
        meta["path_missed"] = summary["faults"]["path_missed"]  # as the run judged it, from its whole history
    if isinstance(summary.get("faults"), dict) and isinstance(summary["faults"].get("path_unseen"), dict):
        meta["path_unseen"] = summary["faults"]["path_unseen"]  # likewise
    if summary.get("not_started"):
        meta["not_started"] = str(summary["not_started"])
    if isinstance(summary.get("device_losses"), dict):
        meta["device_losses"] = summary["device_losses"]  # an unexplained one makes the verdict doubt
    if summary.get("config_warnings"):
        meta["config_warnings"] = [str(w) for w in summary["config_warnings"]]  # notes of the verdict
    if isinstance(summary.get("delivery_held"), int) and summary["delivery_held"] > 0:
        meta["delivery_held"] = summary["delivery_held"]  # a note of the verdict
    meta.setdefault("run_id", Path(run_dir).name)
    rd = RunData.from_history(history, kind=label or "run", meta=meta, verdicts=verdicts,
                              wall_time_s=summary.get("wall_s"), sim_time_s=summary.get("simulated_s"),
                              history_path=summary.get("history"), status=str(summary.get("status") or "completed"))
    rd.callbacks = summary.get("callback_duration_s")  # every callback, folded during the run
    rd.cpu = summary.get("cpu")
    rd.machine = summary.get("machine") if isinstance(summary.get("machine"), dict) else None
    rd.audio = summary.get("audio")
    rd.gates = list(summary.get("gates") or [])
    rd.steady_state = summary.get("steady_state")
    journal = Path(run_dir) / JOURNAL_NAME
    if journal.exists():
        try:
            jd = run_data_from_journal(journal, report_only=True)
        except JournalError as exc:
            rd.problems.append(f"journal unreadable: {exc}")
        else:
            rd.kind = jd.kind
            rd.meta = {**jd.meta, **{k: v for k, v in rd.meta.items() if k not in jd.meta}}
            rd.config = jd.config or rd.config
            rd.entries, rd.chunks, rd.samples, rd.glitches = jd.entries, jd.chunks, jd.samples, jd.glitches
            rd.folded = jd.folded  # the journal's, read as a fold (the lists above are then empty)
            rd.audio = rd.audio or jd.audio
            rd.sim_time_s = jd.sim_time_s
            rd.problems = [p for p in jd.problems if "did not finish" not in p and "no end record" not in p]
            if jd.wall_time_s:
                rd.wall_time_s = jd.wall_time_s
    return rd


def allure_labels(report: dict[str, Any]) -> list[tuple[str, str]]:
    """``(name, value)`` labels of a report for Allure: seed, backend, profile, outcome, mutant,
    and each fault kind injected."""
    run = report.get("run") or {}
    out = [(k, str(run[k])) for k in ("seed", "backend", "profile", "mutant") if run.get(k) is not None]
    outcome = (report.get("verdict") or {}).get("outcome")
    if outcome:
        out.append(("outcome", str(outcome)))
    out += [("fault_kind", str(k)) for k in sorted((report.get("stability") or {}).get("faults_by_type") or {})]
    return out


def attach_report_to_allure(paths: ReportPaths | list[Path] | Any) -> bool:
    """Attach the figures, report and history to the running allure test; a no-op without allure.

    Returns True when something was attached. Labels: feature = the run kind, severity = critical
    when the verdict failed, else normal; ``seed``, ``backend``, ``profile``, ``outcome`` and one
    ``fault_kind`` per kind injected, so Allure can group and filter runs by them.
    """
    if "allure_commons" not in sys.modules:  # nothing loaded allure, so nothing is reporting to it;
        return False  # importing it to find that out cost ~20 ms of every run
    try:
        import allure  # type: ignore[import-not-found]
        from allure_commons import plugin_manager  # type: ignore[import-not-found]
    except ImportError:
        return False
    try:  # only when allure is actually reporting (allure-pytest with ``--alluredir``)
        if not any(type(p).__name__ in ("AllureListener", "AllureFileLogger")
                   for _name, p in plugin_manager.list_name_plugin()):
            return False
    except Exception:  # noqa: BLE001
        return False
    items = paths.all() if isinstance(paths, ReportPaths) else [Path(p) for p in paths]
    report = paths.report if isinstance(paths, ReportPaths) else {}
    if not report:
        for p in items:
            if p.name == "report.json" and p.exists():
                try:
                    report = json.loads(p.read_text(encoding="utf-8"))
                except ValueError:
                    report = {}
    if report:
        allure.dynamic.feature(f"soundcheck {report.get('kind', 'run')}")
        allure.dynamic.severity(allure.severity_level.CRITICAL if not report.get("verdict", {}).get("ok")
                                else allure.severity_level.NORMAL)
        for name, value in allure_labels(report):
            allure.dynamic.label(name, value)
    types = {".svg": allure.attachment_type.SVG, ".png": allure.attachment_type.PNG, ".json": allure.attachment_type.JSON,
             ".html": allure.attachment_type.HTML}
    attached = False
    for p in items:
        if p.exists():
            allure.attach.file(str(p), name=p.name, attachment_type=types.get(p.suffix))
            attached = True
    hist = (report.get("run") or {}).get("history_path") if report else None
    if hist and Path(hist).exists():
        allure.attach.file(hist, name="history.jsonl", attachment_type=allure.attachment_type.JSON)
    return attached
