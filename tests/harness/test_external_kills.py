"""External JACK server kills on the three rig routes: no false alarm, exactly one recovery.

The server is SIGKILLed by pid from outside the harness (a crash in the field, not the rig's own
``drop_device``), then started again. The quick part of the false-alarm matrix; the long part
(many kills per route, idle and loaded) is ``bench/bench_external_kills.py``.

Outside CI these skip when jackd is missing; with ``CI`` set they fail instead.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from typing import Any

import numpy as np
import pytest

from harness.audio_check import LEAD_MARGIN_S, MACHINE_MUTE_MAX_S, XRUN_LEAD_S, stalled_for
from harness.external_kills import (FLOW_S, KillOutcome, KillResult, _audio_of, _Flow, _Killer, doubt_reason,
                                    episodes_before_kill, inconclusive_reasons, kill_outcomes, machine_stall_episodes,
                                    missed_kill, not_ready, run_external_kill, run_external_kills, unsteady_glitches)
from harness.invariants import Verdict
from harness.rig.rig_audio import system_stream_pid
from harness.runner import ReliabilityRun, RunSpec
from harness.verdict import Outcome
from harness.rig.loopback import pid_is_jackd, wait_until
from system_under_test import AudioSystem, State
from awake_waits import wait_until_awake_for
from bench_scripts import load_bench_script

ROOT = Path(__file__).resolve().parents[2]
#: Bound on every wait here: generous for a loaded 2-core machine, never reached when healthy.
WAIT_S = 30.0


def _why(res: KillResult) -> str:
    """What a failed assertion prints: the result, every violation whole, and the listening
    check's windows and outside glitches read from the run's report (the run folder lives in
    pytest's temporary tree, which later sessions delete)."""
    lines = [repr(res), *(f"violation: {v}" for v in res.violations)]
    try:
        report = json.loads((Path(res.run_dir) / "report.json").read_text())
    except (OSError, ValueError) as exc:
        return "\n".join([*lines, f"no report: {exc}"])
    glitches = report.get("glitches") or {}
    for w in (glitches.get("windows") or [])[:30]:
        lines.append(f"window {w.get('window')} {w.get('label')} {w.get('start')}..{w.get('end')} "
                     f"glitches {w.get('glitches')} {w.get('by_kind')} causes {w.get('causes')} "
                     f"outages {w.get('outages')} capture_gap {w.get('capture_gap_frames')} {w.get('verdict')}")
    for item in (glitches.get("outside_items") or [])[:20]:
        lines.append(f"outside: {item}")
    return "\n".join(lines)


class _Event:
    """A ``recovery_started`` history entry: its time and the error that began the episode."""

    def __init__(self, time: float, error: str, silent_s: float | None = None, key: str = "silent_s") -> None:
        self.time = time
        details = {} if silent_s is None else {key: silent_s}
        self.data = {"error": {"type": error, "details": details}}


class _Reports:
    """What the rig's capture heard of JACK's xrun reports: their times (None: let go)."""

    def __init__(self, times: list[float] | None) -> None:
        self.times = times

    def jack_xruns_between(self, t0: float, t1: float) -> int | None:
        return None if self.times is None else sum(1 for t in self.times if t0 <= t <= t1 + 0.5)


def test_a_later_stall_jack_reported_is_the_machines_and_not_a_second_episode_of_the_kill() -> None:
    """After the kill's own episode, an episode begun by a 250 ms stall over which JACK reported
    xruns is the machine's (a graph with no realtime priority starved on a loaded machine);
    ``recoveries_from_kill`` stays 1."""
    killed_at = 100.0
    starts = [_Event(98.0, "DeviceStalledError", 0.25),  # before the kill: counted apart already
              _Event(100.4, "DeviceStalledError", 0.3),   # the kill's own: never the machine's
              _Event(104.0, "DeviceStalledError", 0.25),  # the device host's watchdog
              _Event(106.0, "DeviceStalledError", 0.48, key="stalled_for_s")]  # the supervisor's
    found = machine_stall_episodes(starts, killed_at, _Reports([97.9, 100.2, 103.9, 105.6]))
    assert len(found) == 2 and found[0].startswith("104.000: no block for 250 ms, 1 JACK xrun"), found
    assert found[1].startswith("106.000: no block for 480 ms, 1 JACK xrun"), found
    res = KillResult("alsa", 1, 0, 1234, recoveries=4, recovery_failures=0, violations=[], final_state="closed",
                     recoveries_before_kill=1, machine_stalls_after_kill=found)
    assert res.recoveries_from_kill == 1


def test_a_later_stall_of_an_input_that_underflowed_under_jacks_reports_is_named_for_what_it_was() -> None:
    """After the kill's own episode, the system's watchdog found its blocks coming with no input
    for 260 ms (measured on the ALSA route: the plugin's capture client, ``python.C.<pid>``, not
    finished for 2.5 s after a recovery, JACK reporting it about every 0.5 s) and recovered: set
    apart from the kill's episodes, as a stall JACK reported, and said to be a starved input, not
    a missing block. Without JACK's word the device's own flag still names it: the system cannot
    make its capture underflow, and noticing that is a second fault handled (measured at load 0.4,
    0.25 s after a third kill's recovery, no xrun reported). A missing block without JACK's word
    stays the kill's."""
    starved = _Event(104.0, "DeviceStalledError", 0.26, key="stalled_for_s")
    starved.data["error"]["details"]["input_underflow"] = True
    starts = [_Event(100.4, "DeviceStalledError", 0.3), starved]
    found = machine_stall_episodes(starts, 100.0, _Reports([103.8, 104.1]))
    assert found == ["104.000: no input for 260 ms (every block underflowed), 2 JACK xrun report(s) over it"]
    assert machine_stall_episodes(starts, 100.0, _Reports([100.2])) == [
        "104.000: no input for 260 ms (every block underflowed), the device flagged it, no JACK xrun report over it"]
    missing = _Event(104.0, "DeviceStalledError", 0.26, key="stalled_for_s")
    assert machine_stall_episodes([starts[0], missing], 100.0, _Reports([100.2])) == []


def test_a_later_stall_whose_callback_computed_past_its_budget_is_not_the_machines_as_the_loss_fold_reads_it() -> None:
    """A stall whose callback ran back to back through its 260 ms silence, 200 ms of it waiting for
    a CPU and 50 ms on one (over two 5.3 ms periods: it computed past its budget while the machine
    kept it waiting): whose it was cannot be told (``device_losses.undecided_lateness``), and the
    loss fold leaves it unexplained whatever JACK reported. The episode count asks the same
    question: it stays the kill's. The same stall with a healthy block's CPU time only waited:
    the machine's."""
    def stall(cpu_s: float) -> _Event:
        e = _Event(104.0, "DeviceStalledError", 0.26, key="stalled_for_s")
        e.data["error"]["details"].update(callback_running_s=0.26, callback_cpu_wait_s=0.2, callback_cpu_s=cpu_s,
                                          device_callbacks=40, period_s=256 / 48000)
        return e

    kills = _Event(100.4, "DeviceStalledError", 0.3)
    computing, waiting = stall(0.05), stall(0.004)
    assert machine_stall_episodes([kills, computing], 100.0, _Reports([103.9])) == []
    (found,) = machine_stall_episodes([kills, waiting], 100.0, _Reports([103.9]))
    assert found.startswith("104.000: no block for 260 ms, 1 JACK xrun"), found
    from harness.device_losses import LossFold  # noqa: PLC0415 - the fold the count must agree with

    class _Entry:
        def __init__(self, e: _Event) -> None:
            self.index, self.time, self.type, self.data = 1, e.time, "error", {"error": {**e.data["error"], "message": "x"}}

    for e, explained in ((computing, False), (waiting, True)):
        fold = LossFold()
        fold.feed(_Entry(e))
        (loss,) = fold.result(machine=lambda t0, t1: 1)
        assert bool(loss.explained_by) is explained, loss


@pytest.mark.parametrize("later, reports", [
    (_Event(104.0, "DeviceStalledError", 0.25), [100.2]),      # a stall JACK did not report
    (_Event(104.0, "DeviceLostError"), [103.9]),                # another cause, whatever JACK said
    (_Event(104.0, "DeviceStalledError", 0.25), None),          # reports of that time let go
    (_Event(104.0, "DeviceStalledError", None), [103.9]),       # no measured stretch
], ids=["unreported", "other-cause", "reports-lost", "no-silent-s"])
def test_a_later_episode_without_jacks_word_on_a_graph_stall_stays_the_kills(later: _Event, reports: Any) -> None:
    """The control: a second episode nothing shows was the machine's counts against the kill
    (a recovery that flaps, a system whose own stream went quiet), and "exactly one" fails."""
    starts = [_Event(100.4, "DeviceStalledError", 0.3), later]
    assert machine_stall_episodes(starts, 100.0, _Reports(reports)) == []
    assert machine_stall_episodes(starts, 100.0, None) == []


def test_a_later_stall_the_systems_own_callback_held_is_not_the_machines_whatever_jack_reported() -> None:
    """A stall the system's watchdog measured as its own lateness (its callback had run 246 ms of
    the 253 ms silence while the device called back 44 times: ``device_losses.own_lateness``) is
    not the machine's, though JACK reported xruns over it; the same stall measured with no
    callback running is."""
    own = _Event(104.0, "DeviceStalledError", 0.253, key="stalled_for_s")
    own.data["error"]["details"].update(callback_running_s=0.246, device_callbacks=44, period_s=256 / 48000)
    idle = _Event(104.0, "DeviceStalledError", 0.253, key="stalled_for_s")
    idle.data["error"]["details"].update(callback_running_s=0.0, device_callbacks=0, period_s=256 / 48000)
    kills = _Event(100.4, "DeviceStalledError", 0.3)
    assert machine_stall_episodes([kills, own], 100.0, _Reports([103.9])) == []
    (found,) = machine_stall_episodes([kills, idle], 100.0, _Reports([103.9]))
    assert found.startswith("104.000: no block for 253 ms, 1 JACK xrun"), found


def test_an_episode_still_open_at_the_kill_is_the_kills_own() -> None:
    """Measured (route ``system``, load average 16): a machine stall began an episode 0.4 s before
    the kill; its first attempt met the dead server, the next succeeded after the restart. That
    episode recovers from the kill, which starts none of its own: counting it as before the kill
    gave ``recoveries_from_kill == 0``."""
    starts, ends, killed_at = [11736.626, 11739.851], [11737.865, 11742.924], 11740.17
    assert episodes_before_kill(starts, ends, killed_at) == (1, True)
    res = KillResult("system", 2, 3, 1234, recoveries=2, recovery_failures=0, violations=[], final_state="closed",
                     recoveries_before_kill=1)
    assert res.recoveries_from_kill == 1
    # the controls: an episode over before the kill is the machine's; none open, none before
    assert episodes_before_kill([98.0, 100.4], [99.0, 101.5], 100.0) == (1, False)
    assert episodes_before_kill([100.4], [101.5], 100.0) == (0, False)
    assert episodes_before_kill([], [], 100.0) == (0, False)


def test_an_episode_before_the_kill_that_failed_is_counted_among_episodes_not_successes() -> None:
    """Measured (route ``jack``, load 15): five machine stalls began episodes before the kill, four
    recovered and one failed (its deadline passed in a starved device open); the kill came with the
    system FAILED and began no episode. ``recoveries`` (successes: 4) less the five episodes over
    before the kill gave "-1 recoveries"; counted among the episodes the kill's own is 0, which
    the bench flags (not exactly one), as it should."""
    starts, ends, killed_at = [10.0, 12.0, 14.0, 16.0, 18.0], [11.0, 13.0, 15.0, 17.0, 29.0], 40.0
    before, open_at_kill = episodes_before_kill(starts, ends, killed_at)
    assert (before, open_at_kill) == (5, False)
    res = KillResult("jack", 2, 1, 1234, recoveries=4, recovery_failures=1, violations=[], final_state="closed",
                     recoveries_before_kill=before, episodes=len(starts))
    assert res.recoveries_from_kill == 0
    # the kill's own episode after them, recovered: exactly one
    res = KillResult("jack", 2, 3, 1234, recoveries=5, recovery_failures=1, violations=[], final_state="closed",
                     recoveries_before_kill=before, episodes=len(starts) + 1)
    assert res.recoveries_from_kill == 1


def test_a_later_stall_after_an_episode_open_at_the_kill_is_still_the_machines() -> None:
    """With the kill's own episode open at the kill, every episode begun after it is a candidate
    for the machine's graph stalls (none of them is the kill's own)."""
    starts = [_Event(99.8, "DeviceStalledError", 0.27), _Event(104.0, "DeviceStalledError", 0.25)]
    reports = _Reports([99.6, 103.9])
    found = machine_stall_episodes(starts, 100.0, reports, open_at_kill=True)
    assert len(found) == 1 and found[0].startswith("104.000: no block for 250 ms"), found
    assert machine_stall_episodes(starts, 100.0, reports) == []  # the first after the kill is its own


#: ``clean_audio``'s doubts as ``AudioCheck.verdict`` words them, with two runs' figures each
_DENSE = ("{n} silence(s) of 0.5 s or more during which the machine reported xruns at least every 0.5 s: "
          "its missed deadlines cannot be told from the system's")
_MACHINE = ("{n} glitch(es) outside any fault window (mute {n}, other 2), on a rig that reported {x} JACK "
            "xrun(s) and 3 xrun(s) of the system's stream: the machine's damage cannot be told from the system's")
_BLIND = ("{n} window(s) the rig could not hear ({x}.25 s of capture lost); 7 glitch(es), none outside the "
          "windows")


def test_inconclusive_reasons_keep_each_doubting_invariants_message() -> None:
    """The result keeps why each inconclusive invariant doubted, not its name alone; held and
    violated ones are no doubt."""
    verdicts = [Verdict("legal_transitions", True, [], "all legal"),
                Verdict("clean_audio", True, ["window 2 ..."], _DENSE.format(n=1), inconclusive=True),
                Verdict("recovery", False, [], "2 episode(s) past the deadline"),
                Verdict("linearizable", True, [], "search budget spent at 10000 states", inconclusive=True)]
    assert inconclusive_reasons(verdicts) == {"clean_audio": _DENSE.format(n=1),
                                              "linearizable": "search budget spent at 10000 states"}
    assert inconclusive_reasons(verdicts[:1]) == {}
    long = Verdict("clean_audio", True, [], "x" * 5000, inconclusive=True)
    assert len(inconclusive_reasons([long])["clean_audio"]) < 5000  # bounded in the bench's JSON


@pytest.mark.parametrize("ok, inconclusive, shown", [(True, False, "held"), (True, True, "inconclusive"),
                                                      (False, False, "violated")])
def test_the_kills_row_says_clean_audios_verdict_as_the_run_judged_it(ok: bool, inconclusive: bool,
                                                                      shown: str) -> None:
    """An inconclusive check holds nothing (its ``ok`` is true: it found no violation), so the
    kill's row, which the bench's table and its doubts count, says ``inconclusive``, never
    ``held``; one the run never analysed says so."""
    audio = {"analysed": True, "windows": {"items": []}, "capture": {}}
    res = KillResult("jack", 1, 0, 4242, 1, 0, [], "closed")
    _audio_of(res, audio, [Verdict("recovery", True, [], "held"),
                           Verdict("clean_audio", ok, [], "judged", inconclusive=inconclusive)])
    assert res.clean_audio == shown
    unjudged = KillResult("jack", 1, 0, 4242, 1, 0, [], "closed")
    _audio_of(unjudged, audio, [Verdict("recovery", True, [], "held")])
    assert unjudged.clean_audio == "not analysed"


def test_a_doubts_reason_sets_its_figures_aside_and_tells_clean_audios_rules_apart() -> None:
    """One key per rule whatever the run measured; three of ``clean_audio``'s rules, three keys."""
    keys = {rule: {doubt_reason("clean_audio", rule.format(n=n, x=x)) for n, x in ((1, 475), (3, 12))}
            for rule in (_DENSE, _MACHINE, _BLIND)}
    assert all(len(k) == 1 for k in keys.values()), keys
    (dense,), (machine,), (blind,) = keys.values()
    assert len({dense, machine, blind}) == 3
    assert dense.startswith("clean_audio: N silence(s) of N s or more during which the machine reported xruns")
    assert "(mute" not in machine and "(...)" in machine and "glitch(es)" in machine
    assert doubt_reason("linearizable", "a b") != doubt_reason("clean_audio", "a b")


def test_the_bench_counts_doubts_by_reason_per_route() -> None:
    """``bench_external_kills.py``'s count: runs by the rule that doubted, most frequent first;
    a run that passed adds nothing."""
    bench = load_bench_script("bench_external_kills.py", "bench_external_kills_doubts")

    def result(**reasons: str) -> KillResult:
        return KillResult("jack", 1, 3 if reasons else 0, 1, 1, 0, [], "closed", list(reasons),
                          inconclusive_reasons=dict(reasons))

    results = [result(clean_audio=_DENSE.format(n=1)), result(clean_audio=_MACHINE.format(n=2, x=40)),
               result(clean_audio=_DENSE.format(n=2)), result()]
    counts = bench.doubts_by_reason(results)
    assert list(counts.values()) == [2, 1]
    assert list(counts)[0] == doubt_reason("clean_audio", _DENSE.format(n=7))
    assert bench.summarize("jack", results)["doubts_by_reason"] == counts


def _bench() -> Any:
    return load_bench_script("bench_external_kills.py", "bench_external_kills_missed")


def test_a_kill_the_bench_meant_to_make_and_did_not_is_its_own_outcome_in_its_table() -> None:
    """Measured at load 13-17: a run whose steady-state watch outlasted it ran no chunk, so its
    killer was never armed, and the bench counted it nowhere but in "runs" (a route of 5 runs
    showed "4 kills" and no word why). A missed kill is counted and named in the table, apart from
    the kills, and is never a pass."""
    bench = _bench()
    made = KillResult("jack", 1, 0, 4242, 1, 0, [], "closed", episodes=1)
    missed = KillResult("jack", 2, 0, None, 1, 0, [], "closed",
                        kill_missed=missed_kill(False, None, 3.0, 8.0, {"before_span": [10.0, 25.8]}))
    violated = KillResult("jack", 3, 1, None, 0, 1, ["recovery: past its deadline"], "closed",
                          kill_missed=missed_kill(True, None, 3.0, 8.0, {}))
    summary = bench.summarize("jack", [made, missed, violated])
    assert (summary["kills"], summary["missed_kills"], summary["missed_kills_violated"]) == (1, 2, 1)
    assert summary["pass"] == 1 and summary["exactly_one"] == 1
    header, line = bench.table([summary])
    assert header.split()[:3] == ["route", "kills", "missed"]
    assert line.split()[:3] == ["jack", "1", "2"], line
    assert "never armed: the run" in line and "the run ended before" in line and "1 of them violated" in line, line


def test_a_missed_kill_says_why() -> None:
    assert missed_kill(False, None, 3.0, 8.0, {"before_span": [10.0, 25.8]}) == (
        "never armed: the run ran no chunk of its 8 s; the steady-state watch before the faults took 15.8 s")
    assert missed_kill(True, None, 600.0, 2.0, {}).startswith("the run ended before the kill was due (600 s")
    assert missed_kill(True, "no jackd to kill (pid None)", 3.0, 8.0, {}) == \
        "the killer failed: no jackd to kill (pid None)"


@pytest.mark.loopback(portaudio=True)
@pytest.mark.timeout(300)  # a busy hang's guard: measured at load ~23, CPU <= 10.1 s and wall <= 44 s
def test_a_steady_state_watch_that_outlasts_the_run_still_leaves_the_run_its_duration_and_its_kill(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Measured at load 13-17 (the harness at nice 19 beside four busy loops): the 1 s watch before
    the faults took 15.8 s, past the 8 s run's planned end, so the run ran no chunk and the
    external killer was never armed. Here the watch is held until the run's planned end has passed
    (as that starved machine held it): the faults' time line starts when the watch ends, the run
    runs its chunks, and the kill is made."""
    from harness import steady_state

    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    duration_s = 2.0
    original = steady_state.SteadyWatch.watch_before

    def outlasting(self: Any) -> None:
        clock = self.system.clock
        planned_end = clock.now() + self.window_s + duration_s
        original(self)
        wait_until(lambda: clock.now() > planned_end + 0.5, WAIT_S, interval_s=0.05, what="the run's planned end")

    monkeypatch.setattr(steady_state.SteadyWatch, "watch_before", outlasting)
    res = run_external_kill("jack", seed=3, duration_s=duration_s, kill_at_s=0.5, report_root=tmp_path)
    assert res.kill_missed is None and res.killed_pid is not None, _why(res)
    assert res.external_faults >= 1, _why(res)  # the run heard of it: it was running when it came


@pytest.mark.loopback(portaudio=True)
@pytest.mark.timeout(300)  # a busy hang's guard: measured at load ~23, CPU <= 10.1 s and wall <= 44 s
@pytest.mark.parametrize("route", ["system", "alsa"])
def test_an_external_server_kill_gives_one_recovery_and_no_false_alarm(route: str, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """PortAudio's JACK host API device ``system`` and ALSA's ``jack`` PCM: the server is killed from
    outside and restarted from another thread (as a sound server comes back by itself)."""
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    # 10 s: the server back (a restart measured up to 5.4 s after the kill at load 21) and the
    # recovery bound after it (1.5 s) inside the run, so the recovery invariant can judge it
    res = run_external_kill(route, seed=2, duration_s=10.0, kill_at_s=1.5, restart_after_s=1.0,
                            report_root=tmp_path)
    assert res.killed_pid is not None and res.error is None, _why(res)
    assert res.violations == [], _why(res)
    # from the kill on: a loaded machine can stall the stream before it, a fault of its own,
    # recovered from and counted apart (``recoveries_before_kill``)
    assert res.recoveries_from_kill == 1 and res.recovery_failures == 0, _why(res)
    assert res.final_state == "closed", _why(res)
    _outage_heard_and_judged(res)
    # the recovery invariant judged the system's return after the observed outage (before, the
    # outage was recorded after the system went RECOVERING and was judged in 1 run of 10)
    assert "recovered in time" in res.recovery and "; 0 fault window(s)" not in res.recovery, _why(res)
    assert "recoveries bounded; 0 fault" not in res.recovery, _why(res)
    # what the system saw of the kill, explained by the outage: a loss through PortAudio's JACK
    # host API, a stall through ALSA's ``jack`` PCM (which raises no loss)
    summary = json.loads((Path(res.run_dir) / "summary.json").read_text())
    kind = "lost" if route == "system" else "stalled"
    found = [x for x in summary["device_losses"]["items"]
             if x["kind"] == kind and "server_outage (external)" in (x["explained_by"] or "")]
    assert found, summary["device_losses"]


@pytest.mark.loopback(portaudio=True)
@pytest.mark.timeout(300)  # a busy hang's guard: measured at load ~23, CPU <= 10.1 s and wall <= 44 s
def test_a_system_that_never_recovers_after_an_external_kill_on_the_alsa_route_is_violated(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``recovery_never_completes`` (reopens its stream, never leaves RECOVERING) on ALSA's ``jack``
    PCM, its server killed from outside and restarted: the system stays down with the server back,
    and the recovery invariant says so. Before, the observed outage was recorded after the system
    went RECOVERING and never judged: the run was not violated."""
    from harness.mutants import system_factory  # noqa: PLC0415

    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    res = run_external_kill("alsa", seed=2, duration_s=10.0, kill_at_s=1.5, restart_after_s=1.0,
                            report_root=tmp_path, system_factory=system_factory("recovery_never_completes"))
    assert res.killed_pid is not None and res.error is None, _why(res)
    assert res.exit_code == 1, _why(res)
    (recovery,) = [v for v in res.violations if v.startswith("recovery:")]
    history = _history(Path(res.run_dir))
    (verdict,) = [v for v in json.loads((Path(res.run_dir) / "summary.json").read_text())["violations"]
                  if v["name"] == "recovery"]
    problems = [e for e in verdict["evidence"] if str(e.get("why", "")).startswith("not running within")]
    assert problems and any(f.startswith("server_outage@") for p in problems for f in p["faults"]), verdict
    assert any(e["type"] == "fault_end" and e["value"] == "server_outage" for e in history), recovery


def _outage_heard_and_judged(res: KillResult) -> dict:
    """The rig's capture client died with the server, a new one heard the recovered system: the
    outage is a window of its own (``server_outage``), judged (not blind), with its end heard, and
    the stretch after it is judged again. Whether the whole run passes on this machine depends on
    its load (JACK's own xruns, cycles the capture missed: the machine's doubts, said as such);
    the outage is never the reason it does not (test_rig_audio.py holds the pass and the fail on
    a scripted capture)."""
    audio = json.loads((Path(res.run_dir) / "summary.json").read_text())["audio"]
    assert audio["analysed"], audio
    assert audio["capture"]["agents"] >= 2 and audio["capture"]["outages"] == 1, audio["capture"]
    assert res.outages == 1 and res.outages_heard_again == 1, _why(res)
    (window,) = [w for w in audio["windows"]["items"] if w.get("outages")]
    assert "server_outage" in window["label"] and window["outages"][0]["to"] is not None, window
    assert not any("ended" in item or "did not hear the system again" in item for item in audio["blind"]["items"]), \
        audio["blind"]
    assert res.clean_audio != "violated" and res.violations == [], _why(res)
    # the kill is in the history as an external fault on every route (the server watch's, or the
    # capture's observed outage), so the device loss it caused is explained, never a doubt
    assert res.external_faults == 1, _why(res)
    assert res.unexplained_losses == [], _why(res)
    return audio


class _Silence:
    """A DSP chain that plays nothing: what ``MutedAfterRecovery`` swaps in."""

    def __init__(self, chain: Any) -> None:
        self.cost_s = getattr(chain, "cost_s", 0.0)

    def process(self, block: np.ndarray) -> np.ndarray:
        return np.zeros_like(block)


class MutedAfterRecovery(AudioSystem):
    """Test-only fault: the system recovers (RUNNING, its stream reopened) and plays silence from
    then on; no counter moves. Only the audio can tell."""

    def _finish_recovery(self, run: Any) -> None:
        super()._finish_recovery(run)
        pipeline = self._pipeline
        if pipeline is not None:
            pipeline.chain = _Silence(pipeline.chain)


@pytest.mark.loopback(portaudio=True)
@pytest.mark.timeout(300)  # a busy hang's guard: measured at load ~23, CPU <= 10.1 s and wall <= 44 s
def test_an_external_kill_on_the_rig_backend_is_an_outage_window_and_the_audio_after_it_is_judged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--backend jack``: the run's own rig, its jackd killed by pid; the rig's ears reconnect
    and the audio after the outage is judged (before: every window after the kill was blind and
    the run inconclusive whatever the system did)."""
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    res = run_external_kill("jack", seed=2, duration_s=8.0, kill_at_s=1.5, report_root=tmp_path)
    assert res.killed_pid is not None and res.error is None, _why(res)
    # (how many recovery episodes one kill gives is the tests above's: a loaded machine can stall
    # the stream before the kill, a fault of its own; this one holds what the rig heard)
    assert res.recoveries >= 1 and res.recovery_failures == 0, _why(res)
    audio = _outage_heard_and_judged(res)
    judged_after = audio["frames"]["analysed"]
    assert judged_after > 0, audio["frames"]


@pytest.mark.loopback(portaudio=True)
@pytest.mark.timeout(300)  # a busy hang's guard: measured at load ~23, CPU <= 10.1 s and wall <= 44 s
def test_a_device_host_killed_from_outside_with_no_fault_is_never_a_silent_pass(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The system's device host (its PortAudio child process) SIGKILLed from outside after the
    run's first chunk, no fault injected and the server untouched: the system recovers (no
    invariant fails: the loss is real), and the run names the loss it cannot explain, so it does
    not pass."""
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    killed: list[int] = []

    def kill_host(run: Any, system: Any, history: Any) -> None:
        pid = system_stream_pid(system)
        if not killed and pid is not None:
            os.kill(pid, signal.SIGKILL)  # by pid, from outside: nobody tells the harness
            killed.append(pid)

    run = ReliabilityRun(RunSpec(backend="jack", duration_s=5.0, seed=2, faults="none", report_root=tmp_path,
                                 label="host-kill"))
    result = run.execute(on_chunk=kill_host)
    losses = result.summary["device_losses"]
    assert killed, "the system had no device host to kill"
    assert result.verdict.violated == [], result.verdict.headline()
    assert losses["unexplained_count"] >= 1, losses
    assert result.verdict.outcome is Outcome.INCONCLUSIVE and result.exit_code == 3, result.verdict.headline()
    (doubt,) = [d for d in result.verdict.doubts if "nothing to explain" in d]
    assert "device 'system' lost" in doubt and "the device host process died" in doubt, doubt
    report = json.loads((result.run_dir / "report.json").read_text())
    assert doubt in report["verdict"]["doubts"]


@pytest.mark.loopback
@pytest.mark.timeout(300)  # a busy hang's guard: measured at load ~23, CPU <= 10.1 s and wall <= 44 s
def test_a_kill_timed_after_the_run_kills_nothing_and_is_no_leaked_thread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The killer's thread is the environment's, there before the run: a kill timed past the run's
    end (still waiting when ``resources`` looks for threads the system left alive) is no leak."""
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    res = run_external_kill("jack", seed=2, duration_s=2.0, kill_at_s=600.0, report_root=tmp_path)
    assert res.killed_pid is None and res.error is None, _why(res)
    assert res.kill_missed == "the run ended before the kill was due (600 s after its first chunk, in a 2 s run)", \
        _why(res)
    assert not [v for v in res.violations if v.startswith("resources")], res.violations


def _history(run_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (run_dir / "history.jsonl").read_text().splitlines() if line.strip()]


def _xrun_reports(run_dir: Path, history: list[dict[str, Any]]) -> list[float]:
    """Every xrun report the run's artefacts hold, in time order: JACK's, as the rig's capture
    read them (summary.json's ``audio.capture.jack_xrun_times``, all of them: asserted), and the
    system's own stream's, which the audio check reads when it polls, right after each metrics
    snapshot of the history: a snapshot whose xrun counter moved stands for one report at its
    time."""
    capture = json.loads((run_dir / "summary.json").read_text())["audio"]["capture"]
    times = [float(t) for t in capture["jack_xrun_times"]]
    assert len(times) == capture["jack_xruns"], "the summary let JACK xrun reports go"
    last = 0
    for e in history:
        if e["type"] == "metrics":
            x = int(e["data"]["counters"]["xruns"])
            if x > last:
                times.append(float(e["time"]))
            last = x
    return sorted(times)


def _held_spans(run_dir: Path, history: list[dict[str, Any]], margin: float) -> list[tuple[float, float]]:
    """What holds a silence in a window of the audio check besides xrun reports, read from the
    run's artefacts as ``AudioCheck`` builds its windows' members (``_Episode.core_spans``): the
    faults from firing to end, the system out of RUNNING from the stall its cause reports, its
    returns to RUNNING, the server outages the rig observed; each from ``LEAD_MARGIN_S`` before
    it to ``margin`` after it (``_Episode._held``)."""
    spans: list[list[float]] = []
    errors = {f"{e['data']['error']['type']}: {e['data']['error']['message']}": e["data"]["error"].get("details")
              for e in history if e["type"] == "error"}
    out_of_running: list[float] | None = None
    for e in history:
        d = e.get("data") or {}
        if e["type"] == "fault_start":
            spans.append([float(d["fired_at"]), math.inf])
        elif e["type"] == "fault_end":
            end = float(d.get("ended_at") or e["time"])
            for span in spans:
                if span[0] == float(d["fired_at"]) and span[1] == math.inf:
                    span[1] = end
        elif e["type"] == "transition" and d.get("component") == "system":
            t = float(d["time"])
            if d["to_state"] == "running":
                spans.append([t, t])
                if out_of_running is not None:
                    out_of_running[1] = t
                    out_of_running = None
            elif out_of_running is not None or d["to_state"] not in ("initialized", "configured", "starting"):
                since = t - stalled_for(str(d["cause"]), errors.get(str(d["cause"])))
                spans.append([since, t])
                if out_of_running is None:
                    out_of_running = [since, math.inf]
                    spans.append(out_of_running)
    audio = json.loads((run_dir / "summary.json").read_text())["audio"]
    for w in audio["windows"]["items"]:
        for o in w.get("outages") or []:
            spans.append([float(o["from"]), math.inf if o["to"] is None else float(o["to"])])
    return sorted((a - LEAD_MARGIN_S, b + margin) for a, b in spans)


def _unreported_silence(res: KillResult) -> tuple[float, float, int]:
    """Over the muted system's silence (from its recovery to the run's end) where nothing but xrun
    reports holds it: its longest stretch, the longest stretch of it with no xrun report (a report
    up to ``XRUN_LEAD_S`` after the stretch counts for its end, as in
    ``_Episode.longest_unreported``) and the reports there. All read from the run's artefacts."""
    run_dir = Path(res.run_dir)
    history = _history(run_dir)
    margin = float(json.loads((run_dir / "summary.json").read_text())["audio"]["settle_margin_s"])
    recovered = min(float(e["data"]["time"]) for e in history if e["type"] == "transition"
                    and e["data"]["component"] == "system" and e["data"]["cause"] == "recovered")
    held = _held_spans(run_dir, history, margin)
    pieces, a = [], recovered
    for h0, h1 in held:
        if h1 <= a:
            continue
        if h0 > a:
            pieces.append((a, h0))
        a = max(a, h1)
        if a == math.inf:
            break
    reports = _xrun_reports(run_dir, history)
    longest = unreported = 0.0
    count = 0
    for p0, p1 in pieces:
        inside = [min(r, p1) for r in reports if p0 < r < p1 + XRUN_LEAD_S]
        count += len(inside)
        marks = [p0, *inside, p1]
        longest = max(longest, p1 - p0)
        unreported = max(unreported, max(y - x for x, y in zip(marks, marks[1:])))
    return longest, unreported, count


@pytest.mark.loopback(portaudio=True)
@pytest.mark.timeout(300)  # a busy hang's guard: measured at load ~23, CPU <= 10.1 s and wall <= 44 s
def test_a_system_mute_after_recovering_from_an_external_kill_fails_clean_audio(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The control: the same kill, a system that recovers and plays silence. Every invariant of
    the lifecycle holds (it did recover, once); the rig hears the silence after the outage's
    window, and the run's own artefacts say which verdict that silence calls for:
    ``clean_audio`` violated, exit 1, unless the machine reported xruns at least every
    ``MACHINE_MUTE_MAX_S`` all through the silence, which makes it the doubt that says so, exit
    3 (audio_check's rule, held on a scripted capture by test_rig_audio.py's
    test_a_long_silence_is_a_doubt_only_while_the_machine_keeps_reporting_xruns_through_it).
    Never a pass, and never the other outcome than the evidence's. Measured at load average
    13-14 on 2 cores (the rig's jackd has no realtime priority): 475 JACK xrun reports in the
    run's 18 s, none more than 0.384 s apart over the silence; near idle, 19 in the whole run.
    The run lasts 14 s, not 10: at load average 18 the windows of the outage, of the xrun
    reports and of the stop took so much of a 10 s run's muted stretch that no silence of
    ``MACHINE_MUTE_MAX_S`` was left past a window's core."""
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    res = run_external_kill("jack", seed=2, duration_s=14.0, kill_at_s=1.5, report_root=tmp_path,
                            system_factory=MutedAfterRecovery)
    assert res.killed_pid is not None and res.error is None, _why(res)
    assert res.recoveries >= 1, _why(res)
    assert res.outages_heard_again == 1, _why(res)
    silence_s, unreported_s, reports = _unreported_silence(res)
    evidence = (f"silence held by nothing but xrun reports {silence_s:.3f} s, {reports} xrun report(s) over it, "
                f"{unreported_s:.3f} s of it the longest without one\n{_why(res)}")
    assert silence_s >= 2.0, evidence  # the muted stretch: something to judge
    if unreported_s < MACHINE_MUTE_MAX_S:
        # the machine reported xruns all through the silence: the rule's doubt, and only it
        message, found = _clean_audio_verdict(res)
        assert res.clean_audio == "inconclusive" and res.exit_code == 3, evidence
        assert "reported xruns at least every" in message, f"{message}\n{evidence}"
        silences = [float(m) for e in found for m in re.findall(r"a silence of ([0-9.]+) s", e)]
        assert silences and max(silences) >= 2.0, evidence
        assert res.violations == [], evidence
    else:
        # a stretch of the silence with no report for MACHINE_MUTE_MAX_S or more: the system's
        assert res.clean_audio == "violated" and res.exit_code == 1, evidence
        assert [v.split(":", 1)[0] for v in res.violations] == ["clean_audio"], evidence


@pytest.mark.loopback(portaudio=True)
@pytest.mark.timeout(300)  # a busy hang's guard: measured at load ~23, CPU <= 10.1 s and wall <= 44 s
def test_the_same_kill_on_a_healthy_system_hears_no_silence_after_recovering(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The control's other side: the muted system's run with the shipped system. The tone comes
    back with the system: no silence the audio check holds against it, ``clean_audio`` never
    violated. Held, unless the run's own summary shows the machine's doubt: short glitches outside
    every window on a rig that reported xruns (a loaded machine's missed deadlines), a silence
    through dense xrun reports (a stall of the machine's: the muted system's run met one of
    1.621 s before the kill, at load average 16), or windows the rig could not hear."""
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    res = run_external_kill("jack", seed=2, duration_s=14.0, kill_at_s=1.5, report_root=tmp_path)
    assert res.killed_pid is not None and res.error is None, _why(res)
    assert res.outages_heard_again == 1 and res.violations == [], _why(res)
    audio = json.loads((Path(res.run_dir) / "summary.json").read_text())["audio"]
    # no silence the audio check holds against the system: none outside every window, none in a
    # window that only xrun reports would explain with a half second free of them
    assert audio["windows"]["long_mute_count"] == 0, _why(res)
    assert audio["outside"]["longest_mute_s"] < MACHINE_MUTE_MAX_S, _why(res)
    # the verdict the summary calls for, in the order AudioCheck.verdict weighs its doubts
    message, _ = _clean_audio_verdict(res)
    if audio["outside"]["glitches"] and audio["capture"]["jack_xruns"]:
        assert res.clean_audio == "inconclusive" and "cannot be told from the system's" in message, _why(res)
    elif audio["windows"]["xrun_covered_mute_count"]:  # a silence through dense xrun reports: the machine's
        assert res.clean_audio == "inconclusive" and "reported xruns at least every" in message, _why(res)
    elif audio["windows"]["unkept_count"]:  # more long silences in a window than it keeps
        assert res.clean_audio == "inconclusive" and "not every one was judged" in message, _why(res)
    elif audio["outages"]["no_tone_after"]:  # the machine's damage left no stretch of tone to analyse
        assert res.clean_audio == "inconclusive" and "after which the rig analysed no tone" in message, _why(res)
    elif audio["blind"]["windows"]:
        assert res.clean_audio == "inconclusive" and "could not hear" in message, _why(res)
    else:
        assert res.clean_audio == "held", f"{message}\n{_why(res)}"
    assert res.exit_code == (3 if res.doubts else 0), _why(res)


def _clean_audio_verdict(res: KillResult) -> tuple[str, list[str]]:
    """``clean_audio``'s message and evidence, from the run's report."""
    report = json.loads((Path(res.run_dir) / "report.json").read_text())
    (check,) = [i for i in report["stability"]["invariants"] if i["name"] == "clean_audio"]
    return check["message"], list((check.get("details") or {}).get("evidence") or [])


def _jackd_child(pid: int) -> int | None:
    """The jackd whose parent is ``pid`` (the run's own rig), from /proc."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        child = int(stat.parent.name)
        if int(fields[1]) == pid and pid_is_jackd(child):
            return child
    return None


def _running(report_dir: Path) -> bool:
    for history in report_dir.glob("*/history.jsonl"):
        if '"to_state":"running"' in history.read_text():
            return True
    return False


@pytest.mark.loopback(portaudio=True)
@pytest.mark.timeout(300)  # a backstop for a busy hang only: unkilled, the run took 93.5 s at load 25
def test_cli_run_on_the_rig_survives_its_server_killed_from_outside(tmp_path: Path) -> None:
    """``soundcheck run --backend jack`` used to die with SIGSEGV (exit 139, nothing printed, no
    report) when its rig's jackd was killed by pid: libjack in the harness process. Now the run
    records the crash as a fault, restarts the server, recovers from it once and writes its reports."""
    reports = tmp_path / "reports"
    env = {**os.environ, "SOUNDCHECK_HISTORY_DB": str(tmp_path / "history.sqlite")}
    proc = subprocess.Popen([sys.executable, "-m", "harness.cli", "run", "--backend", "jack", "--duration", "8",
                             "--seed", "2", "--faults", "none", "--report-dir", str(reports)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # bounded by the time the run's processes all sleep, not wall time: at load 25 on 2 cores
        # the run reached RUNNING after 72.7 s, 68.5 s of them waiting for a CPU
        wait_until_awake_for(lambda: _running(reports), proc.pid, WAIT_S, what="the run's system RUNNING")
        jackd = wait_until_awake_for(lambda: _jackd_child(proc.pid), proc.pid, WAIT_S, what="the run's jackd")
        os.kill(jackd, signal.SIGKILL)
        wait_until_awake_for(lambda: proc.poll() is not None, proc.pid, WAIT_S, what="the run's end")
        out, err = proc.communicate()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    # every invariant held, the rig heard the system again after the outage (its window judged,
    # not blind): the run's exit is its verdict's, never a violation (whether it passes or is a
    # doubt on this machine is its load's: JACK's own xruns)
    (run_dir,) = reports.iterdir()
    summary = json.loads((run_dir / "summary.json").read_text())
    assert proc.returncode == {"pass": 0, "inconclusive": 3}[summary["outcome"]], \
        f"exit {proc.returncode}\n{out}\n{err[-3000:]}"
    history = _history(run_dir)
    # each episode's time and cause beside the kill's, so that an extra one says whose it was
    episodes = [(e["time"], (e["data"].get("error") or {}).get("message")) for e in history
                if e["type"] == "event" and e.get("value") == "recovery_started"]
    killed = [e["time"] for e in history if e["type"] == "fault_start"]
    assert not summary["violations"] and summary["recoveries"] == len(episodes), (killed, episodes, summary)
    # the kill's episode: exactly one, at the kill (the stream's stop is seen a few ms either side
    # of the crash's record); any other is a stall of the restarted server on a loaded host (one
    # 7 s after the kill in a clean-clone CI, "no audio block for 250 ms" 3 s after it beside busy
    # loops), one the run's device losses hold, recovered like any stall; whether it is
    # explained (by the outage's grace, JACK's xruns) is the verdict's, pass or inconclusive above
    losses = summary["device_losses"]
    stalled = {i["error"].split(": ", 1)[-1] for i in losses["items"] if i["kind"] == "stalled"}
    by_kill = [t for t, why in episodes if "stopped by itself" in (why or "")]
    assert len(by_kill) == 1 and abs(by_kill[0] - killed[0]) < 1.0, (killed, episodes)
    assert {why for t, why in episodes if t != by_kill[0]} <= stalled, (episodes, losses)
    audio = summary["audio"]
    assert audio["analysed"] and audio["outages"]["count"] == 1, audio
    (window,) = [w for w in audio["windows"]["items"] if w.get("outages")]
    assert not any("ended" in b or "did not hear the system again" in b for b in audio["blind"]["items"]), audio["blind"]
    assert window["outages"][0]["to"] is not None, window
    crashes = [json.loads(line) for line in (run_dir / "history.jsonl").read_text().splitlines()
               if '"fault_start"' in line]
    assert [c["data"]["kind"] for c in crashes] == ["server_crash"]
    assert crashes[0]["data"]["details"]["pid"] == jackd and crashes[0]["data"]["details"]["exit_status"] == -9


_NO_LIBJACK = """
import os, signal, sys
sys.path.insert(0, sys.argv[1])
from awake_waits import wait_until_awake_for
from harness.rig.loopback import LoopbackRig, rig_unavailable_reason
assert rig_unavailable_reason() is None  # as `run --backend jack` asks before it starts
with LoopbackRig() as rig:
    assert rig.ports() and rig.xruns >= 0
    os.kill(rig.pid, signal.SIGKILL)  # from outside: the rig is not told
    # bounded by the time this process's tree (its watch threads, the agent) spends asleep
    wait_until_awake_for(lambda: rig.lost is not None, os.getpid(), 10.0, what="the server's death")
    # libjack tells the agent asynchronously; it then leaves (measured: "server shut down")
    wait_until_awake_for(lambda: rig.agent_status() is not None, os.getpid(), 10.0, what="the agent to notice")
    rig.restart_server()
    assert any(p.startswith("system:") for p in rig.ports())
maps = open("/proc/self/maps").read()
print("libjack mapped:", "libjack" in maps)
"""


@pytest.mark.loopback
@pytest.mark.timeout(300)  # a backstop for a busy hang only: the waits below count the script's tree asleep
def test_the_harness_process_never_loads_libjack(tmp_path: Path) -> None:
    """The rig's JACK client (readiness, ports, xruns) lives in its agent process; the harness
    process survives its server killed by pid and a restart without ever mapping libjack."""
    # output to files, not pipes: a pipe left unread could block the script, asleep, on a full buffer
    stdout, stderr = tmp_path / "stdout", tmp_path / "stderr"
    with stdout.open("w") as out_file, stderr.open("w") as err_file:
        proc = subprocess.Popen([sys.executable, "-c", _NO_LIBJACK, str(Path(__file__).parent)], cwd=ROOT,
                                stdout=out_file, stderr=err_file, text=True)
        try:
            # bounded by the time the script's tree (it, its jackd, its agent) spends asleep, not
            # wall time: a loaded machine keeps it waiting for a CPU, a hang keeps it asleep
            wait_until_awake_for(lambda: proc.poll() is not None, proc.pid, 50.0, what="the script's end")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    out, err = stdout.read_text(), stderr.read_text()
    assert proc.returncode == 0, f"exit {proc.returncode}\n{out}\n{err[-3000:]}"
    assert "libjack mapped: False" in out, out


class KilledAtStart(AudioSystem):
    """Test-only environment fault at a chosen moment: the JACK server its backend serves is
    ``kill -9``ed from outside just as the system starts (or is configured), as a crash during
    start-up would; the system itself is the shipped one."""

    kill_in = "start"

    def _kill_server(self) -> None:
        from harness.rig.loopback import server_pids  # noqa: PLC0415

        (pid,) = server_pids(self.backend.server_name)
        os.kill(pid, signal.SIGKILL)  # by pid, behind the rig's back
        # bounded by the time this process's tree (the run, its jackd) spends asleep, not wall time
        wait_until_awake_for(lambda: not pid_is_jackd(pid), os.getpid(), WAIT_S, what="the killed jackd to be gone")

    def initialize(self, *args: Any, **kwargs: Any) -> Any:
        if self.kill_in == "initialize":
            self._kill_server()
        return super().initialize(*args, **kwargs)

    def start(self, *args: Any, **kwargs: Any) -> Any:
        if self.kill_in == "start":
            self._kill_server()
        return super().start(*args, **kwargs)


class KilledAtInitialize(KilledAtStart):
    kill_in = "initialize"


@pytest.mark.loopback(portaudio=True)
@pytest.mark.timeout(300)  # a busy hang's guard: measured at load ~23, CPU <= 10.1 s and wall <= 44 s
@pytest.mark.parametrize("system", [KilledAtStart, KilledAtInitialize], ids=["start", "initialize"])
def test_a_server_killed_from_outside_during_start_up_is_an_inconclusive_run_with_reports(
        system: type, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``run --backend jack`` with its jackd killed by pid as the system is configured or started
    (measured by hand: "the system could not be configured: invalid configuration: no device named
    'system' (available: none)" and "the system did not start", both exit 2, a usage error that
    blamed the configuration, and no report). The command was good and the system never ran: an
    inconclusive run that says why, with its reports, never a usage error and never a pass."""
    from harness.runner import ReliabilityRun, RunSpec  # noqa: PLC0415

    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    run = ReliabilityRun(RunSpec(backend="jack", duration_s=2.0, seed=3, faults="none", report_root=tmp_path),
                         system_factory=system)
    result = run.execute()
    assert result.exit_code == 3, result.verdict
    doubts = " ".join(result.verdict.doubts)
    assert "the system never ran: the JACK server died unannounced" in doubts, doubts
    assert result.summary["not_started"].startswith("the JACK server died unannounced"), result.summary
    report = json.loads((result.run_dir / "report.json").read_text())
    assert report["verdict"]["outcome"] == "inconclusive", report["verdict"]
    assert any("the system never ran" in d for d in report["verdict"]["doubts"]), report["verdict"]


@pytest.mark.loopback(portaudio=True)
@pytest.mark.timeout(300)  # a busy hang's guard: measured at load ~23, CPU <= 10.1 s and wall <= 44 s
@pytest.mark.parametrize("system", [KilledAtStart, KilledAtInitialize], ids=["start", "initialize"])
def test_a_start_up_death_the_server_watch_has_not_polled_yet_is_still_the_environments(
        system: type, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same kill with the run's ``ServerWatch`` not yet due to poll (its interval made an hour
    here; on a loaded machine its thread may simply not have run between the kill and the refusal):
    the rig's own word that its server exited stands for the watch's record, so the run is still
    an inconclusive one that says the server died, with its reports, never a usage error."""
    from harness.rig import rig_target  # noqa: PLC0415
    from harness.runner import ReliabilityRun, RunSpec  # noqa: PLC0415

    made = rig_target.ServerWatch.__init__

    def unpolled(self: Any, target: Any, history: Any, **kwargs: Any) -> None:
        made(self, target, history, **{**kwargs, "poll_s": 3600.0})

    monkeypatch.setattr(rig_target.ServerWatch, "__init__", unpolled)
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    run = ReliabilityRun(RunSpec(backend="jack", duration_s=2.0, seed=3, faults="none", report_root=tmp_path),
                         system_factory=system)
    result = run.execute()
    assert result.exit_code == 3, result.verdict
    history = (result.run_dir / "history.jsonl").read_text()
    assert '"server_crash"' not in history  # the watch never saw it: the rig's word alone
    doubts = " ".join(result.verdict.doubts)
    assert "the system never ran: the JACK server died unannounced" in doubts, doubts
    report = json.loads((result.run_dir / "report.json").read_text())
    assert report["verdict"]["outcome"] == "inconclusive", report["verdict"]


def test_each_kill_of_a_series_is_given_its_own_episodes_and_fault_records() -> None:
    """Three kills in one run (at 100, 110, 120 s): every recovery episode is given to one kill,
    and every external fault record to the kill nearest it.

    - a machine stall over before the first kill (96-97 s) is nobody's;
    - kill 1's own (100.3 s), then a 250 ms graph stall JACK reported (104 s): the machine's;
    - a stall 0.3 s before kill 2 still open at it: kill 2's own, not a second of kill 1's;
    - kill 3's own, then a stall JACK did not report (125 s): kill 3's second (a recovery that
      flaps counts against it);
    - records: the rig's capture dates an outage a little before its kill (99.8 s, 119.9 s), the
      server watch a poll after (110.05 s); a second record of kill 3 (120.4 s) is one too many."""
    starts = [_Event(96.0, "DeviceStalledError", 0.25), _Event(100.3, "DeviceStalledError", 0.3),
              _Event(104.0, "DeviceStalledError", 0.25), _Event(109.7, "DeviceStalledError", 0.26),
              _Event(120.2, "DeviceLostError"), _Event(125.0, "DeviceStalledError", 0.25)]
    ends = [97.0, 102.0, 105.0, 112.0, 122.0, 126.0]
    made = [(11, 100.0), (12, 110.0), (13, 120.0)]
    fired = [99.8, 110.05, 119.9, 120.4]
    kills = kill_outcomes(made, starts, ends, fired, _Reports([103.9, 124.0]))
    assert [k.pid for k in kills] == [11, 12, 13]
    assert [k.episodes for k in kills] == [2, 1, 2]
    assert [len(k.machine_stalls) for k in kills] == [1, 0, 0]
    assert kills[0].machine_stalls[0].startswith("104.000: no block for 250 ms"), kills[0].machine_stalls
    assert [k.recoveries for k in kills] == [1, 1, 2]
    assert [k.recorded for k in kills] == [1, 1, 2]
    # one kill: the same as the run-wide count from the kill on
    (one,) = kill_outcomes(made[:1], starts[:3], ends[:3], fired[:1], _Reports([103.9]))
    assert (one.episodes, one.recoveries, one.recorded) == (2, 1, 1)
    assert kill_outcomes([], starts, ends, fired, None) == []


def test_the_bench_counts_a_series_kill_by_kill() -> None:
    """``bench_external_kills.py`` with several kills per run: the kills, exactly one recovery and
    one record per kill, the kills in inconclusive runs, and a series' missed kills."""
    bench = _bench()
    series = KillResult("alsa", 1, 3, 11, 3, 0, [], "closed", ["clean_audio"], 3, episodes=3,
                        recovery_verdict="held", recovery_windows_judged=3,
                        kills=[KillOutcome(11, 100.0, 1, [], 1), KillOutcome(12, 110.0, 1, [], 1),
                               KillOutcome(13, 120.0, 2, [], 1)])
    short = KillResult("alsa", 2, 0, 21, 1, 0, [], "closed", [], 1, episodes=1, recovery_verdict="held",
                       recovery_windows_judged=1, kills=[KillOutcome(21, 100.0, 1, [], 1)], kills_missed=2,
                       kill_missed="the system was not back 45 s after kill 1 (45.0 s after it)")
    summary = bench.summarize("alsa", [series, short])
    assert (summary["kills"], summary["runs"], summary["missed_kills"]) == (4, 2, 2)
    assert (summary["exactly_one"], summary["recorded_once"], summary["recovery_judged"]) == (3, 4, 4)
    assert (summary["inconclusive_runs"], summary["kills_in_inconclusive_runs"], summary["pass"]) == (1, 3, 1)
    assert (summary["recoveries_p50"], summary["recoveries_max"]) == (1.0, 2)


@pytest.mark.loopback(portaudio=True)
@pytest.mark.timeout(300)  # a busy hang's guard: measured at load ~23, CPU <= 10.1 s and wall <= 44 s
@pytest.mark.parametrize("route", ["jack", "alsa"])
def test_a_series_of_external_kills_judges_each_kill_on_its_own(route: str, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Three ``kill -9``s of the server by pid in one run, each once the system was back after the
    one before: three distinct jackd pids killed, each kill recorded once in the history, given
    its recovery, and its outage's window judged by the recovery invariant; no violation."""
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    res = run_external_kills(route, kills=3, seed=2, kill_at_s=1.5, restart_after_s=1.0, report_root=tmp_path)
    assert res.error is None and res.kills_missed == 0 and res.kill_missed is None, _why(res)
    assert len(res.kills) == 3 and len({k.pid for k in res.kills}) == 3, _why(res)
    assert res.violations == [], _why(res)
    assert [k.recorded for k in res.kills] == [1, 1, 1], _why(res)
    assert res.external_faults == 3, _why(res)
    assert [k.recoveries for k in res.kills] == [1, 1, 1], [(k.episodes, k.machine_stalls) for k in res.kills]
    assert res.recovery_verdict == "held" and res.recovery_windows_judged == 3, res.recovery
    assert res.unexplained_losses == [], _why(res)
    summary = json.loads((Path(res.run_dir) / "summary.json").read_text())
    assert summary["status"] == "completed", summary["status"]  # ended by its driver, not interrupted


class _Heard:
    """What ``unsteady_glitches`` asks of the audio check: the glitches of a span, the machine's
    cause of each, and JACK's xrun reports (times) over a stretch."""

    available = True
    cycle_frames = 256

    def __init__(self, glitches: list[dict[str, Any]], reports: list[float]) -> None:
        self.glitches, self.reports = glitches, reports

    def glitches_between(self, t0: float, t1: float) -> list[dict[str, Any]]:
        return [g for g in self.glitches if g["t_start"] < t1 and g["t_end"] > t0]

    def machine_cause(self, g: dict[str, Any]) -> str | None:
        return "jack_xrun" if g["end_frame"] - g["start_frame"] <= 4 * 256 else None

    def jack_xruns_between(self, t0: float, t1: float) -> int:
        return sum(1 for t in self.reports if t0 <= t <= t1 + 0.5)


def test_the_glitches_that_made_a_steady_window_unsteady_say_whether_jack_reported_over_them() -> None:
    """A 15-cycle silence in the window before the kill (JACK reporting all through it), a
    one-cycle one (the machine's: not counted) and, in the window after, a 9-cycle silence JACK
    said nothing of; a window judged steady gives none."""
    glitches = [{"t_start": 10.70, "t_end": 10.78, "kind": "mute", "start_frame": 0, "end_frame": 3840},
                {"t_start": 10.90, "t_end": 10.905, "kind": "mute", "start_frame": 0, "end_frame": 256},
                {"t_start": 30.10, "t_end": 30.15, "kind": "mute", "start_frame": 0, "end_frame": 2304}]
    heard = _Heard(glitches, [10.71, 10.73, 10.76, 29.0])
    steady = {"before": "no", "before_span": [10.0, 11.0], "after": "not observed", "after_span": [30.0, 31.0]}
    found = unsteady_glitches(heard, steady)
    assert [(g["where"], g["cycles"], g["jack_xruns_over_it"]) for g in found] == [("before", 15.0, 3),
                                                                                   ("after", 9.0, 0)]
    assert unsteady_glitches(heard, {**steady, "before": "yes", "after": "yes"}) == []
    assert unsteady_glitches(None, steady) == []


def test_audio_flows_only_on_a_callback_seen_between_two_close_reads() -> None:
    """The killer's audio evidence is the system's own ``callbacks`` counter: a change between
    two reads at most ``FLOW_S`` apart. A starved killer that reads 1.9 s late proves no callback
    within ``FLOW_S``, even though the counter moved, and no silence either: it does not know."""
    t, value = [0.0], [0]
    flow = _Flow(lambda: value[0], clock=lambda: t[0])
    assert flow() is None  # a first read: not known
    t[0], value[0] = 0.05, 10
    assert flow() is True
    t[0] = 0.10
    assert flow() is False  # no callback since the read before
    t[0], value[0] = 2.0, 20
    assert flow() is None  # moved, but somewhere in the last 1.9 s: not known, never "silent"
    t[0], value[0] = 2.0 + FLOW_S, 21
    assert flow() is True


def test_a_system_is_ready_for_a_kill_only_running_with_audio_flowing_on_a_serving_server() -> None:
    assert not_ready(State.RUNNING, True, True) is None
    assert not_ready(State.RECOVERING, True, True) == "the system was recovering"
    assert not_ready(State.FAILED, True, True) == "the system was failed"
    assert not_ready(State.RUNNING, False, True) == "the JACK server was not serving"
    assert not_ready(State.RUNNING, True, False) == f"no callback of the system within {FLOW_S:g} s"
    assert not_ready(State.RUNNING, True, None) == (
        f"not known whether audio flowed (the killer's own reads more than {FLOW_S:g} s apart)")


class _Scripted:
    """A killer's world scripted by its calls: ``ready`` answers from ``answers`` in turn (the
    last one for ever after), ``state`` says RUNNING when ready said so last, ``kill`` records
    the pids it is given."""

    def __init__(self, answers: list[str | None]) -> None:
        self.answers = answers
        self.calls = 0
        self.last: str | None = "not asked"
        self.killed: list[int] = []

    def ready(self) -> str | None:
        self.last = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        return self.last

    def state(self) -> State:
        return State.RUNNING if self.last is None else State.RECOVERING

    def kill(self, pid: int, sig: int) -> None:
        self.killed.append(pid)


def _scripted_killer(world: _Scripted, monkeypatch: pytest.MonkeyPatch, **kw: Any) -> Any:
    """A ``_Killer`` on ``world`` (no jackd: the pid check and the kill are stand-ins), run to
    its end; ``finished`` is awaited with ``WAIT_S`` as its bound."""
    monkeypatch.setattr("harness.external_kills.pid_is_jackd", lambda pid: pid == 4242)
    killer = _Killer(lambda: 4242, 0.0, None, 0.0, ready=world.ready, state=world.state, kill=world.kill, **kw)
    killer.start()
    killer.arm()
    assert killer.finished.wait(WAIT_S), "the killer never finished"
    killer.stop()
    return killer


def test_a_kill_waits_until_the_system_is_running_with_audio_flowing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Measured beside two busy loops (bench/RESULTS.md 2026-12-04 late night): the first kill was
    made with the system RECOVERING from a machine stall, and it never had a recovery of its own.
    The kill waits for the system to be ready, and says the state it was made in."""
    world = _Scripted(["the system was recovering"] * 5 + [f"no callback of the system within {FLOW_S:g} s", None])
    killer = _scripted_killer(world, monkeypatch, patience_s=WAIT_S)
    assert world.killed == [4242]
    assert world.calls == 7  # asked until ready, killed at once
    assert killer.state_at == ["running"] and killer.missed_kills == []
    assert killer.waited[0] > 0


def test_a_kill_the_system_is_never_ready_for_is_not_made_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    world = _Scripted(["the system was failed"])
    killer = _scripted_killer(world, monkeypatch, patience_s=0.3)
    assert world.killed == [] and killer.made == []
    (why,) = killer.missed_kills
    assert why.startswith("kill 1 not made: 0.3 s passed before the system was RUNNING with audio flowing ("), why
    assert "waited: the system was failed for " in why, why


def test_a_series_makes_its_kills_when_machine_stalls_break_every_stretch_after_the_return(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """On a starved machine the system's own stalls break every 2 s stretch of RUNNING (measured
    beside two busy loops: 1 of 10 kills made per run, then "not back 45 s after kill 1"). The
    gap after a kill counts from the system's return, and each kill is made at a moment it is
    RUNNING with audio flowing: here it is ready every other time it is asked."""
    world = _Scripted([None, "the system was recovering"] * 400)
    killer = _scripted_killer(world, monkeypatch, kills=3, back=lambda: "yes", gap_s=0.2, patience_s=WAIT_S)
    assert world.killed == [4242] * 3 and killer.missed_kills == []
    assert killer.state_at == ["running"] * 3
    assert all(killer.back_after[j] is not None for j in range(3)), killer.back_after


def test_a_kill_missed_in_a_series_is_said_and_the_next_waits_anew(monkeypatch: pytest.MonkeyPatch) -> None:
    """The system FAILED after kill 1 (measured beside two busy loops: its recovery's 10 s deadline
    passed on the starved machine): kill 2 is not made, with why; kill 3 waits anew and is made
    once the system is back."""
    world = _Scripted([None])
    holder: list[Any] = []

    def ready() -> str | None:
        k = holder[0]
        world.last = "the system was failed" if len(k.made) == 1 and not k.missed_kills else None
        return world.last

    world.ready = ready  # type: ignore[method-assign]
    monkeypatch.setattr("harness.external_kills.pid_is_jackd", lambda pid: True)
    killer = _Killer(lambda: 4242, 0.0, None, 0.0, kills=3, back=lambda: "yes", ready=ready, state=world.state,
                     kill=world.kill, gap_s=0.0, patience_s=0.3)
    holder.append(killer)
    killer.start()
    killer.arm()
    assert killer.finished.wait(WAIT_S), "the killer never finished"
    killer.stop()
    assert len(killer.made) == 2 and killer.state_at == ["running", "running"]
    (why,) = killer.missed_kills
    assert why.startswith("kill 2 not made: 0.3 s passed before"), why
    assert "the system was failed for" in why, why


class _UsersServerKilledAtInitialize(AudioSystem):
    """Test-only environment fault: the JACK server a user started (not the run's) is ``kill
    -9``ed from outside just as the system is configured; the system itself is the shipped one."""

    def initialize(self, *args: Any, **kwargs: Any) -> Any:
        from harness.rig.loopback import server_pids  # noqa: PLC0415

        (pid,) = server_pids(self.backend.jack_server)
        os.kill(pid, signal.SIGKILL)
        # bounded by the time this process's tree (the run, its jackd) spends asleep, not wall time
        wait_until_awake_for(lambda: not pid_is_jackd(pid), os.getpid(), WAIT_S, what="the killed jackd to be gone")
        return super().initialize(*args, **kwargs)


@pytest.mark.loopback(portaudio=True)
@pytest.mark.timeout(300)  # a busy hang's guard: measured at load ~23, CPU <= 10.1 s and wall <= 44 s
def test_the_users_server_killed_during_start_up_is_an_inconclusive_run_not_a_usage_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``soundcheck loopback up``, ``export JACK_DEFAULT_SERVER=...``, ``run --backend portaudio
    --device system``, and that jackd killed by pid as the system is configured (measured with the
    CLI: exit 2, "the system could not be configured (--device 'system'): ... no device named
    'system' (available: none)", a usage error blaming the command, and no report). The rig's
    capture saw its server go: an inconclusive run that says the system never ran and why, with
    its reports, as when the run owns the server."""
    from harness.rig.loopback import LoopbackRig  # noqa: PLC0415

    rig = LoopbackRig()
    try:
        rig.start()  # inside the try: a start that fails still gives the leased name back
        monkeypatch.setenv("JACK_DEFAULT_SERVER", rig.server_name)
        monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
        run = ReliabilityRun(RunSpec(backend="portaudio", device="system", duration_s=2.0, seed=3, faults="none",
                                     report_root=tmp_path), system_factory=_UsersServerKilledAtInitialize)
        result = run.execute()
    finally:
        rig.close()
    assert result.exit_code == 3, result.verdict
    doubts = " ".join(result.verdict.doubts)
    assert f"the system never ran: the JACK server {rig.server_name!r} went away" in doubts, doubts
    assert "while the system was being configured" in doubts, doubts
    report = json.loads((result.run_dir / "report.json").read_text())
    assert report["verdict"]["outcome"] == "inconclusive", report["verdict"]
