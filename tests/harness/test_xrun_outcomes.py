"""The ``xrun`` fault reaches the xrun path, and a run says what each firing became.

An ``xrun`` late past the watchdog's bound is a stall (``harness.faults.xrun_bound``); the built-in
profiles drew 5-50 ms, and most firings were stalls while the summary counted them as xruns. Here:
seeded runs of the built-in profiles on the simulated device, whose every ``xrun`` firing must be a
late block the system counted and no stall (judged from the history by its own reading, not by the
module under test); the outcome fold read from a crafted history; lateness a file asks for that
would be a stall refused with exit 2.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from harness import ReliabilityRun, RunSpec
from harness.fault_outcomes import FaultOutcomeFold, outcomes_by_kind, path_missed
from harness.verdict import judge_run

from cli_capture import cli


def _late_blocks_and_stalls(entries: list[dict[str, Any]]) -> tuple[list[tuple[float, float]], list[float], int]:
    """(xrun firings as (time, lateness), stall report times, late blocks counted at the end)."""
    firings = [(e["time"], e["data"]["params"]["delay_s"]) for e in entries
               if e["type"] == "fault_start" and e.get("value") == "xrun"]
    stalls = [e["time"] for e in entries
              if e["type"] == "error" and e["data"]["error"]["type"] == "DeviceStalledError"]
    counted = [e["data"]["counters"]["status_output_underflow"] for e in entries if e["type"] == "metrics"]
    return firings, stalls, counted[-1]


def _alone(entries: list[dict[str, Any]], t: float, late: float) -> bool:
    """No other fault acted from 50 ms before the firing to the watchdog's bound after its late
    block, and the system ran throughout (a dropout's device gone, a stall's, a lifecycle storm's
    stopped stream take the block the xrun would have delayed)."""
    spans: dict[str, list[float]] = {}
    for e in entries:
        if e["type"] in ("fault_start", "fault_end") and e.get("value") != "xrun":
            span = spans.setdefault(e["data"]["firing_id"], [e["time"], e["time"]])
            span[1] = max(span[1], e["time"])
    return not any(a <= t + late + 0.03 and b >= t - 0.05 for a, b in spans.values()) \
        and all(_state_at(entries, s) == "running" for s in (t, t + late + 0.03))


def _state_at(entries: list[dict[str, Any]], t: float) -> str:
    """The system's state at ``t`` by its recorded transitions."""
    state = "uninitialized"
    for e in entries:
        if e["type"] == "transition" and e["data"]["component"] == "system" and e["time"] <= t:
            state = e["data"]["to_state"]
    return state


@pytest.mark.parametrize("faults, seed", [("default", 86003), ("hostile", 86006), ("outages", 86005)])
def test_every_xrun_firing_of_a_seeded_run_is_a_late_block_and_no_stall(tmp_path, faults, seed):
    result = ReliabilityRun(RunSpec(backend="sim", duration_s=20.0, seed=seed, faults=faults,
                                    report_root=tmp_path)).execute(reports=False)
    entries = [e.to_dict() for e in result.history]
    firings, stalls, late_blocks = _late_blocks_and_stalls(entries)
    alone = [(t, late) for t, late in firings if _alone(entries, t, late)]
    assert len(alone) >= 3, firings  # the run tried the path, more than once, with nothing else acting
    for t, late in firings:
        assert late < 3 * 256 / 48_000, (t, late)  # the late block lands before the watchdog's 4 periods
    for t, late in alone:
        assert not [s for s in stalls if t <= s <= t + late + 0.03], (t, late, stalls)
    assert late_blocks >= len(alone)
    fold = FaultOutcomeFold()
    for e in entries:
        fold.feed(e)
    seen = {t: outcome for kind, t, outcome in fold.outcomes() if kind == "xrun"}
    assert [seen[t] for t, _ in alone] == ["xrun"] * len(alone)
    assert result.summary["faults"]["outcomes"]["xrun"].get("xrun", 0) >= len(alone)
    assert result.summary["faults"]["path_missed"] == {}


def _fault(kind: str, t: float, *, ended_at: float | None = None, **params: Any) -> list[dict[str, Any]]:
    fid = f"{kind}@{t}"
    data = {"firing_id": fid, "kind": kind, "fired_at": t, "ended_at": ended_at, "params": params}
    start = {"type": "fault_start", "time": t, "value": kind, "data": data}
    end = {"type": "fault_end", "time": ended_at if ended_at is not None else t, "value": kind,
           "data": {**data, "ended_at": ended_at if ended_at is not None else t}}
    return [start, end]


