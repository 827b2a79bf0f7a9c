"""A firing's outcome is watched for as long as the run's own period needs, and the kinds that
name a path of the system are judged by it.

A fixed 50 ms after a firing is long enough at 256 frames / 48 kHz, and far too short at 8192
frames, where the watchdog takes a stall 683 ms after the last callback and a callback error or a
device loss shows at the next callback, 171 ms away: those firings read "nothing seen". Here:
seeded runs at 8192 frames from a configuration file, on the simulated device's virtual clock;
the window's length from the period; crafted histories for the path of ``stall``, ``dropout`` and
``callback_raises``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.fault_outcomes import outcomes_by_kind, path_missed
from harness.faults.xrun_bound import period_of

from cli_capture import cli

#: a configuration file's 8192-frame blocks at 48 kHz (its latency raised to hold them)
LONG_BLOCKS = "[stream]\nblock_size = 8192\nlatency_ms = 200\n"


def _summary_of_a_run(tmp_path: Path, *argv: object) -> dict[str, Any]:
    config = tmp_path / "long_blocks.toml"
    config.write_text(LONG_BLOCKS)
    code, out, err = cli("run", "--backend", "sim", "--duration", "20", "--config", config,
                         "--report-dir", tmp_path / "reports", *argv)
    assert code == 0, (out, err)
    [summary] = (tmp_path / "reports").glob("*/summary.json")
    return json.loads(summary.read_text())


def test_the_window_runs_on_for_the_watchdogs_bound_a_period_and_a_pass_at_the_runs_period():
    from harness.fault_outcomes import SETTLE_S, settle_for  # noqa: PLC0415 - what this test is about

    assert settle_for(period_of(None)) == SETTLE_S  # 256 frames: 31.7 ms, the 50 ms floor stands
    long_blocks = period_of({"stream": {"block_size": 8192, "latency_ms": 200}})
    assert settle_for(long_blocks) == pytest.approx(5 * 8192 / 48_000 + 0.005)


def fold_history(entries: list[dict[str, Any]]) -> Any:
    """The tree's fold of ``entries`` (imported here: the tree before had none)."""
    from harness.fault_outcomes import fold_history as fold  # noqa: PLC0415

    return fold(entries)


@pytest.mark.parametrize("seed, expected", [
    # 50 ms after each firing: stall 2 nothing seen, dropout 1, callback_raises 2 nothing seen
    (88502, {"stall": {"stall": 2}, "dropout": {"device_error": 1}, "callback_raises": {"error": 2}}),
    # 50 ms: stall 3 nothing seen, dropout 2 nothing seen, xrun 6 xrun, 1 nothing seen (its late
    # block came after its 50 ms), 1 device error
    (88501, {"stall": {"stall": 3}, "dropout": {"device_error": 2}, "xrun": {"device_error": 1, "xrun": 7}}),
])
def test_an_8192_frame_run_reads_what_the_system_saw_of_its_stalls_dropouts_and_raises(tmp_path, seed, expected):
    summary = _summary_of_a_run(tmp_path, "--faults", "default", "--seed", seed)
    outcomes = summary["faults"]["outcomes"]
    assert {kind: outcomes[kind] for kind in expected} == expected
    assert summary["faults"]["path_missed"] == {}
    assert summary["outcome"] == "pass"


def _fault(kind: str, t: float, ended_at: float | None = None) -> list[dict[str, Any]]:
    data = {"firing_id": f"{kind}@{t}", "kind": kind, "fired_at": t, "params": {}}
    end = {**data, "ended_at": t if ended_at is None else ended_at}
    return [{"type": "fault_start", "time": t, "value": kind, "data": {**data, "ended_at": None}},
            {"type": "fault_end", "time": end["ended_at"], "value": kind, "data": end}]


def _error(t: float, type_: str, component: str) -> dict[str, Any]:
    return {"type": "error", "time": t, "data": {"error": {"type": type_, "component": component}}}


def _metrics(t: float) -> dict[str, Any]:
    return {"type": "metrics", "time": t, "data": {"counters": {"status_output_underflow": 0}}}


STALLED = ("DeviceStalledError", "device")
LOST = ("DeviceLostError", "device")
RAISED = ("CallbackError", "callback")


@pytest.mark.parametrize("kind, path, other", [("dropout", LOST, RAISED), ("callback_raises", RAISED, STALLED)])
def test_a_kind_none_of_whose_firings_reached_its_path_is_missed(kind, path, other):
    # the firing met another fault's error and never its own path: it tested nothing of it
    missed = [_metrics(0.5), _fault(kind, 1.0)[0], _error(1.01, *other), _fault(kind, 1.0)[1], _metrics(2.0)]
    assert list(path_missed(outcomes_by_kind(missed))) == [kind]
    # one firing of the kind that reached it is enough: the path was tested
    reached = missed + [*_fault(kind, 3.0), _error(3.01, *path), _metrics(4.0)]
    assert path_missed(outcomes_by_kind(reached)) == {}
    # a kind whose firings were all skipped (no fault_start) or never observed (the history
    # ended inside the window) is not missed either
    assert path_missed(outcomes_by_kind([_metrics(0.5), _metrics(1.5)])) == {}
    assert path_missed(outcomes_by_kind([_metrics(0.5), *_fault(kind, 1.0)])) == {}


