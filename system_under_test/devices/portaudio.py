"""The PortAudio backend (python-sounddevice), with device I/O in a killable child process.

Shape (see ``_devhost.py`` for the protocol)::

    parent (this module)                           device host (child process)
    PortAudioStream ── JSON control (stdin/out) ─▶ sounddevice.Stream (PortAudio)
        delivery thread ◀── tick pipe (1 byte/block) ── PortAudio callback
        callback(indata, outdata) ◀─ shared-memory SPSC rings ─▶ indata / outdata

Why: FIELD_NOTES measured that with the JACK host API, after the server dies, ``stop()``,
``abort()`` and ``close()`` block forever; with the ALSA ``jack`` PCM, callbacks silently stop.
So *recovery never depends on a PortAudio call returning*: every control request has a timeout,
and on timeout — or when the stream is already known broken — the host is SIGKILLed; the next
``open_stream`` spawns a fresh host (a fresh PortAudio, so also a fresh device list: PortAudio's
list is frozen until re-initialised, and we never keep a device index across hosts).

Detection, two ways, both reported through ``on_error``:
- status: PortAudio's callback flags become ``StatusFlags`` and ``StreamStats`` counters (plus
  ring anomalies: output the parent produced too late counts as ``output_underflow``, input it
  consumed too late as ``input_overflow``); bursts are reported as ``XrunError`` (rate-limited);
- a watchdog: no block for ``max(watchdog_periods * period, watchdog_min_s)`` →
  ``DeviceStalledError``; the host reporting the stream inactive, or the host process dying, →
  ``DeviceLostError``. Each is reported once per episode.

sounddevice is imported only in the device host. Without PortAudio everything else works; this
backend raises ``BackendUnavailableError`` telling what to install.

Routes to the JACK loopback rig (both measured in FIELD_NOTES): the JACK host API device
``system`` (``JackBackend`` in ``jack.py``) and the ALSA ``jack`` PCM device (this backend with
``jack_server=``; device name ``jack``).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import importlib.util
import itertools
import json
import logging
import os
import secrets
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import shared_memory
from typing import IO, Any

import numpy as np

from ..clock import Clock, SystemClock
from ..errors import (
    AudioSystemError,
    BackendUnavailableError,
    CallbackError,
    DeviceError,
    DeviceFormatError,
    DeviceLostError,
    DeviceNotFoundError,
    DeviceStalledError,
    DeviceTimeoutError,
    LifecycleError,
    ResourceLimitError,
    XrunError,
)
from ..signal_names import signal_name
from . import _devhost, spawn
from ._devhost import FLAG_BITS, HOST_CALLBACKS, IN_DROPPED, IN_R, IN_W, OUT_R, OUT_STARVED, OUT_W, RingLayout
from .close_waits import CloseWaits
from .base import AudioCallback, DeviceBackend, DeviceInfo, DeviceStream, ErrorSink, StatusFlags, StreamSpec, StreamStats

log = logging.getLogger(__name__)

INSTALL_HINT = "install PortAudio (apt-get install libportaudio2) and python-sounddevice (pip install sounddevice)"

# ----------------------------------------------------------------------------- error mapping
#: Every ``PaErrorCode`` of portaudio.h (v19.6/19.7), by name. The mapping test walks this list
#: and, when sounddevice is importable, the library's own constants too.
PA_ERROR_CODES: dict[str, int] = {
    "paNotInitialized": -10000,
    "paUnanticipatedHostError": -9999,
    "paInvalidChannelCount": -9998,
    "paInvalidSampleRate": -9997,
    "paInvalidDevice": -9996,
    "paInvalidFlag": -9995,
    "paSampleFormatNotSupported": -9994,
    "paBadIODeviceCombination": -9993,
    "paInsufficientMemory": -9992,
    "paBufferTooBig": -9991,
    "paBufferTooSmall": -9990,
    "paNullCallback": -9989,
    "paBadStreamPtr": -9988,
    "paTimedOut": -9987,
    "paInternalError": -9986,
    "paDeviceUnavailable": -9985,
    "paIncompatibleHostApiSpecificStreamInfo": -9984,
    "paStreamIsStopped": -9983,
    "paStreamIsNotStopped": -9982,
    "paInputOverflowed": -9981,
    "paOutputUnderflowed": -9980,
    "paHostApiNotFound": -9979,
    "paInvalidHostApi": -9978,
    "paCanNotReadFromACallbackStream": -9977,
    "paCanNotWriteToACallbackStream": -9976,
    "paCanNotReadFromAnOutputOnlyStream": -9975,
    "paCanNotWriteToAnInputOnlyStream": -9974,
    "paIncompatibleStreamHostApi": -9973,
    "paBadBufferPtr": -9972,
    "paCanNotInitializeRecursively": -9971,
}

_C = PA_ERROR_CODES
#: PaErrorCode -> our most specific class. Codes that can only mean a bug in this backend (bad
#: pointers, wrong API for a callback stream) map to plain ``DeviceError`` with ``internal=True``.
PA_ERROR_MAP: dict[int, type[AudioSystemError]] = {
    _C["paNotInitialized"]: BackendUnavailableError,
    _C["paUnanticipatedHostError"]: DeviceError,  # refined by the host error (see below)
    _C["paInvalidChannelCount"]: DeviceFormatError,
    _C["paInvalidSampleRate"]: DeviceFormatError,
    _C["paInvalidDevice"]: DeviceNotFoundError,
    _C["paInvalidFlag"]: DeviceError,
    _C["paSampleFormatNotSupported"]: DeviceFormatError,
    _C["paBadIODeviceCombination"]: DeviceFormatError,
    _C["paInsufficientMemory"]: ResourceLimitError,
    _C["paBufferTooBig"]: DeviceFormatError,
    _C["paBufferTooSmall"]: DeviceFormatError,
    _C["paNullCallback"]: DeviceError,
    _C["paBadStreamPtr"]: DeviceError,
    _C["paTimedOut"]: DeviceTimeoutError,
    _C["paInternalError"]: DeviceError,
    _C["paDeviceUnavailable"]: DeviceLostError,
    _C["paIncompatibleHostApiSpecificStreamInfo"]: DeviceFormatError,
    _C["paStreamIsStopped"]: LifecycleError,
    _C["paStreamIsNotStopped"]: LifecycleError,
    _C["paInputOverflowed"]: XrunError,
    _C["paOutputUnderflowed"]: XrunError,
    _C["paHostApiNotFound"]: DeviceNotFoundError,
    _C["paInvalidHostApi"]: DeviceNotFoundError,
    _C["paCanNotReadFromACallbackStream"]: DeviceError,
    _C["paCanNotWriteToACallbackStream"]: DeviceError,
    _C["paCanNotReadFromAnOutputOnlyStream"]: DeviceError,
    _C["paCanNotWriteToAnInputOnlyStream"]: DeviceError,
    _C["paIncompatibleStreamHostApi"]: DeviceError,
    _C["paBadBufferPtr"]: DeviceError,
    _C["paCanNotInitializeRecursively"]: DeviceError,
}
_INTERNAL = {code for code, cls in PA_ERROR_MAP.items() if cls is DeviceError} - {_C["paUnanticipatedHostError"]}

#: Host (ALSA/OSS) errno values inside paUnanticipatedHostError that mean more than "error".
_HOST_ERRNO_MAP: dict[int, type[AudioSystemError]] = {
    -19: DeviceLostError,  # -ENODEV: unplugged
    -6: DeviceLostError,  # -ENXIO
    -16: DeviceLostError,  # -EBUSY: another client holds it; may free up
    -32: XrunError,  # -EPIPE: ALSA xrun
    -22: DeviceFormatError,  # -EINVAL: parameters the device refuses
}

#: the shortest stall the system's watchdog may call before a started stream's first block
#: (``PortAudioStream.min_stall_s``): a new client's first cycle waits for the server
FIRST_BLOCK_GRACE_S = 2.0
#: how long a device host may take to initialise PortAudio once its interpreter runs (``hello``:
#: sounddevice imported, ``Pa_Initialize`` connected to the audio server). Its own bound, not the
#: control timeout: measured on the JACK rig with ``bench/bench_rig_devhost_init.py`` (2 cores),
#: 0.29 s p50 / 0.36 s max idle and 0.25 s p50 / 0.79 s max at load average 10.5 (two busy loops,
#: the bench under ``nice -n 19``); at load 13-17 the control timeout's 2 s was exceeded in the
#: field. Short enough that a stalled server (``Pa_Initialize`` hangs on it) fails an attempt
#: within a recovery's deadline.
INIT_TIMEOUT_S = 5.0
#: the whole of a stream's close (or stop): its polite requests, the delivery thread's end, the
#: device host's exit and its reply reader's end share this one bound. Each of those waits had a
#: bound of its own (5 s for a thread or process, ``teardown_timeout_s`` for a request), so a close
#: whose waits all ran out took their sum, and a recovery's teardown ate its deadline one wait at
#: a time; past this bound the host is killed and what is still running is left to end by itself.
CLOSE_DEADLINE_S = 5.0
#: the longest a single wait of a close may take when no shared deadline is given (a host killed
#: alone, ``DeviceHost.release`` after a failed start)
_WAIT_BOUND_S = 5.0
#: how long a killed host is waited for even when the close's deadline has passed: a SIGKILLed
#: process ends in milliseconds, and one not waited for at all stays a zombie and is logged as
#: having survived the kill
_KILL_GRACE_S = 0.1


def time_left(deadline: float | None, bound: float = _WAIT_BOUND_S) -> float:
    """``bound``, cut to what is left (never below 0) until ``deadline`` (``time.monotonic``);
    ``bound`` itself when there is no deadline. Every wait of a close asks it, so the waits of
    one close share its deadline instead of each taking a bound of its own."""
    if deadline is None:
        return bound
    return max(0.0, min(bound, deadline - time.monotonic()))


def _timed(waits: CloseWaits | None, name: str) -> contextlib.AbstractContextManager[None]:
    """``waits.wait(name)``: one wait of a close timed into its log; nothing outside a close."""
    return contextlib.nullcontext() if waits is None else waits.wait(name)


def _schedstat_fields(text: str | bytes) -> tuple[float, float] | None:
    """(seconds on a CPU, seconds runnable but waiting for one) a ``schedstat`` file's text says
    (nanoseconds there); None where it says no such thing."""
    try:
        run_ns, wait_ns = text.split()[:2]
        return int(run_ns) / 1e9, int(wait_ns) / 1e9
    except ValueError:
        return None


def _read_schedstat(path: str) -> tuple[float, float] | None:
    """``_schedstat_fields`` of the ``schedstat`` file at ``path``; None where it cannot be read."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    return _schedstat_fields(text)


