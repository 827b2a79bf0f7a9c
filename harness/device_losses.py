"""Device losses and what explains them: a device lost with nothing to explain it is never a silent pass.

The system recovers from a lost device by itself, so a run whose device vanished under it can
hold every invariant: the loss is in the history (an ``error`` entry of type ``DeviceLostError``)
and nothing judged it. A loss the run provoked is what the run is for; one it did not provoke
(the system's device host died by itself, a driver dropped the device, something outside killed
a process) is news the user must get, even when the recovery was perfect.

Each loss in the history is *explained* by

- an injected device fault's window (a kind in ``faults.DEVICE_FAULT_KINDS``: it acts on the
  device through the fault target), from its firing to ``LOSS_TAIL_S`` after its end, or
- an external event the harness observed (a fault record with trigger ``external``: the rig's
  ``ServerWatch`` on a server the run owns, the rig's capture on one it does not), from
  ``EXTERNAL_LEAD_S`` before it was recorded (an observation lags what it observes: the watch
  polls, the capture is read once a chunk) to ``LOSS_TAIL_S`` after its end; a fault kind the
  vocabulary does not know (the rig's ``pulled_cable``) counts as a device fault,

each window stretched over the stretch the system was not running that began inside it or was
under way at its end (a recovery episode: the failed reopens of a device that is still gone, a
stream that dies again as the server comes back, are the same episode's; a FAILED system: a
device fault's effect waits for a stream to act on, as a simulated xrun's late callback waits
for the first callback of the stream a later recovery opens, measured 3.8 s after the xrun fired
in ``run --seed 9021 --faults default``), then ``LOSS_TAIL_S`` past it, or it is *unexplained*.
A fault of another kind (a lifecycle storm, slow DSP, an invalid configuration) explains no
loss: those act on the system, and a device host that died 20-50 ms after a reconfiguration storm
(bench/RESULTS.md, 2026-12-04 midday: it died with the thread that forked it) was exactly the
system's bug a silent pass hid.

An unexplained loss makes the run **inconclusive**, not failed: the harness cannot tell the
system's fault (its device host crashed) from the world's (a driver, the OOM killer, an operator,
a server the harness could not watch: PortAudio on a JACK server it was not told of), and a
false alarm costs as much as a missed bug; but the run cannot vouch for the system either, so
it never passes silently. The doubt names when and which device.

An explained loss is a note of a pass only when it is news (``loss_note``): one the world caused
(an observed server outage, the machine's starved graph) or one a scenario expects of its system.
A loss inside the window of a device fault the run injected itself (``cause`` "injected") is what
the fault was for: the fault's own record and the recovery invariants already judge it, and a
note on every faulted pass ("27 device losses explained" on a healthy default run) taught the
reader to skip the notes, the outside kill among them. Those losses are still counted in
``summary.json``'s ``device_losses`` (``injected``).

A *stall* (an ``error`` entry of type ``DeviceStalledError``: the system's watchdog saw no block
for longer than it allows) is judged by the same rule. A stream that stops delivering is how some
devices lose their server: ALSA's ``jack`` PCM, its JACK server killed from outside, raises no
loss; the system sees "no audio block for 251 ms", then "no input device named 'jack'" at each
reopen until the server is back (bench/RESULTS.md, 2026-12-04 evening). A stall inside a device
fault's or an observed outage's window is explained as a loss is. A loaded machine also stalls a
real stream by itself, and then the JACK graph misses its cycles too: a stall over whose silence
JACK reported xruns (``machine``: the rig's capture's reports, ``AudioCheck.jack_xruns_between``)
is explained as the machine's, the rule ``external_kills.machine_stall_episodes`` reads the same
way. A stopped or unscheduled JACK server runs no cycle and reports no xrun: a stall over at
least ``SERVER_IDLE_SHARE`` of whose silence the server itself did not run (``server``: the rig's
``harness.rig.server_runs``, ``AudioCheck.server_idle_between``) is the machine's too. Any other
stall is unexplained (inconclusive). Whether the system came back from a stall in
time is the ``recovery`` invariant's to judge, not this rule's.

Unless the stall was the system's own lateness (``own_lateness``): on PortAudio's JACK route a
loaded machine reports xruns all the time (measured: 127-469 in a 6 s run at load average 6-12),
so any stall of the system's coincides with some. When the system's watchdog measured, at its
report, that the system's own callback had been running for at least half the silence, the time
its thread waited for a CPU left out (``callback_running_s`` less ``callback_cpu_wait_s``: a slow
DSP block, a lock or a blocking call held the delivery thread, not the machine's run queue)
while the device kept calling back in at least a quarter of that run's periods
(``device_callbacks`` x ``period_s``: the device was served), the silence is the system's, and
JACK's reports do not explain it. Such a stall stays unexplained, **inconclusive** with that
reason, not failed: the system did stall itself, but whether that is a defect depends on why its
callback ran long (a ``slow_dsp`` fault the run injected, a callback that waited on something
the machine was slow to give it). A frozen machine (a paused VM, every process stopped) shows a
long callback too, but a device that did not call back: the machine's reports still explain that.

A callback that computes (a DSP chain far over its budget) on a loaded machine waits for a CPU
through most of its silence, so its own share is small and the rule above calls it the machine's.
Where the watchdog also measured the thread's time on a CPU since the last block
(``callback_cpu_s``), a callback that ran back to back through the silence and computed for more
than ``CPU_BLOCKS`` periods of it without delivering a block is not one the machine only held back
(a healthy callback computes a block within a period): whose the stall was cannot be told
(``undecided_lateness``), and it stays unexplained, inconclusive, never a pass. One whose CPU time
is a healthy block's only waited: the machine's.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

# the kind of the rig's record of its server stopped from outside: a loss in its window is told as
# that stop, not as an outage or the machine's starvation, which a stopped server otherwise looks like
from .rig.server_runs import STOPPED_KIND

__all__ = ["CPU_BLOCKS", "DEVICE_SHARE", "EXTERNAL_LEAD_S", "LOSS_TAIL_S", "LOSS_TYPES", "OWN_SHARE", "SERVER_IDLE_SHARE", "DeviceLoss", "LossFold",
           "device_losses", "explain", "loss_doubt", "loss_findings", "loss_note", "machine_starved", "own_lateness", "summary_of",
           "system_held", "undecided_lateness"]

#: how long after a device fault's window a loss is still that fault's: the stream finds out a
#: moment late (the simulated device reports one period later; a device host's reader thread or
#: watchdog on a loaded machine later still). Short against the stretches between device faults
#: a profile draws, so a loss long after every fault is never excused by it.
LOSS_TAIL_S = 2.0
#: how long before an observed external event was recorded a loss may be laid on it: the server
#: watch polls every 50 ms but its thread waits for a CPU like any other (a 1 s wait measured a
#: 15.8 s span at load 13-17), and the capture reports an outage at the next poll of the run
EXTERNAL_LEAD_S = 5.0
#: losses a fold judges (a tuple each; a hostile profile's 8 h soak loses its device ~2 300 times):
#: past it, the rest are counted as not judged and the run is inconclusive for them
LOSSES_KEPT = 100_000
#: losses ``summary.json`` lists one by one (the unexplained ones' descriptions, and all losses)
LOSSES_LISTED = 50
#: entries a streamed ``LossFold`` reads between two looks for a quiet point (``LossFold``): a look
#: rebuilds the explaining windows, so it is taken seldom enough to cost nothing per entry
LOSS_SEGMENT_ITEMS = 4096
#: the error types judged, and what each is called in a description: a device gone, and a device
#: whose stream stopped delivering blocks (how ALSA's ``jack`` PCM loses its server)
LOSS_TYPES: dict[str, str] = {"DeviceLostError": "lost", "DeviceStalledError": "stalled"}
#: the share of a stall's silence the system's own callback must have been running for at the
#: report, for the stall to be the system's lateness (``own_lateness``). Measured on the rig's
#: ``system`` route at load average 11-14: a callback held 0.4 s had run 224 and 246 ms of 251 and
#: 253 ms silences (0.89, 0.97), a spinning one 255 of 263 ms (0.97); a healthy callback runs
#: 0.1-4 ms of a period, and none runs when jackd is stopped from outside (0.0 measured)
OWN_SHARE = 0.5
#: the share of the periods of that run the device must have called back in: the device was
#: served while the system's callback ran (measured: 35, 44 and 48 callbacks, 0.83-0.98 of the
#: run's periods; 0 with jackd stopped). A quarter, not more: a loaded machine also delays the
#: device host and jackd, and a device that called back even that often delivered blocks the
#: system did not take; a frozen machine (every process stopped) calls back a few times at most
DEVICE_SHARE = 0.25
#: the share of a stall's silence the JACK server itself must not have run for (stopped, or not
#: scheduled: ``harness.rig.server_runs``) for the stall to be the machine's: what is left, the
#: time it served its clients and no block reached the system, is then shorter than the time it
#: did not run, and shorter than the watchdog's floor (a stall is reported at 250 ms). Measured
#: with jackd stopped 0.4 s from outside: the stall is reported while it is still stopped, so it
#: did not run for nearly all of the 250 ms
SERVER_IDLE_SHARE = 0.5


#: how a stall laid on a server the machine did not run (``machine_starved``'s ``server_idle``) is told:
#: the note names it as that, not as JACK's xrun reports, which said nothing over it
_STARVED_SERVER = "the machine: the JACK server did not run for"


def _number(value: Any) -> float | None:
    """A finite number from a detail (None: absent, a boolean, not a number)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return None
    return float(value)


