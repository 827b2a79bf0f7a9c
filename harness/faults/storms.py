"""Thread storms: many threads calling lifecycle operations at once (``system_storm``), racing a
coordinator's ``transition`` (``coordinator_storm``), an operator's sequential random calls
(``_random_ops``), and bringing a system a storm left stopped back to running
(``restore_running``). The ``concurrent_transitions``, ``lifecycle_calls`` and
``coordinator_contention`` fault kinds are built on these.
"""

from __future__ import annotations

import random
import threading
import time as _time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from system_under_test.lifecycle import State

from .base_config import config_to_restore, storm_config
from .invalid_configs import invalid_config

if TYPE_CHECKING:  # pragma: no cover
    from system_under_test import AudioSystem

    from ..history import History

#: lifecycle operations a system storm draws from (``close`` is left out: it ends the storm early)
STORM_OPERATIONS: tuple[str, ...] = ("initialize", "configure", "start", "pause", "resume", "stop",
                                     "recover", "simulate_error", "reconfigure", "configure_invalid")


#: every operation a storm may call: the drawn mix plus ``close`` (which ends the system for every
#: other thread, so only a storm that asks for it by name races it)
STORM_ALLOWED: tuple[str, ...] = (*STORM_OPERATIONS, "close")


def check_storm_operations(operations: Iterable[str]) -> None:
    """The allow-list: a storm calls ``getattr(system, op)``, so an unlisted name (``__class__``,
    anything) would be looked up on the system object and called."""
    bad = [op for op in operations if op not in STORM_ALLOWED]
    if bad:
        raise ValueError(f"unknown storm operation(s) {', '.join(map(repr, bad))} "
                         f"(allowed: {', '.join(STORM_ALLOWED)})")


@dataclass
class StormStats:
    ops: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    latencies_s: list[float] = field(default_factory=list)
    transition_latencies_s: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    errors: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, latencies: list[float], transition_latencies: list[float], outcomes: dict[str, int]) -> None:
        """Fold one storm thread's tallies in (called once per thread, at its end)."""
        with self._lock:
            self.ops += len(latencies)
            self.latencies_s.extend(latencies)
            self.transition_latencies_s.extend(transition_latencies)
            for k, v in outcomes.items():
                self.outcomes[k] = self.outcomes.get(k, 0) + v

    def crashed(self, proc: str, exc: BaseException) -> None:
        with self._lock:
            self.errors.append(f"{proc}: {type(exc).__name__}: {exc}")


def _yield_every_line(files: set[str]) -> Callable[..., Any]:
    """A trace function that gives the GIL away before every line of code in ``files`` (a
    preemption point per line, as systematic concurrency testers place them): with it, a
    check-then-act without a lock there is interleaved on nearly every call, not once in a while."""
    def local(frame: Any, event: str, arg: Any) -> Any:
        if event == "line":
            _time.sleep(0)
        return local

    def trace(frame: Any, event: str, arg: Any) -> Any:
        return local if event == "call" and frame.f_code.co_filename in files else None

    return trace


