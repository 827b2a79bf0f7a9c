"""Recovery as it is executed (recoverer.py), exactly: the events of a run and their data, the
attempts on the primary device then each fallback at the policy's back-off, the deadline, the end
of a run (succeeded, failed, cancelled) and the synchronous ``recover()``.

Driven through ``AudioSystem`` and the simulated backend on the virtual clock, so each event's time
is exact.
"""

from __future__ import annotations

from typing import Any

import pytest

from system_under_test import AudioSystem, State
from system_under_test.errors import DeviceLostError, Severity
from system_under_test.system import PIPELINE, SYSTEM, SystemEvent

ALL = (SYSTEM, *PIPELINE)
LOST = "DeviceLostError: simulated device 'sim-in' disappeared"


def _running(config: dict[str, Any], seed: int = 5) -> tuple[AudioSystem, list[SystemEvent]]:
    s = AudioSystem(config, seed=seed)
    s.initialize()
    s.start()
    s.run_for(0.05)
    assert s.state == State.RUNNING
    events: list[SystemEvent] = []
    s.add_event_listener(events.append)
    return s, events


def _plain(events: list[SystemEvent], t0: float) -> list[tuple[float, str, dict[str, Any]]]:
    """Each event with its time since ``t0`` and its data, errors reduced to their type."""
    out = []
    for e in events:
        data = {k: (v["type"] if k == "error" else v) for k, v in e.data.items()}
        out.append((round(e.time - t0, 9), e.kind, data))
    return out


def _system_causes(s: AudioSystem, since: int) -> list[tuple[str, str, str]]:
    return [(r.from_state.value, r.to_state.value, r.cause)
            for r in s.coordinator.history.records(SYSTEM)[since:]]


def test_a_run_tries_the_primary_at_the_policys_backoff_then_falls_back():
    s, events = _running({"recovery": {"initial_backoff_ms": 10, "max_attempts": 3},
                          "device": {"fallback_devices": ["sim-backup"]}})
    marks = len(s.coordinator.history.records(SYSTEM))
    s.backend.remove_device("sim-in")
    s.run_for(1.0)
    t0 = events[0].time
    got = _plain(events, t0)
    elapsed = got[-1][2]["seconds"]
    assert got == [
        (0.0, "error", {"error": "DeviceLostError", "severity": "CRITICAL", "component": "device",
                        "requires_recovery": True, "consecutive_callback_errors": 0,
                        "state": "running", "recovering": False, "stream": 1, "stream_callbacks": 9}),
        (0.0, "stream_closed", {"stream": 1, "callbacks": 9, "cause": "recovery"}),
        (0.0, "recovery_started", {"cause": LOST, "error": "DeviceLostError", "target": "running"}),
        (0.0, "recovery_attempt", {"attempt": 1, "device": "sim-in"}),
        (0.0, "recovery_attempt_failed", {"attempt": 1, "device": "sim-in", "error": "DeviceNotFoundError"}),
        (0.01, "recovery_attempt", {"attempt": 2, "device": "sim-in"}),
        (0.01, "recovery_attempt_failed", {"attempt": 2, "device": "sim-in", "error": "DeviceNotFoundError"}),
        (0.03, "recovery_attempt", {"attempt": 3, "device": "sim-in"}),
        (0.03, "recovery_attempt_failed", {"attempt": 3, "device": "sim-in", "error": "DeviceNotFoundError"}),
        (0.03, "recovery_attempt", {"attempt": 4, "device": "sim-backup"}),
        (0.03, "recovery_succeeded", {"attempts": 4, "seconds": elapsed, "device": "sim-backup",
                                      "target": "running", "open_s": 0.0}),
    ]
    assert elapsed == pytest.approx(0.03)
    assert (s.stream.spec.input_device, s.stream.spec.output_device) == ("sim-backup", "sim-backup")
    assert s.pipeline.capturing is True and s.recovering is False
    assert s.metrics().counters["recoveries"] == 1
    hist = s.metrics().histograms["recovery_time_s"]
    assert hist["count"] == 1 and hist["max"] == pytest.approx(0.03)
    assert _system_causes(s, marks) == [("running", "recovering", LOST),
                                        ("recovering", "running", "recovered")]
    assert {s.coordinator.state(n) for n in PIPELINE} == {State.RUNNING}
    s.close()


