"""Property-based stateful tests: a Hypothesis ``RuleBasedStateMachine`` over ``AudioSystem``.

One rule per public operation (initialize, configure, reconfigure valid and invalid, start, pause,
resume, stop, close, recover, simulate_error), one per fault kind of ``STATEFUL_KINDS`` (derived
from the declarations in ``harness.faults.kinds``: hand-written rules pick devices and durations
that reach the rare states, any other kind gets a rule drawing its declared parameters; through
``FaultInjector`` on the simulated device), and one that advances the virtual clock. Every operation is recorded in a
``History`` with ``run_op``; after every step ``LiveChecker`` checks the invariants and every device
loss must be explained by one of the machine's device faults (``harness.device_losses``: one that
is not fails the step as *inconclusive*, never as a violation), and teardown closes the system and
runs ``check_all`` (leaks and threads included) and the loss rule once more.

    from harness.stateful import make_machine, profile_settings
    from hypothesis.stateful import run_state_machine_as_test
    Machine = make_machine()                      # or make_machine(system_factory("leak_on_error"))
    run_state_machine_as_test(Machine, settings=profile_settings("ci"))
    print(Machine.stats.report())                 # state visits, steps, faults

Settings profiles: ``soundcheck-ci`` (``ci`` for short; derandomized, 100 examples x 30 steps, no
deadline, no database) and ``soundcheck-nightly`` (``nightly``; random, 1000 examples x 80 steps),
registered when this module is imported, every setting given (none inherited from the profile a
test or a conftest loaded). A failure prints the shrunk rule sequence, the
``@reproduce_failure`` blob, and (through the pytest plugin) the command that replays it.
"""

from __future__ import annotations

import os
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from system_under_test import AudioSystem, blocks
from system_under_test.errors import ConfigError, SystemClosedError

from .faults import INVALID_CONFIG_KINDS, Fault, FaultInjector, invalid_config
from .faults.kinds import DEVICE_FAULT_KINDS, FAULT_KINDS, STATEFUL_KINDS, parameters
from .compose import SystemSpec, compose
from .history import History, Operation, observe, run_op
from .sut_protocol import SystemChoice
from .device_losses import LossFold, explain, loss_doubt
from .invariants import InconclusiveVerdict, LiveChecker, SystemModel, Verdict, assert_ok, check_all, check_resources

_HC = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]
#: no ``explain`` phase: its coverage-traced reruns cost more than the whole search
_PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]
#: soundcheck's Hypothesis profiles, registered under these namespaced names (never ``ci`` or
#: ``nightly``, which a project using the plugin may have registered for its own tests) when this
#: module is imported, never loaded as Hypothesis' default. Every setting is given: a setting left
#: out would be inherited from whatever profile is loaded when the settings are built (a test or a
#: project's conftest that called ``settings.load_profile``), and the search would change with it.
PROFILES = {
    "soundcheck-ci": dict(max_examples=100, stateful_step_count=30, derandomize=True, deadline=None,
                          report_multiple_bugs=False, verbosity=Verbosity.normal, backend="hypothesis",
                          database=None, print_blob=True, suppress_health_check=_HC, phases=_PHASES),
    "soundcheck-nightly": dict(max_examples=1000, stateful_step_count=80, derandomize=False, deadline=None,
                               report_multiple_bugs=True, verbosity=Verbosity.normal, backend="hypothesis",
                               database=None, print_blob=True, suppress_health_check=_HC, phases=tuple(Phase)),
}
PROFILE_ENV = "SOUNDCHECK_HYPOTHESIS_PROFILE"
_active_profile: list[str | None] = [None]
#: the profiles as settings objects, built once from ``PROFILES`` alone
_SETTINGS: dict[str, settings] = {}


def register_profiles() -> None:
    """Register ``soundcheck-ci`` and ``soundcheck-nightly`` with Hypothesis, once: registering
    again inside a test run under ``@settings`` is deprecated by Hypothesis (a warning, an error
    under ``filterwarnings = error``)."""
    if _SETTINGS:
        return
    for name, kw in PROFILES.items():
        _SETTINGS[name] = settings(**kw)
        settings.register_profile(name, _SETTINGS[name])


def profile_name(name: str) -> str:
    """``ci``/``nightly`` -> ``soundcheck-ci``/``soundcheck-nightly`` (the short names are ours to
    resolve: a user's own ``ci`` profile is never looked up); other names pass unchanged."""
    return f"soundcheck-{name}" if f"soundcheck-{name}" in PROFILES else name


