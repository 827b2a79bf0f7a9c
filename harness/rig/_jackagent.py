"""The rig's JACK agent: a child process that owns the loopback rig's only libjack client.

Why a process: FIELD_NOTES measured that a harness process holding a ``jack.Client`` died with
SIGSEGV a moment after its server was ``kill -9``ed from outside (reproduced with ``soundcheck run
--backend jack``: the segfault was in libjack's ``jack_client_close``, reached from the old
client's ``__del__``). Whatever libjack does when its server vanishes, it now does it here; the
harness (``harness.rig.jack_agent.JackAgent``) sees EOF on a pipe, records it and carries on.

Run as a script (``python -P harness/rig/_jackagent.py SERVER CLIENT TIMEOUT MONITOR [CAPTURE TONE_HZ [PROGRAM]]``):
it imports only the standard library, numpy and JACK-Client, never the harness.

Capture mode (``CAPTURE``: a file path): the rig's ears, for judging the audio of a system on the
rig (``harness.rig.rig_audio``). The client gets an output port ``tone`` that plays a steady sine
(``TONE_HZ``, amplitude 0.5, phase continuous over the client's life), or loops ``PROGRAM`` (raw
little-endian float32 at the server's rate) when given, and one input port per output channel of
the system's stream, ``ears_0``, ``ears_1``, ...: as many as the server's ``system:playback``
ports from the start (the streams the rig's devices open have at most that many), more as a
stream shows more (up to ``MAX_EARS``).
A wiring thread connects, every ``WIRE_POLL_S``, the output ports of the system's stream (its
own client, ``stream_outputs``: the one whose name carries a device host's pid the parent named
with ``follow``, else the newest by JACK client UUID; its output ports in natural order: port
``k`` is the stream's channel ``k``) each to its ear, ``k`` to ``ears_k``, and then ``tone`` to
every input port of every other client (not ``system``, not the rig's own). In that order the
tone into the stream closes a loop, which JACK makes a feedback connection: the system's client
never waits in a cycle for the rig's (where the stream is one client, as PortAudio's JACK host
API opens it; ALSA's ``jack`` PCM opens a capture client of its own, with no path back to the
rig, so the tone feeds it directly and it waits for the rig's). It reads the server's running graph, asks for each missing
connection once, and counts one as made when the running graph lists it. A stream reopened by a
recovery (new port names) is wired again without anyone asking, and a port that appears a poll
later than its stream's others is wired when it appears.

Every process cycle appends one record to ``CAPTURE``: a header (``time.monotonic()`` at the
cycle, float64; the cycle's first frame on the server's frame counter, int64; frames, int32; the
server's rate, int32; ears, int32; the *heard* mask, int64) and the frames of every ear,
interleaved (float32, ``frames x ears``). Bit ``k`` of the heard mask says ``ears_k`` was
connected to the stream's channel ``k`` for the whole cycle: set from the first cycle that began
a full period after the connection was made (a cycle already running when ``connect`` returned
may still run on the old graph), cleared as soon as the wiring thread saw the port go or the
connection change. Bit 0 is set only from the client's first cycle that hears channel 0 with the
tone through the stream's inputs (``TONE_SETTLE_S`` after the running graph listed them): before
it, the stream plays what the rig has not fed it. An ear whose bit is clear heard nothing of the system: not silence of the
system, no sample at all (``RigCapture`` makes it "not heard", never "silent"). Where the
samples sit is the server's frame counter, not the time the callback happened to run, so a
callback that runs late on a loaded machine does not look like a gap; the counter shows the
cycles this client really missed. (A callback that runs so late that the server has begun the
next cycle reads that cycle's frame, which the next record repeats: ``RigCapture`` tells it
from a missed cycle by the repeat.) The time (when the callback ran) only places the block among
the run's events. Each xrun JACK reports is a record of its own (frames ``XRUN``, the monotonic
time it was reported), and so is each moment the wiring thread connected a stream's channel 0 to
``ears_0`` (frames ``WIRED``: from then on the rig hears the system; a recovery's ``RigCapture``
reads it as "heard again"). The process callback only copies into a queue; a writer thread
writes, so a slow disk never makes the rig's client the one that xruns.

Protocol, JSON lines (the same shape as the PortAudio device host's):

- events to the parent: ``{"event": "ready", "opened_at": T}`` once a client is open on the server
  (and, with ``MONITOR=1``, activated with an xrun callback; ``T``: ``time.monotonic()`` when the
  server first answered, the moment a restarted server serves again), or ``{"event": "failed", "error": ...}`` when no
  client could open within ``TIMEOUT`` seconds; ``{"event": "shutdown", "reason": ...}`` when
  libjack says the server went away, after which the agent exits at once (it never calls libjack
  again on a dead server). Xruns are counted here and read with the ``xruns`` op: an event per
  xrun could fill the pipe while nobody reads it, and a blocked write in libjack's thread would
  make the rig's own client the slow one.
- requests from the parent: ``{"id": n, "op": ..., "args": {...}}`` answered with
  ``{"id": n, "ok": true, "result": ...}`` or ``{"id": n, "ok": false, "error": "..."}``. Ops:
  ``ports``, ``connections``, ``connect``, ``disconnect``, ``cpu_load``, ``xruns``, ``follow``, ``exit``.
- lifetime: EOF on stdin (the parent died or let go) ends the agent with ``os._exit``.
- ``SIGUSR1`` writes every thread's Python stack to stderr (``faulthandler``): the parent asks for
  it when the agent outlived its server without libjack telling it (``JackAgent.stacks``), so the
  record says where its threads were.
"""

