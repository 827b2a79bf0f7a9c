"""The scenario file format, as typed pydantic models (``extra="forbid"`` everywhere).

A scenario is Chaos Toolkit's shape, typed: *metadata* (what field report it reproduces), the
*system* configuration (exactly the system's own ``AudioConfig`` schema), the *run* (backend,
seed, how long), a *timeline* of ``[[steps]]`` (lifecycle operations, faults and waits, each
triggered at a time or when something happens), ``[[expect]]`` expectations (invariants,
deadlines, metric bounds, states) and ``[cleanup]``. See ``scenarios/README.md`` for the prose
version with examples; this module is the source of truth.

Durations are written as humans write them: ``"250ms"``, ``"2s"``, ``"1.5 s"``, ``"8h"``,
``"1m30s"``; a bare number means seconds.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    Tag,
    model_validator,
)

from ..durations import parse_duration as _shared_parse

#: The one format version this soundcheck reads. A file must say ``format = 1``.
FORMAT_VERSION = 1
SUPPORTED_FORMATS = (1,)

STATES = ("uninitialized", "initialized", "configured", "starting", "running", "paused",
          "reconfiguring", "stopping", "stopped", "recovering", "failed", "closed")
StateName = Literal["uninitialized", "initialized", "configured", "starting", "running", "paused",
                    "reconfiguring", "stopping", "stopped", "recovering", "failed", "closed"]

OPS = ("initialize", "configure", "start", "pause", "resume", "reconfigure", "stop", "close",
       "recover", "simulate_error", "poll")
OpName = Literal["initialize", "configure", "start", "pause", "resume", "reconfigure", "stop", "close",
                 "recover", "simulate_error", "poll"]

FAULTS = ("device_dropout", "stall", "xrun", "callback_raises", "sample_rate_change",
          "buffer_exhaustion", "invalid_config", "concurrent_transitions", "slow_dsp", "coordinator_contention")

# -- durations ------------------------------------------------------------------------------------
def parse_duration(value: Any) -> float:
    """``"250ms"`` -> 0.25; ``"1m30s"`` -> 90.0; a bare number is seconds; zero allowed here.

    The grammar is the shared one (``harness.durations``); its ``DurationError`` is a ValueError,
    so pydantic reports it against the field like any other bad value.
    """
    return _shared_parse(value, allow_zero=True)


def format_duration(seconds: float) -> str:
    """Lossless inverse for files we write: whole ms (or s) when exact, else microseconds."""
    ms = seconds * 1000
    if abs(ms - round(ms)) < 1e-6:
        ms_i = int(round(ms))
        return f"{ms_i // 1000}s" if ms_i and ms_i % 1000 == 0 else f"{ms_i}ms"
    return f"{seconds:.6f}".rstrip("0") + "s"


Duration = Annotated[float, BeforeValidator(parse_duration), PlainSerializer(format_duration, return_type=str)]

# -- conditions ----------------------------------------------------------------------------------
_COND = re.compile(r"^(?:(?:state:)?(?P<state>" + "|".join(STATES) + r")|event:(?P<event>[a-z_]+))$")
_ANCHOR = re.compile(r"^(?:start|(?P<step>[A-Za-z0-9_-]+)\.(?P<edge>start|end)|"
                     r"(?:state:)?(?P<state>" + "|".join(STATES) + r")|event:(?P<event>[a-z_]+))$")


def _check_condition(value: Any) -> Any:
    if isinstance(value, str) and not _COND.match(value):
        raise ValueError(f"expected a state ({', '.join(STATES)}) or 'event:<kind>' "
                         f"(e.g. 'event:recovery_started'), got {value!r}")
    return value


def _check_anchor(value: Any) -> Any:
    if isinstance(value, str) and not _ANCHOR.match(value):
        raise ValueError("expected 'start', '<step name>.start', '<step name>.end', a state, or "
                         f"'event:<kind>', got {value!r}")
    return value


Condition = Annotated[str, BeforeValidator(_check_condition)]
Anchor = Annotated[str, BeforeValidator(_check_anchor)]
Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$", max_length=64)]


def parse_condition(text: str) -> tuple[str, str]:
    """``"running"`` -> ("state", "running"); ``"event:degraded"`` -> ("event", "degraded")."""
    m = _COND.match(text)
    assert m is not None, text
    return ("state", m["state"]) if m["state"] else ("event", m["event"])


def parse_anchor(text: str) -> tuple[str, str, str]:
    """-> ("start", "", ""), ("step", name, "start"|"end"), ("state", s, ""), ("event", kind, "")."""
    m = _ANCHOR.match(text)
    assert m is not None, text
    if text == "start":
        return ("start", "", "")
    if m["step"]:
        return ("step", m["step"], m["edge"])
    if m["state"]:
        return ("state", m["state"], "")
    return ("event", m["event"], "")


class _Model(BaseModel):
    # allow_inf_nan=False: a NaN bound compares false with everything, so ``min = nan`` would make
    # a metric expectation that can never fail; refuse it where it is written
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _device_name(value: Any) -> Any:
    if isinstance(value, str) and (value in (".", "..") or any(c in value for c in "/\\") or
                                   any(ord(c) < 32 for c in value)):
        raise ValueError(f"{value[:60]!r} is not a device name (no '/', '\\', '..' or control characters)")
    return value


#: a device name: no path separators or parent references (it names a device, never a file)
DeviceName = Annotated[str, Field(min_length=1, max_length=128), AfterValidator(_device_name)]


# -- metadata and run ----------------------------------------------------------------------------
class Meta(_Model):
    id: Name
    title: str = Field(min_length=1)
    #: The field report, issue or risk this scenario reproduces (free text, e.g. a ticket or note).
    reproduces: str = Field(min_length=1)
    tags: tuple[Name, ...] = ()
    description: str = ""


class Run(_Model):
    backend: Literal["sim", "jack", "portaudio"] = "sim"
    seed: int = Field(0, ge=0, le=2**32 - 1)
    #: For backend = "jack": PortAudio's JACK host API device "system", or the ALSA "jack" PCM.
    route: Literal["jack-host-api", "alsa-jack"] = "jack-host-api"
    #: Keep running this long after the last step fired (before the end-of-run expectations).
    settle: Duration = 0.5
    #: Hard cap on the whole timeline (steps and settle); a step not triggered by then fails.
    max_duration: Duration = 60.0


# -- steps ---------------------------------------------------------------------------------------
class _Trigger(_Model):
    #: Label: other steps and expectations refer to it (``dropout.end``); defaults to ``step<N>``.
    name: Name | None = None
    #: Fire at this time after the scenario started (if already past, as soon as it is armed).
    at: Duration | None = None
    #: Fire when the system enters this state (or is in it), or when an event of this kind happens.
    when: Condition | None = None
    #: Wait this long after the trigger before firing.
    delay: Duration = 0.0
    #: How long a ``when`` may take to come true before the scenario fails.
    timeout: Duration = 10.0

    @model_validator(mode="after")
    def _one_trigger(self) -> "_Trigger":
        if self.at is not None and self.when is not None:
            raise ValueError("give either 'at' or 'when', not both")
        return self


class OpStep(_Trigger):
    """A lifecycle operation on the system, recorded as invoke -> ok / fail."""

    op: OpName
    #: For configure/reconfigure: changes merged into the current configuration (same schema).
    config: dict[str, Any] | None = None
    #: For simulate_error: the failing component.
    component: str = "dsp"
    #: What must happen: ok (default), fail (optionally with ``error``), or any.
    outcome: Literal["ok", "fail", "any"] = "ok"
    #: With outcome = "fail": the error class name expected (or a base class, e.g. DeviceError).
    error: str | None = None

    @model_validator(mode="after")
    def _fields_fit_op(self) -> "OpStep":
        if self.config is not None and self.op not in ("configure", "reconfigure"):
            raise ValueError(f"'config' only goes with op = 'configure' or 'reconfigure', not {self.op!r}")
        if self.error is not None and self.outcome != "fail":
            raise ValueError("'error' only goes with outcome = 'fail'")
        return self


class WaitStep(_Trigger):
    """Let the system run (advance the clock) for a while."""

    wait: Duration


class _Fault(_Trigger):
    #: Device the fault hits; defaults to the configured input device.
    target: DeviceName | None = None
    #: How long the fault lasts before it is lifted (device returns, stall ends, ...).
    duration: Duration | None = None


class DeviceDropout(_Fault):
    fault: Literal["device_dropout"]
    #: true: the driver reports the loss; false: the device just goes quiet (ALSA "jack" PCM).
    report: bool = True


class Stall(_Fault):
    fault: Literal["stall"]


class Xrun(_Fault):
    """One late callback (flagged input_overflow/output_underflow): an xrun."""

    fault: Literal["xrun"]
    #: How late the callback is.
    late_by: Duration = 0.01


class CallbackRaises(_Fault):
    """The next ``count`` audio callbacks raise (a malformed buffer from a buggy driver or DSP)."""

    fault: Literal["callback_raises"]
    count: int = Field(1, ge=1, le=10_000)


class SampleRateChange(_Fault):
    fault: Literal["sample_rate_change"]
    rate: int = Field(44_100, ge=8_000, le=384_000)


class BufferExhaustion(_Fault):
    """A competing allocator drains the block pool ("pool") or the global buffer limit ("limit")."""

    fault: Literal["buffer_exhaustion"]
    mode: Literal["pool", "limit"] = "pool"


class InvalidConfig(_Fault):
    """An invalid configuration applied (configure, i.e. reconfigure while running): it must be
    rejected and change nothing. Give ``config`` explicitly, or a generated ``variant``."""

    fault: Literal["invalid_config"]
    #: The invalid changes, merged into the current configuration.
    config: dict[str, Any] | None = None
    variant: Literal["wrong_type", "out_of_range", "cross_field", "unknown_version", "unknown_field",
                     "missing_device", "not_a_mapping"] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> "InvalidConfig":
        if self.config is not None and self.variant is not None:
            raise ValueError("give either 'config' or 'variant', not both")
        return self


class ConcurrentTransitions(_Fault):
    """``threads`` threads issue ``ops_per_thread`` lifecycle operations at once (seeded choice)."""

    fault: Literal["concurrent_transitions"]
    threads: int = Field(4, ge=2, le=64)
    ops_per_thread: int = Field(10, ge=1, le=10_000)
    #: Drawn from; empty means the injector's default mix (every op, invalid configs included).
    ops: tuple[Literal["initialize", "configure", "start", "pause", "resume", "stop", "recover",
                       "simulate_error", "reconfigure", "configure_invalid"], ...] = ()


class SlowDsp(_Fault):
    """A DSP stage costing ``factor`` times the block budget (declared on the virtual clock)."""

    fault: Literal["slow_dsp"]
    factor: float = Field(1.5, gt=0, le=100)


class CoordinatorContention(_Fault):
    """``threads`` threads race ``transition()`` on a fresh coordinator of the system's own class
    (``harness.faults.CoordinatorContention``): a lost update there fails ``legal_transitions``."""

    fault: Literal["coordinator_contention"]
    threads: int = Field(4, ge=2, le=64)
    ops_per_thread: int = Field(5, ge=1, le=10_000)


FaultStep = Union[DeviceDropout, Stall, Xrun, CallbackRaises, SampleRateChange, BufferExhaustion,
                  InvalidConfig, ConcurrentTransitions, SlowDsp, CoordinatorContention]


def _step_kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        for key in ("op", "wait", "fault"):
            if hasattr(value, key):
                return getattr(value, key) if key == "fault" else key
        return None
    if not isinstance(value, dict):
        return None
    keys = [k for k in ("op", "wait", "fault") if k in value]
    if len(keys) != 1:
        return None
    if keys[0] == "fault":
        return value["fault"] if value["fault"] in FAULTS else None
    return keys[0]


Step = Annotated[
    Union[
        Annotated[OpStep, Tag("op")],
        Annotated[WaitStep, Tag("wait")],
        *(Annotated[cls, Tag(name)] for cls, name in zip(FaultStep.__args__, FAULTS, strict=True)),  # type: ignore[attr-defined]
    ],
    Discriminator(_step_kind, custom_error_type="step_kind",
                  custom_error_message="each step needs exactly one of 'op', 'wait' or 'fault' "
                  f"(faults: {', '.join(FAULTS)}; ops: {', '.join(OPS)})"),
]


# -- expectations --------------------------------------------------------------------------------
class _Expect(_Model):
    #: Label used in reports (defaults to a description of the check).
    name: Name | None = None


class InvariantExpect(_Expect):
    """A named invariant from ``harness.invariants`` must hold over the whole history."""

    invariant: str = Field(min_length=1)


class DeadlineExpect(_Expect):
    """After ``after``, the system must ``reach`` a state within ``within``."""

    reach: StateName
    after: Anchor
    within: Duration
    #: Optionally: reached on this input device (e.g. the fallback).
    device: str | None = None


class MetricExpect(_Expect):
    """A counter (or histogram count) from ``system.metrics()`` at the end of the timeline."""

    metric: str = Field(min_length=1)
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _bounds(self) -> "MetricExpect":
        if self.min is None and self.max is None:
            raise ValueError("give 'min', 'max' or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is larger than max ({self.max})")
        return self


class StateExpect(_Expect):
    """The system's state (and optionally health) at the end of the timeline, before clean-up."""

    state: StateName
    healthy: bool | None = None
    device: str | None = None


