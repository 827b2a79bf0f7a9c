"""The ResourceManager: limits, tracking and verified cleanup of everything the system holds.

Every buffer, stream and thread the system creates is allocated here first, so a leak is a visible
fact (``leak_report()``) instead of a suspicion, and a limit is checked *before* anything is
allocated: an allocation over a limit raises ``ResourceLimitError`` and changes nothing.
"""

from __future__ import annotations

import enum
import itertools
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .clock import Clock, SystemClock
from .errors import ResourceLimitError


class ResourceType(str, enum.Enum):
    BUFFERS = "buffers"
    FRAMES = "frames"
    STREAMS = "streams"
    THREADS = "threads"
    BYTES = "bytes"


#: Global limits when the configuration names none; generous but finite.
DEFAULT_GLOBAL_LIMITS: dict[ResourceType, int] = {
    ResourceType.BUFFERS: 4096,
    ResourceType.FRAMES: 48_000 * 60,
    ResourceType.STREAMS: 8,
    ResourceType.THREADS: 64,
    ResourceType.BYTES: 512 * 1024 * 1024,
}


@dataclass(frozen=True)
class Allocation:
    handle: int
    component: str
    rtype: ResourceType
    amount: int
    tag: str
    time: float

    def to_dict(self) -> dict[str, Any]:
        return {"handle": self.handle, "component": self.component, "type": self.rtype.value,
                "amount": self.amount, "tag": self.tag, "time": self.time}


@dataclass
class ComponentAllocation:
    """What one component holds, and the limits it is held to."""

    component: str
    usage: dict[ResourceType, int]
    limits: dict[ResourceType, int]
    peak: dict[ResourceType, int] = field(default_factory=dict)

    def within_limits(self) -> bool:
        return all(self.usage.get(t, 0) <= lim for t, lim in self.limits.items())


