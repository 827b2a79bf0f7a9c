"""The run-history database's recovery p95 is the 95th percentile of a run's recovery times (the
slow tail a regression shows in), checked against a nearest-rank oracle on series whose tail is
known, and a night whose slowest twentieth of recoveries took seconds is a regression after
nights that recovered in milliseconds."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from harness.reports.history_db import HistoryDB, figures_from_report


def _report(times_s: list[float], i: int = 0, failed: tuple[float, ...] = ()) -> dict:
    episodes = [{"outcome": "recovered", "time_to_recover_s": t} for t in times_s]
    episodes += [{"outcome": "failed", "time_to_recover_s": t} for t in failed]
    return {
        "kind": "run", "verdict": {"ok": True, "outcome": "pass"},
        "run": {"run_id": f"r{i}", "backend": "sim", "profile": "default", "seed": 1, "status": "completed",
                "duration_s": 3600.0},
        # an hour: a recovery p95 is compared only from there (history_db.FIGURE_MIN_EXPOSURE_S)
        "stability": {"failure_count": 0, "xruns_per_hour": 10.0, "sim_time_s": 3600.0, "faults_injected": 20,
                      "leaks_found": []},
        "performance": {"callback_duration_s": {"p99": 0.002, "max": 0.004}, "speed_x_realtime": 200.0},
        "recovery": {"episodes": episodes, "recovered_total": len(times_s), "failed_count": len(failed)},
    }


def _nearest_rank_p95_ms(times_s: list[float]) -> float:
    ordered = sorted(times_s)
    return ordered[math.ceil(0.95 * len(ordered)) - 1] * 1000


@pytest.mark.parametrize("times_s", [
    [i / 1000 for i in range(1, 101)],                  # 1..100 ms: p95 is 95 ms
    [0.01] * 19 + [3.0],                                # one slow recovery in twenty
    [0.02] * 95 + [1.5] * 5,                            # the slowest twentieth at 1.5 s
    [0.5, 0.1, 0.3, 0.2, 0.4],                          # few, unsorted
])
def test_the_recovery_p95_is_the_slow_tail_of_the_recovered_episodes(times_s: list[float]) -> None:
    got = figures_from_report(_report(times_s, failed=(40.0,)))["recovery_p95_ms"]
    oracle = _nearest_rank_p95_ms(times_s)
    # interpolation moves a percentile at most to the next sample up or down
    ordered = sorted(times_s)
    k = math.ceil(0.95 * len(ordered)) - 1
    lo, hi = ordered[max(k - 1, 0)] * 1000, ordered[min(k + 1, len(ordered) - 1)] * 1000
    assert lo - 1e-9 <= got <= hi + 1e-9, (got, oracle)
    assert got >= 0.5 * oracle


def test_a_night_whose_slowest_recoveries_took_seconds_is_a_regression(tmp_path: Path) -> None:
    with HistoryDB(tmp_path / "h.sqlite") as db:
        for i in range(5):
            db.record(_report([0.01] * 20, i=i))
        db.record(_report([0.01] * 18 + [2.0, 2.0], i=9))
        tonight = db.runs(limit=1)[0]
        assert tonight["recovery_p95_ms"] == pytest.approx(2000.0)
        assert "recovery_p95_ms" in [r.figure for r in db.regressions(tonight)]


def test_a_night_that_recovered_as_fast_as_the_others_is_no_regression(tmp_path: Path) -> None:
    with HistoryDB(tmp_path / "h.sqlite") as db:
        for i in range(5):
            db.record(_report([0.01] * 20, i=i))
        db.record(_report([0.01] * 20, i=9))
        assert db.regressions(db.runs(limit=1)[0]) == []
