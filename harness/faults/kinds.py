"""Every fault kind, declared once: its parameters (validated), what it needs from a target, and
what it does.

A kind is a pydantic dataclass subclass of ``Fault``. Its field names are the names users write in
TOML, in a profile's ``[params.<kind>]`` table and in a scenario's fault step alike; their types and
bounds are the validation of both (``harness.faults.profiles`` and ``harness.scenarios.model``
derive their models from these classes, ``harness.scenarios.export`` and ``harness.stateful``
read them). Class variables say the rest:

- ``kind``: the one name of the kind (in TOML, histories, reports);
- ``needs``: the ``FaultTarget`` capabilities it acts through (empty: it acts on the system);
  what it needs of the *system* (a pipeline, a coordinator, a resource limit) is asked when it
  fires, by ``refusal(system)`` (its reason alone: ``why_not_now``): a fault the system gives
  nothing to act on is not counted as injected; a refusal says whether the system cannot take it
  now (``RefusalCause.STATE``: a scheduled fault then waits, ``FaultInjector``) or never has what
  it acts on (``STRUCTURAL``: skipped, a ``fault_skipped`` note with the reason);
- ``transient``: the system is expected back to normal by itself after it ends;
- ``lasting``: it holds something until its end (a device gone, a pool drained), so a scenario
  step without ``duration_s`` lasts until clean-up;
- ``same_history``: the same seed gives the same history (thread storms do not);
- ``acts_by_operations``: what it does is lifecycle operations the history records one by one;
- ``own_threads``: it runs threads of its own (kept out of the single-threaded stateful machine);
- ``waits_on_device``: what it asks of the device waits there for a callback to act on (a delay,
  a count of corrupted callbacks), so it may be unspent when the faults end: the injector then
  takes it back (``FaultInjector.disarm``), since what a fault asked must not act after the faults;
- ``former_names`` / ``renamed``: old spellings still read, each with a deprecation note.

A ``Fault`` also carries its ``trigger`` (when it fires) and ``fault_id``; those are not
parameters.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import random
import sys
import threading
import time as _time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import field
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BeforeValidator, ConfigDict
from pydantic import Field as PField
from pydantic.dataclasses import dataclass
from pydantic.fields import FieldInfo

from system_under_test.errors import IllegalTransitionError
from system_under_test.lifecycle import TRANSITIONS, State

from ..durations import parse_duration
from .invalid_configs import INVALID_CONFIG_KINDS, invalid_config, with_valid_change
from .storms import STORM_OPERATIONS, _random_ops, _unleash, _yield_every_line, restore_running, system_storm
from .targets import FaultTarget, SimulatedTarget, reason_unsupported
from .triggers import At, Trigger, trigger_from_dict
from .xrun_bound import acts_past_end_s, period_of, settle_for

if TYPE_CHECKING:  # pragma: no cover
    from system_under_test import AudioSystem

    from ..history import History
    from .injector import FaultInjector


# ============================================================================ parameter types ====

class Unit:
    """Annotation marker: the parameter is a quantity in ``symbol`` (``SECONDS``)."""

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol

    def __repr__(self) -> str:
        return f"Unit({self.symbol!r})"


SECONDS = Unit("s")


def _seconds(value: Any) -> Any:
    """A number of seconds, or a duration as humans write it (``"250ms"``, ``"1m30s"``)."""
    if isinstance(value, str):
        return parse_duration(value, allow_zero=True)
    return value


def Seconds(*, gt: float | None = None, ge: float | None = None, le: float | None = None) -> Any:  # noqa: N802
    """A duration parameter: a number of seconds or a string like ``"250ms"``, finite, in bounds."""
    return Annotated[float, BeforeValidator(_seconds), PField(gt=gt, ge=ge, le=le, allow_inf_nan=False), SECONDS]


def _device_name(value: Any) -> Any:
    if isinstance(value, str) and (value in (".", "..") or any(c in value for c in "/\\") or
                                   any(ord(c) < 32 for c in value)):
        raise ValueError(f"{value[:60]!r} is not a device name (no '/', '\\', '..' or control characters)")
    return value


#: a device (or component) name: never a path (no separators or parent references)
TargetName = Annotated[str, PField(min_length=1, max_length=128), AfterValidator(_device_name)]
StormOperation = Literal[STORM_OPERATIONS]  # type: ignore[valid-type]
InvalidConfigVariant = Literal[("", *INVALID_CONFIG_KINDS)]  # type: ignore[valid-type]

_CONFIG = ConfigDict(arbitrary_types_allowed=True, extra="forbid", allow_inf_nan=False)


# ===================================================================================== faults ====

@dataclasses.dataclass
class FaultContext:
    system: AudioSystem
    target: FaultTarget
    rng: random.Random
    history: History | None
    injector: FaultInjector
    #: the run's own configuration (``--config``, a scenario's ``system``): what a lifecycle
    #: fault's configurations are laid over and what its clean-up puts back; None: not known
    #: (a storm's configurations are then its changes alone, and none is put back)
    base_config: Mapping[str, Any] | None = None


class RefusalCause(str, Enum):
    """Why a fault could not act as it fired, as far as waiting goes.

    ``STATE``: the system cannot take it *now* (failed, recovering, no running stream yet, a
    storm's other period in force) and may once it runs again, so a scheduled fault waits for it
    (``FaultInjector`` holds it). ``STRUCTURAL``: the system never has what the kind acts on (no
    coordinator, no global limit of that resource, no pipeline while it runs), so waiting would
    wait for ever: the kind is not applicable to this system (``harness.faults.refused``)."""

    STATE = "state"
    STRUCTURAL = "structural"


@dataclasses.dataclass(frozen=True)
class Refusal:
    """A fault's refusal as it fired: the reason people read, and whether waiting could help."""

    reason: str
    cause: RefusalCause

    @property
    def structural(self) -> bool:
        return self.cause is RefusalCause.STRUCTURAL


def refused_now(reason: str | None) -> Refusal | None:
    """``reason`` (None: no refusal) as a refusal of the system's state: it may take it later."""
    return None if reason is None else Refusal(reason, RefusalCause.STATE)


#: the states in which a system runs its stream with everything it will ever have set up: a
#: component it lacks in them it lacks for good
SET_UP_IN = frozenset({"running", "paused"})


def lacking(system: Any, reason: str) -> Refusal:
    """``reason``, a part of the system a kind acts on that it lacks, as a refusal: structural
    when the system lacks it while it runs (or says no state: nothing to wait for), since a
    running system that has no pipeline never has one (a ``sut_kit`` adapter); a refusal of
    the state while it is failed, recovering or starting, when the stock system's pipeline is
    torn down and comes back with the stream."""
    state = getattr(getattr(system, "state", None), "value", None)
    cause = RefusalCause.STRUCTURAL if state is None or state in SET_UP_IN else RefusalCause.STATE
    return Refusal(reason, cause)


@dataclass(config=_CONFIG)
class Fault:
    """Base of every fault. Subclasses set ``kind`` and implement ``start`` (and ``end``)."""

    kind: ClassVar[str] = "fault"
    #: ``FaultTarget`` capabilities the fault acts through (empty: it acts on the system itself)
    needs: ClassVar[frozenset[str]] = frozenset()
    #: the system is expected to be back to normal by itself after a transient fault ends
    transient: ClassVar[bool] = True
    #: the fault holds something until it ends (without a duration, a scenario keeps it to clean-up)
    lasting: ClassVar[bool] = False
    #: the same seed gives the same history (false for thread storms)
    same_history: ClassVar[bool] = True
    #: what the fault does is lifecycle operations, each recorded in the history (a scenario
    #: exported from a history replays those operations, not the fault)
    acts_by_operations: ClassVar[bool] = False
    #: it runs threads of its own (a storm), so single-threaded explorers leave it out
    own_threads: ClassVar[bool] = False
    #: what it asks of the device waits there for a callback (a delay, corrupted callbacks) and
    #: may be unspent when the faults end, when the injector takes it back
    waits_on_device: ClassVar[bool] = False
    #: earlier names of the kind, still read (with a deprecation note)
    former_names: ClassVar[tuple[str, ...]] = ()
    #: earlier names of parameters -> their names now, still read (with a deprecation note)
    renamed: ClassVar[Mapping[str, str]] = {"duration": "duration_s"}

    trigger: Trigger = field(default_factory=lambda: At(0.0))
    #: how long the fault lasts before it is lifted (0: it is instantaneous)
    duration_s: Seconds(ge=0.0, le=3600.0) = 0.0  # type: ignore[valid-type]
    #: the device the fault hits (device faults), or the component it is about
    target: TargetName = "sim-in"
    fault_id: str = ""

    def refusal(self, system: Any) -> Refusal | None:
        """Why this fault could not act on ``system`` right now, and whether that is the system's
        state or its make (None: it can act). Asked by the injector as the fault fires: a fault
        that would act on nothing (a block pool the system does not have) is not counted as
        injected; a scheduled one refused for the state waits until the system can take it."""
        return None

    def why_not_now(self, system: Any) -> str | None:
        """``refusal``'s reason alone (None: the fault can act now)."""
        refusal = self.refusal(system)
        return None if refusal is None else refusal.reason

    def start(self, ctx: FaultContext) -> Any:
        """Apply the fault; returns a token passed to ``end`` (and put in the record's details)."""
        raise NotImplementedError

    def end(self, ctx: FaultContext, token: Any) -> None:
        """Undo the fault (nothing by default: the instantaneous kinds)."""

    def params(self) -> dict[str, Any]:
        """The parameters (every field but ``trigger`` and ``fault_id``); a field left ``None``
        means "not given" and is left out."""
        out = {}
        for name in _parameter_names(type(self)):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "trigger": self.trigger.to_dict(), **self.params()}

    def recorded_params(self) -> dict[str, Any]:
        """``params()`` as a history records them (plain JSON: tuples as lists), so that a fault
        read back from its record (``fault_from_record``) is this fault."""
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.params().items()}

    def describe(self) -> str:
        return f"{self.kind}({self.target}, {self.trigger.describe()}, {self.duration_s:g} s)"


