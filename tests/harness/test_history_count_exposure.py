"""xruns/h judged as a count over each run's own exposure (``history_db._count_limit``): hand-built
baselines whose right answer is known either way.

- Exposure: like runs share a duration class, not a length (2-15 min holds a 3 min run and a 14
  min one). A run at exactly its baseline's rate is no regression however long it is, and a rate
  five times the baseline's over 14 minutes is one; so is four times it over 3 minutes among 14
  minute runs. The count expected of a run is its own
  exposure times the pooled rate, not the baseline's typical exposure.
- Spread: three like runs of 10, 14 and 18 xruns (a little more spread than a Poisson's) say
  little about how wide a seed's count goes; the rule takes the *upper* 95 % bound of their
  spread, under which 40 xruns is ordinary (the negative binomial's 1e-3 tail is far beyond it)
  while 140 is not. Read as the lower bound, the spread is below a Poisson's and 40 is flagged.
- Units: the limit is a rate per hour like the figure it bounds; a count 13 % over its expectation
  on three minutes (2.3 sd) is Poisson noise, never a regression; 30 % over it (5.2 sd) is one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.reports.history_db import HistoryDB


def _report(n: int, xruns: int, sim_s: float) -> dict:
    """A pass of ``sim_s`` simulated seconds (duration class 2-15 min) holding ``xruns`` xruns."""
    return {
        "kind": "run", "verdict": {"ok": True, "outcome": "pass"},
        "run": {"run_id": f"r{n}", "backend": "sim", "profile": "default", "seed": n, "duration_s": 300.0,
                "status": "completed"},
        "stability": {"failure_count": 0, "xruns_per_hour": xruns * 3600 / sim_s, "sim_time_s": sim_s,
                      "faults_injected": 25, "leaks_found": []},
        "performance": {"callback_duration_s": {"p99": 1e-4, "max": 2e-4}, "speed_x_realtime": 20.0},
        "recovery": {"episodes": [], "recovered_total": 0, "failed_count": 0},
    }


def _xruns_flagged(tmp_path: Path, baseline: list[tuple[int, float]], run: tuple[int, float]) -> bool:
    """Whether ``run`` (xruns, simulated s), recorded after ``baseline``, is an xruns/h regression."""
    with HistoryDB(tmp_path / "h.sqlite") as db:
        for n, (xruns, sim_s) in enumerate([*baseline, run]):
            db.record(_report(n, xruns, sim_s), run_dir=tmp_path / f"r{n}")
        last = db.runs(limit=1)[0]
        figures = [r.figure for r in db.regressions(last)]
    assert set(figures) <= {"xruns_per_hour"}, figures
    return bool(figures)


#: five 3-minute runs at 100 xruns per simulated minute (Poisson-like: 290-310 each)
_SHORT_BASELINE = [(300, 180.0), (290, 180.0), (310, 180.0), (295, 180.0), (305, 180.0)]


@pytest.mark.parametrize("run, regressed", [
    ((1400, 840.0), False),   # 14 min at the baseline's rate: its expectation is 1400, not 300
    ((1480, 840.0), False),   # 6 % over it: a Poisson's spread (sd 37)
    ((7000, 840.0), True),    # five times the rate
    ((300, 180.0), False),    # as long as the baseline, at its rate
    ((340, 180.0), False),    # 13 % over its expectation of 300 on 3 minutes: 2.3 sd, noise
    ((390, 180.0), True),     # 30 % over it: 5.2 sd, a chance under 1e-3
    ((1500, 180.0), True),    # five times the rate on 3 minutes
], ids=["long-at-rate", "long-6pc-over", "long-5x", "short-at-rate", "short-13pc-over", "short-30pc-over",
         "short-5x"])
def test_a_run_is_held_to_its_own_exposure_times_the_baselines_rate(tmp_path: Path, run: tuple[int, float],
                                                                     regressed: bool) -> None:
    assert _xruns_flagged(tmp_path, _SHORT_BASELINE, run) is regressed


#: five 14-minute runs at the same rate (1385-1415 each)
_LONG_BASELINE = [(1400, 840.0), (1385, 840.0), (1415, 840.0), (1390, 840.0), (1410, 840.0)]


@pytest.mark.parametrize("run, regressed", [
    ((300, 180.0), False),    # 3 min at the baseline's rate
    ((1200, 180.0), True),    # four times it: 1200 where 300 is expected, not where 1400 is
    ((1400, 840.0), False),
], ids=["short-at-rate", "short-4x", "as-long-at-rate"])
def test_a_short_run_among_long_ones_is_expected_its_own_shorter_count(tmp_path: Path, run: tuple[int, float],
                                                                       regressed: bool) -> None:
    assert _xruns_flagged(tmp_path, _LONG_BASELINE, run) is regressed


@pytest.mark.parametrize("xruns, regressed", [(14, False), (40, False), (140, True)])
def test_a_baseline_of_three_runs_is_given_its_spreads_upper_bound(tmp_path: Path, xruns: int,
                                                                   regressed: bool) -> None:
    baseline = [(10, 300.0), (14, 300.0), (18, 300.0)]
    assert _xruns_flagged(tmp_path, baseline, (xruns, 300.0)) is regressed
