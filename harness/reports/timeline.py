"""``timeline.html``: what every thread did when, in the spirit of Jepsen's timeline.

One lane per process that ran ops (``run_op``'s ``process``: ``operator``, ``storm-N``,
``nemesis``, ...), a lane for the fault injector (each firing a bar from ``fault_start`` to
``fault_end``) and one for the system itself (its own transitions, ``actor: "system"``, and its
recovery events), above a band of the system's lifecycle state. Each op is a bar from its invoke to
its completion, coloured by outcome (ok, fail = a refusal, info = effect unknown, open = never
completed); faults also shade every lane while they last. Ops a violated invariant names are
outlined in black. Hovering shows each bar's details (SVG ``<title>``: no script at all).

The horizontal axis is the history's *entry order*, not time: on the simulated device a storm of
ops often completes within one simulated instant, and order is what linearizability is about.
Ticks give the system-clock time at their entry.

A history of 100 000 entries is not drawn whole: an overview strip aggregates the whole run
(ops per outcome, faults, per bin of entries) and at most three detail windows of ``WINDOW``
entries are drawn: around the first violation, the start and the end of the run.
"""

from __future__ import annotations

import json
import math
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

__all__ = ["WINDOW", "Timeline", "read_timeline", "render_timeline"]

#: entries drawn in one detail window
WINDOW = 1500
#: bins of the overview strip
OVERVIEW_BINS = 300
LANE_H = 22
LABEL_W = 120
COLOURS = {"ok": "#2da44e", "fail": "#e5534b", "info": "#d4a72c", "open": "#8c959f"}
STATE_COLOURS = {"running": "#2da44e", "recovering": "#fb8500", "failed": "#cf222e", "degraded": "#d4a72c",
                 "stopped": "#8c959f", "configured": "#54aeff", "initialized": "#b6e3ff",
                 "uninitialized": "#eaeef2", "starting": "#a5d6a7", "stopping": "#c8c8c8",
                 "closed": "#6e7781", "paused": "#b392f0"}
SYSTEM_EVENTS = ("recovery_started", "recovery_succeeded", "recovery_failed", "degraded", "undegraded")


@dataclass(slots=True)
class Op:
    op_id: Any
    process: str
    op: str
    args: Any
    invoke: int
    t0: float
    done: int | None = None
    t1: float | None = None
    outcome: str = "open"
    value: Any = None
    error: Any = None
    pre: Any = None
    post: Any = None


@dataclass(slots=True)
class Fault:
    firing_id: str
    kind: str
    target: Any
    start: int
    t0: float
    end: int | None = None
    t1: float | None = None


@dataclass(slots=True)
class Mark:
    """A transition the system made by itself, or one of its recovery events."""

    index: int
    time: float
    label: str
    detail: str


@dataclass
class Timeline:
    ops: list[Op] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    states: list[tuple[int, str]] = field(default_factory=list)  # (index, state entered), system only
    #: time of entry i (a compact array: a soak's history has millions of entries)
    times: array = field(default_factory=lambda: array("d"))
    processes: list[str] = field(default_factory=list)
    entries: int = 0
    bad_lines: int = 0
    initial_state: str | None = None
    #: a timeline read in windows (``timeline_from_file``) holds only what its windows draw; these
    #: carry what the whole history said: op and fault totals, the overview's bins, the times of the
    #: windows' entries, and the focus lookups (op id -> its last invoke, time -> entry)
    op_total: int | None = None
    fault_total: int | None = None
    bins: tuple[list[int], list[int], list[int]] | None = None
    window_times: dict[int, float] | None = None
    invokes: dict[Any, int] | None = None
    indices: dict[float, int] | None = None

    @property
    def op_count(self) -> int:
        return len(self.ops) if self.op_total is None else self.op_total

    @property
    def fault_count(self) -> int:
        return len(self.faults) if self.fault_total is None else self.fault_total

    def time_at(self, index: int) -> float:
        if self.window_times is not None:
            return self.window_times.get(max(0, min(index, self.entries - 1)), 0.0)
        if not self.times:
            return 0.0
        return self.times[max(0, min(index, len(self.times) - 1))]


