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
import sys
import types
from dataclasses import dataclass, field
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


#: longest text an ``ErrorInfo`` keeps (a message, a detail, its traceback); longer text is cut
MAX_TEXT = 2000
#: innermost frames an ``ErrorInfo``'s traceback keeps
MAX_FRAMES = 4


def _json_safe(value: Any) -> Any:
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "...[cut]"
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return repr(value)


def short_traceback(exc: BaseException, *, max_frames: int = MAX_FRAMES, max_causes: int = 3) -> str:
    """The innermost ``max_frames`` frames of ``exc`` (file, line, function) and its cause chain,
    as text; "" if it was never raised.

    Why not ``traceback.format_exception``: it reads source lines from disk (linecache), which
    must not happen on an audio thread, and its text grows with every frame. This reads only the
    code objects' names and line numbers and keeps no frame, so it is cheap enough for the
    callback's error path and holds nothing alive."""
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    depth = 0
    while current is not None and id(current) not in seen and depth <= max_causes:
        seen.add(id(current))
        if depth:
            lines.append(f"caused by {type(current).__name__}: {current}")
        frames: list[str] = []
        tb = current.__traceback__
        while tb is not None:
            code = tb.tb_frame.f_code
            frames.append(f'  File "{code.co_filename}", line {tb.tb_lineno}, in {code.co_name}')
            tb = tb.tb_next
        lines.extend(frames[-max_frames:])
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
        depth += 1
    text = "\n".join(lines)
    return text if len(text) <= MAX_TEXT else "...[cut]" + text[-MAX_TEXT:]


_NO_DETAILS: types.MappingProxyType[str, Any] = types.MappingProxyType({})


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """What the system *keeps* of an error: its class, message, severity, component, details and a
    short traceback text - never the exception object.

    Why: a raised exception holds its traceback, each traceback entry a frame, each frame its
    locals (``self``: a pipeline with its rings, pool and DSP chain; a stream; a buffer). An error
    log that keeps exceptions keeps every pipeline that ever raised alive until the log turns over,
    so memory climbs for hours (the error log holds 10 000 records). An ``ErrorInfo`` holds only
    strings, numbers and the exception's class (for routing by class), whatever the exception held.
    """

    kind: type[BaseException]
    message: str
    component: str | None
    severity: Severity
    recoverable: bool
    details: types.MappingProxyType[str, Any] = field(default_factory=lambda: _NO_DETAILS, compare=False)
    traceback: str = field(default="", compare=False)

    @classmethod
    def of(cls, exc: BaseException, *, component: str | None = None) -> "ErrorInfo":
        """Describe ``exc`` (an ``ErrorInfo`` is returned as is). An exception from outside the
        tree keeps its own class and ``repr`` as the message, ``component``, ERROR severity, and is
        not recoverable."""
        if isinstance(exc, ErrorInfo):
            return exc
        tb = sys.intern(short_traceback(exc))  # one copy per distinct code path, not per error
        if isinstance(exc, AudioSystemError):
            details = types.MappingProxyType({k: _json_safe(v) for k, v in exc.details.items()}) \
                if exc.details else _NO_DETAILS
            return cls(type(exc), _json_safe(str(exc.message)), exc.component,
                       exc.severity, exc.recoverable, details, tb)
        return cls(type(exc), _json_safe(repr(exc)), component, Severity.ERROR, False, _NO_DETAILS, tb)

    @property
    def type(self) -> str:
        """The exception's class name (``"DeviceLostError"``)."""
        return self.kind.__name__

    def is_a(self, *classes: type[BaseException]) -> bool:
        """``isinstance`` for the error this describes."""
        return issubclass(self.kind, classes)

    def describe(self) -> dict[str, Any]:
        """The same JSON-safe description ``AudioSystemError.describe`` gives (the traceback text
        is left out: histories and reports stay as they were; ``ErrorRecord.to_dict`` has it)."""
        return {
            "type": self.type,
            "message": self.message,
            "component": self.component,
            "severity": self.severity.name,
            "recoverable": self.recoverable,
            "details": dict(self.details),
        }

    def __str__(self) -> str:
        where = f"[{self.component}] " if self.component else ""
        return f"{where}{self.message}"


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
    "ErrorInfo",
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
    "short_traceback",
]
