"""``soundcheck compare`` judges the speed only between runs that recorded comparable machine
loads (``harness.reports.machine_load``); every other pair shows it as information, saying why.

Measured (bench/RESULTS.md, issue #11): the same build's healthy runs ran at 22-190x real time
as the machine's load came and went, so a speed change between reports that do not say what the
machine carried is no evidence of anything; one between runs under the same load can be.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from harness.reports.compare import SPEED_NOTE, compare_reports
from harness.reports.machine_load import LOAD_TOLERANCE_PER_CPU, MachineLoad, comparable
from harness.runner import ReliabilityRun, RunSpec


def _report(speed: float, machine: dict[str, Any] | None, *, sim_s: float = 300.0, seed: int = 1) -> dict[str, Any]:
    perf: dict[str, Any] = {"callback_duration_s": {"p50": 5e-4, "p99": 4e-3, "p99_9": 8e-3, "max": 1e-2},
                            "speed_x_realtime": speed}
    if machine is not None:
        perf["machine"] = machine
    return {"kind": "run", "verdict": {"outcome": "pass", "ok": True},
            "run": {"run_id": f"r{seed}", "backend": "sim", "profile": "default", "seed": seed, "duration_s": sim_s,
                    "status": "completed"},
            "stability": {"failure_count": 0, "incident_count": 0, "sim_time_s": sim_s, "faults_injected": 100},
            "performance": perf}


def _load(start: float, end: float | None = None, cpus: int = 2) -> dict[str, Any]:
    return {"cpus": cpus, "load_1min_start": start, "load_1min_end": start if end is None else end}


def _speed(a: dict[str, Any], b: dict[str, Any]):
    c = compare_reports(a, b)
    (m,) = [m for m in c.metrics if m.name == "speed_x"]
    return m, c


def test_a_run_far_slower_under_the_same_load_is_worse() -> None:
    """Fails without the load: speed was never judged."""
    m, c = _speed(_report(50.0, _load(1.0, 1.1)), _report(10.0, _load(1.2, 1.0), seed=2))
    assert m.verdict == "worse", m
    assert "loads comparable" in m.note, m.note
    assert any(r.startswith(m.label) for r in c.regressions), c.regressions


def test_a_run_within_the_healthy_spread_under_the_same_load_is_the_same() -> None:
    m, _ = _speed(_report(50.0, _load(1.0)), _report(40.0, _load(1.0), seed=2))
    assert m.verdict == "same", m


@pytest.mark.parametrize(("a", "b", "why"), [
    (None, None, "A and B recorded no machine load"),
    (_load(1.0), None, "B recorded no machine load"),
    (_load(1.0), _load(8.0), "the machine carried different loads"),
    (_load(1.0, 6.0), _load(1.0, 6.0), "A's load changed during its run"),
    (_load(1.0, cpus=2), _load(1.0, cpus=8), "the runs ran on 2 and 8 CPUs"),
    (_load(1.0), {"cpus": 2, "load_1min_start": "1.0", "load_1min_end": 1.0}, "B recorded no machine load"),
    (_load(1.0), {"cpus": True, "load_1min_start": 1.0, "load_1min_end": 1.0}, "B recorded no machine load"),
    (_load(1.0), {"cpus": 2, "load_1min_start": -1.0, "load_1min_end": 1.0}, "B recorded no machine load"),
])
def test_speeds_whose_loads_cannot_be_compared_are_information_only(a: Any, b: Any, why: str) -> None:
    m, c = _speed(_report(50.0, a), _report(10.0, b, seed=2))
    assert m.verdict == "n/a" and m.note.startswith(SPEED_NOTE) and why in m.note, m.note
    assert not any(r.startswith(m.label) for r in c.regressions)


def test_runs_shorter_than_the_spread_was_measured_at_are_not_judged() -> None:
    m, _ = _speed(_report(50.0, _load(1.0), sim_s=60.0), _report(10.0, _load(1.0), sim_s=60.0, seed=2))
    assert m.verdict == "n/a" and "too short to compare" in m.note, m.note


def test_the_tolerance_is_per_cpu() -> None:
    tol = LOAD_TOLERANCE_PER_CPU
    assert comparable(_load(4.0, cpus=8), _load(4.0 + 8 * tol * 0.9, cpus=8))[0]
    assert not comparable(_load(4.0, cpus=2), _load(4.0 + 2 * tol * 1.1, cpus=2))[0]


def test_a_run_records_the_machines_load_in_its_summary_and_report(tmp_path: Path) -> None:
    result = ReliabilityRun(RunSpec(backend="sim", duration_s=3.0, seed=1, faults="none",
                                    report_root=tmp_path)).execute()
    machine = result.summary["machine"]
    assert machine["cpus"] == os.cpu_count()
    assert all(isinstance(machine[k], float) and machine[k] >= 0 for k in ("load_1min_start", "load_1min_end"))
    report = json.loads((result.run_dir / "report.json").read_text())
    assert report["performance"]["machine"] == machine


def test_a_platform_without_a_load_average_records_none(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_load() -> tuple[float, float, float]:
        raise OSError("no load average")
    monkeypatch.setattr(os, "getloadavg", no_load)
    rec = MachineLoad().stop()
    assert rec["load_1min_start"] is None and rec["load_1min_end"] is None
    assert not comparable(rec, rec)[0]


# -- faults injected: a count the schedule draws ---------------------------------------------------

def _faults(a: int, b: int, sim_s: float = 300.0):
    ra, rb = _report(50.0, None, sim_s=sim_s), _report(50.0, None, sim_s=sim_s, seed=2)
    ra["stability"]["faults_injected"], rb["stability"]["faults_injected"] = a, b
    (m,) = [m for m in compare_reports(ra, rb).metrics if m.name == "faults"]
    return m


def test_a_gentle_profiles_fault_draw_is_no_regression() -> None:
    """Measured: healthy gentle-profile runs of 5 min injected 34-48 faults; the 25 % margin called
    34 against 48 worse (2 of 56 pairs). Fails without the count test."""
    m = _faults(48, 34)
    assert m.verdict == "same", m
    assert "no evidence of a change" in m.note, m.note


def test_far_fewer_faults_injected_is_worse_and_far_more_better() -> None:
    assert _faults(360, 120).verdict == "worse"
    assert _faults(120, 360).verdict == "better"


def test_too_few_faults_to_decide_are_too_short() -> None:
    m = _faults(2, 0)
    assert m.verdict == "n/a" and "too short to compare" in m.note, m
