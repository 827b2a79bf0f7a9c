"""Overnight soaks: a long ``ReliabilityRun`` that journals checkpoints, samples resources, resumes.

A soak is a ``harness.runner.ReliabilityRun`` (same system, backend, fault schedule,
history, invariants) with an ``on_chunk`` hook that, every chunk (1 s of run time by default),
samples resources (``harness.leaks.ResourceSampler``) and folds new callback durations into a
log-binned histogram, and every checkpoint interval (60 s by default) writes one fsync'ed journal
line (``harness.journal``) with everything since the previous checkpoint: the compacted history
entries, the samples, the histogram, the counters and a *digest* of the deterministic state.

Crash safety and ``--resume`` (the choice, and why):

- A ``kill -9`` loses at most the checkpoint interval that was running: every earlier checkpoint
  is a complete, checksummed line on disk.
- **Simulated device: deterministic replay.** The whole run is a function of (seed, config, fault
  schedule, durations): the virtual clock, the simulated device and the seeded injector make it
  so. ``--resume`` re-creates the run from the journal's header and re-runs it from t=0 *without
  journaling* up to the last checkpoint, checks that the state digest there equals the journaled
  one, and then carries on journaling. The resumed run is therefore the *same* run an
  uninterrupted soak would have been (one long-lived system, so leaks that build up across the
  whole night are still seen), not a patchwork of fresh systems. Replay costs time (at most the
  run so far, at full simulation speed: minutes for a night); a digest mismatch is recorded in the
  journal and the report, and the run continues. The digest leaves out the wall-clock-derived
  counters (``xruns`` and ``budget_overruns`` count callbacks that took longer than their budget
  in *wall* time, which depends on the machine's load).
- **Real devices: continuation.** Real time cannot be replayed, so ``--resume`` starts a new
  *segment*: a fresh system for the remaining time, with a fault schedule seeded by
  ``(seed, segment)``. Samples carry their segment, and leak slopes are fitted within segments.

Ctrl-C / SIGTERM ask the runner to stop after the current chunk; the run then ends normally
(stopped, closed, invariants checked, journal ``end`` record with status ``interrupted``) and
the reports are written.
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import numpy as np

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .blas import one_blas_thread
from .compose import derive_seed
from .durations import MAX_RUN_S, MIN_CHUNK_S
from .errors import UsageError
from .faults import PROFILES
from .histogram import BINS_PER_DECADE, cb_bins
from .inputs import read_text, validation_message
from .journal import JOURNAL_NAME, JournalError, JournalWriter, compact_entry, jsonify, read_journal
from .runfolder import LOCK_NAME, RunFolder, RunFolderLock, refuse_a_folder_in_use, remove_refused_run
from .sut_protocol import SystemChoice, load_system
from .held_caches import HarnessHeld
from .invariants import LIVE_READS_APART, LiveChecker
from .leaks import ResourceSampler
from .runner import (RunSpec, check_device, check_holds_a_block, check_rig_realtime, new_run_dir, note_verdict,
                     profile_for, write_summary_verdict)
from .verdict import RunVerdict

__all__ = ["LIVE_EVERY_S", "SoakResult", "SoakRunner", "SoakSpec", "state_digest", "with_live_breaks"]

#: counters that depend on wall time (callback duration vs budget), left out of the digest
NONDETERMINISTIC_COUNTERS = frozenset({"xruns", "budget_overruns"})


@dataclass
class SoakSpec:
    duration_s: float = 8 * 3600.0
    backend: str = "sim"
    seed: int = 1
    faults: str = "default"
    config: dict[str, Any] | None = None
    device: str | None = None
    run_dir: Path | None = None
    report_root: Path = Path("reports")
    checkpoint_s: float = 60.0
    chunk_s: float = 1.0
    #: at most this many times real time on the simulated device (None: as fast as possible)
    pace: float | None = None
    metrics_every_s: float = 60.0
    #: ``--system module:factory`` (None: the shipped ``AudioSystem``); the journal keeps it, so
    #: ``--resume`` runs the same system
    system: str | None = None
    #: ``--program FILE.wav`` played instead of the test sine (None: the sine); the journal keeps
    #: its path, so ``--resume`` plays it again (and refuses, exit 2, if it is gone)
    program: Path | None = None
    #: ``--rig-realtime``: the JACK rig's server runs realtime (``RunSpec.rig_realtime``); the
    #: journal keeps it, so ``--resume`` starts the same rig
    rig_realtime: bool = False

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["run_dir"] = str(self.run_dir) if self.run_dir else None
        d["report_root"] = str(self.report_root)
        if self.program is None:
            del d["program"]  # a sine soak's journal header stays as it was
        else:
            d["program"] = str(self.program)
        if not self.rig_realtime:
            del d["rig_realtime"]  # likewise a soak on the default rig's, or on no rig
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], *, source: str | os.PathLike[str] = "<journal>") -> "SoakSpec":
        """The spec a journal header recorded, validated (``SoakSpecRecord``): a header whose spec
        is missing or damaged is refused (exit 2), never resumed as a default 8-hour soak."""
        try:
            rec = SoakSpecRecord.model_validate(d)
        except ValidationError as exc:
            raise JournalError(source, "the journal header's run spec is not valid: "
                                       f"{validation_message(exc)}; this journal cannot be resumed") from None
        known = rec.model_dump()
        for key in ("run_dir", "report_root", "program"):
            if known.get(key) is not None:
                known[key] = Path(known[key])
        return cls(**known)


class SoakSpecRecord(BaseModel):
    """``SoakSpec`` as a journal header stores it; every field the run depends on is required."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    duration_s: float = Field(gt=0, le=MAX_RUN_S)
    backend: Literal["sim", "jack", "portaudio"]
    seed: int = Field(ge=0)
    faults: str = Field(min_length=1, max_length=4096)
    config: dict[str, Any] | None = None
    device: str | None = Field(None, max_length=256)
    run_dir: str | None = None
    report_root: str = "reports"
    checkpoint_s: float = Field(ge=MIN_CHUNK_S, le=86_400)
    chunk_s: float = Field(ge=MIN_CHUNK_S, le=86_400)
    pace: float | None = Field(None, ge=0, le=1e6)
    metrics_every_s: float = Field(60.0, gt=0, le=86_400)
    system: str | None = Field(None, min_length=3, max_length=512)
    program: str | None = Field(None, min_length=1, max_length=4096)
    rig_realtime: bool = False


