"""Durations as humans write them (harness.durations)."""

from __future__ import annotations

import argparse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.durations import DurationError, duration_arg, format_duration, parse_duration
from harness import UsageError


@pytest.mark.parametrize("text,seconds", [
    ("250ms", 0.25), ("2s", 2.0), ("8h", 28_800.0), ("1h30m", 5_400.0), ("90", 90.0),
    ("60", 60.0), ("1.5h", 5_400.0), ("1h 30m 15s", 5_415.0), ("2d", 172_800.0),
    ("10min", 600.0), (" 3S ", 3.0), ("1m500ms", 60.5), (".5s", 0.5), (45, 45.0), (0.5, 0.5),
])
def test_reads_durations_as_written(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text,needle", [
    ("", "empty"), ("   ", "empty"), ("-5s", "negative"), ("5x", "unknown unit 'x'"),
    ("1h2h", "twice"), ("30m1h", "largest unit first"), ("1h30", "has no unit"), ("90 5m", "has no unit"),
    ("abc", "cannot read"), ("0s", "zero"), ("1h-5m", "cannot read"), ("nan", "cannot read"),
])
def test_bad_durations_say_what_is_wrong(text, needle):
    with pytest.raises(DurationError, match=needle) as info:
        parse_duration(text)
    assert isinstance(info.value, UsageError) and isinstance(info.value, ValueError)
    assert repr(text) in str(info.value)


def test_zero_and_maximum_are_options():
    assert parse_duration("0s", allow_zero=True) == 0.0
    with pytest.raises(DurationError, match="longer than the maximum of 1h"):
        parse_duration("2h", maximum_s=3600)
    with pytest.raises(DurationError):
        parse_duration(True)  # type: ignore[arg-type]
    with pytest.raises(DurationError, match="finite"):
        parse_duration(float("inf"))


def test_argparse_type_reports_the_message():
    p = argparse.ArgumentParser()
    p.add_argument("--duration", type=duration_arg)
    assert p.parse_args(["--duration", "1h30m"]).duration == 5400.0
    with pytest.raises(argparse.ArgumentTypeError, match="unknown unit"):
        duration_arg("3 fortnights")


@pytest.mark.parametrize("seconds,text", [
    (5400, "1h30m"), (0.25, "250ms"), (2, "2s"), (28_800, "8h"), (2.5, "2.5s"), (90061, "1d1h1m1s"),
])
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


@given(st.integers(min_value=1, max_value=10 * 86_400))
def test_format_then_parse_round_trips_whole_seconds(n):
    assert parse_duration(format_duration(n)) == n
