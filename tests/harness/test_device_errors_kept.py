"""Device error reports pushed out of the supervisor's bounded queue are counted and judged.

Backends report from their own threads into a queue of 1024 records that the supervisor drains
(``AudioSystem._on_device_error``, ``poll``). A burst past the bound before a pass pushes the
oldest out: each report is stamped with a number as it is queued, so the pass that finds numbers
missing counts them (``device_errors_lost``) and announces them (a ``device_errors_lost`` event),
and the ``device_errors_kept`` invariant fails on any announcement. The bursts here are made
while the test holds the system's operation lock, so no pass runs until it lets go: the losses
are exact, whichever way the reporting threads interleave.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from harness.history import History
from harness.invariants import NAMES, check_device_errors_kept
from system_under_test import AudioSystem
from system_under_test.errors import AudioSystemError, XrunError
from system_under_test.lifecycle import State

QUEUE_BOUND = 1024


def _running(cls: type[AudioSystem] = AudioSystem) -> AudioSystem:
    s = cls({}, seed=11)
    s.initialize()
    s.start()
    s.run_for(0.05)
    assert s.state == State.RUNNING
    return s


def _xrun() -> AudioSystemError:
    """An error the policy leaves alone (an xrun at WARNING): the system keeps running."""
    return XrunError("late block", component="device")


def _counts(s: AudioSystem) -> tuple[int, int]:
    c = s.metrics().counters
    return c.get("errors", 0), c.get("device_errors_lost", 0)


@pytest.mark.parametrize(("burst", "lost"), [(1, 0), (QUEUE_BOUND, 0), (QUEUE_BOUND + 1, 1), (1100, 76), (5000, 3976)])
def test_a_burst_past_the_bound_is_counted_and_announced_once(burst: int, lost: int) -> None:
    """Then a second burst two past the bound: its loss is its own, numbered on from the first."""
    s = _running()
    events: list[Any] = []
    s.add_event_listener(events.append)
    try:
        errors0, _ = _counts(s)
        for _ in range(burst):
            s._on_device_error(_xrun())
        s.poll()
        errors, counted = _counts(s)
        assert (errors - errors0, counted) == (burst - lost, lost)
        for _ in range(QUEUE_BOUND + 2):
            s._on_device_error(_xrun())
        s.poll()
        told = [e.data for e in events if e.kind == "device_errors_lost"]
        first = [{"count": lost, "first": 0, "last": lost - 1}] if lost else []
        assert told == [*first, {"count": 2, "first": burst, "last": burst + 1}]
        assert _counts(s)[1] == lost + 2
        assert s.state == State.RUNNING
    finally:
        s.close()


def test_the_numbers_go_on_across_passes_and_stale_reports() -> None:
    """A pass that took every report leaves nothing owed: the next burst's gap is its own."""
    s = _running()
    try:
        for _ in range(10):
            s._on_device_error(_xrun(), generation=s._stream_gen - 1)  # a torn-down stream's: stale
        s.poll()
        for _ in range(QUEUE_BOUND + 5):
            s._on_device_error(_xrun())
        s.poll()
        c = s.metrics().counters
        assert (c.get("stale_device_errors", 0), c.get("device_errors_lost", 0)) == (10, 5)
    finally:
        s.close()


