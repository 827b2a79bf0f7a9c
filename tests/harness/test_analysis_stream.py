"""Streaming analysis of long recordings: the same answers as the in-memory analysers, with memory
bounded by the window (the 2-hour figure is measured with /usr/bin/time -v, see the issue note).

Small windows on short synthetic takes exercise every boundary case in well under a second each.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from harness import analysis as A

FS = 8_000
F = 751.0


def _sine(seconds: float) -> np.ndarray:
    n = int(seconds * FS)
    return 0.5 * np.sin(2 * np.pi * F / FS * np.arange(n))


@pytest.mark.parametrize("fmt", ["int16", "int24", "int32", "float32"])
def test_a_stream_reads_the_same_samples_as_read_wav(tmp_path: Path, fmt: str) -> None:
    rng = np.random.default_rng(1)
    data = rng.uniform(-0.9, 0.9, size=(5000, 3))
    A.write_wav(tmp_path / "x.wav", data, FS, fmt)
    whole = A.read_wav(tmp_path / "x.wav")
    stream = A.open_wav(tmp_path / "x.wav")
    assert isinstance(stream, A.WavStream) and stream.frames == 5000 and stream.channels == 3
    for ch in range(3):
        assert np.array_equal(stream.read(1234, 4321, ch), whole.channel(ch)[1234:4321])


def test_glitches_across_window_boundaries_are_each_found_once(tmp_path: Path) -> None:
    x = _sine(40.0)
    x = A.drop_frames(x, int(10.0 * FS) + 37, 20)  # right at the first window boundary
    x = A.add_pop(x, int(17.3 * FS), width=2, amplitude=0.2)  # inside a window
    x = A.mute_frames(x, int(29.9 * FS), 400)  # straddles the third boundary
    A.write_wav(tmp_path / "long.wav", x, FS, "int16")
    audio = A.open_wav(tmp_path / "long.wav")
    streamed = A.analyze_glitches_stream(audio, 0, window_s=10.0, overlap_s=2.0)
    whole = A.analyze_glitches(A.read_wav(tmp_path / "long.wav").channel(0), FS)
    found = [(g.start_frame, g.kind) for g in streamed.glitches]
    expected = [(g.start_frame, g.kind) for g in whole.glitches]
    assert len(found) == len(expected) == 3, (found, expected)
    for (s1, k1), (s2, k2) in zip(found, expected, strict=True):
        assert k1 == k2 and abs(s1 - s2) <= 64, (found, expected)
    assert streamed.frames == x.size and abs(streamed.frequency_hz - whole.frequency_hz) < 0.01


def test_a_silent_window_is_a_mute_not_a_gap(tmp_path: Path) -> None:
    x = _sine(40.0)
    x[int(12 * FS):int(26 * FS)] = 0.0  # longer than a window
    A.write_wav(tmp_path / "gap.wav", x, FS, "int16")
    rep = A.analyze_glitches_stream(A.open_wav(tmp_path / "gap.wav"), 0, window_s=10.0, overlap_s=2.0)
    mutes = [g for g in rep.glitches if g.kind == "mute"]
    covered = sum(g.end_frame - g.start_frame for g in mutes)
    assert covered >= 0.9 * 14 * FS, [(g.start_frame, g.end_frame, g.kind) for g in rep.glitches]


def test_a_clean_long_take_is_clean(tmp_path: Path) -> None:
    A.write_wav(tmp_path / "clean.wav", _sine(35.0), FS, "int16")
    rep = A.analyze_glitches_stream(A.open_wav(tmp_path / "clean.wav"), 0, window_s=10.0, overlap_s=2.0)
    assert rep.glitches == [] and rep.analysed_end_frame > 34 * FS


@pytest.mark.parametrize("max_ms", [None, 600.0])
def test_streamed_latency_equals_the_in_memory_measurement(max_ms: float | None) -> None:
    ref = A.make_signal("mls", sample_rate=FS, duration_s=0.5)
    rec = np.zeros(FS * 60)
    rec[3210:3210 + ref.size] = ref * 0.7
    rec += np.random.default_rng(2).normal(0, 1e-3, rec.size)
    max_frames = None if max_ms is None else int(max_ms * 1e-3 * FS)
    whole = A.measure_latency(ref, rec, FS, max_latency_frames=max_frames)
    read = []

    def reader(a: int, b: int) -> np.ndarray:
        read.append(b - a)
        return rec[a:b]

    streamed = A.measure_latency_stream(ref, reader, rec.size, FS, max_latency_frames=max_frames, lag_block=4096)
    assert streamed.latency_frames is not None and abs(streamed.latency_frames - 3210) < 0.05
    assert abs(streamed.latency_frames - whole.latency_frames) < 1e-6
    assert abs(streamed.confidence - whole.confidence) < 1e-6
    # never more than a block (plus the reference, plus the bins around the peak) at once: bounded
    # by the reference and the block, not by the 480 000-frame recording
    assert max(read) <= 4 * ref.size + ref.size + 3 * (1 << 14) + 64 < rec.size / 5
    if max_frames is not None:  # --max-latency-ms bounds what is read
        assert sum(read) <= 3 * (max_frames + ref.size) + 4 * ref.size


def test_an_ambiguous_match_is_still_refused_when_streamed() -> None:
    tone = np.sin(2 * np.pi * 500 / FS * np.arange(FS))
    rec = np.concatenate([np.zeros(100), tone, tone])
    res = A.measure_latency_stream(tone[:2000], lambda a, b: rec[a:b], rec.size, FS, lag_block=1024)
    assert res.latency_frames is None and "no unique match" in (res.reason or "")


def test_a_silence_across_a_window_boundary_is_one_mute_of_its_length(tmp_path: Path) -> None:
    """Each window reports its side of a silence that runs past their common boundary (20 s
    here: the window before trims it off its end, the window after off its start); the two
    touch there (``end_frame`` exclusive) and are one mute, from where the tone stopped to
    where it came back, within a block's fit of each edge."""
    x = _sine(40.0)
    x[int(12 * FS):int(26 * FS)] = 0.0
    A.write_wav(tmp_path / "gap.wav", x, FS, "int16")
    rep = A.analyze_glitches_stream(A.open_wav(tmp_path / "gap.wav"), 0, window_s=10.0, overlap_s=2.0)
    (mute,) = rep.glitches
    assert mute.kind == "mute", (mute.start_frame, mute.end_frame, mute.kind)
    assert abs(mute.start_frame - 12 * FS) <= 256 and abs(mute.end_frame - 26 * FS) <= 256
    assert mute.size == mute.end_frame - mute.start_frame
