"""Performance gates and the steady-state check: part of the one verdict of a run.

Each check has a test on the healthy system (no false alarm) and one on a broken system (it fails).
The broken systems are made here, in the test: a DSP stage that declares a processing cost (slow
callbacks, or xruns on every block), and a recovery that never finishes.
"""

from __future__ import annotations

import json
import math

import pytest

from harness.cli import main
from harness.gates import Gates, evaluate_gates
from harness.runner import ReliabilityRun, RunSpec
from harness.invariants import recovery_episode_bound_s
from harness.steady_state import EXTERNAL_GRACE_S, SteadyWatch
from harness.verdict import Outcome, judge_run
from system_under_test import AudioSystem, State
from system_under_test import dsp

BUDGET_S = 256 / 48_000  # the default block budget


def _profile(tmp_path, body: str, name: str = "p.toml"):
    path = tmp_path / name
    path.write_text(body)
    return path


def _run(tmp_path, profile, *, seed: int = 1, duration: float = 10.0):
    spec = RunSpec(backend="sim", duration_s=duration, seed=seed, faults=str(profile), run_dir=tmp_path / "run")
    return ReliabilityRun(spec).execute(reports=False)


# ----------------------------------------------------------------------------------- the file ----

def test_an_unknown_gate_key_exits_2_naming_the_closest_valid_key(tmp_path, capsys):
    profile = _profile(tmp_path, "[probabilities]\nxrun = 0.1\n[gates]\nxruns_per_hour_mx = 10\n")
    code = main(["run", "--report-dir", str(tmp_path / "runs"), "--duration", "5", "--faults", str(profile)])
    err = capsys.readouterr().err
    assert code == 2
    assert str(profile) in err and "gates.xruns_per_hour_mx" in err and "xruns_per_hour_max" in err
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_a_negative_threshold_is_refused(tmp_path, capsys):
    profile = _profile(tmp_path, "[probabilities]\nxrun = 0.1\n[gates]\nrecovery_p95_s_max = -1\n")
    assert main(["run", "--report-dir", str(tmp_path / "runs"), "--duration", "5", "--faults", str(profile)]) == 2
    assert "recovery_p95_s_max" in capsys.readouterr().err


def test_gate_results_name_gate_value_and_threshold():
    gates = Gates(xruns_per_hour_max=100, recovery_p95_s_max=0.5, callback_p99_9_budget_max=0.8)
    got = {g.name: g for g in evaluate_gates(gates, {"xruns_per_hour": 250.0, "recovery_p95_s": None,
                                                     "callback_p99_9_budget": 0.1})}
    assert got["xruns_per_hour_max"].status == "failed"
    assert "250" in got["xruns_per_hour_max"].message and "100" in got["xruns_per_hour_max"].message
    assert got["recovery_p95_s_max"].status == "not_measured" and got["recovery_p95_s_max"].measured is None
    assert got["callback_p99_9_budget_max"].status == "met"
    v = judge_run([{"name": "x", "ok": True}], gates=got.values())
    assert v.outcome is Outcome.FAIL and "gate xruns_per_hour_max failed" in v.headline()
    assert any("recovery_p95_s_max not measured" in d for d in v.doubts)
    only_unmeasured = judge_run([{"name": "x", "ok": True}], gates=[got["recovery_p95_s_max"]])
    assert only_unmeasured.outcome is Outcome.INCONCLUSIVE  # never a silent pass


THRESHOLDS = {"xruns_per_hour_max": 100.0, "recovery_p95_s_max": 0.5, "callback_p99_9_budget_max": 0.8}
FIGURE = {"xruns_per_hour_max": "xruns_per_hour", "recovery_p95_s_max": "recovery_p95_s",
          "callback_p99_9_budget_max": "callback_p99_9_budget"}


@pytest.mark.parametrize("name", sorted(THRESHOLDS))
def test_each_gate_is_met_at_its_threshold_and_fails_just_over_it(name):
    """The boundary is exact on both sides: a figure equal to its threshold meets the gate (the
    message says "<="), the next float above it fails it."""
    threshold = THRESHOLDS[name]
    gates = Gates(**{name: threshold})
    for value, status in ((threshold, "met"), (math.nextafter(threshold, math.inf), "failed"),
                          (math.nextafter(threshold, -math.inf), "met")):
        (result,) = evaluate_gates(gates, {FIGURE[name]: value})
        assert (result.name, result.status, result.measured) == (name, status, value)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, None, "12"])
def test_a_figure_that_is_not_a_finite_number_is_not_measured_never_met(value):
    """A NaN compares false with every threshold and would meet every gate: it, an infinity, a
    missing figure and a string are "not measured", so the run is inconclusive, never a pass."""
    gates = Gates(**THRESHOLDS)
    results = evaluate_gates(gates, {figure: value for figure in FIGURE.values()})
    assert [(g.status, g.measured) for g in results] == [("not_measured", None)] * 3
    assert judge_run([{"name": "x", "ok": True}], gates=results).outcome is Outcome.INCONCLUSIVE


