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

The report does not read lifetimes so yet (``harness.reports.build`` passes no rule; ``harness.leaks``,
point 9): on real resumed soaks the one-series reading called a healthy 1-hour soak replayed every 20
minutes a leak, and a verified replay's process may still sit at another level than the first
lifetime's (a fresh tree's first soak, whose first process wrote the numba caches, held ~43 MB more
of malloc's bytes than its replayed process: the compiling's, likely), which a one-series slope
reads as a fall (bench/RESULTS.md, issue #11). ``bench/leak_resumed_pooled.py`` prints the rule's verdict beside the report's.
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


def _lifetimes_of(times_s: Any, groups: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(times, lifetime labels, which times are finite, the labels of the finite samples in order)."""
    t = np.asarray(times_s, dtype=np.float64)
    g = np.asarray(groups, dtype=np.int64)
    finite = np.isfinite(t)
    return t, g, finite, np.unique(g[finite])
