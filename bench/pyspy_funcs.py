"""Which functions and lines a simulated run's per-fault path spends its samples in, from a py-spy
raw profile (``bench/pyspy_parts.py`` gives the parts; this looks inside them).

Record a profile as ``bench/pyspy_parts.py`` says, then::

    .venv/bin/python bench/pyspy_funcs.py soak.raw [--top 40] [--part "history records" ...]

Only samples inside the simulation (``VirtualClock.run_until``) that ``pyspy_parts`` charges to
one of the chosen parts are read (by default the per-fault path: the fault injector, history
records, recovery attempts and the supervisor pass). For those it prints the share of the path's
samples each function holds *inclusively* (the function anywhere on the stack, once per sample)
and *by itself* (the innermost frame), and the innermost lines: what a change to the path's own
Python would have to shorten.
"""

from __future__ import annotations

import argparse
import collections
from pathlib import Path

from pyspy_parts import SIMULATION_PARTS

#: the parts of ``pyspy_parts`` that are the per-fault path (issue #17)
PER_FAULT_PARTS: tuple[str, ...] = ("fault injector", "history records", "recovery attempts", "supervisor")


def per_fault_samples(raw: Path, parts: tuple[str, ...]
                      ) -> tuple[int, int, collections.Counter[str], collections.Counter[str],
                                 collections.Counter[str]]:
    """(samples in the simulation, samples in ``parts``, inclusive by function, innermost by
    function, innermost by line) of a raw profile."""
    part_of = dict(SIMULATION_PARTS)
    simulation = chosen = 0
    inclusive: collections.Counter[str] = collections.Counter()
    self_fn: collections.Counter[str] = collections.Counter()
    self_line: collections.Counter[str] = collections.Counter()
    for line in raw.read_text().splitlines():
        if not line.strip():
            continue
        stack, _, count_text = line.rstrip().rpartition(" ")
        count = int(count_text)
        frames = stack.split(";")
        names = [frame.split(" (")[0] for frame in frames]
        if "VirtualClock.run_until" not in names:
            continue
        simulation += count
        part = next((part_of[f] for f in reversed(names) if f in part_of), None)
        if part not in parts:
            continue
        chosen += count
        start = max(i for i, f in enumerate(names) if f == "VirtualClock.run_until")
        for name in set(names[start + 1:]):
            inclusive[name] += count
        self_fn[names[-1]] += count
        self_line[frames[-1]] += count
    return simulation, chosen, inclusive, self_fn, self_line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("raw", type=Path, help="a py-spy profile recorded with -f raw")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--part", action="append", help="a part of pyspy_parts (repeatable; "
                        f"default: {', '.join(PER_FAULT_PARTS)})")
    args = parser.parse_args()
    parts = tuple(args.part) if args.part else PER_FAULT_PARTS
    simulation, chosen, inclusive, self_fn, self_line = per_fault_samples(args.raw, parts)
    if not chosen:
        raise SystemExit(f"{args.raw}: no samples in {', '.join(parts)}")
    print(f"{', '.join(parts)}: {chosen} of {simulation} simulation samples ({100 * chosen / simulation:.1f} %)")
    for title, counter in (("inclusive, by function", inclusive), ("innermost, by function", self_fn),
                           ("innermost, by line", self_line)):
        print(f"-- {title} (share of the path's samples)")
        for name, count in counter.most_common(args.top):
            print(f"{100 * count / chosen:5.1f} %  {name}")


if __name__ == "__main__":
    main()
