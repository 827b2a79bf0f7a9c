"""``report.html``: one self-contained file (inline CSS, SVG figures as data URIs, no scripts, no network)."""

from __future__ import annotations

import base64
import math
from typing import Any

from ..durations import format_duration
from ..fault_outcomes import describe_outcome
from .evidence import render_evidence, render_value
from ..verdict import steady_windows
from .templating import environment

__all__ = ["render_html"]

def _num(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if not math.isfinite(v):
            return "-"
        if v != 0 and (abs(v) >= 1e6 or abs(v) < 1e-3):
            return f"{v:.3g}"
        return f"{v:,.3f}".rstrip("0").rstrip(".")
    return str(v)


def _pct(v: Any) -> str:
    return "-" if not isinstance(v, (int, float)) else f"{100 * v:.1f} %"


def _ms(v: Any) -> str:
    return "-" if not isinstance(v, (int, float)) else _num(1000 * float(v))


def _fmt_d(v: Any) -> str:
    return "-" if not isinstance(v, (int, float)) else format_duration(float(v))


def render_html(report: dict[str, Any], figures: dict[str, bytes]) -> str:
    env = environment(num=_num, pct=_pct, ms=_ms, fmt_d=_fmt_d, evidence=render_evidence, value=render_value,
                      outcome=describe_outcome, steady_windows=steady_windows)
    figs = {k: base64.b64encode(v).decode("ascii") for k, v in figures.items()}
    from ..journal import JOURNAL_GLITCHES
    from .plots import MIME
    return env.get_template("report.html.j2").render(r=report, figs=figs, fig_mime=MIME,
                                                     journal_glitches=JOURNAL_GLITCHES)