def read_timeline(lines: Iterable[str]) -> Timeline:
    """One pass over ``history.jsonl`` lines; unreadable lines are counted, not fatal."""
    tl = Timeline()
    open_ops: dict[Any, Op] = {}
    open_faults: dict[str, Fault] = {}
    procs: dict[str, None] = {}
    last_t = 0.0
    for n, line in enumerate(lines):
        try:
            e = json.loads(line)
            kind = e["type"]
        except (ValueError, KeyError, TypeError):
            tl.bad_lines += 1
            continue
        i = e.get("index", n)
        i = i if isinstance(i, int) else n
        t = e.get("time")
        t = float(t) if isinstance(t, (int, float)) and math.isfinite(t) else last_t
        last_t = t
        while len(tl.times) <= i:
            tl.times.append(t)
        tl.times[i] = t
        tl.entries = max(tl.entries, i + 1)
        _fold(tl, e, kind, i, t, open_ops, open_faults, procs)
    tl.processes = sorted(procs, key=_natural)
    return tl


def _fold(tl: Timeline, e: dict[str, Any], kind: Any, i: int, t: float, open_ops: dict[Any, Op],
          open_faults: dict[str, Fault], procs: dict[str, None]) -> None:
    """Entry ``e`` (number ``i``, at ``t``) folded into ``tl``'s ops, faults, marks and states."""
    data = e.get("data") if isinstance(e.get("data"), dict) else {}
    if kind == "invoke":
        proc = str(e.get("process") if e.get("process") is not None else "?")
        procs.setdefault(proc, None)
        o = Op(e.get("op_id"), proc, str(e.get("op")), data.get("args"), i, t, pre=data.get("pre"))
        tl.ops.append(o)
        open_ops[e.get("op_id")] = o
    elif kind in ("ok", "fail", "info"):
        o = open_ops.pop(e.get("op_id"), None)
        if o is not None:
            o.done, o.t1, o.outcome = i, t, kind
            o.value = e.get("value", data.get("value"))
            o.error = data.get("error")
            o.pre = data.get("pre", o.pre)
            o.post = data.get("post")
    elif kind == "fault_start":
        fid = str(data.get("firing_id") or f"fault@{i}")
        f = Fault(fid, str(data.get("kind") or e.get("value") or "fault"), data.get("target"), i, t)
        tl.faults.append(f)
        open_faults[fid] = f
    elif kind == "fault_end":
        f = open_faults.pop(str(data.get("firing_id")), None)
        if f is not None:
            f.end, f.t1 = i, t
    elif kind == "transition" and data.get("component") in (None, "system"):
        to = str(data.get("to_state"))
        tl.states.append((i, to))
        if data.get("actor") == "system":
            tl.marks.append(Mark(i, t, to, f"system: {data.get('from_state')} -> {to} "
                                          f"(cause {data.get('cause')}, seq {data.get('seq')})"))
    elif kind == "event" and e.get("value") in SYSTEM_EVENTS:
        tl.marks.append(Mark(i, t, str(e.get("value")),
                             f"{e.get('value')} " + json.dumps({k: v for k, v in data.items() if k != "config"},
                                                               default=str)[:200]))
    elif kind == "attach":
        tl.initial_state = data.get("state")


def _natural(name: str) -> list[Any]:
    """``storm-2`` before ``storm-10``: digits compare as numbers."""
    import re
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", name) if p]


def _focus(tl: Timeline, report: dict[str, Any]) -> tuple[int | None, set[Any]]:
    """The first entry a violated invariant points at, and the op ids it names."""
    by_op = tl.invokes if tl.invokes is not None else {o.op_id: o.invoke for o in tl.ops}
    points: list[int] = []
    named: set[Any] = set()
    for k, x in _evidence_items(report):
        if k == "op_id" and x in by_op:
            named.add(x)
            points.append(by_op[x])
        elif k in ("index", "segment_start") and isinstance(x, int) and 0 <= x < tl.entries:
            points.append(x)
        elif k in ("entered", "time") and isinstance(x, (int, float)) and tl.entries:
            points.append(_index_at(tl, float(x)))
    return (min(points) if points else None), named


