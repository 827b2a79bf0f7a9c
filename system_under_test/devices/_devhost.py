"""The device host: a child process that owns PortAudio so the system never has to trust it.

Why a process: FIELD_NOTES measured that after a JACK server dies, PortAudio's ``Stream.stop()``,
``abort()`` and ``close()`` block forever and re-initialising PortAudio does not return either. No
thread trick recovers from a call that never returns; killing the process that made it does. So
all PortAudio calls happen here, and the parent (``portaudio.py``) can always SIGKILL this
process and spawn a fresh one — which also gives a fresh PortAudio, hence a fresh device list
(PortAudio's list is frozen until re-initialised).

Protocol (all of it in this file, so both sides read the same definition):

- control: JSON lines. The parent writes requests ``{"id": n, "op": ...}`` to our stdin; we answer
  ``{"id": n, "ok": true, "result": ...}`` or ``{"id": n, "ok": false, "error": {...}}`` on the
  protocol fd (our original stdout; fd 1 is redirected to stderr so library chatter cannot corrupt
  it). Unsolicited events ``{"event": ...}`` go the same way: ``started`` as soon as the
  interpreter runs, ``hello`` once PortAudio is initialised (with its version or why it is
  unavailable; with JACK this connects to the server, which blocks while it is stalled) and ``inactive`` when a started stream stops on
  its own (the JACK host API's reaction to a dead server).
- audio: one shared-memory segment created by the parent, laid out by ``RingLayout``: two SPSC
  rings of blocks. In the PortAudio callback we push ``indata`` (+ status bits, time) into the
  input ring and pop ``outdata`` from the output ring (silence and a counter if it is empty), then
  write one byte to the *tick pipe*, which paces the parent's delivery thread and feeds its
  watchdog. Every index has exactly one writer; indices only grow (slot = index % blocks); data is
  written before the index that publishes it (aligned int64 stores are atomic and x86/ARM64 with
  the GIL-free C callback keep that order for these plain stores in practice — the ring is a
  best-effort transport, every anomaly is counted, none is fatal).
- lifetime: EOF on stdin (the parent died or let go) ends us with ``os._exit`` — never through a
  PortAudio call that might hang; the parent also sets ``PR_SET_PDEATHSIG``.
"""

from __future__ import annotations

import json
import mmap
import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

# Header slots (int64). Single writer per slot: H = host, P = parent.
IN_W = 0  # H: input blocks published
IN_R = 1  # P: input blocks consumed
OUT_W = 2  # P: output blocks published
OUT_R = 3  # H: output blocks consumed
IN_DROPPED = 4  # H: input blocks lost because the parent had not consumed the ring
OUT_STARVED = 5  # H: callbacks that found no output block (the parent was late): silence played
HOST_CALLBACKS = 6  # H: PortAudio callbacks run
HEADER_SLOTS = 16

# PortAudio's paInputUnderflow.. paPrimingOutput bit values (portaudio.h); we keep them as is.
FLAG_BITS = {
    "input_underflow": 0x1,
    "input_overflow": 0x2,
    "output_underflow": 0x4,
    "output_overflow": 0x8,
    "priming_output": 0x10,
}


@dataclass(frozen=True)
class RingLayout:
    """Byte layout of the shared segment; both processes build numpy views from it."""

    blocks: int
    block_size: int
    in_channels: int
    out_channels: int

    @property
    def _offsets(self) -> dict[str, tuple[int, int]]:
        n = self.blocks
        parts = [
            ("header", HEADER_SLOTS * 8),
            ("in_flags", n * 8),
            ("in_frames", n * 8),
            ("in_time", n * 8),
            ("in_data", n * self.block_size * max(self.in_channels, 1) * 4),
            ("out_data", n * self.block_size * max(self.out_channels, 1) * 4),
        ]
        out, pos = {}, 0
        for name, size in parts:
            out[name] = (pos, size)
            pos += size
        return out

    @property
    def nbytes(self) -> int:
        return sum(size for _, size in self._offsets.values())

    def views(self, buf: Any) -> dict[str, np.ndarray]:
        off = self._offsets
        n, b = self.blocks, self.block_size

        def arr(name: str, dtype: Any, shape: tuple[int, ...]) -> np.ndarray:
            start, size = off[name]
            return np.frombuffer(buf, dtype=dtype, count=size // np.dtype(dtype).itemsize,
                                 offset=start).reshape(shape)

        return {
            "header": arr("header", np.int64, (HEADER_SLOTS,)),
            "in_flags": arr("in_flags", np.int64, (n,)),
            "in_frames": arr("in_frames", np.int64, (n,)),
            "in_time": arr("in_time", np.float64, (n,)),
            "in_data": arr("in_data", np.float32, (n, b, max(self.in_channels, 1))),
            "out_data": arr("out_data", np.float32, (n, b, max(self.out_channels, 1))),
        }


