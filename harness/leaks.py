"""Leak detection: sample what a run holds, fit the trend, judge it against a threshold.

What is sampled (``ResourceSampler.sample``): the process's resident memory, thread count and
open file descriptors (psutil), and the system under test's own books (``ResourceManager``: live
allocations and global usage per resource type). Samples are stamped with the *system's clock*,
so slopes are "per hour of operation": per simulated hour on the simulated device (where an 8 h
soak takes minutes) and per wall hour on real devices.

How a slope is judged (``judge``), and why:

1. **Warm-up is skipped**: the first ``warmup_fraction`` (10 %) of the time span, at least one
   sample. Caches, pools and the allocator grow early and then stop; that is not a leak. Each
   segment of a resumed soak (a process lifetime) skips that share of the whole span from its own
   start (``harness.leak_levels.after_warmup`` says why), unless the caller reads its replayed
   lifetimes as one series (point 9).
2. **Theil-Sen slope** (the median of all pairwise slopes): robust to the odd spike (a recovery
   that briefly holds two streams, a GC that has not run yet) and to a single step, which
   least squares would turn into a trend.
3. **Mann-Kendall test** for a monotonic upward trend (normal approximation with the tie
   correction): the slope must be *significant* (one-sided p < ``alpha``), not just positive.
4. Growth over the window means: the slope is significant **and** above the metric's threshold
   per hour **and** the fitted trend adds up to at least ``MIN_GROWTH`` over the window (3 for
   counts): in a short run a single step looks like a steep slope; three steps are a trend. (Over
   a window of ``MIN_WINDOW_S`` or more the growth is reckoned over the whole window, warm-up
   included, ``_growth_span``: sized to the threshold's hour, ``MIN_GROWTH`` asked of a 1-h soak's
   judged 54 minutes passed a steady slope up to 1.11 times the threshold as a "step".) A
   growth carried by **one jump** is a step too (``_one_step``): the largest rise between two
   samples, if it stands out from the series' other rises (``JUMP_SPREADS`` robust spreads above
   the steady growth's rise over its interval), is taken out, and what is left judged by the same
   threshold and ``MIN_GROWTH``. A steady ramp under noise has no such rise (its largest is the
   noise's): it is judged as growth. The jump must also stay (``_persists``: a one-sample spike up
   and back down is not one) and carry at least ``ONE_JUMP_SHARE`` (half) of the trend's growth: a
   resident set rises in steps of a megabyte or two, each of which stands out from the flat
   samples around it, and the largest of a staircase's several steps is not "one jump". The
   ordinary least-squares slope and its 95 % interval are reported too, as the "least squares per
   hour" figure people expect, but do not decide.
5. **Bounded growth is not a leak.** A bounded buffer filling up (an error log of 10 000
   records, a history window, an allocator's arenas) grows for a while and then flattens; a leak
   keeps growing. So growth over the window is judged again on the **late half** of the window
   (after warm-up), and that half on its two quarters:

   - the late half's slope is at or under the threshold: **saturating** (bounded growth that
     has levelled off): verdict ``ok``;
   - the late half grows above the threshold, significantly, and its last quarter grows about as
     fast as its third: **growing** - no sign of a
     bound: verdict ``leak``. Linear growth, and linear growth after a saturating start, are
     leaks;
   - the late half grows above the threshold but its last quarter clearly slower than its third
     (the last quarter's upper bound under ``SLOWING_RATIO`` (3/4) of the third's lower bound,
     and the rise of its level over the third's (``_quarter_gains``: trimmed means) under 3/4 of the
     third's over the second's): **slowing** - a buffer still filling or a leak, this window
     cannot tell: verdict ``inconclusive`` (run longer). The levels are asked too because the RSS
     moves in steps: a last quarter holding one step and a long plateau has the plateau's slope,
     while its level rose as fast as ever (a planted 5 MB/h leak read "slowing" so);
   - the late half's growth above the threshold is not significant, or it has too few samples:
     verdict ``inconclusive``.

   A window shorter than ``MIN_WINDOW_S`` (50 min of operation) calls steady growth a leak
   only when it is **clearly unbounded**: a late slope of at least ``UNBOUNDED_FACTOR`` (64) times
   the threshold (for RSS 256 MiB/h). Slower steady growth in a short window is what a healthy
   system's bounded buffers do while they fill (measured: the default profile's first 10 minutes
   grow ~55 MiB/h, its 1 h soaks 3-4 MiB/h over the window): verdict ``inconclusive``, "soak
   longer", never a guess either way.

   ``shape`` names what was seen: ``flat``, ``small`` (significant growth under the threshold),
   ``step``, ``saturating``, ``growing``, ``slowing``, ``unclear`` or ``unknown`` (too little
   data). ``verdict`` says what it means: ``ok``, ``leak``, ``inconclusive`` or
   ``insufficient_data``.

6. **A bounded log filling is taken out, by name.** The system's bounded logs (its error and
   transition logs: 10 000 records each, ~6 500 errors a simulated hour under the default
   faults) fill for the first hours of a soak and then hold steady; in a 1-hour soak that is
   most of the RSS growth a healthy system shows, on the threshold's edge. A system that reports
   its bounded logs (``bounded_logs()``: records, bound, a lower bound of their bytes,
   ``system_under_test.held``) has those bytes sampled (``sut_log_bytes``) and subtracted from
   the RSS before it is judged (``held``); the verdict says how many. The bytes are a lower
   bound, so a leak is never hidden behind a log: at most some of the log's growth stays in
   (the error log counts the strings and numbers made for each error too, ~91 % of what
   tracemalloc traces for its records, ``held.error_record_leaf_bytes``).
   The harness's own bounded buffer is taken out by the same rule: a soak's history keeps a
   window of its newest entries in memory (``History.bounded_logs``: 5 000 to 10 000, filling
   for over an hour on a real device), sampled as ``harness_log_bytes``, its peak (the memory a
   window cut back frees is reused by the next entries, so the RSS follows the peak) of a lower
   bound of the bytes made for each entry. The fault injector's newest firings
   (``FaultInjector.bounded_logs``: 1 000 records, filling for about an hour under the default
   profile) are sampled by the same rule as ``faults_log_bytes``; the harness's bounded working
   sets in the soak's process (``harness.held_caches``: the listening check's memos of arrays, the
   live health check's window of transitions, ~0.4 and ~0.1 MB/h while they fill) as
   ``caches_log_bytes``; ``held`` is the sum of the four.

7. **The allocators are asked beside the RSS.** A resident set moves by what the heap
   keeps free as much as by what is live: glibc keeps freed chunks resident and takes new memory
   in pieces of a megabyte or two, so a leak a little over the threshold rises in steps whose
   quarter-hour levels differ run to run (a planted 5 MB/h leak read "slowing" at one seed and
   "leak" at another run of it, its heap's free bytes moving the RSS by -1.2..+3.7 MB a quarter,
   bench/RESULTS.md, issue #11). The C allocator's bytes in use (``malloc_in_use_bytes``,
   ``harness.allocator``: glibc's ``mallinfo2``, sampled on the simulated device, where the system
   runs in the harness's process) do not step. Where the RSS grew above the threshold over the
   window but read ``step``, ``saturating``, ``slowing`` or ``unclear`` (``ASK_ALLOCATOR_SHAPES``),
   the bytes in use are judged by points 1-5 with the RSS's threshold and ``MIN_GROWTH``; if they
   say ``leak`` (steady growth above the threshold late in a long enough window, not slowing),
   the verdict is ``leak``, ``growing``. Anything else leaves the RSS's verdict as it was.

   Why it cannot add a false alarm on a healthy soak: both must grow, the RSS significantly
   above the threshold over the window and the bytes in use by the whole "growing" rule; a healthy
   process's bytes in use settle (+0.73, +0.40, +0.23 MB a quarter at seed 1; 1.7-2.2 MB/h over a
   1-h soak's window at five seeds, against the 4 MiB/h threshold), and a bounded buffer still
   filling slows in them without the RSS's steps to blur it ("slowing", not "leak").
   The C allocator counts only what ``malloc`` handed out: CPython's small objects live in arenas
   CPython maps itself, so their bytes in use are a series of their own (``pymalloc_in_use_bytes``,
   ``harness.allocator``: the bytes in pymalloc's allocated blocks, from CPython's allocator
   statistics), judged as sampled (the bounded logs' bytes are not taken out of it: they are not all
   pymalloc's, and taken out they hid most of a planted small-object leak). Where the RSS is asked
   about as above, either allocator's ``leak`` makes it a leak (a planted 5 MB/h leak of small
   objects read "ok, saturating" on the RSS alone and beside malloc's bytes in use, bench/RESULTS.md).
   pymalloc's series wanders by live objects (megabytes a quarter hour, most of it the soak's own
   history window, a saw of entries), so it is judged through that wander (``judge_pymalloc``,
   ``harness.leak_levels``): the window's entries are modelled out by a fit where the samples count
   them (``harness_log_records``), and a growth above the threshold whose late half read
   ``saturating``, ``slowing`` or ``unclear`` is a leak when the straight line through the window's
   eight levels (each segment's) rises above the threshold and no segment's levels bend down more
   than their wander explains (a process settles in with the same shape each lifetime: asked of
   the segments together, that shape counted once a segment)
   (a planted 5 MB/h small-object leak read "saturating" by its late half at seed 2, bench/RESULTS.md).
   pymalloc's bytes are asked so beside an RSS that grew significantly under the threshold
   (``small``) too: the resident set sees small objects through the memory the heaps keep free, and
   read such a leak at 4.172e6 B/h, under the threshold, at seed 3.

   **Where the RSS alone says "leak"**, and both allocators were sampled for every sample, the
   two series, their sum (``allocators_in_use_bytes``: a leak shared between them, under the
   threshold in each; judged with the bounded logs' bytes taken out, as the RSS is, since their
   records live in the allocators: ``_allocators_sum``) and the RSS beyond them (``beyond_allocators_bytes``, the RSS less the sum:
   memory mapped past both allocators, a C extension's own mappings, is a leak of its own) are
   judged by the same rule; if none of the four says ``leak``, the verdict is ``inconclusive``
   (shape as the RSS's), with the reason: what grew is the allocators' bytes, read through the
   steps of the free memory the heaps keep resident (a bounded buffer still filling reads "leak" on
   the RSS's steps, bench/RESULTS.md, issue #11), no leak by their own series and yet not to be
   cleared. Never ``ok``: the RSS did grow. Any one of the four saying ``leak`` keeps the
   leak (a small-object leak beside a malloc'd buffer filling: the buffer's bytes slow, pymalloc's
   grow), and with only one allocator sampled the RSS's "leak" stands (the leak may be in the
   other). Without either series (not glibc, a real device, a journal from before they were
   sampled) the RSS is judged alone, and a verdict the allocator would have been asked about says
   so (``allocator``: ``not_sampled``).

   Beside an RSS read ``ok`` that the allocators were asked about (``step``, ``saturating``), an
   allocator whose own series reads ``inconclusive`` makes the verdict ``inconclusive``, naming it:
   the RSS's steps cannot clear what the allocator's series cannot decide (a line of short lifetimes
   only, ``harness.leak_levels``, point 3, read so and was dropped beside a saturating RSS).

8. **Lifetimes too short to judge a slope give no verdict.** Each lifetime of a resumed soak is
   fitted on its own, and a healthy process's slope over minutes scatters by more than the threshold
   both ways. Where a soak ran as two or more lifetimes adding up to ``MIN_WINDOW_S`` or more (a
   shorter soak keeps point 5's short-window rules, as an uninterrupted one) and none is judged over
   ``harness.leak_levels.SLOPE_MIN_SPAN_S`` (30 min) after its warm-up, the RSS's verdict is
   ``inconclusive``, naming the longest lifetime's judged span and the minimum (a growth clearly
   unbounded, point 5, stays a leak). A soak resumed every 10 minutes failed healthy and passed a
   planted 5 MB/h small-object leak before (bench/RESULTS.md, issue #11). The lifetimes' slopes
   pooled (one level offset a lifetime, as ``theil_sen`` pairs them) are no way out: healthy 1-hour
   soaks read as resumed every 30 or 20 minutes read "leak" so at 15 and 17 of 18 seeds, a process's
   first half hour climbing faster than the threshold (``bench/leak_resumed_pooled.py``). Where every
   lifetime lies inside the warm-up it skips (10 % of the whole span: an 8-hour soak resumed every 30
   minutes), no sample is judged, and the reason says so (``INSIDE_WARMUP``): resume less often, since
   a longer soak only lengthens the warm-up.

9. **Replayed lifetimes are one series.** Points 1 and 8 read each lifetime apart; where the caller
   gives the soak's resumes (``lifetimes``, ``harness.leak_lifetimes``) and every one replayed the
   run from its start with a matching digest (the simulated device), the lifetimes' levels carry on
   from each other, so their samples are judged as one series, as an uninterrupted soak's (its
   warm-up once, at its start), with each resumed lifetime's first ``REPLAY_SETTLE_S`` (5 min, the
   replay's settling) left out; point 8 does not apply. A resume that continued on a real device,
   a replay not verified, resumed lifetimes none of which outlasts the settling (nothing of theirs
   to read: resume less often), a soak under ``ONE_SERIES_MIN_SPAN_S`` (2 hours, where a healthy
   process's growth is still at the threshold's edge) or a resume whose level step is over
   ``STEP_WANDER_FACTOR`` times the series' own wander (a replayed process that does not stand where
   the last one ended) keep points 1 and 8, and the reason says which rule judged and why
   (``lifetimes_rule``). Why: a lifetime's own warm-up is a share of the whole span, so an 8-hour
   soak resumed every 30 minutes judged no sample at all (bench/RESULTS.md, issue #11). The report
   reads a soak's lifetimes so (``harness.reports.build`` gives the journal's resumes) and names
   the rule beside each verdict.

Thresholds (per hour of operation) are in ``DEFAULT_THRESHOLDS``; a metric without one is
judged against 0 (any significant growth of a count is a leak).
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import asdict, dataclass, replace
from statistics import NormalDist
from typing import Any

import numpy as np

from .allocator import arena_bytes, in_use_bytes, pymalloc_in_use_bytes
from .durations import format_duration
from .leak_lifetimes import (LevelStep, LifetimesRule, level_steps, past_replay_settling, settled_too_briefly,
                             step_too_large, steps_within, too_short_for_one_series)
from .leak_levels import LEVEL_TRIM, SLOPE_MIN_SPAN_S, after_warmup, level_line, window_taken_out  # noqa: F401  (LEVEL_TRIM: the quarters' trim, read here)
from .leak_levels import trimmed_mean as _trimmed_mean
from .rss_parts import rss_parts

__all__ = ["ALLOCATORS_SUM_METRIC", "ARENA_METRIC", "BEYOND_ALLOCATORS_METRIC", "ALLOCATOR_METRIC", "ASK_ALLOCATOR_SHAPES", "PYMALLOC_METRIC", "DEFAULT_THRESHOLDS", "INSIDE_WARMUP", "LeakVerdict", "ResourceSampler", "judge", "judge_all", "judge_pymalloc",
           "log_books", "mann_kendall_p", "sen_interval", "system_books", "theil_sen"]

MiB = 1024 * 1024

#: growth per hour of operation above which a significant trend is a leak
DEFAULT_THRESHOLDS: dict[str, float] = {
    "rss_bytes": 4 * MiB,
    "threads": 0.5,
    "open_fds": 0.5,
    "sut_live_allocations": 0.5,
    "sut_buffers": 0.5,
    "sut_frames": 1024.0,
    "sut_streams": 0.5,
    "sut_threads": 0.5,
    "sut_bytes": 256 * 1024.0,
    "malloc_in_use_bytes": 4 * MiB,  # the RSS's: it is judged in the RSS's place (point 7)
    "pymalloc_in_use_bytes": 4 * MiB,
    "allocators_in_use_bytes": 4 * MiB,
    "beyond_allocators_bytes": 4 * MiB,
}
#: the C allocator's bytes in use (``harness.allocator``), judged beside ``rss_bytes`` (point 7)
ALLOCATOR_METRIC = "malloc_in_use_bytes"
#: CPython's object allocator's bytes in use (pymalloc, ``harness.allocator``), judged beside
#: ``rss_bytes`` with the C allocator's (point 7)
PYMALLOC_METRIC = "pymalloc_in_use_bytes"
#: the bytes glibc's heaps hold from the system (``harness.allocator.arena_bytes``), sampled beside
#: the bytes in use to tell fragmentation from live growth; reported, never judged
ARENA_METRIC = "malloc_arena_bytes"
#: the two allocators' bytes in use summed, judged before a "leak" of the RSS is doubted (point 7):
#: a leak shared between them, under the threshold in each, shows in the sum
ALLOCATORS_SUM_METRIC = "allocators_in_use_bytes"
#: the RSS less both allocators' bytes in use, judged with them (point 7): memory mapped past the
#: allocators (a leak of its own) or free memory the heaps keep resident
BEYOND_ALLOCATORS_METRIC = "beyond_allocators_bytes"
#: the RSS's shapes that grew above the threshold over the window and yet did not say "leak": the
#: ones the allocator's bytes in use are asked about (point 7)
ASK_ALLOCATOR_SHAPES = frozenset({"step", "saturating", "slowing", "unclear"})
#: growth is "slowing" (inconclusive) when the window's last quarter grows clearly slower than this
#: fraction of its third quarter (Sen's intervals): a buffer filling up decelerates; a leak under
#: the tail of a warm-up slows by less (by ~10 % where the warm-up's tail still shows, seen on synthetic series)
SLOWING_RATIO = 0.75
#: below this much operation, steady growth is a leak only if it is clearly unbounded (below);
#: 50 min, so that a 1 h soak (sampled from its first chunk) qualifies and a 30 min one does not
MIN_WINDOW_S = 3000.0
#: below this much operation nothing is called a leak, however steep: an interrupted soak of 30
#: simulated seconds on a loaded machine was (its process still settling in: exit 1 for exit 3)
MIN_LEAK_WINDOW_S = 60.0
#: "clearly unbounded" in a short window: a late slope at least this many times the threshold
UNBOUNDED_FACTOR = 64.0
#: a trend must explain at least this much growth over the fitted window: one step (a pool that
#: grew once, a thread started late) is not a leak, however steep it looks in a short run
MIN_GROWTH: dict[str, float] = {"rss_bytes": 4 * MiB, "malloc_in_use_bytes": 4 * MiB,
                                 "pymalloc_in_use_bytes": 4 * MiB, "allocators_in_use_bytes": 4 * MiB,
                                 "beyond_allocators_bytes": 4 * MiB, "sut_bytes": 64 * 1024.0,
                                 "sut_frames": 4096.0}
DEFAULT_MIN_GROWTH = 3.0
#: a rise between two samples is one jump only this many robust spreads of the series' other
#: rises above its steady growth (``_stands_out``): the largest of thousands of Gaussian rises is
#: some 3.5 spreads, so 6 leaves a margin for noise that is not quite Gaussian
JUMP_SPREADS = 6.0
#: the largest rises tried, in turn, for the one that stays (``_persists``), and the samples on
#: each side whose medians tell whether it stays
JUMP_CANDIDATES = 16
JUMP_LEVEL_SAMPLES = 15
#: one jump is a step only if it carries at least this share of the trend's growth over the
#: window (``_one_step``): the largest of a staircase's several steps carries less
ONE_JUMP_SHARE = 0.5
UNITS = {"rss_bytes": "bytes", "malloc_in_use_bytes": "bytes", "pymalloc_in_use_bytes": "bytes",
         "allocators_in_use_bytes": "bytes", "beyond_allocators_bytes": "bytes", "sut_bytes": "bytes", "sut_frames": "frames"}
_MAX_POINTS = 1500  # O(n^2) pairwise statistics; longer series are thinned evenly
_PART_POINTS = 600  # the same for each half of the window judged again (quarters: half as many)


@dataclass(frozen=True)
class LeakVerdict:
    metric: str
    samples: int
    used_samples: int
    warmup_s: float
    slope_per_hour: float | None       # Theil-Sen, the figure that decides
    ols_slope_per_hour: float | None   # least squares, reported
    ols_ci95_per_hour: tuple[float, float] | None
    p_value: float | None              # Mann-Kendall, one-sided (increasing)
    threshold_per_hour: float
    first: float | None
    last: float | None
    verdict: str                       # "leak" | "ok" | "inconclusive" | "insufficient_data"
    reason: str
    unit: str = "count"
    #: what the series looked like: flat | small | step | saturating | growing | slowing | unclear | unknown
    shape: str = "unknown"
    early_slope_per_hour: float | None = None  # Theil-Sen over the early half of the judged window
    late_slope_per_hour: float | None = None   # ... and over the late half, which decides a growth
    late_ci_per_hour: tuple[float, float] | None = None  # Sen's interval of the late slope
    #: bytes the system's bounded logs held at the first and last judged sample, subtracted
    #: from the series before it was judged (docstring, point 6); None where nothing was
    held_first: float | None = None
    held_last: float | None = None
    #: the C allocator's part in an ``rss_bytes`` verdict (docstring, point 7): ``not_sampled`` (no
    #: bytes in use for every sample: judged by the RSS alone), ``not_asked`` (the RSS decided:
    #: "leak", or no growth above the threshold), ``asked`` (its verdict below); None for other metrics
    allocator: str | None = None
    allocator_verdict: str | None = None       # the bytes in use's own verdict, where asked
    allocator_shape: str | None = None
    allocator_slope_per_hour: float | None = None
    allocator_late_slope_per_hour: float | None = None
    #: pymalloc's bytes in use (CPython's small objects, as sampled) judged
    #: where the allocators were asked, and the two allocators' sum where the RSS alone said "leak"
    pymalloc_verdict: str | None = None
    pymalloc_shape: str | None = None
    pymalloc_slope_per_hour: float | None = None
    pymalloc_late_slope_per_hour: float | None = None
    allocators_sum_verdict: str | None = None
    allocators_sum_shape: str | None = None
    beyond_allocators_verdict: str | None = None  # the RSS less both allocators' bytes, where the sum was judged
    #: the bytes an entry of the soak's history window held by the fit that took the window out of
    #: pymalloc's series before it was judged (``harness.leak_levels``); None where it was judged as sampled
    pymalloc_window_bytes_per_record: float | None = None
    #: how a resumed soak's lifetimes were read (``harness.leak_lifetimes``): ``one_series`` (every
    #: resume replayed) or ``apart``; None where there was one lifetime or the caller gave no rule
    lifetimes_rule: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["ols_ci95_per_hour"] = list(self.ols_ci95_per_hour) if self.ols_ci95_per_hour else None
        d["late_ci_per_hour"] = [_clean(v) for v in self.late_ci_per_hour] if self.late_ci_per_hour else None
        return {k: (_clean(v) if isinstance(v, float) else v) for k, v in d.items()}

    @property
    def leak(self) -> bool:
        return self.verdict == "leak"

    @property
    def inconclusive(self) -> bool:
        return self.verdict == "inconclusive"


def _clean(v: float) -> float | None:
    return v if math.isfinite(v) else None


def _pair_slopes(t: np.ndarray, y: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """``(y[j] - y[i]) / (t[j] - t[i])`` of every pair ``i < j`` of the same group with
    ``t[j] > t[i]``, in no particular order (their median and their sorted ranks are what is read).

    Row by row, into one array: the pairs' index arrays, their gathers and masks (``np.triu_indices``
    of the ~1.1 million pairs of ``_MAX_POINTS`` samples) were ~80 MB at once and made a 1-hour
    soak's peak RSS while its report was built (bench/RESULTS.md, issue #17). Each slope is the
    same two float64 operations on the same numbers as before."""
    out = np.empty(t.size * (t.size - 1) // 2)
    k = 0
    for key in np.unique(groups):
        idx = np.flatnonzero(groups == key)
        tt, yy = t[idx], y[idx]
        for r in range(tt.size - 1):
            dt = tt[r + 1:] - tt[r]
            ok = dt > 0
            m = int(np.count_nonzero(ok))
            if m:
                np.divide((yy[r + 1:] - yy[r])[ok], dt[ok], out=out[k: k + m])
                k += m
    return out[:k]


def theil_sen(t: np.ndarray, y: np.ndarray, groups: np.ndarray | None = None) -> float:
    """Median of the pairwise slopes (pairs with equal t, or in different groups, are skipped)."""
    g = np.zeros(t.size, dtype=np.int64) if groups is None else groups
    slopes = _pair_slopes(t, y, g)
    if not slopes.size:
        return float("nan")
    return float(np.median(slopes, overwrite_input=True))  # its own array: partitioned in place, not copied


def _mk_s_var(y: np.ndarray, g: np.ndarray) -> tuple[float, float]:
    """Mann-Kendall S and its variance (tie-corrected), summed over the groups. S is summed row by
    row (``_pair_slopes`` says why): a sum of signs, whole numbers, the same in any order."""
    s = 0.0
    var = 0.0
    for key in np.unique(g):
        yy = y[g == key]
        n = yy.size
        if n < 2:
            continue
        s += float(sum(np.sign(yy[r + 1:] - yy[r]).sum() for r in range(n - 1)))
        _, counts = np.unique(yy, return_counts=True)
        var += (n * (n - 1) * (2 * n + 5) - float(np.sum(counts * (counts - 1) * (2 * counts + 5)))) / 18.0
    return s, var


def mann_kendall_p(y: np.ndarray, groups: np.ndarray | None = None) -> float:
    """One-sided p-value of the (seasonal/grouped) Mann-Kendall test for an increasing trend.

    With ``groups``, S and its variance are summed over the groups (each group in time order).
    """
    g = np.zeros(y.size, dtype=np.int64) if groups is None else groups
    s, var = _mk_s_var(y, g)
    if var <= 0:
        return 1.0  # constant series: no trend
    z = (s - 1) / math.sqrt(var) if s > 0 else (s + 1) / math.sqrt(var) if s < 0 else 0.0
    return 0.5 * math.erfc(z / math.sqrt(2))


def sen_interval(t: np.ndarray, y: np.ndarray, groups: np.ndarray | None = None, *,
                 alpha: float = 0.01) -> tuple[float, float]:
    """Sen's distribution-free interval for the Theil-Sen slope: each bound holds with confidence
    ``1 - alpha`` (ranks of the pairwise slopes, spread from the Mann-Kendall variance)."""
    g = np.zeros(t.size, dtype=np.int64) if groups is None else groups
    slopes = _pair_slopes(t, y, g)
    if not slopes.size:
        return float("nan"), float("nan")
    slopes.sort()
    n = slopes.size
    _, var = _mk_s_var(y, g)
    c = NormalDist().inv_cdf(1 - alpha) * math.sqrt(max(var, 0.0))
    lo = int(math.floor((n - c) / 2))
    hi = int(math.ceil((n + c) / 2))
    return float(slopes[min(max(lo, 0), n - 1)]), float(slopes[min(max(hi, 0), n - 1)])


@dataclass(frozen=True)
class _Trend:
    """Theil-Sen slope (per hour), Mann-Kendall p, Sen's interval and span of one part of a series."""

    n: int
    span_s: float
    slope_h: float
    p: float
    ci_h: tuple[float, float]


