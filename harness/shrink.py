"""Shrinking: a failing seed's fault schedule cut down to a minimal one that still fails the same way.

A swarm seed fails with a schedule of tens of faults over a minute; the bug usually needs one or
two of them. The shrinker re-runs the seed (the simulated backend is deterministic: the same seed
and the same schedule give the same history) with candidate schedules and keeps a candidate when
the run still violates the same invariant, in four passes:

1. drop faults: delta debugging (``ddmin``, Zeller & Hildebrandt 2002) over the list of faults;
2. shorten each fault: halve its duration (and a ``count``) while it still fails;
3. move each fault earlier: halve its time while it still fails;
4. shorten the run: halve the simulated duration, never below the end of the last fault.

Every fault keeps its ``fault_id``, so the random draws a fault makes (an invalid configuration,
an operator's calls) are the same in every candidate. The search is deterministic and bounded by
``max_runs`` runs. The result is saved as a schedule JSON (``soundcheck scenario shrink`` reads it
back) and exported as a scenario TOML with ``harness.scenarios.export_failure``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .durations import MAX_RUN_S
from .errors import InputFileError, UsageError
from .faults import At, Fault, Schedule, fault_from_dict
from .inputs import SEED_MAX, clip, closest, load_document, validation_message
from .runfolder import RunFolder

T = TypeVar("T")

SCHEDULE_FORMAT = "soundcheck-schedule"
#: the shortest fault duration and run duration a shrink tries
MIN_FAULT_S = 0.005
MIN_RUN_S = 0.5


# ==================================================================================== ddmin ====

class BudgetExhausted(Exception):
    """The shrinker used up its runs; the smallest failing candidate so far stands."""


def ddmin(items: Sequence[T], fails: Callable[[list[T]], bool]) -> list[T]:
    """Zeller's ddmin: a 1-minimal sublist of ``items`` for which ``fails`` still holds
    (``fails(items)`` is assumed). Tries the empty list first: some failures need no fault at all.
    When ``fails`` raises ``BudgetExhausted`` the smallest failing list found so far is returned."""
    items = list(items)
    try:
        if fails([]):
            return []
        n = 2
        while len(items) >= 2:
            size = math.ceil(len(items) / n)
            chunks = [items[i:i + size] for i in range(0, len(items), size)]
            for chunk in chunks:
                if fails(chunk):
                    items, n = chunk, 2
                    break
            else:
                for i in range(len(chunks)):
                    rest = [x for j, c in enumerate(chunks) if j != i for x in c]
                    if fails(rest):
                        items, n = rest, max(n - 1, 2)
                        break
                else:
                    if n >= len(items):
                        break
                    n = min(len(items), 2 * n)
    except BudgetExhausted:
        pass
    return items


# ================================================================================ schedules ====

def schedule_to_dict(schedule: Schedule) -> dict[str, Any]:
    """``Schedule.to_dict`` plus each fault's ``fault_id`` (the seed of its random draws)."""
    d = schedule.to_dict()
    for fd, f in zip(d["faults"], schedule.faults, strict=True):
        fd["fault_id"] = f.fault_id
    return d


def schedule_from_dict(d: dict[str, Any]) -> Schedule:
    return Schedule([fault_from_dict(f) for f in d.get("faults", [])], name=d.get("name", "custom"),
                    seed=int(d.get("seed", 0)), duration_s=d.get("duration_s"))


def _time(f: Fault) -> float:
    return float(getattr(f.trigger, "time", 0.0))


def _end(f: Fault) -> float:
    return _time(f) + float(f.duration_s or 0.0)


# ================================================================================ shrinking ====

