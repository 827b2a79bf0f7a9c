"""One run, one verdict: the exit code, the console line, ``summary.json``, ``report.json``,
``report.html`` and the run-history database say the same thing, for a `run` whose report finds
what its invariants do not (growth of what the system holds over the run) and for a soak too
short to judge its leaks (a judgement that could not run is a doubt, never "no leak")."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from harness.cli import main


def _db_outcomes(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT outcome FROM runs ORDER BY id")]


def _surfaces(run_dir: Path) -> tuple[dict, dict, str]:
    summary = json.loads((run_dir / "summary.json").read_text())
    report = json.loads((run_dir / "report.json").read_text())
    html = (run_dir / "report.html").read_text()
    return summary, report, html


def test_a_run_whose_report_finds_growth_says_so_on_the_console_the_exit_code_and_summary(tmp_path, capsys,
                                                                                        monkeypatch):
    """The system holds one buffer more after every recovery and gives them back at close: every
    invariant holds, the report's slopes find the growth. The run printed "PASS: all 10 invariants
    held" and exited 0 while report.json, report.html and the history database said FAIL."""
    db = tmp_path / "history.sqlite"
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(db))
    code = main(["run", "--system", "growing_system:make", "--duration", "2m", "--seed", "1",
                 "--faults", "default", "--report-dir", str(tmp_path / "runs")])
    out = capsys.readouterr().out
    (run_dir,) = (tmp_path / "runs").iterdir()
    summary, report, html = _surfaces(run_dir)
    assert report["verdict"]["failures"] == ["leak suspected: sut_buffers, sut_live_allocations"]
    assert all(summary["invariants"].values())  # what the invariants see at the end: nothing
    assert code == 1
    assert "FAIL: leak suspected: sut_buffers, sut_live_allocations; run folder:" in out
    assert "PASS" not in out
    assert summary["ok"] is False and summary["outcome"] == "fail"
    assert summary["verdict"]["headline"] == report["verdict"]["headline"]
    assert "leak suspected: sut_buffers, sut_live_allocations" in html
    assert _db_outcomes(db) == ["fail"]


def test_a_soak_too_short_to_judge_its_leaks_is_inconclusive_on_every_surface(tmp_path, capsys, monkeypatch):
    """A 3 s soak samples what the process holds three times: no slope can be judged. It exited
    0 ("every invariant held and no leak") with every leak verdict ``insufficient_data``."""
    db = tmp_path / "history.sqlite"
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(db))
    run_dir = tmp_path / "soak"
    code = main(["soak", "--duration", "3s", "--no-progress", "--run-dir", str(run_dir)])
    out = capsys.readouterr().out
    summary, report, html = _surfaces(run_dir)
    leaks = report["stability"]["leaks"]
    assert leaks and {v["verdict"] for v in leaks.values()} == {"insufficient_data"}
    names = ", ".join(sorted(leaks))
    doubt = f"leak judgement inconclusive: {names} not judged ("
    assert code == 3
    assert f"INCONCLUSIVE: {doubt}" in out and "PASS" not in out
    assert report["verdict"]["outcome"] == "inconclusive"
    assert [d for d in report["verdict"]["doubts"] if d.startswith(doubt)], report["verdict"]["doubts"]
    assert summary["ok"] is False and summary["outcome"] == "inconclusive"
    assert summary["verdict"]["headline"] == report["verdict"]["headline"]
    assert f"{names} not judged" in html
    assert _db_outcomes(db) == ["inconclusive"]


def test_a_soak_long_enough_to_judge_its_leaks_still_passes(tmp_path, capsys, monkeypatch):
    """The control: 12 s of samples every second are enough to judge every slope."""
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    run_dir = tmp_path / "soak"
    code = main(["soak", "--duration", "12s", "--no-progress", "--run-dir", str(run_dir)])
    out = capsys.readouterr().out
    summary, report, _ = _surfaces(run_dir)
    assert {v["verdict"] for v in report["stability"]["leaks"].values()} == {"ok"}
    assert code == 0 and "PASS: all 11 invariants held" in out
    assert summary["outcome"] == "pass" and report["verdict"]["outcome"] == "pass"
