"""Recovery promises: severity and class route errors by the documented table, and recovery is
bounded (deadline and attempts) with the back-off the policy promises, as the history shows."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from system_under_test import AudioSystem, State
from system_under_test.config import RecoveryConfig
from system_under_test.errors import (
    AudioSystemError,
    BackendUnavailableError,
    BufferPoolExhaustedError,
    CallbackError,
    ConfigMigrationError,
    ConfigValidationError,
    DeviceFormatError,
    DeviceLostError,
    DeviceNotFoundError,
    DeviceStalledError,
    DeviceTimeoutError,
    IllegalTransitionError,
    RecoveryError,
    RegistrationError,
    ResourceLimitError,
    SampleRateChangedError,
    Severity,
    SimulatedError,
    SystemClosedError,
    XrunError,
)
from system_under_test.recovery import RecoveryAction, RecoveryPolicy

I, D, R, F = RecoveryAction.IGNORE, RecoveryAction.DEGRADE, RecoveryAction.RESTART, RecoveryAction.FAIL

#: The whole routing table: error class (and the one extra input it depends on) -> the action at
#: severity INFO, WARNING, ERROR, CRITICAL, FATAL. Written out cell by cell on purpose: it is the
#: specification, not a copy of the policy's code.
TABLE: list[tuple[str, type[AudioSystemError], dict, tuple[RecoveryAction, ...]]] = [
    # caller errors: the caller holds the exception, the system is unchanged
    ("config-validation", ConfigValidationError, {}, (I, I, I, I, I)),
    ("config-migration", ConfigMigrationError, {}, (I, I, I, I, I)),
    ("illegal-transition", IllegalTransitionError, {}, (I, I, I, I, I)),
    ("closed", SystemClosedError, {}, (I, I, I, I, I)),
    # not recoverable: FAIL whatever the severity
    ("registration", RegistrationError, {}, (F, F, F, F, F)),
    ("recovery-error", RecoveryError, {}, (F, F, F, F, F)),
    ("device-format", DeviceFormatError, {}, (F, F, F, F, F)),
    ("backend-unavailable", BackendUnavailableError, {}, (F, F, F, F, F)),
    # usually tolerated faults escalate to RESTART at CRITICAL
    ("xrun", XrunError, {}, (I, I, I, R, F)),
    ("pool-dry", BufferPoolExhaustedError, {}, (I, D, D, R, F)),
    ("pool-dry-no-degrade", BufferPoolExhaustedError, {"degrade": False}, (I, R, R, R, F)),
    ("limit", ResourceLimitError, {}, (I, D, D, R, F)),
    ("limit-no-degrade", ResourceLimitError, {"degrade": False}, (I, R, R, R, F)),
    ("callback-once", CallbackError, {"consecutive": 2}, (I, I, I, R, F)),
    ("callback-persistent", CallbackError, {"consecutive": 3}, (I, R, R, R, F)),
    # the world broke: restart, unless it is a note (INFO) or fatal
    ("device-lost", DeviceLostError, {}, (I, R, R, R, F)),
    ("device-stalled", DeviceStalledError, {}, (I, R, R, R, F)),
    ("device-not-found", DeviceNotFoundError, {}, (I, R, R, R, F)),
    ("device-timeout", DeviceTimeoutError, {}, (I, R, R, R, F)),
    ("rate-changed", SampleRateChangedError, {}, (I, R, R, R, F)),
    ("simulated", SimulatedError, {}, (I, R, R, R, F)),
]
SEVERITIES = (Severity.INFO, Severity.WARNING, Severity.ERROR, Severity.CRITICAL, Severity.FATAL)


def _make(cls: type[AudioSystemError], severity: Severity | None = None) -> AudioSystemError:
    if cls is ConfigValidationError:
        err: AudioSystemError = cls([("stream.block_size", "too big")])
    elif cls is IllegalTransitionError:
        err = cls("system", State.RUNNING, State.CONFIGURED)
    else:
        err = cls("boom", component="device")
    if severity is not None:
        err.severity = severity
    return err


CELLS = [pytest.param(cls, sev, extra, actions[i], id=f"{name}-{sev.name}")
         for name, cls, extra, actions in TABLE for i, sev in enumerate(SEVERITIES)]


@pytest.mark.parametrize("cls, severity, extra, expected", CELLS)
def test_routing_table_cell_from_the_errors_severity(cls, severity, extra, expected):
    policy = RecoveryPolicy(RecoveryConfig(degrade_on_exhaustion=extra.get("degrade", True)))
    err = _make(cls, severity)
    assert policy.decide(err, consecutive_callback_errors=extra.get("consecutive", 0)) == expected


@pytest.mark.parametrize("cls, severity, extra, expected", CELLS)
def test_routing_table_cell_from_the_records_severity(cls, severity, extra, expected):
    """The coordinator's record may carry another severity than the error: the policy reads it."""
    policy = RecoveryPolicy(RecoveryConfig(degrade_on_exhaustion=extra.get("degrade", True)))
    err = _make(cls)  # the class default
    got = policy.decide(err, consecutive_callback_errors=extra.get("consecutive", 0), severity=severity)
    assert got == expected


