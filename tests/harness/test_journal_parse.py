"""A journal's lines are parsed by pydantic-core's JSON parser (``history.json_line``), about a
third of ``json.loads``'s CPU: every record read is the one ``json.loads`` gives, and a line that
parser refuses is still ``json.loads``'s to read or to call unreadable."""

from __future__ import annotations

import json

import harness.journal as journal
from harness.journal import JournalWriter, read_journal


def _write(tmp_path):
    w = JournalWriter.create(tmp_path, {"kind": "soak", "meta": {"seed": 3}}, fsync=False)
    w.checkpoint({"sim_t0": 0.0, "sim_t1": 60.0, "counters": {"xruns": 2}, "samples": [
        {"t": 1.0, "rss_bytes": 123456789, "cpu_percent": 12.5}],
        "entries": [{"type": "note", "time": 0.1 + 0.2, "data": {"what": "é ☃ \\u0000", "big": 2 ** 70,
                                                               "x": 1e-320, "y": -0.0, "z": 1.7976931348623157e308}}]})
    w.note("resumed", at_checkpoint=0, verified=True)
    w.end("completed", sim_t=60.0)
    w.close()
    return tmp_path / journal.JOURNAL_NAME


def test_a_journal_is_read_without_json_loads_and_as_json_loads_reads_it(tmp_path, monkeypatch):
    path = _write(tmp_path)
    want = []
    for line in path.read_bytes().splitlines():
        rec = json.loads(line[:-len(',"crc":"00000000"}')] + b"}")
        want.append(rec)
    real = json.loads

    def refuse(*a, **kw):
        raise AssertionError("json.loads called for a good line")

    monkeypatch.setattr(journal.json, "loads", refuse)
    data = read_journal(path)
    monkeypatch.setattr(journal.json, "loads", real)
    assert data.problems == []
    header, cp, note, end = want
    for rec in want:
        rec.pop("type")
    assert data.header == header and data.checkpoints == [cp] and data.notes == [note] and data.end == end
    e = data.checkpoints[0]["entries"][0]["data"]
    assert e["big"] == 2 ** 70 and e["x"] == 1e-320 and str(e["y"]) == "-0.0"


def test_a_line_the_fast_parser_refuses_is_read_by_json_loads(tmp_path):
    """A lone surrogate escape is JSON to ``json.loads``, not to pydantic-core: still read."""
    path = tmp_path / journal.JOURNAL_NAME
    lines = [journal._encode({"type": "header", "journal_version": 1, "kind": "soak"}),
             journal._encode({"type": "note", "what": "\\ud800 lone"}).replace(b"\\\\ud800", b"\\ud800")]
    body = lines[1][:-len(',"crc":"00000000"}\n')] + b"}"
    import zlib
    lines[1] = body[:-1] + b',"crc":"%08x"}\n' % (zlib.crc32(body) & 0xFFFFFFFF)
    path.write_bytes(b"".join(lines))
    data = read_journal(path)
    assert data.notes == [{"what": "\ud800 lone"}]
    assert data.problems == ["no end record: the run did not finish (killed, or still running)"]