def test_a_run_on_the_primary_alone_reopens_it_with_the_configured_output():
    s, events = _running({"recovery": {"initial_backoff_ms": 10}, "device": {"fallback_devices": []}})
    s.backend.remove_device("sim-in")
    s.run_for(0.015)
    assert s.state == State.RECOVERING
    s.backend.restore_device("sim-in")
    s.run_for(0.5)
    assert s.state == State.RUNNING
    assert (s.stream.spec.input_device, s.stream.spec.output_device) == ("sim-in", "sim-out")
    (done,) = [e for e in events if e.kind == "recovery_succeeded"]
    assert done.data["device"] == "sim-in" and done.data["attempts"] == 2
    s.close()


def test_a_run_that_exhausts_every_device_fails_and_reports_it():
    s, events = _running({"recovery": {"initial_backoff_ms": 10, "max_attempts": 2},
                          "device": {"fallback_devices": ["sim-backup"]}})
    marks = len(s.coordinator.history.records(SYSTEM))
    s.backend.remove_device("sim-in")
    s.backend.remove_device("sim-backup")
    s.run_for(1.0)
    t0 = events[0].time
    got = _plain(events, t0)
    attempts = [(t, d["attempt"], d["device"]) for t, k, d in got if k == "recovery_attempt"]
    assert attempts == [(0.0, 1, "sim-in"), (0.01, 2, "sim-in"),
                        (0.01, 3, "sim-backup"), (0.02, 4, "sim-backup")]
    assert got[-2:] == [
        (0.02, "recovery_failed", {"reason": "every attempt on every device failed", "attempts": 4}),
        (0.02, "error", {"error": "RecoveryError", "severity": "FATAL", "component": SYSTEM,
                         "requires_recovery": False, "consecutive_callback_errors": 0,
                         "state": "failed", "recovering": False}),
    ]
    why = "recovery failed: every attempt on every device failed"
    assert _system_causes(s, marks) == [("running", "recovering", LOST), ("recovering", "failed", why)]
    assert {s.coordinator.state(n) for n in PIPELINE} == {State.FAILED}
    record = s.coordinator.errors()[-1]
    assert (record.component, record.error.message, record.requires_recovery, record.severity) == \
        (SYSTEM, why, False, Severity.FATAL)
    assert s.metrics().counters["recovery_failures"] == 1
    assert s.metrics().counters["recoveries"] == 0
    assert s.stream is None and s.pipeline is None and s.resources.live() == []
    assert s.recovering is False
    s.close()


def test_the_deadline_ends_a_run_before_its_attempts_do():
    s, events = _running({"recovery": {"initial_backoff_ms": 10, "max_attempts": 50, "deadline_ms": 25},
                          "device": {"fallback_devices": []}})
    s.backend.remove_device("sim-in")
    s.run_for(1.0)
    got = _plain(events, events[0].time)
    assert [(t, d["attempt"]) for t, k, d in got if k == "recovery_attempt"] == [(0.0, 1), (0.01, 2)]
    # the third attempt would be due at 30 ms, past the 25 ms deadline: the run gives up at 25 ms
    assert [(t, k, d) for t, k, d in got if k == "recovery_failed"] == \
        [(0.025, "recovery_failed", {"reason": "deadline of 0.025 s passed", "attempts": 2})]
    assert s.state == State.FAILED
    s.close()


@pytest.mark.parametrize("live", [True, False], ids=["reconfigured_running", "configured_stopped"])
def test_each_run_follows_the_recovery_policy_of_the_configuration_in_force(live):
    """A run's attempts, back-off and deadline are those of the configuration applied when it
    runs, not of the one a run before it saw: an operator who tightens the policy after a first
    recovery (fewer attempts, a shorter deadline) gets the tighter one at the next loss."""
    first = {"recovery": {"initial_backoff_ms": 10, "max_attempts": 6, "deadline_ms": 10_000},
             "device": {"fallback_devices": []}}
    s, events = _running(first)
    s.backend.remove_device("sim-in")
    s.run_for(0.005)
    s.backend.restore_device("sim-in")
    s.run_for(1.0)
    assert s.state == State.RUNNING and s.metrics().counters["recoveries"] == 1
    tighter = {"recovery": {"initial_backoff_ms": 10, "max_attempts": 2, "deadline_ms": 10_000},
               "device": {"fallback_devices": []}}
    if live:
        s.reconfigure(tighter)
    else:
        s.stop()
        s.configure(tighter)
        s.start()
        s.run_for(0.05)
    assert s.state == State.RUNNING
    events.clear()
    s.backend.remove_device("sim-in")
    s.run_for(1.0)
    got = _plain(events, events[0].time)
    assert [(t, d["attempt"]) for t, k, d in got if k == "recovery_attempt"] == [(0.0, 1), (0.01, 2)]
    assert [(t, k, d) for t, k, d in got if k == "recovery_failed"] == \
        [(0.01, "recovery_failed", {"reason": "every attempt on every device failed", "attempts": 2})]
    assert s.state == State.FAILED
    s.close()


