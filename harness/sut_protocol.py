"""What the harness needs from a system under test, as typed ``Protocol``s, and ``--system`` loading.

The runner, the soak, scenarios, the stateful machine and the swarm drive a system only through
the members below; ``system_under_test.AudioSystem`` is one system that has them, and
``examples/simple_player`` shows a plain sounddevice-style application given them by a thin
adapter (``harness.sut_kit.LifecycleAdapter`` supplies the bookkeeping parts).

The harness speaks one vocabulary to every system:

- **Lifecycle.** States are ``system_under_test.lifecycle.State`` and every change of the system's
  state is a transition of the component ``"system"`` on its ``coordinator`` (a
  ``ComponentCoordinator``: the harness numbers, observes and checks transitions there), legal by
  ``lifecycle.TRANSITIONS``. The operations are the ten of ``SystemUnderTest`` below; a refusal
  raises ``LifecycleError`` or ``ConfigError`` (``history.classify``: "fail", no effect), an
  operation the world broke half-way raises another ``AudioSystemError`` ("info").
- **Configuration.** Configurations are written in ``system_under_test.config``'s schema (scenario
  files, profiles and the invalid-configuration fault generate them); ``config`` is the applied one
  as an ``AudioConfig`` (or None). A system translates it into its own settings.
- **Observation.** Transitions go to ``add_observer`` callbacks; everything else that happens
  (``config_applied``, ``error``, ``recovery_started`` ...) goes to ``add_event_listener``
  callbacks as an object with ``kind``, ``time`` and ``data``.
- **Accounting.** ``frame_accounts()`` (captured == played + buffered + dropped + in flight), ``monitoring``
  (the standard counters of ``system_under_test.monitoring``), ``resources`` (a
  ``ResourceManager``: what is held, within which limits, what leaked after ``close``).

``--system module:factory`` names a ``SystemFactory``: called as
``factory(config, backend=..., clock=..., seed=...)`` by ``harness.compose`` (the one composition
root), it returns a ``SystemUnderTest``. ``load_system(text)`` resolves and checks one: a module
that is not found, an attribute that is not there, a factory that cannot be called that way or an
object that lacks members is a ``UsageError`` (exit 2) naming the option and the fix.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from .errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    from system_under_test.clock import Clock
    from system_under_test.config import AudioConfig
    from system_under_test.coordinator import HealthStatus
    from system_under_test.devices.base import DeviceBackend
    from system_under_test.lifecycle import State, TransitionRecord
    from system_under_test.monitoring import MetricsSnapshot
    from system_under_test.pipeline import FrameAccounts

#: ``--system`` when none is given: the shipped coordinated audio system.
DEFAULT_SYSTEM = "system_under_test:AudioSystem"


@runtime_checkable
class LifecycleLedger(Protocol):
    """Where the system's transitions are validated, numbered and observed (``ComponentCoordinator``).

    The history reads ``states()`` and ``history`` (the numbered transition log: ``records()``,
    ``last_seq``) under ``state_lock`` so one reading is one moment; the live checker and the
    history unsubscribe with ``remove_observer``; the coordinator-contention fault builds a fresh
    ``type(coordinator)()`` and races ``register``/``state``/``transition`` on it."""

    state_lock: Any
    history: Any

    def states(self) -> "Mapping[str, State]": ...
    def state(self, name: str) -> "State": ...
    def register(self, name: str, component: Any = None, *, depends_on: Any = ()) -> None: ...
    def transition(self, name: str, target: "State", cause: str = "", *, expect: Any = None
                   ) -> "TransitionRecord": ...
    def add_observer(self, observer: Callable[["TransitionRecord"], None]) -> None: ...
    def remove_observer(self, observer: Callable[["TransitionRecord"], None]) -> None: ...
    def has_observer(self, observer: Callable[["TransitionRecord"], None]) -> bool: ...


@runtime_checkable
class MetricsRegistry(Protocol):
    """Counters, gauges and histograms (``MonitoringCoordinator``). The harness reads the standard
    counters (``callbacks``, ``callback_errors``, ``recoveries``, ``xruns`` ...) and the
    ``callback_duration_s`` histogram; the ``OnCall`` trigger polls ``counter("callbacks")``."""

    counters: Mapping[str, Any]
    gauges: Mapping[str, Any]

    def counter(self, name: str) -> Any: ...
    def histogram(self, name: str) -> Any: ...
    def value(self, name: str) -> int: ...
    def snapshot(self, time: float) -> "MetricsSnapshot": ...


@runtime_checkable
class ResourceLedger(Protocol):
    """What the system holds (``ResourceManager``): usage within limits while it runs, nothing
    held after ``close`` (the ``resources`` invariant); the buffer-exhaustion fault allocates from it."""

    components: list[str]
    global_limits: Mapping[Any, int]

    def allocate(self, component: str, rtype: Any, amount: int = 1, tag: str = "") -> Any: ...
    def release(self, allocation: Any) -> bool: ...
    def limit(self, rtype: Any, component: str | None = None) -> int | None: ...
    def usage(self, component: str | None = None) -> Mapping[Any, int]: ...
    def peak(self, component: str | None = None) -> Mapping[Any, int]: ...
    def live(self, component: str | None = None) -> list[Any]: ...
    def within_limits(self) -> bool: ...
    def get_allocation(self, component: str) -> Any: ...
    def leak_report(self) -> list[dict[str, Any]]: ...


@runtime_checkable
class SystemUnderTest(Protocol):
    """Everything the harness uses of a system (``AudioSystem`` has it; an adapter gives it to others).

    Attributes:
        clock: the system's clock; a ``VirtualClock`` makes the run a simulation (the harness
            advances it, the same seed gives the same history).
        seed: the seed the system was built with (recorded in the history).
        backend: the ``DeviceBackend`` its streams run on (the fault target is chosen from it).
        state: the current lifecycle ``State``.
        config: the applied configuration (``AudioConfig``), or None before ``configure``.
        coordinator, monitoring, resources: see ``LifecycleLedger``, ``MetricsRegistry``,
            ``ResourceLedger``.
        pipeline: the running audio pipeline (``errors``: callback errors not yet reported;
            ``pool``, ``chain`` and ``budget_s`` for the buffer-exhaustion and slow-DSP faults),
            or None; a system without one has those two faults act on nothing.
        stream: the current device stream (``active``), or None.
    """

    clock: "Clock"
    seed: int
    backend: "DeviceBackend"
    coordinator: LifecycleLedger
    monitoring: MetricsRegistry
    resources: ResourceLedger

    @property
    def state(self) -> "State": ...
    @property
    def config(self) -> "AudioConfig | None": ...
    @property
    def pipeline(self) -> Any: ...
    @property
    def stream(self) -> Any: ...

    # -- lifecycle operations (each a transition of "system", or a refusal) ------------------
    def initialize(self) -> None: ...
    def configure(self, config: Any) -> Any: ...
    def reconfigure(self, config: Any) -> Any: ...
    def start(self) -> None: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def stop(self) -> None: ...
    def close(self) -> None: ...
    def recover(self) -> bool: ...
    def simulate_error(self, component: str = "dsp") -> None: ...

    # -- observation -------------------------------------------------------------------------
    def add_observer(self, observer: Callable[["TransitionRecord"], None]) -> None: ...
    def add_event_listener(self, listener: Callable[[Any], None]) -> None: ...
    def remove_event_listener(self, listener: Callable[[Any], None]) -> None: ...
    def metrics(self) -> "MetricsSnapshot": ...
    def frame_accounts(self) -> "FrameAccounts": ...
    def health(self) -> dict[str, Any]: ...
    def is_healthy(self) -> bool: ...

    # -- time --------------------------------------------------------------------------------
    def run_for(self, seconds: float) -> None: ...


class SystemFactory(Protocol):
    """Builds a system from what the harness gives it: the configuration (a mapping in
    ``system_under_test.config``'s schema, or None for the system's defaults), the device backend
    (the simulated device, the JACK rig's, or PortAudio's), the clock the backend runs on (a
    ``VirtualClock`` on the simulated device), and the run's seed."""

    def __call__(self, config: Mapping[str, Any] | None, *, backend: "DeviceBackend", clock: "Clock",
                 seed: int) -> SystemUnderTest: ...


