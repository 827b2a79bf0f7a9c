"""One fault vocabulary: every kind declared once (``harness.faults.kinds``), and profiles, scenarios,
the exporter and the stateful machine derived from that declaration, so adding a kind is one class."""

from __future__ import annotations

import ast
import textwrap
import typing
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import find, settings

from harness import stateful
from harness.errors import ScenarioFileError
from harness.faults import FAULT_KINDS, At, FaultRecord, Schedule, load_profile
from harness.faults.kinds import DEVICE_FAULT_KINDS, STATEFUL_KINDS, Fault, parameters
from harness.faults.profiles import _PARAM_MODELS, ProfileFile
from harness.history import History
from harness.scenarios import parse_scenario
from harness.scenarios.export import _document, dump_document, steps_from_history, steps_from_schedule
from harness.scenarios.model import FAULT_STEPS, FAULTS, FaultStep

HARNESS = Path(__file__).resolve().parents[2] / "harness"
#: the rig's modules (flat today, a ``harness.rig`` package tomorrow)
RIG_MODULES = {"rig", "rig_target", "loopback", "jack_agent", "_jackagent", "external_kills", "spawn"}


def _other_value(kind: str, name: str, info: Any) -> Any:
    """A value of parameter ``name`` that is valid and differs from its default, from the declared
    type and bounds alone (so a new kind is covered without touching this test)."""
    default = info.default
    if name == "target":
        return "sim-out" if kind in DEVICE_FAULT_KINDS else f"{default}-x"
    t = info.annotation
    if typing.get_origin(t) is typing.Literal:
        return next(v for v in typing.get_args(t) if v != default)
    if t is bool:
        return not default
    if t in (int, float):
        lo = next((getattr(m, a) for m in info.metadata for a in ("ge", "gt") if getattr(m, a, None) is not None), 0)
        hi = next((m.le for m in info.metadata if getattr(m, "le", None) is not None), default * 4 + 4)
        value = (default + 1 if default + 1 <= hi else default - 1) if t is int else (default + lo + hi) / 3
        assert lo <= value <= hi and value != default, (kind, name)
        return value
    if typing.get_origin(t) is tuple:
        (inner, _) = typing.get_args(t)
        return tuple(typing.get_args(inner)[:2])
    return None  # e.g. invalid_config's ``config``: stays unset (a generated configuration)


def _declared_params(kind: str) -> dict[str, Any]:
    values = {name: _other_value(kind, name, info) for name, info in parameters(FAULT_KINDS[kind]).items()}
    return {k: v for k, v in values.items() if v is not None}


#: 186 ms blocks and a 1000-period watchdog: an xrun up to ~3 min late is still an xrun
_LONG_PERIODS = {"stream": {"sample_rate": 44100, "block_size": 8192, "latency_ms": 2000},
                 "watchdog": {"stall_periods": 1000}}


@pytest.mark.parametrize("kind", sorted(FAULT_KINDS))
def test_every_kind_round_trips_profile_schedule_scenario_schedule_with_its_parameters(kind, tmp_path):
    params = _declared_params(kind)
    # profile file -> profile: the same names and values a user writes
    path = tmp_path / "p.toml"
    path.write_text(tomli_w.dumps({"probabilities": {kind: 1.0},
                                   "params": {kind: {k: list(v) if isinstance(v, tuple) else v
                                                     for k, v in params.items()}}}))
    profile = load_profile(path)
    # profile -> schedule
    # on blocks and a watchdog long enough for any lateness the kind declares to stay an xrun
    # (``harness.faults.xrun_bound``: a file's lateness is checked against the run's configuration)
    schedule = profile.schedule(1.0, seed=3, config=_LONG_PERIODS)
    assert schedule.faults and {f.kind for f in schedule} == {kind}
    assert all(f.params() == {**type(f)().params(), **params} for f in schedule), kind
    # schedule -> scenario file -> scenario -> faults: every parameter survives
    doc = _document("round-trip", "t", "r", [], 3, _LONG_PERIODS, steps_from_schedule(schedule),
                    [{"invariant": "legal_transitions"}])
    scenario = parse_scenario(dump_document(doc), "round-trip.toml")
    steps = [s for s in scenario.steps if isinstance(s, FaultStep)]
    assert [s.fault for s in steps] == [kind] * len(schedule)
    again = Schedule([s.build() for s in steps])
    assert [f.params() for f in again] == [f.params() for f in schedule]
    assert [f.to_dict() | {"trigger": None} for f in again] == [f.to_dict() | {"trigger": None} for f in schedule]


def test_profiles_scenarios_exporter_and_the_stateful_machine_cover_exactly_the_declared_kinds():
    declared = set(FAULT_KINDS)
    assert set(FAULTS) == set(FAULT_STEPS) == declared
    assert set(ProfileFile.model_fields["probabilities"].annotation.model_fields) == declared
    assert set(_PARAM_MODELS) == declared
    for kind, cls in FAULT_KINDS.items():
        names = set(parameters(cls))
        assert set(_PARAM_MODELS[kind].model_fields) == names, kind
        assert set(FAULT_STEPS[kind].model_fields) - set(FaultStep.model_fields) == names, kind
    # the exporter names every kind by its one name, and leaves out exactly those that act through
    # operations (the history has those operations one by one)
    history = History()
    for i, kind in enumerate(FAULT_KINDS):
        history.fault_started(FaultRecord(f"{kind}@1", kind, kind, "sim-in", "At(0)", float(i), duration_s=0.5))
    exported = [s["fault"] for s in steps_from_history(history) if "fault" in s]
    assert exported == [k for k, c in FAULT_KINDS.items() if not c.acts_by_operations]
    # the stateful machine: every kind that needs no operations or threads of its own
    assert set(STATEFUL_KINDS) == {k for k, c in FAULT_KINDS.items() if not (c.acts_by_operations or c.own_threads)}
    assert stateful.HAND_WRITTEN_RULES <= set(STATEFUL_KINDS)


