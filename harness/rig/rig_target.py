"""``JackRigTarget``: the ``harness.faults.FaultTarget`` protocol over the JACK loopback rig.

The same device faults that the simulated backend fakes (``SimulatedTarget``) happen *for real*
here, on the rig's private ``jackd -d dummy`` (``harness.rig.loopback.LoopbackRig``):

==================  ========================================================================
protocol method     what the rig does
==================  ========================================================================
drop_device         SIGKILL the JACK server: every stream on it loses its device
return_device       start the server again under the same name (the device returns)
stall / unstall     SIGSTOP / SIGCONT the server: callbacks stop, nobody gets an error
xrun                starve the audio path of CPU for ``delay_s``: SIGSTOP the stream's
                    device host process (the JACK client) when we know it, else the server
change_sample_rate  kill the server and start it again at the new rate (a device switching
                    rate under a running stream); returns the previous rate
raise_in_callback   not possible: the callback runs in the system's own process and the rig
                    cannot corrupt its buffers -> ``UnsupportedFault``
==================  ========================================================================

Extra, rig-only: ``pull_cable`` / ``replug_cable`` (disconnect / reconnect the stream's JACK
ports: silence, no error anywhere) and the ``PulledCable`` fault, which drives them through a
``FaultInjector`` like any other fault (there is no such kind in ``FAULT_KINDS``, so profiles
never draw it; tests and scenarios inject it explicitly).

Faults the rig cannot do are never fired half-way: ``Schedule.runnable_on`` drops them from a
schedule up front and notes each one, with the reason, in the run's history
(``note "fault_skipped"``), so a ``--faults default`` run on the rig completes and says what it
left out.

Every method is safe to call in any rig state (server down, stalled): a fault that makes no sense
right now (stalling a server that is not running) is a no-op recorded in ``notes``, never a crash
in the fault scheduler's thread. Calls are serialised by one lock, so a slow ``return_device``
(a server restart) and a concurrent ``stall`` never interleave.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import RigError
from ..faults import DEVICE_CAPABILITIES, Fault, FaultContext, FaultRecord, FaultTarget, Schedule, unsupported_reason
from ..faults import target_for as _target_without_rig
from .server_runs import STOPPED_KIND, process_stopped

if TYPE_CHECKING:  # pragma: no cover
    from system_under_test import AudioSystem

    from ..history import History
    from .loopback import LoopbackRig


class UnsupportedFault(RigError, NotImplementedError):
    """A fault the JACK loopback rig cannot produce (a ``RigError`` and a ``NotImplementedError``)."""

    def __init__(self, kind: str, reason: str) -> None:
        self.kind = kind
        self.reason = reason
        super().__init__(f"the JACK loopback rig cannot inject {kind!r}: {reason}")


#: Fault kinds the rig cannot produce, and why (checked by ``Schedule.runnable_on``).
UNSUPPORTED: dict[str, str] = {
    "callback_raises": "the audio callback runs inside the system's own process; the rig controls only "
                       "the JACK server and its ports, it cannot corrupt the callback's buffers "
                       "(use the simulated backend)",
    "input_starved": "the rig cannot hang the capture side of the system's stream alone (ALSA's jack "
                     "PCM does so by itself at times); use the simulated backend",
}


@dataclass
class RigAction:
    """One thing the target did to the rig (or chose not to do), on the rig's clock."""

    method: str
    at: float
    done: bool
    detail: str = ""


