"""Parent-side handle on the rig's JACK agent (``_jackagent.py``): spawn, request with timeout, kill.

The loopback rig needs a JACK client of its own (readiness, port wiring, xrun counts, DSP load).
That client lives in a child process because libjack can take its process down when the server
is killed from outside (FIELD_NOTES; measured here as a SIGSEGV of ``soundcheck run --backend
jack``). This handle never blocks without a bound and never raises anything but ``RigError``: a
dead agent is a fact the rig reports (``exit_reason``), not a crash of the harness.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import IO, Any

from . import _jackagent
from .errors import RigError
from .spawn import popen

log = logging.getLogger(__name__)


def _pdeathsig() -> None:  # pragma: no cover - runs in the forked child
    import ctypes

    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the parent
    except Exception:  # noqa: BLE001
        pass


class JackAgent:
    """One agent process holding one JACK client on ``server``.

    ``on_xrun`` is called (from the reader thread) for every xrun JACK reports to the client;
    ``on_exit`` once when the agent's pipe closes, with why (``exit_reason``).
    """

    _ids = itertools.count(1)

    def __init__(self, server: str, client_name: str, *, env: dict[str, str], monitor: bool = True,
                 open_timeout_s: float = 10.0, on_xrun: Callable[[], None] | None = None,
                 on_exit: Callable[[str], None] | None = None, python: str | None = None) -> None:
        self.server = server
        self.monitor = monitor
        self._on_xrun = on_xrun
        self._on_exit = on_exit
        self._pending: dict[int, tuple[threading.Event, dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._gone = threading.Event()
        self.ready_msg: dict[str, Any] = {}
        self.shutdown_reason: str | None = None
        self.expected_exit = False
        self._stderr: IO[bytes] = tempfile.TemporaryFile(prefix="soundcheck-jackagent-")
        try:
            self.proc = popen(  # from a lasting thread: PDEATHSIG follows the forking thread
                [python or sys.executable, "-P", _jackagent.__file__, server, client_name,
                 str(open_timeout_s), "1" if monitor else "0"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, env=env,
                start_new_session=True, preexec_fn=_pdeathsig,
            )
        except BaseException:
            self._stderr.close()
            raise
        self._reader = threading.Thread(target=self._read, name=f"jackagent-{self.proc.pid}", daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def alive(self) -> bool:
        return not self._gone.is_set() and self.proc.poll() is None

    def wait_ready(self, timeout_s: float, *, give_up: Callable[[], bool] = lambda: False) -> bool:
        """Wait (bounded) for the agent's client to open; False if it failed, died or ``give_up()``."""
        deadline = time.monotonic() + timeout_s
        while not self._ready.wait(0.02):
            if self._gone.is_set() or give_up() or time.monotonic() >= deadline:
                return False
        return bool(self.ready_msg.get("event") == "ready")

    @property
    def failure(self) -> str:
        """Why the agent could not open its client (its ``failed`` event or its exit)."""
        if self.ready_msg.get("event") == "failed":
            return str(self.ready_msg.get("error"))
        return self.exit_reason or "no answer"

    def _read(self) -> None:
        assert self.proc.stdout is not None
        try:
            for raw in self.proc.stdout:
                try:
                    msg = json.loads(raw)
                except ValueError:
                    continue
                event = msg.get("event")
                if event == "xrun":
                    if self._on_xrun is not None:
                        self._on_xrun()
                elif event in ("ready", "failed"):
                    self.ready_msg = msg
                    self._ready.set()
                elif event == "shutdown":
                    self.shutdown_reason = str(msg.get("reason"))
                elif event is None:
                    with self._lock:
                        waiter = self._pending.get(msg.get("id"))
                    if waiter is not None:
                        waiter[1].update(msg)
                        waiter[0].set()
        except (OSError, ValueError):
            pass
        finally:
            self._gone.set()
            self._ready.set()
            with self._lock:
                for event, _ in self._pending.values():
                    event.set()
            if self._on_exit is not None and not self.expected_exit:
                try:
                    self._on_exit(self.exit_reason or "pipe closed")
                except Exception:  # noqa: BLE001 - a bad handler must not kill the reader
                    log.exception("JACK agent exit handler failed")

    @property
    def exit_reason(self) -> str | None:
        """How the agent ended (None while it runs): server shutdown, a signal, or an exit status."""
        try:
            code = self.proc.wait(timeout=1.0) if self._gone.is_set() else self.proc.poll()
        except subprocess.TimeoutExpired:
            code = None
        if code is None:
            return None
        if self.shutdown_reason is not None:
            return f"server shut down ({self.shutdown_reason})"
        if code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exited with status {code}"

    def request(self, op: str, timeout_s: float, **args: Any) -> Any:
        """One request, answered within ``timeout_s`` or ``RigError`` (the agent may be wedged in libjack)."""
        if not self.alive:
            raise RigError(f"the rig's JACK agent is gone ({self.exit_reason or 'exiting'})")
        rid = next(self._ids)
        waiter: tuple[threading.Event, dict[str, Any]] = (threading.Event(), {})
        with self._lock:
            self._pending[rid] = waiter
        try:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write((json.dumps({"id": rid, "op": op, "args": args}) + "\n").encode())
                self.proc.stdin.flush()
            except (OSError, ValueError) as exc:
                raise RigError(f"the rig's JACK agent is gone ({exc})") from None
            if not waiter[0].wait(timeout_s):
                raise RigError(f"JACK call {op!r} did not return within {timeout_s:.1f} s")
        finally:
            with self._lock:
                self._pending.pop(rid, None)
        reply = waiter[1]
        if not reply:
            raise RigError(f"the rig's JACK agent died during {op!r} ({self.exit_reason or 'pipe closed'})")
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
        for pipe in (self.proc.stdin,):
            try:
                if pipe is not None:
                    pipe.close()
            except OSError:
                pass
        self._reader.join(timeout=2)
        if self.proc.stdout is not None:
            try:
                self.proc.stdout.close()
            except OSError:
                pass
        self._stderr.close()

    def stderr_tail(self, limit: int = 2000) -> str:
        try:
            self._stderr.seek(0)
            return self._stderr.read().decode(errors="replace")[-limit:]
        except (OSError, ValueError):
            return ""


__all__ = ["JackAgent"]
