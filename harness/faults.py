"""Fault injection: one interface for every fault, a seeded injector, named profiles, thread storms.

A ``Fault`` has a *target* (a device or a component), a *trigger* (``At`` a clock time, ``Every``
period, ``WithProbability`` p per check from a seeded RNG, ``OnCall`` the n-th call of an operation
or the n-th audio callback), a *duration*, and, once fired, ``FaultRecord``s saying when it fired and
ended. Device faults go through the ``FaultTarget`` protocol, so the same fault runs against the
simulated backend (``SimulatedTarget``) or, later, the JACK rig; system-level faults (buffer
exhaustion, invalid configuration, concurrent transitions, slow DSP) act on the ``AudioSystem``.

``FaultInjector(system, schedule, seed).arm()`` schedules every trigger on the system's clock
(``VirtualClock.call_at`` in simulation: the same seed gives the same run), or on a scheduler thread
on a real clock. ``profile_schedule("hostile", 60, seed)`` builds a random schedule from a named
profile; ``load_profile(path)`` reads one from TOML.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import random
import sys
import threading
import time as _time
import tomllib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Protocol, Union, runtime_checkable

from pydantic import BaseModel, ConfigDict, PlainValidator
from pydantic import Field as PField

from system_under_test.errors import IllegalTransitionError
from system_under_test.lifecycle import TRANSITIONS, State

from .errors import ScenarioFileError, UsageError
from .gates import Gates

if TYPE_CHECKING:  # pragma: no cover
    from system_under_test import AudioSystem

    from .history import History


# ==================================================================================== targets ====

@runtime_checkable
class FaultTarget(Protocol):
    """What a device-fault needs from the world. ``SimulatedTarget`` is one; the JACK rig is another."""

    def drop_device(self, name: str) -> None: ...
    def return_device(self, name: str) -> None: ...
    def stall(self, name: str) -> None: ...
    def unstall(self, name: str) -> None: ...
    def xrun(self, name: str, delay_s: float) -> None: ...
    def raise_in_callback(self, name: str, count: int) -> None: ...
    def change_sample_rate(self, name: str, rate: int) -> int | None: ...


class SimulatedTarget:
    """``FaultTarget`` over the simulated backend's public fault hooks."""

    def __init__(self, backend: Any, *, report_loss: bool = True) -> None:
        self.backend = backend
        self.report_loss = report_loss

    def drop_device(self, name: str) -> None:
        self.backend.remove_device(name, report=self.report_loss)

    def return_device(self, name: str) -> None:
        self.backend.restore_device(name)

    def stall(self, name: str) -> None:
        self.backend.stall(name)

    def unstall(self, name: str) -> None:
        self.backend.unstall(name)

    def xrun(self, name: str, delay_s: float) -> None:
        self.backend.delay_next_callback(name, delay_s)

    def raise_in_callback(self, name: str, count: int) -> None:
        self.backend.corrupt_next_callbacks(name, count)

    def change_sample_rate(self, name: str, rate: int) -> int | None:
        old = self.backend.device(name).current_rate
        self.backend.change_sample_rate(name, rate)
        return old

    def device_present(self, name: str) -> bool:
        return bool(self.backend.device(name).present)


class UncontrolledDevice:
    """``FaultTarget`` for a real device the harness has no hand on (any device PortAudio sees).

    Faults that act on the device itself cannot be injected there; the system-level ones (buffer
    exhaustion, invalid configuration, transition storms, slow DSP) still can. ``unsupported_reason``
    lets ``Schedule.runnable_on`` drop the former with a note instead of failing mid-run.
    """

    DEVICE_KINDS = frozenset({"dropout", "stall", "xrun", "callback_raises", "sample_rate_change"})

    def unsupported_reason(self, kind: str) -> str | None:
        if kind in self.DEVICE_KINDS:
            return ("the harness cannot act on this device (use --backend jack for the loopback rig, "
                    "or --backend sim)")
        return None

    def _refuse(self, *_: Any) -> Any:
        raise NotImplementedError("device faults need the simulated device or the JACK loopback rig")

    drop_device = return_device = stall = unstall = xrun = raise_in_callback = change_sample_rate = _refuse


def target_for(system: "AudioSystem", rig: Any = None) -> FaultTarget:
    """The ``FaultTarget`` for ``system``'s backend: the simulated device's hooks, or, for a real
    backend on the JACK loopback rig, ``harness.rig_target.JackRigTarget`` over ``rig``."""
    backend = system.backend
    name = getattr(backend, "name", None)
    if name == "sim":
        return SimulatedTarget(backend)
    if rig is not None and name in ("jack", "portaudio"):
        from .rig_target import JackRigTarget  # noqa: PLC0415 - imports this module
        return JackRigTarget(rig, system)
    if name in ("jack", "portaudio"):
        return UncontrolledDevice()
    raise TypeError(f"no FaultTarget for backend {name or backend!r}; pass target=")


# =================================================================================== triggers ====

class Trigger:
    """When a fault fires. ``arm`` schedules calls to ``fire`` through the injector."""

    def arm(self, injector: "FaultInjector", fire: Callable[[], None], rng: random.Random) -> None:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)  # type: ignore[call-overload]
        d["type"] = type(self).__name__
        return d

    def describe(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in dataclasses.asdict(self).items())  # type: ignore[call-overload]
        return f"{type(self).__name__}({args})"


@dataclass(frozen=True)
class At(Trigger):
    """Fire once at clock time ``time`` (seconds on the system clock)."""

    time: float

    def arm(self, injector: "FaultInjector", fire: Callable[[], None], rng: random.Random) -> None:
        injector._call_at(self.time, fire)


@dataclass(frozen=True)
class Every(Trigger):
    """Fire every ``period_s`` from ``start_s``, ``count`` times (None: until disarmed)."""

    period_s: float
    start_s: float = 0.0
    count: int | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.period_s) and self.period_s > 0):
            raise ValueError(f"Every.period_s must be a positive number of seconds, got {self.period_s!r}")

    def arm(self, injector: "FaultInjector", fire: Callable[[], None], rng: random.Random) -> None:
        if self.period_s <= 0:
            raise ValueError("Every.period_s must be positive")
        remaining = [self.count]

        def tick(when: float) -> None:
            if remaining[0] is not None:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            fire()
            injector._call_at(when + self.period_s, lambda: tick(when + self.period_s))

        injector._call_at(self.start_s, lambda: tick(self.start_s))


@dataclass(frozen=True)
class WithProbability(Trigger):
    """Every ``every_s`` between ``start_s`` and ``until_s``, fire with probability ``p`` (seeded RNG)."""

    p: float
    every_s: float = 0.1
    start_s: float = 0.0
    until_s: float | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.p <= 1.0:
            raise ValueError(f"WithProbability.p must be within [0, 1], got {self.p!r}")
        if not (math.isfinite(self.every_s) and self.every_s > 0):
            raise ValueError(f"WithProbability.every_s must be a positive number of seconds, got {self.every_s!r}")

    def arm(self, injector: "FaultInjector", fire: Callable[[], None], rng: random.Random) -> None:
        if not 0.0 <= self.p <= 1.0:
            raise ValueError("WithProbability.p must be within [0, 1]")

        def tick(when: float) -> None:
            if self.until_s is not None and when > self.until_s:
                return
            if rng.random() < self.p:
                fire()
            injector._call_at(when + self.every_s, lambda: tick(when + self.every_s))

        injector._call_at(self.start_s, lambda: tick(self.start_s))


