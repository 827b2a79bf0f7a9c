"""The Hypothesis state machine over AudioSystem: every op, every fault, invariants after each step."""

from __future__ import annotations

import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.stateful import run_state_machine_as_test

from harness.faults.kinds import STATEFUL_KINDS
from harness.stateful import RARE_STATES, invalid_configs, make_machine, profile_settings, valid_configs
from harness.invariants import InconclusiveVerdict
from lossy_system import LosesItsDevice
from system_under_test import load_config
from system_under_test.devices.simulated import SimulatedBackend
from system_under_test.clock import VirtualClock
from system_under_test.errors import ConfigError

_BACKEND = SimulatedBackend(VirtualClock())


def test_state_machine_holds_every_invariant_and_reaches_the_rare_states(record_property):
    Machine = make_machine()
    run_state_machine_as_test(Machine, settings=profile_settings())
    stats = Machine.stats  # type: ignore[attr-defined]
    print(stats.report())
    record_property("state_visits", dict(stats.visits))
    assert not stats.missing_rare_states(), f"never visited {stats.missing_rare_states()}:\n{stats.report()}"
    for state in ("running", "paused", "stopped", "closed", *RARE_STATES):
        assert stats.visits[state] >= 1, state
    assert stats.faults.keys() >= set(STATEFUL_KINDS)  # every kind the declarations give the machine


