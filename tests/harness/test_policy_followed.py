"""The ``policy_followed`` invariant: a recovery started for a routed error is one the recovery
policy restarts for.

Crafted histories with known answers first (each row of ``RecoveryPolicy``'s table that never
restarts, the rows that do, the ones the history cannot decide, and recoveries matched to no error),
then plain default runs of the shipped system and of blind batch 60's
``recovery_kind_of_the_info_itself`` (``decide`` judging an ``ErrorInfo`` as its own class, so every
recoverable error restarts), planted by hiding ``ErrorInfo`` from the policy's ``isinstance``.
Virtual clock, fixed seeds: deterministic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from plain_runs import plain_run_verdict
from harness.history import History
from harness.invariants import NAMES, LiveChecker, check_all, check_policy_followed
from system_under_test import AudioSystem
from system_under_test.errors import ErrorInfo, Severity, XrunError
from system_under_test.recovery import RecoveryAction, RecoveryPolicy

DEGRADING = {"recovery": {"degrade_on_exhaustion": True}}
RESTARTING = {"recovery": {"degrade_on_exhaustion": False}}


def _err(kind: str, severity: str = "WARNING", recoverable: bool = True, message: str = "it broke") -> dict[str, Any]:
    return {"type": kind, "message": message, "component": "dsp", "severity": severity,
            "recoverable": recoverable, "details": {}}


def _history(steps: list[tuple[Any, ...]], config: dict[str, Any] | None = DEGRADING) -> History:
    """("error", err, severity) an error event; ("restart", err) a recovery_started for ``err``
    with its ``"{type}: {message}"`` cause; ("restart", err, cause) with another cause;
    ("cfg", config) a configuration applied."""
    h = History()
    h.record("attach", time=0.0, data={"state": "uninitialized", "clock": "virtual", "config": config,
                                       "components": {"system": "uninitialized"}})
    for t, step in enumerate(steps, start=1):
        if step[0] == "error":
            h.record("error", time=float(t), value="error",
                     data={"error": step[1], "severity": step[2], "component": step[1]["component"]})
        elif step[0] == "cfg":
            h.record("event", time=float(t), value="config_applied", data={"config": step[1]})
        else:
            err = step[1]
            cause = step[2] if len(step) > 2 else f"{err['type']}: {err['message']}"
            h.record("event", time=float(t), value="recovery_started",
                     data={"cause": cause, "error": err, "target": "running"})
    return h


def _routed(err: dict[str, Any], severity: str | None = None) -> list[tuple[Any, ...]]:
    return [("error", err, severity or err["severity"]), ("restart", err)]


def test_the_invariant_is_registered_and_check_all_gives_its_verdict() -> None:
    h = _history(_routed(_err("XrunError")))
    assert "policy_followed" in NAMES
    assert check_all(h, only=["policy_followed"])[0].to_dict() == check_policy_followed(h).to_dict()


@pytest.mark.parametrize("err, severity, config", [
    (_err("XrunError"), None, DEGRADING),
    (_err("XrunError", "ERROR"), None, DEGRADING),
    (_err("BufferPoolExhaustedError"), None, DEGRADING),
    (_err("ResourceLimitError", "ERROR"), None, DEGRADING),
    (_err("ConfigValidationError", "CRITICAL"), None, DEGRADING),
    (_err("IllegalTransitionError", "ERROR"), None, DEGRADING),
    (_err("DeviceLostError", "INFO"), None, DEGRADING),  # a note
    (_err("DeviceLostError", "FATAL"), None, DEGRADING),  # the system fails instead
    (_err("DeviceLostError", "ERROR", recoverable=False), None, DEGRADING),
    (_err("DeviceLostError", "CRITICAL"), "INFO", DEGRADING),  # the record's severity is the one read
])
def test_a_restart_the_policy_never_makes_is_a_violation(err: dict[str, Any], severity: str | None,
                                                          config: dict[str, Any]) -> None:
    v = check_policy_followed(_history(_routed(err, severity), config))
    assert not v.ok and len(v.evidence) == 1, v
    assert v.evidence[0]["type"] == err["type"] and v.evidence[0]["error_index"] == 1


@pytest.mark.parametrize("err, severity, config", [
    (_err("XrunError", "CRITICAL"), None, DEGRADING),
    (_err("XrunError"), "CRITICAL", DEGRADING),  # raised by its reporter
    (_err("BufferPoolExhaustedError", "CRITICAL"), None, DEGRADING),
    (_err("BufferPoolExhaustedError"), None, RESTARTING),  # the configuration says restart
    (_err("ResourceLimitError"), None, RESTARTING),
    (_err("CallbackError", "CRITICAL"), None, DEGRADING),
    (_err("DeviceStalledError", "CRITICAL"), None, DEGRADING),
    (_err("DeviceNotFoundError", "ERROR"), None, DEGRADING),
    (_err("SimulatedError", "WARNING"), None, DEGRADING),
])
def test_a_restart_the_policy_makes_holds(err: dict[str, Any], severity: str | None, config: dict[str, Any]) -> None:
    v = check_policy_followed(_history(_routed(err, severity), config))
    assert v.ok and v.message.startswith("1 recovery(ies), each for an error the policy restarts for"), v


@pytest.mark.parametrize("steps, config, why", [
    # below CRITICAL a callback error restarts after a run of them the history does not record
    (_routed(_err("CallbackError", "ERROR")), DEGRADING, "for an error the history cannot decide"),
    # no configuration known: whether exhaustion degrades is not known
    (_routed(_err("BufferPoolExhaustedError")), None, "for an error the history cannot decide"),
    # a class the system does not define
    (_routed(_err("SomeoneElsesError")), DEGRADING, "for an error the history cannot decide"),
    # no error event before it, another cause, no error described, another error's content
    ([("restart", _err("XrunError"))], DEGRADING, "matched to no routed error"),
    ([("error", _err("XrunError"), "WARNING"), ("restart", _err("XrunError"), "reconfigure failed")], DEGRADING,
     "matched to no routed error"),
    ([("error", _err("XrunError"), "WARNING"), ("restart", _err("XrunError", message="other"))], DEGRADING,
     "matched to no routed error"),
    # two events of one error at different recorded severities: which one was routed is not known
    ([("error", _err("XrunError"), "WARNING"), ("error", _err("XrunError"), "CRITICAL"),
      ("restart", _err("XrunError"))], DEGRADING, "matched to no routed error"),
])
def test_what_the_history_cannot_decide_is_not_judged(steps: list[tuple[Any, ...]], config: dict[str, Any] | None,
                                                      why: str) -> None:
    v = check_policy_followed(_history(steps, config))
    assert v.ok and f"1 {why}" in v.message and v.message.startswith("no recovery started for a routed error: nothing to judge"), v


def test_a_configuration_that_once_restarted_on_exhaustion_is_not_trusted_to_have_gone() -> None:
    """The moment a later configuration takes over is not recorded exactly: a restart for an
    exhausted pool after one that said restart is the policy's, not a violation."""
    steps = [("cfg", RESTARTING), ("cfg", DEGRADING), *_routed(_err("BufferPoolExhaustedError"))]
    assert check_policy_followed(_history(steps, None)).ok
    assert not check_policy_followed(_history(steps[1:], None)).ok


