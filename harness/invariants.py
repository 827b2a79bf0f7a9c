"""Invariant checkers, over a finished history and live after every step.

Each checker returns a ``Verdict(name, ok, evidence, message)``. The names are stable (tests and
reports key on them):

==================== ==========================================================================
legal_transitions    every transition is in ``lifecycle.TRANSITIONS`` and starts where the last
                     one of that component ended
history_complete     transition sequence numbers have no gaps; every op completed at most once
linearizable         ops fit one sequential order of the lifecycle model (Wing & Gong search with
                     memoisation; per-op conformance when ops never overlap)
resources            usage within limits; after close: nothing held, no stream, no new thread
frame_accounting     captured == played + buffered + dropped, live and in every snapshot
recovery             no recovery outlives its deadline; after a transient fault ends, the system
                     is running (or paused, if it was) again within a deadline
callback_errors      no exception escaped the audio callback; every counted callback error was
                     reported (counter == errors seen + still queued)
rejected_config      a rejected configuration changes neither the config nor the state
health               ``health()`` agrees with the state the history shows
==================== ==========================================================================
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from system_under_test.lifecycle import TRANSITIONS, State

from .history import History, Operation, config_digest

if TYPE_CHECKING:  # pragma: no cover
    from system_under_test import AudioSystem

S = State
NAMES = ("legal_transitions", "history_complete", "linearizable", "resources", "frame_accounting",
         "recovery", "callback_errors", "rejected_config", "health")
_LEGAL = {a.value: {b.value for b in bs} for a, bs in TRANSITIONS.items()}
_CONFIG_ERRORS = {"ConfigError", "ConfigValidationError", "ConfigMigrationError"}


@dataclass
class Verdict:
    name: str
    ok: bool
    evidence: list[Any] = field(default_factory=list)
    message: str = ""
    inconclusive: bool = False

    def __bool__(self) -> bool:
        return self.ok

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "message": self.message,
                "inconclusive": self.inconclusive, "evidence": self.evidence[:50]}

    def __str__(self) -> str:
        mark = "ok" if self.ok else "VIOLATED"
        ev = "".join(f"\n    - {e}" for e in self.evidence[:10])
        return f"[{mark}] {self.name}: {self.message}{ev}"


class InvariantViolation(AssertionError):
    """Raised by ``assert_ok``; ``verdicts`` are the failed ones, ``names`` their names."""

    def __init__(self, verdicts: Sequence[Verdict]) -> None:
        self.verdicts = list(verdicts)
        self.names = [v.name for v in self.verdicts]
        super().__init__("invariant(s) violated: " + ", ".join(self.names) + "\n"
                         + "\n".join(str(v) for v in self.verdicts))


def failed(verdicts: Iterable[Verdict]) -> list[Verdict]:
    return [v for v in verdicts if not v.ok]


def assert_ok(verdicts: Iterable[Verdict]) -> None:
    bad = failed(verdicts)
    if bad:
        raise InvariantViolation(bad)


def _ok(name: str, message: str = "held", **kw: Any) -> Verdict:
    return Verdict(name, True, [], message, **kw)


# ============================================================================ 1. transitions ====

def check_legal_transitions(history: History) -> Verdict:
    evidence = []
    last: dict[str, str] = {}
    init = history.initial or {}
    comps = init.get("components") or {}
    last.update({k: v for k, v in comps.items()})
    if "state" in init and "system" not in last:
        last["system"] = init["state"]
    trs = history.transitions()
    for t in trs:
        comp, a, b = t.get("component"), t.get("from_state"), t.get("to_state")
        if b not in _LEGAL.get(a, set()):
            evidence.append({"why": "not in TRANSITIONS", **t})
        elif comp in last and last[comp] != a:
            evidence.append({"why": f"starts in {a} but {comp} was in {last[comp]}", **t})
        last[comp] = b
    if evidence:
        return Verdict("legal_transitions", False, evidence,
                       f"{len(evidence)} illegal or discontinuous transition(s) of {len(trs)}")
    return _ok("legal_transitions", f"{len(trs)} transitions, all legal and continuous")


def check_history_complete(history: History) -> Verdict:
    evidence: list[Any] = []
    seqs = [t["seq"] for t in history.transitions() if "seq" in t]
    for a, b in zip(seqs, seqs[1:]):
        if b != a + 1:
            evidence.append({"why": "sequence gap" if b > a + 1 else "duplicate sequence number",
                             "after": a, "next": b})
    init = history.initial or {}
    if seqs and "next_seq" in init and seqs[0] != init["next_seq"]:
        evidence.append({"why": "transitions missing at the start", "expected": init["next_seq"],
                         "first": seqs[0]})
    completions: dict[int, int] = {}
    invoked = set()
    for e in history.entries:
        if e.type == "invoke":
            invoked.add(e.op_id)
        elif e.type in ("ok", "fail", "info"):
            completions[e.op_id] = completions.get(e.op_id, 0) + 1  # type: ignore[index]
            if e.op_id not in invoked:
                evidence.append({"why": "completion without invoke", "op_id": e.op_id, "index": e.index})
    evidence += [{"why": "op completed twice", "op_id": k} for k, n in completions.items() if n > 1]
    idx = [e.index for e in history.entries]
    if idx != list(range(idx[0], idx[0] + len(idx))) if idx else False:
        evidence.append({"why": "entry indices not consecutive"})
    if evidence:
        return Verdict("history_complete", False, evidence, f"{len(evidence)} gap(s) or inconsistencies")
    return _ok("history_complete", f"{len(seqs)} transitions gap-free, {len(completions)} ops completed once")


# =========================================================================== 2. linearizable ====

Outcome = tuple[str, Any, Hashable]


class SystemModel:
    """The system-level lifecycle as a sequential specification. State: (state, configured, pending)."""

    name = "system"
    ACTIVE = {"running", "paused", "starting", "reconfiguring", "recovering"}

    def key(self, op: Operation) -> Hashable:
        return None

    def initial(self, attach: dict[str, Any], key: Hashable) -> Hashable:
        return (attach.get("state", "uninitialized"), bool(attach.get("configured")),
                bool(attach.get("pending")))

    def from_observation(self, obs: dict[str, Any]) -> Hashable:
        return (obs["state"], bool(obs.get("configured")), bool(obs.get("pending")))

    @staticmethod
    def order(op: Operation) -> int | None:
        """The seq of the first system transition the op made (``run_op`` records them): the op took
        effect there, and ops' transitions never interleave (every op holds the system's lock)."""
        seqs = op.seqs
        return seqs[0] if seqs else None

    @staticmethod
    def silent(op: Operation) -> bool:
        """True if the op is known to have made no transition (``run_op`` recorded an empty list).

        Every state change in this model is a lifecycle transition the op makes on its own thread,
        so such an op can only have linearised as a self-loop."""
        return op.outcome in ("ok", "fail") and op.seqs is not None and not op.seqs

    def knows(self, op: Operation) -> bool:
        return op.op in ("initialize", "configure", "reconfigure", "start", "pause", "resume", "stop",
                         "close", "recover", "simulate_error")

    def step(self, state: Any, op: Operation) -> list[Outcome]:
        st, cfg, pending = state
        name = op.op
        same = state

        def to(s: str, configured: bool = cfg, pend: bool = pending) -> tuple[str, bool, bool]:
            return (s, configured, pend)

        fail: list[Outcome] = [("fail", None, same)]
        if name == "close":
            return [("ok", None, to("closed"))]
        if st == "closed":
            return fail
        if name == "initialize":
            if st != "uninitialized":
                return fail
            if pending:
                # initialize() applies the pending config after the transition (under the same lock):
                # a rejected pending config raises ConfigError and leaves the system INITIALIZED.
                return [("ok", None, to("configured", True, False)), ("fail", None, to("initialized", cfg, False)),
                        ("info", None, to("initialized", cfg, False))]
            return [("ok", None, to("initialized"))]
        if name in ("configure", "reconfigure"):
            if op.meta.get("invalid"):
                return fail
            maybe_reject: list[Outcome] = fail if op.meta.get("may_reject") else []
            if st in ("running", "paused"):
                return [("ok", None, same), ("info", None, same), ("info", None, to("recovering")),
                        ("info", None, to("failed"))] + maybe_reject
            if st in ("initialized", "stopped", "configured"):
                return [("ok", None, to("configured", True))] + maybe_reject
            return fail
        if name == "start":
            if not cfg or st not in ("configured", "stopped"):
                return fail
            return [("ok", None, to("running")), ("info", None, to("failed"))]
        if name == "pause":
            return [("ok", None, to("paused"))] if st == "running" else fail
        if name == "resume":
            return [("ok", None, to("running"))] if st == "paused" else fail
        if name == "stop":
            if st in ("running", "paused", "recovering", "failed", "starting"):
                return [("ok", None, to("stopped"))]
            return fail
        if name == "recover":
            if not cfg:
                return [("ok", False, same)]
            if st in ("running", "paused"):
                return [("ok", True, same), ("ok", False, to("failed"))]
            if st == "failed":
                return [("ok", True, to("running")), ("ok", False, same)]
            if st == "recovering":
                return [("ok", True, to("running")), ("ok", True, to("paused")), ("ok", False, to("failed"))]
            return [("ok", False, same)]
        if name == "simulate_error":
            return [("ok", None, to("failed") if st in self.ACTIVE else same)]
        raise KeyError(name)


class CoordinatorModel:
    """One component's state under ``ComponentCoordinator.transition(name, target, expect=...)``."""

    name = "coordinator"

    def key(self, op: Operation) -> Hashable:
        return op.args[0]

    def initial(self, attach: dict[str, Any], key: Hashable) -> Hashable:
        return (attach.get("components") or {}).get(key, "uninitialized")

    def from_observation(self, obs: dict[str, Any]) -> Hashable:
        raise KeyError("the coordinator model has no per-op observations")

    def knows(self, op: Operation) -> bool:
        return op.op == "transition"

    @staticmethod
    def order(op: Operation) -> int | None:
        """An applied transition's ``seq`` (the op's value): applied ops linearise in that order."""
        v = op.value
        return v if op.outcome == "ok" and isinstance(v, int) and not isinstance(v, bool) else None

    def step(self, state: Any, op: Operation) -> list[Outcome]:
        _, target, expect = op.args
        if (expect is None or state in expect) and target in _LEGAL[state]:
            return [("ok", None, target)]
        return [("fail", None, state)]


