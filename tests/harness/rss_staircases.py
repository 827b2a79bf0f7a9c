"""An hour of a process's resident set as the leak judge's tests draw it: one sample a second, a
bounded log filling under it (``HELD``, told to the judge as a soak's error log is), and RSS that
moves in pieces the allocator takes when live memory outgrows what it holds (the steps
``bench/rss_steps.py`` measured: 92 % of consecutive samples equal)."""

from __future__ import annotations

import numpy as np

MB = 1_000_000.0
PAGE = 4096
#: one sample a second for an hour
T = np.arange(0.0, 3601.0, 1.0)
#: a bounded log filling under the series, told to the judge (``held``), as a soak's error log is
HELD = 2.4 * MB * T / 3600.0


def drawn_staircase(live: np.ndarray, seed: int) -> np.ndarray:
    """The RSS of a process whose live memory is ``live``: a new piece of 0.4-1.7 MB (drawn)
    whenever what is live outgrows what it holds."""
    rng = np.random.default_rng(seed)
    rss = np.empty_like(live)
    top = live[0] + rng.uniform(0.4, 1.7) * MB
    for i, v in enumerate(live):
        if v > top:
            top = v + rng.uniform(0.4, 1.7) * MB
        rss[i] = top
    return np.ceil(rss / PAGE) * PAGE
