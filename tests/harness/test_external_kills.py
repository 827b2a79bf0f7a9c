"""External JACK server kills on the three rig routes: no false alarm, exactly one recovery.

The server is SIGKILLed by pid from outside the harness (a crash in the field, not the rig's own
``drop_device``), then started again. The quick part of the false-alarm matrix; the long part
(many kills per route, idle and loaded) is ``bench/bench_external_kills.py``.

Outside CI these skip when jackd is missing; with ``CI`` set they fail instead.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from harness.external_kills import run_external_kill
from harness.rig.loopback import pid_is_jackd, wait_until

ROOT = Path(__file__).resolve().parents[2]
#: Bound on every wait here: generous for a loaded 2-core machine, never reached when healthy.
WAIT_S = 30.0


@pytest.mark.loopback(portaudio=True)
@pytest.mark.timeout(90)
@pytest.mark.parametrize("route", ["system", "alsa"])
def test_an_external_server_kill_gives_one_recovery_and_no_false_alarm(route: str, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """PortAudio's JACK host API device ``system`` and ALSA's ``jack`` PCM: the server is killed from
    outside and restarted from another thread (as a sound server comes back by itself)."""
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    res = run_external_kill(route, seed=2, duration_s=6.0, kill_at_s=1.5, restart_after_s=1.0,
                            report_root=tmp_path)
    assert res.killed_pid is not None and res.error is None, res
    assert res.violations == [], res
    assert res.recoveries == 1 and res.recovery_failures == 0, res
    assert res.final_state == "closed", res
    _audio_inconclusive_for_the_kill(res)


def _audio_inconclusive_for_the_kill(res: object) -> None:
    """The rig heard the run (``clean_audio`` judged) but its capture client died with the server:
    the kill's window is inconclusive, so the run is (exit 3), never violated (a glitch outside
    every window on a machine that missed deadlines of its own is a doubt too)."""
    audio = json.loads((Path(res.run_dir) / "summary.json").read_text())["audio"]  # type: ignore[attr-defined]
    assert audio["analysed"], audio
    assert audio["capture"]["agents"] >= 2, audio["capture"]  # a new ear after the server came back
    assert any("ended" in item for item in audio["blind"]["items"]), audio["blind"]
    assert res.inconclusive == ["clean_audio"] and res.exit_code == 3, res  # type: ignore[attr-defined]


def _jackd_child(pid: int) -> int | None:
    """The jackd whose parent is ``pid`` (the run's own rig), from /proc."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        child = int(stat.parent.name)
        if int(fields[1]) == pid and pid_is_jackd(child):
            return child
    return None


def _running(report_dir: Path) -> bool:
    for history in report_dir.glob("*/history.jsonl"):
        if '"to_state":"running"' in history.read_text():
            return True
    return False


@pytest.mark.loopback(portaudio=True)
@pytest.mark.timeout(90)
def test_cli_run_on_the_rig_survives_its_server_killed_from_outside(tmp_path: Path) -> None:
    """``soundcheck run --backend jack`` used to die with SIGSEGV (exit 139, nothing printed, no
    report) when its rig's jackd was killed by pid: libjack in the harness process. Now the run
    records the crash as a fault, restarts the server, recovers once and writes its reports."""
    reports = tmp_path / "reports"
    env = {**os.environ, "SOUNDCHECK_HISTORY_DB": str(tmp_path / "history.sqlite")}
    proc = subprocess.Popen([sys.executable, "-m", "harness.cli", "run", "--backend", "jack", "--duration", "8",
                             "--seed", "2", "--faults", "none", "--report-dir", str(reports)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: _running(reports), WAIT_S, interval_s=0.05, what="the run's system RUNNING")
        jackd = wait_until(lambda: _jackd_child(proc.pid), WAIT_S, what="the run's jackd")
        os.kill(jackd, signal.SIGKILL)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    # every invariant held; the audio the rig could not hear (its ears died with the server) is
    # inconclusive, so the run is: exit 3
    assert proc.returncode == 3, f"exit {proc.returncode}\n{out}\n{err[-3000:]}"
    assert "INCONCLUSIVE: inconclusive: clean_audio;" in out, out
    (run_dir,) = reports.iterdir()
    summary = json.loads((run_dir / "summary.json").read_text())
    assert not summary["violations"] and summary["recoveries"] == 1, summary
    assert summary["audio"]["analysed"], summary["audio"]
    crashes = [json.loads(line) for line in (run_dir / "history.jsonl").read_text().splitlines()
               if '"fault_start"' in line]
    assert [c["data"]["kind"] for c in crashes] == ["server_crash"]
    assert crashes[0]["data"]["details"]["pid"] == jackd and crashes[0]["data"]["details"]["exit_status"] == -9


_NO_LIBJACK = """
import os, signal
from harness.rig.loopback import LoopbackRig, rig_unavailable_reason, wait_until
assert rig_unavailable_reason() is None  # as `run --backend jack` asks before it starts
with LoopbackRig() as rig:
    assert rig.ports() and rig.xruns >= 0
    os.kill(rig.pid, signal.SIGKILL)  # from outside: the rig is not told
    wait_until(lambda: rig.lost is not None, 10.0, what="the server's death")
    # libjack tells the agent asynchronously; it then leaves (measured: "server shut down")
    wait_until(lambda: rig.agent_status() is not None, 10.0, what="the agent to notice")
    rig.restart_server()
    assert any(p.startswith("system:") for p in rig.ports())
maps = open("/proc/self/maps").read()
print("libjack mapped:", "libjack" in maps)
"""


@pytest.mark.loopback
@pytest.mark.timeout(60)
def test_the_harness_process_never_loads_libjack() -> None:
    """The rig's JACK client (readiness, ports, xruns) lives in its agent process; the harness
    process survives its server killed by pid and a restart without ever mapping libjack."""
    out = subprocess.run([sys.executable, "-c", _NO_LIBJACK], cwd=ROOT, capture_output=True, text=True,
                         timeout=50)
    assert out.returncode == 0, f"exit {out.returncode}\n{out.stdout}\n{out.stderr[-3000:]}"
    assert "libjack mapped: False" in out.stdout, out.stdout
