"""The recovery invariant judges the system's return after an outage the harness only observed.

An external fault (the rig's ``ServerWatch``'s ``server_crash``, its capture's ``server_outage``)
is recorded after the system found it: its record follows the transition to RECOVERING. Judged by
the state recorded before its record, every such outage hit a recovering system and was never
judged; ended when the rig heard the system again, the outage of a system that never recovers
never ended. Now: the state before an external fault is the one the episode begun at most
``EXTERNAL_LEAD_S`` before it left, the observed outage ends when its server serves again, and a
run that ends before the bound could be judged is inconclusive, not a silent pass. Hand-built
histories on the default recovery policy (max back-off 1 s: the bound is 1.5 s after the end).
The real rig's cases are in ``test_external_kills.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.faults import FaultRecord
from harness.history import History
from harness.invariants import check_recovery
from harness.rig.rig_target import ObservedOutages
from harness.runner import ReliabilityRun, RunSpec
from harness.verdict import Outcome


def _state(h: History, seq: int, t: float, a: str, b: str) -> None:
    h.record("transition", time=t, data={"seq": seq, "time": t, "component": "system", "from_state": a,
                                         "to_state": b, "cause": "", "actor": "system"})


def _observed(h: History, *, fired: float, back: float) -> None:
    """The ALSA route as measured: the capture last heard the system at ``fired``, the system's
    watchdog reported the stall 0.25 s later (RECOVERING), the capture's record of the outage came
    after that transition, and the server served again at ``back``."""
    _state(h, 1, 1.0, "starting", "running")
    _state(h, 2, fired + 0.25, "running", "recovering")
    outages = ObservedOutages(h, "rig")
    outages("begin", fired, "server shut down")
    outages("back", back, "")


@pytest.mark.parametrize("up_after", [0.4, 1.4])
def test_a_system_back_within_the_bound_after_an_observed_outage_is_judged_and_holds(up_after: float) -> None:
    h = History()
    _observed(h, fired=10.0, back=12.0)
    _state(h, 3, 12.0 + up_after, "recovering", "running")
    h.record("note", value="end", time=20.0)
    v = check_recovery(h)
    assert v.ok and not v.inconclusive, v
    assert "1 fault window(s) recovered in time" in v.message, v.message


def test_a_system_that_stays_down_after_the_observed_servers_return_is_violated() -> None:
    h = History()
    _observed(h, fired=10.0, back=12.0)
    h.record("note", value="end", time=20.0)
    v = check_recovery(h)
    assert not v.ok and not v.inconclusive, v
    (item,) = v.evidence
    assert item["why"] == "not running within 1.500 s after transient fault(s) ended"
    assert item["faults"] == ["server_outage@10.0000-12.0000"] and item["state_at_end"] == "recovering"


def test_a_system_back_only_past_the_bound_is_violated() -> None:
    h = History()
    _observed(h, fired=10.0, back=12.0)
    _state(h, 3, 13.6, "recovering", "running")
    h.record("note", value="end", time=20.0)
    v = check_recovery(h)
    assert not v.ok and not v.inconclusive, v


def test_a_run_that_ends_before_the_bound_after_an_observed_outage_is_inconclusive() -> None:
    h = History()
    _observed(h, fired=10.0, back=12.0)
    h.record("note", value="end", time=12.8)
    v = check_recovery(h)
    assert v.ok and v.inconclusive, v
    assert "whose server came back too near the run's end" in v.message, v.message
    (item,) = v.evidence
    assert item["why"] == "the run ended 0.800 s after the server came back, before the 1.500 s the system " \
                          "has to be running again"


def test_a_run_that_ends_early_with_the_system_already_back_is_judged_and_holds() -> None:
    h = History()
    _observed(h, fired=10.0, back=12.0)
    _state(h, 3, 12.3, "recovering", "running")
    h.record("note", value="end", time=12.8)
    v = check_recovery(h)
    assert v.ok and not v.inconclusive and "1 fault window(s) recovered in time" in v.message, v


def _crash(trigger: str, up_at: float) -> History:
    """The ``jack`` route: the system's device host saw the server go at 10.0 s, 30 ms before the
    watch's poll recorded it; the watch ends the record when the restarted server is ready (12.0)."""
    h = History()
    _state(h, 1, 1.0, "starting", "running")
    _state(h, 2, 10.0, "running", "recovering")
    rec = FaultRecord(firing_id="external-1", fault_id="external", kind="server_crash", target="system",
                      trigger=trigger, fired_at=10.03)
    h.fault_started(rec)
    rec.ended_at = 12.0
    h.fault_ended(rec)
    _state(h, 3, up_at, "recovering", "running")
    h.record("note", value="end", time=20.0)
    return h