#: fields of every fault that are not parameters a user writes
NOT_PARAMETERS = ("trigger", "fault_id")


@functools.cache
def _parameter_names(cls: type[Fault]) -> tuple[str, ...]:
    """The names of ``cls``'s parameters in field order: ``dataclasses.fields`` read once per class
    (a class's fields are fixed once it is defined), not at every firing's ``recorded_params``
    (``fields`` builds its tuple anew at each call: ~40 % of that call's CPU)."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.name not in NOT_PARAMETERS)


#: the system's states in which it runs a stream, or is opening one: a fault set on the device
#: then (a stall, malformed buffers, a rate) meets the stream a recovery or a start opens
STREAM_RUNS_IN = frozenset({"running", "paused", "starting", "recovering", "reconfiguring"})


def no_running_stream(system: Any, what: str) -> str | None:
    """Why ``system`` runs no stream for ``what`` to act on (None: it runs one, or it says no
    state). A fault that acts on the running stream's callbacks (a stall, a raising callback, a
    rate switched under it) fired while the system is stopped or has failed (a recovery that gave
    up) acts on no callback of any stream: it reaches none of the system's paths, and is skipped
    with this reason rather than counted as injected into nothing. A paused system's stream runs
    on (its callbacks flow, only capture is off), and a recovering or starting one opens a stream
    the fault, set on the device, meets: the fault acts then."""
    state = getattr(getattr(system, "state", None), "value", None)
    if state is None or state in STREAM_RUNS_IN:
        return None
    return f"the system is {state}: no running stream {what}"


@dataclass(config=_CONFIG)
class DeviceDropout(Fault):
    """The device disappears (streams on it die and report ``DeviceLostError``), then returns."""

    kind: ClassVar[str] = "dropout"
    needs: ClassVar[frozenset[str]] = frozenset({"drop_device"})
    lasting: ClassVar[bool] = True
    former_names: ClassVar[tuple[str, ...]] = ("device_dropout",)
    duration_s: Seconds(ge=0.0, le=3600.0) = 0.5  # type: ignore[valid-type]
    #: true: the driver reports the loss; false: the device just goes quiet (ALSA "jack" PCM)
    report: bool = True

    def start(self, ctx: FaultContext) -> Any:
        if isinstance(ctx.target, SimulatedTarget):
            ctx.target.backend.remove_device(self.target, report=self.report)
        else:
            ctx.target.drop_device(self.target)
        return None

    def end(self, ctx: FaultContext, token: Any) -> None:
        ctx.target.return_device(self.target)


@dataclass(config=_CONFIG)
class DeviceStall(Fault):
    """Callbacks stop without any error, then resume."""

    kind: ClassVar[str] = "stall"
    needs: ClassVar[frozenset[str]] = frozenset({"stall"})
    lasting: ClassVar[bool] = True
    duration_s: Seconds(ge=0.0, le=3600.0) = 0.1  # type: ignore[valid-type]

    def refusal(self, system: Any) -> Refusal | None:
        """Why this stall would not be a stall on ``system`` now: no running stream whose
        callbacks could stop, or a length under the watchdog's bound at the period the system
        runs at (``harness.faults.stall_bound``: a silence the watchdog never sees). Both are the
        state: a profile's stall is drawn long enough for the run's own period, and only a storm's
        reconfiguration, which its clean-up puts back, runs another."""
        return refused_now(self._why_not_now(system))

    def _why_not_now(self, system: Any) -> str | None:
        from system_under_test.config import AudioConfig  # noqa: PLC0415

        from .stall_bound import min_stall_s  # noqa: PLC0415
        from .xrun_bound import period_of  # noqa: PLC0415

        reason = no_running_stream(system, "whose callbacks could stop")
        config = getattr(system, "config", None)
        if reason is not None or not isinstance(config, AudioConfig) or self.duration_s == 0.0:
            return reason
        period = period_of(config)
        if self.duration_s >= min_stall_s(period):
            return None
        return (f"a {self.duration_s * 1000:.2f} ms stall is under what the watchdog sees "
                f"({min_stall_s(period) * 1000:.2f} ms) with {period.describe()} now: it would be no stall")

    def start(self, ctx: FaultContext) -> Any:
        ctx.target.stall(self.target)

    def end(self, ctx: FaultContext, token: Any) -> None:
        ctx.target.unstall(self.target)


@dataclass(config=_CONFIG)
class InputStarved(Fault):
    """The device calls back on time but brings no input: every block's input underflows
    (flagged ``input_underflow``, silence in place of the tone) for ``duration_s``, then flows
    again. A capture side that hangs while the playback side runs on: no callback gap shows it,
    only the blocks' flags (measured on the JACK rig's ALSA ``jack`` route after a server restart:
    2.5 s of such blocks)."""

    kind: ClassVar[str] = "input_starved"
    needs: ClassVar[frozenset[str]] = frozenset({"starve_input"})
    lasting: ClassVar[bool] = True
    duration_s: Seconds(ge=0.0, le=3600.0) = 0.5  # type: ignore[valid-type]

    def start(self, ctx: FaultContext) -> Any:
        ctx.target.starve_input(self.target)

    def end(self, ctx: FaultContext, token: Any) -> None:
        ctx.target.feed_input(self.target)


def within_window(fault: Fault, ctx: FaultContext) -> dict[str, Any]:
    """The keywords that hold a request ``fault`` leaves on the device to the firing's window:
    ``until``, the window's end (what the fault acts past its firing, ``acts_past_end_s``, then
    ``settle_for``, at the period in force as it fires: the window ``harness.fault_outcomes``
    reads the firing's outcome in), and ``on_dropped``, the injector's note of what the device
    drops unspent past it. A request left waiting across a long recovery would otherwise act on
    the reopened stream seconds later, damage no firing's window holds."""
    period = period_of(getattr(ctx.system, "config", None))
    until = (ctx.system.clock.now() + acts_past_end_s(fault.kind, fault.recorded_params(), period)
             + settle_for(period))
    return {"until": until, "on_dropped": ctx.injector.taken_back_after(fault, until)}


