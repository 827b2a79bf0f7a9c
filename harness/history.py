"""Histories: what happened during a run, Jepsen-style, written as JSON Lines.

A history is an append-only list of entries, each with a gap-free ``index`` (the real-time order in
which the harness saw things) and the system clock's ``time``. Entry types:

- ``invoke`` / ``ok`` / ``fail`` / ``info``: a client operation. ``invoke`` starts it, exactly one
  completion ends it, linked by ``op_id``. ``fail`` means *definitely did not take effect* (the
  system refused: illegal transition, closed, rejected config); ``info`` means the outcome is
  unknown (a timeout, or an error from the world after the operation may have done something).
  Each carries the ``process`` (thread) that issued it.
- ``transition``: one ``TransitionRecord`` from the coordinator (with its ``seq``).
- ``fault_start`` / ``fault_end``: a fault from ``harness.faults`` fired / ended.
- ``error`` and ``event``: the system's ``SystemEvent`` stream (``error`` events apart).
- ``metrics``: a snapshot of counters, frame accounts, resource usage and health.
- ``attach`` / ``meta``: what the system looked like when the history started, run metadata.

``run_op(history, system, "start")`` wraps one system call into invoke -> completion.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import enum
import hashlib
import io
import json
import math
import os
import sys
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic_core import from_json

from system_under_test.held import BoundedFill

from .errors import InputFileError
from .inputs import read_bytes
from .runfolder import RunFolder
from .timer_watch import TimerWatch, is_stream_death, stream_callbacks_due

if TYPE_CHECKING:  # pragma: no cover
    from system_under_test import AudioSystem

FORMAT_VERSION = 1
OP_TYPES = frozenset({"invoke", "ok", "fail", "info"})
COMPLETIONS = frozenset({"ok", "fail", "info"})
#: one encoder for every line written: ``json.dumps(..., separators=...)`` builds a new encoder per
#: call (the same text, measured ~2 us more a line)
_encode = json.JSONEncoder(separators=(",", ":")).encode
#: ``_transition_record_class``'s answer, once looked up
_TRANSITION_RECORD: list[type] = []


def _transition_record_class() -> type:
    """``system_under_test.lifecycle.TransitionRecord``, imported when a history first records a
    transition (a system is loaded by then), not with this module: ``import harness.history``
    stays free of the system and numpy."""
    if not _TRANSITION_RECORD:
        from system_under_test.lifecycle import TransitionRecord  # noqa: PLC0415

        _TRANSITION_RECORD.append(TransitionRecord)
    return _TRANSITION_RECORD[0]


#: JSON text of strings a transition line names (components, states, causes, actors), by string:
#: a run uses a few hundred; cleared whole when it holds ``_JSON_STR_MAX``
_JSON_STRINGS: dict[str, str] = {}
_JSON_STR_MAX = 4096


def _json_str(text: str) -> str:
    """``text`` as the history's encoder writes it (a str alone: ``JSONEncoder.encode`` writes
    it without building its C encoder), kept for the next line that names it."""
    out = _JSON_STRINGS.get(text)
    if out is None:
        if len(_JSON_STRINGS) >= _JSON_STR_MAX:
            _JSON_STRINGS.clear()
        out = _JSON_STRINGS[text] = _encode(text)
    return out


#: On a virtual clock the stream is flushed at these entries (an error, a fault's start or end, a
#: metrics snapshot: every simulated second by default) and when ``_FLUSH_EVERY`` lines wait, not
#: at every line: a simulated run records ~35 entries a simulated second, ~3 500 a wall second,
#: and a write system call each was ~4 % of the simulation. A crash (SIGKILL) of a simulated run
#: loses at most the entries since the last of those: never an error or fault entry, nor anything
#: before one. On a real clock every line is flushed as it is recorded (a live reader, e.g. a test
#: that waits for "running" in the file, sees it at once; a real run records a few a second).
_FLUSH_AT = frozenset({"error", "fault_start", "fault_end", "metrics"})
_FLUSH_EVERY = 256


def _flush_every(clock: Any) -> int:
    """Lines between flushes of the stream: every line on a real clock, ``_FLUSH_EVERY`` on a
    virtual one (see ``_FLUSH_AT``)."""
    return _FLUSH_EVERY if getattr(clock, "virtual", False) else 1


ENTRY_TYPES = frozenset({"meta", "attach", "invoke", "ok", "fail", "info", "transition", "fault_start",
                         "fault_end", "error", "event", "metrics", "note"})


class HistoryFormatError(InputFileError):
    """A history file could not be read; the message names the file and the line."""

    def __init__(self, path: object, line: int, message: str) -> None:
        self.line = line
        super().__init__(path, f"line {line}: {message}; a damaged line inside a history (not a last line "
                               "cut by a kill, which is dropped) is not skipped, since what follows it would "
                               "be judged without it: restore the file from a copy")


@dataclass(frozen=True)
class CutTail:
    """The end of a history file that is not a whole line: the process writing it was killed (or
    its machine went down) part-way through a line. Readers keep every whole line before it and
    say what was dropped, since a kill mid-write is the very failure a run may meet; a damaged
    line *followed by* whole lines is no such cut and stays an error (``HistoryFormatError``)."""

    #: the cut line's number (1-based) in the file
    line: int
    #: the bytes after the file's last newline, dropped
    nbytes: int

    def describe(self, path: object) -> str:
        return (f"{path}: the last {self.nbytes} byte(s) (line {self.line}, cut part-way by a kill or a crash) "
                "are not a whole entry and were dropped; every line before them was read")


#: why a history file without a single entry has nothing to judge or replay, in the same words for
#: every reader (``report`` calls the run INCONCLUSIVE, ``scenario from-history`` refuses the file)
NO_ENTRIES = ("holds no history entries (a run killed before it recorded anything leaves such a file: "
              "empty, or its header alone)")


def recorded_nothing(history: "History") -> bool:
    """Whether ``history`` holds nothing but its header (``meta``): no operation, event or fault
    to judge or replay (``NO_ENTRIES``)."""
    return all(e.type == "meta" for e in history)


def cut_off_phrase(history: "History") -> str:
    """"the run was cut off at t=... s" for the history of a run that never reached its verdict,
    t counted from its first entry; with the run's asked duration (its ``meta``) when the record
    stops before it, or "after its N s" when the run's time was over and only its judging was
    left (a kill between the run's end and its summary)."""
    first = next(iter(history), None)
    at = history.end_time - first.time if first is not None else 0.0
    run = history.meta.get("run")
    asked = run.get("duration_s") if isinstance(run, dict) else None
    if not isinstance(asked, (int, float)) or isinstance(asked, bool):
        return f"the run was cut off at t={at:.3f} s"
    if at < asked:
        return f"the run was cut off at t={at:.3f} s of {asked:g} s"
    return f"the run was cut off at t={at:.3f} s, after its {asked:g} s had run but before it was judged"


def _tail_is_cut(tail: bytes) -> bool:
    """Whether ``tail`` (a file's bytes after its last newline) is a line cut part-way, not a
    whole entry that merely lacks its newline."""
    if not tail.strip():
        return False
    try:
        d = json.loads(tail)
    except (ValueError, RecursionError):
        return True
    return not (isinstance(d, dict) and "index" in d and "type" in d)


class HistoryWriteError(InputFileError):
    """The history's file could not be written (a full disk, an I/O error): the run cannot keep
    its record, so it stops with this error (exit 2) rather than judging a history it lost.

    Raised again by every later write of the same history: the file keeps the lines written
    before the failure, whole (a line cut by the failure is removed), and nothing after it."""


#: the exact types ``jsonable`` returns as they are (a subclass, an enum of them among others, takes
#: the general path): one set lookup instead of the general path's chain of ``isinstance`` calls
_AS_IS = frozenset({str, int, bool, type(None)})


def jsonable(value: Any) -> Any:
    """A JSON-safe copy of ``value`` (enums by value, configs and records by dict, else repr)."""
    t = type(value)
    if t in _AS_IS:
        return value
    if t is dict:  # the usual record's data: string keys, plain values, a level or two deep
        return {(k if type(k) is str else str(k.value if isinstance(k, enum.Enum) else k)):
                (v if type(v) in _AS_IS else jsonable(v)) for k, v in value.items()}
    if t is float:
        return value if math.isfinite(value) else repr(value)
    return _jsonable_other(value)


def _jsonable_other(value: Any) -> Any:
    """``jsonable`` of a value that is not an exact str, int, bool, None, dict or float."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, dict):
        return {str(k.value if isinstance(k, enum.Enum) else k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        try:
            return jsonable(to_dict())
        except Exception:  # noqa: BLE001 - fall back to repr
            pass
    describe = getattr(value, "describe", None)
    if isinstance(value, BaseException):
        return jsonable(describe()) if callable(describe) else {"type": type(value).__name__,
                                                                 "message": str(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        try:
            return jsonable(item())
        except Exception:  # noqa: BLE001
            pass
    return repr(value)


def json_line(line: str) -> Any:
    """``json.loads(line)``, parsed by pydantic-core's JSON parser where it can.

    Read-backs parse every line of a history (a million after an 8-hour soak, read by the
    end-of-run checks and by the report's timeline): that parser takes about a third of
    ``json.loads``'s CPU on them (200 000 lines of an 8-hour soak's history: 0.28-0.41 s against
    0.90-0.98 s, every value equal). A line it refuses (a lone surrogate escape, or not JSON at
    all) is parsed by ``json.loads``, whose value or error is then the line's, as before."""
    try:
        return from_json(line)
    except ValueError:
        return json.loads(line)


@dataclass(slots=True)
class Entry:
    index: int
    type: str
    time: float
    process: str | None = None
    op: str | None = None
    op_id: int | None = None
    value: Any = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"index": self.index, "type": self.type, "time": self.time}
        # the keys in this order, each only when set (written once per entry: no getattr loop)
        if self.process is not None:
            d["process"] = self.process
        if self.op is not None:
            d["op"] = self.op
        if self.op_id is not None:
            d["op_id"] = self.op_id
        if self.value is not None:
            d["value"] = self.value
        if self.data:
            d["data"] = self.data
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Entry":
        return cls(int(d["index"]), str(d["type"]), float(d.get("time", 0.0)), d.get("process"),
                   d.get("op"), d.get("op_id"), d.get("value"), dict(d.get("data") or {}))


