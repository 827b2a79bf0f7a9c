"""``popen``: start a child from one long-lived thread, so its parent-death signal means the process.

Children that must not outlive this process (a PortAudio device host, the harness rig's ``jackd``
and JACK agent) are started with ``PR_SET_PDEATHSIG`` (SIGKILL). Linux delivers that signal when
the *thread* that forked the child exits, not the process (prctl(2)): a child started from a
short-lived thread (an operator reconfiguring from a worker thread, a fault's timer, an external
killer's restart) was SIGKILLed the moment that thread returned, and what it carried (a stream, a
server) was lost with it. So children are forked from the main thread when we are on it, else from
one daemon thread that lives as long as the process.
"""

from __future__ import annotations

import queue
import subprocess
import threading
from typing import Any

_requests: "queue.SimpleQueue[tuple[tuple[Any, ...], dict[str, Any], dict[str, Any], threading.Event]]" = \
    queue.SimpleQueue()
_thread: threading.Thread | None = None
_lock = threading.Lock()


def _serve() -> None:
    while True:
        args, kwargs, box, done = _requests.get()
        try:
            box["proc"] = subprocess.Popen(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc
        finally:
            done.set()


def start() -> None:
    """Start the spawner thread now (idempotent). Whoever will fork children calls this when it is
    built, so the thread exists before anyone counts the threads a system or a run started (it
    lives as long as the process, as the children's parent must: not a leak)."""
    global _thread
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_serve, name="soundcheck-spawner", daemon=True)
            _thread.start()


def popen(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
    """``subprocess.Popen(*args, **kwargs)``, forked from a thread that outlives the caller's."""
    if threading.current_thread() is threading.main_thread():
        return subprocess.Popen(*args, **kwargs)
    start()
    box: dict[str, Any] = {}
    done = threading.Event()
    _requests.put((args, kwargs, box, done))
    done.wait()
    if "error" in box:
        raise box["error"]
    return box["proc"]


__all__ = ["popen", "start"]
