"""A soak on the virtual clock frees the cyclic garbage at each checkpoint (``soak.collect_cycles``).

A healthy simulated soak's RSS crept up 3-4.5 MB a simulated hour, on the leak judge's 4 MiB/h
threshold, because the garbage of torn-down streams (reference cycles) waited longer and longer
for the collector's oldest generation (bench/RESULTS.md, issue #11). These tests plant one cycle
with the collector switched off, so that nothing but the soak's own collection can free it, and
read it from the simulated clock's timers: deterministic, whatever the machine's load.
"""

from __future__ import annotations

import gc
import weakref

import pytest

from harness import SoakRunner, SoakSpec
from system_under_test import AudioSystem

pytestmark = pytest.mark.soak


@pytest.fixture(autouse=True)
def _history_db(tmp_path, monkeypatch):
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))


class _Cycle:
    """An object that refers to itself (as a torn-down pipeline and its stream do), holding a
    megabyte: unreachable, only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self
        self.payload = bytearray(1 << 20)


def _soak_with_planted_cycles(tmp_path) -> dict[str, bool]:
    """A 40 s soak, checkpoints every 10 s: a cycle is dropped at 12.5 s, and whether it and a
    cycle still referred to are alive is read at 12.6 s (before the next checkpoint) and at 20.5 s
    (just after it). The collector is off for the run."""
    dropped: list[_Cycle] = [_Cycle()]
    kept = [_Cycle()]
    dropped_ref, kept_ref = weakref.ref(dropped[0]), weakref.ref(kept[0])
    seen: dict[str, bool] = {}

    def read(label: str) -> None:
        seen[f"dropped alive at {label}"] = dropped_ref() is not None
        seen[f"kept alive at {label}"] = kept_ref() is not None

    def system_with_planted_cycles(*args, **kw):
        system = AudioSystem(*args, **kw)
        system.clock.call_at(12.5, dropped.clear)
        system.clock.call_at(12.6, lambda: read("12.6"))
        system.clock.call_at(20.5, lambda: read("20.5"))
        return system

    spec = SoakSpec(duration_s=40.0, seed=3, checkpoint_s=10.0, run_dir=tmp_path / "run")
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        result = SoakRunner(spec, system_factory=system_with_planted_cycles).start()
    finally:
        if was_enabled:
            gc.enable()
    assert result.status == "completed"
    return seen


def test_a_cycle_dropped_between_checkpoints_is_freed_at_the_next_checkpoint_and_a_referred_one_is_not(tmp_path):
    """The checkpoint at 20 s frees the cycle dropped at 12.5 s; the one still referred to (what a
    leak is) survives it: the collection cannot hide a leak."""
    seen = _soak_with_planted_cycles(tmp_path)
    assert seen == {"dropped alive at 12.6": True,  # dropped, but a cycle: nothing freed it yet
                    "kept alive at 12.6": True,
                    "dropped alive at 20.5": False,  # the checkpoint at 20 s collected it
                    "kept alive at 20.5": True}
