"""The system's bounded logs report their fill and a lower bound of their bytes (``held``).

A soak's memory judge takes those bytes out of the RSS it judges (``harness.leaks``), so they
must never count more than the records hold: what the process gives back when the records go
is the measure. They must not count so little that the correction is empty either.
"""

from __future__ import annotations

import gc
import tracemalloc

from system_under_test import AudioSystem
from system_under_test.coordinator import ComponentCoordinator, _kept_leaf_bytes
from system_under_test.errors import DeviceStalledError, SimulatedError
from system_under_test.lifecycle import State


def _fill(coord: ComponentCoordinator, n: int) -> None:
    """``n`` errors as the system reports them (a stall with its evidence, a device error
    without details) and ``n`` transitions, into the coordinator's two logs. Driven directly:
    a simulated run long enough to fill them takes minutes under ``tracemalloc``."""
    for i in range(n):
        if i % 2:
            coord.handle_error("device", DeviceStalledError(
                f"no callback for {0.25 + i * 1e-4:.3f} s (8 periods of 5.33 ms)", component="device",
                details={"stalled_for_s": 0.25 + i * 1e-4, "device": "sim", "input_device": "sim",
                         "output_device": "sim", "callbacks": i}), requires_recovery=False)
        else:
            coord.handle_error("dsp", SimulatedError(f"simulated failure #{i}", component="dsp"),
                               requires_recovery=False)
        coord.history.append(float(i), "dsp", State.RUNNING, State.RECOVERING, f"error #{i}")


def _runs_bytes(log) -> int:
    """The bytes of a transition log's runs of causes (``held.CauseRuns``), its strings left out:
    a slot for each run's cause and one for its length (short runs: cached ints)."""
    runs = log._causes
    assert all(n < 257 for n in runs._lengths)
    return 16 * len(runs._causes)


def _freed_by_dropping(log, *beside) -> int:
    """What the process gives back when ``log`` lets every record go, with the figures kept
    beside its records (``beside``: the error log's leaves' bytes)."""
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    log.clear()
    for kept in beside:
        kept.clear()
    gc.collect()
    return before - tracemalloc.get_traced_memory()[0]


def test_the_logs_bytes_are_a_lower_bound_of_what_their_records_hold():
    tracemalloc.start()
    try:
        coord = ComponentCoordinator()
        _fill(coord, 3000)
        errors, transitions = coord.error_fill(), coord.history.fill()
        assert errors.records == transitions.records == 3000 and not errors.full
        freed_errors = _freed_by_dropping(coord._errors, coord._errors_leaf_bytes)
        freed_transitions = _freed_by_dropping(coord.history._records, coord.history._causes._causes, coord.history._causes._lengths)
    finally:
        tracemalloc.stop()
    assert errors.held_bytes <= freed_errors, (errors, freed_errors)
    assert transitions.held_bytes <= freed_transitions, (transitions, freed_transitions)
    # and most of it: a correction that takes out next to nothing would leave the edge where it was
    assert errors.held_bytes >= 0.5 * freed_errors, (errors, freed_errors)
    assert transitions.held_bytes >= 0.4 * freed_transitions, (transitions, freed_transitions)


def test_the_system_reports_both_logs():
    s = AudioSystem({}, seed=3)
    logs = s.bounded_logs()
    assert set(logs) == {"errors", "transitions"}
    assert logs["errors"].maxlen == logs["transitions"].maxlen == 10_000


def test_a_full_log_holds_steady_bytes_as_it_turns_over():
    from system_under_test.lifecycle import TransitionHistory

    log = TransitionHistory(100)
    for i in range(400):  # past the small ints' cache: every seq held is one made for its record
        log.append(float(i), "dsp", State.RUNNING, State.RUNNING, "tick")
    full = log.fill()
    for i in range(400, 1000):
        log.append(float(i), "dsp", State.RUNNING, State.RUNNING, "tick")
    assert full.full and log.fill().records == 100
    assert log.fill().held_bytes == full.held_bytes


def test_a_log_of_size_zero_holds_no_bytes():
    from system_under_test.lifecycle import TransitionHistory

    log = TransitionHistory(0)
    for i in range(10):
        log.append(float(i), "dsp", State.RUNNING, State.RUNNING, "tick")
    assert log.fill().records == 0 and log.fill().held_bytes == 0 and log.dropped == 10


def test_records_that_share_their_text_and_have_no_details_are_not_overcounted():
    """Errors without details whose message is one literal (a callback error raised the same way
    every time): a record then holds little of its own, and what it does not own (the message,
    the shared empty details mapping) must not be counted, or the bytes the judge takes out of the
    RSS would exceed what the log holds and hide a leak of the difference."""
    tracemalloc.start()
    try:
        coord = ComponentCoordinator()
        for _ in range(3000):
            coord.handle_error("dsp", SimulatedError("simulated failure", component="dsp"),
                               requires_recovery=False)
        errors = coord.error_fill()
        freed = _freed_by_dropping(coord._errors, coord._errors_leaf_bytes)
    finally:
        tracemalloc.stop()
    assert errors.records == 3000
    assert errors.held_bytes <= freed, (errors, freed)


