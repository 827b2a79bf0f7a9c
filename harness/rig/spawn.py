"""``popen``: start a child from one long-lived thread, so its parent-death signal means the process.

The rig starts ``jackd`` and its JACK agent with ``PR_SET_PDEATHSIG`` (SIGKILL), so a SIGKILLed
harness takes them along. But Linux delivers that signal when the *thread* that forked the child
exits, not the process (prctl(2)). A server restarted from a short-lived thread (an external
killer's, a fault's timer) was SIGKILLed the moment that thread returned: measured, every
recovery attempt after such a restart found no device. So children are forked from the main
thread when we are on it, else from one daemon thread that lives as long as the process.
"""

from __future__ import annotations

import queue
import subprocess
import threading
from typing import Any

_requests: queue.Queue[tuple[tuple[Any, ...], dict[str, Any], dict[str, Any], threading.Event]] = queue.Queue()
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
    """Start the spawner thread now (idempotent). A rig calls this when it is built, so the thread
    exists before a run counts its threads (it lives as long as the process: not a leak)."""
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
