"""Build the report (a JSON-ready dict, schema in ``SCHEMA.md``) from ``RunData`` or a journal.

How the figures are derived (the definitions the report's readers need):

- **Time** is the system clock's: simulated seconds on the simulated device, wall seconds on a real
  one. Rates (xruns per hour, MTBF, leak slopes) are per hour of *operation*.
- **Failures** are the system entering ``failed``, a failed recovery, and every broken invariant;
  MTBF = operating time / failure incidents (``null`` with none: the run time is then a lower
  bound), with its confidence interval (``rates.mtbf_interval``: one run's MTBF is one draw).
- **Recovery episodes** begin at ``recovery_started`` (a restart) or ``degraded``, end at
  ``recovery_succeeded``/``recovery_failed`` (``undegraded``). Each is attributed to the latest fault
  that fired at most ``ATTRIBUTION_WINDOW_S`` before it began (else ``unattributed``).
  *Time to detect* = first error the system reported after the fault (else the episode start)
  minus the fault time; *time to recover* = episode end minus fault time; *frames lost* for a
  restart = (episode end - fault time) x sample rate: the audio that was never played. Faults
  that caused no episode were *absorbed* (an xrun counted, a short stall ridden out).
- **Callback durations** are merged from per-checkpoint log-spaced histograms (40 bins per decade,
  ~6 % resolution; the max is exact) when the run journaled them, else taken from the system's
  final metrics (its reservoir of the last 65 536 callbacks).
- **Jitter** is the callback completion jitter: p99 - p50 of callback duration.

Everything above is read off the run's fold (``harness.reports.fold``, ``folded``): a journal is
folded as it is read, a run's lists when its report is built; the figures read the same fold.
"""

from __future__ import annotations

import datetime as _dt
import math
import sys
from collections import defaultdict
from pathlib import Path
from collections.abc import Sequence
from typing import Any

import numpy as np

from system_under_test.blocks import block_ms, block_seconds

from ..histogram import (BIN_FLOOR_S, BINS_PER_DECADE, BUDGET_EDGES, bin_mid, bins_percentiles, merge_bins,
                         percentile_key)
from ..journal import JOURNAL_GLITCHES, JournalData, jsonify, read_journal
from ..leaks import INSIDE_WARMUP, LeakVerdict, judge
from ..leak_lifetimes import lifetimes_rule
from ..verdict import judge_run
from ..fault_outcomes import never_served_count, path_missed, path_unseen
from .fold import (ALLOCATOR_METRICS, ATTRIBUTION_WINDOW_S, HELD_METRICS, LEAK_METRICS, WINDOW_RECORDS_METRIC, EntryFold, NotFoldable, RunFold, SampleFold, episode_out,
                   fold_lists, stream_fold)
from .model import SCHEMA_VERSION, SERIES_COUNTERS, RunData, normalize_verdicts
from .rates import mtbf_interval

__all__ = ["ATTRIBUTION_WINDOW_S", "REPORT_EVENTS", "build_report", "folded", "report_entry",
           "run_data_from_journal"]


def _pcts(values: Sequence[float], qs: tuple[float, ...] = (50, 95)) -> dict[str, float | None]:
    if not values:
        return {**{percentile_key(q): None for q in qs}, "max": None, "count": 0}
    arr = np.asarray(values, dtype=np.float64)
    out: dict[str, Any] = {percentile_key(q): float(np.percentile(arr, q)) for q in qs}
    out["max"] = float(arr.max())
    out["count"] = int(arr.size)
    return out


# -- journal -> RunData ---------------------------------------------------------------------------
#: the recovery events ``build_report`` reads (``_episodes``); a journal keeps others too
#: (attempts, rejected configurations) that no figure of the report reads
REPORT_EVENTS = frozenset({"recovery_started", "recovery_succeeded", "recovery_failed", "degraded", "undegraded"})


#: the fields of a resource sample the report reads (``_leaks``, ``_performance``, the resources
#: figure); a journal's samples also carry wall time, frames and threads of the system, unread
#: (a sample of 10 fields is a dict of 272 bytes, one of 13 of 464: ~6 MB after 8 hours)
REPORT_SAMPLE_KEYS = frozenset({"t", "segment", "cpu_percent", *HELD_METRICS, *LEAK_METRICS, *ALLOCATOR_METRICS,
                                WINDOW_RECORDS_METRIC})


