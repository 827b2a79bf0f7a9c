"""``popen``: start the rig's children (``jackd``, the JACK agent) from a thread that outlives their
caller, so their parent-death signal means the process, not a short-lived thread.

The mechanism is the system's own (``system_under_test.devices.spawn``, which its PortAudio device
hosts use for the same reason): one spawner thread per process, shared by the system and the rig.
"""

from __future__ import annotations

from system_under_test.devices.spawn import popen, start

__all__ = ["popen", "start"]
