"""``Schedule``: the faults of one run, fixed, periodic or drawn at random from per-kind
probabilities (a profile's draw, ``Schedule.random``: seeded, pre-drawn before the run starts).
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from system_under_test.config import RecoveryConfig

from ..errors import UsageError
from .kinds import Fault, fault_from_dict
from .targets import reason_unsupported
from .triggers import At, Every, Trigger, WithProbability

if TYPE_CHECKING:  # pragma: no cover
    from ..history import History
    from .targets import FaultTarget

#: fault kinds whose operations stop, start or recover the whole system: ``with_outages`` keeps
#: them off each outage and its recovery, which one of their ``stop()`` calls would end early
OUTAGE_CLEAR_KINDS = frozenset({"lifecycle_calls", "concurrent_transitions"})
#: how long after an outage's end its recovery may still be trying (the default recovery policy's
#: longest backoff between attempts, read from ``RecoveryConfig.max_backoff_ms``'s default): an
#: operator's call in it would end the recovery before it reports how it ended
OUTAGE_RECOVERY_TAIL_S = float(RecoveryConfig.model_fields["max_backoff_ms"].default) / 1000.0

#: most fault checks a random schedule pre-draws (a fortnight at the default 0.25 s): the schedule
#: is drawn before the run starts, so its size must be bounded by something other than patience
MAX_SCHEDULE_CHECKS = 5_000_000


@dataclass
class Schedule:
    """The faults of one run. Build with ``fixed``, ``periodic``, ``random`` or a profile."""

    faults: list[Fault] = field(default_factory=list)
    name: str = "custom"
    seed: int = 0
    duration_s: float | None = None
    #: the fault kinds the profile asked for (kind -> probability per check, only those > 0); a
    #: run that asked for faults and injected none proved nothing about fault handling
    asked: dict[str, float] = field(default_factory=dict)
    #: faults dropped by ``runnable_on`` because the backend cannot inject them
    unsupported: int = 0
    #: why they were dropped: kind -> the target's reason -> how many
    unsupported_reasons: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def requested(self) -> int:
        """Faults the schedule asked for: its own, plus those the backend could not inject."""
        return len(self.faults) + self.unsupported

    def __post_init__(self) -> None:
        for i, f in enumerate(self.faults):
            if not f.fault_id:
                f.fault_id = f"{f.kind}#{i}"

    def __len__(self) -> int:
        return len(self.faults)

    def runnable_on(self, target: FaultTarget, history: History | None = None) -> Schedule:
        """This schedule without the faults ``target`` cannot inject (a capability the fault
        ``needs`` that the target lacks), each dropped one noted in ``history``
        (``fault_skipped``, with the target's reason). When the target can inject every fault,
        the schedule itself is returned."""
        kept = []
        reasons = {k: dict(v) for k, v in self.unsupported_reasons.items()}
        for fault in self.faults:
            reason = reason_unsupported(target, fault.needs)
            if reason is None:
                kept.append(fault)
                continue
            reasons.setdefault(fault.kind, {})[reason] = reasons.get(fault.kind, {}).get(reason, 0) + 1
            if history is not None:
                history.note("fault_skipped", fault_id=fault.fault_id, kind=fault.kind,
                             trigger=fault.trigger.describe(), reason=reason, params=fault.recorded_params())
        if len(kept) == len(self.faults):
            return self
        return Schedule(kept, name=self.name, seed=self.seed, duration_s=self.duration_s, asked=self.asked,
                        unsupported=self.unsupported + len(self.faults) - len(kept), unsupported_reasons=reasons)

    def shifted(self, t0: float) -> Schedule:
        """This schedule with its clock times moved to start at ``t0``.

        A profile says "12.5 s into the run" as ``At(12.5)`` and ``FaultInjector`` reads trigger
        times on the system clock. The virtual clock starts at 0, so there the two agree; a real
        clock reads ~10^4 s (monotonic), so unshifted every fault would fire at once when armed
        (measured on the JACK rig: all 15 faults of ``--faults default`` in one instant).
        ``OnCall`` triggers count calls, not time, and are kept as they are.
        """
        def shift(trigger: Trigger) -> Trigger:
            if isinstance(trigger, At):
                return dataclasses.replace(trigger, time=trigger.time + t0)
            if isinstance(trigger, Every):
                return dataclasses.replace(trigger, start_s=trigger.start_s + t0)
            if isinstance(trigger, WithProbability):
                return dataclasses.replace(trigger, start_s=trigger.start_s + t0,
                                           until_s=None if trigger.until_s is None else trigger.until_s + t0)
            return trigger

        faults = [dataclasses.replace(f, trigger=shift(f.trigger)) for f in self.faults]
        return Schedule(faults, name=self.name, seed=self.seed, duration_s=self.duration_s, asked=self.asked,
                        unsupported=self.unsupported, unsupported_reasons=self.unsupported_reasons)

    def __iter__(self) -> Any:
        return iter(self.faults)

    @classmethod
    def fixed(cls, items: Iterable[tuple[float, Fault]], **kw: Any) -> Schedule:
        faults = []
        for when, fault in items:
            fault.trigger = At(when)
            faults.append(fault)
        return cls(faults, **kw)

    @classmethod
    def periodic(cls, fault: Fault, period_s: float, *, start_s: float = 0.0, count: int | None = None,
                 **kw: Any) -> Schedule:
        fault.trigger = Every(period_s, start_s, count)
        return cls([fault], **kw)

    @classmethod
    def random(cls, duration_s: float, seed: int, probabilities: Mapping[str, float], *,
               check_every_s: float = 0.25, start_s: float = 0.5,
               params: Mapping[str, Mapping[str, Any]] | None = None, name: str = "random") -> Schedule:
        """Pre-draw fault times: at each check, each kind fires with its probability (seeded).

        A fault drawn at a check is placed in the stretch up to the next check, cut at the run's
        end: a stretch past ``duration_s`` held faults the run could never fire, and a kind drawn
        only there read "never fired" (hostile, checked every 0.2 s, drew its last check at 59.9 s
        of a 60 s run and placed a ``coordinator_contention`` at 60.07 s). The cut draws the same
        random numbers, so only the last check's faults move, and only where the checks do not
        divide the run (0.25 s and 0.5 s checks of a whole-second run end at its end)."""
        if not (math.isfinite(check_every_s) and check_every_s > 0):
            raise UsageError(f"check_every_s must be a positive number of seconds, got {check_every_s!r}")
        checks = (duration_s - start_s) / check_every_s
        if probabilities and checks > MAX_SCHEDULE_CHECKS:
            raise UsageError(
                f"a {duration_s:g} s run checked every {check_every_s:g} s draws {checks:.3g} fault "
                f"checks before it starts (limit {MAX_SCHEDULE_CHECKS:.0e}); shorten the run or raise "
                "the profile's check_every_s")
        rng = random.Random(f"schedule:{seed}")
        faults: list[Fault] = []
        t = start_s
        while t < duration_s:
            for kind in sorted(probabilities):
                if rng.random() < probabilities[kind]:
                    faults.append(_draw(kind, params, rng, t, min(check_every_s, duration_s - t)))
            t += check_every_s
        faults.sort(key=lambda f: f.trigger.time)  # type: ignore[attr-defined]
        return cls(faults, name=name, seed=seed, duration_s=duration_s,
                   asked={k: float(p) for k, p in sorted(probabilities.items()) if p > 0})

    def with_at_least_one(self, kind: str, params: Mapping[str, Mapping[str, Any]] | None = None,
                          *, start_s: float = 0.5) -> tuple[Schedule, Fault | None]:
        """This schedule, or a copy with one ``kind`` fault added when it has none (the added
        fault, else None). Its time and ``[lo, hi]`` parameters are drawn from the schedule's seed,
        in the first half of the run, so the same seed adds the same fault.

        A random schedule may draw no fault of a kind at all (a 60 s default schedule draws no
        ``coordinator_contention`` at 1 seed in ~100): a run meant to show a bug that only that
        kind reveals (``run --mutant``) would then show nothing, and say nothing of why.
        """
        if any(f.kind == kind for f in self.faults):
            return self, None
        duration = self.duration_s if self.duration_s is not None else 2 * start_s + 1.0
        rng = random.Random(f"at-least-one:{kind}:{self.seed}")
        window = max(duration / 2 - start_s, 0.0)
        fault = _draw(kind, params, rng, start_s, window)
        fault.fault_id = f"{kind}#added"
        faults = sorted([*self.faults, fault], key=lambda f: getattr(f.trigger, "time", 0.0))
        return dataclasses.replace(self, faults=faults), fault

    def with_outages(self, count: int, duration_s: tuple[float, float], *, start_s: float = 0.5,
                     whole_run: bool = False) -> Schedule:
        """This schedule with ``count`` device dropouts of ``duration_s`` (``[lo, hi]``, drawn) added,
        the k-th drawn to start and end in the k-th of ``count`` equal slices of the run's third
        quarter (``whole_run``: of the whole run from ``start_s``, as a soak has them, so an hour's
        give-ups come all along it and not in one quarter of it); drawn from their own seeded
        stream, so the profile's other draws are the same.
        The first half is left to the profile's draws and to a fault ``with_at_least_one`` adds
        there: an outage, and the FAILED state its give-up leaves, over the one ``input_starved``
        fault that reveals ``ignores_starved_input`` hid it at 5 seeds of 10.

        Why: a built-in profile's dropouts last under a second, which a recovery rides out; a
        recovery that gives up (FAILED, announced by ``recovery_failed``) was reached only where an
        operator's ``recover()`` happened to land inside one (2 seeds in 10 of a 60 s default
        run), so a system that hid its give-ups passed the other 8. An outage longer than the
        recovery policy's attempts makes the give-up path part of the run. Dropouts of the same
        device that overlap an outage are left out: a dropout's end gives its device back whatever
        else holds it away, so one would end the outage early. Operator calls that move the whole
        system (``OUTAGE_CLEAR_KINDS``) from an outage's start until ``OUTAGE_RECOVERY_TAIL_S`` after
        its end are left out too: a ``stop()`` there ends the recovery before it gives up, and the
        ``start()`` after it fails with the device away (FAILED, not a give-up), so the run shows
        no give-up at all (seed 4 of a 60 s run did so with both its outages)."""
        if count <= 0 or self.duration_s is None:
            return self
        first = start_s if whole_run else max(self.duration_s / 2, start_s)
        last = self.duration_s if whole_run else 0.75 * self.duration_s
        outages = _one_per_slice("dropout", "outage", count, duration_s, random.Random(f"outage:{self.seed}"),
                                 first, last)
        spans = [(o.target, o.trigger.time, o.trigger.time + o.duration_s) for o in outages]  # type: ignore[attr-defined]

        def overlaps(f: Fault) -> bool:
            t = getattr(f.trigger, "time", None)
            if t is None:
                return False
            if f.kind in OUTAGE_CLEAR_KINDS:
                return any(a <= t <= b + OUTAGE_RECOVERY_TAIL_S for _, a, b in spans)
            if f.kind != "dropout":
                return False
            end = t + float(getattr(f, "duration_s", 0.0))
            return any(f.target == target and t <= b and end >= a for target, a, b in spans)

        faults = sorted([*(f for f in self.faults if not overlaps(f)), *outages],
                        key=lambda f: getattr(f.trigger, "time", 0.0))
        return dataclasses.replace(self, faults=faults)

    def with_starvations(self, count: int, duration_s: tuple[float, float], *, start_s: float = 0.5,
                         whole_run: bool = False) -> Schedule:
        """This schedule with ``count`` ``input_starved`` faults of ``duration_s`` (``[lo, hi]``,
        drawn) added, the k-th in the k-th of ``count`` equal slices of the run's first half (of the
        whole run from ``start_s``: a soak's), drawn from their own seeded stream, so the
        profile's other draws are the same.

        Why: no built-in profile starves an input, so a plain run never asked whether a starved
        input is noticed (``starved_input``) nor whether the input flows again once fed: batch 56's
        ``starved_last_device_wins`` (a starved input under a healthy output device delivers input
        as ever) and ``feed_input_keeps_starving`` (a fed device stays starved) passed every plain
        run. Each lasts longer than the watchdog's bound at the default configuration (~0.1 s), so
        the system owes a stall report for it. The first half: the ``outages`` profile's third
        quarter is its outages'."""
        if count <= 0 or self.duration_s is None:
            return self
        last = self.duration_s if whole_run else self.duration_s / 2
        added = _one_per_slice("input_starved", "starve", count, duration_s, random.Random(f"starve:{self.seed}"),
                               start_s, last)
        faults = sorted([*self.faults, *added], key=lambda f: getattr(f.trigger, "time", 0.0))
        return dataclasses.replace(self, faults=faults)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "seed": self.seed, "duration_s": self.duration_s,
                "asked": dict(self.asked), "unsupported": self.unsupported,
                "faults": [f.to_dict() for f in self.faults]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Schedule:
        return cls([fault_from_dict(f) for f in d.get("faults", [])], name=d.get("name", "custom"),
                   seed=int(d.get("seed", 0)), duration_s=d.get("duration_s"),
                   asked=dict(d.get("asked") or {}), unsupported=int(d.get("unsupported", 0)))


