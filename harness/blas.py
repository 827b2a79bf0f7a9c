"""One BLAS thread while the harness computes, in any process that hosts it.

The harness's matrix products are small (the analyser's per-block fits, the latency search, the
reference comparison's path fits). OpenBLAS starts one thread per core and its threads spin
between calls, so on a busy machine a second thread costs CPU and gains nothing: with the
default of a 2-core machine the audio check's analysis took 5.9x the CPU of one thread (834 ms
against 142 ms on the same 60 windows, load average 7-20; bench/RESULTS.md, "simulation speed
(issue #17)").

``soundcheck`` and the project's test suite set ``OPENBLAS_NUM_THREADS=1`` before numpy loads.
That does nothing in a process that loaded numpy first: a user's script that imports numpy and
then the harness, or a user's test suite that loads the pytest plugin from its entry point. So
the harness's entry points (a run, a soak, the analysers) also limit BLAS to one thread for as
long as they compute, with threadpoolctl, and give the caller's setting back when they return.
A value of ``OPENBLAS_NUM_THREADS`` in the environment is the user's choice (or ``soundcheck``'s,
made before numpy loaded) and is left as it is.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

__all__ = ["one_blas_thread", "with_one_blas_thread"]

_F = TypeVar("_F", bound=Callable[..., Any])


@functools.cache
def _controller() -> Any:
    """The process's thread pools, inspected once: listing the loaded libraries is the slow part
    (about 0.3 ms); a limit from a cached controller costs about 30 us."""
    from threadpoolctl import ThreadpoolController  # noqa: PLC0415 - numpy's BLAS must be loaded first

    import numpy  # noqa: F401, PLC0415 - numpy and scipy each load a BLAS of their own:
    import scipy.linalg  # noqa: F401, PLC0415 - both must be among the libraries found

    return ThreadpoolController()


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """BLAS calls of this process on one thread inside the block, unless the environment names a
    BLAS thread count; the previous limits are restored on the way out, exception or not."""
    if "OPENBLAS_NUM_THREADS" in os.environ:
        yield
        return
    with _controller().limit(limits=1, user_api="blas"):
        yield


def with_one_blas_thread(func: _F) -> _F:
    """``func`` run inside :func:`one_blas_thread` (for the harness's public entry points)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with one_blas_thread():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
