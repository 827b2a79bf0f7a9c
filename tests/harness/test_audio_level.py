"""The audio check holds the tone's level (``harness.audio_check.LEVEL_TOLERANCE_DB``).

The glitch detectors follow a slow level change as an AGC would and let it pass, so a system that
came back from every recovery 3 dB quieter (one more gain stage at each rebuild, a realistic slip)
passed every check. A reconfiguration may change the gain on purpose: the level is taken anew
after it.
"""

from __future__ import annotations

from typing import Any

from harness import ReliabilityRun, RunSpec
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
