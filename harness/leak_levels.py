"""CPython's small objects judged through their wander: the history window modelled out, and a
growth judged by a straight line through the window's levels.

Why this exists: pymalloc's bytes in use (``pymalloc_in_use_bytes``) wander by megabytes a quarter
hour in a healthy simulated soak, and the wander is live objects, not garbage (bench/RESULTS.md,
issue #11). Most of it is the soak's own history window (``History``: it fills to ``2 * keep``
entries and is cut back to ``keep``, a saw of some 5 000 entries), which the samples count as
``harness_log_records``. The rest is slower wander of a few hundred kilobytes. A 5 MB/h leak of small
objects is 1.2 times the 4 MiB/h threshold; over the late half of a 1-hour soak's window (27
minutes) that margin is half a megabyte, the wander's size, so the late half's own slope (which
decides "saturating" in ``harness.leaks``, point 5) read a steady leak as levelled off at one seed
in two.

Two remedies, both asked by ``harness.leaks`` of pymalloc's series only (point 7):

1. ``window_taken_out``: the window's entries are modelled, not subtracted by a guessed size. A
   least-squares fit of the judged samples on one intercept per segment, time (the trend) and the
   window's record count gives the bytes an entry holds; that many bytes a record are taken out
   of every sample. The window's count is a saw bounded by ``keep`` and ``2 * keep`` whose mean does
   not move with time, so the fit cannot take a trend for it: a leak stays in the time term. (The
   system's own bounded logs are not modelled so: they fill steadily through the hour, and a fit
   on them took half of a planted leak for theirs.)
2. ``level_line``: the judged window cut into ``LEVEL_BLOCKS`` blocks, each block's level
   (``trimmed_mean``), and a straight line fitted through the levels, with the
   spread of the levels about it as the measured wander. A bounded buffer filling up bends that
   line down (a negative curvature); a leak does not. A series whose late half read "saturating",
   "slowing" or "unclear" is a leak when the line's slope is above the threshold and its
   curvature is not significantly negative against the wander (``DECELERATION_ALPHA``): the
   growth, measured over the whole window, shows no sign of levelling off that the wander does
   not explain.

   The bend is asked of each segment (process lifetime) alone, through its own levels, and the
   series bends where one lifetime does. The wander is not independent from one lifetime to the
   next: every process settles in the same way (its first eighth after the warm-up low, a hump
   mid-window, bench/RESULTS.md), so a curve fitted through the levels of two lifetimes counted
   that one shape twice: the same curvature, a standard error shrunk by the square root of two
   and twice the degrees of freedom. Two leaking hours of a resumed soak so read "bounded" (curvature
   t -2.60 on 12 degrees of freedom) where each hour alone read a leak (t -1.68 on 5). A bounded
   structure fills in every lifetime that starts it empty, so it bends that lifetime's own levels.
   Each lifetime is asked at a share of the 5 % (``lifetime_alpha``): asked at 5 % each, a leak
   linear in k lifetimes read bounded with chance 1 - 0.95^k.
3. A lifetime judged over less than ``BEND_MIN_SPAN_S`` is not asked its bend alone: its blocks are
   shorter than the levels' slow wander, which bends its eight levels whatever the growth (a leak
   linear in eight one-hour lifetimes, each judged 12 minutes after the warm-up, read bounded at
   307 of 400 seeds even with the 5 % shared, bench/RESULTS.md, issue #11). Two or more such
   lifetimes are asked together, as one of the bends the 5 % is shared among: the mean of their
   curvatures against the scatter of those curvatures (``_pooled_bend``), since each lifetime's
   wander is its own and a bound refilled in each lifetime bends every one of them. A single short
   lifetime beside long ones is asked nothing (its bend unknown, never "bent"). The pooled bend
   clears a growth where it bends; where it does not, that is no proof of a leak: with its few
   degrees of freedom a bound refilled in each of eight such lifetimes read straight at 28 of 100
   seeds. So a line judged by short lifetimes alone that does not bend is ``straight_known`` False,
   and ``harness.leaks`` reads it inconclusive ("soak with longer lifetimes"), neither cleared nor a leak.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["BEND_MIN_SPAN_S", "SLOPE_MIN_SPAN_S", "DECELERATION_ALPHA", "after_warmup", "LEVEL_BLOCKS", "LEVEL_TRIM", "LevelLine", "level_line", "lifetime_alpha", "trimmed_mean", "window_taken_out"]

#: blocks of the judged window whose levels the line goes through: eighths, so each quarter the
#: judge reads (``harness.leaks``, point 5) is two levels, and a 1-hour soak's block is ~6.8 min
#: (the history window's saw, ~6 minutes a cycle, mostly averaged out even where not modelled)
LEVEL_BLOCKS = 8
#: one-sided level at which a negative curvature of the levels is a levelling off: 5 %, looser than
#: the judge's 1 % on purpose, so that a bend the wander barely explains still counts as a bound
#: (never a leak on a doubt of that kind)
DECELERATION_ALPHA = 0.05
#: the judged span a lifetime needs for its bend to be asked of its own levels: 30 minutes, blocks of
#: some 4 minutes; a shorter lifetime's blocks are shorter than the levels' slow wander (the history
#: window's saw is ~6 minutes a cycle), its eight levels a few swings of it. Measured on a leak linear
#: in every one-hour lifetime (bench/leak_bend_lifetimes.py, a level every 4 minutes): its lifetimes
#: judged 54, 48 and 36 minutes bent at 7-9 % each at 5 %, those judged 12 minutes (eight lifetimes)
#: at 29 %. The shorter lifetimes are asked together (``_pooled_bend``)
BEND_MIN_SPAN_S = 1800.0
#: the judged span (after its warm-up) a lifetime needs for its slope to be judged at all: 30 minutes.
#: A healthy soak's pymalloc slope (history window modelled out) over the later parts of an
#: uninterrupted hour scattered -17.7..+10.9 MB/h judged over 4 minutes, -9.9..+7.8 over 9, 0.1..6.7
#: over 14 and -1.5..+4.1 over 24 (14 healthy 1-hour soaks, ``bench/leak_slice_slopes.py --slice``
#: 600/900/1200/1800, bench/RESULTS.md, issue #11): under 24 minutes the healthy scatter crosses the
#: 4 MiB/h threshold both ways, so a soak whose every lifetime is shorter gives no leak verdict
#: (``harness.leaks._lifetimes_too_short``). Neither a lower minimum nor the short lifetimes' slopes
#: pooled hold: read as resumed every 30 minutes (lifetimes judged 24) or 20 (14), 15 and 17 of 18
#: healthy 1-hour soaks read "leak", and a real healthy soak resumed every 30 minutes too
#: (``bench/leak_resumed_pooled.py``, bench/RESULTS.md, issue #11)
SLOPE_MIN_SPAN_S = 1800.0
#: fewest samples a block must hold for its level to be read
BLOCK_MIN_SAMPLES = 3
#: the share of a block's (or a quarter's) lowest and of its highest values left out of its level
LEVEL_TRIM = 0.1


@dataclass(frozen=True)
class LevelLine:
    """The straight line (and the curve) through a window's block levels."""

    blocks: int
    slope_per_hour: float          # the line's slope: the growth measured over the whole window
    slope_se_per_hour: float       # its standard error, from the levels' spread about the line
    curvature_per_hour2: float     # the quadratic term of the curve through one lifetime's levels (or the
                                   # short lifetimes' mean): the bend down most significant (docstring, 2-3)
    curvature_t: float             # that curvature over its standard error (negative: bending down)
    wander: float                  # the levels' spread about the line (residual standard deviation)
    dof: int                       # that bend's degrees of freedom (a lifetime's curve's, or the pooled lifetimes')
    lifetimes: int = 1             # the bends asked, among which ``alpha`` is shared: each lifetime long enough
                                   # to be asked alone (``BEND_MIN_SPAN_S``), and the shorter ones pooled as one
    pooled: int = 0                # the lifetimes too short to be asked alone whose curvatures were pooled
    alone: int = 1                 # the lifetimes asked alone: with none, a line that does not bend is no leak
                                   # yet (module docstring, 3)

    @property
    def straight_known(self) -> bool:
        """Whether a line that does not bend may be read as a leak: some lifetime was long enough to
        be asked its bend alone. The pooled bend of short lifetimes can clear a growth (a bound
        refilled in each bends them all) but its few degrees of freedom miss a bound as often as
        not (module docstring, 3)."""
        return self.alone > 0

    def decelerating(self, alpha: float = DECELERATION_ALPHA) -> bool:
        """Whether the levels bend down more than their wander explains: one-sided, ``alpha`` for the
        soak, shared among its lifetimes (``lifetime_alpha``)."""
        from scipy import stats  # here, not at import: a run's path loads no scipy (its import is the slowest part of a start)

        return self.curvature_t < -float(stats.t.ppf(1.0 - lifetime_alpha(alpha, self.lifetimes), self.dof))


