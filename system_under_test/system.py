"""``AudioSystem``: the facade that wires coordinator, resources, config, monitoring, recovery,
the device backend and the audio pipeline into one system with a small public surface.

Concurrency model, in one paragraph: every public operation runs under one re-entrant operation lock
and changes state only through the coordinator (which validates each transition under its own lock).
The audio callback takes neither. Device backends report trouble through ``_on_device_error``, which
only enqueues; the supervisor (a timer on the virtual clock, or one thread on the real clock) drains
that queue, runs the watchdog, and drives recovery. So no thread ever waits on a lock while holding a
stream's callback, which is the deadlock that bites audio systems whose control and audio paths share
locks.
"""

from __future__ import annotations

import itertools
import logging
import math
import threading
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .clock import Clock, SystemClock, TimerHandle, VirtualClock
from .config import AudioConfig
from .config_apply import apply_limits, validate_config
from .coordinator import ComponentCoordinator, ErrorRecord, HealthStatus
from .devices.base import DeviceBackend, DeviceStream, StreamSpec
from .errors import (
    AudioSystemError,
    BufferPoolExhaustedError,
    DeviceError,
    DeviceStalledError,
    ErrorInfo,
    IllegalTransitionError,
    SimulatedError,
    SystemClosedError,
)
from .held import BoundedFill
from .lifecycle import TRANSITIONS, State, TransitionRecord
from .monitoring import MetricsSnapshot, MonitoringCoordinator
from .pipeline import FrameAccounts, Pipeline
from .recoverer import Recoverer, RecoveryRun
from .recovery import RecoveryAction, RecoveryPolicy
from .resources import ResourceManager, ResourceType
from .scheduler import Scheduler, scheduler_for

log = logging.getLogger(__name__)

SYSTEM = "system"
#: Pipeline components, registered so that each depends on what must run before it.
COMPONENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("dsp", ()),
    ("input", ("dsp",)),
    ("output", ("dsp",)),
    ("device", ("input", "output")),
)
PIPELINE = tuple(name for name, _ in COMPONENTS)
#: read on every supervisor pass: a module constant is one dict lookup, ``State.X`` an enum
#: metaclass ``__getattr__`` call on Python 3.11
_RUNNING, _CLOSED = State.RUNNING, State.CLOSED


@dataclass(frozen=True)
class SystemEvent:
    """Something that happened that is not a transition: config applied/rejected, errors, recovery."""

    kind: str
    time: float
    data: dict[str, Any] = field(default_factory=dict)


EventListener = Callable[[SystemEvent], None]


class _Part:
    """A pipeline component as the coordinator sees it: its health comes from the live pipeline."""

    def __init__(self, system: "AudioSystem", name: str) -> None:
        self.system = system
        self.name = name

    def check_health(self) -> HealthStatus:
        return self.system._component_health(self.name)


#: the share of a silence the device must have called back in (its callbacks a period apart) for
#: the watchdog to take it as served: its blocks were waiting in the stream for the system to take
#: them. Half, so that a device that went silent part-way (a server stopped, then killed) is a stall
SERVED_SHARE = 0.5
#: the share of a silence the thread that takes the blocks (the stream's delivery thread, where the
#: system's callback runs) must have spent runnable but waiting for a CPU, for the silence to be
#: the machine holding that thread, not the device stopping: measured on the JACK rig at load
#: average 20-25 (four busy loops, 2 cores), a "no callback for 0.364 s" stall over which the device
#: called back 52 times (277 ms of 5.33 ms periods) and the delivery thread waited 308 ms for a CPU
#: and ran 0.5 ms; the recovery it caused reopened a stream that was never lost
HELD_SHARE = 0.5
#: the held silences ``AudioSystem.held_silences`` keeps (one a hold: a machine that holds the
#: delivery thread this often in one run has told its story many times over)
HELD_KEPT = 1000


def held_by_the_machine(evidence: dict[str, Any], silent_s: float) -> bool:
    """Whether a silence of ``silent_s`` with the watchdog's ``evidence`` (``_stall_evidence``) was
    the loaded machine keeping the system's delivery thread off a CPU while the device went on
    calling back: no stall of the stream (a restart cannot give a thread a CPU, and reopens a device
    that works). Both must be measured: a device that called back in at least ``SERVED_SHARE`` of
    the silence's periods, and a thread that waited for a CPU through at least ``HELD_SHARE`` of it
    (the waits it measured, and the one it is in now: ``waiting_now``). A callback that ran
    (computed, or held a lock: it is not waiting for a CPU then), a device that stopped calling
    back (its server stopped or gone), or nothing measured (a virtual clock, a stream that counts
    nothing) is not: the watchdog reports those stalls as before."""
    calls, period = evidence.get("device_callbacks"), evidence.get("period_s")
    wait = evidence.get("callback_cpu_wait_s")
    if calls is None or period is None or wait is None or silent_s <= 0:
        return False
    return calls * period >= SERVED_SHARE * silent_s \
        and wait + waiting_now(evidence, silent_s) >= HELD_SHARE * silent_s


def waiting_now(evidence: dict[str, Any], silent_s: float) -> float:
    """The part of a silence the delivery thread is waiting for a CPU in right now, which its
    measured wait (``callback_cpu_wait_s``) does not hold yet: the kernel adds a wait to it only
    when the thread gets a CPU, so a thread held off one since the silence began reads 0.0
    (measured on the rig: a delivery thread held 1 s under ``SCHED_IDLE`` beside busy loops).

    ``delivery_waiting_s`` is how long the thread has been runnable since it last went to wait
    for a tick. It woke at the first device callback after that, so the wait is at least that
    less the silence's time without a callback (``silent_s`` less the device's callbacks'
    periods) and one period.

    A callback under way is the system's when its thread computes in it or is blocked in it:
    0.0 then. Computing shows as time on a CPU (``callback_cpu_s``, since the last block: a
    period of it or more), blocked as a thread that is not runnable (``delivery_waiting_s``
    0.0). A thread runnable now that has run less than a period since its last block is neither:
    the machine handed it a slice too short to finish a block and took the CPU back (measured on
    the rig at load 15 from other work, a thread held under ``SCHED_IDLE``: "no callback for 0.452 s" with
    a callback under way for 0.314 s, 0.4 ms of CPU, 67 device callbacks and 0.225 s of measured
    wait, just under the share, reported as a stall and recovered). Its time on a CPU is taken
    off the wait then. 0.0 where nothing is measured."""
    runnable = evidence.get("delivery_waiting_s")
    calls, period = evidence.get("device_callbacks"), evidence.get("period_s")
    if not runnable or calls is None or period is None:
        return 0.0
    ran = 0.0
    if evidence.get("callback_running_s"):
        ran = evidence.get("callback_cpu_s")
        if ran is None or ran >= period:
            return 0.0
    unserved = max(0.0, silent_s - calls * period)
    return max(0.0, min(runnable, silent_s) - unserved - period - ran)


