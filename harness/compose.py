"""The composition root: one function builds the backend, the system and the fault injector of a run.

``soundcheck run``, ``soak``, ``scenario run``, the stateful machine and the swarm all call
``compose``; nothing else in the harness constructs a system or an injector for a run. That keeps
one answer to "which seed goes where":

- ``derive_seed(seed, segment)`` is the only seed derivation: a run's seed itself, or, for the
  ``segment``-th continuation of a soak on a real device (a fresh system for the time left),
  ``seed * 1000 + segment``.
- The derived seed goes, unchanged, to the simulated device (its input signal's noise), to the
  system factory, and to the ``FaultInjector`` (each fault's own RNG is ``f"{seed}:{fault_id}"``);
  the caller draws the schedule from its profile with the same seed. (The swarm draws each seed's
  *profile* from ``f"swarm:{seed}"`` first; that is the choice of a fault mix, not a run's seed.)

On the simulated device ``compose`` makes the ``VirtualClock`` and the ``SimulatedBackend`` itself;
a real backend (PortAudio, or the JACK loopback rig's) is made by the caller, who owns the rig,
and passed in. The system comes from a ``SystemFactory`` (``--system module:factory``, default
``AudioSystem``) called as ``factory(config, backend=..., clock=..., seed=...)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .sut_protocol import SystemChoice, SystemUnderTest, check_system, default_system

if TYPE_CHECKING:  # pragma: no cover
    from system_under_test.clock import Clock
    from system_under_test.devices.base import DeviceBackend

    from .faults import Fault, FaultInjector, Schedule
    from .history import History


def derive_seed(seed: int, segment: int = 0) -> int:
    """The seed of a run (``segment`` 0) or of a soak's ``segment``-th continuation segment."""
    return seed if segment == 0 else seed * 1000 + segment


@dataclass(frozen=True)
class SystemSpec:
    """What a run's system is made of: the seed, the configuration (a mapping in
    ``system_under_test.config``'s schema, None for the system's defaults), which system
    (``--system``), the fault schedule the injector will run, and the soak segment."""

    seed: int
    config: Mapping[str, Any] | None = None
    system: SystemChoice = field(default_factory=default_system)
    schedule: "Schedule | Iterable[Fault]" = ()
    segment: int = 0

    @property
    def run_seed(self) -> int:
        return derive_seed(self.seed, self.segment)


@dataclass
class Composition:
    """The parts ``compose`` built, ready to run (the injector is not armed yet)."""

    spec: SystemSpec
    clock: "Clock"
    backend: "DeviceBackend"
    system: SystemUnderTest
    injector: "FaultInjector"
    history: "History | None" = None
    #: the clock time the schedule's offsets count from (0 on the virtual clock; on a real one,
    #: when ``compose`` moved the schedule: ``FaultInjector.postpone`` moves it on from there)
    schedule_zero: float = 0.0

    @property
    def simulated(self) -> bool:
        from system_under_test.clock import VirtualClock  # noqa: PLC0415

        return isinstance(self.clock, VirtualClock)


def compose(spec: SystemSpec, *, backend: "DeviceBackend | None" = None, rig: Any = None,
            history: "Callable[[SystemUnderTest], History] | None" = None) -> Composition:
    """Build backend, system and injector from ``spec``.

    ``backend``: a real device backend (the caller's); None builds the simulated device on a new
    ``VirtualClock``, seeded with the run seed. ``rig``: the JACK loopback rig the caller started,
    if any (the fault target acts on it). ``history(system)``: makes the run's history, attached to
    the new system, before the injector exists: the injector reports to it, and the faults the
    backend cannot inject are noted in it as they are dropped from the schedule. On a real clock
    the schedule's times are moved to start now.
    """
    from system_under_test.clock import Clock, SystemClock, VirtualClock  # noqa: PLC0415

    from .faults import FaultInjector, Schedule  # noqa: PLC0415
    from .rig.rig_target import target_for  # noqa: PLC0415

    seed = spec.run_seed
    if backend is None:
        from system_under_test.devices.simulated import SimulatedBackend  # noqa: PLC0415

        clock: Clock = VirtualClock()
        backend = SimulatedBackend(clock, seed=seed)
    else:
        own = getattr(backend, "clock", None)
        clock = own if isinstance(own, Clock) else SystemClock()
    config = dict(spec.config) if spec.config is not None else None
    system = spec.system.factory(config, backend=backend, clock=clock, seed=seed)
    if spec.system.named:
        check_system(system, str(spec.system.spec))
    made = history(system) if history is not None else None
    target = target_for(system, rig=rig)
    schedule = spec.schedule if isinstance(spec.schedule, Schedule) else Schedule(list(spec.schedule))
    schedule = schedule.runnable_on(target, made)
    zero = 0.0
    if not isinstance(clock, VirtualClock) and schedule.faults:
        zero = clock.now()
        schedule = schedule.shifted(zero)
    injector = FaultInjector(system, schedule, seed, history=made, target=target, base_config=config)
    return Composition(spec, clock, backend, system, injector, made, zero)


def system_meta(choice: SystemChoice) -> dict[str, Any]:
    """What a history's meta line says about the system: ``{"system_factory": "module:factory"}``
    for a system given with ``--system``; nothing for the shipped one (its histories stay as they
    were; summaries always name it)."""
    return {"system_factory": choice.spec} if choice.named else {}


__all__ = ["Composition", "SystemSpec", "compose", "derive_seed", "system_meta"]
