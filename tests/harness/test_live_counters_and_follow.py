"""``stalls_counted``, ``errors_counted``, ``recoveries_timed``, ``callbacks_timed`` and
``components_follow`` are judged by the live checks.

The two counters are exact folds of what is new: each is counted on the thread that reports what it
counts, just before the report, so between a virtual clock's steps (run on the checker's thread) the
live counter equals the reports recorded so far. ``recoveries_timed`` reads the live metrics, whose
``recovery_time_s`` is observed beside the ``recoveries`` count on that same thread;
``callbacks_timed`` reads the per-callback histograms, each callback (or stretch of them) counted and
timed inside one step of the virtual clock. A real clock's history leaves the four to the end.
``components_follow`` judges each system transition as it is released in seq order; a transition
held back for a missing earlier one waits for it (the end alone gives up on a missing seq). A
stateful test therefore stops at the step that breaks them, and a soak journals the break at its
next live check (``invariant_broke``) instead of learning of it only at its end. The bugs are those
the invariants' own tests plant (a stall reported and not counted, the catalogue's
``pool_exhaustion_not_counted`` and ``histogram_made_anew_each_ask`` for ``recovery_time_s`` and for
``callback_duration_s``, a start that moves the system alone); healthy runs give the same verdict
live as at the end. Virtual clock, fixed seeds: deterministic.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness import SoakRunner, SoakSpec, read_journal
from harness.history import History
from harness.invariants import (
    InvariantViolation,
    LiveChecker,
    Verdict,
    _is_system_dry_pool,
    check_all,
    check_components_follow,
)
from harness.soak import LIVE_EVERY_S
from system_under_test import AudioSystem, State

from test_components_follow import PARTS, _history as _follow_history, _Moves
from test_errors_counted import _plant
from test_recoveries_timed import _made_anew_each_ask

STALLS, ERRORS, FOLLOW, TIMED = "stalls_counted", "errors_counted", "components_follow", "recoveries_timed"
CALLBACKS = "callbacks_timed"
#: the soaks' length: each planted bug of seed 1 first shows well before a live check that is not
#: the soak's last
SOAK_S = 60.0

Act = Callable[[AudioSystem], None]


@pytest.fixture(autouse=True)
def _history_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))


def _live(checker: LiveChecker, name: str) -> Verdict:
    (v,) = [v for v in checker.check() if v.name == name]
    return v


# -- the shipped system, stepped ------------------------------------------------------------------

def _stalling() -> list[Act]:
    """A 100 ms stall of the input, in 20 ms steps: the watchdog reports it within the stall."""
    return [lambda s: s.initialize(), lambda s: s.start(), lambda s: s.run_for(0.1),
            lambda s: s.backend.stall("sim-in"), *[lambda s: s.run_for(0.02)] * 5,
            lambda s: s.backend.unstall("sim-in"), lambda s: s.run_for(0.1)]


def _drying() -> list[Act]:
    """The pool's one block taken: the system's next pass finds it dry and reports it."""
    return [lambda s: s.initialize(), lambda s: s.start(), lambda s: s.run_for(0.05),
            lambda s: s.pipeline.pool.acquire(), *[lambda s: s.run_for(0.02)] * 4]


def _recovering_twice() -> list[Act]:
    """The input lost (a recovery onto the fallback), then restored and the fallback lost (a second
    recovery, back onto the input)."""
    def swap(s: AudioSystem) -> None:
        s.backend.restore_device("sim-in")
        s.backend.remove_device("sim-backup")
    return [lambda s: s.initialize(), lambda s: s.start(), lambda s: s.run_for(0.1),
            lambda s: s.backend.remove_device("sim-in"), *[lambda s: s.run_for(0.05)] * 6,
            swap, *[lambda s: s.run_for(0.05)] * 6]


def _pausing() -> list[Act]:
    """Started, run, paused (the system leaves RUNNING), resumed and stopped."""
    return [lambda s: s.initialize(), lambda s: s.start(), lambda s: s.run_for(0.1), lambda s: s.pause(),
            lambda s: s.resume(), lambda s: s.run_for(0.1), lambda s: s.stop()]


def _restarting() -> list[Act]:
    """Started, run, stopped and started again (a new stream, so a new pipeline asks for its
    histograms), run and stopped."""
    return [lambda s: s.initialize(), lambda s: s.start(), lambda s: s.run_for(0.1), lambda s: s.stop(),
            lambda s: s.start(), lambda s: s.run_for(0.1), lambda s: s.stop()]


def _no_stall_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    """The watchdog's stalls reported and never counted (``test_stalls_counted``'s
    ``_UncountedStalls``: the counter read as the count before)."""
    report = AudioSystem._report_stall

    def uncounted(self: AudioSystem, *a: Any, **kw: Any) -> None:
        counter = self.monitoring.counter("device_stalls")
        before = counter.value
        report(self, *a, **kw)
        counter.value = before

    monkeypatch.setattr(AudioSystem, "_report_stall", uncounted)


def _uncounted_pools(monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalogue's ``pool_exhaustion_not_counted``, planted as ``test_errors_counted`` plants it."""
    _plant(monkeypatch, "pool_exhaustion_not_counted")


