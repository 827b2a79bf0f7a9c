"""``soundcheck history`` on short runs: their seed-to-seed noise is no regression, a real rise is.

The table is forty healthy 20 s default-profile runs on the simulated device (seeds 1-40), as
``soundcheck run --duration 20 --seed N`` recorded them: one seed draws a stall (a hundred xruns,
a callback p99 of 15 ms) or a device fault (8 failures), the next does not. Median + 3 MAD flagged
17 of them against the runs before them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.reports.history_db import HistoryDB

from cli_capture import cli

HEALTHY_20S = [  # (seed, xruns, simulated s, failures, callback p99 ms, recovery p95 ms)
    (1, 53, 22.25, 0, 15.399, 344.4), (2, 78, 22.25, 0, 15.399, 633.8), (3, 17, 22.25, 0, 0.097, 987.3),
    (4, 3, 22.25, 0, 0.069, 338.8), (5, 76, 22.25, 0, 5.788, 270.2), (6, 33, 22.25, 8, 0.194, 352.5),
    (7, 12, 22.25, 0, 0.097, 415), (8, 57, 22.25, 0, 8.66, 180.9), (9, 151, 22.25, 0, 15.399, 191.5),
    (10, 2, 22.25, 0, 0.087, 323), (11, 74, 22.25, 0, 7.718, 276.7), (12, 2, 22.25, 0, 0.077, 281),
    (13, 89, 22.25, 0, 6.494, 1275.3), (14, 5, 22.25, 0, 0.077, 210.5), (15, 5, 22.25, 8, 0.069, 635.3),
    (16, 7, 22.25, 0, 0.065, 251.3), (17, 97, 22.25, 0, 12.232, 252.9), (18, 103, 22.25, 0, 12.232, 667.3),
    (19, 1, 22.5, 1, 0.092, 271.6), (20, 215, 22.25, 0, 14.538, 571.1), (21, 129, 22.25, 0, 12.232, 117.9),
    (22, 146, 22.25, 0, 12.957, 20.6), (23, 1, 22.5, 1, 0.087, 2081.6), (24, 23, 22.25, 0, 0.109, 1207.7),
    (25, 18, 22.25, 0, 0.103, 350.2), (26, 1, 22.25, 0, 0.103, 149.8), (27, 32, 22.3, 0, 0.154, 308.5),
    (28, 171, 22.25, 0, 14.538, 275.1), (29, 134, 22.25, 0, 14.538, 212.7), (30, 1, 22.25, 0, 0.077, 286.2),
    (31, 83, 22.25, 0, 6.879, 635.3), (32, 126, 22.25, 0, 12.232, 417.6), (33, 157, 22.25, 0, 12.957, 244),
    (34, 93, 22.25, 0, 16.312, 250.2), (35, 86, 22.25, 0, 10.902, 525.5), (36, 2, 22.25, 0, 0.082, 519.5),
    (37, 100, 22.25, 0, 15.399, 306.9), (38, 58, 22.25, 0, 9.716, 226.9), (39, 2, 22.25, 0, 0.109, 610.5),
    (40, 103, 22.25, 0, 8.66, 197.1),
]


def _report(seed: int, xruns: float, sim_s: float, failures: int, p99_ms: float, rec_ms: float,
            duration_s: float = 20.0) -> dict:
    return {
        "kind": "run", "verdict": {"ok": True, "outcome": "pass"},
        "run": {"run_id": f"s{seed}", "backend": "sim", "profile": "default", "seed": seed, "duration_s": duration_s,
                "status": "completed"},
        "stability": {"failure_count": failures, "xruns_per_hour": xruns * 3600 / sim_s, "sim_time_s": sim_s,
                      "faults_injected": 25, "leaks_found": []},
        "performance": {"callback_duration_s": {"p99": p99_ms / 1000, "max": p99_ms / 1000 + 1e-4},
                        "speed_x_realtime": 20.0},
        "recovery": {"episodes": [{"outcome": "recovered", "time_to_recover_s": rec_ms / 1000}],
                     "recovered_total": 1, "failed_count": 0},
    }


def _flags(db: HistoryDB) -> list[str]:
    run = db.runs(limit=1)[0]
    return [r.figure for r in db.regressions(run)]


def test_forty_healthy_20s_runs_of_different_seeds_raise_no_regression(tmp_path: Path) -> None:
    """main: 17 of the 40 flagged (xruns/h 2.4e4 against a median of 1942, a callback p99 of
    15 ms against 0.13, 8 failures against 0, a recovery p95 of 1.3 s against 0.3)."""
    flagged = {}
    with HistoryDB(tmp_path / "h.sqlite") as db:
        for row in HEALTHY_20S:
            db.record(_report(*row), run_dir=tmp_path / f"s{row[0]}")
            figures = _flags(db)
            if figures:
                flagged[row[0]] = figures
    assert flagged == {}


@pytest.mark.parametrize("factor, at_least", [(10, 12), (100, 20)])
def test_a_tenfold_xrun_rate_in_a_20s_run_is_still_flagged(tmp_path: Path, factor: int, at_least: int) -> None:
    """Seeds 1-30 with their xruns multiplied, each recorded after seeds 31-40: a run whose rate
    is ten times its seed's healthy one is flagged unless its seed drew almost no xruns (a 20 s
    run with 10-50 xruns is what a healthy seed gives): 13 of 30 at x10, 21 at x100 when measured."""
    flagged = 0
    for seed, xruns, *rest in HEALTHY_20S[:30]:
        with HistoryDB(tmp_path / f"h{seed}.sqlite") as db:
            for row in HEALTHY_20S[30:]:
                db.record(_report(*row), run_dir=tmp_path / f"s{row[0]}")
            db.record(_report(seed, xruns * factor, *rest), run_dir=tmp_path / f"x{seed}")
            figures = _flags(db)
        assert set(figures) <= {"xruns_per_hour"}
        flagged += bool(figures)
    assert flagged >= at_least


def test_history_shows_the_figures_of_a_short_run_as_too_short_to_compare(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """main: "REGRESSION in run 4: callback p99 (ms): 15.4 is worse than the last 3 runs"."""
    db_path = tmp_path / "h.sqlite"
    with HistoryDB(db_path) as db:
        for row in (HEALTHY_20S[3], HEALTHY_20S[6], HEALTHY_20S[9], HEALTHY_20S[0]):
            db.record(_report(*row), run_dir=tmp_path / f"s{row[0]}")
    code, out, err = cli("history", "--db", db_path)
    assert code == 0, (code, out, err)
    assert "too short to compare" in out and "callback p99 (ms) (under 120 s)" in out
    assert "REGRESSION" not in out
    # the same figures over an hour each are compared, and the rise is a regression
    long_path = tmp_path / "long.sqlite"
    with HistoryDB(long_path) as db:
        for seed, xruns, _s, failures, p99, rec in (HEALTHY_20S[3], HEALTHY_20S[6], HEALTHY_20S[9], HEALTHY_20S[0]):
            db.record(_report(seed, xruns, 3600.0, failures, p99, rec, duration_s=3600.0),
                      run_dir=tmp_path / f"l{seed}")
    code, out, _ = cli("history", "--db", long_path)
    assert code == 1 and "callback p99 (ms): 15.4 is worse" in out and "too short" not in out, out
