"""A run's report figures folded from its entries, checkpoints, samples and glitches as they come.

Why a fold: a soak's report is rebuilt from its journal, and an 8-hour soak's journal holds
~313 000 report entries and 28 800 resource samples. Kept as dicts until the report was built,
they took ~400 bytes an entry and grew the build's peak with the run's length. Folded one at a
time, the build keeps what the report and its figures read, not the entries:

- counts (faults and errors by kind), the entries into ``failed``, the time in each state;
- the recovery episodes (``build`` module docstring), measured per fault kind as they close
  (three floats an episode, for the exact percentiles), with the first ``KEPT_EPISODES`` by start
  and every failed one kept whole, as ``report.json`` lists them;
- per checkpoint, the report's timeline row; the callback histograms merged;
- the resource samples as columns of floats (the leak judge reads every sample);
- the state figure's spans per state and fault ticks per kind, under a fixed budget each
  (``_Spans``, ``_Ticks``); the first glitches with a waveform (the glitch figure draws 8).

Exactness. The report of the fold is the report of the whole list, number for number. Entries are
folded in time order (a list is sorted first, as the report always did). Only a recovery episode
looks back: at the latest fault that fired at most ``ATTRIBUTION_WINDOW_S`` before it began, and
at the first error after that fault. Over a whole list that is a binary search over every fault
and error (``_WholeList``, the report's lookup as it was); over a stream it is the newest fault
and the errors of the last two windows (``_Window``), with the entries of one instant folded
together, their faults and errors first, because the whole-list search sees every fault of that
instant. A stream that breaks what the window needs raises ``NotFoldable`` (the journal is then
read whole, as before): an entry earlier than the one before it, a fault whose firing time is
not its entry's time (a resumed real-device soak's later segments), firing ids that are not the
injector's increasing ``...@N``, an attach entry with a state after the first transition, or a
plotted resource sample that is not a number.
"""

from __future__ import annotations

import bisect
import math
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..histogram import bins_percentiles, merge_bins
from .incidents import IncidentFold, entered_failure

__all__ = ["ALLOCATOR_METRICS", "ATTRIBUTION_WINDOW_S", "KEPT_EPISODES", "LEAK_METRICS", "ChunkFold", "EntryFold", "GlitchFold",
           "HELD_METRICS", "NotFoldable", "WINDOW_RECORDS_METRIC", "RunFold", "SampleFold", "fault_kind", "fold_lists"]

ATTRIBUTION_WINDOW_S = 10.0
#: episodes ``report.json`` lists (``recovery.episodes``), the first by start time
KEPT_EPISODES = 2000
#: the resource samples' series whose growth the report judges (``build._leaks``)
LEAK_METRICS = ("rss_bytes", "threads", "open_fds", "sut_live_allocations", "sut_buffers", "sut_streams",
                "sut_bytes")
#: the bytes bounded logs hold (``harness.leaks.log_books``): the system's logs, the harness's
#: history window, the fault injector's newest firings and the harness's caches (``harness.held_caches``), summed and taken out of ``rss_bytes`` before it is judged, never judged alone
#: (a log filling up is not a leak)
HELD_METRICS = ("sut_log_bytes", "harness_log_bytes", "faults_log_bytes", "caches_log_bytes")
#: the allocators' bytes in use (``harness.allocator``, a simulated soak's samples: the C
#: allocator's, then CPython's pymalloc's), judged beside ``rss_bytes`` (``harness.leaks``, point
#: 7), never alone
ALLOCATOR_METRICS = ("malloc_in_use_bytes", "pymalloc_in_use_bytes")
#: the entries a soak's history window holds now (``History.bounded_logs``): a saw between ``keep``
#: and ``2 * keep`` entries, modelled out of pymalloc's bytes before they are judged
#: (``harness.leak_levels``), never judged alone
WINDOW_RECORDS_METRIC = "harness_log_records"
#: the series the resources figure draws (``plots.resources``)
PLOTTED_METRICS = ("rss_bytes", "threads", "open_fds", "sut_live_allocations")
#: spans kept per state before the gaps too small to draw are closed (``_Spans``)
SPAN_BUDGET = 16_384
#: fault ticks kept per kind before ticks too close to draw apart are thinned (``_Ticks``)
TICK_BUDGET = 65_536
#: the run so far in parts: a span gap, or a tick distance, under one part is closed or thinned.
#: The state figure is ``plots.PLOT_W`` (640) pixels wide, over at least the run so far: one part
#: of 2 560 is at most a quarter pixel, which the renderer merges anyway (``svgplot._draw_spans``
#: joins spans less than half a pixel apart)
RESOLUTION_PARTS = 2_560
#: glitches with a waveform the glitch figure draws
WAVEFORMS = 8
#: glitch items ``report.json`` lists when only the journal's glitches are known
GLITCH_ITEMS = 200

