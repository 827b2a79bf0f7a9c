"""The audio path: device callback -> input ring -> DSP chain (pool blocks) -> output ring -> device.

One ``Pipeline`` is built per stream from a validated config, with every buffer allocated through
the ResourceManager first, and torn down as a whole. The callback is the only code here that runs on
the audio thread. It takes no lock a control thread may hold, allocates nothing but what numpy
returns from the filter, and never lets an exception out: errors go, as compact ``ErrorInfo``
records (no traceback object, so no frame keeps the pipeline alive), into a bounded deque the
supervisor drains, and every frame is accounted for:

    captured == played + buffered (both rings) + dropped + in flight   (inserted silence apart)

A block in flight is one a callback under way has taken out of the input ring and not yet put into
the output ring: a reading from another thread while a callback is held in the DSP chain (a lock,
a blocking call) sees it there, and only there.
"""

from __future__ import annotations

import time
import types
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

import numpy as np

from .buffers import BufferPool, RingBuffer
from .config import AudioConfig
from .devices.base import StatusFlags
from .dsp import DspChain
from .errors import AudioSystemError, CallbackError, ErrorInfo
from .monitoring import MonitoringCoordinator
from .resources import Allocation, ResourceManager, ResourceType

_perf = time.perf_counter
_thread_cpu = time.thread_time
_fmax_reduce = np.fmax.reduce  # the largest peak, NaN peaks aside (a NaN peak leaves the limiter idle)
_T = TypeVar("_T")


@dataclass
class FrameAccounts:
    captured: int
    played: int
    dropped: int
    inserted: int
    buffered: int
    #: frames a callback under way holds between the rings (``Pipeline.in_flight``): taken, not
    #: yet played, buffered or dropped. 0 between callbacks, and in every reading on a virtual clock
    in_flight: int = 0

    def balanced(self) -> bool:
        return self.captured == self.played + self.buffered + self.dropped + self.in_flight

    def to_dict(self) -> dict[str, int]:
        return {"captured": self.captured, "played": self.played, "dropped": self.dropped,
                "inserted": self.inserted, "buffered": self.buffered, "in_flight": self.in_flight}


