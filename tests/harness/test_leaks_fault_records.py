"""The fault injector's newest firings are a bounded log: a soak samples their bytes and the leak
judge takes them out of the RSS, as it does the system's logs and the history's window.

The injector keeps its newest ``RECORDS_KEPT`` (1 000) firings in the soak's own process; under the
default profile they take about an hour to fill, growth the RSS shows and a leak judge would read
as the system's. ``FaultInjector.bounded_logs`` reports them (``system_under_test.held``'s shape),
``ResourceSampler.sample(faults=...)`` samples them as ``faults_log_bytes`` and the report's judge
subtracts them (``HELD_METRICS``). Simulated device and virtual clock: deterministic.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.faults import RECORDS_KEPT, FaultInjector, LateCallback
from harness.faults.injector import record_bytes
from harness.faults.triggers import Every
from harness.leaks import ResourceSampler, log_books
from held_soak import assert_column_taken_out, short_soak_samples


def test_the_injectors_records_report_a_bounded_log_that_stops_growing_once_full(make_system) -> None:
    system = make_system()
    n = RECORDS_KEPT + 300
    inj = FaultInjector(system, [LateCallback(trigger=Every(0.01, count=n), delay_s=0.001)], seed=1).arm()
    system.run_for(0.01 * (RECORDS_KEPT // 2) + 0.005)
    half = inj.bounded_logs()["fault_records"]
    assert 0 < half.records == inj.fired < RECORDS_KEPT
    system.run_for(0.01 * (RECORDS_KEPT // 2))
    full = inj.bounded_logs()["fault_records"]
    system.run_for(0.01 * 300 + 0.5)
    after = inj.bounded_logs()["fault_records"]
    assert inj.fired == n
    assert (full.records, after.records) == (RECORDS_KEPT, RECORDS_KEPT)
    assert after.maxlen == RECORDS_KEPT and after.full
    # the bytes grow with the records while they fill, then hold: what is pushed out is what comes in
    # (within what a longer firing id or another dict layout adds: a byte or so a record)
    assert 0 < half.held_bytes < 0.6 * full.held_bytes
    assert full.held_bytes <= after.held_bytes <= 1.01 * full.held_bytes
    # the peak: what the records hold now is at most that
    assert 0.95 * after.held_bytes < sum(record_bytes(r) for r in inj.records) <= after.held_bytes
    assert full.held_bytes > RECORDS_KEPT * 300  # a record, its dict, two mappings and its id


def test_a_sample_carries_the_injectors_record_bytes(make_system) -> None:
    system = make_system()
    inj = FaultInjector(system, [LateCallback(trigger=Every(0.01, count=50), delay_s=0.001)], seed=1).arm()
    system.run_for(1.0)
    books = log_books(inj, "faults")
    assert books == {"faults_log_bytes": inj.bounded_logs()["fault_records"].held_bytes, "faults_log_records": 50}
    s = ResourceSampler().sample(1.0, system=system, faults=inj)
    assert {k: s.get(k) for k in books} == books


def test_a_records_bytes_are_exactly_what_was_made_for_it_alone(make_system) -> None:
    """``record_bytes``: the record, its attribute dict, its own ``details`` and ``params`` mappings,
    its ``firing_id`` and the deque's pointer, each once; the strings it may share with the
    schedule's faults (kind, target, trigger) and the mappings' values left out. A share of these
    added with the wrong sign, or read from another object, moves the correction the RSS judge
    subtracts by as much per record, 1 000 records a soak."""
    import sys

    system = make_system()
    inj = FaultInjector(system, [LateCallback(trigger=Every(0.01, count=3), delay_s=0.001)], seed=1).arm()
    system.run_for(0.1)
    assert len(inj.records) == 3
    for r in inj.records:
        assert r.details is not r.params and r.firing_id
        assert record_bytes(r) == (8 + sys.getsizeof(r) + sys.getsizeof(r.__dict__) + sys.getsizeof(r.details)
                                   + sys.getsizeof(r.params) + sys.getsizeof(r.firing_id))


def test_the_records_bytes_are_a_lower_bound_of_what_dropping_them_frees(make_system) -> None:
    """What the injector reports for its full log is at most what the process gets back when the
    records go (counting more would hide a leak of that size behind the log), and most of it."""
    import gc
    import tracemalloc

    system = make_system()
    tracemalloc.start()
    try:
        inj = FaultInjector(system, [LateCallback(trigger=Every(0.01, count=RECORDS_KEPT), delay_s=0.001)],
                            seed=1).arm()
        system.run_for(0.01 * RECORDS_KEPT + 0.5)
        assert len(inj.records) == RECORDS_KEPT
        reported = inj.bounded_logs()["fault_records"].held_bytes
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        inj.records.clear()
        gc.collect()
        freed = before - tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert reported <= freed, (reported, freed)
    assert reported >= 0.5 * freed, (reported, freed)


@pytest.mark.soak
def test_a_soak_samples_the_injectors_records_and_its_judge_takes_them_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    samples = short_soak_samples(tmp_path / "run", seed=3, monkeypatch=monkeypatch)
    v = assert_column_taken_out(samples, "faults_log_bytes")
    fault_bytes = [s["faults_log_bytes"] for s in samples]
    assert fault_bytes[-1] > 0 and fault_bytes == sorted(fault_bytes)  # a peak: it never falls
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    assert report["stability"]["leaks"]["rss_bytes"]["held_last"] == v.held_last
