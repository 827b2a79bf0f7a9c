"""MTBF is given with its confidence interval (``harness.reports.rates``) in ``report.json``,
``report.html``, ``summary.json`` and ``soundcheck compare``, and two runs' incident counts are
compared by a test that allows for over-dispersion, saying "no evidence of a change" when it
cannot decide.

Measured (bench/RESULTS.md, issue #11): "1 incident in 120 s" showed "MTBF 120 s", one draw read
as a measurement; compare's count test assumed Poisson counts. Seeded random draws (numpy
``default_rng``) stand in for many healthy runs; a simulated run of seconds shows the surfaces.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from harness.reports.compare import ALPHA, NO_EVIDENCE, compare_reports, render_compare_html, render_compare_text
from harness.reports.rates import count_test, min_decidable, mtbf_interval
from harness.runner import ReliabilityRun, RunSpec
from test_compare_incident_counts import _report as _incidents_report


def test_the_interval_is_the_exact_chi_square_one_of_a_poisson_count() -> None:
    iv = mtbf_interval(1, 120.0, dispersion=1.0)
    # the Garwood interval of a Poisson mean of 1 is 0.0253..5.5716 events: MTBF 120 s / that
    assert iv is not None and iv["level"] == 0.95 and iv["dispersion"] == 1.0
    assert iv["low_s"] == pytest.approx(120.0 / 5.5716, rel=1e-4)
    assert iv["high_s"] == pytest.approx(120.0 / 0.025318, rel=1e-4)
    none = mtbf_interval(0, 120.0, dispersion=1.0)
    assert none is not None and none["high_s"] is None  # no incident: unbounded above
    assert none["low_s"] == pytest.approx(120.0 / (stats.chi2.ppf(0.975, 2) / 2))
    assert mtbf_interval(3, 0.0) is None


def test_the_interval_covers_the_true_mtbf_at_least_as_often_as_it_says() -> None:
    rng = np.random.default_rng(11)
    true_mtbf, exposure = 300.0, 900.0
    counts = rng.poisson(exposure / true_mtbf, size=4000)
    covered = 0
    for n in counts:
        iv = mtbf_interval(int(n), exposure, dispersion=1.0)
        covered += iv["low_s"] <= true_mtbf and (iv["high_s"] is None or true_mtbf <= iv["high_s"])
    assert covered / len(counts) >= 0.95


def test_dispersion_widens_the_interval_and_keeps_the_estimate() -> None:
    plain, wide = mtbf_interval(4, 900.0, dispersion=1.0), mtbf_interval(4, 900.0, dispersion=2.0)
    assert wide["low_s"] < plain["low_s"] < 900.0 / 4 < plain["high_s"] < wide["high_s"]
    with pytest.raises(ValueError, match="variance/mean"):
        mtbf_interval(4, 900.0, dispersion=0.5)


def test_the_corrected_test_keeps_its_false_alarm_rate_on_over_dispersed_healthy_pairs() -> None:
    """Pairs of one system's counts with variance three times their mean (negative binomial,
    mean 6): the Poisson test calls B worse in 5.5 % of pairs at alpha 0.01; the test told the
    dispersion stays at or under alpha."""
    rng = np.random.default_rng(20261205)
    mean, d = 6.0, 3.0
    a, b = (rng.negative_binomial(mean / (d - 1), 1 / d, size=3000) for _ in range(2))

    def rate(dispersion: float) -> float:
        return float(np.mean([count_test(int(x), int(y), 900.0, 900.0, dispersion=dispersion).p_worse < ALPHA
                              for x, y in zip(a, b)]))
    assert rate(1.0) > 2 * ALPHA
    assert rate(d) <= ALPHA


def test_the_corrected_test_is_the_poisson_one_at_dispersion_1_and_needs_more_events_above() -> None:
    from harness.reports.rates import INCIDENT_DISPERSION

    assert INCIDENT_DISPERSION >= 1.0  # never narrower than Poisson
    t = count_test(2, 12, 900.0, 900.0, dispersion=1.0)
    assert t.p_worse == pytest.approx(stats.binomtest(12, 14, 0.5, alternative="greater").pvalue)
    assert count_test(2, 12, 900.0, 900.0, dispersion=2.0).p_worse > t.p_worse
    assert min_decidable(0.5, ALPHA, dispersion=1.0) == 7 < min_decidable(0.5, ALPHA, dispersion=2.0)


def _report(incidents: int, sim_s: float = 900.0, seed: int = 1) -> dict:
    """The incident-count tests' report (a run of ``sim_s`` simulated seconds), 15 minutes long by default."""
    return _incidents_report(incidents, sim_s, seed)


