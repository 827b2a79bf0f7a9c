"""Why a drawn fault never fired: still queued behind the injector's earlier calls at the run's end,
refused when it fired, or never reached (due after the end, or the faults never armed).

Measured on the loaded JACK rig: 249 of 416 drawn faults never fired, most of them queued behind
lifecycle storms whose calls each reopen the device; the verdict's doubt said only "N drawn", so a
user could not tell a run too short from a profile too slow for a real device.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from types import SimpleNamespace
from typing import Any, ClassVar

from harness.faults import FaultInjector, Schedule
from harness.faults.kinds import Fault, FaultContext, Refusal, RefusalCause
from harness.faults.triggers import At
from harness.faults.unfired import HELD, NEVER_REACHED, QUEUED, REFUSED, unfired_kinds
from harness.verdict import judge_run
from system_under_test.clock import SystemClock, VirtualClock


class _Quick(Fault):
    """Fires and acts on nothing: a fault the run did test."""

    kind: ClassVar[str] = "quick"

    def start(self, ctx: FaultContext) -> Any:
        return {}


class _Waiting(Fault):
    """A fault whose kind is judged: it does nothing when it fires."""

    kind: ClassVar[str] = "waiting"

    def start(self, ctx: FaultContext) -> Any:
        return {}


class _Refusing(_Waiting):
    """The same kind, refused when it fires: the system never has what it acts on."""

    def refusal(self, system: Any) -> Refusal | None:
        return Refusal("nothing to act on", RefusalCause.STRUCTURAL)


class _Unready(_Waiting):
    """The same kind, refused for the system's state at every asking (a system failed for good)."""

    def refusal(self, system: Any) -> Refusal | None:
        return Refusal("the system is failed", RefusalCause.STATE)


def _injector(clock: Any, faults: list[Fault]) -> FaultInjector:
    for i, fault in enumerate(faults):
        fault.fault_id = f"{fault.kind}#{i}"
    return FaultInjector(SimpleNamespace(clock=clock), Schedule(faults), seed=1, target=SimpleNamespace())


def test_a_fault_due_while_the_injector_is_busy_with_another_is_queued_behind_it():
    """The faults' end comes while a slow fault's ``start`` holds the injector's one timer thread
    (a lifecycle storm on a real device): the fault due 0.05 s in is still queued, and the reason
    names what it waited behind. The slow fault disarms the injector itself once the other's time
    has passed, so the order is fixed whatever the machine's load."""
    clock = SystemClock()
    t0 = clock.now()
    done = threading.Event()

    class _Slow(Fault):
        kind: ClassVar[str] = "slow_calls"

        def start(self, ctx: FaultContext) -> Any:
            while clock.now() < t0 + 0.1:  # past the waiting fault's time
                time.sleep(0.005)
            ctx.injector.disarm()  # the run's end, with this fault's calls still running
            done.set()
            return {}

    injector = _injector(clock, [_Slow(trigger=At(t0)), _Waiting(trigger=At(t0 + 0.05))])
    injector.arm()
    assert done.wait(60.0), "the slow fault never ran"
    (why,) = unfired_kinds(injector).values()
    assert why.kind == "waiting" and why.causes == {QUEUED: 1}
    assert injector.busy_at_disarm is not None and injector.busy_at_disarm[0] == "slow_calls"
    assert why.why.startswith("1 still queued when the faults were disarmed at the run's end, due ")
    assert " s before it (behind slow_calls's calls, running for " in why.why


