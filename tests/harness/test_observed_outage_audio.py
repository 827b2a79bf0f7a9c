"""``clean_audio`` in a simulated run whose device an outage from outside the run took
(``AudioCheck.external_fault``, wired to the history by the runner).

Measured (bench/RESULTS.md, issue #11): a faultless run (``--faults none``) whose ``sim-in`` an
observed outage removed for 0.3 s failed ``clean_audio``: its 0.31 s mute was "while the system
left RUNNING with no fault injected and nobody asking", though the same loss was explained for
the device-loss rule and the rig's check books the audio of an open outage as unheard. The check
now opens the outage's window from the history's record; what the system loses outside it still
fails. Virtual clock, fixed seeds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness import system_factory
from harness.audio_check import AudioCheck
from harness.faults import FaultRecord
from harness.history import History
from harness.rig.rig_target import ObservedOutages
from harness.runner import ReliabilityRun, RunResult, RunSpec
from harness.verdict import Outcome


def _outage_from_outside(at_s: float, *, away_s: float = 0.3) -> Any:
    """An ``on_chunk`` hook that, once past ``at_s``, records an observed outage of the device's
    server, removes ``sim-in`` as that outage would, and gives it back and ends the outage
    ``away_s`` later."""
    done: list[float] = []

    def hook(run: Any, system: Any, history: Any) -> None:
        if done or system.clock.now() < at_s:
            return
        done.append(system.clock.now())
        outages = ObservedOutages(history, "the-users-server")
        outages("begin", system.clock.now(), "server shut down from outside")
        system.backend.remove_device("sim-in", report=True)

        def back() -> None:
            system.backend.restore_device("sim-in")
            outages("end", system.clock.now(), "")
        system.clock.call_later(away_s, back)
    return hook


def _loss_nobody_explains(at_s: float) -> Any:
    """An ``on_chunk`` hook that, once past ``at_s``, takes ``sim-in`` away for 0.3 s with no
    outage recorded: a loss the check must judge as the system's."""
    done: list[float] = []

    def hook(run: Any, system: Any, history: Any) -> None:
        if done or system.clock.now() < at_s:
            return
        done.append(system.clock.now())
        system.backend.remove_device("sim-in", report=True)
        system.clock.call_later(0.3, lambda: system.backend.restore_device("sim-in"))
    return hook


def _both(*hooks: Any) -> Any:
    def hook(run: Any, system: Any, history: Any) -> None:
        for h in hooks:
            h(run, system, history)
    return hook


def _run(tmp_path: Path, hook: Any, *, seed: int = 1, factory: Any = None) -> tuple[RunResult, Any]:
    spec = RunSpec(backend="sim", duration_s=6.0, seed=seed, faults="none", report_root=tmp_path)
    run = ReliabilityRun(spec, **({"system_factory": factory} if factory else {}))
    result = run.execute(on_chunk=hook, reports=False)
    return result, next(v for v in result.verdicts if v.name == "clean_audio")


def test_the_audio_an_outside_outage_took_is_not_the_systems_damage(tmp_path: Path) -> None:
    """Fails without ``external_fault``: the mute is judged outside every fault."""
    for seed in (1, 2, 3):
        result, clean = _run(tmp_path / str(seed), _outage_from_outside(3.0), seed=seed)
        assert clean.ok and not clean.inconclusive, clean
        assert result.verdict.outcome is Outcome.PASS, result.verdict
        audio = result.summary["audio"]
        assert audio["outages"]["count"] == 1 and audio["outages"]["no_tone_after"] == [], audio["outages"]
        (win,) = [w for w in audio["windows"]["items"] if w.get("outages")]
        assert "server-outage-1" in win["faults"] and win["by_kind"].get("mute", 0) >= 1, win
        assert audio["glitches"]["by_window"].get("unexplained", 0) == 0, audio["glitches"]
        assert "1 outage(s) observed from outside the run" in clean.message, clean.message


def test_a_loss_after_the_outage_closed_still_fails(tmp_path: Path) -> None:
    """The outage excuses its own window only: a second loss 2 s later, with no outage open, is
    the system's (a guard against excusing a run that had an outage at all)."""
    result, clean = _run(tmp_path, _both(_outage_from_outside(2.0), _loss_nobody_explains(4.0)))
    assert not clean.ok, clean
    assert "damage no fault explains" in clean.message and "t=4.0" in clean.evidence[0], clean
    assert result.summary["audio"]["outages"]["count"] == 1
    assert result.verdict.outcome is Outcome.FAIL


def test_a_system_that_drops_frames_outside_the_outage_still_fails(tmp_path: Path) -> None:
    """The frame-losing ring mutant drops a frame at every wrap, before and after the outage."""
    _, clean = _run(tmp_path, _outage_from_outside(3.0), factory=system_factory("ring_loses_frame"))
    assert not clean.ok, clean
    assert "outside any fault window" in clean.message, clean.message


def test_only_faults_from_outside_the_run_open_an_outage() -> None:
    """``external_fault`` hears every record the history enters; the injector's own faults reach
    the check by the injector's listener, so they must not be counted twice."""
    seen: list[tuple[str, str]] = []

    class Ears:
        capture = None

        def outage_begin(self, t0: float, why: str) -> None:
            seen.append(("begin", f"{t0}:{why}"))

        def outage_end(self, t1: float) -> None:
            seen.append(("end", str(t1)))

    h = History()
    ears = Ears()
    h.add_fault_listener(lambda what, rec: AudioCheck.external_fault(ears, what, rec))  # type: ignore[arg-type]
    injected = FaultRecord(firing_id="dropout@1", fault_id="dropout", kind="dropout", target="sim-in",
                           trigger="At", fired_at=1.0)
    h.fault_started(injected)
    injected.ended_at = 1.5
    h.fault_ended(injected)
    outages = ObservedOutages(h, "srv")
    outages("begin", 2.0, "server shut down")
    outages("end", 2.4, "")
    assert seen == [("begin", "2.0:server shut down"), ("end", "2.4")]
