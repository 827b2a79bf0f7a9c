"""A ``run`` report says when it started and at which commit, the run-history row keeps both, and
the process CPU figures of a run are filled (mean and peak)."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from harness.cli import main
from harness.reports.history_db import HistoryDB
from harness.reports.provenance import CpuPeak

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    from harness import ReliabilityRun, RunSpec

    root = tmp_path_factory.mktemp("prov")
    mp = pytest.MonkeyPatch()
    mp.setenv("SOUNDCHECK_HISTORY_DB", str(root / "history.sqlite"))
    before = datetime.now(timezone.utc).replace(microsecond=0)
    try:
        ReliabilityRun(RunSpec(duration_s=10.0, seed=2, run_dir=root / "run")).execute()
    finally:
        mp.undo()
    (root / "before").write_text(before.isoformat())
    return root / "run"


def _head() -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO,
                          check=True).stdout.strip()


def test_a_runs_report_names_its_start_time_and_commit(run_dir):
    r = json.loads((run_dir / "report.json").read_text())
    before = datetime.fromisoformat((run_dir.parent / "before").read_text())
    started = datetime.fromisoformat(r["run"]["started_at"])
    assert before <= started <= datetime.now(timezone.utc) + timedelta(seconds=1)
    assert r["run"]["commit"] == _head() and re.fullmatch(r"[0-9a-f]{4,40}", r["run"]["commit"])
    page = (run_dir / "report.html").read_text()
    assert f"started {r['run']['started_at']}" in page and f"commit {r['run']['commit']}" in page


def test_the_history_row_of_a_run_has_its_commit_and_start(run_dir):
    with HistoryDB(run_dir.parent / "history.sqlite") as db:
        (row,) = db.runs(kind="run")
    r = json.loads((run_dir / "report.json").read_text())
    assert row["commit_sha"] == _head() and row["started_at"] == r["run"]["started_at"]


def test_a_rebuilt_run_report_keeps_start_and_commit(run_dir, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(run_dir, copy)
    (copy / "report.json").unlink()
    main(["report", str(copy), "--no-history"])
    original = json.loads((run_dir / "report.json").read_text())["run"]
    rebuilt = json.loads((copy / "report.json").read_text())["run"]
    assert (rebuilt["started_at"], rebuilt["commit"]) == (original["started_at"], original["commit"])


def test_a_runs_process_cpu_figures_are_filled(run_dir):
    cpu = json.loads((run_dir / "report.json").read_text())["performance"]["cpu"]
    summary = json.loads((run_dir / "summary.json").read_text())["cpu"]
    assert cpu["process_cpu_s"] == summary["process_cpu_s"] > 0
    assert cpu["process_cpu_percent_mean"] == summary["process_cpu_percent"] > 0
    # the peak window is at least the whole run's share (the windows cover the same span)
    assert cpu["process_cpu_percent_max"] == summary["process_cpu_percent_max"]
    assert cpu["process_cpu_percent_max"] >= cpu["process_cpu_percent_mean"] - 0.2
    page = (run_dir / "report.html").read_text()
    assert re.search(r"process CPU mean / max</th><td>[0-9.]+ % / [0-9.]+ %", page)
    assert re.search(r"process CPU time</th><td>[0-9.]+ s", page)


class _Clock:
    """``time.process_time`` / ``time.perf_counter`` driven by the test."""

    def __init__(self) -> None:
        self.cpu = self.wall = 0.0

    def process_time(self) -> float:
        return self.cpu

    def perf_counter(self) -> float:
        return self.wall

    def advance(self, wall: float, cpu: float) -> None:
        self.wall += wall
        self.cpu += cpu


def test_cpu_peak_takes_the_busiest_window_and_folds_a_short_tail(monkeypatch):
    import harness.reports.provenance as prov

    clock = _Clock()
    monkeypatch.setattr(prov, "time", clock)
    peak = CpuPeak(window_s=1.0)
    for wall, cpu in ((0.6, 0.1), (0.6, 0.1), (1.0, 0.9), (1.0, 0.2)):
        clock.advance(wall, cpu)
        peak.sample()
    # windows: 1.2 s at 0.2 s (16.7 %), 1.0 s at 0.9 s (90 %), 1.0 s at 0.2 s (20 %)
    assert peak.peak_percent() == 90.0
    clock.advance(0.01, 0.01)  # a 10 ms tail at 100 % joins the last window, never its own
    assert peak.peak_percent() == 90.0


def test_cpu_peak_of_a_run_shorter_than_a_window_is_the_whole_run(monkeypatch):
    import harness.reports.provenance as prov

    clock = _Clock()
    monkeypatch.setattr(prov, "time", clock)
    peak = CpuPeak(window_s=0.5)
    assert peak.peak_percent() is None
    clock.advance(0.2, 0.05)
    peak.sample()
    assert peak.peak_percent() == 25.0


def test_cpu_peak_holds_the_same_few_numbers_however_long_the_run(monkeypatch):
    """A soak samples every chunk for hours: the peak is kept as it goes, never a list of every
    window (one a half second, without a bound before), and is the one a list of them all gives."""
    import random

    import harness.reports.provenance as prov

    clock = _Clock()
    monkeypatch.setattr(prov, "time", clock)
    peak = CpuPeak(window_s=0.5)
    rng = random.Random(11)
    windows: list[tuple[float, float]] = []
    cpu0, wall0 = 0.0, 0.0
    for _ in range(20_000):
        clock.advance(rng.uniform(0.05, 0.6), rng.uniform(0.0, 0.3))
        peak.sample()
        if clock.wall - wall0 >= 0.5:
            windows.append((clock.cpu - cpu0, clock.wall - wall0))
            cpu0, wall0 = clock.cpu, clock.wall
    clock.advance(0.01, 0.004)
    last = windows.pop()
    windows.append((last[0] + clock.cpu - cpu0, last[1] + clock.wall - wall0))
    assert len(windows) > 5_000
    assert peak.peak_percent() == round(max(100 * c / w for c, w in windows), 1)
    held = [len(v) for v in vars(peak).values() if isinstance(v, (list, dict, set))]
    assert max(held, default=0) <= 2, held
