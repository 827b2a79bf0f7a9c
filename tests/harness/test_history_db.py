"""The run-history database and ``soundcheck history``: trends and regressions."""

from __future__ import annotations

import pytest

from harness.cli import main
from harness.reports.history_db import HistoryDB, default_db_path, figures_from_report


def _report(xruns_per_hour=100.0, p99=0.002, kind="soak", profile="default", failures=0, i=0):
    return {
        "kind": kind, "verdict": {"ok": failures == 0},
        "run": {"run_id": f"r{i}", "backend": "sim", "profile": profile, "seed": 1, "status": "completed"},
        "stability": {"failure_count": failures, "incident_count": failures, "xruns_per_hour": xruns_per_hour, "sim_time_s": 3600.0,
                      "faults_injected": 50, "leaks": {"rss_bytes": {"slope_per_hour": 1024.0}},
                      "leaks_found": []},
        "performance": {"callback_duration_s": {"p99": p99, "max": 0.004}, "speed_x_realtime": 200.0},
        "recovery": {"episodes": [{"outcome": "recovered", "time_to_recover_s": 0.1}],
                     "recovered_total": 1, "failed_count": 0},
    }


def test_figures_from_a_report():
    f = figures_from_report(_report())
    assert f["xruns_per_hour"] == 100.0 and f["cb_p99_ms"] == pytest.approx(2.0)
    assert f["recovered_share"] == 1.0 and f["rss_slope_mib_h"] == pytest.approx(1 / 1024)
    assert figures_from_report({})["failures"] is None


def test_a_run_whose_recoveries_failed_has_a_lower_recovered_share_and_is_flagged(tmp_path):
    """The recovered share is recovered / (recovered + failed): a run where one recovery of four
    failed is at 0.75, and after runs that recovered every time that fall is a regression."""
    def failing(i, recovered, failed):
        report = _report(i=i)
        report["recovery"].update(recovered_total=recovered, failed_count=failed)
        return report

    assert figures_from_report(failing(0, 3, 1))["recovered_share"] == pytest.approx(0.75)
    assert figures_from_report(failing(0, 0, 2))["recovered_share"] == 0.0
    with HistoryDB(tmp_path / "h.sqlite") as db:
        for i in range(4):
            db.record(failing(i, 4, 0), run_dir=tmp_path / f"run{i}")
        db.record(failing(9, 3, 1), run_dir=tmp_path / "latest")
        regs = db.regressions(db.runs(limit=1)[0])
    assert [(r.figure, r.value) for r in regs] == [("recovered_share", 0.75)]


def test_regression_beyond_the_normal_spread_is_flagged(tmp_path):
    with HistoryDB(tmp_path / "h.sqlite") as db:
        for i, x in enumerate([100, 104, 97, 101, 99, 103]):
            db.record(_report(xruns_per_hour=x, i=i), run_dir=tmp_path / f"run{i}")
        normal = db.record(_report(xruns_per_hour=106, i=6), run_dir=tmp_path / "run6")
        runs = db.runs(limit=100)
        assert [r["id"] for r in runs][-1] == normal
        assert db.regressions(runs[-1]) == []
        db.record(_report(xruns_per_hour=160, p99=0.0021, i=7), run_dir=tmp_path / "run7")
        regs = db.regressions(db.runs(limit=1)[0])
    assert [r.figure for r in regs] == ["xruns_per_hour"]
    assert "xruns/h: 160 is worse than the last 7 runs" in regs[0].describe()


def test_only_comparable_runs_and_enough_of_them(tmp_path):
    with HistoryDB(tmp_path / "h.sqlite") as db:
        for i in range(5):
            db.record(_report(xruns_per_hour=5000, profile="hostile", i=i), run_dir=tmp_path / f"h{i}")
        db.record(_report(xruns_per_hour=100, i=10), run_dir=tmp_path / "d0")
        db.record(_report(xruns_per_hour=900, i=11), run_dir=tmp_path / "d1")
        latest = db.runs(limit=1)[0]
        assert db.regressions(latest) == []  # one default-profile run before it: not enough
        assert len(db.runs(limit=100, profile="hostile")) == 5