@dataclass
class ShrinkResult:
    seed: int
    invariant: str
    mutant: str | None
    faults: str
    before: Schedule
    after: Schedule
    duration_before: float
    duration_after: float
    runs: int
    exhausted: bool
    reproduced: bool
    violated_after: list[str] = field(default_factory=list)
    #: ``--system module:factory`` the seed ran (None: the shipped ``AudioSystem``)
    system: str | None = None
    #: the verdict of the seed's first re-run with the schedule as given (``pass``, ``fail``,
    #: ``inconclusive``) and its doubts: a seed that no longer fails may be inconclusive, which is
    #: not a pass and is said as such
    outcome_before: str | None = None
    doubts_before: list[str] = field(default_factory=list)
    #: the failure signatures of the shrunk schedule's run (``harness.swarm.failure_signatures``)
    signatures_after: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The saved form (``soundcheck scenario shrink`` reads it back)."""
        return {"soundcheck": SCHEDULE_FORMAT, "seed": self.seed, "invariant": self.invariant,
                "signature": signature_of(self.invariant),
                "mutant": self.mutant, "faults": self.faults, "duration_s": self.duration_after,
                **({"system": self.system} if self.system else {}),
                "schedule": schedule_to_dict(self.after),
                "shrink": {"faults_before": len(self.before), "faults_after": len(self.after),
                           "duration_before": self.duration_before, "runs": self.runs,
                           "budget_exhausted": self.exhausted, "reproduced": self.reproduced,
                           "violated_after": self.violated_after, "signatures_after": self.signatures_after}}


def signature_of(target: str) -> str:
    """A shrink's target as a failure signature (``harness.swarm.failure_signatures``): an
    invariant's bare name (a saved schedule of before signatures) is ``invariant:NAME``."""
    return target if ":" in target else f"invariant:{target}"


