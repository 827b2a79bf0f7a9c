"""A run that could not be recorded in the run-history database says so, on its console and in
``summary.json`` (``history_db``), never silently.

Measured (bench/RESULTS.md, issue #11): a healthy 2-minute run of a series sharing one database
exited 0, printed no warning and had no row. A report that fails to build is caught (the summary
and history are on disk) and the row is made from the report, so the run went unrecorded with
nothing said but a ``report-error.txt`` in a folder the series' driver then deleted.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

import harness.runner
from harness.cli import main


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
         ) -> tuple[int, str, dict, Path]:
    db = tmp_path / "history.sqlite"
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(db))
    code = main(["run", "--backend", "sim", "--duration", "5", "--seed", "3", "--faults", "none",
                 "--report-dir", str(tmp_path / "runs")])
    err = capsys.readouterr().err
    (run_dir,) = (tmp_path / "runs").iterdir()
    return code, err, json.loads((run_dir / "summary.json").read_text()), db


def _rows(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM runs").fetchone()[0])


def test_a_run_whose_report_could_not_be_built_says_it_was_not_recorded(tmp_path, monkeypatch, capsys) -> None:
    def broken(*_a, **_k):
        raise RuntimeError("a report builder that raises")

    monkeypatch.setattr(harness.runner, "write_reports", broken)
    code, err, summary, db = _run(tmp_path, monkeypatch, capsys)
    assert _rows(db) == 0
    assert "NOT recorded in the run-history database" in err, err
    assert "RuntimeError: a report builder that raises" in err, err
    assert summary["history_db"] == {"recorded": False, "why": "the reports could not be built: RuntimeError: "
                                                               "a report builder that raises"}
    assert code == summary["verdict"]["exit_code"]  # the verdict stands; the hole in the history is said


def test_a_recorded_run_says_where(tmp_path, monkeypatch, capsys) -> None:
    code, err, summary, db = _run(tmp_path, monkeypatch, capsys)
    assert code == 0 and "NOT recorded" not in err, err
    assert _rows(db) == 1
    assert summary["history_db"] == {"recorded": True, "path": str(db)}


def test_a_run_the_database_refused_says_why_in_its_summary(tmp_path, monkeypatch, capsys) -> None:
    (tmp_path / "history.sqlite").write_bytes(b"not a database at all, just text\n")
    code, err, summary, _ = _run(tmp_path, monkeypatch, capsys)
    assert code == 0 and "NOT recorded in the run-history database" in err, err
    assert summary["history_db"]["recorded"] is False
    assert "not an SQLite file at all" in summary["history_db"]["why"], summary["history_db"]
