"""The audio check holds the tone's level (``harness.audio_check.LEVEL_TOLERANCE_DB``).

The glitch detectors follow a slow level change as an AGC would and let it pass, so a system that
came back from every recovery 3 dB quieter (one more gain stage at each rebuild, a realistic slip)
passed every check. A reconfiguration may change the gain on purpose: the level is taken anew
after it.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from harness import ReliabilityRun, RunSpec, audio_check
from harness.faults import DeviceDropout, Schedule
from harness.history import run_op
from system_under_test import AudioSystem
from system_under_test.dsp import Gain


class _QuieterAfterRecovery(AudioSystem):
    """Each recovery adds a -3 dB gain stage to the chain it rebuilt (until the next rebuild)."""

    def _finish_recovery(self, run: Any) -> None:
        super()._finish_recovery(run)
        if self._pipeline is not None:
            self._pipeline.chain.add_stage(Gain(-3.0))


def _run(tmp_path, factory: Any = None, on_chunk: Any = None, schedule: Schedule | None = None):
    spec = RunSpec(duration_s=8.0, seed=1, faults="none", run_dir=tmp_path / "run")
    run = ReliabilityRun(spec, **({"system_factory": factory} if factory else {}))
    run.schedule = schedule or Schedule.fixed([(2.0, DeviceDropout(duration_s=0.2, target="sim-in"))])
    result = run.execute(reports=False, on_chunk=on_chunk)
    verdict = next(v for v in result.verdicts if v.name == "clean_audio")
    return result, verdict, result.summary["audio"]


def test_a_system_quieter_after_its_recovery_fails_clean_audio_and_only_it(tmp_path) -> None:
    result, verdict, audio = _run(tmp_path, factory=_QuieterAfterRecovery)
    assert not verdict.ok and not verdict.inconclusive, verdict
    assert set(audio["outside"]["by_kind"]) == {"level"}, audio["outside"]
    (glitch,) = audio["outside"]["items"]
    assert -3.3 < glitch["level_change_db"] < -2.7, glitch
    others = {v.name: v.ok for v in result.verdicts if v.name != "clean_audio"}
    assert all(others.values()), others  # nothing else could have told


def test_the_same_recovery_at_the_same_level_is_clean(tmp_path) -> None:
    _, verdict, audio = _run(tmp_path)
    assert verdict.ok and not verdict.inconclusive, verdict
    assert "level" not in audio["glitches"]["by_kind"], audio["glitches"]


def test_a_reconfiguration_may_change_the_level_on_purpose(tmp_path) -> None:
    """-3 dB -> -9 dB by a reconfiguration after the first second: the level after it is the new
    reference, not damage."""
    done: list[bool] = []

    def quieter(run: ReliabilityRun, system: AudioSystem, history: Any) -> None:
        if done:
            return
        config = system.config.to_dict()
        config["dsp"][0]["gain_db"] = -9.0
        assert run_op(history, system, "reconfigure", config).ok
        done.append(True)

    result, verdict, audio = _run(tmp_path, on_chunk=quieter, schedule=Schedule.fixed([]))
    assert done and result.summary["final_state"] in ("stopped", "closed")
    assert verdict.ok and not verdict.inconclusive, verdict
    assert audio["outside"]["glitches"] == 0, audio["outside"]


def _judge_level_block_by_block(check: Any, ms: Any, base: int, a: int, b: int, lo: int, hi: int) -> None:
    """``AudioCheck._judge_level`` one block at a time, every block judged (the reference its
    skipping of blocks inside the tolerance must agree with)."""
    block = audio_check._BLOCK
    first = -(-(max(a, lo)) // block)
    start = max(first, a // block + audio_check._LEVEL_EDGE_BLOCKS)
    stop = min(hi // block, b // block - audio_check._LEVEL_EDGE_BLOCKS)
    for i in range(start, stop):
        f = base + i * block
        while check._level_resets and check._time(f) >= check._level_resets[0]:
            check._level_resets.popleft()
            check._end_level_run()
            check._level_ref, check._level_acc = None, []
        level = float(ms[i])
        if check._level_ref is None:
            check._level_acc.append(level)
            if len(check._level_acc) >= audio_check.LEVEL_REF_BLOCKS:
                check._level_ref = float(np.median(check._level_acc))
            continue
        dev = 10 * math.log10(max(level, 1e-30) / check._level_ref)
        run = check._level_run
        if abs(dev) > audio_check.LEVEL_TOLERANCE_DB:
            if run and f == run[0] + run[1] * block and (dev > 0) == (run[2] > 0):
                run[1] += 1
                run[2] += dev
            else:
                check._end_level_run()
                check._level_run = [f, 1, dev]
        else:
            check._end_level_run()
    if b // block - audio_check._LEVEL_EDGE_BLOCKS <= hi // block:
        check._end_level_run()


class _SlightlyQuieterAfterRecovery(AudioSystem):
    """Each recovery adds a -1.2 dB gain stage: just past the level's tolerance."""

    def _finish_recovery(self, run: Any) -> None:
        super()._finish_recovery(run)
        if self._pipeline is not None:
            self._pipeline.chain.add_stage(Gain(-1.2))


def test_the_level_check_finds_what_a_block_by_block_pass_finds(tmp_path, monkeypatch) -> None:
    """The level check skips the blocks inside its tolerance in one step (and stops at each
    pending reset): over a faulted run of a system a little quieter after every recovery (level
    glitches just past the tolerance, references taken anew at every reconfiguration), the audio
    section is the block-by-block pass's, to the byte."""
    def hostile(path):
        spec = RunSpec(duration_s=20.0, seed=3, faults="hostile", run_dir=path)
        result = ReliabilityRun(spec, system_factory=_SlightlyQuieterAfterRecovery).execute(reports=False)
        return result.summary["audio"]

    skipping = hostile(tmp_path / "skipping")
    monkeypatch.setattr(audio_check.AudioCheck, "_judge_level", _judge_level_block_by_block)
    reference = hostile(tmp_path / "reference")
    assert skipping["glitches"]["by_kind"].get("level", 0) >= 2, skipping["glitches"]["by_kind"]
    assert json.dumps(skipping, sort_keys=True) == json.dumps(reference, sort_keys=True)
