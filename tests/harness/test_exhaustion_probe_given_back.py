"""``buffer_exhaustion`` with ``mode="limit"`` and ``report=true`` gives back everything it took.

With ``report`` the competitor, having drained what the limit left free, asks for one more to
meet the refusal it reports. The limit may let that one through: a holder of the resource
released some between the drain's reading of the usage and the probe (on a real device the
audio thread returns blocks while the fault starts). Then there is nothing to report, and the
one more must be given back at once: the fault's ``end`` releases only the drain's allocation,
so one kept would be the competitor's for ever, a leak laid on the run. Here the release falls
between the two allocations deterministically (the ledger releases a holder's allocation as the
competitor's drain is granted), and the refused case is checked alongside it.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from harness.faults.kinds import COMPETITOR, BufferExhaustion
from system_under_test.errors import ResourceLimitError
from system_under_test.resources import Allocation, ResourceManager, ResourceType

_LIMIT = 8


class _ReleasingLedger(ResourceManager):
    """A ledger on which a holder gives back ``releasing`` as the competitor's first allocation is
    granted: the usage the fault read before its drain is then one more than the ledger holds."""

    def __init__(self) -> None:
        super().__init__(global_limits={ResourceType.BUFFERS: _LIMIT})
        self.releasing: Allocation | None = None

    def allocate(self, component: str, rtype: ResourceType, amount: int = 1, tag: str = "") -> Allocation:
        alloc = super().allocate(component, rtype, amount, tag)
        if component == COMPETITOR and self.releasing is not None:
            self.release(self.releasing)
            self.releasing = None
        return alloc


class _Coordinator:
    def __init__(self) -> None:
        self.reported: list[tuple[str, Any]] = []

    def handle_error(self, component: str, error: Any) -> None:
        self.reported.append((component, error))


def _system(release_during_drain: bool) -> SimpleNamespace:
    ledger = _ReleasingLedger()
    ledger.allocate("dsp", ResourceType.BUFFERS, 3, "held")
    one = ledger.allocate("dsp", ResourceType.BUFFERS, 1, "returned while the fault starts")
    if release_during_drain:
        ledger.releasing = one
    return SimpleNamespace(resources=ledger, coordinator=_Coordinator())


def _start_and_end(system: SimpleNamespace) -> Any:
    fault = BufferExhaustion(mode="limit", resource="buffers", report=True, target="dsp")
    assert fault.why_not_now(system) is None
    ctx = SimpleNamespace(system=system)
    token = fault.start(ctx)
    during = system.resources.usage(COMPETITOR).get(ResourceType.BUFFERS, 0)
    fault.end(ctx, token)
    return token, during


def test_one_more_let_through_is_given_back_at_once_and_nothing_is_reported() -> None:
    system = _system(release_during_drain=True)
    token, during = _start_and_end(system)
    # the drain took the 4 the limit left free as read; a holder's 1 came back during it
    assert during == 4 and "reported" not in token and system.coordinator.reported == []
    assert system.resources.usage(COMPETITOR).get(ResourceType.BUFFERS, 0) == 0
    assert system.resources.live(COMPETITOR) == []
    assert system.resources.usage().get(ResourceType.BUFFERS, 0) == 3  # the holder's own, no more


def test_one_more_refused_is_reported_and_the_drain_given_back() -> None:
    system = _system(release_during_drain=False)
    token, during = _start_and_end(system)
    assert during == _LIMIT - 4
    ((component, error),) = system.coordinator.reported
    assert component == "dsp" and isinstance(error, ResourceLimitError) and token["reported"] == str(error)
    assert system.resources.live(COMPETITOR) == []
    assert system.resources.usage().get(ResourceType.BUFFERS, 0) == 4