from __future__ import annotations

import errno
import faulthandler
import json
import os
import queue
import re
import signal
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

#: how many times a listing of ports is taken again when a port vanished while it was being read
SNAPSHOT_TRIES = 50
#: how often the capture client looks for stream ports to wire (a reopened stream's new ports)
WIRE_POLL_S = 0.02
#: how often it looks while a connection it asked for is not yet in the server's running graph
WIRE_PENDING_POLL_S = 0.005
#: a connection asked for and still not in the running graph after this long is asked for again
#: (JACK switches a waiting graph in after its client timeout, 500 ms by default, at the latest)
PENDING_RETRY_S = 1.0
#: the record header of the capture file: when the cycle's callback ran (monotonic clock, s), its first
#: frame on the server's frame counter, its frames (``XRUN``: an xrun notification, no samples),
#: the sample rate, the ears (channels) whose frames follow, interleaved, and the heard mask (bit
#: ``k``: ``ears_k`` was connected to the stream's channel ``k`` throughout the cycle)
HEADER = struct.Struct("<dqiiiq")
#: the most ears a capture client registers (the heard mask's width)
MAX_EARS = 63
#: after ``tone`` is connected to another input of the system, channels other than 0 count as not
#: heard for this long: a channel whose input got the tone later than the others' (its port
#: appeared a poll later, the wiring round was preempted between two connects on a loaded
#: machine) sounds later by that much, and its first moments differ from channel 0 for the
#: system's input-to-output latency (a few periods on the rig's routes: 256 frames are 5.3 ms),
#: which is not the system's disagreement. Measured: such an onset, 512 frames of channel 1
#: 43 ms after the rig heard a recovered stream again (a "channel" glitch inside the recovery's
#: window, seed 3 on the loaded rig).
TONE_SETTLE_S = 0.25
XRUN = -1
#: frames of a marker record: the wiring thread has just connected the system's stream to ``ears``
#: (and ``tone`` to its inputs); cycles from here on hear the system, cycles before it heard nothing
WIRED = -2
RIG_PREFIX = "soundcheck-rig"


def consistent_snapshot(read: Any) -> Any:
    """``read()`` again until it sees a port graph that did not change under it.

    JACK-Client lists ports in two steps: the server's list of names, then a look-up of each name.
    A port that another client unregisters between the two (``jack_iodelay`` leaving, a stream
    closing) makes the look-up raise ``JackError: Port '...' not available`` although the listing
    asked for was perfectly answerable. Such a listing is taken again; each try is a fresh
    snapshot, so a graph that keeps changing for ``SNAPSHOT_TRIES`` reads in a row is the only way
    the error reaches the caller.
    """
    import jack  # noqa: PLC0415 - loaded already by the agent's client; named here for its error type

    for attempt in range(SNAPSHOT_TRIES):
        try:
            return read()
        except jack.JackError as exc:
            if "not available" not in str(exc) or attempt == SNAPSHOT_TRIES - 1:
                raise
    raise AssertionError("unreachable")


