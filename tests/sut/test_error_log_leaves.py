"""The error log counts the strings and numbers made for each error, and never a shared one twice.

A healthy soak's error log fills for hours (its records' formatted messages and a stall's float
details among them); counting only the records' own containers left about a third of its growth
in every series the memory judge reads, enough to read a healthy hour inconclusive. The leaves
are counted only where nothing but their error refers to them (``held.FRESH_REFS``): a literal,
a device's name or a string every record shares adds its bytes for a few records at most, so the
figure stays a lower bound and no leak hides behind it.
"""

from __future__ import annotations

import gc
import tracemalloc

from system_under_test.coordinator import ComponentCoordinator
from system_under_test.errors import CallbackError, DeviceLostError, DeviceStalledError, ErrorInfo, SimulatedError


def _soak_like_errors(coord: ComponentCoordinator, n: int) -> None:
    """``n`` errors of the kinds a healthy simulated soak logs: a device lost (a formatted message,
    its device's name shared by every report), a stall (formatted, float details), a callback
    error (formatted, no details) and a failure whose message is one literal."""
    device = "sim-in"
    for i in range(n):
        k = i % 4
        if k == 0:
            coord.handle_error("device", DeviceLostError(f"simulated device {device!r} disappeared",
                                                         component="device", details={"device": device}))
        elif k == 1:
            stalled = 0.25 + i * 1e-4
            coord.handle_error("device", DeviceStalledError(
                f"no callback for {stalled:.3f} s (8 periods of 5.33 ms)", component="device",
                details={"stalled_for_s": stalled, "device": device, "callbacks": 1000 + i}))
        elif k == 2:
            coord.handle_error("input", CallbackError(f"device delivered ({i}, 2) input, expected (256, 2)",
                                                      component="input"))
        else:
            coord.handle_error("device", SimulatedError("simulated failure in device", component="device"),
                               requires_recovery=False)


def _traced_growth(fill) -> tuple[ComponentCoordinator, int]:
    """A fresh coordinator filled by ``fill`` and the bytes tracemalloc saw it keep (collected)."""
    tracemalloc.start()
    try:
        gc.collect()
        coord = ComponentCoordinator()
        before = tracemalloc.get_traced_memory()[0]
        fill(coord)
        gc.collect()
        return coord, tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def test_a_soak_like_error_log_is_counted_close_to_whole_and_never_above_it():
    coord, kept = _traced_growth(lambda c: _soak_like_errors(c, 4000))
    held = coord.error_fill().held_bytes
    assert held <= kept, (held, kept)
    # the records' containers alone were ~2/3 of it
    assert held >= 0.85 * kept, (held, kept)


def test_a_string_every_record_shares_is_not_counted_for_each():
    """One long message every error is raised with (a module's constant, a literal): counting it
    per record would take far more than the log holds out of the RSS and hide a leak of the
    difference."""
    shared = "x" * 1_900  # under ``errors.MAX_TEXT``: a longer one is cut, a new string per record
    literal_each_time = "a literal message the same object at every raise"

    def fill(c: ComponentCoordinator) -> None:
        for _ in range(1500):
            c.handle_error("dsp", SimulatedError(shared, component="dsp"), requires_recovery=False)
            c.handle_error("dsp", SimulatedError(literal_each_time, component="dsp"), requires_recovery=False)

    coord, kept = _traced_growth(fill)
    held = coord.error_fill().held_bytes
    assert held <= kept, (held, kept)
    assert kept < 1500 * 1_900  # the shared text is held once


def test_an_info_reported_again_counts_none_of_its_leaves():
    """An ``ErrorInfo`` reported more than once (kept by its reporter) shares its message and
    details with every record that holds it, whatever their own references say: only each
    record's seq is its own."""
    import sys

    info = ErrorInfo.of(DeviceStalledError("x" * 20_000, component="device", details={"stalled_for_s": 1.5}))
    coord = ComponentCoordinator()
    for _ in range(300):
        coord.handle_error("device", info, requires_recovery=False)
    assert all(b <= sys.getsizeof(10**6) for b in coord._errors_leaf_bytes), set(coord._errors_leaf_bytes)


def test_the_leaves_given_back_as_the_log_turns_over_are_the_ones_counted_as_it_filled():
    """A full log turning over gives back each oldest record's leaves as counted when it came (its
    references have changed since): after any number of turns the figure is what the records now
    held were counted at, and a log emptied by turning over through literal-only records holds
    only those."""
    from collections import deque

    coord = ComponentCoordinator()
    coord._errors = deque(maxlen=50)
    _soak_like_errors(coord, 400)
    full = coord.error_fill().held_bytes
    for _ in range(50):
        coord.handle_error("device", SimulatedError("simulated failure in device", component="device"),
                           requires_recovery=False)
    after = coord.error_fill().held_bytes
    assert after < full
    assert len(coord._errors_leaf_bytes) == 50


def test_each_record_s_leaf_figure_counts_its_slot_and_its_own_int():
    """The figure kept beside each record (``_errors_leaf_bytes``) is memory the log holds for that
    record too: a pointer in its deque (8 bytes, as the log's own pointer to a record,
    ``held._SLOT``) and, past the interpreter's small ints, the int itself. Left out, the log's
    figure falls 8 bytes a record short of what it keeps, in every series the memory judge reads."""
    import sys
    from collections import deque

    from system_under_test.clock import VirtualClock
    from system_under_test.held import error_record_bytes

    def kept_by_a_deque_of(n: int) -> int:
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            figures = deque(range(1000, 1000 + n))  # ints made before: only the deque's own memory
            return tracemalloc.get_traced_memory()[0] - before - sum(sys.getsizeof(f) for f in figures)
        finally:
            tracemalloc.stop()

    assert kept_by_a_deque_of(6400) >= 8 * 6400  # a slot per item at least: what the count below adds
    coord = ComponentCoordinator(VirtualClock())  # the virtual clock's time: one float, shared
    for i in range(600):
        # a literal (nothing of its own) and a long formatted message (a figure past the small ints),
        # made in the call: a local name would be one more reference, and the message not the error's own
        coord.handle_error("dsp", SimulatedError("simulated failure in dsp" if i % 2 else
                                                 f"device delivered ({i}, 2) input, {'x' * 300}", component="dsp"),
                           requires_recovery=False)
    figures = list(coord._errors_leaf_bytes)
    assert any(f > 256 for f in figures) and any(f <= 256 for f in figures)
    records_and_leaves = sum(error_record_bytes(r) for r in coord._errors) + sum(figures)
    assert coord.error_fill().held_bytes - records_and_leaves == sum(
        8 + (sys.getsizeof(f) if f > 256 else 0) for f in figures)
