"""A small sounddevice application, written the way such applications usually are.

It plays what it captures, one block late: the audio callback takes the block captured last time
from a queue, plays it, and queues the block it was just given. A main loop (``check()``, every
~100 ms) restarts the stream when it died (the device went away, the host API gave up), so a USB
interface that is pulled out and plugged back in does not end the session.

Nothing here knows about soundcheck: the stream class is ``sounddevice.Stream`` unless the caller
hands in another factory with the same keyword arguments (that is how the harness runs it on its
simulated device; see ``adapter.py``).

This file has a bug of a kind that is common in such applications; ``FixedPlayer`` is the
corrected version. (Which bug, and how soundcheck finds it: README.md.)
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "samplerate": 48_000,
    "blocksize": 256,
    "channels": (2, 2),
    "device": (None, None),
    "latency": None,
    "queue_blocks": 8,
    "gain": 1.0,
}


class SimplePlayer:
    """Capture -> queue -> playback, one block of latency, restarted when its stream dies."""

    def __init__(self, config: dict[str, Any] | None = None, *,
                 stream_factory: Callable[..., Any] | None = None) -> None:
        self.config = {**DEFAULTS, **(config or {})}
        if stream_factory is None:
            import sounddevice as sd  # noqa: PLC0415 - only when playing on a real device

            stream_factory = sd.Stream
        self._stream_factory = stream_factory
        self.q: queue.Queue[Any] = queue.Queue(maxsize=self.config["queue_blocks"])
        self.stream: Any = None
        self.running = False
        self.stream_died = False
        self.stats = {"callbacks": 0, "captured": 0, "played": 0, "dropped": 0, "silence": 0,
                      "xruns": 0, "callback_errors": 0, "restarts": 0}

    # -- control ---------------------------------------------------------------------------------
    def start(self) -> None:
        self.stream = self._open_stream()
        self.stream.start()
        self.running = True
        self.stream_died = False

    def stop(self) -> None:
        self.running = False
        stream, self.stream = self.stream, None
        if stream is not None:
            stream.stop()
            stream.close()
        self._drain()

    def reconfigure(self, config: dict[str, Any]) -> None:
        """New settings: stop, apply, start again."""
        self.stop()
        self.config = {**self.config, **config}
        self.q = queue.Queue(maxsize=self.config["queue_blocks"])
        self.start()

    def check(self) -> None:
        """The main loop's body: restart a stream that died."""
        if self.running and self.stream_died:
            try:
                self._restart()
            except Exception as exc:  # noqa: BLE001 - the device may not be back yet: try again later
                log.info("could not restart the stream: %s (retrying)", exc)

    def _restart(self) -> None:
        self.stream = self._open_stream()
        self.stream.start()
        self.stream_died = False
        self.stats["restarts"] += 1

    def _open_stream(self) -> Any:
        c = self.config
        return self._stream_factory(samplerate=c["samplerate"], blocksize=c["blocksize"], device=c["device"],
                                    channels=c["channels"], latency=c["latency"], dtype="float32",
                                    callback=self._callback, finished_callback=self._finished)

    def _drain(self) -> None:
        while True:
            try:
                block = self.q.get_nowait()
            except queue.Empty:
                return
            self.stats["dropped"] += len(block)

    # -- audio -----------------------------------------------------------------------------------
    def _finished(self) -> None:
        """sounddevice calls this when the stream stops: after stop(), or when it died."""
        if self.running:
            self.stream_died = True

    def _callback(self, indata: Any, outdata: Any, frames: int, time: Any, status: Any) -> None:
        self.stats["callbacks"] += 1
        if status:
            self.stats["xruns"] += 1
        try:
            block = self.q.get_nowait()
        except queue.Empty:
            block = None
        try:
            if block is None:
                outdata.fill(0)
                self.stats["silence"] += frames
            else:
                outdata[:] = block * self.config["gain"]
                self.stats["played"] += len(block)
        except Exception:  # noqa: BLE001 - never raise in the audio callback: drop the block
            self.stats["callback_errors"] += 1
            self.stats["dropped"] += len(block) if block is not None else 0
            outdata.fill(0)
        self.stats["captured"] += frames
        try:
            self.q.put_nowait(indata.copy())
        except queue.Full:
            self.stats["dropped"] += frames

    def buffered_frames(self) -> int:
        with self.q.mutex:
            return sum(len(b) for b in self.q.queue)


class FixedPlayer(SimplePlayer):
    """``SimplePlayer`` with its restart closing the stream that died before opening a new one."""

    def _restart(self) -> None:
        dead, self.stream = self.stream, None
        if dead is not None:
            dead.close()
        super()._restart()
