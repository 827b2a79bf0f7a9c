"""``reference_compare._splits_refitted`` reads, at every split of a range, the error of one filter
(and its change) refitted there: the error ``_step_error`` gives the prediction spliced at that
split, fitted from scratch. It sums the rows no split reaches once and refits only the rows a split
moves; a row left out of those (one whose path filter reads a moved frame through the judge
filter's reach) keeps the first split's prediction in the sums, and every split near the range's
start reads an error of a filter fitted to a prediction it is not. Seeded noise through a short
filter with a 3-frame step, the error at each of 41 splits against the refit from scratch."""

from __future__ import annotations

import numpy as np
import pytest

from harness import reference_compare as R

#: far above the two ways' rounding (under 1e-6 of the error, measured), far below a row left out
#: (4e-4 and more at this cutoff)
REL_TOL = 1e-5


@pytest.mark.parametrize("seed", [5, 6])
def test_every_splits_error_is_that_of_a_filter_refitted_at_it(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, at, cutoff = 3000, 1500, 0.05
    ref = np.convolve(rng.standard_normal(n + 10), np.ones(4) / 4, "same")
    pa, pb = ref[:n], ref[3:n + 3]  # the line before the step, and after it (3 frames on)
    path = rng.standard_normal(9) * np.hanning(9)
    r = np.convolve(np.concatenate((pa[:at], pb[at:])), path, "same") + 1e-3 * rng.standard_normal(n)
    got = R._splits_refitted(pa, pb, r, cutoff, (), at - 20, at + 20)
    assert sorted(got) == list(range(at - 20, at + 21))
    for sp, err in got.items():
        refit, _ = R._step_error(np.concatenate((pa[:sp], pb[sp:])), r, cutoff)
        assert err == pytest.approx(refit, rel=REL_TOL), sp
