"""The report's input (``RunData``) and its output schema (``Report``), as plain dataclasses.

``RunData`` is what a run hands to ``write_reports``: the soak builds it from its journal, ``soundcheck
run`` and scenarios build it from their ``History`` with ``RunData.from_history``. Every field but
``kind`` is optional; whatever is missing becomes a named gap in the report (``completeness``), never
a crash.

The schema of ``report.json`` is documented field by field in ``SCHEMA.md`` next to this module;
``SCHEMA_VERSION`` is bumped on any change (2 and 4: added fields only, see the changelog in SCHEMA.md).
"""

from __future__ import annotations

import dataclasses
import enum
import math
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RunData", "SCHEMA_VERSION", "jsonify", "normalize_verdicts"]

SCHEMA_VERSION = 4

#: history entry types the reports read; everything else is ignored
REPORT_ENTRY_TYPES = frozenset({"attach", "transition", "fault_start", "fault_end", "error", "event",
                                "note", "meta"})
#: events (``SystemEvent.kind``) the recovery section reads
#: counters kept per metrics snapshot for the over-time figures of a run
SERIES_COUNTERS = ("xruns", "callbacks", "errors", "recoveries", "frames_dropped", "budget_overruns")
RECOVERY_EVENTS = frozenset({"recovery_started", "recovery_succeeded", "recovery_failed", "degraded",
                             "undegraded", "recovery_attempt_failed"})


