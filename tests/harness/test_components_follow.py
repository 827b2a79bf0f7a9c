"""The ``components_follow`` invariant: the components besides ``system`` are STOPPED when the
system enters STOPPED and RUNNING (or FAILED) when it leaves RUNNING. Small histories of
each verdict, then the shipped system through every operation that moves it on the simulated
device, and the same system with its start leaving the components behind (batch 50's
``start_leaves_components_starting``) or its stop leaving a FAILED component (batch 47's
``stop_leaves_failed_components``)."""

from __future__ import annotations

from typing import Any

import pytest

from harness.history import History
from harness.invariants import NAMES, Verdict, check_all, check_components_follow
from system_under_test import AudioSystem, State
from system_under_test.errors import SimulatedError

PARTS = ("dsp", "input", "output", "device")


def _history(state: str = "configured", parts: str = "configured", **extra: Any) -> History:
    h = History()
    h.record("attach", data={"state": state, "configured": True, "pending": False, "clock": "virtual",
                             "components": {"system": state, **{p: parts for p in PARTS}},
                             "next_seq": 1, **extra})
    return h


class _Moves:
    """Transitions numbered in order, as the coordinator numbers them."""

    def __init__(self, h: History) -> None:
        self.h, self.seq = h, 0

    def __call__(self, component: str, a: str, b: str) -> None:
        self.seq += 1
        self.h.record("transition", time=float(self.seq), data={
            "seq": self.seq, "time": float(self.seq), "component": component, "from_state": a,
            "to_state": b, "cause": "test"})

    def all(self, a: str, b: str, *, system_first: bool = True) -> None:
        if system_first:
            self("system", a, b)
        for p in PARTS:
            self(p, a, b)
        if not system_first:
            self("system", a, b)


def _judge(h: History) -> Verdict:
    v = check_components_follow(h)
    assert check_all(h, only=["components_follow"])[0].to_dict() == v.to_dict()
    return v


def test_it_is_registered() -> None:
    assert "components_follow" in NAMES


def test_a_start_and_a_stop_that_move_every_component_hold() -> None:
    h = _history()
    move = _Moves(h)
    move.all("configured", "starting")
    move.all("starting", "running")
    move("system", "running", "paused")  # pause moves the system alone
    move("system", "paused", "running")
    move("system", "running", "stopping")
    for p in PARTS:
        move(p, "running", "stopping")
    move.all("stopping", "stopped", system_first=False)  # the components first, then the system
    v = _judge(h)
    assert v.ok, v


def test_a_system_that_leaves_running_with_its_components_still_starting_is_violated() -> None:
    h = _history()
    move = _Moves(h)
    move.all("configured", "starting")
    move("system", "starting", "running")  # the components are left STARTING
    move("system", "running", "stopping")
    v = _judge(h)
    assert not v.ok
    assert v.evidence[0]["components"] == {p: "starting" for p in sorted(PARTS)}
    assert "the system left running for stopping" in v.evidence[0]["why"]


def test_a_system_that_enters_stopped_with_a_failed_component_is_violated() -> None:
    h = _history(state="failed", parts="failed")
    move = _Moves(h)
    move("system", "failed", "stopping")
    for p in PARTS[:3]:
        move(p, "failed", "stopping")
    for p in PARTS[:3]:
        move(p, "stopping", "stopped")
    move("system", "stopping", "stopped")
    v = _judge(h)
    assert not v.ok and v.evidence[0]["components"] == {"device": "failed"}, v


def test_a_failure_reported_against_a_component_before_the_system_fails_holds() -> None:
    h = _history(state="running", parts="running")
    move = _Moves(h)
    move("device", "running", "failed")  # simulate_error("device"), which nothing depends on: the cascade first
    move("system", "running", "failed")
    assert _judge(h).ok


