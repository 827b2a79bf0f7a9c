"""The ``linearizable`` judge against an independent oracle, and a table of history shapes each with
the verdict it must get.

The oracle is brute force: every order of the ops that keeps their real-time precedence (an op that
returned ``ok`` or ``fail`` before another was invoked comes first), each op that returned ``info``
or never returned either placed or left out, stepped through the documented lifecycle
(``lifecycle_spec.system_results``) from the attach entry's state. A history is linearizable when
some order fits every recorded outcome. It is slow but plainly right for five ops, and shares
nothing with the judge's search (``_wgl``), its no-op reduction, its islands or its segments, nor
with its sequential specification (``SystemModel``): a slip in any of those that changes a verdict,
a transition the model wrongly allows or forbids among them, shows up as a disagreement.

The table holds the shapes a random history rarely reaches: sets of ops that cannot be judged beside
ops that were, a move recorded just before the ops, a short op inside a long one. Each shape is
judged by the streaming judge (``check_linearizable``), the whole-history one
(``_check_linearizable_whole``) and the live check's judge read after every entry (``read_live``):
each must give the verdict written beside it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness import History
from harness.history import Operation
from harness.invariants import _check_linearizable_whole, check_linearizable
from lifecycle_spec import system_results
from live_readings import read_live

#: ops whose outcome the model decides from the lifecycle state alone (``configure`` also reads
#: the op's meta and errors, which the generator does not write)
OPS = ("start", "pause", "resume", "stop", "recover", "simulate_error")
STATES = ("running", "paused", "configured", "stopped", "failed", "recovering")


def _fits(state: tuple[str, bool, bool], op: Operation) -> list[tuple[str, bool, bool]]:
    """The states ``op`` may leave the system in from ``state`` (lifecycle state, configured,
    pending), given its recorded outcome: for ``ok``/``fail`` the documented results of that kind
    (and value, where both give one); for an op whose outcome is unknown, any of them."""
    out = []
    for outcome, value, *ns in system_results(*state, op.op):
        if op.outcome in ("ok", "fail"):
            if outcome != op.outcome or (value is not None and op.value is not None and value != op.value):
                continue
        out.append(tuple(ns))
    return out


def oracle(history: History) -> bool:
    """Whether some order of the history's ops fits the model (module docstring)."""
    ops = history.operations()
    init = history.initial or {}
    start = (init.get("state", "uninitialized"), bool(init.get("configured")), bool(init.get("pending")))
    must = [o for o in ops if o.outcome in ("ok", "fail")]
    maybe = [o for o in ops if o.outcome not in ("ok", "fail")]

    def before(a: Operation, b: Operation) -> bool:
        return a.outcome in ("ok", "fail") and a.complete_index is not None and a.complete_index < b.invoke_index

    for k in range(len(maybe) + 1):
        for chosen in itertools.combinations(maybe, k):
            placed = must + list(chosen)
            for order in itertools.permutations(placed):
                if any(before(order[j], order[i]) for i in range(len(order)) for j in range(i + 1, len(order))):
                    continue
                states = {start}
                for op in order:
                    states = {ns for s in states for ns in _fits(s, op)}
                    if not states:
                        break
                if states:
                    return True
    return False


def _attach(h: History, state: str) -> None:
    h.record("attach", data={"state": state, "configured": True, "pending": False, "seq": 0,
                             "components": {"system": state}, "next_seq": 1})


