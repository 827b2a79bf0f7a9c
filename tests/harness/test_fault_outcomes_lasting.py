"""A lasting fault's outcome is watched while it lasts; the window follows the period in force at
the firing; ``stall`` and ``sample_rate_change`` are judged by their paths where the system and
the device can show them.

A firing's window was closed by the first metrics sample after its start plus the settle margin,
whatever its fault still did: a stall, a dropout or a slow DSP stage whose error came late in its
own span read "nothing seen". A live reconfiguration to another block size changed the period the
watchdog and the next callback keep, and the window kept the run's. Here: crafted histories (the
entries a run records), and seeded runs on the simulated device's virtual clock.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness import ReliabilityRun, RunSpec
from harness.fault_outcomes import fold_history, outcomes_by_kind
from system_under_test import AudioSystem


def _start(kind: str, t: float, **params: Any) -> dict[str, Any]:
    data = {"firing_id": f"{kind}@{t}", "kind": kind, "target": "sim-in", "fired_at": t, "ended_at": None,
            "params": params}
    return {"type": "fault_start", "time": t, "value": kind, "data": data}


def _end(kind: str, fired: float, t: float) -> dict[str, Any]:
    data = {"firing_id": f"{kind}@{fired}", "kind": kind, "target": "sim-in", "fired_at": fired, "ended_at": t,
            "params": {}}
    return {"type": "fault_end", "time": t, "value": kind, "data": data}


def _error(t: float, type_: str, component: str) -> dict[str, Any]:
    return {"type": "error", "time": t, "data": {"error": {"type": type_, "component": component}}}


def _metrics(t: float) -> dict[str, Any]:
    return {"type": "metrics", "time": t, "data": {"counters": {"status_output_underflow": 0}}}


def _to(t: float, state: str) -> dict[str, Any]:
    return {"type": "transition", "time": t, "data": {"component": "system", "to_state": state}}


def _applied(t: float, block_size: int, sample_rate: int = 48_000) -> dict[str, Any]:
    config = {"stream": {"block_size": block_size, "sample_rate": sample_rate},
              "watchdog": {"stall_periods": 4, "supervisor_interval_ms": 5.0}}
    return {"type": "event", "time": t, "value": "config_applied", "data": {"config": config}}


STALLED = ("DeviceStalledError", "device")
LOST = ("DeviceLostError", "device")
SLOW = ("BudgetOverrunError", "dsp")
RATE = ("SampleRateChangedError", "device")


@pytest.mark.parametrize("kind, error, outcome", [
    ("stall", STALLED, "stall"), ("dropout", LOST, "device_error"), ("slow_dsp", SLOW, "error")])
def test_a_lasting_faults_window_stays_open_while_it_acts(kind, error, outcome):
    # fired at 1.0 s for 0.5 s; the 1 s sample at 1.1 s came after its start plus 50 ms, its error
    # at 1.45 s while it still acted
    entries = [_metrics(0.5), _start(kind, 1.0), _metrics(1.1), _error(1.45, *error), _end(kind, 1.0, 1.5),
               _metrics(2.0)]
    assert outcomes_by_kind(entries) == {kind: {outcome: 1}}


def test_a_lasting_faults_window_runs_on_settle_for_after_its_end_and_no_further():
    after = [_metrics(0.5), _start("dropout", 1.0), _metrics(1.1), _end("dropout", 1.0, 1.5), _metrics(1.52),
             _error(1.53, *LOST), _metrics(2.0)]
    assert outcomes_by_kind(after) == {"dropout": {"device_error": 1}}  # 30 ms after its end: inside 50 ms
    late = [_metrics(0.5), _start("dropout", 1.0), _end("dropout", 1.0, 1.5), _metrics(1.6), _error(1.7, *LOST),
            _metrics(2.0)]
    assert outcomes_by_kind(late) == {"dropout": {"nothing_seen": 1}}  # its window closed at 1.55 s


def test_a_fault_whose_end_the_history_never_shows_is_not_observed():
    entries = [_metrics(0.5), _start("stall", 1.0), _metrics(1.1), _metrics(2.0)]
    assert outcomes_by_kind(entries) == {"stall": {"not_observed": 1}}


def test_the_window_follows_a_live_reconfiguration_to_another_block_size():
    # 8192 frames from 0.2 s: a callback error shows at the next callback, 171 ms away, inside
    # settle_for's 858 ms; the run's own 256 frames would give 50 ms
    entries = [_applied(0.0, 256), _applied(0.2, 8192), _metrics(0.5), _start("callback_raises", 1.0),
               _end("callback_raises", 1.0, 1.0), _metrics(1.1), _error(1.17, "CallbackError", "callback"),
               _metrics(2.0)]
    assert outcomes_by_kind(entries) == {"callback_raises": {"error": 1}}
    # back to 256 frames before the firing: 50 ms again, and an error 170 ms on is not its
    back = [*entries[:2], _applied(0.4, 256), *entries[2:]]
    assert outcomes_by_kind(back) == {"callback_raises": {"nothing_seen": 1}}


def _judged_fold(entries: list[dict[str, Any]]) -> Any:
    from harness.fault_outcomes import judged_kinds  # noqa: PLC0415 - what this test is about

    return fold_history(entries, judged=judged_kinds(watchdog=True, rate_errors=True))


def test_a_stall_on_a_system_with_the_watchdog_is_judged_by_its_path():
    never = [_applied(0.0, 256), _to(0.1, "running"), _metrics(0.5), _start("stall", 1.0), _end("stall", 1.0, 1.3),
             _metrics(2.0)]
    assert _judged_fold(never).path_missed() == {
        "stall": {"path": "stall", "fired": 1, "judged": 1, "became": {"nothing_seen": 1}}}
    seen = [*never[:4], _error(1.03, *STALLED), _to(1.03, "recovering"), *never[4:]]
    assert _judged_fold(seen).path_missed() == {}
    # a system without the stock watchdog (an adapted one) is not judged on it
    assert fold_history(never).path_missed() == {}
    # one the run's end disarmed 0.4 ms after it fired (hostile 90320 at 20 s): under the
    # watchdog's bound, no stall to see
    cut = [*never[:4], _end("stall", 1.0, 1.0004), _metrics(2.0)]
    assert _judged_fold(cut).path_missed() == {}
    # one fired into another stall of its device 10 ms before that one's end, which resumed the
    # device's callbacks (8192 frames, hostile seed 90305)
    into = [*never[:3], _start("stall", 0.5), _error(0.53, *STALLED), _metrics(0.6), _start("stall", 1.0),
            _end("stall", 0.5, 1.01),
            _error(1.02, *SLOW), _end("stall", 1.0, 1.73), _metrics(2.0)]
    assert _judged_fold(into).path_missed() == {}
    # the same stall, its device's callbacks stopped for its whole 730 ms: judged, and missed
    whole = [*never[:4], _error(1.02, *SLOW), _end("stall", 1.0, 1.73), _metrics(2.0)]
    assert list(_judged_fold(whole).path_missed()) == ["stall"]


def test_a_rate_change_is_judged_by_the_devices_rate_error_when_it_changes_the_rate():
    changed = [_applied(0.0, 256, 48_000), _to(0.1, "running"), _metrics(0.5), _start("sample_rate_change", 1.0,
               rate=44_100), _end("sample_rate_change", 1.0, 1.0), _error(1.006, *RATE), _to(1.006, "recovering"),
               _to(1.02, "running"), _metrics(2.0)]
    assert outcomes_by_kind(changed) == {"sample_rate_change": {"rate_change": 1}}
    assert _judged_fold(changed).path_missed() == {}
    silent = [*changed[:5], _metrics(2.0)]
    assert _judged_fold(silent).path_missed() == {
        "sample_rate_change": {"path": "rate_change", "fired": 1, "judged": 1, "became": {"nothing_seen": 1}}}
    # to the rate the stream already runs at: nothing changes, nothing is judged
    same = [_applied(0.0, 256, 44_100), *silent[1:]]
    assert _judged_fold(same).path_missed() == {}


class _NoStallReports(AudioSystem):
    """A watchdog that never reports a stream whose callbacks stopped."""

    def _report_stall(self, stream: Any, config: Any, what: str, silent_s: float, details: dict[str, Any]) -> None:
        return None


def test_a_run_whose_watchdog_never_reports_its_stalls_is_not_passed_as_having_tried_them(tmp_path):
    spec = RunSpec(duration_s=20.0, seed=90301, faults="default", run_dir=tmp_path / "run")
    result = ReliabilityRun(spec, system_factory=lambda config, **kw: _NoStallReports(config, **kw)).execute(
        reports=False)
    assert result.summary["faults"]["outcomes"]["stall"].get("stall") is None
    assert list(result.summary["faults"]["path_missed"]) == ["stall"]
    assert result.summary["outcome"] == "inconclusive"


def test_a_healthy_run_reads_its_lasting_stall_by_its_path(tmp_path):
    # default, seed 90301, 256 frames: a stall's watchdog error came after the 1 s sample that
    # closed a window counted from its start (it read "nothing seen", 2 stall)
    spec = RunSpec(duration_s=20.0, seed=90301, faults="default", run_dir=tmp_path / "run")
    result = ReliabilityRun(spec).execute(reports=False)
    assert result.summary["faults"]["outcomes"]["stall"] == {"stall": 3}
    assert result.summary["faults"]["path_missed"] == {}
    assert result.summary["outcome"] == "pass"


def test_a_stall_drawn_at_the_bound_is_judged_though_the_clock_rounds_it_short():
    # at 8192 frames the profiles draw stalls of exactly the watchdog's bound (730.33 ms); the
    # virtual clock's sums of periods measure such a stall a few nanoseconds short of it
    from harness.faults.stall_bound import min_stall_s  # noqa: PLC0415
    from harness.faults.xrun_bound import period_of  # noqa: PLC0415

    bound = min_stall_s(period_of({"stream": {"block_size": 8192, "sample_rate": 48_000},
                                   "watchdog": {"stall_periods": 4, "supervisor_interval_ms": 5.0}}))

    def stall_of(span: float) -> list[dict[str, Any]]:
        return [_applied(0.0, 8192), _to(0.1, "running"), _metrics(0.5), _start("stall", 1.0),
                _end("stall", 1.0, 1.0 + span), _metrics(3.0)]

    assert list(_judged_fold(stall_of(bound - 3e-9)).path_missed()) == ["stall"]
    # a millisecond short is a stall the watchdog may not see: not judged
    assert _judged_fold(stall_of(bound - 1e-3)).path_missed() == {}


def test_a_rate_change_in_a_history_that_never_says_its_rate_is_not_judged():
    # no config_applied (a system that records none, or a history cut before it): whether the
    # firing changed the stream's rate is not known, and a silence then is no missed path
    unknown = [_to(0.1, "running"), _metrics(0.5), _start("sample_rate_change", 1.0, rate=44_100),
               _end("sample_rate_change", 1.0, 1.0), _metrics(2.0)]
    assert outcomes_by_kind(unknown) == {"sample_rate_change": {"nothing_seen": 1}}
    assert _judged_fold(unknown).path_missed() == {}
