"""A recovery that gives up during an outage: the policy's promise kept, or the system's failure.

The rule (``harness.invariants.GiveUp``): a system whose recovery gives up (FAILED) after spending
its policy's whole budget (as many attempts as it allows on every candidate device, or an episode
as long as its deadline) while a device fault or an observed outage held its device away through
those attempts did what its policy promises: the ``recovery`` invariant names it as the policy's
outcome, and the steady-state check rolls it back as an operator would. A give-up before the
budget was spent, or after an attempt on a device that was back, is the system's failure.

Hand-built histories on the default policy (10 attempts, 0 + 10 + 20 + ... + 640 ms + 1 s + 1 s of
back-off: 3.27 s, deadline 10 s), then simulated runs with a dropout longer than that budget.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.faults import FaultRecord, Schedule
from harness.faults.kinds import DeviceDropout
from harness.history import History
from harness.invariants import check_recovery, latest_give_up
from harness.rig.rig_target import ObservedOutages
from harness.runner import ReliabilityRun, RunSpec
from harness.verdict import Outcome

#: the default policy's back-off delays before its 10 attempts
DELAYS = (0.0, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.0, 1.0)


def _state(h: History, seq: int, t: float, a: str, b: str, cause: str = "") -> None:
    h.record("transition", time=t, data={"seq": seq, "time": t, "component": "system", "from_state": a,
                                         "to_state": b, "cause": cause, "actor": "system"})


def _dropout(h: History, *, at: float, back: float) -> None:
    rec = FaultRecord(firing_id="dropout#0", fault_id="dropout#0", kind="dropout", target="sim-in",
                      trigger="scheduled", fired_at=at)
    h.fault_started(rec)
    rec.ended_at = back
    h.fault_ended(rec)


def _episode(h: History, *, entered: float, attempts: int, shift: float = 0.0) -> float:
    """A recovery entered at ``entered`` that makes ``attempts`` attempts on the default back-off
    (each later by ``shift``), all failing, then gives up; the give-up's time."""
    _state(h, 2, entered, "running", "recovering", "DeviceLostError: gone")
    t = entered
    for n, delay in enumerate(DELAYS[:attempts], start=1):
        t += delay + (shift if n > 1 else 0.0)
        h.record("event", value="recovery_attempt", time=t, data={"attempt": n, "device": "sim-in"})
        h.record("event", value="recovery_attempt_failed", time=t, data={"attempt": n, "device": "sim-in"})
    _state(h, 3, t, "recovering", "failed", "recovery failed: every attempt on every device failed")
    h.record("event", value="recovery_failed", time=t,
             data={"reason": "every attempt on every device failed", "attempts": attempts})
    return t


def _history(*, attempts: int, back: float, shift: float = 0.0) -> History:
    h = History()
    _state(h, 1, 1.0, "starting", "running")
    _dropout(h, at=2.0, back=back)
    _episode(h, entered=2.0, attempts=attempts, shift=shift)
    h.record("note", value="end", time=back + 5.0)
    return h


def test_a_give_up_with_the_budget_spent_while_the_device_was_absent_is_the_policys_outcome() -> None:
    v = check_recovery(_history(attempts=10, back=7.0))
    assert v.ok and not v.inconclusive, v
    assert v.message.endswith(
        "; 1 give-up(s) the recovery policy's outcome, its budget spent while the device was away: gave up "
        "after 10 attempt(s) over 3.27 s while 'sim-in' was absent (dropout dropout#0 from t=2.000 s to "
        "t=7.000 s); policy budget 3.27 s (10 attempt(s), 3.27 s of back-off, deadline 10.00 s)"), v.message


def test_a_give_up_before_the_budget_was_spent_is_the_systems_failure() -> None:
    v = check_recovery(_history(attempts=3, back=7.0))
    assert not v.ok, v
    (item,) = v.evidence
    assert item["why"] == ("the recovery gave up after 3 attempt(s) over 0.03 s while 'sim-in' was absent "
                           "(dropout dropout#0 from t=2.000 s to t=7.000 s); policy budget 3.27 s (10 attempt(s), "
                           "3.27 s of back-off, deadline 10.00 s): before its policy's budget was spent"), item


