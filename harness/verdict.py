"""The verdict of a run: one object that the CLI line, the exit code, ``summary.json``, both reports,
the run-history database and the pytest plugin all read.

A run ends in one of three outcomes:

================  =====  ==============================================================================
outcome           exit   meaning
================  =====  ==============================================================================
``pass``          0      every invariant was checked and held, the run completed, faults were injected
                         when the profile asked for them, no leak was found
``fail``          1      an invariant was violated, the run crashed, or a leak was found
``inconclusive``  3      nothing was found, but the run cannot vouch for the system: a check could not
                         reach a verdict (a search bound, a history it could not order), the profile
                         asked for faults and none was injected, no invariant was checked, the run
                         was interrupted before its end, or a device was lost with nothing to explain
                         it (``harness.device_losses``)
================  =====  ==============================================================================

Exit code 2 stays what it always was: a usage or input error, found before the run started. An
inconclusive run never exits 0, so CI does not go green on a run that proved nothing; a caller who
accepts it says so explicitly (``RunVerdict.exit_code_with(inconclusive_ok=True)``).

Why one function (``judge_run``) and not a flag per caller: the report of a run used to count a
deliberately provoked FAILED state as a failure while the CLI, reading the invariants, said every
invariant held. The rule that turns findings into an outcome lives here only; everything else
passes its findings in and prints what comes out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from .device_losses import loss_findings
from .fault_outcomes import describe_missed
from .faults.refused import describe_not_applicable, describe_refused

__all__ = ["EXIT_CODES", "FAULT_WINDOWS", "Outcome", "PLAIN_WINDOWS", "RunVerdict", "describe_skips", "inconclusive_reason",
           "judge_run", "steady_windows"]


class Outcome(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"


EXIT_CODES: dict[Outcome, int] = {Outcome.PASS: 0, Outcome.FAIL: 1, Outcome.INCONCLUSIVE: 3}


def _check_dict(v: Any) -> dict[str, Any]:
    """An invariant verdict (``invariants.Verdict`` or its dict) as a plain dict."""
    if isinstance(v, Mapping):
        d = dict(v)
    else:
        d = v.to_dict()
    d["ok"] = bool(d.get("ok"))
    d["inconclusive"] = bool(d.get("inconclusive"))
    return d


def check_status(check: Mapping[str, Any]) -> str:
    """``held``, ``violated`` or ``inconclusive`` for one invariant's dict."""
    if not check.get("ok"):
        return "violated"
    return "inconclusive" if check.get("inconclusive") else "held"


