"""The ``recovery`` checker judges a virtual clock's history in segments, keeping only the current
one (``_Recovery``'s quiet-point rule): the verdict must be the one a single pass over the whole
history gives, failing and inconclusive ones included, and a real clock's history is judged whole.

The segment size is lowered here so that a run of seconds has many segments; the soak's own size
(``RECOVERY_SEGMENT_ITEMS``) only makes them rarer."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import ReliabilityRun, RunSpec, invariants
from harness.history import History
from harness.mutants import system_factory


def _history(tmp_path: Path, seed: int, mutant: str | None = None, duration_s: float = 30.0) -> History:
    run = ReliabilityRun(RunSpec(duration_s=duration_s, seed=seed, faults="default", run_dir=tmp_path / "r"),
                         system_factory=system_factory(mutant) if mutant else None)
    run.execute()
    return History.open_jsonl(tmp_path / "r" / "history.jsonl")


def _both(history: History) -> tuple[invariants._Recovery, invariants._Recovery]:
    seg = invariants._Recovery(history.initial or {}, end_time=lambda: history.end_time)
    whole = invariants._Recovery(history.initial or {}, end_time=lambda: history.end_time, segmented=False)
    invariants._run_folds(history, [seg, whole], catch=False)
    return seg, whole


@pytest.mark.parametrize("seed", [4, 5])  # seeds whose 30 s of default faults leave two quiet points or more
def test_a_segmented_verdict_is_the_whole_historys(tmp_path, monkeypatch, seed):
    monkeypatch.setattr(invariants, "RECOVERY_SEGMENT_ITEMS", 16)
    history = _history(tmp_path, seed)
    seg, whole = _both(history)
    assert seg.segments_judged >= 2, "too few quiet points in 30 s of default faults: nothing was tested"
    assert whole.segments_judged == 0
    assert seg.verdict().to_dict() == whole.verdict().to_dict()
    # what it keeps is the last segment's: fewer transitions and ops than the whole history's
    assert len(seg.states) < len(whole.states) and len(seg.ops) < len(whole.ops)


def _both_bounded(history: History, bound_s: float) -> tuple[invariants._Recovery, invariants._Recovery]:
    kw = {"deadline_s": bound_s, "end_time": lambda: history.end_time}
    seg = invariants._Recovery(history.initial or {}, **kw)
    whole = invariants._Recovery(history.initial or {}, **kw, segmented=False)
    invariants._run_folds(history, [seg, whole], catch=False)
    return seg, whole


def test_a_failing_verdict_judged_in_segments_is_the_same(tmp_path, monkeypatch):
    """A back-to-running bound of 2 ms (``check_recovery``'s ``deadline_s``): a fault window the
    system was still recovering at is judged late; the evidence and the message are the whole
    history's."""
    monkeypatch.setattr(invariants, "RECOVERY_SEGMENT_ITEMS", 16)
    history = _history(tmp_path, 5)
    seg, whole = _both_bounded(history, 0.002)
    expected = whole.verdict().to_dict()
    assert not expected["ok"] and expected["evidence"]
    assert seg.segments_judged >= 2
    assert seg.verdict().to_dict() == expected


def test_a_system_stuck_recovering_is_judged_the_same(tmp_path, monkeypatch):
    """``recovery_never_completes``: an episode that never closes leaves no quiet point after it."""
    monkeypatch.setattr(invariants, "RECOVERY_SEGMENT_ITEMS", 16)
    history = _history(tmp_path, 3, "recovery_never_completes", duration_s=10.0)
    seg, whole = _both(history)
    expected = whole.verdict().to_dict()
    assert not expected["ok"]
    assert seg.verdict().to_dict() == expected


def test_findings_of_consecutive_segments_join_in_time_order():
    a = invariants._RecoveryFindings(episode_evidence=[1], window_evidence=[2], checked=3, chained=1)
    b = invariants._RecoveryFindings(episode_evidence=[4], past_deadline=[5], window_evidence=[6], checked=2)
    joined = a.merged(b)
    assert (joined.episode_evidence, joined.past_deadline, joined.window_evidence) == ([1, 4], [5], [2, 6])
    assert (joined.checked, joined.chained) == (5, 1)
    assert a.episode_evidence == [1] and b.episode_evidence == [4]  # neither is changed


def test_a_real_clocks_history_is_judged_whole(tmp_path, monkeypatch):
    """Records on a real clock can arrive late and out of order: no segment is let go."""
    monkeypatch.setattr(invariants, "RECOVERY_SEGMENT_ITEMS", 16)
    history = _history(tmp_path, 1, duration_s=8.0)
    real = dict(history.initial or {}, clock="real")
    fold = invariants._Recovery(real, end_time=lambda: history.end_time)
    invariants._run_folds(history, [fold], catch=False)
    assert fold.segments_judged == 0


def test_a_verdict_asked_midway_does_not_consume_the_fold(tmp_path, monkeypatch):
    """``LiveChecker`` asks between feeds: the judged segments' findings are kept, not spent."""
    monkeypatch.setattr(invariants, "RECOVERY_SEGMENT_ITEMS", 16)
    history = _history(tmp_path, 2)
    seg, whole = _both(history)
    first = seg.verdict().to_dict()
    assert seg.verdict().to_dict() == first == whole.verdict().to_dict()


def test_the_shipped_segment_size_lets_a_minute_of_default_faults_go_in_segments(tmp_path):
    """A soak's live check judges the current segment again every ``LIVE_EVERY_S``, so the shipped
    size bounds what each check re-reads: seed 1's minute of default faults (2 168 history entries)
    is judged in segments at it, with the whole history's verdict."""
    history = _history(tmp_path, 1, duration_s=60.0)
    seg, whole = _both(history)
    assert seg.segments_judged >= 2, f"{seg.segments_judged} segment(s) judged in 60 s at the shipped size"
    assert seg.verdict().to_dict() == whole.verdict().to_dict()
