"""Where a mutation run's time goes, and what a change of the mutants' pytest arguments costs.

A benchmark, not a test: it prints figures and never fails. It reads (and, for ``ab``, runs
mutants in) a scratch copy made by ``scripts/mutation MODULE`` (``.mutation/MODULE``) after mutmut
collected its stats there.

    python bench/bench_mutation.py split .mutation/system
    python bench/bench_mutation.py ab .mutation/system NAMES.txt [--new=ARG ...] [--collapse]

``split``: the covering tests of each mutated function (how many, the seconds mutmut measured for
them: what a survivor runs), the seconds mutmut measured per test file, and, from the mutants run
so far, the count and wall seconds of each outcome.

``ab``: each mutant named in NAMES.txt (one a line) run twice in forked children the way mutmut
runs it (its covering tests fastest first, ``-x``, the mutant switched on), once with the
arguments mutmut passes (old) and once with ``--new`` arguments added and/or the node ids
collapsed into whole files and whole parametrized functions (new); the two runs alternate which
goes first. Prints each mutant's exit codes and CPU seconds (user + system of the child, from
wait4: the shared machine's load changes the wall time, hardly the CPU time), the totals, and the
mutants whose killed/survived outcome differs.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

def _stats(work: Path) -> dict:
    return json.loads((work / "mutants" / "mutmut-stats.json").read_text())


def split(work: Path) -> None:
    stats = _stats(work)
    dur, tests_of = stats["duration_by_test"], stats["tests_by_mangled_function_name"]
    metas = list((work / "mutants").rglob("*.meta"))
    exit_codes: dict[str, int | None] = {}
    walls: dict[str, float] = {}
    for meta in metas:
        m = json.loads(meta.read_text())
        exit_codes.update(m["exit_code_by_key"])
        walls.update(m.get("durations_by_key", {}))
    per_fn = Counter(k.rsplit("__mutmut_", 1)[0] for k in exit_codes)
    print(f"{len(dur)} tests, {sum(dur.values()):.1f} s measured by mutmut's stats run")
    print("\nper mutated function: mutants, covering tests, their seconds (a survivor runs them all)")
    rows = sorted(((n * sum(dur[t] for t in tests_of.get(f, [])), f, n, len(tests_of.get(f, [])))
                   for f, n in per_fn.items()), reverse=True)
    for worst, f, n, k in rows:
        print(f"  {f.split('.')[-1]:55} {n:4d} mutants {k:4d} tests {worst / max(n, 1):6.2f} s each")
    print(f"  all mutants surviving would take {sum(r[0] for r in rows) / 60:.1f} min of test time")
    if rows:
        top = rows[0][1]
        print(f"\nwhat a survivor of {top.split('.')[-1]} runs, per test file: tests, seconds")
        mine: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
        for t in tests_of.get(top, []):
            mine[t.split("::", 1)[0]][0] += 1
            mine[t.split("::", 1)[0]][1] += dur[t]
        for f, (n, sec) in sorted(mine.items(), key=lambda x: -x[1][1]):
            print(f"  {f:55} {n:4d} {sec:6.2f} s")
    covering = set().union(*map(set, tests_of.values())) if tests_of else set()
    by_file: dict[str, list[float]] = defaultdict(lambda: [0.0, 0, 0])
    for t, s in dur.items():
        f = by_file[t.split("::", 1)[0]]
        f[0] += s
        f[1] += t in covering
        f[2] += 1
    print("\nper test file: seconds, tests covering a mutated function / tests")
    for f, (s, c, n) in sorted(by_file.items(), key=lambda x: -x[1][0]):
        print(f"  {f:55} {s:6.2f} s {c:4d} / {n:4d}")
    from mutmut.stats import status_by_exit_code  # noqa: PLC0415

    outcome: dict[str, list[float]] = defaultdict(list)
    for k, code in exit_codes.items():
        outcome[status_by_exit_code[code]].append(walls.get(k, 0.0))
    print("\nmutants run so far: outcome, count, wall seconds (sum, median)")
    for o, ws in sorted(outcome.items()):
        med = statistics.median(ws) if ws else 0.0
        print(f"  {o:12} {len(ws):5d} {sum(ws):8.1f} s {med:6.2f} s")


def collapse(args: list[str], universe: set[str]) -> list[str]:
    """``args`` with each complete group of node ids (a whole file, or every parametrization of a
    test function, as ``universe`` knows them) replaced by one argument at its first id's place."""
    by_file: dict[str, set[str]] = defaultdict(set)
    by_function: dict[str, set[str]] = defaultdict(set)
    for t in universe:
        by_file[t.split("::", 1)[0]].add(t)
        by_function[t.split("[", 1)[0]].add(t)
    named = {a for a in args if a in universe}
    out: list[str] = []
    seen: set[str] = set()
    for a in args:
        if a not in universe:
            out.append(a)
            continue
        path, function = a.split("::", 1)[0], a.split("[", 1)[0]
        key = path if by_file[path] <= named else function if by_function[function] <= named else a
        if key not in seen:
            seen.add(key)
            out.append(key)
    return out


