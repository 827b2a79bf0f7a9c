"""A refused operation's exception chain lets go of its frames once recorded (``run_op``,
``history.drop_tracebacks``), the implicit chain too: a refusal raised while the system handled
another exception carries that one as ``__context__``, whose traceback holds the frames it passed
through, the system's objects in their locals. Kept, each such refusal holds them for as long as
its ``OpResult`` lives (and, with a frame that reaches back to ``run_op``'s, in a cycle only the
oldest collection frees). The collector is off while each test runs, so only references count;
no clock involved."""

from __future__ import annotations

import weakref

import pytest

from harness.history import History, run_op
from system_under_test.errors import LifecycleError


class _Marker:
    """Something a frame holds (a weakref can watch it; a frame cannot be)."""


class _RefusingWhileHandling:
    """Refuses ``start`` with a ``LifecycleError`` raised while handling a ``KeyError`` (its
    ``__context__``), or ``raise ... from`` it (its ``__cause__``); each frame holds a marker."""

    def __init__(self, chained: str) -> None:
        self.chained = chained
        self.markers: list[weakref.ref[_Marker]] = []

    def _look_up(self) -> None:
        marker = _Marker()
        self.markers.append(weakref.ref(marker))
        raise KeyError("device")

    def start(self) -> None:
        marker = _Marker()
        self.markers.append(weakref.ref(marker))
        try:
            self._look_up()
        except KeyError as exc:
            if self.chained == "cause":
                raise LifecycleError("start refused", component="system") from exc
            raise LifecycleError("start refused", component="system")  # noqa: B904 - the implicit chain


@pytest.mark.parametrize("chained", ["context", "cause"])
def test_a_refusal_raised_while_handling_another_lets_go_of_every_frame(collector_off: None, chained: str) -> None:
    system = _RefusingWhileHandling(chained)
    result = run_op(History(), system, "start", observe_state=False)
    assert result.outcome == "fail" and isinstance(result.error, LifecycleError)
    inner = result.error.__cause__ if chained == "cause" else result.error.__context__
    assert isinstance(inner, KeyError)
    assert result.error.__traceback__ is None and inner.__traceback__ is None
    assert len(system.markers) == 2
    assert [m() for m in system.markers] == [None, None], "a frame of the refusal's chain is alive"
