"""What grows inside a healthy soak's process, by object, at chosen simulated times: each
``functools.lru_cache`` of the harness and the system (entries and cap), the live objects by
type (count and ``sys.getsizeof`` bytes), the holdings of the harness's and the system's instances
(``soak_growth.holdings``: ``Class.attribute``), the bounded logs' counted bytes and both
allocators' bytes in use before and after the probe's ``gc.collect()`` (what the collection freed is
garbage the soak's own samples, taken without one, count as in use; "unread" where an allocator
cannot be read: pymalloc's statistics once tracemalloc traces).

    PYTHONPATH=$PWD .venv/bin/python bench/soak_growth_sites.py --seed S [--duration-s 3600] [--trace-from S0] \
        [--at 600,1800,3540] [--top 15] [--system module:factory] [--run-dir DIR]

Why: a healthy 1-hour soak's RSS grows ~3e6 B/h more than its bounded logs count, in both allocators'
bytes in use, and that growth alone now and then reads "leak" (bench/RESULTS.md, issue #11).
``tracemalloc`` names the same sites but slows the soak some tenfold; ``gc.get_objects()`` at three
probes costs seconds. Each probe runs ``gc.collect()`` first (garbage is not growth), so a soak under
it is for attribution, not for its RSS verdict. Between the first probe and each later one, the
growers are printed in bytes per simulated hour, largest first. Bad input: exit 2, nothing run.
"""

from __future__ import annotations

import argparse
import collections
import functools
import gc
import sys
import tempfile
import tracemalloc
from pathlib import Path
from typing import Any

from harness.held_caches import CountedCache
from soak_growth import holdings
from soak_hook import private_history_db, rising_times, run_probed_soak

_OURS = ("harness", "system_under_test")