def _consistent(model: Any, state: Hashable, op: Operation) -> list[Hashable]:
    """The states ``op`` may leave the model in, given what was recorded about its outcome."""
    poss = model.step(state, op)
    if op.outcome in (None, "info"):
        return list(dict.fromkeys([state] + [ns for _, _, ns in poss]))
    out = []
    for outcome, value, ns in poss:
        if outcome != op.outcome:
            continue
        if value is not None and op.value is not None and value != op.value:
            continue
        out.append(ns)
    return list(dict.fromkeys(out))


_INF = float("inf")
_GREEDY = True  # the no-op reduction in _wgl (switchable to compare against the plain search)


def _wgl(ops: list[Operation], model: Any, init: Hashable, max_states: int
         ) -> tuple[bool | None, dict[str, Any]]:
    """Wing & Gong / Lowe search with memoisation on (linearised set, model state).

    An op may be linearised next only if it was invoked before every not-yet-linearised completed
    op returned. ``ok``/``fail`` ops must all be linearised; ``info`` ops may be, or never be.
    """
    ops = sorted(ops, key=lambda o: o.invoke_index)
    n = len(ops)
    inv = [o.invoke_index for o in ops]
    ret = [o.complete_index if o.outcome in ("ok", "fail") else _INF for o in ops]
    order = getattr(model, "order", lambda o: None)
    keyed = sorted((k, i) for i, o in enumerate(ops) if (k := order(o)) is not None)
    prereq = [0] * n
    before = 0
    for _, i in keyed:  # an op with an observed effect order may only follow those before it
        prereq[i] = before
        before |= 1 << i
    silent_op = getattr(model, "silent", lambda o: False)
    must = refusal = silent = 0
    for i, o in enumerate(ops):
        if o.outcome in ("ok", "fail"):
            must |= 1 << i
        if silent_op(o):
            silent |= 1 << i  # known to have made no transition: a self-loop wherever it linearises
        elif o.outcome == "fail":
            refusal |= 1 << i
    seen: set[tuple[int, Hashable]] = set()
    stack: list[tuple[int, Hashable]] = [(0, init)]
    best: tuple[int, int, Hashable] = (-1, 0, init)
    while stack:
        mask, state = stack.pop()
        if mask & must == must:
            return True, {}
        key = (mask, state)
        if key in seen:
            continue
        seen.add(key)
        if len(seen) > max_states:
            return None, {"explored": len(seen)}
        depth = bin(mask & must).count("1")
        if depth > best[0]:
            best = (depth, mask, state)
        min_ret = min((ret[i] for i in range(n) if not mask >> i & 1 and must >> i & 1), default=_INF)
        branches: list[tuple[float, int, Hashable]] = []
        greedy = -1
        for i in range(n):
            if inv[i] > min_ret:
                break
            if mask >> i & 1 or mask & prereq[i] != prereq[i]:
                continue
            nexts = _consistent(model, state, ops[i])
            if silent >> i & 1:
                nexts = [ns for ns in nexts if ns == state]
            if _GREEDY and (silent | refusal) >> i & 1 and nexts == [state]:
                # An op known to have made no transition, or a refusal that fits here as a self-loop,
                # changes nothing wherever it linearises, so it may be linearised right now: that only
                # widens the window for the rest. Taking it without branching keeps concurrent no-ops
                # from exploding the search. (Not for ``ok`` ops of unknown effect: a self-loop here
                # may be a real state change elsewhere.)
                greedy = i
                break
            branches.extend((ret[i], mask | 1 << i, ns) for ns in nexts)
        if greedy >= 0:
            stack.append((mask | 1 << greedy, state))
            continue
        # depth first, the op that returned first tried first: it is the most constrained one
        branches.sort(key=lambda b: b[0], reverse=True)
        stack.extend((m, ns) for _, m, ns in branches)
    depth, mask, state = best
    pending = [o for i, o in enumerate(ops) if not mask >> i & 1 and must >> i & 1][:8]
    return False, {"linearized": depth, "of": bin(must).count("1"), "model_state": state,
                   "stuck_ops": [{"op_id": o.op_id, "process": o.process, "op": o.op, "args": o.args,
                                  "outcome": o.outcome, "value": o.value,
                                  "error": (o.error or {}).get("type") if isinstance(o.error, dict) else o.error}
                                 for o in pending],
                   "explored": len(seen)}


