"""A device lost with nothing to explain it is never a silent pass (``harness.device_losses``).

Histories built by hand pin the windows' edges; the simulated runs (virtual clock, seeded) show
the rule end to end: a loss made behind the harness's back is a doubt named in the verdict,
``summary.json`` and ``report.json``, and the injected dropouts' losses are explained. The real
rig's cases are in ``test_external_kills.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.device_losses import EXTERNAL_LEAD_S, LOSS_TAIL_S, LOSSES_LISTED, device_losses, summary_of
from harness.faults import FaultRecord
from harness.history import History
from harness.invariants import Verdict
from harness.rig.rig_target import ObservedOutages
from harness.runner import ReliabilityRun, RunSpec
from harness import SoakRunner, SoakSpec
from harness.cli import main
from harness.verdict import EXIT_CODES, Outcome, judge_run
from lossy_system import LosesItsDevice


def _loss(h: History, t: float, device: str = "sim-in") -> None:
    h.record("error", value="error", time=t, data={
        "error": {"type": "DeviceLostError", "message": f"simulated device {device!r} disappeared",
                  "component": "device", "details": {"device": device}},
        "severity": "CRITICAL", "component": "device"})


def _fault(h: History, kind: str, fired: float, ended: float | None, *, trigger: str = "At", fid: str = "") -> None:
    rec = FaultRecord(firing_id=fid or f"{kind}@{fired}", fault_id=kind, kind=kind, target="sim-in",
                      trigger=trigger, fired_at=fired)
    h.fault_started(rec)
    if ended is not None:
        rec.ended_at = ended
        h.fault_ended(rec)


def _state(h: History, seq: int, t: float, a: str, b: str) -> None:
    h.record("transition", time=t, data={"seq": seq, "time": t, "component": "system", "from_state": a,
                                         "to_state": b, "cause": "", "actor": "system"})


def _explained(h: History) -> list[bool]:
    return [x.explained_by is not None for x in device_losses(h)]


def test_a_loss_with_no_fault_at_all_is_unexplained_and_named() -> None:
    h = History()
    h.record("note", value="start", time=10.0)
    _loss(h, 14.5, "system")
    (loss,) = device_losses(h)
    assert loss.explained_by is None
    assert loss.device == "system" and loss.time == 14.5 and loss.into_run_s == pytest.approx(4.5)
    assert "'system' lost at t=14.500 s (4.50 s into the run)" in loss.describe()


def test_a_loss_in_a_device_faults_window_or_within_the_tail_after_it_is_explained() -> None:
    h = History()
    _fault(h, "dropout", 1.0, 1.5)
    _loss(h, 1.0053)                      # one period after the firing
    _loss(h, 1.5 + LOSS_TAIL_S - 0.01)    # found out late, inside the tail
    _loss(h, 1.5 + LOSS_TAIL_S + 0.01)    # past it: nothing explains it
    assert _explained(h) == [True, True, False]
    assert "dropout" in (device_losses(h)[0].explained_by or "")


def test_a_fault_that_acts_on_the_system_not_the_device_explains_no_loss() -> None:
    """A device host that died 20-50 ms after a reconfiguration storm was the system's bug (it
    died with the thread that forked it): a lifecycle fault's window excuses no loss."""
    h = History()
    _fault(h, "lifecycle_calls", 5.0, 5.2)
    _fault(h, "slow_dsp", 4.0, 6.0)
    _loss(h, 5.23)
    assert _explained(h) == [False]


def test_an_observed_outage_explains_a_loss_found_a_little_before_it_was_recorded() -> None:
    """The server watch and the capture record an outage after it happened (they poll): a loss
    the system reported first is still the outage's, within ``EXTERNAL_LEAD_S``; an injected
    fault is recorded as it fires and gets no such lead."""
    h = History()
    _fault(h, "server_crash", 20.0, 22.0, trigger="external")
    _fault(h, "dropout", 40.0, 40.5)
    _loss(h, 20.0 - 0.03)
    _loss(h, 20.0 - EXTERNAL_LEAD_S - 0.01)
    _loss(h, 40.0 - 0.01)
    assert _explained(h) == [True, False, False]


