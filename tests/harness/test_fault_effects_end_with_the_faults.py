"""What a fault asked of the device does not act after the faults end (issue #11).

A ``callback_raises`` fault adds to the device's count of corrupted callbacks and an ``xrun`` to
its delay of the next callback; both wait on the device for a callback to take them. When the
faults were disarmed with some still unspent (the system failed or recovering while they came),
the stream the closing recovery opened met them: block size 8192, ``hostile``, seed 94236, 24
corrupted callbacks raised one a block for the run's last 4.25 s and a healthy system read
INCONCLUSIVE (never settled). ``FaultInjector.disarm`` now takes them back and notes it
(``fault_taken_back``); a fault held for the system's state is dropped there too, never fired.
Before that, the device drops what is unspent of a request past its firing's window (a
``callback_raises``' blocks, an ``xrun``'s delay), a note naming the fault.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from running_system import running_system

from harness import ReliabilityRun, RunSpec
from harness.fault_outcomes import fold_history
from harness.faults import FaultInjector, fault_from_dict
from harness.faults.kinds import Fault
from harness.faults.triggers import At
from harness.faults.xrun_bound import acts_past_end_s, period_of, settle_for
from harness.history import History
from system_under_test import AudioSystem


def _running() -> tuple[AudioSystem, History]:
    """The shipped system on the simulated device, running for 1 s."""
    system, history = running_system()
    system.run_for(1.0)
    return system, history


def _fault(kind: str, name: str, at: float = 0.0, **params: object) -> Fault:
    fault = fault_from_dict({"kind": kind, **params})
    fault.trigger, fault.fault_id = At(at), name
    return fault


def _notes(history: History, value: str) -> list[dict]:
    return [e.data for e in history.entries if e.type == "note" and e.value == value]


def test_corrupted_callbacks_unspent_when_the_faults_end_are_taken_back() -> None:
    """Taken back as the faults end, before the firing's window ends, in a note naming the fault
    and its window's end (one naming no fault could not be tied to its cause)."""
    system, history = _running()
    injector = FaultInjector(system, (), seed=1, history=history)
    injector.inject(_fault("callback_raises", "raise", count=3))
    window_end = _window_end(system, "callback_raises", system.clock.now(), {"count": 3})
    injector.disarm()  # at the same instant: no callback has spent any of the three
    system.run_for(1.0)
    assert system.monitoring.value("callback_errors") == 0
    assert system.backend.device("sim-in").corrupt_callbacks == 0
    assert _notes(history, "fault_taken_back") == [
        {"device": "sim-in", "kinds": ["callback_raises"], "corrupt_callbacks": 3, "fault_id": "raise",
         "window_end": window_end}]
    assert injector.taken_back == {"sim-in": {"corrupt_callbacks": 3}}


def test_a_late_callback_not_yet_served_when_the_faults_end_is_taken_back() -> None:
    system, history = _running()
    xruns = system.monitoring.value("xruns")
    injector = FaultInjector(system, (), seed=1, history=history)
    injector.inject(_fault("xrun", "late", delay_s=0.005))
    window_end = _window_end(system, "xrun", system.clock.now(), {"delay_s": 0.005})
    injector.disarm()
    system.run_for(1.0)
    assert system.monitoring.value("xruns") == xruns
    assert system.backend.device("sim-in").pending_delay_s == 0.0
    (note,) = _notes(history, "fault_taken_back")
    assert note == {"device": "sim-in", "kinds": ["xrun"], "delay_s": 0.005, "fault_id": "late",
                    "window_end": window_end}


