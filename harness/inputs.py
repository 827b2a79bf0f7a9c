"""Every file and number a user hands soundcheck passes through here first.

Why one module: a hostile-but-legitimate input (a binary file where TOML was expected, a 5 000-deep
array, ``nan`` on the command line, a 10 MB value) must fail the same way whatever command reads
it: ``InputFileError``/``UsageError`` (exit 2) with a message naming the file, the field and the fix,
never a ``UnicodeDecodeError``/``RecursionError`` traceback and never a silent pass. Each format has
one reader:

- text files: ``read_text`` (size cap, not binary, valid UTF-8);
- TOML / JSON documents: ``load_document`` (``read_text`` + a nesting-depth limit checked *before*
  the recursive parsers run, so they cannot blow the stack);
- pydantic-validated formats: ``validation_message`` turns a ``ValidationError`` into one message
  per problem (field path, what is wrong, the closest valid key for a misspelt one);
- numbers on the command line: ``finite_float`` / ``int_in_range`` (argparse ``type=`` factories:
  finite, in range, sane sizes);
- options the command would accept and then not use (``soak --run-dir D --report-dir R``):
  ``refuse_unused`` (a user who gave one believes it acted).

Values echoed back in a message are shortened by ``clip`` so a 10 MB bad value prints as a few dozen
characters.
"""

from __future__ import annotations

import argparse
import difflib
import json
import math
import os
import stat
import tomllib
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import InputFileError, UsageError

__all__ = ["MAX_DEPTH", "MAX_TEXT_BYTES", "SEED_MAX", "bool_as_number", "check_depth", "clip", "closest",
           "finite_float", "int_in_range", "load_document", "read_bytes", "read_text", "refuse_bool_for_number", "seed_arg",
           "validation_message", "wants_number", "wrong_type"]

#: a configuration, profile, scenario or journal header is a few kB; 16 MiB is far beyond any real one
MAX_TEXT_BYTES = 16 * 2**20
#: deepest nesting of arrays/tables accepted (real files use 3-4 levels; Python's parsers recurse)
MAX_DEPTH = 64
#: seeds are 32-bit unsigned: what every RNG soundcheck seeds (random, numpy) accepts
SEED_MAX = 2**32 - 1


def refuse_unused(given: Iterable[tuple[str, bool]], *, because: str, fix: str) -> None:
    """Refuse (exit 2) the options of ``given`` that were given (``(option, given)`` pairs) and
    that the command, ``because`` of another option, would not use.

    Why: an option accepted and then ignored reads to its user as one that acted (a report dir
    that holds no report, a database that records nothing); the message names each such option,
    why it has no effect, and ``fix``."""
    unused = [name for name, was_given in given if was_given]
    if unused:
        raise UsageError(f"{'/'.join(unused)}: ignored {because}; {fix}")


