"""``policy_followed`` on a restart that should have come and did not.

The recovery policy restarts the stream for a routed error it restarts for (a device loss, a
stall, a callback error at ``CALLBACK_ERRORS_IN_A_ROW`` in a row), and ``AudioSystem._route_error``
enters the recovery when the system is RUNNING, PAUSED, STARTING or RECONFIGURING and no recovery
is under way. The system's ``error`` event tells the state it routed the error in and whether a
recovery was running (``state``, ``recovering``), told and acted on under one lock, so the
invariant holds such an event to a ``recovery_started`` for its error before the next one.
Crafted histories with known answers, the shipped system's plain runs, and a system that drops
its callback-error restarts failing them. Virtual clock, fixed seeds: deterministic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from plain_runs import plain_run_verdict
from harness.history import History
from harness.invariants import CALLBACK_ERRORS_IN_A_ROW, check_policy_followed
from system_under_test import AudioSystem
from system_under_test.errors import AudioSystemError, ErrorInfo, XrunError
from system_under_test.lifecycle import State


def _err(kind: str = "CallbackError", message: str = "callback raised") -> dict[str, Any]:
    return {"type": kind, "message": message, "component": "pipeline", "severity": "ERROR",
            "recoverable": True, "details": {}}


def _history(steps: list[tuple[Any, ...]]) -> History:
    """("error", err, consecutive, state, recovering[, requires]) an error event at ERROR (a field
    given as None is left out); ("restart", err) its recovery_started."""
    h = History()
    h.record("attach", time=0.0, data={"state": "uninitialized", "clock": "virtual",
                                       "config": {"recovery": {"degrade_on_exhaustion": True}},
                                       "components": {"system": "uninitialized"}})
    for t, step in enumerate(steps, start=1):
        if step[0] == "error":
            _, err, consecutive, state, recovering, *rest = step
            data: dict[str, Any] = {"error": err, "severity": "ERROR", "component": "pipeline",
                                    "consecutive_callback_errors": consecutive,
                                    "requires_recovery": rest[0] if rest else True}
            if state is not None:
                data["state"] = state
            if recovering is not None:
                data["recovering"] = recovering
            h.record("error", time=float(t), value="error", data=data)
        else:
            err = step[1]
            h.record("event", time=float(t), value="recovery_started",
                     data={"cause": f"{err['type']}: {err['message']}", "error": err, "target": "running"})
    return h


AT = CALLBACK_ERRORS_IN_A_ROW


@pytest.mark.parametrize("state", ["running", "paused", "starting", "reconfiguring"])
def test_a_callback_error_at_the_threshold_with_no_restart_before_the_next_is_a_violation(state: str) -> None:
    v = check_policy_followed(_history([("error", _err(), AT, state, False),
                                        ("error", _err(), AT + 1, state, False)]))
    assert not v.ok, v
    assert [(e["error_index"], e["state"], e["consecutive_callback_errors"]) for e in v.evidence] == [(1, state, AT)]
    assert v.message == "1 restart(s) the recovery policy called for that never started", v


def test_a_device_loss_with_no_restart_is_a_violation_too() -> None:
    lost = _err("DeviceLostError", "gone")
    v = check_policy_followed(_history([("error", lost, 0, "running", False),
                                        ("error", _err("DeviceStalledError", "stall"), 0, "running", False)]))
    assert not v.ok and v.evidence[0]["type"] == "DeviceLostError", v


def test_the_restart_that_came_clears_what_was_owed() -> None:
    v = check_policy_followed(_history([("error", _err(), AT, "running", False), ("restart", _err()),
                                        ("error", _err(), AT, "running", False), ("restart", _err())]))
    assert v.ok, v
    assert "2 restart(s) the policy called for, each started" in v.message, v


def test_errors_routed_inside_the_recovery_before_its_event_keep_it_owed_not_missed() -> None:
    """As the recovery tears the stream down, pending callback errors are reported with
    ``requires_recovery`` false, and an observer of RECOVERING may route one: neither is a miss."""
    v = check_policy_followed(_history([("error", _err(), AT, "running", False),
                                        ("error", _err(), 1, "running", False, False),
                                        ("error", _err("DeviceLostError", "gone"), 0, "recovering", False),
                                        ("restart", _err())]))
    assert v.ok and "1 restart(s) the policy called for, each started" in v.message, v


@pytest.mark.parametrize(("state", "recovering", "requires", "in_a_row"), [
    ("running", True, True, AT),        # a recovery already running: not a miss
    ("recovering", False, True, AT),    # RECOVERING: the run in progress answers it
    ("stopped", False, True, AT),       # a stopped system restarts nothing
    ("failed", False, True, AT),
    ("running", False, False, AT),      # its reporter handled it
    ("running", False, True, AT - 1),   # below the threshold: ignored by the policy
    (None, None, True, AT),             # a history of a system that did not tell the state
    ("running", None, True, AT),
])
def test_no_restart_is_owed_where_the_system_could_not_or_need_not_start_one(
        state: str | None, recovering: bool | None, requires: bool, in_a_row: int) -> None:
    """Each history then owes one restart, which comes: only that one is counted."""
    v = check_policy_followed(_history([("error", _err(), in_a_row, state, recovering, requires),
                                        ("error", _err(), AT, "running", False), ("restart", _err())]))
    assert v.ok and "; 1 restart(s) the policy called for, each started" in v.message, v


def test_an_exhausted_pool_below_critical_owes_nothing_whatever_the_configuration() -> None:
    """Its action hangs on ``degrade_on_exhaustion``, whose moment of taking over is not recorded."""
    dry = _err("BufferPoolExhaustedError", "dry")
    v = check_policy_followed(_history([("error", dry, 0, "running", False), ("error", dry, 0, "running", False),
                                        ("error", _err(), AT, "running", False), ("restart", _err())]))
    assert v.ok and "; 1 restart(s) the policy called for, each started" in v.message, v


def test_a_restart_still_owed_as_the_history_ends_is_said_and_not_judged() -> None:
    v = check_policy_followed(_history([("error", _err(), AT, "running", False)]))
    assert v.ok and "1 restart still owed as the history ends, not judged" in v.message, v


# -- the system tells what the judge reads ---------------------------------------------------------

def test_the_error_event_tells_the_state_and_the_recovery_it_was_routed_in() -> None:
    s = AudioSystem({}, seed=11)
    events: list[Any] = []
    s.add_event_listener(events.append)
    try:
        s.initialize()
        s.start()
        s.run_for(0.05)
        s.coordinator.handle_error("device", XrunError("late", component="device"))
    finally:
        s.close()
    (told,) = [e.data for e in events if e.kind == "error"]
    assert (told["state"], told["recovering"]) == ("running", False), told


# -- plain runs ----------------------------------------------------------------------------------

class DropsCallbackErrorRestarts(AudioSystem):
    """A restart for a callback error below CRITICAL dropped ('the next block may well be fine'):
    the stream the policy gave up on keeps running."""

    def _enter_recovery(self, err: AudioSystemError | ErrorInfo, cause: str, *,
                        target: State | None = None) -> None:
        if err.type == "CallbackError" and err.severity.name != "CRITICAL":
            return
        super()._enter_recovery(err, cause, target=target)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_shipped_system_starts_every_restart_it_owes(tmp_path: Path, seed: int) -> None:
    result, v = plain_run_verdict(tmp_path, seed, "policy_followed")
    assert v.ok and "restart(s) the policy called for, each started" in v.message, v
    assert "not judged" not in v.message, v
    assert result.verdict.outcome.value == "pass", result.verdict.reasons


@pytest.mark.parametrize("seed", [1, 2])
def test_a_system_dropping_its_callback_error_restarts_fails_the_run(tmp_path: Path, seed: int) -> None:
    result, v = plain_run_verdict(tmp_path, seed, "policy_followed", system_factory=DropsCallbackErrorRestarts)
    assert not v.ok and {e["type"] for e in v.evidence} == {"CallbackError"}, v
    assert {e["consecutive_callback_errors"] for e in v.evidence} >= {AT}, v.evidence
    assert result.verdict.violated == ["policy_followed"], result.verdict.reasons


def test_a_recovery_for_another_error_does_not_pay_the_restart_owed() -> None:
    """Only a ``recovery_started`` for the owed error's own record pays it: a device loss reported
    while RECOVERING (it owes nothing) and its recovery, then the next callback error at the
    threshold, leave the first one's restart missing. Any recovery taken as the owed one hid it."""
    lost = _err("DeviceLostError", "gone")
    v = check_policy_followed(_history([("error", _err(), AT, "running", False),
                                        ("error", lost, 0, "recovering", False), ("restart", lost),
                                        ("error", _err(), AT + 1, "running", False)]))
    assert not v.ok, v
    assert [(e["error_index"], e["type"], e["consecutive_callback_errors"]) for e in v.evidence] == \
        [(1, "CallbackError", AT)], v.evidence
    assert v.message == "1 restart(s) the recovery policy called for that never started", v