def test_an_error_record_counts_its_details_mapping_only_when_it_has_one():
    """The documented parts of an error record's bytes: the log's pointer, the record, its info,
    and, when the info has details, the read-only mapping and the dict it wraps; an empty mapping
    is the shared ``_NO_DETAILS`` and counts nothing."""
    import sys

    from system_under_test.held import error_record_bytes

    coord = ComponentCoordinator()
    coord.handle_error("device", DeviceStalledError("no callback", component="device",
                                                    details={"stalled_for_s": 0.3, "device": "sim"}),
                       requires_recovery=False)
    coord.handle_error("dsp", SimulatedError("boom", component="dsp"), requires_recovery=False)
    with_details, without = coord._errors
    assert with_details.error.details and not without.error.details
    base = 8 + sys.getsizeof(without) + sys.getsizeof(without.error)
    assert error_record_bytes(without) == base
    details = with_details.error.details
    assert error_record_bytes(with_details) == (8 + sys.getsizeof(with_details) + sys.getsizeof(with_details.error)
                                                + sys.getsizeof(details) + sys.getsizeof(dict(details)))
    leaves = sum(_kept_leaf_bytes(b) for b in coord._errors_leaf_bytes)
    assert coord.error_fill().held_bytes == error_record_bytes(with_details) + error_record_bytes(without) + leaves


def test_a_log_turning_over_holds_exactly_its_records_bytes():
    """The running count gives back the oldest record's bytes when the newest pushes it out: at any
    time it is the sum over the records held, whatever has gone through (a small bound stands for
    the error log's 10 000)."""
    from collections import deque

    from system_under_test.held import error_record_bytes, transition_record_bytes
    from system_under_test.lifecycle import TransitionHistory

    log = TransitionHistory(4)
    coord = ComponentCoordinator()
    coord._errors = deque(maxlen=4)
    for i in range(11):
        log.append(float(i), "dsp", State.RUNNING, State.RUNNING, "tick")
        if i % 3:
            coord.handle_error("dsp", SimulatedError(f"#{i}", component="dsp"), requires_recovery=False)
        else:
            coord.handle_error("device", DeviceStalledError("stall", component="device",
                                                            details={"callbacks": i, "x" * i: i}),
                               requires_recovery=False)
        assert log.fill().held_bytes == sum(transition_record_bytes(r) for r in log.records()) + _runs_bytes(log)
        assert len(coord._errors_leaf_bytes) == len(coord._errors)
        assert coord.error_fill().held_bytes == (sum(error_record_bytes(r) for r in coord._errors)
                                                 + sum(_kept_leaf_bytes(b) for b in coord._errors_leaf_bytes))
    assert log.fill().records == coord.error_fill().records == 4
    assert log.dropped == coord.errors_dropped == 7


def test_a_transition_record_counts_the_log_s_pointer_as_an_error_record_does():
    """Both logs are deques, and each counts its pointer to a record (``held._SLOT``) beside the
    record: a transition record's bytes are the record's own size and the same pointer an error
    record without details counts beside its record and its info."""
    import sys

    from system_under_test.held import error_record_bytes, transition_record_bytes
    from system_under_test.lifecycle import TransitionHistory

    log = TransitionHistory(4)
    log.append(0.0, "dsp", State.RUNNING, State.RECOVERING, "stall")
    (transition,) = log.records()
    coord = ComponentCoordinator()
    coord.handle_error("dsp", SimulatedError("boom", component="dsp"), requires_recovery=False)
    (error,) = coord._errors
    pointer = error_record_bytes(error) - sys.getsizeof(error) - sys.getsizeof(error.error)
    assert pointer > 0
    assert transition_record_bytes(transition) == pointer + sys.getsizeof(transition)
    assert log.fill().held_bytes == pointer + sys.getsizeof(transition) + _runs_bytes(log)  # a literal cause


def _xrun_reports(coord: ComponentCoordinator, n: int) -> None:
    """``n`` xrun reports as a device reports them (``PortAudioDevice``'s rate-limited
    ``XrunError``: the count and the status flags' names, a list, in its details)."""
    from system_under_test.errors import XrunError

    for i in range(n):
        count = i % 7 + 1
        coord.handle_error("device", XrunError(
            f"{count} flagged block(s): input_overflow, output_underflow", component="device",
            details={"count": count, "flags": ["input_overflow", "output_underflow"]}))


