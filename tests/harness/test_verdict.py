"""One verdict per run: the CLI line, the exit code, summary.json, report.json/html and the run
history database all say the same thing, and "inconclusive" is shown, never passed off as a pass."""

from __future__ import annotations

import json
import sqlite3

import pytest

from harness.cli import main
from harness import Verdict
from harness import Outcome, judge_run
from harness.verdict import RunVerdict, check_status


def _run(tmp_path, *args):
    code = main(["run", "--report-dir", str(tmp_path / "runs"), *args])
    (run_dir,) = (tmp_path / "runs").iterdir()
    return code, run_dir


def _db_row(db):
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    (row,) = con.execute("SELECT ok, report_json FROM runs").fetchall()
    return row["ok"], json.loads(row["report_json"])["verdict"]


def test_a_storm_profile_gives_one_verdict_everywhere(tmp_path, capsys, monkeypatch):
    """The storm's deliberate errors drive the system into FAILED on purpose: that is the fault,
    not a failure of the system, and every reader of the run must agree on it."""
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "h.sqlite"))
    profile = tmp_path / "storm.toml"
    profile.write_text("[probabilities]\nconcurrent_transitions = 0.05\nxrun = 0.1\n")
    code, run_dir = _run(tmp_path, "--faults", str(profile), "--duration", "30", "--seed", "1")
    out = capsys.readouterr().out
    summary = json.loads((run_dir / "summary.json").read_text())
    report = json.loads((run_dir / "report.json").read_text())
    html = (run_dir / "report.html").read_text()
    db_ok, db_verdict = _db_row(tmp_path / "h.sqlite")
    assert summary["faults"]["by_kind"].get("concurrent_transitions", 0) > 0
    entered_failed = [e for e in map(json.loads, (run_dir / "history.jsonl").read_text().splitlines())
                      if e["type"] == "transition" and e["data"]["to_state"] == "failed"]
    assert entered_failed  # FAILED was entered, on purpose (simulate_error)
    outcome = summary["verdict"]["outcome"]
    assert outcome == "pass", summary["verdict"]
    assert report["verdict"] == summary["verdict"] == db_verdict
    assert code == summary["verdict"]["exit_code"] == 0 and db_ok == 1
    assert summary["verdict"]["headline"] in out and "<b>PASS</b>" in html


def test_an_inconclusive_check_is_never_a_pass():
    checks = [Verdict("legal_transitions", True), Verdict("linearizable", True, ["bound"], "bound reached",
                                                          inconclusive=True)]
    v = judge_run(checks, faults_wanted=True, faults_injected=3)
    assert v.outcome is Outcome.INCONCLUSIVE and not v.ok and v.exit_code == 3
    assert "all" not in v.headline() and v.headline().startswith("INCONCLUSIVE") and "linearizable" in v.headline()
    assert v.inconclusive == ["linearizable"] and v.exit_code_with(inconclusive_ok=True) == 0
    v = judge_run([*checks, Verdict("resources", False, [{}], "leaked")])
    assert v.outcome is Outcome.FAIL and v.exit_code == 1 and v.violated == ["resources"]
    v = judge_run([Verdict("legal_transitions", True)], faults_wanted=True, faults_injected=1)
    assert v.outcome is Outcome.PASS and v.exit_code == 0 and v.headline() == "PASS: all 1 invariants held"


def test_a_scenario_s_headline_names_its_expectations_not_invariants():
    held = {"name": "expectations", "ok": True, "inconclusive": False, "message": "all 3 expectation(s) held"}
    v = judge_run([held], subject="expectations")
    assert v.headline() == "PASS: every one of its expectations held"
    failed = {**held, "ok": False, "message": "1 of 3 expectation(s) failed: expect[2]: state stopped"}
    unmet = {"name": "expect[2]: state stopped", "ok": False, "inconclusive": False, "message": "it ran"}
    v = judge_run([failed, unmet], subject="expectations")
    assert v.headline() == "FAIL: expectations not met: expect[2]: state stopped"
    assert v.violated == ["expectations", "expect[2]: state stopped"]
    # a run's wording is unchanged
    assert judge_run([unmet]).headline() == "FAIL: invariants violated: expect[2]: state stopped"


