"""A resumed soak whose every resume replayed the run is judged as one series (``harness.leak_lifetimes``).

Each lifetime of a resumed soak skipped 10 % of the *whole* span as its warm-up, so an 8-hour soak
resumed every 30 minutes judged no sample at all (``harness.leaks.INSIDE_WARMUP``). On the simulated
device a resume replays the run from t=0 and checks the replay's digest, so the new process's levels
carry on from the last lifetime's: the lifetimes are judged as one series, with each resumed
lifetime's first ``REPLAY_SETTLE_S`` (the replay's settling, a dip of about a megabyte that climbs back
in two to three minutes, ``bench/leak_replay_settling.py``) left out. A resume that continued (a real
device: its process starts empty), a replay not verified, or lifetimes too short to settle keep the
rule before, and the verdict names the rule that judged and why.

Synthetic series, seeded; a real resumed soak on the simulated clock, ended at its checkpoints.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import harness.leak_lifetimes as leak_lifetimes
from harness.leak_lifetimes import REPLAY_SETTLE_S, lifetimes_rule, past_replay_settling, settled_too_briefly
from harness.leaks import INSIDE_WARMUP, judge
from bench_scripts import load_bench_script
from killed_soak import soak_ended_every

MB = 1e6
REPLAYED = [{"mode": "replay", "verified": True}] * 15


def _replayed(per_hour: float, seed: int, lifetimes: int = 16, lifetime_s: float = 1800.0, step_s: float = 10.0
              ) -> tuple[np.ndarray, ...]:
    """A soak resumed every ``lifetime_s`` whose resumes replayed it: the RSS and pymalloc's bytes rise
    ``per_hour`` across the lifetimes (the level carries on), each resumed lifetime's RSS starting 1.5 MB
    low and climbing back over a minute or so (the replay's settling); malloc flat."""
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, lifetime_s * lifetimes, step_s)
    g = (t // lifetime_s).astype(np.int64)
    since = t - g * lifetime_s
    settling = np.where(g > 0, -1.5 * MB * np.exp(-since / 60.0), 0.0)
    grows = per_hour * t / 3600.0
    rss = 300 * MB + grows + settling + rng.normal(0.0, 3e5, t.size)
    return t, g, rss, 30 * MB + rng.normal(0.0, 2e4, t.size), 80 * MB + grows + rng.normal(0.0, 3e5, t.size)


@pytest.mark.parametrize("per_hour,verdict", [(0.0, "ok"), (5 * MB, "leak")])
def test_an_eight_hour_soak_replayed_every_half_hour_is_judged_as_one_series(per_hour: float, verdict: str) -> None:
    t, g, rss, mal, p = _replayed(per_hour, 98760)
    v = judge("rss_bytes", t, rss, groups=g, in_use=mal, pymalloc=p, lifetimes=lifetimes_rule(REPLAYED))
    assert v.verdict == verdict and v.lifetimes_rule == "one_series", v.reason
    assert v.reason.startswith("judged as one series across the soak's lifetimes: every resume (15) replayed"), v.reason
    assert INSIDE_WARMUP not in v.reason
    # each resumed lifetime's settling left out, and nothing else but the soak's own warm-up
    left_out = int(np.count_nonzero(~past_replay_settling(t, g)))
    assert left_out == 15 * int(REPLAY_SETTLE_S / 10.0) and f"({left_out} samples)" in v.reason
    threads = judge("threads", t, np.full(t.size, 12.0), groups=g, lifetimes=lifetimes_rule(REPLAYED))
    assert threads.verdict == "ok" and threads.lifetimes_rule == "one_series", threads.reason


@pytest.mark.parametrize("resumes,why", [
    ([{"mode": "replay", "verified": True}] * 14 + [{"mode": "continue", "verified": None}], " did not replay"),
    ([{"mode": "replay", "verified": True}] * 14 + [{"mode": "replay", "verified": False}], "'s replay was not verified"),
])
def test_a_resume_that_did_not_replay_faithfully_keeps_each_lifetime_apart(resumes: list, why: str) -> None:
    t, g, rss, mal, p = _replayed(5 * MB, 98761)
    v = judge("rss_bytes", t, rss, groups=g, in_use=mal, pymalloc=p, lifetimes=lifetimes_rule(resumes))
    assert v.verdict == "insufficient_data" and v.lifetimes_rule == "apart", v.reason
    assert v.reason.startswith(INSIDE_WARMUP) and f"each lifetime judged apart: a resume{why}" in v.reason, v.reason


def test_resumed_lifetimes_no_longer_than_the_settling_are_told_to_resume_less_often() -> None:
    """A 1-hour soak replayed every 4 minutes: read as one series it would be its first 4 minutes alone."""
    t, g, rss, mal, p = _replayed(0.0, 98762, lifetimes=15, lifetime_s=240.0)
    v = judge("rss_bytes", t, rss, groups=g, in_use=mal, pymalloc=p, lifetimes=lifetimes_rule(REPLAYED[:14]))
    assert v.lifetimes_rule == "apart" and v.verdict != "ok", v.reason
    assert "no longer than the replay's settling (5 min)" in v.reason and "resume less often" in v.reason, v.reason


def test_brief_resumed_lifetimes_are_not_made_settled_by_a_long_last_one() -> None:
    """Resumed every 4 minutes, then left to run an hour: the resumed lifetimes before the last say
    what the resumes allow (each shorter than the settling), and the last, which the soak's end
    decides, does not. Read with the last, the hour would pass the soak as one series of settled
    lifetimes, of which the brief ones leave nothing past their settling."""
    spans = [0.0, *(240.0,) * 13, 3600.0]
    t = np.concatenate([start + np.arange(0.0, span, 10.0) for start, span in zip(np.cumsum(spans)[:-1], spans[1:])])
    g = np.concatenate([np.full(int(span / 10.0), k) for k, span in enumerate(spans[1:])])
    why = settled_too_briefly(t, g)
    assert why is not None and "last at most 3.8 min" in why and "resume less often" in why, why
    # the last lifetime alone long: nothing to say of a soak resumed once
    assert settled_too_briefly(np.arange(0.0, 3840.0, 10.0), (np.arange(0.0, 3840.0, 10.0) >= 240.0).astype(int)) is None


def test_a_resume_whose_level_fell_far_past_the_wander_keeps_each_lifetime_apart() -> None:
    """The first lifetime stands 57 MB above the replayed ones (a fresh tree's first process compiling
    the numba caches): read as one series a planted 5 MB/h leak would be a fall."""
    t, g, rss, mal, p = _replayed(5 * MB, 99266)
    first = g == 0
    rss, mal = rss + np.where(first, 57 * MB, 0.0), mal + np.where(first, 43 * MB, 0.0)
    v = judge("rss_bytes", t, rss, groups=g, in_use=mal, pymalloc=p, lifetimes=lifetimes_rule(REPLAYED))
    assert v.lifetimes_rule == "apart" and v.verdict != "ok", v.reason
    assert "moved a level over 3 times as far as the series moved on its own" in v.reason, v.reason
    assert "the largest rss_bytes -56.43 MB at lifetime 1 against its own wander 1.22 MB" in v.reason, v.reason


def test_a_replayed_soak_shorter_than_two_hours_is_read_apart() -> None:
    """A 1-hour soak replayed every 30 minutes: its healthy growth is still at the threshold's edge."""
    t, g, rss, mal, p = _replayed(0.0, 99267, lifetimes=2)
    v = judge("rss_bytes", t, rss, groups=g, in_use=mal, pymalloc=p, lifetimes=lifetimes_rule(REPLAYED[:1]))
    assert v.lifetimes_rule == "apart", v.reason
    assert "the soak spans 1.00 h, under the 2 h a one-series reading needs" in v.reason, v.reason


@pytest.mark.parametrize("per_hour,verdict", [(0.0, "ok"), (5 * MB, "leak")])
def test_a_two_hour_soak_replayed_every_half_hour_is_read_as_one_series(per_hour: float, verdict: str) -> None:
    """Its samples lie 7190 s apart, first to last, and cover the 2 hours the rule asks for."""
    t, g, rss, mal, p = _replayed(per_hour, 99270, lifetimes=4)
    v = judge("rss_bytes", t, rss, groups=g, in_use=mal, pymalloc=p, lifetimes=lifetimes_rule(REPLAYED[:3]))
    assert v.lifetimes_rule == "one_series" and v.verdict == verdict, v.reason


def test_a_steady_leak_is_in_each_step_and_in_the_wander_alike() -> None:
    """A 20 MB/h leak carried across the resumes moves each step by what it moves the wander: no step
    stands out; the same series with a 15 MB drop at one resume (over 3 times the leak's 10 minutes) does."""
    t, g, rss, _, _ = _replayed(20 * MB, 99268)
    steps = leak_lifetimes.level_steps("rss", t, g, rss, warmup_s=0.1 * float(np.ptp(t)))
    assert len(steps) == 15 and not any(s.too_large for s in steps), steps
    assert all(2.0 * MB < s.step < 5.0 * MB for s in steps), steps  # the leak's 10 minutes between the windows
    dropped = rss - np.where(g >= 9, 15 * MB, 0.0)
    over = [s for s in leak_lifetimes.level_steps("rss", t, g, dropped) if s.too_large]
    assert [s.lifetime for s in over] == [9], over


def test_lifetimes_too_short_to_read_their_own_wander_are_read_apart() -> None:
    """Resumed every 20 minutes: no point of a lifetime has 5 minutes before it and 5 minutes past a
    5-minute gap after it, so no step can be held against anything."""
    t, g, rss, mal, p = _replayed(0.0, 99269, lifetimes=24, lifetime_s=1200.0)
    v = judge("rss_bytes", t, rss, groups=g, in_use=mal, pymalloc=p, lifetimes=lifetimes_rule(REPLAYED * 2))
    assert v.lifetimes_rule == "apart" and "no offset of its own to hold it against" in v.reason, v.reason


def test_without_a_rule_or_a_resume_the_judge_is_as_before() -> None:
    t, g, rss, mal, p = _replayed(0.0, 98763)
    before = judge("rss_bytes", t, rss, groups=g, in_use=mal, pymalloc=p)
    assert before.lifetimes_rule is None and before.reason.startswith(INSIDE_WARMUP), before.reason
    assert lifetimes_rule(None) is None and lifetimes_rule([]) is None
    one = judge("rss_bytes", t, rss, in_use=mal, pymalloc=p, lifetimes=lifetimes_rule(REPLAYED))
    assert one.lifetimes_rule is None and one == judge("rss_bytes", t, rss, in_use=mal, pymalloc=p)


@pytest.mark.slow
def test_a_real_soak_resumed_at_its_checkpoints_is_judged_as_one_series(tmp_path, monkeypatch, capsys) -> None:
    """A 60 s simulated soak ended every second 5 s checkpoint and resumed (``--resume`` replays it, checks
    its digest and journals the next segment): its journal's resumes read its lifetimes as one series,
    and the verdicts say so. The settling is cut to 2 s, in scale with the soak's 10 s lifetimes (5 min
    of a 60 s soak would leave nothing of the resumed lifetimes to read), and so are the level steps'
    windows and the soak's least span. The report reads the lifetimes by the rule and names it on
    report.json's verdicts, the verdict's note (summary.json, the console line) and report.html."""
    from harness.reports.build import LIFETIMES_NOTE, _leaks, run_data_from_journal

    monkeypatch.setattr(leak_lifetimes, "REPLAY_SETTLE_S", 2.0)
    monkeypatch.setattr(leak_lifetimes, "STEP_WINDOW_S", 2.0)
    monkeypatch.setattr(leak_lifetimes, "ONE_SERIES_MIN_SPAN_S", 30.0)  # in scale, as the settling
    lifetimes, _, run_dir = soak_ended_every(monkeypatch, tmp_path, 2, ["--duration", "60s", "--checkpoint", "5s",
                                                                        "--seed", "98764"], most=9)
    report = json.loads((run_dir / "report.json").read_text(encoding="utf-8"))
    assert lifetimes >= 4, lifetimes
    assert all(r["mode"] == "replay" and r["verified"] is True for r in report["run"]["resumed"]), report["run"]
    rd = run_data_from_journal(run_dir / "journal.jsonl")
    leaks = _leaks(rd.samples, rd.meta["resumed"])
    # the report reads the lifetimes by the same rule, and every surface of the verdict names it
    assert {k: v["lifetimes_rule"] for k, v in report["stability"]["leaks"].items()} == \
        {k: v.lifetimes_rule for k, v in leaks.items()}, report["stability"]["leaks"]
    note = next(n for n in report["verdict"]["notes"] if n.startswith(LIFETIMES_NOTE))
    assert "one_series: " in note and "open_fds" in note and "threads" in note, note
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    assert note in summary["verdict"]["notes"], summary["verdict"]
    assert note[:60] in capsys.readouterr().out
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "lifetimes one_series" in html
    row = load_bench_script("bench_soak.py", "bench_soak_lifetimes").matrix_row(run_dir)
    assert row["lifetimes_rule"] == leaks["rss_bytes"].lifetimes_rule and row["rss_verdict"] == leaks["rss_bytes"].verdict
    for metric in ("rss_bytes", "threads", "open_fds"):
        v = leaks[metric]
    # the counts stand level across a replay; the RSS of a process a minute old has not settled, and
    # whichever way its steps fall the rule that judged it says the resumes replayed
    for metric in ("threads", "open_fds"):
        v = leaks[metric]
        assert v.lifetimes_rule == "one_series", (metric, v)
        assert v.reason.startswith(f"judged as one series across the soak's lifetimes: every resume "
                                   f"({lifetimes - 1}) replayed"), v.reason
        assert "each resume's level step within the series' own wander" in v.reason, v.reason
        assert v.verdict != "insufficient_data" and INSIDE_WARMUP not in v.reason, v.reason
    assert leaks["rss_bytes"].lifetimes_rule in ("one_series", "apart"), leaks["rss_bytes"]
    assert "every resume replayed the run" in leaks["rss_bytes"].reason or \
        f"every resume ({lifetimes - 1}) replayed" in leaks["rss_bytes"].reason, leaks["rss_bytes"].reason
