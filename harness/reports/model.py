"""The report's input (``RunData``) and its output schema (``Report``), as plain dataclasses.

``RunData`` is what a run hands to ``write_reports``: the soak builds it from its journal, ``soundcheck
run`` and scenarios build it from their ``History`` with ``RunData.from_history``. Every field but
``kind`` is optional; whatever is missing becomes a named gap in the report (``completeness``), never
a crash.

The schema of ``report.json`` is documented field by field in ``SCHEMA.md`` next to this module;
``SCHEMA_VERSION`` is bumped on any change (2 and 4: added fields only, see the changelog in SCHEMA.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Iterable, Mapping
from typing import Any

from ..invariants import Verdict
from ..journal import compact_entry, jsonify

__all__ = ["RunData", "SCHEMA_VERSION", "normalize_verdicts"]

SCHEMA_VERSION = 4

#: events (``SystemEvent.kind``) the recovery section reads
#: counters kept per metrics snapshot for the over-time figures of a run
SERIES_COUNTERS = ("xruns", "callbacks", "errors", "recoveries", "frames_dropped", "budget_overruns")
RECOVERY_EVENTS = frozenset({"recovery_started", "recovery_succeeded", "recovery_failed", "degraded",
                             "undegraded", "recovery_attempt_failed"})


def normalize_verdicts(verdicts: Iterable[Verdict | Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """Invariant outcomes in one shape: ``[{"name", "ok", "inconclusive", "message", "time", "details"}]``.

    Takes ``harness.invariants.Verdict`` objects or their ``to_dict()`` (a journal's or a summary's
    verdicts); a verdict without ``name`` or ``ok`` is a ``KeyError``, never a silent pass.
    """
    out = []
    for v in verdicts or ():
        d = jsonify(v.to_dict() if isinstance(v, Verdict) else dict(v))
        item = {"name": str(d["name"]), "ok": bool(d["ok"]), "inconclusive": bool(d.get("inconclusive")),
                "message": str(d.get("message") or "")[:2000], "time": d.get("time"),
                "details": {k: v for k, v in d.items()
                            if k not in ("name", "ok", "message", "time", "inconclusive", "reason")}}
        if d.get("reason"):  # an inconclusive check's reason: the verdict's headline names it
            item["reason"] = str(d["reason"])
        out.append(item)
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
    #: the run's replay scenario, exported by its driver (``harness.replay.export_replay``):
    #: ``{"path", "note"}``, shared by every failed episode; None: the report says how to make one
    replay: dict[str, Any] | None = None
    history_path: str | None = None        # full history JSONL, if one was written
    #: the run summary's callback-duration distribution (``CallbackDurations.summary()``: all callbacks)
    callbacks: dict[str, Any] | None = None
    #: the run summary's CPU figures (``process_cpu_s``, ``process_cpu_percent``)
    cpu: dict[str, Any] | None = None
    #: the run summary's ``machine``: the load the run ran under (``harness.reports.machine_load``)
    machine: dict[str, Any] | None = None
    #: the run summary's ``audio`` section (``harness.audio_check.AudioCheck.summary()``)
    audio: dict[str, Any] | None = None
    #: ``{t, <counter>: value}`` at each metrics snapshot of the history (``SERIES_COUNTERS``): a
    #: run's figures over time, where a soak has its checkpoints
    counter_series: list[dict[str, Any]] = field(default_factory=list)
    #: the run's performance gates (``summary.json`` ``gates``: ``harness.gates.GateResult`` dicts)
    gates: list[dict[str, Any]] = field(default_factory=list)
    #: the run's steady-state check (``summary.json`` ``steady_state``), or None when not made
    steady_state: dict[str, Any] | None = None
    #: ``entries``, ``chunks``, ``samples`` and ``glitches`` folded into what the report reads
    #: (``harness.reports.fold.RunFold``): a journal is folded as it is read, and those lists are
    #: then left empty; None: the report folds the lists (``build.folded``)
    folded: Any = field(default=None, compare=False, repr=False)

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