def _evidence_items(report: dict[str, Any]) -> Iterator[tuple[Any, Any]]:
    """Every key and value of every mapping, at any depth, in the evidence of the invariants that
    failed: what ``_focus`` points at and what ``_evidence_keys`` collects for it."""
    def walk(v: Any) -> Iterator[tuple[Any, Any]]:
        if isinstance(v, dict):
            for k, x in v.items():
                yield k, x
                yield from walk(x)
        elif isinstance(v, list):
            for x in v:
                yield from walk(x)

    for inv in (report.get("stability") or {}).get("invariants") or []:
        if not inv.get("ok"):
            yield from walk((inv.get("details") or {}).get("evidence"))


def _index_at(tl: Timeline, t: float) -> int:
    import bisect
    if tl.indices is not None:  # NaN: no key finds it, and bisect puts it first
        return tl.indices.get(t, 0)
    return min(bisect.bisect_left(tl.times, t), max(len(tl.times) - 1, 0))


def _windows(tl: Timeline, focus: int | None, size: int) -> list[tuple[str, int, int]]:
    n = tl.entries
    if n <= size:
        return [("the whole run", 0, n)]
    wins = [("the start of the run", 0, size)]
    if focus is not None:
        lo = max(0, min(focus - size // 3, n - size))
        wins.append(("around the first violation", lo, lo + size))
    wins.append(("the end of the run", n - size, n))
    merged: list[tuple[str, int, int]] = []
    for title, lo, hi in sorted(wins, key=lambda w: w[1]):
        if merged and lo <= merged[-1][2]:
            t0, l0, h0 = merged[-1]
            merged[-1] = (t0 if "violation" in t0 else title if "violation" in title else t0, l0, max(h0, hi))
        else:
            merged.append((title, lo, hi))
    return merged


def _short(v: Any, limit: int = 120) -> str:
    text = json.dumps(v, default=str) if not isinstance(v, str) else v
    return text if len(text) <= limit else text[:limit] + "..."


def _op_title(o: Op) -> str:
    args = ", ".join(_short(a, 60) for a in o.args) if isinstance(o.args, list) else _short(o.args or "", 60)
    lines = [f"op #{o.op_id} {o.op}({args}) by {o.process}: {o.outcome}"]
    if o.value is not None:
        lines.append(f"returned {_short(o.value)}")
    if o.error:
        err = o.error.get("type") if isinstance(o.error, dict) else o.error
        lines.append(f"error {_short(err)}")
    pre = (o.pre or {}).get("state") if isinstance(o.pre, dict) else None
    post = (o.post or {}).get("state") if isinstance(o.post, dict) else None
    if pre or post:
        lines.append(f"state {pre} -> {post}")
    end = f"{o.done}" if o.done is not None else "never completed"
    t1 = f"{o.t1:.6g}" if o.t1 is not None else "-"
    lines.append(f"entries {o.invoke}-{end}, t={o.t0:.6g}-{t1} s")
    return "\n".join(lines)


class _Svg:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def rect(self, x: float, y: float, w: float, h: float, fill: str, title: str | None = None,
             extra: str = "") -> None:
        head = f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0.8):.1f}" height="{h:.1f}" fill="{fill}"{extra}'
        self.parts.append(f"{head}><title>{escape(title)}</title></rect>" if title else f"{head}/>")

    def text(self, x: float, y: float, s: str, extra: str = "") -> None:
        self.parts.append(f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(s)}</text>')

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str, extra: str = "") -> None:
        self.parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}"{extra}/>')

    def markup(self, width: float, height: float, label: str) -> Markup:
        return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
                      f'role="img" aria-label="{escape(label)}">' + "".join(self.parts) + "</svg>")