@pytest.mark.parametrize("cls, severity, extra, expected", CELLS)
def test_routing_table_cell_from_the_compact_record(cls, severity, extra, expected):
    """What the coordinator keeps and routes is the error's ``ErrorInfo``, not the exception: the
    same cell, judged by the class the record describes."""
    from system_under_test.errors import ErrorInfo

    policy = RecoveryPolicy(RecoveryConfig(degrade_on_exhaustion=extra.get("degrade", True)))
    info = ErrorInfo.of(_make(cls, severity))
    assert policy.decide(info, consecutive_callback_errors=extra.get("consecutive", 0)) == expected


def test_every_concrete_error_class_is_in_the_table():
    import system_under_test.errors as errors

    abstract = {errors.AudioSystemError, errors.ConfigError, errors.LifecycleError, errors.ResourceError,
                errors.DeviceError, errors.ProcessingError}
    concrete = {getattr(errors, n) for n in errors.__all__
                if isinstance(getattr(errors, n), type) and issubclass(getattr(errors, n), Exception)}
    assert concrete - abstract == {cls for _, cls, _, _ in TABLE}


def test_default_severities_keep_the_documented_routes():
    """With each class's own severity the table reads as README promises: an xrun is counted, a dry
    pool degrades, a lost device restarts, a missing backend fails."""
    policy = RecoveryPolicy(RecoveryConfig())
    assert policy.decide(_make(XrunError)) == I
    assert policy.decide(_make(BufferPoolExhaustedError)) == D
    assert policy.decide(_make(DeviceLostError)) == R
    assert policy.decide(_make(BackendUnavailableError)) == F
    assert policy.decide(_make(CallbackError), consecutive_callback_errors=2) == I


def _running(config: dict | None = None, seed: int = 5) -> AudioSystem:
    s = AudioSystem(config or {}, seed=seed)
    s.initialize()
    s.start()
    s.run_for(0.1)
    assert s.state == State.RUNNING
    return s


def test_a_fatal_record_fails_the_running_system_instead_of_restarting():
    """The system hands the record's severity to the policy: a device loss reported FATAL fails."""
    s = _running()
    s.coordinator.handle_error("device", DeviceLostError("gone", component="device"),
                               severity=Severity.FATAL)
    assert s.state == State.FAILED
    s.close()
    assert s.resources.leak_report() == []


def test_a_critical_xrun_restarts_the_stream():
    s = _running()
    s.coordinator.handle_error("device", XrunError("late", component="device"), severity=Severity.CRITICAL)
    assert s.state == State.RECOVERING
    s.run_for(1.0)
    assert s.state == State.RUNNING and s.metrics().counters["recoveries"] == 1
    s.close()


# -- recovery is bounded and backs off as promised ----------------------------------------------
def _recovery_history(config: dict, seed: int = 3, run_s: float = 3.0):
    s = _running(config, seed)
    events: list = []
    s.add_event_listener(events.append)
    s.backend.remove_device("sim-in")
    for name in list(s.config.device.fallback_devices):
        s.backend.remove_device(name)
    s.run_for(run_s)
    records = s.coordinator.history.records("system")
    return s, events, records


