"""The fast paths of the simulation keep the meaning of the slow ones they replaced."""

from __future__ import annotations

import dataclasses

from system_under_test.lifecycle import State, TransitionRecord


def test_a_transition_record_dict_names_every_field_with_state_values() -> None:
    record = TransitionRecord(7, 1.25, "dsp", State.RUNNING, State.RECOVERING, "stall")
    expected = {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
    expected["from_state"], expected["to_state"] = "running", "recovering"
    got = record.to_dict()
    assert got == expected
    assert list(got) == [f.name for f in dataclasses.fields(record)]  # the history's key order