@dataclass(frozen=True)
class OnCall(Trigger):
    """Fire just before the ``n``-th call of ``system.<operation>`` after arming.

    ``operation="callback"`` counts audio callbacks instead (the ``callbacks`` counter, checked every
    ``poll_s`` of clock time), so it fires within one poll of the n-th callback.
    """

    n: int
    operation: str = "callback"
    poll_s: float = 0.001

    def arm(self, injector: "FaultInjector", fire: Callable[[], None], rng: random.Random) -> None:
        system = injector.system
        if self.operation == "callback":
            counter = system.monitoring.counter("callbacks")
            goal = counter.value + self.n

            def poll() -> None:
                if counter.value >= goal:
                    fire()
                else:
                    injector._call_later(self.poll_s, poll)

            injector._call_later(self.poll_s, poll)
            return
        original = getattr(system, self.operation)
        calls = [0]

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[0] += 1
            if calls[0] == self.n:
                fire()
            return original(*args, **kwargs)

        setattr(system, self.operation, wrapper)
        injector._restore.append(lambda: system.__dict__.pop(self.operation, None))


def trigger_from_dict(d: Mapping[str, Any]) -> Trigger:
    d = dict(d)
    kind = d.pop("type", "At")
    classes = {c.__name__: c for c in (At, Every, WithProbability, OnCall)}
    if kind not in classes:
        raise ValueError(f"unknown trigger type {kind!r} (known: {', '.join(sorted(classes))})")
    return classes[kind](**d)


# ===================================================================================== faults ====

@dataclass
class FaultRecord:
    """One firing of a fault: when it fired and ended (``ended_at`` None while active)."""

    firing_id: str
    fault_id: str
    kind: str
    target: str
    trigger: str
    fired_at: float
    ended_at: float | None = None
    transient: bool = True
    duration_s: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def active(self) -> bool:
        return self.ended_at is None


@dataclass
class FaultContext:
    system: "AudioSystem"
    target: FaultTarget
    rng: random.Random
    history: "History | None"
    injector: "FaultInjector"


@dataclass
class Fault:
    """Base of every fault. Subclasses set ``kind`` and implement ``start`` (and ``end``)."""

    kind: ClassVar[str] = "fault"
    #: the system is expected to be back to normal by itself after a transient fault ends
    transient: ClassVar[bool] = True

    trigger: Trigger = field(default_factory=lambda: At(0.0))
    duration_s: float = 0.0
    target: str = "sim-in"
    fault_id: str = ""

    def __post_init__(self) -> None:
        if not (isinstance(self.duration_s, (int, float)) and math.isfinite(self.duration_s)
                and self.duration_s >= 0):
            raise ValueError(f"{self.kind}: duration_s must be a finite number >= 0, got {self.duration_s!r}")

    def start(self, ctx: FaultContext) -> Any:
        """Apply the fault; returns a token passed to ``end`` (and put in the record's details)."""
        raise NotImplementedError

    def end(self, ctx: FaultContext, token: Any) -> None:
        """Undo the fault (nothing by default: the instantaneous kinds)."""

    def params(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if f.name not in ("trigger", "fault_id")}

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "trigger": self.trigger.to_dict(), **self.params()}

    def describe(self) -> str:
        return f"{self.kind}({self.target}, {self.trigger.describe()}, {self.duration_s:g} s)"


@dataclass
class DeviceDropout(Fault):
    """The device disappears (streams on it die and report ``DeviceLostError``), then returns."""

    kind: ClassVar[str] = "dropout"
    duration_s: float = 0.5
    report: bool = True

    def start(self, ctx: FaultContext) -> Any:
        if isinstance(ctx.target, SimulatedTarget):
            ctx.target.backend.remove_device(self.target, report=self.report)
        else:
            ctx.target.drop_device(self.target)
        return None

    def end(self, ctx: FaultContext, token: Any) -> None:
        ctx.target.return_device(self.target)


@dataclass
class DeviceStall(Fault):
    """Callbacks stop without any error, then resume."""

    kind: ClassVar[str] = "stall"
    duration_s: float = 0.1

    def start(self, ctx: FaultContext) -> Any:
        ctx.target.stall(self.target)

    def end(self, ctx: FaultContext, token: Any) -> None:
        ctx.target.unstall(self.target)


@dataclass
class LateCallback(Fault):
    """One late callback (an xrun): the device delivers the next block ``delay_s`` late."""

    kind: ClassVar[str] = "xrun"
    delay_s: float = 0.02

    def start(self, ctx: FaultContext) -> Any:
        ctx.target.xrun(self.target, self.delay_s)


@dataclass
class CallbackRaises(Fault):
    """The next ``count`` callbacks get a malformed buffer, which makes the audio callback raise."""

    kind: ClassVar[str] = "callback_raises"
    count: int = 1

    def start(self, ctx: FaultContext) -> Any:
        ctx.target.raise_in_callback(self.target, self.count)


@dataclass
class SampleRateChange(Fault):
    """The device switches its sample rate under the running stream."""

    kind: ClassVar[str] = "sample_rate_change"
    rate: int = 44_100

    def start(self, ctx: FaultContext) -> Any:
        return {"previous_rate": ctx.target.change_sample_rate(self.target, self.rate)}


@dataclass
class BufferExhaustion(Fault):
    """A competing allocator drains the block pool (``mode="pool"``) or the global buffer limit
    (``mode="limit"``) for ``duration_s``, then gives everything back."""

    kind: ClassVar[str] = "buffer_exhaustion"
    duration_s: float = 0.2
    target: str = "dsp"
    mode: str = "pool"
    resource: str = "buffers"

    def start(self, ctx: FaultContext) -> Any:
        system = ctx.system
        if self.mode == "pool":
            pipeline = system.pipeline
            if pipeline is None:
                return {"pool": None, "held": []}
            pool, held = pipeline.pool, []
            while (idx := pool.acquire()) is not None:
                held.append(idx)
            return {"pool": pool, "held": held}
        if self.mode == "limit":
            from system_under_test.resources import ResourceType  # noqa: PLC0415
            rtype = ResourceType(self.resource)
            limit = system.resources.limit(rtype) or 0
            free = max(0, limit - system.resources.usage().get(rtype, 0))
            alloc = system.resources.allocate("fault:competitor", rtype, free, "buffer exhaustion fault") \
                if free else None
            return {"allocation": alloc, "amount": free}
        raise ValueError(f"BufferExhaustion.mode must be 'pool' or 'limit', not {self.mode!r}")

    def end(self, ctx: FaultContext, token: Any) -> None:
        if not token:
            return
        if token.get("pool") is not None:
            for idx in token["held"]:
                token["pool"].release(idx)
        if token.get("allocation") is not None:
            ctx.system.resources.release(token["allocation"])


