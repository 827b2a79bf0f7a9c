"""Reference mode: a click in the silence the reference plays before it first sounds.

The judged windows start at the first loud block the track matched, so speech's 0.2 s lead-in
silence was never compared: ``bench/bench_fade_pops.py`` missed the 0.01 pop of speech seeds 1,
2 and 11, each in that silence (``_lead_in_events``). The lead-in is judged against silence, so
what a silent capture holds (a noise floor, a 16-bit file's dither, a device's DC offset or a step
of it) must read nothing there; ``bench/bench_lead_in_pops.py`` measures both sides.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from harness import reference_compare as R

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import bench_fade_pops as F  # noqa: E402

FS = 48_000


@pytest.mark.parametrize("seed", [1, 2, 11])
def test_a_pop_in_speech_s_lead_in_silence_is_a_pop_at_its_frame(seed: int) -> None:
    ref, _clean, damaged, at, _drop = F.take("speech", seed, 0.5, 0.01, 0, 1500)
    rep = R.compare_to_reference(damaged, ref, FS, window_s=0.5)
    assert at < rep.analysed_start_frame  # the case: before the followed span
    assert [(g.kind, g.size_frames) for g in rep.glitches] == [("pop", 1)], [g.to_dict() for g in rep.glitches]
    assert abs(rep.glitches[0].start_frame - at) <= 2


LEAD = 9_600  # the reference's silent frames (0.2 s)
DELAY = 700  # where its first frame plays in the recording


def _events(recording: np.ndarray) -> list[tuple[int, int, float, int, bool, bool]]:
    """``_lead_in_events`` over ``recording`` for a reference silent for ``LEAD`` frames, then a tone."""
    head = np.concatenate((np.zeros(LEAD), 0.3 * np.sin(np.arange(FS) * 0.05)))
    return R._lead_in_events(head, (0, recording.size, float(DELAY), 0.0), DELAY, DELAY + LEAD + 2048,
                             lambda a, b: recording[a:b], FS, R._judge_filter(), 7.0, 0.2, 1e-6)


def _floor(kind: str, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = DELAY + LEAD + 4096
    if kind == "noise":
        return rng.normal(0.0, 1e-4, n)
    if kind == "dither16":
        return np.round(rng.uniform(-0.5, 0.5, n) + rng.uniform(-0.5, 0.5, n)) / 32768
    if kind == "dc":
        return 0.01 + rng.normal(0.0, 1e-4, n)
    if kind == "dc_step":  # an offset that sets in as the device starts playing, in the lead-in
        return np.where(np.arange(n) >= DELAY + 3000, 0.01, 0.0) + rng.normal(0.0, 1e-4, n)
    return np.zeros(n)  # digital silence


@pytest.mark.parametrize("kind", ["noise", "dither16", "dc", "dc_step", "zeros"])
@pytest.mark.parametrize("seed", [92150, 92151, 92152])
def test_a_silent_capture_reads_nothing_in_the_lead_in(kind: str, seed: int) -> None:
    assert _events(_floor(kind, seed)) == []


@pytest.mark.parametrize("kind", ["noise", "dither16", "dc", "dc_step", "zeros"])
def test_a_one_frame_click_in_the_lead_in_is_one_short_event_at_its_frame(kind: str) -> None:
    rec = _floor(kind, 92160)
    at = DELAY + 5000
    rec[at] += -0.003
    got = _events(rec)
    assert [(s, e, cnt) for s, e, _pk, cnt, _sil, _cmp in got] == [(at, at + 1, 1)]


def test_a_click_past_the_lead_in_or_before_the_reference_plays_is_not_the_lead_in_s() -> None:
    rec = _floor("noise", 92161)
    for at in (DELAY - 50, DELAY + LEAD - 100):  # before its first frame plays; inside the margin before it sounds
        rec[at] += 0.01
    assert _events(rec) == []
