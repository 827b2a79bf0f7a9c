"""Deliberately broken variants of the system, to prove the harness finds what it claims to find.

Each mutant is a subclass (or an instance-level swap) built by ``make_system(name, ...)``; nothing
here patches a module, so a mutant never leaks into another test. ``MUTANTS[name].caught_by`` names
the invariant expected to catch it and ``detector`` how: ``"stateful"`` (the Hypothesis state
machine), ``"coordinator_storm"`` (threads racing the coordinator, then linearizability) or
``"run"`` (a reliability run's listening check: a bug only the audio shows).

    coordinator_no_lock        transition() reads, checks and writes state without the lock
    illegal_transition         a widened transition table and a resume() without its guard
    leak_on_error              a failed _build() releases nothing it allocated (_abandon_build)
    ring_loses_frame           the input ring loses one frame whenever a write reaches its end
    half_reconfigure           a rejected config still applies the sections that were valid
    recovery_never_completes   a successful reopen never moves the system out of RECOVERING
    ignores_starved_input      the watchdog's stall for a stream that calls back with no input is dropped
    silent_give_up             a recovery that gives up goes FAILED without its recovery_failed event
    output_overdrive           the output stage scales samples 8x too loud and saturates at full scale
    holds_buffer_per_recovery  every recovery keeps one buffer more while it runs, all given back at close
    crashes_on_third_recovery  the third recovery's success raises out of the simulation: the system crashes
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from system_under_test import AudioSystem
from system_under_test.buffers import RingBuffer
from system_under_test.coordinator import ComponentCoordinator
from system_under_test.dsp import Stage
from system_under_test.errors import ConfigError, IllegalTransitionError
from system_under_test.lifecycle import TRANSITIONS, State, TransitionRecord
from system_under_test.resources import ResourceType
from system_under_test.system import SYSTEM


# ------------------------------------------------------------------------ coordinator_no_lock ----

def _apply_unlocked(coord: ComponentCoordinator, name: str, target: State, cause: str,
                    expect: Any) -> TransitionRecord:
    """The body of ``ComponentCoordinator.transition`` judged by ``coord.validate_transition``,
    without its lock and without notifying: each mutant decides what wraps it."""
    entry = coord._entry(name)
    current = entry.state
    if expect is not None and current not in set(expect):
        raise IllegalTransitionError(name, current, target, reason="expected something else")
    if not coord.validate_transition(current, target):
        raise IllegalTransitionError(name, current, target)
    entry.state = target
    return coord.history.append(coord.clock.now(), name, current, target, cause)


class NoLockCoordinator(ComponentCoordinator):
    """The original transition() minus ``with self.state_lock``: a lost-update race."""

    def transition(self, name: str, target: State, cause: str = "", *, expect: Any = None) -> TransitionRecord:
        record = _apply_unlocked(self, name, target, cause, expect)
        self._notify(record)
        return record


# ------------------------------------------------------------------------- illegal_transition ----

_WIDENED = {s: set(t) for s, t in TRANSITIONS.items()}
for _s in (State.STOPPED, State.CONFIGURED, State.INITIALIZED):
    _WIDENED[_s].add(State.RUNNING)


class PermissiveCoordinator(ComponentCoordinator):
    def validate_transition(self, current: State, target: State) -> bool:
        return target in _WIDENED[current]

    def transition(self, name: str, target: State, cause: str = "", *, expect: Any = None) -> TransitionRecord:
        with self.state_lock:
            record = _apply_unlocked(self, name, target, cause, expect)
        self._notify(record)
        return record


class IllegalTransitionSystem(AudioSystem):
    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.coordinator.__class__ = PermissiveCoordinator

    def resume(self) -> None:  # the guard ``expect=(State.PAUSED,)`` is gone
        with self._op_lock:
            self._check_open()
            self.coordinator.transition(SYSTEM, State.RUNNING, "resume")
            if self._pipeline is not None:
                self._pipeline.capturing = True


# ------------------------------------------------------------------------------ leak_on_error ----

class LeakOnErrorSystem(AudioSystem):
    """``_build`` as shipped, except that when opening or starting the stream fails it gives back
    nothing it took: the stream allocation, the stream (if it opened) and the pipeline's buffers."""

    def _abandon_build(self, stream: Any, stream_alloc: Any, pipeline: Any) -> None:
        pass