@pytest.mark.parametrize("deadline_ms, attempts", [(200, 100), (10_000, 4), (10_000, 1)])
def test_time_in_recovering_respects_deadline_and_attempt_limits(deadline_ms, attempts):
    cfg = {"recovery": {"deadline_ms": deadline_ms, "max_attempts": attempts, "initial_backoff_ms": 10,
                        "backoff_factor": 2, "max_backoff_ms": 80}}
    s, events, records = _recovery_history(cfg)
    entered = [r for r in records if r.to_state == State.RECOVERING]
    left = [r for r in records if r.from_state == State.RECOVERING and r.to_state != State.RECOVERING]
    assert len(entered) == 1 and len(left) == 1 and left[0].to_state == State.FAILED
    spent = left[0].time - entered[0].time
    tries = [e for e in events if e.kind == "recovery_attempt"]
    devices = 1 + len(s.config.device.fallback_devices)
    assert len(tries) <= attempts * devices
    # the simulated open takes no time: the episode ends at the deadline at the latest, never one
    # back-off step after it
    assert spent <= deadline_ms / 1000 + 1e-9
    if deadline_ms >= 10_000:  # the attempts ran out first: every one of them was made
        assert len(tries) == attempts * devices
    else:  # the deadline came first: the run gave up at it, with every attempt due before it made
        assert spent == pytest.approx(deadline_ms / 1000, abs=1e-9)
        assert all(e.time - entered[0].time <= deadline_ms / 1000 for e in tries)
    s.close()
    assert s.resources.leak_report() == []


@pytest.mark.parametrize("initial_backoff_ms, attempts_made", [(500, 1), (150, 2), (200, 2)])
def test_a_recovery_gives_up_at_its_deadline_when_the_next_back_off_would_wait_past_it(
        initial_backoff_ms, attempts_made):
    """Deadline 200 ms, the second attempt due 500 ms (or 150 ms, or exactly 200 ms) after the
    first: an attempt due after the deadline is never made, and the recovery is FAILED at the
    deadline itself, 200 ms after it entered RECOVERING (an attempt due at the deadline is made,
    and its failure ends the run there too). The policy's own deadline is what the system keeps:
    ``RecoveryPolicy.deadline_s``."""
    cfg = {"recovery": {"deadline_ms": 200, "max_attempts": 3, "initial_backoff_ms": initial_backoff_ms,
                        "backoff_factor": 4, "max_backoff_ms": 10_000},
           "device": {"fallback_devices": []}}
    s, events, records = _recovery_history(cfg)
    entered = next(r.time for r in records if r.to_state == State.RECOVERING)
    left = [r for r in records if r.from_state == State.RECOVERING and r.to_state != State.RECOVERING]
    assert [r.to_state for r in left] == [State.FAILED]
    assert RecoveryPolicy(s.config.recovery).deadline_s == 0.2
    assert left[0].time - entered == pytest.approx(0.2, abs=1e-9)
    assert len([e for e in events if e.kind == "recovery_attempt"]) == attempts_made
    failed = [e for e in events if e.kind == "recovery_failed"]
    assert [e.data["reason"] for e in failed] == ["deadline of 0.200 s passed"]
    assert s.metrics().counters["recovery_failures"] == 1
    s.close()
    assert s.resources.leak_report() == []


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(attempts=st.integers(1, 12), initial_ms=st.floats(0, 60_000), factor=st.floats(1, 10),
       cap_ms=st.floats(0, 600_000))
@example(attempts=3, initial_ms=500.0, factor=2.0, cap_ms=100.0)  # a first back-off above the cap
@example(attempts=3, initial_ms=100.0, factor=2.0, cap_ms=100.0)  # exactly at it
def test_every_backoff_is_the_exponential_capped_the_first_one_too(attempts, initial_ms, factor, cap_ms):
    """The policy's promise for every configuration: no wait before the first attempt, then the
    exponential ``initial * factor**k``, each delay capped, the first one included (a first
    back-off configured above the cap waits the cap), one delay per attempt."""
    cfg = RecoveryConfig(max_attempts=attempts, initial_backoff_ms=initial_ms, backoff_factor=factor,
                         max_backoff_ms=cap_ms)
    delays = list(RecoveryPolicy(cfg).backoff())
    assert len(delays) == attempts and delays[0] == 0.0
    assert delays[1:] == pytest.approx([min(initial_ms * factor ** k, cap_ms) / 1000
                                        for k in range(attempts - 1)], rel=1e-9, abs=1e-12)
    assert all(d <= cap_ms / 1000 for d in delays)


