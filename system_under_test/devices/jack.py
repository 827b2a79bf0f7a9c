"""The ``jack`` backend: PortAudio's JACK host API, pointed at a named JACK server.

It means "the soundcheck loopback rig" in practice: ``JackBackend(server_name=rig.server_name)``
sees exactly the rig's ``system`` device (2 in / 2 out, the server's rate) and nothing of ALSA.
It is a thin parameterisation of ``PortAudioBackend`` rather than a JACK-Client backend on
purpose: the point is to exercise the PortAudio JACK host API route, with its measured failure
(FIELD_NOTES: after the server dies ``stop()``/``close()`` never return), under the same
device-host protection as every other PortAudio device.

The server name comes from the argument, else ``SOUNDCHECK_JACK_SERVER``, else
``JACK_DEFAULT_SERVER``, else libjack's ``default``. (The ALSA ``jack`` PCM route to the same
server is ``PortAudioBackend(host_api="ALSA", jack_server=...)`` with device ``"jack"``.)
"""

from __future__ import annotations

import os
from typing import Any

from .portaudio import JACK_HOST_API, PortAudioBackend


def default_server_name() -> str:
    return os.environ.get("SOUNDCHECK_JACK_SERVER") or os.environ.get("JACK_DEFAULT_SERVER") or "default"


class JackBackend(PortAudioBackend):
    """PortAudio's JACK host API on one JACK server (default device name: ``system``)."""

    name = "jack"
    DEVICE = "system"
    PROBE_RATES: tuple[int, ...] = ()  # a JACK server runs at one rate: its default

    def __init__(self, server_name: str | None = None, **kwargs: Any) -> None:
        super().__init__(host_api=JACK_HOST_API, jack_server=server_name or default_server_name(), **kwargs)

    @property
    def server_name(self) -> str:
        assert self.jack_server is not None
        return self.jack_server


__all__ = ["JACK_HOST_API", "JackBackend", "default_server_name"]
