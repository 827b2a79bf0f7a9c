"""What an op's completion records of the transitions it made (``seqs``) reaches the judge as
recorded: ``[]`` (it made none) is information, not the same as ``None`` (not known).

The history of the table: the system RUNNING, a ``pause`` invoked, the watchdog (another actor)
moving the system to RECOVERING while the pause was in flight, the pause returning ``ok`` with the
system observed RECOVERING after it. If the pause is known to have made no transition (``[]``),
its ``ok`` fits nowhere: a pause that succeeds moves RUNNING to PAUSED, and from RECOVERING a pause
is refused, so the history is not linearizable. If what it made is not known (``None``), the move
to RECOVERING may have been its own doing after a pause took effect, and the history fits."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import History
from harness.invariants import _check_linearizable_whole, check_linearizable

OBS = {"configured": True, "pending": False}


def _history(seqs: list[int] | None, path: Path | None = None) -> History:
    h = History()
    if path is not None:
        h.stream_to(path)
    h.record("attach", data={"state": "running", **OBS, "components": {"system": "running"}})
    op = h.invoke("p1", "pause", pre={"state": "running", **OBS, "seq": 0})
    h.record("transition", time=0.1, data={"seq": 1, "time": 0.1, "component": "system", "from_state": "running",
                                           "to_state": "recovering", "cause": "watchdog", "actor": "system"})
    h.complete(op, "ok", seqs=seqs, post={"state": "recovering", **OBS, "seq": 1})
    return h


@pytest.mark.parametrize(("seqs", "linearizable"), [([], False), (None, True), ([1], False)])
def test_an_ops_recorded_transitions_decide_whether_its_ok_fits(seqs: list[int] | None, linearizable: bool) -> None:
    h = _history(seqs)
    assert [o.seqs for o in h.operations()] == [seqs]
    assert check_linearizable(h).ok is linearizable
    assert _check_linearizable_whole(h).ok is linearizable


@pytest.mark.parametrize("seqs", [[], None, [1]])
def test_an_ops_seqs_survive_the_history_file(tmp_path: Path, seqs: list[int] | None) -> None:
    path = tmp_path / "history.jsonl"
    h = _history(seqs, path)
    h.close()
    back = History.open_jsonl(path)
    assert [o.seqs for o in back.operations()] == [seqs]
