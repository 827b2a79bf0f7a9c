"""``stream_closed`` carries the closed stream's own log of its close's waits (``close``), so a
reader of the run folder's history sees which wait a slow close spent its time on; a stream that
keeps no such log (the simulated one) adds nothing to the event."""

from __future__ import annotations

from system_under_test import AudioSystem, State
from system_under_test.system import SystemEvent


def _running() -> tuple[AudioSystem, list[SystemEvent]]:
    s = AudioSystem({}, seed=3)
    s.initialize()
    s.start()
    s.run_for(0.05)
    assert s.state == State.RUNNING
    events: list[SystemEvent] = []
    s.add_event_listener(events.append)
    return s, events


def test_a_stream_that_logs_its_close_has_the_log_in_its_stream_closed_event():
    s, events = _running()
    record = {"took_s": 4.96, "waits": {"kill": 0.1, "reader_join": 4.8}, "longest": "reader_join"}
    s._stream.close_waits = record  # type: ignore[union-attr]  # what a real stream's close reports
    s.stop()
    (closed,) = [e for e in events if e.kind == "stream_closed"]
    assert closed.data["close"] == record and closed.data["cause"] == "stop"


def test_a_stream_without_a_close_log_adds_nothing_to_its_event():
    s, events = _running()
    s.stop()
    (closed,) = [e for e in events if e.kind == "stream_closed"]
    assert set(closed.data) == {"stream", "callbacks", "cause"}
