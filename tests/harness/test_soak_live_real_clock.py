"""A real-device soak's live checks, on the simulated device with its history marked as a real
clock's (what a rig or PortAudio soak records): judged every ``LIVE_EVERY_S``, what a real clock
cannot judge listed as unjudged, and a break seen live failing the soak only with the end's.

No JACK server: the simulated device keeps these deterministic (seeded, virtual time); only the
history's ``clock`` says "real", and that is what the soak's live checks read."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from harness import SoakRunner, SoakSpec, read_journal
from harness.history import History
from harness.invariants import LIVE_READS_APART, LiveChecker
from harness.soak import LIVE_EVERY_S, REAL_CLOCK_UNJUDGED, with_live_breaks
from system_under_test import AudioSystem

pytestmark = pytest.mark.soak

#: when the planted frame loss starts: well inside the soak, far from its end
LOSES_FRAMES_FROM_S = 30.0


@pytest.fixture(autouse=True)
def _history_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))


@pytest.fixture
def real_clock_history(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every history attached from now on says its clock is a real one, as a device's does."""
    attach = History.attach

    def attach_real(self: History, system: Any, **kw: Any) -> History:
        out = attach(self, system, **kw)
        self.initial["clock"] = "real"
        return out

    monkeypatch.setattr(History, "attach", attach_real)


def _soak(tmp_path: Path, seed: int, duration_s: float = 60.0) -> tuple[Any, dict[str, Any], Any]:
    spec = SoakSpec(duration_s=duration_s, seed=seed, checkpoint_s=10.0, run_dir=tmp_path / "run", faults="default")
    result = SoakRunner(spec).start()
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    return result, report, read_journal(tmp_path / "run")


def _lose_frames_late(monkeypatch: pytest.MonkeyPatch) -> None:
    """The system's frame accounts lose one block from ``LOSES_FRAMES_FROM_S`` on: played short
    of what was captured, in every reading (live and in the history's snapshots)."""
    accounts = AudioSystem.frame_accounts

    def short(self: AudioSystem) -> Any:
        acc = accounts(self)
        if self.clock.now() >= LOSES_FRAMES_FROM_S:
            return dataclasses.replace(acc, played=acc.played - 256)
        return acc

    monkeypatch.setattr(AudioSystem, "frame_accounts", short)


@pytest.mark.parametrize("seed", [1, 3])
def test_a_real_clock_s_soak_is_checked_live_and_says_what_it_could_not_judge(
        tmp_path: Path, seed: int, real_clock_history: None) -> None:
    result, report, journal = _soak(tmp_path, seed)
    assert result.verdict.outcome.value == "pass", result.verdict
    live = report["stability"]["live"]
    assert live["clock"] == "real"
    assert live["checks"] >= 60.0 / LIVE_EVERY_S
    assert live["breaks"] == [] and not [n for n in journal.notes if n.get("what") == "invariant_broke"]
    assert set(REAL_CLOCK_UNJUDGED) <= set(live["unjudged"])
    assert all(live["unjudged"][n]["checks"] == live["checks"] for n in REAL_CLOCK_UNJUDGED)
    assert {"legal_transitions", "frame_accounting", "resources", "recovery", "rejected_config"} <= set(live["judged"])
    assert not set(REAL_CLOCK_UNJUDGED) & set(live["judged"])


def test_a_real_clock_s_break_confirmed_by_the_end_is_timed_from_the_soak_s_start(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, real_clock_history: None) -> None:
    _lose_frames_late(monkeypatch)
    result, report, journal = _soak(tmp_path, 3)
    assert result.verdict.outcome.value == "fail"
    (note,) = [n for n in journal.notes if n.get("what") == "invariant_broke"]
    assert note["name"] == "frame_accounting" and note["clock"] == "real"
    # the first live check after the loss began: not the soak's end
    assert LOSES_FRAMES_FROM_S <= note["sim_t"] <= LOSES_FRAMES_FROM_S + LIVE_EVERY_S + 1.0 < 60.0
    (v,) = [v for v in report["stability"]["invariants"] if v["name"] == "frame_accounting"]
    assert v["ok"] is False and v["details"]["first_broke_s"] == pytest.approx(note["sim_t"])
    assert f"first seen broken at t={note['sim_t']:.2f} s after the soak's start" in v["message"]
    assert [b["name"] for b in report["stability"]["live"]["breaks"]] == ["frame_accounting"]


def test_a_real_clock_s_live_break_the_end_does_not_confirm_is_never_a_failure() -> None:
    """On a real clock the threads run while a check reads and an outside outage is recorded after
    the fact: a break seen live alone is kept as a reading, never a failure."""
    broke = {"recovery": {"name": "recovery", "sim_t": 312.5, "segment": 0, "clock": "real",
                          "message": "a device loss no fault explains", "evidence": [{"t": 1}]},
             "health": {"name": "health", "sim_t": 40.0, "segment": 0, "clock": "real",
                        "message": "health disagrees", "evidence": []}}
    end = [{"name": "recovery", "ok": True, "inconclusive": False, "message": "recoveries bounded", "evidence": []},
           {"name": "legal_transitions", "ok": True, "inconclusive": False, "message": "ok", "evidence": []}]
    out = {v["name"]: v for v in with_live_breaks(end, broke)}
    assert out["recovery"]["ok"] is True and out["recovery"]["seen_live_s"] == 312.5
    assert "first_broke_s" not in out["recovery"] and "not judged" in out["recovery"]["message"]
    assert out["legal_transitions"] == end[1]
    assert "health" not in out  # not in the end's verdicts: not added as a failure



