"""Fault kinds most of whose firings were refused: drawn, fired at their time, and could not act.

A fault refused when it fires (``Fault.why_not_now``: no running stream, no pipeline, the system
failed or recovering) was not tried. A kind of which only a few firings were refused was tested
all the same, and the refusals are a note; a kind of which more were refused than acted was
barely tried. The verdict (``harness.verdict.judge_run``'s ``mostly_refused``) notes each such
kind, its counts and why its faults were refused; it does not make the run inconclusive. A fault
fired into a failed or recovering system is refused by design (the schedule keeps its time), so a
profile that fails the system on purpose refuses many faults of a healthy one: as a doubt, this
read half of ``outages``'s healthy runs and a quarter of ``hostile``'s inconclusive with every kind
tried. Nor does a reason yet tell a system failed for the moment from one that never has what the
kind acts on (an adapted system with no pipeline refuses ``buffer_exhaustion`` at every firing
while it runs), so a kind refused at every firing is a note too. Holding a refused fault until
the system runs again would try those kinds; that changes every run's schedule.

Faults the target cannot inject at all (``Schedule.unsupported_reasons``) are not counted here:
they never were the run's to try (a backend without that fault), and a run that injected none
already says so. Kinds of which nothing acted are ``harness.faults.unfired``'s or that note's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

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
    """``mostly_refused`` of an injector's run: its firings by kind and those refused by kind."""
    return mostly_refused(injector.fired_by_kind, injector.skipped_by_kind)


def describe_refused(kinds: Mapping[str, Mapping[str, object]]) -> str:
    """``"xrun (40 of 50 refused: the system is failed: ...)"`` for each kind, for the verdict."""
    parts = []
    for kind, d in sorted(kinds.items()):
        fired, refused = int(d.get("fired", 0)), int(d.get("refused", 0))  # type: ignore[call-overload]
        reasons = d.get("reasons") if isinstance(d.get("reasons"), Mapping) else {}
        why = "; ".join(f"{r} x{n}" for r, n in sorted(reasons.items()))  # type: ignore[union-attr]
        parts.append(f"{kind} ({refused} of {fired + refused} refused" + (f": {why}" if why else "") + ")")
    return ", ".join(parts)
