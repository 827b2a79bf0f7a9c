"""The ``give_ups_announced`` invariant: a recovery that gives up (the system RECOVERING -> FAILED,
``recovery failed: ...``) is announced by a ``recovery_failed`` event, and no such event is recorded
without one. Small histories of each shape (held, violated each way, a cancelled recovery that owes
nothing, and the two shapes it cannot judge), then the shipped system and the ``silent_give_up``
mutant giving up for real on the simulated device and its virtual clock."""

from __future__ import annotations

from typing import Any

from harness.history import History
from harness.invariants import NAMES, Verdict, check_all, check_give_ups_announced
from harness.mutants import make_system

GIVE_UP = "recovery failed: deadline of 2.000 s passed"


def _history() -> History:
    h = History()
    h.record("attach", data={"state": "running", "configured": True, "pending": False,
                             "components": {"system": "running"}})
    return h


def _tr(h: History, seq: int, a: str, b: str, t: float, cause: str | None = "test") -> None:
    data: dict[str, Any] = {"seq": seq, "time": t, "component": "system", "from_state": a, "to_state": b}
    if cause is not None:
        data["cause"] = cause
    h.record("transition", time=t, data=data)


def _event(h: History, kind: str, t: float, **data: Any) -> None:
    h.record("event", time=t, value=kind, data=data)


def _recovery_that_gives_up(h: History, *, announce: bool, t: float = 1.0, seq: int = 1) -> None:
    _tr(h, seq, "running", "recovering", t, "DeviceStalledError: stalled")
    _event(h, "recovery_started", t, cause="DeviceStalledError: stalled", target="running")
    _tr(h, seq + 1, "recovering", "failed", t + 2.0, GIVE_UP)
    if announce:
        _event(h, "recovery_failed", t + 2.0, reason="deadline of 2.000 s passed", attempts=3)


def _judge(h: History) -> Verdict:
    v = check_give_ups_announced(h)
    assert [x for x in check_all(h, only=["give_ups_announced"])][0].to_dict() == v.to_dict()
    return v


def test_it_is_registered() -> None:
    assert "give_ups_announced" in NAMES


def test_a_give_up_announced_by_its_event_holds() -> None:
    h = _history()
    _recovery_that_gives_up(h, announce=True)
    v = _judge(h)
    assert v.ok and not v.inconclusive, v
    assert v.message.startswith("1 give-up(s)")


def test_a_give_up_without_its_event_is_violated() -> None:
    h = _history()
    _recovery_that_gives_up(h, announce=True, t=1.0, seq=1)
    _tr(h, 3, "failed", "recovering", 4.0, "recover()")
    _recovery_that_gives_up(h, announce=False, t=5.0, seq=4)
    v = _judge(h)
    assert not v.ok, v
    assert [(e["why"], e["time"]) for e in v.evidence] == [("gave up without recovery_failed", 7.0)]


def test_an_announcement_without_a_give_up_is_violated() -> None:
    h = _history()
    _tr(h, 1, "running", "recovering", 1.0, "DeviceStalledError: stalled")
    _event(h, "recovery_started", 1.0, cause="DeviceStalledError: stalled", target="running")
    _tr(h, 2, "recovering", "running", 1.5, "recovered")
    _event(h, "recovery_failed", 1.5, reason="deadline of 2.000 s passed", attempts=1)
    v = _judge(h)
    assert not v.ok, v
    assert [(e["why"], e["time"]) for e in v.evidence] == [("recovery_failed announced without a give-up", 1.5)]


def test_a_recovery_cancelled_by_a_failure_owes_no_announcement() -> None:
    h = _history()
    _tr(h, 1, "running", "recovering", 1.0, "DeviceStalledError: stalled")
    _event(h, "recovery_started", 1.0, cause="DeviceStalledError: stalled", target="running")
    _tr(h, 2, "recovering", "failed", 1.2, "simulate_error")
    v = _judge(h)
    assert v.ok and not v.inconclusive, v
    assert "nothing to judge" in v.message


def test_a_transition_recorded_after_its_event_is_still_paired_by_its_time() -> None:
    """An observer records a transition outside the coordinator's lock, so on a real clock the
    announcement may be recorded first: the pair is the transition's time, not its place."""
    h = _history()
    _tr(h, 1, "running", "recovering", 1.0, "DeviceStalledError: stalled")
    _event(h, "recovery_started", 1.0, cause="DeviceStalledError: stalled", target="running")
    _event(h, "recovery_failed", 3.0001, reason="deadline of 2.000 s passed", attempts=3)
    _tr(h, 2, "recovering", "failed", 3.0, GIVE_UP)
    v = _judge(h)
    assert v.ok and not v.inconclusive, v


def test_a_system_that_records_no_recovery_event_is_inconclusive_never_held() -> None:
    h = _history()
    _tr(h, 1, "running", "recovering", 1.0, "stream broke")
    _tr(h, 2, "recovering", "failed", 3.0, GIVE_UP)
    v = _judge(h)
    assert v.ok and v.inconclusive, v
    assert v.reason == "no recovery events recorded"


def test_a_give_up_shaped_transition_without_a_cause_is_inconclusive_never_held() -> None:
    h = _history()
    _tr(h, 1, "running", "recovering", 1.0, None)
    _event(h, "recovery_started", 1.0, target="running")
    _tr(h, 2, "recovering", "failed", 3.0, None)
    v = _judge(h)
    assert v.ok and v.inconclusive, v
    assert v.reason == "transitions without a cause"


def _give_up_for_real(mutant: str | None) -> Verdict:
    """The simulated system's input device removed while it runs: its own recovery makes its two
    attempts and gives up. Judged on the history the system recorded itself."""
    system = make_system(mutant, {"recovery": {"initial_backoff_ms": 10, "max_attempts": 2}}, seed=3)
    h = History().attach(system)
    try:
        system.initialize()
        system.start()
        system.run_for(0.05)
        system.backend.remove_device("sim-in")
        system.run_for(1.0)
        assert system.state.value == "failed"
    finally:
        system.close()
        h.detach()
    return check_give_ups_announced(h)


def test_the_shipped_system_announces_its_give_up() -> None:
    v = _give_up_for_real(None)
    assert v.ok and not v.inconclusive and v.message.startswith("1 give-up(s)"), v


def test_the_silent_give_up_mutant_is_caught() -> None:
    v = _give_up_for_real("silent_give_up")
    assert not v.ok and [e["why"] for e in v.evidence] == ["gave up without recovery_failed"], v
