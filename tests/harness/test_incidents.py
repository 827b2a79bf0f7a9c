"""Failure incidents: one device fault is one incident, however many FAILED entries it makes.

Measured on a healthy default-profile 20 s run (seed 6): one dropout whose device could not be
reopened gave 8 FAILED entries at t=7.26 s (every component's, then each failed retry), and the
report's ``failure_count`` said 8. The figure a user reads, and the history database judges, is the
number of the system's distinct episodes in FAILED.
"""

from __future__ import annotations

import sqlite3

import pytest

from harness.reports.build import RunData, build_report
from harness.reports.history_db import HistoryDB
from harness.reports.incidents import IncidentFold

COMPONENTS = ("system", "dsp", "input", "output", "device")


def _tr(t: float, to_state: str, cause: str, component: str = "system", from_state: str = "running"):
    return {"type": "transition", "time": t,
            "data": {"component": component, "from_state": from_state, "to_state": to_state, "cause": cause}}


def _device_fault_entries(t: float, retries: int, back_at: float | None) -> list[dict]:
    """A start that failed on a missing device (every component to FAILED), ``retries`` failed
    recoveries at the same instant, and the system RUNNING again at ``back_at``."""
    out = [_tr(t, "failed", "start failed: DeviceNotFoundError", c, "starting") for c in COMPONENTS]
    for _ in range(retries):
        out.append(_tr(t, "recovering", "recover()", "system", "failed"))
        out.append(_tr(t, "failed", "recovery failed: recover(): no device could be opened", "system", "recovering"))
    if back_at is not None:
        out.append(_tr(back_at, "running", "started", "system", "starting"))
    return out


def _report(entries: list[dict], sim_time_s: float = 20.0) -> dict:
    rd = RunData(kind="run", meta={"seed": 6, "profile": "default"}, sim_time_s=sim_time_s,
                 entries=[{"type": "attach", "time": 0.0, "data": {"state": "running"}}, *entries],
                 verdicts=[{"name": "recovery", "ok": True, "message": ""}])
    return build_report(rd)["stability"]


def test_one_device_fault_with_its_retries_is_one_incident_not_eight_failures():
    st = _report(_device_fault_entries(7.263091, retries=7, back_at=9.5))
    assert st["failure_count"] == 12  # the detail is kept: 5 components + 7 retries
    assert st["incident_count"] == 1 and st["unrecovered_incidents"] == 0
    inc = st["incidents"][0]
    assert inc["start_t"] == pytest.approx(7.263091) and inc["end_t"] == pytest.approx(9.5)
    assert inc["recovered"] and inc["failed_entries"] == 8
    assert inc["causes"] == ["start failed: DeviceNotFoundError", "recovery failed: recover(): no device could be opened"]
    assert st["mtbf_s"] == pytest.approx(20.0)


def test_two_episodes_are_two_incidents_and_one_the_run_ended_in_is_unrecovered():
    entries = [*_device_fault_entries(3.0, retries=2, back_at=4.0), *_device_fault_entries(12.0, retries=1, back_at=None)]
    st = _report(entries)
    assert st["incident_count"] == 2 and st["unrecovered_incidents"] == 1
    assert [i["recovered"] for i in st["incidents"]] == [True, False]
    assert st["incidents"][1]["end_t"] is None and st["mtbf_s"] == pytest.approx(10.0)


def test_failed_on_purpose_and_its_dependents_are_no_incident():
    """``simulate_error`` sends dsp (and the system) to FAILED on purpose; its dependents' FAILED
    entries say "dependency 'dsp' failed: simulate_error" and were counted as failures."""
    entries = [_tr(6.0, "failed", "simulate_error", "dsp"),
               *(_tr(6.0, "failed", "dependency 'dsp' failed: simulate_error", c) for c in ("device", "input", "output")),
               _tr(6.0, "failed", "simulate_error", "system"),
               _tr(6.5, "running", "started", "system", "starting")]
    st = _report(entries)
    assert st["incident_count"] == 0 and st["incidents"] == [] and st["mtbf_s"] is None
    assert "no failure incident in" in st["mtbf_note"]


def test_a_transition_naming_no_component_is_the_systems():
    fold = IncidentFold()
    fold.feed(1.0, {"from_state": "running", "to_state": "failed", "cause": "boom"})
    fold.feed(1.0, {"from_state": "failed", "to_state": "failed", "cause": "again", "component": None})
    fold.feed(2.0, {"from_state": "starting", "to_state": "running", "cause": "start", "component": "dsp"})
    assert fold.summary()["unrecovered_incidents"] == 1  # a component running is not the system back
    fold.feed(3.0, {"from_state": "starting", "to_state": "running", "cause": "start"})
    assert fold.summary()["incident_count"] == 1 and fold.summary()["unrecovered_incidents"] == 0


