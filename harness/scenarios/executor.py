"""Running a scenario: build the system, drive the timeline, judge the expectations from the history.

How time moves. On the simulated backend everything runs on the system's ``VirtualClock``: the
executor advances it timer by timer, so a run is a pure function of the file and its seed (the
same seed, the same history, the same verdict). On the JACK rig the clock is real and the
executor polls its conditions with a deadline (never a bare sleep).

How steps trigger. Steps run in order; each waits for its trigger (``at`` a time since the start,
``when`` a state is entered or an event happens, plus ``delay``), then fires. The *next* step's
``when`` is armed just before the current step fires, so a condition that only holds *during*
an operation (``starting`` while ``start()`` runs, ``reconfiguring`` inside ``reconfigure()``) is
caught: a fault step with ``when`` and no ``delay`` fires synchronously in the transition
observer, at that very moment, the way a device dies in the middle of an operation. Operations
never fire inside an observer (a control thread issues them from outside): they fire as soon as
the operation in progress has returned.

What is recorded. Everything goes into a ``harness.history.History``: operations as
invoke/ok/fail/info (``run_op``), transitions, system events and errors, faults (the
``FaultInjector`` reports them), and a ``note`` for every step fired. Expectations are judged
from that history and the system's metrics; a failure names the expectation and quotes the
history entries around it as evidence.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time as _wall
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from system_under_test import AudioSystem, State
from system_under_test.clock import VirtualClock
from system_under_test.config import load_config
from system_under_test.devices.jack import JackBackend
from system_under_test.devices.portaudio import PortAudioBackend

from .. import faults as F
from .. import invariants as inv
from ..device_losses import DeviceLoss, device_losses, loss_findings, summary_of
from .. import mutants
from ..errors import UsageError
from ..compose import SystemSpec, compose, system_meta
from ..sut_protocol import SystemChoice, SystemFactory, SystemUnderTest, default_system
from ..history import Entry, History, run_op
from ..reports.machine_load import MachineLoad
from ..verdict import Outcome, RunVerdict, judge_run
from ..rig.loopback import LoopbackRig
from ..faults.base_config import overlay
from .loader import load_scenario, system_config_dict
from .model import (
    DeadlineExpect,
    FaultStep,
    InvariantExpect,
    MetricExpect,
    NeverExpect,
    NoLeakExpect,
    OpStep,
    Scenario,
    StateExpect,
    WaitStep,
    format_duration,
    parse_anchor,
    parse_condition,
    step_kind,
)

#: A fault without a duration lasts until clean-up lifts it.
UNTIL_CLEANUP = 1e9

StepContext = Callable[[str], AbstractContextManager[Any]]


# ================================================================================= results ====
@dataclass
class Failure:
    """One expectation that did not hold, with the history entries that show it.

    ``inconclusive``: the expectation could not be judged (an invariant whose check reached no
    verdict, a fault step the backend or the system gave nothing to act on): it is not met, so
    the scenario does not pass, but nothing was found either, so it does not fail: its verdict
    is inconclusive (``harness.verdict``) unless another expectation failed."""

    expectation: str
    message: str
    evidence: list[str] = field(default_factory=list)
    step: str | None = None
    invariant: str | None = None
    inconclusive: bool = False

    def render(self, indent: str = "  ") -> str:
        label = "CANNOT JUDGE" if self.inconclusive else "FAILED"
        lines = [f"{indent}{label} {self.expectation}", f"{indent}  {self.message}"]
        if self.evidence:
            lines.append(f"{indent}  evidence (history):")
            lines += [f"{indent}    {e}" for e in self.evidence]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"expectation": self.expectation, "message": self.message, "evidence": self.evidence,
                "step": self.step, "invariant": self.invariant, "inconclusive": self.inconclusive}


@dataclass
class ScenarioResult:
    scenario: Scenario
    source: str | None
    failures: list[Failure]
    history: History
    sim_seconds: float
    wall_seconds: float
    steps_fired: list[str] = field(default_factory=list)
    #: the device losses in the history, each explained or not (``harness.device_losses``'s
    #: ``summary_of``; ``summary.json``'s ``device_losses``); None: not judged
    device_losses: dict[str, Any] | None = None
    #: the load the machine carried while the scenario ran (``machine_load.MachineLoad``'s record;
    #: ``summary.json``'s and the report's ``machine``): its speed is compared only between runs
    #: under comparable loads. None: not measured (a result built by hand)
    machine: dict[str, Any] | None = None

    @property
    def passed(self) -> bool:
        """Its verdict is PASS: every expectation was judged and held, and no device was lost with
        nothing to explain it (an inconclusive scenario has not passed): what a scenario's pytest
        item, its report's headline-only form and a healthy re-run read."""
        return self.verdict.outcome is Outcome.PASS

    @property
    def failed(self) -> bool:
        """Its verdict is FAIL: an expectation was judged and did not hold. An inconclusive
        scenario has neither passed nor failed: it found nothing, so it reproduces no failure
        (the shrinkers and the exporter keep a candidate only while this holds)."""
        return self.verdict.outcome is Outcome.FAIL

    def failed_expectations(self) -> list[Failure]:
        """The unmet expectations that were judged and did not hold (never those that could not
        be judged)."""
        return [f for f in self.failures if not f.inconclusive]

    def checks(self) -> list[dict[str, Any]]:
        """The scenario's checks, as ``harness.verdict.judge_run`` reads them: one
        ``expectations`` check (held when no expectation failed; an expectation that could not be
        judged does not fail it) and one check per distinct unmet expectation, named by the
        invariant it expected when it names one: violated when it failed, inconclusive when it
        could not be judged."""
        total = len(self.scenario.expect)
        failed = self.failed_expectations()
        unsure = [f for f in self.failures if f.inconclusive]
        if failed:
            message = (f"{len(failed)} of {total} expectation(s) failed: "
                       + "; ".join(f.expectation for f in failed[:5]))
        elif unsure:
            message = (f"no expectation failed; {len(unsure)} could not be judged: "
                       + "; ".join(f.expectation for f in unsure[:5]))
        else:
            message = f"all {total} expectation(s) held"
        out = [{"name": "expectations", "ok": not failed, "inconclusive": False, "message": message,
                "evidence": []}]
        seen: set[str] = {"expectations"}
        for f in [*failed, *unsure]:  # a name both failed and unsure is violated
            name = f.invariant or f.expectation
            if name in seen:
                continue
            seen.add(name)
            out.append({"name": name, "ok": f.inconclusive, "inconclusive": f.inconclusive,
                        "message": f.message, "evidence": list(f.evidence)})
        return out

    @property
    def verdict(self) -> RunVerdict:
        """The scenario's one verdict (``harness.verdict``): its CLI line, the exit code of
        ``soundcheck scenario run``, its folder's ``summary.json`` and reports all read it."""
        return judge_run(self.checks(), subject="expectations", device_losses=self.device_losses)

    def loss_doubt(self) -> str | None:
        """The verdict's doubt for the device losses nothing explains (None: there are none)."""
        return loss_findings(self.device_losses)[0]

    def report(self) -> str:
        verdict = self.verdict
        label = verdict.outcome.value.upper()
        head = (f"{label} {self.scenario.id} ({self.source or '-'}): "
                f"{self.scenario.scenario.title} [{self.scenario.run.backend}, seed {self.scenario.run.seed}, "
                f"{self.sim_seconds:.3f} s on the system clock, {self.wall_seconds:.2f} s wall]")
        if verdict.outcome is Outcome.PASS:
            return head
        doubt = self.loss_doubt()
        losses = [] if doubt is None else [f"  CANNOT JUDGE: a device was lost\n    {doubt}"]
        return "\n".join([head, *(f.render() for f in self.failures), *losses])


