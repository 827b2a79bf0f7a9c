"""The xrun's and the stall's bounds (``harness.faults.xrun_bound``, ``stall_bound``) read exactly:
the period a configuration gives, each bound at equality, the built-in lateness range's ends, and
the refusal's words as a user reads them.

Why exact: a file's lateness or stall length is refused with the largest or least value allowed,
and the value and the settings named must be the ones the run will have; a bound off by its
equality refuses (or lets through) the one value a user copies from the message.
"""

from __future__ import annotations

import pytest

from harness.faults.stall_bound import min_stall_s, stall_duration_problem
from harness.faults.xrun_bound import LatenessInPeriods, Period, period_of, xrun_delay_problem
from system_under_test.config import AudioConfig

#: the defaults' period: 256 frames at 48 kHz, 4 periods, a 5 ms supervisor pass
DEFAULT = Period(256 / 48_000, 4, 0.005)
#: 512 frames at 48 kHz, 6 periods, a 100 ms supervisor pass
SLOW = Period(512 / 48_000, 6, 0.1)
SLOW_DOC = {"schema_version": 3, "stream": {"block_size": 512},
            "watchdog": {"stall_periods": 6, "supervisor_interval_ms": 100}}


def test_a_configuration_gives_its_own_period_watchdog_and_supervisor_pass() -> None:
    assert period_of(SLOW_DOC) == SLOW
    assert period_of(AudioConfig.model_validate(SLOW_DOC)) == SLOW
    assert period_of(None) == DEFAULT
    assert period_of({}) == DEFAULT


@pytest.mark.parametrize("doc", [
    {"schema_version": "three"},  # migrate raises
    {"schema_version": 3, "stream": {"block_size": -1}},  # a structural problem
])
def test_a_configuration_the_system_would_refuse_gives_the_defaults(doc: dict) -> None:
    assert period_of(doc) == DEFAULT


def test_a_lateness_exactly_at_the_bound_is_an_xrun_and_past_it_is_refused() -> None:
    bound = DEFAULT.max_lateness_s
    assert bound == pytest.approx(2.75 * 256 / 48_000)
    assert xrun_delay_problem(bound, DEFAULT, "delay_s") is None
    assert xrun_delay_problem([0.001, bound], DEFAULT, "delay_s") is None
    assert xrun_delay_problem(bound * 1.0001, DEFAULT, "delay_s") is not None


def test_an_xrun_refusal_names_the_field_the_latest_lateness_and_the_settings() -> None:
    assert xrun_delay_problem([0.01, 0.1], SLOW, "params.xrun.delay_s") == (
        "params.xrun.delay_s: an xrun up to 100.0 ms late is a stall, not an xrun, with a 10.67 ms period "
        "and the watchdog's 6 periods (64.0 ms): give params.xrun.delay_s at most 50.67 ms (0.05067 s; "
        "the stall fault injects longer silences)")
    assert xrun_delay_problem(0.02, DEFAULT, "delay_s") == (
        "delay_s: an xrun up to 20.0 ms late is a stall, not an xrun, with a 5.33 ms period and the "
        "watchdog's 4 periods (21.3 ms): give delay_s at most 14.67 ms (0.01467 s; the stall fault injects "
        "longer silences)")


def test_a_stall_exactly_at_the_bound_is_a_stall_and_a_zero_length_is_one_until_clean_up() -> None:
    bound = min_stall_s(DEFAULT)
    assert bound == pytest.approx(4.25 * 256 / 48_000 + 0.005)
    assert stall_duration_problem(bound, DEFAULT, "duration_s") is None
    assert stall_duration_problem([bound, 0.3], DEFAULT, "duration_s") is None
    assert stall_duration_problem(0.0, DEFAULT, "duration_s") is None
    assert stall_duration_problem(bound * 0.9999, DEFAULT, "duration_s") is not None


def test_a_stall_range_from_zero_is_refused_its_draws_fall_under_the_bound() -> None:
    # a profile's [0, 0.3] drew stalls of 0.8 ms and 7 ms (seed 1): no stall to the watchdog
    assert stall_duration_problem([0.0, 0.3], DEFAULT, "params.stall.duration_s") == (
        "params.stall.duration_s: a stall of 0.0 ms is no stall to the watchdog, with a 5.33 ms period and the "
        "watchdog's 4 periods (21.3 ms) and a 5.0 ms supervisor pass: give params.stall.duration_s at least "
        "27.67 ms (0.02767 s; the xrun fault injects shorter lateness)")
    assert stall_duration_problem([0.0, 0.0], DEFAULT, "duration_s") is None


def test_a_stall_refusal_names_the_field_the_shortest_length_and_the_settings() -> None:
    assert stall_duration_problem([0.1, 0.3], SLOW, "params.stall.duration_s") == (
        "params.stall.duration_s: a stall of 100.0 ms is no stall to the watchdog, with a 10.67 ms period "
        "and the watchdog's 6 periods (64.0 ms) and a 100.0 ms supervisor pass: give params.stall.duration_s "
        "at least 166.67 ms (0.16667 s; the xrun fault injects shorter lateness)")


@pytest.mark.parametrize("period, lateness, expected_periods", [
    # 1 to 2.25 periods of 2**-10 s: both ends inside the former 5-50 ms range
    (Period(2.0**-10, 4), LatenessInPeriods(1.0, 0.5), (1.0, 2.25)),
    # 2**-6 s periods: half a period is 7.8 ms, capped at the former range's 5 ms
    (Period(2.0**-6, 4), LatenessInPeriods(0.5), (0.005 / 2.0**-6, 2.75)),
    # 2**-4 s periods: the bound (171.9 ms) is past the former 50 ms
    (Period(2.0**-4, 4), LatenessInPeriods(0.5), (0.005 / 2.0**-4, 0.05 / 2.0**-4)),
    # 2.5 periods under a 2.75-period bound: the low end capped at the high one
    (Period(2.0**-10, 4), LatenessInPeriods(1.0, 2.5), (0.25, 0.25)),
])
def test_the_built_in_lateness_range_is_its_periods_within_the_former_range_and_under_the_bound(
        period: Period, lateness: LatenessInPeriods, expected_periods: tuple[float, float]) -> None:
    lo, hi = lateness.seconds(period)
    assert (lo / period.period_s, hi / period.period_s) == pytest.approx(expected_periods, rel=1e-12)
