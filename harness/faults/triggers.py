"""When a fault fires: ``At`` a clock time, ``Every`` period, ``WithProbability`` p per check from a
seeded RNG, ``OnCall`` the n-th call of an operation or the n-th audio callback.

A trigger only decides *when*; ``arm`` asks the injector (``FaultInjector._call_at`` /
``_call_later``) to call ``fire`` on the system's clock, so the same seed gives the same run on
the virtual clock.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .injector import FaultInjector


class Trigger:
    """When a fault fires. ``arm`` schedules calls to ``fire`` through the injector."""

    def arm(self, injector: FaultInjector, fire: Callable[[], None], rng: random.Random) -> None:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)  # type: ignore[call-overload]
        d["type"] = type(self).__name__
        return d

    def describe(self) -> str:
        """``Name(field=value, ...)``, the values as ``dataclasses.asdict`` gives them. Read at every
        firing: fields of plain values (str, int, float, bool, None) are read directly, without
        asdict's ``copy.deepcopy`` of each (the same values: those types copy to themselves)."""
        values = [getattr(self, name) for name in _field_names(type(self))]
        if any(type(v) not in _PLAIN for v in values):
            items = dataclasses.asdict(self).items()  # type: ignore[call-overload]
        else:
            items = zip(_field_names(type(self)), values)
        args = ", ".join(f"{k}={v}" for k, v in items)
        return f"{type(self).__name__}({args})"


#: value types ``Trigger.describe`` reads as they are (exact types: immutable, deep-copied to themselves)
_PLAIN = frozenset({str, int, float, bool, type(None)})


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    """A trigger class's field names, in order (``dataclasses.fields`` once per class)."""
    return tuple(f.name for f in dataclasses.fields(cls))


@dataclass(frozen=True)
class At(Trigger):
    """Fire once at clock time ``time`` (seconds on the system clock)."""

    time: float

    def arm(self, injector: FaultInjector, fire: Callable[[], None], rng: random.Random) -> None:
        injector._call_at(self.time, fire)


@dataclass(frozen=True)
class Every(Trigger):
    """Fire every ``period_s`` from ``start_s``, ``count`` times (None: until disarmed)."""

    period_s: float
    start_s: float = 0.0
    count: int | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.period_s) and self.period_s > 0):
            raise ValueError(f"Every.period_s must be a positive number of seconds, got {self.period_s!r}")

    def arm(self, injector: FaultInjector, fire: Callable[[], None], rng: random.Random) -> None:
        if self.period_s <= 0:
            raise ValueError("Every.period_s must be positive")
        remaining = [self.count]

        def tick(when: float) -> None:
            if remaining[0] is not None:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            fire()
            injector._call_at(when + self.period_s, lambda: tick(when + self.period_s))

        injector._call_at(self.start_s, lambda: tick(self.start_s))


@dataclass(frozen=True)
class WithProbability(Trigger):
    """Every ``every_s`` between ``start_s`` and ``until_s``, fire with probability ``p`` (seeded RNG)."""

    p: float
    every_s: float = 0.1
    start_s: float = 0.0
    until_s: float | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.p <= 1.0:
            raise ValueError(f"WithProbability.p must be within [0, 1], got {self.p!r}")
        if not (math.isfinite(self.every_s) and self.every_s > 0):
            raise ValueError(f"WithProbability.every_s must be a positive number of seconds, got {self.every_s!r}")

    def arm(self, injector: FaultInjector, fire: Callable[[], None], rng: random.Random) -> None:
        if not 0.0 <= self.p <= 1.0:
            raise ValueError("WithProbability.p must be within [0, 1]")

        def tick(when: float) -> None:
            if self.until_s is not None and when > self.until_s:
                return
            if rng.random() < self.p:
                fire()
            injector._call_at(when + self.every_s, lambda: tick(when + self.every_s))

        injector._call_at(self.start_s, lambda: tick(self.start_s))


@dataclass(frozen=True)
class OnCall(Trigger):
    """Fire just before the ``n``-th call of ``system.<operation>`` after arming.

    ``operation="callback"`` counts audio callbacks instead (the ``callbacks`` counter, checked every
    ``poll_s`` of clock time), so it fires within one poll of the n-th callback.
    """

    n: int
    operation: str = "callback"
    poll_s: float = 0.001

    def arm(self, injector: FaultInjector, fire: Callable[[], None], rng: random.Random) -> None:
        system = injector.system
        if self.operation == "callback":
            counter = system.monitoring.counter("callbacks")
            goal = counter.value + self.n

            def poll() -> None:
                if counter.value >= goal:
                    fire()
                else:
                    injector._call_later(self.poll_s, poll)

            injector._call_later(self.poll_s, poll)
            return
        original = getattr(system, self.operation)
        calls = [0]

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[0] += 1
            if calls[0] == self.n:
                fire()
            return original(*args, **kwargs)

        setattr(system, self.operation, wrapper)
        injector._restore.append(lambda: system.__dict__.pop(self.operation, None))


def trigger_from_dict(d: Mapping[str, Any]) -> Trigger:
    d = dict(d)
    kind = d.pop("type", "At")
    classes = {c.__name__: c for c in (At, Every, WithProbability, OnCall)}
    if kind not in classes:
        raise ValueError(f"unknown trigger type {kind!r} (known: {', '.join(sorted(classes))})")
    return classes[kind](**d)



__all__ = ["At", "Every", "OnCall", "Trigger", "WithProbability", "trigger_from_dict"]