def test_a_recovery_to_paused_leaves_running_components_behind_a_paused_system_and_holds() -> None:
    h = _history(state="paused", parts="running")
    move = _Moves(h)
    move.all("paused", "recovering")
    for p in PARTS:
        move(p, "recovering", "running")
    move("system", "recovering", "paused")
    move("system", "paused", "running")
    move("system", "running", "stopping")
    assert _judge(h).ok


def test_a_system_running_over_components_a_reconfiguration_left_paused_is_violated() -> None:
    """A live reconfiguration from PAUSED moves the components to PAUSED with the system; a resume
    that then moves the system alone leaves it RUNNING over PAUSED components, judged as it leaves
    RUNNING."""
    h = _history(state="paused", parts="running")
    move = _Moves(h)
    move.all("paused", "reconfiguring")
    move.all("reconfiguring", "paused")
    move("system", "paused", "running")  # resume: the system alone
    move("system", "running", "paused")
    v = _judge(h)
    assert not v.ok
    assert v.evidence[0]["components"] == {p: "paused" for p in sorted(PARTS)}
    assert "the system left running for paused" in v.evidence[0]["why"]


def test_a_resume_that_brings_the_paused_components_back_holds() -> None:
    h = _history(state="paused", parts="running")
    move = _Moves(h)
    move.all("paused", "reconfiguring")
    move.all("reconfiguring", "paused")
    move.all("paused", "running")  # resume: the system, then the components it left paused
    move("system", "running", "paused")
    assert _judge(h).ok


def test_the_shipped_resume_brings_back_the_components_a_paused_reconfiguration_left_paused() -> None:
    system = AudioSystem(seed=1)
    system.initialize()
    system.configure({})
    system.start()
    system.pause()
    system.reconfigure({"stream": {"block_size": 128}})
    assert {system.coordinator.state(p) for p in PARTS} == {State.PAUSED}
    system.resume()
    assert {system.coordinator.state(p) for p in PARTS} == {State.RUNNING}
    assert system.state == State.RUNNING and system.pipeline is not None and system.pipeline.capturing
    system.close()


def test_a_failure_that_cascaded_along_the_graph_holds() -> None:
    h = _history(state="running", parts="running")
    move = _Moves(h)
    for p in PARTS:  # simulate_error("dsp"): dsp and every dependent
        move(p, "running", "failed")
    move("system", "running", "failed")
    assert _judge(h).ok


def test_a_dependent_left_running_over_its_failed_dependency_is_violated() -> None:
    h = _history(state="running", parts="running")
    move = _Moves(h)
    for p in ("dsp", "output", "device"):  # the input's edge to dsp lost: input stays running
        move(p, "running", "failed")
    move("system", "running", "failed")
    v = _judge(h)
    assert not v.ok
    assert v.evidence[-1]["components"] == {"input": "running"}
    assert "input running over its failed dependency dsp" in v.evidence[-1]["why"]


def test_a_dependent_left_paused_over_a_dependency_failed_under_a_failed_system_is_violated() -> None:
    """Seed 1's shape with the input's edge lost: the system already FAILED (a device failure),
    dsp fails with the input PAUSED, and the stop that follows moves the input from PAUSED: the
    system never enters FAILED after the cascade, so only the dependent's next move shows it."""
    h = _history(state="paused", parts="paused")
    move = _Moves(h)
    move("device", "paused", "failed")
    move("system", "paused", "failed")
    move("dsp", "paused", "failed")  # simulate_error("dsp")
    move("output", "paused", "failed")  # its cascade, without the input
    move("system", "failed", "stopping")
    move("device", "failed", "stopping")
    move("output", "failed", "stopping")
    move("input", "paused", "stopping")
    v = _judge(h)
    assert not v.ok
    assert v.evidence[-1]["components"] == {"input": "paused"}
    assert "input moved paused -> stopping after its dependency dsp failed (seq 3)" in v.evidence[-1]["why"]