def own_lateness(details: Mapping[str, Any], silent_s: float) -> str | None:
    """Why a stall whose silence lasted ``silent_s`` was the system's own lateness, from what its
    watchdog measured at the report (``details``), or None when it was not, or nothing says.

    The system's callbacks had been running back to back (``callback_running_s``) through at
    least ``OWN_SHARE`` of the silence, the time their thread waited for a CPU over it left out
    (``callback_cpu_wait_s``: the loaded machine's part), and the device called back
    (``device_callbacks`` times, a period ``period_s`` apart) in at least ``DEVICE_SHARE`` of the
    periods they held of it: the device was served, the system did not take its blocks. A device
    that did not call back (a frozen machine), a thread the machine kept off a CPU for most of the
    silence, or no measure at all: None."""
    running = _number(details.get("callback_running_s"))
    calls = _number(details.get("device_callbacks"))
    period = _number(details.get("period_s"))
    if running is None or calls is None or period is None or silent_s <= 0 or period <= 0:
        return None
    wait = _number(details.get("callback_cpu_wait_s")) or 0.0
    held = min(running, silent_s)  # callbacks run back to back may have begun before the silence
    own = held - min(wait, held)
    if own < OWN_SHARE * silent_s or calls * period < DEVICE_SHARE * held:
        return None
    waited = f", {wait * 1000:.0f} ms of the silence waiting for a CPU" if wait else ""
    return (f"the system's own callbacks had run {running * 1000:.0f} ms back to back{waited}, through the "
            f"{silent_s * 1000:.0f} ms without a block, while the device called back {calls:.0f} time(s): "
            f"{_OWN_MARK}, which JACK's xrun reports do not explain")


