"""The MonitoringCoordinator: it measures, and does nothing else.

The seed document's monitoring managed state as a side job and got both wrong; this one holds
counters, gauges and histograms only. Recording is cheap enough for the audio callback: a counter
is an int add, a histogram sample is one store into a preallocated numpy ring. Percentiles are
computed only when someone asks for a snapshot.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np


class Counter:
    __slots__ = ("name", "value")

    def __init__(self, name: str) -> None:
        self.name = name
        self.value = 0

    def inc(self, amount: int = 1) -> None:
        self.value += amount


class Gauge:
    __slots__ = ("name", "value", "max")

    def __init__(self, name: str) -> None:
        self.name = name
        self.value = 0.0
        self.max = 0.0

    def set(self, value: float) -> None:
        self.value = value
        if value > self.max:
            self.max = value


class Histogram:
    """A bounded reservoir of the most recent samples plus exact count/sum/max over all of them."""

    __slots__ = ("name", "_ring", "_n", "count", "total", "max", "min", "_quantiles")

    def __init__(self, name: str, capacity: int = 65_536) -> None:
        self.name = name
        self._ring = np.zeros(capacity, dtype=np.float64)
        self._n = 0
        self.count = 0
        self.total = 0.0
        self.max = float("-inf")
        self.min = float("inf")
        #: the summary's percentiles and the number of samples observed when they were computed
        self._quantiles: tuple[int, dict[str, float]] | None = None

    def observe(self, value: float) -> None:
        """One sample, stored without a lock (the audio callback's cost) and published by its
        ``count``, stored last: a reader on another thread that sees the sample counted sees its
        extremes and total stored (``summary``), never a counted sample's max of -inf."""
        ring = self._ring
        ring[self._n % ring.shape[0]] = value
        if value > self.max:
            self.max = value
        if value < self.min:
            self.min = value
        self.total += value
        self._n += 1
        self.count += 1

    def observe_repeated(self, value: float, times: int) -> None:
        """``observe(value)`` ``times`` times, in one call: the same ring, count, total, max and
        min. All but the last go into the ring in one slice assignment (the total by one product,
        not ``times - 1`` sums); the last is an ``observe``. As there, the count is stored last:
        a summary read on another thread between the two steps counts ``times - 1`` samples with
        their extremes stored."""
        if times <= 0:
            return
        rest = times - 1
        if rest:
            ring = self._ring
            cap = ring.shape[0]
            start = self._n % cap
            if rest >= cap:
                ring[:] = value
            elif start + rest <= cap:
                ring[start:start + rest] = value
            else:
                ring[start:] = value
                ring[:start + rest - cap] = value
            if value > self.max:
                self.max = value
            if value < self.min:
                self.min = value
            self.total += value * rest
            self._n += rest
            self.count += rest
        self.observe(value)

    def samples(self) -> np.ndarray:
        n = min(self._n, self._ring.shape[0])
        return self._ring[:n].copy()

    def percentiles(self, qs: tuple[float, ...] = (50, 90, 99, 99.9)) -> dict[str, float]:
        data = self.samples()
        if data.size == 0:
            return {f"p{q:g}": 0.0 for q in qs}
        vals = np.percentile(data, qs)
        return {f"p{q:g}": float(v) for q, v in zip(qs, vals)}

    def summary(self) -> dict[str, Any]:
        """Count, mean, extremes and the default percentiles. The percentiles are computed again
        only once a sample was observed since they last were: the reservoir is a function of the
        samples observed, so until the next one they are the same numbers, and a reader that takes
        a snapshot after every step of a search (the harness's live checks) would otherwise sort
        every histogram's reservoir at every step whether the stream ran or not.

        Read on another thread than ``observe``'s (the monitoring reader beside the audio
        callback), without a lock: ``count`` is read once and first, and ``observe`` stores it
        last, so every sample counted has its extremes and total stored. A sample in flight may
        already be in the total and extremes though not counted (the mean then leans by that one
        sample; the max and min are still values observed). The cached percentiles are safe
        without a lock too: they are keyed by the ``_n`` read before the reservoir, and a reservoir
        read later holds at least those samples, so a key that lags them is recomputed at the next
        summary, never kept past a new sample."""
        count = self.count
        d: dict[str, Any] = {"count": count,
                             "mean": self.total / count if count else 0.0,
                             "max": self.max if count else 0.0,
                             "min": self.min if count else 0.0}
        n = self._n
        cached = self._quantiles
        if cached is None or cached[0] != n:
            cached = self._quantiles = (n, self.percentiles())
        d.update(cached[1])
        return d


@dataclass(frozen=True)
class MetricsSnapshot:
    time: float
    counters: dict[str, int]
    gauges: dict[str, float]
    histograms: dict[str, dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"time": self.time, "counters": dict(self.counters), "gauges": dict(self.gauges),
                "histograms": {k: dict(v) for k, v in self.histograms.items()}}


#: The metrics every system has; names are part of the report schema.
STANDARD_COUNTERS = (
    "callbacks", "xruns", "frames_captured", "frames_played", "frames_dropped", "frames_inserted",
    "errors", "callback_errors", "recoveries", "recovery_failures", "pool_exhaustions",
    "status_input_underflow", "status_input_overflow", "status_output_underflow",
    "status_output_overflow", "budget_overruns", "device_losses", "device_stalls",
)
STANDARD_GAUGES = ("buffer_fill_input", "buffer_fill_output", "pool_in_use", "latency_ms", "cpu_load")
STANDARD_HISTOGRAMS = ("callback_duration_s", "callback_load", "recovery_time_s", "detect_time_s")


class MonitoringCoordinator:
    """A registry of metrics with a snapshot API. It never changes any component's state.

    Used from several threads at once (the audio callback, the recovery thread, the monitoring
    reader). A metric is added under ``_lock`` and looked up without it (one dict ``get``, atomic
    under the GIL); ``snapshot`` copies the registries under it. ``value`` and a gauge's reading
    are one attribute read each, whole whatever another thread stores."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counters: dict[str, Counter] = {n: Counter(n) for n in STANDARD_COUNTERS}
        self.gauges: dict[str, Gauge] = {n: Gauge(n) for n in STANDARD_GAUGES}
        self.histograms: dict[str, Histogram] = {n: Histogram(n) for n in STANDARD_HISTOGRAMS}

    def counter(self, name: str) -> Counter:
        c = self.counters.get(name)
        if c is None:
            with self._lock:
                c = self.counters.setdefault(name, Counter(name))
        return c

    def gauge(self, name: str) -> Gauge:
        g = self.gauges.get(name)
        if g is None:
            with self._lock:
                g = self.gauges.setdefault(name, Gauge(name))
        return g

    def histogram(self, name: str) -> Histogram:
        h = self.histograms.get(name)
        if h is None:
            with self._lock:
                h = self.histograms.setdefault(name, Histogram(name))
        return h

    def value(self, name: str) -> int:
        return self.counters[name].value if name in self.counters else 0

    def snapshot(self, time: float) -> MetricsSnapshot:
        """Every metric's reading at ``time``.

        A metric may be first named on another thread while this runs (the recovery thread's
        first ``stale_device_errors``): the registries are copied under the lock ``counter()``,
        ``gauge()`` and ``histogram()`` add under, and read from those copies after it is let go.
        The lock is held for the copies alone (a list of a few dozen pairs), not for the
        histograms' percentiles (a sort of each reservoir): a thread naming a new metric never
        waits behind the sorting. Values are read without the lock, as the writers store them
        without it (``Histogram.summary``)."""
        with self._lock:
            counters = list(self.counters.items())
            gauges = list(self.gauges.items())
            histograms = list(self.histograms.items())
        return MetricsSnapshot(
            time,
            {n: c.value for n, c in counters},
            {n: g.value for n, g in gauges},
            {n: h.summary() for n, h in histograms},
        )


__all__ = ["Counter", "Gauge", "Histogram", "MetricsSnapshot", "MonitoringCoordinator"]