def _part(t: np.ndarray, y: np.ndarray, g: np.ndarray, lo: float, hi: float, alpha: float,
          max_points: int) -> _Trend:
    """The trend of the samples between fractions ``lo`` and ``hi`` of each group's time span."""
    mask = np.zeros(t.size, dtype=bool)
    for key in np.unique(g):
        idx = np.flatnonzero(g == key)
        t0, t1 = t[idx[0]], t[idx[-1]]
        a, b = t0 + lo * (t1 - t0), t0 + hi * (t1 - t0)
        mask[idx] = (t[idx] >= a) & (t[idx] <= b)
    tt, yy, gg = t[mask], y[mask], g[mask]
    if tt.size > max_points:
        k = np.linspace(0, tt.size - 1, max_points).round().astype(int)
        tt, yy, gg = tt[k], yy[k], gg[k]
    span = _span_by_group(tt, gg)
    if tt.size < 2 or span <= 0:
        return _Trend(int(tt.size), span, float("nan"), 1.0, (float("nan"), float("nan")))
    lo_ci, hi_ci = sen_interval(tt, yy, gg, alpha=alpha)
    return _Trend(int(tt.size), span, theil_sen(tt, yy, gg) * 3600.0, mann_kendall_p(yy, gg),
                  (lo_ci * 3600.0, hi_ci * 3600.0))


