"""External server kills: the JACK server killed from outside the harness, as a crash in the field.

The rig's own ``drop_device`` kills the server *knowing* it does; a crash in the field does not
announce itself (FIELD_NOTES: test both). Here a healthy system runs a reliability run with no
injected fault (``--faults none``) on one of the three routes to the JACK loopback rig, and, from
another thread, the server's process is ``SIGKILL``ed by pid (``os.kill``, behind the rig's back)
``kill_at_s`` into the run, at the first moment after it that the system is RUNNING with its
audio flowing on a serving server (``_Killer``: a kill of a system already down tests nothing a
field crash would; one the system is never ready for is not made, and says why), then started
again ``restart_after_s`` later:

=========  ===============================================================================
route      what runs, and who brings the server back
=========  ===============================================================================
jack       ``--backend jack``: the run owns its rig; the run's ``ServerWatch`` notices the
           unannounced death, records it as a fault and restarts the server
system     PortAudio's JACK host API device ``system`` (``--backend portaudio --device
           system``); the rig is outside the run, so the killer restarts it
alsa       ALSA's ``jack`` PCM device (``--backend portaudio --device jack``, host API ALSA);
           the killer restarts the server
=========  ===============================================================================

On every route the kill is in the run's history as an external fault: the ``ServerWatch``'s
``server_crash`` on ``jack``, the rig's capture's ``server_outage`` on ``system`` and ``alsa``
(``rig_target.ObservedOutages``), so the device loss it causes is explained
(``harness.device_losses``) and never a doubt of the run's.

The system is healthy and the fault is real, so every failed invariant is a false alarm, and
the right number of recovery episodes is exactly one. ``bench/bench_external_kills.py`` runs many;
``tests/harness/test_external_kills.py`` runs one per route.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from system_under_test import State
from system_under_test.devices.portaudio import PortAudioBackend

from .audio_check import stalled_for
from .device_losses import machine_starved, system_held
from .errors import UsageError
from .rig.loopback import LoopbackRig, pid_is_jackd
from .runner import ReliabilityRun, RunSpec

ROUTES = ("jack", "system", "alsa")


@dataclass
class KillOutcome:
    """One kill of a run that kills its server several times (``run_external_kills``): when, whose
    pid, and what the run's history holds of it, each kill judged on its own."""

    pid: int
    #: ``time.monotonic()`` just before the ``kill -9`` (the rig routes' history clock)
    at: float
    #: recovery episodes the kill is given: from its own (the one open at the kill, else the first
    #: begun after it) up to the next kill's; exactly one is right once the machine's are set apart
    episodes: int = 0
    #: those of them a stall of the whole JACK graph began (``machine_stall_episodes``)
    machine_stalls: list[str] = field(default_factory=list)
    #: external faults the history recorded for this kill (the nearest kill in time): exactly one
    recorded: int = 0
    #: seconds from the kill to the killer finding the server back, the system RUNNING for the gap
    #: and the rig hearing it again (None: never, within the killer's patience)
    back_after_s: float | None = None
    #: why the killer went on without that (the rig never heard the system again), if it did
    note: str = ""
    #: the system's state read just before the kill ("running" is what a kill is meant to hit:
    #: ``_Killer`` waits for it with audio flowing; any other is a kill made in another state)
    state_at_kill: str = ""
    #: seconds the kill waited for the system to be ready for it (RUNNING, audio flowing)
    waited_s: float = 0.0

    @property
    def recoveries(self) -> int:
        """Episodes from this kill, the machine's graph stalls after its own set apart."""
        return self.episodes - len(self.machine_stalls)