def test_a_loss_at_the_very_moment_its_window_opens_is_explained() -> None:
    """A window holds its first instant: a loss recorded at the very tick its device fault fired,
    or exactly ``EXTERNAL_LEAD_S`` before an outage was recorded, is explained; a millisecond
    earlier, with no other window open, it is not."""
    h = History()
    _fault(h, "dropout", 1.0, 1.5)
    _fault(h, "server_outage", 20.0, 21.0, trigger="external")
    _loss(h, 1.0)
    _loss(h, 20.0 - EXTERNAL_LEAD_S)
    _loss(h, 0.999)
    _loss(h, 20.0 - EXTERNAL_LEAD_S - 0.001)
    assert _explained(h) == [True, True, False, False]


def test_an_outage_whose_end_was_never_heard_explains_the_losses_to_the_end_of_the_run() -> None:
    h = History()
    _fault(h, "server_outage", 3.0, None, trigger="external")
    _loss(h, 30.0)
    assert _explained(h) == [True]


def test_a_loss_during_the_recovery_episode_a_fault_began_is_that_faults() -> None:
    """The stream that dies again as the server comes back, long after the fault's end, belongs
    to the episode the fault began; a loss after that episode ended (and the tail) does not."""
    h = History()
    _fault(h, "dropout", 1.0, 1.2)
    _state(h, 1, 1.01, "running", "recovering")
    _loss(h, 1.005)
    _loss(h, 9.0)                         # still recovering: the same episode
    _state(h, 2, 10.0, "recovering", "running")
    _loss(h, 10.0 + LOSS_TAIL_S + 0.5)    # the episode is over
    assert _explained(h) == [True, True, False]


def test_a_device_fault_fired_while_the_system_was_failed_is_the_first_streams_after_it_runs_again() -> None:
    """A simulated xrun's late callback waits on the device for the next stream: fired while the
    system was FAILED, it delays the first callback of the stream a recovery opens seconds later
    (``run --seed 9021 --faults default``: an xrun at 43.15 s, the system FAILED from 42.24 s to
    46.92 s, a stall 21 ms after it ran again). The window stretches over the stretch the system
    was not running; a stall after that stretch and the tail is still unexplained."""
    h = History()
    _state(h, 1, 42.24, "running", "failed")
    _fault(h, "xrun", 43.15, 43.15)
    _state(h, 2, 46.916, "failed", "recovering")
    _state(h, 3, 46.916, "recovering", "running")
    _stall(h, 46.9375, silent_s=0.0213, device="device")
    _stall(h, 46.916 + LOSS_TAIL_S + 0.5, silent_s=0.0213, device="device")
    assert _explained(h) == [True, False]


def test_a_device_fault_fired_while_the_system_was_down_to_the_end_explains_its_later_losses() -> None:
    """A run that ends with the system still down (FAILED since before the fault): each recovery
    attempt may lose the device again, long after the fault's end and its tail. The fault fired
    into a stretch the system never came back from, so its window runs to the end of the run."""
    h = History()
    _state(h, 1, 10.0, "running", "failed")
    _fault(h, "dropout", 11.0, 11.2)
    _loss(h, 11.1)
    _loss(h, 11.2 + LOSS_TAIL_S + 10.0)   # a recovery attempt, still down
    h.record("note", value="end", time=40.0)
    assert _explained(h) == [True, True]


def test_each_firing_of_a_fault_fired_twice_explains_the_losses_of_its_own_window() -> None:
    """A fault with ``count = 2`` fires twice under one ``fault_id``: each firing (its own
    ``firing_id``) opens its own window, and the quiet stretch between them explains nothing."""
    h = History()
    _fault(h, "dropout", 1.0, 1.5, fid="dropout#1")
    _fault(h, "dropout", 30.0, 30.5, fid="dropout#2")
    _loss(h, 1.1)
    _loss(h, 15.0)
    _loss(h, 30.2)
    assert _explained(h) == [True, False, True]


def test_the_verdict_doubts_an_unexplained_loss_and_notes_an_explained_one() -> None:
    h = History()
    _fault(h, "dropout", 1.0, 1.5)
    _loss(h, 1.1)
    _loss(h, 8.0, "sim-out")
    losses = summary_of(device_losses(h))
    assert losses["count"] == 2 and losses["explained"] == 1 and losses["unexplained_count"] == 1
    v = judge_run([{"name": "recovery", "ok": True}], device_losses=losses)
    assert v.outcome is Outcome.INCONCLUSIVE and v.exit_code == 3
    assert "device loss(es) with nothing to explain them" in v.headline()
    assert "'sim-out' lost at t=8.000 s" in v.headline()
    # the dropout's loss is the run's own doing: counted, never a note (``test_loss_notes.py``)
    assert not any("each explained" in n for n in v.notes)
    only_explained = summary_of(device_losses(_history_with_one_explained_loss()))
    ok = judge_run([{"name": "recovery", "ok": True}], device_losses=only_explained)
    assert ok.outcome is Outcome.PASS and ok.doubts == () and ok.notes == ()