@pytest.mark.parametrize("flag", [True, False])
def test_a_flag_where_the_count_in_a_row_belongs_decides_nothing(flag: bool) -> None:
    """``consecutive_callback_errors`` given as a boolean is no count (``_plain_int``): among two
    equal callback errors, one flagged and a later one at ``int(flag)`` in a row (below the
    threshold), the flagged one cannot be decided, so the recovery is not judged. Read as 1 or 0 (an
    ``int`` to Python, and the same key as the later one's count in the table read once per
    count), it was "one the policy does not restart for", a violation."""
    v = check_policy_followed(_history([("error", _err(), flag, "running", False),
                                        ("error", _err(), int(flag), "running", False), ("restart", _err())]))
    assert v.ok, v
    assert v.message == ("no recovery started for a routed error: nothing to judge; 1 for an error the "
                         "history cannot decide, not judged"), v

# -- what a missed restart tells ---------------------------------------------------------------

def test_a_missed_restart_is_told_with_the_error_it_was_owed_for_and_the_one_that_came_first() -> None:
    """The evidence a reader gets: the owed error's event, time (to the microsecond; the message to
    the millisecond), type, severity, state and count in a row, and the later error's event."""
    h = History()
    h.record("attach", time=0.0, data={"state": "uninitialized", "clock": "virtual", "config": {},
                                       "components": {"system": "uninitialized"}})
    for t in (1.23456789, 2.5):
        h.record("error", time=t, value="error",
                 data={"error": _err(), "severity": "ERROR", "component": "pipeline",
                       "consecutive_callback_errors": AT, "requires_recovery": True,
                       "state": "paused", "recovering": False})
    v = check_policy_followed(h)
    why = "no recovery started for an error the recovery policy restarts for, routed while paused with no recovery running"
    assert v.evidence == [{
        "why": why, "time": 1.234568, "index": 2, "error_index": 1, "type": "CallbackError",
        "severity": "ERROR", "state": "paused", "consecutive_callback_errors": AT,
        "message": f"error event #1 at t=1.235 s, CallbackError at ERROR, {AT} callback error(s) in a row: "
                   f"{why} (the next such error, #2, came first)"}]
    assert v.message == "1 restart(s) the recovery policy called for that never started"


