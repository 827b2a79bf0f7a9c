"""``callback_errors_in_a_row`` and ``timers_let_go`` are judged by the live checks as things happen.

Both are folds of what is new: a routed callback error's run in a row is known from the errors
before it (no later entry changes it), and the history's timer watch judges each of the system's
own transitions as it is made. A stateful test therefore stops at the step that breaks them, and
a soak journals the break at its next live check (``invariant_broke``) instead of learning of it
only at its end. The catalogue's bugs (``route_error_counts_dsp_only``,
``recovery_cancel_leaves_timer_armed``) are planted as their tests plant them; healthy runs give
the same verdict live as at the end. Virtual clock, fixed seeds: deterministic.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness import SoakRunner, SoakSpec, read_journal
from harness.history import History, run_op
from harness.invariants import LiveChecker, Verdict, check_callback_errors_in_a_row, check_timers_let_go
from harness.soak import LIVE_EVERY_S
from system_under_test import AudioSystem, State
from tests.harness.test_callback_errors_in_a_row import _count_dsp_only
from tests.harness.test_timers_let_go import _cancel_leaving_the_timer_armed, _waiting_recovery

IN_A_ROW = "callback_errors_in_a_row"
TIMERS = "timers_let_go"
#: the soaks' length: the planted bugs of seed 1 first show at 5.9 s (a miscount) and 22.6 s (a
#: timer left armed), each well before a live check that is not the soak's last
SOAK_S = 60.0


@pytest.fixture(autouse=True)
def _history_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))


def _live(checker: LiveChecker, name: str) -> Verdict:
    (v,) = [v for v in checker.check() if v.name == name]
    return v


def _record_callback_error(h: History, t: float, callback: int, on_stream: int, told: int) -> None:
    h.record("error", time=t, value="error",
             data={"error": {"type": "CallbackError", "message": "device delivered (1, 2) input, expected (256, 2)",
                             "component": "input", "severity": "WARNING", "recoverable": True,
                             "details": {"callback": callback, "stream_callback": on_stream}},
                   "severity": "WARNING", "component": "input", "requires_recovery": True,
                   "consecutive_callback_errors": told, "state": "running", "recovering": False})


def test_the_live_check_stops_at_the_first_error_that_tells_a_wrong_count() -> None:
    s = AudioSystem({}, seed=5)
    h = History().attach(s)
    checker = LiveChecker(s, h, linearizable=False)
    try:
        _record_callback_error(h, 1.0, 10, 10, 1)
        _record_callback_error(h, 1.1, 11, 11, 2)
        assert _live(checker, IN_A_ROW).ok
        _record_callback_error(h, 1.2, 12, 12, 0)  # the third in a row, told as none
        v = _live(checker, IN_A_ROW)
        assert not v.ok and [(e["callback"], e["in_a_row"], e["consecutive_callback_errors"])
                             for e in v.evidence] == [(12, 3, 0)], v
        _record_callback_error(h, 2.0, 20, 20, 1)  # a new run, told right
        again = _live(checker, IN_A_ROW)
        assert again.to_dict() == v.to_dict()  # the first break is not counted twice
        assert again.to_dict() == check_callback_errors_in_a_row(h).to_dict()  # as the end judges it
    finally:
        checker.close()
        s.close()
        h.detach()


@pytest.mark.parametrize("planted", [False, True])
def test_the_live_check_stops_at_the_stop_that_leaves_a_timer_armed(planted: bool,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    if planted:
        _cancel_leaving_the_timer_armed(monkeypatch)
    system, history = _waiting_recovery()
    checker = LiveChecker(system, history, linearizable=False)
    try:
        assert _live(checker, TIMERS).ok
        run_op(history, system, "stop")  # the step that ends the waiting recovery: the system still runs on
        assert system.state == State.STOPPED
        v = _live(checker, TIMERS)
        assert v.ok is not planted, v
        if planted:
            (left,) = v.evidence
            assert (left["transition"], left["cause"]) == ("recovering -> stopping", "stop"), left
        system.close()
        end = check_timers_let_go(history, system)
        assert end.ok is not planted, end  # the end agrees with what the live check said
    finally:
        checker.close()
        system.close()
        history.detach()


def _soak(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
          seed: int) -> tuple[Any, dict[str, Any], list[dict[str, Any]]]:
    import harness.reports.plots as plots

    monkeypatch.setattr(plots, "draw_all", lambda *a, **kw: {})  # figures are not what this is about
    spec = SoakSpec(duration_s=SOAK_S, seed=seed, faults="default", checkpoint_s=10.0, run_dir=tmp_path / "run")
    result = SoakRunner(spec).start()
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    notes = [n for n in read_journal(tmp_path / "run").notes if n.get("what") == "invariant_broke"]
    return result, report, notes


def _first_evidence_time(report: dict[str, Any], name: str) -> float:
    """When the end's verdict of ``name`` says it first broke (its evidence is in time order)."""
    (verdict,) = [v for v in report["stability"]["invariants"] if v["name"] == name]
    assert verdict["ok"] is False, verdict
    return float(verdict["details"]["evidence"][0]["time"])


@pytest.mark.parametrize(("name", "plant"), [(IN_A_ROW, _count_dsp_only), (TIMERS, _cancel_leaving_the_timer_armed)])
def test_a_soak_journals_the_break_at_the_first_live_check_after_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    name: str, plant: Any) -> None:
    plant(monkeypatch)
    result, report, notes = _soak(tmp_path, monkeypatch, 1)
    assert result.verdict.outcome.value == "fail", result.verdict
    assert [n["name"] for n in notes] == [name]
    assert report["stability"]["invariants_broken"] == [name]
    first = _first_evidence_time(report, name)
    # the first live check after the first break: not the soak's end
    assert first <= notes[0]["sim_t"] <= first + LIVE_EVERY_S + 1.0 < SOAK_S


@pytest.mark.parametrize("seed", [1, 2])
def test_a_healthy_soak_judges_both_live_and_agrees_with_its_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 seed: int) -> None:
    result, report, notes = _soak(tmp_path, monkeypatch, seed)
    assert notes == []
    live = report["stability"]["live"]
    assert {IN_A_ROW, TIMERS} <= set(live["judged"]) and live["breaks"] == []
    ends = {v["name"]: v for v in report["stability"]["invariants"] if v["name"] in (IN_A_ROW, TIMERS)}
    assert sorted(ends) == [IN_A_ROW, TIMERS], ends
    assert all(v["ok"] and not v["inconclusive"] for v in ends.values()), ends
    assert result.verdict.outcome.value == "pass", result.verdict
