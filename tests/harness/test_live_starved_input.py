"""``starved_input`` is judged by the live checks on a virtual clock.

There every entry is recorded in time order on the checker's thread, so at a check timed ``now``
any entry still to come is timed ``now`` or later. A starved stretch whose bound passed strictly
before ``now``, with no stall report, no leaving of RUNNING and no feeding within it, cannot be
explained by a later entry: the live check judges it then. One whose bound is ``now`` itself
waits, since a report at the check's own time may still come. The ``ignores_starved_input``
mutant is stopped at the first live check after its bound passed; a healthy run gives the same
verdict live as at the end. Virtual clock, fixed seeds: deterministic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness import ReliabilityRun, RunSpec
from harness.history import History
from harness.invariants import LiveChecker, Verdict, _starved_input_span, check_starved_input
from harness.mutants import system_factory
from system_under_test import AudioSystem

STARVED = "starved_input"

#: 256-frame blocks at 48 kHz, 4 stall periods, a 5 ms supervisor: a 53 ms bound
_CONFIG = {"device": {"input_device": "sim-in", "output_device": "sim-out"},
           "stream": {"block_size": 256, "sample_rate": 48_000},
           "watchdog": {"stall_periods": 4, "supervisor_interval_ms": 5.0}}
BOUND_S = _starved_input_span(_CONFIG)
assert BOUND_S is not None
#: when the crafted starvation starts
T0 = 0.1

#: the runs' length, simulated: long enough that seeds 1 and 2 meet several starved stretches
RUN_S = 40.0
_PROFILE = ('name = "starved"\ncheck_every_s = 0.25\n[probabilities]\ninput_starved = 0.05\nxrun = 0.2\n'
            '[params.input_starved]\nduration_s = [0.05, 0.6]\n')


@pytest.fixture(autouse=True)
def _history_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))


def _live(checker: LiveChecker, name: str = STARVED) -> Verdict:
    (v,) = [v for v in checker.check() if v.name == name]
    return v


def _running_and_starved(h: History) -> None:
    """A virtual clock's history: RUNNING from the start on ``_CONFIG``, ``sim-in`` starved from ``T0``."""
    h.record("attach", data={"state": "running", "configured": True, "pending": False, "clock": "virtual",
                             "components": {"system": "running"}})
    h.record("event", value="config_applied", time=0.0, data={"config": _CONFIG})
    d = {"kind": "input_starved", "target": "sim-in", "firing_id": f"s@{T0}", "fired_at": T0, "ended_at": None}
    h.record("fault_start", time=T0, data=d)


def _report(h: History, t: float) -> None:
    h.record("error", time=t, data={"error": {"type": "DeviceStalledError", "message": "no input"}})


@pytest.mark.parametrize("reported", [True, False])
def test_a_stretch_is_judged_live_only_once_its_bound_has_passed(reported: bool) -> None:
    """At a check timed at the bound itself the stretch waits: the stall report recorded at that
    very time, after the check, explains it (and the checks after agree). Unreported, the first
    check timed past the bound breaks it, and the end agrees."""
    s = AudioSystem({}, seed=5)
    h = History()
    _running_and_starved(h)
    checker = LiveChecker(s, h, linearizable=False)
    try:
        h.record("note", value="tick", time=T0 + BOUND_S)  # the check's time is the bound itself
        at_bound = _live(checker)
        assert (at_bound.ok, at_bound.inconclusive) == (True, False), at_bound
        if reported:
            _report(h, T0 + BOUND_S)  # recorded after the check, at its own time: within the bound
        h.record("note", value="tick", time=T0 + BOUND_S + 0.001)
        past = _live(checker)
        assert past.ok is reported, past
        if not reported:
            (e,) = past.evidence
            assert (e["device"], e["starved_from"]) == ("sim-in", T0), e
        h.record("note", value="end", time=1.0)
        last = _live(checker)
        end = check_starved_input(h)
        assert end.ok is reported, end
        assert last.ok is end.ok
        if not reported:  # the same break, its open stretch now read to 1.0 s
            assert [(e["device"], e["starved_from"]) for e in last.evidence] == [("sim-in", T0)], last
    finally:
        checker.close()
        s.close()


def _run_with_live_checks(tmp_path: Path, seed: int,
                          mutant: str | None) -> tuple[History, list[float], tuple[float, Verdict] | None]:
    """A ``RUN_S`` run of starvations and xruns with a live checker of its own, checked after every
    chunk: (history, the checks' times, (time, verdict) of the first live break of
    ``starved_input`` or None)."""
    profile = tmp_path / "starved.toml"
    profile.write_text(_PROFILE)
    first: list[tuple[float, Verdict]] = []
    times: list[float] = []
    checkers: list[LiveChecker] = []

    def on_chunk(run: Any, system: Any, history: History) -> None:
        if not checkers:
            checkers.append(LiveChecker(system, history, linearizable=False))
        times.append(history.end_time)
        v = _live(checkers[0])
        if not v.ok and not first:
            first.append((history.end_time, v))

    run = ReliabilityRun(RunSpec(duration_s=RUN_S, seed=seed, faults=str(profile), run_dir=tmp_path / "r"),
                         system_factory=system_factory(mutant) if mutant else None)
    try:
        run.execute(reports=False, on_chunk=on_chunk)
    finally:
        for checker in checkers:
            checker.close()
    return History.open_jsonl(tmp_path / "r" / "history.jsonl"), times, (first[0] if first else None)


def test_the_mutant_is_stopped_at_the_first_check_after_its_bound_passed(tmp_path: Path) -> None:
    history, times, first = _run_with_live_checks(tmp_path, 1, "ignores_starved_input")
    end = check_starved_input(history)
    assert end.ok is False, end
    assert first is not None, "the live checks never broke"
    at, live = first
    due = min(e["starved_from"] + e["bound_s"] for e in end.evidence)  # the earliest bound that passed unreported
    assert at == min(t for t in times if t > due), (at, due)
    assert at < times[-1], "broken only at the last check"
    assert live.evidence[0]["starved_from"] == min(e["starved_from"] for e in end.evidence)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_healthy_run_gives_the_same_verdict_live_as_at_the_end(tmp_path: Path, seed: int) -> None:
    history, times, first = _run_with_live_checks(tmp_path, seed, None)
    assert len(times) >= 5, times
    assert first is None, first
    end = check_starved_input(history)
    assert (end.ok, end.inconclusive) == (True, False), end
    assert "nothing to judge" not in end.message  # it met starved stretches, and held them