def _draw(kind: str, params: Mapping[str, Mapping[str, Any]] | None, rng: random.Random,
          t: float, span_s: float) -> Fault:
    """One ``kind`` fault at a time drawn in ``t .. t + span_s``, its ``[lo, hi]`` parameter
    ranges drawn too (the order of draws is part of every seeded schedule: keep it)."""
    p = dict((params or {}).get(kind, {}))
    for key, value in list(p.items()):  # [lo, hi] ranges are drawn per fault
        if isinstance(value, (list, tuple)) and len(value) == 2 \
                and all(isinstance(v, (int, float)) for v in value):
            lo, hi = value
            p[key] = rng.randint(lo, hi) if isinstance(lo, int) and isinstance(hi, int) \
                else rng.uniform(lo, hi)
    fault = fault_from_dict({"kind": kind, **p})
    fault.trigger = At(round(t + rng.uniform(0, span_s), 6))
    return fault


def _one_per_slice(kind: str, name: str, count: int, duration_s: tuple[float, float], rng: random.Random,
                   first: float, last: float) -> list[Fault]:
    """``count`` ``kind`` faults of ``duration_s`` (``[lo, hi]``, drawn), the k-th at a time drawn
    in the k-th of ``count`` equal slices of ``first .. last`` (ending within it), named
    ``kind#name<k>``: the outages' and the starved inputs' placement, each from its own stream."""
    lo, hi = duration_s
    slice_s = max(last - first, 0.0) / count
    faults = []
    for k in range(count):
        fault = _draw(kind, {kind: {"duration_s": [float(lo), float(hi)]}}, rng,
                      first + k * slice_s, max(slice_s - float(hi), 0.0))
        fault.fault_id = f"{kind}#{name}{k + 1}"
        faults.append(fault)
    return faults


__all__ = ["MAX_SCHEDULE_CHECKS", "OUTAGE_CLEAR_KINDS", "OUTAGE_RECOVERY_TAIL_S", "Schedule"]
