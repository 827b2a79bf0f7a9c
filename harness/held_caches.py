"""The harness's own bounded working sets in a soak's process, counted as its bounded logs are.

Why: on the simulated device the harness runs in the system's process, so whatever the harness
keeps grows that process's resident set beside the system's. Two bounded structures of its own
fill through a healthy hour: the listening check's memo of fine-pass templates
(``harness.analysis._fine_templates_at``, 64 entries of ~44.6 kB at a 256-frame block, ~0.4 MB/h
while it fills) and the live health check's window of system transitions (``_Health``, up to
``2 * HEALTH_WINDOW`` of them, ~0.1 MB/h). Uncounted, the leak judge charged both to the system
(bench/RESULTS.md, issue #11). Each reports its fill in the shape ``harness.leaks.log_books`` reads
(``bounded_logs()``), sampled as ``caches_log_bytes`` and taken out of the RSS before it is judged,
as the system's logs are (``harness.leaks``, point 6).

The bytes are exact and cheap: a ``CountedCache`` adds each result's array bytes as it stores it
and takes them off as it lets one go, so a sample reads one integer a cache, never a walk of what
it holds. They are a lower bound, like the logs': an array's data buffer is counted, its header
and the tuple holding it are not, so a leak is never hidden behind a cache.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

import numpy as np

from system_under_test.held import BoundedFill

__all__ = ["CountedCache", "HarnessHeld", "counted_cache", "counted_caches", "result_bytes"]

R = TypeVar("R")

#: every ``CountedCache`` made, by ``module.function``: what ``HarnessHeld`` reports
_REGISTRY: dict[str, CountedCache[Any]] = {}


def result_bytes(result: Any) -> int:
    """The data bytes of the numpy arrays in ``result`` (an array, or a tuple/list of them and
    other values, which count nothing): what a memo holds for it, less the headers."""
    if isinstance(result, np.ndarray):
        return int(result.nbytes)
    if isinstance(result, (tuple, list)):
        return sum(result_bytes(r) for r in result)
    return 0


class CountedCache(Generic[R]):
    """A least-recently-used memo of a pure function's results with ``maxsize`` entries, keeping
    the sum of its results' array bytes (``held_bytes``) as it stores and lets go of them.

    Called as the function (positional and keyword arguments, hashable, as ``functools.lru_cache``
    asks); ``cache_info()`` and ``cache_clear()`` as ``lru_cache``'s. Thread-safe: a lock around
    the memo's bookkeeping, the function itself called outside it (two threads missing the same
    key both compute it; the second stores nothing new)."""

    def __init__(self, fn: Callable[..., R], maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError(f"maxsize must be at least 1, not {maxsize}")
        functools.update_wrapper(self, fn)
        self._fn = fn
        self.maxsize = maxsize
        self._memo: OrderedDict[Hashable, tuple[R, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.held_bytes = 0
        self.hits = 0
        self.misses = 0

    def __call__(self, *args: Any, **kwargs: Any) -> R:
        key: Hashable = (args, tuple(sorted(kwargs.items()))) if kwargs else args
        with self._lock:
            found = self._memo.get(key)
            if found is not None:
                self._memo.move_to_end(key)
                self.hits += 1
                return found[0]
            self.misses += 1
        result = self._fn(*args, **kwargs)
        size = result_bytes(result)
        with self._lock:
            if key not in self._memo:
                self._memo[key] = (result, size)
                self.held_bytes += size
                if len(self._memo) > self.maxsize:
                    _, (_, gone) = self._memo.popitem(last=False)
                    self.held_bytes -= gone
        return result

    def cache_info(self) -> functools._CacheInfo:
        """Hits, misses, cap and entries, as ``functools.lru_cache``'s ``cache_info``."""
        with self._lock:
            return functools._CacheInfo(self.hits, self.misses, self.maxsize, len(self._memo))

    def cache_clear(self) -> None:
        """Let every entry go (their bytes with them) and zero the counts."""
        with self._lock:
            self._memo.clear()
            self.held_bytes = 0
            self.hits = self.misses = 0

    def fill(self) -> BoundedFill:
        """Entries held, the cap, the bytes their arrays hold."""
        with self._lock:
            return BoundedFill(len(self._memo), self.maxsize, self.held_bytes)


def counted_cache(maxsize: int) -> Callable[[Callable[..., R]], CountedCache[R]]:
    """``functools.lru_cache(maxsize=...)``'s place for a memo of arrays: the result is registered
    under ``module.function``, so a soak's samples count what it holds (``HarnessHeld``)."""
    def wrap(fn: Callable[..., R]) -> CountedCache[R]:
        cache = CountedCache(fn, maxsize)
        _REGISTRY[f"{fn.__module__}.{fn.__qualname__}"] = cache
        return cache
    return wrap


def counted_caches() -> dict[str, BoundedFill]:
    """Each registered cache's fill, by ``module.function``."""
    return {name: cache.fill() for name, cache in sorted(_REGISTRY.items())}


class HarnessHeld:
    """The harness's bounded working sets in this process, as one ``bounded_logs()`` report:
    every ``CountedCache`` and, once the soak's live checker is made, its health window
    (``LiveChecker.bounded_logs``). ``live``: reads the soak's live checker now (None before its
    first check)."""

    def __init__(self, live: Callable[[], Any] | None = None) -> None:
        self._live = live

    def bounded_logs(self) -> dict[str, BoundedFill]:
        out = counted_caches()
        checker = self._live() if self._live is not None else None
        report = getattr(checker, "bounded_logs", None)
        if report is not None:
            out.update(report())
        return out


def container_bytes(*containers: Any) -> int:
    """The bytes ``sys.getsizeof`` gives for each container (an ``array.array`` or ``bytearray``:
    its buffer as allocated, header included), summed."""
    return sum(sys.getsizeof(c) for c in containers)
