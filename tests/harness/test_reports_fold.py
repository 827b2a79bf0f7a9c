"""The report's fold of a journal read one checkpoint at a time (``harness.reports.fold``): the
same report and figures as the whole list's, in memory that does not grow with the entries."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.journal import JournalWriter
from harness.reports import build_report
from harness.reports import fold as fold_module
from harness.reports.build import folded, run_data_from_journal
from harness.reports.fold import KEPT_EPISODES, SPAN_BUDGET
from harness.reports.plots import draw_all

KINDS = ("stall", "dropout", "xrun", "callback_raises")
EVENTS = ("recovery_started", "recovery_succeeded", "recovery_failed", "degraded", "undegraded")
STATES = ("running", "recovering", "failed", "paused")


def _entries(seed: int, instants: int) -> list[dict]:
    """A history's report entries with many at one instant (a fault after the recovery it causes
    at the same time, an error after it), seeded."""
    rng = random.Random(seed)
    t, n, state = 0.0, 0, "running"
    out = [{"type": "attach", "time": 0.0, "data": {"state": "running"}}]
    for _ in range(instants):
        t = round(t + rng.choice((0.0, 0.0, 0.001, 0.4, 3.0, 11.0)), 6)
        for _ in range(rng.randint(1, 4)):
            r = rng.random()
            if r < 0.25:
                n += 1
                kind = rng.choice(KINDS)
                out.append({"type": "fault_start", "time": t, "value": kind,
                            "data": {"kind": kind, "firing_id": f"{kind}#{n % 7}@{n}", "fired_at": t}})
            elif r < 0.4:
                out.append({"type": "error", "time": t, "data": {"type": rng.choice(("DeviceLost", "Xrun"))}})
            elif r < 0.75:
                out.append({"type": "event", "time": t, "value": rng.choice(EVENTS),
                            "data": {"cause": rng.choice(("stall", "lost")), "attempts": rng.randint(1, 3),
                                     "reason": "gave up"}})
            else:
                new = rng.choice(STATES)
                out.append({"type": "transition", "time": t, "data": {
                    "from_state": state, "to_state": new, "cause": rng.choice(("x", "simulate_error"))}})
                state = new
    return out


def _journal(path, entries: list[dict], *, every: float = 60.0) -> None:
    """A soak journal holding ``entries``, one checkpoint per ``every`` seconds, with samples."""
    w = JournalWriter.create(path, {"kind": "soak", "duration_s": 1.0, "meta": {"seed": 1, "faults_wanted": True}},
                             fsync=False)
    end = max(e["time"] for e in entries) + 1.0
    t0, i, index = 0.0, 0, 0
    while t0 < end:
        t1 = t0 + every
        chunk = []
        while i < len(entries) and entries[i]["time"] < t1:
            chunk.append(entries[i])
            i += 1
        w.checkpoint({"sim_t0": t0, "sim_t1": t1, "wall_s": 0.5, "segment": 0, "state": "running",
                      "counters": {"xruns": 3 * index, "callbacks": 100 * index},
                      "cb": {"bins": {"60": 5 + index, "66": 2}, "max": 0.002 + index * 1e-6, "sum": 0.01, "count": 7},
                      "samples": [{"t": t0 + k, "rss_bytes": 100_000_000 + 4096 * (index * 10 + k), "threads": 4,
                                   "open_fds": 9, "cpu_percent": 10.0 + k, "segment": 0} for k in range(0, 60, 6)],
                      "entries": chunk, "glitches": [],
                      **({"config": {"stream": {"block_size": 256, "sample_rate": 48_000}}} if index == 0 else {})})
        t0, index = t1, index + 1
    w.end("completed", sim_t=end, verdicts=[{"name": "recovery", "ok": True, "message": "held"}],
          summary={}, final_metrics={"counters": {"xruns": 3 * index}})
    w.close()


def _both(path) -> tuple[dict, dict, dict, dict]:
    """The report and figures of ``path`` read as a fold, and read whole (every entry kept)."""
    streamed, whole = run_data_from_journal(path, report_only=True), run_data_from_journal(path)
    a, b = build_report(streamed, run_dir=path), build_report(whole, run_dir=path)
    a.pop("generated_at"), b.pop("generated_at")
    return a, b, draw_all(streamed, a), draw_all(whole, b)


@pytest.mark.parametrize("seed", range(6))
def test_a_journal_folded_as_it_is_read_gives_the_report_and_figures_of_all_its_entries(tmp_path, seed):
    entries = _entries(seed, 2500)
    _journal(tmp_path, entries)
    streamed = run_data_from_journal(tmp_path, report_only=True)
    assert streamed.folded is not None and not streamed.entries and not streamed.samples
    report, whole, figs, whole_figs = _both(tmp_path)
    assert report == whole
    assert figs == whole_figs and set(figs) >= {"state_timeline", "resources", "recovery_times"}
    rec = report["recovery"]
    # the streams exercise what the fold must get right: episodes of every outcome, attributed and
    # not, faults absorbed and not, entries at one instant
    assert rec["episodes_total"] > 200 and rec["failed_count"] and report["stability"]["failures"]
    assert any(k["absorbed"] for k in rec["by_fault_type"].values())
    assert "unattributed" in rec["by_fault_type"]


def test_a_fault_at_the_instant_of_an_episode_is_its_fault_when_folded_too(tmp_path):
    """The whole list's lookup sees a fault recorded just after a recovery began at the same
    instant; the fold holds an instant's entries until the next instant to see it too."""
    entries = [{"type": "attach", "time": 0.0, "data": {"state": "running"}},
               {"type": "fault_start", "time": 1.0, "value": "stall", "data": {"kind": "stall", "firing_id": "s@1",
                                                                                 "fired_at": 1.0}},
               {"type": "event", "time": 5.0, "value": "recovery_started", "data": {"cause": "c"}},
               {"type": "error", "time": 5.0, "data": {"type": "DeviceLost"}},
               {"type": "fault_start", "time": 5.0, "value": "dropout", "data": {"kind": "dropout",
                                                                                  "firing_id": "d@2", "fired_at": 5.0}},
               {"type": "event", "time": 6.0, "value": "recovery_succeeded", "data": {"attempts": 1}}]
    _journal(tmp_path, entries)
    report, whole, _figs, _whole_figs = _both(tmp_path)
    assert report == whole
    (ep,) = report["recovery"]["episodes"]
    assert ep["fault_type"] == "dropout" and ep["firing_id"] == "d@2" and ep["time_to_detect_s"] == 0.0
    assert report["recovery"]["by_fault_type"]["stall"]["absorbed"] == 1


