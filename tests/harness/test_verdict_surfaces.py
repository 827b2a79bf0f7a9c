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


def _run_growing_system(tmp_path: Path, capsys, monkeypatch) -> tuple[Path, int, str, Path]:
    """A 2-minute run of a system that holds one buffer more after every recovery: its invariants
    all hold and its report's slopes find the growth. Returns the history database, the exit
    code, the console's output and the run folder."""
    db = tmp_path / "history.sqlite"
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(db))
    code = main(["run", "--system", "growing_system:make", "--duration", "2m", "--seed", "1",
                 "--faults", "default", "--report-dir", str(tmp_path / "runs")])
    out = capsys.readouterr().out
    (run_dir,) = (tmp_path / "runs").iterdir()
    return db, code, out, run_dir


def test_a_run_whose_report_finds_growth_says_so_on_the_console_the_exit_code_and_summary(tmp_path, capsys,
                                                                                        monkeypatch):
    """The system holds one buffer more after every recovery and gives them back at close: every
    invariant holds, the report's slopes find the growth. The run printed "PASS: all 10 invariants
    held" and exited 0 while report.json, report.html and the history database said FAIL."""
    db, code, out, run_dir = _run_growing_system(tmp_path, capsys, monkeypatch)
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
    assert code == 0 and f"PASS: all {len(summary['invariants'])} invariants held" in out
    assert summary["outcome"] == "pass" and report["verdict"]["outcome"] == "pass"


def _history_summaries(run_dir: Path) -> tuple[list[dict], dict]:
    """The ``summary`` notes of a run folder's history.jsonl, and its last entry."""
    entries = [json.loads(line) for line in (run_dir / "history.jsonl").read_text().splitlines() if line.strip()]
    notes = [e for e in entries if e["type"] == "note" and e.get("value") == "summary"]
    return notes, entries[-1]


def test_every_surface_of_a_run_whose_report_changes_its_verdict_gives_the_reports_verdict(tmp_path, capsys,
                                                                                        monkeypatch):
    """A run whose invariants all hold and whose report's slopes find growth: the exit code, the
    console line, summary.json, the history's summary note (history.jsonl), report.json,
    report.html, the run-history database, ``soundcheck history`` and a rebuilt report all say
    FAIL. history.jsonl kept the run's "pass" from before the report's verdict was adopted."""
    db, code, out, run_dir = _run_growing_system(tmp_path, capsys, monkeypatch)
    summary, report, html = _surfaces(run_dir)
    assert all(summary["invariants"].values())  # the run alone would have passed
    assert code == 1 and "FAIL: leak suspected" in out
    assert (summary["outcome"], report["verdict"]["outcome"]) == ("fail", "fail")
    assert "leak suspected: sut_buffers, sut_live_allocations" in html
    notes, last = _history_summaries(run_dir)
    assert [(n["data"]["ok"], n["data"]["outcome"]) for n in notes] == [(False, "fail")]
    assert last == notes[0]  # the verdict ends the history, after everything the report read
    assert _db_outcomes(db) == ["fail"]
    assert main(["history", "--db", str(db)]) == 3  # shown, but alone: no like run to judge it against
    assert "FAIL" in capsys.readouterr().out
    assert main(["report", str(run_dir)]) == 1  # the report rebuilt from the folder: the same verdict
    rebuilt = json.loads((run_dir / "report.json").read_text())
    assert rebuilt["verdict"]["headline"] == report["verdict"]["headline"]
    assert _history_summaries(run_dir)[0] == notes  # rebuilding notes nothing more


def test_a_soaks_history_and_journal_carry_its_reports_verdict_not_the_runs(tmp_path, monkeypatch):
    """A 3 s soak is inconclusive (too short to judge a leak); its run alone passed. The
    history's summary note said "pass", and so did the journal's end record."""
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    run_dir = tmp_path / "soak"
    assert main(["soak", "--duration", "3s", "--no-progress", "--run-dir", str(run_dir)]) == 3
    notes, last = _history_summaries(run_dir)
    assert [(n["data"]["ok"], n["data"]["outcome"]) for n in notes] == [(False, "inconclusive")]
    assert last == notes[0]
    journal = [json.loads(line) for line in (run_dir / "journal.jsonl").read_text().splitlines() if line.strip()]
    (end,) = [r for r in journal if r["type"] == "end"]
    assert not {"ok", "outcome", "verdict"} & set(end["summary"]), sorted(end["summary"])
    assert end["summary"]["faults"]["total"] == json.loads((run_dir / "summary.json").read_text())["faults"]["total"]


@pytest.mark.parametrize("alone", ["pass", "inconclusive"])
def test_the_reports_failure_is_the_runs_whatever_the_run_said_alone(tmp_path, alone):
    """The report finds a leak the run alone could not judge: the run's verdict, its exit code and
    summary.json become the report's FAIL, from a run that passed alone and from one that was
    inconclusive alone (neither is ok, yet they are not the same verdict: exit 3 is not exit 1)."""
    from types import SimpleNamespace

    from harness.invariants import Verdict
    from harness.runner import adopt_report_verdict
    from harness.verdict import judge_run

    held = [Verdict("health", True, [], "held")]
    status = "completed" if alone == "pass" else "interrupted"
    run_verdict = judge_run(held, status=status)
    assert run_verdict.outcome.value == alone
    report_verdict = judge_run(held, status=status, leaks=["sut_buffers"])
    summary = {"soundcheck": "run-summary", "ok": run_verdict.ok, "outcome": alone,
               "verdict": run_verdict.to_dict()}
    result = SimpleNamespace(run_dir=tmp_path, summary=summary, verdict=run_verdict)
    adopt_report_verdict(result, {"verdict": report_verdict.to_dict()})
    assert (result.verdict.outcome.value, result.verdict.exit_code) == ("fail", 1)
    on_disk = json.loads((tmp_path / "summary.json").read_text())
    assert (on_disk["ok"], on_disk["outcome"]) == (False, "fail")
    assert on_disk["verdict"]["failures"] == report_verdict.to_dict()["failures"]