@pytest.mark.parametrize("initial_backoff_ms", [150, 500], ids=["attempt-refused", "deadline-timer"])
def test_a_give_up_whose_timer_fired_late_says_why_and_how_late(initial_backoff_ms):
    """On a machine that runs the supervisor's timers late (each delayed timer 0.3 s after it was
    due, as a starved thread runs them), a run that gives up past its 200 ms deadline says why and
    how late its timer was (``late_s``, the figure a judge of the deadline excuses as the
    machine's): whether the timer was an attempt due before the deadline (150 ms back-off: due at
    150 ms, refused when it came at 450 ms) or the deadline's own (500 ms back-off: the next
    attempt would come past the deadline, so the run waits for the deadline, 200 ms, and gives up
    when that timer comes at 500 ms)."""
    s, events = _running({"recovery": {"deadline_ms": 200, "initial_backoff_ms": initial_backoff_ms,
                                       "backoff_factor": 1, "max_backoff_ms": 10_000, "max_attempts": 5},
                          "device": {"fallback_devices": []}})
    clock = s.clock
    s._scheduler.call_later = (  # type: ignore[union-attr]
        lambda delay, cb: clock.call_later(delay + 0.3 if delay > 0 else delay, cb))
    s.backend.remove_device("sim-in")
    s.run_for(2.0)
    got = _plain(events, events[0].time)
    assert [(t, d["attempt"]) for t, k, d in got if k == "recovery_attempt"] == [(0.0, 1)]
    due = min(initial_backoff_ms / 1000, 0.2)
    assert [(t, d) for t, k, d in got if k == "recovery_failed"] == \
        [(pytest.approx(due + 0.3), {"reason": "deadline of 0.200 s passed", "attempts": 1, "late_s": 0.3})]
    assert s.state == State.FAILED
    s.close()


def test_a_second_error_during_a_run_starts_no_second_run():
    s, events = _running({"recovery": {"initial_backoff_ms": 50}, "device": {"fallback_devices": []}})
    s.backend.remove_device("sim-in")
    s.run_for(0.02)
    assert s.state == State.RECOVERING
    s._enter_recovery(s.coordinator.errors()[-1].error, "again")
    assert [e.kind for e in events].count("recovery_started") == 1
    s.backend.restore_device("sim-in")
    s.run_for(1.0)
    assert s.state == State.RUNNING and s.metrics().counters["recoveries"] == 1
    s.close()


def test_a_loss_while_paused_recovers_to_paused_without_capturing():
    s, events = _running({"recovery": {"initial_backoff_ms": 10}, "device": {"fallback_devices": []}})
    s.pause()
    s.backend.remove_device("sim-in")
    s.run_for(0.02)
    (started,) = [e for e in events if e.kind == "recovery_started"]
    assert started.data["target"] == "paused"
    s.backend.restore_device("sim-in")
    s.run_for(1.0)
    assert s.state == State.PAUSED and s.pipeline.capturing is False
    (done,) = [e for e in events if e.kind == "recovery_succeeded"]
    assert done.data["target"] == "paused"
    assert {s.coordinator.state(n) for n in PIPELINE} == {State.RUNNING}
    s.close()


# -- recover(): the synchronous run ------------------------------------------------------------------

def test_recover_from_failed_walks_the_devices_without_backoff():
    s, events = _running({"device": {"fallback_devices": ["sim-backup"]}})
    with pytest.raises(Exception):
        s.simulate_error("dsp")
    s.backend.remove_device("sim-in")
    events.clear()
    marks = len(s.coordinator.history.records(SYSTEM))
    assert s.recover() is True
    got = _plain(events, events[0].time)
    assert got == [
        (0.0, "recovery_attempt_failed", {"attempt": 1, "device": "sim-in", "error": "DeviceNotFoundError"}),
        (0.0, "recovery_succeeded", {"attempts": 2, "seconds": 0.0, "device": "sim-backup",
                                     "target": "running", "open_s": 0.0}),
    ]
    assert (s.stream.spec.input_device, s.stream.spec.output_device) == ("sim-backup", "sim-backup")
    assert _system_causes(s, marks) == [("failed", "recovering", "recover()"),
                                        ("recovering", "running", "recovered")]
    assert s.state == State.RUNNING and s.is_healthy()
    s.close()