def _one_step(t: np.ndarray, y: np.ndarray, g: np.ndarray, thr: float, need: float,
              growth: float | None = None, over_s: float | None = None) -> bool:
    """Whether the growth is one jump: the largest rise between two consecutive samples of a
    group that stays (``_persists``: a spike up and back down is not a jump) stands out from the
    series' other rises (``_stands_out``), and with it taken out (everything after it lowered by it) the trend is at most ``thr`` per hour or adds up to less
    than ``need``. Of equal largest rises that stay, each in turn must (``_taken_out_leaves_no_growth``
    says why). Such a jump is one allocation that stays (a buffer or a pool grown once),
    whatever its size: the 90 s simulated soak of seed 1 shows one (its RSS slope of 2.5e8
    bytes/h is carried by it).

    Why the jump must stand out: a steady ramp under noise has a largest rise too, the noise's
    largest (some 3-4 times its spread between two samples of thousands), and taking that out
    lowers everything after it. On a ramp whose growth over the window is near ``need`` that was
    enough to call a steady 5 MB/h rise "one jump" and pass it (bench/RESULTS.md, issue #11).

    Why the jump must also carry at least ``ONE_JUMP_SHARE`` of the trend's ``growth`` over the
    window: a process's resident set rises in steps (the allocator takes a new piece of a megabyte
    or two when what is live outgrows what it holds) and is flat between them, so every step
    stands out from the flat samples around it. A leak a little over the threshold rises by a few
    such steps an hour; taking its largest out leaves a little under the threshold, and the leak
    read "one jump" (a staircase at 5 MB/h, ``bench/leak_judge_noise.py``). One jump among several
    alike is a staircase, not a step. The share is asked only of a window of ``MIN_WINDOW_S`` or
    more, the only one in which steady growth under ``UNBOUNDED_FACTOR`` times the threshold can
    be judged a leak: in a shorter one it could only turn "ok, step" into "inconclusive", and a
    healthy 10-minute soak's warm-up (the allocator's first steps, several alike) read so at 2 of 8
    seeds (bench/RESULTS.md, issue #11)."""
    if t.size < 3:
        return False
    same = g[1:] == g[:-1]
    rises = np.where(same, np.diff(y), -np.inf)
    k = next((int(c) for c in np.argsort(rises, kind="stable")[::-1][:JUMP_CANDIDATES]
              if np.isfinite(rises[c]) and rises[c] > 0 and _persists(y, g, int(c), rises[c])), None)
    if k is None:
        return False
    span = _span_by_group(t, g)
    over_s = span if over_s is None else over_s  # what the growth is reckoned over (``_growth_span``)
    if growth is None:  # the trend's growth over the window, when the caller has not fitted it
        growth = theil_sen(t, y, g) * over_s
    if span >= MIN_WINDOW_S and rises[k] < ONE_JUMP_SHARE * growth:
        return False
    tied = [int(c) for c in np.flatnonzero(rises == rises[k]) if c == k or _persists(y, g, int(c), rises[c])]
    return all(_taken_out_leaves_no_growth(t, y, g, rises, same, c, thr, need, over_s) for c in tied)


