"""A stand-in for ``harness.rig.RigCapture`` that hands an ``AudioCheck`` what a test scripts:
shared by the rig's audio tests (test_rig_audio.py) and its steady-state tests (test_rig_steady.py)."""

from __future__ import annotations

from typing import Any

from harness.audio_check import AudioCheck
from system_under_test import AudioSystem


class ScriptedCapture:
    """Stands in for ``RigCapture``: the run's loop calls ``poll``; the test says what is heard."""

    signal_hz = 997.0

    def __init__(self) -> None:
        self.pending: list[tuple[str, Any]] = []
        self.closed = False

    def poll(self, check: AudioCheck) -> None:
        for what, args in self.pending:
            getattr(check, what)(*args)
        self.pending.clear()

    def close(self, check: AudioCheck | None = None) -> None:
        if check is not None:
            self.poll(check)
        self.closed = True

    def describe(self) -> dict[str, Any]:
        return {"scripted": True}


def started_with_scripted_capture(seed: int = 1) -> tuple[AudioSystem, ScriptedCapture, AudioCheck, float]:
    """A default simulated system heard through a ``ScriptedCapture``, started: the system, the
    capture to script, the check attached to both, and the clock's time at the start."""
    system = AudioSystem({}, seed=seed)
    cap = ScriptedCapture()
    check = AudioCheck.attach(system, None, capture=cap)
    system.initialize()
    system.start()
    return system, cap, check, float(system.clock.now())
