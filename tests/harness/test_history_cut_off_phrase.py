"""What the report of a killed run says of where its record stops (``history.cut_off_phrase``).

A run killed before its verdict is reported INCONCLUSIVE with "the run was cut off at t=... s",
t counted from the history's first entry. Two different kills need two different remedies: one
part-way through the run's time ("of N s": it ran only that far) and one after its time was over
but before it was judged ("after its N s had run": the run itself was whole, its judging was
not). Each case below is a hand-built history whose right phrase is known from its times and
its ``meta``; a phrase that swaps the two sends the user after the wrong cause.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.history import History, cut_off_phrase


def _history(times: list[float], run: Any = None) -> History:
    """A history of a ``meta`` entry (with ``run`` when given) at the first time, then a ``note``
    at each later time."""
    lines = []
    if times:
        data = {"run": run} if run is not None else {}
        lines.append(json.dumps({"index": 0, "type": "meta", "time": times[0], "data": data}))
        lines += [json.dumps({"index": i, "type": "note", "time": t, "value": "x"})
                  for i, t in enumerate(times[1:], 1)]
    return History.from_lines(lines)


@pytest.mark.parametrize("times, run, phrase", [
    # cut part-way through the asked duration: how far it got, of how much
    ([5.0, 7.0], {"duration_s": 10}, "the run was cut off at t=2.000 s of 10 s"),
    ([5.0, 14.999], {"duration_s": 10}, "the run was cut off at t=9.999 s of 10 s"),
    ([100.0, 100.25, 100.5], {"duration_s": 0.75}, "the run was cut off at t=0.500 s of 0.75 s"),
    # its time was over: only the judging was left
    ([5.0, 15.0], {"duration_s": 10}, "the run was cut off at t=10.000 s, after its 10 s had run but before it "
                                      "was judged"),
    ([5.0, 16.5], {"duration_s": 10.0}, "the run was cut off at t=11.500 s, after its 10 s had run but before it "
                                        "was judged"),
    # no asked duration to compare with (none recorded, or not a number): the time alone
    ([5.0, 7.0], None, "the run was cut off at t=2.000 s"),
    ([5.0, 7.0], {"duration_s": True}, "the run was cut off at t=2.000 s"),
    ([5.0, 7.0], {"duration_s": "10"}, "the run was cut off at t=2.000 s"),
    ([5.0, 7.0], "not a table", "the run was cut off at t=2.000 s"),
    ([], None, "the run was cut off at t=0.000 s"),
])
def test_the_cut_off_phrase_says_how_far_the_record_got_and_of_what(times: list[float], run: Any,
                                                                   phrase: str) -> None:
    assert cut_off_phrase(_history(times, run)) == phrase


@pytest.mark.parametrize("asked", [0.5, 1.0, 3.0, 7.5, 30.0])
@pytest.mark.parametrize("at", [0.0, 0.25, 2.0, 3.0, 7.5, 29.0, 31.0])
def test_the_phrase_is_part_way_exactly_when_the_record_stops_before_the_asked_duration(at: float,
                                                                                       asked: float) -> None:
    """Every pairing of where the record stops and what was asked: "of N s" when it stopped
    before, "after its N s" otherwise (the brute-force form of the rule)."""
    said = cut_off_phrase(_history([2.0, 2.0 + at], {"duration_s": asked}))
    assert said.startswith(f"the run was cut off at t={at:.3f} s")
    assert said.endswith(f" of {asked:g} s") is (at < asked)
    assert said.endswith("had run but before it was judged") is (at >= asked)