@dataclass
class Operation:
    """An invoke paired with its completion (``outcome`` is None while still pending)."""

    op_id: int
    process: str | None
    op: str
    args: list[Any]
    meta: dict[str, Any]
    invoke_index: int
    invoke_time: float
    pre: dict[str, Any] | None
    outcome: str | None = None
    complete_index: int | None = None
    complete_time: float | None = None
    value: Any = None
    error: dict[str, Any] | None = None
    post: dict[str, Any] | None = None
    #: seqs of the system transitions this op made (recorded by ``run_op``)
    seqs: list[int] | None = None

    @property
    def completed(self) -> bool:
        return self.outcome is not None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class OpResult:
    """What ``run_op`` returns: the outcome as recorded, the call's value or its exception."""

    outcome: str
    value: Any = None
    error: BaseException | None = None
    op_id: int = 0
    #: seqs of the system transitions the call made
    seqs: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


def _registered_graph(coordinator: Any) -> dict[str, Any]:
    """``{"depends_on": {component: [its dependencies]}}`` as the system's coordinator registered
    them (what a failure cascades along, judged by ``components_follow``), or nothing for a
    coordinator that keeps no graph."""
    dependencies = getattr(coordinator, "dependencies", None)
    if dependencies is None:
        return {}
    return {"depends_on": {n: list(dependencies(n)) for n in coordinator.states() if n != "system"}}


#: a list's pointer to each entry
_SLOT = 8
_getsizeof = sys.getsizeof


def _entry_bytes(entry: Entry) -> int:
    """A lower bound of the bytes made for one entry alone: the entry (its fields are slots), the
    window's pointer to it, and the dicts and lists of its data and value: ``jsonable`` copies
    every container it is given and the transition path builds its own, so they belong to this
    entry only (an empty data mapping is not counted: it may be the default's). Strings and
    numbers are left out: a type, a component's name or a time may be shared with other entries
    or with the system's records, and counting too much would hide a leak of that size behind the
    window (``bench/history_window_bytes.py fill``: 41-47 % of what tracemalloc traced for a soak's
    entries replayed from json, every string of which is fresh, while the window fills)."""
    n = _SLOT + sys.getsizeof(entry)
    if entry.data:
        n += _container_bytes(entry.data)
    return n + _container_bytes(entry.value)


def _container_bytes(value: Any) -> int:
    """The bytes of the dicts and lists in ``value`` (itself included), their leaves left out.

    A plain loop, not ``sum`` over a generator: it runs for every entry a soak records (~53 000
    a simulated hour), most of them a dict or two of leaves, where the generator's frame was
    most of the cost; the same integers added."""
    t = type(value)
    if t is dict:
        items: Any = value.values()
    elif t is list:
        items = value
    else:
        return 0
    n = _getsizeof(value)
    for v in items:
        tv = type(v)
        if tv is dict or tv is list:
            n += _container_bytes(v)
    return n


