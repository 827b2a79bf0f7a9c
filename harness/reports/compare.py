"""Compare two runs: per-metric deltas with a verdict on each, and a test on the callback-duration
distributions instead of a ratio of two means.

``compare_reports(a, b)`` takes two ``report.json`` dicts, A the baseline and B the candidate, and
returns a ``Comparison``:

- **scalar figures** (``history_db.KEY_FIGURES`` plus the callback p50 / p99.9 and the block
  budget share at p99), each by the rule its kind needs, and none before its minimum exposure:
  when the shorter run holds fewer simulated seconds than the figure needs (``min_exposure_s``:
  3600 s for the callback max and the recovery p95, 120 s for the rest; ``sample_min_exposure_s``
  for the sample figures: 900 s for the callback p99 and the budget share, 300 s for the others) it is *n/a*, "too short to compare", never worse or better: below it
  one seed's draw (a slow-DSP fault of a high factor, the longest dropout) decides the figure.

  - counts (failure incidents, and xruns as xruns/h x simulated time) by a count test over each
    run's time (``_judge_count``), xruns at the measured ``XRUN_DISPERSION``; the faults injected
    likewise, *worse* when B injected fewer (``_judge_faults``, ``FAULT_DISPERSION``);
  - the sample figures (``SAMPLE_FIGURES``: callback percentiles, budget share) by a margin on
    ``log(B / A)`` derived from their measured seed-to-seed spread (``sample_margin``:
    ``z(1 - alpha) x sqrt(2) x SAMPLE_LOG_SD``), never below the absolute margin;
  - the speed (x real time), a wall-clock figure the machine's load sets as much as the system,
    only when both reports recorded that load (``performance.machine``) and the loads compare
    (``machine_load.comparable``), by a margin from the healthy spread at such loads
    (``SPEED_LOG_SD``); otherwise information only, saying why (``SPEED_NOTE``), as for every
    report written before the load was kept;
  - the speed per CPU second (``speed_cpu_x``, the report's ``performance.speed_x_cpu``) whatever
    the load, by the history database's own rule (``history_db.speed_limit`` with A as the
    baseline and the figure's floor in ``SPEED_LOG_FLOORS``): *worse* only below A / 1.5, from
    1 h of simulated time in each run (``_judge_speed_floor``); *n/a*, saying so, when a run
    recorded no CPU time;
  - the rest: B is *worse* when it moved in the bad direction by more than
    ``max(absolute margin, relative x |A|)`` (the absolute margins are the history database's),
    *better* the other way, else *same*; *n/a* when either run lacks the figure.
- **callback durations**: a two-sided Mann-Whitney U test (``scipy.stats.mannwhitneyu``) on the
  two runs' callback-duration histograms (``performance.callback_histogram``: every callback, log
  bins of ~6 %; each callback counts at its bin's middle, so ties within a bin are ties). With tens
  of thousands of callbacks any difference is "significant", and the callbacks of one run are not
  independent (one seed's faults slow thousands together), so B is *worse* only when the p-value
  is below ``alpha`` **and** the effect is larger than healthy seeds show: the probability that a
  callback of B is slower than one of A (``U / (n_A n_B)``, ties half) exceeds ``0.5 +
  max(min_effect, callback_effect_floor(alpha))``. *n/a* below ``SAMPLE_MIN_EXPOSURE_S``.
  Histograms of more than ``MAX_SAMPLES`` callbacks are thinned in proportion (the shape is
  kept; said in the result).
- **the family of tests**: the figures judged by a test at a level (``ALPHA_FIGURES``: the counts,
  the sample figures' margins, the wall speed) and the callback-duration test each call a healthy
  pair worse at their level's rate, so together they would call it regressed up to as many times
  as often. They are judged as one family (``family_levels``): Holm's step-down rule shares
  ``family_alpha`` (``FAMILY_ALPHA``, 0.05) among the m tests compared, each at most at ``alpha``
  (0.01): ``min(alpha, family_alpha / m)``, then the same over those left when some were worse.
  Each figure's note names the level it was judged at (``MetricDelta.alpha``); ``thresholds``
  names the family.
- **the verdict**: a pass that became a fail or inconclusive is a regression of its own.
- **a run that did not finish** (``run.status`` other than ``completed``: killed, interrupted, a
  cut journal) is compared as cut (``cut`` names it), never judged: its totals count only what it
  reached and its failure incidents include those of faults whose recovery it never lived to
  see, so "failure incidents: 0 -> 1" or "faults: 345 -> 0" would be its cut, not a change. Every figure is
  shown with verdict *n/a*, no regression is listed, and ``soundcheck compare`` exits 3.

The two runs should be alike (same backend, fault profile, duration class, system or mutant);
``like_for_like`` lists every difference, and the text and HTML say so first.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .history_db import (KEY_FIGURES, LOAD_FIGURES, SPEED_LOG_FLOORS, figures_from_report, like_key, min_exposure_s,
                         speed_limit)
from .machine_load import comparable
from .rates import INCIDENT_DISPERSION, count_test, min_decidable, mtbf_interval

__all__ = ["ALPHA", "ALPHA_FIGURES", "FAMILY_ALPHA", "family_phrase", "CALLBACK_TEST", "family_levels", "CALLBACK_EFFECT_SD", "COUNT_FIGURES", "SAMPLE_FIGURES", "SAMPLE_LOG_SD", "SAMPLE_MIN_EXPOSURE_S",
           "SAMPLE_FIGURE_MIN_EXPOSURE_S", "sample_min_exposure_s",
           "FAULT_DISPERSION", "PROFILE_SAMPLE_LOG_SD", "SPEED_LOG_SD", "SPEED_NOTE", "XRUN_DISPERSION", "callback_effect_floor", "log_spread", "sample_margin", "INCIDENT_DISPERSION", "NO_EVIDENCE", "MAX_SAMPLES", "MIN_EFFECT", "RELATIVE", "Comparison", "MetricDelta", "compare_reports",
           "histogram_samples", "render_compare_html", "render_compare_text"]

ALPHA = 0.01
#: the chance that a healthy pair is called *worse* by any of the tests at a level it is judged
#: on together (``family_levels``, Holm's rule, each test at most at ``ALPHA``): nine tests at
#: ``ALPHA`` each had up to nine times ``ALPHA`` between them
FAMILY_ALPHA = 0.05
MIN_EFFECT = 0.05
RELATIVE = 0.25
MAX_SAMPLES = 1_000_000

#: simulated seconds each run needs before its sample figures (``SAMPLE_FIGURES``) and its
#: callback-duration test are judged: the shortest run length whose healthy spread was measured
SAMPLE_MIN_EXPOSURE_S = 300.0
#: sample figures that need longer: a 5-minute run's callback p99 is one draw, whether the
#: faults slowed 1 % of its callbacks or not (20 healthy seeds 21-40 at 300 s: 19 at 7-13 ms, one
#: at 0.33 ms, which made 19 of 380 healthy pairs "worse"); at 900 s 40 seeds' p99s all fell in
#: one mode (bench/RESULTS.md, "compare's false alarms on healthy pairs")
SAMPLE_FIGURE_MIN_EXPOSURE_S: dict[str, float] = {"cb_p99_ms": 900.0, "budget_share_p99": 900.0}
#: per sample figure, the one-sided 95 % upper bound of the standard deviation of log(figure)
#: between healthy runs (``log_spread``): the largest of those measured by
#: ``bench/bench_compare_pairs.py --durations 300,900 --profile default`` on seeds 1-20 and 21-40
#: at the lengths the figure is judged at (the p99 and budget share: 900 s only), bench/RESULTS.md
#: "compare's false alarms on healthy pairs". Margins derive from it (``sample_margin``)
SAMPLE_LOG_SD: dict[str, float] = {"cb_p50_ms": 0.06002, "cb_p99_ms": 0.1208, "cb_p99_9_ms": 0.09712,
                                   "budget_share_p99": 0.1208}
#: per fault profile, the sample spreads measured larger than ``SAMPLE_LOG_SD`` where the default
#: margin let healthy pairs through: hostile's callback p99.9 (one-sided 95 % upper bounds 0.387 at
#: 300 s and 0.341 at 900 s, seeds 1001-1008; the default margin called 10 and 5 of 56 healthy
#: ordered pairs worse), and gentle's (0.264 at 300 s over seeds 1001-1020, 0.193 measured; the
#: default margin called 39 of 380 healthy ordered pairs worse, their p99.9s 0.19-0.39 ms, above the
#: absolute floor), bench/RESULTS.md, issue #11. The other profiles' pairs held at the default
PROFILE_SAMPLE_LOG_SD: dict[str, dict[str, float]] = {"hostile": {"cb_p99_9_ms": 0.387},
                                                      "gentle": {"cb_p99_9_ms": 0.264}}
#: the same benches' spread of the callback test's effect ``P(B slower) - 0.5`` over healthy
#: ordered pairs (root mean square, raised to its 95 % upper bound over the runs' degrees of
#: freedom), the largest measured: seeds 21-40 at 900 s, where one seed's callbacks stood apart
#: from the rest (|effect - 0.5| up to 0.17; seeds 1-20 showed 0.037 and up to 0.10)
CALLBACK_EFFECT_SD = 0.0943
#: variance / mean of the xrun counts of healthy runs of one length, its one-sided 95 % upper
#: bound, the largest measured (seeds 1-20 at 300 s; 74.9-150.1 over the four batches): the
#: count test's dispersion for xruns
XRUN_DISPERSION = 150.1
#: variance / mean of the faults injected by healthy runs of one profile and length, the largest
#: measured (0.50-1.12: default seeds 1-80 and gentle seeds 1001-1008 at 300 and 900 s,
#: bench/RESULTS.md, issue #11): the count test's dispersion for "faults injected"
FAULT_DISPERSION = 1.12
#: what compare says of the speed when it cannot judge it (followed by why: ``machine_load.comparable``)
SPEED_NOTE = ("information only: a wall-clock figure, set by the machine's load as much as by the system, and the "
              "runs' loads cannot be compared")
#: the seed-to-seed spread (sd of log speed) of healthy runs of one build, its one-sided 95 %
#: upper bound: the speed's margin is ``z(1 - alpha) sqrt(2)`` of it, as the sample figures'
#: (x2.43 at alpha 0.01). Measured on 16 default-profile 120 s runs one after another at loads
#: 15-22 on 2 CPUs: sd 0.188 over all of them (upper bound 0.270), 0.137 over the 12 ordered
#: pairs whose loads compare; the larger taken (bench/RESULTS.md, issue #11)
SPEED_LOG_SD = 0.27
#: the run length that spread was measured at (shorter runs are more start-up than run)
SPEED_MIN_EXPOSURE_S = 120.0

#: extra figures compared besides ``KEY_FIGURES``: name -> (higher is worse?, absolute margin, label)
EXTRA_FIGURES: dict[str, tuple[bool, float, str]] = {
    "cb_p50_ms": (True, 0.02, "callback p50 (ms)"),
    "cb_p99_9_ms": (True, 0.1, "callback p99.9 (ms)"),
    "budget_share_p99": (True, 0.02, "callback p99 / block budget"),
    "faults": (False, 0.5, "faults injected"),
}


@dataclass
class MetricDelta:
    name: str
    label: str
    a: float | None
    b: float | None
    delta: float | None
    relative: float | None
    limit: float | None
    verdict: str  # worse | better | same | n/a
    note: str = ""
    #: the one-sided level this figure's test was judged at (``family_levels``): the family's
    #: alpha shared out by Holm's rule; None for a figure judged by no test at a level
    alpha: float | None = None


@dataclass
class Comparison:
    a: dict[str, Any]
    b: dict[str, Any]
    metrics: list[MetricDelta] = field(default_factory=list)
    callbacks: dict[str, Any] = field(default_factory=dict)
    verdict_change: dict[str, Any] = field(default_factory=dict)
    like_for_like: list[str] = field(default_factory=list)
    thresholds: dict[str, float] = field(default_factory=dict)
    #: "A" and/or "B" with its status, for a run that did not finish: nothing is judged
    cut: list[str] = field(default_factory=list)
    #: each run's MTBF with its interval (``rates.mtbf_interval``) and what the incidents' test
    #: says of the change: {"a": ..., "b": ..., "verdict": ..., "says": ...}
    mtbf: dict[str, Any] = field(default_factory=dict)

    @property
    def regressions(self) -> list[str]:
        out = [f"{m.label}: {_fmt(m.a)} -> {_fmt(m.b)} (limit {_fmt(m.limit)})"
               for m in self.metrics if m.verdict == "worse"]
        if self.callbacks.get("verdict") == "worse":
            out.append(f"callback durations: B slower in {100 * self.callbacks['effect']:.1f} % of pairs "
                       f"(Mann-Whitney p={self.callbacks['p_value']:.2g})")
        if self.verdict_change.get("regressed"):
            out.append(f"verdict: {self.verdict_change['a']} -> {self.verdict_change['b']}")
        return out

    @property
    def regressed(self) -> bool:
        return bool(self.regressions)

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "like_for_like": self.like_for_like, "thresholds": self.thresholds,
                "verdict_change": self.verdict_change, "metrics": [asdict(m) for m in self.metrics],
                "callbacks": self.callbacks, "regressions": self.regressions, "regressed": self.regressed,
                "cut": self.cut, "mtbf": self.mtbf}


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else None


#: the scalar figures that summarise one run's sample of callback durations: their spread from
#: seed to seed is what decides how far apart two healthy runs' figures fall
SAMPLE_FIGURES = ("cb_p50_ms", "cb_p99_ms", "cb_p99_9_ms", "budget_share_p99")


def log_spread(values: list[float], confidence: float = 0.95) -> dict[str, float | int | None]:
    """The standard deviation of ``log(values)`` over runs (ddof 1) and its one-sided upper bound at
    ``confidence`` (chi-square, ``n - 1`` degrees of freedom): a few runs say little of a spread."""
    from scipy.stats import chi2

    x = np.log(np.asarray([v for v in values if v > 0], dtype=float))
    n = int(x.size)
    if n < 3:
        return {"n": n, "sd": None, "sd_upper": None}
    sd = float(np.std(x, ddof=1))
    return {"n": n, "sd": sd, "sd_upper": sd * math.sqrt((n - 1) / float(chi2.ppf(1 - confidence, n - 1)))}


def _figures(report: dict[str, Any]) -> dict[str, float | None]:
    pf = report.get("performance") or {}
    cb = pf.get("callback_duration_s") or {}
    share = pf.get("budget_share") or {}
    out: dict[str, float | None] = {k: _num(v) for k, v in figures_from_report(report).items()}
    out["cb_p50_ms"] = _num(cb.get("p50")) * 1000 if _num(cb.get("p50")) is not None else None
    out["cb_p99_9_ms"] = _num(cb.get("p99_9")) * 1000 if _num(cb.get("p99_9")) is not None else None
    out["budget_share_p99"] = _num(share.get("p99"))
    out["faults"] = _num((report.get("stability") or {}).get("faults_injected"))
    return out


def _judge(name: str, a: float | None, b: float | None, higher_worse: bool, margin: float,
           relative: float, label: str) -> MetricDelta:
    if a is None or b is None:
        return MetricDelta(name, label, a, b, None, None, None, "n/a",
                           "not measured in " + ("either run" if a is None and b is None else "A" if a is None else "B"))
    delta = b - a
    rel = delta / abs(a) if a else None
    allowed = max(margin, relative * abs(a))
    limit = a + allowed if higher_worse else a - allowed
    worse = delta > allowed if higher_worse else delta < -allowed
    better = delta < -allowed if higher_worse else delta > allowed
    return MetricDelta(name, label, a, b, delta, rel, limit, "worse" if worse else "better" if better else "same")


#: the figures compared as counts of events over each run's simulated time, not by the margins
COUNT_FIGURES = ("incidents",)
#: what a comparison says when its test cannot tell the two runs apart
NO_EVIDENCE = "no evidence of a change"


def _count_limit(na: int, t_a: float | None, t_b: float | None, alpha: float, dispersion: float,
                 cap: int) -> int | None:
    """The fewest events in B that the count test calls worse than ``na`` in A (below ``cap``), or
    None: a bisection, since B's one-sided p-value only falls as its count grows (xruns count in
    thousands, one test per candidate count took seconds)."""
    def worse(k: int) -> bool:
        return count_test(na, k, t_a, t_b, dispersion=dispersion).p_worse < alpha

    lo = hi = max(na, 1)
    while not worse(hi):
        if hi >= cap:
            return None
        lo, hi = hi + 1, min(2 * hi, cap)
    while lo < hi:
        mid = (lo + hi) // 2
        if worse(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _judge_count(name: str, a: float | None, b: float | None, t_a: float | None, t_b: float | None,
                 alpha: float, label: str, *, dispersion: float = INCIDENT_DISPERSION) -> MetricDelta:
    """A count of events (failure incidents) in A against B, each over its run's simulated time:
    *worse* or *better* by the conditional test of ``rates.count_test`` (B's share of the
    events, one-sided each way, below ``alpha``; beta-binomial for counts ``dispersion`` times
    more spread than a Poisson's), else "no evidence of a change": *same* with both p-values
    said, or *n/a* "too short to compare" when the runs hold fewer events between them than any
    split needs to decide (``rates.min_decidable``), in the direction B moved.

    Why not the margins of the other figures: a count of 0 or 1 failure incidents in a healthy
    2-minute run and 1-6 in a 15-minute one is the seed's draw, and "0 -> 1" passed the absolute
    margin (0.5): a regression between two healthy runs."""
    if a is None or b is None:
        return MetricDelta(name, label, a, b, None, None, None, "n/a",
                           "not measured in " + ("either run" if a is None and b is None else "A" if a is None else "B"))
    na, nb = int(round(a)), int(round(b))
    test = count_test(na, nb, t_a, t_b, dispersion=dispersion)
    p, n = test.p, test.n
    rate_a, rate_b = na / (1 - p), nb / p  # proportional to each run's rate
    up = rate_b >= rate_a
    need = min_decidable(p if up else 1 - p, alpha, dispersion=dispersion)
    delta = b - a
    rel = delta / abs(a) if a else None
    limit = _count_limit(na, t_a, t_b, alpha, dispersion, max(na + 10 * need + 100, 100 * (na + 1)))
    how = f"alpha {alpha:g}" + (f", dispersion {dispersion:g}" if dispersion > 1 else "")
    if n < need:
        return MetricDelta(name, label, a, b, delta, rel, limit, "n/a",
                           f"too short to compare: {n} event(s) in both runs, and no split of fewer than {need} can "
                           f"show a change at {how} (B's share of the time {p:.2f}): {NO_EVIDENCE} either way")
    worse, better = test.p_worse < alpha, test.p_better < alpha
    verdict = "worse" if worse else "better" if better else "same"
    note = (f"B's rate higher, p={test.p_worse:.2g}" if worse else f"B's rate lower, p={test.p_better:.2g}" if better
            else f"{NO_EVIDENCE}: p={test.p_worse:.2g} that B's rate is higher, {test.p_better:.2g} lower")
    return MetricDelta(name, label, a, b, delta, rel, limit, verdict, f"{note} ({how})")


def _too_short(t_a: float | None, t_b: float | None, need: float) -> str:
    """Why two runs of ``t_a`` and ``t_b`` simulated seconds are too short for a figure that needs
    ``need`` s in each, or "" when they are long enough."""
    if t_a is not None and t_b is not None and min(t_a, t_b) >= need:
        return ""
    have = "unknown" if t_a is None or t_b is None else f"{min(t_a, t_b):.4g} s"
    return (f"too short to compare: the shorter run holds {have} of simulated time, this figure needs "
            f"{need:.4g} s in each run to be judged (below it one seed's draw decides it): {NO_EVIDENCE} either way")


def sample_min_exposure_s(name: str) -> float:
    """The simulated seconds each run needs before the sample figure ``name`` is judged."""
    return SAMPLE_FIGURE_MIN_EXPOSURE_S.get(name, SAMPLE_MIN_EXPOSURE_S)


def sample_margin(name: str, alpha: float, profiles: tuple[str | None, ...] = ()) -> float | None:
    """The log-ratio ``log(B / A)`` beyond which a sample figure is a change at one-sided ``alpha``:
    ``z(1 - alpha) x sqrt(2) x SAMPLE_LOG_SD[name]`` (each run's log figure spreads by that sd from
    seed to seed, so their difference by sqrt(2) of it), or the larger spread measured for one of
    the runs' fault ``profiles`` (``PROFILE_SAMPLE_LOG_SD``); None for a figure with no measured spread."""
    from scipy.stats import norm

    sd = SAMPLE_LOG_SD.get(name)
    if sd is not None:
        sd = max([sd] + [PROFILE_SAMPLE_LOG_SD.get(p or "", {}).get(name, 0.0) for p in profiles])
    return None if sd is None else float(norm.ppf(1 - alpha)) * math.sqrt(2.0) * sd


def _judge_figure(name: str, a: float | None, b: float | None, t_a: float | None, t_b: float | None,
                  higher_worse: bool, margin: float, relative: float, alpha: float, label: str,
                  loads: tuple[bool, str] = (False, "no machine load given"),
                  profiles: tuple[str | None, ...] = ()) -> MetricDelta:
    """One figure of A against B by the rule its kind needs (the module docstring): counts by a
    count test over each run's simulated time, sample figures by a margin derived from the healthy
    spread, speed as information only, the rest by the margins; and none before its minimum
    exposure."""
    if name == "speed_x":
        return _judge_speed(a, b, t_a, t_b, margin, alpha, label, loads)
    if name in SPEED_LOG_FLOORS and name not in LOAD_FIGURES:
        return _judge_speed_floor(name, a, b, t_a, t_b, margin, label)
    if name == "xruns_per_hour":
        return _judge_rate(name, a, b, t_a, t_b, alpha, label)
    if name == "faults":
        return _judge_faults(a, b, t_a, t_b, alpha, label, relative)
    if name in COUNT_FIGURES:
        return _judge_count(name, a, b, t_a, t_b, alpha, label)
    if a is None or b is None:
        return _judge(name, a, b, higher_worse, margin, relative, label)
    need = sample_min_exposure_s(name) if name in SAMPLE_FIGURES else min_exposure_s(name)
    short = _too_short(t_a, t_b, need)
    if short:
        delta = b - a
        return MetricDelta(name, label, a, b, delta, delta / abs(a) if a else None, None, "n/a", short)
    log_margin = sample_margin(name, alpha, profiles) if name in SAMPLE_FIGURES else None
    if log_margin is None:
        return _judge(name, a, b, higher_worse, margin, relative, label)
    m = _judge(name, a, b, higher_worse, margin, math.expm1(log_margin), label)
    m.note = (f"margin from the healthy seed-to-seed spread: x{math.exp(log_margin):.3g} at alpha {alpha:g}"
              + (f" (absolute floor {margin:g})" if m.limit is not None and abs(m.limit - a) <= margin else ""))
    return m


def _judge_speed(a: float | None, b: float | None, t_a: float | None, t_b: float | None, margin: float,
                 alpha: float, label: str, loads: tuple[bool, str]) -> MetricDelta:
    """The speed (x real time; higher is better), judged only when both runs recorded the machine's
    load and the loads compare (``loads``: ``machine_load.comparable``'s answer); then B is worse
    when slower than A by more than the healthy spread at comparable loads allows (``SPEED_LOG_SD``,
    as a sample figure's margin) and by more than the absolute ``margin``. Otherwise information
    only, saying why: a wall-clock figure the load sets as much as the system."""
    judged, why = loads
    short = _too_short(t_a, t_b, SPEED_MIN_EXPOSURE_S)
    if judged and short:
        judged, why = False, short
    if not judged or a is None or b is None:
        m = _judge("speed_x", a, b, False, margin, 0.0, label)
        note = m.note if (a is None or b is None) else f"{SPEED_NOTE}: {why}"
        return MetricDelta("speed_x", label, a, b, m.delta, m.relative, None, "n/a", note)
    from scipy.stats import norm

    log_margin = float(norm.ppf(1 - alpha)) * math.sqrt(2.0) * SPEED_LOG_SD
    m = _judge("speed_x", a, b, False, margin, -math.expm1(-log_margin), label)
    m.note = f"loads comparable ({why}); margin from the healthy spread at such loads: /{math.exp(log_margin):.3g} at alpha {alpha:g}"
    return m


#: what compare says of the speed per CPU second when a run recorded no CPU time
CPU_SPEED_MISSING = ("a report written before the process's CPU time was kept, or a resumed soak's, whose CPU time "
                     "spans its last segment only")


def _judge_speed_floor(name: str, a: float | None, b: float | None, t_a: float | None, t_b: float | None,
                       margin: float, label: str) -> MetricDelta:
    """A speed judged whatever the machine's load (the speed per CPU second: the neighbours take
    wall time from a run, not CPU time) by the history database's own rule, A standing as the
    baseline of one run: B is *worse* below ``history_db.speed_limit([A])``, at most A over the
    figure's ``SPEED_LOG_FLOORS`` factor, *better* when A is below ``speed_limit([B])``, from
    ``min_exposure_s`` of simulated time in each run (the database's exposure floor: a cold numba
    cache costs a fixed few CPU seconds, most of a short run's).

    Why the database's rule and not a margin of its own: compare and the history must not call
    one pair of runs regressed by one and healthy by the other. Not part of the alpha family
    (``_family_judge``): a floor above the measured healthy spread, no test at a level."""
    if a is None or b is None:
        m = _judge(name, a, b, False, margin, 0.0, label)
        return MetricDelta(name, label, a, b, None, None, None, "n/a", f"{m.note}: {CPU_SPEED_MISSING}")
    delta = b - a
    rel = delta / abs(a) if a else None
    short = _too_short(t_a, t_b, min_exposure_s(name))
    if short:
        return MetricDelta(name, label, a, b, delta, rel, None, "n/a", short)
    floor = SPEED_LOG_FLOORS[name]
    limit = speed_limit([a], log_floor=floor, margin=margin)
    verdict = "worse" if b < limit else "better" if a < speed_limit([b], log_floor=floor, margin=margin) else "same"
    return MetricDelta(name, label, a, b, delta, rel, limit, verdict,
                       f"judged whatever the load, by the history database's rule: slower only below "
                       f"A / {math.exp(floor):.3g} (its floor for this figure) or by more than the absolute margin "
                       f"{margin:g}")


def _judge_faults(a: float | None, b: float | None, t_a: float | None, t_b: float | None, alpha: float,
                  label: str, relative: float = RELATIVE) -> MetricDelta:
    """The faults injected, a count the seed's schedule draws: *worse* when B injected
    significantly fewer in all than A (it tested less) and by more than ``relative`` of A's,
    *better* likewise when more, by the count test at ``FAULT_DISPERSION`` (``t_a``/``t_b``
    unused: the totals are the figure). The 25 % margin called healthy gentle-profile pairs worse: 34
    against 48 faults in 5 minutes is that profile's draw (2 of 56 pairs)."""
    if a is None or b is None:
        return _judge("faults", a, b, False, 0.5, 0.0, label)
    na, nb = int(round(a)), int(round(b))
    # totals, as the figure always was (how much each run tested), not rates: runs of unlike
    # lengths are compared with a warning, and their totals differ by their lengths
    test = count_test(na, nb, None, None, dispersion=FAULT_DISPERSION)
    delta = b - a
    rel = delta / abs(a) if a else None
    need = min_decidable(1 - test.p if nb <= na else test.p, alpha, dispersion=FAULT_DISPERSION)
    if test.n < need:
        return MetricDelta("faults", label, a, b, delta, rel, None, "n/a",
                           f"too short to compare: {test.n} fault(s) in both runs, fewer than the {need} any split "
                           f"needs to show a change at alpha {alpha:g}: {NO_EVIDENCE} either way")
    # and past the figure's margin (25 %, at least 0.5): at default-profile counts (~350 in 5 min)
    # the test alone called 8 of 2 280 healthy pairs worse, drops of 9-12 %, where the margin
    # had called none
    allowed = max(0.5, relative * abs(a))
    fewer, more = test.p_better < alpha and delta < -allowed, test.p_worse < alpha and delta > allowed
    verdict = "worse" if fewer else "better" if more else "same"
    note = (f"B injected fewer, p={test.p_better:.2g}" if fewer else
            f"B injected more, p={test.p_worse:.2g}" if more else
            f"{NO_EVIDENCE}: p={test.p_better:.2g} that B injected fewer, {test.p_worse:.2g} more")
    return MetricDelta("faults", label, a, b, delta, rel, None, verdict,
                       f"{note} (alpha {alpha:g}, count test at dispersion {FAULT_DISPERSION:g})")


def _judge_rate(name: str, a: float | None, b: float | None, t_a: float | None, t_b: float | None,
                alpha: float, label: str) -> MetricDelta:
    """A rate per hour judged as the count it is (rate x simulated s / 3600) by ``_judge_count``
    at ``XRUN_DISPERSION``: xruns come in bursts a seed draws, so their counts spread far more
    than a Poisson's, and a margin on the rate flagged most healthy pairs."""
    if a is None or b is None or t_a is None or t_b is None or t_a <= 0 or t_b <= 0:
        return _judge(name, a, b, True, 0.0, 0.0, label) if a is None or b is None else MetricDelta(
            name, label, a, b, b - a, (b - a) / abs(a) if a else None, None, "n/a",
            "too short to compare: a run's simulated time is not known, so its rate is no count")
    m = _judge_count(name, a * t_a / 3600.0, b * t_b / 3600.0, t_a, t_b, alpha, label,
                     dispersion=XRUN_DISPERSION)
    limit = m.limit * 3600.0 / t_b if m.limit is not None else None
    return MetricDelta(name, label, a, b, b - a, (b - a) / abs(a) if a else None, limit, m.verdict,
                       m.note.replace("event(s)", "xrun(s)"))


def histogram_samples(hist: dict[str, Any] | None, cap: int = MAX_SAMPLES) -> tuple[np.ndarray, bool]:
    """Callback durations (seconds) from a ``callback_histogram``: each callback at its bin's middle.
    Thinned in proportion to at most ``cap`` values (returns whether it was)."""
    if not hist or not hist.get("bins"):
        return np.zeros(0), False
    per = float(hist.get("bins_per_decade") or 40)
    floor = float(hist.get("floor_s") or 1e-7)
    keys = np.array([int(k) for k in hist["bins"]], dtype=np.int64)
    counts = np.array([int(v) for v in hist["bins"].values()], dtype=np.int64)
    total = int(counts.sum())
    thinned = total > cap
    if thinned:
        counts = np.floor(counts * (cap / total) + 0.5).astype(np.int64)
    mids = floor * 10 ** ((keys + 0.5) / per)
    return np.repeat(mids, counts), thinned


def callback_effect_floor(alpha: float) -> float:
    """How far ``P(B slower)`` strays from 0.5 between two healthy runs at one-sided ``alpha``:
    ``z(1 - alpha) x CALLBACK_EFFECT_SD``. Callbacks of one run are not independent draws (a seed's
    slow-DSP faults slow thousands of them together), so the test's p-value, tiny at any
    difference, cannot bound the false alarms; the seed-to-seed spread of the effect can."""
    from scipy.stats import norm

    return float(norm.ppf(1 - alpha)) * CALLBACK_EFFECT_SD


def _callbacks(a: dict[str, Any], b: dict[str, Any], alpha: float, min_effect: float,
               t_a: float | None = None, t_b: float | None = None) -> dict[str, Any]:
    """The callback-duration test of A against B, judged at ``alpha`` (alone, not in a family)."""
    return _callbacks_at(_callback_test(a, b, t_a, t_b), alpha, min_effect)


def _callbacks_at(test: dict[str, Any], alpha: float, min_effect: float) -> dict[str, Any]:
    """The verdict of a callback test (``_callback_test``) at level ``alpha``: *worse* when its
    p-value is below ``alpha`` and B is slower in more than ``0.5 + max(min_effect,
    callback_effect_floor(alpha))`` of callback pairs, *better* likewise the other way."""
    if test.get("verdict") == "n/a":
        return dict(test)
    min_effect = max(min_effect, callback_effect_floor(alpha))
    p, effect = test["p_value"], test["effect"]
    significant = p < alpha
    verdict = ("worse" if significant and effect > 0.5 + min_effect else
               "better" if significant and effect < 0.5 - min_effect else "same")
    return {**test, "verdict": verdict, "min_effect": min_effect, "alpha": alpha}


def _callback_test(a: dict[str, Any], b: dict[str, Any], t_a: float | None = None,
                   t_b: float | None = None) -> dict[str, Any]:
    """The Mann-Whitney U test of B's callback durations against A's, its verdict left to
    ``_callbacks_at`` (one test, judged at whatever level the family gives it)."""
    from scipy.stats import mannwhitneyu

    short = _too_short(t_a, t_b, SAMPLE_MIN_EXPOSURE_S)
    if short:
        return {"verdict": "n/a", "note": short, "n_a": None, "n_b": None}

    ha = (a.get("performance") or {}).get("callback_histogram")
    hb = (b.get("performance") or {}).get("callback_histogram")
    xa, thin_a = histogram_samples(ha)
    xb, thin_b = histogram_samples(hb)
    if xa.size == 0 or xb.size == 0:
        return {"verdict": "n/a", "note": "no callback histogram in " + ("A" if xa.size == 0 else "B"),
                "n_a": int(xa.size), "n_b": int(xb.size)}
    res = mannwhitneyu(xb, xa, alternative="two-sided", method="asymptotic")
    u = float(res.statistic)
    effect = u / (xa.size * xb.size)  # P(B slower) + P(tie) / 2
    p = float(res.pvalue)
    return {"test": "Mann-Whitney U, two-sided (scipy.stats.mannwhitneyu, asymptotic, tie-corrected)",
            "n_a": int(xa.size), "n_b": int(xb.size), "u": u, "p_value": p, "effect": effect,
            "median_a_ms": float(np.median(xa)) * 1000, "median_b_ms": float(np.median(xb)) * 1000,
            "verdict": None, "thinned": bool(thin_a or thin_b),
            "note": "B slower than A in {:.1f} % of callback pairs".format(100 * effect)}


#: the figures judged by a test at a level (a count test's p-value, a margin of ``z(1 - alpha)``
#: healthy spreads), each calling a healthy pair *worse* at that level's rate: the family whose
#: false alarms ``compare_reports``' ``alpha`` bounds together (``family_levels``), with the
#: callback-duration test (``CALLBACK_TEST``). The other figures are judged by margins or floors
#: with no level.
ALPHA_FIGURES = ("incidents", "xruns_per_hour", "faults", *SAMPLE_FIGURES, "speed_x")
#: the callback-duration test's name in the family
CALLBACK_TEST = "callback durations"


def _verdict_of(result: MetricDelta | dict[str, Any]) -> str:
    return result.verdict if isinstance(result, MetricDelta) else str(result.get("verdict"))


def family_levels(judge: Any, names: tuple[str, ...], alpha: float,
                  family_alpha: float) -> tuple[dict[str, Any], dict[str, float], list[str]]:
    """Each test of the family ``names`` judged at its share of ``family_alpha`` by Holm's
    step-down rule over the tests actually compared, never above ``alpha``: ``judge(name, level)``
    gives a test's result (its verdict *worse*, *better*, *same* or *n/a*). The m tests not *n/a*
    at ``alpha`` are judged at ``min(alpha, family_alpha / m)``; while some are *worse*, those are
    kept and the rest judged again at ``min(alpha, family_alpha / (m - those kept))``. Returns
    (name -> result, name -> the level it was judged at, the names compared).

    Why: each test calls a healthy pair worse at its own rate, so a pair judged on nine of them
    was called regressed up to nine times as often as one test's alpha (bench/RESULTS.md,
    "compare's and the run's margins on held-out seeds": a healthy pair's faults alone, 3 and 1
    of 1 260). Holm's rule holds the chance that any *worse* of the family is false to
    ``family_alpha`` whatever the tests' dependence (the callback p99 and the budget share move
    together); the cap keeps each test at most as likely to call a healthy pair worse as it was
    alone, and a figure found worse frees its share for the rest."""
    first = {n: judge(n, alpha) for n in names}
    compared = [n for n in names if _verdict_of(first[n]) != "n/a"]
    m = len(compared)
    levels = dict.fromkeys(names, alpha)
    results = dict(first)
    worse: set[str] = set()
    while m:
        level = min(alpha, family_alpha / (m - len(worse)))
        if level >= alpha and not worse:
            return first, levels, compared  # the cap is the level: the first judgement stands
        found = set()
        for n in compared:
            if n in worse:
                continue
            results[n], levels[n] = judge(n, level), level
            if _verdict_of(results[n]) == "worse":
                found.add(n)
        if not found or len(worse | found) == m:
            break
        worse |= found
    return results, levels, compared


def compare_reports(a: dict[str, Any], b: dict[str, Any], *, relative: float = RELATIVE, alpha: float = ALPHA,
                    min_effect: float = MIN_EFFECT, family_alpha: float = FAMILY_ALPHA) -> Comparison:
    """A (baseline) against B (candidate); see the module docstring for the rules. The tests at
    a level share ``family_alpha`` by Holm's rule, each at most at ``alpha`` (``family_levels``)."""
    fa, fb = _figures(a), _figures(b)
    ta, tb = (_num((r.get("stability") or {}).get("sim_time_s")) for r in (a, b))
    loads = comparable(*((r.get("performance") or {}).get("machine") for r in (a, b)))
    profiles = tuple((r.get("run") or {}).get("profile") for r in (a, b))
    figures = {**KEY_FIGURES, **EXTRA_FIGURES}
    test = _callback_test(a, b, ta, tb)

    def judge(name: str, level: float) -> MetricDelta | dict[str, Any]:
        if name == CALLBACK_TEST:
            return _callbacks_at(test, level, min_effect)
        hw, margin, label = figures[name]
        return _judge_figure(name, fa.get(name), fb.get(name), ta, tb, hw, margin, relative, level, label, loads,
                             profiles)

    family = tuple(n for n in ALPHA_FIGURES if n in figures) + (CALLBACK_TEST,)
    judged, levels, compared = family_levels(judge, family, alpha, family_alpha)
    metrics = []
    for name in figures:
        m = judged[name] if name in judged else judge(name, alpha)
        assert isinstance(m, MetricDelta)
        if name in judged and m.verdict != "n/a":
            m.alpha = levels[name]
        metrics.append(m)
    callbacks = dict(judged[CALLBACK_TEST])
    oa = (a.get("verdict") or {}).get("outcome")
    ob = (b.get("verdict") or {}).get("outcome")
    rank = {"pass": 0, "inconclusive": 1, "fail": 2}
    change = {"a": oa, "b": ob, "regressed": oa in rank and ob in rank and rank[ob] > rank[oa]}
    ka, kb = like_key(a), like_key(b)
    unlike = [f"{k}: {ka[k]} vs {kb[k]}" for k in ka if ka[k] != kb[k]]
    # a run that did not finish (killed, interrupted, a truncated journal) counts what it reached:
    # its totals (faults injected) are short of a whole run's by its cut, not by the system
    sa, sb = ((r.get("run") or {}).get("status") or "completed" for r in (a, b))
    if sa != sb:
        unlike.append(f"status: {sa} vs {sb} (a run that did not finish counts only what it reached)")
    cut = [f"{side} ({status})" for side, status in (("A", sa), ("B", sb)) if status != "completed"]
    if cut:
        why = f"{' and '.join(cut)} did not finish: its figures count only what it reached"
        metrics = [MetricDelta(m.name, m.label, m.a, m.b, m.delta, m.relative, None, "n/a", "cut")
                   for m in metrics]
        callbacks = {"verdict": "n/a", "note": why, "n_a": callbacks.get("n_a"), "n_b": callbacks.get("n_b")}
        change = {**change, "regressed": False}
        compared = []
    return Comparison(a=_ident(a), b=_ident(b), metrics=metrics, callbacks=callbacks,
                      verdict_change=change, like_for_like=unlike,
                      thresholds={"relative": relative, "alpha": alpha, "family_alpha": family_alpha,
                                  "family": compared,
                                  "family_size": len(compared),
                                  "min_effect": max(min_effect, callback_effect_floor(levels[CALLBACK_TEST]))},
                      cut=cut,
                      mtbf=_mtbf(a, b, next((m for m in metrics if m.name == "incidents"), None)))


def _mtbf(a: dict[str, Any], b: dict[str, Any], incidents: MetricDelta | None) -> dict[str, Any]:
    """Each run's MTBF (simulated time / incidents) with its interval, and the change the
    incidents' test found: what a reader of two MTBFs needs besides the two figures."""
    def one(r: dict[str, Any]) -> dict[str, Any] | None:
        st = r.get("stability") or {}
        n, t = _num(st.get("incident_count")), _num(st.get("sim_time_s"))
        if n is None or t is None or t <= 0:
            return None
        return {"incidents": int(n), "exposure_s": t, "mtbf_s": t / n if n else None,
                "interval_s": mtbf_interval(int(n), t)}
    verdict = incidents.verdict if incidents is not None else "n/a"
    says = {"worse": "B fails more often", "better": "B fails less often"}.get(
        verdict, "not compared" if incidents is None or incidents.note in ("cut", "") or
        incidents.note.startswith("not measured") else NO_EVIDENCE)
    return {"a": one(a), "b": one(b), "verdict": verdict, "says": says,
            "note": incidents.note if incidents is not None else ""}


def mtbf_phrase(m: dict[str, Any] | None) -> str:
    """"302 s (95 %: 110 s to 1.6e+03 s; 1 incident in 302 s)", or "at least ..." with none."""
    if not m:
        return "-"
    iv = m.get("interval_s") or {}
    level = f"{100 * float(iv.get('level', 0.95)):g} %"
    count = f"{m['incidents']} incident(s) in {_fmt(m['exposure_s'])} s"
    if m.get("mtbf_s") is None:
        return f"none seen ({level}: at least {_fmt(iv.get('low_s'))} s; {count})"
    return (f"{_fmt(m['mtbf_s'])} s ({level}: {_fmt(iv.get('low_s'))} s to {_fmt(iv.get('high_s'))} s; {count})")


def _ident(r: dict[str, Any]) -> dict[str, Any]:
    run = r.get("run") or {}
    return {k: run.get(k) for k in ("run_id", "backend", "profile", "seed", "duration_s", "commit", "started_at",
                                   "mutant")} | {"kind": r.get("kind"),
                                                 "outcome": (r.get("verdict") or {}).get("outcome")}


def render_compare_text(c: Comparison) -> str:
    lines = [f"soundcheck compare: A {c.a.get('run_id')} (commit {c.a.get('commit') or '-'}) -> "
             f"B {c.b.get('run_id')} (commit {c.b.get('commit') or '-'})"]
    if c.like_for_like:
        lines.append("  NOT LIKE FOR LIKE (deltas may reflect the difference, not a change): "
                     + "; ".join(c.like_for_like))
    lines.append(f"  {'figure':32} {'A':>11} {'B':>11} {'delta':>11}  verdict")
    for m in c.metrics:
        rel = f" ({100 * m.relative:+.0f} %)" if m.relative is not None else ""
        lines.append(f"  {m.label:32} {_fmt(m.a):>11} {_fmt(m.b):>11} {_fmt(m.delta):>11}  {m.verdict}{rel}"
                     + (f"  [{m.note}]" if m.note else ""))
    cb = c.callbacks
    if cb.get("verdict") == "n/a":
        lines.append(f"  callback durations: n/a ({cb.get('note')})")
    else:
        lines.append(f"  callback durations: {cb['verdict']}: Mann-Whitney p={cb['p_value']:.3g}, "
                     f"{cb['note']} (n={cb['n_a']} vs {cb['n_b']}, medians {cb['median_a_ms']:.4g} vs "
                     f"{cb['median_b_ms']:.4g} ms){' [thinned]' if cb.get('thinned') else ''}")
    if c.mtbf:
        lines.append(f"  MTBF: A {mtbf_phrase(c.mtbf.get('a'))}; B {mtbf_phrase(c.mtbf.get('b'))}: {c.mtbf['says']}")
    lines.append(f"  verdict: {c.verdict_change.get('a')} -> {c.verdict_change.get('b')}")
    t = c.thresholds
    if c.cut:
        lines.append(f"  NOT COMPARED: {' and '.join(c.cut)} did not finish, so its figures count only what it "
                     "reached (a cut, not a change); compare runs that ran to their end")
    elif c.regressed:
        lines.append(f"  REGRESSION ({len(c.regressions)}): " + "; ".join(c.regressions))
    else:
        lines.append(f"  no regression beyond the thresholds (relative {t['relative']:g}, alpha {t['alpha']:g}, "
                     f"effect {t['min_effect']:g})")
    if not c.cut:
        lines.append(f"  {family_phrase(t)}")
    return "\n".join(lines)


def family_phrase(thresholds: dict[str, Any]) -> str:
    """What the family-wise alpha covered: "alpha 0.01 held over 3 test(s) together (Holm): ..."."""
    family = thresholds.get("family") or []
    if not family:
        return "no figure was judged by a test at a level (family-wise alpha unused)"
    return (f"family-wise alpha {thresholds['family_alpha']:g} over the {len(family)} test(s) compared together "
            f"(Holm's rule, each at most at {thresholds['alpha']:g}: a healthy pair is called worse by any of them at "
            f"most that often): {', '.join(family)}")


def render_compare_html(c: Comparison) -> str:
    """A self-contained page (inline CSS, no script) with the same content as the text."""
    from .templating import environment

    env = environment(fmt=_fmt, mtbf_phrase=mtbf_phrase, family_phrase=family_phrase)
    return env.get_template("compare.html.j2").render(c=c)
