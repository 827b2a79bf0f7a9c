"""The simulated audio device: a first-class backend, deterministic and driven by a virtual clock.

Users run it to test their audio software without hardware, and the harness drives it to exercise
faults that are hard to provoke on a real card. Everything it does is a pure function of its seed
and of when the clock is advanced: callbacks are timer events on the ``VirtualClock``; the input is
a test sine (997 Hz, 0.5 amplitude by default) plus seeded noise.

Fault hooks (the harness calls these; they are ordinary public API):
- ``remove_device(name, report=True)`` / ``restore_device(name)``: the device disappears (streams
  on it stop and, if ``report``, tell the system ``DeviceLostError`` one period later, like a
  driver error; if not, they just go quiet like the ALSA ``jack`` PCM does) and comes back.
- ``stall(name)`` / ``unstall(name)``: callbacks stop without any error, then resume; the first block
  after a stall carries ``input_overflow`` (the device dropped what it could not deliver).
- ``delay_next_callback(name, seconds, until=None, on_dropped=None)``: one late callback, flagged
  as an xrun. A request with an ``until`` acts only if its late block comes by then: a delay still
  unserved at a block that would be late past it (its stream died and the next one opened later)
  is dropped and told to ``on_dropped``, as a ``corrupt_next_callbacks`` request's count is; what
  no block took by ``until`` is dropped just past it, on the clock, whatever the stream does.
- ``starve_input(name)`` / ``feed_input(name)``: the device keeps calling back on time, but every
  block's input underflows (flagged ``input_underflow``, silence in place of the input) until fed
  again: a capture side that hangs while the playback side runs on (measured on the JACK rig's
  ALSA ``jack`` PCM after a server restart: 2.5 s of such blocks, the stream RUNNING throughout).
- ``corrupt_next_callbacks(name, count, until=None, on_dropped=None)``: the next callbacks get a
  malformed input buffer, which makes the stream's callback raise, as a buggy driver or DSP would.
  A request with an ``until`` acts only on a block delivered by then: what is still unspent of it at
  a later block (its stream died and the next one opened after ``until``) is dropped, and the count
  dropped told to ``on_dropped``, just past ``until`` on the clock (a block may never come: the
  stream died and none was opened again); a request left waiting across a long recovery would
  otherwise raise on the reopened stream seconds after whatever asked for it. Each call is its own
  ``DeviceRequest``: blocks are charged to the requests in the order they were asked, so what is
  dropped past an end is what is left of that request, whatever other callers asked.
- ``change_sample_rate(name, rate)``: the device switches rate under a running stream.
- ``take_back_pending(name)``: what ``delay_next_callback`` and ``corrupt_next_callbacks`` asked
  for and no callback has taken yet is dropped: once the faults that asked for it have ended, a
  request left on the device would act on a stream opened later (a recovery's), with no fault to
  account for it. Each request with an ``on_dropped`` is told what is dropped of it, as at its
  end; what no one was told of is returned.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ..clock import TimerHandle, VirtualClock
from ..errors import (
    DeviceFormatError,
    DeviceLostError,
    DeviceNotFoundError,
    SampleRateChangedError,
)
from .base import (
    AudioCallback,
    DeviceBackend,
    DeviceInfo,
    DeviceStream,
    ErrorSink,
    StatusFlags,
    StreamSpec,
    StreamStats,
)

COMMON_RATES = (44_100, 48_000, 88_200, 96_000)

#: The status of a clean block, shared by every clean callback (one object less per block): never
#: mutated; a block that needs a flag gets a ``StatusFlags`` of its own.
_CLEAN = StatusFlags()
#: frames of a signal table's start repeated after its end: a block's slice never straddles the seam
_WRAP = 8192
#: at most this many frames in one stretch of blocks filtered together (``_deliver_stretch``)
_STRETCH_FRAMES = 16_384



def _sine(sample_rate: int, signal_hz: float, amplitude: float) -> np.ndarray:
    """One second of the test sine at ``sample_rate``."""
    t = np.arange(sample_rate) / sample_rate
    return amplitude * np.sin(2 * np.pi * signal_hz * t)


def _looped(sound: np.ndarray, channels: int, noise_amplitude: float, seed: object) -> np.ndarray:
    """``sound`` on every channel plus seeded noise, as float32, followed by ``_WRAP`` frames of
    its start (so a block read past the end needs no wrap)."""
    rng = np.random.default_rng(seed)  # type: ignore[arg-type]
    noise = noise_amplitude * rng.standard_normal((sound.size, channels))
    table = (sound[:, None] + noise).astype(np.float32)
    return np.concatenate([table, table[:_WRAP]])


@lru_cache(maxsize=8)
def _sine_loop(sample_rate: int, channels: int, signal_hz: float, amplitude: float, noise_amplitude: float,
               seed: int) -> np.ndarray:
    """One second of the test sine plus its seeded noise, and ``_WRAP`` frames of its start: a pure
    function of its arguments, so made once per process for each and shared, read-only, by every
    backend that asks for the same. A backend is made per run, per replay and per state-machine
    example, and most of them open streams at the same few rates with the same seed; making the
    loop afresh (a second of ``sin`` and of normal draws per channel) was the largest cost of
    building one. Eight loops (a few MB) cover a run's rate changes and a search's shrinking,
    which replays the same seed over and over."""
    table = _looped(_sine(sample_rate, signal_hz, amplitude), channels, noise_amplitude, seed)
    table.flags.writeable = False  # shared by every stream that plays it: no one may write into it
    return table


#: ``tap(stream, outdata, callback_time)``: see ``SimulatedBackend.add_output_tap``
OutputTap = Callable[["SimulatedStream", np.ndarray, float], None]
#: ``blocks(stream, outdata, times)``: a tap's form for a stretch (``SimulatedBackend.add_output_tap``)
StretchTap = Callable[["SimulatedStream", np.ndarray, list], None]


#: what is left of a delay once its parts are dropped, below which it is the rounding of their
#: sum (0.0089 + 0.0033 s, less each: 4e-19 s) and no delay: one would make a block late by nothing
_RESIDUE_S = 1e-12
#: the ``SimulatedDevice`` fields a ``DeviceRequest`` adds to: corrupted callbacks, a late callback's delay
CORRUPT_CALLBACKS, PENDING_DELAY = "corrupt_callbacks", "pending_delay_s"


@dataclass
class DeviceRequest:
    """What one call of ``corrupt_next_callbacks`` or ``delay_next_callback`` asked of a device
    and no block has taken yet: which field it added to (``what``), how much of it is left, the
    latest clock time it may act (None: no end), and who is told of what is dropped past it. A
    delay acts when its late block comes, ``left`` seconds after the block that takes it."""

    what: str
    left: float
    until: float | None = None
    on_dropped: Callable[[float], None] | None = None
    #: the clock's timer that drops what is left at the end (``SimulatedBackend``): a request
    #: whose stream never delivers another block is dropped then, not when the faults end
    end_timer: TimerHandle | None = None

    def past_end(self, now: float) -> bool:
        """Whether taken by the block at ``now`` it would act after its end."""
        if self.until is None:
            return False
        return now + (self.left if self.what == PENDING_DELAY else 0.0) > self.until

    def ended(self, now: float) -> bool:
        """Whether its end has passed at ``now``: no block from now on may take it."""
        return self.until is not None and now > self.until

    def let_go(self) -> None:
        """Gone from the device (taken in full, dropped, taken back): its end's timer is not needed."""
        if self.end_timer is not None:
            self.end_timer.cancel()
            self.end_timer = None


