"""The live ``linearizable`` judge read as ``LiveChecker`` reads it, against a fresh judge per step.

``LiveChecker`` keeps one ``_StreamingLinearizability``, feeds it only the entries recorded since
its previous check and asks for ``reading()``, a verdict that leaves the pass open. Before, it
built a new judge at every check and fed it the whole history (``check_linearizable``). The two
must give the same verdict, message and evidence at every step, and the kept judge must never
hand over to the whole-history judge because it was read.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from harness import History
from harness.invariants import Verdict, _StreamingLinearizability, check_linearizable


def verdict_key(v: Verdict) -> tuple[Any, ...]:
    """What a verdict says: outcome, inconclusiveness, message and evidence."""
    return (v.ok, v.inconclusive, v.message, v.evidence)


@dataclass
class Readings:
    """The kept judge read at every entry of a history, against a fresh judge each time."""

    judge: _StreamingLinearizability  # the kept judge, after its final verdict
    compared: int = 0  # readings compared
    differ: list[str] = field(default_factory=list)  # the first few differences, described
    read_s: float = 0.0  # thread CPU feeding and reading the kept judge
    fresh_s: float = 0.0  # thread CPU judging afresh


def recorded_one_by_one(entries: Iterable[Any]) -> tuple[History, Iterator[Any]]:
    """A history that grows by one of ``entries`` at each step of the iterator returned beside it
    (which yields the entry just recorded): a live judge reads it as a live check would."""
    live = History()

    def grow() -> Iterator[Any]:
        for e in entries:
            live.entries.append(e)
            live._note_entry(e)
            yield e
    return live, grow()


def readings_against_fresh(entries: Iterable[Any]) -> Readings:
    """Record ``entries`` one by one into a growing history; after each, read the kept judge
    (fed that entry alone) and judge the history so far afresh; at the end, the kept judge's
    final verdict against the fresh one."""
    live, recorded = recorded_one_by_one(entries)
    out = Readings(_StreamingLinearizability(live))
    judge, clock = out.judge, time.thread_time
    for e in recorded:
        t0 = clock()
        if e.type in judge.types:
            judge.feed(e)
        read = verdict_key(judge.reading())
        t1 = clock()
        fresh = verdict_key(check_linearizable(live))
        out.read_s += t1 - t0
        out.fresh_s += clock() - t1
        out.compared += 1
        if read != fresh and len(out.differ) < 5:
            out.differ.append(f"after entry {e.index} ({e.type}): read {read[:3]}, fresh {fresh[:3]}")
    last = verdict_key(check_linearizable(live))
    if judge.judged:
        out.differ.append("the pass was settled by a reading")
    final = verdict_key(judge.verdict())
    if final != last:
        out.differ.append(f"final verdict {final[:3]}, fresh {last[:3]}")
    return out


def assert_every_reading_is_the_fresh_verdict(h: Iterable[Any]) -> _StreamingLinearizability:
    """``readings_against_fresh`` with nothing different (the kept judge returned)."""
    got = readings_against_fresh(h)
    assert not got.differ, got.differ
    return got.judge


def read_live(h: History) -> Verdict:
    """The verdict of a judge fed ``h`` entry by entry and read after each (the last reading), as
    the live check after every step gives it; the pass must still be open after it."""
    judge = _StreamingLinearizability(h)
    v = judge.reading()
    for e in h:
        if e.type in judge.types:
            judge.feed(e)
            v = judge.reading()
    assert not judge.judged
    return v
