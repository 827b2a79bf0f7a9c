"""The report's figures, drawn as SVG straight from the data (``svgplot``: no matplotlib on the
run path) and returned as SVG bytes. Each function returns None when it has no data.
"""

from __future__ import annotations

import math
from typing import Any

from .build import folded
from .model import RunData
from .svgplot import CYCLE, Figure

__all__ = ["FIGURES", "FORMAT", "MIME", "draw_all"]

#: the figures' file suffix and MIME type (``figures/<name>.svg``, ``data:image/svg+xml``)
FORMAT = "svg"
MIME = "image/svg+xml"

STATE_COLORS = {
    "running": "#2ca02c", "paused": "#98df8a", "recovering": "#ff7f0e", "reconfiguring": "#ffbb78",
    "failed": "#d62728", "starting": "#aec7e8", "stopping": "#c7c7c7", "stopped": "#7f7f7f",
    "configured": "#1f77b4", "initialized": "#9edae5", "uninitialized": "#dddddd", "closed": "#444444",
}
WIDTH = 960  # pixels, as wide as the report's PNGs were
PLOT_LEFT = 130
PLOT_W = 640  # leaves room on the right for an outside legend
def _t_scale(span: float) -> tuple[float, str]:
    if span > 3 * 3600:
        return 3600.0, "h"
    if span > 180:
        return 60.0, "min"
    return 1.0, "s"


def state_timeline(rd: RunData, report: dict[str, Any]) -> bytes | None:
    ef = folded(rd).entries
    if not ef.transitions and not ef.faults:
        return None
    t_end = float(rd.sim_time_s or ef.max_t)
    scale, unit = _t_scale(t_end)
    segs = {state: [(a / scale, (b - a) / scale) for a, b in pairs]
            for state, pairs in ef.state_spans(t_end).items()}
    kinds = sorted(ef.ticks)
    legend_rows = len(segs) + len(kinds)
    height = max(190 + 26 * len(kinds), 60 + 13 * legend_rows)
    fig = Figure(WIDTH, height)
    ax = fig.panel(PLOT_LEFT, 30, PLOT_W, height - 75)
    ax.xlim = (0.0, t_end / scale if t_end else 1.0)
    ax.ylim = (-0.2 - 0.35 * max(len(kinds), 1) - 0.1, 1.6)
    for s, spans in segs.items():
        color = STATE_COLORS.get(s, "#999999")
        ax.spans(spans, 0.6, 0.8, color)
        ax.legend.append((s, color, "rect"))
    for i, k in enumerate(kinds):
        color = CYCLE[i % len(CYCLE)]
        ax.ticks([t / scale for t in ef.ticks[k].times], -0.2 - 0.35 * i, color)
        ax.legend.append((f"fault: {k}", color, "tick"))
    ax.yticks = [(1.0, "system state")] + [(-0.2 - 0.35 * i, k) for i, k in enumerate(kinds)]
    ax.xlabel = f"time ({unit})"
    ax.title = "System state over time, faults marked"
    ax.legend_outside = True
    return fig.to_svg("System state over time, faults marked")


def xruns_and_callbacks(rd: RunData, report: dict[str, Any]) -> bytes | None:
    tl = report.get("timeline") or []
    if not tl:
        return None
    t = [float(r["t"] or 0.0) for r in tl]
    scale, unit = _t_scale(max(t) if t else 0.0)
    # each bar spans its interval [t0, t]; a row without t0 starts where the previous one ended
    t0 = [float(r["t0"]) if r.get("t0") is not None else (t[i - 1] if i else 0.0) for i, r in enumerate(tl)]
    x0 = [a / scale for a in t0]
    widths = [(b - a) / scale * 0.9 for a, b in zip(t0, t)]
    xmax = max([b / scale for b in t] + [a + w for a, w in zip(x0, widths)] + [0.0]) or 1.0
    fig = Figure(WIDTH, 450)
    ax1 = fig.panel(PLOT_LEFT, 30, PLOT_W, 150)
    ax1.xlim = (0.0, xmax)
    ax1.bars(x0, widths, [r.get("xruns") or 0 for r in tl], "#d62728")
    per = "checkpoint" if folded(rd).chunks.count else "snapshot"
    ax1.ylabel = f"xruns per {per}"
    ax1.title = "Xruns and callback duration over time"
    ax1.xlabel = f"time ({unit})"
    if not any(r.get("xruns") for r in tl):
        ax1.ylim = (0.0, 1.0)
    if not any(r.get("cb_p50") is not None for r in tl):
        # a run has no per-interval duration percentiles: the callbacks over the block budget instead
        ax2 = fig.panel(PLOT_LEFT, 250, PLOT_W, 150)
        ax2.xlim = (0.0, xmax)
        ax2.bars(x0, widths, [r.get("budget_overruns") or 0 for r in tl], "#9467bd")
        if not any(r.get("budget_overruns") for r in tl):
            ax2.ylim = (0.0, 1.0)
        ax2.ylabel = f"callbacks over budget\nper {per}"
        ax2.xlabel = f"time ({unit})"
        return fig.to_svg("Xruns and callbacks over the block budget over time")
    ax2 = fig.panel(PLOT_LEFT, 250, PLOT_W, 150, ylog=True)
    ax2.xlim = (0.0, xmax)
    for (key, dash, label), color in zip((("cb_p50", None, "p50"), ("cb_p99", None, "p99"),
                                          ("cb_max", "1,2", "max")), CYCLE):
        ys = [(r.get(key) or math.nan) * 1000 for r in tl]
        ax2.line([v / scale for v in t], ys, color, dash=dash)
        ax2.legend.append((label, color, "dot" if dash else "line"))
    budget = (report.get("performance") or {}).get("block_budget_s")
    if budget:
        ax2.hline(budget * 1000, "#000000")
        ax2.legend.append((f"budget {budget * 1000:.2f} ms", "#000000", "dash"))
    ax2.ylabel = "callback duration (ms)"
    ax2.xlabel = f"time ({unit})"
    ax2.legend_outside = True
    return fig.to_svg("Xruns and callback duration over time")