def _overlapping(ops: list[Operation]) -> set[int]:
    """op_ids of ops whose [invoke, complete] interval overlaps another op's."""
    out: set[int] = set()
    spans = sorted((o.invoke_index, o.complete_index if o.complete_index is not None else 1 << 60, o.op_id)
                   for o in ops)
    end, owner = -1, None
    for start, stop, op_id in spans:
        if start < end:
            out.add(op_id)
            if owner is not None:
                out.add(owner)
        if stop > end:
            end, owner = stop, op_id
    return out


def check_linearizable(history: History, model: Any = None, *, max_states: int = 200_000) -> Verdict:
    init = history.initial or {}
    if model is None:
        model = CoordinatorModel() if init.get("model") == "coordinator" else SystemModel()
    ops = [o for o in history.operations() if model.knows(o)]
    if not ops:
        return _ok("linearizable", "no operations")
    overlapping = _overlapping(ops)
    autonomous = bool(history.of_type("fault_start")) or bool(history.events("recovery_started")) \
        or any((e.data.get("error") or {}).get("type") not in (None, "SimulatedError")
               for e in history.errors())
    evidence: list[Any] = []
    checked = 0
    # Ops that overlap nothing: check each against the model from the state observed just before it.
    for o in ops:
        # pre/post are read just outside the op's invoke/complete: trustworthy only with no concurrency
        if overlapping or o.pre is None or o.post is None or not o.completed:
            continue
        if isinstance(model, CoordinatorModel):
            continue
        checked += 1
        allowed = _consistent(model, model.from_observation(o.pre), o)
        got = model.from_observation(o.post)
        if got not in allowed:
            evidence.append({"op_id": o.op_id, "op": o.op, "args": o.args, "meta": o.meta,
                             "outcome": o.outcome, "value": o.value,
                             "error": (o.error or {}).get("type") if isinstance(o.error, dict) else None,
                             "pre": o.pre, "post": o.post, "allowed": [list(a) if isinstance(a, tuple) else a
                                                                       for a in allowed]})
    if evidence:
        return Verdict("linearizable", False, evidence,
                       f"{len(evidence)} op(s) whose outcome the lifecycle model does not allow")
    if not overlapping and not isinstance(model, CoordinatorModel):
        return _ok("linearizable", f"{checked} sequential ops conform to the {model.name} model")
    if autonomous and not isinstance(model, CoordinatorModel):
        return Verdict("linearizable", True, [], f"{checked} sequential ops conform; {len(overlapping)} "
                       "concurrent ops not checked (faults change state behind the model's back)",
                       inconclusive=True)
    groups: dict[Hashable, list[Operation]] = {}
    for o in ops:
        groups.setdefault(model.key(o), []).append(o)
    for key, group in groups.items():
        result, info = _wgl(group, model, model.initial(init, key), max_states)
        if result is None:
            return Verdict("linearizable", True, [info], f"search bound of {max_states} states reached "
                           f"for {key!r} ({len(group)} ops): inconclusive", inconclusive=True)
        if not result:
            return Verdict("linearizable", False, [{"key": key, **info}],
                           f"no sequential order of the {len(group)} ops on {key!r} fits the "
                           f"{model.name} model (best: {info['linearized']} of {info['of']})")
    return _ok("linearizable", f"{len(ops)} ops in {len(groups)} group(s) linearizable "
               f"against the {model.name} model")