_UNSEEN: Any = object()
_FIRING_N = re.compile(r"@(\d+)$")


class NotFoldable(Exception):
    """A stream the fold cannot fold with the whole list's result; the message says why."""


def fault_kind(e: Mapping[str, Any]) -> str:
    """A fault entry's kind as the report names it."""
    return str((e.get("data") or {}).get("kind") or e.get("value") or "unknown")


def _plot_kind(e: Mapping[str, Any]) -> str:
    """A fault entry's kind as the state figure labels it (no "unknown": the figure's own rule)."""
    return str((e.get("data") or {}).get("kind") or e.get("value"))


def _fired(e: Mapping[str, Any]) -> float:
    return float((e.get("data") or {}).get("fired_at") or e["time"])


# -- the fault an episode is attributed to, and its time to detect --------------------------------
class _WholeList:
    """The lookup over every fault and error of a time-sorted list: a binary search, as the
    report always made it."""

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        self.faults = [e for e in entries if e["type"] == "fault_start"]
        self.ftimes = [_fired(f) for f in self.faults]
        self.errors = [e["time"] for e in entries if e["type"] == "error"]
        self.caused: set[Any] = set()

    def register(self, e: dict[str, Any]) -> None:
        """Nothing: the whole list is known."""

    def attribute(self, t: float) -> tuple[str, Any, float | None]:
        i = bisect.bisect_right(self.ftimes, t) - 1
        if i >= 0 and t - self.ftimes[i] <= ATTRIBUTION_WINDOW_S:
            d = self.faults[i].get("data") or {}
            return fault_kind(self.faults[i]), d.get("firing_id"), self.ftimes[i]
        return "unattributed", None, None

    def mark(self, firing_id: Any) -> None:
        self.caused.add(firing_id)

    def detect(self, base: float, t: float) -> float:
        j = bisect.bisect_left(self.errors, base)
        return self.errors[j] if j < len(self.errors) and self.errors[j] <= t else t

    def absorbed(self) -> Counter[str]:
        """Per kind, the faults (by distinct firing id) no episode was attributed to."""
        fids: dict[str, set[Any]] = defaultdict(set)
        for f in self.faults:
            fids[fault_kind(f)].add((f.get("data") or {}).get("firing_id"))
        return Counter({k: len([fid for fid in s if fid not in self.caused]) for k, s in fids.items()})


class _Window:
    """The same lookup over a stream in time order: the newest fault and the errors of the last
    two attribution windows (an episode's fault is at most one window before it, and its time to
    detect reads errors from that fault on)."""

    def __init__(self) -> None:
        self.latest: tuple[str, str, float] | None = None
        self.latest_caused = False
        self.absorbed_by: Counter[str] = Counter()
        self.last_n = -1
        self.errors: list[float] = []

    def register(self, e: dict[str, Any]) -> None:
        kind = e["type"]
        if kind == "fault_start":
            fired = _fired(e)
            if fired != float(e["time"]):
                raise NotFoldable(f"a fault fired at {fired} s is recorded at {e['time']} s")
            fid = (e.get("data") or {}).get("firing_id")
            m = _FIRING_N.search(fid) if isinstance(fid, str) else None
            if m is None or int(m.group(1)) <= self.last_n:
                raise NotFoldable(f"firing id {fid!r} is not one of the injector's increasing '...@N' ids")
            self.last_n = int(m.group(1))
            self._retire()
            self.latest, self.latest_caused = (fault_kind(e), fid, fired), False
        elif kind == "error":
            self.errors.append(e["time"])
            if len(self.errors) > 4096:
                del self.errors[:bisect.bisect_left(self.errors, self.errors[-1] - 2 * ATTRIBUTION_WINDOW_S)]

    def _retire(self) -> None:
        if self.latest is not None and not self.latest_caused:
            self.absorbed_by[self.latest[0]] += 1

    def attribute(self, t: float) -> tuple[str, Any, float | None]:
        f = self.latest
        if f is not None and f[2] <= t and t - f[2] <= ATTRIBUTION_WINDOW_S:
            return f[0], f[1], f[2]
        return "unattributed", None, None

    def mark(self, firing_id: Any) -> None:
        self.latest_caused = True  # ``attribute`` only ever names the newest fault

    def detect(self, base: float, t: float) -> float:
        j = bisect.bisect_left(self.errors, base)
        return self.errors[j] if j < len(self.errors) and self.errors[j] <= t else t

    def absorbed(self) -> Counter[str]:
        out = Counter(self.absorbed_by)
        if self.latest is not None and not self.latest_caused:
            out[self.latest[0]] += 1
        return out


