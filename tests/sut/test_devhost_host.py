"""The device host's side of the protocol, exactly, in this process against a scripted PortAudio.

``_devhost._Host`` answers the parent (``portaudio.DeviceHost``) in JSON: what it says of a device
list, an open stream, a status and a failure is all the parent knows of PortAudio, so each answer
is checked here field by field, together with what the host asked of ``sounddevice`` to make it
(the exact ``Stream`` arguments, which rates it probed on which device). The request loop
(``serve``), the greeting (``hello``), start-up (``main``) and the monitor run here too, with stdin,
the protocol pipe, ``os._exit`` and the monitor's sleep standing in, so no process, thread or
audio server is involved: deterministic and fast. The rings' behaviour over time is
``test_devhost_transport.py``'s; the host as a real process, ``test_devhost_process.py``'s.
"""

from __future__ import annotations

import io
import json
import os
import sys
import threading
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator

import numpy as np
import pytest

from system_under_test.devices import _devhost
from system_under_test.devices._devhost import (
    FLAG_BITS,
    HEADER_SLOTS,
    HOST_CALLBACKS,
    IN_W,
    RingLayout,
    _Host,
    describe_exception,
)

JACK = "JACK Audio Connection Kit"


def _device(index: int, name: str, api: int, ins: int, outs: int, rate: float = 48_000.0,
            out_latency: float = 0.005, in_latency: float = 0.004) -> dict[str, Any]:
    return {"name": name, "hostapi": api, "index": index, "max_input_channels": ins,
            "max_output_channels": outs, "default_samplerate": rate,
            "default_low_output_latency": out_latency, "default_low_input_latency": in_latency}


class _PortAudio:
    """What ``_Host`` asks of ``sounddevice``, recorded: the host APIs (the second one, JACK, and
    its devices appear only after ``jack_after`` re-initialisations), the rate probes (a rate a
    device does not list in ``supported`` is refused as PortAudio refuses it: by raising) and the
    streams opened."""

    def __init__(self, devices: list[dict[str, Any]], supported: dict[int, set[int]] | None = None,
                 jack_after: int = 0) -> None:
        self.devices, self.supported, self.jack_after = devices, supported or {}, jack_after
        self.inits = 0
        self.probes: list[tuple[str, Any, Any]] = []
        self.opened: list[dict[str, Any]] = []
        self.closed = 0

    def _terminate(self) -> None:
        pass

    def _initialize(self) -> None:
        self.inits += 1

    def query_hostapis(self) -> list[dict[str, Any]]:
        return [{"name": "ALSA"}] + ([{"name": JACK}] if self.inits >= self.jack_after else [])

    def query_devices(self) -> list[dict[str, Any]]:
        return [d for d in self.devices if d["hostapi"] == 0 or self.inits >= self.jack_after]

    def _probe(self, way: str, device: Any, samplerate: Any) -> None:
        self.probes.append((way, device, samplerate))
        if samplerate not in self.supported.get(device, set()):
            raise ValueError("Invalid sample rate")

    def check_output_settings(self, device: Any = None, samplerate: Any = None) -> None:
        self._probe("output", device, samplerate)

    def check_input_settings(self, device: Any = None, samplerate: Any = None) -> None:
        self._probe("input", device, samplerate)

    def Stream(self, **kw: Any) -> Any:  # noqa: N802 - sounddevice's name
        self.opened.append(kw)
        return SimpleNamespace(latency=(0.004, 0.006), samplerate=float(kw["samplerate"]), active=True,
                               cpu_load=0.25, start=lambda: None, stop=lambda: None, close=self._close)

    def _close(self) -> None:
        self.closed += 1


def _host(pa: Any, monkeypatch: pytest.MonkeyPatch, tick_fd: int = -1) -> tuple[_Host, io.StringIO]:
    monkeypatch.setattr(_Host, "HOST_API_RETRY_S", 0.0)
    proto = io.StringIO()
    host = _Host(proto, tick_fd)
    host.sd = pa
    return host, proto


def _sent(proto: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in proto.getvalue().splitlines()]


# ------------------------------------------------------------------ failures described


class PortAudioError(Exception):
    """Named as sounddevice's: ``describe_exception`` reads its arguments (message, code, host error)."""


