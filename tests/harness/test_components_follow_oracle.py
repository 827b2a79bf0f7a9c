"""``components_follow`` against answers worked out apart from it: the cascade rule as the system
enters FAILED, over every assignment of the four components' states, against a reachability
oracle on the pipeline's graph (a dependent two edges away counts as one edge away); and a gap in
the transitions' numbers, after which what the lost transitions did is not held against the system.
Small hand-built histories on no clock: milliseconds each."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from harness.history import History
from harness.invariants import PIPELINE_GRAPH, check_components_follow

PARTS = ("dsp", "input", "output", "device")


def _reaches() -> dict[tuple[str, str], bool]:
    """``(d, f)``: whether ``d`` depends on ``f`` through one or more edges of ``PIPELINE_GRAPH``
    (the transitive closure by powers of the adjacency matrix, not by the invariant's own walk)."""
    names = sorted(PIPELINE_GRAPH)
    at = {n: i for i, n in enumerate(names)}
    adj = np.zeros((len(names), len(names)), dtype=np.int64)
    for d, deps in PIPELINE_GRAPH.items():
        for f in deps:
            adj[at[d], at[f]] = 1
    closure = sum(np.linalg.matrix_power(adj, k) for k in range(1, len(names) + 1)) > 0
    return {(d, f): bool(closure[at[d], at[f]]) for d in names for f in names}


REACHES = _reaches()


def test_the_oracle_sees_the_device_two_edges_from_the_dsp() -> None:
    assert REACHES[("device", "dsp")] and REACHES[("input", "dsp")] and not REACHES[("dsp", "device")]


def _failed_from(states: dict[str, str], system_from: str) -> History:
    """Components in ``states``; the system, in ``system_from``, enters FAILED (transition seq 1)."""
    h = History()
    h.record("attach", data={"state": system_from, "configured": True, "pending": False, "clock": "virtual",
                             "components": {"system": system_from, **states}, "next_seq": 1})
    h.record("transition", time=1.0, data={"seq": 1, "time": 1.0, "component": "system",
                                           "from_state": system_from, "to_state": "failed", "cause": "test"})
    return h


@pytest.mark.parametrize("states", [dict(zip(PARTS, s)) for s in
                                    itertools.product(("running", "failed", "starting"), repeat=len(PARTS))],
                         ids=lambda s: "-".join(s.values()))
def test_the_cascade_rule_matches_the_graphs_reachability(states: dict[str, str]) -> None:
    """From STARTING (so the rule for leaving RUNNING says nothing) the system enters FAILED: the
    verdict is violated exactly when a running component depends, directly or through others, on
    a failed one. ``dsp failed, input and output starting, device running`` is violated though no
    direct dependent of the dsp runs (fails with ``_dependents`` reduced to direct dependents)."""
    expected = any(states[d] == "running" and states[f] == "failed" and REACHES[(d, f)]
                   for d in PARTS for f in PARTS)
    v = check_components_follow(_failed_from(states, "starting"))
    assert v.ok is not expected, (states, v.evidence)


def _stop(moves: list[tuple[str, str, str]], lost: tuple[str, str] | None = None) -> History:
    """A running system's history of ``moves`` (component, from, to), numbered in order from seq 1;
    the move of ``lost`` (component, to) keeps its number but is never recorded."""
    h = History()
    h.record("attach", data={"state": "running", "configured": True, "pending": False, "clock": "virtual",
                             "components": {"system": "running", **{p: "running" for p in PARTS}},
                             "next_seq": 1})
    for seq, (comp, a, b) in enumerate(moves, 1):
        if (comp, b) == lost:
            continue
        h.record("transition", time=float(seq), data={"seq": seq, "time": float(seq), "component": comp,
                                                      "from_state": a, "to_state": b, "cause": "test"})
    return h


def test_a_transition_lost_in_a_gap_is_not_held_against_the_system() -> None:
    """A stop whose dsp STOPPING -> STOPPED was never recorded (seq 6 missing): after the gap the
    dsp's last known state (STOPPING) is unknown, and the system entering STOPPED holds. Fails
    when the gap does not clear what the fold knew: the dsp judged still STOPPING, a false alarm."""
    moves = [("system", "running", "stopping"), *((p, "running", "stopping") for p in PARTS),
             *((p, "stopping", "stopped") for p in PARTS), ("system", "stopping", "stopped")]
    v = check_components_follow(_stop(moves, lost=("dsp", "stopped")))  # seq 6 is never recorded
    assert v.ok, v.evidence


def test_the_same_stop_with_the_dsp_truly_left_stopping_is_violated() -> None:
    """The control: every transition recorded, the dsp's STOPPING -> STOPPED never made."""
    moves = [("system", "running", "stopping"), *((p, "running", "stopping") for p in PARTS),
             *((p, "stopping", "stopped") for p in PARTS if p != "dsp"), ("system", "stopping", "stopped")]
    v = check_components_follow(_stop(moves))
    assert not v.ok and v.evidence[-1]["components"] == {"dsp": "stopping"}, v.evidence
