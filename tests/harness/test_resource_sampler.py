"""The soak's resource sampler reads Linux's /proc itself: the same figures psutil gives, without
psutil's per-call layers (a soak samples ~29 000 times in 8 hours).

The figures are compared on a child process that stops itself (SIGSTOP) at known points, so its
memory, threads, descriptors and CPU times cannot move between the two readers' reads, and the
CPU percent is computed over the same interval of one fake clock by both.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import psutil
import pytest

import harness.leaks as leaks
from harness.leaks import ResourceSampler

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux's /proc")

#: burns some CPU, opens a few descriptors and starts two threads, stops itself; again on SIGCONT
_CHILD = """
import os, signal, threading
files = [open(os.devnull) for _ in range(5)]
hold = threading.Event()
threads = [threading.Thread(target=hold.wait, daemon=True) for _ in range(2)]
for th in threads:
    th.start()
for _ in range(2):
    x = 0
    for i in range(3_000_000):
        x += i
    blob = bytearray(8 << 20)
    os.kill(os.getpid(), signal.SIGSTOP)
"""


def _wait_stopped(proc: subprocess.Popen[bytes]) -> None:
    """Until ``proc`` has stopped itself (waitpid's WUNTRACED: no polling, no sleep)."""
    _, status = os.waitpid(proc.pid, os.WUNTRACED)
    assert os.WIFSTOPPED(status), f"the child did not stop: status {status}"


@pytest.fixture
def stopped_child():
    proc = subprocess.Popen([sys.executable, "-c", _CHILD])
    try:
        _wait_stopped(proc)
        yield proc
    finally:
        proc.kill()
        proc.wait()


def test_the_sampler_gives_the_figures_psutil_gives_of_a_process(stopped_child, monkeypatch):
    now = [100.0]  # one fake clock for psutil and the sampler: the same interval for both
    clock = lambda: now[0]  # noqa: E731
    monkeypatch.setattr(psutil, "_timer", clock)
    monkeypatch.setattr(leaks.time, "monotonic", clock)
    p = psutil.Process(stopped_child.pid)
    sampler = ResourceSampler(stopped_child.pid)
    assert sampler._fast is not None
    with p.oneshot():
        want = {"rss_bytes": p.memory_info().rss, "threads": p.num_threads(), "open_fds": p.num_fds(),
                "cpu_percent": p.cpu_percent(interval=None)}
    got = sampler.sample(1.0)
    assert {k: got[k] for k in want} == want
    assert want["threads"] == 3 and want["cpu_percent"] == 0.0  # the child's own and its two, first read
    stopped_child.send_signal(signal.SIGCONT)  # it burns CPU and grows, then stops itself again
    _wait_stopped(stopped_child)
    now[0] = 103.5
    with p.oneshot():
        want = {"rss_bytes": p.memory_info().rss, "threads": p.num_threads(), "open_fds": p.num_fds(),
                "cpu_percent": p.cpu_percent(interval=None)}
    got = sampler.sample(2.0)
    assert {k: got[k] for k in want} == want
    assert want["cpu_percent"] > 0.0  # the child's CPU over 3.5 fake seconds, the same from both


def test_a_sample_asks_psutil_nothing_on_linux(monkeypatch):
    """The process figures of a sample come from /proc, not from psutil's calls."""
    sampler = ResourceSampler()

    def refuse(*a, **kw):
        raise AssertionError("psutil asked")

    for name in ("memory_info", "num_threads", "num_fds", "cpu_percent", "oneshot"):
        monkeypatch.setattr(psutil.Process, name, refuse)
    s = sampler.sample(5.0, wall=1.5)
    assert s["t"] == 5.0 and s["wall"] == 1.5
    assert s["rss_bytes"] > 0 and s["threads"] >= 1 and s["open_fds"] >= 3
    assert s["cpu_percent"] == 0.0  # the first sample's, as psutil's first call
