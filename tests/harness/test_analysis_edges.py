"""The fine pass judges each of its statistics at that statistic's own noise level, at the edges too.

Block edges: a block fit leaves its residual louder at the block's edges when the noise is
coloured (the model follows the noise worst there, and the whitening's first sample has no true
predecessor): on the simulated output behind a 1 kHz low-pass the first sample's residual
measured 1.74x the mid-block one, and a noise sample there made a false one-frame "click" on a
block boundary about once in ten simulated minutes. The takes here put that louder edge into the
noise itself, where it can be controlled: every block's first sample carries ``EDGE_FACTOR`` times
the noise of the others.

Stretch edges: the last blocks before a pause have fewer neighbours to draw a phase line through,
so their phase comparison is noisier; judged at the bar of the full windows, one made a false
one-frame "other" 21 ms before a pause in a 24-hour soak.
"""

from __future__ import annotations

import numpy as np
import pytest

from harness.analysis import add_pop, analyze_glitches, sine

RATE = 48_000
TONE_HZ = 997.0
BLOCK = 256  # the fine pass's block for a 997 Hz tone at 48 kHz
NOISE = 2e-5  # -82 dB below the 0.25 tone: the fine pass's territory
EDGE_FACTOR = 2.5


def _take(seed: int, blocks: int = 2000) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = blocks * BLOCK
    noise = NOISE * rng.standard_normal(n)
    noise[::BLOCK] *= EDGE_FACTOR
    return (sine(TONE_HZ, n / RATE, RATE, amplitude=0.25) + noise).astype(np.float32)


def _fine(x: np.ndarray) -> list:
    return analyze_glitches(x, RATE, TONE_HZ, max_glitches=10_000, measure_levels=False,
                            frequency_known=True).glitches


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_louder_block_edges_are_not_clicks(seed: int) -> None:
    x = _take(seed)
    # the edge samples really are beyond the mid-block bar: a judge blind to the position would
    # call some of them clicks (this is what the take is for)
    edge = x[::BLOCK].astype(np.float64) - sine(TONE_HZ, x.size / RATE, RATE, amplitude=0.25)[::BLOCK]
    assert np.count_nonzero(np.abs(edge) > 6.8 * NOISE) >= 3
    assert _fine(x) == []


def test_a_pop_on_a_block_edge_is_still_found() -> None:
    x = _take(4)
    at = 700 * BLOCK  # a block's first sample
    hit = add_pop(x, at, width=1, amplitude=12 * EDGE_FACTOR * NOISE).astype(np.float32)
    (g,) = _fine(hit)
    assert g.kind == "click" and g.start_frame == at, g


def test_a_pop_mid_block_keeps_the_mid_block_bar() -> None:
    x = _take(5)
    at = 900 * BLOCK + BLOCK // 2
    hit = add_pop(x, at, width=1, amplitude=10 * NOISE).astype(np.float32)  # below the edge's bar
    (g,) = _fine(hit)
    assert g.kind == "click" and g.start_frame == at, g


