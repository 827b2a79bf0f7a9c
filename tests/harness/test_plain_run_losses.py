"""A run with no fault whose device failed under it tested recovery, not the steady state it was for.

On the rig, a ``--faults none`` run is for the system's steady state. When its device fails under
it anyway (a stall over which JACK reported xruns, a server killed from outside) the failure is
the environment's, so nothing fails; but the run passed with a recovery in it, and its verdict
only noted the loss. Now such a run is inconclusive, and its doubt says what it tested instead. A
run with faults recovers from its device failing by purpose: there the same loss stays a note.
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


def test_a_run_with_no_fault_whose_device_failed_under_it_is_inconclusive_saying_what_it_tested() -> None:
    """Fails without ``untested_steady_state``: the run passes, the loss only a note."""
    v = judge_run(HELD, steady=_steady(False), device_losses=_explained_stall())
    assert v.outcome is Outcome.INCONCLUSIVE and not v.failures, v.headline()
    (doubt,) = v.doubts
    assert doubt.startswith("the run had no fault to recover from, yet its device failed under it (1 device "
                            "loss(es) or stall(s), each explained by"), doubt
    assert "device 'system' stalled at t=20.250 s" in doubt, doubt
    assert doubt.endswith("it tested the system's recovery, not the steady state it was run to watch"), doubt
    assert doubt in v.headline()  # where the user reads it: the CLI's line, summary.json, the reports
    assert not any("each explained" in n for n in v.notes), v.notes


@pytest.mark.parametrize("steady", [_steady(True), None], ids=["with_faults", "no_steady_check"])
def test_the_same_loss_in_a_run_with_faults_or_a_scenario_is_a_note(steady: dict[str, Any] | None) -> None:
    v = judge_run(HELD, steady=steady, device_losses=_explained_stall())
    assert v.outcome is Outcome.PASS, v.headline()
    assert any(n.startswith("1 device loss(es) or stall(s), each explained") for n in v.notes), v.notes


def test_a_run_with_no_fault_and_no_loss_still_passes() -> None:
    v = judge_run(HELD, steady=_steady(False), device_losses=summary_of([]))
    assert v.outcome is Outcome.PASS and not v.doubts and not v.notes, v.headline()