def _natural(name: str) -> tuple[tuple[int, int, str], ...]:
    """A port name's sort key with its numbers as numbers: ``out_10`` after ``out_9``."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", name))


#: a client name that carries its process id: ALSA's ``jack`` PCM names its clients
#: ``<program>.<P|C>.<pid>.<n>`` (libasound2-plugins 1.2; ``alsa-jack.<program><P|C>.<pid>.<n>``
#: in older ones)
_PID_NAME = re.compile(r"\.(\d+)\.\d+$")


def _pid_of(owner: str) -> int | None:
    m = _PID_NAME.search(owner)
    return int(m.group(1)) if m else None


def stream_outputs(outs: list[str], follow_pids: Iterable[int] = (),
                   uuid_of: Callable[[str], int | None] | None = None) -> list[str]:
    """The system stream's output ports among ``outs`` (other clients' audio outputs), channel 0
    first, in natural order: the ports of the system's own client.

    Which client is the system's: one whose name carries a process id in ``follow_pids`` (the
    system's device hosts, told by ``RigCapture``: ALSA's ``jack`` PCM names its clients so);
    else, leaving out every client whose name carries some other process's id, the newest client
    (highest JACK client UUID, ``uuid_of``: the stream opened last, as a recovery's reopened one);
    else (no UUIDs) the owner of the first port by name."""
    if not outs:
        return []
    pids = set(follow_pids)
    owners = sorted({p.split(":", 1)[0] for p in outs})
    mine = [o for o in owners if _pid_of(o) in pids] if pids else []
    if not mine:
        mine = [o for o in owners if not pids or _pid_of(o) is None] or owners
    owner = mine[0]
    if len(mine) > 1 and uuid_of is not None:
        uuids = {o: uuid_of(o) for o in mine}
        known = [o for o in mine if uuids[o] is not None]
        if known:
            owner = max(known, key=lambda o: uuids[o] or 0)
    return sorted((p for p in outs if p.split(":", 1)[0] == owner), key=_natural)


class _Agent:
    def __init__(self, proto: Any, server: str, client_name: str) -> None:
        self.proto = proto
        self.server = server
        self.client_name = client_name
        self.lock = threading.Lock()
        self.client: Any = None
        self.xruns = 0
        self.capture_path: str | None = None
        self.tone_hz = 997.0
        #: a raw float32 file played (looped) instead of the tone (``soundcheck run --program``)
        self.program_path: str | None = None
        #: the process ids of the system's device hosts (``op_follow``): whose client to hear
        self.follow_pids: tuple[int, ...] = ()
        #: connections the wiring thread asked for and has not yet seen in the server's running
        #: graph: when it asked
        self._pending: dict[tuple[str, str], float] = {}
        #: clients whose inputs got the tone while none of their outputs fed the ears (a stream
        #: registers its inputs before its outputs): a direct connection, the client waits for
        #: the rig's in a cycle; undone before their outputs are wired (``_wire``)
        self._tone_ahead: set[str] = set()
        #: inputs whose tone connection was taken out to be made again after the ears
        self._redo: set[str] = set()
        #: the tone was taken out of a stream's inputs (``_untone``): no ear counts as heard until
        #: the server frame ``tone_gap_end`` (None: not yet known), the tone back in the running
        #: graph and through the stream (``TONE_SETTLE_S``): the stream's silence there is the rig's
        self.tone_gap = False
        self.tone_gap_end: int | None = None
        #: whether a cycle has heard the system whole yet: ``ears_0`` wired to the stream's channel 0
        #: and the tone through the stream's inputs (``_process``); until then no ear counts as heard
        self.heard_whole = False

    def send(self, message: dict[str, Any]) -> None:
        line = json.dumps(message)
        with self.lock:
            self.proto.write(line + "\n")
            self.proto.flush()

    def open(self, timeout_s: float, monitor: bool) -> bool:
        """Open (and with ``monitor`` activate) a client, retrying until ``timeout_s``; report it."""
        import jack  # noqa: PLC0415 - the only place in soundcheck's harness that loads libjack

        jack.set_error_function(lambda msg: None)  # "Cannot connect to server socket" chatter
        jack.set_info_function(lambda msg: None)
        if monitor and self.capture_path is not None:
            self._prepare_capture()
        deadline = time.monotonic() + timeout_s
        last = "no attempt"
        while True:
            try:
                client = jack.Client(self.client_name, no_start_server=True, servername=self.server)
            except jack.JackError as exc:
                last = str(exc)
            else:
                opened_at = time.monotonic()  # the server answered: it serves again (``RigCapture``)
                break
            if time.monotonic() >= deadline:
                self.send({"event": "failed", "error": last})
                return False
            time.sleep(0.02)
        if monitor:
            client.set_xrun_callback(self._on_xrun)
            client.set_shutdown_callback(self._on_shutdown)
            if self.capture_path is not None:
                self._setup_capture(client)
            client.activate()
            self.client = client  # before the wiring thread, whose first round reads it
            if self.capture_path is not None:
                threading.Thread(target=self._wire_loop, name="wire", daemon=True).start()
        else:
            client.close()
        self.send({"event": "ready", "pid": os.getpid(), "opened_at": opened_at})
        return True

    # -- capture mode ------------------------------------------------------------------------------
    def _prepare_capture(self) -> None:
        """What capture needs that no server does, done before the client opens: an agent that
        replaces one whose server died is started during the outage, so on the restarted server
        it registers its ports, activates and wires at once. (Importing numpy after the client
        opened put 280-300 ms between open and activation on the loaded rig, while the system's
        stream was already back and unheard.)"""
        import numpy as np  # noqa: PLC0415

        self.np = np
        self.program = np.fromfile(self.program_path, dtype="<f4") if self.program_path else None
        self.q: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.out = open(self.capture_path, "ab", buffering=0)  # noqa: SIM115 - lives as long as the agent
        threading.Thread(target=self._writer, name="capture-writer", daemon=True).start()
        # the process callback's numpy paths, run once so its first cycle on the server is not slow
        block = 0.5 * np.sin(2 * np.pi * self.tone_hz / 48000 * np.arange(0, 256, dtype=np.float64))
        np.stack([block, block], axis=1).astype(np.float32, copy=False).tobytes()

    def _setup_capture(self, client: Any) -> None:
        if not hasattr(self, "q"):
            self._prepare_capture()
        self.tone_port = client.outports.register("tone")
        self.rate = int(client.samplerate)
        self.client_obj = client
        # one ear per playback port of the server: the devices the rig offers have no more channels
        playback = [p for p in client.get_ports(is_audio=True, is_input=True) if p.name.startswith("system:")]
        #: the ears, replaced whole (never appended to) so the process callback reads one snapshot
        self.ears: tuple[Any, ...] = tuple(client.inports.register(f"ears_{k}")
                                           for k in range(max(1, min(len(playback), MAX_EARS))))
        #: per ear: the server frame from which it hears its stream port (None: it does not)
        self.heard_from: list[int | None] = [None] * len(self.ears)
        #: the server frame from which the tone has been through every input it was wired to for
        #: ``TONE_SETTLE_S`` (None: one is being wired now)
        self.tone_settled: int | None = 0
        self._marks: dict[Any, int] = {"tone": 0}
        self.phase = 0
        client.set_process_callback(self._process)

    def _process(self, frames: int) -> None:
        np = self.np
        t = time.monotonic()
        pos = self.client_obj.last_frame_time
        if self.program is not None:  # the program, looped
            idx = np.arange(self.phase, self.phase + frames) % self.program.size
            self.phase = (self.phase + frames) % self.program.size
            self.tone_port.get_array()[:] = self.program[idx]
        else:
            n = np.arange(self.phase, self.phase + frames, dtype=np.float64)
            self.phase = (self.phase + frames) % self.rate  # whole seconds of a 997 Hz tone are whole periods
            self.tone_port.get_array()[:] = 0.5 * np.sin(2 * np.pi * self.tone_hz / self.rate * n)
        ears = self.ears
        heard = 0
        for k, since in enumerate(self.heard_from[: len(ears)]):
            if since is not None and self._reached(("ear", k), since, pos):
                heard |= 1 << k
        settled = self.tone_settled
        toned = settled is not None and self._reached("tone", settled, pos)
        if not toned:  # the tone not through yet
            heard &= 1
        if self.tone_gap:
            end = self.tone_gap_end
            if end is None or not self._reached(("gap", end), end, pos):
                heard, toned = 0, False  # the rig itself took the tone out of the stream's inputs
        if not self.heard_whole:
            # until the first cycle that hears the stream's channel 0 with the tone through its
            # inputs, the stream plays what the rig has not yet fed it (or the rig hears nothing of
            # it): channel 0 is not heard either. From then on it stays heard while its ear is wired
            # (a recovered stream's silence is the system's, judged against its windows)
            if heard & 1 and toned:
                self.heard_whole = True
            else:
                heard &= ~1
        if len(ears) == 1:
            samples = ears[0].get_array().astype(np.float32).tobytes()
        else:
            samples = np.stack([e.get_array() for e in ears], axis=1).astype(np.float32, copy=False).tobytes()
        self.q.put(HEADER.pack(t, pos, frames, self.rate, len(ears), heard) + samples)

    def _reached(self, key: Any, frame: int, pos: int) -> bool:
        """Has the cycle at ``pos`` reached ``frame`` (a wiring's "from here on")? jack_nframes_t
        wraps every 2**32 frames (24.9 h at 48 kHz), so "reached" is remembered per ``key`` the
        first time it is true: a mark stays reached however long the soak goes on."""
        if self._marks.get(key) == frame:
            return True
        if (pos - frame) % (1 << 32) < (1 << 31):
            self._marks[key] = frame  # the process callback's own dict: one writer
            return True
        return False

    def _writer(self) -> None:
        while True:
            rec = self.q.get()
            if rec is None:
                return
            try:
                self.out.write(rec)
            except OSError:
                return

    def _wire_loop(self) -> None:
        while True:  # the first round at once: a stream already open is heard from the start
            try:
                client = self.client
                if client is None:
                    return
                self._wire(client)
            except Exception:  # noqa: BLE001 - ports come and go under us; the next round sees them
                pass
            time.sleep(WIRE_PENDING_POLL_S if self._pending else WIRE_POLL_S)

    def _ask_connect(self, client: Any, src: str, dst: str) -> None:
        """Ask the server for ``src -> dst`` once. The connection is pending until a listing shows
        it: JACK2 lists the graph it is running, and a connection made joins it only when the
        server switches graphs, which it does not while a client is still in its cycle (``graph
        not finished! waiting to switch``, up to its client timeout). Asking again meanwhile is
        answered EEXIST: it is connected already, and counts as asked. Any other failure (a port
        gone between the listing and the call) leaves it unasked, for the next round."""
        try:
            client.connect(src, dst)
        except Exception as exc:  # noqa: BLE001 - JackError; its code tells "already connected"
            if getattr(exc, "code", None) != errno.EEXIST and "already exists" not in str(exc):
                return
        self._pending[(src, dst)] = time.monotonic()

    def _wants(self, pair: tuple[str, str], listed: bool) -> bool:
        """Whether ``pair`` (not listed as connected) is to be asked for now: never while a request
        for it is pending, unless the server has had ``PENDING_RETRY_S`` to switch it in."""
        if listed:
            self._pending.pop(pair, None)
            return False
        asked = self._pending.get(pair)
        return asked is None or time.monotonic() - asked >= PENDING_RETRY_S

    def _wire(self, client: Any) -> None:
        """One round of wiring: the stream's channel ``k`` into ``ears_k`` (registering ears a wider
        stream needs), every other source out of the ears, then ``tone`` into every input of the
        other clients; the heard mask follows what the server's running graph connects.

        The ears come first: with the stream's outputs already feeding the rig's client, the tone
        into the stream's inputs closes a loop, which JACK makes a feedback connection (the tone
        reaches the stream a period later), so the system's client never waits for the rig's in a
        cycle; connected the other way round, a rig client late in its cycle holds the system's
        callback back with it. A stream whose inputs appeared (and got the tone) before its
        outputs has the tone taken out of its inputs before its outputs go into the ears, and put
        back after them. Each connection is asked for once (``_ask_connect``) and counts as made
        (heard, tone settled, ``WIRED``) only once the running graph lists it."""
        tone = f"{self.client_name}:tone"
        ins, outs = [], []
        for p in client.get_ports(is_audio=True):
            owner = p.name.split(":", 1)[0]
            if owner == "system" or owner.startswith(RIG_PREFIX):
                continue
            (ins if p.is_input else outs).append(p.name)
        present = set(ins) | set(outs)
        for pair in [pair for pair in self._pending if pair[0] != tone and pair[0] not in present
                     or pair[0] == tone and pair[1] not in present]:
            del self._pending[pair]  # its port went: asked again if it comes back
        owners = {name.split(":", 1)[0] for name in present}
        self._tone_ahead &= owners
        self._redo &= set(ins)
        stream = stream_outputs(outs, self.follow_pids, lambda name: self._uuid(client, name))[:MAX_EARS]
        while len(self.ears) < len(stream):  # a stream wider than the server's playback ports
            self.heard_from.append(None)
            self.ears = (*self.ears, client.inports.register(f"ears_{len(self.ears)}"))
        for k, ear in enumerate(self.ears):
            want = stream[k] if k < len(stream) else None
            sources = {s.name for s in client.get_all_connections(ear)}
            for src in sources - {want}:
                self.heard_from[k] = None  # not the stream's channel k: heard no more, from now
                client.disconnect(src, ear)
            if want is None:
                self.heard_from[k] = None
            elif want not in sources:
                self.heard_from[k] = None
                if self._wants((want, ear.name), False):
                    self._untone(client, tone, want.split(":", 1)[0], ins)
                    self._ask_connect(client, want, ear.name)
            else:
                self._pending.pop((want, ear.name), None)
                if self.heard_from[k] is None:
                    # in the running graph now: a cycle already running may be on the old one, so
                    # heard from the first cycle that begins a whole period after now
                    self.heard_from[k] = (client.frame_time + client.blocksize) % (1 << 32)
                    if k == 0:  # the next cycles hear the system
                        self.q.put(HEADER.pack(time.monotonic(), 0, WIRED, self.rate, 0, 0))
        # the clients whose outputs feed the ears (asked for or running)
        feeding = {src.split(":", 1)[0] for k, src in enumerate(stream[: len(self.ears)])
                   if self.heard_from[k] is not None or (src, self.ears[k].name) in self._pending}
        # the stream's own inputs get the tone only once its channel 0 is asked into the ears
        upstream = stream[0].split(":", 1)[0] if stream and stream[0].split(":", 1)[0] not in feeding else None
        wired = {d.name for d in client.get_all_connections(tone)}
        for dst in ins:
            owner = dst.split(":", 1)[0]
            if owner == upstream:
                continue
            if dst in self._redo or self._wants((tone, dst), dst in wired):
                # an input fed only now (a port that appeared after its stream's others): its
                # channel sounds later than the others, for the system's latency; not the system's
                # disagreement, so no channel but 0 counts as heard until the tone has gone through
                self.tone_settled = None
                self._redo.discard(dst)
                self._ask_connect(client, tone, dst)
                if owner not in feeding:
                    self._tone_ahead.add(owner)
        if self.tone_settled is None and not any(pair[0] == tone for pair in self._pending):
            # every input the tone was asked into is in the running graph (or gone)
            self.tone_settled = (client.frame_time + client.blocksize + int(TONE_SETTLE_S * self.rate)) % (1 << 32)
            if self.tone_gap and self.tone_gap_end is None:
                self.tone_gap_end = self.tone_settled

    def _untone(self, client: Any, tone: str, owner: str, ins: list[str]) -> None:
        """Take the tone out of ``owner``'s inputs if it went in before ``owner`` fed the ears, so
        that the outputs about to be wired make the direct connection (the rig's client waits for
        the stream's) and the tone, asked again after them, the feedback one. The stream's input is
        without the tone for a few cycles then (measured: 49 ms between the disconnect and the
        connect on the loaded rig, at the stream's start), so nothing counts as heard until the
        tone is back and through (``tone_gap``): the silence that follows is the rig's doing."""
        if owner not in self._tone_ahead:
            return
        self._tone_ahead.discard(owner)
        self.tone_gap_end = None  # first: the process callback reads the two in this order
        self.tone_gap = True
        self.tone_settled = None
        for dst in ins:
            if dst.split(":", 1)[0] == owner:
                self._pending.pop((tone, dst), None)
                self._redo.add(dst)
                try:
                    client.disconnect(tone, dst)
                except Exception:  # noqa: BLE001 - not connected after all, or the port went
                    pass

    @staticmethod
    def _uuid(client: Any, name: str) -> int | None:
        """A client's JACK UUID as a number (the server hands them out in opening order)."""
        try:
            return int(client.get_uuid_for_client_name(name))
        except Exception:  # noqa: BLE001 - the client went, or the server has no UUIDs
            return None

    def _on_xrun(self, delayed_usecs: float) -> None:
        self.xruns += 1  # one writer (libjack's notification thread); read by op_xruns
        if self.capture_path is not None and hasattr(self, "q"):
            self.q.put(HEADER.pack(time.monotonic(), 0, XRUN, self.rate, 0, 0))

    def _on_shutdown(self, status: Any, reason: str) -> None:
        # libjack's own thread: tell the parent and leave without another libjack call.
        try:
            self.send({"event": "shutdown", "reason": str(reason)})
        finally:
            os._exit(0)

    # -- operations ------------------------------------------------------------------------------
    def op_ports(self, is_output: bool | None = None) -> list[str]:
        kwargs: dict[str, Any] = {"is_audio": True}
        if is_output is True:
            kwargs["is_output"] = True
        elif is_output is False:
            kwargs["is_input"] = True
        return consistent_snapshot(lambda: [p.name for p in self.client.get_ports(**kwargs)])

    def op_connections(self) -> list[list[str]]:
        def pairs() -> list[list[str]]:
            return [[port.name, dest.name]
                    for port in self.client.get_ports(is_audio=True, is_output=True)
                    for dest in self.client.get_all_connections(port)]
        return consistent_snapshot(pairs)

    def op_connect(self, src: str, dst: str) -> None:
        self.client.connect(src, dst)

    def op_disconnect(self, src: str, dst: str) -> None:
        self.client.disconnect(src, dst)

    def op_cpu_load(self) -> float:
        return float(self.client.cpu_load())

    def op_xruns(self) -> int:
        return self.xruns

    def op_follow(self, pids: list[int]) -> None:
        """Hear the client of these processes (the system's device hosts) from the next wiring round."""
        self.follow_pids = tuple(int(p) for p in pids)

    def serve(self) -> None:
        for line in sys.stdin:
            try:
                request = json.loads(line)
            except ValueError:
                continue
            rid, op = request.get("id"), request.get("op")
            if op == "exit":
                # Deactivate/close on a live server so it drops our ports at once; a dead server
                # would have sent "shutdown" and we would be gone already.
                client, self.client = self.client, None
                if client is not None:
                    try:
                        client.deactivate()
                        client.close()
                    except Exception:  # noqa: BLE001 - leaving anyway
                        pass
                self.send({"id": rid, "ok": True, "result": None})
                os._exit(0)
            try:
                result = getattr(self, f"op_{op}")(**request.get("args", {}))
            except Exception as exc:  # noqa: BLE001 - every failure goes back as data
                self.send({"id": rid, "ok": False, "error": f"{type(exc).__name__}: {exc}"})
            else:
                self.send({"id": rid, "ok": True, "result": result})
        os._exit(0)  # stdin closed: the parent is gone; never risk a libjack call on the way out


def main() -> None:
    server, client_name, timeout_s, monitor = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4] == "1"
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # libjack prints to stdout sometimes; keep the protocol clean
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # where the threads are, on request
    agent = _Agent(proto, server, client_name)
    if len(sys.argv) > 5 and sys.argv[5]:
        agent.capture_path = sys.argv[5]
        agent.tone_hz = float(sys.argv[6]) if len(sys.argv) > 6 else 997.0
        agent.program_path = sys.argv[7] if len(sys.argv) > 7 and sys.argv[7] else None
    agent.send({"event": "started", "pid": os.getpid()})
    if not agent.open(timeout_s, monitor):
        os._exit(1)
    if not monitor:
        os._exit(0)
    agent.serve()


if __name__ == "__main__":
    main()