# -- recovery episodes ----------------------------------------------------------------------------
@dataclass
class KindStats:
    """One fault kind's episodes: counted by outcome, measured for the report's percentiles."""

    count: int = 0
    recovered: int = 0
    failed: int = 0
    unfinished: int = 0
    detect_s: array = field(default_factory=lambda: array("d"))  # every episode's time to detect
    recover_s: array = field(default_factory=lambda: array("d"))  # each recovered one's time to recover
    #: each recovered restart's audio lost, in seconds (frames = seconds x the sample rate, at the end)
    lost_s: array = field(default_factory=lambda: array("d"))


class _Episodes:
    """Recovery episodes as their entries come (``build`` module docstring: what one is)."""

    def __init__(self, lookup: _WholeList | _Window) -> None:
        self.lookup = lookup
        self.open_restart: dict[str, Any] | None = None
        self.open_degrade: dict[str, Any] | None = None
        self.total = 0
        self.recovered = 0
        self.by_kind: dict[str, KindStats] = {}
        #: (start, order closed, episode, seconds of audio lost or None): the first by start, and every failed one
        self.kept: list[tuple[float, int, dict[str, Any], float | None]] = []
        self.failed: list[tuple[float, int, dict[str, Any], float | None]] = []

    def _start(self, mode: str, t: float, cause: Any) -> dict[str, Any]:
        ftype, fid, ft = self.lookup.attribute(t)
        if fid:
            self.lookup.mark(fid)
        base = ft if ft is not None else t
        detect = self.lookup.detect(base, t)
        return {"mode": mode, "fault_type": ftype, "firing_id": fid, "fault_t": ft, "start_t": t,
                "detect_t": detect, "time_to_detect_s": detect - base, "cause": cause,
                "end_t": None, "outcome": None, "time_to_recover_s": None, "frames_lost": None,
                "attempts": None}

    def _close(self, ep: dict[str, Any], t: float, outcome: str, attempts: Any = None) -> None:
        base = ep["fault_t"] if ep["fault_t"] is not None else ep["start_t"]
        ep.update(end_t=t, outcome=outcome, time_to_recover_s=t - base, attempts=attempts)
        self._append(ep, (t - base) if ep["mode"] == "restart" else None)

    def _append(self, ep: dict[str, Any], lost_s: float | None) -> None:
        order = self.total
        self.total += 1
        st = self.by_kind.get(ep["fault_type"])
        if st is None:
            st = self.by_kind[ep["fault_type"]] = KindStats()
        st.count += 1
        st.detect_s.append(ep["time_to_detect_s"])
        outcome = ep["outcome"]
        if outcome == "recovered":
            st.recovered += 1
            self.recovered += 1
            st.recover_s.append(ep["time_to_recover_s"])
            if lost_s is not None:
                st.lost_s.append(lost_s)
        elif outcome == "failed":
            st.failed += 1
            self.failed.append((ep["start_t"], order, ep, lost_s))
        elif outcome in ("unfinished", "superseded"):
            st.unfinished += 1
        self.kept.append((ep["start_t"], order, ep, lost_s))
        if len(self.kept) >= 2 * KEPT_EPISODES:  # a later start never comes back into the first
            self.kept.sort(key=_by_start)
            del self.kept[KEPT_EPISODES:]

    def feed(self, e: dict[str, Any]) -> None:
        kind, t, d = e.get("value"), float(e["time"]), e.get("data") or {}
        if kind == "recovery_started":
            if self.open_restart is not None:  # a new episode without an end: close the old as superseded
                self._close(self.open_restart, t, "superseded")
            self.open_restart = self._start("restart", t, d.get("cause"))
        elif kind in ("recovery_succeeded", "recovery_failed") and self.open_restart is not None:
            self._close(self.open_restart, t, "recovered" if kind == "recovery_succeeded" else "failed",
                        d.get("attempts"))
            if kind == "recovery_failed":
                self.open_restart["reason"] = d.get("reason")
            self.open_restart = None
        elif kind == "degraded" and self.open_degrade is None:
            self.open_degrade = self._start("degrade", t, d.get("reason"))
        elif kind == "undegraded" and self.open_degrade is not None:
            self._close(self.open_degrade, t, "recovered")
            self.open_degrade = None

    def finish(self) -> None:
        for ep in (self.open_restart, self.open_degrade):
            if ep is not None:
                ep["outcome"] = "unfinished"
                self._append(ep, None)
        self.open_restart = self.open_degrade = None
        self.kept.sort(key=_by_start)
        del self.kept[KEPT_EPISODES:]
        self.failed.sort(key=_by_start)


