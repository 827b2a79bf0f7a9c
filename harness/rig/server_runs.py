"""Whether the JACK server itself ran: the stretches its process was not scheduled at all.

JACK reports an xrun when a cycle misses its deadline, and says nothing while its server does
not run: a jackd stopped from outside (``SIGSTOP``), or one a loaded machine does not schedule,
runs no cycle, so no client is called, no deadline is counted as missed, and no report comes
until it runs again (measured on the rig, bench/RESULTS.md 2026-12-04 night: a 0.56 s silence
"with no xrun report in it" around a 0.4 s stop of jackd was judged the system's; two stalls of a
starved run had no JACK xrun report within 3 s). Such a silence is the machine's: nothing of the
graph ran, the system's stream included. The rig measures it instead of inferring it.

``ServerRuns`` samples, every ``interval_s`` on a thread of its own, the scheduler's cumulative
counters of every thread of the server's process (``/proc/PID/task/TID/schedstat``: run time and
run-queue wait in ns, and how many times the thread was scheduled in) and the process state
(``/proc/PID/stat``: ``T`` stopped). Between two samples whose run time and scheduled-in counts
are equal, no thread of the server ran at all: proven by the counters, however late the sampler
itself ran (a starved sampler only widens the bracket, and a bracket in which the server ran at
all is never claimed). A running server runs its driver every period (5.33 ms at the rig's 256
frames and 48 kHz), so only stretches of ``min_stretch_s`` or more are kept: the gaps between a
healthy server's cycles never reach it. What is kept is bounded: the latest ``keep`` stretches.

What JACK-Client offers instead does not tell this: ``Client.cpu_load`` is the DSP load of the
cycles that ran, and an xrun callback comes only once the server runs again, its
``delayed_usecs`` blind to the stop (measured on the rig, jackd stopped 0.4 s: one callback at
the ``SIGCONT``, ``delayed_usecs`` 13.0; ``cpu_load`` 0.20 before, 0.17 after).
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["MIN_STRETCH_S", "SAMPLE_INTERVAL_S", "STOPPED_KIND", "ServerRuns", "Stretch", "process_stopped", "read_server"]

#: the kind of the fault record of a server stopped from outside (``rig_target.ServerWatch``), its
#: ``/proc`` state ``T``: what tells a stop from a server the loaded machine did not schedule
STOPPED_KIND = "server_stopped"
#: how often the server's counters are read: 5 small ``/proc`` reads a sample (jackd has 4 threads)
SAMPLE_INTERVAL_S = 0.01
#: the shortest stretch without a run that is kept: several periods of any JACK configuration the
#: rig runs (5.33 ms at 256 frames, 21.3 ms at 1024), so a healthy server's idle time between two
#: cycles is never taken for a server that did not run
MIN_STRETCH_S = 0.05
#: how often a server not found (not started yet, restarting) is looked for again
LOOKUP_INTERVAL_S = 0.5
#: stretches kept (the latest); a run has one per stop or starvation of its server
STRETCHES_KEPT = 4096


@dataclass(frozen=True)
class Stretch:
    """The server's process ran no thread from ``t0`` to ``t1`` (clock time: ``time.monotonic``)."""

    t0: float
    t1: float
    #: it was seen stopped (state ``T``: ``SIGSTOP``) in the stretch
    stopped: bool
    #: how long its threads waited for a CPU, as the first sample after the stretch read it
    #: (runnable but not run: a loaded machine), in seconds
    waited_s: float

    def to_dict(self) -> dict[str, Any]:
        return {"from": round(self.t0, 6), "to": round(self.t1, 6), "stopped": self.stopped,
                "waited_s": round(self.waited_s, 6)}


def _stopped_state(stat: bytes) -> bool:
    """Whether a ``/proc/PID/stat`` line says its process is stopped (``T``: a ``SIGSTOP``; ``t``:
    stopped by a tracer). The state follows the command name's closing parenthesis (the name may
    hold spaces and parentheses of its own)."""
    end = stat.rfind(b")")
    return stat[end + 2:end + 3] in (b"T", b"t")


def process_stopped(pid: int, proc: str = "/proc") -> bool | None:
    """Whether process ``pid`` is stopped now (None: it is gone). A stopped server and a starved
    one both run no cycle; only this state tells a stop from outside from a machine too busy."""
    try:
        with open(f"{proc}/{pid}/stat", "rb") as f:
            return _stopped_state(f.read())
    except OSError:
        return None


def read_server(pid: int, proc: str = "/proc") -> tuple[tuple[int, ...], int, int, int, bool] | None:
    """(thread ids, run time ns, times scheduled in, run-queue wait ns, stopped) summed over every
    thread of process ``pid``; None when it is gone."""
    try:
        tids = tuple(sorted(int(t) for t in os.listdir(f"{proc}/{pid}/task")))
        with open(f"{proc}/{pid}/stat", "rb") as f:
            stat = f.read()
    except (OSError, ValueError):
        return None
    ran = slices = wait = 0
    for tid in tids:
        try:
            with open(f"{proc}/{pid}/task/{tid}/schedstat", "rb") as f:
                fields = f.read().split()
        except OSError:
            return None  # a thread ended as it was read: this sample is not comparable
        ran += int(fields[0])
        wait += int(fields[1])
        slices += int(fields[2])
    return tids, ran, slices, wait, _stopped_state(stat)


