"""Failure incidents: the system's distinct episodes in FAILED, read from its state transitions.

Why not count FAILED entries: one device fault moves every component (system, dsp, device, input,
output) to FAILED at one instant, and a recovery that cannot open a device enters FAILED again on
each attempt (8 entries at t=7.26 s of one healthy 20 s run, seed 6). Such a count is no count of
the system's failures: it grows with the number of components and retries, not with what a user
lived through. An incident is one such episode: it opens when the system (the component
``"system"``, or a transition that names no component) enters FAILED other than on purpose
(``simulate_error``, an injected fault of its own), and it closes when the system is RUNNING
again; FAILED entries in between belong to it. An incident still open when the run ends was never
recovered from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Incident", "IncidentFold", "SYSTEM_COMPONENT", "entered_failure"]

#: the component whose state is the system's (``harness.sut_protocol``)
SYSTEM_COMPONENT = "system"
#: a FAILED entered on purpose: an injected fault's own, not a failure of the system
ON_PURPOSE = "simulate_error"


def entered_failure(data: dict[str, Any]) -> bool:
    """A transition's data entering FAILED other than on purpose (``ON_PURPOSE``): a failure."""
    return data.get("to_state") == "failed" and data.get("cause") != ON_PURPOSE


@dataclass
class Incident:
    """One episode of the system in FAILED: from ``start_t`` to its next RUNNING (``end_t``; None
    when it never came back), with the causes of the FAILED entries it held."""

    start_t: float
    end_t: float | None = None
    failed_entries: int = 0
    causes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"start_t": self.start_t, "end_t": self.end_t, "recovered": self.end_t is not None,
                "duration_s": None if self.end_t is None else self.end_t - self.start_t,
                "failed_entries": self.failed_entries, "causes": list(self.causes)}


class IncidentFold:
    """Incidents folded from the transitions of a history, in time order."""

    #: distinct causes kept per incident (a retry loop repeats the same few)
    MAX_CAUSES = 8

    def __init__(self) -> None:
        self.incidents: list[Incident] = []
        self._open: Incident | None = None

    def feed(self, t: float, data: dict[str, Any]) -> None:
        """One transition entry's time and data."""
        if data.get("component") not in (None, SYSTEM_COMPONENT):
            return
        cause = data.get("cause")
        if entered_failure(data):
            if self._open is None:
                self._open = Incident(start_t=t)
                self.incidents.append(self._open)
            self._open.failed_entries += 1
            text = str(cause) if cause is not None else "unknown"
            if text not in self._open.causes and len(self._open.causes) < self.MAX_CAUSES:
                self._open.causes.append(text)
        elif data.get("to_state") == "running" and self._open is not None:
            self._open.end_t = t
            self._open = None

    def summary(self) -> dict[str, Any]:
        """``incidents[]``, ``incident_count`` and ``unrecovered_incidents`` of the report."""
        return {"incidents": [i.to_dict() for i in self.incidents], "incident_count": len(self.incidents),
                "unrecovered_incidents": sum(1 for i in self.incidents if i.end_t is None)}
