"""The thin adapter: ``SimplePlayer`` as a ``harness.sut_protocol.SystemUnderTest``.

What it adds is bookkeeping only: ``harness.sut_kit.LifecycleAdapter`` keeps the lifecycle, the
metrics and the resource ledger; this module maps the harness's configuration onto the player's
settings dict, hands the player a sounddevice-shaped stream on the harness's backend
(``BackendStream``), runs the player's own main loop (``check()``) on the supervisor's tick, and
reads the player's own counters. The player's code runs unchanged.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from harness.sut_kit import BackendStream, LifecycleAdapter
from system_under_test.clock import Clock
from system_under_test.config import AudioConfig
from system_under_test.devices.base import DeviceBackend
from system_under_test.pipeline import FrameAccounts

from .player import FixedPlayer, SimplePlayer


def player_settings(config: AudioConfig) -> dict[str, Any]:
    """The harness's configuration as the player's settings dict."""
    return {"samplerate": config.stream.sample_rate, "blocksize": config.stream.block_size,
            "channels": (config.device.input_channels, config.device.output_channels),
            "device": (config.device.input_device, config.device.output_device),
            "latency": config.stream.latency_ms / 1000, "queue_blocks": config.buffers.ring_blocks}


class PlayerSystem(LifecycleAdapter):
    """A ``SimplePlayer`` (or a subclass) on the harness's backend."""

    tick_s = 0.1  # the player's main loop runs ten times a second

    def __init__(self, config: Mapping[str, Any] | None, *, backend: DeviceBackend, clock: Clock, seed: int,
                 player_class: type[SimplePlayer] = SimplePlayer) -> None:
        super().__init__(config, backend=backend, clock=clock, seed=seed)
        streams = functools.partial(BackendStream, backend, self.resources, self.monitoring, self.stream_errors)
        self.player = player_class({}, stream_factory=streams)
        stats = self.player.stats
        self.live_counters({"callbacks": lambda: stats["callbacks"], "xruns": lambda: stats["xruns"],
                            "frames_captured": lambda: stats["captured"], "frames_played": lambda: stats["played"],
                            "frames_dropped": lambda: stats["dropped"], "frames_inserted": lambda: stats["silence"]})

    def _app_start(self, config: AudioConfig) -> None:
        self.player.config.update(player_settings(config))
        self.player.start()

    def _app_stop(self) -> None:
        self.player.stop()

    def _app_restart(self, config: AudioConfig) -> None:
        self.player.reconfigure(player_settings(config))

    def _app_tick(self) -> None:
        self.player.check()

    def _app_broken(self) -> str | None:
        return "the player's stream died" if self.player.running and self.player.stream_died else None

    def _app_stream(self) -> Any:
        return self.player.stream

    def _app_callback_errors(self) -> int:
        return self.player.stats["callback_errors"]

    def _app_accounts(self) -> FrameAccounts:
        s = self.player.stats
        return FrameAccounts(s["captured"], s["played"], s["dropped"], s["silence"], self.player.buffered_frames())


def make_system(config: Mapping[str, Any] | None, *, backend: DeviceBackend, clock: Clock,
                seed: int) -> PlayerSystem:
    """The player as written (``--system examples.simple_player:make_system``)."""
    return PlayerSystem(config, backend=backend, clock=clock, seed=seed)


def make_fixed_system(config: Mapping[str, Any] | None, *, backend: DeviceBackend, clock: Clock,
                      seed: int) -> PlayerSystem:
    """The player with its restart fixed (``--system examples.simple_player:make_fixed_system``)."""
    return PlayerSystem(config, backend=backend, clock=clock, seed=seed, player_class=FixedPlayer)
