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
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    Strict,
    Tag,
    create_model,
    field_validator,
    model_validator,
)

from ..durations import parse_duration as _shared_parse
from ..inputs import closest, refuse_bool_for_number
from ..faults.kinds import (
    FAULT_KINDS,
    Fault,
    TargetName,
    is_seconds,
    normalize_kind,
    normalize_params,
    parameter_type,
    parameters,
)

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

#: the fault kinds a step may name: every kind ``harness.faults`` declares, by its one name
FAULTS: tuple[str, ...] = tuple(FAULT_KINDS)

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


class FieldError(ValueError):
    """A problem a check across fields found, placed at the field the user must change.

    A model validator's ``ValueError`` lands at the model's root, which names no field and no
    line; the loader reads ``loc`` off this error (pydantic keeps it in the error's context) and
    reports ``line 29: expect[0].after: ...`` instead of ``(top level): ...``."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


class _Model(BaseModel):
    # allow_inf_nan=False: a NaN bound compares false with everything, so ``min = nan`` would make
    # a metric expectation that can never fail; refuse it where it is written
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    _no_bool = field_validator("*", mode="before")(refuse_bool_for_number)


#: a device name: no path separators or parent references (it names a device, never a file)
DeviceName = TargetName


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
    #: strict, as every number and switch of a scenario that is not a duration: ``seed = "7"``
    #: is a typo lax pydantic read as 7 (durations read text on purpose: ``"250ms"``)
    seed: int = Field(0, ge=0, le=2**32 - 1, strict=True)
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


class FaultStep(_Trigger):
    """A fault step: ``fault = "<kind>"`` and that kind's parameters, exactly as
    ``harness.faults.kinds`` declares them (names, types, bounds); a parameter left out takes the
    kind's default. Without ``duration_s``, a fault that holds something until it ends (a device
    gone, a pool drained: ``Fault.lasting``) lasts until clean-up. Durations may be written
    ``"250ms"``. One subclass per kind is derived below (``FAULT_STEPS``)."""

    fault: str

    @model_validator(mode="before")
    @classmethod
    def _one_spelling(cls, data: Any) -> Any:
        """A parameter written under its name now and its former name at once is refused here."""
        if isinstance(data, dict) and data.get("fault") in FAULT_KINDS:
            return normalize_params(data["fault"], data, "step")
        return data

    @model_validator(mode="after")
    def _the_kind_accepts_it(self) -> "FaultStep":
        self.build()  # the declaration's own cross-field rules (e.g. invalid_config's config/variant)
        return self

    def parameters(self) -> dict[str, Any]:
        """The parameters given in the step (those left out are absent, not None)."""
        return {name: getattr(self, name) for name in parameters(FAULT_KINDS[self.fault])
                if getattr(self, name) is not None}

    def build(self, **overrides: Any) -> Fault:
        """The ``harness.faults`` fault this step injects (``overrides`` replace given parameters)."""
        return FAULT_KINDS[self.fault](**{**self.parameters(), **overrides})

    @property
    def lasting(self) -> bool:
        return FAULT_KINDS[self.fault].lasting

    @property
    def on_device(self) -> bool:
        """The fault acts only on a device (never takes the system's operation lock)."""
        return bool(FAULT_KINDS[self.fault].needs)


def _fault_step_model(kind: str) -> type[FaultStep]:
    cls = FAULT_KINDS[kind]
    fields: dict[str, Any] = {"fault": (Literal[kind], ...)}
    for name, info in parameters(cls).items():
        t = parameter_type(info)
        if is_seconds(info):  # written back as "250ms"
            t = Annotated[t, PlainSerializer(format_duration, return_type=str)]
        elif info.annotation in (int, float, bool, bool | None):  # ``count = "3"``, ``report = "no"``: typos
            t = Annotated[t, Strict()]
        fields[name] = (t | None, Field(None, description=info.description))
    title = "".join(part.title() for part in kind.split("_")) + "Step"
    return create_model(title, __base__=FaultStep, __doc__=cls.__doc__, **fields)


#: the step model of each fault kind, derived from its declaration
FAULT_STEPS: dict[str, type[FaultStep]] = {kind: _fault_step_model(kind) for kind in FAULT_KINDS}


def _former_fault_names(steps: Any) -> Any:
    """Scenario steps with former fault and parameter names replaced by the names now (a
    deprecation note each, naming the step)."""
    if not isinstance(steps, (list, tuple)):
        return steps
    out = []
    for i, step in enumerate(steps):
        if isinstance(step, dict) and "fault" in step:
            step = {**step, "fault": normalize_kind(step["fault"], f"steps[{i}].fault")}
            if step["fault"] in FAULT_KINDS:
                step = normalize_params(step["fault"], step, f"steps[{i}]", both="keep")
        out.append(step)
    return out


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
        *(Annotated[cls, Tag(name)] for name, cls in FAULT_STEPS.items()),
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
    min: float | None = Field(None, strict=True)
    max: float | None = Field(None, strict=True)

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
    healthy: bool | None = Field(None, strict=True)
    device: str | None = None


class NeverExpect(_Expect):
    """The system never entered this state during the timeline (after ``after``, default the start)."""

    never: StateName
    after: Anchor = "start"
    #: Optionally only up to this anchor.
    until: Anchor | None = None


#: what a ``no_leak`` expectation can judge: the system's own books, sampled as a run samples them
#: (``harness.leaks``: live allocations and the usage of each resource type)
LEAK_METRICS: tuple[str, ...] = ("sut_live_allocations", "sut_buffers", "sut_bytes", "sut_frames",
                                 "sut_streams", "sut_threads")


class NoLeakExpect(_Expect):
    """What the system holds of ``no_leak`` (a ``LEAK_METRICS`` name), sampled every ``every``
    over the timeline, shows no leak by the rule a run's report uses (``harness.leaks.judge``:
    its thresholds, its warm-up and its shortest window, ``MIN_LEAK_WINDOW_S``): a leak fails
    the expectation, a slope the rule cannot judge leaves it inconclusive. A leak that shows only
    while the system runs (what it gives back at ``close``, which ``check_leaks`` looks at) is
    seen by this one."""

    no_leak: Literal[LEAK_METRICS]  # type: ignore[valid-type]
    every: Duration = 0.5

    @model_validator(mode="after")
    def _positive(self) -> "NoLeakExpect":
        if self.every <= 0:
            raise ValueError("'every' must be more than 0 (a sample every 0.5s, say)")
        return self


def _expect_kind(value: Any) -> str | None:
    keys = ("invariant", "reach", "metric", "state", "never", "no_leak")
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
        Annotated[NoLeakExpect, Tag("no_leak")],
    ],
    Discriminator(_expect_kind, custom_error_type="expect_kind",
                  custom_error_message="each expectation needs exactly one of 'invariant', 'reach' "
                  "(a deadline), 'metric', 'state', 'never' or 'no_leak'"),
]