def test_an_error_record_counts_the_lists_inside_its_details():
    """A detail that is a list (an xrun report's flags) is a container ``ErrorInfo.of`` made for
    this record alone: its bytes are the record's (its strings are not)."""
    import sys

    from system_under_test.held import error_record_bytes

    coord = ComponentCoordinator()
    _xrun_reports(coord, 1)
    (record,) = coord._errors
    details = record.error.details
    flags = details["flags"]
    assert isinstance(flags, list)
    assert error_record_bytes(record) == (8 + sys.getsizeof(record) + sys.getsizeof(record.error)
                                          + sys.getsizeof(details) + sys.getsizeof(dict(details))
                                          + sys.getsizeof(flags))


def test_xrun_reports_bytes_stay_a_lower_bound_with_their_flags_counted():
    """What the log reports for a soak's worth of xrun reports is at most what dropping them
    frees, and most of it (the rig's error log is all xrun reports)."""
    tracemalloc.start()
    try:
        coord = ComponentCoordinator()
        _xrun_reports(coord, 3000)
        errors = coord.error_fill()
        freed = _freed_by_dropping(coord._errors, coord._errors_leaf_bytes)
    finally:
        tracemalloc.stop()
    assert errors.records == 3000
    assert errors.held_bytes <= freed, (errors, freed)
    assert errors.held_bytes >= 0.7 * freed, (errors, freed)


def test_the_error_log_keeps_its_own_bound_whatever_the_history_size():
    """The error log's bound (10 000 records) is its own, not the transition history's: a system
    built with a short history (``AudioSystem(history_size=...)``) still keeps every error up to
    that bound, and its fill says so."""
    for history_size in (0, 3):
        coord = ComponentCoordinator(history_size=history_size)
        for i in range(5):
            coord.handle_error("dsp", SimulatedError(f"simulated failure #{i}", component="dsp"),
                               requires_recovery=False)
        assert [r.error.message for r in coord.errors()] == [f"simulated failure #{i}" for i in range(5)]
        fill = coord.error_fill()
        assert (fill.records, fill.maxlen, coord.errors_dropped) == (5, 10_000, 0)
        assert coord.history.maxlen == history_size


def test_an_error_record_counts_every_list_and_dict_nested_in_its_details():
    """``ErrorInfo.of`` copies every list, tuple and dict of a detail afresh (``errors._json_safe``),
    however deep: each is this record's alone, and each is counted once, its leaves (strings,
    numbers) never. A device's report can carry a mapping of lists (per-channel flags); counting
    only the outer container, or subtracting the inner ones, would leave their growth in the RSS a
    soak judges, or hide a leak behind the log."""
    import sys

    from system_under_test.errors import XrunError
    from system_under_test.held import detail_container_bytes, error_record_bytes

    coord = ComponentCoordinator()
    coord.handle_error("device", XrunError("2 flagged block(s)", component="device", details={
        "count": 2, "flags": [["input_overflow"], ["output_underflow", "priming_output"]],
        "channels": {"in": ["input_overflow"], "out": {"0": [], "1": ["output_underflow"]}}}))
    (record,) = coord._errors
    details = record.error.details
    flags, channels = details["flags"], details["channels"]
    nested = (sys.getsizeof(flags) + sys.getsizeof(flags[0]) + sys.getsizeof(flags[1])
              + sys.getsizeof(channels) + sys.getsizeof(channels["in"]) + sys.getsizeof(channels["out"])
              + sys.getsizeof(channels["out"]["0"]) + sys.getsizeof(channels["out"]["1"]))
    assert detail_container_bytes(flags) + detail_container_bytes(channels) == nested
    assert detail_container_bytes(details["count"]) == 0
    assert detail_container_bytes("input_overflow") == 0
    assert error_record_bytes(record) == (8 + sys.getsizeof(record) + sys.getsizeof(record.error)
                                          + sys.getsizeof(details) + sys.getsizeof(dict(details)) + nested)


def test_an_error_record_s_nested_details_are_copies_of_the_caller_s_at_every_depth() -> None:
    """``ErrorInfo.of`` copies every list, tuple and dict of a detail, at every depth
    (``errors._json_safe``): ``held``'s byte counts charge each nested container to its record
    alone, and a caller that changes its own lists afterwards changes no record. A shallow copy
    shares the inner containers with the caller."""
    from system_under_test.errors import AudioSystemError, ErrorInfo

    inner_list, inner_dict, deeper = [1, 2], {"k": [3]}, [[4]]
    details = {"flags": [inner_list, inner_dict], "deep": {"x": deeper}, "pair": (inner_list, 5)}
    info = ErrorInfo.of(AudioSystemError("boom", details=details))
    got = info.details
    made = [got["flags"], got["flags"][0], got["flags"][1], got["flags"][1]["k"], got["deep"],
            got["deep"]["x"], got["deep"]["x"][0], got["pair"], got["pair"][0]]
    given = [details["flags"], inner_list, inner_dict, inner_dict["k"], details["deep"], deeper,
             deeper[0], details["pair"], inner_list]
    shared = [i for i, (a, b) in enumerate(zip(made, given)) if a is b]
    assert shared == []
    inner_list.append(99)
    inner_dict["k"].append(99)
    deeper[0].append(99)
    assert got["flags"] == [[1, 2], {"k": [3]}] and got["deep"] == {"x": [[4]]}
    assert got["pair"] == [[1, 2], 5]