def test_a_gate_of_zero_is_a_gate(tmp_path):
    """``xruns_per_hour_max = 0`` (not one xrun) is a gate like any other, read from a profile
    file too: a threshold of 0 must not be taken for a gate that is not set."""
    from harness.faults import load_profile

    profile = load_profile(str(_profile(tmp_path, "[probabilities]\nxrun = 0.1\n[gates]\nxruns_per_hour_max = 0\n")))
    gates = profile.gates
    assert gates.thresholds == {"xruns_per_hour_max": 0.0}
    assert [g.status for g in evaluate_gates(gates, {"xruns_per_hour": 0.0})] == ["met"]
    (failed,) = evaluate_gates(gates, {"xruns_per_hour": 1.0})
    assert failed.status == "failed"
    assert judge_run([{"name": "x", "ok": True}], gates=[failed]).outcome is Outcome.FAIL


# ----------------------------------------------------------------------------------- gates ----

#: thresholds a healthy system meets on a loaded 2-core machine: on the simulated device a callback's
#: duration is its real (wall) time plus its declared cost, and a preempted Python callback takes
#: milliseconds now and then (p99.9 of 2 250 callbacks of the ``none`` profile: 4.6 x budget, measured)
GATES = "[gates]\nxruns_per_hour_max = 20000\nrecovery_p95_s_max = 2.0\ncallback_p99_9_budget_max = 50\n"
FAULTS = "[probabilities]\nxrun = 0.1\ndropout = 0.05\nstall = 0.03\n"


def test_healthy_system_meets_realistic_gates_and_every_reader_shows_them(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "h.sqlite"))
    profile = _profile(tmp_path, FAULTS + GATES)
    code = main(["run", "--report-dir", str(tmp_path / "runs"), "--duration", "10", "--seed", "1",
                 "--faults", str(profile)])
    out = capsys.readouterr().out
    (run_dir,) = (tmp_path / "runs").iterdir()
    summary = json.loads((run_dir / "summary.json").read_text())
    report = json.loads((run_dir / "report.json").read_text())
    html = (run_dir / "report.html").read_text()
    assert code == 0, summary["verdict"]
    assert [g["status"] for g in summary["gates"]] == ["met", "met", "met"]
    assert report["verdict"]["gates"] == summary["gates"] and "3 gate(s) met" in out
    assert "xruns_per_hour_max" in html and "recovery_p95_s_max" in html and "Steady state" in html
    assert summary["steady_state"]["before"] == summary["steady_state"]["after"] == "yes"


def test_a_slow_callback_fails_the_callback_gate_naming_value_and_threshold(tmp_path, monkeypatch):
    monkeypatch.setattr(dsp.Stage, "cost_s", 0.7 * BUDGET_S)  # slow, but inside the budget: no xrun
    slow = _run(tmp_path, _profile(tmp_path, FAULTS + "[gates]\ncallback_p99_9_budget_max = 0.5\n"))
    (gate,) = slow.summary["gates"]
    assert gate["status"] == "failed" and gate["measured"] >= 0.7 and gate["threshold"] == 0.5
    assert slow.verdict.outcome is Outcome.FAIL
    assert any("gate callback_p99_9_budget_max failed" in f and "0.5" in f for f in slow.verdict.failures)


def test_xruns_beyond_the_gate_fail_the_run(tmp_path, monkeypatch):
    monkeypatch.setattr(dsp.Stage, "cost_s", 1.5 * BUDGET_S)  # every block late
    broken = _run(tmp_path, _profile(tmp_path, FAULTS + GATES), duration=5.0)
    gate = {g["name"]: g for g in broken.summary["gates"]}["xruns_per_hour_max"]
    assert gate["status"] == "failed" and gate["measured"] > 20000
    assert any(f.startswith("gate xruns_per_hour_max failed") for f in broken.verdict.failures)


def test_a_gate_that_cannot_be_measured_makes_the_run_inconclusive(tmp_path):
    """A rejected configuration never starts a recovery: a recovery-time gate has nothing to measure."""
    result = _run(tmp_path, _profile(tmp_path, "[probabilities]\ninvalid_config = 0.2\n[gates]\nrecovery_p95_s_max = 1\n"))
    (gate,) = result.summary["gates"]
    assert gate["status"] == "not_measured" and result.summary["recoveries"] == 0
    assert result.verdict.outcome is Outcome.INCONCLUSIVE and result.exit_code == 3


# ---------------------------------------------------------------------------- steady state ----

