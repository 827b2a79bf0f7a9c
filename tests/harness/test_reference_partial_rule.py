"""A reference comparison is ``partial`` (never ``clean``) when more of the reference's loud
stretch went uncompared than an edge explains: ``PARTIAL_MIN_S`` seconds of it, at the take's
rate, however long the take is. A long take whose last second the track never followed is as
partial as a short one; a glitch there could not have been found.

The rule is judged on reports whose fields are set directly: every combination of the take's
loud length, the seconds left unfollowed and the sample rate, against the docstring's rule; then
on a 6 s take of music whose last 0.5 s is another take's (a few percent of its loud frames)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from harness import reference_compare as R
from harness.reference_compare import PARTIAL_MIN_S, ReferenceGlitch, ReferenceReport, compare_to_reference


def _report(fs: int, loud_s: float, unfollowed_s: float, glitches: int = 0) -> ReferenceReport:
    found = [ReferenceGlitch(100, 200, "dropped", 10, 0.5, 100.0)] * glitches
    return ReferenceReport(sample_rate=fs, frames=int(loud_s * fs), reference_frames=int(loud_s * fs),
                           latency_frames=0.0, drift_ppm=0.0, polarity=1, gain_db=0.0, noise_rms=1e-4,
                           analysed_start_frame=0, analysed_end_frame=int((loud_s - unfollowed_s) * fs),
                           glitches=found, unfollowed_frames=int(round(unfollowed_s * fs)),
                           loud_frames=int(loud_s * fs))


CASES = list(itertools.product((44_100, 48_000, 96_000), (1.0, 10.0, 600.0), (0.0, 0.1, 0.3, 1.0, 5.0), (0, 1)))


@pytest.mark.parametrize(("fs", "loud_s", "unfollowed_s", "glitches"),
                         [c for c in CASES if c[2] <= c[1]])
def test_partial_is_seconds_left_unfollowed_whatever_the_takes_length(
        fs: int, loud_s: float, unfollowed_s: float, glitches: int) -> None:
    rep = _report(fs, loud_s, unfollowed_s, glitches)
    partial = rep.unfollowed_frames > PARTIAL_MIN_S * fs
    assert rep.partial is partial, (rep.unfollowed_frames, rep.loud_frames)
    assert rep.clean is (not partial and not glitches)
    d = rep.to_dict()
    assert d["partial"] is partial and d["clean"] is rep.clean


FS = 48_000


def test_a_long_take_lost_for_its_last_half_second_is_partial_never_clean() -> None:
    ref = R.program_material("music", 6.0, FS, seed=6)
    rec = R.through_system(ref, FS, delay_frames=400.3, gain=0.5, noise_rms=1e-4, tail_frames=2000, seed=6)
    other = R.through_system(R.program_material("music", 6.0, FS, seed=7), FS, delay_frames=400.3, gain=0.5,
                             noise_rms=1e-4, tail_frames=2000, seed=7)
    cut = int(5.5 * FS)
    rep = compare_to_reference(np.concatenate((rec[:cut], other[cut:])), ref, FS)
    assert rep.unfollowed_frames > PARTIAL_MIN_S * FS, (rep.unfollowed_frames, rep.analysed_end_frame)
    assert rep.unfollowed_frames < 0.25 * rep.loud_frames  # a small share of the take: still partial
    assert rep.partial and not rep.clean