def _window_svg(tl: Timeline, lo: int, hi: int, named: set[Any], title: str) -> tuple[Markup, dict[str, int]]:
    n = max(hi - lo, 1)
    px = max(1.0, min(12.0, 1400.0 / n))
    width = LABEL_W + n * px + 20
    lanes = [*tl.processes, "faults", "system", "state"]
    top = 28
    height = top + LANE_H * len(lanes) + 10
    svg = _Svg()
    x = lambda i: LABEL_W + (min(max(i, lo), hi) - lo) * px  # noqa: E731
    y = {name: top + k * LANE_H for k, name in enumerate(lanes)}
    counts = {"ops": 0, "faults": 0, "marks": 0}
    for k, name in enumerate(lanes):
        if k % 2 == 0:
            svg.rect(0, y[name], width, LANE_H, "#f6f8fa")
        svg.text(4, y[name] + 15, name, ' class="lane"')
    # time ticks: about every 150 px
    step = max(1, int(150 / px))
    for i in range(lo, hi + 1, step):
        svg.line(x(i), top - 4, x(i), height - 10, "#d0d7de", ' stroke-width="0.5"')
        svg.text(x(i) + 2, top - 8, f"#{i} t={tl.time_at(i):.4g}s", ' class="tick"')
    # faults: a band across every lane, a bar in their own
    for f in tl.faults:
        end = f.end if f.end is not None else tl.entries
        if end < lo or f.start > hi:
            continue
        counts["faults"] += 1
        w = max(x(end) - x(f.start), 2.0)
        svg.rect(x(f.start), top, w, LANE_H * (len(lanes) - 1), "#fb8500", extra=' fill-opacity="0.10"')
        t1 = f"{f.t1:.6g}" if f.t1 is not None else "not ended"
        svg.rect(x(f.start), y["faults"] + 3, w, LANE_H - 6, "#fb8500",
                 f"fault {f.kind} ({f.firing_id}) on {f.target}: t={f.t0:.6g}-{t1} s, entries {f.start}-{f.end}")
        if w > 7 * len(f.kind):
            svg.text(x(f.start) + 3, y["faults"] + 15, f.kind, ' class="bar"')
    # ops
    for o in tl.ops:
        end = o.done if o.done is not None else tl.entries
        if end < lo or o.invoke > hi:
            continue
        counts["ops"] += 1
        extra = ' stroke="#000" stroke-width="2"' if o.op_id in named else ""
        svg.rect(x(o.invoke), y[o.process] + 3, max(x(end) - x(o.invoke), px * 0.8), LANE_H - 6,
                 COLOURS.get(o.outcome, "#8c959f"), _op_title(o), extra)
    # the system's own moves and recovery events
    for m in tl.marks:
        if lo <= m.index <= hi:
            counts["marks"] += 1
            svg.rect(x(m.index) - 1, y["system"] + 2, 3, LANE_H - 4,
                     STATE_COLOURS.get(m.label, "#6639ba"), f"t={m.time:.6g} s, entry {m.index}: {m.detail}")
    # state band
    state = tl.initial_state
    segs: list[tuple[int, str | None]] = [(lo, None)]
    for i, s in tl.states:
        if i < lo:
            state = s
        elif i <= hi:
            segs.append((i, s))
    segs[0] = (lo, state)
    for k, (i, s) in enumerate(segs):
        end = segs[k + 1][0] if k + 1 < len(segs) else hi
        if s is not None:
            w = max(x(end) - x(i), 0.8)
            svg.rect(x(i), y["state"] + 3, w, LANE_H - 6, STATE_COLOURS.get(s, "#8c959f"),
                     f"{s} from entry {i} (t={tl.time_at(i):.6g} s)")
            if w > 7 * len(s):
                svg.text(x(i) + 3, y["state"] + 15, s, ' class="bar"')
    return svg.markup(width, height, f"timeline of {title}"), counts


def _overview_svg(tl: Timeline, windows: list[tuple[str, int, int]], focus: int | None) -> Markup:
    n = max(tl.entries, 1)
    bins = min(OVERVIEW_BINS, n)
    per = n / bins
    bw = 1400.0 / bins
    ok, bad, faults = tl.bins if tl.bins is not None else _overview_bins(
        tl.entries, ((o.invoke, o.outcome == "ok") for o in tl.ops), ((f.start, f.end) for f in tl.faults))
    top = max(max(ok[b] + bad[b] for b in range(bins)), 1)
    h = 60
    svg = _Svg()
    for b in range(bins):
        x0 = LABEL_W + b * bw
        if faults[b]:
            svg.rect(x0, 0, bw, h, "#fb8500", f"{faults[b]} fault(s) active in entries "
                                              f"{int(b * per)}-{int((b + 1) * per)}", ' fill-opacity="0.18"')
        hok = h * ok[b] / top
        hbad = h * bad[b] / top
        if ok[b]:
            svg.rect(x0, h - hok, bw, hok, COLOURS["ok"])
        if bad[b]:
            svg.rect(x0, h - hok - hbad, bw, hbad, COLOURS["fail"])
    for title, lo, hi in windows:
        svg.rect(LABEL_W + lo / per * bw, 0, (hi - lo) / per * bw, h, "none", title,
                 ' stroke="#0969da" stroke-width="2"')
    if focus is not None:
        svg.line(LABEL_W + focus / per * bw, 0, LABEL_W + focus / per * bw, h, "#000", ' stroke-width="2"')
    svg.text(4, 20, "whole run", ' class="lane"')
    svg.text(4, 36, f"{tl.entries} entries", ' class="tick"')
    return svg.markup(LABEL_W + 1420, h + 2, "overview of the whole run")


