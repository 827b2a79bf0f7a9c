"""A run with no fault whose device failed under it: judged through the outage, and saying so.

On the rig, a ``--faults none`` run is usually for the system's steady state. When its device fails
under it anyway (a stall over which JACK reported xruns, a server killed from outside) the failure
is the environment's, so nothing fails, and the system is judged as in any run: its invariants, its
recovery, its audio around the outage. The verdict's note says the run was judged through that
outage, not over an undisturbed run. A run with faults recovers from its device failing by
purpose: there the same loss is the plain note.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.device_losses import summary_of, device_losses
from harness.history import History
from harness.invariants import Verdict
from harness.rig.rig_target import ObservedOutages
from harness.verdict import Outcome, judge_run


def _explained_stall() -> dict[str, Any]:
    """``summary.json``'s ``device_losses`` for one stall inside an observed server outage."""
    h = History()
    h.record("note", value="start", time=10.0)
    h.record("error", value="error", time=20.25, data={"error": {
        "type": "DeviceStalledError", "message": "no callback for 0.251 s", "component": "device",
        "details": {"stalled_for_s": 0.251, "device": "system"}}})
    outages = ObservedOutages(h, "rig")
    outages("begin", 20.0, "server shut down")
    outages("back", 22.0, "")
    outages("end", 22.4, "")
    (stall,) = device_losses(h)
    assert stall.explained_by is not None
    return summary_of([stall])


def _steady(faults: bool) -> dict[str, Any]:
    return {"window_s": 1.0, "before": "yes", "after": "yes", "faults": faults}


HELD = [Verdict("recovery", True, [], "recoveries bounded")]


def test_a_run_with_no_fault_whose_device_failed_under_it_passes_saying_what_it_was_judged_through() -> None:
    """A field crash the system came back from is a pass (its invariants and recovery judged), and
    the note says the run was no undisturbed steady state; an inconclusive here would leave every
    outside server kill unjudgeable, a failure would fail the system for the world's fault."""
    v = judge_run(HELD, steady=_steady(False), device_losses=_explained_stall())
    assert v.outcome is Outcome.PASS and not v.failures and not v.doubts, v.headline()
    (note,) = [n for n in v.notes if n.startswith("the run had no fault of its own")]
    assert note.startswith("the run had no fault of its own, yet its device failed under it (1 device "
                           "loss(es) or stall(s), each explained by"), note
    assert "device 'system' stalled at t=20.250 s" in note, note
    assert note.endswith("the system was judged through that outage and its recovery, not over an "
                         "undisturbed run"), note


@pytest.mark.parametrize("steady", [_steady(True), None], ids=["with_faults", "no_steady_check"])
def test_the_same_loss_in_a_run_with_faults_or_a_scenario_is_a_note(steady: dict[str, Any] | None) -> None:
    v = judge_run(HELD, steady=steady, device_losses=_explained_stall())
    assert v.outcome is Outcome.PASS, v.headline()
    assert any(n.startswith("1 device loss(es) or stall(s), each explained") for n in v.notes), v.notes


def test_a_run_with_no_fault_and_no_loss_still_passes() -> None:
    v = judge_run(HELD, steady=_steady(False), device_losses=summary_of([]))
    assert v.outcome is Outcome.PASS and not v.doubts and not v.notes, v.headline()
