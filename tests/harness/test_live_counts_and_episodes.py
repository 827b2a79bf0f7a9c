"""``LiveChecker`` judges ``recoveries_counted`` and ``degraded_alternates`` after every step, so a
stateful test stops at the first step that breaks them rather than at its teardown. Crafted
histories stepped through the checker (the first failing step is the one that broke the promise;
the verdict after many checks is the one ``check_all`` gives the whole history, nothing counted
twice), then the shipped system stepped through it with its count lost and with ``degraded``
announced at every report."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from harness.faults.kinds import COMPETITOR_FOUND_DRY
from harness.history import History
from harness.invariants import (
    InvariantViolation,
    LiveChecker,
    Verdict,
    check_all,
    check_degraded_alternates,
    check_recoveries_counted,
)
from system_under_test import AudioSystem
from system_under_test.errors import BufferPoolExhaustedError

from miscounting_systems import DegradedEveryReport, lose_the_recoveries_count

# a step of a crafted history: ("ok", t) a recovery_succeeded event, counted live by the system
# unless ("ok", t, False); ("snap", t, n) a snapshot whose recoveries counter reads n; ("d", t) /
# ("u", t) a degraded / undegraded event. A list of steps is checked once at its end.
Step = tuple[Any, ...]


@pytest.fixture
def idle() -> Iterator[AudioSystem]:
    """A system that never runs: the checker's live checks hold on it, its counter is set by hand."""
    system = AudioSystem(seed=1)
    yield system
    system.close()


def _attach(clock: str = "virtual") -> History:
    h = History()
    h.record("attach", time=0.0, data={"state": "uninitialized", "configured": False, "pending": False,
                                       "clock": clock, "components": {"system": "uninitialized"}})
    return h


def _record(h: History, system: AudioSystem, step: Step) -> None:
    kind, t = step[0], step[1]
    if kind == "ok":
        h.record("event", time=t, value="recovery_succeeded", data={"attempts": 1, "target": "running"})
        if len(step) < 3 or step[2]:
            system.monitoring.counter("recoveries").value += 1
    elif kind == "snap":
        h.record("metrics", time=t, data={"state": "uninitialized", "counters": {"recoveries": step[2]}})
    else:
        h.record("event", time=t, value="degraded" if kind == "d" else "undegraded",
                 data={"reason": "pool dry"} if kind == "d" else {})


def _stepped(system: AudioSystem, h: History, steps: list[list[Step]],
             name: str) -> tuple[int | None, list[dict[str, Verdict]]]:
    """Each group of steps recorded, then one check: the index of the first check whose ``name``
    verdict failed (None: none did), and every verdict of every check, by name."""
    live = LiveChecker(system, h)
    first: int | None = None
    seen: list[dict[str, Verdict]] = []
    try:
        for i, group in enumerate(steps):
            for step in group:
                _record(h, system, step)
            seen.append({v.name: v for v in live.check()})
            if not seen[-1][name].ok and first is None:
                first = i
    finally:
        live.close()
    return first, seen


def test_a_snapshot_that_lags_its_events_fails_the_check_right_after_it(idle: AudioSystem) -> None:
    h = _attach()
    steps = [[("snap", 1.0, 0)], [("ok", 1.5), ("snap", 2.0, 1)], [("ok", 2.2)],
             [("snap", 3.0, 1)],  # the second recovery not counted by the snapshot
             [("snap", 4.0, 2)]]
    first, seen = _stepped(idle, h, steps, "recoveries_counted")
    assert first == 3
    flagged = seen[3]["recoveries_counted"]
    assert [e["message"] for e in flagged.evidence] == ["recoveries 1, recovery_succeeded events 2 at t=3.000 s"]
    assert seen[-1]["recoveries_counted"].evidence == flagged.evidence  # judged once, not at every later check


def test_a_live_counter_behind_its_events_fails_the_check_of_that_step(idle: AudioSystem) -> None:
    h = _attach()
    steps = [[("ok", 1.0)], [("snap", 2.0, 1)], [("ok", 2.5, False)], [("snap", 3.0, 2)]]
    first, seen = _stepped(idle, h, steps, "recoveries_counted")
    assert first == 2
    assert seen[2]["recoveries_counted"].evidence[-1]["message"] == \
        "recoveries 1, recovery_succeeded events 2 live at a check at t=2.500 s"


def test_a_real_clock_history_is_left_to_the_end(idle: AudioSystem) -> None:
    """A real clock's live counter may be read between a count and its event: not judged live."""
    h = _attach(clock="real")
    _record(h, idle, ("ok", 1.0, False))
    live = LiveChecker(idle, h)
    try:
        assert "recoveries_counted" not in [v.name for v in live.check()]
    finally:
        live.close()
    assert not check_recoveries_counted(h, idle).ok  # the end's judgement, as before


