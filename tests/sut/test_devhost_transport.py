"""The device host's transport, both ends in one process, against a scripted PortAudio.

The real-device tests see the shared-memory rings between ``PortAudioStream`` (parent) and the
device host only through a real device, where the interesting cases (the parent late by several
blocks, the host finding nothing to play, a burst of flagged blocks) happen by chance. Here the
host's own code (``_devhost._Host.op_open``: its PortAudio callback) runs in this process against
a scripted ``sounddevice`` whose stream only records the callback, and the parent's own
``PortAudioStream._drain`` is called where its delivery thread would call it. A test then decides
the exact interleaving of host callbacks and parent deliveries and compares what each end saw
with a model of the rings' promise (``_devhost``'s docstring):

- input: a bounded FIFO of ``ring_blocks`` blocks; a block that finds it full is dropped and
  counted (``IN_DROPPED``), never written over one the parent has not read;
- output: a bounded FIFO that starts with ``prefill`` silent blocks; a host callback that finds it
  empty plays silence and counts it (``OUT_STARVED``), never a block that was not published; a
  block the parent makes while it is full would not be published (it never overwrites an unread
  one). That cannot happen: blocks in both rings together never exceed ``ring_blocks`` (a host
  callback adds one to them only by starving, when the output ring is empty), so the output ring
  has room whenever there is input to deliver; the property test checks that bound too.

No PortAudio, no process, no thread: deterministic and fast, so it runs with the simulated suite.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import select
import threading
import time
import weakref
from types import SimpleNamespace
from typing import Any, Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from system_under_test.clock import VirtualClock
from system_under_test.devices import _devhost
from system_under_test.devices._devhost import IN_DROPPED, IN_R, IN_W, OUT_R, OUT_STARVED, OUT_W
from system_under_test.devices.base import DeviceInfo, StreamSpec
from system_under_test.devices.close_waits import CloseWaits
from system_under_test.devices import portaudio
from system_under_test.devices.portaudio import PortAudioBackend, PortAudioStream
from system_under_test.errors import (
    AudioSystemError,
    BackendUnavailableError,
    CallbackError,
    DeviceFormatError,
    DeviceLostError,
    DeviceStalledError,
    DeviceNotFoundError,
    DeviceTimeoutError,
    LifecycleError,
    XrunError,
)

BLOCK = 16
CHANNELS = 2


class _ScriptedPortAudio:
    """What ``_Host`` asks of ``sounddevice``: one device, and a stream that records its callback."""

    def __init__(self, devices: list[dict[str, Any]] | None = None) -> None:
        self.stream: Any = None
        self.devices = devices if devices is not None else [
            {"name": "scripted", "hostapi": 0, "index": 0, "max_input_channels": CHANNELS,
             "max_output_channels": CHANNELS}]

    def query_hostapis(self) -> list[dict[str, Any]]:
        return [{"name": "Scripted"}, {"name": "Other"}]

    def query_devices(self) -> list[dict[str, Any]]:
        return self.devices

    def Stream(self, **kw: Any) -> Any:  # noqa: N802 - sounddevice's name
        self.stream = SimpleNamespace(callback=kw["callback"], latency=(0.01, 0.01),
                                      samplerate=kw["samplerate"], active=True,
                                      start=lambda: None, stop=lambda: None, close=lambda: None)
        return self.stream


class _InProcessHost:
    """Stands where ``DeviceHost`` stands: requests go straight to a ``_Host`` in this process."""

    def __init__(self, fail_open: BaseException | None = None) -> None:
        self.fail_open = fail_open
        self.tick_r, tick_w = os.pipe()
        os.set_blocking(tick_w, False)
        self._tick_w = tick_w
        self.sd = _ScriptedPortAudio()
        self.host = _devhost._Host(io.StringIO(), tick_w)
        self.host.sd = self.sd
        self.pid = os.getpid()
        self.alive = True
        self.on_event: Any = None

    def request(self, op: str, timeout_s: float, **args: Any) -> Any:
        if op == "open" and self.fail_open is not None:
            raise self.fail_open
        return getattr(self.host, f"op_{op}")(**args)

    def kill(self, *, deadline: float | None = None, waits: Any = None) -> None:
        self.alive = False

    def release(self, *, deadline: float | None = None, waits: Any = None) -> None:
        for fd in (self.tick_r, self._tick_w):
            if fd >= 0:
                os.close(fd)
        self.tick_r = self._tick_w = -1
        self.on_event = None  # a released host's reader has ended: no more events

    def shutdown(self, timeout_s: float, *, deadline: float | None = None, waits: Any = None) -> None:
        self.kill()
        self.release()

    def stderr_tail(self, limit: int = 2000) -> str:
        return ""


class _Backend(PortAudioBackend):
    def __init__(self, fail_open: BaseException | None = None, **kw: Any) -> None:
        super().__init__(clock=VirtualClock(), **kw)
        self.fail_open = fail_open
        self.spawned: list[_InProcessHost] = []

    def _spawn_host(self, on_event: Any = None) -> Any:
        host = _InProcessHost(self.fail_open)
        host.on_event = on_event  # what a real host's reader would call with each event
        self.spawned.append(host)
        return host


class _Stream(PortAudioStream):
    """The parent's stream with its delivery thread left empty: the test calls ``_drain``."""

    def _deliver(self) -> None:
        return


class _Flags:
    """PortAudio's CallbackFlags as the host's callback reads them (falsy when clean)."""

    def __init__(self, **set_flags: bool) -> None:
        for name in _devhost.FLAG_BITS:
            setattr(self, name, set_flags.get(name, False))

    def __bool__(self) -> bool:
        return any(getattr(self, n) for n in _devhost.FLAG_BITS)


class _Pair:
    """One stream, its host's callback, and what each end saw."""

    def __init__(self, ring_blocks: int, prefill: int) -> None:
        self.backend = _Backend(ring_blocks=ring_blocks, prefill_blocks=prefill)
        self.received: list[int] = []    # input markers the parent's callback got
        self.made = 0                     # output markers the parent's callback made (1, 2, ...)
        self.played: list[int] = []       # what each host callback played (0: silence)
        self.errors: list[Any] = []
        spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, None)
        self.stream = _Stream(self.backend, spec, self._parent_callback, self.errors.append)
        self.stream.start()
        self.host = self.backend.spawned[0]
        self.host_callback = self.host.sd.stream.callback
        self.host_blocks = 0

    def _parent_callback(self, indata: np.ndarray, outdata: np.ndarray, frames: int, t: float,
                         status: Any) -> None:
        marker = int(indata[0, 0])
        assert (indata == marker).all(), "an input block arrived torn"
        self.received.append(marker)
        self.made += 1
        outdata[:] = self.made

    def host_tick(self, flags: _Flags | None = None) -> None:
        self.host_blocks += 1
        indata = np.full((BLOCK, CHANNELS), self.host_blocks, dtype=np.float32)
        outdata = np.full((BLOCK, CHANNELS), -1.0, dtype=np.float32)
        self.host_callback(indata, outdata, BLOCK, SimpleNamespace(currentTime=0.0), flags)
        marker = int(outdata[0, 0])
        assert (outdata == marker).all(), "an output block was played torn"
        self.played.append(marker)

    def deliver(self) -> int:
        return self.stream._drain()

    @property
    def header(self) -> np.ndarray:
        return self.stream._views["header"]

    def close(self) -> None:
        self.stream.close()


@pytest.fixture
def pairs():
    made: list[_Pair] = []

    def make(ring_blocks: int = 8, prefill: int = 2) -> _Pair:
        made.append(_Pair(ring_blocks, prefill))
        return made[-1]

    yield make
    for p in made:
        p.close()


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(ring_blocks=st.integers(2, 6), data=st.data(),
       script=st.lists(st.sampled_from("hp"), min_size=1, max_size=40))
def test_both_rings_are_bounded_fifos_that_count_every_block_they_cannot_carry(ring_blocks, data, script):
    """Any interleaving of host callbacks (h) and parent deliveries (p): each end sees exactly what
    two bounded FIFOs would carry, in order, and every block that did not fit is counted."""
    prefill = data.draw(st.integers(0, ring_blocks - 1))
    pair = _Pair(ring_blocks, prefill)
    try:
        # the model: a FIFO each way
        in_q: list[int] = []
        out_q: list[int] = [0] * prefill
        want_received: list[int] = []
        want_played: list[int] = []
        dropped = starved = made = 0
        host_blocks = 0
        for step in script:
            if step == "h":
                pair.host_tick()
                host_blocks += 1
                if len(in_q) < ring_blocks:
                    in_q.append(host_blocks)
                else:
                    dropped += 1
                if out_q:
                    want_played.append(out_q.pop(0))
                else:
                    want_played.append(0)
                    starved += 1
            else:
                pair.deliver()
                while in_q:
                    want_received.append(in_q.pop(0))
                    made += 1
                    if len(out_q) < ring_blocks:
                        out_q.append(made)
            hdr = pair.header
            assert pair.received == want_received, f"after {step!r}: the parent got other input"
            assert pair.played == want_played, f"after {step!r}: the host played other output"
            assert int(hdr[IN_DROPPED]) == dropped and int(hdr[OUT_STARVED]) == starved
            assert int(hdr[IN_W]) - int(hdr[IN_R]) == len(in_q)
            assert int(hdr[OUT_W]) - int(hdr[OUT_R]) == len(out_q)
            assert len(in_q) + len(out_q) <= ring_blocks
    finally:
        pair.close()


def test_the_input_ring_full_drops_the_new_block_and_keeps_the_unread_ones(pairs):
    pair = pairs(ring_blocks=3, prefill=0)
    for _ in range(4):
        pair.host_tick()
    assert int(pair.header[IN_DROPPED]) == 1
    pair.deliver()
    assert pair.received == [1, 2, 3]
    # the drop reaches the stream's status as an input overflow (and the silence the host played,
    # with nothing published yet, as an output underflow): once each, on the first block after it
    assert pair.stream.stats.flag_counts == {"input_overflow": 1, "output_underflow": 1}
    assert [type(e).__name__ for e in pair.errors] == ["XrunError"]


def test_an_empty_output_ring_plays_silence_and_counts_it(pairs):
    pair = pairs(ring_blocks=4, prefill=0)
    pair.host_tick()
    pair.host_tick()
    assert pair.played == [0, 0] and int(pair.header[OUT_STARVED]) == 2
    assert int(pair.header[OUT_R]) == 0, "nothing was published, so nothing was consumed"
    pair.deliver()
    pair.host_tick()
    assert pair.played == [0, 0, 1]
    assert pair.stream.stats.flag_counts == {"output_underflow": 1}


def test_flagged_blocks_are_reported_at_most_once_a_second_with_the_count_since_the_last(pairs):
    """``_xrun_seen``'s promise: one ``XrunError`` per second at most, carrying how many flagged
    blocks came since the previous report (virtual clock: exact)."""
    pair = pairs()
    clock = pair.backend.clock
    overflow = _Flags(input_overflow=True)

    def flagged_block() -> None:
        pair.host_tick(overflow)
        pair.deliver()

    flagged_block()
    xruns = [e for e in pair.errors if isinstance(e, XrunError)]
    assert [e.details["count"] for e in xruns] == [1]
    clock.advance(0.5)
    flagged_block()
    flagged_block()
    assert len([e for e in pair.errors if isinstance(e, XrunError)]) == 1, "rate-limited"
    clock.advance(0.5)  # one second since the first report
    flagged_block()
    xruns = [e for e in pair.errors if isinstance(e, XrunError)]
    assert [e.details["count"] for e in xruns] == [1, 3]
    assert xruns[-1].details["flags"] == ["input_overflow"]
    clock.advance(3600.0)
    flagged_block()
    assert [e.details["count"] for e in pair.errors if isinstance(e, XrunError)] == [1, 3, 1]


def test_a_delivery_that_finds_no_block_leaves_the_watchdogs_reference_alone(pairs):
    """The delivery thread drains on every wake-up, a timeout included; the stall watchdog measures
    silence from ``stats.last_callback_at``, so only a block that arrived may move it."""
    pair = pairs()
    clock = pair.backend.clock
    clock.advance(0.25)
    pair.host_tick()
    assert pair.deliver() == 1
    assert pair.stream.stats.last_callback_at == 0.25
    clock.advance(1.0)
    assert pair.deliver() == 0
    assert pair.stream.stats.last_callback_at == 0.25, "an empty wake-up looked like a block"
    assert pair.stream.stats.callbacks == 1


def _segments() -> set[str]:
    return {p.name for p in os.scandir("/dev/shm") if p.name.startswith(f"soundcheck-{os.getpid()}-")}


