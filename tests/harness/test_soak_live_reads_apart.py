"""A soak on a real clock judges the live checks that read two of the system's values apart
(``invariants.LIVE_READS_APART``: ``health`` and ``callback_errors``) from the history alone.

On a real device the recovery supervisor moves the state between a live ``health()`` read and the
state read beside it (seen on the rig 3 s after an outside kill: "health says running but the state
is recovering", 0.3 ms apart): such a pair disagrees with no bug behind it. Here the simulated
system's live ``health()`` is torn for the soak's first 50 s (it says "recovering" while the system
runs) everywhere but in the history's snapshots, which read health and state together. A soak whose
history says its clock is real must see no break (nothing journaled, nothing kept as
``seen_live_s``); the same soak on its virtual clock, where the live checks read the system, sees
the tear as a break and fails: the control that the tear reaches the live reads at all.
Fixed seed, the simulated device, no faults: deterministic.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from harness.history import History
from harness.journal import read_journal
from harness.soak import SoakRunner, SoakSpec
from system_under_test import AudioSystem

pytestmark = pytest.mark.soak

SOAK_S = 60.0
#: the live ``health()`` is torn before this simulated time, honest after it (the soak's end reads it honest)
TORN_UNTIL_S = 50.0


@pytest.fixture(autouse=True)
def _history_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))


@pytest.fixture
def torn_live_health(monkeypatch: pytest.MonkeyPatch) -> None:
    """``AudioSystem.health`` says "recovering" while the system runs, before ``TORN_UNTIL_S``,
    except inside ``History.snapshot`` (health and state read together there)."""
    honest = AudioSystem.health
    snapshot = History.snapshot
    reading = threading.local()

    def torn(self: AudioSystem) -> dict[str, Any]:
        h = honest(self)
        if getattr(reading, "snapshot", False) or self.clock.now() >= TORN_UNTIL_S or h["state"] != "running":
            return h
        return {**h, "state": "recovering"}

    def snapshot_read_together(self: History, *args: Any, **kw: Any) -> Any:
        reading.snapshot = True
        try:
            return snapshot(self, *args, **kw)
        finally:
            reading.snapshot = False

    monkeypatch.setattr(AudioSystem, "health", torn)
    monkeypatch.setattr(History, "snapshot", snapshot_read_together)


def _real_clock_history(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every history attached from now on says its clock is a real one, as a device's does."""
    attach = History.attach

    def attach_real(self: History, system: Any, **kw: Any) -> History:
        out = attach(self, system, **kw)
        self.initial["clock"] = "real"
        return out

    monkeypatch.setattr(History, "attach", attach_real)


def _soak(tmp_path: Path) -> tuple[Any, dict[str, Any], Any]:
    spec = SoakSpec(duration_s=SOAK_S, seed=2, checkpoint_s=30.0, run_dir=tmp_path / "run", faults="none")
    result = SoakRunner(spec).start()
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    return result, report, read_journal(tmp_path / "run")


def _health(report: dict[str, Any]) -> dict[str, Any]:
    (v,) = [v for v in report["stability"]["invariants"] if v["name"] == "health"]
    return v


def test_a_real_clock_s_soak_sees_no_break_in_a_torn_live_health_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, torn_live_health: None) -> None:
    _real_clock_history(monkeypatch)
    result, report, journal = _soak(tmp_path)
    live = report["stability"]["live"]
    assert live["clock"] == "real" and live["checks"] >= 5, live
    assert [n for n in journal.notes if n.get("what") == "invariant_broke"] == []
    assert live["breaks"] == [], live["breaks"]
    health = _health(report)
    assert health["ok"] is True and "seen_live_s" not in (health.get("details") or {}), health
    assert result.verdict.outcome.value == "pass", result.verdict


def test_the_same_torn_read_on_a_virtual_clock_is_a_break(tmp_path: Path, torn_live_health: None) -> None:
    """The control: the live checks read the system on a virtual clock, and see the tear."""
    result, report, journal = _soak(tmp_path)
    (note,) = [n for n in journal.notes if n.get("what") == "invariant_broke"]
    assert note["name"] == "health" and note.get("clock") is None
    assert note["sim_t"] < TORN_UNTIL_S
    assert _health(report)["ok"] is False
    assert result.verdict.outcome.value == "fail"
