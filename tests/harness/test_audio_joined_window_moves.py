"""Windows joined into one (``AudioCheck._merge_range``) keep every part's counter readings
(``moves``) beside every part's server outages, so what a later part's counters moved while its
outage was open stays unheard in the joined window.

Why: the outages are carried into the joined window; were the readings not, a block dropped
while the rig could not hear (the system restarting on a new server) would be asked to be heard
once its window joined an earlier one: "counters and audio disagree", a false ``clean_audio``
violation. The oracle is the rule applied to the parts before they are joined: a reading is
unheard when it meets any outage of any part (``_Episode.unheard`` over the union), and the
joined window is consistent exactly when the frames it heard less the unheard ones are zero."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from harness.audio_check import AudioCheck, _Episode


class _Counter:
    value = 0


def _check() -> AudioCheck:
    """An audio check with no ears (no tap, no capture): only its windows' bookkeeping is used."""
    system = SimpleNamespace(monitoring=SimpleNamespace(counter=lambda name: _Counter()),
                             backend=SimpleNamespace(name="none"), clock=SimpleNamespace(now=lambda: 0.0))
    return AudioCheck(system)


def _window(index: int, start: float, moves: list[tuple[float, float, int, int]],
            outages: list[tuple[float, float | None]], dropped0: int) -> _Episode:
    ep = _Episode(index=index, start=start, last_end=start + 1.0, causes=["DeviceLostError"], unrequested=True)
    ep.dropped0 = dropped0
    ep.moves = list(moves)
    ep.outages = [{"id": f"o{index}.{k}", "from": a, "to": b} for k, (a, b) in enumerate(outages)]
    ep.heard_dropped = sum(m[2] for m in moves)
    return ep


def _meets(t0: float, t1: float, a: float, b: float | None) -> bool:
    return a <= t1 and (b is None or b > t0)


#: (why, the first window's readings and outages, the second's)
CASES: list[tuple[str, Any, Any]] = [
    ("a block dropped during the later window's outage",
     ([], []), ([(2.1, 2.3, 256, 0)], [(2.0, 2.6)])),
    ("read in the poll that spans the later outage's end",
     ([], []), ([(2.5, 2.8, 256, 0)], [(2.0, 2.6)])),
    ("both windows' readings, each in its own outage",
     ([(1.1, 1.2, 128, 0)], [(1.0, 1.5)]), ([(2.1, 2.3, 256, 0)], [(2.0, None)])),
    ("an earlier reading that meets the later window's outage",
     ([(1.8, 2.1, 64, 0)], []), ([(2.2, 2.3, 256, 0)], [(2.0, 2.6)])),
]


@pytest.mark.parametrize(("why", "first", "second"), CASES, ids=[c[0] for c in CASES])
def test_a_joined_window_keeps_what_each_part_moved_during_its_outages(why: str, first: Any, second: Any) -> None:
    check = _check()
    a = _window(0, 1.0, *first, dropped0=0)
    b = _window(1, 2.0, *second, dropped0=a.heard_dropped)
    moves, outages = a.moves + b.moves, [*first[1], *second[1]]
    expected = sum(d for t0, t1, d, _ in moves if any(_meets(t0, t1, lo, hi) for lo, hi in outages))
    check._episodes, check._starts = [a, b], [a.start, b.start]
    joined = check._merge_range(0, 1)
    assert check._episodes == [joined]
    assert joined.unheard() == (expected, 0), why
    assert joined.heard_dropped == expected, why  # every frame counted lost was unheard
    assert joined.inconsistent() is None, why


def test_a_block_dropped_outside_every_outage_still_asks_to_be_heard_once_joined() -> None:
    check = _check()
    a = _window(0, 1.0, [], [(1.0, 1.5)], dropped0=0)
    b = _window(1, 2.0, [(2.1, 2.3, 256, 0)], [], dropped0=0)
    check._episodes, check._starts = [a, b], [a.start, b.start]
    joined = check._merge_range(0, 1)
    assert joined.unheard() == (0, 0)
    assert joined.inconsistent() is not None
