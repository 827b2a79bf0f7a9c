"""Where a soak's memory goes: run one ``soundcheck soak`` in this process and sample, every
``--every`` seconds, what each process of it holds and, within the soak's own process, what.

    PYTHONPATH=$PWD .venv/bin/python bench/rig_soak_memory.py OUT_DIR [--every 60] [--tracemalloc 8] \
        -- soak --backend jack --duration 12m --faults none --seed 1 --no-progress

``OUT_DIR/memory.jsonl`` gets one record a sample; the soak's run folder is ``OUT_DIR/run`` (added
as ``--run-dir`` unless given). Each record holds:

- ``self``: the soak's process (the harness and the system under test in one): RSS, and from
  ``/proc/self/smaps_rollup`` anonymous vs file-backed resident bytes; glibc's ``mallinfo2``
  (bytes in use, bytes free inside the arenas, mmapped bytes): heap growth that Python does not
  hold shows as native or as free arena bytes; thread count;
- ``children``: every descendant (jackd, the rig's JACK agent, the PortAudio device host) by pid
  and command: RSS and anonymous bytes;
- ``gc``: Python objects by type, the 12 types whose count grew most since the first sample;
- ``held``: what the harness's and the system's own objects hold, without tracemalloc: for every
  attribute of an instance of a class defined in ``harness`` or ``system_under_test`` that is a
  list, dict, set, deque or bytes (its length) or a numpy array (its bytes), summed by
  ``Class.attribute`` over the instances; the 15 that grew most since the first sample after
  ``--baseline-s`` (before it: the 15 largest), and the
  rig capture's backlog (bytes of its capture file not yet read: the check behind real time);
- with ``--tracemalloc N`` (frames per traceback): Python's traced bytes, tracemalloc's own
  overhead, and the 15 source lines whose traced bytes grew most since the first snapshot taken
  after ``--baseline-s`` seconds (the warm-up). tracemalloc slows the process: a soak under it is
  for attribution, not for its verdict.

The soak is ``harness.cli.main`` with the arguments after ``--``; its exit code is this script's.
Why in-process: tracemalloc and mallinfo2 can only be read from inside the process they describe.
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import gc
import json
import os
import sys
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

import psutil


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


def _mallinfo2() -> dict[str, int]:
    """glibc's heap: ``arena`` (bytes from sbrk and arenas), ``uordblks`` (in use), ``fordblks`` (free
    in them), ``hblkhd`` (mmapped chunks)."""
    libc = ctypes.CDLL("libc.so.6")
    fn = libc.mallinfo2
    fn.restype = _MallInfo2
    m = fn()
    return {"arena": m.arena, "in_use": m.uordblks, "free": m.fordblks, "mmapped": m.hblkhd}


def _rollup(pid: int) -> dict[str, int]:
    """``/proc/PID/smaps_rollup``'s resident figures in bytes (Rss, Anonymous, Rss of files)."""
    out: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            key, _, rest = line.partition(":")
            parts = rest.split()
            if parts and parts[-1] == "kB":
                out[key] = int(parts[0]) * 1024
    except OSError:
        return {}
    return {"rss": out.get("Rss", 0), "anon": out.get("Anonymous", 0),
            "file": out.get("Rss", 0) - out.get("Anonymous", 0) - out.get("Shmem", 0) if "Shmem" in out
            else out.get("Rss", 0) - out.get("Anonymous", 0), "shmem": out.get("Shmem", 0)}


_OURS = ("harness.", "system_under_test.")


def _gc_types_and_holdings() -> tuple[collections.Counter[str], collections.Counter[str], dict[str, int]]:
    """Objects by type; lengths (numpy: bytes) held by our classes' attributes, by
    ``Class.attribute``; the rig capture's backlog. One pass over ``gc.get_objects()``."""
    import numpy as np

    types: collections.Counter[str] = collections.Counter()
    held: collections.Counter[str] = collections.Counter()
    capture: dict[str, int] = {}
    for o in gc.get_objects():
        cls = type(o)
        types[cls.__name__] += 1
        module = cls.__dict__.get("__module__")  # a class may shadow it (a descriptor, not a name)
        if not (isinstance(module, str) and module.startswith(_OURS)):
            continue
        attrs = getattr(o, "__dict__", None)
        if not isinstance(attrs, dict):  # a class whose fields are slots (``history.Entry``)
            attrs = {n: getattr(o, n) for n in getattr(cls, "__slots__", ()) if hasattr(o, n)}
            if not attrs:
                continue
        for name, v in list(attrs.items()):
            if isinstance(v, np.ndarray):
                held[f"{cls.__name__}.{name}[bytes]"] += int(v.nbytes)
            elif isinstance(v, (list, dict, set, collections.deque, bytes, bytearray)):
                held[f"{cls.__name__}.{name}"] += len(v)
        if cls.__name__ == "RigCapture" and isinstance(attrs.get("_path"), (str, Path)):
            try:
                capture["backlog_bytes"] = os.path.getsize(attrs["_path"]) - int(attrs.get("_offset", 0))
            except OSError:
                pass
    return types, held, capture


