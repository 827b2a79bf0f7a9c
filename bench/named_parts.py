"""Any functions' thread CPU in a soundcheck command, named on the command line:
``bench/cpu_parts.py``'s weighing (thread CPU time of each outermost call) over the parts given.

    PYTHONPATH=$PWD .venv/bin/python bench/named_parts.py \\
        --part harness.audio_check:AudioCheck._process --part harness.analysis:analyze_glitches \\
        -- soak --backend sim --duration 10m --seed 1 --no-progress --run-dir DIR

``--part MODULE:CLASS.FUNCTION`` (a method) or ``--part MODULE:FUNCTION`` (a module function,
rebound in every module that imported it), as many as wanted; ``--`` ends them, the soundcheck
command follows. At exit the process's CPU and each part's seconds and calls go to stderr. A part
named wrongly exits 2 naming it. Why a script of its own: ``cpu_parts.py``'s parts are fixed so
its rows compare run to run; this weighs the inside of one of them (a function called per block
costs two clock reads a call, ~0.5 us: weigh those apart). A benchmark: it prints figures and
never fails on a slow machine.
"""

from __future__ import annotations

import atexit
import importlib
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cpu_parts  # noqa: E402 - the bench folder's own module, found by the line above


def parse_parts(argv: list[str]) -> tuple[tuple[tuple[str, str | None, str], ...], list[str]]:
    """The ``--part`` specs before ``--`` as ``cpu_parts`` parts, and the command after it."""
    if "--" not in argv:
        raise ValueError("give the parts, then '--' and the soundcheck command")
    cut = argv.index("--")
    head, command = argv[:cut], argv[cut + 1:]
    parts: list[tuple[str, str | None, str]] = []
    it = iter(head)
    for flag in it:
        spec = next(it, None)
        if flag != "--part" or spec is None or ":" not in spec:
            raise ValueError(f"{flag} {spec or ''}: each part is '--part MODULE:CLASS.FUNCTION' or '--part MODULE:FUNCTION'")
        module, _, name = spec.partition(":")
        owner, _, func = name.rpartition(".")
        parts.append((module, owner or None, func))
    if not parts or not command:
        raise ValueError("give at least one --part and a soundcheck command after '--'")
    return tuple(parts), command


def check_parts(parts: tuple[tuple[str, str | None, str], ...]) -> None:
    """Raise ValueError naming the first part that does not exist."""
    for module_name, owner_name, func_name in parts:
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise ValueError(f"--part {module_name}: no such module ({exc})") from None
        owner = getattr(module, owner_name, None) if owner_name else module
        if owner is None or not callable(getattr(owner, func_name, None)):
            where = f"{module_name}:{owner_name + '.' if owner_name else ''}{func_name}"
            raise ValueError(f"--part {where}: no such function")


def main(argv: list[str]) -> int:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as soundcheck sets it: before numpy loads
    try:
        parts, command = parse_parts(argv)
        check_parts(parts)
    except ValueError as exc:
        print(f"named_parts: {exc}", file=sys.stderr)
        return 2
    weigher = cpu_parts.Weigher()
    weigher.install(parts)
    atexit.register(lambda: print(weigher.table(), file=sys.stderr))
    from harness.cli import main as soundcheck  # noqa: PLC0415 - after the parts are wrapped

    return soundcheck(command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