#: the words an own-lateness reason carries (``loss_doubt`` reads the descriptions for them)
_OWN_MARK = "its own lateness"
#: the words a reason carries where the evidence cannot tell the machine's stall from the system's
_UNDECIDED_MARK = "whose stall it was cannot be told"
#: how many blocks' worth of CPU time (periods) the system's callback may have run since its last
#: block for a stall it held while waiting for a CPU to be the machine's: a healthy callback
#: computes a block in less than one period (else it would miss every deadline), so a thread that
#: ran longer than two without delivering one was computing past its budget, not only waiting
CPU_BLOCKS = 2.0


def undecided_lateness(details: Mapping[str, Any], silent_s: float) -> str | None:
    """Why a stall the system's own callback held, but not by itself, can be called neither the
    machine's nor the system's (None: it can, or nothing says).

    Its callbacks had run back to back (``callback_running_s``) through at least ``OWN_SHARE`` of
    the silence, most of it waiting for a CPU (``callback_cpu_wait_s``: not ``own_lateness``), but
    its thread also ran on a CPU (``callback_cpu_s``) for more than ``CPU_BLOCKS`` periods since
    the last block: a callback that computes too long (a DSP chain far over its budget) on a
    loaded machine. The machine kept it waiting, and it would have been late without the wait as
    well; which made the silence as long as it was cannot be told, so the machine's xrun reports
    must not explain it (inconclusive, never a pass). A callback that only waited (its CPU time a
    healthy block's) is the machine's, as before."""
    running = _number(details.get("callback_running_s"))
    cpu = _number(details.get("callback_cpu_s"))
    period = _number(details.get("period_s"))
    if running is None or cpu is None or period is None or silent_s <= 0 or period <= 0:
        return None
    if min(running, silent_s) < OWN_SHARE * silent_s or cpu <= CPU_BLOCKS * period:
        return None
    wait = _number(details.get("callback_cpu_wait_s")) or 0.0
    return (f"the system's own callbacks had run {running * 1000:.0f} ms back to back through the "
            f"{silent_s * 1000:.0f} ms without a block, {cpu * 1000:.0f} ms of it on a CPU (over {CPU_BLOCKS:g} "
            f"periods of {period * 1000:.1f} ms) and {wait * 1000:.0f} ms waiting for one: {_UNDECIDED_MARK} "
            "(the callback computed past its budget on a machine that kept it waiting), and JACK's xrun "
            "reports do not explain it")