def invalid_config(rng: random.Random, kind: str | None = None) -> tuple[dict[str, Any], str]:
    """A configuration that must be rejected, and why: wrong types, out-of-range values, broken
    cross-field rules, unknown schema versions, unknown fields, missing devices."""
    kinds = INVALID_CONFIG_KINDS
    kind = kind or rng.choice(kinds)
    if kind == "wrong_type":
        section, key, value = rng.choice([
            ("stream", "sample_rate", "fast"), ("stream", "block_size", [256]),
            ("device", "input_channels", "two"), ("buffers", "ring_blocks", {"n": 8}),
            ("recovery", "max_attempts", "many"), ("device", "input_device", 7),
        ])
        return {section: {key: value}}, f"{section}.{key} has the wrong type"
    if kind == "out_of_range":
        section, key, value = rng.choice([
            ("stream", "sample_rate", rng.choice([0, -48_000, 7_999, 384_001, 10**9])),
            ("stream", "block_size", rng.choice([0, 15, 8193, -1])),
            ("stream", "latency_ms", rng.choice([0, -5.0, 2000.5])),
            ("device", "input_channels", rng.choice([0, 65])),
            ("buffers", "ring_blocks", rng.choice([1, 0, 1025])),
            ("recovery", "backoff_factor", rng.choice([0.5, 11.0])),
        ])
        return {section: {key: value}}, f"{section}.{key}={value!r} is out of range"
    if kind == "cross_field":
        choice = rng.randrange(4)
        if choice == 0:
            return {"stream": {"block_size": 4096, "latency_ms": 5.0}}, "block longer than latency"
        if choice == 1:
            return {"dsp": [{"kind": "biquad", "cutoff_hz": 250_000.0}]}, "cutoff above Nyquist"
        if choice == 2:
            return {"dsp": [{"kind": "mixer", "matrix": [[1.0, 0.0, 0.0]]}]}, "mixer shape mismatch"
        return {"stream": {"sample_rate": 32_000}}, "rate the device does not support"
    if kind == "unknown_version":
        return {"schema_version": rng.choice([0, 4, 99, -1])}, "unknown schema_version"
    if kind == "unknown_field":
        return {"stream": {"sample_rat": 48_000}}, "misspelt field"
    if kind == "missing_device":
        return {"device": {"input_device": "no-such-device"}}, "device not present"
    if kind == "not_a_mapping":
        return ["not", "a", "table"], "root is not a mapping"  # type: ignore[return-value]
    raise ValueError(f"unknown invalid-config kind {kind!r}")


INVALID_CONFIG_KINDS = ("wrong_type", "out_of_range", "cross_field", "unknown_version", "unknown_field",
                        "missing_device", "not_a_mapping")


@dataclass
class InvalidConfig(Fault):
    """A generated invalid configuration applied while running; it must be rejected, changing nothing."""

    kind: ClassVar[str] = "invalid_config"
    target: str = "config"
    variant: str = ""

    def start(self, ctx: FaultContext) -> Any:
        from .history import run_op  # noqa: PLC0415
        cfg, reason = invalid_config(ctx.rng, self.variant or None)
        if ctx.history is not None:
            result = run_op(ctx.history, ctx.system, "configure", cfg, process="fault",
                            meta={"invalid": True, "reason": reason})
            return {"reason": reason, "outcome": result.outcome,
                    "error": type(result.error).__name__ if result.error else None}
        try:
            ctx.system.configure(cfg)
        except Exception as exc:  # noqa: BLE001 - the expected ConfigError, or a finding
            return {"reason": reason, "outcome": "fail", "error": type(exc).__name__}
        return {"reason": reason, "outcome": "ok", "error": None}


@dataclass
class ConcurrentTransitions(Fault):
    """``threads`` threads (2..64) issue ``ops_per_thread`` random lifecycle operations at once."""

    kind: ClassVar[str] = "concurrent_transitions"
    transient: ClassVar[bool] = False
    target: str = "system"
    threads: int = 8
    ops_per_thread: int = 20
    operations: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 2 <= self.threads <= 64:
            raise ValueError(f"concurrent_transitions: threads must be within 2..64, got {self.threads!r}")
        check_storm_operations(self.operations)

    def start(self, ctx: FaultContext) -> Any:
        if not 2 <= self.threads <= 64:
            raise ValueError("ConcurrentTransitions.threads must be within 2..64")
        stats = system_storm(ctx.system, threads=self.threads, ops_per_thread=self.ops_per_thread,
                             seed=ctx.rng.randrange(2**32), history=ctx.history,
                             operations=self.operations or STORM_OPERATIONS)
        restored = restore_running(ctx.system, ctx.history) if ctx.history is not None else []
        return {"ops": stats.ops, "outcomes": stats.outcomes, "restored_with": restored}


def _yield_every_line(files: set[str]) -> Callable[..., Any]:
    """A trace function that gives the GIL away before every line of code in ``files`` (a
    preemption point per line, as systematic concurrency testers place them): with it, a
    check-then-act without a lock there is interleaved on nearly every call, not once in a while."""
    def local(frame: Any, event: str, arg: Any) -> Any:
        if event == "line":
            _time.sleep(0)
        return local

    def trace(frame: Any, event: str, arg: Any) -> Any:
        return local if event == "call" and frame.f_code.co_filename in files else None

    return trace


@dataclass
class LifecycleCalls(Fault):
    """An operator's ``count`` random lifecycle calls, one after another on the injector's thread
    (pause, resume, stop, start, reconfigure, recover, a rejected configure, ...), then the system
    brought back to running. Calls in the wrong state are part of the mix: the system must refuse
    them. Single-threaded, so a simulated run stays the same for the same seed; for races use
    ``concurrent_transitions`` (several threads, histories that differ run to run)."""

    kind: ClassVar[str] = "lifecycle_calls"
    transient: ClassVar[bool] = False
    target: str = "system"
    count: int = 8

    def start(self, ctx: FaultContext) -> Any:
        if not 1 <= self.count <= 10_000:
            raise ValueError("LifecycleCalls.count must be within 1..10000")
        history = ctx.history
        if history is None:
            from .history import History  # noqa: PLC0415
            history = History(clock=ctx.system.clock)
        history.note_quiescent(ctx.system)
        _, _, outcomes = _random_ops(ctx.system, history, random.Random(ctx.rng.randrange(2**32)), "operator",
                                     self.count, STORM_OPERATIONS)
        history.note_quiescent(ctx.system)
        return {"outcomes": outcomes, "restored_with": restore_running(ctx.system, history)}


@dataclass
class CoordinatorContention(Fault):
    """``threads`` threads race ``transition()`` on a fresh coordinator of the system's own class.

    The system serialises its own lifecycle calls under one lock, so no run of it can show whether
    the coordinator's validate-and-apply is atomic, as the coordinator promises to every component
    that shares it. This fault checks that promise directly: each thread reads a component's state
    and asks for a legal next one, and the coordinator's own transition log is then read back in
    ``seq`` order: a transition that starts from a state its component was no longer in is a lost
    update (``discontinuities`` in the record; ``legal_transitions`` fails on them).
    """

    kind: ClassVar[str] = "coordinator_contention"
    transient: ClassVar[bool] = False
    target: str = "coordinator"
    threads: int = 4
    ops_per_thread: int = 5  # with a forced switch at every line, 4 x 5 calls expose a race every time

    def start(self, ctx: FaultContext) -> Any:
        if not 2 <= self.threads <= 64:
            raise ValueError("CoordinatorContention.threads must be within 2..64")
        coordinator = getattr(ctx.system, "coordinator", None)
        if coordinator is None:
            return {"skipped": "the system has no coordinator"}
        probe = type(coordinator)()
        components = ("probe",)  # one component: every thread contends for it
        for name in components:
            probe.register(name)
        seed = ctx.rng.randrange(2**32)
        barrier = threading.Barrier(self.threads)
        # preemption points in the coordinator class's own code (and its bases'), nowhere else
        tracer = _yield_every_line({inspect.getfile(c) for c in type(probe).__mro__ if c is not object})

        def worker(i: int) -> None:
            rng = random.Random(f"contention:{seed}:{i}")
            barrier.wait()
            sys.settrace(tracer)  # a forced switch at every line: any unguarded read-then-write interleaves
            try:
                for _ in range(self.ops_per_thread):
                    name = rng.choice(components)
                    legal = sorted(t for t in TRANSITIONS[probe.state(name)] if t is not State.CLOSED)
                    if not legal:
                        continue
                    try:
                        probe.transition(name, rng.choice(legal), "contention")
                    except IllegalTransitionError:
                        pass  # another thread moved it first: a refusal is the coordinator doing its job
            finally:
                sys.settrace(None)

        _unleash(worker, self.threads, "contention", 1e-6)
        last = {name: State.UNINITIALIZED.value for name in components}
        bad = []
        for rec in probe.history.records():
            d = rec.to_dict()
            comp, a, b = d["component"], d["from_state"], d["to_state"]
            if last.get(comp) != a and len(bad) < 20:
                bad.append({"seq": d["seq"], "component": comp, "from_state": a, "to_state": b,
                            "was_in": last.get(comp)})
            last[comp] = b
        # only what a correct coordinator makes the same every time: how threads interleaved is not
        return {"ops": self.threads * self.ops_per_thread, "discontinuities": bad}


