"""``soundcheck report RUN_DIR`` rebuilds a run's report from its folder, and the rebuilt verdict is
the run's: the summary's performance gates and steady-state windows are read back, so a run that
failed a gate or whose steady state did not return is not rebuilt as a pass, and a gate not
measured leaves it inconclusive. One run of the simulated device (fixed seed, no fault, seconds),
its summary edited per case; a table of the edit and the outcome and exit status expected."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest

from harness.cli import main

_GATE = {"name": "callback_p99", "figure": "callback_duration_s.p99", "threshold": 0.004, "unit": "s"}


def _gate(status: str, measured: float | None, message: str) -> Callable[[dict[str, Any]], None]:
    def edit(summary: dict[str, Any]) -> None:
        summary["gates"] = [{**_GATE, "status": status, "measured": measured, "message": message}]
    return edit


def _steady_after_no(summary: dict[str, Any]) -> None:
    summary["steady_state"] = {**summary["steady_state"], "after": "no",
                               "after_detail": "3 xruns in the last 1 s"}


def _unchanged(summary: dict[str, Any]) -> None:
    pass


#: (case, the summary's edit, the rebuilt outcome, its exit status, a phrase its verdict says)
CASES = [
    ("as run", _unchanged, "pass", 0, None),
    ("steady state did not return", _steady_after_no, "fail", 1, "steady state did not return"),
    ("a gate failed", _gate("failed", 0.009, "gate callback_p99 failed: 9 ms > 4 ms"), "fail", 1,
     "gate callback_p99 failed"),
    ("a gate met", _gate("met", 0.001, "gate callback_p99 met"), "pass", 0, None),
    ("a gate not measured", _gate("not_measured", None, "gate callback_p99 not measured: no callbacks"),
     "inconclusive", 3, "gate callback_p99 not measured"),
]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("rebuilt")
    with pytest.MonkeyPatch.context() as m:
        m.setenv("SOUNDCHECK_HISTORY_DB", str(base / "unused.sqlite"))
        assert main(["run", "--backend", "sim", "--duration", "3", "--seed", "5", "--faults", "none",
                     "--report-dir", str(base / "runs")]) == 0
    (folder,) = (base / "runs").iterdir()
    return folder


@pytest.mark.parametrize(("case", "edit", "outcome", "code", "says"), CASES, ids=[c[0] for c in CASES])
def test_a_rebuilt_report_keeps_the_runs_gates_and_steady_state(run_dir: Path, tmp_path: Path, case: str,
                                                                 edit: Callable[[dict[str, Any]], None],
                                                                 outcome: str, code: int, says: str | None) -> None:
    folder = tmp_path / run_dir.name
    shutil.copytree(run_dir, folder)
    summary = json.loads((folder / "summary.json").read_text())
    edit(summary)
    (folder / "summary.json").write_text(json.dumps(summary))
    (folder / "report.json").unlink()
    assert main(["report", str(folder), "--no-history"]) == code, case
    verdict = json.loads((folder / "report.json").read_text())["verdict"]
    assert (verdict["outcome"], verdict["exit_code"]) == (outcome, code), verdict
    if says is not None:  # the cases whose reason is named: it is among the verdict's reasons
        assert any(says in r for r in verdict["reasons"]), verdict["reasons"]
