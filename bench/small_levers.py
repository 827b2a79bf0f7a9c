"""Four exact levers on a simulated soak's CPU, each weighed alone against what main does, with the
check that it gives the same answer: how much each would save (issue #17). None is taken in the
code; this keeps their measurements repeatable.

    PYTHONPATH=$PWD .venv/bin/python bench/small_levers.py encoder RUN_DIR/history.jsonl
    PYTHONPATH=$PWD .venv/bin/python bench/small_levers.py policy RUN_DIR/history.jsonl
    PYTHONPATH=$PWD .venv/bin/python bench/small_levers.py residual
    PYTHONPATH=$PWD .venv/bin/python bench/small_levers.py gc -- soak --backend sim --duration 10m --seed 1 --no-progress --run-dir DIR

- ``encoder``: a history line written by one C encoder built once (``json.encoder.c_make_encoder``)
  instead of ``JSONEncoder.encode``, which builds one per call: every non-transition line of the
  file re-encoded both ways, the texts compared, CPU a line.
- ``policy``: ``policy_followed``'s search for a recovery's error among the kept error events, as
  main does it (a comprehension over the 256 kept) and by ``deque.index`` over a parallel deque of
  the content hashes: the index lists compared on every ``recovery_started`` of the file, then
  the two searches' CPU over the same sequence.
- ``residual``: ``analysis._fine_events``' pass over the residual (``_whitened`` in place, the
  energy ``einsum``, ``abs``, the mid-block ``max``, the edge gathers) against one compiled loop
  for all but the ``einsum`` (numba, float32 as numpy does it): 300 drawn takes compared to the
  byte, then CPU a take of 232 blocks.
- ``gc``: the command run with the cyclic collector's CPU per generation read (``gc.callbacks``,
  thread CPU), the lever being fewer collections (``gc.set_threshold``).

All figures are thread or process CPU (``time.thread_time``, ``getrusage``). A benchmark, not a
test.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import resource
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any

import numpy as np


def encoder(history: Path, limit: int = 60_000) -> None:
    from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]

    from harness.history import _encode, json_line

    lines = [line for line in history.open(encoding="utf-8") if '"type":"transition"' not in line][:limit]
    objs = [json_line(line) for line in lines]
    built = c_make_encoder(None, json.JSONEncoder().default, encode_basestring_ascii, None, ":", ",",
                           False, False, True)

    def once(o: Any) -> str:
        return "".join(built(o, 0))

    differ = sum(1 for o in objs if _encode(o) != once(o))
    print(f"{len(objs)} lines re-encoded; {differ} differ")
    for _ in range(3):
        row = []
        for name, f in (("JSONEncoder.encode", _encode), ("one C encoder", once)):
            t0 = time.thread_time()
            for o in objs:
                f(o)
            row.append(f"{name} {(time.thread_time() - t0) / len(objs) * 1e6:.2f} us a line")
        print("; ".join(row))


def policy(history_path: Path) -> None:
    from harness import invariants as inv
    from harness.history import History

    history = History.open_jsonl(history_path)
    entries = [e for e in history if e.type in ("error", "event")]

    def by_index(errors: deque, hashes: deque, err: Any, key: Any) -> list[int]:
        if key is None or None in hashes:
            return [i for i, x in enumerate(errors)
                    if (key is None or x["hash"] is None or x["hash"] == key) and x["error"] == err]
        out, i = [], -1
        while True:
            try:
                i = hashes.index(key, i + 1)
            except ValueError:
                return out
            if errors[i]["error"] == err:
                out.append(i)

    def by_comprehension(errors: deque, hashes: deque, err: Any, key: Any) -> list[int]:
        return [i for i, x in enumerate(errors)
                if (key is None or x["hash"] is None or x["hash"] == key) and x["error"] == err]

    def replay(search: Any, other: Any = None) -> tuple[float, int, int]:
        errors: deque = deque(maxlen=inv.POLICY_MATCH_WINDOW)
        hashes: deque = deque(maxlen=inv.POLICY_MATCH_WINDOW)
        spent, searches, differ = 0.0, 0, 0
        for e in entries:
            d = e.data or {}
            err = d.get("error")
            if not isinstance(err, dict):
                continue
            if e.type == "error":
                key = inv._content_hash(err)
                errors.append({"error": err, "hash": key})
                hashes.append(key)
            elif e.value == "recovery_started":
                key = inv._content_hash(err)
                t0 = time.thread_time()
                same = search(errors, hashes, err, key)
                spent += time.thread_time() - t0
                searches += 1
                if other is not None and other(errors, hashes, err, key) != same:
                    differ += 1
                if same:  # the fold takes one of them out (the newest, when none is routed)
                    del errors[same[-1]]
                    del hashes[same[-1]]
        return spent, searches, differ

    _, searches, differ = replay(by_index, by_comprehension)
    print(f"{len(entries)} error/event entries, {searches} searches; the index lists differ on {differ}")
    for _ in range(2):
        a, _, _ = replay(by_comprehension)
        b, _, _ = replay(by_index)
        print(f"comprehension {a:.3f} s CPU; deque.index {b:.3f} s CPU (each search timed alone)")


def residual() -> None:
    from numba import njit

    from harness.analysis import _FINE_EDGE, _edge_columns, _whitened

    @njit(cache=False, nogil=True, boundscheck=False)
    def figures(e: Any, rho: float, first_scale: float, lo: int, hi: int, edge_cols: Any, ref_cols: Any,
                rmax_mid: Any, edge_abs: Any, ref_sq: Any) -> None:  # pragma: no cover - compiled
        rows, block = e.shape
        r32 = np.float32(rho)
        s32 = np.float32(first_scale)
        for i in range(rows):
            if rho != 0.0:
                for n in range(block - 1, 0, -1):  # from the end: e[n - 1] is still the residual
                    e[i, n] = e[i, n] - r32 * e[i, n - 1]
                e[i, 0] = e[i, 0] * s32
            for n in range(block):
                e[i, n] = abs(e[i, n])
            m = np.float32(-np.inf)
            nan = False
            for n in range(lo, hi):
                v = e[i, n]
                if v > m:
                    m = v
                elif v != v:
                    nan = True
            rmax_mid[i] = np.nan if nan else np.float64(m)
            for k in range(edge_cols.size):
                edge_abs[i, k] = e[i, edge_cols[k]]
            for k in range(ref_cols.size):
                v = e[i, ref_cols[k]]
                ref_sq[i, k] = v * v

    block = 256
    edge_cols, ref_cols = _edge_columns(block)
    mid = slice(_FINE_EDGE, block - _FINE_EDGE)

    def outputs(nb: int) -> tuple[Any, Any, Any]:
        return (np.empty(nb), np.empty((nb, edge_cols.size), dtype=np.float32),
                np.empty((nb, ref_cols.size), dtype=np.float32))

    def numpy_way(whole: Any, rho: float) -> tuple[Any, ...]:
        rmax_mid, edge_abs, ref_sq = outputs(whole.shape[0])
        e = _whitened(whole, rho, in_place=True)
        rss = np.einsum("ij,ij->i", e, e, dtype=np.float64)
        ea = np.abs(e, out=e)
        rmax_mid[:] = np.max(ea[:, mid], axis=1)
        edge_abs[:] = ea[:, edge_cols]
        ref_sq[:] = ea[:, ref_cols] ** 2
        return rss, rmax_mid, edge_abs, ref_sq, e

    def compiled_way(whole: Any, rho: float) -> tuple[Any, ...]:
        rmax_mid, edge_abs, ref_sq = outputs(whole.shape[0])
        figures(whole, rho, math.sqrt(1.0 - rho * rho), _FINE_EDGE, block - _FINE_EDGE, edge_cols, ref_cols,
                rmax_mid, edge_abs, ref_sq)
        rss = np.einsum("ij,ij->i", whole, whole, dtype=np.float64)  # |e| squared: e squared, to the bit
        return rss, rmax_mid, edge_abs, ref_sq, whole

    rng = np.random.default_rng(1)
    differ = 0
    for trial in range(300):
        nb = int(rng.integers(1, 400))
        w = (rng.standard_normal((nb, block)) * 10.0 ** rng.uniform(-6, 0)).astype(np.float32)
        if trial % 7 == 0:
            w[0, :5] = -0.0
        rho = (0.0, 0.95, 0.3, 0.999)[trial % 4]
        a, b = numpy_way(w.copy(), rho), compiled_way(w.copy(), rho)
        differ += any(x.tobytes() != y.tobytes() for x, y in zip(a, b))
    print(f"300 drawn takes: {differ} differ in any output byte")
    w = (rng.standard_normal((232, block)) * 1e-3).astype(np.float32)
    for _ in range(3):
        row = []
        for name, f in (("numpy", numpy_way), ("compiled", compiled_way)):
            t0 = time.thread_time()
            for _ in range(300):
                f(w.copy(), 0.95)
            row.append(f"{name} {(time.thread_time() - t0) / 300 * 1e6:.1f} us a take")
        print("; ".join(row))


def collector(argv: list[str]) -> int:
    spent, count, began = [0.0, 0.0, 0.0], [0, 0, 0], [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            began[0] = time.thread_time()
        else:
            g = info["generation"]
            spent[g] += time.thread_time() - began[0]
            count[g] += 1

    gc.callbacks.append(on_gc)
    from harness.cli import main as soundcheck  # noqa: PLC0415

    sys.argv = ["soundcheck", *argv]
    try:
        return soundcheck()
    finally:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        print(f"process CPU {usage.ru_utime + usage.ru_stime:.2f} s; the collector's CPU by generation "
              f"{[round(s, 3) for s in spent]} s in {count} collections", file=sys.stderr)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "gc":
        rest = sys.argv[2:]
        return collector(rest[1:] if rest[:1] == ["--"] else rest)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("lever", choices=("encoder", "policy", "residual"))
    ap.add_argument("history", type=Path, nargs="?", help="a history.jsonl (encoder, policy)")
    args = ap.parse_args()
    if args.lever != "residual" and (args.history is None or not args.history.is_file()):
        print(f"small_levers {args.lever}: give a history file (a soak's RUN_DIR/history.jsonl)", file=sys.stderr)
        return 2
    {"encoder": lambda: encoder(args.history), "policy": lambda: policy(args.history), "residual": residual}[args.lever]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
