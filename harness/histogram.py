"""Mergeable log-binned histograms of callback durations: what a run records of its callbacks.

A run folds every callback's duration into ``CallbackDurations`` chunk by chunk (constant memory,
whatever the run's length); a soak journals one ``cb_bins`` histogram per checkpoint; the reports
merge them (``merge_bins``) and read percentiles off the merged bins (``bins_percentiles``). Bins are
log-spaced, ``BINS_PER_DECADE`` to a decade (~6 % resolution) above ``BIN_FLOOR_S``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import numpy as np

__all__ = ["BINS_PER_DECADE", "BIN_FLOOR_S", "BUDGET_EDGES", "CallbackDurations", "bin_mid", "bins_percentiles", "cb_bins",
           "merge_bins", "percentile_key"]

BINS_PER_DECADE = 40
BIN_FLOOR_S = 1e-7  # seconds: the lower edge of bin 0


def cb_bins(durations: np.ndarray) -> dict[str, int]:
    """Log-spaced histogram of durations (seconds): ``{bin_index: count}`` (JSON keys are strings)."""
    d = np.asarray(durations, dtype=np.float64)
    if d.size == 0:
        return {}
    idx = np.floor(np.log10(np.maximum(d, BIN_FLOOR_S) / BIN_FLOOR_S) * BINS_PER_DECADE).astype(np.int64)
    lo, hi = int(idx.min()), int(idx.max())
    if hi - lo > _COUNT_SPAN:  # a stray huge (or non-finite) duration: sort, as ever
        vals, counts = np.unique(idx, return_counts=True)
        return {str(int(v)): int(c) for v, c in zip(vals, counts)}
    # one count per bin between the smallest and the largest, the empty ones left out: the bins
    # ``np.unique`` gives, in its (ascending) order, without its sort (a soak bins every chunk's
    # ~190 durations twice, the run's and the journal's)
    counts = np.bincount(idx - lo)
    full = np.flatnonzero(counts)
    return {str(v + lo): c for v, c in zip(full.tolist(), counts[full].tolist())}


#: ``cb_bins`` counts bins directly over at most this span of bin indices (six decades)
_COUNT_SPAN = 6 * BINS_PER_DECADE


#: budget-share bucket edges of the callback-duration histogram "vs block budget"
BUDGET_EDGES = (0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)


class CallbackDurations:
    """Every callback's duration, folded chunk by chunk into a mergeable log histogram (constant
    memory, whatever the run's length) plus exact count, sum, max and per-budget-share counts.

    ``fold(histogram)`` takes what the system's duration reservoir (``monitoring.Histogram``, a
    ring of the last 65 536) gained since the previous fold; fold at least once per ring's worth of
    callbacks (a 1 s chunk is ~190 at 48 kHz / 256 frames), else the overflow is counted in
    ``missed``.
    """

    def __init__(self, budget_s: float | None = None) -> None:
        self.budget_s = budget_s
        self.bins: Counter[int] = Counter()
        self.count = 0
        self.sum = 0.0
        self.max = 0.0
        self.missed = 0
        self.budget_counts = [0] * (len(BUDGET_EDGES) + 1)
        self._seen = 0
        self._hist: Any = None

    def fold(self, hist: Any, budget_s: float | None = None) -> int:
        """Take the reservoir's new samples; ``budget_s`` sets the budget if it was not known yet
        (the system has no config until ``initialize``)."""
        if self.budget_s is None and budget_s:
            self.budget_s = budget_s
        if hist is not self._hist or hist.count < self._seen:  # a new reservoir: start over on it
            self._hist, self._seen = hist, 0
        new = hist.count - self._seen
        self._seen = hist.count
        if new <= 0:
            return 0
        ring = hist._ring  # the newest ``new`` samples sit just before ``_n``
        cap = ring.shape[0]
        take = min(new, cap)
        self.missed += new - take
        self.add(ring[np.arange(hist._n - take, hist._n) % cap])
        return take

    def add(self, durations: Any) -> None:
        d = np.asarray(durations, dtype=np.float64)
        if d.size == 0:
            return
        for k, v in cb_bins(d).items():
            self.bins[int(k)] += v
        self.count += int(d.size)
        self.sum += float(d.sum())
        self.max = max(self.max, float(d.max()))
        if self.budget_s:
            idx = np.searchsorted(np.asarray(BUDGET_EDGES) * self.budget_s, d, side="left")
            for i, c in enumerate(np.bincount(idx, minlength=len(self.budget_counts)).tolist()):
                self.budget_counts[i] += c

    def summary(self) -> dict[str, Any]:
        """``{count, p50, p99, p99_9, max, mean, budget_s, budget_share, over_budget, missed,
        histogram: {bins_per_decade, floor_s, bins}, budget_histogram: [{le_share, count}]}``."""
        pct = bins_percentiles(dict(self.bins))
        out: dict[str, Any] = {"count": self.count, **pct, "max": self.max if self.count else None,
                               "mean": self.sum / self.count if self.count else None, "missed": self.missed,
                               "budget_s": self.budget_s}
        b = self.budget_s
        out["budget_share"] = {k: (out[k] / b if b and out[k] is not None else None)
                               for k in ("p50", "p99", "p99_9", "max", "mean")}
        out["over_budget"] = sum(self.budget_counts[BUDGET_EDGES.index(1.0) + 1:]) if b else None
        out["histogram"] = {"bins_per_decade": BINS_PER_DECADE, "floor_s": BIN_FLOOR_S,
                            "bins": {str(k): v for k, v in sorted(self.bins.items())}}
        out["budget_histogram"] = ([{"le_share": e, "count": c} for e, c in zip(BUDGET_EDGES, self.budget_counts)]
                                   + [{"le_share": None, "count": self.budget_counts[-1]}]) if b else None
        return out


def merge_bins(many: list[dict[str, int]]) -> dict[int, int]:
    out: dict[int, int] = defaultdict(int)
    for bins in many:
        for k, v in (bins or {}).items():
            out[int(k)] += int(v)
    return dict(out)


def bin_mid(i: int) -> float:
    return BIN_FLOOR_S * 10 ** ((i + 0.5) / BINS_PER_DECADE)


def bins_percentiles(bins: dict[int, int], qs: tuple[float, ...] = (50, 99, 99.9)) -> dict[str, float | None]:
    total = sum(bins.values())
    if not total:
        return {percentile_key(q): None for q in qs}
    keys = sorted(bins)
    cum = np.cumsum([bins[k] for k in keys])
    out = {}
    for q in qs:
        rank = q / 100 * total
        i = int(np.searchsorted(cum, rank, side="left"))
        out[percentile_key(q)] = bin_mid(keys[min(i, len(keys) - 1)])
    return out


def percentile_key(q: float) -> str:
    return "p" + (f"{q:g}".replace(".", "_"))


