"""The outcome fold's rules that a run's own history decides (``harness.fault_outcomes``): the
period its windows run on for, read from the history's ``meta`` entry; the counter its late
blocks are read from, from its last metrics sample; the count a late block is credited from; the
order late blocks are credited in; the firings that could not reach their path (the system left
``running`` inside the window, at its edges included); a refusal as the outcome of the one kind
injected to draw it; and the exact account ``path_missed`` gives of a summary's outcomes.

Histories are crafted as the injector records them (``test_fault_outcome_windows``' entries: a
``fault_start`` whose ``ended_at`` is None, a ``fault_end`` with the firing's id and end), every
time a binary fraction so each edge is met exactly.
"""

from __future__ import annotations

from typing import Any

from harness.fault_outcomes import FaultOutcomeFold, fold_history, path_missed, run_period
from harness.faults.xrun_bound import period_of

from test_fault_outcome_windows import PERIOD, _error, _instant, _metrics, _outcomes

#: a configuration file's 8192-frame blocks at 48 kHz: a window of 0.858 s, against 0.05 s by default
LONG_BLOCKS = {"stream": {"block_size": 8192, "latency_ms": 200}}
META = {"type": "meta", "time": 0.0, "data": {"run": {"config": LONG_BLOCKS}}}


def _to(t: float, state: str, component: str = "system") -> dict[str, Any]:
    return {"type": "transition", "time": t, "data": {"component": component, "to_state": state}}


def _counters(t: float, xruns: int) -> dict[str, Any]:
    """A sample of a system that counts late callbacks only as xruns (its flag counters stay 0)."""
    return {"type": "metrics", "time": t, "data": {"counters": {"xruns": xruns, "status_output_underflow": 0}}}


def test_the_run_period_is_the_meta_entrys_run_configuration_wherever_it_stands() -> None:
    assert period_of(LONG_BLOCKS) != period_of(None)  # else the checks below tell nothing apart
    assert run_period([META]) == period_of(LONG_BLOCKS)
    assert run_period([_metrics(0.5, 0), META]) == period_of(LONG_BLOCKS)
    # no meta entry, or one that names no run: the system's defaults (None)
    assert run_period([_metrics(0.5, 0)]) is None
    assert run_period([{"type": "meta", "time": 0.0, "data": {}}, META]) is None


def test_fold_history_runs_each_window_on_for_the_period_its_meta_entry_names() -> None:
    # an error 0.5 s after the firing: inside an 8192-frame run's window (0.858 s), after the default's
    entries = [META, _metrics(0.5, 0), *_instant("callback_raises", 1.0), _error(1.5), _metrics(4.0, 0)]
    assert fold_history(entries).outcomes() == [("callback_raises", 1.0, "error")]
    assert fold_history(entries, period=period_of(None)).outcomes() == [("callback_raises", 1.0, "nothing_seen")]
    # the entries may come as a one-pass iterator, with either argument given or neither
    assert fold_history(iter(entries)).outcomes() == [("callback_raises", 1.0, "error")]
    assert fold_history(iter(entries), {"xruns": 0}).outcomes() == [("callback_raises", 1.0, "error")]
    assert fold_history(iter(entries), period=period_of(LONG_BLOCKS)).outcomes() == [
        ("callback_raises", 1.0, "error")]
    # a history without a meta entry, read once for its period, is read again for its firings
    assert fold_history(iter(entries[1:]), {"xruns": 0}).outcomes() == [("callback_raises", 1.0, "nothing_seen")]


def test_fold_history_reads_late_blocks_from_the_counter_the_last_sample_shows_moved() -> None:
    # the xruns counter moved and no flag counter did: the late block is read from xruns
    entries = [_counters(0.5, 0), *_instant("xrun", 1.0, delay_s=0.0078125), _counters(2.0, 1)]
    assert fold_history(entries).outcomes() == [("xrun", 1.0, "xrun")]
    # the final counters given say a flag counter moved: the flag counter is read, and shows none
    given = {"xruns": 1, "status_output_underflow": 0, "status_input_overflow": 1}
    assert fold_history(entries, given).outcomes() == [("xrun", 1.0, "nothing_seen")]
    # a history without a sample: nothing observed, and no counter to read
    assert fold_history(_instant("xrun", 1.0, delay_s=0.0078125)).outcomes() == [("xrun", 1.0, "not_observed")]


def test_a_late_block_is_credited_from_the_count_of_the_last_sample_before_the_firing() -> None:
    # three late blocks before the firing: a sample still at three shows none of its own
    assert _outcomes([_metrics(0.5, 3), *_instant("xrun", 1.0, delay_s=0.0078125), _metrics(2.0, 3)]) == [
        ("xrun", 1.0, "nothing_seen")]
    assert _outcomes([_metrics(0.5, 3), *_instant("xrun", 1.0, delay_s=0.0078125), _metrics(2.0, 4)]) == [
        ("xrun", 1.0, "xrun")]


def test_two_xruns_judged_at_one_sample_that_counted_two_late_blocks_read_one_each() -> None:
    entries = [_metrics(0.5, 0), *_instant("xrun", 1.0, delay_s=0.0078125),
               *_instant("xrun", 1.125, delay_s=0.0078125), _metrics(2.0, 2)]
    assert _outcomes(entries) == [("xrun", 1.0, "xrun"), ("xrun", 1.125, "xrun")]


