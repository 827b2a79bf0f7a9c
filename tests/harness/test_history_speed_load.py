"""The run-history database judges a run's speed only against like runs whose machine loads
compare with its own (``machine_load.comparable``, the rule ``soundcheck compare`` applies), and
says why when it does not; scenarios and soaks record the load they ran under as runs do.

Why: the speed is a wall-clock figure. The same build's healthy runs ran at 17-190x real time on
this 2-core machine as other work came and went (bench/RESULTS.md, issue #11): a slower run under
a heavier load is the machine's doing, and a history that flagged it was a false alarm.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from soak_reports import healthy_soak_report
from harness.cli import main
from harness.reports.history_db import HistoryDB

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "sim" / "xrun-is-counted-not-fatal.toml"
SPEED = "speed (x real time)"


def _load(start: float, end: float | None = None, cpus: int = 2) -> dict[str, Any]:
    return {"cpus": cpus, "load_1min_start": start, "load_1min_end": start if end is None else end}


def _report(speed: float, machine: dict[str, Any] | None, i: int) -> dict[str, Any]:
    return healthy_soak_report(i, wall_x=speed, machine=machine)


def _judged(db_path: Path, runs: list[tuple[float, dict[str, Any] | None]]) -> tuple[list[str], dict[str, str]]:
    """The regressions' figures and the figures not judged for load of the last of ``runs``, each
    recorded in order into a fresh database."""
    with HistoryDB(db_path) as db:
        for i, (speed, machine) in enumerate(runs):
            db.record(_report(speed, machine, i))
        last = db.runs(limit=1)[-1]
        return [r.figure for r in db.regressions(last)], db.not_judged_for_load(last)


def test_a_far_slower_run_under_the_same_load_is_a_regression(tmp_path: Path) -> None:
    regressed, unjudged = _judged(tmp_path / "h.sqlite", [(100.0, _load(1.0))] * 3 + [(20.0, _load(1.2, 1.0))])
    assert regressed == ["speed_x"] and unjudged == {}


def test_a_slower_run_under_a_heavier_load_is_not_judged_and_says_why(tmp_path: Path) -> None:
    """Fails without the load rule: the speed was judged across loads (a regression)."""
    regressed, unjudged = _judged(tmp_path / "h.sqlite", [(100.0, _load(1.0))] * 3 + [(20.0, _load(8.0))])
    assert regressed == []
    assert "0 of the 3 like runs before it ran under a machine load comparable" in unjudged[SPEED]
    assert "the machine carried different loads" in unjudged[SPEED]


def test_only_the_like_runs_of_a_comparable_load_are_the_speed_s_baseline(tmp_path: Path) -> None:
    """Three runs at load 8 (speed 20) among three at load 1 (speed 100): a run at load 8 as fast as
    its own kind is the same, one far slower than them is a regression."""
    mixed = [(100.0, _load(1.0)), (20.0, _load(8.0))] * 3
    assert _judged(tmp_path / "a.sqlite", [*mixed, (19.0, _load(8.0))]) == ([], {})
    assert _judged(tmp_path / "b.sqlite", [*mixed, (5.0, _load(8.0))])[0] == ["speed_x"]


@pytest.mark.parametrize(("runs", "why"), [
    ([(100.0, None)] * 3 + [(20.0, None)], "this run recorded no machine load"),
    ([(100.0, None)] * 3 + [(20.0, _load(1.0))], "0 of the 3 like runs before it"),
    ([(100.0, _load(1.0))] * 3 + [(20.0, None)], "this run recorded no machine load"),
    ([(100.0, _load(1.0, 3.0))] * 3 + [(20.0, _load(1.0))], "A's load changed during its run"),
])
def test_rows_without_a_comparable_load_never_judge_a_speed(tmp_path: Path, runs, why: str) -> None:
    regressed, unjudged = _judged(tmp_path / "h.sqlite", runs)
    assert regressed == [] and why in unjudged[SPEED], unjudged


def test_an_older_database_gains_the_machine_column_from_its_stored_reports(tmp_path: Path) -> None:
    """Rows whose report kept the load get it; a report from before the load stays NULL."""
    path = tmp_path / "old.sqlite"
    with HistoryDB(path) as db:
        db.record(_report(100.0, _load(1.0), 0))
        db.record(_report(100.0, None, 1))
    con = sqlite3.connect(path)
    con.execute("ALTER TABLE runs DROP COLUMN machine")
    con.commit()
    con.close()
    with HistoryDB(path) as db:
        rows = db.runs()
    assert [json.loads(r["machine"]) if r["machine"] else None for r in rows] == [_load(1.0), None]
    from harness.reports.history_db import machine_of

    assert machine_of({"performance": {"machine": "busy"}}) is None


def test_the_history_command_says_why_the_speed_was_not_judged(tmp_path: Path, capsys) -> None:
    db = tmp_path / "h.sqlite"
    _judged(db, [(100.0, _load(1.0))] * 3 + [(20.0, _load(8.0))])
    assert main(["history", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert f"not judged ({SPEED}): a wall-clock figure, compared only between runs of comparable machine load" in out
    assert main(["history", "--db", str(db), "--json"]) == 0
    assert SPEED in json.loads(capsys.readouterr().out)["not_judged_for_load"]


def _machine_ok(m: Any) -> bool:
    return isinstance(m, dict) and isinstance(m.get("cpus"), int) and all(
        isinstance(m.get(k), float) for k in ("load_1min_start", "load_1min_end"))


def test_a_scenario_run_records_the_machine_s_load(tmp_path: Path, capsys) -> None:
    """Fails without the change: a scenario's summary and report kept no load."""
    db = tmp_path / "h.sqlite"
    assert main(["scenario", "run", str(SCENARIO), "--report-dir", str(tmp_path / "r"), "--db", str(db)]) == 0
    (folder,) = [p for p in (tmp_path / "r").iterdir() if p.is_dir()]
    summary = json.loads((folder / "summary.json").read_text())
    report = json.loads((folder / "report.json").read_text())
    assert _machine_ok(summary["machine"]) and report["performance"]["machine"] == summary["machine"]
    (folder / "report.json").unlink()
    assert main(["report", str(folder), "--no-history"]) == 0
    assert json.loads((folder / "report.json").read_text())["performance"]["machine"] == summary["machine"]
    with HistoryDB(db) as h:
        (row,) = h.runs()
    assert json.loads(row["machine"]) == summary["machine"]