def jsonify(value: Any) -> Any:
    """A JSON-safe copy: non-finite floats become None, enums their value, dataclasses dicts."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, enum.Enum):
        return jsonify(value.value)
    if isinstance(value, dict):
        return {str(k): jsonify(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonify(v) for v in value]
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return jsonify(to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonify(dataclasses.asdict(value))
    item = getattr(value, "item", None)
    if callable(item):
        return jsonify(item())
    return str(value)


def compact_entry(entry: Any) -> dict[str, Any] | None:
    """A history entry (``Entry`` or its dict) reduced to what reports need, or None to drop it.

    Per-component transitions, operations and metrics snapshots are dropped: the reports read the
    system's own transitions, faults, errors and recovery events. This keeps an 8-hour journal at a
    few megabytes instead of hundreds.
    """
    d = entry if isinstance(entry, dict) else entry.to_dict()
    kind = d.get("type")
    if kind not in REPORT_ENTRY_TYPES:
        return None
    data = d.get("data") or {}
    if kind == "transition" and data.get("component") not in (None, "system"):
        return None
    out = {"type": kind, "time": d.get("time", 0.0)}
    if d.get("value") is not None:
        out["value"] = d["value"]
    if kind == "error":
        err = data.get("error") or {}
        out["data"] = {"type": err.get("type") if isinstance(err, dict) else None,
                       "message": (err.get("message") if isinstance(err, dict) else str(err))[:300]
                       if err else None,
                       "component": data.get("component"), "severity": data.get("severity")}
    elif kind == "event":
        if d.get("value") in ("config_applied",):
            return None
        out["data"] = {k: v for k, v in data.items() if k in (
            "cause", "seconds", "attempts", "reason", "target", "device", "attempt")}
        err = data.get("error")
        if isinstance(err, dict):
            out["data"]["error_type"] = err.get("type")
    elif kind == "transition":
        out["data"] = {k: data.get(k) for k in ("seq", "from_state", "to_state", "cause")}
    elif kind in ("fault_start", "fault_end"):
        out["data"] = {k: data.get(k) for k in ("firing_id", "kind", "target", "fired_at", "ended_at",
                                                 "duration_s", "transient")}
    else:
        out["data"] = data
    return out


def normalize_verdicts(verdicts: Any) -> list[dict[str, Any]]:
    """Invariant outcomes in one shape: ``[{"name", "ok", "message", "time", "details"}]``.

    Accepts ``harness.invariants`` verdict objects, a ``Verdicts`` collection, dicts, or None.
    """
    if verdicts is None:
        return []
    items = getattr(verdicts, "verdicts", None)
    if items is None:
        items = getattr(verdicts, "results", None)
    if items is None:
        items = verdicts.values() if isinstance(verdicts, dict) and not ("name" in verdicts) else verdicts
    if isinstance(items, dict):
        items = [items]
    out = []
    for v in items:
        d = jsonify(v)
        if not isinstance(d, dict):
            d = {"name": str(v), "ok": bool(v)}
        name = d.get("name") or d.get("invariant") or "unnamed"
        ok = d.get("ok", d.get("passed", d.get("holds")))
        if ok is None and "violations" in d:
            ok = not d["violations"]
        msg = d.get("message") or d.get("detail") or d.get("reason") or ""
        out.append({"name": str(name), "ok": bool(ok) if ok is not None else True,
                    "inconclusive": bool(d.get("inconclusive")),
                    "message": str(msg)[:2000], "time": d.get("time"),
                    "details": {k: v for k, v in d.items()
                                if k not in ("name", "ok", "message", "time", "invariant", "inconclusive")}})
    return out


@dataclass
class RunData:
    """Everything a report is built from. Times are the system clock's seconds since the run began."""

    kind: str = "run"                      # "run" | "soak" | "scenario"
    meta: dict[str, Any] = field(default_factory=dict)    # seed, backend, profile, command, ...
    config: dict[str, Any] | None = None   # the AudioConfig as a dict (stream.block_size, ...)
    entries: list[dict[str, Any]] = field(default_factory=list)  # compacted history entries
    chunks: list[dict[str, Any]] = field(default_factory=list)   # per-checkpoint measurements
    samples: list[dict[str, Any]] = field(default_factory=list)  # resource samples (leaks.py)
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    glitches: list[dict[str, Any]] = field(default_factory=list)
    final_metrics: dict[str, Any] | None = None  # MetricsSnapshot.to_dict() at the end
    status: str = "completed"              # completed | interrupted | failed | partial
    problems: list[str] = field(default_factory=list)
    sim_time_s: float | None = None
    wall_time_s: float | None = None
    scenarios: list[dict[str, Any]] = field(default_factory=list)  # exported failure scenarios
    history_path: str | None = None        # full history JSONL, if one was written
    #: the run summary's callback-duration distribution (``CallbackDurations.summary()``: all callbacks)
    callbacks: dict[str, Any] | None = None
    #: the run summary's CPU figures (``process_cpu_s``, ``process_cpu_percent``)
    cpu: dict[str, Any] | None = None
    #: the run summary's ``audio`` section (``harness.audio_check.AudioCheck.summary()``)
    audio: dict[str, Any] | None = None
    #: ``{t, <counter>: value}`` at each metrics snapshot of the history (``SERIES_COUNTERS``): a
    #: run's figures over time, where a soak has its checkpoints
    counter_series: list[dict[str, Any]] = field(default_factory=list)
    #: the run's performance gates (``summary.json`` ``gates``: ``harness.gates.GateResult`` dicts)
    gates: list[dict[str, Any]] = field(default_factory=list)
    #: the run's steady-state check (``summary.json`` ``steady_state``), or None when not made
    steady_state: dict[str, Any] | None = None

    @classmethod
    def from_history(cls, history: Any, *, kind: str = "run", meta: dict[str, Any] | None = None,
                     verdicts: Any = None, system: Any = None, wall_time_s: float | None = None,
                     sim_time_s: float | None = None, samples: list[dict[str, Any]] | None = None,
                     glitches: list[dict[str, Any]] | None = None, status: str = "completed",
                     problems: list[str] | None = None, history_path: str | None = None) -> "RunData":
        """From a ``harness.history.History`` (and optionally the system, for config and metrics).

        One pass over the history (streamed back from its file when it keeps only a window in
        memory); only the compacted entries the reports read are kept."""
        entries: list[dict[str, Any]] = []
        config = None
        final_metrics = None
        samples = list(samples or [])
        series: list[dict[str, Any]] = []
        for e in history:  # the config the system ran with, and its counters at each snapshot
            c = compact_entry(e)
            if c is not None:
                entries.append(c)
            d = e if isinstance(e, dict) else e.to_dict()
            data = d.get("data") or {}
            if d.get("type") == "event" and d.get("value") == "config_applied" and config is None:
                config = jsonify(data.get("config"))
            elif d.get("type") == "metrics" and data.get("counters"):
                final_metrics = {"counters": dict(data["counters"]), "source": "last history snapshot"}
                series.append({"t": d.get("time", 0.0), **{k: data["counters"][k] for k in SERIES_COUNTERS
                                                           if isinstance(data["counters"].get(k), (int, float))}})
                res = data.get("resources") or {}
                if "live" in res and not (samples and "rss_bytes" in samples[0]):
                    s = {"t": d.get("time", 0.0), "sut_live_allocations": res["live"]}
                    for k, v in (res.get("usage") or {}).items():
                        s[f"sut_{k}"] = v
                    samples.append(s)
        if system is not None:
            cfg = getattr(system, "config", None)
            config = jsonify(cfg.to_dict()) if cfg is not None else config
            try:
                final_metrics = jsonify(system.metrics().to_dict())
            except Exception:  # noqa: BLE001 - a closed system may refuse; the report says so
                final_metrics = None
        m = dict(getattr(history, "meta", {}) or {})
        m.update(meta or {})
        end = max((e["time"] for e in entries), default=0.0)
        if system is not None:
            end = max(end, float(system.clock.now()))
        return cls(kind=kind, meta=jsonify(m), config=config, entries=entries, samples=samples, counter_series=series,
                   verdicts=normalize_verdicts(verdicts), glitches=list(glitches or []),
                   final_metrics=final_metrics, status=status, problems=list(problems or []),
                   sim_time_s=sim_time_s if sim_time_s is not None else end, wall_time_s=wall_time_s,
                   history_path=history_path)
