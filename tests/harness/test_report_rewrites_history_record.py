"""``soundcheck report RUN_DIR`` says in ``summary.json`` what became of the rebuilt report's
run-history row (``harness.commands.report.record_in_summary``).

Measured (bench/RESULTS.md, 2026-12-05 late, issue #11): a run that was NOT recorded (its reports
could not be built) kept ``"recorded": false`` in its summary after ``soundcheck report`` had
recorded it, so a driver reading summaries counted a hole that was mended. Simulated device,
fixed seed, no fault: a run of seconds.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

import harness.runner
from harness.cli import main


def _unrecorded_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A run whose reports could not be built, so it is in no history (``history_db`` says why)."""
    def broken(*_a, **_k):
        raise RuntimeError("a report builder that raises")

    with monkeypatch.context() as m:
        m.setattr(harness.runner, "write_reports", broken)
        m.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "unused.sqlite"))
        main(["run", "--backend", "sim", "--duration", "3", "--seed", "5", "--faults", "none",
              "--report-dir", str(tmp_path / "runs")])
    (run_dir,) = (tmp_path / "runs").iterdir()
    assert _summary(run_dir)["history_db"]["recorded"] is False
    return run_dir


def _summary(run_dir: Path) -> dict:
    return json.loads((run_dir / "summary.json").read_text())


def _rows(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM runs").fetchone()[0])


def test_a_run_recorded_by_report_says_so_in_its_summary(tmp_path, monkeypatch, capsys) -> None:
    run_dir = _unrecorded_run(tmp_path, monkeypatch)
    capsys.readouterr()  # the run's own warning
    db = tmp_path / "later.sqlite"
    assert main(["report", str(run_dir), "--db", str(db)]) == 0
    assert _rows(db) == 1
    assert _summary(run_dir)["history_db"] == {"recorded": True, "path": str(db), "by": "soundcheck report"}
    assert "NOT recorded" not in capsys.readouterr().err


def test_no_history_leaves_the_summarys_word_as_it_was(tmp_path, monkeypatch) -> None:
    run_dir = _unrecorded_run(tmp_path, monkeypatch)
    before = _summary(run_dir)["history_db"]
    assert main(["report", str(run_dir), "--no-history"]) == 0
    assert _summary(run_dir)["history_db"] == before


def test_a_rebuilt_report_the_database_refused_says_why_and_keeps_the_earlier_record(tmp_path, monkeypatch,
                                                                                     capsys) -> None:
    run_dir = _unrecorded_run(tmp_path, monkeypatch)
    good = tmp_path / "good.sqlite"
    assert main(["report", str(run_dir), "--db", str(good)]) == 0
    recorded = _summary(run_dir)["history_db"]
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database at all, just text\n")
    assert main(["report", str(run_dir), "--db", str(bad)]) == 0
    assert "NOT recorded in the run-history database" in capsys.readouterr().err
    record = _summary(run_dir)["history_db"]
    assert record["recorded"] is False and "not an SQLite file at all" in record["why"], record
    assert record["earlier"] == recorded


def test_the_database_a_rebuilt_report_names_is_absolute_as_a_runs_is(tmp_path, monkeypatch) -> None:
    """``soundcheck run`` names its database by an absolute path (``run_db_path``), so a reader in
    any folder finds it; ``soundcheck report`` with the default database or a relative ``--db``
    wrote the path relative to a working directory the summary does not record."""
    run_dir = _unrecorded_run(tmp_path, monkeypatch)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("SOUNDCHECK_HISTORY_DB", raising=False)
    assert main(["report", str(run_dir)]) == 0
    assert _summary(run_dir)["history_db"]["path"] == str(work / "reports" / "history.sqlite")
    assert main(["report", str(run_dir), "--db", "other.sqlite"]) == 0
    assert _summary(run_dir)["history_db"]["path"] == str(work / "other.sqlite")
    assert _rows(work / "other.sqlite") == 1
