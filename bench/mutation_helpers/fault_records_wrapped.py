"""test_leaks_fault_records.py's two make_system tests, the fixture built inline (in-process mutation).

A test file for ``scripts/mutate_in_process.py`` (MUTATION.md, the 2026-12-06 late-night rows):

    PYTHONPATH=$PWD:$PWD/tests/harness CI=true nice -n 19 .venv/bin/python scripts/mutate_in_process.py \
        --timeout 900 harness.faults.injector bench/mutation_helpers/fault_records_wrapped.py record_bytes FaultInjector._count_record FaultInjector.bounded_logs
"""
from made_systems import made_systems
import tests.harness.test_leaks_fault_records as T


def _with_systems(test):
    with made_systems() as make:
        test(make)


def test_bounded_log():
    _with_systems(T.test_the_injectors_records_report_a_bounded_log_that_stops_growing_once_full)


def test_sample():
    _with_systems(T.test_a_sample_carries_the_injectors_record_bytes)


def test_exact():
    _with_systems(T.test_a_records_bytes_are_exactly_what_was_made_for_it_alone)
