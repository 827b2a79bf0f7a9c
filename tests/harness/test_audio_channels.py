"""The audio check judges every output channel (``harness.audio_check.CHANNEL_TOLERANCE``).

The analysis fits the tone on one channel; a system that lost, delayed or popped its second
channel passed every check. The other channels are now held to the analysed one: a copy of it when
the configuration mixes nothing, a fixed multiple of it (taken anew after each reconfiguration)
when it does.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from harness import ReliabilityRun, RunSpec
from harness.faults import DeviceDropout, Schedule
from harness.history import run_op
from system_under_test import AudioSystem
from system_under_test.dsp import Stage


class _Channel1(Stage):
    """A slip on output channel 1 only, from the ``after``-th block this stage processes."""

    kind = "channel1"

    def __init__(self, how: str, after: int) -> None:
        self.how, self.after, self.n = how, after, 0
        self.prev: np.ndarray | None = None

    def process(self, block: np.ndarray) -> np.ndarray:
        self.n += 1
        if self.n < self.after:
            return block
        if self.how == "mute":  # a channel map that forgets the second channel
            block[:, 1] = 0.0
        elif self.how == "quieter":  # a per-channel gain applied to one channel twice
            block[:, 1] *= np.float32(0.7)
        elif self.how == "late":  # a per-channel copy one frame off
            last = block[-1, 1]
            block[1:, 1] = block[:-1, 1].copy()
            block[0, 1] = block[1, 1] if self.prev is None else self.prev
            self.prev = last
        elif self.how == "pop" and self.n == self.after:
            block[100, 1] += np.float32(0.03)
        return block


def _slipping(how: str, after: int) -> Any:
    class _System(AudioSystem):
        def _build(self, *args: Any, **kw: Any) -> Any:
            built = super()._build(*args, **kw)
            if self._pipeline is not None:
                self._pipeline.chain.add_stage(_Channel1(how, after))
            return built

    return _System


def _run(tmp_path, factory: Any = None, on_chunk: Any = None, schedule: Schedule | None = None):
    spec = RunSpec(duration_s=8.0, seed=1, faults="none", run_dir=tmp_path / "run")
    run = ReliabilityRun(spec, **({"system_factory": factory} if factory else {}))
    run.schedule = schedule if schedule is not None else \
        Schedule.fixed([(2.0, DeviceDropout(duration_s=0.2, target="sim-in"))])
    result = run.execute(reports=False, on_chunk=on_chunk)
    verdict = next(v for v in result.verdicts if v.name == "clean_audio")
    return result, verdict, result.summary["audio"]


@pytest.mark.parametrize("how, kind", [("mute", "channel_level"), ("quieter", "channel_level"),
                                       ("late", "channel"), ("pop", "channel")])
def test_a_slip_of_the_second_channel_alone_fails_clean_audio(tmp_path, how, kind) -> None:
    # 600 blocks (3.2 s) after the chain was built: the recovery from the dropout at 2 s rebuilds it
    result, verdict, audio = _run(tmp_path, factory=_slipping(how, 600))
    assert not verdict.ok and not verdict.inconclusive, verdict
    assert set(audio["outside"]["by_kind"]) == {kind}, audio["outside"]
    assert {g["channel"] for g in audio["outside"]["items"]} == {1}
    assert audio["signal"]["channels_judged"] == 2
    others = {v.name: v.ok for v in result.verdicts if v.name != "clean_audio"}
    assert all(others.values()), others  # nothing else told


def test_two_healthy_channels_give_no_channel_glitch_through_a_dropout(tmp_path) -> None:
    _, verdict, audio = _run(tmp_path)
    assert verdict.ok and not verdict.inconclusive, verdict
    assert audio["signal"]["channels_judged"] == 2 and audio["signal"]["channel_glitches"] == 0


def test_a_reconfiguration_to_a_mix_takes_the_new_multiple_as_the_reference(tmp_path) -> None:
    """A mixer sending channel 1 at a third of channel 0 (on purpose, by a reconfiguration): the
    new multiple is the reference after it, not damage."""
    done: list[bool] = []

    def mix(run: ReliabilityRun, system: AudioSystem, history: Any) -> None:
        if done:
            return
        config = system.config.to_dict()
        config["dsp"].append({"kind": "mixer", "matrix": [[1.0, 0.0], [0.0, 0.33]]})
        assert run_op(history, system, "reconfigure", config).ok
        done.append(True)

    _, verdict, audio = _run(tmp_path, on_chunk=mix, schedule=Schedule.fixed([]))
    assert done and verdict.ok and not verdict.inconclusive, verdict
    assert audio["outside"]["glitches"] == 0, audio["outside"]


def test_blocks_are_judged_by_the_mix_in_force_when_they_played(tmp_path) -> None:
    """A mix (channel 1 at half) for the first second, then a reconfiguration to no mix: the ring
    is judged seconds later, and judging its first second by the configuration in force by then
    (channels copies) gave a false -6 dB "channel_level" glitch."""
    done: list[bool] = []

    def unmix(run: ReliabilityRun, system: AudioSystem, history: Any) -> None:
        if done:
            return
        config = system.config.to_dict()
        config["dsp"] = [st for st in config["dsp"] if st["kind"] != "mixer"]
        assert run_op(history, system, "reconfigure", config).ok
        done.append(True)

    mixed = {"dsp": [{"kind": "gain", "gain_db": -3.0}, {"kind": "mixer", "matrix": [[1.0, 0.0], [0.0, 0.5]]}]}
    spec = RunSpec(duration_s=8.0, seed=1, faults="none", config=mixed, run_dir=tmp_path / "run")
    run = ReliabilityRun(spec)
    run.schedule = Schedule.fixed([])
    result = run.execute(reports=False, on_chunk=unmix)
    verdict = next(v for v in result.verdicts if v.name == "clean_audio")
    audio = result.summary["audio"]
    assert done and verdict.ok and not verdict.inconclusive, verdict
    assert audio["glitches"]["by_kind"] == {}, audio["glitches"]