class History:
    """A thread-safe, append-only run history; optionally streamed to a JSONL file as it grows.

    By default every entry is also kept in memory (``entries``). With ``keep=N`` *and* a stream,
    memory holds only a window of the newest entries (between ``N`` and ``2N``; ``entries`` is
    that window and ``first_index`` the index of its first entry): the file is the history, and
    every reader (``iter(history)``, ``operations()``, ``of_type()``, ..., the invariant
    checkers) streams it back from disk, so a long run's memory does not grow with its length.
    What the readers need cheaply stays in memory: the ``attach`` data (``initial``), ``meta``,
    ``end_time``, the last entry of each type (``last``), the count (``len``) and the ops still
    running (for ``complete``).
    """

    def __init__(self, *, clock: Any = None, meta: dict[str, Any] | None = None,
                 stream_to: str | os.PathLike[str] | None = None, keep: int | None = None) -> None:
        if keep is not None and keep < 1:
            raise ValueError(f"keep must be at least 1, got {keep}")
        self._lock = threading.RLock()
        self._local = threading.local()  # per thread: the transition seqs of the op it is running
        self.entries: list[Entry] = []
        self._keep = keep
        #: per entry of the window, the bytes made for it alone (``_entry_bytes``), their sum, and the
        #: most the window has held at once (``bounded_logs``)
        self._entry_sizes = array("q")
        self._window_bytes = 0
        self._window_peak = 0
        self._base = 0  # index of entries[0]: the entries before it live only in the stream file
        self._count = 0
        self._op_ids = 0
        self._running: dict[int, tuple[str | None, str | None]] = {}  # op_id -> (process, op)
        self._initial: dict[str, Any] | None = None
        self._meta: dict[str, Any] = {}
        self._end_time = 0.0
        #: the largest time of the entries noted so far, found as ``max`` finds it (the first, then
        #: any later one greater): ``end_time`` without a pass over the window
        self._max_time: float | None = None
        #: how many of ``entries`` were appended together with ``_note_entry`` (``_add``,
        #: ``from_lines``): when it is not ``len(entries)``, entries were added or removed directly
        #: (tests, readers) and ``end_time`` reads the window
        self._noted = 0
        self._last: dict[str, Entry] = {}
        self.clock = clock
        self._system: Any = None
        self.observer_error: str | None = None
        #: told of every fault record entered, ``listener("fault_start" | "fault_end", record)``,
        #: after its entry: an outage recorded from outside the injector (``ObservedOutages``)
        #: reaches the checks that must know of it live (``add_fault_listener``)
        self._fault_listeners: list[Callable[[str, Any], None]] = []
        self._metrics_timer: Any = None
        #: asks the clock at the attached system's own transitions whether a timer outlived what
        #: armed it (``harness.timer_watch``; the ``timers_let_go`` invariant reads it); None when
        #: no system is attached, or one the watch cannot ask about (a real clock, a system of its own)
        self.timer_watch: TimerWatch | None = None
        self._stream: io.TextIOBase | None = None
        self._stream_offset = 0  # where this history begins in the stream file
        #: lines recorded but not yet written to the stream: written whole, in one call, so the
        #: file always ends at a line's end
        self._pending: list[str] = []
        #: the failure of a write to the stream file: every later write raises it again
        self._write_error: HistoryWriteError | None = None
        #: lines between flushes: 1 (every line) on a real clock, ``_FLUSH_EVERY`` on a virtual one
        self._flush_every = _flush_every(clock)
        self.path: Path | None = None
        #: a history read from a file whose last line was cut part-way (``read_jsonl``, ``open_jsonl``)
        self.cut_tail: CutTail | None = None
        if stream_to is not None:
            self.stream_to(stream_to)
        if meta:
            self.record("meta", data={"format": FORMAT_VERSION, **jsonable(meta)})

    # -- recording ------------------------------------------------------------------------------
    def _now(self) -> float:
        clock = self.clock
        return float(clock.now()) if clock is not None else 0.0

    def _note_entry(self, entry: Entry) -> None:
        """Keep the cheap summaries the readers need without the entries themselves."""
        self._count = max(self._count, entry.index + 1)
        t = entry.time
        if t > self._end_time:
            self._end_time = t
        if self._max_time is None or t > self._max_time:
            self._max_time = t
        self._last[entry.type] = entry
        if entry.type == "attach" and self._initial is None:
            self._initial = entry.data
        elif entry.type == "meta":
            self._meta.update(entry.data)
        if entry.op_id is not None:
            if entry.type == "invoke":
                self._running[entry.op_id] = (entry.process, entry.op)
            elif entry.type in COMPLETIONS:
                self._running.pop(entry.op_id, None)

    def record(self, type: str, *, process: str | None = None, op: str | None = None,
               op_id: int | None = None, value: Any = None, data: dict[str, Any] | None = None,
               time: float | None = None) -> Entry:
        if type not in ENTRY_TYPES:
            raise ValueError(f"unknown history entry type {type!r}")
        with self._lock:
            entry = Entry(self._base + len(self.entries), type, self._now() if time is None else float(time),
                          process, op, op_id, jsonable(value), jsonable(data) if data else {})
            self._add(entry, None)
            return entry

    def _add(self, entry: Entry, line: str | None) -> None:
        """Append ``entry`` (its index the next one) and stream its line: ``line`` when the caller
        wrote it (``_record_transition``), else the encoder's. Under ``_lock``."""
        self.entries.append(entry)
        self._note_entry(entry)
        self._noted += 1
        if self._keep is not None and self._stream is not None:  # a window, a bounded log: sized
            size = _entry_bytes(entry)
            self._entry_sizes.append(size)
            self._window_bytes += size
            if self._window_bytes > self._window_peak:
                self._window_peak = self._window_bytes
        if self._stream is not None:
            pending = self._pending
            pending.append(line if line is not None else _encode(entry.to_dict()) + "\n")
            if len(pending) >= self._flush_every or entry.type in _FLUSH_AT:
                self._write_pending()
            keep = self._keep
            if keep is not None and len(self.entries) >= 2 * keep:
                drop = len(self.entries) - keep  # amortised: one slice per ``keep`` entries
                # entries put in the list directly (tests, readers) come first and have no size
                sized = max(0, drop - (len(self.entries) - len(self._entry_sizes)))
                del self.entries[:drop]
                self._window_bytes -= sum(self._entry_sizes[:sized])
                del self._entry_sizes[:sized]
                self._base += drop
                self._noted -= drop

    def invoke(self, process: str | int | None, op: str, args: Iterable[Any] = (), *,
               meta: dict[str, Any] | None = None, pre: dict[str, Any] | None = None) -> int:
        """Record the start of ``op`` by ``process``; returns the op id for ``complete``."""
        with self._lock:
            self._op_ids += 1
            op_id = self._op_ids
            data: dict[str, Any] = {"args": list(args)}
            if meta:
                data["meta"] = meta
            if pre is not None:
                data["pre"] = pre
            self.record("invoke", process=_proc(process), op=op, op_id=op_id, data=data)
            return op_id

    def complete(self, op_id: int, outcome: str, value: Any = None, *, error: Any = None,
                 pre: dict[str, Any] | None = None, post: dict[str, Any] | None = None,
                 process: str | int | None = None, op: str | None = None,
                 seqs: list[int] | None = None) -> Entry:
        """Record how ``op_id`` ended: ``ok``, ``fail`` (no effect) or ``info`` (unknown).
        ``pre``/``post`` are what the system looked like just before and after the call."""
        if outcome not in COMPLETIONS:
            raise ValueError(f"outcome must be one of {sorted(COMPLETIONS)}, not {outcome!r}")
        data: dict[str, Any] = {}
        if error is not None:
            data["error"] = error
        if pre is not None:
            data["pre"] = pre
        if seqs is not None:  # [] is information too: the op made no transition
            data["seqs"] = list(seqs)
        if post is not None:
            data["post"] = post
        with self._lock:
            if process is None or op is None:
                known = self._running.get(op_id)
                if known is None:  # completed already (a second completion) or never invoked
                    for e in self._iter_all(reverse_memory=True):
                        if e.type == "invoke" and e.op_id == op_id:
                            known = (e.process, e.op)
                            break
                if known is not None:
                    process = process if process is not None else known[0]
                    op = op or known[1]
            return self.record(outcome, process=_proc(process), op=op, op_id=op_id, value=value, data=data)

    def ok(self, op_id: int, value: Any = None, **kw: Any) -> Entry:
        return self.complete(op_id, "ok", value, **kw)

    def fail(self, op_id: int, value: Any = None, **kw: Any) -> Entry:
        return self.complete(op_id, "fail", value, **kw)

    def info(self, op_id: int, value: Any = None, **kw: Any) -> Entry:
        return self.complete(op_id, "info", value, **kw)

    def note(self, message: str, **data: Any) -> Entry:
        return self.record("note", value=message, data=data or None)

    def note_quiescent(self, system: Any) -> Entry:
        """Record the system's state at a moment when no op is in flight (before a storm's threads
        start): concurrent ops that follow are judged from this state."""
        return self.note(QUIESCENT_NOTE, **observe(system))

    # -- system attachment ----------------------------------------------------------------------
    def attach(self, system: "AudioSystem", *, metrics_every_s: float | None = None) -> "History":
        """Subscribe to the system's transitions and events (and snapshot metrics periodically).

        The attach entry records the system's monitoring counters as they stand (``counters``):
        the counter invariants judge what is counted from here against what is announced from
        here, so on a system already used they need the count the history began with. It is read
        and the listeners subscribed under the system's operation lock (where it has one), which
        a recovery and the watchdog hold from their count to their announcement: no count can
        fall between the reading and the subscription with its announcement missed."""
        self._system = system
        if self.clock is None:
            self.clock = system.clock
            self._flush_every = _flush_every(self.clock)
        with _operation_lock(system):
            # the callback counts its errors outside any lock: the queue read either side of the
            # counters bounds what was reported before the attach (``_pending_at_attach``)
            pending_before = _pending_callback_errors(system)
            counters = _counters_at_attach(system)
            pending = _pending_at_attach(pending_before, _pending_callback_errors(system))
            # the clock says how much of a recorded time can be the recording's own lag: none on a
            # virtual clock (``invariants.episode_tolerance_s``)
            self.record("attach", data={"state": system.state.value, **observe(system),
                                        "clock": "virtual" if getattr(system.clock, "virtual", False) else "real",
                                        "components": {n: s.value for n, s in system.coordinator.states().items()},
                                        **_registered_graph(system.coordinator),
                                        **counters, **pending,
                                        "seed": getattr(system, "seed", None),
                                        "next_seq": system.coordinator.history.records()[-1].seq + 1
                                        if len(system.coordinator.history) else 1})
            if self.timer_watch is None or self.timer_watch.system is not system:
                self.timer_watch = TimerWatch.for_system(system)
            system.add_observer(self._on_transition)
            system.add_event_listener(self._on_event)
        if metrics_every_s:
            self._schedule_metrics(metrics_every_s)
        return self

    def detach(self) -> None:
        system, self._system = self._system, None
        if system is None:
            return
        system.coordinator.remove_observer(self._on_transition)
        system.remove_event_listener(self._on_event)
        if self._metrics_timer is not None:
            self._metrics_timer.cancel()
            self._metrics_timer = None

    @property
    def attached_to(self) -> Any:
        """The system this history observes (None when detached)."""
        return self._system

    def observing(self) -> bool:
        """Still subscribed to the attached system's transitions (False once the coordinator has
        dropped the observer, which it does to an observer that raises)."""
        system = self._system
        return system is not None and system.coordinator.has_observer(self._on_transition)

    def _on_transition(self, record: Any) -> None:
        capture = getattr(self._local, "capture", None)
        # ``actor``: "op" when an op recorded by ``run_op`` made it on this thread, "system" when the
        # system made it on its own (recovery, watchdog, supervisor): the models tell them apart
        actor = "op" if capture is not None else "system"
        try:
            if not self._record_transition(record, actor):
                self.record("transition", data={**record.to_dict(), "actor": actor}, time=record.time)
        except BaseException as exc:
            self.observer_error = f"{type(exc).__name__}: {exc}"  # kept for the verdict's evidence
            raise
        if record.component == "system":
            if capture is not None:
                capture.append(record.seq)  # observers run on the thread that made the transition
            watch = self.timer_watch
            if watch is not None:
                watch.on_system_transition(record)

    def _record_transition(self, record: Any, actor: str) -> bool:
        """Record a coordinator's transition as ``record("transition", data={**record.to_dict(),
        "actor": actor}, time=record.time)`` does, its line written here: True when done, False
        (nothing recorded) for a record whose fields are not of the plain types the line is
        written for (an int seq, a finite float time, str names and cause, states whose values are
        str), which the caller then records the general way.

        Why: a faulted simulated run records ~68 000 transitions an hour, and the general way
        builds the same data dict twice (``to_dict``, then ``jsonable``'s copy of it) and builds
        the C encoder anew for each line (``JSONEncoder.encode``); a transition line is this one
        shape, so it is written from its fields, each string JSON-encoded once and kept
        (``_json_str``). The text is the encoder's (``tests/harness/test_history.py``)."""
        if type(record) is not _transition_record_class():  # another system's record: its own ``to_dict``
            return False
        seq, t, component, cause = record.seq, record.time, record.component, record.cause
        from_state, to_state = record.from_state.value, record.to_state.value
        if not (type(seq) is int and type(t) is float and t - t == 0.0 and type(component) is str
                and type(cause) is str and type(from_state) is str and type(to_state) is str):
            return False  # NaN and the infinities too (t - t is NaN): ``jsonable`` writes them as text
        data = {"seq": seq, "time": t, "component": component, "from_state": from_state,
                "to_state": to_state, "cause": cause, "actor": actor}
        with self._lock:
            index = self._base + len(self.entries)
            line = None
            if self._stream is not None:
                text = repr(t)
                line = (f'{{"index":{index},"type":"transition","time":{text},"data":{{"seq":{seq},'
                        f'"time":{text},"component":{_json_str(component)},"from_state":{_json_str(from_state)},'
                        f'"to_state":{_json_str(to_state)},"cause":{_json_str(cause)},'
                        f'"actor":{_json_str(actor)}}}}}\n')
            self._add(Entry(index, "transition", t, None, None, None, None, data), line)
        return True

    def _on_event(self, event: Any) -> None:
        data = dict(event.data)
        if getattr(self._local, "capture", None) is not None:
            data["during_op"] = True  # raised by an op on this thread: part of that op's outcome
        if event.kind == RECOVERY_END_EVENT and self._system is not None:
            held = held_by_system(self._system)
            if held is not None:
                data[HELD_KEY] = held
        if event.kind == "error" and "stream" in data and self._system is not None \
                and is_stream_death((data.get("error") or {}).get("type")):
            # the harness's reading beside the system's report: the dead stream's blocks still
            # queued on a virtual clock (``no_callback_after_death``); none where it cannot be exact
            due = stream_callbacks_due(self._system, data["stream"])
            if due is not None:
                data[CALLBACKS_DUE_KEY] = due
        self.record("error" if event.kind == "error" else "event", value=event.kind, data=data,
                    time=event.time)

    def _schedule_metrics(self, every_s: float) -> None:
        system = self._system
        call_later = getattr(system.clock, "call_later", None) if system is not None else None
        if call_later is None:
            return  # real clock: callers snapshot explicitly

        def tick() -> None:
            self._metrics_timer = None
            if self._system is None or self._system.state.value == "closed":
                return
            self.snapshot(self._system)
            self._schedule_metrics(every_s)

        self._metrics_timer = call_later(every_s, tick)

    def snapshot(self, system: "AudioSystem | None" = None) -> Entry:
        """Record counters, frame accounts, resources and health as one ``metrics`` entry."""
        system = system or self._system
        assert system is not None, "snapshot() needs a system (attach one or pass it)"
        return self.record("metrics", data=system_snapshot(system))

    def add_fault_listener(self, listener: Callable[[str, Any], None]) -> None:
        """Tell ``listener`` of every fault record entered from now on, as the injector tells its
        own listeners (``listener("fault_start" | "fault_end", record)``). The history is where a
        fault the injector did not fire is written (an outage observed from outside the run), so
        it is the one place a check can learn of every such fault as it happens."""
        self._fault_listeners.append(listener)

    def fault_started(self, record: Any) -> Entry:
        entry = self.record("fault_start", value=record.kind, data=record.to_dict(), time=record.fired_at)
        for listener in self._fault_listeners:
            listener("fault_start", record)
        return entry

    def fault_ended(self, record: Any) -> Entry:
        entry = self.record("fault_end", value=record.kind, data=record.to_dict(), time=record.ended_at)
        for listener in self._fault_listeners:
            listener("fault_end", record)
        return entry

    # -- reading --------------------------------------------------------------------------------
    def __len__(self) -> int:
        return max(self._count, self._base + len(self.entries))

    @property
    def first_index(self) -> int:
        """Index of the first entry still in memory (0 unless ``keep`` evicted older ones)."""
        return self._base

    def __iter__(self) -> Iterator[Entry]:
        """Every entry in index order (streamed back from the file for what memory no longer holds)."""
        return self._iter_all()

    def _iter_all(self, *, start: int = 0, reverse_memory: bool = False) -> Iterator[Entry]:
        with self._lock:
            base = self._base
            # entries are in index order: copy only the part of the window at or after ``start``
            cut = bisect.bisect_left(self.entries, start, key=_index) if start > base else 0
            window = self.entries[cut:]
            if base > start:
                self.flush()
        if reverse_memory:  # complete()'s fallback: the newest first, then the file
            yield from reversed(window)
            if base > 0:
                yield from reversed(list(self._from_file(0, base)))
            return
        if base > start:
            yield from self._from_file(start, base)
        for e in window:
            if e.index >= start:
                yield e

    def _from_file(self, start: int, stop: int) -> Iterator[Entry]:
        """Entries ``start <= index < stop`` read back from the stream file, one line at a time."""
        if self.path is None:
            raise RuntimeError("entries were evicted from memory but the history has no file")
        with self.path.open("r", encoding="utf-8") as fh:
            fh.seek(self._stream_offset)
            for line in fh:
                if not line.strip():
                    continue
                try:
                    e = Entry.from_dict(json_line(line))
                except ValueError:  # a line being written right now: everything before ``stop`` was read
                    break
                if e.index >= stop:
                    break
                if e.index >= start:
                    yield e

    def bounded_logs(self) -> dict[str, BoundedFill]:
        """The window of entries kept in memory as a bounded log (``system_under_test.held``'s
        shape, read by ``harness.leaks.log_books``), or nothing when memory holds every entry.

        The window fills to ``2 * keep`` entries and is cut back to ``keep``; the memory the cut
        frees stays with the process and the next entries reuse it, so the process's RSS follows
        the most the window ever held, not what it holds now. ``held_bytes`` is therefore that
        peak: the bytes made for each entry alone (``_entry_bytes``), summed as entries come and
        go. Only a history that keeps a window reports one: without ``keep`` the entries are
        the run's whole history and their growth is the run's own, not a buffer's."""
        if self._keep is None or self._stream is None:
            return {}
        with self._lock:
            return {"history_window": BoundedFill(len(self.entries), 2 * self._keep, self._window_peak)}

    def since(self, index: int) -> list[Entry]:
        """The entries with ``index >= index`` (from memory when it still holds them)."""
        return list(self._iter_all(start=index))

    def last(self, type: str) -> Entry | None:
        """The newest entry of ``type`` (kept in memory whatever ``keep`` is)."""
        return self._last.get(type)

    def of_type(self, *types: str) -> list[Entry]:
        return [e for e in self if e.type in types]

    def operations(self) -> list[Operation]:
        """Invokes paired with their completions, in invoke order."""
        ops: dict[int, Operation] = {}
        for e in self:
            if e.type == "invoke" and e.op_id is not None:
                ops[e.op_id] = Operation(e.op_id, e.process, e.op or "", list(e.data.get("args", [])),
                                         dict(e.data.get("meta") or {}), e.index, e.time, e.data.get("pre"))
            elif e.type in COMPLETIONS and e.op_id in ops:
                op = ops[e.op_id]
                op.outcome, op.complete_index, op.complete_time = e.type, e.index, e.time
                op.value, op.error, op.post = e.value, e.data.get("error"), e.data.get("post")
                if "pre" in e.data:
                    op.pre = e.data["pre"]
                op.seqs = e.data.get("seqs")
        return list(ops.values())

    def transitions(self, component: str | None = None) -> list[dict[str, Any]]:
        """Transition records (as dicts) sorted by their sequence number."""
        out = [dict(e.data, index=e.index) for e in self.of_type("transition")
               if component is None or e.data.get("component") == component]
        out.sort(key=lambda d: d.get("seq", 0))
        return out

    def events(self, kind: str | None = None) -> list[Entry]:
        evs = self.of_type("event", "error")
        return evs if kind is None else [e for e in evs if e.value == kind]

    def errors(self) -> list[Entry]:
        return self.of_type("error")

    def faults(self) -> list[dict[str, Any]]:
        """One dict per fault firing: the start record merged with its end (``ended_at`` may be None)."""
        fired: dict[Any, dict[str, Any]] = {}
        for e in self.of_type("fault_start", "fault_end"):
            key = e.data.get("firing_id", e.index)
            d = fired.setdefault(key, {})
            d.update(e.data)
            d["start_index" if e.type == "fault_start" else "end_index"] = e.index
        return list(fired.values())

    def snapshots(self) -> list[Entry]:
        return self.of_type("metrics")

    @property
    def initial(self) -> dict[str, Any] | None:
        if self._initial is not None:
            return self._initial
        for e in self.entries:  # entries appended to the list directly (tests, readers)
            if e.type == "attach":
                return e.data
        return None

    @property
    def meta(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self._meta)
        if self._base == 0 and not out:
            for e in self.entries:
                if e.type == "meta":
                    out.update(e.data)
        return out

    @property
    def end_time(self) -> float:
        """The latest entry's time (0.0 for none). Read by the live checks at every interval, so
        kept as entries are noted instead of found by a pass over the window: with memory
        holding every entry, the window's ``max`` is ``_max_time`` (the same comparisons in the
        same order); with older entries evicted, ``max(_end_time, window's max)`` is
        ``_end_time``, which is at least every noted time but a NaN and at least 0.0. The window
        is read only when entries were added to or removed from it directly."""
        if self._noted != len(self.entries):
            if self._base == 0:
                return max((e.time for e in self.entries), default=0.0)
            return max(self._end_time, max((e.time for e in self.entries), default=0.0))
        if self._base == 0:
            return self._max_time if self._max_time is not None else 0.0
        return self._end_time

    # -- JSON Lines -----------------------------------------------------------------------------
    def to_jsonl(self) -> str:
        return "".join(json.dumps(e.to_dict(), separators=(",", ":")) + "\n" for e in self)

    def write_jsonl(self, path: str | os.PathLike[str], *, append: bool = False) -> Path:
        """The whole history as JSON Lines at ``path``: replaced atomically and never through a
        link (``RunFolder``), so a kill leaves the old file or the new one; ``append`` adds to the
        end of an existing file (a kill there cuts at most the last line, which readers drop)."""
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        if not append:
            return RunFolder(p.parent).write_text(p.name, self.to_jsonl())
        with RunFolder(p.parent).open_append(p.name) as fh:
            for e in self:
                fh.write(json.dumps(e.to_dict(), separators=(",", ":")) + "\n")
        return p

    def stream_to(self, path: str | os.PathLike[str]) -> None:
        """From now on append every entry to ``path`` as it is recorded (crash-safe: one line each)."""
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            if self._base > 0:
                raise RuntimeError("cannot move a history whose older entries live only in its file")
            if self._stream is not None:
                self._write_pending()
                self._stream.close()
            # O_NOFOLLOW: a history.jsonl planted as a link in a run folder is refused, not followed;
            # read-write: after a failed write the file is cut back to its last whole line
            fd = os.open(p, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
            self._stream = os.fdopen(fd, "a", encoding="utf-8")
            self._stream_offset = self._stream.tell()
            self.path = p
            try:
                for e in self.entries:  # what was recorded before streaming began
                    self._stream.write(_encode(e.to_dict()) + "\n")
                self._stream.flush()
            except OSError as exc:
                self._fail_stream(exc)

    def flush(self) -> None:
        """Write every recorded line to the stream file now (readers of the file call it first)."""
        with self._lock:
            if self._stream is not None:
                self._write_pending()

    def _write_pending(self) -> None:
        """The lines waiting, in one write and one flush (under ``_lock``, with a stream)."""
        pending = self._pending
        if pending:
            if self._write_error is not None:
                raise self._write_error
            stream = self._stream
            assert stream is not None
            try:
                stream.write("".join(pending) if len(pending) > 1 else pending[0])
                stream.flush()
            except OSError as exc:
                self._fail_stream(exc)
            pending.clear()

    def _fail_stream(self, exc: OSError) -> None:
        """Give up the stream file after a failed write and raise ``HistoryWriteError``.

        Why: a full disk stops a write part-way, and the text layer keeps the rest buffered to
        retry at the next flush or at close. The file is cut back to its last whole line (a
        later ``soundcheck report`` or ``scenario from-history`` reads it, and a torn line
        would be its error), and the descriptor is pointed at /dev/null so that closing the
        stream cannot append the buffered remainder after the cut. Under ``_lock``."""
        stream = self._stream
        assert stream is not None
        fd = stream.fileno()
        with contextlib.suppress(OSError):
            _cut_after_last_newline(fd, self._stream_offset)
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY | os.O_CLOEXEC)
            os.dup2(devnull, fd)
            os.close(devnull)
        with contextlib.suppress(OSError, ValueError):
            stream.close()
        self._stream = None
        self._pending.clear()
        where = self.path if self.path is not None else "the run's history file"
        self._write_error = HistoryWriteError(
            where, f"cannot write the run's history ({exc.strerror or exc}); its record is incomplete, so the "
                   "run stopped without a verdict: free space on that disk (or give another --report-dir) "
                   "and run again")
        raise self._write_error from None

    @property
    def write_error(self) -> "HistoryWriteError | None":
        """The failure that stopped the stream file, or None."""
        return self._write_error

    def close(self) -> None:
        self.detach()
        with self._lock:
            if self._stream is not None and self._write_error is None:
                self._write_pending()
                self._stream.close()
                self._stream = None

    @classmethod
    def open_jsonl(cls, path: str | os.PathLike[str]) -> "History":
        """A history file, *not* loaded: one streaming pass notes its summaries (count, ``initial``,
        ``meta``, ``end_time``, ``last``), then every reader streams the file again. For histories too
        long to hold in memory (an 8-hour soak's); ``read_jsonl`` loads and validates every line."""
        p = Path(path)
        h = cls()
        try:
            with p.open("rb") as fh:
                for n, raw in enumerate(fh, 1):
                    if not raw.strip():
                        continue
                    if not raw.endswith(b"\n") and _tail_is_cut(raw):  # the last line, cut by a kill
                        h.cut_tail = CutTail(n, len(raw))
                        break
                    try:
                        e = Entry.from_dict(json.loads(raw))
                    except (ValueError, TypeError, KeyError) as exc:
                        raise HistoryFormatError(p, n, f"malformed entry ({exc})") from None
                    h._note_entry(e)
                    if e.op_id is not None:
                        h._op_ids = max(h._op_ids, int(e.op_id))
        except OSError as exc:
            raise InputFileError(p, f"cannot read history: {exc.strerror or exc}") from None
        h.path, h._base = p, h._count  # nothing in memory: readers stream the file
        h._running.clear()
        return h

    @classmethod
    def read_jsonl(cls, path: str | os.PathLike[str]) -> "History":
        p = Path(path)
        # read_bytes: a regular file, not binary, a sane size; a bad file is named, never a traceback
        raw = read_bytes(p, "history (JSON Lines)", max_bytes=2**30)
        cut = None
        end = raw.rfind(b"\n") + 1
        if end < len(raw) and _tail_is_cut(raw[end:]):
            cut = CutTail(raw.count(b"\n", 0, end) + 1, len(raw) - end)
            raw = raw[:end]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputFileError(p, f"is not UTF-8 text (byte {exc.start}); a history is written as UTF-8: "
                                    "is this the right file?") from None
        h = cls.from_lines(text.splitlines(), source=p)
        h.cut_tail = cut
        return h

    @classmethod
    def from_lines(cls, lines: Iterable[str], *, source: object = "<history>") -> "History":
        h = cls()
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except RecursionError:
                raise HistoryFormatError(source, n, "nested too deeply to be a history entry") from None
            except ValueError as exc:
                raise HistoryFormatError(source, n, f"not valid JSON ({getattr(exc, 'msg', exc)} at column "
                                                    f"{getattr(exc, 'colno', '?')})") from None
            if not isinstance(d, dict):
                raise HistoryFormatError(source, n, f"expected a JSON object, got {type(d).__name__}")
            missing = [k for k in ("index", "type") if k not in d]
            if missing:
                raise HistoryFormatError(source, n, f"missing field(s) {', '.join(missing)}")
            if d["type"] not in ENTRY_TYPES:
                raise HistoryFormatError(source, n, f"unknown entry type {d['type']!r}")
            try:
                entry = Entry.from_dict(d)
            except (TypeError, ValueError) as exc:
                raise HistoryFormatError(source, n, f"malformed entry ({exc})") from None
            h.entries.append(entry)
            h._note_entry(entry)
            h._noted += 1
            if entry.op_id is not None:
                h._op_ids = max(h._op_ids, int(entry.op_id))
        return h


