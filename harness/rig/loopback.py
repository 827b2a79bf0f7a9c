"""The JACK loopback rig: a real audio device without hardware, and real faults on it.

``LoopbackRig`` starts its *own* ``jackd --no-realtime -d dummy`` (FIELD_NOTES: it runs as root
without a sound card), waits until a JACK client can actually connect, and can wire a stream's
output ports to its input ports so whatever a stream plays comes back on its input: a true
loopback through the real PortAudio/JACK code paths.

Isolation between parallel rigs (pytest-xdist workers, a developer's own ``soundcheck loopback
up``) is by **server name**: every concurrently running rig has its own name, and everything that
must talk to it is pointed there explicitly — JACK-Client through ``servername=``, PortAudio (both the JACK host API and the ALSA
``jack`` PCM, which go through libjack) through ``JACK_DEFAULT_SERVER`` in the environment of the
device host process (``rig.env()``). We never set ``JACK_DEFAULT_SERVER`` in our own process, so
two rigs in one process do not interfere.

The names come from a small *leased pool* (``soundcheck-rig-0`` … ``-5``), each lease an
``flock`` held for the rig's lifetime (released by the kernel if the process dies), rather than
from fresh random names. Measured reason: libjack keeps a registry of at most 8 servers per
machine in ``/dev/shm/jack-shm-registry``; a server that dies by SIGKILL (our ``kill_server``
fault, a crashed worker) leaves its slot taken, and libjack reclaims a stale slot only when a
server *of the same name* registers again. Random names exhausted the registry after 8 kills
("Too many servers already active"); pooled names reclaim their own slots, so at most 6 slots
are ever ours. More rigs than slots wait for a lease (bounded), i.e. serialise. Clean shutdowns
use SIGTERM first so jackd unregisters itself.

What the name does *not* isolate: JACK2's metadata database, ``/dev/shm/jack_db-<uid>`` (a Berkeley
DB environment every server and client of the uid opens, at a path fixed when JACK2 was built; no
environment variable moves it). A server that exits cleanly removes its files under every other
server's clients, and a database half removed (a clean exit removes it file by file) then
re-created by the next client to open left a running server's Berkeley DB panicked (measured, in a
private ``/dev/shm``). So a rig's readiness probe can
crash (SIGBUS) while its own jackd runs: ``start`` counts that as the probe's death
(``probe_crashes``), never as the server being unready, and probes again within its deadline.
A process killed while it created that database leaves one of its region files empty
(``jack_db-<uid>/__db.NNN``, 0 bytes: measured after a suite's run of kills); mapping it faults,
so from then on *every* jackd of the uid dies by SIGBUS before it is ready, whatever its name.
``start`` reads such a death with an empty region file as the database broken
(``broken_metadata_db``), removes the database (as a clean server exit does) and starts jackd
once more, noting it in ``metadata_db_repairs``; a SIGBUS with every region file whole is raised
as before.
The database can also be *wedged*: JACK2 opens it without ``DB_REGISTER``, so a lock in its
Berkeley DB lock table held by a process that died holding it is never released, and every later
open waits for it for ever in a futex, with no timeout and no error (reproduced with
``harness.rig._jackdb wedge``: ``metadata.db``'s handle lock held for writing by a SIGKILLed
process). jackd then hangs in its own start and the readiness probe hears nothing: to the probe
that is a server not ready, as a slow one is. So a start whose jackd still runs with its probe
neither ready nor crashed has the database checked (``harness.rig.metadata_db``: opened as JACK2
opens it, in a child, bounded; *wedged* only when that child sleeps in a futex spending no CPU,
never when it runs or waits for the CPU on a loaded machine), and a wedged one is removed, noted
in ``metadata_db_repairs`` with why, and jackd started once more. A database wedged again after
that is raised naming its path, what was found and the fix.

Teardown is layered so that nothing outlives a failed or interrupted test: the context manager
closes the rig; an ``atexit`` hook closes every rig still open; jackd is started in its own
session (process group) and killed with ``killpg``; and on Linux jackd gets ``PR_SET_PDEATHSIG``
so even a SIGKILLed pytest worker takes its server with it. ``detach=True`` (the CLI's
``loopback up``) skips the last two on purpose: that server must outlive the command.

Faults the rig produces, each a real thing the device layer must survive:
``kill_server``/``restart_server`` (the device vanishes and returns), ``disconnect_ports``/
``reconnect_ports`` (a pulled cable: silence, no error), ``stall``/``resume`` (SIGSTOP/SIGCONT of
the server) and ``starve_cpu`` (xruns, counted by the rig's own JACK client's xrun callback).

The rig's own JACK client (readiness, port wiring, xrun counts, DSP load) runs in a child
process, the JACK agent (``harness.rig.jack_agent``): a harness process holding a libjack client died
with SIGSEGV when its server was killed from outside. Nothing in the harness process talks to
libjack; a server that dies unannounced shows as ``lost`` and is reaped by ``restart_server``.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import fcntl
import glob
import importlib.util
import itertools
import json
import logging
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np

from system_under_test.clock import Clock, SystemClock
from system_under_test.devices.base import StreamSpec
from system_under_test.errors import DeviceLostError, DeviceStalledError

from ..errors import InputFileError, RigError
from .awake import AsleepBound, AsleepClock, tree_state, wait_while_awake
from .jack_agent import JackAgent, JackCallHung
from .metadata_db import DbCheck, check_metadata_db
from . import spawn as spawner
from .spawn import popen

log = logging.getLogger(__name__)

T = TypeVar("T")

_counter = itertools.count(1)
_live_rigs: weakref.WeakSet[LoopbackRig] = weakref.WeakSet()
_atexit_lock = threading.Lock()
_atexit_registered = False

#: How long the rig's processes may sleep through a single JACK-Client call (or a wait for the
#: server's running graph) before we give up on it. Calls into a stopped (SIGSTOP) or dying server,
#: or one hung on a wedged metadata database, block inside libjack asleep; a bounded wait keeps the
#: rig, and the test using it, from wedging. Time spent waiting for a CPU is not counted
#: (``harness.rig.awake``): a loaded machine is slow, not hung.
JACK_CALL_TIMEOUT_S = 5.0

#: The wall-clock guard of a start whose processes never all sleep (a busy hang), far past any
#: loaded machine's start: ``ready_timeout_s`` bounds the time they sleep.
READY_HANG_S = 300.0

#: How many readiness probes may crash (a signal, jackd alive) before ``start`` gives up on the
#: server: a libjack that crashes on every open is not a passing state of the shared files.
READY_PROBE_CRASHES_MAX = 3


def _probe_crashed(agent: JackAgent) -> bool:
    """True when a readiness probe's process was killed by a signal with no word from its server.

    JACK2 (1.9.21 here) keeps one metadata database per uid, ``/dev/shm/jack_db-<uid>`` (a Berkeley
    DB environment every client maps as it opens), and one shm registry per machine; neither is
    per server, and no environment variable moves them. A server that exits cleanly removes the
    database under every other server's clients; a client that opens while the shared files are
    being re-created can die by SIGBUS. Such a death says the probe's process failed, not that the
    server refused it: libjack's shutdown callback (``shutdown_reason``) or a ``failed`` event is
    the server's word, a signal is not.
    """
    if agent.ready_msg or agent.shutdown_reason is not None:
        return False
    code = agent.proc.poll()
    return code is not None and code < 0


def jackd_path() -> str | None:
    """Path of ``jackd`` on this machine, or None (the rig then cannot run)."""
    return shutil.which("jackd")


def rig_unavailable_reason() -> str | None:
    """Why a rig cannot run on this machine (None if it can): jackd or JACK-Client missing."""
    if jackd_path() is None:
        return "jackd is not installed (apt-get install jackd2)"
    # Looked up, not imported: loading libjack has no business in the harness process (the rig's
    # JACK client runs in its agent process), and JACK-Client finds the library the same way.
    if importlib.util.find_spec("jack") is None:
        return "JACK-Client is not installed (pip install JACK-Client)"
    if ctypes.util.find_library("jack") is None:
        return "libjack is not installed (apt-get install jackd2)"
    return None


#: Leased server names; see the module docstring for why a pool and not random names.
POOL_SIZE = 6


class _Lease:
    """An exclusive ``flock`` on one pool slot's lock file, held while a rig uses that name.

    ``flock`` belongs to the open file, so the kernel drops it when the last descriptor closes: at
    ``release``, when the process exits or is killed (a crashed xdist worker), and, through the
    finalizer, when a rig that was never closed is collected. The descriptor is not inherited
    across ``exec`` (PEP 446), so no jackd or device host can keep a slot after its rig's process
    is gone.
    """

    def __init__(self, name: str, fd: int) -> None:
        self.name = name
        # closing the fd drops the flock; run once, by ``release`` or when the lease is collected
        self._close = weakref.finalize(self, os.close, fd)

    @property
    def held(self) -> bool:
        return self._close.alive

    def release(self) -> None:
        self._close()


#: How long a rig waits for a free pooled name (more rigs at once than POOL_SIZE serialise).
LEASE_WAIT_S = 60.0


def pooled_server_names() -> tuple[str, ...]:
    """The pool's server names (``soundcheck-rig-0`` … ``-{POOL_SIZE - 1}``): a rig leases one and
    stops a jackd it finds under it unleased as an orphan (``_reap_orphan_server``), so a server
    meant to outlive its command (``soundcheck loopback up``) must not use one."""
    return tuple(f"soundcheck-rig-{slot}" for slot in range(POOL_SIZE))


def lease_server_name(timeout_s: float | None = None) -> _Lease:
    """Lease a free pooled server name (``soundcheck-rig-N``); waits (bounded) when all are taken."""
    lock_dir = Path(tempfile.gettempdir())
    timeout_s = LEASE_WAIT_S if timeout_s is None else timeout_s
    deadline = time.monotonic() + timeout_s
    while True:
        for name in pooled_server_names():
            fd = os.open(lock_dir / f"soundcheck-jack-{os.getuid()}-{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            lease = _Lease(name, fd)  # owns the fd from here: a failing reap below cannot strand it
            try:
                _reap_orphan_server(name)
            except BaseException:
                lease.release()
                raise
            return lease
        if time.monotonic() >= deadline:
            raise RigError(f"all {POOL_SIZE} loopback server names are in use after {timeout_s:.0f} s")
        time.sleep(0.1)


def server_pids(name: str) -> list[int]:
    """Pids of live jackd processes serving ``name`` (scanning /proc)."""
    return [int(d.name) for d in Path("/proc").glob("[0-9]*") if pid_is_jackd(int(d.name), name)]


def realtime_threads(pid: int) -> int:
    """How many of process ``pid``'s threads run under a realtime policy (SCHED_FIFO or SCHED_RR).

    ``jackd -R`` asks for realtime scheduling but runs on without it when the kernel refuses (no
    root, no rtprio limit): its log says so and nothing else does. Reading the threads' policies is
    how a caller that asked for a realtime rig learns whether it got one."""
    realtime = (os.SCHED_FIFO, os.SCHED_RR)
    count = 0
    for task in Path(f"/proc/{pid}/task").glob("[0-9]*"):
        try:
            count += os.sched_getscheduler(int(task.name)) in realtime
        except OSError:  # the thread ended between the listing and the read
            continue
    return count


def _reap_orphan_server(name: str) -> None:
    """A jackd still running under a name whose lease was free is an orphan of ours: stop it."""
    for pid in server_pids(name):
        _terminate_group(pid, graceful=True)


def unique_server_name() -> str:
    """A one-off server name (pid + counter + random) for callers that manage names themselves."""
    return f"soundcheck-{os.getpid()}-{next(_counter)}-{secrets.token_hex(3)}"


#: The wall-clock guard of ``_terminate_group``'s grace when jackd never sleeps through it (it
#: spins in its exit): then it is killed all the same.
TERMINATE_HANG_S = 60.0


def _terminate_group(pid: int, *, graceful: bool, grace_s: float = 3.0,
                     state: Callable[[int], tuple[bool, bool]] = tree_state) -> None:
    """SIGTERM (so jackd unregisters from libjack's registry and closes JACK's metadata database),
    then SIGKILL once jackd has slept ``grace_s`` through its exit. The grace counts only the time
    jackd's tree sleeps (``AsleepClock``): on a loaded machine a clean exit waits for a CPU, and a
    SIGKILL in the middle of it is the death that can leave the shared database's files half
    removed or a lock in it held for ever; a jackd asleep in its exit is stuck, and killed."""
    sigs = [signal.SIGTERM, signal.SIGKILL] if graceful else [signal.SIGKILL]
    for sig in sigs:
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        except PermissionError:  # pragma: no cover - not our group
            os.kill(pid, sig)
        asleep = AsleepClock(pid, state=state)
        hang_at = time.monotonic() + TERMINATE_HANG_S
        while asleep.asleep_s < grace_s and time.monotonic() < hang_at:
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:  # not our child (detached): poll /proc instead
                done = pid if not pid_is_jackd(pid) else 0
            if done:
                return
            time.sleep(0.02)
            asleep.poll()


def _pdeathsig() -> None:  # pragma: no cover - runs in the forked child
    """In the child before exec: die with SIGKILL when the parent dies (Linux ``prctl``)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
    except Exception:
        pass