class ResourceManager:
    def __init__(self, clock: Clock | None = None,
                 global_limits: dict[ResourceType, int] | None = None) -> None:
        self.clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._global_limits = dict(DEFAULT_GLOBAL_LIMITS)
        if global_limits:
            self._global_limits.update({ResourceType(k): v for k, v in global_limits.items()})
        self._component_limits: dict[str, dict[ResourceType, int]] = {}
        self._live: dict[int, Allocation] = {}
        self._usage: dict[str, dict[ResourceType, int]] = defaultdict(lambda: defaultdict(int))
        self._peak: dict[str, dict[ResourceType, int]] = defaultdict(lambda: defaultdict(int))
        self._global_usage: dict[ResourceType, int] = defaultdict(int)
        self._global_peak: dict[ResourceType, int] = defaultdict(int)
        self._handles = itertools.count(1)
        self._registered: set[str] = set()
        self.refused = 0

    # -- registration and limits --------------------------------------------------------------
    def register(self, component: str, limits: dict[ResourceType, int] | None = None) -> str:
        """Register ``component`` with its own limits (a type may be named by its value). A type
        that is no ``ResourceType`` is refused (ValueError) before anything is registered."""
        looked_up = {ResourceType(k): v for k, v in limits.items()} if limits else {}
        with self._lock:
            self._registered.add(component)
            if looked_up:
                self._component_limits[component] = looked_up
        return component

    def set_limit(self, rtype: ResourceType, limit: int, component: str | None = None) -> None:
        with self._lock:
            if component is None:
                self._global_limits[ResourceType(rtype)] = limit
            else:
                self._component_limits.setdefault(component, {})[ResourceType(rtype)] = limit

    def limit(self, rtype: ResourceType, component: str | None = None) -> int | None:
        if component is None:
            return self._global_limits.get(rtype)
        return self._component_limits.get(component, {}).get(rtype)

    @property
    def global_limits(self) -> dict[ResourceType, int]:
        return dict(self._global_limits)

    # -- allocation ---------------------------------------------------------------------------
    def allocate(self, component: str, rtype: ResourceType, amount: int = 1, tag: str = "") -> Allocation:
        """Allocate ``amount`` of ``rtype`` to ``component``, or raise and allocate nothing."""
        if type(rtype) is not ResourceType:  # a member is itself already: the enum's lookup only for a value
            rtype = ResourceType(rtype)
        if amount < 0:
            raise ValueError(f"cannot allocate a negative amount ({amount})")
        with self._lock:
            used = self._usage[component][rtype]
            comp_limit = self._component_limits.get(component, {}).get(rtype)
            if comp_limit is not None and used + amount > comp_limit:
                self.refused += 1
                raise ResourceLimitError(
                    f"{rtype.value}: {component!r} asked for {amount} with {used} in use; "
                    f"its limit is {comp_limit}",
                    component=component,
                    details={"type": rtype.value, "requested": amount, "in_use": used,
                             "limit": comp_limit, "scope": "component"},
                )
            g_used = self._global_usage[rtype]
            g_limit = self._global_limits.get(rtype)
            if g_limit is not None and g_used + amount > g_limit:
                self.refused += 1
                raise ResourceLimitError(
                    f"{rtype.value}: {component!r} asked for {amount} with {g_used} in use "
                    f"system-wide; the global limit is {g_limit}",
                    component=component,
                    details={"type": rtype.value, "requested": amount, "in_use": g_used,
                             "limit": g_limit, "scope": "global"},
                )
            alloc = Allocation(next(self._handles), component, rtype, amount, tag, self.clock.now())
            self._live[alloc.handle] = alloc
            self._usage[component][rtype] = used + amount
            self._global_usage[rtype] = g_used + amount
            peak = self._peak[component]
            peak[rtype] = max(peak[rtype], used + amount)
            self._global_peak[rtype] = max(self._global_peak[rtype], g_used + amount)
            self._registered.add(component)
            return alloc

    def release(self, allocation: Allocation | int) -> bool:
        """Release one allocation; releasing twice is harmless and returns False."""
        handle = allocation if isinstance(allocation, int) else allocation.handle
        with self._lock:
            alloc = self._live.pop(handle, None)
            if alloc is None:
                return False
            self._usage[alloc.component][alloc.rtype] -= alloc.amount
            self._global_usage[alloc.rtype] -= alloc.amount
            return True

    def release_all(self, component: str) -> int:
        with self._lock:
            handles = [h for h, a in self._live.items() if a.component == component]
        return sum(self.release(h) for h in handles)

    # -- inspection ---------------------------------------------------------------------------
    def usage(self, component: str | None = None) -> dict[ResourceType, int]:
        with self._lock:
            if component is None:
                return {t: v for t, v in self._global_usage.items() if v}
            return {t: v for t, v in self._usage.get(component, {}).items() if v}

    def peak(self, component: str | None = None) -> dict[ResourceType, int]:
        with self._lock:
            src = self._global_peak if component is None else self._peak.get(component, {})
            return dict(src)

    def get_allocation(self, component: str) -> ComponentAllocation:
        with self._lock:
            return ComponentAllocation(
                component,
                {t: v for t, v in self._usage.get(component, {}).items()},
                dict(self._component_limits.get(component, {})),
                dict(self._peak.get(component, {})),
            )

    def within_limits(self) -> bool:
        """Peak usage never went over any limit (global and per component)."""
        with self._lock:
            for t, lim in self._global_limits.items():
                if self._global_peak.get(t, 0) > lim:
                    return False
            for comp, limits in self._component_limits.items():
                for t, lim in limits.items():
                    if self._peak.get(comp, {}).get(t, 0) > lim:
                        return False
            return True

    def is_cleaned_up(self, component: str | None = None) -> bool:
        with self._lock:
            return not any(component is None or a.component == component for a in self._live.values())

    def live(self, component: str | None = None) -> list[Allocation]:
        with self._lock:
            return [a for a in self._live.values() if component is None or a.component == component]

    def leak_report(self) -> list[dict[str, Any]]:
        """Every allocation still held, oldest first, with its age: what ``close()`` failed to free."""
        now = self.clock.now()
        out = []
        for a in sorted(self.live(), key=lambda a: a.handle):
            d = a.to_dict()
            d["age_s"] = now - a.time
            out.append(d)
        return out

    @property
    def components(self) -> list[str]:
        with self._lock:
            return sorted(self._registered)


__all__ = ["Allocation", "ComponentAllocation", "DEFAULT_GLOBAL_LIMITS", "ResourceManager", "ResourceType"]
