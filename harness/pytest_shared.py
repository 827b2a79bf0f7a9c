"""What the pytest plugin (``harness.pytest_plugin``) and the scenario collector
(``harness.scenario_collect``) share: the ``loopback`` gate and the ``--soundcheck-system`` choice.

It lives apart so that the collector, which also works on its own (``-p harness.scenario_collect``),
and the plugin, which re-exports the collector's hook, do not import each other.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # pragma: no cover
    from .sut_protocol import SystemChoice

SYSTEM_KEY = pytest.StashKey["SystemChoice"]()


def loopback_unavailable(*, portaudio: bool = False) -> str | None:
    """Why the JACK loopback rig (with ``portaudio``: and PortAudio) cannot run here, or None."""
    from .rig.loopback import rig_unavailable_reason

    reason = rig_unavailable_reason()
    if reason is None and portaudio:
        from system_under_test.devices.portaudio import PortAudioBackend
        ok, why = PortAudioBackend.available()
        reason = None if ok else why
    return reason


def loopback_gate(*, portaudio: bool = False, what: str = "the loopback tests") -> None:
    """Skip (or, with ``CI`` set, fail) the current test when the rig cannot run here."""
    reason = loopback_unavailable(portaudio=portaudio)
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set, so {what} must run, but: {reason}", pytrace=False)
        pytest.skip(f"needs the JACK loopback rig: {reason}")


def system_choice(config: pytest.Config) -> "SystemChoice":
    """The system named by ``--soundcheck-system`` or the ``soundcheck_system`` ini value (loaded
    once per session; a bad value fails the tests that use it, naming the option and the fix)."""
    choice = config.stash.get(SYSTEM_KEY, None)
    if choice is None:
        from .errors import UsageError  # noqa: PLC0415
        from .sut_protocol import load_system  # noqa: PLC0415

        text = config.getoption("--soundcheck-system") or config.getini("soundcheck_system") or None
        option = "--soundcheck-system" if config.getoption("--soundcheck-system") else "soundcheck_system (ini)"
        try:
            choice = load_system(text, option=option)
        except UsageError as exc:
            raise pytest.UsageError(str(exc)) from None
        config.stash[SYSTEM_KEY] = choice
    return choice


__all__ = ["SYSTEM_KEY", "loopback_gate", "loopback_unavailable", "system_choice"]
