"""The simulated device keeps the promises its docstring makes, through its public API only:
what it lists, what it refuses to open (and why, in words), when each callback comes and what it
carries, and what every fault hook does to a running stream (and to nothing else).

Everything runs on a ``VirtualClock``: every time below is exact.
"""

from __future__ import annotations

import numpy as np
import pytest

from system_under_test.clock import SystemClock, VirtualClock
from system_under_test.devices.base import DeviceInfo, StatusFlags, StreamSpec
from system_under_test.devices.simulated import COMMON_RATES, SimulatedBackend, SimulatedDevice
from system_under_test.errors import (
    CallbackError,
    DeviceFormatError,
    DeviceLostError,
    DeviceNotFoundError,
    SampleRateChangedError,
)

BS = 64
SR = 48_000
PERIOD = BS / SR


class _Recorder:
    """The stream's callback: notes when it ran and what it got, and plays a ramp."""

    def __init__(self, clock: VirtualClock, fail_at: int | None = None) -> None:
        self.clock = clock
        self.calls: list[tuple[float, float, int, StatusFlags, np.ndarray]] = []
        self.fail_at = fail_at

    def __call__(self, indata, outdata, frames, stream_time, status) -> None:
        self.calls.append((self.clock.now(), stream_time, frames, status, indata.copy()))
        outdata[:] = len(self.calls)
        if self.fail_at == len(self.calls):
            raise ValueError("boom")

    @property
    def times(self) -> list[float]:
        return [c[0] for c in self.calls]

    def flags(self) -> list[list[str]]:
        return [c[3].set_names() for c in self.calls]


def _setup(*, seed: int = 0, spec: StreamSpec | None = None, **backend_kw):
    clock = VirtualClock()
    backend = SimulatedBackend(clock, seed=seed, **backend_kw)
    rec = _Recorder(clock)
    errors: list = []
    stream = backend.open_stream(spec or StreamSpec("sim-in", "sim-out", 2, 2, SR, BS), rec, errors.append)
    return clock, backend, stream, rec, errors


def _periods(n: int) -> list[float]:
    return [pytest.approx(PERIOD * k, abs=1e-12) for k in range(1, n + 1)]


# -- discovery -----------------------------------------------------------------------------------
def test_the_default_devices_are_listed_exactly():
    backend = SimulatedBackend(VirtualClock())
    assert backend.devices() == [
        DeviceInfo("sim-in", "sim", 2, 0, COMMON_RATES, 48_000, 0.005),
        DeviceInfo("sim-out", "sim", 0, 2, COMMON_RATES, 48_000, 0.005),
        DeviceInfo("sim-duplex", "sim", 8, 8, COMMON_RATES, 48_000, 0.005),
        DeviceInfo("sim-backup", "sim", 2, 2, COMMON_RATES, 48_000, 0.005),
    ]
    assert COMMON_RATES == (44_100, 48_000, 88_200, 96_000)
    backend.remove_device("sim-duplex")
    assert [d.name for d in backend.devices()] == ["sim-in", "sim-out", "sim-backup"]
    backend.restore_device("sim-duplex")
    assert len(backend.devices()) == 4
    backend.add_device(SimulatedDevice("usb", sample_rates=(22_050,), default_sample_rate=22_050))
    assert backend.devices()[-1] == DeviceInfo("usb", "sim", 2, 2, (22_050,), 22_050, 0.005)
    only = SimulatedBackend(VirtualClock(), devices=[SimulatedDevice("x")])
    assert [d.name for d in only.devices()] == ["x"] and only.name == "sim"
    assert [d.name for d in SimulatedBackend(VirtualClock(), devices=[]).devices()] == []


def test_the_simulated_device_needs_a_virtual_clock_and_names_what_is_missing():
    with pytest.raises(TypeError, match="^the simulated device is driven by a VirtualClock$"):
        SimulatedBackend(SystemClock())  # type: ignore[arg-type]
    backend = SimulatedBackend(VirtualClock())
    with pytest.raises(DeviceNotFoundError) as err:
        backend.stall("nope")
    assert err.value.message == "no simulated device named 'nope'" and err.value.component == "device"
    assert err.value.details == {"available": ["sim-backup", "sim-duplex", "sim-in", "sim-out"]}
    assert backend.device("sim-in").name == "sim-in"