class SlowStage:
    """A DSP stage that takes ``cost_s`` per block: declared on a virtual clock, burnt on a real one."""

    kind = "slow"

    def __init__(self, cost_s: float, *, burn: bool) -> None:
        self.cost_s = cost_s
        self.burn = burn

    def process(self, block: Any) -> Any:
        if self.burn:
            end = _time.perf_counter() + self.cost_s
            while _time.perf_counter() < end:
                pass
        return block

    def reset(self) -> None:
        pass

    def output_channels(self, input_channels: int) -> int:
        return input_channels


def _slow_stage(cost_s: float, burn: bool) -> Any:
    from system_under_test.dsp import Stage  # noqa: PLC0415

    class _Slow(SlowStage, Stage):
        pass

    return _Slow(cost_s, burn=burn)


@dataclass
class SlowDsp(Fault):
    """A DSP stage slower than the block budget (``factor`` x budget) for ``duration_s``."""

    kind: ClassVar[str] = "slow_dsp"
    duration_s: float = 0.2
    target: str = "dsp"
    factor: float = 1.5

    def start(self, ctx: FaultContext) -> Any:
        pipeline = ctx.system.pipeline
        if pipeline is None:
            return None
        stage = _slow_stage(pipeline.budget_s * self.factor, burn=not getattr(ctx.system.clock, "virtual", False))
        chain = pipeline.chain
        chain.add_stage(stage)
        return {"chain": chain, "stage": stage, "cost_s": stage.cost_s}

    def end(self, ctx: FaultContext, token: Any) -> None:
        if token:
            token["chain"].remove_stage(token["stage"])


#: fault kinds whose ``target`` is a device name
DEVICE_FAULT_KINDS = frozenset({"dropout", "stall", "xrun", "callback_raises", "sample_rate_change"})

FAULT_KINDS: dict[str, type[Fault]] = {c.kind: c for c in (
    DeviceDropout, DeviceStall, LateCallback, CallbackRaises, SampleRateChange, BufferExhaustion,
    InvalidConfig, ConcurrentTransitions, LifecycleCalls, CoordinatorContention, SlowDsp)}


def fault_from_dict(d: Mapping[str, Any]) -> Fault:
    d = dict(d)
    kind = d.pop("kind", None)
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind {kind!r} (known: {', '.join(sorted(FAULT_KINDS))})")
    trig = d.pop("trigger", None)
    if trig is not None:
        d["trigger"] = trigger_from_dict(trig) if isinstance(trig, Mapping) else trig
    if "operations" in d:
        d["operations"] = tuple(d["operations"])
    return FAULT_KINDS[kind](**d)


# =================================================================================== schedule ====

@dataclass
class Schedule:
    """The faults of one run. Build with ``fixed``, ``periodic``, ``random`` or a profile."""

    faults: list[Fault] = field(default_factory=list)
    name: str = "custom"
    seed: int = 0
    duration_s: float | None = None
    #: the fault kinds the profile asked for (kind -> probability per check, only those > 0); a
    #: run that asked for faults and injected none proved nothing about fault handling
    asked: dict[str, float] = field(default_factory=dict)
    #: faults dropped by ``runnable_on`` because the backend cannot inject them
    unsupported: int = 0

    @property
    def requested(self) -> int:
        """Faults the schedule asked for: its own, plus those the backend could not inject."""
        return len(self.faults) + self.unsupported

    def __post_init__(self) -> None:
        for i, f in enumerate(self.faults):
            if not f.fault_id:
                f.fault_id = f"{f.kind}#{i}"

    def __len__(self) -> int:
        return len(self.faults)

    def runnable_on(self, target: Any, history: "History | None" = None) -> "Schedule":
        """This schedule without the faults ``target`` cannot inject, each dropped one noted in
        ``history`` (``fault_skipped``, with the reason). A target without ``unsupported_reason``
        can inject everything: the schedule itself is returned."""
        reason_for = getattr(target, "unsupported_reason", None)
        if reason_for is None:
            return self
        kept = []
        for fault in self.faults:
            reason = reason_for(fault.kind)
            if reason is None:
                kept.append(fault)
            elif history is not None:
                history.note("fault_skipped", fault_id=fault.fault_id, kind=fault.kind,
                             trigger=fault.trigger.describe(), reason=reason)
        if len(kept) == len(self.faults):
            return self
        return Schedule(kept, name=self.name, seed=self.seed, duration_s=self.duration_s, asked=self.asked,
                        unsupported=self.unsupported + len(self.faults) - len(kept))

    def shifted(self, t0: float) -> "Schedule":
        """This schedule with its clock times moved to start at ``t0``.

        A profile says "12.5 s into the run" as ``At(12.5)`` and ``FaultInjector`` reads trigger
        times on the system clock. The virtual clock starts at 0, so there the two agree; a real
        clock reads ~10^4 s (monotonic), so unshifted every fault would fire at once when armed
        (measured on the JACK rig: all 15 faults of ``--faults default`` in one instant).
        ``OnCall`` triggers count calls, not time, and are kept as they are.
        """
        def shift(trigger: Trigger) -> Trigger:
            if isinstance(trigger, At):
                return dataclasses.replace(trigger, time=trigger.time + t0)
            if isinstance(trigger, Every):
                return dataclasses.replace(trigger, start_s=trigger.start_s + t0)
            if isinstance(trigger, WithProbability):
                return dataclasses.replace(trigger, start_s=trigger.start_s + t0,
                                           until_s=None if trigger.until_s is None else trigger.until_s + t0)
            return trigger

        faults = [dataclasses.replace(f, trigger=shift(f.trigger)) for f in self.faults]
        return Schedule(faults, name=self.name, seed=self.seed, duration_s=self.duration_s, asked=self.asked,
                        unsupported=self.unsupported)

    def __iter__(self) -> Any:
        return iter(self.faults)

    @classmethod
    def fixed(cls, items: Iterable[tuple[float, Fault]], **kw: Any) -> "Schedule":
        faults = []
        for when, fault in items:
            fault.trigger = At(when)
            faults.append(fault)
        return cls(faults, **kw)

    @classmethod
    def periodic(cls, fault: Fault, period_s: float, *, start_s: float = 0.0, count: int | None = None,
                 **kw: Any) -> "Schedule":
        fault.trigger = Every(period_s, start_s, count)
        return cls([fault], **kw)

    @classmethod
    def random(cls, duration_s: float, seed: int, probabilities: Mapping[str, float], *,
               check_every_s: float = 0.25, start_s: float = 0.5,
               params: Mapping[str, Mapping[str, Any]] | None = None, name: str = "random") -> "Schedule":
        """Pre-draw fault times: at each check, each kind fires with its probability (seeded)."""
        if not (math.isfinite(check_every_s) and check_every_s > 0):
            raise UsageError(f"check_every_s must be a positive number of seconds, got {check_every_s!r}")
        checks = (duration_s - start_s) / check_every_s
        if probabilities and checks > MAX_SCHEDULE_CHECKS:
            raise UsageError(
                f"a {duration_s:g} s run checked every {check_every_s:g} s draws {checks:.3g} fault "
                f"checks before it starts (limit {MAX_SCHEDULE_CHECKS:.0e}); shorten the run or raise "
                "the profile's check_every_s")
        rng = random.Random(f"schedule:{seed}")
        faults: list[Fault] = []
        t = start_s
        while t < duration_s:
            for kind in sorted(probabilities):
                if rng.random() < probabilities[kind]:
                    p = dict((params or {}).get(kind, {}))
                    for key, value in list(p.items()):  # [lo, hi] ranges are drawn per fault
                        if isinstance(value, (list, tuple)) and len(value) == 2 and key != "operations" \
                                and all(isinstance(v, (int, float)) for v in value):
                            lo, hi = value
                            p[key] = rng.randint(lo, hi) if isinstance(lo, int) and isinstance(hi, int) \
                                else rng.uniform(lo, hi)
                    fault = fault_from_dict({"kind": kind, **p})
                    fault.trigger = At(round(t + rng.uniform(0, check_every_s), 6))
                    faults.append(fault)
            t += check_every_s
        faults.sort(key=lambda f: f.trigger.time)  # type: ignore[attr-defined]
        return cls(faults, name=name, seed=seed, duration_s=duration_s,
                   asked={k: float(p) for k, p in sorted(probabilities.items()) if p > 0})

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "seed": self.seed, "duration_s": self.duration_s,
                "asked": dict(self.asked), "unsupported": self.unsupported,
                "faults": [f.to_dict() for f in self.faults]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Schedule":
        return cls([fault_from_dict(f) for f in d.get("faults", [])], name=d.get("name", "custom"),
                   seed=int(d.get("seed", 0)), duration_s=d.get("duration_s"),
                   asked=dict(d.get("asked") or {}), unsupported=int(d.get("unsupported", 0)))


