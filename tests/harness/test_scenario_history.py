"""Scenario runs as run folders: recorded in the run-history database (``history --kind scenario``)
and rebuilt by ``soundcheck report``, passing and failing alike."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from harness.cli import main

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "sim" / "xrun-is-counted-not-fatal.toml"


def _folder(root: Path) -> Path:
    (folder,) = [p for p in root.iterdir() if p.is_dir()]
    return folder


def test_a_passing_scenario_run_is_a_run_folder_and_a_history_row(tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    assert main(["scenario", "run", str(SCENARIO), "--report-dir", str(tmp_path / "r"), "--db", str(db)]) == 0
    folder = _folder(tmp_path / "r")
    report = json.loads((folder / "report.json").read_text())
    assert report["kind"] == "scenario" and report["verdict"]["outcome"] == "pass"
    capsys.readouterr()
    assert main(["history", "--db", str(db), "--kind", "scenario", "--json"]) == 3  # one scenario: shown, not judged
    (row,) = json.loads(capsys.readouterr().out)["runs"]
    assert row["kind"] == "scenario" and row["profile"] == "scenario:xrun-is-counted-not-fatal" and row["ok"] == 1
    (folder / "report.json").unlink()
    assert main(["report", str(folder), "--no-history"]) == 0
    assert json.loads((folder / "report.json").read_text())["kind"] == "scenario"


def test_a_failing_scenario_run_is_recorded_as_failed(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(SCENARIO.read_text().replace("min = 2\nmax = 2", "min = 3\nmax = 3"))
    db = tmp_path / "h.sqlite"
    assert main(["scenario", "run", str(bad), "--report-dir", str(tmp_path / "r"), "--db", str(db)]) == 1
    folder = _folder(tmp_path / "r")
    report = json.loads((folder / "report.json").read_text())
    assert report["verdict"]["outcome"] == "fail" and "expectations" in report["verdict"]["violated"]
    capsys.readouterr()
    main(["history", "--db", str(db), "--kind", "scenario", "--json"])
    (row,) = json.loads(capsys.readouterr().out)["runs"]
    assert row["ok"] == 0
    assert main(["report", str(folder), "--no-history"]) == 1


def test_without_report_dir_a_scenario_run_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOUNDCHECK_HISTORY_DB", raising=False)
    shutil.copy(SCENARIO, tmp_path / "s.toml")
    assert main(["scenario", "run", "s.toml"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"]
