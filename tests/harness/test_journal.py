"""The crash-safe run journal (harness.journal)."""

from __future__ import annotations

import json

import pytest

from harness import InputFileError
from harness.journal import JOURNAL_NAME, JournalError, JournalWriter, read_journal


def _write(tmp_path, n=3, end=True):
    w = JournalWriter.create(tmp_path, {"seed": 7, "duration_s": 30.0})
    for i in range(n):
        w.checkpoint({"sim_t0": i * 10.0, "sim_t1": (i + 1) * 10.0, "events": [{"t": i, "kind": "x"}]})
    if end:
        w.end("completed", sim_t=n * 10.0)
    w.close()
    return tmp_path / JOURNAL_NAME


def test_round_trip(tmp_path):
    path = _write(tmp_path)
    data = read_journal(tmp_path)
    assert data.complete and data.problems == []
    assert data.header["seed"] == 7 and data.header["journal_version"] == 1
    assert [c["index"] for c in data.checkpoints] == [0, 1, 2]
    assert data.checkpoints[1]["events"] == [{"t": 1, "kind": "x"}]
    assert data.end["status"] == "completed"
    # every line is plain JSON (jq-readable) carrying its checksum
    for line in path.read_text().splitlines():
        assert len(json.loads(line)["crc"]) == 8


def test_never_overwrites(tmp_path):
    _write(tmp_path)
    with pytest.raises(FileExistsError):
        JournalWriter.create(tmp_path, {})


def test_truncated_mid_line_drops_only_the_last_chunk(tmp_path):
    path = _write(tmp_path, end=False)
    raw = path.read_bytes()
    path.write_bytes(raw[:-25])  # cut the last checkpoint line in the middle
    data = read_journal(path)
    assert [c["index"] for c in data.checkpoints] == [0, 1]
    assert any("truncated" in p and "line 4" in p for p in data.problems)
    assert any("no end record" in p for p in data.problems)
    assert not data.complete


def test_corrupt_byte_is_caught_by_the_checksum(tmp_path):
    path = _write(tmp_path)
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b'"sim_t0":10.0', b'"sim_t0":19.0')  # still valid JSON
    path.write_bytes(b"\n".join(lines))
    data = read_journal(path)
    assert [c["index"] for c in data.checkpoints] == [0, 2]
    assert any("line 3" in p and "checksum mismatch" in p for p in data.problems)
    assert any("checkpoint 2 where 1 was expected" in p for p in data.problems)


def test_garbage_line(tmp_path):
    path = _write(tmp_path)
    with open(path, "ab") as fh:
        fh.write(b"\x00\xffnot json at all\n")
    data = read_journal(path)
    assert data.end is not None and any("line 6" in p and "unreadable" in p for p in data.problems)


def test_empty_missing_and_headerless_journals_are_clear_errors(tmp_path):
    with pytest.raises(JournalError, match="no journal here"):
        read_journal(tmp_path)
    (tmp_path / JOURNAL_NAME).write_bytes(b"")
    with pytest.raises(JournalError, match="empty") as info:
        read_journal(tmp_path)
    assert isinstance(info.value, InputFileError) and info.value.exit_code == 2
    (tmp_path / JOURNAL_NAME).write_bytes(b'{"type": "checkpoint"}\n')
    with pytest.raises(JournalError, match="no readable header"):
        read_journal(tmp_path)


def test_resume_cuts_the_partial_line_and_continues(tmp_path):
    path = _write(tmp_path, end=False)
    with open(path, "ab") as fh:
        fh.write(b'{"type":"checkpoint","index":3,"sim_t0":30')  # killed mid-write
    w, data = JournalWriter.resume(tmp_path)
    assert w.checkpoints == 3 and len(data.checkpoints) == 3
    w.note("resumed", from_checkpoint=2)
    assert w.checkpoint({"sim_t0": 30.0}) == 3
    w.end("completed")
    w.close()
    again = read_journal(tmp_path)
    assert again.complete, again.problems
    assert [c["index"] for c in again.checkpoints] == [0, 1, 2, 3]
    assert again.notes[0]["what"] == "resumed"


def test_a_resume_cuts_a_half_line_longer_than_everything_it_writes_after_it(tmp_path):
    """A killed writer's half line can be a whole checkpoint's worth of bytes (its entries and
    samples), more than the resumed writer's note and end record: cut, not written over, or its
    tail stays after the end record and the finished journal reads as damaged."""
    path = _write(tmp_path, end=False)
    with open(path, "ab") as fh:
        fh.write(b'{"type":"checkpoint","index":3,"sim_t0":30.0,"entries":[' + b'{"t":1},' * 2000)  # killed
    w, data = JournalWriter.resume(tmp_path)
    w.note("resumed", from_checkpoint=2)
    w.end("completed")
    w.close()
    again = read_journal(tmp_path)
    assert again.complete, again.problems
    assert [c["index"] for c in again.checkpoints] == [0, 1, 2] and again.end["status"] == "completed"

