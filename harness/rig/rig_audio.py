"""The rig's ears: a test tone into a system on a JACK server and a capture of what it plays.

On the simulated device the harness hears the system through the device's output tap. On a real
JACK server (the loopback rig behind ``--backend jack``, PortAudio's JACK host API device
``system``, ALSA's ``jack`` PCM) it hears it through a JACK client of its own in an agent process
(``harness.rig._jackagent`` in capture mode; never in the harness process: libjack can take its
process down when the server is killed). That client plays a steady 997 Hz sine into every input
port of the system's stream and records every output port of it (one ear per channel, channel
``k`` into ``ears_k``), cycle by cycle, with the ``time.monotonic()`` of each cycle and which
channels it heard, into a file in the run folder. ``RigCapture.poll()`` (called from the run's
loop, and once more at the end) reads what is new and hands it to ``AudioCheck.feed`` as blocks of
every channel on the system's clock (``SystemClock`` is ``time.monotonic``), so the check holds
the other channels to the analysed one on a real device as it does on the simulated one.

A channel the rig did not hear in a cycle (its ear not yet wired to it: a stream whose ports
appear one at a time, a recovery that reopened the stream under new port names; a stream with
fewer channels than the capture has ears; ``_jackagent.TONE_SETTLE_S`` after the tone went into an input of
the stream that had none, while the channels' inputs differ) reaches the check as NaN, "not heard", never as
silence: the check does not hold it to the analysed channel there, so the wiring's own moments
never look like a lost channel. Channel 0, the analysed one, is fed as captured: while the
stream is gone its silence is the system's, judged against the window its restart or recovery
opened. Before that, at the run's start, nothing is fed until the first cycle that heard the system
whole (heard bit 0: ``ears_0`` wired to the stream's channel 0 and the tone through the stream's
inputs, ``_jackagent._Agent._process``): until then the stream plays what the rig has not fed it,
and JACK, holding the wiring's connections while a client is late in its cycle, can make that
last past the start window (``first_heard_at``, ``unheard_frames`` in the capture's summary).
Missed cycles and xruns touch every channel alike (all are read in one cycle).

When the server dies the capture client dies with it. ``poll()`` starts a new agent whenever the
old one is gone; the new one waits (``OPEN_TIMEOUT_S``) for the server to come back, opens, and
its wiring thread connects the recovered system's stream (a ``WIRED`` record). What the rig then
tells the check depends on why the old client ended:

- libjack told it the server shut down (``JackAgent.shutdown_reason``): an *outage* the rig
  observed, an external fault like a harness-injected one. ``AudioCheck.outage_begin`` at the
  last moment the rig heard the system, ``AudioCheck.outage_end`` at the new client's first
  ``WIRED`` record: a window (label ``server_outage``) in which damage is expected, joined by the
  system's recovery episode if it began inside it, closed the settle margin after both ended.
  The audio after it is judged as any other. An outage the rig never heard the end of (no new
  client wired to the system before the run ended) is *inconclusive*.
- the server's process is gone while the client lives on (``_server_gone``: the jackd serving
  the name when the agent opened, read from ``/proc``, no longer alive): the same outage. libjack
  does not always say so: 3 of 90 loaded external kills left a capture agent alive and silent
  for the rest of the run, with no shutdown callback, and the rig observed no outage. Such an
  agent is asked where its threads are (``JackAgent.stacks``, kept in ``silent_deaths``), then
  killed and replaced like one libjack told.
- anything else (the agent killed, crashed): the rig's own ear failed, and the stretch from its
  last record to the new client's first is blind (``AudioCheck.blind``): every window it overlaps
  is *inconclusive*, never passed and never violated.

Cycles a live capture client missed (its server frame counter jumped: a loaded machine; not
where the next record repeats the frame: that cycle's callback ran late and read the next
cycle's frame, ``_next_block_frame``) are reported with ``AudioCheck.missed``: silence inside a window of their own, judged where JACK
reported an xrun (the graph missed those deadlines) or where the window's other members excuse the
audio there (``AudioCheck._missed_where_excused``), blind where neither. Their frames, like the
stretch between two capture clients, are the rig's own misses (``capture_gap`` in the summary), never
a loss of the system's that the check asks the analysis to hear.

Whose audio the rig hears: the system's own stream client. ``poll()`` tells the agent the process
id of the system's current device host (``follow``) whenever it changes; ALSA's ``jack`` PCM puts
that pid in its client's name, so that route is followed exactly, and a client carrying another
process's pid is never taken for the system's. PortAudio's JACK host API names its clients
``PortAudio``, ``PortAudio-01``...: there the system's is the newest of them (JACK client UUIDs
grow in opening order; a recovery's reopened stream is the newest).

Known limits: on the JACK host API route a second PortAudio client opened on the server *after*
the system's stream is taken for it (the names carry no pid); a stream wider than
``MAX_EARS`` channels is heard in its first ``MAX_EARS``; the stream's input hears the tone only once the
wiring thread found its ports (``WIRE_POLL_S``), so a (re)started stream plays a moment of its
own silence first, inside the window its start opened; a channel is not heard until the server's
running graph lists its connection, and a period after that (the heard mask); on the JACK host
API routes the stream's input gets the tone a period late (the tone closes a loop, a feedback connection, so the system's
client never waits for the rig's; the rig's waits for the system's instead, so a cycle the
system's client has not finished by the next one is a cycle the rig misses: not heard, never
silence, and reported by JACK as an xrun); a pulled-cable fault on the rig is undone at once by the
wiring thread (its connections are re-made).
"""