def lifetime_alpha(alpha: float, lifetimes: int) -> float:
    """The level at which each of ``lifetimes`` bends is asked so that a series bending in none of
    them reads bent (and its growth bounded) with chance ``alpha`` at most (Sidak's rule: the
    lifetimes' wanders are independent processes).

    Why: the series bends where one lifetime does (module docstring, 2), so each lifetime asked at
    ``alpha`` itself gives a leak that is linear in every lifetime k chances to read bounded, 1 -
    (1 - alpha)^k: synthetic hour-long lifetimes under a slow wander read bent at 32 of 400 seeds
    for one lifetime, 117 for four (bench/RESULTS.md, issue #11). A bounded structure filling 8 MB/h
    for 40 minutes still bends its lifetime's levels past the stricter bound
    (``tests/harness/test_leaks_segments.py``)."""
    return 1.0 - (1.0 - alpha) ** (1.0 / max(lifetimes, 1))


def trimmed_mean(v: np.ndarray) -> float:
    """The mean of ``v`` without its lowest and highest ``LEVEL_TRIM`` share of values: a level
    that a single-sample spike does not move (the median's robustness) and that follows a
    staircase's time-weighted height (a median jumps from one step's level to the next's). The
    leak judge's quarters (``harness.leaks._quarter_gains``) and this module's blocks read it alike."""
    v = np.sort(v)
    cut = int(v.size * LEVEL_TRIM)
    return float(v[cut: v.size - cut].mean())


