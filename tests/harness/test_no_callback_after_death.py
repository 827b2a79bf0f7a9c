"""``no_callback_after_death``: a stream that reported its death (its device gone, its rate changed
under it) calls back no more, judged from what the history records of the report and the close;
and ``policy_followed`` reading a recovery started for an error its reporter handled."""

from __future__ import annotations

from typing import Any

import pytest

from harness.history import CALLBACKS_DUE_KEY, History, run_op
from harness.invariants import LiveChecker, check_all, check_no_callback_after_death, check_policy_followed
from system_under_test import AudioSystem
from system_under_test.devices.simulated import SimulatedStream
from system_under_test.errors import ErrorInfo, SampleRateChangedError, SimulatedError


def _running(seed: int = 3) -> tuple[AudioSystem, History]:
    system = AudioSystem({"device": {"fallback_devices": []}}, seed=seed)
    history = History().attach(system)
    run_op(history, system, "initialize")
    run_op(history, system, "start")
    system.run_for(0.1)
    return system, history


def _death_reports(history: History) -> list[dict[str, Any]]:
    return [e.data for e in history.errors() if "stream" in (e.data or {})]


def _closes(history: History) -> list[dict[str, Any]]:
    return [e.data for e in history.events("stream_closed")]


def test_a_rate_change_leaves_the_dead_stream_nothing_to_deliver():
    """The simulated device's promise: a stream whose device changed rate under it dies before it
    says so, so neither a block queued on the clock nor one delivered before the close follows
    its report. The report names the stream and its callbacks, and its close the same count."""
    system, history = _running()
    stream = system._stream
    assert stream is not None and stream.spec.sample_rate == 48_000
    system.backend.change_sample_rate(stream.spec.input_device, 44_100)
    system.run_for(0.2)
    (report,) = _death_reports(history)
    assert report["error"]["type"] == "SampleRateChangedError"
    assert report[CALLBACKS_DUE_KEY] == 0
    assert report["stream_callbacks"] == stream.stats.callbacks > 0
    closed = [c for c in _closes(history) if c["stream"] == report["stream"]]
    assert closed == [{"stream": report["stream"], "callbacks": report["stream_callbacks"], "cause": "recovery"}]
    verdict = check_no_callback_after_death(history)
    assert verdict.ok and not verdict.inconclusive
    assert verdict.message == ("1 death report(s): 1 with no callback of the stream queued on the clock, "
                               "1 with no callback between the report and the stream's close")


def test_a_lost_device_is_judged_the_same_way():
    system, history = _running()
    system.backend.remove_device("sim-in")
    system.run_for(0.2)
    (report,) = _death_reports(history)
    assert report["error"]["type"] == "DeviceLostError" and report[CALLBACKS_DUE_KEY] == 0
    verdict = check_no_callback_after_death(history)
    assert verdict.ok and not verdict.inconclusive and verdict.message.startswith("1 death report(s): 1 with")


def _rate_changed_and_kept_delivering(self: SimulatedStream, name: str, old: int | None, new: int) -> None:
    """A stream that reports its rate change and goes on calling back at the old rate."""
    if self._dead or self._closed:
        return
    self._on_error(SampleRateChangedError(f"simulated device {name!r} changed rate {old} -> {new} Hz",
                                          component="device", details={"device": name, "from": old, "to": new}))


def test_a_stream_that_goes_on_after_its_rate_change_fails_at_its_report_and_live(monkeypatch):
    """Its next block is still queued as the system routes the report: a callback after its death
    that only the system's prompt close cancels. Found by the end's check and the live one."""
    monkeypatch.setattr(SimulatedStream, "_rate_changed", _rate_changed_and_kept_delivering)
    system, history = _running()
    live = LiveChecker(system, history)
    system.backend.change_sample_rate(system._stream.spec.input_device, 44_100)  # type: ignore[union-attr]
    system.run_for(0.2)
    (report,) = _death_reports(history)
    assert report[CALLBACKS_DUE_KEY] == 1
    (verdict,) = check_all(history, only=["no_callback_after_death"])
    assert not verdict.ok and verdict.message == "1 callback finding(s) after a stream's death report"
    assert verdict.evidence[0]["callbacks_due"] == 1 and verdict.evidence[0]["type"] == "SampleRateChangedError"
    (live_verdict,) = [v for v in live.check() if v.name == "no_callback_after_death"]
    assert not live_verdict.ok and live_verdict.evidence == verdict.evidence


def _history(clock: str, *, at_report: int, at_close: int, closed_stream: int = 4) -> History:
    h = History()
    h.record("attach", data={"state": "running", "configured": True, "pending": False,
                             "components": {"system": "running"}, "clock": clock})
    h.record("error", value="error", time=1.0, data={
        "error": {"type": "DeviceLostError", "message": "gone"}, "severity": "CRITICAL", "component": "device",
        "requires_recovery": True, "stream": 4, "stream_callbacks": at_report})
    h.record("event", value="stream_closed", time=1.0, data={"stream": closed_stream, "callbacks": at_close,
                                                             "cause": "recovery"})
    return h


def test_callbacks_between_the_report_and_the_close_fail_a_virtual_clock():
    verdict = check_no_callback_after_death(_history("virtual", at_report=10, at_close=12))
    assert not verdict.ok
    assert (verdict.evidence[0]["after"], verdict.evidence[0]["close_index"]) == (2, 2)


def test_callbacks_after_the_report_on_a_real_device_are_inconclusive_never_violated():
    """One under way on the device's thread as the report was read is counted after it, and how
    many a real host API delivers after an error is not measured: not judged."""
    verdict = check_no_callback_after_death(_history("real", at_report=10, at_close=11))
    assert verdict.ok and verdict.inconclusive
    assert verdict.reason == "callbacks after a death report on a real device"


@pytest.mark.parametrize("clock", ["virtual", "real"])
def test_a_close_with_the_reported_count_holds(clock):
    verdict = check_no_callback_after_death(_history(clock, at_report=10, at_close=10))
    assert verdict.ok and not verdict.inconclusive
    assert verdict.message == "1 death report(s): 1 with no callback between the report and the stream's close"


def test_another_streams_close_judges_nothing():
    verdict = check_no_callback_after_death(_history("virtual", at_report=10, at_close=50, closed_stream=5))
    assert verdict.ok and verdict.message == ("1 death report(s), none judged: nothing to judge; 1 death "
                                              "report(s) whose stream the history never saw close")


def test_a_recovery_for_an_error_a_teardown_reported_is_a_policy_violation():
    """A live reconfiguration tears down a pipeline holding an error no supervisor pass routed: the
    teardown reports it, handled (``requires_recovery`` false), in RECONFIGURING, a state a restart
    begins from. The policy must not be asked again: no recovery follows."""
    system, history = _running()
    pipeline = system.pipeline
    assert pipeline is not None
    pipeline.errors.append(ErrorInfo.of(SimulatedError("a stage failed in the last block", component="dsp")))
    system.reconfigure({**system.config.to_dict(), "stream": {**system.config.to_dict()["stream"],  # type: ignore[union-attr]
                                                              "block_size": 512}})
    system.run_for(0.2)
    handled = [e.data for e in history.errors() if e.data.get("requires_recovery") is False]
    assert [(d["error"]["type"], d["state"]) for d in handled] == [("SimulatedError", "reconfiguring")]
    verdict = check_policy_followed(history)
    assert verdict.ok and not verdict.inconclusive
    assert history.events("recovery_started") == []
