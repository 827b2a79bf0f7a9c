"""``soundcheck compare`` judges failure incidents as counts over each run's simulated time, and
says "too short to compare" exactly where no split of the runs' incidents could decide.

The margins of the other figures (``max(0.5, 25 % of A)``) made "failure incidents: 0 -> 1" a
regression: two healthy 2-minute runs hold 0 or 1 incidents as their seed draws a stall or not
(bench/RESULTS.md, issue #11)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from scipy import stats

from cli_capture import cli
from harness.reports.compare import ALPHA, compare_reports
from harness.reports.rates import min_decidable

if TYPE_CHECKING:
    from harness.reports.history_db import HistoryDB


def _report(incidents: int, sim_s: float = 120.0, seed: int = 1) -> dict:
    return {"kind": "run", "run": {"run_id": f"s{seed}", "backend": "sim", "profile": "default", "seed": seed,
                                   "duration_s": sim_s, "status": "completed"},
            "verdict": {"outcome": "pass"},
            "performance": {"callback_duration_s": {"p50": 1e-5, "p99": 4e-3, "p99_9": 1.3e-2, "max": 1.5e-2}},
            "stability": {"incident_count": incidents, "failure_count": incidents, "sim_time_s": sim_s,
                          "faults_injected": 100}}


def _incidents(a: dict, b: dict):
    (m,) = [m for m in compare_reports(a, b).metrics if m.name == "incidents"]
    return m


def test_two_healthy_short_runs_with_0_and_1_incidents_are_too_short_to_compare() -> None:
    m = _incidents(_report(0), _report(1, seed=2))
    assert m.verdict == "n/a", m
    assert m.note.startswith("too short to compare: 1 event(s) in both runs, and no split of fewer than 7"), m.note
    assert not compare_reports(_report(0), _report(1, seed=2)).regressions


@pytest.mark.parametrize("p", [0.5, 120 / 1020, 900 / 1020, 0.01, 0.99])
def test_the_bound_is_exactly_where_the_most_extreme_split_becomes_significant(p: float) -> None:
    need = min_decidable(p, ALPHA, dispersion=1.0)
    assert stats.binomtest(need, need, p, alternative="greater").pvalue < ALPHA
    if need > 1:
        assert stats.binomtest(need - 1, need - 1, p, alternative="greater").pvalue >= ALPHA


@pytest.mark.parametrize(("p", "alpha"), [(0.1, 1e-3), (0.5, 0.125), (0.5, 0.01), (1 / 11, 1e-3), (0.2, 1e-3),
                                          (0.999, 1e-3), (1e-4, 0.01)])
def test_the_scipy_free_bound_at_dispersion_1_is_the_binomial_one(p: float, alpha: float) -> None:
    """``rates.min_decidable`` at dispersion 1 (the history's, on a run's path: no scipy) is the
    smallest n whose extreme split's binomial chance is strictly below alpha, as the test's
    "worse" is (``p_worse < alpha``); (0.1, 0.001) and (0.5, 0.125) are the ties."""
    need = min_decidable(p, alpha, dispersion=1.0)
    assert stats.binom(need, p).pmf(need) < alpha
    if need > 1:
        assert stats.binom(need - 1, p).pmf(need - 1) >= alpha * (1 - 1e-12)


def test_enough_incidents_are_judged_by_the_conditional_test() -> None:
    assert _incidents(_report(0), _report(7, seed=2)).verdict == "worse"  # 7 of 7 in B: p = 1/128
    assert _incidents(_report(3), _report(4, seed=2)).verdict == "same"
    assert _incidents(_report(9), _report(0, seed=2)).verdict == "better"
    # B ran a quarter of A's time: its 3 incidents against A's 0 are already a rate 3 x A's bound
    assert _incidents(_report(0, sim_s=480.0), _report(3, sim_s=120.0, seed=2)).verdict == "worse"
    # and A's 3 in four times B's time against B's 0 cannot decide either way
    assert _incidents(_report(3, sim_s=480.0), _report(0, sim_s=120.0, seed=2)).verdict == "n/a"


def test_the_compare_command_says_too_short_beside_the_figure(tmp_path: Path) -> None:
    for name, report in (("a", _report(0)), ("b", _report(1, seed=2))):
        (tmp_path / name).mkdir()
        (tmp_path / name / "report.json").write_text(json.dumps(report))
    code, out, err = cli("compare", tmp_path / "a", tmp_path / "b")
    assert code == 0, (code, out, err)
    line = next(ln for ln in out.splitlines() if "failure incidents" in ln)
    assert "n/a" in line and "too short to compare" in line, out
    assert "REGRESSION" not in out


# ---------------------------------------------- the run history: the same bound, run vs baseline ----
def _row(seed: int, incidents: int, sim_s: float = 120.0) -> dict:
    return {**_report(incidents, sim_s, seed), "verdict": {"ok": True, "outcome": "pass"}}


def _record_series(db: HistoryDB, tmp_path: Path, *, zeros: int, incidents: int) -> None:
    """``zeros`` like runs with no incident (seeds 0..zeros-1), then one run with ``incidents``."""
    for seed in range(zeros):
        db.record(_row(seed, 0), run_dir=tmp_path / f"s{seed}")
    db.record(_row(zeros, incidents), run_dir=tmp_path / f"s{zeros}")


def test_a_2min_runs_incidents_against_a_baseline_of_zeros_are_too_short_to_compare(tmp_path: Path) -> None:
    """Ten like runs with no incident and a run with 2: all 2 in the run have probability
    (1/11)**2 = 0.008 > COUNT_ALPHA (0.001): nothing the run holds can decide; 3 can."""
    from harness.reports.history_db import COUNT_ALPHA, HistoryDB

    assert min_decidable(1 / 11, COUNT_ALPHA, dispersion=1.0) == 3
    with HistoryDB(tmp_path / "h.sqlite") as db:
        _record_series(db, tmp_path, zeros=10, incidents=2)
        run = db.runs(limit=1)[0]
        assert "failure incidents" in db.too_short(run)
        assert "incidents" not in [r.figure for r in db.regressions(run)]
        db.record(_row(11, 3), run_dir=tmp_path / "s11")  # against s1-s10: 2 + 3 = 5 events, decidable
        run = db.runs(limit=1)[0]
        assert "failure incidents" not in db.too_short(run)
    code, out, _ = cli("history", "--db", tmp_path / "h.sqlite", "--last", "11")
    assert "failure incidents (too few in it and its baseline for any count to decide)" not in out  # s11 decidable


def test_the_history_command_names_incidents_too_short(tmp_path: Path) -> None:
    from harness.reports.history_db import HistoryDB

    with HistoryDB(tmp_path / "h.sqlite") as db:
        _record_series(db, tmp_path, zeros=10, incidents=1)
    code, out, err = cli("history", "--db", tmp_path / "h.sqlite")
    assert code == 0, (code, out, err)
    assert "failure incidents (too few in it and its baseline for any count to decide)" in out, out


def test_the_history_and_compare_share_one_bound_where_the_extreme_split_ties_alpha(tmp_path: Path) -> None:
    """Nine like runs with no incident and a run with 3: all 3 in the run have probability
    0.1**3 = COUNT_ALPHA, not below it, so nothing the run holds can decide (``rates.min_decidable``,
    the rule compare uses). The history's own bound (``ceil(log alpha / log p)``, a chance at
    alpha taken for significant) called the run decidable."""
    from harness.reports.history_db import COUNT_ALPHA, HistoryDB

    assert min_decidable(0.1, COUNT_ALPHA, dispersion=1.0) == 4
    with HistoryDB(tmp_path / "h.sqlite") as db:
        _record_series(db, tmp_path, zeros=9, incidents=3)
        run = db.runs(limit=1)[0]
        assert "failure incidents" in db.too_short(run)