def wait_until(
    predicate: Callable[[], T],
    timeout_s: float,
    *,
    interval_s: float = 0.01,
    what: str = "condition",
    clock: Clock | None = None,
) -> T:
    """Poll ``predicate`` until it returns something truthy; raise ``TimeoutError`` after ``timeout_s``.

    Tests and the rig wait on *conditions* with this, never on bare sleeps: a slow machine only
    makes the wait longer, never wrong.
    """
    clock = clock or SystemClock()
    deadline = clock.now() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if clock.now() >= deadline:
            raise TimeoutError(f"timed out after {timeout_s:.1f} s waiting for {what}")
        clock.sleep(interval_s)


@dataclass
class XrunReport:
    """What ``starve_cpu`` did and what JACK saw while it did it."""

    method: str
    duration_s: float
    xruns: int
    max_cpu_load: float
    bursts: int = 0


@dataclass
class IodelayResult:
    """``jack_iodelay``'s verdict on a software loopback of the rig."""

    frames: float
    ms: float
    samples_seen: int
    raw: list[str] = field(default_factory=list)


_IODELAY_RE = re.compile(r"^\s*([0-9.]+)\s+frames\s+([0-9.]+)\s+ms total roundtrip latency")


def parse_iodelay(lines: Sequence[str]) -> list[tuple[float, float]]:
    """``(frames, ms)`` for every ``... frames ... ms total roundtrip latency`` line of jack_iodelay."""
    out = []
    for line in lines:
        m = _IODELAY_RE.match(line)
        if m:
            out.append((float(m.group(1)), float(m.group(2))))
    return out


def _connect(call: Callable[..., Any], src: str, dst: str) -> None:
    """Connect two ports through ``call`` (the rig's bounded JACK call); one that got connected
    meanwhile counts as done. A stream that was just (re)opened connects its own ports to
    ``system`` as it starts, so between reading the connections and asking, the wanted one may
    appear: JACK then answers EEXIST (17)."""
    try:
        call("connect", src=src, dst=dst)
    except RigError as exc:
        if "already exists" not in str(exc):
            raise


