"""``drops_cycles_5mb_per_hour``: cyclic garbage at a set rate, which only the collector frees."""

from __future__ import annotations

import gc
from typing import Any

from harness.leak_mutants import CYCLE_GARBAGE_RATE, PIECE_BYTES, CyclicGarbage, drops_cycles_5mb_per_hour


def _pieces_alive(made_ids: set[int]) -> int:
    """The pieces among ``made_ids`` the collector still tracks (a list holding itself: an id
    reused by another object does not count)."""
    def is_piece(o: Any) -> bool:
        return type(o) is list and len(o) == 2 and o[1] is o and isinstance(o[0], bytearray)
    return sum(1 for o in gc.get_objects() if id(o) in made_ids and is_piece(o))


def test_cycles_are_made_at_the_rate_and_held_for_their_minute() -> None:
    garbage = CyclicGarbage(CYCLE_GARBAGE_RATE)
    for second in range(601):
        garbage.advance(float(second))
    assert garbage.made == int(CYCLE_GARBAGE_RATE * 600 / 3600 / PIECE_BYTES)  # 203: the owed bytes, whole pieces
    assert abs(len(garbage.held) - CYCLE_GARBAGE_RATE * 60 / 3600 / PIECE_BYTES) <= 1  # a minute's pieces
    assert garbage.dropped_bytes == (garbage.made - len(garbage.held)) * PIECE_BYTES


def test_a_dropped_cycle_is_freed_by_the_collector_and_not_before() -> None:
    """What makes it the collector's case: dropped pieces outlive their last reference until a
    collection, and a collection frees every one of them."""
    garbage = CyclicGarbage(CYCLE_GARBAGE_RATE, hold_s=10.0)
    made_ids: set[int] = set()
    gc.collect()
    gc.disable()
    try:
        for second in range(121):
            garbage.advance(float(second))
            made_ids.update(id(piece) for _, piece in garbage.held)
        dropped = garbage.made - len(garbage.held)
        assert dropped > 20
        assert _pieces_alive(made_ids) == garbage.made  # dropped, still there
        gc.collect()
        assert _pieces_alive(made_ids) == len(garbage.held)
    finally:
        gc.enable()


def test_the_factory_is_the_default_system_with_its_garbage_advanced_each_block() -> None:
    from system_under_test import AudioSystem

    system = drops_cycles_5mb_per_hour()
    assert isinstance(system, AudioSystem) and system.garbage.rate_per_hour == CYCLE_GARBAGE_RATE