def test_a_kind_without_a_hand_written_rule_gets_one_from_its_declaration(monkeypatch):
    monkeypatch.setattr(stateful, "STATEFUL_KINDS", (*STATEFUL_KINDS, "lifecycle_calls"))
    machine = stateful.make_machine()
    assert hasattr(machine, "fault_lifecycle_calls")
    assert "fault_dropout" not in vars(machine)  # hand-written kinds keep their own rules
    params = find(stateful.fault_params("dropout"), lambda p: p["target"] == "sim-out",
                  settings=settings(database=None))
    assert FAULT_KINDS["dropout"](**params).target == "sim-out"  # names and values the kind accepts


FORMER = """\
    format = 1
    [scenario]
    id = "former-names"
    title = "t"
    reproduces = "r"
    [[steps]]
    op = "start"
    [[steps]]
    fault = "device_dropout"
    at = "100ms"
    duration = "200ms"
    [[steps]]
    fault = "xrun"
    at = "400ms"
    late_by = "5ms"
    [[steps]]
    fault = "concurrent_transitions"
    at = "500ms"
    threads = 2
    ops = ["pause", "resume"]
    [[expect]]
    never = "failed"
    """


def test_former_names_are_read_with_a_note_naming_the_file_and_step(capsys):
    old = parse_scenario(textwrap.dedent(FORMER), "old.toml")
    err = capsys.readouterr().err
    for note in ("old.toml: deprecated: steps[1].fault: fault kind 'device_dropout' is now called 'dropout'",
                 "old.toml: deprecated: steps[1].duration is now called 'duration_s'",
                 "old.toml: deprecated: steps[2].late_by is now called 'delay_s'",
                 "old.toml: deprecated: steps[3].ops is now called 'operations'"):
        assert note in err, err
    new_text = (textwrap.dedent(FORMER).replace('"device_dropout"', '"dropout"').replace("duration =", "duration_s =")
                .replace("late_by", "delay_s").replace("ops =", "operations ="))
    new = parse_scenario(new_text, "new.toml")
    assert capsys.readouterr().err == ""
    assert old == new
    assert [s.build().to_dict() for s in old.steps if isinstance(s, FaultStep)][1]["delay_s"] == 0.005


def test_both_spellings_at_once_or_an_unknown_parameter_is_an_error_naming_the_step_and_the_fix():
    text = textwrap.dedent(FORMER).replace('late_by = "5ms"', 'late_by = "5ms"\ndelay_s = "6ms"') \
        .replace("threads = 2", "threds = 2")
    with pytest.raises(ScenarioFileError) as exc:
        parse_scenario(text, "both.toml")
    msg = str(exc.value)
    assert "steps[2]: give 'delay_s' only ('late_by' is its former name)" in msg
    assert "steps[3].threds: unknown field; did you mean 'threads'?" in msg


def test_a_profile_reads_former_names_with_a_note_and_refuses_unknown_ones(tmp_path, capsys):
    path = tmp_path / "old.toml"
    path.write_text('[probabilities]\ndevice_dropout = 0.5\nxrun = 0.5\n[params.xrun]\nlate_by = [0.01, 0.02]\n'
                    '[params.device_dropout]\nduration = "300ms"\n')
    profile = load_profile(path)
    assert profile.probabilities == {"dropout": 0.5, "xrun": 0.5}
    assert profile.params == {"xrun": {"delay_s": [0.01, 0.02]}, "dropout": {"duration_s": 0.3}}
    err = capsys.readouterr().err
    assert f"{path}: deprecated: probabilities.device_dropout" in err and "late_by is now called 'delay_s'" in err
    path.write_text("[probabilities]\nxrun = 0.5\n[params.xrun]\nlate_bye = 0.01\n")
    with pytest.raises(ScenarioFileError, match="params.xrun.late_bye: unknown key"):
        load_profile(path)


def test_the_fault_package_never_imports_the_rig():
    """The rig implements the target protocol the faults package declares, never the reverse."""
    for path in sorted((HARNESS / "faults").glob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                parts = set((node.module or "").split(".")) | {a.name for a in node.names}
                assert not parts & RIG_MODULES, (path.name, node.module, parts & RIG_MODULES)
            elif isinstance(node, ast.Import):
                for a in node.names:
                    assert not set(a.name.split(".")) & RIG_MODULES, (path.name, a.name)


def test_what_a_target_can_do_is_said_once_by_the_target():
    from harness.faults import SimulatedTarget, UncontrolledDevice

    everything = Schedule([cls(trigger=At(float(i))) for i, cls in enumerate(FAULT_KINDS.values())])
    assert everything.runnable_on(SimulatedTarget(backend=None)) is everything
    bare = everything.runnable_on(UncontrolledDevice())
    assert {f.kind for f in bare} == {k for k, c in FAULT_KINDS.items() if not c.needs}
    assert bare.unsupported == len(DEVICE_FAULT_KINDS)
    assert all(isinstance(f, Fault) for f in bare)
