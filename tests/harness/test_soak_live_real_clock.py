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

