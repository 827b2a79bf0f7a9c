"""The swarm: many seeded simulated runs on Dask distributed, one JSON line per seed.

Swarm testing (Groce et al., ISSTA 2012): a run that draws a random *subset* of fault kinds finds
bugs that a run with every kind hides (a frequent kind can mask a rare interleaving of another).
With ``faults="swarm"`` each seed draws its own subset and parameters from
``random.Random(f"swarm:{seed}")``, so seed N is the same run on any machine, today or next year.

Why Dask: the swarm must outgrow one machine without a home-made cluster. With no scheduler
address a ``LocalCluster`` of worker processes (one per core) is started; with one, the seeds go
to whatever cluster is there (``dask scheduler`` + ``dask worker``, Kubernetes, an HPC queue).
Every run is in-process on its worker (no subprocess per seed): the per-seed cost is the run.

What survives what. Each finished seed is one line appended and fsynced to ``swarm.jsonl`` before
the next is counted, so a killed driver loses nothing done and ``resume`` carries on from the file
(a torn last line is cut off). A worker killed mid-task is Dask's to reschedule, and the seed's
row, the summary (``rerun_seeds``) and the report say it was run on another worker; a result that
arrives twice for one seed is written once (the driver keeps the set of seeds on file). A
scheduler lost mid-swarm ends the swarm at once, inconclusive, every seed not run named.

What a swarm leaves in the temp folder: nothing. A local cluster's workers keep their Dask scratch
space and every seed's run folder in one folder of the driver's (``soundcheck-swarm-*``), removed
when the swarm ends (completed, failed, refused or interrupted by Ctrl-C): a worker the closing
cluster stops mid-seed never reaches ``run_seed``'s own clean-up, which had left one
``soundcheck-swarm-SEED-*`` folder per seed in flight (and ``dask-scratch-space``) after every run.
Only a driver killed outright (SIGKILL) leaves that one folder. Workers of a ``--scheduler``
cluster, on other machines, use their own temp folder and ``run_seed``'s clean-up.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import socket
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .errors import InputFileError, UsageError
from .runfolder import RunFolder, refuse_a_folder_in_use
from .faults import _DEVICE_PARAMS, FAULT_KINDS, PROFILES, Profile, Schedule
from .faults.stall_bound import StallPastBound
from .faults.xrun_bound import LatenessInPeriods, period_of

#: Fault kinds a swarm seed draws from: every kind the simulated device supports whose history is
#: the same for the same seed (not ``concurrent_transitions``, whose thread storms make a seed's
#: history differ run to run: the shrinker relies on the same seed and schedule giving the same history).
#: Kinds declared after seeds' mixes were fixed are left out of every mix: a kind more in the
#: draw would change every seed's mix, and a recorded swarm seed must keep replaying its run.
NOT_DRAWN: frozenset[str] = frozenset({"input_starved"})
SWARM_KINDS: tuple[str, ...] = tuple(sorted(k for k, c in FAULT_KINDS.items() if c.same_history and k not in NOT_DRAWN))

#: A kind's probability per check before the per-seed scale (the hostile profile's, where it has one).
_BASE_P: dict[str, float] = {
    "xrun": 0.3, "stall": 0.1, "dropout": 0.08, "callback_raises": 0.1, "buffer_exhaustion": 0.08,
    "slow_dsp": 0.08, "invalid_config": 0.08, "sample_rate_change": 0.03, "lifecycle_calls": 0.04,
    "coordinator_contention": 0.02,
}
_SCALES = (0.25, 0.5, 1.0, 2.0)
_CHECK_EVERY = (0.1, 0.25, 0.5)

SWARM_FILE = "swarm.jsonl"
SPEC_FILE = "swarm-spec.json"
SUMMARY_FILE = "summary.json"
REPORT_FILE = "report.md"


# ===================================================================================== profiles ====

def _subrange(rng: random.Random, lo: Any, hi: Any) -> list[Any]:
    """A random sub-range of ``[lo, hi]`` (ints stay ints): the seed's own parameter range."""
    if isinstance(lo, int) and isinstance(hi, int):
        a, b = sorted((rng.randint(lo, hi), rng.randint(lo, hi)))
        return [a, b]
    a, b = sorted((rng.uniform(lo, hi), rng.uniform(lo, hi)))
    return [round(a, 6), round(b, 6)]


def _seconds_range(r: Any) -> tuple[float, float]:
    """A built-in ``[lo, hi]`` range as numbers: an ``xrun``'s lateness given in periods
    (``LatenessInPeriods``) in seconds at the system's default configuration, the one a swarm runs."""
    if isinstance(r, (LatenessInPeriods, StallPastBound)):
        lo, hi = r.seconds(period_of(None))
        return lo, hi
    lo, hi = r
    return lo, hi


def swarm_profile(seed: int) -> Profile:
    """Seed ``seed``'s own fault mix: each kind of ``SWARM_KINDS`` kept with probability 1/2 (at
    least one), its probability scaled, its parameter ranges narrowed, all from one seeded RNG."""
    rng = random.Random(f"swarm:{seed}")
    kinds = [k for k in SWARM_KINDS if rng.random() < 0.5] or [rng.choice(SWARM_KINDS)]
    probabilities = {k: round(min(0.9, _BASE_P.get(k, 0.05) * rng.choice(_SCALES)), 6) for k in kinds}
    params: dict[str, dict[str, Any]] = {}
    for k in kinds:
        ranges = _DEVICE_PARAMS.get(k, {})
        params[k] = {name: _subrange(rng, *_seconds_range(r)) for name, r in ranges.items()}
        if k == "sample_rate_change":
            params[k]["rate"] = 44_100  # a rate the simulated device supports
    return Profile(f"swarm:{seed}", probabilities, params, check_every_s=rng.choice(_CHECK_EVERY),
                   description=f"swarm seed {seed}: {', '.join(kinds)}")


def profile_of(faults: str, seed: int) -> Profile:
    """The profile a swarm seed runs: its own swarm mix, or a named built-in profile."""
    if faults == "swarm":
        return swarm_profile(seed)
    try:
        return PROFILES[faults]
    except KeyError:
        if faults.lower().endswith((".toml", ".json")) or "/" in faults:  # a file: run and soak read those
            raise UsageError(f"--faults {faults}: a swarm runs the swarm mix or a built-in profile "
                             f"({', '.join(['swarm', *PROFILES])}), not a profile file; run a profile file "
                             "with `soundcheck run --faults FILE` or `soundcheck soak --faults FILE`") from None
        raise UsageError(f"--faults: unknown fault profile {faults!r} (known: swarm, {', '.join(PROFILES)})") \
            from None


