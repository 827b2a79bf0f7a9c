"""What a run records of its callbacks' durations (``harness.histogram.CallbackDurations``) is
every callback's, however long the run, and says "over budget" only of callbacks that took longer
than the budget.

The fold reads the system's reservoir (``monitoring.Histogram``, a ring of the most recent samples
indexed by an ever-growing ``_n``), so past the ring's first wrap its newest samples sit on both
sides of the ring's end; a small ring stands for the 65 536-sample one. The budget shares are
counted in buckets whose upper edges are ``BUDGET_EDGES`` of the budget: a callback of exactly the
budget, or 0.8 of it, is within it."""

from __future__ import annotations

import numpy as np

from harness.histogram import CallbackDurations
from system_under_test.monitoring import Histogram


def test_a_fold_past_the_reservoir_s_wrap_takes_the_newest_samples_in_order() -> None:
    hist = Histogram("callback_duration_s", capacity=8)
    durations = CallbackDurations()
    values = [0.001 * (i + 1) for i in range(27)]
    for chunk in (values[:5], values[5:12], values[12:19], values[19:27]):  # each under the ring's 8
        for v in chunk:
            hist.observe(v)
        durations.fold(hist)
    summary = durations.summary()
    assert summary["count"] == 27 and summary["missed"] == 0
    assert summary["max"] == max(values)
    assert np.isclose(durations.sum, sum(values))


def test_only_callbacks_longer_than_the_budget_are_over_it() -> None:
    budget = 0.005
    durations = CallbackDurations(budget_s=budget)
    within = [0.8 * budget, 0.9 * budget, budget]
    over = [1.2 * budget, 3 * budget]
    durations.add(within + over)
    summary = durations.summary()
    assert summary["over_budget"] == len(over)
    shares = {b["le_share"]: b["count"] for b in summary["budget_histogram"]}
    assert sum(n for edge, n in shares.items() if edge is not None and edge <= 1.0) == len(within)
    assert sum(shares.values()) == len(within) + len(over)