def test_a_soak_like_transition_log_is_counted_close_to_whole():
    """A log filled as the system fills it in a soak: each recovery one formatted cause shared by
    its five records (the system and its four components), then five ``"recovered"`` records.
    What the log counts is what the process gives back when its records go, but for their times
    (a float each recovery's records share, which a record does not own) and never more. Its seqs
    (one int made for each record) were left out at first (63 % of it counted here), then its
    cause strings (83 %: the formatted causes, counted once each while only the log holds them)."""
    import sys

    from system_under_test.lifecycle import TransitionHistory

    components = ("system", "device", "output", "input", "dsp")
    tracemalloc.start()
    try:
        log = TransitionHistory(10_000)
        times = []
        for i in range(1_000):
            now = 0.25 + i * 0.6
            later = now + 0.5
            cause = f"DeviceStalledError: no callback for {0.25 + i * 1e-4:.3f} s (8 periods of 5.33 ms)"
            for name in components:
                log.append(now, name, State.RUNNING, State.RECOVERING, cause)
            for name in components:
                log.append(later, name, State.RECOVERING, State.RUNNING, "recovered")
            times += [now, later]
        del cause, now, later
        time_bytes = sum(sys.getsizeof(t) for t in times)
        times.clear()
        held = log.fill()
        assert held.records == 10_000
        freed = _freed_by_dropping(log._records, log._causes._causes, log._causes._lengths)
    finally:
        tracemalloc.stop()
    assert freed - time_bytes - 256 <= held.held_bytes <= freed, (held, freed, time_bytes)


def test_a_cause_string_is_counted_once_and_only_while_the_log_alone_holds_it():
    """A formatted cause shared by five records is the log's once; one something else still holds
    (the harness's history, an error) is not the log's, until that holder lets go; a literal is
    its code's, never the log's; a cause goes from the count with the last record holding it."""
    import sys

    from system_under_test.held import transition_record_bytes
    from system_under_test.lifecycle import TransitionHistory

    log = TransitionHistory(6)

    def records_and_runs() -> int:
        return sum(transition_record_bytes(r) for r in log.records()) + _runs_bytes(log)

    shared = "".join(["DeviceStalledError: ", "no callback for 0.731 s"])
    kept_elsewhere = "".join(["DeviceLostError: ", "sim-in disappeared"])
    for _ in range(5):
        log.append(1.0, "dsp", State.RUNNING, State.RECOVERING, shared)
    log.append(2.0, "dsp", State.RECOVERING, State.RECOVERING, kept_elsewhere)
    del shared
    assert log.fill().held_bytes == records_and_runs() + sys.getsizeof(log.records()[0].cause)
    log.append(3.0, "dsp", State.RECOVERING, State.RUNNING, "recovered")  # pushes one of the five out
    own = sys.getsizeof(log.records()[0].cause)
    assert log.fill().held_bytes == records_and_runs() + own
    del kept_elsewhere  # its holder lets go: the log's alone now
    assert log.fill().held_bytes == records_and_runs() + own + sys.getsizeof(log.records()[4].cause)
    for _ in range(6):
        log.append(4.0, "dsp", State.RUNNING, State.RUNNING, "recovered")
    assert log.fill().held_bytes == records_and_runs()  # only the literal's records are left
    assert list(log._causes._lengths) == [6]


def test_equal_causes_held_by_records_in_a_row_are_each_counted_as_their_own():
    """Two recoveries in a row formatted the same text into two strings: each is its records'
    alone, so each is counted, in a run of its own (equal is not the same object: one run for both
    would leave the second uncounted and the first's references no longer its run's records)."""
    import sys

    from system_under_test.held import transition_record_bytes
    from system_under_test.lifecycle import TransitionHistory

    log = TransitionHistory(6)
    first = "".join(["DeviceStalledError: ", "no callback for 0.731 s"])
    second = "".join(["DeviceStalledError: ", "no callback for 0.731 s"])
    assert first == second and first is not second
    for cause in (first, first, second, second):
        log.append(1.0, "dsp", State.RUNNING, State.RECOVERING, cause)
    size = sys.getsizeof(first)
    del first, second, cause
    records = sum(transition_record_bytes(r) for r in log.records())
    assert list(log._causes._lengths) == [2, 2]
    assert log.fill().held_bytes == records + _runs_bytes(log) + 2 * size
