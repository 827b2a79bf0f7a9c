"""Frames a state change counts as inserted are flushed frames like dropped ones: reported in the
window, never asked to be heard.

The simulated ``AudioSystem`` counts inserted frames only in its callbacks, but the audio check
judges any system (``--system``): one that pads its old stream's tail with silence as it tears
the stream down counts those frames inserted between two blocks, at the state change. Here an
observer registered before the check's plays that system: when the system leaves RUNNING for
FAILED it counts 512 inserted frames. The new stream continues the tone's phase exactly, so there
is nothing to hear: the window must be judged (its counted frames all flushed), not violated."""

from __future__ import annotations

from typing import Any

from harness.audio_check import AudioCheck
from harness.faults import BufferExhaustion, FaultInjector, LifecycleCalls, SlowDsp
from harness.faults.schedule import Schedule
from system_under_test import AudioSystem
from system_under_test.lifecycle import State

#: a gain-only chain and a 16 ms backlog: after a drained pool refills the output ring holds 512 frames
CONFIG = {"stream": {"latency_ms": 16.0}, "dsp": [{"kind": "gain", "gain_db": -6.0}]}
#: the lifecycle calls of injector seed 35 draw one simulate_error, then restore_running recovers
SEED = 35
#: the 377th block has just played: the new stream's tone (from phase 0) goes on exactly where
#: the flushed tail would have ended (377 x 256 - 512 frames is whole periods of the 997 Hz tone)
SEAMLESS_T = 377 * 256 / 48_000 + 0.0003
PADDED = 512


def _check(pad_at_teardown: int, lost_in_stream: int = 0) -> AudioCheck:
    system = AudioSystem(CONFIG, seed=1)
    inserted = system.monitoring.counter("frames_inserted")

    def pad(record: Any) -> None:
        if record.component == "system" and record.to_state == State.FAILED:
            inserted.value += pad_at_teardown

    system.add_observer(pad)  # before the check's own observer: the counters moved at the change
    schedule = Schedule.fixed([(1.0, BufferExhaustion(duration_s=0.2)), (SEAMLESS_T, LifecycleCalls(count=1)),
                               (SEAMLESS_T + 0.23, SlowDsp(duration_s=0.2, factor=2.9))])
    injector = FaultInjector(system, schedule, SEED)
    check = AudioCheck.attach(system, injector)
    system.initialize()
    system.start()
    injector.arm()
    system.run_for(SEAMLESS_T + 0.1)
    inserted.value += lost_in_stream
    system.run_for(1.0)
    system.stop()
    system.close()
    check.finish()
    return check


def _window(check: AudioCheck) -> dict[str, Any]:
    (win,) = [w for w in check.summary()["windows"]["items"] if w["label"] == "lifecycle_calls+slow_dsp"]
    return win


def test_inserted_frames_a_teardown_counted_are_flushed_not_asked_to_be_heard() -> None:
    check = _check(PADDED)
    v = check.verdict()
    assert v.ok and not v.inconclusive, v
    win = _window(check)
    assert win["glitches"] == 0 and win["frames_inserted"] == PADDED
    assert win["frames_flushed"] == 512 + PADDED and win["verdict"] == "judged"


def test_inserted_frames_counted_while_the_new_stream_played_must_still_be_heard() -> None:
    check = _check(PADDED, lost_in_stream=256)
    v = check.verdict()
    assert not v.ok and "did not hear" in v.message, v
    assert "256 inserted" in v.evidence[0], v.evidence
    assert _window(check)["verdict"] == "violated"
