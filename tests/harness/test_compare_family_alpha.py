"""``soundcheck compare`` judges its tests at a level as one family (``compare.family_levels``):
Holm's rule shares ``FAMILY_ALPHA`` among the tests compared, each at most at ``ALPHA``.

Each test alone calls a healthy pair worse at its own level's rate, so a pair judged on eight of
them was called regressed up to eight times as often as one's alpha (bench/RESULTS.md, issue #11:
healthy held-out pairs called worse by "faults injected" alone, 3 and 1 of 1 260).
"""

from __future__ import annotations

import copy
import math
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.reports.compare import (ALPHA, CALLBACK_TEST, FAMILY_ALPHA, compare_reports, family_levels,
                                     render_compare_text, sample_margin)

sys.path.insert(0, str(Path(__file__).parent))
from test_compare_exposure_and_spread import _report  # noqa: E402

LOAD = {"cpus": 2, "load_1min_start": 1.0, "load_1min_end": 1.0}


def _run(**kw: Any) -> dict[str, Any]:
    """A 900 s default-profile report whose machine load is recorded (so the wall speed is judged too)."""
    r = copy.deepcopy(_report(900.0, **kw))
    r["performance"]["machine"] = dict(LOAD)
    return r


def _p_judge(pvalues: dict[str, float]):
    """A family whose tests are p-values: *worse* below the level, *n/a* for None."""
    def judge(name: str, level: float) -> dict[str, Any]:
        p = pvalues[name]
        return {"verdict": "n/a" if p is None else "worse" if p < level else "same", "level": level}
    return judge


def test_holms_rule_over_the_tests_compared() -> None:
    p = {"a": 0.001, "b": 0.0062, "c": 0.0065, "d": 0.3, "e": 0.5, "f": 0.6, "g": 0.7, "h": 0.8, "i": None}
    results, levels, compared = family_levels(_p_judge(p), tuple(p), ALPHA, FAMILY_ALPHA)
    assert compared == list("abcdefgh")  # i was not compared: it takes no share
    # 8 compared: 0.05 / 8 = 0.00625 finds a and b; the 6 left at 0.05 / 6 = 0.00833 find c; the
    # 5 left at min(0.01, 0.05 / 5) = 0.01 find none
    assert [n for n in compared if results[n]["verdict"] == "worse"] == ["a", "b", "c"]
    assert levels["a"] == pytest.approx(0.05 / 8) and levels["c"] == pytest.approx(0.05 / 6)
    assert levels["d"] == pytest.approx(0.01) and results["i"]["verdict"] == "n/a"


def test_a_test_is_never_judged_above_its_own_alpha() -> None:
    p = {"a": 0.011, "b": 0.5}
    results, levels, _ = family_levels(_p_judge(p), tuple(p), ALPHA, FAMILY_ALPHA)
    assert results["a"]["verdict"] == "same" and max(levels.values()) == ALPHA


def _between(name: str, low: float, high: float) -> float:
    """A factor on a sample figure half way (in log) between its margins at ``low`` and ``high``."""
    return math.exp((sample_margin(name, low, ("default",)) + sample_margin(name, high, ("default",))) / 2)


def test_a_healthy_pair_inside_the_familys_share_is_not_called_worse() -> None:
    """B's p99.9 beyond its margin at alpha 0.01 alone but inside it at the family's share of 8
    tests (0.05 / 8): worse for one test alone, the same as one of eight."""
    factor = _between("cb_p99_9_ms", 0.05 / 8, ALPHA)
    c = compare_reports(_run(seed=1), _run(seed=2, p99_9=6e-3 * factor))
    assert c.thresholds["family"] == ["xruns_per_hour", "faults", "cb_p50_ms", "cb_p99_ms", "cb_p99_9_ms",
                                      "budget_share_p99", "speed_x", CALLBACK_TEST]
    m = next(m for m in c.metrics if m.name == "cb_p99_9_ms")
    assert m.verdict == "same" and m.alpha == pytest.approx(0.05 / 8), m
    assert "at alpha 0.00625" in m.note, m.note
    assert not c.regressed, c.regressions
    assert "family-wise alpha 0.05 over the 8 test(s)" in render_compare_text(c)


def test_a_planted_regression_past_the_familys_share_is_still_worse_and_frees_its_share() -> None:
    """xruns x4 is worse at 0.05 / 8; the seven left are then judged at 0.05 / 7, so a p99.9 beyond
    that margin (and inside 0.05 / 8's) is worse too."""
    factor = _between("cb_p99_9_ms", 0.05 / 7, 0.05 / 8)
    c = compare_reports(_run(seed=1), _run(seed=2, xruns_per_hour=48_000.0, p99_9=6e-3 * factor))
    got = {m.name: m for m in c.metrics}
    assert got["xruns_per_hour"].verdict == "worse" and got["xruns_per_hour"].alpha == pytest.approx(0.05 / 8)
    assert got["cb_p99_9_ms"].verdict == "worse" and got["cb_p99_9_ms"].alpha == pytest.approx(0.05 / 7)
    assert c.regressed and len(c.regressions) == 2, c.regressions
