"""The integrated system on the simulated device: lifecycle, faults, recovery, accounting."""

import threading

import numpy as np
import pytest

from system_under_test import AudioSystem, State
from system_under_test.errors import (
    ConfigValidationError,
    DeviceNotFoundError,
    IllegalTransitionError,
    SimulatedError,
    SystemClosedError,
)
from system_under_test.resources import ResourceType


@pytest.fixture
def system():
    s = AudioSystem({"device": {"fallback_devices": ["sim-backup"]}}, seed=7)
    s.initialize()
    yield s
    s.close()
    assert s.resources.leak_report() == []


def running(system):
    system.start()
    system.run_for(0.1)
    assert system.state == State.RUNNING
    return system


def assert_balanced(system):
    acc = system.frame_accounts()
    assert acc.balanced(), acc


def test_seed_validation_integration(system):
    """Seed document validation step 3: initialise, propagate an error, recover to healthy."""
    running(system)
    assert all(system.coordinator.state(c) == State.RUNNING for c in system.components)
    with pytest.raises(SimulatedError):
        system.simulate_error()
    assert system.state == State.FAILED and not system.is_healthy()
    assert system.recover()
    assert system.is_healthy() and system.state == State.RUNNING
    system.run_for(0.1)
    assert_balanced(system)


def test_clean_run_plays_every_frame(system):
    running(system)
    system.run_for(2.0)
    acc = system.frame_accounts()
    assert acc.captured == pytest.approx(2.1 * 48_000, abs=256)
    assert acc.dropped == 0 and acc.inserted == 0 and acc.balanced()
    assert system.metrics().counters["xruns"] == 0


def test_output_is_the_processed_input_signal():
    s = AudioSystem({"dsp": [{"kind": "gain", "gain_db": -6.0206}]}, seed=1)
    s.backend.record_seconds = 0.5
    s.initialize()
    s.start()
    s.run_for(0.5)
    rec = s.stream.recorded()
    rms = float(np.sqrt(np.mean(rec[4800:] ** 2)))
    s.close()
    assert rms == pytest.approx(0.25 / np.sqrt(2), rel=0.01)


def test_illegal_operations_raise_and_leave_state(system):
    with pytest.raises(IllegalTransitionError):
        system.pause()
    assert system.state == State.CONFIGURED
    running(system)
    with pytest.raises(IllegalTransitionError):
        system.start()
    assert system.state == State.RUNNING


def test_dropout_is_detected_and_recovered_on_the_same_device():
    s = AudioSystem({}, seed=2)
    s.initialize()
    s.start()
    s.run_for(0.1)
    s.backend.remove_device("sim-in")
    s.run_for(0.05)
    assert s.state == State.RECOVERING and not s.is_healthy()
    s.run_for(0.3)
    s.backend.restore_device("sim-in")
    s.run_for(2.0)
    assert s.state == State.RUNNING and s.is_healthy()
    assert s.metrics().counters["recoveries"] == 1
    assert_balanced(s)
    s.close()


def test_dropout_falls_back_to_another_device(system):
    running(system)
    system.backend.remove_device("sim-in")
    system.run_for(5.0)
    assert system.state == State.RUNNING
    assert system.stream.spec.input_device == "sim-backup"


def test_recovery_gives_up_after_deadline_and_reports_failed():
    s = AudioSystem({"recovery": {"deadline_ms": 200, "max_attempts": 3}}, seed=3)
    s.initialize()
    s.start()
    s.backend.remove_device("sim-in")
    s.run_for(1.0)
    assert s.state == State.FAILED
    assert s.metrics().counters["recovery_failures"] == 1
    assert s.resources.is_cleaned_up("device")
    s.backend.restore_device("sim-in")
    assert s.recover() and s.state == State.RUNNING
    s.close()


def test_dropout_while_paused_returns_to_paused(system):
    running(system)
    system.pause()
    system.backend.remove_device("sim-in")
    system.run_for(0.1)
    assert system.state == State.RECOVERING
    system.backend.restore_device("sim-in")
    system.run_for(1.0)
    assert system.state == State.PAUSED


def test_silent_stall_is_caught_by_the_watchdog(system):
    running(system)
    system.backend.stall("sim-in")
    system.run_for(0.2)
    assert system.metrics().counters["device_stalls"] >= 1
    system.backend.unstall("sim-in")
    system.run_for(1.0)
    assert system.state == State.RUNNING and system.metrics().counters["recoveries"] >= 1


