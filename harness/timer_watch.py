"""Which live timers on a virtual clock a system still owns, asked as the system moves.

A timer holds its callback, and the callback its owner, until it fires: a recovery cancelled with
its back-off timer left armed holds the cancelled run (and its error) until the back-off ends, and
a closed system whose supervisor timer is still queued is kept alive by the clock. Nothing in a
run's history shows either: the timer fires later and does nothing (``Recoverer._attempt`` checks
the run; ``AudioSystem._supervise`` checks CLOSED). The ``timers_let_go`` invariant reads what this
module finds.

Owned means: the timer's callback is a bound method of the system or of its ``Recoverer``, or a
function whose closure holds one of them (the supervisor's ``_supervise_cb``; the recovery's
``lambda: self._attempt(run)`` and ``lambda: self._expire(run)``). Those are the timers the
system's control side arms through its scheduler. The device's own timers (a simulated stream's
blocks, a deferred device error) and the harness's (faults, metrics snapshots) are owned by
others and not asked about.

Only a virtual clock is asked: its queue is the whole truth and nothing fires while it is read. A
real clock's timers (``scheduler._ThreadTimer``) live in the supervisor thread's heap, which
``ThreadScheduler.close`` empties; between a cancel and a fire another thread may run, so a reading
there could not be told from a timer on its way out, and is not taken.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from system_under_test import errors as sut_errors
from system_under_test.clock import VirtualClock
from system_under_test.devices.simulated import SimulatedStream
from system_under_test.lifecycle import State

#: evidence kept per watch: a run that leaks a timer at every recovery tells its first few
MAX_FINDINGS = 10


def callback_owners(callback: Any) -> Iterator[Any]:
    """The objects a timer's callback is bound to or closes over (one level: what it holds
    directly, which is what keeps them alive while the timer is queued)."""
    owner = getattr(callback, "__self__", None)
    if owner is not None:
        yield owner
    for cell in getattr(callback, "__closure__", None) or ():
        try:
            yield cell.cell_contents
        except ValueError:  # a cell not yet filled
            continue


def _recoverer_of(system: Any) -> Any:
    """The system's ``Recoverer`` (None for a system built without one)."""
    from system_under_test.recoverer import Recoverer  # noqa: PLC0415 - the shipped system's part

    found = getattr(system, "_recoverer", None)
    return found if isinstance(found, Recoverer) else None


def owned_live_timers(system: Any, clock: Any, *, recovery_only: bool = False) -> list[Any]:
    """The live timers on ``clock`` (a ``VirtualClock``) that ``system`` owns: its supervisor's
    and its recovery's; with ``recovery_only``, its recovery's alone."""
    recoverer = _recoverer_of(system)
    owners = {id(recoverer)} if recovery_only else {id(system), id(recoverer)}
    owners.discard(id(None))
    if not owners:
        return []
    return [timer for timer in clock.live_timers() if _owner_ids(timer.callback) & owners]


def _owner_ids(callback: Any) -> set[int]:
    """The ids of ``callback_owners(callback)``, ``None`` left out (it owns nothing: the
    owners asked about are never None)."""
    return {id(held) for held in callback_owners(callback) if held is not None}


def describe_timer(timer: Any, now: float) -> dict[str, Any]:
    """One live timer as evidence: when it is due and what it would call."""
    callback = timer.callback
    name = getattr(callback, "__qualname__", None) or type(callback).__name__
    return {"due": round(float(timer.when), 6), "in_s": round(float(timer.when) - now, 6), "callback": name}