def test_a_live_check_that_reads_the_system_apart_is_left_to_the_history_on_a_real_clock() -> None:
    """``health()`` and the state, read apart while another thread moves the state, disagree with
    no bug behind them (seen on the rig 3 s after an outside kill): with ``system_reads=False`` a
    real device's soak judges ``health`` and ``callback_errors`` from the history's records only.
    The same reading fails the check that reads the live system (the control)."""
    system = AudioSystem(seed=1)
    try:
        h = History()
        h.record("attach", time=0.0, data={"state": "uninitialized", "configured": False, "pending": False,
                                           "clock": "real", "components": {"system": "uninitialized"}})
        torn = {**system.health(), "state": "running"}  # the state read a moment later says otherwise
        system.health = lambda: torn  # type: ignore[method-assign]
        reads = {v.name: v for v in LiveChecker(system, h, linearizable=False).check()}
        apart = {v.name: v for v in LiveChecker(system, h, linearizable=False, system_reads=False).check()}
    finally:
        system.close()
    assert not reads["health"].ok and "health says running" in str(reads["health"].evidence)
    assert apart["health"].ok and apart["callback_errors"].ok
    assert set(LIVE_READS_APART) == {"health", "callback_errors"}


def test_a_real_clock_s_soak_checks_live_every_ten_seconds_and_checkpoints_every_minute(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real clock's readings (``time.monotonic``) are far past the run's duration: its end is
    counted from the first chunk, so a 60 s soak is not ended at every chunk (a checkpoint and a
    live check each second). The simulated clock started at 80 000 s stands in for it."""
    from harness.soak import _Recorder

    calls: list[tuple[str, float]] = []
    monkeypatch.setattr(_Recorder, "_check_live", lambda self, system, history, now: calls.append(("live", now)))
    monkeypatch.setattr(_Recorder, "_checkpoint", lambda self, run, system, history, now: calls.append(("cp", now)))
    monkeypatch.setattr(_Recorder, "_collect", lambda self, system, now: None)
    recorder = _Recorder.__new__(_Recorder)
    recorder.spec = SoakSpec(duration_s=60.0, chunk_s=1.0, checkpoint_s=30.0)
    recorder.replay_until, recorder.index, recorder.next_cp, recorder.next_live, recorder.run_end = 0, 0, None, None, None
    recorder.clock = None
    recorder.soak = None

    class Clock:
        virtual = False
        t = 0.0

        def now(self) -> float:
            return self.t

    class Stop:
        def is_set(self) -> bool:
            return False

    clock, run = Clock(), type("Run", (), {})()
    run.spec, run._stop = SoakSpec(duration_s=60.0), Stop()
    system = type("System", (), {"clock": clock})()
    for k in range(1, 61):
        clock.t = 80_000.0 + k + 0.003 * k  # each chunk a little late, as on a loaded machine
        recorder(run, system, None)
    lives = [t for what, t in calls if what == "live"]
    cps = [t for what, t in calls if what == "cp"]
    assert 6 <= len(lives) <= 8, lives
    assert 2 <= len(cps) <= 4, cps
    assert cps[-1] == pytest.approx(80_060.18) and lives[-1] == pytest.approx(80_060.18)  # the last chunk judged


def test_a_real_clock_s_soak_reports_its_operating_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real clock reads far from 0 (``time.monotonic``): the journal's end is stamped on the
    checkpoints' clock, so the report's operating time is the soak's, not 80 000 s negative. The
    simulated clock started at 80 000 s and saying it is not virtual stands in for it."""
    from system_under_test.clock import VirtualClock

    init = VirtualClock.__init__
    monkeypatch.setattr(VirtualClock, "__init__", lambda self, start=0.0: init(self, 80_000.0 + start))
    monkeypatch.setattr(VirtualClock, "virtual", False)
    spec = SoakSpec(duration_s=60.0, seed=1, checkpoint_s=30.0, run_dir=tmp_path / "run", faults="none")
    SoakRunner(spec).start()
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    assert 55.0 <= report["stability"]["sim_time_s"] <= 75.0, report["stability"]["sim_time_s"]
    assert report["stability"]["live"]["clock"] == "real" and report["stability"]["live"]["checks"] <= 8
    assert report["stability"]["mtbf_note"] != "no operating time"


def _live_section(html: str) -> str:
    start = html.index('<h3 id="live-checks">')
    return html[start:html.index("<h3>", start + 1)]


def test_the_html_report_shows_a_live_break_with_its_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, real_clock_history: None) -> None:
    _lose_frames_late(monkeypatch)
    _, report, journal = _soak(tmp_path, 3)
    (note,) = [n for n in journal.notes if n.get("what") == "invariant_broke"]
    live = _live_section((tmp_path / "run" / "report.html").read_text())
    assert f"{report['stability']['live']['checks']} check(s) during the soak on a real clock" in live
    assert "<td>frame_accounting</td>" in live
    shown = f"{note['sim_t']:,.3f}".rstrip("0").rstrip(".")
    assert f"t={shown} s after the soak's start" in live
    assert "No invariant was seen broken" not in live


def test_the_html_report_lists_what_a_real_clock_s_live_checks_could_not_judge(
        tmp_path: Path, real_clock_history: None) -> None:
    _, report, _ = _soak(tmp_path, 1)
    live = _live_section((tmp_path / "run" / "report.html").read_text())
    assert "No invariant was seen broken by a live check." in live
    for name in REAL_CLOCK_UNJUDGED:
        assert f"<td>{name}</td>" in live
    assert "first seen broken" not in live
