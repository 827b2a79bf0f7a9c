"""``bench/bench_soak.py --report-build`` measures the report build of a killed soak's journal.

A soak killed overnight leaves a journal with no end; ``soundcheck report`` builds its report and
exits 3 (inconclusive). That build is the one an operator runs after a crash, so the bench must
measure it rather than stop on the exit status; an exit that wrote no report (2, an input error)
must still stop it."""

from __future__ import annotations

import signal

import pytest

from harness import read_journal
from killed_soak import run_killed_soak
from bench_scripts import load_bench_script


def _bench_soak():
    return load_bench_script("bench_soak.py", "bench_soak_report_build")


@pytest.fixture(autouse=True)
def _history_db(tmp_path, monkeypatch):
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))


def test_the_report_build_of_a_killed_soaks_journal_is_measured(tmp_path):
    run_dir = tmp_path / "killed"
    killed = run_killed_soak(3, run_dir, "--duration", "20s", "--checkpoint", "2s", "--seed", "2")
    assert killed.returncode == -signal.SIGKILL, (killed.stdout, killed.stderr[-3000:])
    journal = read_journal(run_dir)
    assert journal.end is None and len(journal.checkpoints) == 2

    out = _bench_soak().report_build(run_dir, None, 1)

    (row,) = out["runs"]["this"]
    assert row["exit"] == 3  # inconclusive: the journal has no end
    assert row["peak_rss_mib"] > 0 and row["cpu_s"] > 0


def test_a_report_that_could_not_be_built_still_stops_the_bench(tmp_path):
    run_dir = tmp_path / "broken"
    run_dir.mkdir()
    (run_dir / "journal.jsonl").write_text("not a journal\n", encoding="utf-8")

    with pytest.raises(SystemExit, match="failed with exit 2"):
        _bench_soak().report_build(run_dir, None, 1)
