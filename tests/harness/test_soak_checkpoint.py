"""A soak's checkpoint keeps the history's report entries as ``compact_entry`` makes them, and the
checkpoint's encoding does not copy them once more (``jsonify``): they are the largest part of a
checkpoint (~2 000 entries a simulated minute) and already JSON-safe.

Short simulated soaks (seeded, virtual clock): deterministic.
"""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

import harness.journal as journal
import harness.soak as soak
from harness import SoakRunner, SoakSpec, read_journal
from harness.history import Entry
from harness.journal import compact_entry, jsonify

pytestmark = pytest.mark.soak


@pytest.fixture(autouse=True)
def _history_db(tmp_path, monkeypatch):
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))


def _history_entries(path) -> list[Entry]:
    return [Entry.from_dict(json.loads(line)) for line in path.read_text().splitlines() if line.strip()]


def test_a_checkpoints_entries_are_the_compacted_history_not_copied_again(tmp_path, monkeypatch):
    copied: list[dict] = []
    real = journal.jsonify

    def watching(value):
        if type(value) is dict and value.get("type") in journal.REPORT_ENTRY_TYPES and "time" in value:  # an entry
            copied.append(value)
        return real(value)

    monkeypatch.setattr(journal, "jsonify", watching)  # jsonify's own recursion goes through it too
    monkeypatch.setattr(soak, "jsonify", watching)
    run = tmp_path / "run"
    SoakRunner(SoakSpec(duration_s=30.0, seed=3, checkpoint_s=10.0, faults="hostile", run_dir=run)).start()
    data = read_journal(run)
    kept = [e for cp in [*data.checkpoints] for e in cp["entries"]]
    assert data.checkpoint_count == 3 and len(data.checkpoints) == 3
    # what the checkpoints hold: every report entry of the history, as jsonify(compact_entry) gives it
    history = _history_entries(run / "history.jsonl")
    want = [real(c) for c in (compact_entry(e) for e in history) if c is not None]
    end = data.checkpoints[-1]["sim_t1"]
    assert kept == want[:len(kept)]  # the rest: the stop and close after the last checkpoint
    assert all(w["time"] >= end for w in want[len(kept):])
    assert len(kept) > 300 and {e["type"] for e in kept} >= {"transition", "fault_start", "fault_end", "error", "event"}
    assert copied == []


class _NoDict(Entry):
    def to_dict(self):
        raise AssertionError("an entry copied into a dict to be compacted")


def test_compact_entry_reads_an_entry_by_its_attributes_as_its_dict():
    """``compact_entry`` of an ``Entry`` reads its attributes, never a ``to_dict()`` copy (most
    entries are dropped), and gives what the entry's dict gives."""
    entries = [
        Entry(0, "invoke", 1.0, "p1", "start", 4, None, {"args": []}),
        Entry(1, "transition", 1.5, data={"seq": 3, "component": "system", "from_state": "running",
                                          "to_state": "recovering", "cause": "x", "actor": "a"}),
        Entry(2, "transition", 1.5, data={"seq": 4, "component": "dsp", "from_state": "running",
                                          "to_state": "failed", "cause": "x"}),
        Entry(3, "event", 2.0, value="config_applied", data={"cause": "c"}),
        Entry(4, "event", 2.0, value="recovery_started", data={"cause": "c", "other": 1,
                                                               "error": {"type": "DeviceLostError"}}),
        Entry(5, "error", 2.5, value="error", data={"error": {"type": "E", "message": "m" * 400},
                                                   "component": "device", "severity": "major"}),
        Entry(6, "error", 2.5, value="error", data={"error": "plain text"}),
        Entry(7, "fault_start", 3.0, value="xrun", data={"firing_id": "xrun@1", "kind": "xrun", "x": 2}),
        Entry(8, "note", 3.5, data={"what": "n"}),
        Entry(9, "metrics", 4.0, data={"counters": {}}),
        Entry(10, "note", 5.0),
    ]
    want = [compact_entry(e.to_dict()) for e in entries]
    assert [compact_entry(_NoDict(**{f.name: getattr(e, f.name) for f in dataclasses.fields(e)})) for e in entries] == want
    assert [w is None for w in want] == [True, False, True, True, False, False, False, False, False, True, False]


def test_a_time_jsonify_would_change_is_changed_as_jsonify_does():
    entries = [Entry(0, "note", math.inf, data={"what": "a"}), Entry(1, "note", 2.0, data={"what": "b"})]
    got = soak._journal_entries(entries, 0.0)
    assert got == [jsonify(compact_entry(e)) for e in entries]
    assert got[0]["time"] is None and got[1]["time"] == 2.0
    assert soak._journal_entries(entries, 10.0)[1]["time"] == 12.0
