"""A stand-in for ``harness.rig.RigCapture`` that hands an ``AudioCheck`` what a test scripts:
shared by the rig's audio tests (test_rig_audio.py) and its steady-state tests (test_rig_steady.py)."""

from __future__ import annotations

from collections.abc import Callable
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


#: one event a scripted run plays: its time, its rank among events at the same time, its call
Scripted = tuple[float, int, tuple[str, tuple]]


def heard_silences(silences: int, silence_s: float, tone_s: float, feed_rank: int,
                   others: Callable[[float, list[float], float], list[Scripted]],
                   n: int = 256) -> tuple[AudioCheck, Any]:
    """The tone heard through a scripted capture with ``silences`` silences of ``silence_s`` each
    ``tone_s`` apart (after a second of tone, and a second after the last), blocks of ``n`` frames
    fed at rank ``feed_rank``; ``others(t0, starts, total_s)`` adds the run's other events (xrun
    reports, held deliveries). Run to its end, stopped and closed: the check and its verdict."""
    system, cap, check, t0 = started_with_scripted_capture()
    lead_s = 1.0
    total_s = lead_s + silences * (silence_s + tone_s) + 1.0
    starts = [t0 + lead_s + k * (silence_s + tone_s) for k in range(silences)]
    events: list[Scripted] = []
    for i in range(int(total_s * FS / n)):
        t = t0 + i * n / FS
        silent = any(s <= t < s + silence_s for s in starts)
        block = np.zeros((n, 1), np.float32) if silent else tone_block(i * n, n)
        events.append((t, feed_rank, ("feed", (ScriptedSpec, block, t, 0))))
    events.extend(others(t0, starts, total_s))
    events.sort(key=lambda e: (e[0], e[1]))
    cap.pending.extend(e[2] for e in events)
    system.run_for(total_s + 1.0)
    check.poll()
    system.stop()
    system.close()
    check.finish()
    return check, check.verdict()


def long_silences(check: AudioCheck, at_least_s: float) -> int:
    """How many mutes of ``at_least_s`` or longer the check reported."""
    return sum(1 for r in check.glitch_rows if r["kind"] == "mute" and r["t_end"] - r["t_start"] >= at_least_s)