@pytest.mark.parametrize("earlier, flagged", [(2, []), (3, ["xruns_per_hour"])])
def test_a_regression_is_flagged_from_the_third_earlier_run_like_it(tmp_path, earlier, flagged):
    """``min_runs`` (3) earlier runs like it are enough to judge a run: the third night of a new
    configuration already flags a run whose xruns tripled; two are not a baseline."""
    with HistoryDB(tmp_path / "h.sqlite") as db:
        for i in range(earlier):
            db.record(_report(xruns_per_hour=100 + i, i=i), run_dir=tmp_path / f"run{i}")
        db.record(_report(xruns_per_hour=300, i=9), run_dir=tmp_path / "latest")
        regs = db.regressions(db.runs(limit=1)[0])
    assert [r.figure for r in regs] == flagged

def test_rebuilding_a_report_replaces_its_row(tmp_path):
    with HistoryDB(tmp_path / "h.sqlite") as db:
        db.record(_report(i=1), run_dir=tmp_path / "run")
        db.record(_report(i=1, xruns_per_hour=5), run_dir=tmp_path / "run")
        rows = db.runs()
    assert len(rows) == 1 and rows[0]["xruns_per_hour"] == 5


def test_default_path_env_and_cli(tmp_path, monkeypatch, capsys):
    db_path = tmp_path / "env.sqlite"
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(db_path))
    assert default_db_path() == db_path
    assert main(["history"]) == 0
    assert "no runs recorded yet" in capsys.readouterr().out
    with HistoryDB() as db:
        for i, x in enumerate([10, 11, 9, 10, 12]):
            db.record(_report(xruns_per_hour=x, i=i), run_dir=tmp_path / f"r{i}")
    assert main(["history"]) == 0
    out = capsys.readouterr().out
    assert "trends (oldest -> latest)" in out and "no regression" in out
    with HistoryDB(db_path) as db:
        db.record(_report(xruns_per_hour=40, i=9, failures=2), run_dir=tmp_path / "bad")
    assert main(["history", "--db", str(db_path)]) == 1
    out = capsys.readouterr().out
    assert "REGRESSION" in out and "failure incidents" in out and "xruns/h" in out
    assert main(["history", "--json", "--kind", "run"]) == 0  # no runs of kind "run"


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    assert main(["history", "--db", str(bad)]) == 2
    assert "not a usable run-history database" in capsys.readouterr().err


def test_write_reports_records_the_run(tmp_path):
    from harness import RunData, write_reports

    paths = write_reports(tmp_path / "run", RunData(kind="scenario", meta={"run_id": "x"}),
                          history_db=tmp_path / "h.sqlite")
    with HistoryDB(paths["history_db"]) as db:
        rows = db.runs()
    assert len(rows) == 1 and rows[0]["kind"] == "scenario" and rows[0]["ok"] == 0  # nothing checked: not a pass


def _with_outcome(outcome: str, i: int) -> dict:
    report = _report(i=i, failures=int(outcome == "fail"))
    report["verdict"] = {"ok": outcome == "pass", "outcome": outcome}
    return report


def test_the_history_shows_an_inconclusive_run_as_inconclusive_not_as_a_failure(tmp_path, capsys):
    """``ok`` is 0 for a failed run and an inconclusive one alike: the table shows each verdict,
    the database keeps it (``outcome``), and a database written before the column existed gets it
    filled from each row's stored report."""
    import sqlite3

    db_path = tmp_path / "h.sqlite"
    with HistoryDB(db_path) as db:
        for i, outcome in enumerate(("pass", "fail", "inconclusive")):
            db.record(_with_outcome(outcome, i), run_dir=tmp_path / f"r{i}")
        assert [r["outcome"] for r in db.runs()] == ["pass", "fail", "inconclusive"]
    main(["history", "--db", str(db_path)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split()[4] == "verdict", lines[1]
    assert [line.split()[4] for line in lines[2:5]] == ["pass", "FAIL", "INCONCLUSIVE"], lines
    # an older database: no ``outcome`` column; opened, it is added and filled from the reports
    with sqlite3.connect(db_path) as raw:
        raw.execute("ALTER TABLE runs DROP COLUMN outcome")
    with HistoryDB(db_path) as db:
        assert [r["outcome"] for r in db.runs()] == ["pass", "fail", "inconclusive"]

