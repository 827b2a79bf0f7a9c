"""Simulated systems made for a test and closed after it: the body of the conftest's ``make_system``
fixture, shared with the in-process mutation helpers that give that fixture to tests
(``bench/mutation_helpers/systems_given.py``, ``fault_records_wrapped.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from system_under_test import AudioSystem


@contextmanager
def made_systems() -> Iterator[Callable[..., AudioSystem]]:
    """``make(config=BASE_CONFIG, *, seed=0, start=True)``: a simulated system (the fast recovery
    configuration), initialised and started unless ``start`` is false; every one closed at the end."""
    from harness.stateful import BASE_CONFIG

    made: list[AudioSystem] = []

    def make(config: Any = BASE_CONFIG, *, seed: int = 0, start: bool = True) -> AudioSystem:
        system = AudioSystem(config, seed=seed)
        made.append(system)
        if start:
            system.initialize()
            system.start()
        return system

    try:
        yield make
    finally:
        for system in made:
            system.close()
