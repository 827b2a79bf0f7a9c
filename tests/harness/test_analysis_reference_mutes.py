"""Mutes of program material found and named against the reference, 1 ms and up, at 44.1-96 kHz.

The takes are ``bench/bench_mute_grid.py``'s (its seeds, places and path, rebuilt here so the
test does not import the bench): 2 s of seeded music muted at a loud place 0.5-1.8 s in, through
a fractional delay, a clock 40 ppm off, gain 0.5 with a 10 % AGC and a converter's low-pass at
0.35 fs, into an int16 file ("noiseless") or under -80 / -50 dBFS of noise. Every take is
deterministic (seeded), so each parameter is one fixed recording.
"""

from __future__ import annotations

import numpy as np
import pytest

from harness import analysis as A
from harness import reference_compare as R
from harness.reference_compare import compare_to_reference

PATHS = ("noiseless", "-80", "-50")
SIGNALS = ("music", "chords", "gaps", "glide", "noise_bursts")
MUTES_MS = (1.0, 2.5, 5.0, 20.0)
NOISE_RMS = {"noiseless": 0.0, "-80": 1e-4, "-50": 10 ** (-50 / 20)}
PLACE = 10  # frames: how close a mute's reported start must be to its first muted frame


def _int16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x * 32768.0), -32768, 32767) / 32768.0


def _take(fs: int, noise: str, mute_ms: float | None, seed: int,
          signal: str = "music") -> tuple[np.ndarray, np.ndarray, float, int]:
    """The recording, the reference, the mute's first recorded frame and its length (frames; 0
    and no mute for ``mute_ms`` None)."""
    ref = R.program_material(signal, 2.0, fs, seed=seed)  # type: ignore[arg-type]
    damage = len(MUTES_MS) + 1 if mute_ms is None else MUTES_MS.index(mute_ms)
    rng = np.random.default_rng([181, fs, PATHS.index(noise), SIGNALS.index(signal), seed, damage])
    w = int(0.02 * fs)
    loud = np.sqrt(np.convolve(ref ** 2, np.ones(w) / w, mode="same"))
    where = np.flatnonzero(loud[fs // 2: int(1.8 * fs)] > 0.5 * loud.max()) + fs // 2
    at = int(where[rng.integers(where.size)])
    delay = float(rng.uniform(300, 2000))
    length = 0 if mute_ms is None else max(int(round(mute_ms * 1e-3 * fs)), 1)
    played = ref if mute_ms is None else A.mute_frames(ref, at, length)
    rec = R.through_system(played, fs, delay_frames=delay, drift_ppm=40.0, gain=0.5, gain_wobble=0.1,
                           lowpass_hz=0.35 * fs, noise_rms=NOISE_RMS[noise], tail_frames=fs // 10, seed=seed)
    if noise == "noiseless":
        rec, ref = _int16(rec), _int16(ref)
    return rec, ref, at * (1 + 40e-6) + delay, length


def test_a_1_ms_mute_of_noiseless_music_at_44_1_khz_is_one_mute_in_place() -> None:
    """The mute (44 frames) fills no 29-frame hop of the fit's silence test whole, and the
    converter's ring of its edges kept every hop over 2 % of the prediction: its rows stayed in
    the window's fit, which bent into a residual of ~8 % of the signal 90 frames each side of
    it, and the mute was a 433-frame ``other`` starting 90 frames early."""
    rec, ref, at, length = _take(44_100, "noiseless", 1.0, 0)
    gs = compare_to_reference(rec, ref, 44_100).glitches
    assert [g.kind for g in gs] == ["mute"], [g.to_dict() for g in gs]
    assert abs(gs[0].start_frame - at) <= PLACE, (gs[0].to_dict(), at)
    assert 0.7 * length <= gs[0].size_frames <= 1.3 * length, (gs[0].to_dict(), length)


@pytest.mark.parametrize(("fs", "noise", "mute_ms"), [
    (fs, noise, ms) for fs in (44_100, 48_000, 96_000) for noise in PATHS for ms in MUTES_MS])
def test_a_mute_of_music_is_found_in_place_and_named(fs: int, noise: str, mute_ms: float) -> None:
    """Every length from 1 ms, at every rate, noiseless or under noise: one ``mute`` glitch
    whose first frame lies within ``PLACE`` frames of the mute's and whose end within ``PLACE``
    of the mute's end, and nothing else. The run of quiet frames around the mute walked back
    over music quieter than the noise's 4 sigmas (96 kHz, -50 dBFS, 5 ms: 18 frames early); the
    mute's start is where the recording most likely turned from the prediction to silence
    (``_mute_edges``). The end was held at the residual's burst's end, which the judge filter's
    ring of the edge carries past the mute (44.1 kHz -80 dBFS 2.5 ms: 16.1 frames late; 48 kHz
    -80 dBFS 1 / 2.5 ms: 12.7 / 13.1; 96 kHz -80 dBFS 20 ms: 10.7); it is now the likeliest
    turn back, searched from the burst's middle on."""
    rec, ref, at, length = _take(fs, noise, mute_ms, 0)
    gs = compare_to_reference(rec, ref, fs).glitches
    assert [g.kind for g in gs] == ["mute"], [g.to_dict() for g in gs]
    assert abs(gs[0].start_frame - at) <= PLACE, (gs[0].to_dict(), at)
    end = at + length * (1 + 40e-6)  # the mute's length in the recording's frames (its clock 40 ppm off)
    assert abs(gs[0].end_frame - end) <= PLACE, (gs[0].to_dict(), end)


@pytest.mark.parametrize("fs", [44_100, 48_000, 96_000])
@pytest.mark.parametrize("noise", PATHS)
@pytest.mark.parametrize("seed", [0, 1])
def test_music_without_a_mute_gives_no_glitch(fs: int, noise: str, seed: int) -> None:
    """The same paths without damage: the finer silence test leaves the fit of clean music alone."""
    rec, ref, _, _ = _take(fs, noise, None, 100 + seed)
    rep = compare_to_reference(rec, ref, fs)
    assert rep.glitches == [], [g.to_dict() for g in rep.glitches]
