"""A sample figure's margin (``compare.sample_margin``) keeps compare's false alarms on healthy pairs
at ``alpha``: each run's log figure spreads by ``SAMPLE_LOG_SD`` from seed to seed, so the log
ratio of two healthy runs spreads by sqrt(2) times that, and "worse" must lie beyond
``z(1 - alpha)`` of *that* spread.

The oracle is independent of the module's formula: healthy pairs drawn (seeded) with each run's
log figure normal around one value with the measured sd, and the share compare calls worse counted;
and the boundary recomputed from the normal quantile of the difference's own sd,
``sqrt(sd**2 + sd**2)``, with a pair of reports on each side of it. A margin narrower by sqrt(2)
calls about 5 % of healthy pairs worse at alpha 1 %."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy.stats import norm

from harness.reports.compare import ALPHA, SAMPLE_LOG_SD, compare_reports, sample_margin

BUDGET_S = 256 / 48_000
#: the figures whose margin comes from the spread, and the report field each is read from
_FIELDS = {"cb_p99_ms": "p99", "cb_p99_9_ms": "p99_9", "budget_share_p99": "p99"}


def _difference_margin(name: str, alpha: float) -> float:
    """The one-sided ``alpha`` point of log(B) - log(A) for two independent healthy runs."""
    sd = SAMPLE_LOG_SD[name]
    return float(norm.ppf(1.0 - alpha)) * math.sqrt(sd * sd + sd * sd)


@pytest.mark.parametrize("name", sorted(_FIELDS))
def test_healthy_pairs_are_called_worse_at_most_alpha_of_the_time(name: str) -> None:
    rng = np.random.default_rng(20261206)
    sd = SAMPLE_LOG_SD[name]
    log_ratio = rng.normal(0.0, sd, 200_000) - rng.normal(0.0, sd, 200_000)
    margin = sample_margin(name, ALPHA)
    assert margin is not None
    share = float(np.mean(log_ratio > margin))
    # at 200 000 pairs the share's sd is 0.02 %: 1.5 % is alpha (1 %) plus 20 of them
    assert share < 1.5 * ALPHA, (name, share, margin)


def _report(seed: int, **perf: float) -> dict[str, Any]:
    p99, p99_9 = perf.get("p99", 2e-3), perf.get("p99_9", 6e-3)
    return {
        "kind": "run", "verdict": {"outcome": "pass", "ok": True},
        "run": {"run_id": f"r{seed}", "backend": "sim", "profile": "default", "seed": seed, "duration_s": 900.0,
                "system": "AudioSystem", "mutant": None, "status": "completed"},
        "stability": {"failure_count": 0, "incident_count": 0, "sim_time_s": 900.0, "faults_injected": 100},
        "performance": {"callback_duration_s": {"p50": 5e-4, "p99": p99, "p99_9": p99_9, "max": 1.5e-2},
                        "budget_share": {"p99": p99 / BUDGET_S}},
    }


@pytest.mark.parametrize("name", sorted(_FIELDS))
@pytest.mark.parametrize(("share", "expected"), [(0.9, "same"), (1.1, "worse")])
def test_the_boundary_is_the_differences_quantile(name: str, share: float, expected: str) -> None:
    field = _FIELDS[name]
    base = 2e-3 if field == "p99" else 6e-3
    factor = math.exp(share * _difference_margin(name, ALPHA))
    c = compare_reports(_report(1, **{field: base}), _report(2, **{field: base * factor}))
    (m,) = [m for m in c.metrics if m.name == name]
    assert m.verdict == expected, (name, share, m)