def seed_schedule(faults: str, seed: int, duration_s: float) -> Schedule:
    """The fault schedule of swarm seed ``seed``: its profile's seeded draw. A swarm mix of rare
    kinds can draw no fault at all in a short run, and a run without faults proves nothing (its
    verdict is inconclusive); such a seed gets one fault of each of its kinds instead, at a seeded
    time in the first half of the run."""
    profile = profile_of(faults, seed)
    schedule = profile.schedule(duration_s, seed)
    if schedule.faults or faults != "swarm" or not profile.wants_faults:
        return schedule
    start = round(random.Random(f"swarm-fill:{seed}").uniform(0.5, max(0.5, duration_s / 2)), 6)
    fill = Schedule.random(start + 0.25, seed, {k: 1.0 for k in profile.probabilities}, check_every_s=0.25,
                           start_s=start, params=profile.fitted(), name=profile.name)
    return Schedule(fill.faults, name=profile.name, seed=seed, duration_s=duration_s)


# ======================================================================================== seeds ====

_RANGE = re.compile(r"^\s*(-?\d+)\s*(?:-\s*(-?\d+)\s*)?$")


#: most seeds one swarm takes (a million 60 s runs is two years of simulated time)
MAX_SEEDS = 1_000_000


def parse_seeds(text: str) -> list[int]:
    """``"1-10000"``, ``"7"`` or ``"1-5,9,20-22"`` -> the seeds in order, each once."""
    from .inputs import SEED_MAX  # noqa: PLC0415

    ranges: list[tuple[int, int]] = []
    for part in str(text).split(","):
        m = _RANGE.match(part)
        if not m:
            raise UsageError(f"--seeds: cannot read {part.strip()!r}; write a seed (7), a range (1-10000) "
                             "or a comma list of both (1-5,9)")
        lo = int(m[1])
        hi = int(m[2]) if m[2] is not None else lo
        for seed in (lo, hi):  # each seed's run refused a negative one, after the swarm had started
            if not 0 <= seed <= SEED_MAX:
                raise UsageError(f"--seeds: seed {seed} is out of range: seeds are within 0..{SEED_MAX}")
        if hi < lo:
            raise UsageError(f"--seeds: the range {lo}-{hi} is empty; write the smaller seed first "
                             f"({hi}-{lo})")
        ranges.append((lo, hi))
    count = sum(hi - lo + 1 for lo, hi in ranges)
    if count > MAX_SEEDS:  # 0-4294967295 built a list of 4e9 seeds: gigabytes before anything ran
        raise UsageError(f"--seeds: {count} seeds are more than one swarm runs (at most {MAX_SEEDS}); "
                         "split them into several swarms")
    seeds: list[int] = []
    seen: set[int] = set()
    for lo, hi in ranges:
        for s in range(lo, hi + 1):
            if s not in seen:
                seen.add(s)
                seeds.append(s)
    if not seeds:
        raise UsageError("--seeds: no seeds given")
    return seeds


# ======================================================================================= a seed ====

@dataclass(frozen=True)
class SwarmSpec:
    """What every seed of a swarm shares; saved as ``swarm-spec.json`` so ``--resume`` can check it."""

    seeds: str
    duration_s: float
    faults: str = "swarm"
    mutant: str | None = None
    #: ``--system module:factory`` (None: the shipped ``AudioSystem``); importable on every worker
    system: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def build_run(seed: int, duration_s: float, faults: str, mutant: str | None, run_dir: Path,
              schedule: Any = None, system: str | None = None) -> Any:
    """A ``ReliabilityRun`` of one swarm seed (``schedule``: a replacement for the drawn one, as the
    shrinker tries). The run is built on the ``none`` profile (which validates the spec) and then
    given the seed's own profile and schedule: ``ReliabilityRun`` reads both from those attributes."""
    from .mutants import system_factory
    from .runner import ReliabilityRun, RunSpec

    profile = profile_of(faults, seed)
    spec = RunSpec(backend="sim", duration_s=duration_s, seed=seed, faults="none", run_dir=run_dir,
                   report_root=run_dir.parent, label="swarm")
    if mutant:
        factory: Any = system_factory(mutant)
    else:
        from .sut_protocol import load_system
        factory = load_system(system, check=False)  # checked once by the driver, not per seed
    run = ReliabilityRun(spec, system_factory=factory)
    spec.faults = profile.name  # what summary.json and the history say the run ran
    run.profile = profile
    run.schedule = schedule if schedule is not None else seed_schedule(faults, seed, duration_s)
    return run


def _short(text: Any, limit: int = 240) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 3] + "..."


def first_evidence(result: Any) -> str | None:
    """The first violated (else inconclusive) check's message and first evidence item, short."""
    for v in result.verdicts:
        if not v.ok:
            ev = f" | {_short(v.evidence[0], 160)}" if v.evidence else ""
            return _short(f"{v.name}: {v.message}{ev}", 320)
    for v in result.verdicts:
        if v.ok and v.inconclusive:
            return _short(f"{v.name}: {v.message}", 320)
    return None


