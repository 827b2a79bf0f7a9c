"""Parts for adapting an application to ``harness.sut_protocol.SystemUnderTest`` with little code.

An application written without soundcheck in mind (a class with ``start``/``stop``, an audio
callback, a queue) has none of the bookkeeping the harness reads: a lifecycle ledger, the standard
metrics, a resource ledger, observers. ``LifecycleAdapter`` has all of it, and runs the ten
lifecycle operations with the harness's semantics (the lifecycle model the ``linearizable``
invariant checks), calling a few hooks that the adapter of one application fills in:

==================  ==========================================================================
``_app_start``      start the application's audio with this configuration
``_app_stop``       stop it (and let go of its stream); also used when the system fails
``_app_restart``    bring its audio back (a reconfiguration, ``recover()``)
``_app_broken``     why its audio is down right now (its stream died), or None
``_app_tick``       the body of the application's own main loop (where it notices a dead
                    stream and restarts it), run by the supervisor every ``tick_s``
``_app_accounts``   its frame counters, as ``FrameAccounts``
``_app_stream``     its current stream (``active``), or None
==================  ==========================================================================

The supervisor (a timer on the clock, as an application's main loop is) moves the lifecycle on
its own: a broken stream while RUNNING or PAUSED is RECOVERING, working audio again is
"recovered", and a recovery still broken at the configuration's ``recovery.deadline_ms`` is
FAILED then (a timer at the deadline, not the first tick after it).

``BackendStream`` is the other half: a ``sounddevice.Stream``-shaped stream over the harness's
``DeviceBackend`` (the simulated device, the JACK rig), so the application's own stream code runs
unchanged on it; it allocates a ``streams`` resource while open, so a stream the application never
closes is a leak the ``resources`` invariant reports.
"""

from __future__ import annotations

import threading
import time as _time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from system_under_test.clock import Clock, VirtualClock
from system_under_test.config import AudioConfig
from system_under_test.config_apply import apply_limits, validate_config
from system_under_test.coordinator import ComponentCoordinator
from system_under_test.devices.base import DeviceBackend, StreamSpec
from system_under_test.errors import (
    AudioSystemError,
    CallbackError,
    DeviceError,
    ErrorInfo,
    IllegalTransitionError,
    SimulatedError,
    SystemClosedError,
)
from system_under_test.lifecycle import State, recover_plan
from system_under_test.monitoring import Counter, MetricsSnapshot, MonitoringCoordinator
from system_under_test.pipeline import FrameAccounts
from system_under_test.resources import ResourceManager, ResourceType
from system_under_test.scheduler import scheduler_for

SYSTEM = "system"
_ACTIVE = (State.RUNNING, State.PAUSED, State.STARTING, State.RECONFIGURING, State.RECOVERING)


@dataclass(frozen=True)
class AdapterEvent:
    """What ``add_event_listener`` callbacks receive (the shape of ``AudioSystem``'s events)."""

    kind: str
    time: float
    data: dict[str, Any] = field(default_factory=dict)


class _LiveCounter(Counter):
    """A standard counter whose value is read from the application at every read."""

    def __init__(self, name: str, read: Callable[[], int]) -> None:
        self.name = name
        self._read = read

    @property  # type: ignore[override]
    def value(self) -> int:
        return int(self._read())

    @value.setter
    def value(self, _: int) -> None:
        raise AttributeError(f"{self.name} is the application's own count")

    def inc(self, amount: int = 1) -> None:
        raise AttributeError(f"{self.name} is the application's own count")


class CallbackFlags:
    """A callback's status as sounddevice gives it: false when no flag is set."""

    __slots__ = ("_status",)

    def __init__(self, status: Any) -> None:
        self._status = status

    def __bool__(self) -> bool:
        return bool(self._status.any())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._status, name)