def test_attempt_times_follow_the_policys_backoff():
    cfg = {"recovery": {"deadline_ms": 60_000, "max_attempts": 5, "initial_backoff_ms": 20,
                        "backoff_factor": 3, "max_backoff_ms": 200},
           "device": {"fallback_devices": []}}
    s, events, records = _recovery_history(cfg, run_s=5.0)
    start = next(r.time for r in records if r.to_state == State.RECOVERING)
    times = [start] + [e.time for e in events if e.kind == "recovery_attempt"]
    gaps = [b - a for a, b in zip(times, times[1:])]
    expected = list(RecoveryPolicy(s.config.recovery).backoff())
    assert expected == pytest.approx([0.0, 0.02, 0.06, 0.18, 0.2])
    period = s.config.watchdog.supervisor_interval_ms / 1000
    assert len(gaps) == len(expected)
    for got, want in zip(gaps, expected):
        assert want <= got + 1e-9 <= want + period + 1e-6, (gaps, expected)
    s.close()


def test_a_callback_error_alone_counts_as_none_in_a_row():
    """Without a count the policy assumes no earlier callback error: a threshold of one is not met."""
    policy = RecoveryPolicy(RecoveryConfig(), callback_error_threshold=1)
    assert policy.decide(_make(CallbackError)) == I
    assert policy.decide(_make(CallbackError), consecutive_callback_errors=1) == R


# -- the routing table end to end: from the reporting call to the system's state ------------------
#: what each action leaves a running (or paused) system in, right after the report
_AFTER = {I: "unchanged", D: "degraded", R: State.RECOVERING, F: State.FAILED}


def _reported(start: State, extra: dict, err: AudioSystemError, severity: Severity | None) -> AudioSystem:
    """A system in ``start`` that has just been told of ``err`` through ``handle_error``, as every
    reporter of the system tells it (the supervisor, a backend's queue, a test)."""
    s = _running({"recovery": {"degrade_on_exhaustion": extra.get("degrade", True)}})
    if start == State.PAUSED:
        s.pause()
    s.pipeline.consecutive_errors = extra.get("consecutive", 0)
    s.coordinator.handle_error("device", err, severity=severity)
    return s


def _assert_after(s: AudioSystem, start: State, expected: RecoveryAction, err: AudioSystemError) -> None:
    if expected in (I, D):
        assert (s.state, s.recovering, s.degraded) == (start, False, expected == D)
        assert s.stream is not None and s.stream.active
    elif expected == R:
        assert s.state == State.RECOVERING and s.recovering
    else:
        assert s.state == State.FAILED and not s.recovering
        last = s.coordinator.history.records(SYSTEM_NAME)[-1]
        assert (last.from_state, last.to_state, last.cause) == \
            (start, State.FAILED, f"unrecoverable {type(err).__name__}")
        assert s.stream is None and s.pipeline is None and s.resources.live() == []
    s.close()
    assert s.resources.leak_report() == []


SYSTEM_NAME = "system"
END_TO_END = [pytest.param(start, cls, sev, extra, actions[i], id=f"{start.value}-{name}-{sev.name}")
              for start in (State.RUNNING, State.PAUSED)
              for name, cls, extra, actions in TABLE for i, sev in enumerate(SEVERITIES)]


@pytest.mark.parametrize("start, cls, severity, extra, expected", END_TO_END)
def test_every_routing_cell_from_the_reporting_call_to_the_state(start, cls, severity, extra, expected):
    """``handle_error`` -> the coordinator's record -> ``_route_error`` -> the policy -> the state,
    for every error class at every severity (the error's own, and raised or lowered on the
    record). Whether the policy is asked never depends on the class: a non-recoverable error
    (a format the device refuses, a missing backend) FAILs the system instead of being dropped."""
    own = _reported(start, extra, _make(cls, severity), None)
    _assert_after(own, start, expected, _make(cls))
    on_record = _reported(start, extra, _make(cls), severity)
    _assert_after(on_record, start, expected, _make(cls))