# ============================================================================= 3. resources ====

def check_resources(history: History | None = None, system: "AudioSystem | None" = None, *,
                    threads_before: Iterable[threading.Thread] | None = None) -> Verdict:
    evidence: list[Any] = []
    for snap in (history.snapshots() if history is not None else []):
        res = snap.data.get("resources", {})
        over = {t: (u, res.get("limits", {}).get(t)) for t, u in res.get("usage", {}).items()
                if res.get("limits", {}).get(t) is not None and u > res["limits"][t]}
        if over:
            evidence.append({"why": "usage over limit", "index": snap.index, "time": snap.time, "over": over})
    if system is not None:
        rm = system.resources
        if not rm.within_limits():
            evidence.append({"why": "peak over a limit (ResourceManager.within_limits)",
                             "peak": {t.value: v for t, v in rm.peak().items()},
                             "limits": {t.value: v for t, v in rm.global_limits.items()}})
        for comp in rm.components:
            alloc = rm.get_allocation(comp)
            if not alloc.within_limits():
                evidence.append({"why": "component over its limit", "component": comp})
        if system.state == State.CLOSED:
            leaks = [a for a in rm.leak_report() if not str(a["component"]).startswith("fault:")]
            if leaks:
                evidence.append({"why": "allocations still held after close", "leaks": leaks[:10]})
            if system.stream is not None:
                evidence.append({"why": "stream still referenced after close"})
            open_streams = getattr(system.backend, "open_streams", None)
            if callable(open_streams) and open_streams():
                evidence.append({"why": "backend streams still open after close", "count": len(open_streams())})
            if threads_before is not None:
                before = {id(t) for t in threads_before}
                new = [t.name for t in threading.enumerate() if id(t) not in before and t.is_alive()]
                if new:
                    evidence.append({"why": "threads still alive after close", "threads": new})
    if evidence:
        return Verdict("resources", False, evidence, f"{len(evidence)} resource problem(s)")
    return _ok("resources", "within limits" + (", nothing leaked" if system is not None
                                               and system.state == State.CLOSED else ""))


