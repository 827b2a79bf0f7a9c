"""The machine's load while a run ran, and whether two runs' speeds can be compared.

Why a module of its own: a run's speed (simulated seconds per wall second) is set by the machine's
load as much as by the system: the same build's healthy runs on this 2-core machine ran at 22-190x
real time as other work came and went (bench/RESULTS.md, issue #11). The run records what the
machine carried (the 1-minute load average as the run began and as it ended, and the CPU count);
``soundcheck compare`` judges speed only between runs whose records say the machine carried
about the same (``comparable``), and says why not otherwise. A report written before the load
was recorded has none: its speed stays information only.

The load average is the kernel's (``os.getloadavg``): runnable and uninterruptible tasks,
exponentially averaged over a minute, the run itself among them in both runs alike. None where
the platform keeps none.
"""

from __future__ import annotations

import math
import os
from typing import Any

__all__ = ["LOAD_TOLERANCE_PER_CPU", "MachineLoad", "comparable", "load_1min"]

#: how far apart two loads (1-minute averages, per CPU) may be for speeds to be compared: on the
#: 2-core machine a quarter of a CPU each way (0.5 in the load average). Each run's own start and
#: end must agree as closely (a load that changed mid-run says little of what the run shared).
LOAD_TOLERANCE_PER_CPU = 0.25


def load_1min() -> float | None:
    """The 1-minute load average now, or None where the platform has none."""
    try:
        return float(os.getloadavg()[0])
    except (OSError, AttributeError):
        return None


class MachineLoad:
    """The machine's load as a run begins (at construction) and ends (``stop``): the run
    summary's ``machine`` (``{cpus, load_1min_start, load_1min_end}``)."""

    def __init__(self) -> None:
        self.cpus = os.cpu_count()
        self.start = load_1min()
        self.end: float | None = None

    def stop(self) -> dict[str, Any]:
        if self.end is None:
            self.end = load_1min()
        return {"cpus": self.cpus, "load_1min_start": _round(self.start), "load_1min_end": _round(self.end)}


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 2)


def _known(m: Any) -> tuple[int, float, float] | None:
    if not isinstance(m, dict):
        return None
    cpus, s, e = m.get("cpus"), m.get("load_1min_start"), m.get("load_1min_end")
    if not isinstance(cpus, int) or isinstance(cpus, bool) or cpus < 1:
        return None
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0
               for v in (s, e)):
        return None
    return cpus, float(s), float(e)


def comparable(a: Any, b: Any, *, tolerance: float = LOAD_TOLERANCE_PER_CPU) -> tuple[bool, str]:
    """Whether runs whose ``machine`` records are ``a`` and ``b`` ran under loads close enough for
    their speeds to be compared, and why (or why not)."""
    ka, kb = _known(a), _known(b)
    missing = [side for side, k in (("A", ka), ("B", kb)) if k is None]
    if missing:
        return False, (f"{' and '.join(missing)} recorded no machine load (a report written before it was "
                       "kept, or a platform without a load average)")
    assert ka is not None and kb is not None
    if ka[0] != kb[0]:
        return False, f"the runs ran on {ka[0]} and {kb[0]} CPUs"
    cpus = ka[0]
    say = (f"load {ka[1]:g} -> {ka[2]:g} (A), {kb[1]:g} -> {kb[2]:g} (B) on {cpus} CPU(s); "
           f"comparable within {tolerance * cpus:g}")
    for side, (_, s, e) in (("A", ka), ("B", kb)):
        if abs(s - e) > tolerance * cpus:
            return False, f"{side}'s load changed during its run: {say}"
    loads = (ka[1], ka[2], kb[1], kb[2])
    if max(loads) - min(loads) > tolerance * cpus:
        return False, f"the machine carried different loads: {say}"
    return True, say