def _history_report(i: int, incidents: int | None, failures: int) -> dict:
    st = {"failure_count": failures, "xruns_per_hour": 100.0, "sim_time_s": 3600.0, "faults_injected": 5}
    if incidents is not None:
        st["incident_count"] = incidents
    return {"kind": "soak", "verdict": {"ok": True, "outcome": "pass"},
            "run": {"run_id": f"r{i}", "backend": "sim", "profile": "default", "seed": i, "status": "completed",
                    "duration_s": 3600.0},
            "stability": st, "performance": {}, "recovery": {}}


def _old_database(path, reports: list[dict]) -> None:
    """A database as the soundcheck before incidents wrote it: no ``incidents`` column."""
    with HistoryDB(path) as db:
        for i, r in enumerate(reports):
            db.record(r, run_dir=path.parent / f"run{i}")
    con = sqlite3.connect(path)
    con.execute("ALTER TABLE runs DROP COLUMN incidents")
    con.commit()
    con.close()


def test_an_older_database_gains_the_incidents_column_filled_from_its_stored_reports(tmp_path):
    path = tmp_path / "h.sqlite"
    _old_database(path, [_history_report(0, None, 8), _history_report(1, 1, 8)])
    with HistoryDB(path) as db:
        rows = db.runs(limit=10)
    # a report that kept incidents gives them; one that predates them stays unknown, never its failures
    assert [(r["failures"], r["incidents"]) for r in rows] == [(8, None), (8, 1)]


def test_an_older_database_opened_read_only_reads_incidents_as_unknown(tmp_path, capsys):
    from harness.cli import main

    path = tmp_path / "h.sqlite"
    _old_database(path, [_history_report(i, None, 8) for i in range(4)])
    with HistoryDB(path, readonly=True) as db:
        rows = db.runs(limit=10)
        assert [r["incidents"] for r in rows] == [None] * 4 and db.regressions(rows[-1]) == []
    assert main(["history", "--db", str(path)]) == 0  # writable: upgraded on the way, shown as "-"
    out = capsys.readouterr().out
    assert "no regression" in out and " inc " in out


def test_a_run_with_more_incidents_than_its_baseline_is_flagged_and_many_failed_entries_are_not(tmp_path):
    with HistoryDB(tmp_path / "h.sqlite") as db:
        for i in range(5):
            db.record(_history_report(i, 0 if i % 2 else 1, 8 if i % 2 == 0 else 0), run_dir=tmp_path / f"r{i}")
        db.record(_history_report(5, 1, 40), run_dir=tmp_path / "many_entries")
        assert db.regressions(db.runs(limit=1)[0]) == []
        db.record(_history_report(6, 20, 8), run_dir=tmp_path / "twenty_incidents")
        regs = db.regressions(db.runs(limit=1)[0])
    assert [r.figure for r in regs] == ["incidents"]


def _entry(to_state: str, cause: str | None, component: str | None = "system") -> dict:
    return {"component": component, "to_state": to_state, "cause": cause}


#: transition sequences and the incidents they fold to, whole (``summary()`` as the report holds it)
FOLDS = [
    ([],
     {"incidents": [], "incident_count": 0, "unrecovered_incidents": 0}),
    ([(2.0, _entry("failed", None)), (2.5, _entry("failed", "x")), (2.5, _entry("failed", None)),
      (5.25, _entry("running", "started"))],
     {"incidents": [{"start_t": 2.0, "end_t": 5.25, "recovered": True, "duration_s": 3.25, "failed_entries": 3,
                     "causes": ["unknown", "x"]}], "incident_count": 1, "unrecovered_incidents": 0}),
    ([(1.0, _entry("failed", "a", "dsp")), (1.0, _entry("failed", "simulate_error")),
      (1.5, _entry("running", "started")), (4.0, _entry("failed", 7, None))],
     {"incidents": [{"start_t": 4.0, "end_t": None, "recovered": False, "duration_s": None, "failed_entries": 1,
                     "causes": ["7"]}], "incident_count": 1, "unrecovered_incidents": 1}),
    # causes kept: the first MAX_CAUSES (8) distinct ones; every entry counted
    ([(3.0, _entry("failed", f"c{i % 10}")) for i in range(12)],
     {"incidents": [{"start_t": 3.0, "end_t": None, "recovered": False, "duration_s": None, "failed_entries": 12,
                     "causes": [f"c{i}" for i in range(8)]}], "incident_count": 1, "unrecovered_incidents": 1}),
]


@pytest.mark.parametrize(("entries", "summary"), FOLDS)
def test_transitions_fold_to_these_incidents_exactly(entries: list, summary: dict) -> None:
    fold = IncidentFold()
    for t, data in entries:
        fold.feed(t, data)
    assert fold.summary() == summary
