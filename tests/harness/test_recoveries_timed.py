"""A closed system's ``recovery_time_s`` histogram counts every recovery it counted.

``Recoverer.finish`` counts a recovery that succeeded in ``recoveries`` and observes its time in
``recovery_time_s``; the ``recoveries_timed`` invariant holds the histogram's published count to
the counter on the system a run closes, as ``callbacks_timed`` holds the per-callback histograms to
the callbacks. Plain default runs of the shipped system, of the catalogued
``histogram_made_anew_each_ask`` (every ask of a histogram makes a new one) and of a loss of the
recovery histogram alone; then closed systems whose counter is moved by hand. Virtual clock, fixed
seeds: deterministic.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from plain_runs import plain_run_verdict
from harness.invariants import NAMES, check_recoveries_timed
from system_under_test import AudioSystem, monitoring
from system_under_test.lifecycle import State

NAME = "recoveries_timed"


@pytest.fixture(autouse=True)
def _history_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))


def _made_anew_each_ask(monkeypatch: pytest.MonkeyPatch, only: str | None = None) -> None:
    """The catalogued bug ``histogram_made_anew_each_ask`` (``only``: for that histogram alone)."""
    ask = monitoring.MonitoringCoordinator.histogram

    def anew(self: monitoring.MonitoringCoordinator, name: str) -> monitoring.Histogram:
        if only is not None and name != only:
            return ask(self, name)
        with self._lock:
            h = self.histograms[name] = monitoring.Histogram(name)
        return h

    monkeypatch.setattr(monitoring.MonitoringCoordinator, "histogram", anew)


def test_the_invariant_is_registered() -> None:
    assert NAME in NAMES


def test_the_shipped_system_times_every_recovery(tmp_path: Path) -> None:
    result, v = plain_run_verdict(tmp_path, 1, NAME)
    recoveries = result.summary["recoveries"]
    assert recoveries > 1
    assert v.ok and v.message == f"recovery_time_s counts the {recoveries} recoveries counted", v
    assert result.summary["outcome"] == "pass", result.summary["violations"]


def test_a_histogram_made_anew_each_ask_fails_a_plain_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _made_anew_each_ask(monkeypatch)
    result, v = plain_run_verdict(tmp_path, 1, NAME)
    recoveries = result.summary["recoveries"]
    assert not v.ok
    assert [(e["count"], e["recoveries"]) for e in v.evidence] == [(1, recoveries)]


def test_a_recovery_histogram_made_anew_fails_a_plain_run_on_this_invariant_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _made_anew_each_ask(monkeypatch, only="recovery_time_s")
    result, v = plain_run_verdict(tmp_path, 1, NAME)
    assert not v.ok
    assert [x.name for x in result.verdicts if not x.ok] == [NAME]


def _closed_system() -> AudioSystem:
    system = AudioSystem({}, seed=11)
    system.initialize()
    system.start()
    system.close()
    return system


def test_a_closed_systems_miscount_by_one_fails_and_an_exact_count_holds() -> None:
    system = _closed_system()
    assert "nothing to judge" in check_recoveries_timed(system).message  # no recovery ran
    system.monitoring.histogram("recovery_time_s").observe(0.5)
    system.monitoring.counter("recoveries").inc()
    held = check_recoveries_timed(system)
    assert held.ok and held.message == "recovery_time_s counts the 1 recoveries counted", held
    system.monitoring.counter("recoveries").inc()
    v = check_recoveries_timed(system)
    assert not v.ok and v.evidence[0]["count"] == 1 and v.evidence[0]["recoveries"] == 2, v


def test_nothing_is_judged_without_a_closed_shipped_system() -> None:
    assert "nothing to judge" in check_recoveries_timed(None).message
    running = AudioSystem({}, seed=11)
    running.initialize()
    running.start()
    running.monitoring.counter("recoveries").inc()  # a miscount the running system may have mid-recovery
    try:
        v = check_recoveries_timed(running)
        assert v.ok and "not closed" in v.message, v
    finally:
        running.close()
    own = SimpleNamespace(state=State.CLOSED, metrics=lambda: SimpleNamespace(
        counters={"recoveries": 2}, histograms={"recovery_time_s": {"count": 0}}))
    v = check_recoveries_timed(own)
    assert v.ok and "not the shipped AudioSystem" in v.message, v


def test_recoveries_timed_that_the_counter_never_counted_fail() -> None:
    """A histogram that observed a recovery the ``recoveries`` counter does not hold (observed
    twice, or the count lost) tells readers of a recovery time for a recovery that, by the
    counter, never ran: the two disagree whatever the counter reads, 0 included."""
    system = _closed_system()
    system.monitoring.histogram("recovery_time_s").observe(0.5)
    v = check_recoveries_timed(system)
    assert not v.ok and (v.evidence[0]["count"], v.evidence[0]["recoveries"]) == (1, 0), v

class _Published(AudioSystem):
    """A closed shipped system whose ``metrics()`` publish what a case sets (``None``: a system
    that publishes no metrics at all)."""

    def __init__(self, counters: dict[str, Any] | None, histograms: dict[str, Any] | None = None) -> None:
        super().__init__({}, seed=11)
        self.close()
        published = SimpleNamespace()
        if counters is not None:
            published.counters = counters
        if histograms is not None:
            published.histograms = histograms
        self._published = published

    def metrics(self) -> Any:
        return self._published


def _said(v: Any) -> tuple[str, bool, list[Any], str]:
    return v.name, v.ok, v.evidence, v.message


def test_each_verdict_says_exactly_what_was_judged_and_why() -> None:
    """Every way the invariant ends is a verdict of its own name with its own words: nothing judged
    and why (no system, a system of its own, one not closed, one publishing no such metrics, no
    recovery), a miscount with its histogram's count and the counter beside it, or the count held.
    A published snapshot without one of its two tables reads as publishing none of it."""
    said = {"no live": ("no live system at the end: the history records no histogram, nothing to judge")}
    assert _said(check_recoveries_timed(None)) == (NAME, True, [], said["no live"])
    own = SimpleNamespace(state=State.CLOSED, metrics=lambda: SimpleNamespace(
        counters={"recoveries": 2}, histograms={"recovery_time_s": {"count": 2}}))
    assert _said(check_recoveries_timed(own)) == (NAME, True, [], (
        "not the shipped AudioSystem: a system of its own counts its recoveries and times them as it chooses, "
        "nothing to judge"))
    running = AudioSystem({}, seed=11)
    running.initialize()
    running.start()
    try:
        assert _said(check_recoveries_timed(running)) == (NAME, True, [], (
            "the system is running, not closed: a recovery may be between its count and its timing, "
            "nothing to judge"))
    finally:
        running.close()
    nothing = ("the system publishes no recoveries counter or recovery_time_s histogram: nothing to judge")
    timed = {"recovery_time_s": {"count": 2}}
    assert _said(check_recoveries_timed(_Published({}, timed))) == (NAME, True, [], nothing)
    assert _said(check_recoveries_timed(_Published({"recoveries": 2}, {}))) == (NAME, True, [], nothing)
    assert _said(check_recoveries_timed(_Published(None, timed))) == (NAME, True, [], nothing)
    assert _said(check_recoveries_timed(_Published({"recoveries": 2}, None))) == (NAME, True, [], nothing)
    assert _said(check_recoveries_timed(_Published({"recoveries": 0}, {"recovery_time_s": {"count": 0}}))) == (
        NAME, True, [], "no recovery counted: nothing to judge")
    assert _said(check_recoveries_timed(_Published({"recoveries": 2}, timed))) == (
        NAME, True, [], "recovery_time_s counts the 2 recoveries counted")
    # a count either side of the counter fails, a histogram counting recoveries none counted too
    for count, recoveries in ((1, 2), (3, 2), (1, 0), (0, 2)):
        message = f"recovery_time_s counts {count} observation(s), the recoveries counter {recoveries}"
        v = check_recoveries_timed(_Published({"recoveries": recoveries}, {"recovery_time_s": {"count": count}}))
        assert _said(v) == (NAME, False, [{"histogram": "recovery_time_s", "count": count,
                                           "recoveries": recoveries, "message": message}], message)


def test_a_shipped_system_that_publishes_no_metrics_has_nothing_to_judge() -> None:
    """A subclass of the shipped system may publish no metrics (``metrics`` not callable): the
    verdict says so, it does not fail the run on a missing reading."""

    class Unpublished(AudioSystem):
        metrics = None  # type: ignore[assignment]

    quiet = Unpublished({}, seed=11)
    quiet.close()
    assert _said(check_recoveries_timed(quiet)) == (NAME, True, [], (
        "the system publishes no recoveries counter or recovery_time_s histogram: nothing to judge"))
