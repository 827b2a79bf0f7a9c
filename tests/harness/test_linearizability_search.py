"""The linearizability search's no-op reduction: conclusive on wide storms, and still sound.

A 64-thread storm once hit the search bound in CI because dozens of concurrent ``ok`` no-ops
(``recover() -> False``, ``configure`` on a configured system) branched at every step. ``run_op``
records which transitions each op made; an op that made none can only have linearised as a
self-loop, so the search takes it greedily. These tests pin both halves: the reduction makes such
histories conclusive within a small bound, and it never accepts a history it should refuse.
"""

from __future__ import annotations

import pytest

import harness.invariants as invariants
from harness import History
from harness import check_linearizable


def _configured() -> History:
    h = History()
    h.record("attach", data={"state": "configured", "configured": True, "pending": False,
                             "components": {"system": "configured"}, "next_seq": 1})
    return h


def _wide_noop_storm(width: int, op: str = "start", to_state: str = "starting") -> History:
    """``width`` concurrent ``recover()`` calls that all returned False without a transition, around
    one ``op`` that made transition 1 (CONFIGURED -> ``to_state``)."""
    h = _configured()
    recovers = [h.invoke(f"p{i}", "recover") for i in range(width)]
    changer = h.invoke("changer", op)
    h.record("transition", data={"seq": 1, "time": 0.0, "component": "system",
                                 "from_state": "configured", "to_state": to_state, "cause": op})
    h.ok(changer, seqs=[1])
    for rec in reversed(recovers):
        h.ok(rec, False, seqs=[])
    return h


def test_concurrent_noops_known_to_make_no_transition_check_conclusively():
    verdict = check_linearizable(_wide_noop_storm(60), max_states=500)
    assert verdict.ok and not verdict.inconclusive, verdict


def test_a_wide_history_that_does_not_fit_is_refused_conclusively():
    # pause() from CONFIGURED fits nowhere: the search must rule out every placement among the no-ops.
    verdict = check_linearizable(_wide_noop_storm(60, "pause", "paused"), max_states=500)
    assert not verdict.ok and not verdict.inconclusive, verdict


def test_without_the_reduction_the_refusal_exhausts_the_bound(monkeypatch):
    # Shows the reduction is what makes the previous test conclusive (and that it is switched on):
    # the plain search tries every subset of the no-ops before giving up.
    monkeypatch.setattr(invariants, "_GREEDY", False)
    verdict = check_linearizable(_wide_noop_storm(60, "pause", "paused"), max_states=500)
    assert verdict.inconclusive, verdict


def test_an_op_recorded_without_transitions_may_not_linearise_as_a_state_change():
    # pause() returned ok while RUNNING but recorded no transition: impossible for a real pause.
    h = History()
    h.record("attach", data={"state": "running", "configured": True, "pending": False,
                             "components": {"system": "running"}})
    a = h.invoke("p1", "pause")
    b = h.invoke("p2", "stop")
    h.ok(a, seqs=[])
    h.ok(b, seqs=[])
    verdict = check_linearizable(h)
    assert not verdict.ok, verdict


@pytest.mark.parametrize("seqs", [None, [7]])
def test_the_same_op_with_unknown_or_recorded_transitions_is_accepted(seqs):
    h = History()
    h.record("attach", data={"state": "running", "configured": True, "pending": False,
                             "components": {"system": "running"}})
    a = h.invoke("p1", "pause")
    b = h.invoke("p2", "resume")
    h.ok(a, seqs=seqs)
    h.ok(b, seqs=None)
    assert check_linearizable(h).ok