# =================================================================================== profiles ====

#: most fault checks a random schedule pre-draws (a fortnight at the default 0.25 s): the schedule
#: is drawn before the run starts, so its size must be bounded by something other than patience
MAX_SCHEDULE_CHECKS = 5_000_000

@dataclass(frozen=True)
class Profile:
    """A named fault mix: per-kind probability per check, and per-kind parameters (ranges allowed)."""

    name: str
    probabilities: Mapping[str, float]
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    check_every_s: float = 0.25
    description: str = ""
    #: the profile file's ``[gates]`` table (``harness.gates``): performance thresholds and the
    #: steady-state window; None: no gate, the default window
    gates: Any = None

    @property
    def wants_faults(self) -> bool:
        """The profile asks for faults (any kind with a probability above 0): a run of it that
        injected none tested nothing under faults and cannot pass."""
        return any(p > 0 for p in self.probabilities.values())

    def unknown_targets(self, devices: Iterable[str]) -> list[str]:
        """``params.<kind>.target`` values naming no device in ``devices`` (device faults only)."""
        known = set(devices)
        return [f"params.{kind}.target: no device {kw['target']!r} (devices: {', '.join(sorted(known))})"
                for kind, kw in sorted(self.params.items())
                if kind in DEVICE_FAULT_KINDS and "target" in kw and kw["target"] not in known]

    def schedule(self, duration_s: float, seed: int) -> Schedule:
        return Schedule.random(duration_s, seed, self.probabilities, check_every_s=self.check_every_s,
                               params=self.params, name=self.name)


_DEVICE_PARAMS: dict[str, dict[str, Any]] = {
    "dropout": {"duration_s": [0.05, 0.8]},
    "stall": {"duration_s": [0.02, 0.3]},
    "xrun": {"delay_s": [0.005, 0.05]},
    "callback_raises": {"count": [1, 5]},
    "buffer_exhaustion": {"duration_s": [0.05, 0.5]},
    "slow_dsp": {"duration_s": [0.05, 0.5], "factor": [1.1, 3.0]},
    "lifecycle_calls": {"count": [3, 20]},
}

PROFILES: dict[str, Profile] = {
    "none": Profile("none", {}, description="no faults: the steady-state baseline"),
    "gentle": Profile("gentle", {"xrun": 0.05, "stall": 0.01, "callback_raises": 0.01},
                      _DEVICE_PARAMS, check_every_s=0.5, description="occasional glitches"),
    "default": Profile("default", {"xrun": 0.1, "stall": 0.03, "dropout": 0.02, "callback_raises": 0.03,
                                   "buffer_exhaustion": 0.02, "slow_dsp": 0.02, "invalid_config": 0.02,
                                   "lifecycle_calls": 0.04, "coordinator_contention": 0.02},
                       _DEVICE_PARAMS, check_every_s=0.25,
                       description="every transient fault now and then"),
    "hostile": Profile("hostile", {"xrun": 0.3, "stall": 0.1, "dropout": 0.08, "callback_raises": 0.1,
                                   "buffer_exhaustion": 0.08, "slow_dsp": 0.08, "invalid_config": 0.08,
                                   "sample_rate_change": 0.03, "lifecycle_calls": 0.03,
                                   "coordinator_contention": 0.01},
                       {**_DEVICE_PARAMS, "sample_rate_change": {"rate": 44_100}}, check_every_s=0.2,
                       description="many overlapping faults"),
}


def profile_schedule(name: str, duration_s: float, seed: int) -> Schedule:
    """The seeded schedule of profile ``name`` (``none``, ``gentle``, ``default``, ``hostile``)."""
    try:
        profile = PROFILES[name]
    except KeyError:
        from .inputs import clip  # noqa: PLC0415
        raise ValueError(f"unknown fault profile {clip(name)} (known: {', '.join(PROFILES)})") from None
    return profile.schedule(duration_s, seed)


# -- the profile file format, validated by pydantic (extra="forbid" everywhere) -------------------
# A misspelt table (``[probabilites]``), an unknown key at any level or a system-config file given
# as ``--faults`` is an error naming the key and the closest valid one, never a silent run without
# faults. Every number is finite and in a range a run can survive (a ``check_every_s`` of 1e-9 used
# to pre-draw billions of checks; ``threads = 1000`` used to fail mid-run instead of at load).

_PositiveS = Annotated[float, PField(ge=0.0, le=3600.0)]


def _range_of(t: Any) -> Any:
    """A parameter given as one value, or as a ``[lo, hi]`` range drawn per fault (lo <= hi); one
    clear error either way (a plain ``Union`` would report one error per alternative)."""
    from pydantic import TypeAdapter, ValidationError  # noqa: PLC0415

    adapter = TypeAdapter(t)

    def one(v: Any) -> Any:
        try:
            return adapter.validate_python(v)
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            raise ValueError(f"{err['msg']} (got {err.get('input')!r:.60})") from None

    def check(v: Any) -> Any:
        if isinstance(v, (list, tuple)):
            if len(v) != 2:
                raise ValueError(f"give one value or a [lo, hi] range, got a list of {len(v)}")
            lo, hi = one(v[0]), one(v[1])
            if lo > hi:
                raise ValueError(f"a [lo, hi] range needs lo <= hi, got [{lo}, {hi}]")
            return (lo, hi)
        return one(v)

    return Annotated[Any, PlainValidator(check)]


class _ProfileModel(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=False)


