"""A pass's device-loss note is news: losses the run's own injected device faults caused are no
note, losses the world caused (an observed outage) are (``harness.device_losses.loss_note``).

Measured (bench/RESULTS.md, issue #11): every healthy default-profile pass carried "N device
loss(es) or stall(s), each explained by a device fault ..." (27 in a 20 s run, 333 in a 5 min
one), the profile's own dropouts and starved inputs, so the one note a reader needs (a server
killed from outside) read like the rest. Hand-built histories pin the rule; the simulated runs
(virtual clock, fixed seeds) show it end to end.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.device_losses import device_losses, loss_note, summary_of
from harness.faults import FaultRecord
from harness.history import History
from harness.rig.rig_target import ObservedOutages
from harness.runner import ReliabilityRun, RunSpec
from harness.verdict import Outcome, judge_run

HELD = [{"name": "recovery", "ok": True}]


def _loss(h: History, t: float, device: str = "sim-in") -> None:
    h.record("error", value="error", time=t, data={
        "error": {"type": "DeviceLostError", "message": f"simulated device {device!r} disappeared",
                  "component": "device", "details": {"device": device}},
        "severity": "CRITICAL", "component": "device"})


def _dropout(h: History, fired: float, ended: float) -> None:
    rec = FaultRecord(firing_id=f"dropout@{fired}", fault_id="dropout", kind="dropout", target="sim-in",
                      trigger="At", fired_at=fired)
    h.fault_started(rec)
    rec.ended_at = ended
    h.fault_ended(rec)


def test_a_loss_the_runs_own_dropout_caused_is_counted_but_no_note() -> None:
    h = History()
    _dropout(h, 1.0, 1.5)
    _loss(h, 1.1)
    losses = summary_of(device_losses(h))
    assert (losses["explained"], losses["injected"]) == (1, 1)
    assert losses["items"][0]["cause"] == "injected"
    assert loss_note(losses) is None
    v = judge_run(HELD, device_losses=losses)
    assert (v.outcome, v.doubts, v.notes) == (Outcome.PASS, (), ())
    assert v.headline() == "PASS: all 1 invariants held"


def test_a_loss_an_observed_outage_explains_is_a_note() -> None:
    h = History()
    outages = ObservedOutages(h, "soundcheck-rig-0")
    outages("begin", 5.0, "server shut down")
    _loss(h, 5.2, "system")
    outages("end", 7.5, "")
    losses = summary_of(device_losses(h))
    assert (losses["explained"], losses["injected"]) == (1, 0)
    note = loss_note(losses)
    assert note is not None and note.startswith("1 device loss(es), each explained by an observed server outage")
    assert "server_outage (external)" in note and "none by a fault the run injected" in note
    assert judge_run(HELD, device_losses=losses).notes == (note,)


def test_among_injected_losses_only_the_outside_one_is_counted_and_named() -> None:
    h = History()
    _dropout(h, 1.0, 1.5)
    _loss(h, 1.1)
    _loss(h, 1.2)
    outages = ObservedOutages(h, "soundcheck-rig-0")
    outages("begin", 20.0, "server shut down")
    _loss(h, 20.1, "system")
    outages("end", 22.0, "")
    note = loss_note(summary_of(device_losses(h)))
    assert note is not None and note.startswith("1 device loss(es), each explained"), note
    assert "device 'system' lost at t=20.100 s" in note, note


def test_a_summary_written_before_the_cause_was_kept_is_read_from_its_explanations() -> None:
    """A run folder of an older soundcheck, rebuilt by ``soundcheck report``: its items say what
    explained them but not whose the cause was; a known device fault's window is the run's own,
    an external one's or anything unsure is news."""
    injected = {"count": 1, "stalls": 0, "explained": 1, "unexplained_count": 0, "unexplained": [],
                "items": [{"device": "sim-in", "kind": "lost", "time": 1.1,
                           "explained_by": "dropout dropout@1.0 from t=1.000 s to t=1.500 s"}]}
    assert loss_note(injected) is None
    outside = json.loads(json.dumps(injected))
    outside["items"][0]["explained_by"] = "server_outage (external) o1 from t=1.000 s"
    assert loss_note(outside) is not None
    unsure = json.loads(json.dumps(injected))
    unsure["items"][0]["explained_by"] = "server outage"
    assert loss_note(unsure) is not None


# -- simulated runs (virtual clock, seeded) ----------------------------------------------------------

def _outage_from_outside(at_s: float) -> Any:
    """An ``on_chunk`` hook that, once past ``at_s``, records an observed outage of the device's
    server (as the rig's watch does), removes ``sim-in`` as that outage would, and gives it back
    and ends the outage 0.3 s later."""
    done: list[float] = []

    def hook(run: Any, system: Any, history: Any) -> None:
        if done or system.clock.now() < at_s:
            return
        now = system.clock.now()
        done.append(now)
        outages = ObservedOutages(history, "the-users-server")
        outages("begin", now, "server shut down from outside")
        system.backend.remove_device("sim-in", report=True)

        def back() -> None:
            system.backend.restore_device("sim-in")
            outages("end", system.clock.now(), "")
        system.clock.call_later(0.3, back)
    return hook


def test_a_default_profile_pass_carries_no_note_of_its_own_device_faults(tmp_path: Path) -> None:
    run = ReliabilityRun(RunSpec(backend="sim", duration_s=20.0, seed=11, faults="default", report_root=tmp_path))
    result = run.execute(reports=False)
    losses = result.summary["device_losses"]
    assert losses["count"] > 0 and losses["injected"] == losses["explained"] == losses["count"], losses
    assert result.verdict.outcome is Outcome.PASS, result.verdict
    assert not [n for n in result.verdict.notes if "device loss" in n], result.verdict.notes


def test_a_faultless_run_whose_device_an_outside_outage_took_carries_the_note(tmp_path: Path) -> None:
    run = ReliabilityRun(RunSpec(backend="sim", duration_s=6.0, seed=1, faults="none", report_root=tmp_path))
    result = run.execute(on_chunk=_outage_from_outside(3.0), reports=False)
    losses = result.summary["device_losses"]
    assert losses["count"] >= 1 and losses["injected"] == 0 and losses["unexplained_count"] == 0, losses
    # the outage's mute is the outage's (``AudioCheck.external_fault``): a pass, with its note
    assert result.verdict.outcome is Outcome.PASS, result.verdict
    (note,) = [n for n in result.verdict.notes if "device loss" in n]
    assert note.startswith("the run had no fault of its own, yet its device failed under it"), note
    assert "server_outage (external)" in note, note