@pytest.mark.parametrize("exc, want", [
    (ValueError("bad rate"), {"type": "ValueError", "message": "bad rate", "code": None, "host_error": None}),
    (PortAudioError("Error opening", -9996, ("ALSA", -2, "No such device")),
     {"type": "PortAudioError", "message": "Error opening", "code": -9996,
      "host_error": ["ALSA", -2, "No such device"]}),
    (PortAudioError("Error opening", -9996),
     {"type": "PortAudioError", "message": "Error opening", "code": -9996, "host_error": None}),
    (PortAudioError("only a message"),
     {"type": "PortAudioError", "message": "only a message", "code": None, "host_error": None}),
    (PortAudioError(), {"type": "PortAudioError", "message": "", "code": None, "host_error": None}),
    (PortAudioError("odd", "not a code", "not a host error"),
     {"type": "PortAudioError", "message": "odd", "code": None, "host_error": None}),
])
def test_a_failure_is_described_with_its_portaudio_code_and_host_error_when_it_has_them(exc, want):
    assert describe_exception(exc) == want


# ------------------------------------------------------------------ the shared segment


@pytest.mark.parametrize("ins, outs", [(2, 2), (0, 1), (3, 0)])
def test_the_ring_layout_gives_each_field_its_type_and_shape_without_overlap(ins, outs):
    """Both processes build their views from the layout: the counters are int64 (stored whole,
    read by the other side), the block times float64, the audio float32, a direction without
    channels still one channel wide; the fields tile the segment in order."""
    layout = RingLayout(blocks=4, block_size=8, in_channels=ins, out_channels=outs)
    buf = bytearray(layout.nbytes)
    views = layout.views(buf)
    want = {"header": (np.int64, (HEADER_SLOTS,)), "in_flags": (np.int64, (4,)),
            "in_frames": (np.int64, (4,)), "in_time": (np.float64, (4,)),
            "in_data": (np.float32, (4, 8, max(ins, 1))), "out_data": (np.float32, (4, 8, max(outs, 1)))}
    assert {k: (v.dtype.type, v.shape) for k, v in views.items()} == want
    assert layout.nbytes == sum(v.nbytes for v in views.values())
    for i, view in enumerate(views.values()):  # a field written over another would spoil it
        view[...] = i + 1
    assert [bool(np.all(views[k] == i + 1)) for i, k in enumerate(want)] == [True] * 6


# ------------------------------------------------------------------ devices


def test_the_device_list_gives_each_device_its_host_api_channels_latency_and_probed_rates(monkeypatch):
    """A rate is probed the way the device plays (output if it has outputs, else input), on that
    device, never the default rate (which every device has), and an unsupported rate does not
    stop the probing of the rates after it; an output latency of 0 falls back to the input's."""
    pa = _PortAudio([_device(0, "out", 0, 0, 2),
                     _device(7, "in", 1, 2, 0, rate=44_100.0, out_latency=0.0, in_latency=0.008),
                     _device(9, "mono", 0, 1, 1)],
                    supported={0: {96_000}, 7: {48_000}, 9: set()})
    host, _ = _host(pa, monkeypatch)
    got = host.op_devices(probe_rates=[44_100, 48_000, 96_000])
    assert got == [
        {"name": "out", "host_api": "ALSA", "index": 0, "max_input_channels": 0, "max_output_channels": 2,
         "default_sample_rate": 48_000, "sample_rates": [48_000, 96_000], "default_latency_s": 0.005},
        {"name": "in", "host_api": JACK, "index": 7, "max_input_channels": 2, "max_output_channels": 0,
         "default_sample_rate": 44_100, "sample_rates": [44_100, 48_000], "default_latency_s": 0.008},
        {"name": "mono", "host_api": "ALSA", "index": 9, "max_input_channels": 1, "max_output_channels": 1,
         "default_sample_rate": 48_000, "sample_rates": [48_000], "default_latency_s": 0.005},
    ]
    assert pa.probes == [("output", 0, 44_100), ("output", 0, 96_000),
                         ("input", 7, 48_000), ("input", 7, 96_000),
                         ("output", 9, 44_100), ("output", 9, 96_000)]
    assert all(type(d["default_sample_rate"]) is int for d in got)


