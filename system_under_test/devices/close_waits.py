"""How long each wait of one stream's close took, by name: what a slow close spent its time on.

A close (or stop) of a real stream runs several timed waits under one deadline
(``portaudio.CLOSE_DEADLINE_S``): the polite requests to its device host, the delivery thread's
join, the host's exit, a SIGKILL and the wait for it, the reply reader's join. The close's clock
time alone (a 4.96 s close on the rig) cannot say which of them took it; this log can, and costs a
``time.monotonic`` pair a wait. The system carries it in its ``stream_closed`` event (``close``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["WAIT_NAMES", "CloseWaits"]

#: the waits a close may run, in the order a close meets them
WAIT_NAMES = ("stop_request", "close_request", "delivery_join", "host_exit", "kill", "reader_join")


class CloseWaits:
    """The waits of one close, summed by name (a wait met twice, as the delivery thread's join in a
    stop and then a close, is one sum), from the first ``begin`` to ``end``. ``clock``: seconds,
    ``time.monotonic`` (the deadline's clock)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.began: float | None = None
        self.ended: float | None = None
        self.waits: dict[str, float] = {}

    def begin(self) -> None:
        """A stop or close begins: the first one starts the log's span (a stop then a close are one)."""
        if self.began is None:
            self.began = self.clock()

    def end(self) -> None:
        self.ended = self.clock()

    @contextmanager
    def wait(self, name: str) -> Iterator[None]:
        """Time the wait inside the ``with`` under ``name`` (one of ``WAIT_NAMES``)."""
        t0 = self.clock()
        try:
            yield
        finally:
            self.waits[name] = self.waits.get(name, 0.0) + (self.clock() - t0)

    def record(self) -> dict[str, Any] | None:
        """``{"took_s", "waits": {name: s}, "longest"}`` (seconds, rounded to the µs; ``longest``
        None when no wait ran); None before any stop or close began."""
        if self.began is None:
            return None
        end = self.ended if self.ended is not None else self.clock()
        longest = max(self.waits, key=lambda k: self.waits[k]) if self.waits else None
        return {"took_s": round(end - self.began, 6),
                "waits": {k: round(v, 6) for k, v in self.waits.items()}, "longest": longest}
