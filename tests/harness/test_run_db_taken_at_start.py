"""A run is recorded in the run-history database its working directory named when it started.

The default database, ``reports/history.sqlite`` (or a relative ``$SOUNDCHECK_HISTORY_DB``), is
relative to the working directory; taken when the report was written, an hour into a soak, a run
whose directory had been deleted meanwhile was not recorded at all (the rig hour of
bench/RESULTS.md, issue #11), and one whose process had changed directory was recorded elsewhere.
Here the directory changes after the run has started (the system factory, called once the run is
under way, changes it), on the simulated device: deterministic.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from harness import SoakRunner, SoakSpec
from system_under_test import AudioSystem


def _runs_in(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0])


@pytest.mark.soak
def test_a_soak_is_recorded_where_its_working_directory_said_when_it_started(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started_in, moved_to = tmp_path / "started-in", tmp_path / "moved-to"
    started_in.mkdir()
    moved_to.mkdir()
    monkeypatch.delenv("SOUNDCHECK_HISTORY_DB", raising=False)
    monkeypatch.chdir(started_in)

    def system_made_after_a_move(*args: object, **kw: object) -> AudioSystem:
        os.chdir(moved_to)
        return AudioSystem(*args, **kw)

    spec = SoakSpec(duration_s=10.0, seed=3, checkpoint_s=5.0, run_dir=tmp_path / "run")
    SoakRunner(spec, system_factory=system_made_after_a_move).start()
    assert Path.cwd() == moved_to  # the move happened during the run
    assert not (moved_to / "reports").exists()
    assert _runs_in(started_in / "reports" / "history.sqlite") == 1
