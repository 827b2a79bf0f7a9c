"""Reading scenario files: TOML -> validated ``Scenario``, or one error listing every problem.

Every problem is reported at once as ``ScenarioFileError`` (exit 2 from the CLI, a clean
collection error in pytest), one line each: ``line 12: steps[2].duration: <what was expected>``.
Lines come from mapping the pydantic error path back onto the TOML source (``_LineIndex``: a
small scanner that knows table headers, arrays of tables and dotted keys); when a path cannot be
placed exactly, the nearest enclosing table's line is given.

The ``system`` table is validated by the system's own ``load_config`` (migrations, field checks,
cross-checks; for the simulated backend also against the simulated devices), so a scenario can
never carry a configuration the system itself would not accept.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from system_under_test.clock import VirtualClock
from system_under_test.config import load_config
from system_under_test.devices.simulated import SimulatedBackend
from system_under_test.errors import ConfigError, ConfigValidationError

from ..errors import ScenarioFileError
from ..inputs import check_depth, read_text, wrong_type
from ..invariants import NAMES as INVARIANT_NAMES
from ..faults.base_config import overlay
from ..faults.kinds import FAULT_KINDS, collecting_deprecations, kind_named, parameters
from ..faults.stall_bound import stall_duration_problem
from ..faults.xrun_bound import period_of, xrun_delay_problem
from .model import (
    FAULT_STEPS,
    FAULTS,
    FORMAT_VERSION,
    SUPPORTED_FORMATS,
    DeadlineExpect,
    FaultStep,
    FieldError,
    InvariantExpect,
    MetricExpect,
    NeverExpect,
    NoLeakExpect,
    OpStep,
    Scenario,
    StateExpect,
    WaitStep,
    reference_problems,
)

_TAGS = {"steps": {"op", "wait", *FAULTS}, "expect": {"invariant", "reach", "metric", "state", "never", "no_leak"}}

#: the model a step or an expectation is read as, by the key that tells its kind (a fault step's
#: parameters are the kind's own: ``_as_written`` names them from ``FAULT_STEPS``)
_ITEM_MODELS: dict[str, dict[str, Any]] = {
    "steps": {"op": OpStep, "wait": WaitStep},
    "expect": {"invariant": InvariantExpect, "reach": DeadlineExpect, "metric": MetricExpect, "state": StateExpect,
               "never": NeverExpect, "no_leak": NoLeakExpect},
}


# -- line index -----------------------------------------------------------------------------------
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""")


def _split_key(key: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in re.split(r"\.(?=(?:[^\"']|\"[^\"]*\"|'[^']*')*$)", key))


class _LineIndex:
    """Path (as pydantic locates it: ``("steps", 2, "duration")``) -> 1-based line in the source."""

    def __init__(self, text: str) -> None:
        self.lines: dict[tuple[Any, ...], int] = {}
        counters: dict[tuple[Any, ...], int] = {}
        table: tuple[Any, ...] = ()
        depth = 0  # inside a multi-line array/inline table value: keys there are not top-level
        for no, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if depth > 0:
                depth += _bracket_balance(stripped)
                continue
            if not stripped or stripped.startswith("#"):
                continue
            m = _HEADER.match(stripped)
            if m and not _KEY.match(stripped):
                parts = _split_key(m.group(2))
                if m.group(1) == "[[":
                    base = self._resolve(parts[:-1], counters) + (parts[-1],)
                    idx = counters.get(base, -1) + 1
                    counters[base] = idx
                    table = base + (idx,)
                else:
                    table = self._resolve(parts, counters)
                self._mark(table, no)
                continue
            k = _KEY.match(stripped)
            if k:
                path = table + _split_key(k.group(1))
                self._mark(path, no)
                depth = max(0, _bracket_balance(stripped[k.end():]))

    @staticmethod
    def _resolve(parts: tuple[str, ...], counters: dict[tuple[Any, ...], int]) -> tuple[Any, ...]:
        """``[steps.config]`` after two ``[[steps]]`` is ``("steps", 1, "config")``."""
        out: tuple[Any, ...] = ()
        for part in parts:
            out += (part,)
            if out in counters:
                out += (counters[out],)
        return out

    def _mark(self, path: tuple[Any, ...], no: int) -> None:
        for i in range(1, len(path) + 1):
            self.lines.setdefault(path[:i], no)

    def line_of(self, loc: Iterable[Any]) -> int | None:
        loc = tuple(loc)
        for i in range(len(loc), 0, -1):
            if loc[:i] in self.lines:
                return self.lines[loc[:i]]
        return None