class LoopbackRig:
    """One private ``jackd`` (dummy driver) plus the means to loop ports and inject faults.

    Use as a context manager::

        with LoopbackRig(rate=48000, period=256) as rig:
            backend = JackBackend(server_name=rig.server_name)
            ...
            rig.connect_loopback()

    Every method that talks to JACK has a bounded wait; ``close()`` never blocks on JACK.
    """

    #: Name prefix of the rig's own JACK clients; ``connect_loopback`` never loops these.
    CLIENT_PREFIX = "soundcheck-rig"
    #: (whether a pid lives, whether its tree is runnable): what the rig's waits on JACK read
    tree_state = staticmethod(tree_state)

    def __init__(
        self,
        rate: int = 48000,
        period: int = 256,
        server_name: str | None = None,
        *,
        ready_timeout_s: float = 10.0,
        detach: bool = False,
        monitor: bool = True,
        clock: Clock | None = None,
        realtime: bool = False,
    ) -> None:
        spawner.start()  # before any run counts its threads; see harness.rig.spawn
        self.rate = int(rate)
        self.period = int(period)
        #: ``jackd -R`` (SCHED_FIFO for the server and, through libjack, its clients' process
        #: threads) instead of ``--no-realtime``. Off by default: FIELD_NOTES measured the rig
        #: without it, and the tests must not need privileges. On a loaded machine a non-realtime
        #: rig misses cycles of its own (the machine's damage, which leaves runs inconclusive);
        #: ``run --backend jack --rig-realtime`` asks for it, and ``start`` refuses a server the
        #: kernel kept from realtime scheduling.
        self.realtime = realtime
        self._lease: _Lease | None = None
        if server_name is not None:
            try:
                server_name = check_server_name(server_name)
            except ValueError as exc:
                raise RigError(f"server name {exc}") from None
        self.ready_timeout_s = ready_timeout_s
        self.detach = detach
        self.monitor = monitor
        self.clock = clock or SystemClock()
        self._proc: subprocess.Popen[bytes] | None = None
        #: The rig's own JACK client (xruns, cpu load, connections) lives in a child process,
        #: never in ours: libjack can take its process down when the server is killed from outside.
        self._agent: JackAgent | None = None
        #: How each agent that ended without being asked to ended ("killed by SIGSEGV", ...).
        self.agent_exits: list[str] = []
        #: Readiness probes whose client crashed (a signal) while jackd ran: the rig's evidence,
        #: kept apart from the server's state (``start`` probes again instead of failing).
        self.probe_crashes: list[str] = []
        #: JACK2 metadata databases found broken (empty region files: jackd died of them) or wedged
        #: (a lock held by a dead process: jackd and its probe hung on it) and removed by ``start``:
        #: what was removed and why, one line each
        self.metadata_db_repairs: list[str] = []
        #: how the last jackd that did not become ready ended (its exit status; None: still ran)
        self._exit_before_ready: int | None = None
        #: the last launch gave up on a jackd that still ran, its probe neither ready nor crashed
        self._hung_before_ready = False
        self._lock = threading.RLock()
        self._xruns = 0
        self._xrun_lock = threading.Lock()
        self._stalled = False
        #: ``starve_cpu`` is stopping the server's process group in bursts (the rig's own stops)
        self._starving = False
        self._loop_pairs: list[tuple[str, str]] = []
        self._removed: list[tuple[str, str]] = []
        self._logdir = Path(tempfile.mkdtemp(prefix="soundcheck-rig-"))
        self.log_path = self._logdir / "jackd.log"
        self.started_at: float | None = None
        self.ready_s: float | None = None
        # Leased last: nothing after it in the constructor can raise and strand the slot.
        if server_name is None:
            self._lease = lease_server_name()
            server_name = self._lease.name
        self.server_name: str = server_name

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> LoopbackRig:
        # A ``with`` whose ``__enter__`` raises never calls ``__exit__``: a start that fails (jackd
        # not ready on a loaded machine, a probe that crashes) must give the leased name back here,
        # or each such failure keeps one of the POOL_SIZE names until the process ends.
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def stalled(self) -> bool:
        return self._stalled

    @property
    def stopping_itself(self) -> bool:
        """The rig stops its server itself now (``stall``, or ``starve_cpu``'s bursts): a stopped
        server then is the harness's fault, never one from outside (``ServerWatch``)."""
        return self._stalled or self._starving

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """An environment whose libjack users (PortAudio, ALSA jack PCM, jack_* tools) reach this rig."""
        env = dict(os.environ if base is None else base)
        env["JACK_DEFAULT_SERVER"] = self.server_name
        # Stop libjack from auto-starting some other server if ours is down.
        env["JACK_NO_START_SERVER"] = "1"
        return env

    def command(self) -> list[str]:
        jackd = jackd_path()
        if jackd is None:
            raise RigError("jackd is not installed (apt-get install jackd2)")
        scheduling = ["-R", "-P", "70"] if self.realtime else ["--no-realtime"]
        return [jackd, *scheduling, "-n", self.server_name, "-d", "dummy",
                "-r", str(self.rate), "-p", str(self.period)]

    def start(self) -> float:
        """Start jackd and wait until it accepts clients; returns the seconds it took."""
        with self._lock:
            if self.running:
                return self.ready_s or 0.0
            cmd = self.command()
            # Readiness is "a client can connect to this name": a live server of the same name
            # would pass that check while our own jackd dies, so refuse up front.
            others = server_pids(self.server_name)
            if others:
                raise RigError(f"a JACK server named {self.server_name!r} is already running "
                               f"(pid {others[0]}); pick another name or stop it")
            _register_atexit()
            t0 = self.clock.now()
            try:
                self._launch_and_wait(cmd, t0)
            except RigError:
                repaired = self._repair_metadata_db()
                if repaired is None:
                    raise
                t0 = self.clock.now()
                try:
                    self._launch_and_wait(cmd, t0)
                except RigError as again:
                    raise (self._still_wedged(again) if repaired == "wedged" else None) or again from None
            self.started_at = t0
            self.ready_s = self.clock.now() - t0
            log.info("jackd %s ready in %.3f s (pid %s)", self.server_name, self.ready_s, self.pid)
            return self.ready_s

    def _launch_and_wait(self, cmd: list[str], t0: float) -> None:
        """One jackd started from ``cmd`` and waited for until a client can open on it (killed if
        it is not)."""
        logf = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child, closed below
        try:
            self._proc = popen(  # from a lasting thread: PDEATHSIG follows the forking thread
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=logf,
                stderr=subprocess.STDOUT,
                env=self.env(),
                start_new_session=True,  # own process group: killpg takes everything
                preexec_fn=None if self.detach else _pdeathsig,
            )
        finally:
            logf.close()
        if not self.detach:
            _live_rigs.add(self)
        self._stalled = False
        self._hung_before_ready = False
        try:
            self._wait_ready(t0)
            self._check_realtime()
        except BaseException:
            proc = self._proc
            self._exit_before_ready = None if proc is None else proc.poll()
            self._kill_process()
            raise

    def _repair_metadata_db(self) -> Literal["broken", "wedged"] | None:
        """Remove the uid's metadata database when it is what kept this rig's jackd from being
        ready (empty region files after a death by SIGBUS, or wedged after a hang); what was wrong
        with it, or None when it was not removed. ``start`` asks it once: what fails after the
        repair is raised."""
        broken = self._died_of_a_broken_metadata_db()
        if broken:
            self._remove_metadata_db(broken[0].parent, f"{', '.join(p.name for p in broken)} empty "
                                                       f"(jackd {self.server_name!r} died by SIGBUS)")
            return "broken"
        wedged = self._hung_on_a_wedged_metadata_db()
        if wedged is not None:
            self._remove_metadata_db(metadata_db_folder(), f"wedged (jackd {self.server_name!r} not ready, "
                                                           f"still running): {wedged.detail}")
            return "wedged"
        return None

    def _hung_on_a_wedged_metadata_db(self) -> DbCheck | None:
        """The check that found the uid's metadata database wedged when this rig's jackd hung before
        it was ready (alive, its probe neither ready nor crashed); else None.

        A lock on the database held by a process that died holding it makes jackd's own open of it
        and every client's wait for ever, without a word: to the readiness probe that is a server
        not ready, as a slow one is. ``check_metadata_db`` tells them apart (a slow machine is
        never wedged), so a healthy database is never removed."""
        if not self._hung_before_ready:
            return None
        check = check_metadata_db(metadata_db_folder())
        log.info("rig %s: jackd not ready while it ran; JACK's metadata database: %s (%s)",
                 self.server_name, check.verdict, check.detail)
        return check if check.verdict == "wedged" else None

    def _still_wedged(self, failure: RigError) -> RigError | None:
        """A ``RigError`` naming the database, what was found and the fix, when the start after a
        wedged database's removal failed on a database wedged again; None otherwise."""
        check = self._hung_on_a_wedged_metadata_db()
        if check is None:
            return None
        folder = metadata_db_folder()
        return RigError(f"JACK's metadata database {folder} is wedged again after the rig removed it: "
                        f"{check.detail}. Some process of this user keeps wedging it; {_wedged_db_fix(folder)}. "
                        f"The start failed with: {failure}")

    def _died_of_a_broken_metadata_db(self) -> list[Path]:
        """The empty region files of the uid's metadata database when this rig's jackd died by
        SIGBUS before it was ready; else ``[]`` (a SIGBUS with every region file whole is not
        this, and is raised as it came). ``start`` asks it once: a second death is raised."""
        if self._exit_before_ready != -signal.SIGBUS:
            return []
        return broken_metadata_db()

    def _remove_metadata_db(self, folder: Path, why: str) -> None:
        """Remove the uid's metadata database (JACK re-creates it as the next server opens), as a
        server's clean exit does under every other server's clients; noted and logged with why."""
        shutil.rmtree(folder, ignore_errors=True)
        what = f"{folder}: {why}"
        self.metadata_db_repairs.append(what)
        log.warning("rig %s: JACK's metadata database was unusable, removed before starting again: %s",
                    self.server_name, what)

    def _check_realtime(self) -> None:
        """A rig asked to run realtime that did not get it is refused, never run as if it had: its
        verdicts under load would be read as a realtime server's (the engine's thread is realtime
        once a client can connect, the dummy driver's cycle having started)."""
        if not self.realtime or self.pid is None or realtime_threads(self.pid):
            return
        raise RigError(f"jackd -R for {self.server_name!r} runs without realtime scheduling: this user may not "
                       "use SCHED_FIFO (run as root, or grant an rtprio limit in /etc/security/limits.conf), "
                       "or drop --rig-realtime")

    def _wait_ready(self, t0: float) -> None:
        """Readiness = a JACK client can open on this server name (not 'the process exists').

        The client is the rig's agent process (``harness.rig.jack_agent``); with ``monitor`` it stays
        open (xruns, ports, wiring), without it the agent closes it and exits.

        ``ready_timeout_s`` counts the time this process's tree (jackd, the agent) sleeps, not wall
        time: on a loaded machine jackd's start and the agent's interpreter wait for a CPU (a
        wall-clock bound read that as a hung server and killed it), while a jackd hung on a lock
        (a wedged metadata database) sleeps, and spends the bound as on an idle machine. The agent
        retries its open until this wait gives up (``READY_HANG_S`` of wall time guards a busy hang).
        """
        proc = self._proc
        crashes = 0
        slept_through = AsleepBound(self.ready_timeout_s, hang_s=READY_HANG_S, clock=self.clock, state=self.tree_state)
        while True:
            agent = JackAgent(self.server_name, f"{self.CLIENT_PREFIX}-{secrets.token_hex(2)}", env=self.env(),
                              monitor=self.monitor, open_timeout_s=READY_HANG_S, on_exit=self._agent_exited)
            ok = agent.wait_ready(READY_HANG_S,
                                  give_up=lambda: proc is None or proc.poll() is not None or slept_through())
            if ok or not _probe_crashed(agent) or proc is None or proc.poll() is not None:
                break
            # The probe's libjack crashed while jackd lives on: that is the rig's client failing
            # (JACK2's metadata database and shm registry are shared by every server of this uid,
            # see _probe_crashed), not the server being unready. Killing this jackd for it would
            # keep the device away from the system for the rest of its run; another probe, within
            # the same deadline, asks the server again.
            crashes += 1
            self.probe_crashes.append(agent.failure)
            agent.kill()  # reaped, its pipes closed; its death is already in agent_exits
            if crashes >= READY_PROBE_CRASHES_MAX or slept_through():
                raise RigError(
                    f"jackd {self.server_name!r} ran, but {crashes} readiness probe(s) crashed opening "
                    f"on it ({', '.join(self.probe_crashes[-crashes:])}):\n{self.log_tail()}"
                )
            log.warning("rig %s: readiness probe %s; probing again", self.server_name, agent.failure)
        if not ok:
            self._hung_before_ready = (proc is not None and proc.poll() is None and not _probe_crashed(agent)
                                       and agent.shutdown_reason is None)
            agent.kill()
            if self._proc is None or self._proc.poll() is not None:
                raise RigError(
                    f"jackd exited with status {self._proc.returncode if self._proc else '?'} "
                    f"before it was ready:\n{self.log_tail()}"
                )
            raise RigError(
                f"jackd {self.server_name!r} not ready after {self.ready_timeout_s:.1f} s asleep "
                f"({self.clock.now() - t0:.1f} s in all; {agent.failure}):\n{self.log_tail()}\n{agent.stderr_tail()}"
            )
        if self.monitor:
            self._agent = agent
        else:
            agent.close()

    def _agent_exited(self, reason: str) -> None:
        """The agent ended unasked (its server died, or libjack crashed it): noted, never fatal."""
        self.agent_exits.append(reason)
        log.info("rig %s: JACK agent ended: %s", self.server_name, reason)

    def agent_status(self) -> str | None:
        """How the rig's JACK agent ended ("server shut down (...)", "killed by SIGSEGV"); None while
        it runs or when there is none."""
        agent = self._agent
        if agent is None:
            return self.agent_exits[-1] if self.agent_exits else None
        return None if agent.alive else (agent.exit_reason or "gone")

    @property
    def lost(self) -> int | None:
        """The exit status of a server that died without the rig killing it (None: no such death).

        A crash in the field does not announce itself; ``restart_server`` reaps such a server.
        """
        proc = self._proc
        if proc is None:
            return None
        return proc.poll()

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no jackd log)"
        return "\n".join(text.splitlines()[-lines:])

    def close(self) -> None:
        """Tear everything down; idempotent and never blocks on JACK."""
        with self._lock:
            if self._stalled:
                self.resume()
            self._drop_client()
            self._kill_process(graceful=True)
            _live_rigs.discard(self)
            shutil.rmtree(self._logdir, ignore_errors=True)
            if self._lease is not None:
                self._lease.release()
                self._lease = None

    def detach_state(self) -> dict[str, Any]:
        """Forget the server without stopping it (``loopback up``); returns what ``down`` needs."""
        with self._lock:
            if not self.running:
                raise RigError("cannot detach a rig that is not running")
            self._drop_client()
            state = {
                "pid": self.pid,
                "server_name": self.server_name,
                "rate": self.rate,
                "period": self.period,
                "started_at_unix": time.time(),
                "ready_s": self.ready_s,
                "log": str(self.log_path),
            }
            # Let go of the child on purpose: it must outlive us. Popen warns (ResourceWarning)
            # about a child still running when the object dies; there is no public "detach",
            # so record a returncode to say "not ours to wait for any more".
            self._proc.returncode = 0
            self._proc = None
            _live_rigs.discard(self)
            return state

    def _drop_client(self) -> None:
        agent, self._agent = self._agent, None
        if agent is None:
            return
        if self.running and not self._stalled:
            agent.close(2.0)  # closes its client on the live server, so its ports go at once
        else:
            agent.kill()

    def _kill_process(self, *, graceful: bool = False) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            _terminate_group(proc.pid, graceful=graceful)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not fail
            log.warning("jackd %s did not die after SIGKILL", proc.pid)
        _cleanup_shm(self.server_name)

    # ------------------------------------------------------------------ JACK access
    def _jack(self) -> JackAgent:
        if self._stalled:
            raise RigError("the JACK server is stalled (SIGSTOP); resume() first")
        if not self.running or self._agent is None:
            raise RigError(f"the JACK server {self.server_name!r} is not running")
        if not self._agent.alive:
            raise RigError(f"the rig's JACK client is gone ({self._agent.exit_reason})")
        return self._agent

    def _call(self, op: str, **args: Any) -> Any:
        """One JACK call through the rig's agent, bounded (``JACK_CALL_TIMEOUT_S`` asleep). A call
        its processes slept through has the uid's metadata database checked: a lock in it held by a
        process that died (a wedge arising mid-run, after ``start``'s check) hangs the server and
        every client in a futex without a word, and the error then names it with the fix."""
        try:
            return self._jack().request(op, JACK_CALL_TIMEOUT_S, **args)
        except JackCallHung as exc:
            raise self._named_if_wedged(exc) from None

    def _named_if_wedged(self, hung: RigError) -> RigError:
        """``hung`` with the metadata database named when the check finds it wedged; else as it came."""
        wedged = wedged_metadata_db_note(f"rig {self.server_name}: {hung}")
        return hung if wedged is None else RigError(f"{hung}: {wedged}")

    def ports(self, *, is_output: bool | None = None) -> list[str]:
        """Audio port names on the server right now."""
        return list(self._call("ports", is_output=is_output))

    def connections(self) -> list[tuple[str, str]]:
        """Every (output port, input port) connection on the server."""
        return [(a, b) for a, b in self._call("connections")]

    def clients(self) -> list[str]:
        """Names of the JACK clients with audio ports, excluding ``system`` and the rig's own."""
        names = []
        for port in self.ports():
            client = port.split(":", 1)[0]
            if client != "system" and not client.startswith(self.CLIENT_PREFIX) and client not in names:
                names.append(client)
        return names

    def _stream_ports(self, client: str | None) -> tuple[list[str], list[str]]:
        def mine(name: str) -> bool:
            owner = name.split(":", 1)[0]
            if owner == "system" or owner.startswith(self.CLIENT_PREFIX):
                return False
            return client is None or owner == client or re.fullmatch(client, owner) is not None

        outs = sorted(p for p in self.ports(is_output=True) if mine(p))
        ins = sorted(p for p in self.ports(is_output=False) if mine(p))
        return outs, ins

    def connect_loopback(self, client: str | None = None, *, channels: int | None = None,
                         timeout_s: float = 5.0) -> list[tuple[str, str]]:
        """Connect a stream's output ports to its input ports, channel by channel.

        ``client`` is a JACK client name or regex (``PortAudio``, ``python\\.[CP]\\.123\\..*``);
        None means "every client that is not ``system`` or the rig", which is right when one
        stream is open. Waits (bounded) for the ports to appear, since a stream registers them
        asynchronously. Also removes the stream's connections to ``system`` ports so the loop is
        the only signal path (the dummy ``system:capture`` is silent anyway).
        """
        def ready() -> tuple[list[str], list[str]] | None:
            outs, ins = self._stream_ports(client)
            want = channels or 1
            return (outs, ins) if len(outs) >= want and len(ins) >= want else None

        try:
            outs, ins = wait_while_awake(ready, timeout_s, what=f"ports of client {client or '(any)'}",
                                         clock=self.clock, state=self.tree_state)
        except TimeoutError as exc:
            raise RigError(f"{exc}; ports now: {self.ports()}") from exc
        n = min(len(outs), len(ins)) if channels is None else channels
        pairs = list(zip(outs[:n], ins[:n]))
        for src, dst in self.connections():
            if (src in outs or dst in ins) and (src.startswith("system:") or dst.startswith("system:")):
                self._call("disconnect", src=src, dst=dst)
        current = set(self.connections())
        for src, dst in pairs:
            if (src, dst) not in current:
                _connect(self._call, src, dst)
        self._loop_pairs = pairs
        return pairs

    def disconnect_ports(self, *, everything: bool = False) -> list[tuple[str, str]]:
        """Pull the cable: remove the loopback connections (the stream hears silence, no error).

        ``everything=True`` (or no loop connected yet) removes every connection that touches a
        stream's port (any client but ``system`` and the rig's own), e.g. PortAudio's automatic
        links to ``system``; ``reconnect_ports`` puts back exactly what was removed.
        """
        current = self.connections()
        if everything or not self._loop_pairs:
            def stream_port(port: str) -> bool:
                owner = port.split(":", 1)[0]
                return owner != "system" and not owner.startswith(self.CLIENT_PREFIX)

            removed = [p for p in current if stream_port(p[0]) or stream_port(p[1])]
        else:
            removed = [p for p in self._loop_pairs if p in set(current)]

        for src, dst in removed:
            self._call("disconnect", src=src, dst=dst)
        self._await_running_graph(lambda now: not set(removed) & now, "the disconnection")
        self._removed = removed
        return removed

    def _await_running_graph(self, done: Callable[[set[tuple[str, str]]], bool], what: str) -> None:
        """Wait until the server's *running* graph (what ``connections`` reads) shows a change
        asked for. JACK2 applies a connect or disconnect to its next graph and switches to it at
        the driver's next cycle; on a loaded machine that cycle waits for a CPU, and a listing
        read in between still shows the old wiring (measured at load ~40: a connection listed
        after ``disconnect_ports`` had returned). Bounded as a JACK call is, by the time the rig's
        processes sleep through it: a cycle that waits for a CPU is not a graph that never switches."""
        try:
            wait_while_awake(lambda: done(set(self.connections())), JACK_CALL_TIMEOUT_S,
                             what=f"{what} in the server's running graph", clock=self.clock,
                             state=self.tree_state)
        except TimeoutError as exc:
            raise self._named_if_wedged(RigError(f"{exc}; connections now: {self.connections()}")) from exc

    def reconnect_ports(self) -> list[tuple[str, str]]:
        """Plug the cable back in (the connections ``disconnect_ports`` removed)."""
        restored = list(self._removed)

        current = set(self.connections())
        existing = set(self.ports())
        for src, dst in restored:
            # A port that vanished meanwhile (its stream was reopened) cannot be replugged.
            if (src, dst) not in current and src in existing and dst in existing:
                _connect(self._call, src, dst)
        # a port gone before or meanwhile takes its connection with it
        def replugged(now: set[tuple[str, str]]) -> bool:
            ports = set(self.ports())
            return all(p in now for p in restored if p[0] in ports and p[1] in ports)

        self._await_running_graph(replugged, "the reconnection")
        self._removed = []
        return restored

    @property
    def xruns(self) -> int:
        """Xruns JACK reported to the rig's client since the server (re)started.

        Counted in the agent; asked with a short bound (the count needs no libjack call, but a
        request stuck in libjack ahead of it would delay it): the last answer stands in meanwhile.
        """
        agent = self._agent
        if agent is not None:
            try:
                count = int(agent.request("xruns", 0.5))
            except RigError:
                pass
            else:
                with self._xrun_lock:
                    self._xruns = count
        with self._xrun_lock:
            return self._xruns

    def cpu_load(self) -> float:
        """JACK's DSP load in percent (``jack_cpu_load``)."""
        return float(self._call("cpu_load"))

    # ------------------------------------------------------------------ faults
    def kill_server(self) -> None:
        """The device vanishes: SIGKILL jackd (no goodbye to its clients)."""
        with self._lock:
            if self._stalled:
                self._signal(signal.SIGCONT)
                self._stalled = False
            agent, self._agent = self._agent, None
            if agent is not None:
                agent.kill()  # no goodbye: the client dies with the server it watched
            self._kill_process()

    def restart_server(self) -> float:
        """The device returns: start jackd again under the same name; seconds until ready."""
        with self._lock:
            if self.running:
                raise RigError("restart_server() while the server is running; kill_server() first")
            # A server that died without us (killed from outside): reap it, drop its agent and
            # its /dev/shm files before a new one registers under the same name.
            self._drop_client()
            self._kill_process()
            with self._xrun_lock:
                self._xruns = 0
            self._loop_pairs = []
            self._removed = []
            return self.start()

    def _signal(self, sig: int) -> None:
        if self._proc is None:
            raise RigError("the JACK server is not running")
        try:
            os.killpg(self._proc.pid, sig)
        except ProcessLookupError as exc:
            raise RigError("the JACK server is gone") from exc

    def stall(self) -> None:
        """Freeze the server (SIGSTOP): every client's callbacks stop, nobody gets an error."""
        with self._lock:
            self._signal(signal.SIGSTOP)
            self._stalled = True

    def resume(self) -> None:
        """Thaw the server (SIGCONT)."""
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                self._signal(signal.SIGCONT)
            self._stalled = False

    @contextmanager
    def stalled_for(self) -> Iterator[None]:
        """``with rig.stalled_for(): ...`` — resume is guaranteed even if the body fails."""
        self.stall()
        try:
            yield
        finally:
            self.resume()

    def starve_cpu(
        self,
        duration_s: float,
        *,
        pids: Sequence[int] | None = None,
        burst_periods: float = 3.0,
        settle_s: float = 1.0,
    ) -> XrunReport:
        """Starve the audio path of CPU for ``duration_s`` and count the xruns JACK reports.

        With ``pids`` (the processes running JACK clients, e.g. a PortAudio device host): SIGSTOP
        them in bursts of ``burst_periods`` periods with a period of air between, so the server
        finds the client unfinished at the cycle's end — the most reliable xrun on a
        non-realtime server. Without ``pids``: the server's own process group gets the same
        treatment with bursts shorter than a period split around cycle boundaries (a scheduler
        stealing the CPU), which makes the dummy driver's cycles late. ``settle_s`` bounds the wait
        for JACK's (asynchronous) xrun notification afterwards.
        """
        period_s = self.period / self.rate
        targets = list(pids) if pids else None
        burst_s = burst_periods * period_s if targets else 0.6 * period_s
        method = "sigstop-clients" if targets else "sigstop-server"
        before = self.xruns
        max_load = 0.0
        bursts = 0
        t0 = self.clock.now()
        self._starving = targets is None
        try:
            while self.clock.now() - t0 < duration_s:
                self._stop_targets(targets, signal.SIGSTOP)
                try:
                    time.sleep(burst_s)  # the fault itself *is* a timed pause, not a wait
                finally:
                    self._stop_targets(targets, signal.SIGCONT)
                bursts += 1
                time.sleep(period_s)
                if bursts % 20 == 0:
                    max_load = max(max_load, self.cpu_load())
        finally:
            self._stop_targets(targets, signal.SIGCONT)
            self._starving = False
        # xrun notifications are delivered asynchronously; give them a moment (bounded).
        try:
            wait_until(lambda: self.xruns > before, settle_s, what="xrun notification", clock=self.clock)
        except TimeoutError:
            pass
        max_load = max(max_load, self.cpu_load())
        return XrunReport(method, self.clock.now() - t0, self.xruns - before, max_load, bursts)

    def _stop_targets(self, targets: list[int] | None, sig: int) -> None:
        if targets is None:
            if self._proc is not None and self._proc.poll() is None:
                os.killpg(self._proc.pid, sig)
            return
        for pid in targets:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass

    # ------------------------------------------------------------------ measurement
    def measure_iodelay(self, *, samples: int = 5, timeout_s: float = 15.0) -> IodelayResult:
        """Run ``jack_iodelay`` with its ports looped through the server and parse its latency.

        A pure software loop (``jack_delay:out`` → ``jack_delay:in``) measures JACK's own graph
        latency; a later analysis compares our signal-based latency estimate with it. Returns
        the median of the first ``samples`` stable readings.
        """
        exe = shutil.which("jack_iodelay")
        if exe is None:
            raise RigError("jack_iodelay is not installed (apt-get install jackd2)")
        self._jack()
        # jack_iodelay printf()s without flushing; stdbuf makes its stdout line-buffered.
        cmd = [shutil.which("stdbuf") or "stdbuf", "-oL", exe] if shutil.which("stdbuf") else [exe]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=self.env(), start_new_session=True,
                                preexec_fn=_pdeathsig)
        lines: list[str] = []
        readings: list[tuple[float, float]] = []
        done = threading.Event()

        def reader() -> None:
            assert proc.stdout is not None
            for raw in iter(proc.stdout.readline, b""):
                line = raw.decode(errors="replace").rstrip()
                lines.append(line)
                readings.extend(parse_iodelay([line]))
                if len(readings) >= samples:
                    done.set()
            done.set()

        thread = threading.Thread(target=reader, name="rig:iodelay", daemon=True)
        thread.start()
        try:
            try:
                wait_until(lambda: {"jack_delay:out", "jack_delay:in"} <= set(self.ports()),
                           5.0, what="jack_iodelay ports", clock=self.clock)
            except TimeoutError as exc:
                raise RigError(f"{exc}: {lines[-5:]}") from exc
            jc = self._jack()

            def try_connect() -> bool:
                # The ports exist before jack_iodelay activates; connecting fails until it has.
                try:
                    jc.request("connect", JACK_CALL_TIMEOUT_S, src="jack_delay:out", dst="jack_delay:in")
                except RigError:  # not active yet
                    return ("jack_delay:out", "jack_delay:in") in self.connections()
                return True

            try:
                wait_until(try_connect, 5.0, interval_s=0.05, what="jack_iodelay loop", clock=self.clock)
            except TimeoutError as exc:
                raise RigError(f"{exc}: {lines[-5:]}") from exc
            if not done.wait(timeout_s):
                raise RigError(f"jack_iodelay gave {len(readings)} readings in {timeout_s} s: {lines[-5:]}")
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=5)
            thread.join(timeout=5)
            if proc.stdout is not None:
                proc.stdout.close()
        try:  # the server drops a SIGKILLed client's ports asynchronously
            wait_until(lambda: "jack_delay:in" not in self.ports(), 3.0, what="jack_iodelay gone",
                       clock=self.clock)
        except TimeoutError:
            log.warning("jack_iodelay's ports still registered after it was killed")
        if not readings:
            raise RigError(f"jack_iodelay printed no latency: {lines[-5:]}")
        frames = sorted(r[0] for r in readings)[len(readings) // 2]
        ms = frames / self.rate * 1000.0
        return IodelayResult(frames=frames, ms=ms, samples_seen=len(readings), raw=lines[-10:])

    def describe(self) -> dict[str, Any]:
        return {
            "server_name": self.server_name,
            "pid": self.pid,
            "running": self.running,
            "stalled": self._stalled,
            "rate": self.rate,
            "period": self.period,
            "ready_s": self.ready_s,
            "loop": [list(p) for p in self._loop_pairs],
        }


#: a JACK server name the rig starts, records and cleans up after: letters, digits, ``_``, ``-`` and
#: ``.``, starting with a letter or digit. The name is spliced into /dev/shm paths that
#: ``_cleanup_shm`` removes, so ``.``, ``..`` or a ``/`` in it would name another folder:
#: ``"."`` removed the whole ``/dev/shm/jack_db-<uid>``, the metadata database every JACK server
#: of the user shares, and ``"../.."`` a folder anywhere.
SERVER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")


def check_server_name(name: object) -> str:
    """``name`` when it is a server name the rig may use (``SERVER_NAME``), else a ``ValueError``
    saying what a name may hold."""
    if not isinstance(name, str) or not SERVER_NAME.fullmatch(name):
        from ..inputs import clip  # noqa: PLC0415

        raise ValueError(f"{clip(name)} is not a JACK server name the rig uses: letters, digits, '_', '-' and "
                         "'.', starting with a letter or digit, at most 63 characters")
    return name


#: where JACK2 keeps its shared files on this machine (the metadata database's place is fixed
#: when JACK2 is built: no environment variable moves it)
JACK_SHM = Path("/dev/shm")


def wedged_metadata_db_note(waited: str) -> str | None:
    """What to say of the uid's metadata database when a JACK client's call or open did not return
    (``waited``, logged with the check's answer): it wedged, with the fix; None when the check does
    not find it wedged (a slow machine, a healthy database). Asked only after such a wait, since a
    wedge can arise mid-run, after ``start``'s check, and then hangs every later client in a futex
    without a word."""
    folder = metadata_db_folder()
    check = check_metadata_db(folder)
    log.info("%s; JACK's metadata database: %s (%s)", waited, check.verdict, check.detail)
    if check.verdict != "wedged":
        return None
    return (f"JACK's metadata database {folder} is wedged ({check.detail}), so the server and its "
            f"clients wait for ever; {_wedged_db_fix(folder)}")


def _wedged_db_fix(folder: Path) -> str:
    """What a user does about a wedged metadata database ``folder``."""
    return (f"stop every JACK server and client of the user (pgrep -a jackd), remove {folder} and "
            f"/dev/shm/jack-{os.getuid()}-*, and start again")


def metadata_db_folder(shm: Path | None = None, uid: int | None = None) -> Path:
    """JACK2's metadata database of ``uid`` (this process's by default) in ``shm`` (``JACK_SHM``)."""
    return (JACK_SHM if shm is None else shm) / f"jack_db-{os.getuid() if uid is None else uid}"


def broken_metadata_db(shm: Path | None = None, uid: int | None = None) -> list[Path]:
    """The region files of JACK2's metadata database for ``uid`` (``jack_db-<uid>/__db.NNN``, a
    Berkeley DB environment every server and client of the uid maps as it opens) that are empty.

    A process killed while it created the environment leaves such a file behind, and a mapping of
    it faults: every jackd of the uid then dies by SIGBUS before it is ready until the environment
    is made anew. ``shm``: the folder that holds it (``JACK_SHM``)."""
    folder = metadata_db_folder(shm, uid)
    empty = []
    for path in sorted(folder.glob("__db.*")):
        try:
            if path.stat().st_size == 0:
                empty.append(path)
        except OSError:  # removed meanwhile: a clean exit's removal, not a broken file
            continue
    return empty


def _cleanup_shm(server_name: str) -> None:
    """Remove the /dev/shm files a SIGKILLed jackd leaves behind for *this* server name only.

    The shared registry (``jack-shm-registry``, ``jack-<uid>-*``) is left to libjack: other
    servers may be using it. A name that is not a server name (``check_server_name``) removes
    nothing: spliced into the paths below it would name other folders.
    """
    try:
        check_server_name(server_name)
    except ValueError as exc:
        log.warning("not cleaning up after server %s", exc)
        return
    uid = os.getuid()
    patterns = [f"/dev/shm/jack_{server_name}_*", f"/dev/shm/jack_sem.{uid}_{server_name}_*"]
    for pattern in patterns:
        for path in glob.glob(glob.escape(pattern.rsplit("*", 1)[0]) + "*"):
            try:
                os.unlink(path)
            except OSError:
                pass
    shutil.rmtree(f"/dev/shm/jack_db-{uid}/{server_name}", ignore_errors=True)
    # jackd2 also keeps a per-server directory under $JACK_TMPDIR (default /dev/shm).
    shutil.rmtree(f"/dev/shm/jack-{uid}/{server_name}", ignore_errors=True)


def _close_all_rigs() -> None:
    for rig in list(_live_rigs):
        try:
            rig.close()
        except Exception:  # noqa: BLE001 - exiting anyway
            pass


def _register_atexit() -> None:
    global _atexit_registered
    with _atexit_lock:
        if not _atexit_registered:
            atexit.register(_close_all_rigs)
            _atexit_registered = True


# ---------------------------------------------------------------------- signal + drills
class SineLoop:
    """An audio callback that plays a sine and records what comes back (channel 0).

    The recording is a preallocated buffer of ``record_s`` seconds (a ring: the newest samples
    win), so the callback never allocates. ``recent_rms`` reads the tail. Used by the loopback
    tests, the drill below and the bench.
    """

    def __init__(self, sample_rate: int, *, freq_hz: float = 997.0, amplitude: float = 0.5,
                 record_s: float = 10.0) -> None:
        self.np = np
        self.sample_rate = sample_rate
        self.freq_hz = freq_hz
        self.amplitude = amplitude
        self._phase = 0
        self._buf = np.zeros(max(1, int(record_s * sample_rate)), dtype=np.float32)
        self.samples = 0  # total input samples seen
        self.blocks = 0
        self.flagged = 0
        self._w = 2 * np.pi * freq_hz / sample_rate

    def __call__(self, indata: Any, outdata: Any, frames: int, stream_time: float, status: Any) -> None:
        np = self.np
        n = np.arange(self._phase, self._phase + frames, dtype=np.float64)
        self._phase += frames
        outdata[:] = (self.amplitude * np.sin(self._w * n)).astype(np.float32)[:, None]
        size = self._buf.size
        pos = self.samples % size
        take = min(frames, size - pos)
        self._buf[pos:pos + take] = indata[:take, 0]
        if take < frames:
            self._buf[: frames - take] = indata[take:, 0]
        self.samples += frames
        self.blocks += 1
        if status.any():
            self.flagged += 1

    def tail(self, seconds: float) -> Any:
        np = self.np
        n = min(int(seconds * self.sample_rate), self.samples, self._buf.size)
        end = self.samples % self._buf.size
        idx = (np.arange(end - n, end)) % self._buf.size
        return self._buf[idx].copy()

    def recent_rms(self, seconds: float = 0.2) -> float:
        x = self.tail(seconds)
        return float(self.np.sqrt(self.np.mean(x.astype(self.np.float64) ** 2))) if x.size else 0.0

    def recent_level(self, seconds: float = 1.0, block: int = 256) -> tuple[float, float]:
        """(RMS of the tail's sounding blocks, share of its blocks that were silent).

        The level of what came back, the gaps aside: on a loaded machine the server's xruns hand
        the client blocks of silence (measured: a 1 s RMS of 0.331 instead of 0.354 at load
        average 20 on 2 cores, 6 % of it silent). A block is silent below -40 dB of the tone's
        RMS; the share says how much was left out, for the caller to bound.
        """
        np = self.np
        x = self.tail(seconds).astype(np.float64)
        nb = x.size // block
        if nb == 0:
            return 0.0, 1.0
        blocks = x[-nb * block:].reshape(nb, block)
        ms = np.mean(blocks ** 2, axis=1)
        sounding = ms > (0.01 * self.expected_rms) ** 2
        if not sounding.any():
            return 0.0, 1.0
        return float(np.sqrt(np.mean(ms[sounding]))), float(1.0 - np.mean(sounding))

    @property
    def expected_rms(self) -> float:
        return self.amplitude / 2 ** 0.5


@dataclass
class DrillResult:
    """One server kill-and-restart drill on a route; all times in seconds."""

    route: str
    error: str  # the error type the stream reported (the one ``expect`` asked for, when given)
    detect_s: float  # kill -> the first fatal error through on_error, whichever kind
    teardown_s: float  # close() of the dead stream
    server_restart_s: float  # restart_server() until a client can connect
    reopen_s: float  # open + start + loop until the sine is back at the right level
    recover_s: float  # kill -> sine back on a new stream (the user-visible outage)
    rms_after: float
    reported: tuple[str, ...] = ()  # every fatal error's type, in the order reported, until close


def kill_recovery_drill(rig: LoopbackRig, backend: Any, device: str, *, route: str,
                        channels: int = 2, timeout_s: float = 10.0,
                        expect: type | None = None) -> DrillResult:
    """Kill the rig's server under a running stream, then recover with a new stream, timed.

    The stream must report ``DeviceLostError``/``DeviceStalledError`` through ``on_error``;
    ``close()`` of the dead stream must return (we time it); after ``restart_server`` a new
    stream in the same process must carry the sine again.

    ``expect``: the kind of error the route must report. Which fatal error comes *first* is a race
    on a loaded machine: the watchdog's stall (callbacks stopped for a few periods) can beat the
    host's own report of the dead server, and both are right. So the detection time is the first
    fatal error's, and with ``expect`` the drill then waits (up to ``timeout_s``) for an error of
    that kind before it closes the stream: a route that never reports it still fails.
    """
    spec = StreamSpec(device, device, channels, channels, rig.rate, rig.period)
    clock = rig.clock

    def open_looped(loop: SineLoop, errors: list[Any]) -> Any:
        stream = backend.open_stream(spec, loop, errors.append)
        try:
            stream.start()
            rig.connect_loopback(channels=channels)
            wait_until(lambda: loop.samples > rig.rate // 4 and
                       abs(loop.recent_rms(0.1) - loop.expected_rms) < 0.05 * loop.expected_rms,
                       timeout_s, what="the sine to come back", clock=clock)
        except BaseException:
            stream.close()
            raise
        return stream

    errors: list[Any] = []
    loop = SineLoop(rig.rate, record_s=2.0)
    stream = open_looped(loop, errors)
    fatal = (DeviceLostError, DeviceStalledError)
    try:
        t_kill = clock.now()
        rig.kill_server()
        found = wait_until(lambda: next((e for e in errors if isinstance(e, fatal)), None),
                           timeout_s, what="the stream to report the dead server", clock=clock)
        detect = clock.now() - t_kill
        if expect is not None and not isinstance(found, expect):
            found = wait_until(lambda: next((e for e in errors if isinstance(e, expect)), None),
                               timeout_s, what=f"the stream to report {expect.__name__}", clock=clock)
    finally:
        t_close = clock.now()
        stream.close()
        teardown = clock.now() - t_close
    server_restart = rig.restart_server()
    t_open = clock.now()
    errors2: list[Any] = []
    loop2 = SineLoop(rig.rate, record_s=2.0)
    stream2 = open_looped(loop2, errors2)
    reopen = clock.now() - t_open
    recover = clock.now() - t_kill
    rms = loop2.recent_rms(0.1)
    stream2.close()
    return DrillResult(route, type(found).__name__, detect, teardown, server_restart, reopen, recover, rms,
                       tuple(type(e).__name__ for e in errors if isinstance(e, fatal)))


# ---------------------------------------------------------------------- detached (CLI) state
def state_path() -> Path:
    """Where ``soundcheck loopback up`` records its server: the user's runtime dir or /tmp."""
    override = os.environ.get("SOUNDCHECK_LOOPBACK_STATE")
    if override:
        return Path(override)
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isdir(runtime):
        return Path(runtime) / "soundcheck-loopback.json"
    return Path(tempfile.gettempdir()) / f"soundcheck-loopback-{os.getuid()}.json"


def read_state(path: Path | None = None) -> dict[str, Any] | None:
    """The state ``loopback up`` recorded, or None when there is none.

    ``down`` kills the recorded pid and removes /dev/shm files named after the recorded server,
    so both are checked before anything reads them: a state file that is not ``write_state``'s
    (edited, damaged, another program's) is a ``RigError`` (exit 2) naming the file and the field,
    never an internal error, and never a kill or a removal it did not record."""
    from ..inputs import clip, load_document  # noqa: PLC0415

    path = path or state_path()
    if not path.exists() and not path.is_symlink():
        return None
    try:
        state = load_document(path, "loopback state", fmt="json")
    except InputFileError as exc:
        raise RigError(f"{exc}; delete it (soundcheck loopback up writes it anew)") from None
    pid = state.get("pid")
    if isinstance(pid, bool) or not isinstance(pid, int) or not 0 < pid <= 2**22:
        raise RigError(f"{path}: pid: must be a process id (a whole number 1..{2**22}), got {clip(pid)}; "
                       "delete the file (soundcheck loopback up writes it anew)")
    try:
        check_server_name(state.get("server_name"))
    except ValueError as exc:
        raise RigError(f"{path}: server_name: {exc}; delete the file (soundcheck loopback up writes it "
                       "anew)") from None
    return state


def write_state(state: dict[str, Any], path: Path | None = None) -> Path:
    path = path or state_path()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2))
    os.replace(tmp, path)
    return path


