"""Fault kinds most of whose firings were refused, and kinds the system can never take.

A fault refused when it fires (``Fault.refusal``) was not tried then. Two reasons are told apart
(``kinds.RefusalCause``):

- the system's **state** (failed, recovering, no running stream yet): a scheduled fault refused
  so is held until the system can take it (``FaultInjector``: one a kind), so a profile that
  fails the system on purpose still tries every kind it drew once the system runs again; a fault
  still held at the run's end counts as refused (its reason says so), and a kind whose every
  fault was refused or held so is a note like any kind mostly refused, not the doubt of a kind
  that never fired: the system never was where it could act (``outages`` leaves a healthy system
  failed to the end in a tenth of its runs, 2 of 20 measured), the state the run drew, not a test
  the harness left undone;
- the system's **make** (structural: no coordinator, no global limit of that resource, no pipeline
  while it runs, as an adapted system has none): it never has what the kind acts on. A kind of the
  profile refused so at every firing is **not applicable to this system** (``not_applicable``):
  a named note of the verdict, on the CLI line, ``summary.json``'s ``faults.not_applicable`` and
  the reports, never a silent pass of a kind the user asked for, and no doubt either: no run of
  this system could try it.

A kind of which only a few firings were refused was tested all the same, and the refusals are a
note; a kind of which more were refused than acted was barely tried (``mostly_refused``): a note
naming the kind, its counts and why, never a doubt (as a doubt it read half of ``outages``'s
healthy runs inconclusive with every kind tried). With holding, its refusals are the structural
ones and the state refusals of a kind already held.

Faults the target cannot inject at all (``Schedule.unsupported_reasons``) are not counted here:
they never were the run's to try (a backend without that fault), and a run that injected none
already says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from .injector import HELD_TO_THE_END

if TYPE_CHECKING:  # pragma: no cover
    from .injector import FaultInjector

#: the share of a kind's firings refused above which the run did not try that kind: more
#: refused than acted
REFUSED_FLOOR = 0.5


def mostly_refused(fired_by_kind: Mapping[str, int],
                   refused_by_kind: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, object]]:
    """Kind -> ``{"fired", "refused", "reasons"}`` for each kind more than ``REFUSED_FLOOR`` of
    whose firings were refused (``fired`` acted, ``refused`` could not; ``reasons``: reason ->
    count). A kind that fired and was never refused, or refused at most as often as it acted,
    is absent."""
    out: dict[str, dict[str, object]] = {}
    for kind, reasons in sorted(refused_by_kind.items()):
        refused = sum(reasons.values())
        fired = int(fired_by_kind.get(kind, 0))
        if refused and refused / (refused + fired) > REFUSED_FLOOR:
            out[kind] = {"fired": fired, "refused": refused, "reasons": dict(sorted(reasons.items()))}
    return out


def mostly_refused_of(injector: FaultInjector) -> dict[str, dict[str, object]]:
    """``mostly_refused`` of an injector's run: its firings by kind and those refused by kind (a
    fault still held at the run's end counted as refused, its reason saying so), but for the kinds
    not applicable to the system (a note of their own)."""
    refused: dict[str, dict[str, int]] = {k: dict(v) for k, v in injector.skipped_by_kind.items()}
    for kind, reasons in injector.held_at_end.items():
        for reason, n in reasons.items():
            said = HELD_TO_THE_END.format(reason=reason)
            refused.setdefault(kind, {})[said] = refused.get(kind, {}).get(said, 0) + n
    said_otherwise = set(not_applicable_of(injector))
    return {kind: d for kind, d in mostly_refused(injector.fired_by_kind, refused).items()
            if kind not in said_otherwise or injector.fired_by_kind.get(kind)}


def not_applicable(fired_by_kind: Mapping[str, int], refused_by_kind: Mapping[str, Mapping[str, int]],
                   structural_by_kind: Mapping[str, Mapping[str, int]],
                   held_at_end: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, object]]:
    """Kind -> ``{"refused", "reasons"}`` for each kind that never acted, none of whose faults was
    held to the run's end, and whose refusals include one of the system's make
    (``RefusalCause.STRUCTURAL``): a fault held for the state that then met the make counts so
    (an adapted player refuses a pool's drain while it starts, then while it runs)."""
    out: dict[str, dict[str, object]] = {}
    for kind, reasons in sorted(structural_by_kind.items()):
        if fired_by_kind.get(kind) or held_at_end.get(kind) or not sum(reasons.values()):
            continue
        every = refused_by_kind.get(kind, reasons)
        out[kind] = {"refused": sum(every.values()), "reasons": dict(sorted(reasons.items()))}
    return out


def not_applicable_of(injector: FaultInjector) -> dict[str, dict[str, object]]:
    """``not_applicable`` of an injector's run."""
    return not_applicable(injector.fired_by_kind, injector.skipped_by_kind, injector.structural_by_kind,
                          injector.held_at_end)


def describe_not_applicable(kinds: Mapping[str, Mapping[str, object]]) -> str:
    """``"buffer_exhaustion (refused at each of its 3 firings: the system has no pipeline ...)"``
    for each kind, for the verdict's note."""
    parts = []
    for kind, d in sorted(kinds.items()):
        reasons = d.get("reasons") if isinstance(d.get("reasons"), Mapping) else {}
        why = "; ".join(sorted(reasons))  # type: ignore[arg-type]
        n = int(d.get("refused", 0))  # type: ignore[call-overload]
        parts.append(f"{kind} (refused at each of its {n} firing(s)" + (f": {why}" if why else "") + ")")
    return ", ".join(parts)


def describe_refused(kinds: Mapping[str, Mapping[str, object]]) -> str:
    """``"xrun (40 of 50 refused: the system is failed: ...)"`` for each kind, for the verdict."""
    parts = []
    for kind, d in sorted(kinds.items()):
        fired, refused = int(d.get("fired", 0)), int(d.get("refused", 0))  # type: ignore[call-overload]
        reasons = d.get("reasons") if isinstance(d.get("reasons"), Mapping) else {}
        why = "; ".join(f"{r} x{n}" for r, n in sorted(reasons.items()))  # type: ignore[union-attr]
        parts.append(f"{kind} ({refused} of {fired + refused} refused" + (f": {why}" if why else "") + ")")
    return ", ".join(parts)
