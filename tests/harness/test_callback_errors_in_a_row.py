"""The ``callback_errors_in_a_row`` invariant: a routed callback error tells the count in a row its
callbacks' numbers show.

``RecoveryPolicy.decide`` restarts the stream for a callback error below CRITICAL once three came
in a row, and ``policy_followed`` judges it by the count the ``error`` event carries: a system that
miscounts tells the wrong count and acts on it, and the two agree. Each callback error now carries
the numbers of the callback that raised it (``details.callback``: the system's ``callbacks``
counter; ``details.stream_callback``: its number on its pipeline), so the history counts the run
itself. Crafted histories with known answers first, then a pipeline's own errors, then plain
default runs of the shipped system and of the catalogued ``route_error_counts_dsp_only`` (the
count read for the DSP's errors only, so the input's wrong-shaped blocks are told and decided with
none in a row). Virtual clock, fixed seeds: deterministic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from plain_runs import plain_run_verdict
from harness.history import History
from harness import invariants
from harness.invariants import NAMES, check_all, check_callback_errors_in_a_row
from system_under_test import AudioSystem
from system_under_test.coordinator import ErrorRecord
from system_under_test.config import AudioConfig
from system_under_test.devices.base import StatusFlags
from system_under_test.monitoring import MonitoringCoordinator
from system_under_test.pipeline import Pipeline
from system_under_test.resources import ResourceManager

NAME = "callback_errors_in_a_row"


@pytest.fixture(autouse=True)
def _history_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))


def _cb_err(callback: int, stream_callback: int) -> dict[str, Any]:
    return {"type": "CallbackError", "message": "device delivered (1, 2) input, expected (256, 2)",
            "component": "input", "severity": "WARNING", "recoverable": True,
            "details": {"callback": callback, "stream_callback": stream_callback}}


def _history(errors: list[tuple[int, int, Any, bool]], *, clock: str = "virtual",
             attach: dict[str, Any] | None = None) -> History:
    """One ``error`` event per (callback, stream_callback, told count, routed)."""
    h = History()
    h.record("attach", time=0.0, data={"state": "uninitialized", "clock": clock,
                                       "components": {"system": "uninitialized"}, **(attach or {})})
    for t, (number, on_stream, told, routed) in enumerate(errors, start=1):
        h.record("error", time=float(t), value="error",
                 data={"error": _cb_err(number, on_stream), "severity": "WARNING", "component": "input",
                       "requires_recovery": routed, "consecutive_callback_errors": told,
                       "state": "running", "recovering": False})
    return h


def test_the_invariant_is_registered_and_check_all_gives_its_verdict() -> None:
    h = _history([(10, 10, 1, True), (11, 11, 2, True)])
    assert NAME in NAMES
    assert check_all(h, only=[NAME])[0].to_dict() == check_callback_errors_in_a_row(h).to_dict()


def test_counts_told_as_the_numbers_show_hold() -> None:
    # a run of three, a clean callback (12 -> 14), a run of one
    v = check_callback_errors_in_a_row(_history([(10, 10, 1, True), (11, 11, 2, True), (12, 12, 3, True),
                                                 (14, 14, 1, True)]))
    assert v.ok and v.message.startswith("4 routed callback error(s)"), v


def test_a_count_told_short_of_the_run_fails_with_the_error_named() -> None:
    v = check_callback_errors_in_a_row(_history([(10, 10, 1, True), (11, 11, 0, True), (12, 12, 0, True)]))
    assert not v.ok
    assert [(e["index"], e["callback"], e["in_a_row"], e["consecutive_callback_errors"]) for e in v.evidence] == [
        (2, 11, 2, 0), (3, 12, 3, 0)]
    assert "told 0 callback error(s) in a row, its callbacks show 2" in v.evidence[0]["message"]


def test_a_count_told_past_the_run_fails() -> None:
    v = check_callback_errors_in_a_row(_history([(10, 10, 1, True), (12, 12, 2, True)]))
    assert not v.ok and [e["in_a_row"] for e in v.evidence] == [1], v


def test_a_new_pipelines_first_callback_begins_a_run_though_the_system_number_follows_on() -> None:
    # the old stream's last callback (50, its 50th) failed; the new stream's first (51, its 1st) too
    assert check_callback_errors_in_a_row(_history([(50, 50, 1, True), (51, 1, 1, True)])).ok
    assert not check_callback_errors_in_a_row(_history([(50, 50, 1, True), (51, 1, 2, True)])).ok


def test_an_error_reported_at_teardown_counts_in_the_run_and_is_not_judged() -> None:
    # told 0 with no pipeline, not routed: not judged; the next one continues its run
    v = check_callback_errors_in_a_row(_history([(10, 10, 1, True), (11, 11, 0, False), (12, 12, 3, True)]))
    assert v.ok and v.message.startswith("2 routed callback error(s)"), v


def test_a_real_clock_is_not_judged() -> None:
    v = check_callback_errors_in_a_row(_history([(10, 10, 1, True), (11, 11, 0, True)], clock="real"))
    assert v.ok and "nothing to judge" in v.message, v


def test_a_run_begun_before_an_attach_is_not_judged_until_it_breaks() -> None:
    used = {"state": "running", "counters": {"callback_errors": 4}}
    v = check_callback_errors_in_a_row(_history([(10, 10, 9, True), (11, 11, 9, True), (13, 13, 1, True)],
                                                attach=used))
    assert v.ok and "2 in a run begun before the history, not judged" in v.message, v
    assert v.message.startswith("1 routed callback error(s)"), v
    # the same history from a system that had counted no callback error: every run is known
    clean = {"state": "running", "counters": {"callback_errors": 0}}
    assert not check_callback_errors_in_a_row(_history([(10, 10, 9, True)], attach=clean)).ok


def test_errors_without_numbers_are_not_counted() -> None:
    h = _history([])
    h.record("error", time=1.0, value="error",
             data={"error": {**_cb_err(1, 1), "details": {}}, "severity": "WARNING", "component": "input",
                   "requires_recovery": True, "consecutive_callback_errors": 7})
    v = check_callback_errors_in_a_row(h)
    assert v.ok and "nothing to judge" in v.message, v


def test_a_pipelines_callback_errors_carry_their_callbacks_numbers() -> None:
    config = AudioConfig()
    monitoring = MonitoringCoordinator()
    monitoring.counter("callbacks").value = 100  # an earlier stream's callbacks
    pipeline = Pipeline(config, ResourceManager(), monitoring, simulated=True)
    bs, ch_in, ch_out = config.stream.block_size, config.device.input_channels, config.device.output_channels
    good, bad = np.zeros((bs, ch_in), np.float32), np.zeros((1, ch_in), np.float32)
    out = np.zeros((bs, ch_out), np.float32)
    pipeline.capturing = True
    for indata in (good, bad, bad, good, bad):
        pipeline.callback(indata, out, bs, 0.0, StatusFlags())
    assert [(e.details["callback"], e.details["stream_callback"]) for e in pipeline.errors] == [
        (102, 2), (103, 3), (105, 5)]
    assert pipeline.consecutive_errors == 1
    pipeline.release()


def _count_dsp_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalogued bug ``route_error_counts_dsp_only``: ``_route_error`` reads the pipeline's
    count for the DSP's errors only; another component's callback error is told, and decided, with
    none in a row."""
    route = AudioSystem._route_error_locked

    def dsp_only(self: AudioSystem, record: ErrorRecord) -> None:
        pipeline = self._pipeline
        if pipeline is None or record.component == "dsp":
            route(self, record)
            return
        kept, pipeline.consecutive_errors = pipeline.consecutive_errors, 0
        try:
            route(self, record)
        finally:
            pipeline.consecutive_errors = kept

    monkeypatch.setattr(AudioSystem, "_route_error_locked", dsp_only)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_shipped_system_tells_each_count_its_callbacks_show(tmp_path: Path, seed: int) -> None:
    result, v = plain_run_verdict(tmp_path, seed, NAME)
    assert v.ok and "nothing to judge" not in v.message and "not judged" not in v.message, v
    assert result.summary["outcome"] == "pass", result.summary["violations"]