def clip(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, so a huge bad value never floods the terminal."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 15] + f"... ({len(text)} chars)"


def closest(word: str, valid: Iterable[str]) -> str | None:
    """The valid key nearest to a misspelt ``word`` (difflib), or None when nothing is close."""
    found = difflib.get_close_matches(str(word), list(valid), n=1, cutoff=0.6)
    return found[0] if found else None


# ------------------------------------------------------------------------------------- files ----
def read_text(path: str | os.PathLike[str], what: str, *, max_bytes: int = MAX_TEXT_BYTES,
              error: type[InputFileError] = InputFileError) -> str:
    """The UTF-8 text of ``path`` (a ``what``: "fault profile", "configuration", ...).

    Refused, each with a message naming the file and the fix: missing, a folder or device (anything
    but a regular file), larger than ``max_bytes``, binary (a NUL byte), not UTF-8.
    """
    raw = read_bytes(path, what, max_bytes=max_bytes, error=error)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(Path(path), f"is not UTF-8 text (byte {exc.start}); save the {what} as UTF-8") from None


def read_bytes(path: str | os.PathLike[str], what: str, *, max_bytes: int = MAX_TEXT_BYTES,
               error: type[InputFileError] = InputFileError) -> bytes:
    """The bytes of the text file ``path``, checked as ``read_text`` checks it but not decoded:
    a reader that must decode part of it only (a file whose end a kill cut inside a character)."""
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise error(p, f"cannot read the {what}: no such file; check the path") from None
    except OSError as exc:
        raise error(p, f"cannot read the {what}: {exc.strerror or exc}") from None
    except ValueError:  # a NUL byte in the name
        raise error(clip(str(p)), f"is not a valid file name for the {what}") from None
    if stat.S_ISDIR(st.st_mode):
        raise error(p, f"is a folder; give the {what} file itself")
    if not stat.S_ISREG(st.st_mode):
        raise error(p, f"is not a regular file; give the {what} as a file")
    if st.st_size > max_bytes:
        raise error(p, f"is {st.st_size} bytes, too large for a {what} (limit {max_bytes}); is this "
                       "the right file?")
    try:
        with open(p, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except OSError as exc:
        raise error(p, f"cannot read the {what}: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise error(p, f"is larger than {max_bytes} bytes, too large for a {what}")
    if b"\x00" in raw:
        raise error(p, f"is a binary file, not a {what} (text, UTF-8); is this the right file?")
    return raw


def check_depth(text: str, path: str | os.PathLike[str], *, what: str, max_depth: int = MAX_DEPTH,
                toml: bool = True, error: type[InputFileError] = InputFileError) -> None:
    """Refuse ``text`` when its arrays/tables nest deeper than ``max_depth``.

    Python's ``tomllib`` and ``json`` parsers recurse per nesting level, so a 5 000-deep array is a
    ``RecursionError``; this scan counts brackets outside strings (and TOML comments) in one pass.
    """
    depth = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "[{":
            depth += 1
            if depth > max_depth:
                line = text.count("\n", 0, i) + 1
                raise error(path, f"line {line}: nested more than {max_depth} levels deep; a {what} "
                                  "never needs that (is the file damaged or generated wrongly?)")
        elif c in "]}":
            depth = max(0, depth - 1)
        elif c == '"' or (toml and c == "'"):
            triple = text.startswith(c * 3, i)
            close = c * 3 if triple else c
            j = i + len(close)
            while j < n:
                if c == '"' and text[j] == "\\":
                    j += 2
                    continue
                if text.startswith(close, j):
                    break
                if not triple and text[j] == "\n":
                    break  # an unterminated string: the parser will say so
                j += 1
            i = j + len(close)
            continue
        elif toml and c == "#":
            nl = text.find("\n", i)
            i = n if nl < 0 else nl
            continue
        i += 1


def load_document(path: str | os.PathLike[str], what: str, *, fmt: str | None = None,
                  error: type[InputFileError] = InputFileError) -> dict[str, Any]:
    """A TOML (default) or JSON (``.json``, or ``fmt="json"``) file as a table, safely.

    Every failure is ``error(path, message)``: unreadable/binary/huge (``read_text``), too deep
    (``check_depth``), not valid TOML/JSON (with the parser's line), or not a table at the top.
    """
    p = Path(path)
    fmt = fmt or ("json" if p.suffix.lower() == ".json" else "toml")
    text = read_text(p, what, error=error)
    check_depth(text, p, what=what, toml=fmt == "toml", error=error)
    try:
        data = (json.loads(text, parse_constant=_no_constant, object_pairs_hook=_no_duplicate_keys)
                if fmt == "json" else tomllib.loads(text))
    except DuplicateKeyError as exc:
        raise error(p, str(exc)) from None
    except (ValueError, RecursionError) as exc:
        kind = "JSON" if fmt == "json" else "TOML"
        raise error(p, f"not valid {kind}: {str(exc)[:300]}") from None
    if not isinstance(data, dict):
        raise error(p, f"the {what} must be a table (a JSON object), not {type(data).__name__}")
    return data


class DuplicateKeyError(ValueError):
    """A JSON object that gives one key twice."""


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refused when it gives a key twice. ``json`` keeps the last of them without
    a word (``{"sample_rate": 48000, "sample_rate": 44100}`` ran at 44100), where TOML refuses
    the file: a key given twice in a user's file is a mistake either way, never a choice."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKeyError(f"the key {clip(key)} is given twice in one object (JSON would keep "
                                    f"the second, {clip(value)}, without a word); keep one of them")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows; write a finite number")


# -------------------------------------------------------------------------------- pydantic ----
def validation_message(exc: Any, *, known_keys: Callable[[tuple[Any, ...]], Iterable[str]] | None = None,
                       unknown_label: Callable[[tuple[Any, ...]], str] | None = None) -> str:
    """One line per problem of a pydantic ``ValidationError``: ``field.path: what is wrong (fix)``.

    ``known_keys(parent_path)`` lists the valid keys where an unknown key was found, so the message
    names the closest one (``probabilites: unknown key; did you mean 'probabilities'?``).
    """
    lines = []
    for err in exc.errors(include_url=False):
        loc = tuple(err.get("loc", ()))
        where = _dotted(loc)
        kind = err.get("type", "")
        msg = str(err.get("msg", ""))
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        if kind == "extra_forbidden":
            valid = sorted(known_keys(loc[:-1])) if known_keys else []
            near = closest(str(loc[-1]), valid) if loc else None
            hint = f"; did you mean {near!r}?" if near else ""
            listing = f" (valid here: {', '.join(valid)})" if valid else ""
            label = unknown_label(loc[:-1]) if unknown_label else "unknown key"
            msg = f"{label}{hint}{listing}"
        elif kind == "missing":
            msg = "required, but missing"
        elif (wrong := wrong_type(kind, err.get("input"))) is not None:
            msg = wrong
        elif kind in ("finite_number",):
            msg = f"must be a finite number, got {clip(err.get('input'))}"
        elif "input" in err and kind not in ("value_error", "assertion_error"):
            msg += f" (got {clip(err.get('input'))})"
        lines.append(f"{where}: {msg}")
    return "; ".join(lines)


def wrong_type(kind: str, value: Any) -> str | None:
    """A strict number or switch given a value of another type (``"30"`` for 30): the
    configuration's wording, so every file format says it alike; loaded only on a bad file."""
    from system_under_test.config import wrong_type_message  # noqa: PLC0415

    return wrong_type_message(kind, value)


def _bare(annotation: Any) -> Any:
    """``annotation`` without its ``Annotated[...]`` metadata (a bound, a validator)."""
    return typing.get_args(annotation)[0] if typing.get_origin(annotation) is typing.Annotated else annotation


def wants_number(annotation: Any) -> bool:
    """``annotation`` is a number (``int``/``float``, optionally ``| None``, either one possibly
    ``Annotated`` with its bounds) that no bool may stand for. An optional bounded number is
    ``Optional[Annotated[float, Field(...)]]`` to pydantic: its member is no bare ``float``, and
    looking for one let ``xruns_per_hour_max = true`` in a profile's gates through as 1."""
    annotation = _bare(annotation)
    if annotation in (int, float):
        return True
    args = tuple(_bare(a) for a in typing.get_args(annotation))
    return (typing.get_origin(annotation) in (typing.Union, types.UnionType) and bool not in args
            and any(a in (int, float) for a in args) and all(a in (int, float, type(None)) for a in args))


def bool_as_number(value: Any) -> str:
    """The message for ``true``/``false`` where a number is wanted."""
    return (f"must be a number, got {'true' if value else 'false'} (a TOML/JSON boolean, which soundcheck "
            "never reads as 1 or 0); write the number itself")


def refuse_bool_for_number(cls: Any, value: Any, info: Any) -> Any:
    """A ``field_validator("*", mode="before")`` for every pydantic model of a user's file.

    pydantic's lax mode reads ``true`` as 1 and ``false`` as 0 for a number field, so
    ``xrun = true`` in a profile silently became a fault on every check and ``input_channels = true``
    one channel; a boolean where a number is wanted is refused, with the field's path."""
    field = cls.model_fields.get(info.field_name) if info.field_name else None
    if isinstance(value, bool) and field is not None and wants_number(field.annotation):
        raise ValueError(bool_as_number(value))
    return value


def _dotted(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


# ------------------------------------------------------------------------------- CLI numbers ----
def finite_float(*, lo: float | None = None, hi: float | None = None, lo_open: bool = False,
                 what: str = "value") -> Callable[[str], float]:
    """argparse ``type=``: a finite float within [lo, hi] (``lo_open``: strictly above ``lo``)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{clip(text)} is not a number") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{clip(text)} is not a finite number; give a {what}")
        if lo is not None and (value <= lo if lo_open else value < lo):
            raise argparse.ArgumentTypeError(
                f"{value:g} is too small: the {what} must be {'above' if lo_open else 'at least'} {lo:g}")
        if hi is not None and value > hi:
            raise argparse.ArgumentTypeError(f"{value:g} is too large: the {what} must be at most {hi:g}")
        return value

    return parse


def int_in_range(lo: int, hi: int, *, what: str = "value") -> Callable[[str], int]:
    """argparse ``type=``: an integer within [lo, hi]."""

    def parse(text: str) -> int:
        try:
            value = int(text, 10)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{clip(text)} is not a whole number") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{value} is out of range: the {what} must be within {lo}..{hi}")
        return value

    return parse


#: ``--seed``: 0..2**32-1 (a negative seed used to crash the run mid-way and blame the system)
seed_arg = int_in_range(0, SEED_MAX, what="seed")


def require_keys(data: Mapping[str, Any], path: str | os.PathLike[str], keys: Iterable[str]) -> None:
    """Refuse a table that lacks one of ``keys`` (for formats checked without pydantic)."""
    missing = [k for k in keys if k not in data]
    if missing:
        raise InputFileError(path, f"missing {', '.join(missing)}")
