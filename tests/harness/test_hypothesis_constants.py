"""``harness.hypothesis_constants``: the pool of local source constants pinned empty, undone exactly.

The session's conftest pins the pool before any test runs, so each test here puts an unpinned
pool of its own in first (``monkeypatch``, which gives the session's pinned one back afterwards)
and checks what pinning and undoing do to it: the pool, the cache of constants drawn from the old
pool, the marker that makes a second pin a no-op, and the refusal when Hypothesis moved the names.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis.internal.conjecture import providers
from hypothesis.internal.constants_ast import Constants

from harness.hypothesis_constants import _PINNED, local_constants_pinned, pin_local_constants


@pytest.fixture
def unpinned(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An unpinned pool holding one constant, with a cached entry drawn from it."""
    pool = Constants()
    pool.integers.add(12345)

    def original() -> Constants:
        return pool

    monkeypatch.setattr(providers, "_get_local_constants", original)
    monkeypatch.setitem(providers.CONSTANTS_CACHE.cache, "drawn-from-the-old-pool", object())
    yield original


def _pool_is_empty(pool: Any) -> bool:
    return isinstance(pool, Constants) and not (pool.integers or pool.floats or pool.bytes or pool.strings)


def test_pinning_empties_the_pool_and_the_cache_and_undoing_gives_the_original_back(unpinned: Any) -> None:
    restore = pin_local_constants()
    pinned = providers._get_local_constants
    assert pinned is not unpinned and getattr(pinned, _PINNED) is True
    assert _pool_is_empty(pinned()) and pinned() is pinned()
    assert len(providers.CONSTANTS_CACHE.cache) == 0
    providers.CONSTANTS_CACHE.cache["drawn-from-the-pinned-pool"] = object()
    restore()
    assert providers._get_local_constants is unpinned
    assert len(providers.CONSTANTS_CACHE.cache) == 0


def test_a_second_pin_changes_nothing_and_its_undo_undoes_nothing(unpinned: Any) -> None:
    restore = pin_local_constants()
    pinned = providers._get_local_constants
    providers.CONSTANTS_CACHE.cache["drawn-from-the-pinned-pool"] = marker = object()
    again = pin_local_constants()
    assert providers._get_local_constants is pinned
    assert providers.CONSTANTS_CACHE.cache["drawn-from-the-pinned-pool"] is marker
    again()
    assert providers._get_local_constants is pinned
    restore()
    assert providers._get_local_constants is unpinned


def test_the_block_form_undoes_its_pin_even_when_the_block_raises(unpinned: Any) -> None:
    with local_constants_pinned():
        assert _pool_is_empty(providers._get_local_constants())
    assert providers._get_local_constants is unpinned
    with pytest.raises(KeyError), local_constants_pinned():
        raise KeyError("inside")
    assert providers._get_local_constants is unpinned


@pytest.mark.parametrize("name", ["_get_local_constants", "CONSTANTS_CACHE"])
def test_a_release_without_either_name_is_refused_by_name(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.delattr(providers, name)
    with pytest.raises(RuntimeError) as err:
        pin_local_constants()
    assert str(err.value) == (f"hypothesis.internal.conjecture.providers has no {name} in this Hypothesis "
                              "release: the local-constants pool cannot be pinned; update "
                              "harness/hypothesis_constants.py for it")


def test_the_shrinking_time_bound_is_lifted_and_undone(monkeypatch: pytest.MonkeyPatch) -> None:
    from hypothesis.internal.conjecture import engine

    from harness.hypothesis_constants import pin_shrinking_time

    monkeypatch.setattr(engine, "MAX_SHRINKING_SECONDS", 300)  # Hypothesis's own, whatever the session pinned
    undo = pin_shrinking_time()
    assert engine.MAX_SHRINKING_SECONDS == float("inf")
    undo()
    assert engine.MAX_SHRINKING_SECONDS == 300


def test_a_release_without_the_shrinking_bound_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from hypothesis.internal.conjecture import engine

    from harness.hypothesis_constants import pin_shrinking_time

    monkeypatch.delattr(engine, "MAX_SHRINKING_SECONDS")
    with pytest.raises(RuntimeError, match="MAX_SHRINKING_SECONDS"):
        pin_shrinking_time()
