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
    ErrorInfo,
    LifecycleError,
    ResourceLimitError,
    Severity,
    XrunError,
)


class RecoveryAction(str, enum.Enum):
    IGNORE = "ignore"      # counted, nothing to do (an xrun)
    DEGRADE = "degrade"    # keep running with less (pool dry: drop frames, count them)
    RESTART = "restart"    # tear down and reopen the stream, retrying with back-off, then fall back
    FAIL = "fail"          # nothing recovery can do: go to FAILED and wait for the owner


#: Severity thresholds the policy reads (errors.Severity; higher is worse).
#: At or above FATAL nothing at run time can help; at or below INFO an error is a note, not a fault;
#: at or above CRITICAL a fault that is usually tolerated (an xrun, a dry pool, one callback error)
#: means the stream itself is broken, so it is restarted at once.
FAIL_AT = Severity.FATAL
NOTE_AT = Severity.INFO
ESCALATE_AT = Severity.CRITICAL


@dataclass(frozen=True)
class RecoveryPolicy:
    """Decide what to do about an error, from its class and its severity.

    The routing table, first match wins (``tests/sut/test_promises_recovery.py`` checks every cell):

    ==================================  ============================================================
    ConfigError, LifecycleError         IGNORE at any severity: the caller got the exception and the
                                        system is unchanged
    severity >= FATAL                   FAIL
    not ``error.recoverable``           FAIL
    severity <= INFO                    IGNORE (counted and reported only)
    XrunError                           RESTART at >= CRITICAL, else IGNORE
    BufferPoolExhausted, ResourceLimit  RESTART at >= CRITICAL, else DEGRADE (or RESTART when the
                                        configuration says ``degrade_on_exhaustion = false``)
    CallbackError                       RESTART at >= CRITICAL or once ``callback_error_threshold``
                                        errors came in a row, else IGNORE
    any other recoverable error         RESTART (devices, simulated errors)
    ==================================  ============================================================
    """

    config: RecoveryConfig
    #: callback errors tolerated in a row before the stream is restarted
    callback_error_threshold: int = 3

    def decide(self, error: AudioSystemError | ErrorInfo, *, consecutive_callback_errors: int = 0,
               severity: Severity | None = None) -> RecoveryAction:
        """The action for ``error``; ``severity`` overrides the error's own (the coordinator's
        ``ErrorRecord.severity``, which a reporter may raise or lower). An ``ErrorInfo`` (what the
        coordinator keeps) is judged by the class of the exception it describes."""
        kind = error.kind if isinstance(error, ErrorInfo) else type(error)
        sev = error.severity if severity is None else Severity(severity)
        if issubclass(kind, (ConfigError, LifecycleError)):
            return RecoveryAction.IGNORE  # the caller got the exception; the system is unchanged
        if sev >= FAIL_AT or not error.recoverable:
            return RecoveryAction.FAIL
        if sev <= NOTE_AT:
            return RecoveryAction.IGNORE
        escalated = sev >= ESCALATE_AT
        if issubclass(kind, XrunError):
            return RecoveryAction.RESTART if escalated else RecoveryAction.IGNORE
        if issubclass(kind, (BufferPoolExhaustedError, ResourceLimitError)):
            if escalated or not self.config.degrade_on_exhaustion:
                return RecoveryAction.RESTART
            return RecoveryAction.DEGRADE
        if issubclass(kind, CallbackError):
            if escalated or consecutive_callback_errors >= self.callback_error_threshold:
                return RecoveryAction.RESTART
            return RecoveryAction.IGNORE
        return RecoveryAction.RESTART

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
        """The longest a recovery may stay RECOVERING, from the moment it entered it, in seconds.

        An attempt is made only when it is due at or before the deadline; when the next one would
        come after it, the recovery gives up *at* the deadline (FAILED, ``recovery_failed``, a
        ``RecoveryError`` for the owner), never one back-off step later. An open already under
        way when the deadline passes is not interrupted (no device open can be), so an episode
        may end past the deadline by that open's time only."""
        return self.config.deadline_ms / 1000


__all__ = ["ESCALATE_AT", "FAIL_AT", "NOTE_AT", "RecoveryAction", "RecoveryPolicy"]
