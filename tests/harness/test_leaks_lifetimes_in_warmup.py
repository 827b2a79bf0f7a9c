"""A soak resumed so often that every process lifetime lies inside its warm-up, and lifetimes judged
under ``SLOPE_MIN_SPAN_S``: what the leak judge says of a soak resumed every 20-30 minutes.

1. Each lifetime skips the warm-up, 10 % of the *whole* soak's span, from its own start
   (``harness.leak_levels.after_warmup``): an 8-hour soak resumed every 30 minutes skips 48 minutes of
   each 30, so no sample is judged. The report said "not judged (0 samples after warm-up ...; soak
   longer)", and a longer soak only lengthens the warm-up: the reason now names the lifetimes and
   says "resume less often" (``harness.leaks.INSIDE_WARMUP``), on every surface.
2. Lifetimes judged 24 or 14 minutes (a 1-hour soak resumed every 30 or 20 minutes) stay
   inconclusive: their slopes pooled within lifetimes read healthy 1-hour soaks, cut so, as leaks at
   15 and 17 of 18 seeds (``bench/leak_resumed_pooled.py --cut-every``, bench/RESULTS.md, issue #11),
   since a process's first half hour climbs faster than the threshold in a healthy system too.

Synthetic series, seeded; a real resumed soak on the simulated clock, killed at its checkpoints.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from harness.leaks import INSIDE_WARMUP, MiB, judge
from killed_soak import soak_ended_every

MB = 1e6


def _resumed(lifetime_s: float, lifetimes: int, per_hour: float, seed: int, step_s: float = 10.0
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A soak resumed every ``lifetime_s``: malloc flat, pymalloc and the RSS rising ``per_hour``
    within each lifetime from the same start (a new process)."""
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, lifetime_s * lifetimes, step_s)
    g = (t // lifetime_s).astype(np.int64)
    grows = per_hour * (t - g * lifetime_s) / 3600.0
    return (t, 200 * MB + grows + rng.normal(0.0, 2e5, t.size), g, 30 * MB + rng.normal(0.0, 2e4, t.size),
            50 * MB + grows + rng.normal(0.0, 2e5, t.size))


@pytest.mark.parametrize("per_hour", [0.0, 8 * MB])
def test_an_eight_hour_soak_resumed_every_half_hour_is_told_to_resume_less_often(per_hour: float) -> None:
    t, rss, g, mal, p = _resumed(1800.0, 16, per_hour, 98070)
    for metric, values in (("rss_bytes", rss), ("threads", np.full(t.size, 12.0))):
        v = judge(metric, t, values, groups=g, **({"in_use": mal, "pymalloc": p} if metric == "rss_bytes" else {}))
        assert v.verdict == "insufficient_data" and v.used_samples == 0, v.reason
        assert v.reason.startswith(INSIDE_WARMUP), v.reason
        assert "16 lifetimes of at most 29m50s and each skips 47m59s " in v.reason, v.reason
        assert "resume less often" in v.reason


def test_lifetimes_longer_than_the_warm_up_are_judged_as_before() -> None:
    """Four 2-hour lifetimes of an 8-hour soak (48 minutes skipped, 72 judged): no note, a verdict."""
    t, rss, g, mal, p = _resumed(7200.0, 4, 0.0, 98071)
    v = judge("rss_bytes", t, rss, groups=g, in_use=mal, pymalloc=p)
    assert v.verdict == "ok" and INSIDE_WARMUP not in v.reason, v.reason


def test_one_short_uninterrupted_run_keeps_the_plain_reason() -> None:
    v = judge("rss_bytes", np.arange(4.0), np.full(4, 1e8))
    assert v.reason == "3 samples after warm-up; need at least 6 over a non-zero time span"


@pytest.mark.parametrize("lifetime_s,lifetimes", [(1800.0, 2), (1200.0, 3), (1800.0, 4)])
def test_a_climb_in_every_short_lifetime_is_no_verdict_by_its_pooled_slopes(lifetime_s: float, lifetimes: int) -> None:
    """Each lifetime climbs 6 MB/h, as a healthy process's first half hour does: pooled within the
    lifetimes the slopes read a leak, and no lifetime is judged the 30 minutes a verdict needs."""
    t, rss, g, mal, p = _resumed(lifetime_s, lifetimes, 6 * MiB, 98072)
    v = judge("rss_bytes", t, rss, groups=g, in_use=mal, pymalloc=p)
    assert v.verdict == "inconclusive", v.reason
    assert "lifetimes too short to judge a slope" in v.reason and "read by its slopes: leak" in v.reason, v.reason


@pytest.mark.slow
def test_a_real_soak_resumed_at_every_checkpoint_is_told_to_resume_less_often(tmp_path, monkeypatch) -> None:
    """A 20 s simulated soak ended at each 2 s checkpoint and resumed (``--resume`` replays it and
    journals the next segment): ten lifetimes, each inside the 2 s warm-up. Its report is
    inconclusive, naming the lifetimes, and never says "soak longer"."""
    lifetimes, code, run_dir = soak_ended_every(monkeypatch, tmp_path, 1, ["--duration", "20s", "--checkpoint", "2s",
                                                                           "--seed", "98073"], most=14)
    report = json.loads((run_dir / "report.json").read_text(encoding="utf-8"))
    assert lifetimes >= 10 and code == 3 and report["verdict"]["outcome"] == "inconclusive", (lifetimes, code)
    doubts = [d for d in report["verdict"]["doubts"] if INSIDE_WARMUP in d]
    assert doubts and all("resume less often" in d and "soak longer" not in d for d in doubts), report["verdict"]