def test_the_faults_end_names_each_request_it_takes_back() -> None:
    """Two firings' requests and one asked of the device directly (no fault: a test's hook) wait
    on one device as the faults end: one note for each firing, naming it, with what was left of
    it (the first's one block spent), and one naming no fault for what no fault asked."""
    system, history = _running()
    injector = FaultInjector(system, (), seed=1, history=history)
    injector.inject(_fault("callback_raises", "first", count=3))
    first_end = _window_end(system, "callback_raises", system.clock.now(), {"count": 3})
    system.run_for(period_of(system.config).period_s)  # one block comes: it spends one of the three
    injector.inject(_fault("callback_raises", "second", count=2))
    second_end = _window_end(system, "callback_raises", system.clock.now(), {"count": 2})
    system.backend.corrupt_next_callbacks("sim-in", 4)
    injector.disarm()
    assert system.monitoring.value("callback_errors") == 1
    assert _notes(history, "fault_taken_back") == [
        {"device": "sim-in", "kinds": ["callback_raises"], "corrupt_callbacks": 2, "fault_id": "first",
         "window_end": first_end},
        {"device": "sim-in", "kinds": ["callback_raises"], "corrupt_callbacks": 2, "fault_id": "second",
         "window_end": second_end},
        {"device": "sim-in", "kinds": ["callback_raises"], "corrupt_callbacks": 4}]
    assert injector.taken_back == {"sim-in": {"corrupt_callbacks": 8}}
    assert system.backend.device("sim-in").corrupt_callbacks == 0


def test_requests_spent_before_the_end_leave_nothing_to_take_back() -> None:
    system, history = _running()
    injector = FaultInjector(system, (), seed=1, history=history)
    injector.inject(_fault("callback_raises", "raise", count=1))
    system.run_for(1.0)
    injector.disarm()
    assert system.monitoring.value("callback_errors") == 1
    assert _notes(history, "fault_taken_back") == [] and injector.taken_back == {}


def test_a_fault_held_when_the_faults_end_does_not_act_on_the_systems_return() -> None:
    """The device goes away for good. A ``callback_raises`` due while the system recovers acts on
    the device (a reopened stream would meet it) and stays unspent, the recovery giving up
    (failed); one due once it failed is held. After the faults end the device is back and the
    system recovered: neither reaches the new stream (the first taken back, the held one gone with
    the faults)."""
    system, history = _running()
    injector = FaultInjector(system, [_fault("dropout", "drop", 1.5, duration_s=30.0),
                                      _fault("callback_raises", "unspent", 1.52, count=3),
                                      _fault("callback_raises", "held", 5.0, count=2)], seed=1, history=history)
    injector.arm()
    system.run_for(5.5)  # the recovery gives up at 4.78 s
    assert system.state.value == "failed"
    assert injector.fired_by_kind["callback_raises"] == 1
    assert injector.held_summary()["callback_raises"] == {"held": 1, "acted": 0, "at_end": 0}
    injector.disarm()
    system.recover()
    system.run_for(1.0)
    assert system.state.value == "running"
    assert [e for e in history.entries if e.type == "fault_start" and e.time > 5.5] == []
    assert system.monitoring.value("callback_errors") == 0
    assert injector.taken_back == {"sim-in": {"corrupt_callbacks": 3}}


