"""Which rule reads a resumed soak's process lifetimes: one series, or each lifetime apart.

A resumed soak is judged as two or more process lifetimes (its journal's ``segment``). How they
may be read together depends on what the resume did (the journal's ``resumed`` notes, ``mode``):

- **replay** (the simulated device): the new process replays the run from t=0 before it journals
  on, and the replay's digest is checked against the journal's (``verified``). Its levels then carry
  on from the previous lifetime's: the same objects, the same bounded logs, the same history window.
  So the lifetimes are judged as **one series**, as an uninterrupted soak would be (its warm-up, a
  share of the whole span, once at its start), with each resumed lifetime's first
  ``REPLAY_SETTLE_S`` left out: the new process's resident set starts about a megabyte low after
  the replay and climbs back over its first two to three minutes (``bench/leak_replay_settling.py``,
  bench/RESULTS.md, issue #11). Why: each lifetime's own warm-up, a share of the *whole* span, left
  an 8-hour soak resumed every 30 minutes with no sample judged, and each lifetime fitted apart over
  minutes read healthy soaks "leak" (a process's first half hour climbs faster than the threshold).
- **continue** (a real device), a replay whose digest did not match, or a resume the journal does
  not describe: the new process starts its structures empty (a level drop of ~5 MB was seen at a
  real resume), so each lifetime is fitted **apart**, today's rule (``harness.leaks``, points 1 and 8).

Two more conditions guard the one-series reading, each falling back to "apart" with its why:

- **The soak spans ``ONE_SERIES_MIN_SPAN_S`` (2 hours) or more.** A healthy process's pymalloc bytes
  still grow at the threshold's edge over its first hour (4.0-4.5 MB/h against 4.19), so a resume's
  level step well inside a minute's wander (0.2-0.8 MB) tipped a healthy 1-hour soak replayed every
  20 minutes to "leak"; a longer soak's healthy growth has levelled off (an 8-hour soak's: 0.09 MB/h)
  and its slope is fitted over hours, where such a step moves it by little (bench/RESULTS.md, issue #11).
- **Each resume's level step is within a few times the series' own wander** (``step_too_large``). A
  verified digest says the system's state replayed, not that the process's memory did: a fresh
  tree's first soak, whose first process wrote the numba caches, stood ~57 MB above its replayed
  process, a fall a one-series slope reads as "flat" whatever a leak added. So each resume's step
  (the settled level after it, less the previous lifetime's level at its end) is held against the
  same offset read at every point inside the lifetimes, where no resume was: the trend between the
  two windows is in both, and only a step ``STEP_WANDER_FACTOR`` times anything the series did on
  its own stops the reading. Lifetimes too short to hold that offset past the settling (resumed
  every 20 minutes) leave no wander to hold a step against, and are read apart.

The report reads a soak's lifetimes by this rule (``harness.reports.build._leaks``, the journal's
``resumed`` notes) and names it beside each leak verdict; ``bench/leak_resumed_pooled.py`` prints
its verdict beside the rule before, and the largest step against the wander.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

#: seconds of each resumed lifetime left out before replayed lifetimes are judged as one series:
#: the replay's settling (the RSS less the bounded logs back within the uninterrupted soaks' own
#: minute-to-minute wander two to three minutes after a resume), with margin
REPLAY_SETTLE_S = 300.0
#: the shortest soak (its samples' span) whose replayed lifetimes are read as one series (module docstring)
ONE_SERIES_MIN_SPAN_S = 7200.0
#: seconds of level read on each side of a resume (the median of each side): the previous lifetime's
#: last, and the resumed lifetime's first past its settling
STEP_WINDOW_S = 300.0
#: how many times the series' own wander a resume's level step may be. An uninterrupted soak cut
#: into lifetimes (no resume at all) makes steps up to 2.1 times the wander read inside its pieces
#: (8-hour healthy soaks cut every 30-60 minutes: the wander is a maximum over a third of each
#: piece, the steps fall where it is not read); real replayed resumes of healthy soaks stood at
#: most 0.9 times it, the fresh tree's numba-compiling first lifetime 36 (RSS) and 57 (malloc) times
#: (bench/RESULTS.md, issue #11)
STEP_WANDER_FACTOR = 3.0


@dataclass(frozen=True)
class LifetimesRule:
    """How a soak's lifetimes are read: ``one_series`` (every resume replayed) or apart, and why."""

    one_series: bool
    why: str

    @property
    def name(self) -> str:
        """The rule's name as a report gives it (``LeakVerdict.lifetimes_rule``)."""
        return "one_series" if self.one_series else "apart"