def test_many_checks_give_the_whole_history_s_verdict(idle: AudioSystem) -> None:
    """The folds keep what they saw between checks: checking after every entry, and again with
    nothing new, counts each recovery and episode once."""
    h = _attach()
    steps = [[("snap", 1.0, 0)], [("ok", 1.2), ("d", 1.3)], [], [("snap", 2.0, 1), ("u", 2.1)], [],
             [("d", 2.5), ("ok", 2.6), ("snap", 3.0, 2)], []]
    _, seen = _stepped(idle, h, steps, "recoveries_counted")
    counted, degraded = seen[-1]["recoveries_counted"], seen[-1]["degraded_alternates"]
    assert counted.to_dict() == check_recoveries_counted(h, idle).to_dict()
    assert counted.message == "recoveries equals the 2 recovery_succeeded event(s) at 3 snapshot(s) and live at the end"
    assert degraded.to_dict() == check_degraded_alternates(h).to_dict()
    assert degraded.message == "2 degraded episode(s), each announced once and ended at most once"


def test_degraded_announced_twice_fails_the_check_of_its_step_once(idle: AudioSystem) -> None:
    h = _attach()
    steps = [[("d", 1.0)], [("u", 2.0)], [("d", 3.0)], [("d", 4.0)], [], [("u", 5.0)]]
    first, seen = _stepped(idle, h, steps, "degraded_alternates")
    assert first == 3
    last = seen[-1]["degraded_alternates"]
    assert [(e["why"], e["time"]) for e in last.evidence] == [
        ("degraded announced inside an open degraded episode", 4.0)]
    assert last.to_dict() == check_all(h, only=["degraded_alternates"])[0].to_dict()


# -- the shipped system, stepped -------------------------------------------------------------------

def _step_until_violated(system: AudioSystem, h: History,
                         acts: list[Callable[[], None]]) -> tuple[int, InvariantViolation]:
    """Each act, then ``assert_ok``: the index of the act after which the checker raised."""
    live = LiveChecker(system, h)
    try:
        for i, act in enumerate(acts):
            act()
            try:
                live.assert_ok()
            except InvariantViolation as exc:
                return i, exc
    finally:
        live.close()
    raise AssertionError("no step was flagged")


def _recovering(system: AudioSystem) -> list[Callable[[], None]]:
    def remove() -> None:
        system.backend.remove_device("sim-in")
    return [system.initialize, system.start, lambda: system.run_for(0.1), remove,
            *[lambda: system.run_for(0.05)] * 8]


def _recovery_system() -> AudioSystem:
    return AudioSystem({"recovery": {"initial_backoff_ms": 10, "max_attempts": 2},
                        "device": {"fallback_devices": ["sim-backup"]}}, seed=5)


def test_the_shipped_system_recovering_holds_at_every_step() -> None:
    system = _recovery_system()
    h = History().attach(system, metrics_every_s=0.05)
    live = LiveChecker(system, h)
    try:
        for act in _recovering(system):
            act()
            live.assert_ok()
        assert any(e.value == "recovery_succeeded" for e in h.events())
        (v,) = [v for v in live.check() if v.name == "recoveries_counted"]
        assert v.ok and "1 recovery_succeeded event(s)" in v.message, v
    finally:
        live.close()
        system.close()
        h.detach()


def test_a_system_that_loses_its_count_is_stopped_at_the_step_of_the_recovery(
        monkeypatch: pytest.MonkeyPatch) -> None:
    lose_the_recoveries_count(monkeypatch)
    system = _recovery_system()
    h = History().attach(system, metrics_every_s=0.05)
    try:
        at, exc = _step_until_violated(system, h, _recovering(system))
        events = [e for e in h.events() if e.value == "recovery_succeeded"]
        # timed and not counted: the recovery_time_s histogram counts one more than the counter too
        assert exc.names == ["recoveries_counted", "recoveries_timed"]
        assert len(events) == 1 and at >= 4  # the first check after the recovery announced itself
        assert at == 4 + int((events[0].time - 0.1) // 0.05)
    finally:
        system.close()
        h.detach()


def _dry_pool(system: AudioSystem) -> list[Callable[[], None]]:
    def report() -> None:
        # the harness's report of the pool it drained, in the words that tell it from the system's
        # own (which ``pool_exhaustions`` counts and ``errors_counted`` holds it to)
        system.coordinator.handle_error("dsp", BufferPoolExhaustedError(f"still dry: {COMPETITOR_FOUND_DRY}",
                                                                        component="dsp"))
    return [system.initialize, system.start, lambda: system.run_for(0.05),
            lambda: system.pipeline.pool.acquire(), lambda: system.run_for(0.05), report, report]


@pytest.mark.parametrize("cls, flagged_at", [(AudioSystem, None), (DegradedEveryReport, 5)])
def test_degraded_at_every_report_is_stopped_at_the_first_report(cls: type[AudioSystem],
                                                                flagged_at: int | None) -> None:
    system = cls({"buffers": {"pool_blocks": 1}}, seed=5)
    h = History().attach(system, metrics_every_s=0.05)
    try:
        if flagged_at is None:
            live = LiveChecker(system, h)
            for act in _dry_pool(system):
                act()
                live.assert_ok()
            live.close()
            assert system.degraded
        else:
            at, exc = _step_until_violated(system, h, _dry_pool(system))
            assert (at, exc.names) == (flagged_at, ["degraded_alternates"])
    finally:
        system.close()
        h.detach()
