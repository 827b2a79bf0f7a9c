"""A closed system's per-callback histograms count every callback it counted.

``monitoring.Histogram`` keeps a reservoir of the 65 536 most recent samples and an exact count
over all of them; ``system.metrics()`` publishes that count for ``callback_duration_s`` and
``callback_load``, each observed once per callback. The ``callbacks_timed`` invariant holds both to
the ``callbacks`` counter on the system a run closes. A count read from the reservoir differs only
past its size, about 6 simulated minutes of 256-frame blocks: the runs here go that far on the
virtual clock (under ``none`` for speed, once under ``default``, and once as a soak), so each case
is deterministic.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bench_scripts import plant_catalogued_bug
from plain_runs import plain_run_verdict
from harness import ReliabilityRun, RunSpec, SoakRunner, SoakSpec
from harness.invariants import HISTOGRAM_RESERVOIR, NAMES, PER_CALLBACK_HISTOGRAMS, check_callbacks_timed
from system_under_test import AudioSystem, monitoring
from system_under_test.lifecycle import State

#: simulated seconds that make more callbacks than the reservoir holds (~187.5 callbacks a second)
PAST_THE_RESERVOIR_S = 400.0


@pytest.fixture(autouse=True)
def _history_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))


def _count_the_reservoir(monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalogued bug ``histogram_count_is_the_reservoir``: ``Histogram.summary`` counts the
    samples its reservoir holds, not every observation."""
    summary = monitoring.Histogram.summary

    def reservoir_count(self: monitoring.Histogram) -> dict[str, Any]:
        d = summary(self)
        d["count"] = len(self.samples())
        return d

    monkeypatch.setattr(monitoring.Histogram, "summary", reservoir_count)


def _run(tmp_path: Path, duration_s: float, faults: str, seed: int = 1) -> Any:
    spec = RunSpec(duration_s=duration_s, seed=seed, faults=faults, report_root=tmp_path, label="callbacks_timed")
    return ReliabilityRun(spec).execute(reports=False)


def _verdict(result: Any) -> Any:
    (v,) = [v for v in result.verdicts if v.name == "callbacks_timed"]
    return v


def test_the_invariant_is_registered() -> None:
    assert "callbacks_timed" in NAMES
    assert PER_CALLBACK_HISTOGRAMS == ("callback_duration_s", "callback_load")
    assert HISTOGRAM_RESERVOIR == monitoring.Histogram("probe")._ring.shape[0]


def test_a_healthy_run_past_the_reservoir_is_judged_and_holds(tmp_path: Path) -> None:
    result = _run(tmp_path, PAST_THE_RESERVOIR_S, "none")
    v = _verdict(result)
    assert result.summary["callbacks"] > HISTOGRAM_RESERVOIR
    assert v.ok and not v.inconclusive, v
    assert "nothing to judge" not in v.message and "past the" in v.message, v.message
    assert result.summary["outcome"] == "pass", result.summary["violations"]


def test_a_reservoir_count_fails_a_run_past_the_reservoir_on_this_invariant_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _count_the_reservoir(monkeypatch)
    result = _run(tmp_path, PAST_THE_RESERVOIR_S, "none")
    v = _verdict(result)
    callbacks = result.summary["callbacks"]
    assert not v.ok
    assert [(e["histogram"], e["count"], e["callbacks"]) for e in v.evidence] == [
        (h, HISTOGRAM_RESERVOIR, callbacks) for h in PER_CALLBACK_HISTOGRAMS]
    assert [x.name for x in result.verdicts if not x.ok] == ["callbacks_timed"]


