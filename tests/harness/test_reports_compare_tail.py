"""``soundcheck compare`` judges each callback percentile by its own figure: a candidate whose
slowest 0.1 % of callbacks grew (p99.9) while its p99 held is a regression of the tail, and one
whose p99 grew while its p99.9 held is a regression of the p99 only.

Each case moves one percentile of report B against report A and is judged against the rule of
``compare``'s docstring, computed here from the figures: worse when it rose by more than
``max(absolute margin, (exp(sample_margin) - 1) x A)``, the margin the healthy spread derives,
else same. The runs are 900 s: long enough for the percentiles to be judged."""

from __future__ import annotations

from typing import Any

import pytest

import math

from harness.reports.compare import ALPHA, EXTRA_FIGURES, compare_reports, sample_margin
from harness.reports.history_db import KEY_FIGURES

#: callback durations of the baseline, seconds
BASE = {"p50": 0.001, "p99": 0.002, "p99_9": 0.003, "max": 0.004}
#: the compared figure of each percentile, and its absolute margin (ms)
FIGURE = {"p99": ("cb_p99_ms", KEY_FIGURES["cb_p99_ms"][1]), "p99_9": ("cb_p99_9_ms", EXTRA_FIGURES["cb_p99_9_ms"][1])}


def _report(cb: dict[str, float]) -> dict[str, Any]:
    return {"kind": "run", "run": {"run_id": "r", "backend": "sim", "profile": "default", "duration_s": 900},
            "stability": {"sim_time_s": 900.0},
            "verdict": {"outcome": "pass"}, "performance": {"callback_duration_s": dict(cb)}}


def _expected(b_cb: dict[str, float], figure: str) -> str:
    """The verdict the rule gives ``figure`` of B against the baseline."""
    name, margin = FIGURE[figure]
    a, b = BASE[figure] * 1000, b_cb[figure] * 1000
    return "worse" if b - a > max(margin, math.expm1(sample_margin(name, ALPHA)) * a) else "same"


CASES = [(moved, factor) for moved in ("p99", "p99_9") for factor in (1.0, 1.2, 2.0, 5.0)]


@pytest.mark.parametrize(("moved", "factor"), CASES)
def test_each_callback_percentile_is_judged_by_its_own_figure(moved: str, factor: float) -> None:
    b = dict(BASE)
    b[moved] = BASE[moved] * factor
    # a p99 may not pass the p99.9: the tail holds what the p99 moved into it
    b["p99_9"] = max(b["p99_9"], b["p99"])
    c = compare_reports(_report(BASE), _report(b))
    by_name = {m.name: m for m in c.metrics}
    for figure, (name, _) in FIGURE.items():
        m = by_name[name]
        assert m.a == pytest.approx(BASE[figure] * 1000) and m.b == pytest.approx(b[figure] * 1000), m
        assert m.verdict == _expected(b, figure), (figure, m)


def test_a_tail_that_grew_alone_is_a_regression_named_by_its_figure() -> None:
    c = compare_reports(_report(BASE), _report({**BASE, "p99_9": 0.015, "max": 0.016}))
    assert c.regressed
    assert any(r.startswith("callback p99.9 (ms): 3 -> 15") for r in c.regressions), c.regressions
    assert not any(r.startswith("callback p99 (ms)") for r in c.regressions), c.regressions
