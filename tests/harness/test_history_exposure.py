"""``soundcheck history`` on 2-15 minute runs: each figure compared only from the simulated time
its measured noise allows, failure incidents judged as a count.

The table is eighteen healthy 5-minute default-profile runs on the simulated device, as
``SOUNDCHECK_HISTORY_DB=... soundcheck run --backend sim --duration 5m --seed N`` recorded them
(seeds 3-20; bench/RESULTS.md, "2-15 minute runs' noise"). Their callback max is 14-16 ms or
19-26 ms as a seed draws a slow-DSP fault of a high factor or not, their recovery p95 300-640 ms
as its longest dropout decides, and 0-3 failure incidents each. Median + 3 MAD flagged the
callback max of 5 of them against the runs before them, and a baseline of zero incidents would
flag the next run's one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.reports.history_db import HistoryDB

HEALTHY_5MIN = [  # (seed, xruns, simulated s, incidents, callback p99 ms, callback max ms, recovery p95 ms)
    (3, 858, 302.25, 1, 8.18, 15.63, 456.5), (4, 1041, 302.25, 2, 10.90, 22.05, 336.6),
    (5, 1131, 302.25, 0, 12.96, 15.90, 315.3), (6, 746, 302.25, 2, 7.29, 24.45, 635.3),
    (7, 683, 302.25, 0, 8.66, 15.93, 559.0), (8, 953, 302.25, 0, 10.90, 20.60, 483.2),
    (9, 997, 302.25, 2, 12.96, 16.04, 635.3), (10, 1144, 302.25, 1, 12.96, 19.27, 313.2),
    (11, 1578, 302.25, 0, 10.90, 15.50, 488.0), (12, 738, 302.25, 1, 8.18, 15.98, 298.6),
    (13, 1022, 302.25, 1, 10.90, 15.30, 489.1), (14, 632, 302.25, 1, 6.88, 13.73, 317.8),
    (15, 1038, 302.25, 1, 10.29, 16.01, 391.8), (16, 773, 302.25, 1, 9.17, 15.85, 372.9),
    (17, 774, 302.25, 3, 12.23, 26.11, 317.0), (18, 1761, 302.25, 1, 13.72, 18.94, 357.8),
    (19, 804, 302.25, 1, 8.66, 13.55, 423.1), (20, 957, 302.25, 0, 10.29, 15.99, 315.3),
]


def _report(seed: int, xruns: float, sim_s: float, incidents: int, p99_ms: float, max_ms: float,
            rec_ms: float, duration_s: float = 300.0) -> dict:
    return {
        "kind": "run", "verdict": {"ok": True, "outcome": "pass"},
        "run": {"run_id": f"s{seed}", "backend": "sim", "profile": "default", "seed": seed, "duration_s": duration_s,
                "status": "completed"},
        "stability": {"failure_count": 8 * incidents, "incident_count": incidents,
                      "xruns_per_hour": xruns * 3600 / sim_s, "sim_time_s": sim_s, "faults_injected": 300,
                      "leaks_found": []},
        "performance": {"callback_duration_s": {"p99": p99_ms / 1000, "max": max_ms / 1000}, "speed_x_realtime": 10.0},
        "recovery": {"episodes": [{"outcome": "recovered", "time_to_recover_s": rec_ms / 1000}],
                     "recovered_total": 1, "failed_count": 0},
    }


def _flags(db: HistoryDB) -> list[str]:
    return [r.figure for r in db.regressions(db.runs(limit=1)[0])]


def test_eighteen_healthy_5min_runs_raise_no_regression(tmp_path: Path) -> None:
    """Before: the callback max of seeds 4, 6, 8, 10 and 17 (19-26 ms against a median of 16)
    and every run with an incident after a baseline of none."""
    flagged = {}
    with HistoryDB(tmp_path / "h.sqlite") as db:
        for row in HEALTHY_5MIN:
            db.record(_report(*row), run_dir=tmp_path / f"s{row[0]}")
            if figures := _flags(db):
                flagged[row[0]] = figures
    assert flagged == {}


def test_the_callback_max_and_recovery_p95_of_runs_under_an_hour_are_too_short_to_compare(tmp_path: Path) -> None:
    with HistoryDB(tmp_path / "h.sqlite") as db:
        for row in HEALTHY_5MIN[:10]:
            db.record(_report(*row), run_dir=tmp_path / f"s{row[0]}")
        short = db.too_short(db.runs(limit=1)[0])
    assert short == ["callback max (ms)", "recovery p95 (ms)", "speed (x real time)"]


@pytest.mark.parametrize("figure, index, factor", [("cb_max_ms", 5, 3.0), ("recovery_p95_ms", 6, 4.0),
                                                   ("cb_p99_ms", 4, 3.0)])
def test_a_rise_of_a_figure_over_runs_long_enough_for_it_is_still_flagged(tmp_path: Path, figure: str, index: int,
                                                                          factor: float) -> None:
    """The same figures recorded over an hour each are compared, and a threefold (fourfold) rise
    of one of them is a regression; over 5 minutes the callback p99's is too."""
    with HistoryDB(tmp_path / "h.sqlite") as db:
        for row in HEALTHY_5MIN[:10]:
            db.record(_report(*row[:2], 3600.0, *row[3:], duration_s=3600.0), run_dir=tmp_path / f"s{row[0]}")
        worse = list(HEALTHY_5MIN[10])
        worse[index] *= factor
        db.record(_report(*worse[:2], 3600.0, *worse[3:], duration_s=3600.0), run_dir=tmp_path / "worse")
        assert _flags(db) == [figure]
    if figure == "cb_p99_ms":
        with HistoryDB(tmp_path / "short.sqlite") as db:
            for row in HEALTHY_5MIN[:10]:
                db.record(_report(*row), run_dir=tmp_path / f"t{row[0]}")
            db.record(_report(*worse), run_dir=tmp_path / "worse_short")
            assert _flags(db) == [figure]


@pytest.mark.parametrize("incidents, flagged", [(3, False), (10, False), (11, True), (20, True)])
def test_failure_incidents_are_judged_as_a_count(tmp_path: Path, incidents: int, flagged: bool) -> None:
    """Against the first ten runs' 0-2 incidents (mean 0.9, over-dispersed): up to ten are within
    the upper bound of their spread at P < 1e-3, eleven or more are not."""
    with HistoryDB(tmp_path / "h.sqlite") as db:
        for row in HEALTHY_5MIN[:10]:
            db.record(_report(*row), run_dir=tmp_path / f"s{row[0]}")
        row = list(HEALTHY_5MIN[10])
        row[3] = incidents
        db.record(_report(*row), run_dir=tmp_path / "latest")
        assert (_flags(db) == ["incidents"]) is flagged