@dataclass
class TimerWatch:
    """Asks the clock, at the system's own transitions, whether a timer outlived what armed it.

    - Leaving RECOVERING (any way: success, give-up, ``stop``, ``close``, ``recover()``, an
      unrecoverable error, ``simulate_error``): the recovery run is over or cancelled, so no
      timer of the recovery may still be queued. Every path that ends a run either runs from its
      fired timer or cancels the timer first, then moves the system.
    - Entering CLOSED: ``close`` has cancelled the supervisor and the recovery, so no timer of
      the system may be queued at all.

    Observed as each transition is made (``History._on_transition``, on the thread that makes it,
    under the system's operation lock, which every arming and cancelling of these timers holds):
    the clock has not moved since the transition, so a timer found is one that was left armed,
    not one about to be. ``findings`` keeps the first ``MAX_FINDINGS``; ``found`` counts all."""

    #: the watched system, weakly: a history kept after its run must not keep the system alive
    system_ref: Callable[[], Any]
    #: transitions out of RECOVERING judged, and transitions into CLOSED judged
    left_recovering: int = 0
    closed: int = 0
    found: int = 0
    findings: list[dict[str, Any]] = field(default_factory=list)
    #: what the watch raised, if it did (``repr``): the verdict fails on it rather than letting the
    #: observer raise, which would have the coordinator drop the history's observer
    error: str | None = None
    #: what ``_owned_now`` knows of the clock's queue: the clock and recoverer it was read for
    #: (their ids), the newest seq read, and the queued timers the system owns by seq (True: its
    #: recoverer among the owners). Seqs only: a timer held here would keep its callback's owner
    #: alive after it ran
    _read_for: tuple[int, int] | None = field(default=None, repr=False)
    _read_up_to: int = field(default=-1, repr=False)
    _owned_seqs: dict[int, bool] = field(default_factory=dict, repr=False)

    @classmethod
    def for_system(cls, system: Any) -> "TimerWatch | None":
        """A watch for the shipped ``AudioSystem`` (or a subclass) on a ``VirtualClock``; None
        otherwise (a system of its own arms its timers as it chooses; a real clock: see above)."""
        from system_under_test.clock import VirtualClock  # noqa: PLC0415
        from system_under_test.system import AudioSystem  # noqa: PLC0415 - whose promise this is

        if not isinstance(system, AudioSystem) or not isinstance(getattr(system, "clock", None), VirtualClock):
            return None
        return cls(weakref.ref(system))

    @property
    def system(self) -> Any:
        """The watched system, or None once it is gone."""
        return self.system_ref()

    def on_system_transition(self, record: Any) -> None:
        """Judge one transition of the ``system`` component (the caller filters)."""
        try:
            self._on_system_transition(record)
        except Exception as exc:  # noqa: BLE001 - kept for the verdict, never raised into the system
            self.error = self.error or repr(exc)

    def _on_system_transition(self, record: Any) -> None:
        system = self.system
        if system is None:
            return
        to_state, from_state = record.to_state, record.from_state
        if to_state == State.CLOSED:
            self.closed += 1
            self._judge(record, self._owned_now(system), "the system closed")
        elif from_state == State.RECOVERING:
            self.left_recovering += 1
            self._judge(record, self._owned_now(system, recovery_only=True), "the system left RECOVERING")

    def _owned_now(self, system: Any, *, recovery_only: bool = False) -> list[Any]:
        """``owned_live_timers(system, system.clock, recovery_only=...)``, reading only the timers
        queued since the last look (``VirtualClock.timers_queued_after``).

        Why: a faulted soak queues every scheduled fault's timer at its start, so the queue holds
        thousands of timers an hour of soak and reading it whole at each of thousands of exits from
        RECOVERING an hour made the soak's cost grow with the square of its length (bench/RESULTS.md,
        issue #17). A timer's owners are read once, when it is first seen queued: its callback
        does not change while it waits (``cancel`` swaps it, and a cancelled timer is never live
        again). When a timer the system owns is queued and live, the answer is
        ``owned_live_timers``' own, read from the whole queue: its order, and none of a timer
        taken off the queue for a moment."""
        clock = system.clock
        recoverer = _recoverer_of(system)
        read_for = (id(clock), id(recoverer))
        if read_for != self._read_for:  # another clock or recoverer: owners read anew
            self._read_for, self._read_up_to, self._owned_seqs = read_for, -1, {}
        owners = {id(system), id(recoverer)}
        owners.discard(id(None))
        self._read_up_to, fresh = clock.timers_queued_after(self._read_up_to)
        owned_seqs = self._owned_seqs
        for seq, timer in fresh:
            ids = _owner_ids(timer.callback)
            if ids & owners:
                owned_seqs[seq] = id(recoverer) in ids
        wanted = False
        for seq, by_recoverer in list(owned_seqs.items()):
            timer = clock.queued_timer(seq)
            if timer is None or timer.cancelled:  # ran, or will never run: not live again
                del owned_seqs[seq]
            elif by_recoverer or not recovery_only:
                wanted = True
        return owned_live_timers(system, clock, recovery_only=recovery_only) if wanted else []

    def _judge(self, record: Any, timers: list[Any], what: str) -> None:
        if not timers:
            return
        self.found += 1
        if len(self.findings) >= MAX_FINDINGS:
            return
        now = float(record.time)
        told = [describe_timer(t, now) for t in timers]
        moved = f"{record.from_state.value} -> {record.to_state.value}"
        self.findings.append({
            "time": round(now, 6), "seq": record.seq, "transition": moved, "cause": record.cause,
            "timers": told,
            "message": f"t={now:.3f} s: {what} ({moved}, {record.cause!r}) with {len(told)} of its timer(s) "
                       "still armed: " + ", ".join(f"{t['callback']} due in {t['in_s']:.3f} s" for t in told)})


#: the device reports that say a stream is gone for good: its device disappeared, or changed its
#: rate under it (the stream is reopened, never resumed). A stall is not one: the stream may resume.
STREAM_DEATHS: tuple[str, ...] = ("DeviceLostError", "SampleRateChangedError")


def is_stream_death(kind: object) -> bool:
    """Whether an error of class name ``kind`` (an ``error`` event's ``error.type``) is a stream's
    death report: one of ``STREAM_DEATHS`` or a subclass the system defines."""
    cls = getattr(sut_errors, kind, None) if isinstance(kind, str) else None
    deaths = tuple(getattr(sut_errors, name) for name in STREAM_DEATHS)
    return isinstance(cls, type) and issubclass(cls, deaths)


def stream_callbacks_due(system: Any, generation: object) -> int | None:
    """How many callbacks of the system's stream ``generation`` are queued on its virtual clock: a
    simulated stream's next block, the one timer it keeps (``SimulatedStream._timer``), 1 while it
    is armed, else 0. None when it cannot be read exactly: not the system's current stream, not a
    simulated stream, or not a virtual clock.

    Read as the system routes the stream's death report, before it acts on it: a dead stream must
    have no block still to deliver, and one still queued then is a callback after its death,
    which the system's prompt close would otherwise cancel before any history could show it. The
    stream's own handle is read, not the clock's queue: a soak's queue holds every scheduled
    fault's timer, and reading it whole at each report would read each of them again (the
    deferred report's own timer, a closure over the stream, is no block and is not kept there)."""
    clock = getattr(system, "clock", None)
    stream = getattr(system, "_stream", None)
    if not isinstance(clock, VirtualClock) or not isinstance(stream, SimulatedStream) \
            or type(generation) is not int or generation != getattr(system, "_stream_gen", None):
        return None
    timer = stream._timer
    return int(timer is not None and not timer.cancelled)


__all__ = ["MAX_FINDINGS", "STREAM_DEATHS", "TimerWatch", "callback_owners", "describe_timer", "is_stream_death",
           "owned_live_timers", "stream_callbacks_due"]