@dataclass
class SimulatedDevice:
    name: str
    max_input_channels: int = 2
    max_output_channels: int = 2
    sample_rates: tuple[int, ...] = COMMON_RATES
    default_sample_rate: int = 48_000
    latency_s: float = 0.005
    present: bool = True
    stalled: bool = False
    current_rate: int | None = None
    #: the delay of the next block asked for and not yet served, whatever asked for it
    pending_delay_s: float = 0.0
    #: corrupted callbacks asked for and not yet spent, whatever asked for them
    corrupt_callbacks: int = 0
    #: the calls that asked for them (both kinds), in the order asked: a block spent is charged
    #: to its kind's first; what a caller added to the fields directly belongs to none
    requests: deque["DeviceRequest"] = field(default_factory=deque)
    #: every block's input underflows while set (``SimulatedBackend.starve_input``)
    starved: bool = False
    streams: list["SimulatedStream"] = field(default_factory=list)

    def asked(self, what: str, amount: float, until: float | None = None,
              on_dropped: Callable[[float], None] | None = None) -> DeviceRequest:
        """Keep the request that just added ``amount`` to ``what`` (``CORRUPT_CALLBACKS``,
        ``PENDING_DELAY``), so that the blocks taking it are charged to it; returned."""
        request = DeviceRequest(what, amount, until, on_dropped)
        self.requests.append(request)
        return request

    def spend_corrupt_callback(self, now: float) -> bool:
        """Whether the block delivered at ``now`` is corrupted, one unspent corrupted callback spent
        if so (charged to the first request for one). First the requests past their end drop
        what is left of them (``drop_past_end``)."""
        self.drop_past_end(now)
        if not self.corrupt_callbacks:
            self._charge(CORRUPT_CALLBACKS, None)
            return False
        self.corrupt_callbacks -= 1
        self._charge(CORRUPT_CALLBACKS, 1)
        return True

    def take_delay(self, now: float) -> float:
        """How late the block due at ``now`` comes: every unserved delay, all served by it, after
        the requests past their end dropped what is left of them (``drop_past_end``)."""
        self.drop_past_end(now)
        delay, self.pending_delay_s = self.pending_delay_s, 0.0
        self._charge(PENDING_DELAY, None)
        return delay

    def drop_past_end(self, now: float) -> None:
        """Drop what is left of each request that, taken by the block at ``now``, would act after
        its end (``DeviceRequest.past_end``), telling its ``on_dropped``: it would act after the
        window it was asked for, on a stream opened long after (a recovery's)."""
        self._drop([r for r in self.requests if r.past_end(now)])

    def drop_ended(self, now: float) -> None:
        """Drop what is left of each request whose end has passed at ``now``
        (``DeviceRequest.ended``), telling its ``on_dropped``: asked by the clock just past a
        request's end, so that what no block took is noted then, at the window's end, whether or
        not a stream delivers another block (a dead stream's recovery may never open one)."""
        self._drop([r for r in self.requests if r.ended(now)])

    def drop_told(self) -> None:
        """Drop what is left of each request that has an ``on_dropped``, telling it, before its
        end: what asked for it is ending (the faults' end takes back what waits on the device),
        and a request dropped unnamed could not be tied to its cause."""
        self._drop([r for r in self.requests if r.on_dropped is not None])

    def _drop(self, requests: list[DeviceRequest]) -> None:
        """Take ``requests`` off the device, what is left of each told to its ``on_dropped``."""
        for request in requests:
            self.requests.remove(request)
            request.let_go()
            held = getattr(self, request.what)
            # the field is the requests' sum, which may have lost an ulp to rounding (0.7 + 0.1 s
            # held 0.7999999999999999): a shortfall within the residue is the request's whole left,
            # so a request dropped whole is told the amount it asked, never one an ulp short of it
            dropped = request.left if request.left - held <= _RESIDUE_S else held
            left = getattr(self, request.what) - dropped
            # delays dropped one by one from their sum leave a rounding residue, not a delay
            setattr(self, request.what, left if abs(left) > _RESIDUE_S else type(left)(0))
            if dropped and request.on_dropped is not None:
                request.on_dropped(dropped)

    def _charge(self, what: str, amount: float | None) -> None:
        """Charge ``amount`` of ``what`` taken by a block to its requests, first asked first
        (None: all of them, nothing of it left on the device)."""
        for request in [r for r in self.requests if r.what == what]:
            if amount is None or request.left <= amount:
                amount = None if amount is None else amount - request.left
                self.requests.remove(request)
                request.let_go()
                if amount == 0:
                    return
            else:
                request.left -= amount
                return

    def info(self) -> DeviceInfo:
        return DeviceInfo(self.name, "sim", self.max_input_channels, self.max_output_channels,
                          tuple(self.sample_rates), self.default_sample_rate, self.latency_s)