@dataclass(frozen=True)
class RunVerdict:
    """The outcome of one run and every reason for it.

    ``checks``: each invariant's verdict as a dict (name, ok, inconclusive, message, evidence);
    ``failures``: why the run failed (empty unless it did); ``doubts``: why it is inconclusive.
    """

    checks: tuple[dict[str, Any], ...] = ()
    failures: tuple[str, ...] = ()
    doubts: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    #: each performance gate's judgement (``harness.gates.GateResult`` as a dict)
    gates: tuple[dict[str, Any], ...] = ()
    #: the steady-state check (``harness.steady_state.SteadyState`` as a dict), or None
    steady: dict[str, Any] | None = None
    #: what the checks are: ``invariants`` (a run, a soak) or ``expectations`` (a scenario, whose
    #: one ``expectations`` check holds them all): the headline names them so
    subject: str = "invariants"

    @property
    def outcome(self) -> Outcome:
        if self.failures:
            return Outcome.FAIL
        if self.doubts:
            return Outcome.INCONCLUSIVE
        return Outcome.PASS

    @property
    def ok(self) -> bool:
        """True only for a pass: an inconclusive run is not ok."""
        return self.outcome is Outcome.PASS

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.outcome]

    def exit_code_with(self, *, inconclusive_ok: bool = False) -> int:
        if inconclusive_ok and self.outcome is Outcome.INCONCLUSIVE:
            return 0
        return self.exit_code

    @property
    def violated(self) -> list[str]:
        return [c["name"] for c in self.checks if check_status(c) == "violated"]

    @property
    def inconclusive(self) -> list[str]:
        return [c["name"] for c in self.checks if check_status(c) == "inconclusive"]

    @property
    def reasons(self) -> list[str]:
        return [*self.failures, *self.doubts]

    def headline(self) -> str:
        """One line for people: never "all invariants held" unless all were checked and held."""
        if self.outcome is Outcome.PASS:
            extra = ""
            if self.gates:
                extra += f"; {len(self.gates)} gate(s) met"
            if self.steady is not None:
                extra += f"; steady before: {self.steady.get('before')}, after: {self.steady.get('after')}"
            if self.notes:
                extra += f"; {self.notes_clause()}"
            return f"PASS: {self._held()}" + extra
        label = "FAIL" if self.outcome is Outcome.FAIL else "INCONCLUSIVE"
        return f"{label}: " + "; ".join(self.reasons)

    def notes_clause(self) -> str:
        """``"1 note: ..."`` or ``"2 notes: (1) ... (2) ..."``, each note cut at ``REASON_MAX``
        characters on a word; "" for none. A pass's headline ends with it: a CI log shows the one
        line, and a pass through an outside outage or with faults it could not inject is not the
        same pass as an undisturbed one (the whole notes are in ``notes``)."""
        if not self.notes:
            return ""
        cut = [clip(n) for n in self.notes]
        if len(cut) == 1:
            return f"1 note: {cut[0]}"
        return f"{len(cut)} notes: " + " ".join(f"({i}) {n}" for i, n in enumerate(cut, 1))

    def _held(self) -> str:
        # a scenario's one ``expectations`` check holds them all; its count is in the check's
        # message, which a report rebuilt from summary.json does not have: the line does without
        return (f"all {len(self.checks)} invariants held" if self.subject == "invariants"
                else f"every one of its {self.subject} held")

    def to_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome.value, "ok": self.ok, "exit_code": self.exit_code,
                "headline": self.headline(), "reasons": self.reasons, "failures": list(self.failures),
                "doubts": list(self.doubts), "notes": list(self.notes), "violated": self.violated,
                "inconclusive": self.inconclusive, "gates": [dict(g) for g in self.gates],
                "steady_state": dict(self.steady) if self.steady is not None else None}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], checks: Iterable[Any] = ()) -> "RunVerdict":
        return cls(tuple(_check_dict(c) for c in checks), tuple(d.get("failures") or ()),
                   tuple(d.get("doubts") or ()), tuple(d.get("notes") or ()),
                   tuple(dict(g) for g in d.get("gates") or ()),
                   dict(d["steady_state"]) if isinstance(d.get("steady_state"), Mapping) else None)