def _report_from_threads(s: AudioSystem, threads: int, each: int) -> None:
    def report() -> None:
        for _ in range(each):
            s._on_device_error(_xrun())
    workers = [threading.Thread(target=report) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


def test_reports_from_many_threads_are_lost_exactly_past_the_bound() -> None:
    """Four threads report 1500 each while no pass can run: the queue keeps the newest 1024 in
    the order they were stamped, and the pass counts the rest as lost, never more: every report
    is either routed or lost."""
    s = _running()
    try:
        errors0, _ = _counts(s)
        with s._op_lock:  # no supervisor pass until the burst is over
            _report_from_threads(s, 4, 1500)
        s.poll()
        errors, lost = _counts(s)
        assert (errors - errors0, lost) == (QUEUE_BOUND, 6000 - QUEUE_BOUND)
    finally:
        s.close()


def test_reports_from_many_threads_with_passes_between_are_each_routed_or_lost() -> None:
    """Passes run while four threads report: how many are lost depends on the interleaving, but
    routed plus lost is every report, never more (a gap counted for two threads' reports out of
    order would be more)."""
    s = _running()
    try:
        errors0, _ = _counts(s)
        done = threading.Event()

        def passes() -> None:
            while not done.is_set():
                s.poll()
        poller = threading.Thread(target=passes)
        poller.start()
        try:
            _report_from_threads(s, 4, 2000)
        finally:
            done.set()
            poller.join()
        s.poll()
        errors, lost = _counts(s)
        assert errors - errors0 + lost == 8000, (errors - errors0, lost)
    finally:
        s.close()


# -- the invariant ---------------------------------------------------------------------------------

def test_the_invariant_is_in_the_registry() -> None:
    assert "device_errors_kept" in NAMES


def _burst_history(burst: int) -> History:
    s = AudioSystem({}, seed=11)
    h = History().attach(s, metrics_every_s=0.05)
    try:
        s.initialize()
        s.start()
        s.run_for(0.05)
        for _ in range(burst):
            s._on_device_error(_xrun())
        s.run_for(0.05)
    finally:
        s.close()
        h.detach()
    return h


def test_a_history_with_reports_lost_fails_device_errors_kept() -> None:
    v = check_device_errors_kept(_burst_history(QUEUE_BOUND + 100))
    assert not v.ok, v
    assert [(e["count"], e["first"], e["last"]) for e in v.evidence] == [(100, 0, 99)], v.evidence
    assert v.message.startswith("100 device error report(s) lost"), v


def test_a_history_with_every_report_routed_holds() -> None:
    h = _burst_history(QUEUE_BOUND)
    v = check_device_errors_kept(h)
    assert v.ok and v.message == "no device error report lost from the supervisor's queue", v
    assert sum(1 for e in h.entries if e.type == "error") >= QUEUE_BOUND


@pytest.mark.parametrize("data", [{"first": 3, "last": 9}, {"count": 0, "first": 3, "last": 9},
                                  {"count": "7", "first": 3, "last": 9}, {"count": True}])
def test_an_announcement_without_a_usable_count_still_fails(data: dict) -> None:
    """The system announced a loss: that is the violation, whatever its ``count`` says. A count
    that is missing, 0, a string or a flag is taken as one report lost, never as none (a loss the
    verdict would hold through)."""
    h = History()
    h.record("attach", time=0.0, data={"state": "uninitialized", "clock": "virtual"})
    h.record("event", time=1.0, value="device_errors_lost", data=data)
    v = check_device_errors_kept(h)
    assert not v.ok, v
    assert v.message == "1 device error report(s) lost from the supervisor's bounded queue, never routed " \
                        "(1 announcement(s))", v

# -- the invariant on crafted announcements --------------------------------------------------------

def _announced(*announcements: tuple[float, dict[str, Any]], value: str = "device_errors_lost") -> History:
    """A history holding only ``device_errors_lost`` events (``value``) with the given times and data."""
    h = History()
    for t, data in announcements:
        h.record("event", time=t, value=value, data=data)
    return h


def test_each_announcement_is_evidence_with_its_numbers_and_the_sum_is_the_verdict() -> None:
    """What a reader of the report is told: when (rounded to the microsecond, the message to the
    millisecond), how many, which numbers, and the total over every announcement."""
    v = check_device_errors_kept(_announced((1.23456789, {"count": 3, "first": 0, "last": 2}),
                                            (2.5, {"count": 5, "first": 1030, "last": 1034})))
    assert v.to_dict()["name"] == "device_errors_kept" and v.to_dict()["ok"] is False, v
    assert v.message == ("8 device error report(s) lost from the supervisor's bounded queue, never routed "
                         "(2 announcement(s))")
    assert v.evidence == [
        {"time": 1.234568, "index": 0, "count": 3, "first": 0, "last": 2,
         "message": "t=1.235 s: 3 device error report(s) (numbers 0-2) pushed out of the supervisor's "
                    "queue before a pass routed them"},
        {"time": 2.5, "index": 1, "count": 5, "first": 1030, "last": 1034,
         "message": "t=2.500 s: 5 device error report(s) (numbers 1030-1034) pushed out of the "
                    "supervisor's queue before a pass routed them"}]


@pytest.mark.parametrize("count", [0, -2, True, None, "7", 2.5])
def test_an_announcement_without_a_positive_integer_count_is_one_report_lost(count: Any) -> None:
    """An announcement is a loss whatever its count says: a count that is no positive integer
    (a flag, text, a fraction, none) is read as one report, and a plain count beside it as itself."""
    v = check_device_errors_kept(_announced((1.0, {"count": count}), (2.0, {"count": 4})))
    assert not v.ok
    assert v.message.startswith("5 device error report(s) lost"), v.message
    assert [e["count"] for e in v.evidence] == [count, 4]


def test_other_events_are_no_loss() -> None:
    v = check_device_errors_kept(_announced((1.0, {"count": 9}), value="device_error"))
    assert (v.name, v.ok) == ("device_errors_kept", True), v
    assert v.message == "no device error report lost from the supervisor's queue", v


def test_the_evidence_is_bounded_and_the_count_is_not() -> None:
    from harness.invariants import _MAX_EVIDENCE
    v = check_device_errors_kept(_announced(*((float(i), {"count": 2}) for i in range(_MAX_EVIDENCE + 1))))
    assert len(v.evidence) == _MAX_EVIDENCE
    assert v.message == (f"{2 * (_MAX_EVIDENCE + 1)} device error report(s) lost from the supervisor's bounded "
                         f"queue, never routed ({_MAX_EVIDENCE + 1} announcement(s))")
