"""The functions a whole command's samples fall in, from a py-spy raw profile: the largest by
self time (the innermost frame) and by cumulative time (the function anywhere on the stack, once
per sample), over every sample of the process, not only the simulation's.

    .venv/bin/py-spy record -r 50 -f raw -o soak.raw -- .venv/bin/python -m harness.cli soak ...
    .venv/bin/python bench/pyspy_top.py soak.raw [--top 10]

Why beside ``bench/pyspy_parts.py`` and ``bench/pyspy_funcs.py``: those charge samples to the
parts they name (``pyspy_funcs`` to the simulation's only), so a function outside every named part
(the recorder's, the end's, a helper called from several parts) is never ranked against the rest.
This ranks every function the same way, to find the next cost before naming it as a part. py-spy
samples wall time: on a loaded machine a line making a system call also collects the time the
process waited for a core after it (``bench/cpu_parts.py`` weighs by thread CPU instead).
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path


def top_functions(raw: Path) -> tuple[int, collections.Counter[str], collections.Counter[str]]:
    """(all samples, samples by innermost function, samples by function anywhere on the stack)
    of a raw profile: one line per stack, ``frame (file:line);frame ... COUNT``."""
    total = 0
    self_fn: collections.Counter[str] = collections.Counter()
    cumulative: collections.Counter[str] = collections.Counter()
    for line in raw.read_text().splitlines():
        if not line.strip():
            continue
        stack, _, count_text = line.rstrip().rpartition(" ")
        count = int(count_text)
        total += count
        if not stack:
            continue
        names = [_function(frame) for frame in stack.split(";")]
        self_fn[names[-1]] += count
        for name in set(names):
            cumulative[name] += count
    return total, self_fn, cumulative


def _function(frame: str) -> str:
    """``name (file:line)`` as ``name (file)``: a function's samples from all its lines together."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rpartition(":")[0] or where.rstrip(")")
    return f"{name} ({Path(path).name})" if path else name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("raw", type=Path, help="a py-spy profile recorded with -f raw")
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    if not args.raw.is_file():
        print(f"{args.raw}: no such file; give a py-spy profile recorded with -f raw", file=sys.stderr)
        raise SystemExit(2)
    total, self_fn, cumulative = top_functions(args.raw)
    if not total:
        print(f"{args.raw}: no samples; record the profile with py-spy record -f raw", file=sys.stderr)
        raise SystemExit(2)
    print(f"{total} samples")
    for title, counter in (("self (innermost frame)", self_fn), ("cumulative (anywhere on the stack)", cumulative)):
        print(f"-- {title}, share of all samples")
        for name, count in counter.most_common(args.top):
            print(f"{100 * count / total:5.1f} %  {name}")


if __name__ == "__main__":
    main()