def test_the_test_signal_is_a_seeded_sine_plus_noise_with_a_wrap_margin():
    backend = SimulatedBackend(VirtualClock(), seed=7, signal_hz=1000.0, amplitude=0.25, noise_dbfs=-40.0)
    table = backend.test_signal(8_000, 3)
    assert table.shape == (2 * 8_000, 3) and table.dtype == np.float32  # the margin is at most 1 s
    t = np.arange(8_000) / 8_000
    noise = 0.01 * np.random.default_rng(7).standard_normal((8_000, 3))
    want = (0.25 * np.sin(2 * np.pi * 1000.0 * t)[:, None] + noise).astype(np.float32)
    np.testing.assert_array_equal(table[:8_000], want)
    np.testing.assert_array_equal(table[8_000:], want)
    assert backend.test_signal(8_000, 3) is table  # one table per rate and channel count
    assert backend.test_signal(8_000, 2).shape == (16_000, 2)
    wide = backend.test_signal(44_100, 1)
    assert wide.shape == (44_100 + 8192, 1)
    np.testing.assert_array_equal(wide[44_100:], wide[:8192])
    assert backend.noise_amplitude == pytest.approx(0.01)
    assert backend.signal_hz == 1000.0 and backend.amplitude == 0.25
    other = SimulatedBackend(VirtualClock(), seed=8, signal_hz=1000.0, amplitude=0.25, noise_dbfs=-40.0)
    assert not np.array_equal(other.test_signal(8_000, 3), table)


def test_backends_alike_share_one_test_signal_that_no_stream_can_write_into():
    """A backend is made per run, per replay and per state-machine example; the sine loop is a
    function of the backend's rate, channels, tone, amplitude, noise and seed, so backends alike
    share one table, made once. Shared, it must be read-only: a stream writing into its input
    would change every later backend's signal."""
    def backend(seed: int) -> SimulatedBackend:
        return SimulatedBackend(VirtualClock(), seed=seed, signal_hz=1000.0, amplitude=0.25, noise_dbfs=-40.0)

    table = backend(7).test_signal(8_000, 3)
    assert backend(7).test_signal(8_000, 3) is table
    assert backend(8).test_signal(8_000, 3) is not table
    with pytest.raises(ValueError, match="read-only"):
        table[0, 0] = 1.0