class ServerRuns:
    """Samples a JACK server's scheduling (``start``/``close``) and keeps the stretches it did not
    run; ``feed`` is the rule, fed by the thread or by a test with constructed samples."""

    def __init__(self, find_pid: Callable[[], int | None] | None = None, *, interval_s: float = SAMPLE_INTERVAL_S,
                 min_stretch_s: float = MIN_STRETCH_S, keep: int = STRETCHES_KEPT,
                 read: Callable[[int], Any] = read_server, clock: Callable[[], float] = time.monotonic) -> None:
        self.find_pid = find_pid
        self.interval_s = interval_s
        self.min_stretch_s = min_stretch_s
        self.read = read
        self.clock = clock
        self.stretches: deque[Stretch] = deque(maxlen=keep)
        #: stretches let go (older than the kept ones), and the latest end among them
        self.dropped = 0
        self.dropped_until = -float("inf")
        self.samples = 0
        #: the longest time between two samples (the sampler's own lateness on a loaded machine)
        self.max_interval_s = 0.0
        self.not_running_s = 0.0
        self._last: tuple[Any, ...] | None = None  # (pid, tids, ran, slices, wait, t_after)
        self._open: list[Any] | None = None  # [t0, t1, stopped] of the stretch under way
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._looked = -float("inf")
        self._sampling = threading.Lock()  # one read and its feed at a time, in clock order

    # -- the rule -------------------------------------------------------------------------------
    def feed(self, t_before: float, t_after: float, pid: int | None,
             sample: tuple[tuple[int, ...], int, int, int, bool] | None) -> None:
        """One sample of server ``pid`` read between ``t_before`` and ``t_after`` (None: nothing
        read). Two samples of the same process and threads whose run time and scheduled-in count
        are equal bracket a stretch in which none of its threads ran: from the first's end to the
        second's start."""
        with self._lock:
            self.samples += 1
            last = self._last
            if last is not None:
                self.max_interval_s = max(self.max_interval_s, t_before - last[5])
            if pid is None or sample is None:
                self._end_open(None)
                self._last = None
                return
            tids, ran, slices, wait, stopped = sample
            if last is not None and last[0] == pid and last[1] == tids:
                if (ran, slices) == (last[2], last[3]):
                    if self._open is None:
                        self._open = [last[5], t_before, stopped]
                    else:
                        self._open[1] = t_before
                        self._open[2] = self._open[2] or stopped
                    self._last = (pid, tids, ran, slices, wait, t_after)
                    return
                self._end_open((wait - last[4]) / 1e9)
            else:
                self._end_open(None)
            self._last = (pid, tids, ran, slices, wait, t_after)

    def _end_open(self, waited_s: float | None) -> None:
        o, self._open = self._open, None
        if o is None or o[1] - o[0] < self.min_stretch_s:
            return
        if len(self.stretches) == self.stretches.maxlen:
            self.dropped += 1
            self.dropped_until = max(self.dropped_until, self.stretches[0].t1)
        self.stretches.append(Stretch(o[0], o[1], bool(o[2]), max(waited_s or 0.0, 0.0)))
        self.not_running_s += o[1] - o[0]

    # -- the question ---------------------------------------------------------------------------
    def between(self, t0: float, t1: float) -> list[Stretch] | None:
        """The stretches the server did not run that overlap ``t0..t1``, clipped to it (one still
        under way: up to the latest sample); None where stretches of that time were let go."""
        with self._lock:
            if self.dropped and t0 <= self.dropped_until:
                return None
            out = [Stretch(max(s.t0, t0), min(s.t1, t1), s.stopped, s.waited_s)
                   for s in self.stretches if s.t0 < t1 and s.t1 > t0]
            o = self._open
            if o is not None and o[1] - o[0] >= self.min_stretch_s and o[0] < t1 and o[1] > t0:
                out.append(Stretch(max(o[0], t0), min(o[1], t1), bool(o[2]), 0.0))
            return out

    def idle_s(self, t0: float, t1: float) -> float | None:
        """How long the server did not run in ``t0..t1`` (None: not known)."""
        found = self.between(t0, t1)
        return None if found is None else sum(s.t1 - s.t0 for s in found)

    # -- the thread -----------------------------------------------------------------------------
    def start(self) -> ServerRuns:
        if self._thread is None and self.find_pid is not None:
            self._thread = threading.Thread(target=self._loop, name="soundcheck-server-runs", daemon=True)
            self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval_s)

    def sample(self) -> None:
        """Read the server's counters once and feed them (the thread does, every ``interval_s``;
        a caller that must know the server's state at a moment may too). A server not found (not
        started yet, restarting) is looked for at most every ``LOOKUP_INTERVAL_S``: a /proc scan."""
        with self._sampling:
            if self._pid is None and self.find_pid is not None and self.clock() - self._looked >= LOOKUP_INTERVAL_S:
                self._looked = self.clock()
                self._pid = self.find_pid()
            t_before = self.clock()
            sample = self.read(self._pid) if self._pid is not None else None
            t_after = self.clock()
            self.feed(t_before, t_after, self._pid, sample)
            if sample is None:
                self._pid = None  # gone (or never found): looked up again

    @property
    def pid(self) -> int | None:
        """The server process sampled now (None: none found)."""
        return self._pid

    def close(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(2.0)
        with self._lock:
            self._end_open(None)

    def summary(self) -> dict[str, Any]:
        """For the run's summary: what was sampled and the first stretches the server did not run."""
        with self._lock:
            return {"samples": self.samples, "max_interval_s": round(self.max_interval_s, 6),
                    "not_running_s": round(self.not_running_s, 6),
                    "stretches": len(self.stretches) + self.dropped,
                    "items": [s.to_dict() for s in list(self.stretches)[:20]]}