def set_profile(name: str | None) -> None:
    """Select the profile ``profile_settings()`` returns (the plugin's ``--soundcheck-hypothesis-profile``)."""
    if name is not None:
        register_profiles()
        settings.get_profile(profile_name(name))  # unknown names fail here, loudly
    _active_profile[0] = name


def profile_settings(name: str | None = None, **overrides: Any) -> settings:
    """The settings of profile ``name`` (``ci``, ``nightly``, their ``soundcheck-`` names, or any
    registered profile); default: the selected one, ``$SOUNDCHECK_HYPOTHESIS_PROFILE``, else ci."""
    register_profiles()
    name = profile_name(name or _active_profile[0] or os.environ.get(PROFILE_ENV) or "ci")
    return settings(_SETTINGS[name] if name in _SETTINGS else settings.get_profile(name), **overrides)


register_profiles()


# ================================================================================ strategies ====

#: recovery settings that keep every recovery within ~1 s of virtual time (fast simulated tests)
FAST_RECOVERY = {"max_attempts": 8, "initial_backoff_ms": 10.0, "backoff_factor": 2.0,
                 "max_backoff_ms": 200.0, "deadline_ms": 2000.0}
BASE_CONFIG: dict[str, Any] = {"recovery": FAST_RECOVERY}
DEVICES = ("sim-in", "sim-out", "sim-duplex", "sim-backup")


def _stage() -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        st.builds(lambda g: {"kind": "gain", "gain_db": g}, st.floats(-40, 12, allow_nan=False)),
        st.builds(lambda f, c, q: {"kind": "biquad", "filter": f, "cutoff_hz": c, "q": q},
                  st.sampled_from(["lowpass", "highpass", "bandpass", "notch", "peaking"]),
                  st.floats(20, 20_000), st.floats(0.1, 10)),
        st.builds(lambda t, r: {"kind": "limiter", "threshold_db": t, "release_ms": r},
                  st.floats(-30, 0), st.floats(1, 500)),
        st.just({"kind": "mixer", "matrix": [[0.5, 0.5], [0.5, 0.5]]}),
    )


#: built once: a strategy built inside ``valid_configs`` on every draw is validated on every draw
#: again (measured: 300 draws of a valid and an invalid configuration took 7.2 s, 3.1 s built once)
_DSP = st.lists(_stage(), max_size=3)
_RATES = st.sampled_from([44_100, 48_000, 96_000])
_BLOCKS = st.sampled_from([64, 128, 256, 512])


@st.composite
def valid_configs(draw: Any) -> dict[str, Any]:
    """Configurations the system must accept (on the simulated devices, when they are present)."""
    rate = draw(_RATES)
    block = draw(_BLOCKS)
    block_ms = blocks.block_ms(block, rate)
    cfg: dict[str, Any] = {
        "stream": {"sample_rate": rate, "block_size": block,
                   "latency_ms": draw(st.floats(max(1.0, block_ms), 200.0))},
        "buffers": {"ring_blocks": draw(st.integers(2, 16)), "pool_blocks": draw(st.integers(1, 8))},
        "dsp": draw(_DSP),
        "device": {"input_device": draw(st.sampled_from(["sim-in", "sim-duplex"])),
                   "output_device": draw(st.sampled_from(["sim-out", "sim-duplex"])),
                   "fallback_devices": draw(st.sampled_from([[], ["sim-backup"]]))},
        "recovery": dict(FAST_RECOVERY),
        "watchdog": {"stall_periods": draw(st.integers(2, 8))},
    }
    if draw(st.booleans()):
        cfg["schema_version"] = 3
    return cfg


