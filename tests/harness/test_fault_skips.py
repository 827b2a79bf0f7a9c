"""A fault that could not act is skipped, said and never counted as injected; an injected fault's
record carries every parameter it fired with, so a history replays the very fault.

The example player (``examples/simple_player``, built on ``harness.sut_kit``) has no soundcheck
pipeline: ``buffer_exhaustion`` (pool) and ``slow_dsp`` have nothing to act on there. They used to
be counted as injected, so a profile of only those passed ("all invariants held") having tested
nothing under faults.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.faults import FAULT_KINDS, FaultInjector, fault_from_dict
from harness.faults.kinds import fault_from_record
from harness.history import History
from harness.journal import compact_entry
from harness.runner import ReliabilityRun, RunSpec
from harness.sut_protocol import load_system
from harness.verdict import Outcome, judge_run
from system_under_test import AudioSystem
from system_under_test.clock import VirtualClock
from system_under_test.devices.simulated import SimulatedBackend

ROOT = Path(__file__).resolve().parents[2]
#: the kinds that act on the soundcheck pipeline (its block pool, its DSP chain)
PIPELINE_KINDS = {"buffer_exhaustion", "slow_dsp"}


@pytest.fixture(autouse=True)
def _on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT))


def _profile(tmp_path: Path, **probabilities: float) -> str:
    path = tmp_path / "profile.toml"
    path.write_text("[probabilities]\n" + "".join(f"{k} = {v}\n" for k, v in probabilities.items()))
    return str(path)


def _player_run(tmp_path: Path, faults: str, seed: int = 1, duration_s: float = 10.0):
    choice = load_system("examples.simple_player:make_system")
    spec = RunSpec(duration_s=duration_s, seed=seed, faults=faults, run_dir=tmp_path / "run")
    return ReliabilityRun(spec, system_factory=choice).execute(reports=False)


def _running(factory):
    clock = VirtualClock()
    system = factory(None, backend=SimulatedBackend(clock, seed=0), clock=clock, seed=0)
    system.initialize()
    if system.config is None:
        system.configure({})
    system.start()
    system.run_for(0.1)
    return system


def _player():
    from examples.simple_player import make_system

    return _running(make_system)


def test_pipeline_faults_on_a_system_without_a_pipeline_are_skipped_and_the_run_is_inconclusive(tmp_path):
    result = _player_run(tmp_path, _profile(tmp_path, buffer_exhaustion=0.2, slow_dsp=0.2))
    faults = result.summary["faults"]
    assert faults["total"] == 0 and faults["by_kind"] == {}
    assert set(faults["skipped"]) == PIPELINE_KINDS
    assert all("no pipeline" in reason for reasons in faults["skipped"].values() for reason in reasons)
    skipped = sum(n for reasons in faults["skipped"].values() for n in reasons.values())
    assert skipped == faults["requested"] > 0
    # the verdict: asked for faults, injected none -> inconclusive (exit 3), never a pass
    assert result.verdict.outcome is Outcome.INCONCLUSIVE and result.exit_code == 3
    assert any("none was injected" in d and "no pipeline" in d for d in result.verdict.doubts)
    assert "could act" in (result.no_fault_injected or "")
    # the history says which faults were skipped and why, and records no firing
    history = History.read_jsonl(tmp_path / "run" / "history.jsonl")
    notes = [e for e in history.entries if e.type == "note" and e.value == "fault_skipped"]
    assert len(notes) == skipped
    assert {e.data["kind"] for e in notes} == PIPELINE_KINDS and all(e.data["reason"] for e in notes)
    assert not [e for e in history.entries if e.type == "fault_start"]


def test_a_profile_partly_skipped_counts_only_what_acted_and_notes_the_rest(tmp_path):
    result = _player_run(tmp_path, _profile(tmp_path, xrun=0.2, slow_dsp=0.2))
    faults = result.summary["faults"]
    assert set(faults["by_kind"]) == {"xrun"} and faults["total"] == faults["by_kind"]["xrun"] > 0
    assert set(faults["skipped"]) == {"slow_dsp"}
    assert not any("none was injected" in d for d in result.verdict.doubts)
    assert any("slow_dsp" in n and "skipped" in n for n in result.verdict.notes)


@pytest.mark.parametrize("kind", sorted(FAULT_KINDS))
def test_every_kind_says_whether_it_can_act_on_a_system_with_and_without_a_pipeline(kind):
    fault = fault_from_dict({"kind": kind})
    assert fault.why_not_now(_running(AudioSystem)) is None
    reason = fault.why_not_now(_player())
    if kind in PIPELINE_KINDS:
        assert reason is not None and "no pipeline" in reason
    else:
        assert reason is None


def test_draining_a_limit_acts_only_on_a_resource_the_system_holds():
    player, system = _player(), _running(AudioSystem)
    streams = fault_from_dict({"kind": "buffer_exhaustion", "mode": "limit", "resource": "streams"})
    buffers = fault_from_dict({"kind": "buffer_exhaustion", "mode": "limit", "resource": "buffers"})
    assert streams.why_not_now(player) is None  # the player's stream is a ``streams`` allocation
    assert "nothing in the system has held any buffers" in (buffers.why_not_now(player) or "")
    assert buffers.why_not_now(system) is None


def test_the_injector_does_not_count_a_fault_that_could_not_act():
    player = _player()
    history = History(clock=player.clock).attach(player)
    injector = FaultInjector(player, history=history)
    assert injector.inject(fault_from_dict({"kind": "slow_dsp", "factor": 2.0})) is None
    assert injector.fired == 0 and not injector.records and not injector.fired_by_kind
    (reasons,) = injector.skips().values()
    assert list(reasons.values()) == [1]
    note = next(e for e in history.entries if e.value == "fault_skipped")
    assert note.data["params"]["factor"] == 2.0


def test_the_verdict_names_the_skipped_faults():
    skipped = {"slow_dsp": {"the system has no pipeline": 4}}
    none = judge_run([{"name": "x", "ok": True}], faults_wanted=True, faults_injected=0, faults_skipped=skipped)
    assert none.outcome is Outcome.INCONCLUSIVE
    assert "slow_dsp x4 (the system has no pipeline)" in none.doubts[0]
    some = judge_run([{"name": "x", "ok": True}], faults_wanted=True, faults_injected=3, faults_skipped=skipped)
    assert some.outcome is Outcome.PASS and "4 fault(s) skipped" in some.notes[0]


# -- parameters in the history ---------------------------------------------------------------------

def test_every_injected_fault_records_its_parameters(tmp_path):
    spec = RunSpec(duration_s=8.0, seed=3, faults="hostile", run_dir=tmp_path / "run")
    run = ReliabilityRun(spec)
    drawn = {f.fault_id: f for f in run.schedule.faults}
    run.execute(reports=False)
    history = History.read_jsonl(tmp_path / "run" / "history.jsonl")
    starts = [e for e in history.entries if e.type == "fault_start"]
    assert {e.value for e in starts} >= {"xrun", "buffer_exhaustion", "stall", "dropout", "callback_raises"}
    for e in starts:
        original = drawn[e.data["fault_id"]]
        assert e.data["params"] == original.recorded_params()
        assert fault_from_record(e.data).params() == original.params()
        assert compact_entry(e.to_dict())["data"]["params"] == e.data["params"]  # the soak's journal too


def test_a_history_exported_as_a_scenario_replays_the_same_faults(tmp_path):
    from harness.scenarios.executor import run_scenario
    from harness.scenarios.export import scenario_from_history, steps_from_history

    spec = RunSpec(duration_s=8.0, seed=3, faults="hostile", run_dir=tmp_path / "run")
    ReliabilityRun(spec).execute(reports=False)
    path = tmp_path / "run" / "history.jsonl"

    def fired(history: History) -> list[tuple[str, dict]]:
        return [(str(e.value), e.data["params"]) for e in history.entries
                if e.type == "fault_start" and not FAULT_KINDS[str(e.value)].acts_by_operations]

    original = fired(History.read_jsonl(path))
    assert any(kind == "xrun" for kind, _ in original)
    steps = [s for s in steps_from_history(History.read_jsonl(path)) if "fault" in s]
    xrun = next(s for s in steps if s["fault"] == "xrun")
    assert xrun["delay_s"] == next(p for k, p in original if k == "xrun")["delay_s"]  # not the default 0.01
    replay = run_scenario(scenario_from_history(path))
    assert fired(replay.history) == original


# -- kinds most of whose firings were refused ------------------------------------------------------

def test_a_kind_refused_more_often_than_it_acted_is_barely_tried():
    from harness.faults.refused import mostly_refused
    refused = {"xrun": {"the system is failed": 6}, "stall": {"the system is recovering": 2},
               "slow_dsp": {"no pipeline": 3}}
    kinds = mostly_refused({"xrun": 4, "stall": 2}, refused)
    # xrun: 6 of 10 refused; stall: 2 of 4 (as often as it acted: tried); slow_dsp: 3 of 3
    assert sorted(kinds) == ["slow_dsp", "xrun"]
    assert kinds["xrun"] == {"fired": 4, "refused": 6, "reasons": {"the system is failed": 6}}


def test_kinds_mostly_refused_are_a_note_naming_each_never_a_doubt():
    """Refused more often than it acted, or at every firing: the run tried the kind less than it
    drew it, and says so in a note naming kind, counts and why; the verdict stays the invariants'
    (a profile that fails the system on purpose refuses many faults of a healthy one)."""
    skipped = {"xrun": {"the system is failed": 6}, "slow_dsp": {"no pipeline": 3}}
    kinds = {"xrun": {"fired": 4, "refused": 6, "reasons": {"the system is failed": 6}},
             "slow_dsp": {"fired": 0, "refused": 3, "reasons": {"no pipeline": 3}}}
    run = judge_run([{"name": "x", "ok": True}], faults_wanted=True, faults_injected=30,
                    faults_skipped=skipped, mostly_refused=kinds)
    assert run.outcome is Outcome.PASS and not run.doubts
    assert ("fault kinds most of whose faults were refused when they fired: "
            "slow_dsp (3 of 3 refused: no pipeline x3), xrun (6 of 10 refused: the system is failed x6): "
            "the run tried them less than it drew them") in run.notes
    failing = judge_run([{"name": "x", "ok": False, "message": "broken"}], faults_wanted=True, faults_injected=30,
                        faults_skipped=skipped, mostly_refused=kinds)
    assert failing.outcome is Outcome.FAIL


def test_a_kind_the_running_system_never_has_anything_for_is_named_not_applicable(tmp_path):
    """The player runs without a pipeline: each slow DSP fault is refused for the system's make,
    not its state, so the run names the kind not applicable to this system (a note, never a doubt,
    never silence) instead of a kind refused more often than it acted."""
    from harness.faults.refused import mostly_refused_of, not_applicable_of
    player = _player()
    injector = FaultInjector(player, history=History(clock=player.clock).attach(player))
    for _ in range(3):
        injector.inject(fault_from_dict({"kind": "slow_dsp", "factor": 2.0}))
    reason = "the system has no pipeline (in state running), so no DSP chain to slow down"
    assert not_applicable_of(injector) == {"slow_dsp": {"refused": 3, "reasons": {reason: 3}}}
    assert mostly_refused_of(injector) == {}
    run = judge_run([{"name": "x", "ok": True}], faults_wanted=True, faults_injected=5,
                    faults_skipped=injector.skips(), not_applicable=not_applicable_of(injector))
    assert run.outcome is Outcome.PASS
    assert ("fault kinds not applicable to this system (it never has what they act on): "
            f"slow_dsp (refused at each of its 3 firing(s): {reason})") in run.notes
    assert "not applicable to this system" in run.headline()


def test_the_refusal_notes_read_a_summary_s_kinds_exactly_whatever_they_lack():
    """The report's verdict is rebuilt from ``summary.json`` (``faults_mostly_refused``,
    ``faults_not_applicable``): a kind whose count or reasons a summary lacks, or holds as
    something else than a mapping, is read as none, never as one more firing, and never stops the
    report; each kind's reasons sorted, the kinds joined by commas."""
    from harness.faults.refused import describe_not_applicable, describe_refused
    assert describe_not_applicable({"slow_dsp": {"refused": 3, "reasons": {"no pipeline": 2, "no DSP chain": 1}},
                                    "buffer_exhaustion": {"reasons": None},
                                    "pool_drain": {"refused": 2, "reasons": {}}}) == (
        "buffer_exhaustion (refused at each of its 0 firing(s)), "
        "pool_drain (refused at each of its 2 firing(s)), "
        "slow_dsp (refused at each of its 3 firing(s): no DSP chain; no pipeline)")
    assert describe_refused({"xrun": {"refused": 3, "reasons": {"the system is recovering": 1,
                                                                "the system is failed": 2}},
                             "stall": {"fired": 1}}) == (
        "stall (0 of 1 refused), xrun (3 of 3 refused: the system is failed x2; the system is recovering x1)")


def test_a_kind_is_not_applicable_only_when_it_never_acted_was_not_held_to_the_end_and_met_the_make():
    """Kinds in order: one that acted, one refused for its make and for a state, one held to the
    end, one whose make refusals count none, one met the make only when held (so absent from the
    refusals counted at firing): each decided on its own, the counts from every refusal."""
    from harness.faults.refused import not_applicable
    got = not_applicable(
        fired_by_kind={"acted": 1},
        refused_by_kind={"acted": {"no pipeline": 1}, "made": {"no pipeline": 2, "the system is failed": 1}},
        structural_by_kind={"acted": {"no pipeline": 1}, "made": {"no pipeline": 2}, "held": {"no pipeline": 1},
                            "none": {"no pipeline": 0}, "met_when_held": {"no coordinator": 2}},
        held_at_end={"held": {"the system is failed": 1}})
    assert got == {"made": {"refused": 3, "reasons": {"no pipeline": 2}},
                   "met_when_held": {"refused": 2, "reasons": {"no coordinator": 2}}}