def test_recover_that_opens_nothing_fails_and_says_why():
    s, events = _running({"device": {"fallback_devices": []}})
    with pytest.raises(Exception):
        s.simulate_error("dsp")
    s.backend.remove_device("sim-in")
    events.clear()
    assert s.recover() is False
    assert [e.kind for e in events] == ["recovery_attempt_failed", "recovery_failed", "error"]
    assert events[1].data == {"reason": "recover(): no device could be opened", "attempts": 1}
    assert s.state == State.FAILED and s.resources.live() == []
    s.close()


def test_recover_of_a_healthy_system_does_nothing():
    s, events = _running({})
    marks = len(s.coordinator.history.records())
    stream = s.stream
    assert s.recover() is True
    assert len(s.coordinator.history.records()) == marks and s.stream is stream and events == []
    s.close()


def test_recover_needs_a_config_and_a_state_it_can_recover_from():
    s = AudioSystem()
    s.initialize()
    assert s.recover() is False  # no config
    s.configure({})
    assert s.recover() is False  # CONFIGURED: nothing to recover
    assert s.state == State.CONFIGURED and s.stream is None
    s.close()


def test_recover_during_a_run_keeps_its_target_and_cancels_its_timer():
    s, events = _running({"recovery": {"initial_backoff_ms": 100}, "device": {"fallback_devices": []}})
    s.pause()
    s.backend.remove_device("sim-in")
    s.run_for(0.02)
    assert s.state == State.RECOVERING
    s.backend.restore_device("sim-in")
    s.recover()
    assert s.state == State.PAUSED and s.pipeline.capturing is False
    attempts_before = [e.kind for e in events].count("recovery_attempt")
    s.run_for(1.0)  # the cancelled run's next attempt never comes
    assert [e.kind for e in events].count("recovery_attempt") == attempts_before
    assert [e.kind for e in events].count("recovery_succeeded") == 1
    assert s.state == State.PAUSED
    s.close()


# -- the survivors' checks: the components' causes, the failure record, the deadline's edge -----------

def test_a_run_returns_every_component_to_running_with_the_cause_recovered():
    s, _ = _running({"recovery": {"initial_backoff_ms": 10}, "device": {"fallback_devices": []}})
    marks = len(s.coordinator.history.records())
    s.backend.remove_device("sim-in")
    s.run_for(0.015)
    s.backend.restore_device("sim-in")
    s.run_for(0.5)
    assert s.state == State.RUNNING
    back = [(r.component, r.from_state.value, r.cause) for r in s.coordinator.history.records()[marks:]
            if r.to_state == State.RUNNING]
    assert sorted(back) == sorted([(n, "recovering", "recovered") for n in ALL])
    s.close()


def test_the_failure_record_of_a_run_names_the_system_as_its_component():
    s, events = _running({"recovery": {"initial_backoff_ms": 10, "max_attempts": 1},
                          "device": {"fallback_devices": []}})
    s.backend.remove_device("sim-in")
    s.run_for(0.5)
    assert s.state == State.FAILED
    last = events[-1]
    assert (last.kind, last.data["component"], last.data["error"]["component"]) == ("error", SYSTEM, SYSTEM)
    record = s.coordinator.errors()[-1]
    assert (record.component, record.error.component, record.error.type) == (SYSTEM, SYSTEM, "RecoveryError")
    s.close()


def test_an_attempt_exactly_at_the_deadline_is_still_made():
    """The deadline bounds the run: an attempt due exactly at it is made, the next one is not.

    750 frames at 48 kHz is 1/64 s, so every callback time and back-off is exact in binary and the
    attempt lands on the deadline itself, not a rounding error either side of it."""
    s, events = _running({"stream": {"block_size": 750},
                          "recovery": {"initial_backoff_ms": 15.625, "max_attempts": 50,
                                       "deadline_ms": 15.625},
                          "device": {"fallback_devices": []}})
    s.backend.remove_device("sim-in")
    s.run_for(1.0)
    started = events[0].time
    attempts = [e.time - started for e in events if e.kind == "recovery_attempt"]
    assert attempts == [0.0, 0.015625]  # exactly on the deadline: made
    (failed,) = [e for e in events if e.kind == "recovery_failed"]
    # the next would be due at 46.875 ms: none is scheduled past the deadline, the run fails as
    # the attempt made at it fails
    assert (failed.time - started, failed.data) == \
        (0.015625, {"reason": "deadline of 0.016 s passed", "attempts": 2})
    assert s.state == State.FAILED
    s.close()


