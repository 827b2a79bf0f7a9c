"""Where the fault injector's firings spend their CPU, by fault kind: ``bench/cpu_parts.py``'s
weighing (thread CPU time of each outermost call) over ``FaultInjector._fire`` and what it calls.

    PYTHONPATH=$PWD .venv/bin/python bench/fire_parts.py \\
        soak --backend sim --duration 10m --seed 1 --no-progress --run-dir DIR

runs the soundcheck command with the injector's ``_fire``, ``_end`` and ``_tell`` (its history
records and listeners), each fault kind's own ``start`` (``<Class>.start``: what the fault does to
the system, its operations and their transitions included), the operations a fault runs
(``run_op``) and the transitions' observers wrapped, and prints the process's CPU and each part's
seconds and calls to stderr at exit. ``_fire`` less its kinds' ``start`` and its ``_tell`` is
the injector's own bookkeeping (the record, its copy for the history, the trigger's text).

Why: a 1-hour soak's ~4 400 firings cost ~4.5 s of thread CPU, ~1 ms a firing (bench/RESULTS.md,
issue #17); this says which kinds hold that millisecond and whether it is the injector's own
work or the system's answer to the fault. Parts nest: read each row as "of which". A
benchmark: it prints figures and never fails on a slow machine.
"""

from __future__ import annotations

import atexit
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cpu_parts  # noqa: E402 - the bench folder's own module, found by the line above

#: (module, class or None, function): the injector's parts and what a firing calls
PARTS: tuple[tuple[str, str | None, str], ...] = (
    ("system_under_test.clock", "VirtualClock", "run_until"),
    ("harness.faults.injector", "FaultInjector", "_fire"),
    ("harness.faults.injector", "FaultInjector", "_end"),
    ("harness.faults.injector", "FaultInjector", "_tell"),
    ("harness.faults.injector", "FaultRecord", "to_dict"),
    ("harness.history", None, "run_op"),
    ("harness.history", "History", "_on_transition"),
    ("harness.history", "History", "note_quiescent"),
    ("harness.audio_check", "AudioCheck", "_on_transition"),
    ("harness.invariants", "LiveChecker", "_on_transition"),
    ("system_under_test.system", "AudioSystem", "_route_error"),
    ("system_under_test.system", "AudioSystem", "_build"),
    ("system_under_test.system", "AudioSystem", "_teardown"),
    ("system_under_test.pipeline", "Pipeline", "__init__"),
    ("system_under_test.dsp", "DspChain", "from_config"),
)


def kind_parts() -> tuple[tuple[str, str | None, str], ...]:
    """Each fault kind's own ``start`` (a kind that defines it; not the base's, which only raises),
    weighed under its class's name."""
    from harness.faults import kinds  # noqa: PLC0415 - after the environment is set

    parts = []
    for name in dir(kinds):
        cls = getattr(kinds, name)
        if isinstance(cls, type) and issubclass(cls, kinds.Fault) and cls is not kinds.Fault and "start" in vars(cls):
            parts.append(("harness.faults.kinds", name, "start"))
    return tuple(parts)


def main(argv: list[str]) -> int:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as soundcheck sets it: before numpy loads
    weigher = cpu_parts.Weigher()
    weigher.install(PARTS)
    weigher.install(kind_parts())
    atexit.register(lambda: print(weigher.table(), file=sys.stderr))
    from harness.cli import main as soundcheck  # noqa: PLC0415 - after the parts are wrapped

    return soundcheck(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
