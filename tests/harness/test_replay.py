"""The replay export of a run (``harness.replay``): what a run that held, or failed without its
history file, gets instead of a scenario file."""

from __future__ import annotations

from pathlib import Path

from harness.replay import NOTHING_TO_REPLAY, export_replay, violated_invariants


def test_run_completed_is_never_an_invariant_to_replay() -> None:
    verdicts = [{"name": "run_completed", "ok": False}, {"name": "recovery", "ok": False},
                {"name": "clean_audio", "ok": True, "inconclusive": True}, {"name": "linearizable", "ok": False}]
    assert violated_invariants(verdicts) == ["recovery", "linearizable"]


def test_a_run_that_held_every_invariant_has_nothing_to_replay(tmp_path: Path) -> None:
    verdicts = [{"name": "recovery", "ok": True}, {"name": "clean_audio", "ok": True, "inconclusive": True},
                {"name": "run_completed", "ok": False}]
    assert export_replay(verdicts, run_dir=tmp_path, history=tmp_path / "history.jsonl", config=None, seed=7,
                         mutant=None) == {"path": None, "note": NOTHING_TO_REPLAY}


def test_a_failed_run_without_its_history_file_says_how_to_replay_it(tmp_path: Path) -> None:
    """No history given, a history file that is gone, or a folder where it should be: the note
    names the seed and the profile to run again, never an export error."""
    verdicts = [{"name": "recovery", "ok": False}]
    (tmp_path / "a_folder").mkdir()
    for history in (None, tmp_path / "history.jsonl", tmp_path / "a_folder"):
        assert export_replay(verdicts, run_dir=tmp_path, history=history, config=None, seed=7, mutant=None,
                             profile="gentle") == {
            "path": None, "note": "no history file to export; replay with seed 7 and profile gentle"}, history
    assert not (tmp_path / "scenarios").exists()
