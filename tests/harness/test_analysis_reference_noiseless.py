"""Reference mode on noiseless paths: the comparison's own error, not noise, is the floor.

A clean take here is the reference through a clean path (a fractional delay, a gain, a clock a
few tens of ppm off, a band-limiting converter or none) with no noise at all, stored as a
float32 or 16-bit file would hold it. At the default options it must give no glitch: the judge's
floor follows the path model's own error and the files' quantisation, not a fixed level far under
the signal. And the floor must not have been raised by more than that: small pops and 1-frame
drops on the same noiseless takes are still found.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from harness import analysis as A
from harness import reference_compare as R
from harness.cli import main

FS = 48_000
#: (material, seed, quantisation, converter low-pass or None): seeded, spread over the materials
#: the comparison follows (wide-band noise bursts through a converter are refused at the track,
#: a verdict of its own, see test_analysis_reference.py; tone bursts have tests of their own below)
TAKES = [
    ("music", 0, "float32", None), ("music", 1, "int16", 20_000.0), ("speech", 2, "int16", 16_000.0),
    ("speech", 3, "float32", 20_000.0), ("chords", 4, "float32", None), ("chords", 5, "int16", 16_000.0),
    ("percussion", 6, "float32", 20_000.0), ("percussion", 7, "int16", None), ("bass", 8, "float32", 16_000.0),
    ("bass", 9, "int16", None), ("pluck", 10, "float32", None), ("pluck", 11, "int16", 20_000.0),
    ("glide", 12, "float32", 20_000.0), ("glide", 13, "int16", None), ("dense", 14, "float32", 16_000.0),
    ("dense", 15, "int16", 20_000.0),
]


def _quantized(x: np.ndarray, how: str) -> np.ndarray:
    if how == "int16":
        return np.clip(np.round(x * 32768.0), -32768, 32767) / 32768.0
    return x.astype(np.float32).astype(np.float64)


def _take(material: str, seed: int, how: str, lowpass: float | None) -> tuple[np.ndarray, np.ndarray]:
    """(reference, recording) as the files hold them: a noiseless path, seeded."""
    rng = np.random.default_rng(seed)
    ref = R.program_material(material, 2.5, FS, seed=seed)  # type: ignore[arg-type]
    rec = R.through_system(ref, FS, delay_frames=float(rng.uniform(100, 900)), gain=float(rng.uniform(0.3, 0.9)),
                           drift_ppm=float(rng.uniform(-80, 80)), lowpass_hz=lowpass, tail_frames=2000, seed=seed)
    return _quantized(ref, how), _quantized(rec, how)


@pytest.mark.parametrize(("material", "seed", "how", "lowpass"), TAKES,
                         ids=[f"{m}-{s}-{q}-{'lp' + str(int(lp)) if lp else 'full'}" for m, s, q, lp in TAKES])
def test_a_noiseless_clean_take_gives_no_glitch(material: str, seed: int, how: str, lowpass: float | None) -> None:
    ref, rec = _take(material, seed, how, lowpass)
    rep = R.compare_to_reference(rec, ref, FS)
    assert rep.glitches == [], [g.to_dict() for g in rep.glitches]


@pytest.mark.parametrize(("material", "seed", "how", "drop"), [("music", 0, "float32", False),
                                                                ("speech", 2, "int16", True), ("dense", 15, "int16", True)])
def test_small_pops_and_a_one_frame_drop_on_a_noiseless_take_are_still_found(material: str, seed: int,
                                                                             how: str, drop: bool) -> None:
    """The floor follows the model's error, it is not a fixed -50 dB: a pop of 0.002 (-48 dB of
    the 0.5 peak) at a loud place, and a 1-frame drop there, are found, named and placed. (On
    music-0 the drop's place is one where a 1- or 2-frame drop leaves no step the track sees, at
    the old floor too: only the pop is asked there.)"""
    ref, rec = _take(material, seed, how, 20_000.0)
    rng = np.random.default_rng(100 + seed)
    loud = np.flatnonzero(np.abs(rec) > 0.05)
    at = int(rng.choice(loud[(loud > FS // 2) & (loud < rec.size - FS // 2)]))
    cases = [(A.add_pop(rec, at, 1, 0.002), "pop")] + ([(A.drop_frames(rec, at, 1), "dropped")] if drop else [])
    for damaged, kind in cases:
        gs = R.compare_to_reference(_quantized(damaged, how), ref, FS).glitches
        assert [g.kind for g in gs] == [kind], [g.to_dict() for g in gs]
        assert abs(gs[0].start_frame - at) <= 10


def test_the_quantum_is_read_off_the_samples() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(-0.5, 0.5, 4096)
    assert R._quantum(np.round(x * 32768) / 32768) == 2.0 ** -15
    assert R._quantum(np.round(x * 2**23) / 2**23) == 2.0 ** -23
    assert R._quantum(x.astype(np.float32).astype(np.float64)) == 0.0  # float: relative rounding
    assert R._quantum(np.zeros(4096)) == 0.0  # silence lies on every grid and says nothing


def test_the_cli_at_default_options_passes_noiseless_int16_and_float_files(tmp_path: Path,
                                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """``analyze glitches REC --reference REF`` end to end: 16-bit files and float32 files of a
    noiseless take (the takes that gave false glitches at the old fixed -120 dB floor)."""
    for i, (material, seed, how, lowpass) in enumerate([TAKES[2], TAKES[0]]):
        ref, rec = _take(material, seed, how, lowpass)
        fmt = "int16" if how == "int16" else "float32"
        A.write_wav(tmp_path / f"ref{i}.wav", ref, FS, fmt)
        A.write_wav(tmp_path / f"rec{i}.wav", rec, FS, fmt)
        code = main(["analyze", "glitches", str(tmp_path / f"rec{i}.wav"), "--reference", str(tmp_path / f"ref{i}.wav")])
        assert code == 0, capsys.readouterr().out


def _long_take(seconds: int, pop_at: int) -> tuple[R.Reader, R.Reader, list[int]]:
    """A recording of ``seconds`` made on demand (nothing holds the file): seeded white noise
    blocks as the reference, the recording 1000 frames late at half the level, -80 dBFS noise,
    a 0.01 pop at ``pop_at``; and the list every recording read's length is appended to."""
    delay, blk = 1000, 4096

    def block(k: int, salt: int, scale: float) -> np.ndarray:
        return np.random.default_rng(salt * 1_000_003 + k).standard_normal(blk) * scale

    def ref_read(a: int, b: int) -> np.ndarray:
        k0, k1 = a // blk, -(-b // blk)
        return np.concatenate([block(k, 1, 0.2) for k in range(k0, k1)])[a - k0 * blk: b - k0 * blk]

    reads: list[int] = []

    def rec_read(a: int, b: int) -> np.ndarray:
        reads.append(b - a)
        out = np.zeros(b - a)
        lo = max(a, delay)
        if b > lo:
            out[lo - a:] = ref_read(lo - delay, b - delay) * 0.5
        k0, k1 = a // blk, -(-b // blk)
        out += np.concatenate([block(k, 2, 1e-4) for k in range(k0, k1)])[a - k0 * blk: b - k0 * blk]
        if a <= pop_at < b:
            out[pop_at - a] += 0.01
        return out

    return rec_read, ref_read, reads


