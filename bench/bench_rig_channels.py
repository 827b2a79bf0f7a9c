"""Channel agreement on the real JACK rig: false alarms of the healthy system, and planted defects.

A benchmark, not a test: it prints figures (and writes JSON with ``--json``), never fails.

    python bench/bench_rig_channels.py [--runs 4] [--kills 5] [--routes jack,system,alsa]
                                       [--defects mute,late,half,pop] [--duration 8]

Per route (``jack``: the rig backend; ``system``: PortAudio's JACK host API device; ``alsa``:
ALSA's ``jack`` PCM; ``harness.external_kills`` runs each on its own ``jackd``), with no injected
fault (``--faults none``):

- ``--runs`` runs of the healthy system with no server kill, and ``--kills`` runs with the
  server SIGKILLed from outside 3 s in and restarted 2 s later: the channels judged (and heard
  by the rig), every channel glitch, inside a window and outside every one (each outside one a
  false alarm; the target is none at all), the run's ``clean_audio`` verdict;
- one run per planted defect (a stage at the end of the DSP chain, on output channel 1 only:
  ``mute`` a lost channel, ``late`` a per-channel copy one frame late, ``half`` a gain applied
  twice, ``pop`` a 0.03 step in one frame every 300 blocks): its ``clean_audio`` verdict, which
  must be "violated" (``pop``: one block, what a machine's missed deadline could leave, is a doubt
  on a rig that reported xruns; violated on one that did not).

The load average is printed with the figures: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import ReliabilityRun, RunSpec  # noqa: E402
from harness.external_kills import ROUTES, run_external_kill  # noqa: E402
from harness.rig.loopback import LoopbackRig  # noqa: E402
from system_under_test.devices.portaudio import PortAudioBackend  # noqa: E402
from system_under_test import AudioSystem  # noqa: E402
from system_under_test.dsp import Stage  # noqa: E402


class _Channel1(Stage):
    """A defect on output channel 1 only (``how``: mute, late, half, pop)."""

    kind = "channel1_defect"

    def __init__(self, how: str) -> None:
        self.how, self.n = how, 0
        self.prev: np.ndarray | None = None

    def process(self, block: np.ndarray) -> np.ndarray:
        self.n += 1
        if self.how == "mute":
            block[:, 1:] = 0.0
        elif self.how == "half":
            block[:, 1:] *= np.float32(0.5)
        elif self.how == "late":
            last = block[-1:, 1:].copy()
            block[1:, 1:] = block[:-1, 1:].copy()
            block[:1, 1:] = last if self.prev is None else self.prev
            self.prev = last
        elif self.how == "pop" and self.n % 300 == 0:
            block[min(100, block.shape[0] - 1), 1:] += np.float32(0.03)
        return block

    def reset(self) -> None:
        self.prev = None


def defective(how: str) -> type[AudioSystem]:
    class _System(AudioSystem):
        def _build(self, *args: Any, **kw: Any) -> Any:
            built = super()._build(*args, **kw)
            if self._pipeline is not None:
                self._pipeline.chain.add_stage(_Channel1(how))
            return built

    _System.__name__ = f"Channel1{how.title()}"
    return _System


def channels_of(run_dir: str) -> dict[str, Any]:
    """A run's channel figures from its summary.json."""
    try:
        audio = json.loads((Path(run_dir) / "summary.json").read_text()).get("audio") or {}
    except (OSError, ValueError):
        return {"analysed": False}
    if not audio.get("analysed"):
        return {"analysed": False}
    sig, cap = audio["signal"], audio.get("capture") or {}
    inside = sum(w["by_kind"].get(k, 0) for w in audio["windows"]["items"] for k in ("channel", "channel_level"))
    outside = {k: v for k, v in audio["outside"]["by_kind"].items() if k.startswith("channel")}
    return {"analysed": True, "channels_judged": sig["channels_judged"], "channels_heard": cap.get("channels_heard"),
            "channel_glitches": sig["channel_glitches"], "in_windows": inside, "outside": sum(outside.values()),
            "longest_outside_s": audio["outside"].get("longest_channel_disagreement_s", 0.0),
            "residual_max": sig["channel_residual_max"], "jack_xruns": cap.get("jack_xruns", 0)}