@dataclass
class SoakResult:
    run_dir: Path
    status: str
    verdict: RunVerdict
    report_paths: dict[str, Any] = field(default_factory=dict)
    checkpoints: int = 0
    resumed_from: int | None = None
    digest_verified: bool | None = None
    wall_s: float = 0.0
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.verdict.ok

    @property
    def exit_code(self) -> int:
        return self.verdict.exit_code


def _counter_values(system: Any, now: float) -> dict[str, Any]:
    """``system.monitoring.snapshot(now).counters``. For the system's own ``MonitoringCoordinator``
    the counters are read as its snapshot reads them, without the snapshot's histogram summaries
    (a copy and four percentiles of each histogram's 65 536-sample ring: ~1.4 ms each once the
    callback histograms are full, twice a checkpoint); any other registry is asked for its snapshot."""
    from system_under_test import MonitoringCoordinator  # noqa: PLC0415 - loaded with the system by now

    monitoring = system.monitoring
    if type(monitoring) is MonitoringCoordinator:
        return {n: c.value for n, c in monitoring.counters.items()}
    return monitoring.snapshot(now).counters


def state_digest(system: Any, faults_fired: int) -> str:
    """A digest of the deterministic state: clock, lifecycle, counters, frame accounts, faults."""
    counters = {k: v for k, v in _counter_values(system, system.clock.now()).items()
                if k not in NONDETERMINISTIC_COUNTERS}
    doc = {"t": round(system.clock.now(), 9), "state": system.state.value, "counters": counters,
           "frames": system.frame_accounts().to_dict(), "faults": faults_fired,
           "live": len(system.resources.live())}
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:16]


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                             timeout=5, cwd=Path(__file__).resolve().parent)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


#: simulated seconds between a soak's live checks (and one at its last chunk). Each check judges
#: the recovery windows and the history's end again (~4-5 ms at a 1 s chunk): checked at every
#: chunk they cost a 1-hour soak ~10.5 s of CPU (32.4-33.0 s against 21.3-22.6 s without,
#: bench/RESULTS.md); every 10 s, a tenth of that, and a first break is timed within 10 s
LIVE_EVERY_S = 10.0

#: what a live check cannot judge on a real clock, and why (``_Recorder._check_live``): each is
#: judged at the soak's end as a run's is
REAL_CLOCK_UNJUDGED = {
    "recoveries_counted": "on a real clock the live counter may be read between a recovery's count and its "
                          "event: judged at the end",
    "recovered_device": "a real device's losses are observed after the fact: judged at the end",
    "stalls_counted": "on a real clock the live counter may be read between a stall's count and its report: "
                      "judged at the end",
    "errors_counted": "on a real clock the live counters may be read between an error's count and its report: "
                      "judged at the end",
    "recoveries_timed": "on a real clock the live metrics may be read between a recovery's count and its timing: "
                        "judged at the end, on the closed system",
    "callbacks_timed": "on a real clock the live metrics may be read between a callback's count and its timing "
                       "(a torn-down stream's even after close): not judged at the end either",
    "callback_errors_in_a_row": "on a real clock more callbacks may run before an error is routed, so the count "
                                "it tells is not that of its callback: not judged at the end either",
    "starved_input": "a real clock's entries may be recorded after the time they tell (an outage observed late, "
                     "a stall reported from the supervisor's thread): a starved stretch past its bound at a check "
                     "may yet be answered by a later entry: judged at the end",
    "timers_let_go": "a real clock's timers are the supervisor thread's heap, which no watch reads: not judged at "
                     "the end either",
}