def describe_exception(exc: BaseException) -> dict[str, Any]:
    """A JSON description of an exception raised here; the parent maps it (``map_host_error``)."""
    info: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc), "code": None,
                            "host_error": None}
    if type(exc).__name__ == "PortAudioError":
        args = exc.args
        info["message"] = str(args[0]) if args else str(exc)
        if len(args) > 1 and isinstance(args[1], int):
            info["code"] = args[1]
        if len(args) > 2 and isinstance(args[2], tuple):
            info["host_error"] = list(args[2])
    return info


class _Host:
    def __init__(self, proto: Any, tick_fd: int) -> None:
        self.proto = proto
        self.tick_fd = tick_fd
        self.write_lock = threading.Lock()
        self.sd: Any = None
        self.stream: Any = None
        self.mm: mmap.mmap | None = None
        self.views: dict[str, np.ndarray] = {}
        self.started = False
        self.inactive_reported = False

    # -------------------------------------------------------------- protocol
    def send(self, message: dict[str, Any]) -> None:
        line = json.dumps(message)
        with self.write_lock:
            self.proto.write(line + "\n")
            self.proto.flush()

    def hello(self) -> None:
        try:
            import sounddevice as sd  # noqa: PLC0415 - the only place PortAudio gets loaded
        except (OSError, ImportError) as exc:
            self.send({"event": "hello", "ok": False, "error": describe_exception(exc)})
            return
        self.sd = sd
        self.send({"event": "hello", "ok": True, "portaudio": sd.get_portaudio_version()[1],
                   "pid": os.getpid()})

    def serve(self) -> None:
        threading.Thread(target=self._monitor, name="devhost-monitor", daemon=True).start()
        for line in sys.stdin:
            try:
                request = json.loads(line)
            except ValueError:
                continue
            rid = request.get("id")
            op = request.get("op")
            if op == "exit":
                self.send({"id": rid, "ok": True, "result": None})
                os._exit(0)
            try:
                if self.sd is None:
                    raise OSError("PortAudio is not available in the device host")
                result = getattr(self, f"op_{op}")(**request.get("args", {}))
            except Exception as exc:  # noqa: BLE001 - every failure goes back as data
                self.send({"id": rid, "ok": False, "error": describe_exception(exc)})
            else:
                self.send({"id": rid, "ok": True, "result": result})
        os._exit(0)  # stdin closed: the parent is gone or let go; never risk a PortAudio call

    def _monitor(self) -> None:
        """Report a started stream that became inactive by itself (JACK host API, server died)."""
        while True:
            time.sleep(0.02)
            stream = self.stream
            if stream is None or not self.started or self.inactive_reported:
                continue
            try:
                active = stream.active
            except Exception:  # noqa: BLE001
                active = False
            if not active and self.started:
                self.inactive_reported = True
                self.send({"event": "inactive"})

    # -------------------------------------------------------------- operations
    def _hostapi_names(self) -> list[str]:
        return [h["name"] for h in self.sd.query_hostapis()]

    def op_devices(self, host_api: str | None = None, probe_rates: list[int] | None = None,
                   expect_host_api: str | None = None) -> list[dict[str, Any]]:
        """Every device (of ``host_api`` only, if given). ``expect_host_api``: a host API the caller
        knows should be there without restricting to it (the JACK host API when a JACK server
        was named): looked for again as ``host_api`` is, when missing."""
        sd = self.sd
        apis = self._host_apis_with(host_api or expect_host_api)
        out = []
        for dev in sd.query_devices():
            api = apis[dev["hostapi"]]
            if host_api is not None and api != host_api:
                continue
            default_rate = int(dev["default_samplerate"])
            rates = {default_rate}
            for rate in probe_rates or []:
                if rate == default_rate:
                    continue
                try:
                    if dev["max_output_channels"] > 0:
                        sd.check_output_settings(device=dev["index"], samplerate=rate)
                    else:
                        sd.check_input_settings(device=dev["index"], samplerate=rate)
                except Exception:  # noqa: BLE001 - "not supported" is the answer we asked for
                    continue
                rates.add(rate)
            out.append({
                "name": dev["name"], "host_api": api, "index": dev["index"],
                "max_input_channels": dev["max_input_channels"],
                "max_output_channels": dev["max_output_channels"],
                "default_sample_rate": default_rate, "sample_rates": sorted(rates),
                "default_latency_s": float(dev["default_low_output_latency"] or dev["default_low_input_latency"]),
            })
        return out

    #: How often a host API that is missing at PortAudio's start-up is looked for again. PortAudio
    #: opens its JACK client once, in Pa_Initialize; on a loaded machine that open can fail
    #: transiently even though the server is up, and the JACK host API is then simply absent.
    HOST_API_RETRIES = 3
    HOST_API_RETRY_S = 0.2

    def _host_apis_with(self, host_api: str | None) -> list[str]:
        """The host API names, re-initialising PortAudio a few times if ``host_api`` is missing."""
        apis = self._hostapi_names()
        for _ in range(self.HOST_API_RETRIES):
            if host_api is None or host_api in apis:
                break
            time.sleep(self.HOST_API_RETRY_S)  # bounded: at most retries x 0.2 s
            self.sd._terminate()  # sounddevice's documented way to re-scan host APIs and devices
            self.sd._initialize()
            apis = self._hostapi_names()
        return apis

    def _resolve(self, name: str, host_api: str | None, kind: str, expect_host_api: str | None = None) -> int:
        """Index of the device called ``name`` in this fresh PortAudio (never a stale index)."""
        key = "max_input_channels" if kind == "input" else "max_output_channels"
        apis = self._host_apis_with(host_api or expect_host_api)
        matches = [d for d in self.sd.query_devices()
                   if d["name"] == name and d[key] > 0
                   and (host_api is None or apis[d["hostapi"]] == host_api)]
        if not matches:
            where = f" in host API {host_api!r}" if host_api is not None else ""
            missing = (f"; that host API is not available (host APIs: {apis})"
                       if host_api is not None and host_api not in apis else "")
            raise LookupError(f"no {kind} device named {name!r}{where}{missing}")
        if len(matches) > 1:
            raise LookupError(f"{len(matches)} {kind} devices named {name!r} in host APIs "
                              f"{sorted(apis[d['hostapi']] for d in matches)}; pass host_api")
        return int(matches[0]["index"])

    def op_open(self, *, input_device: str, output_device: str, input_channels: int,
                output_channels: int, sample_rate: int, block_size: int, latency_s: float | None,
                host_api: str | None, shm_name: str, ring_blocks: int,
                expect_host_api: str | None = None) -> dict[str, Any]:
        if self.stream is not None:
            raise RuntimeError("a stream is already open in this device host")
        sd = self.sd
        layout = RingLayout(ring_blocks, block_size, input_channels, output_channels)
        fd = os.open(f"/dev/shm/{shm_name}", os.O_RDWR)
        try:
            self.mm = mmap.mmap(fd, layout.nbytes)
        finally:
            os.close(fd)
        v = self.views = layout.views(self.mm)
        hdr, in_flags, in_frames, in_time = v["header"], v["in_flags"], v["in_frames"], v["in_time"]
        in_data, out_data = v["in_data"], v["out_data"]
        n = ring_blocks
        tick_fd = self.tick_fd
        tick = b"\x01"
        bits = FLAG_BITS

        def callback(indata: np.ndarray, outdata: np.ndarray, frames: int, t: Any, status: Any) -> None:
            hdr[HOST_CALLBACKS] += 1
            w = int(hdr[IN_W])
            if w - int(hdr[IN_R]) < n:
                slot = w % n
                in_data[slot, :frames, :input_channels] = indata
                flags = 0
                if status:
                    for name, bit in bits.items():
                        if getattr(status, name):
                            flags |= bit
                in_flags[slot] = flags
                in_frames[slot] = frames
                in_time[slot] = t.currentTime
                hdr[IN_W] = w + 1
            else:
                hdr[IN_DROPPED] += 1
            r = int(hdr[OUT_R])
            if int(hdr[OUT_W]) > r:
                outdata[:] = out_data[r % n, :frames, :output_channels]
                hdr[OUT_R] = r + 1
            else:
                outdata.fill(0)
                hdr[OUT_STARVED] += 1
            try:
                os.write(tick_fd, tick)
            except (BlockingIOError, BrokenPipeError):
                pass

        device = (self._resolve(input_device, host_api, "input", expect_host_api),
                  self._resolve(output_device, host_api, "output", expect_host_api))
        self.stream = sd.Stream(
            device=device, channels=(input_channels, output_channels), samplerate=sample_rate,
            blocksize=block_size, dtype="float32", latency=latency_s if latency_s is not None else "low",
            callback=callback,
        )
        return {"latency": list(self.stream.latency), "sample_rate": self.stream.samplerate,
                "device": list(device)}

    def op_start(self) -> None:
        self.inactive_reported = False
        self.stream.start()
        self.started = True

    def op_stop(self) -> None:
        self.started = False
        self.stream.stop()

    def op_close(self) -> None:
        self.started = False
        stream, self.stream = self.stream, None
        if stream is not None:
            stream.close()
        self.views = {}
        if self.mm is not None:
            try:
                self.mm.close()
            except BufferError:
                pass  # a view still exists; the process ends soon anyway
            self.mm = None

    def op_status(self) -> dict[str, Any]:
        stream = self.stream
        if stream is None:
            return {"open": False}
        return {"open": True, "active": bool(stream.active), "cpu_load": float(stream.cpu_load),
                "callbacks": int(self.views["header"][HOST_CALLBACKS]) if self.views else 0}


def main() -> None:
    tick_fd = int(sys.argv[1])
    os.set_blocking(tick_fd, False)  # a full pipe must never block the audio callback
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # PortAudio/ALSA/JACK print to stdout sometimes; keep the protocol clean
    host = _Host(proto, tick_fd)
    # "started" before PortAudio loads: the parent tells a slow interpreter start (generous bound)
    # from PortAudio's initialisation hanging on a stalled audio server (short bound).
    host.send({"event": "started", "pid": os.getpid()})
    host.hello()
    host.serve()


if __name__ == "__main__":
    main()
