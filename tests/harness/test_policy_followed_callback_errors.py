"""``policy_followed`` on callback errors below CRITICAL and on errors their reporter handled.

The policy restarts the stream for a callback error below CRITICAL only once
``callback_error_threshold`` (3) came in a row, and routes no error whose reporter handled it
(``requires_recovery`` false). The system's ``error`` event carries both
(``consecutive_callback_errors``: the count the policy was given; ``requires_recovery``), so the
invariant judges them: crafted histories with known answers, the table against
``RecoveryPolicy.decide``, the shipped system's plain runs, and a policy that counts one callback
error too many (a threshold of 2 in effect) failing them. Virtual clock, fixed seeds: deterministic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from plain_runs import plain_run_verdict
from harness.history import History
from harness.invariants import CALLBACK_ERRORS_IN_A_ROW, check_policy_followed
from system_under_test.config import RecoveryConfig
from system_under_test.errors import CallbackError, ErrorInfo, Severity
from system_under_test.recovery import RecoveryAction, RecoveryPolicy


def _err(kind: str = "CallbackError", message: str = "callback raised") -> dict[str, Any]:
    return {"type": kind, "message": message, "component": "pipeline", "severity": "ERROR",
            "recoverable": True, "details": {}}


def _history(steps: list[tuple[Any, ...]]) -> History:
    """("error", err, consecutive, requires) an error event at ERROR carrying the count and
    ``requires_recovery`` (None: the field left out); ("restart", err) its recovery_started."""
    h = History()
    h.record("attach", time=0.0, data={"state": "uninitialized", "clock": "virtual",
                                       "config": {"recovery": {"degrade_on_exhaustion": True}},
                                       "components": {"system": "uninitialized"}})
    for t, step in enumerate(steps, start=1):
        if step[0] == "error":
            data = {"error": step[1], "severity": "ERROR", "component": "pipeline",
                    "consecutive_callback_errors": step[2]}
            if step[3] is not None:
                data["requires_recovery"] = step[3]
            h.record("error", time=float(t), value="error", data=data)
        else:
            err = step[1]
            h.record("event", time=float(t), value="recovery_started",
                     data={"cause": f"{err['type']}: {err['message']}", "error": err, "target": "running"})
    return h


@pytest.mark.parametrize("in_a_row", [0, 1, 2])
def test_a_restart_for_fewer_callback_errors_in_a_row_than_the_threshold_is_a_violation(in_a_row: int) -> None:
    v = check_policy_followed(_history([("error", _err(), in_a_row, True), ("restart", _err())]))
    assert not v.ok, v
    assert v.evidence[0]["consecutive_callback_errors"] == in_a_row, v.evidence
    assert f"{in_a_row} callback error(s) in a row" in v.evidence[0]["message"], v.evidence


@pytest.mark.parametrize("in_a_row", [3, 4, 9])
def test_a_restart_at_or_past_the_threshold_holds_and_is_judged(in_a_row: int) -> None:
    v = check_policy_followed(_history([("error", _err(), in_a_row, True), ("restart", _err())]))
    assert v.ok and v.message == "1 recovery(ies), each for an error the policy restarts for", v


def test_an_equal_error_at_the_threshold_still_unmatched_excuses_the_restart() -> None:
    """On a real clock another thread's equal error may come between an error event and its
    recovery: a restart any unmatched equal event could have started is the policy's."""
    v = check_policy_followed(_history([("error", _err(), 3, True), ("error", _err(), 1, True),
                                        ("restart", _err())]))
    assert v.ok and v.message.startswith("1 recovery(ies), each"), v
    # that event is spent by the match: a second restart below the threshold is not excused
    v = check_policy_followed(_history([("error", _err(), 3, True), ("error", _err(), 1, True),
                                        ("restart", _err()), ("restart", _err())]))
    assert not v.ok and [e["error_index"] for e in v.evidence] == [2], v


def test_a_restart_for_an_error_its_reporter_handled_is_a_violation() -> None:
    lost = _err("DeviceLostError", "gone")
    v = check_policy_followed(_history([("error", lost, 0, False), ("restart", lost)]))
    assert not v.ok and v.evidence[0]["requires_recovery"] is False, v
    assert "requires_recovery false" in v.evidence[0]["message"], v.evidence


def test_a_handled_event_is_no_match_when_an_equal_routed_one_is_there() -> None:
    """The routed event at the threshold is the match, not the newer handled one below it. (A
    callback error whose event lacks the count stays unjudged: ``test_policy_followed.py``.)"""
    v = check_policy_followed(_history([("error", _err(), 3, True), ("error", _err(), 0, False),
                                        ("restart", _err())]))
    assert v.ok and v.message == "1 recovery(ies), each for an error the policy restarts for", v


def test_the_threshold_is_the_policy_s_and_the_table_agrees_with_decide() -> None:
    policy = RecoveryPolicy(RecoveryConfig())
    assert policy.callback_error_threshold == CALLBACK_ERRORS_IN_A_ROW
    info = ErrorInfo.of(CallbackError("callback raised"), component="pipeline")
    for in_a_row in range(6):
        restarts = policy.decide(info, consecutive_callback_errors=in_a_row,
                                 severity=Severity.ERROR) == RecoveryAction.RESTART
        err = dict(info.describe())
        v = check_policy_followed(_history([("error", err, in_a_row, True), ("restart", err)]))
        assert v.ok is restarts, (in_a_row, v)


# -- plain runs ----------------------------------------------------------------------------------

def _counts_one_too_many(monkeypatch: pytest.MonkeyPatch) -> None:
    """A policy handed one callback error more than came in a row (a threshold of 2 in effect)."""
    decide = RecoveryPolicy.decide

    def off_by_one(self: RecoveryPolicy, error: Any, *, consecutive_callback_errors: int = 0,
                   severity: Severity | None = None) -> RecoveryAction:
        return decide(self, error, consecutive_callback_errors=consecutive_callback_errors + 1, severity=severity)

    monkeypatch.setattr(RecoveryPolicy, "decide", off_by_one)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_shipped_system_s_callback_error_restarts_are_judged_and_hold(tmp_path: Path, seed: int) -> None:
    result, v = plain_run_verdict(tmp_path, seed, "policy_followed")
    assert v.ok and "each for an error the policy restarts for" in v.message, v
    assert "not judged" not in v.message, v
    assert result.verdict.outcome.value == "pass", result.verdict.reasons


@pytest.mark.parametrize("seed", [1, 2])
def test_a_policy_restarting_one_callback_error_early_fails_the_run(tmp_path: Path, seed: int,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _counts_one_too_many(monkeypatch)
    result, v = plain_run_verdict(tmp_path, seed, "policy_followed")
    assert not v.ok and {e["type"] for e in v.evidence} == {"CallbackError"}, v
    assert {e["consecutive_callback_errors"] for e in v.evidence} == {2}, v.evidence
    assert result.verdict.violated == ["policy_followed"], result.verdict.reasons