class NeverExpect(_Expect):
    """The system never entered this state during the timeline (after ``after``, default the start)."""

    never: StateName
    after: Anchor = "start"
    #: Optionally only up to this anchor.
    until: Anchor | None = None


def _expect_kind(value: Any) -> str | None:
    keys = ("invariant", "reach", "metric", "state", "never")
    if isinstance(value, BaseModel):
        return next((k for k in keys if hasattr(value, k)), None)
    if not isinstance(value, dict):
        return None
    found = [k for k in keys if k in value]
    return found[0] if len(found) == 1 else None


Expectation = Annotated[
    Union[
        Annotated[InvariantExpect, Tag("invariant")],
        Annotated[DeadlineExpect, Tag("reach")],
        Annotated[MetricExpect, Tag("metric")],
        Annotated[StateExpect, Tag("state")],
        Annotated[NeverExpect, Tag("never")],
    ],
    Discriminator(_expect_kind, custom_error_type="expect_kind",
                  custom_error_message="each expectation needs exactly one of 'invariant', 'reach' "
                  "(a deadline), 'metric', 'state' or 'never'"),
]


class Cleanup(_Model):
    #: Lift every fault still active (devices return, stalls end, pool released).
    lift_faults: bool = True
    #: Operations run at the end, in order, whatever happened (errors are recorded, not raised).
    ops: tuple[OpName, ...] = ("close",)
    #: After clean-up, every resource the system allocated must have been released.
    check_leaks: bool = True


