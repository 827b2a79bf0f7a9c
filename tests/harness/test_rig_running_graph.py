"""The rig's cable faults return only once the server's running graph shows them.

JACK2 switches to a changed graph at the driver's next cycle; a listing read before then still
shows the old wiring. The fake agent here lags that way: its listing changes only some reads after
the request, as a loaded server's does. No JACK is started.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.errors import RigError
from harness.rig import loopback
from harness.rig.loopback import JACK_CALL_TIMEOUT_S, LoopbackRig
from harness.rig.metadata_db import DbCheck
from system_under_test.clock import VirtualClock

PAIRS = [("PortAudio:out_0", "PortAudio:in_0"), ("PortAudio:out_1", "PortAudio:in_1")]


class LaggingAgent:
    """A JACK agent whose ``connections`` shows a change only ``lag`` reads after it was asked."""

    alive = True

    def __init__(self, lag: int) -> None:
        self.lag = lag
        self.running_graph = set(PAIRS)
        self.next_graph = set(PAIRS)
        self.reads_to_switch = 0

    def request(self, op: str, timeout_s: float, **kw: Any) -> Any:
        if op == "connections":
            if self.reads_to_switch:
                self.reads_to_switch -= 1
                if not self.reads_to_switch:
                    self.running_graph = set(self.next_graph)
            return [list(p) for p in sorted(self.running_graph)]
        if op == "ports":
            return sorted({name for pair in PAIRS for name in pair})
        pair = (kw["src"], kw["dst"])
        (self.next_graph.discard if op == "disconnect" else self.next_graph.add)(pair)
        self.reads_to_switch = self.lag
        return None


def _rig(agent: LaggingAgent) -> LoopbackRig:
    rig = LoopbackRig(clock=VirtualClock())
    rig._agent = agent  # type: ignore[assignment]
    rig._loop_pairs = list(PAIRS)
    rig._stalled = False
    rig._proc = object()  # type: ignore[assignment]
    return rig


@pytest.mark.parametrize("lag", [2, 5])
def test_a_disconnect_and_a_reconnect_return_once_the_running_graph_shows_them(lag: int,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LoopbackRig, "running", property(lambda self: True))
    agent = LaggingAgent(lag)
    rig = _rig(agent)
    assert rig.disconnect_ports() == PAIRS
    assert not set(PAIRS) & set(rig.connections())
    assert rig.reconnect_ports() == PAIRS
    assert set(PAIRS) <= set(rig.connections())


def test_a_graph_that_never_switches_is_a_rig_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LoopbackRig, "running", property(lambda self: True))
    agent = LaggingAgent(10**9)
    with pytest.raises(RigError, match="the disconnection in the server's running graph"):
        _rig(agent).disconnect_ports()


def test_a_graph_switched_late_by_a_cycle_waiting_for_a_cpu_is_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """The driver's cycle that switches the graph waits for a CPU: 400 reads at 0.05 s (20 virtual
    seconds, four times the bound) with the rig's processes runnable throughout. Fails with the
    wall-clock bound: "timed out after 5.0 s waiting for the disconnection in the server's running graph"."""
    monkeypatch.setattr(LoopbackRig, "running", property(lambda self: True))
    monkeypatch.setattr(LoopbackRig, "tree_state", staticmethod(lambda pid: (True, True)))
    rig = _rig(LaggingAgent(400))
    assert rig.disconnect_ports() == PAIRS
    assert rig.clock.now() > 3 * JACK_CALL_TIMEOUT_S


def test_a_graph_that_never_switches_while_the_rig_sleeps_spends_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """Asleep throughout (a server hung): the bound is spent at 5 s; a healthy database is not named."""
    monkeypatch.setattr(LoopbackRig, "running", property(lambda self: True))
    monkeypatch.setattr(LoopbackRig, "tree_state", staticmethod(lambda pid: (True, False)))
    monkeypatch.setattr(loopback, "check_metadata_db", lambda folder: DbCheck("opens", "opened in 0.01 s"))
    rig = _rig(LaggingAgent(10**9))
    with pytest.raises(RigError, match="the disconnection in the server's running graph") as caught:
        rig.disconnect_ports()
    assert "metadata database" not in str(caught.value)
    assert rig.clock.now() == pytest.approx(JACK_CALL_TIMEOUT_S, abs=0.1)
