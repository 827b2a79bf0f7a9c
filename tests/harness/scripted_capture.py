"""A stand-in for ``harness.rig.RigCapture`` that hands an ``AudioCheck`` what a test scripts:
shared by the rig's audio tests (test_rig_audio.py) and its steady-state tests (test_rig_steady.py)."""

from __future__ import annotations

from typing import Any

import numpy as np

from harness.audio_check import AudioCheck
from system_under_test import AudioSystem


#: the scripted rig's sample rate
FS = 48_000


class ScriptedSpec:
    """The stream spec a scripted window reads: only its sample rate."""
    sample_rate = FS


def tone_block(start: int, n: int) -> np.ndarray:
    """Frames ``start``..``start + n`` of a 997 Hz tone at 0.25, one channel: what the scripted
    rig hears when the system plays without fault (997 Hz: no whole number of cycles in a block)."""
    k = np.arange(start, start + n)
    return (0.25 * np.sin(2 * np.pi * 997.0 / FS * k)).astype(np.float32).reshape(n, 1)


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