class Scenario(_Model):
    format: int
    scenario: Meta
    run: Run = Run()
    #: The system configuration: exactly ``system_under_test.config.AudioConfig`` (validated by it).
    system: dict[str, Any] = Field(default_factory=dict)
    steps: tuple[Step, ...] = Field(min_length=1)
    expect: tuple[Expectation, ...] = Field(min_length=1)
    cleanup: Cleanup = Cleanup()

    @model_validator(mode="before")
    @classmethod
    def _format_first(cls, data: Any) -> Any:
        if isinstance(data, dict):
            fmt = data.get("format")
            if fmt is None:
                raise ValueError(f"missing 'format' (write format = {FORMAT_VERSION} at the top)")
            if fmt not in SUPPORTED_FORMATS or isinstance(fmt, bool):
                raise ValueError(f"unknown format {fmt!r}: this soundcheck reads format "
                                 f"{', '.join(map(str, SUPPORTED_FORMATS))}; upgrade soundcheck "
                                 "or rewrite the file")
        return data

    @model_validator(mode="after")
    def _references(self) -> "Scenario":
        names = self.step_names()
        seen: set[str] = set()
        for n in names:
            if n in seen:
                raise ValueError(f"two steps are named {n!r}; step names must be unique")
            seen.add(n)
        for e in self.expect:
            anchors = [e.after] if isinstance(e, DeadlineExpect) else \
                [e.after, *([e.until] if e.until else [])] if isinstance(e, NeverExpect) else []
            for anchor in anchors:
                kind, ref, edge = parse_anchor(anchor)
                if kind == "step" and ref not in seen:
                    raise ValueError(f"expectation refers to step {ref!r}, but no step has that name "
                                     f"(steps: {', '.join(names)})")
                if kind == "step" and edge == "end":
                    step = self.steps[names.index(ref)]
                    if not isinstance(step, _Fault) or step.duration is None:
                        raise ValueError(f"'{anchor}': step {ref!r} has no end (only a fault with a "
                                         "'duration' ends)")
        return self

    def step_names(self) -> list[str]:
        return [s.name or f"step{i + 1}" for i, s in enumerate(self.steps)]

    @property
    def id(self) -> str:
        return self.scenario.id

    @property
    def needs_rig(self) -> bool:
        return self.run.backend == "jack"


def step_kind(step: Any) -> str:
    """'op:<name>', 'wait' or 'fault:<kind>', for messages."""
    if isinstance(step, OpStep):
        return f"op:{step.op}"
    if isinstance(step, WaitStep):
        return "wait"
    return f"fault:{step.fault}"


__all__ = [
    "Anchor", "BufferExhaustion", "CallbackRaises", "Cleanup", "ConcurrentTransitions", "Condition",
    "CoordinatorContention",
    "DeadlineExpect", "DeviceDropout", "Duration", "Expectation", "FAULTS", "FORMAT_VERSION",
    "FaultStep", "InvalidConfig", "InvariantExpect", "Meta", "MetricExpect", "NeverExpect", "OPS",
    "OpStep", "Run", "STATES", "SampleRateChange", "Scenario", "SlowDsp", "Stall", "StateExpect",
    "Step", "SUPPORTED_FORMATS", "WaitStep", "Xrun", "format_duration", "parse_anchor",
    "parse_condition", "parse_duration", "step_kind",
]
