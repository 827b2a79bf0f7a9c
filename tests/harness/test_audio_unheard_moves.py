"""A window's counter readings (``_Episode.moves``) against its server outages: what moved in a
reading whose interval meets an outage's span is unheard (``_Episode.unheard``), and only that.

Why: the counters are read once a poll, so a frame dropped while the rig was not listening may be
read in a poll that began inside the outage and ended after the rig heard the server again. Taken
as heard, it asks the analysis to hear a glitch nobody could (a false ``clean_audio`` violation);
taken as unheard beyond the outage, it excuses a loss the rig should have heard. The oracle is
the rule written out independently: a reading ``t0..t1`` meets an outage ``a..b`` (``b`` None:
still open) when ``a <= t1`` and ``b`` is None or later than ``t0``; both intervals are sampled
on a grid that holds every ordering of their ends, touching ends included."""

from __future__ import annotations

import itertools

import pytest

from harness.audio_check import _Episode

_GRID = (0.0, 1.0, 2.0, 3.0, 4.0)


def _meets(t0: float, t1: float, a: float, b: float | None) -> bool:
    return a <= t1 and (b is None or b > t0)


def _episode(moves: list[tuple[float, float, int, int]], outages: list[tuple[float, float | None]]) -> _Episode:
    ep = _Episode(index=0, start=0.0)
    ep.moves = list(moves)
    ep.outages = [{"id": f"o{k}", "from": a, "to": b} for k, (a, b) in enumerate(outages)]
    return ep


_READINGS = [(t0, t1) for t0, t1 in itertools.product(_GRID, _GRID) if t0 <= t1]
_OUTAGES = [(a, b) for a, b in itertools.product(_GRID, (*_GRID, None)) if b is None or a < b]


@pytest.mark.parametrize(("a", "b"), _OUTAGES)
def test_a_reading_is_unheard_exactly_when_its_interval_meets_the_outage(a: float, b: float | None) -> None:
    for k, (t0, t1) in enumerate(_READINGS):
        ep = _episode([(t0, t1, 256, 3)], [(a, b)])
        expected = (256, 3) if _meets(t0, t1, a, b) else (0, 0)
        assert ep.unheard() == expected, (t0, t1, a, b)


def test_readings_are_summed_once_each_however_many_outages_they_meet() -> None:
    moves = [(0.5, 1.5, 10, 0), (1.5, 2.5, 0, 7), (3.5, 4.0, 100, 100), (2.5, 2.9, 1, 1)]
    outages = [(1.0, 2.0), (1.2, 3.0)]
    expected_d = sum(d for t0, t1, d, _ in moves if any(_meets(t0, t1, a, b) for a, b in outages))
    expected_i = sum(i for t0, t1, _, i in moves if any(_meets(t0, t1, a, b) for a, b in outages))
    assert _episode(moves, outages).unheard() == (expected_d, expected_i) == (11, 8)


def test_a_window_without_outages_has_nothing_unheard() -> None:
    assert _episode([(0.0, 1.0, 256, 0)], []).unheard() == (0, 0)