@pytest.mark.parametrize(("failure", "raised"), [
    (portaudio._HostTimeout("open"), DeviceTimeoutError),
    (portaudio._HostGone("open"), DeviceLostError),
    (DeviceNotFoundError("no such device", component="device"), DeviceNotFoundError),
], ids=["timeout", "host-gone", "refused"])
def test_an_open_that_fails_any_way_leaves_no_host_segment_or_pipe(failure: BaseException,
                                                                  raised: type[AudioSystemError]) -> None:
    """Every way ``open`` can fail (no answer in time, the host died, PortAudio refused) gives back
    what the stream took before asking: the shared-memory segment, the wake-up pipe and the host."""
    segments = _segments()
    backend = _Backend(fail_open=failure)
    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, None)
    made: list[PortAudioStream] = []

    class Recorded(_Stream):
        def __init__(self, *args: Any) -> None:
            made.append(self)
            super().__init__(*args)

    asked_to_exit: list[float] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_InProcessHost, "stderr_tail", lambda self, limit=2000: "the host's last words")
        # a polite exit is only recorded: a host that failed its open must be killed, not asked
        mp.setattr(_InProcessHost, "shutdown", lambda self, timeout_s: asked_to_exit.append(timeout_s))
        with pytest.raises(raised) as exc:
            Recorded(backend, spec, lambda *a: None, lambda e: None)
    assert asked_to_exit == [], "a host whose open failed was asked to exit instead of killed"
    err = exc.value
    if raised is DeviceTimeoutError:
        assert (err.message, err.component, err.details) == (
            "opening 'scripted' did not finish within 2.0 s", "device", {})
    elif raised is DeviceLostError:
        assert (err.message, err.component, err.details) == (
            "device host died while opening 'scripted'", "device", {"stderr": "the host's last words"})
    else:
        assert err is failure
    (host,), (stream,) = backend.spawned, made
    assert stream not in backend._streams and stream.host is host
    assert not host.alive and host.tick_r == -1, "the host was not killed and released"
    assert _segments() == segments, "a shared-memory segment outlived the failed open"
    assert stream._wake_r == stream._wake_w == -1, "the wake-up pipe outlived the failed open"
    assert not backend._streams


def test_a_closed_stream_is_not_kept_alive_by_its_backend():
    """A backend outlives its streams (a recovery opens one per attempt): one it kept after
    ``close()`` would hold its scratch buffers and callback (the whole pipeline) for good."""
    backend = _Backend()
    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, None)
    stream = _Stream(backend, spec, lambda *a: None, lambda e: None)
    stream.start()
    ref = weakref.ref(stream)
    stream.close()
    del stream
    gc.collect()
    assert ref() is None, f"a closed stream is still referenced: {gc.get_referrers(ref()) if ref() else ''}"


def test_closing_the_backend_closes_every_stream_it_opened_started_or_not():
    """``PortAudioBackend.close`` closes each stream still open (each close takes the stream out of
    the backend's set as it goes): none is left open, no host alive, no segment behind, and a
    second close does nothing."""
    segments = _segments()
    backend = _Backend()
    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, None)
    streams = [_Stream(backend, spec, lambda *a: None, lambda e: None) for _ in range(3)]
    streams[0].start()
    streams[2].start()
    assert backend._streams == set(streams) and len(_segments() - segments) == 3
    backend.close()
    assert [s.closed for s in streams] == [True, True, True]
    assert [h.alive for h in backend.spawned] == [False, False, False]
    assert backend._streams == set() and _segments() == segments
    backend.close()
    assert backend._streams == set()


def _device(index: int, name: str, api: int, ins: int, outs: int) -> dict[str, Any]:
    return {"name": name, "hostapi": api, "index": index, "max_input_channels": ins,
            "max_output_channels": outs}


def test_the_host_resolves_a_name_to_the_one_device_of_that_name_with_channels_that_way():
    """Cards often list an input and an output device under one name (and the same name in two
    host APIs): a lookup takes the one with channels in the direction asked, and refuses when
    two qualify."""
    sd = _ScriptedPortAudio([
        _device(0, "card", 0, 0, 2),      # output half
        _device(1, "card", 0, 2, 0),      # input half
        _device(2, "both", 0, 2, 2),
        _device(3, "both", 1, 2, 2),      # the same name in another host API
    ])
    host = _devhost._Host(io.StringIO(), -1)
    host.sd = sd
    assert host._resolve("card", None, "input") == 1
    assert host._resolve("card", None, "output") == 0
    assert host._resolve("both", "Other", "input") == 3
    with pytest.raises(LookupError, match="2 input devices named 'both'"):
        host._resolve("both", None, "input")
    with pytest.raises(LookupError, match="no input device named 'nothing'"):
        host._resolve("nothing", None, "input")


# -- small promises of the PortAudio stream and backend that only a real device would exercise ------
def test_a_closed_stream_reports_no_loss_whatever_its_host_says_after(pairs):
    """Once closed, a stream is nobody's: a late 'inactive' or 'host_exit' from its host (the
    host dying as it is shut down) is not reported as a lost device."""
    p = pairs()
    p.close()
    p.stream._on_host_event({"event": "inactive"})
    p.stream._on_host_event({"event": "host_exit"})
    assert p.errors == [] and p.stream.broken is None


@contextlib.contextmanager
def _scripted_stream(host: "_InProcessHost") -> Iterator[None]:
    """The host's scripted stream opened on a ring of 4 blocks in shared memory, which is
    unlinked afterwards whatever happened."""
    shm = portaudio.shared_memory.SharedMemory(create=True, size=_devhost.RingLayout(
        4, BLOCK, CHANNELS, CHANNELS).nbytes)
    try:
        host.request("open", 1.0, input_device="scripted", output_device="scripted",
                     input_channels=CHANNELS, output_channels=CHANNELS, sample_rate=48_000,
                     block_size=BLOCK, latency_s=None, host_api=None, shm_name=shm.name,
                     ring_blocks=4)
        yield
    finally:
        shm.close()
        shm.unlink()


def test_a_started_host_forgets_an_earlier_inactive_report():
    """The device host reports a started stream that stopped by itself once per start: a stream
    started again after such a report is watched again."""
    host = _InProcessHost()
    try:
        with _scripted_stream(host):
            host.host.inactive_reported = True  # as after the monitor's report
            host.request("stop", 1.0)
            host.request("start", 1.0)
            assert host.host.started and not host.host.inactive_reported
            host.request("close", 1.0)
    finally:
        host.release()


@pytest.mark.parametrize("block, rate, want", [(256, 48_000, 0.3), (4096, 8_000, 8 * 4096 / 8_000)])
def test_the_teardown_bound_is_the_stop_timeout_or_eight_periods_whichever_is_longer(block, rate, want):
    """A polite stop/close/exit waits at least the backend's ``stop_timeout_s`` (0.3 s) and never
    less than eight periods of a long block, before the host is killed."""
    backend = _Backend()
    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, rate, block, None)
    stream = _Stream(backend, spec, lambda *a: None, lambda e: None)
    try:
        assert stream.teardown_timeout_s == pytest.approx(want)
    finally:
        stream.close()


def test_the_portaudio_backends_defaults_are_the_measured_ones():
    """The stream watchdog waits 16 periods (at least 0.25 s): gaps of several periods are normal
    through the device host on a loaded machine; an 8-block ring with 2 blocks of prefill; 2 s for
    a control request, 0.3 s for a polite stop, 10 s to spawn a host."""
    b = PortAudioBackend()
    assert (b.watchdog_periods, b.watchdog_min_s, b.ring_blocks, b.prefill_blocks) == (16, 0.25, 8, 2)
    assert (b.control_timeout_s, b.stop_timeout_s, b.spawn_timeout_s) == (2.0, 0.3, 10.0)
    assert PortAudioBackend.PROBE_RATES == (44_100, 48_000)


class _DiscoveryHost:
    """A device host for ``devices()``: answers, times out or dies; records its shutdown."""

    def __init__(self, outcome: Any) -> None:
        self.outcome = outcome
        self.asked: dict[str, Any] = {}
        self.shut = False

    def request(self, op: str, timeout_s: float, **args: Any) -> Any:
        self.asked = dict(args, op=op, timeout_s=timeout_s)
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome

    def shutdown(self, timeout_s: float, *, deadline: float | None = None, waits: Any = None) -> None:
        self.shut = timeout_s

    def stderr_tail(self, limit: int = 2000) -> str:
        return "the host's last words"


@pytest.mark.parametrize("backend_cls", ["portaudio", "jack"])
@pytest.mark.parametrize("outcome", ["answer", "timeout", "gone"])
def test_device_discovery_shuts_its_host_down_whatever_happens(backend_cls, outcome):
    """Every discovery runs in a fresh host, shut down after it answered, timed out or died (a
    host left behind is a process and a PortAudio instance per failed scan); a JACK backend probes
    no rates (its server runs at one), a PortAudio one the common two."""
    from system_under_test.devices.jack import JackBackend

    cls = {"portaudio": PortAudioBackend, "jack": JackBackend}[backend_cls]
    raw = [{"name": "card", "max_input_channels": 2, "max_output_channels": 4, "sample_rates": [44_100, 48_000],
            "default_sample_rate": 48_000.0, "default_latency_s": 0.005}]
    host = _DiscoveryHost({"answer": raw, "timeout": portaudio._HostTimeout("devices"),
                           "gone": portaudio._HostGone("devices")}[outcome])

    class Scripted(cls):  # type: ignore[misc, valid-type]
        def _spawn_host(self, on_event: Any = None) -> Any:
            return host

    backend = Scripted(spawn_timeout_s=7.5, control_timeout_s=1.5)
    if outcome == "answer":
        assert backend.devices() == [DeviceInfo(
            name="card", backend=cls.name, max_input_channels=2, max_output_channels=4,
            sample_rates=(44_100, 48_000), default_sample_rate=48_000.0, default_latency_s=0.005)]
    else:
        with pytest.raises((DeviceTimeoutError, DeviceLostError)) as exc:
            backend.devices()
        err = exc.value
        if outcome == "timeout":
            assert (type(err), err.message, err.component, err.details) == (
                DeviceTimeoutError, "device discovery did not finish in time", "device", {})
        else:
            assert (type(err), err.message, err.component, err.details) == (
                DeviceLostError, "device host died during discovery", "device", {"stderr": "the host's last words"})
        assert isinstance(err.__cause__, (portaudio._HostTimeout, portaudio._HostGone))
    assert host.shut == 1.5  # the control timeout bounds the shutdown
    assert (host.asked["op"], host.asked["timeout_s"]) == ("devices", 7.5)
    assert host.asked["expect_host_api"] == (portaudio.JACK_HOST_API if backend_cls == "jack" else None)
    assert host.asked["probe_rates"] == ([] if backend_cls == "jack" else [44_100, 48_000])
    assert host.asked["host_api"] == (portaudio.JACK_HOST_API if backend_cls == "jack" else None)


def test_a_restarted_stream_reports_no_xrun_from_before_its_restart(pairs):
    """A start resets the ring's header, the host's drop and starve counts with it; the parent's
    record of those counts starts again too, or the first block after a restart would carry an
    input overflow and an output underflow the restarted stream never had."""
    pair = pairs(ring_blocks=3, prefill=1)
    for _ in range(4):  # the fourth block finds the input ring full; all but the first starve
        pair.host_tick()
    pair.deliver()
    assert int(pair.header[IN_DROPPED]) == 1 and int(pair.header[OUT_STARVED]) == 3
    before = dict(pair.stream.stats.flag_counts)
    assert before == {"input_overflow": 1, "output_underflow": 1}
    pair.stream.stop()
    pair.stream.start()
    pair.host_tick()  # plays the prefilled block: nothing dropped, nothing starved
    assert pair.deliver() == 1
    assert int(pair.header[IN_DROPPED]) == 0 and int(pair.header[OUT_STARVED]) == 0
    assert pair.stream.stats.flag_counts == before


class _MonitorEnded(Exception):
    pass


def _monitored_host(monkeypatch: Any, counted: "_CountedSleep") -> tuple["_InProcessHost", threading.Thread]:
    """A host in this process whose monitor sleeps on ``counted`` (its passes counted), and the
    thread to run that monitor on (not started)."""
    monkeypatch.setattr(_devhost, "time", counted)
    host = _InProcessHost()
    return host, threading.Thread(target=counted.run, args=(host.host._monitor,), daemon=True)


class _CountedSleep:
    """Stands for ``_devhost.time`` under the host's monitor: each ``sleep`` is one pass of its
    loop, counted, so a test can wait for whole passes instead of guessing at durations; ``end``
    makes the next sleep end the monitor's loop (``run``)."""

    def __init__(self) -> None:
        self.passes = 0
        self.ended = False
        self._cond = threading.Condition()

    def sleep(self, seconds: float) -> None:
        with self._cond:
            if self.ended:
                raise _MonitorEnded
            self.passes += 1
            self._cond.notify_all()
        time.sleep(0.0005)

    def wait_passes(self, count: int) -> None:
        with self._cond:
            goal = self.passes + count
            assert self._cond.wait_for(lambda: self.passes >= goal, timeout=5), "the monitor stopped"

    def end(self) -> None:
        with self._cond:
            self.ended = True

    @staticmethod
    def run(loop: Any) -> None:
        try:
            loop()
        except _MonitorEnded:
            pass


def test_a_stream_still_starting_is_never_reported_inactive(monkeypatch):
    """The monitor reports a *started* stream that went inactive by itself (a dead server); a
    stream whose ``start()`` has not returned yet is inactive because it is not running yet. The
    scripted start holds until the monitor has made whole passes over it."""
    counted = _CountedSleep()
    host, monitor = _monitored_host(monkeypatch, counted)
    sent: list[dict[str, Any]] = []
    try:
        with _scripted_stream(host):
            stream = host.sd.stream
            stream.active = False  # opened, not started

            def slow_start() -> None:
                counted.wait_passes(3)  # at least two whole passes while the start is under way
                stream.active = True

            stream.start = slow_start
            host.host.send = sent.append
            monitor.start()
            host.request("start", 1.0)
            counted.wait_passes(2)
            assert sent == [], "a start in progress was reported as a stream that stopped"
            stream.active = False  # the server dies: now it is reported, once
            counted.wait_passes(3)
            assert sent == [{"event": "inactive"}]
            host.request("close", 1.0)
    finally:
        counted.end()
        monitor.join(5)
        host.release()


