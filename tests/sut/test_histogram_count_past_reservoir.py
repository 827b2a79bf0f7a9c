"""A histogram's summary counts every observation, not only those its reservoir still holds.

``Histogram`` keeps the most recent ``capacity`` samples for its percentiles and exact count, total,
max and min over all of them. A report's callback count and mean callback time come from the
summary: once a run has made more callbacks than the reservoir holds (65 536 by default, under six
minutes of 5.33 ms blocks), a count read off the reservoir would stop there while the total went
on, and the mean would no longer be total / count.
"""

from __future__ import annotations

from system_under_test.monitoring import Histogram


def test_the_summary_counts_every_observation_once_the_reservoir_wrapped() -> None:
    h = Histogram("x", capacity=4)
    for v in range(1, 11):
        h.observe(float(v))
    s = h.summary()
    assert (s["count"], s["mean"], s["max"], s["min"]) == (10, 5.5, 10.0, 1.0)
    assert h.samples().tolist() == [9.0, 10.0, 7.0, 8.0]  # the percentiles' reservoir: the last 4


def test_repeated_observations_past_the_reservoir_are_counted_whole() -> None:
    h = Histogram("x", capacity=4)
    h.observe_repeated(2.0, 9)
    assert h.summary()["count"] == 9
