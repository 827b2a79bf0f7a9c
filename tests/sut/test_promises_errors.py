"""Errors say exactly what they carry: message, component, severity (the policy routes on it),
and a configuration error lists every problem in one message."""

from __future__ import annotations

from system_under_test.errors import (
    ConfigValidationError,
    DeviceLostError,
    IllegalTransitionError,
    Severity,
)
from system_under_test.lifecycle import State


def test_an_error_keeps_its_message_component_and_severity():
    e = DeviceLostError("gone", component="device", severity=Severity.WARNING, details={"n": 1})
    assert (e.message, e.component, e.severity, e.details) == ("gone", "device", Severity.WARNING, {"n": 1})
    assert e.args == ("gone",)
    assert str(e) == "[device] gone"
    plain = DeviceLostError("gone")
    assert str(plain) == "gone" and plain.severity == Severity.CRITICAL and plain.component is None


def test_a_validation_error_lists_every_problem_in_one_message():
    one = ConfigValidationError([("stream.block_size", "too big")])
    assert one.message == "invalid configuration (1 problem):\n  - stream.block_size: too big"
    two = ConfigValidationError([("a", "x"), ("b", "y")], source="my.toml")
    assert two.message == "invalid configuration in my.toml (2 problems):\n  - a: x\n  - b: y"
    assert two.source == "my.toml" and one.source is None
    assert two.component == "config" and two.details == {"problems": [["a", "x"], ["b", "y"]]}
    assert two.problems == [("a", "x"), ("b", "y")]


def test_an_illegal_transition_names_both_states():
    e = IllegalTransitionError("dsp", State.PAUSED, State.STARTING)
    assert (e.component, e.current, e.target) == ("dsp", State.PAUSED, State.STARTING)
    assert e.message == "illegal transition paused -> starting (not in the transition table)"
    assert e.severity == Severity.WARNING
    assert e.details == {"from": "paused", "to": "starting"}
    assert type(e.details["from"]) is str and type(e.details["to"]) is str  # JSON values, not members
    why = IllegalTransitionError("dsp", "a", "b", reason="busy")
    assert why.message == "illegal transition a -> b (busy)" and why.details == {"from": "a", "to": "b"}
