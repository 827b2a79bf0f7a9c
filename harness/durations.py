"""Durations as humans write them: ``"250ms"``, ``"2s"``, ``"8h"``, ``"1h30m"``, ``"1.5h"``, ``"90"``.

Grammar: one or more ``<number><unit>`` parts, largest unit first, each unit at most once,
optionally separated by spaces; or a bare number, which is seconds (so ``--duration 60`` keeps
meaning one minute). Units: ``ms``, ``s``, ``m`` (also ``min``), ``h``, ``d``. Numbers may have a
decimal part (``1.5h``); the result is float seconds.

Errors are ``DurationError`` (a ``UsageError`` -> exit 2, and a ``ValueError``), and say what
was wrong and what would have been right::

    >>> parse_duration("1h30m")
    5400.0
    >>> parse_duration("30m1h")
    Traceback (most recent call last):
    ...
    harness.durations.DurationError: duration '30m1h': 'h' after 'm'; write the largest unit first, e.g. '1h30m'

For argparse, use ``duration_arg`` as ``type=`` (it reports the same message through argparse).
"""

from __future__ import annotations

import argparse
import math
import re

from .errors import UsageError

__all__ = ["DurationError", "MAX_RUN_S", "MIN_CHUNK_S", "UNITS", "chunk_arg", "duration_arg",
           "format_duration", "parse_duration", "run_duration_arg"]

#: unit -> seconds; order is largest first (the order parts must be written in)
UNITS: dict[str, float] = {"d": 86_400.0, "h": 3_600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
_ALIASES = {"min": "m", "sec": "s", "hr": "h"}
_PART = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-zA-Z]*)\s*")
_RANK = {u: i for i, u in enumerate(UNITS)}
_EXAMPLES = "e.g. '250ms', '2s', '90', '8h', '1h30m'"


class DurationError(UsageError, ValueError):
    """A duration that could not be read."""


def parse_duration(text: str | float | int, *, allow_zero: bool = False,
                   maximum_s: float | None = None) -> float:
    """Seconds in ``text``; see the module docstring for the grammar."""
    if isinstance(text, bool):
        raise DurationError(f"duration {text!r}: not a duration ({_EXAMPLES})")
    if isinstance(text, (int, float)):
        value = float(text)
        raw = repr(text)
    else:
        raw = str(text)
        s = raw.strip()
        if not s:
            raise DurationError(f"duration {raw!r} is empty ({_EXAMPLES})")
        if s.startswith("-"):
            raise DurationError(f"duration {raw!r}: a duration cannot be negative")
        value = _parse_parts(raw, s)
    if not math.isfinite(value):
        raise DurationError(f"duration {raw}: not a finite number of seconds")
    if value < 0:
        raise DurationError(f"duration {raw}: a duration cannot be negative")
    if value == 0 and not allow_zero:
        raise DurationError(f"duration {raw!r} is zero; give a positive duration ({_EXAMPLES})")
    if maximum_s is not None and value > maximum_s:
        raise DurationError(f"duration {raw!r} ({format_duration(value)}) is longer than the "
                            f"maximum of {format_duration(maximum_s)}")
    return value


_EXPONENT = re.compile(r"(\d+(?:\.\d*)?|\.\d+)[eE][+-]?\d+\s*[a-zA-Z]*")


def _parse_parts(raw: str, s: str) -> float:
    if _EXPONENT.fullmatch(s):  # '1e9h' read as 1 of the unit 'e9h' said "unknown unit 'e'"
        raise DurationError(f"duration {raw!r}: a number with an exponent is not read; write it out "
                            f"with a unit ({_EXAMPLES})")
    pos = 0
    total = 0.0
    last_unit: str | None = None
    parts = 0
    while pos < len(s):
        m = _PART.match(s, pos)
        if m is None or m.end() == pos:
            bad = s[pos:].strip()
            raise DurationError(f"duration {raw!r}: cannot read {bad!r}; expected a number and a "
                                f"unit ({', '.join(UNITS)}), {_EXAMPLES}")
        number, unit = m.group(1), m.group(2).lower()
        unit = _ALIASES.get(unit, unit)
        if unit == "":
            if parts or m.end() != len(s):
                raise DurationError(f"duration {raw!r}: {number!r} has no unit; "
                                    f"write one of {', '.join(UNITS)} after each number")
            return float(number)  # a bare number: seconds
        if unit not in UNITS:
            raise DurationError(f"duration {raw!r}: unknown unit {m.group(2)!r}; "
                                f"use one of {', '.join(UNITS)} ({_EXAMPLES})")
        if last_unit is not None:
            if unit == last_unit:
                raise DurationError(f"duration {raw!r}: unit {unit!r} appears twice")
            if _RANK[unit] < _RANK[last_unit]:
                raise DurationError(f"duration {raw!r}: {unit!r} after {last_unit!r}; "
                                    f"write the largest unit first, e.g. '1h30m'")
        total += float(number) * UNITS[unit]
        last_unit = unit
        parts += 1
        pos = m.end()
    return total


def format_duration(seconds: float) -> str:
    """The inverse, for people: ``5400 -> '1h30m'``, ``0.25 -> '250ms'``, ``2.5 -> '2.5s'``."""
    if not math.isfinite(seconds):
        return str(seconds)
    if seconds < 0:
        return "-" + format_duration(-seconds)
    if seconds < 1:
        ms = seconds * 1000
        return f"{ms:.0f}ms" if abs(ms - round(ms)) < 1e-6 else f"{ms:.3g}ms"
    if seconds < 60:
        return f"{seconds:.0f}s" if abs(seconds - round(seconds)) < 1e-6 else f"{seconds:.3g}s"
    whole = int(round(seconds))
    out = []
    for unit in ("d", "h", "m", "s"):
        size = int(UNITS[unit])
        n, whole = divmod(whole, size)
        if n:
            out.append(f"{n}{unit}")
    return "".join(out) or "0s"


def duration_arg(text: str) -> float:
    """argparse ``type=``: a positive duration, errors reported as argparse usage errors."""
    try:
        return parse_duration(text)
    except DurationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


#: longest run or soak (``--duration``): a month; ``100000d`` is a typo, not a plan
MAX_RUN_S = 31 * 86_400.0
#: shortest chunk/checkpoint: a chunk must hold audio blocks (256 frames at 48 kHz is 5.3 ms)
MIN_CHUNK_S = 0.01


def run_duration_arg(text: str) -> float:
    """argparse ``type=`` for ``run``/``soak --duration``: positive, at most ``MAX_RUN_S``."""
    try:
        return parse_duration(text, maximum_s=MAX_RUN_S)
    except DurationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def chunk_arg(text: str) -> float:
    """argparse ``type=`` for chunk and checkpoint intervals: ``MIN_CHUNK_S`` .. one day."""
    try:
        value = parse_duration(text, maximum_s=86_400.0)
    except DurationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value < MIN_CHUNK_S:
        raise argparse.ArgumentTypeError(f"duration {text!r} is shorter than {format_duration(MIN_CHUNK_S)}; "
                                         "a chunk must hold whole audio blocks")
    return value