def test_a_server_crash_the_watch_recorded_after_the_system_found_it_is_judged() -> None:
    held, late = check_recovery(_crash("external", 12.9)), check_recovery(_crash("external", 14.0))
    assert held.ok and not held.inconclusive and "1 fault window(s) recovered in time" in held.message, held
    assert not late.ok and not late.inconclusive, late
    # the rule is the external faults' alone: an injected fault recorded while the system was
    # already recovering is judged as before (by the state recorded before it: not judged)
    injected = check_recovery(_crash("At", 14.0))
    assert injected.ok and "0 fault window(s)" in injected.message, injected


def test_only_an_episode_begun_within_the_lead_before_an_external_fault_is_laid_on_it() -> None:
    """RECOVERING from an episode begun at most ``EXTERNAL_LEAD_S`` (5 s) before the outage was
    recorded: the system found the outage first, it was running when it hit. Begun longer before
    (stuck on something else), it was not running then: not the outage's to judge (part A judges
    the episode's length)."""
    def judged(began: float) -> str:
        h = History()
        _state(h, 1, 1.0, "starting", "running")
        _state(h, 2, began, "running", "recovering")
        outages = ObservedOutages(h, "rig")
        outages("begin", 10.0, "server shut down")
        outages("back", 12.0, "")
        h.record("note", value="end", time=15.0)
        return check_recovery(h).message

    assert "1 recovery problem(s)" in judged(5.0)  # at the lead's edge: the outage's, never back
    assert "0 fault window(s)" in judged(4.99)


def test_a_recovery_that_ran_out_of_attempts_on_the_dead_server_is_the_outages_one_that_gave_up_after_is_not() -> None:
    """The policy's attempts ran out while the server was down; the last one's open returned (and the
    failure was reported) 0.3 s after the server came back: the outage's, as a failure inside it is.
    A recovery whose last attempt began after the server was back gave up on a device that was there."""
    def verdict(last_attempt_at: float) -> object:
        h = History()
        _observed(h, fired=10.0, back=12.0)
        h.record("event", value="recovery_attempt", time=last_attempt_at, data={"attempt": 10})
        h.record("event", value="recovery_attempt_failed", time=12.3, data={"attempt": 10})
        h.record("event", value="recovery_failed", time=12.3, data={"reason": "attempts exhausted"})
        _state(h, 3, 12.3, "recovering", "failed")
        h.record("note", value="end", time=20.0)
        return check_recovery(h)

    ran_out = verdict(11.6)
    assert ran_out.ok and "0 fault window(s)" in ran_out.message, ran_out
    gave_up = verdict(12.1)
    assert not gave_up.ok and not gave_up.inconclusive, gave_up


def _never_back(h: History, *, fired: float) -> ObservedOutages:
    """An outage the rig's capture observed at ``fired`` whose server it never heard serve again."""
    _state(h, 1, 1.0, "starting", "running")
    outages = ObservedOutages(h, "rig")
    outages("begin", fired, "server shut down")
    return outages


def test_an_observed_outage_that_never_ends_is_inconclusive_and_named() -> None:
    """The server is down at the run's end: no return can be judged, and the verdict says which
    outage, never "0 fault window(s)" as a pass."""
    h = History()
    _never_back(h, fired=10.0)
    _state(h, 2, 10.25, "running", "recovering")
    _state(h, 3, 11.0, "recovering", "failed")
    h.record("note", value="end", time=20.0)
    v = check_recovery(h)
    assert v.ok and v.inconclusive, v
    assert v.message.startswith("1 observed outage(s) whose server was never seen back before the run ended "
                                "(server_outage (external-outage-1)): the system's return cannot be judged: "
                                "inconclusive; recoveries bounded"), v.message
    (item,) = v.evidence
    assert item["why"] == ("observed outage server_outage (external-outage-1) from t=10.000 s never ended: the "
                           "harness never saw its server serving again before the run ended, so the system's "
                           "return cannot be judged")
    assert item["system_said"] == "failed"
    # an outage that hit a system already stopped left nothing to come back to: no doubt
    h = History()
    _state(h, 1, 1.0, "starting", "running")
    _state(h, 2, 2.0, "running", "stopping")
    _state(h, 3, 2.1, "stopping", "stopped")
    ObservedOutages(h, "rig")("begin", 10.0, "server shut down")
    h.record("note", value="end", time=20.0)
    v = check_recovery(h)
    assert v.ok and not v.inconclusive, v