class _FaultParams(_ProfileModel):
    duration_s: _range_of(_PositiveS) = None  # type: ignore[valid-type]
    target: Annotated[str, PField(min_length=1, max_length=128)] | None = None


class _DropoutParams(_FaultParams):
    report: bool = True


class _XrunParams(_FaultParams):
    delay_s: _range_of(Annotated[float, PField(gt=0.0, le=10.0)]) = None  # type: ignore[valid-type]


class _CallbackRaisesParams(_FaultParams):
    count: _range_of(Annotated[int, PField(ge=1, le=10_000)]) = None  # type: ignore[valid-type]


class _RateChangeParams(_FaultParams):
    rate: _range_of(Annotated[int, PField(ge=8_000, le=384_000)]) = None  # type: ignore[valid-type]


class _BufferParams(_FaultParams):
    mode: Literal["pool", "limit"] = "pool"
    resource: Literal["buffers", "frames", "streams", "threads", "bytes"] = "buffers"


class _InvalidConfigParams(_FaultParams):
    variant: Literal["", "wrong_type", "out_of_range", "cross_field", "unknown_version", "unknown_field",
                     "missing_device", "not_a_mapping"] = ""


class _StormParams(_FaultParams):
    threads: _range_of(Annotated[int, PField(ge=2, le=64)]) = None  # type: ignore[valid-type]
    ops_per_thread: _range_of(Annotated[int, PField(ge=1, le=10_000)]) = None  # type: ignore[valid-type]
    operations: tuple[Literal["initialize", "configure", "start", "pause", "resume", "stop", "recover",
                              "simulate_error", "reconfigure", "configure_invalid"], ...] | None = None


class _SlowDspParams(_FaultParams):
    factor: _range_of(Annotated[float, PField(gt=0.0, le=100.0)]) = None  # type: ignore[valid-type]


_PARAM_MODELS: dict[str, type[_FaultParams]] = {
    "dropout": _DropoutParams, "stall": _FaultParams, "xrun": _XrunParams,
    "callback_raises": _CallbackRaisesParams, "sample_rate_change": _RateChangeParams,
    "buffer_exhaustion": _BufferParams, "invalid_config": _InvalidConfigParams,
    "concurrent_transitions": _StormParams, "slow_dsp": _SlowDspParams,
}

_Probability = Annotated[float, PField(ge=0.0, le=1.0)]
#: shortest check interval a profile may ask for; with ``MAX_SCHEDULE_CHECKS`` it bounds the
#: schedule drawn before a run starts (time and memory)
MIN_CHECK_EVERY_S = 0.001


class _Probabilities(_ProfileModel):
    dropout: _Probability = 0.0
    stall: _Probability = 0.0
    xrun: _Probability = 0.0
    callback_raises: _Probability = 0.0
    sample_rate_change: _Probability = 0.0
    buffer_exhaustion: _Probability = 0.0
    invalid_config: _Probability = 0.0
    concurrent_transitions: _Probability = 0.0
    slow_dsp: _Probability = 0.0


class _Params(_ProfileModel):
    dropout: _DropoutParams | None = None
    stall: _FaultParams | None = None
    xrun: _XrunParams | None = None
    callback_raises: _CallbackRaisesParams | None = None
    sample_rate_change: _RateChangeParams | None = None
    buffer_exhaustion: _BufferParams | None = None
    invalid_config: _InvalidConfigParams | None = None
    concurrent_transitions: _StormParams | None = None
    slow_dsp: _SlowDspParams | None = None


class ProfileFile(_ProfileModel):
    """A fault profile file (TOML). ``probabilities`` is required: a file without it is not a
    profile (the built-in ``none`` is the profile without faults)."""

    name: Annotated[str, PField(min_length=1, max_length=64)] | None = None
    description: Annotated[str, PField(max_length=2_000)] = ""
    check_every_s: Annotated[float, PField(ge=MIN_CHECK_EVERY_S, le=3600.0)] = 0.25
    probabilities: _Probabilities
    params: _Params = _Params()
    gates: Gates | None = None


def _profile_keys(loc: tuple[Any, ...]) -> list[str]:
    """The valid keys at ``loc`` of a profile file (for "did you mean" messages)."""
    if not loc:
        return list(ProfileFile.model_fields)
    if loc == ("probabilities",):
        return list(_Probabilities.model_fields)
    if loc == ("params",):
        return list(_Params.model_fields)
    if loc == ("gates",):
        return list(Gates.model_fields)
    if len(loc) == 2 and loc[0] == "params" and loc[1] in _PARAM_MODELS:
        return list(_PARAM_MODELS[str(loc[1])].model_fields)
    return []


def load_profile(path: str | Path) -> Profile:
    """Read a profile from TOML::

        name = "flaky-usb"
        check_every_s = 0.25
        [probabilities]
        dropout = 0.05
        xrun = 0.2
        [params.dropout]
        duration_s = [0.1, 0.5]     # a [lo, hi] range is drawn per fault

    Any problem is one ``ScenarioFileError`` (exit 2) naming the file, each field path, what is
    wrong and the fix (for an unknown key, the closest valid one).
    """
    from pydantic import ValidationError  # noqa: PLC0415

    from .inputs import load_document, validation_message  # noqa: PLC0415

    p = Path(path)
    doc = load_document(p, "fault profile", fmt="toml", error=ScenarioFileError)
    try:
        model = ProfileFile.model_validate(doc)
    except ValidationError as exc:
        hint = ""
        if "probabilities" not in doc:
            hint = (" (a fault profile needs a [probabilities] table of fault kind = probability; "
                    "is this a system configuration? those go to --config)")
        label = lambda loc: "unknown fault kind" if loc in (("probabilities",), ("params",)) else "unknown key"  # noqa: E731
        raise ScenarioFileError(p, validation_message(exc, known_keys=_profile_keys, unknown_label=label)
                                + hint) from None
    probs = {k: v for k, v in model.probabilities.model_dump().items() if v > 0}
    params = {k: {pk: (list(pv) if isinstance(pv, tuple) else pv) for pk, pv in v.items() if pv is not None}
              for k, v in model.params.model_dump(exclude_unset=True).items() if v}
    return Profile(model.name or p.stem, probs, params, model.check_every_s, model.description, model.gates)


# =================================================================================== injector ====

#: firings an injector keeps in memory (``FaultInjector.records``)
RECORDS_KEPT = 1_000


