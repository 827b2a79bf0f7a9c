"""The leak judge on synthetic series: bounded growth that levels off is not a leak, growth that
keeps going is, and what the window cannot tell is "inconclusive", never a guess.

Series are seeded and sampled like a soak's (one sample per second of operation, or sparser for
long ones); ``rss_bytes`` is judged against its 4 MiB/h threshold.
"""

from __future__ import annotations

import numpy as np
import pytest

from harness.leaks import judge, judge_all, sen_interval, theil_sen

MiB = 1024 * 1024
H = 3600.0


def _series(hours: float, f, *, every_s: float = 1.0, noise: float = 256 * 1024, seed: int = 0,
            base: float = 150 * MiB) -> tuple[np.ndarray, np.ndarray]:
    """``base + f(t) + noise``, rounded to whole pages like a resident-set size."""
    rng = np.random.default_rng(seed)
    t = np.arange(1.0, hours * H + 1e-9, every_s)
    y = base + f(t) + rng.normal(0.0, noise, t.size)
    return t, np.round(y / 4096) * 4096


def _saturating(total: float, tau_s: float):
    return lambda t: total * (1 - np.exp(-t / tau_s))


def _linear(per_hour: float):
    return lambda t: per_hour * t / H


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_buffer_that_fills_and_levels_off_is_saturating_not_a_leak(seed):
    # 30 MiB over the first ~half hour of a 1 h soak (time constant 10 min): over the whole window
    # that is a steep, significant slope, which the judge used to call a leak
    t, y = _series(1, _saturating(30 * MiB, 600.0), seed=seed)
    v = judge("rss_bytes", t, y)
    assert v.slope_per_hour > v.threshold_per_hour and v.p_value < 0.01  # it does grow over the window
    assert (v.verdict, v.shape) == ("ok", "saturating"), v.reason
    assert v.late_slope_per_hour <= v.threshold_per_hour
    assert "bounded growth" in v.reason and not v.leak


def test_a_buffer_filling_linearly_then_full_is_saturating():
    # a bounded log filling at 20 MiB/h for 2 h, then full, in a 4 h soak sampled every 10 s
    t, y = _series(4, lambda t: np.minimum(t, 2 * H) / H * 20 * MiB, every_s=10.0, seed=3)
    v = judge("rss_bytes", t, y)
    assert (v.verdict, v.shape) == ("ok", "saturating"), v.reason


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_linear_growth_is_a_leak(seed):
    t, y = _series(1, _linear(20 * MiB), seed=seed)
    v = judge("rss_bytes", t, y)
    assert (v.verdict, v.shape) == ("leak", "growing"), v.reason
    assert v.late_slope_per_hour == pytest.approx(20 * MiB, rel=0.1)


def test_linear_growth_after_a_saturating_start_is_a_leak():
    # the warm-up fills 40 MiB of buffers (time constant 15 min), and underneath a 10 MiB/h leak
    # goes on; the tail of the filling still shows in the late half
    t, y = _series(2, lambda t: _saturating(40 * MiB, 900.0)(t) + _linear(10 * MiB)(t), seed=4)
    v = judge("rss_bytes", t, y)
    assert v.early_slope_per_hour > 1.5 * v.late_slope_per_hour  # the start was steeper
    assert (v.verdict, v.shape) == ("leak", "growing"), v.reason
    assert v.late_slope_per_hour == pytest.approx(10 * MiB, rel=0.15)


def test_a_slow_linear_leak_over_a_long_soak_is_flagged():
    # 6 MiB/h, just over the threshold, under 1 MiB of noise, for 8 h sampled every 10 s
    t, y = _series(8, _linear(6 * MiB), every_s=10.0, noise=1 * MiB, seed=5)
    v = judge("rss_bytes", t, y)
    assert (v.verdict, v.shape) == ("leak", "growing"), v.reason


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_noise_is_flat(seed):
    t, y = _series(1, lambda t: 0 * t, noise=2 * MiB, seed=seed)
    v = judge("rss_bytes", t, y)
    assert (v.verdict, v.shape) == ("ok", "flat"), v.reason