@dataclass
class KillResult:
    """One external kill: what the run said about it."""

    route: str
    seed: int
    exit_code: int
    killed_pid: int | None
    recoveries: int
    recovery_failures: int
    violations: list[str]
    final_state: str
    inconclusive: list[str] = field(default_factory=list)
    external_faults: int = 0
    run_dir: str = ""
    error: str | None = None
    #: each inconclusive invariant's message (its reason), by name: which rule doubted and why
    inconclusive_reasons: dict[str, str] = field(default_factory=dict)
    #: ``clean_audio``'s verdict: "held", "inconclusive", "violated" or "not analysed"
    clean_audio: str = "not analysed"
    #: server outages the rig's capture observed, and how many it heard the end of
    outages: int = 0
    outages_heard_again: int = 0
    #: capture agents that outlived their server's process with no word from libjack (the rig
    #: found the server gone itself: ``RigCapture._server_gone``), and where their threads were
    silent_server_deaths: list[dict[str, Any]] = field(default_factory=list)
    #: the steady-state check before the kill and after it ("yes", "no", "not observed", ...) and
    #: the glitches in its windows it counted as the machine's, by what the rig measured
    steady_before: str = ""
    steady_after: str = ""
    steady_excused: dict[str, int] = field(default_factory=dict)
    #: from the rig hearing the system again to the last glitch of the outage's window (s)
    time_to_clean_after_outage_s: float | None = None
    #: why the run's verdict is a doubt (inconclusive checks, an unobserved steady state), if it is
    doubts: list[str] = field(default_factory=list)
    #: recovery episodes that began and ended before the kill: a stall of the machine itself (on
    #: a loaded one, no callback for longer than the watchdog allows), not the kill's. One still
    #: open when the server was killed is the kill's (``episodes_before_kill``)
    recoveries_before_kill: int = 0
    #: recovery episodes that began after the kill's own, from a stall of the device during which
    #: JACK itself reported missed deadlines: the machine starving the graph (a second fault, the
    #: machine's), not the kill's; one line each (``machine_stall_episodes``)
    machine_stalls_after_kill: list[str] = field(default_factory=list)
    #: the ``recovery`` invariant's message (how its episodes and fault windows were judged)
    recovery: str = ""
    #: the ``recovery`` invariant's verdict ("held", "inconclusive", "violated"), and how many
    #: fault windows it judged the system's return after (held ones; a violated one says why)
    recovery_verdict: str = ""
    recovery_windows_judged: int = 0
    #: device stalls in the history (``harness.device_losses``: how ALSA's ``jack`` PCM loses its
    #: server), among ``device_losses``
    device_stalls: int = 0
    #: the latest a recovery timer fired in the run (the system's ``late_s``): the supervisor's
    #: measured starvation
    supervisor_late_max_s: float = 0.0

    #: why the kill this run was meant to have was not made (None: it was made, or the system
    #: never started): the killer never armed (the run ran no chunk), the run ended before the kill
    #: was due, or no server to kill. Its own outcome, never a run "with no kill" that passed
    kill_missed: str | None = None
    #: device losses in the history (``harness.device_losses``), and the descriptions of those no
    #: device fault and no observed outage explains (each a doubt of the run's: 0 is right, the
    #: kill being observed on every route)
    device_losses: int = 0
    unexplained_losses: list[str] = field(default_factory=list)
    #: recovery episodes the history holds (``recovery_started``), each ended by a success or a
    #: failure: what ``recoveries_before_kill`` is counted among. ``recoveries`` (the summary's)
    #: counts successes only; None: not read (no kill), ``recoveries`` stands for it
    episodes: int | None = None
    #: the glitches that made a steady-state window unsteady (``where``, kind, length in the rig's
    #: server cycles, JACK's xrun reports over it): ``unsteady_glitches``; whether the machine
    #: reported starving the graph while they were heard is the question their doubt raises
    unsteady: list[dict[str, Any]] = field(default_factory=list)
    #: every kill of the run, each judged on its own (``run_external_kills``; a one-kill run has
    #: one when its kill was made); ``killed_pid`` is the first's
    kills: list[KillOutcome] = field(default_factory=list)
    #: the kills the run meant to make and did not (``run_external_kills``): the system was not
    #: RUNNING with audio flowing within the killer's patience, or the run ended first; and each
    #: one's reason (the reasons it waited on, and how long each held)
    kills_missed: int = 0
    missed_kills: list[str] = field(default_factory=list)

    @property
    def false_violations(self) -> int:
        return len(self.violations)

    @property
    def recoveries_from_kill(self) -> int:
        """Recovery episodes from the kill on, the machine's own stalls after it apart: exactly
        one is right. Episodes, not successes: an episode before the kill that ended in failure
        counted among those before it and not among the successes left ``recoveries`` short
        (measured at load 15: 4 successes, 5 episodes over before the kill, "-1" recoveries)."""
        total = self.recoveries if self.episodes is None else self.episodes
        return total - self.recoveries_before_kill - len(self.machine_stalls_after_kill)


#: how often the killer asks whether the system is ready for its kill
POLL_S = 0.05
#: audio is flowing when the system's ``callbacks`` counter advanced between two reads at most
#: this far apart, the later one the killer's last: the system's watchdog reports a stall at
#: 250 ms without a block, so a system that called back within it is not stalled
FLOW_S = 0.25


def not_ready(state: Any, server_serving: bool, flowing: bool | None) -> str | None:
    """Why the system is not ready to have its server killed (None: it is): the kill is meant to
    hit a RUNNING system with audio flowing on a serving server, the case a crash in the field
    hits. ``flowing``: the system's own callbacks advanced within ``FLOW_S`` (None: not known, a
    first read or reads too far apart to tell: a starved killer, never said to be the system's
    silence). The reasons carry no figures: the killer adds up how long each held."""
    if not server_serving:
        return "the JACK server was not serving"
    if state != State.RUNNING:
        return f"the system was {getattr(state, 'value', state)}"
    if flowing is None:
        return f"not known whether audio flowed (the killer's own reads more than {FLOW_S:g} s apart)"
    if not flowing:
        return f"no callback of the system within {FLOW_S:g} s"
    return None


class _Flow:
    """Whether the system's audio flows, by its own ``callbacks`` counter read at each poll: a
    change between two reads at most ``FLOW_S`` apart proves a callback within ``FLOW_S`` of the
    later one; a starved killer that reads seconds apart proves nothing either way, and says so
    (None), never that the system fell silent."""

    def __init__(self, read: Any, clock: Any = time.monotonic) -> None:
        self.read = read
        self.clock = clock
        self._last: tuple[float, Any] | None = None

    def __call__(self) -> bool | None:
        """True: a callback within ``FLOW_S``; False: none between two reads at most ``FLOW_S``
        apart; None: not known (a first read, or the reads further apart than ``FLOW_S``)."""
        now, value = self.clock(), self.read()
        last, self._last = self._last, (now, value)
        if last is None or now - last[0] > FLOW_S:
            return None
        return value != last[1]