def recovery_times(rd: RunData, report: dict[str, Any]) -> bytes | None:
    eps = [ep for ep in (report.get("recovery") or {}).get("episodes", [])
           if ep.get("outcome") == "recovered" and ep.get("time_to_recover_s") is not None]
    if not eps:
        return None
    kinds = sorted({ep["fault_type"] for ep in eps})
    data = [[ep["time_to_recover_s"] * 1000 for ep in eps if ep["fault_type"] == k] for k in kinds]
    height = 110 + 36 * len(kinds)
    fig = Figure(WIDTH, height)
    ax = fig.panel(PLOT_LEFT + 100, 30, PLOT_W, height - 75, xlog=True)
    ax.boxes(data, [f"{k} (n={len(d)})" for k, d in zip(kinds, data)])
    ax.xlabel = "time to recover (ms, fault -> healthy)"
    ax.title = "Recovery time by fault type"
    return fig.to_svg("Recovery time by fault type")


def resources(rd: RunData, report: dict[str, Any]) -> bytes | None:
    samples = folded(rd).samples
    if not samples.n:
        return None
    metrics = [("rss_bytes", "RSS (MiB)", 1 / 2**20), ("threads", "threads", 1.0),
               ("open_fds", "open fds", 1.0), ("sut_live_allocations", "system allocations", 1.0)]
    metrics = [m for m in metrics if m[0] in samples.present]
    t_max = samples.t_max if samples.t_max is not None else 0.0
    scale, unit = _t_scale(t_max)
    leaks = (report.get("stability") or {}).get("leaks") or {}
    row = 150
    fig = Figure(WIDTH, row * len(metrics) + 40)
    for i, (key, label, mult) in enumerate(metrics):
        ax = fig.panel(PLOT_LEFT, 30 + row * i, PLOT_W, row - 65)
        ts, vs = samples.series(key)
        ax.points([t / scale for t in ts], [v * mult for v in vs], CYCLE[0])
        ax.xlim = (0.0, max(t_max / scale, 1e-9))
        v = leaks.get(key) or {}
        verdict = v.get("verdict", "n/a")
        slope = v.get("slope_per_hour")
        title = f"{label}: {verdict}"
        if slope is not None:
            title += f", slope {slope * mult:+.3g}/h"
        ax.title = title
        ax.title_color = "#d62728" if verdict == "leak" else "#000000"
        ax.ylabel = label
        ax.xlabel = f"time ({unit})"
    return fig.to_svg("Resource usage over time")


def glitch_waveforms(rd: RunData, report: dict[str, Any]) -> bytes | None:
    excerpts = (rd.audio or {}).get("excerpts") or []  # the run's audio check keeps a few
    gl = [g for g in [*folded(rd).glitches.waves, *excerpts] if g.get("waveform")][:8]
    if not gl:
        return None
    rows = (len(gl) + 1) // 2
    row = 170
    fig = Figure(WIDTH, row * rows + 40, title="Waveform around each detected glitch (ms from glitch start)")
    for i, g in enumerate(gl):
        col, r = i % 2, i // 2
        ax = fig.panel(70 + col * 470, 60 + r * row, 380, row - 75)
        w = [float(v) for v in g["waveform"]]
        rate = g.get("sample_rate") or 48_000
        start = g.get("waveform_start_frame", 0)
        origin = g.get("start_frame", start)
        x = [(k + start - origin) / rate * 1000 for k in range(len(w))]
        ax.vspan(0, (g.get("end_frame", 0) - g.get("start_frame", 0)) / rate * 1000, "#d62728")
        ax.line(x, w, CYCLE[0], width=0.8)
        if x:
            ax.xlim = (min(x), max(x)) if max(x) > min(x) else (min(x) - 1, max(x) + 1)
        ax.title = f"{g.get('kind')} at t={g.get('time', 0):.3f} s (size {g.get('size')})"
        ax.xlabel = "ms from glitch start"
        ax.ylabel = "amplitude"
    return fig.to_svg("Waveform around each detected glitch")


#: name -> (title, function); the order is the report's
FIGURES = {
    "state_timeline": ("State timeline with faults", state_timeline),
    "xruns_callbacks": ("Xruns and callback duration vs budget", xruns_and_callbacks),
    "recovery_times": ("Recovery time per fault type", recovery_times),
    "resources": ("Resource usage over time", resources),
    "glitches": ("Glitch waveforms", glitch_waveforms),
}


def draw_all(rd: RunData, report: dict[str, Any]) -> dict[str, bytes]:
    """Every figure that has data: ``{name: svg_bytes}``. A figure that fails is skipped and noted."""
    out: dict[str, bytes] = {}
    for name, (_title, fn) in FIGURES.items():
        try:
            drawn = fn(rd, report)
        except Exception as exc:  # noqa: BLE001 - one bad figure must not cost the whole report
            report.setdefault("completeness", {}).setdefault("missing", []).append(
                f"figure {name} could not be drawn: {type(exc).__name__}: {exc}")
            continue
        if drawn:
            out[name] = drawn
    return out
