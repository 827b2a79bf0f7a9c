"""A signal number's name for a message about how a process ended.

One module, with nothing but ``signal`` imported, so that every reporter of a child's end names a
signal the same way: the device host's end (``devices.portaudio``) and the rig's JACK agent's
(``harness.rig.jack_agent``), which must not load the PortAudio backend onto a run's import path.
"""

from __future__ import annotations

import signal


def signal_name(number: int) -> str:
    """A signal number's name for a message: ``SIGSEGV`` for a named one, ``SIGRTMIN+3`` for a
    real-time one (``signal.Signals`` names none of those and raises ``ValueError``), ``signal N``
    for any other number. A process may be killed by any of them, and the name must never be
    what fails while its end is reported."""
    try:
        return signal.Signals(number).name
    except ValueError:
        pass
    low, high = int(signal.SIGRTMIN), int(signal.SIGRTMAX)
    if low <= number <= high:
        return "SIGRTMIN" if number == low else f"SIGRTMIN+{number - low}"
    return f"signal {number}"


__all__ = ["signal_name"]
