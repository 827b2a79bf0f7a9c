"""What the system's bounded logs hold: their fill and a lower bound of their bytes.

A bounded log (the coordinator's error log and transition log, 10 000 records each) grows while
it fills and then holds steady: legitimate growth that saturates. A soak's memory judge reads
the process's RSS, where such a log filling for the first hours looks like a leak; so each log
reports how many records it holds, its bound, and the bytes its records hold, and the judge
takes those bytes out of the series it fits (``harness.leaks``), naming them.

The bytes are a **lower bound**, by construction: only objects made for one record are counted
(the record, an ``ErrorInfo``, its own details mapping and the lists and dicts inside it, the log's
pointer to it). A transition log counts its records' seqs (made by its own counter, one for each
record: left out, they were 23 % of a full log's bytes) and its cause strings once each, while
nothing but its records holds them (``CauseRuns``: a recovery's formatted cause is shared by its
five records, a literal by the code that wrote it; read when the fill is asked, so whatever call
chain passed the cause down has let it go; left out, a soak's causes were 6 % of its log's bytes),
but no time: a time may be the same object another record holds (counting them per record, with
the causes, overcounted a transition log's bytes by 13 %). The error
log also counts the leaves made for each error (``error_record_leaf_bytes``: its seq, a formatted
message, a stall's float details), told from shared ones by their references as the record is
added (``FRESH_REFS``: a literal or an object other records hold has more), the sum kept beside
each record; leaving them out left about a third of the log's growth in every judged series. Counting too much would hide a leak of that size behind the log; counting too little only
leaves some of the log's growth in the judged series.
"""

from __future__ import annotations

import sys
from collections import deque
from dataclasses import dataclass
from typing import Any

__all__ = ["BoundedFill", "CauseRuns", "FRESH_REFS", "detail_container_bytes", "error_record_bytes",
           "error_record_leaf_bytes", "transition_record_bytes"]

#: a deque's pointer to each item (its blocks hold 64 items each; their headers are not counted)
_SLOT = 8


@dataclass(frozen=True, slots=True)
class BoundedFill:
    """One bounded log as it stands: records held, its bound, and a lower bound of their bytes."""

    records: int
    maxlen: int
    held_bytes: int

    @property
    def full(self) -> bool:
        return self.records >= self.maxlen


def transition_record_bytes(record: Any) -> int:
    """A ``TransitionRecord``'s own bytes: the record, the log's pointer to it, and its seq past
    the interpreter's cache of small ints (the log's counter makes one for each record: nothing
    else keeps it once the observers have read it). States are enum members; the time, component
    and cause may be shared with other records or made once for many (a recovery's formatted cause
    is its system's and its four components' records'): not counted here; the log counts its
    causes once each in its ``CauseRuns``. Measured over a 10-minute default soak's full log
    (``bench/transition_log_leaves.py``): records 65 %, seqs 23 %, slots 6 %, cause strings 6 %,
    times 0.1 % of the bytes only the log held."""
    n = _SLOT + sys.getsizeof(record)
    return n + _seq_bytes(record.seq)


#: the references ``CauseRuns.owned_bytes`` makes to a cause as it reads it, besides its records'
#: and its runs': the tally's entry, its own local name, and ``sys.getrefcount``'s argument
_TALLY_REFS = 3


class CauseRuns:
    """A bounded log's cause strings as runs, in its records' order: each run one cause object and
    how many records in a row hold it; their bytes are the log's while nothing else holds them.

    Why runs: the records sharing one formatted cause (a recovery's system and four components)
    come in a row, so a run is a deque slot for the cause and one for its length, 16 bytes, where
    a mapping from each distinct cause cost more than the strings it counted (108 152 B for
    74 096 B of causes over a 10-minute default soak's full log). A record leaving the log is the
    oldest, whose cause is the first run's.

    Why the count is read when the fill is asked and not as a record is added: as it is added, a
    cause is also held by every frame of the call chain that passed it down (the system's ``_set``,
    the coordinator's ``transition`` and ``try_transition``), a depth that differs from one caller to
    another; once the transition is done only the holders that last remain. A cause whose
    references are exactly its records' and its runs' (``_TALLY_REFS`` besides) is the log's alone,
    and freed with its last record: counted once. A literal is also its code's, an interned or
    cached string the interpreter's, and one formatted for a recovery that the harness's history or
    an error still holds is theirs too: not counted while they hold it (a lower bound, as every
    count here)."""

    __slots__ = ("_causes", "_lengths")

    def __init__(self) -> None:
        self._causes: deque[Any] = deque()
        self._lengths: deque[int] = deque()

    def hold(self, cause: Any) -> None:
        """The log's newest record holds ``cause``."""
        if self._causes and self._causes[-1] is cause:
            self._lengths[-1] += 1
        else:
            self._causes.append(cause)
            self._lengths.append(1)

    def let_go_oldest(self) -> None:
        """The log's oldest record has left it."""
        self._lengths[0] -= 1
        if not self._lengths[0]:
            self._causes.popleft()
            self._lengths.popleft()

    def owned_bytes(self) -> int:
        """The bytes of the causes nothing but the log's records (and their runs) holds, each
        counted once, and the runs' own: a slot for each cause and length, and a length past the
        interpreter's cache of small ints (a run of more than 256 records)."""
        tally: dict[int, list[Any]] = {}  # id -> [cause, records holding it, runs holding it]
        n = 0
        for cause, length in zip(self._causes, self._lengths):
            entry = tally.setdefault(id(cause), [cause, 0, 0])
            entry[1] += length
            entry[2] += 1
            n += 2 * _SLOT + _seq_bytes(length)
        for entry in tally.values():
            cause = entry[0]  # rebound: the one local reference _TALLY_REFS counts
            if sys.getrefcount(cause) - _TALLY_REFS == entry[1] + entry[2]:
                n += sys.getsizeof(cause)
        return n