def _taken_out_leaves_no_growth(t: np.ndarray, y: np.ndarray, g: np.ndarray, rises: np.ndarray,
                                same: np.ndarray, k: int, thr: float, need: float, over_s: float) -> bool:
    """Whether rise ``k`` stands out (``_stands_out``) and, taken out (everything after it in its
    group lowered by it), leaves a trend of at most ``thr`` per hour or one that adds up to less
    than ``need`` over ``over_s`` seconds (what the growth is reckoned over, ``_growth_span``).

    ``_one_step`` asks it of every rise that stays among those equal to the largest: which of
    two equal rises is "the" jump is not in the series, and taking out one or the other lowers
    different samples, so the trend left differs (a seeded search found a series read "one jump"
    with the earlier of two equal rises taken out and not with the later: MUTATION.md, the
    ``_one_step`` 24 and 26 row). The growth is one jump only if it is so whichever is taken out:
    an answer that hangs on the order a sort leaves equal values in would pass growth as a step
    by chance."""
    if not _stands_out(np.diff(t), rises, same, k):
        return False
    adj = y.astype(np.float64).copy()
    after = np.zeros(t.size, dtype=bool)
    after[k + 1:] = g[k + 1:] == g[k]
    adj[after] -= rises[k]
    slope_h = theil_sen(t, adj, g) * 3600.0
    return not (slope_h > thr and slope_h * over_s / 3600.0 >= need)


def _persists(y: np.ndarray, g: np.ndarray, k: int, rise: float) -> bool:
    """Whether the rise between samples ``k`` and ``k + 1`` stays: the median of the (up to)
    ``JUMP_LEVEL_SAMPLES`` samples from ``k + 1`` on stands at least half the rise above the
    median of those up to ``k`` (within ``k``'s group). A spike up and back down (a page-cache or
    an arena event, one sample high) is a rise that does not stay: taken out as a jump, it lowered
    everything after it by its height and passed a steady leak as a "step"
    (``bench/leak_judge_noise.py``: a 5 MB/h ramp under such spikes, 7 of 10 seeds)."""
    idx = np.flatnonzero(g == g[k])
    lo, hi = int(idx[0]), int(idx[-1]) + 1
    before = y[max(lo, k + 1 - JUMP_LEVEL_SAMPLES): k + 1]
    after = y[k + 1: min(hi, k + 1 + JUMP_LEVEL_SAMPLES)]
    return bool(after.size and float(np.median(after)) - float(np.median(before)) >= 0.5 * rise)


def _stands_out(dt: np.ndarray, rises: np.ndarray, same: np.ndarray, k: int) -> bool:
    """Whether rise ``k`` is more than the series' steady growth and its noise explain: above
    what the median rate of the other intervals (within a group, ``dt > 0``) adds over its
    interval, by more than ``JUMP_SPREADS`` times their robust spread (1.4826 times the median
    absolute deviation of the others' rises less their expected rise). Where the others do not
    spread (a resident-set size flat between allocations, a count), any rise above the expected
    one stands out."""
    others = same & (dt > 0)
    others[k] = False
    if not others.any():
        return True  # nothing to compare with: the rise is all the growth there is
    rate = float(np.median(rises[others] / dt[others]))
    excess = rises[others] - rate * dt[others]
    spread = 1.4826 * float(np.median(np.abs(excess - np.median(excess))))
    return bool(rises[k] - rate * dt[k] > JUMP_SPREADS * spread)


def _ols(t: np.ndarray, y: np.ndarray, groups: np.ndarray | None = None
         ) -> tuple[float, tuple[float, float] | None]:
    """Least-squares slope with one intercept per group (fixed effects) and its 95 % interval."""
    g = np.zeros(t.size, dtype=np.int64) if groups is None else groups
    tm = t.copy()
    ym = y.copy()
    keys = np.unique(g)
    for key in keys:
        m = g == key
        tm[m] -= t[m].mean()
        ym[m] -= y[m].mean()
    n = t.size
    sxx = float(np.dot(tm, tm))
    if sxx <= 0:
        return float("nan"), None
    slope = float(np.dot(tm, ym) / sxx)
    dof = n - 1 - keys.size
    if dof < 1:
        return slope, None
    resid = ym - slope * tm
    se = math.sqrt(float(np.dot(resid, resid)) / dof / sxx)
    half = 1.96 * se
    return slope, (slope - half, slope + half)


def judge(metric: str, times_s: Any, values: Any, *, threshold_per_hour: float | None = None,
          warmup_fraction: float = 0.1, alpha: float = 0.01, min_samples: int = 6,
          min_growth: float | None = None, groups: Any = None, held: Any = None,
          in_use: Any = None, pymalloc: Any = None, window_records: Any = None,
          lifetimes: LifetimesRule | None = None) -> LeakVerdict:
    """Judge one series (times in seconds of operation, values in the metric's unit).

    ``groups`` labels samples from different process lifetimes (a resumed run is a new process):
    slopes are fitted within each group, never across the jump between them, and each group
    skips its own warm-up.

    ``held``: per sample, what bounded buffers held of the value (the system's bounded logs'
    bytes, for ``rss_bytes``), subtracted before judging (module docstring, point 6); used only
    when every sample has a number for it, so that a series is never judged half corrected.

    ``in_use`` (``rss_bytes`` only): per sample, the process's C allocator's bytes in use
    (``malloc_in_use_bytes``), asked where the RSS grew above the threshold and its shape did not
    decide (module docstring, point 7); used only when every judged sample has a number for it.
    ``pymalloc`` likewise: pymalloc's bytes in use; ``window_records``: per sample, the entries the
    soak's history window holds (``harness_log_records``), modelled out of pymalloc's series before
    it is judged (``harness.leak_levels``).

    ``lifetimes``: how a resumed soak's lifetimes are read (``harness.leak_lifetimes.lifetimes_rule``,
    from its journal's ``resumed`` notes): where every resume replayed the run, the samples past each
    resumed lifetime's settling are judged as one series (module docstring, point 9); otherwise, or
    where it is None, each lifetime is fitted apart, and a rule given says so in the reason.
    """
    plain = dict(threshold_per_hour=threshold_per_hour, warmup_fraction=warmup_fraction, alpha=alpha,
                 min_samples=min_samples, min_growth=min_growth)
    if lifetimes is not None and groups is not None:
        keep = past_replay_settling(times_s, groups)
        if keep is not None:
            return _by_lifetimes_rule(metric, lifetimes, keep, (times_s, values, groups, held, in_use, pymalloc,
                                                                window_records), plain)
    kw = dict(plain, groups=groups)
    verdict = _judge_series(metric, times_s, values, held=held, **kw)
    if metric != "rss_bytes":
        return verdict
    verdict = _beside_allocator(verdict, times_s, values, in_use, pymalloc=pymalloc, window_records=window_records,
                                held=held, **kw)
    return _lifetimes_too_short(verdict, times_s, values, groups, warmup_fraction)


