"""The run journal: a crash-safe, append-only record of a run, one checkpoint per line.

Why JSONL and not SQLite: a journal is written by one process, read after it died, and must stay
readable with ``jq``/``grep`` and survive being cut anywhere. An append-only file with one fsync'ed
line per checkpoint has exactly the failure modes we can explain: a ``kill -9`` or power cut can
only leave a *partial last line*, which the reader detects and drops. A checkpoint's line holds
the whole chunk (its events, metrics, samples), so a checkpoint is either entirely in the journal
or not at all, and a crash loses at most the chunk that was running.

File format (``journal.jsonl`` in the run folder), UTF-8, one JSON object per line::

    {"type":"header","journal_version":1,...run configuration...,"crc":"1a2b3c4d"}
    {"type":"checkpoint","index":0,"sim_t0":0.0,"sim_t1":60.0,...chunk payload...,"crc":"..."}
    {"type":"note","what":"resumed",...,"crc":"..."}
    ...
    {"type":"end","status":"completed"|"interrupted"|"failed",...,"crc":"..."}

Every line ends with ``"crc":"<8 hex>"}``: the CRC-32 of the line's bytes *before* the
``,"crc":...`` suffix (with the closing brace), so a flipped byte anywhere is caught without
re-serialising anything. Lines are written with one ``write`` of the whole line, then
``flush`` + ``os.fsync`` (and the folder is fsync'ed once when the file is created).

Reading never raises on damage it can describe: ``read_journal`` returns a ``JournalData`` with
``problems`` saying what was dropped and why (truncated last line, corrupt line N, missing end).
It raises ``JournalError`` (an ``InputFileError``, exit 2) only when there is nothing to build on:
no file, an empty file, or no readable header.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import math
import os
import secrets
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import InputFileError
from .history import json_line
from .inputs import validation_message

__all__ = ["JOURNAL_GLITCHES", "JOURNAL_NAME", "JOURNAL_VERSION", "JournalData", "JournalError", "JournalWriter",
           "compact_entry", "jsonify", "read_journal"]

#: glitches a checkpoint lists one by one (``AudioCheck.take_new_glitches``): a hostile chunk can
#: hear thousands and each checkpoint is one line; the rest are journaled as one ``{"kind": "more",
#: "count", "by_kind"}`` record, which a report counts (``reports.fold.GlitchFold``)
JOURNAL_GLITCHES = 100

JOURNAL_NAME = "journal.jsonl"
JOURNAL_VERSION = 1
_SUFFIX_LEN = len(',"crc":"00000000"}')


class JournalError(InputFileError):
    """The journal cannot be used at all (missing, empty, no header)."""


#: history entry types a checkpoint keeps (what the reports read); everything else is dropped
REPORT_ENTRY_TYPES = frozenset({"attach", "transition", "fault_start", "fault_end", "error", "event",
                                "note", "meta"})

#: the exact types ``jsonify`` returns as they are: one set lookup instead of the general path's
#: chain of ``isinstance`` calls (a subclass, an ``IntEnum`` among others, takes the general path)
_PLAIN = frozenset({str, int, bool, type(None)})


def jsonify(value: Any) -> Any:
    """A JSON-safe copy: non-finite floats become None, enums their value, dataclasses dicts.

    A soak's checkpoint is mostly plain dicts, lists, strings and numbers (its compacted history
    entries, its resource samples): those exact types are copied here directly, with the numbers
    the general path (``_jsonify_other``) gives them; anything else goes to it."""
    t = type(value)
    if t in _PLAIN:
        return value
    if t is float:
        return value if math.isfinite(value) else None
    if t is dict:
        return {(k if type(k) is str else str(k)): (v if type(v) in _PLAIN else jsonify(v))
                for k, v in value.items()}
    if t is list:
        return [v if type(v) in _PLAIN else jsonify(v) for v in value]
    return _jsonify_other(value)


def _jsonify_other(value: Any) -> Any:
    """``jsonify`` of a value that is not an exact str, int, bool, None, float, dict or list."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, enum.Enum):
        return jsonify(value.value)
    if isinstance(value, dict):
        return {str(k): jsonify(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonify(v) for v in value]
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return jsonify(to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonify(dataclasses.asdict(value))
    item = getattr(value, "item", None)
    if callable(item):
        return jsonify(item())
    return str(value)


def compact_entry(entry: Any) -> dict[str, Any] | None:
    """A history entry (``Entry`` or its dict) reduced to what reports need, or None to drop it.

    Per-component transitions, operations and metrics snapshots are dropped: the reports read the
    system's own transitions, faults, errors and recovery events. This keeps an 8-hour journal at a
    few megabytes instead of hundreds.

    An ``Entry`` is read by its attributes, its type first: most of a soak's entries are dropped
    (operations, snapshots, component transitions: ~3 of 4), and none of them is copied into a
    dict first. What is kept of an ``Entry`` is already JSON-safe but for its time: the history
    made its value and data so (``history.jsonable``), and this takes only parts of them.
    """
    if isinstance(entry, dict):
        kind = entry.get("type")
        if kind not in REPORT_ENTRY_TYPES:
            return None
        return _compact(kind, entry.get("time", 0.0), entry.get("value"), entry.get("data") or {})
    kind = entry.type
    if kind not in REPORT_ENTRY_TYPES:
        return None
    return _compact(kind, entry.time, entry.value, entry.data or {})


def _compact(kind: str, time: Any, value: Any, data: dict[str, Any]) -> dict[str, Any] | None:
    """``compact_entry`` of an entry of a kept type, given its fields."""
    if kind == "transition" and data.get("component") not in (None, "system"):
        return None
    out = {"type": kind, "time": time}
    if value is not None:
        out["value"] = value
    if kind == "error":
        err = data.get("error") or {}
        out["data"] = {"type": err.get("type") if isinstance(err, dict) else None,
                       "message": (err.get("message") if isinstance(err, dict) else str(err))[:300]
                       if err else None,
                       "component": data.get("component"), "severity": data.get("severity")}
    elif kind == "event":
        if value in ("config_applied",):
            return None
        out["data"] = {k: v for k, v in data.items() if k in (
            "cause", "seconds", "attempts", "reason", "target", "device", "attempt")}
        err = data.get("error")
        if isinstance(err, dict):
            out["data"]["error_type"] = err.get("type")
    elif kind == "transition":
        out["data"] = {k: data.get(k) for k in ("seq", "from_state", "to_state", "cause")}
    elif kind in ("fault_start", "fault_end"):
        out["data"] = {k: data.get(k) for k in ("firing_id", "kind", "target", "fired_at", "ended_at",
                                                 "duration_s", "transient", "params")}
    else:
        out["data"] = data
    return out


def _encode(record: dict[str, Any]) -> bytes:
    body = json.dumps(record, separators=(",", ":"), ensure_ascii=False, allow_nan=False,
                      default=_default).encode("utf-8")
    assert body.endswith(b"}")
    crc = zlib.crc32(body) & 0xFFFFFFFF
    return body[:-1] + b',"crc":"%08x"}\n' % crc


def _default(o: Any) -> Any:
    for attr in ("to_dict", "tolist", "item"):
        fn = getattr(o, attr, None)
        if callable(fn):
            return fn()
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    if isinstance(o, Path):
        return str(o)
    return str(o)


def _decode(line: bytes) -> dict[str, Any]:
    """One line (without the newline) -> record; ValueError says what is wrong with it."""
    if len(line) < _SUFFIX_LEN + 2 or not line.endswith(b'"}'):
        raise ValueError("no checksum at the end of the line")
    suffix = line[-_SUFFIX_LEN:]
    if not suffix.startswith(b',"crc":"'):
        raise ValueError("no checksum at the end of the line")
    try:
        want = int(suffix[8:16], 16)
    except ValueError:
        raise ValueError("checksum is not hex") from None
    body = line[:-_SUFFIX_LEN] + b"}"
    if zlib.crc32(body) & 0xFFFFFFFF != want:
        raise ValueError("checksum mismatch (the line was altered or partly overwritten)")
    record = json_line(body.decode("utf-8"))  # pydantic-core's parser: ~1/3 of json.loads's CPU
    if not isinstance(record, dict) or "type" not in record:
        raise ValueError("not a journal record (no 'type')")
    return record


# -- record shapes ----------------------------------------------------------------------------------
# A line with a valid checksum can still hold the wrong shapes (written by another tool, edited and
# re-summed, a future version): each record is validated here, once, to the depth the report
# builder reads it, and a record that does not fit is dropped as a ``problem`` like a corrupt line.


class _Rec(BaseModel):
    model_config = ConfigDict(extra="allow", allow_inf_nan=False)


class _Entry(_Rec):
    type: str
    time: float
    data: dict[str, Any] | None = None


class _Sample(_Rec):
    t: float
    segment: int = 0


class _Callbacks(_Rec):
    bins: dict[str, int] = {}
    max: float = 0.0
    sum: float = 0.0
    count: int = 0


class _Header(_Rec):
    kind: str = "soak"
    run_id: str | None = None
    meta: dict[str, Any] = {}
    spec: dict[str, Any] = {}
    config: dict[str, Any] | None = None
    duration_s: float | None = None
    faults_file: str | None = None


class _Checkpoint(_Rec):
    index: int = Field(ge=0)
    sim_t0: float = 0.0
    sim_t1: float
    wall_s: float = Field(0.0, ge=0)
    segment: int = Field(0, ge=0)
    state: str | None = None
    counters: dict[str, int] = {}
    frames: dict[str, Any] = {}
    digest: str | None = None
    cb: _Callbacks | None = None
    samples: list[_Sample] = []
    entries: list[_Entry] = []
    glitches: list[dict[str, Any]] = []
    config: dict[str, Any] | None = None


class _Note(_Rec):
    what: str


class _Metrics(_Rec):
    counters: dict[str, int] = {}


class _End(_Rec):
    status: str
    sim_t: float | None = None
    wall_s_total: float | None = None
    verdicts: list[dict[str, Any]] | None = None
    summary: dict[str, Any] | None = None
    final_metrics: _Metrics | None = None
    scenarios: list[dict[str, Any]] = []


_SHAPES: dict[str, type[_Rec]] = {"header": _Header, "checkpoint": _Checkpoint, "note": _Note, "end": _End}


def _shape_problem(kind: str, rec: dict[str, Any]) -> str | None:
    """Why ``rec`` (a ``kind`` record) does not have the shape readers rely on, or None."""
    model = _SHAPES.get(kind)
    if model is None:
        return None
    try:
        model.model_validate(rec)
    except ValidationError as exc:
        return validation_message(exc)[:500]
    return None


@dataclass
class JournalData:
    """What a journal holds, and what it does not."""

    path: Path
    header: dict[str, Any] | None = None
    checkpoints: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    end: dict[str, Any] | None = None
    #: human-readable: every line dropped or expected and missing
    problems: list[str] = field(default_factory=list)
    #: byte offset just past the last good line (where a resumed writer continues)
    valid_bytes: int = 0
    lines: int = 0
    #: good checkpoints read (with ``read_journal(on_checkpoint=...)``, more than ``checkpoints`` holds)
    checkpoint_count: int = 0

    @property
    def complete(self) -> bool:
        return self.header is not None and self.end is not None and not self.problems

    @property
    def last_checkpoint(self) -> dict[str, Any] | None:
        return self.checkpoints[-1] if self.checkpoints else None


def next_checkpoint_index(data: JournalData) -> int:
    """The index the next checkpoint of ``data``'s journal takes: one past the last one read (the
    chunks the run has journaled, lost lines among them; indexes are validated as ints >= 0)."""
    last = data.last_checkpoint
    return int(last["index"]) + 1 if last is not None else 0


def read_journal(path: str | os.PathLike[str], *, require_header: bool = True,
                 on_checkpoint: Callable[[dict[str, Any]], None] | None = None) -> JournalData:
    """Read a journal (a file or a run folder holding ``journal.jsonl``); damage becomes ``problems``.

    The file is read one line at a time. With ``on_checkpoint``, each good checkpoint is handed to
    it as it is read and not kept (``checkpoints`` then holds only the last one, ``checkpoint_count``
    says how many there were): a report of an 8-hour soak folds checkpoints as they come instead
    of holding the whole journal twice (its bytes and its records) in memory.
    """
    p = Path(path)
    if p.is_dir():
        p = p / JOURNAL_NAME
    if not p.exists() and not p.is_symlink():
        raise JournalError(p, "no journal here; is this a soundcheck run folder?")
    try:  # O_NOFOLLOW: a journal planted as a link is refused, never read through
        fd = os.open(p, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        fh = os.fdopen(fd, "rb")
    except OSError as exc:
        raise JournalError(p, f"cannot read the journal: {exc.strerror or exc}"
                              + (" (it is a symbolic link; soundcheck never follows links in a run folder)"
                                 if p.is_symlink() else "")) from None
    with fh:
        try:
            data = _scan(p, fh, require_header, on_checkpoint)
        except OSError as exc:
            raise JournalError(p, f"cannot read the journal: {exc.strerror or exc}") from None
    if data.header is None and require_header:
        raise JournalError(p, "no readable header line: this is not a soundcheck journal, or its "
                              "first line is damaged" + (f" ({data.problems[0]})" if data.problems else ""))
    if data.end is None:
        data.problems.append("no end record: the run did not finish (killed, or still running)")
    return data


def _scan(p: Path, fh: Any, require_header: bool,
          on_checkpoint: Callable[[dict[str, Any]], None] | None) -> JournalData:
    """One pass over the journal's lines (see ``read_journal``)."""
    data = JournalData(p)
    pos = 0
    lineno = 0
    good_end = 0
    expected_index = 0
    seen_any = False
    for raw_line in fh:
        lineno += 1
        if raw_line.strip():
            seen_any = True
        if not raw_line.endswith(b"\n"):  # no newline: the writer died mid-line
            if not raw_line.strip() and not seen_any:
                break
            data.problems.append(
                f"line {lineno}: truncated ({len(raw_line)} bytes, no newline) - the run was "
                f"killed while writing it; that chunk is lost")
            break
        line = raw_line[:-1]
        pos += len(raw_line)
        if not line.strip():
            continue
        try:
            rec = _decode(line)
        except (ValueError, UnicodeDecodeError) as exc:
            data.problems.append(f"line {lineno}: unreadable ({exc}); dropped")
            continue
        kind = rec.pop("type")
        rec.pop("crc", None)
        if kind == "checkpoint" and isinstance(rec.get("sim_t0"), (int, float)):
            rec.setdefault("sim_t1", rec["sim_t0"])  # readers index it; a bare checkpoint spans nothing
        wrong = _shape_problem(str(kind), rec)
        if wrong is not None:
            data.problems.append(f"line {lineno}: a {kind} record of the wrong shape ({wrong}); dropped")
            continue
        if kind == "header":
            if data.header is not None:
                data.problems.append(f"line {lineno}: a second header; ignored")
                continue
            data.header = rec
        elif data.header is None and require_header:
            data.problems.append(f"line {lineno}: {kind} before any header; dropped")
            continue
        elif kind == "checkpoint":
            idx = rec.get("index")
            if idx != expected_index:
                if isinstance(idx, int) and idx < expected_index:
                    data.problems.append(f"line {lineno}: checkpoint {idx} repeated; the later copy is ignored")
                    continue
                data.problems.append(f"line {lineno}: checkpoint {idx} where {expected_index} was "
                                     f"expected; checkpoints {expected_index}..{idx - 1 if isinstance(idx, int) else '?'} are missing")
            if on_checkpoint is not None:
                on_checkpoint(rec)
                data.checkpoints[:] = [rec]
            else:
                data.checkpoints.append(rec)
            data.checkpoint_count += 1
            expected_index = (idx if isinstance(idx, int) else expected_index) + 1
        elif kind == "note":
            data.notes.append(rec)
        elif kind == "end":
            data.end = rec
        else:
            data.problems.append(f"line {lineno}: unknown record type {kind!r}; ignored")
            continue
        good_end = pos
        data.lines = lineno
    if not seen_any:
        raise JournalError(p, "the journal is empty: the run wrote nothing (killed before its "
                              "first line, or the file was truncated)")
    data.valid_bytes = good_end
    return data


class JournalWriter:
    """Append records to a journal, each durable (fsync'ed) before ``write_*`` returns."""

    def __init__(self, path: Path, fh: Any, *, fsync: bool = True) -> None:
        self.path = path
        self._fh = fh
        self._fsync = fsync
        self.checkpoints = 0

    @classmethod
    def create(cls, path: str | os.PathLike[str], header: dict[str, Any], *, fsync: bool = True
               ) -> "JournalWriter":
        p = Path(path)
        if p.is_dir():
            p = p / JOURNAL_NAME
        p.parent.mkdir(parents=True, exist_ok=True)
        # The journal appears with its header already in it (written to a temporary beside it, then
        # hard-linked to its name): a reader, or a crash, never sees an empty journal, and
        # ``os.link`` refuses an existing name (a journal is never overwritten; a link is not followed).
        tmp = p.with_name(f".{p.name}.{secrets.token_hex(6)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
        try:
            with os.fdopen(fd, "wb") as first:
                first.write(_encode({"type": "header", "journal_version": JOURNAL_VERSION, **header}))
                first.flush()
                if fsync:
                    os.fsync(first.fileno())
            os.link(tmp, p)
        finally:
            tmp.unlink(missing_ok=True)
        fh = os.fdopen(os.open(p, os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC), "ab")
        w = cls(p, fh, fsync=fsync)
        if fsync:
            _fsync_dir(p.parent)
        return w

    @classmethod
    def resume(cls, path: str | os.PathLike[str], *, fsync: bool = True) -> tuple["JournalWriter", JournalData]:
        """Reopen a journal to continue it: cut everything after the last good line, append a note."""
        data = read_journal(path)
        if data.end is not None:
            raise JournalError(data.path, f"the run already ended ({data.end.get('status')}); "
                                          "nothing to resume")
        try:
            fh = os.fdopen(os.open(data.path, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC), "r+b")
        except OSError as exc:
            raise JournalError(data.path, f"cannot reopen the journal: {exc.strerror or exc}") from None
        fh.truncate(data.valid_bytes)
        fh.seek(data.valid_bytes)
        if fsync:
            os.fsync(fh.fileno())
        w = cls(data.path, fh, fsync=fsync)
        # numbered on from the last checkpoint read, not from how many were read: after a damaged
        # line in the middle (a gap the reader names) the count is one short, and the next
        # checkpoint would take the last one's number and be dropped by every reader as a repeat
        w.checkpoints = next_checkpoint_index(data)
        return w, data

    def _write(self, record: dict[str, Any]) -> None:
        self._fh.write(_encode(record))
        self._fh.flush()
        if self._fsync:
            os.fsync(self._fh.fileno())

    def checkpoint(self, payload: dict[str, Any]) -> int:
        """Write checkpoint number ``self.checkpoints`` holding ``payload``; returns its index."""
        index = self.checkpoints
        self._write({"type": "checkpoint", "index": index, **payload})
        self.checkpoints += 1
        return index

    def note(self, what: str, **data: Any) -> None:
        self._write({"type": "note", "what": what, **data})

    def end(self, status: str, **data: Any) -> None:
        self._write({"type": "end", "status": status, **data})

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()

    def __enter__(self) -> "JournalWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