def _history(state: str, steps: list[tuple[int, int]]) -> History:
    """Up to five ops from ``state``: the first two invoked before anything returns (so the ops
    overlap and are searched together), then each step invokes a new op or ends a running one
    with an outcome picked by its number; ops still running at the end never returned."""
    h = History()
    _attach(h, state)
    running: list[int] = []
    ops = 0

    def invoke(n: int) -> None:
        nonlocal ops
        running.append(h.invoke(f"p{ops}", OPS[n % len(OPS)]))
        ops += 1

    invoke(steps[0][1])
    invoke(steps[1][1])
    for kind, n in steps[2:]:
        if kind == 0 and ops < 5:
            invoke(n)
        elif running:
            op = running.pop(n % len(running))
            outcome = ("ok", "ok", "fail", "info")[n // 7 % 4]
            value = bool(n // 29 % 2) if outcome == "ok" and _name(h, op) == "recover" else None
            h.complete(op, outcome, value)
    return h


def _name(h: History, op_id: int) -> str:
    return next(e.op for e in h if e.type == "invoke" and e.op_id == op_id)


STEPS = st.lists(st.tuples(st.integers(0, 1), st.integers(0, 10**4)), min_size=2, max_size=12)


@settings(derandomize=True, deadline=None, database=None, max_examples=400)
@given(state=st.sampled_from(STATES), steps=STEPS)
def test_the_judges_agree_with_the_brute_force_oracle(state, steps):
    h = _history(state, steps)
    expected = oracle(h)
    for judge in (check_linearizable, _check_linearizable_whole, read_live):
        v = judge(h)
        assert (v.ok, v.inconclusive) == (expected, False), (judge.__name__, expected, v, list(h))


def test_the_oracle_refuses_what_the_model_forbids_and_accepts_what_it_allows():
    """The oracle itself on two histories whose verdict is plain: a start refused from CONFIGURED
    (the model only lets it succeed or end unknown there) fits no order; the same start ``ok``
    does."""
    for outcome, fits in (("fail", False), ("ok", True)):
        h = History()
        _attach(h, "configured")
        a, b = h.invoke("p1", "start"), h.invoke("p2", "pause")
        h.complete(a, outcome)
        h.fail(b)
        assert oracle(h) is fits


def _obs(state: str) -> dict[str, Any]:
    return {"state": state, "configured": True, "pending": False, "config": "c"}


def _refusal_that_fits_nowhere(h: History) -> None:
    # start refused from CONFIGURED: the model lets it only succeed (or end unknown) there, and
    # the pause beside it, refused too, leaves the state as it was
    _attach(h, "configured")
    a, b = h.invoke("p1", "start"), h.invoke("p2", "pause")
    h.fail(b)
    h.fail(a)


def _judged_op_then_ops_after_a_fault(h: History) -> None:
    # a lone pause, judged by its own observations, then a fault and two ops side by side the
    # model cannot place (the system may have moved on its own): the second set is not judged
    _attach(h, "running")
    a = h.invoke("p1", "pause", pre=_obs("running"))
    h.ok(a, pre=_obs("running"), post=_obs("paused"))
    h.record("fault_start", data={"kind": "xrun"})
    b, c = h.invoke("p2", "resume"), h.invoke("p3", "stop")
    h.info(b)
    h.info(c)


def _move_just_before_the_ops(h: History) -> None:
    # the state moved (RUNNING -> STOPPED) right before the first op, after the quiet attach
    # entry: the ops cannot be searched from RUNNING, nor can they be said to break the model
    _attach(h, "running")
    h.record("transition", data={"seq": 1, "time": 0.0, "component": "system", "from_state": "running",
                                 "to_state": "stopped", "cause": "x", "actor": "op"})
    a, b = h.invoke("p1", "start"), h.invoke("p2", "pause")
    h.ok(a)
    h.fail(b)


def _short_op_inside_a_long_one(h: History) -> None:
    # stop (long) holds a refused pause and then a resume that returned ok: no order lets the
    # resume succeed (nothing paused the system), though stop and pause alone fit; a fault after
    # them and two more ops after it keep the three from being searched with the rest
    _attach(h, "running")
    stop = h.invoke("p1", "stop")
    pause = h.invoke("p2", "pause")
    h.fail(pause)
    resume = h.invoke("p3", "resume")
    h.ok(stop)
    h.ok(resume)
    h.record("fault_start", data={"kind": "xrun"})
    d, e = h.invoke("p4", "pause"), h.invoke("p5", "resume")
    h.info(d)
    h.info(e)


def _concurrent_ops_that_fit(h: History) -> None:
    _attach(h, "running")
    a, b = h.invoke("p1", "pause"), h.invoke("p2", "resume")
    h.ok(b)
    h.ok(a)


#: (shape, ok, inconclusive): violated is (False, False), a pass (True, False), a set of ops that
#: could not be judged (True, True) whatever else conformed
SHAPES: list[tuple[Callable[[History], None], bool, bool]] = [
    (_concurrent_ops_that_fit, True, False),
    (_refusal_that_fits_nowhere, False, False),
    (_judged_op_then_ops_after_a_fault, True, True),
    (_move_just_before_the_ops, True, True),
    (_short_op_inside_a_long_one, False, False),
]


@pytest.mark.parametrize("shape, ok, inconclusive", SHAPES, ids=[s[0].__name__.strip("_") for s in SHAPES])
@pytest.mark.parametrize("judge", [check_linearizable, _check_linearizable_whole, read_live],
                         ids=["streaming", "whole", "live"])
def test_each_history_shape_gets_its_verdict(shape, ok, inconclusive, judge):
    h = History()
    shape(h)
    v = judge(h)
    assert (v.ok, v.inconclusive) == (ok, inconclusive), v