def _cut_after_last_newline(fd: int, floor: int, chunk: int = 1 << 16) -> None:
    """Truncate the file ``fd`` just after its last newline (not below ``floor``)."""
    end = os.fstat(fd).st_size
    pos = end
    while pos > floor:
        start = max(floor, pos - chunk)
        data = os.pread(fd, pos - start, start)
        cut = data.rfind(b"\n")
        if cut >= 0:
            if start + cut + 1 < end:
                os.ftruncate(fd, start + cut + 1)
            return
        pos = start
    if floor < end:
        os.ftruncate(fd, floor)


def _last_line(path: Path, chunk: int = 1 << 16) -> bytes:
    """The last non-empty line of ``path`` (read from its end, a chunk at a time), or b''."""
    with path.open("rb") as fh:
        end = fh.seek(0, os.SEEK_END)
        tail = b""
        while end > 0:
            start = max(0, end - chunk)
            fh.seek(start)
            tail = fh.read(end - start) + tail
            end = start
            lines = tail.rstrip(b"\n").rsplit(b"\n", 1)
            if len(lines) == 2 or start == 0:
                return lines[-1]
        return b""


def append_note(path: str | os.PathLike[str], message: str, **data: Any) -> Entry:
    """Append a ``note`` entry to a closed history file, after its last entry (the next index,
    at the last entry's time, so the history's end time is unchanged).

    Why: the run's verdict is final only after its report judged the slopes of what the system
    held (``runner.adopt_report_verdict``), and the report reads the history first; the history's
    ``summary`` note is written then, so history.jsonl never says another verdict than
    summary.json, the reports and the console. Never through a symbolic link (``O_NOFOLLOW``)."""
    p = Path(path)
    line = _last_line(p)
    last = Entry.from_dict(json.loads(line)) if line.strip() else None
    entry = Entry(last.index + 1 if last is not None else 0, "note", last.time if last is not None else 0.0,
                  value=message, data=jsonable(data) if data else {})
    fd = os.open(p, os.O_RDWR | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC)  # read too: a cut line is found
    try:
        written = 0
        data_out = (_encode(entry.to_dict()) + "\n").encode("utf-8")
        while written < len(data_out):
            written += os.write(fd, data_out[written:])
    except OSError as exc:  # a full disk: the file keeps its whole lines, the cut one removed
        with contextlib.suppress(OSError):
            _cut_after_last_newline(fd, 0)
        raise HistoryWriteError(p, f"cannot add the run's verdict to its history ({exc.strerror or exc}); "
                                   "the history is whole without it: free space on that disk") from None
    finally:
        os.close(fd)
    return entry


