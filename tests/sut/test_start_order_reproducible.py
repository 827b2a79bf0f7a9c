"""The start order breaks ties by registration order in every process.

Why a test of its own: a seeded run must be a pure function of its seed, and the stop order (every
``stop()`` writes its component transitions in it) comes from the start order. An order taken from
a set's iteration (a component's ``dependents``) is topological too, so every check of dependency
order passes; but it follows the strings' hashes, which Python salts per process
(``PYTHONHASHSEED``): two runs of one seed then write different histories. Ties are judged here
in child processes with fixed hash seeds, so the check is deterministic, with eight components
tied behind one hub (a set order that happens to match registration order for all three seeds is
then practically impossible).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: eight dependents of one hub registered in a non-alphabetical order, then a component depending
#: on two of them: the start order must be the hub, the eight in registration order, then the last
_CHILD = """
import json
from system_under_test.coordinator import ComponentCoordinator
from system_under_test.clock import VirtualClock
c = ComponentCoordinator(VirtualClock())
c.register("hub")
for n in ("kilo", "alpha", "zulu", "mike", "bravo", "yankee", "echo", "oscar"):
    c.register(n, depends_on=["hub"])
c.register("last", depends_on=["zulu", "alpha"])
late = ComponentCoordinator(VirtualClock())
for n in ("hub", "kilo", "alpha", "zulu", "mike"):
    late.register(n)
for n in ("kilo", "alpha", "zulu", "mike"):
    late.add_dependency(n, "hub")
print(json.dumps({"start": c.start_order(), "stop": c.stop_order(), "late": late.start_order()}))
"""

EXPECTED_START = ["hub", "kilo", "alpha", "zulu", "mike", "bravo", "yankee", "echo", "oscar", "last"]


@pytest.mark.parametrize("hash_seed", ["0", "1", "2"])
def test_ties_follow_registration_order_whatever_the_hash_seed(hash_seed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", _CHILD], env=env, cwd=ROOT, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    orders = json.loads(out)
    assert orders["start"] == EXPECTED_START
    assert orders["stop"] == EXPECTED_START[::-1]
    # edges added after registration order ties the same way
    assert orders["late"] == ["hub", "kilo", "alpha", "zulu", "mike"]