#: the members a system must have, by part (``missing_members`` reports them in this order)
_PARTS: tuple[tuple[str, type], ...] = (("", SystemUnderTest), ("coordinator.", LifecycleLedger),
                                        ("monitoring.", MetricsRegistry), ("resources.", ResourceLedger))


def protocol_members(proto: type) -> list[str]:
    """The public members a ``Protocol`` declares (annotations, methods and properties)."""
    names = list(getattr(proto, "__annotations__", {}))
    names += [n for n, v in vars(proto).items() if not n.startswith("_") and (callable(v) or isinstance(v, property))]
    return list(dict.fromkeys(names))


def missing_members(system: Any) -> list[str]:
    """The ``SystemUnderTest`` members ``system`` lacks (``coordinator.states`` for a part's)."""
    missing: list[str] = []
    for prefix, proto in _PARTS:
        obj = system if not prefix else getattr(system, prefix[:-1], None)
        if obj is None:
            continue  # the part itself is reported missing at the top level
        for name in protocol_members(proto):
            try:
                present = hasattr(obj, name)
            except Exception:  # noqa: BLE001 - a property that raises before the system starts exists
                present = True
            if not present:
                missing.append(prefix + name)
    return missing


@dataclass(frozen=True)
class SystemChoice:
    """A system factory and how it was named: ``spec`` is the ``module:factory`` text of a
    ``--system`` (recorded in summaries and histories), None for a factory handed over in Python
    (a mutant, a test's subclass: the history's ``system``/``mutant`` meta names those)."""

    spec: str | None
    factory: Callable[..., Any]

    @classmethod
    def of(cls, factory: "Callable[..., Any] | SystemChoice | None") -> "SystemChoice":
        """A choice from a factory given in Python (None: the default system)."""
        if factory is None:
            return default_system()
        if isinstance(factory, SystemChoice):
            return factory
        return cls(None, factory)

    @property
    def is_default(self) -> bool:
        return self.spec == DEFAULT_SYSTEM

    @property
    def named(self) -> bool:
        """Given as ``--system module:factory`` (other than the default): checked and recorded."""
        return self.spec is not None and not self.is_default

    def describe(self) -> str:
        """What a summary says the system was: the ``module:factory`` text, or the factory's name."""
        if self.spec is not None:
            return self.spec
        f = self.factory
        return f"{getattr(f, '__module__', '?')}:{getattr(f, '__qualname__', type(f).__name__)}"


