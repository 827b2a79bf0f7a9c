"""Each resource manager holds global limits of its own.

A system applies its configuration's limits to its own ``ResourceManager`` (``apply_limits``: every
global limit set). ``DEFAULT_GLOBAL_LIMITS`` is the module's table of defaults: a manager that
shared it instead of copying it would write one system's limits into the defaults, and every
manager made later in the process (another system, a test's) would start from them.
"""

from __future__ import annotations

from system_under_test import AudioSystem
from system_under_test.resources import DEFAULT_GLOBAL_LIMITS, ResourceManager, ResourceType

#: the defaults as written in resources.py, spelled out: the table itself is what is at stake
DEFAULTS = {ResourceType.BUFFERS: 4096, ResourceType.FRAMES: 48_000 * 60, ResourceType.STREAMS: 8,
            ResourceType.THREADS: 64, ResourceType.BYTES: 512 * 1024 * 1024}


def test_a_manager_s_limit_leaves_the_defaults_and_other_managers_alone() -> None:
    first = ResourceManager()
    first.set_limit(ResourceType.BUFFERS, 7)
    assert first.limit(ResourceType.BUFFERS) == 7
    assert ResourceManager().limit(ResourceType.BUFFERS) == 4096
    assert DEFAULT_GLOBAL_LIMITS == DEFAULTS


def test_a_configured_system_s_limits_are_its_own() -> None:
    s = AudioSystem({"limits": {"buffers": 100, "streams": 2}}, seed=3)
    s.initialize()
    try:
        assert s.resources.limit(ResourceType.BUFFERS) == 100
        assert ResourceManager().global_limits == DEFAULTS
        assert DEFAULT_GLOBAL_LIMITS == DEFAULTS
    finally:
        s.close()
