"""The lifecycle written out as plain tables, for the tests that judge the lifecycle's models.

Why a third copy: ``system_under_test.lifecycle.TRANSITIONS`` is what the coordinator enforces,
and the harness's ``SystemModel`` and ``CoordinatorModel`` (the ``linearizable`` judge's sequential
specifications) are built on it or beside it. A wrong entry there (a transition allowed that the
design forbids, one it needs left out) is shared by the system, the judge and any oracle that
steps the same model, so every history still agrees with every check. These tables import
nothing from ``harness`` or ``system_under_test``: they are written from the documents, so a
change in either package's table has to be made here too, on purpose, or a test fails.

Sources. The seed document (shared/seed/architecture-and-integration-issues.md) asks for
"thread-safe state transitions with validation" through a central coordinator but names no states;
the states and their transitions are the ones ARCHITECTURE.md documents ("The lifecycle state
flow"), and the system-level operations are the ones ``AudioSystem``'s public methods document
(``start``: CONFIGURED/STOPPED -> RUNNING, failure -> FAILED; ``stop``: RUNNING/PAUSED/
RECOVERING/FAILED/STARTING -> STOPPED; ``configure``: INITIALIZED/STOPPED -> CONFIGURED,
CONFIGURED stays, RUNNING/PAUSED applied live; ``recover``: from FAILED, RECOVERING, or RUNNING/
PAUSED when unhealthy; ``simulate_error``: an active system FAILED; ``close``: from anywhere,
idempotent).
"""

from __future__ import annotations

from typing import Any

#: every lifecycle state, as the history records it
STATES: tuple[str, ...] = ("uninitialized", "initialized", "configured", "starting", "running", "paused",
                           "reconfiguring", "stopping", "stopped", "recovering", "failed", "closed")

#: what each state may go to (ARCHITECTURE.md, "The lifecycle state flow"); anything else is
#: refused and changes nothing
TRANSITIONS: dict[str, frozenset[str]] = {
    "uninitialized": frozenset({"initialized", "failed", "closed"}),
    "initialized": frozenset({"configured", "failed", "closed"}),
    "configured": frozenset({"starting", "failed", "closed"}),
    "starting": frozenset({"running", "stopping", "recovering", "failed"}),
    "running": frozenset({"paused", "reconfiguring", "stopping", "recovering", "failed"}),
    "paused": frozenset({"running", "reconfiguring", "stopping", "recovering", "failed"}),
    "reconfiguring": frozenset({"running", "paused", "recovering", "failed"}),
    "stopping": frozenset({"stopped", "failed"}),
    "stopped": frozenset({"configured", "starting", "failed", "closed"}),
    "recovering": frozenset({"running", "paused", "stopping", "recovering", "failed"}),
    "failed": frozenset({"stopping", "recovering", "closed"}),
    "closed": frozenset(),
}

#: the system-level operations whose outcome the lifecycle decides
OPS: tuple[str, ...] = ("initialize", "configure", "reconfigure", "start", "pause", "resume", "stop",
                        "close", "recover", "simulate_error")

#: the states from which ``start`` begins (it needs a configuration too)
START_FROM = frozenset({"configured", "stopped"})
#: the states ``stop`` stops from; from any other it is refused
STOP_FROM = frozenset({"running", "paused", "recovering", "failed", "starting"})
#: the states in which a configuration is applied to a stopped system (-> CONFIGURED)
CONFIGURE_FROM = frozenset({"initialized", "stopped", "configured"})
#: the states in which a configuration is applied to the live stream (the state is kept, or an
#: error on the way moves the system to RECOVERING or FAILED: an outcome the caller may not see)
CONFIGURE_LIVE = frozenset({"running", "paused"})
#: the states ``simulate_error`` fails (an active system); from the others it reports and raises
#: but the system's state stays
SIMULATE_ERROR_FAILS = frozenset({"running", "paused", "starting", "reconfiguring", "recovering"})

#: one operation's possible results: (outcome, returned value or None, next state, next
#: "configured", next "pending config")
Result = tuple[str, Any, str, bool, bool]


def system_results(state: str, configured: bool, pending: bool, op: str, *,
                   may_reject: bool = False, invalid: bool = False) -> frozenset[Result]:
    """Every result ``op`` may have on a system in ``state``, as ``AudioSystem`` documents it.

    ``may_reject``: a configuration the system may refuse (validation against the devices);
    ``invalid``: one it always refuses. ``recover``'s value is its answer (healthy or not)."""
    def ok(to: str, value: Any = None, cfg: bool = configured, pend: bool = pending) -> Result:
        return ("ok", value, to, cfg, pend)

    def info(to: str) -> Result:
        return ("info", None, to, configured, pending)

    refused: Result = ("fail", None, state, configured, pending)
    if op == "close":
        return frozenset({ok("closed")})
    if state == "closed":
        return frozenset({refused})
    if op == "initialize":
        if state != "uninitialized":
            return frozenset({refused})
        if pending:  # the pending configuration is applied by the same call, or refused with it
            return frozenset({ok("configured", cfg=True, pend=False), ("fail", None, "initialized", configured, False),
                              ("info", None, "initialized", configured, False)})
        return frozenset({ok("initialized")})
    if op in ("configure", "reconfigure"):
        if invalid:
            return frozenset({refused})
        maybe = {refused} if may_reject else set()
        if state in CONFIGURE_LIVE:
            return frozenset({ok(state), info(state), info("recovering"), info("failed"), *maybe})
        if state in CONFIGURE_FROM:
            return frozenset({ok("configured", cfg=True), *maybe})
        return frozenset({refused})
    if op == "start":
        if configured and state in START_FROM:
            return frozenset({ok("running"), info("failed")})
        return frozenset({refused})
    if op == "pause":
        return frozenset({ok("paused")} if state == "running" else {refused})
    if op == "resume":
        return frozenset({ok("running")} if state == "paused" else {refused})
    if op == "stop":
        return frozenset({ok("stopped")} if state in STOP_FROM else {refused})
    if op == "recover":
        if not configured:
            return frozenset({ok(state, False)})
        if state in ("running", "paused"):  # healthy: True as it is; unhealthy and not recovered: FAILED
            return frozenset({ok(state, True), ok("failed", False)})
        if state == "failed":
            return frozenset({ok("running", True), ok("failed", False)})
        if state == "recovering":  # towards the state the recovery was heading for
            return frozenset({ok("running", True), ok("paused", True), ok("failed", False)})
        return frozenset({ok(state, False)})
    if op == "simulate_error":
        return frozenset({ok("failed" if state in SIMULATE_ERROR_FAILS else state)})
    raise KeyError(op)


def component_result(state: str, target: str, expect: list[str] | None) -> tuple[str, str]:
    """``ComponentCoordinator.transition(name, target, expect=...)`` on a component in ``state``:
    ("ok", target) when ``target`` is allowed and the compare-and-set (if any) holds, else
    ("fail", state)."""
    if (expect is None or state in expect) and target in TRANSITIONS[state]:
        return ("ok", target)
    return ("fail", state)