from __future__ import annotations

import ctypes
import os
import secrets
import time
from pathlib import Path
from typing import Any

import numpy as np

from ._jackagent import HEADER, RIG_PREFIX, WIRED, XRUN
from .awake import AsleepBound, tree_state
from .jack_agent import JackAgent
from .loopback import pid_is_jackd, server_pids, wedged_metadata_db_note
from .server_runs import ServerRuns

__all__ = ["RigCapture", "jack_server_of", "system_stream_pid"]

#: how long a capture agent may take to open its client (the server may be restarting)
OPEN_TIMEOUT_S = 60.0
#: how long a run waits for its first capture agent before the system starts: the time this process's
#: tree sleeps through the wait (``AsleepBound``), so an agent whose interpreter waits for a CPU is
#: waited for, and one retrying against a name no server serves spends it
READY_TIMEOUT_S = 20.0
#: the wall-clock guard of that wait when the tree never sleeps (a busy hang)
READY_HANG_S = 300.0
#: capture agents ``wait_ready`` starts at most while its server goes away under them (each one
#: after its server's jackd was seen gone: a server killed again and again as the run starts)
MAX_START_AGENTS = 5
#: how long ``poll()`` waits for the agent to take a new device host pid to follow
FOLLOW_TIMEOUT_S = 0.5
#: how long an agent may outlive its server's process before it is taken for one libjack never
#: told: libjack's shutdown callback normally ends it within milliseconds, a starved machine
#: may delay that; the outage is placed at the last moment the rig heard the system either way
SILENT_DEATH_GRACE_S = 1.0


def system_stream_pid(system: Any) -> int | None:
    """The process id of the device host that holds the system's stream (None: no stream, or a
    backend without a device host process)."""
    stream = getattr(system, "stream", None) if system is not None else None
    host = getattr(stream, "host", None)
    pid = getattr(host, "pid", None)
    return pid if isinstance(pid, int) else None


def jack_server_of(backend: Any) -> str | None:
    """The JACK server a real backend plays on (None: not a JACK route the rig can hear)."""
    server = getattr(backend, "jack_server", None)
    return str(server) if server else None


#: JACK xrun report times the summary keeps (``RigCapture.xrun_times``): the first 8 192 (over a
#: minute of a loaded rig's reports), so a short run's evidence for its dense-xrun verdicts can be
#: read again from its summary; ``jack_xruns`` says how many came
XRUN_TIMES_KEPT = 8192
#: the most of the capture file one poll reads (but the last read of a gone agent's, which reads
#: it whole): ~11 s of two ears at 48 kHz. A check that fell behind the capture read all it was
#: behind at once, and held it: a soak under tracemalloc on a loaded machine held 74 MiB in one
#: read after 10 minutes (bench/RESULTS.md, issue #11). What is not read waits in the file
READ_MAX_BYTES = 4 << 20