@st.composite
def invalid_configs(draw: Any) -> Any:
    """A valid configuration with one broken part (so a half-applying system shows itself)."""
    base = draw(valid_configs())
    kind = draw(st.sampled_from(INVALID_CONFIG_KINDS))
    patch, _ = invalid_config(random.Random(draw(st.integers(0, 2**16))), kind)
    if not isinstance(patch, dict):
        return patch
    out = dict(base)
    for key, value in patch.items():
        out[key] = {**out[key], **value} if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def fault_params(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    """Parameters for a fault of ``kind``, derived from its declaration: each parameter with
    ``examples`` drawn from them, a device fault's target from the simulated input and output,
    the rest left at the kind's defaults."""
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for name, info in parameters(FAULT_KINDS[kind]).items():
        if name == "target" and kind in DEVICE_FAULT_KINDS:
            fields[name] = st.sampled_from(["sim-in", "sim-out"])
        elif info.examples:
            fields[name] = st.sampled_from(list(info.examples))
    return st.fixed_dictionaries(fields)


#: the operations without arguments ``operation_out_of_state`` may call where they must be refused
GUARDED_OPS = ("initialize", "start", "pause", "resume", "stop")


def refused_here(system: Any) -> list[str]:
    """The ``GUARDED_OPS`` that the lifecycle model (``invariants.SystemModel``, the one the
    ``linearizable`` invariant judges by) allows no outcome but a refusal in ``system``'s state now."""
    model = SystemModel()
    state = model.from_observation(observe(system))
    return [name for name in GUARDED_OPS
            if all(outcome == "fail" for outcome, _, _ in
                   model.step(state, Operation(0, "client", name, [], {}, 0, 0.0, None)))]


# ===================================================================================== stats ====

RARE_STATES = ("recovering", "failed", "paused_during_dropout")


@dataclass
class MachineStats:
    visits: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    examples: int = 0
    steps: int = 0
    first_failure_step: int | None = None
    first_failure_example: int | None = None
    last_example_steps: int = 0
    #: the shortest failing example seen: after shrinking, the size of the reported example
    shrunk_steps: int | None = None
    faults: Counter[str] = field(default_factory=Counter)

    def report(self) -> str:
        lines = [f"examples: {self.examples}  steps: {self.steps}"]
        lines.append("state visits: " + ", ".join(f"{k}={v}" for k, v in sorted(self.visits.items())))
        lines.append("rules: " + ", ".join(f"{k}={v}" for k, v in sorted(self.rules.items())))
        lines.append("faults: " + ", ".join(f"{k}={v}" for k, v in sorted(self.faults.items())))
        if self.first_failure_step is not None:
            lines.append(f"first failure after {self.first_failure_step} steps "
                         f"(example {self.first_failure_example}); shrunk to {self.shrunk_steps} steps")
        return "\n".join(lines)

    def missing_rare_states(self) -> list[str]:
        return [s for s in RARE_STATES if not self.visits.get(s)]


# =================================================================================== machine ====

SystemFactory = Callable[..., AudioSystem]


#: the machine's rules by what they do: the public lifecycle operations, the passing of time, and
#: (every other rule) the faults
OPERATION_RULES = frozenset({"initialize", "configure", "reconfigure", "invalid_configuration", "start", "pause",
                             "resume", "stop", "close", "recover", "simulate_error"})
TIME_RULES = frozenset({"advance_a_block", "advance_short", "advance_medium", "advance_long", "advance_very_long"})
#: operations called where the lifecycle model says they must be refused
GUARD_RULES = frozenset({"operations_out_of_state"})
#: the states ``setup_anywhere`` (the setup of a machine with guards) starts an example in
SETUP_STATES = ("running", "paused", "stopped", "configured", "initialized", "uninitialized")
RULE_GROUPS = ("operations", "time", "faults", "guards")
#: the groups a machine draws from unless told otherwise
DEFAULT_FOCUS = ("operations", "time", "faults")


def make_machine(system_factory: SystemFactory | None = None, *, name: str = "AudioSystemMachine",
                 base_config: dict[str, Any] | None = None,
                 focus: Iterable[str] | None = None) -> type[RuleBasedStateMachine]:
    """A fresh machine class (with its own ``stats``) over systems built by ``system_factory``.

    ``focus``: the groups of rules (``RULE_GROUPS``) the machine draws from; None:
    ``DEFAULT_FOCUS`` (operations, time, faults). A bug that lives in one part of the system is
    found by a search over the rules that reach that part, with fewer choices to make and to
    shrink (``harness.mutants.Mutant.stateful_focus``): the widened transition table and unguarded
    ``resume()`` of ``illegal_transition`` are found by operations and the ``guards`` (operations
    the lifecycle model refuses, from every state ``setup_anywhere`` starts in) in a tenth of the
    search over everything. Every invariant is still checked after every step."""
    choice = SystemChoice.of(system_factory)
    base = dict(BASE_CONFIG if base_config is None else base_config)
    stats = MachineStats()

    class Machine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.system: AudioSystem | None = None
            self.steps = 0
            self.failed = False
            stats.examples += 1
            self.example = stats.examples

        # -- setup ------------------------------------------------------------------------------
        @initialize(started=st.sampled_from([True, True, True, False]), paused=st.booleans(),
                    seed=st.integers(0, 2**16), pending=st.sampled_from([True, False]))
        def setup(self, started: bool, paused: bool, seed: int, pending: bool) -> None:
            stats.rules["setup_started" if started else "setup_fresh"] += 1
            self._prepare(("paused" if paused else "running") if started else "uninitialized", seed, pending)

        @initialize(start_in=st.sampled_from(SETUP_STATES), seed=st.integers(0, 2**16))
        def setup_anywhere(self, start_in: str, seed: int) -> None:
            """The setup of a machine with the ``guards`` rules: the system brought by legal
            operations into any of ``SETUP_STATES``, so every state's guards are tried from the
            first step."""
            stats.rules[f"setup_{start_in}"] += 1
            self._prepare(start_in, seed, pending=False)

        def _prepare(self, start_in: str, seed: int, pending: bool) -> None:
            """A new system, brought to ``start_in`` by legal operations (``pending``: its
            configuration given to the factory, applied by ``initialize``)."""
            self.threads_before = threading.enumerate()
            parts = compose(SystemSpec(seed=seed, config=base if pending else None, system=choice),
                            history=lambda system: History(meta={"seed": seed, "machine": name}).attach(
                                system, metrics_every_s=0.25))
            self.system, self.injector = parts.system, parts.injector
            assert parts.history is not None
            self.history = parts.history
            self.checker = LiveChecker(self.system, self.history, threads_before=None)
            self.losses = LossFold()
            self.losses_fed = 0
            self.nfaults = 0
            if start_in == "uninitialized":
                return
            self.op("initialize")
            if not pending and start_in != "initialized":
                self.op("configure", base, meta={"valid": True})
            if start_in in ("running", "paused", "stopped"):
                self.op("start")
                if start_in != "running":
                    self.op("pause" if start_in == "paused" else "stop")

        # -- helpers ----------------------------------------------------------------------------
        @property
        def sys(self) -> AudioSystem:
            assert self.system is not None
            return self.system

        def op(self, op_name: str, *args: Any, meta: dict[str, Any] | None = None) -> Any:
            stats.rules[op_name] += 1
            return run_op(self.history, self.sys, op_name, *args, process="client", meta=meta)

        def inject(self, fault: Fault) -> None:
            stats.faults[fault.kind] += 1
            self.nfaults += 1
            fault.fault_id = f"{fault.kind}#{self.nfaults}"
            self.injector.inject(fault)

        def inject_kind(self, kind: str, **params: Any) -> None:
            """Inject a fault of ``kind`` with ``params`` (validated by the kind's declaration)."""
            self.inject(FAULT_KINDS[kind](**params))

        def present(self, device: str) -> bool:
            return bool(self.sys.backend.device(device).present)

        def config_devices_present(self, cfg: dict[str, Any]) -> bool:
            dev = cfg.get("device", {})
            return self.present(dev.get("input_device", "sim-in")) and self.present(dev.get("output_device", "sim-out"))

        @property
        def open(self) -> bool:
            return self.system is not None and self.sys.state.value != "closed"

        # -- public operations ------------------------------------------------------------------
        @rule()
        def initialize(self) -> None:
            self.op("initialize")

        @rule(cfg=valid_configs())
        def configure(self, cfg: dict[str, Any]) -> None:
            self.op("configure", cfg, meta={"valid": True, "may_reject": not self.config_devices_present(cfg)})

        @rule(cfg=valid_configs())
        def reconfigure(self, cfg: dict[str, Any]) -> None:
            self.op("reconfigure", cfg, meta={"valid": True, "may_reject": not self.config_devices_present(cfg)})

        @rule(cfg=invalid_configs(), via=st.sampled_from(["configure", "reconfigure"]))
        def invalid_configuration(self, cfg: Any, via: str) -> None:
            closed = self.sys.state.value == "closed"
            res = self.op(via, cfg, meta={"invalid": True})
            assert res.outcome == "fail", f"an invalid configuration was not rejected: {res.outcome} {cfg!r}"
            expected = SystemClosedError if closed else ConfigError
            assert isinstance(res.error, expected), \
                f"rejected with {type(res.error).__name__}, not {expected.__name__}"

        @rule()
        def start(self) -> None:
            self.op("start")

        @rule()
        def pause(self) -> None:
            self.op("pause")

        @rule()
        def resume(self) -> None:
            self.op("resume")

        @rule(really=st.integers(0, 2))
        def stop(self, really: int) -> None:
            if really == 0:  # stop ends the interesting states; keep it rarer than the rest
                self.op("stop")

        @rule(really=st.integers(0, 7))
        def close(self, really: int) -> None:
            if really == 0:
                self.op("close")

        @rule()
        def recover(self) -> None:
            self.op("recover")

        @rule(component=st.sampled_from(["dsp", "input", "output", "device"]))
        def simulate_error(self, component: str) -> None:
            self.op("simulate_error", component)

        @rule()
        def operations_out_of_state(self) -> None:
            """Every operation the lifecycle model says the system must refuse in its state now
            (``resume()`` while stopped, ``initialize()`` twice ...), one after another: the guards
            are where a widened transition table or a dropped ``expect`` hides, and a uniform
            choice among every rule reaches them only by luck. The invariants after the step judge
            every answer."""
            for name in refused_here(self.sys):
                self.op(name)

        # -- faults -----------------------------------------------------------------------------
        def _dropout(self, device: str, duration: float, report: bool = True) -> None:
            if self.present(device):
                self.inject_kind("dropout", target=device, duration_s=duration, report=report)

        @precondition(lambda self: self.open)
        @rule()
        def drop_input_device(self) -> None:
            self._dropout("sim-in", 0.3)

        @precondition(lambda self: self.open)
        @rule()
        def drop_input_device_for_long(self) -> None:
            self._dropout("sim-in", 1.5)  # outlasts FAST_RECOVERY's attempts: recovery fails cleanly

        @precondition(lambda self: self.open)
        @rule(spec=st.sampled_from([("sim-out", 0.2, True), ("sim-in", 0.1, False), ("sim-in", 0.02, True),
                                    ("sim-backup", 0.5, True), ("sim-in", 4.0, True), ("sim-out", 0.05, False)]))
        def dropout(self, spec: tuple[str, float, bool]) -> None:
            self._dropout(*spec)

        @precondition(lambda self: self.open)
        @rule(device=st.sampled_from(["sim-in", "sim-out"]), duration=st.sampled_from([0.3, 0.05, 0.03]))
        def stall(self, device: str, duration: float) -> None:
            self.inject_kind("stall", target=device, duration_s=duration)

        @precondition(lambda self: self.open)
        @rule(delay=st.sampled_from([0.002, 0.005, 0.01]))  # under the xrun's bound at the default blocks
        def xrun(self, delay: float) -> None:
            self.inject_kind("xrun", target="sim-in", delay_s=delay)

        @precondition(lambda self: self.open)
        @rule(count=st.integers(1, 6))
        def callback_raises(self, count: int) -> None:
            self.inject_kind("callback_raises", target="sim-in", count=count)

        @precondition(lambda self: self.open)
        @rule(rate=st.sampled_from([44_100, 96_000]))
        def sample_rate_change(self, rate: int) -> None:
            self.inject_kind("sample_rate_change", target="sim-in", rate=rate)

        @precondition(lambda self: self.open)
        @rule(mode=st.sampled_from(["pool", "limit"]), duration=st.sampled_from([0.2, 1.0, 0.02]))
        def buffer_exhaustion(self, mode: str, duration: float) -> None:
            self.inject_kind("buffer_exhaustion", mode=mode, duration_s=duration)

        @precondition(lambda self: self.open)
        @rule(factor=st.sampled_from([1.2, 3.0]), duration=st.sampled_from([0.02, 0.3]))
        def slow_dsp(self, factor: float, duration: float) -> None:
            self.inject_kind("slow_dsp", factor=factor, duration_s=duration)

        # -- time -------------------------------------------------------------------------------
        # Hypothesis tries zero-argument rules first and most often, so time gets several of them:
        # advancing the clock is what lets errors route, recoveries run and faults end.
        def _advance(self, dt: float) -> None:
            stats.rules["advance"] += 1
            self.sys.run_for(dt)

        @rule()
        def advance_a_block(self) -> None:
            self._advance(0.006)

        @rule()
        def advance_short(self) -> None:
            self._advance(0.03)

        @rule()
        def advance_medium(self) -> None:
            self._advance(0.15)

        @rule()
        def advance_long(self) -> None:
            self._advance(0.6)

        @rule()
        def advance_very_long(self) -> None:
            self._advance(2.5)

        # -- after every step -------------------------------------------------------------------
        @invariant()
        def invariants_hold(self) -> None:
            if self.system is None:
                return
            self.steps += 1
            stats.steps += 1
            stats.last_example_steps = self.steps
            state = self.sys.state.value
            stats.visits[state] += 1
            if state == "paused" and not all(self.present(d) for d in ("sim-in", "sim-out")):
                stats.visits["paused_during_dropout"] += 1
            if self.sys.recovering:
                stats.visits["recovery_in_progress"] += 1
            try:
                self.checker.assert_ok()
                self.assert_losses_explained()
            except AssertionError:
                self._note_failure()
                raise

        def assert_losses_explained(self) -> None:
            """The device-loss rule of ``soundcheck run`` (``harness.device_losses``), on what was
            recorded since the last step: a device lost with no device fault of the machine's to
            explain it raises ``InconclusiveVerdict`` (an ``AssertionError``, so the example fails
            and shrinks), saying inconclusive and naming the device and when, never "violated":
            the system may have recovered perfectly, but the machine did not provoke the loss and
            cannot tell the system's own crash (its device host died under it) from the world's."""
            for e in self.history.since(self.losses_fed):
                self.losses.feed(e)
                self.losses_fed = e.index + 1
            _, unexplained = explain(self.losses.result(self.history.end_time))
            if unexplained:
                doubt = loss_doubt([x.describe() for x in unexplained])
                raise InconclusiveVerdict([Verdict("device_losses", True, [x.to_dict() for x in unexplained],
                                                   str(doubt), inconclusive=True)])

        def _note_failure(self) -> None:
            self.failed = True
            if stats.shrunk_steps is None or self.steps < stats.shrunk_steps:
                stats.shrunk_steps = self.steps
            if stats.first_failure_step is None:
                stats.first_failure_step = stats.steps
                stats.first_failure_example = self.example

        def teardown(self) -> None:
            if self.system is None:
                return
            system = self.sys
            try:
                self.injector.disarm()
                run_op(self.history, system, "close", process="client")
                self.checker.close()
                if self.failed:
                    return  # already reported; a second failure from teardown would only be noise
                verdicts = check_all(self.history, system)
                assert_ok(verdicts)
                assert_ok([check_resources(self.history, system, threads_before=self.threads_before)])
                self.assert_losses_explained()
            except AssertionError:
                self._note_failure()
                raise
            finally:
                self.history.close()

    # A declared kind without a rule above gets one drawn from its declaration (``fault_params``):
    # adding a kind to ``harness.faults.kinds`` is enough for the machine to inject it.
    for kind in (k for k in STATEFUL_KINDS if k not in HAND_WRITTEN_RULES):
        setattr(Machine, f"fault_{kind}", _declared_fault_rule(kind))
    groups = set(DEFAULT_FOCUS if focus is None else focus)
    if groups - set(RULE_GROUPS) or not groups:
        raise ValueError(f"focus {sorted(groups)}: choose among {', '.join(RULE_GROUPS)}")
    # one setup: anywhere with the guards, else the original (its draws, so its searches, unchanged)
    setattr(Machine, "setup" if "guards" in groups else "setup_anywhere", None)
    for attr, value in list(vars(Machine).items()):
        if getattr(value, "hypothesis_stateful_rule", None) is None:
            continue  # not a rule (the setups, the invariants, helpers)
        group = ("operations" if attr in OPERATION_RULES else "time" if attr in TIME_RULES
                 else "guards" if attr in GUARD_RULES else "faults")
        if group not in groups:
            setattr(Machine, attr, None)  # Hypothesis collects rules from the class's members
    Machine.__name__ = Machine.__qualname__ = name
    Machine.stats = stats  # type: ignore[attr-defined]
    return Machine


#: kinds whose rules above pick their own parameters (the devices, durations and pairings that reach
#: the rare states); every other kind of ``STATEFUL_KINDS`` gets ``_declared_fault_rule``
HAND_WRITTEN_RULES: frozenset[str] = frozenset({"dropout", "stall", "xrun", "callback_raises", "sample_rate_change",
                                                "buffer_exhaustion", "slow_dsp"})


def _declared_fault_rule(kind: str) -> Any:
    @precondition(lambda self: self.open)
    @rule(params=fault_params(kind))
    def inject_declared(self: Any, params: dict[str, Any]) -> None:
        self.inject_kind(kind, **params)

    inject_declared.__name__ = f"fault_{kind}"
    return inject_declared


AudioSystemMachine = make_machine()

__all__ = [
    "AudioSystemMachine",
    "HAND_WRITTEN_RULES",
    "BASE_CONFIG",
    "FAST_RECOVERY",
    "MachineStats",
    "RARE_STATES",
    "invalid_configs",
    "make_machine",
    "profile_settings",
    "set_profile",
    "fault_params",
    "valid_configs",
]