def error_record_bytes(record: Any) -> int:
    """An ``ErrorRecord``'s own bytes: the record, its ``ErrorInfo`` and that
    info's details mapping when it has any (an empty one is the shared ``_NO_DETAILS``), with the
    lists and dicts inside the details (``detail_container_bytes``). The info
    is made for its record (``ErrorInfo.of`` makes it from the exception; a device error queued
    as an info may also sit in its pipeline's 256-entry error log: a bounded overlap, never a
    trend); strings, the exception class and the severity member are not counted."""
    info = record.error
    n = _SLOT + sys.getsizeof(record) + sys.getsizeof(info)
    details = getattr(info, "details", None)
    if details:
        n += sys.getsizeof(details) + sys.getsizeof(dict(details))
        n += sum(detail_container_bytes(v) for v in details.values())
    return n


def detail_container_bytes(value: Any) -> int:
    """The bytes of the lists and dicts in one detail value (itself included), their leaves
    (strings, numbers) left out. ``ErrorInfo.of`` builds every such container afresh
    (``errors._json_safe`` copies lists, tuples and dicts), so they belong to this record alone,
    as the history window's entries' containers do (``harness.history._container_bytes``): a
    device's xrun report carries its status flags as a list, one made for each record."""
    if isinstance(value, list):
        return sys.getsizeof(value) + sum(detail_container_bytes(v) for v in value)
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(detail_container_bytes(v) for v in value.values())
    return 0


#: the most references a leaf made for one error has while its record is added: the caller's
#: ``getrefcount`` argument, the ``ErrorInfo`` (or its details), and the exception it was made from
#: (its ``message`` and ``args``); a literal has its code object's too, and an object shared by
#: several records one more for each, so a shared object is counted for a few records at most
FRESH_REFS = 4
#: the references to an ``ErrorInfo`` made for its record as the record is added: the record, the
#: coordinator's and this module's locals, the ``getrefcount`` argument; an info reported again or
#: kept elsewhere has more, and its leaves are then not counted (its leaves' own references do not
#: grow with the records that share the info)
_OWN_INFO_REFS = 4
#: ints the interpreter keeps one object for (never made for a record)
_CACHED_INTS = range(-5, 257)


def error_record_leaf_bytes(record: Any) -> int:
    """The bytes of the leaves made for one ``ErrorRecord`` (read as it is added, kept beside it):
    its seq (a new int past the interpreter's cache), and its message and detail values where
    nothing but this error refers to them (``FRESH_REFS``): a formatted message ("no callback for
    0.731 s ...", "simulated device 'sim-in' disappeared"), a stall's float details, and only when
    the ``ErrorInfo`` holding them is this record's alone (``_OWN_INFO_REFS``). A literal, a
    device's name kept by its stream, the clock's time (the virtual clock's own float) and the
    details' keys are referred to elsewhere and not counted, so the sum stays a lower bound."""
    n = _seq_bytes(record.seq)
    info = record.error
    if sys.getrefcount(info) > _OWN_INFO_REFS:
        return n  # an info kept elsewhere too (reported again, queued): its leaves may be shared
    n += _fresh_leaf_bytes(info.message)
    details = getattr(info, "details", None)
    if details:
        for value in details.values():
            n += _fresh_leaf_bytes(value)
    return n


def _seq_bytes(seq: Any) -> int:
    """A record's seq's bytes: an int past the interpreter's cache of small ints is made by its
    log's counter for that record alone; a cached one (or anything else) is shared, 0."""
    return sys.getsizeof(seq) if type(seq) is int and seq not in _CACHED_INTS else 0


def _fresh_leaf_bytes(value: Any) -> int:
    """``value``'s bytes if it is a string, float or int nothing but its error refers to."""
    t = type(value)
    if t is str or t is float or (t is int and value not in _CACHED_INTS):
        return sys.getsizeof(value) if sys.getrefcount(value) <= FRESH_REFS + 1 else 0
    return 0