def _overview_bins(entries: int, ops: Iterable[tuple[int, bool]], faults: Iterable[tuple[int, int | None]]
                   ) -> tuple[list[int], list[int], list[int]]:
    """The overview strip's counts per bin of entries: ops ok, ops not ok (by invoke), faults active.

    ``ops``: ``(invoke, ok)``; ``faults``: ``(start, end or None)``."""
    n = max(entries, 1)
    bins = min(OVERVIEW_BINS, n)
    per = n / bins
    ok = [0] * bins
    bad = [0] * bins
    active = [0] * bins
    for invoke, good in ops:
        b = min(int(invoke / per), bins - 1)
        if good:
            ok[b] += 1
        else:
            bad[b] += 1
    for start, end in faults:
        b0 = min(int(start / per), bins - 1)
        b1 = min(int((end if end is not None else n - 1) / per), bins - 1)
        for b in range(b0, b1 + 1):
            active[b] += 1
    return ok, bad, active


def render_timeline(tl: Timeline, report: dict[str, Any], *, window: int = WINDOW) -> str:
    """The self-contained ``timeline.html`` (inline CSS and SVG, no script, no network)."""
    focus, named = _focus(tl, report)
    windows = _windows(tl, focus, window)
    drawn = []
    for title, lo, hi in windows:
        svg, counts = _window_svg(tl, lo, hi, named, title)
        drawn.append({"title": title, "lo": lo, "hi": hi, "svg": svg, "counts": counts,
                      "t0": tl.time_at(lo), "t1": tl.time_at(hi - 1)})
    run = report.get("run") or {}
    verdict = report.get("verdict") or {}
    outcome = str(verdict.get("outcome") or "")
    env = _env()
    return env.get_template("timeline.html.j2").render(
        tl=tl, run=run, verdict=verdict, outcome=outcome, windows=drawn, colours=COLOURS,
        overview=_overview_svg(tl, windows, focus), focus=focus, named=sorted(map(str, named)),
        states=STATE_COLOURS, window=window)


def _env() -> Any:
    from .templating import environment

    return environment()


def _evidence_keys(report: dict[str, Any]) -> tuple[set[Any], set[float]]:
    """Every op id and every time a violated invariant's evidence names (what ``_focus`` may look
    up): a superset is fine, the lookups are only read for what ``_focus`` asks."""
    ops: set[Any] = set()
    times: set[float] = set()
    for k, x in _evidence_items(report):
        if k == "op_id":
            try:
                hash(x)
            except TypeError:
                pass
            else:
                ops.add(x)
        if k in ("entered", "time") and isinstance(x, (int, float)):
            times.add(float(x))
    return ops, times


