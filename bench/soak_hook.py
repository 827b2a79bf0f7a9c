"""What the in-process soak probes share: a private run-history database, and a probe called after
each chunk the soak's recorder books (``harness.soak._Recorder.__call__`` wrapped, then put back).

Why after the recorder's own work: the probe then reads the system and the history as the soak's
own checks just saw them, at the simulated time the chunk ended, so two runs of one seed read the
same state whatever the wall clock did."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def private_history_db(prefix: str) -> None:
    """Point the run-history database at a fresh temporary file (unless the caller chose one), so
    a probe's soak never writes the user's database."""
    os.environ.setdefault("SOUNDCHECK_HISTORY_DB", str(Path(tempfile.mkdtemp(prefix=prefix)) / "h.db"))


@contextmanager
def after_each_chunk(probe: Callable[[Any, Any], None]) -> Iterator[None]:
    """While inside, ``probe(system, history)`` runs after each chunk the soak's recorder books."""
    from harness import soak as soak_module  # noqa: PLC0415 - after the caller's environment is set

    original = soak_module._Recorder.__call__

    def hooked(self: Any, run: Any, system: Any, history: Any) -> None:
        original(self, run, system, history)
        probe(system, history)

    soak_module._Recorder.__call__ = hooked  # type: ignore[method-assign]
    try:
        yield
    finally:
        soak_module._Recorder.__call__ = original  # type: ignore[method-assign]


def rising_times(text: str, duration_s: float) -> list[float]:
    """The simulated seconds of ``--at`` (comma-separated): two or more, positive, rising, none
    after the soak's end. ValueError, with the fix, otherwise."""
    try:
        times = [float(x) for x in text.split(",")]
    except ValueError:
        raise ValueError(f"--at {text!r}: give simulated seconds separated by commas, e.g. 600,1800,3540") from None
    if len(times) < 2 or times[0] <= 0 or any(b <= x for x, b in zip(times, times[1:])):
        raise ValueError(f"--at {times}: give two or more positive, rising times")
    if times[-1] > duration_s:
        raise ValueError(f"--at: the last time ({times[-1]:g} s) is after --duration-s ({duration_s:g} s)")
    return times


def run_probed_soak(prog: str, probe: Callable[[Any, Any], None], *, seed: int, duration_s: float,
                    run_dir: Path, system: str | None) -> Any:
    """A simulated soak built as ``soundcheck soak --backend sim`` builds it, ``probe`` called after
    each chunk (``after_each_chunk``); its result, or None when ``system`` does not load (said on
    stderr under ``prog``'s name, before the soak starts)."""
    from harness import soak as soak_module  # noqa: PLC0415 - after the caller's environment is set
    from harness.errors import UsageError  # noqa: PLC0415

    spec = soak_module.SoakSpec(duration_s=duration_s, backend="sim", seed=seed, run_dir=run_dir, system=system)
    with after_each_chunk(probe):
        try:
            return soak_module.SoakRunner(spec).start()
        except UsageError as exc:
            print(f"{prog}: {exc}", file=sys.stderr)
            return None
