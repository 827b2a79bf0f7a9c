"""``harness.leaks._one_step`` when two rises tie for the largest: the growth is one jump only if
it is so whichever of them is taken out. Which of two equal rises is "the" jump is not in the
series, and the trend left differs with the samples each lowers; taken from the order a sort left
equal values in, the answer was chance (``np.argsort`` without a stable kind: mutants 24 and 26,
MUTATION.md). The series are those seeded searches of small series found: the first by
``bench/mutation_helpers/search.py`` (seed 1, mutants 24 and 26), the others by
``bench/leak_equal_rises_search.py`` (seed 1: where main's answer, the later rise taken out,
differs from this rule's)."""

from __future__ import annotations

import numpy as np
import pytest

from harness.leaks import _one_step


def _series(t: list[float], y: list[float], g: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.asarray(t, dtype=float), np.asarray(y, dtype=float), np.asarray(g)


@pytest.mark.parametrize(("t", "y", "g", "thr", "need"), [
    # rises of 3 at 3-5 s and at 5-6 s tie: with the earlier taken out the second lifetime's
    # fall leaves no trend, with the later it does (read "one jump" by an unstable sort)
    ([1, 3, 5, 6, 7, 8, 10], [0, -3, 0, 3, 5, 4, 2], [0, 0, 0, 0, 1, 1, 1], 7200.0, 1.0),
    # two equal rises in a row, then flat: a ramp of two, not one jump (read "one jump" with the
    # later taken out, the earlier left as a step at the start)
    ([1, 3, 5, 7, 9, 11], [3, 5, 7, 7, 6, 6], [1, 1, 1, 1, 2, 2], 0.0, 1.0),
    # equal rises over unequal times: the slower one stands out from nothing (the faster is its
    # only other); taking out the faster only read the three samples as one jump
    ([2, 4, 5], [0, 1, 2], [0, 0, 0], 3600.0, 1.0),
])
def test_equal_largest_rises_are_one_jump_only_if_each_taken_out_is(
        t: list[float], y: list[float], g: list[int], thr: float, need: float) -> None:
    assert _one_step(*_series(t, y, g), thr, need) is False



def test_a_spike_as_high_as_the_step_is_no_candidate_and_the_step_is_still_one_jump() -> None:
    """Only rises that stay are "the" jump, tied or not: a spike up and straight back down as high
    as a step later on is not taken out in turn. Taken out, it would lower the ~150 samples between
    it and the step by its height and leave their rise back as growth, so the step of a slow ramp
    under integer noise (2 per hour, under the threshold of 4) would not read as one jump."""
    rng = np.random.default_rng(5)
    n = 291  # 2900 s: under MIN_WINDOW_S, no share of the growth asked
    t = np.arange(n) * 10.0
    y = np.floor(t * 2.0 / 3600.0) + rng.integers(-1, 2, n).astype(float)
    y[3] = y[2] + 30.0  # the spike: up by 30, back at the next sample
    y[150:] += 30.0 - (y[150] - y[149])  # the step: exactly 30 between samples 149 and 150
    assert np.flatnonzero(np.diff(y) == 30.0).tolist() == [2, 149]
    assert _one_step(t, y, np.zeros(n, dtype=int), 4.0, 1.0) is True