def timeline_from_file(path: Any, report: dict[str, Any], *, window: int = WINDOW) -> str:
    """``render_timeline`` of the history file at ``path``, holding only what the page draws.

    A soak's history has millions of entries; ``read_timeline`` would keep every op, fault, mark
    and time of them (~250 MB after 8 hours). Here a first pass keeps a few numbers per op and
    fault (where it starts and ends, whether it was ok) and per system transition, which fix the
    overview's bins, the focus and the windows; a second pass parses only the lines the windows
    draw (every entry inside them, and the ends of the ops, faults and state that reach into them)
    and folds them as ``read_timeline`` does. The page is the same, byte for byte.

    A history this cannot read the same way in windows (an unreadable line, entries out of order
    or not numbered by their line, a time missing or going backwards) is read whole instead.
    """
    from array import array
    import bisect

    from ..history import json_line

    want_ops, want_times = _evidence_keys(report)
    inv = array("q")
    done = array("q")
    good = bytearray()
    f_start = array("q")
    f_end = array("q")
    st_idx = array("q")
    st_code = array("H")
    codes: dict[str, int] = {}
    open_ops: dict[Any, int] = {}
    open_faults: dict[str, int] = {}
    procs: dict[str, None] = {}
    invokes: dict[Any, int] = {}
    # entries whose time is below each evidence time; the times never go backwards, so that is
    # the number of the first entry at or after it (one pointer over the sorted evidence times)
    keys = sorted(t for t in want_times if not math.isnan(t))
    before: dict[float, int] = {}
    initial_state = None
    entries = 0
    last_t = -math.inf
    with open(path, encoding="utf-8", errors="replace") as fh:
        for n, line in enumerate(fh):
            entries = n + 1
            try:
                e = json_line(line)  # every line: the faster parser (``json_line``)
                kind = e["type"]
            except (ValueError, KeyError, TypeError):
                return _whole(path, report, window)
            t = e.get("time")
            if e.get("index", n) != n or not isinstance(t, (int, float)) or not math.isfinite(t) or t < last_t:
                return _whole(path, report, window)
            last_t = t = float(t)
            while len(before) < len(keys) and keys[len(before)] <= t:
                before[keys[len(before)]] = n
            data = e.get("data") if isinstance(e.get("data"), dict) else {}
            if kind == "invoke":
                procs.setdefault(str(e.get("process") if e.get("process") is not None else "?"), None)
                op_id = e.get("op_id")
                open_ops[op_id] = len(inv)
                inv.append(n)
                done.append(-1)
                good.append(0)
                if op_id in want_ops:
                    invokes[op_id] = n
            elif kind in ("ok", "fail", "info"):
                k = open_ops.pop(e.get("op_id"), None)
                if k is not None:
                    done[k] = n
                    good[k] = kind == "ok"
            elif kind == "fault_start":
                open_faults[str(data.get("firing_id") or f"fault@{n}")] = len(f_start)
                f_start.append(n)
                f_end.append(-1)
            elif kind == "fault_end":
                k = open_faults.pop(str(data.get("firing_id")), None)
                if k is not None:
                    f_end[k] = n
            elif kind == "transition" and data.get("component") in (None, "system"):
                st_idx.append(n)
                st_code.append(codes.setdefault(str(data.get("to_state")), len(codes)))
            elif kind == "attach":
                initial_state = data.get("state")
    tl = Timeline(entries=entries, processes=sorted(procs, key=_natural), initial_state=initial_state,
                  op_total=len(inv), fault_total=len(f_start), invokes=invokes,
                  indices={t: min(before.get(t, entries), max(entries - 1, 0)) for t in keys})
    focus, _named = _focus(tl, report)
    windows = _windows(tl, focus, window)
    tl.bins = _overview_bins(entries, ((inv[k], bool(good[k])) for k in range(len(inv))),
                             ((f_start[k], f_end[k] if f_end[k] >= 0 else None) for k in range(len(f_start))))
    wanted: set[int] = set()
    for _title, lo, hi in windows:
        wanted.update(range(lo, min(hi, entries - 1) + 1))
    for starts, ends in ((inv, done), (f_start, f_end)):
        for k in range(len(starts)):
            end = ends[k] if ends[k] >= 0 else entries
            if any(starts[k] <= hi and end >= lo for _t, lo, hi in windows):
                wanted.add(starts[k])
                if ends[k] >= 0:
                    wanted.add(ends[k])
    for _title, lo, _hi in windows:  # the state each window starts in
        k = bisect.bisect_left(st_idx, lo)
        if k:
            wanted.add(st_idx[k - 1])
    del inv, done, good, f_start, f_end, st_idx, st_code
    tl.window_times = {}
    in_window = [(lo, min(hi, entries - 1)) for _t, lo, hi in windows]
    ops: dict[Any, Op] = {}
    faults: dict[str, Fault] = {}
    with open(path, encoding="utf-8", errors="replace") as fh:
        for i, line in enumerate(fh):
            if i not in wanted:
                continue
            e = json.loads(line)
            t = float(e["time"])
            if any(lo <= i <= hi for lo, hi in in_window):
                tl.window_times[i] = t
            _fold(tl, e, e["type"], i, t, ops, faults, {})
    return render_timeline(tl, report, window=window)


def _whole(path: Any, report: dict[str, Any], window: int) -> str:
    with open(path, encoding="utf-8", errors="replace") as fh:
        return render_timeline(read_timeline(fh), report, window=window)