class _Killer:
    """Kills the server ``kill_at_s`` after it is armed, each kill once the system is ready for
    it; restarts the server (if told) ``restart_after_s`` after each.

    Every kill waits, asking ``ready`` every ``POLL_S``, until the system is RUNNING with its
    audio flowing on a serving server (``ready()`` is None; else it says why not: ``not_ready``):
    a kill of a system already down (recovering from a machine stall, FAILED, a server not back)
    tests nothing a field crash would and leaves the kill no recovery of its own. With ``kills``
    > 1 each next kill also waits until ``back`` (the rig) says it heard the system again after
    the kill before ("yes"; "unheard" for ``patience_s`` lets the kill go on with a note), then
    ``gap_s`` from the system's first being ready again, so that no kill lands in the last one's
    recovery; the gap is counted from that return, not as an unbroken stretch: on a starved
    machine the system's own stalls break every 2 s stretch (measured: bench/RESULTS.md), and a
    stall of the machine after the system was back is not the last kill's recovery. A kill whose
    system is not ready within ``patience_s`` of its wait is not made: ``missed`` says why (how
    long each reason held), and the next kill waits anew. The state the system was in at each
    kill is read just before it (``state_at``). ``finished`` is set once the last kill's system
    is back (or the killer stopped): the run can end there."""

    def __init__(self, pid_of: Any, kill_at_s: float, restart: Any | None, restart_after_s: float, *,
                 kills: int = 1, back: Any = None, ready: Any = None, state: Any = None, gap_s: float = 2.0,
                 patience_s: float = 45.0, kill: Any = os.kill) -> None:
        self.pid_of = pid_of
        #: how a pid is killed (``os.kill``; a test's stand-in records it instead)
        self.kill = kill
        self.kill_at_s = kill_at_s
        self.restart = restart
        self.restart_after_s = restart_after_s
        self.kills = kills
        self.back = back
        self.ready = ready
        self.state = state
        self.gap_s = gap_s
        self.patience_s = patience_s
        self.killed_pid: int | None = None
        #: ``time.monotonic()`` just after the kill: the rig routes' system clock
        self.killed_at: float | None = None
        #: every kill made: (pid, ``time.monotonic()`` just before it)
        self.made: list[tuple[int, float]] = []
        #: per kill made: the system's state read just before it, and how long it waited to be ready
        self.state_at: list[str] = []
        self.waited: list[float] = []
        #: per kill made (by its index in ``made``), seconds from it to the system's first being
        #: ready again with the rig hearing it (None: never, in the wait after it), and a note
        self.back_after: dict[int, float | None] = {}
        self.notes: dict[int, str] = {}
        #: per kill not made, why (the reasons it waited on, and for how long)
        self.missed_kills: list[str] = []
        self.error: str | None = None
        self.finished = threading.Event()
        self._cancel = threading.Event()
        self._armed = threading.Event()
        self._thread = threading.Thread(target=self._run, name="external-killer", daemon=True)

    @property
    def missed(self) -> str | None:
        """Why kills were not made (None: none missed): the first missed kill's reason."""
        return self.missed_kills[0] if self.missed_kills else None

    def start(self) -> None:
        """Start the killer's thread before the run, so the run counts it among the threads that
        were there before it (the environment's, not the system's): a kill timed after the run's end
        leaves it waiting when ``resources`` looks for threads the system left behind."""
        self._thread.start()

    def arm(self) -> None:
        """Start counting ``kill_at_s`` from now."""
        self._armed.set()

    def _run(self) -> None:
        try:
            self._kill_all()
        finally:
            self.finished.set()

    def _kill_all(self) -> None:
        self._armed.wait()
        if self._cancel.is_set() or self._cancel.wait(self.kill_at_s):  # the fault itself is a moment in the run, not a wait
            return
        for i in range(self.kills):
            if self._cancel.is_set():
                return
            waited = self._await_ready(i)
            if waited is None:
                continue  # missed, said why: the next kill waits anew
            if not self._kill_once(waited):
                return
        if self.back is not None and self.made:
            self._await_ready(len(self.made), last=True)

    def _kill_once(self, waited: float) -> bool:
        pid = self.pid_of()
        if pid is None or not pid_is_jackd(pid):
            self.error = f"no jackd to kill (pid {pid})"
            return False
        state = self.state() if self.state is not None else None
        before = time.monotonic()
        self.kill(pid, signal.SIGKILL)  # by pid, from outside: the rig is not told
        self.made.append((pid, before))
        self.state_at.append("" if state is None else str(getattr(state, "value", state)))
        self.waited.append(waited)
        if self.killed_pid is None:
            self.killed_at = before
            self.killed_pid = pid
        if self.restart is None:
            return True
        if self._cancel.wait(self.restart_after_s):
            return False
        try:
            self.restart()
        except Exception as exc:  # noqa: BLE001 - reported with the result
            self.error = f"restart failed: {exc}"
            return False
        return True

    def _back(self, since: float | None, note: str) -> None:
        """The last kill made was followed by the system's return at ``since`` (None: not in this
        wait); the first wait after a kill says it (a later one, after a missed kill, does not)."""
        j = len(self.made) - 1
        if j >= 0 and j not in self.back_after:
            self.back_after[j] = None if since is None else since - self.made[j][1]
            self.notes[j] = note

    def _await_ready(self, i: int, *, last: bool = False) -> float | None:
        """Wait until the system is ready for kill ``i`` (0-based; ``last``: no kill follows, only
        the last kill's return is awaited): ``ready`` says so, and after a kill also ``back`` and
        ``gap_s`` from the system's first return. Returns the seconds waited, or None when the
        kill is not to be made (the run ended, or ``patience_s`` passed: said in
        ``missed_kills``, each reason with how long it held)."""
        t0 = prev = time.monotonic()
        deadline = t0 + self.patience_s
        after = self.made[-1][1] if self.made else None  # the kill before this one, if any
        back_since: float | None = None
        unheard_since: float | None = None
        note = ""
        held: dict[str, float] = {}
        while not self._cancel.wait(POLL_S):
            now = time.monotonic()
            dt, prev = now - prev, now
            why = self.ready() if self.ready is not None else None
            if why is None and after is not None and self.back is not None and not note:
                if self.back() == "yes":
                    unheard_since = None
                else:
                    unheard_since = now if unheard_since is None else unheard_since
                    if now - unheard_since >= self.patience_s:
                        note = (f"the rig did not hear the system again for {self.patience_s:g} s with it "
                                "RUNNING on a serving server: the next kill made all the same")
                    else:
                        why = "the rig had not heard the system again since the outage"
            if why is None:
                back_since = now if back_since is None else back_since
                if after is None or now - back_since >= self.gap_s:
                    self._back(back_since, note)
                    return now - t0
                continue
            held[why] = held.get(why, 0.0) + dt
            if why.startswith("the rig had not heard"):
                continue  # its own patience, above
            if now >= deadline:
                break
        self._back(back_since, note)
        if last:
            return None
        waits = "; ".join(f"{why} for {s:.1f} s" for why, s in sorted(held.items(), key=lambda kv: -kv[1]))
        ended = "the run ended" if self._cancel.is_set() else f"{self.patience_s:g} s passed"
        self.missed_kills.append(f"kill {i + 1} not made: {ended} before the system was RUNNING with audio "
                                 f"flowing ({time.monotonic() - t0:.1f} s waited: {waits or 'no answer yet'})")
        return None

    def stop(self) -> None:
        self._cancel.set()
        self._armed.set()  # a killer never armed (the run never ran) ends too
        self._thread.join(timeout=30)


