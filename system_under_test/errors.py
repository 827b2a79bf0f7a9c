"""The one exception tree of the audio system.

Every error the system raises or reports is an ``AudioSystemError``. Errors carry a severity and
whether recovery may fix them, so the coordinator can route them without ``isinstance`` ladders.
Errors from PortAudio/JACK are translated into the most specific class at the device boundary
(``raise DeviceLostError(...) from exc``), never leaked raw.

    AudioSystemError
    ├── ConfigError                  bad input, closed by the caller: never retried
    │   ├── ConfigValidationError    one error listing every problem with its field path
    │   └── ConfigMigrationError     unknown or unmigratable schema_version
    ├── LifecycleError               the caller asked for something the state forbids
    │   ├── IllegalTransitionError
    │   └── SystemClosedError
    ├── RegistrationError            dependency cycle, missing dependency, duplicate name
    ├── ResourceError
    │   ├── ResourceLimitError       allocation over a per-component or global limit
    │   └── BufferPoolExhaustedError the block pool ran dry (reported, recoverable)
    ├── DeviceError                  broken by the world: the device or its host API
    │   ├── DeviceNotFoundError
    │   ├── DeviceLostError          the device vanished mid-stream
    │   ├── DeviceStalledError       callbacks stopped without an error (watchdog)
    │   ├── DeviceFormatError        sample rate / channels the device refuses
    │   ├── SampleRateChangedError   the device switched rate under a running stream
    │   ├── BackendUnavailableError  PortAudio/JACK missing on this machine
    │   └── DeviceTimeoutError       a host-API call did not return in time
    ├── ProcessingError              the audio path itself
    │   ├── CallbackError            an exception caught inside the audio callback
    │   └── XrunError                a late callback / under- or overflow
    ├── RecoveryError                recovery ran out of attempts or deadline
    └── SimulatedError               raised on purpose by ``AudioSystem.simulate_error``
"""

from __future__ import annotations

import enum
from typing import Any


class Severity(enum.IntEnum):
    """How bad an error is; the recovery policy reads this, higher is worse."""

    INFO = 10
    WARNING = 20
    ERROR = 30
    CRITICAL = 40
    FATAL = 50


class AudioSystemError(Exception):
    """Root of every error the audio system raises or reports."""

    default_severity: Severity = Severity.ERROR
    #: Whether the recovery policy may try to fix this error (False: the caller must act).
    recoverable: bool = False

    def __init__(
        self,
        message: str,
        *,
        component: str | None = None,
        severity: Severity | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.component = component
        self.severity = severity if severity is not None else self.default_severity
        self.details = dict(details or {})

    def __str__(self) -> str:
        where = f"[{self.component}] " if self.component else ""
        return f"{where}{self.message}"

    def describe(self) -> dict[str, Any]:
        """A JSON-safe description, used by histories and reports."""
        return {
            "type": type(self).__name__,
            "message": self.message,
            "component": self.component,
            "severity": self.severity.name,
            "recoverable": self.recoverable,
            "details": {k: _json_safe(v) for k, v in self.details.items()},
        }


def _json_safe(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return repr(value)


class ConfigError(AudioSystemError):
    """The configuration is wrong; the caller must fix it."""


class ConfigValidationError(ConfigError):
    """Every problem of one configuration, each with its field path.

    ``problems`` is a list of ``(path, message)``: ``("dsp.chain[1].cutoff_hz", "must be below
    Nyquist (24000 Hz)")``.
    """

    def __init__(self, problems: list[tuple[str, str]], *, source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        head = f"invalid configuration{f' in {source}' if source else ''}"
        lines = "\n".join(f"  - {path}: {msg}" for path, msg in self.problems)
        super().__init__(
            f"{head} ({len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}):\n{lines}",
            component="config",
            details={"problems": [list(p) for p in self.problems]},
        )


class ConfigMigrationError(ConfigError):
    """The configuration's schema_version is unknown or cannot be migrated."""


class LifecycleError(AudioSystemError):
    """The requested operation is not allowed in the current state."""


class IllegalTransitionError(LifecycleError):
    def __init__(self, component: str, current: Any, target: Any, *, reason: str = "") -> None:
        self.current = current
        self.target = target
        allowed = reason or "not in the transition table"
        super().__init__(
            f"illegal transition {getattr(current, 'value', current)} -> "
            f"{getattr(target, 'value', target)} ({allowed})",
            component=component,
            severity=Severity.WARNING,
            details={"from": getattr(current, "value", current), "to": getattr(target, "value", target)},
        )


class SystemClosedError(LifecycleError):
    """The system was closed by its owner; no further operation is possible."""


class RegistrationError(AudioSystemError):
    """A component registration was refused (cycle, missing dependency, duplicate)."""


class ResourceError(AudioSystemError):
    """Resource accounting failures."""


class ResourceLimitError(ResourceError):
    default_severity = Severity.WARNING
    recoverable = True


class BufferPoolExhaustedError(ResourceError):
    default_severity = Severity.WARNING
    recoverable = True


class DeviceError(AudioSystemError):
    """Broken by the world: the device or its host API failed."""

    recoverable = True


class DeviceNotFoundError(DeviceError):
    pass


class DeviceLostError(DeviceError):
    default_severity = Severity.CRITICAL


class DeviceStalledError(DeviceError):
    default_severity = Severity.CRITICAL


class DeviceFormatError(DeviceError):
    recoverable = False


class SampleRateChangedError(DeviceError):
    """The device changed its sample rate mid-stream; reopening at the configured rate fixes it."""

    default_severity = Severity.CRITICAL


class BackendUnavailableError(DeviceError):
    recoverable = False
    default_severity = Severity.FATAL


class DeviceTimeoutError(DeviceError):
    default_severity = Severity.CRITICAL


class ProcessingError(AudioSystemError):
    recoverable = True


class CallbackError(ProcessingError):
    default_severity = Severity.ERROR


class XrunError(ProcessingError):
    default_severity = Severity.WARNING


class RecoveryError(AudioSystemError):
    default_severity = Severity.FATAL


class SimulatedError(AudioSystemError):
    """Raised on purpose to prove errors propagate; recovery clears it."""

    recoverable = True
    default_severity = Severity.CRITICAL


__all__ = [
    "AudioSystemError",
    "BackendUnavailableError",
    "BufferPoolExhaustedError",
    "CallbackError",
    "ConfigError",
    "ConfigMigrationError",
    "ConfigValidationError",
    "DeviceError",
    "DeviceFormatError",
    "DeviceLostError",
    "DeviceNotFoundError",
    "DeviceStalledError",
    "DeviceTimeoutError",
    "IllegalTransitionError",
    "LifecycleError",
    "ProcessingError",
    "RecoveryError",
    "RegistrationError",
    "ResourceError",
    "ResourceLimitError",
    "SampleRateChangedError",
    "Severity",
    "SimulatedError",
    "SystemClosedError",
    "XrunError",
]
