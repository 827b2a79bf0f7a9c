"""Audio damage: what the test sine sounded like after it went through the system, per fault window.

The simulated device plays a known sine into the system (``SimulatedBackend.signal_hz``) and this
module listens to what the device plays back (``SimulatedBackend.add_output_tap``: the simulated
loopback cable). The output is laid out on the device's time line (a callback that comes late, or
not at all, leaves silence where its block should have been, as a DAC would), judged chunk by chunk
with ``harness.analysis.analyze_glitches``, and every glitch is attributed to a *fault window* or
to "outside any fault".

Fault windows ("episodes")
    A window opens when a fault fires (``FaultInjector`` listener) or when the system leaves
    RUNNING (a transition observer: recovering, reconfiguring, paused, stopped), and closes
    ``settle_margin_s`` after the last of its members ended (the fault's end, at least its
    ``delay_s``; the system's return to RUNNING). Whatever starts before a window has closed joins
    it, so overlapping faults share one window (their damage cannot be told apart). Every return
    to RUNNING (the first start too) is a member of zero length: the DSP chain starts from rest,
    so the first few milliseconds of a (re)started stream belong to what (re)started it.
    A stall the system's watchdog reports ("no callback for X s"), or a real device's host
    ("no audio block for X ms"), opens its window X before the report: its stream was silent from
    then on (``stalled_for``: the error's ``stalled_for_s`` or ``silent_s``).
    A window with no fault whose state changes were all requested (``pause``, ``stop``,
    ``reconfigure``...) is *requested*: silence there is what was asked for. A window with no
    fault and some other cause (a recovery nobody provoked) is *unexplained*.

Per window: glitches by kind, frames dropped and inserted (deltas of the frame accounting
counters across the window), device-gap frames (time the device played nothing), and time to
clean audio (end of the window's last glitch minus the window's start).

Frames flushed at a state change
    A stream torn down (a stop, a recovery, a simulated error, a reconfigure) takes what its rings
    held with it: the system counts those frames dropped, off the audio path, while its state
    changes. They are the old stream's unplayed tail, not a hole in a stream that kept playing: the
    device goes on with a new stream, and what can be heard is the seam between the two, which the
    analysis judges like any other stretch (a mute where the device played nothing, a click or a
    phase step where the new stream does not continue the old one's waveform). When the seam
    happens to be continuous (the new stream starts the tone at the very phase the old one's
    flushed tail would have ended on: an 8 h soak met one) there is nothing to hear, and the
    counters cannot ask for it. On the simulated device the counters move only in the callback
    and in a teardown's flush, so frames counted between two blocks across a change of the
    system's state are exactly the flushed ones: they are reported per window
    (``frames_flushed``) and in the totals, never asked to be heard. Not on the rig: its capture is
    read in batches, and the counters' moves cannot be placed between two cycles there.

The verdict ``clean_audio`` fails on
    - a glitch outside every fault or requested window (a false alarm on a healthy system would be
      one: the healthy matrix at many seeds must show none), or inside an unexplained one;
    - the frame accounting moving (dropped/inserted) outside every window;
    - a window whose frame accounting (frames flushed at a state change aside) or device gaps say
      audio was lost while the analysis heard nothing there: the counters and the audio must tell
      one story. Device gaps are the simulated device's (it played nothing: the system's loss); on
      the rig, frames its capture did not record are its own misses (``capture_gap_frames``), not
      asked to be heard.
It is inconclusive (ok, flagged) when no test tone reached the output at all (a DSP chain that
filters the tone away, say), so nothing could be judged.

On a real JACK server the output comes from the rig's capture instead (``harness.rig_audio``:
``feed`` per cycle, placed by the server's frame counter). Things only the rig has:

- a JACK xrun report opens a window of its own (label ``jack_xrun``, from ``XRUN_LEAD_S`` before
  the report: the machine missed a deadline, reported as it happened), where it lies in time even
  when it is read after a later window opened live (``_in_order``);
- an outage of the JACK server the rig observed (``outage_begin``/``outage_end``: its capture
  client was told the server shut down, and a new one heard the system again) is a window of its
  own (label ``server_outage``), an external fault: from the rig's last hearing to its hearing
  again, joined by every window that reaches into it (the system's recovery episode, JACK's xrun
  reports), closed the settle margin after its last member ended. A recovery the system begins
  after that is not the outage's: a window of its own, judged as any other;
- a silence the system's watchdog laid on the machine (``held_begin``/``held_end``, read from
  ``AudioSystem.held_silences``: its delivery thread held off a CPU while the device kept
  calling back, counted ``delivery_held``) is a window of its own (label ``delivery_held``), the
  machine's as an outage is the world's: from the last callback before it to the first after;
  a hold the run ended inside leaves its window unheard (inconclusive);
- cycles the rig's capture client missed (``missed``) are silence in a window of their own,
  judged where JACK reported an xrun in it (the graph missed those deadlines), or where they lie
  inside what the window's other members hold (a state change, a fault, the system's own xrun
  report) and could hide nothing the window weighs (``_missed_where_excused``: judged on what was
  heard around them, counted in ``missed_heard_around``), else blind. Their
  frames (and the stretch between two capture clients) are ``capture_gap_frames``: the rig's own
  misses, never a loss of the system's the analysis must hear (a miss in the capture's last cycles
  has no audio after it to be heard by). A missed stretch read after a window opened live (the
  run's stop is recorded before its last cycles are read) and ending within the settle margin
  before it takes that window back to the stretch's start;
- a stretch the rig did not hear (``blind``: its capture client ended without its server dying,
  an outage it never heard the end of, missed cycles nobody reported) makes every window it
  overlaps *inconclusive* (``verdict`` of the window; the run's ``clean_audio`` is then
  inconclusive too, unless something is violated elsewhere).

A silence that begins inside a window and outlasts it (past the window's end plus the settle
margin) is cut there: the window explains its own part only, and the rest is judged on its own
(a stream that stays mute after its recovery fails, whatever fault it began in).

What the rig measured of each glitch is kept for the steady-state check (``machine_cause``:
cycles its capture missed, a missed deadline's damage at a JACK xrun report), which must not take
the machine's damage in a quiet window for the system's unsteadiness. On a loaded rig JACK's
xrun windows merge into one that covers the whole run, so ``clean_audio`` there judges the
counters and long silences, not single glitches; the steady-state windows judge those one by one.

Xrun reports explain a period or a few each: a silence of ``MACHINE_MUTE_MAX_S`` or more that only
xrun reports hold in its window (outside its other members, faults, state changes, outages,
blind stretches, and the settle margin after each: before them, between them or after them) is
the system's, unless the machine kept reporting xruns all through
it (no stretch of that length without a report), which makes ``clean_audio`` inconclusive: a
machine missing deadlines that often cannot be told from a mute stream. A window keeps every
silence (and channel disagreement) that rule may weigh (``SPANS_KEPT``: shorter ones make room,
and so do those its members that have ended hold all but pieces too short to weigh: members are
only ever added, so such a silence's verdict is settled as held: on a loaded rig one window held
open all hour by JACK's xrun reports counted 20 344 silences it did not keep; and, oldest first, so
do those through which JACK already reported at least every ``MACHINE_MUTE_MAX_S``: what comes
later only holds more of a silence or adds reports, so it is settled as dense, never the
system's). The time the
JACK server itself did not run (``RigCapture.server_runs``: stopped from outside, or not
scheduled) is left out of such a silence and of its stretches without a report:
no cycle ran there, for anyone, and a server that does not run reports no xrun (measured: jackd
stopped 0.4 s from outside made a 0.56 s "silence with no xrun report in it" of 0.16 s of audio,
a false FAIL); what is left shorter than ``MACHINE_MUTE_MAX_S`` is the machine's, noted
(``server_idle_mutes``), not doubted. A silence the window could not keep was not judged, so the
run cannot hold (inconclusive). After a server outage the rig heard the end of, the tone must be
analysed again before the next outage or the run's end: where the windows held all that followed
(a silence too short past them to weigh, or no stretch of sound long enough to analyse) nothing of
the recovered system was judged, and ``clean_audio`` is inconclusive, never held.

Memory is bounded whatever the run's length: a ring of ``window_s + 2 * overlap_s`` of audio,
counts, aggregates per fault kind, the first ``detail_limit`` windows and glitches in detail, and
``excerpt_limit`` short waveforms.

Every output channel is judged: the analysed one (``channel``, default 0) by the analysis, the
others held to it (``CHANNEL_TOLERANCE``: "channel" and "channel_level" glitches, with their
``channel``); on the rig, every channel of the system's stream its capture client hears, a
channel fed as NaN where it was not heard (its ear not yet wired) left unjudged there. A channel
disagreement outside every window lasting ``MACHINE_CHANNEL_MAX_S`` or more is the system's even
on a rig that missed deadlines (they damage every channel alike). Analysis blocks are 256
frames, so stretches of sound shorter than ~0.13 s between silences cannot be analysed
(``frames.unanalysed`` counts them). A drop of a whole number of the tone's periods is invisible to
any sine analysis; at 997 Hz and 48 kHz that needs a multiple of 48 000 frames.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from system_under_test.blocks import block_seconds
from system_under_test.lifecycle import State, TransitionRecord

from .analysis import AnalysisError, analyze_glitches
from .deferring_lock import DeferringLock
from .device_losses import machine_starved
from .invariants import Verdict
from .journal import JOURNAL_GLITCHES
from .xrun_runs import ReportRuns

__all__ = ["AudioCheck", "NO_STRETCH", "REQUESTED_CAUSES", "SETTLE_MARGIN_S"]

#: after a window's last member ended, damage still belongs to it for this long (measured: the
#: latest glitch end after its window's last member, over the healthy matrix, is reported by
#: bench/bench_clean_audio.py)
SETTLE_MARGIN_S = 0.25
#: a glitch may be located up to this long before the fault's record (the analysis block it falls
#: in starts earlier)
LEAD_MARGIN_S = 0.012
#: a JACK xrun report comes after the cycle that missed its deadline, and on a loaded machine its
#: notification thread is late too: its window starts this early. Widened by measurement: at load
#: 25 on 2 cores a 512-frame mute ended 0.12 s before the xrun report that explained it (with a
#: 0.05 s lead it was judged outside every window: a false clean_audio violation); 4x that.
XRUN_LEAD_S = 0.5
#: the rig: counter readings kept per window to place its moves against the window's outages; a
#: window past it is judged with the first ones only (a move past them is asked to be heard)
MOVES_KEPT = 256
#: the longest silence outside every window that a rig's own missed deadlines may explain (the
#: doubt of ``verdict``): a missed deadline loses a period or a few (5-21 ms at 256-1024 frames),
#: and the longest glitch outside every window of 9 healthy external-kill runs at load average 21
#: on 2 cores was 86 ms (bench/bench_external_kills.py --kills 3 prints it, with the windows only
#: xrun reports explain that held a longer silence: 0); a silence of half a second or more is the
#: system's (a stream mute since its recovery), whatever the machine reported
MACHINE_MUTE_MAX_S = 0.5
#: the longest disagreement between output channels outside every window that a rig's own missed
#: deadlines may explain (the doubt of ``verdict``): the system's stream writes all its channels in
#: one callback and the rig's ears read them all in one cycle, so a missed deadline silences or
#: repeats every channel alike; at most the one cycle a late writer left half-written differs (a
#: period: 5-21 ms at 256-1024 frames; measured: 3 such in 60 healthy runs on the three routes at
#: load average 8-11, each 512 frames (10.7 ms: one 256-frame period across two analysis blocks),
#: two inside xrun windows, one outside every window, bench/bench_rig_channels.py and
#: bench/bench_external_kills.py). A longer disagreement (a lost,
#: delayed or re-levelled channel: ``channel_level`` needs 85 ms to be reported at all) is the
#: system's, whatever the machine reported
MACHINE_CHANNEL_MAX_S = 0.05
#: spans of missed capture cycles a window keeps to place them against its other members; a
#: window with more is blind as before (``_Episode.missed_spans``)
MISSED_SPANS_KEPT = 16
#: transition causes that are an operation someone asked for
REQUESTED_CAUSES = ("initialize", "configure", "start", "pause", "resume", "stop", "reconfigure",
                    "close")
_BLOCK = 256  # silence-detection block (frames); the analyser's own blocks are 256 too
#: The tone's level, held: a stretch of sound that stays more than ``LEVEL_TOLERANCE_DB`` off the
#: level the system first played at (after its start, or after each reconfiguration, which may
#: change its gain on purpose) for ``LEVEL_MIN_BLOCKS`` blocks or more is a "level" glitch. The
#: glitch detectors track a slow level change as an AGC would, and let it pass; a system that came
#: back from each recovery 3 dB quieter (a gain stage added at every rebuild) passed every check.
#: A block's RMS of the 997 Hz tone moves by under 0.2 dB with its phase; the median of the first
#: ``LEVEL_REF_BLOCKS`` blocks away from a silence's edge is the reference.
LEVEL_TOLERANCE_DB = 1.0
LEVEL_MIN_BLOCKS = 16
LEVEL_REF_BLOCKS = 32
_LEVEL_EDGE_BLOCKS = 2  # blocks next to a silence (a partial block, a fade) are not judged
#: Every other output channel is held to the analysed one (channel agreement): the test signal (or
#: the program) reaches every input channel alike, and a chain of gains, per-channel filters of one
#: design, a common limiter and a mixer keeps each output channel a fixed multiple of the analysed
#: one. A block where channel c departs from its best multiple of the analysed block by more than
#: ``CHANNEL_TOLERANCE`` of the analysed block's RMS plus ``CHANNEL_FLOOR`` (RMS of what is left
#: of c: a pop, a drop or a delay of that channel alone) is a "channel" glitch; a multiple
#: ``LEVEL_TOLERANCE_DB`` off its reference for ``LEVEL_MIN_BLOCKS`` blocks (a lost or quieter
#: channel) is a "channel_level" one. The reference multiple is 1 when the configuration mixes
#: nothing (every channel a copy of the analysed one), else the median of the first
#: ``LEVEL_REF_BLOCKS`` blocks after each reset, as the level's. What is left of a healthy channel
#: is the device noise (-90 dBFS per channel) and float32 rounding: ~1.5e-4 of the tone's RMS in
#: healthy runs under every profile (``channel_residual_max`` in each run's summary; the matrix of
#: bench/bench_clean_audio.py prints the largest); a one-frame delay of one channel leaves ~0.13.
#: The smallest pop on one channel always found (0.01 on the default chain's 0.25 tone) is printed
#: by bench/bench_clean_audio.py --channel-pops.
CHANNEL_TOLERANCE = 0.002
CHANNEL_FLOOR = 2e-4
_EXCERPT = 2400  # frames of waveform kept per excerpt (50 ms at 48 kHz; a long mute is cut short)
_MIN_SOUND = 24 * _BLOCK  # shorter stretches of sound cannot be analysed (analyze_glitches needs ~20 blocks)
#: why no test tone was analysed when every stretch of sound was shorter than ``_MIN_SOUND`` and none
#: was refused for a reason of its own (a machine whose missed cycles cut the output that short)
NO_STRETCH = "no stretch of sound long enough to analyse"


@dataclass
class _Event:
    """One glitch on the device's time line (frames at the epoch's rate)."""

    start_frame: int
    end_frame: int
    kind: str
    size: int
    t_start: float
    t_end: float
    window: int | None  # episode index, None outside any
    peak_error: float | None = None
    channel: int | None = None  # a channel-agreement glitch's output channel
    #: the rows written of it (outside items, detail rows, journal): a clipped stretch that goes on
    #: in the next ring grows after they were written, and they are brought up to date with it
    rows: list[dict[str, Any]] = field(default_factory=list, repr=False, compare=False)
    #: a mute that took in the glitches just after it (``AudioCheck._emit``): each one it joined,
    #: ``(start_frame, end_frame, t_start, t_end, kind, size)``, the first ``PARTS_KEPT``. The
    #: rig judges a joined mute by its parts (``AudioCheck.machine_cause``): two silences with
    #: heard cycles between them are two missed deadlines' damage, not one silence that long
    parts: list[tuple[int, int, float, float, str, int]] | None = field(default=None, repr=False, compare=False)
    parts_lost: bool = field(default=False, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"t_start": round(self.t_start, 6), "t_end": round(self.t_end, 6),
                             "kind": self.kind, "size": self.size, "start_frame": self.start_frame,
                             "end_frame": self.end_frame, "window": self.window}
        if self.peak_error is not None:  # a "level" glitch's is its median change in dB
            level = self.kind in ("level", "channel_level")
            d["level_change_db" if level else "peak_error"] = round(self.peak_error, 6)
        if self.channel is not None:
            d["channel"] = self.channel
        if self.parts is not None:
            d["parts"] = [{"start_frame": a, "end_frame": b, "t_start": round(ta, 6), "t_end": round(tb, 6),
                           "kind": k, "size": n} for a, b, ta, tb, k, n in self.parts]
            if self.parts_lost:
                d["parts_lost"] = True
        return d

    def join(self, f0: int, f1: int, t0: float, t1: float, kind: str, size: int) -> None:
        """Note the glitch ``f0..f1`` this mute takes in as one of its parts (before it grows)."""
        if self.parts is None:
            self.parts = [(self.start_frame, self.end_frame, self.t_start, self.t_end, self.kind, self.size)]
        if len(self.parts) < PARTS_KEPT:
            self.parts.append((f0, f1, t0, t1, kind, int(size)))
        else:
            self.parts_lost = True


_STALL = re.compile(r"no callback for ([0-9]+(?:\.[0-9]+)?) s")
#: the device host's watchdog says it in milliseconds (``PortAudioStream._watchdog``)
_STALL_MS = re.compile(r"no audio block for ([0-9]+(?:\.[0-9]+)?) ms")


def stalled_for(cause: str, details: dict[str, Any] | None = None) -> float:
    """How long before it was reported a stall began: the system's watchdog records how long its
    stream went without a callback (``details["stalled_for_s"]`` on its ``DeviceStalledError``),
    and the stream was silent all that time. A window opened at the report alone left that silence
    outside every window (a loaded rig, whose starved stream stalled before the kill: a false
    violation). The real device's host process has a watchdog of its own, which often speaks
    first: its record says ``details["silent_s"]`` ("no audio block for 271 ms"; measured on the
    ALSA ``jack`` route at load 17, where it began the recovery), read the same way. A record
    without either field (an older system's, an old history's) is read from the text its message
    keeps for humans ("no callback for 0.776 s ...", "no audio block for 271 ms ..."). 0 for any
    other cause."""
    for key in ("stalled_for_s", "silent_s"):
        if details is not None and details.get(key) is not None:
            return float(details[key])
    m = _STALL.search(cause)
    if m:
        return float(m.group(1))
    m = _STALL_MS.search(cause)
    return float(m.group(1)) / 1000.0 if m else 0.0


def _unheld(t0: float, t1: float, held: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The parts of ``t0..t1`` outside every ``held`` span (sorted by start)."""
    out, a = [], t0
    for h0, h1 in held:
        if h1 <= a:
            continue
        if h0 >= t1:
            break
        if h0 > a:
            out.append((a, h0))
        a = max(a, h1)
        if a >= t1:
            return out
    if a < t1:
        out.append((a, t1))
    return out