def run_external_kill(route: str, *, seed: int = 1, duration_s: float = 8.0, kill_at_s: float = 3.0,
                      restart_after_s: float = 2.0, report_root: Path, config: dict[str, Any] | None = None,
                      system_factory: Any = None) -> KillResult:
    """One reliability run (no injected faults) on ``route`` with one external server kill.
    ``system_factory``: the system to run (``ReliabilityRun``'s; None: the shipped one)."""
    _check_route(route)

    def execute(run: ReliabilityRun, rig_of: Any, restart: Any) -> KillResult:
        # the killer reads the server's pid when the time comes (the jack route's run starts its own rig)
        system: list[Any] = []
        killer = _Killer(lambda: rig_of().pid if rig_of() is not None else None, kill_at_s, restart,
                         restart_after_s if restart is not None else 0.0, ready=_readiness(rig_of, system),
                         state=lambda: system[0].state if system else None, patience_s=duration_s)
        return _execute(route, run, killer, system=system)

    return _on_route(route, duration_s=duration_s, seed=seed, label=f"kill-{route}", report_root=report_root,
                     config=config, system_factory=system_factory, execute=execute)


def _check_route(route: str) -> None:
    if route not in ROUTES:
        raise ValueError(f"unknown route {route!r} (choose from {', '.join(ROUTES)})")


def _on_route(route: str, *, duration_s: float, seed: int, label: str, report_root: Path,
              config: dict[str, Any] | None, system_factory: Any, execute: Any) -> KillResult:
    """A run with no injected faults on ``route``, handed to ``execute(run, rig_of, restart)``:
    ``rig_of()`` the rig whose server is killed, ``restart`` what starts it again (None on the
    ``jack`` route, whose run starts and restarts its own rig)."""
    report_root.mkdir(parents=True, exist_ok=True)
    if route == "jack":
        spec = RunSpec(backend="jack", duration_s=duration_s, seed=seed, faults="none", config=config,
                       report_root=report_root, label=label)
        run = ReliabilityRun(spec, system_factory=system_factory)
        return execute(run, lambda: run.rig, None)
    # The server is the environment here, as a sound server is in the field: no monitoring client
    # of ours stays on it (a restart would leave the agent's reader thread in the run's process).
    with LoopbackRig(monitor=False) as rig:
        backend, device = _route_backend(route, rig)
        spec = RunSpec(backend="portaudio", device=device, duration_s=duration_s, seed=seed, faults="none",
                       config=config, report_root=report_root, label=label)
        run = ReliabilityRun(spec, backend=backend, system_factory=system_factory)
        return execute(run, lambda: rig, rig.restart_server)


