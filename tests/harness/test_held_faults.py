"""A scheduled fault refused for the system's state is held and acts once the system can take it;
one the system can never take is refused for its make (issue #11).

Before, a fault that fired while the system was recovering or failed was refused and lost: a
profile that fails the system on purpose (``outages``) left kinds untried (block size 8192,
``outages`` seed 93101: its one ``buffer_exhaustion`` refused, the run tested nothing of it).
Here a dropout takes the device away at 1 s and an xrun is due at 1.02 s, while the system
recovers: the xrun waits and makes the first callback of the reopened stream late.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, ClassVar

import pytest
from running_system import running_system

from harness.faults import FaultInjector, fault_from_dict
from harness.faults.injector import HELD_TO_THE_END
from harness.faults.kinds import Fault, FaultContext, Refusal, RefusalCause, refused_now
from harness.faults.triggers import At
from harness.faults.refused import mostly_refused_of
from harness.faults.unfired import unfired_kinds
from harness.history import History
from system_under_test.clock import VirtualClock
from system_under_test.devices.simulated import SimulatedBackend

ROOT = Path(__file__).resolve().parents[2]
RECOVERING = "the system is recovering: no running stream whose next callback could be late"
FAILED = "the system is failed: no running stream whose next callback could be late"


def _fault(kind: str, at: float, name: str, **params: Any) -> Fault:
    fault = fault_from_dict({"kind": kind, **params})
    fault.trigger, fault.fault_id = At(at), name
    return fault


def _run(faults: list[Fault], seconds: float = 5.0) -> tuple[FaultInjector, History]:
    """The shipped system on the simulated device, ``faults`` armed, run for ``seconds``."""
    system, history = running_system()
    injector = FaultInjector(system, faults, seed=1, history=history)
    injector.arm()
    system.run_for(seconds)
    injector.disarm()
    return injector, history


def _system_state_at(history: History, t: float) -> str:
    state = "uninitialized"
    for e in history.entries:
        if e.type == "transition" and e.data["component"] == "system" and e.time <= t:
            state = e.data["to_state"]
    return state


def test_a_fault_refused_while_the_system_recovers_acts_once_it_runs_again():
    injector, history = _run([_fault("dropout", 1.0, "drop", duration_s=0.5),
                              _fault("xrun", 1.02, "late", delay_s=0.005)])
    (held,) = [e for e in history.entries if e.type == "note" and e.value == "fault_held"]
    assert (held.time, held.data["kind"], held.data["reason"]) == (pytest.approx(1.02), "xrun", RECOVERING)
    late = _fault("xrun", 1.02, "late", delay_s=0.005)
    assert (held.data["fault_id"], held.data["trigger"], held.data["params"]) == (
        "late", late.trigger.describe(), late.recorded_params())
    (start,) = [e for e in history.entries if e.type == "fault_start" and e.value == "xrun"]
    back = next(e.time for e in history.entries if e.type == "transition" and e.data["component"] == "system"
                and e.data["to_state"] == "running" and e.time > 1.0)
    assert start.time == back and _system_state_at(history, start.time) == "running"
    assert start.data["details"] == {"held_since": pytest.approx(1.02)}
    assert injector.fired_by_kind == {"dropout": 1, "xrun": 1}
    assert injector.held_summary() == {"xrun": {"held": 1, "acted": 1, "at_end": 0}}
    assert injector.skips() == {} and unfired_kinds(injector) == {}


def test_a_kind_held_twice_in_a_run_is_counted_twice():
    """Two dropouts, each with an xrun due while the system recovers: each xrun is held and acts
    once the stream runs again, and the summary counts both."""
    injector, _ = _run([_fault("dropout", 1.0, "drop1", duration_s=0.5), _fault("xrun", 1.02, "late1", delay_s=0.005),
                        _fault("dropout", 3.0, "drop2", duration_s=0.5), _fault("xrun", 3.02, "late2", delay_s=0.005)])
    assert injector.held_summary() == {"xrun": {"held": 2, "acted": 2, "at_end": 0}}


def test_the_same_faults_give_the_same_history_with_a_held_fault():
    faults = lambda: [_fault("dropout", 1.0, "drop", duration_s=0.5), _fault("xrun", 1.02, "late", delay_s=0.005),
                      _fault("callback_raises", 1.03, "raise")]  # noqa: E731
    one, two = (_run(faults())[1] for _ in range(2))
    assert [e.to_dict() for e in one.entries] == [e.to_dict() for e in two.entries]
    # the raising callback acts as it comes (a recovering system opens a stream it meets), the xrun waits
    assert [e.value for e in one.entries if e.type == "fault_start"] == ["dropout", "callback_raises", "xrun"]


def test_one_fault_a_kind_is_held_and_a_fault_never_taken_is_counted_at_the_end():
    """The device stays away: the recovery gives up (failed) and no held fault ever acts. The second
    xrun refused while the first is held is skipped as it fires; the held one is counted at the
    end with the reason it met last; the kind never acted because the system never came back: its
    refusals' note (held to the end counted as refused), not the doubt of a kind never fired."""
    injector, history = _run([_fault("dropout", 1.0, "drop", duration_s=30.0),
                              _fault("xrun", 1.02, "late1", delay_s=0.005),
                              _fault("xrun", 1.04, "late2", delay_s=0.005)])
    assert _system_state_at(history, 5.0) == "failed"
    assert injector.held_summary() == {"xrun": {"held": 1, "acted": 0, "at_end": 1}}
    assert injector.skips() == {"xrun": {RECOVERING: 1, HELD_TO_THE_END.format(reason=FAILED): 1}}
    (at_end,) = [e for e in history.entries if e.type == "note" and e.value == "fault_skipped"
                 and e.data["fault_id"] == "late1"]
    assert (at_end.data["reason"], at_end.data["held_since"]) == (HELD_TO_THE_END.format(reason=FAILED),
                                                                  pytest.approx(1.02))
    assert unfired_kinds(injector) == {}
    assert mostly_refused_of(injector) == {"xrun": {"fired": 0, "refused": 2, "reasons": {
        RECOVERING: 1, HELD_TO_THE_END.format(reason=FAILED): 1}}}
    assert injector.structural_by_kind == {}


