"""Which runs ``soundcheck compare`` refuses to compare (``Comparison.cut``, "NOT COMPARED", exit 3):
only a run whose report says it did not finish (``run.status`` other than ``completed``). A report
written before ``run.status`` was kept says nothing of a cut and is a whole run; every pairing of
statuses is tabled with the answer each way."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.reports.compare import compare_reports

from cli_capture import cli

_ABSENT = object()


def _report(status: Any) -> dict[str, Any]:
    run: dict[str, Any] = {"run_id": "r", "backend": "sim", "profile": "default", "seed": 1, "duration_s": 300.0}
    if status is not _ABSENT:
        run["status"] = status
    return {"kind": "run", "run": run, "verdict": {"ok": True, "outcome": "pass"},
            "stability": {"failure_count": 0, "xruns_per_hour": 10.0, "sim_time_s": 300.0, "faults_injected": 5},
            "performance": {"callback_duration_s": {"p99": 1e-4, "max": 2e-4}, "speed_x_realtime": 20.0},
            "recovery": {"episodes": [], "recovered_total": 0, "failed_count": 0}}


@pytest.mark.parametrize("a, b, cut", [
    ("completed", "completed", []),
    (_ABSENT, "completed", []),           # an older report: no status said, a whole run
    ("completed", _ABSENT, []),
    (_ABSENT, _ABSENT, []),
    (None, "completed", []),              # a status written as null says no more than none
    ("interrupted", "completed", ["A (interrupted)"]),
    ("completed", "partial", ["B (partial)"]),
    (_ABSENT, "crashed", ["B (crashed)"]),
], ids=["both-completed", "a-unsaid", "b-unsaid", "both-unsaid", "a-null", "a-interrupted", "b-partial",
        "b-crashed"])
def test_only_a_report_that_says_its_run_did_not_finish_is_cut(a: Any, b: Any, cut: list[str]) -> None:
    assert compare_reports(_report(a), _report(b)).cut == cut


def test_compare_of_two_whole_runs_one_without_a_status_exits_0(tmp_path: Path) -> None:
    for name, status in (("a", _ABSENT), ("b", "completed")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "report.json").write_text(json.dumps(_report(status)))
    code, out, err = cli("compare", tmp_path / "a", tmp_path / "b")
    assert code == 0, (code, out, err)
    assert "NOT COMPARED" not in out