def test_a_resume_after_a_damaged_checkpoint_numbers_on_from_the_last_one_read(tmp_path):
    """A checkpoint line lost in the middle (its checksum fails) leaves a gap the reader names;
    the resumed writer numbers on from the last checkpoint it read, not from how many it read, or
    its first checkpoint takes the last one's number and every reader drops it as a repeat."""
    path = _write(tmp_path, n=4, end=False)
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b'"sim_t0":10.0', b'"sim_t0":19.0')  # checkpoint 1 damaged
    path.write_bytes(b"\n".join(lines))
    w, data = JournalWriter.resume(tmp_path)
    assert [c["index"] for c in data.checkpoints] == [0, 2, 3]
    assert w.checkpoint({"sim_t0": 40.0, "sim_t1": 50.0}) == 4
    w.end("completed")
    w.close()
    again = read_journal(tmp_path)
    assert [(c["index"], c["sim_t0"]) for c in again.checkpoints] == [(0, 0.0), (2, 20.0), (3, 30.0), (4, 40.0)]
    assert len(again.problems) == 2
    assert "line 3" in again.problems[0] and "checksum mismatch" in again.problems[0]
    assert "checkpoint 2 where 1 was expected" in again.problems[1]


def test_resume_of_a_finished_run_is_refused(tmp_path):
    _write(tmp_path)
    with pytest.raises(JournalError, match="already ended"):
        JournalWriter.resume(tmp_path)


def test_a_streamed_read_hands_over_each_checkpoint_and_keeps_only_the_last(tmp_path):
    path = _write(tmp_path, n=4, end=False)
    raw = path.read_bytes()
    path.write_bytes(raw[:-25])  # damage is reported the same way when streaming
    seen = []
    data = read_journal(path, on_checkpoint=seen.append)
    assert [c["index"] for c in seen] == [0, 1, 2]
    assert [c["index"] for c in data.checkpoints] == [2] and data.checkpoint_count == 3
    assert data.last_checkpoint["index"] == 2
    kept = read_journal(path)
    assert data.problems == kept.problems and data.valid_bytes == kept.valid_bytes
    assert seen == kept.checkpoints


def test_a_report_built_from_the_streamed_journal_is_the_one_built_from_all_of_it(tmp_path):
    from harness.reports.build import run_data_from_journal

    w = JournalWriter.create(tmp_path, {"kind": "soak", "duration_s": 20.0})
    for i in range(2):
        w.checkpoint({"sim_t0": i * 10.0, "sim_t1": (i + 1) * 10.0, "wall_s": 1.0, "segment": 0,
                      "entries": [{"type": "transition", "time": i * 10.0 + 1,
                                   "data": {"to_state": "running", "cause": "start"}}],
                      "samples": [{"t": i * 10.0, "rss_bytes": 1000 + i}], "glitches": [],
                      **({"config": {"stream": {"block_size": 256}}} if i == 0 else {})})
    w.end("completed", sim_t=20.0)
    w.close()
    streamed, whole = run_data_from_journal(tmp_path), run_data_from_journal(read_journal(tmp_path))
    assert streamed == whole and len(streamed.entries) == 2 and streamed.config == {"stream": {"block_size": 256}}


def test_jsonify_fast_path_is_the_general_path_for_every_kind_of_value():
    """``jsonify`` copies exact str/int/bool/None, floats, dicts and lists directly; every value
    comes out as the general path (``_jsonify_other``, the function as it was) makes it:
    subclasses (an IntEnum, a str subclass key), numpy scalars, enum keys, non-finite floats,
    tuples and sets, records, and a soak checkpoint's shape."""
    import dataclasses
    import enum

    import numpy as np

    from harness.journal import _jsonify_other, jsonify

    class Mode(enum.Enum):
        A = "a"

    class Level(enum.IntEnum):
        X = 3

    class Key(str):
        pass

    @dataclasses.dataclass
    class Rec:
        x: int
        y: float

    values = [None, True, 1, "s", 1.5, float("nan"), float("-inf"), np.float64(2.5), np.int64(3),
              np.float32(1.25), Mode.A, Level.X, Key("k"),
              {"a": {"b": [1, 2, (3, 4)]}, Mode.A: 1, 3: float("nan"), Level.X: Mode.A, "r": Rec(1, 2.0),
               Key("k"): [float("inf"), np.float32(0.5)], None: 1, 2.5: "x", True: {1, 2}},
              [1, {2, 3}, [float("nan")], Level.X], (1, 2.0), Rec(1, float("inf")), object,
              {"sim_t0": 0.0, "entries": [{"type": "error", "time": 1.0, "data": {"type": "E", "message": "m"}}],
               "samples": [{"t": 1.0, "rss_bytes": 5, "cpu_percent": 0.0}], "cb": {"bins": {"3": 2}, "max": 1e-05}}]
    for value in values:
        fast, general = jsonify(value), _jsonify_other(value)
        assert json.dumps(fast) == json.dumps(general), value
        assert type(fast) is type(general), value
