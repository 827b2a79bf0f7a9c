"""A silence the system's watchdog laid on the machine is judged the machine's, not the system's.

On the rig, a delivery thread held off a CPU (``harness.rig.hold``) while the device kept calling
back is no stall (``system.held_by_the_machine``, counted as ``delivery_held``), yet its output
underflows for as long: ~1 s of silence that ``clean_audio`` failed on an idle rig (the JACK
server reported no xrun over it), and left inconclusive on a loaded one. The system tells where
those silences were (``AudioSystem.held_silences``); the listening check makes each a window of
its own (label ``delivery_held``), as a server outage is, and the run's verdict notes it.

Scripted capture files on the virtual clock (``test_rig_channels``'s tone and scripted capture),
a system that says it held its delivery thread where the script falls silent. A silence elsewhere,
or one that goes on once the thread runs again, is still the system's and fails.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from harness import ReliabilityRun, RunSpec
from harness.audio_check import SETTLE_MARGIN_S, AudioCheck
from harness.cli import main
from harness.rig._jackagent import HEADER
from harness.verdict import held_note, judge_run
from system_under_test import AudioSystem

from test_rig_channels import BOTH, FS, N, _heard, _Scripted, _tone

#: where the held silence is, seconds after the capture's start
HELD = (2.0, 3.0)


def _silent_in(t0: float, spans: list[tuple[float, float]], seconds: float = 5.0) -> bytes:
    """``seconds`` of the tone on both ears from ``t0``, silent on both through each of ``spans``
    (seconds after ``t0``)."""
    out = []
    for i in range(int(seconds * FS / N)):
        t = t0 + i * N / FS
        block = np.repeat(_tone(i * N, N)[:, None], 2, axis=1)
        if any(a <= t - t0 < b for a, b in spans):
            block[:] = 0.0
        out.append(HEADER.pack(t, i * N, N, FS, 2, BOTH) + block.astype(np.float32).tobytes())
    return b"".join(out)


class _Held(AudioSystem):
    """The default system, saying its watchdog held the silences ``held`` (clock times) on the
    machine: ended ones as ``(from, to)``, an open one as ``(from, None)``."""

    held: list[tuple[float, float | None]] = []

    def held_silences(self) -> tuple[list[tuple[float, float]], float | None, int]:
        ended = [(a, b) for a, b in self.held if b is not None]
        open_t0 = next((a for a, b in self.held if b is None), None)
        return ended, open_t0, 0


def _judged(tmp_path: Path, silent: list[tuple[float, float]],
            held: list[tuple[float, float | None]]) -> tuple[AudioCheck, Any]:
    """The scripted capture silent through ``silent``; the system held ``held`` (both in seconds
    after the capture's start; a hold's end None: still open at the run's end)."""
    system = _Held({}, seed=1)
    system.initialize()
    t0 = float(system.clock.now())
    system.held = [(t0 + a, None if b is None else t0 + b) for a, b in held]
    return _heard(system, _Scripted(tmp_path, _silent_in(t0, silent)).start())


def test_the_silence_of_a_held_delivery_thread_is_the_machines(tmp_path: Path) -> None:
    """Fails without ``held_begin``: "1 glitch(es) outside any fault window (mute 1)", the hold's
    second of silence judged the system's."""
    check, verdict = _judged(tmp_path, [HELD], [HELD])
    assert verdict.ok and not verdict.inconclusive, verdict
    assert check.holds == 1 and check.held_s == pytest.approx(1.0)
    assert "1 silence(s) the system's watchdog laid on the machine (1.00 s" in verdict.message, verdict.message
    assert check.summary()["delivery_held"] == {"count": 1, "seconds": 1.0}
    (window,) = [w for w in check.window_rows if "delivery_held" in w["label"]]
    assert window["glitches"] >= 1 and window["verdict"] == "judged"
    # the steady-state check's windows take its glitches for the machine's too
    mutes = [g for g in check.glitch_rows if g["kind"] == "mute"]
    assert mutes and {check.machine_cause(g) for g in mutes} == {"delivery_held"}, mutes


def test_the_control_the_same_silence_with_no_hold_fails(tmp_path: Path) -> None:
    check, verdict = _judged(tmp_path, [HELD], [])
    assert not verdict.ok and not verdict.inconclusive, verdict
    assert check.outside_by_kind.get("mute") == 1, check.outside_by_kind


def test_a_mute_outside_the_held_window_still_fails(tmp_path: Path) -> None:
    """The hold explains its own silence only: a 0.3 s mute a second after it is the system's."""
    check, verdict = _judged(tmp_path, [HELD, (4.0, 4.3)], [HELD])
    assert not verdict.ok and not verdict.inconclusive, verdict
    assert check.holds == 1 and check.outside_by_kind.get("mute") == 1, check.outside_by_kind
    (g,) = check.outside
    assert g["kind"] == "mute" and 0.25 <= g["t_end"] - g["t_start"] <= 0.35, g


def test_a_silence_that_goes_on_once_the_thread_runs_again_fails(tmp_path: Path) -> None:
    """A stream that stays mute after the hold: the silence past the hold's window (its end and
    the settle margin) is judged on its own, the system's."""
    check, verdict = _judged(tmp_path, [(HELD[0], HELD[1] + 1.0)], [HELD])
    assert not verdict.ok and not verdict.inconclusive, verdict
    assert check.outside_by_kind.get("mute") == 1, check.outside_by_kind
    (g,) = check.outside
    assert g["t_end"] - g["t_start"] >= 1.0 - SETTLE_MARGIN_S - 0.05
    assert check.machine_cause(g) is None  # it reaches past the hold's window: not the machine's


def test_a_hold_still_open_at_the_runs_end_is_inconclusive_naming_it(tmp_path: Path) -> None:
    """The thread never took a block again before the run stopped: what the system played once it
    ran again was not heard, never a pass and never the system's failure."""
    check, verdict = _judged(tmp_path, [(3.5, 5.0)], [(3.5, None)])
    assert verdict.ok and verdict.inconclusive, verdict
    assert any("delivery thread was held from" in row for row in check.blind_rows), check.blind_rows


def test_the_verdict_notes_the_holds_and_never_fails_for_them() -> None:
    verdict = judge_run([{"name": "clean_audio", "ok": True}], delivery_held=2)
    assert verdict.ok and held_note(2) in verdict.notes
    assert "2 silence(s) on the machine" in held_note(2)
    assert not judge_run([{"name": "clean_audio", "ok": True}], delivery_held=0).notes


class _CountsAHold(AudioSystem):
    """A simulated system whose watchdog counted one held silence (the simulated device measures
    no thread, so it never does by itself)."""

    def start(self, *args: Any, **kw: Any) -> Any:
        out = super().start(*args, **kw)
        self.monitoring.counter("delivery_held").inc()
        return out


def test_the_note_survives_a_report_rebuilt_from_the_run_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails without ``delivery_held`` read back: the rebuilt report's verdict had no note."""
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    spec = RunSpec(backend="sim", duration_s=2.0, seed=1, faults="none", report_root=tmp_path / "runs")
    result = ReliabilityRun(spec, system_factory=_CountsAHold).execute()
    assert result.summary["delivery_held"] == 1
    assert held_note(1) in result.verdict.notes
    folder = Path(result.run_dir)
    assert held_note(1) in json.loads((folder / "report.json").read_text())["verdict"]["notes"]
    (folder / "report.json").unlink()
    assert main(["report", str(folder), "--no-history"]) == result.exit_code
    assert held_note(1) in json.loads((folder / "report.json").read_text())["verdict"]["notes"]


@pytest.mark.parametrize(("shift_start", "shift_end", "machines"), [
    (0.0, 0.0, True),    # wholly within the hold: the machine's
    (0.0, 1.0, False),   # begins inside the hold, runs on a second after the thread ran again
    (-1.0, 0.0, False),  # began a second before the hold, ends inside it
    (-1.0, 1.0, False),  # covers the hold and more on both sides
])
def test_only_a_glitch_wholly_within_a_held_silence_is_the_machines(
        tmp_path: Path, shift_start: float, shift_end: float, machines: bool) -> None:
    """``machine_cause`` lays a glitch on a held delivery thread only when both its ends lie
    within the hold's window (``LEAD_MARGIN_S`` before it to the settle margin after it): one that
    overlaps the hold but reaches a second past either end is the system's. The hold's own mute,
    moved by whole seconds, is each case; a second is far past both margins."""
    check, _verdict = _judged(tmp_path, [HELD], [HELD])
    (mute,) = [g for g in check.glitch_rows if g["kind"] == "mute"]
    assert check.machine_cause(mute) == "delivery_held"
    moved = {**mute, "t_start": mute["t_start"] + shift_start, "t_end": mute["t_end"] + shift_end}
    assert (check.machine_cause(moved) == "delivery_held") is machines, moved