# --------------------------------------------------------------------------- ring_loses_frame ----

class LossyRing(RingBuffer):
    """Off by one at the end of the storage: the frame that lands on the last slot is lost."""

    __slots__ = ()

    def write(self, frames: Any) -> int:
        n = min(frames.shape[0], self.capacity - self._fill)
        if n <= 0:
            return 0
        start = (self._read + self._fill) % self.capacity
        wrote = super().write(frames)
        if start + n >= self.capacity:
            self._fill -= 1
        return wrote


class LossyRingSystem(AudioSystem):
    def _build(self, config: Any, input_device: str, output_device: str) -> None:
        super()._build(config, input_device, output_device)
        p = self._pipeline
        if p is not None:
            lossy = LossyRing(p.input_ring.capacity, p.input_ring.channels)
            p.input_ring = lossy


# --------------------------------------------------------------------------- half_reconfigure ----

class HalfReconfigureSystem(AudioSystem):
    """Applies each section of a new config that validates on its own, then validates the whole."""

    def _validate(self, config: Any) -> Any:
        try:
            return super()._validate(config)
        except ConfigError:
            if self.config is not None and isinstance(config, Mapping):
                for key, value in config.items():
                    if key == "schema_version":
                        continue
                    try:
                        self.config = self.config.replace(**{key: value})
                    except Exception:  # noqa: BLE001 - that section was the broken one
                        continue
            raise


# ------------------------------------------------------------------- recovery_never_completes ----

class StuckRecoverySystem(AudioSystem):
    def _finish_recovery(self, run: Any) -> None:
        # reopened fine, but forgot to tell the coordinator (and to clear the run)
        if self._pipeline is not None:
            self._pipeline.capturing = False


# ------------------------------------------------------------------- ignores_starved_input ----

class IgnoresStarvedInputSystem(AudioSystem):
    """The watchdog as it was before it looked at its input: a stream that calls back on time with
    no input in any block is taken as healthy, and the system plays the silence on as RUNNING. The
    stall of a stream that stops calling back is still reported."""

    def _report_stall(self, stream: Any, config: Any, what: str, silent_s: float,
                      details: dict[str, Any]) -> None:
        if details.get("input_underflow"):
            return
        super()._report_stall(stream, config, what, silent_s, details)


# -------------------------------------------------------------------------- silent_give_up ----

class SilentGiveUpSystem(AudioSystem):
    """A recovery that gives up still goes FAILED (its transition's cause says why) but its
    ``recovery_failed`` event is dropped: the owner, listening for events, never learns of it,
    and the ``recovery`` invariant's give-up rules, which read that event, judge nothing."""

    def _emit(self, kind: str, **data: Any) -> None:
        if kind == "recovery_failed":
            return
        super()._emit(kind, **data)


# --------------------------------------------------------------------------- output_overdrive ----

class SaturatingOutput(Stage):
    """The output stage of a fixed-point DAC path, wrong by a format: samples scaled for a 24-bit
    converter as if it were a 21-bit one (x8, +18 dB), then saturated at full scale as the
    converter's integer range does. The tone (0.25 after the default chain) reaches 2.0 and is
    clipped flat at every peak; the level at the start is the clipped one, so the level check
    holds it as its reference and only a search for flat peaks can hear it."""

    kind = "output"
    SCALE = np.float32(8.0)

    def process(self, block: np.ndarray) -> np.ndarray:
        block = block * self.SCALE
        np.clip(block, -1.0, 1.0, out=block)
        return block


