"""``soundcheck report`` of a run folder a run is still writing: refused, never judged as a killed run.

A run streams its history into its folder as it goes, so a folder under way looks like one whose
run was killed part-way: read then, the report called a live run INCONCLUSIVE ("killed before it
recorded anything"), wrote report.html/report.json into the folder the run was writing, and put a
``partial`` row in the run-history database for a run that was about to pass. A run holds its
folder's lock from the moment it makes the folder; ``report`` takes that lock, and a folder held by
a run (or a soak) is exit 2, naming the folder, with nothing written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cli_capture import cli
from harness.runfolder import LOCK_NAME
from harness.runner import ReliabilityRun, RunSpec


def test_report_of_a_folder_a_run_is_still_writing_is_refused_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "h.sqlite"
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(db))
    root = tmp_path / "reports"
    seen: list[tuple[int, str, str, list[str]]] = []

    def report_mid_run(*_: Any) -> None:
        if seen:
            return
        (run_dir,) = root.iterdir()
        code, out, err = cli("report", run_dir)
        seen.append((code, out, err, sorted(p.name for p in run_dir.iterdir())))

    spec = RunSpec(backend="sim", duration_s=3.0, seed=92509, faults="none", report_root=root)
    result = ReliabilityRun(spec).execute(on_chunk=report_mid_run)
    assert seen, "the run never reached a chunk"
    code, out, err, files = seen[0]
    assert code == 2, (code, out, err)
    assert "another soundcheck process is using this run folder" in err and str(result.run_dir) in err, err
    assert "Traceback" not in err and "INCONCLUSIVE" not in out
    assert not {"report.json", "report.html", "summary.json"} & set(files), files
    rows = _rows(db)
    assert [r["status"] for r in rows] == ["completed"], rows  # the run's own row alone
    assert result.exit_code == 0


def test_report_of_a_finished_run_still_takes_its_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "h.sqlite"))
    code, _, err = cli("run", "--duration", "2", "--seed", "92510", "--faults", "none", "--report-dir", tmp_path / "r")
    (run_dir,) = (tmp_path / "r").iterdir()
    assert (run_dir / LOCK_NAME).is_file()  # released with the run, kept as a soak keeps its own
    again, out, err = cli("report", run_dir)
    assert (code, again) == (0, 0), (out, err)


def test_report_of_a_folder_no_run_made_leaves_no_lock_file(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    code, _, err = cli("report", folder, "--no-history")
    assert code == 2 and "an empty folder" in err, err
    assert list(folder.iterdir()) == []


def _rows(db: Path) -> list[dict[str, Any]]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("select status, outcome from runs")]
