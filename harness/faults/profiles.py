"""Fault profiles: named fault mixes (per-kind probability per check and per-kind parameters,
``[lo, hi]`` ranges drawn per fault), the built-in ones (``PROFILES``) and profile files.

``profile_schedule("hostile", 60, seed)`` builds a random schedule from a built-in profile;
``load_profile(path)`` reads one from TOML. The file format (``ProfileFile``) is derived from the
fault kinds' declarations (``harness.faults.kinds``): ``[probabilities]`` takes one key per kind,
``[params.<kind>]`` that kind's parameters, with their own bounds.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, PlainValidator, Strict, create_model, field_validator, model_validator
from pydantic import Field as PField

from ..errors import ScenarioFileError
from ..gates import Gates
from ..inputs import bool_as_number, refuse_bool_for_number, wrong_type
from .kinds import (
    DEVICE_FAULT_KINDS,
    FAULT_KINDS,
    collecting_deprecations,
    normalize_kind,
    normalize_params,
    parameter_type,
    parameters,
)
from .schedule import Schedule
from .stall_bound import StallPastBound, stall_duration_problem
from .xrun_bound import LatenessInPeriods, Period, period_of, xrun_delay_problem


def fitted_params(params: Mapping[str, Mapping[str, Any]], period: Period) -> dict[str, dict[str, Any]]:
    """``params`` with an ``xrun`` lateness given in periods (``LatenessInPeriods``) and a
    ``stall``'s length given past its bound (``StallPastBound``) turned into ``[lo, hi]`` ranges
    in seconds for ``period``; every other parameter as it is."""
    out = {kind: dict(kw) for kind, kw in params.items()}
    xrun = out.get("xrun")
    if xrun is not None and isinstance(xrun.get("delay_s"), LatenessInPeriods):
        xrun["delay_s"] = xrun["delay_s"].seconds(period)
    stall = out.get("stall")
    if stall is not None and isinstance(stall.get("duration_s"), StallPastBound):
        stall["duration_s"] = stall["duration_s"].seconds(period)
    return out


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
    #: device outages every schedule of the profile has (``Schedule.with_outages``): dropouts of
    #: ``outage_s`` seconds, longer than the default recovery policy rides out, so a run reaches a
    #: recovery that gives up. Only the ``outages`` profile has them, not ``default``: an outage's
    #: give-up leaves the system FAILED, which a soak's stability report counts among its failures,
    #: so a healthy system's default soak would report failures it was made to have. A user who
    #: asks whether the system's give-ups are announced picks ``outages`` and reads its failures so
    outages: int = 0
    outage_s: tuple[float, float] = (4.0, 6.0)
    #: starved inputs as many as its outages (``outage_count``), each of ``starvation_s`` seconds
    #: (``Schedule.with_starvations``): longer than the watchdog's bound, so each asks the system to
    #: notice it, and then to run on the input fed again. Only ``outages`` has them
    starvations: bool = False
    starvation_s: tuple[float, float] = (0.3, 1.0)
    #: the profile file it was read from (None: a built-in profile), named when its values are
    #: refused for a run's configuration (``fitted``)
    source: str | None = None

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

    def fitted(self, config: Any = None) -> dict[str, dict[str, Any]]:
        """The profile's parameters for a run of ``config`` (an ``AudioConfig``, a configuration
        dict, or None: the defaults): an ``xrun``'s lateness given in periods turned into seconds,
        one given in seconds checked to stay an xrun (``harness.faults.xrun_bound``); a ``stall``'s
        length given from its bound turned into seconds, one given in seconds checked to be a stall
        (``harness.faults.stall_bound``).

        Raises ``ScenarioFileError`` naming the profile file, the field and the value allowed when
        its ``xrun`` lateness would be a stall, or its ``stall`` no stall, for ``config``."""
        period = period_of(config)
        delay = (self.params.get("xrun") or {}).get("delay_s")
        problem = None if isinstance(delay, LatenessInPeriods) else \
            xrun_delay_problem(delay, period, "params.xrun.delay_s")
        stall = (self.params.get("stall") or {}).get("duration_s")
        if problem is None and not isinstance(stall, StallPastBound):
            problem = stall_duration_problem(stall, period, "params.stall.duration_s")
        if problem is not None:
            raise ScenarioFileError(self.source or f"profile {self.name}", problem)
        return fitted_params(self.params, period)

    def schedule(self, duration_s: float, seed: int, *, soak: bool = False, config: Any = None) -> Schedule:
        """The profile's seeded schedule for a run of ``duration_s`` on ``config`` (``fitted``);
        ``soak``: for a soak, whose outages (``outage_count``) are spread over the whole run. The
        other draws are the same."""
        schedule = Schedule.random(duration_s, seed, self.probabilities, check_every_s=self.check_every_s,
                                   params=self.fitted(config), name=self.name)
        count = self.outage_count(duration_s, soak=soak)
        schedule = schedule.with_outages(count, self.outage_s, whole_run=soak)
        return schedule.with_starvations(count if self.starvations else 0, self.starvation_s, whole_run=soak)

    def outage_count(self, duration_s: float, *, soak: bool = False) -> int:
        """How many outages a run of ``duration_s`` gets: one per ``OUTAGE_EVERY_S`` up to the
        profile's ``outages``; a soak at least one per ``SOAK_OUTAGE_EVERY_S`` too, so an hour's
        soak meets twelve give-ups, not two in its third quarter judged only at its end."""
        if self.outages <= 0:
            return 0
        count = min(self.outages, int(duration_s // OUTAGE_EVERY_S))
        return max(count, int(duration_s // SOAK_OUTAGE_EVERY_S)) if soak else count


#: a profile's outages are one per this many seconds of the run, up to its ``outages``: a run
#: shorter has none (two 4-6 s outages would keep a 10 s run's device away for most of it)
OUTAGE_EVERY_S = 30.0
#: a soak's outages are at least one per this many seconds of it, each in its own slice of the
#: whole soak: a give-up leaves the system FAILED until an operator's call restarts it (seconds,
#: under the default mix's ``lifecycle_calls``), so one every five minutes keeps an hour's soak
#: running most of the time while it still reaches the give-up path all along
SOAK_OUTAGE_EVERY_S = 300.0

#: the built-in profiles' parameter ranges (drawn per fault)
_DEVICE_PARAMS: dict[str, dict[str, Any]] = {
    "dropout": {"duration_s": [0.05, 0.8]},
    # from the watchdog's bound at the run's block size and watchdog setting (4.25 periods and a
    # supervisor pass: 27.7 ms at 256 frames / 48 kHz) to 300 ms: every firing a stall the
    # watchdog sees (``harness.faults.stall_bound``)
    "stall": {"duration_s": StallPastBound(0.3)},
    # from half a period to a quarter period under the watchdog's bound, at the run's block size
    # and watchdog setting: every firing a late block, never a stall (``harness.faults.xrun_bound``)
    "xrun": {"delay_s": LatenessInPeriods(0.5)},
    "callback_raises": {"count": [1, 5]},
    "buffer_exhaustion": {"duration_s": [0.05, 0.5]},
    "slow_dsp": {"duration_s": [0.05, 0.5], "factor": [1.1, 3.0]},
    "lifecycle_calls": {"count": [3, 20]},
}

#: the default profile's mix: every transient fault now and then
_DEFAULT_MIX: dict[str, float] = {"xrun": 0.1, "stall": 0.03, "dropout": 0.02, "callback_raises": 0.03,
                                  "buffer_exhaustion": 0.02, "slow_dsp": 0.02, "invalid_config": 0.02,
                                  "lifecycle_calls": 0.04, "coordinator_contention": 0.02}

PROFILES: dict[str, Profile] = {
    "none": Profile("none", {}, description="no faults: the steady-state baseline"),
    "gentle": Profile("gentle", {"xrun": 0.05, "stall": 0.01, "callback_raises": 0.01},
                      _DEVICE_PARAMS, check_every_s=0.5, description="occasional glitches"),
    "default": Profile("default", _DEFAULT_MIX,
                       _DEVICE_PARAMS, check_every_s=0.25,
                       description="every transient fault now and then"),
    "hostile": Profile("hostile", {"xrun": 0.3, "stall": 0.1, "dropout": 0.08, "callback_raises": 0.1,
                                   "buffer_exhaustion": 0.08, "slow_dsp": 0.08, "invalid_config": 0.08,
                                   "sample_rate_change": 0.03, "lifecycle_calls": 0.03,
                                   "coordinator_contention": 0.01},
                       # its exhaustions report what they meet to the coordinator: overlapping
                       # ones (most hostile runs hold a pair) report to a system already degraded,
                       # the one path that shows a degraded episode announced once (a fixed
                       # switch, drawn from no random stream: the schedules' times are unchanged)
                       {**_DEVICE_PARAMS, "sample_rate_change": {"rate": 44_100},
                        "buffer_exhaustion": {**_DEVICE_PARAMS["buffer_exhaustion"], "report": True}},
                       check_every_s=0.2, description="many overlapping faults"),
    # default's mix, and two device outages longer than the default recovery budget (one per 30 s
    # of the run, in its third quarter; the operator's calls that would cut their recoveries left
    # out, ``Schedule.with_outages``): every run of 30 s and more reaches a recovery that gives
    # up, which the system must announce (``give_ups_announced``). A soak has one in each
    # ``SOAK_OUTAGE_EVERY_S`` slice of its whole length (``outage_count``); as many starved
    # inputs, in the first half (``with_starvations``). Its failures are the
    # outages' doing; a soak of it counts them among its failures, as the profile's name says
    "outages": Profile("outages", _DEFAULT_MIX,
                       _DEVICE_PARAMS, check_every_s=0.25, outages=2, starvations=True,
                       description="default's faults, two device outages past the recovery budget and two starved "
                                   "inputs: recoveries that give up, which must be announced"),
}


def profile_schedule(name: str, duration_s: float, seed: int) -> Schedule:
    """The seeded schedule of profile ``name`` (``none``, ``gentle``, ``default``, ``hostile``, ``outages``)."""
    try:
        profile = PROFILES[name]
    except KeyError:
        from ..inputs import clip  # noqa: PLC0415
        raise ValueError(f"unknown fault profile {clip(name)} (known: {', '.join(PROFILES)})") from None
    return profile.schedule(duration_s, seed)


# -- the profile file format, validated by pydantic (extra="forbid" everywhere) -------------------
# A misspelt table (``[probabilites]``), an unknown key at any level or a system-config file given
# as ``--faults`` is an error naming the key and the closest valid one, never a silent run without
# faults. Every number is finite and in the range its kind declares (a ``check_every_s`` of 1e-9
# used to pre-draw billions of checks; ``threads = 1000`` used to fail mid-run instead of at load).

def _range_of(t: Any) -> Any:
    """A parameter given as one value, or as a ``[lo, hi]`` range drawn per fault (lo <= hi); one
    clear error either way (a plain ``Union`` would report one error per alternative)."""
    from pydantic import TypeAdapter, ValidationError  # noqa: PLC0415

    adapter = TypeAdapter(t)

    def one(v: Any) -> Any:
        if isinstance(v, bool):  # lax pydantic reads true as 1: a parameter is a number
            raise ValueError(bool_as_number(v))
        try:
            # strict: ``threads = "8"`` is a typo lax pydantic read as 8; a duration parameter
            # still reads its text forms ("250ms"), which its own validator turns into seconds first
            return adapter.validate_python(v, strict=True)
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            said = wrong_type(err["type"], err.get("input"))
            msg = str(err["msg"]).removeprefix("Value error, ")
            raise ValueError(said or f"{msg} (got {err.get('input')!r:.60})") from None

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
    _no_bool = field_validator("*", mode="before")(refuse_bool_for_number)


class _KindParams(_ProfileModel):
    """``[params.<kind>]`` of one kind (subclasses are derived from the kind's declaration)."""

    kind: ClassVar[str] = ""

    @model_validator(mode="before")
    @classmethod
    def _former_names(cls, data: Any) -> Any:
        return normalize_params(cls.kind, data, f"params.{cls.kind}") if isinstance(data, Mapping) else data


def _params_model(kind: str) -> type[_KindParams]:
    """``[params.<kind>]``: every parameter of the kind, optional (absent: the kind's default);
    numbers may be ``[lo, hi]`` ranges."""
    fields: dict[str, Any] = {}
    for name, info in parameters(FAULT_KINDS[kind]).items():
        t = parameter_type(info)
        if info.annotation in (int, float):
            t = _range_of(t)
        elif info.annotation in (bool, bool | None):  # ``report = "no"`` was read as false: a switch is true or false
            t = Annotated[t, Strict()]
        fields[name] = (t | None, None)
    base = type(f"_KindParams_{kind}", (_KindParams,), {"kind": kind})
    return create_model(f"Params_{kind}", __base__=base, **fields)


#: strict: ``xrun = "0.5"`` is a typo lax pydantic read as 0.5 (an integer, 0 or 1, is still a probability)
_Probability = Annotated[float, Strict(), PField(ge=0.0, le=1.0)]
#: shortest check interval a profile may ask for; with ``MAX_SCHEDULE_CHECKS`` it bounds the
#: schedule drawn before a run starts (time and memory)
MIN_CHECK_EVERY_S = 0.001


class _ByKind(_ProfileModel):
    """A table keyed by fault kind; a former kind name is read as the kind's name now (a note)."""

    table: ClassVar[str] = ""

    @model_validator(mode="before")
    @classmethod
    def _former_names(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        out: dict[str, Any] = {}
        for key, value in data.items():
            new = normalize_kind(key, f"{cls.table}.{key}")
            if new in out:
                raise ValueError(f"{cls.table}: {new!r} is given twice (once under a former name)")
            out[new] = value
        return out


@dataclass(frozen=True)
class _FileModels:
    """The profile file's models: the whole file, its two tables and each kind's parameters."""

    profile_file: type[BaseModel]
    probabilities: type[BaseModel]
    params: type[BaseModel]
    param_models: dict[str, type[_KindParams]]


@functools.cache
def _file_models() -> _FileModels:
    """The profile file's models, built at the first read of a file, not at import.

    Why: building them (a model per fault kind and table, a validator per numeric parameter)
    costs ~20 ms of CPU, ~6 % of the imports of a ``soundcheck run``, which reads no profile file
    unless ``--faults`` names one: the built-in profiles are not validated through them."""
    param_models = {kind: _params_model(kind) for kind in FAULT_KINDS}
    probabilities = create_model(
        "Probabilities", __base__=type("_ByKindP", (_ByKind,), {"table": "probabilities"}),
        **{kind: (_Probability, 0.0) for kind in FAULT_KINDS})
    params = create_model(
        "Params", __base__=type("_ByKindQ", (_ByKind,), {"table": "params"}),
        **{kind: (param_models[kind] | None, None) for kind in FAULT_KINDS})
    profile_file = create_model(
        "ProfileFile", __base__=_ProfileFileBase, __doc__=_ProfileFileBase.__doc__,
        probabilities=(probabilities, ...), params=(params, params()), gates=(Gates | None, None))
    return _FileModels(profile_file, probabilities, params, param_models)


class _ProfileFileBase(_ProfileModel):
    """A fault profile file (TOML). ``probabilities`` is required: a file without it is not a
    profile (the built-in ``none`` is the profile without faults)."""

    name: Annotated[str, PField(min_length=1, max_length=64)] | None = None
    description: Annotated[str, PField(max_length=2_000)] = ""
    check_every_s: Annotated[float, Strict(), PField(ge=MIN_CHECK_EVERY_S, le=3600.0)] = 0.25


def __getattr__(name: str) -> Any:
    """``ProfileFile`` (the file format's model) and ``_PARAM_MODELS``, built on first use."""
    if name == "ProfileFile":
        return _file_models().profile_file
    if name == "_PARAM_MODELS":
        return _file_models().param_models
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _profile_keys(loc: tuple[Any, ...]) -> list[str]:
    """The valid keys at ``loc`` of a profile file (for "did you mean" messages)."""
    models = _file_models()
    if not loc:
        return list(models.profile_file.model_fields)
    if loc == ("probabilities",):
        return list(models.probabilities.model_fields)
    if loc == ("params",):
        return list(models.params.model_fields)
    if loc == ("gates",):
        return list(Gates.model_fields)
    if len(loc) == 2 and loc[0] == "params" and loc[1] in models.param_models:
        return list(models.param_models[str(loc[1])].model_fields)
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
    wrong and the fix (for an unknown key, the closest valid one). A former name of a kind or a
    parameter is read, with a deprecation note on stderr naming the file.
    """
    import sys  # noqa: PLC0415

    from pydantic import ValidationError  # noqa: PLC0415

    from ..inputs import load_document, validation_message  # noqa: PLC0415

    p = Path(path)
    doc = load_document(p, "fault profile", fmt="toml", error=ScenarioFileError)
    try:
        with collecting_deprecations() as notes:
            model = _file_models().profile_file.model_validate(doc)
    except ValidationError as exc:
        hint = ""
        if "probabilities" not in doc and ("steps" in doc or "scenario" in doc):
            # a scenario given as --faults: say what it is instead of listing its every table
            raise ScenarioFileError(p, "is a scenario file, not a fault profile: run it with `soundcheck "
                                       f"scenario run {p}`; a fault profile (--faults) needs a [probabilities] "
                                       "table of fault kind = probability") from None
        if "probabilities" not in doc:
            hint = (" (a fault profile needs a [probabilities] table of fault kind = probability; "
                    "is this a system configuration? those go to --config)")
        label = lambda loc: "unknown fault kind" if loc in (("probabilities",), ("params",)) else "unknown key"  # noqa: E731
        raise ScenarioFileError(p, validation_message(exc, known_keys=_profile_keys, unknown_label=label)
                                + hint) from None
    for note in notes:
        print(f"{p}: deprecated: {note}", file=sys.stderr)
    probs = {k: v for k, v in model.probabilities.model_dump().items() if v > 0}
    if not probs and model.gates is None:
        # as an empty configuration is refused: a run under it would pass having injected nothing,
        # under this file's name, and a profile zeroed while edited would never be noticed
        raise ScenarioFileError(p, "probabilities: every fault kind's probability is 0 and there is no [gates] "
                                   "table, so a run under this profile injects nothing and checks nothing "
                                   "more than --faults none; give at least one kind a probability above 0 "
                                   "(e.g. xrun = 0.1), or run with --faults none")
    params = {k: {pk: (list(pv) if isinstance(pv, tuple) else pv) for pk, pv in v.items() if pv is not None}
              for k, v in model.params.model_dump(exclude_unset=True).items() if v}
    return Profile(model.name or p.stem, probs, params, model.check_every_s, model.description, model.gates,
                   source=str(p))


__all__ = ["MIN_CHECK_EVERY_S", "OUTAGE_EVERY_S", "PROFILES", "SOAK_OUTAGE_EVERY_S", "Profile", "ProfileFile", "load_profile", "profile_schedule"]