def test_healthy_runs_are_steady_before_and_after(tmp_path):
    for profile in ("gentle", "default", "hostile"):
        spec = RunSpec(backend="sim", duration_s=10, seed=7, faults=profile, run_dir=tmp_path / profile)
        result = ReliabilityRun(spec).execute(reports=False)
        st = result.summary["steady_state"]
        assert (st["before"], st["after"]) == ("yes", "yes"), (profile, st)
        lines = map(json.loads, (tmp_path / profile / "history.jsonl").read_text().splitlines())
        starts = [e["time"] for e in lines if e["type"] == "fault_start"]
        assert len(starts) == result.summary["faults"]["total"]
        assert not starts or min(starts) >= st["before_span"][1]  # the faults waited for the window
        if profile != "gentle":  # gentle draws few faults; a 10 s run of it may draw none
            assert starts


def test_a_system_that_xruns_without_faults_is_not_steady_before(tmp_path, monkeypatch):
    monkeypatch.setattr(dsp.Stage, "cost_s", 1.5 * BUDGET_S)  # every block late: xruns with no fault
    result = _run(tmp_path, "gentle", duration=5.0)
    st = result.summary["steady_state"]
    assert st["before"] == "no" and "xruns" in st["before_detail"]
    assert st["after"] == "not observed"
    assert result.verdict.outcome is not Outcome.PASS
    assert any("not steady before the first fault" in d for d in result.verdict.doubts)


def test_a_system_whose_recovery_never_finishes_fails_the_steady_state_after(tmp_path, monkeypatch):
    profile = _profile(tmp_path, "[probabilities]\ndropout = 0.3\n[params.dropout]\nduration_s = 0.1\n")
    healthy = _run(tmp_path / "a", profile, duration=5.0)
    assert healthy.summary["steady_state"]["after"] == "yes" and healthy.summary["recoveries"] > 0
    monkeypatch.setattr(AudioSystem, "_finish_recovery", lambda self, run: None)
    broken = _run(tmp_path / "b", profile, duration=5.0)
    st = broken.summary["steady_state"]
    assert st["after"] == "no" and "never back to RUNNING" in st["after_detail"]
    assert broken.verdict.outcome is Outcome.FAIL
    assert any(f.startswith("steady state did not return after the last fault") for f in broken.verdict.failures)


class _FakeSystem:
    """RUNNING, with an xrun counted on every step: never quiet."""

    def __init__(self, xrun_every_step: bool) -> None:
        from system_under_test.clock import VirtualClock
        self.clock = VirtualClock()
        self.state = State.RUNNING
        self.xruns = 0
        self.xrun_every_step = xrun_every_step

    def metrics(self):
        return type("M", (), {"counters": {"xruns": self.xruns}})()

    def advance(self, s: float) -> None:
        self.clock.advance(s)
        self.xruns += self.xrun_every_step


@pytest.mark.parametrize("noisy", [False, True])
def test_no_quiet_window_after_the_faults_is_not_observed_never_a_pass(noisy):
    system = _FakeSystem(noisy)
    watch = SteadyWatch(system, 1.0, system.advance)
    watch.watch_after()
    r = watch.result
    if noisy:
        assert r.after == "not observed" and "no quiet window" in r.after_detail
        v = judge_run([{"name": "x", "ok": True}], steady=r.to_dict())
        assert v.outcome is Outcome.INCONCLUSIVE
    else:
        assert r.after == "yes" and r.after_span == [0.0, 1.0]


class _SlowRecovery:
    """RECOVERING from the start of the after-window until ``back_at`` (None: never), with a
    recovery deadline of 10 s and a max back-off of 1 s: a reopen on a loaded machine."""

    def __init__(self, back_at: float | None) -> None:
        from system_under_test.clock import VirtualClock
        from system_under_test.config import RecoveryConfig
        self.clock = VirtualClock()
        self.state = State.RUNNING
        self.back_at = back_at
        self.config = type("C", (), {"recovery": RecoveryConfig(deadline_ms=10_000, max_backoff_ms=1000)})()
        self._observers: list = []

    def add_observer(self, fn) -> None:
        self._observers.append(fn)

    def metrics(self):
        return type("M", (), {"counters": {"xruns": 0}})()

    def _to(self, state: State, cause: str) -> None:
        from system_under_test.lifecycle import TransitionRecord
        record = TransitionRecord(0, self.clock.now(), "system", self.state, state, cause)
        self.state = state
        for fn in self._observers:
            fn(record)

    def advance(self, s: float) -> None:
        self.clock.advance(s)
        if self.state is State.RECOVERING and self.back_at is not None and self.clock.now() >= self.back_at:
            self._to(State.RUNNING, "recovered")


@pytest.mark.parametrize("back_at, after", [(6.0, "yes"), (None, "no")])
def test_a_recovery_still_within_its_deadline_is_waited_for_not_judged_unfinished(back_at, after):
    """Measured on the rig's ALSA route at load average 12: the reopen after an external server
    kill took 3.5 s, longer than the after-window's wait, and a healthy run failed "never back to
    RUNNING". The watch waits while the recovery may still end (its episode bound: its deadline);
    a recovery that never ends is still judged so once that has passed."""
    system = _SlowRecovery(back_at)
    watch = SteadyWatch(system, 1.0, system.advance)
    system._to(State.RECOVERING, "DeviceStalledError: no audio block")
    watch.watch_after()
    r = watch.result
    assert r.after == after, r
    if after == "yes":
        assert r.after_span[0] >= 6.0 - 0.25  # the quiet streak counts from the step it came back in
    else:
        assert "never back to RUNNING" in r.after_detail and system.clock.now() >= 11.0


