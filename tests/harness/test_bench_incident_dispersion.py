"""``bench/bench_incident_dispersion.py`` refuses bad arguments with exit 2 and a message naming
the option and the fix, and reads run folders it finds instead of running them again; its
simulated pairs are seeded (the figures in bench/RESULTS.md are reproducible)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench_scripts import load_bench_script


@pytest.fixture
def bench():
    return load_bench_script("bench_incident_dispersion.py", "bench_incident_dispersion_under_test")


@pytest.mark.parametrize(("argv", "words"), [
    (["--durations", "5m"], "--durations '5m': give whole seconds"),
    (["--seeds", "1"], "--seeds must be at least 2"),
    (["--durations", "0"], "positive seconds"),
])
def test_bad_arguments_exit_2_naming_the_option(bench, tmp_path: Path, capsys, argv: list[str], words: str) -> None:
    assert bench.main([*argv, "--out", str(tmp_path)]) == 2
    assert words in capsys.readouterr().err


def _folder(root: Path, duration: int, seed: int, incidents: int, outcome: str = "pass") -> None:
    run = root / f"d{duration}" / f"s{seed}" / f"run-seed{seed}"
    run.mkdir(parents=True)
    run.joinpath("report.json").write_text(json.dumps({
        "verdict": {"outcome": outcome},
        "stability": {"incident_count": incidents, "sim_time_s": float(duration)}}))


def test_existing_runs_are_read_and_a_run_that_did_not_pass_is_left_out(bench, tmp_path: Path, capsys) -> None:
    for seed, n in zip(range(1, 7), (0, 1, 2, 9, 1, 3)):
        _folder(tmp_path, 900, seed, n)
    _folder(tmp_path, 900, 7, 40, outcome="fail")
    assert bench.main(["--seeds", "7", "--durations", "900", "--out", str(tmp_path), "--simulate-pairs", "200"]) == 0
    out = capsys.readouterr().out
    assert "6 healthy runs, incidents [0, 1, 1, 2, 3, 9]" in out, out
    got = json.loads((tmp_path / "dispersion.json").read_text())["900"]
    assert got["runs"] == 6 and got["pairs"] == 30
    assert got["dispersion"] == pytest.approx(got["variance"] / got["mean"])
    assert got["simulated"]["poisson_test"]["pairs"] == 200
    again = json.loads((tmp_path / "dispersion.json").read_text())
    assert bench.main(["--seeds", "7", "--durations", "900", "--out", str(tmp_path), "--simulate-pairs", "200"]) == 0
    assert json.loads((tmp_path / "dispersion.json").read_text()) == again  # seeded
