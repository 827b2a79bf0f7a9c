"""A count figure is "too short to compare" (``history_db._too_few_events``) exactly when the run
and its baseline hold too few events between them for any split to be significant: checked against
the binomial's most extreme split itself, all ``n`` events in the run with probability ``p ** n``
(``p``: the run's share of the simulated time), not against the bound's closed form. The run's own
events count: a run of many xruns after runs of none is judged, and flagged."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.reports.history_db import COUNT_ALPHA, HistoryDB

from test_history_count_exposure import _report

#: five like runs of 3 simulated minutes that held no xrun
_ZEROS = [(0, 180.0)] * 5


def _judged(tmp_path: Path, baseline: list[tuple[int, float]], run: tuple[int, float]) -> tuple[bool, bool]:
    """(too short to compare, regressed) of the xruns/h of ``run`` recorded after ``baseline``."""
    with HistoryDB(tmp_path / "h.sqlite") as db:
        for n, (xruns, sim_s) in enumerate([*baseline, run]):
            db.record(_report(n, xruns, sim_s), run_dir=tmp_path / f"r{n}")
        last = db.runs(limit=1)[0]
        return "xruns/h" in db.too_short(last), "xruns_per_hour" in {r.figure for r in db.regressions(last)}


def _oracle_too_short(baseline: list[tuple[int, float]], run: tuple[int, float]) -> bool:
    """No split of the events can be significant: even all of them in the run is likelier than
    ``COUNT_ALPHA`` under equal rates."""
    n = run[0] + sum(x for x, _ in baseline)
    p = run[1] / (run[1] + sum(s for _, s in baseline))
    return p ** n > COUNT_ALPHA


@pytest.mark.parametrize("xruns", [0, 1, 2, 3, 4, 5, 8, 50])
def test_too_short_matches_the_most_extreme_split_after_runs_of_none(tmp_path: Path, xruns: int) -> None:
    """After five 3-minute runs of no xrun (the run's share of the time 1/6), 3 xruns or fewer can
    never be significant (6**-3 > 1e-3) and 4 or more can: whether the run's own events make the
    figure comparable. Fails when they are left out of the total (every run then too short)."""
    too_short, _ = _judged(tmp_path, _ZEROS, (xruns, 180.0))
    assert too_short is _oracle_too_short(_ZEROS, (xruns, 180.0)) is (xruns <= 3)


def test_many_xruns_after_runs_of_none_are_a_regression(tmp_path: Path) -> None:
    too_short, regressed = _judged(tmp_path, _ZEROS, (50, 180.0))
    assert not too_short and regressed


@pytest.mark.parametrize("baseline, run", [
    ([(1, 180.0), (0, 180.0), (2, 180.0)], (0, 180.0)),
    ([(1, 180.0), (0, 180.0), (2, 180.0)], (6, 180.0)),
    ([(0, 600.0), (1, 600.0), (0, 600.0)], (3, 120.0)),
    ([(0, 600.0), (1, 600.0), (0, 600.0)], (1, 120.0)),
    ([(4, 180.0), (3, 180.0), (5, 180.0)], (0, 180.0)),
], ids=["few-run-none", "few-run-six", "long-base-short-run-3", "long-base-short-run-1", "enough-in-base"])
def test_too_short_matches_the_oracle_on_mixed_baselines(tmp_path: Path, baseline: list[tuple[int, float]],
                                                         run: tuple[int, float]) -> None:
    too_short, _ = _judged(tmp_path, baseline, run)
    assert too_short is _oracle_too_short(baseline, run)