def test_the_stall_watchdog_never_fires_below_the_streams_floor(system):
    """A stream whose device shows gaps when healthy (a real device host on a loaded machine)
    declares ``min_stall_s``; a gap shorter than that is no stall, a longer one still is.
    Measured on the rig's ALSA route at load 10: 22-24 ms gaps against a 21 ms (4-period) watchdog
    started a needless recovery each."""
    running(system)
    stream = system.stream
    stream.min_stall_s = 0.25  # the PortAudio stream's own watchdog bound
    system.backend.stall("sim-in")
    system.run_for(0.1)  # far past 4 periods, inside the floor
    assert system.metrics().counters.get("device_stalls", 0) == 0
    assert system.state == State.RUNNING
    system.backend.unstall("sim-in")
    system.run_for(0.5)
    assert system.metrics().counters.get("recoveries", 0) == 0
    # The floor is a floor, not an off switch: a longer silence is a stall.
    system.backend.stall("sim-in")
    system.run_for(0.4)
    assert system.metrics().counters["device_stalls"] >= 1
    system.backend.unstall("sim-in")
    system.run_for(1.0)
    assert system.state == State.RUNNING and system.metrics().counters["recoveries"] >= 1


def test_silent_device_loss_is_caught_by_the_watchdog(system):
    running(system)
    system.backend.remove_device("sim-in", report=False)
    system.run_for(0.1)
    assert system.state == State.RECOVERING
    system.backend.restore_device("sim-in")
    system.run_for(1.0)
    assert system.state == State.RUNNING


def test_late_callback_is_an_xrun_not_a_failure(system):
    running(system)
    system.backend.delay_next_callback("sim-in", 0.01)  # two periods late, under the watchdog
    system.run_for(0.2)
    m = system.metrics().counters
    assert m["xruns"] == 1 and m["status_input_overflow"] == 1
    assert system.state == State.RUNNING


def test_callback_exceptions_never_escape_and_persisting_ones_restart(system):
    running(system)
    system.backend.corrupt_next_callbacks("sim-in", 1)
    system.run_for(0.1)
    m = system.metrics().counters
    assert m["callback_errors"] == 1 and system.state == State.RUNNING
    system.backend.corrupt_next_callbacks("sim-in", 5)
    system.run_for(0.5)
    assert system.metrics().counters["recoveries"] >= 1 and system.state == State.RUNNING
    assert not [e for e in system.coordinator.errors() if "callback raised" in e.error.message
                and e.component == "device"]
    assert_balanced(system)


def test_sample_rate_change_reopens_at_the_configured_rate(system):
    running(system)
    system.backend.change_sample_rate("sim-in", 44_100)
    system.run_for(0.5)
    assert system.state == State.RUNNING
    assert system.stream.spec.sample_rate == 48_000


def test_pool_exhaustion_degrades_counts_and_recovers(system):
    running(system)
    pool = system.pipeline.pool
    held = [pool.acquire() for _ in range(pool.size)]
    system.run_for(0.5)
    m = system.metrics().counters
    assert system.degraded and m["pool_exhaustions"] == 1 and m["frames_dropped"] > 0
    assert system.state == State.RUNNING
    assert_balanced(system)
    for idx in held:
        pool.release(idx)
    system.run_for(0.2)
    assert not system.degraded
    assert_balanced(system)


def test_rejected_reconfiguration_changes_nothing(system):
    running(system)
    before_cfg, before_hist = system.config, len(system.coordinator.history)
    with pytest.raises(ConfigValidationError):
        system.reconfigure({"stream": {"block_size": 100_000}})
    assert system.config is before_cfg and system.state == State.RUNNING
    assert len(system.coordinator.history) == before_hist


def test_dsp_only_reconfiguration_keeps_the_stream(system):
    running(system)
    stream = system.stream
    system.reconfigure(system.config.replace(dsp=[{"kind": "gain", "gain_db": -12}]))
    assert system.stream is stream and system.state == State.RUNNING
    assert system.config.dsp[0].gain_db == -12


def test_stream_reconfiguration_reopens_and_keeps_pause(system):
    running(system)
    system.pause()
    system.reconfigure(system.config.replace(stream={"block_size": 128}))
    assert system.state == State.PAUSED and system.stream.spec.block_size == 128
    system.resume()
    system.run_for(0.1)
    assert_balanced(system)