def lifetimes_rule(resumes: Iterable[Mapping[str, Any]] | None) -> LifetimesRule | None:
    """The rule for a soak whose journal noted ``resumes`` (each ``{mode, verified, ...}``, as
    ``harness.reports.build`` reads them); None where there was no resume (one lifetime)."""
    notes = list(resumes or ())
    if not notes:
        return None
    modes = [n.get("mode") for n in notes]
    if any(m != "replay" for m in modes):
        other = sorted({str(m) for m in modes if m != "replay"})
        return LifetimesRule(False, (
            f"each lifetime judged apart: a resume did not replay the run (mode {', '.join(other)}), so its new "
            "process started its structures empty and the lifetimes' levels are not comparable"))
    if any(n.get("verified") is not True for n in notes):
        return LifetimesRule(False, (
            "each lifetime judged apart: a resume's replay was not verified against the journal's digest, so its "
            "levels are not known to carry on from the previous lifetime's"))
    return LifetimesRule(True, (
        f"judged as one series across the soak's lifetimes: every resume ({len(notes)}) replayed the run from its "
        "start and matched the journal's digest, so each lifetime's levels carry on from the last; each resumed "
        f"lifetime's first {REPLAY_SETTLE_S / 60:.0f} min (the replay's settling) left out"))


def past_replay_settling(times_s: Any, groups: Any, settle_s: float | None = None) -> np.ndarray | None:
    """Which samples a one-series reading keeps: all of the first lifetime's, and each later
    lifetime's from ``settle_s`` (``REPLAY_SETTLE_S``) after its first sample; None where the samples
    hold fewer than two lifetimes (nothing to read across)."""
    settle = REPLAY_SETTLE_S if settle_s is None else settle_s
    t, g, finite, keys = _lifetimes_of(times_s, groups)
    if keys.size < 2:
        return None
    keep = np.ones(t.size, dtype=bool)
    for key in keys[1:]:
        inside = (g == key) & finite
        keep[inside & (t < t[inside].min() + settle)] = False
    return keep


def settled_too_briefly(times_s: Any, groups: Any, settle_s: float | None = None) -> str | None:
    """Why replayed lifetimes cannot be read as one series, or None: a resumed lifetime before the last
    that lasted no longer than the replay's settling leaves nothing of its own to read (the last may be
    cut short by the soak's end).

    Why: a soak resumed every few minutes read as one series would be its first lifetime alone, judged
    as a short run and told to soak longer, where what it needs is fewer resumes."""
    settle = REPLAY_SETTLE_S if settle_s is None else settle_s
    t, g, finite, keys = _lifetimes_of(times_s, groups)
    spans = [float(np.ptp(t[finite & (g == k)])) for k in keys[1:-1]]
    if not spans or max(spans) > settle:
        return None
    return (f"each lifetime judged apart: every resume replayed the run, but the resumed lifetimes last at most "
            f"{max(spans) / 60:.1f} min, no longer than the replay's settling ({settle / 60:.0f} min), so none has "
            f"a level of its own to read across; resume less often (lifetimes well over {settle / 60:.0f} min)")


def too_short_for_one_series(times_s: Any, min_span_s: float | None = None) -> str | None:
    """Why a soak's replayed lifetimes are not read as one series for its span, or None: a soak
    whose samples cover less than ``ONE_SERIES_MIN_SPAN_S`` (module docstring: its healthy growth still at the
    threshold's edge, where a resume's small step tips it)."""
    need = ONE_SERIES_MIN_SPAN_S if min_span_s is None else min_span_s
    t = np.sort(np.asarray(times_s, dtype=np.float64))
    t = t[np.isfinite(t)]
    # the span the samples cover, each one sampling interval: a 2-hour soak sampled every 10 s
    # from t = 10 s covers 2 hours, though its first and last samples are 7190 s apart
    span = float(np.ptp(t) + np.median(np.diff(t))) if t.size > 1 else 0.0
    if span >= need:
        return None
    return (f"each lifetime judged apart: every resume replayed the run, but the soak spans {span / 3600:.2f} h, "
            f"under the {need / 3600:.0f} h a one-series reading needs (over its first hour a healthy process's "
            "growth sits at the threshold's edge, where a resume's small level step tips it); soak longer")


@dataclass(frozen=True)
class LevelStep:
    """One resume's level step in one series, and the series' own wander at the same spacing."""

    series: str
    lifetime: int
    step: float
    wander: float | None

    @property
    def too_large(self) -> bool:
        """Larger than ``STEP_WANDER_FACTOR`` times any offset the series made on its own, or no
        such offset could be read (lifetimes too short to hold one past the settling)."""
        return self.wander is None or abs(self.step) > STEP_WANDER_FACTOR * self.wander