def test_growth_still_slowing_at_the_end_of_a_short_soak_is_inconclusive():
    # a buffer filling with a half-hour time constant, judged after one hour: still above the
    # threshold at the end, but clearly slowing down. Neither "leak" nor "ok" would be honest.
    t, y = _series(1, _saturating(40 * MiB, 1800.0), seed=6)
    v = judge("rss_bytes", t, y)
    assert (v.verdict, v.shape) == ("inconclusive", "slowing"), v.reason
    assert v.inconclusive and not v.leak and "cannot tell" in v.reason


def test_a_single_step_is_not_a_leak():
    t = np.arange(1.0, 301.0)
    y = np.where(t < 150, 10.0, 11.0)  # a pool that grew once
    v = judge("sut_live_allocations", t, y)
    assert v.verdict == "ok" and v.shape in ("step", "flat"), v.reason


def test_counts_leaking_one_per_recovery_are_a_leak_and_a_pool_that_grew_to_size_is_not():
    t = np.arange(1.0, 91.0)
    leaking = 10 + np.floor(t / 1.3)  # one allocation kept per recovery, ~1 recovery a second
    v = judge("sut_live_allocations", t, leaking)
    assert (v.verdict, v.shape) == ("leak", "growing"), v.reason
    threads = np.minimum(3 + np.floor(t / 5), 8)  # a thread pool growing to its size of 8 by 25 s
    v = judge("threads", np.arange(1.0, 601.0), np.concatenate([threads, np.full(510, 8.0)]))
    assert v.verdict == "ok", v.reason


def test_sen_interval_brackets_the_theil_sen_slope():
    rng = np.random.default_rng(7)
    t = np.arange(200.0)
    y = 2.0 * t + rng.normal(0, 5, t.size)
    lo, hi = sen_interval(t, y, alpha=0.01)
    assert lo < theil_sen(t, y) < hi and lo < 2.0 < hi and hi - lo < 0.2


def test_an_inconclusive_leak_judgement_is_visible_and_never_a_pass(tmp_path, monkeypatch, capsys):
    """The soak's report and CLI line carry "inconclusive" as a verdict of its own: not folded
    into "no leak" (a pass), not reported as a leak either."""
    import dataclasses
    import json

    import harness.reports.build as build
    import harness.reports.plots as plots
    from harness.commands.soak import _print
    from harness import SoakRunner, SoakSpec

    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    real = build.judge

    def judge_slowing(metric, *a, **kw):
        v = real(metric, *a, **kw)
        if metric != "rss_bytes":
            return v
        return dataclasses.replace(v, verdict="inconclusive", shape="slowing", reason="still slowing")

    monkeypatch.setattr(build, "judge", judge_slowing)
    monkeypatch.setattr(plots, "draw_all", lambda *a, **kw: {})  # figures are not what this is about
    result = SoakRunner(SoakSpec(duration_s=10.0, seed=3, checkpoint_s=5.0, run_dir=tmp_path / "run")).start()
    assert not result.ok and result.exit_code == 3 and result.status == "completed"
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    verdict, st = report["verdict"], report["stability"]
    assert verdict["ok"] is False and verdict["failures"] == [] and verdict["outcome"] == "inconclusive"
    assert verdict["doubts"] == ["leak judgement inconclusive: rss_bytes (slowing: still slowing)"]
    assert st["leaks_inconclusive"] == ["rss_bytes"] and st["leaks_found"] == []
    assert "INCONCLUSIVE" in (tmp_path / "run" / "report.html").read_text()
    _print(result)
    out = capsys.readouterr().out
    assert "INCONCLUSIVE" in out and "PASS" not in out and "rss_bytes" in out


def test_steady_growth_in_a_short_soak_is_inconclusive_unless_clearly_unbounded():
    # ten minutes of a healthy system whose buffers are still filling (~50 MiB/h, measured) look
    # exactly like a leak: the judge says it cannot tell
    t, y = _series(10 / 60, _linear(50 * MiB), seed=8)
    v = judge("rss_bytes", t, y)
    assert (v.verdict, v.shape) == ("inconclusive", "growing"), v.reason
    assert "soak longer" in v.reason and not v.leak
    # a megabyte a second (the planted leak of tests/harness/test_soak.py) is no buffer filling up
    t, y = _series(90 / 3600, _linear(3600 * MiB), seed=8)
    v = judge("rss_bytes", t, y)
    assert (v.verdict, v.shape) == ("leak", "growing"), v.reason


