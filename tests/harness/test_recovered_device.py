"""The ``recovered_device`` invariant: a recovery that succeeds names a device the configuration
lets it open, and (virtual clock) not one a dropout holds away at that moment.

Crafted histories first (each rule, and the two cases it must not flag: the simulated backend's
return of a device at the end of any of its dropouts, a success at the very instant of a return),
then plain default runs of the shipped system and of the two system bugs a plain run missed
(``active_device_set_to_output``, ``removed_device_stays_present`` of blind batch 54), planted
here as subclass and monkeypatch. Virtual clock, fixed seeds: deterministic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from plain_runs import plain_run_verdict
from harness.history import History
from harness.invariants import NAMES, LiveChecker, check_all, check_recovered_device
from system_under_test import AudioSystem
from system_under_test.devices.simulated import SimulatedBackend

CONFIG = {"device": {"input_device": "sim-in", "output_device": "sim-out", "fallback_devices": ["sim-usb"]}}


def _history(steps: list[tuple[Any, ...]], clock: str = "virtual") -> History:
    """("cfg", t) the configuration applied; ("ok", t, device) a recovery_succeeded; ("drop", t,
    device, firing) / ("back", t, device, firing) a dropout's start / end."""
    h = History()
    h.record("attach", time=0.0, data={"state": "uninitialized", "clock": clock,
                                       "components": {"system": "uninitialized"}})
    for step in steps:
        kind, t = step[0], step[1]
        if kind == "cfg":
            h.record("event", time=t, value="config_applied", data={"config": CONFIG})
        elif kind == "ok":
            h.record("event", time=t, value="recovery_succeeded", data={"attempts": 1, "device": step[2]})
        else:
            h.record("fault_start" if kind == "drop" else "fault_end", time=t, value="dropout",
                     data={"kind": "dropout", "target": step[2], "firing_id": step[3]})
    return h


def test_the_invariant_is_registered_and_check_all_gives_its_verdict() -> None:
    h = _history([("cfg", 0.0), ("ok", 1.0, "sim-in")])
    assert "recovered_device" in NAMES
    assert check_all(h, only=["recovered_device"])[0].to_dict() == check_recovered_device(h).to_dict()


@pytest.mark.parametrize("steps, bad", [
    ([("cfg", 0.0), ("ok", 1.0, "sim-in"), ("ok", 2.0, "sim-usb")], 0),
    ([("cfg", 0.0), ("ok", 1.0, "sim-out")], 1),  # the output device: not one a recovery opens
    ([("ok", 1.0, "anything")], 0),  # no configuration applied: nothing to hold the name to
    ([("cfg", 0.0), ("drop", 1.0, "sim-in", "d#1"), ("ok", 1.0, "sim-in"), ("back", 1.5, "sim-in", "d#1")], 1),
    ([("cfg", 0.0), ("drop", 1.0, "sim-in", "d#1"), ("ok", 1.2, "sim-in")], 1),  # still away at the end
    # the success at the instant its device returns
    ([("cfg", 0.0), ("drop", 1.0, "sim-in", "d#1"), ("ok", 1.5, "sim-in"), ("back", 1.5, "sim-in", "d#1")], 0),
    # another device away: a fallback opened meanwhile
    ([("cfg", 0.0), ("drop", 1.0, "sim-in", "d#1"), ("ok", 1.1, "sim-usb"), ("back", 2.0, "sim-in", "d#1")], 0),
    # a recovery whose event names no device (``harness.sut_kit``'s systems): not judged, not a violation
    ([("cfg", 0.0), ("ok", 1.0, None), ("ok", 2.0, "sim-out")], 1),
    # two dropouts of one device: the first's end gives it back (the simulated backend keeps no count)
    ([("cfg", 0.0), ("drop", 1.0, "sim-in", "d#1"), ("drop", 1.2, "sim-in", "d#2"), ("back", 1.4, "sim-in", "d#1"),
      ("ok", 1.5, "sim-in"), ("back", 2.0, "sim-in", "d#2")], 0),
])
def test_crafted_histories(steps: list[tuple[Any, ...]], bad: int) -> None:
    v = check_recovered_device(_history(steps))
    assert v.ok is (bad == 0), v
    assert len(v.evidence) == bad


