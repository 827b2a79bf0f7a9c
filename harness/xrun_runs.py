"""When a listening window's xrun reports came, kept in bounded memory for as long as it is open.

The audio check (``harness.audio_check``) judges a silence that only xrun reports explain by the
longest stretch of it with no report (``_Episode.longest_unreported``): under half a second, the
machine missed deadlines all through it and its damage cannot be told from the system's; half a
second or more, the silence is the system's. That needs to know when the reports came, all the
time the window is open. On a loaded rig JACK reports 30-80 xruns a second and they keep one
window open for most of an hour: a window that kept its first 8 192 report times knew them for
its first ~2 minutes, and every silence after that was counted "dense" although nobody knew
(a 1-hour healthy rig soak, bench/RESULTS.md, issue #11: "0.000 s of it the longest without one"
for a silence 45 minutes into a window whose known reports had ended 43 minutes before).

What the judgement needs is the stretches *without* reports, not every report: reports closer
together than ``RUN_GAP_S`` are kept as one run (its start, end and the widest gap between two of
its reports, which is under ``RUN_GAP_S``). A dense stretch of any length is one run; only a gap
of ``RUN_GAP_S`` or more starts a new one, so the runs kept cover the window however long it
lasts unless it holds ``RUNS_KEPT`` such gaps. With ``RUN_GAP_S`` under the judge's half second
the verdict is the same as with every report kept: a stretch with no report that reaches half a
second lies between two runs, where it is measured exactly, and inside a run none is that long.

The check keeps the whole run's JACK reports so too (``AudioCheck.jack_xruns_between``): a stall
in a soak's middle, where the reports' times were let go, is told by the runs around it
(``at_least_between``: a lower bound, 0 exact) instead of being called unexplained.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable

#: reports closer together than this are one run. Under ``audio_check.MACHINE_MUTE_MAX_S`` (the
#: longest stretch without a report the judge lays on the machine, 0.5 s), so a stretch that long
#: is always a gap between runs, measured exactly
RUN_GAP_S = 0.25
#: runs one window keeps; past them the window knows its reports only up to the first run it let
#: go (``known_until``). A window reaches it only after this many gaps of ``RUN_GAP_S`` or more
#: (over half an hour of reports spaced just past it); a dense stretch is one run
RUNS_KEPT = 8192


class ReportRuns:
    """The xrun reports of one window as runs ``[start, end]`` in time order, each with the widest
    gap between two of its reports (an upper bound once runs that overlapped were joined), how many
    reports came in all, and from when they are not known (``known_until``: inf while every report
    was kept). Reports may come out of time order (one read late is placed where it lay)."""

    __slots__ = ("starts", "ends", "widest", "counts", "count", "known_until")

    def __init__(self) -> None:
        self.starts: list[float] = []
        self.ends: list[float] = []
        self.widest: list[float] = []
        self.counts: list[int] = []  # the reports in each run
        self.count = 0
        self.known_until = math.inf

    def _state(self) -> tuple[list[float], list[float], list[float], list[int], int, float]:
        return self.starts, self.ends, self.widest, self.counts, self.count, self.known_until

    def __eq__(self, other: object) -> bool:
        """The same runs, count and ``known_until`` (two windows that heard the same reports)."""
        return isinstance(other, ReportRuns) and self._state() == other._state()

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return (f"ReportRuns(count={self.count}, runs={list(zip(self.starts, self.ends, self.widest))}, "
                f"known_until={self.known_until})")

    def __len__(self) -> int:
        """The reports that came (kept in a run or not)."""
        return self.count

    def add(self, t: float) -> None:
        """A report at ``t``."""
        self.add_run(t, t, 0.0, 1)

    def extend(self, other: "ReportRuns") -> None:
        """Every report of ``other`` (a window joined to this one)."""
        for t0, t1, wide, n in zip(other.starts, other.ends, other.widest, other.counts):
            self.add_run(t0, t1, wide, n)
        self.count += other.count - sum(other.counts)  # those ``other`` let go
        self.known_until = min(self.known_until, other.known_until)

    def add_run(self, t0: float, t1: float, wide: float, reports: int) -> None:
        """``reports`` reports from ``t0`` to ``t1`` whose widest gap was ``wide``: joined to every
        kept run it comes within ``RUN_GAP_S`` of. A run that joins none when ``RUNS_KEPT`` are kept
        is let go, and nothing from its start on is known to be unreported."""
        self.count += reports
        i = bisect.bisect_right(self.starts, t0)
        lo = i - 1 if i > 0 and t0 - self.ends[i - 1] < RUN_GAP_S else i
        hi, end = i, t1
        while hi < len(self.starts) and self.starts[hi] - end < RUN_GAP_S:
            end = max(end, self.ends[hi])
            hi += 1
        if lo == hi:
            if len(self.starts) >= RUNS_KEPT:
                self.known_until = min(self.known_until, t0)
                return
            self.starts.insert(i, t0)
            self.ends.insert(i, t1)
            self.widest.insert(i, wide)
            self.counts.insert(i, reports)
            return
        joined = sum(self.counts[lo:hi]) + reports
        pieces = sorted([*zip(self.starts[lo:hi], self.ends[lo:hi], self.widest[lo:hi]), (t0, t1, wide)])
        start, reach, widest = pieces[0]
        for p0, p1, w in pieces[1:]:
            widest = max(widest, w, p0 - reach)  # a gap between two pieces, or a piece's own
            reach = max(reach, p1)
        self.starts[lo:hi] = [start]
        self.ends[lo:hi] = [reach]
        self.widest[lo:hi] = [widest]
        self.counts[lo:hi] = [joined]

    def at_least_between(self, a: float, b: float) -> int | None:
        """A lower bound of the reports in ``a..b``, exact 0 when none came there: the reports of
        every run inside it, and one for each run that reaches into it (its start or end is a
        report there; one that spans it has one there too when ``a..b`` is ``RUN_GAP_S`` or
        longer). None where that is not known: past ``known_until``, or inside a run's span
        shorter than ``RUN_GAP_S`` (a gap of the run may hold it)."""
        if b >= self.known_until:
            return None
        lo = bisect.bisect_left(self.ends, a)  # runs that end at or after a
        n = 0
        for k in range(lo, len(self.starts)):
            s, e = self.starts[k], self.ends[k]
            if s > b:
                break
            if a <= s and e <= b:
                n += self.counts[k]
            elif a <= s or e <= b:
                n += 1
            elif b - a >= RUN_GAP_S:
                n += 1
            else:
                return None
        return n

    def longest_without(self, a: float, b: float, idle: Iterable[tuple[float, float]] = ()) -> float:
        """The longest stretch of ``a..b`` with no report in it, less the parts of it in ``idle``
        (sorted, disjoint: where the server did not run, it reports nothing). Inside a run the
        stretch is its widest gap (an upper bound, under ``RUN_GAP_S``). Nothing past
        ``known_until`` is measured: call with ``b`` at most it.

        Reports after ``b`` change nothing: the stretches are measured between ``a``, the
        reports and ``b``, so the last one ends at ``b`` whether a report came just after it or
        none did. (A report that comes late speaks of one missed deadline up to
        ``audio_check.XRUN_LEAD_S`` before it, not of the whole lead: taking one after ``b`` as
        covering the silence's last half second would lay a system's silence on the machine.)"""
        lo = bisect.bisect_right(self.ends, a)  # runs that end after a (ends rise with starts)
        marks: list[tuple[float, float]] = []
        worst = 0.0
        for k in range(lo, len(self.starts)):
            s, e = self.starts[k], self.ends[k]
            if s >= b:
                break
            c0, c1 = min(max(s, a), b), min(e, b)
            marks.append((c0, c1))
            worst = max(worst, min(self.widest[k], c1 - c0))
        edges = [a] + [x for m in marks for x in m] + [b]
        spans = list(idle)
        for x, y in zip(edges[0::2], edges[1::2]):
            if y > x:
                worst = max(worst, (y - x) - _covered(x, y, spans))
        return worst


def _covered(x: float, y: float, spans: Iterable[tuple[float, float]]) -> float:
    """How much of ``x..y`` the ``spans`` (sorted by start; they may overlap) cover."""
    covered, reach = 0.0, x
    for p, q in spans:
        if p >= y:
            break
        lo, hi = max(p, reach), min(q, y)
        if hi > lo:
            covered += hi - lo
            reach = hi
    return covered