def default_system() -> SystemChoice:
    from system_under_test import AudioSystem  # noqa: PLC0415 - keep this module cheap to import

    return SystemChoice(DEFAULT_SYSTEM, AudioSystem)


def _fix(option: str) -> str:
    return (f"give {option} module:factory, where module is importable (a dotted name on the Python path, "
            "e.g. examples.simple_player) and factory(config, *, backend, clock, seed) returns the system")


def resolve_factory(text: str, *, option: str = "--system") -> SystemChoice:
    """``module:factory`` -> the factory; a ``UsageError`` naming ``option`` and the fix otherwise.

    The current folder is put on the Python path first (as uvicorn and gunicorn do for their
    ``module:app``): ``soundcheck`` is a console script, so without it a module next to the user's
    project (``examples.simple_player``) would not be found."""
    if not isinstance(text, str) or text.count(":") != 1 or not all(p.strip() for p in text.split(":")):
        raise UsageError(f"{option} {text!r}: not of the form module:factory; {_fix(option)}")
    module_name, attr = (p.strip() for p in text.split(":"))
    if module_name == "system_under_test" and attr == "AudioSystem":
        return default_system()
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:
        sys.path.insert(0, cwd)
    try:
        found = importlib.util.find_spec(module_name)
    except (ImportError, ValueError):
        found = None
    if found is None:
        raise UsageError(f"{option} {text}: no module named {module_name!r} on the Python path; {_fix(option)} "
                         "(run from the folder that holds it, or install it)")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 - the user's module failed to import: say how
        raise UsageError(f"{option} {text}: importing {module_name!r} failed: {type(exc).__name__}: {exc}") from None
    obj: Any = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            public = sorted(n for n in dir(module) if not n.startswith("_") and callable(getattr(module, n)))
            raise UsageError(f"{option} {text}: module {module_name!r} has no attribute {attr!r} "
                             f"(callables in it: {', '.join(public) or 'none'}); {_fix(option)}")
        obj = getattr(obj, part)
    if not callable(obj):
        raise UsageError(f"{option} {text}: {attr!r} in {module_name!r} is a {type(obj).__name__}, not "
                         f"callable; {_fix(option)}")
    return SystemChoice(f"{module_name}:{attr}", obj)