def _route_backend(route: str, rig: LoopbackRig) -> tuple[PortAudioBackend, str]:
    """The PortAudio backend and device name of a route on a server the run does not own."""
    if route == "system":
        return PortAudioBackend(jack_server=rig.server_name), "system"
    return PortAudioBackend(host_api="ALSA", jack_server=rig.server_name), "jack"


def run_external_kills(route: str, *, kills: int, seed: int = 1, kill_at_s: float = 3.0,
                       restart_after_s: float = 2.0, gap_s: float = 2.0, patience_s: float = 45.0,
                       report_root: Path, config: dict[str, Any] | None = None,
                       system_factory: Any = None) -> KillResult:
    """One reliability run (no injected faults) on ``route`` whose server is ``kill -9``ed
    ``kills`` times from outside, each kill judged on its own (``KillResult.kills``).

    The first kill comes ``kill_at_s`` after the run's first chunk, once the system is RUNNING with
    audio flowing; each next one once the system is back after the one before (the server serving
    again, the system RUNNING with audio flowing and the rig hearing it, ``gap_s`` after its
    return; ``_Killer``), so that no kill lands in the last one's recovery; a kill the system is
    not ready for within ``patience_s`` is not made (``KillResult.missed_kills`` says why) and the
    next waits anew; the run ends once the last kill's system is back (``ReliabilityRun.execute``'s
    ``until``), judged as any run. Its duration is a cap: every kill given ``patience_s``. What
    the start of a run costs (the server's start, the system's, its steady-state window: about 4 s
    near idle, measured) is paid once for all its kills."""
    _check_route(route)
    if kills < 1:
        raise ValueError(f"kills must be 1 or more, got {kills}")
    cap_s = kill_at_s + kills * (restart_after_s + patience_s + gap_s) + 5.0

    def execute(run: ReliabilityRun, rig_of: Any, restart: Any) -> KillResult:
        return _execute_series(route, run, rig_of, restart, kills=kills, kill_at_s=kill_at_s,
                               restart_after_s=restart_after_s if restart is not None else 0.0, gap_s=gap_s,
                               patience_s=patience_s)

    return _on_route(route, duration_s=cap_s, seed=seed, label=f"kills-{route}", report_root=report_root,
                     config=config, system_factory=system_factory, execute=execute)


def _readiness(rig_of: Any, system: list[Any]) -> Any:
    """``_Killer``'s ``ready``: why the system (``system[0]`` once the run's first chunk put it
    there) is not yet RUNNING with audio flowing on a serving server (``not_ready``), or None.
    The audio evidence is the system's own ``callbacks`` counter (``_Flow``): it moves with every
    block the device delivers, in the harness process, where the rig's capture is read only once
    a chunk."""
    flow = _Flow(lambda: system[0].monitoring.value("callbacks") if system else None)

    def ready() -> str | None:
        rig = rig_of()
        serving = rig is not None and bool(rig.running)
        if not system:
            return "the run had not started the system"
        return not_ready(system[0].state, serving, flow())

    return ready


def _execute_series(route: str, run: ReliabilityRun, rig_of: Any, restart: Any, *, kills: int, kill_at_s: float,
                    restart_after_s: float, gap_s: float, patience_s: float) -> KillResult:
    """``_execute`` with a killer that kills ``kills`` times, each once the system is back."""
    system: list[Any] = []
    heard_before: list[int] = []
    readiness = _readiness(rig_of, system)

    def pid_of() -> int | None:
        rig = rig_of()
        pid = rig.pid if rig is not None else None
        audio = run.audio
        # the outages the rig observed before this kill: the kill's is the next one
        heard_before.append(audio.outages_heard()[0] if audio is not None and audio.available else 0)
        return pid

    def ready() -> str | None:
        rig = rig_of()
        if killer.made and rig is not None and rig.pid == killer.made[-1][0]:
            return "the JACK server was not serving"  # the killed one, not yet restarted
        return readiness()

    def back() -> str:
        audio = run.audio
        if audio is None or not audio.available:
            return "yes"  # no ears: the system RUNNING on a serving server is all there is to wait for
        observed, heard = audio.outages_heard()
        return "yes" if observed > heard_before[-1] and heard == observed else "unheard"

    killer = _Killer(pid_of, kill_at_s, restart, restart_after_s, kills=kills, back=back, ready=ready,
                     state=lambda: system[0].state if system else None, gap_s=gap_s, patience_s=patience_s)
    return _execute(route, run, killer, system=system)