class _Recorder:
    """The ``on_chunk`` hook: samples every chunk, journals every checkpoint, replays on resume."""

    def __init__(self, soak: "SoakRunner", journal: JournalWriter, *, segment: int, t_offset: float,
                 replay_until: int, expected_digest: str | None, wall_offset: float) -> None:
        self.soak = soak
        self.spec = soak.spec
        self.journal = journal
        self.segment = segment
        self.t_offset = t_offset
        self.replay_until = replay_until  # checkpoints < this are replayed, not journaled
        self.expected_digest = expected_digest
        self.digest_verified: bool | None = None
        self.sampler = ResourceSampler(allocator=soak.spec.backend == "sim")  # the system runs in this process
        self.index = 0
        self.hist_pos = 0
        self.cb_count = 0
        self.cb_bins: Counter[int] = Counter()
        self.cb_max = 0.0
        self.cb_sum = 0.0
        self.cb_n = 0
        self.samples: list[dict[str, Any]] = []
        #: the run's history, whose window of entries in memory is sampled as a bounded log
        #: (``History.bounded_logs``); set at each chunk, before the sample
        self.history: Any = None
        #: the run's fault injector, whose newest firings in memory are sampled as a bounded log
        #: (``FaultInjector.bounded_logs``); set at each chunk, as the history is
        self.faults: Any = None
        self.chunk_t0 = 0.0
        self.wall0 = time.perf_counter()
        self.chunk_wall0 = self.wall0
        self.wall_offset = wall_offset
        self.pace_t0: float | None = None
        self.pace_wall0 = 0.0
        self.next_cp: float | None = None
        self.faults_fired = 0
        self.last_config: dict[str, Any] | None = None
        #: the invariants checked every ``LIVE_EVERY_S`` (``LiveChecker``), made at the first check;
        #: each invariant's first break, by name (``_check_live``)
        self.live: LiveChecker | None = None
        #: the harness's bounded working sets the samples count (its memos, the live health window)
        self.held_caches = HarnessHeld(lambda: self.live)
        self.broke: dict[str, dict[str, Any]] = {}
        self.next_live: float | None = None  # the simulated time of the next live check
        #: the clock's reading at which the run's last chunk ends (``__call__``)
        self.run_end: float | None = None
        #: the run's clock (``__call__``): the journal's end is stamped on it, as its checkpoints are
        self.clock: Any = None
        #: "virtual" or "real": the clock the live checks read (set at the first check)
        self.live_clock: str | None = None
        #: a real clock's reading at the soak's first history entry: live break times count from it
        self.clock_t0 = 0.0
        #: what the live checks could not judge, by invariant name: why, and at how many checks
        self.unjudged: dict[str, str] = {}
        self.unjudged_checks: Counter[str] = Counter()
        #: the invariants a live check reached a verdict on, at least once
        self.judged: set[str] = set()

    @property
    def replaying(self) -> bool:
        return self.index < self.replay_until

    def __call__(self, run: Any, system: Any, history: Any) -> None:
        now = system.clock.now()
        if self.next_cp is None:
            self.chunk_t0 = now - self.spec.chunk_s if now >= self.spec.chunk_s else 0.0
            self.chunk_t0 = max(0.0, self.chunk_t0)
            self.next_cp = self.chunk_t0 + self.spec.checkpoint_s
        if not self.replaying:
            self._pace(now)
            self.history = history
            self.faults = getattr(run, "injector", None)
            self._collect(system, now)
        if self.clock is None:
            self.clock = system.clock
        if self.run_end is None:
            # the run's last chunk ends at its duration on a virtual clock, whose time starts at 0; a
            # real clock's (time.monotonic) is counted from the first chunk, which ended one chunk in
            self.run_end = (run.spec.duration_s if getattr(system.clock, "virtual", False)
                            else now - self.spec.chunk_s + run.spec.duration_s - 0.5 * self.spec.chunk_s)
        last = now >= self.run_end - 1e-9 or run._stop.is_set()
        if self.next_live is None or now >= self.next_live - 1e-9 or last:
            self._check_live(system, history, now)
            self.next_live = now + LIVE_EVERY_S
        if now >= self.next_cp - 1e-9 or last:
            self._checkpoint(run, system, history, now)
            self.next_cp = now + self.spec.checkpoint_s
            # No collection of cyclic garbage here: a torn-down stream, its pipeline, a finished
            # recovery run and a refused operation's frames are freed by reference counting at
            # their teardown (no reference cycle left among them), so a healthy soak's RSS holds
            # without a full ``gc.collect()`` at each checkpoint, which cost ~10 % of its CPU
            # (bench/RESULTS.md, issue #11, #17; bench/soak_collect_switch.py measures both).

    def _check_live(self, system: Any, history: Any, now: float) -> None:
        """The invariants at this chunk's end (every ``LIVE_EVERY_S``): an invariant's first break is
        journaled with the time it was seen (``invariant_broke``), so an hour's soak says when it went wrong, not only
        that it had by the end. A replay finds the breaks its journal already has: kept, not
        journaled again.

        On a virtual clock (the simulated device) a chunk's end falls between blocks, on the thread
        that runs them, and a break seen live fails the soak (``with_live_breaks``). On a real
        clock the callback, the recovery supervisor and the rig's outage observer run on their own
        threads while the checker reads, and an outside outage is recorded after the fact: a
        break seen live there is journaled with ``clock: "real"`` and is *provisional*, timed
        but never a failure on its own; it fails the soak only where the end's verdict of the same
        invariant fails too. What a real clock cannot judge live (``REAL_CLOCK_UNJUDGED``, and any
        check that says inconclusive) is listed as unjudged (``live_record``), never as broken; the
        checks that read two live values apart (``invariants.LIVE_READS_APART``) judge the history's
        records only there."""
        virtual = (history.initial or {}).get("clock") == "virtual"
        if self.live is None:
            self.live = LiveChecker(system, history, threads_before=None, linearizable=False, system_reads=virtual)
            self.live_clock = "virtual" if virtual else "real"
            if not virtual:
                first = next(iter(history), None)
                self.clock_t0 = first.time if first is not None else now
                self.unjudged.update(REAL_CLOCK_UNJUDGED)
        t = now + self.t_offset if virtual else now - self.clock_t0
        for v in self.live.check():
            if not virtual and v.name in REAL_CLOCK_UNJUDGED:
                continue  # listed as unjudged at the first check, whatever the fold says
            if v.inconclusive:
                self.unjudged.setdefault(v.name, (v.reason or v.message)[:300])
                self.unjudged_checks[v.name] += 1
                continue
            self.judged.add(v.name)
            if v.ok or v.name in self.broke:
                continue
            broke = {"name": v.name, "sim_t": t, "segment": self.segment,
                     "message": v.message[:500], "evidence": jsonify(v.evidence[:3])}
            if not virtual:
                broke["clock"] = "real"
            self.broke[v.name] = broke
            if not self.replaying:
                self.journal.note("invariant_broke", **broke)

    def live_record(self) -> dict[str, Any]:
        """The live checks for the journal's end and the report (``stability.live``): the clock,
        how often, how many checks, what they judged and what not (with why), each first break."""
        return {"clock": self.live_clock, "every_s": LIVE_EVERY_S,
                "checks": self.live.checks if self.live is not None else 0,
                "judged": sorted(self.judged),
                "unjudged": {name: {"why": why, "checks": self.unjudged_checks.get(name) if name not in
                                    REAL_CLOCK_UNJUDGED else self.live.checks if self.live is not None else 0}
                             for name, why in sorted(self.unjudged.items())},
                # judged live from the history's records alone (a real clock's): the live reads left out, and why
                "history_only": dict(LIVE_READS_APART) if self.live_clock == "real" else {},
                "breaks": [{k: b[k] for k in ("name", "sim_t", "segment", "message", "clock") if k in b}
                           for b in sorted(self.broke.values(), key=lambda b: b["sim_t"])]}

    def close(self) -> None:
        if self.live is not None:
            self.live.close()

    def _pace(self, now: float) -> None:
        pace = self.spec.pace
        if not pace:
            return
        if self.pace_t0 is None:
            self.pace_t0, self.pace_wall0 = now, time.perf_counter()
            return
        ahead = (now - self.pace_t0) / pace - (time.perf_counter() - self.pace_wall0)
        if ahead > 0:  # wait on the stop event, not sleep: Ctrl-C / SIGTERM end a paced soak at once
            self.soak._stop_requested.wait(ahead)

    def _collect(self, system: Any, now: float) -> None:
        h = system.monitoring.histogram("callback_duration_s")
        new = h.count - self.cb_count
        if new > 0:
            ring = h._ring  # the reservoir: the newest ``new`` samples sit just before ``_n``
            cap = ring.shape[0]
            take = min(new, cap)
            idx = np.arange(h._n - take, h._n) % cap
            d = ring[idx]
            for k, v in cb_bins(d).items():
                self.cb_bins[int(k)] += v
            self.cb_max = max(self.cb_max, float(d.max()))
            self.cb_sum += float(d.sum())
            self.cb_n += int(take)
        self.cb_count = h.count
        s = self.sampler.sample(now + self.t_offset, system,
                                wall=self.wall_offset + time.perf_counter() - self.wall0, harness=self.history,
                                faults=self.faults, caches=self.held_caches)
        s["segment"] = self.segment
        self.samples.append(s)

    def _checkpoint(self, run: Any, system: Any, history: Any, now: float) -> None:
        entries = history.since(self.hist_pos)  # from memory: the history keeps a window of the newest
        if entries:
            self.hist_pos = entries[-1].index + 1
        self.faults_fired = sum(1 for e in entries if e.type == "fault_start") + self.faults_fired
        digest = state_digest(system, self.faults_fired)
        audio = getattr(run, "audio", None)  # glitches heard since the last checkpoint
        glitches = audio.take_new_glitches() if audio is not None else []
        if self.replaying:
            self.index += 1
            if self.index == self.replay_until:  # caught up: the digest says whether replay was faithful
                self.digest_verified = digest == self.expected_digest
                self.journal.note("resumed", at_checkpoint=self.replay_until - 1, sim_t=now,
                                  mode="replay", verified=self.digest_verified, digest=digest,
                                  expected=self.expected_digest,
                                  wall_time=datetime.now(timezone.utc).isoformat(timespec="seconds"))
                self._reset_chunk(now)
            return
        wall_now = time.perf_counter()
        counters = _counter_values(system, now)
        payload = {
            "sim_t0": self.chunk_t0 + self.t_offset, "sim_t1": now + self.t_offset,
            "wall_s": wall_now - self.chunk_wall0, "segment": self.segment,
            "state": system.state.value, "counters": dict(counters),
            "frames": system.frame_accounts().to_dict(), "digest": digest,
            "cb": {"bins": {str(k): v for k, v in sorted(self.cb_bins.items())}, "max": self.cb_max,
                   "sum": self.cb_sum, "count": self.cb_n, "bins_per_decade": BINS_PER_DECADE},
            "samples": self.samples,
            "entries": [],  # its place among the keys; filled in below, not copied by ``jsonify``
            "glitches": glitches,
        }
        cfg = system.config.to_dict() if system.config is not None else None
        if cfg is not None and cfg != self.last_config:
            payload["config"] = cfg  # the first checkpoint, and whenever it changed
            self.last_config = cfg
        record = jsonify(payload)
        record["entries"] = _journal_entries(entries, self.t_offset)
        self.journal.checkpoint(record)
        self.index += 1
        self._reset_chunk(now)

    def _reset_chunk(self, now: float) -> None:
        self.cb_bins = Counter()
        self.cb_max = self.cb_sum = 0.0
        self.cb_n = 0
        self.samples = []
        self.chunk_t0 = now
        self.chunk_wall0 = time.perf_counter()


