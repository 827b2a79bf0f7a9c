"""The steady-state check on the rig: glitches the rig measured as the machine's (cycles its own
capture missed, a missed deadline's damage at a JACK xrun report) do not make a quiet window
unsteady; everything else still does. A scripted capture on the virtual clock
(``AudioCheck.feed``/``missed``/``xrun`` as ``RigCapture`` calls them), judged by ``SteadyWatch``.

Measured before the rule (bench/RESULTS.md, "rig branch, third pass"): on a loaded rig every
external-kill run was "not steady before the first fault" on 3-29 glitches of exactly these
shapes, so the check could never vouch for a system there."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from harness.audio_check import AudioCheck
from harness.steady_state import SteadyState, SteadyWatch
from system_under_test import AudioSystem

from scripted_capture import ScriptedCapture, started_with_scripted_capture

FS = 48_000
N = 256
CYCLE = N / FS


class _Spec:
    sample_rate = FS


def _tone(frames: np.ndarray) -> np.ndarray:
    return (0.25 * np.sin(2 * np.pi * 997.0 / FS * frames)).astype(np.float32).reshape(-1, 1)


def _script(cap: ScriptedCapture, t: float, *, seconds: float = 4.0, silent: tuple[int, ...] = (),
            missed: tuple[int, ...] = (), repeat: tuple[int, ...] = (), drop_frame_at: int | None = None,
            xruns: tuple[float, ...] = (), held: tuple[int, ...] = ()) -> None:
    """Cycles of the tone from ``t``, as the rig's capture hands them over. Cycle indices:
    ``silent``: the system's output was silence (heard); ``missed``: the capture client missed the
    cycle (the next one comes with a gap, as ``RigCapture`` reports it); ``repeat``: the cycle
    repeats the one before it (a stale buffer); ``drop_frame_at``: from that cycle on the tone
    has lost one frame (a ring that loses a frame); ``held``: a cycle's worth of silence begins
    ``HELD_AT`` frames into the cycle and the tone resumes where it stopped, one cycle late (a
    block held back, astride two of the check's blocks). ``xruns``: JACK's reports, seconds after ``t``."""
    reports = sorted(t + x for x in xruns)
    pos = 0  # the tone's frame the next cycle plays
    last_t: float | None = None
    gap = 0
    for i in range(int(seconds / CYCLE)):
        tc = t + i * CYCLE
        while reports and reports[0] <= tc:
            cap.pending.append(("xrun", (reports.pop(0),)))
        if drop_frame_at is not None and i == drop_frame_at:
            pos += 1
        if i in repeat:
            pos -= N
        if i in held:
            block = np.concatenate([_tone(np.arange(pos, pos + HELD_AT)), np.zeros((N - HELD_AT, 1), np.float32)])
            pos += HELD_AT
        elif i - 1 in held:
            block = np.concatenate([np.zeros((HELD_AT, 1), np.float32), _tone(np.arange(pos, pos + N - HELD_AT))])
            pos += N - HELD_AT
        else:
            block = _tone(np.arange(pos, pos + N))
            pos += N
        if i in missed:
            gap += N
            continue
        if i in silent:
            block = np.zeros_like(block)
        if gap and last_t is not None:
            cap.pending.append(("missed", (last_t, tc, gap)))
        cap.pending.append(("feed", (_Spec, block, tc, gap if i else None)))
        last_t, gap = tc + CYCLE, 0


#: where a held-back cycle's silence begins in its cycle (``_script``'s ``held``)
HELD_AT = 240


def _judged(**script: Any) -> tuple[SteadyState, AudioCheck]:
    """The quiet windows [t+1, t+2] (before) and [t+2.5, t+3.5] (after) of a run heard as
    ``_script`` says, judged by the steady-state check."""
    st, check, _ = _judged_at(**script)
    return st, check


def _judged_at(**script: Any) -> tuple[SteadyState, AudioCheck, float]:
    """``_judged``, and the clock time ``t`` the script began at."""
    system, cap, check, t = started_with_scripted_capture()
    _script(cap, t, **script)
    system.run_for(6.0)
    check.poll()
    system.stop()
    system.close()
    check.finish()
    watch = SteadyWatch(object(), 1.0, lambda s: None, count_xruns=False)
    watch.result.before, watch.result.before_span = "yes", [t + 1.0, t + 2.0]
    watch.result.after, watch.result.after_span = "yes", [t + 2.5, t + 3.5]
    return watch.judge_audio(check), check, t


AT = int(1.5 / CYCLE)  # a cycle in the middle of the window before the faults
LATE = int(3.0 / CYCLE)  # one in the window after them


def test_a_clean_capture_is_steady_in_both_windows() -> None:
    st, _ = _judged()
    assert (st.before, st.after) == ("yes", "yes"), st
    assert st.before_excused == {} and st.after_excused == {}
    assert st.before_unsteady == [] and st.after_unsteady == []


def test_cycles_the_capture_missed_are_the_rigs_own_not_unsteadiness() -> None:
    """Its frame counter jumped: nothing of the system was heard there, so it is not the system's
    silence. Before the rule, the silence written for the missed cycles made the window "no"."""
    # JACK reported an xrun 0.2 s later (as it did on the loaded rig): the missed cycles' window
    # is the xrun's, whose silence the old check counted against the window
    st, check = _judged(missed=(AT, AT + 1), xruns=(1.7,))
    assert check.missed_frames == 2 * N
    assert st.before == "yes", st.before_detail
    assert st.before_excused == {"capture_missed": 1}
    assert "1 in cycles the rig's capture missed" in st.before_detail


def test_a_silent_cycle_at_a_jack_xrun_report_is_the_machines() -> None:
    """The system's output was silent for one cycle and JACK reported an xrun just after it."""
    st, _ = _judged(silent=(AT,), xruns=(1.5 + 0.02,))
    assert st.before == "yes", st.before_detail
    assert st.before_excused == {"jack_xrun": 1}


def test_a_repeated_cycle_at_a_jack_xrun_report_is_the_machines() -> None:
    """A stale buffer played again: a phase step of exactly one cycle (15 frames of the tone)."""
    st, check = _judged(repeat=(LATE,), xruns=(3.0 + 0.03,))
    steps = [g for g in check.glitch_rows if g["kind"] in ("dropped", "inserted")]
    assert [g["size"] for g in steps] == [15], check.glitch_rows
    assert st.after == "yes", st.after_detail
    assert st.after_excused == {"jack_xrun": 1}


@pytest.mark.parametrize("what, kwargs", [
    # the same silent cycle with no report from JACK: nothing says it was the machine's
    ("unreported silence", dict(silent=(AT,))),
    # JACK's report came, but long before the silence: not that cycle's
    ("report too early", dict(silent=(AT,), xruns=(1.2,))),
    # a frame lost (the ring_loses_frame mutant's damage) right at an xrun report: not a
    # missed deadline's shape
    ("lost frame", dict(drop_frame_at=AT, xruns=(1.5 + 0.02,))),
    # a silence longer than a few cycles at a report: more than a missed deadline does
    ("long silence", dict(silent=tuple(range(AT, AT + 12)), xruns=(1.5 + 0.02,))),
])
def test_damage_the_rig_cannot_lay_on_the_machine_is_still_unsteadiness(what: str, kwargs: dict[str, Any]) -> None:
    st, _ = _judged(**kwargs)
    assert st.before == "no", (what, st.before_detail)
    assert "glitch(es) heard in the window" in st.before_detail


def test_a_lost_frame_after_the_faults_is_still_heard_at_an_xrun_report() -> None:
    st, _ = _judged(drop_frame_at=LATE, xruns=(3.0 + 0.02,))
    assert st.after == "not observed", st.after_detail


def test_a_window_the_capture_mostly_missed_cannot_vouch_for_the_system() -> None:
    """Over half of the window was never recorded: what was not heard is not steady."""
    st, _ = _judged(missed=tuple(range(AT - 60, AT + 60)))
    assert st.before == "no", st.before_detail
    assert "too little was heard" in st.before_detail


def test_on_the_simulated_device_nothing_is_the_machines() -> None:
    """No capture, no machine: a glitch in the window is the system's as before."""
    system = AudioSystem({}, seed=1)
    check = AudioCheck.attach(system, None)
    assert check.machine_cause({"t_start": 0.0, "t_end": 0.005, "kind": "mute", "size": 256}) is None



@pytest.mark.parametrize("start_s, end_s, window", [
    (1.8, 2.2, "before"),   # began inside the window before the faults and outlasted it
    (0.9, 2.1, "before"),   # began before that window (not the start's fill) and outlasted it
    (2.4, 2.6, "after"),    # began before the last quiet window and sounds into it
])
def test_a_silence_heard_in_part_of_a_quiet_window_makes_it_unsteady(
        start_s: float, end_s: float, window: str) -> None:
    """A quiet window is quiet throughout: a glitch heard in any part of it counts, wherever it
    began and ended (a silence that runs past the window's end, or starts before the window and
    runs into it). No xrun was reported, so nothing lays it on the machine. (A mute that began
    before the window and ended within the start's settling is the start's fill, ``_start_fill``:
    the window before the faults opens at the start in a run.)"""
    st, check = _judged(silent=tuple(range(int(start_s / CYCLE), int(end_s / CYCLE))))
    assert any(g["kind"] == "mute" for g in check.glitch_rows), check.glitch_rows
    if window == "before":
        assert st.before == "no", st.before_detail
        assert "glitch(es) heard in the window" in st.before_detail
    else:
        assert (st.before, st.after) == ("yes", "not observed"), (st.before_detail, st.after_detail)



#: one-cycle silences a heard cycle apart: the listening check joins them into one mute
_JOINED = (AT, AT + 2, AT + 4, AT + 6, AT + 8)


def test_short_silences_at_their_own_reports_joined_into_one_mute_are_the_machines() -> None:
    """One-cycle silences with a heard cycle between them, each at a JACK xrun report: the
    listening check reports them as one mute (a glitch within two analysis blocks of a silence
    joins it), 9 cycles long by its ends. Measured on the rig (the restarted-server test,
    PortAudio's JACK route): such a joined mute outgrew ``MACHINE_CYCLES`` cycles, and a quiet
    window holding one was unsteady with nothing in it laid on the machine. Each silence is
    what one missed deadline does, so the joined mute is the machine's as its parts are."""
    st, check = _judged(silent=_JOINED, xruns=tuple(1.5 + (k - AT) * CYCLE + 0.005 for k in _JOINED))
    mutes = [g for g in check.glitches_between(0.0, 1e9) or [] if g["kind"] == "mute"]
    assert len(mutes) == 1 and mutes[0]["end_frame"] - mutes[0]["start_frame"] > 4 * N, mutes
    assert len(mutes[0]["parts"]) == len(_JOINED), mutes
    assert st.before == "yes", st.before_detail
    assert st.before_excused == {"jack_xrun": 1}


@pytest.mark.parametrize("what, kwargs", [
    # silences a heard cycle apart for 107 ms, JACK's reports at the first two only: the last
    # ones are more than XRUN_AFTER_S after every report
    ("later parts unreported", dict(silent=tuple(range(AT, AT + 21, 2)), xruns=(1.5 + 0.005, 1.5 + 2 * CYCLE + 0.005))),
    # a part longer than one missed deadline's damage, joined to a short one, both at reports
    ("one part too long", dict(silent=(AT, *range(AT + 2, AT + 8)), xruns=(1.5 + 0.005, 1.5 + 2 * CYCLE + 0.005))),
    # the same joined silences with no report at all
    ("no report", dict(silent=_JOINED)),
])
def test_a_joined_mute_is_the_machines_only_when_every_part_is(what: str, kwargs: dict[str, Any]) -> None:
    st, check = _judged(**kwargs)
    assert any(g.get("parts") for g in check.glitches_between(0.0, 1e9) or []), what
    assert st.before == "no", (what, st.before_detail)
    assert "glitch(es) heard in the window" in st.before_detail


def test_parts_less_than_a_cycle_apart_are_judged_as_one_silence() -> None:
    """Parts of a joined mute closer than a capture cycle are one stretch (a silence and the
    analysis's glitch at its edge): 600 + 500 frames 100 apart are 1 200 frames, more than
    ``MACHINE_CYCLES`` cycles, although each part alone is fewer and JACK reported an xrun."""
    _, check, t = _judged_at(xruns=(1.5,))
    assert not check.glitch_rows, check.glitch_rows
    base = t + 1.5 - 0.01
    parts = [{"start_frame": 0, "end_frame": 600, "t_start": base, "t_end": base + 600 / FS, "kind": "mute", "size": 600},
             {"start_frame": 700, "end_frame": 1200, "t_start": base + 700 / FS, "t_end": base + 1200 / FS,
              "kind": "mute", "size": 500}]
    joined = {"t_start": base, "t_end": base + 1200 / FS, "kind": "mute", "size": 1200, "start_frame": 0,
              "end_frame": 1200, "parts": parts}
    assert check.machine_cause(joined) is None
    apart = [dict(parts[0]), {**parts[1], "start_frame": 900, "t_start": base + 900 / FS}]
    assert check.machine_cause({**joined, "parts": apart}) == "jack_xrun"  # 300 frames apart: two damages
    assert check.machine_cause({**joined, "parts": apart, "parts_lost": True}) is None


#: the first cycle after the last quiet window [t+2.5, t+3.5]
END = int(3.5 / CYCLE) + 1


def test_a_silence_after_the_last_window_joined_to_a_machines_mute_in_it_leaves_the_window_steady() -> None:
    """A one-cycle silence at a JACK xrun report in the last quiet window, a heard cycle, then a
    silence after the window (on the rig, the stop's): the check joins them into one mute that
    outlasts the window. In the window only its first part was heard, and that is the machine's.
    Measured on the rig before (the restarted-server test): "a glitch was heard until" the
    stop's silence ended, in 3 of the first 6 runs."""
    st, _ = _judged(silent=(END - 2, *range(END, END + 40)), xruns=((END - 2) * CYCLE + 0.005,))
    assert st.after == "yes", st.after_detail
    assert st.after_excused == {"jack_xrun": 1}


@pytest.mark.parametrize("what, kwargs", [
    # the part in the window has no report: the system's
    ("unreported part", dict(silent=(END - 2, *range(END, END + 40)))),
    # the long silence begins inside the window: it is heard there
    ("long part in the window", dict(silent=(END - 4, *range(END - 2, END + 40)), xruns=((END - 4) * CYCLE + 0.005,))),
])
def test_the_parts_of_a_joined_mute_heard_in_the_last_window_still_count(what: str, kwargs: dict[str, Any]) -> None:
    st, _ = _judged(**kwargs)
    assert st.after == "not observed", (what, st.after_detail)
    assert "a glitch was heard until" in st.after_detail, (what, st.after_detail)


#: one-cycle silences, each holding the tone back a cycle, 3 and 2 heard cycles apart, in the
#: last quiet window: the analyser finds one mute 2 048 frames long (a 256-frame silence its size)
_BURST = (LATE, LATE + 4, LATE + 7)


def _burst_reports(cycles: tuple[int, ...] = _BURST) -> tuple[float, ...]:
    """JACK's report of each, 5 ms after its silence began (the measured p50)."""
    return tuple(k * CYCLE + HELD_AT / FS + 0.005 for k in cycles)


def test_a_burst_of_held_back_cycles_at_their_reports_is_the_machines() -> None:
    """Measured on the rig (``--backend jack``, its server killed from outside and restarted): the
    last quiet window held mutes of 1 280-3 329 frames, each a few 256-frame silences of digital
    zero 1-3 heard cycles apart, the tone one cycle later after each, every silence at a JACK
    xrun report. The analyser gives such a burst as one mute longer than ``MACHINE_CYCLES``
    cycles, and the window was unsteady (the run INCONCLUSIVE) although each silence is what one
    missed deadline does. Judged as its silences, the burst is the machine's."""
    st, check = _judged(held=_BURST, xruns=_burst_reports())
    rows = check.glitches_between(0.0, 1e9) or []
    assert [g["kind"] for g in rows] == ["mute", "mute"], rows  # the first; the next two joined
    assert [g["end_frame"] - g["start_frame"] for g in rows] == [N, 4 * N], rows
    assert st.after == "yes", st.after_detail
    assert st.after_excused == {"jack_xrun": 2}


@pytest.mark.parametrize("what, kwargs", [
    # a frame lost in the tone heard between two of the silences: the burst's time is not its
    # silences' (a ring that loses a frame beside the missed deadlines)
    ("a frame lost between", dict(held=_BURST, drop_frame_at=LATE + 2, xruns=_burst_reports())),
    # the same burst with no report from JACK: nothing lays it on the machine
    ("no report", dict(held=_BURST)),
    # JACK reported, but 0.3 s before the burst: not its cycles' reports
    ("reports too early", dict(held=_BURST, xruns=tuple(x - 0.3 for x in _burst_reports()))),
])
def test_a_burst_is_the_machines_only_when_each_silence_is(what: str, kwargs: dict[str, Any]) -> None:
    st, _ = _judged(**kwargs)
    assert st.after == "not observed", (what, st.after_detail)
    assert "a glitch was heard until" in st.after_detail, (what, st.after_detail)
    # the summary names what was heard, not only where the last of it ended
    assert st.after_unsteady and {g["kind"] for g in st.after_unsteady} == {"mute"}, st.after_unsteady


def test_the_same_burst_before_the_faults_is_judged_alike() -> None:
    """Nothing in the rule asks for a restart: the burst is the machine's wherever the reports say
    so, and the system's wherever they do not (the window before the faults)."""
    early = tuple(c - LATE + AT for c in _BURST)
    st, _ = _judged(held=early, xruns=_burst_reports(early))
    assert st.before == "yes", st.before_detail
    st, _ = _judged(held=early)
    assert st.before == "no", st.before_detail


def test_a_joined_mutes_summary_row_says_its_whole_extent_and_its_parts() -> None:
    """The summary's row of a mute that joined the silences after it says the joined mute: its
    ends, its size and its parts, as the live event does. It kept the first part's end and size
    (one cycle of a 9-cycle mute), so a reader of ``summary.json`` could not see what the
    steady-state check judged."""
    _, check = _judged(silent=_JOINED, xruns=tuple(1.5 + (k - AT) * CYCLE + 0.005 for k in _JOINED))
    rows = [g for g in check.summary()["glitches"]["items"] if g["kind"] == "mute"]
    assert len(rows) == 1, rows
    row = rows[0]
    assert (row["end_frame"] - row["start_frame"], row["size"]) == (9 * N, 9 * N), row
    assert [p["end_frame"] - p["start_frame"] for p in row["parts"]] == [N] * len(_JOINED), row
    assert row["t_end"] - row["t_start"] == pytest.approx(9 * CYCLE, abs=1e-3), row


def _heard(*segments: tuple[int, int]) -> np.ndarray:
    """A recording of ``(frames, tone position)`` segments: the tone from that position, or
    silence where the position is None."""
    return np.concatenate([np.zeros(k, np.float32) if p is None else _tone(np.arange(p, p + k))[:, 0]
                           for k, p in segments])


class _Glitch:
    """The analyser's mute as ``AudioCheck._silences_of`` reads it."""

    kind = "mute"
    size = N


def test_a_burst_whose_silence_is_not_whole_cycles_is_judged_whole() -> None:
    """Two silences, the tone held back a whole cycle across each: the second 200 frames long
    (56 frames of the tone lost with it). No missed deadline leaves a silence that is not whole
    cycles, so the burst is one glitch, the system's; with both 256 frames it is two silences."""
    _, check = _judged()
    assert check.cycle_frames == N
    held = _heard((512, 0), (N, None), (512, 512), (N, None), (800, 1024))
    assert check._silences_of(held, 0, 500, 1700, _Glitch()) == [(512, 768), (1280, 1536)]
    short = _heard((512, 0), (N, None), (512, 512), (200, None), (800, 1024 - 56))
    assert check._silences_of(short, 0, 500, 1700, _Glitch()) == []


def test_a_burst_the_analyser_begins_inside_its_first_silence_is_split_at_that_silences_start() -> None:
    """Measured on the rig: the analyser began a burst's mute 154 frames into its first silence,
    which then read 102 frames long. The silence is followed back into the block before."""
    _, check = _judged()
    held = _heard((512, 0), (N, None), (512, 512), (N, None), (800, 1024))
    assert check._silences_of(held, 600 - N, 600, 1700, _Glitch()) == [(512, 768), (1280, 1536)]


def test_a_silence_partly_in_cycles_the_capture_missed_is_weighed_by_what_was_heard() -> None:
    """Three cycles the capture client missed, then three the system played silent, at a JACK xrun
    report: one mute of six cycles on the time line, of which the rig heard three. The missed ones
    are the rig's own miss (``capture_missed`` when they are all of a silence), the heard ones a
    missed deadline's damage at its report (``jack_xrun``): the window is steady. Before, the mute
    was held to ``MACHINE_CYCLES`` by its whole extent, the capture's miss counted as the system's
    silence, and the window was "no". The controls: five heard silent cycles after the miss (more
    than a missed deadline does) and the same three with no report from JACK stay unsteady."""
    st, check = _judged(missed=(AT, AT + 1, AT + 2), silent=(AT + 3, AT + 4, AT + 5), xruns=(1.5 + 7 * CYCLE,))
    assert [g["end_frame"] - g["start_frame"] for g in check.glitch_rows] == [6 * N], check.glitch_rows
    assert st.before == "yes", st.before_detail
    assert st.before_excused == {"jack_xrun": 1}, st.before_excused
    st, _ = _judged(missed=(AT, AT + 1, AT + 2), silent=tuple(range(AT + 3, AT + 8)), xruns=(1.5 + 9 * CYCLE,))
    assert st.before == "no", st.before_detail
    st, _ = _judged(missed=(AT, AT + 1, AT + 2), silent=(AT + 3, AT + 4, AT + 5))
    assert st.before == "no", st.before_detail


def _scripted_and_checked(seconds: float, **script: Any) -> tuple[AudioCheck, float]:
    """A scripted capture of ``seconds`` heard as ``_script`` says, the system run past it, closed
    and its audio check finished: the check and the capture's start ``t``."""
    system, cap, check, t = started_with_scripted_capture()
    _script(cap, t, seconds=seconds, **script)
    system.run_for(seconds + 1.0)
    check.poll()
    system.stop()
    system.close()
    check.finish()
    return check, t


def _judged_with_tail(tail_s: float, **script: Any) -> tuple[SteadyState, AudioCheck, float]:
    """``_judged_at``'s windows, the run having listened on ``tail_s`` past the last quiet window
    [t+2.5, t+3.5] with its counters quiet (``SteadyWatch._listen_on``'s record of it)."""
    check, t = _scripted_and_checked(3.5 + tail_s + 1.0, **script)
    watch = SteadyWatch(object(), 1.0, lambda s: None, count_xruns=False)
    watch.result.before, watch.result.before_span = "yes", [t + 1.0, t + 2.0]
    watch.result.after, watch.result.after_span = "yes", [t + 2.5, t + 3.5]
    if tail_s > 0:
        watch.result.after_tail_s, watch.result.after_tail_why = tail_s, f"{tail_s:g} s, the cap"
        watch.result.after_quiet_span = [t + 2.5, t + 3.5 + tail_s]
    return watch.judge_audio(check), check, t


#: 12 silent cycles (64 ms) in the last quiet window, JACK reporting xruns through them: longer
#: than a missed deadline's ``MACHINE_CYCLES``, as the loaded rig's kill runs heard (6-49 cycles)
_LONG_AT_REPORTS = dict(silent=tuple(range(LATE, LATE + 12)), xruns=(3.0 + 0.02, 3.0 + 0.04))


def test_a_long_silence_at_jack_reports_in_the_last_window_is_passed_over_for_a_later_window_heard_clean() -> None:
    """The run listened on past its first quiet window: the silence ended, and a whole window after
    it was heard clean. The system was heard steady after the faults; the first window's silence
    is kept in ``after_passed_over`` and said in the detail."""
    st, check, t = _judged_with_tail(3.0, **_LONG_AT_REPORTS)
    mute = [g for g in check.glitch_rows if g["kind"] == "mute"]
    assert len(mute) == 1 and mute[0]["t_end"] - mute[0]["t_start"] > 4 * CYCLE, check.glitch_rows
    assert st.after == "yes", st.after_detail
    assert st.after_span is not None and st.after_span[0] == pytest.approx(mute[0]["t_end"])
    assert st.after_span[1] - st.after_span[0] == pytest.approx(1.0)
    assert [g["kind"] for g in st.after_passed_over] == ["mute"]
    assert st.after_unsteady == []
    assert "the first quiet window" in st.after_detail and "listened on 3.00 s past it" in st.after_detail


def test_without_a_tail_the_same_silence_leaves_the_steady_state_unobserved() -> None:
    """The same capture judged as a run that stopped at its first quiet window (the simulated
    device, a check with no capture): the doubt stays, as it always did."""
    st, _, _ = _judged_with_tail(0.0, **_LONG_AT_REPORTS)
    assert st.after == "not observed", st.after_detail
    assert "inside the last quiet window" in st.after_detail
    assert st.after_passed_over == []


def test_a_tail_too_short_for_a_whole_clean_window_after_the_silence_leaves_the_doubt() -> None:
    """0.5 s of tail: the silence ends ~0.56 s into the first window, so no whole window of 1 s
    after it lies within the 1.5 s heard."""
    st, _, _ = _judged_with_tail(0.5, **_LONG_AT_REPORTS)
    assert st.after == "not observed", st.after_detail
    assert "listened on 0.50 s past it" in st.after_detail and "no whole window of 1 s" in st.after_detail


def test_silences_that_keep_coming_through_the_tail_leave_the_doubt() -> None:
    """A long silence at JACK's reports every 0.8 s through the whole tail: no window of 1 s is
    ever heard clean, so the steady state after the faults is still not observed."""
    starts = [3.0 + 0.8 * k for k in range(6)]
    silent = tuple(c for s in starts for c in range(int(s / CYCLE), int(s / CYCLE) + 8))
    st, _, _ = _judged_with_tail(3.0, silent=silent, xruns=tuple(s + 0.02 for s in starts))
    assert st.after == "not observed", st.after_detail
    assert "no whole window of 1 s in it heard clean (silences at JACK's xrun reports kept coming" in st.after_detail


@pytest.mark.parametrize("what, kwargs, why", [
    # the same silence with no report from JACK: nothing says the machine made any of it
    ("unreported silence", dict(silent=tuple(range(LATE, LATE + 12))), "a silence with no JACK xrun report at it"),
    # a lost frame at a report: never a missed deadline's shape, whatever followed it
    ("lost frame", dict(drop_frame_at=LATE, xruns=(3.0 + 0.02,)), "damage no missed deadline does"),
])
def test_damage_no_missed_deadline_does_is_never_passed_over(what: str, kwargs: dict[str, Any], why: str) -> None:
    st, _, _ = _judged_with_tail(3.0, **kwargs)
    assert st.after == "not observed", (what, st.after_detail)
    assert f"{why}, stays a doubt" in st.after_detail
    assert st.after_passed_over == []


class _Clock:
    virtual = True

    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t


class _Counted:
    """A RUNNING system whose ``recoveries`` counter moves once its clock passes ``moves_at``."""

    def __init__(self, moves_at: float = float("inf")) -> None:
        from system_under_test.lifecycle import State
        self.state = State.RUNNING
        self.clock = _Clock()
        self.moves_at = moves_at

    def metrics(self) -> Any:
        class _Snap:
            counters = {"recoveries": int(self.clock.t >= self.moves_at)}
        return _Snap()

    def advance(self, seconds: float) -> None:
        self.clock.t += seconds


@pytest.mark.parametrize("moves_at, tail_s, why", [
    (float("inf"), 3.0, "3 s, the cap, with the counters quiet"),
    (2.1, 1.0, "the counters moved at t=2.000 s (recoveries +1)"),
])
def test_the_watch_listens_on_past_its_first_quiet_window_while_the_counters_stay_quiet(
        moves_at: float, tail_s: float, why: str) -> None:
    """``listen_on_s`` keeps the watch going after its first quiet window ([0, 1] s) for at most
    that long, and only while every step is quiet: the stretch a later window may be judged in."""
    system = _Counted(moves_at)
    watch = SteadyWatch(system, 1.0, system.advance, count_xruns=False, listen_on_s=3.0)
    watch.watch_after()
    st = watch.result
    assert (st.after, st.after_span) == ("yes", [0.0, 1.0])
    assert st.after_tail_s == pytest.approx(tail_s) and st.after_tail_why == why
    assert st.after_quiet_span == pytest.approx([0.0, 1.0 + tail_s])


def test_without_listen_on_the_watch_stops_at_its_first_quiet_window() -> None:
    system = _Counted()
    watch = SteadyWatch(system, 1.0, system.advance, count_xruns=False)
    watch.watch_after()
    assert system.clock.t == pytest.approx(1.0)
    assert (watch.result.after_tail_s, watch.result.after_quiet_span) == (0.0, None)


class _Reported:
    """What ``_silence_at_reports`` asks of the audio check: its cycle, and JACK's reports."""
    cycle_frames = N

    def __init__(self, reports: int) -> None:
        self.reports = reports

    def jack_xruns_between(self, t0: float, t1: float) -> int:
        return self.reports


def _part(kind: str, f0: int, f1: int) -> dict[str, Any]:
    return {"kind": kind, "start_frame": f0, "end_frame": f1, "t_start": f0 / FS, "t_end": f1 / FS, "size": f1 - f0}


@pytest.mark.parametrize("what, glitch, reports, passed", [
    ("a silence at reports", dict(kind="mute"), 2, True),
    ("a silence JACK said nothing about", dict(kind="mute"), 0, False),
    ("one channel's silence", dict(kind="mute", channel=1), 2, False),
    ("a click", dict(kind="click"), 2, False),
    # the phase analysis's step at a silence's edge, less than a cycle after it: that silence's
    ("a joined mute, its phase step at a silence's edge",
     dict(kind="mute", parts=[_part("mute", 0, 256), _part("dropped", 300, 500), _part("mute", 700, 956)]), 2, True),
    # a 2-frame step 340 frames after the silence ended (heard on the rig, --faults default seed 3):
    # a stretch of its own, a lost frame's shape, never a missed deadline's
    ("a joined mute with a phase step on its own",
     dict(kind="mute", parts=[_part("mute", 0, 256), _part("dropped", 596, 1108), _part("mute", 1536, 1792)]), 2, False),
    ("a joined mute whose parts were not all kept", dict(kind="mute", parts_lost=1), 2, False),
])
def test_only_a_silence_at_jack_reports_may_be_passed_over(what: str, glitch: dict[str, Any], reports: int,
                                                          passed: bool) -> None:
    g = {"t_start": 1.0, "t_end": 1.1, **glitch}
    assert SteadyWatch._silence_at_reports(_Reported(reports), g) is passed, what


def _judged_with_wait(wait_s: float, **script: Any) -> tuple[SteadyState, AudioCheck, float]:
    """The window before the faults [t+1, t+2] of a run that waited ``wait_s`` past it before its
    faults with its counters quiet (``SteadyWatch.watch_before``'s record of the wait), heard as
    ``_script`` says; the window after the faults is not judged here."""
    check, t = _scripted_and_checked(2.0 + wait_s + 1.0, **script)
    watch = SteadyWatch(object(), 1.0, lambda s: None, count_xruns=False)
    watch.result.before, watch.result.before_span = "yes", [t + 1.0, t + 2.0]
    if wait_s > 0:
        watch.result.before_tail_s, watch.result.before_tail_why = wait_s, f"{wait_s:g} s, the cap"
        watch.result.before_quiet_span = [t + 1.0, t + 2.0 + wait_s]
    return watch.judge_audio(check), check, t


#: 12 silent cycles (64 ms) in the window before the faults, JACK reporting xruns through them: as
#: the loaded rig's healthy runs heard at their start (mutes of 7-45 cycles, load 30-43)
_LONG_AT_START = dict(silent=tuple(range(AT, AT + 12)), xruns=(1.5 + 0.02, 1.5 + 0.04))


def test_a_long_silence_at_jack_reports_in_the_first_window_is_passed_over_for_a_later_window_of_the_wait() -> None:
    """The run waited on before its faults: the silence ended, and a whole window after it, still
    before the faults, was heard clean. The system was heard steady before them; the first window's
    silence is kept in ``before_passed_over`` and said in the detail."""
    st, check, _ = _judged_with_wait(3.0, **_LONG_AT_START)
    mute = [g for g in check.glitch_rows if g["kind"] == "mute"]
    assert len(mute) == 1 and mute[0]["t_end"] - mute[0]["t_start"] > 4 * CYCLE, check.glitch_rows
    assert st.before == "yes", st.before_detail
    assert st.before_span is not None and st.before_span[0] == pytest.approx(mute[0]["t_end"])
    assert st.before_span[1] - st.before_span[0] == pytest.approx(1.0)
    assert [g["kind"] for g in st.before_passed_over] == ["mute"]
    assert st.before_unsteady == []
    assert "the first window" in st.before_detail and "waited 3.00 s past it before the faults" in st.before_detail


def test_a_wait_too_short_for_a_whole_clean_window_after_the_silence_leaves_before_no() -> None:
    """0.5 s of wait: the silence ends ~0.56 s into the first window, so no whole window of 1 s
    after it lies within the 1.5 s heard: the doubt stays, and the detail says the wait held none."""
    st, _, _ = _judged_with_wait(0.5, **_LONG_AT_START)
    assert st.before == "no", st.before_detail
    assert st.before_passed_over == []
    assert "waited 0.50 s past the first window before the faults" in st.before_detail
    assert "no whole window of 1 s in it heard clean" in st.before_detail


def test_silences_that_keep_coming_through_the_wait_leave_before_no() -> None:
    """A system never steady at its start (a long silence at JACK's reports every 0.8 s through the
    whole wait) still reads ``before: no``, and the detail says why the wait did not help."""
    starts = [1.5 + 0.8 * k for k in range(5)]
    silent = tuple(c for s in starts for c in range(int(s / CYCLE), int(s / CYCLE) + 8))
    st, _, _ = _judged_with_wait(3.0, silent=silent, xruns=tuple(s + 0.02 for s in starts))
    assert st.before == "no", st.before_detail
    assert "(silences at JACK's xrun reports kept coming" in st.before_detail
    assert st.before_passed_over == []


@pytest.mark.parametrize("what, kwargs, why", [
    ("unreported silence", dict(silent=tuple(range(AT, AT + 12))), "a silence with no JACK xrun report at it"),
    ("lost frame", dict(drop_frame_at=AT, xruns=(1.5 + 0.02,)), "damage no missed deadline does"),
])
def test_damage_no_missed_deadline_does_at_the_start_is_never_passed_over(what: str, kwargs: dict[str, Any],
                                                                          why: str) -> None:
    st, _, _ = _judged_with_wait(3.0, **kwargs)
    assert st.before == "no", (what, st.before_detail)
    assert f"{why}, stays a doubt" in st.before_detail
    assert st.before_passed_over == []


@pytest.mark.parametrize("moves_at, waited, why", [
    (float("inf"), 3.0, "3 s, the cap, with the counters quiet"),
    (2.1, 1.0, "the counters moved at t=2.000 s (recoveries +1)"),
])
def test_the_watch_waits_past_its_first_window_before_the_faults_while_the_counters_stay_quiet(
        moves_at: float, waited: float, why: str) -> None:
    """``listen_on_s`` keeps the watch before the faults going past its first window ([0, 1] s)
    for at most that long, and only while every step is quiet: the stretch a later window may be
    judged in (the caller moves the faults' schedule past it)."""
    system = _Counted(moves_at)
    watch = SteadyWatch(system, 1.0, system.advance, count_xruns=False, listen_on_s=3.0)
    watch.watch_before()
    st = watch.result
    assert (st.before, st.before_span) == ("yes", [0.0, 1.0])
    assert st.before_tail_s == pytest.approx(waited) and st.before_tail_why == why
    assert st.before_quiet_span == pytest.approx([0.0, 1.0 + waited])
    assert system.clock.t == pytest.approx(1.0 + waited + (0.25 if moves_at < 4 else 0.0))


def test_without_listen_on_the_watch_before_the_faults_stops_at_its_first_window() -> None:
    system = _Counted()
    watch = SteadyWatch(system, 1.0, system.advance, count_xruns=False)
    watch.watch_before()
    assert system.clock.t == pytest.approx(1.0)
    assert (watch.result.before_tail_s, watch.result.before_quiet_span) == (0.0, None)


def test_a_window_before_the_faults_whose_counters_moved_does_not_wait() -> None:
    """A first window the counters already judged unsteady (a recovery in it) is ``no`` at once:
    the wait is for a window whose audio is judged only after the run, not for the system's own
    unsteadiness."""
    system = _Counted(0.6)
    watch = SteadyWatch(system, 1.0, system.advance, count_xruns=False, listen_on_s=3.0)
    watch.watch_before()
    assert watch.result.before == "no" and system.clock.t == pytest.approx(1.0)
    assert watch.result.before_quiet_span is None
