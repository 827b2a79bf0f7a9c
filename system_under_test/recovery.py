"""Routing errors to recovery actions, and the retry schedule.

The policy is a pure function from (error, what is going on) to an action, so it can be tested on
its own and read in one screen. Executing the action (tearing down, backing off, reopening, falling
back to another device) is the system's job (``system.py``), because only the system owns the
pipeline.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass

from .config import RecoveryConfig
from .errors import (
    AudioSystemError,
    BufferPoolExhaustedError,
    CallbackError,
    ConfigError,
    DeviceError,
    ErrorInfo,
    LifecycleError,
    ResourceLimitError,
    SimulatedError,
    XrunError,
)


class RecoveryAction(str, enum.Enum):
    IGNORE = "ignore"      # counted, nothing to do (an xrun)
    DEGRADE = "degrade"    # keep running with less (pool dry: drop frames, count them)
    RESTART = "restart"    # tear down and reopen the stream, retrying with back-off, then fall back
    FAIL = "fail"          # nothing recovery can do: go to FAILED and wait for the owner


@dataclass(frozen=True)
class RecoveryPolicy:
    """Decide what to do about an error."""

    config: RecoveryConfig
    #: callback errors tolerated in a row before the stream is restarted
    callback_error_threshold: int = 3

    def decide(self, error: AudioSystemError | ErrorInfo, *,
               consecutive_callback_errors: int = 0) -> RecoveryAction:
        """By the error's class; an ``ErrorInfo`` (what the coordinator passes on) is judged by the
        class of the exception it describes."""
        kind = error.kind if isinstance(error, ErrorInfo) else type(error)
        if issubclass(kind, (ConfigError, LifecycleError)):
            return RecoveryAction.IGNORE  # the caller got the exception; the system is unchanged
        if issubclass(kind, XrunError):
            return RecoveryAction.IGNORE
        if issubclass(kind, (BufferPoolExhaustedError, ResourceLimitError)):
            return RecoveryAction.DEGRADE if self.config.degrade_on_exhaustion else RecoveryAction.RESTART
        if issubclass(kind, CallbackError):
            if consecutive_callback_errors >= self.callback_error_threshold:
                return RecoveryAction.RESTART
            return RecoveryAction.IGNORE
        if issubclass(kind, (DeviceError, SimulatedError)):
            return RecoveryAction.RESTART if error.recoverable else RecoveryAction.FAIL
        return RecoveryAction.RESTART if error.recoverable else RecoveryAction.FAIL

    def backoff(self) -> Iterator[float]:
        """Delays in seconds before each attempt: 0 first, then exponential up to the cap."""
        cfg = self.config
        yield 0.0
        delay = cfg.initial_backoff_ms / 1000
        for _ in range(cfg.max_attempts - 1):
            yield min(delay, cfg.max_backoff_ms / 1000)
            delay *= cfg.backoff_factor

    @property
    def deadline_s(self) -> float:
        return self.config.deadline_ms / 1000


__all__ = ["RecoveryAction", "RecoveryPolicy"]