class OverdriveSystem(AudioSystem):
    """Every DSP chain it builds (at a build, and at a live reconfiguration of the DSP alone)
    ends in ``SaturatingOutput``."""

    def _overdrive(self) -> None:
        p = self._pipeline
        if p is not None and not any(isinstance(s, SaturatingOutput) for s in p.chain.stages):
            p.chain.add_stage(SaturatingOutput())

    def _build(self, config: Any, input_device: str, output_device: str) -> None:
        super()._build(config, input_device, output_device)
        self._overdrive()

    def _reconfigure_live(self, config: Any) -> Any:
        try:
            return super()._reconfigure_live(config)
        finally:
            self._overdrive()


# ------------------------------------------------------------------ holds_buffer_per_recovery ----

class HoldsBufferPerRecoverySystem(AudioSystem):
    """A cache that grows by one buffer at every successful recovery while the system runs and is
    emptied at ``close``. What the system holds at its end shows nothing; the ``resources``
    invariant reads what it holds as each recovery ends (the second episode of one configuration
    ends one buffer up), and the slopes of what it holds over the run (``harness.leaks``) show the
    growth: the planted leak a swarm must find, group and shrink."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept: list[Any] = []

    def _finish_recovery(self, run: Any) -> None:
        super()._finish_recovery(run)
        self._kept.append(self.resources.allocate("dsp", ResourceType.BUFFERS, 1, "recovery cache"))

    def close(self) -> None:
        for allocation in self._kept:
            self.resources.release(allocation)
        self._kept.clear()
        super().close()


# ------------------------------------------------------------------ crashes_on_third_recovery ----

class RecoveryCrash(RuntimeError):
    """What ``crashes_on_third_recovery`` raises: a bug of the system's own, not an error it reports."""