class _CountedSelect:
    """Stands for ``portaudio.select`` under a stream's real delivery loop
    (``PortAudioStream._deliver``): each ``select`` is one pass of the loop, counted, and waits at
    most 10 ms of real time. The stream's clock is virtual, so the watchdog decides by it, not by
    how long a pass took; a test waits for whole passes instead of guessing at durations."""

    def __init__(self) -> None:
        self.passes = 0
        #: the timeout each pass asked for (the loop's own, before the 10 ms cap)
        self.timeouts: list[float] = []
        self._cond = threading.Condition()
        self._real = select.select

    def select(self, r: Any, w: Any, x: Any, timeout: float) -> Any:
        with self._cond:
            self.passes += 1
            self.timeouts.append(timeout)
            self._cond.notify_all()
        return self._real(r, w, x, min(timeout, 0.01))

    def wait_passes(self, count: int) -> None:
        """Until ``count`` more passes began: with 2 or more, one whole pass (wake-up, drain,
        watchdog check) ran after the call."""
        with self._cond:
            goal = self.passes + count
            assert self._cond.wait_for(lambda: self.passes >= goal, timeout=10), "the delivery loop stopped"

    def wait_for(self, condition: Any, what: str) -> None:
        """Pass after pass until ``condition()`` holds; at most 10 s of real time."""
        deadline = time.monotonic() + 10
        while not condition():
            assert time.monotonic() < deadline, f"no {what} within 10 s"
            self.wait_passes(1)


@contextlib.contextmanager
def _delivering(stream: PortAudioStream, monkeypatch: pytest.MonkeyPatch) -> Iterator[_CountedSelect]:
    """The stream's own delivery loop on a thread of the test's (``_Stream`` leaves its thread
    empty), its passes counted; halted and joined afterwards."""
    counted = _CountedSelect()
    monkeypatch.setattr(portaudio, "select", SimpleNamespace(select=counted.select))
    thread = threading.Thread(target=PortAudioStream._deliver, args=(stream,), daemon=True)
    thread.start()
    try:
        yield counted
    finally:
        stream._halt.set()
        os.write(stream._wake_w, b"x")
        thread.join(5)
        assert not thread.is_alive(), "the delivery loop did not stop"


def _stalls(errors: list[Any]) -> list[Any]:
    return [e for e in errors if isinstance(e, DeviceStalledError)]


def test_a_stall_that_ended_is_reported_again_when_the_stream_stalls_again(pairs, monkeypatch):
    """The watchdog reports each stall episode once; a block ends the episode, so the next
    silence of a watchdog's length is a new stall, reported too (a stream that stalls, resumes
    and stalls again has two)."""
    pair = pairs()
    clock = pair.backend.clock
    stream = pair.stream
    with _delivering(stream, monkeypatch) as loop:
        pair.host_tick()
        loop.wait_for(lambda: stream.stats.callbacks == 1, "first block")
        clock.advance(1.0)  # four watchdog lengths (0.25 s) without a block
        loop.wait_for(lambda: len(_stalls(pair.errors)) == 1, "stall report")
        loop.wait_passes(3)
        assert len(_stalls(pair.errors)) == 1, "one stall episode reported twice"
        pair.host_tick()  # the stream resumes: the episode is over
        loop.wait_for(lambda: stream.stats.callbacks == 2, "block after the stall")
        clock.advance(1.0)  # and stalls again
        loop.wait_passes(3)
        assert len(_stalls(pair.errors)) == 2, "the second stall was not reported"


def test_a_block_at_time_zero_is_a_block_the_watchdog_counts_from(pairs, monkeypatch):
    """``last_callback_at == 0.0`` is a block at the clock's origin (a virtual clock starts
    there), not "no block yet": the silence after it is a stall like any other."""
    pair = pairs()
    clock = pair.backend.clock
    stream = pair.stream
    assert clock.now() == 0.0
    with _delivering(stream, monkeypatch) as loop:
        pair.host_tick()
        loop.wait_for(lambda: stream.stats.callbacks == 1, "first block")
        assert stream.stats.last_callback_at == 0.0
        clock.advance(1.0)  # four watchdog lengths (0.25 s) without a block
        loop.wait_for(lambda: len(_stalls(pair.errors)) == 1, "stall report")
    assert _stalls(pair.errors)[0].details["silent_s"] == pytest.approx(1.0)


def test_a_restarted_streams_watchdog_counts_from_the_restart_not_from_the_last_block(pairs, monkeypatch):
    """``start()`` is the watchdog's origin: a stream stopped for ten seconds and started again
    has not been silent for ten seconds. Until its first block it gets the first-block grace
    (``FIRST_BLOCK_GRACE_S``), counted from the restart, and a stall past it is still reported."""
    pair = pairs()
    clock = pair.backend.clock
    stream = pair.stream
    pair.host_tick()
    assert pair.deliver() == 1
    stream.stop()
    clock.advance(10.0)
    stream.start()
    assert stream.min_stall_s == max(stream.watchdog_s, portaudio.FIRST_BLOCK_GRACE_S)
    with _delivering(stream, monkeypatch) as loop:
        loop.wait_passes(3)
        assert _stalls(pair.errors) == [], "a restarted stream was called stalled at once"
        clock.advance(portaudio.FIRST_BLOCK_GRACE_S + 0.5)  # no block since the restart
        loop.wait_for(lambda: len(_stalls(pair.errors)) == 1, "stall report")
    assert _stalls(pair.errors)[0].details["silent_s"] == pytest.approx(portaudio.FIRST_BLOCK_GRACE_S + 0.5)


def test_the_delivery_loop_sleeps_until_the_watchdog_is_due_then_a_whole_watchdog_while_stalled(pairs, monkeypatch):
    """Each pass of the delivery loop waits for a tick at most until the watchdog is due (the
    first-block grace from the start, then ``watchdog_s`` from the last block); a silence of
    exactly ``watchdog_s`` is a stall, and while the stall is open each wait is a whole
    ``watchdog_s`` (no spinning on a deadline already past). A tick it woke for is consumed."""
    pair = pairs()
    clock = pair.backend.clock
    stream = pair.stream
    assert (stream.watchdog_s, portaudio.FIRST_BLOCK_GRACE_S) == (0.25, 2.0)
    clock.advance(0.5)  # started at 0.0, no block yet
    with _delivering(stream, monkeypatch) as loop:
        loop.wait_passes(2)
        assert loop.timeouts[-1] == 1.5  # 0.0 + 2.0 - 0.5
        pair.host_tick()
        loop.wait_for(lambda: stream.stats.callbacks == 1, "first block")
        loop.wait_passes(2)
        assert stream.stats.last_callback_at == 0.5 and loop.timeouts[-1] == 0.25
        assert select.select([pair.host.tick_r], [], [], 0)[0] == [], "the tick was left in its pipe"
        clock.advance(0.125)
        loop.wait_passes(2)
        assert loop.timeouts[-1] == 0.125 and _stalls(pair.errors) == []
        clock.advance(0.125)  # exactly one watchdog since the block
        loop.wait_passes(3)
        (stall,) = _stalls(pair.errors)
        assert stall.details["silent_s"] == 0.25
        assert loop.timeouts[-1] == 0.25


def test_the_delivery_loop_reports_its_hosts_death_once_and_goes_on_until_halted(pairs, monkeypatch):
    """End of file on the tick pipe (only the host holds its write end) is the host's death: the
    loop reports the device lost once, with its reason, and goes on watching its wake-up pipe
    until the stream halts it."""
    pair = pairs()
    stream = pair.stream
    with _delivering(stream, monkeypatch) as loop:
        loop.wait_passes(2)
        os.close(pair.host._tick_w)  # what the host's death does to the pipe
        pair.host._tick_w = -1
        loop.wait_for(lambda: pair.errors != [], "loss report")
        loop.wait_passes(3)
        (err,) = pair.errors
        assert (type(err), err.message, err.component, err.details) == (
            DeviceLostError, "the device host process died", "device",
            {"reason": "host_exit", "device": "scripted", "backend": "portaudio"})
        assert stream.broken == "lost"


def test_what_a_raising_callback_wrote_is_not_played():
    """A callback that raised is a block of silence: whatever it wrote before raising is thrown
    away (a half-made block, or one computed from a state the error broke), and the error is
    reported."""
    backend = _Backend(ring_blocks=4, prefill_blocks=1)
    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, None)
    errors: list[Any] = []

    def half_written(indata: np.ndarray, outdata: np.ndarray, frames: int, t: float, status: Any) -> None:
        outdata[:] = 0.5
        raise RuntimeError("after writing")

    stream = _Stream(backend, spec, half_written, errors.append)
    stream.start()
    try:
        host_callback = backend.spawned[0].sd.stream.callback
        played = []
        for _ in range(2):
            outdata = np.full((BLOCK, CHANNELS), -1.0, dtype=np.float32)
            host_callback(np.ones((BLOCK, CHANNELS), dtype=np.float32), outdata, BLOCK,
                          SimpleNamespace(currentTime=0.0), None)
            played.append(outdata.copy())
            stream._drain()
        assert not played[0].any(), "the first block played is the prefilled silence"
        assert not played[1].any(), "the raising callback's block was played"
        assert [type(e) for e in errors] == [CallbackError]
    finally:
        stream.close()


@pytest.mark.parametrize(("ins", "outs"), [(1, 2), (2, 1), (1, 4)])
def test_a_stream_with_other_channel_counts_each_way_carries_every_channel(ins: int, outs: int):
    """The ring's input and output areas are sized by their own channel counts: a mono input
    with a stereo output (and the other way round) carries each channel both ways."""
    backend_sd = _ScriptedPortAudio([_device(0, "scripted", 0, 4, 4)])
    spec = StreamSpec("scripted", "scripted", ins, outs, 48_000, BLOCK, None)
    received: list[np.ndarray] = []

    def callback(indata: np.ndarray, outdata: np.ndarray, frames: int, t: float, status: Any) -> None:
        received.append(indata.copy())
        outdata[:] = np.arange(1, outs + 1, dtype=np.float32)

    class Spawn(_Backend):
        def _spawn_host(self, on_event: Any = None) -> Any:
            host = _InProcessHost()
            host.sd = host.host.sd = backend_sd
            self.spawned.append(host)
            return host

    backend = Spawn(ring_blocks=4, prefill_blocks=0)
    stream = _Stream(backend, spec, callback, lambda e: None)
    stream.start()
    try:
        host_callback = backend_sd.stream.callback
        sent = np.tile(np.arange(10, 10 + ins, dtype=np.float32), (BLOCK, 1))
        played = []
        for _ in range(2):
            outdata = np.full((BLOCK, outs), -1.0, dtype=np.float32)
            host_callback(sent, outdata, BLOCK, SimpleNamespace(currentTime=0.0), None)
            played.append(outdata.copy())
            stream._drain()
        assert len(received) == 2 and all(np.array_equal(r, sent) for r in received)
        assert not played[0].any()
        assert np.array_equal(played[1], np.tile(np.arange(1, outs + 1, dtype=np.float32), (BLOCK, 1)))
    finally:
        stream.close()


def test_an_opened_streams_host_dying_is_reported_as_a_lost_device():
    """The device host can die between ``open`` and ``start`` as well (the audio server killed
    it, the OOM killer): the stream reports the device lost once, is broken, and refuses to
    start."""
    backend = _Backend()
    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, None)
    errors: list[Any] = []
    stream = _Stream(backend, spec, lambda *a: None, errors.append)
    try:
        stream.host.kill()
        stream._on_host_event({"event": "host_exit"})  # what the host's reader sends at its EOF
        stream._on_host_event({"event": "host_exit"})
        assert [type(e) for e in errors] == [DeviceLostError]
        assert errors[0].details["reason"] == "host_exit"
        assert stream.broken == "lost" and stream.events.lost_at is not None
        with pytest.raises(DeviceLostError):
            stream.start()
    finally:
        stream.close()


def test_the_host_looks_at_a_started_stream_every_few_milliseconds(monkeypatch):
    """The monitor's pass is short (20 ms): a stream that stopped by itself (the JACK host API's
    reaction to a dead server) is reported within a few blocks, well inside the 3 s a disconnect
    may take to be reported. Each pass's sleep is read, not timed."""
    asked: list[float] = []

    class Recorded(_CountedSleep):
        def sleep(self, seconds: float) -> None:
            asked.append(seconds)
            super().sleep(seconds)

    counted = Recorded()
    host, monitor = _monitored_host(monkeypatch, counted)
    sent: list[dict[str, Any]] = []
    try:
        with _scripted_stream(host):
            host.host.send = sent.append
            monitor.start()
            host.request("start", 1.0)
            host.sd.stream.active = False  # the server dies
            counted.wait_passes(3)
            assert sent == [{"event": "inactive"}]
            assert asked and max(asked) <= 0.05, f"the monitor sleeps {max(asked)} s a pass"
            host.request("close", 1.0)
    finally:
        counted.end()
        monitor.join(5)
        host.release()


def _started(block: int = BLOCK, at: float = 0.0, on_error: Any = None) -> tuple[_Backend, PortAudioStream]:
    """A stream of ``block``-frame periods started at ``at`` on the virtual clock."""
    backend = _Backend()
    backend.clock.advance(at)
    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, block, None)
    stream = _Stream(backend, spec, lambda *a: None, on_error if on_error is not None else (lambda e: None))
    stream.start()
    return backend, stream