def test_a_device_list_of_one_host_api_skips_the_others_wherever_they_are(monkeypatch):
    pa = _PortAudio([_device(0, "a", 0, 2, 2), _device(1, "j", 1, 2, 2), _device(2, "b", 0, 2, 2)])
    host, _ = _host(pa, monkeypatch)
    assert [d["name"] for d in host.op_devices(host_api="ALSA")] == ["a", "b"]
    assert [d["name"] for d in host.op_devices(host_api=JACK)] == ["j"]
    assert pa.probes == []  # no rates asked for: none probed


def test_a_device_not_found_is_named_with_where_it_was_looked_for(monkeypatch):
    """The message is all the parent can show: the device, the way, the host API asked for, and
    the host APIs there are when that one is missing (only then)."""
    pa = _PortAudio([_device(0, "mono", 0, 1, 1), _device(1, "j", 1, 2, 2)], jack_after=99)
    host, _ = _host(pa, monkeypatch)
    assert host._resolve("mono", None, "input") == 0  # one channel is a channel
    assert host._resolve("mono", "ALSA", "output") == 0
    with pytest.raises(LookupError) as exc:
        host._resolve("nowhere", None, "input")
    assert str(exc.value) == "no input device named 'nowhere'"
    with pytest.raises(LookupError) as exc:
        host._resolve("nowhere", "ALSA", "output")
    assert str(exc.value) == "no output device named 'nowhere' in host API 'ALSA'"
    with pytest.raises(LookupError) as exc:
        host._resolve("j", JACK, "output")
    assert str(exc.value) == (f"no output device named 'j' in host API {JACK!r}; that host API is not "
                              f"available (host APIs: ['ALSA'])")


# ------------------------------------------------------------------ a stream


@pytest.fixture
def segment() -> Iterator[str]:
    """The name of a shared segment as the parent makes one (``/dev/shm/NAME``), big enough for
    ``_open``'s streams."""
    name = f"soundcheck-test-{uuid.uuid4().hex}"
    path = Path("/dev/shm") / name
    path.write_bytes(bytes(RingLayout(4, 8, 2, 2).nbytes))
    try:
        yield name
    finally:
        path.unlink()


def _open(host: _Host, shm_name: str, **kw: Any) -> dict[str, Any]:
    args: dict[str, Any] = dict(input_device="mic", output_device="spk", input_channels=2,
                                output_channels=2, sample_rate=48_000, block_size=8, latency_s=0.02,
                                host_api=JACK, shm_name=shm_name, ring_blocks=4)
    args.update(kw)
    return host.op_open(**args)


def _named_twice() -> list[dict[str, Any]]:
    """The same two names in ALSA and in JACK: only the host API asked for tells them apart."""
    return [_device(0, "mic", 0, 2, 0), _device(1, "spk", 0, 0, 2),
            _device(3, "mic", 1, 2, 0), _device(5, "spk", 1, 0, 2)]


def test_a_stream_is_opened_on_the_devices_of_its_host_api_with_every_setting_passed_on(monkeypatch, segment):
    pa = _PortAudio(_named_twice())
    host, _ = _host(pa, monkeypatch)
    assert _open(host, segment) == {"latency": [0.004, 0.006], "sample_rate": 48_000.0, "device": [3, 5]}
    (kw,) = pa.opened
    callback = kw.pop("callback")
    assert callable(callback)
    assert kw == {"device": (3, 5), "channels": (2, 2), "samplerate": 48_000, "blocksize": 8,
                  "dtype": "float32", "latency": 0.02}
    with pytest.raises(RuntimeError) as exc:
        _open(host, segment)
    assert str(exc.value) == "a stream is already open in this device host"
    host.op_close()
    _open(host, segment, latency_s=None, input_channels=1, sample_rate=44_100, block_size=4)
    assert {k: v for k, v in pa.opened[-1].items() if k != "callback"} == {
        "device": (3, 5), "channels": (1, 2), "samplerate": 44_100, "blocksize": 4, "dtype": "float32",
        "latency": "low"}
    host.op_close()