def default_devices() -> list[SimulatedDevice]:
    return [
        SimulatedDevice("sim-in", max_input_channels=2, max_output_channels=0),
        SimulatedDevice("sim-out", max_input_channels=0, max_output_channels=2),
        SimulatedDevice("sim-duplex", max_input_channels=8, max_output_channels=8),
        SimulatedDevice("sim-backup", max_input_channels=2, max_output_channels=2),
    ]


class SimulatedBackend(DeviceBackend):
    name = "sim"

    def __init__(self, clock: VirtualClock, *, seed: int = 0,
                 devices: Iterable[SimulatedDevice] | None = None,
                 signal_hz: float = 997.0, amplitude: float = 0.5, noise_dbfs: float = -90.0,
                 record_seconds: float = 0.0) -> None:
        if not isinstance(clock, VirtualClock):
            raise TypeError("the simulated device is driven by a VirtualClock")
        self.clock = clock
        self.seed = seed
        self._devices = {d.name: d for d in (devices if devices is not None else default_devices())}
        self.signal_hz = signal_hz
        self.amplitude = amplitude
        self.noise_amplitude = 10 ** (noise_dbfs / 20)
        self.record_seconds = record_seconds
        self.streams_opened = 0
        #: what the input plays instead of the test sine: ``program(rate)`` is one loop of mono
        #: samples at that rate (the harness's ``--program``); None: the sine
        self.program: Callable[[int], np.ndarray] | None = None
        self._signal_cache: dict[int, np.ndarray] = {}
        self._periods: dict[int, int] = {}
        #: called after every callback with (stream, outdata, callback time): what the device plays
        self._output_taps: list[OutputTap] = []
        #: per tap that has one, its form for a stretch of blocks (``add_output_tap``'s ``blocks``)
        self._tap_blocks: dict[OutputTap, StretchTap] = {}

    # -- discovery ----------------------------------------------------------------------------
    def devices(self) -> list[DeviceInfo]:
        return [d.info() for d in self._devices.values() if d.present]

    def device(self, name: str) -> SimulatedDevice:
        try:
            return self._devices[name]
        except KeyError:
            raise DeviceNotFoundError(f"no simulated device named {name!r}", component="device",
                                      details={"available": sorted(self._devices)}) from None

    def add_device(self, device: SimulatedDevice) -> None:
        self._devices[device.name] = device

    def add_output_tap(self, tap: "OutputTap", *, blocks: "StretchTap | None" = None) -> None:
        """Hear what the device plays: ``tap(stream, outdata, time)`` after every callback, on the
        clock's thread. ``outdata`` is the stream's reused buffer: copy what you keep. This is the
        simulated device's loopback cable (the JACK rig's is a real one).

        ``blocks(stream, outdata, times)``, if given, is the same as ``tap`` on each block of a
        stretch of ``len(times)`` blocks in order (``outdata``: the stretch's output, those blocks
        one after another; ``times``: each block's callback time), called once after the stretch
        (``SimulatedStream._deliver_stretch``) instead of ``tap`` after each of its blocks: only
        when every tap has such a form, so a tap that acts on the device (a fault hook) is always
        called block by block. For a tap that only listens and whose state nothing reads during a
        stretch (nothing but deferrable timers runs in one)."""
        self._output_taps.append(tap)
        if blocks is not None:
            self._tap_blocks[tap] = blocks

    def remove_output_tap(self, tap: "OutputTap") -> None:
        if tap in self._output_taps:
            self._output_taps.remove(tap)
            if tap not in self._output_taps:
                self._tap_blocks.pop(tap, None)

    def test_signal(self, sample_rate: int, channels: int) -> np.ndarray:
        """One loop of the input test signal plus (up to) ``_WRAP`` frames of its start (slices
        never straddle the seam): one second of the sine, a whole number of cycles when signal_hz
        is integral, or the ``program``'s loop (``signal_period`` says how long the loop is)."""
        key = sample_rate * 1000 + channels
        table = self._signal_cache.get(key)
        if table is None:
            if self.program is None and isinstance(self.seed, int):  # the sine: shared (``_sine_loop``)
                n = sample_rate
                table = _sine_loop(sample_rate, channels, float(self.signal_hz), float(self.amplitude),
                                   float(self.noise_amplitude), self.seed)
            else:
                sound = (np.asarray(self.program(sample_rate), dtype=np.float64) if self.program is not None
                         else _sine(sample_rate, self.signal_hz, self.amplitude))
                n = sound.size
                table = _looped(sound, channels, self.noise_amplitude, self.seed)
            self._signal_cache[key] = table
            self._periods[key] = n
        return table

    def signal_period(self, sample_rate: int, channels: int) -> int:
        """The frames of one loop of ``test_signal(sample_rate, channels)``: where a stream wraps."""
        self.test_signal(sample_rate, channels)
        return self._periods[sample_rate * 1000 + channels]

    # -- streams ------------------------------------------------------------------------------
    def open_stream(self, spec: StreamSpec, callback: AudioCallback, on_error: ErrorSink) -> "SimulatedStream":
        devices = []
        for name, ch, attr in ((spec.input_device, spec.input_channels, "max_input_channels"),
                               (spec.output_device, spec.output_channels, "max_output_channels")):
            dev = self._devices.get(name)
            if dev is None or not dev.present:
                raise DeviceNotFoundError(f"simulated device {name!r} is not present", component="device",
                                          details={"device": name})
            if ch > getattr(dev, attr):
                raise DeviceFormatError(f"{name!r} has {getattr(dev, attr)} channels, {ch} requested",
                                        component="device")
            if spec.sample_rate not in dev.sample_rates:
                raise DeviceFormatError(f"{name!r} does not support {spec.sample_rate} Hz", component="device")
            dev.current_rate = spec.sample_rate
            devices.append(dev)
        # A duplex device is the stream's input and output: listed once, so a fault hook's count
        # (corrupt the next N callbacks) is spent once a block, not once per direction.
        devices = list({id(d): d for d in devices}.values())
        stream = SimulatedStream(self, spec, callback, on_error, devices)
        for dev in devices:
            dev.streams.append(stream)
        self.streams_opened += 1
        return stream

    def open_streams(self) -> list["SimulatedStream"]:
        seen = {}
        for dev in self._devices.values():
            for s in dev.streams:
                if not s.closed:
                    seen[id(s)] = s
        return list(seen.values())

    # -- fault hooks --------------------------------------------------------------------------
    def remove_device(self, name: str, *, report: bool = True) -> None:
        dev = self.device(name)
        dev.present = False
        for stream in list(dev.streams):
            stream._device_lost(name, report)

    def restore_device(self, name: str) -> None:
        self.device(name).present = True

    def stall(self, name: str) -> None:
        dev = self.device(name)
        dev.stalled = True

    def unstall(self, name: str) -> None:
        dev = self.device(name)
        if dev.stalled:
            dev.stalled = False
            for stream in list(dev.streams):
                stream._resume_after_stall()

    def starve_input(self, name: str) -> None:
        """Every block of the streams on ``name`` comes on time with its input underflowed (flagged
        ``input_underflow``, silence as input) until ``feed_input``."""
        self.device(name).starved = True

    def feed_input(self, name: str) -> None:
        self.device(name).starved = False

    def delay_next_callback(self, name: str, seconds: float, *, until: float | None = None,
                            on_dropped: Callable[[float], None] | None = None) -> None:
        """The next block of ``name``'s streams comes ``seconds`` late, added to any delay still
        unserved; with ``until``, only if it comes by then (``DeviceRequest``)."""
        self.device(name).pending_delay_s += seconds
        self._dropped_at_its_end(name, self.device(name).asked(PENDING_DELAY, seconds, until, on_dropped))

    def corrupt_next_callbacks(self, name: str, count: int = 1, *, until: float | None = None,
                               on_dropped: Callable[[float], None] | None = None) -> None:
        """The next ``count`` blocks of ``name``'s streams raise in their callback, added to those
        still unspent; with ``until``, only blocks delivered by then (``DeviceRequest``)."""
        self.device(name).corrupt_callbacks += count
        self._dropped_at_its_end(name, self.device(name).asked(CORRUPT_CALLBACKS, count, until, on_dropped))

    def _dropped_at_its_end(self, name: str, request: DeviceRequest) -> None:
        """Arm the clock to drop ``request`` just past its end (``until``), if it has one. Why on the clock and not at the device's next block: a stream that died as
        the fault fired may never be reopened, or reopened an outage later, and what is dropped
        is noted when the window it was asked for ends, not at whatever block comes next. Just
        past the end (the next float), so a block due at the end itself still takes it."""
        if request.until is None:
            return
        device = self.device(name)
        clock = self.clock
        request.end_timer = clock.call_at(math.nextafter(request.until, math.inf),
                                          lambda: device.drop_ended(clock.now()))

    def take_back_pending(self, name: str) -> dict[str, float | int]:
        """Drop the requests still waiting on ``name`` for a callback to act on: the corrupted
        callbacks not yet spent and a delay not yet served. A request that has an ``on_dropped``
        is told what is dropped of it, as at its end (so its caller's note names what asked for
        it); returns what was dropped that no one was told of (a request without one, what a
        caller added to the fields directly: ``{}`` when nothing), for the caller's record."""
        dev = self.device(name)
        dev.drop_told()
        dropped: dict[str, float | int] = {}
        for request in dev.requests:
            request.let_go()
        dev.requests.clear()
        if dev.corrupt_callbacks:
            dropped["corrupt_callbacks"], dev.corrupt_callbacks = int(dev.corrupt_callbacks), 0
        if dev.pending_delay_s:
            dropped["delay_s"], dev.pending_delay_s = float(dev.pending_delay_s), 0.0
        return dropped

    def change_sample_rate(self, name: str, rate: int) -> None:
        dev = self.device(name)
        old = dev.current_rate
        dev.current_rate = rate
        for stream in list(dev.streams):
            if stream.spec.sample_rate != rate:
                stream._rate_changed(name, old, rate)

    def close(self) -> None:
        for stream in self.open_streams():
            stream.close()


