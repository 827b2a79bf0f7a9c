"""A device error report lost from the supervisor's queue is seen by the live checks when it happens.

``device_errors_kept`` is among ``LiveChecker``'s folds: a stateful test stops at the step whose
pass announced a loss, and a soak journals the loss's first live check (``invariant_broke``) instead
of learning of it only at its end. The bursts are made on the virtual clock's one thread, between
two supervisor passes, so each loss is exact.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness import SoakRunner, SoakSpec, read_journal
from harness.history import History
from harness.invariants import LiveChecker
from harness.soak import LIVE_EVERY_S
from system_under_test import AudioSystem
from system_under_test.errors import XrunError
from system_under_test.lifecycle import State

QUEUE_BOUND = 1024
#: reports queued past the bound in one burst: the oldest this many are pushed out
LOST = 100
#: when the soak's planted burst comes: well inside the soak, far from its end
BURST_AT_S = 20.0


@pytest.fixture(autouse=True)
def _history_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))


def _burst(system: AudioSystem) -> None:
    """``QUEUE_BOUND + LOST`` xruns (errors the policy leaves alone) reported before a pass."""
    for _ in range(QUEUE_BOUND + LOST):
        system._on_device_error(XrunError("late block", component="device"))


def _kept(checker: LiveChecker) -> list[tuple[bool, int | None]]:
    return [(v.ok, sum(e["count"] for e in v.evidence) if v.evidence else None)
            for v in checker.check() if v.name == "device_errors_kept"]


def test_the_live_checker_fails_at_the_check_after_the_pass_that_lost_reports() -> None:
    s = AudioSystem({}, seed=11)
    h = History().attach(s, metrics_every_s=0.05)
    checker = LiveChecker(s, h, linearizable=False)
    try:
        s.initialize()
        s.start()
        s.run_for(0.05)
        assert _kept(checker) == [(True, None)]
        _burst(s)
        assert _kept(checker) == [(True, None)]  # queued, not yet found missing: no pass has run
        s.run_for(0.05)
        assert s.state == State.RUNNING
        assert _kept(checker) == [(False, LOST)]
        assert _kept(checker) == [(False, LOST)]  # a later check does not count the loss twice
    finally:
        checker.close()
        s.close()
        h.detach()


class BurstOnce(AudioSystem):
    """Reports a burst past the queue's bound once, at the first chunk's end from ``BURST_AT_S``."""

    def __init__(self, *a, **kw) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*a, **kw)
        self.burst_at: float | None = None

    def run_for(self, seconds: float) -> None:
        super().run_for(seconds)
        if self.burst_at is None and self.clock.now() >= BURST_AT_S and self.state == State.RUNNING:
            self.burst_at = self.clock.now()
            _burst(self)


def test_a_soak_journals_a_lost_report_at_its_first_live_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import harness.reports.plots as plots

    monkeypatch.setattr(plots, "draw_all", lambda *a, **kw: {})  # figures are not what this is about
    spec = SoakSpec(duration_s=60.0, seed=3, faults="none", checkpoint_s=10.0, run_dir=tmp_path / "run")
    result = SoakRunner(spec, system_factory=BurstOnce).start()
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    journal = read_journal(tmp_path / "run")
    assert result.verdict.outcome.value == "fail", result.verdict
    (note,) = [n for n in journal.notes if n.get("what") == "invariant_broke"]
    assert note["name"] == "device_errors_kept"
    # the first live check after the burst's pass: not the soak's end
    assert BURST_AT_S <= note["sim_t"] <= BURST_AT_S + LIVE_EVERY_S + 1.0 < spec.duration_s
    assert report["stability"]["invariants_broken"] == ["device_errors_kept"]
    (failure,) = [f for f in report["stability"]["failures"] if f.get("invariant") == "device_errors_kept"]
    assert f"first broke at t={note['sim_t']:.2f} s" in failure["message"]