def _index(e: Entry) -> int:
    return e.index


def _proc(process: str | int | None) -> str:
    if process is None:
        return threading.current_thread().name
    return str(process)


# -- observing a system ---------------------------------------------------------------------------

_digests: dict[int, tuple[Any, str]] = {}


def config_digest(config: Any) -> str | None:
    """A short stable digest of a config (cached per immutable config object)."""
    if config is None:
        return None
    hit = _digests.get(id(config))
    if hit is not None and hit[0] is config:
        return hit[1]
    text = json.dumps(jsonable(config), sort_keys=True)
    digest = hashlib.sha1(text.encode()).hexdigest()[:12]
    if len(_digests) > 512:
        _digests.clear()
    _digests[id(config)] = (config, digest)
    return digest


#: the note recorded at a quiet moment; its data is ``observe(system)``
QUIESCENT_NOTE = "quiescent"


def _operation_lock(system: Any) -> Any:
    """The system's re-entrant operation lock (``AudioSystem``'s and ``sut_kit``'s ``_op_lock``:
    every public operation, recovery and watchdog pass runs under it), or a null context for a
    system that keeps none."""
    lock = getattr(system, "_op_lock", None)
    return lock if hasattr(lock, "__enter__") and hasattr(lock, "__exit__") else contextlib.nullcontext()