class BackendStream:
    """The part of ``sounddevice.Stream`` an application uses, over a harness ``DeviceBackend``.

    ``callback(indata, outdata, frames, time, status)`` as sounddevice calls it. As in sounddevice,
    an exception escaping the callback ends the stream (it is reported as ``CallbackError``
    "callback raised ..."), and ``finished_callback()`` is called when the stream becomes inactive:
    after ``stop()``/``close()`` or when the backend reports it dead (device lost, rate changed).
    Open, it holds one ``streams`` allocation in ``resources``; ``close()`` releases it."""

    def __init__(self, backend: DeviceBackend, resources: ResourceManager, monitoring: MonitoringCoordinator,
                 errors: deque[ErrorInfo], *, samplerate: int, blocksize: int, device: tuple[str, str],
                 channels: tuple[int, int], latency: float | None, callback: Callable[..., None],
                 finished_callback: Callable[[], None] | None = None, dtype: str = "float32") -> None:
        if dtype != "float32":
            raise ValueError(f"BackendStream streams float32 blocks, not {dtype}")
        self._callback = callback
        self._finished = finished_callback
        self._errors = errors
        self._resources = resources
        self._hist = monitoring.histogram("callback_duration_s")
        self._alloc = resources.allocate("stream", ResourceType.STREAMS, 1, "application stream")
        self._dead = False
        self._closed = False
        spec = StreamSpec(device[0], device[1], channels[0], channels[1], samplerate, blocksize, latency)
        try:
            self._stream = backend.open_stream(spec, self._on_block, self._on_error)
        except BaseException:
            resources.release(self._alloc)
            raise
        self.samplerate, self.blocksize, self.device, self.channels = samplerate, blocksize, device, channels

    @property
    def active(self) -> bool:
        return not self._dead and not self._closed and self._stream.active

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def stats(self) -> Any:
        return self._stream.stats

    def start(self) -> None:
        self._stream.start()

    def stop(self) -> None:
        was = self.active
        self._stream.stop()
        if was and self._finished is not None:
            self._finished()

    def close(self) -> None:
        if self._closed:
            return
        was = self.active
        self._stream.close()
        self._closed = True
        self._resources.release(self._alloc)
        if was and self._finished is not None:
            self._finished()

    def _on_block(self, indata: Any, outdata: Any, frames: int, time: float, status: Any) -> None:
        if self._dead:
            outdata.fill(0)
            return
        t0 = _time.perf_counter()
        try:
            self._callback(indata, outdata, frames, time, CallbackFlags(status))
        except Exception as exc:  # sounddevice: the stream is aborted, the error printed
            outdata.fill(0)
            self._die(CallbackError(f"callback raised {exc!r}", component="stream"))
        finally:
            self._hist.observe(_time.perf_counter() - t0)

    def _on_error(self, error: AudioSystemError) -> None:
        self._die(error)

    def _die(self, error: AudioSystemError) -> None:
        self._errors.append(ErrorInfo.of(error, component="stream"))
        if self._dead or self._closed:
            return
        self._dead = True
        if self._finished is not None:
            self._finished()


