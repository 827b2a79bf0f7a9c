"""Frame accounting when a callback is held in the DSP chain (a lock, a blocking call) on a real
device's thread, and the stream is torn down under it (recovery after the stall watchdog fired).

Why not the simulated device: on the virtual clock a callback runs on the thread that advances the
clock, reads the books and tears streams down, so no reading or teardown can ever fall inside a
callback. On a real device the callback runs on the device's thread: here a hand-driven stream on
the system clock, whose callback the test runs on a thread of its own and holds on an Event.

The promise: every frame taken from the device is played, buffered, dropped or (while a callback
holds it in the chain) in flight, in every reading; and a block a torn-down stream's callback
finishes is counted dropped, never played to the closed stream.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

from system_under_test import AudioSystem, State
from system_under_test.clock import SystemClock
from system_under_test.errors import DeviceLostError
from system_under_test.devices.base import (
    AudioCallback,
    DeviceBackend,
    DeviceInfo,
    DeviceStream,
    ErrorSink,
    StatusFlags,
    StreamSpec,
    StreamStats,
)

BS = 256
#: how long a test waits for the callback's thread to reach a point: a deadline, never a pace
DEADLINE_S = 30.0


class _HandStream(DeviceStream):
    """A stream that calls back only when the test says, on the test's thread of choice."""

    #: the watchdog never calls this stream's silence a stall: the test drives every block
    min_stall_s = 3600.0

    def __init__(self, spec: StreamSpec, callback: AudioCallback, on_error: ErrorSink) -> None:
        self.spec = spec
        self.stats = StreamStats()
        self.callback = callback
        self.on_error = on_error
        self._active = False
        self._closed = False

    def start(self) -> None:
        self._active = True

    def stop(self) -> None:
        self._active = False

    def close(self) -> None:
        self._active = False
        self._closed = True

    @property
    def active(self) -> bool:
        return self._active

    @property
    def closed(self) -> bool:
        return self._closed

    def block(self, start: float) -> np.ndarray:
        """One block through the callback (on the caller's thread); the output it wrote."""
        ch = self.spec.input_channels
        indata = (np.arange(BS, dtype=np.float32) + start)[:, None].repeat(ch, axis=1)
        outdata = np.full((BS, self.spec.output_channels), -1.0, dtype=np.float32)
        self.stats.callbacks += 1
        self.callback(indata, outdata, BS, 0.0, StatusFlags())
        return outdata


class _HandBackend(DeviceBackend):
    name = "hand"

    def __init__(self) -> None:
        self.streams: list[_HandStream] = []

    def devices(self) -> list[DeviceInfo]:
        return [DeviceInfo(n, self.name, 2, 2, (48_000,), 48_000) for n in ("sim-in", "sim-out")]

    def open_stream(self, spec: StreamSpec, callback: AudioCallback, on_error: ErrorSink) -> DeviceStream:
        stream = _HandStream(spec, callback, on_error)
        self.streams.append(stream)
        return stream


class _HeldChain:
    """The pipeline's chain with its next block held on an Event (as a lock held in a DSP stage
    would hold it), and the moment it is held made known."""

    def __init__(self, chain: Any) -> None:
        self._chain = chain
        self.holding = threading.Event()
        self.release = threading.Event()
        self.cost_s = 0.0
        #: the device thread whose callback this chain holds (set by ``hold``)
        self.thread: threading.Thread | None = None

    def process(self, block: np.ndarray) -> np.ndarray:
        self.holding.set()
        assert self.release.wait(DEADLINE_S), "the test never released the held block"
        return self._chain.process(block)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._chain, name)


@pytest.fixture
def held() -> Any:
    """A running system on a hand-driven real-clock stream, one clean block already played; then
    a block held in the chain on a thread of its own (``hold()``)."""
    backend = _HandBackend()
    s = AudioSystem({}, backend=backend, clock=SystemClock())
    threads: list[threading.Thread] = []
    chains: list[_HeldChain] = []
    try:
        s.initialize()
        s.start()
        assert s.state == State.RUNNING
        backend.streams[-1].block(0.0)  # one block through: played
        assert s.frame_accounts().played == BS

        def hold() -> _HeldChain:
            stream = backend.streams[-1]
            pipeline = s._pipeline
            chain = _HeldChain(pipeline.chain)
            pipeline.chain = chain
            chains.append(chain)
            t = threading.Thread(target=stream.block, args=(1000.0,), name="device-callback")
            threads.append(t)
            chain.thread = t
            t.start()
            assert chain.holding.wait(DEADLINE_S), "the callback never reached the chain"
            return chain

        def finish(chain: _HeldChain) -> None:
            chain.release.set()
            for t in threads:
                t.join(DEADLINE_S)
                assert not t.is_alive()

        yield s, hold, finish
    finally:
        for chain in chains:
            chain.release.set()
        for t in threads:
            t.join(DEADLINE_S)
        s.close()


def _books(s: AudioSystem) -> dict[str, int]:
    return s.frame_accounts().to_dict()


def test_a_reading_while_a_callback_is_held_counts_its_block_in_flight(held: Any) -> None:
    """The reading falls inside the held callback (its seqlock's bounded wait runs out): the
    block the callback took is in flight, not lost."""
    s, hold, finish = held
    chain = hold()
    acc = s.frame_accounts()
    assert acc.balanced(), acc
    assert acc.to_dict() == {"captured": 2 * BS, "played": BS, "dropped": 0, "inserted": 0,
                             "buffered": 0, "in_flight": BS}
    finish(chain)
    assert _books(s) == {"captured": 2 * BS, "played": 2 * BS, "dropped": 0, "inserted": 0,
                         "buffered": 0, "in_flight": 0}


