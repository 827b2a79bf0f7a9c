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

This reaches into Hypothesis's internals (two names of ``providers``); ``pin_local_constants``
refuses loudly, rather than silently doing nothing, when a Hypothesis release has moved them.
"""

from __future__ import annotations

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


@contextmanager
def local_constants_pinned() -> Iterator[None]:
    """``pin_local_constants`` for a block."""
    restore = pin_local_constants()
    try:
        yield
    finally:
        restore()


__all__ = ["local_constants_pinned", "pin_local_constants"]
