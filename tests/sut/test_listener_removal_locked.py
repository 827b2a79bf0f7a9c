"""``remove_event_listener`` checks and removes under the operation lock: the check (``listener in
the list``) and the removal race ``_emit``, which drops a listener that raised, and an operation
that adds one. Made deterministic as the locking tests do it: the list's membership test compares
each subscribed listener with the one asked about, and a subscribed listener whose ``__eq__``
tries the lock from another thread finds whether the check ran under it."""

from __future__ import annotations

from typing import Any

from lock_probe import held_elsewhere
from system_under_test import AudioSystem


class _Probing:
    """A listener that, compared with another, records whether the operation lock was held."""

    def __init__(self, system: AudioSystem) -> None:
        self.system = system
        self.held: list[bool] = []

    def __call__(self, event: Any) -> None:
        pass

    def __eq__(self, other: object) -> bool:
        self.held.append(held_elsewhere(self.system._op_lock))
        return self is other

    __hash__ = object.__hash__


def test_the_check_and_the_removal_run_under_the_operation_lock() -> None:
    system = AudioSystem({})
    probe = _Probing(system)
    system.add_event_listener(probe)
    system.remove_event_listener(lambda event: None)  # compared with the probe, never removed
    assert probe.held == [True], "remove_event_listener checked the list without the operation lock"
    system.remove_event_listener(probe)
    system.initialize()
    assert probe.held == [True], "a removed listener was still asked"
    system.close()
