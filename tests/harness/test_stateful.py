"""The Hypothesis state machine over AudioSystem: every op, every fault, invariants after each step."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis.stateful import run_state_machine_as_test

from harness.faults.kinds import STATEFUL_KINDS
from harness.stateful import RARE_STATES, invalid_configs, make_machine, profile_settings, valid_configs
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


@given(valid_configs())
def test_generated_valid_configs_are_accepted(cfg):
    load_config(cfg, _BACKEND)


@given(invalid_configs())
def test_generated_invalid_configs_are_rejected_with_config_error(cfg):
    with pytest.raises(ConfigError):
        load_config(cfg, _BACKEND)