class CrashesOnThirdRecoverySystem(AudioSystem):
    """The third recovery that reopens the stream raises out of the recovery's timer, through the
    clock, out of ``run_for``: the run crashes in the system's code (``run_completed``), a crash a
    swarm must tell from one of the harness's own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._recovered = 0

    def _finish_recovery(self, run: Any) -> None:
        super()._finish_recovery(run)
        self._recovered += 1
        if self._recovered == 3:
            raise RecoveryCrash("the third recovery's bookkeeping indexed past its table")


# ---------------------------------------------------------------------------------- registry ----

@dataclass(frozen=True)
class Mutant:
    name: str
    description: str
    caught_by: tuple[str, ...]
    detector: str
    system_class: type[AudioSystem] | None = None
    coordinator_class: type[ComponentCoordinator] | None = None
    #: the rule groups of the state machine whose search reaches the bug (``harness.stateful``'s
    #: ``make_machine(focus=...)``); None: every default group
    stateful_focus: tuple[str, ...] | None = None
    #: the fault kind without which a run cannot show the bug (a race needs concurrent callers):
    #: ``run --mutant`` makes sure its schedule has one (``Schedule.with_at_least_one``)
    revealed_by: str | None = None
    #: ``revealed_by`` is added to a run's schedule even when its profile does not ask for the kind
    #: (a kind no built-in profile draws, so that adding it to one does not change every seed's
    #: schedule: ``input_starved``); never to a profile that asks for no fault at all
    reveal_unasked: bool = False
    #: the built-in profile that shows the bug in every run of 30 s and more, where a profile
    #: without device outages shows it only by chance (``run --mutant`` says so under another)
    profile: str | None = None


MUTANTS: dict[str, Mutant] = {m.name: m for m in (
    Mutant("coordinator_no_lock", "transition() without the coordinator lock (lost updates)",
           ("linearizable", "legal_transitions"), "coordinator_storm", coordinator_class=NoLockCoordinator,
           revealed_by="coordinator_contention"),
    Mutant("illegal_transition", "widened transition table + resume() without its guard",
           ("legal_transitions", "linearizable"), "stateful", IllegalTransitionSystem,
           stateful_focus=("operations", "guards")),
    Mutant("leak_on_error", "_build leaks its pipeline and stream allocation when opening fails",
           ("resources",), "stateful", LeakOnErrorSystem),
    Mutant("ring_loses_frame", "the input ring drops a frame at wrap-around without counting it",
           ("frame_accounting",), "stateful", LossyRingSystem),
    Mutant("half_reconfigure", "a rejected config still applies its valid sections",
           ("rejected_config",), "stateful", HalfReconfigureSystem),
    # Caught by ``recovery`` when an automatic recovery outlives its deadline, or sooner by
    # ``linearizable`` when the example calls recover() from FAILED: it returns with the system
    # stuck in RECOVERING, an outcome the lifecycle model does not allow.
    Mutant("recovery_never_completes", "recovery reopens the stream but never leaves RECOVERING",
           ("recovery", "linearizable"), "stateful", StuckRecoverySystem),
    # Shows only under a starved input, which no state machine rule or built-in profile draws:
    # caught by a run (``run --mutant``, the false-alarm bench) with one ``input_starved`` fault.
    Mutant("ignores_starved_input", "a stream calling back with no input is never reported: silence played as RUNNING",
           ("starved_input",), "run", IgnoresStarvedInputSystem, revealed_by="input_starved",
           reveal_unasked=True),
    # Shows only where a recovery gives up (every device gone past the deadline, or recover()
    # with none to open). A default run catches it where its schedule happens to reach a give-up
    # (an operator's recover() inside a dropout); the ``outages`` profile's device outages
    # (``Profile.outages``, ``Schedule.with_outages``) reach one in every run of 30 s and more,
    # and tests/harness/test_give_ups_announced.py makes one directly. A seed that reaches no
    # give-up records the shipped system's history entry for entry: no judge of that history can
    # fail the mutant without failing the shipped system (bench_false_alarms.py: "not shown").
    Mutant("silent_give_up", "a recovery that gives up goes FAILED without announcing it (no recovery_failed)",
           ("give_ups_announced",), "run", SilentGiveUpSystem, profile="outages"),
    # Heard, not stepped: the state machine checks no audio, so the detector is a run's listening
    # check (``clean_audio``, its search for flat peaks).
    Mutant("output_overdrive", "the output stage scales samples 8x too loud and saturates at full scale",
           ("clean_audio",), "run", OverdriveSystem),
    # Everything is given back at close: ``resources`` sees it where each recovery ends (two
    # recoveries of one configuration and device), and the run's leak slopes as
    # ``leak:sut_buffers`` (``harness.swarm.failure_signatures``), given recoveries to grow by.
    Mutant("holds_buffer_per_recovery", "every recovery keeps one buffer more while running, released at close",
           ("resources", "leak:sut_buffers"), "run", HoldsBufferPerRecoverySystem),
    # The run crashes in the system's code: ``run_completed``, a crash of the system's.
    Mutant("crashes_on_third_recovery", "the third successful recovery raises out of the simulation",
           ("run_completed",), "run", CrashesOnThirdRecoverySystem),
)}


def make_system(name: str | None, config: Any = None, **kw: Any) -> AudioSystem:
    """An ``AudioSystem`` (``name=None``) or the named mutant of it."""
    if name is None:
        return AudioSystem(config, **kw)
    mutant = MUTANTS[name]
    if mutant.system_class is not None:
        return mutant.system_class(config, **kw)
    system = AudioSystem(config, **kw)
    if mutant.coordinator_class is not None:
        system.coordinator.__class__ = mutant.coordinator_class
    return system


def system_factory(name: str | None) -> Callable[..., AudioSystem]:
    return lambda config=None, **kw: make_system(name, config, **kw)


def make_coordinator(name: str | None = None) -> ComponentCoordinator:
    if name is None:
        return ComponentCoordinator()
    cls = MUTANTS[name].coordinator_class
    if cls is None:
        raise ValueError(f"mutant {name!r} is not a coordinator mutant")
    return cls()


__all__ = ["MUTANTS", "Mutant", "make_coordinator", "make_system", "system_factory"]