@pytest.mark.parametrize("at_s", [10.0, 20.0, 27.0])
def test_one_jump_in_a_short_soak_is_a_step_not_a_leak(at_s):
    """One allocation that stays (RSS up 30 MiB between two samples of a 30 s soak) is a step,
    wherever it falls, never a leak."""
    rng = np.random.default_rng(1)
    t = np.arange(0.0, 30.0, 1.0)
    y = 200 * MiB + (t >= at_s) * 30 * MiB + rng.normal(0, 64 * 1024, t.size)
    v = judge("rss_bytes", t, y)
    assert v.verdict == "ok" and v.shape in ("step", "flat"), v.reason  # flat: too late to be significant


def test_steady_growth_with_one_jump_in_it_is_still_a_leak():
    rng = np.random.default_rng(2)
    t = np.arange(0.0, 90.0, 1.0)
    y = 200 * MiB + t * 0.5 * MiB + (t >= 40) * 30 * MiB + rng.normal(0, 64 * 1024, t.size)
    v = judge("rss_bytes", t, y)
    assert v.verdict == "leak", v.reason


def test_nothing_is_a_leak_in_less_than_a_minute_of_operation():
    t = np.arange(0.0, 30.0, 1.0)
    y = 200 * MiB + t * 4 * MiB  # steep and steady: a leak, were the window long enough
    v = judge("rss_bytes", t, y)
    assert v.verdict == "inconclusive" and "too short" in v.reason, v.reason
    t = np.arange(0.0, 90.0, 1.0)
    assert judge("rss_bytes", t, 200 * MiB + t * 4 * MiB).verdict == "leak"


def test_a_noisy_leak_whose_last_quarter_reads_slower_by_chance_is_still_a_leak():
    """"Slowing" needs Sen's intervals to say so (the last quarter's upper bound under 3/4 of the
    third's lower bound), not the two quarters' point slopes: under 3 MiB of noise a steady
    10 MiB/h leak (seed 26 of the seeds 0-39 tried) reads 11.6 MiB/h in its third quarter and
    8.6 in its fourth, under 3/4 of it by chance, and is still a leak."""
    t, y = _series(2, _linear(10 * MiB), every_s=10.0, noise=3 * MiB, seed=26)
    judged = t[t >= t[0] + 0.1 * (t[-1] - t[0])]  # the window after the warm-up
    t0, span = judged[0], judged[-1] - judged[0]

    def quarter(lo: float, hi: float) -> float:
        m = (t >= t0 + lo * span) & (t <= t0 + hi * span)
        return theil_sen(t[m], y[m]) * H

    q3, q4 = quarter(0.5, 0.75), quarter(0.75, 1.0)
    assert q4 < 0.75 * q3  # the point slopes alone would call it slowing
    v = judge("rss_bytes", t, y)
    assert (v.verdict, v.shape) == ("leak", "growing"), v.reason
    assert v.late_slope_per_hour == pytest.approx(10 * MiB, rel=0.25)


def _mk_textbook_p(y: list[float]) -> float:
    """The one-sided Mann-Kendall p-value as the textbooks write it: S over every pair, its
    tie-corrected variance, the continuity-corrected z, the upper tail of the standard normal."""
    from collections import Counter
    from statistics import NormalDist
    n = len(y)
    s = sum((y[j] > y[i]) - (y[j] < y[i]) for i in range(n) for j in range(i + 1, n))
    ties = sum(c * (c - 1) * (2 * c + 5) for c in Counter(y).values())
    var = (n * (n - 1) * (2 * n + 5) - ties) / 18
    z = (s - 1) / var ** 0.5 if s > 0 else (s + 1) / var ** 0.5 if s < 0 else 0.0
    return 1.0 - NormalDist().cdf(z)


