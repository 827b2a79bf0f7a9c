"""``analyze glitches``: a test tone that stops halfway and never comes back.

The analyser trims what holds no steady tone at a recording's ends (latency before the tone, a
recorder stopped after the player), and a tone that went mute and stayed mute is trimmed the same
way: a 3 s take whose tone stopped at 0.5 s exited 0, "clean", with 83 % of it never analysed.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from harness import analysis as A
from harness.cli import main

FS = 48_000


def _take(tmp_path, seconds: float, tone: tuple[float, float]) -> str:
    """A take of ``seconds`` holding the test tone from ``tone[0]`` to ``tone[1]`` s, silence elsewhere."""
    x = np.zeros(int(seconds * FS), np.float32)
    a, b = int(tone[0] * FS), int(tone[1] * FS)
    x[a:b] = A.sine(A.DEFAULT_TEST_FREQUENCY_HZ, (b - a) / FS, FS, 0.5)[: b - a]
    path = tmp_path / "take.wav"
    A.write_wav(path, x, FS, "float32")
    return str(path)


@pytest.mark.parametrize("seconds, tone, where, lasting", [
    (3.0, (0.0, 0.5), "after the tone", 2.5),    # went mute at 0.5 s and stayed mute
    (4.0, (2.5, 4.0), "before the tone", 2.5),   # silent for 2.5 s, then the tone
])
def test_a_take_whose_tone_is_missing_for_over_a_second_at_an_end_is_inconclusive(tmp_path, capsys, seconds,
                                                                                   tone, where, lasting):
    code = main(["analyze", "glitches", _take(tmp_path, seconds, tone)])
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert doc["glitch_count"] == 0
    assert code == 3, err
    (edge,) = doc["unanalysed_edges"]
    assert edge["where"] == where and edge["seconds"] == pytest.approx(lasting, abs=0.02)
    assert err.startswith("soundcheck: inconclusive: ") and len(err.strip().splitlines()) == 1
    assert f"s {where}" in err and "trim the recording to the tone" in err


@pytest.mark.parametrize("tone", [(0.0, 3.0), (0.4, 3.0), (0.0, 2.4)])
def test_a_take_with_under_a_second_of_silence_at_its_ends_is_still_clean(tmp_path, capsys, tone):
    """Latency before the tone, a recorder stopped a little after the player: not a doubt."""
    code = main(["analyze", "glitches", _take(tmp_path, 3.0, tone)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["unanalysed_edges"] == [] and err == ""
