"""A ``run`` (no checkpoints) gets its figures over time from its history's metrics snapshots:
xruns and callbacks over the block budget per snapshot, drawn like a soak's."""

from __future__ import annotations

import json

from harness import RunData, build_report, write_reports


def test_counter_snapshots_become_per_interval_deltas():
    rd = RunData(kind="run", sim_time_s=3.0, counter_series=[
        {"t": 1.0, "xruns": 2, "callbacks": 180, "budget_overruns": 1},
        {"t": 2.0, "xruns": 2, "callbacks": 370, "budget_overruns": 4},
        {"t": 3.0, "xruns": 9, "callbacks": 560, "budget_overruns": 4}])
    tl = build_report(rd)["timeline"]
    assert [(r["t0"], r["t"], r["xruns"], r["callbacks"], r["budget_overruns"]) for r in tl] == [
        (1.0, 2.0, 0, 190, 3), (2.0, 3.0, 7, 190, 0)]


def test_a_run_report_has_xruns_and_overruns_over_time(tmp_path, monkeypatch):
    from harness import ReliabilityRun, RunSpec

    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "h.sqlite"))
    result = ReliabilityRun(RunSpec(duration_s=12.0, seed=3, run_dir=tmp_path / "run")).execute()
    r = json.loads((tmp_path / "run" / "report.json").read_text())
    tl = r["timeline"]
    assert len(tl) >= 10 and all(row["t"] > row["t0"] for row in tl)
    snapshots = [e for e in result.history if (e if isinstance(e, dict) else e.to_dict())["type"] == "metrics"]
    first = (snapshots[0] if isinstance(snapshots[0], dict) else snapshots[0].to_dict())["data"]["counters"]
    last = (snapshots[-1] if isinstance(snapshots[-1], dict) else snapshots[-1].to_dict())["data"]["counters"]
    assert sum(row["callbacks"] for row in tl) == last["callbacks"] - first["callbacks"] > 0
    assert sum(row["xruns"] for row in tl) == last["xruns"] - first["xruns"]
    assert "xruns_callbacks" in r["figures"]
    assert 'alt="xruns and callbacks"' in (tmp_path / "run" / "report.html").read_text()


def test_without_snapshots_there_is_no_series_and_no_figure(tmp_path):
    paths = write_reports(tmp_path, RunData(kind="run", sim_time_s=1.0), history_db=False, allure=False)
    assert paths.report["timeline"] == [] and "xruns_callbacks" not in paths.report["figures"]