def _counters_at_attach(system: Any) -> dict[str, Any]:
    """``{"counters": {name: value}}``, the system's monitoring counters now, or nothing for a
    system without them (a stand-in, the coordinator model)."""
    counters = getattr(getattr(system, "monitoring", None), "counters", None)
    if not hasattr(counters, "items"):
        return {}
    return {"counters": {n: c.value for n, c in counters.items()}}


def _pending_callback_errors(system: Any) -> int | None:
    """The callback errors the system's pipeline holds, counted but not yet reported (0 without a
    pipeline), or None for a system that keeps no such queue (a stand-in)."""
    if not hasattr(system, "pipeline"):
        return None
    pipeline = system.pipeline
    errors = getattr(pipeline, "errors", None) if pipeline is not None else ()
    return len(errors) if errors is not None else None


def _pending_at_attach(before: int | None, after: int | None) -> dict[str, Any]:
    """``{"pending_callback_errors": [before, after]}``: the pipeline's unreported callback errors
    read just before and just after the attach's counters, or nothing for a system without them.

    Why both: the audio callback counts an error and then queues it, on its own thread, outside
    the operation lock; errors reported before the attach are the counter less those queued, and
    the two readings bound that number however the callback moved between them
    (``invariants._callback_error_base``)."""
    if before is None or after is None:
        return {}
    return {"pending_callback_errors": [before, after]}


