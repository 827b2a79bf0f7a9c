"""Performance gates and the steady-state window: thresholds a run must meet, set in a fault profile.

A gate turns a figure the run measures into part of its verdict, so CI fails on a performance
regression and not only on a broken invariant::

    [gates]
    xruns_per_hour_max = 600            # xruns per simulated (or wall) hour of the run
    recovery_p95_s_max = 0.5            # 95th percentile of the system's own recovery times
    callback_p99_9_budget_max = 0.8     # callback p99.9 as a share of the block budget
    steady_state_s = 1.0                # the steady-state window before the first and after the last fault

Each gate is judged by ``evaluate_gates`` into one of three results: ``met``, ``failed`` (the run
fails, naming the gate, the measured value and the threshold) or ``not_measured`` (the run had no
such figure, e.g. a recovery gate in a run without a recovery: the run is inconclusive, never a
silent pass). The model lives in a module of its own, with no import from the rest of the harness,
so the fault-profile loader and the verdict can both use it without an import cycle.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict, field_validator

from .inputs import refuse_bool_for_number

__all__ = ["DEFAULT_STEADY_STATE_S", "GATE_FIGURES", "GateResult", "Gates", "evaluate_gates"]

#: the steady-state window of a run whose profile does not set ``steady_state_s``
DEFAULT_STEADY_STATE_S = 1.0


class Gates(BaseModel):
    """The ``[gates]`` table of a fault profile (every key optional; unknown keys are refused)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=False)
    _no_bool = field_validator("*", mode="before")(refuse_bool_for_number)

    # Strict: a threshold written in quotes (``recovery_p95_s_max = "0.5"``) is a typo that lax
    # pydantic read as the number; TOML has numbers, and an integer is still a float here
    xruns_per_hour_max: Annotated[float, Strict(), Field(ge=0.0, le=1e9)] | None = None
    recovery_p95_s_max: Annotated[float, Strict(), Field(gt=0.0, le=3600.0)] | None = None
    callback_p99_9_budget_max: Annotated[float, Strict(), Field(gt=0.0, le=1000.0)] | None = None
    #: seconds of clean audio, no xrun and RUNNING required before the first fault and after the
    #: last one; 0 turns the steady-state check off (the report then says "not checked")
    steady_state_s: Annotated[float, Strict(), Field(ge=0.0, le=600.0)] = DEFAULT_STEADY_STATE_S

    @property
    def thresholds(self) -> dict[str, float]:
        """The gates that are set: name -> threshold."""
        return {name: v for name in GATE_FIGURES if (v := getattr(self, name)) is not None}


#: gate -> (figure measured, unit, what "not measured" means)
GATE_FIGURES: dict[str, tuple[str, str, str]] = {
    "xruns_per_hour_max": ("xruns_per_hour", "xruns/h", "the run has no operating time"),
    "recovery_p95_s_max": ("recovery_p95_s", "s", "no recovery happened in the run"),
    "callback_p99_9_budget_max": ("callback_p99_9_budget", "x budget",
                                  "no callback duration or no block budget was measured"),
}


@dataclass(frozen=True)
class GateResult:
    """One gate's judgement: ``status`` is ``met``, ``failed`` or ``not_measured``."""

    name: str
    figure: str
    threshold: float
    measured: float | None
    status: str
    unit: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate_gates(gates: Gates | None, measured: Mapping[str, float | None]) -> list[GateResult]:
    """Judge every gate that is set against ``measured`` (figure name -> value or None)."""
    if gates is None:
        return []
    out = []
    for name, threshold in gates.thresholds.items():
        figure, unit, absent = GATE_FIGURES[name]
        value = measured.get(figure)
        if value is None or not isinstance(value, (int, float)) or not math.isfinite(value):
            out.append(GateResult(name, figure, threshold, None, "not_measured", unit,
                                  f"gate {name} not measured: {absent}"))
            continue
        value = float(value)
        if value > threshold:
            out.append(GateResult(name, figure, threshold, value, "failed", unit,
                                  f"gate {name} failed: {figure} {value:.4g} {unit} > threshold {threshold:g} {unit}"))
        else:
            out.append(GateResult(name, figure, threshold, value, "met", unit,
                                  f"gate {name} met: {figure} {value:.4g} {unit} <= {threshold:g} {unit}"))
    return out
