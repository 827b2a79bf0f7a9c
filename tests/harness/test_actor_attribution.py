"""Background recovery is an actor of its own: the op checks attribute its moves to it.

Measured on the JACK rig (PortAudio's JACK host API, server killed from outside and restarted):
a ``configure`` that failed validation while the recovery supervisor moved the system RECOVERING
-> RUNNING ("recovered") was judged by ``linearizable`` and ``rejected_config`` as the rejected
configuration having changed the system. These tests build that history (synthetic, and from a
real simulated system) and check both verdicts, and that a rejected configure which really did
change the system is still caught.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from harness import SimulatedTarget
from harness.history import History, run_op
from harness.invariants import check_all, check_linearizable, check_rejected_config
from system_under_test import State

CFG = "c0nf1g"


def _attach(h: History, state: str = "recovering") -> None:
    h.record("attach", data={"state": state, "configured": True, "pending": False, "config": CFG,
                             "components": {"system": state}, "next_seq": 1})


def _tr(h: History, seq: int, a: str, b: str, cause: str = "recovered") -> None:
    h.record("transition", data={"seq": seq, "time": 0.0, "component": "system", "from_state": a,
                                 "to_state": b, "cause": cause})


def _obs(state: str, seq: int, config: str = CFG) -> dict[str, Any]:
    return {"state": state, "configured": True, "pending": False, "config": config, "seq": seq}


def _rejected_configure(h: History, *, post: dict[str, Any], pre: dict[str, Any], seqs: list[int],
                        between: Any = None, after: Any = None) -> None:
    op = h.invoke("client", "configure", [{"stream": {"sample_rate": 1}}], meta={"invalid": True}, pre=pre)
    if between is not None:
        between()
    h.fail(op, error={"type": "ConfigValidationError", "message": "sample_rate"}, pre=pre, post=post,
           seqs=seqs)
    if after is not None:
        after()


@pytest.mark.parametrize("recorded", ["inside the op", "after the op completed"])
def test_a_recovery_move_inside_a_rejected_configure_is_the_supervisors(recorded: str) -> None:
    """The observer may record the supervisor's transition after the op's completion (it records
    outside the coordinator's lock): the seq range of the op's readings still places it inside."""
    h = History()
    _attach(h)
    move = lambda: _tr(h, 1, "recovering", "running")  # noqa: E731
    _rejected_configure(h, pre=_obs("recovering", 0), post=_obs("running", 1), seqs=[],
                        **({"between": move} if recorded == "inside the op" else {"after": move}))
    lin, rej = check_linearizable(h), check_rejected_config(h)
    assert lin.ok and not lin.inconclusive, lin
    assert rej.ok and "1 rejected configuration(s) changed nothing" in rej.message, rej
    verdicts = {v.name: v for v in check_all(h)}
    assert verdicts["linearizable"].ok and verdicts["rejected_config"].ok


def test_a_rejected_configure_leaves_the_state_where_the_other_actors_last_move_put_it() -> None:
    """The supervisor may move the system twice inside one rejected configure (a dropout: RUNNING
    -> RECOVERING, then back to RUNNING): the op must leave it where the last of those moves did,
    and a configure that left it RUNNING changed nothing."""
    h = History()
    _attach(h, "running")

    def moves() -> None:
        _tr(h, 1, "running", "recovering", cause="device lost")
        _tr(h, 2, "recovering", "running")

    _rejected_configure(h, pre=_obs("running", 0), post=_obs("running", 2), seqs=[], between=moves)
    rej = check_rejected_config(h)
    assert rej.ok and "1 rejected configuration(s) changed nothing" in rej.message, rej


def test_a_rejected_configure_that_really_changed_the_state_is_caught() -> None:
    """Its own transition (seqs: made on the op's thread) is its own, whoever else moved."""
    h = History()
    _attach(h, "running")
    _rejected_configure(h, pre=_obs("running", 0), post=_obs("stopped", 1), seqs=[1],
                        between=lambda: _tr(h, 1, "running", "stopped", cause="configure"))
    lin, rej = check_linearizable(h), check_rejected_config(h)
    assert not lin.ok and lin.evidence[0]["op"] == "configure", lin
    whys = sorted(e["why"] for e in rej.evidence)
    assert whys == ["rejected configuration changed the system", "transitions during a rejected configuration"]


def test_a_state_change_no_actor_explains_is_still_the_rejected_configures() -> None:
    """The other actor moved RECOVERING -> RUNNING, but the op left STOPPED: not the actor's doing."""
    h = History()
    _attach(h)
    _rejected_configure(h, pre=_obs("recovering", 0), post=_obs("stopped", 1), seqs=[],
                        between=lambda: _tr(h, 1, "recovering", "running"))
    assert not check_linearizable(h).ok
    rej = check_rejected_config(h)
    assert [e["why"] for e in rej.evidence] == ["rejected configuration changed the system"]
    assert rej.evidence[0]["other_actor"][0]["to_state"] == "running"


def test_a_rejected_configure_that_changed_the_config_is_caught_whoever_moved_the_state() -> None:
    h = History()
    _attach(h)
    _rejected_configure(h, pre=_obs("recovering", 0), post=_obs("running", 1, config="other"), seqs=[],
                        between=lambda: _tr(h, 1, "recovering", "running"))
    rej = check_rejected_config(h)
    assert not rej.ok and rej.evidence[0]["why"] == "rejected configuration changed the system"


class _RecoversDuring:
    """The system, but ``configure`` first lets the recovery supervisor finish on another thread:
    the interleaving measured on the rig, made deterministic on the virtual clock."""

    def __init__(self, system: Any) -> None:
        self._system = system

    def __getattr__(self, name: str) -> Any:
        return getattr(self._system, name)

    def configure(self, config: Any) -> None:
        supervisor = threading.Thread(target=self._system.run_for, args=(1.0,))
        supervisor.start()
        supervisor.join()
        self._system.configure(config)


def test_a_real_recovery_during_a_rejected_configure_is_not_blamed_on_it(make_system: Any) -> None:
    system = make_system()
    h = History().attach(system)
    target = SimulatedTarget(system.backend)
    target.drop_device("sim-in")
    system.run_for(0.05)
    assert system.state == State.RECOVERING
    target.return_device("sim-in")
    res = run_op(h, _RecoversDuring(system), "configure", {"stream": {"sample_rate": 1}},
                 meta={"invalid": True})
    assert res.outcome == "fail" and system.state == State.RUNNING
    assert system.metrics().counters["recoveries"] == 1
    op = [o for o in h.operations() if o.op == "configure"][0]
    assert (op.pre["state"], op.post["state"], op.seqs) == ("recovering", "running", [])
    lin, rej = check_linearizable(h), check_rejected_config(h)
    assert lin.ok, lin
    assert rej.ok and rej.message.startswith("1 rejected"), rej


@pytest.mark.parametrize("post, changed", [
    (_obs("stopped", 2), True),                    # its window's transitions never recorded, state moved
    (_obs("running", 2, config="other"), True),    # the config changed
    (_obs("running", 2), False),                   # left as it was found
])
def test_a_rejected_configure_whose_window_was_never_recorded_whole_is_judged_with_what_was_seen(
        post: dict[str, Any], changed: bool) -> None:
    """The readings place two transitions inside the op (seq 0 before, seq 2 after), and the
    history holds neither (a file cut short, the lines lost): the judge waits for them, and when
    the history ends without them it judges with what it saw, never leaves the op unjudged. Nothing
    recorded moved the state, so the op must have left it where it found it."""
    h = History()
    _attach(h, "running")
    _rejected_configure(h, pre=_obs("running", 0), post=post, seqs=[])
    rej = check_rejected_config(h)
    if changed:
        assert not rej.ok and [e["why"] for e in rej.evidence] == ["rejected configuration changed the system"], rej
    else:
        assert rej.ok and "1 rejected configuration(s) changed nothing" in rej.message, rej