def test_a_give_up_after_an_attempt_on_a_device_that_was_back_is_the_systems_failure() -> None:
    """The dropout ends at 4 s; the policy's last attempts (at 4.27 and 5.27 s) fail on a device
    that is there."""
    v = check_recovery(_history(attempts=10, back=4.0))
    assert not v.ok, v
    (item,) = v.evidence
    assert item["why"].startswith("the recovery gave up after 10 attempt(s) over 3.27 s, its last attempt at "
                                  "t=5.270 s after 'sim-in' was back at t=4.000 s"), item


def test_a_give_up_at_the_deadline_with_fewer_attempts_is_the_policys_outcome() -> None:
    """Opens that take 1.4 s each: the deadline (10 s) passes after 7 attempts, and the system gives
    up at it (12.0); the device is away through all of them."""
    h = History()
    _state(h, 1, 1.0, "starting", "running")
    _dropout(h, at=2.0, back=20.0)
    _state(h, 2, 2.0, "running", "recovering", "DeviceLostError: gone")
    t = 2.0
    for n in range(1, 8):
        h.record("event", value="recovery_attempt", time=t, data={"attempt": n, "device": "sim-in"})
        t += 1.4
        h.record("event", value="recovery_attempt_failed", time=t, data={"attempt": n, "device": "sim-in"})
    _state(h, 3, 12.0, "recovering", "failed", "recovery failed: deadline of 10.000 s passed")
    h.record("event", value="recovery_failed", time=12.0, data={"reason": "deadline of 10.000 s passed",
                                                                "attempts": 7})
    h.record("note", value="end", time=25.0)
    v = check_recovery(h)
    assert v.ok and not v.inconclusive, v
    assert "gave up after 7 attempt(s) over 10.00 s while 'sim-in' was absent" in v.message, v.message
    g = latest_give_up(h)
    assert g is not None and g.honest and g.spent and g.back_at == 20.0


def test_a_give_up_during_an_observed_outage_whose_server_came_back_later_is_the_policys_outcome() -> None:
    h = History()
    _state(h, 1, 1.0, "starting", "running")
    outages = ObservedOutages(h, "rig")
    outages("begin", 2.1, "server shut down")
    t = _episode(h, entered=2.0, attempts=10)
    outages("back", 8.0, "")
    h.record("note", value="end", time=14.0)
    v = check_recovery(h)
    assert v.ok and not v.inconclusive, v
    assert (f"gave up after 10 attempt(s) over {t - 2.0:.2f} s while 'device' was absent (its server's outage "
            "server_outage (external-outage-1) from t=2.100 s to t=8.000 s)") in v.message, v.message


def test_the_give_up_the_steady_state_judges_is_the_last_one_not_an_earlier_honest_one() -> None:
    """Two give-ups in one run: the first honest (10 attempts while 'sim-in' was away), the system
    then recovered by its owner (``recover()``), the second after one attempt with the device away
    again. The system ends FAILED by the second: ``latest_give_up`` (what the steady-state check
    asks of a system it finds FAILED after the faults) is that one, and it is not the policy's
    outcome, so the failure is not rolled back."""
    h = History()
    _state(h, 1, 1.0, "starting", "running")
    _dropout(h, at=2.0, back=8.0)
    _episode(h, entered=2.0, attempts=10)  # gives up at 5.27 s, its budget spent while away
    _state(h, 4, 9.0, "failed", "recovering", "recover()")
    _state(h, 5, 9.1, "recovering", "running", "recovered")
    again = FaultRecord(firing_id="dropout#1", fault_id="dropout#1", kind="dropout", target="sim-in",
                        trigger="scheduled", fired_at=12.0)
    h.fault_started(again)
    _state(h, 6, 12.0, "running", "recovering", "DeviceLostError: gone")
    h.record("event", value="recovery_attempt", time=12.0, data={"attempt": 1, "device": "sim-in"})
    h.record("event", value="recovery_attempt_failed", time=12.0, data={"attempt": 1, "device": "sim-in"})
    _state(h, 7, 12.0, "recovering", "failed", "recovery failed: every attempt on every device failed")
    h.record("event", value="recovery_failed", time=12.0,
             data={"reason": "every attempt on every device failed", "attempts": 1})
    again.ended_at = 30.0
    h.fault_ended(again)
    h.record("note", value="end", time=35.0)
    g = latest_give_up(h)
    assert g is not None and (g.time, g.attempts) == (12.0, 1), g
    assert not g.honest and not g.spent, g


# -- whole simulated runs: the steady state after the faults reads the same rule -----------------