def judge_run(checks: Iterable[Any], *, status: str = "completed", crashed: str | None = None,
              leaks: Iterable[str] = (), faults_wanted: bool = False, faults_injected: int | None = None,
              lost: Iterable[str] = (), leaks_unsure: Iterable[str] = (), notes: Iterable[str] = (),
              gates: Iterable[Any] = (), steady: Mapping[str, Any] | None = None,
              faults_skipped: Mapping[str, Mapping[str, int]] | None = None,
              not_started: str | None = None, device_losses: Mapping[str, Any] | None = None,
              unfired: Mapping[str, int] | None = None, unfired_why: Mapping[str, Any] | None = None,
              delivery_held: int | None = None, subject: str = "invariants",
              path_missed: Mapping[str, Mapping[str, Any]] | None = None,
              path_unseen: Mapping[str, Mapping[str, Any]] | None = None, faults_never_served: int = 0,
              mostly_refused: Mapping[str, Mapping[str, Any]] | None = None,
              not_applicable: Mapping[str, Mapping[str, Any]] | None = None) -> RunVerdict:
    """Turn a run's findings into its verdict (the only place that does).

    ``checks``: the invariant verdicts; ``status``: ``completed``, ``interrupted``, ``partial`` (a
    report rebuilt from a truncated journal) or ``crashed``; ``crashed``: what the crash was;
    ``leaks``: the metrics a leak was found in; ``leaks_unsure``: metrics whose growth could not be
    told from a buffer still filling (a short soak); ``lost``: records of the run that were lost (a
    corrupt or truncated journal line), so part of it was never judged; ``faults_wanted``: the fault profile asked for
    faults (every built-in profile but ``none`` does); ``faults_injected``: how many fired;
    ``faults_skipped``: the faults that were not injected, kind -> reason -> count (the target
    could not inject them, or they had nothing to act on when they fired): named in the doubt of
    a run that injected none, and in a note of a run that injected others.
    ``gates``: the performance gates' judgements (``harness.gates.GateResult`` or dicts): a failed
    gate fails the run, a gate that could not be measured makes it inconclusive (never a silent
    pass). ``steady``: the steady-state check (``harness.steady_state``): a steady state that never
    came back after the last fault fails the run; one that could not be observed after it, or a
    system that was not steady before the first fault, makes it inconclusive (and so does a
    steady state missing after the faults when there was none before them to return to).
    ``not_started``: why the system never ran although nothing was wrong with the command (its
    device died under it as it started: the JACK server killed from outside): nothing ran to be
    judged, inconclusive, never a pass and never a usage error.
    ``device_losses``: the run's device losses as ``harness.device_losses.summary_of`` gives them
    (``summary.json``'s ``device_losses``): a loss that no device fault and no observed server
    outage explains makes the run inconclusive, naming when and which device (the system
    recovered, so nothing failed, but the run did not provoke the loss and cannot tell the
    system's crash from the world's); explained losses are a note, which in a run with no fault
    (``steady["faults"]`` False) also says what the run then tested (``recovered_from_outside``).
    ``unfired``: kind -> faults the run's schedule drew of it, for each kind that never fired
    (``runner.scheduled_unfired``): a completed run that injected faults but none of a kind its
    schedule promised is inconclusive, naming the kinds; it tested nothing of them (an
    interrupted run, or one that injected nothing, already says so). ``unfired_why``: kind -> why
    its faults did not fire (``runner.unfired_why``'s dicts, their ``why``, or the clause itself):
    still queued behind the injector's earlier calls at the run's end, refused, or never reached;
    said beside each kind, since the remedy differs (a longer run, another profile).
    ``path_missed``: kind -> what its firings became, for each kind that names a path of the
    system (``harness.fault_outcomes.JUDGED_KINDS``: ``xrun``, ``dropout``, ``callback_raises``;
    ``stall`` and ``sample_rate_change`` where ``judged_kinds`` adds them)
    none of whose judged firings reached it (``harness.fault_outcomes.path_missed``,
    ``summary.json``'s ``faults.path_missed``): a completed run that injected it tested nothing of
    that path, as of a kind that never fired, and is inconclusive naming it.
    ``path_unseen``: kind -> what its firings became, for each such kind none of whose firings was
    judged and one at least not observed (``harness.fault_outcomes.path_unseen``, ``summary.json``'s
    ``faults.path_unseen``: its window outlasted the samples that show an outcome): whether the
    run tested that path is not known, inconclusive naming it.
    ``faults_never_served``: of the ``faults_injected``, the firings the device took back whole
    before the system met them (``harness.fault_outcomes.never_served_count``): never a doubt of
    their own, but a run all of whose firings were is a run that injected nothing the system met,
    inconclusive as one that injected none.
    ``mostly_refused``: kind -> ``{"fired", "refused", "reasons"}`` for each kind more of whose
    firings were refused than acted (``harness.faults.refused``, ``summary.json``'s
    ``faults.mostly_refused``): the system had nothing for them to act on when they came (failed,
    recovering), so the run tried that kind less than it drew it: a note naming each kind, its
    counts and why, never a doubt: making each kind refused more often than it acted a doubt read
    half of ``outages``'s healthy runs inconclusive with every kind tried. A fault refused for the
    system's state is held until the system can take it; one still held at the run's end counts
    here as refused (the system never came back to where the kind could act).
    A kind refused at most as often as it acted stays the skips' note.
    ``not_applicable``: kind -> ``{"refused", "reasons"}`` for each kind the system refused at every
    firing for its make, never its state (``harness.faults.refused.not_applicable``,
    ``summary.json``'s ``faults.not_applicable``): a note naming each kind and why, so a kind the
    user asked for is never passed in silence, and no doubt: no run of this system could try it.
    ``delivery_held``: the silences the system's watchdog laid on the machine (``summary.json``'s
    ``delivery_held``): a note (``held_note``), never a failure: the audio check judged their
    damage the machine's, as an outage's is the world's.
    ``subject``: ``expectations`` for a scenario, whose checks are one ``expectations`` check and
    one per unmet expectation: its headline says "expectations not met" and names the unmet ones,
    or, on a pass, "every one of its expectations held", where a run's says how many invariants
    held.
    """
    items = tuple(_check_dict(c) for c in checks)
    failures: list[str] = []
    doubts: list[str] = []
    violated = [c["name"] for c in items if check_status(c) == "violated"]
    if subject == "expectations":
        unmet = [name for name in violated if name != subject] or violated
        if violated:
            failures.append("expectations not met: " + ", ".join(unmet))
    elif violated:
        failures.append(f"{subject} violated: " + ", ".join(violated))
    if crashed is not None or status == "crashed":
        failures.append(f"the run crashed: {crashed}" if crashed else "the run crashed")
    leaks = list(leaks)
    if leaks:
        failures.append("leak suspected: " + ", ".join(leaks))
    unsure = [c for c in items if check_status(c) == "inconclusive"]
    if unsure:
        doubts.append("inconclusive: " + ", ".join(f"{c['name']} ({inconclusive_reason(c)})" if inconclusive_reason(c)
                                                   else c["name"] for c in unsure))
    if not items:
        doubts.append("no invariant was checked")
    if status in ("interrupted", "partial"):
        doubts.append(f"the run did not finish ({status})")
    if not_started:
        doubts.append(f"the system never ran: {not_started}")
    leaks_unsure = list(leaks_unsure)
    if leaks_unsure:
        doubts.append("leak judgement inconclusive: " + "; ".join(leaks_unsure))
    lost = list(lost)
    if lost:
        doubts.append(f"part of the run's record was lost ({len(lost)} problem(s)): {lost[0]}")
    gate_items = tuple(g.to_dict() if hasattr(g, "to_dict") else dict(g) for g in gates)
    failures += [g["message"] for g in gate_items if g["status"] == "failed"]
    doubts += [g["message"] for g in gate_items if g["status"] == "not_measured"]
    steady_d = dict(steady) if steady is not None else None
    if steady_d is not None:
        had_faults = steady_d.get("faults", True) is not False
        before, after, _ = steady_windows(had_faults)
        if steady_d.get("after") == "no" and steady_d.get("before") == "no":
            # no steady state to return to: the hypothesis was never established, so its absence
            # after the faults cannot be laid on them (a loaded rig's stream that stalls by
            # itself is unsteady before and after alike); the invariants still judge the run
            doubts.append(f"steady state did not return {after}, but there was none {before} either, "
                          f"so the faults cannot be blamed: {steady_d.get('after_detail')}"
                          if had_faults else
                          f"the system was steady neither {before} nor {after}: {steady_d.get('after_detail')}")
        elif steady_d.get("after") == "no":
            failures.append(f"steady state did not return {after}: {steady_d.get('after_detail')}")
        elif steady_d.get("after") == "not observed":
            doubts.append(f"steady state {after} could not be observed: {steady_d.get('after_detail')}")
        if steady_d.get("before") == "no":
            doubts.append(f"the system was not steady {before}: {steady_d.get('before_detail')}")
    skipped = describe_skips(faults_skipped or {})
    notes = list(notes)
    loss_doubt, loss_note = loss_findings(device_losses)
    if loss_doubt:
        doubts.append(loss_doubt)
    if loss_note and steady_d is not None and steady_d.get("faults") is False:
        notes.append(recovered_from_outside(loss_note))
    elif loss_note:
        notes.append(loss_note)
    if delivery_held:
        notes.append(held_note(delivery_held))
    if faults_wanted and faults_injected == 0:
        doubts.append("the fault profile asked for faults but none was injected: nothing was tested "
                      "under faults" + (f" ({skipped})" if skipped else ""))
    elif faults_wanted and faults_injected and faults_never_served >= faults_injected:
        doubts.append(f"the fault profile asked for faults but none was injected that the system met: the "
                      f"{'one' if faults_injected == 1 else f'{faults_injected}'} that fired "
                      f"{'was' if faults_injected == 1 else 'were'} taken back whole before a block took any "
                      "(never served): nothing was tested under faults" + (f" ({skipped})" if skipped else ""))
    elif skipped:
        notes.append(skipped)
    if unfired and status == "completed" and faults_injected:
        doubts.append("fault kinds the schedule drew never fired: "
                      + ", ".join(f"{kind} ({n} drawn" + (f": {why}" if (why := _unfired_clause(unfired_why, kind)) else "")
                                  + ")" for kind, n in sorted(unfired.items()))
                      + ": the run tested nothing of them")
    if path_missed and status == "completed":
        doubts.append("fault kinds that fired never reached the path they name: " + describe_missed(path_missed)
                      + ": the run tested nothing of those paths")
    if path_unseen and status == "completed":
        doubts.append("fault kinds whose firings' outcomes the run could not see: " + describe_missed(path_unseen)
                      + ": whether the run tested those paths is not known")
    if mostly_refused and status == "completed" and faults_injected:
        notes.append(REFUSED_MOSTLY + describe_refused(mostly_refused) + ": the run tried them less than it drew them")
    if not_applicable:
        notes.append(NOT_APPLICABLE + describe_not_applicable(not_applicable))
    return RunVerdict(items, tuple(failures), tuple(doubts), tuple(notes), gate_items, steady_d, subject)