def test_each_error_event_matches_one_recovery() -> None:
    """An xrun escalated to CRITICAL restarts; the same xrun seen again at WARNING does not, and
    its recovery is not excused by the earlier event's match."""
    x = _err("XrunError")
    v = check_policy_followed(_history([("error", x, "CRITICAL"), ("restart", x),
                                        ("cfg", DEGRADING), ("error", x, "WARNING"), ("restart", x)]))
    assert not v.ok and [e["error_index"] for e in v.evidence] == [4], v


def test_the_table_agrees_with_the_policy() -> None:
    """The invariant's reading of the table and ``RecoveryPolicy.decide`` on the same errors:
    an xrun below and at CRITICAL."""
    from system_under_test.config import RecoveryConfig

    policy = RecoveryPolicy(RecoveryConfig())
    info = ErrorInfo.of(XrunError("late"), component="device")
    for sev, restarts in ((Severity.WARNING, False), (Severity.CRITICAL, True)):
        assert (policy.decide(info, severity=sev) == RecoveryAction.RESTART) is restarts
        err = dict(info.describe())
        assert check_policy_followed(_history(_routed(err, sev.name))).ok is restarts


def test_the_live_checker_flags_the_step_of_the_bad_restart() -> None:
    system = AudioSystem(seed=1)
    try:
        x = _err("XrunError")
        h = _history(_routed(_err("DeviceLostError", "CRITICAL")))
        checker = LiveChecker(system, h, linearizable=False)
        assert [v.ok for v in checker.check() if v.name == "policy_followed"] == [True]
        h.record("error", time=9.0, value="error", data={"error": x, "severity": "WARNING", "component": "dsp"})
        h.record("event", time=9.0, value="recovery_started",
                 data={"cause": "XrunError: it broke", "error": x, "target": "running"})
        (v,) = [v for v in checker.check() if v.name == "policy_followed"]
        assert not v.ok and v.evidence[0]["time"] == 9.0
        checker.close()
    finally:
        system.close()


