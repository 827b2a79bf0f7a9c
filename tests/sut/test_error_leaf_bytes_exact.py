"""The leaves counted for each error record, exactly (``held.error_record_leaf_bytes``) and what
keeping that figure costs (``coordinator._kept_leaf_bytes``).

The soak-like tests of ``test_error_log_leaves.py`` hold the sum between bounds that tracemalloc
measures; these pin each leaf: a seq past the interpreter's small-int cache, a message or a
detail made for this error alone, never a literal, a shared string, a small int or a container.
A leaf counted that is shared hides a leak of its size behind the log; one left out leaves the
log's growth in the series the memory judge reads.
"""

from __future__ import annotations

import sys

from system_under_test.coordinator import ComponentCoordinator, _kept_leaf_bytes
from system_under_test.errors import DeviceStalledError, SimulatedError

#: a string every stall report shares (a device's name kept by its stream)
DEVICE = "sim-in"


def _literal_errors(coord: ComponentCoordinator, n: int) -> None:
    for _ in range(n):
        coord.handle_error("dsp", SimulatedError("simulated failure in device", component="dsp"),
                           requires_recovery=False)


def test_a_literal_error_counts_its_seq_only_and_only_past_the_small_int_cache() -> None:
    coord = ComponentCoordinator()
    _literal_errors(coord, 300)
    leaves = list(coord._errors_leaf_bytes)
    assert leaves[:256] == [0] * 256  # seqs 1-256: the interpreter's own ints
    assert leaves[256:] == [sys.getsizeof(257)] * 44  # 257-300: an int made for each record


def test_a_stall_counts_its_formatted_message_and_fresh_numbers_not_its_shared_or_small_ones() -> None:
    coord = ComponentCoordinator()
    _literal_errors(coord, 299)
    i = 300
    coord.handle_error("device", DeviceStalledError(
        f"no callback for {0.25 + i * 1e-4:.3f} s (8 periods of 5.33 ms)", component="device",
        details={"stalled_for_s": 0.25 + i * 1e-4, "device": DEVICE, "callbacks": 1000 + i, "periods": 8,
                 "flags": ["input_underflow"]}), requires_recovery=False)
    message = "no callback for 0.280 s (8 periods of 5.33 ms)"
    seq, float_detail, int_detail = 300, 0.28, 1300
    assert coord._errors_leaf_bytes[-1] == (sys.getsizeof(seq) + sys.getsizeof(message)
                                           + sys.getsizeof(float_detail) + sys.getsizeof(int_detail))


def test_kept_leaf_bytes_adds_the_figure_s_slot_and_its_int_past_the_cache() -> None:
    assert _kept_leaf_bytes(0) == 8
    assert _kept_leaf_bytes(256) == 256 + 8  # 256 is the cache's last int: no int made for it
    assert _kept_leaf_bytes(257) == 257 + 8 + sys.getsizeof(257)
    assert _kept_leaf_bytes(5000) == 5000 + 8 + sys.getsizeof(5000)


def test_the_log_s_bytes_are_its_held_records_and_their_kept_leaves_through_turning_over() -> None:
    """After the log turned over more than twice, its figure is exactly the sum over the records
    it holds of their own bytes and their leaves as kept: what went out was given back whole."""
    from collections import deque

    from system_under_test.held import error_record_bytes

    coord = ComponentCoordinator()
    coord._errors = deque(maxlen=50)
    for i in range(170):
        if i % 2:
            coord.handle_error("device", DeviceStalledError(
                f"no callback for {0.25 + i * 1e-4:.3f} s", component="device",
                details={"stalled_for_s": 0.25 + i * 1e-4, "device": DEVICE}), requires_recovery=False)
        else:
            _literal_errors(coord, 1)
    held = list(zip(coord._errors, coord._errors_leaf_bytes, strict=True))
    assert len(held) == 50 and coord.errors_dropped == 120
    assert coord.error_fill().held_bytes == sum(error_record_bytes(r) + _kept_leaf_bytes(b) for r, b in held)