#: the note of a run with a fault kind the system refused at every firing for its make
NOT_APPLICABLE = "fault kinds not applicable to this system (it never has what they act on): "

#: the note of a run with a fault kind more of whose firings were refused than acted
REFUSED_MOSTLY = "fault kinds most of whose faults were refused when they fired: "


def recovered_from_outside(loss_note: str) -> str:
    """The note of a run with no fault (``--faults none``) whose device failed under it all the
    same, the failure explained by the environment (``loss_note``: a server killed from outside,
    a stall over which JACK reported xruns). The system is judged as in any run: its invariants
    over the whole history, its recovery from the loss, its audio around the outage. A pass then
    says the system came back from the world's fault, which is what a field crash asks of it; the
    note keeps a reader from taking the run for an undisturbed steady state, and the steady-state
    check's windows (at the run's start and end) say whether the system was steady around it."""
    return (f"the run had no fault of its own, yet its device failed under it ({loss_note}): "
            "the system was judged through that outage and its recovery, not over an undisturbed run")


def held_note(count: int) -> str:
    """The note of a run in which the system's watchdog laid ``count`` silence(s) on the machine
    (``system_under_test.system.held_by_the_machine``): the delivery thread, where the system
    takes its blocks, waited for a CPU while the device kept calling back. Nothing stalled and
    nothing recovered; the audio check judged what those silences lost as the machine's (each a
    window of its own, ``delivery_held``), and a reader must not take the run for one the
    machine left alone."""
    return (f"the system's watchdog laid {count} silence(s) on the machine (its delivery thread held off a "
            "CPU while the device kept calling back): the audio lost there was judged the machine's, "
            "not the system's")


