"""Verdicts a user can trust after a kill: every reader of a killed run's folder says the same
thing in the same words, and a cut run is never read as a finished one.

A ``soundcheck run`` killed before its history recorded anything leaves history.jsonl empty or
holding its header alone: ``report`` calls the run INCONCLUSIVE and ``scenario from-history``
refuses the file (exit 2), both with ``harness.history.NO_ENTRIES`` as the reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.history import NO_ENTRIES

from cli_capture import cli

#: the header line a ``soundcheck run`` writes first (what a kill right after opening leaves)
HEADER = json.dumps({"index": 0, "type": "meta", "time": 0.0,
                     "data": {"format": 1, "run": {"backend": "sim", "duration_s": 20.0, "seed": 7,
                                                   "faults": "default", "label": "run"}}}) + "\n"


@pytest.fixture(params=["", HEADER], ids=["empty", "header-only"])
def killed_before_any_entry(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    folder = tmp_path / "run-killed"
    folder.mkdir()
    (folder / "history.jsonl").write_text(request.param)
    return folder


def test_report_and_from_history_give_one_reason_for_a_history_without_entries(
        killed_before_any_entry: Path, tmp_path: Path) -> None:
    """main: ``report`` said "cut off at t=0.000 s" (empty) or "of 20 s" (header), while
    ``from-history`` refused the empty file with "holds no history entries" and turned the header
    alone into a one-step replay (exit 0)."""
    history = killed_before_any_entry / "history.jsonl"
    code, out, err = cli("report", killed_before_any_entry, "--no-history")
    assert code == 3, (code, out, err)
    assert "INCONCLUSIVE" in out and NO_ENTRIES in out, out
    assert "cut off at t=" not in out and "Traceback" not in err

    code, out2, err2 = cli("scenario", "from-history", history, "-o", tmp_path / "bug.toml")
    assert code == 2, (code, out2, err2)
    assert str(history) in err2 and NO_ENTRIES in err2, err2
    assert "Traceback" not in err2 and not (tmp_path / "bug.toml").exists()


# ------------------------------------------------- compare: a killed run is compared as cut ----
def _report(status: str, outcome: str, failures: int, faults: int) -> dict[str, object]:
    """The parts of a ``report.json`` compare reads: a soak's totals, as a kill leaves them
    (entered-FAILED states of a device fault whose recovery the kill cut off)."""
    return {"kind": "soak", "run": {"run_id": status, "backend": "sim", "profile": "default", "status": status},
            "verdict": {"outcome": outcome},
            "performance": {"callback_duration_s": {"p50": 1e-5, "p99": 4e-3, "p99_9": 1.3e-2, "max": 1.5e-2}},
            "stability": {"failure_count": failures, "faults_injected": faults, "xruns_per_hour": 5760.0}}


def test_compare_with_a_killed_soak_compares_nothing_and_lists_no_regression(tmp_path: Path) -> None:
    """main: "REGRESSION (3): failures: 0 -> 8 ...; faults injected ...; verdict: pass ->
    inconclusive" and exit 1 for a finished soak against the partial report of a killed one."""
    done, killed = tmp_path / "done", tmp_path / "killed"
    for folder, report in ((done, _report("completed", "pass", 0, 67)),
                           (killed, _report("partial", "inconclusive", 8, 3))):
        folder.mkdir()
        (folder / "report.json").write_text(json.dumps(report))
    code, out, err = cli("compare", done, killed)
    assert code == 3, (code, out, err)
    assert "REGRESSION" not in out and "NOT COMPARED: B (partial) did not finish" in out, out
    assert "status: completed vs partial" in err
    code, out, _ = cli("compare", killed, done, "--json")
    doc = json.loads(out)
    assert code == 3 and doc["cut"] == ["A (partial)"] and doc["regressions"] == []
    assert {m["verdict"] for m in doc["metrics"]} == {"n/a"}
    # two finished runs are still judged: the same totals are a regression there
    (killed / "report.json").write_text(json.dumps(_report("completed", "fail", 8, 67)))
    code, out, _ = cli("compare", done, killed)
    assert code == 1 and "REGRESSION" in out and "failures: 0 -> 8" in out, out
