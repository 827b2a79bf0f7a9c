"""Monitoring read on one thread while metrics are made and written on another: a snapshot never
raises and never reports a half-made metric. Each race is staged exactly by a
``threading.Event`` handshake at the one point of the writer or the reader where the other thread
would cut in (no sleeps, no timing luck): the writer is held inside its step, the other side runs
to completion, then the writer is let go."""

from __future__ import annotations

import math
import threading
from typing import Any, Callable

import pytest

from system_under_test.monitoring import Histogram, MonitoringCoordinator

#: how long a handshake waits for the other thread before the test calls the staging broken
#: (never reached when the code is right or wrong: it only keeps a broken stage from hanging)
HANDSHAKE_S = 10.0


class _HookedDict(dict):
    """A metric registry whose iteration runs ``on_iterate`` after yielding its first entry: the
    moment a snapshot is inside its walk of the registry."""

    def __init__(self, items: dict[str, Any], on_iterate: Callable[[], None]) -> None:
        super().__init__(items)
        self._on_iterate = on_iterate

    def items(self):  # type: ignore[override]
        first = True
        for item in super().items():
            yield item
            if first:
                first = False
                self._on_iterate()


def _other_thread(work: Callable[[], None]) -> tuple[threading.Thread, list[BaseException]]:
    raised: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # handed back to the test's thread
            raised.append(exc)

    t = threading.Thread(target=run, name="metric-writer")
    t.start()
    return t, raised


@pytest.mark.parametrize("registry,make", [("counters", "counter"), ("gauges", "gauge"),
                                           ("histograms", "histogram")])
def test_a_metric_named_on_another_thread_mid_snapshot_leaves_the_snapshot_whole(registry: str,
                                                                                  make: str) -> None:
    """A new metric's first use on another thread (the recovery thread's first
    ``stale_device_errors``) while a snapshot walks the registry: the snapshot finishes, with
    the metrics it began with, and the new one is in the next snapshot. Without the snapshot
    taking the registry's lock the walk meets a dict that changed size and raises."""
    m = MonitoringCoordinator()
    created = threading.Event()
    writer: list[tuple[threading.Thread, list[BaseException]]] = []

    def add_from_another_thread() -> None:
        if writer:
            return
        writer.append(_other_thread(lambda: (getattr(m, make)("made_elsewhere"), created.set())))
        # a walk under the registry's lock: the writer waits on it, the walk goes on alone;
        # otherwise the writer makes its metric before the walk goes on
        if not m._lock.locked():
            assert created.wait(HANDSHAKE_S)

    setattr(m, registry, _HookedDict(getattr(m, registry), add_from_another_thread))
    before = set(getattr(m, registry))
    snap = m.snapshot(1.0)
    t, raised = writer[0]
    t.join(HANDSHAKE_S)
    assert not t.is_alive() and not raised
    assert set(getattr(snap, registry)) == before
    assert "made_elsewhere" in getattr(m.snapshot(2.0), registry)


def _held_observe(field: str, at_store: Callable[[], None]) -> Histogram:
    """A histogram whose ``observe`` runs ``at_store`` right after it stores ``field``: the moment
    a reader on another thread would cut into the audio callback's sample."""
    slot = getattr(Histogram, field)
    held = type("_HeldObserve", (Histogram,), {
        "__slots__": (),
        field: property(slot.__get__, lambda s, v: (slot.__set__(s, v), at_store()))})
    return held("held")


@pytest.mark.parametrize("times", [1, 3])
@pytest.mark.parametrize("field", ["_n", "count", "total", "max", "min"])
def test_a_summary_read_mid_observe_reports_no_half_made_sample(field: str, times: int) -> None:
    """The callback's first samples observed (one by ``observe``, or a stretch's three by
    ``observe_repeated``) while the monitoring reader takes a summary, the reader cutting in after
    any one of the first store of ``field``: the summary counts samples with their extremes and
    total, or counts nothing. A summary that counts a sample whose extremes are not stored yet
    reports a max of -inf and a min of +inf."""
    stored, go_on = threading.Event(), threading.Event()
    held: list[bool] = []
    armed = threading.Event()  # not while the histogram's constructor stores its zeros

    def at_store() -> None:
        if armed.is_set() and not held:
            held.append(True)
            stored.set()
            go_on.wait(HANDSHAKE_S)

    h = _held_observe(field, at_store)
    armed.set()
    t, raised = _other_thread(lambda: h.observe_repeated(0.25, times))
    assert stored.wait(HANDSHAKE_S)
    try:
        mid = h.summary()
    finally:
        go_on.set()
        t.join(HANDSHAKE_S)
    assert not raised
    assert all(math.isfinite(v) for v in mid.values()), mid
    if mid["count"]:
        assert (mid["mean"], mid["max"], mid["min"]) == (0.25, 0.25, 0.25)
    else:
        assert (mid["mean"], mid["max"], mid["min"]) == (0.0, 0.0, 0.0)
    assert h.summary()["count"] == times and h.summary()["max"] == 0.25
