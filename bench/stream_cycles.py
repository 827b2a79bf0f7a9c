"""Which reference cycles a simulated soak leaves to Python's cycle collector, and the edges that close them.

    PYTHONPATH=$PWD .venv/bin/python bench/stream_cycles.py [--at-s 120] [--top 30] \
        -- soak --backend sim --duration 3m --faults default --seed 69101 --no-progress --run-dir DIR

The soak is ``harness.cli.main`` with the arguments after ``--``, run in this process with
``gc.DEBUG_SAVEALL`` set, so that everything the collector finds unreachable is kept in
``gc.garbage`` instead of freed. At ``--at-s`` simulated seconds (the soak recorder's chunk hook,
``harness.soak._Recorder.__call__``, is wrapped) the probe collects and prints:

- the garbage by type, the most numerous first: what the cycles are made of;
- the edges between garbage objects, by ``SourceType.attribute -> TargetType`` (an instance's
  attribute, a frame's local, a bound method's ``__self__``, a closure cell's contents, an
  exception's ``__traceback__``, a traceback's ``tb_frame``...), the most numerous first: the
  edge that closes a cycle is one that leads back to an object that already reaches its source.

Why the simulated clock: the probe reads the garbage at a fixed simulated time, so two runs of one
seed read the same cycles (the wall clock would move the reading on a loaded machine).
"""

from __future__ import annotations

import argparse
import collections
import gc
import sys
import types
from typing import Any, Iterator


def _labelled_referents(obj: Any) -> Iterator[tuple[str, Any]]:
    """The objects ``obj`` refers to, each with the name of the edge: what ``gc.get_referents``
    gives, named where the object says how (attributes, frame locals, cells, traceback links)."""
    named: dict[int, str] = {}
    if isinstance(obj, types.FrameType):
        for k, v in obj.f_locals.items():
            named.setdefault(id(v), f"local {k}")
        named.setdefault(id(obj.f_back), "f_back")
    elif isinstance(obj, types.TracebackType):
        named[id(obj.tb_frame)] = "tb_frame"
        named.setdefault(id(obj.tb_next), "tb_next")
    elif isinstance(obj, BaseException):
        named[id(obj.__traceback__)] = "__traceback__"
        named.setdefault(id(obj.__context__), "__context__")
        named.setdefault(id(obj.__cause__), "__cause__")
        named.setdefault(id(obj.args), "args")
    elif isinstance(obj, types.MethodType):
        named[id(obj.__self__)] = "__self__"
        named[id(obj.__func__)] = "__func__"
    elif isinstance(obj, types.CellType):
        try:
            named[id(obj.cell_contents)] = "cell_contents"
        except ValueError:
            pass
    elif isinstance(obj, types.FunctionType):
        for cell in obj.__closure__ or ():
            named[id(cell)] = "__closure__"
    elif isinstance(obj, dict):
        for k, v in obj.items():
            named.setdefault(id(v), f"[{k!r}]"[:40])
    elif isinstance(obj, (list, tuple, set, frozenset, collections.deque)):
        pass
    else:
        attrs = getattr(obj, "__dict__", None)
        if isinstance(attrs, dict):
            for k, v in attrs.items():
                named.setdefault(id(v), f".{k}")
            named.setdefault(id(attrs), ".__dict__")
        for k in getattr(type(obj), "__slots__", ()):
            if hasattr(obj, k):
                named.setdefault(id(getattr(obj, k)), f".{k}")
    for r in gc.get_referents(obj):
        yield named.get(id(r), "[item]"), r


def _type_name(obj: Any) -> str:
    t = type(obj)
    if isinstance(obj, types.FrameType):
        return f"frame({obj.f_code.co_name})"
    if isinstance(obj, types.MethodType):
        return f"method({obj.__func__.__qualname__})"
    if isinstance(obj, types.FunctionType):
        return f"function({obj.__qualname__})"
    return t.__qualname__


def report(garbage: list[Any], top: int) -> None:
    """Print the garbage by type and the edges among it."""
    ids = {id(o) for o in garbage}
    by_type = collections.Counter(_type_name(o) for o in garbage)
    print(f"garbage objects: {len(garbage)}")
    print("by type:")
    for name, n in by_type.most_common(top):
        print(f"  {n:7d}  {name}")
    edges: collections.Counter[tuple[str, str, str]] = collections.Counter()
    for o in garbage:
        src = _type_name(o)
        for label, r in _labelled_referents(o):
            if id(r) in ids and not isinstance(r, (type, types.ModuleType, types.CodeType)):
                edges[(src, label, _type_name(r))] += 1
    print("edges between garbage objects (source . edge -> target):")
    for (src, label, dst), n in edges.most_common(top):
        print(f"  {n:7d}  {src} {label} -> {dst}")


def main(argv: list[str]) -> int:
    if "--" not in argv:
        print("usage: stream_cycles.py [--at-s S] [--top N] -- soak ARGS...", file=sys.stderr)
        return 2
    split = argv.index("--")
    parser = argparse.ArgumentParser()
    parser.add_argument("--at-s", type=float, default=120.0)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv[:split])

    import harness.soak as soak_mod
    from harness.cli import main as cli_main

    wrapped = soak_mod._Recorder.__call__
    done = {"read": False}

    def probed(self: Any, run: Any, system: Any, history: Any) -> None:
        wrapped(self, run, system, history)
        if done["read"] or system.clock.now() < args.at_s:
            return
        done["read"] = True
        gc.collect()
        print(f"at {system.clock.now():.1f} simulated s:")
        report(gc.garbage, args.top)
        sys.stdout.flush()
        gc.garbage.clear()

    soak_mod._Recorder.__call__ = probed  # type: ignore[method-assign]
    gc.set_debug(gc.DEBUG_SAVEALL)
    code = cli_main(argv[split + 1:])
    gc.set_debug(0)
    gc.garbage.clear()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