class JackRigTarget:
    """``FaultTarget`` over a ``LoopbackRig``. ``system`` (optional) lets ``xrun`` find the JACK client.

    The device ``name`` arguments of the protocol are accepted and ignored: the rig has one
    device (its server), and every stream on it shares its fate.
    """

    def __init__(self, rig: LoopbackRig, system: AudioSystem | None = None, *,
                 xrun_settle_s: float = 0.1) -> None:
        self.rig = rig
        self.system = system
        self.xrun_settle_s = xrun_settle_s
        self.actions: list[RigAction] = []
        self._lock = threading.RLock()

    # -- bookkeeping ---------------------------------------------------------------------------
    def _log(self, method: str, done: bool, detail: str = "") -> None:
        self.actions.append(RigAction(method, self.rig.clock.now(), done, detail))

    @property
    def notes(self) -> list[str]:
        """The faults that were no-ops, with why (e.g. ``stall: server not running``)."""
        return [f"{a.method}: {a.detail}" for a in self.actions if not a.done]

    #: the ``harness.faults`` capabilities the rig has: every device one but corrupting the
    #: callback's buffers, plus pulling the cable
    capabilities: frozenset[str] = (DEVICE_CAPABILITIES - {"raise_in_callback"}) | {"pull_cable"}

    #: the fault kind each capability the rig lacks would have served (its reason in ``UNSUPPORTED``)
    _MISSING_KIND: ClassVar[dict[str, str]] = {"raise_in_callback": "callback_raises",
                                               "starve_input": "input_starved"}

    def why_not(self, capability: str) -> str:
        return UNSUPPORTED[self._MISSING_KIND[capability]]

    def unsupported_reason(self, kind: str) -> str | None:
        """Why the rig cannot inject faults of ``kind`` (None: it can)."""
        return unsupported_reason(self, kind)

    # -- the FaultTarget protocol ----------------------------------------------------------------
    def drop_device(self, name: str) -> None:
        with self._lock:
            if not self.rig.running:
                self._log("drop_device", False, "server already down")
                return
            self.rig.kill_server()
            self._log("drop_device", True, "jackd SIGKILLed")

    def return_device(self, name: str) -> None:
        with self._lock:
            if self.rig.running:
                self._log("return_device", False, "server already running")
                return
            ready_s = self.rig.restart_server()
            self._log("return_device", True, f"jackd ready in {ready_s:.3f} s")

    def device_present(self, name: str) -> bool:
        return self.rig.running

    def stall(self, name: str) -> None:
        with self._lock:
            if not self.rig.running:
                self._log("stall", False, "server not running")
                return
            if self.rig.stalled:
                self._log("stall", False, "server already stalled")
                return
            self.rig.stall()
            self._log("stall", True, "jackd SIGSTOPped")

    def unstall(self, name: str) -> None:
        with self._lock:
            if not self.rig.stalled:
                self._log("unstall", False, "server not stalled")
                return
            self.rig.resume()
            self._log("unstall", True, "jackd SIGCONTed")

    def _client_pids(self) -> list[int]:
        stream = getattr(self.system, "stream", None) if self.system is not None else None
        pid = getattr(stream, "host_pid", None)
        return [pid] if pid else []

    def xrun(self, name: str, delay_s: float, **_window: Any) -> None:
        """Starve the JACK client (the device host) of CPU for ``delay_s``; JACK reports xruns.
        It acts at once, so nothing waits to outlive the firing's window (``_window``)."""
        with self._lock:
            if not self.rig.running or self.rig.stalled:
                # Starving a stopped server would SIGCONT it at the end: never undo another fault.
                self._log("xrun", False, "server not running" if not self.rig.running else "server stalled")
                return
            pids = self._client_pids()
            try:
                report = self.rig.starve_cpu(max(delay_s, self.rig.period / self.rig.rate), pids=pids or None,
                                             settle_s=self.xrun_settle_s)
            except RigError as exc:  # the server died under us (a concurrent dropout): nothing to starve
                self._log("xrun", False, str(exc))
                return
            self._log("xrun", True, f"{report.method}: {report.bursts} burst(s), {report.xruns} JACK xrun(s)")

    def raise_in_callback(self, name: str, count: int, **_window: Any) -> None:
        raise UnsupportedFault("callback_raises", UNSUPPORTED["callback_raises"])

    def change_sample_rate(self, name: str, rate: int) -> int | None:
        """Restart the server at ``rate`` (streams on it die; the device comes back at the new rate)."""
        with self._lock:
            old = self.rig.rate
            if self.rig.running:
                self.rig.kill_server()
            self.rig.rate = int(rate)
            self.rig.restart_server()
            self._log("change_sample_rate", True, f"{old} -> {rate} Hz")
            return old

    # -- rig-only faults -------------------------------------------------------------------------
    def pull_cable(self, name: str = "") -> list[tuple[str, str]]:
        """Disconnect every connection of the stream's JACK ports (silence, no error)."""
        return self._rewire("pull_cable", "removed", lambda: self.rig.disconnect_ports(everything=True))

    def replug_cable(self, name: str = "") -> list[tuple[str, str]]:
        """Restore the connections ``pull_cable`` removed (those whose ports still exist)."""
        return self._rewire("replug_cable", "restored", self.rig.reconnect_ports)

    def _rewire(self, action: str, verb: str, change: Any) -> list[tuple[str, str]]:
        """Change the port connections on a serving server; on a dead or stopped one, a logged no-op."""
        with self._lock:
            if not self.rig.running or self.rig.stalled:
                self._log(action, False, "server not running or stalled")
                return []
            changed: list[tuple[str, str]] = change()
            self._log(action, True, f"{len(changed)} connection(s) {verb}")
            return changed