def test_a_late_block_goes_to_the_xrun_before_a_firing_of_another_kind_that_fired_earlier() -> None:
    # both windows closed by the sample: the xrun, injected to make the late block, takes it
    entries = [_metrics(0.5, 0), *_instant("dropout", 1.0), *_instant("xrun", 1.125, delay_s=0.0078125),
               _metrics(2.0, 1)]
    assert _outcomes(entries) == [("dropout", 1.0, "nothing_seen"), ("xrun", 1.125, "xrun")]


def test_a_firing_whose_window_closed_waits_for_an_xrun_still_in_its_own() -> None:
    # at 1.375 s the dropout's window (to 1.25 s) is closed and the xrun's (to 1.5078125 s) is not:
    # the late block that sample counts may be the xrun's, so the dropout waits and is judged with it
    entries = [_metrics(0.5, 0), *_instant("dropout", 1.0), *_instant("xrun", 1.25, delay_s=0.0078125),
               _metrics(1.375, 1), _metrics(2.0, 1)]
    assert _outcomes(entries) == [("dropout", 1.0, "nothing_seen"), ("xrun", 1.25, "xrun")]


def test_a_firing_keeps_its_error_through_a_sample_without_the_late_block_counter() -> None:
    assert _outcomes([_metrics(0.5, None), *_instant("callback_raises", 1.0), _error(1.0625),
                      _metrics(2.0, None)]) == [("callback_raises", 1.0, "error")]


def test_a_later_error_that_is_not_the_kinds_path_does_not_replace_the_first() -> None:
    entries = [_metrics(0.5, 0), *_instant("callback_raises", 1.0), _error(1.0625, "DeviceStalledError", "device"),
               _error(1.125, "DeviceLostError", "device"), _metrics(2.0, 0)]
    assert _outcomes(entries) == [("callback_raises", 1.0, "stall")]


def _missed(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    fold = FaultOutcomeFold(period=PERIOD)
    for e in entries:
        fold.feed(e)
    return fold.path_missed()


#: what ``path_missed`` says of one dropout fired into a running system that saw nothing of it
DROPOUT_MISSED = {"dropout": {"path": "device_error", "fired": 1, "judged": 1, "became": {"nothing_seen": 1}}}


def test_only_the_systems_own_transitions_out_of_running_leave_a_firing_unjudged() -> None:
    ran = [_to(0.25, "running"), _metrics(0.5, 0), *_instant("dropout", 1.0)]
    assert _missed([*ran, _metrics(2.0, 0)]) == DROPOUT_MISSED
    # another component's transition is not the system leaving running
    assert _missed([*ran, _to(1.0625, "recovering", "device"), _metrics(2.0, 0)]) == DROPOUT_MISSED
    # nor is the system entering running inside the window (fired before any transition was recorded)
    assert _missed([_metrics(0.5, 0), *_instant("dropout", 1.0), _to(1.0625, "running"), _metrics(2.0, 0)]) == \
        DROPOUT_MISSED
    # the system left running after the window closed: the firing had its whole window
    assert _missed([*ran, _to(1.5, "stopping"), _metrics(2.0, 0)]) == DROPOUT_MISSED


def test_the_system_leaving_running_at_either_edge_of_the_window_leaves_the_firing_unjudged() -> None:
    ran = [_to(0.25, "running"), _metrics(0.5, 0), *_instant("dropout", 1.0)]
    assert _missed([*ran, _to(1.0625, "stopping"), _metrics(2.0, 0)]) == {}
    assert _missed([*ran, _to(1.0, "stopping"), _metrics(2.0, 0)]) == {}  # at the firing's instant
    assert _missed([*ran, _to(1.25, "stopping"), _metrics(2.0, 0)]) == {}  # at its window's last instant


def test_a_refusal_is_the_outcome_of_an_invalid_configuration_only() -> None:
    rejected = {"type": "event", "time": 1.0625, "value": "config_rejected", "data": {}}
    # a system that records no config_rejected event: its operation failing with a config error
    failed = {"type": "fail", "time": 1.0625, "value": "start", "data": {"error": {"component": "config"}}}
    for refusal in (rejected, failed):
        assert _outcomes([_metrics(0.5, 0), *_instant("invalid_config", 1.0), refusal, _metrics(2.0, 0)]) == [
            ("invalid_config", 1.0, "refused")]
    # another kind's firing in the same window is not refused: it saw nothing of its own
    assert _outcomes([_metrics(0.5, 0), *_instant("dropout", 1.0), rejected, _metrics(2.0, 0)]) == [
        ("dropout", 1.0, "nothing_seen")]
    # a refusal at the firing's own instant is its
    at_once = {"type": "event", "time": 1.0, "value": "config_rejected", "data": {}}
    assert _outcomes([_metrics(0.5, 0), *_instant("invalid_config", 1.0), at_once, _metrics(2.0, 0)]) == [
        ("invalid_config", 1.0, "refused")]


def test_path_missed_from_a_summary_counts_every_firing_and_names_what_the_observed_ones_became() -> None:
    assert path_missed({"dropout": {"error": 2, "not_observed": 1}, "xrun": {"xrun": 1}}) == {
        "dropout": {"path": "device_error", "fired": 3, "became": {"error": 2}}}