@pytest.mark.parametrize("kind, at, params, counter, dropped", [
    ("callback_raises", 1.52, {"count": 3}, "callback_errors", {"corrupt_callbacks": 3}),
    ("xrun", 1.5, {"delay_s": 0.01}, "xruns", {"delay_s": 0.01}),
], ids=["callback_raises_while_recovering", "xrun_as_the_stream_died"])
def test_a_request_a_long_recovery_kept_on_the_device_does_not_act_after_its_window(
        kind: str, at: float, params: dict, counter: str, dropped: dict) -> None:
    """The device goes away at 1.5 s for 2 s. A ``callback_raises`` fired meanwhile (the system
    recovering, which may take it), or an ``xrun`` fired at the same instant as the loss (the
    system still running: it hears of it at the next block), waited on the device and acted on
    the stream the recovery reopened at 3.78 s, 2.2 s after its window (its blocks or its delay,
    and ``settle_for``'s 50 ms) had closed: callback errors, or a late block, no firing's window
    held. The device now drops the request as its window ends, and says so then: not at that
    stream's first block, 2.2 s late."""
    system, history = _running()
    injector = FaultInjector(system, [_fault("dropout", "drop", 1.5, duration_s=2.0),
                                      _fault(kind, "asked", at, **params)], seed=1, history=history)
    injector.arm()
    system.run_for(5.0)
    assert injector.fired_by_kind[kind] == 1
    assert system.monitoring.value(counter) == 0
    assert system.state.value == "running" and system.monitoring.value("recoveries") == 1
    window_end = _window_end(system, kind, at, params)
    (note,) = [e for e in history.entries if e.type == "note" and e.value == "fault_taken_back"]
    assert note.data == {"device": "sim-in", "kinds": [kind], **dropped, "fault_id": "asked",
                         "window_end": window_end}
    assert window_end < note.time <= window_end + 1e-9  # the window's end, the stream still gone
    injector.disarm()  # nothing left waiting: noted once
    assert injector.taken_back == {"sim-in": dropped}
    assert len(_notes(history, "fault_taken_back")) == 1


def _window_end(system: AudioSystem, kind: str, at: float, params: dict) -> float:
    """The end of the window a firing of ``kind`` at ``at`` holds its request to, at the period in force."""
    period = period_of(system.config)
    return at + acts_past_end_s(kind, params, period) + settle_for(period)


@pytest.mark.parametrize("kind, at, params, dropped", [
    ("callback_raises", 1.52, {"count": 3}, {"corrupt_callbacks": 3}),
    ("xrun", 1.5, {"delay_s": 0.01}, {"delay_s": 0.01}),
], ids=["callback_raises_while_recovering", "xrun_as_the_stream_died"])
def test_a_request_whose_stream_never_reopens_is_taken_back_at_its_windows_end_naming_its_fault(
        kind: str, at: float, params: dict, dropped: dict) -> None:
    """The device goes away at 1.5 s for good (the recovery gives up at 4.78 s). A request fired
    as the stream died, or while the system recovered, has no block to take it: it stayed on the
    device until ``disarm`` took it back, at the faults' end, in a note naming no fault. It is
    dropped as its window ends, on the clock, the note naming its fault; nothing is left for
    ``disarm``."""
    system, history = _running()
    injector = FaultInjector(system, [_fault("dropout", "drop", 1.5, duration_s=30.0),
                                      _fault(kind, "asked", at, **params)], seed=1, history=history)
    injector.arm()
    window_end = _window_end(system, kind, at, params)
    system.run_for(window_end + 1e-6 - system.clock.now())  # just past the window's end
    assert injector.fired_by_kind[kind] == 1
    device = system.backend.device("sim-in")
    assert (device.corrupt_callbacks, device.pending_delay_s, list(device.requests)) == (0, 0.0, [])
    (note,) = _notes(history, "fault_taken_back")
    assert note == {"device": "sim-in", "kinds": [kind], **dropped, "fault_id": "asked", "window_end": window_end}
    system.run_for(5.0)
    assert system.state.value == "failed"
    injector.disarm()
    assert len(_notes(history, "fault_taken_back")) == 1 and injector.taken_back == {"sim-in": dropped}


def test_a_request_taken_in_full_leaves_no_timer_on_the_clock() -> None:
    """A request spent by the blocks within its window lets go of the timer that would drop it at
    the window's end: a soak's clock does not keep one for every request it asked."""
    system, history = _running()
    injector = FaultInjector(system, (), seed=1, history=history)
    live_before = system.clock.pending()
    injector.inject(_fault("callback_raises", "raise", count=1))
    assert system.clock.pending() == live_before + 1
    system.run_for(0.02)
    assert system.monitoring.value("callback_errors") == 1
    assert system.clock.pending() == live_before and _notes(history, "fault_taken_back") == []