def test_a_fault_injected_by_hand_is_refused_not_held():
    """A scenario's step or the stateful machine asked for the fault at that instant."""
    injector, _ = _run([_fault("dropout", 1.0, "drop", duration_s=30.0)], seconds=2.0)
    assert injector.inject(_fault("xrun", 0.0, "by-hand", delay_s=0.005)) is None
    assert injector.held_summary() == {} and injector.skips()["xrun"] == {RECOVERING: 1}


@pytest.fixture
def player(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(ROOT))
    from examples.simple_player import make_system

    clock = VirtualClock()
    system = make_system(None, backend=SimulatedBackend(clock, seed=0), clock=clock, seed=0)
    system.initialize()
    if system.config is None:
        system.configure({})
    return system


def test_a_part_the_running_system_lacks_is_its_make_and_one_lacked_before_it_runs_its_state(player):
    drain = fault_from_dict({"kind": "buffer_exhaustion"})
    slow = fault_from_dict({"kind": "slow_dsp"})
    assert drain.refusal(player).cause is RefusalCause.STATE  # configured: its stream is not open yet
    player.start()
    player.run_for(0.1)
    for fault in (drain, slow):
        refusal = fault.refusal(player)
        assert refusal is not None and refusal.structural and "no pipeline (in state running)" in refusal.reason
    assert fault_from_dict({"kind": "buffer_exhaustion", "mode": "limit", "resource": "buffers"}).refusal(
        player).structural  # the player never holds buffers
    assert fault_from_dict({"kind": "xrun"}).refusal(player) is None


def test_the_shipped_system_failed_lacks_its_pipeline_for_the_moment_only():
    injector, _ = _run([_fault("dropout", 1.0, "drop", duration_s=30.0)])
    system = injector.system
    assert system.state.value == "failed" and system.pipeline is None
    refusal = fault_from_dict({"kind": "slow_dsp"}).refusal(system)
    assert refusal is not None and refusal.cause is RefusalCause.STATE


def test_a_held_fault_that_meets_the_systems_make_is_skipped_as_not_applicable(player):
    """The player refuses a pool's drain while it starts (its state), then while it runs (its
    make): the held fault is let go as a refusal for good, and the kind is not applicable."""
    from harness.faults.refused import not_applicable_of

    history = History(clock=player.clock).attach(player)
    injector = FaultInjector(player, [_fault("buffer_exhaustion", 0.0, "drain")], seed=1, history=history)
    injector.arm()
    player.clock.advance(0.0)  # the fault's time: the player is configured, not running
    assert injector.held_summary() == {"buffer_exhaustion": {"held": 1, "acted": 0, "at_end": 0}}
    player.start()
    player.run_for(0.1)
    injector.disarm()
    reason = "the system has no pipeline (in state running), so no block pool to drain"
    assert injector.structural_by_kind == {"buffer_exhaustion": {reason: 1}}
    assert not_applicable_of(injector) == {"buffer_exhaustion": {"refused": 1, "reasons": {reason: 1}}}
    assert injector.held_at_end == {}


