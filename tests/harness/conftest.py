"""Shared helpers for the harness-core tests (faults, history, invariants, stateful, storms)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from harness import History
from system_under_test import AudioSystem


@pytest.fixture
def make_system() -> Iterator[Callable[..., AudioSystem]]:
    """Build simulated systems (fast recovery config) that are closed at teardown."""
    from harness.stateful import BASE_CONFIG

    made: list[AudioSystem] = []

    def make(config: Any = BASE_CONFIG, *, seed: int = 0, start: bool = True) -> AudioSystem:
        system = AudioSystem(config, seed=seed)
        made.append(system)
        if start:
            system.initialize()
            system.start()
        return system

    yield make
    for system in made:
        system.close()


@pytest.fixture
def attached() -> Callable[..., History]:
    """``attached(system, **kw)``: a new History attached to ``system``."""
    return lambda system, **kw: History(meta={"seed": system.seed}).attach(system, **kw)