def _run(tmp_path: Path, mode: str, *, away_s: float = 5.0) -> Any:
    """A 12 s simulated run (faults ``none``) whose device ``sim-in`` goes at 3 s (the run's clock,
    the 1 s steady window before the faults included) for ``away_s``: a scheduled dropout
    (``injected``, ``early``, ``present``) or behind the harness's back with an observed outage
    recorded (``external``). ``early``: the system gives up after its first attempt; ``present``:
    its opens fail once the device is back (a system that reopens the wrong device)."""
    run = ReliabilityRun(RunSpec(backend="sim", duration_s=away_s + 6.0, seed=1, faults="none",
                                 report_root=tmp_path))
    if mode != "external":
        run.schedule = Schedule.fixed([(2.0, DeviceDropout(duration_s=away_s, target="sim-in"))])
    seen: dict[str, Any] = {}

    def hook(r: Any, system: Any, history: Any) -> None:
        t = system.clock.now()
        if "patched" not in seen:
            seen["patched"] = True
            rec = system._recoverer
            if mode == "early":
                schedule = rec._schedule_attempt

                def give_up_early(run_: Any) -> None:
                    if run_.attempts >= 1:
                        rec.failed(run_, "every attempt on every device failed")
                        return
                    schedule(run_)
                rec._schedule_attempt = give_up_early
            elif mode == "present":
                build = system._build

                def wrong_device(config: Any, device: str, output: str) -> Any:
                    if system.clock.now() >= 3.0 + away_s:
                        raise RuntimeError("opened the wrong device")
                    return build(config, device, output)
                system._build = wrong_device
        if mode == "external":
            if "outage" not in seen and t >= 3.0:
                seen["outage"] = ObservedOutages(history, "rig")
                seen["outage"]("begin", t, "the server's process is gone")
                system.backend.remove_device("sim-in", report=True)
            elif "outage" in seen and "back" not in seen and t >= 3.0 + away_s:
                seen["back"] = True
                system.backend.restore_device("sim-in")
                seen["outage"]("back", t, "")

    return run.execute(on_chunk=hook, reports=False)


def _recovery(result: Any) -> dict[str, Any]:
    (check,) = [c for c in result.verdict.checks if c["name"] == "recovery"]
    return check


@pytest.mark.parametrize("mode", ["injected", "external"])
def test_a_run_whose_system_gave_up_honestly_is_rolled_back_and_names_the_policys_outcome(
        tmp_path: Path, mode: str) -> None:
    """The device is away 5 s, longer than the policy's 3.27 s: the system gives up after its 10
    attempts, the device comes back, the watch rolls the give-up back and sees the system steady."""
    result = _run(tmp_path, mode)
    steady = result.summary["steady_state"]
    assert steady["after"] == "yes", steady
    assert "the recovery policy's outcome: gave up after 10 attempt(s) over 3.27 s while 'sim-in' was absent (" \
        in steady["after_detail"], steady
    recovery = _recovery(result)
    assert recovery["ok"] and not recovery["inconclusive"], recovery
    assert "1 give-up(s) the recovery policy's outcome" in recovery["message"], recovery
    assert not any("steady state" in f for f in result.verdict.failures), result.verdict.failures
    if mode == "injected":
        assert result.verdict.outcome is Outcome.PASS, result.verdict.headline()


def test_a_run_whose_system_gave_up_early_fails_both_checks(tmp_path: Path) -> None:
    result = _run(tmp_path, "early")
    assert result.verdict.outcome is Outcome.FAIL, result.verdict.headline()
    recovery = _recovery(result)
    assert not recovery["ok"], recovery
    assert recovery["evidence"][0]["why"].endswith(": before its policy's budget was spent"), recovery
    steady = result.summary["steady_state"]
    assert steady["after"] == "no", steady
    assert "; not rolled back: it gave up after 1 attempt(s) over 0.00 s while 'sim-in' was absent" \
        in steady["after_detail"], steady


def test_a_run_whose_system_gave_up_on_a_device_that_was_back_fails_both_checks(tmp_path: Path) -> None:
    result = _run(tmp_path, "present", away_s=2.0)
    assert result.verdict.outcome is Outcome.FAIL, result.verdict.headline()
    recovery = _recovery(result)
    assert not recovery["ok"], recovery
    assert "after 'sim-in' was back at t=5.000 s" in recovery["evidence"][0]["why"], recovery
    steady = result.summary["steady_state"]
    assert steady["after"] == "no" and "; not rolled back: it gave up after 10 attempt(s)" in steady["after_detail"]