def _start_moving_the_system_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """start() moves the system alone to RUNNING (``test_components_follow``'s
    ``_StartLeavesComponents``, batch 50's ``start_leaves_components_starting``)."""
    set_state = AudioSystem._set

    def alone(self: AudioSystem, target: State, cause: str, *, components: tuple[str, ...] = (),
              expect: tuple[State, ...] | None = None) -> None:
        if target == State.RUNNING and cause == "start":
            components = ()
        set_state(self, target, cause, components=components, expect=expect)

    monkeypatch.setattr(AudioSystem, "_set", alone)


def _recovery_timing_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalogue's ``histogram_made_anew_each_ask`` for ``recovery_time_s`` alone, planted as
    ``test_recoveries_timed`` plants it: each recovery's time goes to a new histogram, so the
    published count stays 1 from the second recovery on."""
    _made_anew_each_ask(monkeypatch, only="recovery_time_s")


def _callback_timing_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalogue's ``histogram_made_anew_each_ask`` for ``callback_duration_s`` alone: each new
    pipeline times its callbacks in a new histogram, so from the second one on the published count
    is that pipeline's callbacks only, short of the ``callbacks`` counter."""
    _made_anew_each_ask(monkeypatch, only="callback_duration_s")


def _builds_a_pipeline(e: Any) -> bool:
    """The system entering STARTING or RECOVERING: the moves a new stream's pipeline is built
    after (the first one's histograms hold every callback so far; from the second one on, the bug
    has lost them)."""
    return (e.type == "transition" and e.data.get("component") == "system"
            and e.data.get("to_state") in ("starting", "recovering"))


def _is_recovery(e: Any) -> bool:
    return e.type == "event" and e.value == "recovery_succeeded"


def _is_stall_report(e: Any) -> bool:
    return e.type == "error" and "stalled_for_s" in ((e.data.get("error") or {}).get("details") or {})


def _is_dry_pool(e: Any) -> bool:
    """The system's own report of its dry pool (a fault's report of the pool it drained is not counted)."""
    return e.type == "error" and _is_system_dry_pool(e)


def _leaves_running(e: Any) -> bool:
    return e.type == "transition" and e.data.get("component") == "system" and e.data.get("from_state") == "running"


#: each invariant: its config, its steps, the planted bug, the history entries the bug acts at and
#: which of them first breaks the promise (1: the first; the step that records it is the one the
#: live check must stop at)
CASES: dict[str, tuple[dict[str, Any], Callable[[], list[Act]], Callable[[pytest.MonkeyPatch], None],
                       Callable[[Any], bool], int]] = {
    STALLS: ({}, _stalling, _no_stall_counted, _is_stall_report, 1),
    ERRORS: ({"buffers": {"pool_blocks": 1}}, _drying, _uncounted_pools, _is_dry_pool, 1),
    FOLLOW: ({}, _pausing, _start_moving_the_system_alone, _leaves_running, 1),
    TIMED: ({"recovery": {"initial_backoff_ms": 10, "max_attempts": 2},
             "device": {"fallback_devices": ["sim-backup"]}}, _recovering_twice, _recovery_timing_lost, _is_recovery, 2),
    CALLBACKS: ({}, _restarting, _callback_timing_lost, _builds_a_pipeline, 2),
}
NAMES = list(CASES)


