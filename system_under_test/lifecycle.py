"""Lifecycle states, the explicit transition table, and the bounded transition history.

The table is the single source of truth for what may follow what; the coordinator validates every
change against it, and the harness's invariant checkers read the very same table.
"""

from __future__ import annotations

import enum
import itertools
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .held import BoundedFill, CauseRuns, transition_record_bytes


class State(str, enum.Enum):
    UNINITIALIZED = "uninitialized"
    INITIALIZED = "initialized"
    CONFIGURED = "configured"
    STARTING = "starting"
    RUNNING = "running"
    PAUSED = "paused"
    RECONFIGURING = "reconfiguring"
    STOPPING = "stopping"
    STOPPED = "stopped"
    RECOVERING = "recovering"
    FAILED = "failed"
    CLOSED = "closed"

    def __str__(self) -> str:
        return self.value


S = State

#: Every legal transition. Anything else raises ``IllegalTransitionError`` and changes nothing.
TRANSITIONS: dict[State, frozenset[State]] = {
    S.UNINITIALIZED: frozenset({S.INITIALIZED, S.FAILED, S.CLOSED}),
    S.INITIALIZED: frozenset({S.CONFIGURED, S.FAILED, S.CLOSED}),
    S.CONFIGURED: frozenset({S.STARTING, S.FAILED, S.CLOSED}),
    S.STARTING: frozenset({S.RUNNING, S.FAILED, S.RECOVERING, S.STOPPING}),
    S.RUNNING: frozenset({S.PAUSED, S.RECONFIGURING, S.STOPPING, S.RECOVERING, S.FAILED}),
    S.PAUSED: frozenset({S.RUNNING, S.RECONFIGURING, S.STOPPING, S.RECOVERING, S.FAILED}),
    S.RECONFIGURING: frozenset({S.RUNNING, S.PAUSED, S.RECOVERING, S.FAILED}),
    S.STOPPING: frozenset({S.STOPPED, S.FAILED}),
    S.STOPPED: frozenset({S.STARTING, S.CONFIGURED, S.FAILED, S.CLOSED}),
    S.RECOVERING: frozenset({S.RUNNING, S.PAUSED, S.FAILED, S.STOPPING, S.RECOVERING}),
    S.FAILED: frozenset({S.RECOVERING, S.STOPPING, S.CLOSED}),
    S.CLOSED: frozenset(),
}

#: States in which the stream is supposed to be moving audio.
ACTIVE_STATES = frozenset({S.RUNNING})
#: States a component can be left in safely when something it depends on fails.
SAFE_STATES = frozenset({S.STOPPED, S.FAILED, S.CLOSED, S.CONFIGURED, S.INITIALIZED, S.UNINITIALIZED})


def is_legal(current: State, target: State) -> bool:
    return target in TRANSITIONS[current]


#: states from which ``recover()`` acts (FAILED: the owner's way back; RECOVERING: skip the
#: back-off; RUNNING/PAUSED: only with an unhealthy component)
RECOVERABLE_STATES = frozenset({S.FAILED, S.RECOVERING, S.RUNNING, S.PAUSED})


def recover_plan(state: State, *, configured: bool, healthy: Callable[[], bool],
                 pending: State | None = None) -> bool | State:
    """What ``recover()`` does from ``state``: ``True``/``False`` is its answer without acting (no
    configuration: False; running or paused and healthy: True; a state it cannot recover from:
    False); a ``State`` is the state to recover towards (the one a recovery already under way was
    heading for, ``pending``, else PAUSED from PAUSED and RUNNING otherwise).

    ``healthy`` is asked only while RUNNING or PAUSED. Every system the harness models recovers by
    this rule (the ``linearizable`` invariant's model of ``recover`` reads the same preconditions),
    so ``AudioSystem`` and ``harness.sut_kit.LifecycleAdapter`` both ask here."""
    if not configured:
        return False
    if state in (S.RUNNING, S.PAUSED) and healthy():
        return True
    if state not in RECOVERABLE_STATES:
        return False
    if pending is not None:
        return pending
    return S.PAUSED if state == S.PAUSED else S.RUNNING


@dataclass(frozen=True, slots=True)
class TransitionRecord:
    """One applied transition: what the history and the invariant checkers read."""

    seq: int
    time: float
    component: str
    from_state: State
    to_state: State
    cause: str

    def to_dict(self) -> dict[str, Any]:
        # Spelled out, not ``dataclasses.asdict``: the history turns every transition into a dict,
        # and asdict's dataclass test on each State member goes through the enum metaclass's
        # __getattr__ (a tenth of a simulated run's time, measured with py-spy)
        return {"seq": self.seq, "time": self.time, "component": self.component,
                "from_state": self.from_state.value, "to_state": self.to_state.value,
                "cause": self.cause}


class TransitionHistory:
    """A bounded, thread-safe log of transitions with gap-free sequence numbers.

    When full, the oldest records fall off; ``dropped`` counts them so a reader can tell a
    truncated history from a gap.
    """

    def __init__(self, maxlen: int = 10_000) -> None:
        self._records: deque[TransitionRecord] = deque(maxlen=maxlen)
        self._seq = itertools.count(1)
        self._lock = threading.Lock()
        self.dropped = 0
        self._held_bytes = 0  # a lower bound of the records' bytes (``held``), kept as they come and go
        self._causes = CauseRuns()  # the records' cause strings, counted while only the log holds them

    def append(self, time: float, component: str, from_state: State, to_state: State, cause: str
               ) -> TransitionRecord:
        with self._lock:
            record = TransitionRecord(next(self._seq), time, component, from_state, to_state, cause)
            if len(self._records) == self._records.maxlen:
                self.dropped += 1
                if self._records:  # a log of size 0 keeps nothing: nothing to give back
                    self._held_bytes -= transition_record_bytes(self._records[0])
                    self._causes.let_go_oldest()
            self._records.append(record)
            if self._records.maxlen:
                self._held_bytes += transition_record_bytes(record)
                self._causes.hold(cause)
            return record

    def fill(self) -> BoundedFill:
        """Records held, the bound, and a lower bound of their bytes: a log still filling is
        growth a memory judge must not take for a leak (``system_under_test.held``)."""
        with self._lock:
            return BoundedFill(len(self._records), self.maxlen, self._held_bytes + self._causes.owned_bytes())

    def records(self, component: str | None = None) -> list[TransitionRecord]:
        with self._lock:
            items = list(self._records)
        return items if component is None else [r for r in items if r.component == component]

    def __len__(self) -> int:
        return len(self._records)

    @property
    def maxlen(self) -> int:
        return self._records.maxlen or 0

    @property
    def last_seq(self) -> int:
        """The newest transition's sequence number (0 before the first): lets an observer say which
        transitions had happened when it looked."""
        with self._lock:
            return self._records[-1].seq if self._records else 0


__all__ = [
    "ACTIVE_STATES",
    "RECOVERABLE_STATES",
    "SAFE_STATES",
    "State",
    "TRANSITIONS",
    "TransitionHistory",
    "TransitionRecord",
    "is_legal",
    "recover_plan",
]
