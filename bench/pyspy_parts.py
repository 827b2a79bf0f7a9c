"""Where a simulated run's or soak's time goes, from a py-spy raw profile.

Record one with::

    PYTHONPATH=$PWD .venv/bin/py-spy record [--gil] -r 200 -f raw -o soak.raw -- \\
        .venv/bin/python -m harness.cli soak --backend sim --duration 1h --seed 3 --no-progress --run-dir DIR

then ``.venv/bin/python bench/pyspy_parts.py soak.raw``. Each sample inside the simulation
(``VirtualClock.run_until``) is charged to the innermost of the parts below that its stack holds;
a sample outside the simulation to the outermost of the end-of-run phases. The parts are the
rows of bench/RESULTS.md's breakdowns (issue #17), so that successive rounds compare like with like.
py-spy samples wall time: under load it over-charges lines that make system calls, so compare
CPU time (``/usr/bin/time``) for before/after figures and use this for the shares.
"""

from __future__ import annotations

import argparse
import collections
from pathlib import Path

#: (innermost frame name, the part it stands for), inside the simulation
SIMULATION_PARTS: tuple[tuple[str, str], ...] = (
    ("AudioCheck._process", "listening check: analysis of a window / stretch of sound"),
    ("AudioCheck._on_block", "listening check: audio tap, one block"),
    ("AudioCheck._on_blocks", "listening check: audio tap, a stretch"),
    ("FaultInjector._fire", "fault injector"),
    ("Recoverer._attempt", "recovery attempts"),
    ("AudioSystem._supervise", "supervisor"),
    ("AudioSystem._quiet_pass", "watchdog quiet pass"),
    ("History.record", "history records"),
    ("Pipeline.begin_stretch", "begin_stretch"),
    ("Pipeline.stretch_block", "stretch_block"),
    ("Pipeline.end_stretch", "end_stretch"),
    ("Pipeline.callback", "Pipeline.callback (block by block)"),
    ("SimulatedStream._deliver_stretch", "device: _deliver_stretch"),
    ("SimulatedStream._deliver", "device: _deliver"),
    ("SimulatedStream._tick", "device: _tick"),
    ("VirtualClock.advance_to_next", "clock: advance_to_next"),
    ("VirtualClock.call_later", "clock: call_later"),
    ("VirtualClock.run_until", "clock: event loop itself"),
)

#: outermost frame names of the phases outside the simulation
OUTSIDE_PARTS: tuple[str, ...] = ("_Recorder.__call__", "check_all", "write_reports", "Thread.run",
                                  "_find_and_load", "AudioSystem._build", "ReliabilityRun._judge")


def breakdown(raw: Path) -> tuple[int, int, collections.Counter[str], collections.Counter[str]]:
    """(all samples, samples in the simulation, simulation parts, outside parts) of a raw profile:
    one line per stack, ``frame (file:line);frame ...  COUNT``."""
    part_of = dict(SIMULATION_PARTS)
    total = simulation = 0
    inside: collections.Counter[str] = collections.Counter()
    outside: collections.Counter[str] = collections.Counter()
    for line in raw.read_text().splitlines():
        if not line.strip():
            continue
        stack, _, count_text = line.rstrip().rpartition(" ")  # a bare count: a sample with no stack
        count = int(count_text)
        frames = [frame.split(" (")[0] for frame in stack.split(";")]
        total += count
        if "VirtualClock.run_until" in frames:
            simulation += count
            part = next((part_of[f] for f in reversed(frames) if f in part_of), None)
            inside[part or "clock: event loop itself"] += count
        else:
            outside[next((f for f in frames if f in OUTSIDE_PARTS), "other (outside the simulation)")] += count
    return total, simulation, inside, outside


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("raw", type=Path, help="a py-spy profile recorded with -f raw")
    args = parser.parse_args()
    total, simulation, inside, outside = breakdown(args.raw)
    if not total:
        raise SystemExit(f"{args.raw}: no samples")
    print(f"simulation: {simulation} of {total} samples ({100 * simulation / total:.1f} %)")
    for part, count in inside.most_common():
        print(f"{100 * count / max(simulation, 1):5.1f} %  {part}")
    print("outside the simulation, share of all samples:")
    for part, count in outside.most_common():
        print(f"{100 * count / total:5.1f} %  {part}")


if __name__ == "__main__":
    main()
