"""``machine_load.comparable`` against a brute-force oracle over a grid of load records.

Two runs' speeds are compared only when the machine carried about the same load through both:
every one of the four readings (each run's start and end) within ``LOAD_TOLERANCE_PER_CPU`` per
CPU of every other, on machines of the same size. The oracle states that rule pair by pair, with
no shortcut, so a rule that reads fewer readings (the starts only) or skips the size check is
told apart on the grid's cases where it matters: A 1.0 -> 1.5 against B 1.0 -> 0.5 on two CPUs
(each run steady within 0.5, the two ends a whole CPU's load apart).
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from harness.reports.machine_load import LOAD_TOLERANCE_PER_CPU, comparable

#: loads on a grid of quarter steps: every difference is exact in binary, so the boundary (a
#: difference equal to the tolerance, comparable) is judged the same way by the oracle and the code
_GRID = [0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5]


def _load(start: float, end: float, cpus: int) -> dict[str, Any]:
    return {"cpus": cpus, "load_1min_start": start, "load_1min_end": end}


def _oracle(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a["cpus"] != b["cpus"]:
        return False
    readings = [a["load_1min_start"], a["load_1min_end"], b["load_1min_start"], b["load_1min_end"]]
    limit = LOAD_TOLERANCE_PER_CPU * a["cpus"]
    return all(abs(x - y) <= limit for x, y in itertools.combinations(readings, 2))


@pytest.mark.parametrize("cpus", [1, 2])
def test_comparable_is_the_oracles_answer_on_every_grid_pair(cpus: int) -> None:
    wrong = []
    for sa, ea, sb, eb in itertools.product(_GRID, repeat=4):
        a, b = _load(sa, ea, cpus), _load(sb, eb, cpus)
        if comparable(a, b)[0] != _oracle(a, b):
            wrong.append((sa, ea, sb, eb))
    assert not wrong, f"{len(wrong)} pairs judged against the rule, first {wrong[:5]}"


@pytest.mark.parametrize(("a", "b", "expected", "why"), [
    # each run steady within the tolerance, the ends apart by twice it: not comparable
    (_load(1.0, 1.5, 2), _load(1.0, 0.5, 2), False, "the machine carried different loads"),
    (_load(1.0, 1.5, 2), _load(1.5, 1.0, 2), True, "comparable within 0.5"),
    (_load(1.0, 1.0, 2), _load(1.0, 1.0, 8), False, "the runs ran on 2 and 8 CPUs"),
    (_load(1.0, 1.0, 8), _load(1.0, 1.0, 2), False, "the runs ran on 8 and 2 CPUs"),
    (_load(1.0, 1.0, 4), _load(1.0, 1.0, 4), True, "comparable within 1"),
])
def test_a_table_of_load_records_with_the_verdict_each_way(a: dict[str, Any], b: dict[str, Any],
                                                           expected: bool, why: str) -> None:
    for x, y in ((a, b), (b, a)):
        ok, said = comparable(x, y)
        assert ok is expected, said
    assert why in comparable(a, b)[1]


def test_the_grid_holds_cases_each_way() -> None:
    """The oracle test is not vacuous: the grid holds comparable pairs and pairs that are not, and
    pairs whose starts agree while their ends do not."""
    verdicts = [_oracle(_load(sa, ea, 2), _load(sb, eb, 2)) for sa, ea, sb, eb in itertools.product(_GRID, repeat=4)]
    assert any(verdicts) and not all(verdicts)
    assert not _oracle(_load(1.0, 1.5, 2), _load(1.0, 0.5, 2))