def test_reconfiguration_that_cannot_open_rolls_back(system):
    running(system)
    old = system.config
    system.backend.device("sim-duplex").sample_rates = (48_000,)
    target = old.replace(device={"input_device": "sim-duplex"})
    system.backend.remove_device("sim-duplex")
    system.backend.restore_device("sim-duplex")
    # validated while present, then it vanishes between validation and opening
    original = system.backend.open_stream

    def vanish(spec, cb, on_error):
        if spec.input_device == "sim-duplex":
            raise DeviceNotFoundError("gone between validation and open")
        return original(spec, cb, on_error)

    system.backend.open_stream = vanish
    with pytest.raises(DeviceNotFoundError):
        system.reconfigure(target)
    assert system.config is old and system.state == State.RUNNING
    assert system.stream.spec.input_device == "sim-in"


def test_resource_limit_refuses_start_and_leaves_nothing_allocated():
    s = AudioSystem({"limits": {"buffers": 3}}, seed=1)
    s.initialize()
    with pytest.raises(Exception, match="limit"):
        s.start()
    assert s.state == State.FAILED
    assert all(s.resources.is_cleaned_up(c) for c in s.components)
    s.close()


def test_context_manager_releases_everything_even_on_error():
    with pytest.raises(RuntimeError):
        with AudioSystem({}, seed=1) as s:
            s.start()
            s.run_for(0.05)
            raise RuntimeError("user code failed")
    assert s.state == State.CLOSED
    assert s.resources.leak_report() == []
    assert s.backend.open_streams() == []
    with pytest.raises(SystemClosedError):
        s.start()


def test_same_seed_same_run():
    def run(seed):
        s = AudioSystem({}, seed=seed)
        s.backend.record_seconds = 0.2
        s.initialize()
        s.start()
        s.run_for(0.3)
        s.backend.remove_device("sim-in")
        s.run_for(0.1)
        s.backend.restore_device("sim-in")
        s.run_for(0.5)
        out = (s.stream.recorded().tobytes(),
               [(r.seq, r.time, r.component, r.to_state) for r in s.coordinator.history.records()])
        s.close()
        return out

    assert run(5) == run(5)
    assert run(5)[0] != run(6)[0]


def test_real_clock_supervisor_thread_is_accounted_and_joined():
    from system_under_test.clock import SystemClock
    from system_under_test.devices.simulated import SimulatedBackend
    from system_under_test.clock import VirtualClock
    before = threading.active_count()
    s = AudioSystem({}, backend=SimulatedBackend(VirtualClock()), clock=SystemClock())
    s.initialize()
    assert s.resources.usage("system") == {ResourceType.THREADS: 1}
    s.close()
    assert s.resources.leak_report() == [] and threading.active_count() == before


def test_concurrent_operations_on_the_whole_system_keep_it_valid():
    s = AudioSystem({}, seed=4)
    s.initialize()
    ops = [s.start, s.pause, s.resume, s.stop, s.recover, lambda: s.run_for(0.01)]
    errors = []

    def worker(seed):
        import random
        rng = random.Random(seed)
        for _ in range(200):
            try:
                rng.choice(ops)()
            except (IllegalTransitionError,):
                pass
            except Exception as exc:  # anything else is a bug
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert_balanced(s)
    s.close()
    assert s.resources.leak_report() == []


def test_a_reading_is_retaken_when_a_callback_ran_during_it(system):
    """The reader-side seqlock behind frame_accounts() on real devices (no threads needed)."""
    p = running(system)._pipeline
    entered, finished = p._c_callbacks, p._h_duration
    reads = []

    def read_while_a_callback_runs():
        reads.append(entered.value)
        if len(reads) == 1:          # a whole callback happens in the middle of the first read
            entered.value += 1
            finished.observe(0.0)
        return len(reads)

    assert p.read_between_callbacks(read_while_a_callback_runs, wait_s=0.0) == 2


def test_no_reading_is_taken_half_way_through_a_callback_until_the_bound(system):
    p = running(system)._pipeline
    p._c_callbacks.value += 1        # a callback has entered and not finished
    reads = []
    assert p.read_between_callbacks(lambda: reads.append(1) or len(reads), tries=5, wait_s=0.0) == 1
    assert len(reads) == 1           # only the bounded last resort, never inside the loop
