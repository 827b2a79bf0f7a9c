"""Taking a configuration in: validated against the backend (a refusal announced) and its resource
limits applied.

``AudioSystem`` and every system built on ``harness.sut_kit.LifecycleAdapter`` take a configuration
the same way, and the harness judges both by one model (a rejected configuration changes nothing
and says ``config_rejected``; an applied one sets every resource limit it names). One function each,
so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .config import AudioConfig, load_config
from .devices.base import DeviceBackend
from .errors import ConfigError
from .resources import ResourceManager, ResourceType


def validate_config(config: AudioConfig | Mapping[str, Any], backend: DeviceBackend,
                    emit: Callable[..., None]) -> AudioConfig:
    """``config`` validated against ``backend``'s devices. A refusal is announced as a
    ``config_rejected`` event (through ``emit(kind, **data)``) with every problem, then raised."""
    try:
        return load_config(config, backend)
    except ConfigError as exc:
        emit("config_rejected", error=exc.describe())
        raise


def apply_limits(resources: ResourceManager, config: AudioConfig) -> None:
    """Set every global resource limit of ``config`` (``limits``: one per ``ResourceType``)."""
    for rtype in ResourceType:
        resources.set_limit(rtype, getattr(config.limits, rtype.value))


__all__ = ["apply_limits", "validate_config"]