def test_an_unrecoverable_error_during_a_run_fails_the_system_and_ends_the_run():
    """FAIL wins over a recovery under way: an error the policy says nothing at run time can fix
    (severity FATAL) reported while RECOVERING moves the system to FAILED at once, and the run's
    scheduled attempts never come (the device back, nothing reopens on its own)."""
    s, events = _running({"recovery": {"initial_backoff_ms": 50}, "device": {"fallback_devices": []}})
    s.backend.remove_device("sim-in")
    s.run_for(0.02)
    assert s.state == State.RECOVERING and s.recovering
    s.coordinator.handle_error("device", DeviceLostError("the card burnt out", component="device",
                                                         severity=Severity.FATAL))
    assert s.state == State.FAILED and not s.recovering
    attempts = [e.kind for e in events].count("recovery_attempt")
    s.backend.restore_device("sim-in")
    s.run_for(1.0)
    assert s.state == State.FAILED and s.stream is None
    assert [e.kind for e in events].count("recovery_attempt") == attempts
    s.close()


# -- a backend's own exception while a recovery reopens the stream --------------------------------

class _DriverError(Exception):
    """An exception from outside the error tree, as a driver may raise it."""


class _Interrupt(BaseException):
    """A ``KeyboardInterrupt``-like exception: not an ``Exception``."""


def _opens_refusing(s: AudioSystem, refusals: list[BaseException]) -> None:
    """While ``refusals`` is not empty, each stream ``s`` opens raises the next of them instead."""
    original = s.backend.open_stream

    def open_stream(spec, cb, on_error):
        if refusals:
            raise refusals.pop(0)
        return original(spec, cb, on_error)

    s.backend.open_stream = open_stream  # type: ignore[method-assign]


def test_a_backends_own_exception_in_an_attempt_is_a_failed_attempt_and_the_run_goes_on():
    """The backend contract says a backend raises only the tree's errors; one that raises its own
    (a driver's RuntimeError) while a run reopens the stream made a failed attempt like any other,
    never an exception out of the supervisor's pass that left the run set with no next attempt
    (RECOVERING for ever, the deadline never checked)."""
    s, events = _running({"recovery": {"initial_backoff_ms": 10, "max_attempts": 5},
                          "device": {"fallback_devices": []}})
    _opens_refusing(s, [_DriverError("the driver said no"), _DriverError("and again")])
    s.coordinator.handle_error("device", DeviceLostError("unplugged", component="device"))
    assert s.state == State.RECOVERING
    s.run_for(1.0)
    got = [(t, k, d.get("attempt", d.get("attempts")), d.get("error")) for t, k, d in
           _plain(events, events[0].time) if k in ("recovery_attempt_failed", "recovery_succeeded")]
    assert got == [(0.0, "recovery_attempt_failed", 1, "_DriverError"),
                   (0.01, "recovery_attempt_failed", 2, "_DriverError"),
                   (0.03, "recovery_succeeded", 3, None)]
    failed = [e for e in events if e.kind == "recovery_attempt_failed"][0]
    assert failed.data["error"] == {"type": "_DriverError", "message": "_DriverError('the driver said no')",
                                    "component": "device", "severity": "ERROR", "recoverable": False,
                                    "details": {}}
    assert s.state == State.RUNNING and not s.recovering
    s.close()
    assert s.resources.live() == []


def test_an_interrupted_attempt_ends_the_run_failed_and_reaches_the_caller():
    """A ``KeyboardInterrupt`` in an attempt's open (on the virtual clock the attempt runs in the
    caller's ``run_for``) ends the run FAILED with the reason, and reaches the caller as itself."""
    s, events = _running({"recovery": {"initial_backoff_ms": 10}, "device": {"fallback_devices": []}})
    _opens_refusing(s, [_DriverError("the driver said no"), _Interrupt()])
    s.coordinator.handle_error("device", DeviceLostError("unplugged", component="device"))
    with pytest.raises(_Interrupt):
        s.run_for(1.0)
    assert s.state == State.FAILED and not s.recovering
    (failed,) = [e for e in events if e.kind == "recovery_failed"]
    assert failed.data == {"reason": "attempt 2 interrupted by _Interrupt", "attempts": 2}
    assert s.stream is None and s.resources.live() == []
    assert s.recover() is True and s.state == State.RUNNING
    s.close()


