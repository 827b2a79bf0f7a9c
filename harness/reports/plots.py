"""The report's figures, drawn with matplotlib's object API on the Agg canvas (no pyplot, no GUI,
no global backend state), returned as PNG bytes. Each function returns None when it has no data.
"""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .model import RunData

__all__ = ["FIGURES", "draw_all"]

STATE_COLORS = {
    "running": "#2ca02c", "paused": "#98df8a", "recovering": "#ff7f0e", "reconfiguring": "#ffbb78",
    "failed": "#d62728", "starting": "#aec7e8", "stopping": "#c7c7c7", "stopped": "#7f7f7f",
    "configured": "#1f77b4", "initialized": "#9edae5", "uninitialized": "#dddddd", "closed": "#444444",
}
_MAX_SEGMENTS = 20_000


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return buf.getvalue()


def _t_scale(span: float) -> tuple[float, str]:
    if span > 3 * 3600:
        return 3600.0, "h"
    if span > 180:
        return 60.0, "min"
    return 1.0, "s"


def state_timeline(rd: RunData, report: dict[str, Any]) -> bytes | None:
    trans = sorted((e for e in rd.entries if e["type"] == "transition"), key=lambda e: e["time"])
    faults = [e for e in rd.entries if e["type"] == "fault_start"]
    if not trans and not faults:
        return None
    t_end = float(rd.sim_time_s or max(e["time"] for e in rd.entries))
    scale, unit = _t_scale(t_end)
    segs: dict[str, list[tuple[float, float]]] = defaultdict(list)
    state = next(((e.get("data") or {}).get("state") for e in rd.entries if e["type"] == "attach"), None)
    t = 0.0
    for e in trans:
        if state is not None and e["time"] > t:
            segs[state].append((t / scale, (e["time"] - t) / scale))
        t = e["time"]
        state = (e.get("data") or {}).get("to_state")
    if state is not None and t_end > t:
        segs[state].append((t / scale, (t_end - t) / scale))
    fig = Figure(figsize=(11, 3.2))
    ax = fig.add_subplot(111)
    for s, spans in segs.items():
        if len(spans) > _MAX_SEGMENTS:
            spans = spans[:: len(spans) // _MAX_SEGMENTS + 1]
        ax.broken_barh(spans, (0.6, 0.8), facecolors=STATE_COLORS.get(s, "#999999"), label=s, linewidth=0)
    kinds = sorted({str((f.get("data") or {}).get("kind") or f.get("value")) for f in faults})
    for i, k in enumerate(kinds):
        ts = [f["time"] / scale for f in faults if str((f.get("data") or {}).get("kind") or f.get("value")) == k]
        ax.plot(ts, [-0.2 - 0.35 * i] * len(ts), "|", markersize=8, label=f"fault: {k}")
    ax.set_yticks([1.0] + [-0.2 - 0.35 * i for i in range(len(kinds))])
    ax.set_yticklabels(["system state"] + kinds, fontsize=8)
    ax.set_xlabel(f"time ({unit})")
    ax.set_xlim(0, t_end / scale if t_end else 1)
    ax.set_title("System state over time, faults marked")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    return _png(fig)


def xruns_and_callbacks(rd: RunData, report: dict[str, Any]) -> bytes | None:
    tl = report.get("timeline") or []
    if not tl:
        return None
    t = np.array([r["t"] or 0.0 for r in tl], dtype=float)
    scale, unit = _t_scale(float(t.max()) if t.size else 0.0)
    fig = Figure(figsize=(11, 5))
    ax1 = fig.add_subplot(211)
    # each bar spans its interval [t0, t]
    t0 = np.array([r.get("t0") if r.get("t0") is not None else np.nan for r in tl], dtype=float)
    t0 = np.where(np.isnan(t0), t - np.diff(t, prepend=0), t0)
    ax1.bar(t0 / scale, [r.get("xruns") or 0 for r in tl], width=((t - t0) / scale) * 0.9,
            align="edge", color="#d62728")
    per = "checkpoint" if rd.chunks else "snapshot"
    ax1.set_ylabel(f"xruns per {per}")
    ax1.set_title("Xruns and callback duration over time")
    ax2 = fig.add_subplot(212, sharex=ax1)
    if not any(r.get("cb_p50") is not None for r in tl):
        # a run has no per-interval duration percentiles: the callbacks over the block budget instead
        ax2.bar(t0 / scale, [r.get("budget_overruns") or 0 for r in tl],
                width=((t - t0) / scale) * 0.9, align="edge", color="#9467bd")
        ax2.set_ylabel(f"callbacks over budget\nper {per}")
        ax2.set_xlabel(f"time ({unit})")
        return _png(fig)
    for key, style, label in (("cb_p50", "-", "p50"), ("cb_p99", "-", "p99"), ("cb_max", ":", "max")):
        ys = [(r.get(key) or np.nan) * 1000 for r in tl]
        ax2.plot(t / scale, ys, style, label=label)
    budget = (report.get("performance") or {}).get("block_budget_s")
    if budget:
        ax2.axhline(budget * 1000, color="k", linestyle="--", label=f"budget {budget * 1000:.2f} ms")
    ax2.set_yscale("log")
    ax2.set_ylabel("callback duration (ms)")
    ax2.set_xlabel(f"time ({unit})")
    ax2.legend(fontsize=7, loc="upper right")
    return _png(fig)


def recovery_times(rd: RunData, report: dict[str, Any]) -> bytes | None:
    eps = [ep for ep in (report.get("recovery") or {}).get("episodes", [])
           if ep.get("outcome") == "recovered" and ep.get("time_to_recover_s") is not None]
    if not eps:
        return None
    kinds = sorted({ep["fault_type"] for ep in eps})
    data = [[ep["time_to_recover_s"] * 1000 for ep in eps if ep["fault_type"] == k] for k in kinds]
    fig = Figure(figsize=(11, 0.6 + 0.5 * len(kinds) + 2))
    ax = fig.add_subplot(111)
    ax.boxplot(data, orientation="horizontal", tick_labels=[f"{k} (n={len(d)})" for k, d in zip(kinds, data)])
    ax.set_xscale("log")
    ax.set_xlabel("time to recover (ms, fault -> healthy)")
    ax.set_title("Recovery time by fault type")
    return _png(fig)


def resources(rd: RunData, report: dict[str, Any]) -> bytes | None:
    samples = rd.samples
    if not samples:
        return None
    metrics = [("rss_bytes", "RSS (MiB)", 1 / 2**20), ("threads", "threads", 1.0),
               ("open_fds", "open fds", 1.0), ("sut_live_allocations", "system allocations", 1.0)]
    metrics = [m for m in metrics if any(m[0] in s for s in samples)]
    t = np.array([s["t"] for s in samples], dtype=float)
    scale, unit = _t_scale(float(t.max()) if t.size else 0.0)
    leaks = (report.get("stability") or {}).get("leaks") or {}
    fig = Figure(figsize=(11, 1.9 * len(metrics) + 0.5))
    for i, (key, label, mult) in enumerate(metrics):
        ax = fig.add_subplot(len(metrics), 1, i + 1)
        pts = [(s["t"], s[key]) for s in samples if key in s]
        xs = np.array([p[0] for p in pts]) / scale
        ys = np.array([p[1] for p in pts], dtype=float) * mult
        ax.plot(xs, ys, ".", markersize=2)
        v = leaks.get(key) or {}
        verdict = v.get("verdict", "n/a")
        slope = v.get("slope_per_hour")
        title = f"{label}: {verdict}"
        if slope is not None:
            title += f", slope {slope * mult:+.3g}/h"
        ax.set_title(title, fontsize=9, color="#d62728" if verdict == "leak" else "black", loc="left")
        ax.set_ylabel(label, fontsize=8)
        if i == len(metrics) - 1:
            ax.set_xlabel(f"time ({unit})")
    fig.subplots_adjust(hspace=0.6)
    return _png(fig)


def glitch_waveforms(rd: RunData, report: dict[str, Any]) -> bytes | None:
    excerpts = (rd.audio or {}).get("excerpts") or []  # the run's audio check keeps a few
    gl = [g for g in [*rd.glitches, *excerpts] if g.get("waveform")][:8]
    if not gl:
        return None
    cols = 2
    rows = (len(gl) + 1) // 2
    fig = Figure(figsize=(11, 2.0 * rows + 0.4))
    for i, g in enumerate(gl):
        ax = fig.add_subplot(rows, cols, i + 1)
        w = np.asarray(g["waveform"], dtype=float)
        rate = g.get("sample_rate") or 48_000
        start = g.get("waveform_start_frame", 0)
        x = (np.arange(w.size) + start - g.get("start_frame", start)) / rate * 1000
        ax.plot(x, w, linewidth=0.8)
        ax.axvspan(0, (g.get("end_frame", 0) - g.get("start_frame", 0)) / rate * 1000, color="#d62728", alpha=0.2)
        ax.set_title(f"{g.get('kind')} at t={g.get('time', 0):.3f} s (size {g.get('size')})", fontsize=8)
        ax.tick_params(labelsize=7)
    fig.suptitle("Waveform around each detected glitch (ms from glitch start)", fontsize=10)
    fig.subplots_adjust(hspace=0.7)
    return _png(fig)


#: name -> (title, function); the order is the report's
FIGURES = {
    "state_timeline": ("State timeline with faults", state_timeline),
    "xruns_callbacks": ("Xruns and callback duration vs budget", xruns_and_callbacks),
    "recovery_times": ("Recovery time per fault type", recovery_times),
    "resources": ("Resource usage over time", resources),
    "glitches": ("Glitch waveforms", glitch_waveforms),
}


def draw_all(rd: RunData, report: dict[str, Any]) -> dict[str, bytes]:
    """Every figure that has data: ``{name: png_bytes}``. A figure that fails is skipped and noted."""
    out: dict[str, bytes] = {}
    for name, (_title, fn) in FIGURES.items():
        try:
            png = fn(rd, report)
        except Exception as exc:  # noqa: BLE001 - one bad figure must not cost the whole report
            report.setdefault("completeness", {}).setdefault("missing", []).append(
                f"figure {name} could not be drawn: {type(exc).__name__}: {exc}")
            continue
        if png:
            out[name] = png
    return out
