"""The report's leak judgement takes the bounded logs' bytes out of the RSS only
(``harness.reports.build._leaks``).

``sut_log_bytes`` is what the system's bounded logs hold of the process's memory: the RSS holds
it, no other series does. Taken out of ``sut_bytes`` (the system's own buffers) or a count of
threads or descriptors, a log filling up would cancel a real leak there. Each case below is an
hour of samples whose right verdict is known from how it was made: a log filling all hour beside
a ``sut_bytes`` leak or none, an RSS that holds the log and the leak or only the log.
"""

from __future__ import annotations

import numpy as np
import pytest

from harness.reports.build import _leaks

MB = 1_000_000
HOUR = 3600.0


def _samples(seed: int, *, sut_leak_per_hour: float, rss_leak_per_hour: float) -> list[dict[str, float]]:
    """An hour sampled every 5 s: a log filling 6 MB an hour (bounded at 9 MB), the RSS holding
    it and ``rss_leak_per_hour`` more, ``sut_bytes`` growing ``sut_leak_per_hour``, a flat thread
    count; allocator noise on the byte series."""
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, HOUR, 5.0)
    log = np.minimum(6 * MB * t / HOUR, 9 * MB)
    rss = 250 * MB + log + rss_leak_per_hour * t / HOUR + rng.normal(0, 100_000, t.size)
    sut = 2 * MB + sut_leak_per_hour * t / HOUR + rng.normal(0, 2_000, t.size)
    return [{"t": float(t[i]), "segment": 0, "rss_bytes": float(np.round(rss[i])), "threads": 12.0,
             "sut_bytes": float(np.round(sut[i])), "sut_log_bytes": float(np.round(log[i]))}
            for i in range(t.size)]


#: (sut_bytes' leak per hour, the RSS's leak per hour beside the log, the verdicts expected)
CASES = [
    (0.0, 0.0, {"sut_bytes": "ok", "rss_bytes": "ok", "threads": "ok"}),
    (4 * MB, 0.0, {"sut_bytes": "leak", "rss_bytes": "ok", "threads": "ok"}),
    (4 * MB, 20 * MB, {"sut_bytes": "leak", "rss_bytes": "leak", "threads": "ok"}),
    (0.0, 20 * MB, {"sut_bytes": "ok", "rss_bytes": "leak", "threads": "ok"}),
]


@pytest.mark.parametrize("seed", range(2))
@pytest.mark.parametrize(("sut_leak", "rss_leak", "want"), CASES)
def test_only_the_rss_is_judged_with_the_logs_bytes_taken_out(seed: int, sut_leak: float, rss_leak: float,
                                                               want: dict[str, str]) -> None:
    got = _leaks(_samples(seed, sut_leak_per_hour=sut_leak, rss_leak_per_hour=rss_leak))
    assert {m: got[m].verdict for m in want} == want, {m: got[m].reason for m in want}
    assert got["rss_bytes"].held_last is not None  # the RSS said what was taken out of it
    assert got["sut_bytes"].held_last is None and got["threads"].held_last is None


@pytest.mark.parametrize("seed", range(2))
def test_the_systems_logs_and_the_history_window_are_both_taken_out(seed: int) -> None:
    """Both held series sampled (a soak: the system's logs and the run's history window), each
    filling and the RSS holding both: what is taken out is their sum, sample by sample, and the
    RSS holds no leak. Either one alone taken out leaves the other's filling in the RSS."""
    samples = _samples(seed, sut_leak_per_hour=0.0, rss_leak_per_hour=0.0)
    for s in samples:  # a history window filling 6 MB an hour beside the log, held in the RSS too
        window = float(np.round(6 * MB * s["t"] / HOUR))
        s["harness_log_bytes"] = window
        s["rss_bytes"] += window
    got = _leaks(samples)["rss_bytes"]
    assert got.verdict == "ok", got.reason
    last = samples[-1]
    assert got.held_last == last["sut_log_bytes"] + last["harness_log_bytes"]
    for drop in ("sut_log_bytes", "harness_log_bytes"):
        one = _leaks([{k: v for k, v in s.items() if k != drop} for s in samples])["rss_bytes"]
        assert one.verdict != "ok", (drop, one.reason)  # the control: the other's filling alone is growth