def _stepped(name: str, metrics_every_s: float = 0.02) -> tuple[AudioSystem, History, list[int], int | None,
                                                                 InvariantViolation | None, Verdict]:
    """The steps of ``name``'s case, ``assert_ok`` after each: the system, its history, the history's
    length after each step, the step the checker raised at (None: none) with what it raised, and
    the live verdict of ``name`` after the last step the checker was run to."""
    config, steps = CASES[name][:2]
    system = AudioSystem(config, seed=5)
    h = History().attach(system, metrics_every_s=metrics_every_s)
    checker = LiveChecker(system, h)
    lengths: list[int] = []
    try:
        for i, act in enumerate(steps()):
            act(system)
            lengths.append(len(h))
            try:
                checker.assert_ok()
            except InvariantViolation as exc:
                return system, h, lengths, i, exc, _live(checker, name)
        return system, h, lengths, None, None, _live(checker, name)
    finally:
        checker.close()


def _enters_running(e: Any) -> bool:
    return e.type == "transition" and e.data.get("component") == "system" and e.data.get("to_state") == "running"


#: where a soak's first break differs from the stepped case's: the run asks for
#: ``callback_duration_s`` itself once the system runs (``ReliabilityRun``, to fold each chunk's
#: durations), so the made-anew bug loses the started pipeline's count right after the first
#: entry into RUNNING, with no second pipeline needed
SOAK_BREAKS: dict[str, tuple[Callable[[Any], bool], int]] = {CALLBACKS: (_enters_running, 1)}


def _first_break(entries: Any, name: str, *, soak: bool = False) -> Any:
    """The entry at which ``name``'s planted bug first breaks its promise (in a soak: ``soak``)."""
    found, nth = SOAK_BREAKS[name] if soak and name in SOAK_BREAKS else CASES[name][3:5]
    return [e for e in entries if found(e)][nth - 1]


def _step_of_first(h: History, lengths: list[int], name: str) -> int:
    """The step that recorded the entry at which ``name``'s planted bug first breaks it."""
    first = _first_break(h, name).index
    return next(i for i, n in enumerate(lengths) if n > first)