def test_a_lost_device_is_reported_once_with_its_reason_the_device_and_the_backend():
    """What stopped the stream is the message and the reason; the time is the event's; a second
    report of the same loss, an event the stream does not know and a host exit after the stream
    was closed say nothing."""
    for event, message in [("inactive", "the stream stopped by itself (device or audio server gone)"),
                           ("host_exit", "the device host process died")]:
        errors: list[AudioSystemError] = []
        backend, stream = _started(at=2.5, on_error=errors.append)
        try:
            stream._on_host_event({"event": "hello"})
            assert errors == []
            backend.clock.advance(0.25)
            stream._on_host_event({"event": event})
            stream._on_host_event({"event": event})
            (err,) = errors
            assert (type(err), err.message, err.component, err.details) == (
                DeviceLostError, message, "device",
                {"reason": event, "device": "scripted", "backend": backend.name})
            assert stream.broken == "lost" and stream.events.lost_at == 2.75
        finally:
            stream.close()
        stream._on_host_event({"event": "host_exit"})
        assert len(errors) == 1


def test_a_host_exit_of_a_stopped_stream_is_no_loss():
    errors: list[AudioSystemError] = []
    _, stream = _started(on_error=errors.append)
    try:
        stream.stop()
        stream._on_host_event({"event": "host_exit"})
        assert errors == [] and stream.broken is None
    finally:
        stream.close()


def test_an_error_sink_that_raises_is_logged_and_the_loss_still_recorded(caplog):
    def sink(error: AudioSystemError) -> None:
        raise RuntimeError("the sink broke")

    _, stream = _started(on_error=sink)
    try:
        with caplog.at_level("ERROR", logger=portaudio.__name__):
            stream._on_host_event({"event": "inactive"})
        assert stream.broken == "lost"
        (record,) = [r for r in caplog.records if r.name == portaudio.__name__]
        assert record.getMessage() == "on_error sink raised" and record.exc_info[0] is RuntimeError
    finally:
        stream.close()


def test_a_flagged_block_report_names_every_flag_and_counts_from_the_last_report_time(pairs):
    """The first report at 10 s; flagged blocks half a second later are counted, not reported."""
    pair = pairs()
    clock = pair.backend.clock
    clock.advance(10.0)
    both = _Flags(input_overflow=True, output_underflow=True)
    pair.host_tick(both)
    pair.deliver()
    clock.advance(0.5)
    pair.host_tick(both)
    pair.deliver()
    xruns = [e for e in pair.errors if isinstance(e, XrunError)]
    assert [(e.message, e.component, e.details) for e in xruns] == [
        ("1 flagged block(s): input_overflow, output_underflow", "device",
         {"count": 1, "flags": ["input_overflow", "output_underflow"]})]


@pytest.mark.parametrize("block, at, quiet_after, still_after", [
    (BLOCK, 0.0, 0.0151, 0.015),     # 3 periods are 1 ms: the 15 ms floor, exclusive
    (BLOCK, 5.0, 0.0151, 0.01),      # the same from a later start
    (480, 0.0, 0.035, 0.025),        # 3 periods of 10 ms: over the floor
])
def test_a_stream_is_quiet_after_three_periods_and_never_under_15_ms(block, at, quiet_after, still_after):
    """``_quiet`` (a teardown kills the host of a quiet stream at once) counts from the last block,
    or from the start before the first one."""
    backend, stream = _started(block=block, at=at)
    try:
        backend.clock.advance(still_after)
        assert not stream._quiet()
        backend.clock.advance(quiet_after - still_after)
        assert stream._quiet()
    finally:
        stream.close()


def test_a_stall_report_says_how_long_in_ms_and_periods_and_is_made_once_an_episode():
    errors: list[AudioSystemError] = []
    backend, stream = _started(at=1.0, on_error=errors.append)
    try:
        backend.clock.advance(0.5)
        stream._watchdog(1.5)
        stream._watchdog(1.75)  # the same episode
        (err,) = errors
        assert (type(err), err.message, err.component, err.details) == (
            DeviceStalledError, "no audio block for 1500 ms (4500 periods)", "device",
            {"silent_s": 1.5, "periods": 1.5 / stream.spec.block_seconds, "device": "scripted",
             "backend": backend.name})
        assert stream.events.stalled_at == 1.5
    finally:
        stream.close()


def test_the_watchdog_of_a_stream_whose_host_died_reports_a_lost_device_not_a_stall():
    errors: list[AudioSystemError] = []
    _, stream = _started(on_error=errors.append)
    try:
        stream.host.kill()
        stream._watchdog(1.0)
        (err,) = errors
        assert (type(err), err.message, err.details["reason"]) == (
            DeviceLostError, "the device host process died", "host_exit")
    finally:
        stream.close()


def test_the_watchdog_of_a_stream_already_lost_reports_nothing_more():
    errors: list[AudioSystemError] = []
    _, stream = _started(on_error=errors.append)
    try:
        stream._on_host_event({"event": "inactive"})
        stream._watchdog(1.0)
        assert [type(e) for e in errors] == [DeviceLostError] and stream.events.stalled_at is None
    finally:
        stream.close()


def test_a_raising_callback_is_reported_at_its_first_error_and_every_thousandth_with_its_traceback():
    errors: list[AudioSystemError] = []
    backend = _Backend()
    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, None)

    def callback(*args: Any) -> None:
        raise ValueError("boom")

    stream = _Stream(backend, spec, callback, errors.append)
    stream.start()
    try:
        host_callback = backend.spawned[0].sd.stream.callback
        block = np.zeros((BLOCK, CHANNELS), dtype=np.float32)
        for _ in range(1000):
            host_callback(block, block.copy(), BLOCK, SimpleNamespace(currentTime=0.0), None)
            stream._drain()
        assert [type(e) for e in errors] == [CallbackError, CallbackError]
        first, thousandth = errors
        assert (first.message, first.component, first.details["count"]) == (
            "audio callback raised ValueError: boom", "device", 1)
        assert thousandth.details["count"] == 1000 and set(first.details) == {"count", "traceback"}
        text = first.details["traceback"]
        assert text.startswith("Traceback (most recent call last):\n") and text.endswith("ValueError: boom\n")
        assert all(line.startswith(("Traceback", "  ", "ValueError")) for line in text.splitlines()), text
        assert type(first.__cause__) is ValueError and str(first.__cause__) == "boom"
    finally:
        stream.close()


def test_every_host_flag_frame_count_and_time_reaches_the_callback_and_the_counts():
    """Each PortAudio flag bit the host published is the same flag in the status the callback
    gets (priming_output included), with the block's own frame count and time; the stream counts
    flagged blocks and each flag (a priming block is not flagged); a delivery returns how many blocks it delivered and the first
    one's time is the stream's first block."""
    seen: list[tuple[Any, ...]] = []
    backend = _Backend(ring_blocks=16, prefill_blocks=8)  # no block starved or dropped: no flag of the rings'
    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, None)

    def callback(indata: np.ndarray, outdata: np.ndarray, frames: int, t: float, status: Any) -> None:
        seen.append((indata.shape, frames, t, tuple(getattr(status, n) for n in _devhost.FLAG_BITS)))

    stream = _Stream(backend, spec, callback, lambda e: None)
    stream.start()
    try:
        host_callback = backend.spawned[0].sd.stream.callback
        backend.clock.advance(2.0)
        names = list(_devhost.FLAG_BITS)
        for k, name in enumerate(names):
            frames = BLOCK if k else BLOCK // 2  # a short block once
            block = np.zeros((frames, CHANNELS), dtype=np.float32)
            host_callback(block, block.copy(), frames, SimpleNamespace(currentTime=0.5 + k), _Flags(**{name: True}))
        host_callback(np.zeros((BLOCK, CHANNELS), np.float32), np.zeros((BLOCK, CHANNELS), np.float32), BLOCK,
                      SimpleNamespace(currentTime=9.0), None)
        assert stream._drain() == len(names) + 1
        assert seen == [((BLOCK // 2 if k == 0 else BLOCK, CHANNELS), BLOCK // 2 if k == 0 else BLOCK, 0.5 + k,
                         tuple(n == name for n in names)) for k, name in enumerate(names)] + [
            ((BLOCK, CHANNELS), BLOCK, 9.0, (False,) * len(names))]
        assert stream.stats.flagged_callbacks == len(names) - 1  # priming_output is no fault
        assert stream.stats.flag_counts == {n: 1 for n in ("input_underflow", "input_overflow",
                                                          "output_underflow", "output_overflow")}
        assert stream.events.first_block_at == 2.0
        backend.clock.advance(1.0)
        host_callback(np.zeros((BLOCK, CHANNELS), np.float32), np.zeros((BLOCK, CHANNELS), np.float32), BLOCK,
                      SimpleNamespace(currentTime=10.0), None)
        assert stream._drain() == 1 and stream.events.first_block_at == 2.0
        assert stream._drain() == 0
        host_callback(np.zeros((BLOCK, CHANNELS), np.float32), np.zeros((BLOCK, CHANNELS), np.float32), BLOCK,
                      SimpleNamespace(currentTime=11.0), _Flags(input_overflow=True))
        assert stream._drain() == 1
        assert stream.stats.flag_counts["input_overflow"] == 2 and stream.stats.flagged_callbacks == len(names)
    finally:
        stream.close()
    assert stream._drain() == 0


def test_a_run_of_blocks_whose_input_underflowed_is_dated_from_its_first_until_a_block_brings_input():
    """The system's watchdog reads ``input_starved_since``: when the unbroken run of blocks with
    their input underflowed began, as drained (the blocks keep coming: no callback gap shows a
    capture side hung while the playback side runs on). A block with input ends the run; a
    start forgets a run from before it."""
    backend = _Backend(ring_blocks=16, prefill_blocks=8)
    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, None)
    stream = _Stream(backend, spec, lambda *a: None, lambda e: None)
    stream.start()
    try:
        host_callback = backend.spawned[0].sd.stream.callback

        def block(flags: Any) -> None:
            z = np.zeros((BLOCK, CHANNELS), np.float32)
            host_callback(z, z.copy(), BLOCK, SimpleNamespace(currentTime=0.0), flags)

        backend.clock.advance(1.0)
        block(None)
        assert stream._drain() == 1 and stream.stats.input_starved_since is None
        backend.clock.advance(1.0)
        block(_Flags(input_underflow=True))
        block(_Flags(input_underflow=True))
        assert stream._drain() == 2 and stream.stats.input_starved_since == 2.0
        backend.clock.advance(1.0)
        block(_Flags(input_underflow=True, output_underflow=True))
        assert stream._drain() == 1 and stream.stats.input_starved_since == 2.0  # the same run
        block(_Flags(output_underflow=True))  # input came: the run is over
        assert stream._drain() == 1 and stream.stats.input_starved_since is None
        block(_Flags(input_underflow=True))
        assert stream._drain() == 1 and stream.stats.input_starved_since == 3.0
        stream.stop()
        stream.start()
        assert stream.stats.input_starved_since is None
    finally:
        stream.close()


class _AskedHost(_InProcessHost):
    """An in-process host that records what it was asked (with the bound the stream gave), times
    out on the operations in ``time_out`` as a hung PortAudio call would, and counts kills and
    polite shutdowns."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[tuple[str, float]] = []
        self.time_out: set[str] = set()
        self.killed = 0
        self.shut: list[float] = []

    def request(self, op: str, timeout_s: float, **args: Any) -> Any:
        self.asked.append((op, timeout_s))
        if op in self.time_out:
            raise portaudio._HostTimeout(op)
        return super().request(op, timeout_s, **args)

    def kill(self, *, deadline: float | None = None, waits: Any = None) -> None:
        self.killed += 1
        super().kill()

    def shutdown(self, timeout_s: float, *, deadline: float | None = None, waits: Any = None) -> None:
        self.shut.append(timeout_s)
        _InProcessHost.kill(self)  # gone, but not a kill of the stream's
        self.release()


class _AskedBackend(_Backend):
    def _spawn_host(self, on_event: Any = None) -> Any:
        host = _AskedHost()
        self.spawned.append(host)
        return host


def _asked_stream(errors: list[AudioSystemError]) -> tuple[_AskedBackend, PortAudioStream, _AskedHost]:
    backend = _AskedBackend()
    backend.clock.advance(1.0)
    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, None)
    stream = _Stream(backend, spec, lambda *a: None, errors.append)
    stream.start()
    return backend, stream, backend.spawned[0]


def _teardown_asks(host: _AskedHost) -> list[tuple[str, float]]:
    return [(op, t) for op, t in host.asked if op in ("stop", "close")]


def test_a_healthy_stream_is_stopped_and_closed_politely_within_the_teardown_bound():
    errors: list[AudioSystemError] = []
    backend, stream, host = _asked_stream(errors)
    bound = stream.teardown_timeout_s
    stream.stop()
    assert not stream.active and stream.broken is None
    stream.start()  # a stopped stream starts again
    assert stream.active
    stream.stop()
    backend.clock.advance(0.5)
    stream.close()
    assert _teardown_asks(host) == [("stop", bound), ("stop", bound), ("close", bound)]
    assert host.shut == [bound] and host.killed == 0 and errors == []
    assert stream.closed and stream.events.closed_at == 1.5


@pytest.mark.parametrize("how", ["quiet", "lost"])
def test_a_quiet_or_lost_stream_is_not_asked_to_stop_or_close_its_host_is_killed(how):
    """A stream silent for more than its quiet bound is marked stalled; one already lost keeps
    its reason. Neither is asked anything: its host is killed and released, never shut down."""
    errors: list[AudioSystemError] = []
    backend, stream, host = _asked_stream(errors)
    if how == "quiet":
        backend.clock.advance(0.5)
    else:
        stream._on_host_event({"event": "inactive"})
    stream.stop()
    assert stream.broken == ("stalled" if how == "quiet" else "lost")
    assert host.killed == 1
    stream.close()
    assert _teardown_asks(host) == [] and host.shut == [] and host.killed == 2 and stream.closed


@pytest.mark.parametrize("how", ["polite", "quiet", "lost"])
def test_a_stopped_stream_has_no_delivery_thread_left_to_call_back_or_report(how):
    """Once stop() returns, however the stream stopped (its host asked politely, or killed because
    the stream was quiet or lost), its delivery thread has ended: nothing of the stream calls the
    callback again (PortAudio's promise after ``Pa_StopStream``) or reports the killed host's end
    of the tick pipe as a device lost after the stop. The stream's real delivery loop runs here,
    woken by the in-process host's ticks; the watchdog reads the virtual clock."""
    backend = _Backend()
    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, None)
    delivered = threading.Event()
    stream = PortAudioStream(backend, spec, lambda *a: delivered.set(), lambda e: None)
    host = backend.spawned[0]
    try:
        before = set(threading.enumerate())
        stream.start()
        (thread,) = [t for t in set(threading.enumerate()) - before if t.name.startswith("portaudio-delivery-")]
        block = np.zeros((BLOCK, CHANNELS), dtype=np.float32)
        host.sd.stream.callback(block, block.copy(), BLOCK, SimpleNamespace(currentTime=0.0), None)
        assert delivered.wait(10), "the delivery loop delivered no block in 10 s"
        if how == "quiet":
            backend.clock.advance(0.5)
        elif how == "lost":
            stream._on_host_event({"event": "inactive"})
        stream.stop()
        assert not thread.is_alive(), f"stop() of a {how} stream returned with its delivery thread running"
    finally:
        stream.close()