def test_the_count_read_for_the_dsp_only_fails_a_plain_run_on_this_invariant_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _count_dsp_only(monkeypatch)
    result, v = plain_run_verdict(tmp_path, 1, NAME)
    assert not v.ok
    assert {e["component"] for e in v.evidence} == {"input"}
    assert {e["consecutive_callback_errors"] for e in v.evidence} == {0}
    assert min(e["in_a_row"] for e in v.evidence) == 1
    assert [x.name for x in result.verdicts if not x.ok] == [NAME]


def test_a_run_begun_on_a_new_pipelines_first_callback_after_an_attach_is_judged() -> None:
    """A history attached to a system that had counted callback errors does not know the run it
    attached within, but a run that begins on a pipeline's first callback (``stream_callback`` 1)
    cannot continue an earlier one: its start is known, so its count is judged, a wrong one fails."""
    used = {"state": "running", "counters": {"callback_errors": 4}}
    v = check_callback_errors_in_a_row(_history([(51, 1, 2, True)], attach=used))
    assert not v.ok and [(e["callback"], e["in_a_row"], e["consecutive_callback_errors"]) for e in v.evidence] == [
        (51, 1, 2)], v
    v = check_callback_errors_in_a_row(_history([(51, 1, 1, True), (52, 2, 2, True)], attach=used))
    assert v.ok and v.message.startswith("2 routed callback error(s)") and "not judged" not in v.message, v


