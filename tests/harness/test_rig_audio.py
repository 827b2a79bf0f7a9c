"""The audio check fed by the rig's capture (``AudioCheck.feed``/``blind``/``xrun``), on the virtual
clock with a scripted capture: what the rig hears, what it missed, and what JACK reported."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import numpy as np

from harness.rig._jackagent import HEADER, XRUN
from harness.audio_check import AudioCheck
from harness.rig.rig_audio import RigCapture
from system_under_test import AudioSystem

FS = 48_000
N = 256


class _Spec:
    sample_rate = FS


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


def _tone(start: int, n: int) -> np.ndarray:
    k = np.arange(start, start + n)
    return (0.25 * np.sin(2 * np.pi * 997.0 / FS * k)).astype(np.float32).reshape(n, 1)


def _hear(cap: ScriptedCapture, t0: float, seconds: float, *, frame0: int, silent_from: float | None = None,
          silent_to: float | None = None, new_agent: bool = False) -> int:
    """Cycles of the tone from ``t0``; silence (a dropout nobody reported) in [silent_from, silent_to).
    ``new_agent``: the first cycle is a new capture client's (placed by time, as ``RigCapture`` does)."""
    cycles = int(seconds * FS / N)
    for i in range(cycles):
        t = t0 + i * N / FS
        block = _tone(frame0 + i * N, N)
        if silent_from is not None and silent_to is not None and silent_from <= t < silent_to:
            block = np.zeros_like(block)
        cap.pending.append(("feed", (_Spec, block, t, None if new_agent and i == 0 else 0)))
    return frame0 + cycles * N


def _checked(script: Any, *, system_xruns: int = 0) -> tuple[AudioCheck, Any]:
    """Run ``script`` through a check fed by a scripted capture; ``system_xruns``: xruns the system
    counts of its own stream (its status flags) before the capture is polled."""
    system = AudioSystem({}, seed=1)
    cap = ScriptedCapture()
    check = AudioCheck.attach(system, None, capture=cap)
    system.initialize()
    system.start()
    script(cap, float(system.clock.now()))
    system.run_for(6.0)  # the clock passes the scripted stretch, as the rig's would
    system.monitoring.counter("xruns").inc(system_xruns)
    check.poll()
    system.stop()
    system.close()
    check.finish()
    return check, check.verdict()


def test_a_clean_capture_passes_and_is_fully_judged() -> None:
    check, verdict = _checked(lambda cap, t: _hear(cap, t, 4.0, frame0=0))
    assert verdict.ok and not verdict.inconclusive, verdict
    assert check.glitch_total == 0 and check.frames_analysed > 3.5 * FS


def test_a_silence_nobody_reported_is_a_violation() -> None:
    check, verdict = _checked(lambda cap, t: _hear(cap, t, 4.0, frame0=0, silent_from=t + 2.0, silent_to=t + 2.1))
    assert not verdict.ok, verdict
    assert check.outside_by_kind["mute"] >= 1


def test_a_silence_around_a_jack_xrun_report_is_the_xruns_damage() -> None:
    def script(cap: ScriptedCapture, t: float) -> None:
        _hear(cap, t, 4.0, frame0=0, silent_from=t + 2.0, silent_to=t + 2.02)
        cap.pending.insert(int(2.03 * FS / N), ("xrun", (t + 2.03,)))

    check, verdict = _checked(script)
    assert verdict.ok and not verdict.inconclusive, verdict
    assert check.outside_count == 0
    assert check.kind_stats["jack_xrun"].glitches >= 1


def test_a_silence_while_the_system_counted_an_xrun_of_its_own_is_that_xruns_damage() -> None:
    def script(cap: ScriptedCapture, t: float) -> None:
        _hear(cap, t, 4.0, frame0=0, silent_from=t + 2.0, silent_to=t + 2.02)

    check, verdict = _checked(script, system_xruns=1)
    assert verdict.ok and not verdict.inconclusive, verdict
    assert check.outside_count == 0 and check.system_xruns == 1
    assert check.kind_stats["system_xrun"].glitches >= 1
    # the control: the same silence while the system counted nothing is a violation
    _, verdict = _checked(script, system_xruns=0)
    assert not verdict.ok, verdict


