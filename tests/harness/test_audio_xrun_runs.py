"""A window's xrun reports kept as runs (``harness.xrun_runs.ReportRuns``): on a loaded rig JACK
reports tens of xruns a second into one window that stays open for most of a soak. Kept as the
first 8 192 report times, a window knew its reports for its first minutes only, and called every
later silence "covered by reports" (a 1-hour rig soak: "0.000 s of it the longest without one"
for a silence 45 minutes in). Runs keep what the judgement needs, the stretches with no report,
for as long as the window lasts. The virtual clock, a scripted capture, seeded draws; no jackd."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from harness import xrun_runs
from harness.audio_check import MACHINE_MUTE_MAX_S, AudioCheck
from harness.xrun_runs import RUN_GAP_S, ReportRuns
from system_under_test import AudioSystem

from scripted_capture import FS, ScriptedCapture, ScriptedSpec, tone_block

N = 256


def _every_report_kept(reports: list[float], a: float, b: float) -> float:
    """The longest stretch of ``a..b`` with no report, every report's time at hand (the rule the
    audio check applied to the report times it kept)."""
    marks = [a] + sorted(r for r in reports if a < r < b) + [b]
    return max(y - x for x, y in zip(marks, marks[1:]))


def _reports(rng: random.Random, n: int) -> list[float]:
    """``n`` report times, out of order: dense bursts, lone reports and silences between them."""
    out: list[float] = []
    t = 0.0
    while len(out) < n:
        if rng.random() < 0.3:
            for _ in range(rng.randint(2, 40)):  # a burst, a report every few milliseconds
                t += rng.uniform(0.001, 0.03)
                out.append(t)
        else:
            t += rng.choice([rng.uniform(0.05, 0.3), rng.uniform(0.3, 1.2)])
            out.append(t)
    rng.shuffle(out)  # a report read late is placed where it lay
    return out[:n]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_runs_tell_every_silence_as_every_report_would(seed: int) -> None:
    """The longest stretch without a report, from the runs and from every report: the same side of
    ``MACHINE_MUTE_MAX_S`` always; the same figure wherever either reaches ``RUN_GAP_S``; under it
    both under it."""
    rng = random.Random(seed)
    reports = _reports(rng, 600)
    runs = ReportRuns()
    for r in reports:
        runs.add(r)
    assert len(runs) == 600 and runs.known_until == math.inf
    assert len(runs.starts) < 600  # bursts are one run each
    assert all(e < s for e, s in zip(runs.ends, runs.starts[1:]))  # in time order, apart
    assert all(w < RUN_GAP_S for w in runs.widest)
    end = max(reports)
    decided = 0
    for _ in range(400):
        a = rng.uniform(-1.0, end + 1.0)
        b = a + rng.uniform(0.01, 3.0)
        kept = _every_report_kept(reports, a, b)
        ran = runs.longest_without(a, b)
        assert (kept < MACHINE_MUTE_MAX_S) == (ran < MACHINE_MUTE_MAX_S), (a, b, kept, ran)
        if max(kept, ran) >= RUN_GAP_S:
            assert ran == pytest.approx(kept, abs=1e-9), (a, b)
        else:
            assert ran < RUN_GAP_S and kept < RUN_GAP_S
        decided += kept >= MACHINE_MUTE_MAX_S
    assert 40 < decided < 360  # both sides were asked


def test_windows_joined_keep_both_windows_reports() -> None:
    """A window joined to another (``AudioCheck._merge``) holds the runs of both, in order."""
    rng = random.Random(7)
    reports = _reports(rng, 400)
    one, other, whole = ReportRuns(), ReportRuns(), ReportRuns()
    for i, r in enumerate(reports):
        (one if i % 2 else other).add(r)
        whole.add(r)
    one.extend(other)
    assert len(one) == 400
    assert (one.starts, one.ends) == (whole.starts, whole.ends)
    for a in np.arange(0.0, max(reports), 0.37):
        assert (one.longest_without(a, a + 1.3) >= MACHINE_MUTE_MAX_S) == \
            (_every_report_kept(reports, a, a + 1.3) >= MACHINE_MUTE_MAX_S)


def test_an_hour_of_dense_reports_is_one_run_and_sparse_ones_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """80 reports a second for an hour (a loaded rig's rate) is one run, every silence in it known;
    reports spaced past ``RUN_GAP_S`` are a run each, and past ``RUNS_KEPT`` of them the window
    knows its reports up to the first it let go, and measures nothing past it."""
    runs = ReportRuns()
    rng = random.Random(3)
    t = 0.0
    while t < 3600.0:
        t += rng.uniform(0.002, 0.023)
        runs.add(t)
    assert len(runs.starts) == 1 and runs.known_until == math.inf and len(runs) > 280_000
    assert runs.longest_without(3000.0, 3000.8) < RUN_GAP_S
    monkeypatch.setattr(xrun_runs, "RUNS_KEPT", 50)
    sparse = ReportRuns()
    for k in range(80):
        sparse.add(0.3 * k)
    assert len(sparse.starts) == 50 and len(sparse) == 80
    assert sparse.known_until == pytest.approx(0.3 * 50)


def _long_window_with_a_silence(report_gap: tuple[float, float] | None) -> tuple[AudioCheck, object]:
    """A system heard for 11 s through a scripted capture with a JACK xrun report every 1 ms all
    along (one window, 11 000 reports: more than the 8 192 report times a window used to keep)
    and a silence 9.9-10.7 s that only those reports hold; ``report_gap``: a stretch of it with
    no report."""
    system = AudioSystem({}, seed=1)
    cap = ScriptedCapture()
    check = AudioCheck.attach(system, None, capture=cap)
    system.initialize()
    system.start()
    t0 = float(system.clock.now())
    cycles = int(11.0 * FS / N)
    events: list[tuple[float, int, tuple[str, tuple]]] = []
    for i in range(cycles):
        t = t0 + i * N / FS
        block = tone_block(i * N, N)
        if t0 + 9.9 <= t < t0 + 10.7:
            block = np.zeros_like(block)
        events.append((t, 1, ("feed", (ScriptedSpec, block, t, 0))))
    for k in range(1, 11_000):
        at = k * 0.001
        if report_gap is not None and report_gap[0] <= at < report_gap[1]:
            continue
        events.append((t0 + at, 0, ("xrun", (t0 + at,))))
    events.sort(key=lambda e: (e[0], e[1]))
    cap.pending.extend(e[2] for e in events)
    system.run_for(12.0)
    check.poll()
    system.stop()
    system.close()
    check.finish()
    return check, check.verdict()


def test_a_silence_past_the_first_8192_reports_is_judged_by_the_reports_around_it() -> None:
    """With reports all through it, a doubt whose row measures the reports (no stretch without one
    reaches ``RUN_GAP_S``); with 0.7 s of it unreported, the system's silence: a violation. A
    window that kept its first 8 192 report times (8.2 s here) knew nothing past them and called
    both a doubt, its row reading "0.000 s of it the longest without one"."""
    check, verdict = _long_window_with_a_silence(None)
    assert verdict.ok and verdict.inconclusive, verdict
    assert check.dense_xrun_mute_count == 1 and check.long_mute_count == 0, check.dense_xrun_mutes
    row = check.dense_xrun_mutes[0]
    assert "known only until" not in row, row
    longest = float(row.split(" s of it the longest without one")[0].rsplit(" ", 1)[1])
    assert 0.0 < longest < RUN_GAP_S, row

    check, verdict = _long_window_with_a_silence((10.0, 10.7))
    assert not verdict.ok and not verdict.inconclusive, verdict
    assert check.long_mute_count == 1 and check.dense_xrun_mute_count == 0, check.long_mutes
    longest = float(check.long_mutes[0].split(" s of it the longest without one")[0].rsplit(" ", 1)[1])
    assert longest == pytest.approx(0.7, abs=0.002), check.long_mutes


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_reports_between_two_times_are_a_lower_bound_and_none_is_exact(seed: int) -> None:
    """``at_least_between``: never more than came, 0 exactly when none came, at least one where
    any came in a stretch of ``RUN_GAP_S`` or more; None only inside a run's span shorter than
    that."""
    rng = random.Random(seed)
    reports = _reports(rng, 600)
    runs = ReportRuns()
    for r in reports:
        runs.add(r)
    assert sum(runs.counts) == len(runs) == 600
    end = max(reports)
    unknown = 0
    for _ in range(500):
        a = rng.uniform(-1.0, end + 1.0)
        b = a + rng.uniform(0.01, 2.0)
        came = sum(a <= r <= b for r in reports)
        told = runs.at_least_between(a, b)
        if told is None:
            unknown += 1
            assert b - a < RUN_GAP_S
            continue
        assert told <= came and (told == 0) == (came == 0), (a, b, told, came)
    assert unknown < 250


def test_a_joined_window_knows_no_more_than_the_window_that_let_runs_go(monkeypatch: pytest.MonkeyPatch) -> None:
    """``extend``: a window joined to one that let runs go past ``RUNS_KEPT`` knows its reports only
    up to where that one's knowledge ended; the stretch after it is not answered (None), never 0.
    A join that kept its own ``known_until`` (inf) read the let-go reports' stretch as without any."""
    monkeypatch.setattr(xrun_runs, "RUNS_KEPT", 50)
    other = ReportRuns()
    for k in range(80):
        other.add(0.3 * k)
    assert other.known_until == pytest.approx(0.3 * 50)
    joined = ReportRuns()
    joined.extend(other)
    assert len(joined) == 80 and len(joined.starts) == 50
    assert joined.known_until == pytest.approx(0.3 * 50)
    assert joined.at_least_between(20.0, 21.0) is None  # reports came there (every 0.3 s), let go
    assert joined.at_least_between(1.0, 2.0) == 3  # 1.2, 1.5 and 1.8: before it, known exactly


def test_a_stretch_reaching_past_what_is_known_is_not_answered(monkeypatch: pytest.MonkeyPatch) -> None:
    """``at_least_between`` on a stretch that begins while the reports are known and ends past
    ``known_until``: its end lies where reports were let go, so nothing is known of it (None).
    Answered from the runs kept, it read 0, "no report came", for a stretch that had three."""
    monkeypatch.setattr(xrun_runs, "RUNS_KEPT", 50)
    runs = ReportRuns()
    for k in range(80):
        runs.add(0.3 * k)
    assert runs.known_until == pytest.approx(15.0)
    assert runs.at_least_between(14.75, 14.9) == 0  # before it, known: none came
    assert runs.at_least_between(14.75, 15.95) is None  # 15.0, 15.3, 15.6 and 15.9 came, let go
    assert runs.at_least_between(16.0, 17.0) is None

def test_a_window_joined_keeps_the_reports_the_other_let_go(monkeypatch: pytest.MonkeyPatch) -> None:
    """Joining a window that let runs go (``RUNS_KEPT`` reached): every report it heard is counted,
    kept in a run or not, and the joined window knows its reports only as far as that one did."""
    monkeypatch.setattr(xrun_runs, "RUNS_KEPT", 50)
    other = ReportRuns()
    for k in range(80):
        other.add(0.3 * k)  # a run each: 50 kept, 30 let go from 15.0 s on
    one = ReportRuns()
    one.add(0.03125)  # joins the other's first run: the runs kept are the other's 50
    one.extend(other)
    assert (len(one), len(one.starts)) == (81, 50)
    assert one.known_until == other.known_until == pytest.approx(15.0)
    assert one.at_least_between(20.0, 21.0) is None  # past what the joined window knows
    full = ReportRuns()
    full.add(100.0)  # a run of its own: the other's 50th finds no room
    full.extend(other)
    assert (len(full), len(full.starts)) == (81, 50)
    assert full.known_until == pytest.approx(14.7)


def test_two_windows_that_heard_the_same_reports_are_equal_and_no_others() -> None:
    """Equal: the same runs, count and ``known_until``, whatever order the reports came in; a
    window is never equal to its state written out, and is not hashable (it changes)."""
    first, second = ReportRuns(), ReportRuns()
    for t in (1.0, 1.125, 2.0):
        first.add(t)
    for t in (2.0, 1.125, 1.0):
        second.add(t)
    assert first == second
    second.add(9.0)
    assert first != second
    third = ReportRuns()
    third.add_run(1.0, 1.125, 0.125, 1)  # the same runs from fewer reports
    third.add(2.0)
    assert (third.starts, third.ends, third.widest) == (first.starts, first.ends, first.widest)
    assert third != first
    assert first != (first.starts, first.ends, first.widest, first.counts, first.count, first.known_until)
    with pytest.raises(TypeError):
        hash(first)


def test_a_window_prints_its_count_its_runs_and_how_far_it_knows_them() -> None:
    runs = ReportRuns()
    for t in (1.0, 1.125, 2.0):
        runs.add(t)
    assert repr(runs) == "ReportRuns(count=3, runs=[(1.0, 1.125, 0.125), (2.0, 2.0, 0.0)], known_until=inf)"


def test_the_reports_between_two_times_count_the_runs_at_its_edges_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """``a..b`` holds both its ends: a run that starts at ``a`` or ends at ``b`` is inside it, every
    report of it counted, and so is each run inside it; a let-go run starting at ``b`` makes
    ``a..b`` unknown. Times on a binary grid, so every edge is met exactly."""
    monkeypatch.setattr(xrun_runs, "RUNS_KEPT", 2)
    runs = ReportRuns()
    for t in (1.0, 1.125, 1.25, 3.0, 5.0, 5.125):
        runs.add(t)
    assert (runs.starts, runs.ends, runs.counts) == ([1.0, 3.0], [1.25, 3.0], [3, 1])
    assert runs.known_until == 5.0
    assert runs.at_least_between(1.0, 2.0) == 3  # a run from a
    assert runs.at_least_between(0.5, 1.25) == 3  # a run to b
    assert runs.at_least_between(2.0, 3.0) == 1  # a run at b
    assert runs.at_least_between(0.0, 4.0) == 4  # two runs inside
    assert runs.at_least_between(1.125, 4.0) == 2  # one reaching in, one inside
    assert runs.at_least_between(3.5, 4.999) == 0
    assert runs.at_least_between(4.0, 5.0) is None  # the first report let go came at 5.0


def test_a_run_reaching_into_two_times_or_spanning_them_is_one_report_there() -> None:
    """A run that starts or ends in ``a..b`` (its edges included) has that report there: one, even
    where ``a..b`` is shorter than ``RUN_GAP_S``; one that spans ``a..b`` has a report there only
    if ``a..b`` is ``RUN_GAP_S`` or longer (at exactly that, one), else the answer is unknown."""
    runs = ReportRuns()
    for t in (1.0, 1.125, 1.25, 3.0, 5.0, 5.125, 10.0, 10.125, 10.25, 10.375, 10.5):
        runs.add(t)
    assert (runs.starts, runs.ends, runs.counts) == ([1.0, 3.0, 5.0, 10.0], [1.25, 3.0, 5.125, 10.5], [3, 1, 2, 5])
    assert runs.at_least_between(0.875, 1.125) == 1  # its start inside, its end past b
    assert runs.at_least_between(1.0, 1.125) == 1  # its start at a
    assert runs.at_least_between(1.125, 1.25) == 1  # its end at b
    assert runs.at_least_between(2.0, 5.0625) == 2  # one inside, then one reaching in
    assert runs.at_least_between(10.0625, 10.3125) == 1  # spanned, exactly RUN_GAP_S long
    assert runs.at_least_between(10.0625, 10.25) is None  # spanned, shorter


def test_the_longest_stretch_without_a_report_leaves_out_where_the_server_was_idle() -> None:
    """``idle``: sorted stretches, which may overlap, begin before ``a`` or after ``b``, where the
    server did not run; only their parts inside a stretch without a report are taken out of it.
    Worked by hand on a binary grid."""
    runs = ReportRuns()
    for t in (0.0, 2.0, 3.0):
        runs.add(t)
    assert runs.longest_without(0.0, 2.0) == 2.0
    idle = [(-1.0, 0.25), (0.5, 0.75), (0.625, 1.0), (1.5, 3.0), (4.0, 5.0)]
    # 0..2 less 0..0.25, 0.5..1.0 (two overlapping) and 1.5..2.0
    assert runs.longest_without(0.0, 2.0, idle) == 0.75
    # 0..2 less 1.5, 2..3 whole, 3..4 less 3.0..3.125: the middle one is the longest now
    assert runs.longest_without(0.0, 4.0, [(0.25, 1.75), (3.0, 3.125)]) == 1.0
    assert runs.longest_without(0.0, 4.0, [(0.25, 1.75), (2.0, 2.5), (3.0, 3.125)]) == 0.875


def test_reports_exactly_a_run_gap_apart_are_two_runs_in_either_order() -> None:
    """``RUN_GAP_S`` is a gap: a report that far after a run's end, or that far before its start
    (read late), begins a run of its own."""
    after, before = ReportRuns(), ReportRuns()
    for t in (1.0, 1.0 + RUN_GAP_S):
        after.add(t)
    for t in (2.0, 2.0 - RUN_GAP_S):
        before.add(t)
    assert (after.starts, after.ends) == ([1.0, 1.25], [1.0, 1.25])
    assert (before.starts, before.ends) == ([1.75, 2.0], [1.75, 2.0])


def test_a_runs_widest_gap_is_kept_through_joins_and_clipped_to_the_stretch_asked() -> None:
    """Joining keeps the widest gap of every piece and between them, whichever piece came first;
    inside one run the stretch without a report is at most the part of it asked about."""
    later = ReportRuns()
    for t in (1.0, 1.1875, 1.25):  # a run with a 0.1875 s gap, then a report 0.0625 s after it
        later.add(t)
    assert later.widest == [0.1875]
    early = ReportRuns()
    for t in (1.0, 1.1875, 0.9375):  # the same run, then a report read late 0.0625 s before it
        early.add(t)
    assert (early.starts, early.widest) == ([0.9375], [0.1875])
    assert later.longest_without(1.0625, 1.125) == 0.0625
