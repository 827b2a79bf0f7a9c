"""The ComponentCoordinator: one place that owns every component's lifecycle state.

Why one place: the seed document's failures all came from components changing their own state
without coordination. Here a component never assigns its state; it asks the coordinator, which
validates the change against ``lifecycle.TRANSITIONS`` and applies it under one lock. Observers are
notified *outside* that lock (an observer may call back into the coordinator), and an observer that
raises is logged and dropped (trio's instruments), so no observer can break the coordinator.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .clock import Clock, SystemClock
from .errors import (
    AudioSystemError,
    ErrorInfo,
    IllegalTransitionError,
    RegistrationError,
    Severity,
)
from .held import BoundedFill, error_record_bytes, error_record_leaf_bytes
from .lifecycle import SAFE_STATES, State, TransitionHistory, TransitionRecord, is_legal

log = logging.getLogger(__name__)

TransitionObserver = Callable[[TransitionRecord], None]
ErrorObserver = Callable[["ErrorRecord"], None]


class ManagedComponent(Protocol):
    """What a registered component may provide; every hook is optional."""

    def on_start(self) -> None: ...
    def on_stop(self) -> None: ...
    def check_health(self) -> "HealthStatus": ...


@dataclass(frozen=True)
class HealthStatus:
    healthy: bool
    detail: str = ""
    component: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"component": self.component, "healthy": self.healthy, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    """An error as the coordinator tracked it.

    ``error`` is the compact ``ErrorInfo`` (class, message, severity, details, a short traceback
    text), never the exception: the log keeps 10 000 records, and an exception's traceback would
    keep the frames that raised it alive, and with them the pipelines and streams they used.

    ``requires_recovery``: the recovery policy was to decide about it (the reporter had not
    already handled it); see ``ComponentCoordinator.handle_error``."""

    seq: int
    time: float
    component: str
    error: ErrorInfo
    severity: Severity
    requires_recovery: bool

    def to_dict(self) -> dict[str, Any]:
        d = {
            "seq": self.seq,
            "time": self.time,
            "component": self.component,
            "severity": self.severity.name,
            "requires_recovery": self.requires_recovery,
            "error": self.error.describe(),
        }
        if self.error.traceback:
            d["traceback"] = self.error.traceback
        return d


@dataclass
class _Entry:
    name: str
    depends_on: tuple[str, ...]
    component: Any
    state: State = State.UNINITIALIZED
    dependents: set[str] = field(default_factory=set)


def _kept_leaf_bytes(leaf_bytes: int) -> int:
    """A record's leaves' bytes with what keeping that figure costs: its slot beside the record
    and, past the interpreter's cache of small ints, the int itself."""
    return leaf_bytes + 8 + (sys.getsizeof(leaf_bytes) if leaf_bytes > 256 else 0)