def test_a_recovery_back_after_its_deadline_is_not_waited_for_as_if_within_it():
    """The watch and the ``recovery`` invariant hold an episode to one bound
    (``recovery_episode_bound_s``: the deadline, 10 s here). A system back at 10.5 s outlived it,
    which the invariant fails; a watch that waited to the deadline plus one back-off step (11 s)
    saw it come back and called the after-window steady. It waits to the bound, then one window:
    no quiet window follows in that time, so the steady state after is not observed."""
    system = _SlowRecovery(10.5)
    assert recovery_episode_bound_s(system.config.recovery) == 10.0
    watch = SteadyWatch(system, 1.0, system.advance)
    system._to(State.RECOVERING, "DeviceStalledError: no audio block")
    watch.watch_after()
    r = watch.result
    assert r.after == "not observed", r
    assert system.clock.now() < 10.5 + 1.0


@pytest.mark.parametrize("margin_s", [0.0, 0.25, 0.34])
def test_a_recovery_back_at_its_deadline_is_waited_for_with_its_settle_margin(margin_s):
    """A system back to RUNNING at its deadline exactly (10 s) kept its bound: the watch waits for
    the outcome, the settle margin after it (in which no quiet window starts; 0.34 s is not a whole
    number of the watch's steps) and one whole window, and finds it steady."""
    system = _SlowRecovery(10.0)
    watch = SteadyWatch(system, 1.0, system.advance, margin_s=margin_s)
    system._to(State.RECOVERING, "DeviceStalledError: no audio block")
    watch.watch_after()
    r = watch.result
    assert r.after == "yes", r
    assert r.after_span[0] >= 10.0 + margin_s - 1e-9


class _StormInFlight(_SlowRecovery):
    """An operator's lifecycle storm still calling when the run's faults are disarmed: its
    reconfigure (a device reopen) holds the system RECONFIGURING until ``back_at`` (None: never),
    then the storm ends (its ``fault_end``) with the system RUNNING."""

    def __init__(self, back_at: float | None) -> None:
        super().__init__(back_at)
        self.fired = 1
        self._listeners: list = []

    def add_listener(self, fn) -> None:
        self._listeners.append(fn)

    def tell(self, what: str) -> None:
        for fn in self._listeners:
            fn(what, None)

    def advance(self, s: float) -> None:
        self.clock.advance(s)
        if self.state is State.RECONFIGURING and self.back_at is not None and self.clock.now() >= self.back_at:
            self._to(State.RUNNING, "reconfigure")
            self.tell("fault_end")


@pytest.mark.parametrize("back_at, after", [(6.0, "yes"), (None, "not observed")])
def test_a_storm_still_calling_when_the_faults_are_disarmed_is_waited_for_not_judged_never_back(back_at, after):
    """Measured with the CLI on the user's loopback rig (``soundcheck loopback up``, ``run
    --backend portaudio --device system``, seed 11, load average 12): the default profile's last
    lifecycle storm ran its calls for 15.4 s, each reconfigure a device reopen of 1.3-3.3 s, and was
    still reconfiguring the system when the after-window's wait (margin, window, grace) ran out; the
    healthy run FAILED "still reconfiguring 4.26 s after the faults ended (never back to RUNNING)",
    back to RUNNING 0.03 s later. The faults had not ended: the window counts from their end, and
    a storm that never ends leaves the steady state after them not observed, never "no"."""
    from harness.steady_state import ACTIVE_FAULT_WAIT_S

    system = _StormInFlight(back_at)
    watch = SteadyWatch(system, 1.0, system.advance, injector=system, rollback=lambda: pytest.fail("rolled back"))
    system.tell("fault_start")
    system._to(State.RECONFIGURING, "reconfigure")
    watch.watch_after()
    r = watch.result
    assert r.after == after, r
    if after == "yes":
        assert r.after_span[0] >= 6.0 - 0.25
    else:
        assert "1 fault(s) still active" in r.after_detail and "reconfiguring" in r.after_detail
        assert system.clock.now() >= ACTIVE_FAULT_WAIT_S
        v = judge_run([{"name": "x", "ok": True}], steady=r.to_dict())
        assert v.outcome is Outcome.INCONCLUSIVE


class _ServerWatched:
    """The rig's audio check as the steady-state check asks it: heard, no glitch, and how long the
    JACK server did not run over a stretch (``AudioCheck.server_idle_between``)."""

    available = True
    glitch_rows: list = []
    window_rows: list = []
    last_glitch_end = None

    def __init__(self, idle_s: float | None) -> None:
        self.idle_s = idle_s
        self.asked: list[tuple[float, float]] = []

    def server_idle_between(self, t0: float, t1: float) -> float | None:
        self.asked.append((t0, t1))
        return self.idle_s