@pytest.mark.parametrize("y", [
    [float(i) for i in range(10)],                      # rising: S = 45, p about 4e-5
    [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0, 8.0],  # noisy, with ties: p about 0.048
    [5.0, 4.0, 6.0, 3.0, 2.0, 4.0],                     # falling: p above one half
    [1.0, 2.0, 1.0, 2.0, 3.0, 2.0, 3.0, 4.0],           # rising with ties: p 0.0099, just under alpha (0.01)
])
def test_the_trend_test_s_p_value_is_the_one_sided_mann_kendall_p(y):
    """``mann_kendall_p`` is the one-sided p of an increasing trend (the leak judge compares it with
    ``alpha``): a two-sided p, twice as large, would let a real but modest leak pass as noise."""
    from harness.leaks import mann_kendall_p
    assert mann_kendall_p(np.array(y)) == pytest.approx(_mk_textbook_p(y), rel=1e-9, abs=1e-15)


def _resumed(per_hour: float, restart_offset: float, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A soak killed after 1 h of operation and resumed for 1 h more (``soak --resume``): the same
    trend in both process lifetimes, the new process's resident set ``restart_offset`` away from
    where the old one ended (a fresh process maps its libraries and pools anew), the time line
    continued, the second lifetime labelled group 1 as the report labels its segment."""
    t0, y0 = _series(1, _linear(per_hour), seed=seed)
    t1, y1 = _series(1, _linear(per_hour), seed=seed + 100, base=150 * MiB + restart_offset)
    return (np.concatenate([t0, t1 + H]), np.concatenate([y0, y1]),
            np.concatenate([np.zeros(t0.size, dtype=np.int64), np.ones(t1.size, dtype=np.int64)]))


def test_a_resumed_soak_whose_new_process_sits_higher_is_not_a_leak():
    # flat in both lifetimes; the resumed process 40 MiB higher: the jump between them is a
    # restart, not growth (a slope fitted across it would read 20 MiB/h, five times the threshold)
    t, y, g = _resumed(0.0, 40 * MiB)
    v = judge("rss_bytes", t, y, groups=g)
    assert v.verdict == "ok", v.reason
    assert abs(v.slope_per_hour) < 4 * MiB, v.reason


def test_a_leak_in_each_lifetime_of_a_resumed_soak_whose_new_process_sits_lower_is_a_leak():
    # 20 MiB/h in both lifetimes; the resumed process starts 60 MiB below where the killed one
    # ended (the leaked memory went with it): the restart's drop must not cancel the growth
    t, y, g = _resumed(20 * MiB, -60 * MiB)
    v = judge("rss_bytes", t, y, groups=g)
    assert v.verdict == "leak", v.reason


def test_judge_all_judges_every_numeric_series_as_judge_does_alone():
    """``judge_all`` over a soak's sample dicts is ``judge`` on each numeric series, whichever
    sample it first appears in: a figure read only once its source exists (an fd count from the
    second sample on, a series that stops) is judged on the samples that carry it; booleans and
    text are not series. The oracle is ``judge`` called on each column by hand."""
    t, rss = _series(2.0, _linear(40 * MiB), every_s=30.0, seed=3)
    samples = []
    for k, (ti, yi) in enumerate(zip(t, rss)):
        s = {"t": float(ti), "rss_bytes": float(yi), "ok": True, "state": "running"}
        if k >= 1:
            s["fds"] = 20 + k // 4        # appears from the second sample on, and grows
        if k < len(t) - 3:
            s["threads"] = 12             # stops three samples before the end, flat
        samples.append(s)
    got = judge_all(samples)
    assert sorted(got) == ["fds", "rss_bytes", "threads"]
    for metric, verdict in got.items():
        pts = [(s["t"], s[metric]) for s in samples if metric in s]
        alone = judge(metric, [p[0] for p in pts], [p[1] for p in pts])
        assert verdict.to_dict() == alone.to_dict(), metric
    assert (got["rss_bytes"].verdict, got["fds"].verdict, got["threads"].verdict) == ("leak", "leak", "ok")