def _execute(route: str, run: ReliabilityRun, killer: _Killer, *, system: list[Any] | None = None) -> KillResult:
    armed = threading.Event()
    series = killer.back is not None

    def on_progress(progress: Any) -> None:
        # Armed after the run's first chunk (the system is running): the kill time counts from there.
        if not armed.is_set():
            armed.set()
            killer.arm()

    def on_chunk(run: Any, running: Any, history: Any) -> None:
        if system is not None and not system:
            system.append(running)  # the killer asks its state before each kill after the first

    killer.start()
    try:
        result = run.execute(on_progress=on_progress, on_chunk=on_chunk,
                             until=killer.finished.is_set if series else None)
    except UsageError as exc:  # the system never started (before any kill): no verdict to judge
        return KillResult(route, run.spec.seed, 2, None, 0, 0, [], "not started", error=f"did not start: {exc}")
    finally:
        killer.stop()
    s = result.summary
    missed = None if killer.killed_pid is not None else missed_kill(
        armed.is_set(), killer.error, killer.kill_at_s, run.spec.duration_s, s.get("steady_state") or {},
        killer.missed)
    violations = [f"{v['name']}: {v['message']}" for v in s["violations"]]
    reasons = inconclusive_reasons(result.verdicts)
    inconclusive = list(reasons)
    externals = [f for f in result.history.faults() if f.get("trigger") == "external"]
    external = len(externals)
    res = KillResult(route, run.spec.seed, result.exit_code, killer.killed_pid, int(s["recoveries"]),
                     int(s["recovery_failures"]), violations, s["final_state"], inconclusive, external,
                     str(result.run_dir), killer.error, inconclusive_reasons=reasons, kill_missed=missed)
    res.missed_kills = list(killer.missed_kills)
    if series:
        res.kills_missed = killer.kills - len(killer.made)
        if res.kills_missed and missed is None:
            res.kill_missed = killer.missed or killer.error or "the run ended before every kill was made"
        unsaid = res.kills_missed - len(res.missed_kills)
        if unsaid > 0:  # the killer stopped (an error, the run's end) before it waited for these
            res.missed_kills += [f"not made: {killer.error or 'the run ended before the killer came to them'}"] * unsaid
    losses = s.get("device_losses") or {}
    res.device_losses = int(losses.get("count") or 0)
    res.device_stalls = int(losses.get("stalls") or 0)
    res.unexplained_losses = [str(x) for x in losses.get("unexplained") or ()]
    _audio_of(res, s.get("audio") or {}, result.verdicts)
    clock = result.history.clock
    if killer.killed_at is not None and clock is not None and not clock.virtual:
        starts = list(result.history.events("recovery_started"))
        res.episodes = len(starts)
        ends = [e.time for kind in ("recovery_succeeded", "recovery_failed") for e in result.history.events(kind)]
        res.recoveries_before_kill, open_at_kill = episodes_before_kill([e.time for e in starts], ends,
                                                                        killer.killed_at)
        audio = getattr(run, "audio", None)
        res.machine_stalls_after_kill = machine_stall_episodes(starts, killer.killed_at, audio,
                                                               open_at_kill=open_at_kill)
        res.kills = kill_outcomes(killer.made, starts, ends, [float(f["fired_at"]) for f in externals], audio)
        for j, outcome in enumerate(res.kills):
            outcome.back_after_s, outcome.note = killer.back_after.get(j), killer.notes.get(j, "")
            outcome.state_at_kill = killer.state_at[j]
            outcome.waited_s = round(killer.waited[j], 3)
        if len(res.kills) > 1:  # every kill's own set apart, not only the first's
            res.machine_stalls_after_kill = [m for k in res.kills for m in k.machine_stalls]
    res.doubts = [str(d)[:300] for d in getattr(result.verdict, "doubts", ())]
    steady = s.get("steady_state") or {}
    res.unsteady = unsteady_glitches(getattr(run, "audio", None), steady)
    res.steady_before, res.steady_after = str(steady.get("before", "")), str(steady.get("after", ""))
    for key in ("before_excused", "after_excused"):
        for why, n in (steady.get(key) or {}).items():
            res.steady_excused[why] = res.steady_excused.get(why, 0) + int(n)
    rec = next((v for v in result.verdicts if v.name == "recovery"), None)
    res.recovery = "" if rec is None else rec.message[:300]
    if rec is not None:
        res.recovery_verdict = "inconclusive" if rec.inconclusive else "held" if rec.ok else "violated"
        judged = _WINDOWS_JUDGED.search(rec.message)
        res.recovery_windows_judged = int(judged.group(1)) if judged else 0
    res.supervisor_late_max_s = max((float(e.data.get("late_s") or 0.0) for e in result.history.entries
                                     if e.type == "event" and e.value in ("recovery_attempt", "recovery_failed")),
                                    default=0.0)
    return res


def missed_kill(armed: bool, error: str | None, kill_at_s: float, duration_s: float,
                steady: dict[str, Any], waited: str | None = None) -> str:
    """Why a run meant to have its server killed had none: ``armed``, whether the killer was armed
    (the run's first chunk); ``error``, the killer's own (no server to kill, a failed restart);
    ``steady``, the summary's ``steady_state`` (its watch before the faults, which a starved
    machine can stretch past the run's time); ``waited``, the killer's word on a kill it waited
    for and did not make (the system never RUNNING with audio flowing: ``_Killer.missed``)."""
    if error is not None:
        return f"the killer failed: {error}"
    if waited is not None:
        return waited
    if not armed:
        span = steady.get("before_span")
        took = f"; the steady-state watch before the faults took {span[1] - span[0]:.1f} s" if span else ""
        return f"never armed: the run ran no chunk of its {duration_s:g} s{took}"
    return f"the run ended before the kill was due ({kill_at_s:g} s after its first chunk, in a {duration_s:g} s run)"