def thread_cpu_wait(tid: int) -> float | None:
    """Seconds thread ``tid`` of this process has been runnable but waiting for a CPU, from
    ``/proc/self/task/TID/schedstat``; None where it cannot be read."""
    times = _read_schedstat(f"/proc/self/task/{tid}/schedstat")
    return None if times is None else times[1]


def thread_cpu_run(tid: int) -> float | None:
    """Seconds thread ``tid`` of this process has run on a CPU, from
    ``/proc/self/task/TID/schedstat``; None where it cannot be read."""
    times = _read_schedstat(f"/proc/self/task/{tid}/schedstat")
    return None if times is None else times[0]


def thread_runnable(tid: int) -> bool | None:
    """Whether thread ``tid`` of this process is running or runnable (state ``R`` in
    ``/proc/self/task/TID/stat``), not asleep or blocked; None where it cannot be read. A thread
    woken and still waiting for a CPU has no part of that wait in its ``schedstat`` yet: the kernel
    adds a wait there only when the thread gets the CPU."""
    try:
        with open(f"/proc/self/task/{tid}/stat", "rb") as f:
            text = f.read()
    except OSError:
        return None
    _, paren, rest = text.rpartition(b")")  # the name may hold spaces and parentheses
    fields = rest.split()
    return fields[0] == b"R" if paren and fields else None


def _schedstat_times(fd: int) -> tuple[float, float] | None:
    """(seconds on a CPU, seconds runnable but waiting for one) an open ``schedstat`` file says,
    read again from its start (``os.pread``: no open or close a block); None where it cannot be read."""
    try:
        data = os.pread(fd, 128, 0)
    except OSError:
        return None
    return _schedstat_fields(data)


def process_schedstat(pid: int) -> tuple[float, float] | None:
    """(seconds on a CPU, seconds runnable but waiting for a CPU) of process ``pid``'s main
    thread, from ``/proc/PID/schedstat``; None where it cannot be read."""
    return _read_schedstat(f"/proc/{pid}/schedstat")


#: PortAudio's name for its JACK host API
JACK_HOST_API = "JACK Audio Connection Kit"
#: Exception types raised in the device host that are not PortAudioError.
_EXCEPTION_TYPE_MAP: dict[str, type[AudioSystemError]] = {
    "LookupError": DeviceNotFoundError,  # our own by-name resolution in the host
    "OSError": BackendUnavailableError,  # "PortAudio library not found"
    "ImportError": BackendUnavailableError,
    "ModuleNotFoundError": BackendUnavailableError,
    "ValueError": DeviceFormatError,  # sounddevice's argument checks (channels, dtype, latency)
    "TypeError": DeviceFormatError,
    "TimeoutError": DeviceTimeoutError,
}


def map_portaudio_error(code: int | None, message: str, host_error: list[Any] | tuple[Any, ...] | None = None,
                        *, component: str = "device") -> AudioSystemError:
    """The one translation of a PortAudio error into our tree. Unknown codes become ``DeviceError``."""
    cls = PA_ERROR_MAP.get(code, DeviceError) if code is not None else DeviceError
    details: dict[str, Any] = {"pa_error_code": code}
    if code is not None and code not in PA_ERROR_MAP:
        details["unmapped"] = True
    if code in _INTERNAL:
        details["internal"] = True
    if host_error:
        details["host_error"] = list(host_error)
        if code == _C["paUnanticipatedHostError"] and len(host_error) >= 2:
            cls = _HOST_ERRNO_MAP.get(int(host_error[1]), cls)
    if cls is BackendUnavailableError:
        message = f"{message} ({INSTALL_HINT})"
    return cls(message, component=component, details=details)


def map_host_error(payload: dict[str, Any], *, component: str = "device") -> AudioSystemError:
    """Translate an exception description sent by the device host (``describe_exception``)."""
    etype = str(payload.get("type", ""))
    message = str(payload.get("message", "")) or etype
    if etype == "PortAudioError":
        return map_portaudio_error(payload.get("code"), message, payload.get("host_error"), component=component)
    cls = _EXCEPTION_TYPE_MAP.get(etype, DeviceError)
    if cls is BackendUnavailableError:
        message = f"{message} ({INSTALL_HINT})"
    return cls(message, component=component, details={"host_exception": etype})


def translate_exception(exc: BaseException, *, component: str = "device") -> AudioSystemError:
    """Translate an exception object (e.g. a ``sounddevice.PortAudioError`` caught in-process)."""
    if isinstance(exc, AudioSystemError):
        return exc
    return map_host_error(_devhost.describe_exception(exc), component=component)


# ----------------------------------------------------------------------------- the host process
def _pdeathsig() -> None:  # pragma: no cover - runs in the forked child
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the parent
    except Exception:  # noqa: BLE001
        pass


