"""Each test's wall and CPU time as it finishes, and the table of the slowest against their timeouts.

A pytest plugin and a table printer in one file. The plugin writes one line per test (tab-separated:
node id, wall seconds from setup to teardown, this process's CPU seconds over the same span, the
test's own pytest-timeout marker if any, the 1-minute load average (blank where the platform, or a
test's patch of ``os.getloadavg``, gives none), the UTC time at its end, and the CPU seconds of the
child processes the test waited for, which a test that runs pytest or a script in a subprocess
spends outside this process) as each test ends, so a run stopped part-way on a loaded machine still leaves what it measured; pytest's
``--durations`` prints only at the end. CPU beside wall: on a loaded 2-core machine a niced test's
wall time is its CPU time times a factor set by the load, so CPU says what a test costs and wall how
near its timeout it came.

Run (from the repository root):

    SUITE_DURATIONS_LOG=/tmp/d.tsv PYTHONPATH=$PWD:$PWD/bench .venv/bin/python -m pytest \
        -p suite_durations -n 2 -m "not loopback" tests/harness/test_run.py ...
    .venv/bin/python bench/suite_durations.py /tmp/d.tsv [MORE.tsv ...] [--top 40] [--timeout 120] [--by cpu]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

_LOG = os.environ.get("SUITE_DURATIONS_LOG", "suite_durations.tsv")
_started: dict[str, tuple[float, float, float]] = {}
_getloadavg = os.getloadavg  # bound at import: a test that patches os.getloadavg must not break the log


def _children_cpu() -> float:
    """User + system CPU seconds of this process's waited-for children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _load() -> str:
    try:
        return f"{_getloadavg()[0]:.1f}"
    except OSError:
        return ""


def pytest_runtest_setup(item: Any) -> None:
    _started[item.nodeid] = (time.perf_counter(), time.process_time(), _children_cpu())


def pytest_runtest_teardown(item: Any, nextitem: Any) -> None:
    wall0, cpu0, children0 = _started.pop(item.nodeid, (None, None, None))
    if wall0 is None or cpu0 is None or children0 is None:
        return
    marker = item.get_closest_marker("timeout")
    timeout = marker.args[0] if marker is not None and marker.args else ""
    line = (f"{item.nodeid}\t{time.perf_counter() - wall0:.2f}\t{time.process_time() - cpu0:.2f}\t{timeout}\t"
            f"{_load()}\t{time.strftime('%H:%M:%S', time.gmtime())}\t{_children_cpu() - children0:.2f}\n")
    with open(_LOG, "a", encoding="utf-8") as f:
        f.write(line)


def _cpu_with_children(cols: list[str]) -> float:
    """The test's CPU and its children's (a log written before the children's column: its own only)."""
    return float(cols[2]) + (float(cols[6]) if len(cols) == 7 else 0.0)


def table(logs: list[Path], top: int, default_timeout: float, by: str = "wall") -> str:
    """The ``top`` slowest tests by wall time or by CPU (a test logged twice: its slowest), as a markdown table.

    CPU is the test process's own plus its waited-for children's: a test that runs its work in a
    subprocess costs the machine that much even though its own process idles."""
    key = (lambda c: float(c[1])) if by == "wall" else _cpu_with_children
    rows: dict[str, list[str]] = {}
    for log in logs:
        for raw in log.read_text(encoding="utf-8").splitlines():
            cols = raw.split("\t")
            if len(cols) in (6, 7) and (cols[0] not in rows or key(cols) > key(rows[cols[0]])):
                rows[cols[0]] = cols
    out = ["| test | wall s | CPU s | of it children's | timeout s | wall / timeout | load at end | UTC end |",
           "|---|---|---|---|---|---|---|---|"]
    for cols in sorted(rows.values(), key=lambda c: -key(c))[:top]:
        node, wall, _, tmo, load, utc = cols[:6]
        children = float(cols[6]) if len(cols) == 7 else 0.0
        limit = float(tmo) if tmo else default_timeout
        out.append(f"| `{node}` | {float(wall):.1f} | {_cpu_with_children(cols):.2f} | {children:.2f} | {limit:g} | "
                   f"{float(wall) / limit:.0%} | {load or '?'} | {utc} |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("logs", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--timeout", type=float, default=120.0, help="the suite's own (pyproject.toml)")
    parser.add_argument("--by", choices=("wall", "cpu"), default="wall", help="order by wall time or by CPU")
    args = parser.parse_args()
    for log in args.logs:
        if not log.is_file():
            _refuse(f"{log}: no such log file; give the file SUITE_DURATIONS_LOG named")
    try:
        print(table(args.logs, args.top, args.timeout, args.by))
    except (ValueError, UnicodeDecodeError) as exc:
        _refuse(f"a log's columns are not this plugin's ({exc}); give the files SUITE_DURATIONS_LOG named")


def _refuse(message: str) -> None:
    print(f"suite_durations.py: {message}", file=sys.stderr)
    sys.exit(2)


if __name__ == "__main__":
    main()
