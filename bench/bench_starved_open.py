"""Where a device open's time goes on a starved machine: the device host's CPU and runnable wait.

A benchmark, not a test: it prints figures (and writes JSON with ``--json``), never fails.

    python bench/bench_starved_open.py [--opens 10] [--route jack|alsa] [--json FILE]

It starts the JACK loopback rig (``jackd -d dummy``, no monitoring client) and opens and starts a
duplex stream on it ``--opens`` times, as a recovery attempt does (``PortAudioBackend.open_stream``
then ``start``: a fresh device host spawned, its interpreter started, PortAudio initialised, the
stream opened and started). For each open it prints the wall time, and from Linux's schedstat:

- the device host's main thread: seconds on a CPU and seconds runnable but waiting for one
  (``DeviceHost.schedstat``, what the system records as ``open_wait_s``);
- the calling thread (the system's recovery thread in a run): its runnable wait over the open;
- the thread reading the host's replies (``DeviceHost.reader_cpu_wait``);
- the stream's ``open_cpu_wait_s``: the system's own measure (those three, at most the wall time);
- jackd (every thread): its runnable wait over the open.

``host wait / wall`` near 1 says the open was the machine's (the host wanted a CPU and did not get
one); near 0 with a long wall time says something else held it (the server, a sleep, a bug). Run
it beside busy loops (``timeout 900 sh -c 'while :; do :; done' &``, un-niced) with the bench under
``nice -n 19``, as the rig ran when device opens of 16 s and 26 s were measured. The load average
is printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.rig.loopback import LoopbackRig  # noqa: E402
from system_under_test.devices.base import StreamSpec  # noqa: E402
from system_under_test.devices.jack import JackBackend  # noqa: E402
from system_under_test.devices.portaudio import PortAudioBackend, process_schedstat  # noqa: E402


def _thread_wait(pid: int, tid: int) -> float:
    try:
        with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return float("nan")


def _process_wait(pid: int) -> float:
    """Runnable wait summed over every thread of ``pid`` (jackd's: its server and driver threads)."""
    total = 0.0
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return float("nan")
    for tid in tids:
        w = _thread_wait(pid, int(tid))
        if w == w:
            total += w
    return total


def one_open(backend: PortAudioBackend, spec: StreamSpec, jackd_pid: int) -> dict[str, Any]:
    me = threading.get_native_id()
    caller0, jack0 = _thread_wait(os.getpid(), me), _process_wait(jackd_pid)
    t0 = time.monotonic()
    stream = None
    error = None
    host: tuple[float, float] | None = None
    reader: float | None = None
    measured: float | None = None
    try:
        stream = backend.open_stream(spec, lambda i, o, f, s: None, lambda e: None)
        stream.start()
        assert stream.host is not None
        host = stream.host.schedstat()
        reader = stream.host.reader_cpu_wait()
        measured = stream.open_cpu_wait_s
    except Exception as exc:  # noqa: BLE001 - a figure of its own
        error = f"{type(exc).__name__}: {exc}"
    wall = time.monotonic() - t0
    row = {"wall_s": round(wall, 4), "host_cpu_s": None if host is None else round(host[0], 4),
           "host_wait_s": None if host is None else round(host[1], 4),
           "caller_wait_s": round(_thread_wait(os.getpid(), me) - caller0, 4),
           "jackd_wait_s": round(_process_wait(jackd_pid) - jack0, 4),
           "reader_wait_s": None if reader is None else round(reader, 4),
           "open_cpu_wait_s": None if measured is None else round(measured, 4), "error": error,
           "load1": os.getloadavg()[0]}
    if stream is not None:
        try:
            stream.stop()
            stream.close()
        except Exception:  # noqa: BLE001 - teardown of a bench stream
            pass
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--opens", type=int, default=10)
    ap.add_argument("--route", choices=("jack", "alsa"), default="jack")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    rows = []
    with LoopbackRig(monitor=False) as rig:
        if args.route == "jack":
            backend: PortAudioBackend = JackBackend(server_name=rig.server_name)
            device = "system"
        else:
            backend = PortAudioBackend(host_api="ALSA", jack_server=rig.server_name)
            device = "jack"
        spec = StreamSpec(device, device, 2, 2, rig.rate, rig.period)
        for i in range(args.opens):
            row = one_open(backend, spec, rig.pid)
            rows.append(row)
            share = "-" if row["host_wait_s"] is None else f"{row['host_wait_s'] / row['wall_s']:.2f}"
            print(f"[{i + 1}/{args.opens}] wall {row['wall_s']:7.3f} s  host cpu {row['host_cpu_s']} s  "
                  f"host wait {row['host_wait_s']} s (share {share})  caller wait {row['caller_wait_s']} s  "
                  f"reader wait {row['reader_wait_s']} s  jackd wait {row['jackd_wait_s']} s  "
                  f"open_cpu_wait_s {row['open_cpu_wait_s']} s  load {row['load1']:.1f}"
                  + (f"  error {row['error']}" if row["error"] else ""), flush=True)
    ok = [r for r in rows if r["host_wait_s"] is not None]
    wall = np.array([r["wall_s"] for r in ok])
    share = np.array([r["host_wait_s"] / r["wall_s"] for r in ok])
    unexplained = np.array([r["wall_s"] - r["host_wait_s"] - r["host_cpu_s"] for r in ok])
    measured = np.array([r["open_cpu_wait_s"] / r["wall_s"] for r in ok if r["open_cpu_wait_s"] is not None])
    print()
    if ok:
        print(f"{args.route}: {len(ok)} opens ({len(rows) - len(ok)} failed), wall p50 {np.median(wall):.3f} s "
              f"max {wall.max():.3f} s; host wait / wall p50 {np.median(share):.2f} min {share.min():.2f}; "
              f"wall - host cpu - host wait p50 {np.median(unexplained):.3f} s max {unexplained.max():.3f} s; "
              f"open_cpu_wait_s / wall (the system's measure) p50 "
              f"{np.median(measured) if measured.size else float('nan'):.2f} "
              f"min {measured.min() if measured.size else float('nan'):.2f}; "
              f"load average p50 {np.median([r['load1'] for r in rows]):.1f}")
    if args.json:
        args.json.write_text(json.dumps({"args": vars(args) | {"json": str(args.json)}, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
