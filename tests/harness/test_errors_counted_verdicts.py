"""Each ``errors_counted`` verdict read whole: its name, evidence, message, and why it was not
judged where it was not; which reports each counter counts, one kind of report at a time.

Why whole: the verdict is what a reader of a failed run gets; a miscount told with the wrong
counter, time, base or direction, or a "not judged" without its reason, sends the reader the wrong
way. Hand-written histories (virtual or real clock) and systems on a virtual or a real clock,
fixed seeds.
"""

from __future__ import annotations

from typing import Any

from harness.faults.kinds import COMPETITOR_FOUND_DRY
from harness.history import History
from harness.invariants import INFERRED_BASE, check_errors_counted
from system_under_test.clock import SystemClock, VirtualClock
from system_under_test.devices.simulated import SimulatedBackend
from system_under_test.system import AudioSystem
from tests.harness.test_errors_counted import _error, _history, _snapshot

NAME = "errors_counted"
IN_ERRORS = "errors it counts"


def _said(v: Any) -> tuple[str, bool, bool, str | None, list[Any], str]:
    return v.name, v.ok, v.inconclusive, v.reason, v.evidence, v.message


def _counts(report: Any) -> tuple[int, int]:
    """(errors, pool_exhaustions) the fold holds the system to for one report, read from the
    snapshot that agrees with it."""
    for errors, pools in ((0, 0), (1, 0), (0, 1)):
        h = _history()
        report(h)
        _snapshot(h, 2.0, errors=errors, pool_exhaustions=pools)
        if check_errors_counted(h).ok:
            return errors, pools
    raise AssertionError("no count agrees")


def test_each_kind_of_report_alone_is_counted_where_the_system_counts_it() -> None:
    assert _counts(lambda h: _error(h, 1.0, "DeviceLostError")) == (1, 0)
    assert _counts(lambda h: _error(h, 1.0, "RecoveryError", requires_recovery=False)) == (0, 0)
    assert _counts(lambda h: _error(h, 1.0, "CallbackError", requires_recovery=False, stream_callback=3)) == (0, 0)
    assert _counts(lambda h: _error(h, 1.0, "CallbackError", requires_recovery=False, callback=3)) == (0, 0)
    assert _counts(lambda h: _error(h, 1.0, "CallbackError", requires_recovery=False, callback=3,
                                    stream_callback=3)) == (1, 0)
    assert _counts(lambda h: _error(h, 1.0, "BufferPoolExhaustedError", message="block pool exhausted")) == (0, 1)
    assert _counts(lambda h: _error(h, 1.0, "BufferPoolExhaustedError",
                                    message=f"block pool exhausted: {COMPETITOR_FOUND_DRY}")) == (0, 0)


def test_a_snapshot_counting_fewer_is_told_with_its_counter_time_and_direction() -> None:
    h = _history()
    _error(h, 1.0, "DeviceLostError")
    _error(h, 1.1, "DeviceLostError")
    _snapshot(h, 2.5000004, errors=1, pool_exhaustions=0)
    told = "errors 1, errors it counts reported 2 at t=2.500 s"
    assert _said(check_errors_counted(h)) == (NAME, False, False, "", [
        {"counter": "errors", "why": "errors counted fewer than the errors it counts the system reported",
         "time": 2.5, "counted": 1, "reported": 2, "message": told}],
        f"1 count(s) of errors disagree with the errors the system reported: {told}")


def test_both_counters_ahead_are_told_together() -> None:
    h = _history()
    _snapshot(h, 2.0, errors=2, pool_exhaustions=2)
    v = check_errors_counted(h)
    assert [e["why"] for e in v.evidence] == ["errors counted errors it counts the system never reported",
                                              "pool_exhaustions counted dry pools the system never reported"]
    assert v.message.startswith("2 count(s) of errors and pool_exhaustions disagree with the errors the system "
                                "reported: errors 2, errors it counts reported 0 at t=2.000 s")


def test_a_count_made_before_the_history_began_is_its_base_and_said_so() -> None:
    h = History()
    h.record("attach", data={"state": "running", "clock": "virtual", "counters": {"errors": 3, "pool_exhaustions": 0}},
             time=0.0)
    _error(h, 1.0, "DeviceLostError")
    _snapshot(h, 2.0, errors=3, pool_exhaustions=0)
    v = check_errors_counted(h)
    assert v.evidence[0]["message"] == ("errors 0 (beyond the 3 counted before the history began), errors it counts "
                                        "reported 1 at t=2.000 s")


