"""A mute that joins the glitches just after it keeps its first ``PARTS_KEPT`` parts and says when it
let any go (``parts_lost``).

Why it matters: the rig lays a joined mute on the machine only when every part is the machine's
(``AudioCheck.machine_cause``), and it can judge only the parts it kept. A mute whose later parts
were let go without saying so would be judged by its first ``PARTS_KEPT`` and laid on the machine
though a part it no longer holds was the system's. The expected outcome of each case is counted by
hand: the mute's own first part plus ``joins`` parts, kept up to ``PARTS_KEPT``, lost beyond."""

from __future__ import annotations

import pytest

from harness.audio_check import PARTS_KEPT, _Event

_CYCLE = 256


def _mute(joins: int) -> _Event:
    """A one-cycle mute at frame 0 that joins ``joins`` one-cycle silences, a cycle apart."""
    ev = _Event(start_frame=0, end_frame=_CYCLE, kind="mute", size=_CYCLE, t_start=0.0,
                t_end=_CYCLE / 48_000, window=0)
    for k in range(1, joins + 1):
        f0 = 2 * k * _CYCLE
        ev.join(f0, f0 + _CYCLE, f0 / 48_000, (f0 + _CYCLE) / 48_000, "mute", _CYCLE)
        ev.end_frame = f0 + _CYCLE
    return ev


@pytest.mark.parametrize("joins", [1, PARTS_KEPT - 2, PARTS_KEPT - 1, PARTS_KEPT, PARTS_KEPT + 1, 3 * PARTS_KEPT])
def test_a_joined_mute_keeps_its_first_parts_and_says_when_it_let_any_go(joins: int) -> None:
    ev = _mute(joins)
    total = 1 + joins
    assert ev.parts is not None and len(ev.parts) == min(total, PARTS_KEPT)
    assert [p[0] for p in ev.parts] == [2 * k * _CYCLE for k in range(min(total, PARTS_KEPT))]
    assert ev.parts_lost is (total > PARTS_KEPT)
    row = ev.to_dict()
    assert len(row["parts"]) == min(total, PARTS_KEPT)
    assert row.get("parts_lost", False) is (total > PARTS_KEPT)
