"""``bench/bench_compare_pairs.py`` refuses bad arguments with exit 2 and a message naming the
option and the fix, reads the run folders it finds, and its paper degradation is worse on every
figure it touches."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from bench_scripts import load_bench_script

sys.path.insert(0, str(Path(__file__).parent))
from test_compare_exposure_and_spread import _report  # noqa: E402


@pytest.fixture
def bench():
    return load_bench_script("bench_compare_pairs.py", "bench_compare_pairs_under_test")


@pytest.mark.parametrize(("argv", "words"), [
    (["--durations", "5m"], "--durations '5m': give whole seconds"),
    (["--seeds", "1"], "--seeds must be at least 2"),
    (["--durations", "0"], "positive seconds"),
    (["--mutant-seeds", "0"], "--mutant-seeds must be at least 1"),
    (["--mutant", "no_such_bug"], "--mutant 'no_such_bug' is not a shipped mutant"),
])
def test_bad_arguments_exit_2_naming_the_option(bench, tmp_path: Path, capsys, argv: list[str], words: str) -> None:
    assert bench.main([*argv, "--out", str(tmp_path)]) == 2
    assert words in capsys.readouterr().err


def test_existing_runs_are_read_and_their_pairs_tallied(bench, tmp_path: Path, capsys) -> None:
    for seed in (1, 2, 3):
        run = tmp_path / "healthy" / "d900" / f"s{seed}" / f"run-seed{seed}"
        run.mkdir(parents=True)
        run.joinpath("report.json").write_text(json.dumps(_report(900.0, seed=seed)))
    out = tmp_path / "figures.json"
    assert bench.main(["--seeds", "3", "--durations", "900", "--out", str(tmp_path), "--degrade",
                       "--json", str(out)]) == 0
    got = json.loads(out.read_text())["900"]
    assert got["healthy"]["pairs"] == 6 and got["healthy"]["regressed"] == 0
    assert got["degraded"]["regressed"] == 6 and got["degraded"]["worse"]["xruns/h"] == 6
    assert "healthy spread" in capsys.readouterr().out


def test_degrade_slows_callbacks_doubles_xruns_and_recoveries(bench) -> None:
    r = _report(900.0)
    d = bench.degrade(r)
    assert d["stability"]["xruns_per_hour"] == 2 * r["stability"]["xruns_per_hour"]
    assert d["performance"]["callback_duration_s"]["p99"] == pytest.approx(1.25 * r["performance"]["callback_duration_s"]["p99"])
    ka = np.array([int(k) for k in r["performance"]["callback_histogram"]["bins"]])
    kb = np.array([int(k) for k in d["performance"]["callback_histogram"]["bins"]])
    assert (kb - ka == round(40 * math.log10(1.25))).all()
    assert d["recovery"]["episodes"][0]["time_to_recover_s"] == 2 * r["recovery"]["episodes"][0]["time_to_recover_s"]
