"""``harness.timer_watch`` read exactly: a finding whole (its time, sequence number, transition,
cause, timers and message), what is counted and what is kept past ``MAX_FINDINGS``, which timers
are the system's and which its recovery's, what a callback holds, and a watch that raised.

Why exact: the ``timers_let_go`` verdict passes the watch's findings on as its evidence and its
counts into its message; a finding that named another transition, a count that stopped at one,
or a supervisor timer taken for the recovery's (a false alarm at every recovery that ends while
the system runs) would each be read as the system's.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any

import pytest

from harness.timer_watch import MAX_FINDINGS, TimerWatch, _recoverer_of, callback_owners, describe_timer, \
    owned_live_timers
from system_under_test import AudioSystem, State
from system_under_test.lifecycle import TransitionRecord
from system_under_test.recoverer import Recoverer
from tests.harness.test_timers_let_go import ATTEMPT, SUPERVISOR, _cancel_leaving_the_timer_armed, \
    _waiting_recovery


def _running() -> AudioSystem:
    system = AudioSystem({}, seed=5)
    system.initialize()
    system.start()
    system.run_for(0.2)
    return system


def _record(seq: int, t: float, from_state: State, to_state: State, cause: str) -> TransitionRecord:
    return TransitionRecord(seq, t, "system", from_state, to_state, cause)


def test_a_recovery_left_with_its_timer_armed_is_one_finding_told_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    _cancel_leaving_the_timer_armed(monkeypatch)
    system, history = _waiting_recovery()
    due = system._recoverer.run.timer.when
    system.stop()
    watch = history.timer_watch
    assert watch is not None and watch.error is None
    (rec,) = [e.data for e in history.entries if e.type == "transition" and e.data["component"] == "system"
              and e.data["from_state"] == "recovering"]
    now, to_state, cause = rec["time"], rec["to_state"], rec["cause"]
    assert (watch.left_recovering, watch.closed, watch.found) == (1, 0, 1)
    assert watch.findings == [{
        "time": round(now, 6), "seq": rec["seq"], "transition": f"recovering -> {to_state}", "cause": cause,
        "timers": [{"due": round(due, 6), "in_s": round(due - now, 6), "callback": ATTEMPT}],
        "message": f"t={now:.3f} s: the system left RECOVERING (recovering -> {to_state}, {cause!r}) "
                   f"with 1 of its timer(s) still armed: {ATTEMPT} due in {due - now:.3f} s"}]
    system.close()


def test_a_close_with_its_supervisor_armed_is_told_as_the_close(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(AudioSystem, "_cancel_supervisor", lambda self: None)
    system = AudioSystem({}, seed=5)
    from harness.history import History
    history = History().attach(system)
    system.initialize()
    system.start()
    system.run_for(0.2)
    system.close()
    watch = history.timer_watch
    assert watch is not None and (watch.closed, watch.found) == (1, 1)
    (finding,) = watch.findings
    assert finding["transition"].endswith(" -> closed")
    assert finding["message"].startswith(f"t={finding['time']:.3f} s: the system closed ({finding['transition']}, ")
    assert [t["callback"] for t in finding["timers"]] == [SUPERVISOR]


def test_each_transition_out_of_recovering_is_counted_and_the_supervisor_is_not_the_recoverys() -> None:
    system = _running()
    try:
        watch = TimerWatch.for_system(system)
        assert watch is not None
        # the running system's supervisor pass is armed, and it is the system's, not its recovery's
        assert [describe_timer(t, 0.0)["callback"] for t in owned_live_timers(system, system.clock)] == [SUPERVISOR]
        assert owned_live_timers(system, system.clock, recovery_only=True) == []
        now = system.clock.now()
        for seq in (1, 2, 3):
            watch.on_system_transition(_record(seq, now, State.RECOVERING, State.RUNNING, "recovered"))
        assert (watch.left_recovering, watch.found, watch.findings, watch.error) == (3, 0, [], None)
    finally:
        system.close()


def test_every_finding_is_counted_and_the_first_max_findings_kept() -> None:
    watch = TimerWatch(lambda: None)
    timer = SimpleNamespace(callback=_running, when=2.0)
    for seq in range(MAX_FINDINGS + 2):
        watch._judge(_record(seq, 1.0, State.RECOVERING, State.FAILED, "gave up"), [timer], "left")
    assert watch.found == MAX_FINDINGS + 2
    assert [f["seq"] for f in watch.findings] == list(range(MAX_FINDINGS))
    watch._judge(_record(99, 1.0, State.RECOVERING, State.FAILED, "gave up"), [], "left")
    assert watch.found == MAX_FINDINGS + 2  # no timer: nothing found


def test_a_finding_with_two_timers_names_both() -> None:
    watch = TimerWatch(lambda: None)
    timers = [SimpleNamespace(callback=_running, when=1.5), SimpleNamespace(callback=_record, when=1.75)]
    watch._judge(_record(7, 1.2500001, State.RUNNING, State.CLOSED, "close"), timers, "the system closed")
    assert watch.findings[0]["time"] == 1.25  # to the microsecond
    assert watch.findings[0]["message"] == (
        "t=1.250 s: the system closed (running -> closed, 'close') with 2 of its timer(s) still armed: "
        "_running due in 0.250 s, _record due in 0.500 s")


def test_a_timer_is_described_to_the_microsecond_and_by_its_type_without_a_qualified_name() -> None:
    timer = SimpleNamespace(callback=functools.partial(print, "x"), when=1.23456789)
    assert describe_timer(timer, 0.2) == {"due": 1.234568, "in_s": 1.034568, "callback": "partial"}


def test_a_callback_s_owners_are_what_it_is_bound_to_or_closes_over_and_nothing_else() -> None:
    system = object()
    assert list(callback_owners(functools.partial(print, system))) == []  # neither bound nor a closure

    def closure() -> Any:
        return later, system  # ``later`` is not yet assigned when the closure is asked

    assert list(callback_owners(closure)) == [system]
    later = None  # noqa: F841 - fills the cell after the reading above


def test_a_system_without_a_recoverer_has_no_recovery_timers() -> None:
    assert _recoverer_of(object()) is None
    assert _recoverer_of(SimpleNamespace(_recoverer=object())) is None
    system = _running()
    try:
        recoverer = system._recoverer
        assert isinstance(recoverer, Recoverer) and _recoverer_of(system) is recoverer
        system._recoverer = None  # a system built without one
        nothing = None
        system.clock.call_later(1.0, lambda: nothing)  # a timer closing over None
        assert [describe_timer(t, 0.0)["callback"] for t in owned_live_timers(system, system.clock)] == [SUPERVISOR]
    finally:
        system._recoverer = recoverer
        system.close()


def test_a_watch_that_raises_keeps_the_first_error_and_raises_nothing() -> None:
    calls = iter(["first", "second"])

    def read_the_queue(*_args: Any) -> list[Any]:
        raise RuntimeError(next(calls))

    # whichever way the watch reads the clock's queue (the whole of it, or what was queued since
    # its last look), the read raises
    fake = SimpleNamespace(clock=SimpleNamespace(live_timers=read_the_queue, timers_queued_after=read_the_queue))
    watch = TimerWatch(lambda: fake)
    for seq in (1, 2):
        watch.on_system_transition(_record(seq, 1.0, State.RUNNING, State.CLOSED, "close"))
    assert watch.error == "RuntimeError('first')"


def test_the_first_look_reads_the_queue_from_the_clocks_first_timer() -> None:
    """A watch's first look reads every timer queued since the clock began, the very first ones
    included: a system that armed its own timers before anything else on a fresh clock and left
    them armed at its close is found with both, not passed as having let go."""
    system = AudioSystem({}, seed=5)
    try:
        assert system.clock.timers_queued_after(-1) == (-1, [])  # a fresh clock: these are seqs 0 and 1
        system.clock.call_later(1.0, system.health)
        system.clock.call_later(2.0, system.health)
        watch = TimerWatch.for_system(system)
        assert watch is not None
        watch.on_system_transition(_record(1, 0.0, State.RUNNING, State.CLOSED, "close"))
        assert (watch.closed, watch.found) == (1, 1)
        assert [t["due"] for t in watch.findings[0]["timers"]] == [1.0, 2.0]
    finally:
        system.close()