def _by_lifetimes_rule(metric: str, rule: LifetimesRule, keep: np.ndarray, series: tuple[Any, ...],
                       plain: dict[str, Any]) -> LeakVerdict:
    """``judge`` of a resumed soak by the rule its resumes give (module docstring, point 9): as one
    series past each resumed lifetime's settling (``keep``), or each lifetime apart; the rule's name
    and why go into the verdict. ``series``: times, values, groups, held, in_use, pymalloc, window_records."""
    times_s, values, groups, held, in_use, pymalloc, window_records = series
    steps: list[LevelStep] = []
    if rule.one_series:
        why = settled_too_briefly(times_s, groups) or too_short_for_one_series(times_s)
        if why is None:
            steps = _level_steps(metric, times_s, groups, values, held, in_use, pymalloc, plain["warmup_fraction"])
            why = step_too_large(steps)
        if why is not None:
            rule = LifetimesRule(False, why)
    if rule.one_series:
        t, y, h, u, p, w = (_kept(a, keep) for a in (times_s, values, held, in_use, pymalloc, window_records))
        v = judge(metric, t, y, held=h, in_use=u, pymalloc=p, window_records=w, **plain)
        left_out = int(keep.size - np.count_nonzero(keep))
        return replace(v, lifetimes_rule=rule.name,
                       reason=f"{rule.why} ({left_out} samples); {steps_within(steps)}; {v.reason}")
    v = judge(metric, times_s, values, groups=groups, held=held, in_use=in_use, pymalloc=pymalloc,
              window_records=window_records, **plain)
    return replace(v, lifetimes_rule=rule.name, reason=f"{v.reason}; {rule.why}")


def _level_steps(metric: str, times_s: Any, groups: Any, values: Any, held: Any, in_use: Any, pymalloc: Any,
                 warmup_fraction: float) -> list[LevelStep]:
    """Each resume's level step (``harness.leak_lifetimes.level_steps``) in every series the one-series
    verdict reads: the metric as judged (the RSS less the bounded logs' bytes, where every sample has
    them) and, for the RSS, each allocator's bytes in use given; the soak's own warm-up kept out of
    the wander the steps are held against."""
    t = np.asarray(times_s, dtype=np.float64)
    y = np.asarray(values, dtype=np.float64)
    if held is not None:
        h = np.asarray(held, dtype=np.float64)
        if h.shape == y.shape and np.isfinite(h).all():
            y = y - h
    warmup_s = warmup_fraction * float(np.ptp(t[np.isfinite(t)])) if np.isfinite(t).any() else 0.0
    named = [(metric if held is None else f"{metric} less the bounded logs", y)]
    if metric == "rss_bytes":
        named += [(name, s) for name, s in ((ALLOCATOR_METRIC, in_use), (PYMALLOC_METRIC, pymalloc)) if s is not None]
    return [step for name, s in named for step in level_steps(name, t, groups, s, warmup_s)]


def _kept(series: Any, keep: np.ndarray) -> np.ndarray | None:
    """``series`` at the samples ``keep`` marks, as floats; None stays None, and a series not one
    number a sample is passed on whole (the judge leaves such a series out, cut or not)."""
    if series is None:
        return None
    a = np.asarray(series, dtype=np.float64)
    return a[keep] if a.shape == keep.shape else a


def _lifetimes_too_short(v: LeakVerdict, times_s: Any, values: Any, groups: Any, warmup_fraction: float
                         ) -> LeakVerdict:
    """The RSS's verdict of a resumed soak (two or more process lifetimes) none of whose lifetimes is
    judged over ``SLOPE_MIN_SPAN_S`` or more after its warm-up: ``inconclusive``, naming the longest
    lifetime's judged span and the minimum, whatever the slopes said (module docstring, point 8). A
    growth clearly unbounded (a late slope of ``UNBOUNDED_FACTOR`` times the threshold, point 5) stays
    a leak, as it does in a short uninterrupted window.

    Why: each lifetime's slope is fitted on its own (a new process starts its structures empty), and
    over minutes a healthy process's slope scatters by more than the threshold both ways (pymalloc's
    over a lifetime's judged 4 minutes: -17.7..+10.9 MB/h in healthy hours): a soak resumed every 10
    minutes failed healthy and passed a planted 5 MB/h leak (bench/RESULTS.md, issue #11). A soak whose
    lifetimes add up to less than ``MIN_WINDOW_S`` is judged by the short window's rules instead, as an
    uninterrupted short run is: only there is a short lifetime's slope not claimed as an hour's."""
    if groups is None or v.verdict == "insufficient_data":
        return v
    t = np.asarray(times_s, dtype=np.float64)
    g = np.asarray(groups, dtype=np.int64)
    keep = np.isfinite(t) & np.isfinite(np.asarray(values, dtype=np.float64))
    t, g = t[keep], g[keep]
    lifetimes = np.unique(g)
    if lifetimes.size < 2 or _span_by_group(t, g) < MIN_WINDOW_S:
        return v
    judged = after_warmup(t, g, warmup_fraction)
    warmup = warmup_fraction * float(np.ptp(t))
    longest = max(float(np.ptp(t[judged & (g == k)])) if (judged & (g == k)).any() else 0.0 for k in lifetimes)
    if longest >= SLOPE_MIN_SPAN_S:
        return v
    late = v.late_slope_per_hour
    if v.verdict == "leak" and late is not None and late >= UNBOUNDED_FACTOR * v.threshold_per_hour:
        return v
    return replace(v, verdict="inconclusive", reason=(
        f"lifetimes too short to judge a slope: the soak ran as {lifetimes.size} process lifetimes, the longest "
        f"judged over {longest / 60:.1f} min after its warm-up, and a lifetime needs {SLOPE_MIN_SPAN_S / 60:.0f} min "
        "(a healthy process's slope over minutes scatters by more than the threshold both ways): resume less often "
        f"(lifetimes of {(SLOPE_MIN_SPAN_S + warmup) / 60:.0f} min or more); read by its slopes: "
        f"{v.verdict}, {v.shape} ({v.reason})"))


def _beside_allocator(rss: LeakVerdict, times_s: Any, values: Any, in_use: Any, *,
                      threshold_per_hour: float | None, min_growth: float | None, pymalloc: Any = None,
                      window_records: Any = None, held: Any = None, **kw: Any) -> LeakVerdict:
    """The RSS's verdict with the allocators' bytes in use beside it (module docstring, point 7):
    where the RSS cannot decide, either allocator's "leak" makes it a leak; where the RSS alone says
    "leak", it stands unless both allocators were sampled and neither, nor their sum, says so, and
    then it is "inconclusive", never "ok". ``held``: the bounded logs' bytes taken out of the RSS, taken
    out of the allocators' sum too (``_allocators_sum``)."""
    u = _every_number(times_s, values, in_use)
    p = _every_number(times_s, values, pymalloc)
    if u is None and p is None:
        asked = rss.shape in ASK_ALLOCATOR_SHAPES and rss.verdict != "leak"
        # said first: the reason ends with what the reader is to do
        note = ("[judged on the RSS alone: the allocator's bytes in use (glibc mallinfo2) were not sampled "
                "for every sample (not glibc, not the simulated device, or an older journal)] ") if asked else ""
        return replace(rss, allocator="not_sampled", reason=note + rss.reason)
    rss_leak = rss.verdict == "leak"
    if rss_leak and (u is None or p is None):
        return replace(rss, allocator="not_asked")  # one allocator unseen: the leak may be in it
    need = MIN_GROWTH["rss_bytes"] if min_growth is None else min_growth
    one = dict(threshold_per_hour=rss.threshold_per_hour, min_growth=need, **kw)
    if not rss_leak and rss.shape == "small" and p is not None:
        return _small_rss_beside_pymalloc(rss, times_s, p, window_records, one)
    if not rss_leak and rss.shape not in ASK_ALLOCATOR_SHAPES:
        return replace(rss, allocator="not_asked")
    fields: dict[str, Any] = {"allocator": "asked"}
    mal = sm = None
    if u is not None:
        mal = _judge_series(ALLOCATOR_METRIC, times_s, u, **one)
        fields.update(allocator_verdict=mal.verdict, allocator_shape=mal.shape,
                      allocator_slope_per_hour=mal.slope_per_hour,
                      allocator_late_slope_per_hour=mal.late_slope_per_hour)
    if p is not None:
        # the bounded logs' bytes (``held``) are not taken out of it, since they are not all pymalloc's (a
        # healthy hour's pymalloc bytes stayed flat while they grew 2.5 MB, and taken out they hid 2.3 MB/h
        # of a planted 5 MB/h small-object leak: bench/RESULTS.md, issue #11); the history window's entries,
        # a saw that does not move with time, are modelled out by a fit (``harness.leak_levels``)
        p_sampled = p
        sm, p, per_record = judge_pymalloc(times_s, p, window_records, **one)
        fields.update(pymalloc_window_bytes_per_record=per_record)
        fields.update(pymalloc_verdict=sm.verdict, pymalloc_shape=sm.shape,
                      pymalloc_slope_per_hour=sm.slope_per_hour,
                      pymalloc_late_slope_per_hour=sm.late_slope_per_hour)
    said = [(name, v) for name, v in (("the C allocator's", mal), ("pymalloc's", sm)) if v is not None]
    if rss_leak:
        both = _allocators_sum(times_s, u + p, held, one)
        # what neither allocator holds in use: the heaps' free bytes kept resident, and memory mapped
        # past both (a C extension's own mappings), which a leak may be too
        beyond = _judge_series(BEYOND_ALLOCATORS_METRIC, times_s, np.asarray(values, dtype=np.float64) - u - p_sampled,
                               **one)
        fields.update(allocators_sum_verdict=both.verdict, allocators_sum_shape=both.shape,
                      beyond_allocators_verdict=beyond.verdict)
        said += [("their sum's", both), ("the RSS beyond them", beyond)]
        if any(v.verdict == "leak" for _, v in said):
            return replace(rss, **fields)
        return replace(rss, verdict="inconclusive", reason=(
            f"read by the RSS alone: a leak ({rss.reason}); but neither allocator's bytes in use, nor their sum, "
            f"nor the RSS beyond them grow so ({_said(said)}): the RSS's growth is the allocators' bytes in use "
            "read through the steps of the free memory the heaps keep resident, which is no leak by the "
            "allocators' own series and yet cannot be cleared: soak longer"), **fields)
    leaking = [(name, v) for name, v in said if v.verdict == "leak"]
    if leaking:
        name, v = leaking[0]
        return replace(rss, verdict="leak", shape="growing", reason=(
            f"read by the RSS alone: {rss.verdict}, {rss.shape} ({rss.reason}); but {name} bytes in use, "
            f"which do not move with the free bytes the heap keeps resident, {v.reason}: a leak"), **fields)
    doubted = [(name, v) for name, v in said if v.verdict == "inconclusive"]
    if rss.verdict == "ok" and doubted:
        return replace(rss, verdict="inconclusive", reason=(
            f"read by the RSS alone: ok, {rss.shape} ({rss.reason}); but "
            + "; and ".join(f"{name} bytes in use cannot tell ({v.reason})" for name, v in doubted)
            + ": the RSS's steps, blurred by the free memory the heaps keep resident, cannot clear what "
            "the allocator's own series cannot decide"), **fields)
    return replace(rss, reason=(
        f"{rss.reason}; the allocators' bytes in use show no leak either ({_said(said)}): the RSS's verdict stands"),
        **fields)