def test_a_stream_of_a_host_api_missing_at_start_is_opened_once_it_is_found_again(monkeypatch, segment):
    """No host API named, the JACK one expected (route ``system``): both devices are looked for
    again through a re-initialised PortAudio, as the device list is."""
    pa = _PortAudio([_device(3, "mic", 1, 2, 0), _device(5, "spk", 1, 0, 2)], jack_after=1)
    host, _ = _host(pa, monkeypatch)
    assert _open(host, segment, host_api=None, expect_host_api=JACK)["device"] == [3, 5]
    assert pa.inits == 1
    host.op_close()


def test_each_device_of_an_open_gets_its_own_bounded_look_for_the_expected_host_api(monkeypatch, segment):
    """The input device (in ALSA) is found after the whole bound of re-initialisations without the
    expected JACK host API; the output device (in JACK) is looked for again with a bound of its
    own, and JACK comes on its first."""
    pa = _PortAudio([_device(0, "mic", 0, 2, 0), _device(5, "spk", 1, 0, 2)], jack_after=_Host.HOST_API_RETRIES + 1)
    host, _ = _host(pa, monkeypatch)
    assert _open(host, segment, host_api=None, expect_host_api=JACK)["device"] == [0, 5]
    assert pa.inits == _Host.HOST_API_RETRIES + 1
    host.op_close()


@pytest.mark.parametrize("which, message", [
    ("input_device", f"no input device named 'nowhere' in host API {JACK!r}"),
    ("output_device", f"no output device named 'nowhere' in host API {JACK!r}"),
])
def test_an_open_names_the_device_it_could_not_find_and_the_way(monkeypatch, segment, which, message):
    pa = _PortAudio(_named_twice())
    host, _ = _host(pa, monkeypatch)
    with pytest.raises(LookupError) as exc:
        _open(host, segment, **{which: "nowhere"})
    assert str(exc.value) == message
    assert pa.opened == []


class _Status:
    """PortAudio's CallbackFlags with the named flags set (falsy when none is)."""

    def __init__(self, *names: str) -> None:
        for name in FLAG_BITS:
            setattr(self, name, name in names)

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in FLAG_BITS)


def test_each_callback_is_counted_ticked_and_published_with_all_its_flags_and_time(monkeypatch, segment):
    tick_r, tick_w = os.pipe()
    os.set_blocking(tick_w, False)
    try:
        pa = _PortAudio(_named_twice())
        host, _ = _host(pa, monkeypatch, tick_fd=tick_w)
        _open(host, segment)
        callback = pa.opened[0]["callback"]
        views = host.views
        out = np.empty((8, 2), dtype=np.float32)
        for k, status in enumerate([_Status(), _Status("input_overflow", "output_underflow", "priming_output")]):
            callback(np.full((8, 2), k + 1, dtype=np.float32), out, 8, SimpleNamespace(currentTime=12.5 + k), status)
        assert int(views["header"][HOST_CALLBACKS]) == 2 and int(views["header"][IN_W]) == 2
        assert views["in_flags"][:2].tolist() == [0, 0x2 | 0x4 | 0x10]
        assert views["in_time"][:2].tolist() == [12.5, 13.5]
        assert views["in_frames"][:2].tolist() == [8, 8]
        assert os.read(tick_r, 64) == b"\x01\x01"  # one tick byte a callback
        del views, callback
        host.op_close()
    finally:
        os.close(tick_r)
        os.close(tick_w)


def test_close_releases_the_stream_and_the_mapping_and_may_be_repeated(monkeypatch, segment):
    pa = _PortAudio(_named_twice())
    host, _ = _host(pa, monkeypatch)
    host.op_close()  # nothing open yet: nothing to release
    assert pa.closed == 0 and host.op_status() == {"open": False}
    _open(host, segment)
    host.op_start()
    pa.opened[0].pop("callback")  # the callback's closure holds views of the mapping
    mapping = host.mm
    assert host.op_status() == {"open": True, "active": True, "cpu_load": 0.25, "callbacks": 0}
    host.op_close()
    assert pa.closed == 1 and mapping is not None and mapping.closed
    assert host.op_status() == {"open": False}
    host.op_close()
    assert pa.closed == 1


