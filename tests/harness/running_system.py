"""The shipped system running on the simulated device with its history attached: where the fault
tests on the virtual clock start from."""

from __future__ import annotations

from harness.history import History
from system_under_test import AudioSystem
from system_under_test.clock import VirtualClock
from system_under_test.devices.simulated import SimulatedBackend


def running_system(seed: int = 0) -> tuple[AudioSystem, History]:
    """A fresh ``AudioSystem`` on ``SimulatedBackend`` (both seeded ``seed``), started on a new
    virtual clock at 0 s with the default configuration, a ``History`` attached before it starts."""
    clock = VirtualClock()
    system = AudioSystem(None, backend=SimulatedBackend(clock, seed=seed), clock=clock, seed=seed)
    history = History(clock=clock).attach(system)
    system.initialize()
    system.configure({})
    system.start()
    return system, history