def run_seed(seed: int, duration_s: float, faults: str = "swarm", mutant: str | None = None,
             system: str | None = None, tmp_root: str | None = None, timeout_s: float | None = None,
             wall: Callable[[], float] = time.monotonic) -> dict[str, Any]:
    """Run one seed in this process (on a Dask worker) and return its JSON line. The run folder is
    a temporary one, removed afterwards: the line is the record, and a failing seed is re-run
    deterministically where it is shrunk. ``tmp_root``: the swarm driver's temp folder, where the
    run folder goes when this worker shares the driver's machine (the driver removes it whole).

    A crash inside the run is the run's verdict (``run_completed``), its line saying whose code
    raised (``crash``: the system's or the harness's, ``runner.crash_origin``). An exception out of
    the seed's own set-up or judgement (building the run, the report's leak rule) is the harness's
    crash: its line says so (``crash.by == "harness"``) rather than the task failing, which the
    swarm could only have counted as a seed the cluster did not run.

    ``timeout_s``: the seed's bound in ``wall`` seconds (None: none). A seed still running past it
    is stopped at the end of its current chunk and its line says so (``timeout``): inconclusive
    (``inconclusive_reasons``: ``timeout``), never a failure, since a loaded machine is as slow
    as a slow system. A system that never returns from a chunk is not stopped by it."""
    t0 = time.perf_counter()
    cpu0 = time.process_time()  # the seed's CPU cost: what a loaded machine does not inflate
    root = tmp_root if tmp_root is not None and os.path.isdir(tmp_root) else None
    tmp = Path(tempfile.mkdtemp(prefix=f"soundcheck-swarm-{seed}-", dir=root))
    base = {"seed": seed, "faults": faults, "worker": f"{socket.gethostname()}:{os.getpid()}"}
    run: Any = None
    try:
        run = build_run(seed, duration_s, faults, mutant, tmp / "run", system=system)
        kinds = sorted(run.profile.probabilities) if faults == "swarm" else sorted(
            k for k, p in run.profile.probabilities.items() if p > 0)
        from .runner import judge_as_its_report  # noqa: PLC0415 - with the run's modules, on the worker

        started = wall()
        timed_out: list[float] = []

        def bound(r: Any, system: Any, _history: Any) -> None:
            if timeout_s is not None and not timed_out and wall() - started > timeout_s:
                timed_out.append(float(system.clock.now()))
                r.request_stop()

        result = run.execute(reports=False, on_chunk=bound if timeout_s is not None else None)
        # the seed's verdict is the one its report would give, leak slopes included
        leaks = judge_as_its_report(result)
        v = result.verdict
        s = result.summary
        timeout = {"after_s": timeout_s, "at_simulated_s": round(timed_out[0], 3)} if timed_out else None
        return {**base, "timeout": timeout, "kinds": kinds, "scheduled": len(run.schedule),
                "injected": s["faults"]["total"], "outcome": v.outcome.value, "violated": v.violated,
                "inconclusive": v.inconclusive, "reasons": v.reasons, "failures": list(v.failures),
                "doubts": list(v.doubts), "crash": s.get("crash"), "evidence": first_evidence(result),
                "leaks": {m: {"verdict": d.get("verdict"), "slope_per_hour": d.get("slope_per_hour"),
                              "unit": d.get("unit")} for m, d in sorted(leaks.items())},
                "simulated_s": s["simulated_s"], "wall_s": round(time.perf_counter() - t0, 4),
                "cpu_s": round(time.process_time() - cpu0, 4)}
    except Exception as exc:  # noqa: BLE001 - a crash outside the run: the harness's, recorded as such
        from .runner import crash_origin  # noqa: PLC0415

        crash = crash_origin(exc, getattr(run, "system", None))
        why = f"the {crash['by']} crashed outside the run: {type(exc).__name__}: {_short(exc, 200)} ({crash['where']})"
        return {**base, "kinds": sorted(run.profile.probabilities) if run is not None else [],
                "scheduled": len(run.schedule) if run is not None else 0, "injected": 0, "outcome": "fail",
                "violated": [], "inconclusive": [], "reasons": [why], "failures": [why], "doubts": [],
                "crash": crash, "evidence": why, "leaks": {}, "simulated_s": 0.0,
                "wall_s": round(time.perf_counter() - t0, 4), "cpu_s": round(time.process_time() - cpu0, 4)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


#: the crash type of a seed whose Dask worker died under it on every try (``worker_died_row``)
WORKER_DIED = "WorkerDied"


def replay_command(seed: int, spec: "SwarmSpec") -> str:
    """The shell command that runs ``seed`` as a swarm worker would, in a process of its own in the
    foreground: a seed that ends the process running it shows how (a signal, an exit status, a
    core) where a swarm could only see its worker gone."""
    call = (f"from harness.swarm import run_seed; print(run_seed({seed}, {spec.duration_s!r}, {spec.faults!r}, "
            f"{spec.mutant!r}, {spec.system!r}))")
    return f"python -c {json.dumps(call)}"


def worker_died_row(seed: int, spec: "SwarmSpec", exc: BaseException) -> dict[str, Any]:
    """The line of a seed every Dask worker that ran it died under (``KilledWorker``: Dask gave up
    after its allowed failures): the seed's own verdict, a failure, its crash the system's.

    Why not "not run": the cluster did run it, as many times as Dask allows, and each run ended its
    process (a segfault, an abort, ``os._exit``, the memory killer); a deterministic seed doing that
    every time is a crash of what it runs. Read as a seed the cluster could not run, the swarm was
    inconclusive and ``--resume`` ran it again, to the same end. Whose code ended the process is not
    known from outside it: the line says so and gives the command that replays the seed in a
    process of its own. A swarm never shrinks it (a shrink runs seeds in the driver's process)."""
    tries = int(getattr(exc, "allowed_failures", 0) or 0) + 1
    last = getattr(getattr(exc, "last_worker", None), "address", None) or "unknown"
    why = (f"the system crashed: the Dask worker running seed {seed} died under it on each of {tries} tries "
           f"(killed or crashed: a segfault, an abort, os._exit, the memory killer; last worker {last}); "
           f"whose code ended the process is not known from outside it; replay: {replay_command(seed, spec)}")
    profile = profile_of(spec.faults, seed)
    kinds = sorted(profile.probabilities) if spec.faults == "swarm" else sorted(
        k for k, p in profile.probabilities.items() if p > 0)
    return {"seed": seed, "faults": spec.faults, "worker": last, "timeout": None, "kinds": kinds,
            "scheduled": None, "injected": None, "outcome": "fail", "violated": [], "inconclusive": [],
            "reasons": [why], "failures": [why], "doubts": [],
            "crash": {"by": "system", "type": WORKER_DIED, "where": f"the worker process (died {tries} times)",
                      "tries": tries},
            "evidence": why, "replay": replay_command(seed, spec), "leaks": {}, "simulated_s": 0.0,
            "wall_s": None, "cpu_s": None}


# ================================================================================= the record ====

class SwarmLog:
    """``swarm.jsonl``: one line per seed, appended and fsynced; a seed is written at most once.

    Read back (``--resume``, an interrupted swarm's result): every whole line is kept, a seed
    found twice counts once (its first line), and a last line a killed driver cut part-way is
    dropped, cut off the file (so the next row starts a line of its own) and said in
    ``warnings``, naming the file: that seed runs again. A damaged line *followed by* whole lines
    is no kill's doing: ``InputFileError`` (exit 2) naming the file and the line, the file left as
    it is, since running on would append after it and count its seed as never run."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: dict[int, dict[str, Any]] = {}
        #: what reading the file found and dropped, each naming the file (said once by the caller)
        self.warnings: list[str] = []
        if path.exists():
            self._load()
        self._fh = open(path, "a", encoding="utf-8")  # noqa: SIM115 - held open for the swarm

    def _load(self) -> None:
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        lines = data[:end].split(b"\n")[:-1]
        tail = data[end:]
        if tail.strip():
            row = _row_of(tail)
            if row is not None:  # a whole row whose newline the kill cut: kept, its line ended
                lines.append(tail)
                with open(self.path, "ab") as fh:
                    fh.write(b"\n")
            else:
                with open(self.path, "r+b") as fh:
                    fh.truncate(end)
                self.warnings.append(
                    f"{self.path}: the last {len(tail)} byte(s) (line {len(lines) + 1}, cut part-way by a kill "
                    "or a crash) are not a whole row and were dropped; its seed runs again")
        elif tail:  # blanks after the last newline: cut, so the next row starts its own line
            with open(self.path, "r+b") as fh:
                fh.truncate(end)
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            row = _row_of(line)
            if row is None:
                raise InputFileError(self.path, f"line {number}: not a swarm row (a JSON object with an integer "
                                                "'seed'); a damaged line inside swarm.jsonl (not a last line cut "
                                                "by a kill, which is dropped) is not skipped, since its seed would "
                                                "be run and counted again: restore the file from a copy, or delete "
                                                "the line to run that seed again")
            self.rows.setdefault(row["seed"], row)

    def __contains__(self, seed: int) -> bool:
        return seed in self.rows

    def add(self, row: Mapping[str, Any]) -> bool:
        """Append ``row`` unless its seed is on file already; True when written."""
        seed = int(row["seed"])
        if seed in self.rows:
            return False
        self._fh.write(json.dumps(row, sort_keys=True) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.rows[seed] = dict(row)
        return True

    def close(self) -> None:
        self._fh.close()


def _row_of(line: bytes) -> dict[str, Any] | None:
    """The swarm row a line of ``swarm.jsonl`` holds, or None when it is not one (cut, damaged)."""
    try:
        row = json.loads(line)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    if not isinstance(row, dict) or not isinstance(row.get("seed"), int) or isinstance(row["seed"], bool):
        return None
    return row


# ==================================================================================== the swarm ====

@dataclass
class SwarmResult:
    out_dir: Path
    rows: list[dict[str, Any]]
    errors: dict[int, str]
    wall_s: float
    workers: int
    #: simulated seconds this driver ran (the rows already on file when it resumed are not in it)
    session_simulated_s: float = 0.0
    summary: dict[str, Any] = field(default_factory=dict)
    shrunk: list[dict[str, Any]] = field(default_factory=list)
    #: why the seeds could not be recorded in the run-history database, or None
    history_db_warning: str | None = None
    #: the swarm was stopped (Ctrl-C, SIGTERM) before every seed ran: it cannot pass
    interrupted: bool = False

    @property
    def exit_code(self) -> int:
        outcomes = Counter(r["outcome"] for r in self.rows)
        if outcomes["fail"]:
            return 1
        if outcomes["inconclusive"] or self.errors or self.interrupted:
            return 3
        return 0


def interrupted_result(spec: SwarmSpec, out_dir: Path, wall_s: float) -> SwarmResult:
    """The result of a swarm stopped before its end, from the seeds on file in ``swarm.jsonl``
    (``run_swarm`` closed its cluster and its log as it was interrupted): inconclusive at best,
    its summary and report saying how many seeds were not run and how to carry on."""
    path = out_dir / SWARM_FILE
    rows_by_seed: dict[int, dict[str, Any]] = {}
    if path.is_file():
        log = SwarmLog(path)
        log.close()
        rows_by_seed = log.rows
    rows = [rows_by_seed[s] for s in parse_seeds(spec.seeds) if s in rows_by_seed]
    result = SwarmResult(out_dir, rows, {}, wall_s, 0, interrupted=True)
    result.summary = summarize(spec, result)
    return result


def _connect(scheduler: str | None, workers: int | None, local_directory: str | None = None) -> tuple[Any, Any]:
    """A Dask client: to ``scheduler``, or to a new LocalCluster of ``workers`` processes (their
    scratch space, and the nannies' in this process, under ``local_directory``)."""
    import logging

    import dask.config
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout="20s"), None
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"--scheduler {scheduler}: cannot connect to a Dask scheduler there: {exc}") from None
        except ValueError as exc:  # Dask's parse of the address: no port, an unknown protocol
            raise UsageError(f"--scheduler {scheduler}: not a Dask scheduler address ({exc}); give "
                             "tcp://HOST:PORT") from None
    n = workers or os.cpu_count() or 1
    # no dashboard; the scheduler's small HTTP server (health routes) on a free port, not 8787,
    # which another cluster on the machine may hold (Dask would warn and move)
    with dask.config.set({"temporary-directory": local_directory} if local_directory else {}):
        try:
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                                   scheduler_kwargs={"dashboard": False}, silence_logs=logging.ERROR,
                                   local_directory=local_directory)
        except (RuntimeError, OSError) as exc:
            raise UsageError(f"cannot start a local Dask cluster of {n} worker(s): {exc}; give --scheduler "
                             "tcp://HOST:PORT to use a running one") from None
        return Client(cluster), cluster


