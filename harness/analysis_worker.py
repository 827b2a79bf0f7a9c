"""The listening check's analysis on the second core: ``analyze_glitches`` in a worker process.

A simulated run is single-threaded Python, and the analysis of what the device played
(``AudioCheck``, ``harness.analysis.analyze_glitches``) is about a sixth of its CPU. A worker
thread would not help: most of the analysis is its own Python, which holds the GIL
(``bench/bench_analysis_offload.py`` measures it). A worker process does.

``AnalysisWorker`` is that process. The check hands it a stretch of sound as soon as the stretch
is over (a silent block follows it), while the simulation goes on, and reads the result where it
would have analysed the stretch itself (``AudioCheck._process``), so every glitch is judged at the
same point of the run and against the same windows as in-process; a stretch the worker did not
get (the last one of a ring, cut by its end) is analysed in-process as before.

How, and why so:

- One process, started on the first take and kept for the run, with the ``spawn`` method: the
  harness has threads, and a forked copy of a threaded process can hold a lock no thread will
  release.
- No thread of the run's process takes part. ``concurrent.futures.ProcessPoolExecutor`` pickles
  each take on a feeder thread and collects results on a manager thread, which contend for the
  GIL with the simulation: measured, they cost the run's process ~0.75 ms of CPU a take, a
  quarter of what the take's analysis cost. Here a take is copied into a shared-memory arena
  (``multiprocessing.shared_memory``) and a request of a few dozen bytes goes down a pipe from
  the run's own thread; results come back pickled on a second pipe and are read when they are
  needed, or when the check hands over the next take (so the worker never waits on a full pipe
  for long).
- Bounded: at most ``max_pending`` takes are out and not yet taken back, in an arena of
  ``arena_bytes``; past either, ``submit`` returns None and the caller analyses that take
  itself. The arena is a first-in first-out ring: a take's bytes are free once the worker has
  answered it, so the memory never grows with the run.
- Requests and answers are in order. An ``AnalysisError`` comes back as itself (the check handles
  it as it does in-process); any other exception of the worker's is raised as
  ``AnalysisWorkerError`` with it as the cause (its traceback in the message), and so is the
  worker's death: never a take silently left unjudged.
- The worker ignores SIGINT and SIGTERM (a terminal's Ctrl-C reaches the whole process group):
  the run decides when it ends and shuts the worker down (``close``). If the run's process dies
  without doing so, the worker reads the end of its request pipe and exits.
- One BLAS thread in the worker (``harness.blas``), as in the run's own process.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import time
import traceback
from collections import deque
from typing import Any

import numpy as np

from .errors import AnalysisError, AnalysisWorkerError

__all__ = ["AnalysisWorker", "worker_cpus"]

#: takes handed to the worker and not yet taken back, at most (a ring of the check holds ~6 on
#: average under the default profile; a full ring is at most 64 stretches of sound)
MAX_PENDING = 16
#: the shared arena the takes are copied into: 16 MiB holds ~10 rings of 8 s at 48 kHz, and at
#: most one ring's takes are out at a time
ARENA_BYTES = 16 << 20

_STOP = b""  # the request that ends the worker


def _serve(requests: Any, answers: Any, arena_name: str) -> None:
    """The worker: answer each request, in order, until the stop request or the end of the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    keep: Any = None
    if "OPENBLAS_NUM_THREADS" not in os.environ:
        from .blas import limit_for_good  # noqa: PLC0415 - the worker's own set-up

        keep = limit_for_good()  # noqa: F841 - held for the worker's life
    from multiprocessing import shared_memory  # noqa: PLC0415

    from .analysis import analyze_glitches  # noqa: PLC0415

    arena = shared_memory.SharedMemory(name=arena_name)
    try:
        while True:
            try:
                raw = requests.recv_bytes()
            except (EOFError, OSError):  # the run's process is gone
                return
            if raw == _STOP:
                answers.send(("cpu", time.process_time()))
                return
            op, *args = pickle.loads(raw)
            try:
                if op == "take":
                    offset, frames, fs, f, kw = args
                    # a copy: a report may keep views of its take, and none may outlive the arena
                    take = np.ndarray((frames,), dtype=np.float32, buffer=arena.buf, offset=offset).copy()
                    answer: Any = ("ok", analyze_glitches(take, fs, f, **kw))
                elif op == "blas":
                    from threadpoolctl import threadpool_info  # noqa: PLC0415

                    answer = ("ok", [int(p["num_threads"]) for p in threadpool_info() if p.get("user_api") == "blas"])
                else:
                    raise ValueError(f"unknown request {op!r}")
            except Exception as exc:  # noqa: BLE001 - every failure goes back to the run, by name
                answer = ("error", exc, traceback.format_exc())
            try:
                answers.send(answer)
            except Exception as exc:  # noqa: BLE001 - an exception that does not pickle: its text
                answers.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}"), traceback.format_exc()))
    finally:
        arena.close()