# ---------------------------------------------------------------- the edges of a stretch of sound
def test_a_phase_comparison_is_scaled_by_how_many_neighbours_it_has() -> None:
    """The fine pass compares each block's phase with lines through up to 8 blocks each side; the
    last blocks before a pause have only 4-7 on one side, and their comparison is noisier. Each
    comparison's predicted variance (``_sliding_line``) must match what pure phase noise gives,
    so that scaled comparisons share one bar: measured over 4000 noise takes."""
    from harness.analysis import _STEP_WINDOW, _sliding_line

    rng = np.random.default_rng(7)
    win = _STEP_WINDOW
    n = 3 * win
    w_take = np.ones(n)
    w_take[-win // 2:] = 0.0  # a pause: the last 4 blocks are not usable
    takes = 4000
    stride = n + win  # unusable blocks between takes: no line reaches from one into the next
    w = np.tile(np.concatenate((w_take, np.zeros(win))), takes)
    phi = rng.standard_normal(w.size)
    right, wr_all, var_r = _sliding_line(phi, w, win, +1)
    left, _, var_l = _sliding_line(phi, w, win, -1)
    d = (right - left).reshape(takes, stride)
    wr, predicted = wr_all[:stride], (var_l + var_r)[:stride]
    interior, edge = win, n - win // 2 - win // 2 - 1  # full windows; 4 usable blocks to the right
    assert wr[edge] == win // 2 and wr[interior] == win
    for k in (interior, edge):
        assert np.var(d[:, k]) == pytest.approx(predicted[k], rel=0.08), k
    assert predicted[edge] > 1.5 * predicted[interior]  # the edge really is the noisier one


def test_a_real_step_beside_a_pause_is_still_found() -> None:
    """One dropped frame 8 blocks before a pause: found and named, scaled bar and all."""
    from harness.analysis import drop_frames, mute_frames

    rng = np.random.default_rng(11)
    n = 400 * BLOCK
    x = sine(TONE_HZ, n / RATE, RATE, amplitude=0.25) + NOISE * rng.standard_normal(n)
    at = 300 * BLOCK - 8 * BLOCK + 100
    x = drop_frames(x, at, 1)
    x = mute_frames(x, 300 * BLOCK, x.size - 300 * BLOCK)  # the pause: silence to the end
    glitches = [g for g in _fine(x.astype(np.float32)) if g.kind != "mute"]
    assert [(g.kind, g.size) for g in glitches] == [("dropped", 1)], glitches
    assert abs(glitches[0].start_frame - at) <= 2, glitches


# A stream restarted by a recovery, heard 4 blocks before the silence that followed it: the new
# stream's tone begins at its table's start, 26624 frames (104 blocks) after the old one began,
# and 997 * 26624 = 128 (mod 48000), so the phase moves by 128/48000 of a cycle (0.128 frames),
# a step the fine pass finds. The blocks beside it have too few blocks after them to be judged;
# the comparison that deviated most was 5 blocks earlier, and the step was reported there, 1244
# frames early, outside the recovery's window: a false alarm in a 4-hour soak.
@pytest.mark.parametrize("blocks_before_end", [3, 4, 5, 6, 8, 12])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_step_near_the_end_of_sound_is_reported_where_it_is(blocks_before_end: int, seed: int) -> None:
    from harness.analysis import mute_frames

    rng = np.random.default_rng(seed)
    n = 108 * BLOCK
    t = np.arange(n)
    at = n - blocks_before_end * BLOCK - 36
    phase = np.where(t >= at, 2 * np.pi * TONE_HZ * 26624 / RATE, 0.0)
    x = 0.25 * np.sin(2 * np.pi * TONE_HZ * t / RATE + phase) + NOISE * rng.standard_normal(n)
    x = mute_frames(x, n - 36, 36)  # the silence after it
    glitches = [g for g in _fine(x.astype(np.float32)) if g.kind != "mute"]
    assert len(glitches) == 1, [(g.kind, g.start_frame, g.phase_shift_frames) for g in glitches]
    (g,) = glitches
    assert abs(g.start_frame - at) <= 2, (g.start_frame, at)
    assert g.phase_shift_frames == pytest.approx(128 / TONE_HZ, abs=0.01)  # ahead: +, as a drop


def test_a_smooth_residual_is_whitened_within_a_correlations_bound() -> None:
    """A noiseless low tone (150 Hz at 48 kHz) whose level an AGC wobbles 10 % at 0.7 Hz leaves the
    fine pass a smooth residual, whose lag-1 ratio read above 1: ``sqrt(1 - rho**2)`` raised
    ``ValueError: math domain error`` out of ``analyze glitches`` (a traceback, no report). The
    glitches such a take gives are not judged here, only that it is analysed."""
    t = np.arange(2 * RATE) / RATE
    ph = 2 * np.pi * 150.0 * t
    x = (0.5 * (1 + 0.1 * np.sin(2 * np.pi * 0.7 * t)) * np.sin(ph) + 0.5 * 10 ** (-50 / 20) * np.sin(2 * ph + 1)
         + 0.5 * 10 ** (-60 / 20) * np.sin(3 * ph + 2) + 0.01).astype(np.float32)
    rep = analyze_glitches(x, RATE)
    assert rep.frequency_hz == pytest.approx(150.0, abs=0.01)
    assert rep.magnitude == pytest.approx(0.5, rel=0.1)
