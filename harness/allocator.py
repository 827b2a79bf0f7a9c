"""The C allocator's bytes in use (glibc ``mallinfo2``), the series the leak judge reads beside the RSS.

Why beside the RSS: a process's resident set moves by what the heap holds free as much as by what
is live (glibc keeps freed chunks resident and takes new memory in pieces of a megabyte or two), so
a planted 5 MB/h leak's RSS rises in steps whose quarter-hour levels differ run to run at one seed
(bench/RESULTS.md, issue #11: the heap's free bytes moved the RSS by -1.2..+3.7 MB a quarter while
malloc's bytes in use, leak less its healthy twin, grew +1.13/+1.14/+1.12 MB). The bytes in use do
not step: they are what the program holds.

What they count: every chunk ``malloc`` has handed out and not had back, in every arena
(``uordblks``) and as its own mapping (``hblkhd``: blocks over the mmap threshold). CPython's small
objects (512 B or less) live in pymalloc's arenas, which CPython maps itself: they are not in this
figure. ``pymalloc_in_use_bytes`` is their series: the bytes in pymalloc's allocated blocks, read
from CPython's own allocator statistics (``_PyObject_DebugMallocStats``, the function behind
``sys._debugmallocstats``, written into a memory stream rather than onto stderr). The two together
are what the process's two allocators hold live; ``harness.leaks`` (point 7) reads both.

Why that figure and not a cheaper one: ``sys.getallocatedblocks()`` counts blocks, not bytes (a
block is 16 to 512 B), and walks the arenas too on this CPython; the statistics walk every pool of
every arena, so they cost more the more pymalloc holds (0.6 ms a call holding some 14 MB, on a
loaded 2-core machine: ``bench/pymalloc_measure.py``, bench/RESULTS.md, issue #11), once a sample,
a sample per second of simulated time.

Only glibc 2.33 or later has ``mallinfo2``; elsewhere (musl, macOS, Windows, an older glibc)
``in_use_bytes`` is None and the judge says it judged the RSS alone. (``mallinfo``, the older call,
counts in ``int`` and wraps past 2 GiB: not used.) ``pymalloc_in_use_bytes`` needs a C library with
``open_memstream`` (POSIX 2008) and a CPython whose object allocator is pymalloc (not
``PYTHONMALLOC=malloc``, not another interpreter): elsewhere it is None.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import re
from typing import Any, Callable

__all__ = ["arena_bytes", "in_use_bytes", "pymalloc_bytes", "pymalloc_in_use_bytes"]

#: the line of CPython's allocator statistics that holds pymalloc's bytes in use
_PYMALLOC_IN_USE = re.compile(rb"^# bytes in allocated blocks\s*=\s*([\d,]+)\s*$", re.M)
#: the line that holds the bytes of the arenas pymalloc has mapped now ("N arenas * S bytes/arena = B")
_PYMALLOC_ARENAS = re.compile(rb"^[\d,]+ arenas \* \d+ bytes/arena\s*=\s*([\d,]+)\s*$", re.M)


class _MallInfo2(ctypes.Structure):
    """``struct mallinfo2`` (glibc's malloc.h): ten ``size_t`` fields in this order."""

    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


@functools.lru_cache(maxsize=1)
def _mallinfo2() -> Callable[[], Any] | None:
    """glibc's ``mallinfo2``, looked up once; None where the C library has none."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        fn = libc.mallinfo2
    except (OSError, AttributeError):
        return None
    fn.restype = _MallInfo2
    fn.argtypes = []
    return fn


def in_use_bytes() -> int | None:
    """The bytes ``malloc`` has handed out and not had back (heap chunks in use plus mmapped
    blocks), or None without glibc's ``mallinfo2``."""
    fn = _mallinfo2()
    if fn is None:
        return None
    m = fn()
    return int(m.uordblks) + int(m.hblkhd)


def arena_bytes() -> int | None:
    """The bytes glibc's heaps hold from the system (every arena's ``arena`` plus the mmapped
    blocks' ``hblkhd``), in use or kept free, or None without ``mallinfo2``. Beside
    ``in_use_bytes`` it tells fragmentation (held growing, in use flat) from live growth; reported,
    never judged."""
    fn = _mallinfo2()
    if fn is None:
        return None
    m = fn()
    return int(m.arena) + int(m.hblkhd)


@functools.lru_cache(maxsize=1)
def _stats_writer() -> tuple[Any, Callable[[Any], int]] | None:
    """(the C library, CPython's ``_PyObject_DebugMallocStats``), looked up once; None where either
    is missing. Called through ``ctypes.pythonapi``, so the GIL is held while it walks the arenas."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.open_memstream.restype = ctypes.c_void_p
        libc.open_memstream.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t)]
        libc.fclose.argtypes = [ctypes.c_void_p]
        libc.fclose.restype = ctypes.c_int
        libc.free.argtypes = [ctypes.c_void_p]
        libc.free.restype = None
        stats = ctypes.pythonapi._PyObject_DebugMallocStats
    except (OSError, AttributeError):
        return None
    stats.argtypes = [ctypes.c_void_p]
    stats.restype = ctypes.c_int
    return libc, stats


def pymalloc_in_use_bytes() -> int | None:
    """The bytes in pymalloc's allocated blocks (CPython's small objects, live), or None where
    CPython's object allocator is not pymalloc or the statistics cannot be read."""
    return pymalloc_bytes()[0]


def pymalloc_bytes() -> tuple[int | None, int | None]:
    """(the bytes in pymalloc's allocated blocks, the bytes of the arenas pymalloc holds mapped now),
    read from one walk of CPython's statistics; each None where it cannot be read. The arenas' bytes
    beside the blocks' tell pymalloc's fragmentation (arenas held while their blocks are freed) from
    live growth; reported, never judged."""
    text = _stats_text()
    if text is None:
        return None, None
    in_use = _PYMALLOC_IN_USE.search(text)
    arenas = _PYMALLOC_ARENAS.search(text)
    return (None if in_use is None else int(in_use.group(1).replace(b",", b"")),
            None if arenas is None else int(arenas.group(1).replace(b",", b"")))


def _stats_text() -> bytes | None:
    """CPython's allocator statistics as text, or None where they cannot be written."""
    found = _stats_writer()
    if found is None:
        return None
    libc, stats = found
    buf = ctypes.c_void_p()
    size = ctypes.c_size_t()
    stream = libc.open_memstream(ctypes.byref(buf), ctypes.byref(size))
    if not stream:
        return None
    try:
        wrote = stats(stream)
    finally:
        libc.fclose(stream)  # sets buf and size
    try:
        text = ctypes.string_at(buf.value, size.value) if buf.value else b""
    finally:
        libc.free(buf)
    return text if wrote else None