def test_a_reservoir_count_fails_a_default_run_past_the_reservoir(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under default's faults (recoveries, new streams, stretches cut by faults) the counts agree
    but for the bug, which fails the run on this invariant alone."""
    _count_the_reservoir(monkeypatch)
    result = _run(tmp_path, PAST_THE_RESERVOIR_S, "default")
    assert result.summary["callbacks"] > HISTOGRAM_RESERVOIR
    assert [x.name for x in result.verdicts if not x.ok] == ["callbacks_timed"]


def test_a_reservoir_count_fails_a_soak_past_the_reservoir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A soak's verdict is its report's, built from its journal: the run's end verdict reaches it."""
    import harness.reports.plots as plots

    monkeypatch.setattr(plots, "draw_all", lambda *a, **kw: {})  # figures are not what this is about
    _count_the_reservoir(monkeypatch)
    spec = SoakSpec(duration_s=PAST_THE_RESERVOIR_S, seed=1, faults="none", checkpoint_s=100.0, run_dir=tmp_path / "run")
    result = SoakRunner(spec).start()
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    assert result.verdict.outcome.value == "fail", result.verdict
    assert report["stability"]["invariants_broken"] == ["callbacks_timed"], report["stability"]["failures"]


def test_a_healthy_default_run_is_judged_within_the_reservoir(tmp_path: Path) -> None:
    v = _verdict(_run(tmp_path, 60.0, "default"))
    assert v.ok and "within the" in v.message and "nothing to judge" not in v.message, v.message


def _closed_system_miscounting_by(n: int) -> AudioSystem:
    """A closed system whose duration histogram counts ``n`` observations fewer than it holds."""
    s = AudioSystem({}, seed=11)
    s.initialize()
    s.start()
    s.run_for(0.5)
    s.stop()
    s.close()
    assert s.state == State.CLOSED
    s.monitoring.histogram("callback_duration_s").count -= n
    return s


def test_a_miscount_within_the_reservoir_fails_and_an_exact_one_holds() -> None:
    s = _closed_system_miscounting_by(1)
    callbacks = s.metrics().counters["callbacks"]
    assert 0 < callbacks < HISTOGRAM_RESERVOIR
    v = check_callbacks_timed(s)
    assert not v.ok
    # the count held to the callbacks counter, and the reservoir (every sample still in it) to the count
    assert [(e["histogram"], e["count"], e.get("callbacks"), e.get("reservoir")) for e in v.evidence] == [
        ("callback_duration_s", callbacks - 1, callbacks, None), ("callback_duration_s", callbacks - 1, None, callbacks)]
    assert check_callbacks_timed(_closed_system_miscounting_by(0)).ok


def test_nothing_is_judged_without_a_closed_system() -> None:
    """No system (a history judged alone), a system still running (a callback may be between its
    count and its timing) and a system publishing no such metrics hold with nothing to judge."""
    assert "nothing to judge" in check_callbacks_timed(None).message
    s = AudioSystem({}, seed=11)
    s.initialize()
    s.start()
    s.run_for(0.5)
    s.monitoring.histogram("callback_duration_s").count -= 1
    running = check_callbacks_timed(s)
    assert running.ok and "running, not closed" in running.message, running.message
    s.close()

    class Bare(AudioSystem):
        def metrics(self) -> Any:
            return SimpleNamespace(counters={}, histograms={})

    bare = Bare({}, seed=11)
    bare.close()
    assert "nothing to judge" in check_callbacks_timed(bare).message


def test_a_real_clock_s_closed_system_is_not_judged() -> None:
    """A torn-down stream's callback may still be held after close on a real device: counted, not
    yet timed. The same miscount fails on the virtual clock."""
    s = _closed_system_miscounting_by(1)
    virtual = check_callbacks_timed(s)
    assert not virtual.ok
    s.clock = SimpleNamespace(virtual=False)
    v = check_callbacks_timed(s)
    assert v.ok and v.message.startswith("a real clock") and "nothing to judge" in v.message, v.message


def test_a_system_of_its_own_is_not_judged() -> None:
    """``harness.sut_kit``'s adapters count their application's callbacks and time what their
    stream wrapper runs: the two are not promised equal there."""
    miscounted = SimpleNamespace(counters={"callbacks": 10}, histograms={
        h: {"count": 9} for h in PER_CALLBACK_HISTOGRAMS})
    other = SimpleNamespace(state=State.CLOSED, clock=SimpleNamespace(virtual=True), metrics=lambda: miscounted)
    v = check_callbacks_timed(other)
    assert v.ok and v.message.startswith("not the shipped AudioSystem"), v.message


class _Published(AudioSystem):
    """A closed shipped system on the virtual clock whose ``metrics()`` publish what a case sets."""

    def __init__(self, counters: dict[str, Any], histograms: dict[str, Any]) -> None:
        super().__init__({}, seed=11)
        self.close()
        self._published = SimpleNamespace(counters=counters, histograms=histograms)

    def metrics(self) -> Any:
        return self._published


def _said(v: Any) -> tuple[str, bool, list[Any], str]:
    return v.name, v.ok, v.evidence, v.message


def test_each_verdict_says_exactly_what_was_judged_and_why() -> None:
    """Every way the invariant ends is a verdict of its own name with its own words: what a user
    reads beside a pass (nothing was judged, and why) or a failure (which histogram, counting how
    many), and whether the run went past the reservoir, the only place a reservoir count shows."""
    name = "callbacks_timed"
    held = {h: {"count": 10} for h in PER_CALLBACK_HISTOGRAMS}
    assert _said(check_callbacks_timed(None)) == (name, True, [], (
        "no live system at the end: the history records no histogram, nothing to judge"))
    other = SimpleNamespace(state=State.CLOSED, clock=SimpleNamespace(virtual=True),
                            metrics=lambda: SimpleNamespace(counters={"callbacks": 10}, histograms=held))
    assert _said(check_callbacks_timed(other)) == (name, True, [], (
        "not the shipped AudioSystem: a system of its own counts its callbacks and times them as it chooses, "
        "nothing to judge"))
    running = AudioSystem({}, seed=11)
    running.initialize()
    running.start()
    try:
        assert _said(check_callbacks_timed(running)) == (name, True, [], (
            "the system is running, not closed: a callback may be between its count and its timing, "
            "nothing to judge"))
    finally:
        running.close()
    real = _Published({"callbacks": 10}, held)
    real.clock = SimpleNamespace(virtual=False)
    assert _said(check_callbacks_timed(real)) == (name, True, [], (
        "a real clock: a torn-down stream's callback may still be between its count and its timing after "
        "close, nothing to judge"))
    nothing = ("the system publishes no callbacks counter or per-callback histogram: nothing to judge")
    assert _said(check_callbacks_timed(_Published({}, held))) == (name, True, [], nothing)
    assert _said(check_callbacks_timed(_Published({"callbacks": 10}, {}))) == (name, True, [], nothing)
    assert _said(check_callbacks_timed(_Published({"callbacks": 0}, held))) == (name, True, [], (
        "no callback counted: nothing to judge"))
    both = "callback_duration_s, callback_load"
    reservoirs = "; each histogram's reservoir holds its samples and its percentiles lie within its extremes"
    assert _said(check_callbacks_timed(_Published({"callbacks": 10}, held))) == (name, True, [], (
        f"{both} each count the 10 callbacks counted (within the {HISTOGRAM_RESERVOIR}-sample reservoir)"
        f"{reservoirs}"))
    at = {h: {"count": HISTOGRAM_RESERVOIR} for h in PER_CALLBACK_HISTOGRAMS}
    assert _said(check_callbacks_timed(_Published({"callbacks": HISTOGRAM_RESERVOIR}, at)))[3] == (
        f"{both} each count the {HISTOGRAM_RESERVOIR} callbacks counted (within the "
        f"{HISTOGRAM_RESERVOIR}-sample reservoir){reservoirs}")
    past = HISTOGRAM_RESERVOIR + 1
    over = {h: {"count": past} for h in PER_CALLBACK_HISTOGRAMS}
    assert _said(check_callbacks_timed(_Published({"callbacks": past}, over)))[3] == (
        f"{both} each count the {past} callbacks counted (past the {HISTOGRAM_RESERVOIR}-sample reservoir)"
        f"{reservoirs}")
    short = {"callback_duration_s": {"count": 9}, "callback_load": {"count": 8}}
    assert _said(check_callbacks_timed(_Published({"callbacks": 10}, short))) == (name, False, [
        {"histogram": "callback_duration_s", "count": 9, "callbacks": 10,
         "message": "callback_duration_s counts 9 observation(s), the callbacks counter 10"},
        {"histogram": "callback_load", "count": 8, "callbacks": 10,
         "message": "callback_load counts 8 observation(s), the callbacks counter 10"}], (
        "2 per-callback histogram(s) count other than the 10 callbacks counted: "
        "callback_duration_s counts 9 observation(s), the callbacks counter 10; "
        "callback_load counts 8 observation(s), the callbacks counter 10"))


# -- each histogram's reservoir: min(count, 65 536) samples, its percentiles within [min, max] -----

def test_the_catalogued_ring_indexed_by_count_fails_a_closed_system(monkeypatch: pytest.MonkeyPatch) -> None:
    """``histogram_ring_indexed_by_count``: the count stays right, the reservoir holds nothing and
    the percentiles read 0, below every duration observed."""
    plant_catalogued_bug(monkeypatch, monitoring.Histogram, "observe", "histogram_ring_indexed_by_count")
    s = _closed_system_miscounting_by(0)
    callbacks = s.metrics().counters["callbacks"]
    v = check_callbacks_timed(s)
    assert not v.ok
    held = [(e["histogram"], e["reservoir"], e["expected"]) for e in v.evidence if "reservoir" in e]
    assert held == [(h, 0, callbacks) for h in PER_CALLBACK_HISTOGRAMS]
    outside = {e["histogram"]: e["percentiles"] for e in v.evidence if "percentiles" in e}
    assert set(outside) == set(PER_CALLBACK_HISTOGRAMS) and outside["callback_load"]["p50"] == 0.0, outside
    assert v.message.startswith("4 histogram reservoir finding(s): callback_duration_s's reservoir holds 0 "
                                f"sample(s) of its {callbacks} observation(s), not {callbacks}"), v.message


def test_the_catalogued_ring_indexed_by_count_fails_a_plain_run_on_this_invariant_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plant_catalogued_bug(monkeypatch, monitoring.Histogram, "observe", "histogram_ring_indexed_by_count")
    result, v = plain_run_verdict(tmp_path, 92398, "callbacks_timed")
    assert [x.name for x in result.verdicts if not x.ok] == ["callbacks_timed"]
    assert {e["histogram"] for e in v.evidence if "reservoir" in e} >= set(PER_CALLBACK_HISTOGRAMS), v.evidence


@pytest.mark.parametrize(("outside", "within"), [
    ({"p99": 0.0021}, {"p99": 0.002}),
    # a reservoir holding stale zeros (slots never written) publishes percentiles below every observation
    ({"p50": 0.0}, {"p50": 0.001}),
], ids=["above_the_maximum", "below_the_minimum"])
def test_a_published_percentile_outside_the_extremes_fails(outside: dict[str, float], within: dict[str, float]) -> None:
    summary = {"count": 10, "min": 0.001, "max": 0.002, "p50": 0.0015, "p99": 0.0019}
    published = {h: {**summary, **outside} for h in PER_CALLBACK_HISTOGRAMS}
    v = check_callbacks_timed(_Published({"callbacks": 10}, published))
    assert not v.ok
    assert [(e["histogram"], e["percentiles"]) for e in v.evidence] == [(h, outside) for h in PER_CALLBACK_HISTOGRAMS]
    at_the_extreme = {h: {**summary, **within} for h in PER_CALLBACK_HISTOGRAMS}
    assert check_callbacks_timed(_Published({"callbacks": 10}, at_the_extreme)).ok


def test_each_reservoir_finding_names_its_histogram_and_what_it_breaks_and_the_rest_are_still_read() -> None:
    """A histogram the reservoir check cannot read (no count, no extremes, not a summary) is passed
    over and the ones after it still judged; a percentile equal to an extreme is within them (an
    observed sample); each finding carries the numbers a reader needs, and the verdict counts the
    findings of each kind apart."""
    timing = {"count": 5, "min": 1.0, "max": 2.0, "p50": 1.5}
    published = {
        "odd": "not a summary", "unused": {"count": 0, "min": 1.0, "max": 2.0, "p50": 9.0},
        "unbounded": {"count": 5, "min": None, "max": 2.0, "p50": 9.0},
        "callback_duration_s": dict(timing, count=4), "callback_load": dict(timing, p50=1.0, p99=2.0),
        "wide": {"count": 5, "min": 1.0, "max": 2.0, "p50": 0.5, "p99": 2.5},
    }
    s = _Published({"callbacks": 5}, published)
    s.monitoring.histograms = {"uncounted": SimpleNamespace(count=None, samples=lambda: [1.0]),
                               "short": SimpleNamespace(count=3, samples=lambda: [1.0])}
    v = check_callbacks_timed(s)
    count = {"histogram": "callback_duration_s", "count": 4, "callbacks": 5,
             "message": "callback_duration_s counts 4 observation(s), the callbacks counter 5"}
    short = {"histogram": "short", "reservoir": 1, "expected": 3, "count": 3,
             "message": "short's reservoir holds 1 sample(s) of its 3 observation(s), not 3"}
    wide = {"histogram": "wide", "percentiles": {"p50": 0.5, "p99": 2.5}, "min": 1.0, "max": 2.0,
            "message": "wide's p50 0.5, p99 2.5 outside its [min, max] [1.0, 2.0]"}
    assert _said(v) == ("callbacks_timed", False, [count, short, wide],
                        f"1 per-callback histogram(s) count other than the 5 callbacks counted: {count['message']}; "
                        f"2 histogram reservoir finding(s): {short['message']}; {wide['message']}"), v
    published["callback_duration_s"]["count"] = 5
    alone = check_callbacks_timed(s)
    assert _said(alone) == ("callbacks_timed", False, [short, wide],
                            f"2 histogram reservoir finding(s): {short['message']}; {wide['message']}"), alone


def test_a_clock_that_does_not_say_it_is_virtual_is_read_as_a_real_one() -> None:
    s = _closed_system_miscounting_by(1)
    s.clock = SimpleNamespace()
    v = check_callbacks_timed(s)
    assert v.ok and v.message.startswith("a real clock"), v.message


def test_a_running_system_is_judged_between_a_virtual_clock_s_steps() -> None:
    """The live check reads the system between steps, where no callback is between its count and
    its timing: a running system is judged there, and the same miscount fails it."""
    from harness.invariants import _CallbacksTimed

    s = AudioSystem({}, seed=11)
    s.initialize()
    s.start()
    s.run_for(0.5)
    between = _CallbacksTimed().verdict(s, between_steps=True)
    assert between.ok and "callbacks counted" in between.message, between.message
    s.monitoring.histogram("callback_duration_s").count -= 1
    assert not _CallbacksTimed().verdict(s, between_steps=True).ok
    s.close()