class _RefusingStartHost(_InProcessHost):
    """An in-process host whose ``start`` fails as ``failure`` (PortAudio's refusal, or the host
    gone mid-request)."""

    def __init__(self, failure: BaseException) -> None:
        super().__init__()
        self.failure = failure

    def request(self, op: str, timeout_s: float, **args: Any) -> Any:
        if op == "start":
            raise self.failure
        return super().request(op, timeout_s, **args)


@pytest.mark.parametrize("failure", [DeviceLostError("refused", component="device"), portaudio._HostGone("start")],
                         ids=["refused", "host_gone"])
def test_a_start_that_failed_leaves_no_delivery_thread(failure: BaseException):
    """A start the host refused (or died during) raises, and leaves no delivery thread of the
    stream behind: one left would call back a stream that never started, and report the dead
    host's pipe as a device lost after the caller already had the start's error."""
    backend = _Backend()
    backend._spawn_host = lambda on_event=None: _RefusingStartHost(failure)  # type: ignore[method-assign]
    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, None)
    stream = PortAudioStream(backend, spec, lambda *a: None, lambda e: None)
    try:
        before = set(threading.enumerate())
        with pytest.raises(type(failure)):
            stream.start()
        left = [t for t in set(threading.enumerate()) - before if t.name.startswith("portaudio-delivery-")]
        assert left == [], "a start that failed left its delivery thread running"
        assert not stream.active
    finally:
        stream.close()


@pytest.mark.parametrize("op", ["stop", "close"])
def test_a_teardown_request_that_times_out_kills_the_host_and_says_so(op):
    errors: list[AudioSystemError] = []
    _, stream, host = _asked_stream(errors)
    bound = stream.teardown_timeout_s
    host.time_out.add(op)
    if op == "stop":
        stream.stop()
    else:
        stream.close()
    (err,) = errors
    assert (type(err), err.message, err.component, err.details) == (
        DeviceTimeoutError, f"{op}() did not return within {bound:.2f} s; device host killed", "device",
        {"op": op})
    assert stream.broken == "timeout" and host.killed >= 1
    stream.close()
    assert _teardown_asks(host) == [("stop", bound)] + ([("close", bound)] if op == "close" else [])


class _TimedHost(_AskedHost):
    """An asked host whose stop and close take set times on a clock of the test's own (``now``):
    what the stream's close log reads, so each wait's length is exact."""

    def __init__(self, now: list[float], costs: dict[str, float]) -> None:
        super().__init__()
        self.now, self.costs = now, costs

    def request(self, op: str, timeout_s: float, **args: Any) -> Any:
        self.now[0] += self.costs.get(op, 0.0)
        return super().request(op, timeout_s, **args)


def test_a_close_logs_each_wait_it_ran_and_names_the_longest(monkeypatch):
    """A stream's stop and close time each of their waits (``close_waits``), so a slow close says
    which wait took it: here the close request's 2 s of a 2.25 s close. A stream started again
    begins a new log."""
    now = [100.0]
    monkeypatch.setattr(portaudio, "CloseWaits", lambda: CloseWaits(clock=lambda: now[0]))
    backend = _AskedBackend()
    host = _TimedHost(now, {"stop": 0.25, "close": 2.0})
    backend._spawn_host = lambda on_event=None: host  # type: ignore[method-assign]
    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, None)
    stream = _Stream(backend, spec, lambda *a: None, [].append)
    assert stream.close_waits is None, "a stream never stopped has no close to tell"
    stream.start()
    stream.stop()
    assert stream.close_waits == {"took_s": 0.25, "waits": {"stop_request": 0.25, "delivery_join": 0.0},
                                  "longest": "stop_request"}
    stream.start()
    assert stream.close_waits is None, "a start begins a new log"
    stream.close()
    assert stream.close_waits == {
        "took_s": 2.25, "waits": {"stop_request": 0.25, "delivery_join": 0.0, "close_request": 2.0},
        "longest": "close_request"}


def test_a_close_log_sums_a_wait_met_twice_and_spans_its_first_begin_to_its_end():
    now = [0.0]
    waits = CloseWaits(clock=lambda: now[0])
    assert waits.record() is None
    waits.begin()
    for name, took in (("delivery_join", 0.5), ("kill", 0.1), ("delivery_join", 1.0)):
        with waits.wait(name):
            now[0] += took
    waits.begin()  # a close after a stop: the same span
    now[0] += 0.4
    waits.end()
    assert waits.record() == {"took_s": 2.0, "waits": {"delivery_join": 1.5, "kill": 0.1}, "longest": "delivery_join"}


def test_a_start_that_times_out_is_reported_with_the_control_bound_and_raises():
    errors: list[AudioSystemError] = []
    backend = _AskedBackend()
    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, None)
    stream = _Stream(backend, spec, lambda *a: None, errors.append)
    host = backend.spawned[0]
    host.time_out.add("start")
    try:
        with pytest.raises(DeviceTimeoutError, match="^\\[device\\] start\\(\\) did not return in time; device host killed$"):
            stream.start()
        (err,) = errors
        assert (err.message, err.details) == (
            f"start() did not return within {backend.control_timeout_s:.2f} s; device host killed", {"op": "start"})
        assert stream.broken == "timeout" and host.killed == 1
    finally:
        stream.close()


def test_a_host_gone_during_a_teardown_request_is_logged_and_the_teardown_goes_on(caplog):
    errors: list[AudioSystemError] = []
    _, stream, host = _asked_stream(errors)

    def gone(op: str, timeout_s: float, **args: Any) -> Any:
        host.asked.append((op, timeout_s))
        raise portaudio._HostGone(op)

    host.request = gone  # type: ignore[method-assign]
    with caplog.at_level("DEBUG", logger=portaudio.__name__):
        stream.stop()
        stream.close()
    assert [r.getMessage() for r in caplog.records if r.name == portaudio.__name__] == ["stop: stop", "close: close"]
    assert stream.closed and errors == []


def test_a_stream_closed_twice_is_closed_once():
    errors: list[AudioSystemError] = []
    backend, stream, host = _asked_stream(errors)
    stream.close()
    backend.clock.advance(1.0)
    stream.close()
    assert stream.events.closed_at == 1.0 and host.shut == [stream.teardown_timeout_s]


def test_a_lost_stream_never_started_is_not_asked_to_close_its_host_is_killed():
    errors: list[AudioSystemError] = []
    backend = _AskedBackend()
    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, None)
    stream = _Stream(backend, spec, lambda *a: None, errors.append)
    host = backend.spawned[0]
    stream._on_host_event({"event": "inactive"})
    stream.close()
    assert _teardown_asks(host) == [] and host.killed == 1 and host.shut == []


def test_a_view_kept_past_close_is_logged_and_the_segment_still_unlinked(caplog):
    _, stream, _ = _asked_stream([])
    kept = stream._views["header"]
    name = stream._shm.name
    with caplog.at_level("WARNING", logger=portaudio.__name__):
        stream.close()
    assert [r.getMessage() for r in caplog.records if r.name == portaudio.__name__] == [
        f"shared memory {name} still has exported views"]
    assert name not in _segments()
    del kept
    stream._shm.close()  # the view gone, the mapping closes (else its finaliser would raise)


def test_stop_waits_a_bounded_time_for_a_delivery_thread_stuck_in_the_callback(caplog):
    """The delivery thread is joined for at most 5 s (a user callback that never returns must
    not hang the system's stop) and an error logged if it is still there; the bound is read off
    the join, as for the scheduler's thread."""
    entered, release = threading.Event(), threading.Event()

    class _Stuck(PortAudioStream):
        def _deliver(self) -> None:
            entered.set()
            release.wait(30)

    backend = _AskedBackend()
    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, None)
    stream = _Stuck(backend, spec, lambda *a: None, lambda e: None)
    stream.start()
    assert entered.wait(10)
    thread, real_join = stream._thread, stream._thread.join
    bounds: list[float | None] = []

    def join(timeout: float | None = None) -> None:
        bounds.append(timeout)
        real_join(timeout=0.0)

    thread.join = join  # type: ignore[method-assign]
    try:
        with caplog.at_level("ERROR", logger=portaudio.__name__):
            stream.stop()
        assert len(bounds) == 1 and bounds[0] is not None and 0 < bounds[0] <= 5
        assert [r.getMessage() for r in caplog.records if r.name == portaudio.__name__] == [
            "delivery thread did not stop (user callback stuck?)"]
    finally:
        release.set()
        real_join(timeout=10)
        stream.close()
    assert not thread.is_alive()


def test_start_refuses_a_closed_or_broken_stream_in_words_and_names_its_delivery_thread(pairs):
    """``start()``: a second start of an active stream asks nothing of the host; a stream whose host
    is gone, or that broke (stalled, timed out), is refused as lost with what broke it; a closed one
    as a lifecycle error. The delivery thread is a daemon named after the host's pid, and the host
    is asked to start within the control timeout."""
    p = pairs()
    stream = p.stream
    thread = stream._thread
    assert thread is not None and thread.daemon is True
    assert thread.name == f"portaudio-delivery-{p.host.pid}"
    asked: list[tuple[str, float]] = []
    original = p.host.request
    p.host.request = lambda op, timeout_s, **a: asked.append((op, timeout_s)) or original(op, timeout_s, **a)
    stream.start()  # active already
    assert asked == []
    stream.stop()
    stream.start()
    assert asked[-1] == ("start", p.backend.control_timeout_s)
    stream.stop()
    stream._broken = "stalled"  # as the watchdog leaves it, the host still up
    with pytest.raises(DeviceLostError) as exc:
        stream.start()
    assert (exc.value.message, exc.value.component) == ("stream is stalled; close it and open a new one", "device")
    stream._broken = None
    p.host.alive = False
    with pytest.raises(DeviceLostError) as exc:
        stream.start()
    assert (exc.value.message, exc.value.component) == ("stream is lost; close it and open a new one", "device")
    p.host.alive = True
    stream.close()
    with pytest.raises(LifecycleError) as exc2:
        stream.start()
    assert (exc2.value.message, exc2.value.component) == ("start() on a closed stream", "device")


def test_a_host_s_stderr_tail_is_its_last_bytes_decoded_leniently():
    """``DeviceHost.stderr_tail(limit)``: the last ``limit`` bytes the host wrote to stderr (all of
    them when fewer), undecodable bytes replaced rather than raised, and "" once the file is gone."""
    import tempfile

    host = portaudio.DeviceHost.__new__(portaudio.DeviceHost)
    host._stderr = tempfile.TemporaryFile()
    host._stderr.write(b"early\n" + b"x" * 3000 + b"\nTraceback: \xff boom\n")
    host._stderr.seek(5)  # wherever the file was left, the tail is its end
    assert host.stderr_tail(12) == "ack: \ufffd boom\n"
    assert host.stderr_tail(13) == "back: \ufffd boom\n"
    assert host.stderr_tail() == "x" * (2000 - len(b"\nTraceback: \xff boom\n")) + "\nTraceback: \ufffd boom\n"
    short = portaudio.DeviceHost.__new__(portaudio.DeviceHost)
    short._stderr = tempfile.TemporaryFile()
    short._stderr.write(b"only this")
    assert short.stderr_tail() == "only this"
    short._stderr.close()
    assert short.stderr_tail() == ""
    host._stderr.close()


def test_releasing_a_host_closes_its_pipes_and_tick_fd_once():
    """``DeviceHost.release()`` (the process already dead): our ends of its pipes closed, the
    reader joined, the tick pipe's read end closed and marked -1 (a second release closes
    nothing of anyone else's), stderr's file closed."""
    import tempfile

    host = portaudio.DeviceHost.__new__(portaudio.DeviceHost)
    stdin_r, stdin_w = os.pipe()
    stdout_r, stdout_w = os.pipe()
    tick_r, tick_w = os.pipe()
    host.proc = SimpleNamespace(stdin=os.fdopen(stdin_w, "wb"), stdout=os.fdopen(stdout_r, "rb"))
    host._reader = threading.Thread(target=lambda: None)
    host._reader.start()
    host.tick_r = tick_r
    host._stderr = tempfile.TemporaryFile()
    try:
        host.release()
        assert host.proc.stdin.closed and host.proc.stdout.closed and host._stderr.closed
        assert not host._reader.is_alive()
        assert host.tick_r == -1
        host.release()  # again: nothing more to close
        assert host.tick_r == -1
    finally:
        for fd in (stdin_r, stdout_w, tick_w):
            os.close(fd)