def _worker_count(client: Any) -> int:
    try:
        return max(1, len(client.scheduler_info(n_workers=-1)["workers"]))
    except TypeError:  # older distributed: no n_workers argument
        return max(1, len(client.scheduler_info()["workers"]))


def prepare_out_dir(spec: SwarmSpec | None, out: Path | None, resume: Path | None) -> tuple[SwarmSpec, Path]:
    """The swarm folder and its spec: a new folder, or ``resume``'s, whose saved spec wins (an
    option given again must agree with it)."""
    if resume is not None:
        path = Path(resume)
        spec_path = path / SPEC_FILE
        if not spec_path.is_file():
            raise UsageError(f"--resume {path}: not a swarm folder (no {SPEC_FILE}); give the folder a "
                             "previous `soundcheck swarm` wrote")
        try:
            saved = SwarmSpec(**json.loads(spec_path.read_text(encoding="utf-8")))
        except (ValueError, TypeError) as exc:
            raise UsageError(f"{spec_path}: cannot read the saved swarm spec: {exc}") from None
        if spec is not None:
            for key, value in spec.to_dict().items():
                if value is not None and value != getattr(saved, key):
                    raise UsageError(f"--resume {path}: --{key.replace('_s', '').replace('_', '-')} "
                                     f"{value!r} differs from the swarm's {getattr(saved, key)!r}; "
                                     "leave it out to carry on with the saved one")
        return saved, path
    if spec is None:
        raise UsageError("a swarm needs --seeds and --duration")
    if out is None:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        out = Path("reports") / f"swarm-{stamp}"
    out = Path(out)
    if (out / SWARM_FILE).exists():
        raise UsageError(f"--out {out}: a swarm was already run there; use --resume {out} to carry on, "
                         "or another folder")
    refuse_a_folder_in_use(out, "--out", "swarm writes its swarm.jsonl, summary.json, report.md and shrunk/")
    # atomic (a full disk leaves no half spec for ``--resume`` to refuse), never through a link
    RunFolder(out, create=True).write_text(SPEC_FILE, json.dumps(spec.to_dict(), indent=2) + "\n")
    return spec, out


def history_report(spec: SwarmSpec, out_dir: Path, row: Mapping[str, Any]) -> dict[str, Any]:
    """One seed's line as the report-shaped record the run-history database stores (kind
    ``swarm``): its seed, fault mix, mutant, outcome and operating time; no performance figures
    (a seed's run keeps no report), so a swarm row is never the baseline of a run's figures."""
    outcome = str(row.get("outcome"))
    violated = list(row.get("violated") or [])
    return {"kind": "swarm",
            "run": {"run_id": f"{out_dir.name}/seed{row['seed']}", "backend": "sim", "seed": row["seed"],
                    "profile": spec.faults, "duration_s": spec.duration_s, "mutant": spec.mutant,
                    "status": "completed", "fault_kinds": list(row.get("kinds") or []), "swarm": str(out_dir)},
            "verdict": {"outcome": outcome, "ok": outcome == "pass", "violated": violated,
                        "inconclusive": list(row.get("inconclusive") or []), "reasons": list(row.get("reasons") or []),
                        "evidence": row.get("evidence")},
            "stability": {"sim_time_s": row.get("simulated_s"), "wall_time_s": row.get("wall_s"),
                          "faults_injected": row.get("injected"),
                          # seeds differ: a failing seed is no regression of the seeds before it
                          "failure_count": None}}