@dataclass(config=_CONFIG)
class LateCallback(Fault):
    """One late callback (an xrun): the device delivers the next block ``delay_s`` late.

    Only within the firing's window (``within_window``): a delay whose late block would come
    after it (the stream died as it fired, and the recovery reopened one seconds later, or
    none) is dropped as the window ends, a ``fault_taken_back`` note naming the firing, rather
    than making a late block no firing's window holds."""

    kind: ClassVar[str] = "xrun"
    needs: ClassVar[frozenset[str]] = frozenset({"xrun"})
    waits_on_device: ClassVar[bool] = True
    renamed: ClassVar[Mapping[str, str]] = {**Fault.renamed, "late_by": "delay_s"}
    #: how late the callback is
    delay_s: Seconds(gt=0.0, le=10.0) = 0.01  # type: ignore[valid-type]

    def refusal(self, system: Any) -> Refusal | None:
        """``_why_not_now``'s reason, the system's state: a stream not running, or a storm's
        shorter period in force, which its clean-up puts back."""
        return refused_now(self._why_not_now(system))

    def _why_not_now(self, system: Any) -> str | None:
        """Why this lateness would not be an xrun on ``system`` now: past the watchdog's bound at
        the period the system runs at (a storm's reconfiguration to shorter blocks), the late
        block would be taken as a stall (``harness.faults.xrun_bound``). It is then skipped, with
        that reason, rather than counted as an xrun that never reached the xrun path. Likewise
        while the system runs no stream (recovering from a device lost, stopped, failed): the
        delay would fall on the first block of a stream opened later, if any, and no late block
        of the running stream would show it."""
        from system_under_test.clock import VirtualClock  # noqa: PLC0415
        from system_under_test.config import AudioConfig  # noqa: PLC0415

        from .xrun_bound import period_of  # noqa: PLC0415

        if not isinstance(getattr(system, "clock", None), VirtualClock):
            # a real device: the rig's target starves the client of CPU for ``delay_s`` (JACK's
            # own xruns); what JACK and the system's watchdog make of it is what the run measures
            return None
        state = getattr(getattr(system, "state", None), "value", None)
        if state is not None and state != "running":
            return f"the system is {state}: no running stream whose next callback could be late"
        config = getattr(system, "config", None)
        if not isinstance(config, AudioConfig):
            return None
        period = period_of(config)
        if self.delay_s <= period.max_lateness_s:
            return None
        return (f"{self.delay_s * 1000:.2f} ms late is past what stays an xrun "
                f"({period.max_lateness_s * 1000:.2f} ms) with {period.describe()} now: it would be a stall")

    def start(self, ctx: FaultContext) -> Any:
        ctx.target.xrun(self.target, self.delay_s, **within_window(self, ctx))