class FaultInjector:
    """Applies a seeded ``Schedule`` to a system; records every firing (and tells the history)."""

    def __init__(self, system: "AudioSystem", schedule: Schedule | Iterable[Fault] = (), seed: int = 0, *,
                 target: FaultTarget | None = None, history: "History | None" = None) -> None:
        self.system = system
        self.schedule = schedule if isinstance(schedule, Schedule) else Schedule(list(schedule))
        self.seed = seed
        self.target = target if target is not None else target_for(system)
        self.history = history
        #: the newest firings (``RECORDS_KEPT``); the history has every one, ``fired_by_kind`` counts
        #: them all. Bounded because the injector lives in the process whose memory a soak judges:
        #: a list of every firing grew ~1.5 MB per simulated hour under the default profile.
        self.records: deque[FaultRecord] = deque(maxlen=RECORDS_KEPT)
        self.fired_by_kind: Counter[str] = Counter()
        self._active: dict[str, tuple[Fault, FaultRecord, Any, Any]] = {}
        self._timers: list[Any] = []
        self._restore: list[Callable[[], None]] = []
        self._listeners: list[Callable[[str, FaultRecord], None]] = []
        self._lock = threading.RLock()
        self._firings = 0
        self._scheduler: Any = None
        self.armed = False
        self.skipped = 0

    # -- clock ----------------------------------------------------------------------------------
    def _call_at(self, when: float, fn: Callable[[], None]) -> None:
        clock = self.system.clock
        if hasattr(clock, "call_at"):
            self._timers.append(clock.call_at(when, fn))
        else:
            self._call_later(when - clock.now(), fn)

    def _call_later(self, delay: float, fn: Callable[[], None]) -> None:
        clock = self.system.clock
        if hasattr(clock, "call_later"):
            self._timers.append(clock.call_later(delay, fn))
            return
        if self._scheduler is None:
            from system_under_test.scheduler import ThreadScheduler  # noqa: PLC0415
            self._scheduler = ThreadScheduler(clock, name="soundcheck-faults")
        self._timers.append(self._scheduler.call_later(delay, fn))

    # -- listeners ------------------------------------------------------------------------------
    def add_listener(self, fn: Callable[[str, FaultRecord], None]) -> None:
        self._listeners.append(fn)

    def _tell(self, what: str, record: FaultRecord) -> None:
        if self.history is not None:
            (self.history.fault_started if what == "fault_start" else self.history.fault_ended)(record)
        for fn in list(self._listeners):
            fn(what, record)

    def _rng(self, fault: Fault) -> random.Random:
        return random.Random(f"{self.seed}:{fault.fault_id}")

    # -- arming ---------------------------------------------------------------------------------
    def arm(self) -> "FaultInjector":
        """Schedule every fault's trigger. Idempotent."""
        if self.armed:
            return self
        self.armed = True
        for fault in self.schedule.faults:
            rng = self._rng(fault)
            fault.trigger.arm(self, lambda f=fault, r=rng: self._fire(f, r), rng)
        return self

    @property
    def fired(self) -> int:
        """Firings so far (``records`` keeps only the newest ``RECORDS_KEPT``)."""
        return self._firings

    def inject(self, fault: Fault, *, duration_s: float | None = None) -> FaultRecord | None:
        """Fire ``fault`` now (it ends after its duration, or when ``end`` is called)."""
        if not fault.fault_id:
            fault.fault_id = f"{fault.kind}#manual{self._firings}"
        if duration_s is not None:
            fault.duration_s = duration_s
        return self._fire(fault, self._rng(fault))

    def _fire(self, fault: Fault, rng: random.Random) -> FaultRecord | None:
        with self._lock:
            if fault.fault_id in self._active:
                self.skipped += 1  # still active from a previous firing
                return None
            self._firings += 1
            record = FaultRecord(f"{fault.fault_id}@{self._firings}", fault.fault_id, fault.kind, fault.target,
                                 fault.trigger.describe(), self.system.clock.now(), None, fault.transient,
                                 fault.duration_s, {})
            ctx = FaultContext(self.system, self.target, rng, self.history, self)
            self.records.append(record)
            self.fired_by_kind[fault.kind] += 1
            self._tell("fault_start", record)
            token = fault.start(ctx)
            record.details = _public(token)
            if fault.duration_s > 0:
                self._active[fault.fault_id] = (fault, record, token, ctx)
                self._call_later(fault.duration_s, lambda: self._end(fault.fault_id))
            else:
                fault.end(ctx, token)
                record.ended_at = self.system.clock.now()
                self._tell("fault_end", record)
            return record

    def _end(self, fault_id: str) -> None:
        with self._lock:
            item = self._active.pop(fault_id, None)
            if item is None:
                return
            fault, record, token, ctx = item
            fault.end(ctx, token)
            record.ended_at = self.system.clock.now()
            self._tell("fault_end", record)

    def end(self, fault: Fault | str) -> None:
        """End an active fault now."""
        self._end(fault if isinstance(fault, str) else fault.fault_id)

    @property
    def active(self) -> list[FaultRecord]:
        with self._lock:
            return [rec for _, rec, _, _ in self._active.values()]

    def disarm(self) -> None:
        """Cancel pending triggers and end every active fault (devices return, pools refill)."""
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        for undo in self._restore:
            undo()
        self._restore.clear()
        for fault_id in list(self._active):
            self._end(fault_id)
        if self._scheduler is not None:
            self._scheduler.close()
            self._scheduler = None
        self.armed = False

    def __enter__(self) -> "FaultInjector":
        return self.arm()

    def __exit__(self, *exc: object) -> None:
        self.disarm()


def _public(token: Any) -> dict[str, Any]:
    if not isinstance(token, dict):
        return {}
    return {k: v for k, v in token.items() if isinstance(v, (int, float, str, bool, type(None), list))
            and k != "held"}


# ===================================================================================== storms ====

#: lifecycle operations a system storm draws from (``close`` is left out: it ends the storm early)
STORM_OPERATIONS: tuple[str, ...] = ("initialize", "configure", "start", "pause", "resume", "stop",
                                     "recover", "simulate_error", "reconfigure", "configure_invalid")


#: every operation a storm may call: the drawn mix plus ``close`` (which ends the system for every
#: other thread, so only a storm that asks for it by name races it)
STORM_ALLOWED: tuple[str, ...] = (*STORM_OPERATIONS, "close")


def check_storm_operations(operations: Iterable[str]) -> None:
    """The allow-list: a storm calls ``getattr(system, op)``, so an unlisted name (``__class__``,
    anything) would be looked up on the system object and called."""
    bad = [op for op in operations if op not in STORM_ALLOWED]
    if bad:
        raise ValueError(f"unknown storm operation(s) {', '.join(map(repr, bad))} "
                         f"(allowed: {', '.join(STORM_ALLOWED)})")


@dataclass
class StormStats:
    ops: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    latencies_s: list[float] = field(default_factory=list)
    transition_latencies_s: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    errors: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, latencies: list[float], transition_latencies: list[float], outcomes: dict[str, int]) -> None:
        """Fold one storm thread's tallies in (called once per thread, at its end)."""
        with self._lock:
            self.ops += len(latencies)
            self.latencies_s.extend(latencies)
            self.transition_latencies_s.extend(transition_latencies)
            for k, v in outcomes.items():
                self.outcomes[k] = self.outcomes.get(k, 0) + v

    def crashed(self, proc: str, exc: BaseException) -> None:
        with self._lock:
            self.errors.append(f"{proc}: {type(exc).__name__}: {exc}")


