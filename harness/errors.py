"""The harness's own exception tree (the system under test has its own, in ``system_under_test.errors``).

    HarnessError
    ├── UsageError          bad command-line arguments or options        -> exit 2
    ├── InputFileError      a file the user gave is missing or malformed -> exit 2
    │   ├── WavFileError
    │   └── ScenarioFileError
    ├── AnalysisError       the signal could not be analysed (no sine, low confidence)
    └── RigError            the JACK loopback rig could not be started or controlled
"""

from __future__ import annotations


class HarnessError(Exception):
    """Root of the harness's errors. ``exit_code`` is what the CLI exits with."""

    exit_code = 2


class UsageError(HarnessError):
    pass


class InputFileError(HarnessError):
    """A user-supplied file is missing or malformed; the message names the file and the fix."""

    def __init__(self, path: object, message: str) -> None:
        self.path = str(path)
        super().__init__(f"{self.path}: {message}")


class WavFileError(InputFileError):
    pass


class ScenarioFileError(InputFileError):
    pass


class AnalysisError(HarnessError):
    pass


class RigError(HarnessError):
    pass


__all__ = [
    "AnalysisError",
    "HarnessError",
    "InputFileError",
    "RigError",
    "ScenarioFileError",
    "UsageError",
    "WavFileError",
]