def report_entry(entry: dict[str, Any]) -> dict[str, Any] | None:
    """``entry`` reduced to what ``build_report`` and the figures (``plots``) read of it, or None
    when they read nothing of it: the attach entry whole; a system transition's states and cause;
    a fault start's kind, firing id and firing time; an error's type; a recovery event of
    ``REPORT_EVENTS`` with its cause, reason and attempts. A journal's other entries (fault ends,
    notes, recovery attempts) and other fields (sequence numbers, fault parameters, error
    messages, durations) are most of an 8-hour soak's entries and of the memory they take at its
    end; what is left repeats a few ``data`` dicts, which ``_pooled`` shares."""
    kind = entry.get("type")
    if kind == "attach":
        return entry
    data = entry.get("data")
    data = data if type(data) is dict else {}
    if kind == "transition":
        keep: tuple[str, ...] = ("from_state", "to_state", "cause")
    elif kind == "fault_start":
        keep = ("kind", "firing_id", "fired_at")
    elif kind == "error":
        return {"type": kind, "time": entry.get("time", 0.0), "data": {"type": data.get("type")}}
    elif kind == "event" and entry.get("value") in REPORT_EVENTS:
        keep = ("cause", "reason", "attempts")
    else:
        return None
    out = {k: v for k, v in entry.items() if k != "data"}
    out["data"] = {k: data[k] for k in keep if k in data}
    return out


def run_data_from_journal(journal: JournalData | str | Path, *, report_only: bool = False) -> RunData:
    """Rebuild the run's data from its journal; every gap becomes a ``problems`` line.

    A path is read one checkpoint at a time (``read_journal(on_checkpoint=...)``), each dropped
    once it is used. ``report_only`` (as ``write_reports`` asks): each checkpoint is folded into
    the report's figures as it is read (``RunData.folded``, ``harness.reports.fold``) and its
    entries, samples and glitches are not kept, so the build's memory does not grow with the
    run's length; the report is the same. A journal the fold cannot read exactly
    (``NotFoldable``) is read again keeping of each entry and sample only what the report reads
    (``report_entry``), as before the fold. Without ``report_only``: every entry, sample and
    glitch is kept (``RunData.entries``, ...), the strings its entries repeat shared.
    """
    if report_only and not isinstance(journal, JournalData):
        try:
            return _folded_from_journal(journal)
        except NotFoldable:
            pass
    rd = RunData(kind="soak")
    segments_wall: dict[int, float] = defaultdict(float)
    first_config: list[Any] = []  # the first checkpoint's config (used when the header has none)
    pool: dict[Any, dict[str, Any]] = {}  # one dict per distinct entry ``data`` (report_only)

    def fold(cp: dict[str, Any]) -> None:
        if not first_config and cp.get("config"):
            first_config.append(cp["config"])
        if report_only:
            for e in cp.get("entries") or []:
                kept = report_entry(e)
                if kept is not None:
                    rd.entries.append(_pooled(_shared(kept), pool))
        else:
            rd.entries.extend(_shared(e) for e in cp.get("entries") or [])
        if report_only:
            rd.samples.extend({k: v for k, v in smp.items() if k in REPORT_SAMPLE_KEYS}
                              for smp in cp.get("samples") or [])
        else:
            rd.samples.extend(cp.get("samples") or [])
        rd.glitches.extend(cp.get("glitches") or [])
        rd.chunks.append(_chunk(cp))
        segments_wall[int(cp.get("segment", 0))] += float(cp.get("wall_s", 0.0))

    if isinstance(journal, JournalData):
        j = journal
        for cp in j.checkpoints:
            fold(cp)
    else:
        j = read_journal(journal, on_checkpoint=fold)
    return _from_journal(rd, j, segments_wall, first_config)


def _chunk(cp: dict[str, Any]) -> dict[str, Any]:
    """A checkpoint's measurements: all but its entries, samples, glitches and config."""
    return {k: v for k, v in cp.items() if k not in ("entries", "samples", "glitches", "config")}


def _folded_from_journal(journal: str | Path) -> RunData:
    """``run_data_from_journal(report_only=True)`` of a path: the journal folded as it is read."""
    rd = RunData(kind="soak")
    segments_wall: dict[int, float] = defaultdict(float)
    first_config: list[Any] = []
    chunks, samples, glitches, lookup = stream_fold()
    entries: list[EntryFold] = []  # made at the first checkpoint: it counts time from its start

    def fold(cp: dict[str, Any]) -> None:
        if not first_config and cp.get("config"):
            first_config.append(cp["config"])
        chunks.add(_chunk(cp))
        if not entries:
            entries.append(EntryFold(chunks.start_t, lookup))
        for e in cp.get("entries") or []:
            entries[0].feed(e)
        for smp in cp.get("samples") or []:
            samples.add(smp)
        for g in cp.get("glitches") or []:
            glitches.add(g)
        segments_wall[int(cp.get("segment", 0))] += float(cp.get("wall_s", 0.0))

    j = read_journal(journal, on_checkpoint=fold)
    ef = entries[0] if entries else EntryFold(0.0, lookup)
    rd.folded = RunFold(ef.finish(), chunks, samples, glitches)
    return _from_journal(rd, j, segments_wall, first_config)