def test_a_silence_nothing_explains_on_a_rig_that_missed_deadlines_is_a_doubt_not_a_violation() -> None:
    """A JACK xrun far from the silence explains nothing, but says the machine missed deadlines:
    its damage cannot be told from the system's, so the run is inconclusive; the same silence on a
    rig that reported no xrun is a violation (test_a_silence_nobody_reported_is_a_violation)."""
    def script(cap: ScriptedCapture, t: float) -> None:
        _hear(cap, t, 4.0, frame0=0, silent_from=t + 1.0, silent_to=t + 1.1)
        cap.pending.insert(int(3.5 * FS / N), ("xrun", (t + 3.5,)))

    check, verdict = _checked(script)
    assert verdict.ok and verdict.inconclusive, verdict
    assert check.outside_count >= 1 and "cannot be told" in verdict.message


def test_a_stretch_the_rig_could_not_hear_makes_its_window_inconclusive() -> None:
    def script(cap: ScriptedCapture, t: float) -> None:
        frame = _hear(cap, t, 2.0, frame0=0)
        cap.pending.append(("blind", (t + 2.0, t + 3.0, "the capture client ended")))
        _hear(cap, t + 3.0, 2.0, frame0=frame + FS, new_agent=True)  # heard again a second later

    check, verdict = _checked(script)
    assert verdict.ok and verdict.inconclusive, verdict
    assert check.outside_count == 0 and check.blind_windows == 1
    assert any("the capture client ended" in row for row in check.blind_rows)


def test_the_same_gap_heard_without_a_blind_report_is_a_violation() -> None:
    """The control: the rig's only reason not to judge the gap is that it said it was blind."""
    def script(cap: ScriptedCapture, t: float) -> None:
        frame = _hear(cap, t, 2.0, frame0=0)
        _hear(cap, t + 3.0, 2.0, frame0=frame + FS, new_agent=True)

    check, verdict = _checked(script)
    assert not verdict.ok, verdict


def test_rig_capture_reads_records_places_blocks_by_frame_and_reports_missed_cycles(tmp_path: Path) -> None:
    """The capture file's records: a missed cycle (the frame counter jumps) is blind, not silence."""
    calls: list[tuple[str, Any]] = []

    class Check:
        def feed(self, spec: Any, block: np.ndarray, t: float, gap: int | None = None) -> None:
            calls.append(("feed", (spec.sample_rate, block.shape, round(t, 6), gap)))

        def blind(self, t0: float, t1: float, why: str = "") -> None:
            calls.append(("blind", (round(t0, 6), round(t1, 6))))

        def xrun(self, t: float) -> None:
            calls.append(("xrun", (t,)))

    cap = RigCapture("unused", tmp_path)
    cap._path = tmp_path / "rec"
    data = b"".join([
        HEADER.pack(10.0, 1000, N, FS) + np.zeros(N, np.float32).tobytes(),
        HEADER.pack(10.1, 0, XRUN, FS),
        HEADER.pack(10.2, 1000 + N, N, FS) + np.zeros(N, np.float32).tobytes(),
        HEADER.pack(10.3, 1000 + 3 * N, N, FS) + np.zeros(N, np.float32).tobytes(),  # one cycle missed
    ])
    cap._path.write_bytes(data + struct.pack("<d", 1.0))  # and a torn record being written
    cap._read(Check())
    assert [c[0] for c in calls] == ["feed", "xrun", "feed", "blind", "feed"]
    assert calls[0][1] == (FS, (N, 1), 10.0, None)  # a new agent's first block: placed by time
    assert calls[2][1][3] == 0 and calls[4][1][3] == N
    assert calls[3][1] == (round(10.2 + N / FS, 6), 10.3)
    assert cap.missed_frames == N and cap.xruns == 1 and cap._offset == len(data)


def test_rig_capture_frees_the_disk_of_what_it_has_read(tmp_path: Path) -> None:
    """A soak's capture grows ~690 MB an hour; what was read is punched out of the file."""
    class Check:
        def feed(self, *a: Any, **k: Any) -> None:
            pass

    cap = RigCapture("unused", tmp_path)
    cap._path = tmp_path / "rec"
    block = np.ones(N, np.float32).tobytes()
    cap._path.write_bytes(b"".join(HEADER.pack(1.0 + i * N / FS, i * N, N, FS) + block for i in range(2000)))
    before = cap._path.stat().st_blocks
    cap._read(Check())
    assert cap.records == 2000
    assert cap._path.stat().st_blocks < before / 2, (before, cap._path.stat().st_blocks)
