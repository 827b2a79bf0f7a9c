"""How long a PortAudio device host takes to start and to initialise PortAudio on the JACK rig.

A benchmark, not a test: it prints figures (and writes JSON with ``--json``), never fails.

    python bench/bench_rig_devhost_init.py [--spawns 20] [--host-api "JACK Audio Connection Kit"]

The system's PortAudio backend waits for each device host in two steps (``DeviceHost``): the
interpreter starting (``started``, with numpy imported: ``spawn_timeout_s``) and PortAudio
initialising (``hello``: sounddevice imported, ``Pa_Initialize`` connecting to the JACK server:
``init_timeout_s``). This measures both steps, with generous bounds so that none times out, against
a running rig's ``jackd``: the figures the two bounds are set from. Run it idle and under load
(``yes > /dev/null &`` twice, or ``--load 2``); the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.rig.loopback import LoopbackRig  # noqa: E402
from system_under_test.devices import portaudio as pa  # noqa: E402


def _one(env: dict[str, str]) -> tuple[float, float]:
    """(start, init) seconds of one device host: Popen to ``started``, ``started`` to ``hello``."""
    t0 = time.monotonic()
    host = pa.DeviceHost(env, python=sys.executable, spawn_timeout_s=60.0, init_timeout_s=60.0)
    t_hello = time.monotonic()
    try:
        started = host.started_at - t0 if host.started_at is not None else float("nan")
        return started, t_hello - t0 - started
    finally:
        host.shutdown(2.0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spawns", type=int, default=20)
    ap.add_argument("--load", type=int, default=0, help="busy-loop processes for the bench's duration")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    load = [subprocess.Popen([sys.executable, "-c", "while 1: pass"]) for _ in range(args.load)]
    loads: list[float] = []
    starts: list[float] = []
    inits: list[float] = []
    try:
        with LoopbackRig(monitor=False) as rig:
            env = pa.PortAudioBackend(jack_server=rig.server_name).host_env()
            for _ in range(args.spawns):
                s, i = _one(env)
                starts.append(s)
                inits.append(i)
                loads.append(os.getloadavg()[0])
    finally:
        for p in load:
            p.kill()
            p.wait()
    summary = {}
    for name, xs in (("start_s", starts), ("init_s", inits), ("start_plus_init_s", [a + b for a, b in zip(starts, inits)])):
        a = np.array(xs)
        summary[name] = {"p50": float(np.median(a)), "p90": float(np.percentile(a, 90)), "max": float(a.max())}
        print(f"{name:18s} p50 {summary[name]['p50']:.3f}  p90 {summary[name]['p90']:.3f}  max {summary[name]['max']:.3f} s")
    summary["load_avg_1m"] = {"p50": float(np.median(loads)), "max": float(max(loads))}
    summary["spawns"] = args.spawns
    print(f"{args.spawns} spawns, load average (1 min) p50 {np.median(loads):.1f}, max {max(loads):.1f}")
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "start_s": starts, "init_s": inits}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
