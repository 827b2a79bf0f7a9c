"""What the system's device ring and the rig's processes do around a JACK server kill, sampled from
inside one ``soundcheck run``.

A measuring tool, not a test. Two modes:

    PYTHONPATH=$PWD .venv/bin/python bench/rig_ring_probe.py LOG run --backend jack ...
    python3 bench/rig_ring_probe.py --read LOG...

``LOG run ...`` runs the CLI (``harness.cli.main``) with the rest of the arguments and a sampler
thread beside it that appends JSON lines to ``LOG``:

- every 20 ms, for the newest PortAudio stream the system opened: its shared ring's header
  (``_devhost``): the output lead (blocks published and not yet played, ``OUT_W - OUT_R``), the
  input blocks not yet taken (``IN_W - IN_R``), the host's starved callbacks (silence played: a
  cycle of the output held back) and dropped input blocks (a cycle of the output skipped);
- every 0.5 s, every process below the run's (jackd, the rig's agents, the device host) with each
  thread's scheduling policy, realtime priority, nice, allowed CPUs, start time, and the
  process's autogroup and cgroup: what a restarted server or client could have lost;
- with ``PROBE_JACK_VERBOSE=1`` in the environment, the rig's ``jackd`` runs with ``-v`` and its
  log (both servers of a killed run: the rig appends) is copied to ``LOG.jackd.log`` before the
  rig removes it: the server's own account of client order, feedback connections and clients
  that did not finish a cycle.

With ``PROBE_JACK_REALTIME=1`` the rig's ``jackd`` (and so, through libjack, its clients' process
threads) runs ``-R -P 70`` instead of ``--no-realtime`` (``LoopbackRig(realtime=True)``; needs root or
rtprio in limits): whether a realtime server and its restart keep SCHED_FIFO, and what it changes.

``--read`` prints, per stream (the first before a kill, the next after the restart), the seconds
sampled, callbacks a second, starved and dropped blocks a second and the lead's distribution; and
every process seen once: its most threads, the (policy, rtprio, nice, CPUs) its threads had
at any sample, and its autogroup and cgroup; and, where ``LOG.jackd.log`` was kept, per server the
cycles it began with the graph not finished, the clients it found late, and the connections it
made feedback connections (which client waits for which).

The sampler reads the ring without a lock, as the delivery thread does: each index has one writer
and is read whole, so a sample is at worst a block old.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

SAMPLE_S = 0.02
SCHED_EVERY_S = 0.5


def _thread_rows(pid: int) -> list[dict[str, Any]]:
    """Each thread of ``pid``: comm, policy, rtprio, nice, allowed CPUs, start (clock ticks)."""
    rows: list[dict[str, Any]] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            stat = (task / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()  # fields[0] is stat(5) field 3
            cpus = next(line.split()[1] for line in (task / "status").read_text().splitlines()
                        if line.startswith("Cpus_allowed_list"))
            rows.append({"tid": int(task.name), "comm": stat[stat.index("(") + 1:stat.rindex(")")],
                         "nice": int(fields[16]), "start": int(fields[19]), "rtprio": int(fields[37]),
                         "policy": int(fields[38]), "cpus": cpus})
        except (OSError, ValueError, IndexError, StopIteration):
            continue  # the thread ended while read
    return rows


def _process_row(pid: int) -> dict[str, Any]:
    def read(name: str) -> str:
        try:
            return Path(f"/proc/{pid}/{name}").read_text().strip()
        except OSError:
            return ""
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:160].decode(errors="replace")
    except OSError:
        cmd = ""
    return {"cmd": cmd, "autogroup": read("autogroup"), "cgroup": read("cgroup").splitlines()[-1:],
            "threads": _thread_rows(pid)}


def _descendants(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids = [int(k) for k in (task / "children").read_text().split()]
        except OSError:
            continue
        for kid in kids:
            out.append(kid)
            out.extend(_descendants(kid))
    return out


def _sampler(streams: list[Any], log: TextIO) -> None:
    from system_under_test.devices._devhost import (  # noqa: PLC0415 - the run's own import
        HOST_CALLBACKS, IN_DROPPED, IN_R, IN_W, OUT_R, OUT_STARVED, OUT_W)
    me = os.getpid()
    last_sched = 0.0
    while True:
        now = time.monotonic()
        for stream in streams[-1:]:
            views = stream._views
            if not views:
                continue
            hdr = views["header"]
            log.write(json.dumps({"t": now, "stream": id(stream), "host": stream.host.pid if stream.host else None,
                                  "lead": int(hdr[OUT_W]) - int(hdr[OUT_R]), "pending": int(hdr[IN_W]) - int(hdr[IN_R]),
                                  "starved": int(hdr[OUT_STARVED]), "dropped": int(hdr[IN_DROPPED]),
                                  "calls": int(hdr[HOST_CALLBACKS])}) + "\n")
        if now - last_sched >= SCHED_EVERY_S:
            last_sched = now
            log.write(json.dumps({"t": now, "sched": {p: _process_row(p) for p in [me, *_descendants(me)]}}) + "\n")
        log.flush()
        time.sleep(SAMPLE_S)


def _patch(log_path: str, log: TextIO) -> list[Any]:
    """Keep every PortAudio stream the run opens; with PROBE_JACK_REALTIME, a realtime rig jackd; with
    PROBE_JACK_VERBOSE, a verbose one whose log is kept. Returns the list the streams are appended to."""
    from harness.rig import loopback  # noqa: PLC0415
    from system_under_test.devices import portaudio  # noqa: PLC0415

    streams: list[Any] = []
    init = portaudio.PortAudioStream.__init__

    def kept_init(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        streams.append(self)
    portaudio.PortAudioStream.__init__ = kept_init  # type: ignore[method-assign]

    if os.environ.get("PROBE_JACK_REALTIME"):
        rig_init = loopback.LoopbackRig.__init__

        def realtime_init(self: Any, *args: Any, **kwargs: Any) -> None:
            rig_init(self, *args, **{**kwargs, "realtime": True})
        loopback.LoopbackRig.__init__ = realtime_init  # type: ignore[method-assign]

    if os.environ.get("PROBE_JACK_VERBOSE"):
        command, start, close = loopback.LoopbackRig.command, loopback.LoopbackRig.start, loopback.LoopbackRig.close

        def verbose(self: Any) -> list[str]:
            cmd = command(self)
            return [cmd[0], "-v", *cmd[1:]]

        def logged_start(self: Any) -> float:
            ready = start(self)
            log.write(json.dumps({"t": time.monotonic(), "jackd": self.pid, "ready_s": ready}) + "\n")
            return ready

        def kept_close(self: Any) -> None:
            try:
                Path(log_path + ".jackd.log").write_bytes(self.log_path.read_bytes())
            except OSError:
                pass
            close(self)
        loopback.LoopbackRig.command = verbose  # type: ignore[method-assign]
        loopback.LoopbackRig.start = logged_start  # type: ignore[method-assign]
        loopback.LoopbackRig.close = kept_close  # type: ignore[method-assign]
    return streams


def run(log_path: str, argv: list[str]) -> int:
    log = open(log_path, "a")  # noqa: SIM115 - open for the process's life (the sampler is a daemon)
    streams = _patch(log_path, log)
    threading.Thread(target=_sampler, args=(streams, log), name="ring-probe", daemon=True).start()
    from harness.cli import main  # noqa: PLC0415
    sys.argv = [sys.argv[0], *argv]  # the CLI's own command line, as when it runs as a program
    return int(main() or 0)


def read_jackd_log(path: Path) -> None:
    """Per server in a verbose jackd log (the rig appends a restarted server's): the cycles it began
    with the graph not finished, the clients it found late, and the connections it made feedback."""
    servers: list[dict[str, Any]] = []
    connect = ""
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("jackdmp 1."):
            servers.append({"not_finished": 0, "late": Counter(), "feedback": []})
        if not servers:
            continue
        now = servers[-1]
        if "graph not finished" in line:
            now["not_finished"] += 1
        elif "was not finished" in line:
            now["late"][re.sub(r"-[0-9a-f]{4}$", "", line.split("client = ")[1].split(" was")[0])] += 1
        elif "JackEngine::PortConnect" in line and "src = " in line and ":" in line.split("src = ")[1]:
            connect = line.split("PortConnect ")[1]
        elif "IncFeedbackConnection" in line and connect:
            now["feedback"].append(re.sub(r"-[0-9a-f]{4}:", ":", connect))
            connect = ""
    for k, server in enumerate(servers):
        print(f"  jackd {k}: cycles begun with the graph not finished {server['not_finished']}, late clients "
              f"{dict(server['late'])}, feedback connections {server['feedback']}")


def read(path: str) -> None:
    rows = [json.loads(line) for line in open(path)]
    by_stream: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        if "lead" in row and row["calls"] > 0:
            by_stream.setdefault(row["stream"], []).append(row)
    print(path)
    for k, samples in enumerate(by_stream.values()):
        if len(samples) < 2:
            continue
        first, last = samples[0], samples[-1]
        span = last["t"] - first["t"]
        leads = sorted(Counter(s["lead"] for s in samples).items())
        print(f"  stream {k} (host {first['host']}): {span:.1f} s, {(last['calls'] - first['calls']) / span:.1f} callbacks/s, "
              f"starved {(last['starved'] - first['starved']) / span:.2f}/s, dropped {(last['dropped'] - first['dropped']) / span:.2f}/s, "
              f"lead (blocks, samples) {leads}, pending max {max(s['pending'] for s in samples)}")
    procs: dict[str, dict[str, Any]] = {}
    for row in rows:
        for pid, proc in row.get("sched", {}).items():
            seen = procs.setdefault(pid, {"cmd": "", "sched": set(), "groups": set(), "threads": 0})
            seen["cmd"] = proc["cmd"] or seen["cmd"]
            seen["sched"] |= {(t["policy"], t["rtprio"], t["nice"], t["cpus"]) for t in proc["threads"]}
            seen["groups"].add((proc["autogroup"].split(" nice")[0], *proc["cgroup"]))
            seen["threads"] = max(seen["threads"], len(proc["threads"]))
    for pid, seen in procs.items():
        print(f"  pid {pid} {seen['cmd'][:60]!r}: up to {seen['threads']} threads, (policy, rtprio, nice, cpus) "
              f"{sorted(seen['sched'])}, (autogroup, cgroup) {sorted(seen['groups'])}")
    log = Path(path + ".jackd.log")
    if log.exists():
        read_jackd_log(log)

def main() -> int:
    args = sys.argv[1:]
    if args[:1] == ["--read"]:
        for path in args[1:]:
            read(path)
        return 0
    if len(args) < 2:
        print("usage: rig_ring_probe.py LOG run ARGS... | --read LOG...", file=sys.stderr)
        return 2
    return run(args[0], args[1:])


if __name__ == "__main__":
    sys.exit(main())