class _ServerStoppedFromOutside(_ServerWatched):
    """The same, with the run's watch's record of a stop from outside over the stretch."""

    def server_idle_words(self, t0: float, t1: float) -> str:
        return "was stopped from outside"


def test_a_stall_over_a_recorded_stop_is_told_as_a_stop_not_as_a_server_that_did_not_run() -> None:
    """The steady state's words for the stall the machine made say the server was stopped where
    the run's watch recorded a stop from outside (``AudioCheck.server_idle_words``)."""
    system = _SlowRecovery(None)
    watch = SteadyWatch(system, 1.0, system.advance)
    system.clock.advance(5.0)
    system._to(State.RECOVERING, "DeviceStalledError: no audio block for 252 ms (47 periods)")
    watch.watch_after()
    system._to(State.RUNNING, "recovered")
    system._to(State.STOPPING, "stop")
    r = watch.judge_audio(_ServerStoppedFromOutside(0.25))
    assert r.after == "not observed", r
    assert "(the JACK server was stopped from outside for 250 ms of its 252 ms without a block)" in r.after_detail


@pytest.mark.parametrize("idle_s, after", [(0.25, "not observed"), (0.05, "no"), (None, "no")],
                         ids=["server_stopped", "server_ran", "not_known"])
def test_a_recovery_from_a_stall_the_machine_made_is_not_the_systems_failure_to_return(idle_s, after):
    """Measured on the rig with jackd stopped 0.4 s every 1.9 s from outside (the healthy system,
    faults none): 3 of 7 runs FAILED "still recovering ... (never back to RUNNING)": the stops went
    on through the after-window, the system came back from each stall and was caught recovering
    from the latest. When the JACK server itself did not run for most of that stall's silence, the
    stall was the machine's: the steady state after was not observed (inconclusive), not "no".
    With the server seen running through the silence (or not watched), "no" stays."""
    system = _SlowRecovery(None)
    watch = SteadyWatch(system, 1.0, system.advance)
    system.clock.advance(5.0)
    system._to(State.RECOVERING, "DeviceStalledError: no audio block for 252 ms (47 periods)")
    watch.watch_after()
    system._to(State.RUNNING, "recovered")  # back just after the watch ended, then the run's stop:
    system._to(State.STOPPING, "stop")  # the audio is judged after it (measured: the stop was read)
    audio = _ServerWatched(idle_s)
    r = watch.judge_audio(audio)
    assert r.after == after, r
    assert "never back to RUNNING" in r.after_detail
    assert audio.asked == [(pytest.approx(4.748), 5.0)]
    if after == "not observed":
        assert r.after_detail.endswith("but it last left RUNNING with a stall the machine made (the JACK server did "
                                       "not run for 250 ms of its 252 ms without a block): whether it comes back "
                                       "from that was not observed")
        v = judge_run([{"name": "x", "ok": True}], steady=r.to_dict())
        assert v.outcome is Outcome.INCONCLUSIVE


@pytest.mark.parametrize("profile, seed, cause, untried", [
    ("default", 19, "start failed", ()),  # lifecycle calls started the system while its device was gone
    # a recovery gave up while a dropout was still going on, at 5.45 s of 20: failed to the end, the
    # system never took the pool's drain or the slow DSP stage held for it (nor had it before)
    ("hostile", 29, "recovery failed", ("buffer_exhaustion", "slow_dsp")),
])
def test_a_system_left_failed_by_the_faults_is_rolled_back_not_a_false_alarm(tmp_path, profile, seed, cause, untried):
    """Measured false alarms of the first version of the check (steady after "no" on healthy runs).
    No failure, no doubt; a kind the failed system never took (its faults held to the end) is named
    in the refusals' note."""
    spec = RunSpec(backend="sim", duration_s=20, seed=seed, faults=profile, run_dir=tmp_path / "run")
    result = ReliabilityRun(spec).execute(reports=False)
    st = result.summary["steady_state"]
    assert st["after"] == "yes" and "rolled back as an operator would" in st["after_detail"] and cause in st["after_detail"]
    assert result.verdict.ok, result.verdict.reasons
    # the kinds it never took are named in the refusals' note, each never acted
    refused = result.summary["faults"]["mostly_refused"]
    assert sorted(k for k, d in refused.items() if d["fired"] == 0) == list(untried)
    assert all(any(r.startswith("held to the run's end") for r in refused[k]["reasons"]) for k in untried)


class _FakeAudio:
    available = True

    def __init__(self, rows, last_end, windows=()):
        self.glitch_rows = rows
        self.last_glitch_end = last_end
        self.window_rows = list(windows)


