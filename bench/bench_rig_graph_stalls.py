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

- from the restarted server's log: ``agent_open_to_active_ms``, how long the rig's replacement
  capture client took from opening on it to activating (no port of it is wired before); which
  connections JACK made feedback connections ("LOOP detected": ``tone`` into the stream, or the
  stream into the ``ears``: the destination's client then does not wait for the source's in a
  cycle); and how many connects the server answered "already connected".

``--reread DIR`` prints those log figures again from a kept bench folder's jackd logs.

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
    agent_open_to_active_ms: float | None = None
    feedback: list[str] = field(default_factory=list)
    already_connected: int = 0
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


_STAMP = re.compile(r"^(\d+\.\d+) (.*)$")
_OPEN_EARS = re.compile(r"ClientExternalOpen: .*name = (soundcheck-rig-ears-\w+)")
_ACTIVATE = re.compile(r"ClientActivate ref = \d+ name = (\S+)")
_ALLOC = re.compile(r"AllocatePortAux port_index = (\d+) name = (\S+)")
_CONNECT = re.compile(r"JackGraphManager::Connect port_src = (\d+) port_dst = (\d+)")


def restarted_server_figures(log: Path) -> dict[str, Any]:
    """From a kill's jackd log, the rig's last capture client (the one on the restarted server):
    open to activation (ms), the connections made from its opening on that JACK made feedback
    connections (``tone``: the tone into another client; ``ears``: another client into the ears;
    ``other``), and the connects answered "already connected" from then on."""
    out: dict[str, Any] = {"agent_open_to_active_ms": None, "feedback": [], "already_connected": 0}
    if not log.exists():
        return out
    lines = []
    for raw in log.read_text(errors="replace").splitlines():
        m = _STAMP.match(raw)
        if m:
            lines.append((float(m.group(1)), m.group(2)))
    opens = [(i, t, m.group(1)) for i, (t, text) in enumerate(lines) if (m := _OPEN_EARS.search(text))]
    if not opens:
        return out
    first, t_open, name = opens[-1]
    names: dict[str, str] = {}
    last_connect: tuple[str, str] | None = None
    for t, text in lines[:first]:
        if m := _ALLOC.search(text):
            names[m.group(1)] = m.group(2)
    for t, text in lines[first:]:
        if (m := _ACTIVATE.search(text)) and m.group(1) == name and out["agent_open_to_active_ms"] is None:
            out["agent_open_to_active_ms"] = round(1000 * (t - t_open), 1)
        elif m := _ALLOC.search(text):
            names[m.group(1)] = m.group(2)
        elif m := _CONNECT.search(text):
            last_connect = (names.get(m.group(1), "?"), names.get(m.group(2), "?"))
        elif "LOOP detected" in text and last_connect is not None:
            src, dst = last_connect
            out["feedback"].append("tone" if src.endswith(":tone") else "ears" if ":ears_" in dst else "other")
            last_connect = None
        elif "already connected" in text:
            out["already_connected"] += 1
    return out


def reread(folder: Path) -> int:
    """The log figures of every kill of a kept bench folder, and their summary."""
    gaps, tone_fb, ears_fb, already = [], 0, 0, []
    logs = sorted(folder.glob("jackd-*.log"), key=lambda p: (p.stem.rsplit("-", 1)[0], int(p.stem.rsplit("-", 1)[1])))
    for log in logs:
        f = restarted_server_figures(log)
        print(f"{log.name}: capture client open to active {f['agent_open_to_active_ms']} ms, feedback "
              f"connections {f['feedback']}, 'already connected' {f['already_connected']}")
        if f["agent_open_to_active_ms"] is not None:
            gaps.append(f["agent_open_to_active_ms"])
        tone_fb += "tone" in f["feedback"]
        ears_fb += "ears" in f["feedback"]
        already.append(f["already_connected"])
    print(json.dumps({"kills": len(logs),
                      "agent_open_to_active_ms_p50": float(np.median(gaps)) if gaps else None,
                      "agent_open_to_active_ms_max": max(gaps, default=None),
                      "agent_open_to_active_over_100ms": sum(g > 100 for g in gaps),
                      "kills_with_the_tone_a_feedback_connection": tone_fb,
                      "kills_with_the_ears_a_feedback_connection": ears_fb,
                      "already_connected_answers_total": sum(already)}, indent=1))
    return 0


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
    figures = restarted_server_figures(log)
    g.agent_open_to_active_ms = figures["agent_open_to_active_ms"]
    g.feedback, g.already_connected = figures["feedback"], figures["already_connected"]
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
    ap.add_argument("--reread", type=Path, default=None, help="print the log figures of a kept bench folder")
    args = ap.parse_args(argv)
    if args.reread is not None:
        return reread(args.reread)
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