def _error(t: float, type_: str, component: str) -> dict[str, Any]:
    return {"type": "error", "time": t, "value": "error",
            "data": {"error": {"type": type_, "component": component}}}


def _metrics(t: float, late_blocks: int) -> dict[str, Any]:
    return {"type": "metrics", "time": t, "data": {"counters": {"xruns": 99, "status_output_underflow": late_blocks}}}


def test_each_firing_is_given_what_the_system_saw_from_a_crafted_history():
    entries = [
        _metrics(0.5, 0),
        *_fault("xrun", 1.0, delay_s=0.01),  # a late block counted by the next sample: xrun
        _metrics(1.5, 1),
        *_fault("xrun", 2.0, delay_s=0.03),  # the watchdog took it for a stall
        _error(2.04, "DeviceStalledError", "device"),
        _metrics(2.5, 1),  # and no late block
        *_fault("invalid_config", 3.0),  # before the xrun in the same interval: the block is the xrun's
        *_fault("xrun", 3.1, delay_s=0.005),
        _metrics(3.5, 2),
        *_fault("dropout", 4.0, ended_at=4.3, duration_s=0.3),
        _error(4.2, "DeviceLostError", "device"),  # within the dropout's window, which runs to its end
        *_fault("callback_raises", 5.0, count=2),
        _error(5.01, "CallbackError", "dsp"),
        *_fault("xrun", 5.2, delay_s=0.01),  # no late block counted, no error: nothing seen
        _metrics(5.5, 2),
        *_fault("stall", 6.0, ended_at=6.1, duration_s=0.1),
        _error(6.13, "DeviceStalledError", "device"),  # 30 ms after the stall ended: still its own
        _metrics(6.5, 2),
        *_fault("xrun", 9.9, delay_s=0.01),  # no sample after it: the run ended before it showed
    ]
    by_kind = outcomes_by_kind(entries)
    assert by_kind == {
        "callback_raises": {"error": 1},
        "dropout": {"device_error": 1},
        "invalid_config": {"nothing_seen": 1},
        "stall": {"stall": 1},
        "xrun": {"xrun": 2, "stall": 1, "nothing_seen": 1, "not_observed": 1},
    }
    assert path_missed(by_kind) == {}


def test_a_late_block_counted_while_an_xrun_is_still_in_its_window_is_the_xruns():
    entries = [
        _metrics(0.5, 0),
        *_fault("invalid_config", 0.9),  # its window ends before the sample at 1.0
        *_fault("xrun", 0.99, delay_s=0.01),  # its window does not: its late block is counted at 1.0
        _metrics(1.0, 1),
        _metrics(2.0, 1),
    ]
    assert outcomes_by_kind(entries) == {"invalid_config": {"nothing_seen": 1}, "xrun": {"xrun": 1}}


def test_late_blocks_are_read_from_xruns_only_for_a_system_whose_flag_counters_never_move():
    from harness.fault_outcomes import late_counter

    kit = {"xruns": 3, "status_input_underflow": 0, "status_input_overflow": 0, "status_output_underflow": 0}
    assert late_counter(kit) == "xruns"
    # the stock system whose xruns were all stalls: flagged blocks after them, no late block
    stalled = {**kit, "status_input_overflow": 2}
    assert late_counter(stalled) == "status_output_underflow"
    entries = [{"type": "metrics", "time": 0.5, "data": {"counters": {**stalled, "xruns": 1, "status_input_overflow": 1}}},
               *_fault("xrun", 1.0, delay_s=0.01),
               {"type": "metrics", "time": 1.5, "data": {"counters": stalled}}]
    assert outcomes_by_kind(entries) == {"xrun": {"nothing_seen": 1}}
    assert outcomes_by_kind(entries[:-1] + [{"type": "metrics", "time": 1.5, "data": {"counters": kit}}]) \
        == {"xrun": {"xrun": 1}}


