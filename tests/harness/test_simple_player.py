"""examples/simple_player: a sounddevice-style application the harness drives through ``--system``.

The player as written leaks the stream that died each time it restarts after a device dropout; the
stock ``resources`` invariant must find that, and must pass the fixed player on the same seeds
(in each of which the device drops out several times, so the fix is exercised, not just unused)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.runner import ReliabilityRun, RunSpec
from harness.sut_protocol import load_system, missing_members

ROOT = Path(__file__).resolve().parents[2]
SEEDS = (1, 2, 3)


@pytest.fixture(autouse=True)
def _on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT))


def _run(tmp_path: Path, factory: str, seed: int) -> object:
    choice = load_system(f"examples.simple_player:{factory}")
    spec = RunSpec(duration_s=30.0, seed=seed, faults="default", run_dir=tmp_path / f"{factory}-{seed}")
    return ReliabilityRun(spec, system_factory=choice).execute(reports=False)


def test_the_adapted_player_conforms_to_the_protocol() -> None:
    from examples.simple_player import make_system
    from system_under_test import AudioSystem
    from system_under_test.clock import VirtualClock
    from system_under_test.devices.simulated import SimulatedBackend

    clock = VirtualClock()
    system = make_system(None, backend=SimulatedBackend(clock), clock=clock, seed=0)
    assert missing_members(system) == []
    assert missing_members(AudioSystem()) == []


@pytest.mark.parametrize("seed", SEEDS)
def test_the_fixed_player_passes_every_invariant_through_dropouts(tmp_path: Path, seed: int) -> None:
    result = _run(tmp_path, "make_fixed_system", seed)
    assert result.summary["faults"]["by_kind"].get("dropout", 0) >= 3  # the restart path ran
    assert result.summary["recoveries"] >= 1
    assert result.verdict.outcome.value == "pass", result.verdict.reasons
    assert result.summary["system_factory"] == "examples.simple_player:make_fixed_system"


@pytest.mark.parametrize("seed", SEEDS)
def test_the_player_as_written_leaks_a_stream_per_restart(tmp_path: Path, seed: int) -> None:
    result = _run(tmp_path, "make_system", seed)
    assert result.verdict.violated == ["resources"]
    (verdict,) = [v for v in result.verdicts if v.name == "resources"]
    whys = {e["why"] for e in verdict.evidence}
    # the stream a restart leaves open is held at the next recovery's end too
    assert whys == {"allocations still held after close", "backend streams still open after close",
                    "a recovery kept what it took"}
    leaks = next(e["leaks"] for e in verdict.evidence if e["why"] == "allocations still held after close")
    assert {leak["tag"] for leak in leaks} == {"application stream"}
    # the adapter's ledger and the simulated device agree on how many streams were left open
    still_open = next(e["count"] for e in verdict.evidence if e["why"] == "backend streams still open after close")
    assert len(leaks) == still_open >= 1


def test_the_cli_drives_the_player_unchanged_and_names_the_invariant(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "harness.cli", "run", "--backend", "sim", "--system",
                          "examples.simple_player:make_system", "--duration", "30s", "--seed", "1",
                          "--report-dir", str(tmp_path), "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 1, out.stderr
    summary = json.loads(out.stdout)
    assert [v["name"] for v in summary["violations"]] == ["resources"]
    assert summary["system_factory"] == "examples.simple_player:make_system"
    (history,) = tmp_path.glob("*/history.jsonl")
    meta = json.loads(history.read_text().splitlines()[0])
    assert meta["data"]["system_factory"] == "examples.simple_player:make_system"
    assert meta["data"]["system"] == "PlayerSystem"


def test_the_adapted_player_gives_up_at_its_deadline_not_at_its_next_tick() -> None:
    """The adapter's main loop runs every 0.1 s; a recovery judged there alone gave up at the first
    tick past its 0.22 s deadline (0.30 s), which the ``recovery`` invariant, bounding an episode by
    the deadline itself, fails. The adapter's deadline timer gives up at 0.22 s, and the run holds."""
    from examples.simple_player import make_fixed_system
    from harness.history import History, run_op
    from harness.invariants import check_recovery
    from system_under_test.clock import VirtualClock
    from system_under_test.devices.simulated import SimulatedBackend

    clock = VirtualClock()
    system = make_fixed_system({"recovery": {"deadline_ms": 220}, "device": {"fallback_devices": []}},
                               backend=SimulatedBackend(clock), clock=clock, seed=0)
    h = History(clock=clock).attach(system)
    run_op(h, system, "initialize")
    run_op(h, system, "start")
    clock.run_until(clock.now() + 0.1)
    system.backend.remove_device("sim-in")
    clock.run_until(clock.now() + 2.0)
    ts = [t for t in h.transitions() if t.get("component") == "system"]
    entered = next(t["time"] for t in ts if t["to_state"] == "recovering")
    left = next(t for t in ts if t["from_state"] == "recovering")
    assert left["to_state"] == "failed"
    assert left["time"] - entered == pytest.approx(0.22, abs=1e-9)
    v = check_recovery(h, system)
    assert v.ok and not v.inconclusive, v
    system.close()