def test_the_doubt_counts_every_unexplained_loss_not_only_those_summary_json_lists() -> None:
    """``summary.json`` lists the first ``LOSSES_LISTED`` unexplained losses one by one and
    counts them all: the verdict, read back from it (a rebuilt report, the run-history), says how
    many there were, not how many were listed."""
    h = History()
    h.record("note", value="start", time=0.0)
    n = LOSSES_LISTED + 12
    for k in range(n):
        _loss(h, 10.0 + 10.0 * k)  # 10 s apart: no fault anywhere
    losses = summary_of(device_losses(h))
    assert (losses["unexplained_count"], len(losses["unexplained"])) == (n, LOSSES_LISTED)
    v = judge_run([{"name": "recovery", "ok": True}], device_losses=json.loads(json.dumps(losses)))
    assert v.outcome is Outcome.INCONCLUSIVE
    (doubt,) = v.doubts
    assert doubt.startswith(f"{n} device loss(es) with nothing to explain them"), doubt
    assert doubt.endswith(f"(and {n - 3} more)"), doubt


def _history_with_one_explained_loss() -> History:
    h = History()
    _fault(h, "dropout", 1.0, 1.5)
    _loss(h, 1.1)
    return h


def test_observed_outages_are_recorded_as_external_faults() -> None:
    h = History()
    outages = ObservedOutages(h, "soundcheck-rig-0")
    outages("begin", 5.0, "server shut down")
    outages("begin", 5.1, "the same outage, reported again")
    outages("end", 7.5, "")
    outages("end", 8.0, "")  # nothing open: nothing recorded
    (fault,) = h.faults()
    assert fault["kind"] == "server_outage" and fault["trigger"] == "external"
    assert (fault["fired_at"], fault["ended_at"]) == (5.0, 7.5)
    assert fault["details"]["server"] == "soundcheck-rig-0" and "server shut down" in fault["details"]["why"]
    _loss(h, 5.2, "system")
    assert _explained(h) == [True]


# -- simulated runs (virtual clock, seeded) ----------------------------------------------------------

def _lose_device_behind_the_harness(at_s: float) -> Any:
    """An ``on_chunk`` hook that removes ``sim-in`` once, at the first chunk past ``at_s`` (no fault
    record: as a driver dropping the device), and gives it back 0.3 s later."""
    done: list[float] = []

    def hook(run: Any, system: Any, history: Any) -> None:
        if not done and system.clock.now() >= at_s:
            done.append(system.clock.now())
            system.backend.remove_device("sim-in", report=True)
            system.clock.call_later(0.3, lambda: system.backend.restore_device("sim-in"))
    return hook


def test_a_simulated_device_lost_with_no_fault_is_never_a_pass(tmp_path: Path) -> None:
    run = ReliabilityRun(RunSpec(backend="sim", duration_s=6.0, seed=1, faults="none", report_root=tmp_path))
    result = run.execute(on_chunk=_lose_device_behind_the_harness(3.0))
    assert result.verdict.outcome is not Outcome.PASS
    (doubt,) = [d for d in result.verdict.doubts if "nothing to explain" in d]
    assert "device 'sim-in' lost at t=" in doubt and "DeviceLostError" in doubt
    summary = json.loads((result.run_dir / "summary.json").read_text())
    assert summary["device_losses"]["unexplained_count"] == 1
    assert doubt in summary["verdict"]["doubts"]
    report = json.loads((result.run_dir / "report.json").read_text())
    assert doubt in report["verdict"]["doubts"]
    page = (result.run_dir / "report.html").read_text()
    assert "device loss(es) with nothing to explain them" in page and "lost at t=3.005 s" in page
    # rebuilt from the run folder (`soundcheck report`), the verdict doubts it still
    (result.run_dir / "report.json").unlink()
    assert main(["report", str(result.run_dir), "--no-history"]) == EXIT_CODES[result.verdict.outcome]
    assert doubt in json.loads((result.run_dir / "report.json").read_text())["verdict"]["doubts"]