def test_the_status_counts_the_host_callbacks(monkeypatch, segment):
    tick_r, tick_w = os.pipe()
    try:
        pa = _PortAudio(_named_twice())
        host, _ = _host(pa, monkeypatch, tick_fd=tick_w)
        _open(host, segment)
        out = np.empty((8, 2), dtype=np.float32)
        for _ in range(3):
            pa.opened[0]["callback"](np.zeros((8, 2), np.float32), out, 8, SimpleNamespace(currentTime=0.0),
                                     _Status())
        pa.opened[0]["callback"] = None
        assert host.op_status() == {"open": True, "active": True, "cpu_load": 0.25, "callbacks": 3}
        host.views = {}
        assert host.op_status()["callbacks"] == 0  # no views (closing): no count read
        host.op_close()
    finally:
        os.close(tick_r)
        os.close(tick_w)


# ------------------------------------------------------------------ the monitor


class _PassDone(Exception):
    pass


class _OnePass:
    """Stands for ``_devhost.time`` under the monitor: the first sleep returns, the second ends the
    loop, so one pass of its body runs on the test's thread."""

    def __init__(self) -> None:
        self.sleeps = 0

    def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        if self.sleeps > 1:
            raise _PassDone


def _one_monitor_pass(host: _Host, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(host, "send", sent.append)
    monkeypatch.setattr(_devhost, "time", _OnePass())
    with pytest.raises(_PassDone):
        host._monitor()
    return sent


def test_a_started_stream_that_cannot_say_whether_it_is_active_is_reported_inactive(monkeypatch, segment):
    """A stream whose ``active`` raises (PortAudio after its server died) is as good as stopped."""
    pa = _PortAudio(_named_twice())
    host, _ = _host(pa, monkeypatch)
    _open(host, segment)
    host.op_start()

    class _Broken:
        @property
        def active(self) -> bool:
            raise RuntimeError("PortAudio not initialized")

    stream, host.stream = host.stream, _Broken()
    assert _one_monitor_pass(host, monkeypatch) == [{"event": "inactive"}]
    host.stream = stream
    host.op_close()


def test_a_stream_opened_again_after_a_close_is_not_reported_before_it_is_started(monkeypatch, segment):
    pa = _PortAudio(_named_twice())
    host, _ = _host(pa, monkeypatch)
    _open(host, segment)
    host.op_start()
    host.op_close()
    _open(host, segment)
    host.stream.active = False  # opened, not started
    assert _one_monitor_pass(host, monkeypatch) == []
    host.op_start()
    host.op_stop()  # stopped on purpose: not a stream that stopped by itself
    assert _one_monitor_pass(host, monkeypatch) == []
    host.op_close()


# ------------------------------------------------------------------ the protocol loop


class _Exited(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _exit(code: int) -> None:
    raise _Exited(code)


def test_a_message_is_one_json_line_on_the_protocol_pipe():
    proto = io.StringIO()
    _Host(proto, -1).send({"id": 3, "ok": True, "result": [1, "two"]})
    assert proto.getvalue() == '{"id": 3, "ok": true, "result": [1, "two"]}\n'


def _serve(host: _Host, monkeypatch: pytest.MonkeyPatch, requests: list[Any]) -> int:
    """``host.serve()`` over ``requests`` (a str is sent as it is), its exit code; the monitor it
    starts only says on which thread it ran: a named daemon (a monitor that kept the process
    alive would outlive the parent's let-go)."""
    lines = "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in requests)
    monitors: list[tuple[str, bool]] = []
    ran = threading.Event()

    def monitor(self: _Host) -> None:
        assert self is host
        monitors.append((threading.current_thread().name, threading.current_thread().daemon))
        ran.set()

    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    monkeypatch.setattr(_devhost.os, "_exit", _exit)
    monkeypatch.setattr(_Host, "_monitor", monitor)
    with pytest.raises(_Exited) as exc:
        host.serve()
    assert ran.wait(10), "serve started no monitor"
    assert monitors == [("devhost-monitor", True)]
    return exc.value.code


def test_every_request_is_answered_by_its_id_and_a_failure_comes_back_as_data(monkeypatch):
    pa = _PortAudio([_device(0, "a", 0, 2, 2), _device(1, "j", 1, 2, 2)])
    host, proto = _host(pa, monkeypatch)
    code = _serve(host, monkeypatch, [
        "not json",
        {"id": 1, "op": "status"},
        {"id": 2, "op": "devices", "args": {"host_api": "ALSA"}},
        {"id": 3, "op": "nosuch"},
        {"id": 4, "op": "open", "args": {"input_device": "x"}},
    ])
    assert code == 0  # stdin ended: the parent is gone
    sent = _sent(proto)
    assert [m["id"] for m in sent] == [1, 2, 3, 4]
    assert sent[0] == {"id": 1, "ok": True, "result": {"open": False}}
    assert sent[1]["ok"] is True and [d["name"] for d in sent[1]["result"]] == ["a"]
    assert sent[2] == {"id": 3, "ok": False, "error": {
        "type": "AttributeError", "message": "'_Host' object has no attribute 'op_nosuch'", "code": None,
        "host_error": None}}
    assert sent[3]["ok"] is False and sent[3]["error"]["type"] == "TypeError"


def test_exit_is_answered_then_ends_the_host_and_nothing_after_it_is_read(monkeypatch):
    host, proto = _host(_PortAudio([]), monkeypatch)
    assert _serve(host, monkeypatch, [{"id": 8, "op": "exit"}, {"id": 9, "op": "status"}]) == 0
    assert _sent(proto) == [{"id": 8, "ok": True, "result": None}]


def test_a_host_without_portaudio_refuses_every_operation_but_exit(monkeypatch):
    proto = io.StringIO()
    host = _Host(proto, -1)
    assert _serve(host, monkeypatch, [{"id": 1, "op": "devices"}, {"id": 2, "op": "exit"}]) == 0
    assert _sent(proto) == [
        {"id": 1, "ok": False, "error": {"type": "OSError", "message": "PortAudio is not available in the device host",
                                         "code": None, "host_error": None}},
        {"id": 2, "ok": True, "result": None}]


def test_the_greeting_says_which_portaudio_was_loaded_or_why_none_was(monkeypatch):
    scripted = SimpleNamespace(get_portaudio_version=lambda: (1246720, "PortAudio V19.7.0-devel"))
    monkeypatch.setitem(sys.modules, "sounddevice", scripted)
    proto = io.StringIO()
    host = _Host(proto, -1)
    host.hello()
    assert host.sd is scripted
    assert _sent(proto) == [{"event": "hello", "ok": True, "portaudio": "PortAudio V19.7.0-devel",
                             "pid": os.getpid()}]
    monkeypatch.setitem(sys.modules, "sounddevice", None)  # an import that fails
    proto = io.StringIO()
    host = _Host(proto, -1)
    host.hello()
    (msg,) = _sent(proto)
    assert host.sd is None
    assert msg == {"event": "hello", "ok": False, "error": {
        "type": "ModuleNotFoundError", "message": "import of sounddevice halted; None in sys.modules", "code": None,
        "host_error": None}}


def test_start_up_keeps_the_protocol_on_its_own_pipe_then_greets_and_serves(monkeypatch):
    """``main``: the tick pipe made non-blocking (a full pipe must never block the callback), the
    protocol on a copy of fd 1 with fd 1 then pointed at stderr (library chatter), ``started``
    sent before PortAudio is loaded, then the greeting and the request loop."""
    r, w = os.pipe()
    calls: list[tuple[Any, ...]] = []
    order: list[str] = []
    hosts: list[_Host] = []
    with monkeypatch.context() as m:  # the os functions patched for main's call only
        m.setattr(sys, "argv", ["_devhost.py", "17"])
        m.setattr(_devhost.os, "set_blocking", lambda fd, flag: calls.append(("set_blocking", fd, flag)))
        m.setattr(_devhost.os, "dup", lambda fd: calls.append(("dup", fd)) or w)
        m.setattr(_devhost.os, "dup2", lambda a, b: calls.append(("dup2", a, b)))
        m.setattr(_Host, "hello", lambda self: order.append("hello"))
        m.setattr(_Host, "serve", lambda self: hosts.append(self) or order.append(f"serve tick_fd={self.tick_fd}"))
        _devhost.main()
    hosts[0].proto.close()  # the protocol file main made of ``w``: closes it
    assert calls == [("set_blocking", 17, False), ("dup", 1), ("dup2", 2, 1)]
    assert order == ["hello", "serve tick_fd=17"]
    with os.fdopen(r) as pipe:
        first = pipe.readline()
    assert json.loads(first) == {"event": "started", "pid": os.getpid()}
