"""The live ``linearizable`` judge read as ``LiveChecker`` reads it, against a fresh judge per step.

``LiveChecker`` keeps one ``_StreamingLinearizability``, feeds it only the entries recorded since
its previous check and asks for ``reading()``, a verdict that leaves the pass open. Before, it
built a new judge at every check and fed it the whole history (``check_linearizable``). The two
must give the same verdict, message and evidence at every step, and the kept judge must never
hand over to the whole-history judge because it was read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from harness import History
from harness.invariants import Verdict, _StreamingLinearizability, check_linearizable


def verdict_key(v: Verdict) -> tuple[Any, ...]:
    """What a verdict says: outcome, inconclusiveness, message and evidence."""
    return (v.ok, v.inconclusive, v.message, v.evidence)


def readings_against_fresh(entries: Iterable[Any]) -> tuple[int, list[str], _StreamingLinearizability]:
    """Record ``entries`` one by one into a growing history; after each, read the kept judge
    (fed that entry alone) and judge the history so far afresh. Returns (readings compared, the
    first few differences described, the kept judge after its final verdict)."""
    live = History()
    judge = _StreamingLinearizability(live)
    compared, differ = 0, []
    for e in entries:
        live.entries.append(e)
        live._note_entry(e)
        if e.type in judge.types:
            judge.feed(e)
        compared += 1
        read, fresh = verdict_key(judge.reading()), verdict_key(check_linearizable(live))
        if read != fresh and len(differ) < 5:
            differ.append(f"after entry {e.index} ({e.type}): read {read[:3]}, fresh {fresh[:3]}")
    last = verdict_key(check_linearizable(live))
    if judge.judged:
        differ.append("the pass was settled by a reading")
    final = verdict_key(judge.verdict())
    if final != last:
        differ.append(f"final verdict {final[:3]}, fresh {last[:3]}")
    return compared, differ, judge


def assert_every_reading_is_the_fresh_verdict(h: Iterable[Any]) -> _StreamingLinearizability:
    """``readings_against_fresh`` with nothing different (the kept judge returned)."""
    _, differ, judge = readings_against_fresh(h)
    assert not differ, differ
    return judge


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