def test_a_system_that_says_running_while_its_outage_never_ended_is_named_as_such() -> None:
    """RUNNING at the end with the server never seen back: the system's word or the rig's lag
    (the rig's new client never opened at load 33 while the system ran 3.7 s after the kill)
    cannot be told apart, so it is a doubt, named, not a violation."""
    h = History()
    _never_back(h, fired=10.0)
    _state(h, 2, 10.25, "running", "recovering")
    _state(h, 3, 12.5, "recovering", "running")
    h.record("note", value="end", time=20.0)
    v = check_recovery(h)
    assert v.ok and v.inconclusive, v
    assert "; the system said it was running though the server of server_outage (external-outage-1) was " \
           "not seen back" in v.message, v.message
    (item,) = v.evidence
    assert item["why"].endswith("; the system said RUNNING at t=20.000 s (since t=12.500 s) though its server "
                                "was not seen back: its state cannot be vouched for"), item


def test_a_server_whose_restart_failed_is_an_outage_never_back() -> None:
    """The watch's restart failed: its record ends, not transient (the device did not come back)."""
    h = History()
    _state(h, 1, 1.0, "starting", "running")
    rec = FaultRecord(firing_id="external-1", fault_id="external", kind="server_crash", target="system",
                      trigger="external", fired_at=10.0)
    h.fault_started(rec)
    rec.ended_at, rec.transient = 12.0, False
    h.fault_ended(rec)
    h.record("note", value="end", time=20.0)
    v = check_recovery(h)
    assert v.ok and v.inconclusive, v
    (item,) = v.evidence
    assert item["outage"] == "server_crash (external-1)"
    assert "ended at t=12.000 s without its server coming back" in item["why"], item



def test_a_run_whose_observed_outage_never_ends_says_so_in_its_summary_and_reports(tmp_path: Path) -> None:
    """A simulated run whose history records, at 3 s, an outage a fake recorder observed and never
    saw end (as the rig's capture on a server that never came back): the system itself ran on,
    so its summary, the CLI's lines and both reports name the outage the recovery invariant could
    not judge, and the run is inconclusive, never a pass."""
    recorders: list[ObservedOutages] = []

    def hook(run: Any, system: Any, history: Any) -> None:
        if not recorders and system.clock.now() >= 3.0:
            recorders.append(ObservedOutages(history, "rig"))
            recorders[0]("begin", system.clock.now(), "the server's process is gone")

    result = ReliabilityRun(RunSpec(backend="sim", duration_s=6.0, seed=1, faults="none",
                                    report_root=tmp_path)).execute(on_chunk=hook)
    assert recorders and result.verdict.outcome is Outcome.INCONCLUSIVE, result.verdict.headline()
    assert result.verdict.inconclusive == ["recovery"], result.verdict.to_dict()
    summary = json.loads((result.run_dir / "summary.json").read_text())
    assert summary["outcome"] == "inconclusive" and summary["invariant_status"]["recovery"] == "inconclusive"
    (recovery,) = [v for v in summary["inconclusive"] if v["name"] == "recovery"]
    named = ("1 observed outage(s) whose server was never seen back before the run ended (server_outage "
             "(external-outage-1)): the system's return cannot be judged; the system said it was running "
             "though the server of server_outage (external-outage-1) was not seen back")
    assert recovery["message"].startswith(named), recovery["message"]
    report = json.loads((result.run_dir / "report.json").read_text())
    assert report["verdict"]["outcome"] == "inconclusive" and report["verdict"]["inconclusive"] == ["recovery"]
    page = (result.run_dir / "report.html").read_text()
    assert "server_outage (external-outage-1)" in page and "INCONCLUSIVE" in page


def test_a_system_failed_while_its_servers_outage_never_ended_is_not_a_steady_state_that_did_not_return(
        tmp_path: Path) -> None:
    """The device goes at 3 s with an outage observed (a fake recorder) and neither comes back:
    the system gives up at its recovery deadline. Not back to RUNNING with its server still gone
    is no failure of the system's steady state: it is not observed, naming the outage."""
    recorders: list[ObservedOutages] = []

    def hook(run: Any, system: Any, history: Any) -> None:
        if not recorders and system.clock.now() >= 3.0:
            recorders.append(ObservedOutages(history, "rig"))
            recorders[0]("begin", system.clock.now(), "the server's process is gone")
            system.backend.remove_device("sim-in", report=True)

    result = ReliabilityRun(RunSpec(backend="sim", duration_s=6.0, seed=1, faults="none",
                                    report_root=tmp_path)).execute(on_chunk=hook, reports=False)
    steady = result.summary["steady_state"]
    assert result.summary["final_state"] == "closed" and steady["before"] == "yes", steady
    assert steady["after"] == "not observed", steady
    assert steady["after_detail"].startswith("the system was still failed "), steady
    assert steady["after_detail"].endswith("; but the server of server_outage (external-outage-1) (an outage from "
                                           "outside the harness) was not seen back before the run ended: with its "
                                           "device gone the system cannot be steady, and its return cannot be "
                                           "judged"), steady
    assert not any(d.startswith("steady state did not return") for d in result.verdict.failures), result.verdict
    assert result.summary["device_losses"]["unexplained_count"] == 0  # the outage explains the loss