def test_a_base_inferred_at_the_first_snapshot_holds_the_later_ones_and_is_said() -> None:
    h = History()
    h.record("attach", data={"state": "running", "clock": "virtual"}, time=0.0)  # no counters recorded
    _error(h, 1.0, "DeviceLostError")
    _snapshot(h, 2.0, errors=5, pool_exhaustions=2)  # 4 and 2 before the history
    _error(h, 2.5, "DeviceLostError")
    _snapshot(h, 3.0, errors=6, pool_exhaustions=2)
    assert _said(check_errors_counted(h)) == (NAME, True, False, "", [], (
        "errors equals the 2 errors it counts reported at 2 snapshot(s); pool_exhaustions equals the 0 dry pools "
        f"reported at 2 snapshot(s); {INFERRED_BASE}"))
    _snapshot(h, 4.0, errors=8, pool_exhaustions=2)
    assert check_errors_counted(h).evidence[0]["message"] == (
        "errors 4 (beyond the 4 counted before the history began), errors it counts reported 2 at t=4.000 s")


def test_the_live_counters_are_read_beyond_the_count_before_the_history() -> None:
    system = AudioSystem({}, seed=3)
    system.initialize()
    system.start()
    system.run_for(0.1)
    system.monitoring.counter("errors").inc(2)  # counted before the history began
    h = History().attach(system)
    system.run_for(0.1)
    try:
        assert _said(check_errors_counted(h, system)) == (NAME, True, False, "", [], (
            "no error counted in errors or pool_exhaustions and none reported: nothing to judge"))
        system.monitoring.counter("errors").inc()
        v = check_errors_counted(h, system)
        assert v.evidence == [{"counter": "errors", "why": "errors counted errors it counts the system never reported",
                               "time": None, "counted": 1, "reported": 0,
                               "message": "errors 1 (beyond the 2 counted before the history began), errors it "
                                          "counts reported 0 at the run's end (live)"}]
        h.record("error", value="error", time=system.clock.now(), data={
            "error": {"type": "DeviceLostError", "message": "m", "component": "device", "details": {}},
            "component": "device", "requires_recovery": True})
        assert check_errors_counted(h, system).message == (
            "errors equals the 1 errors it counts reported at 0 snapshot(s) and live at the end; pool_exhaustions "
            "equals the 0 dry pools reported at 0 snapshot(s) and live at the end")
    finally:
        system.close()


def _unjudged(h: History, system: Any, why: str) -> None:
    assert _said(check_errors_counted(h, system)) == (NAME, True, True, "no reading to judge", [], (
        "not judged: errors: 1 reported, 0 counted, with no reading to judge (a real clock's snapshots; "
        f"live: {why})"))


def test_each_reason_a_run_s_counts_were_not_judged_is_said() -> None:
    h = _history()
    _error(h, 1.0, "DeviceLostError")
    _unjudged(h, None, "no live system at the end")
    closed = AudioSystem({}, seed=3)
    closed.close()  # closed, and this history did not record it
    _unjudged(h, closed, "the history did not record the close (a teardown's reports may be missing)")
    h.record("transition", time=1.5, data={"component": "system", "from_state": "uninitialized", "to_state": "running"})
    h.record("transition", time=1.6, data={"component": "stream", "from_state": "running", "to_state": "closed"})
    _unjudged(h, closed, "the history did not record the close (a teardown's reports may be missing)")
    real = AudioSystem({}, backend=SimulatedBackend(VirtualClock(), seed=5), clock=SystemClock())
    try:
        _unjudged(h, real, "a real clock's system not closed (a pass may be between a count and its event)")
    finally:
        real.close()
    running = AudioSystem({}, seed=3)  # judged live, but the history recorded no base to read it from
    try:
        old = History()
        old.record("attach", data={"state": "running", "clock": "virtual"}, time=0.0)
        _error(old, 1.0, "DeviceLostError")
        _unjudged(old, running, "no counter reading")
    finally:
        running.close()


def test_a_real_clock_s_closed_system_is_judged_live_once_its_close_is_recorded() -> None:
    system = AudioSystem({}, backend=SimulatedBackend(VirtualClock(), seed=5), clock=SystemClock())
    h = History().attach(system)
    system.initialize()
    system.close()
    system.monitoring.counter("errors").inc()
    v = check_errors_counted(h, system)
    assert (v.ok, [(e["counter"], e["counted"], e["time"]) for e in v.evidence]) == (False, [("errors", 1, None)])


def test_error_events_of_a_system_of_its_own_are_counted_in_the_words() -> None:
    h = _history()
    for t in (1.0, 1.5):
        h.record("error", value="error", time=t, data={"error": {"type": "CallbackError"}, "component": "stream"})
    assert _said(check_errors_counted(h)) == (NAME, True, False, "", [], (
        "2 error event(s) without requires_recovery: not the shipped AudioSystem's reports, which a system of its "
        "own counts as it chooses; nothing to judge"))
    assert _said(check_errors_counted(_history(), object())) == (NAME, True, False, "", [], (
        "not the shipped AudioSystem: a system of its own counts its errors as it chooses, nothing to judge"))