@pytest.mark.parametrize("damage", ["out_of_order", "firing_ids", "fired_at", "late_attach"])
def test_a_journal_the_fold_cannot_read_exactly_is_read_whole_with_the_same_report(tmp_path, damage):
    entries = _entries(7, 400)
    faults = [e for e in entries if e["type"] == "fault_start"]
    if damage == "out_of_order":  # an event stamped after the entry that follows it, in one checkpoint
        i = next(k for k, e in enumerate(entries[:-1]) if e["type"] == "event" and e["time"] > 1.0
                 and e["time"] < entries[k + 1]["time"] < 60.0 * (e["time"] // 60.0) + 59.0)
        entries[i]["time"] = entries[i + 1]["time"] + 0.5
    elif damage == "firing_ids":  # a resumed real-device soak's schedule counts from 1 again
        faults[10]["data"]["firing_id"] = faults[2]["data"]["firing_id"]
    elif damage == "fired_at":  # a later segment's entries carry the segment's offset, not its faults
        faults[5]["data"]["fired_at"] = faults[5]["time"] - 0.25
    else:  # a transition recorded before the attach entry, at its instant
        entries.insert(0, {"type": "transition", "time": 0.0, "data": {"from_state": "paused", "to_state": "running"}})
    _journal(tmp_path, entries)
    streamed = run_data_from_journal(tmp_path, report_only=True)
    assert streamed.folded is None and streamed.entries  # read whole: the report is the list's
    report, whole, figs, whole_figs = _both(tmp_path)
    assert report == whole and figs == whole_figs


def test_what_the_fold_keeps_does_not_grow_with_the_entries(tmp_path, monkeypatch):
    """Episodes kept are the first ``KEPT_EPISODES`` (and the failed ones); spans close their
    undrawable gaps past ``SPAN_BUDGET``; the errors window is cut: nothing is kept per entry
    but a few numbers per fault and episode. The state figure is the one drawn from every span."""
    monkeypatch.setattr(fold_module, "SPAN_BUDGET", 1_000)
    entries = _entries(3, 20_000)
    for e in entries[len(entries) // 2:]:  # 300 s in one state: ~4 px the other states do not cover
        e["time"] += 300.0
        if e["type"] == "fault_start":
            e["data"]["fired_at"] = e["time"]
    _journal(tmp_path, entries, every=600.0)
    streamed = run_data_from_journal(tmp_path, report_only=True)
    ef = folded(streamed).entries
    assert ef.episodes.total > 2 * KEPT_EPISODES
    assert len(ef.episodes.kept) == KEPT_EPISODES
    assert all(len(s.starts) <= 1_000 for s in ef.spans.values())
    assert len(ef.lookup.errors) <= 4096
    monkeypatch.setattr(fold_module, "SPAN_BUDGET", 10 ** 9)
    whole = run_data_from_journal(tmp_path)
    report, report_whole = build_report(streamed), build_report(whole)
    every_span = sum(len(s.starts) for s in folded(whole).entries.spans.values())
    assert every_span > 2 * sum(len(s.starts) for s in ef.spans.values())  # gaps were closed
    assert draw_all(streamed, report)["state_timeline"] == draw_all(whole, report_whole)["state_timeline"]
    assert SPAN_BUDGET > fold_module.RESOLUTION_PARTS


_EPISODE_EVENTS = ("recovery_started", "recovery_succeeded", "recovery_failed", "degraded", "undegraded")


@settings(derandomize=True, deadline=None, database=None, max_examples=200)
@given(steps=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3)), max_size=30))
def test_every_recovery_episode_is_counted_in_exactly_one_outcome(steps):
    """The report's recovery table (``by_fault_type``) says of each kind how many episodes there
    were and how many recovered, failed or never finished (ended by the run, or replaced by a new
    episode before they ended): whatever the order of the events, those three add up to the
    episodes, and the kinds' episodes to the total."""
    entries = []
    t = 0.0
    for kind, dt in steps:
        t += 0.5 * dt
        if kind == 5:
            entries.append({"type": "fault_start", "time": t,
                            "data": {"kind": ("dropout", "stall")[dt % 2], "firing_id": f"f{len(entries)}",
                                     "fired_at": t}})
        else:
            entries.append({"type": "event", "time": t, "value": _EPISODE_EVENTS[kind], "data": {}})
    episodes = fold_module._Episodes(fold_module._WholeList(entries))
    for e in entries:
        if e["type"] == "event":
            episodes.feed(e)
    episodes.finish()
    stats = episodes.by_kind.values()
    assert all(s.count == s.recovered + s.failed + s.unfinished for s in stats), \
        [(s.count, s.recovered, s.failed, s.unfinished) for s in stats]
    assert sum(s.count for s in stats) == episodes.total