def _journal_entries(entries: list[Any], t_offset: float) -> list[dict[str, Any]]:
    """The history's entries as a checkpoint keeps them (``compact_entry``), times moved by
    ``t_offset``: what ``jsonify`` of the compacted entries gives, without its copy of each (the
    largest part of a checkpoint: ~2 000 entries a simulated minute). A compacted entry is
    JSON-safe but for its time (``compact_entry``), which ``jsonify`` would make None when not
    finite; so it is here."""
    out = [c for c in (compact_entry(e) for e in entries) if c is not None]
    for c in out:
        t = c["time"]
        if t_offset:
            t = c["time"] = t + t_offset
        if type(t) is float:
            if not math.isfinite(t):
                c["time"] = None
        elif type(t) is not int:
            c["time"] = jsonify(t)
    return out


class SoakRunner:
    """Run (or resume) a soak in a run folder; the reports are written at the end."""

    #: called with each warning its run finds at the start (``ReliabilityRun.on_warning``)
    on_warning: Callable[[str], None] | None = None

    def __init__(self, spec: SoakSpec, *, system_factory: Callable[..., Any] | None = None,
                 backend: Any = None) -> None:
        if spec.duration_s <= 0:
            raise UsageError(f"the duration must be positive, got {spec.duration_s}")
        if spec.checkpoint_s < spec.chunk_s:
            raise UsageError(f"--checkpoint ({spec.checkpoint_s} s) must be at least one chunk ({spec.chunk_s} s)")
        self.spec = spec
        self.system_factory = system_factory
        self.backend = backend
        self._run: Any = None
        #: the run-history database the soak is recorded in (``run_db_path``), set by ``start``
        self.history_db: Path | None = None
        self._stop_requested = threading.Event()
        self._resume_dir: Path | None = None
        self._resume_pace: float | None | bool = False
        self._faults_file: str | None = None
        self._lock: RunFolderLock | None = None
        self._choice: SystemChoice | None = None

    def request_stop(self) -> None:
        self._stop_requested.set()
        if self._run is not None:
            self._run.request_stop()

    # -- new run / resume ----------------------------------------------------------------------
    def start(self, *, on_progress: Callable[[Any], None] | None = None) -> SoakResult:
        """Run the soak (or, for a runner from ``from_journal``, resume it)."""
        from .reports.history_db import run_db_path

        self.history_db = run_db_path()  # where the soak is recorded, fixed as it starts
        with one_blas_thread():
            return self._start(on_progress)

    def _start(self, on_progress: Callable[[Any], None] | None) -> SoakResult:
        if self._resume_dir is not None:
            return self._resume(self._resume_dir, self._resume_pace, on_progress)
        spec = self.spec
        check_holds_a_block(spec.duration_s, spec.config)  # refused before the run folder exists
        profile = profile_for(RunSpec(backend=spec.backend, duration_s=min(spec.duration_s, 10.0),
                                      seed=spec.seed, faults=spec.faults))  # refuse a bad --faults now
        profile.fitted(spec.config)  # and an xrun lateness its --config would make a stall
        early = RunSpec(backend=spec.backend, duration_s=min(spec.duration_s, 10.0), seed=spec.seed,
                        faults=spec.faults, config=spec.config, device=spec.device, rig_realtime=spec.rig_realtime)
        check_device(early, self.backend)
        check_rig_realtime(early)
        self._system_choice()  # and a bad --system, before the run folder exists
        if spec.program is not None:  # and a program the run could not play
            from .runner import ReliabilityRun  # noqa: PLC0415

            ReliabilityRun(RunSpec(backend=spec.backend, duration_s=min(spec.duration_s, 10.0), seed=spec.seed,
                                   faults=spec.faults, config=spec.config, program=spec.program))
        run_dir = spec.run_dir or new_run_dir(spec.report_root, "soak", spec.seed)
        if (run_dir / JOURNAL_NAME).exists() or (run_dir / JOURNAL_NAME).is_symlink():
            raise UsageError(f"{run_dir} already holds a soak journal; use --resume {run_dir} to continue it")
        refuse_a_folder_in_use(run_dir, "--run-dir", "soak writes its journal, history and reports")
        existed = spec.run_dir is not None and run_dir.is_dir()  # new_run_dir made a default one just now
        folder = RunFolder(run_dir, create=True)
        faults_text = None
        if spec.faults not in PROFILES and Path(spec.faults).is_file():
            faults_text = read_text(spec.faults, "fault profile")
        self._lock = folder.lock("a soak")
        refused = False
        try:
            spec.run_dir = run_dir
            header = {
                "kind": "soak", "run_id": run_dir.name, "spec": spec.to_dict(), "duration_s": spec.duration_s,
                "config": None, "faults_file": faults_text,
                "meta": {"run_id": run_dir.name, "backend": spec.backend, "seed": spec.seed,
                         "profile": spec.faults, "duration_s": spec.duration_s,
                         "faults_wanted": profile.wants_faults,
                         "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                         "commit": _git_commit(), "host": socket.gethostname(),
                         "python": platform.python_version(), "command": " ".join(sys.argv)},
            }
            journal = JournalWriter.create(run_dir, header)
            try:
                return self._execute(journal, segment=0, t_offset=0.0, replay_until=0, expected=None,
                                     wall_offset=0.0, on_progress=on_progress)
            except UsageError:  # refused as its system was configured (a device the backend lacks)
                refused = True
                raise
        finally:
            self._release()
            if refused:
                # its journal with no checkpoint, the refusal's history and the lock: left behind,
                # the folder read as a soak killed at once, which ``--resume`` ran into the same refusal
                remove_refused_run(run_dir, (JOURNAL_NAME, "history.jsonl", LOCK_NAME), made=not existed)

    def _journaled_warning(self, journal: JournalWriter) -> Callable[[str], None]:
        """The run's ``on_warning``: each warning its run finds at the start is journaled (a
        ``config_warning`` note) before it is passed on, so a report rebuilt from the journal
        alone (``soundcheck report``, a resumed or killed soak) carries it as the live run did."""

        def warn(message: str) -> None:
            journal.note("config_warning", warning=message)
            if self.on_warning is not None:
                self.on_warning(message)
        return warn

    def _system_choice(self) -> SystemChoice:
        """The system to soak: the factory given in Python, else the spec's ``--system`` (loaded
        and checked once), else ``AudioSystem``."""
        if self._choice is None:
            self._choice = (SystemChoice.of(self.system_factory) if self.system_factory is not None
                            else load_system(self.spec.system))
        return self._choice

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    @classmethod
    def from_journal(cls, run_dir: str | os.PathLike[str], *, pace: float | None | bool = False,
                     system_factory: Callable[..., Any] | None = None) -> "SoakRunner":
        """A runner that resumes the soak journaled in ``run_dir`` when started (nothing runs yet)."""
        run_dir = Path(run_dir)
        data = read_journal(run_dir)
        header = data.header or {}
        if header.get("kind") != "soak":
            raise JournalError(data.path, "not a soak journal (no 'kind: soak' in its header)")
        if data.end is not None:
            raise JournalError(data.path, f"the soak already ended ({data.end.get('status')}); "
                                          f"`soundcheck report {run_dir}` rebuilds its report")
        spec = SoakSpec.from_dict(header.get("spec") or {}, source=data.path)
        spec.run_dir = run_dir
        if pace is not False:
            spec.pace = pace or None
        self = cls(spec, system_factory=system_factory)
        self._resume_dir = run_dir
        self._faults_file = header.get("faults_file") if isinstance(header.get("faults_file"), str) else None
        return self

    @classmethod
    def resume(cls, run_dir: str | os.PathLike[str], *, pace: float | None | bool = False,
               system_factory: Callable[..., Any] | None = None,
               on_progress: Callable[[Any], None] | None = None) -> SoakResult:
        """Continue the soak journaled in ``run_dir`` (see the module docstring for how)."""
        return cls.from_journal(run_dir, pace=pace, system_factory=system_factory).start(on_progress=on_progress)

    def _resume(self, run_dir: Path, pace: Any, on_progress: Callable[[Any], None] | None) -> SoakResult:
        self._system_choice()  # the journaled --system must still load, before anything is touched
        folder = RunFolder(run_dir)
        self._lock = folder.lock("a soak being resumed")  # a second --resume is refused here
        try:
            return self._resume_locked(folder, run_dir, on_progress)
        finally:
            self._release()

    def _resume_locked(self, folder: RunFolder, run_dir: Path,
                       on_progress: Callable[[Any], None] | None) -> SoakResult:
        spec = self.spec
        if spec.faults not in PROFILES and self._faults_file and not Path(spec.faults).is_file():
            # the profile file the soak started with is gone: use the copy its journal kept
            folder.write_text("faults.toml", self._faults_file)
            spec.faults = str(run_dir / "faults.toml")
        journal, data = JournalWriter.resume(run_dir)
        done = journal.checkpoints  # the chunks journaled (a damaged line's too): what a replay re-runs
        last = _resume_point(data.last_checkpoint)
        wall_so_far = sum(float(c.get("wall_s", 0.0)) for c in data.checkpoints)
        # The parsed journal (every checkpoint's history and samples: ~0.55 MB of small objects a
        # checkpoint of a simulated soak) is let go before the run: this frame lives as long as
        # the resumed run, and what it held would read as a step up of pymalloc's bytes at each
        # resume, a growth the harness made, judged beside the system's own.
        del data
        old = run_dir / "history.jsonl"
        if old.exists() or old.is_symlink():  # the replay streams a fresh, complete history; keep the old one aside
            n = len(list(run_dir.glob("history.before-resume*.jsonl")))
            folder.rename("history.jsonl", f"history.before-resume{n}.jsonl")
        if done == 0:
            return self._execute(journal, segment=0, t_offset=0.0, replay_until=0, expected=None,
                                 wall_offset=0.0, on_progress=on_progress)
        if spec.backend == "sim":
            # segment = process lifetime: the resumed process's RSS is fitted apart from the first's
            return self._execute(journal, segment=int(last.get("segment", 0)) + 1, t_offset=0.0,
                                 replay_until=done, expected=last.get("digest"),
                                 wall_offset=wall_so_far, on_progress=on_progress, resumed_from=done - 1)
        segment = int(last.get("segment", 0)) + 1
        t_done = float(last["sim_t1"])
        journal.note("resumed", at_checkpoint=done - 1, sim_t=t_done, mode="continue", verified=None,
                     wall_time=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        spec.duration_s = max(spec.duration_s - t_done, spec.chunk_s)
        spec.seed = derive_seed(spec.seed, segment)
        return self._execute(journal, segment=segment, t_offset=t_done, replay_until=0, expected=None,
                             wall_offset=wall_so_far, on_progress=on_progress, resumed_from=done - 1)

    # -- the run -------------------------------------------------------------------------------
    def _execute(self, journal: JournalWriter, *, segment: int, t_offset: float, replay_until: int,
                 expected: str | None, wall_offset: float, on_progress: Callable[[Any], None] | None,
                 resumed_from: int | None = None) -> SoakResult:

        from .analysis import import_deferred
        from .runner import ReliabilityRun, RunSpec

        import_deferred()  # before the first memory sample: an import mid-soak reads as growth
        spec = self.spec
        assert spec.run_dir is not None
        run_spec = RunSpec(backend=spec.backend, duration_s=spec.duration_s, seed=spec.seed,
                           faults=spec.faults, config=spec.config, device=spec.device,
                           run_dir=spec.run_dir, chunk_s=spec.chunk_s,
                           metrics_every_s=spec.metrics_every_s, label="soak", soak=True,
                           program=spec.program, rig_realtime=spec.rig_realtime)
        kw: dict[str, Any] = {"system_factory": self._system_choice()}
        if self.backend is not None:
            kw["backend"] = self.backend
        run = ReliabilityRun(run_spec, **kw)
        run.on_warning = self._journaled_warning(journal)
        self._run = run
        if self._stop_requested.is_set():
            run.request_stop()
        recorder = _Recorder(self, journal, segment=segment, t_offset=t_offset, replay_until=replay_until,
                             expected_digest=expected, wall_offset=wall_offset)
        wall0 = time.perf_counter()
        status = "completed"
        result = None
        try:
            result = run.execute(on_chunk=recorder, on_progress=on_progress, reports=False, verdict_by_caller=True)
            if run._stop.is_set():
                status = "interrupted"
        except KeyboardInterrupt:
            status = "interrupted"
        except BaseException:
            # A crash (a bug, a test's timeout, SystemExit): the journal is closed, not left to the
            # garbage collector, and gets no end record, so the soak can still be resumed from its
            # last checkpoint, as after a kill -9.
            journal.close()
            raise
        finally:
            wall = time.perf_counter() - wall0
        recorder.close()
        summary = dict(result.summary) if result is not None else {}
        verdicts = with_live_breaks([v.to_dict() for v in result.verdicts] if result is not None else [],
                                    recorder.broke)
        # the journal keeps the run's figures, not its verdict: the soak's verdict is the report's,
        # judged from this journal (its leak slopes too), never the run's from before them
        figures = {k: v for k, v in summary.items() if k not in _VERDICT_KEYS}
        # the end on the checkpoints' clock: a virtual clock's run time, a real clock's reading (its
        # checkpoints' ``sim_t0``/``sim_t1`` are ``time.monotonic()``; the run's ``simulated_s`` counted
        # from the run's start put the end 80 000 s before the first checkpoint, a negative operating time)
        end_t = (recorder.clock.now() if recorder.clock is not None and not getattr(recorder.clock, "virtual", False)
                 else summary.get("simulated_s") or 0.0)
        journal.end(status, sim_t=end_t + t_offset,
                    wall_s_total=wall_offset + (summary.get("wall_s") or wall),
                    verdicts=jsonify(verdicts), summary=jsonify(figures), live=jsonify(recorder.live_record()),
                    final_metrics={"counters": _last_counters(result)})
        journal.close()
        # The report is rebuilt from the journal alone: let the run go first (its system, history
        # window, armed fault schedule and listening check: ~170 MB after 8 simulated hours), so
        # the report's build reuses that memory instead of adding to it at the soak's peak.
        checkpoints, digest_verified = recorder.index, recorder.digest_verified
        recorder.clock = None  # the run's clock holds its timers, and they the system
        self._run = None
        del run, result, recorder
        gc.collect()
        # The runner wrote the reports before the journal's end record; rewrite them from the
        # journal so report.json says completed/interrupted and `soundcheck report` agrees.
        from .reports import write_reports

        paths = write_reports(spec.run_dir, history_db=self.history_db)
        report = getattr(paths, "report", {})
        verdict = RunVerdict.from_dict(report.get("verdict") or {"doubts": ["no report was written"]},
                                       (report.get("stability") or {}).get("invariants") or ())
        if summary:
            # summary.json was written by the run, before the journal's end and the leak slopes:
            # it says what the report, the console and the exit code say (never a PASS beside an
            # INCONCLUSIVE or a FAIL of the same soak), and whether the soak was recorded
            from .reports import history_record, mtbf_record
            summary["history_db"] = history_record(paths)
            summary["mtbf"] = mtbf_record(paths)
            write_summary_verdict(spec.run_dir, summary, verdict)
        note_verdict(spec.run_dir, verdict)
        return SoakResult(spec.run_dir, status, verdict, dict(paths), checkpoints, resumed_from,
                          digest_verified, wall, summary)


def _resume_point(checkpoint: dict[str, Any] | None) -> dict[str, Any]:
    """What a resume takes from the last journaled checkpoint (its segment, the digest a replay
    must reach, where its simulated time stopped), copied out so the parsed journal can be let go."""
    if checkpoint is None:
        return {}
    return {k: checkpoint[k] for k in ("segment", "digest", "sim_t1") if k in checkpoint}


def with_live_breaks(verdicts: list[dict[str, Any]], broke: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The end's verdicts with each invariant's first live break (``_Recorder._check_live``): its
    ``time`` is when it was first seen broken; one that held by the end is failed all the same
    (what broke at an hour's tenth minute is a bug whatever the last minute shows); one the end
    did not judge is added.

    A real clock's break (``clock: "real"``) is provisional: it times a failure the end's verdict
    of the same invariant confirms, and is never a failure on its own. Where the end found the
    invariant held (or could not judge it), the live reading is kept on the verdict
    (``seen_live_s``) and said in its message as not judged, and the verdict is the end's."""
    how = f"checked live every {LIVE_EVERY_S:g} s"
    out = []
    for v in verdicts:
        b = broke.get(v["name"])
        if b is not None and b.get("clock") == "real":
            t = b["sim_t"]
            if v.get("ok"):
                v = {**v, "seen_live_s": t,
                     "message": f"{v.get('message', '')} (seen broken by a live check at t={t:.2f} s after the "
                                f"soak's start, not at its end: a real clock's live reading, not judged: "
                                f"{b['message'][:200]})"}
            else:
                v = {**v, "first_broke_s": t,
                     "message": f"first seen broken at t={t:.2f} s after the soak's start ({how}): "
                                f"{v.get('message', '')}"}
        elif b is not None:
            t = b["sim_t"]
            v = {**v, "time": t, "first_broke_s": t}
            if v.get("ok"):
                v.update(ok=False, inconclusive=False, evidence=b["evidence"],
                         message=f"broke at t={t:.2f} s ({how}): {b['message']}; "
                                 "held again at the soak's end")
            else:
                v["message"] = f"first broke at t={t:.2f} s ({how}): {v.get('message', '')}"
        out.append(v)
    named = {v["name"] for v in out}
    out += [{"name": b["name"], "ok": False, "inconclusive": False, "time": b["sim_t"], "first_broke_s": b["sim_t"],
             "evidence": b["evidence"], "message": f"broke at t={b['sim_t']:.2f} s ({how}): "
                                                   f"{b['message']}"}
            for name, b in broke.items() if name not in named and b.get("clock") != "real"]
    return out


#: a run summary's keys that say its verdict (``runner.summarize``), left out of the journal's end
_VERDICT_KEYS = frozenset({"ok", "outcome", "verdict"})


def _last_counters(result: Any) -> dict[str, Any]:
    """The counters of the run's last metrics snapshot (kept in memory by the history)."""
    last = result.history.last("metrics") if result is not None else None
    return dict(last.data.get("counters") or {}) if last is not None else {}