class Shrinker:
    """Re-runs one seed with candidate schedules; ``shrink()`` applies the four passes.

    ``invariant``: what must keep failing, a failure signature (``leak:sut_buffers``,
    ``system_crash:RecoveryCrash``, ``invariant:recovery``) or an invariant's bare name. A
    candidate reproduces the failure only when its run fails that same way, judged by the swarm's
    own rule (``failure_signatures`` of the run's line): a leak by the report's leak rule and
    bounds (``harness.leaks``: no window under ``MIN_LEAK_WINDOW_S`` shows one, so the run is never
    cut below it), a crash by whose code raised and its type."""

    def __init__(self, seed: int, invariant: str, *, faults: str = "swarm", mutant: str | None = None,
                 max_runs: int = 150, workdir: Path | None = None, system: str | None = None) -> None:
        self.seed = seed
        self.invariant = invariant
        self.signature = signature_of(invariant)
        self.faults = faults
        self.mutant = mutant
        self.system = system  # ``--system module:factory`` of the swarm, or None
        self.max_runs = max_runs
        self.runs = 0
        self.exhausted = False
        self._cache: dict[str, list[str]] = {}
        #: each run's failure signatures, by the same key as ``_cache``
        self.signatures: dict[str, list[str]] = {}
        #: each run's verdict outcome and doubts, by the same key as ``_cache``
        self.outcomes: dict[str, tuple[str, list[str]]] = {}
        self._own_tmp = workdir is None
        self.workdir = Path(workdir) if workdir is not None else Path(tempfile.mkdtemp(prefix="soundcheck-shrink-"))

    def _key(self, faults: Sequence[Fault], duration_s: float) -> str:
        schedule = Schedule(list(faults), name="shrink", seed=self.seed, duration_s=duration_s)
        return json.dumps([schedule_to_dict(schedule), duration_s], sort_keys=True, default=str)

    def violated(self, faults: Sequence[Fault], duration_s: float, *, keep_dir: Path | None = None) -> list[str]:
        """The invariants a run of the seed with these faults violates (cached by schedule)."""
        from .swarm import build_run

        key = self._key(faults, duration_s)
        if keep_dir is None and key in self._cache:
            return self._cache[key]
        if keep_dir is None and self.runs >= self.max_runs:
            self.exhausted = True
            raise BudgetExhausted
        self.runs += keep_dir is None
        run_dir = keep_dir or self.workdir / f"try-{self.runs}"
        # fresh Fault objects per run: a run arms the faults it is given
        copy = Schedule([dataclasses.replace(f) for f in faults], name="shrink", seed=self.seed,
                        duration_s=duration_s)
        try:
            result = build_run(self.seed, duration_s, self.faults, self.mutant, run_dir, schedule=copy,
                               system=self.system).execute(reports=False)
            self.signatures[key] = self._signatures(result)
            violated = list(result.verdict.violated)
            self.outcomes[key] = (result.verdict.outcome.value, list(result.verdict.doubts))
        finally:
            if keep_dir is None:
                shutil.rmtree(run_dir, ignore_errors=True)
        self._cache[key] = violated
        return violated

    def _signatures(self, result: Any) -> list[str]:
        """The run's failure signatures, as its swarm line would give them. The report's leak rule
        (``judge_as_its_report``, which builds the report) runs only for a leak target: an
        invariant or a crash needs the verdict alone."""
        from .swarm import failure_signatures

        leaks: dict[str, Any] = {}
        if self.signature.startswith("leak:"):
            from .runner import judge_as_its_report

            leaks = judge_as_its_report(result)
        verdict = result.verdict
        summary = getattr(result, "summary", None) or {}
        return failure_signatures({"outcome": verdict.outcome.value, "violated": verdict.violated,
                                   "failures": list(verdict.failures), "crash": summary.get("crash"),
                                   "leaks": leaks})

    def fails(self, faults: Sequence[Fault], duration_s: float) -> bool:
        self.violated(faults, duration_s)
        return self.signature in self.signatures[self._key(faults, duration_s)]

    def shrink(self, schedule: Schedule, duration_s: float) -> ShrinkResult:
        before = Schedule(list(schedule.faults), name=schedule.name, seed=self.seed, duration_s=duration_s)
        faults = sorted(schedule.faults, key=_time)
        duration = duration_s
        reproduced = self.fails(faults, duration)
        outcome_before, doubts_before = self.outcomes.get(self._key(faults, duration), (None, []))
        if reproduced:
            faults = ddmin(faults, lambda fs: self.fails(fs, duration))
            faults = self._shorten_faults(faults, duration)
            faults = self._move_earlier(faults, duration)
            duration = self._shorten_run(faults, duration)
        faults = sorted(faults, key=_time)
        after = Schedule(faults, name=f"shrunk:{schedule.name}", seed=self.seed, duration_s=duration)
        last = self._cache.get(self._key(faults, duration), [])
        return ShrinkResult(self.seed, self.invariant, self.mutant, self.faults, before, after, duration_s,
                            duration, self.runs, self.exhausted, reproduced, last, system=self.system,
                            outcome_before=outcome_before, doubts_before=doubts_before,
                            signatures_after=self.signatures.get(self._key(faults, duration), []))

    def _try(self, faults: list[Fault], i: int, new: Fault, duration: float) -> list[Fault]:
        """``faults`` with fault ``i`` replaced by ``new`` if that still fails, else ``faults``
        itself (also once the budget is spent: the passes then end with what they have)."""
        trial = [*faults[:i], new, *faults[i + 1:]]
        try:
            return trial if self.fails(trial, duration) else faults
        except BudgetExhausted:
            return faults

    def _shorten_faults(self, faults: list[Fault], duration: float) -> list[Fault]:
        for i in range(len(faults)):
            while faults[i].duration_s > MIN_FAULT_S:
                f = faults[i]
                new = dataclasses.replace(f, duration_s=max(MIN_FAULT_S, round(f.duration_s / 2, 6)))
                kept = self._try(faults, i, new, duration)
                if kept is faults:
                    break
                faults = kept
            while getattr(faults[i], "count", 1) > 1:
                f = faults[i]
                kept = self._try(faults, i, dataclasses.replace(f, count=f.count // 2), duration)  # type: ignore[attr-defined]
                if kept is faults:
                    break
                faults = kept
        return faults

    def _move_earlier(self, faults: list[Fault], duration: float) -> list[Fault]:
        for i in range(len(faults)):
            while isinstance(faults[i].trigger, At) and _time(faults[i]) > 0.01:
                f = faults[i]
                new = dataclasses.replace(f, trigger=At(round(_time(f) / 2, 4)))
                kept = self._try(faults, i, new, duration)
                if kept is faults:
                    break
                faults = kept
        return sorted(faults, key=_time)

    def _shorten_run(self, faults: list[Fault], duration: float) -> float:
        floor = max(MIN_RUN_S, max((_end(f) for f in faults), default=0.0) + 0.05)
        if self.signature.startswith("leak:"):
            from .leaks import MIN_LEAK_WINDOW_S

            floor = max(floor, MIN_LEAK_WINDOW_S)  # the leak rule calls nothing shorter a leak
        while duration / 2 >= floor or duration > floor * 1.05:
            trial = round(max(floor, duration / 2), 3)
            try:
                if trial >= duration or not self.fails(faults, trial):
                    break
            except BudgetExhausted:
                break
            duration = trial
        return duration

    def close(self) -> None:
        if self._own_tmp:
            shutil.rmtree(self.workdir, ignore_errors=True)


def shrink_seed(seed: int, duration_s: float, invariant: str, *, faults: str = "swarm",
                mutant: str | None = None, schedule: Schedule | None = None, max_runs: int = 150,
                system: str | None = None) -> ShrinkResult:
    """Shrink seed ``seed``'s schedule (the one its profile draws, or ``schedule``)."""
    from .swarm import seed_schedule

    if schedule is None:
        schedule = seed_schedule(faults, seed, duration_s)
    shrinker = Shrinker(seed, invariant, faults=faults, mutant=mutant, max_runs=max_runs, system=system)
    try:
        return shrinker.shrink(schedule, duration_s)
    finally:
        shrinker.close()


# ================================================================================= exporting ====

def export(result: ShrinkResult, out_dir: Path) -> dict[str, Any]:
    """Save the shrunk schedule (JSON), re-run it once keeping its history, export that history
    as a scenario TOML, and check the scenario: it must fail under the system the seed failed on
    and (for a mutant) pass on the healthy system. Returns what was written and found."""
    from .scenarios import export_failure, run_scenario

    out_dir.mkdir(parents=True, exist_ok=True)
    signature = signature_of(result.invariant)
    kind, _, name = signature.partition(":")
    stem = f"seed{result.seed}-{name}" if kind == "invariant" else f"seed{result.seed}-{kind}-{name}"
    # atomically and never through a link (``RunFolder``): a shrink killed or out of room leaves the
    # old schedule or none, never a torn one that ``soundcheck scenario shrink`` would refuse
    sched_path = RunFolder(out_dir).write_text(f"{stem}.schedule.json", json.dumps(result.to_dict(), indent=2) + "\n")
    info: dict[str, Any] = {"seed": result.seed, "invariant": result.invariant, "signature": signature,
                            "signatures_after": result.signatures_after,
                            "faults_before": len(result.before), "faults_after": len(result.after),
                            "duration_before": result.duration_before, "duration_after": result.duration_after,
                            "runs": result.runs, "budget_exhausted": result.exhausted,
                            "reproduced": result.reproduced, "schedule": str(sched_path),
                            "kinds_after": sorted({f.kind for f in result.after.faults})}
    if not result.reproduced:
        info["note"] = "the seed did not fail again when re-run: nothing to shrink"
        return info
    if kind != "invariant":
        return _export_other(result, info, out_dir, stem, kind, name)
    history, factory = _rerun_shrunk(result, out_dir / f"{stem}-run")
    try:
        path = export_failure(history, config=None, seed=result.seed, failed_invariant=name,
                              out_dir=out_dir, system_factory=factory,
                              title=f"Shrunk swarm seed {result.seed}: invariant {name}",
                              reproduces=f"soundcheck swarm seed {result.seed}"
                                         + (f" under mutant {result.mutant}" if result.mutant else "")
                                         + f", shrunk from {len(result.before)} to {len(result.after)} fault(s)")
    except InputFileError as exc:  # the exporter wrote a timeline its own loader refuses
        info["note"] = f"no scenario exported: {exc}; the schedule JSON reproduces the failure"
        return info
    info["scenario"] = str(path)
    res = run_scenario(path, system_factory=factory)
    # a real failure of the invariant: one its check could not judge reproduces nothing
    info["scenario_fails"] = res.failed and any(f.invariant == name
                                                for f in res.failed_expectations())
    if result.mutant:
        info["scenario_passes_healthy"] = run_scenario(path).passed
    if not info["scenario_fails"]:
        info["note"] = ("the exported scenario does not reproduce the failure: the scenario exporter does not "
                        "carry every fault of the shrunk schedule (" + ", ".join(info["kinds_after"]) + "); "
                        "the schedule JSON reproduces it (`soundcheck scenario shrink` re-runs it)")
    return info


def _rerun_shrunk(result: ShrinkResult, run_dir: Path) -> tuple[Any, Any]:
    """The shrunk schedule run once more with its run folder kept in ``run_dir`` (emptied first):
    its history, and the system factory its scenario runs (the mutant's, the ``--system``'s, or
    None for the shipped system). What an exporter turns into a scenario."""
    from .history import History
    from .scenarios.executor import mutant_factory

    shutil.rmtree(run_dir, ignore_errors=True)
    shrinker = Shrinker(result.seed, result.invariant, faults=result.faults, mutant=result.mutant,
                        system=result.system)
    try:
        shrinker.violated(result.after.faults, result.duration_after, keep_dir=run_dir)
    finally:
        shrinker.close()
    history = History.read_jsonl(run_dir / "history.jsonl")
    factory: Any = mutant_factory(result.mutant) if result.mutant else None
    if factory is None and result.system:
        from .sut_protocol import load_system
        factory = load_system(result.system, check=False).factory
    return history, factory


def _export_other(result: ShrinkResult, info: dict[str, Any], out_dir: Path, stem: str, kind: str,
                  name: str) -> dict[str, Any]:
    """The scenario of a shrunk failure that is no invariant's: a leak becomes a scenario whose
    ``no_leak`` expectation judges the same metric's slope over the same timeline by the same rule;
    a crash or a harness's failure keeps its schedule JSON only (a scenario's expectations judge
    the system's behaviour, and a harness crash says nothing of the system)."""
    if kind != "leak":
        info["note"] = (f"no scenario for a {kind.replace('_', ' ')}: the schedule JSON reproduces it "
                        "(`soundcheck scenario shrink FILE` re-runs it)")
        return info
    from .scenarios import export_leak, run_scenario

    history, factory = _rerun_shrunk(result, out_dir / f"{stem}-run")
    path = export_leak(history, seed=result.seed, metric=name, out_dir=out_dir,
                       title=f"Shrunk swarm seed {result.seed}: leak of {name}",
                       reproduces=f"soundcheck swarm seed {result.seed}"
                                  + (f" under mutant {result.mutant}" if result.mutant else "")
                                  + f", shrunk from {len(result.before)} to {len(result.after)} fault(s)")
    info["scenario"] = str(path)
    res = run_scenario(path, system_factory=factory)
    info["scenario_fails"] = res.failed and any(f.expectation.endswith(f"no leak of {name}")
                                                for f in res.failed_expectations())
    if result.mutant:
        info["scenario_passes_healthy"] = run_scenario(path).passed
    if not info["scenario_fails"]:
        info["note"] = ("the exported scenario does not show the leak; the schedule JSON reproduces it "
                        "(`soundcheck scenario shrink` re-runs it)")
    return info


def shrink_swarm_failures(swarm: Any, *, max_runs: int = 150) -> list[dict[str, Any]]:
    """Shrink one seed (the lowest) of each failure group of a swarm (``failure_signatures``: an
    invariant by name, a system or harness crash, a leak by metric, ...), keeping that same
    signature failing, into ``<swarm>/shrunk/``. Not the seeds whose worker died under them
    (``swarm.WORKER_DIED``): a shrink runs in this process, which they would end."""
    from .swarm import WORKER_DIED, failure_groups

    spec = json.loads((swarm.out_dir / "swarm-spec.json").read_text(encoding="utf-8"))
    out: list[dict[str, Any]] = []
    for signature, seeds in failure_groups(swarm.rows).items():
        if signature == f"system_crash:{WORKER_DIED}":  # each run of it ends its process: this one too
            continue
        seed = seeds[0]
        result = shrink_seed(seed, float(spec["duration_s"]), signature, faults=spec["faults"],
                             mutant=spec.get("mutant"), max_runs=max_runs, system=spec.get("system"))
        info = export(result, swarm.out_dir / "shrunk")
        info["violated"] = [signature.partition(":")[2]] if signature.startswith("invariant:") else []
        out.append(info)
    return out


# ============================================================================ scenario shrink ====

#: the kinds of failure signature a saved schedule may shrink against besides ``invariant:NAME``
#: (``harness.swarm.failure_signatures``)
_SIGNATURE_KINDS = ("leak", "system_crash", "harness_crash", "steady_state", "other")


class _SavedSchedule(BaseModel):
    """A saved schedule (``*.schedule.json``, ``ShrinkResult.to_dict``) as ``scenario shrink`` reads it.

    Strict, and closed to unknown keys: the file is written by ``export`` with JSON numbers and
    these keys only, so ``"seed": "7"``, ``"duration_s": "30"`` or ``"sead"`` is a hand edit gone
    wrong, refused with its field rather than read as something else. Every field is bounded where
    a run would otherwise go wrong: a duration past ``MAX_RUN_S`` or not finite would run for ever,
    a seed outside 0..2**32-1 crashed a run mid-way, and a misspelt invariant or mutant was shrunk
    against ("does not violate clean_audoi") instead of named."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    soundcheck: Literal["soundcheck-schedule"]
    seed: int = Field(ge=0, le=SEED_MAX)
    invariant: str
    #: the failure signature the shrink kept failing (``signature_of(invariant)``, written since
    #: schedules shrink leaks and crashes too)
    signature: str | None = None
    mutant: str | None = None
    faults: str = "swarm"
    duration_s: float = Field(gt=0, le=MAX_RUN_S)
    system: str | None = None
    schedule: dict[str, Any]
    shrink: dict[str, Any] | None = None

    @field_validator("invariant", "signature")
    @classmethod
    def _known_invariant(cls, value: str | None) -> str | None:
        from .invariants import NAMES  # noqa: PLC0415 - the judge layer, only to check a file

        if value is None:
            return None
        kind, colon, name = value.partition(":")
        if colon and kind != "invariant":
            # a failure signature of another kind (``harness.swarm.failure_signatures``): its kind
            # is checked; what follows names a metric, an exception type or a clause of the run
            _one_of(kind, _SIGNATURE_KINDS, "failure signature kind")
            return value
        # what a run's verdict can name as violated (``runner``): the invariants ``check_all``
        # judges, the listening check's ``clean_audio`` and a crash's ``run_completed``
        _one_of(name if colon else value, (*NAMES, "clean_audio", "run_completed"), "invariant")
        return value

    @field_validator("mutant")
    @classmethod
    def _known_mutant(cls, value: str | None) -> str | None:
        from .mutants import MUTANTS  # noqa: PLC0415

        return None if value is None else _one_of(value, MUTANTS, "mutant")

    @field_validator("faults")
    @classmethod
    def _known_faults(cls, value: str) -> str:
        from .faults import PROFILES  # noqa: PLC0415

        return _one_of(value, ["swarm", *PROFILES], "fault profile")


def _one_of(value: str, known: Sequence[str] | Mapping[str, Any], what: str) -> str:
    """``value`` if it is among ``known``, else a ``ValueError`` naming the closest one."""
    if value in known:
        return value
    near = closest(value, known)
    hint = f"did you mean {near!r}? " if near else ""
    raise ValueError(f"unknown {what} {clip(value)}; {hint}known: {', '.join(known)}")


def load_saved(path: Path) -> dict[str, Any]:
    """A saved schedule (``*.schedule.json``) as written by ``export``; bad files exit 2, each
    problem named by its field (``_SavedSchedule``), before any run starts."""
    doc = load_document(path, "saved schedule", fmt="json")
    if doc.get("soundcheck") != SCHEDULE_FORMAT:
        raise InputFileError(path, f"not a saved schedule (\"soundcheck\": \"{SCHEDULE_FORMAT}\" missing); "
                             "give a *.schedule.json written by `soundcheck swarm` or a scenario .toml")
    try:
        _SavedSchedule.model_validate(doc)
    except ValidationError as exc:
        raise InputFileError(path, validation_message(exc, known_keys=lambda loc: () if loc else
                                                      _SavedSchedule.model_fields)) from None
    faults = doc["schedule"].get("faults", [])
    if not isinstance(faults, list):
        raise InputFileError(path, f"schedule.faults: must be a list of faults, got {clip(faults)}")
    try:
        doc["_schedule"] = schedule_from_dict(doc["schedule"])
    except (TypeError, ValueError) as exc:
        raise InputFileError(path, f"schedule: {exc}") from None
    return doc


def _why_inconclusive(result: Any) -> str:
    """Why a scenario's run is inconclusive, in its own verdict's words: each expectation that
    could not be judged, with its message, and the loss rule's doubt (a device lost or stalled
    with nothing to explain it), so a user told "only a failing scenario can be shrunk" learns
    what to fix, not only that something could not be judged."""
    parts = [f"expectation {f.expectation!r} could not be judged: {f.message}"
             for f in result.failures if f.inconclusive]
    doubt = result.loss_doubt()
    if doubt:
        parts.append(doubt)
    return "; ".join(parts) or "; ".join(result.verdict.doubts)


def shrink_scenario_steps(path: Path | Any, *, mutant: str | None = None, max_runs: int = 150,
                          name: str | None = None) -> tuple[Any, list[str], int]:
    """ddmin over a scenario's steps, keeping every failed expectation failing; returns the shrunk
    scenario document, the failures kept, and the runs used. ``path``: a scenario file, or a
    loaded ``Scenario`` (``name`` then says where it came from, for the messages).

    Only a real failure counts, of the scenario and of each candidate: its verdict FAIL, the
    expectations kept judged and unmet. An expectation that could not be judged (inconclusive)
    is not kept failing, and a candidate where a kept one is merely inconclusive does not
    reproduce the failure: it proves nothing."""
    from .scenarios import Scenario, load_scenario, run_scenario
    from .scenarios.executor import mutant_factory
    from .scenarios.export import dump_document
    from .scenarios.loader import parse_scenario

    scenario = path if isinstance(path, Scenario) else load_scenario(path)
    name = name or str(path)
    factory = mutant_factory(mutant) if mutant else None
    base = run_scenario(scenario, system_factory=factory)
    wanted = sorted({f.expectation for f in base.failed_expectations()}) if base.failed else []
    if not wanted:
        how = "passes" if base.passed else f"is inconclusive ({_why_inconclusive(base)})"
        raise UsageError(f"{name}: the scenario {how}{' under mutant ' + mutant if mutant else ''}; "
                         "only a failing scenario can be shrunk (try --mutant NAME)")
    doc = scenario.model_dump(mode="json", exclude_defaults=True, exclude_none=True)
    doc = {"format": scenario.format, **{k: v for k, v in doc.items() if k != "format"}}
    runs = [0]
    cache: dict[str, bool] = {}

    def fails(steps: list[dict[str, Any]]) -> bool:
        if not steps:
            return False  # a scenario needs a step
        key = json.dumps(steps, sort_keys=True)
        if key in cache:
            return cache[key]
        if runs[0] >= max_runs:
            raise BudgetExhausted
        runs[0] += 1
        try:
            candidate = parse_scenario(dump_document({**doc, "steps": steps}), "<shrinking>")
        except InputFileError:  # an expectation refers to a step that was dropped
            cache[key] = False
            return False
        result = run_scenario(candidate, system_factory=factory)
        cache[key] = result.failed and set(wanted) <= {f.expectation for f in result.failed_expectations()}
        return cache[key]

    steps = list(doc["steps"])
    try:
        steps = ddmin(steps, fails)
    except BudgetExhausted:
        pass
    return {**doc, "steps": steps}, wanted, runs[0]


__all__ = ["BudgetExhausted", "ShrinkResult", "Shrinker", "ddmin", "export", "load_saved", "schedule_from_dict",
           "schedule_to_dict", "shrink_scenario_steps", "shrink_seed", "shrink_swarm_failures", "signature_of"]