def test_a_teardown_under_a_held_callback_loses_no_frame_uncounted(held: Any) -> None:
    """Recovery's teardown (here ``stop``) closes the stream while its callback holds a block: the
    books balance while it is held, and the block it then finishes is dropped, not played to the
    closed stream."""
    s, hold, finish = held
    chain = hold()
    s.stop()
    assert s.state == State.STOPPED and s._pipeline is None
    assert s.frame_accounts().balanced(), s.frame_accounts()
    assert _books(s) == {"captured": 2 * BS, "played": BS, "dropped": 0, "inserted": 0,
                         "buffered": 0, "in_flight": BS}
    finish(chain)
    acc = s.frame_accounts()
    assert (acc.played, acc.dropped) == (BS, BS), acc  # the held block was not played
    assert _books(s) == {"captured": 2 * BS, "played": BS, "dropped": BS, "inserted": 0,
                         "buffered": 0, "in_flight": 0}
    assert s._draining == []  # the books no longer read the torn-down pipeline


def test_recovery_under_a_held_callback_keeps_the_books(held: Any) -> None:
    """The path seen on the rig: recovery tears the stream down under the held callback and opens
    a new one, whose blocks play while the old callback still holds its block."""
    s, hold, finish = held
    recovered = threading.Event()
    s.add_event_listener(lambda e: recovered.set() if e.kind == "recovery_succeeded" else None)
    chain = hold()
    backend: _HandBackend = s.backend  # type: ignore[assignment]
    old = backend.streams[-1]
    old.on_error(DeviceLostError("the device went away", component="device"))  # the supervisor's cue
    assert recovered.wait(DEADLINE_S), "no recovery"
    new = backend.streams[-1]
    assert new is not old and old.closed and s.state == State.RUNNING
    new.block(2000.0)
    assert s.frame_accounts().balanced(), s.frame_accounts()
    assert _books(s) == {"captured": 3 * BS, "played": 2 * BS, "dropped": 0, "inserted": 0,
                         "buffered": 0, "in_flight": BS}
    finish(chain)
    new.block(3000.0)
    acc = s.frame_accounts()
    assert (acc.played, acc.dropped) == (3 * BS, BS), acc  # the old stream's held block: dropped
    assert _books(s) == {"captured": 4 * BS, "played": 3 * BS, "dropped": BS, "inserted": 0,
                         "buffered": 0, "in_flight": 0}


def test_the_rings_of_a_held_callback_are_emptied_once_as_it_leaves(held: Any) -> None:
    """Frames waiting in the rings at the teardown (a part-block in the input ring) belong to the
    held callback until it leaves: the teardown leaves them in the books as buffered, and they are
    counted dropped once, with the held block, when the callback leaves."""
    s, hold, finish = held
    stream = s.backend.streams[-1]  # type: ignore[attr-defined]
    part = np.zeros((8, stream.spec.input_channels), dtype=np.float32)
    stream.callback(part, np.zeros((8, stream.spec.output_channels), dtype=np.float32), 8, 0.0,
                    StatusFlags())  # 8 frames wait in the input ring for a whole block
    assert s.frame_accounts().buffered == 8
    chain = hold()  # takes a block; 8 frames still wait behind it
    s.stop()
    acc = s.frame_accounts()
    assert acc.balanced(), acc
    assert (acc.buffered, acc.in_flight, acc.dropped) == (8, BS, 0)
    finish(chain)
    acc = s.frame_accounts()
    assert acc.to_dict() == {"captured": 2 * BS + 8, "played": BS, "dropped": BS + 8, "inserted": 8,
                             "buffered": 0, "in_flight": 0}


def test_two_teardowns_under_two_held_callbacks_keep_both_blocks_in_the_books(held: Any) -> None:
    """Recovery tears the first stream down under its held callback, the new stream's callback is
    held in turn, and ``stop()`` tears that one down too: both torn-down pipelines' blocks are in
    flight in every reading until their callbacks leave, and each is counted dropped once, as its
    own callback leaves (whichever leaves first)."""
    s, hold, finish = held
    recovered = threading.Event()
    s.add_event_listener(lambda e: recovered.set() if e.kind == "recovery_succeeded" else None)
    first = hold()
    backend: _HandBackend = s.backend  # type: ignore[assignment]
    backend.streams[-1].on_error(DeviceLostError("the device went away", component="device"))
    assert recovered.wait(DEADLINE_S), "no recovery"
    assert s.state == State.RUNNING
    second = hold()  # the new stream's callback, held in its chain
    s.stop()
    assert s.state == State.STOPPED and s._pipeline is None
    acc = s.frame_accounts()
    assert acc.balanced(), acc
    assert acc.to_dict() == {"captured": 3 * BS, "played": BS, "dropped": 0, "inserted": 0,
                             "buffered": 0, "in_flight": 2 * BS}
    first.release.set()  # the first pipeline's callback leaves; the second still holds its block
    assert first.thread is not None
    first.thread.join(DEADLINE_S)
    assert not first.thread.is_alive()
    assert _books(s) == {"captured": 3 * BS, "played": BS, "dropped": BS, "inserted": 0,
                         "buffered": 0, "in_flight": BS}
    finish(second)
    assert _books(s) == {"captured": 3 * BS, "played": BS, "dropped": 2 * BS, "inserted": 0,
                         "buffered": 0, "in_flight": 0}
    assert s._draining == []  # the books no longer read either torn-down pipeline