class ServerWatch:
    """Notices the rig's server dying or stopped without the harness doing it, records it, brings
    a dead one back.

    A crash in the field does not announce itself: nobody calls ``drop_device``. The watch polls
    the rig (``LoopbackRig.lost``: the server process ended while the rig still owned it) and
    records each such death in the history as a fault of its own (kind ``server_crash``, target
    ``system``, trigger ``external``, with the pid and exit status), so the run's report shows it
    and the recovery invariant judges the system's recovery from it like any transient fault.
    With ``restart_after_s`` (not None) it then starts the server again after that long (the
    device returns, as a restarted sound server would) and ends the fault once it is ready.

    A server stopped from outside (``kill -STOP``: its ``/proc`` state ``T``, while the rig is not
    stopping it itself, ``LoopbackRig.stopping_itself``) is recorded too, in ``stops``: a fault of
    its own (kind ``server_stopped``, trigger ``external``) from the first poll that saw it stopped
    to the first that saw it run again (or its death). A stopped server runs no cycle, just as one
    a loaded machine does not schedule, and the rig's ``server_runs`` cannot tell them apart by
    the time its threads ran; read as "the JACK server did not run" a stop was told as the
    machine's starvation (bench/RESULTS.md, 2026-12-07 night: 97495, 97496). As a record its
    stall is explained by the stop, the run's notes and reports name it as a kill's crash is
    named, and the recovery invariant judges the system's return after it.

    Every rig action goes through the target's lock, so a scheduled ``return_device`` and the
    watch never both restart the server, and a stop the rig makes itself is never seen half-made.
    """

    def __init__(self, target: JackRigTarget, history: History | None, *, restart_after_s: float | None = 2.0,
                 poll_s: float = 0.05) -> None:
        self.target = target
        self.history = history
        self.restart_after_s = restart_after_s
        self.poll_s = poll_s
        self.records: list[FaultRecord] = []
        self._outside = OutsideStops(history, target._log)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def stops(self) -> list[FaultRecord]:
        """The stops from outside seen (``server_stopped``), the latest possibly still open."""
        return self._outside.stops

    def start(self) -> ServerWatch:
        self._thread = threading.Thread(target=self._run, name="rig-server-watch", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30.0)

    def _run(self) -> None:
        rig = self.target.rig
        while not self._stop.wait(self.poll_s):
            with self.target._lock:
                status = rig.lost
                if status is None:
                    self.look_for_a_stop()
                    continue
                self._outside.end(rig.clock.now(), f"jackd {rig.pid} died while stopped (status {status})")
                record = FaultRecord(
                    firing_id=f"external-{len(self.records) + 1}", fault_id="external", kind="server_crash",
                    target="system", trigger="external", fired_at=rig.clock.now(),
                    details={"pid": rig.pid, "exit_status": status,
                             "rig_agent": rig.agent_status()})
                self.records.append(record)
                self.target._log("server_crash", True, f"jackd {rig.pid} died unannounced (status {status})")
                if self.history is not None:
                    self.history.fault_started(record)
            if self.restart_after_s is None:
                return  # recorded; nobody brings the device back (the fault stays open)
            if self._stop.wait(self.restart_after_s):
                return
            with self.target._lock:
                detail = "server already back"
                if rig.lost is not None or not rig.running:
                    crashed = len(rig.probe_crashes)
                    try:
                        detail = f"jackd ready in {rig.restart_server():.3f} s"
                    except RigError as exc:
                        detail = f"restart failed: {exc}"
                        record.transient = False  # the device did not come back
                    if len(rig.probe_crashes) > crashed:
                        # The rig's own clients that crashed opening on the new server (JACK2's
                        # shared files, not the system): the history keeps them with the restart.
                        record.details["probe_crashes"] = rig.probe_crashes[crashed:]
                record.ended_at = rig.clock.now()
                record.duration_s = record.ended_at - record.fired_at
                record.details["restart"] = detail
                self.target._log("server_restart", True, detail)
                if self.history is not None:
                    self.history.fault_ended(record)


    def look(self) -> None:
        """One look for a stop from outside now, under the target's lock (a caller that must know
        the server's state at a moment: the start's refusal)."""
        with self.target._lock:
            if self.target.rig.lost is None:
                self.look_for_a_stop()

    def look_for_a_stop(self) -> None:
        """One look at the server's state (the watch's poll, under the target's lock): a stop from
        outside begins its record, a server seen running again ends it."""
        rig = self.target.rig
        self._outside.look(rig.pid, rig.clock.now(), exempt=rig.stopping_itself)