def test_recover_tries_the_next_device_after_a_backends_own_exception():
    s, events = _running({"device": {"fallback_devices": ["sim-backup"]}})
    with pytest.raises(Exception):
        s.simulate_error("dsp")
    refusals: list[BaseException] = [_DriverError("the driver said no")]
    _opens_refusing(s, refusals)
    events.clear()
    assert s.recover() is True
    assert [(e.kind, e.data.get("device")) for e in events] == [
        ("recovery_attempt_failed", "sim-in"), ("recovery_succeeded", "sim-backup")]
    assert events[0].data["error"]["type"] == "_DriverError"
    assert s.state == State.RUNNING
    s.close()


def test_an_interrupted_recover_ends_failed_never_recovering():
    s, events = _running({"device": {"fallback_devices": ["sim-backup"]}})
    with pytest.raises(Exception):
        s.simulate_error("dsp")
    _opens_refusing(s, [_Interrupt()])
    with pytest.raises(_Interrupt):
        s.recover()
    assert s.state == State.FAILED and not s.recovering and s.resources.live() == []
    assert [e for e in events if e.kind == "recovery_failed"][-1].data == \
        {"reason": "recover() interrupted by _Interrupt", "attempts": 1}
    assert s.recover() is True
    s.close()


def test_observers_of_the_recovered_transition_see_the_run_ended():
    """A run is over when RUNNING is announced: an observer of that transition reads ``recovering``
    False, and an error it reports starts a run of its own (never dropped as one more error of the
    run that has just ended)."""
    s, events = _running({"recovery": {"initial_backoff_ms": 10}, "device": {"fallback_devices": []}})
    seen: list[bool] = []

    def observer(record) -> None:
        if record.component == SYSTEM and record.cause == "recovered":
            seen.append(s.recovering)
            if len(seen) == 1:
                s.coordinator.handle_error("device", DeviceLostError("unplugged again", component="device"))

    s.add_observer(observer)
    s.coordinator.handle_error("device", DeviceLostError("unplugged", component="device"))
    s.run_for(1.0)
    assert seen == [False, False]
    assert [e.data["cause"] for e in events if e.kind == "recovery_started"] == \
        ["DeviceLostError: unplugged", "DeviceLostError: unplugged again"]
    assert s.state == State.RUNNING and not s.recovering
    s.close()


# -- the machine's share of a run: a late timer, a slow open --------------------------------------

class _LateScheduler:
    """The system's scheduler with every timer firing ``late`` seconds after it is due: a starved
    supervisor thread, reproduced on the virtual clock."""

    thread_count = 0

    def __init__(self, inner: Any, late: float) -> None:
        self.inner, self.late = inner, late

    def call_later(self, delay: float, callback: Any) -> Any:
        return self.inner.call_later(delay + self.late, callback)

    def close(self) -> None:
        self.inner.close()


LATE = 0.2500004  # a seventh decimal, so the events' rounding to microseconds shows


def _late_system(monkeypatch, config: dict[str, Any]) -> tuple[AudioSystem, list[SystemEvent]]:
    import system_under_test.system as system_module

    made = system_module.scheduler_for
    monkeypatch.setattr(system_module, "scheduler_for", lambda clock: _LateScheduler(made(clock), LATE))
    return _running(config)


def test_a_late_timer_is_recorded_on_each_attempt_and_on_the_failure(monkeypatch):
    """Each attempt and the run's failure carry how late the attempt's timer fired (``late_s``,
    rounded to the microsecond), measured from when the back-off said it was due."""
    s, events = _late_system(monkeypatch, {"recovery": {"initial_backoff_ms": 10, "max_attempts": 2},
                                           "device": {"fallback_devices": []}})
    _opens_refusing(s, [DeviceLostError("gone", component="device"), DeviceLostError("gone", component="device")])
    s.coordinator.handle_error("device", DeviceLostError("unplugged", component="device"))
    s.run_for(2.0)
    got = [(k, d) for _, k, d in _plain(events, events[0].time)
           if k in ("recovery_attempt", "recovery_failed")]
    assert got == [("recovery_attempt", {"attempt": 1, "device": "sim-in", "late_s": 0.25}),
                   ("recovery_attempt", {"attempt": 2, "device": "sim-in", "late_s": 0.25}),
                   ("recovery_failed", {"reason": "every attempt on every device failed", "attempts": 2,
                                        "late_s": 0.25})]
    s.close()