def test_refused_and_never_reached_are_told_apart_on_the_simulated_clock():
    """One fault of the kind fires and is refused at 1 s, one is due at 50 s after the faults were
    disarmed at 10 s; a kind that fired is not judged."""
    clock = VirtualClock()
    injector = _injector(clock, [_Quick(trigger=At(0.5)), _Refusing(trigger=At(1.0)), _Waiting(trigger=At(50.0))])
    injector.arm()
    clock.advance(10.0)
    injector.disarm()
    kinds = unfired_kinds(injector)
    assert list(kinds) == ["waiting"]
    assert kinds["waiting"].causes == {REFUSED: 1, NEVER_REACHED: 1}
    assert kinds["waiting"].why == ("1 refused when it fired (see the skipped faults); "
                                    "1 never reached: the run's end came first, due 40.0 s after it")
    assert kinds["waiting"].to_dict() == {"drawn": 2, "refused": 1, "never_reached": 1, "why": kinds["waiting"].why}


def test_a_kind_refused_every_time_stays_a_note_and_faults_never_armed_were_never_reached():
    clock = VirtualClock()
    refused = _injector(clock, [_Refusing(trigger=At(1.0))])
    refused.arm()
    clock.advance(5.0)
    refused.disarm()
    assert unfired_kinds(refused) == {}  # the skip's own note names the target's reason

    never_armed = _injector(VirtualClock(), [_Waiting(trigger=At(1.0)), _Waiting(trigger=At(2.0))])
    never_armed.disarm()
    (why,) = unfired_kinds(never_armed).values()
    assert why.causes == {NEVER_REACHED: 2}
    assert why.why == "2 never reached: the run never armed its faults"


def test_a_kind_held_for_the_state_to_the_end_is_the_refusals_note_alone_and_unfired_beside_a_fault_never_reached():
    """Refused for the system's state, the first fault is held and the second skipped (one held a
    kind); neither acted by the end: the system never came back to where the kind could act, the
    refusals' note (``harness.faults.refused``), not a kind the harness left untried. With a third
    fault due after the end the kind is unfired, and the reason says one waited."""
    clock = VirtualClock()
    injector = _injector(clock, [_Quick(trigger=At(0.5)), _Unready(trigger=At(1.0)), _Unready(trigger=At(2.0))])
    injector.arm()
    clock.advance(10.0)
    injector.disarm()
    assert unfired_kinds(injector) == {}
    assert injector.held_summary() == {"waiting": {"held": 1, "acted": 0, "at_end": 1}}

    clock = VirtualClock()
    injector = _injector(clock, [_Quick(trigger=At(0.5)), _Unready(trigger=At(1.0)), _Unready(trigger=At(2.0)),
                                 _Unready(trigger=At(20.0))])
    injector.arm()
    clock.advance(10.0)
    injector.disarm()
    (why,) = unfired_kinds(injector).values()
    assert why.kind == "waiting" and why.causes == {REFUSED: 1, HELD: 1, NEVER_REACHED: 1}
    assert ("1 refused when it fired (see the skipped faults); 1 held from when it fired until the "
            "run's end, the system never able to take it (the system is failed)") in why.why


def test_a_kind_whose_one_fault_was_held_to_the_end_is_mostly_refused_by_that_reason_alone():
    """One fault of the kind, held for the system's state and never taken: no refusal was counted
    when it fired (it was held), so its kind's only refusal is the hold's note at the end."""
    from harness.faults.injector import HELD_TO_THE_END
    from harness.faults.refused import mostly_refused_of

    clock = VirtualClock()
    injector = _injector(clock, [_Quick(trigger=At(0.5)), _Unready(trigger=At(1.0))])
    injector.arm()
    clock.advance(10.0)
    injector.disarm()
    assert "waiting" not in injector.skipped_by_kind
    assert mostly_refused_of(injector) == {"waiting": {
        "fired": 0, "refused": 1, "reasons": {HELD_TO_THE_END.format(reason="the system is failed"): 1}}}


def test_the_verdict_names_why_beside_each_kind_and_reads_an_older_summary_without_it():
    why = {"dropout": {"drawn": 2, "queued": 2, "why": "2 still queued when the faults were disarmed"}}
    verdict = judge_run([], status="completed", faults_injected=3, unfired={"dropout": 2, "xrun": 1},
                        unfired_why=why)
    assert ("fault kinds the schedule drew never fired: dropout (2 drawn: 2 still queued when the faults were "
            "disarmed), xrun (1 drawn): the run tested nothing of them") in verdict.doubts
    older = judge_run([], status="completed", faults_injected=3, unfired={"dropout": 2})
    assert "fault kinds the schedule drew never fired: dropout (2 drawn): the run tested nothing of them" \
        in older.doubts