def _bracket_balance(text: str) -> int:
    text = re.sub(r'"(?:\\.|[^"\\])*"|\'[^\']*\'', "", text.split("#", 1)[0] if '"' not in text else text)
    return text.count("[") + text.count("{") - text.count("]") - text.count("}")


# -- problems -------------------------------------------------------------------------------------
def _strip_tags(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    out: list[Any] = []
    i = 0
    while i < len(loc):
        out.append(loc[i])
        if (isinstance(loc[i], int) and i >= 1 and loc[i - 1] in _TAGS and i + 1 < len(loc)
                and loc[i + 1] in _TAGS[loc[i - 1]]):
            i += 1  # skip the union tag pydantic inserts; users never wrote it
        i += 1
    return tuple(out)


def dotted(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _message(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    msg = str(err["msg"])
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see scenarios/README.md for the format)"
    if kind == "missing":
        return "required field is missing"
    if kind == "string_pattern_mismatch":
        return f"use letters, digits, '-' and '_' only (got {err.get('input')!r})"
    if (wrong := wrong_type(kind, err.get("input"))) is not None:
        return wrong
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if kind in ("literal_error", "int_parsing", "int_type", "float_type", "float_parsing", "bool_type",
                "bool_parsing", "string_type", "dict_type", "tuple_type", "list_type", "string_pattern_mismatch"):
        msg += f" (got {err.get('input')!r})"
    return msg


def _path_from_config(path: str) -> tuple[Any, ...]:
    """``"dsp[1].cutoff_hz"`` -> ``("dsp", 1, "cutoff_hz")``."""
    out: list[Any] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        out.append(int(index) if index else name)
    return tuple(p for p in out if p != "(root)")


class Problem:
    __slots__ = ("line", "loc", "message")

    def __init__(self, loc: tuple[Any, ...], message: str, line: int | None = None) -> None:
        self.loc, self.message, self.line = loc, message, line

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{dotted(self.loc)}: {self.message}"


def _pydantic_problems(exc: ValidationError) -> list[Problem]:
    raw = [(_strip_tags(tuple(e["loc"])), e) for e in exc.errors(include_url=False)]
    problems = []
    for loc, err in raw:
        if err["type"] == "too_short" and any(other != loc and other[:len(loc)] == loc for other, _ in raw):
            continue  # pydantic's follow-on "too short" after an item failed: noise
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, FieldError):  # a cross-field check that knows the field to change
            loc = (*loc, *cause.loc)
        problems.append(Problem(loc, _message(err)))
    return problems


def _as_written(problem: Problem, data: Mapping[str, Any]) -> Problem:
    """A problem in a fault step as the file wrote it: a parameter written under its former name
    placed (and named) as written (``steps[2].duration``, not the ``duration_s`` it was read as);
    an unknown parameter with the closest valid one; a misspelt fault kind or top-level table
    named, with the closest valid one."""
    from ..inputs import clip, closest

    loc = problem.loc
    if len(loc) == 1 and problem.message.startswith("unknown field") and isinstance(loc[0], str):
        near = closest(loc[0], Scenario.model_fields)
        if near:
            return Problem(loc, f"unknown field; did you mean {near!r}? (the tables of a scenario: "
                                f"{', '.join(Scenario.model_fields)})", problem.line)
        return problem
    if len(loc) == 3 and loc[0] in _ITEM_MODELS and isinstance(loc[1], int) and isinstance(loc[2], str) \
            and problem.message.startswith("unknown field"):
        # a misspelt key of an operation, wait or expectation: pydantic only says "unknown", and
        # the key the user meant (``nmae`` for ``name``) is what they need to read
        items = data.get(str(loc[0]))
        item = items[loc[1]] if isinstance(items, list) and 0 <= loc[1] < len(items) else None
        model = next((m for key, m in _ITEM_MODELS[str(loc[0])].items() if key in item), None) \
            if isinstance(item, Mapping) else None
        if model is not None:
            near = closest(loc[2], model.model_fields)
            hint = f"did you mean {near!r}?" if near else "check the spelling"
            return Problem(loc, f"unknown field; {hint} (the keys here: {', '.join(model.model_fields)})",
                           problem.line)
    table = Scenario.model_fields.get(str(loc[0])) if len(loc) == 2 and isinstance(loc[1], str) else None
    fields = getattr(table.annotation, "model_fields", None) if table is not None else None
    if fields and problem.message.startswith("unknown field"):  # [scenario], [run], [cleanup]
        near = closest(str(loc[1]), fields)
        hint = f"did you mean {near!r}?" if near else "check the spelling"
        return Problem(loc, f"unknown field; {hint} (the keys of [{loc[0]}]: {', '.join(fields)})", problem.line)
    steps = data.get("steps")
    if len(loc) == 2 and loc[0] == "steps" and isinstance(steps, list) and isinstance(loc[1], int) \
            and 0 <= loc[1] < len(steps) and isinstance(steps[loc[1]], Mapping):
        step = steps[loc[1]]
        written = step.get("fault")
        if "fault" in step and not {"op", "wait"} & set(step) and kind_named(str(written)) is None:
            near = closest(str(written), FAULT_KINDS)
            hint = f"did you mean {near!r}? " if near else ""
            return Problem((*loc, "fault"), f"unknown fault kind {clip(written)}; {hint}write one of: "
                                            f"{', '.join(FAULT_KINDS)}", problem.line)
        return problem
    if len(loc) < 3 or loc[0] != "steps" or not isinstance(loc[1], int) or not isinstance(steps, list) \
            or not 0 <= loc[1] < len(steps) or not isinstance(steps[loc[1]], Mapping):
        return problem
    step = steps[loc[1]]
    kind = kind_named(str(step.get("fault")))
    if kind is None:
        return problem
    if loc[2] in step:
        if len(loc) == 3 and problem.message.startswith("unknown field"):
            near = closest(str(loc[2]), FAULT_STEPS[kind].model_fields)
            if near:
                return Problem(loc, f"unknown field; did you mean {near!r}? (the parameters of {kind}: "
                                    f"{', '.join(parameters(FAULT_KINDS[kind]))})", problem.line)
        return problem
    written = next((old for old, new in FAULT_KINDS[kind].renamed.items() if new == loc[2] and old in step), None)
    if written is None:
        return problem
    return Problem((*loc[:2], written, *loc[3:]), problem.message, problem.line)


def system_config_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario's system configuration with the backend's defaults filled in."""
    data = dict(scenario.system)
    device = dict(data.get("device") or {})
    device.setdefault("backend", scenario.run.backend)
    if scenario.run.backend == "jack":
        name = "system" if scenario.run.route == "jack-host-api" else "jack"
        device.setdefault("input_device", name)
        device.setdefault("output_device", name)
    data["device"] = device
    return data


def _config_problems(prefix: tuple[Any, ...], data: Mapping[str, Any], backend: str) -> list[Problem]:
    sim = None
    if backend == "sim":
        sim = SimulatedBackend(VirtualClock())
    try:
        load_config(data, sim)
    except ConfigValidationError as exc:
        return [Problem(prefix + _path_from_config(p), m) for p, m in exc.problems]
    except ConfigError as exc:
        return [Problem(prefix + ("schema_version",), exc.message)]
    return []


def semantic_problems(scenario: Scenario) -> list[Problem]:
    """Checks that need the system: configurations, invariant names."""
    problems: list[Problem] = []
    backend = scenario.run.backend
    declared = (scenario.system.get("device") or {}).get("backend") if isinstance(
        scenario.system.get("device"), Mapping) else None
    if declared is not None and declared != backend:
        problems.append(Problem(("system", "device", "backend"),
                                f"says {declared!r} but run.backend is {backend!r}; drop it or make them agree"))
    base = system_config_dict(scenario)
    base_problems = _config_problems(("system",), base, backend)
    problems += base_problems
    for i, step in enumerate(scenario.steps):
        if isinstance(step, OpStep) and step.config is not None and step.outcome != "fail" and not base_problems:
            problems += _config_problems(("steps", i, "config"), overlay(base, step.config), backend)
        elif isinstance(step, FaultStep) and step.fault == "invalid_config" and step.config is not None \
                and not base_problems:
            if not _config_problems(("steps", i, "config"), overlay(base, step.config), backend):
                problems.append(Problem(("steps", i, "config"),
                                        "an invalid_config fault needs a configuration the system "
                                        "rejects, but this one is valid"))
    if not base_problems:  # an xrun late past the watchdog's bound would be a stall, not an xrun
        period = period_of(base)
        problems += [Problem(("steps", i, "delay_s"), problem.split(": ", 1)[1])
                     for i, step in enumerate(scenario.steps)
                     if isinstance(step, FaultStep) and step.fault == "xrun"
                     and (problem := xrun_delay_problem(step.parameters().get("delay_s"), period, "delay_s"))]
        # and a stall shorter than the watchdog's bound would be no stall at all
        problems += [Problem(("steps", i, "duration_s"), problem.split(": ", 1)[1])
                     for i, step in enumerate(scenario.steps)
                     if isinstance(step, FaultStep) and step.fault == "stall"
                     and (problem := stall_duration_problem(step.parameters().get("duration_s"), period,
                                                            "duration_s"))]
    if backend == "sim":  # a device fault's target must be a simulated device (found here, not mid-run)
        problems += _target_problems([(i, step.target) for i, step in enumerate(scenario.steps)
                                      if isinstance(step, FaultStep) and step.on_device and step.target is not None])
        # and so must the device an expectation waits for: one the backend does not have can never
        # be met, and the scenario failed as if the system had missed it
        names = sorted(d.name for d in SimulatedBackend(VirtualClock()).devices())
        problems += [Problem(("expect", i, "device"), f"no simulated device {exp.device!r} (devices: "
                             f"{', '.join(names)}): the expectation could never be met")
                     for i, exp in enumerate(scenario.expect)
                     if isinstance(getattr(exp, "device", None), str) and exp.device not in names]
    problems += _invariant_problems([(i, exp.invariant) for i, exp in enumerate(scenario.expect)
                                     if isinstance(exp, InvariantExpect)])
    return problems


def _target_problems(targets: Iterable[tuple[int, Any]]) -> list[Problem]:
    """``(step index, target)`` of device faults on the simulated backend: those no simulated device has."""
    names = sorted(d.name for d in SimulatedBackend(VirtualClock()).devices())
    return [Problem(("steps", i, "target"), f"no simulated device {target!r} (devices: {', '.join(names)})")
            for i, target in targets if isinstance(target, str) and target not in names]


def _invariant_problems(invariants: Iterable[tuple[int, Any]]) -> list[Problem]:
    """``(expectation index, invariant name)``: the names no invariant has."""
    return [Problem(("expect", i, "invariant"),
                    f"unknown invariant {name!r} (known: {', '.join(sorted(INVARIANT_NAMES))})")
            for i, name in invariants if isinstance(name, str) and name and name not in INVARIANT_NAMES]


def _file_problems(data: Mapping[str, Any], backend: str) -> list[Problem]:
    """The checks that need a whole model (cross references, invariant names, device targets), made
    on the file as written when the model could not be built: a file with a structural error had
    these reported only once that error was fixed, a second round for the user."""
    steps = data["steps"] if isinstance(data.get("steps"), list) else []
    expect = data["expect"] if isinstance(data.get("expect"), list) else []
    names: list[str] = []
    ends: set[str] | None = set()
    devices: list[tuple[int, Any]] = []
    for i, st in enumerate(steps):
        st = st if isinstance(st, Mapping) else {}
        name = st.get("name") if isinstance(st.get("name"), str) and st.get("name") else f"step{i + 1}"
        names.append(name)
        kind = kind_named(st["fault"]) if isinstance(st.get("fault"), str) else None
        if kind is not None:
            cls = FAULT_KINDS[kind]
            if any(k == "duration_s" or cls.renamed.get(k) == "duration_s" for k in st) and ends is not None:
                ends.add(name)
            if cls.needs:
                devices.append((i, st.get("target")))
        elif "fault" in st:
            ends = None  # a fault of no known kind: whether a step ends is not known
    anchors: list[tuple[int, str, str]] = []
    invariants: list[tuple[int, Any]] = []
    for i, e in enumerate(expect):
        if not isinstance(e, Mapping):
            continue
        if "reach" in e:
            anchors.append((i, "after", e.get("after")))
        elif "never" in e:
            anchors += [(i, "after", e.get("after", "start")), *([(i, "until", e["until"])] if "until" in e else [])]
        if "invariant" in e:
            invariants.append((i, e["invariant"]))
    problems = [Problem(loc, msg) for loc, msg in reference_problems(names, anchors, ends)]
    problems += _invariant_problems(invariants)
    if backend == "sim":
        problems += _target_problems(devices)
    return problems


# -- entry points ---------------------------------------------------------------------------------
def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """Validate scenario TOML text; raise ``ScenarioFileError`` listing every problem."""
    check_depth(text, source, what="scenario", error=ScenarioFileError)  # before the recursive parser
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioFileError(source, f"not valid TOML: {exc}") from None
    return scenario_from_dict(data, source, text=text)


def scenario_from_dict(data: Mapping[str, Any], source: str = "<scenario>", *, text: str | None = None) -> Scenario:
    index = _LineIndex(text) if text is not None else None
    fmt = data.get("format")
    if fmt is None or isinstance(fmt, bool) or fmt not in SUPPORTED_FORMATS:
        line = index.line_of(("format",)) if index else None
        where = f"line {line}: " if line else ""
        if fmt is None:
            msg = f"missing 'format'; start the file with format = {FORMAT_VERSION}"
        else:
            msg = (f"{where}format: unknown format {fmt!r}; this soundcheck reads format "
                   f"{', '.join(map(str, SUPPORTED_FORMATS))} (upgrade soundcheck, or rewrite the file "
                   "for this format: see scenarios/README.md)")
        raise ScenarioFileError(source, msg)
    try:
        with collecting_deprecations() as notes:
            scenario = Scenario.model_validate(dict(data))
        for note in notes:  # a former fault or parameter name: read, and said so
            print(f"{source}: deprecated: {note}", file=sys.stderr)
        problems = semantic_problems(scenario)
    except ValidationError as exc:
        problems = [_as_written(p, data) for p in _pydantic_problems(exc)]
        system = data.get("system", {})
        backend = (data.get("run") or {}).get("backend", "sim") if isinstance(data.get("run"), Mapping) else "sim"
        if isinstance(system, Mapping) and backend in ("sim", "jack", "portaudio") \
                and not any(p.loc[:1] == ("system",) for p in problems):
            problems += _config_problems(("system",), system, backend)
        told = {(dotted(p.loc), p.message) for p in problems}
        problems += [p for p in _file_problems(data, backend if isinstance(backend, str) else "sim")
                     if (dotted(p.loc), p.message) not in told]
    if problems:
        for p in problems:
            if p.line is None and index is not None:
                p.line = index.line_of(p.loc)
        problems.sort(key=lambda p: (p.line or 0))
        n = len(problems)
        body = "\n".join(f"  {p}" for p in problems)
        raise ScenarioFileError(source, f"{n} problem{'s' if n != 1 else ''}:\n{body}")
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate one scenario file."""
    path = Path(path)
    if not path.exists():
        raise ScenarioFileError(path, "no such file")
    text = read_text(path, "scenario", error=ScenarioFileError)  # not binary, UTF-8, a sane size
    return parse_scenario(text, str(path))


def iter_scenario_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files as given, folders searched recursively for ``*.toml`` (sorted); missing paths raise."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(p.rglob("*.toml"))
            if not found:
                raise ScenarioFileError(p, "is a folder holding no scenario file (*.toml); give a scenario "
                                           "file, or a folder of them")
            yield from found
        elif p.exists():
            yield p
        elif p.is_symlink():  # exists() follows the link: a loop, or a link to nothing
            raise ScenarioFileError(p, "is a symbolic link that leads to no file (a loop, or its target is "
                                       "gone); give the scenario file itself")
        else:
            raise ScenarioFileError(p, "no such file or folder")


__all__ = ["Problem", "iter_scenario_files", "load_scenario", "parse_scenario", "scenario_from_dict",
           "semantic_problems", "system_config_dict"]