def _unheld_sorted(t0: float, t1: float, held: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """``_unheld`` against spans that are disjoint and sorted (``_Episode._ended_held``), walked
    from the last one that starts at or before ``t0``: a window held open for an hour gathers
    thousands of members."""
    k = max(bisect.bisect_right(held, (t0, math.inf)) - 1, 0)
    out, a = [], t0
    while k < len(held) and held[k][0] < t1:
        h0, h1 = held[k]
        if h1 > a:
            if h0 > a:
                out.append((a, h0))
            a = h1
            if a >= t1:
                return out
        k += 1
    if a < t1:
        out.append((a, t1))
    return out


def _may_weigh(t0: float, t1: float, held: list[tuple[float, float]], weigh_s: float) -> bool:
    """Whether a piece of ``t0..t1`` outside every ``held`` span (disjoint, sorted:
    ``_Episode._ended_held``) lasts ``weigh_s`` or more: ``_fold``'s rule weighs only such pieces,
    and more held spans only shorten them. The pieces are ``_unheld_sorted``'s, found from the
    last span that starts at or before ``t0``: a window held open for an hour gathers thousands
    of members, and this runs for each silence it keeps whenever it is full."""
    return t1 - t0 >= weigh_s and any(b - a >= weigh_s for a, b in _unheld_sorted(t0, t1, held))


#: the most cycles of the rig's server one missed deadline damages, as the steady-state check
#: reads a glitch (``AudioCheck.machine_cause``): a cycle the graph skipped or repeated, a few in a
#: row. Measured on the loaded rig (two busy loops, 90 external-kill runs): of the 1 208 glitches
#: heard in the quiet window before the kill, 1 109 were silences of 1-13 whole 256-frame cycles
#: (912 of one), 76 phase steps of exactly one or two cycles (15 and 18 frames of the 997 Hz
#: tone), 22 "other" damages 1-3 cycles long, 1 a channel disagreement.
MACHINE_CYCLES = 4
#: a JACK xrun report may come this long before the damage it explains is heard: the capture
#: client's cycle that hears it runs after the notification thread reported it
XRUN_AFTER_S = 0.05
#: the parts a joined mute keeps (``_Event.parts``); one that joined more is not laid on the
#: machine (``AudioCheck.machine_cause``): its parts that were let go cannot be judged
PARTS_KEPT = 64
#: silences and channel disagreements a window keeps to judge when it is folded
#: (``_Episode.keep_mute``/``keep_channel_run``). Only those long enough to weigh there
#: (``MACHINE_MUTE_MAX_S``, ``MACHINE_CHANNEL_MAX_S``) are kept once it is full: the first 64 of
#: any length were kept before, and on a loaded rig a window that JACK's xrun reports joined to a
#: server outage held more one-cycle mutes than that before the outage, so the muted system's
#: 9.3 s silence after it was never judged (``clean_audio`` held). Those its ended members hold
#: (``_may_weigh``) make room too: a loaded rig hour's one window, held open by JACK's reports,
#: counted 20 344 silences it did not keep, and ``clean_audio`` could never hold there. The latest
#: silence (which may still grow) is kept aside and weighed once it has ended: one that came
#: when the list was full was counted unkept whatever its length. Past it, the oldest silences
#: only xrun reports hold that are dense already (``_Episode._dense_now``) are settled as dense
#: and make room: a window full of those counted the rest "not judged", a silence of the
#: system's among them (no report in it) too, and the run was inconclusive, not failed
SPANS_KEPT = 64
#: the members of one reported kind (``REPORTED_KINDS``) a window lists in ``_Episode.faults``
#: (``_Episode.add_fault``); the rest are not listed. On a loaded rig JACK reports 30-80 xruns a
#: second and one window holds them for the whole soak: listed without a bound, they grew a
#: 1-hour soak's process by tens of MB (a harness leak its memory judge laid on the system,
#: bench/RESULTS.md, issue #11). What reads the list needs no more: a window's kind and label (the
#: kinds in it), a report row's first 20 ids, whether JACK reported in it; the times of the
#: reports are ``xrun_reports``, with their own bound
REPORTS_LISTED = 32
#: members that are reports of damage as it happened, any number of them a second: listed up
#: to ``REPORTS_LISTED`` of each kind a window
REPORTED_KINDS = frozenset({"jack_xrun", "system_xrun"})


#: the kinds of glitch whose rows are brought up to date as the glitch grows after they were
#: written: a clipped stretch that goes on in the next ring, and a mute that joins the glitches
#: just after it (``AudioCheck._emit``). A joined mute's rows kept its first part's end and size
#: (a 9-cycle mute of five one-cycle silences read 256 frames in the summary)
_GROWING = ("clipped", "mute")

#: the shortest run of frames below the silence level taken as a silence of its own when the
#: analyser's mute is split into the silences it spans (``AudioCheck._silences_of``): a third
#: of the 997 Hz tone's period; the tone itself passes below the level for under a frame at
#: each zero crossing
SILENCE_MIN_FRAMES = 16


#: frames of the tone on either side of such a burst its phase is measured over
PHASE_FIT_FRAMES = 512
#: how far a silence of such a burst may read from a whole number of cycles: at each edge the
#: tone may pass within the silence level for a frame (measured on the rig: 255-257 frames for
#: a 256-frame cycle)
SILENCE_EDGE_FRAMES = 2
#: how far the tone's time across one silence of such a burst may be from a cycle lost or a
#: cycle held back: under the one frame a ring that loses a frame takes
PHASE_TOLERANCE_FRAMES = 0.5


def _tone_phase(seg: np.ndarray, first: int, fs: int, frequency_hz: float) -> float:
    """The tone's phase in ``seg`` (whose first frame is frame ``first``), in frames: a tone late
    by ``d`` frames reads ``-d`` (modulo its period). A least-squares fit of the sine and cosine
    at the known frequency."""
    w = 2 * np.pi * frequency_hz / fs * np.arange(first, first + len(seg))
    (s, c), *_ = np.linalg.lstsq(np.stack([np.sin(w), np.cos(w)], axis=1), seg.astype(np.float64), rcond=None)
    return float(np.arctan2(c, s)) / (2 * np.pi) * fs / frequency_hz


def _parts_within(row: dict[str, Any], t0: float, t1: float) -> dict[str, Any] | None:
    """``row`` as heard in ``t0..t1``: a mute that joined the glitches after it (``parts``) is given
    as the parts that overlap the stretch, its ends theirs (None: none does). Joined, a missed
    deadline's silence in the run's last quiet window and the stop's silence just after it were
    one mute that outlasted the window, laid on the system (measured on the rig, the
    restarted-server test: 3 of the first 6 runs). A row whose parts were not all kept, or
    without parts, is given whole."""
    parts = row.get("parts")
    if not parts or row.get("parts_lost"):
        return row
    kept = [p for p in parts if float(p["t_start"]) < t1 and float(p["t_end"]) > t0]
    if len(kept) == len(parts):
        return row
    if not kept:
        return None
    f0, f1 = min(int(p["start_frame"]) for p in kept), max(int(p["end_frame"]) for p in kept)
    return {**row, "parts": kept, "start_frame": f0, "end_frame": f1, "size": f1 - f0,
            "t_start": min(float(p["t_start"]) for p in kept), "t_end": max(float(p["t_end"]) for p in kept)}


class _Marks:
    """Spans ``(t0, t1)`` in time order, kept for a run's first and last stretch only (the
    steady-state windows lie there): the first ``keep`` and the latest ``keep``. ``between`` says
    None where spans that were let go could lie, never a list that misses some."""

    def __init__(self, keep: int = 4096) -> None:
        self.first: list[tuple[float, float]] = []
        self.last: deque[tuple[float, float]] = deque(maxlen=keep)
        self.keep = keep
        self.lost: tuple[float, float] | None = None  # the span of what was let go

    def add(self, t0: float, t1: float | None = None) -> None:
        span = (t0, t0 if t1 is None else t1)
        if len(self.first) < self.keep:
            self.first.append(span)
            return
        if len(self.last) == self.keep:
            old = self.last[0]
            self.lost = old if self.lost is None else (min(self.lost[0], old[0]), max(self.lost[1], old[1]))
        self.last.append(span)

    def between(self, t0: float, t1: float) -> list[tuple[float, float]] | None:
        """The kept spans that overlap ``[t0, t1]``; None when one let go might have."""
        if self.lost is not None and self.lost[0] <= t1 and self.lost[1] >= t0:
            return None
        return [m for m in (*self.first, *self.last) if m[0] <= t1 and m[1] >= t0]


@dataclass
class _Episode:
    index: int
    start: float
    open_members: int = 0
    last_end: float = 0.0
    faults: list[dict[str, Any]] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)
    unrequested: bool = False
    dropped0: int = 0
    inserted0: int = 0
    dropped: int | None = None
    inserted: int | None = None
    #: the counters at the last block the device played inside the window: frames counted lost
    #: after the device's last block (a stop's flush of the rings) could never be heard
    heard_dropped: int = 0
    heard_inserted: int = 0
    #: counted between two blocks while the system changed state: a torn-down stream's rings,
    #: flushed (in ``dropped``/``inserted`` all the same, never in ``heard_*``)
    flushed_dropped: int = 0
    flushed_inserted: int = 0
    #: the rig: what the counters moved at each reading booked here, ``(t0, t1, dropped,
    #: inserted)`` over the reading's interval (the first ``MOVES_KEPT``), so that what moved while
    #: one of the window's server outages was open is known as unheard once the outage's span is
    #: (the rig may learn of the outage a poll after the counters moved)
    moves: list[tuple[float, float, int, int]] = field(default_factory=list)
    gap_frames: int = 0
    #: the rig: frames its capture did not record (cycles its client missed, the stretch between
    #: two capture clients), written as silence on the time line. The rig's own misses, not the
    #: system's loss: never asked to be heard (``inconsistent``); the silence is judged as heard
    capture_gap_frames: int = 0
    glitches: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    last_glitch_end: float | None = None
    closed: bool = False
    #: the rig could not hear part of it (its capture client died with the server): inconclusive
    blind: bool = False
    blind_why: list[str] = field(default_factory=list)
    #: outages of the JACK server the rig observed in it: ``{"id", "from", "to"}`` (``to``: when
    #: the rig heard the system again; None while it has not)
    outages: list[dict[str, Any]] = field(default_factory=list)
    #: cycles the rig's capture client missed in it (``AudioCheck.missed``): judged when JACK
    #: reported an xrun in the same window (the graph missed those deadlines), else blind
    missed_why: list[str] = field(default_factory=list)
    missed_s: float = 0.0
    #: where those cycles lie (``t0``, ``t1``: the capture's last hearing before them and its first
    #: after), the first ``MISSED_SPANS_KEPT``; ``missed_unkept``: how many more came. Read at the
    #: fold (``AudioCheck._missed_where_excused``): missed cycles lying where the window's other
    #: members excuse the audio are judged on what was heard around them
    missed_spans: list[tuple[float, float]] = field(default_factory=list)
    missed_unkept: int = 0
    #: the stretches its reported xruns' damage may lie in (``_reported_window``: from
    #: ``XRUN_LEAD_S`` before the reading before the report, or the window's start if later, to
    #: the report), joined where they
    #: meet, the first ``MISSED_SPANS_KEPT``; ``reported_unkept``: a stretch past them came
    reported_spans: list[tuple[float, float]] = field(default_factory=list)
    reported_unkept: bool = False

    def add_reported_span(self, t0: float, t1: float) -> None:
        """A reported xrun's stretch ``t0..t1``: joined to a kept one it meets, else kept while
        there is room (consecutive readings' stretches meet: a busy window keeps few)."""
        for k, (a, b) in enumerate(self.reported_spans):
            if t0 <= b and a <= t1:
                self.reported_spans[k] = (min(a, t0), max(b, t1))
                return
        if len(self.reported_spans) < MISSED_SPANS_KEPT:
            self.reported_spans.append((t0, t1))
        else:
            self.reported_unkept = True
    #: the longest silence heard in it (s)
    mute_max_s: float = 0.0
    #: its silences (bounded: ``keep_mute``), judged against ``core_spans`` when it is folded
    mutes: list[_Event] = field(default_factory=list)
    #: when its xrun reports came (JACK's, the system stream's): runs of reports closer than
    #: ``xrun_runs.RUN_GAP_S``, at most ``xrun_runs.RUNS_KEPT`` runs; past them it knows its reports
    #: only up to the first it let go (``reports_known_until``) and judges no silence past that as
    #: unreported. Report times were kept before, and their bound made false verdicts both ways:
    #: 512 made two false ``clean_audio`` violations in 90 kills at load average 22 (a silence
    #: after the reports kept read as "0.6 s without a report" although JACK reported all through
    #: it); 8 192 covered ~2 minutes of a window JACK's reports held open for 45 minutes of a rig
    #: soak, and a silence past them was called covered by reports nobody knew of
    xrun_reports: ReportRuns = field(default_factory=ReportRuns)
    #: its channel disagreements (``channel``/``channel_level`` glitches; bounded:
    #: ``keep_channel_run``): judged against ``core_spans`` when it is folded, as its silences are
    channel_runs: list[tuple[float, float]] = field(default_factory=list)
    #: silences and channel disagreements long enough to weigh that it could not keep (every kept
    #: one as long): not judged, so the window cannot vouch for them
    unkept: int = 0
    #: silences past ``SPANS_KEPT`` let go as dense (``keep_mute``): only xrun reports held them and
    #: JACK's reports already came less than ``MACHINE_MUTE_MAX_S`` apart all through them; how
    #: many, and the longest ``(t0, t1, longest stretch without a report)``
    dense_settled: int = 0
    dense_settled_longest: tuple[float, float, float] | None = None
    #: when its members other than xrun reports held it (xrun reports extend a window, but explain
    #: a period or a few, no more): ``[from, to]`` each (``to`` inf while the
    #: member is open: a fault not yet ended, the system not RUNNING again, an outage not heard
    #: the end of), shared with the check, which ends them
    core_spans: list[list[float]] = field(default_factory=list)
    #: how many members of each kind ``faults`` lists (``add_fault``)
    listed: Counter[str] = field(default_factory=Counter, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.listed.update(f["kind"] for f in self.faults)

    def add_fault(self, member: dict[str, Any]) -> None:
        """List ``member`` (``{"firing_id", "kind", ...}``) in ``faults``; a report of a kind in
        ``REPORTED_KINDS`` only while fewer than ``REPORTS_LISTED`` of its kind are listed. The list
        is then always the whole list with each reported kind's members past its first
        ``REPORTS_LISTED`` left out: the same kinds, the same first ``REPORTS_LISTED`` entries."""
        kind = member["kind"]
        if kind in REPORTED_KINDS and self.listed[kind] >= REPORTS_LISTED:
            return
        self.faults.append(member)
        self.listed[kind] += 1

    def absorb_faults(self, other: "_Episode") -> None:
        """List ``other``'s members after this window's (a merge), as ``add_fault`` of each would."""
        for member in other.faults:
            self.add_fault(member)

    def keep_mute(self, ev: _Event, growing: _Event | None = None, margin: float = 0.0) -> None:
        """Keep silence ``ev`` to be judged. Past ``SPANS_KEPT`` (``growing``, the latest event,
        which the next analysed stretch may still lengthen, aside), the window lets go of the
        silences ``_fold``'s rule can never weigh (``_may_weigh``): those shorter than
        ``MACHINE_MUTE_MAX_S`` and those its members that have ended hold all but pieces shorter
        than that. Still past it, the oldest that are dense already (``_dense_now``) are settled
        as dense, the most the rule can make of them; then the newest are counted unkept.
        ``margin``: the least settle margin the window can be folded with
        (``AudioCheck.base_margin``: the margin only grows with the block size; 0, the narrowest,
        lets go of fewer)."""
        self.mutes.append(ev)
        if sum(m is not growing for m in self.mutes) <= SPANS_KEPT:
            return
        held = self._ended_held(margin)
        self.mutes = [m for m in self.mutes
                      if m is growing or _may_weigh(m.t_start, m.t_end, held, MACHINE_MUTE_MAX_S)]
        over = sum(m is not growing for m in self.mutes) - SPANS_KEPT
        if over > 0:
            settled: set[int] = set()
            for m in self.mutes:
                if len(settled) == over:
                    break
                unreported = None if m is growing else self._dense_now(m, held)
                if unreported is not None:
                    settled.add(id(m))
                    self.dense_settled += 1
                    longest = self.dense_settled_longest
                    if longest is None or m.t_end - m.t_start > longest[1] - longest[0]:
                        self.dense_settled_longest = (m.t_start, m.t_end, unreported)
            self.mutes = [m for m in self.mutes if id(m) not in settled]
        let_go = {id(m) for m in [m for m in self.mutes if m is not growing][SPANS_KEPT:]}
        if let_go:
            self.mutes = [m for m in self.mutes if id(m) not in let_go]
            self.unkept += len(let_go)

    def _dense_now(self, ev: _Event, held: list[tuple[float, float]]) -> float | None:
        """The longest stretch without an xrun report in the pieces of silence ``ev`` its ended
        members (``held``: ``_ended_held``) leave, when every one is shorter than
        ``MACHINE_MUTE_MAX_S`` (None: not so, or reports of its time not known). The fold can only
        judge it less than that: what changes a silence's judgement after it has ended only
        holds more of it (a later member, a stall reaching back, a merge, an open member's end
        past it, a wider margin), adds reports (one read late), leaves out more (the server's idle
        time) or knows less (``known_until``), and each shortens every stretch. So dense now, it
        is dense, or held, at the fold: never the system's silence."""
        worst = 0.0
        for a, b in _unheld_sorted(ev.t_start, ev.t_end, held):
            if b > self.xrun_reports.known_until:
                return None
            worst = max(worst, self.xrun_reports.longest_without(a, b))
            if worst >= MACHINE_MUTE_MAX_S:
                return None
        return worst

    def keep_channel_run(self, run: tuple[float, float], margin: float = 0.0) -> None:
        """Keep channel disagreement ``run`` to be judged; past ``SPANS_KEPT`` the window lets go
        of those ``_fold``'s rule can never weigh (``_may_weigh`` with ``MACHINE_CHANNEL_MAX_S``),
        then counts the newest past it unkept."""
        self.channel_runs.append(run)
        if len(self.channel_runs) <= SPANS_KEPT:
            return
        held = self._ended_held(margin)
        self.channel_runs = [r for r in self.channel_runs if _may_weigh(r[0], r[1], held, MACHINE_CHANNEL_MAX_S)]
        if len(self.channel_runs) > SPANS_KEPT:
            self.unkept += len(self.channel_runs) - SPANS_KEPT
            del self.channel_runs[SPANS_KEPT:]

    def _ended_held(self, margin: float) -> list[tuple[float, float]]:
        """``_held`` of its members that have ended only, joined where they overlap (disjoint,
        sorted). A member's span is never changed once it has an end (only an open one,
        ``[from, inf]``, is given its end, once), and a window only gains members (new ones, a
        merged window's, a stall's reaching back), so what these hold now stays held until the
        window is folded: a silence they leave no piece of ``MACHINE_MUTE_MAX_S`` of can never
        weigh there. An open member may end before a silence it holds does, so it is not counted on."""
        joined: list[tuple[float, float]] = []
        for a, b in sorted((a - LEAD_MARGIN_S, b + margin) for a, b in self.core_spans if math.isfinite(b)):
            if joined and a <= joined[-1][1]:
                if b > joined[-1][1]:
                    joined[-1] = (joined[-1][0], b)
            else:
                joined.append((a, b))
        return joined

    def _held(self, margin: float) -> list[tuple[float, float]]:
        """Its members but xrun reports, each from ``LEAD_MARGIN_S`` before it to ``margin`` after."""
        return sorted((a - LEAD_MARGIN_S, b + margin) for a, b in self.core_spans)

    def unheld(self, runs: Any, margin: float) -> list[tuple[float, float]]:
        """The parts of ``runs`` (``(t0, t1)``) that no member of it but xrun reports holds: what
        only xrun reports would explain, before its members, between them or after them."""
        held = self._held(margin)
        return [piece for t0, t1 in runs for piece in _unheld(t0, t1, held)]

    def silence_beyond_core(self, margin: float) -> float:
        """The longest part of a silence in it that no member other than an xrun report holds
        (within ``margin`` after it ended): what only xrun reports would explain."""
        return max((b - a for a, b in self.unheld(((ev.t_start, ev.t_end) for ev in self.mutes), margin)),
                   default=0.0)

    def channels_beyond_core(self, margin: float) -> float:
        """The longest part of a channel disagreement in it that no member other than an xrun
        report holds (within ``margin`` after it ended): what only xrun reports would explain."""
        return max((b - a for a, b in self.unheld(self.channel_runs, margin)), default=0.0)

    @property
    def reports_known_until(self) -> float:
        """When the first xrun report it did not keep came (inf: it kept all)."""
        return self.xrun_reports.known_until

    def longest_unreported(self, margin: float,
                           idle: Callable[[float, float], list[tuple[float, float]]] | None = None) -> float:
        """Of the silences no member but xrun reports holds: the longest stretch with no xrun
        report in it, measured from the silence's start to its end: a report after its end (one
        may come up to ``XRUN_LEAD_S`` after the cycles it speaks of) shortens no stretch of it,
        as it speaks of one missed deadline, not of the whole lead. Past the first report the window did not keep,
        nothing is known to be unreported. ``idle(a, b)``: the parts of ``a..b`` the JACK server
        did not run (sorted), left out of every stretch: a server that does not run reports
        nothing, and nothing played there. Inside a run of reports (``xrun_runs``) a stretch is
        the run's widest gap, under ``xrun_runs.RUN_GAP_S``: a stretch of ``MACHINE_MUTE_MAX_S`` is
        measured exactly."""
        worst = 0.0
        for a, b in self.unheld(((ev.t_start, ev.t_end) for ev in self.mutes), margin):
            b = min(b, self.reports_known_until)
            if b <= a:
                continue
            spans = idle(a, b) if idle is not None else []
            worst = max(worst, self.xrun_reports.longest_without(a, b, spans))
        return worst

    @property
    def kind(self) -> str:
        if self.faults:
            return "fault"
        return "unexplained" if self.unrequested else "requested"

    @property
    def label(self) -> str:
        if self.faults:
            return "+".join(sorted({f["kind"] for f in self.faults}))
        return "+".join(dict.fromkeys(self.causes)) or "state"

    def covers(self, t0: float, t1: float, margin: float) -> bool:
        if t1 < self.start - LEAD_MARGIN_S:
            return False
        return self.open_members > 0 or t0 <= self.last_end + margin

    def to_dict(self) -> dict[str, Any]:
        ttc = (self.last_glitch_end - self.start) if self.last_glitch_end is not None else 0.0
        unheard = sum(self.unheard())  # moves are walked once, not once per use
        extra: dict[str, Any] = {}
        if self.outages:
            heard = [o["to"] for o in self.outages if o["to"] is not None]
            extra["outages"] = [{"from": round(o["from"], 6), "to": None if o["to"] is None else round(o["to"], 6)}
                                for o in self.outages[:10]]
            if heard:  # how long the audio took to be clean once the rig heard the system again
                after = (self.last_glitch_end - max(heard)) if self.last_glitch_end is not None else 0.0
                extra["time_to_clean_after_outage_s"] = round(max(after, 0.0), 6)
        return {"window": self.index, "kind": self.kind, "label": self.label,
                "start": round(self.start, 6), "end": round(self.last_end, 6),
                "faults": [f["firing_id"] for f in self.faults][:20],
                "causes": self.causes[:10], "glitches": self.glitches, "by_kind": dict(self.by_kind),
                "frames_dropped": self.dropped, "frames_inserted": self.inserted,
                "frames_flushed": self.flushed_dropped + self.flushed_inserted,
                **({"frames_unheard": unheard} if unheard else {}),
                "device_gap_frames": self.gap_frames, "time_to_clean_s": round(max(ttc, 0.0), 6),
                **({"capture_gap_frames": self.capture_gap_frames} if self.capture_gap_frames else {}),
                "verdict": "inconclusive" if self.blind else ("violated" if self.inconsistent() else "judged"),
                **extra}

    def unheard(self) -> tuple[int, int]:
        """Of the frames the counters moved in this window, those dropped and inserted while one of
        its server outages was open (from the rig's last hearing to its hearing again): played to
        a server the rig was not listening to (a block dropped as the system restarted on the new
        server, before the rig's capture was wired to it), never asked to be heard. The counters
        are read once a poll, so a move read in a poll that began before the hearing again is
        taken for the outage's."""
        spans = [(o["from"], o["to"]) for o in self.outages]
        if not spans:
            return 0, 0
        d = i = 0
        for t0, t1, dd, di in self.moves:
            if any(a <= t1 and (b is None or b > t0) for a, b in spans):
                d, i = d + dd, i + di
        return d, i

    def counted_loss(self) -> int:
        """The frames the counters (and the device's gaps) say were lost where a block the device
        then played could let them be heard: what ``inconsistent`` asks the analysis to have heard."""
        unheard_d, unheard_i = self.unheard()
        return self.heard_dropped - unheard_d + self.heard_inserted - unheard_i + self.gap_frames

    def inconsistent(self) -> str | None:
        """The counters say audio was lost, the analysis heard nothing: the story does not hold."""
        # only what was counted before a block the device then played can be heard: frames a
        # stop discards from the rings after the last block cannot, and are not asked to be; nor
        # are those a state change flushed (``heard_*`` leaves them out): the seam is judged by ear.
        # Nor the rig's ``capture_gap_frames``: what its own capture missed says nothing of what the
        # system lost, and the silence written for it may lie where nothing can be heard (in the
        # capture's last cycles, with no audio after it: a false violation at a run's end)
        lost = self.counted_loss()
        if lost and not self.glitches and self.kind != "requested" and not self.blind:
            return (f"window {self.index} ({self.label}, t={self.start:.3f}..{self.last_end:.3f} s): "
                    f"{self.heard_dropped} frame(s) dropped and {self.heard_inserted} inserted before "
                    f"blocks the device played, {self.gap_frames} device-gap frame(s), but the "
                    "analysis heard no glitch")
        return None


class _Captured:
    """What ``_on_block`` reads of a stream (its spec's sample rate), for a captured cycle."""

    def __init__(self, spec: Any) -> None:
        self.spec = spec


class _KindStats:
    """Aggregates of all windows of one label (bounded: no per-window rows)."""

    def __init__(self) -> None:
        self.windows = 0
        self.with_glitches = 0
        self.glitches = 0
        self.by_kind: Counter[str] = Counter()
        self.dropped = 0
        self.inserted = 0
        self.gap = 0
        self.ttc_sum = 0.0
        self.ttc_max = 0.0

    def add(self, ep: _Episode) -> None:
        self.windows += 1
        self.with_glitches += bool(ep.glitches)
        self.glitches += ep.glitches
        self.by_kind.update(ep.by_kind)
        self.dropped += ep.dropped or 0
        self.inserted += ep.inserted or 0
        self.gap += ep.gap_frames
        ttc = max((ep.last_glitch_end - ep.start), 0.0) if ep.last_glitch_end is not None else 0.0
        self.ttc_sum += ttc
        self.ttc_max = max(self.ttc_max, ttc)

    def to_dict(self) -> dict[str, Any]:
        return {"windows": self.windows, "windows_with_glitches": self.with_glitches,
                "glitches": self.glitches, "by_kind": dict(self.by_kind), "frames_dropped": self.dropped,
                "frames_inserted": self.inserted, "device_gap_frames": self.gap,
                "time_to_clean_s": {"mean": round(self.ttc_sum / self.windows, 6) if self.windows else None,
                                    "max": round(self.ttc_max, 6)}}


#: rows kept of each kind of finding in a window (the counts go on past it)
ROWS_KEPT = 50


def _keep(rows: list[str], row: str) -> None:
    """Append ``row`` unless ``ROWS_KEPT`` are kept already: a long run's findings are counted
    whole, but only the first ones are described."""
    if len(rows) < ROWS_KEPT:
        rows.append(row)


def _where(ep: "_Episode") -> str:
    """A window as its findings name it: its index, label and span on the system clock."""
    return f"window {ep.index} ({ep.label}, t={ep.start:.3f}..{ep.last_end:.3f} s)"


class AudioCheck:
    """Listens to the device's output during a run and judges it against the fault windows.

    The seam for ``ReliabilityRun``/``SoakRunner``: ``AudioCheck.attach(system, injector)`` before
    the system starts, ``finish()`` after it closed, then ``verdict()`` and ``summary()``;
    ``take_new_glitches()`` for a journal. ``available`` is False (with ``reason``) on a backend
    the harness cannot hear, and then nothing else does anything.
    """

    def __init__(self, system: Any, injector: Any = None, *, channel: int = 0,
                 settle_margin_s: float = SETTLE_MARGIN_S, window_s: float = 8.0, overlap_s: float = 0.25,
                 silence_dbfs: float = -75.0, detail_limit: int = 200, excerpt_limit: int = 8,
                 fine: bool = True, capture: Any = None, program: Any = None) -> None:
        self.system = system
        #: a ``harness.program.Program`` played instead of the test sine (``--program``): the
        #: output is compared with it (``ProgramJudge``) instead of fitted by the sine model
        self.program = program
        self._judge: Any = None
        self.fine = fine
        #: on a real JACK server: the rig's ears (``harness.rig.rig_audio.RigCapture``), else None
        if capture is not None and getattr(capture, "failure", None):
            self.reason_capture = str(capture.failure)
            capture = None
        else:
            self.reason_capture = None
        self.capture = capture
        self.injector = injector
        self.channel = channel
        self.base_margin = settle_margin_s
        self.margin = settle_margin_s
        self.window_s = window_s
        self.overlap_s = overlap_s
        self.silence = 10 ** (silence_dbfs / 20)
        self.detail_limit = detail_limit
        self.excerpt_limit = excerpt_limit
        backend = getattr(system, "backend", None)
        self.available = hasattr(backend, "add_output_tap") or capture is not None
        self.reason: str | None = None if self.available else (self.reason_capture or (
            f"the {getattr(backend, 'name', '?')} backend has no output tap and no JACK server the rig "
            "can hear: its audio was not analysed"))
        self.frequency_hz: float | None = None if program is not None else \
            getattr(capture if capture is not None else backend, "signal_hz", None)
        #: the check's state, fed by the run's loop and told the system's transitions: those are
        #: posted, never waited for, on the system's thread (``DeferringLock``)
        self._lock = DeferringLock()
        # frame accounting counters, read per block (same objects the pipeline bumps)
        mon = system.monitoring
        self._c_dropped = mon.counter("frames_dropped")
        self._c_inserted = mon.counter("frames_inserted")
        self._last_d = self._d0 = self._c_dropped.value
        self._counts_t = self._now() if self.available else 0.0  # when the counters were last read
        self._last_i = self._i0 = self._c_inserted.value
        # xruns the system itself counted (its stream's status flags): read at each poll of the rig
        self._c_xruns = mon.counter("xruns")
        self._last_x = self._c_xruns.value
        self._last_poll_t = 0.0  # set when the rig's capture is attached (``attach``)
        self.windows_dropped = 0
        self.windows_inserted = 0
        # time line
        self._fs = 0
        self._t0 = 0.0
        self._next = 0  # next frame of the epoch's time line
        self._t_next = 0.0  # when the next block is due (the previous block's time + its length)
        # (frame, clock time) of every block and gap start still in the ring: frame -> time
        self._anchor_f: list[int] = []
        self._anchor_t: list[float] = []
        # the ring: every output channel of the epoch's blocks, as played (one copy per block);
        # ``_ch`` is the analysed column
        self._buf = np.zeros((0, 1), dtype=np.float32)
        self._ch = 0
        self._base = 0  # epoch frame of _buf[0]
        self._len = 0
        self._fresh = True
        self._o = 0
        self._epochs = 0
        # windows
        self._episodes: list[_Episode] = []  # live ones (not yet retired), in time order
        self._starts: list[float] = []
        self._n_episodes = 0
        self._member_end: dict[str, float] = {}
        #: the open members' spans (``_Episode.core_spans``): faults by firing id, outages by id,
        #: the system out of RUNNING
        self._spans: dict[str, list[float]] = {}
        self._state_span: list[float] | None = None
        self._state_member = False
        self._ever_running = False
        self._first_running_t = -math.inf  # when the system first reached RUNNING
        self._delays = self._fault_delays(injector)
        #: faults that act on the next callbacks of the simulated device (``callback_raises``'s
        #: ``count`` malformed buffers), by firing id: ``[blocks still to come, ended]``. Their
        #: member lasts until that many blocks have played after the firing (``_on_block``), not
        #: until the record's end: the device hands them to the next callbacks whenever they come,
        #: after those earlier firings left on it (``_corrupt_backlog``, per device: one counter
        #: the device's callbacks count down, as ``SimulatedBackend.corrupt_next_callbacks``'s)
        self._block_members: dict[str, list[Any]] = {}
        self._corrupt_backlog: dict[str, int] = {}
        # results
        self.frames_total = 0
        self.frames_silent = 0
        self.frames_analysed = 0
        self.frames_unanalysed = 0
        self.gap_frames = 0
        #: the rig: frames its capture did not record (``_Episode.capture_gap_frames``)
        self.capture_gap_frames = 0
        self.glitch_total = 0
        self.by_kind: Counter[str] = Counter()
        self.by_window_kind: Counter[str] = Counter()  # fault / requested / unexplained / outside
        self.outside: list[dict[str, Any]] = []
        self.outside_count = 0
        self.outside_by_kind: Counter[str] = Counter()
        self.outside_accounting: list[dict[str, Any]] = []
        self.outside_mute_max_s = 0.0  # the longest silence outside every window
        self.outside_channel_max_s = 0.0  # the longest channel disagreement outside every window
        self.long_mutes: list[str] = []  # windows only xrun reports explain, with a long silence
        self.long_mute_count = 0
        #: windows only xrun reports explain in which the output channels disagreed for long
        self.long_channels: list[str] = []
        self.long_channel_count = 0
        #: long silences the machine's xrun reports covered throughout (a doubt, not a violation)
        self.dense_xrun_mutes: list[str] = []
        self.dense_xrun_mute_count = 0
        #: long silences only xrun reports hold that were short once the time the JACK server
        #: itself did not run was left out (the machine's: a note, not a doubt)
        self.server_idle_mutes: list[str] = []
        self.server_idle_mute_count = 0
        self.outside_dropped = 0
        self.outside_inserted = 0
        self.inconsistent: list[str] = []
        self.inconsistent_count = 0
        self.unexplained: list[str] = []
        self.unexplained_count = 0
        self.unanalysable: list[str] = []
        self.kind_stats: dict[str, _KindStats] = {}
        self.window_rows: list[dict[str, Any]] = []
        self.windows_total = 0
        self.glitch_rows: list[dict[str, Any]] = []
        self.excerpts: list[dict[str, Any]] = []
        self._journal: list[dict[str, Any]] = []
        #: the glitches past ``JOURNAL_GLITCHES`` since the last ``take_new_glitches``, by kind
        self._journal_dropped: Counter[str] = Counter()
        self._last: _Event | None = None
        #: the latest glitches (bounded), for ``last_glitch_before``
        self._recent: deque[_Event] = deque(maxlen=256)
        self._tone_seen = False
        #: the level the tone is held to (a block's mean square), the blocks it is being taken
        #: from, and the clock times from which a new one is taken (reconfigurations)
        self._level_ref: float | None = None
        self._level_acc: list[float] = []
        self._level_resets: deque[float] = deque()
        self._level_run: list[Any] = []  # a deviating run: its first frame, its blocks, its dB sum
        self.level_changes = 0
        # channel agreement (``CHANNEL_TOLERANCE``): the clock times of resets (as the level's);
        # per channel: the reference multiple (None: being taken), the multiples it is taken
        # from, and the deviating run
        self._chan_resets: deque[float] = deque()
        #: (clock time, every channel a copy?) at each start of the system (RUNNING, CONFIGURED):
        #: the configuration in force then, for the blocks played from then on
        self._chan_modes: deque[tuple[float, bool]] = deque()
        if getattr(system, "config", None) is not None:  # attached to a configured system
            self._chan_modes.append((self._now(), self._channels_are_copies()))
        self._chan_ref: dict[int, float | None] = {}
        self._chan_acc: dict[int, list[float]] = {}
        self._chan_run: dict[int, list[Any]] = {}
        self.channels_judged = 1
        self._chan_judged: set[int] = set()  # the rig: the other channels held to the analysed one
        self.channel_glitches = 0
        #: the largest residual of a block that agreed (what is left of the channel / the analysed
        #: block's RMS): the margin to ``CHANNEL_TOLERANCE`` a healthy run kept
        self.channel_residual_max = 0.0
        # program mode: the times of glitches other than mutes outside every window, until a
        # window folds; those the judge's fit smeared from a step in the window after them
        # (within ``harness.program.WINDOW_S``, the span it fits its alignment over) are counted apart
        self._program_outside: list[float] = []
        self.program_outside_sound = 0
        self.program_smeared = 0
        self.finished = False
        self.max_settle_s = 0.0  # latest glitch end after its window's last member (margin sizing)
        self.blind_windows = 0
        self.jack_xruns = 0
        self.system_xruns = 0
        self.blind_rows: list[str] = []
        self.blind_s = 0.0
        #: windows whose missed capture cycles lay where their other members excuse the audio
        #: (``_missed_where_excused``), judged on what was heard; the missed time in them
        self.missed_heard_windows = 0
        self.missed_heard_s = 0.0
        self.missed_frames = 0  # frames of cycles the rig's capture client missed (``missed``)
        self.outages = 0  # JACK server outages the rig observed (``outage_begin``)
        #: silences the system's watchdog laid on the machine (``held_begin``), their length once
        #: ended, and the reading of ``AudioSystem.held_silences`` so far: the ended ones read,
        #: the open one's start and member id
        self.holds = 0
        self.held_s = 0.0
        self._held_marks = _Marks()  # their spans, ended (``machine_cause``)
        self._holds_read = 0
        self._hold_open: tuple[float, str] | None = None
        #: told of each outage the rig observes, ``listener("begin", t0, why)``, ``listener("back",
        #: t, "")`` when its server serves again and ``listener("end", t1, "")`` when the system is
        #: heard again (the run records them in its history: ``rig_target.ObservedOutages``)
        self.outage_listeners: list[Callable[[str, float, str], None]] = []
        #: the stops of the JACK server from outside that the run's watch recorded (fault records:
        #: ``fired_at``, ``ended_at`` None while still stopped; ``rig_target.OutsideStops``): where
        #: the server did not run inside one, the check says it was stopped, not that it did not run
        self.server_stops: Callable[[], Sequence[Any]] = tuple
        #: the rig: when JACK reported each xrun (the run's first and latest stretches: exact
        #: counts, ``jack_xruns_between``), and the stretches its capture did not record (clock
        #: times; ``machine_cause`` reads them), and the frames of one capture cycle
        self._xrun_marks = _Marks()
        #: every JACK xrun report of the run as runs (``xrun_runs``): between the first and the
        #: latest stretch ``_xrun_marks`` keeps, what ``jack_xruns_between`` (and so
        #: ``machine_cause``) knows of a soak's middle
        self._xrun_runs = ReportRuns()
        self._gap_marks = _Marks()
        self.cycle_frames: int | None = None
        self.outage_s = 0.0  # their length, from the rig's last hearing to hearing again
        self._outages_ended = 0  # how many of them it heard the system again after
        #: ``[end, next]`` of each outage the rig heard the end of, until the tone is analysed
        #: between its end and the next outage's beginning (``next``; inf until one begins): the
        #: system's audio after that recovery is not judged while one is left (``verdict``)
        self._tone_awaited: list[list[float]] = []
        self._tone_awaited_lost = 0  # outage ends past the bound of ``_tone_awaited`` (each awaited)
        #: windows with silences or channel disagreements long enough to weigh that they did not keep
        self.unkept_windows = 0
        self.unkept_rows: list[str] = []

    # -- wiring ---------------------------------------------------------------------------------
    @classmethod
    def attach(cls, system: Any, injector: Any = None, **kw: Any) -> "AudioCheck":
        """A check listening to ``system`` (and to ``injector``'s fault records), wired in."""
        check = cls(system, injector, **kw)
        if check.available:
            if check.capture is None:
                from system_under_test.devices.simulated import SimulatedBackend  # noqa: PLC0415

                if isinstance(system.backend, SimulatedBackend):  # a stretch heard at once
                    system.backend.add_output_tap(check._on_block, blocks=check._on_blocks)
                else:
                    system.backend.add_output_tap(check._on_block)
            else:  # the system's own xruns are read from here on, at each poll of the capture
                check._last_poll_t = check._now()
            system.add_observer(check._on_transition)
            if injector is not None:
                injector.add_listener(check._on_fault)
        return check

    @staticmethod
    def _fault_delays(injector: Any) -> dict[str, float]:
        """Per fault id, how long after it fired its effect lasts at least (a late callback's delay)."""
        out: dict[str, float] = {}
        schedule = getattr(injector, "schedule", None)
        for fault in getattr(schedule, "faults", ()) or ():
            out[fault.fault_id] = float(getattr(fault, "delay_s", 0.0) or 0.0)
        return out

    # -- windows (called live, on the clock's thread or a storm's) ------------------------------
    def _now(self) -> float:
        return float(self.system.clock.now())

    def _join(self, t: float, flushed: tuple[int, int] = (0, 0)) -> _Episode:
        """The live window covering ``t``, or a new one from ``t``. ``flushed``: frames counted
        since the device's last block by the state change at ``t`` (``_moved_since_block``); they
        belong to the window returned, and the caller books them there (``_book_flushed``)."""
        ep = self._episodes[-1] if self._episodes else None
        # Only a server outage the rig has not heard the end of keeps ``ep`` open (its end is read
        # from the capture in batches, later than the system's live transitions): what starts now
        # gets a window of its own, which ``outage_end`` joins to the outage's if it began before
        # the outage's window closed, and leaves alone if not
        pending = ep is not None and not ep.closed and t > ep.last_end + self.margin and \
            0 < ep.open_members <= sum(1 for o in ep.outages if o["to"] is None)
        if ep is None or not ep.covers(t, t, self.margin) or ep.closed or pending:
            # the counters before the state change's flush
            d, i = self._c_dropped.value - flushed[0], self._c_inserted.value - flushed[1]
            if pending:
                pass  # the outage's window stays open: its end is not known yet
            elif ep is not None and not ep.closed:
                self._close(ep, d, i)  # no block came since it settled (the device was silent)
            elif (d, i) != (self._last_d, self._last_i):  # counted between windows, before any block
                self._outside_accounting(t, d - self._last_d, i - self._last_i)
            self._last_d, self._last_i = d, i
            self._counts_t = max(self._counts_t, t)
            ep = _Episode(self._n_episodes, t, last_end=t, dropped0=d, inserted0=i)
            self._n_episodes += 1
            self._episodes.append(ep)
            self._starts.append(t)
        return ep

    def _on_fault(self, what: str, record: Any) -> None:
        try:
            with self._lock:
                if what == "fault_start":
                    ep = self._join(float(record.fired_at))
                    ep.open_members += 1
                    ep.add_fault({"firing_id": record.firing_id, "kind": record.kind})
                    self._member_end[record.firing_id] = float(record.fired_at) + self._delays.get(record.fault_id, 0.0)
                    self._spans[record.firing_id] = span = [float(record.fired_at), math.inf]
                    ep.core_spans.append(span)
                    blocks = self._callbacks_hit(record)
                    if blocks:
                        device = str(record.target)
                        blocks += self._corrupt_backlog.get(device, 0)
                        self._corrupt_backlog[device] = blocks
                        self._block_members[record.firing_id] = [blocks, False]
                elif what == "fault_end":
                    pending = self._block_members.get(record.firing_id)
                    if pending is not None:  # its callbacks are still to come: ended by ``_on_block``
                        pending[1] = True
                        return
                    ep = self._find_open(record.firing_id)
                    if ep is not None:
                        ep.open_members -= 1
                        end = max(float(record.ended_at or self._now()), self._member_end.pop(record.firing_id, 0.0))
                        ep.last_end = max(ep.last_end, end)
                        span = self._spans.pop(record.firing_id, None)
                        if span is not None:
                            span[1] = end
        except Exception as exc:  # noqa: BLE001 - a listener must not die silently: the verdict says so
            self.unanalysable.append(f"fault listener failed: {exc!r}")

    def _callbacks_hit(self, record: Any) -> int:
        """How many of the simulated device's next callbacks the fault ``record`` acts on (0:
        none, or a fault that ends by its record). A ``callback_raises`` corrupts its ``count``
        next callbacks whenever they come: while the system recovers, after the recovery (its
        first blocks); at a long block (8192 frames at 48 kHz: 171 ms) five of them outlast
        the settle margin after the record. The rig has no such fault."""
        if self.capture is not None or record.kind != "callback_raises":
            return 0
        return int((getattr(record, "params", None) or {}).get("count", 1) or 1)

    def _blocks_played(self, now: float, seconds: float) -> None:
        """A block played at ``now`` for ``seconds``: one of the next callbacks each pending
        ``_block_members`` fault acts on. The last of them ends its member at the block's end."""
        for device, left in list(self._corrupt_backlog.items()):
            if left <= 1:
                del self._corrupt_backlog[device]
            else:
                self._corrupt_backlog[device] = left - 1
        for fid, pending in list(self._block_members.items()):
            pending[0] -= 1
            if pending[0] > 0:
                continue
            del self._block_members[fid]
            if not pending[1]:
                continue  # the fault lasts on: its record's end ends the member
            ep = self._find_open(fid)
            if ep is not None:
                ep.open_members -= 1
                end = max(now + seconds, self._member_end.pop(fid, 0.0))
                ep.last_end = max(ep.last_end, end)
                span = self._spans.pop(fid, None)
                if span is not None:
                    span[1] = end

    def _find_open(self, firing_id: str) -> _Episode | None:
        for ep in reversed(self._episodes):
            if any(f["firing_id"] == firing_id for f in ep.faults):
                return ep
        return None

    def _on_transition(self, record: TransitionRecord) -> None:
        """A transition of the system, told on the thread that made it, which holds the system's
        lock and may be a recovery whose deadline runs: booked under the check's lock without
        waiting for it (``DeferringLock.post``), by the run's loop if that is feeding the capture."""
        if record.component == "system":
            self._lock.post(lambda: self._book_transition(record))

    def _book_transition(self, record: TransitionRecord) -> None:
        """``_on_transition``'s work, under the check's lock."""
        try:
            t = float(record.time)
            running = record.to_state == State.RUNNING
            if not running and not self._ever_running:
                return
            flushed = self._moved_since_block()
            if running or record.to_state == State.CONFIGURED:
                self._chan_modes.append((t, self._channels_are_copies()))
            if running:
                if not self._ever_running:
                    self._first_running_t = t
                self._ever_running = True
                ep = self._join(t, flushed)  # a (re)start: its first milliseconds belong to it
                self._cause(ep, f"running: {record.cause}")
                if self._state_member:
                    ep.open_members -= 1
                    self._state_member = False
                if self._state_span is not None:
                    self._state_span[1] = t
                    self._state_span = None
                ep.core_spans.append([t, t])
                ep.last_end = max(ep.last_end, t)
            else:
                if record.to_state in (State.RECONFIGURING, State.CONFIGURED):
                    self._level_resets.append(t)  # a new config may set a new gain on purpose
                    self._chan_resets.append(t)  # or a new mix
                ep = self._join(t, flushed)
                cause = str(record.cause)
                since = t - stalled_for(cause, self._details_of(cause))
                self._reach_back(ep, since)
                if self._state_span is None:  # held until the system is RUNNING again
                    self._state_span = [since, math.inf]
                if not any(span is self._state_span for span in ep.core_spans):
                    ep.core_spans.append(self._state_span)
                ep.core_spans.append([since, t])
                self._cause(ep, f"{record.to_state.value}: {cause}")
                if not cause.startswith(REQUESTED_CAUSES):
                    ep.unrequested = True
                if not self._state_member:
                    ep.open_members += 1
                    self._state_member = True
                ep.last_end = max(ep.last_end, t)
            self._book_flushed(ep, flushed)
        except Exception as exc:  # noqa: BLE001
            self.unanalysable.append(f"transition observer failed: {exc!r}")

    def _details_of(self, cause: str) -> dict[str, Any] | None:
        """The structured details of the error a transition's cause names (the system's cause is
        ``"{type}: {message}"`` of the error it routed), looked up only for a reported stall: the
        error was recorded before the transition it caused, so it is among the last few."""
        if not cause.startswith("DeviceStalledError"):
            return None
        coordinator = getattr(self.system, "coordinator", None)
        if coordinator is None:
            return None
        recent = getattr(coordinator, "recent_errors", None)  # a coordinator of another system may lack it
        for rec in reversed(recent("device", 8) if recent is not None else coordinator.errors("device")[-8:]):
            info = rec.error
            if f"{info.type}: {info.message}" == cause:
                return dict(info.details)
        return None

    def _reach_back(self, ep: _Episode, t0: float) -> None:
        """Start ``ep`` as early as ``t0`` (its cause's damage began then), never into the window
        before it (its end plus the margin): the windows stay in time order."""
        i = self._episodes.index(ep)
        new = max(t0, self._episodes[i - 1].last_end + self.margin if i > 0 else -math.inf)
        if new < ep.start:
            ep.start = new
            self._starts[i] = new

    def _moved_since_block(self) -> tuple[int, int]:
        """What the counters moved since the device's last block, as the system changes state: on
        the simulated device, what the state change flushed (see "Frames flushed at a state
        change"). Nothing on the rig, whose counters are read in batches."""
        if self.capture is not None:
            return 0, 0
        return self._c_dropped.value - self._last_d, self._c_inserted.value - self._last_i

    def _book_flushed(self, ep: _Episode, flushed: tuple[int, int]) -> None:
        """Frames a state change flushed: in its window's counts, never asked to be heard, and out
        of the next block's accounting."""
        dd, di = flushed
        if dd or di:
            ep.flushed_dropped += dd
            ep.flushed_inserted += di
            self._last_d, self._last_i = self._c_dropped.value, self._c_inserted.value

    @staticmethod
    def _cause(ep: _Episode, text: str) -> None:
        """Note a state change; the error type, not its message, so labels stay few."""
        short = text.split(":")[0] + (":" + text.split(":")[1] if text.count(":") else "")
        if short not in ep.causes and len(ep.causes) < 20:
            ep.causes.append(short.strip())

    def _read_counters(self) -> None:
        """The rig's frame accounting. The simulated device plays each block as the system makes
        it, so what the counters moved belongs to the window live at that block. The rig's capture
        is fed in batches, a poll after it played, while the counters are read live: what they
        moved since the last reading belongs to the window of that interval, not to an older
        block's time (a buffer exhaustion's 19 520 dropped frames were booked at a block played a
        second before the fault: "dropped outside any fault window"). Read at every poll, so the
        interval is a poll's at most."""
        t_read = self._now()
        d, i = self._c_dropped.value, self._c_inserted.value
        if d != self._last_d or i != self._last_i:
            ep = self._episode_between(self._counts_t, t_read)
            if ep is not None and len(ep.moves) < MOVES_KEPT:
                ep.moves.append((self._counts_t, t_read, d - self._last_d, i - self._last_i))
            self._book_moved(ep, t_read, d, i)
        self._counts_t = t_read

    def _book_moved(self, ep: _Episode | None, t: float, d: int, i: int) -> None:
        """Counters that moved to ``d`` dropped and ``i`` inserted: the window ``ep`` heard them
        (or should have), or with no window they moved outside every window at ``t``."""
        if ep is not None:
            ep.heard_dropped = d - ep.dropped0 - ep.flushed_dropped
            ep.heard_inserted = i - ep.inserted0 - ep.flushed_inserted
        else:
            self._outside_accounting(t, d - self._last_d, i - self._last_i)
        self._last_d, self._last_i = d, i

    def _episode_between(self, t0: float, t1: float) -> _Episode | None:
        """The latest window that covers any of ``t0..t1`` (closed or not), or None."""
        for ep in reversed(self._episodes):
            if ep.covers(t0, t1, self.margin):
                return ep
        return None

    def _live_episode(self, t: float) -> _Episode | None:
        ep = self._episodes[-1] if self._episodes else None
        if ep is not None and not ep.closed and ep.covers(t, t, self.margin):
            return ep
        return None

    # -- the device's output, one block at a time -----------------------------------------------
    def _on_block(self, stream: Any, out: np.ndarray, now: float, gap: int | None = None) -> None:
        with self._lock:
            fs = int(stream.spec.sample_rate)
            n = out.shape[0]
            if fs != self._fs or out.shape[1] != self._buf.shape[1]:
                self._new_epoch(fs, now, out.shape[1])
                # a late block of a long period must not outlive the margin
                self.margin = max(self.base_margin, 2 * block_seconds(n, fs))
            # Measured from the previous block, never from the epoch's start: a new stream's
            # blocks sit on a grid of their own, and a half-block offset judged against the old
            # grid would flip into a gap when float rounding crept past it (seen at seed 37).
            if gap is None:  # placed by time: a block late by half its length or more left a gap
                late = (now - self._t_next) * fs
                gap = int(round(late)) if late > n / 2 else 0
            if gap > 0:  # the device played nothing for a while (the rig: heard nothing): silence
                ep = self._live_episode(self._t_next)
                if ep is None and self.capture is not None:  # the rig: a window opened since (its
                    ep = self._attribute(self._t_next, self._t_next)  # capture is read in batches)
                if self.capture is not None:  # the rig's own miss, not the system's loss
                    if ep is not None:
                        ep.capture_gap_frames += gap
                    self.capture_gap_frames += gap
                    self._gap_marks.add(self._t_next, self._t_next + gap / fs)
                else:
                    if ep is not None:
                        ep.gap_frames += gap
                    self.gap_frames += gap
                self._anchor_f.append(self._next)
                self._anchor_t.append(self._t_next)
                self._write(None, gap)
            self._t_next = now + block_seconds(n, fs)
            self._anchor_f.append(self._next)  # this block's first frame plays at ``now``
            self._anchor_t.append(now)
            end = self._len + n
            if end < self._buf.shape[0]:  # the common case: the block fits in the ring
                self._buf[self._len:end] = out
                self._len = end
                self._next += n
                self.frames_total += n
            else:
                self._write(out, n)
            if self._block_members:
                self._blocks_played(now, block_seconds(n, fs))
            if self.capture is not None:
                self._read_counters()
            else:
                d, i = self._c_dropped.value, self._c_inserted.value
                if d != self._last_d or i != self._last_i:
                    self._book_moved(self._live_episode(now), now, d, i)
            ep = self._episodes[-1] if self._episodes else None
            if ep is not None and not ep.closed and ep.open_members <= 0 and now > ep.last_end + self.margin:
                self._close(ep)

    def _on_blocks(self, stream: Any, out: np.ndarray, times: list[float]) -> None:
        """``_on_block`` on each of the ``len(times)`` blocks of ``out`` in order (the simulated
        device's stretch, ``SimulatedBackend.add_output_tap``'s ``blocks``), the same state after:
        a run of blocks that ``_on_block`` would only append (same epoch, no gap, room in the ring
        before it is analysed, the counters as last booked, no window to close) is appended at
        once; any other block goes through ``_on_block``."""
        k = len(times)
        n = out.shape[0] // k
        i = 0
        with self._lock:
            while i < k:
                fs, buf = self._fs, self._buf  # a new epoch (the first block's) makes new ones
                if i and self.capture is None and not self._block_members and int(stream.spec.sample_rate) == fs \
                        and out.shape[1] == buf.shape[1] and self._c_dropped.value == self._last_d \
                        and self._c_inserted.value == self._last_i:
                    room = (buf.shape[0] - 1 - self._len) // n  # blocks whose end stays in the ring
                    ep = self._episodes[-1] if self._episodes else None
                    close_after = ep.last_end + self.margin if ep is not None and not ep.closed \
                        and ep.open_members <= 0 else math.inf
                    step = block_seconds(n, fs)
                    half = n / 2
                    t_next = self._t_next
                    e = i
                    while e < k and e - i < room:
                        now = times[e]
                        if (now - t_next) * fs > half or now > close_after:
                            break
                        t_next = now + step
                        e += 1
                    if e > i:
                        m = (e - i) * n
                        nxt = self._next
                        self._anchor_f.extend(range(nxt, nxt + m, n))
                        self._anchor_t.extend(times[i:e])
                        self._t_next = t_next
                        buf[self._len:self._len + m] = out[i * n:e * n]
                        self._len += m
                        self._next = nxt + m
                        self.frames_total += m
                        i = e
                        continue
                self._on_block(stream, out[i * n:(i + 1) * n], times[i])
                i += 1

    # -- the rig's capture (harness.rig.rig_audio) ---------------------------------------------------
    def feed(self, spec: Any, block: np.ndarray, t: float, gap: int | None = None) -> None:
        """One captured cycle of the system's output on the rig, played at clock time ``t``: one
        column per output channel, NaN where the rig did not hear that channel (its ear was not
        wired to it), which is then not held to the analysed one (``_judge_channels``).

        Before the system first ran there is nothing of its to judge (the capture client hears
        an unconnected port): those cycles are skipped, by the time they were captured (the
        capture is read in batches: the first batch holds the cycles before the start too).
        """
        if not self._ever_running or t < self._first_running_t:
            return
        self.cycle_frames = int(block.shape[0])
        ch = self.channel if block.shape[1] > self.channel else 0
        if block.shape[1] > 1 and np.isnan(block[:, ch]).any():  # the analysed channel: unheard is silent
            block = block.copy()
            block[:, ch] = np.nan_to_num(block[:, ch], nan=0.0)
        self._on_block(_Captured(spec), block, t, gap=gap)

    def xrun(self, t: float) -> None:
        """JACK reported an xrun at ``t``: the graph missed a cycle, whoever was late. Damage
        around it is the machine's, reported as it happened, not the system's silent loss: a
        window of its own (label ``jack_xrun``) from ``XRUN_LEAD_S`` before the report.

        The report is read from the capture a poll after it was recorded, while the system's
        state changes open windows live: a report from before the latest window (a run's stop, a
        recovery, recorded live before the capture's last second was read) takes the place in
        time it would have had if read at once (``_in_order``), never the later window's start.
        (Measured idle after an external kill, all three routes: one-cycle mutes and one-period
        phase steps within 45 ms of JACK's report, which was read 0.4-1.4 s later, after the
        stop's window opened; placed from that window's start, the report left its damage
        outside every window, and the run inconclusive.)"""
        with self._lock:
            self.jack_xruns += 1
            self._xrun_marks.add(t)
            self._xrun_runs.add(t)
            firing_id = f"jack-xrun-{self.jack_xruns}"
            last = self._episodes[-1] if self._episodes else None
            if last is not None and t + LEAD_MARGIN_S < last.start:
                ep = self._in_order(t - XRUN_LEAD_S, t)
                if ep is not None:
                    ep.add_fault({"firing_id": firing_id, "kind": "jack_xrun"})
                    self._keep_reports(ep, [t])
                    return
            self._reported_window(t, t, "jack_xrun", firing_id)

    def _in_order(self, t0: float, t1: float, cause: str | None = None) -> _Episode | None:
        """The window of ``t0..t1`` (a stretch read from the capture: an xrun report's reach,
        cycles the capture missed) placed where it lies in time, although a later window is live
        already: the window before it that reaches ``t0`` (its end plus the margin), extended to
        ``t1`` (and joined to the window after it if its reach now meets that one's start), else
        the window after it, from ``t0``, if the stretch's reach meets it, else a new one from
        ``t0`` to ``t1`` (closed at once: the counters read since are booked where they were
        read; ``cause`` noted): what it would have been if read at once. None when the
        later windows hold glitches already (the audio there was judged: a window placed before
        them now could no longer explain what it covers) or the stretch is not before them."""
        k = bisect.bisect_right(self._starts, t1 + LEAD_MARGIN_S)
        later = self._episodes[k:]
        if not later or any(ep.glitches for ep in later) or \
                (self._last is not None and self._last.window in {ep.index for ep in later}):
            return None
        prev = self._episodes[k - 1] if k > 0 else None
        nxt = later[0]
        if prev is not None and prev.covers(t0, t1, self.margin):
            prev.last_end = max(prev.last_end, t1)
            if nxt.start - LEAD_MARGIN_S <= prev.last_end + self.margin:  # they meet now: one window
                return self._merge_range(k - 1, k)
            return prev
        if nxt.start - LEAD_MARGIN_S <= t1 + self.margin:  # it reaches the next one: that one, from t0
            self._start_back(k, t0)
            if cause is not None:
                self._cause(nxt, cause)
            return nxt
        # a window of its own: it takes the first later one's number and they move up by one, so
        # the numbers stay in time order (none of them was given to a glitch yet)
        ep = _Episode(nxt.index, t0, last_end=t1, dropped0=self._c_dropped.value, inserted0=self._c_inserted.value)
        for later_ep in later:
            later_ep.index += 1
        self._n_episodes += 1
        self._episodes.insert(k, ep)
        self._starts.insert(k, t0)
        self._close(ep)
        if cause is not None:
            self._cause(ep, cause)
        return ep

    def blind(self, t0: float, t1: float, why: str = "the rig's capture client was gone") -> None:
        """Nothing was heard from ``t0`` to ``t1`` (the capture client was gone): every window
        overlapping that stretch is inconclusive; if none does, the stretch is a window of its own."""
        with self._lock:
            self.blind_s += max(t1 - t0, 0.0)
            for ep in self._windows_over(t0, t1, "capture lost"):
                if not ep.blind_why or why not in ep.blind_why:
                    ep.blind_why.append(why) if len(ep.blind_why) < 5 else None
                ep.blind = True
                ep.last_end = max(ep.last_end, t1)
                ep.core_spans.append([t0, t1])

    def _windows_over(self, t0: float, t1: float, cause: str, reach: float = math.inf) -> list[_Episode]:
        """The windows a stretch the rig did not hear (``t0``..``t1``, read from the capture after the
        fact) overlaps, or a new one from ``t0`` (``cause``). A window that opened live after ``t0``
        (the capture is read a poll late: the run's stop is recorded before its last cycles are
        read) is taken back to ``t0`` when that keeps the windows in order and the stretch ended
        at most ``reach`` before it: the stretch's silence then lies inside the window that holds
        its report, not outside every window (``missed`` passes the settle margin: the window
        takes in no more than that of what the rig did hear)."""
        hit = [ep for ep in self._episodes
               if ep.start - LEAD_MARGIN_S <= t1 and (ep.open_members > 0 or ep.last_end + self.margin >= t0)]
        if not hit:
            last = self._episodes[-1] if self._episodes else None
            if last is not None and last.start > t0:  # out of order: the latest (from t0 if near)
                hit = [last]
                if t1 < last.start - reach:
                    # well before the latest window: where it lies in time
                    placed = self._in_order(t0, t1, cause)
                    return [placed] if placed is not None else hit
            else:
                ep = self._join(t0)
                self._cause(ep, cause)
                hit = [ep]
        first = hit[0]
        self._start_back(self._episodes.index(first), t0)
        return hit

    def _start_back(self, i: int, t0: float) -> None:
        """Window ``i``, opened after ``t0`` (where hearing stopped), starts there instead, or, if
        the window before it still reached ``t0`` (its end plus the settle margin), where that
        reach ends: the windows stay in order and abut, so no stretch of the unheard time between
        them lies outside both. (Measured on the ALSA route after an external kill, idle: the
        outage began 0.08 s after an xrun report whose window closed before the outage was read,
        and the 60 ms between that window's reach and the system's stall report, inside the
        outage, was judged as damage outside every window.)"""
        ep = self._episodes[i]
        prev_end = self._episodes[i - 1].last_end + self.margin if i > 0 else -math.inf
        start = max(t0, prev_end)
        if start < ep.start:
            ep.start = start
            self._starts[i] = start

    def held_begin(self, t0: float) -> str:
        """The system's watchdog laid the silence since ``t0`` (its stream's last callback) on the
        machine: the delivery thread, where the system takes its blocks, held off a CPU while the
        device kept calling back (``system.held_by_the_machine``). The audio lost there is the
        machine's, as an outage's is the world's: a window of its own (label ``delivery_held``)
        from ``t0``, open until ``held_end``, joined by every window that reaches ``t0`` or began
        after it. A silence that outlasts it past the settle margin is judged on its own (a
        stream that stays mute once its thread runs again is the system's). The member's id."""
        with self._lock:
            self.holds += 1
            fid = f"delivery-held-{self.holds}"
            ep = self._open_at(t0)
            ep.open_members += 1
            ep.add_fault({"firing_id": fid, "kind": "delivery_held"})
            ep.last_end = max(ep.last_end, t0)
            self._spans[fid] = span = [t0, math.inf]
            ep.core_spans.append(span)
            return fid

    def held_end(self, fid: str, t1: float) -> None:
        """The held silence ``fid`` ended at ``t1``: the delivery thread took a block again."""
        with self._lock:
            span = self._spans.pop(fid, None)
            ep = self._find_open(fid)
            if span is None or ep is None:
                return
            span[1] = max(t1, span[0])
            self.held_s += span[1] - span[0]
            self._held_marks.add(span[0], span[1])
            ep.open_members -= 1
            ep.last_end = max(ep.last_end, span[1])

    def _read_holds(self) -> None:
        """The silences the system laid on the machine since the last reading
        (``AudioSystem.held_silences``), each a window (``held_begin``, ``held_end``), before the
        audio of that stretch is judged. A system that keeps no such record has none."""
        read = getattr(self.system, "held_silences", None)
        if not callable(read):
            return
        ended, open_t0, _unkept = read()
        for t0, t1 in ended[self._holds_read:]:
            if self._hold_open is not None and self._hold_open[0] == t0:
                fid = self._hold_open[1]
                self._hold_open = None
            else:
                fid = self.held_begin(t0)
            self.held_end(fid, t1)
        self._holds_read = len(ended)
        if open_t0 is not None and (self._hold_open is None or self._hold_open[0] != open_t0):
            self._hold_open = (open_t0, self.held_begin(open_t0))

    def _open_at(self, t0: float) -> _Episode:
        """The window a member from ``t0`` (known only now: a server outage, a held silence)
        opens in: every window that began at ``t0`` or later, or that still covers it, folded into
        one that starts at ``t0``; a new one from ``t0`` if there is none."""
        i = len(self._episodes)
        while i > 0:
            ep = self._episodes[i - 1]
            if ep.start >= t0 - LEAD_MARGIN_S or (not ep.closed and ep.covers(t0, t0, self.margin)):
                i -= 1
            else:
                break
        if i == len(self._episodes):
            return self._join(t0)
        ep = self._merge_from(i)
        self._start_back(i, t0)
        return ep

    def outage_begin(self, t0: float, why: str) -> None:
        """The rig observed its JACK server die: it last heard the system at ``t0`` (its capture
        client was told the server shut down). An external fault the rig saw, so a window of its
        own (label ``server_outage``) from ``t0``, open until ``outage_end`` (the rig hears the
        system again). Every window that reaches ``t0`` or began after it (the system's recovery,
        found out before the rig's next poll; JACK's xrun reports) is the same episode: they
        become one window. It closes the settle margin after its last member ended: the outage,
        and the system's own recovery episode if it began inside the outage (a state member, open
        until the system is RUNNING again). A recovery the system begins after that window closed
        is not the outage's: it opens a window of its own, judged as any other."""
        for listener in self.outage_listeners:
            listener("begin", t0, why)
        with self._lock:
            self.outages += 1
            fid = f"server-outage-{self.outages}"
            for awaited in self._tone_awaited:
                awaited[1] = min(awaited[1], t0)
            ep = self._open_at(t0)
            ep.open_members += 1
            ep.add_fault({"firing_id": fid, "kind": "server_outage", "why": why})
            ep.outages.append({"id": fid, "from": t0, "to": None})
            ep.last_end = max(ep.last_end, t0)
            self._spans[fid] = span = [t0, math.inf]
            ep.core_spans.append(span)

    def external_fault(self, what: str, record: Any) -> None:
        """A fault record the run's history entered (``History.add_fault_listener``): one from outside
        the run (trigger ``external``: an outage observed on a device whose loss the injector did not
        cause, ``rig_target.ObservedOutages``) is a server outage of its own, from its record's
        start to its end, as when the rig's capture observes one (``outage_begin``/``outage_end``).
        The audio lost while it was open is not the system's; what the system loses after its window
        closed is judged as any other. Without a capture nothing else tells the check of such an
        outage (measured: a faultless simulated run whose device an observed outage took for 0.3 s
        failed ``clean_audio`` with a 0.31 s mute "while the system left RUNNING with no fault
        injected"); a run with a capture hears its outages there, so it is not wired to this."""
        if getattr(record, "trigger", None) != "external":
            return  # the injector's own faults come by its listener (``_on_fault``)
        if what == "fault_start":
            why = (getattr(record, "details", None) or {}).get("why") or record.kind
            self.outage_begin(float(record.fired_at), str(why))
        elif what == "fault_end" and record.ended_at is not None:
            self.outage_end(float(record.ended_at))

    def outages_heard(self) -> tuple[int, int]:
        """The JACK server outages the rig observed so far, and how many of them it heard the
        system again after. A driver that kills the server again waits for the two to agree: a
        server death while an outage is still open is taken for that same outage (one record)."""
        with self._lock:  # counted as they end: a window long closed is retired with its outages
            return self.outages, self._outages_ended

    def outage_server_back(self, t: float) -> None:
        """The server of the open outage serves again at ``t`` (the rig's new capture client opened
        on it), before or as the rig hears the system again (``outage_end``): told to the
        ``outage_listeners`` (``listener("back", t, "")``) for the run's history; the window
        itself still lasts until the system is heard again."""
        for listener in self.outage_listeners:
            listener("back", t, "")

    def outage_end(self, t1: float) -> None:
        """The rig hears the system again at ``t1`` (a new capture client on the restarted server,
        wired to the system's stream): the open outage ends there."""
        for listener in self.outage_listeners:
            listener("end", t1, "")
        with self._lock:
            for k in range(len(self._episodes) - 1, -1, -1):
                ep = self._episodes[k]
                for o in ep.outages:
                    if o["to"] is None:
                        o["to"] = max(t1, o["from"])
                        self.outage_s += o["to"] - o["from"]
                        self._outages_ended += 1
                        if len(self._tone_awaited) < 1000:
                            self._tone_awaited.append([o["to"], math.inf])
                        else:
                            self._tone_awaited_lost += 1
                        ep.open_members -= 1
                        ep.last_end = max(ep.last_end, o["to"])
                        span = self._spans.pop(o["id"], None)
                        if span is not None:
                            span[1] = o["to"]
                        # the windows opened while its end was unknown: the outage's if they
                        # began before its window closed (the outage's end plus the margin)
                        m, end, members = k, ep.last_end, ep.open_members
                        while m + 1 < len(self._episodes):
                            nxt = self._episodes[m + 1]
                            if members <= 0 and nxt.start > end + self.margin:
                                break
                            m += 1
                            end, members = max(end, nxt.last_end), members + nxt.open_members
                        if m > k:
                            self._merge_range(k, m)
                        return

    def _merge_from(self, i: int) -> _Episode:
        """Fold the windows from ``i`` on into window ``i`` (one episode now), and reopen it."""
        return self._merge_range(i, len(self._episodes) - 1)

    def _merge_range(self, i: int, j: int) -> _Episode:
        """Fold windows ``i+1..j`` into window ``i`` (one episode now); it is open again unless
        every one of them was closed (then it is closed with the counters as they are now)."""
        first = self._episodes[i]
        was_closed = all(ep.closed for ep in self._episodes[i:j + 1])
        for ep in self._episodes[i + 1:j + 1]:
            first.open_members += ep.open_members
            first.last_end = max(first.last_end, ep.last_end)
            first.absorb_faults(ep)
            for c in ep.causes:
                if c not in first.causes and len(first.causes) < 20:
                    first.causes.append(c)
            first.unrequested = first.unrequested or ep.unrequested
            shift_d, shift_i = ep.dropped0 - first.dropped0, ep.inserted0 - first.inserted0
            if ep.heard_dropped or ep.heard_inserted:
                first.heard_dropped = max(first.heard_dropped, ep.heard_dropped + shift_d)
                first.heard_inserted = max(first.heard_inserted, ep.heard_inserted + shift_i)
            first.flushed_dropped += ep.flushed_dropped
            first.flushed_inserted += ep.flushed_inserted
            first.moves.extend(ep.moves[:max(0, MOVES_KEPT - len(first.moves))])
            first.gap_frames += ep.gap_frames
            first.capture_gap_frames += ep.capture_gap_frames
            first.glitches += ep.glitches
            first.by_kind.update(ep.by_kind)
            if ep.last_glitch_end is not None:
                first.last_glitch_end = max(first.last_glitch_end or ep.last_glitch_end, ep.last_glitch_end)
            first.blind = first.blind or ep.blind
            for why in ep.blind_why:
                if why not in first.blind_why and len(first.blind_why) < 5:
                    first.blind_why.append(why)
            first.outages.extend(ep.outages)
            first.missed_s += ep.missed_s
            for a, b in ep.reported_spans:
                first.add_reported_span(a, b)
            first.reported_unkept = first.reported_unkept or ep.reported_unkept
            room = max(0, MISSED_SPANS_KEPT - len(first.missed_spans))
            first.missed_spans.extend(ep.missed_spans[:room])
            first.missed_unkept += ep.missed_unkept + max(0, len(ep.missed_spans) - room)
            first.core_spans.extend(ep.core_spans)
            first.mute_max_s = max(first.mute_max_s, ep.mute_max_s)
            first.xrun_reports.extend(ep.xrun_reports)  # before its silences: ``keep_mute`` reads them
            for ev in ep.mutes:
                first.keep_mute(ev, self._last, self.base_margin)
            for run in ep.channel_runs:
                first.keep_channel_run(run, self.base_margin)
            first.unkept += ep.unkept
            first.dense_settled += ep.dense_settled
            longest = [x for x in (first.dense_settled_longest, ep.dense_settled_longest) if x is not None]
            first.dense_settled_longest = max(longest, key=lambda x: x[1] - x[0], default=None)
            for why in ep.missed_why:
                if why not in first.missed_why and len(first.missed_why) < 5:
                    first.missed_why.append(why)
            if self._last is not None and self._last.window == ep.index:
                self._last.window = first.index
        del self._episodes[i + 1:j + 1]
        del self._starts[i + 1:j + 1]
        first.closed = False
        first.dropped = first.inserted = None
        if was_closed:
            self._close(first)
        return first

    def missed(self, t0: float, t1: float, frames: int) -> None:
        """The rig's capture client missed ``frames`` frames of cycles between ``t0`` and ``t1``
        (the server's frame counter jumped: its cycles came too late on a loaded machine). The
        frames are placed as silence (the ``gap`` of the next block) inside a window of their own,
        joined to whatever covers them. When JACK reported an xrun in that window, the graph
        missed those deadlines: the system's output for them reached nobody, the machine's damage
        as reported, which the window already excuses, so it is judged. Without such a report the
        window is blind (``blind``): the rig did not hear what the system played."""
        with self._lock:
            self.missed_frames += frames
            why = f"the rig's capture client missed {frames} frame(s) (its cycles came too late: a loaded machine)"
            hit = self._windows_over(t0, t1, "capture missed cycles", reach=self.margin)
            for ep in hit:
                if why not in ep.missed_why and len(ep.missed_why) < 5:
                    ep.missed_why.append(why)
                ep.missed_s += max(t1 - t0, 0.0) / len(hit)
                if len(ep.missed_spans) < MISSED_SPANS_KEPT:
                    ep.missed_spans.append((t0, t1))
                else:
                    ep.missed_unkept += 1
                ep.last_end = max(ep.last_end, t1)

    def system_xrun(self, since: float, t: float, count: int) -> None:
        """The system counted ``count`` xruns of its own stream (under- or overflow flags the
        device host reported) between ``since`` and ``t``: damage it reported as it happened,
        like a JACK xrun report, not a silent loss. A window of its own (label ``system_xrun``)
        from ``XRUN_LEAD_S`` before ``since`` to ``t``: the counter is read once per poll, so the
        xrun happened somewhere in that stretch."""
        with self._lock:
            self.system_xruns += count
            self._reported_window(since, t, "system_xrun", f"system-xrun-{self.system_xruns}")

    def _reported_window(self, since: float, t: float, kind: str, firing_id: str) -> None:
        """Damage reported as it happened (an xrun) somewhere in ``since``..``t``: the window from
        ``XRUN_LEAD_S`` before ``since`` to ``t``, joined to the latest one if they meet (windows
        stay in time order)."""
        last = self._episodes[-1] if self._episodes else None
        t0 = since - XRUN_LEAD_S
        if last is not None:
            t0 = max(t0, last.start)
            if last.closed and t0 <= last.last_end + self.margin:
                # closed by the blocks read since (the report comes after the cycles it explains):
                # the same window again, not a second one from the same moment
                last.closed = False
                last.dropped = last.inserted = None
        ep = self._join(t0)
        ep.add_fault({"firing_id": firing_id, "kind": kind})
        ep.last_end = max(ep.last_end, t)
        ep.add_reported_span(t0, t)
        self._keep_reports(ep, [t])

    @staticmethod
    def _keep_reports(ep: _Episode, times: list[float]) -> None:
        """Keep xrun report ``times`` in ``ep`` (``ReportRuns``: bounded; past its bound the window
        notes from when its reports are no longer known)."""
        for t in times:
            ep.xrun_reports.add(t)

    def poll(self) -> None:
        """Read what the rig's capture recorded since the last call (the run's loop calls this).

        First the system's own xrun counter: a window for the xruns it counted since the last
        poll exists before the audio of that stretch is judged."""
        if self.capture is None or self.finished:
            return
        self._read_system_xruns()
        self._read_holds()
        with self._lock:
            self._read_counters()
        self.capture.poll(self)

    def _read_system_xruns(self) -> None:
        now = self._now()
        x = self._c_xruns.value
        if x > self._last_x and self._ever_running:
            self.system_xrun(self._last_poll_t, now, x - self._last_x)
        self._last_x, self._last_poll_t = x, now

    def _outside_accounting(self, t: float, dropped: int, inserted: int, note: str | None = None) -> None:
        self.outside_dropped += dropped
        self.outside_inserted += inserted
        if len(self.outside_accounting) < 50:
            row: dict[str, Any] = {"t": round(t, 6), "dropped": dropped, "inserted": inserted}
            if note:
                row["at"] = note
            self.outside_accounting.append(row)

    def _close(self, ep: _Episode, dropped: int | None = None, inserted: int | None = None) -> None:
        """Close ``ep`` with the counters as they are (or as given: before a flush that belongs
        to the next window)."""
        ep.closed = True
        ep.dropped = (self._c_dropped.value if dropped is None else dropped) - ep.dropped0
        ep.inserted = (self._c_inserted.value if inserted is None else inserted) - ep.inserted0

    def _new_epoch(self, fs: int, now: float, channels: int = 1) -> None:
        """A new time line: at the first block, when the rate changes, or the channel count."""
        if self._fs:
            self._process(final=True)
        self._epochs += 1
        self._fs = fs
        self._t0 = now
        self._t_next = now
        self._next = 0
        self._anchor_f, self._anchor_t = [], []
        self._o = int(math.ceil(self.overlap_s * fs / _BLOCK)) * _BLOCK
        core = int(math.ceil(self.window_s * fs / _BLOCK)) * _BLOCK
        # Channel by channel in memory (the frame-major view of a channel-major array): the
        # analysed channel, and each one ``_judge_channels`` holds to it, is a contiguous run of
        # the ring, analysed in place instead of copied out at every window (a block's write is
        # a strided copy either way)
        self._buf = np.zeros((channels, core + 2 * self._o), dtype=np.float32).T
        self._ch = self.channel if channels > self.channel else 0
        if self.capture is None:  # the rig's: the channels it heard (``_judge_channels``)
            self.channels_judged = max(self.channels_judged, channels)
        self._chan_ref, self._chan_acc = {}, {}
        self._base = 0
        self._len = 0
        self._fresh = True
        self._last = None
        if self.program is not None:
            if self._judge is None:
                from .program import ProgramJudge  # noqa: PLC0415 - only runs that play a program

                self._judge = ProgramJudge(self.program)
            self._judge.new_epoch(fs)

    def _write(self, samples: np.ndarray | None, n: int) -> None:
        """Append ``n`` frames of every channel (``None``: silence), analysing whenever the ring
        is full."""
        done = 0
        while done < n:
            take = min(n - done, self._buf.shape[0] - self._len)
            if samples is None:
                self._buf[self._len:self._len + take] = 0.0
            else:
                self._buf[self._len:self._len + take] = samples[done:done + take]
            self._len += take
            done += take
            if self._len == self._buf.shape[0]:
                self._process(final=False)
        self._next += n
        self.frames_total += n

    # -- analysis of one stretch of the ring ----------------------------------------------------
    def _time(self, frame: int) -> float:
        """The clock time ``frame`` played at: from the block it belongs to."""
        i = bisect.bisect_right(self._anchor_f, frame) - 1
        if i < 0:
            return self._t0 + frame / self._fs
        return self._anchor_t[i] + (frame - self._anchor_f[i]) / self._fs

    def _times(self, frames: np.ndarray) -> np.ndarray:
        """``_time`` of every frame of ``frames`` (ascending) at once: the same anchors and the same
        arithmetic (integer frame differences, each divided by the rate in float64 and added to
        its anchor's time, as Python's floats do), so the same numbers."""
        # the anchors ``frames`` (ascending) fall under: from the last at or before the first one
        lo = max(bisect.bisect_right(self._anchor_f, int(frames[0])) - 1, 0) if frames.size else 0
        hi = bisect.bisect_right(self._anchor_f, int(frames[-1])) if frames.size else 0
        if hi <= lo:
            return self._t0 + frames / self._fs
        af = np.asarray(self._anchor_f[lo:hi], dtype=np.int64)
        at = np.asarray(self._anchor_t[lo:hi], dtype=np.float64)
        i = np.searchsorted(af, frames, side="right") - 1
        j = np.maximum(i, 0)
        return np.where(i < 0, self._t0 + frames / self._fs, at[j] + (frames - af[j]) / self._fs)

    def _frame_at(self, t: float) -> int:
        """The frame that played at clock time ``t`` (the inverse of ``_time``, from the anchors)."""
        i = bisect.bisect_right(self._anchor_t, t) - 1
        if i < 0:
            return self._base + int(round((t - self._t0) * self._fs)) if not self._anchor_f else \
                self._anchor_f[0] - int(round((self._anchor_t[0] - t) * self._fs))
        return self._anchor_f[i] + int(round((t - self._anchor_t[i]) * self._fs))

    def _prune_anchors(self) -> None:
        """Forget the anchors of frames the ring no longer holds (the last one before it stays)."""
        i = bisect.bisect_right(self._anchor_f, self._base) - 1
        if i > 0:
            del self._anchor_f[:i]
            del self._anchor_t[:i]

    def _process(self, *, final: bool) -> None:
        s_len = self._len
        if s_len == 0:
            return
        x = self._buf[:s_len, self._ch]  # contiguous: a view of the ring (see ``_new_epoch``)
        base = self._base
        core_lo = 0 if self._fresh else self._o
        core_hi = s_len if final else s_len - self._o
        nb = -(-s_len // _BLOCK)
        if s_len == nb * _BLOCK:  # a full ring (every window but a final one): whole blocks
            blocks = x.reshape(nb, _BLOCK)
        else:  # the last block zero-padded
            pad = np.zeros(nb * _BLOCK, dtype=np.float32)
            pad[:s_len] = x
            blocks = pad.reshape(nb, _BLOCK)
        ms = np.einsum("ij,ij->i", blocks, blocks, dtype=np.float64) / _BLOCK
        silent = ms < self.silence ** 2
        edges = np.flatnonzero(np.diff(silent.astype(np.int8))) + 1
        bounds = np.concatenate(([0], edges, [nb])) * _BLOCK
        if self._judge is not None:  # a program plays: judged against it, not the sine model
            runs = [(int(a), int(min(b, s_len)), bool(silent[int(a) // _BLOCK]))
                    for a, b in zip(bounds[:-1], bounds[1:])]
            self._process_program(x, base, runs, core_lo, core_hi)
            bounds = bounds[:1]
        for a, b in zip(bounds[:-1], bounds[1:]):
            a, b = int(a), int(min(b, s_len))
            lo, hi = max(a, core_lo), min(b, core_hi)
            if silent[a // _BLOCK]:
                if hi > lo:
                    self.frames_silent += hi - lo
                    self._emit(base + lo, base + hi, "mute", hi - lo, None, None)
                continue
            analysed = 0
            # A stretch of sound wholly outside the core (in an overlap: another window's core
            # judges it) yields nothing here once the tone has been seen: every glitch the
            # analysis finds starts inside the stretch, so outside the core, it analyses no frame
            # of the core and an error is not kept. Only its first success (the tone seen) counts.
            if b - a >= _MIN_SOUND and (hi > lo or not self._tone_seen):
                try:
                    # fine: the noise-floor pass too (pops and phase steps below the coarse tolerance);
                    # it judges a coloured residual by its innovation since the 3-frame "click" of
                    # hostile seed 60 at 60 s (a smooth bump of low-passed noise, 1e-4 of the tone);
                    # and the search for clipped peaks: a gain that drives the output past full
                    # scale holds every peak flat at the clip level, the same distortion in every
                    # block, which the coarse and fine passes take for the tone itself (the
                    # false-alarm matrix, bench/bench_false_alarms.py, measured with it on)
                    rep = analyze_glitches(x[a:b], self._fs, self.frequency_hz, max_glitches=10_000,
                                          measure_levels=False, frequency_known=self.frequency_hz is not None,
                                          fine=self.fine,
                                          block_power=ms[a // _BLOCK:a // _BLOCK + (b - a) // _BLOCK])
                except AnalysisError as exc:
                    if hi > lo and len(self.unanalysable) < 20:
                        self.unanalysable.append(f"t={self._time(base + lo):.3f}..{self._time(base + hi):.3f} s: {exc}")
                else:
                    self._tone_seen = True
                    analysed = max(0, min(hi, a + rep.analysed_end_frame) - max(lo, a + rep.analysed_start_frame))
                    if analysed and self._tone_awaited:
                        self._tone_heard(self._time(base + max(lo, a + rep.analysed_start_frame)),
                                         self._time(base + min(hi, a + rep.analysed_end_frame)))
                    for g in rep.glitches:
                        start, end = a + g.start_frame, a + g.end_frame
                        if g.kind == "clipped" and start < core_hi and end > core_lo:
                            # a clipped stretch is one glitch however many rings it spans: each
                            # ring emits the part in its core (its flat frames prorated), and a
                            # part that began in the ring before goes on from it (``continues``)
                            lo_c, hi_c = max(start, core_lo), min(end, core_hi)
                            wf = None
                            if start >= core_lo and len(self.excerpts) < self.excerpt_limit:
                                wf = {"waveform": [round(float(v), 6) for v in g.waveform[:_EXCERPT]],
                                      "waveform_start_frame": base + a + g.waveform_start_frame}
                            self._emit(base + lo_c, base + hi_c, g.kind,
                                       int(round(g.size * (hi_c - lo_c) / max(end - start, 1))), g.peak_error,
                                       wf, continues=start < core_lo)
                        elif core_lo <= start < core_hi:
                            wf = None
                            if len(self.excerpts) < self.excerpt_limit:
                                wf = {"waveform": [round(float(v), 6) for v in g.waveform[:_EXCERPT]],
                                      "waveform_start_frame": base + a + g.waveform_start_frame}
                            silences = [(a + q0, a + q1) for q0, q1 in self._silences_of(
                                x[a:b], max(0, start - a - _BLOCK), start - a, end - a, g)]
                            for k, (q0, q1) in enumerate(silences):
                                self._emit(base + q0, base + q1, "mute", q1 - q0, None, wf if k == 0 else None)
                            if not silences:
                                self._emit(base + start, base + end, g.kind, g.size, g.peak_error, wf)
            if hi > lo:
                self.frames_analysed += analysed
                self.frames_unanalysed += (hi - lo) - analysed
                if analysed:
                    self._judge_level(ms, base, a, b, lo, hi)
        if self._buf.shape[1] > 1:
            self._judge_channels(blocks, ms, silent, s_len, base, core_lo, core_hi, final)
        if final:
            self._base += s_len
            self._len = 0
            self._fresh = True
            frontier = self._time(self._base)
        else:
            drop = core_hi - self._o
            self._buf[: s_len - drop] = self._buf[drop:s_len]
            self._base += drop
            self._len = s_len - drop
            self._fresh = False
            frontier = self._time(self._base + self._o)
        self._prune_anchors()
        self._retire(frontier)

    def _silences_of(self, x: np.ndarray, lo: int, start: int, end: int, g: Any) -> list[tuple[int, int]]:
        """The silences ``x[start:end]`` holds, when the analyser's ``mute`` ``g`` spans several
        silences with the tone heard between them (``[]``: it is judged whole). The analyser
        gives such a stretch as one mute, sized by its longest silence; on the rig it is a burst
        of missed deadlines, each its own cycle of silence, and is judged as the silences it is
        (``_Event.parts``, ``machine_cause``), as ``_emit`` joins them. Measured on the rig
        (``--backend jack``, the server killed from outside and restarted, 8 runs at load
        average 1-11): the quiet windows after the restart held 1-4 such mutes of 1 280-3 329
        frames, each made of 256-frame silences of digital zero 1-3 heard cycles apart, and none
        was judged the machine's.

        Only on the rig (its cycle known), and only when every silence accounts for the tone's
        time across it: the tone after it is where it was before (a cycle lost to silence) or
        late by the silence's length in whole cycles (cycles held back; a silence that is not
        whole cycles within ``SILENCE_EDGE_FRAMES`` is no missed deadline's), within
        ``PHASE_TOLERANCE_FRAMES`` (``_tone_phase``; the rig's bursts read within 0.05 frame of a
        held-back cycle). A stretch whose heard parts lost or gained any other time (a frame
        dropped between two silences) is one glitch, judged whole. ``x``: the analysed stretch of
        sound; ``x[lo:start]``: a block of it before the glitch, where a silence the glitch begins
        inside began (the analyser may place its start there)."""
        n, f = self.cycle_frames, self.frequency_hz
        if not n or not f or g.kind != "mute" or end - start <= g.size + n:
            return []
        quiet = np.abs(x[lo:end]) < self.silence
        edges = np.flatnonzero(np.diff(np.concatenate(([0], quiet.astype(np.int8), [0]))))
        runs = [(lo + int(a), lo + int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)
                if b - a >= SILENCE_MIN_FRAMES and lo + b > start]
        if len(runs) < 2:
            return []
        # the heard stretches around each silence: from the one before it to the next one (the
        # first and the last reach past the glitch into the tone around it)
        bounds = [max(0, runs[0][0] - PHASE_FIT_FRAMES), *(v for r in runs for v in r),
                  min(len(x), runs[-1][1] + PHASE_FIT_FRAMES)]
        heard = list(zip(bounds[::2], bounds[1::2], strict=True))
        if any(b - a < SILENCE_MIN_FRAMES * 3 for a, b in heard):
            return []
        period = self._fs / f
        phases = [_tone_phase(x[a:b], a, self._fs, f) for a, b in heard]
        for (q0, q1), before, after in zip(runs, phases[:-1], phases[1:], strict=True):
            cycles = round((q1 - q0) / n)
            if cycles < 1 or abs(q1 - q0 - cycles * n) > SILENCE_EDGE_FRAMES:
                return []  # not a silence of whole cycles: not a missed deadline's
            late = (after - before + period / 2) % period - period / 2  # the tone's step, frames
            held = (late + cycles * n + period / 2) % period - period / 2
            if min(abs(late), abs(held)) > PHASE_TOLERANCE_FRAMES:
                return []
        return runs

    def _tone_heard(self, t0: float, t1: float) -> None:
        """The tone (or the program) was analysed from ``t0`` to ``t1``: the outages it followed
        (it lies between one's end and the next one's beginning) are judged after."""
        self._tone_awaited = [w for w in self._tone_awaited if not (t1 > w[0] and t0 < w[1])]

    def _judge_channels(self, blocks: np.ndarray, ms: np.ndarray, silent: np.ndarray, s_len: int,
                        base: int, core_lo: int, core_hi: int, final: bool) -> None:
        """Hold every other output channel to the analysed one (``CHANNEL_TOLERANCE``), block by
        block in the core, where the analysed channel sounds; deviating runs become glitches.
        Vectorised over the ring: Python runs per deviating block and per reset only."""
        full = s_len // _BLOCK  # only whole blocks of the core are judged
        columns = [c for c in range(self._buf.shape[1]) if c != self._ch]
        b = blocks[:full]
        energy = ms[:full] * _BLOCK
        cross = np.empty((full, len(columns)))
        power = np.empty((full, len(columns)))
        for j, c in enumerate(columns):  # the channel's run of the ring, in place: einsum's fast path
            o = self._buf[: full * _BLOCK, c].reshape(full, _BLOCK)
            cross[:, j] = np.einsum("ij,ij->i", b, o, dtype=np.float64)
            power[:, j] = np.einsum("ij,ij->i", o, o, dtype=np.float64)
        # the rig's capture writes NaN where it did not hear a channel (``feed``): such a block of
        # that channel is not judged (on the simulated device every block is heard)
        heard = np.isfinite(power)
        with np.errstate(divide="ignore", invalid="ignore"):
            # the best multiple of the analysed block, and what is left of the channel after it:
            # sum (o - m b)^2 = sum o^2 - m sum o b (no temporary of the ring's size)
            mult = cross / energy[:, None]
            left = power - cross * mult
            resid = np.sqrt(np.maximum(left, 0.0) / _BLOCK)  # NaN stays NaN
            rms0 = np.sqrt(ms[:full])[:, None]
            shape_off = ~(resid <= CHANNEL_TOLERANCE * rms0 + CHANNEL_FLOOR)  # NaN too
            rel = resid / np.maximum(rms0, 1e-15)
        # a silence's edges (a partial block, a fade) are not judged
        near = silent.copy()
        near[1:] |= silent[:-1]
        near[:-1] |= silent[1:]
        first, stop = -(-core_lo // _BLOCK), core_hi // _BLOCK
        # the core cut at each reset (a reconfiguration may set a new mix)
        cuts = [first]
        while self._chan_resets and self._frame_at(self._chan_resets[0]) < base + stop * _BLOCK:
            # the first block that starts at or after the reset is the new configuration's
            cuts.append(min(max(-(-(self._frame_at(self._chan_resets.popleft()) - base) // _BLOCK), first), stop))
        cuts.append(stop)
        for k in range(len(cuts) - 1):
            lo, hi = cuts[k], cuts[k + 1]
            if k > 0:
                for c in list(self._chan_run):
                    self._end_channel_run(c)
                self._chan_ref, self._chan_acc = {}, {}
            if hi <= lo:
                continue
            equal = self._copies_at(self._time(base + (hi - 1) * _BLOCK))
            for j, c in enumerate(columns):
                judged = ~near[lo:hi] & heard[lo:hi, j]
                if self.capture is not None and c not in self._chan_judged and judged.any():
                    self._chan_judged.add(c)
                    self.channels_judged = max(self.channels_judged, 1 + len(self._chan_judged))
                m = mult[lo:hi, j]
                ref = 1.0 if equal else self._chan_ref.get(c)
                level_from = 0
                if ref is None:  # the reference: the median of the first clean multiples
                    acc = self._chan_acc.setdefault(c, [])
                    take = np.flatnonzero(judged & ~shape_off[lo:hi, j])[: LEVEL_REF_BLOCKS - len(acc)]
                    acc.extend(float(v) for v in m[take])
                    if len(acc) >= LEVEL_REF_BLOCKS:
                        ref = self._chan_ref[c] = float(np.median(acc))
                        level_from = int(take[-1]) + 1
                level = np.zeros(hi - lo)
                level_off = np.zeros(hi - lo, dtype=bool)
                if ref is not None and abs(ref) > 1e-6:
                    level = 20 * np.log10(np.maximum(np.abs(m / ref), 1e-6))
                    level_off[level_from:] = ~(np.abs(level[level_from:]) <= LEVEL_TOLERANCE_DB)
                bad = judged & (shape_off[lo:hi, j] | level_off)
                kept = rel[lo:hi, j][judged & ~bad]
                if kept.size:  # how close the channels that agreed came to the tolerance
                    self.channel_residual_max = max(self.channel_residual_max, float(kept.max()))
                run = self._chan_run.get(c)
                if run and (not bad[0] or run[0] + run[1] * _BLOCK != base + lo * _BLOCK):
                    self._end_channel_run(c)  # the run does not go on into this stretch
                for i in np.flatnonzero(bad):
                    f = base + (lo + int(i)) * _BLOCK
                    run = self._chan_run.get(c)
                    if run and f == run[0] + run[1] * _BLOCK:
                        run[1] += 1
                        run[2] = max(run[2], float(rel[lo + i, j]))
                        run[3] = run[3] or bool(shape_off[lo + i, j])
                    else:
                        self._end_channel_run(c)
                        run = self._chan_run[c] = [f, 1, float(rel[lo + i, j]), bool(shape_off[lo + i, j]), 0.0, 0]
                    if level_off[i]:
                        run[4] += float(level[i])
                        run[5] += 1
                run = self._chan_run.get(c)
                if run and run[0] + run[1] * _BLOCK != base + hi * _BLOCK:
                    self._end_channel_run(c)  # ended inside this stretch
        if final:
            for c in list(self._chan_run):
                self._end_channel_run(c)

    def _copies_at(self, t: float) -> bool:
        """Were the output channels copies of the analysed one at clock time ``t`` (by the
        configuration in force then: a reconfiguration may add or drop a mixer)?"""
        modes = self._chan_modes
        while len(modes) > 1 and modes[1][0] <= t:
            modes.popleft()
        # before the first start seen (the check attached to a running system): what was in
        # force when it attached
        return modes[0][1] if modes else self._channels_are_copies()

    def _channels_are_copies(self) -> bool:
        """The configuration mixes nothing: every output channel is a copy of the analysed one.
        False for a mixer, or a system whose configuration is not known (a multiple is learned)."""
        config = getattr(self.system, "config", None)
        stages = getattr(config, "dsp", None)
        if config is None or stages is None:
            return False
        return not any(getattr(st, "kind", None) == "mixer" for st in stages)

    def _end_channel_run(self, c: int) -> None:
        run = self._chan_run.pop(c, None)
        if not run:
            return
        f0, n, err, shaped, level_sum, level_blocks = run
        if level_blocks >= LEVEL_MIN_BLOCKS:  # a lasting change of the multiple, whatever its edges
            kind, peak = "channel_level", round(level_sum / level_blocks, 2)
        elif shaped:
            kind, peak = "channel", round(err, 6)
        else:
            return
        self.channel_glitches += 1
        self._emit(f0, f0 + n * _BLOCK, kind, n * _BLOCK, peak, None, channel=c)

    def _judge_level(self, ms: np.ndarray, base: int, a: int, b: int, lo: int, hi: int) -> None:
        """Hold the tone's level in the sound ``a..b`` of the ring (judged where it is in the core
        ``lo..hi``): see ``LEVEL_TOLERANCE_DB``. Runs that deviate are emitted as "level" glitches
        (``peak``: the median deviation in dB) and judged like any other: inside a fault window they
        are its damage, outside every window a failure."""
        first = -(-(max(a, lo)) // _BLOCK)
        start = max(first, a // _BLOCK + _LEVEL_EDGE_BLOCKS)
        stop = min(hi // _BLOCK, b // _BLOCK - _LEVEL_EDGE_BLOCKS)
        tol = LEVEL_TOLERANCE_DB
        # A block whose mean square lies inside the tolerance around the reference by a millionth
        # of a dB (far above the rounding of its dB figure) cannot deviate: the first of a stretch
        # of them ends a deviating run, the rest change nothing. They are skipped in one step, to
        # the next block that may deviate (``near``: those blocks, found once per reference) or
        # the first one a pending reset applies to (``times``: every block's clock time, as
        # ``_time`` gives it), so the loop below runs per such block and per reset, not per
        # block of the ring.
        near: tuple[float | None, np.ndarray] = (None, np.zeros(0, dtype=np.int64))
        times = self._times(base + _BLOCK * np.arange(start, stop, dtype=np.int64)) if self._level_resets else None
        # (pending reset, the first block it applies to): every block before the current one is
        # earlier than the pending reset (it would have been applied there), so the first block
        # of the stretch at or after it is the first from the current block on
        due: tuple[float | None, int] = (None, stop)
        i = start
        while i < stop:
            f = base + i * _BLOCK
            while self._level_resets and self._time(f) >= self._level_resets[0]:
                self._level_resets.popleft()
                self._end_level_run()
                self._level_ref, self._level_acc = None, []
            level = float(ms[i])
            if self._level_ref is None:
                self._level_acc.append(level)
                if len(self._level_acc) >= LEVEL_REF_BLOCKS:
                    self._level_ref = float(np.median(self._level_acc))
                i += 1
                continue
            ref = self._level_ref
            if near[0] != ref:
                inside = 10 ** ((tol - 1e-6) / 10)
                part = ms[start:stop]
                near = (ref, np.flatnonzero((part < ref / inside) | (part > ref * inside)) + start)
            k = int(np.searchsorted(near[1], i))
            j = int(near[1][k]) if k < near[1].size else stop
            if self._level_resets and times is not None:
                if due[0] != self._level_resets[0]:
                    at = np.flatnonzero(times >= self._level_resets[0])
                    due = (self._level_resets[0], start + int(at[0]) if at.size else stop)
                j = min(j, max(due[1], i))
            if j > i:  # blocks i..j-1 are within the tolerance, and no reset applies to them
                self._end_level_run()
                i = j
                continue
            i += 1
            dev = 10 * math.log10(max(level, 1e-30) / self._level_ref)
            run = self._level_run
            if abs(dev) > tol:
                if run and f == run[0] + run[1] * _BLOCK and (dev > 0) == (run[2] > 0):
                    run[1] += 1
                    run[2] += dev
                else:
                    self._end_level_run()
                    self._level_run = [f, 1, dev]
            else:
                self._end_level_run()
        if b // _BLOCK - _LEVEL_EDGE_BLOCKS <= hi // _BLOCK:  # the sound ends in the core: a run
            self._end_level_run()  # cannot continue across the silence after it

    def _end_level_run(self) -> None:
        run, self._level_run = self._level_run, []
        if run and run[1] >= LEVEL_MIN_BLOCKS:
            f0, n, total = run
            self.level_changes += 1
            self._emit(f0, f0 + n * _BLOCK, "level", n * _BLOCK, round(total / n, 2), None)

    def _process_program(self, x: np.ndarray, base: int, runs: list[tuple[int, int, bool]],
                         core_lo: int, core_hi: int) -> None:
        """The ring's stretch judged against the program (``ProgramJudge.judge_chunk``): what
        departs from it, and the silences where it sounded, emitted where they fall in the core."""
        res = self._judge.judge_chunk(x, base, runs)
        for a, b, why in res.notes:
            lo, hi = max(a, core_lo), min(b, core_hi)
            if hi > lo and len(self.unanalysable) < 20:
                self.unanalysable.append(f"t={self._time(base + lo):.3f}..{self._time(base + hi):.3f} s: {why}")
        events: list[tuple[int, int, str, int, float | None, Any]] = []
        for g in res.glitches:
            if core_lo <= g.start_frame < core_hi:
                events.append((g.start_frame, g.end_frame, g.kind, g.size, g.peak_error, g))
        for a, b in res.mutes:
            lo, hi = max(a, core_lo), min(b, core_hi)
            if hi > lo:
                events.append((lo, hi, "mute", hi - lo, None, None))
        for f0, f1, kind, size, peak, g in sorted(events, key=lambda e: e[0]):
            wf = None
            if g is not None and len(self.excerpts) < self.excerpt_limit:
                wf = {"waveform": [round(float(v), 6) for v in g.waveform[:_EXCERPT]],
                      "waveform_start_frame": base + g.waveform_start_frame}
            self._emit(base + f0, base + f1, kind, size, peak, wf)
        if res.analysed:
            self._tone_seen = True
        analysed = sum(max(0, min(b, core_hi) - max(a, core_lo)) for a, b in res.analysed)
        if self._tone_awaited:
            for a, b in res.analysed:
                if min(b, core_hi) > max(a, core_lo):
                    self._tone_heard(self._time(base + max(a, core_lo)), self._time(base + min(b, core_hi)))
        sound = sum(max(0, min(b, core_hi) - max(a, core_lo)) for a, b, silent in runs if not silent)
        silent = sum(max(0, min(b, core_hi) - max(a, core_lo)) for a, b, s in runs if s)
        self.frames_silent += silent
        self.frames_analysed += analysed
        self.frames_unanalysed += max(sound - analysed, 0)

    def _attribute(self, t0: float, t1: float, after: int | None = None,
                   before: int | None = None) -> _Episode | None:
        """The window ``t0..t1`` belongs to (None: outside every window); ``after``/``before``:
        only windows whose index lies between them (the pieces of a cut silence)."""
        i = bisect.bisect_right(self._starts, t1 + LEAD_MARGIN_S) - 1
        for j in (i, i - 1):
            if 0 <= j < len(self._episodes):
                ep = self._episodes[j]
                if (after is not None and ep.index <= after) or (before is not None and ep.index >= before):
                    continue
                if ep.covers(t0, t1, self.margin):
                    return ep
        return None

    def _emit(self, f0: int, f1: int, kind: str, size: int, peak: float | None,
              waveform: dict[str, Any] | None, after: int | None = None, before: int | None = None,
              channel: int | None = None, continues: bool = False) -> None:
        """One glitch ``f0..f1`` onto the time line, cut at the edges of the window it falls in
        and joined to the one before where that goes on (a silence; ``continues``: a clipped
        stretch the ring before reported up to where this one's core begins)."""
        t0, t1 = self._time(f0), self._time(f1)
        ep = self._attribute(t0, t1, after, before)
        if ep is not None and kind in ("mute", "level", "channel", "channel_level", "clipped"):
            # A window explains the silence (or the level change, or the clipping: a stretch of
            # sound clipped from its start is one glitch from where a recovery began it) inside it only (its lead before its start, its settle
            # margin after its last member ended): a silence that began before it (a stream mute
            # since its recovery, then stopped) or outlasts it is cut there, and each piece is
            # judged on its own
            lead = ep.start - LEAD_MARGIN_S
            cut = self._frame_at(lead) if t0 < lead else f0
            if f0 < cut < f1:
                share = self._share(kind, size, f0, cut, f1)
                self._emit(f0, cut, kind, share, peak, waveform, after, ep.index, channel, continues)
                self._emit(cut, f1, kind, size - share if kind == "clipped" else f1 - cut, peak, None, after, before,
                           channel)
                return
            if ep.open_members <= 0 and t1 > ep.last_end + self.margin:
                cut = self._frame_at(ep.last_end + self.margin)
                if f0 < cut < f1:
                    share = self._share(kind, size, f0, cut, f1)
                    self._emit(f0, cut, kind, share, peak, waveform, after, before, channel, continues)
                    self._emit(cut, f1, kind, size - share if kind == "clipped" else f1 - cut, peak, None, ep.index,
                               before, channel)
                    return
        last = self._last
        if continues and last is not None and last.kind == "clipped" and kind == "clipped" \
                and f0 <= last.end_frame and last.window == (ep.index if ep else None):
            # the clipped stretch the ring before reported, going on: one glitch, its flat frames summed
            last.end_frame = max(last.end_frame, f1)
            last.t_end = self._time(last.end_frame)
            last.size += int(size)
            if peak is not None:
                last.peak_error = max(last.peak_error or 0.0, peak)
            for row in last.rows:
                row.update(last.to_dict())
            if ep is not None:
                self._note_end(ep, last.t_end)
            return
        # one event, not two, where a silence meets the analysis's glitch at its end (or a mute
        # continues across an analysis boundary). A silence after another kind of glitch is a mute
        # of its own: taken into a click two blocks before it, a stream that popped and went
        # silent for seconds was one click, no silence (``outside_mute_max_s`` 0: a doubt on a rig
        # that reported an xrun, never the long silence's violation; and a window kept no mute)
        if channel is None and last is not None and f0 <= last.end_frame + 2 * _BLOCK and last.window == (ep.index if ep else None) \
                and last.kind == "mute":
            last.join(f0, f1, t0, t1, kind, size)
            last.end_frame = max(last.end_frame, f1)
            last.t_end = self._time(last.end_frame)
            last.size = last.end_frame - last.start_frame
            for row in last.rows:  # its rows say the joined mute: its extent, size and parts
                row.update(last.to_dict())
            if ep is not None:
                self._note_end(ep, last.t_end)
                ep.mute_max_s = max(ep.mute_max_s, last.t_end - last.t_start)
            else:
                self.outside_mute_max_s = max(self.outside_mute_max_s, last.t_end - last.t_start)
            return
        ev = _Event(f0, f1, kind, int(size), t0, t1, ep.index if ep else None, peak, channel)
        if channel is None:  # another channel's glitch never takes part in the analysed one's merging
            self._last = ev
        self._recent.append(ev)
        self.glitch_total += 1
        self.by_kind[kind] += 1
        if ep is None:
            if self.program is not None and kind != "mute":
                self.program_outside_sound += 1
                if len(self._program_outside) < 1000:
                    self._program_outside.append(t0)
            if kind == "mute":
                self.outside_mute_max_s = max(self.outside_mute_max_s, t1 - t0)
            elif channel is not None:
                self.outside_channel_max_s = max(self.outside_channel_max_s, t1 - t0)
            self.by_window_kind["outside"] += 1
            self.outside_count += 1
            self.outside_by_kind[kind] += 1
            if len(self.outside) < 50:
                self.outside.append(ev.to_dict())
                if kind in _GROWING:
                    ev.rows.append(self.outside[-1])
        else:
            self.by_window_kind[ep.kind] += 1
            if kind == "mute":
                ep.mute_max_s = max(ep.mute_max_s, t1 - t0)
                ep.keep_mute(ev, self._last, self.base_margin)
            elif channel is not None:
                ep.keep_channel_run((t0, t1), self.base_margin)
            ep.glitches += 1
            ep.by_kind[kind] += 1
            self._note_end(ep, t1)
        row = ev.to_dict()
        if len(self.glitch_rows) < self.detail_limit:
            self.glitch_rows.append(row)
        if len(self._journal) < JOURNAL_GLITCHES:
            self._journal.append(row)
        else:
            self._journal_dropped[kind] += 1
        if kind in _GROWING:  # rows of a glitch that may grow after they were written
            ev.rows.append(row)
        if waveform is not None:  # what harness.reports.plots.glitch_waveforms draws
            self.excerpts.append({**row, **waveform, "time": row["t_start"], "sample_rate": self._fs})
            if kind in _GROWING:
                ev.rows.append(self.excerpts[-1])

    @staticmethod
    def _share(kind: str, size: int, f0: int, cut: int, f1: int) -> int:
        """The part of a glitch's ``size`` that falls before ``cut``: a clipped stretch's flat
        frames prorated over its span; every other kind cut there is sized by its frames anew."""
        if kind == "clipped":
            return int(round(size * (cut - f0) / max(f1 - f0, 1)))
        return cut - f0

    def _note_end(self, ep: _Episode, t1: float) -> None:
        ep.last_glitch_end = max(ep.last_glitch_end or t1, t1)
        if ep.open_members <= 0:
            self.max_settle_s = max(self.max_settle_s, t1 - ep.last_end)

    def _server_idle(self, a: float, b: float) -> list[tuple[float, float]]:
        """The parts of ``a..b`` the rig's JACK server did not run (``RigCapture.server_runs``:
        stopped, or not scheduled; sorted), each less the period its last cycle before them
        played into it: no cycle of the graph ran there, so no audio time passed for anyone, and
        JACK reports no xrun for it. Nothing where no sampler watched the server, or its
        stretches of that time were let go."""
        runs = getattr(self.capture, "server_runs", None)
        found = runs.between(a, b) if runs is not None else None
        if not found:
            return []
        period = self.cycle_frames / self._fs if self._fs and self.cycle_frames else 0.0
        return sorted((s.t0 + period, s.t1) for s in found if s.t1 - s.t0 > period)

    def _heard_beyond_core(self, ep: _Episode) -> tuple[float, float, float, float]:
        """Of ``ep``'s silences where no member but xrun reports holds them (``_Episode.unheld``):
        the longest piece's length net of the time the JACK server did not run in it and of the
        cycles the rig's capture missed there, the longest net of the server's idle time alone
        (what was silent while the server served), the missed time over all of them and the
        server's idle time over all of them. Where the marks of a silence were let go, all of it
        counts as heard (and as served)."""
        heard = served = unheard = idle_total = 0.0
        for a, b in ep.unheld(((ev.t_start, ev.t_end) for ev in ep.mutes), self.margin):
            idle = self._server_idle(a, b)
            idle_s = sum(i1 - i0 for i0, i1 in idle)
            gaps = self._gap_marks.between(a, b) or []
            missed = sum(p1 - p0 for g0, g1 in gaps for p0, p1 in _unheld(max(g0, a), min(g1, b), idle))
            heard = max(heard, (b - a) - idle_s - missed)
            served = max(served, (b - a) - idle_s)
            unheard += missed
            idle_total += idle_s
        return heard, served, unheard, idle_total

    def _missed_where_excused(self, ep: _Episode) -> bool:
        """Whether the cycles the rig's capture missed in ``ep`` (no JACK xrun report in it) could
        hide nothing its verdict weighs, so that the window is judged on what was heard.

        A window excuses the glitches inside it (the fault's, the state change's, the reported
        xrun's damage) and weighs only a silence of ``MACHINE_MUTE_MAX_S`` or more or a channel
        disagreement of ``MACHINE_CHANNEL_MAX_S`` or more beyond its members, counted losses the
        analysis must have heard, and, unexplained, any glitch. Missed cycles hide nothing of that
        when all of these hold:

        - each missed stretch lies inside what the window's other members hold (their spans, and
          each reported xrun's stretch, ``_Episode.reported_spans``, from ``LEAD_MARGIN_S`` before
          to the settle margin after): a glitch the system made
          there, had it been heard, lay inside those members' window all the same. A stretch only
          the missed cycles' own window covers stays blind: heard, a glitch there would have been
          outside every window (a violation);
        - the window is not unexplained (there any glitch is the system's);
        - the counters say nothing was lost there to be heard (else the story of counters and
          audio could not be checked), and every silence and channel run was kept;
        - where a stretch lies outside the members other than xrun reports, the channel runs beyond
          them and the missed time together stay under ``MACHINE_CHANNEL_MAX_S``: the missed
          cycles are written as silence on every channel (agreeing), so a disagreement through
          them would join the runs on either side. A silence through them is weighed as it is:
          the silence written for them is in the window's silences, and one only the missed time
          makes long enough is blind (``_heard_beyond_core``).

        Measured: a loaded rig's capture missed a cycle as a killed run stopped (the stop's and
        the system's xrun window, no JACK report): the run was inconclusive for a 5 ms stretch
        inside the stop's window."""
        if ep.kind == "unexplained" or ep.missed_unkept or ep.unkept or ep.counted_loss():
            return False
        members = ep._held(self.margin)
        reported = ep.reported_spans if not ep.reported_unkept else []
        held = sorted(members + [(a - LEAD_MARGIN_S, b + self.margin) for a, b in reported])
        outside_members = 0.0
        for t0, t1 in ep.missed_spans:
            if _unheld(t0, t1, held):
                return False
            outside_members += sum(b - a for a, b in _unheld(t0, t1, members))
        if outside_members > 0.0:
            runs = sum(b - a for a, b in ep.unheld(ep.channel_runs, self.margin))
            if runs + ep.missed_s >= MACHINE_CHANNEL_MAX_S:
                return False
        return True

    def _retire(self, frontier: float) -> None:
        """Fold the windows no glitch can reach any more into the aggregates."""
        while self._episodes:
            ep = self._episodes[0]
            if not ep.closed or ep.last_end + self.margin + LEAD_MARGIN_S >= frontier:
                break
            self._episodes.pop(0)
            self._starts.pop(0)
            self._fold(ep)

    def _fold(self, ep: _Episode) -> None:
        if self._program_outside and (ep.dropped or ep.inserted
                                      or {"dropped", "repeated", "inserted", "inserted_silence"} & set(ep.by_kind)):
            from .program import WINDOW_S  # noqa: PLC0415 - loaded already: a program plays
            near = [t for t in self._program_outside if ep.start - WINDOW_S <= t < ep.start]
            if near:
                self.program_smeared += len(near)
                self._program_outside = [t for t in self._program_outside if t not in near]
        if ep.missed_why and not any(f["kind"] == "jack_xrun" for f in ep.faults) \
                and self._missed_where_excused(ep):
            # cycles the capture missed with no xrun report of JACK's, where the window's other
            # members excuse whatever the system played: judged on what was heard around them
            self.missed_heard_windows += 1
            self.missed_heard_s += ep.missed_s
        elif ep.missed_why and not any(f["kind"] == "jack_xrun" for f in ep.faults):
            # cycles the capture missed with no xrun report of JACK's in their window: not heard
            ep.blind = True
            self.blind_s += ep.missed_s
            for why in ep.missed_why:
                if len(ep.blind_why) < 5:
                    ep.blind_why.append(why)
        if ep.dropped is None:
            self._close(ep)
        self.windows_total += 1
        self.windows_dropped += ep.dropped or 0
        self.windows_inserted += ep.inserted or 0
        self.kind_stats.setdefault(f"{ep.kind}:{ep.label}" if ep.kind != "fault" else ep.label,
                                   _KindStats()).add(ep)
        row = ep.to_dict()
        if ep.blind:
            self.blind_windows += 1
            _keep(self.blind_rows, f"{_where(ep)}: not heard whole: {'; '.join(ep.blind_why)}")
        if ep.kind == "unexplained" and ep.glitches and not ep.blind:
            self.unexplained_count += 1
            _keep(self.unexplained,
                  f"{_where(ep)}: {ep.glitches} glitch(es) "
                  f"({', '.join(f'{k} {v}' for k, v in sorted(ep.by_kind.items()))}) "
                  "while the system left RUNNING with no fault injected and nobody asking")
        beyond = ep.silence_beyond_core(self.margin)
        counted = False  # a silence of this window counted dense or long
        if beyond >= MACHINE_MUTE_MAX_S and not ep.blind and self.capture is not None:
            heard, served, unheard, idle = self._heard_beyond_core(ep)
            if served < MACHINE_MUTE_MAX_S:
                # the JACK server itself did not run for enough of it that what is left is shorter
                # than a silence of the system's: the machine's (stopped, or not scheduled), which
                # JACK reports no xrun for; no audio time passed there for anyone
                self.server_idle_mute_count += 1
                _keep(self.server_idle_mutes,
                      f"{_where(ep)}: a silence of {beyond:.3f} s that only xrun reports hold, {idle:.3f} s of "
                      f"it while the JACK server {self.server_idle_words(ep.start, ep.last_end)}: "
                      f"{served:.3f} s while it served")
                beyond = 0.0
            elif heard < MACHINE_MUTE_MAX_S:
                # the silence is the rig's: its capture client missed those cycles (their
                # frames are written as silence), so nothing of the system's was heard there.
                # Not heard is a doubt, never the system's fault.
                why = (f"a silence of {beyond:.3f} s that only xrun reports hold, {unheard:.3f} s "
                       "of it in cycles the rig's capture missed")
                ep.blind = True
                if len(ep.blind_why) < 5:
                    ep.blind_why.append(why)
                row = ep.to_dict()
                self.blind_s += unheard
                self.blind_windows += 1
                _keep(self.blind_rows, f"{_where(ep)}: not heard whole: {why}")
                beyond = 0.0
        if beyond >= MACHINE_MUTE_MAX_S and not ep.blind and self.capture is not None:
            # an xrun loses a period or a few: a silence this long outside everything else in the
            # window (its faults, state changes, outage, and the settle margin) is the system's,
            # unless the machine kept reporting xruns all through it (no half second without
            # one): a machine missing deadlines that often cannot be told from a mute stream
            unreported = ep.longest_unreported(self.margin, self._server_idle)
            where = (f"{_where(ep)}: a silence of "
                     f"{beyond:.3f} s that only xrun reports hold (outside its other members and "
                     f"{self.margin} s after them), with {len(ep.xrun_reports)} xrun report(s) in the window and "
                     f"{unreported:.3f} s of it the longest without one"
                     + (f" (its reports known only until t={ep.reports_known_until:.3f} s: the window kept "
                        f"{len(ep.xrun_reports.starts)} runs of them)" if math.isfinite(ep.reports_known_until) else ""))
            if unreported < MACHINE_MUTE_MAX_S:
                self.dense_xrun_mute_count += 1
                _keep(self.dense_xrun_mutes, where)
            else:
                self.long_mute_count += 1
                _keep(self.long_mutes, f"{where}: longer than the machine's missed deadlines explain "
                                       f"({MACHINE_MUTE_MAX_S} s)")
            counted = True
        if ep.dense_settled and not counted and not ep.blind and self.capture is not None:
            # silences let go past the bound as dense (``_Episode.keep_mute``): judged as they came,
            # the most the rule makes of them; none was laid on the system
            t0, t1, unreported = ep.dense_settled_longest or (0.0, 0.0, 0.0)
            self.dense_xrun_mute_count += 1
            _keep(self.dense_xrun_mutes,
                  f"{_where(ep)}: {ep.dense_settled} silence(s) that only xrun reports held past the "
                  f"{SPANS_KEPT} it keeps, settled as dense when it was full: xrun reports at least every "
                  f"{MACHINE_MUTE_MAX_S} s through each (the longest, {t1 - t0:.3f} s at t={t0:.3f}, "
                  f"{unreported:.3f} s of it the longest without one), with "
                  f"{len(ep.xrun_reports)} xrun report(s) in the window")
        apart = ep.channels_beyond_core(self.margin)
        if apart >= MACHINE_CHANNEL_MAX_S and self.capture is not None:
            # a missed deadline damages every channel alike: channels that disagreed this long
            # outside everything else in the window but xrun reports did so by the system's doing.
            # Judged in a window the rig could not hear whole too: a disagreement is only ever
            # found in frames the rig heard on both channels (a channel not heard is NaN, and the
            # cycles the capture missed are written as silence on every channel alike), so the
            # unheard part adds none. Measured on the rig at load 25: a muted second channel
            # heard for ~9.5 s of a 10.4 s window was left unjudged (inconclusive) before this.
            self.long_channel_count += 1
            heard = " (in the frames the rig heard of it)" if ep.blind else ""
            _keep(self.long_channels,
                  f"{_where(ep)}: output channels disagreed for {apart:.3f} s{heard} that only xrun reports hold "
                  f"(outside its other members and {self.margin} s after them): longer than a missed deadline "
                  f"explains ({MACHINE_CHANNEL_MAX_S} s)")
        if ep.unkept and not ep.blind and self.capture is not None:
            # a silence (or a channel disagreement) long enough to be the system's that the window
            # did not keep was not judged: the window cannot vouch for it
            self.unkept_windows += 1
            _keep(self.unkept_rows,
                  f"{_where(ep)}: {ep.unkept} silence(s) or channel disagreement(s) long enough to be the "
                  f"system's not kept ({SPANS_KEPT} kept already): not judged")
        bad = ep.inconsistent()
        if bad:
            self.inconsistent_count += 1
            _keep(self.inconsistent, bad)
        if len(self.window_rows) < self.detail_limit or (bad and len(self.window_rows) < 2 * self.detail_limit):
            self.window_rows.append(row)

    def glitches_between(self, t0: float, t1: float) -> list[dict[str, Any]] | None:
        """Every glitch heard that began before ``t1`` and ended after ``t0`` (the steady-state
        check's quiet windows, one at the run's start, one at its end), from the first glitches
        kept in detail and the latest ones; None when some of them may not have been kept. A mute
        that joined the glitches after it is given as its parts in the stretch (``_parts_within``)."""
        with self._lock:
            found: dict[tuple[Any, ...], dict[str, Any]] = {}
            for row in self.glitch_rows:
                if row["t_start"] < t1 and row["t_end"] > t0:
                    found[(row["t_start"], row["kind"], row.get("channel"))] = row
            for ev in self._recent:  # the live events: a mute grown since its row was written
                if ev.t_start < t1 and ev.t_end > t0:
                    row = ev.to_dict()
                    found[(row["t_start"], row["kind"], row.get("channel"))] = row
            rows_whole = self.glitch_total <= len(self.glitch_rows) or \
                (bool(self.glitch_rows) and self.glitch_rows[-1]["t_start"] >= t1)
            recent_whole = len(self._recent) < (self._recent.maxlen or 0) or \
                (bool(self._recent) and self._recent[0].t_end <= t0)
            if not (rows_whole or recent_whole):
                return None
            rows = (_parts_within(row, t0, t1) for row in found.values())
            return sorted((row for row in rows if row is not None), key=lambda g: g["t_start"])

    def machine_cause(self, glitch: dict[str, Any]) -> str | None:
        """What the rig measured of ``glitch`` that makes it the machine's, not the system's (None:
        nothing; on the simulated device always None):

        - ``"capture_missed"``: a silence inside cycles the rig's capture client did not record
          (its frame counter jumped: the rig's own miss; nothing of the system's was heard there);
        - ``"server_idle"``: a silence of any length over at least ``SERVER_IDLE_SHARE`` of which
          the JACK server itself did not run (stopped, or not scheduled: no cycle ran for anyone,
          and JACK reports no xrun then), read by the rule that explains a device's stall
          (``device_losses.machine_starved``);
        - ``"server_stopped"``: the same, where the run's watch recorded a stop of the server from
          outside over the silence (``server_stopped_between``): a stop, not a starved machine;
        - ``"jack_xrun"``: the damage one missed deadline does, with JACK's report of it at that
          time: a silence of at most ``MACHINE_CYCLES`` server cycles, a skip or repeat of one or
          two whole cycles (a phase step of exactly that many frames of the tone), or other
          damage no longer than ``MACHINE_CYCLES`` cycles; and a JACK xrun report from
          ``XRUN_AFTER_S`` before it began to ``XRUN_LEAD_S`` after it ended (the report comes
          after the cycles it speaks of, and late on a loaded machine), asked of the whole run's
          reports (``jack_xruns_between``: 0 exactly where none came; None, not known, is not
          laid on the machine);
        - ``"delivery_held"``: any glitch that lies wholly within a silence the system's watchdog
          laid on the machine (``held_begin``: its delivery thread held off a CPU while the
          device kept calling back), from ``LEAD_MARGIN_S`` before it to the settle margin after
          it ended: the window ``clean_audio`` gives it. A glitch that reaches past that is not.

        Never a click, a level or channel change, a phase step of any other size (a lost frame,
        a resampling slip), or anything longer: those are the system's whatever the machine
        reported."""
        n, fs = self.cycle_frames, self._fs
        if self.capture is None or not n or not fs:
            return None
        t0, t1, kind = float(glitch["t_start"]), float(glitch["t_end"]), glitch["kind"]
        held = self._held_marks.between(t0, t1)
        if held and any(a - LEAD_MARGIN_S <= t0 and t1 <= b + self.margin for a, b in held):
            return "delivery_held"
        if glitch.get("channel") is not None:
            return None
        if glitch.get("parts"):
            return self._parts_cause(glitch)
        unheard = 0  # frames of the silence in cycles the rig's capture missed
        if kind == "mute":
            gaps = self._gap_marks.between(t0, t1)
            if gaps is not None:
                covered = sum(max(0.0, min(g1, t1) - max(g0, t0)) for g0, g1 in gaps)
                if covered >= (t1 - t0) - 2.0 / fs:
                    return "capture_missed"
                unheard = int(covered * fs)
            idle = machine_starved(t1, t1 - t0, server=self.server_idle_between)
            if idle is not None:
                return "server_stopped" if self.server_stopped_between(t0, t1) else "server_idle"
        # its length in frames: on a loaded machine the capture's cycles run late, and a glitch's
        # clock times stretch with them (a 4-cycle silence measured 24.9 ms for its 21.3 ms).
        # A silence is weighed by what was heard of it: the cycles the capture missed inside it
        # are the rig's own miss (laid on the machine whole when they are all of it, above), and
        # only the heard rest is held to a missed deadline's ``MACHINE_CYCLES``: each part is the
        # machine's by a rule of its own, joined they are too (a silence heard for 3 cycles just
        # after 3 the capture missed was "unsteady", the capture's miss counted as the system's)
        frames = int(glitch["end_frame"]) - int(glitch["start_frame"]) if "end_frame" in glitch \
            else int(round((t1 - t0) * fs))
        if frames - unheard > MACHINE_CYCLES * n:
            return None
        if kind in ("dropped", "inserted"):
            if not self.frequency_hz:
                return None
            period = fs / self.frequency_hz
            steps = [min(r, period - r) for r in ((k * n) % period for k in (1, 2))]
            if not any(abs(float(glitch["size"]) - step) <= 1.0 for step in steps):
                return None
        elif kind not in ("mute", "other"):
            return None
        # from the whole run's reports: the marks keep only its first and latest stretches, and a
        # glitch between them, in a soak's middle, would be laid on the system however densely
        # JACK reported around it (``jack_xruns_between`` answers there from the reports' runs)
        reports = self.jack_xruns_between(t0 - XRUN_AFTER_S, t1)
        return "jack_xrun" if reports else None

    def _parts_cause(self, glitch: dict[str, Any]) -> str | None:
        """``machine_cause`` of a mute that joined the glitches just after it (``_Event.parts``):
        the parts less than a capture cycle apart are one stretch (a silence and the analysis's
        glitch at its edge), and each stretch is judged as a glitch of its own; the mute is the
        machine's only when every stretch is, and then by the first one's cause. Two silences
        with a heard cycle or more between them are two damages: joined, their ends spanned more
        than ``MACHINE_CYCLES`` cycles, and a quiet window holding them was unsteady although
        each was a missed deadline's at its own JACK xrun report (measured on the rig: PortAudio's
        JACK route, the restarted-server test, 1 run in 5). A mute whose parts were not all kept
        is not the machine's."""
        if glitch.get("parts_lost"):
            return None
        n = self.cycle_frames or 0
        stretches: list[list[dict[str, Any]]] = []
        for part in sorted(glitch["parts"], key=lambda p: int(p["start_frame"])):
            if stretches and int(part["start_frame"]) - max(int(p["end_frame"]) for p in stretches[-1]) < n:
                stretches[-1].append(part)
            else:
                stretches.append([part])
        causes = []
        for parts in stretches:
            kinds = {p["kind"] for p in parts}
            f0, f1 = min(int(p["start_frame"]) for p in parts), max(int(p["end_frame"]) for p in parts)
            one = parts[0] if len(parts) == 1 else {
                "kind": kinds.pop() if len(kinds) == 1 else "mute", "size": f1 - f0,
                "start_frame": f0, "end_frame": f1,
                "t_start": min(float(p["t_start"]) for p in parts), "t_end": max(float(p["t_end"]) for p in parts)}
            cause = self.machine_cause(one)
            if cause is None:
                return None
            causes.append(cause)
        return causes[0] if causes else None

    def jack_xruns_between(self, t0: float, t1: float) -> int | None:
        """How many xruns JACK reported for the stretch ``t0..t1``: reports from its start to
        ``XRUN_LEAD_S`` after its end (a report comes after the cycles it speaks of, late on a
        loaded machine). Exact in the run's first and latest stretches (``_Marks``); between them
        (a soak's middle, whose report times were let go) a lower bound from the reports' runs
        (``ReportRuns.at_least_between``: 0 exact, none came), which tells a stall JACK reported
        over from one it did not; None where that is not known either. 0 on the simulated
        device, which has no JACK graph. (Measured: a healthy 1-hour rig soak at load 28-60 read
        11 stalls as "no JACK xrun report over a stall" with 141 743 reports in the hour, their
        times let go.)"""
        with self._lock:
            reports = self._xrun_marks.between(t0, t1 + XRUN_LEAD_S)
            if reports is None:
                return self._xrun_runs.at_least_between(t0, t1 + XRUN_LEAD_S)
        return len(reports)

    def server_idle_between(self, t0: float, t1: float) -> float | None:
        """How long the rig's JACK server itself did not run in ``t0..t1`` (stopped, or not
        scheduled: ``RigCapture.server_runs``), when JACK reports no xrun; None where that is not
        known (no server watched, or its stretches of that time let go)."""
        runs = getattr(self.capture, "server_runs", None)
        return None if runs is None else runs.idle_s(t0, t1)

    def server_stopped_between(self, t0: float, t1: float) -> bool:
        """Whether the run's watch recorded a stop of the JACK server from outside overlapping
        ``t0..t1`` (``server_stops``; one still open reaches to now). The server's idle time cannot
        tell a stop from a machine that did not schedule it; only the stop's record can."""
        return any(r.fired_at < t1 and (r.ended_at is None or r.ended_at > t0) for r in self.server_stops())

    def server_idle_words(self, t0: float, t1: float) -> str:
        """How the check says the JACK server did not run over ``t0..t1``: "was stopped from
        outside" where the run's watch recorded a stop there, else "did not run" (a starved
        machine, or a stop nobody recorded)."""
        return "was stopped from outside" if self.server_stopped_between(t0, t1) else "did not run"

    def last_glitch_before(self, t: float) -> float | None:
        """When the latest glitch that began before ``t`` ended (None: none did). The steady-state
        check asks it of the run's last quiet window, which the stop follows at once: the stop's
        own silence (on the rig, the capture hears the closed stream) begins after the window and
        is the stop's. Exact while the glitches after ``t`` are fewer than the ones kept; beyond
        that, ``last_glitch_end`` (the latest of all: the cautious answer)."""
        with self._lock:
            ends = [ev.t_end for ev in self._recent if ev.t_start < t]
            if self._recent and len(self._recent) == self._recent.maxlen and self._recent[0].t_start >= t:
                return self.last_glitch_end
            return max(ends) if ends else None

    @property
    def last_glitch_end(self) -> float | None:
        """When the latest glitch heard so far ended (clock time), or None: the steady-state check
        asks whether the audio was clean in the run's last window."""
        return self._last.t_end if self._last is not None else None

    # -- end of the run -------------------------------------------------------------------------
    def finish(self) -> None:
        """Analyse what is left and close every window (call after the system stopped)."""
        with self._lock:
            if self.finished:
                return
            self.finished = True
            if not self.available:
                return
            if self.capture is not None:
                self._read_system_xruns()  # the last stretch's own xruns, before its audio is judged
                self._read_holds()  # and the silences the system laid on the machine
                self.capture.close(self)
            else:
                try:
                    self.system.backend.remove_output_tap(self._on_block)
                except Exception:  # noqa: BLE001 - a closed backend: nothing more will come anyway
                    pass
            d, i = self._c_dropped.value, self._c_inserted.value
            if (d, i) != (self._last_d, self._last_i):
                ep = self._episodes[-1] if self._episodes else None
                if ep is None or ep.closed:
                    self._outside_accounting(self._now(), d - self._last_d, i - self._last_i, "end of run")
                self._last_d, self._last_i = d, i
            if self._fs:
                self._process(final=True)
            end = self._now()
            if self._hold_open is not None:
                # the run ended before the held thread took a block again: what the system did
                # once it ran again was never heard
                t0, fid = self._hold_open
                self._hold_open = None
                ep = self._find_open(fid)
                self.held_end(fid, end)
                if ep is not None:
                    ep.blind = True
                    if len(ep.blind_why) < 5:
                        ep.blind_why.append(f"the system's delivery thread was held from t={t0:.3f} s to the "
                                            "run's end: what the system played once it ran again was not heard")
            for ep in self._episodes:
                for o in ep.outages:
                    if o["to"] is None and self.capture is None:
                        # an outage observed outside a run with no capture (``external_fault``): the
                        # check heard the system's output all along, so nothing was lost to it; the
                        # window reaches the run's end, and whether the system came back is the
                        # recovery check's doubt, not a capture that was never there
                        o["to"] = max(end, o["from"])
                        self.outage_s += o["to"] - o["from"]
                    if o["to"] is None:  # the rig never heard the system again: not judged
                        self.blind_s += max(end - o["from"], 0.0)
                        ep.blind = True
                        why = (f"the JACK server died at t={o['from']:.3f} s and the rig did not hear "
                               "the system again before the run ended")
                        if len(ep.blind_why) < 5:
                            ep.blind_why.append(why)
                if not ep.closed:
                    self._close(ep)
            self._retire(math.inf)

    def take_new_glitches(self) -> list[dict[str, Any]]:
        """The glitches found since the previous call: at most ``JOURNAL_GLITCHES`` listed, then
        one ``{"kind": "more", "count": N, "by_kind": {...}}`` for the rest, so a journal's reader
        counts every glitch heard by kind, not a sample of them."""
        with self._lock:
            out, self._journal = self._journal, []
            if self._journal_dropped:
                out.append({"kind": "more", "count": sum(self._journal_dropped.values()),
                            "by_kind": dict(sorted(self._journal_dropped.items()))})
                self._journal_dropped = Counter()
            return out

    def verdict(self) -> Verdict:
        """``clean_audio``: no glitch and no frame loss outside the fault windows, and counters and
        audio agreeing inside them."""
        if not self.finished:
            self.finish()
        if not self.available:
            return Verdict("clean_audio", True, [self.reason], self.reason or "", inconclusive=True)
        evidence: list[Any] = []
        for g in self.outside:
            evidence.append(f"glitch outside any fault window: {g['kind']} at t={g['t_start']:.4f}.."
                            f"{g['t_end']:.4f} s (size {g['size']})" + self._explain(g))
        for a in self.outside_accounting:
            evidence.append(f"frame accounting moved outside any fault window at t={a['t']:.4f} s: "
                            f"{a['dropped']} dropped, {a['inserted']} inserted")
        evidence.extend(self.inconsistent)
        evidence.extend(self.unexplained)
        evidence.extend(self.long_mutes)
        evidence.extend(self.long_channels)
        problems = []
        if self.outside_count:
            problems.append(f"{self.outside_count} glitch(es) outside any fault window "
                            f"({', '.join(f'{k} {v}' for k, v in sorted(self.outside_by_kind.items()))})")
        if self.outside_dropped or self.outside_inserted:
            problems.append(f"{self.outside_dropped} frame(s) dropped and {self.outside_inserted} inserted "
                            "outside any fault window")
        if self.unexplained_count:
            problems.append(f"{self.unexplained_count} window(s) of damage no fault explains (the system "
                            "left RUNNING by itself)")
        if self.inconsistent_count:
            problems.append(f"{self.inconsistent_count} window(s) where the frame accounting lost audio "
                            "the analysis did not hear")
        if self.long_mute_count:
            problems.append(f"{self.long_mute_count} window(s) only xrun reports explain with a silence of "
                            f"{MACHINE_MUTE_MAX_S} s or more (the system's, not a missed deadline's)")
        if self.long_channel_count:
            problems.append(f"{self.long_channel_count} window(s) only xrun reports explain in which the "
                            f"output channels disagreed for {MACHINE_CHANNEL_MAX_S} s or more (the system's, "
                            "not a missed deadline's, which damages every channel alike)")
        if self.outside_channel_max_s >= MACHINE_CHANNEL_MAX_S:
            problems.append(f"output channels disagreed for {self.outside_channel_max_s:.3f} s outside any "
                            f"fault window ({MACHINE_CHANNEL_MAX_S} s or more: the system's, not a missed "
                            "deadline's, which damages every channel alike)")
        machine = self.jack_xruns + self.system_xruns
        only_heard = not (self.outside_dropped or self.outside_inserted or self.unexplained_count
                          or self.long_mute_count or self.long_channel_count)
        if only_heard and self.outside_count and self.capture is not None and machine \
                and self.outside_mute_max_s < MACHINE_MUTE_MAX_S \
                and self.outside_channel_max_s < MACHINE_CHANNEL_MAX_S:
            # On the rig, a glitch nothing explains in a run where the machine itself missed
            # deadlines (JACK's or the stream's own xruns, each reported late or only as a count)
            # cannot be told from the machine's damage: a doubt, not a violation. So is a window
            # whose counted loss the rig heard just outside it: a report that came later than
            # XRUN_LEAD_S after its damage (measured at load average 12, 442 JACK xruns in 10 s:
            # 13 short mutes heard up to 70 ms before the window of the late reports that counted
            # a 512-frame device gap) places the damage outside and leaves the window silent. On
            # a rig that reported no xrun at all it stays a violation, and counters that moved
            # outside every window are the system's own word: they always fail.
            return Verdict("clean_audio", True, evidence,
                           f"{'; '.join(problems)}, on a rig that reported {self.jack_xruns} JACK xrun(s) and "
                           f"{self.system_xruns} xrun(s) of the system's stream: the machine's damage cannot "
                           "be told from the system's" + self._also_doubted(), inconclusive=True)
        program_doubt = only_heard and self.program is not None and not self.long_mute_count \
            and (set(self.outside_by_kind) <= {"mute"} or self.program_outside_sound == self.program_smeared) \
            and self.outside_mute_max_s < MACHINE_MUTE_MAX_S
        if problems and program_doubt:
            # Judged against program material (``--program``), a short silence beside a fault
            # window (the judge places a recovery's restart by finding the program again, and a
            # pause in the program hides where it ended) and a counted loss that fell in one of
            # the program's own pauses cannot be told from the system's damage: measured, 8 of
            # 12 faulted runs of healthy systems (``bench/bench_analysis.py --program-runs``)
            # had only these; since the judge hears moves across pauses and restarts' seams, 2 of
            # 12 (tone bursts: counted losses unheard, no silence outside a window). So is a glitch
            # found within ``program.WINDOW_S`` before a window that lost or added frames: the
            # judge fits its alignment over that long, and a step inside the fit raises the error
            # before it (a 19-frame "pop" 60 ms before a 16 896-frame step, music at seed 6). A doubt; any
            # other glitch outside the windows, a silence of
            # MACHINE_MUTE_MAX_S or more, or counters that moved outside every window still fail.
            return Verdict("clean_audio", True, evidence,
                           f"{'; '.join(problems)}, judged against program material: short silences "
                           "beside fault windows, losses inside the program's own pauses and glitches "
                           f"found within a fit window before a window's step ({self.program_smeared}) "
                           "cannot be told from the system's damage" + self._also_doubted(), inconclusive=True)
        if problems:
            return Verdict("clean_audio", False, evidence, "; ".join(problems))
        if self.dense_xrun_mute_count:
            return Verdict("clean_audio", True, list(self.dense_xrun_mutes),
                           self._dense_xrun_doubt() + self._also_doubted(dense=False), inconclusive=True)
        if self.unkept_windows:
            return Verdict("clean_audio", True, list(self.unkept_rows),
                           self._unkept_doubt() + self._also_doubted(dense=False, unkept=False), inconclusive=True)
        if self._tone_awaited or self._tone_awaited_lost:
            return Verdict("clean_audio", True, self._unheard_after_outage(),
                           self._after_outage_doubt() + self._also_doubted(dense=False, unkept=False, after=False),
                           inconclusive=True)
        if self.blind_windows:
            return Verdict("clean_audio", True, list(self.blind_rows),
                           f"{self._blind_doubt()}; {self.glitch_total} glitch(es), none outside the windows",
                           inconclusive=True)
        if not self._tone_seen:
            why = "; ".join(self.unanalysable[:3]) or NO_STRETCH
            return Verdict("clean_audio", True, [why], f"no test tone could be analysed in the output "
                           f"({self.frames_total} frames): {why}", inconclusive=True)
        outages = (f"; {self.outages} {self._outage_words} ({self.outage_s:.2f} s unheard, "
                   "each a window of its own)") if self.outages else ""
        return Verdict("clean_audio", True, [], f"{self.glitch_total} glitch(es), all inside "
                       f"{self.windows_total} fault/requested window(s); {self.frames_analysed} of "
                       f"{self.frames_total} frames analysed{outages}{self._held_clause()}")

    @property
    def _outage_words(self) -> str:
        """What the outages were: the rig's JACK server's, or (no capture) outages observed from
        outside the run (``external_fault``)."""
        return "JACK server outage(s) the rig observed" if self.capture is not None else \
            "outage(s) observed from outside the run"

    def _held_clause(self) -> str:
        """The silences the machine held the system's delivery thread through, for a verdict's
        message ("" when there was none)."""
        if not self.holds:
            return ""
        return (f"; {self.holds} silence(s) the system's watchdog laid on the machine ({self.held_s:.2f} s: "
                "its delivery thread held off a CPU while the device kept calling back), each a window of "
                "its own, their damage the machine's")

    def _dense_xrun_doubt(self) -> str:
        return (f"{self.dense_xrun_mute_count} silence(s) of {MACHINE_MUTE_MAX_S} s or more during "
                "which the machine reported xruns at least every "
                f"{MACHINE_MUTE_MAX_S} s: its missed deadlines cannot be told from the system's")

    def _blind_doubt(self) -> str:
        return f"{self.blind_windows} window(s) the rig could not hear ({self.blind_s:.2f} s of capture lost)"

    def _unkept_doubt(self) -> str:
        return (f"{self.unkept_windows} window(s) with more silences or channel disagreements long enough to "
                f"be the system's than they keep ({SPANS_KEPT}): not every one was judged")

    def _unheard_after_outage(self) -> list[str]:
        rows = [f"the JACK server outage that ended at t={end:.3f} s: no tone analysed after it "
                + ("before the run ended" if math.isinf(nxt) else f"before the next outage began at t={nxt:.3f} s")
                for end, nxt in self._tone_awaited[:50]]
        if self._tone_awaited_lost:
            rows.append(f"{self._tone_awaited_lost} later outage end(s) not followed")
        return rows

    def _after_outage_doubt(self) -> str:
        n = len(self._tone_awaited) + self._tone_awaited_lost
        heard = "the rig analysed no tone" if self.capture is not None else "no tone was analysed"
        return (f"{n} {self._outage_words} after which {heard} (silent, or too short to "
                "analyse, where the windows held it): the system's audio after recovering was not judged")

    def _also_doubted(self, *, dense: bool = True, unkept: bool = True, after: bool = True) -> str:
        """The other doubts of an inconclusive verdict, after its first: a verdict names every rule
        that doubted (measured: a muted system's 8.6 s silence through dense xrun reports went
        unsaid behind one short glitch outside the windows), so its report and the bench's doubt
        counts see them all."""
        more = []
        if dense and self.dense_xrun_mute_count:
            more.append(self._dense_xrun_doubt())
        if unkept and self.unkept_windows:
            more.append(self._unkept_doubt())
        if after and (self._tone_awaited or self._tone_awaited_lost):
            more.append(self._after_outage_doubt())
        if self.blind_windows:
            more.append(self._blind_doubt())
        return "".join(f"; also {m}" for m in more)

    def _explain(self, g: dict[str, Any]) -> str:
        near = [a for a in self.outside_accounting if abs(a["t"] - g["t_start"]) < 0.05]
        if near:
            return f" (frame accounting: {sum(a['dropped'] for a in near)} dropped, " \
                   f"{sum(a['inserted'] for a in near)} inserted nearby)"
        return " (no frame was counted dropped or inserted: audio corrupted behind the accounting)"

    def summary(self) -> dict[str, Any]:
        """The ``audio`` section of ``summary.json`` (and the report's audio damage table)."""
        if not self.finished:
            self.finish()
        if not self.available:
            return {"analysed": False, "reason": self.reason}
        return {
            "analysed": True,
            "signal": {"frequency_hz": self.frequency_hz, "channel": self.channel,
                       "sample_rate": self._fs or None,
                       # output channels judged: the analysed one, the others held to it
                       "channels_judged": self.channels_judged, "channel_glitches": self.channel_glitches,
                       "channel_residual_max": float(f"{self.channel_residual_max:.3g}"),
                       **({"program": self.program.describe(),
                           "program_searches": self._judge.full_searches if self._judge is not None else 0}
                          if self.program is not None else {})},
            "settle_margin_s": self.margin,
            "frames": {"timeline": self.frames_total, "analysed": self.frames_analysed,
                       "silent": self.frames_silent, "unanalysed": self.frames_unanalysed,
                       "device_gap": self.gap_frames,
                       **({"capture_gap": self.capture_gap_frames} if self.capture is not None else {})},
            "glitches": {"total": self.glitch_total, "by_kind": dict(sorted(self.by_kind.items())),
                         "by_window": dict(sorted(self.by_window_kind.items())),
                         "items": self.glitch_rows, "truncated": self.glitch_total > len(self.glitch_rows)},
            "outside": {"glitches": self.outside_count, "by_kind": dict(sorted(self.outside_by_kind.items())),
                        "longest_mute_s": round(self.outside_mute_max_s, 6),
                        "longest_channel_disagreement_s": round(self.outside_channel_max_s, 6),
                        "frames_dropped": self.outside_dropped, "frames_inserted": self.outside_inserted,
                        "items": self.outside, "accounting": self.outside_accounting},
            "windows": {"total": self.windows_total,
                        "by_label": {k: v.to_dict() for k, v in sorted(self.kind_stats.items())},
                        "items": self.window_rows, "truncated": self.windows_total > len(self.window_rows),
                        "inconsistent": self.inconsistent, "inconsistent_count": self.inconsistent_count,
                        "unexplained": self.unexplained, "unexplained_count": self.unexplained_count,
                        "long_mutes": self.long_mutes, "long_mute_count": self.long_mute_count,
                        "long_channel_disagreements": self.long_channels,
                        "long_channel_disagreement_count": self.long_channel_count,
                        "xrun_covered_mutes": self.dense_xrun_mutes,
                        "xrun_covered_mute_count": self.dense_xrun_mute_count,
                        "server_idle_mutes": self.server_idle_mutes,
                        "server_idle_mute_count": self.server_idle_mute_count,
                        "unkept": self.unkept_rows, "unkept_count": self.unkept_windows},
            # every frame the accounting counted lost, by where: in a window or outside (the sums
            # must give the run's totals: nothing counted falls between the two)
            "accounting": {"dropped_total": self._c_dropped.value - self._d0,
                           "inserted_total": self._c_inserted.value - self._i0,
                           "dropped_in_windows": self.windows_dropped,
                           "inserted_in_windows": self.windows_inserted,
                           "dropped_outside": self.outside_dropped, "inserted_outside": self.outside_inserted},
            "blind": {"windows": self.blind_windows, "seconds": round(self.blind_s, 6), "items": self.blind_rows},
            "missed_heard_around": {"windows": self.missed_heard_windows, "seconds": round(self.missed_heard_s, 6)},
            "outages": {"count": self.outages, "seconds": round(self.outage_s, 6),
                        "no_tone_after": self._unheard_after_outage()},
            "delivery_held": {"count": self.holds, "seconds": round(self.held_s, 6)},
            "capture": self.capture.describe() if self.capture is not None else None,
            "max_settle_s": round(self.max_settle_s, 6),
            "unanalysable": self.unanalysable,
            "excerpts": self.excerpts,
        }