# Device hosts are forked from one thread that lives as long as the process (or from the main
# thread): ``PR_SET_PDEATHSIG`` follows the *thread* that forked the child (``.spawn``). Started with
# the module: whoever can open a device host has imported it, so the thread predates any count of
# the threads a system started (a backend built later starts it again if a fork left this process
# without it).
spawn.start()


class _RingMemory(shared_memory.SharedMemory):
    """The stream's shared ring, whose finalizer does not raise when a view of it is still held.

    ``SharedMemory.__del__`` closes the memory and lets the ``BufferError`` of a view still
    exported escape, which the interpreter prints as a traceback ("Exception ignored in ...").
    A stream's teardown closes and unlinks the ring itself and logs a view it finds still held;
    what is left for the finalizer is the interpreter's exit, whose collection of reference
    cycles (a frame of the delivery loop kept by a recorded exception holds the ring's numpy
    views) may reach the ring before the views. Measured with the CLI on the JACK rig, the
    server killed from outside: the traceback printed at exit in 2 of 33 runs, the verdict and
    the exit status unchanged. The mapping goes when its last view does."""

    def __del__(self) -> None:
        try:
            super().__del__()
        except BufferError:
            pass


class _HostTimeout(Exception):
    pass


class _HostGone(Exception):
    pass


