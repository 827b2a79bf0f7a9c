"""The pipeline's promises, each with exact numbers: what it allocates and gives back, what every
callback counts (callbacks, xruns per status flag, frames captured, played, dropped, inserted),
what an error in the callback leaves behind, when a callback overruns its budget, and that a
reader between callbacks never sees a half-done block.

The callback is driven directly with a pass-through chain (the DSP is checked elsewhere) and a
fake ``perf_counter``, so every duration, load and overrun is exact and independent of the load
on the machine.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

import system_under_test.pipeline as pipeline_module
from system_under_test.buffers import RingBuffer
from system_under_test.clock import VirtualClock
from system_under_test.config import load_config
from system_under_test.devices.base import StatusFlags
from system_under_test.errors import CallbackError, ResourceLimitError, Severity
from system_under_test.monitoring import MonitoringCoordinator
from system_under_test.pipeline import FrameAccounts, Pipeline
from system_under_test.resources import ResourceManager, ResourceType

BS = 16
SR = 48_000
BUDGET = BS / SR
COUNTERS = ("callbacks", "xruns", "frames_captured", "frames_played", "frames_dropped",
            "frames_inserted", "callback_errors", "budget_overruns", "status_input_underflow",
            "status_input_overflow", "status_output_underflow", "status_output_overflow")


class _Chain:
    """Pass-through, with a declared cost and a failure on request."""

    def __init__(self, cost_s: float = 0.0) -> None:
        self.cost_s = cost_s
        self.fail: BaseException | None = None
        self.blocks = 0

    def process(self, block: np.ndarray) -> np.ndarray:
        self.blocks += 1
        if self.fail is not None:
            exc, self.fail = self.fail, None
            raise exc
        return block


class _Perf:
    """A ``perf_counter`` whose every callback lasts ``step`` seconds."""

    def __init__(self, step: float) -> None:
        self.now, self.step, self.calls = 0.0, step, 0

    def __call__(self) -> float:
        self.calls += 1
        t = self.now
        self.now += self.step  # read at the start and the end of each callback
        return t


def _config(*, latency_ms: float = 1.0, ring_blocks: int = 4, pool_blocks: int = 2,
            in_ch: int = 1, out_ch: int = 1, dsp: list | None = None):
    return load_config({"stream": {"block_size": BS, "sample_rate": SR, "latency_ms": latency_ms},
                        "buffers": {"ring_blocks": ring_blocks, "pool_blocks": pool_blocks},
                        "device": {"input_channels": in_ch, "output_channels": out_ch},
                        "dsp": dsp if dsp is not None else []})


def _pipeline(*, cost_s: float = 0.0, simulated: bool = True, **kw) -> tuple[Pipeline, _Chain, MonitoringCoordinator]:
    m = MonitoringCoordinator()
    chain = _Chain(cost_s)
    p = Pipeline(_config(**kw), ResourceManager(VirtualClock()), m, chain=chain, simulated=simulated)
    p.capturing = True
    return p, chain, m


def _counts(m: MonitoringCoordinator) -> dict[str, int]:
    return {k: m.value(k) for k in COUNTERS}


def _zero(**changed: int) -> dict[str, int]:
    return {**{k: 0 for k in COUNTERS}, **changed}


def _frames(start: float, n: int, ch: int = 1) -> np.ndarray:
    return (np.arange(n, dtype=np.float32) + start)[:, None].repeat(ch, axis=1)


def _call(p: Pipeline, indata: np.ndarray, status: StatusFlags | None = None, out_ch: int = 1) -> np.ndarray:
    outdata = np.full((indata.shape[0], out_ch), -1.0, dtype=np.float32)
    p.callback(indata, outdata, indata.shape[0], 0.0, status or StatusFlags())
    return outdata


# -- resources --------------------------------------------------------------------------------------
def test_a_pipeline_allocates_its_rings_and_pool_exactly_and_gives_all_back():
    m = MonitoringCoordinator()
    rm = ResourceManager(VirtualClock())
    config = _config(ring_blocks=4, pool_blocks=3, in_ch=2, out_ch=3, dsp=[
        {"kind": "mixer", "matrix": [[0.5, 0.5], [1.0, 0.0], [0.0, 1.0]]}])
    p = Pipeline(config, rm, m)
    assert (p.config, p.resources, p.monitoring) == (config, rm, m)
    got = sorted((a.component, a.rtype.value, a.amount, a.tag) for a in rm.live())
    ring = 4 * BS
    assert got == sorted([
        ("input", "buffers", 1, "input ring"), ("input", "frames", ring, "input ring"),
        ("input", "bytes", ring * 2 * 4, "input ring"),
        ("output", "buffers", 1, "output ring"), ("output", "frames", ring, "output ring"),
        ("output", "bytes", ring * 3 * 4, "output ring"),
        ("dsp", "buffers", 3, "block pool"), ("dsp", "frames", 3 * BS, "block pool"),
        ("dsp", "bytes", 3 * BS * 2 * 4, "block pool"),
    ])
    assert (p.input_ring.capacity, p.output_ring.capacity) == (ring, ring)
    assert (p.block_size, p.in_channels, p.out_channels, p.budget_s) == (BS, 2, 3, BUDGET)
    assert not p.released
    p.release()
    assert rm.live() == [] and p.released
    p.release()  # twice is harmless
    assert rm.live() == []


def test_a_pipeline_that_cannot_get_every_buffer_holds_none():
    rm = ResourceManager(VirtualClock())
    rm.set_limit(ResourceType.FRAMES, 4 * BS - 1, component="output")
    with pytest.raises(ResourceLimitError):
        Pipeline(_config(), rm, MonitoringCoordinator())
    assert rm.live() == []


# -- what one callback counts ------------------------------------------------------------------
def test_status_flags_count_one_xrun_and_each_flag_by_name():
    p, _, m = _pipeline()
    p.capturing = False
    _call(p, _frames(1, BS), StatusFlags(input_overflow=True, output_underflow=True))
    assert _counts(m) == _zero(callbacks=1, xruns=1, status_input_overflow=1, status_output_underflow=1)
    for flag in ("input_underflow", "input_overflow", "output_underflow", "output_overflow"):
        p2, _, m2 = _pipeline()
        p2.capturing = False
        _call(p2, _frames(1, BS), StatusFlags(**{flag: True}))
        assert _counts(m2) == _zero(callbacks=1, xruns=1, **{f"status_{flag}": 1}), flag
    p3, _, m3 = _pipeline()
    _call(p3, _frames(1, BS), StatusFlags(priming_output=True))  # not an xrun
    assert m3.value("xruns") == 0


def test_a_pipeline_not_capturing_outputs_silence_and_captures_nothing():
    p, chain, m = _pipeline()
    p.capturing = False
    out = _call(p, _frames(1, BS))
    assert (out == 0).all() and chain.blocks == 0 and p.buffered() == 0
    assert _counts(m) == _zero(callbacks=1)


def test_a_whole_block_passes_through_and_a_part_block_waits_behind_silence():
    p, chain, m = _pipeline()
    out = _call(p, _frames(1, BS))
    assert out[:, 0].tolist() == _frames(1, BS)[:, 0].tolist() and chain.blocks == 1
    assert _counts(m) == _zero(callbacks=1, frames_captured=BS, frames_played=BS)
    out = _call(p, _frames(100, 8))
    assert (out == 0).all() and p.buffered() == 8
    assert _counts(m) == _zero(callbacks=2, frames_captured=BS + 8, frames_played=BS, frames_inserted=8)
    out = _call(p, _frames(108, 8))  # completes the block: all 16 move, 8 are played now
    assert out[:, 0].tolist() == _frames(100, 8)[:, 0].tolist() and p.buffered() == 8
    assert _counts(m) == _zero(callbacks=3, frames_captured=BS + 16, frames_played=BS + 8,
                               frames_inserted=8)


def test_an_overfull_input_drops_the_excess_and_the_output_backlog_is_trimmed_to_the_latency():
    # ring 4 blocks = 64 frames; latency 1 ms at 48 kHz = 48 frames of output backlog at most
    p, chain, m = _pipeline(latency_ms=1.0, ring_blocks=4)
    out = _call(p, _frames(1, 80))
    # 64 fit the input ring (16 dropped); 4 blocks reach the output ring; 16 over the backlog are
    # dropped (the oldest); 48 are played and the remaining 32 output frames are silence
    assert chain.blocks == 4 and p.buffered() == 0
    assert out[:48, 0].tolist() == _frames(17, 48)[:, 0].tolist() and (out[48:] == 0).all()
    assert _counts(m) == _zero(callbacks=1, frames_captured=80, frames_dropped=32, frames_played=48,
                               frames_inserted=32)


def test_the_backlog_is_at_least_one_block():
    # latency of exactly one block: 16 frames may wait, not fewer
    p, _, m = _pipeline(latency_ms=1000 * BS / SR, ring_blocks=4)
    _call(p, _frames(1, 2 * BS))
    _call(p, _frames(0, 0))
    assert m.value("frames_dropped") == BS and p.buffered() == 0 and m.value("frames_played") == BS


def test_a_dry_pool_is_one_episode_until_a_block_goes_through_again():
    p, chain, m = _pipeline(pool_blocks=1)
    held = p.pool.acquire()
    _call(p, _frames(1, BS))
    _call(p, _frames(17, BS))
    assert (p.pool_dry, p.pool_dry_episodes, chain.blocks) == (True, 1, 0)
    assert m.value("frames_inserted") == 2 * BS and p.buffered() == 2 * BS
    p.pool.release(held)
    _call(p, _frames(33, BS))
    assert (p.pool_dry, p.pool_dry_episodes) == (False, 1)
    held = p.pool.acquire()
    _call(p, _frames(49, BS))
    assert (p.pool_dry, p.pool_dry_episodes) == (True, 2)
    p.pool.release(held)
    assert m.value("callback_errors") == 0 and not p.errors  # no supervisor hook: nothing to call


def test_a_dry_pool_and_its_refill_each_wake_the_supervisor_once():
    """``on_trouble`` (the event-driven supervisor's wake-up) is called when the pool runs dry and
    again when a block goes through after it, not on every dry callback."""
    p, _, m = _pipeline(pool_blocks=1)
    calls: list[bool] = []
    p.on_trouble = lambda: calls.append(p.pool_dry)
    held = p.pool.acquire()
    _call(p, _frames(1, BS))
    _call(p, _frames(17, BS))
    assert calls == [True]
    p.pool.release(held)
    _call(p, _frames(33, BS))
    assert calls == [True, False] and m.value("callback_errors") == 0


def test_a_full_output_ring_is_not_a_dry_pool():
    p, _, _ = _pipeline(latency_ms=20.0, ring_blocks=2)
    _call(p, _frames(1, 2 * BS))
    assert not p.pool_dry and p.pool_dry_episodes == 0


# -- errors in the callback --------------------------------------------------------------------
def test_a_stage_raising_mid_block_drops_the_block_in_flight_and_outputs_silence():
    p, chain, m = _pipeline(latency_ms=2.0, ring_blocks=4)
    _call(p, _frames(1, BS))
    chain.fail = RuntimeError("stage failed")
    out = _call(p, _frames(17, 2 * BS))
    assert (out == 0).all()
    # the first block of this callback was in flight: dropped; the second never left the ring
    assert _counts(m) == _zero(callbacks=2, frames_captured=3 * BS, frames_played=BS,
                               frames_dropped=BS, callback_errors=1)
    assert p.buffered() == BS and p.consecutive_errors == 1
    (info,) = p.errors
    assert info.describe() == {"type": "CallbackError", "message": "audio callback raised "
                               "RuntimeError('stage failed')", "component": "dsp", "severity": "ERROR",
                               "recoverable": True, "details": {"callback": 2, "stream_callback": 2}}
    assert info.is_a(CallbackError) and "in process" in info.traceback
    chain.fail = RuntimeError("again")
    _call(p, _frames(49, 0))
    assert p.consecutive_errors == 2
    _call(p, _frames(49, 0))
    assert p.consecutive_errors == 0 and m.value("callback_errors") == 2


def test_an_error_after_the_block_was_written_drops_nothing_more():
    class _FailingRead(RingBuffer):
        def read(self, out: np.ndarray) -> int:
            raise OSError("device gone")

    p, chain, m = _pipeline()
    p.output_ring = _FailingRead(p.output_ring.capacity, 1)
    out = _call(p, _frames(1, BS))
    assert chain.blocks == 1 and (out == 0).all() and p.buffered() == BS
    assert m.value("frames_dropped") == 0 and m.value("callback_errors") == 1
    assert m.value("frames_captured") == m.value("frames_played") + p.buffered() + m.value("frames_dropped")


def test_an_error_of_the_tree_is_kept_as_raised():
    p, _, m = _pipeline()
    out = _call(p, _frames(1, 8, ch=2))
    assert (out == 0).all() and m.value("frames_captured") == 0
    (info,) = p.errors
    assert info.describe() == {"type": "CallbackError", "component": "input", "severity": "ERROR",
                               "message": "device delivered (8, 2) input, expected (8, 1)",
                               "recoverable": True, "details": {"callback": 1, "stream_callback": 1}}
    chain_error = CallbackError("custom", component="limiter", severity=Severity.CRITICAL)
    p.chain.fail = chain_error  # type: ignore[attr-defined]
    _call(p, _frames(1, BS))
    assert (p.errors[-1].message, p.errors[-1].component, p.errors[-1].severity) == \
        ("custom", "limiter", Severity.CRITICAL)



def test_a_chain_errors_own_details_are_kept_beside_its_callback_numbers():
    """A callback error keeps the details it was raised with: the callback numbers are added to
    them, never put in their place (a limit, a stage's reading is what a history reports)."""
    p, chain, _ = _pipeline()
    _call(p, _frames(1, BS))
    chain.fail = CallbackError("limiter overload", component="limiter",
                               details={"stage": "limiter", "peak": 2.5, "flags": ["clipped"]})
    _call(p, _frames(17, BS))
    (info,) = p.errors
    assert info.describe()["details"] == {"stage": "limiter", "peak": 2.5, "flags": ["clipped"],
                                          "callback": 2, "stream_callback": 2}

def test_a_wrong_frame_count_is_an_error():
    p, _, _ = _pipeline()
    outdata = np.zeros((BS, 1), dtype=np.float32)
    p.callback(_frames(1, BS), outdata, BS - 1, 0.0, StatusFlags())
    assert p.errors[-1].message == f"device delivered ({BS}, 1) input, expected ({BS - 1}, 1)"


def test_the_callback_keeps_the_newest_256_errors():
    p, _, m = _pipeline()
    for i in range(300):
        _call(p, _frames(i, 8, ch=2))
    assert len(p.errors) == 256 and m.value("callback_errors") == 300


# -- budget and overruns -------------------------------------------------------------------------
def test_duration_load_and_overruns_are_exact(monkeypatch):
    perf = _Perf(step=BUDGET / 4)
    monkeypatch.setattr(pipeline_module, "_perf", perf)  # a real device's callback: wall time
    monkeypatch.setattr(pipeline_module, "_thread_cpu", perf)  # a simulated one's: thread CPU time
    # simulated: the declared cost alone is judged; equal to the budget is not an overrun
    p, _, m = _pipeline(cost_s=BUDGET)
    _call(p, _frames(1, BS))
    h = m.histogram("callback_duration_s")
    assert (h.count, h.max) == (1, pytest.approx(BUDGET * 1.25))
    assert m.histogram("callback_load").max == pytest.approx(1.25)
    assert m.value("budget_overruns") == 0 and m.value("xruns") == 0
    p.chain.cost_s = BUDGET * 1.5  # type: ignore[misc]
    _call(p, _frames(17, BS))
    assert m.value("budget_overruns") == 1 and m.value("xruns") == 1
    # on a real clock the measured duration is judged: three quarters of the budget fits
    real, _, mr = _pipeline(cost_s=BUDGET / 2, simulated=False)
    _call(real, _frames(1, BS))
    assert mr.value("budget_overruns") == 0
    real.chain.cost_s = BUDGET * 0.75 + 1e-9  # type: ignore[misc]
    _call(real, _frames(17, BS))
    assert mr.value("budget_overruns") == 1 and mr.value("xruns") == 1
    assert mr.histogram("callback_load").count == 2


class _SleepingChain(_Chain):
    """Pass-through after a sleep: wall time passes, the thread's CPU time hardly does."""

    def process(self, block: np.ndarray) -> np.ndarray:
        time.sleep(0.05)
        return super().process(block)


def test_a_simulated_callback_is_timed_in_cpu_time_and_a_real_one_in_wall_time():
    """On a virtual clock the host's wall time is the host's load, not the system's doing: a
    callback descheduled on a busy machine must not read as a slow one (it failed a healthy
    run's callback gate once). A real device waits for the wall time, so there it is measured."""
    durations = {}
    for simulated in (True, False):
        m = MonitoringCoordinator()
        p = Pipeline(_config(), ResourceManager(VirtualClock()), m, chain=_SleepingChain(),
                     simulated=simulated)
        p.capturing = True
        _call(p, _frames(1, BS))
        durations[simulated] = m.histogram("callback_duration_s").max
    assert durations[False] >= 0.05  # the sleep, and more on a busy machine
    assert durations[True] < 0.025  # a sleep is no CPU time, however busy the machine


def test_an_overrun_is_counted_on_error_and_not_capturing_too(monkeypatch):
    monkeypatch.setattr(pipeline_module, "_perf", _Perf(step=0.0))
    p, chain, m = _pipeline(cost_s=2 * BUDGET)
    p.capturing = False
    _call(p, _frames(1, BS))
    p.capturing = True
    chain.fail = RuntimeError("x")
    _call(p, _frames(1, BS))
    assert m.value("budget_overruns") == 2 and m.histogram("callback_duration_s").count == 2


# -- a reader on another thread -----------------------------------------------------------------
def test_read_between_callbacks_retries_a_read_a_callback_crossed(monkeypatch):
    p, _, m = _pipeline()
    sleeps: list[float] = []
    monkeypatch.setattr(pipeline_module.time, "sleep", sleeps.append)
    reads: list[int] = []

    def read() -> int:
        reads.append(1)
        return len(reads)

    assert p.read_between_callbacks(read) == 1 and sleeps == []  # idle: one read, no wait
    crossing = {"left": 1}

    def crossed_read() -> int:
        if crossing["left"]:
            crossing["left"] -= 1
            _call(p, _frames(1, BS))  # a whole callback ran during this read
        return read()

    reads.clear()
    assert p.read_between_callbacks(crossed_read, wait_s=0.001) == 2 and sleeps == [0.001]
    # a callback half-way through its block (entered, not finished) the whole time: the last read
    sleeps.clear()
    reads.clear()
    m.counter("callbacks").value += 1
    assert p.read_between_callbacks(read, tries=3, wait_s=0.002) == 1 and sleeps == [0.002] * 3


# -- the books -----------------------------------------------------------------------------------
def test_flush_counts_what_both_rings_held_as_dropped():
    p, _, m = _pipeline(latency_ms=2.0)
    _call(p, _frames(1, 2 * BS))  # two blocks through, both played
    _call(p, _frames(33, 8))
    assert p.buffered() == 8
    assert p.flush() == 8 and p.buffered() == 0 and m.value("frames_dropped") == 8
    assert p.flush() == 0 and m.value("frames_dropped") == 8


def test_frame_accounts_balance_exactly():
    a = FrameAccounts(captured=10, played=5, dropped=2, inserted=7, buffered=3)
    assert a.balanced()
    assert not FrameAccounts(10, 5, 2, 7, 2).balanced() and not FrameAccounts(10, 5, 3, 7, 3).balanced()
    assert not FrameAccounts(10, 6, 2, 0, 3).balanced()
    assert a.to_dict() == {"captured": 10, "played": 5, "dropped": 2, "inserted": 7, "buffered": 3,
                           "in_flight": 0}
    # a block a held callback has taken between the rings is in the books, and only its frames
    assert FrameAccounts(10, 5, 2, 7, 0, in_flight=3).balanced()
    assert not FrameAccounts(10, 5, 2, 7, 0, in_flight=2).balanced()
    assert not FrameAccounts(10, 5, 2, 7, 3, in_flight=3).balanced()


def test_a_new_pipeline_is_silent_with_no_errors_until_it_captures(monkeypatch):
    # a real device's pipeline (the default) judges its callback's wall time against a 0.33 ms
    # budget: on a loaded machine the one callback here overran it and counted an xrun
    monkeypatch.setattr(pipeline_module, "_perf", _Perf(step=0.0))
    m = MonitoringCoordinator()
    p = Pipeline(_config(), ResourceManager(VirtualClock()), m, chain=_Chain())
    assert p.consecutive_errors == 0 and len(p.errors) == 0 and not p.capturing
    out = _call(p, _frames(1, BS))
    assert (out == 0).all() and _counts(m) == _zero(callbacks=1)


def test_xruns_and_flags_add_up_over_callbacks(monkeypatch):
    monkeypatch.setattr(pipeline_module, "_perf", _Perf(step=0.0))
    p, _, m = _pipeline(cost_s=2 * BUDGET)
    for _ in range(3):
        _call(p, _frames(1, BS), StatusFlags(output_overflow=True))
    assert m.value("status_output_overflow") == 3 and m.value("budget_overruns") == 3
    assert m.value("xruns") == 6  # a flagged block and an overrun are two xruns


def test_a_pipeline_on_a_real_clock_judges_the_measured_duration(monkeypatch):
    monkeypatch.setattr(pipeline_module, "_perf", _Perf(step=2 * BUDGET))
    m = MonitoringCoordinator()
    p = Pipeline(_config(), ResourceManager(VirtualClock()), m, chain=_Chain())  # simulated: default
    _call(p, _frames(1, BS))
    assert m.value("budget_overruns") == 1


def test_an_output_backlog_one_frame_over_the_latency_is_trimmed():
    p, _, m = _pipeline(latency_ms=1.0, ring_blocks=4)  # at most 48 frames wait for output
    _call(p, _frames(1, 15))
    _call(p, _frames(16, 15))  # one block through, 15 played: 1 frame left in the output ring
    assert m.value("frames_dropped") == 0 and p.output_ring.fill == 1
    _call(p, _frames(31, 34))  # three more blocks: 49 waiting, one over
    assert m.value("frames_dropped") == 1
    c = _counts(m)
    assert c["frames_captured"] == c["frames_played"] + p.buffered() + c["frames_dropped"]


def test_read_between_callbacks_waits_for_a_callback_half_way_and_is_bounded(monkeypatch):
    p, _, m = _pipeline()
    finished = m.histogram("callback_duration_s")
    sleeps: list[float] = []

    def audio_thread_finishes(seconds: float) -> None:
        sleeps.append(seconds)
        while finished.count < m.value("callbacks"):
            finished.observe(0.0)

    monkeypatch.setattr(pipeline_module.time, "sleep", audio_thread_finishes)
    entered = {"done": False}

    def read_while_a_callback_enters() -> str:
        if not entered["done"]:
            entered["done"] = True
            m.counter("callbacks").value += 1  # a callback entered during this read, not finished
            return "torn"
        return "whole"

    assert p.read_between_callbacks(read_while_a_callback_enters) == "whole" and len(sleeps) == 1
    # the default bound: 250 waits of 0.2 ms, then the last read
    sleeps.clear()
    monkeypatch.setattr(pipeline_module.time, "sleep", sleeps.append)
    m.counter("callbacks").value += 1
    assert p.read_between_callbacks(lambda: "last") == "last"
    assert len(sleeps) == 250 and set(sleeps) == {0.0002}


# -- a callback in progress, seen from the supervisor's thread ---------------------------------------
class _Now:
    """A ``perf_counter`` that reads what the test sets."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_callbacks_in_progress_say_how_long_they_have_run_back_to_back(monkeypatch):
    """On a real device the supervisor asks, when it reports a stall, whether the system's own
    callbacks are what held the silence: ``callback_running_s`` is how long the callbacks run back
    to back up to the one under way have run (wall time): one blocking callback, or a backlog of
    slow ones delivered with microseconds between them; a callback that begins after a healthy
    wait for its block starts a new run. 0.0 between callbacks; None on a virtual clock."""
    now = _Now()
    monkeypatch.setattr(pipeline_module, "_perf", now)
    p, chain, _ = _pipeline(simulated=False)
    seen: list[float | None] = []
    cost = [0.3, 0.01, 0.3]

    def slow(block: np.ndarray) -> np.ndarray:
        now.now += cost[len(seen)]  # a blocking call, a slow block, a blocking call
        seen.append(p.callback_running_s())
        return block

    chain.process = slow
    assert p.callback_running_s() == 0.0
    _call(p, _frames(0, BS))
    assert p.callback_running_s() == 0.0
    now.now += 0.2 * BUDGET  # the next block was waiting: back to back
    _call(p, _frames(BS, BS))
    now.now += BUDGET  # a healthy wait for the next block
    _call(p, _frames(2 * BS, BS))
    assert seen == [pytest.approx(0.3), pytest.approx(0.31 + 0.2 * BUDGET), pytest.approx(0.3)]
    assert p.callback_running_s() == 0.0
    virtual, _, _ = _pipeline(simulated=True)
    assert virtual.callback_running_s() is None


def test_a_stall_report_says_whose_silence_it_was(monkeypatch):
    """The system's watchdog puts on its stall report what it measured: how long its own callbacks
    had run, how often the device called back since the last block taken, a period apart, and
    how long the callbacks' thread waited for a CPU and ran on one (``AudioSystem._stall_evidence``); nothing
    where nothing is measured (a virtual clock, a stream that counts nothing)."""
    from system_under_test.system import AudioSystem

    class _Stream:
        def device_callbacks_since_block(self) -> int:
            return 44

        def delivery_cpu_wait_since_block(self) -> float:
            return 0.002

        def delivery_cpu_run_since_block(self) -> float:
            return 0.001

    now = _Now()
    monkeypatch.setattr(pipeline_module, "_perf", now)
    p, chain, _ = _pipeline(simulated=False)
    said: list[dict] = []

    def held(block: np.ndarray) -> np.ndarray:
        now.now += 0.25  # a lock held in the callback while the watchdog reports
        said.append(AudioSystem._stall_evidence(p, _Stream(), BUDGET))
        return block

    chain.process = held
    _call(p, _frames(0, BS))
    assert said == [{"callback_running_s": pytest.approx(0.25), "device_callbacks": 44, "period_s": BUDGET,
                     "callback_cpu_wait_s": 0.002, "callback_cpu_s": 0.001}]
    assert AudioSystem._stall_evidence(p, object(), BUDGET) == {"callback_running_s": 0.0}
    virtual, _, _ = _pipeline(simulated=True)
    assert AudioSystem._stall_evidence(virtual, object(), BUDGET) == {}


# -- a callback held in its chain, seen from another thread ------------------------------------------
def test_a_callback_held_in_its_chain_is_seen_under_way_with_its_block_in_flight():
    """While the chain holds a block, another thread's reading sees a callback under way
    (``in_callback``: the teardown leaves the rings to it) and the block's frames in flight, so
    the books balance mid-block; before the first callback and once it leaves, neither."""
    p, chain, m = _pipeline()
    seen: list[tuple[object, object, bool]] = []

    def held(block: np.ndarray) -> np.ndarray:
        books = FrameAccounts(m.value("frames_captured"), m.value("frames_played"),
                              m.value("frames_dropped"), m.value("frames_inserted"), p.buffered(),
                              p.in_flight)
        seen.append((p.in_callback, p.in_flight, books.balanced()))
        return block

    chain.process = held
    assert not p.in_callback and p.in_flight == 0  # a new pipeline: none yet
    out = _call(p, _frames(1, BS))
    assert seen == [(True, BS, True)]
    assert not p.in_callback and p.in_flight == 0
    assert out[:, 0].tolist() == _frames(1, BS)[:, 0].tolist()


def test_a_teardown_during_a_held_callback_leaves_the_rings_to_the_callback():
    """A stream torn down while its callback is held in the chain (``AudioSystem._teardown``:
    ``closed``, then ``flush``): the teardown's flush leaves the rings alone (0 dropped then), the
    callback plays silence to the closed stream and, leaving, drops what the rings hold: the
    block it held. A later flush finds nothing. No error is counted."""
    p, chain, m = _pipeline()
    flushed: list[int] = []

    def torn_down_meanwhile(block: np.ndarray) -> np.ndarray:
        p.closed = True
        flushed.append(p.flush())
        return block

    chain.process = torn_down_meanwhile
    out = _call(p, _frames(1, BS))
    assert flushed == [0]
    assert (out == 0).all()
    assert p.buffered() == 0 and p.in_flight == 0 and not p.in_callback
    assert _counts(m) == _zero(callbacks=1, frames_captured=BS, frames_dropped=BS)
    assert p.flush() == 0 and m.value("frames_dropped") == BS


def test_a_teardown_after_a_callback_left_empties_the_rings_itself():
    """Torn down between callbacks, the teardown's own flush drops what the rings hold."""
    p, _, m = _pipeline(latency_ms=2.0)
    _call(p, _frames(1, BS + 8))  # one block played, 8 frames waiting in the input ring
    assert p.buffered() == 8
    p.closed = True
    assert p.flush() == 8 and p.buffered() == 0 and m.value("frames_dropped") == 8
    assert p.flush() == 0


def test_a_wait_of_exactly_a_quarter_budget_keeps_the_callbacks_one_run(monkeypatch):
    """The longest gap between two callbacks of one back-to-back run is a quarter of the budget
    (``_joined_gap_s``): a callback that waited exactly that long continues the run, so the one
    under way has run since the first began."""
    now = _Now()
    now.now = 0.0
    monkeypatch.setattr(pipeline_module, "_perf", now)
    p, chain, _ = _pipeline(simulated=False)
    seen: list[float | None] = []

    def slow(block: np.ndarray) -> np.ndarray:
        now.now += 0.01
        seen.append(p.callback_running_s())
        return block

    _call(p, _frames(0, BS))  # begins and ends at 0.0
    chain.process = slow
    now.now = 0.25 * p.budget_s  # exactly the longest joined gap after the last one ended
    _call(p, _frames(BS, BS))
    assert seen == [pytest.approx(0.25 * p.budget_s + 0.01, rel=1e-9)]