def system_held(details: Mapping[str, Any], silent_s: float) -> str | None:
    """Why the machine's evidence (JACK's xrun reports, a server that did not run) must not explain
    a stall whose silence lasted ``silent_s``, from what its watchdog measured (``details``): the
    system's own callback held it (``own_lateness``), or held it computing past its budget while
    the machine kept it waiting, so whose it was cannot be told (``undecided_lateness``); None:
    neither. The one question the loss fold and the external kills' episode count ask before
    ``machine_starved``."""
    return own_lateness(details, silent_s) or undecided_lateness(details, silent_s)


def machine_starved(t: float, silent_s: float, machine: Any = None, server: Any = None) -> tuple[str, float] | None:
    """What says a stall reported at ``t``, after ``silent_s`` without a block, was the machine's:
    ``("server_idle", s)`` when the JACK server itself did not run for ``s`` of the silence, at
    least ``SERVER_IDLE_SHARE`` of it (``server(t0, t1)``: stopped, or not scheduled, when JACK
    reports nothing), else ``("xruns", n)`` when JACK reported ``n`` xruns over it
    (``machine(t0, t1)``: the machine starved the whole graph); None when neither says so or
    neither is known. The one rule for the loss fold, the external kills' episode count and the
    listening check's reading of a glitch (``AudioCheck.machine_cause``); the caller has ruled out
    the system's own lateness (``system_held``) first."""
    if silent_s <= 0:
        return None
    if server is not None:
        idle = server(t - silent_s, t)
        if idle is not None and idle >= SERVER_IDLE_SHARE * silent_s:
            return "server_idle", float(idle)
    if machine is not None:
        reports = machine(t - silent_s, t)
        if reports:
            return "xruns", reports
    return None


@dataclass(frozen=True)
class DeviceLoss:
    """One device loss in a history: when, which device, the error, and what explains it (None:
    nothing does)."""

    time: float
    device: str
    error: str
    explained_by: str | None = None
    #: seconds from the history's first entry to the loss
    into_run_s: float = 0.0
    #: "lost" (``DeviceLostError``) or "stalled" (``DeviceStalledError``)
    kind: str = "lost"
    #: a stall the system's own callback held (``own_lateness``), or held computing past its budget
    #: while the machine kept it waiting (``undecided_lateness``): why the machine's xrun reports do
    #: not explain it (None: not measured so)
    own_lateness: str | None = None
    #: "injected": explained by a device fault the run injected itself (no news: ``loss_note``);
    #: None: by anything else (an observed outage, the machine, a scenario's expectation) or nothing
    cause: str | None = None

    def describe(self) -> str:
        return (f"device {self.device!r} {self.kind} at t={self.time:.3f} s ({self.into_run_s:.2f} s into the run): "
                f"{self.error}" + (f"; {self.own_lateness}" if self.own_lateness else ""))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _explains(kind: str | None, trigger: str | None) -> bool:
    # deferred: the verdict reads this module's findings without loading the fault vocabulary
    from .faults import DEVICE_FAULT_KINDS, FAULT_KINDS  # noqa: PLC0415

    if trigger == "external":
        return True
    if kind in DEVICE_FAULT_KINDS:
        return True
    return kind not in FAULT_KINDS  # a kind outside the vocabulary (the rig's own): counted as the device's


Loss = tuple[float, str, str, str, float, str | None]
Window = tuple[float, float, str, str | None]


def _judge(losses: Iterable[Loss], windows: list[Window], t0: float, machine: Any = None, server: Any = None,
           *, defer: bool = False) -> Iterable[DeviceLoss | Loss]:
    """Each loss (in order) with what explains it among ``windows`` (sorted) or the machine's
    evidence. ``defer``: a stall that no window explains and that was not the system's own is
    yielded as it came (its tuple), to be judged against the machine's evidence at the run's end."""
    starts = [w[0] for w in windows]
    # the window reaching furthest among those opened by each position: a loss at t is
    # explained iff the furthest-reaching window opened at or before t reaches t
    reach: list[int] = []
    for k, w in enumerate(windows):
        reach.append(k if not reach or w[1] > windows[reach[-1]][1] else reach[-1])
    for loss in losses:
        t, device, error, kind, silent_s, own = loss
        k = bisect.bisect_right(starts, t) - 1
        hit = windows[reach[k]] if k >= 0 and windows[reach[k]][1] >= t else None
        why, cause = (hit[2], hit[3]) if hit is not None else (None, None)
        machine_may = why is None and kind == "stalled" and own is None
        if machine_may and defer:
            yield loss
            continue
        starved = machine_starved(t, silent_s, machine, server) if machine_may else None
        if starved is not None and starved[0] == "server_idle":
            why = (f"{_STARVED_SERVER} {starved[1] * 1000:.0f} ms of the "
                   f"{silent_s * 1000:.0f} ms without a block")
        elif starved is not None:
            why = f"the machine: {starved[1]} JACK xrun report(s) over the {silent_s * 1000:.0f} ms without a block"
        yield DeviceLoss(t, device, error, why, t - t0, kind, None if why else own, cause)