def _punch(fd: int, upto: int) -> None:
    """Free the disk blocks of ``[0, upto)`` (``fallocate`` PUNCH_HOLE; the size stays, so the
    agent's appends and our offsets are untouched): a soak's capture needs no more disk than
    one poll's worth (48 kHz float32 is ~690 MB an hour). Where the file system cannot, a no-op."""
    upto -= upto % 65536
    if upto <= 0:
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.fallocate(ctypes.c_int(fd), ctypes.c_int(0x01 | 0x02),  # KEEP_SIZE | PUNCH_HOLE
                       ctypes.c_long(0), ctypes.c_long(upto))
    except (OSError, AttributeError):
        pass


def _next_block_frame(data: bytes, pos: int) -> int | None:
    """The server frame of the first cycle's record at or after ``pos`` in ``data`` (markers
    skipped), None when no header of one is there yet.

    What it tells: JACK runs a client once per cycle, and its callback reads the cycle's first
    frame from the server's frame counter (``jack_last_frame_time``), which the server moves on as
    it begins the next cycle. A callback that ran late, after that, reads the next cycle's frame:
    its record says the counter jumped a period, and the next cycle's record repeats that frame.
    No cycle was missed (the audio runs on without a step); read as a miss, a period of silence
    nobody played lands in the capture and the tone after it is a period late. Measured over 13
    external-kill runs on the three routes: 99 of 379 jumps of the counter were followed by such a
    repeat, the audio across them without a phase step; each was read as a one-cycle mute and a
    15-frame phase step (256 frames of a 997 Hz tone at 48 kHz)."""
    while len(data) - pos >= HEADER.size:
        _t, frame, n, _rate, _ears, _heard = HEADER.unpack_from(data, pos)
        if n in (XRUN, WIRED):
            pos += HEADER.size
            continue
        return int(frame)
    return None


class _Spec:
    def __init__(self, rate: int) -> None:
        self.sample_rate = rate


