"""Where a soundcheck command's CPU goes: each part's thread CPU time, measured, not sampled.

    PYTHONPATH=$PWD .venv/bin/python bench/cpu_parts.py soak --backend sim --duration 1h --seed 1 \\
        --no-progress --run-dir DIR

runs the command (anything ``soundcheck`` takes) with the functions of ``PARTS`` wrapped: each
outermost call (a part called from inside itself is counted once) adds the thread CPU time it
took (``time.thread_time``) to its part, on whichever thread it runs. At exit it prints the
process's CPU (user + sys) and each part's seconds and calls to stderr. Parts nest (the analysis
is inside the listening check's ``_process``, which is inside the event loop): read each row as
"of which".

Why not py-spy alone (``bench/pyspy_parts.py``): py-spy samples wall time, so on a loaded machine
a line that makes a system call collects the time the process waited for a core after it. In a
1-hour soak at load 11-17 the thread-CPU clock read at the start of ``Pipeline.begin_stretch``
held 12 % of the simulation's samples; the read costs 0.25 us of CPU, and the whole of
``begin_stretch`` was 1.9 s of the soak's 34 s of CPU, most of it the filter (bench/RESULTS.md,
issue #17). Use py-spy to find lines, this to weigh parts.

Cost: two clock reads a wrapped call (~0.5 us), so functions called per block are left out of
``PARTS`` (``Pipeline.callback`` is there: on a virtual clock most blocks go by stretches).
The stream's stretch delivery is found by the wrapped ``Pipeline.callback``'s name, which the
wrapper keeps (``functools.wraps``).
"""

from __future__ import annotations

import atexit
import collections
import functools
import importlib
import os
import resource
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

#: (module, class or None for a module function, function): the parts weighed
PARTS: tuple[tuple[str, str | None, str], ...] = (
    ("system_under_test.clock", "VirtualClock", "run_until"),
    ("system_under_test.devices.simulated", "SimulatedStream", "_deliver_stretch"),
    ("harness.audio_check", "AudioCheck", "_process"),
    ("harness.analysis", None, "analyze_glitches"),
    ("system_under_test.pipeline", "Pipeline", "begin_stretch"),
    ("system_under_test.dsp", "_GainBiquadLimiter", "filter_blocks"),
    ("system_under_test.pipeline", "Pipeline", "callback"),
    ("harness.faults.injector", "FaultInjector", "_fire"),
    ("harness.history", "History", "record"),
    ("harness.soak", "_Recorder", "__call__"),
    ("threading", "Thread", "run"),
    ("harness.invariants", None, "check_all"),
    ("harness.reports", None, "write_reports"),
)


class Weigher:
    """Thread CPU seconds and outermost calls of each wrapped function."""

    def __init__(self, clock: Callable[[], float] = time.thread_time) -> None:
        self.clock = clock
        self.seconds: collections.Counter[str] = collections.Counter()
        self.calls: collections.Counter[str] = collections.Counter()
        self._inside = threading.local()

    def wrap(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        """``func`` with its outermost calls on each thread timed under ``name``."""
        inside, clock, seconds, calls = self._inside, self.clock, self.seconds, self.calls

        @functools.wraps(func)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if getattr(inside, name, False):
                return func(*args, **kwargs)
            setattr(inside, name, True)
            t0 = clock()
            try:
                return func(*args, **kwargs)
            finally:
                seconds[name] += clock() - t0
                calls[name] += 1
                setattr(inside, name, False)

        return timed

    def install(self, parts: tuple[tuple[str, str | None, str], ...] = PARTS) -> None:
        """Wrap every part in place; a module function is rebound in every module that imported it."""
        for module_name, owner_name, func_name in parts:
            module = importlib.import_module(module_name)
            owner: Any = getattr(module, owner_name) if owner_name else module
            original = getattr(owner, func_name)
            label = f"{owner_name}.{func_name}" if owner_name else func_name
            timed = self.wrap(label, original)
            setattr(owner, func_name, timed)
            if owner_name is None:
                for other in list(sys.modules.values()):
                    if other is not None and getattr(other, func_name, None) is original:
                        setattr(other, func_name, timed)

    def table(self) -> str:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        rows = [f"process CPU {usage.ru_utime + usage.ru_stime:.2f} s (user {usage.ru_utime:.2f}, sys {usage.ru_stime:.2f})"]
        for name, s in sorted(self.seconds.items(), key=lambda kv: -kv[1]):
            rows.append(f"{s:9.2f} s {self.calls[name]:9d} calls  {name}")
        return "\n".join(rows)


def main(argv: list[str]) -> int:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as soundcheck sets it: before numpy loads
    weigher = Weigher()
    weigher.install()
    atexit.register(lambda: print(weigher.table(), file=sys.stderr))
    from harness.cli import main as soundcheck  # noqa: PLC0415 - after the parts are wrapped

    return soundcheck(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
