"""What a fault needs from the world: the ``FaultTarget`` protocol and its capabilities.

A device fault acts through a target, never on a backend directly, so the same fault runs against
the simulated device (``SimulatedTarget``), a real device the harness cannot touch
(``UncontrolledDevice``: no capabilities) or the JACK loopback rig (``harness.rig.rig_target``, which
implements this protocol; this package never imports it).

A capability is the name of a protocol method family. Each fault kind declares the capabilities it
needs (``Fault.needs`` in ``kinds``); ``unsupported_reason`` compares the two, so what a target can
do is said once, by the target, and what a fault needs once, by the fault.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:  # pragma: no cover
    from system_under_test import AudioSystem

#: drop_device/return_device, stall/unstall, xrun, raise_in_callback, change_sample_rate
DEVICE_CAPABILITIES: frozenset[str] = frozenset({"drop_device", "stall", "xrun", "raise_in_callback",
                                                 "change_sample_rate"})
#: every capability a fault kind may need (the rig adds ``pull_cable``: pull_cable/replug_cable; the
#: simulated device ``starve_input``: starve_input/feed_input, a device calling back with no input)
CAPABILITIES: frozenset[str] = DEVICE_CAPABILITIES | {"pull_cable", "starve_input"}

#: what a target calls with what the device dropped of a fault's request unspent past the
#: firing's window (``FaultInjector.taken_back_after``): ``{"delay_s": s}`` or ``{"corrupt_callbacks": n}``
Dropped = Callable[[dict[str, float | int]], None]


def _told(on_dropped: Dropped | None, what: str) -> Callable[[float], None] | None:
    """The device's ``on_dropped`` (an amount) for a target's (``{what: amount}``, the shape
    ``take_back`` returns); None when no one is to be told."""
    if on_dropped is None:
        return None
    return lambda amount: on_dropped({what: amount})


@runtime_checkable
class FaultTarget(Protocol):
    """What a device fault needs from the world. ``SimulatedTarget`` is one; the JACK rig is another.

    ``capabilities`` names what this target can do (see ``CAPABILITIES``); ``why_not(capability)``
    says, for one it lacks, why (shown when a fault is skipped). The methods of a capability it
    lacks may raise.
    """

    capabilities: frozenset[str]

    def why_not(self, capability: str) -> str: ...
    def drop_device(self, name: str) -> None: ...
    def return_device(self, name: str) -> None: ...
    def stall(self, name: str) -> None: ...
    def unstall(self, name: str) -> None: ...
    def xrun(self, name: str, delay_s: float, *, until: float | None = None,
             on_dropped: Dropped | None = None) -> None: ...
    def raise_in_callback(self, name: str, count: int, *, until: float | None = None,
                          on_dropped: Dropped | None = None) -> dict[str, int] | None: ...
    def change_sample_rate(self, name: str, rate: int) -> int | None: ...


def missing_capabilities(target: FaultTarget, needs: Iterable[str]) -> list[str]:
    """The capabilities in ``needs`` that ``target`` lacks (sorted, so messages are stable)."""
    return sorted(set(needs) - set(target.capabilities))


def reason_unsupported(target: FaultTarget, needs: Iterable[str]) -> str | None:
    """Why ``target`` cannot inject a fault needing ``needs`` (None: it can)."""
    missing = missing_capabilities(target, needs)
    return target.why_not(missing[0]) if missing else None


class SimulatedTarget:
    """``FaultTarget`` over the simulated backend's public fault hooks."""

    capabilities: frozenset[str] = DEVICE_CAPABILITIES | {"starve_input"}

    def __init__(self, backend: Any, *, report_loss: bool = True) -> None:
        self.backend = backend
        self.report_loss = report_loss

    def why_not(self, capability: str) -> str:
        return f"the simulated device has no {capability!r} (it is a JACK loopback rig fault: --backend jack)"

    def drop_device(self, name: str) -> None:
        self.backend.remove_device(name, report=self.report_loss)

    def return_device(self, name: str) -> None:
        self.backend.restore_device(name)

    def stall(self, name: str) -> None:
        self.backend.stall(name)

    def unstall(self, name: str) -> None:
        self.backend.unstall(name)

    def xrun(self, name: str, delay_s: float, *, until: float | None = None,
             on_dropped: Dropped | None = None) -> None:
        """The device's next block ``delay_s`` late; ``until``: only if it comes by then, what is
        dropped unserved past it told to ``on_dropped`` (``{"delay_s": s}``, ``take_back``'s shape)."""
        self.backend.delay_next_callback(name, delay_s, until=until, on_dropped=_told(on_dropped, "delay_s"))

    def starve_input(self, name: str) -> None:
        self.backend.starve_input(name)

    def feed_input(self, name: str) -> None:
        self.backend.feed_input(name)

    def raise_in_callback(self, name: str, count: int, *, until: float | None = None,
                          on_dropped: Dropped | None = None) -> dict[str, int]:
        """Ask for ``count`` more corrupted callbacks; the device's unspent ones before and after
        the request, for the record: the request adds to what is pending, and a history that
        holds both shows whether it did (``callback_errors`` judges it on the virtual clock,
        where no callback can spend one between the two reads). ``until``: the device lets them
        act only on blocks delivered by then, and tells ``on_dropped`` what it dropped unspent
        past it (``{"corrupt_callbacks": n}``, the shape ``take_back`` returns)."""
        device = self.backend.device(name)
        before = int(device.corrupt_callbacks)
        self.backend.corrupt_next_callbacks(name, count, until=until,
                                            on_dropped=_told(on_dropped, "corrupt_callbacks"))
        return {"pending_before": before, "pending_after": int(device.corrupt_callbacks)}

    def take_back(self, name: str) -> dict[str, float | int]:
        """Drop what the faults asked of ``name`` that still waits for a callback (corrupted
        callbacks not yet spent, a delay not yet served): each request asked with an
        ``on_dropped`` is told what is dropped of it; returned is what was dropped that no one was
        told of, ``{}`` when nothing.
        A target whose faults leave nothing waiting on the device (the JACK rig's act at once)
        has no such method."""
        return self.backend.take_back_pending(name)

    def change_sample_rate(self, name: str, rate: int) -> int | None:
        old = self.backend.device(name).current_rate
        self.backend.change_sample_rate(name, rate)
        return old

    def device_present(self, name: str) -> bool:
        return bool(self.backend.device(name).present)


