"""The system keeps compact error records: no exception, no traceback, no frame, so no pipeline,
stream or buffer stays alive because an error once mentioned it.

Why it matters: the coordinator keeps the newest 10 000 error records. When a record held the
exception, its traceback held the audio callback's frame and that frame's ``self``: every pipeline
that ever raised stayed alive until the log turned over, and a healthy soak's memory climbed for
hours (issue 11, item 1).
"""

from __future__ import annotations

import gc
import types
import weakref

import numpy as np
import pytest

from system_under_test import AudioSystem, State
from system_under_test.devices.base import DeviceStream
from system_under_test.errors import (
    CallbackError,
    DeviceLostError,
    ErrorInfo,
    Severity,
    SimulatedError,
    short_traceback,
)
from system_under_test.pipeline import Pipeline
from system_under_test.recovery import RecoveryAction, RecoveryPolicy

#: what an error record must never reach
_FORBIDDEN = (BaseException, types.TracebackType, types.FrameType, Pipeline, DeviceStream, np.ndarray)


def _reachable_forbidden(root: object, *, limit: int = 5_000) -> list[str]:
    """Everything of a forbidden type reachable from ``root`` (classes and modules not followed:
    a record may name the exception's class, and a class reaches its module)."""
    seen: set[int] = set()
    stack = [root]
    found: list[str] = []
    while stack and len(seen) < limit:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, (type, types.ModuleType, types.FunctionType)):
            continue
        seen.add(id(obj))
        if isinstance(obj, _FORBIDDEN):
            found.append(type(obj).__name__)
            continue
        stack.extend(gc.get_referents(obj))
    return found


@pytest.fixture
def system():
    s = AudioSystem({"device": {"fallback_devices": ["sim-backup"]}}, seed=11)
    s.initialize()
    yield s
    s.close()


def _churn(system: AudioSystem, rounds: int = 6) -> list[weakref.ref[Pipeline]]:
    """Callback errors that restart the stream, device losses and a simulated error: every kind of
    error the system records, each on a pipeline that is then torn down. Returns weak references
    to every pipeline built."""
    pipelines: list[weakref.ref[Pipeline]] = []

    def note() -> None:
        p = system.pipeline
        if p is not None and not any(r() is p for r in pipelines):
            pipelines.append(weakref.ref(p))

    system.start()
    system.run_for(0.1)
    for i in range(rounds):
        note()
        system.backend.corrupt_next_callbacks("sim-in", 5)  # 3 in a row restart the stream
        system.run_for(0.5)
        note()
        system.backend.remove_device("sim-in")
        system.run_for(0.3)
        system.backend.restore_device("sim-in")
        system.run_for(1.0)
        note()
        if system.state != State.RUNNING:
            system.recover()
            note()
    with pytest.raises(SimulatedError):
        system.simulate_error("dsp")
    system.recover()
    note()
    system.run_for(0.2)
    return pipelines


def test_error_records_hold_no_exception_traceback_frame_or_pipeline(system):
    _churn(system)
    records = system.coordinator.errors()
    kinds = {r.error.type for r in records}
    assert {"CallbackError", "DeviceLostError", "SimulatedError"} <= kinds, kinds
    for record in records:
        assert isinstance(record.error, ErrorInfo), type(record.error)
        assert _reachable_forbidden(record) == [], (record.error.type, _reachable_forbidden(record))


def test_torn_down_pipelines_are_freed_whatever_errors_they_raised(system):
    pipelines = _churn(system)
    assert len(pipelines) >= 6  # the churn did rebuild the pipeline again and again
    gc.collect()
    alive = [r() for r in pipelines if r() is not None]
    assert alive == [system.pipeline], f"{len(alive)} pipelines still alive, {len(pipelines)} built"


def test_a_callback_error_keeps_a_short_traceback_text_naming_where_it_was_raised(system):
    system.start()
    system.run_for(0.1)
    system.backend.corrupt_next_callbacks("sim-in", 1)
    system.run_for(0.1)
    (record,) = [r for r in system.coordinator.errors() if r.error.type == "CallbackError"]
    info = record.error
    assert info.is_a(CallbackError) and not info.is_a(DeviceLostError)
    assert "in callback" in info.traceback and "pipeline.py" in info.traceback
    assert info.describe().keys() == CallbackError("x").describe().keys()  # reports read the same shape
    assert record.to_dict()["traceback"] == info.traceback


def test_device_errors_are_queued_compact_and_the_exception_frees_what_its_frames_held(system):
    system.start()
    system.run_for(0.1)

    class Held:
        pass

    def backend_failure(held: Held) -> None:
        try:
            raise OSError("host API gone")
        except OSError as exc:
            raise DeviceLostError("device vanished", component="device",
                                  details={"held": held}) from exc

    held = Held()
    ref = weakref.ref(held)
    try:
        backend_failure(held)
    except DeviceLostError as exc:
        system._on_device_error(exc)  # the sink every backend calls, from any thread
    del held
    gc.collect()
    assert ref() is None, "the queued error keeps the failing frame's locals alive"
    system.poll()
    (record,) = [r for r in system.coordinator.errors() if r.error.message == "device vanished"]
    assert "caused by OSError: host API gone" in record.error.traceback
    assert record.error.details["held"].startswith("<")  # a repr, not the object
    # Routed by class: a restart. The first attempt is scheduled on the virtual clock, which has
    # not moved since poll(): the system is in RECOVERING with the dead stream torn down.
    assert system.state == State.RECOVERING
    assert system.recovering and system.stream is None
    system.run_for(0.1)  # the attempt at back-off 0 reopens on the primary device
    assert system.state == State.RUNNING
    assert system.metrics().counters["recoveries"] == 1


def test_recovery_policy_routes_a_compact_record_like_the_exception():
    from system_under_test.config import RecoveryConfig

    policy = RecoveryPolicy(RecoveryConfig())
    for exc in (DeviceLostError("x"), CallbackError("x"), SimulatedError("x")):
        for n in (0, 5):
            assert policy.decide(ErrorInfo.of(exc), consecutive_callback_errors=n) == \
                policy.decide(exc, consecutive_callback_errors=n)
    assert policy.decide(ErrorInfo.of(DeviceLostError("x"))) == RecoveryAction.RESTART


def test_foreign_exceptions_and_long_text_are_kept_short():
    try:
        raise ValueError("x" * 10_000)
    except ValueError as exc:
        info = ErrorInfo.of(exc, component="dsp")
    assert info.type == "ValueError" and info.component == "dsp" and info.severity == Severity.ERROR
    assert len(info.message) < 2_100 and not info.recoverable
    assert "test_error_records.py" in info.traceback
    assert short_traceback(ValueError("never raised")) == ""
