"""``AudioCheck.jack_xruns_between`` in a soak's middle: the check keeps the times of JACK's xrun
reports for the run's first and latest stretches only (``_Marks``), and answered None for every
stretch between them. A healthy 1-hour rig soak at load 28-60 (141 743 reports in the hour) read
11 of the system's watchdog stalls in that middle as "no JACK xrun report over a stall", its
verdict inconclusive for a reason that was not true. The reports' runs (``xrun_runs``) answer there:
a lower bound, 0 exact where none came. The virtual clock, scripted reports; no jackd."""

from __future__ import annotations

from harness.audio_check import XRUN_LEAD_S, AudioCheck
from harness.device_losses import machine_starved
from system_under_test import AudioSystem


def _check_with_reports(times: list[float]) -> tuple[AudioCheck, float]:
    system = AudioSystem({}, seed=1)
    check = AudioCheck.attach(system, None, capture=None)
    system.initialize()
    system.start()
    t0 = float(system.clock.now())
    for t in times:
        check.xrun(t0 + t)
    return check, t0


def test_a_stall_in_a_soaks_middle_is_told_by_the_reports_jack_sent_over_it() -> None:
    """A report every 5 ms for 200 s (40 000: past what the first and latest stretches keep), but
    none from 100.0 to 101.5 s: a stall inside the reports is the machine's, with at least as
    many reports as came inside it; the one in the quiet stretch had none (0, exact)."""
    times = [k * 0.005 for k in range(1, 40_001) if not 100.0 <= k * 0.005 < 101.5]
    check, t0 = _check_with_reports(times)
    assert check.jack_xruns == len(times)
    # in the middle: 60.0-60.3 s holds 60 reports, and the 0.5 s lead after it 100 more
    over = check.jack_xruns_between(t0 + 60.0, t0 + 60.3)
    assert over is not None and 1 <= over <= 161, over
    assert machine_starved(t0 + 60.3, 0.3, check.jack_xruns_between) == ("xruns", over)
    # the quiet stretch (its 0.5 s lead too): none came, and that is known
    assert check.jack_xruns_between(t0 + 100.05, t0 + 100.9) == 0
    assert machine_starved(t0 + 100.9, 0.85, check.jack_xruns_between) is None
    # the first and latest stretches are still counted exactly
    assert check.jack_xruns_between(t0 + 1.0, t0 + 2.0) == round((2.0 + XRUN_LEAD_S - 1.0) / 0.005) + 1


def test_a_report_in_the_lead_after_a_stall_in_the_middle_counts_for_it() -> None:
    """In a soak's middle, as at its ends, a report up to ``XRUN_LEAD_S`` after a stretch counts for
    it (JACK reports after the cycles it speaks of, late on a loaded machine): a stall whose only
    reports came in the 0.5 s after it is the machine's. Read from the runs without the lead, it
    was "no JACK xrun report over a stall"."""
    times = [k * 0.005 for k in range(1, 40_001) if not 100.0 <= k * 0.005 < 101.5]
    check, t0 = _check_with_reports(times)
    assert check.jack_xruns_between(t0 + 100.05, t0 + 100.9) == 0  # the middle: its times let go
    # 100.9-101.2 s: none inside it, the reports from 101.5 s within its lead
    over = check.jack_xruns_between(t0 + 100.9, t0 + 101.2)
    assert over is not None and 1 <= over <= round(0.2 / 0.005) + 1, over
    assert machine_starved(t0 + 101.2, 0.3, check.jack_xruns_between) == ("xruns", over)
