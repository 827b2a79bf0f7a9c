"""Every xrun the device flagged is counted in the ``status_*`` counters of its flags.

``Pipeline.callback`` counts a flagged callback as one xrun and one of each flag it carries, and a
callback over its budget as one xrun and one ``budget_overruns`` with no flag. The
``xrun_flags_counted`` invariant holds the four flag counters' sum to at least ``xruns -
budget_overruns``, and each flag to at most that, at each virtual-clock snapshot and on the live
system. A plain default run of the shipped system (its overruns alone outnumber its flagged xruns:
"flags >= xruns" would fail it), the catalogued bug ``status_flags_not_counted`` planted as the
catalogue patches ``Pipeline.callback``, the live check, and what is not judged. Virtual clock,
fixed seeds.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bench_scripts import plant_catalogued_bug
from plain_runs import plain_run_verdict
from harness.history import History
from harness.invariants import NAMES, STATUS_FLAG_COUNTERS, LiveChecker, check_xrun_flags_counted, xrun_flag_problems
from system_under_test import AudioSystem
from system_under_test.pipeline import Pipeline

NAME = "xrun_flags_counted"


@pytest.fixture(autouse=True)
def _history_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))


def _counters(xruns: int, overruns: int, *flags: int) -> dict[str, int]:
    return {"xruns": xruns, "budget_overruns": overruns, **dict(zip(STATUS_FLAG_COUNTERS, flags or (0, 0, 0, 0)))}


def test_the_invariant_is_registered_with_the_pipeline_s_flags() -> None:
    assert NAME in NAMES
    assert STATUS_FLAG_COUNTERS == tuple(f"status_{n}" for n in ("input_underflow", "input_overflow",
                                                                 "output_underflow", "output_overflow"))


def test_a_plain_run_of_the_shipped_system_holds_having_judged_its_flagged_xruns(tmp_path: Path) -> None:
    result, v = plain_run_verdict(tmp_path, 92396, NAME)
    assert v.ok and not v.inconclusive and not v.evidence, v
    assert v.message.startswith("the status flags count every xrun the device flagged ("), v.message
    counters = result.history.snapshots()[-1].data["counters"]
    flagged = counters["xruns"] - counters["budget_overruns"]
    # the overruns are xruns with no flag: the flags alone are fewer than the xruns
    assert 0 < flagged <= sum(counters[f] for f in STATUS_FLAG_COUNTERS) < counters["xruns"], counters
    assert result.summary["outcome"] == "pass", result.summary["violations"]


def test_the_catalogued_flags_not_counted_fails_a_plain_run_on_this_invariant_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plant_catalogued_bug(monkeypatch, Pipeline, "callback", "status_flags_not_counted")
    result, v = plain_run_verdict(tmp_path, 92396, NAME)
    assert [x.name for x in result.verdicts if not x.ok] == [NAME]
    assert all(sum(e["counters"][f] for f in STATUS_FLAG_COUNTERS) == 0 for e in v.evidence), v.evidence[:3]
    live = [e for e in v.evidence if e["time"] is None]
    assert len(live) == 1 and live[0]["message"].startswith("the live system: the status flags counted (0)"), live


@pytest.mark.parametrize(("counters", "problem"), [
    (_counters(5, 5), None),  # overruns only: xruns with no flag
    (_counters(7, 5, 0, 1, 1, 0), None),  # two flagged xruns, one flag each
    (_counters(7, 5, 0, 2, 2, 0), None),  # two flagged xruns, both flags each
    (_counters(7, 5, 0, 1, 0, 0), "the status flags counted (1) are fewer than the xruns the device flagged "
                                  "(xruns 7 - budget_overruns 5 = 2)"),
    (_counters(7, 5, 0, 3, 0, 0), "status_input_overflow 3 above the xruns the device flagged (2)"),
    (_counters(4, 5), "budget_overruns 5 exceed xruns 4"),
])
def test_the_relation_one_reading_is_held_to(counters: dict[str, int], problem: str | None) -> None:
    assert xrun_flag_problems(counters) == ([] if problem is None else [problem])
    assert xrun_flag_problems({k: v for k, v in counters.items() if k != "budget_overruns"}) == []


def _closed() -> AudioSystem:
    s = AudioSystem({}, seed=11)
    s.initialize()
    s.start()
    s.run_for(0.2)
    s.close()
    return s


def _history(clock: str, *readings: dict[str, int]) -> History:
    h = History()
    h.record("attach", data={"state": "uninitialized", "clock": clock}, time=0.0)
    for i, counters in enumerate(readings):
        h.record("metrics", time=1.0 + i, data={"counters": counters})
    return h


def test_a_virtual_clock_s_snapshot_that_breaks_it_fails_and_a_real_clock_s_is_inconclusive() -> None:
    s = _closed()
    broken = _counters(7, 5, 0, 1, 0, 0)
    v = check_xrun_flags_counted(_history("virtual", _counters(5, 5), broken), s)
    assert not v.ok and [e["time"] for e in v.evidence] == [2.0], v
    s.clock = SimpleNamespace(virtual=False)
    real = check_xrun_flags_counted(_history("real", broken), s)
    assert real.ok and real.inconclusive and real.reason == "a reading inside a callback", real
    assert check_xrun_flags_counted(_history("real", _counters(7, 5, 0, 2, 2, 0)), s).ok


def test_nothing_is_judged_without_the_shipped_system() -> None:
    broken = _history("virtual", _counters(7, 5))
    alone = check_xrun_flags_counted(broken)
    assert alone.ok and not alone.inconclusive and alone.message.endswith("nothing to judge"), alone
    other = SimpleNamespace(monitoring=SimpleNamespace(counters={"xruns": 1}, value=lambda n: 0))
    own = check_xrun_flags_counted(broken, other)
    assert own.ok and own.message.startswith("not the shipped AudioSystem"), own
    quiet = check_xrun_flags_counted(_history("virtual", _counters(5, 5)), _closed())
    assert quiet.ok and quiet.message.endswith("nothing to judge"), quiet


def test_the_live_check_judges_the_live_counters_between_steps() -> None:
    s = AudioSystem({}, seed=11)
    h = History().attach(s)
    checker = LiveChecker(s, h, linearizable=False)
    s.initialize()
    s.start()
    s.run_for(0.2)

    def verdict() -> Any:
        (v,) = [v for v in checker.check() if v.name == NAME]
        return v

    assert verdict().ok
    s.monitoring.counter("xruns").inc()  # an xrun counted with no flag and no overrun
    v = verdict()
    assert not v.ok and v.evidence[-1]["time"] is None, v
    s.close()


def test_the_verdict_says_how_many_flagged_xruns_it_judged_in_how_many_readings() -> None:
    """A pass over flagged xruns and a pass over none read alike but for the words: a reader told
    "nothing to judge" knows the run showed no flagged xrun, one told the count knows the relation
    was tried on it."""
    s = _closed()
    live = {k: s.monitoring.value(k) for k in ("xruns", "budget_overruns")}
    assert live["xruns"] == live["budget_overruns"]  # the live reading adds no flagged xrun
    judged = check_xrun_flags_counted(_history("virtual", _counters(7, 5, 0, 2, 2, 0), _counters(9, 5, 2, 2, 0, 0),
                                               _counters(9, 6, 1, 2, 0, 0)), s)
    assert judged.ok and judged.message == ("the status flags count every xrun the device flagged (4 at most) in "
                                            "4 reading(s)"), judged
    unread = {k: v for k, v in _counters(9, 5, 2, 2, 0, 0).items() if k != "budget_overruns"}
    quiet = check_xrun_flags_counted(_history("virtual", unread), s)
    assert quiet.ok and quiet.message == "no xrun the device flagged in 2 reading(s): nothing to judge", quiet


def test_each_broken_reading_s_evidence_names_its_time_its_counters_and_what_it_breaks() -> None:
    s = _closed()
    broken = _counters(7, 5, 0, 1, 0, 0)
    v = check_xrun_flags_counted(_history("virtual", _counters(5, 5), {**broken, "callbacks": 3}), s)
    assert v.evidence == [{"time": 2.0, "counters": broken,
                           "message": "t=2.000 s: the status flags counted (1) are fewer than the xruns the device "
                                      "flagged (xruns 7 - budget_overruns 5 = 2)"}], v
    assert v.message == ("1 reading(s) of the xrun counters break the flags' counting: " + v.evidence[0]["message"])
    s.monitoring.counter("xruns").inc()
    live = check_xrun_flags_counted(_history("virtual"), s)
    assert not live.ok and live.evidence[-1]["time"] is None and live.evidence[-1]["message"].startswith(
        "the live system: the status flags counted (0) are fewer than the xruns the device flagged"), live
    assert live.evidence[-1]["counters"] == {k: s.monitoring.value(k) for k in ("xruns", "budget_overruns",
                                                                                  *STATUS_FLAG_COUNTERS)}


def test_a_reading_breaking_two_relations_names_both_at_its_time_to_the_microsecond() -> None:
    c = _counters(4, 5, 0, 3, 0, 0)
    problems = xrun_flag_problems(c)
    assert len(problems) == 2
    h = History()
    h.record("attach", data={"state": "uninitialized", "clock": "virtual"}, time=0.0)
    h.record("metrics", time=2.12345678, data={"counters": c})
    v = check_xrun_flags_counted(h, _closed())
    assert not v.ok and v.evidence[0]["time"] == 2.123457, v
    assert v.evidence[0]["message"] == "t=2.123 s: " + "; ".join(problems), v


def test_each_verdict_is_named_and_says_what_was_judged_and_why() -> None:
    """Every branch's verdict carries the invariant's name (the report groups by it) and its own
    words; a broken reading fails only where both the history and the system are on a virtual
    clock, and is inconclusive wherever either is real or the clock does not say."""
    broken = _counters(7, 5, 0, 1, 0, 0)
    said = "t=1.000 s: " + "; ".join(xrun_flag_problems(broken))
    alone = check_xrun_flags_counted(_history("virtual", broken))
    assert (alone.name, alone.message) == (
        NAME, "no live system: whose counting the snapshots show is not known, nothing to judge")
    other = SimpleNamespace(monitoring=SimpleNamespace(counters={"xruns": 1}, value=lambda n: 0))
    own = check_xrun_flags_counted(_history("virtual", broken), other)
    assert (own.name, own.message) == (NAME, "not the shipped AudioSystem: a system of its own counts its xruns and "
                                             "their flags as it chooses, nothing to judge")
    s = _closed()
    twice = check_xrun_flags_counted(_history("virtual", broken, broken, _counters(5, 5)), s)
    assert (twice.name, twice.ok, twice.message) == (
        NAME, False, "2 reading(s) of the xrun counters break the flags' counting: " + said), twice
    passed = check_xrun_flags_counted(_history("virtual", _counters(7, 5, 0, 2, 2, 0)), s)
    assert passed.name == NAME and passed.ok
    for history_clock, clock in (("real", s.clock), ("virtual", SimpleNamespace(virtual=False)),
                                 ("virtual", SimpleNamespace())):
        s.clock = clock
        v = check_xrun_flags_counted(_history(history_clock, broken), s)
        assert (v.name, v.ok, v.inconclusive, v.reason) == (NAME, True, True, "a reading inside a callback"), v
        assert v.message == ("1 reading(s) of the xrun counters break the flags' counting on a real clock, where a "
                             "reading may fall inside a callback between its xrun and its flags: " + said), v
        assert v.evidence == [{"time": 1.0, "counters": broken, "message": said}], v
    many = check_xrun_flags_counted(_history("real", *[broken] * 1001), s)
    assert len(many.evidence) == 1000 and many.message.startswith("1001 reading(s)"), many.message
    s.monitoring.counters.pop("xruns")
    unread = check_xrun_flags_counted(_history("virtual", {"callbacks": 3}), s)
    assert (unread.name, unread.ok, unread.message) == (NAME, True, "no reading of the xruns counter: nothing to judge")


def test_the_live_reading_is_counted_beside_the_snapshots_that_broke_it() -> None:
    s = _closed()
    s.monitoring.counter("xruns").inc()
    v = check_xrun_flags_counted(_history("virtual", _counters(7, 5, 0, 1, 0, 0)), s)
    assert not v.ok and v.message.startswith("2 reading(s) of the xrun counters break the flags' counting: t=1.000 s"), v
    assert [e["time"] for e in v.evidence] == [1.0, None]
