"""``bench/bench_margins_left.py`` reads the margins healthy runs leave to each threshold: known
answers for the run-level rules and for compare's pairs, the extremes it judges find the pair that
comes closest, and bad arguments exit 2 naming the option."""

from __future__ import annotations

import copy
import json
import math
import sys
from pathlib import Path
from typing import Any

import pytest

from bench_scripts import load_bench_script

sys.path.insert(0, str(Path(__file__).parent))
from test_compare_exposure_and_spread import _report  # noqa: E402

from harness.reports.compare import ALPHA, sample_margin

P99_9 = "callback p99.9 (ms)"
#: the one figure these pairs are judged on (each count figure's test takes seconds on a loaded machine)
ONLY = ("cb_p99_9_ms",)


@pytest.fixture
def bench():
    return load_bench_script("bench_margins_left.py", "bench_margins_left_under_test")


def _keep(root: Path, report: dict[str, Any], duration: int) -> None:
    seed = report["run"]["seed"]
    run = root / f"d{duration}" / f"s{seed}" / f"run-seed{seed}"
    run.mkdir(parents=True)
    run.joinpath("report.json").write_text(json.dumps(report))


def _with_p99_9(seed: int, factor: float) -> dict[str, Any]:
    # no xruns and few callbacks: the count tests and the callback test stay cheap on a loaded machine
    return _report(900.0, seed=seed, p99_9=6e-3 * factor, xruns_per_hour=0.0, n=2_000)


def test_run_level_rules_give_the_share_of_their_bound_left(bench) -> None:
    r = _report(60.0)
    r["glitches"] = {"settle_margin_s": 0.25, "windows": [{"window": 1, "end": 10.0}, {"window": 2, "end": None}],
                     "items": [{"window": 1, "t_end": 10.1}, {"window": 1, "t_end": 9.9}, {"window": 2, "t_end": 50.0}]}
    r["stability"]["leaks"] = {"rss_bytes": {"slope_per_hour": 2.0, "threshold_per_hour": 8.0},
                               "sut_buffers": {"slope_per_hour": -3.0, "threshold_per_hour": 0.5}}
    got = bench.run_thresholds([r, _report(60.0, seed=2)])
    settle = got["settle margin after a fault window (s)"]
    assert settle["worst"] == pytest.approx(0.1) and settle["used"] == pytest.approx(0.4) and settle["seed"] == 1
    assert len(got) == 2  # the recovery bound is not read from a report's times to recover
    leak = got["leak judge: slope vs threshold (/h)"]
    assert leak["used"] == pytest.approx(0.25) and leak["what"] == "rss_bytes"


def test_a_pair_half_way_to_the_margin_used_half_of_it_and_one_past_it_is_counted_worse(bench) -> None:
    allowed = math.expm1(sample_margin("cb_p99_9_ms", ALPHA, ("default", "default")))
    runs = [_with_p99_9(1, 1.0), _with_p99_9(2, 1.0), _with_p99_9(3, 1.0 + allowed / 2)]
    got = bench.pair_margins(runs, extremes=8, only=ONLY)
    assert got["every_pair"] and got["pairs"] == 6
    assert got["worse"].get(P99_9, 0) == 0 and got["judged"][P99_9] == 6
    assert got["closest"][P99_9]["used"] == pytest.approx(0.5) and got["closest"][P99_9]["seeds"][1] == 3
    past = bench.pair_margins(runs[:2] + [_with_p99_9(3, 1.0 + allowed * 1.05)], extremes=8, only=ONLY)
    assert past["worse"][P99_9] == 2 and past["closest"][P99_9]["used"] == pytest.approx(1.05)


def test_the_extremes_hold_the_pair_that_comes_closest(bench) -> None:
    allowed = math.expm1(sample_margin("cb_p99_9_ms", ALPHA, ("default", "default")))
    factors = [1.0, 0.97, 1.02, 1.0 + allowed * 0.3, 0.99]
    runs = [_with_p99_9(s, f) for s, f in enumerate(factors, start=1)]
    every = bench.pair_margins(runs, extremes=8, only=ONLY)
    few = bench.pair_margins(runs, extremes=1, only=ONLY)
    assert every["every_pair"] and not few["every_pair"] and few["pairs"] < every["pairs"]
    assert few["closest"][P99_9] == every["closest"][P99_9]
    assert few["closest"][P99_9]["seeds"] == [2, 4]


def test_the_command_reads_run_folders_and_names_a_run_that_did_not_pass(bench, tmp_path: Path, capsys) -> None:
    failed = copy.deepcopy(_report(900.0, seed=3))
    failed["verdict"] = {"outcome": "fail", "ok": False, "headline": "FAIL: recovery"}
    for r in (_report(900.0, seed=1), _report(900.0, seed=2), failed):
        _keep(tmp_path, r, 900)
    out = tmp_path / "m.json"
    assert bench.main(["--runs", str(tmp_path), "--durations", "900", "--json", str(out)]) == 0
    got = json.loads(out.read_text())["900"]
    assert got["outcomes"] == {"pass": 2, "fail": 1} and got["not_passed"][0]["seed"] == 3
    assert got["pairs"]["pairs"] == 2
    assert "not passed: seed 3: FAIL: recovery" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "words"), [
    (["--durations", "1m"], "--durations '1m': give whole positive seconds"),
    (["--durations", "0"], "--durations '0'"),
    (["--extremes", "0"], "--extremes must be at least 1"),
])
def test_bad_arguments_exit_2_naming_the_option(bench, tmp_path: Path, capsys, argv: list[str], words: str) -> None:
    assert bench.main([*argv, "--runs", str(tmp_path)]) == 2
    assert words in capsys.readouterr().err


def test_a_missing_runs_folder_exits_2_naming_it(bench, tmp_path: Path, capsys) -> None:
    assert bench.main(["--runs", str(tmp_path / "nowhere")]) == 2
    assert "--runs" in capsys.readouterr().err