# ================================================================================== drivers ====
class ReplayStopped(Exception):
    """A replay ended part-way by its caller's guard (``run_scenario``'s ``stop_if``): nothing was
    judged. ``reason``: the guard's words; ``sim_s``: the simulated seconds it had covered."""

    def __init__(self, reason: str, sim_s: float) -> None:
        super().__init__(f"replay stopped after {sim_s:.1f} simulated s: {reason}")
        self.reason = reason
        self.sim_s = sim_s


class _SimDriver:
    """Virtual time: advance timer by timer, checking the stop condition after each instant.

    ``stop_if``: asked after each instant; a reason (not None) ends the replay there
    (``ReplayStopped``). Why at each instant: a timeline's one ``at`` step hours away is a single
    ``advance_until`` that no check between steps would interrupt."""

    def __init__(self, clock: VirtualClock, stop_if: Callable[[], str | None] | None = None) -> None:
        self.clock = clock
        self.stop_if = stop_if
        self.t0 = clock.now()

    def now(self) -> float:
        return self.clock.now()

    def call_at(self, when: float, fn: Callable[[], None]) -> Any:
        return self.clock.call_at(when, fn)

    def advance_until(self, deadline: float, done: Callable[[], bool] = lambda: False) -> bool:
        clock = self.clock
        while not done():
            if self.stop_if is not None and (reason := self.stop_if()) is not None:
                raise ReplayStopped(reason, clock.now() - self.t0)
            nxt = clock.next_deadline()
            if nxt is None or nxt > deadline:
                clock.run_until(deadline)
                return done()
            clock.run_until(nxt)
        return True


class _RealDriver:
    """Wall time: the executor's own agenda plus polling of the stop condition (5 ms)."""

    POLL_S = 0.005

    def __init__(self, clock: Any) -> None:
        self.clock = clock
        self._agenda: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._lock = threading.Lock()

    def now(self) -> float:
        return float(self.clock.now())

    def call_at(self, when: float, fn: Callable[[], None]) -> None:
        with self._lock:
            heapq.heappush(self._agenda, (when, next(self._seq), fn))

    def advance_until(self, deadline: float, done: Callable[[], bool] = lambda: False) -> bool:
        while True:
            self._run_due()
            if done():
                return True
            now = self.now()
            if now >= deadline:
                return done()
            with self._lock:
                nxt = self._agenda[0][0] if self._agenda else deadline
            _wall.sleep(max(0.0, min(self.POLL_S, nxt - now, deadline - now)))

    def _run_due(self) -> None:
        while True:
            with self._lock:
                if not self._agenda or self._agenda[0][0] > self.now():
                    return
                _, _, fn = heapq.heappop(self._agenda)
            fn()