def _allocators_sum(times_s: Any, both: np.ndarray, held: Any, one: dict[str, Any]) -> LeakVerdict:
    """The two allocators' bytes in use summed, judged with the bounded logs' bytes (``held``, the
    RSS's: the system's logs, the history's window, the fault injector's records, the harness's
    caches) taken out, as the RSS is (point 6).

    Why: the system's error and transition logs fill for the soak's first two or three hours
    (20 000 records in all; ~15 000 at the first hour's end), each record a few Python objects in
    one allocator or the other, so the sum climbs with them where each allocator alone reads
    "small": a healthy 1-hour soak's sum read "leak, growing" (~6 MB/h, of it ~2 MB/h the logs'
    counted bytes) and failed at 2 of 8 seeds (bench/RESULTS.md, issue #11). Every byte the logs
    report is an object's own ``sys.getsizeof`` (``system_under_test.held``: a lower bound), and every
    such object lives in one of the two allocators, so no leak hides behind it; asked of either
    allocator alone, it is not (the logs' objects are split between them)."""
    return _judge_series(ALLOCATORS_SUM_METRIC, times_s, both, held=held, **one)


#: what pymalloc's series read where its late half could not decide a growth above the threshold
#: over the window: the shapes the line through its levels is asked about (``_through_wander``)
WANDER_ASKED_SHAPES = frozenset({"saturating", "slowing", "unclear"})


def _small_rss_beside_pymalloc(rss: LeakVerdict, times_s: Any, p: np.ndarray, window_records: Any,
                               one: dict[str, Any]) -> LeakVerdict:
    """An RSS growing significantly but under the threshold ("small"), with pymalloc's bytes asked:
    their ``leak`` makes it a leak, anything else leaves the RSS's verdict.

    Why pymalloc's alone: a leak of small objects lives in pymalloc's arenas, and the resident set
    sees it through the memory the heaps keep free, which can hold it under the threshold (a planted
    5 MB/h small-object leak's RSS grew 4.172e6 B/h at seed 3, under the 4.194e6 threshold, while
    pymalloc's bytes grew 4.8 MB/h, bench/RESULTS.md, issue #11). A healthy soak's pymalloc bytes are
    flat over the hour with the history window modelled out, so asking them adds no alarm there;
    malloc's are not asked so (a healthy hour's grow 1.6-1.8 MB/h, bounded buffers filling)."""
    sm, _, per_record = judge_pymalloc(times_s, p, window_records, **one)
    fields: dict[str, Any] = dict(allocator="asked", pymalloc_verdict=sm.verdict, pymalloc_shape=sm.shape,
                                  pymalloc_slope_per_hour=sm.slope_per_hour,
                                  pymalloc_late_slope_per_hour=sm.late_slope_per_hour,
                                  pymalloc_window_bytes_per_record=per_record)
    if sm.verdict != "leak":
        return replace(rss, **fields)
    return replace(rss, verdict="leak", shape="growing", reason=(
        f"read by the RSS alone: {rss.verdict}, {rss.shape} ({rss.reason}); but pymalloc's bytes in use, "
        f"which the heaps' free memory does not hide, {sm.reason}: a leak"), **fields)


def judge_pymalloc(times_s: Any, values: Any, window_records: Any = None, **kw: Any
                   ) -> tuple[LeakVerdict, np.ndarray, float | None]:
    """pymalloc's bytes in use judged as point 7 asks them: the history window's entries modelled
    out where every sample counts them (``harness.leak_levels.window_taken_out``), the series judged
    by points 1-5, and, where the window was modelled out, a growth its late half could not decide
    judged again through its levels' wander (``_through_wander``). Returns the verdict, the series judged, and the bytes a window
    entry held by the fit (None: judged as sampled). ``kw``: ``_judge_series``'s."""
    p = np.asarray(values, dtype=np.float64)
    per_record = None
    modelled = window_taken_out(times_s, p, window_records, kw.get("groups"), kw.get("warmup_fraction", 0.1))
    if modelled is not None:
        p, per_record = modelled
    v = _judge_series(PYMALLOC_METRIC, times_s, p, **kw)
    if per_record is None:
        # the window's saw left in: its megabyte swings bend the levels as a bound does (a bounded
        # structure filling at 6 MB/h for 50 minutes read "leak" through them), so the late half decides
        return v, p, per_record
    return _through_wander(v, times_s, p, kw.get("groups"), kw.get("warmup_fraction", 0.1)), p, per_record


