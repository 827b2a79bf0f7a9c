"""``AudioCheck.machine_cause`` in a long run's middle: a missed deadline's damage at a JACK xrun
report is the machine's wherever in the run it was heard. The check keeps the report times of the
run's first and latest stretches only (``_Marks``, exact counts there), and asked only them: for a
glitch between them (a soak's middle: on a loaded rig JACK reports 30-80 xruns a second, so past
the first minute or two) it answered "not known", and the glitch was laid on the system however
densely JACK reported around it. The whole run's reports are kept as runs (``xrun_runs``,
``jack_xruns_between``): they say whether a report came there, and 0 exactly where none came.

A scripted capture on the virtual clock: the tone, one-cycle silences, and JACK's reports every
millisecond (10 000 or more: past what the first and latest stretches keep). No jackd."""

from __future__ import annotations

from typing import Any

import numpy as np

from harness.audio_check import XRUN_AFTER_S, XRUN_LEAD_S, AudioCheck

from scripted_capture import FS, ScriptedCapture, ScriptedSpec, started_with_scripted_capture, tone_block

N = 256
CYCLE = N / FS
SECONDS = 12.0
#: JACK reports an xrun this often, except in ``QUIET`` (seconds after the script's start)
EVERY_S = 0.001
QUIET = (5.0, 5.8)
#: one-cycle silences: one among the reports in the run's middle, one in the quiet stretch there
REPORTED_AT = 6.5
UNREPORTED_AT = 5.1


def _cycle(at_s: float) -> int:
    return int(at_s / CYCLE)


def _script(cap: ScriptedCapture, t: float, silent: tuple[int, ...], quiet: tuple[float, float] = QUIET) -> int:
    """The tone in cycles from ``t`` for ``SECONDS``, the ``silent`` cycles silent, JACK's reports
    pushed as they came (each before the cycle after it), none in ``quiet``: the number of reports."""
    reports = [t + k * EVERY_S for k in range(1, int(SECONDS / EVERY_S))
               if not quiet[0] <= k * EVERY_S < quiet[1]]
    sent = 0
    for i in range(int(SECONDS / CYCLE)):
        tc = t + i * CYCLE
        while sent < len(reports) and reports[sent] <= tc:
            cap.pending.append(("xrun", (reports[sent],)))
            sent += 1
        block = tone_block(i * N, N)
        if i in silent:
            block = np.zeros_like(block)
        cap.pending.append(("feed", (ScriptedSpec, block, tc, 0 if i else None)))
    return sent


def _heard(silent: tuple[int, ...], quiet: tuple[float, float] = QUIET) -> tuple[AudioCheck, float, int]:
    system, cap, check, t = started_with_scripted_capture()
    sent = _script(cap, t, silent, quiet)
    system.run_for(SECONDS + 1.0)
    check.poll()
    system.stop()
    system.close()
    check.finish()
    return check, t, sent


def _mute_at(check: AudioCheck, at: float) -> dict[str, Any]:
    """The one silence heard around ``at`` (clock time)."""
    rows = check.glitches_between(at - 0.05, at + 0.05)
    assert rows is not None
    mutes = [g for g in rows if g["kind"] == "mute"]
    assert len(mutes) == 1, rows
    assert mutes[0]["end_frame"] - mutes[0]["start_frame"] <= 2 * N, mutes
    return mutes[0]


def test_a_silent_cycle_at_jack_reports_in_the_runs_middle_is_the_machines() -> None:
    """10 000+ reports; the silence at 6.5 s lies after the first stretch the marks keep and before
    the latest: JACK reported all around it, so it is a missed deadline's damage. Before, "not
    known" there, and laid on the system."""
    check, t, sent = _heard((_cycle(REPORTED_AT),))
    assert check.jack_xruns == sent > 10_000
    mute = _mute_at(check, t + REPORTED_AT)
    # the first and latest stretches the check keeps exactly do not reach it
    assert check._xrun_marks.between(mute["t_start"] - XRUN_AFTER_S, mute["t_end"] + XRUN_LEAD_S) is None
    assert check.machine_cause(mute) == "jack_xrun"


def test_a_silent_cycle_in_the_middle_with_no_report_near_it_is_not_the_machines() -> None:
    """The same run with the silence at 5.1 s, where JACK reported nothing from 5.0 s to 5.8 s (the
    report window asked is 5.05-5.61 s): none came there, exactly, and the silence is the
    system's. One at a report in the same run is still the machine's."""
    check, t, _ = _heard((_cycle(UNREPORTED_AT), _cycle(REPORTED_AT)))
    quiet = _mute_at(check, t + UNREPORTED_AT)
    assert check.jack_xruns_between(quiet["t_start"] - XRUN_AFTER_S, quiet["t_end"]) == 0
    assert check.machine_cause(quiet) is None
    assert check.machine_cause(_mute_at(check, t + REPORTED_AT)) == "jack_xrun"


def test_a_silent_cycle_just_after_the_last_report_in_the_middle_is_the_machines() -> None:
    """The report window opens ``XRUN_AFTER_S`` before the glitch began: JACK reports every
    millisecond up to 7.0 s and then not until 7.8 s, and a cycle from ~7.03 s is silent. The last
    report, ~0.03 s before it, is in that window: the machine's. A window opened at the glitch's
    start (or later) holds none and lays it on the system."""
    check, t, _ = _heard((_cycle(7.03),), quiet=(7.0, 7.8))
    mute = _mute_at(check, t + 7.03)
    assert t + 6.95 < mute["t_start"] - XRUN_AFTER_S < t + 7.0 <= mute["t_start"]
    assert check.jack_xruns_between(mute["t_start"], mute["t_end"]) == 0
    assert check.machine_cause(mute) == "jack_xrun"