@pytest.mark.parametrize("name, cls, extra, actions", [pytest.param(*row, id=row[0]) for row in TABLE])
def test_every_routing_cell_at_the_classes_own_severity(name, cls, extra, actions):
    """No severity given anywhere: the class's default severity picks the cell."""
    err = _make(cls)
    expected = actions[SEVERITIES.index(err.severity)]
    _assert_after(_reported(State.RUNNING, extra, err, None), State.RUNNING, expected, err)


def test_an_error_its_reporter_handled_is_not_routed_again():
    """``requires_recovery=False`` keeps its meaning for every class: the reporter has acted
    (a failed start, a pipeline going away, a recovery that ended FAILED), so nothing moves."""
    for _, cls, _, _ in TABLE:
        s = _running()
        s.coordinator.handle_error("device", _make(cls, Severity.FATAL), requires_recovery=False)
        assert (s.state, s.recovering, s.degraded) == (State.RUNNING, False, False), cls
        s.close()


def test_a_device_reporting_a_non_recoverable_error_mid_stream_ends_failed_and_releases_it():
    """A simulated device reports, from its own stream, an error recovery cannot fix (the device
    now refuses the stream's format) in the middle of a run: the supervisor routes it, the policy
    says FAIL, and the system ends FAILED with that cause, its stream closed and every resource
    given back; no recovery is tried and no block is played after it."""
    s = _running()
    events: list = []
    s.add_event_listener(events.append)
    stream = s.stream
    report_at = s.clock.now() + 0.05
    s.clock.call_later(0.05, lambda: stream._on_error(DeviceFormatError(
        "'sim-out' now refuses 2 channels at 48000 Hz", component="device")))
    s.run_for(0.5)
    assert {n: s.coordinator.state(n) for n in (SYSTEM_NAME, "dsp", "input", "output", "device")} == \
        dict.fromkeys((SYSTEM_NAME, "dsp", "input", "output", "device"), State.FAILED)
    failed = s.coordinator.history.records(SYSTEM_NAME)[-1]
    assert (failed.from_state, failed.to_state, failed.cause) == \
        (State.RUNNING, State.FAILED, "unrecoverable DeviceFormatError")
    assert failed.time == pytest.approx(report_at)
    (record,) = s.coordinator.errors()
    assert (record.component, record.error.type, record.requires_recovery) == \
        ("device", "DeviceFormatError", True)
    assert stream.closed and not stream.active
    assert s.stream is None and s.pipeline is None and s.resources.live() == []
    assert s.recovering is False and "recovery_started" not in [e.kind for e in events]
    played = s.metrics().counters["frames_played"]
    s.run_for(0.5)
    assert s.state == State.FAILED and s.metrics().counters["frames_played"] == played
    s.close()
    assert s.state == State.CLOSED and s.resources.leak_report() == []


def test_recover_after_a_failure_inside_a_recovery_records_every_component_entering_recovery():
    """A device loss sends every component into RECOVERING; a failure of ``input`` inside that
    recovery fails it, its dependent and the system, and leaves ``dsp`` and ``output`` in
    RECOVERING. The owner's ``recover()`` then enters recovery afresh for all of them: each
    component's history shows its ``recover()`` step (the two still recovering re-enter it) before
    ``recovered``, so a reader of the history sees which recovery brought each one back."""
    s = _running()
    s.backend.remove_device("sim-in")
    s.run_for(0.05)
    assert s.state == State.RECOVERING
    with pytest.raises(SimulatedError):
        s.simulate_error("input")
    assert s.state == State.FAILED
    assert [s.coordinator.state(c) for c in ("dsp", "output")] == [State.RECOVERING] * 2
    s.backend.restore_device("sim-in")
    seq = s.coordinator.history.last_seq
    assert s.recover() is True
    after = [r for r in s.coordinator.history.records() if r.seq > seq]
    for name in ("system", *s.components):
        steps = [(r.to_state, r.cause) for r in after if r.component == name]
        assert steps == [(State.RECOVERING, "recover()"), (State.RUNNING, "recovered")], name
    s.close()
    assert s.resources.leak_report() == []