def test_one_callbacks_error_told_again_stays_in_its_run() -> None:
    """Two errors of one callback (its input's and its DSP's, both numbered 11/11) are one callback
    of the run: the second tells the same count, two in a row, and holds; told as a run of its
    own (one) it fails."""
    v = check_callback_errors_in_a_row(_history([(10, 10, 1, True), (11, 11, 2, True), (11, 11, 2, True),
                                                 (12, 12, 3, True)]))
    assert v.ok and v.message.startswith("4 routed callback error(s)"), v
    v = check_callback_errors_in_a_row(_history([(10, 10, 1, True), (11, 11, 2, True), (11, 11, 1, True)]))
    assert not v.ok and [(e["index"], e["in_a_row"]) for e in v.evidence] == [(3, 2)], v

def _said(v: Any) -> tuple[str, bool, list[Any], str]:
    return v.name, v.ok, v.evidence, v.message


def _told_at(h: History, time: float, number: int, on_stream: int, told: Any, *, component: str = "input",
             error_type: str = "CallbackError") -> None:
    h.record("error", time=time, value="error",
             data={"error": {**_cb_err(number, on_stream), "type": error_type}, "severity": "WARNING",
                   "component": component, "requires_recovery": True, "consecutive_callback_errors": told,
                   "state": "running", "recovering": False})


def test_each_verdict_says_exactly_what_was_judged_and_why() -> None:
    """Every way the invariant ends is a verdict of its own name with its own words: a miscount with
    each wrong error's record (its time to the microsecond, its index, type, component, both
    numbers, the run its callbacks show, the count it told) and the first three in the message; a
    real clock; nothing judged; what was judged, with the errors of a run begun before the history
    set aside by their number."""
    h = _history([])
    for k, (t, told) in enumerate(((1.23456789, 1), (2.5, 5), (3.0000004, 0), (4.75, 9), (5.125, 1))):
        _told_at(h, t, 40 + k, 30 + k, told, component="dsp" if k == 1 else "input",
                 error_type="DSPError" if k == 1 else "CallbackError")
    v = check_callback_errors_in_a_row(h)
    messages = [
        "error event #2 at t=2.500 s, DSPError from dsp at callback 41 (31 on its stream): "
        "told 5 callback error(s) in a row, its callbacks show 2",
        "error event #3 at t=3.000 s, CallbackError from input at callback 42 (32 on its stream): "
        "told 0 callback error(s) in a row, its callbacks show 3",
        "error event #4 at t=4.750 s, CallbackError from input at callback 43 (33 on its stream): "
        "told 9 callback error(s) in a row, its callbacks show 4",
        "error event #5 at t=5.125 s, CallbackError from input at callback 44 (34 on its stream): "
        "told 1 callback error(s) in a row, its callbacks show 5"]
    assert _said(v) == (NAME, False, [
        {"time": 2.5, "index": 2, "type": "DSPError", "component": "dsp", "callback": 41, "stream_callback": 31,
         "in_a_row": 2, "consecutive_callback_errors": 5, "message": messages[0]},
        {"time": 3.0, "index": 3, "type": "CallbackError", "component": "input", "callback": 42,
         "stream_callback": 32, "in_a_row": 3, "consecutive_callback_errors": 0, "message": messages[1]},
        {"time": 4.75, "index": 4, "type": "CallbackError", "component": "input", "callback": 43,
         "stream_callback": 33, "in_a_row": 4, "consecutive_callback_errors": 9, "message": messages[2]},
        {"time": 5.125, "index": 5, "type": "CallbackError", "component": "input", "callback": 44,
         "stream_callback": 34, "in_a_row": 5, "consecutive_callback_errors": 1, "message": messages[3]}],
        "4 routed callback error(s) told a count in a row other than their callbacks show: "
        + "; ".join(messages[:3]))
    first = _history([])
    _told_at(first, 1.23456789, 7, 7, 2)
    assert check_callback_errors_in_a_row(first).evidence[0]["time"] == 1.234568
    real = check_callback_errors_in_a_row(_history([(10, 10, 1, True), (11, 11, 0, True)], clock="real"))
    assert _said(real) == (NAME, True, [], (
        "a real clock: a count read as an error is routed may be a later callback's, nothing to judge"))
    assert _said(check_callback_errors_in_a_row(_history([]))) == (NAME, True, [], (
        "no routed callback error with its callback's numbers: nothing to judge"))
    used = {"state": "running", "counters": {"callback_errors": 4}}
    before = _history([(10, 10, 9, True), (11, 11, 9, True)], attach=used)
    assert _said(check_callback_errors_in_a_row(before)) == (NAME, True, [], (
        "no routed callback error with its callback's numbers: nothing to judge; 2 in a run begun before the "
        "history, not judged"))
    assert _said(check_callback_errors_in_a_row(_history([(10, 10, 9, True), (11, 11, 9, True), (13, 13, 1, True)],
                                                         attach=used))) == (NAME, True, [], (
        "1 routed callback error(s), each telling the count in a row its callbacks show; 2 in a run begun "
        "before the history, not judged"))
    assert _said(check_callback_errors_in_a_row(_history([(10, 10, 1, True), (11, 11, 2, True)]))) == (
        NAME, True, [], "2 routed callback error(s), each telling the count in a row its callbacks show")