class Cleanup(_Model):
    #: Lift every fault still active (devices return, stalls end, pool released).
    lift_faults: bool = Field(True, strict=True)
    #: Operations run at the end, in order, whatever happened (errors are recorded, not raised).
    ops: tuple[OpName, ...] = ("close",)
    #: After clean-up, every resource the system allocated must have been released.
    check_leaks: bool = Field(True, strict=True)


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
            if "steps" in data:
                data = {**data, "steps": _former_fault_names(data["steps"])}
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
        anchors: list[tuple[int, str, str]] = []
        for i, e in enumerate(self.expect):
            if isinstance(e, DeadlineExpect):
                anchors.append((i, "after", e.after))
            elif isinstance(e, NeverExpect):
                anchors += [(i, "after", e.after), *([(i, "until", e.until)] if e.until else [])]
        ends = {n for n, s in zip(names, self.steps) if isinstance(s, FaultStep) and s.duration_s is not None}
        problems = reference_problems(names, anchors, ends)
        if problems:  # the first here; the loader lists every one (``reference_problems`` on the file)
            raise FieldError(*problems[0])
        return self

    def step_names(self) -> list[str]:
        return [s.name or f"step{i + 1}" for i, s in enumerate(self.steps)]

    @property
    def id(self) -> str:
        return self.scenario.id

    @property
    def needs_rig(self) -> bool:
        return self.run.backend == "jack"


def reference_problems(names: list[str], anchors: list[tuple[int, str, str]],
                       ends: set[str] | None) -> list[tuple[tuple[str | int, ...], str]]:
    """Every cross reference that does not hold, as ``(loc, message)``: two steps of one name, an
    expectation anchored to a step no step is named, or to the end of a step that has none.
    ``names``: the steps' names in order; ``anchors``: ``(expectation index, field, anchor)``;
    ``ends``: the names of the steps that end (None: not known, not checked)."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    seen: set[str] = set()
    for i, n in enumerate(names):
        if n in seen:
            problems.append((("steps", i, "name"), f"two steps are named {n!r}; step names must be unique"))
        seen.add(n)
    for i, field, anchor in anchors:
        if not isinstance(anchor, str) or _ANCHOR.match(anchor) is None:
            continue  # not an anchor: the field's own check says so
        kind, ref, edge = parse_anchor(anchor)
        if kind == "step" and ref not in seen:
            near = closest(ref, names)
            hint = f"; did you mean '{near}.{edge}'?" if near and edge else \
                f"; did you mean {near!r}?" if near else ""
            problems.append((("expect", i, field), f"refers to step {ref!r}, but no step has that name "
                                                   f"(steps: {', '.join(names)}){hint}"))
        elif kind == "step" and edge == "end" and ends is not None and ref not in ends:
            problems.append((("expect", i, field), f"'{anchor}': step {ref!r} has no end (only a fault "
                                                   "with a 'duration_s' ends)"))
    return problems


def step_kind(step: Any) -> str:
    """'op:<name>', 'wait' or 'fault:<kind>', for messages."""
    if isinstance(step, OpStep):
        return f"op:{step.op}"
    if isinstance(step, WaitStep):
        return "wait"
    return f"fault:{step.fault}"


__all__ = [
    "Anchor", "Cleanup", "Condition", "DeadlineExpect", "DeviceName", "Duration", "Expectation", "FAULTS",
    "FAULT_STEPS", "FORMAT_VERSION", "FaultStep", "InvariantExpect", "Meta", "MetricExpect", "NeverExpect",
    "OPS", "OpStep", "Run", "STATES", "Scenario", "StateExpect", "Step", "SUPPORTED_FORMATS", "WaitStep",
    "format_duration", "parse_anchor", "parse_condition", "parse_duration", "reference_problems", "step_kind",
]
