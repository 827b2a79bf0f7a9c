"""What grows in a soak's process, read at fixed points of the *simulated* clock, so that two runs of
one seed read the same objects at the same points (``rig_soak_memory.py`` samples on the wall
clock, where a loaded machine moves every reading).

    PYTHONPATH=$PWD .venv/bin/python bench/soak_growth.py OUT.jsonl [--every-s 120] [--top 20] \
        -- soak --backend sim --duration 1h --faults default --seed 69101 --no-progress --run-dir DIR

The soak is ``harness.cli.main`` with the arguments after ``--``, called from Python in this process
(so not the CLI's own path, whose modules are frozen out of the collector's reach: ``cli._load_quietly``); its
recorder's chunk hook (``harness.soak._Recorder.__call__``) is wrapped so that every ``--every-s``
simulated seconds, after the chunk's own work, the probe:

- runs ``gc.collect()`` first (a dead stream's arrays wait in a reference cycle until the
  collector's oldest generation runs, every 7-9 simulated minutes in a healthy soak: garbage is
  not what a leak is made of, and would make the holdings below jump);
- sums, for every attribute of every instance of a class defined in ``harness`` or
  ``system_under_test`` that is a list, dict, set, deque, bytes or numpy array, its length and a
  byte figure (``_bytes``: the container plus the containers and scalars in it, two levels down;
  numpy arrays by ``nbytes``, an array two attributes share counted by each), by
  ``Class.attribute`` over the instances;
- measures the soak's live checker (``_Recorder.live``, a ``LiveChecker`` and its folds): the
  bytes of every object it reaches, each once, the system and the history it reads left out;
- reads the process's RSS and glibc's heap (``mallinfo2``) and the soak's bounded-log figures
  (``leaks.log_books`` of the system and of the history: ``sut_log_bytes``, ``harness_log_bytes``).

The probe's ``gc.collect()`` changes when memory is freed, so a soak under it is for attribution,
not for its RSS verdict (the simulation is not touched: the history is the seed's).

``--tracemalloc``: Python's allocations traced (one frame) from the start, the traced bytes read at
each probe, and at the last probe the 20 source lines whose traced bytes grew most since the first
probe at or after ``--baseline-s`` (360) simulated seconds. It slows the soak several times over.

``--read OUT.jsonl [--from S]`` prints each holding's change between the probe nearest ``--from``
simulated seconds (default: 10 % of the run, the leak judge's warm-up) and the last probe, per
simulated hour, the largest first.
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import gc
import json
import sys
import tracemalloc
from pathlib import Path
from typing import Any

_OURS = ("harness.", "system_under_test.")
_CONTAINERS = (list, tuple, dict, set, frozenset, collections.deque)


def _bytes(v: Any, depth: int = 2) -> int:
    """``v``'s own bytes plus, ``depth`` levels down, its items' (dict keys and values): shared
    items (interned names, small ints) are counted each time they appear, so this is an upper
    figure for a holding's growth per item, meant for ranking, not for subtraction."""
    import numpy as np

    if isinstance(v, np.ndarray):
        return int(v.nbytes) + sys.getsizeof(v) if v.base is None else sys.getsizeof(v)
    n = sys.getsizeof(v)
    if depth <= 0:
        return n
    if isinstance(v, dict):
        for k, x in v.items():
            n += _bytes(k, depth - 1) + _bytes(x, depth - 1)
    elif isinstance(v, _CONTAINERS):
        for x in v:
            n += _bytes(x, depth - 1)
    elif not isinstance(v, (str, bytes, bytearray, int, float, bool)) and v is not None:
        slots = getattr(type(v), "__slots__", None)
        d = getattr(v, "__dict__", None)
        if isinstance(d, dict):
            n += _bytes(d, depth - 1)
        elif slots:
            n += sum(_bytes(getattr(v, s), depth - 1) for s in slots if hasattr(v, s))
    return n