def _unkilled(route: str, seed: int, duration: float, root: Path, factory: Any) -> dict[str, Any]:
    """One run on ``route`` (its own ``jackd``) with no server kill: what the run said."""
    kw = {"system_factory": factory} if factory else {}
    if route == "jack":
        spec = RunSpec(backend="jack", duration_s=duration, seed=seed, faults="none", report_root=root)
        result = ReliabilityRun(spec, **kw).execute()
    else:
        with LoopbackRig(monitor=False) as rig:
            backend = PortAudioBackend(jack_server=rig.server_name) if route == "system" else \
                PortAudioBackend(host_api="ALSA", jack_server=rig.server_name)
            spec = RunSpec(backend="portaudio", device="system" if route == "system" else "jack",
                           duration_s=duration, seed=seed, faults="none", report_root=root)
            result = ReliabilityRun(spec, backend=backend, **kw).execute()
    clean = next((v for v in result.verdicts if v.name == "clean_audio"), None)
    return {"exit": result.exit_code, "run_dir": str(result.run_dir),
            "clean_audio": "not analysed" if clean is None else "inconclusive" if clean.inconclusive
            else "held" if clean.ok else "violated",
            "violations": [f"{v['name']}: {v['message']}" for v in result.summary["violations"]]}


def one(route: str, seed: int, *, kill: bool, duration: float, root: Path, factory: Any = None) -> dict[str, Any]:
    if kill:
        res = run_external_kill(route, seed=seed, duration_s=duration, kill_at_s=3.0, restart_after_s=2.0,
                                report_root=root, system_factory=factory)
        row = {"exit": res.exit_code, "run_dir": res.run_dir, "clean_audio": res.clean_audio,
               "violations": res.violations}
    else:
        row = _unkilled(route, seed, duration, root, factory)
    return {"route": route, "seed": seed, "kill": kill, **row, **channels_of(row["run_dir"])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=4, help="healthy runs per route with no server kill")
    ap.add_argument("--kills", type=int, default=5, help="healthy runs per route with one external kill")
    ap.add_argument("--routes", default=",".join(ROUTES))
    ap.add_argument("--defects", default="mute,late,half,pop", help="planted defects, one run each per route")
    ap.add_argument("--duration", type=float, default=8.0)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-rig-channels-"))
    rows: list[dict[str, Any]] = []
    t0 = time.monotonic()
    loads: list[float] = []
    for route in [r for r in args.routes.split(",") if r]:
        plan = [(s, True, None) for s in range(1, args.kills + 1)] + \
               [(s, False, None) for s in range(1, args.runs + 1)] + \
               [(1, False, how) for how in args.defects.split(",") if how]
        for seed, kill, how in plan:
            row = one(route, seed, kill=kill, duration=args.duration, root=root / route,
                      factory=defective(how) if how else None)
            row["defect"] = how
            rows.append(row)
            loads.append(os.getloadavg()[0])
            print(f"{route:6} {'defect ' + how if how else ('kill' if kill else 'healthy'):12} seed={seed} "
                  f"exit={row['exit']} clean_audio={row['clean_audio']} judged={row.get('channels_judged')} "
                  f"violations={[v.split(':', 1)[0] for v in row['violations']]} "
                  f"heard={row.get('channels_heard')} channel glitches: in windows={row.get('in_windows')} "
                  f"outside={row.get('outside')} (longest {row.get('longest_outside_s')} s) "
                  f"residual max={row.get('residual_max')}", flush=True)
    print(f"\nload average 1 min p50={np.median(loads):.1f} max={max(loads):.1f}, wall "
          f"{time.monotonic() - t0:.0f} s, runs kept in {root}")
    print(f"{'route':6} {'runs':>5} {'judged=2':>8} {'ch.glitch in win':>16} {'ch.glitch outside':>17} "
          f"{'false viol.':>11} {'defects violated':>16}")
    for route in sorted({r["route"] for r in rows}):
        healthy = [r for r in rows if r["route"] == route and not r["defect"]]
        planted = [r for r in rows if r["route"] == route and r["defect"]]
        print(f"{route:6} {len(healthy):5} {sum(1 for r in healthy if r.get('channels_judged') == 2):8} "
              f"{sum(r.get('in_windows') or 0 for r in healthy):16} {sum(r.get('outside') or 0 for r in healthy):17} "
              f"{sum(len(r['violations']) for r in healthy):11} "
              f"{sum(1 for r in planted if r['clean_audio'] == 'violated')}/{len(planted)} "
              + " ".join(f"{r['defect']}={r['clean_audio']}" for r in planted))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
