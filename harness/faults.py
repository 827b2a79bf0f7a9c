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
import random
import threading
import time as _time
import tomllib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from .errors import ScenarioFileError

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

    def start(self, ctx: FaultContext) -> Any:
        if not 2 <= self.threads <= 64:
            raise ValueError("ConcurrentTransitions.threads must be within 2..64")
        stats = system_storm(ctx.system, threads=self.threads, ops_per_thread=self.ops_per_thread,
                             seed=ctx.rng.randrange(2**32), history=ctx.history,
                             operations=self.operations or STORM_OPERATIONS)
        return {"ops": stats.ops, "outcomes": stats.outcomes}


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


FAULT_KINDS: dict[str, type[Fault]] = {c.kind: c for c in (
    DeviceDropout, DeviceStall, LateCallback, CallbackRaises, SampleRateChange, BufferExhaustion,
    InvalidConfig, ConcurrentTransitions, SlowDsp)}


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
        return Schedule(kept, name=self.name, seed=self.seed, duration_s=self.duration_s)

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
        return Schedule(faults, name=self.name, seed=self.seed, duration_s=self.duration_s)

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
        return cls(faults, name=name, seed=seed, duration_s=duration_s)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "seed": self.seed, "duration_s": self.duration_s,
                "faults": [f.to_dict() for f in self.faults]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Schedule":
        return cls([fault_from_dict(f) for f in d.get("faults", [])], name=d.get("name", "custom"),
                   seed=int(d.get("seed", 0)), duration_s=d.get("duration_s"))


# =================================================================================== profiles ====

@dataclass(frozen=True)
class Profile:
    """A named fault mix: per-kind probability per check, and per-kind parameters (ranges allowed)."""

    name: str
    probabilities: Mapping[str, float]
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    check_every_s: float = 0.25
    description: str = ""

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
}

PROFILES: dict[str, Profile] = {
    "none": Profile("none", {}, description="no faults: the steady-state baseline"),
    "gentle": Profile("gentle", {"xrun": 0.05, "stall": 0.01, "callback_raises": 0.01},
                      _DEVICE_PARAMS, check_every_s=0.5, description="occasional glitches"),
    "default": Profile("default", {"xrun": 0.1, "stall": 0.03, "dropout": 0.02, "callback_raises": 0.03,
                                   "buffer_exhaustion": 0.02, "slow_dsp": 0.02, "invalid_config": 0.02},
                       _DEVICE_PARAMS, check_every_s=0.25,
                       description="every transient fault now and then"),
    "hostile": Profile("hostile", {"xrun": 0.3, "stall": 0.1, "dropout": 0.08, "callback_raises": 0.1,
                                   "buffer_exhaustion": 0.08, "slow_dsp": 0.08, "invalid_config": 0.08,
                                   "sample_rate_change": 0.03},
                       {**_DEVICE_PARAMS, "sample_rate_change": {"rate": 44_100}}, check_every_s=0.2,
                       description="many overlapping faults"),
}


def profile_schedule(name: str, duration_s: float, seed: int) -> Schedule:
    """The seeded schedule of profile ``name`` (``none``, ``gentle``, ``default``, ``hostile``)."""
    try:
        profile = PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown fault profile {name!r} (known: {', '.join(PROFILES)})") from None
    return profile.schedule(duration_s, seed)


def load_profile(path: str | Path) -> Profile:
    """Read a profile from TOML::

        name = "flaky-usb"
        check_every_s = 0.25
        [probabilities]
        dropout = 0.05
        xrun = 0.2
        [params.dropout]
        duration_s = [0.1, 0.5]     # a [lo, hi] range is drawn per fault
    """
    p = Path(path)
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioFileError(p, f"cannot read fault profile: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioFileError(p, f"not valid TOML: {exc}") from None
    probs = doc.get("probabilities", {})
    if not isinstance(probs, dict):
        raise ScenarioFileError(p, "[probabilities] must be a table of fault kind = probability")
    problems = [f"unknown fault kind {k!r}" for k in probs if k not in FAULT_KINDS]
    problems += [f"probability of {k} must be a number in [0, 1], got {v!r}" for k, v in probs.items()
                 if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1]
    params = doc.get("params", {})
    if not isinstance(params, dict) or not all(isinstance(v, dict) for v in params.values()):
        problems.append("[params.<kind>] must be tables")
    if problems:
        raise ScenarioFileError(p, "; ".join(problems) + f" (known kinds: {', '.join(sorted(FAULT_KINDS))})")
    profile = Profile(str(doc.get("name", p.stem)), {k: float(v) for k, v in probs.items()},
                      {k: dict(v) for k, v in params.items()}, float(doc.get("check_every_s", 0.25)),
                      str(doc.get("description", "")))
    try:  # surface bad parameters now, not mid-run
        profile.schedule(max(10.0, profile.check_every_s * 40), 0)
        for kind, kw in profile.params.items():
            fault_from_dict({"kind": kind, **{k: (v[0] if isinstance(v, list) else v) for k, v in kw.items()}})
    except (TypeError, ValueError) as exc:
        raise ScenarioFileError(p, f"bad fault parameters: {exc}") from None
    return profile


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


def system_storm(system: "AudioSystem", *, threads: int = 8, ops_per_thread: int = 20, seed: int = 0,
                 history: "History | None" = None, operations: Sequence[str] = STORM_OPERATIONS,
                 switch_interval_s: float | None = 1e-5, record: bool = True) -> StormStats:
    """``threads`` threads each issue ``ops_per_thread`` random lifecycle ops (recorded invoke/ok/fail).

    A tiny ``sys.setswitchinterval`` during the storm makes thread interleavings dense, so races in
    a critical section of a few bytecodes show up in a few hundred operations.
    """
    from .history import History, run_op  # noqa: PLC0415
    hist = history if history is not None else History(clock=system.clock)
    stats = StormStats()
    barrier = threading.Barrier(threads)

    def worker(i: int) -> None:
        rng = random.Random(f"storm:{seed}:{i}")
        proc = f"storm-{i}"
        lat: list[float] = []
        tlat: list[float] = []
        outcomes: dict[str, int] = {}
        try:
            barrier.wait()
            for _ in range(ops_per_thread):
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
                        from .history import classify  # noqa: PLC0415
                        outcome = classify(op, exc)
                        if outcome == "crash":
                            raise
                lat.append(_time.perf_counter() - t0)
                if made_transition:
                    tlat.append(lat[-1])
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
        except BaseException as exc:  # noqa: BLE001 - a crash is a finding, reported by the caller
            stats.crashed(proc, exc)
        stats.add(lat, tlat, outcomes)

    stats.wall_s = _unleash(worker, threads, "storm", switch_interval_s)
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
