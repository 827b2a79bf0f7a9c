"""``bench/analysis_replay.py`` replays recorded takes and weighs them as it says.

The fixed-cost-a-take fit must recover a known line (it bounds what analysing a ring's
stretches in one call could save); a replay of two takes must give the same answers every
round and print the fit; a folder that is not there, a take that cannot be read and a part
that is no analysis function each exit 2 naming it, never a traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from bench_scripts import load_bench_script
from harness.analysis import sine


def _save_take(folder: Path, index: int, samples: np.ndarray) -> None:
    np.savez(folder / f"take-{index:04d}.npz", samples=samples, block_power=np.zeros(0), has_power=False,
             meta=json.dumps({"sample_rate": 48_000, "frequency_hz": 997.0, "measure_levels": False,
                              "frequency_known": True}))


def test_the_fit_recovers_a_fixed_cost_a_take_and_a_cost_a_frame() -> None:
    replay = load_bench_script("analysis_replay.py", "bench_analysis_replay_fit")
    frames = np.array([10_000, 40_000, 90_000, 200_000])
    fixed, per_frame = replay.fixed_and_per_frame(frames, 9e-4 + 2e-8 * frames)
    assert fixed == pytest.approx(9e-4, rel=1e-9)
    assert per_frame == pytest.approx(2e-8, rel=1e-9)


def test_a_replay_answers_alike_each_round_and_fits_its_takes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    replay = load_bench_script("analysis_replay.py", "bench_analysis_replay_run")
    tone = sine(997.0, 0.5, 48_000, amplitude=0.5).astype(np.float32)
    _save_take(tmp_path, 0, tone)
    _save_take(tmp_path, 1, np.concatenate((tone, tone)))
    assert replay.main(["replay", str(tmp_path), "--rounds", "2", "--per-take", "--parts", "_fine_events"]) == 0
    out = capsys.readouterr().out
    answers = re.findall(r"answers ([0-9a-f]{16})", out)
    assert len(answers) == 2 and answers[0] == answers[1]
    assert "ms a take +" in out and "_fine_events:" in out


@pytest.mark.parametrize("case", ["no folder", "unreadable take", "unknown part"])
def test_bad_input_exits_2_naming_it(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    replay = load_bench_script("analysis_replay.py", "bench_analysis_replay_bad")
    args = ["replay", str(tmp_path / "no_such")]
    named = "no_such"
    if case == "unreadable take":
        (tmp_path / "take-0000.npz").write_text("not a take")
        args, named = ["replay", str(tmp_path)], str(tmp_path)
    elif case == "unknown part":
        args, named = ["replay", str(tmp_path), "--parts", "no_such_function"], "no_such_function"
    assert replay.main(args) == 2
    err = capsys.readouterr().err
    assert named in err and "Traceback" not in err
