"""A scenario run as a run folder: ``summary.json``, ``history.jsonl``, ``report.json``/``.html``
and a row of kind ``scenario`` in the run-history database.

``soundcheck scenario run --report-dir DIR`` writes one such folder per scenario, so scenario runs
are in ``soundcheck history --kind scenario`` and ``soundcheck report FOLDER`` rebuilds their
reports like a run's (``summary.json`` has the fields ``harness.commands.report`` reads, with
``spec.label = "scenario"``). A scenario's verdicts are its expectations: one ``expectations``
check (held when no expectation failed) and one check per unmet expectation, named by the invariant
it expected when it names one: violated when it failed, inconclusive when it could not be judged.
``summary.json`` carries the scenario's ``verdict`` block (``ScenarioResult.verdict``, the object the
CLI line and the exit code of ``soundcheck scenario run`` read), as a run's summary does, and its
``device_losses`` (``harness.device_losses``), which the reports' verdict reads: a loss no fault step
explains makes the report inconclusive, as it does the CLI line.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["scenario_verdicts", "write_scenario_folder"]


def scenario_verdicts(result: Any) -> list[dict[str, Any]]:
    """The checks of a scenario run (``ScenarioResult.checks``; see the module docstring)."""
    return result.checks()


def write_scenario_folder(result: Any, run_dir: Path, *, source: str | None,
                          history_db: str | os.PathLike[str] | bool | None = None) -> Any:
    """Write the folder of one finished scenario run (its history already streamed to
    ``run_dir/history.jsonl``); returns the report paths (``harness.reports.ReportPaths``)."""
    from ..runfolder import RunFolder
    from ..verdict import check_status
    from . import RunData, write_reports

    scenario = result.scenario
    verdicts = scenario_verdicts(result)
    verdict = result.verdict
    spec = {"backend": scenario.run.backend, "seed": scenario.run.seed, "faults": f"scenario:{scenario.id}",
            "duration_s": round(result.sim_seconds, 6), "label": "scenario", "scenario": source}
    # ``ok`` and ``outcome`` at the top are the verdict block's, kept for readers of older folders
    summary = {"soundcheck": "scenario-summary", "kind": "scenario", "ok": verdict.ok,
               "outcome": verdict.outcome.value, "verdict": verdict.to_dict(), "spec": spec,
               "scenario_id": scenario.id, "source": source, "invariants": {v["name"]: v["ok"] for v in verdicts},
               "invariant_status": {v["name"]: check_status(v) for v in verdicts},
               "violations": [v for v in verdicts if not v["ok"]],
               "inconclusive": [v for v in verdicts if v["ok"] and v["inconclusive"]],
               "failures": [f.to_dict() for f in result.failures], "steps_fired": list(result.steps_fired),
               "simulated_s": round(result.sim_seconds, 6), "wall_s": round(result.wall_seconds, 3),
               "faults": {"wanted": False}, "history": str(run_dir / "history.jsonl")}
    if result.device_losses is not None:
        summary["device_losses"] = result.device_losses  # a rebuilt report's verdict reads it
    machine = getattr(result, "machine", None)
    if isinstance(machine, dict):
        summary["machine"] = machine  # the load it ran under: what compare needs before it judges a speed
    RunFolder(run_dir, create=True).write_text("summary.json", json.dumps(summary, indent=2) + "\n")
    meta = {"run_id": run_dir.name, "backend": spec["backend"], "seed": spec["seed"], "profile": spec["faults"],
            "duration_s": spec["duration_s"], "label": "scenario", "scenario": source}
    if result.device_losses is not None:
        meta["device_losses"] = result.device_losses
    rd = RunData.from_history(result.history, kind="scenario", meta=meta, verdicts=verdicts,
                              wall_time_s=result.wall_seconds, sim_time_s=result.sim_seconds,
                              history_path=str(run_dir / "history.jsonl"))
    rd.machine = machine if isinstance(machine, dict) else None
    return write_reports(run_dir, rd, history_db=history_db)
