"""Scenario files: the format, the loader's messages, the executor, export, and the shipped library."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from harness import ScenarioFileError
from harness.history import History, run_op
from harness.scenarios import (
    FORMAT_VERSION,
    export_failure,
    iter_scenario_files,
    load_scenario,
    parse_scenario,
    run_scenario,
    scenario_from_history,
    write_scenario,
)
from harness.scenarios.executor import mutant_factory
from harness.scenarios.model import FAULTS, parse_duration
from system_under_test import AudioSystem

from rejected_config_history import half_reconfigure_history

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ROOT / "scenarios"

MINIMAL = """\
format = 1

[scenario]
id = "minimal"
title = "start and keep running"
reproduces = "a test"

[[steps]]
op = "start"

[[expect]]
state = "running"
"""


def scenario(body: str) -> str:
    return textwrap.dedent(body)


def problems_of(text: str) -> str:
    with pytest.raises(ScenarioFileError) as info:
        parse_scenario(text, "x.toml")
    return str(info.value)


# ------------------------------------------------------------------------------------ format ----
def test_public_api_is_what_we_mean():
    import harness.scenarios as s

    assert {"load_scenario", "run_scenario", "export_failure"} <= set(s.__all__)
    assert all(hasattr(s, name) for name in s.__all__)


def test_minimal_file_loads_with_defaults():
    s = parse_scenario(MINIMAL)
    assert s.id == "minimal" and s.format == FORMAT_VERSION
    assert s.run.backend == "sim" and s.run.seed == 0
    assert s.cleanup.ops == ("close",)


@pytest.mark.parametrize(("text", "seconds"), [("250ms", 0.25), ("2s", 2.0), ("1m30s", 90.0), ("8h", 28800.0),
                                               (3, 3.0), ("0ms", 0.0)])
def test_durations_read_as_humans_write_them(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("fmt", ["2", "0", '"one"'])
def test_unknown_format_is_refused_clearly(fmt):
    msg = problems_of(MINIMAL.replace("format = 1", f"format = {fmt}"))
    assert "x.toml" in msg and "line 1" in msg and "unknown format" in msg and "reads format 1" in msg


def test_missing_format_says_what_to_write():
    assert "format = 1" in problems_of(MINIMAL.replace("format = 1\n", ""))


def test_every_problem_at_once_with_lines_and_paths():
    text = scenario("""\
        format = 1

        [scenario]
        id = "bad id"
        title = "t"
        reproduces = "r"
        colour = "red"

        [run]
        seed = "seven"

        [system.stream]
        block_size = 100000

        [[system.dsp]]
        kind = "biquad"
        cutoff_hz = -3

        [[steps]]
        op = "start"

        [[steps]]
        op = "strat"

        [[steps]]
        fault = "stall"
        duration = "3 parsecs"

        [[steps]]
        fault = "meteor"

        [[expect]]
        metric = "xruns"
        """)
    msg = problems_of(text)
    lines = msg.splitlines()[1:]
    expected = [
        ("line 4: scenario.id", "letters, digits"),
        ("line 7: scenario.colour", "unknown field"),
        ("line 10: run.seed", "must be a whole number, got the text 'seven'"),
        ("line 13: system.stream.block_size", "8192"),
        ("line 17: system.dsp[0].cutoff_hz", "greater than 0"),
        ("line 23: steps[1].op", "'strat'"),
        ("line 27: steps[2].duration", "unknown unit"),
        ("line 30: steps[3].fault", "unknown fault kind 'meteor'"),
        ("line 32: expect[0]", "give 'min', 'max' or both"),
    ]
    for where, what in expected:
        assert any(line.strip().startswith(where) and what in line for line in lines), (where, msg)
    assert "Traceback" not in msg


def test_references_to_unknown_steps_and_endless_steps_are_caught():
    base = MINIMAL.replace('[[expect]]\nstate = "running"\n', "")
    msg = problems_of(base + '[[expect]]\nreach = "running"\nafter = "dropout.end"\nwithin = "1s"\n')
    assert "no step has that name" in msg
    msg = problems_of(base.replace('op = "start"', 'op = "start"\nname = "go"')
                      + '[[expect]]\nreach = "running"\nafter = "go.end"\nwithin = "1s"\n')
    assert "has no end" in msg


def test_cross_field_problems_name_the_line_and_field_to_change_and_the_closest_name():
    """A misspelt step reference, a duplicate name and an endless anchor are found by a check
    across fields; each is still reported at the field (and line) the user must change."""
    steps = MINIMAL.replace('[[expect]]\nstate = "running"\n', "") + (
        '[[steps]]\nname = "drain"\nfault = "buffer_exhaustion"\nat = "1s"\nduration_s = "1s"\n\n')
    msg = problems_of(steps + '[[expect]]\nreach = "running"\nafter = "drian.end"\nwithin = "1s"\n')
    assert "line 19: expect[0].after: refers to step 'drian'" in msg, msg
    assert "did you mean 'drain.end'?" in msg, msg
    msg = problems_of(steps + '[[expect]]\nreach = "running"\nafter = "zzzzz.end"\nwithin = "1s"\n')
    assert "expect[0].after" in msg and "did you mean" not in msg, msg
    msg = problems_of(steps.replace('op = "start"', 'op = "start"\nname = "drain"')
                      + '[[expect]]\nstate = "running"\n')
    assert "line 13: steps[1].name: two steps are named 'drain'" in msg, msg
    msg = problems_of(steps + '[[expect]]\nstate = "running"\n\n[[expect]]\nreach = "running"\n'
                      'after = "step1.end"\nwithin = "1s"\n')
    assert "expect[1].after: 'step1.end': step 'step1' has no end" in msg, msg
    assert "(top level)" not in msg


def test_system_config_and_op_configs_are_checked_by_the_system():
    msg = problems_of(MINIMAL.replace('op = "start"', 'op = "reconfigure"\nconfig = { stream = { sample_rate = 32000 } }')
                      + '\n[system.device]\ninput_device = "nope"\n')
    assert "system.device.input_device" in msg and "no device named 'nope'" in msg
    msg = problems_of(MINIMAL.replace('op = "start"', 'op = "reconfigure"\nconfig = { stream = { sample_rate = 32000 } }'))
    assert "line 10: steps[0].config.stream.sample_rate" in msg and "not supported" in msg
    msg = problems_of(MINIMAL.replace('op = "start"', 'fault = "invalid_config"\nconfig = { stream = { block_size = 128 } }'))
    assert "needs a configuration the system rejects" in msg


def test_unknown_invariant_names_are_listed():
    msg = problems_of(MINIMAL.replace('state = "running"', 'invariant = "legal_transitionz"'))
    assert "unknown invariant 'legal_transitionz'" in msg and "legal_transitions" in msg


def test_backend_mismatch_between_run_and_system():
    msg = problems_of(MINIMAL + '\n[system.device]\nbackend = "portaudio"\n')
    assert "run.backend is 'sim'" in msg


def test_write_scenario_round_trips(tmp_path):
    s = load_scenario(LIBRARY / "sim" / "dropout-while-paused.toml")
    path = write_scenario(s, tmp_path / "copy.toml")
    assert load_scenario(path) == s


# ---------------------------------------------------------------------------------- executor ----
def test_same_seed_same_history():
    path = LIBRARY / "sim" / "dropout-while-paused.toml"
    a, b = run_scenario(path), run_scenario(path)
    assert a.passed and b.passed
    strip = [(e.type, e.time, e.op, e.value) for e in a.history.entries]
    assert strip == [(e.type, e.time, e.op, e.value) for e in b.history.entries]


def test_a_fault_when_starting_fires_inside_start():
    r = run_scenario(LIBRARY / "sim" / "dropout-while-starting.toml")
    assert r.passed, r.report()
    ops = r.history.operations()
    start = next(o for o in ops if o.op == "start")
    fault = next(e for e in r.history.entries if e.type == "fault_start")
    assert start.invoke_index < fault.index < start.complete_index  # during the call
    assert start.outcome == "info" and start.error["type"] == "DeviceNotFoundError"


def test_failure_names_expectation_and_quotes_history():
    text = MINIMAL.replace('[[expect]]\nstate = "running"\n', scenario("""\
        [[steps]]
        fault = "xrun"
        at = "100ms"

        [[expect]]
        metric = "xruns"
        max = 0
        """))
    r = run_scenario(parse_scenario(text))
    assert not r.passed
    (f,) = r.failures
    assert f.expectation == "expect[0]: metric xruns <= 0" and f.message == "xruns = 1"
    assert any("fault_start xrun" in line for line in f.evidence)
    assert "FAILED expect[0]: metric xruns <= 0" in r.report()


def test_a_when_that_never_comes_fails_with_evidence():
    text = MINIMAL.replace('op = "start"', 'op = "start"\n\n[[steps]]\nop = "resume"\nwhen = "paused"\ntimeout = "200ms"')
    r = run_scenario(parse_scenario(text))
    assert not r.passed and "never triggered" in r.failures[0].message
    assert r.failures[0].step == "step2" and r.sim_seconds < 1.5


def test_library_fails_against_broken_variants():
    """The harness proves itself: the shipped scenarios catch deliberately broken systems."""
    paused = LIBRARY / "sim" / "dropout-while-paused.toml"
    r = run_scenario(paused, system_factory=mutant_factory("recovery_never_completes"))
    assert not r.passed
    assert any(f.expectation.startswith("expect[1]: reach paused within 250ms after dropout.end")
               for f in r.failures), r.report()
    r = run_scenario(LIBRARY / "sim" / "recovery-deadline-fails-cleanly.toml",
                     system_factory=mutant_factory("leak_on_error"))
    assert not r.passed and any("resource" in f.expectation for f in r.failures), r.report()
    r = run_scenario(LIBRARY / "sim" / "invalid-config-while-running.toml",
                     system_factory=mutant_factory("half_reconfigure"))
    assert "rejected_config" in [f.invariant for f in r.failures if f.invariant], r.report()
    r = run_scenario(LIBRARY / "sim" / "capture-hangs-while-playback-runs.toml",
                     system_factory=mutant_factory("ignores_starved_input"))
    assert "starved_input" in [f.invariant for f in r.failures if f.invariant], r.report()


# ------------------------------------------------------------------------------------ export ----
def _half_reconfigure_history() -> tuple[History, AudioSystem]:
    return half_reconfigure_history(parse_scenario(MINIMAL).run.seed)


def test_export_failure_reproduces_same_invariant_same_step(tmp_path):
    from harness import check_all

    history, system = _half_reconfigure_history()
    run_op(history, system, "close")
    assert "rejected_config" in [v.name for v in check_all(history) if not v.ok]
    path = export_failure(history, config=None, seed=0, failed_invariant="rejected_config", out_dir=tmp_path,
                          system_factory=mutant_factory("half_reconfigure"))
    assert path.parent == tmp_path and path.name.startswith("repro-rejected-config-seed0-")
    exported = load_scenario(path)
    assert len(exported.steps) <= 2  # minimised: pause/resume were not needed
    assert [s.fault for s in exported.steps if hasattr(s, "fault")] == ["invalid_config"]
    r = run_scenario(path, system_factory=mutant_factory("half_reconfigure"))
    (failure,) = [f for f in r.failures if f.invariant]
    assert failure.invariant == "rejected_config"
    bad_step = exported.step_names()[[hasattr(s, "fault") for s in exported.steps].index(True)]
    assert failure.step == bad_step
    again = run_scenario(path, system_factory=mutant_factory("half_reconfigure"))
    assert [f.to_dict() for f in again.failures] == [f.to_dict() for f in r.failures]
    assert run_scenario(path).passed  # the real system has no such bug


def test_scenario_from_history_replays_a_recorded_run(tmp_path):
    history, system = _half_reconfigure_history()
    run_op(history, system, "close")
    path = history.write_jsonl(tmp_path / "field.jsonl")
    s = scenario_from_history(path)
    assert s.id == "from-history-field" and s.run.backend == "sim"
    assert "rejected_config" in [e.invariant for e in s.expect]
    assert [getattr(st, "op", None) or st.fault for st in s.steps][:3] == ["start", "pause", "resume"]
    assert not run_scenario(s, system_factory=mutant_factory("half_reconfigure")).passed
    assert run_scenario(s).passed


# ----------------------------------------------------------------------------------- library ----
def test_library_is_valid_covers_every_fault_and_says_what_it_reproduces():
    files = list(iter_scenario_files([LIBRARY]))
    assert len(files) >= 12
    loaded = [load_scenario(f) for f in files]
    assert len({s.id for s in loaded}) == len(loaded)
    faults = {getattr(step, "fault", None) for s in loaded for step in s.steps} - {None}
    assert faults == set(FAULTS)
    assert all(s.scenario.reproduces for s in loaded)
    field_bugs = [s for s in loaded if s.run.backend == "jack"]
    assert {s.run.route for s in field_bugs} == {"jack-host-api", "alsa-jack"}
    assert all("FIELD_NOTES field bug" in s.scenario.reproduces for s in field_bugs)


def test_an_expected_invariant_that_could_not_be_judged_is_not_met(monkeypatch):
    """``check_invariants``: a held invariant is met, a violated one is not, and one the checker
    could not judge (ok and inconclusive) is not met either, saying so."""
    from harness import invariants as inv
    from harness.scenarios.executor import check_invariants

    verdicts = [inv.Verdict("frame_accounting", True, [], "all frames accounted"),
                inv.Verdict("recovery", True, [{"t": 1.0}], "past the deadline on a starved machine",
                            inconclusive=True),
                inv.Verdict("resources", False, [{"t": 2.0}], "1 leak")]
    asked: list[object] = []

    def check_all(history, system=None, only=None):
        asked.append(only)
        return verdicts

    monkeypatch.setattr(inv, "check_all", check_all)
    got = check_invariants(None, ["frame_accounting", "recovery", "resources"])  # type: ignore[arg-type]
    assert asked == [["frame_accounting", "recovery", "resources"]]
    assert got == [("frame_accounting", True, "all frames accounted", []),
                   ("recovery", False, "cannot judge (inconclusive): past the deadline on a starved machine",
                    [{"t": 1.0}]),
                   ("resources", False, "1 leak", [{"t": 2.0}])]


@pytest.mark.parametrize("second_at, second_for", [("2s", "50ms"), ("450ms", "600ms")],
                         ids=["after-the-deadline", "inside-the-window"])
def test_a_deadline_met_stays_met_when_the_system_goes_down_again_later(second_at: str, second_for: str):
    """`reach running within 500ms after recovering` is met by the first arrival after the anchor
    (the first move into RECOVERING): the system back ~70 ms after the first dropout met it,
    whatever a second dropout does to it: one 1.8 s later, and one that takes it down again inside
    the window and keeps it down past the deadline (so neither the last arrival nor the state at
    the deadline would meet it)."""
    text = scenario(f"""\
        format = 1

        [scenario]
        id = "deadline-met-then-down-again"
        title = "a recovery in time, then another fault"
        reproduces = "a test"

        [run]
        seed = 3

        [[steps]]
        op = "start"

        [[steps]]
        name = "first"
        fault = "dropout"
        at = "200ms"
        duration_s = "50ms"

        [[steps]]
        name = "second"
        fault = "dropout"
        at = "{second_at}"
        duration_s = "{second_for}"

        [[expect]]
        reach = "running"
        after = "recovering"
        within = "500ms"
        """)
    r = run_scenario(parse_scenario(text, "deadline.toml"))
    trs = r.history.transitions("system")
    downs = [t["time"] for t in trs if t["to_state"] == "recovering"]
    ups = [t["time"] for t in trs if t["from_state"] == "recovering" and t["to_state"] == "running"]
    assert len(downs) == 2 and ups[0] < downs[0] + 0.5  # met by the first return
    if second_at == "2s":
        assert downs[1] > 1.5  # the second dropout did take the system down again
    else:  # down again inside the window, and back only after its deadline
        assert downs[1] < downs[0] + 0.5 < ups[1]
    assert r.passed, r.report()


def test_a_state_the_system_is_in_at_the_anchor_and_leaves_is_not_reached():
    """`reach running within 100ms after unplug.start`: the system is RUNNING when the dropout's
    record is made (the fault comes before the system's reaction), then RECOVERING for the whole
    second the device is gone. Not reached: being in the state at the anchor is not reaching it.
    The same expectation for a fault the system absorbs (one callback error) is met: the system is
    RUNNING at the deadline."""
    text = scenario("""\
        format = 1

        [scenario]
        id = "reach-from-the-state-at-the-anchor"
        title = "running at a fault's record, then down past the deadline"
        reproduces = "a test"

        [run]
        seed = 3

        [system.device]
        fallback_devices = []

        [[steps]]
        op = "start"

        [[steps]]
        name = "once"
        fault = "callback_raises"
        at = "100ms"
        count = 1

        [[steps]]
        name = "unplug"
        fault = "dropout"
        at = "300ms"
        duration_s = "1s"

        [[expect]]
        reach = "running"
        after = "once.start"
        within = "100ms"

        [[expect]]
        reach = "running"
        after = "unplug.start"
        within = "100ms"
        """)
    r = run_scenario(parse_scenario(text, "reach.toml"))
    assert not r.passed
    assert [f.expectation for f in r.failures] == ["expect[1]: reach running within 100ms after unplug.start"], r.report()
    assert "; still 'recovering' at the deadline t=0.400 s; reached 'running' at t=1.575 s" in r.failures[0].message, \
        r.report()