class ComponentCoordinator:
    """Registration with dependencies, validated transitions, ordered start/stop, health."""

    def __init__(self, clock: Clock | None = None, *, history_size: int = 10_000) -> None:
        self.clock = clock or SystemClock()
        self.state_lock = threading.RLock()
        self.history = TransitionHistory(history_size)
        self._entries: dict[str, _Entry] = {}
        self._observers: list[TransitionObserver] = []
        self._error_observers: list[ErrorObserver] = []
        # the newest errors (compact records: see ErrorRecord); a deque so a full log drops its
        # oldest in O(1), not a 10k-element shift
        self._errors: deque[ErrorRecord] = deque(maxlen=10_000)
        self._error_seq = 0
        self.errors_dropped = 0
        self._errors_held_bytes = 0  # a lower bound of the error records' own objects' bytes (``held``)
        # the bytes of the leaves made for each record held (``held.error_record_leaf_bytes``), in
        # the log's order: read once as a record is added, when its references tell them apart
        self._errors_leaf_bytes: deque[int] = deque()

    # -- registration -------------------------------------------------------------------------
    def register(self, name: str, component: Any = None, *, depends_on: Iterable[str] = ()) -> None:
        """Register ``name``; refused (``RegistrationError``) on duplicates, unknown deps, cycles.

        Dependencies must already be registered, which makes a cycle impossible to build; an
        explicit self-dependency is refused with its own message. A dependency named twice is one
        edge (``start_order`` counts each dependency once).
        """
        deps = tuple(dict.fromkeys(depends_on))
        with self.state_lock:
            if name in self._entries:
                raise RegistrationError(f"component {name!r} is already registered", component=name)
            if name in deps:
                raise RegistrationError(f"component {name!r} cannot depend on itself (cycle)",
                                        component=name)
            missing = [d for d in deps if d not in self._entries]
            if missing:
                raise RegistrationError(
                    f"component {name!r} depends on unregistered {', '.join(map(repr, missing))}; "
                    "register dependencies first",
                    component=name,
                )
            self._entries[name] = _Entry(name, deps, component)
            for d in deps:
                self._entries[d].dependents.add(name)

    def add_dependency(self, name: str, depends_on: str) -> None:
        """Add an edge after registration; refused if it would close a cycle. An edge already
        there is left as it is: one edge, however often it is added."""
        with self.state_lock:
            for n in (name, depends_on):
                if n not in self._entries:
                    raise RegistrationError(f"unknown component {n!r}", component=n)
            if depends_on in self._entries[name].depends_on:
                return
            if name == depends_on or name in self._ancestors(depends_on):
                raise RegistrationError(
                    f"dependency {name!r} -> {depends_on!r} would create a cycle", component=name
                )
            entry = self._entries[name]
            entry.depends_on = entry.depends_on + (depends_on,)
            self._entries[depends_on].dependents.add(name)

    def _ancestors(self, name: str) -> set[str]:
        seen: set[str] = set()
        stack = list(self._entries[name].depends_on)
        while stack:
            n = stack.pop()
            if n not in seen:
                seen.add(n)
                stack.extend(self._entries[n].depends_on)
        return seen

    @property
    def components(self) -> list[str]:
        with self.state_lock:
            return list(self._entries)

    def component(self, name: str) -> Any:
        return self._entry(name).component

    def _entry(self, name: str) -> _Entry:
        try:
            return self._entries[name]
        except KeyError:
            raise RegistrationError(f"unknown component {name!r}", component=name) from None

    def dependencies(self, name: str) -> tuple[str, ...]:
        return self._entry(name).depends_on

    def dependents(self, name: str, *, transitive: bool = False) -> set[str]:
        with self.state_lock:
            direct = set(self._entry(name).dependents)
            if not transitive:
                return direct
            result, stack = set(), list(direct)
            while stack:
                n = stack.pop()
                if n not in result:
                    result.add(n)
                    stack.extend(self._entries[n].dependents)
            return result

    def start_order(self) -> list[str]:
        """Dependencies before dependents (Kahn's algorithm, registration order as tie-break)."""
        with self.state_lock:
            indegree = {n: len(e.depends_on) for n, e in self._entries.items()}
            ready = [n for n in self._entries if indegree[n] == 0]
            order: list[str] = []
            while ready:
                n = ready.pop(0)
                order.append(n)
                for d in self._entries:
                    if n in self._entries[d].depends_on:
                        indegree[d] -= 1
                        if indegree[d] == 0:
                            ready.append(d)
            return order

    def stop_order(self) -> list[str]:
        return list(reversed(self.start_order()))

    # -- state ----------------------------------------------------------------------------------
    def state(self, name: str) -> State:
        return self._entry(name).state

    def states(self) -> dict[str, State]:
        with self.state_lock:
            return {n: e.state for n, e in self._entries.items()}

    def validate_transition(self, current: State, target: State) -> bool:
        return is_legal(current, target)

    def transition(self, name: str, target: State, cause: str = "",
                   *, expect: Iterable[State] | None = None) -> TransitionRecord:
        """Validate and apply one transition atomically; notify observers after the lock.

        ``expect`` (optional) makes it a compare-and-set: the transition happens only if the current
        state is one of ``expect``, otherwise ``IllegalTransitionError`` and nothing changes.
        """
        with self.state_lock:
            entry = self._entry(name)
            current = entry.state
            if expect is not None and current not in set(expect):
                raise IllegalTransitionError(
                    name, current, target,
                    reason=f"expected to be in {sorted(s.value for s in expect)}",
                )
            if not is_legal(current, target):
                raise IllegalTransitionError(name, current, target)
            entry.state = target
            record = self.history.append(self.clock.now(), name, current, target, cause)
        self._notify(record)
        return record

    def try_transition(self, name: str, target: State, cause: str = "") -> TransitionRecord | None:
        """Like ``transition`` but returns None instead of raising when illegal."""
        try:
            return self.transition(name, target, cause)
        except IllegalTransitionError:
            return None

    def drive(self, name: str, path: Iterable[State], cause: str) -> None:
        """Walk ``name`` along ``path``, skipping steps it is already past; used for safe-state moves."""
        for target in path:
            if self.state(name) != target:
                self.transition(name, target, cause)

    # -- observers ------------------------------------------------------------------------------
    def add_observer(self, observer: TransitionObserver) -> None:
        with self.state_lock:
            self._observers.append(observer)

    def remove_observer(self, observer: TransitionObserver) -> None:
        with self.state_lock:
            if observer in self._observers:
                self._observers.remove(observer)

    def has_observer(self, observer: TransitionObserver) -> bool:
        """``observer`` is subscribed (an observer that raised has been removed)."""
        with self.state_lock:
            return observer in self._observers

    def add_error_observer(self, observer: ErrorObserver) -> None:
        with self.state_lock:
            self._error_observers.append(observer)

    def remove_error_observer(self, observer: ErrorObserver) -> None:
        with self.state_lock:
            if observer in self._error_observers:
                self._error_observers.remove(observer)

    def _notify(self, record: TransitionRecord) -> None:
        self._call_observers(self._observers, record)

    def _call_observers(self, observers: list[Any], payload: Any) -> None:
        with self.state_lock:
            snapshot = list(observers)
        for observer in snapshot:
            try:
                observer(payload)
            except Exception:
                log.exception("observer %r raised; it is removed", observer)
                with self.state_lock:
                    if observer in observers:
                        observers.remove(observer)

    @property
    def observer_count(self) -> int:
        return len(self._observers)

    # -- errors ---------------------------------------------------------------------------------
    def handle_error(self, component: str, error: AudioSystemError | ErrorInfo, *,
                     severity: Severity | None = None,
                     requires_recovery: bool = True) -> ErrorRecord:
        """Track an error and tell the error observers (the recovery policy is one).

        ``requires_recovery`` says whether the recovery policy is still to decide about the error:
        True (the default) for every error its reporter has not handled, whatever its class, so a
        non-recoverable error reaches the policy too, which FAILs it (a default read off
        ``error.recoverable`` would drop exactly those errors and leave the system RUNNING);
        False only when the reporter has already acted on it (a failed start it raises, a
        pipeline that is going away, a recovery that already ended in FAILED).

        An exception is reduced to its ``ErrorInfo`` before it is kept or passed on; the caller
        still owns (and may raise) the exception itself."""
        info = ErrorInfo.of(error, component=component)
        with self.state_lock:
            self._error_seq += 1
            record = ErrorRecord(
                self._error_seq, self.clock.now(), component, info,
                severity if severity is not None else info.severity,
                requires_recovery,
            )
            if len(self._errors) == self._errors.maxlen:
                self.errors_dropped += 1  # the append below pushes the oldest out
                self._errors_held_bytes -= error_record_bytes(self._errors[0])
                self._errors_held_bytes -= _kept_leaf_bytes(self._errors_leaf_bytes.popleft())
            self._errors.append(record)
            leaf_bytes = error_record_leaf_bytes(record)
            self._errors_leaf_bytes.append(leaf_bytes)
            self._errors_held_bytes += error_record_bytes(record) + _kept_leaf_bytes(leaf_bytes)
        self._call_observers(self._error_observers, record)
        return record

    def error_fill(self) -> BoundedFill:
        """The error log's records, bound and a lower bound of their bytes (``system_under_test.held``)."""
        with self.state_lock:
            return BoundedFill(len(self._errors), self._errors.maxlen or 0, self._errors_held_bytes)

    def errors(self, component: str | None = None) -> list[ErrorRecord]:
        with self.state_lock:
            items = list(self._errors)
        return items if component is None else [e for e in items if e.component == component]

    def recent_errors(self, component: str | None = None, n: int = 8) -> list[ErrorRecord]:
        """``errors(component)[-n:]``: the last ``n`` error records (of ``component``), oldest
        first, found from the newest back instead of copying every record kept (up to 10 000)."""
        found: list[ErrorRecord] = []
        if n <= 0:
            return found
        with self.state_lock:
            for rec in reversed(self._errors):
                if component is None or rec.component == component:
                    found.append(rec)
                    if len(found) == n:
                        break
        found.reverse()
        return found

    @property
    def error_count(self) -> int:
        return self._error_seq

    # -- failure cascade ------------------------------------------------------------------------
    def fail(self, name: str, cause: str) -> list[TransitionRecord]:
        """Move ``name`` to FAILED and every transitive dependent to a safe state (FAILED)."""
        records: list[TransitionRecord] = []
        for n in [name, *sorted(self.dependents(name, transitive=True))]:
            with self.state_lock:
                current = self._entries[n].state
                if current in SAFE_STATES:
                    continue
            why = cause if n == name else f"dependency {name!r} failed: {cause}"
            rec = self.try_transition(n, State.FAILED, why)
            if rec is not None:
                records.append(rec)
        return records

    # -- health ---------------------------------------------------------------------------------
    def check_health(self, name: str) -> HealthStatus:
        entry = self._entry(name)
        if entry.state == State.FAILED:
            return HealthStatus(False, "failed", name)
        hook = getattr(entry.component, "check_health", None)
        if hook is None:
            return HealthStatus(True, str(entry.state), name)
        try:
            status = hook()
        except Exception as exc:  # a health check that raises is itself unhealthy
            return HealthStatus(False, f"health check raised {exc!r}", name)
        return HealthStatus(status.healthy, status.detail, name)

    def system_health(self) -> dict[str, HealthStatus]:
        return {n: self.check_health(n) for n in self.start_order()}


__all__ = ["ComponentCoordinator", "ErrorRecord", "HealthStatus", "ManagedComponent"]
