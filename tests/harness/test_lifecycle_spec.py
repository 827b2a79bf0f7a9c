"""The lifecycle's models against the lifecycle written out from the documents (``lifecycle_spec``).

``test_lifecycle_models.py`` holds the harness's models to the running system, and
``test_linearizability_oracle.py`` holds the judge to a brute-force search; both would pass with a
transition wrongly allowed or left out of ``system_under_test.lifecycle.TRANSITIONS``, since the
system, the models and (before) the oracle all read it. Here each is compared, exhaustively, with
the tables of ``lifecycle_spec``, which read nothing of either package: every state x every
operation (or target) x configured or not x a pending configuration or not, and the full set of
results each may have, successes, refusals and unknown outcomes alike.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness import History
from harness.history import Operation
from harness.invariants import CoordinatorModel, SystemModel, check_legal_transitions
from lifecycle_spec import OPS, STATES, TRANSITIONS, component_result, system_results
from system_under_test.lifecycle import TRANSITIONS as DECLARED
from system_under_test.lifecycle import State


def _op(name: str, args: list[Any], meta: dict[str, Any] | None = None) -> Operation:
    return Operation(op_id=1, process="p", op=name, args=args, meta=meta or {}, invoke_index=0,
                     invoke_time=0.0, pre=None)


def test_the_states_are_the_documented_ones() -> None:
    assert sorted(s.value for s in State) == sorted(STATES)


def test_the_declared_transition_table_is_the_documented_one() -> None:
    """``system_under_test.lifecycle.TRANSITIONS``, which the coordinator enforces, row by row."""
    declared = {a.value: frozenset(b.value for b in bs) for a, bs in DECLARED.items()}
    for state in STATES:
        assert declared[state] == TRANSITIONS[state], (
            state, "allowed but not documented:", sorted(declared[state] - TRANSITIONS[state]),
            "documented but not allowed:", sorted(TRANSITIONS[state] - declared[state]))


@pytest.mark.parametrize("state", STATES)
def test_the_coordinator_model_is_the_documented_table(state: str) -> None:
    """Every target from ``state``, with no compare-and-set, one that holds, one that does not
    and one that names every state: the model's only outcome is the table's."""
    model = CoordinatorModel()
    others = [s for s in STATES if s != state]
    for target in STATES:
        for expect in (None, [state], others, list(STATES)):
            results = model.step(state, _op("transition", ["a", target, expect]))
            want = component_result(state, target, expect)
            assert sorted((outcome, ns) for outcome, _, ns in results) == [want], (state, target, expect, results)


@pytest.mark.parametrize("state", STATES)
def test_the_legal_transitions_invariant_accepts_exactly_the_documented_transitions(state: str) -> None:
    """One history per transition from ``state``: the ``legal_transitions`` verdict is a pass
    exactly when the table allows it."""
    for target in STATES:
        h = History()
        h.record("attach", data={"state": state, "configured": True, "pending": False, "seq": 0,
                                 "components": {"system": state}, "next_seq": 1})
        h.record("transition", data={"seq": 1, "time": 0.0, "component": "system", "from_state": state,
                                     "to_state": target, "cause": "probe", "actor": "op"})
        v = check_legal_transitions(h)
        assert v.ok is (target in TRANSITIONS[state]), (state, target, v)


def _model_results(state: tuple[str, bool, bool], op: Operation) -> frozenset[tuple[Any, ...]]:
    return frozenset((outcome, value, *ns) for outcome, value, ns in SystemModel().step(state, op))


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("configured", [True, False], ids=["configured", "unconfigured"])
@pytest.mark.parametrize("pending", [False, True], ids=["", "pending"])
def test_the_system_model_is_the_documented_lifecycle(op: str, configured: bool, pending: bool) -> None:
    """Every state: the model's results (outcome, value, next state, configured, pending) are the
    documented ones, no more and no fewer."""
    for state in STATES:
        got = _model_results((state, configured, pending), _op(op, []))
        want = system_results(state, configured, pending, op)
        assert got == want, (state, op, configured, pending, "model allows, not documented:",
                             sorted(got - want), "documented, model forbids:", sorted(want - got))


@pytest.mark.parametrize("op", ["configure", "reconfigure"])
@pytest.mark.parametrize("meta", [{"may_reject": True}, {"invalid": True}], ids=["may_reject", "invalid"])
def test_a_configuration_the_system_may_or_must_refuse(op: str, meta: dict[str, Any]) -> None:
    for state in STATES:
        got = _model_results((state, True, False), _op(op, [], meta))
        want = system_results(state, True, False, op, **meta)
        assert got == want, (state, op, meta, sorted(got ^ want))


def test_each_operation_is_one_the_model_knows() -> None:
    assert all(SystemModel().knows(_op(name, [])) for name in OPS)