def _unleash(worker: Callable[[int], None], threads: int, prefix: str, switch_interval_s: float | None) -> float:
    """Run ``worker(i)`` on ``threads`` named threads with a tiny switch interval (dense
    interleavings); returns the wall time. The interval is restored even if a thread fails to start."""
    import sys  # noqa: PLC0415

    old = sys.getswitchinterval()
    if switch_interval_s is not None:
        sys.setswitchinterval(switch_interval_s)
    t_start = _time.perf_counter()
    try:
        workers = [threading.Thread(target=worker, args=(i,), name=f"{prefix}-{i}") for i in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    finally:
        sys.setswitchinterval(old)
    return _time.perf_counter() - t_start


_VALID_STORM_CONFIGS = ({}, {"dsp": [{"kind": "gain", "gain_db": -6.0}]},
                        {"stream": {"block_size": 128}}, {"buffers": {"ring_blocks": 4}})


def restore_running(system: "AudioSystem", history: "History") -> list[str]:
    """Bring a system a storm left stopped, paused or failed back to RUNNING (recorded ops of the
    process ``nemesis``), so the rest of a run goes on testing a running system; returns the ops.
    At most one op per state on the way; a refusal ends the attempt (the state says why)."""
    from .history import run_op  # noqa: PLC0415
    done: list[str] = []
    for _ in range(4):
        state = system.state
        if state is State.RUNNING or state is State.CLOSED:
            break
        if state is State.FAILED:
            op, args = "recover", ()
        elif state is State.PAUSED:
            op, args = "resume", ()
        elif state in (State.STOPPED, State.CONFIGURED):
            op, args = "start", ()
        elif state in (State.UNINITIALIZED,):
            op, args = "initialize", ()
        elif state is State.INITIALIZED:
            op, args = "configure", (dict(system.config.to_dict()) if system.config is not None else {},)
        else:
            break  # mid-transition states are left to the system
        done.append(op)
        if run_op(history, system, op, *args, process="nemesis").outcome != "ok":
            break
    return done


def _random_ops(system: "AudioSystem", hist: "History", rng: random.Random, proc: str, count: int,
                operations: Sequence[str], record: bool = True
                ) -> tuple[list[float], list[float], dict[str, int]]:
    """``count`` lifecycle ops drawn by ``rng`` from ``operations``, called on this thread (recorded
    invoke/ok/fail when ``record``); returns latencies, latencies of ops that made a transition, and
    outcome counts."""
    from .history import classify, run_op  # noqa: PLC0415
    lat: list[float] = []
    tlat: list[float] = []
    outcomes: dict[str, int] = {}
    for _ in range(count):
        op = rng.choice(operations)
        args: tuple[Any, ...] = ()
        meta = None
        if op in ("configure", "reconfigure"):
            args = (rng.choice(_VALID_STORM_CONFIGS),)
        elif op == "configure_invalid":
            cfg, reason = invalid_config(rng)
            op, args, meta = "configure", (cfg,), {"invalid": True, "reason": reason}
        elif op == "simulate_error":
            args = (rng.choice(("dsp", "input", "output", "device")),)
        t0 = _time.perf_counter()
        made_transition = False
        if record:
            res = run_op(hist, system, op, *args, process=proc, meta=meta)
            outcome = res.outcome
            made_transition = bool(res.seqs)
        else:
            try:
                getattr(system, op)(*args)
                outcome = "ok"
            except Exception as exc:  # noqa: BLE001
                outcome = classify(op, exc)
                if outcome == "crash":
                    raise
        lat.append(_time.perf_counter() - t0)
        if made_transition:
            tlat.append(lat[-1])
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return lat, tlat, outcomes


def system_storm(system: "AudioSystem", *, threads: int = 8, ops_per_thread: int = 20, seed: int = 0,
                 history: "History | None" = None, operations: Sequence[str] = STORM_OPERATIONS,
                 switch_interval_s: float | None = 1e-5, record: bool = True) -> StormStats:
    """``threads`` threads each issue ``ops_per_thread`` random lifecycle ops (recorded invoke/ok/fail).

    A tiny ``sys.setswitchinterval`` during the storm makes thread interleavings dense, so races in
    a critical section of a few bytecodes show up in a few hundred operations.
    """
    from .history import History  # noqa: PLC0415
    check_storm_operations(operations)
    hist = history if history is not None else History(clock=system.clock)
    stats = StormStats()
    barrier = threading.Barrier(threads)

    def worker(i: int) -> None:
        proc = f"storm-{i}"
        try:
            barrier.wait()
            lat, tlat, outcomes = _random_ops(system, hist, random.Random(f"storm:{seed}:{i}"), proc,
                                              ops_per_thread, operations, record)
        except BaseException as exc:  # noqa: BLE001 - a crash is a finding, reported by the caller
            stats.crashed(proc, exc)
            return
        stats.add(lat, tlat, outcomes)

    if record:  # where the storm's ops start from: no op is in flight, no storm thread started yet
        hist.note_quiescent(system)
    stats.wall_s = _unleash(worker, threads, "storm", switch_interval_s)
    if record:  # and where they ended: every storm thread has joined
        hist.note_quiescent(system)
    return stats


def coordinator_storm(coordinator: Any, history: "History", *, threads: int = 8, ops_per_thread: int = 50,
                      components: Sequence[str] = ("a", "b", "c"), seed: int = 0,
                      switch_interval_s: float | None = 1e-6) -> StormStats:
    """Threads race ``coordinator.transition`` on a few components: each thread reads a component's
    state, picks a legal target and asks for it (a compare-and-set ``expect`` half the time).

    Recorded as ops ``transition`` with args ``[component, target, expect]``: ``ok`` (value: the
    ``seq`` of the returned record) if applied, ``fail`` on ``IllegalTransitionError``. ``CLOSED`` is never a target (it would end the storm).
    """
    from system_under_test.errors import IllegalTransitionError  # noqa: PLC0415
    from system_under_test.lifecycle import TRANSITIONS, State  # noqa: PLC0415

    for name in components:
        if name not in coordinator.components:
            coordinator.register(name)
    history.record("attach", data={"components": {n: coordinator.state(n).value for n in components},
                                   "model": "coordinator"})
    observer = lambda rec: history.record("transition", data=rec.to_dict(), time=rec.time)  # noqa: E731
    coordinator.add_observer(observer)
    stats = StormStats()
    barrier = threading.Barrier(threads)
    states = list(State)

    def worker(i: int) -> None:
        rng = random.Random(f"cstorm:{seed}:{i}")
        proc = f"cstorm-{i}"
        lat: list[float] = []
        outcomes: dict[str, int] = {}
        try:
            barrier.wait()
            for _ in range(ops_per_thread):
                name = rng.choice(components)
                seen = coordinator.state(name)
                legal = sorted(t for t in TRANSITIONS[seen] if t != State.CLOSED)
                target = rng.choice(legal) if legal and rng.random() < 0.9 else rng.choice(states[:-1])
                expect = [seen.value] if rng.random() < 0.5 else None
                op_id = history.invoke(proc, "transition", [name, target.value, expect])
                t0 = _time.perf_counter()
                try:
                    record = coordinator.transition(name, target, "storm",
                                                    expect=None if expect is None else (seen,))
                except IllegalTransitionError as exc:
                    lat.append(_time.perf_counter() - t0)
                    history.fail(op_id, error=exc, process=proc, op="transition")
                    outcomes["fail"] = outcomes.get("fail", 0) + 1
                else:
                    lat.append(_time.perf_counter() - t0)
                    history.ok(op_id, record.seq, process=proc, op="transition")
                    outcomes["ok"] = outcomes.get("ok", 0) + 1
        except BaseException as exc:  # noqa: BLE001
            stats.crashed(proc, exc)
        stats.add(lat, lat, outcomes)

    try:
        stats.wall_s = _unleash(worker, threads, "cstorm", switch_interval_s)
    finally:
        coordinator.remove_observer(observer)
    return stats


__all__ = [
    "At",
    "BufferExhaustion",
    "CallbackRaises",
    "ConcurrentTransitions",
    "CoordinatorContention",
    "LifecycleCalls",
    "DeviceDropout",
    "DeviceStall",
    "Every",
    "FAULT_KINDS",
    "Fault",
    "FaultContext",
    "FaultInjector",
    "FaultRecord",
    "FaultTarget",
    "INVALID_CONFIG_KINDS",
    "InvalidConfig",
    "LateCallback",
    "OnCall",
    "PROFILES",
    "Profile",
    "STORM_OPERATIONS",
    "SampleRateChange",
    "Schedule",
    "SimulatedTarget",
    "SlowDsp",
    "SlowStage",
    "StormStats",
    "Trigger",
    "WithProbability",
    "coordinator_storm",
    "fault_from_dict",
    "invalid_config",
    "load_profile",
    "profile_schedule",
    "system_storm",
    "UncontrolledDevice",
    "target_for",
]
