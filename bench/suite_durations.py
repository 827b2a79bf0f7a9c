"""Each test's wall and CPU time as it finishes, and the table of the slowest against their timeouts.

A pytest plugin and a table printer in one file. The plugin writes one line per test (tab-separated:
node id, wall seconds from setup to teardown, this process's CPU seconds over the same span, the
test's own pytest-timeout marker if any, the 1-minute load average and the UTC time at its end) as
each test ends, so a run stopped part-way on a loaded machine still leaves what it measured; pytest's
``--durations`` prints only at the end. CPU beside wall: on a loaded 2-core machine a niced test's
wall time is its CPU time times a factor set by the load, so CPU says what a test costs and wall how
near its timeout it came.

Run (from the repository root):

    SUITE_DURATIONS_LOG=/tmp/d.tsv PYTHONPATH=$PWD:$PWD/bench .venv/bin/python -m pytest \
        -p suite_durations -n 2 -m "not loopback" tests/harness/test_run.py ...
    .venv/bin/python bench/suite_durations.py /tmp/d.tsv [MORE.tsv ...] [--top 40] [--timeout 120]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

_LOG = os.environ.get("SUITE_DURATIONS_LOG", "suite_durations.tsv")
_started: dict[str, tuple[float, float]] = {}


def pytest_runtest_setup(item: Any) -> None:
    _started[item.nodeid] = (time.perf_counter(), time.process_time())


def pytest_runtest_teardown(item: Any, nextitem: Any) -> None:
    wall0, cpu0 = _started.pop(item.nodeid, (None, None))
    if wall0 is None or cpu0 is None:
        return
    marker = item.get_closest_marker("timeout")
    timeout = marker.args[0] if marker is not None and marker.args else ""
    line = (f"{item.nodeid}\t{time.perf_counter() - wall0:.2f}\t{time.process_time() - cpu0:.2f}\t{timeout}\t"
            f"{os.getloadavg()[0]:.1f}\t{time.strftime('%H:%M:%S', time.gmtime())}\n")
    with open(_LOG, "a", encoding="utf-8") as f:
        f.write(line)


def table(logs: list[Path], top: int, default_timeout: float) -> str:
    """The ``top`` slowest tests by wall time (a test logged twice: its slowest), as a markdown table."""
    rows: dict[str, list[str]] = {}
    for log in logs:
        for raw in log.read_text(encoding="utf-8").splitlines():
            cols = raw.split("\t")
            if len(cols) == 6 and (cols[0] not in rows or float(cols[1]) > float(rows[cols[0]][1])):
                rows[cols[0]] = cols
    out = ["| test | wall s | CPU s | timeout s | wall / timeout | load at end | UTC end |", "|---|---|---|---|---|---|---|"]
    for node, wall, cpu, tmo, load, utc in sorted(rows.values(), key=lambda c: -float(c[1]))[:top]:
        limit = float(tmo) if tmo else default_timeout
        out.append(f"| `{node}` | {float(wall):.1f} | {float(cpu):.2f} | {limit:g} | {float(wall) / limit:.0%} | {load} | {utc} |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("logs", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--timeout", type=float, default=120.0, help="the suite's own (pyproject.toml)")
    args = parser.parse_args()
    print(table(args.logs, args.top, args.timeout))


if __name__ == "__main__":
    main()