def test_a_kind_none_of_whose_firings_reached_its_path_is_named_and_not_counted_as_tested():
    entries = [
        _metrics(0.5, 0),
        *_fault("xrun", 1.0, delay_s=0.03),
        _error(1.03, "DeviceStalledError", "device"),
        *_fault("xrun", 2.0, delay_s=0.01),
        _metrics(2.5, 0),
        *_fault("xrun", 3.0, delay_s=0.01),  # never observed: judges nothing either way
    ]
    by_kind = outcomes_by_kind(entries)
    assert by_kind == {"xrun": {"stall": 1, "nothing_seen": 1, "not_observed": 1}}
    missed = path_missed(by_kind)
    assert missed == {"xrun": {"path": "xrun", "fired": 3, "became": {"stall": 1, "nothing_seen": 1}}}
    verdict = judge_run([], faults_injected=3, path_missed=missed)
    assert verdict.outcome.value == "inconclusive"
    assert any("xrun (3 fired, none seen as xrun: 1 stall, 1 nothing seen)" in d and "tested nothing" in d
               for d in verdict.doubts), verdict.doubts
    # one firing that reached the path is enough: the kind was tested
    assert path_missed(outcomes_by_kind([*entries, *_fault("xrun", 2.1, delay_s=0.01), _metrics(2.6, 1)])) == {}


def _refused(result: tuple[int, str, str], *needles: str) -> None:
    code, _out, err = result
    assert code == 2, (code, err)
    assert "Traceback" not in err, err
    for needle in needles:
        assert needle in err, (needle, err)


@pytest.mark.parametrize("delay", ["0.05", "[0.005, 0.05]", '"16ms"'])
def test_a_profile_lateness_that_would_be_a_stall_is_exit_2_naming_file_field_and_fix(tmp_path, delay):
    prof = tmp_path / "late.toml"
    prof.write_text(f"[probabilities]\nxrun = 0.5\n[params.xrun]\ndelay_s = {delay}\n")
    _refused(cli("run", "--duration", "2", "--report-dir", tmp_path / "reports", "--faults", prof),
             str(prof), "params.xrun.delay_s", "is a stall", "give params.xrun.delay_s at most 14.67 ms")
    assert not (tmp_path / "reports").exists()  # refused before a run folder exists


def test_the_same_lateness_is_an_xrun_on_blocks_long_enough_for_it(tmp_path):
    prof = tmp_path / "late.toml"
    prof.write_text("[probabilities]\nxrun = 0.5\n[params.xrun]\ndelay_s = [0.005, 0.05]\n")
    config = tmp_path / "long_blocks.json"
    config.write_text('{"stream": {"block_size": 1024, "latency_ms": 50}}')
    code, out, err = cli("run", "--duration", "2", "--report-dir", tmp_path / "reports", "--faults", prof,
                         "--config", config, "--seed", "3")
    assert code == 0, (out, err)
    assert "as the system saw them: xrun " in out and "stall" not in out.split("as the system saw them:")[1].split("\n")[0]


def test_a_scenario_step_late_past_the_bound_is_exit_2_naming_the_step(tmp_path):
    path = tmp_path / "late.toml"
    path.write_text(textwrap.dedent("""\
        format = 1
        [scenario]
        id = "late"
        title = "a late callback"
        reproduces = "risk: a late callback restarts the stream"
        [[steps]]
        op = "start"
        [[steps]]
        fault = "xrun"
        at = "100ms"
        delay_s = "30ms"
        [[expect]]
        never = "recovering"
        """))
    _refused(cli("scenario", "run", path), str(path), "steps[1].delay_s", "is a stall", "at most 14.67 ms")


def test_every_shipped_scenario_and_profile_file_keeps_its_xruns_xruns():
    root = Path(__file__).resolve().parents[2]
    from harness.faults import load_profile
    from harness.scenarios.loader import load_scenario, semantic_problems

    for path in sorted((root / "scenarios").rglob("*.toml")):
        if path.name != "README.md":
            assert not [p for p in semantic_problems(load_scenario(path)) if "delay_s" in str(p)], path
    for path in [root / "bench" / "default_reported.toml", *sorted((root / "examples" / "profiles").glob("*.toml"))]:
        load_profile(path).fitted(None)  # raises when its xrun lateness would be a stall


def test_a_firing_is_given_the_first_error_in_its_window_not_a_later_one():
    """A stall's window holds its ``DeviceStalledError`` and, after it, the errors its restart may
    bring: the firing became a stall, the first thing the system saw, whatever followed."""
    entries = [
        _metrics(0.5, 0),
        *_fault("stall", 1.0, ended_at=1.1, duration_s=0.1),
        _error(1.03, "DeviceStalledError", "device"),
        _error(1.12, "CallbackError", "dsp"),
        _error(1.14, "DeviceLostError", "device"),
        _metrics(1.5, 0),
    ]
    assert outcomes_by_kind(entries) == {"stall": {"stall": 1}}
