"""A signal number's name (``signal_names.signal_name``): what a message about a child's end says.

A table of numbers and the name each must get, read from ``signal``'s own constants so that it
holds on any platform's numbering: a named signal by its name, a real-time one counted from
``SIGRTMIN`` (``SIGRTMIN+0`` is ``SIGRTMIN`` itself), any other number as ``signal N``.
"""

from __future__ import annotations

import signal

import pytest

from system_under_test.signal_names import signal_name

_LOW, _HIGH = int(signal.SIGRTMIN), int(signal.SIGRTMAX)


@pytest.mark.parametrize(("number", "name"), [
    (int(signal.SIGSEGV), "SIGSEGV"),
    (int(signal.SIGKILL), "SIGKILL"),
    (_LOW, "SIGRTMIN"),
    (_LOW + 1, "SIGRTMIN+1"),
    (_LOW + 3, "SIGRTMIN+3"),
    (_HIGH - 1, f"SIGRTMIN+{_HIGH - 1 - _LOW}"),
    (_HIGH + 1000, f"signal {_HIGH + 1000}"),
])
def test_a_signal_number_gets_its_name(number: int, name: str) -> None:
    assert signal_name(number) == name


def test_every_real_time_signal_between_the_bounds_is_counted_from_sigrtmin() -> None:
    """Each real-time number that ``signal.Signals`` does not name reads back as its offset from
    ``SIGRTMIN``: the name says which signal, and two numbers never share one."""
    names = {}
    for number in range(_LOW + 1, _HIGH):
        name = signal_name(number)
        if name.startswith("SIGRTMIN+"):
            assert _LOW + int(name.removeprefix("SIGRTMIN+")) == number, name
        names[name] = number
    assert len(names) == _HIGH - _LOW - 1
