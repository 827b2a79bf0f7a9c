"""Program material inside runs: ``run --program FILE.wav`` plays a user's file through the system
and judges the output against it (``harness.program``), on the simulated device."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from harness import ReliabilityRun, RunSpec, system_factory
from harness.analysis import write_wav
from harness.cli import main
from harness.errors import WavFileError
from harness.program import PROGRAM_PEAK, ProgramJudge, load_program
from harness.reference_compare import program_material
from system_under_test.clock import VirtualClock
from system_under_test.config import AudioConfig
from system_under_test.devices.simulated import SimulatedBackend
from system_under_test.devices.base import StreamSpec
from system_under_test.dsp import DspChain

FS = 48_000


def _program(tmp_path: Path, kind: str = "music", seconds: float = 4.0, rate: int = FS, seed: int = 0,
             name: str | None = None) -> Path:
    p = tmp_path / (name or f"{kind}-{seed}-{rate}.wav")
    write_wav(p, program_material(kind, seconds, rate, seed=seed), rate)
    return p


def _run(tmp_path: Path, program: Path, *, seed: int = 1, duration: float = 6.0, faults: str = "none",
         factory: Any = None) -> tuple[Any, Any, dict[str, Any]]:
    spec = RunSpec(duration_s=duration, seed=seed, faults=faults, program=program,
                   run_dir=tmp_path / f"run-{seed}-{faults}")
    result = ReliabilityRun(spec, **({"system_factory": factory} if factory else {})).execute(reports=False)
    verdict = next(v for v in result.verdicts if v.name == "clean_audio")
    return result, verdict, result.summary["audio"]


# -- the file -------------------------------------------------------------------------------------


def test_a_program_is_mixed_to_mono_and_played_at_the_sines_level(tmp_path):
    x = program_material("music", 3.0, FS, seed=1)
    p = tmp_path / "stereo.wav"
    write_wav(p, np.stack([0.2 * x, 0.2 * x], axis=1), FS, "int16")
    prog = load_program(p, FS)
    assert prog.samples.size == x.size and prog.sample_rate == FS
    assert float(np.max(np.abs(prog.samples))) == pytest.approx(PROGRAM_PEAK, rel=1e-6)
    assert np.corrcoef(prog.samples, x)[0, 1] > 0.9999
    loop = prog.at(44_100)  # a device rate change: resampled, one loop's worth
    assert loop.size == round(x.size * 44_100 / FS)


def _silent(tmp_path: Path) -> Path:
    p = tmp_path / "silent.wav"
    write_wav(p, np.zeros(3 * FS), FS)
    return p


def _not_wav(tmp_path: Path) -> Path:
    p = tmp_path / "notes.wav"
    p.write_text("not audio")
    return p


@pytest.mark.parametrize("make, says", [
    (lambda d: d / "missing.wav", "no such file; check the path"),
    (lambda d: d, "is a directory"),
    (_not_wav, "not a readable WAV file"),
    (lambda d: _program(d, rate=44_100), "resample the file to 48000 Hz"),
    (lambda d: _program(d, seconds=1.0), "at least 2 s"),
    (lambda d: _program(d, seconds=61.0, kind="dense"), "at most 60 s"),
    (_silent, "is silent"),
])
def test_a_program_that_cannot_be_played_is_refused_naming_the_file_and_the_fix(tmp_path, make, says):
    path = make(tmp_path)
    with pytest.raises(WavFileError) as err:
        load_program(path, FS)
    assert str(path) in str(err.value) and says in str(err.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_an_unreadable_program_is_refused(tmp_path):
    p = _program(tmp_path)
    p.chmod(0)
    try:
        with pytest.raises(WavFileError) as err:
            load_program(p, FS)
        assert str(p) in str(err.value)
    finally:
        p.chmod(0o600)


@pytest.mark.parametrize("command", ["run", "soak"])
def test_the_cli_refuses_a_wrong_rate_program_with_exit_2_before_any_run_folder(tmp_path, capsys, command):
    p = _program(tmp_path, rate=44_100)
    reports = tmp_path / "reports"
    args = [command, "--report-dir", str(reports), "--duration", "5", "--program", str(p)]
    if command == "soak":
        args.append("--no-progress")
    assert main(args) == 2
    err = capsys.readouterr().err
    assert str(p) in err and "44100 Hz" in err and "Traceback" not in err
    assert not reports.exists()


def test_portaudio_cannot_play_a_program(tmp_path):
    p = _program(tmp_path)
    with pytest.raises(Exception) as err:
        ReliabilityRun(RunSpec(backend="portaudio", device="x", program=p, duration_s=5))
    assert "--program" in str(err.value) and getattr(err.value, "exit_code", None) == 2


def test_the_simulated_device_loops_the_program(tmp_path):
    prog = load_program(_program(tmp_path, seconds=2.5), FS)
    backend = SimulatedBackend(VirtualClock(), noise_dbfs=-200)
    backend.program = prog.at
    table = backend.test_signal(FS, 2)
    n = prog.samples.size
    assert table.shape == (n + 8192, 2)
    np.testing.assert_allclose(table[:n, 0], prog.samples, atol=1e-7)
    np.testing.assert_allclose(table[n:, 1], prog.samples[:8192], atol=1e-7)  # the wrap margin: the loop's top
    assert SimulatedBackend(VirtualClock()).test_signal(FS, 2).shape == (FS + 8192, 2)  # the sine: unchanged


# -- the judge, on the default chain's output --------------------------------------------------------


def _through_chain(x: np.ndarray) -> np.ndarray:
    """``x`` through the system's default DSP chain, block by block, as the device plays it."""
    chain = DspChain.from_config(AudioConfig().dsp, FS, 256, 2)
    inp = np.repeat(x[:, None], 2, axis=1).astype(np.float32)
    inp += 1e-5 * np.random.default_rng(0).standard_normal(inp.shape).astype(np.float32)
    n = inp.shape[0] // 256 * 256
    return np.concatenate([chain.process(inp[i:i + 256].copy()) for i in range(0, n, 256)])[:, 0]