def _from_journal(rd: RunData, j: JournalData, segments_wall: dict[int, float],
                  first_config: list[Any]) -> RunData:
    """The run data's header, end and problems from the journal read into it."""
    header = j.header or {}
    rd.kind = str(header.get("kind", "soak"))
    rd.meta = dict(header.get("meta") or {})
    rd.config = header.get("config")
    if rd.config is None and first_config:
        rd.config = first_config[0]
    rd.meta.setdefault("run_id", header.get("run_id"))
    rd.problems = list(j.problems)
    last = j.last_checkpoint
    rd.sim_time_s = float(last["sim_t1"]) if last else 0.0
    rd.wall_time_s = sum(segments_wall.values())
    end = j.end
    if end is not None:
        rd.status = str(end.get("status", "completed"))
        rd.verdicts = normalize_verdicts(end.get("verdicts"))
        rd.final_metrics = end.get("final_metrics")
        rd.audio = (end.get("summary") or {}).get("audio")
        machine = (end.get("summary") or {}).get("machine")
        # the load the run ran under, for its speed (``machine_load``); a resumed soak's wall time
        # spans segments of which the end record saw only the last: its load is not known
        resumed = any(n.get("what") == "resumed" for n in j.notes)
        rd.machine = machine if isinstance(machine, dict) and not resumed else None
        # the process's CPU time over the run (for its speed per CPU second), likewise only the
        # last segment's in a resumed soak: kept only when it spans the whole soak
        cpu = (end.get("summary") or {}).get("cpu")
        rd.cpu = cpu if isinstance(cpu, dict) and not resumed else None
        losses = (end.get("summary") or {}).get("device_losses")
        if isinstance(losses, dict):
            rd.meta["device_losses"] = losses
        end_faults = (end.get("summary") or {}).get("faults") or {}
        if isinstance(end_faults.get("outcomes"), dict):
            rd.meta["fault_outcomes"] = end_faults["outcomes"]
        if isinstance(end_faults.get("path_missed"), dict):
            rd.meta["path_missed"] = end_faults["path_missed"]
        if isinstance(end_faults.get("path_unseen"), dict):
            rd.meta["path_unseen"] = end_faults["path_unseen"]
        unfired = end_faults.get("scheduled_unfired")
        if isinstance(unfired, dict) and unfired:
            rd.meta["faults_unfired"] = unfired
            if isinstance(end_faults.get("unfired_why"), dict):
                rd.meta["faults_unfired_why"] = end_faults["unfired_why"]
        rd.scenarios = list(end.get("scenarios") or [])
        if end.get("sim_t") is not None:
            rd.sim_time_s = float(end["sim_t"])
        if end.get("wall_s_total") is not None:
            rd.wall_time_s = float(end["wall_s_total"])
    else:
        rd.status = "partial"
        requested = header.get("duration_s")
        rd.problems.append(
            f"the run did not finish: report covers {rd.sim_time_s:.1f} s"
            + (f" of the requested {requested:.1f} s" if isinstance(requested, (int, float)) else "")
            + "; invariant verdicts and final metrics are missing")
    if not j.checkpoint_count and not j.checkpoints:
        rd.problems.append("no checkpoint in the journal: no measurements to report")
    # what the run found wrong with its configuration at its start (``runner.absent_fallbacks``):
    # journaled as it was found (a soak killed before its end record still has it), and in the
    # end record's summary; each once, in order (a resumed soak's replay finds them again)
    warnings = [n.get("warning") for n in j.notes if n.get("what") == "config_warning"]
    warnings += list(((end or {}).get("summary") or {}).get("config_warnings") or ())
    if warnings:
        rd.meta["config_warnings"] = list(dict.fromkeys(str(w) for w in warnings if w))
    # the soak's live checks (``soak._Recorder.live_record``): the end's record, else (a soak that
    # did not finish) the breaks its journal noted as they were seen
    live = (end or {}).get("live")
    if not isinstance(live, dict):
        breaks = [{k: n.get(k) for k in ("name", "sim_t", "segment", "message", "clock") if k in n}
                  for n in j.notes if n.get("what") == "invariant_broke"]
        live = {"clock": None, "breaks": breaks, "partial": True} if breaks else None
    if live is not None:
        rd.meta["live_checks"] = live
    resumes = resumes_noted(j.notes)
    if resumes:
        rd.meta["resumed"] = resumes
    return rd