def after_warmup(t: np.ndarray, g: np.ndarray, warmup_fraction: float) -> np.ndarray:
    """Which samples the judge keeps after the warm-up (``harness.leaks``, point 1), ``t`` and ``g``
    in (segment, time) order: each segment skips ``warmup_fraction`` of the soak's whole span from
    its own start, at least its first sample. ``harness.leaks._judge_series`` and this module read
    the one rule.

    Why the whole span's share, in every segment: a resumed soak's later segment is a new process
    whose resident set settles again after its replay (a simulated soak's resume replays the run
    from t=0), by megabytes over its first minutes, while the history's and the system's bounded
    logs are still filling in a soak's first hours. Ten-minute lifetimes skipping 10 % of their own
    span read that as growth: a healthy 1-hour soak killed every 10 minutes read "leak" through
    pymalloc's bytes (bench/RESULTS.md, issue #11). So a lifetime shorter than the whole span's
    share is not judged at all (a soak of ten or more equal lifetimes: "insufficient data", the
    soak inconclusive), never judged on its settling."""
    keep = np.zeros(t.size, dtype=bool)
    if not t.size:
        return keep
    warmup = warmup_fraction * float(t.max() - t.min())
    for key in np.unique(g):
        idx = np.flatnonzero(g == key)
        tg = t[idx]
        cut = max(1, int(np.searchsorted(tg, tg[0] + warmup, side="left")))
        keep[idx[cut:]] = True
    return keep