class _Usage(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _Usage(f"{message}; e.g. --seed 99210 --at 600,1800,3540 [--trace-from 1200]")


def _args(argv: list[str]) -> argparse.Namespace:
    p = _Parser(prog="soak_growth_sites.py")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--duration-s", type=float, default=3600.0)
    p.add_argument("--at", default="600,1800,3540", help="simulated seconds of the probes, rising")
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--system", default=None)
    p.add_argument("--run-dir", type=Path, default=None)
    p.add_argument("--trace-from", type=float, default=None,
                   help="simulated seconds at which tracemalloc starts; later probes diff its snapshots by site")
    p.add_argument("--frames", type=int, default=4)
    a = p.parse_args(argv)
    try:
        a.at = rising_times(a.at, a.duration_s)
    except ValueError as exc:
        raise _Usage(str(exc)) from None
    if a.seed < 0 or not 1 <= a.top <= 200 or not 1 <= a.frames <= 50:
        raise _Usage("--seed must be >= 0, --top 1..200, --frames 1..50")
    if a.trace_from is not None and not 0 <= a.trace_from < a.at[-2]:
        raise _Usage(f"--trace-from {a.trace_from:g}: give simulated seconds before the second-last probe ({a.at[-2]:g} s), so two probes are traced")
    if a.run_dir is not None and a.run_dir.exists():
        raise _Usage(f"--run-dir {a.run_dir}: already exists; give a new folder")
    return a


def lru_caches() -> dict[str, tuple[int, int]]:
    """``module.function`` -> (entries, cap) of every ``lru_cache`` and ``CountedCache``
    (``harness.held_caches``, which counts its own bytes) in our loaded modules (an ``lru_cache``'s
    results' bytes are out of the collector's reach: the cache's entries do not show what they
    hold to ``gc.get_referents``; ``--trace-from`` names them by allocation site)."""
    out: dict[str, tuple[int, int]] = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith(_OURS) or module is None:
            continue
        for attr, fn in list(vars(module).items()):
            if (not isinstance(fn, (functools._lru_cache_wrapper, CountedCache))
                    or getattr(fn, "__module__", None) != name):
                continue
            info = fn.cache_info()
            out[f"{name}.{attr}"] = (info.currsize, info.maxsize or 0)
    return out


def by_type() -> dict[str, list[int]]:
    """Type name -> [count, bytes] of the objects the collector tracks (their own ``getsizeof``)."""
    out: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for o in gc.get_objects():
        row = out[f"{type(o).__module__}.{type(o).__qualname__}"]
        row[0] += 1
        row[1] += sys.getsizeof(o)
    return dict(out)


def _probe(system: Any, history: Any) -> dict[str, Any]:
    from harness.allocator import in_use_bytes, pymalloc_in_use_bytes
    from harness.leaks import log_books

    before = (in_use_bytes() or 0, pymalloc_in_use_bytes() or 0)
    gc.collect()
    after = (in_use_bytes() or 0, pymalloc_in_use_bytes() or 0)
    books = {**log_books(system), **log_books(history, "harness")}
    return {"t": float(system.clock.now()), "caches": lru_caches(), "types": by_type(),
            "holdings": holdings(), "books": books, "in_use": {"before_collect": before, "after_collect": after}}


def _growers(old: dict[str, Any], new: dict[str, Any], index: int, top: int, hours: float) -> list[tuple[float, str]]:
    """The ``top`` largest rises of field ``index`` of each row, per simulated hour."""
    rows = []
    for k, v in new.items():
        before = old.get(k)
        d = v[index] - (before[index] if before else 0)
        if d:
            rows.append((d / hours, k))
    return sorted(rows, reverse=True)[:top]


def report(first: dict[str, Any], last: dict[str, Any], top: int) -> list[str]:
    """The growers between two probes, in bytes (and counts) per simulated hour."""
    hours = (last["t"] - first["t"]) / 3600.0
    lines = [f"{first['t']:.0f} s -> {last['t']:.0f} s ({hours:.3f} h), per simulated hour:"]
    lines.append("  bounded logs counted: " + ", ".join(
        f"{k} {(last['books'].get(k, 0) - first['books'].get(k, 0)) / hours / 1e6:+.3f} MB/h"
        for k in sorted(last["books"]) if k.endswith("_bytes")))
    for when in ("before_collect", "after_collect"):
        was, now = first["in_use"][when], last["in_use"][when]
        lines.append(f"  in use {when.replace('_', ' ')}: " + ", ".join(
            f"{name} {n / 1e6:.2f} MB ({(n - w) / hours / 1e6:+.3f} MB/h)" if n and w else f"{name} unread"
            for name, w, n in (("malloc", was[0], now[0]), ("pymalloc", was[1], now[1]))))
    lines.append("  lru caches that grew (entries before -> now / cap, 0: none):")
    for name, (n, cap) in sorted(last["caches"].items()):
        was = first["caches"].get(name, (0, 0))[0]
        if n != was:
            lines.append(f"    {name}: {was} -> {n} / {cap}")
    lines.append("  types by bytes/h (count/h):")
    counts = dict((k, c) for c, k in _growers(first["types"], last["types"], 0, 10**9, hours))
    for b, k in _growers(first["types"], last["types"], 1, top, hours):
        lines.append(f"    {b / 1e6:+.3f} MB/h ({counts.get(k, 0):+.0f}/h) {k}")
    lines.append("  holdings (Class.attribute) by bytes/h:")
    for b, k in _growers(first["holdings"], last["holdings"], 1, top, hours):
        lines.append(f"    {b / 1e6:+.3f} MB/h ({last['holdings'][k][0]} items now) {k}")
    return lines


def traced_sites(old: tracemalloc.Snapshot, new: tracemalloc.Snapshot, hours: float, top: int) -> list[str]:
    """The allocation sites whose traced bytes rose most between two snapshots, per simulated hour,
    each named by its innermost frames (this script's own probes are filtered out before)."""
    diffs = sorted(new.compare_to(old, "traceback"), key=lambda d: -d.size_diff)
    net = sum(d.size_diff for d in diffs)
    lines = [f"  traced sites: net {net / hours / 1e6:+.3f} MB/h over {len(diffs)} sites; rose most:"]
    for d in diffs[:top]:
        frames = " < ".join(f"{Path(f.filename).name}:{f.lineno}" for f in reversed(d.traceback))
        lines.append(f"    {d.size_diff / hours / 1e6:+.3f} MB/h {d.count_diff / hours:+9.0f} blocks/h "
                     f"(now {d.size / 1e6:.3f} MB) {frames}")
    return lines


def main(argv: list[str]) -> int:
    try:
        a = _args(argv)
    except _Usage as exc:
        print(f"soak_growth_sites: {exc}", file=sys.stderr)
        return 2
    private_history_db("growth-sites-db-")
    run_dir = a.run_dir or Path(tempfile.mkdtemp(prefix="growth-sites-run-")) / "soak"
    probes: list[dict[str, Any]] = []
    pending = list(a.at)
    snaps: list[tracemalloc.Snapshot] = []

    def probe_when_asked(system: Any, history: Any) -> None:
        now = system.clock.now()
        if a.trace_from is not None and now >= a.trace_from and not tracemalloc.is_tracing():
            tracemalloc.start(a.frames)
        if not pending or now < pending[0]:
            return
        while pending and now >= pending[0]:
            pending.pop(0)
        probes.append(_probe(system, history))
        b, c = probes[-1]["in_use"]["before_collect"], probes[-1]["in_use"]["after_collect"]
        print(f"probe at simulated {now:.0f} s: the collection freed malloc {(b[0] - c[0]) / 1e6:.2f} MB, "
              f"pymalloc {(b[1] - c[1]) / 1e6:.2f} MB", flush=True)
        if len(probes) > 1:
            print("\n".join(report(probes[0], probes[-1], a.top)), flush=True)
        if tracemalloc.is_tracing():
            snaps.append(tracemalloc.take_snapshot().filter_traces(
                (tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, __file__))))
            if len(snaps) > 1:
                hours = (probes[-1]["t"] - probes[-2]["t"]) / 3600.0
                print(f"{probes[-2]['t']:.0f} s -> {now:.0f} s, tracemalloc:", flush=True)
                print("\n".join(traced_sites(snaps[-2], snaps[-1], hours, a.top)), flush=True)

    try:
        result = run_probed_soak("soak_growth_sites", probe_when_asked, seed=a.seed, duration_s=a.duration_s,
                                 run_dir=run_dir, system=a.system)
    finally:
        tracemalloc.stop()
    if result is None:
        return 2
    failures = getattr(result.verdict, "failures", ())
    print(f"soak {run_dir}: {result.status}, failures {list(failures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
