"""The monitoring's ``errors`` and ``pool_exhaustions`` count exactly what the system reported.

``AudioSystem.poll`` counts each error it routes in ``errors`` and each dry pool in
``pool_exhaustions`` just before it reports them, and the history records each report as an
``error`` event. The ``errors_counted`` invariant holds the two counters to those events at each
snapshot of a virtual clock and, live, on the closed system. A plain default run of the shipped
system, and of the two catalogued bugs that drop a count (``callback_errors_not_in_errors_count``,
``pool_exhaustion_not_counted``, planted as the catalogue patches ``poll``); then which reports each
counter counts, and what is not judged, from hand-written histories. Virtual clock, fixed seed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench_scripts import plant_catalogued_bug
from plain_runs import plain_run_verdict
from harness.faults.kinds import COMPETITOR_FOUND_DRY
from harness.history import History
from harness.invariants import NAMES, check_errors_counted
from system_under_test.system import AudioSystem

NAME = "errors_counted"
COUNTING_BUGS = ("callback_errors_not_in_errors_count", "pool_exhaustion_not_counted")


@pytest.fixture(autouse=True)
def _history_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))


def _plant(monkeypatch: pytest.MonkeyPatch, bug_name: str) -> None:
    """The catalogued bug ``bug_name`` (one of ``poll``'s lines changed as the catalogue changes it)
    planted in ``AudioSystem.poll``, so that everything else is the shipped system."""
    plant_catalogued_bug(monkeypatch, AudioSystem, "poll", bug_name)


def test_the_invariant_is_registered() -> None:
    assert NAME in NAMES


def test_a_plain_run_of_the_shipped_system_counts_every_error_and_dry_pool(tmp_path: Path) -> None:
    """Seed 1's default faults make 21 callback errors and 6 dry pools; its history's last
    snapshot reads 28 errors (the callback errors and the device reports routed)."""
    result, v = plain_run_verdict(tmp_path, 1, NAME)
    assert v.ok and not v.inconclusive and not v.evidence, v
    assert v.message.startswith("errors equals the 28 errors it counts reported at "), v
    assert "; pool_exhaustions equals the 6 dry pools reported at " in v.message, v
    assert v.message.count("and live at the end") == 2, v
    assert result.summary["outcome"] == "pass", result.summary["violations"]


@pytest.mark.parametrize(("bug_name", "counter"), list(zip(COUNTING_BUGS, ("errors", "pool_exhaustions"))))
def test_a_catalogued_count_dropped_fails_a_plain_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      bug_name: str, counter: str) -> None:
    _plant(monkeypatch, bug_name)
    result, v = plain_run_verdict(tmp_path, 1, NAME)
    assert [x.name for x in result.verdicts if not x.ok] == [NAME]
    assert {e["counter"] for e in v.evidence} == {counter}
    assert all(e["counted"] < e["reported"] for e in v.evidence), v.evidence[:3]
    live = [e for e in v.evidence if e["time"] is None]
    assert len(live) == 1 and live[0]["message"].endswith("at the run's end (live)"), live


# -- which reports each counter counts, from hand-written histories ---------------------------------

def _history(clock: str = "virtual") -> History:
    h = History()
    h.record("attach", data={"state": "uninitialized", "clock": clock}, time=0.0)
    return h


def _error(h: History, t: float, kind: str, *, requires_recovery: bool = True, message: str = "m",
           **details: Any) -> None:
    h.record("error", value="error", time=t, data={
        "error": {"type": kind, "message": message, "component": "dsp", "details": details},
        "component": "dsp", "requires_recovery": requires_recovery, "consecutive_callback_errors": 0})


def _snapshot(h: History, t: float, errors: int, pool_exhaustions: int) -> None:
    h.record("metrics", time=t, data={"counters": {"errors": errors, "pool_exhaustions": pool_exhaustions}})


def _reports(h: History) -> None:
    """One of each kind of report: which ``errors`` counts (2), which ``pool_exhaustions`` (1)."""
    _error(h, 1.0, "CallbackError", requires_recovery=False, callback=7, stream_callback=7)  # at a teardown
    _error(h, 1.1, "DeviceLostError")  # a device report a pass routed
    _error(h, 1.2, "DeviceStalledError", stalled_for_s=0.5)  # the watchdog's: device_stalls
    _error(h, 1.3, "BufferPoolExhaustedError", message="block pool exhausted (8 blocks); dropping input")
    _error(h, 1.4, "BufferPoolExhaustedError", message=f"block pool exhausted (8 blocks): {COMPETITOR_FOUND_DRY}")
    _error(h, 1.5, "ResourceLimitError")  # the harness's drained limit
    _error(h, 1.6, "RecoveryError", requires_recovery=False)  # a recovery's give-up


def test_each_counter_counts_its_own_reports_and_no_other() -> None:
    h = _history()
    _reports(h)
    _snapshot(h, 2.0, errors=2, pool_exhaustions=1)
    v = check_errors_counted(h)
    assert v.ok and not v.inconclusive, v
    assert v.message == ("errors equals the 2 errors it counts reported at 1 snapshot(s); "
                         "pool_exhaustions equals the 1 dry pools reported at 1 snapshot(s)")


@pytest.mark.parametrize(("errors", "pools", "counter"), [(1, 1, "errors"), (3, 1, "errors"),
                                                          (2, 0, "pool_exhaustions"), (2, 2, "pool_exhaustions")])
def test_a_count_off_by_one_either_way_fails(errors: int, pools: int, counter: str) -> None:
    h = _history()
    _reports(h)
    _snapshot(h, 2.0, errors=errors, pool_exhaustions=pools)
    v = check_errors_counted(h)
    assert not v.ok
    assert [(e["counter"], e["time"]) for e in v.evidence] == [(counter, 2.0)]


def test_a_real_clocks_snapshots_are_not_judged_and_never_pass() -> None:
    h = _history("real")
    _reports(h)
    _snapshot(h, 2.0, errors=0, pool_exhaustions=0)
    v = check_errors_counted(h)
    assert v.ok and v.inconclusive, v
    assert v.message.startswith("not judged: errors: 2 reported, 0 counted, pool_exhaustions: 1 reported"), v


def test_a_system_of_its_own_is_not_judged() -> None:
    """An ``error`` event without ``requires_recovery`` is not the shipped system's routing."""
    h = _history()
    h.record("error", value="error", time=1.0, data={"error": {"type": "CallbackError"}, "component": "stream"})
    _snapshot(h, 2.0, errors=5, pool_exhaustions=0)
    v = check_errors_counted(h)
    assert v.ok and not v.evidence, v
    assert v.message.endswith("nothing to judge"), v


def test_a_live_counter_ahead_of_the_reports_fails_running_and_closed() -> None:
    """On a virtual clock no pass is under way while the test reads the system, so the live
    counters are judged whether or not it has closed."""
    system = AudioSystem({}, seed=3)
    h = History().attach(system)
    system.initialize()
    system.start()
    system.run_for(0.2)
    v = check_errors_counted(h, system)
    assert v.ok and v.message.startswith("no error counted"), v
    system.monitoring.counter("errors").inc()  # counted, never reported: only a live reading shows it
    for _ in range(2):
        v = check_errors_counted(h, system)
        assert not v.ok
        assert [(e["counter"], e["counted"], e["reported"]) for e in v.evidence] == [("errors", 1, 0)]
        system.close()
