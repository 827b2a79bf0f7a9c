"""A scenario run as a run folder: ``summary.json``, ``history.jsonl``, ``report.json``/``.html``
and a row of kind ``scenario`` in the run-history database.

``soundcheck scenario run --report-dir DIR`` writes one such folder per scenario, so scenario runs
are in ``soundcheck history --kind scenario`` and ``soundcheck report FOLDER`` rebuilds their
reports like a run's (``summary.json`` has the fields ``harness.commands.report`` reads, with
``spec.label = "scenario"``). A scenario's verdicts are its expectations: one ``expectations``
check (held when every expectation held) and one violated check per failed expectation, named by
the invariant it expected when it names one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["scenario_verdicts", "write_scenario_folder"]


def scenario_verdicts(result: Any) -> list[dict[str, Any]]:
    """The checks of a scenario run (see the module docstring)."""
    total = len(result.scenario.expect)
    out = [{"name": "expectations", "ok": result.passed, "inconclusive": False,
            "message": (f"all {total} expectation(s) held" if result.passed else
                        f"{len(result.failures)} of {total} expectation(s) failed: "
                        + "; ".join(f.expectation for f in result.failures[:5])),
            "evidence": []}]
    seen: set[str] = {"expectations"}
    for f in result.failures:
        name = f.invariant or f.expectation
        if name in seen:
            continue
        seen.add(name)
        out.append({"name": name, "ok": False, "inconclusive": False, "message": f.message,
                    "evidence": list(f.evidence)})
    return out


def write_scenario_folder(result: Any, run_dir: Path, *, source: str | None,
                          history_db: str | os.PathLike[str] | bool | None = None) -> Any:
    """Write the folder of one finished scenario run (its history already streamed to
    ``run_dir/history.jsonl``); returns the report paths (``harness.reports.ReportPaths``)."""
    from ..runfolder import RunFolder
    from . import RunData, write_reports

    scenario = result.scenario
    verdicts = scenario_verdicts(result)
    spec = {"backend": scenario.run.backend, "seed": scenario.run.seed, "faults": f"scenario:{scenario.id}",
            "duration_s": round(result.sim_seconds, 6), "label": "scenario", "scenario": source}
    summary = {"soundcheck": "scenario-summary", "kind": "scenario", "ok": result.passed,
               "outcome": "pass" if result.passed else "fail", "spec": spec, "scenario_id": scenario.id,
               "source": source, "invariants": {v["name"]: v["ok"] for v in verdicts},
               "violations": [v for v in verdicts if not v["ok"]], "inconclusive": [],
               "failures": [f.to_dict() for f in result.failures], "steps_fired": list(result.steps_fired),
               "simulated_s": round(result.sim_seconds, 6), "wall_s": round(result.wall_seconds, 3),
               "faults": {"wanted": False}, "history": str(run_dir / "history.jsonl")}
    RunFolder(run_dir, create=True).write_text("summary.json", json.dumps(summary, indent=2) + "\n")
    meta = {"run_id": run_dir.name, "backend": spec["backend"], "seed": spec["seed"], "profile": spec["faults"],
            "duration_s": spec["duration_s"], "label": "scenario", "scenario": source}
    rd = RunData.from_history(result.history, kind="scenario", meta=meta, verdicts=verdicts,
                              wall_time_s=result.wall_seconds, sim_time_s=result.sim_seconds,
                              history_path=str(run_dir / "history.jsonl"))
    return write_reports(run_dir, rd, history_db=history_db)