def resumes_noted(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A journal's ``resumed`` notes as the report reads them (what ``_leaks``' ``resumes`` takes)."""
    return [{k: note.get(k) for k in ("at_checkpoint", "sim_t", "wall_time", "mode", "verified")}
            for note in notes if note.get("what") == "resumed"]


def folded(rd: RunData) -> RunFold:
    """``rd``'s fold: the one read from its journal, else its lists folded (once: kept on ``rd``
    for the figures, which read the same fold as the report)."""
    if rd.folded is None:
        rd.folded = fold_lists(rd.entries, rd.chunks, rd.samples, rd.glitches)
    return rd.folded


def _pooled(entry: dict[str, Any], pool: dict[Any, dict[str, Any]]) -> dict[str, Any]:
    """The entry with its ``data`` replaced by the equal one already kept, when there is one.

    Most of a soak's report entries repeat a few ``data`` dicts (an error's type; a transition's
    states and cause; a recovery event's cause): shared, and with the fields ``report_entry``
    drops, a 1-hour soak's entries take 9.5 MiB instead of 15.0 (~313 000 entries after 8 hours).
    Only ``data`` of flat, hashable values is shared, keyed with each value's type (``1``,
    ``1.0`` and ``True`` are equal keys but print differently); the report's readers never change
    an entry."""
    data = entry.get("data")
    if type(data) is dict:
        try:
            key = (entry.get("type"), tuple((k, type(v), v) for k, v in data.items()))
            entry["data"] = pool.setdefault(key, data)
        except TypeError:  # a nested value (a fault's params): kept as it is
            pass
    return entry


def _shared(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry with its short repeated strings interned (one object per distinct string)."""
    for k in ("type", "value"):
        v = entry.get(k)
        if type(v) is str and len(v) <= 64:
            entry[k] = sys.intern(v)
    data = entry.get("data")
    if type(data) is dict:
        for k, v in data.items():
            if type(v) is str and len(v) <= 64:
                data[k] = sys.intern(v)
    return entry