def _read(faults: list[tuple[str, float | None]], *, armed: bool = True, end: float | None = 10.0,
          busy: tuple[str, float] | None = None, fired: tuple[str, ...] = (),
          refused: dict[str, int] | None = None, unsupported: tuple[str, ...] = ()) -> dict[str, Any]:
    """``unfired_kinds`` of an injector's recorded state, written out: each drawn fault as (kind,
    first time or None for a trigger that is no time), the faults disarmed at ``end``, the call the
    injector was busy with then."""
    schedule = SimpleNamespace(
        faults=[SimpleNamespace(kind=k, trigger=At(t) if t is not None else SimpleNamespace()) for k, t in faults],
        unsupported_reasons={k: "no such target" for k in unsupported})
    injector = SimpleNamespace(schedule=schedule, fired_by_kind={k: 1 for k in fired},
                               skipped_by_kind={k: Counter({"nothing to act on": n}) for k, n in (refused or {}).items()},
                               was_armed=armed, disarmed_at=end, busy_at_disarm=busy, held_at_end={})
    return {k: (v.causes, v.why) for k, v in unfired_kinds(injector).items()}  # type: ignore[arg-type]


#: (the injector's state, kind -> (causes, why)): every clause of the reason, each boundary of the
#: classification (a fault due exactly at the end came in time), each count above one
CASES: list[tuple[dict[str, Any], dict[str, Any]]] = [
    (dict(faults=[("w", 1.0)]),
     {"w": ({QUEUED: 1}, "1 still queued when the faults were disarmed at the run's end, due 9.0 s before it "
                         "(behind the injector's earlier calls)")}),
    (dict(faults=[("w", 1.0), ("w", 3.5)], busy=("storm", 4.0)),
     {"w": ({QUEUED: 2}, "2 still queued when the faults were disarmed at the run's end, due up to 9.0 s before "
                         "it (behind storm's calls, running for 6.0 s)")}),
    (dict(faults=[("w", None)]),
     {"w": ({QUEUED: 1}, "1 still queued when the faults were disarmed at the run's end (behind the "
                         "injector's earlier calls)")}),
    (dict(faults=[("w", 10.0), ("w", 10.5)]),
     {"w": ({QUEUED: 1, NEVER_REACHED: 1}, "1 still queued when the faults were disarmed at the run's end, due "
                                            "0.0 s before it (behind the injector's earlier calls); 1 never "
                                            "reached: the run's end came first, due 0.5 s after it")}),
    (dict(faults=[("w", 12.0), ("w", 30.0), ("w", 11.0)]),
     {"w": ({NEVER_REACHED: 3}, "3 never reached: the run's end came first, the first due 1.0 s after it")}),
    (dict(faults=[("w", 1.0), ("w", 2.0)], armed=False),
     {"w": ({NEVER_REACHED: 2}, "2 never reached: the run never armed its faults")}),
    (dict(faults=[("w", 1.0)], end=None),
     {"w": ({NEVER_REACHED: 1}, "1 never reached: the run never armed its faults")}),
    (dict(faults=[("a", 1.0), ("b", 1.0), ("c", 1.0), ("c", 2.0), ("d", 1.0)], fired=("d",),
          refused={"a": 1}, unsupported=("b",)),
     {"c": ({QUEUED: 2}, "2 still queued when the faults were disarmed at the run's end, due up to 9.0 s before "
                         "it (behind the injector's earlier calls)")}),
]


def test_each_cause_and_its_reason_exactly():
    for state, want in CASES:
        assert _read(**state) == want, state