def test_accepting_inconclusive_runs_never_accepts_a_failed_one():
    """``exit_code_with(inconclusive_ok=True)`` turns an inconclusive run's 3 into 0 and nothing
    else: a failed run still exits 1, a pass 0."""
    doubtful = judge_run([Verdict("health", True)], status="interrupted")
    failed = judge_run([Verdict("health", False, [{}], "disagree")], status="interrupted")
    passed = judge_run([Verdict("health", True)])
    assert doubtful.outcome is Outcome.INCONCLUSIVE and doubtful.exit_code_with(inconclusive_ok=True) == 0
    assert failed.outcome is Outcome.FAIL and failed.doubts  # failed, and doubtful too
    assert failed.exit_code_with(inconclusive_ok=True) == 1 and failed.exit_code_with() == 1
    assert passed.exit_code_with(inconclusive_ok=True) == 0 == passed.exit_code_with()


@pytest.mark.parametrize("kw, doubt", [
    ({"faults_wanted": True, "faults_injected": 0}, "none was injected"),
    ({"status": "interrupted"}, "did not finish"),
    ({"status": "partial"}, "did not finish (partial)"),  # a report rebuilt from a truncated journal
    ({"lost": ["line 3: bad checksum"]}, "was lost"),
])
def test_what_makes_a_run_inconclusive(kw, doubt):
    v = judge_run([Verdict("health", True)], **kw)
    assert v.outcome is Outcome.INCONCLUSIVE and doubt in v.headline()
    assert judge_run([]).outcome is Outcome.INCONCLUSIVE  # nothing checked


_GATE = {"name": "recovery_p95_s_max", "figure": "recovery_p95_s", "threshold": 2.0, "unit": "s"}


@pytest.mark.parametrize("kw, failure", [
    ({"crashed": "RuntimeError('boom')"}, "the run crashed: RuntimeError('boom')"),
    # a report rebuilt from a failed soak's journal says crashed with no exception object to give
    ({"status": "crashed"}, "the run crashed"),
    ({"leaks": ["rss_bytes"]}, "leak suspected: rss_bytes"),
    ({"gates": [{**_GATE, "measured": 3.0, "status": "failed", "message": "gate recovery_p95_s_max failed"}]},
     "gate recovery_p95_s_max failed"),
], ids=["crash", "crashed-status", "leak", "gate-failed"])
def test_what_makes_a_run_fail(kw, failure):
    """Each finding that fails a run fails it alone, every invariant having held: exit 1, the
    finding in the headline."""
    v = judge_run([Verdict("health", True)], **kw)
    assert v.outcome is Outcome.FAIL and v.exit_code == 1 and not v.ok
    assert v.failures == (failure,) and v.headline().startswith("FAIL: " + failure)


def test_a_profile_that_injected_nothing_does_not_pass(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "h.sqlite"))
    profile = tmp_path / "rare.toml"
    profile.write_text("[probabilities]\ndropout = 0.0001\n")  # asks for faults; draws none in 2 s
    code, run_dir = _run(tmp_path, "--faults", str(profile), "--duration", "2", "--seed", "1")
    out = capsys.readouterr().out
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["faults"]["total"] == 0 and summary["faults"]["wanted"] is True
    assert code == 3 and summary["outcome"] == "inconclusive"
    assert "INCONCLUSIVE" in out and "none was injected" in out and "all invariants held" not in out
    report = json.loads((run_dir / "report.json").read_text())
    assert report["verdict"]["outcome"] == "inconclusive"
    assert "<b>INCONCLUSIVE</b>" in (run_dir / "report.html").read_text()
    assert _db_row(tmp_path / "h.sqlite")[0] == 0
    # `soundcheck report` rebuilds the folder's report from summary.json: the doubt stays
    (run_dir / "report.json").unlink()
    assert main(["report", str(run_dir), "--no-history"]) == 3
    assert "none was injected" in capsys.readouterr().out
    assert json.loads((run_dir / "report.json").read_text())["verdict"] == report["verdict"]