def test_a_held_fault_refused_again_at_one_transition_is_asked_again_at_the_next():
    """Paused at 0.5 s, the xrun due at 1 s is held; the stop at 1.5 s is a transition after which
    it is still refused (stopped), and the start at 2 s the one after which it acts: each
    transition while a fault is held asks again, not only the first."""
    system, history = running_system()
    injector = FaultInjector(system, [_fault("xrun", 1.0, "late", delay_s=0.005)], seed=1, history=history)
    injector.arm()
    system.run_for(0.5)
    system.pause()
    system.run_for(1.0)
    assert injector.held_summary() == {"xrun": {"held": 1, "acted": 0, "at_end": 0}}
    system.stop()
    system.run_for(0.5)
    assert injector.fired_by_kind == {}
    system.start()
    system.run_for(0.5)
    injector.disarm()
    (start,) = [e for e in history.entries if e.type == "fault_start" and e.value == "xrun"]
    assert start.time == pytest.approx(2.0) and start.data["details"] == {"held_since": pytest.approx(1.0)}
    assert injector.held_summary() == {"xrun": {"held": 1, "acted": 1, "at_end": 0}}


def test_a_held_fault_s_record_keeps_since_when_it_was_held_to_its_end():
    """The firing's record, in memory and in the history's ``fault_end``, still names
    ``held_since`` once the fault's start has added its own details."""
    injector, history = _run([_fault("dropout", 1.0, "drop", duration_s=0.5),
                              _fault("xrun", 1.02, "late", delay_s=0.005)])
    (record,) = [r for r in injector.records if r.kind == "xrun"]
    (end,) = [e for e in history.entries if e.type == "fault_end" and e.value == "xrun"]
    for details in (record.details, end.data["details"]):
        assert details.get("held_since") == pytest.approx(1.02)


def test_a_kind_whose_one_fault_was_held_to_the_end_is_noted_as_refused():
    """The device stays away and the one xrun drawn is held to the end, never refused as it fired:
    its kind is the refusals' note all the same, not left out of both notes."""
    injector, _ = _run([_fault("dropout", 1.0, "drop", duration_s=30.0), _fault("xrun", 1.02, "late", delay_s=0.005)])
    assert injector.skipped_by_kind == {} and unfired_kinds(injector) == {}
    assert mostly_refused_of(injector) == {"xrun": {"fired": 0, "refused": 1, "reasons": {
        HELD_TO_THE_END.format(reason=FAILED): 1}}}


def test_a_kind_held_to_the_end_is_not_called_not_applicable_for_a_structural_refusal():
    """A kind refused once for the system's make and held for its state to the run's end could have
    acted had the system come back: it is the refusals' note, not 'not applicable'."""
    from harness.faults.refused import not_applicable

    structural = {"buffer_exhaustion": {"the system has no pipeline (in state running), so no block pool": 1}}
    held = {"buffer_exhaustion": {"the system is failed": 1}}
    assert not_applicable({}, structural, structural, held) == {}
    assert not_applicable({}, structural, structural, {}) == {
        "buffer_exhaustion": {"refused": 1, "reasons": structural["buffer_exhaustion"]}}


def test_a_system_that_says_no_state_lacks_a_part_for_good():
    """An adapted system without a ``state`` has nothing to wait for: a part it lacks is its make."""
    from types import SimpleNamespace

    from harness.faults.kinds import lacking

    refusal = fault_from_dict({"kind": "buffer_exhaustion"}).refusal(SimpleNamespace(pipeline=None))
    assert refusal is not None and refusal.cause is RefusalCause.STRUCTURAL
    assert lacking(SimpleNamespace(), "no pipeline").structural


class _DrawsWhenRunning(Fault):
    """Refused while the system does not run (a refusal of its state: held), and draws from its
    own random stream when it acts, as the seeded kinds (``concurrent_transitions``,
    ``lifecycle_calls``) do: the draw is what the test reads."""

    kind: ClassVar[str] = "draws_when_running"

    def refusal(self, system: Any) -> Refusal | None:
        return refused_now(None if system.state.value == "running" else "the system does not run")

    def start(self, ctx: FaultContext) -> Any:
        return {"draw": ctx.rng.random()}


def test_a_held_fault_draws_from_its_own_seeded_stream_when_it_acts():
    """A fault held for the state and fired at the next transition draws the numbers its seed and
    id give (``seed:fault_id``), as it would have drawn had it acted when its time came: the held
    fault keeps its stream, and the retry hands it on."""
    system, history = running_system()
    fault = _DrawsWhenRunning(trigger=At(1.0), fault_id="drawn")
    injector = FaultInjector(system, [fault], seed=1, history=history)
    injector.arm()
    system.run_for(0.5)
    system.pause()
    system.run_for(1.0)
    assert injector.held_summary() == {"draws_when_running": {"held": 1, "acted": 0, "at_end": 0}}
    system.resume()
    system.run_for(0.5)
    injector.disarm()
    (record,) = injector.records
    assert record.details == {"held_since": pytest.approx(1.0), "draw": random.Random("1:drawn").random()}
    assert injector.held_summary() == {"draws_when_running": {"held": 1, "acted": 1, "at_end": 0}}
