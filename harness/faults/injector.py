"""``FaultInjector``: applies a seeded ``Schedule`` to a system and records every firing.

``FaultInjector(system, schedule, seed).arm()`` schedules every trigger on the system's clock
(``VirtualClock.call_at`` in simulation: the same seed gives the same run), or on a scheduler thread
on a real clock. On either clock the faults with a fixed time (``At``, every fault of a profile's
drawn schedule) are armed ``TIMED_HORIZON_S`` ahead of the clock rather than all at arming, in the
order their timers would have run, so the injector's memory stays level through a soak instead of
draining as a whole run's pre-armed faults fire (the leak judge reads that heap; on a real device's
soak the scheduler thread's heap held them). Each firing is a ``FaultRecord`` (when it fired and ended, the fault's kind and
every parameter it was declared with), told to the history (``fault_start`` / ``fault_end``) and
to listeners.

A fault that cannot act on the system when it fires (``Fault.refusal``) is not a firing. One the
system can never take (``RefusalCause.STRUCTURAL``: a slow-DSP fault on a system without a
pipeline) is noted in the history as ``fault_skipped`` with the reason and counted in
``skipped_by_kind`` and ``structural_by_kind``, and the run's verdict reads the injected count
alone (a run whose faults were all skipped tested nothing under faults).

A scheduled fault refused for the system's state (``RefusalCause.STATE``: failed, recovering, no
running stream yet) is **held** (a ``fault_held`` note) and fires when the system can take it: at
each of the system's transitions while one is held the injector asks again, on its clock (a
virtual clock's timer at that instant: the same seed gives the same history), and the first
transition after which it can act fires it, its record's details naming ``held_since``. The
hold's limits, and why:

- one held fault per kind: a system failed for a minute refuses every fault of the minute, and
  firing them all at once on its recovery would be a burst the profile never drew; one is enough
  for the run to try the kind, so a later state refusal of a kind already held is skipped as before;
- no expiry within the run: the kind is tried at the system's next chance however late, since a
  hold that lapsed would lose the fault as a refusal did; a fault still held when the faults are
  disarmed at the run's end is counted in ``held_at_end`` (and in ``skips``), and as a refusal
  of its kind (``harness.faults.refused``'s note: the system never came back to take it);
- scheduled firings only (``arm``): a caller of ``inject`` (a scenario's step, the stateful
  machine) asked for the fault at that instant and is told it was refused.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import random
import sys
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from system_under_test.held import BoundedFill

from .kinds import Fault, FaultContext, Refusal
from .schedule import Schedule
from .targets import FaultTarget, target_for
from .triggers import At

if TYPE_CHECKING:  # pragma: no cover
    from system_under_test import AudioSystem

    from ..history import History


class _LazyRandom:
    """``random.Random(seed)``, made when the fault first draws from it (its trigger's check or its
    firing), then the same generator for every later draw: the same numbers as one made at arming.
    A Mersenne Twister holds 2.5 KB of state, and a profile's schedule is drawn for the whole run
    and armed at its start: an 8-hour soak's ~35 000 faults held ~100 MB of generators from their
    arming until each fired (tracemalloc), its resident size from the first sample on."""

    __slots__ = ("_seed", "_rng")

    def __init__(self, seed: str) -> None:
        self._seed = seed
        self._rng: random.Random | None = None

    def __getattr__(self, name: str) -> Any:
        rng = self._rng
        if rng is None:
            rng = self._rng = random.Random(self._seed)
        return getattr(rng, name)


@dataclass
class FaultRecord:
    """One firing of a fault: when it fired and ended (``ended_at`` None while active)."""

    firing_id: str
    fault_id: str
    kind: str
    target: str
    trigger: str
    fired_at: float
    ended_at: float | None = None
    transient: bool = True
    duration_s: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)
    #: the fault's parameters as declared by its kind (``Fault.recorded_params``): with ``kind``,
    #: enough to build the same fault again (``fault_from_record``)
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """``dataclasses.asdict(self)``. Written out for the usual record, whose ``details`` and
        ``params`` are dicts with string keys and plain values (str, int, float, bool, None, or a
        list of those): ``asdict`` copies each of those values through ``copy.deepcopy``, which
        made this ~20 us of CPU, twice a firing (the history's ``fault_start`` and ``fault_end``).
        The containers are copied here too; any other content takes ``asdict`` itself."""
        details = _plain_copy(self.details)
        params = _plain_copy(self.params)
        scalars = (self.firing_id, self.fault_id, self.kind, self.target, self.trigger, self.fired_at,
                   self.ended_at, self.transient, self.duration_s)
        if details is None or params is None or any(type(v) not in _PLAIN for v in scalars):
            return dataclasses.asdict(self)
        return {"firing_id": scalars[0], "fault_id": scalars[1], "kind": scalars[2], "target": scalars[3],
                "trigger": scalars[4], "fired_at": scalars[5], "ended_at": scalars[6],
                "transient": scalars[7], "duration_s": scalars[8], "details": details, "params": params}

    @property
    def active(self) -> bool:
        return self.ended_at is None


#: the leaf types ``_plain_copy`` copies as they are: immutable, so ``copy.deepcopy`` returns each
#: one itself (an exact type: a subclass may define its own copy)
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _plain_copy(mapping: Any) -> dict[str, Any] | None:
    """A copy of ``mapping`` equal to what ``dataclasses.asdict`` makes of it, when it is a dict
    with str keys and values of ``_PLAIN`` types or lists of them; None for anything else."""
    if type(mapping) is not dict:
        return None
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        if type(key) is not str:
            return None
        t = type(value)
        if t is list:
            for item in value:
                if type(item) not in _PLAIN:
                    return None
            value = list(value)
        elif t not in _PLAIN:
            return None
        out[key] = value
    return out



@dataclass
class HeldFault:
    """A scheduled fault refused for the system's state, waiting for the system to take it."""

    fault: Fault
    rng: Any
    #: when it was refused (its time came)
    since: float
    #: the latest refusal: the one it was held for, then each one it met since, asked again
    refusal: Refusal


#: the note of a fault still held when the faults were disarmed: its reason for ``skips``
HELD_TO_THE_END = "held to the run's end, the system never able to take it: {reason}"


#: firings an injector keeps in memory (``FaultInjector.records``)
RECORDS_KEPT = 1_000

#: how far ahead of the clock (virtual or real) the faults with a fixed time (``At``) are armed. A profile's
#: schedule is drawn for the whole run; armed all at once, each of an 8-hour soak's ~35 000 faults
#: held a clock timer, its handle and two closures (~1 kB) from the start until it fired, and
#: pymalloc's bytes in use fell ~4 MB an hour for the whole soak as they drained, a fall a
#: small-objects leak hid behind. Armed a horizon ahead, the injector holds about a minute's.
TIMED_HORIZON_S = 60.0
#: the deque's pointer to each record
_SLOT = 8


def record_bytes(record: FaultRecord) -> int:
    """A lower bound of the bytes made for one firing's record alone: the record and its
    attribute dict, its ``details`` and ``params`` mappings (each firing makes its own: ``_public``
    and ``Fault.recorded_params`` build new ones), its ``firing_id`` (a string made for it) and the
    deque's pointer. The other strings (a kind, a target, a trigger's description) may be shared
    with the schedule's faults and are left out, and so are the mappings' values: counting too much
    would hide a leak of that size behind the records (``system_under_test.held`` says why)."""
    return (_SLOT + sys.getsizeof(record) + sys.getsizeof(record.__dict__) + sys.getsizeof(record.details)
            + sys.getsizeof(record.params) + sys.getsizeof(record.firing_id))


def _timed_at(fault: Fault) -> float:
    """An ``At`` fault's time, a NaN read as "now" (the earliest), as ``VirtualClock.call_at`` reads it."""
    t = cast(At, fault.trigger).time
    return t if t == t else -math.inf


class FaultInjector:
    """Applies a seeded ``Schedule`` to a system; records every firing (and tells the history)."""

    def __init__(self, system: AudioSystem, schedule: Schedule | Iterable[Fault] = (), seed: int = 0, *,
                 target: FaultTarget | None = None, history: History | None = None,
                 base_config: Mapping[str, Any] | None = None) -> None:
        self.system = system
        #: the run's own configuration, handed to every fault (``FaultContext.base_config``)
        self.base_config = base_config
        self.schedule = schedule if isinstance(schedule, Schedule) else Schedule(list(schedule))
        self.seed = seed
        self.target = target if target is not None else target_for(system)
        self.history = history
        #: the newest firings (``RECORDS_KEPT``); the history has every one, ``fired_by_kind`` counts
        #: them all. Bounded because the injector lives in the process whose memory a soak judges:
        #: a list of every firing grew ~1.5 MB per simulated hour under the default profile.
        self.records: deque[FaultRecord] = deque(maxlen=RECORDS_KEPT)
        #: ``record_bytes`` of each record in ``records`` (in step with it), their sum, and the most
        #: that sum has been (``bounded_logs``)
        self._record_bytes: deque[int] = deque(maxlen=RECORDS_KEPT)
        self._records_sum = 0
        self._records_peak = 0
        self.fired_by_kind: Counter[str] = Counter()
        self._active: dict[str, tuple[Fault, FaultRecord, Any, Any]] = {}
        #: timers that have not run yet, by a running number: each one removes itself when it runs
        #: (``_pending``), so an injector holds its pending timers, not every timer of the run (a
        #: 1 h soak's injector held ~2400 spent handles and their closures: growth the leak judge saw)
        self._timers: dict[int, Any] = {}
        self._timer_ids = itertools.count()
        #: the schedule's ``At`` faults in time order, and the first of them not armed yet
        #: (``_arm_timed`` arms them a horizon ahead of the clock)
        self._timed: list[Fault] = []
        self._timed_next = 0
        self._restore: list[Callable[[], None]] = []
        self._listeners: list[Callable[[str, FaultRecord], None]] = []
        self._lock = threading.RLock()
        self._firings = 0
        self._scheduler: Any = None
        self.armed = False
        self.skipped = 0
        #: faults that could not act when they fired, by kind -> reason -> count (``why_not_now``);
        #: those the target could not inject at all were dropped from the schedule before the run
        #: (``Schedule.unsupported_reasons``); ``skips()`` tells both
        self.skipped_by_kind: dict[str, Counter[str]] = {}
        #: of those, the refusals of a system that never has what the kind acts on, kind -> reason
        #: -> count (``RefusalCause.STRUCTURAL``)
        self.structural_by_kind: dict[str, Counter[str]] = {}
        #: the faults held for the system's state (at most one a kind, ``HeldFault``), in the order held
        self._held: dict[str, HeldFault] = {}
        #: faults held, and of them those that then acted, by kind
        self.held_by_kind: Counter[str] = Counter()
        self.held_acted_by_kind: Counter[str] = Counter()
        #: faults still held when the faults were disarmed, kind -> reason they were refused -> count
        self.held_at_end: dict[str, Counter[str]] = {}
        #: a retry of the held faults is scheduled and has not run
        self._retry_due = False
        #: the injector is one of the system's transition observers (from the first ``arm``)
        self._observing = False
        #: when the armed faults were first disarmed (the run's end for its faults; None: not yet,
        #: or never armed), and whether they were ever armed: what ``harness.faults.unfired``
        #: reads to tell a drawn fault still queued from one never reached
        self.disarmed_at: float | None = None
        self.was_armed = False
        #: the fault whose ``start``/``end`` the injector is running (kind, since): a fault whose
        #: time came waits behind it (one timer thread on a real clock)
        self._busy: tuple[str, float] | None = None
        #: ``_busy`` as it was at ``disarm``: what the faults still queued then waited behind
        self.busy_at_disarm: tuple[str, float] | None = None
        #: device -> the kinds fired at it whose request waits there for a callback
        #: (``Fault.waits_on_device``): what ``disarm`` asks the target to take back
        self._waiting_on: dict[str, set[str]] = {}
        #: device -> what ``disarm`` took back of those requests, unspent when the faults ended
        self.taken_back: dict[str, dict[str, float | int]] = {}

    # -- clock ----------------------------------------------------------------------------------
    def _pending(self, schedule: Callable[[Callable[[], None]], Any], fn: Callable[[], None]) -> None:
        """Schedule ``fn`` through ``schedule`` and hold its handle until it runs (or ``disarm``
        cancels it)."""
        key = next(self._timer_ids)
        timers = self._timers

        def run() -> None:
            timers.pop(key, None)
            fn()

        timers[key] = schedule(run)

    def _call_at(self, when: float, fn: Callable[[], None]) -> None:
        clock = self.system.clock
        if hasattr(clock, "call_at"):
            self._pending(lambda run: clock.call_at(when, run), fn)
        else:
            self._call_later(when - clock.now(), fn)

    def _call_later(self, delay: float, fn: Callable[[], None]) -> None:
        clock = self.system.clock
        if hasattr(clock, "call_later"):
            self._pending(lambda run: clock.call_later(delay, run), fn)
            return
        if self._scheduler is None:
            from system_under_test.scheduler import ThreadScheduler  # noqa: PLC0415
            self._scheduler = ThreadScheduler(clock, name="soundcheck-faults")
        scheduler = self._scheduler
        self._pending(lambda run: scheduler.call_later(delay, run), fn)

    # -- listeners ------------------------------------------------------------------------------
    def add_listener(self, fn: Callable[[str, FaultRecord], None]) -> None:
        self._listeners.append(fn)

    def _tell(self, what: str, record: FaultRecord) -> None:
        if self.history is not None:
            (self.history.fault_started if what == "fault_start" else self.history.fault_ended)(record)
        for fn in list(self._listeners):
            fn(what, record)

    def _rng(self, fault: Fault) -> random.Random:
        return random.Random(f"{self.seed}:{fault.fault_id}")

    # -- arming ---------------------------------------------------------------------------------
    def postpone(self, seconds: float) -> FaultInjector:
        """Move every clock-time trigger ``seconds`` later (before ``arm``): on a real clock the
        schedule counts from the moment the run's time line starts, which a slow start moves."""
        if self.armed:
            raise RuntimeError("postpone() after arm(): the triggers are set")
        if seconds > 0 and self.schedule.faults:
            self.schedule = self.schedule.shifted(seconds)
        return self

    def arm(self) -> FaultInjector:
        """Schedule every fault's trigger. Idempotent."""
        if self.armed:
            return self
        self.armed = self.was_armed = True
        add_observer = getattr(self.system, "add_observer", None)
        if add_observer is not None and not self._observing:
            add_observer(self._on_transition)
            self._observing = True
        timed: list[Fault] = []
        for fault in self.schedule.faults:
            if isinstance(fault.trigger, At):
                timed.append(fault)
            else:
                self._arm_fault(fault)
        # in time order, a time's faults in the schedule's order (a stable sort): the order their
        # timers ran in when every one was queued at arming. Faults, not (time, fault) pairs: the
        # list is held all run, and a pair for each fault would add ~80 B to each of a soak's 35 000
        timed.sort(key=_timed_at)
        self._timed, self._timed_next = timed, 0
        if timed:
            self._arm_timed()
        return self

    def _arm_fault(self, fault: Fault) -> None:
        rng: Any = _LazyRandom(f"{self.seed}:{fault.fault_id}")  # == self._rng(fault), made on first use
        fault.trigger.arm(self, lambda f=fault, r=rng: self._fire(f, r, scheduled=True), rng)

    def _arm_timed(self) -> None:
        """Arm the ``At`` faults due within ``TIMED_HORIZON_S`` of now, and come back half a
        horizon later for the next: each is armed at least half a horizon before its time. Under
        the lock: on a real clock this runs on the scheduler thread, beside a ``disarm``."""
        with self._lock:
            if not self.armed:
                return
            now = self.system.clock.now()
            until = now + TIMED_HORIZON_S
            timed, i = self._timed, self._timed_next
            while i < len(timed) and _timed_at(timed[i]) < until:
                self._arm_fault(timed[i])
                i += 1
            self._timed_next = i
            if i < len(timed):
                self._call_at(now + TIMED_HORIZON_S / 2, self._arm_timed)

    # -- held faults ----------------------------------------------------------------------------
    def _on_transition(self, _record: Any) -> None:
        """A transition of the system: while a fault is held, ask again once it is made (a timer
        at this instant, not here: the observer runs inside the transition, under its locks)."""
        if not self._held or not self.armed or self._retry_due:
            return
        self._retry_due = True
        self._call_later(0.0, self._retry_held)

    def _retry_held(self) -> None:
        """Fire each held fault the system can take now, in the order they were held."""
        self._retry_due = False
        for held in list(self._held.values()):
            if not self.armed:
                return
            self._fire(held.fault, held.rng, held=held)

    def _hold(self, fault: Fault, rng: Any, refusal: Refusal) -> None:
        since = self.system.clock.now()
        self._held[fault.kind] = HeldFault(fault, rng, since, refusal)
        self.held_by_kind[fault.kind] += 1
        if self.history is not None:
            self.history.note("fault_held", fault_id=fault.fault_id, kind=fault.kind,
                              trigger=fault.trigger.describe(), reason=refusal.reason, params=fault.recorded_params())

    def _release_at_end(self) -> None:
        """Count each fault still held as the faults are disarmed (``held_at_end``, ``skips``)."""
        for kind, held in self._held.items():
            self.held_at_end.setdefault(kind, Counter())[held.refusal.reason] += 1
            self._note_skipped(held.fault, HELD_TO_THE_END.format(reason=held.refusal.reason), held_since=held.since)
        self._held.clear()

    def held_summary(self) -> dict[str, dict[str, int]]:
        """Kind -> ``{"held", "acted", "at_end"}``: the faults held for the system's state, those
        of them that then acted, and those still held at the run's end (``summary.json``'s
        ``faults.held``)."""
        return {kind: {"held": n, "acted": self.held_acted_by_kind.get(kind, 0),
                       "at_end": sum(self.held_at_end.get(kind, Counter()).values())}
                for kind, n in sorted(self.held_by_kind.items())}

    @property
    def pending_timers(self) -> int:
        """Timers the injector holds that have not run yet (triggers and fault ends)."""
        return len(self._timers)

    @property
    def fired(self) -> int:
        """Firings so far (``records`` keeps only the newest ``RECORDS_KEPT``)."""
        return self._firings

    def inject(self, fault: Fault, *, duration_s: float | None = None) -> FaultRecord | None:
        """Fire ``fault`` now (it ends after its duration, or when ``end`` is called)."""
        if not fault.fault_id:
            fault.fault_id = f"{fault.kind}#manual{self._firings}"
        if duration_s is not None:
            fault.duration_s = duration_s
        return self._fire(fault, self._rng(fault))

    def _fire(self, fault: Fault, rng: random.Random, *, scheduled: bool = False,
              held: HeldFault | None = None) -> FaultRecord | None:
        """Fire ``fault`` now if the system can take it. ``scheduled``: its trigger fired it, so a
        refusal of the system's state holds it; ``held``: it is the held fault asked again (still
        refused for the state: it stays held; refused for good: skipped as any such refusal)."""
        with self._lock:
            if fault.fault_id in self._active:
                if held is None:
                    self.skipped += 1  # still active from a previous firing
                return None
            refusal = fault.refusal(self.system)
            if refusal is not None:
                if not refusal.structural and (held is not None or (scheduled and fault.kind not in self._held)):
                    if held is None:
                        self._hold(fault, rng, refusal)
                    else:
                        held.refusal = refusal  # what it waits for now (recovering, then failed)
                    return None
                if held is not None:
                    del self._held[fault.kind]
                self._skip(fault, refusal.reason, structural=refusal.structural)
                return None
            if held is not None:
                del self._held[fault.kind]
                self.held_acted_by_kind[fault.kind] += 1
            self._firings += 1
            record = FaultRecord(f"{fault.fault_id}@{self._firings}", fault.fault_id, fault.kind, fault.target,
                                 fault.trigger.describe(), self.system.clock.now(), None, fault.transient,
                                 fault.duration_s, {} if held is None else {"held_since": held.since},
                                 fault.recorded_params())
            ctx = FaultContext(self.system, self.target, rng, self.history, self, self.base_config)
            self.records.append(record)
            self.fired_by_kind[fault.kind] += 1
            self._tell("fault_start", record)
            if fault.waits_on_device:
                self._waiting_on.setdefault(fault.target, set()).add(fault.kind)
            try:
                with self._busy_with(fault.kind, record.fired_at):
                    token = fault.start(ctx)
                record.details = _public(token) if held is None else {**record.details, **_public(token)}
            finally:  # counted even when the start raised: ``_record_bytes`` keeps in step with ``records``
                self._count_record(record)
            if fault.duration_s > 0:
                self._active[fault.fault_id] = (fault, record, token, ctx)
                self._call_later(fault.duration_s, lambda: self._end(fault.fault_id))
            else:
                fault.end(ctx, token)
                record.ended_at = self.system.clock.now()
                self._tell("fault_end", record)
            return record

    def _count_record(self, record: FaultRecord) -> None:
        """Add a new record's bytes (once its details are set) to the records' sum, less those of
        the record its arrival pushed out of the full deque."""
        if len(self._record_bytes) == self._record_bytes.maxlen:
            self._records_sum -= self._record_bytes[0]
        size = record_bytes(record)
        self._record_bytes.append(size)
        self._records_sum += size
        if self._records_sum > self._records_peak:
            self._records_peak = self._records_sum

    def bounded_logs(self) -> dict[str, BoundedFill]:
        """The newest firings kept in memory (``records``) as a bounded log (the shape
        ``harness.leaks.log_books`` reads): it fills for as long as the run takes to fire
        ``RECORDS_KEPT`` faults (about an hour under the default profile) and then holds steady,
        growth a soak's memory judge would otherwise read in the process's RSS. ``held_bytes`` is
        the most the records have held at once: the memory of a record pushed out is reused by the
        next, so the RSS follows that peak (``History.bounded_logs`` reads its window the same way)."""
        # no lock: two reads of a length and an int, while a firing holding the lock may be
        # starting a fault on a real device; the sampler must not wait behind it
        return {"fault_records": BoundedFill(len(self.records), RECORDS_KEPT, self._records_peak)}

    @contextmanager
    def _busy_with(self, kind: str, since: float) -> Iterator[None]:
        """Mark the injector busy with one fault's start or end while it runs, so that a
        ``disarm`` meanwhile can say what the faults still queued waited behind."""
        self._busy = (kind, since)
        try:
            yield
        finally:
            self._busy = None

    def _skip(self, fault: Fault, reason: str, *, structural: bool = False) -> None:
        """A fault that could not act: noted (with its parameters and why), counted, not fired."""
        self.skipped_by_kind.setdefault(fault.kind, Counter())[reason] += 1
        if structural:
            self.structural_by_kind.setdefault(fault.kind, Counter())[reason] += 1
        self._note_skipped(fault, reason)

    def _note_skipped(self, fault: Fault, reason: str, **extra: Any) -> None:
        """The history's ``fault_skipped`` note of a fault that did not act: its kind, trigger,
        parameters and why (``extra``: what else the note says, e.g. since when it was held)."""
        if self.history is not None:
            self.history.note("fault_skipped", fault_id=fault.fault_id, kind=fault.kind,
                              trigger=fault.trigger.describe(), reason=reason, params=fault.recorded_params(),
                              **extra)

    def skips(self) -> dict[str, dict[str, int]]:
        """Every fault of the run that was not injected, by kind -> reason -> count: those the
        target could not inject (dropped from the schedule) and those that could not act when
        they fired, or were held for the system's state to the run's end."""
        out: dict[str, dict[str, int]] = {}
        held_to_end = {kind: {HELD_TO_THE_END.format(reason=r): n for r, n in reasons.items()}
                       for kind, reasons in self.held_at_end.items()}
        for source in (self.schedule.unsupported_reasons, self.skipped_by_kind, held_to_end):
            for kind, reasons in source.items():
                for reason, n in reasons.items():
                    out.setdefault(kind, {})[reason] = out.get(kind, {}).get(reason, 0) + n
        return {k: dict(sorted(v.items())) for k, v in sorted(out.items())}

    def _end(self, fault_id: str) -> None:
        with self._lock:
            item = self._active.pop(fault_id, None)
            if item is None:
                return
            fault, record, token, ctx = item
            with self._busy_with(fault.kind, self.system.clock.now()):
                fault.end(ctx, token)
            record.ended_at = self.system.clock.now()
            self._tell("fault_end", record)

    def end(self, fault: Fault | str) -> None:
        """End an active fault now."""
        self._end(fault if isinstance(fault, str) else fault.fault_id)

    @property
    def active(self) -> list[FaultRecord]:
        with self._lock:
            return [rec for _, rec, _, _ in self._active.values()]

    def disarm(self) -> None:
        """Cancel pending triggers and end every active fault (devices return, pools refill).
        The first disarm after ``arm`` is the end of the run's faults (``disarmed_at``)."""
        if self.armed and self.disarmed_at is None:
            self.disarmed_at = self.system.clock.now()
            self.busy_at_disarm = self._busy
        with self._lock:  # an arming of the next horizon (a real clock's thread) adds no timer after this
            self.armed = False  # a transition the clean-up below makes retries no held fault
            timers = list(self._timers.values())
            self._timers.clear()
        self._release_at_end()
        for timer in timers:
            timer.cancel()
        for undo in self._restore:
            undo()
        self._restore.clear()
        for fault_id in list(self._active):
            self._end(fault_id)
        self._take_back_waiting()
        if self._scheduler is not None:
            self._scheduler.close()
            self._scheduler = None
        self.armed = False

    def _take_back_waiting(self) -> None:
        """Take back what the fired faults asked of a device that still waits there for a callback
        (corrupted callbacks not yet spent, a delay not yet served), noted as ``fault_taken_back``
        with what was dropped. A request left there outlives the faults: a stream a recovery
        opens after them meets it, and a healthy system's errors after the faults' end read as
        one that never settles. A request held to its firing's window (``kinds.within_window``)
        is noted through its ``taken_back_after``, naming its fault and its window's end (the
        note's time before it: the faults' end cut the window short), as at its window's end;
        ``take_back`` returns only what no fault's request owned, noted naming none. A target
        that leaves nothing waiting has no ``take_back``."""
        take_back = getattr(self.target, "take_back", None)
        waiting, self._waiting_on = self._waiting_on, {}
        if take_back is None:
            return
        for device, kinds in sorted(waiting.items()):
            self._note_taken_back(device, sorted(kinds), take_back(device))

    def taken_back_after(self, fault: Fault, window_end: float) -> Callable[[dict[str, float | int]], None]:
        """What a device calls with what it dropped of ``fault``'s request unspent past the
        firing's window (``window_end``): noted and counted as ``disarm``'s take-back is, the note
        naming the fault and the window's end."""
        device, kind, fault_id = fault.target, fault.kind, fault.fault_id
        return lambda dropped: self._note_taken_back(device, [kind], dropped, fault_id=fault_id,
                                                     window_end=window_end)

    def _note_taken_back(self, device: str, kinds: list[str], dropped: Mapping[str, float | int],
                         **extra: Any) -> None:
        """Count what was taken back of the requests waiting on ``device`` (``taken_back``) and
        note it, ``fault_taken_back`` (``extra``: what else the note says); nothing when nothing was."""
        if not dropped:
            return
        kept = self.taken_back.setdefault(device, {})
        for what, amount in dropped.items():
            kept[what] = kept.get(what, 0) + amount
        if self.history is not None:
            self.history.note("fault_taken_back", device=device, kinds=kinds, **dropped, **extra)

    def __enter__(self) -> FaultInjector:
        return self.arm()

    def __exit__(self, *exc: object) -> None:
        self.disarm()


def _public(token: Any) -> dict[str, Any]:
    if not isinstance(token, dict):
        return {}
    return {k: v for k, v in token.items() if isinstance(v, (int, float, str, bool, type(None), list))
            and k != "held"}


__all__ = ["HELD_TO_THE_END", "RECORDS_KEPT", "FaultInjector", "FaultRecord", "HeldFault", "record_bytes"]
