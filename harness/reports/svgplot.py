"""A small SVG plotting kit for the report's figures: panels with linear or log axes, ticks,
axis labels and titles, and the few marks the figures use (bars, lines, points, spans, box plots).

Why not matplotlib: a short ``soundcheck run`` spent about half of its CPU importing matplotlib
and rasterising five PNGs; drawing the same figures as SVG text from the data costs a few
milliseconds and imports nothing but the standard library. The output is one standalone ``<svg>``
document with a fixed pixel size (so a browser's ``<img>`` gets a natural width), no scripts and
no external references.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from html import escape

import numpy as np

__all__ = ["Figure", "Panel", "nice_ticks", "log_ticks", "tick_label"]

FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
#: the default colour cycle (matplotlib's tab10, so the figures keep their familiar colours)
CYCLE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
         "#bcbd22", "#17becf")


def _f(v: float) -> str:
    """A coordinate with 0.1 px resolution, without a trailing ``.0``."""
    s = f"{v:.1f}"
    return s[:-2] if s.endswith(".0") else s


def tick_label(v: float) -> str:
    """A tick value as people write it: ``0``, ``0.5``, ``12``, ``1e+04``."""
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 1e5 or a < 1e-3:
        return f"{v:.0e}"
    return f"{v:.6g}"


def nice_ticks(lo: float, hi: float, target: int = 6) -> list[float]:
    """Ticks at 1, 2 or 5 times a power of ten, about ``target`` of them inside [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else []
    raw = (hi - lo) / max(target, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9)
    ticks = []
    k = first
    while k * step <= hi + step * 1e-9:
        ticks.append(round(k * step, 12))
        k += 1
    return ticks


def log_ticks(lo: float, hi: float) -> list[float]:
    """Decades inside [lo, hi]; with fewer than two decades, also 2 and 5 times each decade."""
    if lo <= 0 or hi <= lo:
        return []
    d0, d1 = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    decades = [10.0 ** d for d in range(d0, d1 + 1) if lo <= 10.0 ** d <= hi * (1 + 1e-9)]
    if len(decades) >= 2:
        return decades
    return [m * 10.0 ** d for d in range(d0, d1 + 1) for m in (1, 2, 5) if lo <= m * 10.0 ** d <= hi * (1 + 1e-9)]


class Panel:
    """One plotting area at (``left``, ``top``) of ``width`` x ``height`` pixels in its figure.

    Set the data limits (``xlim``/``ylim``, or let :meth:`autoscale` pick them from the marks'
    data), draw marks, then the figure renders the frame, ticks and labels around them.
    """

    def __init__(self, left: float, top: float, width: float, height: float, *,
                 xlog: bool = False, ylog: bool = False) -> None:
        self.left, self.top, self.width, self.height = left, top, width, height
        self.xlog, self.ylog = xlog, ylog
        self.xlim: tuple[float, float] | None = None
        self.ylim: tuple[float, float] | None = None
        self.title = ""
        self.title_color = "#000000"
        self.xlabel = ""
        self.ylabel = ""
        self.yticks: list[tuple[float, str]] | None = None  # explicit (value, label) ticks
        self.legend: list[tuple[str, str, str]] = []  # (label, colour, "rect" | "line" | "dash" | "tick")
        self.legend_outside = False
        self.clip_id = "c0"  # unique within its figure (the figure numbers its panels)
        self._marks: list[tuple[str, tuple]] = []  # drawn after the limits are known
        self._xs: list[float] = []
        self._ys: list[float] = []

    # -- data to pixels -------------------------------------------------------------------
    def _lim(self, axis: str) -> tuple[float, float]:
        lim = self.xlim if axis == "x" else self.ylim
        vals = self._xs if axis == "x" else self._ys
        log = self.xlog if axis == "x" else self.ylog
        if lim is None:
            finite = [v for v in vals if math.isfinite(v) and (v > 0 or not log)]
            lo, hi = (min(finite), max(finite)) if finite else ((1.0, 10.0) if log else (0.0, 1.0))
            if log:
                lo, hi = (lo / 1.5, hi * 1.5) if lo != hi else (lo / 10, hi * 10)
            else:
                pad = (hi - lo) * 0.05 or (abs(hi) * 0.1 or 1.0)
                lo, hi = lo - pad, hi + pad
            lim = (lo, hi)
        return lim

    def _scale(self, v: float, lo: float, hi: float, log: bool) -> float:
        if log:
            v = max(v, lo * 1e-3)
            return (math.log10(v) - math.log10(lo)) / ((math.log10(hi) - math.log10(lo)) or 1.0)
        return (v - lo) / ((hi - lo) or 1.0)

    def px(self, x: float) -> float:
        lo, hi = self._lim("x")
        return self.left + self._scale(x, lo, hi, self.xlog) * self.width

    def py(self, y: float) -> float:
        lo, hi = self._lim("y")
        return self.top + self.height - self._scale(y, lo, hi, self.ylog) * self.height

    # -- marks ----------------------------------------------------------------------------
    def _see(self, xs: Iterable[float], ys: Iterable[float]) -> None:
        self._xs.extend(float(x) for x in xs)
        self._ys.extend(float(y) for y in ys)

    def bars(self, x0s: Sequence[float], widths: Sequence[float], heights: Sequence[float], color: str,
             *, bottom: float = 0.0) -> None:
        """Vertical bars from ``bottom`` to each height, each spanning [x0, x0 + width]."""
        self._see([*x0s, *(a + w for a, w in zip(x0s, widths))], [bottom, *heights])
        self._marks.append(("bars", (list(x0s), list(widths), list(heights), color, bottom)))

    def spans(self, spans: Sequence[tuple[float, float]], y0: float, height: float, color: str) -> None:
        """Horizontal bars (start, length) between ``y0`` and ``y0 + height`` (a broken bar).

        Spans narrower than the drawing's resolution are merged with their neighbours, so a long
        soak with thousands of short states draws at most a few rectangles per pixel column."""
        self._see([s for s, _ in spans] + [s + w for s, w in spans], [y0, y0 + height])
        self._marks.append(("spans", (list(spans), y0, height, color)))

    def line(self, xs: Sequence[float], ys: Sequence[float], color: str, *, width: float = 1.2,
             dash: str | None = None) -> None:
        """A polyline; NaN values break it."""
        self._see(xs, ys)
        self._marks.append(("line", (list(xs), list(ys), color, width, dash)))

    def points(self, xs: Sequence[float], ys: Sequence[float], color: str, *, r: float = 1.2) -> None:
        self._see(xs, ys)
        self._marks.append(("points", (list(xs), list(ys), color, r)))

    def ticks(self, xs: Sequence[float], y: float, color: str, *, half: float = 5.0) -> None:
        """Short vertical marks at ``xs`` on the row ``y`` (event markers)."""
        self._see(xs, [y])
        self._marks.append(("ticks", (list(xs), y, color, half)))

    def hline(self, y: float, color: str, *, dash: str | None = "5,3") -> None:
        self._see([], [y])
        self._marks.append(("hline", (y, color, dash)))

    def vspan(self, x0: float, x1: float, color: str, *, opacity: float = 0.2) -> None:
        self._see([x0, x1], [])
        self._marks.append(("vspan", (x0, x1, color, opacity)))

    def boxes(self, data: Sequence[Sequence[float]], labels: Sequence[str]) -> None:
        """Horizontal box plots, one row per data set from the top: median, quartiles, whiskers
        at the last point within 1.5 IQR of the box, points beyond them drawn one by one."""
        stats = [_box_stats(sorted(d)) for d in data]
        n = len(stats)
        self.ylim = (n + 0.5, 0.5)
        self.yticks = [(i + 1, lab) for i, lab in enumerate(labels)]
        self._see([v for d in data for v in d], [])
        self._marks.append(("boxes", (stats,)))

    # -- rendering ------------------------------------------------------------------------
    def render(self) -> list[str]:
        out: list[str] = []
        (x0, x1), (y0, y1) = self._lim("x"), self._lim("y")
        self.xlim, self.ylim = (x0, x1), (y0, y1)
        L, T, W, H = self.left, self.top, self.width, self.height
        clip = self.clip_id
        out.append(f'<clipPath id="{clip}"><rect x="{_f(L)}" y="{_f(T)}" width="{_f(W)}" height="{_f(H)}"/></clipPath>')
        out.append(f'<g clip-path="url(#{clip})">')
        for kind, args in self._marks:
            out.extend(getattr(self, f"_draw_{kind}")(*args))
        out.append("</g>")
        out.append(f'<rect x="{_f(L)}" y="{_f(T)}" width="{_f(W)}" height="{_f(H)}" fill="none" stroke="#000" stroke-width="0.8"/>')
        # x ticks
        xt = log_ticks(min(x0, x1), max(x0, x1)) if self.xlog else nice_ticks(min(x0, x1), max(x0, x1))
        for v in xt:
            x = self.px(v)
            out.append(f'<line x1="{_f(x)}" y1="{_f(T + H)}" x2="{_f(x)}" y2="{_f(T + H + 4)}" stroke="#000" stroke-width="0.8"/>')
            out.append(f'<text x="{_f(x)}" y="{_f(T + H + 15)}" text-anchor="middle" font-size="10">{escape(tick_label(v))}</text>')
        # y ticks
        if self.yticks is not None:
            yt = self.yticks
        else:
            vals = log_ticks(min(y0, y1), max(y0, y1)) if self.ylog else nice_ticks(min(y0, y1), max(y0, y1), 4)
            yt = [(v, tick_label(v)) for v in vals]
        for v, lab in yt:
            y = self.py(v)
            out.append(f'<line x1="{_f(L - 4)}" y1="{_f(y)}" x2="{_f(L)}" y2="{_f(y)}" stroke="#000" stroke-width="0.8"/>')
            out.append(f'<text x="{_f(L - 6)}" y="{_f(y + 3.5)}" text-anchor="end" font-size="10">{escape(lab)}</text>')
        if self.xlabel:
            out.append(f'<text x="{_f(L + W / 2)}" y="{_f(T + H + 30)}" text-anchor="middle" font-size="11">{escape(self.xlabel)}</text>')
        if self.ylabel:
            cx, cy = L - 48, T + H / 2
            for i, part in enumerate(self.ylabel.split("\n")):
                out.append(f'<text x="{_f(cx + 12 * i)}" y="{_f(cy)}" text-anchor="middle" font-size="11" '
                           f'transform="rotate(-90 {_f(cx + 12 * i)} {_f(cy)})">{escape(part)}</text>')
        if self.title:
            out.append(f'<text x="{_f(L)}" y="{_f(T - 7)}" font-size="12" fill="{self.title_color}">{escape(self.title)}</text>')
        out.extend(self._render_legend())
        return out

    def _render_legend(self) -> list[str]:
        if not self.legend:
            return []
        out = []
        x = self.left + self.width + 10 if self.legend_outside else self.left + self.width - 110
        y = self.top + 12
        for label, color, shape in self.legend:
            if shape == "rect":
                out.append(f'<rect x="{_f(x)}" y="{_f(y - 8)}" width="14" height="9" fill="{color}"/>')
            elif shape == "tick":
                out.append(f'<line x1="{_f(x + 7)}" y1="{_f(y - 9)}" x2="{_f(x + 7)}" y2="{_f(y + 1)}" stroke="{color}" stroke-width="1.5"/>')
            else:
                dash = ' stroke-dasharray="4,2"' if shape == "dash" else (' stroke-dasharray="1,2"' if shape == "dot" else "")
                out.append(f'<line x1="{_f(x)}" y1="{_f(y - 4)}" x2="{_f(x + 14)}" y2="{_f(y - 4)}" stroke="{color}" stroke-width="1.5"{dash}/>')
            out.append(f'<text x="{_f(x + 18)}" y="{_f(y)}" font-size="9">{escape(label)}</text>')
            y += 13
        return out

    def _draw_bars(self, x0s: list[float], widths: list[float], heights: list[float], color: str,
                   bottom: float) -> list[str]:
        yb = self.py(bottom)
        d = []
        for a, w, h in zip(x0s, widths, heights):
            if not h or not math.isfinite(h):
                continue
            xa, xb, yh = self.px(a), self.px(a + w), self.py(h)
            d.append(f"M{_f(xa)} {_f(yb)}H{_f(max(xb, xa + 0.6))}V{_f(yh)}H{_f(xa)}Z")
        return [f'<path d="{"".join(d)}" fill="{color}"/>'] if d else []

    def _draw_spans(self, spans: list[tuple[float, float]], y0: float, height: float, color: str) -> list[str]:
        ya, yb = self.py(y0 + height), self.py(y0)
        merged: list[list[float]] = []
        for s, w in sorted(spans):
            a, b = self.px(s), self.px(s + w)
            if merged and a <= merged[-1][1] + 0.5:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        d = "".join(f"M{_f(a)} {_f(ya)}H{_f(max(b, a + 0.5))}V{_f(yb)}H{_f(a)}Z" for a, b in merged)
        return [f'<path d="{d}" fill="{color}"/>'] if d else []

    def _draw_line(self, xs: list[float], ys: list[float], color: str, width: float, dash: str | None) -> list[str]:
        parts, pen = [], "M"
        for x, y in zip(xs, ys):
            if not (math.isfinite(x) and math.isfinite(y)) or (self.ylog and y <= 0):
                pen = "M"
                continue
            parts.append(f"{pen}{_f(self.px(x))} {_f(self.py(y))}")
            pen = "L"
        if not parts:
            return []
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        return [f'<path d="{"".join(parts)}" fill="none" stroke="{color}" stroke-width="{width}"{dash_attr}/>']

    def _draw_points(self, xs: list[float], ys: list[float], color: str, r: float) -> list[str]:
        # points that land on the same half pixel are drawn once: an 8-hour soak's 30 000 samples
        # per metric would otherwise make a 2 MB figure of dots drawn over each other
        seen: set[tuple[int, int]] = set()
        parts = []
        for x, y in zip(xs, ys):
            if not (math.isfinite(x) and math.isfinite(y)):
                continue
            px, py = self.px(x), self.py(y)
            key = (round(px * 2), round(py * 2))
            if key in seen:
                continue
            seen.add(key)
            parts.append(f"M{_f(px)} {_f(py)}h0.01")
        d = "".join(parts)
        # round caps on a zero-height stroke: one small dot per point, in one path element
        return [f'<path d="{d}" stroke="{color}" stroke-width="{_f(2 * r)}" stroke-linecap="round"/>'] if d else []

    def _draw_ticks(self, xs: list[float], y: float, color: str, half: float) -> list[str]:
        yc = self.py(y)
        d = "".join(f"M{_f(self.px(x))} {_f(yc - half)}v{_f(2 * half)}" for x in xs if math.isfinite(x))
        return [f'<path d="{d}" stroke="{color}" stroke-width="1.2"/>'] if d else []

    def _draw_hline(self, y: float, color: str, dash: str | None) -> list[str]:
        yy = self.py(y)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        return [f'<line x1="{_f(self.left)}" y1="{_f(yy)}" x2="{_f(self.left + self.width)}" y2="{_f(yy)}" '
                f'stroke="{color}" stroke-width="1"{dash_attr}/>']

    def _draw_vspan(self, x0: float, x1: float, color: str, opacity: float) -> list[str]:
        a, b = sorted((self.px(x0), self.px(x1)))
        return [f'<rect x="{_f(a)}" y="{_f(self.top)}" width="{_f(max(b - a, 1.0))}" height="{_f(self.height)}" '
                f'fill="{color}" fill-opacity="{opacity}"/>']

    def _draw_boxes(self, stats: list[dict[str, object]]) -> list[str]:
        out = []
        for i, st in enumerate(stats):
            if st is None:
                continue
            yc = self.py(i + 1)
            h = min(20.0, abs(self.py(1) - self.py(2)) * 0.5 if len(stats) > 1 else 20.0)
            q1, med, q3 = self.px(st["q1"]), self.px(st["median"]), self.px(st["q3"])  # type: ignore[arg-type]
            lo, hi = self.px(st["lo"]), self.px(st["hi"])  # type: ignore[arg-type]
            out.append(f'<path d="M{_f(lo)} {_f(yc)}H{_f(q1)}M{_f(q3)} {_f(yc)}H{_f(hi)}'
                       f'M{_f(lo)} {_f(yc - h / 4)}v{_f(h / 2)}M{_f(hi)} {_f(yc - h / 4)}v{_f(h / 2)}" stroke="#000" stroke-width="1"/>')
            out.append(f'<rect x="{_f(q1)}" y="{_f(yc - h / 2)}" width="{_f(max(q3 - q1, 1.0))}" height="{_f(h)}" '
                       f'fill="none" stroke="#000" stroke-width="1"/>')
            out.append(f'<line x1="{_f(med)}" y1="{_f(yc - h / 2)}" x2="{_f(med)}" y2="{_f(yc + h / 2)}" stroke="#ff7f0e" stroke-width="1.5"/>')
            for v in st["fliers"]:  # type: ignore[attr-defined]
                out.append(f'<circle cx="{_f(self.px(v))}" cy="{_f(yc)}" r="2.5" fill="none" stroke="#000" stroke-width="0.8"/>')
        return out


def _box_stats(vals: list[float]) -> dict[str, object] | None:
    """Quartiles (numpy's linear interpolation), whiskers at 1.5 IQR, fliers."""
    if not vals:
        return None
    q1, med, q3 = (float(v) for v in np.percentile(vals, [25, 50, 75]))
    iqr = q3 - q1
    inside = [v for v in vals if q1 - 1.5 * iqr <= v <= q3 + 1.5 * iqr]
    return {"q1": q1, "median": med, "q3": q3, "lo": min(inside), "hi": max(inside),
            "fliers": [v for v in vals if v < q1 - 1.5 * iqr or v > q3 + 1.5 * iqr]}


class Figure:
    """A fixed-size SVG document holding panels and free text."""

    def __init__(self, width: float, height: float, *, title: str = "") -> None:
        self.width, self.height, self.title = width, height, title
        self.panels: list[Panel] = []

    def panel(self, left: float, top: float, width: float, height: float, **kw: bool) -> Panel:
        p = Panel(left, top, width, height, **kw)
        p.clip_id = f"c{len(self.panels)}"
        self.panels.append(p)
        return p

    def needed_width(self) -> float:
        """The document's width: at least the one asked for, wider where a legend placed outside
        its panel would run past the edge (a label is never cut; 5.6 px per character bounds the
        9-px sans-serif text's advance)."""
        need = self.width
        for p in self.panels:
            if p.legend and p.legend_outside:
                longest = max(len(label) for label, _, _ in p.legend)
                need = max(need, p.left + p.width + 10 + 18 + 5.6 * longest + 6)
        return need

    def to_svg(self, label: str) -> bytes:
        """The standalone SVG document; ``label`` is its accessible name."""
        width = self.needed_width()
        out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{self.height:.0f}" '
               f'viewBox="0 0 {width:.0f} {self.height:.0f}" role="img" aria-label="{escape(label)}" '
               f'font-family="{FONT}">',
               f"<title>{escape(label)}</title>",
               f'<rect width="{width:.0f}" height="{self.height:.0f}" fill="#fff"/>']
        if self.title:
            out.append(f'<text x="{_f(width / 2)}" y="16" text-anchor="middle" font-size="13">{escape(self.title)}</text>')
        for p in self.panels:
            out.extend(p.render())
        out.append("</svg>")
        return "\n".join(out).encode("utf-8")