def _by_start(item: tuple[float, int, Any, Any]) -> tuple[float, int]:
    return item[0], item[1]


def episode_out(item: tuple[float, int, dict[str, Any], float | None], rate: int) -> dict[str, Any]:
    """A kept episode as the report lists it: a restart's frames lost at the run's sample rate."""
    ep, lost_s = item[2], item[3]
    return ep if lost_s is None else {**ep, "frames_lost": int(round(lost_s * rate))}


# -- plot series under a budget -------------------------------------------------------------------
class _Spans:
    """One state's spans (start, end), in time order. Past ``SPAN_BUDGET`` spans, gaps under one
    ``RESOLUTION_PARTS``-th of the run so far are closed: the renderer joins those anyway, so
    the figure is the same and a state keeps at most ``RESOLUTION_PARTS`` + 1 spans after it."""

    __slots__ = ("starts", "ends")

    def __init__(self) -> None:
        self.starts, self.ends = array("d"), array("d")

    def add(self, a: float, b: float) -> None:
        self.starts.append(a)
        self.ends.append(b)
        if len(self.starts) > SPAN_BUDGET:
            self._close_gaps(b / RESOLUTION_PARTS)

    def _close_gaps(self, gap: float) -> None:
        starts, ends = array("d", self.starts[:1]), array("d", self.ends[:1])
        for a, b in zip(self.starts[1:], self.ends[1:]):
            if a - ends[-1] <= gap:
                ends[-1] = max(ends[-1], b)
            else:
                starts.append(a)
                ends.append(b)
        self.starts, self.ends = starts, ends

    def pairs(self) -> list[tuple[float, float]]:
        return list(zip(self.starts, self.ends))


class _Ticks:
    """One fault kind's firing times. Past ``TICK_BUDGET`` ticks, a tick less than one tenth of
    a ``RESOLUTION_PARTS``-th of the run so far after the one before is dropped: at most 1/40 px
    on the figure (over 65 536 ticks of one kind, some 45 hours of the default profile)."""

    __slots__ = ("times",)

    def __init__(self) -> None:
        self.times = array("d")

    def add(self, t: float) -> None:
        self.times.append(t)
        if len(self.times) > TICK_BUDGET:
            gap = t / (10 * RESOLUTION_PARTS)
            kept = array("d", self.times[:1])
            for x in self.times[1:]:
                if x - kept[-1] >= gap:
                    kept.append(x)
            self.times = kept


