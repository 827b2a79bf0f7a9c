"""The coordinated audio system that soundcheck tests: capture -> DSP -> playback, built so that it
survives device dropouts, buffer exhaustion, bad configs and concurrent control.

Public surface (everything else is internal and may change)::

    from system_under_test import AudioSystem, AudioConfig, load_config, State, VirtualClock
"""

from .clock import Clock, SystemClock, VirtualClock
from .config import AudioConfig, load_config
from .coordinator import ComponentCoordinator, HealthStatus
from .devices.base import DeviceBackend, DeviceInfo, DeviceStream, StatusFlags, StreamSpec
from .devices.simulated import SimulatedBackend, SimulatedDevice
from .errors import AudioSystemError, Severity
from .lifecycle import TRANSITIONS, State, TransitionRecord
from .monitoring import MetricsSnapshot, MonitoringCoordinator
from .resources import ResourceManager, ResourceType
from .system import AudioSystem, SystemEvent

__all__ = [
    "AudioConfig",
    "AudioSystem",
    "AudioSystemError",
    "Clock",
    "ComponentCoordinator",
    "DeviceBackend",
    "DeviceInfo",
    "DeviceStream",
    "HealthStatus",
    "MetricsSnapshot",
    "MonitoringCoordinator",
    "ResourceManager",
    "ResourceType",
    "Severity",
    "SimulatedBackend",
    "SimulatedDevice",
    "State",
    "StatusFlags",
    "StreamSpec",
    "SystemClock",
    "SystemEvent",
    "TRANSITIONS",
    "TransitionRecord",
    "VirtualClock",
    "load_config",
]