@pytest.mark.parametrize("name", NAMES)
def test_the_live_check_stops_at_the_step_that_breaks_it(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    CASES[name][2](monkeypatch)
    system, h, lengths, at, exc, live = _stepped(name)
    try:
        assert exc is not None and exc.names == [name], exc
        assert at == _step_of_first(h, lengths, name)
        assert not live.ok and not live.inconclusive, live
        system.close()
        (end,) = check_all(h, system, only=[name])
        assert not end.ok, end  # the end agrees: broken
    finally:
        system.close()
        h.detach()


def test_a_miscount_between_snapshots_stops_the_live_check_at_its_own_step(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots a second apart, none after the dry pool's report in the run: the live check reads
    the system's own errors counter, so it stops at the step that recorded the uncounted report,
    not at a snapshot that never comes."""
    _uncounted_pools(monkeypatch)
    system, h, lengths, at, exc, live = _stepped(ERRORS, metrics_every_s=1.0)
    try:
        first = _first_break(h, ERRORS).index
        assert not [e for e in h if e.type == "metrics" and e.index > first], "a snapshot came after the report"
        assert exc is not None and exc.names == [ERRORS], exc
        assert at == _step_of_first(h, lengths, ERRORS)
        assert not live.ok and not live.inconclusive, live
    finally:
        system.close()
        h.detach()


@pytest.mark.parametrize("name", NAMES)
def test_a_healthy_run_holds_at_every_step_and_the_end_agrees(name: str) -> None:
    system, h, _, at, exc, live = _stepped(name)
    try:
        assert (at, exc) == (None, None)
        assert len([e for e in h if CASES[name][3](e)]) >= CASES[name][4], "the steps made what the invariant judges"
        assert live.ok and not live.inconclusive and not live.evidence, live
        system.close()
        (end,) = check_all(h, system, only=[name])
        assert end.ok and not end.inconclusive and not end.evidence, end
    finally:
        system.close()
        h.detach()


# -- crafted histories: what is judged live and what waits -----------------------------------------

@pytest.fixture
def idle() -> Any:
    """A system that never runs: the checker's own live checks hold on it."""
    system = AudioSystem(seed=1)
    yield system
    system.close()


def _all_running_but_the_input(move: _Moves) -> None:
    """Every part configured and starting, every part but the input running, then the system
    (seq 9)."""
    move.all("configured", "starting")
    for p in PARTS:
        if p != "input":
            move(p, "starting", "running")
    move("system", "starting", "running")


@pytest.mark.parametrize("input_started", [True, False])
def test_a_system_transition_held_back_for_an_earlier_seq_waits_for_it(idle: AudioSystem,
                                                                       input_started: bool) -> None:
    """The system leaves RUNNING (seq 11) recorded before seq 10, which came first: the input's
    move to RUNNING, or to STOPPING. Judged at once, or with the missing seq given up on, seq 11
    would be judged on a guess; live, it waits for seq 10 and is judged as the end judges it: held
    where the input runs, broken where it does not."""
    h = _follow_history()
    move = _Moves(h)
    checker = LiveChecker(idle, h, linearizable=False)
    try:
        _all_running_but_the_input(move)  # the system's move is seq 9
        h.record("transition", time=11.0, data={"seq": 11, "time": 11.0, "component": "system",
                                                "from_state": "running", "to_state": "pausing", "cause": "pause"})
        held = _live(checker, FOLLOW)
        assert held.ok and not held.evidence, held
        h.record("transition", time=10.0, data={"seq": 10, "time": 10.0, "component": "input", "cause": "start",
                                                "from_state": "starting",
                                                "to_state": "running" if input_started else "stopping"})
        v = _live(checker, FOLLOW)
        assert v.ok is input_started, v
        assert [e["seq"] for e in v.evidence] == ([] if input_started else [11]), v
        assert v.to_dict() == check_components_follow(h).to_dict()
    finally:
        checker.close()


def test_a_break_is_counted_once_over_many_checks_as_the_end_counts_it(idle: AudioSystem) -> None:
    h = _follow_history()
    move = _Moves(h)
    checker = LiveChecker(idle, h, linearizable=False)
    try:
        move.all("configured", "starting")
        move("system", "starting", "running")
        assert _live(checker, FOLLOW).ok
        move("system", "running", "pausing")  # the components still starting
        first = _live(checker, FOLLOW)
        assert not first.ok and [e["seq"] for e in first.evidence] == [move.seq], first
        move("system", "pausing", "paused")
        again = _live(checker, FOLLOW)
        assert again.to_dict() == first.to_dict() == check_components_follow(h).to_dict()
    finally:
        checker.close()


def test_a_real_clock_history_leaves_the_counters_to_the_end(idle: AudioSystem) -> None:
    h = History()
    h.record("attach", time=0.0, data={"state": "uninitialized", "configured": False, "pending": False,
                                       "clock": "real", "components": {"system": "uninitialized"}})
    checker = LiveChecker(idle, h, linearizable=False)
    try:
        names = {v.name for v in checker.check()}
        assert FOLLOW in names and not {STALLS, ERRORS, TIMED, CALLBACKS} & names, names
    finally:
        checker.close()


def test_a_system_keeping_no_stall_counter_leaves_it_to_the_end_and_stops_no_step(idle: AudioSystem) -> None:
    """A system of its own may keep no ``device_stalls``: its live check says nothing of stalls
    (the end's verdict says why) instead of an inconclusive that would stop every stateful step."""
    del idle.monitoring.counters["device_stalls"]
    h = History().attach(idle)
    checker = LiveChecker(idle, h)
    try:
        verdicts = {v.name: v for v in checker.check()}
        assert STALLS not in verdicts and {ERRORS, TIMED, CALLBACKS, FOLLOW} <= set(verdicts), sorted(verdicts)
        assert [v.name for v in verdicts.values() if v.inconclusive or not v.ok] == []
        checker.assert_ok()
    finally:
        checker.close()
        h.detach()


# -- soaks ------------------------------------------------------------------------------------------

def _soak(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int,
          faults: str = "default") -> tuple[Any, dict[str, Any], list[dict[str, Any]]]:
    """The soak's result, its report and the breaks its journal noted live."""
    import harness.reports.plots as plots

    monkeypatch.setattr(plots, "draw_all", lambda *a, **kw: {})  # figures are not what this is about
    spec = SoakSpec(duration_s=SOAK_S, seed=seed, faults=faults, checkpoint_s=10.0, run_dir=tmp_path / "run")
    result = SoakRunner(spec).start()
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    notes = [n for n in read_journal(tmp_path / "run").notes if n.get("what") == "invariant_broke"]
    return result, report, notes


@pytest.mark.parametrize("name", NAMES)
def test_a_soak_journals_the_break_at_the_first_live_check_after_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    name: str) -> None:
    CASES[name][2](monkeypatch)
    result, report, notes = _soak(tmp_path, monkeypatch, 1)
    assert result.verdict.outcome.value == "fail", result.verdict
    assert [n["name"] for n in notes] == [name]
    assert report["stability"]["invariants_broken"] == [name]
    # the first entry that breaks it, as the soak's history file recorded it
    first = _first_break(History.open_jsonl(tmp_path / "run" / "history.jsonl"), name, soak=True).time
    # the first live check after the first break: not the soak's end
    assert first <= notes[0]["sim_t"] <= first + LIVE_EVERY_S + 1.0 < SOAK_S


@pytest.mark.parametrize(("seed", "faults"), [(1, "default"), (2, "hostile")])
def test_a_healthy_soak_judges_them_live_and_agrees_with_its_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                       seed: int, faults: str) -> None:
    result, report, notes = _soak(tmp_path, monkeypatch, seed, faults)
    assert notes == []
    live = report["stability"]["live"]
    assert set(NAMES) <= set(live["judged"]) and live["breaks"] == []
    ends = {v["name"]: v for v in report["stability"]["invariants"] if v["name"] in NAMES}
    assert sorted(ends) == sorted(NAMES), ends
    assert all(v["ok"] and not v["inconclusive"] for v in ends.values()), ends
    assert result.verdict.outcome.value == "pass", result.verdict


def test_a_seq_never_recorded_holds_the_live_check_and_the_end_gives_up_on_it(idle: AudioSystem) -> None:
    """Seq 10 is never recorded; the input moves to STOPPING (seq 11) and the system leaves RUNNING
    (seq 12). Live, both wait for seq 10; the end gives up on the hole and judges what came after
    it: the input, known again by its own move, stopping under a system leaving running."""
    h = _follow_history()
    move = _Moves(h)
    checker = LiveChecker(idle, h, linearizable=False)
    try:
        _all_running_but_the_input(move)  # the system's move is seq 9
        h.record("transition", time=11.0, data={"seq": 11, "time": 11.0, "component": "input", "cause": "start",
                                                "from_state": "starting", "to_state": "stopping"})
        h.record("transition", time=12.0, data={"seq": 12, "time": 12.0, "component": "system",
                                                "from_state": "running", "to_state": "pausing", "cause": "pause"})
        held = _live(checker, FOLLOW)
        assert held.ok and not held.evidence, held
        end = check_components_follow(h)
        assert not end.ok, end
        assert [e["seq"] for e in end.evidence] == [12], end
    finally:
        checker.close()