# -- entries --------------------------------------------------------------------------------------
class EntryFold:
    """Everything the report and its figures read of the history's entries, folded in time order.

    ``t0``: the report's start (the first checkpoint's start, else 0), where time in state is
    counted from. ``lookup``: ``_WholeList`` over a sorted list (``fold_lists``) or ``_Window``
    over a stream (entries of one instant are held until the next instant)."""

    def __init__(self, t0: float, lookup: _WholeList | _Window, *, first_attach: Any = _UNSEEN,
                 plot_attach: Any = _UNSEEN, ticks: bool = True) -> None:
        self.t0 = t0
        self.lookup = lookup
        self.stream = isinstance(lookup, _Window)
        self.group: list[dict[str, Any]] = []
        self.group_t: Any = None
        self.max_t: float | None = None
        self.faults = 0
        self.transitions = 0
        self.faults_by_kind: Counter[str] = Counter()
        self.errors_by_type: Counter[str] = Counter()
        self.entered_failed: list[dict[str, Any]] = []
        self.incidents = IncidentFold()
        self.ticks: dict[str, _Ticks] = {}
        self.spans: dict[str, _Spans] = {}
        self.episodes = _Episodes(lookup)
        #: the first attach entry's state, for the time in state and for the state figure (a list
        #: knows both up front: the first in time order, and the first in the list's own order)
        self.first_attach = first_attach
        self.plot_attach = plot_attach
        self._ticks = ticks  # False: the caller draws the ticks (a list, in its own order)
        self._assumed_no_attach = False
        self._walking = False
        self._tis: dict[str, float] = defaultdict(float)
        self._tis_state: Any = None
        self._tis_t = t0
        self._plot_state: Any = None
        self._plot_t = 0.0

    def feed(self, e: dict[str, Any]) -> None:
        if not self.stream:
            self._fold(e)
            return
        t = e.get("time", 0.0)
        if self.group and t != self.group_t:
            if t < self.group_t:
                raise NotFoldable(f"an entry at {t} s follows one at {self.group_t} s")
            self._flush()
        self.group.append(e)
        self.group_t = t

    def _flush(self) -> None:
        for e in self.group:
            self.lookup.register(e)
        for e in self.group:
            self._fold(e)
        self.group.clear()

    def finish(self) -> "EntryFold":
        if self.group:
            self._flush()
        self.episodes.finish()
        return self

    def _fold(self, e: dict[str, Any]) -> None:
        t = e.get("time", 0.0)
        self.max_t = t if self.max_t is None else max(self.max_t, t)
        kind = e["type"]
        if kind == "transition":
            self._transition(e)
        elif kind == "fault_start":
            self.faults += 1
            self.faults_by_kind[fault_kind(e)] += 1
            if self._ticks:
                self.tick(e)
        elif kind == "error":
            self.errors_by_type[(e.get("data") or {}).get("type") or "unknown"] += 1
        elif kind == "event":
            self.episodes.feed(e)
        elif kind == "attach" and self.first_attach is _UNSEEN:
            self.first_attach = self.plot_attach = (e.get("data") or {}).get("state")
            if self._assumed_no_attach and self.first_attach is not None:
                raise NotFoldable("an attach entry with a state comes after the first transition")

    def tick(self, e: dict[str, Any]) -> None:
        """A fault's tick on the state figure, in its kind's row."""
        ticks = self.ticks.get(_plot_kind(e))
        if ticks is None:
            ticks = self.ticks[_plot_kind(e)] = _Ticks()
        ticks.add(e["time"])

    def _transition(self, e: dict[str, Any]) -> None:
        d = e.get("data") or {}
        t = e["time"]
        self.transitions += 1
        if not self._walking:
            self._walking = True
            if self.first_attach is _UNSEEN:
                self._assumed_no_attach = True
            start = _state(self.first_attach)
            self._plot_state = _state(self.plot_attach)
            self._tis_state = start if start is not None else d.get("from_state")
        self.incidents.feed(t, d)
        # FAILED on purpose (``simulate_error``, an injected fault of its own) is not a failure
        if entered_failure(d):
            self.entered_failed.append({"time": t, "kind": "entered_failed", "invariant": None,
                                        "message": d.get("cause")})
        # time in state, from t0 on
        if t < self.t0:
            self._tis_state = d.get("to_state")
        else:
            if self._tis_state is not None:
                self._tis[self._tis_state] += max(0.0, t - self._tis_t)
            self._tis_t = t
            self._tis_state = d.get("to_state")
        # the state figure's spans, from 0 on
        if self._plot_state is not None and t > self._plot_t:
            spans = self.spans.get(self._plot_state)
            if spans is None:
                spans = self.spans[self._plot_state] = _Spans()
            spans.add(self._plot_t, t)
        self._plot_t = t
        self._plot_state = d.get("to_state")

    def time_in_state(self, t1: float) -> dict[str, float]:
        """Seconds in each state from ``t0`` to ``t1``, longest first."""
        out = defaultdict(float, self._tis)
        state, t = (self._tis_state, self._tis_t) if self._walking else (_state(self.first_attach), self.t0)
        if state is not None and t1 > t:
            out[state] += t1 - t
        return dict(sorted(((k, v) for k, v in out.items() if v > 1e-9), key=lambda kv: -kv[1]))

    def state_spans(self, t_end: float) -> dict[str, list[tuple[float, float]]]:
        """The state figure's spans (start, end) per state, in the order states first appear."""
        out = {k: v.pairs() for k, v in self.spans.items()}
        state, t = (self._plot_state, self._plot_t) if self._walking else (_state(self.plot_attach), 0.0)
        if state is not None and t_end > t:
            out.setdefault(state, []).append((t, t_end))
        return out