def test_the_headline_names_each_inconclusive_checks_reason_on_every_surface(tmp_path: Path, capsys: Any,
                                                                              monkeypatch: Any) -> None:
    """``soundcheck run`` on the simulated device whose history records, at 3 s, an outage of the
    server ``jack`` never seen back: the CLI's last line, ``summary.json``'s headline, and
    ``report.json``'s and ``report.html``'s verdict each say why ``recovery`` is inconclusive in the
    same one line, not "inconclusive: recovery" alone."""
    from harness.cli import main

    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "h.sqlite"))
    execute = ReliabilityRun.execute
    recorders: list[ObservedOutages] = []

    def hook(run: Any, system: Any, history: Any) -> None:
        if not recorders and system.clock.now() >= 3.0:
            recorders.append(ObservedOutages(history, "jack"))
            recorders[0]("begin", 3.3, "the server's process is gone")

    monkeypatch.setattr(ReliabilityRun, "execute", lambda self, **kw: execute(self, **{**kw, "on_chunk": hook}))
    code = main(["run", "--backend", "sim", "--duration", "6", "--seed", "1", "--faults", "none",
                 "--report-dir", str(tmp_path / "runs")])
    (run_dir,) = (tmp_path / "runs").iterdir()
    assert code == 3
    named = "inconclusive: recovery (outage of jack at t=3.30 s never seen back)"
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith(f"  INCONCLUSIVE: {named}; run folder: "), last
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["verdict"]["headline"] == f"INCONCLUSIVE: {named}", summary["verdict"]
    report = json.loads((run_dir / "report.json").read_text())
    assert report["verdict"]["headline"] == f"INCONCLUSIVE: {named}", report["verdict"]
    page = (run_dir / "report.html").read_text()
    assert f"this run cannot vouch for the system: {named}" in page
    # and a report rebuilt from the run folder by ``soundcheck report`` says the same
    (run_dir / "report.json").unlink()
    assert main(["report", str(run_dir)]) == 3
    rebuilt = json.loads((run_dir / "report.json").read_text())
    assert rebuilt["verdict"]["headline"] == f"INCONCLUSIVE: {named}", rebuilt["verdict"]


def test_an_outage_never_seen_back_that_hit_a_stopped_system_still_leaves_the_steady_state_after_unobserved() -> None:
    """Measured with the CLI on the user's rig (seed 24, ``kill -9`` of jackd 15 s in, its restart
    refused by JACK: "server already active"): the kill hit while a lifecycle storm had the system
    stopped, the storm's ``start`` then found no device until the run ended. The recovery
    invariant rightly has no doubt there (nothing to come back to), but the steady state after the
    faults read its never-back outages from that doubt alone: "never back to RUNNING", the outage
    named nowhere, a FAIL for a run steady before its faults. Every observed outage that never
    ended counts there."""
    from harness.runner import outages_never_back
    from harness.steady_state import SteadyWatch
    from system_under_test import State
    from system_under_test.clock import VirtualClock

    h = History()
    _state(h, 1, 1.0, "starting", "running")
    _state(h, 2, 9.0, "running", "stopping")  # the storm's stop
    _state(h, 3, 9.1, "stopping", "stopped")
    outages = ObservedOutages(h, "rig")
    outages("begin", 10.0, "server shut down")
    _state(h, 4, 12.0, "stopped", "starting")  # the storm's start: no device
    _state(h, 5, 14.0, "starting", "failed")
    h.record("note", value="end", time=20.0)
    v = check_recovery(h)
    assert v.ok and not v.inconclusive, v  # the invariant's own rule stands
    never_back = outages_never_back([v], outages)
    assert never_back == ["server_outage (external-outage-1)"]

    class _Failed:
        clock = VirtualClock()
        state = State.FAILED

        def metrics(self) -> Any:
            return type("M", (), {"counters": {}})()

    system = _Failed()
    watch = SteadyWatch(system, 1.0, system.clock.advance)
    watch.watch_after()
    assert watch.result.after == "no"
    r = watch.judge_audio(None, outages_open=never_back)
    assert r.after == "not observed", r
    assert "the server of server_outage (external-outage-1)" in r.after_detail