def test_a_rebuilt_run_report_keeps_the_machine_s_load(tmp_path: Path) -> None:
    """Fails without the change: ``soundcheck report`` rebuilt a run's report without its load."""
    from harness.runner import ReliabilityRun, RunSpec

    result = ReliabilityRun(RunSpec(backend="sim", duration_s=3.0, seed=1, faults="none",
                                    report_root=tmp_path)).execute()
    machine = result.summary["machine"]
    assert _machine_ok(machine)
    (result.run_dir / "report.json").unlink()
    assert main(["report", str(result.run_dir), "--no-history"]) == 0
    assert json.loads((result.run_dir / "report.json").read_text())["performance"]["machine"] == machine


def test_a_run_too_short_for_its_speed_is_said_too_short_not_unjudged_for_load(tmp_path: Path) -> None:
    """A 5-minute run's speed is never compared (``FIGURE_MIN_EXPOSURE_S``): that is what is
    said of it, whatever the loads."""
    with HistoryDB(tmp_path / "h.sqlite") as db:
        for i, (speed, machine) in enumerate([(100.0, _load(1.0))] * 3 + [(20.0, _load(8.0))]):
            report = _report(speed, machine, i)
            report["stability"]["sim_time_s"] = report["run"]["duration_s"] = 300.0
            db.record(report)
        last = db.runs(limit=1)[-1]
        assert SPEED in db.too_short(last) and db.not_judged_for_load(last) == {}
