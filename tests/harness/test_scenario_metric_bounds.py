"""A metric expectation's bounds: ``min`` and ``max`` may be equal (one exact value is a range of
one), and only a ``min`` above its ``max`` (or neither bound) is a bad file, refused with the
line and the fix. A table of bounds with the loader's answer for each."""

from __future__ import annotations

import pytest

from harness import ScenarioFileError
from harness.scenarios import parse_scenario

HEAD = """\
format = 1

[scenario]
id = "metric-bounds"
title = "a metric between its bounds"
reproduces = "a test"

[[steps]]
op = "start"

[[expect]]
metric = "xruns"
"""

#: (the bounds as written, the problem the loader names; None: the file is accepted)
BOUNDS = [
    ("min = 1.0\nmax = 1.0\n", None),
    ("min = 0.0\nmax = 0.0\n", None),
    ("min = 0.0\nmax = 1.0\n", None),
    ("max = 3.0\n", None),
    ("min = 3.0\n", None),
    ("min = 2.0\nmax = 1.0\n", "min (2.0) is larger than max (1.0)"),
    ("min = 1.0\nmax = 0.999\n", "min (1.0) is larger than max (0.999)"),
    ("", "give 'min', 'max' or both"),
]


@pytest.mark.parametrize(("bounds", "problem"), BOUNDS)
def test_a_metric_expectation_is_refused_only_for_bounds_that_hold_no_value(bounds: str, problem: str | None) -> None:
    text = HEAD + bounds
    if problem is None:
        s = parse_scenario(text, "bounds.toml")
        (e,) = s.expect
        assert (e.min, e.max) == tuple(float(v) if v is not None else None for v in (
            _value(bounds, "min"), _value(bounds, "max")))
    else:
        with pytest.raises(ScenarioFileError) as info:
            parse_scenario(text, "bounds.toml")
        assert problem in str(info.value) and "expect[0]" in str(info.value), str(info.value)


def _value(bounds: str, key: str) -> str | None:
    """The value ``key = v`` in ``bounds`` (None when it is not written)."""
    for line in bounds.splitlines():
        k, _, v = line.partition(" = ")
        if k == key:
            return v
    return None