class _SwarmHistory:
    """Records each new seed in the run-history database; a database that cannot be written is
    said once (``warning``) and the swarm goes on: its ``swarm.jsonl`` is the record."""

    def __init__(self, spec: SwarmSpec, out_dir: Path, db: Any) -> None:
        from .reports.history_db import HistoryDB, HistoryDBError, default_db_path

        self.spec, self.out_dir, self.warning = spec, out_dir, None
        self._error = HistoryDBError
        self.db = None
        if db is False:
            return
        path = Path(db) if isinstance(db, (str, os.PathLike)) else default_db_path()
        try:
            self.db = HistoryDB(path)
        except HistoryDBError as exc:
            self.warning = str(exc)

    def record(self, row: Mapping[str, Any]) -> None:
        if self.db is None:
            return
        try:
            self.db.record(history_report(self.spec, self.out_dir, row),
                           run_dir=f"{self.out_dir.resolve()}#seed{row['seed']}")
        except self._error as exc:
            self.warning = str(exc)
            self.close()

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


def run_swarm(spec: SwarmSpec, out_dir: Path, *, scheduler: str | None = None, workers: int | None = None,
              in_flight: int | None = None, progress: bool = True,
              on_row: Callable[[dict[str, Any]], None] | None = None,
              history_db: str | os.PathLike[str] | bool | None = False,
              seed_timeout_s: float | None = None) -> SwarmResult:
    """Run every seed of ``spec`` not yet in ``out_dir/swarm.jsonl`` on Dask; write the record.
    ``history_db``: also record each seed in the run-history database (a path, None for the
    default, False not to). ``seed_timeout_s``: each seed's wall-time bound (``run_seed``)."""
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    seeds = parse_seeds(spec.seeds)
    profile_of(spec.faults, seeds[0])  # an unknown profile is refused before a cluster starts
    if spec.mutant is not None:
        from .mutants import MUTANTS
        if spec.mutant not in MUTANTS:
            raise UsageError(f"--mutant: unknown mutant {spec.mutant!r} (known: {', '.join(MUTANTS)})")
    if spec.system is not None:
        from .sut_protocol import load_system
        load_system(spec.system)  # a bad --system is refused before a cluster starts
    # the record first: a damaged one is refused before a cluster starts
    log = SwarmLog(out_dir / SWARM_FILE)
    for warning in log.warnings:
        print(f"soundcheck: warning: {warning}", file=sys.stderr)
    # the local cluster's scratch space and every seed's run folder, removed whole at the end
    tmp_root = None if scheduler else tempfile.mkdtemp(prefix="soundcheck-swarm-")
    # the swarm's own cluster logs to a file in its folder, not the terminal (``dask_log``); a
    # cluster given with --scheduler is not the swarm's and keeps its logging
    from .dask_log import DASK_LOG_FILE, DaskLogToFile, count_errors, route_driver_logs, size_of
    dask_log = out_dir / DASK_LOG_FILE
    dask_log_from = size_of(dask_log)
    driver_logs = contextlib.ExitStack()
    try:
        if not scheduler:
            driver_logs.enter_context(route_driver_logs(dask_log))
        client, cluster = _connect(scheduler, workers, tmp_root)
        if cluster is not None:
            client.register_plugin(DaskLogToFile(dask_log))
    except BaseException:
        log.close()
        driver_logs.close()
        _remove_tmp(tmp_root)
        raise
    todo = [s for s in seeds if s not in log]
    lost_keys = _watch_lost_tasks(client)
    db = _SwarmHistory(spec, out_dir, history_db)
    errors: dict[int, str] = {}
    session_sim = [0.0]  # simulated seconds run by this driver (a resumed swarm has more on file)
    t0 = time.perf_counter()
    n_workers = _worker_count(client)
    window = in_flight or max(4, 4 * n_workers)
    bar = _Bar(len(seeds), enabled=progress)
    wanted = set(seeds)
    for row in log.rows.values():
        if row["seed"] in wanted:
            bar.update(row, resumed=True)
    try:
        with bar:
            pending = iter(todo)

            futures: dict[str, int] = {}  # task key -> seed

            def submit() -> Any:
                seed = next(pending, None)
                if seed is None:
                    return None
                fut = client.submit(run_seed, seed, spec.duration_s, spec.faults, spec.mutant, spec.system,
                                    tmp_root, seed_timeout_s, key=f"soundcheck-swarm-seed-{seed}-{os.getpid()}-{t0:.0f}", pure=False)
                futures[fut.key] = seed
                return fut

            ac = as_completed([f for f in (submit() for _ in range(window)) if f is not None])
            for fut in ac:
                seed = futures.pop(fut.key)
                try:
                    row = fut.result()
                except KilledWorker as exc:  # each worker that ran it died under it: its verdict
                    row = worker_died_row(seed, spec, exc)
                except Exception as exc:  # noqa: BLE001 - a task the cluster could not run
                    errors[seed] = f"{type(exc).__name__}: {_short(exc, 200)}"
                    bar.error()
                    if _scheduler_lost(exc):
                        # every seed in flight was cancelled with it, and a task submitted now
                        # waits for a scheduler that may never come back: the swarm ends here,
                        # each seed not run named
                        for lost in [*futures.values(), *pending]:
                            errors[lost] = f"not run: {SCHEDULER_LOST}"
                            bar.error()
                        futures.clear()
                        break
                if seed not in errors:
                    if fut.key in lost_keys and (row.get("crash") or {}).get("type") != WORKER_DIED:
                        # its first worker died under it: this is a second run
                        row = {**row, "rerun": "the worker holding it died (killed or crashed) before it "
                                                        "finished; run on another worker"}
                    if log.add(row):
                        db.record(row)
                        session_sim[0] += float(row.get("simulated_s") or 0.0)
                        bar.update(row)
                        if on_row is not None:
                            on_row(row)
                fut.release()
                nxt = submit()
                if nxt is not None:
                    ac.add(nxt)
    finally:
        # what Dask logs as its cluster closes (a nanny whose worker is stopped mid-seed, a
        # heartbeat meeting the scheduler gone) is in the file, not counted as the swarm's
        dask_log_until = size_of(dask_log)
        try:
            log.close()
            db.close()
            # the scheduler would send this client the news of its own leaving on a closed comm
            # (a CRITICAL record with a traceback, at every swarm's end)
            with contextlib.suppress(Exception):
                client.unsubscribe_topic("all")
            if cluster is None:
                with _quiet_closing():
                    client.close()
            else:
                client.close()
                cluster.close()
        finally:
            driver_logs.close()
            _remove_tmp(tmp_root)
    dask_errors = count_errors(dask_log, dask_log_from, dask_log_until)
    if dask_errors:
        print(f"soundcheck: Dask logged {dask_errors} error(s) while the swarm ran (a seed whose worker died is "
              f"that seed's failure in the verdict); every record is in {dask_log}", file=sys.stderr)
    wall = time.perf_counter() - t0
    rows = [log.rows[s] for s in seeds if s in log.rows]
    result = SwarmResult(out_dir, rows, errors, wall, n_workers, session_simulated_s=session_sim[0])
    result.history_db_warning = db.warning
    result.summary = summarize(spec, result)
    return result


