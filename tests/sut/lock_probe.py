"""Whether a lock is held, asked from another thread that never waits: the exact answer the
locking tests build their check-then-act probes on (an RLock owned by one thread is refused at
once to another, whatever the machine's load)."""

from __future__ import annotations

import threading
from typing import Any


def held_elsewhere(lock: Any) -> bool:
    """The lock is owned by some thread (another thread than the probe's cannot take it)."""
    got: list[bool] = []

    def probe() -> None:
        ok = lock.acquire(blocking=False)
        if ok:
            lock.release()
        got.append(ok)

    t = threading.Thread(target=probe, name="lock-probe")
    t.start()
    t.join()
    return not got[0]