class RigCapture:
    """Capture agents on ``server``, one at a time, and their records read back in order."""

    #: (whether a pid lives, whether its tree is runnable): what the start's bound reads
    tree_state = staticmethod(tree_state)

    def __init__(self, server: str, folder: Path, *, tone_hz: float = 997.0, program: Path | None = None) -> None:
        self.server = server
        #: a raw little-endian float32 file at the server's rate, played (looped) instead of the tone
        self.program = program
        self.folder = Path(folder)
        self.tone_hz = tone_hz
        self.signal_hz = tone_hz
        self.agents_started = 0
        self.agent_exits: list[str] = []
        self._agent: JackAgent | None = None
        self._path: Path | None = None
        self._offset = 0
        self._last_t: float | None = None  # clock time just after the last frame heard
        self._pos_next: int | None = None  # the current agent's next frame on the server's counter
        self.missed_frames = 0  # frames of cycles a live capture client missed (load)
        self.xruns = 0
        #: when JACK reported each xrun (the first ``XRUN_TIMES_KEPT``), for the run's summary: the
        #: capture file that held them is punched as it is read, so this is their only record
        self.xrun_times: list[float] = []
        self._blind_from: float | None = None
        #: the rig last heard the system here before its server died (None: no outage open)
        self._outage_from: float | None = None
        self._outage_agent = 0  # the agent that was listening when the outage began
        #: whether the open outage's server was told back (``AudioCheck.outage_server_back``)
        self._back_told = False
        self.outages = 0
        self.wirings = 0
        #: when the capture wired the system's stream (``WIRED`` records; the first 20): how long
        #: a (re)started stream went unheard for the rig's own wiring, read against its windows
        self.wired_at: list[float] = []
        #: when the rig first heard the system whole (a record with heard bit 0: ``ears_0`` wired to
        #: the stream's channel 0 and the tone through its inputs), and how many frames it captured
        #: before that: not fed to the check (``_read``)
        self.first_heard_at: float | None = None
        self.unheard_frames = 0
        self._specs: dict[int, _Spec] = {}
        #: the columns of the blocks the check is fed: the most ears a capture client had
        self.channels = 1
        #: the most channels of the system's stream heard at once (channel 0 counts as heard)
        self.channels_heard = 1
        self.records = 0
        self.frames = 0
        self.closed = False
        #: why this capture cannot be used (its first agent never opened), else None
        self.failure: str | None = None
        #: the device host pid the current agent was told to follow (``_follow``)
        self._followed: int | None = None
        #: the jackd the current agent's client opened on (None: not known yet), and when it was
        #: first seen gone while the agent lived on
        self._server_pid: int | None = None
        self._gone_seen: float | None = None
        #: agents whose server died without libjack telling them: why, and where their threads were
        self.silent_deaths: list[dict[str, Any]] = []
        #: when the server itself did not run (stopped, or not scheduled): JACK reports no xrun then
        self.server_runs = ServerRuns(self._the_server)
        #: the jackd serving ``server`` when the capture started (None: none, or more than one)
        self.server_pid_at_start: int | None = None
        #: the server went away while the capture's first client was opening (its jackd gone): what
        #: was seen, else None. A run whose capture then opened on the server started again runs
        #: on that one; one whose capture never opened was refused by the environment, not the
        #: command (``harness.runner``)
        self.start_outage: str | None = None
        #: why the capture's first agent ended before its client opened, for another reason than
        #: its server going away (None: it did not)
        self.start_failure: str | None = None

    def _the_server(self) -> int | None:
        """The one live jackd serving ``server`` (None: none, or more than one: not watched)."""
        pids = server_pids(self.server)
        return pids[0] if len(pids) == 1 else None

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["JACK_DEFAULT_SERVER"] = self.server
        env["JACK_NO_START_SERVER"] = "1"
        return env

    def start(self) -> RigCapture:
        self.server_pid_at_start = self._the_server()
        self.server_runs.start()
        self._spawn()
        return self

    def _spawn(self) -> None:
        self.agents_started += 1
        self._path = self.folder / f"rig-capture-{self.agents_started}.f32rec"
        self._offset = 0
        self._pos_next = None
        self._followed = None  # a new agent is told again
        self._agent = JackAgent(self.server, f"{RIG_PREFIX}-ears-{secrets.token_hex(2)}", env=self._env(),
                                monitor=True, open_timeout_s=OPEN_TIMEOUT_S, capture=str(self._path),
                                tone_hz=self.tone_hz, program=None if self.program is None else str(self.program))

    def wait_ready(self, timeout_s: float) -> bool:
        """Wait (bounded) until the current agent's client is open and capturing.

        An agent that ended before its client opened because the server went away under it (the
        jackd serving the name when the capture started is gone, or libjack told it the server
        shut down) is replaced and the wait goes on, up to ``timeout_s`` in all: the new agent
        opens once a server serves the name again. Measured with the CLI on the user's rig
        (``kill -9`` of jackd 1.5 s into ``run --backend portaudio --device system``, restarted 2 s
        later): the agent died as its client opened, the wait ended at once, and the system's
        configuration then found no device: exit 2, a usage error, for a server back 2 s later.
        ``start_outage`` says what was seen; an agent that ended for any other reason fails the
        wait at once (``start_failure``). ``timeout_s`` counts the time this process's tree sleeps:
        a wall-clock bound left a loaded run's audio unheard ("did not open ... within 20 s")
        while the agent's interpreter waited for a CPU."""
        spent = AsleepBound(timeout_s, hang_s=READY_HANG_S, state=self.tree_state)
        for _ in range(MAX_START_AGENTS):
            agent = self._agent
            if agent is None:
                return False
            if agent.wait_ready(READY_HANG_S, give_up=spent):
                self._note_server_restarted()
                return True
            if agent.alive:  # still opening at the deadline: no server serves the name, or its open hangs
                self.start_outage = self._server_lost_since_start() or self.start_outage
                if self.start_outage is None:
                    wedged = wedged_metadata_db_note(f"the rig's capture client on {self.server!r} did not open")
                    self.start_failure = None if wedged is None else f"its client's open did not return: {wedged}"
                return False
            why = agent.failure
            lost = self._server_lost_since_start()
            if lost is None and agent.shutdown_reason is None:
                self.start_failure = f"its agent ended before its client opened ({why})"
                return False
            self.start_outage = lost or f"libjack told the rig's capture client the server shut down ({why})"
            self.agent_exits.append(why)
            agent.kill()
            if spent():
                return False
            self._spawn()
        return False

    def _server_lost_since_start(self) -> str | None:
        """What became of the jackd that served the name when the capture started, if it is gone."""
        pid = self.server_pid_at_start
        if pid is None or pid_is_jackd(pid, self.server):
            return None
        return f"jackd pid {pid}, serving {self.server!r} when the rig's capture started, is gone"

    def _note_server_restarted(self) -> None:
        """Once the first client opened: a jackd other than the one serving the name when the
        capture started serves it now, so the server was started again in between (``start_outage``)."""
        lost = self._server_lost_since_start()
        now = self._the_server()
        if lost is not None and now is not None and now != self.server_pid_at_start:
            self.start_outage = f"{lost}; the capture opened on the server started again (jackd pid {now})"
        elif self.start_outage is not None and now is not None:
            self.start_outage += f"; the capture opened on the server started again (jackd pid {now})"

    def fail(self, why: str) -> None:
        """Give up before the run starts: end the agent and keep ``why``."""
        self.failure = why
        self.close()

    def poll(self, check: Any) -> None:
        """Hand every new record to ``check.feed``; replace a dead agent (marking what went unheard)."""
        if self.closed:
            return
        self._read(check)
        self._follow(check)
        agent = self._agent
        if agent is None:
            return
        self._tell_back(check)
        if not agent.alive:
            self._replace(check, agent, agent.exit_reason or "gone", outage=agent.shutdown_reason is not None)
        elif self._server_gone(agent):
            now = time.monotonic()
            if self._gone_seen is None:
                self._gone_seen = now
            if now - self._gone_seen < SILENT_DEATH_GRACE_S:
                return  # libjack may still tell it: asked again at the next poll
            why = (f"its server (jackd pid {self._server_pid}) died and libjack did not tell the client "
                   f"within {now - self._gone_seen:.1f} s")
            stacks = agent.stacks() if hasattr(agent, "stacks") else ""
            if len(self.silent_deaths) < 5:
                self.silent_deaths.append({"agent": self.agents_started, "why": why, "stacks": stacks[-3000:]})
            self._replace(check, agent, why, outage=True)

    def _replace(self, check: Any, agent: Any, why: str, *, outage: bool) -> None:
        """End ``agent`` (it ended, or its server did), mark what went unheard, start a new one.
        ``outage``: its server went away (libjack said so, or its process is gone): an outage the
        rig observed, a window of its own until the rig hears the system again (a WIRED record);
        else the rig's own ear failed, and what it missed is not heard, nothing more."""
        self._read(check, final=True)  # what it wrote before it died
        self.agent_exits.append(why)
        agent.kill()
        if outage and self._last_t is None and self._blind_from is None and self._outage_from is None:
            # The server went away before the harness read the capture's first record (killed as
            # the system was configured): an outage all the same, from the moment it was seen (the
            # records' clock), or a refused start would blame the command for a vanished server.
            self._begin_outage(check, time.monotonic(), why)
        elif self._last_t is not None and self._blind_from is None and self._outage_from is None:
            if outage:
                self._begin_outage(check, self._last_t, why)
            else:
                self._blind_from = self._last_t
        self._server_pid = self._gone_seen = None  # the new agent's server is looked up once it opened
        self._spawn()

    def _begin_outage(self, check: Any, t0: float, why: str) -> None:
        self._outage_from = t0
        self._outage_agent = self.agents_started
        self._back_told = False
        self.outages += 1
        check.outage_begin(t0, f"the rig's capture client ended ({why})")

    def _tell_back(self, check: Any) -> None:
        """Once per outage: the agent started after it opened its client, so the server serves
        again (``AudioCheck.outage_server_back``, at the moment the server first answered it, its
        ``opened_at``). From then on the system's recovery is its own: the ``recovery`` invariant
        counts its bound from here, not from the rig hearing the system again, which a system that
        never recovers never gives."""
        agent = self._agent
        if (self._outage_from is None or self._back_told or agent is None
                or self.agents_started <= self._outage_agent):
            return
        agent.alive  # noqa: B018 - reads what the agent wrote, its ready event among it
        if agent.ready_msg.get("event") != "ready":
            return
        at = agent.ready_msg.get("opened_at")
        self._back_told = True
        back = getattr(check, "outage_server_back", None)
        if back is not None:
            back(float(at) if isinstance(at, (int, float)) else time.monotonic())

    def _server_gone(self, agent: Any) -> bool:
        """Whether the jackd the live ``agent`` opened on has died (its process gone from
        ``/proc``, or a zombie). Looked up once the agent is serving; a server name with no
        live jackd then, or with more than one, is not watched (libjack's word alone)."""
        if self._server_pid is None:
            if getattr(agent, "ready_msg", {}).get("event") != "ready":
                return False
            pids = server_pids(self.server)
            if len(pids) != 1:
                return False
            self._server_pid = pids[0]
        return not pid_is_jackd(self._server_pid, self.server)

    def _follow(self, check: Any) -> None:
        """Tell the agent whose client is the system's when its device host changed (a recovery's
        reopen spawns a new one). Best effort: an agent that does not answer in time is asked again
        at the next poll, and until then hears the newest client."""
        pid = system_stream_pid(getattr(check, "system", None))
        agent = self._agent
        if pid is None or pid == self._followed or agent is None or not agent.alive \
                or agent.ready_msg.get("event") != "ready":  # not serving yet: never wait on it
            return
        try:
            agent.request("follow", FOLLOW_TIMEOUT_S, pids=[pid])
        except Exception:  # noqa: BLE001 - the agent may be opening or gone: asked again next poll
            return
        self._followed = pid

    def _read(self, check: Any, *, final: bool = False) -> None:
        """Hand ``check`` the records written since the last read. ``final``: the agent is gone or
        let go, nothing more will be written (else a record whose frame jumped waits for the one
        after it, which says whether a cycle was missed: ``_next_block_frame``)."""
        path = self._path
        if path is None:
            return
        try:
            with open(path, "rb") as f:
                f.seek(self._offset)
                data = f.read() if final else f.read(READ_MAX_BYTES)
        except FileNotFoundError:
            return
        pos = 0
        while len(data) - pos >= HEADER.size:
            t, frame, n, rate, ears, heard = HEADER.unpack_from(data, pos)
            if n == XRUN:
                pos += HEADER.size
                self.xruns += 1
                if len(self.xrun_times) < XRUN_TIMES_KEPT:
                    self.xrun_times.append(round(t, 6))
                check.xrun(t)
                continue
            if n == WIRED:
                pos += HEADER.size
                self.wirings += 1
                if len(self.wired_at) < 20:
                    self.wired_at.append(round(t, 6))
                if self._outage_from is not None and self.agents_started > self._outage_agent:
                    self._tell_back(check)  # wired, so open: the server was back first
                    check.outage_end(t)  # a new client, wired to the system's stream: heard again
                    self._outage_from = None
                continue
            end = pos + HEADER.size + 4 * n * ears
            if end > len(data):
                break
            if self._pos_next is not None and 0 < (frame - self._pos_next) % (1 << 32) < 1 << 31:
                # the counter jumped: a missed cycle, or this cycle's callback ran late (after the
                # server began the next one) and read that one's frame; the next record tells
                following = _next_block_frame(data, end)
                if following is None and not final:
                    break  # read again at the next poll, with the record after it
                if following == frame:
                    frame = (frame - n) % (1 << 32)  # late: the cycle before the next one's
            block = self._heard(np.frombuffer(data, dtype=np.float32, count=n * ears,
                                              offset=pos + HEADER.size).reshape(n, ears), heard)
            pos = end
            if self.first_heard_at is None and not heard & 1:
                # the rig has not yet heard the system whole: its ear not wired to the stream, or
                # the tone not yet through the stream's inputs (JACK switches a connection in only
                # when no client is late in its cycle, up to its client timeout on a loaded
                # machine). What the stream plays then is what the rig has not fed it, and a
                # silence of it is the rig's, not the system's: not judged, as the cycles before
                # the system ran are not
                self._pos_next = (frame + n) % (1 << 32)
                self._last_t = t + n / rate
                self.unheard_frames += n
                self.records += 1
                self.frames += n
                continue
            if self.first_heard_at is None:
                self.first_heard_at = round(t, 6)
            gap: int | None = None  # a new agent: placed by time (the server's counter restarted)
            if self._pos_next is not None:
                gap = (frame - self._pos_next) % (1 << 32)  # jack_nframes_t wraps
                if gap >= 1 << 31:  # behind: a repeated cycle cannot happen; treat as continuous
                    gap = 0
                if gap:
                    # this client missed cycles: the rig did not hear them (nobody says the system
                    # did not play them)
                    self.missed_frames += gap
                    if self._last_t is not None:
                        check.missed(self._last_t, t, gap)
            if self._blind_from is not None:
                check.blind(self._blind_from, t, "the rig's capture client ended "
                            f"({self.agent_exits[-1] if self.agent_exits else 'gone'}) and a new one "
                            "opened only now (the server died)")
                self._blind_from = None
            self._pos_next = (frame + n) % (1 << 32)
            spec = self._specs.setdefault(rate, _Spec(rate))
            check.feed(spec, block, t, gap=gap)
            self._last_t = t + n / rate
            self.records += 1
            self.frames += n
        self._offset += pos
        if pos:
            try:
                with open(path, "r+b") as f:
                    _punch(f.fileno(), self._offset)  # what was read needs no disk any more
            except OSError:
                pass

    def _heard(self, block: np.ndarray, heard: int) -> np.ndarray:
        """A record's frames as the check is fed them: one column per channel of the widest stream
        heard so far (``channels``), a channel its ear did not hear (heard mask bit clear: not
        wired to the stream, the stream had no such port, the ear was not there) NaN, "not heard".
        Channel 0 stays as captured: the analysed channel, whose silence while the stream is gone is
        the system's (the check judges it against the windows its restart and recovery open)."""
        ears = block.shape[1]
        self.channels = max(self.channels, ears)
        self.channels_heard = max(self.channels_heard, (heard | 1).bit_count())
        if ears == self.channels and heard | 1 == (1 << ears) - 1:
            return block  # every channel heard (the common case): no copy
        out = np.full((block.shape[0], self.channels), np.nan, dtype=np.float32)
        out[:, 0] = block[:, 0]
        for k in range(1, ears):
            if heard >> k & 1:
                out[:, k] = block[:, k]
        return out

    def close(self, check: Any = None) -> None:
        """Read what is left (into ``check``), then end the agent."""
        if self.closed:
            return
        if check is not None:
            self._read(check, final=True)
        self.closed = True
        self.server_runs.close()
        agent, self._agent = self._agent, None
        if agent is not None:
            try:
                agent.close(2.0)
            except Exception:  # noqa: BLE001 - ending anyway
                agent.kill()

    def describe(self) -> dict[str, Any]:
        return {"server": self.server, "tone_hz": None if self.program else self.tone_hz,
                **({"program": str(self.program)} if self.program else {}), "agents": self.agents_started,
                "agent_exits": self.agent_exits[:20], "records": self.records, "frames": self.frames,
                "missed_frames": self.missed_frames, "jack_xruns": self.xruns,
                "jack_xrun_times": self.xrun_times, "wirings": self.wirings,
                "wired_at": self.wired_at, "first_heard_at": self.first_heard_at,
                "unheard_frames": self.unheard_frames,
                "channels": self.channels, "channels_heard": self.channels_heard,
                "outages": self.outages, "server_not_running": self.server_runs.summary(),
                **({"silent_server_deaths": self.silent_deaths} if self.silent_deaths else {})}