def pid_is_jackd(pid: int, server_name: str | None = None) -> bool:
    """True when ``pid`` is alive and is a jackd (for ``server_name``): never kill a reused pid."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    args = [a.decode(errors="replace") for a in cmdline if a]
    if not args or os.path.basename(args[0]) != "jackd":
        return False
    return server_name is None or server_name in args


def stop_detached(state: dict[str, Any], timeout_s: float = 5.0) -> bool:
    """Kill a server started by ``loopback up``; True if something was killed."""
    pid = int(state["pid"])
    name = state.get("server_name")
    if not pid_is_jackd(pid, name):
        if name:
            _cleanup_shm(name)
        return False
    _terminate_group(pid, graceful=True)
    try:
        wait_until(lambda: not pid_is_jackd(pid, name), timeout_s, what=f"jackd {pid} to exit")
    except TimeoutError as exc:
        raise RigError(str(exc)) from exc
    if name:
        _cleanup_shm(name)
    log_path = state.get("log")
    if log_path:
        shutil.rmtree(os.path.dirname(log_path), ignore_errors=True)
    return True


__all__ = [
    "DrillResult",
    "IodelayResult",
    "SineLoop",
    "kill_recovery_drill",
    "LoopbackRig",
    "XrunReport",
    "jackd_path",
    "lease_server_name",
    "parse_iodelay",
    "rig_unavailable_reason",
    "pid_is_jackd",
    "server_pids",
    "read_state",
    "state_path",
    "stop_detached",
    "unique_server_name",
    "wait_until",
    "wedged_metadata_db_note",
    "write_state",
]

if __name__ == "__main__":  # pragma: no cover - manual smoke test
    logging.basicConfig(level=logging.INFO)
    with LoopbackRig() as _rig:
        print(json.dumps(_rig.describe(), indent=2), file=sys.stdout)
        print(asdict(_rig.measure_iodelay()))
