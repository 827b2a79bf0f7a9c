"""The ``stalls_counted`` invariant: the monitoring's ``device_stalls`` equals the stalls the
watchdog reported, at every snapshot of a virtual-clock history and live at the end. Small
histories of each verdict, then the shipped system stalling for real on the simulated device and
its virtual clock, and the same system with its count dropped."""

from __future__ import annotations

from typing import Any

import pytest

from harness.history import History
from harness.invariants import NAMES, Verdict, check_all, check_stalls_counted
from system_under_test import AudioSystem


def _history(clock: str = "virtual") -> History:
    h = History()
    h.record("attach", data={"state": "running", "configured": True, "pending": False, "clock": clock,
                             "components": {"system": "running"}})
    return h


def _stall(h: History, t: float, *, watchdog: bool = True) -> None:
    details = {"stalled_for_s": 0.021} if watchdog else {"silent_s": 0.021}
    h.record("error", time=t, value="error",
             data={"error": {"type": "DeviceStalledError", "message": "no callback", "component": "device",
                             "details": details}, "severity": "CRITICAL", "component": "device"})


def _snapshot(h: History, t: float, stalls: int | None) -> None:
    counters: dict[str, Any] = {"callbacks": 10}
    if stalls is not None:
        counters["device_stalls"] = stalls
    h.record("metrics", time=t, data={"state": "running", "counters": counters})


def _judge(h: History) -> Verdict:
    v = check_stalls_counted(h)
    assert check_all(h, only=["stalls_counted"])[0].to_dict() == v.to_dict()
    return v


def test_it_is_registered() -> None:
    assert "stalls_counted" in NAMES


def test_a_count_equal_to_the_reports_at_every_snapshot_holds() -> None:
    h = _history()
    _snapshot(h, 1.0, 0)
    _stall(h, 1.5)
    _stall(h, 1.7, watchdog=False)  # a backend's own report: not the counter's
    _snapshot(h, 2.0, 1)
    v = _judge(h)
    assert v.ok and not v.inconclusive, v
    assert v.message == "device_stalls equals the 1 watchdog stall report(s) at 2 snapshot(s)"


def test_a_count_that_lags_the_reports_is_violated() -> None:
    h = _history()
    _stall(h, 1.5)
    _snapshot(h, 2.0, 0)
    v = _judge(h)
    assert not v.ok, v
    assert [(e["why"], e["counted"], e["reported"]) for e in v.evidence] == [
        ("device_stalls counted fewer stalls than reported", 0, 1)]


def test_a_count_ahead_of_the_reports_is_violated() -> None:
    h = _history()
    _snapshot(h, 2.0, 1)
    v = _judge(h)
    assert not v.ok, v
    assert [e["why"] for e in v.evidence] == ["device_stalls counted stalls never reported"]


def test_a_real_clock_history_with_stalls_and_no_live_system_is_inconclusive_never_held() -> None:
    h = _history(clock="real")
    _stall(h, 1.5)
    _snapshot(h, 2.0, 1)
    v = _judge(h)
    assert v.ok and v.inconclusive, v
    assert v.reason == "real clock, no live counter"


def test_a_system_that_keeps_no_counter_is_inconclusive_never_held() -> None:
    h = _history()
    _stall(h, 1.5)
    _snapshot(h, 2.0, None)
    v = _judge(h)
    assert v.ok and v.inconclusive, v
    assert v.reason == "no device_stalls counter"


class _UncountedStalls(AudioSystem):
    """The watchdog's stalls reported but never counted (the counter read as the count before)."""

    def _report_stall(self, *a: Any, **kw: Any) -> None:
        counter = self.monitoring.counter("device_stalls")
        before = counter.value
        super()._report_stall(*a, **kw)
        counter.value = before


def _started_through_a_100ms_input_stall(system: AudioSystem, h: History) -> Verdict:
    """Start ``system``, stall its input device for 100 ms 0.1 s in, run 0.2 s more, and judge
    ``stalls_counted`` against the live system."""
    system.start()
    system.run_for(0.1)
    system.backend.stall("sim-in")
    system.run_for(0.1)
    system.backend.unstall("sim-in")
    system.run_for(0.2)
    return check_stalls_counted(h, system)


