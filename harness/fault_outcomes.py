"""What each fault firing became, as the system saw it, read from the run's history.

Why: a run's summary counts every firing of a kind under ``faults.by_kind`` whichever path it
took in the system. An ``xrun`` fault late past the watchdog's bound is a stall and a restart, not
an xrun (bench/RESULTS.md, the outside audit: 15 of 18 firings), so "xrun: 12 fired, PASS" said
the xrun path was tried twelve times when it was tried twice. Each firing is put here in one
outcome, from what the history recorded after it:

- ``stall``: the system reported its stream stalled (a ``DeviceStalledError``), and restarted it;
- ``rate_change``: the device reported its rate switched under the stream (a ``SampleRateChangedError``);
- ``device_error``: another error of the ``device`` component (a device lost);
- ``error``: any other error the system recorded (a callback error, a pool exhausted);
- ``refused``: for an ``invalid_config`` firing (``REFUSED_BY_KIND``), the system refused the
  configuration (its ``config_rejected`` event, or the operation failed with an error of its
  ``config`` component): that fault's path is the system's refusal, which its ``error`` entries
  never show (a refusal is an event and an operation's failure, not a recorded error);
- ``xrun``: no error, and the system counted a late block: its ``status_output_underflow``
  counter (a block whose output the device had to repeat: the simulated device flags a late
  callback so, and a real one its missed deadline) rose between the metrics sample before the
  firing and the first one after its window, by more than the firings before it were credited
  with (a system none of whose ``status_*`` flag counters moved while its ``xruns`` did: that
  one). A rise is credited first to
  the ``xrun`` firings whose windows have ended, then to the others, each in the order they fired;
- ``nothing_seen``: none of these, and a metrics sample after the window shows it;
- ``not_observed``: the history ends before a metrics sample after the window, or its samples
  hold no such counter (nothing the system counts can show a late block): the fault acted, and
  the run could not see what it became;
- ``never_served``: the device took back the whole of what the firing asked of it before a block
  took any (a ``fault_taken_back`` note naming its fault: the faults' end, or its window's end with
  its stream gone), so the system never met it, whatever came in its window: nothing happened, and
  nothing is judged of it.

The two last are told apart because only the first is a doubt of the run. A ``not_observed``
firing acted and its outcome is unknown: a judged kind (``judged_kinds``) none of whose firings was
seen reach its path, or seen at all, and one of which was not observed (``path_unseen``), may have
reached it or not, so the run is inconclusive on that path, as on a path missed. A ``never_served``
firing is never a failure nor a doubt of its own: the run's end (or its stream's death) took it
back, not the system, and a kind whose other firings were judged stays judged by them. Yet such a
firing tested nothing: a run whose every firing was never served injected nothing the system met,
and reads as a run that injected no fault (``never_served_count``, the verdict's "none was
injected"), never a silent pass.

A firing's window runs from its start to its end (an instantaneous fault's start, plus an xrun's
lateness or a ``callback_raises``' corrupted blocks, a period each: ``acts_past_end_s``) and on for ``settle_for(period)``: the watchdog's bound, a period and a supervisor pass
at the period in force when it fired (``harness.faults.xrun_bound.Period``, the figures the xrun's
and the stall's bounds are drawn from: the system's last ``config_applied`` configuration, so that
a live reconfiguration to another block size moves it, else the run's), never less than
``SETTLE_S``. A lasting fault's ``fault_start`` carries no end: its window stays open until its
``fault_end``, whatever metrics samples come while it acts (closed by the first sample after its
start plus the margin, a 0.5 s dropout or a stall whose error came late in its own span read
"nothing seen": 34 of 313 "nothing seen" firings of 40 healthy default/hostile runs at 256 frames,
bench/lasting_fault_windows.py). A stall the
watchdog takes, a callback error or a device loss met at the next callback then falls inside it at
any block size: a fixed 50 ms, right at 256 frames / 48 kHz, closed an 8192-frame stall's window
long before its watchdog error 645 ms after its firing, and read it "nothing seen". The first
error inside the window is the firing's outcome, so a firing that overlaps another fault's error
is given that error: the outcome is what the system saw while it acted, not a proof of cause.

Kinds that name a path of the system (``PATH_OF_KIND``: an ``xrun`` names the xrun path, a
``stall`` the watchdog's stall, a ``dropout`` a device lost, ``callback_raises`` a callback error,
``sample_rate_change`` the device's rate error) are read by it, and those of the run's
``judged_kinds`` (``JUDGED_KINDS``; ``stall`` on a system with the stock watchdog,
``sample_rate_change`` on a device that reports a switched rate as its own error) judged by it: a kind none of whose observed firings reached its path did not test that path
(``path_missed``), and a run's verdict does not count it as tested. A firing of such a kind whose
window holds its path reads that path even when another fault's error came first (an ``xrun``
that met a stall excepted: that is the xrun path missed).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .faults.stall_bound import min_stall_s
from .faults.xrun_bound import SETTLE_S, Period, acts_past_end_s, period_of, settle_for

STALL, RATE_CHANGE, DEVICE_ERROR, ERROR, XRUN, REFUSED, NOTHING_SEEN, NOT_OBSERVED, NEVER_SERVED = (
    "stall", "rate_change", "device_error", "error", "xrun", "refused", "nothing_seen", "not_observed", "never_served")
#: every outcome, in the order reports list them
OUTCOMES = (XRUN, STALL, RATE_CHANGE, DEVICE_ERROR, ERROR, REFUSED, NOTHING_SEEN, NOT_OBSERVED, NEVER_SERVED)
#: the outcomes of a firing not known to have reached its path nor to have missed it
UNJUDGED = frozenset({NOT_OBSERVED, NEVER_SERVED})
#: how an outcome is said where a person reads it (the CLI's line, the HTML report's table, the
#: verdict's clauses); the others by their name. The two unjudged ones say why, since only the
#: first is a doubt of the run
OUTCOME_WORDS: Mapping[str, str] = {NOT_OBSERVED: "not observed (no sample showed its outcome)",
                                    NEVER_SERVED: "never served (taken back whole)"}
#: the error types read as their own outcome (any other error of the ``device`` component is a
#: ``device_error``, any other error an ``error``)
OUTCOME_OF_ERROR: Mapping[str, str] = {"DeviceStalledError": STALL, "SampleRateChangedError": RATE_CHANGE}
#: the kinds whose path is a configuration the system refuses: their firings are credited with
#: a refusal the history shows inside their window (no other kind's firing is: an xrun that
#: overlaps an invalid configuration's refusal still reached, or missed, the xrun path)
REFUSED_BY_KIND = frozenset({"invalid_config"})
#: the note the fault injector makes of what a device dropped of a fault's request unspent
#: (``FaultInjector._note_taken_back``)
TAKEN_BACK = "fault_taken_back"
#: a ``fault_taken_back`` note's amount -> the firing's parameter it is a part of (all of it: the
#: request was never served)
ASKED_OF_DEVICE: Mapping[str, str] = {"delay_s": "delay_s", "corrupt_callbacks": "count"}
#: the outcome a kind is injected to reach: a kind named here whose firings never reach it tested
#: nothing of that path. Each is one the history shows unambiguously: a counted late block, the
#: watchdog's ``DeviceStalledError``, an error of the ``device`` component (the device lost), a
#: recorded error that is not the device's (the callback's). A firing of one of these kinds whose
#: window holds its path reads that path even when another fault's error came first in it (an
#: ``xrun``: a late block counted after its window, unless the error was a stall).
#: ``sample_rate_change`` names the device's ``SampleRateChangedError``, and only a firing to a rate
#: other than the one the system last applied can show it (``FaultOutcomeFold._changes``: one to
#: the rate the stream runs at changes nothing); ``invalid_config``'s refusal is read apart
#: (``REFUSED_BY_KIND``), and the other kinds (a storm, a slow stage, a drained pool) name no one
#: outcome a healthy system must show.
PATH_OF_KIND: Mapping[str, str] = {"xrun": XRUN, "stall": STALL, "dropout": DEVICE_ERROR, "callback_raises": ERROR,
                                   "sample_rate_change": RATE_CHANGE}
#: the kinds of ``PATH_OF_KIND`` whose missed path makes every run inconclusive (``path_missed``).
#: ``stall`` is judged only where ``judged_kinds`` says: its path is the stock system's watchdog
#: (``DeviceStalledError``), which a system adapted with ``harness.sut_kit`` (the simple player)
#: does not have: its healthy runs read "stall: none seen as stall" (test_simple_player.py)
JUDGED_KINDS = frozenset({"xrun", "dropout", "callback_raises"})
#: judged besides ``JUDGED_KINDS`` when the system is the stock one (``judged_kinds``): its
#: watchdog reports a stream whose callbacks stopped past its bound as a ``DeviceStalledError``,
#: and a ``stall`` fault is never shorter than that bound (``harness.faults.stall_bound``)
WATCHDOG_KINDS = frozenset({"stall"})
#: judged besides ``JUDGED_KINDS`` when the device reports a rate switched under a running stream
#: as its own error (``judged_kinds``: the simulated device's ``SampleRateChangedError``); a
#: server restarted at the new rate (the JACK rig) is a server lost to the system, which its
#: history cannot tell from a dropout's
RATE_ERROR_KINDS = frozenset({"sample_rate_change"})
#: the kinds whose path is the watchdog's stall, taken only past its bound: a firing of one whose
#: target's callbacks stopped for less (``_Firing.changes``) is not judged
STALL_KINDS = frozenset({"stall"})

#: How far a stall's measured span (its end's clock reading minus its start's) may fall short of
#: ``min_stall_s`` and still count as the full stall it was drawn as: a profile draws stalls of
#: exactly the bound (730.33 ms at 8192 frames / 48 kHz), and the virtual clock's sums of block
#: periods round them a few nanoseconds short. The bound itself holds ``MARGIN_PERIODS`` of a
#: period (tens of microseconds at least), so a microsecond short is still a stall the watchdog sees.
CLOCK_ROUNDING_S = 1e-6
#: the counter of late blocks a system keeps, and the one read when that one never moves
LATE_BLOCKS, XRUNS = "status_output_underflow", "xruns"


def judged_kinds(*, watchdog: bool, rate_errors: bool) -> frozenset[str]:
    """The kinds a run's missed path is judged on: ``JUDGED_KINDS``, ``stall`` when the system has
    the stock watchdog (a system adapted with ``harness.sut_kit`` has none, and its healthy runs
    see no stall as a stall), ``sample_rate_change`` when the device reports a switched rate as
    its own error (the simulated device)."""
    return JUDGED_KINDS | (WATCHDOG_KINDS if watchdog else frozenset()) | (RATE_ERROR_KINDS if rate_errors else frozenset())


def period_of_applied(config: Any) -> Period | None:
    """The ``Period`` of a configuration the system applied (a ``config_applied`` event's
    ``config``: the system's own validated dict, so read as it stands, without migration), or
    None when it does not say its block size, rate and watchdog (the period in force stays)."""
    try:
        stream, watchdog = config["stream"], config["watchdog"]
        return Period(float(stream["block_size"]) / float(stream["sample_rate"]), int(watchdog["stall_periods"]),
                      float(watchdog["supervisor_interval_ms"]) / 1000.0)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None


def run_period(entries: Iterable[Mapping[str, Any]]) -> Period | None:
    """The period of the run whose history ``entries`` is, from its ``meta`` entry's run
    configuration (a history read back: ``harness.history``'s first entry), or None when the
    history has no such entry (the system's defaults then apply)."""
    for e in entries:
        if e.get("type") == "meta":
            run = (e.get("data") or {}).get("run")
            if isinstance(run, Mapping):
                return period_of(run.get("config"))
            return None
    return None


@dataclass
class _Firing:
    kind: str
    fired_at: float
    window_end: float
    base: int | None
    firing_id: Any = None
    outcome: str | None = None
    #: the system ran (or said no state) when it fired
    fired_running: bool = True
    #: the system left ``running`` inside the window before the firing reached its path
    left_running: bool = False
    #: how long its window runs on after its end: ``settle_for`` the period in force when it fired
    settle_s: float = SETTLE_S
    #: the period in force when it fired (None: the system's defaults)
    period: Period | None = None
    #: what it acted on (``fault_start``'s ``target``)
    target: Any = None
    #: a stall's: how long its target's callbacks stayed stopped, from its firing to the first
    #: stall end on that target (None: none seen yet)
    stalled_s: float | None = None
    #: it can move the system onto its path (``FaultOutcomeFold._changes``): a rate change to the
    #: rate the stream already runs at cannot, nor a stall whose target's callbacks stopped for less
    #: than the watchdog's bound at its period (``harness.faults.stall_bound.min_stall_s``): one the
    #: run's end disarmed, or one fired into another stall of its target, whose end resumed the
    #: device's callbacks (the simulated device's stall is one flag per device: 8192 frames,
    #: hostile seed 90305, a 730 ms stall fired 10 ms before the end of one already holding the
    #: device, its callbacks stopped for 10 ms)
    changes: bool = True
    #: its fault still acts (its ``fault_start`` carried no end and its ``fault_end`` has not come):
    #: its window stays open whatever the samples say
    acting: bool = False
    #: the fault it is a firing of (``fault_start``'s ``fault_id``: a fault may fire again)
    fault_id: Any = None
    #: what it asked of the device (``fault_start``'s ``params``)
    params: Mapping[str, Any] = field(default_factory=dict)
    #: the device took back the whole of what it asked, before any block took some of it
    #: (``fault_taken_back`` naming its fault: the faults' end, or its window's end with no block)
    never_served: bool = False

    def covers(self, t: float) -> bool:
        """``t`` falls in its window: from its firing while its fault acts, and on to ``window_end``."""
        return self.fired_at <= t and (self.acting or t <= self.window_end)

    @property
    def seen(self) -> str:
        """Its outcome as reported: ``never_served`` for one the device never served (whatever
        came in its window, the system never met it), ``not_observed`` while none is read."""
        if self.never_served:
            return NEVER_SERVED
        return NOT_OBSERVED if self.outcome is None else self.outcome

    @property
    def reached(self) -> bool:
        return not self.never_served and self.outcome is not None and self.outcome == PATH_OF_KIND.get(self.kind)

    @property
    def judged(self) -> bool:
        """Its path is judged. An ``xrun`` always, as it always was: the fault is skipped while
        the simulated system does not run, and one taken as a stall (whose recovery then takes the
        system out of ``running``) is the xrun path missed. A firing of the other kinds when it
        fired into a running system that ran on until its path came or its window closed: one
        fired into a recovering system (a device away, no stream: a stall fired into a dropout's
        recovery read a healthy default run, seed 86901, INCONCLUSIVE) or one whose window
        another fault's error and recovery, or a stop, cut short (a stall at 8192 frames, default
        seed 88504, whose 683 ms watchdog bound a lifecycle storm's stop and restart 387 ms after
        it pre-empted: its outcome is the storm's error) could not reach its path however sound
        the system. Never one whose request the device took back whole (``never_served``): the
        system never met it (an ``xrun`` fired in the run's last period, its delay taken back as the
        faults ended before a block came, read "nothing seen" and, the kind's only firing, the
        xrun path missed: a healthy run INCONCLUSIVE)."""
        if self.never_served:
            return False
        if PATH_OF_KIND.get(self.kind) == XRUN:
            return True
        return self.changes and self.fired_running and (self.reached or not self.left_running)


def late_counter(final_counters: Mapping[str, Any] | None) -> str:
    """The counter a run's late blocks are read from: ``status_output_underflow`` unless the
    system's final counters show that none of its ``status_*`` flag counters ever moved while
    ``xruns`` did (a system that counts late callbacks only as xruns, e.g. a player adapted with
    ``harness.sut_kit``, whose flag counters stay 0). The stock system flags the block after a
    stall too (``status_input_overflow``), so a run of it whose xruns were all stalls still reads
    its late blocks, and finds none."""
    counters = final_counters or {}
    flags = [v for k, v in counters.items() if k.startswith("status_") and isinstance(v, (int, float))]
    xruns = counters.get(XRUNS)
    if not any(flags) and isinstance(xruns, (int, float)) and xruns > 0:
        return XRUNS
    return LATE_BLOCKS


@dataclass
class FaultOutcomeFold:
    """Folds a history's entries (as dicts: ``type``, ``time``, ``value``, ``data``), in order,
    into each firing's outcome; ``by_kind()`` once every entry is fed."""

    #: the run's own period, which sets each firing's window (``settle_for``; None: the defaults)
    period: Period | None = None
    #: the counter late blocks are read from (``late_counter``)
    counter: str = LATE_BLOCKS
    #: the kinds whose missed path makes the run inconclusive (``judged_kinds``)
    judged_kinds: frozenset[str] = JUDGED_KINDS
    _open: list[_Firing] = field(default_factory=list)
    _done: list[_Firing] = field(default_factory=list)
    _late: int | None = None
    _credited: int = 0
    #: the system's state by its recorded transitions (None: none recorded yet)
    _state: str | None = None
    #: the period of the configuration the system last applied (its ``config_applied`` events;
    #: None: none seen yet, ``period`` is in force)
    _applied: Period | None = None
    #: the sample rate of the configuration the system last applied (None: none seen yet)
    _applied_rate: int | None = None

    @property
    def _period_now(self) -> Period | None:
        """The period in force: the last applied configuration's, else the run's."""
        return self._applied if self._applied is not None else self.period

    def feed(self, e: Mapping[str, Any]) -> None:
        kind = e.get("type")
        t = float(e.get("time") or 0.0)
        data = e.get("data") or {}
        if kind == "fault_start":
            params = data.get("params") or {}
            end = data.get("ended_at")
            end = t if not isinstance(end, (int, float)) else max(float(end), t)
            fault = str(data.get("kind") or e.get("value"))
            end += acts_past_end_s(fault, params, self._period_now)
            firing_id = data.get("firing_id")
            settle = settle_for(self._period_now)
            self._open.append(_Firing(fault, t, end + settle, self._late, firing_id,
                                      fired_running=self._state in (None, "running"), settle_s=settle,
                                      period=self._period_now, target=data.get("target"),
                                      acting=firing_id is not None and not isinstance(data.get("ended_at"), (int, float)),
                                      changes=self._changes(fault, params), params=params,
                                      fault_id=data.get("fault_id")))
        elif kind == "note" and e.get("value") == TAKEN_BACK:
            self._taken_back(data)
        elif kind == "event" and e.get("value") == "config_applied":
            applied = period_of_applied(data.get("config"))
            if applied is not None:
                self._applied = applied
            rate = ((data.get("config") or {}).get("stream") or {}).get("sample_rate")
            self._applied_rate = int(rate) if isinstance(rate, (int, float)) else None
        elif kind == "transition" and data.get("component") == "system":
            self._state = data.get("to_state")
            if self._state != "running":
                for f in self._open:
                    if f.covers(t) and not f.reached:
                        f.left_running = True
        elif kind == "fault_end":
            end = data.get("ended_at")
            firing_id = data.get("firing_id")
            if isinstance(end, (int, float)) and firing_id is not None:
                for f in self._open:  # a lasting fault's window runs on from its end
                    if f.firing_id == firing_id:
                        f.window_end = max(f.window_end, float(end) + f.settle_s)
                        f.acting = False
                    if (f.kind in STALL_KINDS and data.get("kind", e.get("value")) in STALL_KINDS
                            and f.target == data.get("target") and f.stalled_s is None and f.fired_at <= float(end)):
                        # the first stall end on its target resumes the device's callbacks, its
                        # own or an earlier stall's that it fired into
                        f.stalled_s = float(end) - f.fired_at
                        f.changes = f.stalled_s >= min_stall_s(f.period or period_of(None)) - CLOCK_ROUNDING_S
        elif kind == "error":
            err = data.get("error") or {}
            outcome = OUTCOME_OF_ERROR.get(str(err.get("type"))) or (
                DEVICE_ERROR if err.get("component") == "device" else ERROR)
            for f in self._open:
                if f.covers(t) and (
                        f.outcome is None or (PATH_OF_KIND.get(f.kind) == outcome and f.outcome != XRUN)):
                    # the first error, unless a later one in the window is the path the kind
                    # names (a stall after another fault's callback error is still a stall)
                    f.outcome = outcome
        elif self._is_refusal(kind, e.get("value"), data):
            for f in self._open:
                if f.outcome is None and f.kind in REFUSED_BY_KIND and f.covers(t):
                    f.outcome = REFUSED
        elif kind == "metrics":
            value = (data.get("counters") or {}).get(self.counter)
            late = int(value) if isinstance(value, (int, float)) else None
            still, ended = [], []
            for f in self._open:
                (still if f.acting or f.window_end > t else ended).append(f)
            if any(PATH_OF_KIND.get(f.kind) == XRUN for f in still):
                # an xrun still in its window may have made the late block this sample counts:
                # the other kinds' firings wait for it, so that they never take its credit
                still += [f for f in ended if f.outcome is None and PATH_OF_KIND.get(f.kind) != XRUN]
                ended = [f for f in ended if f.outcome is not None or PATH_OF_KIND.get(f.kind) == XRUN]
            # a late block is credited first to the firings injected to make one, then to the
            # others in the order they fired: a late block the counter shows is one the xrun
            # fault makes, and a firing of another kind in the same interval did not
            ended.sort(key=lambda f: (PATH_OF_KIND.get(f.kind) != XRUN, f.fired_at))
            for f in ended:
                if f.outcome is None and late is None:
                    f.outcome = NOT_OBSERVED  # the system keeps no counter a late block shows in
                elif late is not None and (f.outcome is None or (PATH_OF_KIND.get(f.kind) == XRUN and f.outcome != STALL)):
                    # an xrun whose window also held another fault's error (not a stall: that is
                    # the xrun missed) made its late block all the same: it reads its path, as the
                    # other kinds of PATH_OF_KIND do when their window holds theirs
                    base = max(f.base if f.base is not None else 0, self._credited)
                    if late > base:
                        f.outcome = XRUN
                        self._credited = base + 1
                    elif f.outcome is None:
                        f.outcome = NOTHING_SEEN
                self._done.append(f)
            self._open = still
            if late is not None:
                self._late = late

    def _taken_back(self, data: Mapping[str, Any]) -> None:
        """A ``fault_taken_back`` note naming its fault: the firing of that fault whose window's
        end the note names (the nearest: a fault fires again under its id) is ``never_served``
        when what was dropped is the whole of what it asked (an xrun's delay, a
        ``callback_raises``' count). A note naming no fault names no firing."""
        fault_id, window_end = data.get("fault_id"), data.get("window_end")
        if fault_id is None or not isinstance(window_end, (int, float)):
            return
        mine = [f for f in (*self._open, *self._done) if f.fault_id == fault_id]
        if not mine:
            return
        firing = min(mine, key=lambda f: abs(f.window_end - float(window_end)))
        asked = {what: firing.params.get(param) for what, param in ASKED_OF_DEVICE.items()}
        firing.never_served = any(data.get(what) is not None and data.get(what) == amount
                                  for what, amount in asked.items() if amount is not None)

    def _changes(self, fault: str, params: Mapping[str, Any]) -> bool:
        """The firing can move the system onto its path: a ``sample_rate_change`` only to a rate
        other than the one the system last applied (one to the rate its stream already runs at
        changes nothing: the device raises no error, nor should it; a rate not known either way
        is not judged); every other kind always."""
        if fault != "sample_rate_change":
            return True
        rate = params.get("rate")
        return isinstance(rate, (int, float)) and self._applied_rate is not None and int(rate) != self._applied_rate

    @staticmethod
    def _is_refusal(kind: Any, value: Any, data: Mapping[str, Any]) -> bool:
        """The entry is the system refusing a configuration: its ``config_rejected`` event, or an
        operation that failed with an error of its ``config`` component (a system that records
        no such event)."""
        if kind == "event":
            return value == "config_rejected"
        return kind == "fail" and (data.get("error") or {}).get("component") == "config"

    def outcomes(self) -> list[tuple[str, float, str]]:
        """(kind, fired at, outcome) of every firing fed, in the order they fired."""
        firings = sorted([*self._done, *self._open], key=lambda f: f.fired_at)
        return [(f.kind, f.fired_at, f.seen) for f in firings]

    def path_missed(self) -> dict[str, dict[str, Any]]:
        """Kind -> what its firings became, for each kind of ``JUDGED_KINDS`` with a judged,
        observed firing (``_Firing.judged``) and none that reached its path: the run tested
        nothing of that path. ``judged``: how many of its firings were judged."""
        out: dict[str, dict[str, Any]] = {}
        for kind, path, mine in self._judged_firings():
            judged = [f for f in mine if f.judged and f.outcome not in (None, NOT_OBSERVED)]
            if judged and not any(f.reached for f in mine):
                became = Counter(f.seen for f in mine if f.seen not in UNJUDGED)
                out[kind] = {"path": path, "fired": len(mine), "judged": len(judged),
                             "became": {o: became[o] for o in OUTCOMES if became[o]}}
        return out

    def path_unseen(self) -> dict[str, dict[str, Any]]:
        """Kind -> what its firings became, for each kind of ``JUDGED_KINDS`` none of whose
        firings reached its path or was judged on what the run saw, and at least one of which
        could have been judged (``_Firing.judged``) but was not observed: whether the run tested
        that path is not known (a doubt, as a path missed). A kind whose firings were all never
        served, or could none of them reach their path, is not here."""
        out: dict[str, dict[str, Any]] = {}
        for kind, path, mine in self._judged_firings():
            judged = [f for f in mine if f.judged and f.outcome not in (None, NOT_OBSERVED)]
            unseen = [f for f in mine if f.judged and f.seen == NOT_OBSERVED]
            if unseen and not judged and not any(f.reached for f in mine):
                became = Counter(f.seen for f in mine)
                out[kind] = {"path": path, "fired": len(mine), "not_observed": len(unseen),
                             "became": {o: became[o] for o in OUTCOMES if became[o]}}
        return out

    def _judged_firings(self) -> list[tuple[str, str, list[_Firing]]]:
        """(kind, its path, its firings) for each kind of ``PATH_OF_KIND`` the run judges."""
        firings = [*self._done, *self._open]
        return [(kind, path, [f for f in firings if f.kind == kind])
                for kind, path in PATH_OF_KIND.items() if kind in self.judged_kinds]

    def by_kind(self) -> dict[str, dict[str, int]]:
        """Kind -> outcome -> firings (the outcomes seen only), kinds and outcomes in order."""
        counts: dict[str, Counter[str]] = {}
        for kind, _, outcome in self.outcomes():
            counts.setdefault(kind, Counter())[outcome] += 1
        return {k: {o: counts[k][o] for o in OUTCOMES if counts[k][o]} for k in sorted(counts)}


def outcomes_by_kind(entries: Iterable[Mapping[str, Any]], final_counters: Mapping[str, Any] | None = None,
                     period: Period | None = None) -> dict[str, dict[str, int]]:
    """Kind -> outcome -> firings (``fold_history``'s fold's ``by_kind``)."""
    return fold_history(entries, final_counters, period).by_kind()


def fold_history(entries: Iterable[Mapping[str, Any]], final_counters: Mapping[str, Any] | None = None,
                 period: Period | None = None, judged: frozenset[str] = JUDGED_KINDS) -> FaultOutcomeFold:
    """The fold of a history's entries (dicts, in order): its ``by_kind()`` and its
    ``path_missed()``; ``final_counters``:
    the system's counters at the end, which say which counter shows its late blocks
    (``late_counter``; None: the last metrics entry's); ``period``: the run's own period, which
    sets how long each firing's window runs on (``settle_for``; None: the history's ``meta``
    entry's run configuration); ``judged``: the kinds ``path_missed`` judges (``judged_kinds``).
    Either of the first two left None reads the entries into a list first."""
    if final_counters is None or period is None:
        entries = list(entries)
    if final_counters is None:
        final_counters = next((e.get("data", {}).get("counters") for e in reversed(entries)
                               if e.get("type") == "metrics"), None)
    if period is None:
        period = run_period(entries)
    fold = FaultOutcomeFold(period=period, counter=late_counter(final_counters), judged_kinds=judged)
    for e in entries:
        fold.feed(e)
    return fold


def path_missed(by_kind: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, Any]]:
    """Kind -> what its firings became, for each kind of ``JUDGED_KINDS`` that fired, was observed
    at least once, and never reached its path, from the outcomes alone: a report rebuilt from a
    summary that kept no ``faults.path_missed`` reads it so. A run's own judgement is its fold's
    ``path_missed``, which leaves out the firings that could not reach their path
    (``_Firing.judged``). A kind whose firings were none of them observed is not judged here."""
    out: dict[str, dict[str, Any]] = {}
    for kind, path in PATH_OF_KIND.items():
        if kind not in JUDGED_KINDS:
            continue
        seen = {o: n for o, n in (by_kind.get(kind) or {}).items() if o not in UNJUDGED}
        if seen and not seen.get(path):
            out[kind] = {"path": path, "fired": sum((by_kind.get(kind) or {}).values()), "became": dict(seen)}
    return out


def path_unseen(by_kind: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, Any]]:
    """Kind -> what its firings became, for each kind of ``JUDGED_KINDS`` whose firings were all
    unjudged (``UNJUDGED``), one at least not observed, from the outcomes alone: a report rebuilt
    from a summary that kept no ``faults.path_unseen`` reads it so (the run's own is its fold's
    ``path_unseen``, which leaves out the firings that could not reach their path)."""
    out: dict[str, dict[str, Any]] = {}
    for kind, path in PATH_OF_KIND.items():
        mine = by_kind.get(kind) or {}
        if kind in JUDGED_KINDS and mine.get(NOT_OBSERVED) and not set(mine) - UNJUDGED:
            out[kind] = {"path": path, "fired": sum(mine.values()), "not_observed": mine[NOT_OBSERVED],
                         "became": dict(mine)}
    return out


def never_served_count(by_kind: Mapping[str, Mapping[str, int]]) -> int:
    """How many firings the device took back whole (``never_served``), of every kind: a run whose
    every firing is one injected nothing the system met."""
    return sum(int(seen.get(NEVER_SERVED, 0)) for seen in by_kind.values())


def describe_outcome(outcome: str) -> str:
    """An outcome as a person reads it (``OUTCOME_WORDS``, else its name in words)."""
    return OUTCOME_WORDS.get(outcome, outcome.replace("_", " "))


def describe_missed(missed: Mapping[str, Mapping[str, Any]]) -> str:
    """The verdict's clause for ``path_missed`` (and ``path_unseen``): each kind, how many fired
    and what they became."""
    return ", ".join(f"{kind} ({m.get('fired')} fired, none seen as {str(m.get('path')).replace('_', ' ')}: "
                     + ", ".join(f"{n} {describe_outcome(o)}" for o, n in (m.get("became") or {}).items()) + ")"
                     for kind, m in sorted(missed.items()))


__all__ = ["JUDGED_KINDS", "OUTCOMES", "OUTCOME_OF_ERROR", "OUTCOME_WORDS", "PATH_OF_KIND", "RATE_ERROR_KINDS",
           "REFUSED_BY_KIND", "SETTLE_S", "UNJUDGED", "WATCHDOG_KINDS", "FaultOutcomeFold", "describe_missed",
           "describe_outcome", "fold_history", "judged_kinds", "late_counter", "never_served_count", "outcomes_by_kind",
           "path_missed", "path_unseen", "period_of_applied", "run_period", "settle_for"]