class Sampler(threading.Thread):
    """Samples every ``every`` seconds until stopped; one JSON line a sample."""

    def __init__(self, out: Path, every: float, frames: int, baseline_s: float) -> None:
        super().__init__(daemon=True, name="memory-sampler")
        self.out = out
        self.every = every
        self.frames = frames
        self.baseline_s = baseline_s
        self.stop = threading.Event()
        self.proc = psutil.Process()
        self.t0 = time.monotonic()
        self.gc0: collections.Counter[str] | None = None
        self.held0: collections.Counter[str] | None = None
        self.snap0: tracemalloc.Snapshot | None = None

    def run(self) -> None:
        with self.out.open("a") as f:
            while True:
                f.write(json.dumps(self.sample()) + "\n")
                f.flush()
                if self.stop.wait(self.every):
                    f.write(json.dumps(self.sample()) + "\n")
                    return

    def sample(self) -> dict[str, Any]:
        t = time.monotonic() - self.t0
        rec: dict[str, Any] = {"t": round(t, 1), "utc": time.strftime("%H:%M:%S", time.gmtime()),
                               "load1": os.getloadavg()[0]}
        rec["self"] = {**_rollup(os.getpid()), "threads": self.proc.num_threads(), "malloc": _mallinfo2()}
        kids = []
        for c in self.proc.children(recursive=True):
            try:
                kids.append({"pid": c.pid, "cmd": " ".join(c.cmdline())[:120], **_rollup(c.pid)})
            except psutil.Error:
                continue
        rec["children"] = kids
        types, held, capture = _gc_types_and_holdings()
        if self.gc0 is None:
            self.gc0 = types
        if self.held0 is None and t >= self.baseline_s:  # after the warm-up, as tracemalloc's
            self.held0 = held
        grew = {k: types[k] - self.gc0.get(k, 0) for k in types}
        rec["gc"] = {"objects": sum(types.values()),
                     "grew": dict(sorted(grew.items(), key=lambda kv: -kv[1])[:12])}
        base = self.held0 or collections.Counter()
        top = sorted(held, key=lambda k: -(held[k] - base.get(k, 0)))[:15]
        rec["held"] = {k: [held[k], held[k] - base.get(k, 0)] for k in top}
        rec["capture"] = capture
        if self.frames:
            cur, peak = tracemalloc.get_traced_memory()
            rec["traced"] = {"current": cur, "peak": peak, "overhead": tracemalloc.get_tracemalloc_memory()}
            if t >= self.baseline_s:
                snap = tracemalloc.take_snapshot().filter_traces(
                    [tracemalloc.Filter(False, tracemalloc.__file__)])
                if self.snap0 is None:
                    self.snap0 = snap
                    rec["traced"]["baseline"] = True
                else:
                    rec["traced"]["grew_by_line"] = [
                        {"where": str(s.traceback[0]), "bytes": s.size_diff, "blocks": s.count_diff}
                        for s in snap.compare_to(self.snap0, "lineno")[:15]]
                    rec["traced"]["grew_by_stack"] = [
                        {"stack": [str(fr) for fr in s.traceback][:self.frames], "bytes": s.size_diff,
                         "blocks": s.count_diff}
                        for s in snap.compare_to(self.snap0, "traceback")[:6]]
        return rec


def main() -> int:
    argv = sys.argv[1:]
    if "--" not in argv:
        print("usage: rig_soak_memory.py OUT_DIR [--every S] [--tracemalloc N] [--baseline-s S] -- soak ...",
              file=sys.stderr)
        return 2
    cut = argv.index("--")
    p = argparse.ArgumentParser()
    p.add_argument("out", type=Path)
    p.add_argument("--every", type=float, default=60.0)
    p.add_argument("--tracemalloc", type=int, default=0, metavar="FRAMES")
    p.add_argument("--baseline-s", type=float, default=120.0)
    a = p.parse_args(argv[:cut])
    soak = argv[cut + 1:]
    a.out.mkdir(parents=True, exist_ok=True)
    if "--run-dir" not in soak:
        soak += ["--run-dir", str(a.out / "run")]
    if a.tracemalloc:
        tracemalloc.start(a.tracemalloc)
    from harness.cli import main as cli_main
    sampler = Sampler(a.out / "memory.jsonl", a.every, a.tracemalloc, a.baseline_s)
    sampler.start()
    try:
        rc = cli_main(soak)
    finally:
        sampler.stop.set()
        sampler.join()
    return rc


if __name__ == "__main__":
    sys.exit(main())