def test_a_slow_open_is_recorded_on_the_success(monkeypatch):
    """The successful attempt's open time (``open_s``) is how long the device took to open,
    rounded to the microsecond."""
    s, events = _late_system(monkeypatch, {"recovery": {"initial_backoff_ms": 10},
                                           "device": {"fallback_devices": []}})
    original = s.backend.open_stream

    def slow_open(spec, cb, on_error):
        s.clock.sleep(LATE)  # the open takes LATE seconds of the (virtual) clock
        return original(spec, cb, on_error)

    s.backend.open_stream = slow_open  # type: ignore[method-assign]
    s.coordinator.handle_error("device", DeviceLostError("unplugged", component="device"))
    s.run_for(2.0)
    (done,) = [e for e in events if e.kind == "recovery_succeeded"]
    assert done.data["open_s"] == 0.25 and done.data["attempts"] == 1
    assert [e.data.get("late_s") for e in events if e.kind == "recovery_attempt"] == [0.25]
    s.close()


def _opened_as(s: AudioSystem, wrap) -> None:
    """Every stream the backend opens from now on handed to the system as ``wrap(stream)``."""
    original = s.backend.open_stream

    def open_stream(spec, cb, on_error):
        return wrap(original(spec, cb, on_error))

    s.backend.open_stream = open_stream  # type: ignore[method-assign]


def _succeeded_after_a_loss(s: AudioSystem, events: list[SystemEvent]) -> dict[str, Any]:
    s.coordinator.handle_error("device", DeviceLostError("unplugged", component="device"))
    s.run_for(2.0)
    (done,) = [e for e in events if e.kind == "recovery_succeeded"]
    assert s.state == State.RUNNING
    return done.data


def test_the_wait_for_a_cpu_the_reopened_stream_measured_is_recorded_on_the_success():
    """``open_wait_s`` on ``recovery_succeeded`` is the successful attempt's stream's
    ``open_cpu_wait_s``, rounded to the microsecond; a stream that measured none (None, the
    simulated device's) adds no key."""
    s, events = _running({"recovery": {"initial_backoff_ms": 10}, "device": {"fallback_devices": []}})

    def measured(stream):
        stream.open_cpu_wait_s = 0.1234567
        return stream

    _opened_as(s, measured)
    assert _succeeded_after_a_loss(s, events) == {
        "attempts": 1, "seconds": 0.0, "device": "sim-in", "target": "running", "open_s": 0.0,
        "open_wait_s": 0.123457}
    s.close()

    s, events = _running({"recovery": {"initial_backoff_ms": 10}, "device": {"fallback_devices": []}})
    assert _succeeded_after_a_loss(s, events) == {
        "attempts": 1, "seconds": 0.0, "device": "sim-in", "target": "running", "open_s": 0.0}
    s.close()


class _ForeignStream:
    """A stream from a backend of its own that does not derive from ``DeviceStream``: everything
    the system asks of it is the simulated stream's, but it has no ``open_cpu_wait_s`` at all."""

    def __init__(self, inner: Any) -> None:
        object.__setattr__(self, "_inner", inner)

    def __getattr__(self, name: str) -> Any:
        if name == "open_cpu_wait_s":
            raise AttributeError(name)
        return getattr(self._inner, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._inner, name, value)


def test_a_stream_without_an_open_wait_recovers_without_one():
    s, events = _running({"recovery": {"initial_backoff_ms": 10}, "device": {"fallback_devices": []}})
    _opened_as(s, _ForeignStream)
    assert _succeeded_after_a_loss(s, events) == {
        "attempts": 1, "seconds": 0.0, "device": "sim-in", "target": "running", "open_s": 0.0}
    assert isinstance(s._stream, _ForeignStream)
    s.close()


def test_recover_records_the_successful_opens_time_and_wait_as_a_scheduled_run_does():
    """``recover()``'s ``recovery_succeeded`` carries ``open_s`` and ``open_wait_s`` as a scheduled
    run's does: the successful device's open alone (the refused primary's 0.5 s before it not
    counted) and its stream's ``open_cpu_wait_s``, each rounded to the microsecond."""
    s, events = _running({"device": {"fallback_devices": ["sim-backup"]}})
    with pytest.raises(Exception):
        s.simulate_error("dsp")
    original = s.backend.open_stream

    def open_stream(spec, cb, on_error):
        if spec.input_device == "sim-in":
            s.clock.sleep(0.5)  # the refused open takes its time too
            raise _DriverError("the driver said no")
        s.clock.sleep(LATE)
        stream = original(spec, cb, on_error)
        stream.open_cpu_wait_s = 0.1234567
        return stream

    s.backend.open_stream = open_stream  # type: ignore[method-assign]
    events.clear()
    t0 = s.clock.now()
    assert s.recover() is True
    got = _plain(events, t0)
    assert got == [
        (0.5, "recovery_attempt_failed", {"attempt": 1, "device": "sim-in", "error": "_DriverError"}),
        (0.7500004, "recovery_succeeded", {"attempts": 2, "seconds": 0.7500004, "device": "sim-backup",
                                           "target": "running", "open_s": 0.25, "open_wait_s": 0.123457}),
    ]
    s.close()