def _watch_lost_tasks(client: Any) -> set[str]:
    """The keys of the tasks a worker was running when it left the cluster unannounced (``kill
    -9``, a crash, a lost machine), filled as the scheduler says so. Dask runs such a task again
    on another worker and the seed's row arrives as any other: without this, a swarm that lost a
    worker read exactly as one that did not."""
    lost: set[str] = set()

    def on_event(event: Any) -> None:
        _time, msg = event
        if isinstance(msg, Mapping) and msg.get("action") == "remove-worker" and not msg.get("expected"):
            lost.update(str(k) for k in msg.get("processing-tasks") or ())

    client.subscribe_topic("all", on_event)
    return lost


#: what a seed not run because the swarm lost its scheduler is marked with
SCHEDULER_LOST = ("the swarm lost its Dask scheduler (killed, or unreachable) before this seed ran; "
                  "`soundcheck swarm --resume` runs it on a cluster that is up")


def _scheduler_lost(exc: BaseException) -> bool:
    """Whether a seed's task failed because the client lost its scheduler: Dask cancels every
    task in flight with reason ``scheduler-connection-lost`` and keeps tasks submitted afterwards
    waiting for a reconnection that, once its timeout passes, never comes (the swarm hung)."""
    return getattr(exc, "reason", None) == "scheduler-connection-lost"


#: the loggers Dask writes to while a client closes
_DASK_LOGGERS = ("distributed", "distributed.nanny", "distributed.core", "distributed.worker",
                 "distributed.scheduler", "distributed.client")


@contextlib.contextmanager
def _quiet_closing() -> Any:
    """Dask's loggers silenced in this process while the client of a ``--scheduler`` cluster
    closes (Ctrl-C): a traceback logged then reads as a crash to the user, and what a seed did
    wrong is on record already (its row, or ``errors``). The swarm's own local cluster needs no
    silence: its records go to ``dask.log`` (``dask_log``)."""
    import logging

    loggers = [logging.getLogger(n) for n in _DASK_LOGGERS]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def _remove_tmp(path: str | None) -> None:
    """Remove the swarm's temp folder (after its cluster closed: no worker writes there any more)."""
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)


# ==================================================================================== progress ====