# ====================================================================== 4. frame accounting ====

def check_frame_accounting(history: History | None = None, system: "AudioSystem | None" = None) -> Verdict:
    evidence: list[Any] = []
    for snap in (history.snapshots() if history is not None else []):
        f = snap.data.get("frames")
        if f and f["captured"] != f["played"] + f["buffered"] + f["dropped"]:
            evidence.append({"index": snap.index, "time": snap.time, **f,
                             "missing": f["captured"] - f["played"] - f["buffered"] - f["dropped"]})
    if system is not None:
        acc = system.frame_accounts()
        if not acc.balanced():
            evidence.append({"live": True, "time": system.clock.now(), **acc.to_dict(),
                             "missing": acc.captured - acc.played - acc.buffered - acc.dropped})
    if evidence:
        return Verdict("frame_accounting", False, evidence,
                       "frames lost without being counted (captured != played + buffered + dropped)")
    return _ok("frame_accounting", "captured == played + buffered + dropped")


# ============================================================================== 5. recovery ====

def _recovery_params(config: dict[str, Any] | None) -> tuple[float, float]:
    rec = (config or {}).get("recovery", {})
    return rec.get("deadline_ms", 10_000.0) / 1000, rec.get("max_backoff_ms", 1000.0) / 1000


def _config_at(history: History, index: int) -> dict[str, Any] | None:
    cfg = None
    for e in history.events("config_applied"):
        if e.index > index:
            break
        cfg = e.data.get("config")
    return cfg


def _system_states(history: History) -> list[tuple[int, float, str]]:
    """(entry index, time, state) for every system transition, preceded by the initial state."""
    init = history.initial or {}
    out = [(-1, 0.0, init.get("state", "uninitialized"))]
    for t in history.transitions("system"):
        out.append((t["index"], t["time"], t["to_state"]))
    return out


