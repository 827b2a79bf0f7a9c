"""No timer a system armed outlives what armed it: a recovery that ends leaves none of its
attempts armed, a closed system leaves none of its own on the clock.

A timer left armed fires later and does nothing (the attempt checks the run, the supervisor checks
CLOSED), so no history shows it; until then it holds the cancelled run, or the closed system. The
``timers_let_go`` invariant asks the clock at the system's own transitions (``harness.timer_watch``,
kept by the attached history) and on the closed system's clock at the end. Plain default runs of
the shipped system and of the catalogued ``recovery_cancel_leaves_timer_armed``; then each way a
recovery waiting in its back-off can end, the shipped way and with that bug; a supervisor left
armed at close; a timer armed after close; what is not judged. Virtual clock, fixed seeds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from plain_runs import plain_run_verdict
from harness.history import History, run_op
from harness.invariants import NAMES, check_all, check_timers_let_go
from system_under_test import AudioSystem, State
from system_under_test.clock import SystemClock, VirtualClock
from system_under_test.devices.simulated import SimulatedBackend
from system_under_test.errors import SimulatedError
from system_under_test.recoverer import Recoverer

NAME = "timers_let_go"
#: the recovery's attempt and the supervisor's pass, as the evidence names their callbacks
ATTEMPT = "Recoverer._schedule_attempt.<locals>.<lambda>"
SUPERVISOR = "AudioSystem._supervise"


@pytest.fixture(autouse=True)
def _history_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))


def _cancel_leaving_the_timer_armed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalogued bug ``recovery_cancel_leaves_timer_armed``: ``Recoverer.cancel`` drops the
    run and its timer reference, and leaves the timer in the clock's queue."""

    def cancel(self: Recoverer) -> None:
        run, self.run = self.run, None
        if run is not None and run.timer is not None:
            run.timer = None

    monkeypatch.setattr(Recoverer, "cancel", cancel)


def _waiting_recovery() -> tuple[AudioSystem, History]:
    """A watched system whose recovery's first attempt failed, its next due 500 ms later."""
    system = AudioSystem({"recovery": {"initial_backoff_ms": 500, "deadline_ms": 5000}}, seed=3)
    history = History().attach(system)
    run_op(history, system, "initialize")
    run_op(history, system, "start")
    system.run_for(0.05)
    system.backend.remove_device("sim-in", report=True)
    system.run_for(0.08)
    run = system._recoverer.run
    assert system.state == State.RECOVERING and run is not None and run.attempts == 1
    assert run.timer is not None and run.timer.when > system.clock.now()
    return system, history


def _end_the_recovery(system: AudioSystem, way: str) -> None:
    if way == "simulate_error":
        with pytest.raises(SimulatedError):
            system.simulate_error()
    elif way == "recover":
        assert system.recover() is False  # the input device is gone: FAILED, the run's timer cancelled first
    else:
        getattr(system, way)()


WAYS = ("stop", "close", "recover", "simulate_error")


def test_the_invariant_is_registered() -> None:
    assert NAME in NAMES


def test_the_shipped_system_lets_go_of_its_timers_in_a_plain_run(tmp_path: Path) -> None:
    result, v = plain_run_verdict(tmp_path, 1, NAME)
    assert v.ok and not v.evidence, v
    assert "1 close(s) with no timer of the system armed" in v.message, v
    assert v.message.endswith("none armed on the closed system's clock at the end"), v
    assert result.summary["outcome"] == "pass", result.summary["violations"]