class _Tally:
    """``summary_of``'s figures over losses judged a few at a time, in order: counts, the first
    ``LOSSES_LISTED`` losses and the first ``LOSSES_LISTED`` unexplained ones, without the rest.
    A stall left to the machine's evidence (``_judge``'s ``defer``) is kept whole with its place
    until ``finish`` judges it."""

    def __init__(self) -> None:
        self.count = self.stalls = self.explained = self.injected = self.unexplained = 0
        #: (place, loss) of the first ``LOSSES_LISTED`` losses; a deferred one as its tuple
        self.listed: list[tuple[int, DeviceLoss | Loss]] = []
        #: (place, loss) of the first ``LOSSES_LISTED`` unexplained losses judged
        self.unexplained_listed: list[tuple[int, DeviceLoss]] = []
        #: (place, tuple) of the deferred stalls
        self.deferred: list[tuple[int, Loss]] = []

    def add(self, place: int, loss: DeviceLoss | Loss) -> None:
        if place < LOSSES_LISTED:
            self.listed.append((place, loss))
        if not isinstance(loss, DeviceLoss):
            self.deferred.append((place, loss))
            return
        self._count(place, loss)

    def _count(self, place: int, loss: DeviceLoss, *, listed_or_not: bool = False) -> None:
        """Count ``loss``; an unexplained one is listed while the list is short, or always
        (``listed_or_not``: a deferred one, placed among the listed ones by ``finish``)."""
        self.count += 1
        self.stalls += loss.kind == "stalled"
        if loss.explained_by:
            self.explained += 1
            self.injected += loss.cause == "injected"
        else:
            self.unexplained += 1
            if listed_or_not or len(self.unexplained_listed) < LOSSES_LISTED:
                self.unexplained_listed.append((place, loss))

    def finish(self, t0: float, machine: Any, server: Any) -> dict[str, Any]:
        """``summary_of``'s dict, the deferred stalls judged against ``machine`` and ``server``."""
        judged = dict(zip((p for p, _ in self.deferred),
                          _judge((x for _, x in self.deferred), [], t0, machine, server)))
        self.deferred = []
        for place, loss in sorted(judged.items()):
            assert isinstance(loss, DeviceLoss)
            self._count(place, loss, listed_or_not=True)
        listed = [judged.get(p, x) for p, x in self.listed]
        unexplained = sorted(self.unexplained_listed, key=lambda px: px[0])[:LOSSES_LISTED]
        return {"count": self.count, "stalls": self.stalls, "explained": self.explained,
                "injected": self.injected, "unexplained_count": self.unexplained,
                "unexplained": [x.describe() for _, x in unexplained],
                "items": [x.to_dict() for x in listed if isinstance(x, DeviceLoss)]}