class DeviceHost:
    """Parent-side handle on one device host process: spawn, request with timeout, kill.

    Public so the harness can find its pid (``starve_cpu`` SIGSTOPs it) and tests can prove it
    is gone after ``close()``.
    """

    _ids = itertools.count(1)
    #: set by ``release`` when it leaves the reader running: the reader closes its pipe as it ends
    _reader_closes_pipe = False

    def __init__(self, env: dict[str, str], *, python: str, spawn_timeout_s: float,
                 init_timeout_s: float | None = None,
                 on_event: Callable[[dict[str, Any]], None] | None = None) -> None:
        self._on_event = on_event
        self._pending: dict[int, tuple[threading.Event, dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._gone = threading.Event()
        self._started = threading.Event()
        self._hello = threading.Event()
        self.hello: dict[str, Any] = {}
        #: ``time.monotonic()`` at the host's ``started`` event (how long its interpreter took)
        self.started_at: float | None = None
        self.tick_r, tick_w = os.pipe()
        self._stderr: IO[bytes] = tempfile.TemporaryFile(prefix="soundcheck-devhost-")
        try:
            self.proc = spawn.popen(  # from a lasting thread: PDEATHSIG follows the forking thread
                # Run the file as a script (-P: without its directory on sys.path), not as
                # ``-m system_under_test...``: importing the package pulls in the whole system
                # (~0.65 s measured), which every respawn would pay. The host needs only
                # stdlib, numpy and sounddevice.
                [python, "-P", _devhost.__file__, str(tick_w)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                env=env, pass_fds=(tick_w,), start_new_session=True, preexec_fn=_pdeathsig,
            )
        except BaseException:
            os.close(self.tick_r)
            self._stderr.close()
            raise
        finally:
            os.close(tick_w)  # only the host holds the write end: EOF on tick_r = host died
        self._reader = threading.Thread(target=self._read, name=f"devhost-reader-{self.proc.pid}", daemon=True)
        self._reader.start()
        # Two bounds: the interpreter starting (slow on a loaded machine: generous), then
        # PortAudio initialising (fast, unless the JACK server is stalled: then it hangs, and
        # waiting the generous bound held the system's op lock 10 s - measured on the rig).
        init_timeout_s = spawn_timeout_s if init_timeout_s is None else init_timeout_s
        if not self._started.wait(spawn_timeout_s) or not self._hello.wait(init_timeout_s):
            # Read which bound ran out, and the host's last words, before the kill: the reader's
            # end (joined by ``release``) sets ``_started``, and ``release`` closes the stderr file.
            started = self._started.is_set()
            what = "initialise PortAudio" if started else "start"
            bound = init_timeout_s if started else spawn_timeout_s
            stderr = self.stderr_tail()
            waits = self.cpu_waits()
            self.kill()
            self.release()
            raise DeviceTimeoutError(
                f"device host did not {what} within {bound:.1f} s (is the audio server stalled?)",
                component="device", details={"stderr": stderr, **waits})
        if not self.hello.get("ok"):
            waits = self.cpu_waits()
            said = self.hello.get("error")
            error = map_host_error(said) if said else self._exit_at_start()
            self.kill()
            self.release()
            error.details.update(waits)
            raise error

    def _exit_at_start(self) -> AudioSystemError:
        """The error of a host that ended before its ``hello``, saying how it ended and its last words.

        A host that cannot load PortAudio says so in its ``hello``. One killed by a signal before
        it (SIGBUS or SIGSEGV inside libjack as PortAudio's JACK host API connects: JACK2's
        metadata database and shm registry are shared by every server and client of the uid, and
        one re-created under a connecting client crashes it, see ``harness.rig.loopback``) is a
        device that failed to open, not a missing library: ``DeviceError`` with ``host_signal``
        in its details, never the install hint. One that exited by itself is an interpreter that
        could not run the host (a broken install): the backend is unavailable."""
        try:
            code: int | None = self.proc.wait(timeout=5)  # its stdout is closed: it is exiting
        except subprocess.TimeoutExpired:
            code = None
        stderr = self.stderr_tail(400).strip()
        words = f": {stderr}" if stderr else ""
        if code is not None and code < 0:
            name = signal_name(-code)
            return DeviceError(f"device host was killed by {name} at start, as PortAudio initialised{words}",
                               component="device", details={"host_exit_status": code, "host_signal": name})
        how = f"exit status {code}" if code is not None else "its output closed"
        return BackendUnavailableError(f"device host exited at start ({how}){words} ({INSTALL_HINT})",
                                       component="device", details={"host_exception": "OSError"})

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None and not self._gone.is_set()

    def reader_cpu_wait(self) -> float | None:
        """Seconds this process's thread reading the host's replies has waited for a CPU."""
        tid = self._reader.native_id
        return None if tid is None else thread_cpu_wait(tid)

    def cpu_waits(self) -> dict[str, float]:
        """``{"reader_cpu_wait_s": ..., "host_cpu_wait_s": ...}``: the reply reader's and the host's
        main thread's runnable waits so far, or ``{}`` where either cannot be read. A host that
        fails to start puts them on its error: read before the kill, which takes both with it, so
        that the open that spawned it can still say how long it waited for a CPU."""
        reader, host = self.reader_cpu_wait(), self.schedstat()
        if reader is None or host is None:
            return {}
        return {"reader_cpu_wait_s": reader, "host_cpu_wait_s": host[1]}

    def schedstat(self) -> tuple[float, float] | None:
        """(seconds on a CPU, seconds runnable but waiting for one) of the host's main thread
        since it was spawned, from Linux's ``/proc/PID/schedstat``; None where the kernel keeps
        none or the host is gone. The main thread is the one that starts the interpreter,
        initialises PortAudio and opens the stream, one after the other: its wait is the
        machine's share of a slow open (the host's other threads wait alongside it, and summing
        them would count one stretch of the machine's twice)."""
        return process_schedstat(self.proc.pid) if self.proc.poll() is None else None

    def _read(self) -> None:
        assert self.proc.stdout is not None
        try:
            for raw in self.proc.stdout:
                try:
                    msg = json.loads(raw)
                except ValueError:
                    continue
                if "event" in msg:
                    if msg["event"] == "started":
                        self.started_at = time.monotonic()
                        self._started.set()
                    elif msg["event"] == "hello":
                        self.hello = msg
                        self._started.set()
                        self._hello.set()
                    elif self._on_event is not None:
                        try:
                            self._on_event(msg)
                        except Exception:  # noqa: BLE001 - a bad handler must not kill the reader
                            log.exception("device host event handler failed")
                    continue
                with self._lock:
                    waiter = self._pending.get(msg.get("id"))
                if waiter is not None:
                    waiter[1].update(msg)
                    waiter[0].set()
        except (OSError, ValueError):
            pass
        finally:
            if self._reader_closes_pipe:
                self.proc.stdout.close()
            self._gone.set()
            self._started.set()
            self._hello.set()
            with self._lock:
                for event, _ in self._pending.values():
                    event.set()
            if self._on_event is not None:
                try:
                    self._on_event({"event": "host_exit"})
                except Exception:  # noqa: BLE001
                    log.exception("device host event handler failed")

    def request(self, op: str, timeout_s: float, **args: Any) -> Any:
        """Send one request; its result, or ``_HostTimeout``/``_HostGone``/a mapped error."""
        if not self.alive:
            raise _HostGone(op)
        rid = next(self._ids)
        event, box = threading.Event(), {}
        with self._lock:
            self._pending[rid] = (event, box)
        try:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write((json.dumps({"id": rid, "op": op, "args": args}) + "\n").encode())
                self.proc.stdin.flush()
            except (OSError, ValueError) as exc:
                raise _HostGone(op) from exc
            if not event.wait(timeout_s):
                raise _HostTimeout(op)
        finally:
            with self._lock:
                self._pending.pop(rid, None)
        if not box:
            raise _HostGone(op)
        if not box.get("ok"):
            raise map_host_error(box.get("error") or {})
        return box.get("result")

    def stderr_tail(self, limit: int = 2000) -> str:
        try:
            self._stderr.seek(0, os.SEEK_END)
            size = self._stderr.tell()
            self._stderr.seek(max(0, size - limit))
            return self._stderr.read().decode(errors="replace")
        except (OSError, ValueError):
            return ""

    def kill(self, *, deadline: float | None = None, waits: CloseWaits | None = None) -> None:
        """SIGKILL the host's process group and wait for it to end, at most until ``deadline``
        (``time_left``); never calls into PortAudio. ``waits``: the close's log (``kill``)."""
        with _timed(waits, "kill"):
            if self.proc.poll() is None:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            bound = max(time_left(deadline), _KILL_GRACE_S)
            try:
                self.proc.wait(timeout=bound)
            except subprocess.TimeoutExpired:  # D-state: nothing more we can do
                log.error("device host %s survived SIGKILL for %g s", self.proc.pid, bound)

    def shutdown(self, timeout_s: float, *, deadline: float | None = None, waits: CloseWaits | None = None) -> None:
        """Ask the host to exit (it ``os._exit``s without touching PortAudio); killed if it has not
        exited within ``timeout_s`` or by ``deadline``, whichever comes first. ``waits``: the
        close's log (``host_exit``, ``kill``, ``reader_join``)."""
        if self.alive:
            with _timed(waits, "host_exit"):
                try:
                    self.request("exit", time_left(deadline, timeout_s))
                except (_HostTimeout, _HostGone, AudioSystemError):
                    pass
                try:
                    self.proc.wait(timeout=time_left(deadline, timeout_s))
                except subprocess.TimeoutExpired:
                    pass
        self.kill(deadline=deadline, waits=waits)
        self.release(deadline=deadline, waits=waits)

    def release(self, *, deadline: float | None = None, waits: CloseWaits | None = None) -> None:
        """Close our ends of the pipes and join the reader (the process is already dead), at most
        until ``deadline``.

        The reader's pipe is closed once the reader has ended, never under it: closing a
        buffered file another thread is reading waits for that read, and a pipe whose write end
        outlives the host (a process it started in a session of its own) never ends the read, so
        closing it first held the close for good. A reader still waiting at the deadline is left,
        a daemon thread, to end with that pipe and close it. ``waits``: the close's log
        (``reader_join``)."""
        if self.proc.stdin is not None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        with _timed(waits, "reader_join"):
            self._reader.join(timeout=time_left(deadline))
        if self._reader.is_alive():
            self._reader_closes_pipe = True
            log.warning("device host %s: its reply pipe is still open (held by another process); "
                        "its reader is left to end with it", self.proc.pid)
        if not self._reader.is_alive() and self.proc.stdout is not None:  # ended, if only just now
            try:
                self.proc.stdout.close()
            except OSError:
                pass
        if self.tick_r >= 0:
            try:
                os.close(self.tick_r)
            except OSError:
                pass
        self.tick_r = -1
        self._stderr.close()


# ----------------------------------------------------------------------------- the stream
@dataclass
class StreamEvents:
    """Timestamps (on the backend's clock) of what the stream noticed; read by drills and reports."""

    started_at: float | None = None
    first_block_at: float | None = None
    stalled_at: float | None = None
    lost_at: float | None = None
    closed_at: float | None = None


class PortAudioStream(DeviceStream):
    """A duplex stream whose PortAudio half lives in a ``DeviceHost``.

    The user callback runs on this process's delivery thread, once per block the host delivers.
    ``indata``/``outdata`` are views into shared memory, valid only during the call; the
    ``StatusFlags`` object is reused between calls (no allocation per block).
    """

    def __init__(self, backend: PortAudioBackend, spec: StreamSpec, callback: AudioCallback,
                 on_error: ErrorSink) -> None:
        self.spec = spec
        self.stats = StreamStats()
        self._callbacks_at_start = 0
        #: the device host's callback count when the system last took a block (the header is
        #: zeroed at each start): ``device_callbacks_since_block``
        self._device_calls_at_block = 0
        #: the delivery thread's schedstat, open while it runs (-1: not open), and its CPU wait and
        #: time on a CPU when the system last took a block (None: not read):
        #: ``delivery_cpu_wait_since_block``, ``delivery_cpu_run_since_block``
        self._sched_fd = -1
        self._wait_at_block: float | None = None
        self._run_at_block: float | None = None
        self._delivery_tid: int | None = None
        #: when (the stream's clock) the delivery thread last went to wait for a tick: where a
        #: wait for a CPU it is in now began at the earliest (``delivery_waiting_s``)
        self._idle_at: float | None = None
        self.events = StreamEvents()
        #: the waits of the stream's latest stop and close (``close_waits``), begun anew at each start
        self._waits = CloseWaits()
        self._backend = backend
        self._clock = backend.clock
        self._callback = callback
        self._on_error = on_error
        self._state = "opening"
        self._started_once = False
        self._state_lock = threading.RLock()
        self._broken: str | None = None  # why the stream is known dead ("lost", "stalled", ...)
        self._stall_open = False
        self._reported_lost = False
        self._thread: threading.Thread | None = None
        self._halt = threading.Event()
        self._wake_r, self._wake_w = os.pipe()
        self._status = StatusFlags()
        self._last_drop = 0
        self._last_starve = 0
        self._last_xrun_report: float | None = None
        self._xruns_since_report = 0
        self._callback_errors = 0
        self.layout = RingLayout(backend.ring_blocks, spec.block_size, spec.input_channels, spec.output_channels)
        self._shm = _RingMemory(
            name=f"soundcheck-{os.getpid()}-{secrets.token_hex(4)}", create=True, size=self.layout.nbytes)
        self._views = self.layout.views(self._shm.buf)
        self._scratch = np.zeros((spec.block_size, max(spec.output_channels, 1)), dtype=np.float32)
        self.host: DeviceHost | None = None
        #: the open's start (``time.monotonic``) and the opening thread's runnable wait then:
        #: what ``open_cpu_wait_s`` is measured from
        self._open_t0 = time.monotonic()
        self._open_caller = threading.get_native_id()
        self._open_caller_wait0 = thread_cpu_wait(self._open_caller)
        try:
            self.host = backend._spawn_host(on_event=self._on_host_event)
            self.open_info = self.host.request(
                "open", backend.control_timeout_s,
                input_device=spec.input_device, output_device=spec.output_device,
                input_channels=spec.input_channels, output_channels=spec.output_channels,
                sample_rate=spec.sample_rate, block_size=spec.block_size, latency_s=spec.latency_s,
                host_api=backend.host_api, shm_name=self._shm.name, ring_blocks=backend.ring_blocks,
                expect_host_api=backend.expected_host_api)
        except _HostTimeout as exc:
            measured = self._failed_open_measure({})
            self._teardown(kill=True, deadline=self._close_deadline())
            raise DeviceTimeoutError(f"opening {spec.output_device!r} did not finish within "
                                     f"{backend.control_timeout_s:.1f} s", component="device",
                                     details=measured) from exc
        except _HostGone as exc:
            measured = self._failed_open_measure({})
            tail = self.host.stderr_tail() if self.host else ""
            self._teardown(kill=True, deadline=self._close_deadline())
            raise DeviceLostError(f"device host died while opening {spec.output_device!r}",
                                  component="device", details={"stderr": tail, **measured}) from exc
        except AudioSystemError as exc:
            # the device's refusal, or a host that did not start (its own waits on the error)
            measured = self._failed_open_measure(exc.details)
            self._teardown(kill=True, deadline=self._close_deadline())
            exc.details.update(measured)
            raise
        except BaseException:
            self._teardown(kill=True, deadline=self._close_deadline())
            raise
        self._state = "open"
        backend._streams.add(self)
        self._measure_open_wait()

    def _measure_open_wait(self) -> None:
        """``open_cpu_wait_s`` from the open's start to now: the runnable wait of the thread that
        opens (it spawns the host and waits for its replies), of the thread that reads those
        replies, and of the host's main thread (its interpreter, PortAudio, the open), which take
        their turns along the open; at most the wall time it took. Measured with four busy loops
        beside the rig (load 15, this process at nice 19, ``bench/bench_starved_open.py``): opens
        of 5.5-8 s in which the opening thread waited 4.2-5.9 s for a CPU and the host 0.7-2.1 s."""
        waits = self._host_waits()
        if waits is None:
            return
        waited = self._open_wait(*waits)
        if waited is not None:
            self.open_cpu_wait_s = waited

    def _host_waits(self) -> tuple[float, float] | None:
        """(the reply reader's, the host's main thread's) runnable waits so far, or None where
        either cannot be read. A backend that spawns a host of its own (``_spawn_host`` overridden:
        a stand-in in this process) may not measure it: then the open's wait is not measured."""
        reader_wait = getattr(self.host, "reader_cpu_wait", None)
        host_stat = getattr(self.host, "schedstat", None)
        if reader_wait is None or host_stat is None:
            return None
        reader, host = reader_wait(), host_stat()
        if reader is None or host is None:
            return None
        return reader, host[1]

    def _open_wait(self, reader: float, host: float) -> float | None:
        """The open's wait for a CPU so far: the opening thread's since the open began, plus the
        reply reader's and the host's (``reader``, ``host``), at most the open's wall time; None
        where the opening thread's wait cannot be read."""
        if self._open_caller_wait0 is None:
            return None
        caller = thread_cpu_wait(self._open_caller)
        if caller is None:
            return None
        return min(caller - self._open_caller_wait0 + reader + host, time.monotonic() - self._open_t0)

    def _failed_open_measure(self, details: dict[str, Any]) -> dict[str, float]:
        """``{"open_s": ..., "open_wait_s": ...}`` for the error of an open that failed: its wall
        time and its wait for a CPU, measured as ``open_cpu_wait_s`` is, or ``{}`` where that wait
        cannot be measured. A failed open on a starved machine spends its time as a successful one
        does (measured on the JACK rig at load 33-37: 16 s, most of it runnable and waiting), and
        a recovery's judge can excuse the machine's share only if the failure says what it was.

        Read before the teardown kills the host (its schedstat and the reply reader go with it);
        a host that did not start read its own waits before its kill and put them in ``details``
        (``DeviceHost.cpu_waits``)."""
        if self.host is not None:
            waits = self._host_waits()
        else:
            reader, host = details.get("reader_cpu_wait_s"), details.get("host_cpu_wait_s")
            waits = None if reader is None or host is None else (float(reader), float(host))
        if waits is None:
            return {}
        waited = self._open_wait(*waits)
        if waited is None:
            return {}
        return {"open_s": round(time.monotonic() - self._open_t0, 6), "open_wait_s": round(waited, 6)}

    # ------------------------------------------------------------------ properties
    @property
    def active(self) -> bool:
        return self._state == "active" and self._broken is None

    @property
    def closed(self) -> bool:
        return self._state == "closed"

    @property
    def broken(self) -> str | None:
        """Why the stream is known dead (``lost``/``stalled``/``timeout``), else None."""
        return self._broken

    @property
    def host_pid(self) -> int | None:
        return self.host.pid if self.host is not None and self.host.alive else None

    @property
    def shm_name(self) -> str:
        return self._shm.name

    @property
    def watchdog_s(self) -> float:
        b = self._backend
        return max(b.watchdog_periods * self.spec.block_seconds, b.watchdog_min_s)

    @property
    def min_stall_s(self) -> float:  # type: ignore[override]
        """The system's watchdog waits as long as ours: blocks reach the parent through a device
        host and a delivery thread, and on a loaded machine gaps of several periods are normal
        (measured on the rig's ALSA route at load 10: 22-24 ms gaps, over the 4-period system
        watchdog's 21 ms, each one a false stall and a needless recovery).

        Until the first block after a start, at least ``FIRST_BLOCK_GRACE_S``: the first cycle of
        a freshly started stream waits for the server to schedule a new client. Measured on the
        rig's ``system`` route at load average 10: a stream started by a recovery had no block
        270 ms after its start, the watchdog called it a stall, and one external server kill
        became two recovery episodes."""
        if self.stats.callbacks == self._callbacks_at_start:
            return max(self.watchdog_s, FIRST_BLOCK_GRACE_S)
        return self.watchdog_s

    # ------------------------------------------------------------------ control
    def start(self) -> None:
        with self._state_lock:
            if self._state == "closed":
                raise LifecycleError("start() on a closed stream", component="device")
            if self._state == "active":
                return
            if self._broken is not None or self.host is None or not self.host.alive:
                raise DeviceLostError(f"stream is {self._broken or 'lost'}; close it and open a new one",
                                      component="device")
            hdr = self._views["header"]
            hdr[:] = 0  # the host's stream is stopped: we own every index now
            prefill = min(self._backend.prefill_blocks, self.layout.blocks)
            self._views["out_data"][:prefill] = 0.0
            hdr[OUT_W] = prefill
            self._last_drop = self._last_starve = 0
            self._device_calls_at_block = 0
            self._waits = CloseWaits()
            self._halt.clear()
            self._stall_open = False
            self.events.started_at = self._clock.now()
            self.stats.last_callback_at = self.events.started_at  # the watchdog counts from here
            self.stats.input_starved_since = None
            self._callbacks_at_start = self.stats.callbacks  # ``min_stall_s``: no block since the start yet
            self._thread = threading.Thread(target=self._deliver, name=f"portaudio-delivery-{self.host.pid}",
                                            daemon=True)
            self._thread.start()
            try:
                self.host.request("start", self._backend.control_timeout_s)
            except _HostTimeout:
                self._fail_control("start")
                raise DeviceTimeoutError("start() did not return in time; device host killed",
                                         component="device") from None
            except (_HostGone, AudioSystemError):
                self._halt_thread()
                raise
            self._state = "active"
            if not self._started_once:  # the open's measure runs to its first start (a recovery's attempt)
                self._started_once = True
                if threading.get_native_id() == self._open_caller:
                    self._measure_open_wait()

    @property
    def teardown_timeout_s(self) -> float:
        """Bound on each polite teardown request (stop, close, exit); past it the host is killed.

        Measured on the JACK rig: stop ~4 ms, close ~21 ms, exit ~8 ms. A stalled server makes
        stop() never answer; waiting ``control_timeout_s`` (2 s) for it held the system's
        operation lock that long, so teardown uses this short bound instead.
        """
        return max(self._backend.stop_timeout_s, 8 * self.spec.block_seconds)

    def _quiet(self) -> bool:
        """No block for more than 3 periods (and 15 ms): the device is not answering anyway.

        Below the system's own stall watchdog (4 periods), so a stream torn down *because* it
        stalled is killed at once instead of waiting out a polite stop (measured: a server killed
        right after a SIGSTOP made that polite stop cost the whole 0.3 s bound)."""
        v = self._views
        if v and int(v["header"][IN_W]) > int(v["header"][IN_R]):
            # Blocks the host wrote wait for the delivery thread: the device answers, the thread
            # that reads it lags (a loaded machine), and a polite stop is what it deserves.
            return False
        last = self.stats.last_callback_at
        return last is not None and self._clock.now() - last > max(3 * self.spec.block_seconds, 0.015)

    def _close_deadline(self) -> float:
        """When a close (or stop) starting now must be done (``time.monotonic``): every wait of it
        shares this one bound (``CLOSE_DEADLINE_S``, the backend's ``close_deadline_s``)."""
        return time.monotonic() + self._backend.close_deadline_s

    def stop(self) -> None:
        """Stop the stream; each request bounded by ``teardown_timeout_s`` and the whole stop by
        the close's deadline (past either the host is killed).

        A stream known broken, or silent for a few periods, is not asked at all: its host is
        killed at once (a stalled or dead server is exactly when PortAudio's stop never returns).
        """
        self._stop(self._close_deadline())

    def _stop(self, deadline: float) -> None:
        with self._state_lock:
            if self._state != "active":
                return
            self._state = "stopped"
            self._waits.begin()
            if self._broken is not None or self._stall_open or self._quiet():
                self._broken = self._broken or "stalled"
                self._halt_thread(deadline)
                self._kill_host(deadline)
                return
            bound = time_left(deadline, self.teardown_timeout_s)
            try:
                if self.host is not None:
                    with self._waits.wait("stop_request"):
                        self.host.request("stop", bound)
            except _HostTimeout:
                self._fail_control("stop", bound, deadline)
            except (_HostGone, AudioSystemError) as exc:
                log.debug("stop: %s", exc)
            self._halt_thread(deadline)

    def close(self) -> None:
        """Close within one deadline (``CLOSE_DEADLINE_S``) even when the device is gone: each
        polite request bounded by ``teardown_timeout_s`` too, the host killed when it has not
        exited in time, and what still runs at the deadline (a callback that hangs, a reader
        whose pipe outlives the host) left to end by itself.

        A stream known to be broken (lost/stalled) is not asked politely at all: its host is
        SIGKILLed at once, because that is exactly when PortAudio's close may never return.
        """
        with self._state_lock:
            if self._state == "closed":
                return
            deadline = self._close_deadline()
            self._waits.begin()
            self._stop(deadline)
            kill = self._broken is not None or self._stall_open
            if not kill and self.host is not None and self.host.alive:
                bound = time_left(deadline, self.teardown_timeout_s)
                try:
                    with self._waits.wait("close_request"):
                        self.host.request("close", bound)
                except _HostTimeout:
                    self._fail_control("close", bound, deadline)
                except (_HostGone, AudioSystemError) as exc:
                    log.debug("close: %s", exc)
            self._teardown(kill=kill, deadline=deadline)
            self._state = "closed"
            self._waits.end()
            self.events.closed_at = self._clock.now()
            self._backend._streams.discard(self)

    def _fail_control(self, op: str, timeout_s: float | None = None, deadline: float | None = None) -> None:
        self._broken = self._broken or "timeout"
        self._halt_thread(deadline)
        self._kill_host(deadline)
        timeout_s = self._backend.control_timeout_s if timeout_s is None else timeout_s
        self._report(DeviceTimeoutError(
            f"{op}() did not return within {timeout_s:.2f} s; device host killed",
            component="device", details={"op": op}))

    def _kill_host(self, deadline: float | None = None) -> None:
        if self.host is not None:
            self.host.kill(deadline=deadline, waits=self._closing())

    def _closing(self) -> CloseWaits | None:
        """The log of the stop or close under way (None: none is: a failed start's own waits)."""
        return self._waits if self._waits.began is not None else None

    @property
    def close_waits(self) -> dict[str, Any] | None:
        """How long each wait of the stream's latest stop and close took (``CloseWaits.record``;
        None: not stopped or closed since its last start): the system's ``stream_closed`` carries it."""
        return self._waits.record()

    def _halt_thread(self, deadline: float | None = None) -> None:
        self._halt.set()
        try:
            os.write(self._wake_w, b"x")
        except OSError:
            pass
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            with _timed(self._closing(), "delivery_join"):
                thread.join(timeout=time_left(deadline))
            if thread.is_alive():  # only if the user callback hangs
                log.error("delivery thread did not stop (user callback stuck?)")
        self._thread = None

    def _teardown(self, *, kill: bool, deadline: float | None = None) -> None:
        self._halt_thread(deadline)
        if self.host is not None:
            if kill:
                self.host.kill(deadline=deadline, waits=self._closing())
                self.host.release(deadline=deadline, waits=self._closing())
            else:
                self.host.shutdown(self.teardown_timeout_s, deadline=deadline, waits=self._closing())
        for fd in (self._wake_r, self._wake_w):
            try:
                os.close(fd)
            except OSError:
                pass
        self._wake_r = self._wake_w = -1
        self._views = {}
        self._scratch = np.zeros((0, 1), dtype=np.float32)
        try:
            self._shm.close()
        except BufferError:  # pragma: no cover - a caller kept a view; unlink anyway
            log.warning("shared memory %s still has exported views", self._shm.name)
        try:
            self._shm.unlink()
        except FileNotFoundError:
            pass

    # ------------------------------------------------------------------ detection
    def _report(self, error: AudioSystemError) -> None:
        try:
            self._on_error(error)
        except Exception:  # noqa: BLE001 - an error sink that raises must not break detection
            log.exception("on_error sink raised")

    def _on_host_event(self, msg: dict[str, Any]) -> None:
        event = msg.get("event")
        if event == "inactive":
            self._lost("the stream stopped by itself (device or audio server gone)", reason="inactive")
        elif event == "host_exit" and self._state in ("active", "open") and not self._halt.is_set():
            self._lost("the device host process died", reason="host_exit")

    def _lost(self, message: str, *, reason: str) -> None:
        # No lock: this runs on the host reader thread, which close() joins while holding it.
        if self._reported_lost or self._state == "closed":
            return
        self._reported_lost = True
        self._broken = "lost"
        self.events.lost_at = self._clock.now()
        self._report(DeviceLostError(message, component="device",
                                     details={"reason": reason, "device": self.spec.output_device,
                                              "backend": self._backend.name}))

    def _watchdog(self, silent_s: float) -> None:
        if self._stall_open:
            return
        self._stall_open = True
        if self.host is None or not self.host.alive:
            self._lost("the device host process died", reason="host_exit")
            return
        if self._broken == "lost":
            return
        self.events.stalled_at = self._clock.now()
        periods = silent_s / self.spec.block_seconds
        self._report(DeviceStalledError(
            f"no audio block for {silent_s * 1000:.0f} ms ({periods:.0f} periods)", component="device",
            details={"silent_s": silent_s, "periods": periods, "device": self.spec.output_device,
                     "backend": self._backend.name}))

    # ------------------------------------------------------------------ the delivery thread
    def _deliver(self) -> None:
        try:
            self._sched_fd = os.open("/proc/thread-self/schedstat", os.O_RDONLY)
        except OSError:  # a kernel without schedstat: the CPU wait is not measured
            self._sched_fd = -1
        self._wait_at_block = self._run_at_block = None
        self._delivery_tid = threading.get_native_id()
        try:
            self._deliver_blocks()
        finally:
            fd, self._sched_fd = self._sched_fd, -1
            if fd >= 0:
                os.close(fd)

    def _deliver_blocks(self) -> None:
        tick_r = self.host.tick_r if self.host is not None else -1
        wake_r = self._wake_r
        clock = self._clock
        fds = [tick_r, wake_r]
        while not self._halt.is_set():
            watch = self.min_stall_s  # longer until the first block after a start
            last = self.stats.last_callback_at
            if last is None:
                last = clock.now()
            self._idle_at = now = clock.now()
            timeout = max(0.0, last + watch - now) if not self._stall_open else watch
            try:
                ready, _, _ = select.select(fds, [], [], timeout)
            except (OSError, ValueError):
                return
            if self._halt.is_set():
                return
            if tick_r in ready:
                try:
                    data = os.read(tick_r, 65536)
                except OSError:
                    data = b""
                if not data:  # EOF: the host (the only writer) is dead
                    fds = [wake_r]
                    self._lost("the device host process died", reason="host_exit")
                    continue
            delivered = self._drain()
            now = clock.now()
            if delivered:
                self._stall_open = False
            elif self.stats.last_callback_at is not None and now - self.stats.last_callback_at >= watch:
                self._watchdog(now - self.stats.last_callback_at)

    def _drain(self) -> int:
        v = self._views
        if not v:
            return 0
        hdr = v["header"]
        n = self.layout.blocks
        w = int(hdr[IN_W])
        r = int(hdr[IN_R])
        if w <= r:
            return 0
        in_flags, in_frames, in_time = v["in_flags"], v["in_frames"], v["in_time"]
        in_data, out_data = v["in_data"], v["out_data"]
        ich, och = self.spec.input_channels, self.spec.output_channels
        status = self._status
        stats = self.stats
        count = 0
        while r < w and not self._halt.is_set():
            slot = r % n
            bits = int(in_flags[slot])
            frames = int(in_frames[slot])
            dropped, starved = int(hdr[IN_DROPPED]), int(hdr[OUT_STARVED])
            status.input_underflow = bool(bits & FLAG_BITS["input_underflow"])
            status.input_overflow = bool(bits & FLAG_BITS["input_overflow"]) or dropped != self._last_drop
            status.output_underflow = bool(bits & FLAG_BITS["output_underflow"]) or starved != self._last_starve
            status.output_overflow = bool(bits & FLAG_BITS["output_overflow"])
            status.priming_output = bool(bits & FLAG_BITS["priming_output"])
            self._last_drop, self._last_starve = dropped, starved
            stats.count_input(status.input_underflow, self._clock.now)
            ow, orr = int(hdr[OUT_W]), int(hdr[OUT_R])
            publish = ow - orr < n
            outdata = out_data[ow % n, :frames, :och] if publish else self._scratch[:frames, :och]
            indata = in_data[slot, :frames, :ich]
            try:
                self._callback(indata, outdata, frames, float(in_time[slot]), status)
            except Exception as exc:  # noqa: BLE001 - the callback must never kill delivery
                outdata.fill(0.0)
                self._callback_errors += 1
                if self._callback_errors == 1 or self._callback_errors % 1000 == 0:
                    # Keep the traceback as text: its frames hold views into shared memory, which
                    # would stop the segment from ever being closed.
                    err = CallbackError(f"audio callback raised {type(exc).__name__}: {exc}",
                                        component="device",
                                        details={"count": self._callback_errors,
                                                 "traceback": "".join(traceback.format_exception(exc))})
                    err.__cause__ = exc.with_traceback(None)
                    self._report(err)
                del exc
            if publish:
                hdr[OUT_W] = ow + 1
            r += 1
            hdr[IN_R] = r
            count += 1
            stats.callbacks += 1
            if status.any():
                stats.flagged_callbacks += 1
                for name in status.set_names():
                    stats.flag_counts[name] = stats.flag_counts.get(name, 0) + 1
                self._xrun_seen(status)
        now = self._clock.now()
        stats.last_callback_at = now
        self._device_calls_at_block = int(hdr[HOST_CALLBACKS])
        if self._sched_fd >= 0:
            times = _schedstat_times(self._sched_fd)
            self._run_at_block, self._wait_at_block = times if times is not None else (None, None)
        if self.events.first_block_at is None and count:
            self.events.first_block_at = now
        return count

    def _xrun_seen(self, status: StatusFlags) -> None:
        """Rate-limited ``XrunError`` report (at most one per second with the count since the last)."""
        self._xruns_since_report += 1
        now = self._clock.now()
        if self._last_xrun_report is not None and now - self._last_xrun_report < 1.0:
            return
        self._last_xrun_report = now
        count, self._xruns_since_report = self._xruns_since_report, 0
        self._report(XrunError(f"{count} flagged block(s): {', '.join(status.set_names())}",
                               component="device", details={"count": count, "flags": status.set_names()}))

    # ------------------------------------------------------------------ diagnostics
    def device_callbacks_since_block(self) -> int | None:
        """How many times PortAudio called the device host back since the last block the system
        took (None: no ring to read). The system's watchdog puts it on a stall it reports: a device
        that kept calling back through the silence was not starved; the system did not take its
        blocks (``AudioSystem._stall_evidence``)."""
        hdr = self._views.get("header") if self._views else None
        if hdr is None:
            return None
        return max(0, int(hdr[HOST_CALLBACKS]) - self._device_calls_at_block)

    def delivery_cpu_wait_since_block(self) -> float | None:
        """Seconds the delivery thread (where the system's callback runs) has been runnable but
        waiting for a CPU since the system last took a block (None: not measured). Read by the
        system's watchdog from its own thread when it reports a stall: the part of a long callback
        that the loaded machine kept off a CPU is the machine's, not the system's lateness."""
        tid, base = self._delivery_tid, self._wait_at_block
        if tid is None or base is None:
            return None
        now = thread_cpu_wait(tid)  # by path: the thread's own descriptor is the thread's to close
        return None if now is None else max(0.0, now - base)

    def delivery_waiting_s(self) -> float | None:
        """Seconds since the delivery thread last went to wait for a tick, when it is runnable now
        (0.0 while it sleeps; None: not measured). Woken by a tick and kept off a CPU since, it has
        run for none of it, and ``delivery_cpu_wait_since_block`` holds none of it yet (the kernel
        counts a wait when it ends): measured on the rig, a delivery thread held off its CPU for
        1 s read a 0.0 s wait. The thread sleeps only until the next tick, so the part of this that
        is a wait for a CPU is at least this less the silence's time without device callbacks
        (``system.held_by_the_machine``)."""
        tid, idle = self._delivery_tid, self._idle_at
        if tid is None or idle is None:
            return None
        runnable = thread_runnable(tid)
        if runnable is None:
            return None
        return max(0.0, self._clock.now() - idle) if runnable else 0.0

    def delivery_cpu_run_since_block(self) -> float | None:
        """Seconds the delivery thread (where the system's callback runs) has run on a CPU since the
        system last took a block (None: not measured). Beside its wait for a CPU, it tells a
        callback that computed through a stall (the system's) from one the loaded machine only
        kept off a CPU (the machine's): ``AudioSystem._stall_evidence``."""
        tid, base = self._delivery_tid, self._run_at_block
        if tid is None or base is None:
            return None
        now = thread_cpu_run(tid)
        return None if now is None else max(0.0, now - base)

    def host_counters(self) -> dict[str, int]:
        """Raw ring counters (host callbacks, dropped input blocks, starved output blocks)."""
        hdr = self._views.get("header") if self._views else None
        if hdr is None:
            return {}
        return {"host_callbacks": int(hdr[HOST_CALLBACKS]), "in_dropped": int(hdr[IN_DROPPED]),
                "out_starved": int(hdr[OUT_STARVED]), "out_consumed": int(hdr[OUT_R])}

    def host_status(self, timeout_s: float = 1.0) -> dict[str, Any] | None:
        """PortAudio's view (active, cpu_load), or None if the host does not answer in time."""
        if self.host is None or not self.host.alive:
            return None
        try:
            return self.host.request("status", timeout_s)
        except (_HostTimeout, _HostGone, AudioSystemError):
            return None


# ----------------------------------------------------------------------------- the backend
class PortAudioBackend(DeviceBackend):
    """Devices PortAudio sees, opened in a killable device-host process.

    ``host_api`` restricts discovery and opening to one PortAudio host API (e.g. ``"ALSA"``);
    ``jack_server`` points libjack users in the host (PortAudio's JACK host API and the ALSA
    ``jack`` PCM) at a named JACK server, as the loopback rig needs. Libjack is never allowed to
    auto-start a server on our behalf (``JACK_NO_START_SERVER``).
    """

    name = "portaudio"
    #: Rates tried per device in ``devices()`` besides its default (each try opens the device).
    PROBE_RATES: tuple[int, ...] = (44100, 48000)

    def __init__(
        self,
        *,
        host_api: str | None = None,
        jack_server: str | None = None,
        clock: Clock | None = None,
        control_timeout_s: float = 2.0,
        stop_timeout_s: float = 0.3,
        spawn_timeout_s: float = 10.0,
        init_timeout_s: float = INIT_TIMEOUT_S,
        close_deadline_s: float = CLOSE_DEADLINE_S,
        watchdog_periods: int = 16,
        watchdog_min_s: float = 0.25,
        ring_blocks: int = 8,
        prefill_blocks: int = 2,
        python: str | None = None,
    ) -> None:
        if prefill_blocks >= ring_blocks:
            raise ValueError("prefill_blocks must be smaller than ring_blocks")
        self.host_api = host_api
        self.jack_server = jack_server
        self.clock = clock or SystemClock()
        self.control_timeout_s = control_timeout_s
        self.stop_timeout_s = stop_timeout_s
        self.spawn_timeout_s = spawn_timeout_s
        #: the device host's PortAudio initialisation (``INIT_TIMEOUT_S``); ``control_timeout_s``
        #: bounds requests to a host that is up (open, start, status)
        self.init_timeout_s = init_timeout_s
        #: the whole of a stream's close or stop (``CLOSE_DEADLINE_S``)
        self.close_deadline_s = close_deadline_s
        self.watchdog_periods = watchdog_periods
        self.watchdog_min_s = watchdog_min_s
        self.ring_blocks = ring_blocks
        self.prefill_blocks = prefill_blocks
        self.python = python or sys.executable
        self._streams: set[PortAudioStream] = set()
        spawn.start()  # idempotent: the module started it, unless a fork left this process without it

    def thread_cpu_wait(self, tid: int) -> float | None:
        """Thread ``tid``'s runnable wait for a CPU (``thread_cpu_wait``): a real device's time is the machine's."""
        return thread_cpu_wait(tid)

    @staticmethod
    def available() -> tuple[bool, str]:
        """Cheap check without loading PortAudio: (usable, reason if not)."""
        if importlib.util.find_spec("sounddevice") is None:
            return False, f"python-sounddevice is not installed ({INSTALL_HINT})"
        if ctypes.util.find_library("portaudio") is None:
            return False, f"the PortAudio library is not installed ({INSTALL_HINT})"
        return True, ""

    @property
    def expected_host_api(self) -> str | None:
        """The host API a device host must look for again when PortAudio started without it:
        ``host_api`` if given, else the JACK host API when a JACK server was named.

        PortAudio opens its JACK client once, in Pa_Initialize; on a loaded machine that open can
        fail while the server is up, and the JACK host API is then missing from that PortAudio
        (``_devhost._Host._host_apis_with``). Unrestricted, a discovery that met it listed the
        ALSA devices only and the JACK host API's ``system`` was "no device named 'system'"
        (measured: ``test_external_kills.py``'s route ``system``, once in 8 runs at load average
        13 on 2 cores). With a server named, the JACK host API is expected there all the same.
        """
        if self.host_api is not None:
            return self.host_api
        return JACK_HOST_API if self.jack_server else None

    def _check_available(self) -> None:
        ok, reason = self.available()
        if not ok:
            raise BackendUnavailableError(reason, component="device", details={"backend": self.name})

    def host_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["JACK_NO_START_SERVER"] = "1"
        if self.jack_server:
            env["JACK_DEFAULT_SERVER"] = self.jack_server
        return env

    def _spawn_host(self, on_event: Callable[[dict[str, Any]], None] | None = None) -> DeviceHost:
        self._check_available()
        return DeviceHost(self.host_env(), python=self.python, spawn_timeout_s=self.spawn_timeout_s,
                          init_timeout_s=self.init_timeout_s, on_event=on_event)

    def devices(self) -> list[DeviceInfo]:
        """Re-scanned every call, in a fresh device host (a fresh PortAudio: never a stale list)."""
        host = self._spawn_host()
        try:
            raw = host.request("devices", self.spawn_timeout_s, host_api=self.host_api,
                               probe_rates=list(self.PROBE_RATES), expect_host_api=self.expected_host_api)
        except _HostTimeout as exc:
            raise DeviceTimeoutError("device discovery did not finish in time", component="device") from exc
        except _HostGone as exc:
            raise DeviceLostError("device host died during discovery", component="device",
                                  details={"stderr": host.stderr_tail()}) from exc
        finally:
            host.shutdown(self.control_timeout_s)
        return [DeviceInfo(
            name=d["name"], backend=self.name, max_input_channels=d["max_input_channels"],
            max_output_channels=d["max_output_channels"], sample_rates=tuple(d["sample_rates"]),
            default_sample_rate=d["default_sample_rate"], default_latency_s=d["default_latency_s"],
        ) for d in raw]

    def open_stream(self, spec: StreamSpec, callback: AudioCallback, on_error: ErrorSink) -> PortAudioStream:
        """Open (not start) a duplex stream in a new device host."""
        if spec.input_channels < 1 or spec.output_channels < 1:
            raise DeviceFormatError("the PortAudio backend opens duplex streams only (>= 1 channel each way)",
                                    component="device")
        return PortAudioStream(self, spec, callback, on_error)

    def close(self) -> None:
        """Close every stream this backend opened (each bounded). Idempotent."""
        for stream in list(self._streams):
            try:
                stream.close()
            except AudioSystemError as exc:  # pragma: no cover - close reports, does not raise
                log.debug("close: %s", exc)


__all__ = [
    "DeviceHost",
    "INSTALL_HINT",
    "PA_ERROR_CODES",
    "PA_ERROR_MAP",
    "PortAudioBackend",
    "PortAudioStream",
    "StreamEvents",
    "map_host_error",
    "map_portaudio_error",
    "process_schedstat",
    "signal_name",
    "thread_cpu_run",
    "thread_cpu_wait",
    "thread_runnable",
    "translate_exception",
]