#: what the steady-state check's two windows are called, and when the second is looked for: before
#: the run's first fault and after its last one; in a run with no fault to be before or after
#: (``--faults none``) the windows are at its start and at its end
FAULT_WINDOWS = ("before the first fault", "after the last fault", "after the faults ended")
PLAIN_WINDOWS = ("at the run's start", "at the run's end", "after the run's time was up")


def steady_windows(faults: bool) -> tuple[str, str, str]:
    """(the window before, the window after, when the after-check starts) in a run's words:
    ``FAULT_WINDOWS`` when it had faults, ``PLAIN_WINDOWS`` when it had none."""
    return FAULT_WINDOWS if faults else PLAIN_WINDOWS


def _unfired_clause(unfired_why: Mapping[str, Any] | None, kind: str) -> str:
    """Why ``kind``'s drawn faults never fired, as ``unfired_why`` gives it (a summary's dict with
    its ``why``, or the clause); "" when it does not say (a summary written before it did)."""
    why = (unfired_why or {}).get(kind)
    if isinstance(why, Mapping):
        why = why.get("why")
    return why.strip() if isinstance(why, str) else ""


#: the longest reason the headline gives one inconclusive check (the whole message is in the
#: check's own line, ``summary.json``'s ``inconclusive`` and the reports' invariants table)
REASON_MAX = 160


def inconclusive_reason(check: Mapping[str, Any]) -> str:
    """Why an inconclusive check is so, in one short clause for the headline: the check's own
    ``reason`` where it gives one, else its message's first clause (up to ``; `` or ``: inconclusive``),
    cut at ``REASON_MAX`` characters on a word. A check of a report written before checks gave a
    reason (``summary.json`` of an older run) is named by its message the same way."""
    reason = str(check.get("reason") or "").strip()
    if not reason:
        reason = str(check.get("message") or "").split(": inconclusive", 1)[0].split("; ", 1)[0].strip()
    return clip(reason)


def clip(text: str) -> str:
    """``text`` cut at ``REASON_MAX`` characters on a word, with `` ...`` where it was cut."""
    text = text.strip()
    if len(text) > REASON_MAX:
        text = text[:REASON_MAX].rsplit(" ", 1)[0].rstrip(",;:") + " ..."
    return text


def describe_skips(skipped: Mapping[str, Mapping[str, int]]) -> str:
    """``"3 fault(s) skipped: slow_dsp x3 (the system has no pipeline ...)"`` for kind -> reason ->
    count; empty for none."""
    parts = [f"{kind} x{n} ({reason})" for kind, reasons in sorted(skipped.items())
             for reason, n in sorted(reasons.items())]
    total = sum(n for reasons in skipped.values() for n in reasons.values())
    return f"{total} fault(s) skipped: " + "; ".join(parts) if parts else ""