class SimulatedStream(DeviceStream):
    def __init__(self, backend: SimulatedBackend, spec: StreamSpec, callback: AudioCallback,
                 on_error: ErrorSink, devices: list[SimulatedDevice]) -> None:
        self.backend = backend
        self.spec = spec
        self.stats = StreamStats()
        self._callback = callback
        self._on_error = on_error
        self._devices = devices
        self._clock = backend.clock
        self._period = spec.block_seconds
        self._bs = spec.block_size
        self._rate = spec.sample_rate
        # No bound method of the stream is kept on it: each timer is given ``self._tick`` afresh.
        # One kept (``self._cb = self._tick``) would make every stream a reference cycle, so a closed
        # stream, with the pipeline, rings and pool its callback reaches, would wait for the cycle
        # collector's oldest generation (minutes of a soak) instead of going at its last reference.
        # The pending timer's reference (``_timer``) is dropped by ``stop`` and by the timer firing.
        #: the pipeline whose ``callback`` this stream calls, which can take a stretch of blocks
        #: at once (``_deliver_stretch``); None for any other callback
        owner = getattr(callback, "__self__", None)
        self._stretch_owner = owner if getattr(callback, "__name__", None) == "callback" \
            and callable(getattr(owner, "stretch_ready", None)) else None
        self._signal = backend.test_signal(spec.sample_rate, spec.input_channels)
        self._pos = 0
        self._loop = backend.signal_period(spec.sample_rate, spec.input_channels)  # where the signal wraps
        self._outdata = np.zeros((spec.block_size, spec.output_channels), dtype=np.float32)
        self._bad_indata = np.zeros((spec.block_size, spec.input_channels + 1), dtype=np.float32)
        self._no_indata = np.zeros((spec.block_size, spec.input_channels), dtype=np.float32)
        self._timer: TimerHandle | None = None
        self._active = False
        self._closed = False
        self._dead = False
        self._after_stall = False
        self._lock = threading.RLock()  # held while a callback runs; stop() waits for it (PortAudio's rule)
        self._stream_time = 0.0
        n_rec = int(backend.record_seconds * spec.sample_rate)
        self.recording = np.zeros((n_rec, spec.output_channels), dtype=np.float32) if n_rec else None
        self.recorded_frames = 0
        self.frames_delivered = 0

    @property
    def active(self) -> bool:
        return self._active

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def dead(self) -> bool:
        return self._dead

    def start(self) -> None:
        with self._lock:
            if self._closed:
                raise DeviceLostError("stream is closed", component="device")
            if self._dead:
                raise DeviceLostError("the device of this stream is gone", component="device")
            if self._active:
                return
            self._active = True
            self.stats.input_starved_since = None  # a run of starved blocks before a stop is not this start's
            self._schedule(self._period)

    def stop(self) -> None:
        with self._lock:
            self._active = False
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def close(self) -> None:
        with self._lock:
            self.stop()
            if not self._closed:
                self._closed = True
                for dev in self._devices:
                    if self in dev.streams:
                        dev.streams.remove(self)

    def _schedule(self, delay: float) -> None:
        self._timer = self._clock.call_later(delay, self._tick)

    def _tick(self) -> None:
        with self._lock:
            self._timer = None
            clock = self._clock
            devices = self._devices
            while True:
                if not self._active or self._dead:
                    return
                for d in devices:
                    if d.stalled or d.pending_delay_s or d.starved:
                        break
                else:  # the common case, no stall and no delay pending: deliver now
                    stretch = None if self._after_stall or self._stretch_owner is None else self._deliver_stretch()
                    if stretch is None:
                        self._deliver(_CLEAN if not self._after_stall else StatusFlags())
                    elif not stretch:  # the clock was asked to move on from the stretch's last block, and refused
                        self._timer = clock.call_later(self._period, self._tick)
                        return
                    # The next block is due one period on. When nothing else falls due before it,
                    # the clock moves there at once and the block is delivered in this call (the
                    # very order a timer would give, without one per block).
                    # (A timer set during the block, by a stop and start in its callback, is
                    # left to run beside the next one's, as a scheduled tick always was.)
                    if self._timer is None and clock.advance_to_next(clock.now() + self._period):
                        continue
                    self._timer = clock.call_later(self._period, self._tick)
                    return
                break
            if any(d.stalled for d in self._devices):
                self._after_stall = True
                return  # no callback, no error; unstall() reschedules
            status = StatusFlags()
            delay = 0.0
            now = self._clock.now()
            for d in self._devices:
                if d.pending_delay_s:
                    delay += d.take_delay(now)
            if delay > 0:
                # The callback is late: the device had to drop input and repeat output.
                self._timer = self._clock.call_later(delay, self._late_tick)
                return
            self._deliver(status)
            self._schedule_next()

    def _deliver_stretch(self) -> bool | None:
        """Deliver the blocks due from now on with nothing else due between them, several per
        chain call, when the callback is a pipeline's that can take them so
        (``Pipeline.begin_stretch``); None, nothing done, when it cannot or no second block is
        known to come before something else. Each block is delivered as ``_deliver`` delivers a
        clean one, and the clock moves to the next as ``_tick``'s loop moves it: the blocks up
        to the first timer that does not defer at once (``VirtualClock.advance_along_deferring``,
        ``Pipeline.stretch_blocks``: nothing but the deferrals of the timers in the way runs
        between them, and each is asked after the very block, with the stream's stats as they
        are then, that block-by-block delivery asks it after). A deferral ``advance_to_next``
        asks may refuse: the stretch then ends there, the pipeline rewinds what it
        filtered ahead, and False says so (the caller must not ask again, which would ask a
        timer's ``defer`` twice). True: the stretch ended after a block without asking, as
        ``_tick``'s loop does after a block. The stretch is planned to end before the first timer
        ``advance_to_next`` would not move (``VirtualClock.quiet_until``), where the signal table
        wraps, and at ``_STRETCH_FRAMES``. A tap without a stretch form hears each block as it is
        delivered: then the blocks go one at a time."""
        pipeline = self._stretch_owner
        if getattr(pipeline.chain, "fused_step", None) is None or self.recording is not None \
                or not pipeline.stretch_ready():
            return None
        for d in self._devices:
            if d.corrupt_callbacks:
                return None
        clock = self._clock
        period, bs, pos, loop = self._period, self._bs, self._pos, self._loop
        deadline, first = clock.quiet_until()
        most = min(max(2, _STRETCH_FRAMES // bs), (loop - 1 - pos) // bs + 1)
        t = clock.now()
        times = [t]  # the clock's own sums: the times the blocks fall at
        while len(times) < most:
            t = t + period
            if t > deadline or t >= first:
                break
            times.append(t)
        blocks = len(times)
        if blocks < 2:
            return None
        work = pipeline.begin_stretch(self._signal[pos:pos + blocks * bs], blocks)
        if work is None:
            return None
        stats, taps = self.stats, self.backend._output_taps
        # taps that all have a stretch form hear the stretch once, after its last block
        tap_blocks = self.backend._tap_blocks
        later: list[float] | None = [] if taps and all(tap in tap_blocks for tap in taps) else None
        delivered = 0
        moved = True
        out = work[:0]
        # a tap without a stretch form hears each block as it is delivered: one block at a time
        per_block = later is None and bool(taps)
        counted = [0]  # the blocks the stream's stats count so far

        def count_to(j: int) -> None:
            """The stream's stats as block-by-block delivery leaves them after block ``j - 1``."""
            stats.callbacks += j - counted[0]
            counted[0] = j
            stats.last_callback_at = times[j - 1]
            stats.input_starved_since = None  # a stretch's blocks are clean ones: each brought input

        def ready(j: int) -> bool:
            """Before a deferral is asked after block ``j - 1`` (``advance_along_deferring``): the
            stream's stats brought there (a deferral reads them: the watchdog's quiet pass, the
            stream's last callback), and whether the next block is still a clean one of this
            stretch."""
            count_to(j)
            return self._clean_next()

        try:
            while True:
                # Blocks ``delivered`` to ``j - 1`` now, one after another: all those the clock
                # moves to with nothing but deferrals between two blocks
                # (``advance_along_deferring``), whose own work (position, stream time, the
                # pipeline's counters and limiter) no deferral reads and is done here once; one
                # at a time when a tap hears each block as it is delivered.
                i = delivered
                if per_block:
                    j = i + 1
                else:
                    j, moved = clock.advance_along_deferring(times, i, ready, self)
                m = j - i
                self._pos = pos = (pos + m * bs) % loop
                count_to(j)
                now = times[j - 1]
                out = pipeline.stretch_blocks(i, j)
                delivered = j
                stream_time = self._stream_time
                for _ in range(m):  # the sums block by block gives
                    stream_time += period
                self._stream_time = stream_time
                self.frames_delivered += m * bs
                if later is not None:
                    later.extend(times[i:j])
                elif taps:
                    for tap in taps:
                        tap(self, out, now)
                if not per_block or delivered == blocks or not self._clean_next():
                    break
                if clock.advance_to_next(clock.now() + period):
                    continue
                moved = False
                break
            if later:
                heard = work[:delivered * bs]
                for tap in list(taps):
                    tap_blocks[tap](self, heard, later)
        finally:
            pipeline.end_stretch(delivered)
            if delivered:
                self._outdata[...] = out
        return moved

    def _clean_next(self) -> bool:
        """Whether the stream's next block, inside a stretch, is still a clean one of it: the
        stream runs, no timer of its own is set (a stop and start from a tap), and no fault hook
        called from a tap has stalled, delayed or corrupted a device of it."""
        if not self._active or self._dead or self._timer is not None:
            return False
        for d in self._devices:
            if d.stalled or d.pending_delay_s or d.corrupt_callbacks or d.starved:
                return False
        return True

    def _late_tick(self) -> None:
        with self._lock:
            self._timer = None
            if not self._active or self._dead:
                return
            self._deliver(StatusFlags(input_overflow=True, output_underflow=True))
            self._schedule_next()

    def _schedule_next(self) -> None:
        """The next block's timer, one period after this one's."""
        self._timer = self._clock.call_later(self._period, self._tick)

    def _deliver(self, status: StatusFlags) -> None:
        if self._after_stall:
            status.input_overflow = True
            self._after_stall = False
        bs = self._bs
        pos = self._pos
        indata = self._signal[pos:pos + bs]
        self._pos = (pos + bs) % self._loop
        corrupt = starved = False
        for d in self._devices:
            if d.corrupt_callbacks and d.spend_corrupt_callback(self._clock.now()):
                corrupt = True
            starved = starved or d.starved
        if starved:
            if status is _CLEAN:
                status = StatusFlags()
            status.input_underflow = True
            indata = self._no_indata
        if corrupt:
            indata = self._bad_indata
        out = self._outdata
        stats = self.stats
        stats.callbacks += 1
        now = self._clock.now()
        stats.last_callback_at = now
        stats.count_input(status.input_underflow, self._clock.now)
        if status is not _CLEAN and status.any():
            stats.flagged_callbacks += 1
            for name in status.set_names():
                stats.flag_counts[name] = stats.flag_counts.get(name, 0) + 1
        try:
            self._callback(indata, out, bs, self._stream_time, status)
        except Exception as exc:  # the system promises this never happens; a device survives it anyway
            from ..errors import CallbackError
            self._on_error(CallbackError(f"callback raised {exc!r}", component="device"))
        self._stream_time += self._period
        self.frames_delivered += bs
        rec = self.recording
        if rec is not None:
            i = self.recorded_frames % rec.shape[0]
            n = min(bs, rec.shape[0] - i)
            rec[i:i + n] = out[:n]
            if n < bs:
                rec[:bs - n] = out[n:]
            self.recorded_frames += bs
        taps = self.backend._output_taps
        if taps:
            for tap in taps:
                tap(self, out, now)

    # -- fault entry points (called by the backend) -------------------------------------------
    def _die(self) -> bool:
        """Stop delivering for good; False if the stream was already dead or closed."""
        with self._lock:
            if self._dead or self._closed:
                return False
            self._dead = True
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        return True

    def _device_lost(self, name: str, report: bool) -> None:
        if not self._die():
            return
        if report:
            err = DeviceLostError(f"simulated device {name!r} disappeared", component="device",
                                  details={"device": name})
            self._clock.call_later(self._period, lambda: self._on_error(err))

    def _resume_after_stall(self) -> None:
        with self._lock:
            if self._active and not self._dead and self._timer is None:
                self._schedule(self._period)

    def _rate_changed(self, name: str, old: int | None, new: int) -> None:
        if not self._die():
            return
        self._on_error(SampleRateChangedError(
            f"simulated device {name!r} changed rate {old} -> {new} Hz under the stream",
            component="device", details={"device": name, "from": old, "to": new}))

    def recorded(self) -> np.ndarray:
        """The output recorded so far (most recent ``record_seconds``), oldest first."""
        rec = self.recording
        if rec is None:
            return np.zeros((0, self.spec.output_channels), dtype=np.float32)
        n = self.recorded_frames
        if n <= rec.shape[0]:
            return rec[:n].copy()
        i = n % rec.shape[0]
        return np.concatenate([rec[i:], rec[:i]])


__all__ = ["COMMON_RATES", "CORRUPT_CALLBACKS", "PENDING_DELAY", "DeviceRequest", "OutputTap", "SimulatedBackend", "SimulatedDevice", "SimulatedStream", "StretchTap",
           "default_devices"]