# -- the report -----------------------------------------------------------------------------------
def build_report(rd: RunData, *, run_dir: str | Path | None = None) -> dict[str, Any]:
    fold = folded(rd)
    ef, chunks = fold.entries, fold.chunks
    sim_t = float(rd.sim_time_s if rd.sim_time_s is not None else (ef.max_t if ef.max_t is not None else 0.0))
    start_t = chunks.start_t if chunks.count else 0.0
    span = max(sim_t - start_t, 0.0)
    hours = span / 3600.0 if span > 0 else None
    counters = _final_counters(rd, fold)
    stream = (rd.config or {}).get("stream") or {}
    sample_rate = int(stream.get("sample_rate") or 48_000)
    block = int(stream.get("block_size") or 0) or None
    budget = block_seconds(block, sample_rate) if block else None
    missing: list[str] = list(rd.problems)

    verdicts = rd.verdicts
    failures = _failures(ef.entered_failed, verdicts)
    incidents = ef.incidents.summary()
    n_incidents = incidents["incident_count"]
    # a resumed soak's lifetimes read by the rule its resumes give (``harness.leak_lifetimes``)
    leaks = _leaks(fold.samples, rd.meta.get("resumed"))
    if not fold.samples.n:
        missing.append("no resource samples: leak slopes not computed")
    if not verdicts:
        missing.append("no invariant verdicts were recorded")

    # what each kind's firings became, as the run's summary read them from the whole history (the
    # report's entries are compacted: an error's type and the metrics samples are not kept)
    fault_outcomes = rd.meta.get("fault_outcomes") if isinstance(rd.meta.get("fault_outcomes"), dict) else {}
    stability = {
        "sim_time_s": sim_t - start_t if start_t else sim_t,
        "wall_time_s": rd.wall_time_s,
        "faults_injected": ef.faults,
        "faults_by_type": dict(sorted(ef.faults_by_kind.items())),
        # kind -> what its firings became as the system saw them (``harness.fault_outcomes``)
        "fault_outcomes": fault_outcomes,
        # every FAILED entry of every component and every violated invariant (the detail), and
        # the incidents they make up (the count a user means: ``harness.reports.incidents``)
        "failures": failures,
        "failure_count": len(failures),
        **incidents,
        "mtbf_s": (span / n_incidents) if n_incidents and span > 0 else None,
        # one run's MTBF is one draw: its interval says how far the system's could be from it
        "mtbf_interval_s": mtbf_interval(n_incidents, span),
        "mtbf_note": None if n_incidents else (f"no failure incident in {span:.1f} s: MTBF is at least the run time"
                                               if span else "no operating time"),
        "time_in_state_s": ef.time_in_state(sim_t),
        "xruns": counters.get("xruns"),
        "xruns_per_hour": (counters["xruns"] / hours) if hours and "xruns" in counters else None,
        "errors_by_type": dict(sorted(ef.errors_by_type.items())),
        "invariants": verdicts,
        "invariants_broken": sorted({v["name"] for v in verdicts if not v["ok"]}),
        "leaks": {k: v.to_dict() for k, v in leaks.items()},
        "leaks_found": sorted(k for k, v in leaks.items() if v.leak),
        # growth the window cannot call bounded or a leak (e.g. still slowing at the end): a
        # verdict of its own, never folded into "no leak"
        "leaks_inconclusive": sorted(k for k, v in leaks.items() if v.inconclusive),
        "counters": counters,
        # a soak's live checks: the clock, what they judged and not, each first break (None: none ran)
        "live": rd.meta.get("live_checks"),
    }
    # A soak promises a leak judgement (its exit 0 says "no leak"): a metric it had too few samples
    # to judge (a soak of seconds) or a soak with no sample at all is a judgement that could not
    # run, a doubt, never counted as "no leak". A run promises no leak judgement: its slopes are
    # judged when there are enough samples and said nothing of otherwise.
    by_reason: dict[str, list[str]] = {}
    for k in sorted(leaks):
        if rd.kind == "soak" and leaks[k].verdict == "insufficient_data":
            by_reason.setdefault(leaks[k].reason, []).append(k)
    # a soak whose every lifetime lay inside its warm-up is told to resume less often (its reason says
    # so, ``harness.leaks.INSIDE_WARMUP``): a longer soak only lengthens the warm-up
    unjudged = [f"{', '.join(names)} not judged ({reason}{'' if reason.startswith(INSIDE_WARMUP) else '; soak longer'})"
                for reason, names in by_reason.items()]
    if rd.kind == "soak" and not fold.samples.n:
        unjudged.append("no resource was sampled (soak longer than one --chunk)")
    performance = _performance(rd, fold, counters, budget, block, sample_rate, sim_t, start_t)
    recovery = _recovery(ef, rd, run_dir, sample_rate)
    if not chunks.count and rd.final_metrics is None:
        missing.append("no metrics: performance figures are missing")
    elif performance["callback_duration_source"] is None:
        missing.append("callback durations were not recorded by this run: performance percentiles are missing")

    wanted = rd.meta.get("faults_wanted")
    # the run's own judgement of the paths (its fold knew which firings could reach theirs), or
    # for a summary that kept none, one read from the outcomes alone
    missed = rd.meta["path_missed"] if isinstance(rd.meta.get("path_missed"), dict) else path_missed(fault_outcomes)
    unseen = rd.meta["path_unseen"] if isinstance(rd.meta.get("path_unseen"), dict) else path_unseen(fault_outcomes)
    verdict = judge_run(verdicts, path_missed=missed, path_unseen=unseen,
                        faults_never_served=never_served_count(fault_outcomes),
                        status="completed" if rd.status == "completed" else
                        ("crashed" if rd.status == "failed" else rd.status),
                        leaks=[_with_rule(k, leaks[k]) for k in stability["leaks_found"]],
                        faults_wanted=bool(wanted), lost=rd.problems,
                        leaks_unsure=[f"{_with_rule(k, leaks[k])} ({leaks[k].shape}: {leaks[k].reason})"
                                      for k in stability["leaks_inconclusive"]] + unjudged,
                        faults_injected=ef.faults, gates=rd.gates, steady=rd.steady_state,
                        faults_skipped=rd.meta.get("faults_skipped"), not_started=rd.meta.get("not_started"),
                        device_losses=rd.meta.get("device_losses"), unfired=rd.meta.get("faults_unfired"),
                        unfired_why=rd.meta.get("faults_unfired_why"),
                        mostly_refused=rd.meta.get("faults_mostly_refused"), delivery_held=rd.meta.get("delivery_held"),
                        not_applicable=rd.meta.get("faults_not_applicable"),
                        notes=[str(w) for w in rd.meta.get("config_warnings") or ()] + _lifetimes_notes(leaks),
                        subject="expectations" if rd.kind == "scenario" else "invariants")
    meta = dict(rd.meta)
    meta.pop("live_checks", None)  # the report's ``stability.live``
    report = {
        "schema_version": SCHEMA_VERSION,
        "kind": rd.kind,
        "generated_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "run": {**meta, "status": rd.status, "config": rd.config, "history_path": rd.history_path},
        "verdict": verdict.to_dict(),
        "completeness": {"complete": rd.status == "completed" and not missing, "missing": missing},
        "stability": stability,
        "performance": performance,
        "recovery": recovery,
        "glitches": _glitches(rd, fold),
        "timeline": _timeline(rd, fold),
    }
    return jsonify(report)


