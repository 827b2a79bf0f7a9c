"""``ResourceSampler`` reads a Linux process's figures from ``/proc`` (``leaks.ProcFigures``) instead
of through psutil: the figures must be psutil's. A child process that has said it is asleep holds
still, so its resident memory, threads and descriptors read the same both ways; the CPU percentage
is psutil's arithmetic, checked on scripted clock and CPU readings fed to both. Seeded: deterministic."""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Iterator

import psutil
import pytest

from harness import leaks

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")


@pytest.fixture
def asleep() -> Iterator[subprocess.Popen[str]]:
    """A child that has started two threads and opened a file, said so, and sleeps."""
    code = ("import sys, threading, time\n"
            "ev = threading.Event()\n"
            "for _ in range(2): threading.Thread(target=ev.wait, daemon=True).start()\n"
            "f = open(sys.executable, 'rb')\n"
            "print('ready', flush=True)\n"
            "time.sleep(600)\n")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
        yield child
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()


def test_a_still_process_reads_as_psutil_reads_it(asleep) -> None:
    reader = leaks.ProcFigures.for_pid(asleep.pid)
    assert reader is not None
    ours = reader.read()
    proc = psutil.Process(asleep.pid)
    assert ours["rss_bytes"] == proc.memory_info().rss
    assert ours["threads"] == proc.num_threads() == 3
    assert ours["open_fds"] == proc.num_fds()
    assert ours["cpu_percent"] == proc.cpu_percent(interval=None) == 0.0  # the first reading of each


def test_the_sampler_reads_the_same_keys_through_psutil_where_proc_is_not_there(monkeypatch) -> None:
    fast = leaks.ResourceSampler().sample(1.0)
    monkeypatch.setattr(leaks.ProcFigures, "for_pid", classmethod(lambda cls, pid: None))
    slow = leaks.ResourceSampler()
    assert slow._fast is None
    assert list(slow.sample(1.0)) == list(fast) == ["t", "rss_bytes", "threads", "open_fds", "cpu_percent"]


def test_a_process_without_proc_files_is_read_through_psutil() -> None:
    assert leaks.ProcFigures.for_pid(2 ** 31 - 1) is None  # no such process


@pytest.mark.parametrize("seed", range(20))
def test_the_cpu_percentage_is_psutils_arithmetic(seed: int, monkeypatch) -> None:
    """Scripted readings (the monotonic clock, user and system ticks, online CPUs; a repeated clock
    reading included) give psutil's ``cpu_percent(interval=None)`` to the bit."""
    rng = random.Random(seed)
    ticks = 100
    readings = []
    t, user, system = rng.uniform(0, 1e5), rng.randrange(10 ** 6), rng.randrange(10 ** 5)
    for _ in range(60):
        t += rng.choice([0.0, rng.uniform(1e-6, 2.0), rng.uniform(0.001, 0.01)])
        user += rng.randrange(0, 300)
        system += rng.randrange(0, 30)
        readings.append((t, user, system, rng.choice([1, 2, 2, 4, 64])))
    script = iter(readings)
    current: list[tuple[float, int, int, int]] = []

    def advance() -> None:
        current[:] = [next(script)]

    proc = psutil.Process()
    monkeypatch.setattr(psutil, "_timer", lambda: current[0][0])
    monkeypatch.setattr(psutil, "cpu_count", lambda logical=True: current[0][3])
    monkeypatch.setattr(type(proc._proc), "cpu_times", lambda self: psutil._ntuples.pcputimes(
        current[0][1] / ticks, current[0][2] / ticks, 0.0, 0.0, 0.0))
    reader = leaks.ProcFigures(proc.pid)
    reader._ticks = ticks
    theirs, ours = [], []
    for _ in readings:
        advance()
        t, u, s, cpus = current[0]
        theirs.append(proc.cpu_percent(interval=None))
        ours.append(reader.cpu_percent(t * cpus, float(u) / ticks, float(s) / ticks, cpus))
    assert ours == theirs
    assert any(x > 0 for x in theirs), "a script with no CPU used tests nothing"
