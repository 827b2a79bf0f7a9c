"""A swarm that loses its Dask scheduler ends at once with every seed not run named.

Dask cancels every task in flight with reason ``scheduler-connection-lost``, and a task submitted
after it waits for a reconnection that never comes: ``run_swarm`` stops submitting and marks each
seed in flight, and each seed it never submitted, as not run (``SCHEDULER_LOST``), so the summary
and ``--resume`` know which seeds are still owed. A seed left unnamed reads as never asked for.

The cluster is a stand-in (a client whose every task comes back cancelled so, and an
``as_completed`` over a list): killing a real scheduler at a chosen moment takes a cluster and
wall-time races, and what is judged here is only the driver's bookkeeping.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import distributed
import pytest

import harness.swarm as swarm
from harness.swarm import SCHEDULER_LOST, SwarmSpec, prepare_out_dir, run_swarm


class _SchedulerGone(Exception):
    """What a task's result raises once the client lost its scheduler."""

    reason = "scheduler-connection-lost"


class _Future:
    def __init__(self, key: str) -> None:
        self.key = key

    def result(self) -> Any:
        raise _SchedulerGone("scheduler connection lost")

    def release(self) -> None:
        return None


class _Client:
    """A client whose scheduler is gone: each submitted task comes back cancelled."""

    def __init__(self) -> None:
        self.submitted: list[int] = []

    def submit(self, fn: Any, seed: int, *args: Any, key: str, pure: bool) -> _Future:
        self.submitted.append(seed)
        return _Future(key)

    def subscribe_topic(self, topic: str, handler: Any) -> None:
        return None

    def scheduler_info(self, **kwargs: Any) -> dict[str, Any]:
        return {"workers": {"tcp://127.0.0.1:1": {}}}

    def close(self) -> None:
        return None


class _AsCompleted:
    """``distributed.as_completed`` over futures already done, in submission order."""

    def __init__(self, futures: list[_Future]) -> None:
        self.queue = list(futures)

    def __iter__(self) -> Any:
        while self.queue:
            yield self.queue.pop(0)

    def add(self, future: _Future) -> None:
        self.queue.append(future)


def test_a_lost_scheduler_names_every_seed_not_run_in_flight_or_never_submitted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client = _Client()
    monkeypatch.setattr(swarm, "_connect", lambda *args, **kwargs: (client, None))
    monkeypatch.setattr(distributed, "as_completed", _AsCompleted)
    spec, out = prepare_out_dir(SwarmSpec("1-10", 1.0, "gentle"), tmp_path / "swarm", None)
    result = run_swarm(spec, out, scheduler="tcp://127.0.0.1:1", in_flight=2, progress=False)
    assert client.submitted == [1, 2], "nothing is submitted once the scheduler is lost"
    assert sorted(result.errors) == list(range(1, 11)), result.errors
    never_submitted = range(3, 11)
    assert all(result.errors[s] == f"not run: {SCHEDULER_LOST}" for s in [2, *never_submitted]), result.errors
    assert result.errors[1].startswith("_SchedulerGone: "), result.errors[1]
    assert not result.rows