class LossFold:
    """Reads a history one entry at a time (``feed``, in index order) and keeps the device
    losses, the device and external fault windows and the stretches the system was not running
    (never the entries); ``result()`` explains each loss, ``summary()`` gives ``summary_of``'s dict.

    Streamed (a history on the virtual clock, ``initial["clock"] == "virtual"``, and ``streamed``):
    an 8-hour soak's losses, firings and transitions are not all kept to the end. At a quiet point
    (time T: no firing open, the system running, every explaining window closed before T) no
    window yet to come opens before T - ``EXTERNAL_LEAD_S`` (the virtual clock records a firing at
    the time it fires and never goes back) and no window known grows (an episode after T begins
    after its end), so every loss before T - ``EXTERNAL_LEAD_S`` is judged there as the run's end
    would judge it, its figures kept in ``summary()``'s counts and lists, and the windows and
    stretches that can no longer reach a loss to come are let go. The windows still open to one
    are kept as they were computed (their reach fixed). A stall no window explains waits for the
    end (the machine's evidence is asked then). ``result()`` is then refused: the losses are
    gone; ``summary()`` is the same dict ``summary_of(result())`` gives unstreamed."""

    types = frozenset({"error", "fault_start", "fault_end", "transition"})

    def __init__(self, initial: Mapping[str, Any] | None = None, *, streamed: bool = True) -> None:
        #: (time, device, error, kind, seconds without a block before the report: stalls only,
        #: the system's own lateness: ``own_lateness``)
        self.losses: list[Loss] = []
        self.dropped = 0
        self.faults: dict[Any, dict[str, Any]] = {}
        #: (seq, time, left running) of the system's moves out of and back into RUNNING
        self.down: list[tuple[int, float, bool]] = []
        self.first_time: float | None = None
        self.last_time = 0.0
        self.streamed = streamed and (initial or {}).get("clock") == "virtual"
        #: losses already judged and let go (the place of ``losses[0]``), and their figures
        self.settled = 0
        self._tally = _Tally()
        #: windows fixed at a quiet point that may still explain a loss to come
        self._kept: list[Window] = []
        #: firings started and not ended
        self._open: set[Any] = set()
        self._items = 0
        #: quiet points judged at
        self.segments = 0
        #: the system out of RUNNING at its latest move recorded; the latest end of a firing or of
        #: a stretch out of RUNNING, plus ``LOSS_TAIL_S``: no window reaches past it (both only
        #: say when a quiet point is worth looking for: ``_settle`` judges whether it is one)
        self._down_now = False
        self._busy = -math.inf

    def feed(self, e: Any) -> None:
        if self.first_time is None:
            self.first_time = e.time
        if e.time is not None and e.time > self.last_time:
            self.last_time = e.time
        if self.streamed:
            self._items += 1
            if (self._items >= LOSS_SEGMENT_ITEMS and not self._open and not self._down_now
                    and e.time is not None and e.time > self._busy):
                self._settle(float(e.time))
        if e.type not in self.types:
            return
        d = e.data or {}
        if e.type == "error":
            err = d.get("error")
            if isinstance(err, dict) and err.get("type") in LOSS_TYPES:
                if self.settled + len(self.losses) >= LOSSES_KEPT:
                    self.dropped += 1
                    return
                details = err.get("details") or {}
                device = str(details.get("device") or err.get("component") or "?")
                # how long the stream was silent when the stall was reported (the stream's watchdog
                # says ``silent_s``, the system's own ``stalled_for_s``)
                silent = details.get("silent_s", details.get("stalled_for_s"))
                silent_s = float(silent) if isinstance(silent, (int, float)) and not isinstance(silent, bool) else 0.0
                self.losses.append((float(e.time), device, f"{err['type']}: {err.get('message', '')}",
                                    LOSS_TYPES[err["type"]], silent_s,
                                    system_held(details, silent_s)))
        elif e.type in ("fault_start", "fault_end"):
            fid = d.get("firing_id", e.index)
            f = self.faults.setdefault(fid, {})
            f.update({k: d[k] for k in ("kind", "trigger", "fired_at", "ended_at") if k in d})
            if e.type == "fault_end" or f.get("ended_at") is not None:
                self._open.discard(fid)
                ended = f.get("ended_at")
                if isinstance(ended, (int, float)):
                    self._busy = max(self._busy, float(ended) + LOSS_TAIL_S)
            else:
                self._open.add(fid)
        elif d.get("component") == "system":
            from_state, to_state = d.get("from_state"), d.get("to_state")
            if (to_state == "running") != (from_state == "running"):
                t = float(d.get("time", e.time))
                self.down.append((int(d.get("seq", 0)), t, from_state == "running"))
                self._down_now = from_state == "running"
                self._busy = max(self._busy, t + LOSS_TAIL_S)

    def _settle(self, now: float) -> None:
        """At a quiet point ``now`` (the class's rule), judge the losses before ``now`` -
        ``EXTERNAL_LEAD_S`` and let go what no loss to come can need; nothing when it is not one."""
        self._items = LOSS_SEGMENT_ITEMS - LOSS_SEGMENT_ITEMS // 64  # not one: look again soon
        down = sorted(self.down)
        if down and down[-1][2]:
            return  # the system is not running: its episode's end is not known yet
        windows = self._windows(now)
        if any(w[1] >= now for w in windows):
            return  # a window may still grow over an episode that begins before it closes
        self._items = 0
        self.segments += 1
        cut = now - EXTERNAL_LEAD_S
        n = bisect.bisect_left(self.losses, cut, key=lambda x: x[0])
        t0 = self.first_time or 0.0
        for i, loss in enumerate(_judge(self.losses[:n], windows, t0, defer=True)):
            self._tally.add(self.settled + i, loss)
        del self.losses[:n]
        self.settled += n
        self._kept = [w for w in windows if w[1] >= cut]
        self.faults = {}
        # every episode is closed: those that ended before ``cut`` cannot stretch a window to come
        # (each opens at ``cut`` or later); the stretch is cut after a move back into RUNNING
        keep = len(down)
        while keep > 0 and not (not down[keep - 1][2] and down[keep - 1][1] < cut):
            keep -= 1
        self.down = down[keep:]

    def _episodes(self, end: float) -> list[tuple[float, float]]:
        """The stretches the system was not running after it first ran (recovering, failed, stopped,
        reconfiguring) as (left running, back), in time order; one still open ends at ``end``."""
        out: list[tuple[float, float]] = []
        entered: float | None = None
        for _, t, into in sorted(self.down):
            if into and entered is None:
                entered = t
            elif not into and entered is not None:
                out.append((entered, t))
                entered = None
        if entered is not None:
            out.append((entered, end))
        return sorted(out)

    def _windows(self, end: float) -> list[Window]:
        """The explaining windows (from, to, what, cause), each stretched over the stretches the
        system was not running that began inside it or were under way at its end; cause
        "injected" for a fault the run injected, None for an observed external one. With those
        kept from the last quiet point (streamed)."""
        episodes = self._episodes(end)
        ends = [b for _, b in episodes]
        out = list(self._kept)
        for fid, f in self.faults.items():
            kind, trigger, fired = f.get("kind"), f.get("trigger"), f.get("fired_at")
            if fired is None or not _explains(kind, trigger):
                continue
            external = trigger == "external"
            ended = f.get("ended_at")
            lo = float(fired) - (EXTERNAL_LEAD_S if external else 0.0)
            hi = (float(ended) if ended is not None else end) + LOSS_TAIL_S
            j = bisect.bisect_left(ends, lo)  # episodes are disjoint: their ends are in order too
            while j < len(episodes) and episodes[j][0] <= hi:
                hi = max(hi, episodes[j][1] + LOSS_TAIL_S)
                j += 1
            what = f"{kind}{' (external)' if external else ''} {fid} from t={float(fired):.3f} s" + (
                f" to t={float(ended):.3f} s" if ended is not None else " (never ended)")
            out.append((lo, hi, what, None if external else "injected"))
        return sorted(out)

    def result(self, end: float | None = None, machine: Any = None, server: Any = None) -> list[DeviceLoss]:
        """Each loss and stall with what explains it. ``machine(t0, t1)``: how many xruns JACK
        reported over the stretch ``t0..t1`` (None: not known), which explains a stall over whose
        silence it reported any (the machine starved the whole graph); None: no JACK graph heard.
        ``server(t0, t1)``: how long the JACK server itself did not run in ``t0..t1`` (None: not
        known; ``AudioCheck.server_idle_between``), which explains a stall for at least
        ``SERVER_IDLE_SHARE`` of whose silence it did not run (stopped, or not scheduled: JACK
        reports no xrun then); None: the server not watched. Refused once a streamed fold has
        let losses go (``summary()`` then)."""
        if self.settled:
            raise RuntimeError("a streamed LossFold has judged and let go of its first losses: ask summary()")
        end = self.last_time if end is None else max(end, self.last_time)
        t0 = self.first_time or 0.0
        out: list[DeviceLoss] = list(_judge(self.losses, self._windows(end), t0, machine, server))  # type: ignore[arg-type]
        if self.dropped:
            out.append(self._dropped_loss(end))
        return out

    def _dropped_loss(self, end: float) -> DeviceLoss:
        return DeviceLoss(end, "?", f"{self.dropped} more device loss(es) past the first {LOSSES_KEPT}, "
                          "not judged", None, end - (self.first_time or 0.0))

    def summary(self, end: float | None = None, machine: Any = None, server: Any = None) -> dict[str, Any]:
        """``summary_of(self.result(end, machine, server))``, also once a streamed fold has let
        losses go; the fold's last word (a streamed fold's tally is spent)."""
        if not self.streamed:
            return summary_of(self.result(end, machine, server))
        end = self.last_time if end is None else max(end, self.last_time)
        t0 = self.first_time or 0.0
        for i, loss in enumerate(_judge(self.losses, self._windows(end), t0, defer=True)):
            self._tally.add(self.settled + i, loss)
        self.settled += len(self.losses)
        self.losses = []
        if self.dropped:
            self._tally.add(self.settled, self._dropped_loss(end))
        return self._tally.finish(t0, machine, server)