def check_system(system: Any, spec: str, *, option: str = "--system") -> None:
    """Refuse (``UsageError``) a built system that lacks protocol members, listing them."""
    missing = missing_members(system)
    if missing:
        raise UsageError(f"{option} {spec}: the factory returned a {type(system).__name__} that lacks "
                         f"{len(missing)} member(s) the harness needs: {', '.join(missing)}; see "
                         "harness.sut_protocol.SystemUnderTest (harness.sut_kit.LifecycleAdapter supplies "
                         "the lifecycle, metrics and resource parts)")


def probe(choice: SystemChoice, *, option: str = "--system") -> None:
    """Build the chosen system once on a fresh simulated device and check it conforms (then close
    it), so a bad ``--system`` is refused before a run folder exists."""
    if not choice.named:
        return
    from system_under_test.clock import VirtualClock  # noqa: PLC0415
    from system_under_test.devices.simulated import SimulatedBackend  # noqa: PLC0415

    clock = VirtualClock()
    backend = SimulatedBackend(clock, seed=0)
    try:
        system = choice.factory(None, backend=backend, clock=clock, seed=0)
    except Exception as exc:  # noqa: BLE001 - the user's factory: report, never a traceback
        raise UsageError(f"{option} {choice.spec}: calling it as factory(None, backend=..., clock=..., seed=0) "
                         f"raised {type(exc).__name__}: {exc}; {_fix(option)}") from None
    try:
        check_system(system, choice.spec, option=option)
    finally:
        close = getattr(system, "close", None)
        if callable(close):
            try:
                close()
            except Exception:  # noqa: BLE001 - a probe that cannot close is still refused or accepted
                pass
        backend.close()


def load_system(text: str | None, *, option: str = "--system", check: bool = True) -> SystemChoice:
    """The ``--system`` choice: the default system for None, else the resolved (and, with
    ``check``, probed) factory."""
    if text is None:
        return default_system()
    choice = resolve_factory(text, option=option)
    if check:
        probe(choice, option=option)
    return choice


def add_system_option(parser: argparse.ArgumentParser) -> None:
    """The ``--system`` option of ``run``, ``soak``, ``scenario run`` and ``swarm``."""
    parser.add_argument("--system", metavar="MODULE:FACTORY", default=None,
                        help="the system under test: factory(config, *, backend, clock, seed) in an importable "
                             f"module, e.g. examples.simple_player:make_system (default {DEFAULT_SYSTEM})")


__all__ = ["DEFAULT_SYSTEM", "add_system_option", "LifecycleLedger", "MetricsRegistry", "ResourceLedger", "SystemChoice",
           "SystemFactory", "SystemUnderTest", "check_system", "default_system", "load_system",
           "missing_members", "probe", "protocol_members", "resolve_factory"]