def observe(system: Any) -> dict[str, Any]:
    """The little the op checkers need: state, whether configured, a config digest, and ``seq``:
    the sequence number of the newest transition when the state was read.

    ``seq`` lets a checker attribute state changes to their actor: of the transitions numbered
    between an op's ``pre`` and ``post`` readings, those not in the op's own ``seqs`` were made by
    someone else (the recovery supervisor, the watchdog/error path), whenever the history's observer
    got round to recording them. State and seq are read under the coordinator's lock, where every
    transition is applied and numbered, so they describe one moment.
    """
    coordinator = getattr(system, "coordinator", None)
    if coordinator is None:  # a stand-in system (tests): no transitions to number
        state, seq = system.state.value, None
    else:
        with coordinator.state_lock:
            state = system.state.value
            seq = getattr(coordinator.history, "last_seq", None)
    return {"state": state, "configured": system.config is not None,
            "pending": getattr(system, "_pending_config", None) is not None,
            "config": config_digest(system.config), **({"seq": seq} if seq is not None else {})}


#: the event a recovery episode ends with, at which the recorder reads what the system holds
RECOVERY_END_EVENT = "recovery_succeeded"
#: the key of that reading in the recorded event's data (the recorder's, like ``during_op``)
HELD_KEY = "held"
#: the key of the recorder's reading in a stream death report's ``error`` event: that stream's
#: callbacks still queued on the virtual clock as the system routes the report
#: (``timer_watch.stream_callbacks_due``; the ``no_callback_after_death`` invariant reads it)
CALLBACKS_DUE_KEY = "stream_callbacks_due"
#: allocations of components so named are a fault's (``harness.faults.kinds.COMPETITOR``), not
#: the system's
FAULT_COMPONENT_PREFIX = "fault:"