def test_a_missed_restart_of_an_error_without_a_count_says_none() -> None:
    lost = _err("DeviceLostError", "gone")
    v = check_policy_followed(_history([("error", lost, None, "running", False),
                                        ("error", lost, None, "running", False)]))
    (told,) = v.evidence
    assert told["consecutive_callback_errors"] is None
    assert told["message"].startswith("error event #1 at t=1.000 s, DeviceLostError at ERROR: no recovery started"), told


def test_every_missed_restart_is_counted_each_against_the_next() -> None:
    """Three owed in a row, none started: the first two are missed (each by the next); the third
    is still owed as the history ends, not judged."""
    v = check_policy_followed(_history([("error", _err(), AT + k, "running", False) for k in range(3)]))
    assert v.message == "2 restart(s) the recovery policy called for that never started", v
    assert [(e["error_index"], e["index"]) for e in v.evidence] == [(1, 2), (2, 3)]


def test_a_wrong_restart_and_a_missed_one_are_both_said() -> None:
    """A recovery for an error the policy leaves alone (an xrun at WARNING, its reporter asking
    for none) beside a restart that never came: the message names both, the wrong one first."""
    xrun = {**_err("XrunError", "late"), "severity": "WARNING"}
    h = _history([("error", _err(), AT, "running", False), ("error", _err(), AT, "running", False)])
    h.record("error", time=3.0, value="error",
             data={"error": xrun, "severity": "WARNING", "component": "pipeline", "requires_recovery": True,
                   "state": "running", "recovering": False})
    h.record("event", time=4.0, value="recovery_started",
             data={"cause": "XrunError: late", "error": xrun, "target": "running"})
    v = check_policy_followed(h)
    assert v.message == ("1 recovery(ies) started for an error the recovery policy does not restart for; "
                         "1 restart(s) the recovery policy called for that never started"), v
    assert [e.get("error_index") for e in v.evidence] == [1, 3]


