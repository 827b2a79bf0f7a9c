"""The reports' jinja2 environment, its compiled templates cached between processes.

Compiling ``report.html.j2`` is the largest single cost of writing a short run's reports (~55 ms
of CPU, py-spy), paid again by every process: jinja2 caches a compiled template only in the memory
of its environment. ``jinja2.FileSystemBytecodeCache`` keeps the compiled code on disk, as
Python keeps ``__pycache__``: in jinja2's own per-user directory under the temporary directory
(created mode 0700 and refused when another user owns it), each entry keyed by the template's
path and checked against a hash of its source, so an edited template is compiled afresh. Without a
safe directory the environment simply compiles, as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

__all__ = ["TEMPLATES", "environment"]

TEMPLATES = Path(__file__).with_name("templates")

_cache: list[jinja2.BytecodeCache | None] = []  # made once per process, on first use


class _BestEffortBytecodeCache(jinja2.FileSystemBytecodeCache):
    """jinja2's file cache, whose failure to store an entry is no failure of the report.

    Why: the cache lives on the temporary disk, not in the run folder; when that disk is full
    (ENOSPC) or the process may not grow a file (EFBIG), jinja2 removes its temporary and raises,
    and the report, already compiled in memory, was lost to an "internal error". Skipping the
    entry only means the next process compiles the template again."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    if not _cache:
        try:
            _cache.append(_BestEffortBytecodeCache())
        except (OSError, RuntimeError):  # no private temporary directory: compile every time
            _cache.append(None)
    return _cache[0]


def environment(**globals_: Any) -> jinja2.Environment:
    """An environment over the report templates (HTML-escaping, missing fields render empty)
    with ``globals_`` as its template globals."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                             autoescape=jinja2.select_autoescape(["html", "j2"]),
                             undefined=jinja2.ChainableUndefined, trim_blocks=True, lstrip_blocks=True,
                             bytecode_cache=_bytecode_cache())
    env.globals.update(globals_)
    return env
