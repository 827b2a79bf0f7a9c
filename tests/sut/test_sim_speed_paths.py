"""The fast paths of the simulation keep the meaning of the slow ones they replaced."""

from __future__ import annotations

import dataclasses

from system_under_test.lifecycle import State, TransitionRecord


def test_a_transition_record_dict_names_every_field_with_state_values() -> None:
    record = TransitionRecord(7, 1.25, "dsp", State.RUNNING, State.RECOVERING, "stall")
    expected = {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
    expected["from_state"], expected["to_state"] = "running", "recovering"
    got = record.to_dict()
    assert got == expected
    assert list(got) == [f.name for f in dataclasses.fields(record)]  # the history's key order


def _running(seed: int = 1):
    from system_under_test import AudioSystem

    s = AudioSystem({"stream": {"block_size": 256}}, seed=seed)
    s.initialize()
    s.start()
    return s


def test_on_the_virtual_clock_a_healthy_system_is_supervised_at_watchdog_deadlines_not_every_tick() -> None:
    s = _running()
    passes = []
    real_poll = s.poll
    s.poll = lambda: (passes.append(s.clock.now()), real_poll())[1]  # type: ignore[method-assign]
    s.run_for(1.0)
    period = s.config.block_seconds
    stall = s.config.watchdog.stall_periods * period
    tick = s.config.watchdog.supervisor_interval_ms / 1000
    # a tick every supervisor_interval_ms would be 200 passes; a deadline every 3-4 blocks ~50-63
    assert 1.0 / stall - 2 <= len(passes) <= 1.0 / (stall - period) + 2 < 0.5 / tick
    assert s.metrics().counters.get("device_stalls", 0) == 0
    s.close()


def test_a_silent_stall_is_detected_the_moment_the_last_callback_is_stall_periods_old() -> None:
    s = _running()
    s.run_for(0.1)
    stream = s.stream
    errors = []
    s.add_event_listener(lambda e: errors.append(e) if e.kind == "error" else None)
    s.backend.stall(stream.spec.input_device)
    s.run_for(0.2)
    last = stream.stats.last_callback_at
    stalls = [e for e in errors if "DeviceStalledError" in str(e.data.get("error"))]
    assert stalls, errors
    late = stalls[0].time - last - s.config.watchdog.stall_periods * s.config.block_seconds
    assert 0 < late < 1e-9  # at the deadline, not on the next 5 ms tick after it
    s.close()


def test_a_reported_device_loss_is_handled_when_it_is_reported() -> None:
    s = _running()
    s.run_for(0.1)
    errors = []
    s.add_event_listener(lambda e: errors.append(e) if e.kind == "error" else None)
    name = s.stream.spec.input_device
    t_loss = s.clock.now()
    s.backend.remove_device(name)
    s.run_for(0.05)
    lost = [e for e in errors if "DeviceLostError" in str(e.data.get("error"))]
    assert lost, errors
    # the device reports one period after it disappears; the supervisor routes it at once
    assert lost[0].time == t_loss + s.config.block_seconds
    s.close()


def test_the_biquad_is_lfilter_over_the_concatenated_blocks_whatever_their_sizes() -> None:
    """``dsp.Biquad`` filters with numpy alone (chunked state-space products, not scipy's
    recursion): over blocks of sizes no chunk divides, mixed, one frame, its samples and its
    state are lfilter's over the concatenation to float64 rounding."""
    import numpy as np
    from scipy import signal

    from system_under_test import dsp

    rng = np.random.default_rng(3)
    for kind, cutoff in (("peaking", 3000.0), ("highpass", 30.0), ("lowpass", 18_000.0)):
        stage = dsp.Biquad(kind, cutoff, 1.2, 4.0, 48_000, 2)
        blocks = [rng.standard_normal((n, 2)).astype(np.float32) for n in (256, 64, 1, 1000, 7, 256, 2048)]
        got = np.concatenate([stage.process(b.copy()) for b in blocks])
        want, zf = signal.lfilter(stage.b, stage.a, np.concatenate(blocks).astype(np.float64), axis=0,
                                  zi=np.zeros((2, 2)))
        assert got.dtype == np.float32
        assert np.max(np.abs(got - want.astype(np.float32))) <= 4 * np.finfo(np.float32).eps * np.max(np.abs(want))
        assert np.allclose(stage.state, zf, rtol=0.0, atol=1e-9)  # far below a float32 sample's step


def test_a_biquad_reset_after_a_nan_forgets_it_and_channels_stay_apart() -> None:
    """A NaN poisons its own channel's state (as in lfilter) and nothing else; a reset forgets it,
    the matrices' chunk-start rows included."""
    import numpy as np

    from system_under_test import dsp

    stage = dsp.Biquad("lowpass", 1000.0, 0.707, 0.0, 48_000, 2)
    x = np.ones((256, 2), dtype=np.float32)
    x[10, 0] = np.nan
    y = stage.process(x)
    assert np.isnan(y[10:, 0]).all() and np.isfinite(y[:10, 0]).all() and np.isfinite(y[:, 1]).all()
    stage.reset()
    fresh = dsp.Biquad("lowpass", 1000.0, 0.707, 0.0, 48_000, 2)
    ones = np.ones((256, 2), dtype=np.float32)
    assert np.array_equal(stage.process(ones.copy()), fresh.process(ones.copy()))


def _observed(quiet_passes: bool) -> tuple[list[tuple[float, str, str]], list[tuple[float, tuple[float, ...]]], int, int]:
    """A healthy system, a silent stall, its recovery and a reported device loss, with the
    watchdog's quiet passes done inline (``AudioSystem._quiet_pass``) or every pass run as a timer:
    every event (time, kind, data), the gauges and the watchdog's deadline read by a timer every
    7 ms, how many passes ran as timers and how many blocks the device delivered."""
    s = _running(seed=4)
    if not quiet_passes:
        s._plain_pass = False  # every pass runs as a timer, as a subclass with a pass of its own does
    events: list[tuple[float, str, str]] = []
    s.add_event_listener(lambda e: events.append((e.time, e.kind, repr(sorted(e.data.items())))))
    timed = [0]
    real = s._supervise

    def supervise() -> None:
        timed[0] += 1
        real()

    s._supervise_cb = supervise
    gauges: list[tuple[float, tuple[float, ...]]] = []

    def read() -> None:
        g = s.monitoring.gauges
        gauges.append((s.clock.now(), (g["buffer_fill_input"].value, g["buffer_fill_output"].value,
                                       g["pool_in_use"].value, s._watchdog_due or -1.0)))
        s.clock.call_later(0.007, read)

    s.clock.call_later(0.007, read)
    s.run_for(0.5)
    s.backend.stall(s.stream.spec.input_device)
    s.run_for(0.03)
    s.backend.unstall(s.stream.spec.input_device)
    s.run_for(0.5)
    s.backend.remove_device(s.stream.spec.input_device)
    s.run_for(0.5)
    blocks = s.metrics().counters["callbacks"]
    s.close()
    return events, gauges, timed[0], blocks


def test_the_watchdogs_quiet_passes_done_inline_change_nothing_but_the_timers() -> None:
    """A pass that would find nothing is done inside the device's stretch of blocks instead of
    running as a timer every 3-4 blocks: the same events at the same times (the stall reported
    at its deadline, the recovery, the loss), the same gauges and deadlines read at every 7 ms."""
    events, gauges, timed, blocks = _observed(quiet_passes=True)
    ref_events, ref_gauges, ref_timed, ref_blocks = _observed(quiet_passes=False)
    assert events == ref_events
    assert any("DeviceStalledError" in data for _, _, data in events)
    assert gauges == ref_gauges and len(gauges) > 200
    assert blocks == ref_blocks > 150
    assert ref_timed > blocks / 5  # every pass a timer: one every 3-4 blocks
    assert timed < ref_timed / 2  # quiet passes inline: the event passes and a few more (18 of 55)


def test_a_paused_systems_watchdog_deadline_runs_as_a_pass_and_then_sleeps() -> None:
    """The watchdog's deadline pending when the system pauses is not done inline
    (``AudioSystem._quiet_pass`` only stands in for a RUNNING system's pass): it runs as a timer,
    finds the system PAUSED and keeps no deadline, so while paused no pass runs and none is due;
    the stream keeps calling back all along."""
    s = _running(seed=3)
    s.run_for(0.1)
    timed: list[float] = []
    real = s._supervise

    def supervise() -> None:
        timed.append(s.clock.now())
        real()

    s._supervise_cb = supervise
    if s._supervisor_timer is not None:
        s._supervisor_timer.callback = supervise
    s.pause()
    due = s._watchdog_due
    assert due is not None and due > s.clock.now()
    seen: list[tuple[float, float | None]] = []

    def read() -> None:
        seen.append((s.clock.now(), s._watchdog_due))
        s.clock.call_later(0.007, read)

    s.clock.call_later(0.007, read)
    callbacks = s.metrics().counters["callbacks"]
    s.run_for(0.1)
    assert timed == [due]
    assert [d for t, d in seen if t > due] == [None] * len([t for t, _ in seen if t > due]) != []
    assert s.metrics().counters["callbacks"] > callbacks + 10
    s.close()


def test_the_inline_quiet_pass_keeps_the_streams_stall_floor() -> None:
    """With a stream floor (``min_stall_s``) above ``stall_periods`` periods, each deadline the
    inline pass (``AudioSystem._quiet_pass``) moves the watchdog's timer to is the first moment
    past the floor after the last callback, the deadline ``poll`` sets, never the shorter one of
    the periods alone."""
    import math

    s = _running(seed=4)
    stream = s.stream
    floor = 0.05
    assert floor > s.config.watchdog.stall_periods * s.config.block_seconds
    stream.min_stall_s = floor  # type: ignore[misc]
    moved: list[tuple[float, float]] = []
    real = s._quiet_pass_cb

    def quiet_pass(due: float) -> float | None:
        later = real(due)
        if later is not None:
            moved.append((later, math.nextafter(stream.stats.last_callback_at + floor, math.inf)))
        return later

    s._quiet_pass_cb = quiet_pass
    s.run_for(0.3)
    assert len(moved) >= 4
    assert [later for later, _ in moved] == [expected for _, expected in moved]
    assert s.metrics().counters.get("device_stalls", 0) == 0
    s.close()


def test_a_subclass_with_a_pass_of_its_own_has_every_watchdog_deadline_run_as_a_pass() -> None:
    """A subclass that overrides ``poll`` alone (the class's ``_supervise`` kept) gets no inline
    quiet passes: its own pass runs at every watchdog deadline, as an instance-patched one does."""
    from system_under_test import AudioSystem

    passes: list[float] = []

    class Counting(AudioSystem):
        def poll(self) -> None:
            passes.append(self.clock.now())
            super().poll()

    s = Counting({"stream": {"block_size": 256}}, seed=1)
    s.initialize()
    s.start()
    s.run_for(1.0)
    period = s.config.block_seconds
    stall = s.config.watchdog.stall_periods * period
    assert 1.0 / stall - 2 <= len(passes) <= 1.0 / (stall - period) + 2
    assert s.metrics().counters.get("device_stalls", 0) == 0
    s.close()


def test_the_inline_quiet_pass_never_waits_for_an_operation_of_another_thread() -> None:
    """The simulated device asks the inline pass (``AudioSystem._quiet_pass``) from its block
    timer while it holds its stream's lock. If an operation of another thread holds the system's
    operation lock, the pass gives itself back to its timer at once (None), where it waits for the
    operation outside the stream's lock; waiting here instead would deadlock with an operation
    that stops or reopens that stream. The thread that asks is joined with a bound only to see a
    hang: the pass takes no lock it would wait for."""
    import threading

    s = _running(seed=2)
    s.run_for(0.05)
    due = s._supervisor_timer.when  # the watchdog's pending deadline
    held, release = threading.Event(), threading.Event()

    def operation() -> None:
        with s._op_lock:
            held.set()
            release.wait()

    op = threading.Thread(target=operation, daemon=True)
    op.start()
    assert held.wait(30.0)
    answers: list[float | None] = []
    asker = threading.Thread(target=lambda: answers.append(s._quiet_pass(due)), daemon=True)
    asker.start()
    asker.join(30.0)
    returned = not asker.is_alive()
    release.set()
    op.join(30.0)
    asker.join(30.0)
    assert returned, "the inline pass waited for the other thread's operation"
    assert answers == [None]
    assert s._quiet_pass(due) is not None  # the same pass, the lock free: done inline
    s.close()
