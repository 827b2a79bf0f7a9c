"""What the system's bounded logs hold: their fill and a lower bound of their bytes.

A bounded log (the coordinator's error log and transition log, 10 000 records each) grows while
it fills and then holds steady: legitimate growth that saturates. A soak's memory judge reads
the process's RSS, where such a log filling for the first hours looks like a leak; so each log
reports how many records it holds, its bound, and the bytes its records hold, and the judge
takes those bytes out of the series it fits (``harness.leaks``), naming them.

The bytes are a **lower bound**, by construction: only objects made for one record are counted
(the record, an ``ErrorInfo``, its own details mapping and the lists and dicts inside it, the log's
pointer to it). Strings, times and seq numbers are never counted: a message or a cause may be a literal shared by every
record, and a time or a seq may be the same object another record or an observer holds
(measured: counting them overcounted a transition log's bytes by 13 %). Counting too much would hide a leak of that size behind
the log; counting too little only leaves some of the log's growth in the judged series.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

__all__ = ["BoundedFill", "detail_container_bytes", "error_record_bytes", "transition_record_bytes"]

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
    """A ``TransitionRecord``'s own bytes: the record and the log's pointer to it (states are enum
    members; the time, seq, component and cause may be shared: not counted)."""
    return _SLOT + sys.getsizeof(record)


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