def test_the_none_profile_is_a_baseline_not_a_doubt(tmp_path, capsys):
    code, run_dir = _run(tmp_path, "--faults", "none", "--duration", "2")
    assert code == 0 and json.loads((run_dir / "summary.json").read_text())["outcome"] == "pass"


@pytest.mark.parametrize("before, after, outcome", [
    ("yes", "yes", Outcome.PASS),
    ("yes", "no", Outcome.FAIL),  # the faults took the steady state away: the hypothesis is refuted
    ("no", "yes", Outcome.INCONCLUSIVE),
    ("no", "no", Outcome.INCONCLUSIVE),  # never steady: nothing to return to, nothing to blame
    ("not checked", "no", Outcome.FAIL),
])
def test_a_steady_state_missing_after_the_faults_fails_only_when_there_was_one_before(before, after, outcome):
    steady = {"before": before, "after": after, "before_detail": "b", "after_detail": "a"}
    v = judge_run([{"name": "x", "ok": True}], steady=steady)
    assert v.outcome is outcome, (v.failures, v.doubts)
    if outcome is Outcome.INCONCLUSIVE:
        assert any(d.startswith("the system was not steady before the first fault") for d in v.doubts)
    if (before, after) == ("no", "no"):
        assert not v.failures and any("there was none before" in d for d in v.doubts)


@pytest.mark.parametrize("check, status", [
    ({"name": "x", "ok": True}, "held"),
    ({"name": "x", "ok": True, "inconclusive": True}, "inconclusive"),
    ({"name": "x", "ok": False}, "violated"),
    # a check that found a violation and could not judge another part of the history: violated
    ({"name": "x", "ok": False, "inconclusive": True}, "violated"),
    # a check that does not say it held (a hand-written or cut-short summary's) never passes
    ({"name": "x"}, "violated"),
    ({"name": "x", "ok": None, "inconclusive": True}, "violated"),
])
def test_a_violation_is_a_violation_whatever_else_a_check_was_unsure_of(check, status):
    v = judge_run([check, {"name": "y", "ok": True}])
    assert check_status(check) == status
    want = {"held": Outcome.PASS, "inconclusive": Outcome.INCONCLUSIVE, "violated": Outcome.FAIL}[status]
    assert v.outcome is want, (v.failures, v.doubts)
    assert (v.violated, v.inconclusive) == (["x"] if status == "violated" else [],
                                            ["x"] if status == "inconclusive" else [])


def _verdicts() -> list:
    """One verdict of each outcome, each reason and note filled in (as ``summary.json`` holds it)."""
    steady = {"before": "yes", "after": "not observed", "before_detail": "b", "after_detail": "a"}
    gate = {"name": "xruns_per_hour_max", "figure": "xruns_per_hour", "threshold": 10.0, "measured": 20.0,
            "status": "failed", "unit": "xruns/h", "message": "gate xruns_per_hour_max failed"}
    return [
        judge_run([{"name": "x", "ok": True}], faults_wanted=True, faults_injected=2,
                  faults_skipped={"slow_dsp": {"no pipeline": 1}}),
        judge_run([{"name": "x", "ok": True}], status="interrupted", steady=steady,
                  faults_skipped={"slow_dsp": {"no pipeline": 1}}, faults_wanted=True, faults_injected=1),
        judge_run([{"name": "x", "ok": False}, {"name": "y", "ok": True, "inconclusive": True}],
                  leaks=["rss_bytes"], gates=[gate], notes=["a note"]),
    ]


@pytest.mark.parametrize("i", range(3))
def test_a_verdict_read_back_from_its_dict_is_the_same_verdict(i):
    """``RunVerdict.from_dict`` (a soak's verdict read back from its rebuilt report) keeps every
    field where it was: a doubt read back as a note would turn an inconclusive run into a pass."""
    v = _verdicts()[i]
    back = RunVerdict.from_dict(json.loads(json.dumps(v.to_dict())), v.checks)
    assert (back.outcome, back.failures, back.doubts, back.notes, back.gates, back.steady) == \
        (v.outcome, v.failures, v.doubts, v.notes, v.gates, v.steady)
    assert back.to_dict() == v.to_dict() and back.exit_code == v.exit_code
