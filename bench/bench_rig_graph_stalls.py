"""Where a second recovery after one external JACK server kill comes from: JACK's graph, timed.

A benchmark (a diagnostic one), not a test: it prints figures and never fails.

    python bench/bench_rig_graph_stalls.py [--kills 30] [--routes system] [--json OUT]

Each kill is ``harness.external_kills.run_external_kill`` (the healthy system, no injected fault,
the rig's JACK server SIGKILLed from outside and started again), with one difference: the rig's
``jackd`` runs with ``-v`` and its output goes through a small stamping process that prefixes every
line with ``time.monotonic()`` (the clock of the run's history on a real device), so what the
server did can be read against what the system and the rig's capture recorded. The stamping is a
separate process and the pipe is closed in the harness at once: the run's own resource checks see
no thread or descriptor of the bench's.

Per kill it reads:

- the recovery episodes after the kill (``recoveries`` less the ones that began before it, a
  loaded machine's own stalls), and what started a second one (its error's message);
- ``wire_after_ms``: how long after the kill's recovered ``RUNNING`` the rig's capture client
  wired itself to the reopened stream (``summary.audio.capture.wired_at``);
- ``graph_wait_ms``: the longest time jackd went on running its current graph while a new one
  (a connection made meanwhile) waited to be switched in ("Process: graph not finished! /
  waiting to switch delta = N"), within 1 s after that ``RUNNING`` and over the whole run.
  No client's callback runs on a graph that never finishes: a wait longer than the system's
  stall floor (250 ms on the rig's routes) is a callback outage the system has to react to.

The summary counts the kills with more than one recovery episode after the kill and, of those,
the ones whose second episode followed a graph wait of at least ``--stall-ms``: the server's
graph, not the system, stopped the stream.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import harness.rig.loopback as loopback  # noqa: E402
from harness.external_kills import run_external_kill  # noqa: E402

#: the child that stamps jackd's output lines with the monotonic clock, one log file per kill
_STAMPER = (
    "import sys, time\n"
    "out = open(sys.argv[1], 'a', buffering=1)\n"
    "for line in sys.stdin.buffer:\n"
    "    out.write(f'{time.monotonic():.4f} ' + line.decode(errors='replace').rstrip() + '\\n')\n"
)
_WAIT = re.compile(r"^(\d+\.\d+) .*waiting to switch delta = (\d+)")


@contextmanager
def stamped_jackd_logs() -> Iterator[dict[str, Path]]:
    """Every jackd the rig starts while this is open runs with ``-v`` into ``target["log"]``."""
    target: dict[str, Path] = {}
    original = loopback.popen

    def popen(cmd: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        if not cmd or not str(cmd[0]).endswith("jackd") or "log" not in target:
            return original(cmd, **kwargs)
        stamper = subprocess.Popen([sys.executable, "-c", _STAMPER, str(target["log"])],
                                   stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                   start_new_session=True)
        assert stamper.stdin is not None
        kwargs["stdout"], kwargs["stderr"] = stamper.stdin, subprocess.STDOUT
        try:
            return original([cmd[0], "-v", *cmd[1:]], **kwargs)
        finally:
            stamper.stdin.close()  # jackd holds the pipe now; the stamper ends at its EOF

    loopback.popen = popen
    try:
        yield target
    finally:
        loopback.popen = original


@dataclass
class GraphKill:
    route: str
    seed: int
    exit_code: int
    recoveries_after_kill: int
    second_cause: str = ""
    wire_after_ms: float | None = None
    graph_wait_ms: float | None = None
    graph_wait_run_ms: float | None = None
    run_dir: str = ""
    notes: list[str] = field(default_factory=list)


def _graph_waits(log: Path) -> list[tuple[float, float]]:
    """(monotonic time, seconds waited) of every "waiting to switch" line of the log."""
    if not log.exists():
        return []
    out = []
    for line in log.read_text(errors="replace").splitlines():
        m = _WAIT.match(line)
        if m:
            out.append((float(m.group(1)), int(m.group(2)) / 1e6))
    return out


def read_kill(route: str, seed: int, result: Any, log: Path) -> GraphKill:
    run_dir = Path(result.run_dir)
    before = int(result.recoveries_before_kill or 0)
    g = GraphKill(route, seed, result.exit_code, int(result.recoveries) - before, run_dir=str(run_dir))
    entries = [json.loads(line) for line in (run_dir / "history.jsonl").read_text().splitlines() if line]
    starts = [e for e in entries if e["type"] == "event" and e.get("value") == "recovery_started"]
    recovered = [e["time"] for e in entries if e["type"] == "transition"
                 and e["data"]["component"] == "system" and e["data"]["cause"] == "recovered"]
    waits = _graph_waits(log)
    g.graph_wait_run_ms = round(1000 * max((w for _, w in waits), default=0.0), 1)
    if len(starts) <= before:
        g.notes.append("no recovery episode after the kill")
        return g
    kill_episode = starts[before]["time"]
    back = next((t for t in recovered if t > kill_episode), None)
    if back is None:
        g.notes.append("the kill's episode never reached RUNNING")
        return g
    if len(starts) > before + 1:
        g.second_cause = str(starts[before + 1]["data"].get("cause", ""))[:120]
    summary = json.loads((run_dir / "summary.json").read_text())
    wired = (summary.get("audio") or {}).get("capture", {}).get("wired_at") or []
    after = [t for t in wired if t > back - 0.1]
    if after:
        g.wire_after_ms = round(1000 * (after[0] - back), 1)
    g.graph_wait_ms = round(1000 * max((w for t, w in waits if back <= t <= back + 1.0), default=0.0), 1)
    return g


def summarize(kills: list[GraphKill], stall_ms: float) -> dict[str, Any]:
    doubles = [k for k in kills if k.recoveries_after_kill > 1]
    by_graph = [k for k in doubles if (k.graph_wait_ms or 0.0) >= stall_ms]
    waits = np.array([k.graph_wait_ms for k in kills if k.graph_wait_ms is not None] or [np.nan])
    singles = [k.graph_wait_ms for k in kills if k.recoveries_after_kill == 1 and k.graph_wait_ms is not None]
    return {
        "kills": len(kills),
        "more_than_one_recovery_after_the_kill": len(doubles),
        "of_which_after_a_graph_wait_ge_stall": len(by_graph),
        "graph_wait_after_recovery_ms_p50": float(np.nanmedian(waits)),
        "graph_wait_after_recovery_ms_max": float(np.nanmax(waits)),
        "graph_wait_after_recovery_ms_max_single_recovery": max(singles, default=None),
        "seeds_with_more_than_one": [(k.seed, k.graph_wait_ms, k.wire_after_ms, k.second_cause) for k in doubles],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kills", type=int, default=30, help="kills per route")
    ap.add_argument("--routes", default="system")
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--stall-ms", type=float, default=250.0,
                    help="a graph wait this long is a callback outage (the rig routes' stall floor)")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="bench-graph-stalls-"))
    report: dict[str, Any] = {"args": {k: str(v) for k, v in vars(args).items()}, "routes": {}}
    with stamped_jackd_logs() as target:
        for route in args.routes.split(","):
            kills = []
            for seed in range(args.first_seed, args.first_seed + args.kills):
                target["log"] = root / f"jackd-{route}-{seed}.log"
                result = run_external_kill(route, seed=seed, report_root=root / "runs")
                k = read_kill(route, seed, result, target["log"])
                kills.append(k)
                print(f"[{route} {seed}] recoveries after the kill {k.recoveries_after_kill}, rig wired "
                      f"{k.wire_after_ms} ms after RUNNING, graph wait {k.graph_wait_ms} ms (run max "
                      f"{k.graph_wait_run_ms}) {k.second_cause} {' '.join(k.notes)}", flush=True)
            s = summarize(kills, args.stall_ms)
            report["routes"][route] = {"summary": s, "kills": [asdict(k) for k in kills]}
            print(f"\n{route}: {json.dumps(s, indent=1)}")
    print(f"\njackd logs and runs kept in {root}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