def held_by_system(system: Any) -> dict[str, Any] | None:
    """What the system holds now, outside any fault's allocations: ``{"config": digest,
    "usage": {resource type: amount}}``, or None for a system without a ``ResourceManager``.

    Why: read as each recovery episode ends (``recovery_succeeded``, under the operation lock the
    recovery holds, so no other operation is half done), it lets the ``resources`` invariant
    judge the promise that a recovery gives back what it took: the same configuration rebuilt
    holds the same amounts after every episode. Read at close alone, a system that keeps one
    buffer per recovery and frees them all at close looked clean."""
    resources = getattr(system, "resources", None)
    live = getattr(resources, "live", None)
    if not callable(live):
        return None
    usage: dict[str, int] = {}
    for allocation in live():
        if str(allocation.component).startswith(FAULT_COMPONENT_PREFIX):
            continue
        rtype = getattr(allocation.rtype, "value", allocation.rtype)
        usage[str(rtype)] = usage.get(str(rtype), 0) + int(allocation.amount)
    return {"config": config_digest(getattr(system, "config", None)), "usage": usage}


def system_snapshot(system: Any) -> dict[str, Any]:
    """Counters, frame accounts, resources and health, read now. ``health_seq``: the newest
    transition number before and after the health was read, so the ``health`` invariant compares
    it with the states the system held then, not with whatever transitions other threads recorded
    before this snapshot was appended."""
    history = getattr(getattr(system, "coordinator", None), "history", None)
    first = getattr(history, "last_seq", None)
    health = system.health()
    last = getattr(history, "last_seq", None)
    counters = {n: c.value for n, c in system.monitoring.counters.items()}  # no histogram percentiles
    accounts = system.frame_accounts()
    res = system.resources
    pipeline = system.pipeline
    return {
        "state": system.state.value,
        "counters": counters,
        "frames": accounts.to_dict(),
        "balanced": accounts.balanced(),
        "pending_callback_errors": len(pipeline.errors) if pipeline is not None else 0,
        "resources": {
            "usage": {t.value: v for t, v in res.usage().items()},
            "peak": {t.value: v for t, v in res.peak().items()},
            "limits": {t.value: v for t, v in res.global_limits.items()},
            "within_limits": res.within_limits(),
            "live": len(res.live()),
        },
        "health": health,
        **({"health_seq": [first, last]} if first is not None and last is not None else {}),
    }


# -- wrapping a call ------------------------------------------------------------------------------

def classify(op_name: str, exc: BaseException) -> str:
    """``fail`` if the system refused without effect, ``ok`` for an error that *is* the result."""
    from system_under_test.errors import (  # noqa: PLC0415 - keep this module cheap to import
        AudioSystemError,
        ConfigError,
        LifecycleError,
        SimulatedError,
    )
    if op_name == "simulate_error" and isinstance(exc, SimulatedError):
        return "ok"
    if isinstance(exc, (ConfigError, LifecycleError)):
        return "fail"
    if isinstance(exc, AudioSystemError):
        return "info"
    return "crash"


def run_op(history: History, system: Any, op_name: str, *args: Any, process: str | int | None = None,
           meta: dict[str, Any] | None = None, timeout_s: float | None = None,
           observe_state: bool = True, **kwargs: Any) -> OpResult:
    """Call ``system.<op_name>(*args, **kwargs)`` recording invoke -> ok / fail / info.

    Refusals (``LifecycleError``, ``ConfigError``) are ``fail``; other ``AudioSystemError``s are
    ``info`` (the world broke part-way: the effect is unknown); ``simulate_error``'s own
    ``SimulatedError`` is its ``ok``. Any other exception is a crash: recorded as ``info`` with
    ``crash: true`` and re-raised. With ``timeout_s`` the call runs on a worker thread; if it does not
    return in time the op is ``info`` with ``timeout: true`` (and the thread is left running).
    """
    recorded_args = list(args) + ([kwargs] if kwargs else [])
    op_id = history.invoke(process, op_name, recorded_args, meta=meta)
    # observed inside [invoke, complete]: for an op that overlaps no other, nothing else ran between
    pre = observe(system) if observe_state else None
    proc = _proc(process)
    method = getattr(system, op_name)
    box: dict[str, Any] = {}

    def call() -> None:
        try:
            box["value"] = method(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - classified below
            box["error"] = exc

    def captured_call() -> None:
        history._local.capture = seqs
        try:
            call()
        finally:
            history._local.capture = None

    seqs: list[int] = []
    if timeout_s is None:
        captured_call()
    else:
        worker = threading.Thread(target=captured_call, name=f"run_op-{op_name}-{op_id}", daemon=True)
        worker.start()
        worker.join(timeout_s)
        if worker.is_alive():
            history.info(op_id, error={"timeout": True, "timeout_s": timeout_s}, pre=pre, process=proc,
                         op=op_name)
            return OpResult("info", None, TimeoutError(f"{op_name} did not return in {timeout_s} s"), op_id)
    post = observe(system) if observe_state else None
    exc = box.pop("error", None)
    if exc is None:
        value = box.get("value")
        history.ok(op_id, value if isinstance(value, (bool, int, float, str, type(None))) else None,
                   pre=pre, post=post, process=proc, op=op_name, seqs=seqs)
        return OpResult("ok", value, None, op_id, seqs)
    outcome = classify(op_name, exc)
    if outcome == "crash":
        history.info(op_id, error={"crash": True, "type": type(exc).__name__, "message": str(exc)},
                     pre=pre, post=post, process=proc, op=op_name, seqs=seqs)
        raise exc
    history.complete(op_id, outcome, error=exc, pre=pre, post=post, process=proc, op=op_name, seqs=seqs)
    drop_tracebacks(exc)
    return OpResult(outcome, None, exc, op_id, seqs)


def drop_tracebacks(exc: BaseException) -> None:
    """Let go of the tracebacks of ``exc`` and of the exceptions it was raised from, once the
    refusal has been recorded (a history keeps its class, message and details, never its frames).

    Why: a traceback holds the frames the exception passed through, and a frame's ``f_back`` the
    frames that called it, up to ``run_op``'s and its callers', which hold the exception (``exc``,
    the ``OpResult``): every refused operation would be a reference cycle of frames, with the
    system's objects in their locals, freed only by the cycle collector's oldest generation. A
    crash keeps its traceback: it is raised on, for whoever reads it."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        current.__traceback__ = None
        pending += (current.__cause__, current.__context__)


__all__ = [
    "CutTail",
    "NO_ENTRIES",
    "recorded_nothing",
    "cut_off_phrase",
    "Entry",
    "History",
    "HistoryFormatError",
    "HistoryWriteError",
    "OpResult",
    "Operation",
    "classify",
    "config_digest",
    "held_by_system",
    "HELD_KEY",
    "jsonable",
    "observe",
    "RECOVERY_END_EVENT",
    "run_op",
    "system_snapshot",
]