# ================================================================================= building ====
def mutant_factory(name: str) -> SystemFactory:
    """A factory for ``harness.mutants``' deliberately broken variant ``name`` (sim backend)."""
    if name not in mutants.MUTANTS:
        raise UsageError(f"unknown mutant {name!r} (known: {', '.join(sorted(mutants.MUTANTS))})")
    return mutants.system_factory(name)


def _start_rig(scenario: Scenario, config: dict[str, Any], stack: list[Callable[[], None]]) -> tuple[Any, Any]:
    """The JACK loopback rig at the scenario's rate and period, and the backend on its route."""
    cfg = load_config(config)
    rig = LoopbackRig(rate=cfg.stream.sample_rate, period=cfg.stream.block_size)
    try:
        rig.start()
        if scenario.run.route == "jack-host-api":
            backend: Any = JackBackend(server_name=rig.server_name)
        else:
            backend = PortAudioBackend(host_api="ALSA", jack_server=rig.server_name)
    except BaseException:
        rig.close()  # the caller's clean-ups do not run for a set-up that raised: give the leased name back
        raise
    stack.append(rig.close)
    return backend, rig


# ================================================================================ execution ====
# Faults that act only on a device (``FaultStep.on_device``) may fire inside a transition observer:
# they never take the system's operation lock. The others (an invalid configuration, a storm of
# threads calling operations) fire like operations, after the operation in progress returns: a
# storm started inside an observer would wait for threads that wait for the lock the observer's
# caller holds.


@dataclass
class _Watch:
    kind: str  # "state" | "event"
    value: str
    sync: Callable[[], None] | None = None
    hit: tuple[float, int] | None = None


