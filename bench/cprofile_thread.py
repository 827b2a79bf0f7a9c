"""A soundcheck command under cProfile on the thread-CPU clock, its profile dumped to a file.

    PYTHONPATH=$PWD .venv/bin/python bench/cprofile_thread.py OUT.prof \\
        soak --backend sim --duration 10m --seed 1 --no-progress --run-dir DIR

then read named functions' calls and cumulative seconds, and what they call:

    PYTHONPATH=$PWD .venv/bin/python bench/cprofile_thread.py --callees OUT.prof 'injector.py.*_fire' ...

(each pattern a ``pstats`` restriction: a regular expression on ``file:line(function)``). Why the thread-CPU clock: on a loaded
machine a wall clock charges each function with the time its process waited for a core. Only
the main thread is profiled (the contention faults' threads are not). cProfile's own cost
inflates every figure, pure-Python calls most: read it for routes and shares (what a firing
calls, and which callee holds it), weigh with ``bench/cpu_parts.py`` or ``bench/fire_parts.py``.
A benchmark: it prints figures and never fails on a slow machine.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time


def callees(path: str, patterns: list[str]) -> int:
    """Print the functions matching each pattern (their calls and cumulative seconds,
    ``pstats.Stats.print_stats``) and what they call (``print_callees``)."""
    try:
        stats = pstats.Stats(path)
    except (OSError, TypeError, EOFError, ValueError) as exc:
        print(f"cprofile_thread: {path}: not a profile this script wrote ({exc})", file=sys.stderr)
        return 2
    stats.sort_stats("cumulative")
    for pattern in patterns:
        stats.print_stats(pattern)
        stats.print_callees(pattern)
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--callees"]:
        if len(argv) < 3:
            print("cprofile_thread: --callees takes OUT.prof and at least one pattern", file=sys.stderr)
            return 2
        return callees(argv[1], argv[2:])
    if len(argv) < 2:
        print("cprofile_thread: give OUT.prof and a soundcheck command", file=sys.stderr)
        return 2
    out, command = argv[0], argv[1:]
    from harness.cli import main as soundcheck  # noqa: PLC0415 - imported before the profile starts

    profile = cProfile.Profile(time.thread_time)
    profile.enable()
    code = 1
    try:
        code = soundcheck(command)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        profile.disable()
        profile.dump_stats(out)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
