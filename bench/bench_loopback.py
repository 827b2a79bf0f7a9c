"""Bench: a long real loopback run on the JACK rig, plus server-kill drills on both routes.

Not a test: it measures. ``run(duration_s)`` plays a 0.5-amplitude 997 Hz sine through the
PortAudio JACK host API on a private ``jackd -d dummy -r 48000 -p 256``, loops it back, records
what returns, and reports:

- xruns: JACK's (the rig's xrun callback) and PortAudio's (flagged callbacks in the stream's
  stats, by flag), plus the ring's own anomalies;
- signal cleanliness: RMS of the returned sine, and glitches — via ``harness.analysis`` when it
  is importable, and always a simple per-block check (least-squares sine fit per 256-frame block;
  a block whose worst sample misses the fit by more than 10 % of the amplitude is counted);
- time-to-detect / time-to-recover of a server kill on the JACK host API and ALSA ``jack`` routes.

Usage: ``python bench/bench_loopback.py [--duration 300]``; ``--system-drills N`` instead times N
server kill+restart drills per route under a running ``AudioSystem`` (detection, its own recovery).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import numpy as np

from harness import analyze_glitches
from harness.rig.loopback import LoopbackRig, SineLoop, kill_recovery_drill, wait_until
from system_under_test.devices.base import StreamSpec
from system_under_test.devices.jack import JackBackend
from system_under_test.devices.portaudio import PortAudioBackend
from system_under_test.errors import DeviceLostError, DeviceStalledError

FREQ_HZ = 997.0
AMPLITUDE = 0.5


def block_fit_errors(x: np.ndarray, rate: int, *, block: int = 256, tolerance: float = 0.10,
                     freq_hz: float = FREQ_HZ) -> tuple[int, int]:
    """(bad blocks, blocks): a block is bad when a sine fit to it misses a sample by > tolerance*A."""
    nblocks = len(x) // block
    if nblocks == 0:
        return 0, 0
    xb = x[: nblocks * block].reshape(nblocks, block).astype(np.float64)
    n = np.arange(block)
    w = 2 * np.pi * freq_hz / rate
    basis = np.stack([np.sin(w * n), np.cos(w * n), np.ones(block)], axis=1)  # (block, 3)
    coef, *_ = np.linalg.lstsq(basis, xb.T, rcond=None)  # (3, nblocks)
    err = np.abs(xb - (basis @ coef).T).max(axis=1)
    amp = np.hypot(coef[0], coef[1])
    bad = (err > tolerance * np.maximum(amp, 1e-9)) | (amp < 0.5 * AMPLITUDE)
    return int(bad.sum()), nblocks


def run(duration_s: float = 300, *, rate: int = 48000, period: int = 256, drills: bool = True,
        progress: bool = False, realtime: bool = False) -> dict[str, Any]:
    """Run the loopback for ``duration_s`` and the kill drills; return every figure as a dict."""
    result: dict[str, Any] = {"rate": rate, "period": period, "duration_s": duration_s, "realtime": realtime}
    with LoopbackRig(rate=rate, period=period, realtime=realtime) as rig:
        backend = JackBackend(rig.server_name)
        loop = SineLoop(rate, freq_hz=FREQ_HZ, amplitude=AMPLITUDE, record_s=duration_s + 5)
        errors: list[Any] = []
        spec = StreamSpec("system", "system", 2, 2, rate, period)
        stream = backend.open_stream(spec, loop, errors.append)
        try:
            stream.start()
            rig.connect_loopback(channels=2)
            wait_until(lambda: abs(loop.recent_rms(0.1) - loop.expected_rms) < 0.02, 10,
                       what="the sine to come back")
            xruns0, samples0 = rig.xruns, loop.samples
            flags0 = dict(stream.stats.flag_counts)
            flagged0 = stream.stats.flagged_callbacks
            loads: list[float] = []
            t0 = time.monotonic()
            next_report = t0 + 10
            while (now := time.monotonic()) - t0 < duration_s:
                time.sleep(min(1.0, duration_s - (now - t0)))  # a bench *is* waiting for time to pass
                loads.append(rig.cpu_load())
                if not stream.active:
                    break
                if progress and now >= next_report:
                    print(f"  {now - t0:6.0f} s  xruns {rig.xruns - xruns0}", file=sys.stderr)
                    next_report += 10
            elapsed = time.monotonic() - t0
            recorded = loop.samples - samples0
            tail = loop.tail(recorded / rate)
            result.update({
                "measured_s": elapsed,
                "blocks": recorded // period,
                "jack_xruns": rig.xruns - xruns0,
                "portaudio_flagged_blocks": stream.stats.flagged_callbacks - flagged0,
                "portaudio_flags": {k: v - flags0.get(k, 0) for k, v in stream.stats.flag_counts.items()
                                    if v - flags0.get(k, 0)},
                "ring": stream.host_counters(),
                "cpu_load_mean": float(np.mean(loads)) if loads else None,
                "cpu_load_max": float(np.max(loads)) if loads else None,
                "device_errors": [type(e).__name__ for e in errors
                                  if isinstance(e, (DeviceLostError, DeviceStalledError))],
                "stream_active_at_end": stream.active,
            })
        finally:
            stream.close()
        rms = float(np.sqrt(np.mean(tail.astype(np.float64) ** 2))) if tail.size else 0.0
        bad, nblocks = block_fit_errors(tail, rate)
        result.update({"rms": rms, "expected_rms": AMPLITUDE / 2 ** 0.5,
                       "bad_blocks": bad, "checked_blocks": nblocks})
        result["analysis"] = _analyse(tail, rate)
        result["iodelay"] = _iodelay(rig)
        if drills:
            result["drills"] = [
                kill_recovery_drill(rig, JackBackend(rig.server_name), "system", route="jack-hostapi").__dict__,
                kill_recovery_drill(rig, PortAudioBackend(host_api="ALSA", jack_server=rig.server_name), "jack",
                                    route="alsa-jack-pcm").__dict__,
            ]
    return result


ROUTES = {
    # route: (backend factory over a rig, device name, config backend name)
    "jack-hostapi": (lambda rig: JackBackend(rig.server_name), "system", "jack"),
    "alsa-jack-pcm": (lambda rig: PortAudioBackend(host_api="ALSA", jack_server=rig.server_name), "jack",
                      "portaudio"),
}


def system_drills(route: str, *, repeat: int = 5, rate: int = 48000, period: int = 256,
                  recovery: dict[str, Any] | None = None, timeout_s: float = 15.0) -> dict[str, Any]:
    """Server kill + restart under a running ``AudioSystem`` (its own recovery), ``repeat`` times.

    Per drill, on the system clock: ``detect_s`` kill -> RECOVERING; ``server_s`` the restart
    until jackd accepts clients (started as soon as the loss is detected); ``back_s`` server
    ready -> RUNNING again (recovery's next attempt: a fresh device host + PortAudio open);
    ``recover_s`` kill -> RUNNING (the outage the user hears); ``frames_lost`` the blocks the
    device did not deliver meanwhile. Also: recoveries per drill (1 unless a stale error starts
    a second) and the first error type.
    """
    from system_under_test import AudioSystem, State

    make_backend, device, backend_name = ROUTES[route]
    drills: list[dict[str, Any]] = []
    with LoopbackRig(rate=rate, period=period) as rig:
        config: dict[str, Any] = {"device": {"backend": backend_name, "input_device": device,
                                             "output_device": device},
                                  "stream": {"sample_rate": rate, "block_size": period}}
        if recovery:
            config["recovery"] = recovery
        system = AudioSystem(config, backend=make_backend(rig))
        errors: list[tuple[float, str]] = []
        system.add_event_listener(lambda e: errors.append((e.time, e.data["error"]["type"]))
                                  if e.kind == "error" else None)
        clock = system.clock
        counters = lambda: system.metrics().counters  # noqa: E731

        def flowing(n: int = 20) -> None:
            goal = counters().get("callbacks", 0) + n
            wait_until(lambda: system.state == State.RUNNING and counters().get("callbacks", 0) >= goal,
                       timeout_s, what="audio on a running system", clock=clock)

        try:
            system.initialize()
            system.start()
            flowing()
            for _ in range(repeat):
                rec0, cb0 = counters().get("recoveries", 0), counters().get("callbacks", 0)
                n_err = len(errors)
                t_kill = clock.now()
                rig.kill_server()
                wait_until(lambda: system.state == State.RECOVERING, timeout_s, what="RECOVERING", clock=clock)
                t_detect = clock.now()
                server_s = rig.restart_server()
                t_server = clock.now()
                wait_until(lambda: system.state == State.RUNNING and counters().get("recoveries", 0) > rec0,
                           timeout_s, what="RUNNING again", clock=clock)
                t_back = clock.now()
                flowing(int(0.5 * rate / period))  # half a second of audio: a stale error would show by now
                delivered = (counters().get("callbacks", 0) - cb0) * period
                drills.append({
                    "detect_s": t_detect - t_kill, "server_s": server_s, "back_s": t_back - t_server,
                    "recover_s": t_back - t_kill,
                    "frames_lost": max(0, round((clock.now() - t_kill) * rate) - delivered),
                    "recoveries": counters().get("recoveries", 0) - rec0,
                    "first_error": errors[n_err][1] if len(errors) > n_err else None,
                })
        finally:
            system.close()
    out: dict[str, Any] = {"route": route, "repeat": repeat, "drills": drills,
                           "stale_device_errors": counters().get("stale_device_errors", 0)}
    for key in ("detect_s", "server_s", "back_s", "recover_s", "frames_lost"):
        values = sorted(d[key] for d in drills)
        out[key] = {"median": values[len(values) // 2], "max": values[-1], "min": values[0]}
    return out


def print_system_drills(r: dict[str, Any]) -> None:
    ms = lambda k: f"{r[k]['median'] * 1000:.0f} ms (min {r[k]['min'] * 1000:.0f}, max {r[k]['max'] * 1000:.0f})"  # noqa: E731
    print(f"system drill {r['route']} x{r['repeat']}: detect {ms('detect_s')}; server back {ms('server_s')}; "
          f"server-ready->RUNNING {ms('back_s')}; outage {ms('recover_s')}; frames lost median "
          f"{r['frames_lost']['median']}; recoveries/drill {[d['recoveries'] for d in r['drills']]}; "
          f"first errors {sorted({str(d['first_error']) for d in r['drills']})}; stale errors discarded "
          f"{r['stale_device_errors']}")


def _analyse(x: np.ndarray, rate: int) -> dict[str, Any] | str:
    """``harness.analyze_glitches``'s report of the captured loop, or why the analysis failed."""
    try:
        report = analyze_glitches(x, rate, FREQ_HZ)
    except Exception as exc:  # noqa: BLE001 - a bench reports, it does not crash on analysis
        return f"analysis failed: {type(exc).__name__}: {exc}"
    return {"glitches": len(report.glitches), "kinds": sorted({g.kind for g in report.glitches}),
            "snr_db": report.snr_db, "thd_n_db": report.thd_n_db, "magnitude": report.magnitude}


def _iodelay(rig: LoopbackRig) -> dict[str, Any] | str:
    try:
        r = rig.measure_iodelay(samples=5)
    except Exception as exc:  # noqa: BLE001
        return f"iodelay failed: {exc}"
    return {"frames": r.frames, "ms": r.ms}


def print_table(r: dict[str, Any]) -> None:
    rows = [
        ("loopback", f"{r['rate']} Hz / {r['period']} frames, {r.get('measured_s', 0):.1f} s "
                     f"({r.get('blocks', 0)} blocks)"),
        ("JACK xruns", r.get("jack_xruns")),
        ("PortAudio flagged blocks", f"{r.get('portaudio_flagged_blocks')} {r.get('portaudio_flags') or ''}"),
        ("ring counters", r.get("ring")),
        ("DSP load mean/max %", f"{r.get('cpu_load_mean') or 0:.1f} / {r.get('cpu_load_max') or 0:.1f}"),
        ("RMS returned (expected)", f"{r['rms']:.4f} ({r['expected_rms']:.4f})"),
        ("blocks off the fitted sine >10%", f"{r['bad_blocks']} of {r['checked_blocks']}"),
        ("harness.analysis", r["analysis"]),
        ("jack_iodelay (software loop)", r["iodelay"]),
        ("device errors during run", r.get("device_errors") or "none"),
    ]
    for d in r.get("drills", []):
        rows.append((f"kill drill {d['route']}",
                     f"{d['error']}: detect {d['detect_s'] * 1000:.0f} ms, close {d['teardown_s'] * 1000:.0f} ms, "
                     f"server back {d['server_restart_s'] * 1000:.0f} ms, reopen {d['reopen_s'] * 1000:.0f} ms, "
                     f"outage {d['recover_s'] * 1000:.0f} ms"))
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=300.0, help="seconds of loopback (default 300)")
    parser.add_argument("--no-drills", action="store_true")
    parser.add_argument("--json", action="store_true", help="also print the result as JSON")
    parser.add_argument("--realtime", action="store_true",
                        help="run jackd with SCHED_FIFO (-R; needs root or rtprio) instead of --no-realtime")
    parser.add_argument("--system-drills", type=int, default=0, metavar="N",
                        help="only run N server kill+restart drills per route under a running AudioSystem")
    args = parser.parse_args(argv)
    if args.system_drills:
        results = [system_drills(route, repeat=args.system_drills) for route in ROUTES]
        for r in results:
            print_system_drills(r)
        if args.json:
            print(json.dumps(results, indent=2, default=str))
        return 0
    result = run(args.duration, drills=not args.no_drills, progress=True, realtime=args.realtime)
    print_table(result)
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