def _stall_for_real(cls: type[AudioSystem]) -> tuple[Verdict, Verdict]:
    """The input device stalled for 100 ms while the system runs: the watchdog reports it; judged
    from the history alone and against the live system, with metrics snapshots every 50 ms."""
    system = cls({}, seed=5)
    h = History().attach(system, metrics_every_s=0.05)
    try:
        system.initialize()
        live = _started_through_a_100ms_input_stall(system, h)
    finally:
        system.close()
        h.detach()
    return check_stalls_counted(h), live


def test_the_shipped_system_counts_every_stall_it_reports() -> None:
    offline, live = _stall_for_real(AudioSystem)
    assert offline.ok and not offline.inconclusive, offline
    assert offline.message == "device_stalls equals the 5 watchdog stall report(s) at 8 snapshot(s)"
    assert live.ok and not live.inconclusive, live
    assert live.message == offline.message + " and live at the end"


def test_a_system_that_drops_its_count_is_caught() -> None:
    offline, live = _stall_for_real(_UncountedStalls)
    assert not offline.ok and not live.ok
    assert live.evidence[-1]["message"] == "device_stalls 0, watchdog stall reports 5 at the run's end (live)"


# -- the silence each report states --------------------------------------------------------------

_CONFIG = {"stream": {"block_size": 256, "sample_rate": 48000}, "watchdog": {"stall_periods": 3}}
_BOUND = 3 * 256 / 48000  # 16 ms


def _started_history() -> History:
    """A history begun before the system had a stream (t=0), then configured."""
    h = History()
    h.record("attach", time=0.0, data={"state": "uninitialized", "configured": False, "pending": False,
                                       "clock": "virtual", "components": {"system": "uninitialized"}})
    h.record("event", time=0.0, value="config_applied", data={"config": _CONFIG})
    return h


def _stall_of(h: History, t: float, silent: Any) -> None:
    h.record("error", time=t, value="error",
             data={"error": {"type": "DeviceStalledError", "message": "no callback", "component": "device",
                             "details": {"stalled_for_s": silent}}, "severity": "CRITICAL", "component": "device"})
    _snapshot(h, t, sum(1 for e in h if e.type == "error"))


def test_a_silence_between_the_bound_and_the_run_s_length_holds() -> None:
    h = _started_history()
    _stall_of(h, 1.0, _BOUND * 1.0001)
    _stall_of(h, 2.0, 2.0)  # silent since the very start: at the limit, still possible
    v = _judge(h)
    assert v.ok and not v.inconclusive, v


def test_a_silence_shorter_than_the_watchdog_s_bound_is_violated() -> None:
    h = _started_history()
    _stall_of(h, 1.0, _BOUND / 1000)
    v = _judge(h)
    assert not v.ok, v
    assert [e["why"] for e in v.evidence] == ["a stall reported for a silence shorter than the watchdog's bound"]
    assert v.message == "1 stall report(s) misstate the silence"


def test_a_silence_longer_than_the_run_had_lasted_is_violated() -> None:
    h = _started_history()
    _stall_of(h, 1.0, 21.0)
    v = _judge(h)
    assert not v.ok, v
    assert [(e["why"], e["limit_s"]) for e in v.evidence] == [
        ("a stall reported for a silence longer than the run had lasted", 1.0)]


def test_a_silence_that_is_no_number_is_violated() -> None:
    h = _started_history()
    _stall_of(h, 1.0, "0.02 s")
    v = _judge(h)
    assert [e["why"] for e in v.evidence] == ["a stall report's silence is not a finite number of seconds"]


def test_a_history_begun_on_a_running_system_bounds_no_silence_from_above() -> None:
    """A stream that was running before the history began may have been silent for longer than
    the history: only the watchdog's bound is judged."""
    h = _history()
    h.record("event", time=0.5, value="config_applied", data={"config": _CONFIG})
    _stall_of(h, 1.0, 30.0)
    v = _judge(h)
    assert v.ok and not v.inconclusive, v


class _SilenceInMilliseconds(AudioSystem):
    """The watchdog's silence reported in milliseconds under the name of seconds."""

    def _report_stall(self, stream: Any, config: Any, what: str, silent_s: float, details: Any) -> None:
        super()._report_stall(stream, config, what, silent_s * 1000, details)


class _SilenceInKiloseconds(AudioSystem):
    """The watchdog's silence divided where it should have been multiplied."""

    def _report_stall(self, stream: Any, config: Any, what: str, silent_s: float, details: Any) -> None:
        super()._report_stall(stream, config, what, silent_s / 1000, details)