class LifecycleAdapter:
    """Base of an adapter: the ``SystemUnderTest`` bookkeeping, the lifecycle, the supervisor."""

    #: the supervisor's period: how often the application's main loop runs (seconds of clock time)
    tick_s = 0.05

    def __init__(self, config: AudioConfig | Mapping[str, Any] | None, *, backend: DeviceBackend,
                 clock: Clock, seed: int) -> None:
        self.clock = clock
        self.backend = backend
        self.seed = seed
        self.coordinator = ComponentCoordinator(clock)
        self.coordinator.register(SYSTEM)
        self.monitoring = MonitoringCoordinator()
        self.resources = ResourceManager(clock)
        self.resources.register("stream")
        self.config: AudioConfig | None = None
        self._pending_config = config
        self._op_lock = threading.RLock()
        self._events: list[Callable[[AdapterEvent], None]] = []
        #: errors the application's streams reported (any thread), drained by the supervisor
        self.stream_errors: deque[ErrorInfo] = deque(maxlen=1024)
        self._scheduler: Any = None
        self._timer: Any = None
        self._recovery: tuple[float, State] | None = None  # (started, target) of an automatic recovery
        self._reported_callback_errors = 0

    # -- hooks (an adapter fills these in) ---------------------------------------------------
    def _app_start(self, config: AudioConfig) -> None:
        raise NotImplementedError

    def _app_stop(self) -> None:
        raise NotImplementedError

    def _app_restart(self, config: AudioConfig) -> None:
        self._app_stop()
        self._app_start(config)

    def _app_broken(self) -> str | None:
        return None

    def _app_tick(self) -> None:
        """The application's own main-loop body (default: nothing)."""

    def _app_accounts(self) -> FrameAccounts:
        return FrameAccounts(0, 0, 0, 0, 0)

    def _app_stream(self) -> Any:
        return None

    def _app_callback_errors(self) -> int:
        """How many errors the application's callback caught and counted so far (reported as
        ``CallbackError`` events and counted by the supervisor, never between two of its passes)."""
        return 0

    def live_counters(self, sources: Mapping[str, Callable[[], int]]) -> None:
        """Make the standard counters named in ``sources`` read the application's own counts at
        every read (``frames_captured``, ``callbacks``, ``xruns`` ...): the audio check and the
        ``OnCall`` trigger read them per block. ``callback_errors`` is the supervisor's."""
        for name, read in sources.items():
            if name == "callback_errors":
                raise ValueError("callback_errors is counted by the supervisor as it reports them")
            self.monitoring.counters[name] = _LiveCounter(name, read)

    # -- observation -------------------------------------------------------------------------
    @property
    def state(self) -> State:
        return self.coordinator.state(SYSTEM)

    @property
    def pipeline(self) -> Any:
        return None  # no soundcheck pipeline: the buffer-exhaustion and slow-DSP faults act on nothing

    @property
    def stream(self) -> Any:
        return self._app_stream()

    def add_observer(self, observer: Callable[[Any], None]) -> None:
        self.coordinator.add_observer(observer)

    def add_event_listener(self, listener: Callable[[AdapterEvent], None]) -> None:
        self._events.append(listener)

    def remove_event_listener(self, listener: Callable[[AdapterEvent], None]) -> None:
        if listener in self._events:
            self._events.remove(listener)

    def _emit(self, kind: str, **data: Any) -> None:
        event = AdapterEvent(kind, self.clock.now(), data)
        for listener in list(self._events):
            listener(event)

    def metrics(self) -> MetricsSnapshot:
        return self.monitoring.snapshot(self.clock.now())

    def frame_accounts(self) -> FrameAccounts:
        return self._app_accounts()

    def health(self) -> dict[str, Any]:
        state = self.state
        broken = self._app_broken() if state in (State.RUNNING, State.PAUSED) else None
        stream = self._app_stream()
        if state in (State.RUNNING, State.PAUSED) and broken is None and (stream is None or not stream.active):
            broken = "no active stream"
        component = {"component": "stream", "healthy": broken is None, "detail": broken or str(state)}
        healthy = broken is None and state not in (State.FAILED, State.RECOVERING, State.RECONFIGURING)
        return {"healthy": healthy, "state": state.value, "degraded": False,
                "recovering": state == State.RECOVERING, "components": {"stream": component}}

    def is_healthy(self) -> bool:
        return bool(self.health()["healthy"])

    def run_for(self, seconds: float) -> None:
        self.clock.sleep(seconds)

    # -- lifecycle -----------------------------------------------------------------------------
    def _move(self, target: State, cause: str, expect: tuple[State, ...] | None = None) -> None:
        self.coordinator.transition(SYSTEM, target, cause, expect=expect)

    def _check_open(self) -> None:
        if self.state == State.CLOSED:
            raise SystemClosedError("the system is closed", component=SYSTEM)

    def _validate(self, config: AudioConfig | Mapping[str, Any]) -> AudioConfig:
        return validate_config(config, self.backend, self._emit)

    def _apply_limits(self, config: AudioConfig) -> None:
        apply_limits(self.resources, config)

    def initialize(self) -> None:
        with self._op_lock:
            self._check_open()
            self._move(State.INITIALIZED, "initialize", expect=(State.UNINITIALIZED,))
            self._scheduler = scheduler_for(self.clock)
            if self._pending_config is not None:
                pending, self._pending_config = self._pending_config, None
                self.configure(pending)

    def configure(self, config: AudioConfig | Mapping[str, Any]) -> AudioConfig:
        with self._op_lock:
            self._check_open()
            if self.state in (State.RUNNING, State.PAUSED):
                return self.reconfigure(config)
            validated = self._validate(config)
            if self.state not in (State.INITIALIZED, State.STOPPED, State.CONFIGURED):
                raise IllegalTransitionError(SYSTEM, self.state, State.CONFIGURED,
                                             reason="configure needs initialized, configured or stopped")
            self._apply_limits(validated)
            self.config = validated
            if self.state != State.CONFIGURED:
                self._move(State.CONFIGURED, "configure")
            self._emit("config_applied", config=validated.to_dict())
            return validated

    def reconfigure(self, config: AudioConfig | Mapping[str, Any]) -> AudioConfig:
        with self._op_lock:
            self._check_open()
            if self.state not in (State.RUNNING, State.PAUSED):
                return self.configure(config)
            validated = self._validate(config)
            before = self.state
            self._move(State.RECONFIGURING, "reconfigure")
            try:
                self._apply_limits(validated)
                self._app_restart(validated)
            except Exception as exc:  # noqa: BLE001 - the application's own failure: the system failed
                self._fail(f"reconfigure failed: {type(exc).__name__}")
                raise DeviceError(f"reconfigure failed: {exc}", component=SYSTEM) from None
            self.config = validated
            self._move(before, "reconfigure")
            self._emit("config_applied", config=validated.to_dict())
            return validated

    def start(self) -> None:
        with self._op_lock:
            self._check_open()
            if self.config is None:
                raise IllegalTransitionError(SYSTEM, self.state, State.STARTING, reason="not configured")
            self._move(State.STARTING, "start", expect=(State.CONFIGURED, State.STOPPED))
            try:
                self._app_start(self.config)
            except Exception as exc:  # noqa: BLE001
                self._fail(f"start failed: {type(exc).__name__}")
                raise DeviceError(f"start failed: {exc}", component=SYSTEM) from None
            self._move(State.RUNNING, "start")
            self._schedule()

    def pause(self) -> None:
        with self._op_lock:
            self._check_open()
            self._move(State.PAUSED, "pause", expect=(State.RUNNING,))

    def resume(self) -> None:
        with self._op_lock:
            self._check_open()
            self._move(State.RUNNING, "resume", expect=(State.PAUSED,))

    def stop(self) -> None:
        with self._op_lock:
            self._check_open()
            self._move(State.STOPPING, "stop", expect=(State.RUNNING, State.PAUSED, State.RECOVERING,
                                                       State.FAILED, State.STARTING))
            self._recovery = None
            self._app_stop()
            self._move(State.STOPPED, "stop")

    def close(self) -> None:
        with self._op_lock:
            if self.state == State.CLOSED:
                return
            if self.state == State.RECONFIGURING:
                self._move(State.FAILED, "close during reconfigure")
            if self.state in _ACTIVE or self.state == State.FAILED:
                self.stop()
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._move(State.CLOSED, "close")
            scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            scheduler.close()

    def recover(self) -> bool:
        with self._op_lock:
            self._check_open()
            state = self.state
            target = recover_plan(state, configured=self.config is not None, healthy=self.is_healthy,
                                  pending=self._recovery[1] if self._recovery is not None else None)
            if isinstance(target, bool):
                return target
            self._recovery = None
            if state != State.RECOVERING:
                self._move(State.RECOVERING, "recover()")
            try:
                self._app_restart(self.config)
            except Exception as exc:  # noqa: BLE001
                self._fail(f"recover() failed: {type(exc).__name__}")
                return False
            self._recovered(target, "recover()")
            return self.is_healthy()

    def simulate_error(self, component: str = "dsp") -> None:
        with self._op_lock:
            self._check_open()
            err = SimulatedError(f"simulated failure in {component}", component=component)
            if self.state in _ACTIVE:
                self._recovery = None
                self._fail("simulate_error")
            self._emit("error", error=err.describe(), severity="ERROR", component=component)
            raise err

    def _fail(self, cause: str) -> None:
        try:
            self._app_stop()
        finally:
            self._move(State.FAILED, cause)

    def _recovered(self, target: State, cause: str) -> None:
        self._move(target, "recovered")
        self.monitoring.counter("recoveries").inc()
        self._emit("recovery_succeeded", target=target.value, cause=cause)
        self._schedule()

    # -- the supervisor (the application's main loop, on the clock) ------------------------------
    def _schedule(self) -> None:
        if self._scheduler is not None and self._timer is None:
            self._timer = self._scheduler.call_later(self.tick_s, self._tick)

    def _tick(self) -> None:
        self._timer = None
        with self._op_lock:
            state = self.state
            if state == State.CLOSED:
                return
            self._report_errors()
            if state in (State.RUNNING, State.PAUSED, State.RECOVERING):
                self._app_tick()
                self._follow(state)
            self._schedule()

    def _report_errors(self) -> None:
        """Stream errors the application's streams reported go to the event listeners, from here
        (never from the audio thread); callback errors the application counted, too."""
        while self.stream_errors:
            err = self.stream_errors.popleft()
            self.monitoring.counter("errors").inc()
            self._emit("error", error=err.describe(), severity=err.severity.name, component="stream")
        counted = int(self._app_callback_errors())
        for _ in range(max(0, counted - self._reported_callback_errors)):
            self.monitoring.counter("callback_errors").inc()
            self._emit("error", error={"type": "CallbackError", "message": "the application's callback "
                                       "caught an error"}, severity="WARNING", component="stream")
        self._reported_callback_errors = max(counted, self._reported_callback_errors)

    def _follow(self, state: State) -> None:
        """Move the lifecycle after what the application's main loop did."""
        broken = self._app_broken()
        if state in (State.RUNNING, State.PAUSED) and broken is not None:
            recovery = (self.clock.now(), state)
            self._recovery = recovery
            self._move(State.RECOVERING, broken)
            self._emit("recovery_started", cause=broken, target=state.value)
            self._watch_deadline(recovery)
        elif state == State.RECOVERING and self._recovery is not None:
            started, target = self._recovery
            if broken is None:
                self._recovery = None
                self._recovered(target, "the application restarted its stream")
            elif self.config is not None and self.clock.now() - started > self.config.recovery.deadline_ms / 1000:
                self._recovery = None
                self._fail(f"recovery failed: deadline of {self.config.recovery.deadline_ms / 1000:.3f} s passed")
                self._emit("recovery_failed", reason="deadline passed")

    def _watch_deadline(self, recovery: tuple[float, State]) -> None:
        """A timer at the deadline of ``recovery``: the main loop runs only every ``tick_s``, and
        a recovery judged there alone would stay RECOVERING up to a tick past its deadline, which
        the ``recovery`` invariant holds to the deadline itself."""
        if self._scheduler is None or self.config is None:
            return
        deadline = self.config.recovery.deadline_ms / 1000
        self._scheduler.call_later(deadline, lambda: self._at_deadline(recovery))

    def _at_deadline(self, recovery: tuple[float, State]) -> None:
        """The deadline of ``recovery`` came: recovered if the application's stream works again
        (the main loop had not looked yet), else FAILED now; nothing if it already ended."""
        with self._op_lock:
            if self._recovery is not recovery or self.state != State.RECOVERING:
                return
            self._recovery = None
            if self._app_broken() is None:
                self._recovered(recovery[1], "the application restarted its stream")
                return
            assert self.config is not None
            self._fail(f"recovery failed: deadline of {self.config.recovery.deadline_ms / 1000:.3f} s passed")
            self._emit("recovery_failed", reason="deadline passed")


def is_virtual(clock: Clock) -> bool:
    return isinstance(clock, VirtualClock)


__all__ = ["AdapterEvent", "BackendStream", "LifecycleAdapter", "SYSTEM"]