def _in_order(t: np.ndarray, y: np.ndarray, g: np.ndarray, *extra: np.ndarray) -> tuple[np.ndarray, ...]:
    finite = np.isfinite(t) & np.isfinite(y)
    for e in extra:
        finite &= np.isfinite(e)
    t, y, g = t[finite], y[finite], g[finite]
    extra = tuple(e[finite] for e in extra)
    order = np.lexsort((t, g))
    return (t[order], y[order], g[order], *(e[order] for e in extra))


def window_taken_out(times_s: np.ndarray, values: np.ndarray, records: np.ndarray | None,
                     groups: np.ndarray | None = None, warmup_fraction: float = 0.1
                 ) -> tuple[np.ndarray, float] | None:
    """``values`` with the history window's entries modelled out (module docstring, 1), and the
    bytes a record the fit gave; None (judge as sampled) where a sample lacks the count, the
    count never moves in the judged window, or the fit gives a record no positive size.

    The result keeps the samples' order and length (a sample without a number stays NaN)."""
    if records is None:
        return None
    t = np.asarray(times_s, dtype=np.float64)
    y = np.asarray(values, dtype=np.float64)
    r = np.asarray(records, dtype=np.float64)
    g = np.zeros(t.size, dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
    if r.shape != t.shape:
        return None
    usable = np.isfinite(t) & np.isfinite(y)
    if not usable.any() or not np.isfinite(r[usable]).all():
        return None
    ts, ys, gs, rs = _in_order(t, y, g, r)
    judged = after_warmup(ts, gs, warmup_fraction)
    ts, ys, gs, rs = ts[judged], ys[judged], gs[judged], rs[judged]
    keys = np.unique(gs)
    if ts.size < keys.size + 3 or float(np.ptp(rs)) <= 0:
        return None
    design = np.column_stack([*(gs == k for k in keys), ts / 3600.0, rs]).astype(np.float64)
    coef = np.linalg.lstsq(design, ys, rcond=None)[0]
    per_record = float(coef[-1])
    if not math.isfinite(per_record) or per_record <= 0:
        return None
    return y - per_record * r, per_record


def level_line(times_s: np.ndarray, values: np.ndarray, groups: np.ndarray | None = None,
               warmup_fraction: float = 0.1, blocks: int = LEVEL_BLOCKS) -> LevelLine | None:
    """The straight line and the curve through the judged window's block levels (module
    docstring, 2): each segment's judged part cut into ``blocks`` blocks of equal time; the line
    with one intercept per segment and a common slope in each segment's own centred hours; the
    curve through each segment's levels alone where the segment is long enough, the shorter
    segments' curvatures pooled (module docstring, 3), the most significant bend down kept. None
    where a block holds too few samples, a segment's curve has fewer than 3 degrees of freedom, or
    the one segment is too short to be asked its bend (``harness.leaks`` asks no line of a window
    under ``MIN_WINDOW_S``, so a lone lifetime it asks is long enough)."""
    t = np.asarray(times_s, dtype=np.float64)
    y = np.asarray(values, dtype=np.float64)
    g = np.zeros(t.size, dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
    t, y, g = _in_order(t, y, g)
    judged = after_warmup(t, g, warmup_fraction)
    t, y, g = t[judged], y[judged], g[judged]
    rows: list[tuple[int, float, float]] = []  # (segment, centred hours, level)
    keys = [int(k) for k in np.unique(g)]
    if not keys:  # every segment shorter than its warm-up
        return None
    spans: dict[int, float] = {}
    for key in keys:
        tg, yg = t[g == key], y[g == key]
        spans[key] = float(tg[-1] - tg[0])
        edges = np.linspace(tg[0], tg[-1], blocks + 1)
        centres, levels = [], []
        for i in range(blocks):
            inside = (tg >= edges[i]) & ((tg < edges[i + 1]) if i < blocks - 1 else (tg <= edges[i + 1]))
            if int(np.count_nonzero(inside)) < BLOCK_MIN_SAMPLES:
                return None
            centres.append(float(tg[inside].mean()) / 3600.0)
            levels.append(trimmed_mean(yg[inside]))
        mid = float(np.mean(centres))
        rows += [(key, c - mid, lv) for c, lv in zip(centres, levels)]
    seg = np.array([r[0] for r in rows])
    x = np.array([r[1] for r in rows])
    lv = np.array([r[2] for r in rows])
    dummies = [(seg == k).astype(np.float64) for k in keys]
    dof = blocks - 3
    if dof < 3:
        return None
    line = np.column_stack([*dummies, x])
    slope, slope_se, wander = _coefficient(line, lv, -1)
    alone = [_bend(x[seg == k], lv[seg == k]) + (dof,) for k in keys if spans[k] >= BEND_MIN_SPAN_S]
    short = [_bend(x[seg == k], lv[seg == k])[0] for k in keys if spans[k] < BEND_MIN_SPAN_S]
    asked = alone + ([_pooled_bend(short)] if len(short) >= 2 else [])
    if not asked:  # one lifetime, too short to be asked a bend: no line to judge by
        return None
    curvature, curvature_t, bend_dof = min(asked, key=_one_sided_p)
    return LevelLine(lv.size, slope, slope_se, curvature, curvature_t, wander, bend_dof, len(asked),
                     len(short) if len(short) >= 2 else 0, len(alone))


def _bend(x: np.ndarray, levels: np.ndarray) -> tuple[float, float]:
    """The curvature of the quadratic through one lifetime's levels and its t (module docstring, 2)."""
    curve = np.column_stack([np.ones_like(x), x, x * x])
    curvature, curvature_se, _ = _coefficient(curve, levels, -1)
    curvature_t = curvature / curvature_se if curvature_se > 0 else (-math.inf if curvature < 0 else math.inf)
    return curvature, curvature_t


def _pooled_bend(curvatures: list[float]) -> tuple[float, float, int]:
    """The mean of the short lifetimes' curvatures, its t against their spread, and its degrees of
    freedom (module docstring, 3).

    Why their spread and not each lifetime's own: a lifetime judged over less than
    ``BEND_MIN_SPAN_S`` has blocks shorter than the levels' slow wander, so its eight levels lie on
    the wander's few swings and their spread about its curve understates what bends them: a leak
    linear in eight one-hour lifetimes (12 judged minutes each) bent one lifetime in 3.4 at 5 %
    (bench/leak_bend_lifetimes.py). The lifetimes' wanders are independent, so the scatter of
    their curvatures measures the wander's bend whatever its time; a bound refilled in every
    lifetime bends them all alike, and their mean stands out of that scatter."""
    c = np.asarray(curvatures, dtype=np.float64)
    mean = float(c.mean())
    se = float(c.std(ddof=1)) / math.sqrt(c.size)
    t = mean / se if se > 0 else (-math.inf if mean < 0 else math.inf)
    return mean, t, c.size - 1


def _one_sided_p(bend: tuple[float, float, int]) -> float:
    """How likely a bend down at least this steep is from the wander alone: the bends asked at
    different degrees of freedom are compared by it, the most significant kept."""
    from scipy import stats  # here, not at import (``LevelLine.decelerating`` says why)

    return float(stats.t.cdf(bend[1], bend[2]))


def _coefficient(design: np.ndarray, y: np.ndarray, k: int) -> tuple[float, float, float]:
    """Least squares: coefficient ``k``, its standard error and the residuals' standard deviation."""
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    resid = y - design @ coef
    dof = y.size - design.shape[1]
    s2 = float(resid @ resid) / dof
    cov = s2 * np.linalg.pinv(design.T @ design)
    return float(coef[k]), math.sqrt(max(float(cov[k, k]), 0.0)), math.sqrt(s2)