def _glitches(rd: RunData, fold: RunFold) -> dict[str, Any]:
    """The audio damage: from the run's audio check when it listened (``summary.audio``), else the
    glitches journaled per checkpoint (a soak that did not finish), else nothing heard."""
    audio = rd.audio or {}
    if audio.get("analysed"):
        g = audio.get("glitches") or {}
        out = audio.get("outside") or {}
        win = audio.get("windows") or {}
        return {"analysed": True, "source": "audio check of the device output (harness.audio_check)",
                "count": g.get("total", 0), "by_kind": g.get("by_kind") or {},
                "by_window": g.get("by_window") or {},
                "outside": out.get("glitches", 0), "outside_by_kind": out.get("by_kind") or {},
                "outside_items": out.get("items") or [], "outside_accounting": out.get("accounting") or [],
                "frames": audio.get("frames"), "signal": audio.get("signal"),
                "settle_margin_s": audio.get("settle_margin_s"),
                "windows_by_label": win.get("by_label") or {}, "windows": win.get("items") or [],
                "windows_total": win.get("total", 0), "inconsistent": win.get("inconsistent") or [],
                "items": g.get("items") or []}
    journaled = fold.glitches
    if journaled.count:
        listed = (f"; {journaled.left_out} of the {journaled.count} counted but not listed one by one (a checkpoint "
                  f"lists at most {JOURNAL_GLITCHES})" if journaled.left_out else "")
        return {"analysed": True, "source": f"glitches journaled per checkpoint (no final audio summary){listed}",
                "count": journaled.count, "by_kind": dict(journaled.by_kind), "items": list(journaled.items),
                "left_out": journaled.left_out}
    return {"analysed": False, "count": None, "by_kind": {}, "items": [],
            "source": audio.get("reason") or "the run did not analyse its audio"}


def _final_counters(rd: RunData, fold: RunFold) -> dict[str, int]:
    if rd.final_metrics and rd.final_metrics.get("counters"):
        return dict(rd.final_metrics["counters"])
    if fold.chunks.count and fold.chunks.last_counters:
        return dict(fold.chunks.last_counters)
    return {}