class _Execution:
    def __init__(self, scenario: Scenario, system: AudioSystem, driver: Any, history: History,
                 injector: F.FaultInjector, step_context: StepContext) -> None:
        self.s = scenario
        self.system = system
        self.driver = driver
        self.history = history
        self.injector = injector
        self.step_context = step_context
        self.names = scenario.step_names()
        self.failures: list[Failure] = []
        self.marks: dict[str, dict[str, tuple[float, int]]] = {}
        self.fired: list[str] = []
        self.watches: dict[int, _Watch] = {}
        self._lock = threading.RLock()
        self.t0 = driver.now()
        self.hard_end = self.t0 + scenario.run.max_duration
        system.add_observer(self._on_transition)
        system.add_event_listener(self._on_event)
        injector.add_listener(self._on_fault)
        #: each ``no_leak`` expectation's samples (time, value), taken on the driver's clock
        self.leak_samples: dict[int, list[tuple[float, float]]] = {}
        self._sampling = True
        for i, exp in enumerate(scenario.expect):
            if isinstance(exp, NoLeakExpect):
                self.leak_samples[i] = []
                self._sample_books(i, exp)

    def _sample_books(self, i: int, exp: NoLeakExpect) -> None:
        """One sample of what the system holds of ``exp.no_leak`` now, and the next one armed
        ``exp.every`` later, until the timeline ends (``judge``)."""
        if not self._sampling:
            return
        from ..leaks import system_books  # noqa: PLC0415

        value = system_books(self.system).get(exp.no_leak)
        now = self.driver.now()
        if value is not None:
            self.leak_samples[i].append((now - self.t0, float(value)))
        self.driver.call_at(now + exp.every, lambda: self._sample_books(i, exp))

    # -- observation ---------------------------------------------------------------------------
    def _index(self) -> int:
        return len(self.history.entries) - 1

    def _on_transition(self, record: Any) -> None:
        if record.component != "system":
            return
        self._hit("state", record.to_state.value, record.time)

    def _on_event(self, event: Any) -> None:
        self._hit("event", event.kind, event.time)

    def _hit(self, kind: str, value: str, time: float) -> None:
        fire = []
        with self._lock:
            for w in self.watches.values():
                if w.hit is None and w.kind == kind and w.value == value:
                    w.hit = (time, self._index())
                    if w.sync is not None:
                        fire.append(w.sync)
        for fn in fire:
            fn()

    def _on_fault(self, what: str, record: Any) -> None:
        if what == "fault_end" and record.fault_id in self.marks:
            self.marks[record.fault_id]["end"] = (record.ended_at, self._index())

    # -- arming --------------------------------------------------------------------------------
    def _arm(self, i: int) -> None:
        if i >= len(self.s.steps) or i in self.watches:
            return
        step = self.s.steps[i]
        if step.when is None:
            return
        kind, value = parse_condition(step.when)
        w = _Watch(kind, value)
        if isinstance(step, FaultStep) and step.on_device and step.delay == 0:
            w.sync = lambda i=i: self._fire_sync(i)
        self.watches[i] = w

    def _fire_sync(self, i: int) -> None:
        w = self.watches[i]
        w.sync = None  # once
        if i not in self._sync_fired:
            self._sync_fired.add(i)
            self._fire(i)

    _sync_fired: set[int]

    # -- the timeline --------------------------------------------------------------------------
    def run(self) -> None:
        self._sync_fired = set()
        for i, step in enumerate(self.s.steps):
            name = self.names[i]
            self._arm(i)
            if i in self._sync_fired:
                continue
            if not self._wait_trigger(i):
                self.failures.append(Failure(
                    f"step {name} ({step_kind(step)}, when = {step.when!r})",
                    f"never triggered: '{step.when}' did not happen within {format_duration(step.timeout)} "
                    f"(system is {self.system.state.value} at t={self._t():.3f} s)",
                    self._evidence(self.t0, self.driver.now(), tail=12), step=name))
                return
            self._arm(i + 1)
            if i in self._sync_fired:  # fired by its own observer while we waited
                continue
            self._fire(i)
        # let faults end and the system settle
        active_end = max((r.fired_at + r.duration_s for r in self.injector.active if r.duration_s < UNTIL_CLEANUP),
                         default=self.driver.now())
        end = min(max(self.driver.now(), active_end) + self.s.run.settle, self.hard_end)
        self.driver.advance_until(end)
        # A fault's end can outlast its duration: on the rig, ending a server kill starts jackd
        # again, which on a loaded machine takes seconds. The settle time counts from the real
        # end, so a deadline anchored on a step's end is judged, not left without its anchor.
        late = [r for r in list(self.injector.records) if r.ended_at is None and r.duration_s < UNTIL_CLEANUP
                and r.fired_at + r.duration_s <= self.driver.now()]
        if late and self.driver.now() < self.hard_end:
            self.driver.advance_until(self.hard_end, lambda: all(r.ended_at is not None for r in late))
            self.driver.advance_until(min(self.driver.now() + self.s.run.settle, self.hard_end))

    def _t(self, t: float | None = None) -> float:
        return (self.driver.now() if t is None else t) - self.t0

    def _wait_trigger(self, i: int) -> bool:
        step = self.s.steps[i]
        if step.at is not None:
            self.driver.advance_until(min(self.t0 + step.at, self.hard_end))
            return self.driver.now() >= self.t0 + step.at - 1e-12
        if step.when is not None:
            w = self.watches[i]
            if w.hit is None and w.kind == "state" and self.system.state.value == w.value:
                w.hit = (self.driver.now(), self._index())
            if w.hit is None:
                deadline = min(self.driver.now() + step.timeout, self.hard_end)
                if not self.driver.advance_until(deadline, lambda: w.hit is not None or i in self._sync_fired):
                    return False
            if i in self._sync_fired:
                return True
            assert w.hit is not None
            w.sync = None
            if step.delay:
                self.driver.advance_until(min(w.hit[0] + step.delay, self.hard_end))
            return True
        if step.delay:
            self.driver.advance_until(min(self.driver.now() + step.delay, self.hard_end))
        return True

    def _fire(self, i: int) -> None:
        step = self.s.steps[i]
        name = self.names[i]
        with self.step_context(f"{name}: {step_kind(step)}"):
            note = self.history.note(f"step {name}", step=name, kind=step_kind(step), t=self._t())
            self.marks[name] = {"start": (note.time, note.index)}
            self.fired.append(name)
            if isinstance(step, WaitStep):
                self.driver.advance_until(min(self.driver.now() + step.wait, self.hard_end))
            elif isinstance(step, OpStep):
                self._op(name, step)
            else:
                self._fault(name, step)

    def _op(self, name: str, step: OpStep) -> None:
        args: tuple[Any, ...] = ()
        if step.op in ("configure", "reconfigure"):
            base = self.system.config.to_dict() if self.system.config is not None else system_config_dict(self.s)
            args = (overlay(base, step.config or {}),)
        elif step.op == "simulate_error":
            args = (step.component,)
        result = run_op(self.history, self.system, step.op, *args, process="scenario", meta={"step": name})
        err = result.error
        expectation = f"step {name} (op {step.op}) outcome {step.outcome}" + (f" {step.error}" if step.error else "")
        if step.outcome == "ok" and result.outcome != "ok":
            self._op_failure(expectation, f"{step.op}() did not succeed: {result.outcome} "
                             f"{type(err).__name__}: {err}", name)
        elif step.outcome == "fail":
            if result.outcome == "ok":
                self._op_failure(expectation, f"{step.op}() succeeded but was expected to fail", name)
            elif step.error and step.error not in {c.__name__ for c in type(err).__mro__}:
                self._op_failure(expectation, f"{step.op}() raised {type(err).__name__}: {err} "
                                 f"(expected {step.error})", name)

    def _op_failure(self, expectation: str, message: str, name: str) -> None:
        t = self.marks[name]["start"][0]
        self.failures.append(Failure(expectation, message, self._evidence(t - 0.05, self.driver.now()), step=name))

    def _fault(self, name: str, step: FaultStep) -> None:
        overrides: dict[str, Any] = {}
        if step.on_device and step.target is None:  # a device fault hits the configured input device
            overrides["target"] = (self.system.config.device.input_device if self.system.config is not None
                                   else system_config_dict(self.s)["device"].get("input_device", "sim-in"))
        if step.fault == "invalid_config" and step.config is not None:  # merged into the current config
            base = self.system.config.to_dict() if self.system.config is not None else system_config_dict(self.s)
            overrides["config"] = overlay(base, step.config)
        fault = step.build(**overrides)
        if step.duration_s is None and step.lasting:  # no duration: it stays until clean-up lifts it
            fault.duration_s = UNTIL_CLEANUP  # beyond any duration a file may give
        fault.fault_id = name
        reason = F.reason_unsupported(self.injector.target, fault.needs)
        why = f"this backend cannot inject {fault.kind}"
        if reason is None:  # the system may give it nothing to act on (no pipeline for slow_dsp)
            reason, why = fault.why_not_now(self.system), f"{fault.kind} could not act on this system"
        if reason is not None:  # e.g. callback_raises on the JACK rig: say so, never fire half a fault
            self.history.note("fault_skipped", fault_id=name, kind=fault.kind, reason=reason,
                              params=fault.recorded_params())
            self.failures.append(Failure(f"step {name} (fault {fault.kind})", f"{why}: {reason}", step=name,
                                         inconclusive=True))
            return
        record = self.injector.inject(fault)
        if record is not None and record.ended_at is not None:
            self.marks[name]["end"] = (record.ended_at, self._index())

    # -- judging -------------------------------------------------------------------------------
    def judge(self) -> None:
        self._sampling = False  # the timeline is over: what clean-up gives back is check_leaks's
        for i, exp in enumerate(self.s.expect):
            if isinstance(exp, InvariantExpect):
                continue  # after clean-up, over the whole history
            label = f"expect[{i}]" + (f" {exp.name}" if exp.name else "")
            if isinstance(exp, NoLeakExpect):
                self._judge_no_leak(label, i, exp)
            if isinstance(exp, StateExpect):
                self._judge_state(label, exp)
            elif isinstance(exp, NeverExpect):
                self._judge_never(label, exp)
            elif isinstance(exp, MetricExpect):
                self._judge_metric(label, exp)
            elif isinstance(exp, DeadlineExpect):
                self._judge_deadline(label, exp)

    def _system_transitions(self) -> list[dict[str, Any]]:
        return self.history.transitions("system")

    def _judge_state(self, label: str, exp: StateExpect) -> None:
        state = self.system.state.value
        desc = f"{label}: state {exp.state}" + ("" if exp.healthy is None else f", healthy={exp.healthy}") + \
            (f", on device {exp.device}" if exp.device else "")
        problems = []
        if state != exp.state:
            problems.append(f"the system ended the timeline {state!r}, not {exp.state!r}")
        if exp.healthy is not None and self.system.is_healthy() != exp.healthy:
            problems.append(f"healthy is {self.system.is_healthy()} (health: {self.system.health()})")
        if exp.device is not None:
            stream = self.system.stream
            dev = getattr(getattr(stream, "spec", None), "input_device", None)
            if dev != exp.device:
                problems.append(f"the input device is {dev!r}, not {exp.device!r}")
        if problems:
            self.failures.append(Failure(desc, "; ".join(problems),
                                         self._evidence(self.t0, self.driver.now(), tail=10)))

    def _judge_never(self, label: str, exp: NeverExpect) -> None:
        anchor = self._anchor(exp.after)
        if isinstance(anchor, str):
            self.failures.append(Failure(f"{label}: never {exp.never} after {exp.after}", f"cannot judge: {anchor}",
                                         inconclusive=self._fired_never_ended(exp.after)))
            return
        stop = self._anchor(exp.until) if exp.until is not None else None
        if isinstance(stop, str):
            self.failures.append(Failure(f"{label}: never {exp.never} until {exp.until}", f"cannot judge: {stop}",
                                         inconclusive=self._fired_never_ended(exp.until)))
            return
        hits = [t for t in self._system_transitions() if t["to_state"] == exp.never and t["index"] > anchor[1]
                and (stop is None or t["index"] < stop[1])]
        if hits:
            first = hits[0]
            self.failures.append(Failure(
                f"{label}: never {exp.never} after {exp.after}" + (f" until {exp.until}" if exp.until else ""),
                f"the system entered {exp.never!r} at t={self._t(first['time']):.3f} s ({first['cause']})",
                self._evidence(first["time"] - 0.1, first["time"] + 0.05)))

    def _metric_value(self, name: str) -> float | None:
        snap = self.system.metrics()
        if name in snap.counters:
            return float(snap.counters[name])
        if name in snap.gauges:
            return float(snap.gauges[name])
        if name in snap.histograms:
            return float(snap.histograms[name].get("count", 0))
        if "." in name:
            hist, _, stat = name.partition(".")
            if hist in snap.histograms and stat in snap.histograms[hist]:
                v = snap.histograms[hist][stat]
                return float(v) if v is not None else None
        return None

    def _judge_no_leak(self, label: str, i: int, exp: NoLeakExpect) -> None:
        """The samples' slope by the run's leak rule (``harness.leaks.judge``): ``leak`` fails the
        expectation; ``inconclusive`` or ``insufficient_data`` (a timeline under the rule's shortest
        window, growth it cannot tell from a buffer filling) leaves it unjudged, never passed."""
        from ..leaks import judge as judge_leak  # noqa: PLC0415

        samples = self.leak_samples.get(i) or []
        verdict = judge_leak(exp.no_leak, [t for t, _ in samples], [v for _, v in samples])
        desc = f"{label}: no leak of {exp.no_leak}"
        if verdict.verdict == "ok":
            return
        slope = "" if verdict.slope_per_hour is None else f", slope {verdict.slope_per_hour:.4g} per hour"
        held = f", held {samples[0][1]:g} -> {samples[-1][1]:g}" if samples else ""
        what = f"{exp.no_leak}: {verdict.verdict} ({verdict.reason}{slope}; {len(samples)} samples{held})"
        self.failures.append(Failure(desc, what, inconclusive=verdict.verdict != "leak"))

    def _judge_metric(self, label: str, exp: MetricExpect) -> None:
        bounds = " and ".join(b for b in (f">= {exp.min:g}" if exp.min is not None else "",
                                          f"<= {exp.max:g}" if exp.max is not None else "") if b)
        desc = f"{label}: metric {exp.metric} {bounds}"
        value = self._metric_value(exp.metric)
        if value is None:
            snap = self.system.metrics()
            known = sorted({*snap.counters, *snap.gauges, *snap.histograms})
            self.failures.append(Failure(desc, f"the system has no metric {exp.metric!r} (it has: {', '.join(known)})"))
            return
        if (exp.min is not None and value < exp.min) or (exp.max is not None and value > exp.max):
            faults = [e for e in self.history.entries if e.type in ("fault_start", "fault_end", "error")]
            self.failures.append(Failure(desc, f"{exp.metric} = {value:g}",
                                         [self._fmt(e) for e in faults[-12:]]))

    def _fired_never_ended(self, text: str) -> bool:
        """Whether ``text`` anchors on the end of a step that fired and had not ended when the
        timeline did (bounded by ``max_duration``). What the system did after it cannot be
        judged, and nothing was found against the system either: an inconclusive expectation,
        never a failure (a rig's server that took longer than the whole timeline to come back)."""
        kind, ref, edge = parse_anchor(text)
        return kind == "step" and edge == "end" and "start" in self.marks.get(ref, {}) \
            and self.marks[ref].get("end") is None

    def _anchor(self, text: str) -> tuple[float, int] | str:
        kind, ref, edge = parse_anchor(text)
        if kind == "start":
            return (self.t0, 0)
        if kind == "step":
            marks = self.marks.get(ref, {})
            mark = marks.get(edge)
            if mark is not None:
                return mark
            # a step that never fired never ended either; say the first thing that went wrong
            return f"step {ref!r} never {'ended' if marks.get('start') is not None else 'fired'}"
        for e in self.history.entries:
            if kind == "state" and e.type == "transition" and e.data.get("component") == "system" \
                    and e.data.get("to_state") == ref:
                return (e.time, e.index)
            if kind == "event" and e.type in ("event", "error") and e.value == ref:
                return (e.time, e.index)
        return f"{text!r} never happened"

    def _judge_deadline(self, label: str, exp: DeadlineExpect) -> None:
        desc = (f"{label}: reach {exp.reach} within {format_duration(exp.within)} after {exp.after}"
                + (f" on device {exp.device}" if exp.device else ""))
        anchor = self._anchor(exp.after)
        if isinstance(anchor, str):
            self.failures.append(Failure(desc, f"cannot judge: {anchor}",
                                         self._evidence(self.t0, self.driver.now(), tail=10),
                                         inconclusive=self._fired_never_ended(exp.after)))
            return
        t_a, i_a = anchor
        deadline = t_a + exp.within
        # Met when the system enters the state after the anchor, by the deadline, or is in it at
        # the deadline (it stayed there, or came back). Being in it at the anchor alone is not
        # enough: a fault's record comes before the system's reaction to it, so the state at a
        # fault's anchor is the state the fault has not acted on yet.
        reached: float | None = None
        for e in self.history.entries:
            if e.type != "transition" or e.data.get("component") != "system":
                continue
            if e.index <= i_a:
                continue
            elif e.data["to_state"] == exp.reach:
                reached = e.time
                break
        if (reached is None or reached > deadline) and self._state_at(deadline) == exp.reach:
            reached = deadline
        if exp.device is not None:
            reached = None
            for e in self.history.entries:
                if e.index > i_a and e.type == "event" and e.value == "recovery_succeeded" \
                        and e.data.get("device") == exp.device and e.data.get("target") == exp.reach:
                    reached = e.time
                    break
        if reached is not None and reached <= deadline + 1e-9:
            return
        state_at = self._state_at(deadline)
        if reached is None:
            msg = (f"anchor {exp.after} at t={self._t(t_a):.3f} s; never reached {exp.reach!r}"
                   + (f" on {exp.device!r}" if exp.device else "") + f" (still {state_at!r} at the deadline)")
        else:
            msg = (f"anchor {exp.after} at t={self._t(t_a):.3f} s; still {state_at!r} at the deadline "
                   f"t={self._t(deadline):.3f} s; reached {exp.reach!r} at t={self._t(reached):.3f} s, "
                   f"{format_duration(reached - t_a)} after the anchor")
        self.failures.append(Failure(desc, msg, self._evidence(t_a - 0.02, max(deadline, reached or deadline) + 0.02)))

    def _state_at(self, t: float) -> str:
        state = "uninitialized"
        for tr in self._system_transitions():
            if tr["time"] <= t:
                state = tr["to_state"]
        return state

    def judge_invariants(self) -> None:
        names = [e.invariant for e in self.s.expect if isinstance(e, InvariantExpect)]
        if not names:
            return
        for name, ok, message, evidence, unsure in _judged_invariants(self.history, names, self.system):
            if not ok:
                step = self._step_at(*_first_evidence_point(evidence, self.history))
                lines = [_fmt_evidence(x, self.t0) for x in evidence[:12]]
                self.failures.append(Failure(f"invariant {name}", message + (f" (first seen after step {step})"
                                                                             if step else ""),
                                             lines, step=step, invariant=name, inconclusive=unsure))

    def _step_at(self, index: int | None, time: float | None) -> str | None:
        """The last step fired before a history index (or time): where a violation showed up."""
        best = None
        for name, mark in self.marks.items():
            t, i = mark["start"]
            if (index is not None and i <= index) or (index is None and time is not None and t <= time):
                if best is None or i > self.marks[best]["start"][1]:
                    best = name
        return best

    # -- evidence ------------------------------------------------------------------------------
    def _fmt(self, e: Entry) -> str:
        return format_entry(e, self.t0)

    def _evidence(self, t_from: float, t_to: float, *, tail: int = 0, limit: int = 16) -> list[str]:
        interesting = ("transition", "fault_start", "fault_end", "error", "event", "ok", "fail", "info", "note")
        picked = [e for e in self.history.entries if e.type in interesting
                  and (e.type != "transition" or e.data.get("component") == "system")
                  and t_from - 1e-9 <= e.time <= t_to + 1e-9]
        if tail:
            picked = picked[-tail:]
        if len(picked) > limit:
            picked = picked[:limit // 2] + picked[-limit // 2:]
        return [self._fmt(e) for e in picked]


def format_entry(e: Entry, t0: float = 0.0) -> str:
    head = f"#{e.index} t={e.time - t0:.3f}"
    d = e.data
    if e.type == "transition":
        return f"{head} transition {d.get('from_state')} -> {d.get('to_state')} ({d.get('cause')})"
    if e.type in ("fault_start", "fault_end"):
        return f"{head} {e.type} {e.value} target={d.get('target')} id={d.get('fault_id')}"
    if e.type == "error":
        err = d.get("error") or {}
        return f"{head} error {err.get('type')}: {err.get('message')} [{d.get('component')}]"
    if e.type == "event":
        brief = {k: v for k, v in d.items() if k in ("device", "attempt", "attempts", "reason", "seconds", "target", "cause")}
        return f"{head} event {e.value} {brief if brief else ''}".rstrip()
    if e.type in ("ok", "fail", "info"):
        err = d.get("error")
        what = f" {err.get('type')}: {err.get('message')}" if isinstance(err, dict) and err.get("type") else ""
        return f"{head} {e.op} -> {e.type}{what} ({e.process})"
    if e.type == "note":
        return f"{head} {e.value}"
    return f"{head} {e.type} {e.value or ''}".rstrip()


def check_invariants(history: History, names: list[str], system: AudioSystem | None = None
                     ) -> list[tuple[str, bool, str, list[Any]]]:
    """``(name, held, message, evidence)`` per requested invariant, from ``harness.invariants``;
    an invariant whose check reached no verdict is not held (``cannot judge (inconclusive)``)."""
    return [item[:4] for item in _judged_invariants(history, names, system)]


def _judged_invariants(history: History, names: list[str], system: AudioSystem | None = None
                       ) -> list[tuple[str, bool, str, list[Any], bool]]:
    """``check_invariants`` with a fifth item: the check reached no verdict (inconclusive)."""
    out = []
    for v in inv.check_all(history, system, only=names):
        if v.ok and v.inconclusive:  # an expectation that could not be judged is not met
            out.append((v.name, False, f"cannot judge (inconclusive): {v.message}", list(v.evidence), True))
            continue
        out.append((v.name, bool(v.ok), v.message or ("held" if v.ok else "violated"), list(v.evidence), False))
    return out


def _first_evidence_point(evidence: list[Any], history: History | None = None) -> tuple[int | None, float | None]:
    """(history index, time) of the earliest evidence item that carries one (an ``index``, a
    ``time``, or an ``op_id`` whose invocation is in ``history``)."""
    invokes = {o.op_id: (o.invoke_index, o.invoke_time) for o in history.operations()} if history else {}
    best: tuple[int | None, float | None] = (None, None)
    for x in evidence:
        d = x.to_dict() if isinstance(x, Entry) else x
        if not isinstance(d, dict):
            continue
        idx, t = d.get("index"), d.get("time")
        if idx is None and d.get("op_id") in invokes:
            idx, t = invokes[d["op_id"]]
        if idx is not None and (best[0] is None or idx < best[0]):
            best = (int(idx), float(t) if t is not None else None)
        elif idx is None and t is not None and best[0] is None and (best[1] is None or t < best[1]):
            best = (None, float(t))
    return best


def _fmt_evidence(x: Any, t0: float = 0.0) -> str:
    if isinstance(x, Entry):
        return format_entry(x, t0)
    if isinstance(x, dict) and "time" in x:
        rest = {k: v for k, v in x.items() if k not in ("time", "index")}
        head = f"#{x['index']} " if "index" in x else ""
        return f"{head}t={float(x['time']) - t0:.3f} {rest}"
    return str(x)


# ============================================================================ device losses ====
#: the system's counter of device losses, which a ``metric`` expectation may bound
LOSS_METRIC = "device_losses"


def expected_losses(scenario: Scenario, losses: list[DeviceLoss], failures: list[Failure]) -> list[DeviceLoss]:
    """``losses`` (``harness.device_losses``: each explained by a device fault step's window or an
    observed outage, or not), with those the scenario itself expects explained by it.

    A scenario expects a loss only by saying so: a ``metric = "device_losses"`` expectation with
    ``min`` of 1 or more, judged and held. Such a scenario is about the losses (a system under
    test whose device goes by design, a loss made outside the fault vocabulary), and a count the
    scenario bounded is not news it missed. Any other loss no fault step explains is the run's
    doubt, as in ``soundcheck run``: the harness cannot tell the system's own crash (its device
    host died under it) from the world's, so the scenario is inconclusive, never a pass."""
    failed = {f.expectation for f in failures}
    for i, exp in enumerate(scenario.expect):
        if not (isinstance(exp, MetricExpect) and exp.metric == LOSS_METRIC and (exp.min or 0) >= 1):
            continue
        label = f"expect[{i}]" + (f" {exp.name}" if exp.name else "")
        if any(f.startswith(label + ":") for f in failed):
            continue  # not held: expects nothing it can vouch for
        why = f"{label} (metric {LOSS_METRIC} >= {exp.min:g}, held)"
        return [x if x.explained_by else replace(x, explained_by=why) for x in losses]
    return losses


# ==================================================================================== entry ====
@contextmanager
def _no_step(_: str) -> Iterator[None]:
    yield


def run_scenario(scenario: Scenario | str | Path, *, system_factory: SystemFactory | None = None,
                 system: SystemChoice | None = None,
                 step_context: StepContext | None = None, history_path: str | Path | None = None,
                 source: str | None = None, stop_if: Callable[[], str | None] | None = None) -> ScenarioResult:
    """Run one scenario and judge it. ``system``: the system under test (``--system``; default
    ``AudioSystem``), on the scenario's backend. ``system_factory``: a factory given in Python (a
    mutant, for proving the harness), always on the simulated device; it wins over ``system``.
    ``step_context(label)`` wraps each step (the pytest collector passes ``allure.step``).
    ``stop_if``: on the simulated device, asked at each instant of virtual time; a reason ends the
    replay there with ``ReplayStopped`` (the failure export's CPU guard), the system closed."""
    if not isinstance(scenario, Scenario):
        source = source or str(scenario)
        scenario = load_scenario(scenario)
    step_context = step_context or _no_step
    config = system_config_dict(scenario)
    cleanups: list[Callable[[], None]] = []
    wall0 = _wall.perf_counter()
    machine = MachineLoad()  # the machine's load as the scenario begins (and, as it is judged, ends)
    choice = SystemChoice.of(system_factory) if system_factory is not None else (system or default_system())
    rig = backend = None
    if scenario.needs_rig and system_factory is None:
        backend, rig = _start_rig(scenario, config, cleanups)

    def record(built: SystemUnderTest) -> History:
        h = History(meta={"scenario": scenario.id, "source": source, "seed": scenario.run.seed,
                          "backend": scenario.run.backend, **system_meta(choice)})
        if history_path is not None:
            h.stream_to(history_path)
        return h.attach(built)

    try:
        # the injector acts on the JACK rig's JackRigTarget, or on the simulated device's hooks
        parts = compose(SystemSpec(seed=scenario.run.seed, config=config, system=choice), backend=backend,
                        rig=rig, history=record)
    except BaseException:
        for fn in reversed(cleanups):
            fn()
        raise
    system, injector, history = parts.system, parts.injector, parts.history
    assert history is not None
    try:
        if isinstance(system.clock, VirtualClock):
            driver: Any = _SimDriver(system.clock, stop_if)
        else:
            driver = _RealDriver(system.clock)
        ex = _Execution(scenario, system, driver, history, injector, step_context)
        with step_context("initialize"):
            result = run_op(history, system, "initialize", process="scenario", meta={"step": "initialize"})
        if not result.ok:
            ex.failures.append(Failure("initialize", f"initialize() failed: {result.error}",
                                       ex._evidence(ex.t0, driver.now())))
        else:
            ex.run()
            history.snapshot(system)
            ex.judge()
        with step_context("cleanup"):
            if scenario.cleanup.lift_faults:
                injector.disarm()
            for op in scenario.cleanup.ops:
                run_op(history, system, op, process="cleanup", meta={"step": "cleanup"})
            if scenario.cleanup.check_leaks and system.state == State.CLOSED:
                leaks = system.resources.leak_report()
                if leaks:
                    ex.failures.append(Failure("cleanup: every resource released",
                                               f"{len(leaks)} allocation(s) still held after close()",
                                               [str(x) for x in leaks[:12]]))
        ex.judge_invariants()
        sim_s = driver.now() - ex.t0
        losses = summary_of(expected_losses(scenario, device_losses(history), ex.failures))
        return ScenarioResult(scenario, source, ex.failures, history, sim_s, _wall.perf_counter() - wall0,
                              ex.fired, losses, machine.stop())
    finally:
        try:
            if system.state != State.CLOSED:
                system.close()
        finally:
            history.close()
            for fn in reversed(cleanups):
                fn()


__all__ = ["Failure", "ReplayStopped", "ScenarioResult", "check_invariants", "expected_losses", "format_entry",
           "mutant_factory", "run_scenario"]