def test_a_program_replaces_the_sine_and_sets_the_loop_length():
    """A ``program`` (the user's material, one loop per rate) is the input instead of the sine:
    its samples plus the seeded noise, as long as the program, with the wrap margin taken from its
    start; ``signal_period`` is the program's length, not a second."""
    backend = SimulatedBackend(VirtualClock(), seed=3, noise_dbfs=-40.0)
    asked: list[int] = []

    def program(rate: int) -> list[float]:
        asked.append(rate)
        return [0.1 * (i % 7) for i in range(rate // 4)]  # a quarter second; a list, not an array

    backend.program = program
    table = backend.test_signal(8_000, 2)
    sound = np.array([0.1 * (i % 7) for i in range(2_000)])
    noise = 0.01 * np.random.default_rng(3).standard_normal((2_000, 2))
    want = (sound[:, None] + noise).astype(np.float32)
    assert table.shape == (2 * 2_000, 2) and table.dtype == np.float32
    np.testing.assert_array_equal(table[:2_000], want)
    np.testing.assert_array_equal(table[2_000:], want)
    assert backend.signal_period(8_000, 2) == 2_000 and asked == [8_000]


def test_the_default_signal_is_997_hz_at_half_scale_and_quiet_noise():
    backend = SimulatedBackend(VirtualClock())
    assert (backend.signal_hz, backend.amplitude, backend.seed) == (997.0, 0.5, 0)
    assert backend.noise_amplitude == pytest.approx(10 ** (-90 / 20))
    table = backend.test_signal(48_000, 1)
    t = np.arange(48_000) / 48_000
    np.testing.assert_allclose(table[:48_000, 0], 0.5 * np.sin(2 * np.pi * 997.0 * t), atol=3e-4)


# -- opening a stream ---------------------------------------------------------------------------
def test_opening_a_stream_refuses_each_problem_in_words():
    backend = SimulatedBackend(VirtualClock())
    cases = [
        (StreamSpec("nope", "sim-out", 2, 2, SR, BS), DeviceNotFoundError,
         "simulated device 'nope' is not present", {"device": "nope"}),
        (StreamSpec("sim-in", "nope", 2, 2, SR, BS), DeviceNotFoundError,
         "simulated device 'nope' is not present", {"device": "nope"}),
        (StreamSpec("sim-in", "sim-out", 3, 2, SR, BS), DeviceFormatError,
         "'sim-in' has 2 channels, 3 requested", {}),
        (StreamSpec("sim-in", "sim-out", 2, 3, SR, BS), DeviceFormatError,
         "'sim-out' has 2 channels, 3 requested", {}),
        (StreamSpec("sim-in", "sim-out", 2, 2, 22_050, BS), DeviceFormatError,
         "'sim-in' does not support 22050 Hz", {}),
    ]
    for spec, kind, message, details in cases:
        with pytest.raises(kind) as err:
            backend.open_stream(spec, lambda *a: None, lambda e: None)
        assert (type(err.value), err.value.message, err.value.component, err.value.details) == \
            (kind, message, "device", details)
    backend.remove_device("sim-out")
    with pytest.raises(DeviceNotFoundError, match="'sim-out' is not present"):
        backend.open_stream(StreamSpec("sim-in", "sim-out", 2, 2, SR, BS), lambda *a: None, lambda e: None)
    assert backend.streams_opened == 0 and backend.open_streams() == []
    # exactly the device's channel count is fine, on both sides
    backend.open_stream(StreamSpec("sim-duplex", "sim-duplex", 8, 8, 96_000, BS), lambda *a: None,
                        lambda e: None)
    assert backend.streams_opened == 1


def test_open_streams_lists_each_open_stream_once():
    clock = VirtualClock()
    backend = SimulatedBackend(clock)
    a = backend.open_stream(StreamSpec("sim-duplex", "sim-duplex", 2, 2, SR, BS), lambda *x: None, print)
    b = backend.open_stream(StreamSpec("sim-in", "sim-out", 2, 2, SR, BS), lambda *x: None, print)
    listed = backend.open_streams()
    assert len(listed) == 2 and {id(s) for s in listed} == {id(a), id(b)} and backend.streams_opened == 2
    a.close()
    assert backend.open_streams() == [b] and a.closed and not b.closed
    backend.close()
    assert backend.open_streams() == [] and b.closed and not b.active


# -- callbacks ----------------------------------------------------------------------------------
def test_callbacks_come_once_a_period_with_the_signal_in_order():
    clock, backend, stream, rec, errors = _setup(seed=3)
    assert not stream.active and rec.calls == []
    stream.start()
    stream.start()  # already running: still one callback a period
    assert stream.active
    clock.advance(5 * PERIOD + PERIOD / 2)
    assert rec.times == _periods(5) and errors == []
    assert [c[1] for c in rec.calls] == [pytest.approx(PERIOD * k) for k in range(5)]  # stream time
    assert all(c[2] == BS and c[3] == StatusFlags() for c in rec.calls)
    signal = backend.test_signal(SR, 2)
    np.testing.assert_array_equal(np.concatenate([c[4] for c in rec.calls]), signal[:5 * BS])
    assert stream.stats.callbacks == 5 and stream.stats.last_callback_at == pytest.approx(5 * PERIOD)
    assert stream.stats.flagged_callbacks == 0 and stream.stats.flag_counts == {}
    assert stream.frames_delivered == 5 * BS


def test_the_input_wraps_after_one_second_of_signal():
    spec = StreamSpec("sim-in", "sim-out", 1, 1, 44_100, 4410)
    clock, backend, stream, rec, _ = _setup(spec=spec)
    stream.start()
    clock.advance(1.25)
    signal = backend.test_signal(44_100, 1)
    got = np.concatenate([c[4] for c in rec.calls])
    assert got.shape == (12 * 4410, 1)
    np.testing.assert_array_equal(got[:44_100], signal[:44_100])
    np.testing.assert_array_equal(got[44_100:], signal[:2 * 4410])


def test_stop_stops_callbacks_and_start_resumes_one_period_later():
    clock, _, stream, rec, _ = _setup()
    stream.start()
    clock.advance(2 * PERIOD)
    stream.stop()
    clock.advance(10 * PERIOD)
    assert len(rec.calls) == 2 and not stream.active
    stream.start()
    clock.advance(PERIOD)
    assert len(rec.calls) == 3 and rec.times[-1] == pytest.approx(13 * PERIOD)
    stream.close()
    stream.close()
    clock.advance(5 * PERIOD)
    assert len(rec.calls) == 3 and stream.closed and not stream.active
    with pytest.raises(DeviceLostError) as err:
        stream.start()
    assert (err.value.message, err.value.component) == ("stream is closed", "device")


def test_a_stop_and_a_start_within_one_period_leave_one_block_a_period():
    """The block that was due when the stream stopped is not delivered after it starts again
    beside the new ones: one block a period, counted from the start."""
    clock, _, stream, rec, _ = _setup()
    stream.start()
    clock.advance(1.5 * PERIOD)  # one block, the next one due at 2 periods
    stream.stop()
    stream.start()  # at 1.5 periods: the next block at 2.5
    clock.advance(4 * PERIOD)
    assert rec.times == [pytest.approx(PERIOD * k, abs=1e-12) for k in (1, 2.5, 3.5, 4.5, 5.5)]
    assert stream.stats.callbacks == 5 and stream.frames_delivered == 5 * BS
    stream.stop()
    clock.advance(4 * PERIOD)
    assert len(rec.calls) == 5


def test_a_callback_that_raises_is_reported_and_the_stream_goes_on():
    clock = VirtualClock()
    backend = SimulatedBackend(clock)
    rec = _Recorder(clock, fail_at=2)
    errors: list = []
    stream = backend.open_stream(StreamSpec("sim-in", "sim-out", 2, 2, SR, BS), rec, errors.append)
    stream.start()
    clock.advance(4 * PERIOD)
    assert len(rec.calls) == 4 and len(errors) == 1
    (err,) = errors
    assert type(err) is CallbackError and err.message == "callback raised ValueError('boom')"
    assert err.component == "device"
    # the raising block was still played: it is counted, and stream time moves on past it
    assert stream.frames_delivered == 4 * BS and stream.stats.callbacks == 4
    assert [c[1] for c in rec.calls] == [pytest.approx(PERIOD * k) for k in range(4)]


def test_the_output_is_recorded_oldest_first_and_heard_by_taps():
    clock, backend, stream, rec, _ = _setup(record_seconds=3 * PERIOD)
    heard: list[tuple[object, float, float]] = []

    def tap(s, out, t):
        heard.append((s, float(out[0, 0]), t))

    backend.add_output_tap(tap)
    assert stream.recorded().shape == (0, 2)  # nothing played yet
    stream.start()
    clock.advance(2 * PERIOD)
    np.testing.assert_array_equal(stream.recorded()[:, 0], np.repeat([1.0, 2.0], BS))
    clock.advance(3 * PERIOD)  # five blocks into a three-block recording: the newest three
    np.testing.assert_array_equal(stream.recorded()[:, 0], np.repeat([3.0, 4.0, 5.0], BS))
    assert stream.recorded_frames == 5 * BS
    assert heard == [(stream, float(k), pytest.approx(k * PERIOD)) for k in range(1, 6)]
    backend.remove_output_tap(tap)
    backend.remove_output_tap(tap)  # twice is harmless
    clock.advance(PERIOD)
    assert len(heard) == 5


def test_a_recording_of_a_part_block_wraps_inside_the_block():
    clock, _, stream, _, _ = _setup(record_seconds=(2.5 * BS) / SR)
    stream.start()
    clock.advance(3 * PERIOD)
    rec = stream.recorded()[:, 0]
    assert rec.shape == (160,)
    np.testing.assert_array_equal(rec, np.concatenate([np.full(32, 1.0), np.full(BS, 2.0), np.full(BS, 3.0)]))


def test_what_recorded_returned_stays_as_it_was_heard():
    """``recorded()`` hands out a copy: the recording wrapping over it later, or the caller
    writing into it, changes neither what the caller holds nor the recording."""
    clock, _, stream, _, _ = _setup(record_seconds=3 * PERIOD)
    stream.start()
    clock.advance(2 * PERIOD)
    kept = stream.recorded()
    scribbled = stream.recorded()
    scribbled[:] = -1.0
    np.testing.assert_array_equal(stream.recorded()[:, 0], np.repeat([1.0, 2.0], BS))
    clock.advance(2 * PERIOD)  # four blocks into a three-block recording: the first slot reused
    np.testing.assert_array_equal(kept[:, 0], np.repeat([1.0, 2.0], BS))
    np.testing.assert_array_equal(stream.recorded()[:, 0], np.repeat([2.0, 3.0, 4.0], BS))


def test_without_record_seconds_nothing_is_recorded():
    clock, _, stream, _, _ = _setup()
    stream.start()
    clock.advance(2 * PERIOD)
    assert stream.recording is None and stream.recorded().shape == (0, 2)
    assert stream.recorded().dtype == np.float32


# -- fault hooks ---------------------------------------------------------------------------------
def test_a_removed_device_reports_its_loss_one_period_later_and_stays_silent():
    clock, backend, stream, rec, errors = _setup()
    stream.start()
    clock.advance(2 * PERIOD)
    backend.remove_device("sim-in")
    assert stream.dead and errors == []
    clock.advance(PERIOD * 0.99)
    assert errors == []
    clock.advance(PERIOD * 0.02)
    (err,) = errors
    assert type(err) is DeviceLostError and err.message == "simulated device 'sim-in' disappeared"
    assert (err.component, err.details) == ("device", {"device": "sim-in"})
    clock.advance(10 * PERIOD)
    assert len(rec.calls) == 2 and len(errors) == 1
    backend.remove_device("sim-in")  # already dead: no second report
    clock.advance(2 * PERIOD)
    assert len(errors) == 1
    with pytest.raises(DeviceLostError) as err:
        stream.start()
    assert (err.value.message, err.value.component) == ("the device of this stream is gone", "device")
    backend.restore_device("sim-in")
    assert "sim-in" in [d.name for d in backend.devices()] and stream.dead


def test_a_removed_device_without_report_just_goes_quiet():
    clock, backend, stream, rec, errors = _setup()
    stream.start()
    clock.advance(PERIOD)
    backend.remove_device("sim-out", report=False)
    clock.advance(10 * PERIOD)
    assert len(rec.calls) == 1 and errors == [] and stream.dead


def test_a_closed_stream_is_not_told_its_device_went():
    clock, backend, stream, _, errors = _setup()
    stream.start()
    stream.close()
    backend.remove_device("sim-in")
    clock.advance(3 * PERIOD)
    assert errors == [] and not stream.dead


def test_a_stall_stops_callbacks_without_error_and_the_first_block_after_it_is_flagged():
    clock, backend, stream, rec, errors = _setup()
    stream.start()
    clock.advance(2 * PERIOD)
    backend.stall("sim-out")
    clock.advance(10 * PERIOD)
    assert len(rec.calls) == 2 and errors == []
    backend.unstall("sim-out")
    clock.advance(3 * PERIOD)
    assert rec.times[2:] == [pytest.approx(PERIOD * k) for k in (13, 14, 15)]
    assert rec.flags()[2:] == [["input_overflow"], [], []]
    assert stream.stats.flagged_callbacks == 1 and stream.stats.flag_counts == {"input_overflow": 1}
    backend.unstall("sim-out")  # not stalled: nothing changes
    clock.advance(PERIOD)
    assert len(rec.calls) == 6 and rec.times[-1] == pytest.approx(16 * PERIOD)


def test_unstalling_a_stopped_stream_does_not_start_it():
    clock, backend, stream, rec, _ = _setup()
    stream.start()
    backend.stall("sim-in")
    clock.advance(2 * PERIOD)
    stream.stop()
    backend.unstall("sim-in")
    clock.advance(5 * PERIOD)
    assert rec.calls == []


def test_a_delayed_callback_comes_late_flagged_and_delays_add_up():
    clock, backend, stream, rec, _ = _setup()
    stream.start()
    clock.advance(PERIOD)
    backend.delay_next_callback("sim-in", 0.010)
    backend.delay_next_callback("sim-out", 0.005)
    backend.delay_next_callback("sim-out", 0.001)
    clock.advance(PERIOD + 0.016 + 2 * PERIOD)
    assert rec.times == [pytest.approx(PERIOD), pytest.approx(2 * PERIOD + 0.016),
                         pytest.approx(3 * PERIOD + 0.016), pytest.approx(4 * PERIOD + 0.016)]
    assert rec.flags() == [[], ["input_overflow", "output_underflow"], [], []]
    assert stream.stats.flag_counts == {"input_overflow": 1, "output_underflow": 1}
    assert backend.device("sim-in").pending_delay_s == 0 == backend.device("sim-out").pending_delay_s


def test_a_stream_stopped_while_late_delivers_nothing():
    clock, backend, stream, rec, _ = _setup()
    stream.start()
    clock.advance(PERIOD)
    backend.delay_next_callback("sim-in", 0.010)
    clock.advance(PERIOD)  # the tick found the delay: the late callback is due in 10 ms
    stream.stop()
    clock.advance(0.02)
    assert len(rec.calls) == 1


def test_corrupt_callbacks_get_a_malformed_input_then_good_ones():
    clock, backend, stream, rec, _ = _setup()
    backend.corrupt_next_callbacks("sim-in", 2)
    backend.corrupt_next_callbacks("sim-in")
    stream.start()
    clock.advance(5 * PERIOD)
    assert [c[4].shape for c in rec.calls] == [(BS, 3)] * 3 + [(BS, 2)] * 2
    signal = backend.test_signal(SR, 2)
    np.testing.assert_array_equal(rec.calls[3][4], signal[3 * BS:4 * BS])  # the signal went on


def test_requests_taken_back_are_reported_once_and_never_served():
    """``take_back_pending(name)`` drops what still waits on the device for a callback (a delay,
    corrupted callbacks) and says what it dropped: the next callbacks come on time, unflagged and
    well formed, and a second look finds nothing left to take back."""
    clock, backend, stream, rec, _ = _setup()
    stream.start()
    clock.advance(PERIOD)
    backend.delay_next_callback("sim-in", 0.010)
    backend.corrupt_next_callbacks("sim-in", 2)
    assert backend.take_back_pending("sim-in") == {"corrupt_callbacks": 2, "delay_s": 0.010}
    assert backend.device("sim-in").pending_delay_s == 0.0 and backend.device("sim-in").corrupt_callbacks == 0
    assert backend.take_back_pending("sim-in") == {}
    clock.advance(3 * PERIOD)
    assert rec.times == _periods(4)
    assert rec.flags() == [[]] * 4
    assert [c[4].shape for c in rec.calls] == [(BS, 2)] * 4


def test_a_duplex_devices_corrupt_callbacks_are_spent_one_a_block():
    """On a device that is the stream's input and output, ``corrupt_next_callbacks(name, 2)``
    corrupts two blocks, as on a stream with two devices: the device is one, not one per direction."""
    clock, backend, stream, rec, _ = _setup(spec=StreamSpec("sim-duplex", "sim-duplex", 2, 2, SR, BS))
    backend.corrupt_next_callbacks("sim-duplex", 2)
    stream.start()
    clock.advance(4 * PERIOD)
    assert [c[4].shape for c in rec.calls] == [(BS, 3)] * 2 + [(BS, 2)] * 2


def test_blocks_are_charged_to_the_requests_in_the_order_asked():
    """Two corrupted callbacks asked without an end, then three that end before the third block:
    the first two blocks spend the first request, and the three of the second, none spent by its
    end, are dropped whole at the third block. Charged to the request with an end instead, the
    first two blocks left one of it to drop and two more corrupted blocks after its end."""
    clock, backend, stream, rec, _ = _setup()
    dropped: list[float] = []
    backend.corrupt_next_callbacks("sim-in", 2)
    backend.corrupt_next_callbacks("sim-in", 3, until=2.5 * PERIOD, on_dropped=dropped.append)
    stream.start()
    clock.advance(5 * PERIOD)
    assert [c[4].shape for c in rec.calls] == [(BS, 3)] * 2 + [(BS, 2)] * 3
    assert dropped == [3] and backend.device("sim-in").corrupt_callbacks == 0


def test_a_request_whose_last_block_is_taken_leaves_the_device_at_once():
    """Three corrupted callbacks asked with an end far off: the block that takes the last of them
    takes the request off the device and cancels its end's timer then, not at the next clean block
    nor at the end (a stream that dies on that block delivers no next one)."""
    clock, backend, stream, rec, _ = _setup()
    dropped: list[float] = []
    backend.corrupt_next_callbacks("sim-in", 3, until=100 * PERIOD, on_dropped=dropped.append)
    (request,) = backend.device("sim-in").requests
    assert request.end_timer in clock.live_timers()
    stream.start()
    clock.advance(3 * PERIOD)
    assert [c[4].shape for c in rec.calls] == [(BS, 3)] * 3
    assert list(backend.device("sim-in").requests) == [] and request.end_timer is None
    assert dropped == []

def test_a_delay_whose_late_block_would_come_past_its_end_is_dropped():
    """A delay asked with an end the stream's first block is already past comes to nothing (told
    to ``on_dropped``); a delay asked beside it without an end is served on that block."""
    clock, backend, stream, rec, _ = _setup()
    dropped: list[float] = []
    backend.delay_next_callback("sim-in", 0.010, until=PERIOD + 0.005, on_dropped=dropped.append)
    backend.delay_next_callback("sim-in", 0.004)
    stream.start()
    clock.advance(PERIOD + 0.004 + 2 * PERIOD)
    assert rec.times == [pytest.approx(PERIOD + 0.004), pytest.approx(2 * PERIOD + 0.004),
                         pytest.approx(3 * PERIOD + 0.004)]
    assert rec.flags() == [["input_overflow", "output_underflow"], [], []]
    assert dropped == [0.010] and backend.device("sim-in").pending_delay_s == 0


def test_delays_dropped_one_by_one_leave_no_delay():
    """Two delays whose ends the next block is past are dropped one after the other from their
    sum: what rounding leaves of it (4e-19 s) is no delay, and the block comes on time, unflagged."""
    clock, backend, stream, rec, _ = _setup()
    dropped: list[float] = []
    for delay in (0.008925031599153746, 0.0032581679186518098):
        backend.delay_next_callback("sim-in", delay, until=0.0, on_dropped=dropped.append)
    stream.start()
    clock.advance(2 * PERIOD)
    assert rec.times == _periods(2) and rec.flags() == [[], []]
    assert len(dropped) == 2 and backend.device("sim-in").pending_delay_s == 0


def test_a_delay_dropped_whole_is_told_whole_though_the_devices_sum_lost_an_ulp():
    """Delays of 0.7 s and 0.1 s held together sum to 0.7999999999999999 on the device: taken
    back, each is told exactly what it asked, the 0.1 s too, not the 0.09999999999999998 s the
    sum leaves of it. Told an ulp short, the fault outcomes read the second as served in part,
    judged its path, and a healthy run that met neither delay read the xrun path missed."""
    _clock, backend, _stream, _rec, _ = _setup()
    dropped: list[float] = []
    backend.delay_next_callback("sim-in", 0.7, until=5.0, on_dropped=dropped.append)
    backend.delay_next_callback("sim-in", 0.1, until=5.0, on_dropped=dropped.append)
    assert backend.take_back_pending("sim-in") == {}
    assert dropped == [0.7, 0.1] and backend.device("sim-in").pending_delay_s == 0


def test_a_rate_change_kills_the_streams_at_another_rate_and_says_so():
    clock, backend, stream, rec, errors = _setup()
    stream.start()
    clock.advance(PERIOD)
    backend.change_sample_rate("sim-in", 48_000)  # the stream's own rate: nothing happens
    clock.advance(PERIOD)
    assert errors == [] and not stream.dead and len(rec.calls) == 2
    backend.change_sample_rate("sim-in", 44_100)
    (err,) = errors
    assert type(err) is SampleRateChangedError
    assert err.message == "simulated device 'sim-in' changed rate 48000 -> 44100 Hz under the stream"
    assert (err.component, err.details) == ("device", {"device": "sim-in", "from": 48_000, "to": 44_100})
    assert stream.dead and backend.device("sim-in").current_rate == 44_100
    clock.advance(5 * PERIOD)
    assert len(rec.calls) == 2
    backend.change_sample_rate("sim-in", 96_000)
    assert len(errors) == 1


def test_opening_sets_the_devices_current_rate():
    backend = SimulatedBackend(VirtualClock())
    assert backend.device("sim-in").current_rate is None
    backend.open_stream(StreamSpec("sim-in", "sim-out", 2, 2, 96_000, BS), lambda *a: None, print)
    assert backend.device("sim-in").current_rate == backend.device("sim-out").current_rate == 96_000


def test_the_callback_gets_float32_blocks_as_the_backend_contract_says():
    clock, backend, stream, rec, _ = _setup(record_seconds=2 * PERIOD)
    seen: list[tuple] = []

    def callback(indata, outdata, frames, stream_time, status) -> None:
        seen.append((indata.dtype, indata.shape, outdata.dtype, outdata.shape))

    stream = backend.open_stream(StreamSpec("sim-in", "sim-out", 2, 1, SR, BS), callback, print)
    backend.corrupt_next_callbacks("sim-in")
    stream.start()
    clock.advance(2 * PERIOD)
    backend.starve_input("sim-in")  # silence in place of the input: a block like the others
    clock.advance(PERIOD)
    f32 = np.dtype(np.float32)
    assert seen == [(f32, (BS, 3), f32, (BS, 1)), (f32, (BS, 2), f32, (BS, 1)), (f32, (BS, 2), f32, (BS, 1))]
    assert stream.recorded().dtype == f32 and stream.recording.dtype == f32


def test_a_closed_stream_is_let_go_by_its_devices():
    clock, backend, stream, _, _ = _setup()
    duplex = backend.open_stream(StreamSpec("sim-duplex", "sim-duplex", 2, 2, SR, BS), lambda *a: None, print)
    assert backend.device("sim-in").streams == [stream] and backend.device("sim-duplex").streams == [duplex]
    stream.close()
    duplex.close()
    assert all(backend.device(n).streams == [] for n in ("sim-in", "sim-out", "sim-duplex"))


def test_flags_are_counted_per_callback_and_per_name():
    clock, backend, stream, rec, _ = _setup()
    stream.start()
    for _ in range(2):
        backend.delay_next_callback("sim-in", 0.001)
        clock.advance(PERIOD + 0.001)
    assert stream.stats.flagged_callbacks == 2
    assert stream.stats.flag_counts == {"input_overflow": 2, "output_underflow": 2}


def test_a_stall_undone_before_the_next_block_changes_nothing():
    clock, backend, stream, rec, errors = _setup()
    stream.start()
    clock.advance(PERIOD)
    backend.stall("sim-in")
    backend.unstall("sim-in")
    clock.advance(4 * PERIOD)
    assert rec.times == _periods(5) and rec.flags() == [[]] * 5 and errors == []


def test_each_rate_and_channel_count_has_its_own_signal():
    backend = SimulatedBackend(VirtualClock())
    a, b = backend.test_signal(8_000, 2), backend.test_signal(9_000, 1)
    assert a.shape == (16_000, 2) and b.shape == (9_000 + 8192, 1)


def test_the_stream_s_and_the_device_s_states_are_the_bools_they_are_declared_as():
    """``active``, ``closed`` and ``dead`` (``DeviceStream``'s properties, typed ``bool``) and a
    device's ``present`` and ``stalled`` (dataclass fields, ``bool``) are True or False at every
    step, never another false value: a reader may compare them, print them or write them to
    JSON."""
    clock, backend, stream, _, _ = _setup()
    dev = backend.device("sim-in")

    def states() -> tuple:
        return stream.active, stream.closed, stream.dead, dev.present, dev.stalled

    assert states() == (False, False, False, True, False)
    stream.start()
    clock.advance(PERIOD)
    assert states() == (True, False, False, True, False)
    backend.stall("sim-in")
    assert states() == (True, False, False, True, True)
    backend.unstall("sim-in")
    assert states() == (True, False, False, True, False)
    stream.stop()
    assert states() == (False, False, False, True, False)
    stream.start()
    backend.remove_device("sim-in", report=False)
    assert states() == (True, False, True, False, False)
    stream.close()
    assert states() == (False, True, True, False, False)
    assert all(type(s) is bool for s in states())
    for step in ("fresh", "stopped", "unstalled"):
        clock, backend, stream, _, _ = _setup()
        dev = backend.device("sim-in")
        if step != "fresh":
            stream.start()
            backend.stall("sim-in")
            backend.unstall("sim-in")
            stream.stop()
        assert all(type(s) is bool for s in states()), step


def test_a_starved_input_adds_its_flag_beside_a_late_block_s_and_a_block_after_a_stall_s():
    """Each flag says one thing that happened to the block: a late block, or the first one after a
    stall, that comes while the input is starved keeps its own flags (``input_overflow``, with
    ``output_underflow`` for the late one) and has ``input_underflow`` beside them, and the stream
    counts each; the starved blocks between them have ``input_underflow`` alone."""
    clock, backend, stream, rec, errors = _setup()
    backend.starve_input("sim-in")
    stream.start()
    clock.advance(PERIOD)
    backend.delay_next_callback("sim-out", 0.005)
    clock.advance(PERIOD + 0.005)  # the late block
    clock.advance(1.5 * PERIOD)  # one on time after it
    backend.stall("sim-out")
    clock.advance(10 * PERIOD)
    backend.unstall("sim-out")
    clock.advance(1.5 * PERIOD)  # the first block after the stall
    starved = ["input_underflow"]
    assert rec.flags() == [starved, starved + ["input_overflow", "output_underflow"], starved,
                           starved + ["input_overflow"]]
    assert stream.stats.flag_counts == {"input_underflow": 4, "input_overflow": 2, "output_underflow": 1}
    assert stream.stats.flagged_callbacks == 4 and errors == []
    assert all(not c[4].any() for c in rec.calls)  # silence in place of the input in every one


def test_a_starved_input_is_dated_from_its_first_block_and_a_restart_forgets_it():
    """``starve_input``: every block comes on time, flagged ``input_underflow`` with silence for
    input, and ``stats.input_starved_since`` (what the system's watchdog reads) is the first such
    block's time until a block brings input again. A stream stopped while starved and started
    again has had no block yet: the run from before the stop is not its own (the watchdog would
    otherwise report a stall for a stream that has not been silent at all)."""
    clock, backend, stream, rec, _ = _setup()
    stream.start()
    clock.advance(PERIOD * 2)
    assert stream.stats.input_starved_since is None
    backend.starve_input("sim-in")
    clock.advance(PERIOD * 3)
    assert rec.flags()[2:] == [["input_underflow"]] * 3
    assert not rec.calls[-1][4].any()  # silence in place of the input
    assert stream.stats.input_starved_since == pytest.approx(PERIOD * 3, abs=1e-12)
    backend.feed_input("sim-in")
    clock.advance(PERIOD)
    assert rec.flags()[-1] == [] and stream.stats.input_starved_since is None
    backend.starve_input("sim-in")
    clock.advance(PERIOD * 2)
    assert stream.stats.input_starved_since == pytest.approx(PERIOD * 7, abs=1e-12)
    stream.stop()
    backend.feed_input("sim-in")
    clock.advance(PERIOD * 10)
    stream.start()
    assert stream.stats.input_starved_since is None
    clock.advance(PERIOD)
    assert rec.flags()[-1] == [] and stream.stats.input_starved_since is None
    stream.close()


def test_a_stream_that_died_holds_no_timer_on_the_clock():
    """A stream that dies (its device changed rate under it) delivers nothing more, for good: its
    next tick is taken off the clock with it. Left queued, the tick (a bound method of the stream)
    holds the dead stream, and all it reaches, on the clock until its time comes, though nothing
    will ever be delivered by it."""
    clock, backend, stream, rec, errors = _setup()
    stream.start()
    clock.advance(PERIOD)

    def held_by_the_stream() -> list:
        return [t for t in clock.live_timers() if getattr(t.callback, "__self__", None) is stream]

    assert held_by_the_stream() != []  # a live stream's next tick is on the clock
    backend.change_sample_rate("sim-in", 44_100)
    assert stream.dead and len(errors) == 1
    assert held_by_the_stream() == []