def _stream_devices(stream: Any) -> dict[str, str]:
    """The devices ``stream`` was opened on, for a stall's details: the watchdog sees only that the
    duplex stream went silent, not which side stopped, so it names both (``device``: the one name
    of a duplex device, else ``input/output``); nothing for a stream that has no ``spec``."""
    spec = getattr(stream, "spec", None)
    inp, out = getattr(spec, "input_device", None), getattr(spec, "output_device", None)
    if not inp and not out:
        return {}
    name = str(inp or out) if inp == out or not (inp and out) else f"{inp}/{out}"
    return {"device": name, "input_device": str(inp or ""), "output_device": str(out or "")}


class AudioSystem:
    """The coordinated audio system. Use as a context manager to guarantee release."""

    def __init__(self, config: AudioConfig | Mapping[str, Any] | None = None, *,
                 backend: DeviceBackend | None = None, clock: Clock | None = None,
                 seed: int = 0, history_size: int = 10_000) -> None:
        if clock is None:
            backend_clock = getattr(backend, "clock", None)
            if backend is None:
                clock = VirtualClock()
            elif isinstance(backend_clock, Clock):
                clock = backend_clock
            else:
                clock = SystemClock()
        if backend is None:
            from .devices.simulated import SimulatedBackend
            assert isinstance(clock, VirtualClock), "the simulated backend needs a VirtualClock"
            backend = SimulatedBackend(clock, seed=seed)
        self.clock = clock
        self.backend = backend
        self.seed = seed
        self.coordinator = ComponentCoordinator(clock, history_size=history_size)
        self.resources = ResourceManager(clock)
        self.monitoring = MonitoringCoordinator()
        self._op_lock = threading.RLock()
        self._events: list[EventListener] = []
        #: (stream generation or None, error): errors of a stream that is no longer current are
        #: stale. Compact records, not exceptions: a backend's exception may carry a traceback (and
        #: a ``__cause__`` chain) whose frames hold the stream that reported it.
        #: Each record is stamped with the next number of ``_device_error_seq`` as it is queued, so
        #: that a pass which finds numbers missing knows how many the bound pushed out unseen and
        #: says so (``device_errors_lost``). Stamp and append are one step under
        #: ``_device_errors_lock`` (a leaf lock: nothing else is taken under it), so the queue's
        #: numbers always rise and a gap is a loss, never two threads' reports out of order.
        #: The fourth field is the reporting stream's own count of the callbacks it delivered
        #: (``stats.callbacks``) as it reported (None: not the current stream, or no count): the
        #: ``error`` event tells it with the stream's generation, and ``_teardown``'s
        #: ``stream_closed`` tells the count at close, so a history shows a stream that went on
        #: calling back after it reported its death.
        self._device_errors: deque[tuple[int, int | None, ErrorInfo, int | None]] = deque(maxlen=1024)
        self._device_error_seq = itertools.count()
        self._device_errors_lock = threading.Lock()
        #: the stamp the next record taken from the queue should carry
        self._device_error_next = 0
        #: the reporting stream's generation and callback count of the device report being routed
        #: (``poll``), which the ``error`` event tells; None while any other error is routed
        self._routing_report: dict[str, int | None] | None = None
        self._stream_gen = 0
        self._pipeline: Pipeline | None = None
        #: the torn-down pipelines whose callback was still under way at their teardown (held in
        #: the DSP chain while recovery closed the stream under it): each one's block in flight and
        #: its rings are in the books until its callback leaves (``frame_accounts``). A list: a
        #: second teardown (the next stream's callback held too) must not push the first out of
        #: the books while its block is still held
        self._draining: list[Pipeline] = []
        self._stream: DeviceStream | None = None
        self._recoverer = Recoverer(self, PIPELINE)
        self._scheduler: Scheduler | None = None
        self._supervisor_timer: Any = None
        self._supervisor_alloc: Any = None
        self._pending_config = config
        self.config: AudioConfig | None = None
        self.degraded = False
        self._active_device: str | None = None
        self._last_loss_at: float | None = None
        self.coordinator.register(SYSTEM)
        for name, deps in COMPONENTS:
            self.coordinator.register(name, _Part(self, name), depends_on=deps)
            self.resources.register(name)
        self.coordinator.add_error_observer(self._route_error)
        self._supervise_cb = self._supervise  # one bound method, not a new one per supervisor pass
        self._quiet_pass_cb = self._quiet_pass
        self._quiet_passes_cb = self._quiet_passes
        #: a subclass with a pass of its own (``poll``, ``_supervise``) has every pass run as one
        self._plain_pass = type(self).poll is AudioSystem.poll and type(self)._supervise is AudioSystem._supervise
        self._supervisor_interval_s = 0.0
        #: the supervisor runs on events and watchdog deadlines on the virtual clock (see
        #: ``_wake_supervisor``), every ``supervisor_interval_ms`` on a real one
        self._event_driven = isinstance(clock, VirtualClock)
        self._wake_lock = threading.Lock()  # the supervisor timer's bookkeeping only: held briefly
        #: set by ``close`` (under ``_wake_lock``): CLOSED is final, so no supervisor pass is armed
        #: again; a device's late report would otherwise queue a timer that holds the closed system
        self._supervisor_ended = False
        self._watchdog_due: float | None = None
        #: the last callback (or start) of the latest silence ``held_by_the_machine`` excused
        self._held_since: float | None = None
        #: the silences ``held_by_the_machine`` excused, ``(from, to)`` on the system's clock: from
        #: the last callback before each to the first after it (``held_silences``); the first
        #: ``HELD_KEPT``, the rest counted. ``_held_open``: the latest one's start while no
        #: callback has ended it
        self._held_spans: list[tuple[float, float]] = []
        self._held_open: float | None = None
        self._held_unkept = 0
        gauges = self.monitoring.gauges  # standard gauges, always present: looked up once
        self._g_fill_in = gauges["buffer_fill_input"]
        self._g_fill_out = gauges["buffer_fill_output"]
        self._g_pool = gauges["pool_in_use"]

    # -- observation --------------------------------------------------------------------------
    @property
    def state(self) -> State:
        return self.coordinator.state(SYSTEM)

    @property
    def components(self) -> list[str]:
        return list(PIPELINE)

    def add_observer(self, observer: Callable[[TransitionRecord], None]) -> None:
        self.coordinator.add_observer(observer)

    def add_event_listener(self, listener: EventListener) -> None:
        with self._op_lock:
            self._events.append(listener)

    def remove_event_listener(self, listener: EventListener) -> None:
        with self._op_lock:
            if listener in self._events:
                self._events.remove(listener)

    def _emit(self, kind: str, **data: Any) -> None:
        event = SystemEvent(kind, self.clock.now(), data)
        for listener in list(self._events):
            try:
                listener(event)
            except Exception:
                log.exception("event listener %r raised; it is removed", listener)
                if listener in self._events:
                    self._events.remove(listener)

    @property
    def pipeline(self) -> Pipeline | None:
        return self._pipeline

    @property
    def stream(self) -> DeviceStream | None:
        return self._stream

    # -- lifecycle operations -----------------------------------------------------------------
    def _set(self, target: State, cause: str, *, components: tuple[str, ...] = (),
             expect: tuple[State, ...] | None = None) -> None:
        self.coordinator.transition(SYSTEM, target, cause, expect=expect)
        for name in components:
            self.coordinator.try_transition(name, target, cause)

    def _check_open(self) -> None:
        if self.state == State.CLOSED:
            raise SystemClosedError("the system is closed; build a new AudioSystem", component=SYSTEM)

    def initialize(self) -> None:
        """UNINITIALIZED -> INITIALIZED: global limits applied, components initialised."""
        with self._op_lock:
            self._check_open()
            self.coordinator.transition(SYSTEM, State.INITIALIZED, "initialize",
                                        expect=(State.UNINITIALIZED,))
            for name in PIPELINE:
                self.coordinator.transition(name, State.INITIALIZED, "initialize")
            self._scheduler = scheduler_for(self.clock)
            if self._scheduler.thread_count:
                self._supervisor_alloc = self.resources.allocate(SYSTEM, ResourceType.THREADS, 1, "supervisor")
            # Still under the op lock: no other op may slip in between INITIALIZED and the pending
            # config (a storm once failed the system there and the config then hit FAILED).
            if self._pending_config is not None:
                pending, self._pending_config = self._pending_config, None
                self.configure(pending)

    def configure(self, config: AudioConfig | Mapping[str, Any]) -> AudioConfig:
        """Validate and apply a config (INITIALIZED/STOPPED -> CONFIGURED; CONFIGURED stays).

        While RUNNING or PAUSED this applies it to the live stream, as ``reconfigure`` does. A
        rejected config raises one ``ConfigValidationError`` listing every problem and changes nothing.
        """
        return self._apply_config(config)

    def reconfigure(self, config: AudioConfig | Mapping[str, Any]) -> AudioConfig:
        """Apply a new config; rejected -> raises, running config and state untouched.

        While RUNNING/PAUSED: DSP-only changes swap the chain in place; anything touching the device,
        stream or buffers reopens the stream (RECONFIGURING), rolling back to the old config if the new
        one cannot be opened. In any other state this is ``configure``.
        """
        return self._apply_config(config)

    def _apply_config(self, config: AudioConfig | Mapping[str, Any]) -> AudioConfig:
        """The one place that picks how a config is applied: to a live stream or to a stopped system."""
        with self._op_lock:
            self._check_open()
            if self.state in (State.RUNNING, State.PAUSED):
                return self._reconfigure_live(config)
            return self._configure_stopped(config)

    def _configure_stopped(self, config: AudioConfig | Mapping[str, Any]) -> AudioConfig:
        validated = self._validate(config)
        if self.state not in (State.INITIALIZED, State.STOPPED, State.CONFIGURED):
            raise IllegalTransitionError(SYSTEM, self.state, State.CONFIGURED,
                                         reason="configure needs initialized, configured or stopped")
        self._apply_limits(validated)
        self.config = validated
        if self.state != State.CONFIGURED:
            self._set(State.CONFIGURED, "configure", components=PIPELINE)
        self._emit("config_applied", config=validated.to_dict())
        return validated

    def _validate(self, config: AudioConfig | Mapping[str, Any]) -> AudioConfig:
        return validate_config(config, self.backend, self._emit)

    def _apply_limits(self, config: AudioConfig) -> None:
        apply_limits(self.resources, config)

    def start(self) -> None:
        """CONFIGURED/STOPPED -> STARTING -> RUNNING. On failure: FAILED, everything released, raised."""
        with self._op_lock:
            self._check_open()
            if self.config is None:
                raise IllegalTransitionError(SYSTEM, self.state, State.STARTING, reason="not configured")
            self._set(State.STARTING, "start", components=PIPELINE,
                      expect=(State.CONFIGURED, State.STOPPED))
            self._check_still(State.STARTING, State.RUNNING)  # an observer may have moved it on
            try:
                self._build(self.config, self.config.device.input_device, self.config.device.output_device)
            except BaseException as exc:
                # any exception, the backend's own too (a driver's RuntimeError, a KeyboardInterrupt):
                # the start did not happen, so the system must not stay STARTING; it reaches the
                # caller as itself
                self._teardown("start failed")
                self._set(State.FAILED, f"start failed: {type(exc).__name__}", components=PIPELINE)
                self.coordinator.handle_error("device", exc if isinstance(exc, AudioSystemError)
                                              else ErrorInfo.of(exc, component="device"),
                                              requires_recovery=False)
                raise
            self._set(State.RUNNING, "start", components=PIPELINE)
            self._pipeline.capturing = True  # type: ignore[union-attr]
            self._schedule_supervisor()

    def pause(self) -> None:
        with self._op_lock:
            self._check_open()
            self.coordinator.transition(SYSTEM, State.PAUSED, "pause", expect=(State.RUNNING,))
            if self._pipeline is not None:
                self._pipeline.capturing = False

    def resume(self) -> None:
        """PAUSED -> RUNNING, and the components a live reconfiguration from PAUSED left PAUSED
        with it: the components run when the system runs (``pause()`` leaves them RUNNING, as a
        recovery to PAUSED does, so only those are moved), never RUNNING over PAUSED parts."""
        with self._op_lock:
            self._check_open()
            self.coordinator.transition(SYSTEM, State.RUNNING, "resume", expect=(State.PAUSED,))
            for name in PIPELINE:  # in dependency order, as start() brings them up
                if self.coordinator.state(name) == State.PAUSED:
                    self.coordinator.try_transition(name, State.RUNNING, "resume")
            if self._pipeline is not None:
                self._pipeline.capturing = True
            self._wake_supervisor()  # the watchdog watches again

    def _reconfigure_live(self, config: AudioConfig | Mapping[str, Any]) -> AudioConfig:
        """RUNNING/PAUSED -> RECONFIGURING -> the same state, on the new config or rolled back."""
        with self._op_lock:
            validated = self._validate(config)
            old = self.config
            assert old is not None
            before = self.state
            self._reconfiguring_from = before  # where an error routed meanwhile recovers to
            try:
                self._set(State.RECONFIGURING, "reconfigure", components=PIPELINE)
                # an observer of RECONFIGURING may have closed the system or moved it on
                self._check_still(State.RECONFIGURING, before)
                if self._only_dsp_changed(old, validated) and self._pipeline is not None:
                    from .dsp import DspChain
                    self._pipeline.chain = DspChain.from_config(
                        validated.dsp, validated.stream.sample_rate, validated.stream.block_size,
                        validated.device.input_channels)
                else:
                    self._teardown("reconfigure")
                    try:
                        self._apply_limits(validated)
                        self._build(validated, validated.device.input_device, validated.device.output_device)
                    except AudioSystemError as exc:
                        self._teardown("reconfigure rollback")
                        self._apply_limits(old)
                        self._emit("config_rolled_back", error=exc.describe())
                        self._check_still(State.RECONFIGURING, before)  # a listener may have moved it on
                        self._build(old, self._active_device or old.device.input_device,
                                    self._active_output or old.device.output_device)
                        self._set(before, "reconfigure rolled back", components=PIPELINE)
                        self._pipeline.capturing = before == State.RUNNING  # type: ignore[union-attr]
                        raise
                self.config = validated
                self._set(before, "reconfigure", components=PIPELINE)
                if self._pipeline is not None:
                    self._pipeline.capturing = before == State.RUNNING
                self._emit("config_applied", config=validated.to_dict())
                return validated
            except BaseException as exc:
                # the backend's own exceptions too: a reconfigure never leaves the system
                # RECONFIGURING with no stream; the exception reaches the caller as itself
                if self.state == State.RECONFIGURING:
                    self._enter_recovery(exc if isinstance(exc, AudioSystemError)
                                         else ErrorInfo.of(exc, component="device"),
                                         "reconfigure failed", target=before)
                raise
            finally:
                self._reconfiguring_from = None

    def _check_still(self, state: State, goal: State) -> None:
        """Refuse to go on unless the system is still in ``state``, the one its operation set.

        Observers of that transition (and event listeners) run inside the operation and may call
        back into the system: close it, or report an error whose routing moves it on (FAIL to
        FAILED, RESTART to RECOVERING with a recovery run of its own). Building a stream after that
        would hold one in FAILED, or finish the operation in ``goal`` while the recovery run it
        started is left behind; so the operation stops where it is, applies nothing, and raises."""
        self._check_open()
        if self.state != state:
            raise IllegalTransitionError(
                SYSTEM, self.state, goal,
                reason=f"an error routed while {state.value} moved the system to {self.state.value}; "
                       "the operation was abandoned")

    @staticmethod
    def _only_dsp_changed(old: AudioConfig, new: AudioConfig) -> bool:
        a, b = old.to_dict(), new.to_dict()
        a.pop("dsp"), b.pop("dsp")
        return a == b

    def stop(self) -> None:
        """RUNNING/PAUSED/RECOVERING/FAILED/STARTING -> STOPPING -> STOPPED; everything released."""
        with self._op_lock:
            self._check_open()
            self._cancel_recovery()
            self._set(State.STOPPING, "stop", expect=(State.RUNNING, State.PAUSED, State.RECOVERING,
                                                      State.FAILED, State.STARTING))
            for name in self.coordinator.stop_order():
                if name != SYSTEM and self.coordinator.state(name) in (
                        State.RUNNING, State.PAUSED, State.RECOVERING, State.FAILED, State.STARTING,
                        State.RECONFIGURING):
                    self.coordinator.try_transition(name, State.STOPPING, "stop")
            self._teardown("stop")
            for name in self.coordinator.stop_order():
                if name != SYSTEM and self.coordinator.state(name) == State.STOPPING:
                    self.coordinator.transition(name, State.STOPPED, "stop")
            self.coordinator.transition(SYSTEM, State.STOPPED, "stop")
            self.degraded = False

    def close(self) -> None:
        """Stop if needed, release everything, CLOSED. Idempotent; never raises on a broken device."""
        with self._op_lock:
            if self.state == State.CLOSED:
                return
            if self.state in (State.RUNNING, State.PAUSED, State.RECOVERING, State.FAILED,
                              State.STARTING, State.RECONFIGURING):
                self._cancel_recovery()
                if self.state == State.RECONFIGURING:
                    self._set(State.FAILED, "close during reconfigure")
                self.stop()
            self._teardown("close")
            self._cancel_supervisor()
            for name in self.coordinator.stop_order():
                if name != SYSTEM:
                    st = self.coordinator.state(name)
                    if st != State.CLOSED:
                        if State.CLOSED not in TRANSITIONS[st]:
                            self.coordinator.try_transition(name, State.FAILED, "close")
                        self.coordinator.try_transition(name, State.CLOSED, "close")
            self.coordinator.transition(SYSTEM, State.CLOSED, "close")
            scheduler = self._scheduler
            if self._supervisor_alloc is not None:
                self.resources.release(self._supervisor_alloc)
                self._supervisor_alloc = None
            try:
                self.backend.close()
            except Exception:  # a broken backend must not keep the system from closing
                log.exception("backend close failed")
        # Join the supervisor thread *outside* the op lock: a supervisor pass that started during
        # close() waits for that lock, and joining it while holding the lock stalled close() for
        # the join's full 5 s (measured on the JACK rig). Released, the pass sees CLOSED and returns.
        if scheduler is not None:
            scheduler.close()

    def __enter__(self) -> "AudioSystem":
        # check and act under the operation lock: two threads entering at once must not both see
        # UNINITIALIZED, or the second's initialize() is refused as an illegal transition
        with self._op_lock:
            if self.state == State.UNINITIALIZED:
                self.initialize()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- building and tearing down the pipeline ----------------------------------------------
    _active_output: str | None = None
    #: the state a live reconfiguration under way started from (RUNNING or PAUSED), else None:
    #: a RESTART routed during it recovers to that state
    _reconfiguring_from: State | None = None

    def _build(self, config: AudioConfig, input_device: str, output_device: str) -> None:
        # A stream opened on a closed system would never be released: an observer or listener
        # may call close() from inside the very operation that is building one.
        self._check_open()
        spec = StreamSpec(input_device, output_device, config.device.input_channels,
                          config.device.output_channels, config.stream.sample_rate,
                          config.stream.block_size, config.stream.latency_ms / 1000)
        pipeline = Pipeline(config, self.resources, self.monitoring,
                            simulated=isinstance(self.clock, VirtualClock))
        stream_alloc = None
        stream = None
        try:
            stream_alloc = self.resources.allocate("device", ResourceType.STREAMS, 1, "stream")
            self._stream_gen += 1
            gen = self._stream_gen
            stream = self.backend.open_stream(spec, pipeline.callback,
                                              lambda error: self._on_device_error(error, gen))
            stream.start()
        except BaseException:
            self._abandon_build(stream, stream_alloc, pipeline)
            raise
        self._stream_alloc = stream_alloc
        self._pipeline = pipeline
        self._stream = stream
        self._active_device = input_device
        if self._event_driven:
            pipeline.on_trouble = self._wake_supervisor
            self._wake_supervisor()  # a new stream: the watchdog takes its reference now
        self._active_output = output_device
        self.monitoring.gauge("latency_ms").set(1000 * config.block_seconds)

    def _abandon_build(self, stream: DeviceStream | None, stream_alloc: Any, pipeline: Pipeline) -> None:
        """Give back what a ``_build`` that failed half-way took: the stream (if it opened), its
        allocation and the pipeline's buffers."""
        if stream is not None:
            self._safe_close(stream)
        if stream_alloc is not None:
            self.resources.release(stream_alloc)
        pipeline.release()

    def _safe_close(self, stream: DeviceStream) -> None:
        try:
            stream.stop()
        except Exception:
            log.debug("stream stop failed during teardown", exc_info=True)
        try:
            stream.close()
        except Exception:
            log.debug("stream close failed during teardown", exc_info=True)

    def _teardown(self, cause: str) -> None:
        if self._pipeline is not None:
            # before the stream is closed (which may take a while): a callback the device runs
            # from now on captures nothing, and one under way plays nothing to the closing stream
            self._pipeline.capturing = False
            self._pipeline.closed = True
        stream, self._stream = self._stream, None
        if stream is not None:
            self._safe_close(stream)
            # the stream's own count of its callbacks once closed: beside the count its death
            # report carried (the ``error`` event's ``stream_callbacks``), the callbacks it made after
            count = getattr(getattr(stream, "stats", None), "callbacks", None)
            # a real stream's close tells how long each of its waits took (``close_waits``): what a
            # slow close spent its time on; a stream that keeps no such log adds nothing
            waits = getattr(stream, "close_waits", None)
            self._emit("stream_closed", stream=self._stream_gen, callbacks=count if type(count) is int else None,
                       cause=cause, **({"close": waits} if isinstance(waits, dict) else {}))
            alloc = getattr(self, "_stream_alloc", None)
            if alloc is not None:
                self.resources.release(alloc)
                self._stream_alloc = None
        pipeline, self._pipeline = self._pipeline, None
        if pipeline is not None:
            pipeline.capturing = False
            self._report_pending_errors(pipeline)
            pipeline.flush()
            pipeline.release()
            if pipeline.in_callback:
                self._draining = [*self._draining, pipeline]  # replaced, never changed in place

    def _report_pending_errors(self, pipeline: Pipeline) -> None:
        """Report callback errors no supervisor pass has drained yet, so tearing a pipeline down
        never loses one. No recovery for them: the pipeline that raised them is going away."""
        while pipeline.errors:
            err = pipeline.errors.popleft()
            self.monitoring.counter("errors").inc()
            self.coordinator.handle_error(err.component or "dsp", err, requires_recovery=False)

    # -- supervisor: errors, watchdog, degradation ---------------------------------------------
    def _on_device_error(self, error: AudioSystemError | ErrorInfo, generation: int | None = None) -> None:
        """Called by backends from any thread: enqueue only (never take a lock a stream may need).

        ``generation`` identifies the stream that reported (``_build`` binds it); None means "the
        current stream". The error is queued as its compact ``ErrorInfo``, so the queue holds no
        traceback (and no frame of the stream's thread)."""
        info = ErrorInfo.of(error, component="device")
        callbacks = self._reporting_stream_callbacks(generation)
        with self._device_errors_lock:
            self._device_errors.append((next(self._device_error_seq), generation, info, callbacks))
        if self._event_driven:
            self._wake_supervisor()

    def _reporting_stream_callbacks(self, generation: int | None) -> int | None:
        """The callbacks stream ``generation`` delivered so far, read as it reports (any thread, no
        lock: one attribute read each); None when it is not the current stream or keeps no count.
        Read at the report, not when a pass routes it: a stream that died must deliver nothing
        after it said so, and a pass may come later."""
        stream = self._stream
        if generation is None or generation != self._stream_gen or stream is None:
            return None
        count = getattr(getattr(stream, "stats", None), "callbacks", None)
        return count if type(count) is int else None

    # The supervisor's pace. On a real clock it passes every ``supervisor_interval_ms``: a device
    # thread only enqueues, and the pass finds its report. On the virtual clock a pass every few
    # simulated ms was a third of the simulation's event loop, so there it runs when something
    # needs it: an error queued (``_on_device_error``), the pipeline's trouble (a callback error,
    # the pool running dry or refilling), a new stream, resume, and the watchdog's deadline (the
    # moment the last callback becomes a stall). A stall the policy leaves alone is reported again
    # every ``supervisor_interval_ms``, as on a real clock. A deadline's pass that would find
    # nothing (the stream kept calling back) is done inline where the simulated device asks the
    # clock to move past it (``_quiet_pass``), so a healthy stream's blocks run in long stretches.
    def _wake_supervisor(self) -> None:
        """A pass at the current time (event-driven supervisor only); idempotent."""
        scheduler = self._scheduler
        if scheduler is None or not self._event_driven:
            return
        with self._wake_lock:
            if self._supervisor_ended:
                return
            timer = self._supervisor_timer
            if timer is not None:
                if timer.when <= self.clock.now():
                    return
                timer.cancel()
            self._supervisor_timer = scheduler.call_later(0.0, self._supervise_cb)

    def _schedule_supervisor(self) -> None:
        if self._scheduler is None:
            return
        assert self.config is not None
        # Read from the config even when a pass is already pending (on the virtual clock a new
        # stream's wake-up always is): it is the pace at which a stall left alone is reported again.
        self._supervisor_interval_s = self.config.watchdog.supervisor_interval_ms / 1000
        if self._supervisor_timer is not None:
            return
        if self._event_driven:
            self._wake_supervisor()
            return
        self._supervisor_timer = self._scheduler.call_later(self._supervisor_interval_s,
                                                            self._supervise_cb)

    def _cancel_supervisor(self) -> None:
        """The supervisor's last act (``close``): its timer cancelled, and none armed after."""
        with self._wake_lock:
            self._supervisor_ended = True
            if self._supervisor_timer is not None:
                self._supervisor_timer.cancel()
                self._supervisor_timer = None

    def _supervise(self) -> None:
        with self._wake_lock:
            self._supervisor_timer = None
        with self._op_lock:
            if self.coordinator.state(SYSTEM) is _CLOSED:
                return
            self.poll()
            with self._wake_lock:
                if self._supervisor_timer is not None:  # the pass itself woke it (a recovery ended)
                    return
                if not self._event_driven:
                    self._supervisor_timer = self._scheduler.call_later(  # type: ignore[union-attr]
                        self._supervisor_interval_s, self._supervise_cb)
                    return
                due = self._watchdog_due
                if due is None:
                    return  # nothing to watch: asleep until an event wakes it
                now = self.clock.now()
                quiet = due > now
                if not quiet:  # a stall already reported: again at the interval's pace
                    due = now + self._supervisor_interval_s
                timer = self._supervisor_timer = self._scheduler.call_later(  # type: ignore[union-attr]
                    due - now, self._supervise_cb)
                if quiet and self._plain_pass and isinstance(timer, TimerHandle):
                    timer.defer = self._quiet_pass_cb
                    timer.defer_along = self._quiet_passes_cb

    def _quiet_pass(self, due: float) -> float | None:
        """The watchdog's pass due at ``due``, done inline by the virtual clock when it would find
        nothing (``TimerHandle.defer``): the simulated device asks to deliver its next block past
        ``due`` and nothing else falls due before it, so the system is now as the pass would find
        it. A pass finds nothing when no error is queued, the pool's state is the one the system
        knows (dry and degraded, or neither), the system is RUNNING and the stream's last callback
        is younger than the watchdog's limit at ``due``: then all it does is set the gauges and
        schedule itself at the new deadline. That is done here, and the new deadline returned; the
        pass never runs as a timer and the device's stretch of blocks goes on. Anything else: None,
        and the pass runs at ``due`` as always. The same passes, at the same simulated times, with
        the same effects: a stall is still reported at its deadline, by a pass that runs."""
        answer = self._quiet_passes(due, None, 0, 0, None)
        return None if answer is None else answer[0]

    def _quiet_passes(self, due: float, times: Sequence[float] | None, j: int, end: int,
                      source: object) -> tuple[float, int] | None:
        """``_quiet_pass`` (``times`` None: one pass, judged from the stream's stats), or the
        quiet passes along a stretch of the stream's blocks done at once
        (``TimerHandle.defer_along``): the device's stream (``source``) calls back at each of
        ``times[j - 1:end]``, and the clock would ask ``_quiet_pass`` each time it moves past the
        pass's deadline on its way, with the stream's last callback at the time before. Between
        two of those passes nothing runs but the passes themselves: no error is queued, the
        pipeline, the pool, the system's state and the rings' fill stay as they are, so every
        check comes out as the first one's but the stall judgement, which is made for each pass
        from its own deadline and last callback, and the gauges take the same values each time
        (set once). Returns ``(the last pass's new deadline, k)``, ``times[k]`` the time of the
        next pass still to be asked (the first not answered here: a stall at its deadline, left
        to ``_quiet_pass``, which refuses it); None, nothing done, when the first pass cannot be
        answered. The same passes at the same simulated times with the same effects as one
        ``_quiet_pass`` a deadline."""
        if "poll" in self.__dict__ or "_supervise" in self.__dict__:  # a pass patched on the instance
            return None
        lock = self._op_lock
        if not lock.acquire(blocking=False):  # another thread is in an operation: the pass waits for it
            return None
        try:
            pipeline, stream, config = self._pipeline, self._stream, self.config
            if self._device_errors or pipeline is None or stream is None or config is None \
                    or pipeline.errors or pipeline.pool_dry != self.degraded \
                    or self.coordinator.state(SYSTEM) is not _RUNNING \
                    or (times is not None and source is not stream):
                return None
            if stream.stats.input_starved_since is not None:
                return None  # a stream calling back with no input: the pass judges it (``poll``)
            # ``_stall_limit``'s span, taken once: ``ref + span`` is the very sum it makes from ``ref``
            span = self._stall_limit(stream, config, 0.0)
            asked, k = due, j
            while True:
                # the pass due at ``due``, the stream's last callback (or its start) at ``ref``
                if times is None:
                    last = stream.stats.last_callback_at
                    ref = last if last is not None else getattr(stream, "started_at", None)
                    if ref is None:
                        return None
                else:
                    ref = times[k - 1]
                limit = ref + span
                if due > limit:  # a stall at ``due``: the pass reports it
                    break
                later = math.nextafter(limit, math.inf)
                if times is None:
                    due, k = later, k + 1
                    break
                if not later > times[k]:  # the clock would ask this pass again at once: left to it
                    break
                # the blocks up to the new deadline: the first time at or after it (``times`` increase)
                due, k = later, bisect_left(times, later, k + 1, end)
                if k >= end:
                    break
            if k == j:
                return None
            with self._wake_lock:
                timer = self._supervisor_timer
                if timer is None or timer.cancelled or timer.when != asked:
                    return None
                self._set_gauges(pipeline)
                self._watchdog_due = due
            return due, k
        finally:
            lock.release()

    def _set_gauges(self, pipeline: Pipeline) -> None:
        """The supervisor's gauges: both rings' fill and the blocks of the pool in use."""
        self._g_fill_in.set(pipeline.input_ring.fill)
        self._g_fill_out.set(pipeline.output_ring.fill)
        self._g_pool.set(pipeline.pool.in_use)

    @staticmethod
    def _stall_evidence(pipeline: Pipeline, stream: Any, period_s: float) -> dict[str, Any]:
        """Whose silence a stall is, as measured when it is reported (empty where nothing is
        measured: a virtual clock, a stream that does not count its device's callbacks).

        ``callback_running_s``: how long the system's own callback had been running (0.0: none
        was); ``device_callbacks``: how many times the device called back since the last block
        the system took, a period (``period_s``) apart; ``callback_cpu_wait_s``: how long the
        thread the callback runs on waited for a CPU since then (the loaded machine's part of a
        long callback); ``callback_cpu_s``: how long that thread ran on a CPU since then (a
        callback that computed, as against one that only waited); ``delivery_waiting_s``: how long
        that thread has been runnable since it last went to wait for a tick (0.0: asleep), the wait
        it may be in now, which ``callback_cpu_wait_s`` does not hold yet. A callback that ran
        through the silence while the device kept calling back is the system being late, not a starved device: on
        PortAudio's JACK route the JACK graph's xruns at the same moment are the loaded
        machine's, and do not excuse it."""
        out: dict[str, Any] = {}
        running = pipeline.callback_running_s()
        if running is not None:
            out["callback_running_s"] = running
        count = getattr(stream, "device_callbacks_since_block", None)
        device = count() if callable(count) else None
        if device is not None:
            out["device_callbacks"] = int(device)
            out["period_s"] = period_s
        wait = getattr(stream, "delivery_cpu_wait_since_block", None)
        cpu_wait = wait() if callable(wait) else None
        if cpu_wait is not None:
            out["callback_cpu_wait_s"] = cpu_wait
        runnable = getattr(stream, "delivery_waiting_s", None)
        waiting = runnable() if callable(runnable) else None
        if waiting is not None:
            out["delivery_waiting_s"] = waiting
        ran = getattr(stream, "delivery_cpu_run_since_block", None)
        cpu_run = ran() if callable(ran) else None
        if cpu_run is not None:
            out["callback_cpu_s"] = cpu_run
        return out

    @staticmethod
    def _stall_limit(stream: Any, config: AudioConfig, ref: float) -> float:
        """The last moment a stream whose last callback (or start) was at ``ref`` is not stalled:
        ``stall_periods`` periods later, never below the stream's own floor (a gap its device
        shows when healthy is no stall)."""
        return ref + max(config.watchdog.stall_periods * config.block_seconds,
                         getattr(stream, "min_stall_s", 0.0))

    def poll(self) -> None:
        """One supervisor pass: route queued device/callback errors, watchdog, pool, gauges."""
        with self._op_lock:
            while self._device_errors:
                seq, gen, err, callbacks = self._device_errors.popleft()
                self._count_lost_device_errors(seq)
                if gen is not None and (gen != self._stream_gen or self._stream is None):
                    # From a stream already torn down (a dead stream's late watchdog report, or a
                    # timeout while we closed it): it must not start a second recovery.
                    self.monitoring.counter("stale_device_errors").inc()
                    continue
                self.monitoring.counter("errors").inc()
                if err.is_a(DeviceError):
                    self.monitoring.counter("device_losses").inc()
                self._routing_report = {"stream": gen, "stream_callbacks": callbacks} if gen is not None else None
                try:
                    self.coordinator.handle_error(err.component or "device", err)
                finally:
                    self._routing_report = None
            self._watchdog_due = None
            pipeline, stream, config = self._pipeline, self._stream, self.config
            if pipeline is None or config is None:
                return
            while pipeline.errors:
                err = pipeline.errors.popleft()
                self.monitoring.counter("errors").inc()
                self.coordinator.handle_error(err.component or "dsp", err)
                if self._pipeline is not pipeline:
                    return
            if pipeline.pool_dry and not self.degraded:
                self.monitoring.counter("pool_exhaustions").inc()
                self.coordinator.handle_error("dsp", BufferPoolExhaustedError(
                    f"block pool exhausted ({pipeline.pool.size} blocks); dropping input until it refills",
                    component="dsp", details={"pool_blocks": pipeline.pool.size}))
            elif not pipeline.pool_dry and self.degraded:
                self.degraded = False
                self._emit("undegraded")
            self._set_gauges(pipeline)
            if stream is not None and self._pipeline is pipeline \
                    and self.coordinator.state(SYSTEM) is _RUNNING:
                period = config.block_seconds
                last = stream.stats.last_callback_at
                started = getattr(stream, "started_at", None)
                ref = last if last is not None else started
                now = self.clock.now()
                if ref is None:
                    stream.started_at = ref = now  # type: ignore[attr-defined]
                if self._held_open is not None and ref != self._held_open:
                    # the delivery thread took a block again (or a new stream began): the silence
                    # the machine held ended with it. ``ref`` is then later than the silence's
                    # start on the one monotonic clock: a later callback of the same stream, or
                    # the start of a stream opened after the silence was seen
                    self._end_held(self._held_open, ref)
                limit = self._stall_limit(stream, config, ref)
                # the first moment after ``limit``: when the next pass must come if no callback does
                self._watchdog_due = math.nextafter(limit, math.inf)
                if now > limit:
                    stalled = self.clock.now() - ref
                    evidence = self._stall_evidence(pipeline, stream, period)
                    if held_by_the_machine(evidence, stalled):
                        # the blocks wait in the stream for a thread the machine holds: counted once
                        # a silence, and judged again at the next pass (the interval's pace)
                        if self._held_since != ref:
                            self._held_since = self._held_open = ref
                            self.monitoring.counter("delivery_held").inc()
                        return
                    self._report_stall(stream, config, f"no callback for {stalled:.3f} s", stalled,
                                       {**_stream_devices(stream), **evidence})
                    return
                # a stream that calls back on time with no input in any block is as stalled as one
                # that stops calling back (a capture side hung while the playback side runs on):
                # the same bound, from the first block whose input underflowed
                starved = stream.stats.input_starved_since
                if starved is None:
                    return
                starved_limit = self._stall_limit(stream, config, starved)
                self._watchdog_due = min(self._watchdog_due, math.nextafter(starved_limit, math.inf))
                if now > starved_limit:
                    silent = now - starved
                    self._report_stall(stream, config, f"no input for {silent:.3f} s: every block since underflowed",
                                       silent, {"input_underflow": True, **_stream_devices(stream)})

    def _count_lost_device_errors(self, seq: int) -> None:
        """The queue's record stamped ``seq`` was taken: the stamps skipped since the last one taken
        are reports the bound pushed out before any pass saw them. They are counted
        (``device_errors_lost``) and announced (a ``device_errors_lost`` event) rather than lost
        unseen: the recovery policy never decided about them, and a history must show it."""
        lost = seq - self._device_error_next
        self._device_error_next = seq + 1
        if lost > 0:
            self.monitoring.counter("device_errors_lost").inc(lost)
            self._emit("device_errors_lost", count=lost, first=seq - lost, last=seq - 1)

    def _end_held(self, t0: float, t1: float) -> None:
        """The held silence from ``t0`` ended at ``t1``: kept for ``held_silences``."""
        self._held_open = None
        if len(self._held_spans) < HELD_KEPT:
            self._held_spans.append((t0, t1))
        else:
            self._held_unkept += 1

    def _report_stall(self, stream: DeviceStream, config: AudioConfig, what: str, silent_s: float,
                      details: dict[str, Any]) -> None:
        """A stalled stream counted and routed to recovery as a ``DeviceStalledError``: ``what`` it
        missed and for how long, then the bound it passed (the watchdog's periods, the stream's
        floor). ``stalled_for_s`` is how long the stream was silent when this was reported (its
        silence began that long before the report); the message says it for humans."""
        self.monitoring.counter("device_stalls").inc()
        period, floor = config.block_seconds, getattr(stream, "min_stall_s", 0.0)
        self.coordinator.handle_error("device", DeviceStalledError(
            f"{what} ({config.watchdog.stall_periods} periods of {period * 1000:.2f} ms"
            + (f", the stream's floor {floor * 1000:.0f} ms" if floor else "") + ")",
            component="device", details={"stalled_for_s": silent_s, **details}))

    def _route_error(self, record: ErrorRecord) -> None:
        """Error observer: the recovery policy decides, the system acts.

        Under the operation lock from the ``error`` event to the action: the state and the
        recovery in progress that the event tells are the ones the action is taken in (no other
        thread's stop, recovery or reconfiguration comes between them), so a history tells a
        restart that should have come and did not from one the state refused."""
        with self._op_lock:
            self._route_error_locked(record)

    def _route_error_locked(self, record: ErrorRecord) -> None:
        """``_route_error``'s body, the operation lock held.

        ``record.error`` is the compact ``ErrorInfo``: causes name the error's own class
        (``err.type``), never ``type(err)``, which is ``ErrorInfo`` for every error."""
        err = record.error
        pipeline = self._pipeline
        # read once: the count the event tells is the count the policy decides by, so a history
        # shows why a callback error below CRITICAL did or did not restart the stream
        consecutive = pipeline.consecutive_errors if pipeline else 0
        # a device report names the stream that made it and its callbacks then (``poll``); taken
        # by the first event, its own: errors a restart reports as it tears down come after it
        report, self._routing_report = self._routing_report, None
        self._emit("error", error=err.describe(), severity=record.severity.name,
                   component=record.component, requires_recovery=record.requires_recovery,
                   consecutive_callback_errors=consecutive,
                   state=self.state.value, recovering=self._recoverer.active, **(report or {}))
        if self.config is None or not record.requires_recovery:
            return
        policy = RecoveryPolicy(self.config.recovery)
        action = policy.decide(err, consecutive_callback_errors=consecutive, severity=record.severity)
        if action == RecoveryAction.DEGRADE:
            if not self.degraded:
                self.degraded = True
                self._emit("degraded", reason=err.message)
        elif action == RecoveryAction.RESTART:
            with self._op_lock:
                if self.state in (State.RUNNING, State.PAUSED, State.STARTING, State.RECONFIGURING):
                    self._enter_recovery(err, f"{err.type}: {err.message}",
                                         target=self._reconfiguring_from
                                         if self.state == State.RECONFIGURING else None)
        elif action == RecoveryAction.FAIL:
            # RECONFIGURING too: an observer of that transition may report an error; the
            # reconfiguration under way then stops (``_check_still``) instead of carrying on
            with self._op_lock:
                if self.state in (State.RUNNING, State.PAUSED, State.RECOVERING, State.STARTING,
                                  State.RECONFIGURING):
                    self._cancel_recovery()
                    self._teardown("unrecoverable error")
                    self._set(State.FAILED, f"unrecoverable {err.type}", components=PIPELINE)

    # -- recovery: executed by the Recoverer (recoverer.py) --------------------------------------
    @property
    def _recovery(self) -> RecoveryRun | None:
        return self._recoverer.run

    def _enter_recovery(self, err: AudioSystemError | ErrorInfo, cause: str, *,
                        target: State | None = None) -> None:
        self._recoverer.enter(err, cause, target=target)

    def _finish_recovery(self, run: RecoveryRun) -> None:
        """A recovery run reopened the stream. A method of the system, not only of the recoverer,
        so that a subclass can change what success does (the mutants, the soak's planted leak)."""
        self._recoverer.finish(run)

    def _cancel_recovery(self) -> None:
        self._recoverer.cancel()

    @property
    def recovering(self) -> bool:
        return self._recoverer.active

    def recover(self) -> bool:
        """Synchronous recovery: reopen on the primary device, then each fallback; True if healthy.

        Works from FAILED (the owner's way back), RECOVERING (skip the back-off) or RUNNING/PAUSED
        with an unhealthy component.
        """
        with self._op_lock:
            self._check_open()
            return self._recoverer.recover_now()

    def simulate_error(self, component: str = "dsp") -> None:
        """Report a SimulatedError from ``component`` (it and its dependents fail), then raise it."""
        with self._op_lock:
            self._check_open()
            err = SimulatedError(f"simulated failure in {component}", component=component)
            self.coordinator.fail(component, "simulate_error")
            if self.state in (State.RUNNING, State.PAUSED, State.STARTING, State.RECONFIGURING,
                              State.RECOVERING):
                self._cancel_recovery()
                self._teardown("simulated error")
                self._set(State.FAILED, "simulate_error")
            self.coordinator.handle_error(component, err, requires_recovery=False)
            raise err

    # -- health and metrics -------------------------------------------------------------------
    def _component_health(self, name: str) -> HealthStatus:
        state = self.coordinator.state(name)
        if state in (State.RUNNING, State.PAUSED):
            if name == "device":
                stream = self._stream
                if stream is None or not stream.active:
                    return HealthStatus(False, "no active stream", name)
            elif self._pipeline is None:
                return HealthStatus(False, "pipeline not built", name)
        if state in (State.FAILED, State.RECOVERING):
            return HealthStatus(False, str(state), name)
        return HealthStatus(True, str(state), name)

    def health(self) -> dict[str, Any]:
        with self._op_lock:
            comps = self.coordinator.system_health()
            comps.pop(SYSTEM, None)
            state = self.state
            healthy = state not in (State.FAILED, State.RECOVERING, State.RECONFIGURING) \
                and all(h.healthy for h in comps.values())
            return {"healthy": healthy, "state": state.value, "degraded": self.degraded,
                    "recovering": self._recovery is not None,
                    "components": {n: h.to_dict() for n, h in comps.items()}}

    def is_healthy(self) -> bool:
        return bool(self.health()["healthy"])

    def held_silences(self) -> tuple[list[tuple[float, float]], float | None, int]:
        """The silences the watchdog laid on the machine (``held_by_the_machine``: the delivery
        thread held off a CPU while the device kept calling back), for a listener that must not
        take their audio for the system's: the ended ones as ``(from, to)`` on the system's clock
        (the last callback before the silence, the first after it), the start of the one still
        open (None: none is), and how many ended ones were not kept (past ``HELD_KEPT``). A read:
        the lists are only appended to, and copied here."""
        return list(self._held_spans), self._held_open, self._held_unkept

    def bounded_logs(self) -> dict[str, BoundedFill]:
        """The system's bounded logs (the coordinator's error and transition logs, 10 000 records
        each): how full each is and a lower bound of the bytes it holds. A log still filling is
        memory that grows and then stops; a soak's memory judge takes it out of the growth it
        judges, and says so."""
        coord = self.coordinator
        return {"errors": coord.error_fill(), "transitions": coord.history.fill()}

    def metrics(self) -> MetricsSnapshot:
        return self.monitoring.snapshot(self.clock.now())

    def frame_accounts(self) -> FrameAccounts:
        """The frame counters as one consistent reading, never torn by an audio callback half-way
        (on a real device the callback runs on another thread; ``Pipeline.read_between_callbacks``).
        On the virtual clock callbacks run on the reader's thread: one plain read."""
        p = self._pipeline
        # a torn-down pipeline whose last callback has left has had its rings emptied (``flush``):
        # out of the books; the list is replaced, never changed in place, so a reader on another
        # thread iterates a whole one
        d = [q for q in self._draining if q.in_callback]
        if len(d) != len(self._draining):
            self._draining = d
        # the callback counters are the system's, shared by every pipeline
        seqlock = p if p is not None else (d[0] if d else None)
        if seqlock is None or isinstance(self.clock, VirtualClock):
            return self._read_accounts(p, d)
        return seqlock.read_between_callbacks(lambda: self._read_accounts(p, d))

    def _read_accounts(self, p: Pipeline | None, d: Sequence[Pipeline] = ()) -> FrameAccounts:
        """The counters, the rings and the block in flight of the pipeline ``p`` and of each of
        ``d``, the torn-down ones whose held callback has not left yet."""
        m = self.monitoring
        live = [p, *d] if p is not None else list(d)
        return FrameAccounts(m.value("frames_captured"), m.value("frames_played"),
                             m.value("frames_dropped"), m.value("frames_inserted"),
                             sum(q.buffered() for q in live), sum(q.in_flight for q in live))

    # -- simulation helpers -------------------------------------------------------------------
    def run_for(self, seconds: float) -> None:
        """Advance a virtual clock by ``seconds`` (the simulation runs); on a real clock, sleep."""
        self.clock.sleep(seconds)


__all__ = ["AudioSystem", "COMPONENTS", "HELD_KEPT", "HELD_SHARE", "PIPELINE", "SERVED_SHARE", "SYSTEM", "SystemEvent", "held_by_the_machine", "waiting_now"]