@dataclass(config=_CONFIG)
class CallbackRaises(Fault):
    """The next ``count`` callbacks get a malformed buffer, which makes the audio callback raise.

    Only within the firing's window (its ``count`` blocks from the next, then ``settle_for``, at
    the period in force as it fires: the window ``harness.fault_outcomes`` reads the firing's
    outcome in): what the device has not spent by then is dropped as the window ends, a
    ``fault_taken_back`` note naming the firing, whether or not a stream delivers another block. Asked while the system
    recovers, the request waited on the device for the reopened stream and raised there seconds
    after the firing (a 2 s device loss: 3.78 s against a window ending at 1.57 s), errors no
    firing's window held."""

    kind: ClassVar[str] = "callback_raises"
    needs: ClassVar[frozenset[str]] = frozenset({"raise_in_callback"})
    waits_on_device: ClassVar[bool] = True
    count: Annotated[int, PField(ge=1, le=10_000)] = 1

    def refusal(self, system: Any) -> Refusal | None:
        return refused_now(no_running_stream(system, "whose callback could raise"))

    def start(self, ctx: FaultContext) -> Any:
        # a target that can read the device's unspent count returns it (recorded in the details)
        return ctx.target.raise_in_callback(self.target, self.count, **within_window(self, ctx))


@dataclass(config=_CONFIG)
class SampleRateChange(Fault):
    """The device switches its sample rate under the running stream."""

    kind: ClassVar[str] = "sample_rate_change"
    needs: ClassVar[frozenset[str]] = frozenset({"change_sample_rate"})
    rate: Annotated[int, PField(ge=8_000, le=384_000)] = 44_100

    def refusal(self, system: Any) -> Refusal | None:
        return refused_now(no_running_stream(system, "whose rate could change under it"))

    def start(self, ctx: FaultContext) -> Any:
        return {"previous_rate": ctx.target.change_sample_rate(self.target, self.rate)}