def test_a_late_callback_on_a_running_stream_comes_within_its_window() -> None:
    """The largest delay that stays an xrun at the default period, on a running stream: its late
    block comes inside the firing's window, nothing dropped."""
    system, history = _running()
    delay = period_of(system.config).max_lateness_s
    injector = FaultInjector(system, (), seed=1, history=history)
    injector.inject(_fault("xrun", "late", delay_s=delay))
    system.run_for(1.0)
    assert system.monitoring.value("xruns") == 1
    assert _notes(history, "fault_taken_back") == [] and injector.taken_back == {}


def test_a_request_spent_within_its_window_is_taken_in_full() -> None:
    """Fourteen corrupted callbacks on a running stream come on fourteen blocks one after another
    (the policy's restart at 3 in a row between), inside the firing's window: none is dropped."""
    system, history = _running()
    injector = FaultInjector(system, (), seed=1, history=history)
    injector.inject(_fault("callback_raises", "raise", count=14))
    system.run_for(1.0)
    assert system.monitoring.value("callback_errors") == 14
    assert _notes(history, "fault_taken_back") == [] and injector.taken_back == {}


def test_a_healthy_run_at_8192_frames_settles_after_its_hostile_faults(tmp_path: Path) -> None:
    """The run that found it: 24 corrupted callbacks and a delay were unspent at the faults' end.
    Every request is now dropped in the run as its window ends (each note naming its fault, at the
    window's end: no later, whether or not a block came), 40 corrupted callbacks and 9 delays in
    26 notes; nothing is left for the faults' end (12 corrupted callbacks in one note naming no
    fault, at 61 s, while requests were dropped at their stream's next block)."""
    spec = RunSpec(duration_s=60.0, seed=94236, faults="hostile", report_root=tmp_path,
                   config={"stream": {"block_size": 8192, "latency_ms": 200.0}})
    result = ReliabilityRun(spec).execute(reports=False)
    assert result.verdict.outcome.value == "pass", result.verdict.headline()
    notes = [e for e in result.history if e.type == "note" and e.value == "fault_taken_back"]
    assert len(notes) == 26 and all("fault_id" in n.data for n in notes)
    assert all(0.0 < n.time - n.data["window_end"] <= 1e-9 for n in notes)
    assert sum("delay_s" in n.data for n in notes) == 9
    assert sum(n.data.get("corrupt_callbacks", 0) for n in notes) == 40


def test_what_is_taken_back_of_one_device_in_several_goes_is_counted_whole() -> None:
    """A device drops a request past its firing's window (the callable ``taken_back_after``
    gives it) and the faults' end takes back another's: ``taken_back`` counts both, as the
    notes say them, not the last alone."""
    system, history = _running()
    injector = FaultInjector(system, (), seed=97252, history=history)
    first = _fault("callback_raises", "first", count=2)
    injector.taken_back_after(first, window_end=0.5)({"corrupt_callbacks": 2})
    injector.inject(_fault("callback_raises", "second", count=3))
    injector.disarm()  # at the same instant: none of the second's three is spent
    notes = _notes(history, "fault_taken_back")
    assert [n["corrupt_callbacks"] for n in notes] == [2, 3]
    assert injector.taken_back == {"sim-in": {"corrupt_callbacks": 5}}


@pytest.mark.parametrize("kind, params", [("xrun", {"delay_s": 0.005}), ("callback_raises", {"count": 2})])
def test_a_firing_the_faults_end_took_back_whole_is_not_judged(kind: str, params: dict) -> None:
    """A run's only firing of a judged kind comes in its last period: the faults end before a block
    takes any of it, and its request is taken back whole. The system never met it: it read
    "nothing seen" and the kind's path missed (a healthy run's verdict INCONCLUSIVE); then "not
    observed", the word of a firing whose outcome the run could not see; now it is never served,
    and judges nothing, neither missed nor unseen. One a block took a part of is judged as before."""
    system, history = _running()
    history.snapshot(system)
    injector = FaultInjector(system, (), seed=1, history=history)
    injector.inject(_fault(kind, "last", **params))
    injector.disarm()  # at the same instant: no block has taken any of it
    system.run_for(1.0)
    history.snapshot(system)
    fold = fold_history([e.to_dict() for e in history.entries])
    assert fold.by_kind() == {kind: {"never_served": 1}} and fold.path_missed() == fold.path_unseen() == {}


