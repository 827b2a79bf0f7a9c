"""Parent-side handle on the rig's JACK agent (``_jackagent.py``): spawn, request with timeout, kill.

The loopback rig needs a JACK client of its own (readiness, port wiring, xrun counts, DSP load).
That client lives in a child process because libjack can take its process down when the server
is killed from outside (FIELD_NOTES; measured here as a SIGSEGV of ``soundcheck run --backend
jack``). This handle never blocks without a bound and never raises anything but ``RigError``: a
dead agent is a fact the rig reports (``exit_reason``), not a crash of the harness.
"""

from __future__ import annotations

import ctypes
import itertools
import json
import logging
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import IO, Any

from system_under_test.signal_names import signal_name

from . import _jackagent
from .awake import AsleepBound, tree_state
from ..errors import RigError
from .spawn import popen

log = logging.getLogger(__name__)


#: How often a request not yet answered reads whether the rig's processes sleep (a /proc scan).
REQUEST_POLL_S = 0.05
#: The wall-clock guard of a request whose processes never all sleep: a busy hang, not a loaded
#: machine (which answers the rig's calls within seconds of CPU time).
REQUEST_HANG_S = 300.0


def _pdeathsig() -> None:  # pragma: no cover - runs in the forked child
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the parent
    except Exception:  # noqa: BLE001
        pass


class JackCallHung(RigError):
    """A JACK call not answered while the rig's processes slept through its bound: something
    waits on a lock or a server that will not answer (the rig asks which)."""