#: the resource-ledger component a ``buffer_exhaustion`` fault of ``mode="limit"`` allocates as
COMPETITOR = "fault:competitor"


def _no_pipeline(system: Any, what: str) -> Refusal | None:
    """Why ``system`` has no soundcheck pipeline to offer ``what`` (None: it has one); structural
    when it has none while it runs (``lacking``)."""
    pipeline = getattr(system, "pipeline", None)
    if pipeline is not None:
        return None
    state = getattr(getattr(system, "state", None), "value", "?")
    return lacking(system, f"the system has no pipeline (in state {state}), so no {what}")


#: the words that end this harness's own pool-exhaustion report (``BufferExhaustion``'s, made to the
#: coordinator directly): ``errors_counted`` tells it by them from the system's report of its dry
#: pool, which the system counts in ``pool_exhaustions`` and this one is not
COMPETITOR_FOUND_DRY = "a competing consumer found it dry"


@dataclass(config=_CONFIG)
class BufferExhaustion(Fault):
    """A competing allocator drains the block pool (``mode="pool"``) or the global buffer limit
    (``mode="limit"``) for ``duration_s``, then gives everything back."""

    kind: ClassVar[str] = "buffer_exhaustion"
    lasting: ClassVar[bool] = True
    duration_s: Seconds(ge=0.0, le=3600.0) = 0.2  # type: ignore[valid-type]
    target: TargetName = "dsp"
    mode: Literal["pool", "limit"] = "pool"
    #: with mode = "limit": the resource whose global limit is drained
    resource: Literal["buffers", "frames", "streams", "threads", "bytes"] = "buffers"
    #: true: the competitor is the owner's own component sharing the system's pool or ledger, and
    #: reports the exhaustion it meets to the system's coordinator for the recovery policy to
    #: decide, as an owner's component is to: a ``BufferPoolExhaustedError`` when it finds the pool
    #: dry, the ledger's own ``ResourceLimitError`` when the limit refuses it one more. Two such
    #: faults that overlap report an exhaustion to a system already degraded, the one path on
    #: which a run shows whether a degraded episode is announced once. Not given (None) or false:
    #: it takes silently and the system finds out by itself; a fault that does not give it
    #: records no such parameter, so the built-in profiles' schedules and histories are unchanged
    report: bool | None = None

    def refusal(self, system: Any) -> Refusal | None:
        """No coordinator, or no global limit of the resource: structural (the system is built
        without it). No pipeline, or nothing that ever held the resource: structural while the
        system runs, its state otherwise (``lacking``)."""
        if self.report and getattr(system, "coordinator", None) is None:
            return Refusal("the system has no coordinator to report the exhaustion to", RefusalCause.STRUCTURAL)
        if self.mode == "pool":
            return _no_pipeline(system, "block pool to drain")
        from system_under_test.resources import ResourceType  # noqa: PLC0415
        rtype = ResourceType(self.resource)
        if not system.resources.limit(rtype):
            return Refusal(f"the system sets no global {self.resource} limit to drain", RefusalCause.STRUCTURAL)
        holders = [c for c in system.resources.components if c != COMPETITOR]
        if not any(system.resources.peak(c).get(rtype, 0) for c in holders):
            return lacking(system, f"nothing in the system has held any {self.resource}: draining its limit "
                                   "reaches nothing")
        return None

    def start(self, ctx: FaultContext) -> Any:
        system = ctx.system
        if self.mode == "pool":
            pipeline = system.pipeline
            if pipeline is None:
                return {"pool": None, "held": []}
            pool, held = pipeline.pool, []
            while (idx := pool.acquire()) is not None:
                held.append(idx)
            token: dict[str, Any] = {"pool": pool, "held": held}
            if self.report:
                from system_under_test.errors import BufferPoolExhaustedError  # noqa: PLC0415
                token["reported"] = self._report(system, BufferPoolExhaustedError(
                    f"block pool exhausted ({pool.size} blocks): {COMPETITOR_FOUND_DRY}",
                    component=self.target, details={"pool_blocks": pool.size}))
            return token
        if self.mode == "limit":
            from system_under_test.errors import ResourceLimitError  # noqa: PLC0415
            from system_under_test.resources import ResourceType  # noqa: PLC0415
            rtype = ResourceType(self.resource)
            limit = system.resources.limit(rtype) or 0
            free = max(0, limit - system.resources.usage().get(rtype, 0))
            alloc = system.resources.allocate(COMPETITOR, rtype, free, "buffer exhaustion fault") \
                if free else None
            token = {"allocation": alloc, "amount": free}
            if self.report:
                try:
                    more = system.resources.allocate(COMPETITOR, rtype, 1, "buffer exhaustion fault: one more")
                except ResourceLimitError as exc:
                    token["reported"] = self._report(system, exc)
                else:  # the limit let one more through: nothing to report, nothing kept
                    system.resources.release(more)
            return token
        raise ValueError(f"BufferExhaustion.mode must be 'pool' or 'limit', not {self.mode!r}")

    def _report(self, system: Any, error: Any) -> str:
        """``error`` reported to the system's coordinator as the target component's, for the
        recovery policy to decide (``requires_recovery``); its message, for the record."""
        system.coordinator.handle_error(self.target, error)
        return str(error)

    def end(self, ctx: FaultContext, token: Any) -> None:
        if not token:
            return
        if token.get("pool") is not None:
            for idx in token["held"]:
                token["pool"].release(idx)
        if token.get("allocation") is not None:
            ctx.system.resources.release(token["allocation"])