def check_recovery(history: History, system: "AudioSystem | None" = None, *,
                   deadline_s: float | None = None, now: float | None = None) -> Verdict:
    """A: no RECOVERING episode outlives the recovery deadline plus one back-off step.
    B: after a cluster of transient faults ends, with no client op in the way, the system is running
    (or paused) again within ``deadline_s`` (default: max back-off + 0.5 s)."""
    evidence: list[Any] = []
    end_time = history.end_time if now is None else now
    if system is not None:
        end_time = max(end_time, system.clock.now())
    states = _system_states(history)
    # A: bounded episodes
    entered: tuple[int, float] | None = None
    for idx, t, st in states:
        if st == "recovering" and entered is None:
            entered = (idx, t)
        elif st != "recovering" and entered is not None:
            dl, backoff = _recovery_params(_config_at(history, entered[0]))
            if t - entered[1] > dl + backoff + 0.05:
                evidence.append({"why": "recovery outlived its deadline", "entered": entered[1], "left": t,
                                 "bound_s": dl + backoff})
            entered = None
    if entered is not None:
        dl, backoff = _recovery_params(_config_at(history, entered[0]))
        if end_time - entered[1] > dl + backoff + 0.05:
            evidence.append({"why": "still recovering past the deadline", "entered": entered[1],
                             "now": end_time, "bound_s": dl + backoff})
    # B: back to running after transient faults
    faults = sorted((f for f in history.faults() if f.get("fired_at") is not None), key=lambda f: f["fired_at"])
    clusters: list[list[dict[str, Any]]] = []
    for f in faults:
        end = f.get("ended_at")
        if clusters and f["fired_at"] <= max((g.get("ended_at") or _INF) for g in clusters[-1]):
            clusters[-1].append(f)
        else:
            clusters.append([f])
        del end
    client_ops = [o for o in history.operations() if o.process != "fault"]
    failed_events = history.events("recovery_failed")
    checked = 0
    for cluster in clusters:
        if not all(f.get("transient", True) for f in cluster):
            continue
        if any(f.get("ended_at") is None for f in cluster):
            continue
        start = cluster[0]["fired_at"]
        start_index = min(f.get("start_index", 1 << 60) for f in cluster)
        end = max(f["ended_at"] for f in cluster)
        before = [s for s in states if s[0] < start_index]
        state_then = before[-1][2] if before else "uninitialized"
        if state_then not in ("running", "paused"):
            continue
        _, backoff = _recovery_params(_config_at(history, start_index))
        limit = deadline_s if deadline_s is not None else backoff + 0.5
        if end_time < end + limit:
            continue  # the history stops too early to tell
        if any(o.invoke_time <= end + limit and (o.complete_time or _INF) >= start for o in client_ops):
            continue  # the owner acted in the window: their op decides the state, not recovery
        if any(start <= e.time <= end + limit and ("deadline" in str(e.data.get("reason", ""))
                                                   or e.time <= end) for e in failed_events):
            continue  # recovery gave up while the fault was still there (or its deadline ran out)
        checked += 1
        at_end = [s for s in states if s[1] <= end]
        ok = (at_end[-1][2] if at_end else state_then) in ("running", "paused") or any(
            end < t <= end + limit and st in ("running", "paused") for _, t, st in states)
        if not ok:
            evidence.append({"why": f"not running within {limit:.3f} s after transient fault(s) ended",
                             "faults": [f"{f.get('kind')}@{f.get('fired_at'):.4f}-{f.get('ended_at'):.4f}"
                                        for f in cluster],
                             "state_at_end": at_end[-1][2] if at_end else state_then})
    if evidence:
        return Verdict("recovery", False, evidence, f"{len(evidence)} recovery problem(s)")
    return _ok("recovery", f"recoveries bounded; {checked} fault window(s) recovered in time")


# ======================================================================= 6. callback errors ====

def _is_escape(entry: Any) -> bool:
    err = entry.data.get("error") or {}
    return err.get("type") == "CallbackError" and str(err.get("message", "")).startswith("callback raised")


def _is_callback_error(entry: Any) -> bool:
    err = entry.data.get("error") or {}
    return err.get("type") == "CallbackError" and not _is_escape(entry)


