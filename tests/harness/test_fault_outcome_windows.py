"""A firing's window in the outcome fold (``harness.fault_outcomes``), at each of its edges.

The window runs from the firing's start to its end (an xrun's start plus its lateness; a lasting
fault's end, as its ``fault_end`` entry says) and on for the settle time; the first error inside
it, ends included, is the firing's outcome, and a late block is credited from the count before the
firing (0 when no sample came before it). Histories are crafted as the injector records them: a
``fault_start`` whose ``ended_at`` is None, a ``fault_end`` with the firing's id and end. The
settle time is 0.25 s and every time a binary fraction, so each edge is met exactly.
"""

from __future__ import annotations

from typing import Any

from harness.fault_outcomes import FaultOutcomeFold, late_counter, settle_for
from harness.faults.xrun_bound import Period

SETTLE_S = 0.25
#: a period whose window is ``SETTLE_S`` (``settle_for``: three periods and a supervisor pass)
PERIOD = Period(period_s=0.0625, stall_periods=2, supervisor_s=0.0625)


def _start(kind: str, t: float, **params: Any) -> dict[str, Any]:
    data = {"firing_id": f"{kind}@{t}", "kind": kind, "fired_at": t, "ended_at": None, "params": params}
    return {"type": "fault_start", "time": t, "value": kind, "data": data}


def _end(kind: str, fired_at: float, ended_at: float) -> dict[str, Any]:
    data = {"firing_id": f"{kind}@{fired_at}", "kind": kind, "fired_at": fired_at, "ended_at": ended_at,
            "params": {}}
    return {"type": "fault_end", "time": ended_at, "value": kind, "data": data}


def _instant(kind: str, t: float, **params: Any) -> list[dict[str, Any]]:
    return [_start(kind, t, **params), _end(kind, t, t)]


def _error(t: float, type_: str = "CallbackError", component: str = "dsp") -> dict[str, Any]:
    return {"type": "error", "time": t, "value": "error", "data": {"error": {"type": type_, "component": component}}}


def _metrics(t: float, late_blocks: int | None) -> dict[str, Any]:
    counters = {"xruns": 9} if late_blocks is None else {"xruns": 9, "status_output_underflow": late_blocks}
    return {"type": "metrics", "time": t, "data": {"counters": counters}}


def _outcomes(entries: list[dict[str, Any]]) -> list[tuple[str, float, str]]:
    assert settle_for(PERIOD) == SETTLE_S
    fold = FaultOutcomeFold(period=PERIOD)
    for e in entries:
        fold.feed(e)
    return fold.outcomes()


def test_an_xrun_s_window_runs_on_for_its_lateness() -> None:
    # late by 0.5 s: its window runs to 1.75 s, so the stall at 1.625 s is what it became
    assert _outcomes([_metrics(0.5, 0), *_instant("xrun", 1.0, delay_s=0.5), _error(1.625, "DeviceStalledError", "device"),
                      _metrics(2.0, 0)]) == [("xrun", 1.0, "stall")]
    # another kind's window does not run on by a lateness it does not have
    assert _outcomes([_metrics(0.5, 0), *_instant("callback_raises", 1.0), _error(1.625),
                      _metrics(2.0, 0)]) == [("callback_raises", 1.0, "nothing_seen")]


def test_a_lasting_fault_s_window_runs_on_from_its_own_end() -> None:
    entries = [
        _metrics(0.5, 0),
        _start("dropout", 1.0, duration_s=0.5),
        *_instant("callback_raises", 1.0),  # its window ends at 1.25 s: the dropout's end is not its
        _end("dropout", 1.0, 1.5),
        _error(1.625, "DeviceLostError", "device"),  # inside the dropout's window (to 1.75 s) alone
        _metrics(2.0, 0),
    ]
    assert _outcomes(entries) == [("dropout", 1.0, "device_error"), ("callback_raises", 1.0, "nothing_seen")]


def test_an_error_at_the_firing_s_instant_or_at_its_window_s_last_instant_is_its_own() -> None:
    entries = [
        _metrics(0.5, 0),
        *_instant("callback_raises", 1.0), _error(1.0),
        *_instant("callback_raises", 2.0), _error(2.25),
        *_instant("invalid_config", 3.0),
        {"type": "event", "time": 3.25, "value": "config_rejected", "data": {}},
        _metrics(4.0, 0),
    ]
    assert _outcomes(entries) == [("callback_raises", 1.0, "error"), ("callback_raises", 2.0, "error"),
                                  ("invalid_config", 3.0, "refused")]


def test_an_error_after_the_window_is_not_the_firing_s() -> None:
    assert _outcomes([_metrics(0.5, 0), *_instant("callback_raises", 1.0), _error(1.5),
                      _metrics(2.0, 0)]) == [("callback_raises", 1.0, "nothing_seen")]


def test_a_sample_without_the_late_block_counter_leaves_a_firing_not_observed() -> None:
    assert _outcomes([_metrics(0.5, None), *_instant("xrun", 1.0, delay_s=0.01),
                      _metrics(2.0, None)]) == [("xrun", 1.0, "not_observed")]


def test_a_firing_before_any_sample_counts_its_late_blocks_from_zero() -> None:
    assert _outcomes([*_instant("xrun", 0.5, delay_s=0.01), _metrics(1.0, 1)]) == [("xrun", 0.5, "xrun")]


def test_a_firing_still_in_its_window_at_a_sample_is_judged_at_the_next() -> None:
    # the sample at 1.0 s comes inside the xrun's window (to 1.26 s); its late block shows at 2.0 s
    assert _outcomes([_metrics(0.5, 0), *_instant("xrun", 0.99, delay_s=0.01), _metrics(1.0, 0),
                      _metrics(2.0, 1)]) == [("xrun", 0.99, "xrun")]


def test_a_firing_judged_while_another_xrun_is_in_its_window_is_counted_once() -> None:
    entries = [
        _metrics(0.5, 0),
        *_instant("xrun", 1.0, delay_s=0.01),  # its window ends at 1.26 s
        *_instant("xrun", 1.375, delay_s=0.01),  # still in its window at the sample at 1.5 s
        _metrics(1.5, 1),
        _metrics(2.0, 1),
    ]
    assert _outcomes(entries) == [("xrun", 1.0, "xrun"), ("xrun", 1.375, "nothing_seen")]


def test_late_blocks_are_read_from_xruns_only_when_the_system_counted_one() -> None:
    # no flag counter moved, and no xrun either: the late-block counter, which shows none
    assert late_counter({"xruns": 0, "status_output_underflow": 0}) == "status_output_underflow"
    assert late_counter({"xruns": 0}) == "status_output_underflow"
    assert late_counter({"xruns": 1, "status_output_underflow": 0}) == "xruns"


def test_a_firing_at_the_run_s_first_instant_has_its_window_from_zero() -> None:
    # a trigger at 0 s fires at the virtual clock's 0.0: the error 0.125 s later is inside its window
    assert _outcomes([*_instant("callback_raises", 0.0), _error(0.125), _metrics(1.0, 0)]) == [
        ("callback_raises", 0.0, "error")]