def test_compare_shows_both_mtbfs_with_intervals_and_says_no_evidence_when_it_cannot_decide() -> None:
    c = compare_reports(_report(2), _report(5, seed=2))
    assert c.mtbf["verdict"] == "same" and c.mtbf["says"] == NO_EVIDENCE, c.mtbf
    assert c.mtbf["a"]["mtbf_s"] == 450.0 and c.mtbf["a"]["interval_s"]["high_s"] > 450.0
    text = render_compare_text(c)
    (line,) = [ln for ln in text.splitlines() if ln.strip().startswith("MTBF:")]
    assert "A 450 s (95 %: " in line and "B 180 s (95 %: " in line and line.endswith(f": {NO_EVIDENCE}"), line
    (row,) = [ln for ln in text.splitlines() if ln.strip().startswith("failure incidents")]
    assert NO_EVIDENCE in row, row
    assert 'id="mtbf"' in render_compare_html(c) and NO_EVIDENCE in render_compare_html(c)
    assert json.loads(json.dumps(c.to_dict()))["mtbf"]["says"] == NO_EVIDENCE


def test_compare_says_b_fails_more_often_when_the_test_decides() -> None:
    c = compare_reports(_report(1), _report(30, seed=2))
    assert c.mtbf["verdict"] == "worse" and c.mtbf["says"] == "B fails more often", c.mtbf
    assert any(r.startswith("failure incidents: 1 -> 30") for r in c.regressions)
    short = compare_reports(_report(0, 120.0), _report(1, 120.0, seed=2))
    assert short.mtbf["says"] == NO_EVIDENCE and short.mtbf["b"]["mtbf_s"] == 120.0
    assert "none seen (95 %: at least" in render_compare_text(short)


def test_a_run_gives_the_interval_in_report_json_report_html_and_summary_json(tmp_path: Path) -> None:
    run = ReliabilityRun(RunSpec(backend="sim", duration_s=5.0, seed=3, faults="none", report_root=tmp_path))
    result = run.execute()
    report = json.loads((result.run_dir / "report.json").read_text())
    st = report["stability"]
    iv = st["mtbf_interval_s"]
    assert iv is not None and iv == mtbf_interval(st["incident_count"], st["sim_time_s"]), iv
    summary = json.loads((result.run_dir / "summary.json").read_text())
    assert summary["mtbf"] == {"incident_count": st["incident_count"], "exposure_s": st["sim_time_s"],
                               "mtbf_s": st["mtbf_s"], "interval_s": iv}
    page = (result.run_dir / "report.html").read_text()
    assert 'id="mtbf-interval"' in page and "95 % interval" in page



@pytest.mark.parametrize("df", [0.2, 1.0, 2.0, 3.3, 21.0, 200.5, 20001.0])
def test_the_runs_chi_square_quantile_is_scipys(df: float) -> None:
    """The interval's quantile is computed without scipy (a short run loads none); held to
    ``scipy.stats.chi2.ppf`` here."""
    from harness.reports.rates import _chi2_ppf

    for q in (0.001, 0.025, 0.5, 0.975, 0.999):
        assert _chi2_ppf(q, df) == pytest.approx(stats.chi2.ppf(q, df), rel=1e-9)
