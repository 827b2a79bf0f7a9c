"""Hypothesis's pool of source-code constants, pinned so a search depends only on its seed.

Hypothesis (since 6.131) draws about one value in twenty from constants it finds in the source of
every *local* module in ``sys.modules`` (``hypothesis.internal.conjecture.providers
._get_local_constants``): the pool grows as modules are imported and never shrinks. In a test
process that pool is whatever the earlier tests imported, so a derandomized search (same seed,
no database) draws different values in a whole-suite run than alone. Measured: the ci state
machine of ``harness.stateful`` ran 106 examples / 2882 steps / "stopped" visited 140 times alone,
and 104 / 2644 / 273 after importing ``harness.swarm``, ``harness.shrink``, ``harness.cli`` and
``harness.mutants``; a module written by a ``pytester`` run (a ``conftest.py`` in a temporary
folder) adds its constants too. Hypothesis has no setting for this, so ``pin_local_constants``
replaces the pool with a fixed, empty one: the draws then depend on the seed and the strategies
alone, whatever ran before in the process. Hypothesis's own global constants are kept.

And its shrinking, bounded in wall-clock time: the engine stops shrinking a failure once
``engine.MAX_SHRINKING_SECONDS`` (300 s) of wall time have passed since shrinking began, so the
example a search reports depended on how loaded the machine was. Measured: the ``leak_on_error``
mutant's ci search (``bench/stateful_search_profile.py``, under a CPU-timed profiler, load ~23)
stopped at 109 examples with an example of 21 steps, where it otherwise runs 192 and shrinks to 3.
``pin_shrinking_time`` lifts that bound (Hypothesis leaves the constant to be patched for this);
the shrink is still bounded by its count (``MAX_SHRINKS``) and, in the suite, by pytest-timeout.

This reaches into Hypothesis's internals (two names of ``providers``, one of ``engine``); each pin
refuses loudly, rather than silently doing nothing, when a Hypothesis release has moved them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_PINNED = "_soundcheck_pinned_local_constants"


def _providers() -> object:
    from hypothesis.internal.conjecture import providers  # noqa: PLC0415 - only when pinning

    for name in ("_get_local_constants", "CONSTANTS_CACHE"):
        if not hasattr(providers, name):
            raise RuntimeError(f"hypothesis.internal.conjecture.providers has no {name} in this Hypothesis "
                               "release: the local-constants pool cannot be pinned; update "
                               "harness/hypothesis_constants.py for it")
    return providers


def pin_local_constants() -> Callable[[], None]:
    """Pin the local-constants pool empty in this process (idempotent); returns what undoes it."""
    from hypothesis.internal.constants_ast import Constants  # noqa: PLC0415

    providers: object = _providers()
    original = getattr(providers, "_get_local_constants")
    if getattr(original, _PINNED, False):
        return lambda: None
    empty = Constants()

    def pinned() -> Constants:
        return empty

    setattr(pinned, _PINNED, True)
    setattr(providers, "_get_local_constants", pinned)
    getattr(providers, "CONSTANTS_CACHE").cache.clear()  # the allowed constants cached from the old pool

    def restore() -> None:
        setattr(providers, "_get_local_constants", original)
        getattr(providers, "CONSTANTS_CACHE").cache.clear()

    return restore


def pin_shrinking_time() -> Callable[[], None]:
    """Lift the engine's wall-clock bound on shrinking in this process (idempotent); returns what
    undoes it. The shrink then ends by Hypothesis's own rules alone, whatever the load."""
    from hypothesis.internal.conjecture import engine  # noqa: PLC0415 - only when pinning

    if not isinstance(getattr(engine, "MAX_SHRINKING_SECONDS", None), (int, float)):
        raise RuntimeError("hypothesis.internal.conjecture.engine has no MAX_SHRINKING_SECONDS in this "
                           "Hypothesis release: its shrinking time cannot be unbounded; update "
                           "harness/hypothesis_constants.py for it")
    original = engine.MAX_SHRINKING_SECONDS

    def restore() -> None:
        engine.MAX_SHRINKING_SECONDS = original

    engine.MAX_SHRINKING_SECONDS = math.inf
    return restore


@contextmanager
def local_constants_pinned() -> Iterator[None]:
    """``pin_local_constants`` for a block."""
    restore = pin_local_constants()
    try:
        yield
    finally:
        restore()


__all__ = ["local_constants_pinned", "pin_local_constants", "pin_shrinking_time"]