@dataclass(config=_CONFIG)
class InvalidConfig(Fault):
    """An invalid configuration applied (``configure``) while running; it must be rejected, changing
    nothing. The configuration is ``config`` when given, else a generated one of ``variant`` (any
    variant when empty)."""

    kind: ClassVar[str] = "invalid_config"
    acts_by_operations: ClassVar[bool] = True
    target: TargetName = "config"
    variant: InvalidConfigVariant = ""
    #: the invalid configuration itself (None: a generated one)
    config: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.config is not None and self.variant:
            raise ValueError("give either 'config' or 'variant', not both")

    def start(self, ctx: FaultContext) -> Any:
        from ..history import run_op  # noqa: PLC0415
        if self.config is not None:
            cfg, reason = self.config, "given explicitly"
        else:
            cfg, reason = invalid_config(ctx.rng, self.variant or None)
            cfg = with_valid_change(cfg, ctx.rng)  # so a half-applied rejection shows
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


@dataclass(config=_CONFIG)
class ConcurrentTransitions(Fault):
    """``threads`` threads (2..64) issue ``ops_per_thread`` random lifecycle operations at once."""

    kind: ClassVar[str] = "concurrent_transitions"
    own_threads: ClassVar[bool] = True
    acts_by_operations: ClassVar[bool] = True
    transient: ClassVar[bool] = False
    same_history: ClassVar[bool] = False
    renamed: ClassVar[Mapping[str, str]] = {**Fault.renamed, "ops": "operations"}
    target: TargetName = "system"
    threads: Annotated[int, PField(ge=2, le=64)] = 8
    ops_per_thread: Annotated[int, PField(ge=1, le=10_000)] = 20
    #: drawn from; empty: every operation, invalid configurations included
    operations: tuple[StormOperation, ...] = ()

    def start(self, ctx: FaultContext) -> Any:
        stats = system_storm(ctx.system, threads=self.threads, ops_per_thread=self.ops_per_thread,
                             seed=ctx.rng.randrange(2**32), history=ctx.history,
                             operations=self.operations or STORM_OPERATIONS, base_config=ctx.base_config)
        restored = restore_running(ctx.system, ctx.history, ctx.base_config) if ctx.history is not None else []
        return {"ops": stats.ops, "outcomes": stats.outcomes, "restored_with": restored}


