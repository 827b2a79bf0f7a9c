"""From failures to scenarios: a failing run or a recorded history becomes a scenario file.

``export_failure(history_or_steps, config=..., seed=..., failed_invariant=..., out_dir=...)`` is
what the stateful tests and the reliability/soak runner call when an invariant fails: it turns the
run's operations and faults into a timeline of ``at`` steps on the simulated device (the same
virtual times, the same seed), expects the failed invariant, *minimises* the timeline (the steps
after the one the failure was seen after cut, then runs of steps removed, halves first down to
single steps, while the same invariant still fails, within a budget of replays and
of simulated seconds replayed, never of wall time, so a loaded machine exports the same scenario
as an idle one) and writes ``<out_dir>/<id>.toml``. Re-running that file reproduces the same
failure of the same invariant at the same step.

``scenario_from_history(path)`` does the same for a history recorded in the field (the JSONL
``harness.history`` writes), without minimising: its expectations are the invariants that the
recording violated, or, when it violated none, every invariant it satisfied (so the scenario
guards against regressions).

Fault steps are written with the kinds' own names (``harness.faults.kinds``); which kinds act
through operations, which hit a device and which last is read from their declarations.
``steps_from_schedule`` writes a schedule's faults with every parameter.

A ``FaultRecord`` carries the fault's kind and every parameter it fired with (``params``), so a
fault step exported from a history is the fault that fired (an xrun's lateness, a callback fault's
count, a new sample rate); a history recorded before parameters were (no ``params``) gives its
kind, target and duration, the rest the kinds' defaults. Operations issued concurrently (a storm)
come back as sequential steps in the order the history saw their invocations.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import tomli_w

from system_under_test.config import AudioConfig, load_config
from system_under_test.errors import ConfigError

from ..errors import InputFileError
from ..faults import FAULT_KINDS, At, Schedule
from ..history import NO_ENTRIES, History, recorded_nothing
from ..runfolder import RunFolder
from .loader import parse_scenario
from .model import FORMAT_VERSION, Run, Scenario, format_duration

_SKIP_PROCESSES = {"fault", "cleanup"}
_OPS = {"initialize", "configure", "start", "pause", "resume", "reconfigure", "stop", "close", "recover",
        "simulate_error", "poll"}


def _ms(seconds: float) -> str:
    return format_duration(round(max(0.0, seconds), 6))


def _config_dict(config: AudioConfig | Mapping[str, Any] | None) -> dict[str, Any]:
    if config is None:
        return {}
    data = config.to_dict() if isinstance(config, AudioConfig) else json.loads(json.dumps(dict(config)))
    device = dict(data.get("device") or {})
    device["backend"] = "sim"
    data["device"] = device
    return data


def _valid(config: Any) -> bool:
    """Valid on the simulated device (its rates and devices too), as the scenario loader checks it."""
    from system_under_test.clock import VirtualClock
    from system_under_test.devices.simulated import SimulatedBackend

    try:
        load_config(config, SimulatedBackend(VirtualClock()))
    except (ConfigError, TypeError):
        return False
    return True


def steps_from_history(history: History) -> list[dict[str, Any]]:
    """The operations and faults of a history as scenario steps at their (relative) times."""
    entries = list(history.entries)
    t0 = next((e.time for e in entries if e.type == "attach"), entries[0].time if entries else 0.0)
    steps: list[dict[str, Any]] = []
    seen_first_op = False
    for e in entries:
        # an invalid_config fault applies its configuration as a configure of the process "fault"
        injected = e.process == "fault" and e.op == "configure" and bool((e.data.get("meta") or {}).get("invalid"))
        if e.type == "invoke" and (e.process not in _SKIP_PROCESSES or injected) and e.op in _OPS:
            args = list(e.data.get("args") or [])
            if not seen_first_op and e.op == "initialize":
                seen_first_op = True
                continue  # the executor initialises (with the scenario's configuration)
            seen_first_op = True
            step: dict[str, Any] = {"at": _ms(e.time - t0)}
            if e.op in ("configure", "reconfigure"):
                cfg = args[0] if args else {}
                if isinstance(cfg, Mapping) and _valid(cfg):
                    step.update(op=e.op, config=dict(cfg), outcome="any")
                elif isinstance(cfg, Mapping):
                    step.update(fault="invalid_config", config=dict(cfg))
                else:
                    step.update(fault="invalid_config", variant="not_a_mapping")
            else:
                step.update(op=e.op, outcome="any")
                if e.op == "simulate_error" and args and isinstance(args[0], str):
                    step["component"] = args[0]
            steps.append(step)
        elif e.type == "fault_start":
            kind = str(e.value or e.data.get("kind"))
            cls = FAULT_KINDS.get(kind)
            if cls is None or cls.acts_by_operations:
                continue  # not a declared kind (a rig-only one), or its operations are steps already
            step = {"at": _ms(e.time - t0), "fault": kind}
            params = e.data.get("params")
            if isinstance(params, Mapping):  # every parameter it fired with
                step.update({k: v for k, v in params.items() if k != "duration_s"})
            target = e.data.get("target")
            if target and cls.needs:  # a device fault: the device it hit
                step["target"] = target
            dur = float(e.data.get("duration_s") or 0.0)
            if 0 < dur < 1e8 and isinstance(params, Mapping):
                step["duration_s"] = dur  # exactly as it fired (none: a lasting fault held until clean-up)
            elif 0 < dur < 1e8 and cls.lasting:
                step["duration_s"] = _ms(dur)
            steps.append(step)
    return steps


def steps_from_schedule(schedule: Schedule) -> list[dict[str, Any]]:
    """The faults of a schedule (``At`` triggers) as scenario steps with every parameter: nothing is
    lost, unlike a history, which records no parameters but the duration."""
    steps: list[dict[str, Any]] = []
    for fault in schedule.faults:
        if not isinstance(fault.trigger, At):
            raise ValueError(f"{fault.fault_id}: only faults triggered At a time become steps, "
                             f"not {fault.trigger.describe()}")
        params = {k: (list(v) if isinstance(v, tuple) else v) for k, v in fault.params().items()}
        steps.append({"at": _ms(fault.trigger.time), "fault": fault.kind, **params})
    return steps


def _steps_from_any(history_or_steps: History | Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(history_or_steps, History):
        return steps_from_history(history_or_steps)
    return [dict(s) for s in history_or_steps]


def _document(scenario_id: str, title: str, reproduces: str, tags: list[str], seed: int,
              system: dict[str, Any], steps: list[dict[str, Any]], expect: list[dict[str, Any]]) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "scenario": {"id": scenario_id, "title": title, "reproduces": reproduces, "tags": tags},
        "run": {"backend": "sim", "seed": seed},
        "system": system,
        "steps": steps,
        "expect": expect,
    }
    last = 0.0
    from .model import parse_duration
    for s in steps:
        if "at" in s:
            last = max(last, parse_duration(s["at"]) + parse_duration(s.get("duration_s", s.get("duration", 0))))
    doc["run"]["max_duration"] = _ms(last + 30.0)
    return doc


def dump_document(doc: Mapping[str, Any]) -> str:
    return tomli_w.dumps(_drop_none(doc))


def _drop_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_drop_none(v) for v in value]
    return value


def write_scenario(scenario: Scenario | Mapping[str, Any], path: str | Path | None = None) -> Any:
    """TOML text of a scenario (a model or a document); with ``path``, written there (-> Path)."""
    if isinstance(scenario, Scenario):
        doc = scenario.model_dump(mode="json", exclude_defaults=True, exclude_none=True)
        doc = {"format": scenario.format, **{k: v for k, v in doc.items() if k != "format"}}
    else:
        doc = dict(scenario)
    text = dump_document(doc)
    if path is None:
        return text
    p = Path(path)
    # atomically (temporary beside it, then renamed), never through a link: a crash or a full disk
    # leaves the old scenario or none, never half of one
    return RunFolder(p.parent, create=True).write_text(p.name, text)


def _fails_with(doc: Mapping[str, Any], invariant: str, system_factory: Any) -> tuple[bool, str | None]:
    """Whether the scenario ``doc`` fails ``invariant``, and at which step."""
    hit, step, _ = _replay(doc, invariant, system_factory)
    return hit, step


def _replay(doc: Mapping[str, Any], invariant: str, system_factory: Any,
            stop_if: Any = None) -> tuple[bool, str | None, float]:
    """Whether the scenario ``doc`` fails ``invariant``, at which step, and the simulated seconds
    the replay took (its cost). ``stop_if``: the CPU guard (``_CpuGuard``), which ends a replay
    part-way with ``executor.ReplayStopped``."""
    from .executor import run_scenario

    scenario = parse_scenario(dump_document(doc), "<minimising>")
    result = run_scenario(scenario, system_factory=system_factory, stop_if=stop_if)
    # a real failure of the invariant: one its check could not judge (inconclusive) reproduces nothing
    hit = next((f for f in result.failed_expectations() if f.invariant == invariant), None) \
        if result.failed else None
    return hit is not None, hit.step if hit else None, float(result.sim_seconds)


class _CpuGuard:
    """The export's bound on this process's CPU seconds (``MAX_CPU_S``), counted from its
    creation: ``over()`` says whether they are spent, and the guard, called, gives the reason a
    replay under way stops (None while they are not)."""

    def __init__(self, max_cpu_s: float) -> None:
        self.max_cpu_s = max_cpu_s
        self.cpu0 = time.process_time()

    def spent(self) -> float:
        return time.process_time() - self.cpu0

    def over(self, ahead: float = 0.0) -> bool:
        """Whether the CPU spent, plus ``ahead`` (a replay expected to cost that), passes the bound."""
        return self.spent() + ahead > self.max_cpu_s

    def __call__(self) -> str | None:
        return f"the CPU guard ({self.max_cpu_s:g} s of CPU)" if self.over() else None


#: the minimiser's budget: at most this many replays, and at most this many simulated seconds
#: replayed in all (about 20 s of one core on an idle machine at the simulation's speed)
MAX_REPLAYS = 300
MAX_REPLAYED_SIM_S = 600.0
#: the minimiser's guard against a hang: CPU seconds of this process it may spend, a replay it
#: expects to cross them (as costly as the costliest it ran) included. CPU, not wall: on a loaded
#: machine wall time is CPU time times the load (25-30x at a load of 40 on 2 cores, measured).
#: Measured worst case inside the budget above (bench/RESULTS.md, "the minimiser's worst case"):
#: a 300 s run's 930-step failure, minimised without the cut after its failing step, stopped by
#: the simulated-time budget after 3.8 s of CPU; 300 replays of a one-step scenario took 2.8 s.
#: So the budget stops it first here; this guard stops a machine many times slower, or a timeline
#: whose single replay costs more (an hours-long soak's), and the exported scenario says so.
MAX_CPU_S = 60.0


def minimise(doc: dict[str, Any], invariant: str, *, system_factory: Any = None,
             max_runs: int = MAX_REPLAYS, max_sim_s: float = MAX_REPLAYED_SIM_S,
             failing_step: str | None = None, max_cpu_s: float = MAX_CPU_S,
             guard: _CpuGuard | None = None, first_sim_s: float | None = None) -> dict[str, Any]:
    """Drop steps while the same invariant still fails: first every step after ``failing_step``
    (the step the failure was first seen after: what follows it cannot have caused it, and each
    replay is shorter without it), then runs of steps, halves first, down to single steps, last
    first (a run's failure usually needs a few of its many steps, which removing one at a time
    reaches only after as many replays as there are steps).

    The budget counts replays and the simulated seconds they covered (the virtual clock's, the
    same on any machine), not wall time: a budget of wall seconds made the exported scenario
    depend on the machine's load (fewer replays fit when it is busy), so one failing run exported
    different scenarios. The replay that crosses ``max_sim_s`` still counts; none starts after it.

    ``max_cpu_s`` is the guard that bounds its cost on a slow or loaded machine (a CI runner): no
    replay starts once the CPU seconds spent, plus those of the costliest replay so far (a trial
    is never longer than the timeline already replayed), would pass it, and a replay under way
    is stopped when they pass it (counted as not failing). ``guard``: the export's guard, whose
    count began before the first replay (``export_failure``); by default one from now. Hitting
    it makes the result depend on the machine, so the returned scenario's description names the
    stop that ended the minimisation (``_stop_note``), whichever it was.

    The returned scenario's ``max_duration`` is cut to what its steps need (``fit_max_duration``),
    from the simulated seconds of the last replay that reproduced the failure with the steps kept
    (``first_sim_s``: the export's first replay of the whole timeline, when none was kept since).
    The original's was the whole run's plus 30 s, so a minimised file's replay that does not end by
    itself (a fault whose end never comes, a system changed since) ran on to the run's length."""
    guard = guard if guard is not None else _CpuGuard(max_cpu_s)
    runs, replayed, costliest = 0, 0.0, 0.0
    fail_sim_s = first_sim_s
    stopped = False
    before = len(doc["steps"])
    stop = "its last pass (no single step it tried could be removed with the invariant still failing)"

    def still_fails(trial: list[Any]) -> bool:
        nonlocal runs, replayed, costliest, stopped, fail_sim_s
        from .executor import ReplayStopped

        runs += 1
        c0 = time.process_time()
        try:
            still, _, sim_s = _replay({**doc, "steps": trial}, invariant, system_factory, guard)
        except InputFileError:
            still, sim_s = False, 0.0
        except ReplayStopped as exc:
            still, sim_s, stopped = False, exc.sim_s, True
        costliest = max(costliest, time.process_time() - c0)
        replayed += sim_s
        if still:  # the steps kept from here on are these: their replay's length is the one to fit
            fail_sim_s = sim_s
        return still

    def budget_left() -> bool:
        nonlocal stop
        if runs >= max_runs:
            stop = f"the replay budget ({max_runs} replays)"
        elif replayed >= max_sim_s:
            stop = f"the simulated-time budget ({max_sim_s:g} s replayed)"
        elif stopped or guard.over(costliest):
            stop = (f"the CPU guard ({guard.max_cpu_s:g} s of CPU; "
                    + ("a replay was stopped part-way" if stopped else "the next replay could have passed it")
                    + "): on a faster machine the same failure may minimise further")
        else:
            return True
        return False

    steps = list(doc["steps"])
    names = [s.get("name") or f"step{n + 1}" for n, s in enumerate(steps)]
    if failing_step in names:
        cut = steps[:names.index(failing_step) + 1]
        if len(cut) < len(steps) and budget_left() and still_fails(cut):
            steps = cut
    size = max(len(steps) // 2, 1)
    while budget_left() and len(steps) > 1:
        i = len(steps) - size
        while i >= 0 and budget_left() and len(steps) > 1:
            trial = steps[:i] + steps[i + size:]
            if trial and still_fails(trial):
                steps = trial
            i = min(i, len(steps)) - size
        if size == 1:
            break
        size //= 2
    if len(steps) <= 1:
        stop = "one step left"
    note = _stop_note(before, len(steps), runs, replayed, stop)
    return fit_max_duration({**doc, "scenario": {**doc.get("scenario", {}), "description": note}, "steps": steps},
                            fail_sim_s)


def fit_max_duration(doc: dict[str, Any], replay_sim_s: float | None) -> dict[str, Any]:
    """``doc`` with its ``run.max_duration`` cut to ``replay_sim_s`` (the simulated seconds a replay
    of exactly these steps took while reproducing the failure), rounded up to the millisecond,
    plus the run's ``settle``; unchanged when that is unknown or would not be shorter.

    Why that is enough: on the simulated device the executor ends a timeline at the last step's
    end (its fault's, the later) plus ``settle``, and ``max_duration`` only caps it (``min``); the
    replay's own length already holds that end and the cleanup after it, so a cap at or past it
    replays the same virtual instants, and the same seed gives the same failure. The ``settle``
    on top is headroom for a fault that ends late, which the executor waits for up to the cap."""
    from .model import parse_duration

    if replay_sim_s is None or not replay_sim_s > 0:
        return doc
    run = dict(doc.get("run") or {})
    settle = parse_duration(run.get("settle", Run.model_fields["settle"].default))
    fitted = math.ceil(replay_sim_s * 1000.0 - 1e-6) / 1000.0 + settle
    old = run.get("max_duration")
    if old is not None and parse_duration(old) <= fitted:
        return doc
    run["max_duration"] = _ms(fitted)
    return {**doc, "run": run}


def _stop_note(before: int, after: int, runs: int, replayed: float, stop: str) -> str:
    """What the minimiser did and why it stopped (simulated seconds, not wall or CPU seconds: the
    same failure exports the same text on any machine unless the CPU guard stopped it)."""
    return (f"Minimised from {before} step(s) to {after} in {runs} replay(s) ({replayed:.1f} simulated s); "
            f"stopped by {stop}.")


def export_failure(history_or_steps: History | Sequence[Mapping[str, Any]], *,
                   config: AudioConfig | Mapping[str, Any] | None, seed: int, failed_invariant: str,
                   out_dir: str | Path, system_factory: Any = None, minimize: bool = True,
                   title: str | None = None, reproduces: str | None = None) -> Path:
    """Write a minimal scenario reproducing ``failed_invariant`` on the simulated device; its path.

    ``history_or_steps``: the failing run's ``History`` (its operations and faults become ``at``
    steps), or scenario step tables. ``system_factory`` builds the system the failure happened on
    (the real one by default; a mutant in the harness's own tests) and is used to minimise.
    If the failure does not reproduce, the un-minimised timeline is written anyway (and says so).
    """
    steps = _steps_from_any(history_or_steps)
    if not steps:
        steps = [{"op": "start", "outcome": "any"}]
    system = _config_dict(config)
    digest = hashlib.sha1(json.dumps([system, steps, seed, failed_invariant], sort_keys=True,
                                     default=str).encode()).hexdigest()[:8]
    scenario_id = f"repro-{failed_invariant.replace('_', '-')}-seed{seed}-{digest}"
    doc = _document(scenario_id, title or f"Reproduces a failure of invariant {failed_invariant}",
                    reproduces or f"exported failing run (seed {seed}): invariant {failed_invariant}",
                    ["exported", failed_invariant.replace("_", "-")], seed, system, steps,
                    [{"invariant": failed_invariant}])
    from .executor import ReplayStopped

    guard = _CpuGuard(MAX_CPU_S)  # the first replay is under it too: a soak's timeline can cost minutes
    try:
        reproduced, failing_step, first_sim_s = _replay(doc, failed_invariant, system_factory, guard)
    except ReplayStopped as exc:
        doc["scenario"]["description"] = (
            f"NOTE: not minimised and not confirmed to reproduce the failure: its first replay was stopped "
            f"by {exc.reason} after {exc.sim_s:.1f} simulated s; the whole timeline is written. Replay it "
            "with `soundcheck scenario run` where it may take longer.")
        return write_scenario(doc, Path(out_dir) / f"{scenario_id}.toml")
    if reproduced and minimize:
        doc = minimise(doc, failed_invariant, system_factory=system_factory, failing_step=failing_step,
                       guard=guard, first_sim_s=first_sim_s)
    elif not reproduced:
        doc["scenario"]["description"] = ("NOTE: this timeline did not reproduce the failure when it was "
                                          "exported (a race, or a fault parameter histories do not record)")
    out = Path(out_dir) / f"{scenario_id}.toml"
    return write_scenario(doc, out)


def export_leak(history: History, *, seed: int, metric: str, out_dir: str | Path, title: str | None = None,
                reproduces: str | None = None) -> Path:
    """Write a scenario replaying ``history``'s operations and faults over its whole length, with a
    ``no_leak`` expectation on ``metric``: the leak a run's slopes found, judged by the same rule
    (``harness.leaks``) over the same timeline. No minimisation: the rule needs the timeline's
    length and its growth's steps, which dropping steps would remove. Its path."""
    steps = steps_from_history(history) or [{"op": "start", "outcome": "any"}]
    # the run's own end (the harness's stop and close) is not part of the leak: a timeline that
    # closed the system would end its samples at nothing held, which the slope would read
    while len(steps) > 1 and steps[-1].get("op") in ("stop", "close"):
        steps.pop()
    entries = list(history.entries)
    t0 = next((e.time for e in entries if e.type == "attach"), entries[0].time if entries else 0.0)
    end = max((e.time for e in entries), default=t0) - t0
    steps.append({"at": _ms(end), "wait": _ms(0.5)})  # the timeline spans the run it came from
    digest = hashlib.sha1(json.dumps([steps, seed, metric], sort_keys=True, default=str).encode()).hexdigest()[:8]
    scenario_id = f"repro-leak-{metric.replace('_', '-')}-seed{seed}-{digest}"
    doc = _document(scenario_id, title or f"Reproduces a leak of {metric}",
                    reproduces or f"exported leaking run (seed {seed}): {metric}",
                    ["exported", "leak", metric.replace("_", "-")], seed, {}, steps, [{"no_leak": metric}])
    return write_scenario(doc, Path(out_dir) / f"{scenario_id}.toml")


def scenario_from_history(history: History | str | Path, *, scenario_id: str | None = None,
                          seed: int | None = None, source: str | Path | None = None) -> Scenario:
    """A scenario replaying a recorded history on the simulated device (see the module docstring).
    ``source``: the file a ``History`` given as such was read from (named in the scenario)."""
    from .. import invariants as inv

    if not isinstance(history, History):
        source = history
        history = History.read_jsonl(history)
    if source is not None and recorded_nothing(history):  # an empty file is no replay of one "start"
        from ..errors import InputFileError  # noqa: PLC0415

        raise InputFileError(source, f"{NO_ENTRIES}, so there is nothing to replay; give the history.jsonl "
                                     "a run, soak or test recorded (a run folder has one)")
    source = str(source) if source is not None else "<history>"
    meta = history.meta
    init = history.initial or {}
    if seed is None:
        s = meta.get("seed", init.get("seed"))
        seed = int(s) if isinstance(s, int) else 0
    config: dict[str, Any] = {}
    for e in history.entries:
        if e.type == "event" and e.value == "config_applied" and isinstance(e.data.get("config"), Mapping):
            config = dict(e.data["config"])
            break
    steps = steps_from_history(history) or [{"op": "start", "outcome": "any"}]
    verdicts = inv.check_all(history)
    violated = [v.name for v in verdicts if not v.ok and not v.inconclusive]
    held = [v.name for v in verdicts if v.ok and not v.inconclusive]
    expect = [{"invariant": n} for n in (violated or held)] or [{"never": "failed"}]
    sid = scenario_id or ("from-history-" + "".join(c if c.isalnum() or c in "-_" else "-"
                                                    for c in Path(source).stem)[:40])
    doc = _document(sid, f"Replay of {Path(source).name}",
                    f"recorded history {source}" + (f" (violated: {', '.join(violated)})" if violated else ""),
                    ["from-history"], seed, _config_dict(config), steps, expect)
    return parse_scenario(dump_document(doc), source)


__all__ = ["MAX_CPU_S", "MAX_REPLAYED_SIM_S", "MAX_REPLAYS", "dump_document", "export_failure", "fit_max_duration", "minimise", "scenario_from_history", "steps_from_history",
           "steps_from_schedule", "write_scenario"]