def test_the_simulated_devices_injected_dropouts_are_explained(tmp_path: Path) -> None:
    profile = tmp_path / "dropouts.toml"
    profile.write_text('name = "dropouts"\ncheck_every_s = 0.25\n[probabilities]\ndropout = 0.3\n'
                       '[params.dropout]\nduration_s = [0.05, 0.4]\n')
    run = ReliabilityRun(RunSpec(backend="sim", duration_s=10.0, seed=3, faults=str(profile), report_root=tmp_path))
    result = run.execute(reports=False)
    losses = result.summary["device_losses"]
    assert losses["count"] >= 2 and losses["unexplained_count"] == 0, losses
    assert not [d for d in result.verdict.doubts if "nothing to explain" in d]
    assert losses["injected"] == losses["count"]  # the run's own dropouts: no note of them
    assert not any("each explained" in n for n in result.verdict.notes)


def test_an_injected_starved_input_is_a_stall_the_system_recovers_from_and_its_window_explains(tmp_path: Path) -> None:
    """The simulated device calling back with no input (``input_starved``): the system reports each
    as a stall and recovers; every stall lies in its fault's window, and the run passes with
    every invariant held (its silence inside those windows)."""
    profile = tmp_path / "starved.toml"
    profile.write_text('name = "starved"\ncheck_every_s = 0.25\n[probabilities]\ninput_starved = 0.1\n'
                       '[params.input_starved]\nduration_s = [0.05, 0.6]\n')
    run = ReliabilityRun(RunSpec(backend="sim", duration_s=10.0, seed=2, faults=str(profile), report_root=tmp_path))
    result = run.execute(reports=False)
    assert result.summary["faults"]["by_kind"] == {"input_starved": 2}
    losses = result.summary["device_losses"]
    assert losses["count"] >= 2 and losses["unexplained_count"] == 0, losses
    assert {x["kind"] for x in losses["items"]} == {"stalled"}
    assert all("input_starved" in (x["explained_by"] or "") for x in losses["items"]), losses["items"]
    assert result.verdict.outcome is Outcome.PASS, result.verdict


def test_a_loss_behind_the_harness_among_injected_dropouts_is_the_one_flagged(tmp_path: Path) -> None:
    """Seed 3 of this profile draws a dropout 1.08 s into the faults' time line and the next at
    12.72 s (after the 1 s steady-state window: 2.08 s and 13.72 s on the run's clock); a loss made
    behind the harness's back at the first chunk from 7 s on lies far from both: that one alone is
    unexplained."""
    profile = tmp_path / "sparse.toml"
    profile.write_text('name = "sparse"\ncheck_every_s = 0.25\n[probabilities]\ndropout = 0.05\n'
                       '[params.dropout]\nduration_s = [0.05, 0.2]\n')
    run = ReliabilityRun(RunSpec(backend="sim", duration_s=16.0, seed=3, faults=str(profile), report_root=tmp_path))
    drawn = [round(f.trigger.time, 2) for f in run.schedule.faults]
    assert drawn[:2] == [1.08, 12.72], drawn  # the draw this test's times are chosen for
    result = run.execute(on_chunk=_lose_device_behind_the_harness(7.0), reports=False)
    losses = result.summary["device_losses"]
    assert losses["unexplained_count"] == 1 and losses["explained"] >= 1, losses
    (flagged,) = [x for x in losses["items"] if x["explained_by"] is None]
    assert 7.0 <= flagged["time"] < 9.0, flagged
    assert any("nothing to explain" in d and "'sim-in'" in d for d in result.verdict.doubts)


class _LosesItsDeviceOnce(LosesItsDevice):
    """The shipped system on a simulated device that drops ``sim-in`` once, 5 s after the system
    first starts, and gives it back 0.3 s later: a driver's doing, no fault record."""

    AFTER_S = 5.0
    FOR_S = 0.3