# -- plain runs ----------------------------------------------------------------------------------

def _info_judged_as_its_own_class(monkeypatch: pytest.MonkeyPatch) -> None:
    """``recovery_kind_of_the_info_itself``: the policy's ``isinstance(error, ErrorInfo)`` never
    holds, so ``decide`` takes ``type(error)`` (``ErrorInfo``), none of the routed classes."""
    monkeypatch.setattr("system_under_test.recovery.ErrorInfo", type("NotTheErrorInfo", (), {}))


def _run(tmp_path: Path, seed: int) -> Any:
    return plain_run_verdict(tmp_path, seed, "policy_followed")


@pytest.mark.parametrize("seed", [1, 2])
def test_the_shipped_system_follows_its_policy(tmp_path: Path, seed: int) -> None:
    result, v = _run(tmp_path, seed)
    assert v.ok and "each for an error the policy restarts for" in v.message, v
    assert "matched to no routed error" not in v.message, v
    assert result.verdict.outcome.value == "pass", result.verdict.reasons


@pytest.mark.parametrize("seed", [1, 2])
def test_every_recoverable_error_restarting_fails_the_run(tmp_path: Path, seed: int,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _info_judged_as_its_own_class(monkeypatch)
    result, v = _run(tmp_path, seed)
    assert not v.ok and {e["type"] for e in v.evidence} >= {"BufferPoolExhaustedError"}, v
    assert result.verdict.violated == ["policy_followed"], result.verdict.reasons


def test_every_count_is_said_exactly() -> None:
    """Two recoveries judged, four matched to nothing (two to no error event, then two with another
    cause) and two the history cannot decide: each count as many as there were."""
    lost, cb = _err("DeviceLostError", "ERROR"), _err("CallbackError", "ERROR")
    steps = [*_routed(lost), *_routed(lost),
             ("restart", _err("XrunError", message="never routed")), ("restart", _err("XrunError", message="nor this")),
             ("error", _err("XrunError"), "WARNING"), ("restart", _err("XrunError"), "reconfigure failed"),
             ("restart", _err("XrunError"), "reconfigure failed"),
             *_routed(cb), *_routed(cb)]
    v = check_policy_followed(_history(steps))
    assert v.ok and v.message == ("2 recovery(ies), each for an error the policy restarts for; 4 matched to no "
                                  "routed error, not judged; 2 for an error the history cannot decide, not judged"), v


def _handled_history(requires: bool) -> History:
    """An xrun at WARNING told with ``requires_recovery`` ``requires``, then a recovery for it."""
    h = _history([], DEGRADING)
    x = _err("XrunError")
    h.record("error", time=1.0, value="error",
             data={"error": x, "severity": "WARNING", "component": "dsp", "requires_recovery": requires})
    h.record("event", time=2.0, value="recovery_started",
             data={"cause": "XrunError: it broke", "error": x, "target": "running"})
    return h


@pytest.mark.parametrize("requires, why", [
    (False, "a recovery started for an error its reporter handled (requires_recovery false), which is never routed"),
    (True, "a recovery started for an error the recovery policy does not restart for"),
])
def test_a_wrong_recovery_is_told_with_why(requires: bool, why: str) -> None:
    v = check_policy_followed(_handled_history(requires))
    assert v.evidence == [{
        "why": why, "time": 2.0, "index": 2, "error_index": 1, "type": "XrunError", "severity": "WARNING",
        "requires_recovery": requires, "consecutive_callback_errors": None, "cause": "XrunError: it broke",
        "message": f"recovery_started at t=2.000 s for XrunError at WARNING (error event #1): {why}"}]
    assert v.message == "1 recovery(ies) started for an error the recovery policy does not restart for", v


def test_an_error_pushed_out_of_the_window_matches_no_recovery() -> None:
    """The judge looks for a recovery's error among the last ``POLICY_MATCH_WINDOW`` error events
    only: one told before as many others is not found."""
    from harness.invariants import POLICY_MATCH_WINDOW
    lost = _err("DeviceLostError", "ERROR")
    others = [("error", _err("XrunError", message=f"late {i}"), "WARNING") for i in range(POLICY_MATCH_WINDOW)]
    v = check_policy_followed(_history([("error", lost, "ERROR"), *others, ("restart", lost)]))
    assert v.message == "no recovery started for a routed error: nothing to judge; 1 matched to no routed error, not judged", v
    v = check_policy_followed(_history([("error", lost, "ERROR"), *others[1:], ("restart", lost)]))
    assert v.message == "1 recovery(ies), each for an error the policy restarts for", v