def test_a_cascade_under_a_failed_system_that_reaches_every_dependent_holds() -> None:
    h = _history(state="paused", parts="paused")
    move = _Moves(h)
    move("device", "paused", "failed")
    move("system", "paused", "failed")
    move("dsp", "paused", "failed")
    move("input", "paused", "failed")
    move("output", "paused", "failed")
    move("system", "failed", "stopping")
    for p in reversed(PARTS):
        move(p, "failed", "stopping")
    assert _judge(h).ok


def test_a_dependent_at_rest_when_its_dependency_fails_is_not_held_to_the_cascade() -> None:
    h = _history(state="stopped", parts="stopped")
    move = _Moves(h)
    move("dsp", "stopped", "failed")  # nothing of the input runs: the cascade leaves it be
    move("input", "stopped", "starting")
    assert _judge(h).ok


def test_a_registered_graph_that_lost_an_edge_is_violated_in_a_run_with_no_failure() -> None:
    graph = {"dsp": [], "input": [], "output": ["dsp"], "device": ["input", "output"]}
    h = _history(depends_on=graph)
    move = _Moves(h)
    move.all("configured", "starting")
    move.all("starting", "running", system_first=False)
    v = _judge(h)
    assert not v.ok
    assert v.evidence[0]["depends_on"] == {"input": []}
    assert "input depending on nothing (the pipeline's graph: dsp)" in v.evidence[0]["why"]
    right = {"dsp": [], "input": ["dsp"], "output": ["dsp"], "device": ["output", "input"]}
    assert _judge(_history(depends_on=right)).ok
    other = {"dsp": [], "input": [], "output": ["dsp"], "device": ["input", "output"], "mixer": []}
    assert _judge(_history(depends_on=other)).ok  # another pipeline: not this graph's to judge


def test_the_history_records_the_graph_the_shipped_system_registered() -> None:
    from harness.invariants import PIPELINE_GRAPH

    system = AudioSystem(seed=1)
    h = History(meta={"seed": 1}).attach(system)
    assert h.initial is not None
    assert {c: tuple(d) for c, d in h.initial["depends_on"].items()} == dict(PIPELINE_GRAPH)
    system.close()


def test_a_system_whose_input_lost_its_edge_is_caught_without_any_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batch 50's ``input_independent_of_dsp`` in a run that never fails dsp (seeds 2 and 9 of a
    plain default run): the registered graph shows it."""
    import system_under_test.system as system_module

    graph = tuple((n, () if n == "input" else deps) for n, deps in system_module.COMPONENTS)
    monkeypatch.setattr(system_module, "COMPONENTS", graph)
    system = AudioSystem(seed=1)
    h = _drive(system)
    v = _judge(h)
    assert not v.ok
    assert [e["depends_on"] for e in v.evidence if "depends_on" in e] == [{"input": []}]


def test_a_coordinator_with_other_components_is_not_judged_for_the_cascade() -> None:
    h = History()
    h.record("attach", data={"state": "running", "components": {"system": "running", "a": "running",
                                                                 "b": "running"}, "next_seq": 1})
    move = _Moves(h)
    move("a", "running", "failed")
    move("system", "running", "failed")
    assert _judge(h).ok


@pytest.mark.parametrize("edge", [("dsp",), ()])
def test_the_system_failing_its_dsp_cascades_to_the_input(edge: tuple[str, ...],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped graph holds; with the input's edge to dsp dropped (batch 50's
    ``input_independent_of_dsp``) the input runs on over the failed chain, and is caught."""
    import system_under_test.system as system_module

    graph = tuple((n, edge if n == "input" else deps) for n, deps in system_module.COMPONENTS)
    monkeypatch.setattr(system_module, "COMPONENTS", graph)
    system = AudioSystem(seed=1)
    h = History(meta={"seed": 1}).attach(system)
    system.initialize()
    system.configure({})
    system.start()
    system.run_for(0.1)
    with pytest.raises(SimulatedError):
        system.simulate_error("dsp")
    system.close()
    assert _judge(h).ok is (edge == ("dsp",))