# -- checkpoints, samples, glitches ---------------------------------------------------------------
class ChunkFold:
    """Per checkpoint: the report's timeline row; over all: the merged callback histogram."""

    TIMELINE_COUNTERS = ("xruns", "recoveries", "errors", "callbacks", "frames_dropped", "budget_overruns")

    def __init__(self) -> None:
        self.count = 0
        self.start_t = 0.0
        self.last_counters: dict[str, Any] | None = None
        self.with_cb = 0
        self.bins: dict[int, int] = defaultdict(int)
        self.cb_max: Any = None
        self.cb_sum: Any = 0
        self.rows: list[dict[str, Any]] = []
        self._prev: dict[str, Any] = {}

    def add(self, c: Mapping[str, Any]) -> None:
        if not self.count:
            self.start_t = float(c.get("sim_t0", 0.0))
        self.count += 1
        self.last_counters = c.get("counters")
        cb = c.get("cb") or {}
        if c.get("cb"):
            self.with_cb += 1
            for k, v in (cb.get("bins") or {}).items():
                self.bins[int(k)] += int(v)
            mx = cb.get("max") or 0.0
            self.cb_max = mx if self.cb_max is None else max(self.cb_max, mx)
            self.cb_sum += cb.get("sum") or 0.0
        counters = c.get("counters") or {}
        row = {"t": c.get("sim_t1"), "t0": c.get("sim_t0"), "wall_s": c.get("wall_s"),
               "state": c.get("state"), "segment": c.get("segment", 0)}
        prev = self._prev
        for name in self.TIMELINE_COUNTERS:
            if name in counters:
                row[name] = counters[name] - prev.get(name, 0) if counters[name] >= prev.get(name, 0) \
                    else counters[name]
        if cb.get("bins"):
            p = bins_percentiles(merge_bins([cb["bins"]]))
            row.update(cb_p50=p["p50"], cb_p99=p["p99"], cb_max=cb.get("max"))
        self.rows.append(row)
        self._prev = counters


class SampleFold:
    """The resource samples as columns: time, segment, and each judged series (NaN where a sample
    has no number for it: the leak judge drops those, as it drops what is not a number)."""

    def __init__(self, source: list[dict[str, Any]] | None = None) -> None:
        self.n = 0
        self.t = array("d")
        self.segment = array("q")
        self.values = {m: array("d") for m in (*LEAK_METRICS, *HELD_METRICS, *ALLOCATOR_METRICS, WINDOW_RECORDS_METRIC)}
        self.cpu = array("d")  # the numeric cpu_percent values, in order
        self.present: set[str] = set()
        self.t_max: float | None = None
        #: a list's samples, kept for the resources figure (which reads them as the report always
        #: did, a value that is not a number included); None for a stream
        self.source = source
        for s in source or ():
            self.add(s)

    def add(self, s: Mapping[str, Any]) -> None:
        self.n += 1
        t = float(s["t"])
        self.t.append(t)
        self.t_max = t if self.t_max is None else max(self.t_max, t)
        self.segment.append(int(s.get("segment", 0)))
        for m, col in self.values.items():
            v = s.get(m, _UNSEEN)
            if v is _UNSEEN:
                col.append(math.nan)
                continue
            self.present.add(m)
            if isinstance(v, (int, float)):
                col.append(float(v))
            else:
                if self.source is None and m in PLOTTED_METRICS:
                    raise NotFoldable(f"a resource sample's {m} is not a number: {v!r}")
                col.append(math.nan)
        cpu = s.get("cpu_percent")
        if isinstance(cpu, (int, float)):
            self.cpu.append(float(cpu))

    def series(self, metric: str) -> tuple[list[float], list[float]]:
        """(times, values) of the samples that carry ``metric``, for the resources figure."""
        if self.source is not None:
            pts = [(float(s["t"]), float(s[metric])) for s in self.source if metric in s]
            return [p[0] for p in pts], [p[1] for p in pts]
        return list(self.t), list(self.values[metric])  # NaN is not drawn