def test_a_glitch_heard_inside_a_quiet_window_makes_it_unsteady():
    system = _FakeSystem(False)
    watch = SteadyWatch(system, 1.0, system.advance)
    watch.watch_before()
    watch.watch_after()
    clean = watch.judge_audio(_FakeAudio([], None))
    assert (clean.before, clean.after) == ("yes", "yes") and "clean audio" in clean.after_detail
    watch = SteadyWatch(system, 1.0, system.advance)
    watch.watch_before()
    t0 = watch.result.before_span[0]
    watch.watch_after()
    glitchy = watch.judge_audio(_FakeAudio([{"t_start": t0 + 0.5, "t_end": t0 + 0.51, "kind": "click"}],
                                           watch.result.after_span[0] + 0.2))
    assert glitchy.before == "no" and "click" in glitchy.before_detail
    assert glitchy.after == "not observed" and "glitch was heard" in glitchy.after_detail
    # the same glitch inside an operator-requested window (the start's own settling) is not unsteadiness
    watch = SteadyWatch(system, 1.0, system.advance)
    watch.watch_before()
    t0 = watch.result.before_span[0]
    watch.watch_after()
    started = watch.judge_audio(_FakeAudio([{"t_start": t0 + 0.5, "t_end": t0 + 0.51, "kind": "mute", "window": 0}],
                                           None, [{"window": 0, "kind": "requested"}]))
    assert started.before == "yes", started.before_detail


def test_a_glitch_that_began_after_the_last_quiet_window_is_not_in_it():
    """The stop follows the last quiet window at once; on the rig its silence is heard (a glitch
    that begins after the window): the window was quiet. A glitch that began inside it was not."""
    system = _FakeSystem(False)
    watch = SteadyWatch(system, 1.0, system.advance)
    watch.watch_before()
    watch.watch_after()
    t0, t1 = watch.result.after_span
    audio = _FakeAudio([], t1 + 0.2)
    audio.last_glitch_before = lambda t: None  # the only glitch began at the stop, after t1
    assert watch.judge_audio(audio).after == "yes"
    watch = SteadyWatch(system, 1.0, system.advance)
    watch.watch_before()
    watch.watch_after()
    t0, t1 = watch.result.after_span
    audio = _FakeAudio([], t1 + 0.2)
    audio.last_glitch_before = lambda t: t0 + 0.3
    assert watch.judge_audio(audio).after == "not observed"


def test_the_starts_own_fill_is_not_unsteadiness_but_a_later_or_longer_mute_is():
    """On the rig the capture hears from the system's start, so no requested window covers the
    first periods' silence (the loopback not yet carrying samples back): a mute that began as the
    window began and ended within the start's settling is the start's. A mute later in the window,
    or one that outlasts the settling, is still unsteadiness."""
    from harness.steady_state import START_FILL_S

    system = _FakeSystem(False)

    def judged(glitch_at: float, length: float) -> str:
        watch = SteadyWatch(system, 1.0, system.advance)
        watch.watch_before()
        t0 = watch.result.before_span[0]
        watch.watch_after()
        rows = [{"t_start": t0 + glitch_at, "t_end": t0 + glitch_at + length, "kind": "mute", "window": None}]
        return watch.judge_audio(_FakeAudio(rows, None, [])).before

    assert judged(0.004, 0.026) == "yes"  # measured: 1280 frames from 4 ms after the start
    assert judged(0.3, 0.026) == "no"  # the same silence later in the window
    assert judged(0.004, START_FILL_S) == "no"  # outlasting the start's settling


class _RestartsLate(_FakeSystem):
    """Quiet, but its last recovery returns to RUNNING at ``back_at``, inside the first step of
    the after-window (the transition reaches the watch as the system's observers get it)."""

    def __init__(self, back_at: float) -> None:
        super().__init__(False)
        self.back_at = back_at
        self.observers: list = []

    def add_observer(self, fn) -> None:
        self.observers.append(fn)

    def advance(self, s: float) -> None:
        before = self.clock.now()
        super().advance(s)
        if before < self.back_at <= self.clock.now():
            from system_under_test.lifecycle import TransitionRecord
            for fn in self.observers:
                fn(TransitionRecord(0, self.back_at, "system", State.RECOVERING, State.RUNNING, "recovered"))


def test_the_last_quiet_window_starts_a_settle_margin_after_the_last_restart():
    """Measured at 1024-frame blocks (hostile seed 115): the last recovery returned to RUNNING
    at 61.234 s, the window opened at the next step, 61.250 s, and the restart's own silence
    (until its first 21.3 ms block played) ended at 61.251 s, 1 ms into it: a healthy run made
    inconclusive. The window now starts no earlier than the settle margin after the last change
    of state, as the audio check closes that restart's window; the silence is then before it."""
    system = _RestartsLate(back_at=0.234)
    watch = SteadyWatch(system, 1.0, system.advance, margin_s=0.25)
    watch.watch_after()
    t0, t1 = watch.result.after_span
    assert t0 >= 0.234 + 0.25 - 1e-9, watch.result
    audio = _FakeAudio([], 0.251)
    audio.last_glitch_before = lambda t: 0.251  # the restart's silence, as the check heard it
    assert watch.judge_audio(audio).after == "yes"
    # a glitch after that margin is still in the window
    audio.last_glitch_before = lambda t: t0 + 0.01
    watch.result.after = "yes"
    assert watch.judge_audio(audio).after == "not observed"