@pytest.mark.parametrize("kind", ["BufferPoolExhaustedError", "ResourceLimitError"])
def test_an_exhausted_pool_at_critical_owes_its_restart(kind: str) -> None:
    """At CRITICAL the policy restarts for any recoverable error, whatever the configuration
    says of an exhausted pool: that restart is owed like any other."""
    dry = {**_err(kind, "dry"), "severity": "CRITICAL"}
    v = check_policy_followed(_routed_twice(dry, "CRITICAL", degrade=True))
    assert v.message == "1 restart(s) the recovery policy called for that never started", v
    assert v.evidence[0]["severity"] == "CRITICAL"


def test_with_nothing_judged_every_aside_is_said_in_order() -> None:
    """A restart still owed as the history ends and a recovery for an error never routed: nothing
    judged, each said apart, in the documented order, under the invariant's own name."""
    v = check_policy_followed(_history([("error", _err(), AT, "running", False),
                                        ("restart", _err("DeviceLostError", "never routed"))]))
    assert (v.name, v.ok) == ("policy_followed", True), v
    assert v.message == ("no recovery started for a routed error: nothing to judge; 1 matched to no routed "
                         "error, not judged; 1 restart still owed as the history ends, not judged"), v


def _routed_twice(err: dict[str, Any], severity: str, degrade: bool) -> History:
    """``err`` routed twice at ``severity`` while running with no recovery, no restart between,
    under a configuration whose ``degrade_on_exhaustion`` is ``degrade``."""
    h = History()
    h.record("attach", time=0.0, data={"state": "uninitialized", "clock": "virtual",
                                       "config": {"recovery": {"degrade_on_exhaustion": degrade}},
                                       "components": {"system": "uninitialized"}})
    for t in (1.0, 2.0):
        h.record("error", time=t, value="error",
                 data={"error": err, "severity": severity, "component": "pipeline", "requires_recovery": True,
                       "state": "running", "recovering": False})
    return h


@pytest.mark.parametrize("kind", ["BufferPoolExhaustedError", "ResourceLimitError"])
def test_an_exhausted_pool_below_critical_owes_nothing_even_where_the_configuration_says_restart(kind: str) -> None:
    """The configuration in force when the error was routed is not known from the history (its
    moment of taking over is not recorded), so no restart is owed on its word."""
    v = check_policy_followed(_routed_twice(_err(kind, "dry"), "ERROR", degrade=False))
    assert v.ok and v.message == "no recovery started for a routed error: nothing to judge", v


def test_an_error_of_a_class_the_system_does_not_define_owes_nothing() -> None:
    v = check_policy_followed(_routed_twice(_err("SomeoneElsesError", "?"), "ERROR", degrade=True))
    assert v.ok and v.message == "no recovery started for a routed error: nothing to judge", v


def test_the_missed_restarts_evidence_is_bounded_and_their_count_is_not() -> None:
    from harness.invariants import _MAX_EVIDENCE
    v = check_policy_followed(_history([("error", _err(), AT, "running", False)] * (_MAX_EVIDENCE + 2)))
    assert len(v.evidence) == _MAX_EVIDENCE
    assert v.message == f"{_MAX_EVIDENCE + 1} restart(s) the recovery policy called for that never started", v
