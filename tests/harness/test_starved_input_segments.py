"""The ``starved_input`` checker judges a virtual clock's history in segments, keeping only the
current one: its verdict must be the one a single pass over the whole history gives, passing
and failing, and a real clock's history is judged whole. The segment size is lowered here so
that a run of seconds has several."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import ReliabilityRun, RunSpec, invariants
from harness.history import History
from harness.mutants import system_factory

_PROFILE = ('name = "starved"\ncheck_every_s = 0.25\n[probabilities]\ninput_starved = 0.05\nxrun = 0.2\n'
            '[params.input_starved]\nduration_s = [0.05, 0.6]\n')


def _history(tmp_path: Path, seed: int, mutant: str | None = None) -> History:
    profile = tmp_path / "starved.toml"
    profile.write_text(_PROFILE)
    run = ReliabilityRun(RunSpec(duration_s=40.0, seed=seed, faults=str(profile), run_dir=tmp_path / "r"),
                         system_factory=system_factory(mutant) if mutant else None)
    run.execute(reports=False)
    return History.open_jsonl(tmp_path / "r" / "history.jsonl")


def _both(history: History, init: dict | None = None) -> tuple[invariants._StarvedInput, invariants._StarvedInput]:
    init = history.initial or {} if init is None else init
    seg = invariants._StarvedInput(init, end_time=lambda: history.end_time)
    whole = invariants._StarvedInput(init, end_time=lambda: history.end_time, segmented=False)
    invariants._run_folds(history, [seg, whole], catch=False)
    return seg, whole


@pytest.mark.parametrize("seed, mutant", [(1, None), (2, None), (1, "ignores_starved_input")])
def test_a_segmented_verdict_is_the_whole_historys(tmp_path, monkeypatch, seed, mutant):
    monkeypatch.setattr(invariants, "RECOVERY_SEGMENT_ITEMS", 8)
    history = _history(tmp_path, seed, mutant)
    seg, whole = _both(history)
    expected = whole.verdict().to_dict()
    assert seg.segments_judged >= 2, "too few quiet points: nothing was tested"
    assert whole.segments_judged == 0
    assert seg.verdict().to_dict() == expected
    assert "nothing to judge" not in expected["message"]
    assert expected["ok"] is (mutant is None)
    assert len(seg.states) < len(whole.states)


def test_a_real_clocks_history_is_judged_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(invariants, "RECOVERY_SEGMENT_ITEMS", 8)
    history = _history(tmp_path, 1)
    seg, whole = _both(history, dict(history.initial or {}, clock="real"))
    assert seg.segments_judged == 0
    assert seg.verdict().to_dict() == whole.verdict().to_dict()