class _Bar:
    """A rich progress bar: seeds done of all, failed, simulated hours per wall hour."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.enabled = enabled
        self.sim_s = 0.0
        self.failed = 0
        self.inconclusive = 0
        self.errors = 0
        self.t0 = time.perf_counter()
        self.progress = Progress(TextColumn("swarm"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[stats]}"), TimeElapsedColumn(),
                                 console=Console(stderr=True), disable=not enabled)
        self.task = self.progress.add_task("swarm", total=total, stats="")

    def __enter__(self) -> "_Bar":
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def _stats(self) -> str:
        wall_h = (time.perf_counter() - self.t0) / 3600
        rate = f"{self.sim_s / 3600 / wall_h:,.0f} sim h/wall h" if wall_h > 0 and self.sim_s else "-"
        extra = (f" inconclusive {self.inconclusive}" if self.inconclusive else "") + \
                (f" errors {self.errors}" if self.errors else "")
        return f"failed {self.failed}{extra}  {rate}"

    def update(self, row: Mapping[str, Any], *, resumed: bool = False) -> None:
        if not resumed:
            self.sim_s += float(row.get("simulated_s") or 0.0)
        self.failed += row["outcome"] == "fail"
        self.inconclusive += row["outcome"] == "inconclusive"
        self.progress.update(self.task, advance=1, stats=self._stats())

    def error(self) -> None:
        self.errors += 1
        self.progress.update(self.task, stats=self._stats())


# ===================================================================================== summary ====

#: a failing seed's kinds of failure besides its invariants, crashes and leaks: the verdict's own
#: failure clauses (``verdict.judge_run``), each to its group
_FAILURE_CLAUSES: tuple[tuple[str, str], ...] = (
    ("steady state did not return after the last fault", "steady_state:not_back"),
    ("steady state did not return at the run's end", "steady_state:not_back"),
    ("gate ", "gate"),
)
#: an inconclusive seed's doubts (``verdict.judge_run``'s clauses, in its words) to their reason
_DOUBT_CLAUSES: tuple[tuple[str, str], ...] = (
    ("no invariant was checked", "no_checks"),
    ("the run did not finish", "interrupted"),
    ("the system never ran", "not_started"),
    ("leak judgement inconclusive", "leak_judgement"),
    ("part of the run's record was lost", "record_lost"),
    ("steady state did not return after the last fault, but there was none before", "steady_state:none_before"),
    ("steady state after the last fault could not be observed", "steady_state:not_observed"),
    ("the system was not steady before the first fault", "steady_state:not_steady_before"),
    # the same three in a run with no faults (``verdict.PLAIN_WINDOWS``)
    ("the system was steady neither at the run's start nor at the run's end", "steady_state:none_before"),
    ("steady state at the run's end could not be observed", "steady_state:not_observed"),
    ("the system was not steady at the run's start", "steady_state:not_steady_before"),
    ("the fault profile asked for faults but none was injected", "no_faults_injected"),
    ("fault kinds the schedule drew never fired", "kinds_never_fired"),
    ("gate ", "gate_not_measured"),
)


def failure_signatures(row: Mapping[str, Any]) -> list[str]:
    """Each way a failing seed failed, one signature per group of the swarm's report:
    ``invariant:NAME`` per violated invariant, ``system_crash:TYPE`` or ``harness_crash:TYPE`` for
    a crash by whose code raised (not ``invariant:run_completed`` beside it: the crash names it),
    ``leak:METRIC`` per metric whose slope the report's rule calls a leak, ``timeout``, and the
    verdict's other failures (``steady_state:not_back``, a gate). Empty for a seed that did not fail.

    Why one signature per way and not one group per set of invariants: a seed that leaked and
    violated nothing was grouped with the crashes (both had no invariant), and a group keyed by a
    set hid that two seeds share a violation. A shrink keeps one signature failing."""
    if row.get("outcome") != "fail":
        return []
    sigs: list[str] = []
    crash = row.get("crash") if isinstance(row.get("crash"), Mapping) else None
    for name in row.get("violated") or ():
        if name == "run_completed" and crash is not None:
            continue
        sigs.append(f"invariant:{name}")
    if crash is not None:
        sigs.append(f"{'system' if crash.get('by') == 'system' else 'harness'}_crash:{crash.get('type')}")
    for metric, d in sorted((row.get("leaks") or {}).items()):
        if isinstance(d, Mapping) and d.get("verdict") == "leak":
            sigs.append(f"leak:{metric}")
    failures = row.get("failures")
    clauses = failures if failures is not None else row.get("reasons") or ()
    if not any(sig.startswith("leak:") for sig in sigs):  # a line without slopes: its verdict's words
        for clause in clauses:
            if str(clause).startswith("leak suspected: "):
                # a resumed soak's metric carries its lifetimes rule, "rss_bytes (lifetimes apart)"
                sigs += [f"leak:{m.split(' (')[0].strip()}" for m in str(clause).split(": ", 1)[1].split(",") if m.strip()]
    if row.get("timeout"):
        sigs.append("timeout")
    for clause in clauses:
        for head, sig in _FAILURE_CLAUSES:
            if str(clause).startswith(head) and sig not in sigs:
                sigs.append(sig)
    if not sigs:  # a failure of a kind this table does not know: its own clause names the group
        first = next(iter(clauses), "") or "no reason recorded"
        sigs.append("other:" + _short(str(first).split(":", 1)[0], 80))
    return sigs


def inconclusive_reasons(row: Mapping[str, Any]) -> list[str]:
    """Why an inconclusive seed proved nothing, one reason per group: ``invariant:NAME`` per check
    that could not reach a verdict, ``device_loss`` for a loss nothing explains, ``timeout``,
    and the verdict's other doubts by their clause (``steady_state:not_observed``,
    ``kinds_never_fired``, ...). Empty for a seed that passed or failed (a failing seed's doubts
    are beside its failure, which decides its group)."""
    if row.get("outcome") != "inconclusive":
        return []
    reasons = [f"invariant:{name}" for name in row.get("inconclusive") or ()]
    if row.get("timeout"):
        reasons.append("timeout")
    doubts = row.get("doubts")
    for doubt in (doubts if doubts is not None else row.get("reasons") or ()):
        text = str(doubt)
        if text.startswith("inconclusive: "):
            if not row.get("inconclusive"):
                reasons.append("invariant:" + text.split(": ", 1)[1].split(" ", 1)[0].rstrip(","))
            continue
        if "with nothing to explain them" in text and ("device loss" in text or "stall" in text):
            reason = "device_loss"
        else:
            reason = next((r for head, r in _DOUBT_CLAUSES if text.startswith(head)),
                          "other:" + _short(text.split(":", 1)[0], 80))
        if reason in ("interrupted", "steady_state:not_observed") and row.get("timeout"):
            continue  # stopped by its own bound before its end: the timeout names why
        if reason not in reasons:
            reasons.append(reason)
    return reasons or ["other:no reason recorded"]


def _grouped(rows: Iterable[Mapping[str, Any]], keys: Callable[[Mapping[str, Any]], list[str]]
             ) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        for key in keys(r):
            groups[key].append(int(r["seed"]))
    return dict(sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])))


def failure_groups(rows: Iterable[Mapping[str, Any]]) -> dict[str, list[int]]:
    """Failing seeds by signature (``failure_signatures``): a seed that failed two ways is in both groups."""
    return _grouped(rows, failure_signatures)


def inconclusive_groups(rows: Iterable[Mapping[str, Any]]) -> dict[str, list[int]]:
    """Inconclusive seeds by reason (``inconclusive_reasons``)."""
    return _grouped(rows, inconclusive_reasons)


#: what each kind of signature is called in the report
KIND_TITLES: dict[str, str] = {
    "invariant": "invariant violated", "system_crash": "the system crashed",
    "harness_crash": "the harness crashed (a bug of soundcheck's, not the system's)",
    "leak": "leak", "timeout": "timeout", "steady_state": "steady state", "gate": "performance gate",
    "other": "other failure",
}


def _group_entry(sig: str, seeds: list[int]) -> dict[str, Any]:
    kind, _, name = sig.partition(":")
    return {"signature": sig, "kind": kind, "name": name, "seeds": seeds[:1000], "count": len(seeds)}


def swarm_verdict(outcomes: Mapping[str, int], *, errors: int, interrupted: bool, done: int) -> str:
    """``pass``, ``fail`` or ``inconclusive`` for the whole swarm: a pass only when every seed ran
    and passed; an inconclusive seed, a seed the cluster could not run or a stopped swarm makes
    it inconclusive at best, never a pass."""
    if outcomes.get("fail"):
        return "fail"
    if outcomes.get("inconclusive") or errors or interrupted or not done:
        return "inconclusive"
    return "pass"


def summarize(spec: SwarmSpec, result: SwarmResult) -> dict[str, Any]:
    rows = result.rows
    outcomes = Counter(r["outcome"] for r in rows)
    sim_s = sum(float(r.get("simulated_s") or 0.0) for r in rows)
    task_wall = sum(float(r.get("wall_s") or 0.0) for r in rows)
    groups = failure_groups(rows)
    doubts = inconclusive_groups(rows)
    counted = {k: outcomes.get(k, 0) for k in ("pass", "fail", "inconclusive")}
    return {
        "soundcheck": "swarm-summary",
        "schema_version": 2,
        "spec": spec.to_dict(),
        # interrupted: stopped before every seed ran (Ctrl-C, SIGTERM); never a pass
        "status": "interrupted" if result.interrupted else "completed",
        "verdict": swarm_verdict(counted, errors=len(result.errors), interrupted=result.interrupted,
                                 done=len(rows)),
        "seeds_total": len(parse_seeds(spec.seeds)),
        "seeds_done": len(rows),
        "outcomes": counted,
        "errors": {str(k): v for k, v in sorted(result.errors.items())},
        "exit_code": result.exit_code,
        "simulated_hours": round(sim_s / 3600, 4),
        "task_wall_s": round(task_wall, 3),
        "workers": result.workers,
        "driver_wall_s": round(result.wall_s, 3),
        "session_simulated_hours": round(result.session_simulated_s / 3600, 4),
        "sim_hours_per_wall_hour": round(result.session_simulated_s / result.wall_s, 1) if result.wall_s > 0 else None,
        "failures": [_group_entry(k, v) for k, v in groups.items()],
        "inconclusive": [{**_group_entry(k, v), "reason": k} for k, v in doubts.items()],
        "inconclusive_seeds": [r["seed"] for r in rows if r["outcome"] == "inconclusive"][:1000],
        # seeds whose worker died mid-run and that Dask ran again: each row is its second, whole run
        "rerun_seeds": [r["seed"] for r in rows if r.get("rerun")][:1000],
        "shrunk": result.shrunk,
    }


def group_title(group: Mapping[str, Any]) -> str:
    """A group's heading: its kind in words and its name (``invariant violated: resources``)."""
    kind = str(group.get("kind"))
    name = str(group.get("name") or "")
    title = KIND_TITLES.get(kind, kind)
    return f"{title}: {name}" if name else title