def test_shutting_a_host_down_asks_it_to_exit_waits_within_the_bound_then_kills_and_releases():
    """``DeviceHost.shutdown(t)``: a live host is asked to ``exit`` within ``t`` and waited for
    within ``t`` (a refusal or a timeout of either is no error), then killed and released
    whatever it did."""
    calls: list[tuple] = []

    class Host(portaudio.DeviceHost):
        alive = True  # type: ignore[assignment]

        def __init__(self) -> None:  # no process: what shutdown asks is recorded
            self.proc = SimpleNamespace(wait=lambda timeout: calls.append(("wait", timeout)))

        def request(self, op, timeout_s, **args):
            calls.append(("request", op, timeout_s))
            raise portaudio._HostTimeout(op)

        def kill(self, *, deadline: float | None = None, waits: Any = None) -> None:
            calls.append(("kill",))

        def release(self, *, deadline: float | None = None, waits: Any = None) -> None:
            calls.append(("release",))

    Host().shutdown(0.75)
    assert calls == [("request", "exit", 0.75), ("wait", 0.75), ("kill",), ("release",)]


def test_a_host_that_survives_sigkill_is_waited_for_5_s_and_logged(caplog):
    """``DeviceHost.kill()`` never blocks long: it waits 5 s for the killed process (a process in
    D-state may outlive SIGKILL) and then logs it by pid instead of waiting on."""
    import logging
    import subprocess

    waits: list[float | None] = []

    def wait(timeout=None):
        waits.append(timeout)
        raise subprocess.TimeoutExpired("devhost", timeout)

    host = portaudio.DeviceHost.__new__(portaudio.DeviceHost)
    host.proc = SimpleNamespace(pid=424242, poll=lambda: 0, wait=wait)  # exited as far as poll says: no signal sent
    with caplog.at_level(logging.ERROR, logger=portaudio.log.name):
        host.kill()
    assert waits == [5]
    assert [r.getMessage() for r in caplog.records if r.name == portaudio.log.name] == [
        "device host 424242 survived SIGKILL for 5 s"]


def _reader_host(lines: list[bytes], on_event: Any) -> Any:
    """A ``DeviceHost`` without a process whose reader reads ``lines`` (the host's stdout)."""
    host = portaudio.DeviceHost.__new__(portaudio.DeviceHost)
    host.proc = SimpleNamespace(stdout=iter(lines))
    host._on_event = on_event
    host._lock = threading.Lock()
    host._pending = {7: (threading.Event(), {})}
    host._started, host._hello, host._gone = threading.Event(), threading.Event(), threading.Event()
    host.started_at = None
    host.hello = None
    return host


def test_the_host_s_reader_routes_events_answers_and_its_end_and_survives_a_bad_handler(caplog):
    """``DeviceHost._read``: a line that is no JSON is skipped (the reader goes on), ``started``
    and ``hello`` are noted, every other event goes to ``on_event`` (a handler that raises is
    logged, not fatal), an answer wakes its request; at the end of the stream every waiter is
    woken and ``on_event`` hears ``host_exit``. Without a handler, events are dropped silently."""
    import logging

    lines = [b"PortAudio says hello\n", b'{"event": "started"}\n', b'{"event": "hello", "pid": 3}\n',
             b'{"event": "xrun", "n": 1}\n', b'{"event": "boom"}\n', b'{"id": 7, "ok": true}\n']
    heard: list[dict] = []

    def on_event(msg: dict) -> None:
        heard.append(msg)
        if msg["event"] in ("boom", "host_exit"):
            raise RuntimeError(msg["event"])

    host = _reader_host(lines, on_event)
    with caplog.at_level(logging.ERROR, logger=portaudio.log.name):
        host._read()
    assert heard == [{"event": "xrun", "n": 1}, {"event": "boom"}, {"event": "host_exit"}]
    assert isinstance(host.started_at, float) and host.hello == {"event": "hello", "pid": 3}
    event, answer = host._pending[7]
    assert event.is_set() and answer == {"id": 7, "ok": True}
    assert host._gone.is_set() and host._started.is_set() and host._hello.is_set()
    assert [r.getMessage() for r in caplog.records if r.name == portaudio.log.name] == [
        "device host event handler failed"] * 2
    caplog.clear()
    quiet = _reader_host(lines, None)
    with caplog.at_level(logging.ERROR, logger=portaudio.log.name):
        quiet._read()
    assert quiet._gone.is_set() and quiet._pending[7][0].is_set()
    assert [r for r in caplog.records if r.name == portaudio.log.name] == []


def test_a_stream_asks_its_host_to_open_exactly_its_spec_on_the_backend_s_ring(monkeypatch):
    """The ``open`` request carries the spec (devices, channels, rate, block, latency), the
    backend's host API, ring size and the shared-memory segment's name, within the control
    timeout; the opened stream is the backend's, its scratch block float32 of the output's shape."""
    asked: list[tuple] = []
    original = _InProcessHost.request

    def request(self, op, timeout_s, **args):
        asked.append((op, timeout_s, args))
        return original(self, op, timeout_s, **args)

    monkeypatch.setattr(_InProcessHost, "request", request)
    backend = _Backend(ring_blocks=6, prefill_blocks=2, control_timeout_s=1.75)
    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, 0.02)
    stream = _Stream(backend, spec, lambda *a: None, lambda e: None)
    try:
        op, timeout_s, args = asked[0]
        assert (op, timeout_s) == ("open", 1.75)
        assert args == {"input_device": "scripted", "output_device": "scripted", "input_channels": CHANNELS,
                        "output_channels": CHANNELS, "sample_rate": 48_000, "block_size": BLOCK,
                        "latency_s": 0.02, "host_api": None, "shm_name": stream.shm_name, "ring_blocks": 6,
                        "expect_host_api": None}
        assert stream.shm_name.startswith(f"soundcheck-{os.getpid()}-") and len(stream.shm_name.rsplit("-", 1)[1]) == 8
        assert stream in backend._streams and not stream.closed and not stream.active
        assert stream._scratch.shape == (BLOCK, CHANNELS) and stream._scratch.dtype == np.float32
    finally:
        stream.close()


@pytest.mark.parametrize(("ins", "outs"), [(0, 1), (1, 0), (0, 0)])
def test_the_backend_refuses_a_stream_without_a_channel_each_way_before_any_host(ins: int, outs: int) -> None:
    """``open_stream`` opens duplex streams only: a spec with no input or no output channel is a
    format error of the device, in words, and no device host is spawned for it."""
    backend = _Backend()
    spec = StreamSpec("scripted", "scripted", ins, outs, 48_000, BLOCK, None)
    with pytest.raises(DeviceFormatError) as exc:
        backend.open_stream(spec, lambda *a: None, lambda e: None)
    assert (type(exc.value), exc.value.message, exc.value.component) == (
        DeviceFormatError, "the PortAudio backend opens duplex streams only (>= 1 channel each way)", "device")
    assert backend.spawned == [] and backend._streams == set()


def test_the_backend_opens_a_stream_of_one_channel_each_way_with_its_callback_and_error_sink() -> None:
    """One channel each way is a duplex stream: ``open_stream`` returns it open and not started (no
    delivery thread), the backend's, with the spec, the callback and the error sink it was given
    (a block the host delivers reaches the callback; the callback's error reaches the sink)."""
    backend = _Backend()
    errors: list[AudioSystemError] = []
    heard: list[tuple[tuple[int, ...], tuple[int, ...], int, float]] = []

    def callback(indata: np.ndarray, outdata: np.ndarray, frames: int, t: float, status: Any) -> None:
        heard.append((indata.shape, outdata.shape, frames, float(indata[0, 0])))
        raise ValueError("refused")

    spec = StreamSpec("scripted", "scripted", 1, 1, 48_000, BLOCK, None)
    stream = backend.open_stream(spec, callback, errors.append)
    try:
        assert type(stream) is PortAudioStream and stream.spec is spec
        assert backend._streams == {stream} and len(backend.spawned) == 1
        assert (stream.closed, stream.active, stream._thread) == (False, False, None)
        host_callback = backend.spawned[0].sd.stream.callback
        host_callback(np.full((BLOCK, 1), 0.5, dtype=np.float32), np.zeros((BLOCK, 1), dtype=np.float32), BLOCK,
                      SimpleNamespace(currentTime=0.0), None)
        assert stream._drain() == 1
        assert heard == [((BLOCK, 1), (BLOCK, 1), BLOCK, 0.5)]
        # the host had nothing to play (a stream not started has no prefill): an output underflow
        assert [(type(e), e.message) for e in errors] == [(CallbackError, "audio callback raised ValueError: refused"),
                                                          (XrunError, "1 flagged block(s): output_underflow")]
    finally:
        stream.close()
    assert stream.closed and backend._streams == set()


def test_host_counters_are_the_rings_raw_counts_until_the_stream_is_closed(pairs) -> None:
    """``host_counters`` reads the header as the host wrote it: its callbacks, the input blocks it
    dropped, the output blocks it starved and the ones it consumed (each a different count here,
    so none can stand for another); a closed stream has none."""
    pair = pairs(ring_blocks=3, prefill=0)
    assert pair.stream.host_counters() == {"host_callbacks": 0, "in_dropped": 0, "out_starved": 0,
                                           "out_consumed": 0}
    for _ in range(4):  # three fill the input ring, the fourth is dropped; nothing to play yet
        pair.host_tick()
    assert pair.stream.host_counters() == {"host_callbacks": 4, "in_dropped": 1, "out_starved": 4,
                                           "out_consumed": 0}
    assert pair.deliver() == 3
    pair.host_tick()
    pair.host_tick()
    assert pair.stream.host_counters() == {"host_callbacks": 6, "in_dropped": 1, "out_starved": 4,
                                           "out_consumed": 2}
    pair.close()
    assert pair.stream.host_counters() == {}


def test_device_callbacks_since_a_block_count_from_the_last_block_taken_and_from_each_start(pairs) -> None:
    """``device_callbacks_since_block``, the watchdog's evidence that a device went on calling back
    through a silence: the host's callbacks since the system last took a block, counted from 0 at
    each start (the header is zeroed there), and None once the stream has no ring."""
    pair = pairs(ring_blocks=8, prefill=2)
    stream = pair.stream
    assert stream.device_callbacks_since_block() == 0
    for _ in range(3):
        pair.host_tick()
    assert stream.device_callbacks_since_block() == 3  # no block taken since the start
    assert pair.deliver() == 3
    assert stream.device_callbacks_since_block() == 0
    pair.host_tick()
    pair.host_tick()
    assert stream.device_callbacks_since_block() == 2
    stream.stop()
    stream.start()  # the host's count starts again from 0, and so does the stream's mark
    pair.host_tick()
    assert stream.device_callbacks_since_block() == 1
    pair.close()
    assert stream.device_callbacks_since_block() is None


@pytest.mark.parametrize("readable", [True, False])
def test_a_block_taken_marks_the_delivery_thread_s_run_and_wait_from_its_schedstat(pairs, readable: bool) -> None:
    """Each block taken reads the delivery thread's open schedstat (``_sched_fd``) for the marks
    ``delivery_cpu_*_since_block`` count from: its run and wait in seconds, or neither where the
    file cannot be read (here a descriptor open for writing only)."""
    import tempfile

    pair = pairs()
    stream = pair.stream
    with tempfile.NamedTemporaryFile() as f:
        f.write(b"7250000000 2500000000 17\n")
        f.flush()
        fd = os.open(f.name, os.O_RDONLY if readable else os.O_WRONLY)
        try:
            stream._sched_fd = fd
            stream._run_at_block = stream._wait_at_block = 99.0
            pair.host_tick()
            assert pair.deliver() == 1
        finally:
            stream._sched_fd = -1
            os.close(fd)
    assert (stream._run_at_block, stream._wait_at_block) == ((7.25, 2.5) if readable else (None, None))


def test_host_status_is_the_hosts_answer_within_its_bound_or_none_when_it_cannot_answer() -> None:
    """``host_status`` asks the host for PortAudio's view within ``timeout_s`` (1 s unless given)
    and hands its answer back as it is; a host that times out, is gone or fails answers None."""
    errors: list[AudioSystemError] = []
    backend, stream, host = _asked_stream(errors)
    try:
        host.sd.stream.cpu_load = 0.25
        host_callback = host.sd.stream.callback
        host_callback(np.zeros((BLOCK, CHANNELS), dtype=np.float32), np.zeros((BLOCK, CHANNELS), dtype=np.float32),
                  BLOCK, SimpleNamespace(currentTime=0.0), None)
        want = {"open": True, "active": True, "cpu_load": 0.25, "callbacks": 1}
        assert stream.host_status() == want
        assert stream.host_status(0.125) == want
        assert [(op, t) for op, t in host.asked if op == "status"] == [("status", 1.0), ("status", 0.125)]
        for failure in (portaudio._HostTimeout("status"), portaudio._HostGone("status"),
                        DeviceLostError("gone", component="device")):
            def failing(op: str, timeout_s: float, _failure: BaseException = failure, **args: Any) -> Any:
                raise _failure

            host.request = failing  # type: ignore[method-assign]
            assert stream.host_status() is None
        del host.request
        host.alive = False
        assert stream.host_status() is None
        assert errors == []
    finally:
        stream.close()


