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
    # a large pop's band-limited ringing stays under the floor, which follows the path model's
    # own error at the local level (``reference_compare._MODEL_FLOOR``): a pop, at every size
    assert [g.kind for g in res.glitches] == ["pop"]
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
    # the seam itself is heard, where it is (the new stream's chain starts from rest: its first
    # frames follow neither alignment well): the program jumped back to its top, which in a loop
    # is as far forward as the rest of the loop (the shorter way is named)
    size = prog.at(FS).size
    seam = [g for g in res.glitches if abs(g.start_frame - restart) <= 128]
    assert len(seam) == 1 and min(abs(seam[0].size - restart), abs(seam[0].size - (size - restart))) <= 64 \
        and seam[0].kind == ("repeated" if restart < size // 2 else "dropped"), \
        [(g.kind, g.start_frame, g.size) for g in res.glitches]


def test_a_restart_after_a_short_gap_is_heard_at_the_gap(music):
    # a recovery's new stream: 128 frames of nothing (less than a silent block), then the program
    # from its top. Each side matched its own alignment; the seam between them was compared by
    # neither, and the window of the fault was left with a counted gap nobody heard
    prog, played, y = music
    restart = 140_544
    fresh = _through_chain(played[: y.size - restart - 128])
    joined = np.concatenate((y[:restart], np.zeros(128, np.float32), fresh))
    res = _judge(prog, joined)
    near = [g for g in res.glitches if restart - 64 <= g.start_frame <= restart + 192]
    assert near and all(abs(g.start_frame - restart) < 2 * 16384 for g in res.glitches), \
        [(g.kind, g.start_frame, g.size) for g in res.glitches]


def test_a_jump_to_where_the_program_repeats_itself_is_no_seam(tmp_path):
    # a program of two identical halves: aligned one half off, the sound compares the same, so a
    # jump between the copies is no damage and must not be called one; a jump elsewhere is
    half = program_material("music", 3.0, FS, seed=7)
    p = tmp_path / "twice.wav"
    write_wav(p, np.concatenate((half, half)), FS)
    prog = load_program(p, FS)
    loop = prog.at(FS)
    y = _through_chain(np.concatenate((loop, loop[: 2 * FS])))
    judge = ProgramJudge(prog)
    pa = judge._locate(y[:40_000].astype(np.float64), 0)  # frame 0's place: the chain delays a little
    for skip in (3 * FS, FS // 3):
        jumped = np.concatenate((y[:100_000], y[100_000 + skip:]))
        seam = judge._seam(jumped, 0, pa, 110_000, (pa + 110_000 + skip) % loop.size, 0, 200_000)
        if skip == 3 * FS:
            assert seam is None  # the other copy: the same sound
        else:
            assert seam is not None and seam[1] == skip and abs(seam[0] - 100_000) <= 16, seam
    assert judge._seam(y, 0, pa, 110_000, pa + 110_000, 0, 200_000) is None  # no jump at all


def test_a_mute_at_a_recordings_start_is_not_widened_before_it():
    # the comparison widens a mute over the silence around its burst; before the recording's
    # first frame its reader pads with zeros, which widened a 128-frame mute at a stretch's start
    # half a second back (out of its fault window, a mute outside every window)
    rng = np.random.default_rng(0)
    rec = 0.1 * rng.standard_normal(20_000)
    rec[:128] = 0.0

    def read(a: int, b: int) -> np.ndarray:
        out = np.zeros(b - a)
        lo, hi = max(a, 0), min(b, rec.size)
        out[lo - a:hi - a] = rec[lo:hi]
        return out

    from harness.reference_compare import _classify
    gs = _classify([(0, 129, 0.1, 100, False, False)], [], [(0, 20_000, 0.0, 0.0)], [0, 20_000], read, read, 1, FS, 1e-4)
    assert [(g.kind, g.start_frame) for g in gs] == [("mute", 0)]


def _speech_pause(tmp_path: Path) -> tuple[Any, np.ndarray, int, int]:
    """Speech through the chain (its loop and a second of it again) and its longest pause away
    from the ends: the program, the output, the pause's first and end frame."""
    prog = load_program(_program(tmp_path, "speech", 6.0, seed=2), FS)
    loop = prog.at(FS)
    y = _through_chain(np.concatenate((loop, loop[:FS])))
    p0, p1, _ = max((r for r in _runs(y) if r[2] and r[0] > 20_000 and r[1] < y.size - 20_000),
                    key=lambda r: r[1] - r[0])
    return prog, y, p0, p1


def test_a_silence_from_a_pause_into_speech_is_a_mute_from_where_the_speech_was(tmp_path):
    # a silence that begins in the program's own pause and runs on (a fault's lost frames) is a
    # mute where the program sounded only: called a mute from the pause's start, its first part
    # fell before the fault's window, a mute outside every window
    prog, y, p0, p1 = _speech_pause(tmp_path)
    assert p1 - p0 >= 4096  # a real pause
    bad = y.copy()
    bad[p1:p1 + 8000] = 0.0  # the first 8000 frames of the speech after it
    res = ProgramJudge(prog).judge_chunk(bad, 0, _runs(bad))
    assert res.mutes and all(a >= p1 - 512 for a, _ in res.mutes), (p0, p1, res.mutes)
    assert any(b >= p1 + 6000 for _, b in res.mutes)


def test_frames_added_inside_a_pause_are_heard_as_the_program_moving(tmp_path):
    # a device gap of 1024 frames in a pause of speech: nothing audible is lost, but the words
    # after it come 1024 frames late. It was not heard (the window of its counted gap was left
    # unexplained); the sounds on either side no longer share an alignment
    prog, y, p0, p1 = _speech_pause(tmp_path)
    mid = (p0 + p1) // 2
    bad = np.concatenate((y[:mid], np.zeros(1024, np.float32), y[mid:]))[: y.size]
    res = ProgramJudge(prog).judge_chunk(bad, 0, _runs(bad))
    assert [(g.kind, abs(g.size - 1024) <= 2, g.start_frame <= mid < g.end_frame) for g in res.glitches] == \
        [("inserted_silence", True, True)], [(g.kind, g.start_frame, g.end_frame, g.size) for g in res.glitches]
    assert res.mutes == []


@pytest.mark.parametrize("kind", ["gaps", "speech"])
def test_healthy_pauses_between_bursts_are_no_move(tmp_path, kind):
    # tone bursts are located a period off now and then: a step between two bursts' places is the
    # alias, and one alignment explains both sides
    prog = load_program(_program(tmp_path, kind, 6.0, seed=1), FS)
    loop = prog.at(FS)
    y = _through_chain(np.concatenate((loop, loop[: 2 * FS])))
    res = _judge(prog, y)
    assert res.glitches == [] and res.mutes == [], [(g.kind, g.start_frame, g.size) for g in res.glitches]


def _popping_at(block_no: int) -> Any:
    """A system whose chain adds a 0.2 spike to its ``block_no``-th block: a pop of its own."""
    from system_under_test import AudioSystem
    from system_under_test.dsp import Stage

    class _Pop(Stage):
        kind = "pop"

        def __init__(self) -> None:
            self.n = 0

        def process(self, block: np.ndarray) -> np.ndarray:
            self.n += 1
            if self.n == block_no:
                block[100, :] += np.float32(0.2)
            return block

    class _Popping(AudioSystem):
        def _build(self, *args: Any, **kw: Any) -> Any:
            built = super()._build(*args, **kw)
            if self._pipeline is not None:
                self._pipeline.chain.add_stage(_Pop())
            return built

    return _Popping


def test_a_glitch_just_before_a_window_that_lost_frames_is_a_doubt_not_a_failure(tmp_path):
    """Found on music at seed 6 (default faults, 31 s): a buffer exhaustion at 30.646 s repeated
    16 896 frames; the judge fits its alignment over half a second (``program.WINDOW_S``), and
    the step inside that fit raised its error 60 ms before the window: a "pop" outside every
    window failed a healthy run. A glitch that close before a window that lost or added frames
    is a doubt (inconclusive). Built here without thread storms, so the history is the same on
    every machine: a glitch of the chain's own 0.3 s before a buffer exhaustion that repeats
    frames (the fault waits out the start's 1 s steady-state window: scheduled at ``t - 1``)."""
    from harness.faults import BufferExhaustion, Schedule  # noqa: PLC0415

    prog = _program(tmp_path, "music", 8.0, seed=3)
    block_no = 700
    t_pop = block_no * 256 / FS
    run = ReliabilityRun(RunSpec(duration_s=8.0, seed=1, faults="none", program=prog, run_dir=tmp_path / "run"),
                         system_factory=_popping_at(block_no))
    run.schedule = Schedule.fixed([(t_pop + 0.3 - 1.0, BufferExhaustion(duration_s=0.2))])
    result = run.execute(reports=False)
    verdict = next(v for v in result.verdicts if v.name == "clean_audio")
    audio = result.summary["audio"]
    (window,) = [w for w in audio["windows"]["items"] if w["label"] == "buffer_exhaustion"]
    assert 0 < window["start"] - t_pop < 0.5 and window["frames_inserted"] > 0, window
    assert verdict.inconclusive and verdict.ok, verdict
    assert audio["outside"]["by_kind"] == {"pop": 1}, audio["outside"]
    assert "before a window's step (1)" in verdict.message


def test_a_pop_far_from_every_window_still_fails_in_program_mode(tmp_path):
    prog = _program(tmp_path, "music", 8.0, seed=3)
    _, verdict, audio = _run(tmp_path, prog, seed=1, duration=6.0, factory=_popping_at(700))
    assert not verdict.ok and not verdict.inconclusive, verdict
    assert set(audio["outside"]["by_kind"]) == {"pop"}, audio["outside"]
