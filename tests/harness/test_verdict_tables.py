"""The one verdict of a run, judged against tables of findings whose outcome, exit code and words
are known from ``harness.verdict``'s docstrings: every rule both ways (the finding present and
absent), the order of the reasons, the headline, the dict ``summary.json`` holds and the verdict
rebuilt from it.

The reasons' words are matched whole: the CLI line, ``summary.json`` and both reports print them,
and people read which rule fired from them. Nothing here runs the system: ``judge_run`` is a pure
function of the findings passed in.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.device_losses import loss_findings
from harness.verdict import (EXIT_CODES, FAULT_WINDOWS, PLAIN_WINDOWS, REASON_MAX, Outcome, RunVerdict,
                             _unfired_clause, check_status, describe_skips, inconclusive_reason, judge_run,
                             recovered_from_outside, steady_windows)

HELD = {"name": "legal_transitions", "ok": True, "message": "held"}
HELD2 = {"name": "frame_accounting", "ok": True, "message": "held"}
BROKEN = {"name": "recovery", "ok": False, "message": "never recovered"}
UNSURE = {"name": "linearizable", "ok": True, "inconclusive": True, "message": "search bound hit; 3 ops"}


class _AsDict:
    """A verdict object with ``to_dict`` (``invariants.Verdict``, ``gates.GateResult``)."""

    def __init__(self, d: dict[str, Any]) -> None:
        self._d = d

    def to_dict(self) -> dict[str, Any]:
        return dict(self._d)


# --- one rule at a time: (judge_run's keyword findings, failures, doubts, notes) ---------------

RULES: list[tuple[str, list[Any], dict[str, Any], tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = [
    ("all held", [HELD, HELD2], {}, (), (), ()),
    ("no check", [], {}, (), ("no invariant was checked",), ()),
    ("violated", [HELD, BROKEN], {}, ("invariants violated: recovery",), (), ()),
    ("two violated", [BROKEN, {"name": "b", "ok": False}], {}, ("invariants violated: recovery, b",), (), ()),
    ("violated and inconclusive is violated", [{"name": "x", "ok": False, "inconclusive": True}], {},
     ("invariants violated: x",), (), ()),
    ("crashed with why", [HELD], {"crashed": "KeyError: 'x'"}, ("the run crashed: KeyError: 'x'",), (), ()),
    ("crashed status", [HELD], {"status": "crashed"}, ("the run crashed",), (), ()),
    ("crashed empty why", [HELD], {"crashed": ""}, ("the run crashed",), (), ()),
    ("leaks", [HELD], {"leaks": ["rss_bytes", "threads"]}, ("leak suspected: rss_bytes, threads",), (), ()),
    ("no leak", [HELD], {"leaks": []}, (), (), ()),
    ("inconclusive check", [HELD, UNSURE], {}, (), ("inconclusive: linearizable (search bound hit)",), ()),
    ("inconclusive check, no words", [{"name": "q", "ok": True, "inconclusive": True}], {}, (),
     ("inconclusive: q",), ()),
    ("two inconclusive checks", [UNSURE, {"name": "q", "ok": True, "inconclusive": True}], {}, (),
     ("inconclusive: linearizable (search bound hit), q",), ()),
    ("interrupted", [HELD], {"status": "interrupted"}, (), ("the run did not finish (interrupted)",), ()),
    ("partial", [HELD], {"status": "partial"}, (), ("the run did not finish (partial)",), ()),
    ("completed", [HELD], {"status": "completed"}, (), (), ()),
    ("not started", [HELD], {"not_started": "jackd died"}, (), ("the system never ran: jackd died",), ()),
    ("started", [HELD], {"not_started": ""}, (), (), ()),
    ("leaks unsure", [HELD], {"leaks_unsure": ["rss_bytes: slowing", "threads: unclear"]}, (),
     ("leak judgement inconclusive: rss_bytes: slowing; threads: unclear",), ()),
    ("lost records", [HELD], {"lost": ["line 7: truncated", "line 9: bad json"]}, (),
     ("part of the run's record was lost (2 problem(s)): line 7: truncated",), ()),
    ("notes pass through", [HELD], {"notes": ["n1", "n2"]}, (), (), ("n1", "n2")),
    ("gates", [HELD], {"gates": [{"status": "failed", "message": "p99 over"},
                                 {"status": "not_measured", "message": "no samples"},
                                 {"status": "met", "message": "fine"},
                                 _AsDict({"status": "failed", "message": "xruns over"})]},
     ("p99 over", "xruns over"), ("no samples",), ()),
    ("faults wanted, none injected", [HELD], {"faults_wanted": True, "faults_injected": 0}, (),
     ("the fault profile asked for faults but none was injected: nothing was tested under faults",), ()),
    ("faults wanted, none injected, skips", [HELD],
     {"faults_wanted": True, "faults_injected": 0, "faults_skipped": {"slow_dsp": {"no pipeline": 2}}}, (),
     ("the fault profile asked for faults but none was injected: nothing was tested under faults "
      "(2 fault(s) skipped: slow_dsp x2 (no pipeline))",), ()),
    ("faults wanted, count unknown", [HELD], {"faults_wanted": True, "faults_injected": None}, (), (), ()),
    ("faults not wanted, none injected", [HELD], {"faults_wanted": False, "faults_injected": 0}, (), (), ()),
    ("skips of a run that injected others", [HELD],
     {"faults_wanted": True, "faults_injected": 3, "faults_skipped": {"stall": {"no device": 1}}}, (), (),
     ("1 fault(s) skipped: stall x1 (no device)",)),
    ("unfired kinds", [HELD], {"faults_injected": 2, "unfired": {"stall": 1, "dropout": 3},
                               "unfired_why": {"dropout": {"why": " never reached "}, "stall": "refused"}}, (),
     ("fault kinds the schedule drew never fired: dropout (3 drawn: never reached), stall (1 drawn: refused): "
      "the run tested nothing of them",), ()),
    ("unfired kinds, no why", [HELD], {"faults_injected": 1, "unfired": {"stall": 2}}, (),
     ("fault kinds the schedule drew never fired: stall (2 drawn): the run tested nothing of them",), ()),
    ("unfired, interrupted", [HELD], {"status": "interrupted", "faults_injected": 1, "unfired": {"stall": 2}}, (),
     ("the run did not finish (interrupted)",), ()),
    ("unfired, none injected", [HELD], {"faults_injected": 0, "unfired": {"stall": 2}}, (), (), ()),
    ("unfired, count unknown", [HELD], {"faults_injected": None, "unfired": {"stall": 2}}, (), (), ()),
    ("no unfired kind", [HELD], {"faults_injected": 1, "unfired": {}}, (), (), ()),
]


@pytest.mark.parametrize(("name", "checks", "kw", "failures", "doubts", "notes"), RULES, ids=[r[0] for r in RULES])
def test_each_rule_gives_its_reason_and_no_other(name: str, checks: list[Any], kw: dict[str, Any],
                                                  failures: tuple[str, ...], doubts: tuple[str, ...],
                                                  notes: tuple[str, ...]) -> None:
    v = judge_run(checks, **kw)
    assert (v.failures, v.doubts, v.notes) == (failures, doubts, notes)
    want = Outcome.FAIL if failures else Outcome.INCONCLUSIVE if doubts else Outcome.PASS
    assert v.outcome is want and v.exit_code == EXIT_CODES[want]
    assert v.ok is (want is Outcome.PASS)
    assert v.reasons == [*failures, *doubts]


def test_every_reason_at_once_in_the_documented_order() -> None:
    steady = {"faults": True, "before": "no", "after": "not observed", "before_detail": "B", "after_detail": "A"}
    losses = {"count": 2, "explained": 1, "unexplained_count": 1, "unexplained": ["device 'out' lost at t=3.000 s"],
              "items": [{"device": "in", "kind": "lost", "time": 1.0, "explained_by": "server outage"}], "stalls": 0}
    v = judge_run([BROKEN, UNSURE], status="interrupted", crashed="boom", leaks=["threads"],
                  leaks_unsure=["rss_bytes: slowing"], lost=["line 2"], notes=["given"],
                  gates=[{"status": "failed", "message": "G1"}, {"status": "not_measured", "message": "G2"}],
                  steady=steady, not_started="never", device_losses=losses, faults_wanted=True, faults_injected=0,
                  faults_skipped={"stall": {"no device": 1}}, unfired={"dropout": 1})
    doubt, note = loss_findings(losses)
    assert doubt and note
    assert v.failures == ("invariants violated: recovery", "the run crashed: boom", "leak suspected: threads", "G1")
    assert v.doubts == ("inconclusive: linearizable (search bound hit)", "the run did not finish (interrupted)",
                        "the system never ran: never", "leak judgement inconclusive: rss_bytes: slowing",
                        "part of the run's record was lost (1 problem(s)): line 2", "G2",
                        "steady state after the last fault could not be observed: A",
                        "the system was not steady before the first fault: B", doubt,
                        "the fault profile asked for faults but none was injected: nothing was tested under "
                        "faults (1 fault(s) skipped: stall x1 (no device))")
    assert v.notes == ("given", note)
    assert v.outcome is Outcome.FAIL and v.exit_code == 1
    assert v.headline() == "FAIL: " + "; ".join([*v.failures, *v.doubts])


# --- the steady-state check: (steady dict, failures, doubts) ------------------------------------

STEADY: list[tuple[dict[str, Any], tuple[str, ...], tuple[str, ...]]] = [
    ({"before": "yes", "after": "yes"}, (), ()),
    ({"before": "yes", "after": "no", "after_detail": "A"},
     ("steady state did not return after the last fault: A",), ()),
    ({"faults": False, "before": "yes", "after": "no", "after_detail": "A"},
     ("steady state did not return at the run's end: A",), ()),
    ({"faults": True, "before": "no", "after": "no", "after_detail": "A", "before_detail": "B"}, (),
     ("steady state did not return after the last fault, but there was none before the first fault either, "
      "so the faults cannot be blamed: A", "the system was not steady before the first fault: B")),
    ({"faults": False, "before": "no", "after": "no", "after_detail": "A", "before_detail": "B"}, (),
     ("the system was steady neither at the run's start nor at the run's end: A",
      "the system was not steady at the run's start: B")),
    ({"before": "yes", "after": "not observed", "after_detail": "A"}, (),
     ("steady state after the last fault could not be observed: A",)),
    ({"faults": False, "before": "yes", "after": "not observed", "after_detail": "A"}, (),
     ("steady state at the run's end could not be observed: A",)),
    ({"before": "no", "after": "yes", "before_detail": "B"}, (), ("the system was not steady before the first fault: B",)),
    ({"faults": None, "before": "no", "after": "yes", "before_detail": "B"}, (),
     ("the system was not steady before the first fault: B",)),
    ({"before": "not observed", "after": "not observed"}, (),
     ("steady state after the last fault could not be observed: None",)),
]


@pytest.mark.parametrize(("steady", "failures", "doubts"), STEADY)
def test_the_steady_state_rules(steady: dict[str, Any], failures: tuple[str, ...], doubts: tuple[str, ...]) -> None:
    v = judge_run([HELD], steady=steady)
    assert (v.failures, v.doubts, v.notes) == (failures, doubts, ())
    assert v.steady == steady and v.steady is not steady  # a copy: the caller's dict is not kept


def test_no_steady_check_is_none() -> None:
    assert judge_run([HELD]).steady is None
    assert judge_run([HELD]).to_dict()["steady_state"] is None


# --- device losses: the doubt of an unexplained loss, the note of an explained one ---------------

EXPLAINED = {"count": 1, "stalls": 0, "explained": 1, "unexplained_count": 0, "unexplained": [],
             "items": [{"device": "hw:0", "kind": "lost", "time": 2.5, "explained_by": "server outage"}]}
UNEXPLAINED = {"count": 1, "stalls": 0, "explained": 0, "unexplained_count": 1,
               "unexplained": ["device 'hw:0' lost at t=2.500 s"], "items": []}


def test_an_explained_loss_is_a_note_and_in_a_faultless_run_says_what_was_tested() -> None:
    _, note = loss_findings(EXPLAINED)
    assert note is not None
    v = judge_run([HELD], device_losses=EXPLAINED)
    assert (v.outcome, v.doubts, v.notes) == (Outcome.PASS, (), (note,))
    v = judge_run([HELD], device_losses=EXPLAINED, steady={"faults": False, "before": "yes", "after": "yes"})
    assert v.notes == (recovered_from_outside(note),)
    assert v.notes[0] == (f"the run had no fault of its own, yet its device failed under it ({note}): the system "
                          "was judged through that outage and its recovery, not over an undisturbed run")
    v = judge_run([HELD], device_losses=EXPLAINED, steady={"faults": True, "before": "yes", "after": "yes"})
    assert v.notes == (note,)


def test_an_unexplained_loss_is_a_doubt_and_no_losses_are_nothing() -> None:
    doubt, note = loss_findings(UNEXPLAINED)
    assert doubt is not None and note is None
    v = judge_run([HELD], device_losses=UNEXPLAINED)
    assert (v.outcome, v.doubts, v.notes) == (Outcome.INCONCLUSIVE, (doubt,), ())
    for empty in (None, {}):
        v = judge_run([HELD], device_losses=empty)
        assert (v.outcome, v.doubts, v.notes) == (Outcome.PASS, (), ())


# --- a scenario's expectations ---------------------------------------------------------------------

SCENARIO: list[tuple[list[dict[str, Any]], tuple[str, ...], str]] = [
    ([{"name": "expectations", "ok": False}, {"name": "deadline", "ok": False}, {"name": "no_leak", "ok": False}],
     ("expectations not met: deadline, no_leak",), "FAIL: expectations not met: deadline, no_leak"),
    ([{"name": "expectations", "ok": False}], ("expectations not met: expectations",),
     "FAIL: expectations not met: expectations"),
    ([{"name": "deadline", "ok": False}], ("expectations not met: deadline",), "FAIL: expectations not met: deadline"),
    ([{"name": "expectations", "ok": True}], (), "PASS: every one of its expectations held"),
]


@pytest.mark.parametrize(("checks", "failures", "headline"), SCENARIO)
def test_a_scenario_names_its_unmet_expectations(checks: list[dict[str, Any]], failures: tuple[str, ...],
                                                 headline: str) -> None:
    v = judge_run(checks, subject="expectations")
    assert v.failures == failures and v.subject == "expectations"
    assert v.headline() == headline


# --- the verdict object -----------------------------------------------------------------------------

def test_outcome_exit_codes_and_the_inconclusive_exception() -> None:
    assert EXIT_CODES == {Outcome.PASS: 0, Outcome.FAIL: 1, Outcome.INCONCLUSIVE: 3}
    assert [o.value for o in Outcome] == ["pass", "fail", "inconclusive"]
    table = [((), (), Outcome.PASS, 0, 0), (("f",), (), Outcome.FAIL, 1, 1), ((), ("d",), Outcome.INCONCLUSIVE, 3, 0),
             (("f",), ("d",), Outcome.FAIL, 1, 1)]
    for failures, doubts, outcome, code, code_ok in table:
        v = RunVerdict((HELD,), failures, doubts)
        assert v.outcome is outcome and v.exit_code == code
        assert v.exit_code_with() == code and v.exit_code_with(inconclusive_ok=False) == code
        assert v.exit_code_with(inconclusive_ok=True) == code_ok


def test_check_status_and_the_lists_of_checks() -> None:
    assert [check_status(c) for c in ({"ok": True}, {"ok": True, "inconclusive": True}, {"ok": False},
                                      {"ok": False, "inconclusive": True}, {})] == \
        ["held", "inconclusive", "violated", "violated", "violated"]
    v = judge_run([HELD, BROKEN, UNSURE, _AsDict({"name": "obj", "ok": 0, "inconclusive": 1, "message": "m"})])
    assert v.violated == ["recovery", "obj"] and v.inconclusive == ["linearizable"]
    # the checks are plain dicts with ok and inconclusive as bools, whatever came in
    assert v.checks[0] == {**HELD, "ok": True, "inconclusive": False}
    assert v.checks[3] == {"name": "obj", "ok": False, "inconclusive": True, "message": "m"}
    assert all(type(c["ok"]) is bool and type(c["inconclusive"]) is bool for c in v.checks)


def test_the_pass_headline_counts_checks_and_names_gates_and_steady_state() -> None:
    assert judge_run([HELD, HELD2]).headline() == "PASS: all 2 invariants held"
    v = judge_run([HELD], gates=[{"status": "met", "message": "ok"}, {"status": "met", "message": "ok"}],
                  steady={"before": "yes", "after": "yes"})
    assert v.headline() == "PASS: all 1 invariants held; 2 gate(s) met; steady before: yes, after: yes"
    assert judge_run([HELD], steady={"before": "yes", "after": "yes"}).headline() == \
        "PASS: all 1 invariants held; steady before: yes, after: yes"
    v = judge_run([UNSURE])
    assert v.headline() == "INCONCLUSIVE: inconclusive: linearizable (search bound hit)"


def test_summary_dict_and_the_verdict_rebuilt_from_it() -> None:
    gate = {"status": "not_measured", "message": "no samples", "name": "p99"}
    steady = {"before": "yes", "after": "not observed", "after_detail": "short"}
    v = judge_run([HELD, BROKEN], gates=[gate], steady=steady, notes=["n"])
    d = v.to_dict()
    assert d == {"outcome": "fail", "ok": False, "exit_code": 1, "headline": v.headline(),
                 "reasons": ["invariants violated: recovery", "no samples",
                             "steady state after the last fault could not be observed: short"],
                 "failures": ["invariants violated: recovery"],
                 "doubts": ["no samples", "steady state after the last fault could not be observed: short"],
                 "notes": ["n"], "violated": ["recovery"], "inconclusive": [], "gates": [gate],
                 "steady_state": steady}
    back = RunVerdict.from_dict(d, [HELD, BROKEN])
    assert back.to_dict() == d
    assert back.checks == v.checks and back.gates == v.gates and back.steady == v.steady
    empty = RunVerdict.from_dict({})
    assert (empty.checks, empty.failures, empty.doubts, empty.notes, empty.gates, empty.steady) == \
        ((), (), (), (), (), None)
    assert RunVerdict.from_dict({"steady_state": "yes", "failures": None}).steady is None


# --- the helpers the words come from -----------------------------------------------------------------

REASONS: list[tuple[dict[str, Any], str]] = [
    ({"reason": "  bound hit  ", "message": "other"}, "bound hit"),
    ({"reason": "", "message": "search bound hit; 3 ops"}, "search bound hit"),
    ({"message": "history unordered: inconclusive; more"}, "history unordered"),
    ({"message": " plain "}, "plain"),
    ({}, ""),
    ({"reason": None, "message": None}, ""),
    ({"reason": "w " * 80}, ("w " * 80).strip()),  # 159 characters: kept whole
    ({"reason": "x" * REASON_MAX}, "x" * REASON_MAX),  # exactly the bound: kept whole
    ({"reason": "a" * 100 + ", " + "b" * 100}, "a" * 100 + " ..."),  # cut on a word, its comma dropped
    ({"reason": "a" * 100 + "; " + "b" * 100}, "a" * 100 + " ..."),
    ({"reason": "a" * 100 + ": " + "b" * 100}, "a" * 100 + " ..."),
    ({"reason": "a" * 158 + " bcd"}, "a" * 158 + " ..."),  # 162: the last word cut off
    ({"reason": "a" * 159 + " b"}, "a" * 159 + " ..."),  # 161: one over
    ({"reason": "w " * 85}, "w " * 79 + "w ..."),  # many words: only the last, cut one is dropped
    ({"reason": "a" * 100 + "X, " + "b" * 100}, "a" * 100 + "X ..."),  # only the punctuation is dropped
    ({"reason": "a" * 100 + "\t" + "b" * 100}, "a" * 100 + "\t" + "b" * 59 + " ..."),  # cut at a space only
    ({"reason": "c" * 170}, "c" * REASON_MAX + " ..."),  # one long word: cut at the bound
    ({"message": "bound hit; 3 ops; 2 threads"}, "bound hit"),  # up to the first "; "
    ({"message": "a: inconclusive: b: inconclusive"}, "a"),  # up to the first ": inconclusive"
]


@pytest.mark.parametrize(("check", "reason"), REASONS)
def test_inconclusive_reason(check: dict[str, Any], reason: str) -> None:
    assert inconclusive_reason(check) == reason


def test_describe_skips() -> None:
    assert describe_skips({}) == ""
    assert describe_skips({"stall": {}}) == ""
    assert describe_skips({"b": {"r2": 1, "r1": 2}, "a": {"x": 3}}) == \
        "6 fault(s) skipped: a x3 (x); b x2 (r1); b x1 (r2)"


def test_unfired_clause() -> None:
    assert _unfired_clause(None, "k") == ""
    assert _unfired_clause({}, "k") == ""
    assert _unfired_clause({"k": {"why": " queued "}}, "k") == "queued"
    assert _unfired_clause({"k": "refused"}, "k") == "refused"
    assert _unfired_clause({"k": {"no": "x"}}, "k") == ""
    assert _unfired_clause({"k": 3}, "k") == ""
    assert _unfired_clause({"j": "refused"}, "k") == ""


def test_steady_windows() -> None:
    assert FAULT_WINDOWS == ("before the first fault", "after the last fault", "after the faults ended")
    assert PLAIN_WINDOWS == ("at the run's start", "at the run's end", "after the run's time was up")
    assert steady_windows(True) is FAULT_WINDOWS and steady_windows(False) is PLAIN_WINDOWS