def test_a_cancel_that_leaves_its_timer_armed_fails_a_plain_run(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Seed 1's operator storm calls ``simulate_error`` while a recovery waits 0.152 s for its
    next attempt (t = 23.633 s); this run closes long after that back-off, so only the watch
    at the transitions sees it."""
    _cancel_leaving_the_timer_armed(monkeypatch)
    result, v = plain_run_verdict(tmp_path, 1, NAME)
    assert not v.ok
    assert [x.name for x in result.verdicts if not x.ok] == [NAME]
    first = v.evidence[0]
    assert (first["transition"], first["cause"]) == ("recovering -> failed", "simulate_error")
    assert [t["callback"] for t in first["timers"]] == [ATTEMPT]
    assert first["timers"][0]["in_s"] == pytest.approx(0.152, abs=0.001)
    assert all(e.get("at") != "end" for e in v.evidence)  # nothing left by the run's end


@pytest.mark.parametrize("way", WAYS)
def test_every_way_a_waiting_recovery_ends_leaves_none_of_its_timers(way: str) -> None:
    system, history = _waiting_recovery()
    _end_the_recovery(system, way)
    assert system._recoverer.run is None
    system.close()
    v = check_timers_let_go(history, system)
    assert v.ok and not v.evidence, v
    watch = history.timer_watch
    assert watch is not None and watch.left_recovering >= 1 and watch.closed == 1
    assert not v.message.startswith("not judged"), v


@pytest.mark.parametrize("way", WAYS)
def test_every_way_a_waiting_recovery_ends_is_judged_with_its_timer_left_armed(
        way: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _cancel_leaving_the_timer_armed(monkeypatch)
    system, history = _waiting_recovery()
    due = system._recoverer.run.timer.when
    _end_the_recovery(system, way)
    system.close()
    v = check_timers_let_go(history, system)
    assert not v.ok
    left = [e for e in v.evidence if e.get("transition", "").startswith("recovering -> ")]
    assert left, v.evidence
    assert [t["callback"] for t in left[0]["timers"]] == [ATTEMPT]
    assert left[0]["timers"][0]["due"] == pytest.approx(due)
    # the closed system's clock still holds it at the end: judged there too
    assert [t["callback"] for t in v.evidence[-1]["timers"]] == [ATTEMPT] and v.evidence[-1]["at"] == "end"


def test_a_close_that_leaves_its_supervisor_armed_is_a_violation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(AudioSystem, "_cancel_supervisor", lambda self: None)
    system = AudioSystem({}, seed=5)
    history = History().attach(system)
    system.initialize()
    system.start()
    system.run_for(0.2)
    system.close()  # its stop's teardown wakes the supervisor: a pass armed, never cancelled
    v = check_timers_let_go(history, system)
    assert not v.ok
    closing = [e for e in v.evidence if e.get("transition", "").endswith("-> closed")]
    assert [[t["callback"] for t in e["timers"]] for e in closing] == [[SUPERVISOR]]
    assert v.evidence[-1]["at"] == "end"


def test_a_timer_the_closed_system_arms_after_its_close_is_found_at_the_end() -> None:
    system = AudioSystem({}, seed=5)
    history = History().attach(system)
    system.initialize()
    system.start()
    system.run_for(0.2)
    system.close()
    assert check_timers_let_go(history, system).ok
    system._scheduler.call_later(0.25, system._supervise_cb)
    v = check_timers_let_go(history, system)
    assert not v.ok
    assert [(e["at"], [t["callback"] for t in e["timers"]]) for e in v.evidence] == [("end", [SUPERVISOR])]
    assert v.evidence[0]["timers"][0]["in_s"] == pytest.approx(0.25)


def test_others_timers_on_the_closed_systems_clock_are_not_the_systems() -> None:
    """The harness's and the device's timers share the clock: only the system's own are judged."""
    system = AudioSystem({}, seed=5)
    history = History().attach(system, metrics_every_s=1.0)  # the history's snapshot timer
    system.initialize()
    system.start()
    system.run_for(0.2)
    system.close()
    system.clock.call_later(0.5, lambda: None)
    assert system.clock.pending() >= 2
    v = check_timers_let_go(history, system)
    assert v.ok and not v.evidence, v


def _not_judged(v: Any) -> None:
    assert v.ok and not v.evidence and v.message.startswith("not judged: "), v


def test_a_run_that_never_closed_and_ended_no_recovery_is_not_judged() -> None:
    system = AudioSystem({}, seed=5)
    history = History().attach(system)
    system.initialize()
    system.start()
    system.run_for(0.2)
    v = check_timers_let_go(history, system)
    _not_judged(v)
    assert "the system is running, not closed" in v.message


def test_a_history_alone_is_not_judged(tmp_path: Path) -> None:
    system = AudioSystem({}, seed=5)
    history = History(stream_to=tmp_path / "h.jsonl").attach(system)
    system.initialize()
    system.start()
    system.run_for(0.2)
    system.close()
    history.close()
    again = History.read_jsonl(tmp_path / "h.jsonl")
    _not_judged(check_timers_let_go(again, None))
    (v,) = [x for x in check_all(again, None) if x.name == NAME]
    _not_judged(v)
    # with the closed system at the end, that part is judged
    v = check_timers_let_go(again, system)
    assert v.ok and not v.message.startswith("not judged"), v


def test_a_real_clock_is_not_judged() -> None:
    system = AudioSystem({}, backend=SimulatedBackend(VirtualClock(), seed=5), clock=SystemClock())
    history = History().attach(system)
    assert history.timer_watch is None
    system.close()
    v = check_timers_let_go(history, system)
    _not_judged(v)
    assert "a real clock" in v.message