#: the longest reason kept per inconclusive invariant (a message ends in its evidence's figures)
REASON_CHARS = 600


def inconclusive_reasons(verdicts: Any) -> dict[str, str]:
    """Each inconclusive verdict's message by its invariant's name, in the verdicts' order. A
    name alone ("clean_audio") does not say which of an invariant's rules doubted: the audio
    check alone has several (a long silence through dense xrun reports, a short glitch on a
    rig that reported xruns, windows the rig could not hear, no tone analysed), and only the
    message tells them apart."""
    return {v.name: str(v.message)[:REASON_CHARS] for v in verdicts if getattr(v, "inconclusive", False)}


#: the ``recovery`` invariant's count of fault windows it judged and found recovered in time
_WINDOWS_JUDGED = re.compile(r"(\d+) fault window\(s\) recovered in time")
_FIGURE = re.compile(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
_PARENS = re.compile(r"\([^()]*\d[^()]*\)")


def doubt_reason(name: str, message: str, *, chars: int = 160) -> str:
    """A reason to count doubts by: ``name: message`` with its parentheses that hold figures
    (counts by kind, seconds lost) as ``(...)`` and its other figures as ``N``, cut to its first
    ``chars`` characters, so that two runs doubting by one rule give one key whatever they
    measured, and two rules never share one (their wording differs before the figures do)."""
    text = _FIGURE.sub("N", _PARENS.sub("(...)", " ".join(str(message).split())))
    return f"{name}: {text[:chars]}"


def episodes_before_kill(starts: list[float], ends: list[float], killed_at: float) -> tuple[int, bool]:
    """How many recovery episodes (``starts``, ``ends``: the times of ``recovery_started`` and of
    ``recovery_succeeded``/``recovery_failed``; one episode at a time) were over before the kill,
    and whether one was still open at it.

    An open one is the kill's own: the server died while the system was recovering from
    something else (measured at load average 16 on 2 cores, route ``system``: a 268 ms stall of
    the machine's 0.4 s before the kill began an episode; its first attempt met the dead server,
    "no input device named 'system'", the next, after the restart, succeeded), so that episode
    is the one that recovers from the kill and the kill starts none of its own. Counting it as
    before the kill left the kill none ("0 == 1")."""
    begun = sum(1 for t in starts if t < killed_at)
    over = min(begun, sum(1 for t in ends if t < killed_at))
    return over, begun > over


def kill_outcomes(made: list[tuple[int, float]], starts: list[Any], ends: list[float], fired: list[float],
                  audio: Any) -> list[KillOutcome]:
    """Each kill of a run (``made``: pid and time, in order) with the recovery episodes and the
    external fault records that are its own.

    ``starts``: the history's ``recovery_started`` events, ``ends`` the times of its
    ``recovery_succeeded``/``recovery_failed`` (one episode at a time). Every episode is given to
    one kill: the ones over before the first kill to none (the machine's, ``episodes_before_kill``),
    the rest to the last kill before which they were not over, so an episode still open at a kill
    is that kill's own, as with one kill. Among a kill's episodes, the graph stalls JACK reported
    after its own are the machine's (``machine_stall_episodes``). ``fired``: the ``fired_at`` of
    the history's external faults, each given to the kill nearest in time (the rig's capture dates
    an outage from its last hearing of the system, a little before the kill; the server watch a
    poll after it)."""
    times = [e.time for e in starts]
    over = [episodes_before_kill(times, ends, at)[0] for _, at in made] + [len(starts)]
    outcomes = []
    for i, (pid, at) in enumerate(made):
        own = starts[over[i]:over[i + 1]]
        open_at_kill = bool(own) and own[0].time < at
        outcomes.append(KillOutcome(pid, at, len(own), machine_stall_episodes(own, at, audio,
                                                                             open_at_kill=open_at_kill)))
    for t in fired:
        if outcomes:
            min(outcomes, key=lambda k: abs(k.at - t)).recorded += 1
    return outcomes


def machine_stall_episodes(starts: Any, killed_at: float, audio: Any, *, open_at_kill: bool = False) -> list[str]:
    """The recovery episodes after the kill's own (the one open at ``killed_at`` when
    ``open_at_kill``, else the first that began at or after it) that a stall of the whole JACK
    graph began: a watchdog saw no block for a measured stretch
    (``DeviceStalledError``: the device host's ``silent_s``, the system supervisor's
    ``stalled_for_s``) and JACK reported xruns for that stretch
    (``AudioCheck.jack_xruns_between``). On a loaded machine a server with no realtime priority
    can miss a quarter of a second of cycles (measured at load average 13: 250 ms without a
    block 1.8 s after the kill's recovery, 240 JACK xruns in the 8 s run); the system recovering
    from that is right, and it is the machine's fault, not a second episode of the kill's. So is
    a stall over at least half of whose silence the JACK server itself did not run
    (``AudioCheck.server_idle_between``: stopped, or not scheduled, when JACK reports nothing).

    Any other later episode (another cause, a stall JACK did not report: the system's own
    stream going quiet, a recovery that flaps, a stall the system's own callback held while the
    device kept calling back, or held computing past its budget while the machine kept it
    waiting: ``device_losses.system_held``, the loss fold's own question) stays the kill's, and
    fails "exactly one"."""
    if audio is None or not hasattr(audio, "jack_xruns_between"):
        return []
    after = [e for e in starts if e.time >= killed_at][0 if open_at_kill else 1:]
    found = []
    for e in after:
        error = (e.data or {}).get("error") or {}
        if error.get("type") != "DeviceStalledError":
            continue
        silent_s = stalled_for(f"{error['type']}: {error.get('message', '')}", error.get("details"))
        if system_held(error.get("details") or {}, silent_s) is not None:
            continue  # the system's own callback held the silence (or whose it was cannot be told):
            # not the machine's, whatever JACK reported, as the loss fold reads it
        starved = machine_starved(e.time, silent_s, audio.jack_xruns_between,
                                  getattr(audio, "server_idle_between", None))
        if starved is not None and starved[0] == "server_idle":
            found.append(f"{e.time:.3f}: no block for {silent_s * 1000:.0f} ms, the JACK server did not "
                         f"run for {starved[1] * 1000:.0f} ms of it")
        elif starved is not None and (error.get("details") or {}).get("input_underflow"):
            # blocks came, none with input: a capture client of the device's that JACK reported
            # missing its deadlines (ALSA's jack PCM after a server restart), which the system
            # noticed and recovered from; not a second episode of the kill's
            found.append(f"{e.time:.3f}: no input for {silent_s * 1000:.0f} ms (every block underflowed), "
                         f"{starved[1]} JACK xrun report(s) over it")
        elif (error.get("details") or {}).get("input_underflow"):
            # the same starved capture with no JACK report over it (measured on the ALSA route at
            # load 0.4: 0.25 s after the third kill's recovery, every block flagged input_underflow
            # by PortAudio, no xrun reported): the flag is the device's own word that its capture
            # brought nothing, which no code of the system can raise; the system noticing it is
            # a second fault handled, not the kill's episode flapping
            found.append(f"{e.time:.3f}: no input for {silent_s * 1000:.0f} ms (every block underflowed), "
                         f"the device flagged it, no JACK xrun report over it")
        elif starved is not None:
            found.append(f"{e.time:.3f}: no block for {silent_s * 1000:.0f} ms, "
                         f"{starved[1]} JACK xrun report(s) over it")
    return found


def unsteady_glitches(audio: Any, steady: dict[str, Any]) -> list[dict[str, Any]]:
    """The glitches that made the run's steady-state windows (``steady``: the summary's
    ``steady_state``) unsteady: every glitch heard in a window judged "no" or "not observed" that
    the rig did not measure as the machine's (``AudioCheck.machine_cause``), with its length in
    the rig's server cycles and how many xruns JACK reported over it
    (``AudioCheck.jack_xruns_between``; None: reports of that time let go). A long silence
    through dense reports is a starved graph the check cannot tell from the system; one JACK
    reported nothing over is the system's to answer for."""
    if audio is None or not getattr(audio, "available", False) or not hasattr(audio, "glitches_between"):
        return []
    cycle = getattr(audio, "cycle_frames", None) or 0
    found: list[dict[str, Any]] = []
    for where, verdict, span in (("before", "no", steady.get("before_span")),
                                 ("after", "not observed", steady.get("after_span"))):
        if steady.get(where) != verdict or not span:
            continue
        for g in audio.glitches_between(float(span[0]), float(span[1])) or ():
            if audio.machine_cause(g) is not None:
                continue
            frames = int(g["end_frame"]) - int(g["start_frame"]) if "end_frame" in g else None
            found.append({"where": where, "kind": g["kind"], "channel": g.get("channel"),
                          "cycles": round(frames / cycle, 2) if cycle and frames is not None else None,
                          "t": round(float(g["t_start"]), 4),
                          "jack_xruns_over_it": audio.jack_xruns_between(float(g["t_start"]), float(g["t_end"]))})
    return found


def _audio_of(res: KillResult, audio: dict[str, Any], verdicts: list[Any]) -> None:
    """What the rig heard of the kill: ``clean_audio``'s verdict, the outages it observed, and how
    long the audio took to be clean once it heard the system again."""
    if not audio.get("analysed"):
        return
    clean = next((v for v in verdicts if v.name == "clean_audio"), None)
    res.clean_audio = ("not analysed" if clean is None else "inconclusive" if clean.inconclusive
                       else "held" if clean.ok else "violated")
    res.silent_server_deaths = list((audio.get("capture") or {}).get("silent_server_deaths") or [])
    outs = [w for w in audio["windows"]["items"] if w.get("outages")]
    res.outages = sum(len(w["outages"]) for w in outs)
    res.outages_heard_again = sum(1 for w in outs for o in w["outages"] if o["to"] is not None)
    after = [w["time_to_clean_after_outage_s"] for w in outs if "time_to_clean_after_outage_s" in w]
    res.time_to_clean_after_outage_s = max(after) if after else None


__all__ = ["FLOW_S", "KillOutcome", "KillResult", "ROUTES", "not_ready", "doubt_reason", "episodes_before_kill", "inconclusive_reasons",
           "kill_outcomes", "machine_stall_episodes", "missed_kill", "run_external_kill", "run_external_kills",
           "unsteady_glitches"]