def test_a_system_that_misstates_its_silences_is_caught_both_ways() -> None:
    for cls, why in ((_SilenceInMilliseconds, "a stall reported for a silence longer than the run had lasted"),
                     (_SilenceInKiloseconds, "a stall reported for a silence shorter than the watchdog's bound")):
        offline, live = _stall_for_real(cls)
        assert not offline.ok and not live.ok, cls
        assert {e["why"] for e in offline.evidence} == {why}, cls


def test_a_real_clock_history_whose_counter_ran_ahead_of_no_report_is_inconclusive_never_held() -> None:
    """A real clock's snapshot may be read while a report is on its way: a stall counted and not
    (yet) reported cannot be judged either way, so it is no pass."""
    h = _history(clock="real")
    _snapshot(h, 1.0, 0)
    _snapshot(h, 2.0, 1)
    v = _judge(h)
    assert v.ok and v.inconclusive, v
    assert v.reason == "real clock, no live counter"


@pytest.mark.parametrize("order", ["long-then-short", "short-then-long"])
def test_a_silence_is_held_to_the_least_bound_of_the_configurations_applied(order: str) -> None:
    """Two configurations, stall_periods 6 (32 ms) and 3 (16 ms), in either order, then a report of
    24 ms: longer than the least bound, so possible under one of them, whichever came last."""
    long_config = {**_CONFIG, "watchdog": {"stall_periods": 6}}
    h = _started_history() if order == "short-then-long" else History()
    if order == "long-then-short":
        h.record("attach", time=0.0, data={"state": "uninitialized", "configured": False, "pending": False,
                                           "clock": "virtual", "components": {"system": "uninitialized"}})
        h.record("event", time=0.0, value="config_applied", data={"config": long_config})
        h.record("event", time=0.5, value="config_applied", data={"config": _CONFIG})
    else:
        h.record("event", time=0.5, value="config_applied", data={"config": long_config})
    _stall_of(h, 1.0, 1.5 * _BOUND)
    v = _judge(h)
    assert v.ok and not v.inconclusive, v
    # and below the least of them it is misstated, in either order
    _stall_of(h, 1.5, 0.5 * _BOUND)
    v = _judge(h)
    assert [e["why"] for e in v.evidence] == ["a stall reported for a silence shorter than the watchdog's bound"]
    assert v.evidence[0]["limit_s"] == round(_BOUND, 6)


def _assert_silences_bounded_from(system: AudioSystem, state: str, *, configure: bool = False) -> None:
    """Attach a history to ``system`` (in ``state``), configure it if asked, start it through a
    100 ms input stall, and assert that its silence, stated in milliseconds as seconds, is judged
    longer than the run had lasted, from the history alone and live."""
    h = History().attach(system, metrics_every_s=0.05)
    try:
        assert h.initial is not None and h.initial["state"] == state
        if configure:
            system.configure({})
        live = _started_through_a_100ms_input_stall(system, h)
    finally:
        system.close()
        h.detach()
    offline = check_stalls_counted(h)
    for v in (offline, live):
        assert not v.ok, v
        assert {e["why"] for e in v.evidence} == {"a stall reported for a silence longer than the run had lasted"}


def test_a_history_begun_on_a_system_initialized_and_not_started_bounds_its_silences() -> None:
    """An initialized system has no stream yet (``start`` opens it), so a history attached there,
    as one attached before ``initialize``, holds every stated silence to the time since it began:
    a silence reported in milliseconds under the name of seconds (100 ms read as 100 s) is caught
    from the history alone and live."""
    system = _SilenceInMilliseconds(None, seed=5)
    system.initialize()  # no configuration given yet: INITIALIZED, not CONFIGURED
    _assert_silences_bounded_from(system, "initialized", configure=True)


@pytest.mark.parametrize("state", ["configured", "stopped"])
def test_a_history_begun_on_a_system_configured_or_stopped_bounds_its_silences(state: str) -> None:
    """A configured system has no stream yet, and a stopped one tore its stream down (``stop``), so
    a history attached to either holds every stated silence to the time since it began, as one
    attached before ``initialize`` does: 100 ms stated as 100 s is caught from the history alone
    and live."""
    system = _SilenceInMilliseconds({}, seed=5)
    system.initialize()  # a configuration given: CONFIGURED
    if state == "stopped":
        system.start()
        system.run_for(0.1)
        system.stop()
    _assert_silences_bounded_from(system, state)