class OutsideStops:
    """The stops from outside of one JACK server process, each a fault record of its own (kind
    ``server_stopped``, target ``system``, trigger ``external``) from the first look that saw the
    process stopped (``/proc`` state ``T``) to the first that saw it run again, or gone.

    One rule for a server the run owns (``ServerWatch``, which exempts the stops the rig makes
    itself) and one it does not (``UnownedServerWatch``): a stop is then explained, named and
    judged alike whoever started the server. ``log``: the rig target's action log, if any."""

    def __init__(self, history: History | None, log: Callable[[str, bool, str], None] | None = None, *,
                 details: dict[str, Any] | None = None) -> None:
        self.history = history
        self.log = log
        self.details = dict(details or {})
        self.stops: list[FaultRecord] = []
        self._open: FaultRecord | None = None

    def look(self, pid: int | None, now: float, *, exempt: bool = False) -> None:
        """One look at process ``pid`` at ``now`` (None: no server found). ``exempt``: the harness
        is stopping it itself, so a stop seen is not from outside."""
        state = process_stopped(pid) if pid is not None else None
        stopped = state is True and not exempt
        if stopped and self._open is None:
            record = FaultRecord(
                firing_id=f"external-stop-{len(self.stops) + 1}", fault_id="external", kind=STOPPED_KIND,
                target="system", trigger="external", fired_at=now,
                details={**self.details, "pid": pid,
                         "observed_by": "the server's /proc state T (stopped by a signal from outside)"})
            self.stops.append(record)
            self._open = record
            self._log(STOPPED_KIND, f"jackd {pid} stopped from outside (state T)")
            if self.history is not None:
                self.history.fault_started(record)
        elif not stopped and self._open is not None:
            self.end(now, f"jackd {pid} running again" if state is not None else
                     f"jackd {self._open.details.get('pid')} gone while stopped")

    def end(self, t: float, how: str) -> None:
        """End the open stop (if any) at ``t``, saying ``how``."""
        record, self._open = self._open, None
        if record is None:
            return
        record.ended_at = max(t, record.fired_at)
        record.duration_s = record.ended_at - record.fired_at
        record.details["end"] = how
        self._log("server_resumed", how)
        if self.history is not None:
            self.history.fault_ended(record)

    def _log(self, what: str, detail: str) -> None:
        if self.log is not None:
            self.log(what, True, detail)


class UnownedServerWatch:
    """Watches a JACK server the run does not own (one the user started, named by
    ``JACK_DEFAULT_SERVER``) for stops from outside, by its pid, read-only.

    The rig's capture finds that server's jackd in ``/proc`` by its name (``RigCapture.server_runs``
    samples it) and hears it go (``ObservedOutages``: a kill is a ``server_outage``); a stop, though,
    ends no client and libjack says nothing of it, so the stall it causes was told as a machine that
    did not run the server. This watch polls the process's state every ``poll_s`` and records each
    stop from outside as ``ServerWatch`` does for the rig's own server (``OutsideStops``). It never
    signals, restarts or otherwise touches the server. ``find_pid``: the server's pid now (None: not
    found, or more than one)."""

    def __init__(self, find_pid: Callable[[], int | None], history: History | None, clock: Any, *,
                 server: str | None = None, poll_s: float = 0.05) -> None:
        self.find_pid = find_pid
        self.clock = clock
        self.poll_s = poll_s
        self._outside = OutsideStops(history, details={"server": server, "owned": False})
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def stops(self) -> list[FaultRecord]:
        """The stops from outside seen (``server_stopped``), the latest possibly still open."""
        return self._outside.stops

    #: the watch records no crash of its own: the capture's ``ObservedOutages`` records a kill
    records: ClassVar[tuple[FaultRecord, ...]] = ()

    def look(self) -> None:
        """One look at the server's state (the watch's poll; a caller that must know it now may too)."""
        with self._lock:
            self._outside.look(self.find_pid(), self.clock.now())

    def start(self) -> UnownedServerWatch:
        self._thread = threading.Thread(target=self._run, name="rig-unowned-server-watch", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.poll_s):
            self.look()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30.0)