@pytest.mark.parametrize("noticed_after_s, before", [
    (0.5, "not checked"),                   # inside the window
    (1.0 + EXTERNAL_GRACE_S / 2, "not checked"),  # after it, within the server watch's grace
    (1.0 + EXTERNAL_GRACE_S, "not checked"),      # at the grace's end
    (1.0 + EXTERNAL_GRACE_S + 0.25, "no"),        # later: not that window's, the system's unsteadiness
])
def test_a_window_an_outside_fault_fell_into_is_not_checked_not_blamed_on_the_system(noticed_after_s, before):
    """A fault from outside the harness (a JACK server killed by someone else) that fell into the
    window before the faults, noticed up to ``EXTERNAL_GRACE_S`` after that window's end (the
    server watch polls), makes that window "not checked": the steady state before it was not
    seen, and the run's verdict does not doubt the system for it. One noticed later is no
    excuse for a window that was not quiet."""
    system = _FakeSystem(True)  # an xrun every step: the window is not quiet
    watch = SteadyWatch(system, 1.0, system.advance)
    watch.watch_before()
    t0, t1 = watch.result.before_span
    assert (watch.result.before, t1 - t0) == ("no", pytest.approx(1.0))
    watch.external_faults = lambda: [t0 + noticed_after_s]
    r = watch.judge_audio(None)
    assert r.before == before, r.before_detail
    doubts = judge_run([{"name": "x", "ok": True}], steady=r.to_dict()).doubts
    assert any("not steady before the first fault" in d for d in doubts) is (before == "no")


def test_the_quiet_window_after_the_faults_starts_a_block_after_the_last_step_that_was_not(tmp_path):
    """A step's counters move at the callback, but its block sounds for a block's length after it:
    at 8192 frames and 48 kHz (171 ms) the last raising callback's silent block ran 8 ms into the
    quiet window that began at the next step, and the healthy run was "not observed" after its
    faults (inconclusive). Found by an outside user's run, ``soundcheck run --duration 20 --seed 30
    --faults hostile`` with ``stream.block_size = 8192`` and ``latency_ms = 200``."""
    config = {"stream": {"block_size": 8192, "latency_ms": 200.0}}
    spec = RunSpec(backend="sim", duration_s=20, seed=30, faults="hostile", config=config, run_dir=tmp_path / "run")
    result = ReliabilityRun(spec).execute(reports=False)
    steady = result.summary["steady_state"]
    assert steady["after"] == "yes", steady
    assert result.verdict.outcome == Outcome.PASS, result.verdict


class _ErrsInTheMargin:
    """RUNNING, its stream's blocks ``block_s`` long, with one callback error counted at
    ``error_at``: a raising fault's later block after the faults were disarmed."""

    def __init__(self, error_at: float, block_s: float) -> None:
        from system_under_test.clock import VirtualClock
        self.clock = VirtualClock()
        self.state = State.RUNNING
        self.errors = 0
        self.error_at = error_at
        self.config = type("C", (), {"block_seconds": block_s})()

    def metrics(self):
        return type("M", (), {"counters": {"errors": self.errors, "callback_errors": self.errors}})()

    def advance(self, s: float) -> None:
        before = self.clock.now()
        self.clock.advance(s)
        if before < self.error_at <= self.clock.now():
            self.errors += 1


def test_an_error_counted_in_the_settle_margin_keeps_the_quiet_window_a_block_after_it():
    """The watch stepped through the settle margin after the faults without reading the counters:
    at 8192 frames (hostile seed 88501, 20 s) a raising callback at 21.485 s, its silent 171 ms
    block to 21.651 s, fell in the margin (21.35..21.60 s); the quiet window opened at 21.600 s
    with that silence inside it, and the healthy run read "not observed". An error in the margin
    now counts as a step that was not quiet: the window opens after its block has sounded."""
    block_s = 8192 / 48_000
    system = _ErrsInTheMargin(error_at=0.135, block_s=block_s)
    watch = SteadyWatch(system, 1.0, system.advance, margin_s=0.25)
    watch.watch_after()
    r = watch.result
    assert r.after == "yes", r
    t0, _ = r.after_span
    assert t0 >= 0.25 + block_s - 1e-9, r
    audio = _FakeAudio([], 0.135 + block_s)
    audio.last_glitch_before = lambda t: 0.135 + block_s  # the raising callback's silent block
    assert watch.judge_audio(audio).after == "yes"


