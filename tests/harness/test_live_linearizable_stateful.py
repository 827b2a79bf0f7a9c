"""The state machine's live ``linearizable`` verdict, step by step, against a fresh judge.

``LiveChecker`` keeps one ``_StreamingLinearizability`` across the machine's steps, feeds it each
step's new entries and reads it without settling it. At every step of every example its verdict
must be the one a judge built afresh and fed the whole history so far gives (what the live check
did before it kept its judge), message and evidence included.
"""

from __future__ import annotations

import pytest
from hypothesis.stateful import invariant, run_state_machine_as_test

from harness.invariants import check_linearizable
from harness.stateful import make_machine, profile_settings
from live_readings import verdict_key


@pytest.mark.parametrize("focus", [None, ("operations", "guards", "faults")], ids=["default", "guards"])
def test_the_kept_judge_reads_as_a_fresh_one_at_every_step_of_the_machine(focus):
    Base = make_machine(name="LiveLinearizable", focus=focus)
    compared = [0]

    class Machine(Base):  # type: ignore[misc, valid-type]
        @invariant()
        def live_linearizable_is_the_fresh_verdict(self) -> None:
            if self.system is None:
                return
            live = next(v for v in self.checker.check() if v.name == "linearizable")
            fresh = check_linearizable(self.history)
            assert verdict_key(live) == verdict_key(fresh), (self.steps, live, fresh)
            judge = self.checker._linearizability
            assert judge is not None and not judge.judged and judge.whole_reason is None
            compared[0] += 1

    run_state_machine_as_test(Machine, settings=profile_settings("ci", max_examples=12))
    assert compared[0] >= 50, compared
