"""The coordinator's observer lists change only under its state lock: an error's or a transition's
notification copies the list under that lock, and a removal checks and removes under it, so an
observer added without it races both (a copy taken half-way through a change, on an interpreter
whose list operations are not made atomic by a global lock). Made deterministic as the locking tests
do it: the list's ``append`` tries the lock from another thread and records whether it was held."""

from __future__ import annotations

from typing import Any

import pytest
from lock_probe import held_elsewhere

from system_under_test.coordinator import ComponentCoordinator


class _ProbingList(list):
    """A list that, at each ``append``, records whether ``lock`` was held by some thread."""

    def __init__(self, lock: Any) -> None:
        super().__init__()
        self.lock = lock
        self.held: list[bool] = []

    def append(self, item: Any) -> None:
        self.held.append(held_elsewhere(self.lock))
        super().append(item)


@pytest.mark.parametrize(("attribute", "add"), [("_observers", "add_observer"),
                                               ("_error_observers", "add_error_observer")])
def test_an_observer_is_added_under_the_state_lock(attribute: str, add: str) -> None:
    c = ComponentCoordinator()
    probe = _ProbingList(c.state_lock)
    setattr(c, attribute, probe)
    getattr(c, add)(lambda record: None)
    assert probe.held == [True], f"{add} changed the list without the state lock"
    assert len(probe) == 1