def check_callback_errors(history: History, system: "AudioSystem | None" = None) -> Verdict:
    evidence: list[Any] = []
    escapes = [e for e in history.errors() if _is_escape(e)]
    evidence += [{"why": "exception escaped the audio callback", "time": e.time,
                  "message": (e.data.get("error") or {}).get("message")} for e in escapes]
    seen = 0
    errors_by_index = [e for e in history.errors() if _is_callback_error(e)]
    j = 0
    for snap in history.snapshots():
        while j < len(errors_by_index) and errors_by_index[j].index < snap.index:
            j += 1
        seen = j
        counted = snap.data.get("counters", {}).get("callback_errors", 0)
        pending = snap.data.get("pending_callback_errors", 0)
        if not seen <= counted <= seen + pending:
            evidence.append({"why": "callback errors counted but never reported" if counted > seen + pending
                             else "more callback errors reported than counted",
                             "time": snap.time, "counted": counted, "reported": seen, "queued": pending})
    if system is not None:
        counted = system.monitoring.value("callback_errors")
        pipeline = system.pipeline
        pending = len(pipeline.errors) if pipeline is not None else 0
        seen = len(errors_by_index)
        if not seen <= counted <= seen + pending:
            evidence.append({"why": "live: callback errors counted != reported + queued", "counted": counted,
                             "reported": seen, "queued": pending})
    if evidence:
        return Verdict("callback_errors", False, evidence, f"{len(evidence)} callback error problem(s)")
    return _ok("callback_errors", f"no escapes; {len(errors_by_index)} callback errors all accounted for")


# ======================================================================= 7. rejected config ====

def check_rejected_config(history: History) -> Verdict:
    evidence: list[Any] = []
    ops = [o for o in history.operations() if o.op in ("configure", "reconfigure")]
    overlapping = _overlapping(history.operations())
    sys_transitions = history.transitions("system")
    checked = 0
    for o in ops:
        err_type = (o.error or {}).get("type") if isinstance(o.error, dict) else None
        if o.meta.get("invalid") and o.outcome == "ok":
            evidence.append({"why": "an invalid configuration was accepted", "op_id": o.op_id,
                             "reason": o.meta.get("reason"), "args": o.args})
            continue
        if o.outcome != "fail" or err_type not in _CONFIG_ERRORS or o.op_id in overlapping:
            continue
        checked += 1
        if o.pre and o.post and (o.pre.get("state"), o.pre.get("config")) != (o.post.get("state"),
                                                                                  o.post.get("config")):
            evidence.append({"why": "rejected configuration changed the system", "op_id": o.op_id,
                             "pre": o.pre, "post": o.post, "reason": o.meta.get("reason")})
        moved = [t for t in sys_transitions if o.invoke_index < t["index"] < (o.complete_index or 0)]
        if moved:
            evidence.append({"why": "transitions during a rejected configuration", "op_id": o.op_id,
                             "transitions": moved[:5]})
    if evidence:
        return Verdict("rejected_config", False, evidence, f"{len(evidence)} rejected-config problem(s)")
    return _ok("rejected_config", f"{checked} rejected configuration(s) changed nothing")


# ================================================================================ 8. health ====

def health_problems(health: dict[str, Any], state: str) -> list[str]:
    out = []
    if health.get("state") != state:
        out.append(f"health says {health.get('state')} but the state is {state}")
    if health.get("healthy") and state in ("failed", "recovering", "reconfiguring"):
        out.append(f"healthy while {state}")
    if health.get("recovering") and state != "recovering":
        out.append(f"recovering flag set while {state}")
    if health.get("healthy") and not all(c.get("healthy") for c in health.get("components", {}).values()):
        out.append("healthy with an unhealthy component")
    return out


def check_health(history: History, system: "AudioSystem | None" = None) -> Verdict:
    evidence: list[Any] = []
    states = _system_states(history)
    k = 0
    for snap in history.snapshots():
        while k + 1 < len(states) and states[k + 1][0] < snap.index:
            k += 1
        shown = states[k][2]
        health = snap.data.get("health") or {}
        for p in health_problems(health, shown):
            evidence.append({"time": snap.time, "index": snap.index, "problem": p})
    if system is not None:
        shown = states[-1][2]
        health = system.health()
        live = [f"live: {p}" for p in health_problems(health, shown)]
        if system.state.value == "running" and health.get("healthy"):
            stream = system.stream
            if stream is None or not stream.active:
                live.append("live: healthy and running without an active stream")
        evidence += [{"time": system.clock.now(), "problem": p} for p in live]
    if evidence:
        return Verdict("health", False, evidence, f"{len(evidence)} disagreement(s) between health and history")
    return _ok("health", "health agrees with the history")


