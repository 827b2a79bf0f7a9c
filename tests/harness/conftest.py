"""Shared helpers for the harness-core tests (faults, history, invariants, stateful, storms)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from harness import History
from made_systems import made_systems
from system_under_test import AudioSystem


@pytest.fixture
def make_system() -> Iterator[Callable[..., AudioSystem]]:
    """Build simulated systems (fast recovery config) that are closed at teardown."""
    with made_systems() as make:
        yield make


@pytest.fixture
def attached() -> Callable[..., History]:
    """``attached(system, **kw)``: a new History attached to ``system``."""
    return lambda system, **kw: History(meta={"seed": system.seed}).attach(system, **kw)


def _system_for_a_storm(seed: int) -> AudioSystem:
    """A system in the starting state ``seed`` chooses (unconfigured or configured, idle or
    running): storms must hold from every state, not only from a freshly started one."""
    system = AudioSystem(None if seed % 2 else {}, seed=seed)
    if seed % 3 == 2:
        system.initialize()
        if seed % 2:
            system.configure({})
        system.start()
    return system


@pytest.fixture(scope="session")
def storm_system() -> Callable[[int], AudioSystem]:
    """``storm_system(seed)``: a system for a seeded storm (``_system_for_a_storm``)."""
    return _system_for_a_storm