def deep_bytes(root: Any, stop: tuple[Any, ...]) -> tuple[int, int]:
    """(bytes, objects) of everything ``root`` reaches (``gc.get_referents``), each object once,
    not going into ``stop``'s objects (the system and the history a checker reads), modules,
    classes and functions (shared by the process): what the checker itself keeps."""
    import types

    seen = {id(o) for o in stop}
    todo = [root]
    total = count = 0
    while todo:
        o = todo.pop()
        if id(o) in seen or isinstance(o, (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType)):
            continue
        seen.add(id(o))
        total += sys.getsizeof(o)
        count += 1
        todo.extend(gc.get_referents(o))
    return total, count


def holdings() -> dict[str, list[int]]:
    """``Class.attribute`` -> [length, bytes] summed over the live instances of our classes."""
    import numpy as np

    out: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for o in gc.get_objects():
        cls = type(o)
        module = cls.__dict__.get("__module__")
        if not (isinstance(module, str) and module.startswith(_OURS)):
            continue
        attrs = getattr(o, "__dict__", None)
        if not isinstance(attrs, dict):
            attrs = {n: getattr(o, n) for n in getattr(cls, "__slots__", ()) if hasattr(o, n)}
        for name, v in list(attrs.items()):
            if isinstance(v, np.ndarray):
                row = out[f"{cls.__name__}.{name}[array]"]
                row[0] += int(v.size)
                row[1] += int(v.nbytes)
            elif isinstance(v, (list, dict, set, collections.deque, bytes, bytearray)):
                row = out[f"{cls.__name__}.{name}"]
                row[0] += len(v)
                row[1] += _bytes(v)
    return dict(out)


def _mallinfo2() -> dict[str, int]:
    class M(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                   "fsmblks", "uordblks", "fordblks", "keepcost")]
    fn = ctypes.CDLL("libc.so.6").mallinfo2
    fn.restype = M
    m = fn()
    return {"arena": m.arena, "in_use": m.uordblks, "free": m.fordblks, "mmapped": m.hblkhd}


def run(out: Path, every_s: float, soak_args: list[str], traced: bool = False, baseline_s: float = 360.0) -> int:
    import psutil

    import harness.soak as soak_mod
    from harness.cli import main as cli_main

    proc = psutil.Process()
    snap0: list[Any] = []
    original = soak_mod._Recorder.__call__
    state = {"next": 0.0}
    fh = out.open("w")

    def probed(self: Any, run_: Any, system: Any, history: Any) -> None:
        original(self, run_, system, history)
        now = system.clock.now()
        if now + 1e-9 < state["next"]:
            return
        state["next"] = now + every_s
        gc.collect()
        from harness.leaks import log_books
        logs = {**log_books(system), **log_books(history, "harness")}
        live = getattr(self, "live", None)  # the soak's LiveChecker (``_Recorder.live``), once made
        live_bytes = deep_bytes(live, (system, history, self)) if live is not None else None
        rec = {"t": now, "live_checker": live_bytes, "rss": int(proc.memory_info().rss), "malloc": _mallinfo2(),
               "objects": len(gc.get_objects()),
               "logs": logs,
               "held": holdings()}
        if tracemalloc.is_tracing():
            rec["traced"] = tracemalloc.get_traced_memory()[0]
            if not snap0 and now >= baseline_s:
                snap0.append(tracemalloc.take_snapshot())
            elif snap0 and now + every_s > end_s + 1e-9:  # the last probe: what grew since the baseline
                diff = tracemalloc.take_snapshot().compare_to(snap0[0], "lineno")
                rec["traced_grew"] = [{"where": str(d.traceback[0]), "bytes": d.size_diff, "blocks": d.count_diff}
                                      for d in diff[:20]]
        fh.write(json.dumps(rec) + "\n")
        fh.flush()

    end_s = float("inf")
    if "--duration" in soak_args:
        from harness.durations import parse_duration
        end_s = parse_duration(soak_args[soak_args.index("--duration") + 1])
    if traced:
        tracemalloc.start(1)
    soak_mod._Recorder.__call__ = probed  # type: ignore[method-assign]
    try:
        return cli_main(soak_args)
    finally:
        soak_mod._Recorder.__call__ = original  # type: ignore[method-assign]
        fh.close()


