"""Each glitch the audio check hears is journaled once (``AudioCheck.take_new_glitches``): a
checkpoint lists at most ``JOURNAL_GLITCHES`` and journals the rest as one ``{"kind": "more",
"count", "by_kind"}`` record, and the next checkpoint journals only what came after it. A report
of a soak adds up every checkpoint's glitches (``reports.fold.GlitchFold``), so a "more" count
carried from one checkpoint to the next is counted again at each one: a soak's glitch count that
grows with its checkpoints, not with what was heard. The simulated clock and a scripted capture:
a tone with a one-cycle silence every tenth cycle; no jackd."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from harness.journal import JOURNAL_GLITCHES

from scripted_capture import ScriptedCapture, started_with_scripted_capture

FS = 48_000
N = 256


class _Spec:
    sample_rate = FS


def _tone_with_silences(cap: ScriptedCapture, t0: float, seconds: float) -> None:
    """The 997 Hz tone heard for ``seconds`` from ``t0``, one cycle in ten silent after the first 200."""
    for i in range(int(seconds * FS / N)):
        k = np.arange(i * N, (i + 1) * N)
        block = (0.25 * np.sin(2 * np.pi * 997.0 / FS * k)).astype(np.float32).reshape(N, 1)
        if i > 200 and i % 10 == 5:
            block[:] = 0.0
        cap.pending.append(("feed", (_Spec, block, t0 + i * N / FS, 0)))


def _journaled(checkpoints: list[list[dict[str, Any]]]) -> Counter[str]:
    """What the checkpoints journaled, by kind: each listed glitch once, each "more" record's kinds."""
    out: Counter[str] = Counter()
    for taken in checkpoints:
        for g in taken:
            if g["kind"] == "more":
                out.update(g["by_kind"])
            else:
                out[g["kind"]] += 1
    return out


def test_every_glitch_heard_is_journaled_once_over_the_checkpoints() -> None:
    system, cap, check, t0 = started_with_scripted_capture(seed=3)
    _tone_with_silences(cap, t0, 8.0)
    system.run_for(8.5)
    check.poll()
    system.stop()
    system.close()
    check.finish()
    checkpoints = [check.take_new_glitches() for _ in range(3)]
    assert check.glitch_total > JOURNAL_GLITCHES, check.glitch_total  # some left out of the first list
    first = checkpoints[0]
    assert len(first) == JOURNAL_GLITCHES + 1 and first[-1]["kind"] == "more", first[-1]
    assert first[-1]["count"] == check.glitch_total - JOURNAL_GLITCHES
    assert checkpoints[1:] == [[], []]  # nothing heard since: nothing journaled again
    assert _journaled(checkpoints) == check.by_kind
