"""A soak's history window is a bounded log: the leak judge takes its bytes out of the RSS.

A soak's history keeps its newest 5 000 to 10 000 entries in memory (``runner.HISTORY_WINDOW``);
on a real device, at a few thousand entries an hour, that window fills for over an hour, and the
process's RSS grows with it: bounded growth, the harness's own, which the judge read as "slowing"
(inconclusive) or worse. ``History.bounded_logs`` reports the most bytes the window has held
(a lower bound, from the entries' own objects), sampled as ``harness_log_bytes`` by the same rule
as the system's logs (``leaks.log_books``) and taken out of ``rss_bytes`` by the report's judge.

The process's memory here is modelled by tracemalloc's peak of what the Python allocator traced
while the history was filled (the RSS keeps what a window cut back frees, as the peak does),
plus seeded allocator noise and, where a case says so, a leak: deterministic, no wall clock.
"""

from __future__ import annotations

import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from harness.history import History
from harness.leaks import log_books
from harness.reports.build import _leaks

HOUR = 3600.0
SAMPLE_EVERY_S = 5.0
MB = 1_000_000


def _record_one(h: History, i: int, t: float) -> None:
    """One entry shaped as a soak records them: mostly transitions, an event with nested data."""
    if i % 3:
        h.record("transition", time=t, data={"seq": i, "time": t, "component": "device",
                                             "from_state": "running", "to_state": "recovering",
                                             "cause": "xrun", "actor": "watchdog"})
    else:
        h.record("event", time=t, data={"kind": "xrun", "component": "device",
                                        "detail": {"frames": i * 256, "at": t, "ports": ["out_1", "out_2"]}})


def _soak_samples(tmp_path: Path, seed: int, *, entries_per_hour: int, leak_per_hour: float,
                  keep: int = 5_000) -> tuple[list[dict[str, float]], History]:
    """An hour sampled every 5 s while a windowed history fills at ``entries_per_hour``."""
    rng = np.random.default_rng(seed)
    h = History(stream_to=tmp_path / f"history-{seed}.jsonl", keep=keep)
    samples: list[dict[str, float]] = []
    tracemalloc.start()
    try:
        i = 0
        for t in np.arange(0.0, HOUR + SAMPLE_EVERY_S / 2, SAMPLE_EVERY_S):
            while i < entries_per_hour * t / HOUR:
                _record_one(h, i, float(t))
                i += 1
            peak = tracemalloc.get_traced_memory()[1]
            rss = 80 * MB + peak + leak_per_hour * t / HOUR + rng.normal(0, 50_000)
            samples.append({"t": float(t), "segment": 0, "rss_bytes": float(round(rss)), "threads": 12.0,
                            "sut_log_bytes": 0.0, **log_books(h, "harness")})
    finally:
        tracemalloc.stop()
        h.close()
    return samples, h


@pytest.mark.parametrize("seed", range(3))
def test_a_history_window_filling_during_a_soak_is_not_read_as_growth(tmp_path: Path, seed: int) -> None:
    # 9 500 entries over the hour: the window fills all hour and is never cut back
    samples, _ = _soak_samples(tmp_path, seed, entries_per_hour=9_500, leak_per_hour=0.0)
    v = _leaks(samples)["rss_bytes"]
    grew = samples[-1]["rss_bytes"] - samples[0]["rss_bytes"]
    assert grew > 4.5 * MB, grew  # over the 4 MiB/h threshold: the window alone would be judged
    unheld = _leaks([{k: x for k, x in s.items() if k != "harness_log_bytes"} for s in samples])["rss_bytes"]
    assert unheld.verdict == "leak", unheld.reason  # what the window's filling read as, not taken out
    assert v.verdict == "ok", v.reason
    assert v.held_last is not None and v.held_last > 0.5 * grew, (v.held_last, grew)


@pytest.mark.parametrize("seed", range(2))
def test_a_leak_beside_a_filling_history_window_is_still_a_leak(tmp_path: Path, seed: int) -> None:
    samples, _ = _soak_samples(tmp_path, seed, entries_per_hour=9_500, leak_per_hour=20 * MB)
    v = _leaks(samples)["rss_bytes"]
    assert v.verdict == "leak", v.reason


def test_the_window_reports_its_peak_after_it_is_cut_back(tmp_path: Path) -> None:
    h = History(stream_to=tmp_path / "h.jsonl", keep=100)
    for i in range(199):
        _record_one(h, i, float(i))
    before = h.bounded_logs()["history_window"]
    _record_one(h, 199, 199.0)  # the 200th entry: the window is cut back to 100
    after = h.bounded_logs()["history_window"]
    h.close()
    assert (before.records, before.maxlen, after.records) == (199, 200, 100)
    assert after.held_bytes >= before.held_bytes > 0  # the memory freed is the next entries'


def test_the_reported_bytes_are_a_lower_bound_of_what_the_entries_hold(tmp_path: Path) -> None:
    h = History(stream_to=tmp_path / "h.jsonl", keep=10_000)
    _record_one(h, 0, 0.0)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        held_before = h.bounded_logs()["history_window"].held_bytes
        for i in range(1, 3001):
            _record_one(h, i, float(i))
        traced = tracemalloc.get_traced_memory()[0] - before
        held = h.bounded_logs()["history_window"].held_bytes - held_before
    finally:
        tracemalloc.stop()
    h.close()
    assert 0 < held <= traced, (held, traced)


def test_a_history_holding_every_entry_reports_no_bounded_log(tmp_path: Path) -> None:
    """Without a window the entries are the run's whole history: their growth is not a buffer's."""
    unbounded = History(stream_to=tmp_path / "h.jsonl")
    in_memory = History(keep=10)
    for i in range(50):
        _record_one(unbounded, i, float(i))
        _record_one(in_memory, i, float(i))
    unbounded.close()
    assert unbounded.bounded_logs() == {} and in_memory.bounded_logs() == {}
    assert log_books(unbounded, "harness") == {}


def _containers(value: object) -> int:
    """The bytes of every dict and list in ``value``, itself included (``sys.getsizeof`` each)."""
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(_containers(v) for v in value.values())
    if isinstance(value, list):
        return sys.getsizeof(value) + sum(_containers(v) for v in value)
    return 0


def test_an_entrys_lists_are_counted_in_the_windows_bytes(tmp_path: Path) -> None:
    """Every list and dict ``jsonable`` made for an entry is its own (a device's status flags, a
    transition path, a list of lists): the window's bytes grow by at least the entry and all of
    them, lists as much as dicts, or the window's filling is left in the judged RSS."""
    h = History(stream_to=tmp_path / "h.jsonl", keep=10_000)
    _record_one(h, 0, 0.0)
    for i in range(1, 50):
        held_before = h.bounded_logs()["history_window"].held_bytes
        entry = h.record("event", time=float(i), data={
            "kind": "xrun", "flags": ["output_underflow", "priming_output"],
            "path": [["running", "recovering"], ["recovering", "running"]], "detail": {"ports": [i, i + 1]}},
            value=[i, [i, i]])
        grew = h.bounded_logs()["history_window"].held_bytes - held_before
        made = sys.getsizeof(entry) + _containers(entry.data) + _containers(entry.value)
        assert grew >= made, (i, grew, made)
    h.close()