class _Wire:
    """Stands for a device host's stdin: each request as the host would read it, or the write
    failing as on a host whose pipe is gone."""

    def __init__(self, fail: BaseException | None = None) -> None:
        self.sent: list[dict[str, Any]] = []
        self.fail = fail
        self._cond = threading.Condition()

    def write(self, data: bytes) -> int:
        if self.fail is not None:
            raise self.fail
        with self._cond:
            self.sent.append(json.loads(data))
            self._cond.notify_all()
        return len(data)

    def flush(self) -> None:
        return None

    def wait_sent(self, count: int) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.sent) >= count, timeout=10), "no request written"


def _wired_host(wire: _Wire) -> Any:
    """A ``DeviceHost`` without a process: requests go to ``wire``, answers come from whatever
    lines the test hands its reader (``proc.stdout``, read by ``_read``)."""
    host = portaudio.DeviceHost.__new__(portaudio.DeviceHost)
    host.proc = SimpleNamespace(stdin=wire, stdout=iter([]), poll=lambda: None)
    host._on_event = None
    host._lock = threading.Lock()
    host._pending = {}
    host._started, host._hello, host._gone = threading.Event(), threading.Event(), threading.Event()
    host.started_at = None
    host.hello = {}
    return host


def _asking(host: Any, op: str, outcome: dict[str, Any]) -> threading.Thread:
    """``host.request(op, 10.0)`` on a thread of its own; its result or exception in ``outcome[op]``."""
    def ask() -> None:
        try:
            outcome[op] = host.request(op, 10.0)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome[op] = exc

    thread = threading.Thread(target=ask, daemon=True)
    thread.start()
    return thread


def test_two_requests_in_flight_on_one_host_each_get_their_own_answer() -> None:
    """Answers are matched to requests by their id, not by order: with two requests waiting on one
    host, answered the other way round, each gets the answer to what it asked."""
    wire = _Wire()
    host = _wired_host(wire)
    outcome: dict[str, Any] = {}
    first = _asking(host, "devices", outcome)
    wire.wait_sent(1)
    second = _asking(host, "status", outcome)
    wire.wait_sent(2)
    asked = {m["op"]: m["id"] for m in wire.sent}
    host.proc.stdout = iter([
        (json.dumps({"id": asked["status"], "ok": True, "result": {"open": False}}) + "\n").encode(),
        (json.dumps({"id": asked["devices"], "ok": True, "result": ["dev"]}) + "\n").encode()])
    host._read()
    first.join(15)
    second.join(15)
    assert outcome == {"devices": ["dev"], "status": {"open": False}}
    assert host._pending == {}


@pytest.mark.parametrize("failure", [BrokenPipeError(32, "Broken pipe"), ValueError("write to closed file")])
def test_a_request_whose_write_fails_is_a_gone_host_naming_the_operation(failure: BaseException) -> None:
    host = _wired_host(_Wire(fail=failure))
    with pytest.raises(portaudio._HostGone) as gone:
        host.request("start", 10.0)
    assert str(gone.value) == "start" and gone.value.__cause__ is failure
    assert host._pending == {}


def test_a_request_woken_by_its_hosts_end_without_an_answer_is_a_gone_host_naming_the_operation() -> None:
    """The host's output ending (its death) wakes every waiting request; one woken with no answer
    is the host gone, at once and by the operation's name, not a timeout."""
    wire = _Wire()
    host = _wired_host(wire)
    outcome: dict[str, Any] = {}
    waiting = _asking(host, "open", outcome)
    wire.wait_sent(1)
    host._read()  # end of the host's output: nothing answered
    waiting.join(15)
    (gone,) = outcome.values()
    assert type(gone) is portaudio._HostGone and str(gone) == "open"
    assert host._pending == {}


def test_the_hosts_events_reach_the_stream_that_opened_it() -> None:
    """A stream hands its host its own event handler: the host's reader reporting the stream
    inactive, or its own end, is that stream's lost device."""
    for event, reason in [("inactive", "inactive"), ("host_exit", "host_exit")]:
        errors: list[AudioSystemError] = []
        backend, stream = _started(on_error=errors.append)
        try:
            (host,) = backend.spawned
            host.on_event({"event": event})
            assert [(type(e), e.details["reason"]) for e in errors] == [(DeviceLostError, reason)]
            assert stream.broken == "lost"
        finally:
            stream.close()


def test_an_opened_stream_never_started_is_closed_politely() -> None:
    """A healthy stream closed without ever being started is no stall: its host is asked to close
    the stream and then to exit, each within the teardown bound, and is never killed."""
    backend = _AskedBackend()
    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, None)
    stream = _Stream(backend, spec, lambda *a: None, lambda e: None)
    (host,) = backend.spawned
    stream.close()
    bound = stream.teardown_timeout_s
    assert [op for op, _ in host.asked] == ["open", "close"] and host.asked[1] == ("close", bound)
    assert (host.shut, host.killed) == ([bound], 0)
    assert stream.closed and stream.broken is None


def test_a_host_that_cannot_be_spawned_fails_the_open_as_itself_and_leaves_nothing() -> None:
    """When no device host can be made (PortAudio missing, a fork refused), the open fails with
    that error as it is, and the segment and the wake-up pipe taken before are given back."""
    refused = BackendUnavailableError("no PortAudio here", component="device")

    class Unspawnable(_Backend):
        def _spawn_host(self, on_event: Any = None) -> Any:
            raise refused

    segments = _segments()
    made: list[PortAudioStream] = []

    class Recorded(_Stream):
        def __init__(self, *args: Any) -> None:
            made.append(self)
            super().__init__(*args)

    backend = Unspawnable()
    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, None)
    with pytest.raises(BackendUnavailableError) as exc:
        Recorded(backend, spec, lambda *a: None, lambda e: None)
    assert exc.value is refused
    (stream,) = made
    assert stream.host is None and stream._wake_r == stream._wake_w == -1
    assert _segments() == segments and backend._streams == set()


def test_a_backend_restricted_to_a_host_api_opens_there_and_expects_it(monkeypatch) -> None:
    """``host_api`` is passed on to the host's ``open`` both as the API to resolve the devices in
    and as the one it must find again when PortAudio started without it."""
    asked: list[dict[str, Any]] = []
    original = _InProcessHost.request

    def request(self, op, timeout_s, **args):
        if op == "open":
            asked.append(args)
        return original(self, op, timeout_s, **args)

    monkeypatch.setattr(_InProcessHost, "request", request)
    backend = _Backend(host_api="Scripted")
    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, None)
    stream = _Stream(backend, spec, lambda *a: None, lambda e: None)
    try:
        ((args),) = asked
        assert (args["host_api"], args["expect_host_api"]) == ("Scripted", "Scripted")
    finally:
        stream.close()


def test_releasing_a_host_waits_for_its_reader_at_most_5_s() -> None:
    """``release()`` joins the host's reader with a bound (5 s): a reader that does not end (its
    pipe held open by a grandchild of the host) never holds up a teardown for good, and is left
    to close its pipe as it ends (``tests/sut/test_close_deadline.py`` runs it with a real host)."""
    import tempfile

    joins: list[float | None] = []
    host = portaudio.DeviceHost.__new__(portaudio.DeviceHost)
    host.proc = SimpleNamespace(stdin=None, stdout=None, pid=424242)
    host._reader = SimpleNamespace(join=lambda timeout=None: joins.append(timeout), is_alive=lambda: True)
    host.tick_r = -1
    host._stderr = tempfile.TemporaryFile()
    host.release()
    assert joins == [5] and host._stderr.closed and host._reader_closes_pipe


class _Proc:
    """``open`` for the schedstat readers: the path asked for and, for it, a file's text or an
    ``OSError`` (a task or process that is gone, a kernel without schedstat)."""

    def __init__(self, text: str | None) -> None:
        self.text = text
        self.paths: list[str] = []

    def __call__(self, path: str, *args: Any, **kwargs: Any) -> Any:
        assert args == () and kwargs == {}, (args, kwargs)
        self.paths.append(path)
        if self.text is None:
            raise FileNotFoundError(2, "No such file or directory", path)
        return io.StringIO(self.text)


@pytest.mark.parametrize("text, want", [
    ("7250000000 2500000000 17\n", 2.5),   # run ns, wait ns, timeslices
    ("0 1 1\n", 1e-9),
    (None, None), ("1\n", None), ("", None), ("12 lots 3\n", None),
])
def test_a_thread_s_cpu_wait_is_the_second_field_of_its_schedstat_in_seconds(monkeypatch, text, want):
    proc = _Proc(text)
    monkeypatch.setattr(portaudio, "open", proc, raising=False)
    assert portaudio.thread_cpu_wait(4242) == want
    assert proc.paths == ["/proc/self/task/4242/schedstat"]


@pytest.mark.parametrize("text, want", [
    ("7250000000 2500000000 17\n", (7.25, 2.5)),
    ("3 1 1\n", (3e-9, 1e-9)),
    (None, None), ("1\n", None), ("", None), ("12 lots 3\n", None),
])
def test_a_process_s_schedstat_is_its_run_and_wait_in_seconds(monkeypatch, text, want):
    proc = _Proc(text)
    monkeypatch.setattr(portaudio, "open", proc, raising=False)
    assert portaudio.process_schedstat(4242) == want
    assert proc.paths == ["/proc/4242/schedstat"]


def test_the_schedstat_readers_read_this_machine_s_proc() -> None:
    """Where Linux keeps schedstat, this thread's wait and this process's run and wait are
    seconds (floats, not negative); a task that is not there reads None."""
    if not os.path.exists(f"/proc/self/task/{threading.get_native_id()}/schedstat"):
        pytest.skip("this kernel keeps no schedstat")
    wait = portaudio.thread_cpu_wait(threading.get_native_id())
    stat = portaudio.process_schedstat(os.getpid())
    assert isinstance(wait, float) and wait >= 0.0
    assert stat is not None and all(isinstance(v, float) and v >= 0.0 for v in stat) and stat[0] > 0.0
    assert portaudio.thread_cpu_wait(-1) is None and portaudio.process_schedstat(-1) is None


def test_a_host_s_reader_wait_and_schedstat_are_its_reader_thread_s_and_its_process_s(monkeypatch):
    """``reader_cpu_wait`` asks for the wait of the thread that reads the host's replies (None
    before that thread runs); ``schedstat`` for the host process's, while it runs only."""
    asked: list[tuple[str, int]] = []
    monkeypatch.setattr(portaudio, "thread_cpu_wait", lambda tid: asked.append(("thread", tid)) or 0.75)
    monkeypatch.setattr(portaudio, "process_schedstat", lambda pid: asked.append(("process", pid)) or (2.0, 0.5))
    host = portaudio.DeviceHost.__new__(portaudio.DeviceHost)
    host._reader = SimpleNamespace(native_id=31337)
    returncode: list[int | None] = [None]
    host.proc = SimpleNamespace(pid=4242, poll=lambda: returncode[0])
    assert (host.reader_cpu_wait(), host.schedstat()) == (0.75, (2.0, 0.5))
    assert asked == [("thread", 31337), ("process", 4242)]
    host._reader = SimpleNamespace(native_id=None)
    returncode[0] = 0
    assert (host.reader_cpu_wait(), host.schedstat()) == (None, None)
    assert asked == [("thread", 31337), ("process", 4242)]


class _Monotonic:
    """``portaudio.time`` with a ``monotonic`` the test sets; everything else the real module's."""

    def __init__(self, now: float) -> None:
        self.now = now

    def monotonic(self) -> float:
        return self.now

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


class _MeasuredHost(_InProcessHost):
    """An in-process host that measures itself as ``DeviceHost`` does: its reader's wait and its
    process's schedstat are what the test sets; its open takes ``open_took`` seconds."""

    def __init__(self, clock: _Monotonic, open_took: float, reader: float | None,
                 stat: tuple[float, float] | None) -> None:
        super().__init__()
        self.clock, self.open_took, self.reader, self.stat = clock, open_took, reader, stat

    def request(self, op: str, timeout_s: float, **args: Any) -> Any:
        if op == "open":
            self.clock.now += self.open_took
        return super().request(op, timeout_s, **args)

    def reader_cpu_wait(self) -> float | None:
        return self.reader

    def schedstat(self) -> tuple[float, float] | None:
        return self.stat


def _measured_open(monkeypatch, waits: list[float | None], open_took: float = 2.0,
                   reader: float | None = 0.25, stat: tuple[float, float] | None = (3.0, 0.125)):
    """A stream opened on this thread with a measuring host: ``waits`` are the opening thread's
    successive runnable waits (``thread_cpu_wait``), the monotonic clock starts at 100.0. Returns
    the stream, its host, the clock and the thread ids asked for."""
    clock = _Monotonic(100.0)
    monkeypatch.setattr(portaudio, "time", clock)
    asked: list[int] = []
    script = iter(waits)
    monkeypatch.setattr(portaudio, "thread_cpu_wait", lambda tid: asked.append(tid) or next(script))
    hosts: list[_MeasuredHost] = []

    class Backend(_Backend):
        def _spawn_host(self, on_event: Any = None) -> Any:
            hosts.append(_MeasuredHost(clock, open_took, reader, stat))
            hosts[-1].on_event = on_event
            self.spawned.append(hosts[-1])
            return hosts[-1]

    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, None)
    stream = _Stream(Backend(), spec, lambda *a: None, lambda e: None)
    return stream, hosts[0], clock, asked


