"""``AudioCheck._missed_where_excused`` on crafted windows, one rule of its docstring at a time:
cycles the rig's capture missed (with no JACK xrun report) are judged on what was heard only where
they could hide nothing the window weighs. Each rule is met and then broken by one field, so each
case says which rule decides. No capture, no clock: a window's bookkeeping alone."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from harness.audio_check import LEAD_MARGIN_S, MACHINE_CHANNEL_MAX_S, SETTLE_MARGIN_S, AudioCheck, _Episode


class _Counter:
    value = 0


def _check() -> AudioCheck:
    """An audio check with no ears: only its settle margin is read."""
    system = SimpleNamespace(monitoring=SimpleNamespace(counter=lambda name: _Counter()),
                             backend=SimpleNamespace(name="none"), clock=SimpleNamespace(now=lambda: 0.0))
    check = AudioCheck(system)
    assert check.margin == SETTLE_MARGIN_S
    return check


def _stop(missed: list[tuple[float, float]], **fields: Any) -> _Episode:
    """A stop's window (a member held 10.0-10.5 s) with the capture's missed stretches ``missed``."""
    ep = _Episode(index=0, start=10.0, last_end=10.5, causes=["stop"], core_spans=[(10.0, 10.5)],
                  missed_why=["the rig's capture client missed 256 frame(s)"], missed_spans=list(missed),
                  missed_s=sum(b - a for a, b in missed))
    for name, value in fields.items():
        setattr(ep, name, value)
    return ep


INSIDE = [(10.2, 10.21)]


def test_a_short_miss_inside_a_member_is_judged_on_what_was_heard() -> None:
    assert _check()._missed_where_excused(_stop(INSIDE)) is True


@pytest.mark.parametrize("fields", [
    {"unrequested": True},  # an unexplained window: any glitch there is the system's
    {"missed_unkept": 1},  # a missed stretch not kept: where it lay is not known
    {"unkept": 1},  # a silence or channel run not kept
    {"heard_dropped": 256},  # the counters say frames were lost there to be heard
    {"gap_frames": 128},  # the device's gaps likewise
], ids=["unexplained", "missed_unkept", "unkept", "counted_dropped", "device_gap"])
def test_each_guard_leaves_the_miss_blind(fields: dict[str, Any]) -> None:
    assert _check()._missed_where_excused(_stop(INSIDE, **fields)) is False


def test_a_long_miss_wholly_inside_the_members_is_judged_whatever_its_length() -> None:
    """Inside what the members hold, a channel disagreement through the miss would be theirs: the
    channel rule is asked only of a stretch that lies outside them."""
    long = [(10.1, 10.1 + 2 * MACHINE_CHANNEL_MAX_S)]
    assert _check()._missed_where_excused(_stop(long, channel_runs=[(10.3, 10.4)])) is True


def test_a_miss_is_held_from_the_lead_margin_before_a_member() -> None:
    check = _check()
    assert check._missed_where_excused(_stop([(10.0 - LEAD_MARGIN_S + 0.001, 10.0 - 0.001)])) is True
    assert check._missed_where_excused(_stop([(10.0 - LEAD_MARGIN_S - 0.002, 10.0 - LEAD_MARGIN_S - 0.001)])) is False
    assert check._missed_where_excused(_stop([(10.5 + SETTLE_MARGIN_S - 0.002, 10.5 + SETTLE_MARGIN_S - 0.001)])) is True
    assert check._missed_where_excused(_stop([(10.5 + SETTLE_MARGIN_S + 0.001, 10.5 + SETTLE_MARGIN_S + 0.002)])) is False


REPORTED = [(11.0, 11.01)]  # a reported xrun's stretch, well after the stop's member


@pytest.mark.parametrize(("missed", "excused"), [
    ([(11.0 - LEAD_MARGIN_S + 0.001, 11.0 - 0.001)], True),  # within the lead margin before it
    ([(11.0 - LEAD_MARGIN_S - 0.002, 11.0 - LEAD_MARGIN_S - 0.001)], False),
    ([(11.01 + SETTLE_MARGIN_S - 0.002, 11.01 + SETTLE_MARGIN_S - 0.001)], True),  # within the settle margin after
    ([(11.01 + SETTLE_MARGIN_S + 0.001, 11.01 + SETTLE_MARGIN_S + 0.002)], False),
    ([(10.2, 10.21), (11.002, 11.008)], True),  # one inside the member, one inside the report's stretch
    ([(10.2, 10.21), (12.0, 12.005)], False),  # every stretch must be held
])
def test_a_reported_xruns_stretch_holds_a_miss_from_the_lead_margin_to_the_settle_margin(
        missed: list[tuple[float, float]], excused: bool) -> None:
    assert _check()._missed_where_excused(_stop(missed, reported_spans=list(REPORTED))) is excused


def test_reported_stretches_not_all_kept_hold_no_miss() -> None:
    """Past the reported stretches a window keeps, where the others lay is not known: none holds a miss."""
    ep = _stop([(11.002, 11.008)], reported_spans=list(REPORTED), reported_unkept=True)
    assert _check()._missed_where_excused(ep) is False


@pytest.mark.parametrize(("runs_s", "excused"), [(0.0, True), (MACHINE_CHANNEL_MAX_S - 0.007, True),
                                                 (MACHINE_CHANNEL_MAX_S - 0.005, False), (0.1, False)])
def test_outside_the_members_the_channel_runs_and_the_miss_together_stay_under_the_channel_bound(
        runs_s: float, excused: bool) -> None:
    """A miss of 6 ms only a reported stretch holds: a channel run beyond the members plus the miss
    reaching ``MACHINE_CHANNEL_MAX_S`` could join into a disagreement the window weighs."""
    runs = [(12.0, 12.0 + runs_s)] if runs_s else []
    ep = _stop([(11.002, 11.008)], reported_spans=list(REPORTED), channel_runs=runs)
    assert _check()._missed_where_excused(ep) is excused


def test_a_miss_outside_the_members_is_weighed_with_the_channel_runs_wherever_it_comes() -> None:
    """The channel bound is asked once any stretch lies outside the members, not only the last."""
    missed = [(11.002, 11.008), (10.2, 10.21)]  # outside the members first, inside the stop's last
    ep = _stop(missed, reported_spans=list(REPORTED), channel_runs=[(12.0, 12.0 + MACHINE_CHANNEL_MAX_S)])
    assert _check()._missed_where_excused(ep) is False


def test_channel_runs_and_a_miss_that_reach_the_channel_bound_exactly_are_not_under_it() -> None:
    run = 0.015625  # 2**-6 s: the run's length and the sum below are exact in binary
    ep = _stop([(11.002, 11.008)], reported_spans=list(REPORTED), channel_runs=[(12.0, 12.0 + run)],
               missed_s=MACHINE_CHANNEL_MAX_S - run)
    assert run + ep.missed_s == MACHINE_CHANNEL_MAX_S
    assert _check()._missed_where_excused(ep) is False
