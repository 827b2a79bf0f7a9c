"""Why a fault the run's schedule drew never fired: still queued, refused, or never reached.

A run whose schedule drew a fault kind that never fired tested nothing of that kind, and its
verdict says so (``harness.verdict.judge_run``'s ``unfired``). What a user does about it depends
on why, so each such fault is put in one of three causes:

- ``queued``: its time came before the faults were disarmed at the run's end, but it had not
  fired: it waited behind the injector's earlier calls. On a real clock the injector fires
  faults one after another on one timer thread, and a lifecycle storm's calls each reopen the
  device (1.3-3.3 s a call measured on the loaded JACK rig), so later faults queue behind it.
  Running longer, or a profile without lifecycle storms on a real device, is the remedy.
- ``refused``: it fired and could not act (``Fault.refusal``: nothing to act on then).
- ``held``: it fired, the system's state refused it (failed, recovering, no running stream), and
  it was still held for the system to take it when the faults were disarmed at the run's end
  (``FaultInjector``'s hold): the system never came back to where it could act on it.
- ``never reached``: its time was after the faults were disarmed (the run ended first: a fault
  a schedule or scenario was given for after the run's duration, or one a run stopped early never
  reached; a profile's random draw places every fault within the duration, ``Schedule.random``),
  or the run never armed its faults at all (the system never ran).

Only kinds of which not one fault fired are judged here (a kind that fired was tested), and a
kind every drawn fault of which was refused or held to the run's end is ``harness.faults.refused``'s
(not applicable to the system, or a note naming the kind, its counts and why): the system itself
was never where the kind could act (a profile that fails the system on purpose leaves it failed
to the end in a tenth of ``outages``'s healthy runs), which is the system's state the run drew,
not a test the harness left undone. ``held`` counts here only beside faults of the kind that
were queued or never reached.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .triggers import At, Every, WithProbability

if TYPE_CHECKING:  # pragma: no cover
    from .injector import FaultInjector
    from .kinds import Fault

QUEUED = "queued"
REFUSED = "refused"
HELD = "held"
NEVER_REACHED = "never reached"
#: the causes in the order a reason names them
CAUSES = (QUEUED, REFUSED, HELD, NEVER_REACHED)


@dataclass(frozen=True)
class UnfiredKind:
    """The drawn faults of one kind none of which fired, by cause, and the clause that says why."""

    kind: str
    drawn: int
    causes: dict[str, int]
    why: str

    def to_dict(self) -> dict[str, object]:
        return {"drawn": self.drawn, **{cause.replace(" ", "_"): n for cause, n in self.causes.items()},
                "why": self.why}


def _first_time(fault: Fault) -> float | None:
    """When ``fault``'s trigger first asks to fire on the system clock (None: not a time, e.g. the
    n-th call of an operation)."""
    trigger = fault.trigger
    if isinstance(trigger, At):
        return trigger.time
    if isinstance(trigger, (Every, WithProbability)):
        return trigger.start_s
    return None


def _seconds(x: float) -> str:
    return f"{x:.1f} s"


def unfired_kinds(injector: FaultInjector) -> dict[str, UnfiredKind]:
    """Kind -> ``UnfiredKind`` for each kind the run's schedule drew of which none fired and not
    every drawn fault was refused (``runner.scheduled_unfired`` counts the same kinds)."""
    drawn: dict[str, list[Fault]] = {}
    for fault in injector.schedule.faults:
        drawn.setdefault(fault.kind, []).append(fault)
    out: dict[str, UnfiredKind] = {}
    for kind, faults in sorted(drawn.items()):
        if injector.fired_by_kind.get(kind):
            continue
        refused_total = sum(injector.skipped_by_kind.get(kind, Counter()).values())
        held_total = sum(injector.held_at_end.get(kind, Counter()).values())
        if kind in injector.schedule.unsupported_reasons or refused_total + held_total >= len(faults):
            continue  # the target's reason, or the system's at each firing: a note (``skips``, ``refused``)
        out[kind] = _classify(injector, kind, faults, refused_total, held_total)
    return out


def _classify(injector: FaultInjector, kind: str, faults: list[Fault], refused_total: int,
              held_total: int = 0) -> UnfiredKind:
    end = injector.disarmed_at
    causes: Counter[str] = Counter()
    late: list[float] = []  # how long before the end a queued fault's time came
    early: list[float] = []  # how long after the end a fault never reached was due
    if not injector.was_armed or end is None:
        causes[NEVER_REACHED] = len(faults)
    else:
        came = []
        for fault in faults:
            t = _first_time(fault)
            if t is not None and t > end:
                causes[NEVER_REACHED] += 1
                early.append(t - end)
            else:
                came.append(t)
        held = min(held_total, len(came))
        refused = min(refused_total, len(came) - held)
        causes[HELD] = held
        causes[REFUSED] = refused
        causes[QUEUED] = len(came) - refused - held
        # the injector runs the faults whose time came in time order, so the refused ones (which
        # fired) were due first and the queued ones are the latest due
        late = sorted(end - t for t in came if t is not None)[: causes[QUEUED]]
    counts = {c: causes[c] for c in CAUSES if causes[c]}
    return UnfiredKind(kind, len(faults), counts, _why(injector, kind, counts, late, early))


def _why(injector: FaultInjector, kind: str, counts: dict[str, int], late: list[float], early: list[float]) -> str:
    parts: list[str] = []
    if counts.get(QUEUED):
        busy = injector.busy_at_disarm
        behind = (f"behind {busy[0]}'s calls, running for {_seconds(injector.disarmed_at - busy[1])}"
                  if busy is not None and injector.disarmed_at is not None
                  else "behind the injector's earlier calls")
        due = (f", due {_seconds(late[0])} before it" if len(late) == 1 else
               f", due up to {_seconds(max(late))} before it" if late else "")
        parts.append(f"{counts[QUEUED]} still queued when the faults were disarmed at the run's end{due} ({behind})")
    if counts.get(REFUSED):
        parts.append(f"{counts[REFUSED]} refused when it fired (see the skipped faults)")
    if counts.get(HELD):
        reasons = sorted(injector.held_at_end.get(kind, {}))
        parts.append(f"{counts[HELD]} held from when it fired until the run's end, the system never able "
                     f"to take it ({'; '.join(reasons)})")
    if counts.get(NEVER_REACHED):
        if not injector.was_armed or injector.disarmed_at is None:
            parts.append(f"{counts[NEVER_REACHED]} never reached: the run never armed its faults")
        else:
            due = (f", due {_seconds(early[0])} after it" if len(early) == 1 else
                   f", the first due {_seconds(min(early))} after it" if early else "")
            parts.append(f"{counts[NEVER_REACHED]} never reached: the run's end came first{due}")
    return "; ".join(parts)


__all__ = ["CAUSES", "HELD", "NEVER_REACHED", "QUEUED", "REFUSED", "UnfiredKind", "unfired_kinds"]
