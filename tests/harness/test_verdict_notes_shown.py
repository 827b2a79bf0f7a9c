"""A pass that carries a note says so wherever its verdict is read: the console line a CI log
shows, ``summary.json``, ``report.json``, ``report.html`` and ``timeline.html``, all from the one
``RunVerdict``. The notes were in ``verdict.notes`` alone, so a pass through an outside outage
(``verdict.recovered_from_outside``) printed the same line as an undisturbed one."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from harness.cli import main
from harness.invariants import Verdict
from harness.verdict import REASON_MAX, judge_run

HELD = [Verdict("recovery", True, [], "recoveries bounded")]


@pytest.fixture(scope="module")
def noted_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Path]:
    """A 20 s default-profile run (seed 4) that passes with a note: a fault it skipped (an xrun
    refused while the system recovered, another xrun already held for it; seed 2's one refused
    fault is now held and acts; its device losses, the profile's own, are no note:
    ``test_loss_notes.py``). Returns its exit code,
    console output and folder."""
    import contextlib
    import io
    import os

    tmp = tmp_path_factory.mktemp("noted")
    out = io.StringIO()
    old = os.environ.get("SOUNDCHECK_HISTORY_DB")
    os.environ["SOUNDCHECK_HISTORY_DB"] = str(tmp / "history.sqlite")
    try:
        with contextlib.redirect_stdout(out):
            code = main(["run", "--backend", "sim", "--duration", "20", "--seed", "4", "--faults", "default",
                         "--report-dir", str(tmp / "runs")])
    finally:
        if old is None:
            os.environ.pop("SOUNDCHECK_HISTORY_DB", None)
        else:
            os.environ["SOUNDCHECK_HISTORY_DB"] = old
    (run_dir,) = (tmp / "runs").iterdir()
    return code, out.getvalue(), run_dir


def _notes(run_dir: Path) -> list[str]:
    notes = json.loads((run_dir / "summary.json").read_text())["verdict"]["notes"]
    assert notes, "the fixture's run is meant to pass with a note"
    return notes


def test_the_console_pass_line_says_how_many_notes_and_what_they_are(noted_run) -> None:
    code, out, run_dir = noted_run
    notes = _notes(run_dir)
    (line,) = [ln for ln in out.splitlines() if ln.strip().startswith("PASS:")]
    assert code == 0
    count = "1 note: " if len(notes) == 1 else f"{len(notes)} notes: (1) "
    assert f"; {count}{notes[0][:40]}" in line, line


def test_summary_json_and_report_json_headlines_carry_the_notes(noted_run) -> None:
    _, _, run_dir = noted_run
    notes = _notes(run_dir)
    summary = json.loads((run_dir / "summary.json").read_text())["verdict"]
    report = json.loads((run_dir / "report.json").read_text())["verdict"]
    assert summary["outcome"] == report["outcome"] == "pass"
    assert summary["headline"] == report["headline"]
    assert f"note{'s' if len(notes) > 1 else ''}: " in summary["headline"]
    assert notes[0][:40] in summary["headline"], summary["headline"]
    assert report["notes"] == notes


def test_report_html_banner_lists_every_note_beside_the_pass(noted_run) -> None:
    _, _, run_dir = noted_run
    notes = _notes(run_dir)
    html = (run_dir / "report.html").read_text()
    banner = html[html.index('id="verdict"'):]
    banner = banner[:banner.index("</div>")]
    assert f"<b>PASS</b> ({len(notes)} note" in banner, banner
    items = re.findall(r"<li>note: (.*?)</li>", banner, flags=re.S)
    assert len(items) == len(notes), banner
    assert notes[0][:40] in items[0]


def test_timeline_html_banner_carries_the_notes(noted_run) -> None:
    _, _, run_dir = noted_run
    notes = _notes(run_dir)
    html = (run_dir / "timeline.html").read_text()
    banner = html[html.index('id="verdict"'):]
    banner = banner[:banner.index("</div>")]
    assert "PASS: " in banner and "note" in banner and notes[0][:40] in banner, banner


def test_a_pass_through_an_outside_outage_says_so_on_its_line() -> None:
    """The note of ``recovered_from_outside``, on the headline itself, cut on a word."""
    loss = "1 device loss(es) or stall(s), each explained by an observed server outage: device 'system' stalled"
    from harness.verdict import recovered_from_outside

    v = judge_run(HELD, notes=[recovered_from_outside(loss)])
    line = v.headline()
    assert line.startswith("PASS: all 1 invariants held; 1 note: the run had no fault of its own, yet its "
                           "device failed under it"), line
    clause = line.split("; 1 note: ", 1)[1]
    assert len(clause) <= REASON_MAX + len(" ...") and clause.endswith(" ..."), clause


def test_two_notes_are_numbered_and_a_pass_without_notes_is_unchanged() -> None:
    assert judge_run(HELD, notes=["a", "b"]).headline() == "PASS: all 1 invariants held; 2 notes: (1) a (2) b"
    assert judge_run(HELD).headline() == "PASS: all 1 invariants held"