def ab(work: Path, names_file: Path, new_args: list[str], do_collapse: bool) -> None:
    stats = _stats(work)
    dur, tests_of = stats["duration_by_test"], stats["tests_by_mangled_function_name"]
    names = names_file.read_text().split()
    os.chdir(work / "mutants")
    sys.path.insert(0, os.getcwd())
    import pytest  # noqa: PLC0415

    base = ["--rootdir=.", "--tb=native", "-x", "-q", "-p", "no:randomly", "-p", "no:random-order"]
    old = ["-p", "no:cacheprovider", "-q", "-x"]
    os.environ["MUTANT_UNDER_TEST"] = ""
    with contextlib.redirect_stdout(io.StringIO()):
        pytest.main(["--collect-only", "-qqq", "tests/sut"])  # mutmut's parent has them imported
    gc.freeze()

    def child(name: str, new: bool) -> tuple[int, float]:
        tests = sorted(tests_of[name.rsplit("__mutmut_", 1)[0]], key=dur.get)
        if new and do_collapse:
            tests = collapse(tests, set(dur))
        args = base + tests + old + (new_args if new else [])
        pid = os.fork()
        if pid == 0:
            os.environ["MUTANT_UNDER_TEST"] = name
            sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115
            os._exit(int(pytest.main(args)))
        _, status, usage = os.wait4(pid, 0)
        return os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime

    cpu = {"old": [], "new": []}
    differ = []
    started = time.monotonic()
    for i, name in enumerate(names):
        res = {}
        for label in (("old", "new") if i % 2 == 0 else ("new", "old")):
            res[label] = child(name, label == "new")
            cpu[label].append(res[label][1])
        if (res["old"][0] == 0) != (res["new"][0] == 0):
            differ.append(name)
        print(f"{name.split('ǁ')[-1]:50} old rc={res['old'][0]} cpu={res['old'][1]:.2f}  "
              f"new rc={res['new'][0]} cpu={res['new'][1]:.2f}", flush=True)
    print(f"{len(names)} mutants, {(time.monotonic() - started) / 60:.1f} min wall; CPU s old "
          f"{sum(cpu['old']):.1f} (median {statistics.median(cpu['old']):.2f}), new "
          f"{sum(cpu['new']):.1f} (median {statistics.median(cpu['new']):.2f}); "
          f"new cheaper for {sum(n < o for o, n in zip(cpu['old'], cpu['new']))}; "
          f"outcome differs for {len(differ)}: {differ}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("split")
    s.add_argument("work", type=Path)
    a = sub.add_parser("ab")
    a.add_argument("work", type=Path)
    a.add_argument("names", type=Path)
    a.add_argument("--new", action="append", default=[], metavar="ARG",
                   help="a pytest argument added in the new runs (repeat it), e.g. --new=-p --new=no:xdist")
    a.add_argument("--collapse", action="store_true",
                   help="new runs name whole files / parametrized functions where every test of one is covering")
    args = ap.parse_args()
    if args.cmd == "split":
        split(args.work.resolve())
    else:
        ab(args.work.resolve(), args.names.resolve(), args.new, args.collapse)
    return 0


if __name__ == "__main__":
    sys.exit(main())