def _runs(y: np.ndarray, block: int = 256) -> list[tuple[int, int, bool]]:
    """The silent/sounding runs of 256-frame blocks, as ``AudioCheck`` cuts them (-75 dBFS)."""
    nb = y.size // block
    ms = np.mean(y[: nb * block].reshape(nb, block).astype(np.float64) ** 2, axis=1)
    silent = ms < 10 ** (-75 / 10)
    edges = np.flatnonzero(np.diff(silent.astype(np.int8))) + 1
    b = np.concatenate(([0], edges, [nb])) * block
    return [(int(p), int(q), bool(silent[p // block])) for p, q in zip(b[:-1], b[1:])]


@pytest.fixture(scope="module")
def music(tmp_path_factory) -> Any:
    d = tmp_path_factory.mktemp("prog")
    prog = load_program(_program(d, "music", 6.0, seed=3), FS)
    loop = prog.at(FS)
    played = np.concatenate((loop, loop[: 2 * FS]))  # 8 s: across the loop's seam
    return prog, played, _through_chain(played)


def _judge(prog: Any, y: np.ndarray) -> Any:
    return ProgramJudge(prog).judge_chunk(y, 0, _runs(y))


def test_the_clean_output_of_the_default_chain_shows_no_glitch_across_the_loops_seam(music):
    prog, _, y = music
    res = _judge(prog, y)
    assert res.glitches == [] and res.mutes == [] and res.notes == []
    assert sum(b - a for a, b in res.analysed) > 0.95 * y.size


def test_a_dropped_run_and_a_mute_are_found_where_they_happened(music):
    prog, _, y = music
    bad = np.concatenate((y[:100_000], y[100_009:]))  # 9 frames dropped
    bad[250_000:250_512] = 0.0  # a 512-frame mute
    res = _judge(prog, bad)
    kinds = {g.kind for g in res.glitches}
    assert any(g.kind == "dropped" and abs(g.start_frame - 100_000) < 300 and g.size == 9 for g in res.glitches), kinds
    assert any(abs(a - 250_000) <= 256 and b - a >= 256 for a, b in res.mutes) or \
        any(abs(g.start_frame - 250_000) < 600 for g in res.glitches)
    assert all(abs(g.start_frame - 100_000) < 300 or abs(g.start_frame - 250_000) < 600 for g in res.glitches)


@pytest.mark.parametrize("amplitude", [0.02, -0.02, 0.5])
def test_a_one_sample_pop_is_found_where_it_is(music, amplitude):
    prog, _, y = music
    bad = y.copy()
    bad[200_000] += amplitude
    res = _judge(prog, bad)
    # a large pop's residual, band-limited to the path's band, outlasts a millisecond: "other"
    assert [g.kind for g in res.glitches] == (["pop"] if abs(amplitude) < 0.1 else ["other"])
    assert res.glitches[0].start_frame - 30 <= 200_000 < res.glitches[0].end_frame + 10


def test_a_restart_from_the_programs_top_is_cut_there_and_judged_on_both_sides(music):
    prog, played, y = music
    restart = 150_016  # a new stream plays the program from its top, with no silence between
    fresh = _through_chain(played[: y.size - restart])
    joined = np.concatenate((y[:restart], fresh))
    res = _judge(prog, joined)
    assert res.notes == []
    assert all(abs(g.start_frame - restart) < 2 * 16384 for g in res.glitches)  # the seam only
    assert sum(b - a for a, b in res.analysed) > 0.9 * joined.size  # both sides compared


def test_a_pause_in_speech_is_not_a_mute_but_silence_where_it_speaks_is(tmp_path):
    prog = load_program(_program(tmp_path, "speech", 6.0, seed=2), FS)
    loop = prog.at(FS)
    y = _through_chain(np.concatenate((loop, loop[:FS])))
    runs = _runs(y)
    assert sum(1 for *_, s in runs if s) >= 3  # it has pauses
    res = ProgramJudge(prog).judge_chunk(y, 0, runs)
    assert res.mutes == [] and res.glitches == []
    loud = max((r for r in runs if not r[2] and r[0] > 20_000), key=lambda r: r[1] - r[0])[0]
    bad = y.copy()
    bad[loud + 4000: loud + 8000] = 0.0
    res = ProgramJudge(prog).judge_chunk(bad, 0, _runs(bad))
    assert any(a <= loud + 4096 and b >= loud + 7936 for a, b in res.mutes)


# -- runs -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind, seed", [("music", 1), ("music", 2), ("speech", 3), ("dense", 4)])
def test_a_healthy_run_with_program_material_is_clean(tmp_path, kind, seed):
    p = _program(tmp_path, kind, 4.0, seed=seed)
    result, verdict, audio = _run(tmp_path, p, seed=seed)
    assert verdict.ok and not verdict.inconclusive, verdict.message
    assert audio["outside"]["glitches"] == 0 and audio["glitches"]["total"] <= 1  # at most the start's
    assert audio["signal"]["program"]["path"] == str(p) and audio["signal"]["frequency_hz"] is None
    assert audio["frames"]["analysed"] > 0.5 * audio["frames"]["timeline"]
    assert result.spec.to_dict()["program"] == str(p)


def test_a_faulted_run_with_program_material_hears_the_damage_inside_the_windows(tmp_path):
    p = _program(tmp_path, "music", 8.0, seed=1)
    _, verdict, audio = _run(tmp_path, p, seed=1, duration=20.0, faults="default")
    assert verdict.ok and not verdict.inconclusive, verdict.message
    assert audio["outside"]["glitches"] == 0
    assert audio["frames"]["device_gap"] > 0 and audio["glitches"]["by_window"].get("fault", 0) >= 10
    gaps = [w for w in audio["windows"]["items"] if w["device_gap_frames"]]
    assert gaps and all(w["glitches"] for w in gaps)  # every device gap was heard


def test_a_ring_that_loses_frames_is_caught_with_program_material(tmp_path):
    p = _program(tmp_path, "music", 4.0, seed=5)
    _, verdict, audio = _run(tmp_path, p, factory=system_factory("ring_loses_frame"))
    assert not verdict.ok
    assert audio["outside"]["by_kind"].get("dropped", 0) > 0 and "outside any fault window" in verdict.message