def _to(t: float, state: str) -> dict[str, Any]:
    return {"type": "transition", "time": t, "data": {"component": "system", "to_state": state}}


@pytest.mark.parametrize("kind, other", [("dropout", RAISED), ("callback_raises", STALLED)])
def test_a_firing_that_could_not_reach_its_path_is_not_judged(kind, other):
    # the run's judgement is its fold's: it knows the system's state at each firing
    ran = [_to(0.1, "running"), _metrics(0.5), _fault(kind, 1.0)[0], _error(1.01, *other), _fault(kind, 1.0)[1],
           _metrics(2.0)]
    assert list(fold_history(ran).path_missed()) == [kind]  # it ran on, and the path never came
    assert fold_history(ran).path_missed()[kind]["judged"] == 1
    # fired while the system recovered (a device away, no stream): no sound system shows the path
    recovering = [_to(0.1, "running"), _to(0.9, "recovering"), _metrics(0.95), *_fault(kind, 1.0),
                  _error(1.01, *other), _metrics(2.0)]
    assert fold_history(recovering).path_missed() == {}
    # fired into a running system, whose window another fault's error ended in a recovery first
    cut_short = [_to(0.1, "running"), _metrics(0.5), *_fault(kind, 1.0), _error(1.01, *other),
                 _to(1.01, "recovering"), _metrics(2.0)]
    assert fold_history(cut_short).path_missed() == {}


def test_an_xrun_taken_as_a_stall_is_the_xrun_path_missed_though_its_recovery_leaves_running():
    entries = [_to(0.1, "running"), _metrics(0.5), *_fault("xrun", 1.0), _error(1.03, *STALLED),
               _to(1.03, "recovering"), _to(1.04, "running"), _metrics(2.0)]
    assert fold_history(entries).path_missed() == {
        "xrun": {"path": "xrun", "fired": 1, "judged": 1, "became": {"stall": 1}}}


@pytest.mark.parametrize("kind, path, other", [
    ("stall", STALLED, RAISED), ("dropout", LOST, RAISED), ("callback_raises", RAISED, STALLED)])
def test_a_firing_whose_window_holds_its_path_after_another_error_reads_its_path(kind, path, other):
    entries = [_metrics(0.5), *_fault(kind, 1.0), _error(1.01, *other), _error(1.02, *path), _metrics(2.0)]
    outcome = {"stall": "stall", "dropout": "device_error", "callback_raises": "error"}[kind]
    assert outcomes_by_kind(entries) == {kind: {outcome: 1}}
    assert path_missed(outcomes_by_kind(entries)) == {}



def test_an_xrun_whose_window_also_held_another_faults_error_reads_the_late_block_it_made():
    late = {"type": "metrics", "time": 2.0, "data": {"counters": {"status_output_underflow": 1}}}
    entries = [_metrics(0.5), *_fault("xrun", 1.0), _error(1.01, *RAISED), late]
    assert outcomes_by_kind(entries) == {"xrun": {"xrun": 1}}
    # a stall in its window is the xrun missed, whatever the counter says
    stalled = [_metrics(0.5), *_fault("xrun", 1.0), _error(1.01, *STALLED), late]
    assert outcomes_by_kind(stalled) == {"xrun": {"stall": 1}}


def test_a_stall_is_read_by_its_path_but_not_judged_a_system_without_the_watchdog_never_shows_it():
    entries = [_metrics(0.5), *_fault("stall", 1.0), _error(1.01, *RAISED), _error(1.02, *STALLED), _metrics(2.0)]
    assert outcomes_by_kind(entries) == {"stall": {"stall": 1}}
    never = [_metrics(0.5), *_fault("stall", 1.0), _metrics(2.0)]
    assert fold_history(never).path_missed() == {}
    assert path_missed(outcomes_by_kind(never)) == {}


def test_a_history_read_back_is_folded_at_the_period_its_meta_entry_records():
    """``fold_history`` given no period reads the run's own from the history's ``meta`` entry (the
    run's configuration, as ``ReliabilityRun`` records it): at 8192 frames a stall the watchdog takes
    0.6 s after its firing is the firing's, which the default period's 50 ms window would read
    "nothing seen"."""
    from harness.history import History  # noqa: PLC0415
    from harness.runner import RunSpec  # noqa: PLC0415

    config = {"stream": {"block_size": 8192, "latency_ms": 200}}
    history = History(meta={"run": RunSpec(duration_s=20.0, config=config).to_dict()})
    entries = [e.to_dict() for e in history]
    assert [e["type"] for e in entries] == ["meta"]
    crafted = [_metrics(0.5), *_fault("stall", 1.0), _error(1.6, *STALLED), _metrics(3.0)]
    assert fold_history([*entries, *crafted]).by_kind() == {"stall": {"stall": 1}}
    # the same entries without the meta entry are read at the system's defaults: too short a window
    assert fold_history(crafted).by_kind() == {"stall": {"nothing_seen": 1}}