@dataclass(config=_CONFIG)
class LifecycleCalls(Fault):
    """An operator's ``count`` random lifecycle calls, one after another on the injector's thread
    (pause, resume, stop, start, reconfigure, recover, a rejected configure, ...), then the system
    brought back to running. Calls in the wrong state are part of the mix: the system must refuse
    them. Its configurations are the run's own with one change over it, and the clean-up puts the
    run's configuration back. Single-threaded, so a simulated run stays the same for the same seed; for races use
    ``concurrent_transitions`` (several threads, histories that differ run to run)."""

    kind: ClassVar[str] = "lifecycle_calls"
    acts_by_operations: ClassVar[bool] = True
    transient: ClassVar[bool] = False
    target: TargetName = "system"
    count: Annotated[int, PField(ge=1, le=10_000)] = 8

    def start(self, ctx: FaultContext) -> Any:
        history = ctx.history
        if history is None:
            from ..history import History  # noqa: PLC0415
            history = History(clock=ctx.system.clock)
        history.note_quiescent(ctx.system)
        _, _, outcomes = _random_ops(ctx.system, history, random.Random(ctx.rng.randrange(2**32)), "operator",
                                     self.count, STORM_OPERATIONS, base_config=ctx.base_config)
        history.note_quiescent(ctx.system)
        return {"outcomes": outcomes, "restored_with": restore_running(ctx.system, history, ctx.base_config)}


@dataclass(config=_CONFIG)
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
    own_threads: ClassVar[bool] = True
    transient: ClassVar[bool] = False
    target: TargetName = "coordinator"
    threads: Annotated[int, PField(ge=2, le=64)] = 4
    #: with a forced switch at every line, 4 x 5 calls expose a race every time
    ops_per_thread: Annotated[int, PField(ge=1, le=10_000)] = 5

    def refusal(self, system: Any) -> Refusal | None:
        return (None if getattr(system, "coordinator", None) is not None
                else Refusal("the system has no coordinator to race", RefusalCause.STRUCTURAL))

    def start(self, ctx: FaultContext) -> Any:
        coordinator = ctx.system.coordinator
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


@dataclass(config=_CONFIG)
class SlowDsp(Fault):
    """A DSP stage slower than the block budget (``factor`` x budget) for ``duration_s``."""

    kind: ClassVar[str] = "slow_dsp"
    lasting: ClassVar[bool] = True
    duration_s: Seconds(ge=0.0, le=3600.0) = 0.2  # type: ignore[valid-type]
    target: TargetName = "dsp"
    #: the stage's cost, in block budgets
    factor: Annotated[float, PField(gt=0.0, le=100.0)] = 1.5

    def refusal(self, system: Any) -> Refusal | None:
        return _no_pipeline(system, "DSP chain to slow down")

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


# ================================================================================= the registry ====

#: every fault kind, by its one name: THE list (add a kind here and nowhere else)
FAULT_KINDS: dict[str, type[Fault]] = {c.kind: c for c in (
    DeviceDropout, DeviceStall, InputStarved, LateCallback, CallbackRaises, SampleRateChange, BufferExhaustion,
    InvalidConfig, ConcurrentTransitions, LifecycleCalls, CoordinatorContention, SlowDsp)}

#: fault kinds whose ``target`` is a device name (those that act through a target's capabilities)
DEVICE_FAULT_KINDS: frozenset[str] = frozenset(k for k, c in FAULT_KINDS.items() if c.needs)

#: kinds the stateful machine (``harness.stateful``) injects: those acting on one system without
#: lifecycle operations or threads of their own (it issues operations itself, one thread at a time)
STATEFUL_KINDS: tuple[str, ...] = tuple(k for k, c in FAULT_KINDS.items()
                                        if not c.acts_by_operations and not c.own_threads)

#: earlier names of kinds -> their names now
FORMER_KIND_NAMES: dict[str, str] = {old: k for k, c in FAULT_KINDS.items() for old in c.former_names}