def test_a_long_reference_comparison_reads_and_holds_a_window_not_the_file() -> None:
    """``compare_to_reference_stream`` over recordings of 5 s and 12 s made on demand: every read
    is bounded (the lock's lag block and the reference's head, or 10 s where a long broken stretch
    is classified: never the file), the peak of memory allocated does not grow with the file, and
    the analysis runs to the end (a pop 3 s before it is found, in its place).

    Discriminating at these lengths: the 12 s recording is longer than the read bound, so a read
    of the whole file fails it; the peaks are taken after a first comparison of a 1 s take (the
    first comparison in a process builds and keeps ~1.1 MB of tables, the windowed sinc's above
    all, which would otherwise fall into whichever take ran first), so they agree to ~0.1 MB, and
    the 1 MB allowed is less than a copy of the 7 s the longer recording adds would take even as
    float32 (1.3 MB; 2.7 MB as float64)."""
    import tracemalloc

    bound = (1 << 18) + 3 * FS  # the lock correlates the reference's first 1.5 s against blocks of 2**18 lags
    slack = 1_000_000
    warm_read, warm_ref, _ = _long_take(1, -1)
    R.compare_to_reference_stream(warm_read, FS, warm_ref, FS - 1000, FS, max_latency_s=1.0)
    lengths = (5, 12)
    assert lengths[1] * FS > bound and (lengths[1] - lengths[0]) * FS * 4 > slack
    peaks = []
    for seconds in lengths:
        n = seconds * FS
        pop_at = n - 3 * FS + 123
        rec_read, ref_read, reads = _long_take(seconds, pop_at)
        tracemalloc.start()
        try:
            rep = R.compare_to_reference_stream(rec_read, n, ref_read, n - 1000, FS, max_latency_s=1.0)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        assert [g.kind for g in rep.glitches] == ["pop"] and abs(rep.glitches[0].start_frame - pop_at) <= 10
        assert rep.analysed_end_frame > n - FS
        assert max(reads) <= bound
    assert peaks[1] < peaks[0] + slack, f"peak {peaks[0] / 1e6:.2f} MB at 5 s, {peaks[1] / 1e6:.2f} MB at 12 s"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tone_bursts_are_locked_by_their_envelope_and_compared(seed: int) -> None:
    """Tone bursts match themselves a carrier period away, and the lock's correlation refused
    them ("no unique match"): their envelope (onsets and gaps of random lengths) places them to
    a few frames, and the carrier's peak within that reach to a fraction of one. Clean: no
    glitch, the latency within 2 frames of the delay (the converter's group delay is in it);
    a 0.002 pop: found, in its place."""
    rng = np.random.default_rng(seed)
    ref = R.program_material("gaps", 2.5, FS, seed=50 + seed)
    delay = float(rng.uniform(200, 3000))
    rec = R.through_system(ref, FS, delay_frames=delay, gain=0.5, drift_ppm=float(rng.uniform(-100, 100)),
                           polarity=-1 if seed % 2 else 1, lowpass_hz=18_000.0, noise_rms=1e-4, tail_frames=2000,
                           seed=seed)
    rep = R.compare_to_reference(rec, ref, FS)
    assert rep.glitches == [] and abs(rep.latency_frames - delay) < 2.0, (rep.latency_frames, delay, rep.glitches)
    assert rep.polarity == (-1 if seed % 2 else 1)
    loud = np.flatnonzero(np.abs(rec) > 0.05)
    at = int(loud[loud.size // 2])
    gs = R.compare_to_reference(A.add_pop(rec, at, 1, 0.002), ref, FS).glitches
    assert [g.kind for g in gs] == ["pop"] and abs(gs[0].start_frame - at) <= 10, [g.to_dict() for g in gs]


def _dropped_burst_take(seed: int) -> tuple[np.ndarray, np.ndarray, int]:
    """(reference, recording, frame dropped at): 2 s of tone bursts through a -60 ppm clock and a
    16 kHz low-pass, gain 0.6, 9 frames dropped at a seeded loud frame, both as int16 files hold
    them (as ``bench/field_probes.py refdrop`` makes its takes)."""
    rng = np.random.default_rng([86, seed])
    ref = R.program_material("gaps", 2.0, FS, seed=100 + seed)
    rec = R.through_system(ref, FS, delay_frames=float(rng.uniform(200, 900)), gain=0.6, drift_ppm=-60.0,
                           lowpass_hz=16_000.0, tail_frames=2000, seed=200 + seed)
    loud = np.flatnonzero(np.abs(rec) > 0.05)
    loud = loud[(loud > FS // 3) & (loud < rec.size - FS // 3)]
    at = int(rng.choice(loud))
    return _quantized(ref, "int16"), _quantized(A.drop_frames(rec, at, 9), "int16"), at


@pytest.mark.parametrize("seed", [0, 15])
def test_a_drop_inside_the_lock_of_tone_bursts_that_would_lock_an_alias_is_refused_not_reported(seed: int) -> None:
    """9 frames dropped inside the first 1.5 s of tone bursts split the carrier's true peak in two:
    the lock took an alias of one burst's carrier (a period, 53 frames, off on seed 0; 1395 frames
    off on seed 15) and the comparison reported damage that is not there (mutes of thousands of
    frames). Refused, no list of glitches: as not aligned (the envelopes, read around the lock,
    place the bursts elsewhere), or, where the carrier's rival lies within its reach of the peak
    the envelope lock picked (seed 0: 47 frames off, at 1.11 of it), as a peak split in two."""
    ref, rec, _ = _dropped_burst_take(seed)
    with pytest.raises(A.AnalysisError, match=r"cannot align .*low confidence.*envelopes match best.*alias|"
                                              r"inconclusive: .*no unique match.*peaks twice"):
        R.compare_to_reference(rec, ref, FS)


@pytest.mark.parametrize("seed", [1, 17])
def test_a_drop_in_tone_bursts_locked_right_is_still_found(seed: int) -> None:
    """The same takes where the lock is right (seed 17's drop lies inside the lock's 1.5 s too):
    the check of the lock lets them through and the drop is found, named and placed."""
    ref, rec, at = _dropped_burst_take(seed)
    gs = R.compare_to_reference(rec, ref, FS).glitches
    assert [(g.kind, g.size_frames) for g in gs] == [("dropped", 9)], [g.to_dict() for g in gs]
    assert abs(gs[0].start_frame - at) <= 10


def _late_drop_burst_take(seed: int, frames: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(reference, clean recording, damaged recording, frame dropped at): 6 s of tone bursts
    through a -60 ppm clock and a 16 kHz low-pass, gain 0.6, ``frames`` dropped at a seeded loud
    frame 2.5-5 s in (past the lock's 1.5 s head), as int16 files hold them."""
    rng = np.random.default_rng([90, seed])
    ref = R.program_material("gaps", 6.0, FS, seed=500 + seed)
    rec = R.through_system(ref, FS, delay_frames=float(rng.uniform(200, 900)), gain=0.6, drift_ppm=-60.0,
                           lowpass_hz=16_000.0, tail_frames=2000, seed=600 + seed)
    loud = np.flatnonzero(np.abs(rec) > 0.05)
    loud = loud[(loud > int(2.5 * FS)) & (loud < int(5 * FS))]
    at = int(rng.choice(loud))
    return (_quantized(ref, "int16"), _quantized(rec, "int16"), _quantized(A.drop_frames(rec, at, frames), "int16"),
            at)


@pytest.mark.parametrize("seed", [0, 1, 2, 4, 5])
def test_a_long_drop_in_tone_bursts_past_the_lock_that_leaves_the_track_on_an_alias_is_refused(seed: int) -> None:
    """150 frames dropped inside a tone burst 2.5-5 s in, past the head the lock is checked on:
    more than the track's narrow search, so the line after it followed one burst's carrier to an
    alias (the drop read as a ``dropped`` of 78 or a ``repeated`` of 8-110, or not at all) and
    every burst after it was compared there: mutes of thousands of frames, pops and steps that
    were not there (36 such glitches in these six takes). The envelopes, read along the track, place the bursts elsewhere, where the
    carrier matches 0.96-1.00 against 0.35-0.54 on the line: refused as not followed, no list of
    glitches. The undamaged take is compared, no glitch; 9 frames dropped at the same place are
    found as before (``dropped`` of 9, in place)."""
    ref, clean, rec, at = _late_drop_burst_take(seed, 150)
    with pytest.raises(A.AnalysisError, match=r"cannot follow .*low confidence.*track places .*envelopes match best"):
        R.compare_to_reference(rec, ref, FS)
    assert R.compare_to_reference(clean, ref, FS).glitches == []
    _, _, small, _ = _late_drop_burst_take(seed, 9)
    gs = R.compare_to_reference(small, ref, FS).glitches
    assert [(g.kind, g.size_frames) for g in gs] == [("dropped", 9)] and abs(gs[0].start_frame - at) <= 10, \
        [g.to_dict() for g in gs]


def test_a_long_drop_in_tone_bursts_the_stretched_reference_follows_is_found_in_place() -> None:
    """Seed 3 of the takes above: compared against the reference stretched by the clock's -60 ppm
    the track reads (above the 50 ppm a stretch needs), the line after the 150-frame drop stays on
    the burst's carrier, not an alias, and the drop is found, whole and in place, with nothing
    else; the clean take still reads no glitch."""
    ref, clean, rec, at = _late_drop_burst_take(3, 150)
    gs = R.compare_to_reference(rec, ref, FS).glitches
    assert [(g.kind, g.size_frames, g.start_frame) for g in gs] == [("dropped", 150, at)], [g.to_dict() for g in gs]
    assert R.compare_to_reference(clean, ref, FS).glitches == []


def test_evenly_repeating_tone_bursts_are_refused_at_the_lock_say_why_and_what_to_play_instead() -> None:
    """One tone in bursts of one length at one spacing, the recording holding two more of them
    before the reference's first (a loop played on): the carrier matches itself a period away
    and the envelope a burst away, nothing tells the places apart. Refused (inconclusive, not a
    verdict: the envelope's best lag alone is the earliest burst, 0.6 s off), and the message
    says what material gives one."""
    t = np.arange(int(2.5 * FS)) / FS
    ref = 0.5 * np.sin(2 * np.pi * 1000 * t) * ((t % 0.3) < 0.2)
    played = np.concatenate((ref[: int(0.6 * FS)], ref))  # 0.6 s: two whole bursts and gaps
    rec = R.through_system(played, FS, delay_frames=612.3, gain=0.5, noise_rms=1e-4, tail_frames=2000, seed=3)
    with pytest.raises(A.AnalysisError, match="no unique match.*steady tones.*repeat evenly.*music, speech"):
        R.compare_to_reference(rec, ref, FS)


@pytest.mark.parametrize(("rate", "fmt", "polarity"), [(8_000, "int16", -1), (22_050, "int24", 1),
                                                       (96_000, "float32", -1), (192_000, "int32", 1)])
def test_the_cli_reference_mode_at_8_to_192_khz_in_every_format_and_polarity(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], rate: int, fmt: str, polarity: int) -> None:
    """``analyze glitches REC --reference REF`` on files of each integer width and float, from 8 to
    192 kHz, through an inverting path or not: the clean take passes (exit 0) with the polarity
    reported, and a 0.003 pop added to it is the one glitch, in its place (exit 1)."""
    import json

    ref = R.program_material("music", min(2.0, 96_000 / rate), rate, seed=3)  # 96 000 frames at the most
    rec = R.through_system(ref, rate, delay_frames=123.4 * rate / 48_000, gain=0.6, drift_ppm=30.0,
                           polarity=polarity, noise_rms=1e-4, tail_frames=rate // 20, seed=1)
    loud = np.flatnonzero(np.abs(rec) > 0.05)
    at = int(loud[loud.size // 2])
    A.write_wav(tmp_path / "ref.wav", ref, rate, fmt)
    for name, take, code in (("clean", rec, 0), ("pop", A.add_pop(rec, at, 1, 0.003), 1)):
        A.write_wav(tmp_path / f"{name}.wav", take, rate, fmt)
        capsys.readouterr()
        assert main(["analyze", "glitches", str(tmp_path / f"{name}.wav"), "--reference", str(tmp_path / "ref.wav")]) == code
        out = json.loads(capsys.readouterr().out)
        assert out["polarity"] == polarity
        assert [abs(g["start_frame"] - at) <= 10 for g in out["glitches"]] == ([True] if code else [])


@pytest.mark.parametrize(("material", "seed"), [("glide", 13), ("chords", 5), ("music", 1)])
def test_a_reference_file_whose_rounding_was_played_is_fitted_as_it_is(material: str, seed: int) -> None:
    """The 16-bit reference file itself played (its rounding is in the recording, through the
    path): the reference's rounding is signal, and removing its share from the fit (as for a
    reference stored coarser than what was played) would overshoot, a filter too large where
    only that rounding excites it. Both kinds of take are clean."""
    rng = np.random.default_rng(seed)
    ref = _quantized(R.program_material(material, 2.5, FS, seed=seed), "int16")  # type: ignore[arg-type]
    kw = dict(delay_frames=float(rng.uniform(100, 900)), gain=float(rng.uniform(0.3, 0.9)),
              drift_ppm=float(rng.uniform(-80, 80)), tail_frames=2000, seed=seed)
    rec = _quantized(R.through_system(ref, FS, **kw), "int16")  # type: ignore[arg-type]
    rep = R.compare_to_reference(rec, ref, FS)
    assert rep.glitches == [], [g.to_dict() for g in rep.glitches]


def _program_take(kind: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(reference, recording) as a program run compares them (``harness.program``): 3 s of one
    kind, the reference's first frame 64 frames into the recording, one clock, gain 0.5."""
    ref = R.program_material(kind, 3.0, FS, seed=300 + seed)  # type: ignore[arg-type]
    return ref, R.through_system(ref, FS, delay_frames=64.0, gain=0.5, noise_rms=1e-5, seed=seed)


def _with_lock(ref: np.ndarray, rec: np.ndarray, lock: float) -> R.ReferenceReport:
    """The comparison as ``ProgramJudge._compare`` calls it, with a caller's ``lock``."""
    return R.compare_to_reference_stream(lambda a, b: rec[a:b], rec.size, lambda a, b: ref[a:b], ref.size, FS,
                                         max_latency_s=0.25, window_s=0.5, max_glitches=10_000, recursive_taps=4,
                                         floor_db=-50.0, one_clock=True, lock=lock)


@pytest.mark.parametrize(("seed", "off", "refusal"), [
    (0, 40.0, "cannot align"), (0, 740.0, "cannot align"), (1, -200.0, "cannot align"), (1, 1710.0, "cannot align"),
    (2, 40.0, "cannot align"), (2, 1914.0, "cannot align")])
def test_a_callers_wrong_lock_on_tone_bursts_is_refused_and_a_right_one_gives_nothing(
        seed: int, off: float, refusal: str) -> None:
    """A caller's ``lock=`` (a program run's search of the loop) was taken as given: neither the
    head nor the track was checked. Tone bursts locked 40 or 200 frames off, or at the head's own
    alias (740, 1710, 1914 frames: the carrier's strongest match of itself within 3000), were
    followed to an alias and compared there: 4-8 false pops, mutes and ``other``s a take (seed 1
    at -200 and 1710 read clean, 228.5 and 1249.9 frames off). Checked as the comparison's own
    lock, at the head where the track's first line (before any merge) took it and along the
    track, each is refused as not aligned; the right lock gives nothing. (The alias 1914 frames
    off was refused along the track only while the lock was checked on the merged first line,
    which the points after the head had put right.)"""
    ref, rec = _program_take("gaps", seed)
    rep = _with_lock(ref, rec, 64.0)
    assert rep.glitches == [] and abs(rep.latency_frames - 64.0) < 0.5, [g.to_dict() for g in rep.glitches]
    with pytest.raises(A.AnalysisError, match=rf"{refusal} .*low confidence.*envelopes match best"):
        _with_lock(ref, rec, 64.0 + off)


@pytest.mark.parametrize(("kind", "far"), [("music", "cannot align"), ("speech", None), ("chords", None),
                                           ("percussion", None), ("gaps", "cannot align")])
def test_a_callers_lock_a_little_off_is_put_right_and_one_far_off_is_never_a_false_glitch(
        kind: str, far: str | None) -> None:
    """A lock 3 frames off is put right by the track (no glitch, latency within half a frame,
    tone bursts too). One 1500 frames off, past the track's search, was followed there on music
    (587 frames off, 2 false pops) and tone bursts (133 frames off, 4 false glitches): each is
    refused now; speech, chords and percussion find their material again (no glitch, latency
    within half a frame), as before."""
    ref, rec = _program_take(kind, 0)
    rep = _with_lock(ref, rec, 67.0)
    assert rep.glitches == [] and abs(rep.latency_frames - 64.0) < 0.5, [g.to_dict() for g in rep.glitches]
    if far is None:
        rep = _with_lock(ref, rec, 1564.0)
        assert rep.glitches == [] and abs(rep.latency_frames - 64.0) < 0.5, [g.to_dict() for g in rep.glitches]
    else:
        with pytest.raises(A.AnalysisError, match=rf"{far} .*low confidence"):
            _with_lock(ref, rec, 1564.0)