def read(path: Path, from_s: float | None, top: int) -> None:
    recs = [json.loads(line) for line in path.open()]
    end = recs[-1]
    start_t = 0.1 * end["t"] if from_s is None else from_s
    start = min(recs, key=lambda r: abs(r["t"] - start_t))
    hours = (end["t"] - start["t"]) / 3600.0
    print(f"{path}: probes {len(recs)}, from t={start['t']:.0f} s to t={end['t']:.0f} s ({hours:.3f} h)")
    print(f"  rss {start['rss']:,} -> {end['rss']:,}: {(end['rss'] - start['rss']) / hours:,.0f} B/h")
    for k in ("arena", "in_use", "free", "mmapped"):
        a, b = start["malloc"][k], end["malloc"][k]
        print(f"  malloc {k} {a:,} -> {b:,}: {(b - a) / hours:,.0f} B/h")
    for k in ("sut_log_bytes", "harness_log_bytes"):
        a, b = start["logs"].get(k), end["logs"].get(k)
        if a is not None and b is not None:
            print(f"  {k} {a:,} -> {b:,}: {(b - a) / hours:,.0f} B/h")
    print(f"  gc objects {start['objects']:,} -> {end['objects']:,}: {(end['objects'] - start['objects']) / hours:,.0f}/h")
    if start.get("live_checker") and end.get("live_checker"):
        (a, na), (b, nb) = start["live_checker"], end["live_checker"]
        print(f"  live checker (deep, each object once) {a:,} -> {b:,} bytes ({na:,} -> {nb:,} objects): "
              f"{(b - a) / hours:,.0f} B/h; most {max(r['live_checker'][0] for r in recs if r.get('live_checker')):,}")
    if "traced" in start and "traced" in end:
        print(f"  tracemalloc traced {start['traced']:,} -> {end['traced']:,}: "
              f"{(end['traced'] - start['traced']) / hours:,.0f} B/h")
        for g in end.get("traced_grew", [])[:top]:
            print(f"    {g['bytes']:>12,} B {g['blocks']:>8,} blocks  {g['where']}")
    keys = set(start["held"]) | set(end["held"])
    rows = []
    for k in keys:
        a = start["held"].get(k, [0, 0])
        b = end["held"].get(k, [0, 0])
        rows.append((b[1] - a[1], b[0] - a[0], k, a, b))
    rows.sort(key=lambda r: -abs(r[0]))
    print(f"  {'holding':48s} {'length':>17s} {'bytes (2 levels)':>25s} {'B/h':>12s} {'items/h':>10s}")
    for db, dn, k, a, b in rows[:top]:
        print(f"  {k:48s} {a[0]:>8,}->{b[0]:<8,} {a[1]:>12,}->{b[1]:<12,} {db / hours:>12,.0f} {dn / hours:>10,.0f}")


def main() -> int:
    argv = sys.argv[1:]
    p = argparse.ArgumentParser()
    p.add_argument("out", type=Path)
    p.add_argument("--every-s", type=float, default=120.0)
    p.add_argument("--read", action="store_true")
    p.add_argument("--from", dest="from_s", type=float, default=None)
    p.add_argument("--top", type=int, default=20)
    p.add_argument("--tracemalloc", action="store_true")
    p.add_argument("--baseline-s", type=float, default=360.0)
    if "--" in argv:
        cut = argv.index("--")
        a = p.parse_args(argv[:cut])
        return run(a.out, a.every_s, argv[cut + 1:], a.tracemalloc, a.baseline_s)
    a = p.parse_args(argv)
    if not a.read:
        p.error("give '-- soak ...' to run a soak, or --read to read a probe file")
    read(a.out, a.from_s, a.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