def device_losses(history: Any, machine: Any = None, server: Any = None) -> list[DeviceLoss]:
    """Every device loss and stall in ``history`` (read once, streamed back from its file if need
    be), each with what explains it; ``machine``: JACK's xrun reports over a stretch, ``server``:
    how long the JACK server did not run in it (``LossFold.result``)."""
    fold = LossFold()
    for e in history:
        fold.feed(e)
    return fold.result(getattr(history, "end_time", None), machine, server)


def explain(losses: Iterable[DeviceLoss]) -> tuple[list[DeviceLoss], list[DeviceLoss]]:
    """(explained, unexplained)."""
    losses = list(losses)
    return [x for x in losses if x.explained_by], [x for x in losses if not x.explained_by]


def loss_doubt(unexplained: Iterable[str], count: int | None = None) -> str | None:
    """The verdict's doubt for the unexplained losses' descriptions (None: there are none);
    ``count``: how many there were, when the descriptions are the first of them."""
    items = list(unexplained)
    if not items:
        return None
    n = max(count or 0, len(items))
    more = f" (and {n - 3} more)" if n > 3 else ""
    stalls = any(" stalled at t=" in x for x in items)
    what = "device loss(es) or stall(s)" if stalls else "device loss(es)"
    why = ", no JACK xrun report over a stall" if stalls else ""
    if any(_OWN_MARK in x or _UNDECIDED_MARK in x for x in items):
        why += " the system's own callback did not hold"
    return (f"{n} {what} with nothing to explain them (no device fault injected at the time, "
            f"no server outage observed{why}): " + "; ".join(items[:3]) + more)