def write_outputs(result: SwarmResult) -> None:
    """``summary.json`` and ``report.md`` in the swarm folder, each replaced atomically: a full
    disk is a ``RunFolderError`` naming the file (exit 2), and the file keeps its last whole
    version, never half of a new one."""
    folder = RunFolder(result.out_dir)
    result.summary["shrunk"] = result.shrunk
    result.summary["exit_code"] = result.exit_code
    folder.write_text(SUMMARY_FILE, json.dumps(result.summary, indent=2) + "\n")
    folder.write_text(REPORT_FILE, render_report(result))


def render_report(result: SwarmResult) -> str:
    s = result.summary
    spec = s["spec"]
    o = s["outcomes"]
    by_seed = {r["seed"]: r for r in result.rows}
    verdict = s.get("verdict") or swarm_verdict(o, errors=len(s["errors"]), interrupted=s.get("status") == "interrupted",
                                                done=s["seeds_done"])
    headline = {"pass": f"**PASS**: every one of the {s['seeds_done']} seed(s) passed",
                "fail": f"**FAIL**: {o['fail']} seed(s) failed, in {len(s['failures'])} group(s) below",
                "inconclusive": "**INCONCLUSIVE**: no seed failed, but "
                                + ", ".join(x for x in (f"{o['inconclusive']} seed(s) could not be judged"
                                                        if o["inconclusive"] else "",
                                                        f"{len(s['errors'])} seed(s) were not run" if s["errors"] else "",
                                                        "the swarm was stopped before its end"
                                                        if s.get("status") == "interrupted" else "") if x)
                                + ": the swarm cannot vouch for the system"}[verdict]
    lines = [f"# Swarm report ({result.out_dir.name})", "",
             f"- verdict: {headline}",
             f"- seeds: {spec['seeds']} ({s['seeds_done']} of {s['seeds_total']} done), "
             f"{spec['duration_s']:g} s simulated each, faults {spec['faults']}"
             + (f", mutant {spec['mutant']}" if spec.get("mutant") else ""),
             f"- pass {o['pass']}, fail {o['fail']}, inconclusive {o['inconclusive']}, "
             f"not run (errors) {len(s['errors'])}; exit code {s['exit_code']}",
             *([f"- **INTERRUPTED** before its end: {s['seeds_total'] - s['seeds_done']} of {s['seeds_total']} "
                f"seed(s) not run, so the swarm cannot pass (inconclusive at best); `soundcheck swarm --resume "
                f"{result.out_dir}` carries it on"] if s.get("status") == "interrupted" else []),
             *([f"- rerun: {len(s['rerun_seeds'])} seed(s) were given to another worker because the worker holding them died "
                f"(killed or crashed) before they finished; their rows are that whole run: "
                + ", ".join(map(str, s["rerun_seeds"][:50]))] if s.get("rerun_seeds") else []),
             f"- {s['simulated_hours']:.3f} simulated hours on file; this driver: {s['session_simulated_hours']:.3f} "
             f"in {s['driver_wall_s']:.1f} s on {s['workers']} worker(s) ({s['sim_hours_per_wall_hour']} simulated "
             "hours per wall hour)",
             ""]
    if s["failures"]:
        lines += ["## Failing seeds by kind of failure", "",
                  "A seed that failed in two ways is in both groups.", ""]
        for g in s["failures"]:
            seeds = g["seeds"]
            lines.append(f"### {group_title(g)}: {g['count']} seed(s)")
            lines.append("")
            lines.append("seeds: " + ", ".join(map(str, seeds[:50])) + (" ..." if len(seeds) > 50 else ""))
            first = by_seed.get(seeds[0], {})
            crash = first.get("crash") if isinstance(first.get("crash"), Mapping) else None
            if g.get("kind", "").endswith("_crash") and crash is not None and crash.get("type") == WORKER_DIED:
                lines.append(f"the worker process died under seed {seeds[0]} on each of its {crash.get('tries')} tries; "
                             f"not shrunk (a shrink runs in this process); replay it: `{first.get('replay')}`")
            elif g.get("kind", "").endswith("_crash") and crash is not None:
                lines.append(f"raised in the {crash.get('by')}'s code at {crash.get('where')} (seed {seeds[0]})")
            leak = (first.get("leaks") or {}).get(g.get("name")) if g.get("kind") == "leak" else None
            if isinstance(leak, Mapping):
                lines.append(f"slope (seed {seeds[0]}): {leak.get('slope_per_hour')} {leak.get('unit') or ''} per hour")
            if first.get("evidence"):
                lines.append(f"first evidence (seed {seeds[0]}, kinds {', '.join(first.get('kinds', []))}): "
                             f"`{first['evidence']}`")
            lines.append("")
    if s.get("inconclusive"):
        lines += ["## Inconclusive seeds by reason", "",
                  "Nothing failed in these seeds, and they prove nothing either; a seed with two reasons is in both groups.", ""]
        for g in s["inconclusive"]:
            seeds = g["seeds"]
            first = by_seed.get(seeds[0], {})
            why = "; ".join(first.get("doubts") or first.get("reasons") or ())
            lines.append(f"### {g['reason']}: {g['count']} seed(s)")
            lines.append("")
            lines.append("seeds: " + ", ".join(map(str, seeds[:50])) + (" ..." if len(seeds) > 50 else ""))
            if why:
                lines.append(f"why (seed {seeds[0]}): `{_short(why, 320)}`")
            lines.append("")
    elif s["inconclusive_seeds"]:
        lines += ["## Inconclusive seeds", "", ", ".join(map(str, s["inconclusive_seeds"][:100])), ""]
    if s["errors"]:
        lines += ["## Seeds the cluster could not run (run again with --resume)", ""]
        lines += [f"- seed {k}: {v}" for k, v in list(s["errors"].items())[:50]] + [""]
    if result.shrunk:
        lines += ["## Shrunk failures", ""]
        for sh in result.shrunk:
            lines.append(f"- {sh.get('signature') or ', '.join(sh.get('violated', []))}: seed {sh['seed']}, schedule "
                         f"{sh.get('faults_before')} -> {sh.get('faults_after')} fault(s), run "
                         f"{sh.get('duration_before')} -> {sh.get('duration_after')} s, {sh.get('runs')} runs; "
                         f"scenario {sh.get('scenario') or '-'}"
                         + (f" (reproduces: {sh.get('scenario_fails')}, passes healthy: "
                            f"{sh.get('scenario_passes_healthy')})" if sh.get("scenario") else "")
                         + (f"; {sh['note']}" if sh.get("note") else ""))
        lines.append("")
    return "\n".join(lines)


__all__ = ["SWARM_KINDS", "WORKER_DIED", "history_report", "seed_schedule", "SwarmLog", "SwarmResult", "SwarmSpec", "build_run", "failure_groups",
           "failure_signatures", "group_title", "inconclusive_groups", "inconclusive_reasons", "swarm_verdict",
           "parse_seeds", "prepare_out_dir", "profile_of", "render_report", "replay_command", "run_seed", "run_swarm",
           "summarize", "swarm_profile", "worker_died_row", "write_outputs"]
