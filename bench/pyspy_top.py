"""The functions a whole command's samples fall in, from a py-spy raw profile: the largest by
self time (the innermost frame) and by cumulative time (the function anywhere on the stack, once
per sample), over every sample of the process, not only the simulation's.

    .venv/bin/py-spy record -r 50 -f raw -o soak.raw -- .venv/bin/python -m harness.cli soak ...
    .venv/bin/python bench/pyspy_top.py soak.raw [--top 10] [--groups]

Why beside ``bench/pyspy_parts.py`` and ``bench/pyspy_funcs.py``: those charge samples to the
parts they name (``pyspy_funcs`` to the simulation's only), so a function outside every named part
(the recorder's, the end's, a helper called from several parts) is never ranked against the rest.
This ranks every function the same way, to find the next cost before naming it as a part. py-spy
samples wall time: on a loaded machine a line making a system call also collects the time the
process waited for a core after it (``bench/cpu_parts.py`` weighs by thread CPU instead).

``--groups`` also charges each sample to the innermost of its frames that belongs to one of
``GROUPS`` (issue #17's breakdown of a soak: the event loop, the supervisor, DSP, the device
simulation, history writing, the live checks, the leak sampler, the fault injector, and the rest a
soak does), so the groups' shares do not overlap and add up to all samples with "other". Innermost,
because a group's work calls into another's (the injector's firing records into the history; the
device's delivery runs the DSP): the called group is charged for its own part.
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
    for stack, count in _stacks(raw):
        total += count
        if not stack:
            continue
        names = [_function(frame) for frame in stack.split(";")]
        self_fn[names[-1]] += count
        for name in set(names):
            cumulative[name] += count
    return total, self_fn, cumulative


#: (group, the function names, as py-spy writes a frame's name, that belong to it); the native
#: collector's frame is a group of its own, charged wherever it ran
GROUPS: tuple[tuple[str, frozenset[str]], ...] = tuple((group, frozenset(names)) for group, names in (
    ("cyclic garbage collector", ("gc_collect_main",)),
    ("leak sampler", ("ResourceSampler.sample",)),
    ("history writing", ("History.record", "History._add", "History._record_transition", "History._on_transition",
                         "History._on_event", "History._write_pending", "History.fault_started",
                         "History.fault_ended")),
    ("live invariant checks", ("LiveChecker.check", "LiveChecker._on_transition")),
    ("journal checkpoint", ("_Recorder._checkpoint",)),
    ("listening check (analysis and tap)", ("AudioCheck._on_block", "AudioCheck._on_blocks", "AudioCheck._process",
                                            "AudioCheck.finish")),
    ("DSP (pipeline callback and stretches)", ("Pipeline.callback", "Pipeline.begin_stretch",
                                               "Pipeline.stretch_blocks", "Pipeline.end_stretch")),
    ("recovery attempts", ("Recoverer._attempt",)),
    ("supervisor", ("AudioSystem._supervise", "AudioSystem.poll", "AudioSystem._quiet_passes",
                    "AudioSystem._quiet_pass")),
    ("fault injector (firing, storms, contention threads)", ("FaultInjector._fire", "Thread.run")),
    ("device simulation", ("SimulatedStream._tick", "SimulatedStream._deliver_stretch", "SimulatedStream._deliver")),
    ("event loop (virtual clock)", ("VirtualClock.run_until", "VirtualClock.advance_to_next",
                                    "VirtualClock.call_later", "VirtualClock.advance_along_deferring",
                                    "VirtualClock.quiet_until")),
    ("end-of-run checks (check_all)", ("check_all",)),
    ("reports", ("write_reports",)),
    ("start-up imports", ("_find_and_load",)),
))


def group_shares(raw: Path) -> tuple[int, collections.Counter[str]]:
    """(all samples, samples by group): each sample charged to the innermost frame of it that
    belongs to a group of ``GROUPS``, else to ``other``."""
    group_of = {name: group for group, names in GROUPS for name in names}
    total = 0
    shares: collections.Counter[str] = collections.Counter()
    for stack, count in _stacks(raw):
        total += count
        names = [frame.partition(" (")[0] for frame in stack.split(";")] if stack else []
        shares[next((group_of[n] for n in reversed(names) if n in group_of), "other")] += count
    return total, shares


def _stacks(raw: Path) -> list[tuple[str, int]]:
    """(stack, samples) per line of a raw profile: ``frame (file:line);frame ... COUNT``."""
    out = []
    for line in raw.read_text().splitlines():
        if line.strip():
            stack, _, count_text = line.rstrip().rpartition(" ")
            out.append((stack, int(count_text)))
    return out


def _function(frame: str) -> str:
    """``name (file:line)`` as ``name (file)``: a function's samples from all its lines together."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rpartition(":")[0] or where.rstrip(")")
    return f"{name} ({Path(path).name})" if path else name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("raw", type=Path, help="a py-spy profile recorded with -f raw")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--groups", action="store_true",
                        help="also each sample charged to the innermost of its frames in GROUPS")
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
    if args.groups:
        print("-- groups (each sample charged to its innermost frame in a group), share of all samples")
        for group, count in group_shares(args.raw)[1].most_common():
            print(f"{100 * count / total:5.1f} %  {group}")


if __name__ == "__main__":
    main()