def test_an_open_s_cpu_wait_is_the_opener_s_the_reader_s_and_the_host_s_at_most_its_wall_time(monkeypatch):
    """``open_cpu_wait_s``: the opening thread's runnable wait over the open (its wait at the end
    less its wait at the start), plus the reply reader's and the host process's waits, bounded by
    the open's wall time."""
    me = threading.get_native_id()
    stream, _, _, asked = _measured_open(monkeypatch, [1.0, 1.5])
    try:
        assert stream.open_cpu_wait_s == 0.875  # 1.5 - 1.0 + 0.25 + 0.125, under the 2.0 s it took
        assert asked == [me, me]
    finally:
        stream.close()
    stream, _, _, asked = _measured_open(monkeypatch, [1.0, 2.5], open_took=0.5)
    try:
        assert stream.open_cpu_wait_s == 0.5  # 1.875 waited, but the open took 0.5 s
    finally:
        stream.close()


@pytest.mark.parametrize("waits, reader, stat", [
    ([None, 1.5], 0.25, (3.0, 0.125)),   # the opener's wait unreadable at the start
    ([1.0, None], 0.25, (3.0, 0.125)),   # ... or at the end
    ([1.0, 1.5], None, (3.0, 0.125)),    # the reader's
    ([1.0, 1.5], 0.25, None),            # the host's (gone, or no schedstat)
])
def test_an_open_whose_waits_cannot_all_be_read_is_not_measured(monkeypatch, waits, reader, stat):
    stream, _, _, _ = _measured_open(monkeypatch, waits + [9.0, 9.0], reader=reader, stat=stat)
    try:
        assert stream.open_cpu_wait_s is None
    finally:
        stream.close()


def test_a_host_that_does_not_measure_itself_leaves_the_open_unmeasured(monkeypatch):
    """A backend's own ``_spawn_host`` may return a host without ``reader_cpu_wait`` and
    ``schedstat`` (the in-process one here): the open is not measured, before or after a start."""
    monkeypatch.setattr(portaudio, "thread_cpu_wait", lambda tid: 1.0)
    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, None)
    for host_has in ({}, {"reader_cpu_wait": lambda: 0.25}, {"schedstat": lambda: (3.0, 0.125)}):
        backend = _Backend()
        stream = _Stream(backend, spec, lambda *a: None, lambda e: None)
        try:
            for name, fn in host_has.items():
                setattr(backend.spawned[0], name, fn)
            stream._measure_open_wait()
            stream.start()
            assert stream.open_cpu_wait_s is None
        finally:
            stream.close()


def test_the_open_s_measure_runs_to_its_first_start_on_the_opening_thread(monkeypatch):
    """The first ``start()`` on the thread that opened the stream measures again, from the open's
    start to then (a recovery's attempt opens and starts on one thread); a later start does not,
    nor a first start on another thread."""
    me = threading.get_native_id()
    stream, host, clock, asked = _measured_open(monkeypatch, [1.0, 1.5, 2.0, 7.0])
    try:
        assert stream.open_cpu_wait_s == 0.875
        clock.now = 103.0
        host.reader, host.stat = 0.5, (4.0, 0.25)
        stream.start()
        assert stream.open_cpu_wait_s == 1.75  # 2.0 - 1.0 + 0.5 + 0.25, under 3.0 s
        assert asked == [me, me, me]
        stream.stop()
        host.reader = 5.0
        stream.start()
        assert stream.open_cpu_wait_s == 1.75 and asked == [me, me, me]
    finally:
        stream.close()

    stream, host, clock, asked = _measured_open(monkeypatch, [1.0, 1.5, 2.0])
    try:
        clock.now = 103.0
        starter = threading.Thread(target=stream.start)
        starter.start()
        starter.join(timeout=60)
        assert not starter.is_alive() and stream.active
        assert stream.open_cpu_wait_s == 0.875 and asked == [me, me]
    finally:
        stream.close()


def _failed_measured_open(monkeypatch, fail: BaseException, waits: list[float | None],
                          reader: float | None = 0.25,
                          stat: tuple[float, float] | None = (3.0, 0.125)) -> AudioSystemError:
    """What the open raises when its measuring host (``_MeasuredHost``, the open taking 2.0 s of a
    monotonic clock starting at 100.0) fails the ``open`` request with ``fail``."""
    clock = _Monotonic(100.0)
    monkeypatch.setattr(portaudio, "time", clock)
    script = iter(waits)
    monkeypatch.setattr(portaudio, "thread_cpu_wait", lambda tid: next(script))

    class Backend(_Backend):
        def _spawn_host(self, on_event: Any = None) -> Any:
            host = _MeasuredHost(clock, 2.0, reader, stat)
            host.fail_open, host.on_event = fail, on_event
            self.spawned.append(host)
            return host

    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, None)
    with pytest.raises(AudioSystemError) as exc:
        _Stream(Backend(), spec, lambda *a: None, lambda e: None)
    return exc.value


@pytest.mark.parametrize("fail, raised", [
    (portaudio._HostTimeout("open"), DeviceTimeoutError),
    (portaudio._HostGone("open"), DeviceLostError),
    (DeviceNotFoundError("no device named 'scripted'", component="device"), DeviceNotFoundError),
], ids=["timeout", "host-gone", "refused"])
def test_a_failed_open_s_error_carries_its_time_and_its_wait_for_a_cpu(monkeypatch, fail, raised):
    """A failed open says on its error what a successful one says as ``open_cpu_wait_s``: its wall
    time (``open_s``) and its threads' and host's wait for a CPU (``open_wait_s``: the opening
    thread's 0.5 s, the reader's 0.25 s and the host's 0.125 s, under the 2.0 s it took)."""
    error = _failed_measured_open(monkeypatch, fail, [1.0, 1.5])
    assert type(error) is raised
    assert (error.details["open_s"], error.details["open_wait_s"]) == (2.0, 0.875), error.details


@pytest.mark.parametrize("waits, reader, stat", [
    ([None, 1.5], 0.25, (3.0, 0.125)),
    ([1.0, None], 0.25, (3.0, 0.125)),
    ([1.0, 1.5], None, (3.0, 0.125)),
    ([1.0, 1.5], 0.25, None),
])
def test_a_failed_open_whose_waits_cannot_all_be_read_carries_no_measure(monkeypatch, waits, reader, stat):
    error = _failed_measured_open(monkeypatch, portaudio._HostTimeout("open"), waits, reader, stat)
    assert "open_s" not in error.details and "open_wait_s" not in error.details, error.details


@pytest.mark.parametrize("host_waits, want", [
    ({"reader_cpu_wait_s": 0.25, "host_cpu_wait_s": 0.125}, {"open_s": 2.0, "open_wait_s": 0.875}),
    ({}, {}),
], ids=["measured", "unmeasured"])
def test_an_open_whose_host_did_not_start_measures_with_the_waits_the_host_read_before_its_kill(
        monkeypatch, host_waits, want):
    """A host that fails to start puts its reader's and its own waits on its error
    (``DeviceHost.cpu_waits``, read before its kill); the open adds its opening thread's and
    says the whole, as for a host that started. Without them the open is not measured."""
    clock = _Monotonic(100.0)
    monkeypatch.setattr(portaudio, "time", clock)
    script = iter([1.0, 1.5])
    monkeypatch.setattr(portaudio, "thread_cpu_wait", lambda tid: next(script))

    class Backend(_Backend):
        def _spawn_host(self, on_event: Any = None) -> Any:
            clock.now += 2.0
            raise DeviceTimeoutError("device host did not initialise PortAudio within 5.0 s",
                                     component="device", details={"stderr": "", **host_waits})

    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, None)
    with pytest.raises(DeviceTimeoutError) as exc:
        _Stream(Backend(), spec, lambda *a: None, lambda e: None)
    assert exc.value.details == {"stderr": "", **host_waits, **want}


def test_a_host_s_cpu_waits_are_its_reader_s_and_its_process_s_or_none_at_all(monkeypatch):
    host = portaudio.DeviceHost.__new__(portaudio.DeviceHost)
    monkeypatch.setattr(host, "reader_cpu_wait", lambda: 0.75, raising=False)
    monkeypatch.setattr(host, "schedstat", lambda: (2.0, 0.5), raising=False)
    assert host.cpu_waits() == {"reader_cpu_wait_s": 0.75, "host_cpu_wait_s": 0.5}
    monkeypatch.setattr(host, "schedstat", lambda: None, raising=False)
    assert host.cpu_waits() == {}
    monkeypatch.setattr(host, "schedstat", lambda: (2.0, 0.5), raising=False)
    monkeypatch.setattr(host, "reader_cpu_wait", lambda: None, raising=False)
    assert host.cpu_waits() == {}


@pytest.mark.parametrize("exit_status, pipe_ended, alive", [
    (None, False, True),   # running, its replies still read
    (0, False, False),     # exited (and reaped by ``poll``): its reader has not met the end yet
    (None, True, False),   # its reply pipe ended: nothing it answers can be read any more
    (-9, True, False),
])
def test_a_host_is_alive_only_while_its_process_runs_and_its_replies_can_be_read(exit_status, pipe_ended,
                                                                                  alive):
    """``DeviceHost.alive`` is what ``request`` (fail at once, not after a timeout) and the
    stream's ``host_pid`` go by: a host that exited is dead at once, even before its reader saw
    the end of its pipe, since its pid, reaped, can belong to another process by then."""
    host = portaudio.DeviceHost.__new__(portaudio.DeviceHost)
    host.proc = SimpleNamespace(poll=lambda: exit_status, pid=4242)
    host._gone = threading.Event()
    if pipe_ended:
        host._gone.set()
    assert host.alive is alive
    assert host.pid == 4242


def test_a_stream_names_its_host_s_pid_while_the_host_lives_and_none_after():
    """``PortAudioStream.host_pid`` is the pid the rig's faults act on (its xrun fault starves the
    device host, the JACK client, of CPU): the live host's, and None once the host is dead, never a
    pid the system may since have handed to another process."""
    backend = _Backend()
    spec = StreamSpec("scripted", "scripted", CHANNELS, CHANNELS, 48_000, BLOCK, None)
    stream = _Stream(backend, spec, lambda *a: None, lambda e: None)
    try:
        host = stream.host
        assert stream.host_pid == host.pid == os.getpid()
        host.kill()
        assert stream.host_pid is None
    finally:
        stream.close()


@pytest.mark.parametrize("text, want", [
    ("7250000000 2500000000 17\n", 7.25),
    (None, None), ("", None), ("lots 1 3\n", None),
])
def test_a_thread_s_cpu_run_is_the_first_field_of_its_schedstat_in_seconds(monkeypatch, text, want):
    """The time a thread ran on a CPU, which the watchdog's stall evidence gives beside its wait
    (``callback_cpu_s``: a callback that computed, as against one the machine kept waiting)."""
    proc = _Proc(text)
    monkeypatch.setattr(portaudio, "open", proc, raising=False)
    assert portaudio.thread_cpu_run(4242) == want
    assert proc.paths == ["/proc/self/task/4242/schedstat"]


def test_a_delivery_thread_s_cpu_run_since_its_last_block_counts_what_it_computed() -> None:
    """Read against the figure taken at the last block, on this machine's own schedstat: a thread
    that spins 50 ms after it reads at least 50 ms less what the kernel did not count (its
    accounting is per tick on some kernels: at least half is asked for)."""
    tid = threading.get_native_id()
    if not os.path.exists(f"/proc/self/task/{tid}/schedstat"):
        pytest.skip("this kernel keeps no schedstat")
    stream = portaudio.PortAudioStream.__new__(portaudio.PortAudioStream)
    stream._delivery_tid, stream._run_at_block = tid, portaudio.thread_cpu_run(tid)
    end = time.thread_time() + 0.05
    while time.thread_time() < end:
        pass
    ran = stream.delivery_cpu_run_since_block()
    assert ran is not None and ran >= 0.025, ran
    stream._run_at_block = None
    assert stream.delivery_cpu_run_since_block() is None


def test_the_rings_finalizer_does_not_raise_while_a_view_of_it_is_held():
    """At the interpreter's exit the collection of reference cycles may finalize a stream's ring
    before a numpy view of it: the ring's finalizer must not let that view's ``BufferError``
    escape (the interpreter prints it as a traceback after the verdict)."""
    ring = portaudio._RingMemory(create=True, size=64)
    view = np.frombuffer(ring.buf, dtype=np.float32)
    try:
        ring.__del__()  # what the interpreter calls; raises BufferError in SharedMemory's own
    finally:
        del view
        ring.close()
        ring.unlink()


def test_a_stop_while_the_device_has_blocks_waiting_is_polite_and_the_stream_restarts(pairs):
    """``stop`` kills the host of a stream silent for 3 periods without asking (a dead server
    never answers a stop). Silence is the device's, not the delivery thread's: on a loaded
    machine the thread that reads the rings lags while the host keeps writing blocks. A stream
    whose host has written blocks not yet read is stopped politely and starts again."""
    pair = pairs()
    clock = pair.backend.clock
    pair.host_tick()
    assert pair.deliver() == 1
    clock.advance(1.0)  # the delivery thread has not run for a second...
    pair.host_tick()    # ...while the device went on writing
    pair.stream.stop()
    assert pair.stream._broken is None and pair.host.alive
    pair.stream.start()  # a stopped stream starts again
    pair.host_tick()
    assert pair.deliver() >= 1 and not pair.errors


def test_a_stop_after_the_device_went_silent_kills_the_host_without_asking(pairs):
    pair = pairs()
    pair.host_tick()
    assert pair.deliver() == 1
    pair.backend.clock.advance(1.0)  # nothing written, nothing waiting: the device is silent
    pair.stream.stop()
    assert pair.stream._broken == "stalled" and not pair.host.alive