def test_the_search_does_not_depend_on_the_modules_imported_before_it(tmp_path, monkeypatch):
    """A derandomized search is the same after a new module full of constants was imported.
    Hypothesis draws some values from the constants of every local module in ``sys.modules``, so
    the ci machine's search (and whether it visited "stopped") depended on which tests had run
    before it in the same process; the session pins that pool (``harness.hypothesis_constants``,
    tests/conftest.py)."""
    import importlib

    def search() -> tuple[int, int, dict[str, int]]:
        Machine = make_machine()
        run_state_machine_as_test(Machine, settings=profile_settings("ci", max_examples=25))
        s = Machine.stats  # type: ignore[attr-defined]
        return s.examples, s.steps, dict(s.visits)

    before = search()
    # seeds and floats inside the machine's ranges (latencies, gains, cut-offs, releases); small
    # integers are no constants to Hypothesis, and past 1024 constants a module gives none
    (tmp_path / "constants_of_an_unrelated_module.py").write_text(
        "SEEDS = (" + ", ".join(str(1000 + 7919 * i) for i in range(8)) + ")\n"
        "FLOATS = (" + ", ".join(str(round(1.37 * i + 0.11, 3)) for i in range(1, 30)) + ")\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("constants_of_an_unrelated_module")
    try:
        after = search()
    finally:
        del sys.modules["constants_of_an_unrelated_module"]
    assert after == before


def test_the_profiles_do_not_inherit_from_the_profile_loaded_when_they_are_built():
    """A project's conftest (or an in-process pytester run of one) that loads its own profile
    changes ``settings.default`` for the rest of the process; a soundcheck profile built after it
    inherited every setting it left out (the nightly profile's phases: only ``explicit``, no
    search at all)."""
    from hypothesis import Phase, Verbosity

    fields = ("max_examples", "derandomize", "database", "verbosity", "phases", "stateful_step_count",
              "report_multiple_bugs", "suppress_health_check", "deadline", "print_blob", "backend")

    def profiles() -> dict[str, dict[str, object]]:
        return {name: {f: getattr(profile_settings(name), f) for f in fields} for name in ("ci", "nightly")}

    expected = profiles()
    previous = settings.get_current_profile_name()
    settings.register_profile("foreign-to-soundcheck", phases=[Phase.explicit], verbosity=Verbosity.quiet,
                              max_examples=7, report_multiple_bugs=False, stateful_step_count=3)
    settings.load_profile("foreign-to-soundcheck")
    try:
        loaded = profiles()
    finally:
        settings.load_profile(previous)
    assert loaded == expected
    assert Phase.generate in loaded["nightly"]["phases"] and loaded["nightly"]["verbosity"] == Verbosity.normal


#: too_slow is a wall-clock health check: on a loaded machine (load 29 on 2 cores) the first draw
#: alone took 2.1 s and failed the test; how fast the machine is says nothing about the configs
_LOADED_MACHINE = settings(suppress_health_check=[HealthCheck.too_slow])


@_LOADED_MACHINE
@given(valid_configs())
def test_generated_valid_configs_are_accepted(cfg):
    load_config(cfg, _BACKEND)


@_LOADED_MACHINE
@given(invalid_configs())
def test_generated_invalid_configs_are_rejected_with_config_error(cfg):
    with pytest.raises(ConfigError):
        load_config(cfg, _BACKEND)


def test_the_ci_search_does_not_depend_on_how_fast_the_machine_is(monkeypatch):
    """Same seed, same search, on a fast or a slow machine. Hypothesis's multi-bug search keeps
    generating for up to 10 wall-clock seconds after the first failure, so what it found, shrank
    and reported (and how long it took) depended on the machine's load; the ci profile reports the
    first bug only. And it stopped shrinking after 300 s of wall time (``engine.MAX_SHRINKING_SECONDS``),
    reporting a less-shrunk example on a loaded machine; the session lifts that bound
    (``harness.hypothesis_constants.pin_shrinking_time``). A clock that jumps 30 s per reading,
    both of the engine's clocks, stands in for a very slow machine."""
    import types

    from hypothesis.internal.conjecture import engine

    from harness.mutants import system_factory

    def search() -> tuple[int, int, int | None, int | None]:
        Machine = make_machine(system_factory("ring_loses_frame"), name="Mutant_ring_loses_frame")
        try:
            run_state_machine_as_test(Machine, settings=profile_settings("ci", max_examples=60))
        except AssertionError:
            pass
        s = Machine.stats  # type: ignore[attr-defined]
        return s.examples, s.steps, s.first_failure_step, s.shrunk_steps

    fast = search()
    ticks = iter(range(10**9))
    slow_time = types.SimpleNamespace(monotonic=lambda: 30.0 * next(ticks), perf_counter=lambda: 30.0 * next(ticks))
    monkeypatch.setattr(engine, "time", slow_time)
    slow = search()
    assert fast[2] is not None, "the mutant was not found: nothing was compared"
    assert slow == fast


def test_the_guards_are_what_the_lifecycle_model_refuses():
    from harness.stateful import refused_here
    from system_under_test import AudioSystem

    system = AudioSystem(None, backend=_BACKEND, clock=_BACKEND.clock)
    assert refused_here(system) == ["start", "pause", "resume", "stop"]  # uninitialized
    system.initialize()
    assert refused_here(system) == ["initialize", "start", "pause", "resume", "stop"]  # no config yet
    system.configure({})
    system.start()
    assert refused_here(system) == ["initialize", "start", "resume"]
    system.stop()
    assert refused_here(system) == ["initialize", "pause", "resume", "stop"]
    system.close()


def test_a_focus_keeps_only_its_rule_groups_and_the_default_machine_has_no_guards():
    import inspect

    def rules(machine: type, marker: str = "hypothesis_stateful_rule") -> set[str]:
        return {n for n, f in inspect.getmembers(machine) if getattr(f, marker, None) is not None}

    default, guarded = make_machine(), make_machine(focus=("guards",))
    assert "operations_out_of_state" not in rules(default) and "resume" in rules(default)
    assert rules(guarded) == {"operations_out_of_state"}
    assert rules(guarded, "hypothesis_stateful_initialize_rule") == {"setup_anywhere"}
    assert rules(default, "hypothesis_stateful_initialize_rule") == {"setup"}
    with pytest.raises(ValueError, match="choose among"):
        make_machine(focus=("lifecycle",))


def test_a_device_lost_with_no_fault_of_the_machines_fails_its_step_as_inconclusive_not_violated():
    """The loss rule of ``soundcheck run`` after every step: the system recovers (no invariant
    fails), but a loss nothing the machine did explains fails the example as inconclusive, naming
    the device and when."""
    Machine = make_machine(LosesItsDevice, name="LosesItsDevice", focus=("operations", "time"))
    with pytest.raises(InconclusiveVerdict) as exc:
        run_state_machine_as_test(Machine, settings=profile_settings("ci", max_examples=50))
    message = str(exc.value)
    assert message.startswith("inconclusive: device_losses\n"), message
    assert "1 device loss(es) with nothing to explain them" in message
    assert "device 'sim-in' lost at t=" in message and "violated" not in message
    assert exc.value.names == ["device_losses"]
