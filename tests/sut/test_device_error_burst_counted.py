"""A burst of device errors between two supervisor passes is counted whole, each where it belongs.

Backends report from their own threads into a queue the supervisor drains (``_on_device_error``,
``poll``). Up to the queue's bound (1024 records) nothing reported is lost: each record is
counted as an error (and as a device loss when it is a ``DeviceError``), or, when it comes from a
stream already torn down, as a stale device error. The errors here are ones the recovery policy
leaves alone (an xrun at its default WARNING, a device error reported at INFO), so the system
keeps running and every count is the burst's own.
"""

from __future__ import annotations

import pytest

from system_under_test import AudioSystem
from system_under_test.errors import AudioSystemError, DeviceLostError, Severity, XrunError
from system_under_test.lifecycle import State


def _running() -> AudioSystem:
    s = AudioSystem({}, seed=11)
    s.initialize()
    s.start()
    s.run_for(0.05)
    assert s.state == State.RUNNING
    return s


def _xrun() -> AudioSystemError:
    return XrunError("late block", component="device")


def _quiet_loss() -> AudioSystemError:
    return DeviceLostError("gone for a moment", component="device", severity=Severity.INFO)


#: (what is reported, how many, from the current stream?) -> how many more errors, device losses
#: and stale device errors the counters show after one pass
CASES = [
    ((_xrun, 1, True), (1, 0, 0)),
    ((_xrun, 200, True), (200, 0, 0)),
    ((_xrun, 1024, True), (1024, 0, 0)),
    ((_quiet_loss, 1, True), (1, 1, 0)),
    ((_quiet_loss, 200, True), (200, 200, 0)),
    ((_quiet_loss, 200, False), (0, 0, 200)),
    ((_xrun, 200, False), (0, 0, 200)),
]


def _ids(case: tuple[tuple[object, int, bool], tuple[int, int, int]]) -> str:
    (make, n, current), _ = case
    return f"{make.__name__.strip('_')}-{n}-{'current' if current else 'stale'}"  # type: ignore[attr-defined]


@pytest.mark.parametrize(("burst", "expected"), CASES, ids=[_ids(c) for c in CASES])
def test_every_device_error_of_a_burst_is_counted_where_it_belongs(
        burst: tuple[object, int, bool], expected: tuple[int, int, int]) -> None:
    make, n, current = burst
    s = _running()
    try:
        before = s.metrics().counters
        generation = s._stream_gen if current else s._stream_gen - 1
        for _ in range(n):
            s._on_device_error(make(), generation=generation)  # type: ignore[operator]
        s.poll()
        after = s.metrics().counters
        got = tuple(after.get(k, 0) - before.get(k, 0) for k in ("errors", "device_losses", "stale_device_errors"))
        assert got == expected
        assert s.state == State.RUNNING
    finally:
        s.close()


QUEUE_BOUND = 1024


@pytest.mark.parametrize(("burst", "lost"), [(QUEUE_BOUND, 0), (QUEUE_BOUND + 1, 1), (QUEUE_BOUND + 6, 6)])
def test_a_burst_past_the_bound_tells_exactly_which_reports_it_lost(burst: int, lost: int) -> None:
    """Past the bound the oldest reports are pushed out unseen: the pass counts each of them
    (``device_errors_lost``, one lost report as surely as six) and announces the stamps they
    carried, ``first`` to ``last`` inclusive, a range as long as its count. The reports taken are
    routed, none of them counted lost; and a second burst within the bound loses nothing, so
    the stamps the first pass took leave no gap behind them."""
    s = _running()
    events: list = []
    s.add_event_listener(events.append)
    try:
        before = s.metrics().counters
        for _ in range(burst):
            s._on_device_error(_xrun())
        s.poll()
        for _ in range(3):
            s._on_device_error(_xrun())
        s.poll()
        after = s.metrics().counters
        got = tuple(after.get(k, 0) - before.get(k, 0) for k in ("errors", "device_errors_lost"))
        assert got == (burst - lost + 3, lost)
        told = [e.data for e in events if e.kind == "device_errors_lost"]
        assert told == ([{"count": lost, "first": 0, "last": lost - 1}] if lost else [])
        assert s.state == State.RUNNING
    finally:
        s.close()