def worker_cpus() -> int:
    """The CPUs this process may run on (its affinity mask, where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class AnalysisWorker:
    """``analyze_glitches`` on a worker process, a bounded number of takes at a time."""

    def __init__(self, *, max_pending: int = MAX_PENDING, arena_bytes: int = ARENA_BYTES) -> None:
        self.max_pending = max_pending
        self.arena_bytes = arena_bytes
        self._proc: Any = None
        self._arena: Any = None
        self._requests: Any = None  # the run's end of the request pipe
        self._answers: Any = None  # the run's end of the answer pipe
        self._next_id = 0
        #: requests not yet answered, in order: (id, arena offset, bytes)
        self._unanswered: deque[tuple[int, int, int]] = deque()
        self._answered: dict[int, Any] = {}  # answers read and not yet taken
        self._pending: set[int] = set()  # ids handed out and not yet taken back or released
        self._write = 0  # the arena's next free byte
        self.submitted = 0
        self.closed = False

    # -- the process ------------------------------------------------------------------------
    def _start(self) -> None:
        from multiprocessing import shared_memory  # noqa: PLC0415

        ctx = multiprocessing.get_context("spawn")
        self._arena = shared_memory.SharedMemory(create=True, size=self.arena_bytes)
        req_r, req_w = ctx.Pipe(duplex=False)
        ans_r, ans_w = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_serve, args=(req_r, ans_w, self._arena.name),
                                 name="soundcheck-analysis", daemon=True)
        self._proc.start()
        req_r.close()  # the worker's ends: an end of pipe is seen when either side is gone
        ans_w.close()
        self._requests, self._answers = req_w, ans_r

    def _send(self, request: tuple[Any, ...]) -> int:
        if self._proc is None:
            self._start()
        rid = self._next_id
        self._next_id += 1
        try:
            self._requests.send_bytes(pickle.dumps(request))
        except OSError as exc:
            raise self._died(exc) from exc
        return rid

    def _died(self, exc: BaseException | None = None) -> AnalysisWorkerError:
        code = self._proc.exitcode if self._proc is not None else None
        return AnalysisWorkerError(f"the listening check's analysis worker died (exit code {code})"
                                   + (f": {exc}" if exc else ""))

    def _read_one(self, block: bool) -> bool:
        """Read the next answer into ``_answered`` (waiting for it when ``block``); False when
        none was there to read."""
        if not self._unanswered:
            return False
        if not block and not self._answers.poll():
            return False
        if block:
            ready = multiprocessing.connection.wait([self._answers, self._proc.sentinel])
            if self._answers not in ready:
                raise self._died()
        try:
            answer = self._answers.recv()
        except (EOFError, OSError) as exc:
            raise self._died(exc) from exc
        rid, _offset, _size = self._unanswered.popleft()
        if rid in self._pending:
            self._answered[rid] = answer
        return True

    def _drain(self) -> None:
        """Read the answers already there (the worker never waits long on a full pipe)."""
        while self._read_one(block=False):
            pass

    def _alloc(self, size: int) -> int | None:
        """An offset of ``size`` free bytes in the arena (first in, first out), or None."""
        if size > self.arena_bytes:
            return None
        if not self._unanswered:
            self._write = 0
            return 0
        oldest = self._unanswered[0][1]
        w = self._write
        if w > oldest:  # free: [w, end) and [0, oldest)
            if self.arena_bytes - w >= size:
                return w
            return 0 if oldest > size else None  # strictly: the write pointer never meets the oldest
        return w if oldest - w > size else None

    # -- the caller's side ----------------------------------------------------------------------
    @property
    def pending(self) -> int:
        """Takes handed over and not yet taken back or released."""
        return len(self._pending)

    def submit(self, take: np.ndarray, sample_rate: int, frequency_hz: float | None,
               **kwargs: Any) -> int | None:
        """``analyze_glitches(take, sample_rate, frequency_hz, **kwargs)`` begun on the worker: a
        handle for ``result``; None (nothing begun: the caller analyses it) when ``max_pending``
        takes are out, the arena has no room, or the worker is closed. ``take`` is copied."""
        if self.closed or len(self._pending) >= self.max_pending:
            return None
        if self._proc is not None:
            self._drain()
        x = np.ascontiguousarray(take, dtype=np.float32)
        if x.ndim != 1:  # the analysis refuses it: the same error, by the same path
            raise AnalysisWorkerError(f"a take goes to the worker as one channel; got shape {x.shape}")
        if self._arena is None:
            self._start()
        offset = self._alloc(x.nbytes)
        if offset is None:
            return None
        np.ndarray(x.shape, dtype=np.float32, buffer=self._arena.buf, offset=offset)[:] = x
        rid = self._send(("take", offset, x.shape[0], int(sample_rate), frequency_hz, kwargs))
        self._unanswered.append((rid, offset, x.nbytes))
        self._write = offset + x.nbytes
        self._pending.add(rid)
        self.submitted += 1
        return rid

    def result(self, rid: int) -> Any:
        """The take's ``GlitchReport``, waited for; its ``AnalysisError`` raised as it was. Any
        other exception of the worker's, or the worker's death, is an ``AnalysisWorkerError``
        whose cause is what the worker raised."""
        if rid not in self._pending:
            raise AnalysisWorkerError(f"no take {rid} is out with the analysis worker")
        try:
            while rid not in self._answered:
                if not self._read_one(block=True):
                    raise AnalysisWorkerError(f"take {rid} was never sent to the analysis worker")
        finally:
            self._pending.discard(rid)
        kind, *rest = self._answered.pop(rid)
        if kind == "ok":
            return rest[0]
        exc, text = rest
        if isinstance(exc, AnalysisError):
            raise exc
        raise AnalysisWorkerError(f"the listening check's analysis failed in its worker process: "
                                  f"{type(exc).__name__}: {exc}\n{text}") from exc

    def release(self, rid: int) -> None:
        """A take whose result will not be read (its answer is dropped when it comes)."""
        self._pending.discard(rid)
        self._answered.pop(rid, None)

    def blas_threads(self) -> list[int]:
        """The worker's BLAS thread counts (one per BLAS library it loaded)."""
        if self._arena is None:
            self._start()
        rid = self._send(("blas",))
        self._unanswered.append((rid, self._write, 0))
        self._pending.add(rid)
        return list(self.result(rid))

    def pids(self) -> list[int]:
        """The worker's process id, while it runs (none before the first take or after ``close``)."""
        return [self._proc.pid] if self._proc is not None and self._proc.is_alive() else []

    def close(self) -> float | None:
        """Stop the worker and wait for it to exit, reading what it still answers; the arena is
        freed. The worker's CPU seconds, or None when it never started (or died)."""
        if self.closed:
            return None
        self.closed = True
        self._pending.clear()
        self._answered.clear()
        proc, arena = self._proc, self._arena
        if proc is None:
            return None
        cpu: float | None = None
        try:
            try:
                self._requests.send_bytes(_STOP)
            except OSError:
                pass
            while True:  # the answers before the stop's, then its CPU figure, then the end of the pipe
                ready = multiprocessing.connection.wait([self._answers, proc.sentinel])
                if self._answers not in ready:
                    break
                try:
                    answer = self._answers.recv()
                except (EOFError, OSError):
                    break
                if isinstance(answer, tuple) and answer and answer[0] == "cpu":
                    cpu = float(answer[1])
            proc.join()
        finally:
            if proc.is_alive():  # only if the wait above was itself interrupted: it ignores SIGTERM
                proc.kill()
                proc.join()
            self._requests.close()
            self._answers.close()
            arena.close()
            arena.unlink()
            self._proc = None
        return cpu