class Pipeline:
    def __init__(self, config: AudioConfig, resources: ResourceManager,
                 monitoring: MonitoringCoordinator, *, chain: DspChain | None = None,
                 simulated: bool = False) -> None:
        self.config = config
        self.resources = resources
        self.monitoring = monitoring
        stream = config.stream
        bs = stream.block_size
        in_ch = config.device.input_channels
        out_ch = config.device.output_channels
        self.block_size = bs
        self.in_channels = in_ch
        self.out_channels = out_ch
        self.budget_s = config.block_seconds
        ring_frames = config.buffers.ring_blocks * bs
        self._allocations: list[Allocation] = []
        try:
            self._alloc("input", ResourceType.BUFFERS, 1, "input ring")
            self._alloc("input", ResourceType.FRAMES, ring_frames, "input ring")
            self._alloc("input", ResourceType.BYTES, ring_frames * in_ch * 4, "input ring")
            self._alloc("output", ResourceType.BUFFERS, 1, "output ring")
            self._alloc("output", ResourceType.FRAMES, ring_frames, "output ring")
            self._alloc("output", ResourceType.BYTES, ring_frames * out_ch * 4, "output ring")
            pool_blocks = config.buffers.pool_blocks
            self._alloc("dsp", ResourceType.BUFFERS, pool_blocks, "block pool")
            self._alloc("dsp", ResourceType.FRAMES, pool_blocks * bs, "block pool")
            self._alloc("dsp", ResourceType.BYTES, pool_blocks * bs * in_ch * 4, "block pool")
        except BaseException:
            self.release()
            raise
        self.input_ring = RingBuffer(ring_frames, in_ch)
        self.output_ring = RingBuffer(ring_frames, out_ch)
        self.pool = BufferPool(config.buffers.pool_blocks, bs, in_ch)
        self.chain = chain if chain is not None else DspChain.from_config(
            config.dsp, stream.sample_rate, bs, in_ch)
        # Keep at most the configured latency queued for output; beyond it, old audio is dropped.
        self.max_output_backlog = max(bs, int(stream.latency_ms / 1000 * stream.sample_rate))
        self.capturing = False
        #: set when the stream this pipeline serves is being torn down (``AudioSystem._teardown``):
        #: a callback still under way then (held in the DSP chain while recovery closed the stream
        #: under it) plays nothing to the closed stream and counts what it holds as dropped
        self.closed = False
        #: the frames of the block the callback under way holds between the rings (taken from the
        #: input ring, not yet written to the output ring): what a reading from another thread
        #: counts as in flight while the callback is held in the DSP chain. Never written by any
        #: thread but the callback's
        self.in_flight = 0
        #: whether a callback of this pipeline is under way: set first, cleared before the callback
        #: looks at ``closed`` on its way out (``flush``). A torn-down pipeline's books are read
        #: until its last callback has left (``AudioSystem._draining``)
        self.in_callback = False
        #: one claim on emptying the rings of a closed pipeline, taken by whichever of the teardown
        #: and a callback still under way comes last (``list.pop`` is atomic: no lock the audio
        #: thread could wait on)
        self._flush_claim = [True]
        #: callback errors not yet drained by the supervisor; compact records, never exceptions: an
        #: exception's traceback holds the callback's frame, whose ``self`` is this pipeline
        self.errors: deque[ErrorInfo] = deque(maxlen=256)
        self.pool_dry = False
        self.pool_dry_episodes = 0
        #: called (on the callback's thread) when the supervisor has something to do: an error
        #: queued, the pool ran dry or refilled. Set by a system whose supervisor runs on events;
        #: must only schedule, never block.
        self.on_trouble: Callable[[], None] | None = None
        self.consecutive_errors = 0
        #: this pipeline's callbacks so far (a stretch's blocks each one): with the system's
        #: ``callbacks`` counter, the numbers each callback error is stamped with
        #: (``_numbered_error``), so a history can count the errors in a row itself
        self.callbacks_begun = 0
        m = monitoring
        self._c_callbacks = m.counter("callbacks")
        self._c_xruns = m.counter("xruns")
        self._c_captured = m.counter("frames_captured")
        self._c_played = m.counter("frames_played")
        self._c_dropped = m.counter("frames_dropped")
        self._c_inserted = m.counter("frames_inserted")
        self._c_cb_errors = m.counter("callback_errors")
        self._c_overruns = m.counter("budget_overruns")
        self._c_flags = {n: m.counter(f"status_{n}") for n in
                         ("input_underflow", "input_overflow", "output_underflow", "output_overflow")}
        self._h_duration = m.histogram("callback_duration_s")
        self._h_load = m.histogram("callback_load")
        self.released = False
        #: On a virtual clock an overrun is judged on declared (virtual) cost only, so counters stay a
        #: pure function of the seed; the real CPU time is still recorded in the histograms.
        self.simulated = simulated
        #: what a callback's real time is read with. On a virtual clock the callback's thread CPU
        #: time: the host's wall time there is the host's load (a simulated callback descheduled
        #: for 0.6 s on a busy machine read 115 budgets and failed a healthy run's callback gate),
        #: not anything the simulated system did. On a real device the wall time, which is what
        #: the device waits for.
        self._real_time = _thread_cpu if simulated else _perf
        #: ``begin_stretch``'s buffer and the stretch under way (``stretch_blocks``), or None
        self._stretch_buf = np.empty((0, in_ch), dtype=np.float32)
        self._stretch: tuple | None = None
        self._stretch_s = 0.0  # the stretch's real time so far: the chain's call and its blocks'
        #: on a real device only (``_perf``): when the callbacks run back to back up to the one in
        #: progress began (None: none is in progress), when the last one ended, and the longest
        #: gap between two callbacks of one such run (a quarter of the budget: a device host that
        #: hands over a backlog of blocks at once, or a callback slower than its period, keeps the
        #: delivery thread in callbacks with only microseconds between them; a healthy one waits
        #: most of a period for the next block). The supervisor's evidence, when it reports a
        #: stall, that the system's own callbacks held the delivery thread through the silence
        #: (``callback_running_s``)
        self._running_since: float | None = None
        self._run_from = 0.0
        self._ended_at = float("-inf")
        self._joined_gap_s = 0.25 * self.budget_s

    def _alloc(self, component: str, rtype: ResourceType, amount: int, tag: str) -> None:
        self._allocations.append(self.resources.allocate(component, rtype, amount, tag))

    # -- the audio callback -------------------------------------------------------------------
    def callback(self, indata: np.ndarray, outdata: np.ndarray, frames: int, stream_time: float,
                 status: StatusFlags) -> None:
        real_time = self._real_time
        t0 = real_time()
        self.in_callback = True
        if not self.simulated:
            if t0 - self._ended_at > self._joined_gap_s:
                self._run_from = t0
            self._running_since = self._run_from
        in_flight = 0
        try:
            self._c_callbacks.value += 1
            self.callbacks_begun += 1
            if status.input_underflow or status.input_overflow or status.output_underflow \
                    or status.output_overflow:
                self._c_xruns.value += 1
                for name in status.set_names():
                    self._c_flags[name].value += 1
            if not self.capturing:
                outdata.fill(0)
                return
            if indata.shape[1] != self.in_channels or indata.shape[0] != frames:
                raise CallbackError(
                    f"device delivered {indata.shape} input, expected ({frames}, {self.in_channels})",
                    component="input")
            self._c_captured.value += frames
            written = self.input_ring.write(indata)
            if written < frames:
                self._c_dropped.value += frames - written
            bs = self.block_size
            in_ring, out_ring, pool, chain = self.input_ring, self.output_ring, self.pool, self.chain
            while in_ring.fill >= bs and out_ring.space >= bs:
                idx = pool.acquire()
                if idx is None:
                    if not self.pool_dry:
                        self.pool_dry = True
                        self.pool_dry_episodes += 1
                        if self.on_trouble is not None:
                            self.on_trouble()
                    break
                try:
                    block = pool.block(idx)
                    in_flight = in_ring.read(block)
                    self.in_flight = in_flight
                    out = chain.process(block)
                    in_flight -= out_ring.write(out)
                    self.in_flight = in_flight
                finally:
                    pool.release(idx)
            else:
                if self.pool_dry:
                    self.pool_dry = False
                    if self.on_trouble is not None:
                        self.on_trouble()
            if self.closed:
                # the stream was torn down while this callback was held: its device is gone, so
                # nothing is played; what the rings hold is dropped as the callback leaves
                outdata.fill(0)
                return
            backlog = out_ring.fill - self.max_output_backlog
            if backlog > 0:
                self._c_dropped.value += out_ring.discard(backlog)
            got = out_ring.read(outdata)
            self._c_played.value += got
            if got < frames:
                outdata[got:] = 0
                self._c_inserted.value += frames - got
            self.consecutive_errors = 0
        except Exception as exc:
            if in_flight:
                self._c_dropped.value += in_flight
            self.in_flight = 0
            outdata.fill(0)
            self._c_cb_errors.value += 1
            self.consecutive_errors += 1
            self.errors.append(_numbered_error(_callback_error_info(exc), self._c_callbacks.value,
                                               self.callbacks_begun))
            if self.on_trouble is not None:
                self.on_trouble()
        finally:
            self.in_callback = False
            if self.closed:
                self.flush()  # the teardown left the rings to this callback (``flush``)
            t1 = real_time()
            if not self.simulated:
                self._running_since = None
                self._ended_at = t1
            cost = self.chain.cost_s
            duration = t1 - t0 + cost
            self._h_duration.observe(duration)
            load = duration / self.budget_s
            self._h_load.observe(load)
            if (cost if self.simulated else duration) > self.budget_s:
                self._c_overruns.value += 1
                self._c_xruns.value += 1

    def callback_running_s(self) -> float | None:
        """How long the system's callbacks have run back to back up to now, the one in progress
        included (wall time; 0.0: none is in progress), read from another thread; None on a
        virtual clock, where callbacks are not wall-timed.

        Why: a stall the system's watchdog reports while its own callbacks have held the delivery
        thread through the silence (one slow DSP block, a lock, a blocking call; or a DSP chain
        slower than the period, whose backlog the stream delivers block after block) is the
        system's lateness, not the machine's, even when JACK reported xruns at the time
        (``harness.device_losses``). The callbacks' measured durations alone come too late: the
        stall is reported, and the stream torn down, before the callback under way returns."""
        if self.simulated:
            return None
        began = self._running_since  # read once: the callback's thread clears it
        return 0.0 if began is None else max(0.0, _perf() - began)

    # -- a stretch of blocks at once (the simulated device) -------------------------------------
    # On the virtual clock a stretch of blocks with nothing else due between them is known before
    # it is delivered, and in the steady state (the input ring empty between callbacks, the output
    # ring holding the same frames count F each time with room for a block more and no backlog to
    # drop, the pool not dry, the default chain compiled) every ``callback`` of it does the same:
    # the block in, one block through the chain, the block F frames before it out (the F frames
    # the output ring held first: after a late callback or an underrun they stay until a flush).
    # ``begin_stretch`` runs the chain's gain and
    # biquad over all of them in one call; ``stretch_blocks`` is then their callbacks (each one's
    # counters, the limiter's block-rate gain, its duration), in order, a run of blocks a call;
    # ``end_stretch`` moves the rings on and rewinds the filter to the last block delivered. The numbers (samples, counters,
    # filter and limiter state) are the ones ``callback`` gives block by block; only the real time
    # in the duration histograms differs: the stretch's time (the chain's call, and the limiter's
    # work on the blocks it acts on) is shared evenly among its blocks.

    def stretch_ready(self) -> bool:
        """Whether the next callbacks, clean ones, would be the steady one and the chain can
        filter blocks together: what ``begin_stretch`` needs of the pipeline (cheap: asked
        before every block that could start a stretch)."""
        if getattr(self.chain, "blockwise", None) is None or not self.capturing or self.pool_dry \
                or not self.simulated:
            return False
        bs = self.block_size
        ring_in, ring_out, pool = self.input_ring, self.output_ring, self.pool
        if not (self._stretch is None and type(self).callback is Pipeline.callback
                and type(ring_in) is RingBuffer and type(ring_out) is RingBuffer and type(pool) is BufferPool):
            return False
        # the output ring's frames stay as many through every callback: each writes a block after
        # them (room for it) and reads a block from the front, with no backlog over the latency
        # to drop (``callback``'s ``backlog``)
        held = ring_out.fill + bs
        return (not ring_in.fill and ring_in.capacity >= bs and ring_out.capacity >= held
                and held <= self.max_output_backlog and self.in_channels == self.out_channels
                and pool.available > 0)

    def begin_stretch(self, indata: np.ndarray, blocks: int) -> np.ndarray | None:
        """Filter ``blocks`` consecutive blocks of ``indata`` (contiguous float32, ``blocks *
        block_size`` frames) through the chain's gain and biquad, into a buffer of the pipeline's,
        which it returns: what the device plays, the frames the output ring holds (F, usually
        none) and then the blocks, so that block k of the stretch plays ``[k * bs, (k + 1) * bs)``
        of it, as ``callback`` would read them from the ring; the last F frames delivered are what
        the ring holds after the stretch (``end_stretch``). Or None (nothing done) when the callbacks of those blocks would not all
        be the steady one, the chain cannot filter blocks together (``DspChain.blockwise``), or
        the pipeline is not on a virtual clock (a real one judges each callback's real time)."""
        bs = self.block_size
        n = blocks * bs
        if blocks < 2 or indata.shape != (n, self.in_channels) or indata.dtype != np.float32 \
                or not self.stretch_ready():
            return None
        step = self.chain.blockwise
        assert step is not None
        t0 = self._real_time()
        lead = self.output_ring.fill  # played before the stretch's own blocks, which follow them
        work = self._stretch_buf
        if work.shape[0] < lead + n or work.shape[1] != self.in_channels:
            work = self._stretch_buf = np.empty((lead + n, self.in_channels), dtype=np.float32)
        work = work[:lead + n]
        if lead:
            self.output_ring.peek(work[:lead])
        filtered = work[lead:]
        filtered[...] = indata
        peaks = np.empty(blocks)
        states = np.empty((blocks + 1, 2, self.in_channels))  # [0]: before the stretch
        states[0] = step.biquad._z
        step.filter_blocks(filtered, bs, peaks, states[1:])
        limiter = step.limiter
        # The limiter leaves a block alone when its gain is 1 and the block's peak is not above the
        # threshold (``Limiter.limit``: target 1, end 1); then it does for every block of the stretch
        idle = limiter._gain == 1.0 and not float(_fmax_reduce(peaks)) > limiter.threshold
        self._stretch = (step, work, None if idle else peaks.tolist(), states, blocks, lead)
        self._stretch_s = self._real_time() - t0
        return work

    def stretch_block(self, k: int) -> np.ndarray:
        """Block ``k`` of the stretch begun, as its ``callback`` with clean status would do it
        (``stretch_blocks(k, k + 1)``)."""
        return self.stretch_blocks(k, k + 1)

    def stretch_blocks(self, i: int, j: int) -> np.ndarray:
        """Blocks ``i`` to ``j - 1`` of the stretch begun, one after another, as their
        ``callback``s with clean status would do them: the counters and the limiter on each block
        (in place in the stretch's buffer: what the device plays); returns the view of block
        ``j - 1``. Their durations are observed by ``end_stretch``; on a virtual clock an overrun
        is judged on declared cost, which a blockwise chain has none of. Only the limiter's work
        is timed into the stretch's real time, when it runs: the rest is a few counters, cheaper
        than the two reads of the thread's CPU clock that would time it (a system call each,
        0.3-1 us; measured in bench/RESULTS.md)."""
        step, work, peaks, _, _, lead = self._stretch  # type: ignore[misc]
        bs = self.block_size
        m = j - i
        self._c_callbacks.value += m
        self.callbacks_begun += m
        self._c_captured.value += m * bs
        if peaks is not None:
            t0 = self._real_time()
            limit = step.limiter.limit
            for k in range(i, j):
                limit(work[lead + k * bs:lead + (k + 1) * bs], peaks[k])
            self._stretch_s += self._real_time() - t0
        self._c_played.value += m * bs
        self.consecutive_errors = 0
        return work[(j - 1) * bs:j * bs]

    def end_stretch(self, delivered: int) -> None:
        """The stretch begun ends after its first ``delivered`` blocks: both rings move on as
        ``delivered`` callbacks would have moved them, the filter goes back to its state after the
        last of them when fewer than all were delivered, and each of them is observed in the
        duration and load histograms with an even share of the stretch's real time."""
        step, work, _, states, blocks, lead = self._stretch  # type: ignore[misc]
        self._stretch = None
        n = delivered * self.block_size
        self.input_ring.pass_through(n)
        # the output ring keeps its count of frames: the last ``lead`` of those it held and the
        # blocks delivered, which are the ``lead`` after the ``n`` played
        self.output_ring.pass_through(n, work[n:n + lead] if lead else None)
        if delivered < blocks:
            step.rewind(states[delivered])
        if delivered:
            duration = self._stretch_s / delivered
            self._h_duration.observe_repeated(duration, delivered)
            self._h_load.observe_repeated(duration / self.budget_s, delivered)

    # -- accounting and teardown --------------------------------------------------------------
    def read_between_callbacks(self, read: Callable[[], _T], *, tries: int = 250,
                               wait_s: float = 0.0002) -> _T:
        """``read()`` taken while no callback is half-way through its block.

        For a reader on another thread than a real device's callback: a reading between the
        callback's ``captured +=`` and ``played +=`` is one block short (measured on the JACK rig
        under load). ``callback`` bumps the ``callbacks`` counter first and the duration histogram
        last, so equal counts before and after ``read()`` mean no callback touched it: a reader-side
        seqlock, and the callback takes no lock. Bounded: after ``tries`` busy waits, the last read.
        """
        entered, finished = self._c_callbacks, self._h_duration
        for _ in range(tries):
            n = entered.value
            if n == finished.count:
                value = read()
                if entered.value == n and finished.count == n:
                    return value
            time.sleep(wait_s)  # let the audio thread finish its block
        return read()

    def buffered(self) -> int:
        return self.input_ring.fill + self.output_ring.fill

    def flush(self) -> int:
        """Empty both rings, counting what they held as dropped (teardown, recovery).

        Once ``closed``, a callback may still be under way on the device's thread (held in the DSP
        chain while recovery closed its stream): the rings are its until it leaves, and a flush
        from the control thread then would race its writes (a frame written between a ``clear``'s
        read of the fill and its reset is lost uncounted). So the rings of a closed pipeline are
        emptied once, by the last of the two: the teardown when no callback is under way, else
        the callback as it leaves (``callback``'s ``finally``)."""
        if self.closed:
            if self.in_callback:
                return 0
            try:
                self._flush_claim.pop()
            except IndexError:  # already emptied by the other side
                return 0
        n = self.input_ring.clear() + self.output_ring.clear()
        self._c_dropped.value += n
        return n

    def release(self) -> None:
        for alloc in self._allocations:
            self.resources.release(alloc)
        self._allocations.clear()
        self.released = True


def _callback_error_info(exc: Exception) -> ErrorInfo:
    """The compact record of an exception caught in the callback: an error of the tree as it is,
    anything else as the ``CallbackError`` naming it. Reads no source file (``short_traceback``)."""
    info = ErrorInfo.of(exc, component="dsp")
    if isinstance(exc, AudioSystemError):
        return info
    return replace(info, kind=CallbackError, message=f"audio callback raised {exc!r}",
                   severity=CallbackError.default_severity, recoverable=CallbackError.recoverable)


def _numbered_error(info: ErrorInfo, callback: int, stream_callback: int) -> ErrorInfo:
    """``info`` with the numbers of the callback that raised it in its details: ``callback``, the
    system's ``callbacks`` counter as that callback began (monotonic over the system's life), and
    ``stream_callback``, its number on this pipeline (from 1). Errors in a row are callbacks whose
    two numbers both follow on; the pipeline's own count (``consecutive_errors``) is read only when
    the supervisor routes an error, so the numbers are what lets a history count the errors in a
    row at each error and hold the routed count to them."""
    details = types.MappingProxyType({**info.details, "callback": callback, "stream_callback": stream_callback})
    return replace(info, details=details)


__all__ = ["FrameAccounts", "Pipeline"]