def test_a_run_is_followed_by_both_numbers_whatever_each_one_is() -> None:
    """A pipeline after a restart numbers its callbacks from one while the system's count goes on:
    errors in a row there follow on in both numbers though the two differ."""
    assert check_callback_errors_in_a_row(_history([(151, 1, 1, True), (152, 2, 2, True), (153, 3, 3, True)])).ok
    assert not check_callback_errors_in_a_row(_history([(151, 1, 1, True), (152, 2, 1, True)])).ok


def test_a_pipelines_first_callback_begins_a_known_run_in_a_history_attached_mid_run() -> None:
    """Attached to a system that had counted callback errors, a run's start is known where its first
    error is its pipeline's first callback: judged from there."""
    used = {"state": "running", "counters": {"callback_errors": 4}}
    v = check_callback_errors_in_a_row(_history([(51, 1, 1, True), (52, 2, 2, True)], attach=used))
    assert v.ok and v.message == "2 routed callback error(s), each telling the count in a row its callbacks show", v
    assert not check_callback_errors_in_a_row(_history([(51, 1, 3, True)], attach=used)).ok


@pytest.mark.parametrize("details", [{"stream_callback": 3}, {"callback": 3, "stream_callback": 0},
                                     {"callback": 3, "stream_callback": -1}, {"callback": 3}])
def test_an_error_without_both_numbers_or_without_a_pipeline_is_not_counted(details: dict[str, Any]) -> None:
    """Only an error carrying both numbers, its pipeline's at least one, is counted: one told with
    no pipeline (numbered 0 on its stream) or missing a number judges nothing, whatever it told."""
    h = _history([])
    h.record("error", time=1.0, value="error",
             data={"error": {**_cb_err(1, 1), "details": details}, "severity": "WARNING", "component": "input",
                   "requires_recovery": True, "consecutive_callback_errors": 7})
    assert _said(check_callback_errors_in_a_row(h)) == (NAME, True, [], (
        "no routed callback error with its callback's numbers: nothing to judge"))


def test_an_error_recorded_as_text_is_not_counted() -> None:
    """Another system may record its error as text, with no details: not counted, not a crash."""
    h = _history([])
    h.record("error", time=1.0, value="error",
             data={"error": "CallbackError: bad block", "severity": "WARNING", "component": "input",
                   "requires_recovery": True, "consecutive_callback_errors": 7})
    assert _said(check_callback_errors_in_a_row(h)) == (NAME, True, [], (
        "no routed callback error with its callback's numbers: nothing to judge"))


def test_the_evidence_is_bounded_and_the_count_is_not() -> None:
    """A history of more miscounts than the evidence keeps: every one counted, the first
    ``_MAX_EVIDENCE`` kept."""
    bound = invariants._MAX_EVIDENCE
    v = check_callback_errors_in_a_row(_history([(10 + 2 * k, 10 + 2 * k, 0, True) for k in range(bound + 1)]))
    assert not v.ok and len(v.evidence) == bound, len(v.evidence)
    assert v.message.startswith(f"{bound + 1} routed callback error(s) told a count in a row other than"), v.message