def _through_wander(v: LeakVerdict, times_s: Any, values: Any, groups: Any, warmup_fraction: float) -> LeakVerdict:
    """pymalloc's verdict, with a growth its late half read levelled off, slowing or unclear judged
    again by the straight line through the window's levels (``harness.leak_levels``): a leak where
    the line rises above the threshold and does not bend down more than the levels' wander explains.

    Why: pymalloc's series wanders by live objects (hundreds of kilobytes even with the history
    window modelled out), and the late half's 27 minutes of a 1-hour soak cannot tell a 5 MB/h leak
    from a 4 MiB/h threshold through that (a planted leak read "saturating" at seed 2, bench/RESULTS.md,
    issue #11); the whole window's levels can. Asked only where the series grew above the threshold
    over a window of ``MIN_WINDOW_S`` or more (a shorter one calls steady growth a leak only when it
    is clearly unbounded, point 5), never of a step: a healthy soak's pymalloc bytes are flat over
    the window, so no healthy series reaches it."""
    if v.verdict == "leak" or v.shape not in WANDER_ASKED_SHAPES or v.slope_per_hour is None:
        return v
    t = np.asarray(times_s, dtype=np.float64)
    g = np.zeros(t.size, dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
    finite = np.isfinite(t) & np.isfinite(np.asarray(values, dtype=np.float64))
    window = _span_by_group(t[finite], g[finite])
    if window < MIN_WINDOW_S:
        return v
    line = level_line(t, values, g, warmup_fraction)
    if line is None or line.slope_per_hour <= v.threshold_per_hour or line.decelerating():
        return v
    if not line.straight_known:
        return replace(v, verdict="inconclusive", reason=(
            f"{v.reason}; the straight line through the window's {line.blocks} levels rises "
            f"{line.slope_per_hour:.4g} {v.unit}/h, above the {v.threshold_per_hour:.4g}/h threshold, and its "
            f"{line.pooled} lifetimes' curvatures pooled do not bend down (t = {line.curvature_t:.2f}), but each "
            "lifetime is too short to be asked its own bend: a bound refilled in each lifetime cannot be told "
            "from a leak (soak with longer lifetimes)"))
    return replace(v, verdict="leak", shape="growing", reason=(
        f"{v.reason}; but the straight line through the window's {line.blocks} levels rises "
        f"{line.slope_per_hour:.4g} {v.unit}/h (standard error {line.slope_se_per_hour:.3g}), above the "
        f"{v.threshold_per_hour:.4g}/h threshold, and bends no more than the levels' wander "
        f"({line.wander:.3g} {v.unit}) explains (curvature t = {line.curvature_t:.2f}): the late half's "
        "reading is the wander's, the growth has not levelled off"))


def _said(said: list[tuple[str, LeakVerdict]]) -> str:
    """Each allocator series' verdict, shape and slope, for a reason."""
    return "; ".join(f"{name} {v.verdict}, {v.shape}, {_fmt(v.slope_per_hour)} B/h" for name, v in said)


def _fmt(v: float | None) -> str:
    return "-" if v is None or not math.isfinite(v) else f"{v:.4g}"


def _every_number(times_s: Any, values: Any, series: Any) -> np.ndarray | None:
    """``series`` as floats where it has a finite number at every sample the judge keeps (finite
    time and value), else None: a series judged half sampled would start or stop mid-window."""
    if series is None:
        return None
    t = np.asarray(times_s, dtype=np.float64)
    y = np.asarray(values, dtype=np.float64)
    u = np.asarray(series, dtype=np.float64)
    if u.shape != t.shape:
        return None
    keep = np.isfinite(t) & np.isfinite(y)
    if not keep.any() or not np.isfinite(u[keep]).all():
        return None
    return np.where(keep, u, np.nan)


def _judge_series(metric: str, times_s: Any, values: Any, *, threshold_per_hour: float | None = None,
                  warmup_fraction: float = 0.1, alpha: float = 0.01, min_samples: int = 6,
                  min_growth: float | None = None, groups: Any = None, held: Any = None) -> LeakVerdict:
    """``judge`` of one series by points 1-6 of the module docstring (the allocator not asked)."""
    t = np.asarray(times_s, dtype=np.float64)
    y = np.asarray(values, dtype=np.float64)
    g = np.zeros(t.size, dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
    h = None if held is None else np.asarray(held, dtype=np.float64)
    keep = np.isfinite(t) & np.isfinite(y)
    if h is not None and not np.isfinite(h[keep]).all():
        h = None
    t, y, g = t[keep], y[keep], g[keep]
    if h is not None:
        h = h[keep]
    order = np.lexsort((t, g))
    t, y, g = t[order], y[order], g[order]
    y_raw = y
    if h is not None:
        h = h[order]
        y = y - h
    thr = DEFAULT_THRESHOLDS.get(metric, 0.0) if threshold_per_hour is None else threshold_per_hour
    unit = UNITS.get(metric, "count")
    n_all = int(t.size)
    t_all, g_all = t, g
    by_time = np.argsort(t, kind="stable")
    first = float(y_raw[by_time[0]]) if n_all else None
    last = float(y_raw[by_time[-1]]) if n_all else None
    warmup = 0.0
    if n_all:
        warmup = float(warmup_fraction * (t.max() - t.min()))
        mask = after_warmup(t, g, warmup_fraction)
        t, y, g = t[mask], y[mask], g[mask]
        if h is not None:
            h = h[mask]
    if t.size > _MAX_POINTS:
        idx = np.linspace(0, t.size - 1, _MAX_POINTS).round().astype(int)
        t, y, g = t[idx], y[idx], g[idx]
        if h is not None:
            h = h[idx]
    held_fl: tuple[float | None, float | None] = (None, None)
    held_note = ""
    if h is not None and t.size:
        jt = np.argsort(t, kind="stable")
        held_fl = (float(h[jt[0]]), float(h[jt[-1]]))
        held_note = (" [judged with the bytes bounded logs hold (the system's, the history's window, the fault "
                     "injector's records, the harness's caches) taken out: "
                     f"{held_fl[0]:.4g} -> {held_fl[1]:.4g} over the window]")
    span = _span_by_group(t, g)
    if t.size < min_samples or span <= 0:
        return LeakVerdict(metric, n_all, int(t.size), warmup, None, None, None, None, thr, first, last,
                           "insufficient_data",
                           _inside_warmup(t_all, g_all, warmup) + f"{t.size} samples after warm-up; need at least "
                           f"{min_samples} over a non-zero time span", unit, held_first=held_fl[0], held_last=held_fl[1])
    slope_h = theil_sen(t, y, g) * 3600.0
    ols, ci = _ols(t, y, g)
    ols_h = ols * 3600.0
    ci_h = (ci[0] * 3600.0, ci[1] * 3600.0) if ci else None
    p = mann_kendall_p(y, g)
    window = _span_by_group(t_all, g_all)
    over_s = _growth_span(window, span)
    growth = slope_h * over_s / 3600.0
    need = MIN_GROWTH.get(metric, DEFAULT_MIN_GROWTH) if min_growth is None else min_growth
    early = late = None
    if not math.isfinite(slope_h):
        verdict, shape, reason = "insufficient_data", "unknown", "no two samples at different times within a segment"
    elif p < alpha and slope_h > thr and growth < need:
        verdict, shape, reason = "ok", "step", (
            f"slope {slope_h:.4g} {unit}/h is significant, but the trend adds only {growth:.4g} over "
            f"the window (< {need:.4g}): a step, not a leak")
    elif p < alpha and slope_h > thr and _one_step(t, y, g, thr, need, growth, over_s):
        verdict, shape, reason = "ok", "step", (
            f"slope {slope_h:.4g} {unit}/h is significant, but one jump between two samples carries it: "
            "without that jump the trend is below the threshold or adds less than "
            f"{need:.4g} (a module loaded, a pool grown once: a step, not a leak)")
    elif p < alpha and slope_h > thr:
        early = _part(t, y, g, 0.0, 0.5, alpha, _PART_POINTS)
        late = _part(t, y, g, 0.5, 1.0, alpha, _PART_POINTS)
        verdict, shape, reason = _judge_growth(t, y, g, slope_h, p, thr, unit, early, late, alpha, min_samples)
        if verdict == "leak" and window < MIN_LEAK_WINDOW_S:
            verdict, reason = "inconclusive", (
                f"{reason}; but the soak covers only {window:.0f} s of operation (< {MIN_LEAK_WINDOW_S:.0f} s): "
                "too short to tell a leak from the process settling in (soak longer)")
        elif verdict == "leak" and window < MIN_WINDOW_S and late.slope_h < UNBOUNDED_FACTOR * thr:
            verdict, reason = "inconclusive", (
                f"{reason}; but the soak covers only {window / 60:.0f} min of operation (< "
                f"{MIN_WINDOW_S / 60:.0f} min) and grows less than {UNBOUNDED_FACTOR:.0f}x the threshold: "
                "a bounded buffer still filling looks the same, cannot tell (soak longer)")
    elif slope_h > thr:
        verdict, shape, reason = "ok", "flat", f"slope {slope_h:.4g}/h above threshold but not significant (p={p:.2g})"
    elif p < alpha and slope_h > 0:
        verdict, shape, reason = "ok", "small", f"significant but small growth ({slope_h:.4g}/h <= {thr:.4g}/h)"
    else:
        verdict, shape, reason = "ok", "flat", f"no significant growth (slope {slope_h:.4g}/h, p={p:.2g})"
    return LeakVerdict(metric, n_all, int(t.size), warmup, slope_h, ols_h, ci_h, p, thr, first, last,
                       verdict, reason + held_note, unit, shape,
                       early.slope_h if early is not None else None,
                       late.slope_h if late is not None else None,
                       late.ci_h if late is not None else None,
                       held_fl[0], held_fl[1])


#: how the reason of a series left unjudged because every lifetime lay inside its warm-up begins
#: (``_inside_warmup``); the report gives such a series "resume less often", not "soak longer"
INSIDE_WARMUP = "every process lifetime lies inside the warm-up it skips"


def _inside_warmup(t: np.ndarray, g: np.ndarray, warmup: float) -> str:
    """The note that begins an unjudged series' reason where the soak ran as two or more lifetimes
    and none outlasts the warm-up (``after_warmup``: 10 % of the whole span, from each lifetime's own
    start); "" otherwise.

    Why: an 8-hour soak resumed every 30 minutes skips 48 minutes of each lifetime, so no sample is
    judged at all, and "soak longer" (what a short soak is told) makes it worse: the warm-up grows
    with the soak. What gives it a verdict is fewer resumes (bench/RESULTS.md, issue #11)."""
    keys = np.unique(g)
    if keys.size < 2:
        return ""
    longest = max(float(np.ptp(t[g == k])) for k in keys)
    if longest > warmup:
        return ""
    return (f"{INSIDE_WARMUP}: the soak ran as {keys.size} lifetimes of at most {format_duration(longest)} and "
            f"each skips {format_duration(warmup)} (the warm-up, a share of the whole soak's span) from its own "
            f"start, so a longer soak does not help: resume less often (lifetimes well over "
            f"{format_duration(warmup)}); ")


def _span_by_group(t: np.ndarray, g: np.ndarray) -> float:
    """The seconds ``t`` covers, each group's (a soak's segment) first to last sample summed: the gaps
    between segments (a resumed soak's pause) are no part of the window. 0.0 for no sample."""
    return float(sum(t[g == k].max() - t[g == k].min() for k in np.unique(g))) if t.size else 0.0


def _growth_span(window: float, span: float) -> float:
    """The time over which a trend's growth is reckoned against ``MIN_GROWTH``: the judged part of
    the window (``span``, after the warm-up), or the whole window of operation where that is
    ``MIN_WINDOW_S`` or more.

    Why the whole window there: ``MIN_GROWTH`` is sized to the threshold's hour (4 MiB for the RSS,
    whose threshold is 4 MiB/h), and a 1-h soak's judged part is 54 minutes: a trend at the threshold
    adds 0.9 of it there, so a slope between the threshold and 1.11 times it read "ok, step"
    however steady. A planted 5 MB/h leak seen through the RSS's steps passed so at 5 of 30
    synthetic seeds (``bench/leak_judge_noise.py``, bench/RESULTS.md, issue #11). Over the whole
    window a trend above the threshold adds more than the threshold's share of it; a short window
    keeps the judged part (a short run's one step, its process still settling in)."""
    return window if window >= MIN_WINDOW_S else span


def _judge_growth(t: np.ndarray, y: np.ndarray, g: np.ndarray, slope_h: float, p: float, thr: float,
                  unit: str, early: _Trend, late: _Trend, alpha: float, min_samples: int
                  ) -> tuple[str, str, str]:
    """The series grows over the window: bounded growth levelling off, a leak, or cannot tell
    (module docstring, point 5). Returns (verdict, shape, reason)."""
    whole = (f"grows {slope_h:.4g} {unit}/h over the window (Theil-Sen, p={p:.2g}; "
             f"early half {early.slope_h:.4g}/h, late half {late.slope_h:.4g}/h)")
    if late.n < min_samples or not math.isfinite(late.slope_h):
        return "inconclusive", "unclear", (f"{whole}; the late half has {late.n} samples, too few to "
                                           "tell a bounded buffer filling up from a leak")
    if late.slope_h <= thr:
        return "ok", "saturating", (f"{whole}: levelled off to {late.slope_h:.4g}/h, at or under the "
                                    f"{thr:.4g}/h threshold - bounded growth (a buffer filling up), not a leak")
    if late.p >= alpha:
        return "inconclusive", "unclear", (f"{whole}; the late half's growth is not significant "
                                           f"(p={late.p:.2g}): cannot tell bounded growth from a leak")
    q3 = _part(t, y, g, 0.5, 0.75, alpha, _PART_POINTS // 2)
    q4 = _part(t, y, g, 0.75, 1.0, alpha, _PART_POINTS // 2)
    levels = ""
    if q3.n >= min_samples and q4.n >= min_samples and q4.ci_h[1] < SLOWING_RATIO * q3.ci_h[0]:
        gains = _quarter_gains(t, y, g)
        if gains is None or gains[1] < SLOWING_RATIO * gains[0]:
            return "inconclusive", "slowing", (
                f"{whole}; still above the {thr:.4g}/h threshold late, but slowing: the last quarter "
                f"grows {q4.slope_h:.4g}/h, clearly less than the third ({q3.slope_h:.4g}/h) - a buffer "
                "still filling or a leak, this window cannot tell (soak longer)")
        levels = (f"; the last quarter's own slope ({q4.slope_h:.4g}/h) reads slower than the third's "
                  f"({q3.slope_h:.4g}/h), but its level still rose {gains[1]:.4g} {unit} over the third's, "
                  f"against {gains[0]:.4g} from the second's to the third's: a plateau between the steps "
                  "the series rises by, not a levelling off")
    return "leak", "growing", (f"{whole}: the late half still grows {late.slope_h:.4g} {unit}/h "
                               f"(Sen's interval {late.ci_h[0]:.4g}..{late.ci_h[1]:.4g}), above the "
                               f"{thr:.4g}/h threshold, with no sign of levelling off{levels}")


def _quarter_gains(t: np.ndarray, y: np.ndarray, g: np.ndarray) -> tuple[float, float] | None:
    """How much the judged window's level rose from its second quarter to its third, and from its
    third to its fourth: the quarters' levels (``_trimmed_mean``), differenced within each group and
    summed over the groups (a new process's level is not comparable with the last one's). None
    where a group has a quarter without a sample.

    Why levels and not only the quarters' own slopes: a process's resident set moves in steps
    (the allocator serves new memory from what it already holds, then takes a new piece of a
    megabyte or two), and between them it is flat for minutes at a time (a planted 5 MB/h leak's
    soak: 92 % of its samples unchanged, bench/RESULTS.md, issue #11). A quarter that holds one step and a long plateau has the
    plateau's slope (Theil-Sen reads the step as an outlier) with a narrow interval (the plateau's
    samples agree), so its slope reads "clearly slower" while its level rose as fast as ever. A
    buffer levelling off lowers both its slope and the rise of its level; ``SLOWING_RATIO``
    applies to both."""
    gains = [0.0, 0.0]
    for key in np.unique(g):
        idx = np.flatnonzero(g == key)
        tg, yg = t[idx], y[idx]
        t0, t1 = tg[0], tg[-1]
        levels = []
        for lo, hi in ((0.25, 0.5), (0.5, 0.75), (0.75, 1.0)):
            inside = (tg >= t0 + lo * (t1 - t0)) & (tg <= t0 + hi * (t1 - t0))
            if not inside.any():
                return None
            levels.append(_trimmed_mean(yg[inside]))
        gains[0] += levels[1] - levels[0]
        gains[1] += levels[2] - levels[1]
    return gains[0], gains[1]


def judge_all(samples: list[dict[str, Any]], *, time_key: str = "t",
              thresholds: dict[str, float] | None = None, **kw: Any) -> dict[str, LeakVerdict]:
    """Judge every numeric metric in a list of sample dicts (``{"t": ..., "rss_bytes": ...}``)."""
    metrics: list[str] = []
    for s in samples:
        for k, v in s.items():
            if k != time_key and k not in metrics and isinstance(v, (int, float)) and not isinstance(v, bool):
                metrics.append(k)
    out = {}
    for m in metrics:
        pts = [(s[time_key], s[m]) for s in samples if isinstance(s.get(m), (int, float))]
        thr = (thresholds or {}).get(m)
        out[m] = judge(m, [p[0] for p in pts], [p[1] for p in pts], threshold_per_hour=thr, **kw)
    return out


class ResourceSampler:
    """Reads the process's and the system's resource figures; cheap enough to call every second."""

    def __init__(self, pid: int | None = None, *, allocator: bool = False) -> None:
        """``allocator``: also sample this process's allocators' bytes in use (the C allocator's,
        ``malloc_in_use_bytes``, and CPython's object allocator's, ``pymalloc_in_use_bytes``:
        ``harness.allocator``), which the RSS is judged beside (module
        docstring, point 7). Only where the system runs in this process (the simulated device):
        elsewhere the audio lives in other processes too, and this process's allocator is not
        where a leak of the system shows."""
        import psutil  # imported here: the CLI stays cheap to import

        self._proc = psutil.Process(pid or os.getpid())
        self._allocator = allocator and pid in (None, os.getpid())

    def sample(self, t: float, system: Any = None, wall: float | None = None,
               harness: Any = None, faults: Any = None, caches: Any = None) -> dict[str, Any]:
        """One sample at ``t``; ``harness``: the run's own bounded buffer (its history), whose
        bytes are sampled as the system's logs are (``log_books``, prefix ``harness``);
        ``faults``: the fault injector, whose newest firings it keeps are sampled the same way
        (prefix ``faults``); ``caches``: the harness's bounded working sets in this process
        (``harness.held_caches.HarnessHeld``: its memos of arrays, the live health window),
        prefix ``caches``."""
        p = self._proc
        s: dict[str, Any] = {"t": float(t)}
        if wall is not None:
            s["wall"] = float(wall)
        try:
            with p.oneshot():
                s["rss_bytes"] = int(p.memory_info().rss)
                s["threads"] = int(p.num_threads())
                try:
                    s["open_fds"] = int(p.num_fds())
                except (AttributeError, OSError):  # Windows: handles instead
                    s["open_fds"] = int(getattr(p, "num_handles", lambda: 0)())
                s["cpu_percent"] = float(p.cpu_percent(interval=None))
        except Exception:  # a sampler must never break the run
            s["threads"] = threading.active_count()
        s.update(rss_parts(p.pid))
        if self._allocator:
            in_use = in_use_bytes()
            if in_use is not None:
                s[ALLOCATOR_METRIC] = in_use
            small = pymalloc_in_use_bytes()
            if small is not None:
                s[PYMALLOC_METRIC] = small
            held = arena_bytes()
            if held is not None:
                s[ARENA_METRIC] = held
        s.update(system_books(system))
        s.update(log_books(system))
        s.update(log_books(harness, "harness"))
        s.update(log_books(faults, "faults"))
        s.update(log_books(caches, "caches"))
        return s


def system_books(system: Any) -> dict[str, int]:
    """What the system's own books say it holds (``sut_live_allocations`` and ``sut_<type>`` per
    resource type), the series a run's and a scenario's ``no_leak`` leak judgements fit; empty
    for a system without books, or one whose books cannot be read (a sampler never breaks a run)."""
    s: dict[str, int] = {}
    resources = getattr(system, "resources", None)
    if resources is not None:
        try:
            s["sut_live_allocations"] = len(resources.live())
            usage = resources.usage()
            for rtype in ("buffers", "frames", "streams", "threads", "bytes"):
                s[f"sut_{rtype}"] = int(sum(v for k, v in usage.items()
                                            if getattr(k, "value", k) == rtype))
        except Exception:  # noqa: BLE001
            return {}
    return s


def log_books(system: Any, prefix: str = "sut") -> dict[str, int]:
    """What an object's bounded logs hold (``bounded_logs()``, ``system_under_test.held``):
    ``<prefix>_log_bytes``, a lower bound of their records' bytes, which the RSS judgement takes
    out (module docstring, point 6), and ``<prefix>_log_records``. The system's (``sut``) and the
    harness's history window (``harness``, ``History.bounded_logs``) and the fault injector's
    records (``faults``, ``FaultInjector.bounded_logs``) are read by this one rule;
    empty for an object that reports no bounded logs or whose report cannot be read (a sampler
    never breaks a run)."""
    report = getattr(system, "bounded_logs", None)
    if report is None:
        return {}
    try:
        logs = report()
        if not logs:
            return {}
        return {f"{prefix}_log_bytes": int(sum(f.held_bytes for f in logs.values())),
                f"{prefix}_log_records": int(sum(f.records for f in logs.values()))}
    except Exception:  # noqa: BLE001
        return {}