class JackAgent:
    """One agent process holding one JACK client on ``server``.

    No thread of ours reads its pipe: whoever asks (``wait_ready``, ``request``, ``alive``) reads
    what the agent wrote so far, under one lock. (A reader thread per agent was a thread a run's
    resource check found alive after the system closed, whenever the rig had been restarted.)
    ``on_exit`` is called once, by whoever notices, when the agent's pipe closes unasked.
    """

    _ids = itertools.count(1)
    #: (whether a pid lives, whether its tree is runnable): what a request's bound reads
    tree_state = staticmethod(tree_state)

    def __init__(self, server: str, client_name: str, *, env: dict[str, str], monitor: bool = True,
                 open_timeout_s: float = 10.0, on_exit: Callable[[str], None] | None = None,
                 python: str | None = None, capture: str | None = None, tone_hz: float = 997.0,
                 program: str | None = None) -> None:
        self.server = server
        self.monitor = monitor
        self._on_exit = on_exit
        self._lock = threading.RLock()
        self._buf = b""
        self._replies: dict[int, dict[str, Any]] = {}
        self._gone = False
        self.ready_msg: dict[str, Any] = {}
        self.shutdown_reason: str | None = None
        self.expected_exit = False
        self._stderr: IO[bytes] = tempfile.TemporaryFile(prefix="soundcheck-jackagent-")
        try:
            self.proc = popen(  # from a lasting thread: PDEATHSIG follows the forking thread
                [python or sys.executable, "-P", _jackagent.__file__, server, client_name,
                 str(open_timeout_s), "1" if monitor else "0",
                 *([capture, repr(float(tone_hz))] if capture else []),
                 *([program] if capture and program else [])],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, env=env,
                start_new_session=True, preexec_fn=_pdeathsig,
            )
        except BaseException:
            self._stderr.close()
            raise
        assert self.proc.stdout is not None
        self._fd = self.proc.stdout.fileno()

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def alive(self) -> bool:
        with self._lock:
            self._pump(0.0)
            return not self._gone and self.proc.poll() is None

    # -- reading the pipe -------------------------------------------------------------------------
    def _pump(self, timeout_s: float) -> None:
        """Read and handle what the agent wrote, waiting at most ``timeout_s`` for the first byte."""
        if self._gone:
            return
        try:
            ready, _, _ = select.select([self._fd], [], [], max(0.0, timeout_s))
        except (OSError, ValueError):
            ready = [self._fd]
        while ready:
            try:
                chunk = os.read(self._fd, 65536)
            except BlockingIOError:
                break
            except OSError:
                chunk = b""
            if not chunk:
                self._closed()
                return
            self._buf += chunk
            *lines, self._buf = self._buf.split(b"\n")
            for raw in lines:
                self._handle(raw)
            try:
                ready, _, _ = select.select([self._fd], [], [], 0.0)
            except (OSError, ValueError):
                break

    def _handle(self, raw: bytes) -> None:
        try:
            msg = json.loads(raw)
        except ValueError:
            return
        event = msg.get("event")
        if event in ("ready", "failed"):
            self.ready_msg = msg
        elif event == "shutdown":
            self.shutdown_reason = str(msg.get("reason"))
        elif event is None and isinstance(msg.get("id"), int):
            self._replies[msg["id"]] = msg

    def _closed(self) -> None:
        self._gone = True
        if self._on_exit is not None and not self.expected_exit:
            try:
                self._on_exit(self.exit_reason or "pipe closed")
            except Exception:  # noqa: BLE001 - a bad handler must not break the caller
                log.exception("JACK agent exit handler failed")

    # -- the protocol -----------------------------------------------------------------------------
    def wait_ready(self, timeout_s: float, *, give_up: Callable[[], bool] = lambda: False) -> bool:
        """Wait (bounded) for the agent's client to open; False if it failed, died or ``give_up()``."""
        deadline = time.monotonic() + timeout_s
        with self._lock:
            while not self.ready_msg:
                self._pump(0.02)
                if self._gone or give_up() or time.monotonic() >= deadline:
                    break
            return self.ready_msg.get("event") == "ready"

    @property
    def failure(self) -> str:
        """Why the agent could not open its client (its ``failed`` event or its exit)."""
        if self.ready_msg.get("event") == "failed":
            return str(self.ready_msg.get("error"))
        return self.exit_reason or "no answer"

    @property
    def exit_reason(self) -> str | None:
        """How the agent ended (None while it runs): server shutdown, a signal, or an exit status."""
        try:
            code = self.proc.wait(timeout=1.0) if self._gone else self.proc.poll()
        except subprocess.TimeoutExpired:
            code = None
        if code is None:
            return None
        if self.shutdown_reason is not None:
            return f"server shut down ({self.shutdown_reason})"
        if code < 0:
            return f"killed by {signal_name(-code)}"
        return f"exited with status {code}"

    def request(self, op: str, timeout_s: float, **args: Any) -> Any:
        """One request, answered before this process's tree (the agent, the rig's jackd, the
        system's device hosts) has spent ``timeout_s`` asleep waiting for it, or ``RigError``: an
        agent asleep in libjack on a lock nothing releases is hung, one that (or whose server)
        waits for a CPU on a loaded machine is not. ``REQUEST_HANG_S`` of wall time is the guard
        against a busy hang, which keeps the tree runnable for ever."""
        with self._lock:
            if not self.alive:
                raise RigError(f"the rig's JACK agent is gone ({self.exit_reason or 'exiting'})")
            rid = next(self._ids)
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write((json.dumps({"id": rid, "op": op, "args": args}) + "\n").encode())
                self.proc.stdin.flush()
            except (OSError, ValueError) as exc:
                raise RigError(f"the rig's JACK agent is gone ({exc})") from None
            spent = AsleepBound(timeout_s, hang_s=REQUEST_HANG_S, poll_s=REQUEST_POLL_S, state=self.tree_state)
            while rid not in self._replies:
                if self._gone:
                    raise RigError(f"the rig's JACK agent died during {op!r} "
                                   f"({self.exit_reason or 'pipe closed'})")
                if spent():
                    if spent.busy_hang:
                        raise RigError(f"JACK call {op!r} did not return within {REQUEST_HANG_S:.0f} s "
                                       f"of wall time, its processes never all asleep (a busy hang)")
                    raise JackCallHung(f"JACK call {op!r} did not return: the rig's processes slept "
                                       f"{spent.asleep.asleep_s:.1f} s waiting for it")
                self._pump(min(timeout_s, REQUEST_POLL_S))
            reply = self._replies.pop(rid)
            self._replies.clear()  # late answers to requests that timed out: nobody waits for them
        if not reply.get("ok"):
            raise RigError(f"JACK call {op!r} failed: {reply.get('error')}")
        return reply.get("result")

    def close(self, timeout_s: float = 2.0) -> None:
        """Ask the agent to close its client and exit (bounded); SIGKILL it if it does not."""
        self.expected_exit = True
        if self.alive:
            try:
                self.request("exit", timeout_s)
            except RigError:
                pass
        self.kill()

    def kill(self) -> None:
        """SIGKILL the agent (its process group) and reap it. Idempotent; never blocks long."""
        self.expected_exit = True
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not fail
            log.warning("JACK agent %s did not die after SIGKILL", self.proc.pid)
        with self._lock:
            self._gone = True
            for pipe in (self.proc.stdin, self.proc.stdout):
                try:
                    if pipe is not None:
                        pipe.close()
                except OSError:
                    pass
        self._stderr.close()

    def stacks(self, wait_s: float = 0.5, limit: int = 6000) -> str:
        """Every thread's Python stack in the agent, or "" when it could not be had: ``SIGUSR1``
        makes ``faulthandler`` write them to the agent's stderr (from its signal handler, without
        the GIL, so a thread stuck holding it is shown too). Asked when the agent outlived its
        server without libjack telling it, so the record says where its threads were."""
        try:
            self._stderr.seek(0, os.SEEK_END)
            before = self._stderr.tell()
            os.kill(self.proc.pid, signal.SIGUSR1)
        except (OSError, ValueError):
            return ""
        time.sleep(wait_s)  # the handler writes at once; a starved machine may take a moment
        try:
            self._stderr.seek(before)
            return self._stderr.read().decode(errors="replace")[:limit]
        except (OSError, ValueError):
            return ""

    def stderr_tail(self, limit: int = 2000) -> str:
        try:
            self._stderr.seek(0)
            return self._stderr.read().decode(errors="replace")[-limit:]
        except (OSError, ValueError):
            return ""


__all__ = ["JackAgent", "JackCallHung"]