def _unleash(worker: Callable[[int], None], threads: int, prefix: str, switch_interval_s: float | None) -> float:
    """Run ``worker(i)`` on ``threads`` named threads with a tiny switch interval (dense
    interleavings); returns the wall time. The interval is restored even if a thread fails to start."""
    import sys  # noqa: PLC0415

    old = sys.getswitchinterval()
    if switch_interval_s is not None:
        sys.setswitchinterval(switch_interval_s)
    t_start = _time.perf_counter()
    try:
        workers = [threading.Thread(target=worker, args=(i,), name=f"{prefix}-{i}") for i in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    finally:
        sys.setswitchinterval(old)
    return _time.perf_counter() - t_start


#: the changes a storm's ``configure``/``reconfigure`` draws from, each laid over the run's own
#: configuration when it is known (``base_config.storm_config``; ``{}``: the run's configuration as is)
_VALID_STORM_CONFIGS = ({}, {"dsp": [{"kind": "gain", "gain_db": -6.0}]},
                        {"stream": {"block_size": 128}}, {"buffers": {"ring_blocks": 4}})


def restore_running(system: AudioSystem, history: History,
                    config: Mapping[str, Any] | None = None) -> list[str]:
    """Bring a system a storm left stopped, paused or failed back to RUNNING (recorded ops of the
    process ``nemesis``), so the rest of a run goes on testing a running system; returns the ops.
    With ``config`` (the run's own configuration), a system left on another configuration is put
    back on it as well: ``configure`` before the start, ``reconfigure`` once running, so the rest
    of the run tests the configuration it was asked to test, not the last one a storm applied.
    At most one op per state on the way (one configuration change); a refusal ends the attempt
    (the state says why)."""
    from ..history import run_op  # noqa: PLC0415
    done: list[str] = []
    reconfigured = False
    for _ in range(6):
        state = system.state
        if state is State.CLOSED:
            break
        wanted = None if reconfigured else config_to_restore(system, config)
        if state is State.RUNNING:
            if wanted is None:
                break
            op, args = "reconfigure", (dict(wanted),)
        elif state is State.FAILED:
            op, args = "recover", ()
        elif state is State.PAUSED:
            op, args = "resume", ()
        elif state in (State.STOPPED, State.CONFIGURED):
            op, args = ("start", ()) if wanted is None else ("configure", (dict(wanted),))
        elif state in (State.UNINITIALIZED,):
            op, args = "initialize", ()
        elif state is State.INITIALIZED:
            given = config if config is not None else (system.config.to_dict() if system.config is not None else {})
            op, args = "configure", (dict(given),)
        else:
            break  # mid-transition states are left to the system
        reconfigured = reconfigured or op in ("configure", "reconfigure")
        done.append(op)
        if run_op(history, system, op, *args, process="nemesis").outcome != "ok":
            break
    return done


def _random_ops(system: AudioSystem, hist: History, rng: random.Random, proc: str, count: int,
                operations: Sequence[str], record: bool = True, base_config: Mapping[str, Any] | None = None
                ) -> tuple[list[float], list[float], dict[str, int]]:
    """``count`` lifecycle ops drawn by ``rng`` from ``operations``, called on this thread (recorded
    invoke/ok/fail when ``record``); returns latencies, latencies of ops that made a transition, and
    outcome counts. A valid configuration drawn is laid over ``base_config`` (the run's own)."""
    from ..history import classify, run_op  # noqa: PLC0415
    lat: list[float] = []
    tlat: list[float] = []
    outcomes: dict[str, int] = {}
    for _ in range(count):
        op = rng.choice(operations)
        args: tuple[Any, ...] = ()
        meta = None
        if op in ("configure", "reconfigure"):
            args = (storm_config(base_config, rng.choice(_VALID_STORM_CONFIGS)),)
        elif op == "configure_invalid":
            cfg, reason = invalid_config(rng)
            op, args, meta = "configure", (cfg,), {"invalid": True, "reason": reason}
        elif op == "simulate_error":
            args = (rng.choice(("dsp", "input", "output", "device")),)
        t0 = _time.perf_counter()
        made_transition = False
        if record:
            res = run_op(hist, system, op, *args, process=proc, meta=meta)
            outcome = res.outcome
            made_transition = bool(res.seqs)
        else:
            try:
                getattr(system, op)(*args)
                outcome = "ok"
            except Exception as exc:  # noqa: BLE001
                outcome = classify(op, exc)
                if outcome == "crash":
                    raise
        lat.append(_time.perf_counter() - t0)
        if made_transition:
            tlat.append(lat[-1])
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return lat, tlat, outcomes


def system_storm(system: AudioSystem, *, threads: int = 8, ops_per_thread: int = 20, seed: int = 0,
                 history: History | None = None, operations: Sequence[str] = STORM_OPERATIONS,
                 switch_interval_s: float | None = 1e-5, record: bool = True,
                 base_config: Mapping[str, Any] | None = None) -> StormStats:
    """``threads`` threads each issue ``ops_per_thread`` random lifecycle ops (recorded invoke/ok/fail);
    the configurations they apply are ``base_config`` (the run's own) with one change over it.

    A tiny ``sys.setswitchinterval`` during the storm makes thread interleavings dense, so races in
    a critical section of a few bytecodes show up in a few hundred operations.
    """
    from ..history import History  # noqa: PLC0415
    check_storm_operations(operations)
    hist = history if history is not None else History(clock=system.clock)
    stats = StormStats()
    barrier = threading.Barrier(threads)

    def worker(i: int) -> None:
        proc = f"storm-{i}"
        try:
            barrier.wait()
            lat, tlat, outcomes = _random_ops(system, hist, random.Random(f"storm:{seed}:{i}"), proc,
                                              ops_per_thread, operations, record, base_config)
        except BaseException as exc:  # noqa: BLE001 - a crash is a finding, reported by the caller
            stats.crashed(proc, exc)
            return
        stats.add(lat, tlat, outcomes)

    if record:  # where the storm's ops start from: no op is in flight, no storm thread started yet
        hist.note_quiescent(system)
    stats.wall_s = _unleash(worker, threads, "storm", switch_interval_s)
    if record:  # and where they ended: every storm thread has joined
        hist.note_quiescent(system)
    return stats


def coordinator_storm(coordinator: Any, history: History, *, threads: int = 8, ops_per_thread: int = 50,
                      components: Sequence[str] = ("a", "b", "c"), seed: int = 0,
                      switch_interval_s: float | None = 1e-6) -> StormStats:
    """Threads race ``coordinator.transition`` on a few components: each thread reads a component's
    state, picks a legal target and asks for it (a compare-and-set ``expect`` half the time).

    Recorded as ops ``transition`` with args ``[component, target, expect]``: ``ok`` (value: the
    ``seq`` of the returned record) if applied, ``fail`` on ``IllegalTransitionError``. ``CLOSED`` is never a target (it would end the storm).
    """
    from system_under_test.errors import IllegalTransitionError  # noqa: PLC0415
    from system_under_test.lifecycle import TRANSITIONS, State  # noqa: PLC0415

    for name in components:
        if name not in coordinator.components:
            coordinator.register(name)
    history.record("attach", data={"components": {n: coordinator.state(n).value for n in components},
                                   "model": "coordinator"})
    observer = lambda rec: history.record("transition", data=rec.to_dict(), time=rec.time)  # noqa: E731
    coordinator.add_observer(observer)
    stats = StormStats()
    barrier = threading.Barrier(threads)
    states = list(State)

    def worker(i: int) -> None:
        rng = random.Random(f"cstorm:{seed}:{i}")
        proc = f"cstorm-{i}"
        lat: list[float] = []
        outcomes: dict[str, int] = {}
        try:
            barrier.wait()
            for _ in range(ops_per_thread):
                name = rng.choice(components)
                seen = coordinator.state(name)
                legal = sorted(t for t in TRANSITIONS[seen] if t != State.CLOSED)
                target = rng.choice(legal) if legal and rng.random() < 0.9 else rng.choice(states[:-1])
                expect = [seen.value] if rng.random() < 0.5 else None
                op_id = history.invoke(proc, "transition", [name, target.value, expect])
                t0 = _time.perf_counter()
                try:
                    record = coordinator.transition(name, target, "storm",
                                                    expect=None if expect is None else (seen,))
                except IllegalTransitionError as exc:
                    lat.append(_time.perf_counter() - t0)
                    history.fail(op_id, error=exc, process=proc, op="transition")
                    outcomes["fail"] = outcomes.get("fail", 0) + 1
                else:
                    lat.append(_time.perf_counter() - t0)
                    history.ok(op_id, record.seq, process=proc, op="transition")
                    outcomes["ok"] = outcomes.get("ok", 0) + 1
        except BaseException as exc:  # noqa: BLE001
            stats.crashed(proc, exc)
        stats.add(lat, lat, outcomes)

    try:
        stats.wall_s = _unleash(worker, threads, "cstorm", switch_interval_s)
    finally:
        coordinator.remove_observer(observer)
    return stats



__all__ = ["STORM_ALLOWED", "STORM_OPERATIONS", "StormStats", "check_storm_operations", "coordinator_storm",
           "restore_running", "system_storm"]