def _failures(entered_failed: list[dict[str, Any]], verdicts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = [dict(f) for f in entered_failed]
    for v in verdicts:
        if not v["ok"]:
            out.append({"time": v.get("time"), "kind": "invariant", "invariant": v["name"],
                        "message": v["message"]})
    # a FAILED state is usually also an invariant's violation: name it where the times agree
    for f in out:
        if f["kind"] == "entered_failed":
            for v in verdicts:
                vt = v.get("time")
                if not v["ok"] and isinstance(vt, (int, float)) and abs(vt - f["time"]) < 1e-6:
                    f["invariant"] = v["name"]
    return out


def _with_rule(metric: str, v: LeakVerdict) -> str:
    """A leak verdict's metric as the verdict names it: with the rule that read a resumed soak's
    lifetimes (``lifetimes_rule``), where one did."""
    return f"{metric} (lifetimes {v.lifetimes_rule})" if v.lifetimes_rule else metric


def _lifetimes_notes(leaks: dict[str, LeakVerdict]) -> list[str]:
    """The note that says how a resumed soak's leak verdicts read its lifetimes, each rule with its
    metrics (none for a soak of one lifetime): a PASS names the rule as a FAIL's clause does."""
    by_rule: dict[str, list[str]] = {}
    for k, v in leaks.items():
        if v.lifetimes_rule:
            by_rule.setdefault(v.lifetimes_rule, []).append(k)
    if not by_rule:
        return []
    return [LIFETIMES_NOTE + "; ".join(f"{rule}: {', '.join(names)}" for rule, names in sorted(by_rule.items()))]


#: the start of the verdict's note naming the rule that read a resumed soak's lifetimes
LIFETIMES_NOTE = "a resumed soak's leak verdicts read its lifetimes "


def _leaks(samples: SampleFold | list[dict[str, Any]], resumes: list[dict[str, Any]] | None = None
           ) -> dict[str, Any]:
    """Each judged series' leak verdict (``harness.leaks.judge``) over the samples' columns; the
    process's RSS with the bytes bounded logs hold taken out (``HELD_METRICS``: the system's logs,
    the history's window), summed over the held series every sample carries: one a resumed
    soak's older segments lack is left out whole, never used for some samples only; and beside the
    RSS the allocators' bytes in use (``ALLOCATOR_METRICS``: malloc's, pymalloc's), each where every
    sample carries it, with the history window's entries (``WINDOW_RECORDS_METRIC``) for pymalloc's.
    ``resumes``: the journal's ``resumed`` notes, which say how a resumed soak's lifetimes are read
    (``harness.leak_lifetimes``: one series where every resume replayed and the soak and its level
    steps allow it, else each apart, the rule named in each verdict); None (a soak of one
    lifetime, or a caller without the journal): each lifetime apart, with no rule named."""
    fold = samples if isinstance(samples, SampleFold) else SampleFold(samples)
    if not fold.n:
        return {}
    held = None
    for m in HELD_METRICS:
        if m in fold.present:
            col = np.frombuffer(fold.values[m], dtype=np.float64)
            if np.isfinite(col).all():
                held = col.copy() if held is None else held + col
    in_use, pymalloc = (np.frombuffer(fold.values[m], dtype=np.float64) if m in fold.present else None
                        for m in ALLOCATOR_METRICS)
    window = (np.frombuffer(fold.values[WINDOW_RECORDS_METRIC], dtype=np.float64)
              if WINDOW_RECORDS_METRIC in fold.present else None)
    allocators = {"in_use": in_use, "pymalloc": pymalloc, "window_records": window}
    rule = lifetimes_rule(resumes)
    return {m: judge(m, fold.t, fold.values[m], groups=fold.segment, held=held if m == "rss_bytes" else None,
                     lifetimes=rule, **(allocators if m == "rss_bytes" else {}))
            for m in LEAK_METRICS if m in fold.present}


def _performance(rd: RunData, fold: RunFold, counters: dict[str, int], budget: float | None, block: int | None,
                 rate: int, sim_t: float, start_t: float) -> dict[str, Any]:
    chunks = fold.chunks
    source = None
    cb: dict[str, Any] = {"count": None, "p50": None, "p99": None, "p99_9": None, "max": None, "mean": None}
    merged: dict[int, int] = {}
    run_cb = rd.callbacks or {}
    if chunks.with_cb:
        merged = dict(chunks.bins)
        cb.update(bins_percentiles(merged))
        cb["count"] = sum(merged.values())
        cb["max"] = chunks.cb_max
        cb["mean"] = chunks.cb_sum / cb["count"] if cb["count"] else None
        source = "journal histograms (all callbacks, ~6% bins, exact max)"
    elif run_cb.get("count") and (run_cb.get("histogram") or {}).get("bins"):
        merged = merge_bins([run_cb["histogram"]["bins"]])
        cb.update({k: run_cb.get(k) for k in ("count", "p50", "p99", "p99_9", "max", "mean")})
        source = "run summary (all callbacks, folded every chunk, ~6% bins, exact max)"
    elif rd.final_metrics and "callback_duration_s" in (rd.final_metrics.get("histograms") or {}):
        h = rd.final_metrics["histograms"]["callback_duration_s"]
        cb.update(count=h.get("count"), p50=h.get("p50"), p99=h.get("p99"), p99_9=h.get("p99.9"),
                  max=h.get("max"), mean=h.get("mean"))
        source = "system metrics (last 65536 callbacks; max over all)"
    share = {k: (cb[k] / budget if (budget and cb.get(k) is not None) else None)
             for k in ("p50", "p99", "p99_9", "max", "mean")}
    cpu = fold.samples.cpu
    gauges = (rd.final_metrics or {}).get("gauges") or {}
    stream = (rd.config or {}).get("stream") or {}
    latency_ms = gauges.get("latency_ms") or (block_ms(block, rate) if block else None)
    span = max(sim_t - start_t, 0.0)
    run_cpu = rd.cpu or {}
    hours = span / 3600.0
    return {
        "sample_rate": rate, "block_size": block, "block_budget_s": budget,
        "callback_duration_s": cb, "callback_duration_source": source,
        "callback_histogram": {"bins_per_decade": BINS_PER_DECADE, "floor_s": BIN_FLOOR_S,
                               "bins": {str(k): v for k, v in sorted(merged.items())}} if merged else None,
        "budget_histogram": _budget_histogram(merged, budget),
        "budget_share": share,
        "xruns_per_hour": (counters["xruns"] / hours) if hours and "xruns" in counters else None,
        "budget_overruns": counters.get("budget_overruns"),
        "callbacks": counters.get("callbacks"),
        "cpu": {"callback_load_mean": share["mean"], "callback_load_p99": share["p99"],
                "process_cpu_percent_mean": float(np.mean(cpu)) if cpu else run_cpu.get("process_cpu_percent"),
                "process_cpu_percent_max": float(np.max(cpu)) if cpu else run_cpu.get("process_cpu_percent_max"),
                "process_cpu_s": run_cpu.get("process_cpu_s")},
        "latency_ms": latency_ms,
        "configured_latency_ms": stream.get("latency_ms"),
        "jitter_ms": (1000 * (cb["p99"] - cb["p50"])) if cb["p99"] is not None and cb["p50"] is not None else None,
        "speed_x_realtime": (span / rd.wall_time_s) if rd.wall_time_s else None,
        # operating time per second of the process's CPU (user + sys): what the neighbours' load
        # leaves alone, where the wall speed is theirs as much as the system's (None without it)
        "speed_x_cpu": _per_cpu_s(span, run_cpu.get("process_cpu_s")),
        # the load it ran under (a run's summary; None for soaks and older runs): compare needs it to judge the speed
        "machine": rd.machine,
    }


def _per_cpu_s(span: float, cpu_s: Any) -> float | None:
    """Operating seconds per CPU second, or None when the CPU time is missing or not positive."""
    if isinstance(cpu_s, bool) or not isinstance(cpu_s, (int, float)) or not cpu_s > 0 or not span > 0:
        return None
    return span / float(cpu_s)


def _budget_histogram(bins: dict[int, int], budget: float | None) -> list[dict[str, Any]] | None:
    """Callbacks per share of the block budget (``le_share`` edges ``BUDGET_EDGES``, then over
    the last), from the log histogram: a bin counts where its middle falls (~6 % resolution)."""
    if not bins or not budget:
        return None
    counts = [0] * (len(BUDGET_EDGES) + 1)
    edges = np.asarray(BUDGET_EDGES) * budget
    for k, v in bins.items():
        counts[int(np.searchsorted(edges, bin_mid(k), side="left"))] += v
    return [{"le_share": e, "count": c} for e, c in zip(BUDGET_EDGES, counts)] + \
        [{"le_share": None, "count": counts[-1]}]


def _recovery(ef: EntryFold, rd: RunData, run_dir: str | Path | None, rate: int) -> dict[str, Any]:
    by_type: dict[str, dict[str, Any]] = {}
    eps = ef.episodes
    injected = ef.faults_by_kind
    absorbed = ef.lookup.absorbed()
    kinds = sorted(set(injected) | set(eps.by_kind))
    for kind in kinds:
        st = eps.by_kind.get(kind)
        count, ok, failed = (st.count, st.recovered, st.failed) if st is not None else (0, 0, 0)
        lost = [int(round(s * rate)) for s in st.lost_s] if st is not None else []
        by_type[kind] = {
            "faults": injected.get(kind, 0),
            "absorbed": absorbed.get(kind, 0),
            "episodes": count,
            "recovered": ok,
            "failed": failed,
            "unfinished": st.unfinished if st is not None else 0,
            "recovered_share": (ok / (ok + failed)) if ok + failed else None,
            "time_to_detect_s": _pcts(st.detect_s if st is not None else []),
            "time_to_recover_s": _pcts(st.recover_s if st is not None else []),
            "frames_lost": {**_pcts([float(x) for x in lost]), "total": int(sum(lost))},
        }
    exported = {s.get("firing_id") or s.get("start_t"): s for s in rd.scenarios}
    failed_out = []
    for item in eps.failed:
        ep = episode_out(item, rate)
        key = ep["firing_id"] or ep["start_t"]
        scen = exported.get(key) or rd.replay or _replay_note(rd, run_dir)
        failed_out.append({**ep, "scenario": scen.get("path"), "scenario_note": scen.get("note")})
    return {
        "attribution_window_s": ATTRIBUTION_WINDOW_S,
        "episodes_total": eps.total,
        "recovered_total": eps.recovered,
        "failed_count": len(eps.failed),
        "by_fault_type": by_type,
        "failed": failed_out,
        "episodes": [episode_out(item, rate) for item in eps.kept],
        "episodes_truncated": eps.total > len(eps.kept),
    }


def _replay_note(rd: RunData, run_dir: str | Path | None) -> dict[str, Any]:
    """No replay file was exported for this episode (a driver lists those in ``rd.scenarios``): say
    how to make one. The report renders what the run recorded; it runs no scenario itself."""
    if not any(not v.get("ok") and v.get("name") != "run_completed" for v in rd.verdicts):
        return {"path": None, "note": "nothing to replay: the run held every invariant (this recovery "
                                      "failed and the system handled it as its policy says)"}
    rerun = f"rerun with seed {rd.meta.get('seed')} and profile {rd.meta.get('profile')}"
    if rd.kind != "run":
        return {"path": None, "note": f"no replay scenario was exported; {rerun}"}
    history = Path(run_dir) / "history.jsonl" if run_dir else Path("history.jsonl")
    return {"path": None, "note": f"no replay scenario was exported; make one with `soundcheck scenario "
                                  f"from-history {history} -o scenarios/sim/NAME.toml`, or {rerun}"}


def _timeline(rd: RunData, fold: RunFold) -> list[dict[str, Any]]:
    """Per checkpoint: time, xruns and callback duration percentiles (the plots' data); for a run
    (no checkpoints), per metrics snapshot of its history: counter deltas, no percentiles."""
    series: list[dict[str, Any]] = []
    for point in rd.counter_series:  # snapshots at one instant: the latest counts
        if series and point["t"] <= series[-1]["t"]:
            series[-1] = {**point, "t": series[-1]["t"]}
        else:
            series.append(point)
    if not fold.chunks.count and len(series) > 1:
        rows = []
        for prev, cur in zip(series, series[1:]):
            row: dict[str, Any] = {"t0": prev["t"], "t": cur["t"], "segment": 0}
            for name in SERIES_COUNTERS:
                if name in cur:
                    before = prev.get(name, 0)
                    row[name] = cur[name] - before if cur[name] >= before else cur[name]
            rows.append(row)
        return rows
    return list(fold.chunks.rows)


def _isfinite(x: Any) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)