# ================================================================================= together ====

CHECKS: dict[str, Callable[..., Verdict]] = {
    "legal_transitions": lambda h, s: check_legal_transitions(h),
    "history_complete": lambda h, s: check_history_complete(h),
    "linearizable": lambda h, s: check_linearizable(h),
    "resources": lambda h, s: check_resources(h, s),
    "frame_accounting": lambda h, s: check_frame_accounting(h, s),
    "recovery": lambda h, s: check_recovery(h, s),
    "callback_errors": lambda h, s: check_callback_errors(h, s),
    "rejected_config": lambda h, s: check_rejected_config(h),
    "health": lambda h, s: check_health(h, s),
}


def check_all(history: History, system: "AudioSystem | None" = None, *,
              only: Iterable[str] | None = None,
              threads_before: Iterable[threading.Thread] | None = None) -> list[Verdict]:
    """Every checker over ``history`` (plus live checks when ``system`` is given; with
    ``threads_before``, threads started since and still alive after close are leaks)."""
    names = list(only) if only is not None else list(CHECKS)
    out = []
    for name in names:
        try:
            if name == "resources" and threads_before is not None:
                out.append(check_resources(history, system, threads_before=threads_before))
                continue
            out.append(CHECKS[name](history, system))
        except Exception as exc:  # noqa: BLE001 - a broken checker is itself a failed verdict
            out.append(Verdict(name, False, [repr(exc)], f"checker raised {type(exc).__name__}: {exc}"))
    return out


class LiveChecker:
    """Checks after every step: cheap live checks, plus the history checks on what is new.

    ``check()`` returns verdicts; ``assert_ok()`` raises ``InvariantViolation``. Transitions are
    checked as they happen (the checker subscribes its own observer), so an illegal transition is
    caught even if a later one would hide it.
    """

    def __init__(self, system: "AudioSystem", history: History | None = None, *,
                 threads_before: Iterable[threading.Thread] | None = None) -> None:
        self.system = system
        self.history = history
        self.threads_before = list(threads_before) if threads_before is not None else None
        self._bad_transitions: list[dict[str, Any]] = []
        self._last = {n: s.value for n, s in system.coordinator.states().items()}
        self._lock = threading.Lock()
        self.checks = 0
        system.add_observer(self._on_transition)

    def _on_transition(self, rec: Any) -> None:
        d = rec.to_dict()
        with self._lock:
            prev = self._last.get(rec.component)
            if d["to_state"] not in _LEGAL[d["from_state"]]:
                self._bad_transitions.append({"why": "not in TRANSITIONS", **d})
            elif prev is not None and prev != d["from_state"]:
                self._bad_transitions.append({"why": f"discontinuous: was {prev}", **d})
            self._last[rec.component] = d["to_state"]

    def check(self) -> list[Verdict]:
        self.checks += 1
        system = self.system
        out = []
        with self._lock:
            bad = list(self._bad_transitions)
        out.append(Verdict("legal_transitions", False, bad, f"{len(bad)} illegal transition(s)") if bad
                   else _ok("legal_transitions"))
        out.append(check_frame_accounting(None, system))
        out.append(check_resources(None, system, threads_before=self.threads_before))
        if self.history is not None:
            h = self.history
            out.append(check_callback_errors(h, system))
            out.append(check_recovery(h, system))
            out.append(check_rejected_config(h))
            out.append(check_health(h, system))
            out.append(check_linearizable(h))
        return out

    def assert_ok(self) -> None:
        assert_ok(self.check())

    def close(self) -> None:
        self.system.coordinator.remove_observer(self._on_transition)


def fingerprint(system: "AudioSystem") -> tuple[str, str | None]:
    """(state, config digest): what a rejected configuration must leave unchanged."""
    return system.state.value, config_digest(system.config)


__all__ = [
    "CHECKS",
    "CoordinatorModel",
    "InvariantViolation",
    "LiveChecker",
    "NAMES",
    "SystemModel",
    "Verdict",
    "assert_ok",
    "check_all",
    "check_callback_errors",
    "check_frame_accounting",
    "check_health",
    "check_history_complete",
    "check_legal_transitions",
    "check_linearizable",
    "check_recovery",
    "check_rejected_config",
    "check_resources",
    "failed",
    "fingerprint",
    "health_problems",
]