@pytest.mark.parametrize("margin_s", [0.3, 1.3])
def test_the_quiet_window_after_faults_that_never_moved_the_state_opens_exactly_at_the_margins_end(margin_s):
    """No transition seen (``changed_at`` never set: faults that left the system RUNNING), nothing
    counted: the window after the faults still waits out the settle margin, in which the last fault
    may still ring, and opens exactly at its end, not at the faults' end nor a step past the margin
    (a window opened early hears the last fault's ringing; one opened late needs longer than the
    run has). Margins that are not a whole number of the watch's steps, one under a second."""
    system = _ErrsInTheMargin(error_at=math.inf, block_s=256 / 48_000)
    system.clock.advance(5.0)  # the faults' end
    watch = SteadyWatch(system, 1.0, system.advance, margin_s=margin_s)
    watch.watch_after()
    assert watch.changed_at == -math.inf
    assert (watch.result.after, watch.result.after_span) == ("yes", [round(5.0 + margin_s, 6), round(6.0 + margin_s, 6)])


def test_a_healthy_8192_frame_hostile_run_whose_last_error_fell_in_the_settle_margin_passes(tmp_path):
    """The run that found it: ``run --duration 20 --seed 88501 --faults hostile`` with
    ``stream.block_size = 8192``, ``latency_ms = 200`` was INCONCLUSIVE ("a glitch was heard until
    t=21.651 s, inside the last quiet window (21.600..22.600 s)"). That error (21.485 s) was a
    corrupted callback a ``callback_raises`` asked for, still unspent when the faults ended at 21 s;
    the injector took it back as the faults ended (``fault_taken_back``), and now the device drops
    each such request as its firing's window ends, during the run, so no error comes
    after the faults and the window opens at the settle margin's end after the return to RUNNING
    (21.315 s): the margin's own rule is pinned by the ``_ErrsInTheMargin`` tests above."""
    config = {"stream": {"block_size": 8192, "latency_ms": 200.0}}
    spec = RunSpec(backend="sim", duration_s=20, seed=88501, faults="hostile", config=config,
                   run_dir=tmp_path / "run")
    result = ReliabilityRun(spec).execute(reports=False)
    steady = result.summary["steady_state"]
    assert steady["after"] == "yes", steady
    assert steady["after_span"][0] > 21.315, steady
    taken_back = [e for e in result.history if e.type == "note" and e.value == "fault_taken_back"]
    # each a request dropped as its firing's window ended, during the run
    # (9 of corrupted callbacks, 2 of an xrun's delay): nothing is left for the faults' end to take back
    assert len(taken_back) == 11 and all(0.0 < e.time - e.data["window_end"] <= 1e-9 for e in taken_back)
    assert sum("delay_s" in e.data for e in taken_back) == 2
    assert [e.time for e in result.history if e.type == "error" and e.time > 21.0] == []
    assert result.verdict.outcome == Outcome.PASS, result.verdict


@pytest.mark.parametrize("idle_s, before", [(0.25, "not checked"), (0.05, "no"), (None, "no")],
                         ids=["server_stopped", "server_ran", "not_known"])
def test_a_stall_the_machine_made_in_the_window_before_the_faults_is_not_the_systems_unsteadiness(idle_s, before):
    """The window before the faults read only the system's counters and state: a stall it left
    RUNNING with made it "no" (measured on the rig with jackd stopped 0.4 s every 1.9 s from
    outside: healthy runs "not steady before the first fault"), and a baseline "no" turns a
    steady state that did not return after the faults from a failure into a doubt. The same rule
    as after the faults: a stall over most of whose silence the JACK server itself did not run is
    the machine's, and the window says nothing of the system (not checked, as one a fault from
    outside fell into); with the server seen running (or not watched) the window stays "no"."""
    system = _SlowRecovery(0.6)

    def advance(s: float) -> None:  # the stall reported 0.3 s into the window, the system back at 0.6 s
        end = system.clock.now() + s
        if system.state is State.RUNNING and system.clock.now() < 0.3 <= end:
            system.clock.advance(0.3 - system.clock.now())
            system._to(State.RECOVERING, "DeviceStalledError: no audio block for 252 ms (47 periods)")
        system.advance(end - system.clock.now())

    watch = SteadyWatch(system, 1.0, advance)
    watch.watch_before()
    assert watch.result.before == "no", watch.result
    audio = _ServerWatched(idle_s)
    r = watch.judge_audio(audio)
    assert r.before == before, r
    assert audio.asked[0] == (pytest.approx(0.048), 0.3)
    if before == "not checked":
        assert r.before_detail.startswith("the system left RUNNING in the window with 1 stall(s) the machine made "
                                          "(the first: the JACK server did not run for 250 ms of its 252 ms without "
                                          "a block; t=0.50 s: state recovering"), r.before_detail
        assert r.before_detail.endswith("): the steady state before the faults was not seen"), r.before_detail
        v = judge_run([{"name": "x", "ok": True}], steady={**r.to_dict(), "after": "no", "after_detail": "x"})
        assert v.outcome is Outcome.FAIL  # with no doubt on the baseline, a steady state that never came back fails