def level_steps(name: str, times_s: Any, groups: Any, values: Any, warmup_s: float = 0.0,
                settle_s: float | None = None, window_s: float | None = None) -> list[LevelStep]:
    """Each resume's step in ``values``: the median over the resumed lifetime's first ``window_s``
    past its settling, less the median over the previous lifetime's last ``window_s``; and the
    wander: the largest such offset (a ``window_s`` before a point against a ``window_s`` starting
    ``settle_s`` after it) at every sample inside one lifetime, past the soak's first ``warmup_s``
    and each resumed lifetime's settling. The same spacing on both sides, so a steady trend is in
    the step and the wander alike."""
    settle = REPLAY_SETTLE_S if settle_s is None else settle_s
    window = STEP_WINDOW_S if window_s is None else window_s
    t, g, _, keys = _lifetimes_of(times_s, groups)
    y = np.asarray(values, dtype=np.float64)
    if y.shape != t.shape:
        return []
    ok = np.isfinite(t) & np.isfinite(y)
    t, g, y = t[ok], g[ok], y[ok]
    keys = np.unique(g)
    offsets: list[float] = []
    starts = {}
    for k in keys:
        tk, yk = t[g == k], y[g == k]
        order = np.argsort(tk, kind="stable")
        tk, yk = tk[order], yk[order]
        starts[int(k)] = (tk, yk)
        first = tk[0] + (settle if k != keys[0] else 0.0)
        lo = max(first, float(t.min()) + warmup_s) + window
        anchors = tk[(tk >= lo) & (tk + settle + window <= tk[-1])]
        bounds = np.searchsorted(tk, np.stack([anchors - window, anchors, anchors + settle, anchors + settle + window]))
        for b0, b1, a0, a1 in bounds.T:
            if b1 > b0 and a1 > a0:
                offsets.append(float(np.median(yk[a0:a1]) - np.median(yk[b0:b1])))
    wander = max((abs(o) for o in offsets), default=None)
    steps = []
    for prev, k in zip(keys[:-1], keys[1:]):
        tp, yp = starts[int(prev)]
        tk, yk = starts[int(k)]
        before = yp[tp >= tp[-1] - window]
        after = yk[(tk >= tk[0] + settle) & (tk < tk[0] + settle + window)]
        if before.size and after.size:
            steps.append(LevelStep(name, int(k), float(np.median(after) - np.median(before)), wander))
    return steps


def step_too_large(steps: Iterable[LevelStep]) -> str | None:
    """Why replayed lifetimes are not read as one series for their level steps, or None: a resume
    whose step is larger than ``STEP_WANDER_FACTOR`` times its series' own wander (module
    docstring), or whose series has no wander to read; the largest such step named."""
    steps = list(steps)
    over = [s for s in steps if s.too_large]
    if not over:
        return None
    worst = max(over, key=lambda s: abs(s.step))
    wander = "no offset of its own to hold it against" if worst.wander is None else f"its own wander {_amount(worst.wander)}"
    return (f"each lifetime judged apart: every resume replayed the run, but {len(over)} of {len(steps)} resume "
            f"steps (series by resume) moved a level over {STEP_WANDER_FACTOR:g} times as far as the series moved on "
            f"its own, the largest {worst.series} {_amount(worst.step, sign=True)} at lifetime {worst.lifetime} against "
            f"{wander}: the replayed process does not stand where the last one ended, so the lifetimes' levels are "
            "not one series")


def steps_within(steps: Iterable[LevelStep]) -> str:
    """The largest resume step against its wander, for a one-series verdict's reason."""
    steps = list(steps)
    if not steps:
        return "no level step read"
    worst = max(steps, key=lambda s: abs(s.step) / s.wander if s.wander else 0.0)
    return (f"each resume's level step within the series' own wander (largest against it: {worst.series} "
            f"{_amount(worst.step, sign=True)} at lifetime {worst.lifetime}, wander {_amount(worst.wander or 0.0)})")


def _amount(v: float, sign: bool = False) -> str:
    """A level in MB where it is a byte count's size, else as the number it is."""
    if abs(v) >= 1e4:
        return f"{v / 1e6:+.2f} MB" if sign else f"{v / 1e6:.2f} MB"
    return f"{v:+g}" if sign else f"{v:g}"


def _lifetimes_of(times_s: Any, groups: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(times, lifetime labels, which times are finite, the labels of the finite samples in order)."""
    t = np.asarray(times_s, dtype=np.float64)
    g = np.asarray(groups, dtype=np.int64)
    finite = np.isfinite(t)
    return t, g, finite, np.unique(g[finite])