def _refusing_slowly(s: AudioSystem, details: dict[str, Any], *, primary_only: bool = False) -> None:
    """Each open (of the primary only, with ``primary_only``) takes ``LATE`` s of the virtual clock
    and then fails with a device error whose details are ``details``, as a real device's failed
    open says its measured time and wait for a CPU."""
    original = s.backend.open_stream

    def open_stream(spec, cb, on_error):
        if primary_only and spec.input_device != "sim-in":
            return original(spec, cb, on_error)
        s.clock.sleep(LATE)
        raise DeviceLostError("the server refused", component="device", details=dict(details))

    s.backend.open_stream = open_stream  # type: ignore[method-assign]


def test_a_failed_open_s_measured_time_and_wait_are_recorded_on_the_failed_attempt(monkeypatch):
    """A failed attempt's ``recovery_attempt_failed`` carries ``open_s`` (on the system's clock)
    and the ``open_wait_s`` its device's error measured, rounded to the microsecond, as
    ``recovery_succeeded`` carries them; an error that measured no wait adds neither."""
    s, events = _late_system(monkeypatch, {"recovery": {"initial_backoff_ms": 10, "max_attempts": 1},
                                           "device": {"fallback_devices": []}})
    _refusing_slowly(s, {"open_s": 0.25, "open_wait_s": 0.1234567})
    s.coordinator.handle_error("device", DeviceLostError("unplugged", component="device"))
    s.run_for(2.0)
    (failed,) = [d for _, k, d in _plain(events, events[0].time) if k == "recovery_attempt_failed"]
    assert failed == {"attempt": 1, "device": "sim-in", "error": "DeviceLostError",
                      "open_s": 0.25, "open_wait_s": 0.123457}
    s.close()

    s, events = _late_system(monkeypatch, {"recovery": {"initial_backoff_ms": 10, "max_attempts": 1},
                                           "device": {"fallback_devices": []}})
    _refusing_slowly(s, {"stderr": ""})
    s.coordinator.handle_error("device", DeviceLostError("unplugged", component="device"))
    s.run_for(2.0)
    (failed,) = [d for _, k, d in _plain(events, events[0].time) if k == "recovery_attempt_failed"]
    assert failed == {"attempt": 1, "device": "sim-in", "error": "DeviceLostError"}
    s.close()


def test_recover_records_a_failed_open_s_time_and_wait_as_a_scheduled_run_does():
    s, events = _running({"device": {"fallback_devices": ["sim-backup"]}})
    with pytest.raises(Exception):
        s.simulate_error("dsp")
    _refusing_slowly(s, {"open_wait_s": 0.2}, primary_only=True)
    events.clear()
    t0 = s.clock.now()
    assert s.recover() is True
    (failed,) = [(t, d) for t, k, d in _plain(events, t0) if k == "recovery_attempt_failed"]
    assert failed == (LATE, {"attempt": 1, "device": "sim-in", "error": "DeviceLostError",
                             "open_s": 0.25, "open_wait_s": 0.2})
    s.close()


def test_a_stream_that_logs_its_close_has_the_log_in_its_stream_closed_event():
    """``stream_closed`` carries the closed stream's own log of its close's waits (``close``:
    PortAudio's ``close_waits``), so a reader of the history sees which wait a slow close spent its
    time on; a stream keeping no such log (the simulated one) adds nothing to the event."""
    s, events = _running({})
    record = {"took_s": 4.96, "waits": {"kill": 0.1, "reader_join": 4.8}, "longest": "reader_join"}
    s._stream.close_waits = record  # type: ignore[union-attr]  # what a real stream's close reports
    s.stop()
    (closed,) = [e for e in events if e.kind == "stream_closed"]
    assert closed.data["close"] == record and closed.data["cause"] == "stop"
    s2, events2 = _running({})
    s2.stop()
    (closed2,) = [e for e in events2 if e.kind == "stream_closed"]
    assert set(closed2.data) == {"stream", "callbacks", "cause"}
