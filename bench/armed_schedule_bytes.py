"""What arming a profile's whole drawn schedule holds: the faults drawn, the injector's pending
timers just after ``arm()``, and the bytes ``arm()`` allocated and still holds (``tracemalloc``).

    PYTHONPATH=$PWD .venv/bin/python bench/armed_schedule_bytes.py --seed S --duration-s D [--profile P] [--clock real]

Why: a soak's schedule is drawn for the whole run before it starts; whatever arming holds per
fault is freed as each fires, so it drains through the soak at the firing rate and is read by
the leak judge as the heap shrinking (bench/RESULTS.md, issue #11). Run it on two trees to
compare. ``--clock real``: the injector on a real clock's path (no ``call_at``, not virtual: its
timers on its own scheduler thread, as on the rig or a PortAudio device), over a stand-in system
that has only a clock, and that clock held at 0 s: nothing is opened and nothing fires while it
measures, however long a loaded machine takes to arm. Bad input: exit 2, a message, nothing run.
"""

from __future__ import annotations

import argparse
import sys
import tracemalloc
from typing import Any


class _Usage(Exception):
    pass


class _ClockOnly:
    """A stand-in system for arming on a real clock: the injector asks it for its clock alone."""

    def __init__(self, clock: Any) -> None:
        self.clock = clock


def _held_clock() -> Any:
    """A real clock (the injector runs its own scheduler thread for it) that stays at 0 s."""
    from system_under_test.clock import Clock

    class Held(Clock):
        def now(self) -> float:
            return 0.0

        def sleep(self, seconds: float) -> None:
            raise RuntimeError("the held clock never moves")

    return Held()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _Usage(message)


def main(argv: list[str]) -> int:
    p = _Parser(prog="armed_schedule_bytes.py")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--duration-s", type=float, required=True)
    p.add_argument("--profile", default="default")
    p.add_argument("--clock", choices=("virtual", "real"), default="virtual")
    try:
        a = p.parse_args(argv)
        if a.seed < 0 or not 0 < a.duration_s <= 7 * 86_400:
            raise _Usage("--seed must be >= 0 and --duration-s within 0..604800")
        from harness.faults import PROFILES
        if a.profile not in PROFILES:
            raise _Usage(f"--profile {a.profile!r}: not a profile; give one of {', '.join(PROFILES)}")
    except _Usage as exc:
        print(f"armed_schedule_bytes: {exc}", file=sys.stderr)
        return 2
    from harness.faults import FaultInjector, profile_schedule
    from harness.faults.targets import UncontrolledDevice
    from harness.stateful import BASE_CONFIG
    from system_under_test import AudioSystem

    schedule = profile_schedule(a.profile, a.duration_s, a.seed)
    if a.clock == "real":
        system: Any = _ClockOnly(_held_clock())
        injector = FaultInjector(system, schedule, seed=a.seed, target=UncontrolledDevice())
    else:
        system = AudioSystem(BASE_CONFIG, seed=a.seed)
        system.initialize()
        system.start()
        injector = FaultInjector(system, schedule, seed=a.seed)
    try:
        tracemalloc.start(1)
        before = tracemalloc.get_traced_memory()[0]
        injector.arm()
        held = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        print(f"profile {a.profile}, {a.duration_s:g} s, seed {a.seed}, {a.clock} clock: {len(schedule.faults)} faults drawn, "
              f"{injector.pending_timers} timers pending after arm(), arm() holds {held / 1e6:.3f} MB "
              f"({held / max(len(schedule.faults), 1):.0f} B a drawn fault)")
    finally:
        injector.disarm()
        if a.clock == "virtual":
            system.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
