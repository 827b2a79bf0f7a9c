"""``soundcheck history`` holds the run itself to a figure's minimum exposure, not only its
baseline (``history_db._short``).

Runs compare within the class of their *requested* duration: a 1-hour run stopped after 10
simulated minutes (interrupted, its device lost for good) sits among hour-long runs, and its
callback max and recovery p95 over those 10 minutes are as noisy as any 10-minute run's. Each
case's answer is known from how it was made: the same figures, a run long enough or not, its
baseline long enough or not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.reports.history_db import HistoryDB, min_exposure_s


def _report(seed: int, sim_s: float, max_ms: float, rec_ms: float) -> dict:
    return {
        "kind": "run", "verdict": {"ok": True, "outcome": "pass"},
        "run": {"run_id": f"s{seed}", "backend": "sim", "profile": "default", "seed": seed, "duration_s": 3600.0,
                "status": "completed"},
        "stability": {"failure_count": 0, "incident_count": 1, "xruns_per_hour": 10_000.0, "sim_time_s": sim_s,
                      "faults_injected": 3000, "leaks_found": []},
        "performance": {"callback_duration_s": {"p99": 0.010, "max": max_ms / 1000}, "speed_x_realtime": 10.0},
        "recovery": {"episodes": [{"outcome": "recovered", "time_to_recover_s": rec_ms / 1000}],
                     "recovered_total": 1, "failed_count": 0},
    }


#: (the baseline's simulated seconds, the run's, whether its callback max and recovery p95 are judged)
CASES = [(3602.0, 3602.0, True), (3602.0, 600.0, False), (600.0, 3602.0, False), (600.0, 600.0, False)]


@pytest.mark.parametrize(("base_s", "run_s", "judged"), CASES)
def test_a_figure_is_compared_only_when_the_run_and_its_baseline_are_long_enough(
        tmp_path: Path, base_s: float, run_s: float, judged: bool) -> None:
    assert min_exposure_s("cb_max_ms") == min_exposure_s("recovery_p95_ms") == 3600.0
    with HistoryDB(tmp_path / "h.sqlite") as db:
        for seed, (max_ms, rec_ms) in enumerate([(20.0, 400.0), (21.0, 420.0), (19.5, 410.0), (20.5, 405.0)]):
            db.record(_report(seed, base_s, max_ms, rec_ms), run_dir=tmp_path / f"s{seed}")
        # far past either figure's spread: a regression wherever the figure is judged
        db.record(_report(9, run_s, 60.0, 2000.0), run_dir=tmp_path / "s9")
        run = db.runs(limit=1)[0]
        flagged = {r.figure for r in db.regressions(run)}
        short = db.too_short(run)
    assert ({"cb_max_ms", "recovery_p95_ms"} <= flagged) is judged
    assert not judged or not short
    assert judged or (flagged.isdisjoint({"cb_max_ms", "recovery_p95_ms"})
                      and {"callback max (ms)", "recovery p95 (ms)"} <= set(short))
