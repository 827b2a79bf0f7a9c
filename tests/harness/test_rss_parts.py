"""The resident set's kernel parts (``harness.rss_parts``): read from ``/proc/<pid>/status`` in
bytes as the kernel counts them (its ``kB`` is 1024 bytes, as psutil's RSS is), whole or absent."""

from __future__ import annotations

import os
import sys

import pytest

from harness.rss_parts import parse_status, rss_parts

STATUS = (b"Name:\tpython3\nVmRSS:\t   20480 kB\nRssAnon:\t   12288 kB\nRssFile:\t    8000 kB\n"
          b"RssShmem:\t     192 kB\nThreads:\t4\n")


def test_each_part_is_its_kb_times_1024_bytes() -> None:
    assert parse_status(STATUS) == {"rss_anon_bytes": 12288 * 1024, "rss_file_bytes": 8000 * 1024,
                                    "rss_shmem_bytes": 192 * 1024}


@pytest.mark.parametrize("text", [STATUS.replace(b"RssShmem", b"RssShared"), STATUS.replace(b" kB\nRssFile", b" MB\nRssFile"),
                                  STATUS.replace(b"8000", b"8e3")])
def test_a_status_lacking_a_part_or_reading_it_otherwise_gives_none(text: bytes) -> None:
    assert parse_status(text) == {}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
def test_this_process_s_parts_add_up_to_its_resident_set() -> None:
    """The three parts sum to VmRSS read from the same file (the kernel's own sum); the file is
    read once for both, so the sum is exact."""
    with open(f"/proc/{os.getpid()}/status", "rb") as f:
        text = f.read()
    vm_rss = next(int(line.split()[1]) * 1024 for line in text.splitlines() if line.startswith(b"VmRSS:"))
    assert sum(parse_status(text).values()) == vm_rss
    assert set(rss_parts()) == {"rss_anon_bytes", "rss_file_bytes", "rss_shmem_bytes"}