def test_a_system_with_no_component_and_the_coordinator_model_are_not_judged() -> None:
    h = History()
    h.record("attach", data={"state": "running", "components": {"system": "running"}, "next_seq": 1})
    _Moves(h)("system", "running", "stopping")
    assert _judge(h).ok
    h = _history(model="coordinator")
    _Moves(h)("system", "configured", "starting")
    _Moves(h)  # a storm moves components at random: nothing the system promised
    h.record("transition", time=2.0, data={"seq": 2, "time": 2.0, "component": "system",
                                           "from_state": "starting", "to_state": "running", "cause": "storm"})
    h.record("transition", time=3.0, data={"seq": 3, "time": 3.0, "component": "system",
                                           "from_state": "running", "to_state": "stopping", "cause": "storm"})
    assert _judge(h).ok


def _drive(system: AudioSystem) -> History:
    """Every operation that moves the system, on the simulated device and its virtual clock."""
    h = History(meta={"seed": system.seed}).attach(system)
    system.initialize()
    system.configure({})
    system.start()
    system.run_for(0.2)
    system.pause()
    system.reconfigure({"stream": {"block_size": 128}})  # live, from PAUSED: the components follow
    system.resume()
    system.run_for(0.2)
    system.reconfigure({"stream": {"block_size": 256}})
    system.backend.remove_device("sim-in")  # a loss: recovery on the fallback-less primary
    system.run_for(0.05)
    system.backend.restore_device("sim-in")
    system.run_for(1.0)
    with pytest.raises(SimulatedError):
        system.simulate_error("input")
    assert system.recover()
    with pytest.raises(SimulatedError):
        system.simulate_error("input")
    system.stop()  # from FAILED: the failed components too
    system.start()
    system.run_for(0.1)
    system.close()
    return h


@pytest.mark.parametrize("seed", range(4))
def test_the_shipped_system_holds(seed: int) -> None:
    system = AudioSystem(seed=seed)
    h = _drive(system)
    assert system.state == State.CLOSED
    v = _judge(h)
    assert v.ok, v


class _StartLeavesComponents(AudioSystem):
    """start() moves the system alone to RUNNING."""

    def _set(self, target: State, cause: str, *, components: tuple[str, ...] = (),
             expect: tuple[State, ...] | None = None) -> None:
        if target == State.RUNNING and cause == "start":
            components = ()
        super()._set(target, cause, components=components, expect=expect)


class _ResumeMovesTheSystemAlone(AudioSystem):
    """resume() as it was: the system alone to RUNNING, over the components a live reconfiguration
    from PAUSED left PAUSED."""

    def resume(self) -> None:
        with self._op_lock:
            self.coordinator.transition("system", State.RUNNING, "resume", expect=(State.PAUSED,))
            if self._pipeline is not None:
                self._pipeline.capturing = True
            self._wake_supervisor()


class _StopLeavesFailed(AudioSystem):
    """stop() leaves the components a failure left FAILED."""

    def stop(self) -> None:
        with self._op_lock:
            failed = [n for n in PARTS if self.coordinator.state(n) == State.FAILED]
            real = self.coordinator.try_transition

            def keep_failed(name: str, target: State, cause: str = "") -> Any:
                return None if name in failed and target == State.STOPPING else real(name, target, cause)

            self.coordinator.try_transition = keep_failed  # type: ignore[method-assign]
            try:
                super().stop()
            finally:
                del self.coordinator.try_transition


@pytest.mark.parametrize("cls", [_StartLeavesComponents, _StopLeavesFailed, _ResumeMovesTheSystemAlone])
def test_a_system_whose_components_fall_behind_is_violated(cls: type[AudioSystem]) -> None:
    system = cls(seed=1)
    h = _drive(system)
    v = _judge(h)
    assert not v.ok, v
    assert v.message.endswith("system transition(s) the components had not followed")