def parameters(cls: type[Fault]) -> dict[str, FieldInfo]:
    """The parameters of a kind, in declaration order: name -> pydantic ``FieldInfo`` (its type,
    bounds, default). These are the keys a profile's ``[params.<kind>]`` and a scenario step take."""
    return {name: info for name, info in cls.__pydantic_fields__.items() if name not in NOT_PARAMETERS}


def parameter_type(info: FieldInfo) -> Any:
    """The validated type of a parameter (its annotation with every bound and validator)."""
    return Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation


def is_seconds(info: FieldInfo) -> bool:
    """The parameter is a duration in seconds (it also reads ``"250ms"``)."""
    return SECONDS in info.metadata


def kind_named(name: str) -> str | None:
    """The kind ``name`` names (its one name, or a former one), or None."""
    if name in FAULT_KINDS:
        return name
    return FORMER_KIND_NAMES.get(name)


def unsupported_reason(target: FaultTarget, kind: str) -> str | None:
    """Why ``target`` cannot inject faults of ``kind`` (None: it can): the capabilities the kind
    needs that the target lacks."""
    cls = FAULT_KINDS.get(kind)
    return None if cls is None else reason_unsupported(target, cls.needs)


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


def fault_from_record(record: Mapping[str, Any]) -> Fault:
    """The fault a history's ``fault_start`` (or ``fault_skipped``) record describes: its kind and
    every parameter it fired with (``FaultRecord.params``). Raises ``ValueError`` for a record
    without parameters (a history written before they were recorded) or of an unknown kind."""
    kind = record.get("kind")
    params = record.get("params")
    if not isinstance(params, Mapping):
        raise ValueError(f"the record of {kind!r} carries no parameters (recorded before they were)")
    return fault_from_dict({"kind": kind, **params})


# ================================================================================ deprecations ====
# Old spellings (``device_dropout``, ``late_by``, ``duration``) are read, never refused: each use
# leaves a note. A reader that can say where (the scenario loader, the profile loader) collects the
# notes and prints them with the file's name; anywhere else they go to stderr at once.

_NOTES: ContextVar[list[str] | None] = ContextVar("soundcheck_fault_vocabulary_notes", default=None)


@contextmanager
def collecting_deprecations() -> Iterator[list[str]]:
    """Collect the deprecation notes of the validation done inside the block (instead of printing)."""
    notes: list[str] = []
    token = _NOTES.set(notes)
    try:
        yield notes
    finally:
        _NOTES.reset(token)


def _deprecated(note: str) -> None:
    sink = _NOTES.get()
    if sink is not None:
        sink.append(note)
    else:
        print(f"soundcheck: deprecated: {note}", file=sys.stderr)


def normalize_params(kind: str, params: Mapping[str, Any], where: str, *, both: str = "raise") -> dict[str, Any]:
    """``params`` with every former parameter name of ``kind`` replaced by its name now (a note
    each). Both spellings at once is a ``ValueError`` (which one was meant cannot be guessed), or,
    with ``both="keep"``, left as written for a later validator to report where it belongs."""
    cls = FAULT_KINDS[kind]
    out = dict(params)
    for old, new in cls.renamed.items():
        if old in out and new in parameters(cls):
            if new in out:
                if both == "keep":
                    continue
                raise ValueError(f"give {new!r} only ({old!r} is its former name)")
            out[new] = out.pop(old)
            _deprecated(f"{where}.{old} is now called {new!r} (still read; write {new} = ...)")
    return out


def normalize_kind(name: Any, where: str) -> Any:
    """The kind's name now for a former one (with a note); anything else unchanged."""
    if isinstance(name, str) and name in FORMER_KIND_NAMES:
        new = FORMER_KIND_NAMES[name]
        _deprecated(f"{where}: fault kind {name!r} is now called {new!r} (still read; write {new!r})")
        return new
    return name


__all__ = [
    "DEVICE_FAULT_KINDS", "FAULT_KINDS", "FORMER_KIND_NAMES", "NOT_PARAMETERS", "SECONDS", "STATEFUL_KINDS",
    "BufferExhaustion", "CallbackRaises", "ConcurrentTransitions", "CoordinatorContention", "DeviceDropout",
    "DeviceStall", "Fault", "FaultContext", "InputStarved", "InvalidConfig", "LateCallback", "LifecycleCalls",
    "Refusal", "RefusalCause", "SampleRateChange", "Seconds", "SlowDsp", "SlowStage", "TargetName", "collecting_deprecations",
    "fault_from_dict", "fault_from_record", "is_seconds", "kind_named", "lacking", "normalize_kind", "normalize_params", "parameter_type",
    "parameters", "refused_now", "unsupported_reason", "within_window",
]