def test_recoveries_that_name_no_device_are_said_unjudged() -> None:
    """Another system under test (``harness.sut_kit``'s ``LifecycleAdapter``, the simple player)
    announces its recoveries without a device: held, and the message says none was judged."""
    v = check_recovered_device(_history([("cfg", 0.0), ("ok", 1.0, None), ("ok", 2.0, None)]))
    assert v.ok and v.message.endswith("2 recovery(ies) succeeded, none naming its device: nothing to judge"), v


def test_a_real_clock_s_history_is_not_judged() -> None:
    v = check_recovered_device(_history([("cfg", 0.0), ("ok", 1.0, "sim-out")], clock="monotonic"))
    assert v.ok and "nothing to judge" in v.message


def test_the_live_checker_flags_the_step_of_the_bad_recovery() -> None:
    system = AudioSystem(seed=1)
    try:
        h = _history([("cfg", 0.0), ("ok", 1.0, "sim-in")])
        checker = LiveChecker(system, h, linearizable=False)
        assert all(v.ok for v in checker.check() if v.name == "recovered_device")
        h.record("event", time=2.0, value="recovery_succeeded", data={"device": "sim-out"})
        (v,) = [v for v in checker.check() if v.name == "recovered_device"]
        assert not v.ok and v.evidence[0]["time"] == 2.0
        checker.close()
    finally:
        system.close()


# -- plain runs ----------------------------------------------------------------------------------

class ActiveDeviceIsTheOutput(AudioSystem):
    """``_build`` notes the output device as the system's active device (batch 54's
    ``active_device_set_to_output``): recovery_succeeded names the output device."""

    def _build(self, config: Any, input_device: str, output_device: str) -> None:
        super()._build(config, input_device, output_device)
        self._active_device = output_device


def _removed_device_stays_present(monkeypatch: pytest.MonkeyPatch) -> None:
    """``SimulatedBackend.remove_device`` kills the streams but leaves the device listed (batch 54's
    ``removed_device_stays_present``): the next recovery reopens the device just lost."""
    remove = SimulatedBackend.remove_device

    def stays(self: SimulatedBackend, name: str, *, report: bool = True) -> None:
        remove(self, name, report=report)
        self.device(name).present = True

    monkeypatch.setattr(SimulatedBackend, "remove_device", stays)


def _run(tmp_path: Path, seed: int, **kw: Any) -> Any:
    return plain_run_verdict(tmp_path, seed, "recovered_device", **kw)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_shipped_system_recovers_on_its_input_device(tmp_path: Path, seed: int) -> None:
    result, v = _run(tmp_path, seed)
    assert v.ok and "each on a configured device that was present" in v.message, v
    assert result.verdict.outcome.value == "pass", result.verdict.reasons


@pytest.mark.parametrize("seed", [1, 2])
def test_a_recovery_that_names_the_output_device_fails_the_run(tmp_path: Path, seed: int) -> None:
    result, v = _run(tmp_path, seed, system_factory=ActiveDeviceIsTheOutput)
    assert not v.ok and v.evidence[0]["device"] == "sim-out"
    assert result.verdict.violated == ["recovered_device"], result.verdict.reasons


@pytest.mark.parametrize("seed", [1, 2])
def test_a_recovery_onto_a_device_a_dropout_took_fails_the_run(tmp_path: Path, seed: int,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _removed_device_stays_present(monkeypatch)
    result, v = _run(tmp_path, seed)
    assert not v.ok and all(e["why"] == "a recovery succeeded on a device a dropout held away" for e in v.evidence)
    assert "recovered_device" in result.verdict.violated, result.verdict.reasons