def test_a_soaks_report_rebuilt_from_its_journal_still_doubts_the_loss(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    spec = SoakSpec(duration_s=20.0, seed=3, faults="none", checkpoint_s=10.0, run_dir=tmp_path / "soak")
    result = SoakRunner(spec, system_factory=_LosesItsDeviceOnce).start()
    report = json.loads((tmp_path / "soak" / "report.json").read_text())
    doubts = [d for d in report["verdict"]["doubts"] if "nothing to explain" in d]
    assert len(doubts) == 1 and "device 'sim-in' lost at t=" in doubts[0], report["verdict"]
    assert result.verdict.outcome is not Outcome.PASS


def test_check_all_feeds_a_reader_every_entry_once_in_order_from_a_streamed_history(tmp_path: Path) -> None:
    """A history that keeps only a window in memory is streamed back from its file for the
    entries it evicted: a reader passed to ``check_all`` (``also``) sees every index exactly once,
    in order, and a ``LossFold`` fed so finds the losses ``device_losses`` finds in a pass of its own."""
    from harness.device_losses import LossFold
    from harness.invariants import check_all

    h = History(stream_to=tmp_path / "history.jsonl", keep=4)
    h.record("note", value="start", time=10.0)
    _fault(h, "dropout", 12.0, 12.5)
    _loss(h, 12.2)
    for i in range(20):
        h.record("note", value=f"n{i}", time=13.0 + i)
    _loss(h, 40.0, "system")
    assert h.first_index > 0  # the first entries are read back from the file

    seen: list[int] = []

    class Reader:
        def feed(self, e: Any) -> None:
            seen.append(e.index)

    fold = LossFold()
    check_all(h, also=(Reader(), fold))
    h.close()
    assert seen == list(range(len(h)))
    got = [(x.time, x.device, x.explained_by is not None) for x in fold.result(h.end_time)]
    assert got == [(x.time, x.device, x.explained_by is not None) for x in device_losses(h)]
    assert got == [(12.2, "sim-in", True), (40.0, "system", False)]


def test_a_runs_device_losses_are_folded_in_the_invariants_one_pass(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """At a run's end the history is read once for the invariants and the device losses
    together: every entry reaches the run's ``LossFold`` exactly once, within ``check_all``'s pass
    (a long soak's history is streamed back from its file, so a second pass is a second read)."""
    import harness.runner as runner_mod
    from harness.device_losses import LossFold

    passes = [0, 0]  # passes over a history opened so far, the one yielding now
    original_iter = History.__iter__

    def counted_iter(self: History) -> Any:
        passes[0] += 1
        n = passes[0]
        for e in original_iter(self):
            passes[1] = n
            yield e

    fed: list[tuple[int, int]] = []
    original_feed = LossFold.feed

    def feed(self: LossFold, e: Any) -> None:
        fed.append((passes[1], e.index))
        original_feed(self, e)

    within: list[tuple[int, int, int]] = []
    original_check_all = runner_mod.check_all

    def check_all(history: Any, *a: Any, **kw: Any) -> Any:
        before = passes[0]
        out = original_check_all(history, *a, **kw)
        within.append((before, passes[0], len(history)))
        return out

    monkeypatch.setattr(History, "__iter__", counted_iter)
    monkeypatch.setattr(LossFold, "feed", feed)
    monkeypatch.setattr(runner_mod, "check_all", check_all)
    run = ReliabilityRun(RunSpec(backend="sim", duration_s=3.0, seed=1, faults="default", report_root=tmp_path))
    run.execute(on_chunk=_lose_device_behind_the_harness(2.0), reports=False)
    ((before, after, entries),) = within
    assert after == before + 1  # check_all read the history once
    assert {p for p, _ in fed} == {after}  # and the losses were folded in that very pass
    assert [i for _, i in fed] == list(range(entries))


# -- stalls: how ALSA's ``jack`` PCM loses its server (judged as losses are) ---------------------------

def _stall(h: History, t: float, silent_s: float = 0.251, device: str = "jack") -> None:
    h.record("error", value="error", time=t, data={
        "error": {"type": "DeviceStalledError", "message": f"no audio block for {silent_s * 1000:.0f} ms",
                  "component": "device", "details": {"silent_s": silent_s, "device": device}},
        "severity": "CRITICAL", "component": "device"})


def test_a_stall_with_nothing_to_explain_it_is_a_doubt_named_as_a_stall() -> None:
    """The ALSA route's killed server, unobserved: the system saw a stall, not a loss. Before, only
    ``DeviceLostError`` was judged and such a run passed with the stall unsaid."""
    h = History()
    h.record("note", value="start", time=10.0)
    _stall(h, 14.5)
    (stall,) = device_losses(h)
    assert stall.explained_by is None and stall.kind == "stalled"
    assert "device 'jack' stalled at t=14.500 s (4.50 s into the run)" in stall.describe()
    summary = summary_of([stall])
    assert (summary["count"], summary["stalls"], summary["unexplained_count"]) == (1, 1, 1)
    v = judge_run([], device_losses=summary)
    assert v.outcome is Outcome.INCONCLUSIVE
    (doubt,) = [d for d in v.doubts if "nothing to explain" in d]
    assert doubt.startswith("1 device loss(es) or stall(s) with nothing to explain them") and "stalled at" in doubt


def test_a_stall_in_an_observed_outage_recorded_after_it_is_explained_and_noted() -> None:
    """Measured on the ALSA route: the capture's outage begins at its last hearing, 0.24 s before the
    stall report, and is recorded at the run's next poll, after it."""
    h = History()
    h.record("note", value="start", time=10.0)
    _stall(h, 20.25)
    outages = ObservedOutages(h, "rig")
    outages("begin", 20.0, "server shut down")
    outages("back", 22.0, "")
    outages("end", 22.4, "")
    (stall,) = device_losses(h)
    assert stall.explained_by is not None and "server_outage (external)" in stall.explained_by
    v = judge_run([Verdict("recovery", True, [], "held")], device_losses=summary_of([stall]))
    assert v.outcome is Outcome.PASS, v.headline()
    assert any(n.startswith("1 device loss(es) or stall(s), each explained") and "'jack' stalled at" in n
               for n in v.notes), v.notes


@pytest.mark.parametrize("reports, explained", [(12, True), (0, False), (None, False)],
                         ids=["xruns_over_it", "no_xrun", "reports_let_go"])
def test_a_stall_over_which_jack_reported_xruns_is_the_machines(reports: int | None, explained: bool) -> None:
    """A loaded machine starves the whole JACK graph (measured: 250 ms without a block, 20 JACK xrun
    reports over it): explained by the machine. No report, or reports no longer known: unexplained."""
    h = History()
    h.record("note", value="start", time=10.0)
    _stall(h, 14.5, silent_s=0.26)
    asked: list[tuple[float, float]] = []

    def machine(t0: float, t1: float) -> int | None:
        asked.append((t0, t1))
        return reports

    (stall,) = device_losses(h, machine)
    assert asked == [(pytest.approx(14.24), 14.5)]
    assert (stall.explained_by is not None) is explained
    if explained:
        assert stall.explained_by == "the machine: 12 JACK xrun report(s) over the 260 ms without a block"


def test_jacks_xrun_reports_never_explain_a_loss() -> None:
    """A device host that died is no starved graph: the machine's reports explain stalls only."""
    h = History()
    h.record("note", value="start", time=10.0)
    _loss(h, 14.5, "system")
    assert [x.explained_by for x in device_losses(h, lambda t0, t1: 40)] == [None]


def test_observed_outages_end_when_the_server_is_back_not_when_the_system_is_heard_again() -> None:
    """The recovery invariant counts the system's bound from the outage's end: the server's return
    (the rig's new client opened), so a system that never comes back still has an outage that ended."""
    h = History()
    outages = ObservedOutages(h, "rig")
    outages("begin", 5.0, "server shut down")
    outages("back", 6.5, "")
    outages("back", 6.9, "")  # told once per outage: a second is ignored
    (fault,) = h.faults()
    assert (fault["fired_at"], fault["ended_at"]) == (5.0, 6.5)
    outages("end", 7.5, "")
    assert outages.records[0].details["heard_again_at"] == 7.5
    assert [e.type for e in h.entries].count("fault_end") == 1
    outages("begin", 9.0, "server shut down")  # the next outage is one of its own
    assert len(outages.records) == 2


def test_a_simulated_device_stalled_behind_the_harness_is_never_a_pass(tmp_path: Path) -> None:
    """``sim-in`` stalled (no fault record) for 0.5 s at 3 s of a 6 s run: the system recovers and the
    run names the stalls it cannot explain (the listening check fails the silence on this device
    too, as it does a loss)."""
    done: list[float] = []

    def hook(run: Any, system: Any, history: Any) -> None:
        if not done and system.clock.now() >= 3.0:
            done.append(system.clock.now())
            system.backend.stall("sim-in")
            system.clock.call_later(0.5, lambda: system.backend.unstall("sim-in"))

    result = ReliabilityRun(RunSpec(backend="sim", duration_s=6.0, seed=1, faults="none",
                                    report_root=tmp_path)).execute(on_chunk=hook)
    losses = result.summary["device_losses"]
    assert done and losses["stalls"] >= 1 and losses["unexplained_count"] == losses["stalls"], losses
    assert result.verdict.outcome is not Outcome.PASS, result.verdict.headline()
    (doubt,) = [d for d in result.verdict.doubts if "nothing to explain" in d]
    # the system's watchdog names the devices its stream was opened on (a duplex stream's silence
    # is not one side's), in the history's error and the verdict's doubt
    assert "device 'sim-in/sim-out' stalled at t=3.0" in doubt and "DeviceStalledError: no callback for" in doubt, doubt
    stalls = [e for e in result.history if e.type == "error" and e.data["error"]["type"] == "DeviceStalledError"]
    assert stalls and all({k: e.data["error"]["details"][k] for k in ("device", "input_device", "output_device")}
                          == {"device": "sim-in/sim-out", "input_device": "sim-in", "output_device": "sim-out"}
                          for e in stalls), stalls[0].data


# -- whose xrun: a stall the system's own callback held is not the machine's ----------------------

#: the rig's period (256 frames at 48 kHz)
PERIOD_S = 256 / 48000


def _own_stall(h: History, t: float, silent_s: float, running_s: float, device_calls: int,
               cpu_wait_s: float = 0.0) -> None:
    """A stall the system's watchdog reported with what it measured: how long its own callback had
    been running, how often the device called back since the last block the system took, and how
    long the callback's thread waited for a CPU since then."""
    h.record("error", value="error", time=t, data={
        "error": {"type": "DeviceStalledError", "message": f"no callback for {silent_s:.3f} s",
                  "component": "device",
                  "details": {"stalled_for_s": silent_s, "callback_running_s": running_s,
                              "device_callbacks": device_calls, "period_s": PERIOD_S,
                              "callback_cpu_wait_s": cpu_wait_s}},
        "severity": "CRITICAL", "component": "device"})


@pytest.mark.parametrize("running_s, device_calls, cpu_wait_s, own", [
    (0.246, 44, 0.0, True),    # measured: a callback held 0.4 s by a blocking call, the device calling on
    (0.255, 48, 0.0, True),    # measured at load 12: a callback spinning 0.4 s (its CPU wait not read then)
    (0.229, 39, 0.234, False),  # measured at load 30: the same, kept off a CPU nearly throughout
    (0.0, 0, 0.0, False),      # measured: jackd SIGSTOPped from outside for 0.4 s, no callback running
    (0.003, 44, 0.0, False),   # a healthy callback under way at the report: the silence was not its
    (0.25, 2, 0.0, False),     # a frozen machine: the callback "ran" but the device did not call back
    (0.25, 12, 0.0, True),     # a loaded machine that still served the device a quarter of the periods
    (0.246, 44, 0.2, False),   # a callback the loaded machine kept off a CPU for most of its run
    (0.246, 44, 0.1, True),    # ... for less than the half of the silence its own part must reach
    (0.694, 52, 0.05, True),   # measured: slow blocks run back to back since before the silence
    (0.694, 52, 0.247, False),  # the same kept off a CPU (measured at load 26: 247 ms of a 317 ms silence)
], ids=["held", "spinning", "spinning_off_a_cpu", "jackd_stopped", "short_callback", "frozen_machine",
        "device_a_quarter",
        "kept_off_a_cpu", "partly_off_a_cpu", "slow_blocks_back_to_back", "slow_blocks_off_a_cpu"])
def test_a_stall_the_systems_own_callback_held_is_not_explained_by_jacks_xruns(
        running_s: float, device_calls: int, cpu_wait_s: float, own: bool) -> None:
    """On PortAudio's JACK route a loaded machine reports xruns all the time (127-469 in a 6 s rig
    run at load 6-12), so a stall the system caused itself (measured: its callback blocked 0.4 s,
    the watchdog reported 253 ms without a block, 36 JACK xrun reports over it) was explained as
    "the machine starved the whole graph". A callback that had run most of the silence while the
    device called back through it is the system's lateness: unexplained, and said why. A silence
    with no callback running, or with a device that did not call back, is still the machine's."""
    h = History()
    h.record("note", value="start", time=10.0)
    _own_stall(h, 14.5, 0.253, running_s, device_calls, cpu_wait_s)
    (stall,) = device_losses(h, lambda t0, t1: 36)
    if not own:
        assert stall.explained_by == "the machine: 36 JACK xrun report(s) over the 253 ms without a block"
        assert stall.own_lateness is None
        return
    assert stall.explained_by is None
    waited = f", {cpu_wait_s * 1000:.0f} ms of the silence waiting for a CPU" if cpu_wait_s else ""
    assert stall.own_lateness == (
        f"the system's own callbacks had run {running_s * 1000:.0f} ms back to back{waited}, through the 253 ms "
        f"without a block, while the device called back {device_calls} time(s): its own lateness, which JACK's "
        "xrun reports do not explain")
    assert stall.describe().endswith(stall.own_lateness)
    summary = summary_of([stall])
    assert summary["unexplained_count"] == 1 and summary["items"][0]["own_lateness"] == stall.own_lateness
    v = judge_run([], device_losses=summary)
    assert v.outcome is Outcome.INCONCLUSIVE
    (doubt,) = [d for d in v.doubts if "nothing to explain" in d]
    assert "no JACK xrun report over a stall the system's own callback did not hold" in doubt
    assert "its own lateness" in doubt


def test_a_stall_the_system_held_inside_a_device_faults_window_is_still_the_faults() -> None:
    """The own-lateness reading only refuses the machine's excuse: a device fault the run injected
    still explains what happened in its window."""
    h = History()
    h.record("note", value="start", time=10.0)
    _fault(h, "stall", 14.0, 14.4)
    _own_stall(h, 14.5, 0.253, 0.246, 44)
    (stall,) = device_losses(h, lambda t0, t1: 36)
    assert stall.explained_by is not None and stall.explained_by.startswith("stall stall@14.0")
    assert stall.own_lateness is None


@pytest.mark.parametrize("running_s, cpu_wait_s, cpu_s, whose", [
    (0.229, 0.234, 0.017, "undecided"),  # a callback computing 0.4 s at load 30: 17 ms on a CPU, the rest waiting
    (0.694, 0.247, 0.070, "undecided"),  # a chain 3 budgets slow a block, kept off a CPU
    (0.229, 0.234, 0.004, "machine"),    # a healthy callback (under a period of CPU) the machine only kept waiting
    (0.003, 0.240, 0.020, "machine"),    # no callback running through the silence: the thread's own time elsewhere
    (0.246, 0.0, 0.240, "own"),          # a callback computing on a CPU through the silence: the system's
    (0.229, 0.234, None, "machine"),     # the CPU time not measured (a device or kernel that does not say): as before
], ids=["computing_kept_waiting", "slow_blocks_kept_waiting", "healthy_kept_waiting", "no_callback_running",
        "computing_on_a_cpu", "cpu_time_not_measured"])
def test_a_stall_whose_callback_computed_while_the_machine_kept_it_waiting_is_never_the_machines(
        running_s: float, cpu_wait_s: float, cpu_s: float | None, whose: str) -> None:
    """A CPU-bound callback on a starved machine waits for a CPU through most of its silence, so
    its own share (its run less its wait) is under half and the machine's xrun reports explained
    it: a callback computing 0.4 s passed as the machine's. The watchdog's CPU time of the
    callback's thread since its last block tells it from a healthy callback the machine only kept
    waiting: one that ran on a CPU for more than two periods without delivering a block computed
    past its budget, and whose stall it was cannot be told (unexplained, inconclusive); one that ran
    under that only waited (the machine's)."""
    h = History()
    h.record("note", value="start", time=10.0)
    _own_stall(h, 14.5, 0.253, running_s, 44, cpu_wait_s)
    if cpu_s is not None:
        h.entries[-1].data["error"]["details"]["callback_cpu_s"] = cpu_s
    (stall,) = device_losses(h, lambda t0, t1: 36)
    if whose == "machine":
        assert stall.explained_by == "the machine: 36 JACK xrun report(s) over the 253 ms without a block"
        assert stall.own_lateness is None
        return
    assert stall.explained_by is None
    if whose == "own":
        assert stall.own_lateness is not None and "its own lateness" in stall.own_lateness
        return
    assert stall.own_lateness == (
        f"the system's own callbacks had run {running_s * 1000:.0f} ms back to back through the 253 ms without a "
        f"block, {cpu_s * 1000:.0f} ms of it on a CPU (over 2 periods of 5.3 ms) and {cpu_wait_s * 1000:.0f} ms "
        "waiting for one: whose stall it was cannot be told (the callback computed past its budget on a machine "
        "that kept it waiting), and JACK's xrun reports do not explain it")
    v = judge_run([], device_losses=summary_of([stall]))
    assert v.outcome is Outcome.INCONCLUSIVE
    (doubt,) = [d for d in v.doubts if "nothing to explain" in d]
    assert "whose stall it was cannot be told" in doubt