class UncontrolledDevice:
    """``FaultTarget`` for a real device the harness has no hand on (any device PortAudio sees).

    It has no capabilities: faults that act on the device itself cannot be injected there; the
    system-level ones (buffer exhaustion, invalid configuration, transition storms, slow DSP) need
    none and still can. ``Schedule.runnable_on`` drops the former with a note instead of failing
    mid-run.
    """

    capabilities: frozenset[str] = frozenset()

    def why_not(self, capability: str) -> str:
        return ("the harness cannot act on this device (use --backend jack for the loopback rig, "
                "or --backend sim)")

    def _refuse(self, *_: Any, **__: Any) -> Any:
        raise NotImplementedError("device faults need the simulated device or the JACK loopback rig")

    drop_device = return_device = stall = unstall = xrun = raise_in_callback = change_sample_rate = _refuse
    starve_input = feed_input = _refuse


def target_for(system: AudioSystem) -> FaultTarget:
    """The ``FaultTarget`` for ``system``'s backend without a rig: the simulated device's hooks, or
    ``UncontrolledDevice`` for a real backend. (On the JACK loopback rig,
    ``harness.rig.rig_target.target_for(system, rig)`` gives the rig's target.)"""
    backend = system.backend
    name = getattr(backend, "name", None)
    if name == "sim":
        return SimulatedTarget(backend)
    if name in ("jack", "portaudio"):
        return UncontrolledDevice()
    raise TypeError(f"no FaultTarget for backend {name or backend!r}; pass target=")


__all__ = ["CAPABILITIES", "DEVICE_CAPABILITIES", "FaultTarget", "SimulatedTarget", "UncontrolledDevice",
           "missing_capabilities", "reason_unsupported", "target_for"]
