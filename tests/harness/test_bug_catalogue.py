"""The catalogue of realistic bugs (``bench/bench_realistic_bugs.py``) stays applicable.

Each entry patches one snippet of system_under_test/ (or, for a path that starts with
``harness/``, of the harness's own checkers) that must occur exactly once. A change to
the code under test that rewrites such a snippet leaves the entry applying to no tree: the
bench then reports it as an error, and a batch tried again on a later main silently loses a
bug. This check fails at the change instead, so whoever changes the code also updates the
entry (its ``old`` and ``new`` as the code now reads)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _catalogue() -> list:
    path = ROOT / "bench" / "bench_realistic_bugs.py"
    spec = importlib.util.spec_from_file_location("bench_realistic_bugs_catalogue", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(spec.name, None)
    return list(module.BUGS)


def test_every_catalogued_bug_still_patches_exactly_one_place() -> None:
    bugs = _catalogue()
    assert len(bugs) > 300
    names = [b.name for b in bugs]
    assert len(set(names)) == len(names), "duplicate bug names"
    stale = []
    for b in bugs:
        # a path under harness/ (batch 17: the harness's own checkers) is from the root
        text = (ROOT / b.path if b.path.startswith("harness/") else ROOT / "system_under_test" / b.path).read_text()
        if text.count(b.old) != 1:
            stale.append(f"{b.name} ({b.path}): its 'old' snippet occurs {text.count(b.old)} time(s)")
    assert not stale, "\n".join(stale)
    assert all(b.old != b.new for b in bugs)
