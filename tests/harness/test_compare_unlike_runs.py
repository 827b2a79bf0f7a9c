"""``soundcheck compare`` between runs that differ in length or fault profile.

A sample figure is judged only when *each* run holds its minimum exposure (the shorter run's
time decides: one seed's draw decides a short run's figure, whatever the other's length), and
its margin is the larger healthy spread of the two runs' profiles (a hostile run's callback p99.9
spreads wider than a default run's, whichever side it is on). Tables of crafted pairs, each with
the verdict expected."""

from __future__ import annotations

from typing import Any

import pytest

from harness.reports.compare import compare_reports
from tests.harness.test_compare_exposure_and_spread import _report

#: (A's simulated s, B's simulated s, figure, B's change, the verdict): a far worse figure is
#: judged only where the shorter of the two runs reaches the figure's minimum exposure
EXPOSURES = [
    (900.0, 900.0, "cb_p99_ms", {"p99": 12e-3, "p99_9": 12e-3}, "worse"),
    (900.0, 120.0, "cb_p99_ms", {"p99": 12e-3, "p99_9": 12e-3}, "n/a"),
    (120.0, 900.0, "cb_p99_ms", {"p99": 12e-3, "p99_9": 12e-3}, "n/a"),
    (300.0, 300.0, "cb_p99_9_ms", {"p99_9": 3e-2}, "worse"),
    (3600.0, 120.0, "cb_p99_9_ms", {"p99_9": 3e-2}, "n/a"),
    (120.0, 3600.0, "cb_p99_9_ms", {"p99_9": 3e-2}, "n/a"),
]


@pytest.mark.parametrize(("t_a", "t_b", "figure", "change", "expected"), EXPOSURES)
def test_a_sample_figure_needs_its_exposure_in_the_shorter_run(t_a: float, t_b: float, figure: str,
                                                                change: dict[str, Any], expected: str) -> None:
    a, b = _report(t_a), _report(t_b, seed=2, **change)
    (m,) = [m for m in compare_reports(a, b).metrics if m.name == figure]
    assert m.verdict == expected, m
    assert (expected == "n/a") == m.note.startswith("too short to compare"), m.note


#: (A's profile, B's profile, the verdict on B's callback p99.9 twice A's at 900 s): the default
#: spread calls it worse; hostile's (x3.6) holds it the same on either side of the pair
PROFILES = [
    ("default", "default", "worse"),
    ("hostile", "hostile", "same"),
    ("default", "hostile", "same"),
    ("hostile", "default", "same"),
]


@pytest.mark.parametrize(("profile_a", "profile_b", "expected"), PROFILES)
def test_a_sample_margin_is_the_larger_spread_of_the_two_profiles(profile_a: str, profile_b: str,
                                                                   expected: str) -> None:
    a, b = _report(900.0, p99_9=2e-2), _report(900.0, seed=2, p99_9=4e-2)
    a["run"]["profile"], b["run"]["profile"] = profile_a, profile_b
    (m,) = [m for m in compare_reports(a, b).metrics if m.name == "cb_p99_9_ms"]
    assert m.verdict == expected, m