class ObservedOutages:
    """Records in the history the JACK server outages the rig's capture observed on a server the
    run does not own (PortAudio's JACK host API device ``system``, ALSA's ``jack`` PCM, a server
    someone else started), as ``ServerWatch`` does for the rig a run owns: a fault of its own
    (kind ``server_outage``, target ``system``, trigger ``external``) from the last moment the rig
    heard the system (``AudioCheck.outage_begin``) to the moment its server served again (the
    rig's new client opened on it: ``AudioCheck.outage_server_back``), with why the capture ended
    and when the rig heard the system again (``heard_again_at``, in memory). The end is the
    server's, not the system's: ``ServerWatch`` ends its record when the restarted server is
    ready, and the recovery invariant counts the system's bound back to RUNNING from there, as
    after any transient fault (ended at the rig's hearing the system again, the record of a
    system that never recovers never ended, and was never judged). A device loss or stall in it
    is explained (``harness.device_losses``). An outage whose server the rig never saw back ends
    when the rig hears the system again (``outage_end``), or stays open.

    Wire it with ``AudioCheck.outage_listeners.append(outages)``; the capture calls it from the
    run's thread (its polls)."""

    def __init__(self, history: History | None, server: str | None = None) -> None:
        self.history = history
        self.server = server
        self.records: list[FaultRecord] = []
        self._open: FaultRecord | None = None
        self._lock = threading.Lock()

    def __call__(self, what: str, t: float, why: str) -> None:
        with self._lock:
            if what == "begin":
                if self._open is not None:
                    return  # the capture reports one outage at a time; a second begin is the same one
                record = FaultRecord(
                    firing_id=f"external-outage-{len(self.records) + 1}", fault_id="external", kind="server_outage",
                    target="system", trigger="external", fired_at=t,
                    details={"observed_by": "the rig's capture", "why": why, "server": self.server})
                self.records.append(record)
                self._open = record
                if self.history is not None:
                    self.history.fault_started(record)
            elif what == "back" and self._open is not None and self._open.ended_at is None:
                self._end(self._open, t)
            elif what == "end" and self._open is not None:
                record, self._open = self._open, None
                record.details["heard_again_at"] = t
                if record.ended_at is None:  # the server's return was not seen: the hearing ends it
                    self._end(record, t)

    def _end(self, record: FaultRecord, t: float) -> None:
        record.ended_at = max(t, record.fired_at)
        record.duration_s = record.ended_at - record.fired_at
        if self.history is not None:
            self.history.fault_ended(record)


@dataclass
class PulledCable(Fault):
    """The cable is pulled for ``duration_s`` (JACK ports disconnected), then plugged back in.

    Needs a target with ``pull_cable``/``replug_cable`` (``JackRigTarget``).
    """

    kind: ClassVar[str] = "pulled_cable"
    needs: ClassVar[frozenset[str]] = frozenset({"pull_cable"})
    lasting: ClassVar[bool] = True
    duration_s: float = 0.5

    def start(self, ctx: FaultContext) -> Any:
        pull = getattr(ctx.target, "pull_cable", None)
        if pull is None:
            raise UnsupportedFault(self.kind, f"{type(ctx.target).__name__} has no cable to pull")
        return {"removed": [list(p) for p in pull(self.target)]}

    def end(self, ctx: FaultContext, token: Any) -> None:
        ctx.target.replug_cable(self.target)  # type: ignore[attr-defined]


def target_for(system: AudioSystem, rig: LoopbackRig | None = None) -> FaultTarget:
    """The ``FaultTarget`` for ``system``: ``JackRigTarget`` over ``rig`` for a real backend on the
    JACK loopback rig, else ``harness.faults.target_for`` (the simulated device's hooks, or a real
    device the harness cannot touch)."""
    if rig is not None and getattr(system.backend, "name", None) in ("jack", "portaudio"):
        return JackRigTarget(rig, system)
    return _target_without_rig(system)


__all__ = ["JackRigTarget", "ObservedOutages", "OutsideStops", "PulledCable", "ServerWatch", "UnownedServerWatch", "RigAction", "UNSUPPORTED", "UnsupportedFault", "target_for"]