def test_a_firing_the_faults_end_took_back_in_part_is_judged() -> None:
    """Three corrupted callbacks asked, one block takes the first, the faults end: the firing
    acted (its callback error is its outcome), and its other two are taken back."""
    system, history = _running()
    history.snapshot(system)
    injector = FaultInjector(system, (), seed=1, history=history)
    injector.inject(_fault("callback_raises", "last", count=3))
    system.run_for(period_of(system.config).period_s)
    injector.disarm()
    system.run_for(1.0)
    history.snapshot(system)
    assert _notes(history, "fault_taken_back")[0]["corrupt_callbacks"] == 2
    fold = fold_history([e.to_dict() for e in history.entries])
    assert fold.by_kind() == {"callback_raises": {"error": 1}} and fold.path_missed() == {}


def _run_with(tmp_path: Path, faults: list[tuple[float, dict]]) -> tuple[ReliabilityRun, object]:
    """A 10 s default run, seed 98195, with ``faults`` (time, the fault's dict) as its schedule."""
    from harness.faults.schedule import Schedule

    run = ReliabilityRun(RunSpec(duration_s=10.0, seed=98195, faults="default", report_root=tmp_path))
    run.schedule = Schedule.fixed([(at, fault_from_dict(f)) for at, f in faults], duration_s=10.0, seed=98195)
    return run, run.execute(reports=False)


def test_a_run_whose_only_xrun_fires_as_its_faults_end_injected_nothing_the_system_met(tmp_path: Path) -> None:
    """A 10 s run whose only fault is an xrun 0.1 ms before the faults end: no block comes before
    they end, and its delay is taken back whole. The run read INCONCLUSIVE for the xrun path
    missed ("1 nothing seen"), then PASSED with it "not observed": a run that asked for faults and
    whose system met none. It is INCONCLUSIVE, as a run that injected none: the firing is never
    served, no path is missed or unseen, and the doubt says the one that fired was taken back."""
    run, result = _run_with(tmp_path, [(9.9999, {"kind": "xrun", "delay_s": 0.005})])
    assert result.verdict.outcome.value == "inconclusive", result.verdict.headline()
    assert result.summary["faults"]["outcomes"] == {"xrun": {"never_served": 1}}
    assert result.summary["faults"]["path_missed"] == result.summary["faults"]["path_unseen"] == {}
    (doubt,) = result.verdict.doubts
    assert "none was injected that the system met" in doubt and "taken back whole" in doubt, doubt
    (note,) = [e.data for e in result.history if e.type == "note" and e.value == "fault_taken_back"]
    assert note["fault_id"] == "xrun#0" and note["delay_s"] == 0.005 and note["window_end"] > run.injector.disarmed_at


def test_a_fault_never_served_beside_one_that_acted_neither_fails_the_run_nor_leaves_it_inconclusive(
        tmp_path: Path) -> None:
    """The same run with an xrun at 5 s that acts: the late one is never served and judges nothing,
    the run passes on the first."""
    _, result = _run_with(tmp_path, [(5.0, {"kind": "xrun", "delay_s": 0.005}),
                                     (9.9999, {"kind": "xrun", "delay_s": 0.005})])
    assert result.verdict.outcome.value == "pass", result.verdict.headline()
    assert result.summary["faults"]["outcomes"] == {"xrun": {"xrun": 1, "never_served": 1}}
