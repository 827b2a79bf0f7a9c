"""`soundcheck run`: the main job, end to end through the CLI entry point."""

import json

import pytest

from harness.cli import main
from harness import MUTANTS
from harness import History
from harness import ReliabilityRun, RunSpec


def run_cli(tmp_path, *args):
    return main(["run", "--report-dir", str(tmp_path), *args])


def only_run_dir(tmp_path):
    (run_dir,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    return run_dir


def test_default_run_holds_every_invariant_and_writes_its_summary(tmp_path, capsys):
    assert run_cli(tmp_path, "--duration", "20s", "--seed", "1") == 0
    out = capsys.readouterr().out
    run_dir = only_run_dir(tmp_path)
    summary = json.loads((run_dir / "summary.json").read_text())
    # the line counts every invariant the summary holds, each of them held
    assert f"PASS: all {len(summary['invariants'])} invariants held" in out
    assert all(summary["invariants"].values()), summary["invariants"]
    assert summary["ok"] is True and summary["outcome"] == "pass" and summary["simulated_s"] >= 20 + 2 * 1.0
    st = summary["steady_state"]  # 1 s steady before the faults, one quiet window (and settling) after
    assert st["before_span"] == [0.0, 1.0] and summary["simulated_s"] == pytest.approx(st["after_span"][1], abs=0.01)
    assert summary["faults"]["total"] > 0 and summary["recoveries"] > 0
    frames = summary["frames"]
    assert frames["captured"] == frames["played"] + frames["buffered"] + frames["dropped"]
    assert set(summary["invariants"]) >= {"legal_transitions", "linearizable", "resources",
                                          "frame_accounting", "recovery", "callback_errors",
                                          "rejected_config", "health"}
    history = History.read_jsonl(run_dir / "history.jsonl")
    assert len(history.faults()) >= summary["faults"]["total"]


def test_same_seed_same_run(tmp_path):
    def once(sub):
        d = tmp_path / sub
        result = ReliabilityRun(RunSpec(duration_s=15, seed=3, report_root=d)).execute()
        s = result.summary
        return s["frames"], s["faults"], s["recoveries"], s["xruns"], \
            [(e.type, e.time, e.value) for e in result.history if e.type in ("transition", "fault_start")]

    assert once("a") == once("b")


def test_a_different_seed_gives_a_different_schedule(tmp_path):
    a = ReliabilityRun(RunSpec(duration_s=15, seed=3, report_root=tmp_path)).schedule.to_dict()
    b = ReliabilityRun(RunSpec(duration_s=15, seed=4, report_root=tmp_path)).schedule.to_dict()
    assert a != b


def _without_the_failure_export(monkeypatch):
    """The run's failure export (``harness.replay.export_replay``: the history replayed up to
    ~15 times on the mutant to minimise a scenario) left out: it is about 60 % of a failing run's
    CPU (3.1 s against 1.3 s for ``ignores_starved_input``, bench/RESULTS.md), comes after the
    verdict, exit code and summary it cannot change, and none of this test's assertions read it.
    A mutant run's exported scenario is judged where it is the subject: test_reports.py's
    ``test_a_failing_runs_replay_cell_is_a_minimised_scenario_that_fails_on_the_broken_system``,
    test_minimiser_guard.py, test_minimised_max_duration.py."""
    import harness.runner

    monkeypatch.setattr(harness.runner, "export_replay",
                        lambda verdicts, **kw: {"path": None, "note": "not exported in this test"})


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_every_shipped_mutant_fails_a_run_with_default_options(tmp_path, capsys, monkeypatch, mutant):
    """README's way to watch the harness catch a bug: ``soundcheck run --mutant NAME``, nothing else."""
    _without_the_failure_export(monkeypatch)
    assert run_cli(tmp_path, "--mutant", mutant) == 1
    out = capsys.readouterr().out
    summary = json.loads((only_run_dir(tmp_path) / "summary.json").read_text())
    caught = {v["name"] for v in summary["violations"]}
    if not caught:  # a leak only the slopes see (``caught_by`` names it leak:METRIC): the report's rule
        report = json.loads((only_run_dir(tmp_path) / "report.json").read_text())
        caught = {f"leak:{m}" for m, d in report["stability"]["leaks"].items() if d["verdict"] == "leak"}
        assert summary["outcome"] == "fail" and "FAIL: leak suspected: " in out
    else:
        assert summary["outcome"] == "fail" and "FAIL: invariants violated: " in out
    assert caught & set(MUTANTS[mutant].caught_by), (caught, MUTANTS[mutant].caught_by)
    assert all(name.removeprefix("leak:") in out for name in caught)


def test_a_half_applied_rejection_shows_whatever_part_of_the_config_was_broken(tmp_path, monkeypatch):
    """Seed 9's invalid configurations each broke the one section they had: a system that applies
    the valid sections of a rejected config had nothing to apply, and passed. Each now carries a
    valid change beside its broken part (``with_valid_change``)."""
    _without_the_failure_export(monkeypatch)
    assert run_cli(tmp_path, "--mutant", "half_reconfigure", "--seed", "9") == 1
    summary = json.loads((only_run_dir(tmp_path) / "summary.json").read_text())
    assert "rejected_config" in {v["name"] for v in summary["violations"]}


def test_a_race_mutant_is_shown_at_a_seed_whose_schedule_drew_no_concurrent_callers(tmp_path, capsys, monkeypatch):
    """Seed 6's default 60 s schedule draws no coordinator_contention fault, the only kind under
    which the unlocked coordinator races: the run passed, saying nothing. ``run --mutant`` now adds
    one (and says so); the healthy run at that seed names the kind that never fired."""
    from harness.runner import schedule_for

    assert not [f for f in schedule_for(RunSpec(seed=6)).faults if f.kind == "coordinator_contention"]
    _without_the_failure_export(monkeypatch)
    assert run_cli(tmp_path / "m", "--mutant", "coordinator_no_lock", "--seed", "6") == 1
    out = capsys.readouterr().out
    assert "drew no coordinator_contention fault" in out and "FAIL legal_transitions" in out
    assert run_cli(tmp_path / "h", "--seed", "6") == 0
    out = capsys.readouterr().out
    assert "never fired (this run tested nothing of them): coordinator_contention" in out
    summary = json.loads((only_run_dir(tmp_path / "h") / "summary.json").read_text())
    assert summary["faults"]["never_fired"] == ["coordinator_contention"]


def test_a_profile_without_the_revealing_kind_says_the_mutant_cannot_be_caught(tmp_path, capsys):
    assert run_cli(tmp_path, "--mutant", "coordinator_no_lock", "--faults", "gentle", "--duration", "5") == 0
    assert "which profile 'gentle' does not ask for: this run cannot catch it" in capsys.readouterr().out


def test_at_least_one_adds_a_seeded_fault_only_where_none_was_drawn():
    from harness.faults.profiles import PROFILES

    profile = PROFILES["default"]
    drawn = profile.schedule(60, 6)
    added, fault = drawn.with_at_least_one("coordinator_contention", profile.params)
    again, same = drawn.with_at_least_one("coordinator_contention", profile.params)
    assert fault is not None and same is not None and fault.to_dict() == same.to_dict()
    assert 0.5 <= fault.trigger.time <= 30 and len(added) == len(drawn) + 1
    assert [f.trigger.time for f in added.faults] == sorted(f.trigger.time for f in added.faults)
    kept, none = profile.schedule(60, 1).with_at_least_one("coordinator_contention", profile.params)
    assert none is None and kept.to_dict() == profile.schedule(60, 1).to_dict()


def test_every_invalid_configuration_carries_a_valid_change_beside_its_broken_part():
    import random

    from harness.faults.invalid_configs import INVALID_CONFIG_KINDS, invalid_config, with_valid_change
    from system_under_test.clock import VirtualClock
    from system_under_test.config import load_config
    from system_under_test.devices.simulated import SimulatedBackend
    from system_under_test.errors import ConfigError

    backend = SimulatedBackend(VirtualClock())  # the devices some refusals are judged against
    rng = random.Random(5)
    for kind in INVALID_CONFIG_KINDS:
        for _ in range(20):
            broken, _why = invalid_config(rng, kind)
            cfg = with_valid_change(broken, rng)
            if not isinstance(broken, dict):
                assert cfg is broken
                continue
            added = {k: v for k, v in cfg.items() if k not in broken}
            assert len(added) == 1, cfg
            (section, change), = added.items()
            load_config({section: change}, backend)  # the change alone is valid
            with pytest.raises(ConfigError):
                load_config(cfg, backend)  # the whole is still refused


@pytest.mark.parametrize("args, message", [
    (["--duration", "0"], "positive duration"),
    (["--duration", "5x"], "unknown unit"),
    (["--faults", "nasty"], "unknown fault profile 'nasty'"),
    (["--backend", "floppy"], "invalid choice"),
    (["--config", "/definitely/missing.toml"], "missing.toml: cannot read"),
    (["--mutant", "nope"], "unknown mutant"),
    (["--backend", "portaudio"], "needs --device"),
])
def test_usage_errors_exit_2_with_a_clear_message(tmp_path, capsys, args, message):
    try:
        code = run_cli(tmp_path, *args)
    except SystemExit as exc:  # argparse's own refusals
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not any(tmp_path.iterdir())  # nothing half-written


def test_invalid_config_file_names_file_and_field(tmp_path, capsys):
    cfg = tmp_path / "cfg.toml"
    cfg.write_text("[stream]\nblock_size = 99999\n[device]\ninput_chanels = 2\n")
    assert main(["run", "--report-dir", str(tmp_path / "r"), "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert str(cfg) in err and "stream.block_size" in err and "device.input_chanels" in err
    assert not (tmp_path / "r").exists()


def test_config_file_is_used(tmp_path):
    cfg = tmp_path / "cfg.toml"
    cfg.write_text("[stream]\nblock_size = 128\n")
    assert main(["run", "--report-dir", str(tmp_path / "r"), "--config", str(cfg), "--duration", "5",
                 "--faults", "none"]) == 0
    summary = json.loads((only_run_dir(tmp_path / "r") / "summary.json").read_text())
    assert summary["callbacks"] == pytest.approx(summary["simulated_s"] * 48_000 / 128, abs=3)
    assert summary["simulated_s"] >= 5 + 2 * 1.0  # the run and its two steady-state windows


def test_a_live_violation_fails_its_invariant_even_where_the_end_of_run_check_held():
    """The run checks frame accounting and resources live after every chunk. A violation seen
    live fails that invariant in the run's verdicts even when the check over the history at the
    end found it held (the imbalance was gone by then), with the live evidence; an invariant the
    end check failed keeps its own verdict; the rest are as the end check found them."""
    from harness.invariants import Verdict
    from harness.runner import _merge
    from harness.verdict import Outcome, judge_run

    end = [Verdict("frame_accounting", True, [], "captured == played + buffered + dropped"),
           Verdict("resources", False, ["at the end"], "1 resource problem(s)"),
           Verdict("health", True, [], "health agrees with the history")]
    live = [Verdict("frame_accounting", False, [{"missing": 3}], "frames lost without being counted"),
            Verdict("resources", False, ["live"], "1 resource problem(s)")]
    merged = {v.name: v for v in _merge(end, live)}
    assert set(merged) == {"frame_accounting", "resources", "health"}
    fa = merged["frame_accounting"]
    assert not fa.ok and fa.evidence == [{"missing": 3}] and fa.message == "live: frames lost without being counted"
    assert not merged["resources"].ok and merged["resources"].evidence == ["at the end"]
    assert merged["health"].ok
    verdict = judge_run(list(merged.values()))
    assert verdict.outcome is Outcome.FAIL and verdict.violated == ["frame_accounting", "resources"]