def injected_item(item: Mapping[str, Any]) -> bool:
    """Whether a ``summary_of`` item was explained by a device fault the run injected itself. An
    item of a summary written before ``cause`` existed is read from its ``explained_by``: a known
    device fault kind's window, not an external one's; anything unsure counts as not injected
    (a note too many costs less than an outside loss unsaid)."""
    if "cause" in item:
        return item.get("cause") == "injected"
    why = str(item.get("explained_by") or "")
    if not why or "(external)" in why:
        return False
    from .faults import DEVICE_FAULT_KINDS  # noqa: PLC0415 (deferred, as in ``_explains``)

    return why.split(" ", 1)[0] in DEVICE_FAULT_KINDS


def loss_note(summary: Mapping[str, Any]) -> str | None:
    """A note for the explained losses of a ``summary_of`` dict that are news (None: there are
    none): a pass still says its device was lost from outside, and why. Losses explained by a
    device fault the run injected (``injected``) are no note: the run caused them on purpose."""
    items = [x for x in summary.get("items") or () if x.get("explained_by")]
    injected = summary.get("injected")
    if injected is None:  # a summary from before ``injected``: read from its listed items
        injected = sum(1 for x in items if injected_item(x))
    n = int(summary.get("explained") or 0) - int(injected)
    if n <= 0:
        return None
    first = next((x for x in items if not injected_item(x)), None)
    where = "" if first is None else (f"; the first: device {first.get('device')!r} "
                                      f"{first.get('kind', 'lost')} at t={float(first['time']):.3f} s, "
                                      f"during {first['explained_by']}")
    stalls = int(summary.get("stalls") or 0)
    what = "device loss(es) or stall(s)" if stalls else "device loss(es)"
    whys = [str(x.get("explained_by")) for x in items if not injected_item(x)]
    kinds = [phrase for phrase, hit in (
        ("an observed server outage", any(not w.startswith(("the machine", "expect[", STOPPED_KIND)) for w in whys)),
        ("the JACK server stopped from outside (a signal: its process seen stopped)",
         any(w.startswith(STOPPED_KIND) for w in whys)),
        ("JACK's xrun reports", any(w.startswith("the machine") and not w.startswith(_STARVED_SERVER) for w in whys)),
        ("a JACK server the loaded machine did not run", any(w.startswith(_STARVED_SERVER) for w in whys)),
        ("the scenario's expectation", any(w.startswith("expect[") for w in whys))) if hit]
    by = " or ".join(kinds) or "an observed server outage"
    return f"{n} {what}, each explained by {by}, none by a fault the run injected" + where


def loss_findings(summary: Mapping[str, Any] | None) -> tuple[str | None, str | None]:
    """(doubt, note) of a ``summary_of`` dict (``summary.json``'s ``device_losses``; None: not judged)."""
    if not summary:
        return None, None
    doubt = loss_doubt([str(x) for x in summary.get("unexplained") or ()], int(summary.get("unexplained_count") or 0))
    return doubt, loss_note(summary)


def summary_of(losses: Iterable[DeviceLoss]) -> dict[str, Any]:
    """``summary.json``'s ``device_losses``: counts, the unexplained ones' descriptions (what the
    reports' verdict reads) and every loss (the first ``LOSSES_KEPT``)."""
    losses = list(losses)
    explained, unexplained = explain(losses)
    return {"count": len(losses), "stalls": sum(1 for x in losses if x.kind == "stalled"),
            "explained": len(explained), "injected": sum(1 for x in explained if x.cause == "injected"),
            "unexplained_count": len(unexplained),
            "unexplained": [x.describe() for x in unexplained[:LOSSES_LISTED]],
            "items": [x.to_dict() for x in losses[:LOSSES_LISTED]]}