#: the kind ``GlitchFold`` counts a left-out glitch under when its journal kept no kinds for them
#: (a journal written before the ``more`` record carried ``by_kind``)
KIND_NOT_KEPT = "left out, kind not kept"


class GlitchFold:
    """The journal's glitches: counted by kind, the first ``GLITCH_ITEMS`` listed, the first
    ``WAVEFORMS`` with a waveform kept for the figure. A checkpoint lists at most
    ``audio_check.JOURNAL_GLITCHES`` and journals the rest as one ``{"kind": "more", "count",
    "by_kind"}`` record: counted in ``count`` and ``by_kind`` (``KIND_NOT_KEPT`` where the record has
    no kinds) and in ``left_out``, so the report of a soak that did not finish counts every glitch
    heard and says how many it cannot list."""

    def __init__(self) -> None:
        self.count = 0
        self.by_kind: Counter[str] = Counter()
        self.items: list[dict[str, Any]] = []
        self.waves: list[dict[str, Any]] = []
        #: glitches heard but journaled as a count, not one by one
        self.left_out = 0

    def add(self, g: dict[str, Any]) -> None:
        if g.get("waveform") and len(self.waves) < WAVEFORMS:
            self.waves.append(g)
        if g.get("kind") == "more":
            self._add_left_out(g)
            return
        self.count += 1
        self.by_kind[g.get("kind", "?")] += 1
        if len(self.items) < GLITCH_ITEMS:
            self.items.append({k: v for k, v in g.items() if k != "waveform"})

    def _add_left_out(self, g: dict[str, Any]) -> None:
        """A checkpoint's ``more`` record: its count, by kind where it kept them."""
        n = g.get("count")
        if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
            return
        kinds = g.get("by_kind")
        kept = ({str(k): v for k, v in kinds.items() if isinstance(v, int) and not isinstance(v, bool) and v > 0}
                if isinstance(kinds, dict) else {})
        self.by_kind.update(kept)
        if n > sum(kept.values()):
            self.by_kind[KIND_NOT_KEPT] += n - sum(kept.values())
        self.count += n
        self.left_out += n


@dataclass
class RunFold:
    """A run's entries, checkpoints, samples and glitches, folded."""

    entries: EntryFold
    chunks: ChunkFold
    samples: SampleFold
    glitches: GlitchFold


def fold_lists(entries: Iterable[dict[str, Any]], chunks: Iterable[Mapping[str, Any]],
               samples: list[dict[str, Any]], glitches: Iterable[dict[str, Any]]) -> RunFold:
    """The fold of a run's lists (``RunData``): entries sorted by time, then folded with the
    whole-list lookup; exact for any list."""
    cf = ChunkFold()
    for c in chunks:
        cf.add(c)
    entries = list(entries)
    ordered = sorted(entries, key=lambda e: e.get("time", 0.0))
    ef = EntryFold(cf.start_t, _WholeList(ordered), first_attach=_first_attach(ordered),
                   plot_attach=_first_attach(entries), ticks=False)
    for e in ordered:
        ef.feed(e)
    for e in entries:  # the state figure draws the ticks in the list's own order
        if e["type"] == "fault_start":
            ef.tick(e)
    gf = GlitchFold()
    for g in glitches:
        gf.add(g)
    return RunFold(ef.finish(), cf, SampleFold(samples), gf)


def _state(attach: Any) -> Any:
    """An attach entry's state as the walks start from it (None: no attach entry)."""
    return None if attach is _UNSEEN else attach


def _first_attach(entries: list[dict[str, Any]]) -> Any:
    return next(((e.get("data") or {}).get("state") for e in entries if e["type"] == "attach"), None)


def stream_fold() -> tuple[ChunkFold, SampleFold, GlitchFold, _Window]:
    """The empty folds of a stream (``build.run_data_from_journal``); the entry fold is made at the
    first checkpoint, whose start it needs."""
    return ChunkFold(), SampleFold(), GlitchFold(), _Window()
