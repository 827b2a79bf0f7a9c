"""A run of zeros inserted into a low tone (a playback underrun: the sine resumes late by the run's
length) and the same run muted in place (the sine resumes where it would have been) are told
apart, each named by its kind and sized in frames, on tones whose period is thousands of frames
(where the run's phase jump is far below the tolerance and only the lateness tells them apart)."""

from __future__ import annotations

import pytest

from harness.analysis import analyze_glitches, insert_frames, mute_frames, sine

#: (tone Hz, sample rate, take seconds): periods of 960 to 4800 frames
TONES = [(50.0, 96_000, 1.0), (100.0, 48_000, 1.0), (40.0, 192_000, 3.0)]
COUNTS = [2, 5, 10, 40]


@pytest.mark.parametrize("count", COUNTS)
@pytest.mark.parametrize(("freq", "fs", "seconds"), TONES)
def test_inserted_zeros_are_inserted_and_muted_frames_are_a_mute(freq: float, fs: int, seconds: float,
                                                                count: int) -> None:
    x = sine(freq, seconds, fs)
    at = int(fs * seconds / 2) + 37
    inserted = analyze_glitches(insert_frames(x, at, count, fill="zeros"), fs, freq)
    muted = analyze_glitches(mute_frames(x, at, count), fs, freq)
    assert [(g.kind, g.size) for g in inserted.glitches] == [("inserted", count)]
    assert [(g.kind, g.size) for g in muted.glitches] == [("mute", count)]
