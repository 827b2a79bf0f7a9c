"""The audio check: the test tone through the system, judged per fault window (``clean_audio``)."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest

from harness.audio_check import AudioCheck
from harness.faults import (BufferExhaustion, DeviceDropout, FaultInjector, InvalidConfig, LateCallback,
                           LifecycleCalls, Schedule, SlowDsp, profile_schedule)
from harness import system_factory
from harness import ReliabilityRun, RunSpec
from system_under_test import AudioSystem
from system_under_test.dsp import Stage
from system_under_test.errors import DeviceLostError


def run(tmp_path, *, seed: int = 1, duration: float = 10.0, faults: str = "none",
        schedule: Schedule | None = None, factory: Any = None, reports: bool = False):
    spec = RunSpec(duration_s=duration, seed=seed, faults=faults, run_dir=tmp_path / f"run-{seed}-{faults}")
    r = ReliabilityRun(spec, **({"system_factory": factory} if factory else {}))
    if schedule is not None:
        r.schedule = schedule
    result = r.execute(reports=reports)
    verdict = next(v for v in result.verdicts if v.name == "clean_audio")
    return result, verdict, result.summary["audio"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_healthy_run_without_faults_is_clean_and_fully_analysed(tmp_path, seed):
    result, verdict, audio = run(tmp_path, seed=seed)
    assert verdict.ok and not verdict.inconclusive, verdict
    assert audio["glitches"]["total"] == 0
    frames = audio["frames"]
    # the run's operating time: its 10 s and the steady-state windows before and after the faults
    assert frames["timeline"] == pytest.approx(result.summary["simulated_s"] * 48_000, rel=0.01)
    assert frames["analysed"] >= 0.97 * frames["timeline"]
    assert frames["device_gap"] == 0 and frames["silent"] == 0


def test_a_dropout_is_damage_inside_its_window_and_agrees_with_the_frame_accounting(tmp_path):
    schedule = Schedule.fixed([(3.0, DeviceDropout(duration_s=0.3, target="sim-in"))])
    result, verdict, audio = run(tmp_path, schedule=schedule)
    assert verdict.ok, verdict
    assert audio["outside"]["glitches"] == 0
    (win,) = [w for w in audio["windows"]["items"] if w["kind"] == "fault"]
    window = result.summary["steady_state"]["window_s"]  # faults wait for the steady-state window
    assert win["label"] == "dropout" and win["start"] == pytest.approx(3.0 + window)
    assert win["glitches"] >= 1 and win["by_kind"].get("mute", 0) >= 1
    # the device played nothing from the loss until the recovered stream's first block
    assert win["device_gap_frames"] >= 0.3 * 48_000
    # every frame the accounting counted dropped or inserted was counted in this window
    frames = result.summary["frames"]
    assert win["frames_dropped"] == frames["dropped"] and win["frames_inserted"] == frames["inserted"]
    assert 0.3 <= win["time_to_clean_s"] <= win["end"] - win["start"] + audio["settle_margin_s"]
    assert audio["glitches"]["by_window"] == {"fault": audio["glitches"]["total"]}


def test_a_late_callback_is_a_mute_inside_its_window(tmp_path):
    # 14 ms: under the xrun bound (3.75 periods less one: 14.67 ms), so the device just comes back late
    schedule = Schedule.fixed([(2.0, LateCallback(delay_s=0.014, target="sim-in"))])
    _, verdict, audio = run(tmp_path, duration=5, schedule=schedule)
    assert verdict.ok, verdict
    (win,) = [w for w in audio["windows"]["items"] if w["kind"] == "fault"]
    assert win["by_kind"] == {"mute": 1}
    assert win["device_gap_frames"] == pytest.approx(0.014 * 48_000, abs=1)
    assert win["frames_dropped"] == 0 and win["frames_inserted"] == 0  # the device's gap, not the pipeline's


def test_the_frame_losing_ring_mutant_is_caught_by_clean_audio(tmp_path):
    _, verdict, audio = run(tmp_path, factory=system_factory("ring_loses_frame"))
    assert not verdict.ok
    assert "outside any fault window" in verdict.message
    assert audio["outside"]["by_kind"].get("dropped", 0) > 100  # one frame per ring wrap
    assert "no frame was counted dropped or inserted" in verdict.evidence[0]


def test_an_output_clipped_from_the_start_is_caught_by_clean_audio_outside_the_start_window(tmp_path):
    """An output stage 8x too loud that saturates at full scale clips every peak from the first
    block on: one stretch of sound, clipped from where the start's window began it. Before the
    listening check searched for flat peaks, and cut a clipped stretch at its window's end, the
    run passed."""
    _, verdict, audio = run(tmp_path, factory=system_factory("output_overdrive"))
    assert not verdict.ok
    assert "outside any fault window (clipped " in verdict.message
    assert set(audio["outside"]["by_kind"]) == {"clipped"}
    # the window that began the stretch explains its own part only: the rest reaches past it
    (first,) = [g for g in audio["outside"]["items"] if g["t_start"] == min(
        o["t_start"] for o in audio["outside"]["items"])]
    assert first["t_end"] - first["t_start"] > 1.0


def test_an_output_clipped_past_the_first_analysis_ring_is_one_clipped_glitch_to_the_runs_end(tmp_path):
    """The listening check analyses 8 s rings: the clipped stretch was reported up to the first
    ring's end (8.5 s) and no further, as each later ring's part began before that ring's core.
    It is one glitch from the start window's end to the run's end window, its flat frames about
    the two thirds of each period an 8x 0.25 tone spends past full scale."""
    result, verdict, audio = run(tmp_path, duration=20.0, factory=system_factory("output_overdrive"))
    assert not verdict.ok
    (only,) = audio["outside"]["items"]
    assert only["kind"] == "clipped"
    assert only["t_end"] > 20.0  # past two ring edges, to where the run's end window begins
    flat = 1.0 - 2.0 * math.asin(1.0 / 2.0) / math.pi
    assert only["size"] == pytest.approx(flat * (only["end_frame"] - only["start_frame"]), rel=0.05)


class _FlipOneSample(Stage):
    """Negates one sample every ``every`` blocks: audio corrupted, every counter untouched."""

    kind = "flip"

    def __init__(self, every: int) -> None:
        self.every = every
        self.n = 0

    def process(self, block: np.ndarray) -> np.ndarray:
        self.n += 1
        if self.n % self.every == 0:
            block[100] = -block[100]
        return block


class _FlippingSystem(AudioSystem):
    def _build(self, config: Any, input_device: str, output_device: str) -> None:
        super()._build(config, input_device, output_device)
        if self._pipeline is not None:
            self._pipeline.chain.add_stage(_FlipOneSample(every=500))


def test_corruption_behind_the_frame_counters_is_caught_and_only_by_clean_audio(tmp_path):
    result, verdict, audio = run(tmp_path, factory=_FlippingSystem)
    assert not verdict.ok
    assert audio["outside"]["glitches"] >= 3 and set(audio["outside"]["by_kind"]) == {"click"}
    assert audio["outside"]["frames_dropped"] == 0 and audio["outside"]["frames_inserted"] == 0
    others = {v.name: v.ok for v in result.verdicts if v.name != "clean_audio"}
    assert all(others.values()), others  # nothing else could have told


def test_counters_that_lose_audio_nobody_heard_fail_the_cross_check(tmp_path):
    system = AudioSystem({}, seed=1)
    injector = FaultInjector(system, Schedule.fixed([(1.0, InvalidConfig(variant="wrong_type"))]), 1)
    check = AudioCheck.attach(system, injector)
    system.initialize()
    system.start()
    injector.arm()
    system.run_for(1.001)
    system.monitoring.counter("frames_dropped").value += 256  # the counters say a block was lost
    system.run_for(2.0)
    system.stop()
    system.close()
    check.finish()
    v = check.verdict()
    assert not v.ok and "did not hear" in v.message
    assert "invalid_config" in v.evidence[0] and "256 frame(s) dropped" in v.evidence[0]


def test_frames_a_stop_discards_after_the_last_block_are_not_asked_to_be_heard():
    """Regression (hostile, seeds 54 and 61): a fault window ran into the run's end, and the stop
    flushed 704 buffered frames as dropped after the device's last block: nothing could hear them."""
    system = AudioSystem({}, seed=1)
    injector = FaultInjector(system, Schedule.fixed([(2.95, InvalidConfig(variant="wrong_type"))]), 1)
    check = AudioCheck.attach(system, injector)
    system.initialize()
    system.start()
    injector.arm()
    system.run_for(2.96)
    system.monitoring.counter("frames_dropped").value += 704  # what stop() flushes from the rings
    system.stop()
    system.close()
    check.finish()
    v = check.verdict()
    assert v.ok and not v.inconclusive, v
    (win,) = [w for w in check.summary()["windows"]["items"] if w["kind"] == "fault"]
    assert win["frames_dropped"] == 704  # reported all the same


#: a gain-only chain (one of the storms' configurations: no filter restarting from rest) and a
#: 16 ms backlog: after a drained pool refills, the output ring holds 512 frames, two blocks
_SEAM_CONFIG = {"stream": {"latency_ms": 16.0}, "dsp": [{"kind": "gain", "gain_db": -6.0}]}
#: the lifecycle calls of injector seed 35 draw one simulate_error, then restore_running recovers
_SEAM_SEED = 35
#: the 377th block has just played: 377 x 256 - 512 frames is two seconds of the 997 Hz tone, a
#: whole number of periods, so the new stream (its tone from phase 0, no ring latency) goes on
#: exactly where the flushed tail would have ended
_SEAMLESS_T = 377 * 256 / 48_000 + 0.0003


def _restart_in_a_fault_window(at: float, *, lost_in_stream: int = 0) -> AudioCheck:
    """A buffer_exhaustion fills the output ring; at ``at`` lifecycle_calls fails the input (its
    teardown flushes the rings: dropped) and recovers on a new stream; a slow_dsp joins the window
    (in simulation it costs virtual time only: it moves no frame). ``lost_in_stream``: frames the
    counters then say were lost while the new stream played, with no state change."""
    system = AudioSystem(_SEAM_CONFIG, seed=1)
    schedule = Schedule.fixed([(1.0, BufferExhaustion(duration_s=0.2)), (at, LifecycleCalls(count=1)),
                               (at + 0.23, SlowDsp(duration_s=0.2, factor=2.9))])
    injector = FaultInjector(system, schedule, _SEAM_SEED)
    check = AudioCheck.attach(system, injector)
    system.initialize()
    system.start()
    injector.arm()
    system.run_for(at + 0.1)
    system.monitoring.counter("frames_dropped").value += lost_in_stream
    system.run_for(1.0)
    system.stop()
    system.close()
    check.finish()
    return check


def _restart_window(check: AudioCheck) -> dict[str, Any]:
    (win,) = [w for w in check.summary()["windows"]["items"] if w["label"] == "lifecycle_calls+slow_dsp"]
    assert win["causes"] == ["failed: simulate_error", "recovering: recover()", "running: recovered"]
    return win


def test_frames_a_restart_flushed_are_reported_and_the_seam_is_judged_by_ear():
    """Regression (8 h default soak, seed 1, t=3785 s): lifecycle_calls failed the input and
    recovered while the rings held 704 frames; the restarted stream happened to continue the tone's
    phase, the analysis rightly heard nothing, and the flushed tail was judged lost audio nobody
    heard. Frames a state change flushes are the old stream's tail: reported, not asked to be
    heard; the seam itself is what the analysis judges."""
    check = _restart_in_a_fault_window(_SEAMLESS_T)
    v = check.verdict()
    assert v.ok and not v.inconclusive, v
    win = _restart_window(check)
    assert win["glitches"] == 0 and win["device_gap_frames"] == 0  # a seamless seam: nothing to hear
    assert win["frames_dropped"] == win["frames_flushed"] == 512 and win["verdict"] == "judged"
    acc = check.summary()["accounting"]
    assert acc["dropped_in_windows"] == acc["dropped_total"] and acc["dropped_outside"] == 0
    # one block later the new stream's tone is 256 frames off the old one's: that seam is heard
    later = _restart_window(_restart_in_a_fault_window(_SEAMLESS_T + 256 / 48_000))
    assert later["frames_flushed"] == 512 and later["glitches"] >= 1


def test_frames_lost_while_a_restarted_stream_played_must_still_be_heard():
    """The flush is excused, nothing else: in the same window, frames the counters lose while the
    new stream plays (no state change) and the analysis does not hear are a violation, and only
    they are counted against the window."""
    check = _restart_in_a_fault_window(_SEAMLESS_T, lost_in_stream=256)
    v = check.verdict()
    assert not v.ok and "did not hear" in v.message
    assert "lifecycle_calls+slow_dsp" in v.evidence[0] and "256 frame(s) dropped" in v.evidence[0]
    win = _restart_window(check)
    assert win["frames_dropped"] == 512 + 256 and win["frames_flushed"] == 512 and win["verdict"] == "violated"


def test_the_same_seed_gives_the_same_audio_judgement(tmp_path):
    a = run(tmp_path / "a", seed=4, duration=15, faults="hostile")[2]
    b = run(tmp_path / "b", seed=4, duration=15, faults="hostile")[2]
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@pytest.mark.parametrize("profile, seed", [("gentle", 5), ("default", 6), ("hostile", 7), ("hostile", 8)])
def test_the_healthy_system_has_no_glitch_outside_its_fault_windows(tmp_path, profile, seed):
    """The quick part of the false-alarm matrix (bench/bench_clean_audio.py runs hundreds)."""
    result, verdict, audio = run(tmp_path, seed=seed, duration=20, faults=profile)
    assert verdict.ok and not verdict.inconclusive, verdict
    assert audio["glitches"]["total"] > 0  # the faults did damage, and it was heard
    assert audio["windows"]["inconsistent_count"] == 0
    # every frame the accounting counted lost is in some window (none outside): one story
    acc, frames = audio["accounting"], result.summary["frames"]
    assert acc["dropped_in_windows"] == acc["dropped_total"] == frames["dropped"]
    assert acc["inserted_in_windows"] == acc["inserted_total"] == frames["inserted"]


def test_memory_stays_bounded_whatever_the_run_length(tmp_path):
    system = AudioSystem({}, seed=2)
    injector = FaultInjector(system, profile_schedule("hostile", 40, 2), 2)
    check = AudioCheck.attach(system, injector, detail_limit=5, excerpt_limit=2)
    system.initialize()
    system.start()
    injector.arm()
    system.run_for(1.0)
    ring = check._buf
    most = 0
    for _ in range(39):
        system.run_for(1.0)
        most = max(most, len(check._episodes))
    injector.disarm()
    system.stop()
    system.close()
    s = check.summary()
    assert check._buf is ring and ring.shape == (8 * 48_000 + 2 * 12_032, 2)  # one ring of audio (both channels), never more
    assert s["windows"]["total"] > 15 and len(s["windows"]["items"]) <= 10
    print("live windows at most", most, "of", s["windows"]["total"])
    assert most <= s["windows"]["total"] // 2  # settled windows are folded into aggregates
    assert len(s["glitches"]["items"]) <= 5 and len(s["excerpts"]) <= 2


def test_the_report_shows_the_audio_damage(tmp_path):
    schedule = Schedule.fixed([(3.0, DeviceDropout(duration_s=0.3, target="sim-in"))])
    result, _, audio = run(tmp_path, schedule=schedule, reports=True)
    report = json.loads((result.run_dir / "report.json").read_text())
    g = report["glitches"]
    assert g["analysed"] and g["count"] == audio["glitches"]["total"] > 0
    assert g["outside"] == 0 and "dropout" in g["windows_by_label"]
    html = (result.run_dir / "report.html").read_text()
    assert "Audio damage" in html and "time to clean audio" in html
    assert f"{g['count']} glitch(es) detected" in html


def test_a_backend_without_an_output_tap_is_not_judged():
    class Deaf:
        name = "deaf"

    class FakeSystem:
        backend = Deaf()
        monitoring = AudioSystem(seed=0).monitoring

    check = AudioCheck.attach(FakeSystem())
    assert not check.available and "no output tap" in (check.reason or "")
    assert check.summary() == {"analysed": False, "reason": check.reason}


class _FakeBackend:
    name = "fake"

    def add_output_tap(self, tap: Any) -> None:
        self.tap = tap

    def remove_output_tap(self, tap: Any) -> None:
        pass


class _FakeStream:
    class spec:  # noqa: N801 - what the tap reads of a stream
        sample_rate = 48_000


def test_a_new_stream_on_a_grid_half_a_block_off_is_not_a_gap():
    """Regression (default profile, seed 37): after a recovery the new stream's blocks came exactly
    half a block later than the old grid; judged against the run's first block, float rounding
    crept past the half-block threshold 0.3 s later and a 128-frame "mute" was invented."""
    system = AudioSystem({}, seed=0)
    system.backend = _FakeBackend()  # type: ignore[assignment]
    check = AudioCheck.attach(system)
    tone = (0.25 * np.sin(2 * np.pi * 997 * np.arange(48_000 * 12) / 48_000)).astype(np.float32)
    period = 256 / 48_000
    now, frame = period, 0
    for k in range(48_000 * 12 // 256):
        if k == 300:
            now += period / 2  # the restarted stream's grid
        check._on_block(_FakeStream, tone[frame:frame + 256, None], now)
        frame += 256
        now += period  # accumulated like the virtual clock's timers
    check.finish()
    s = check.summary()
    assert s["frames"]["device_gap"] == 0 and s["glitches"]["total"] == 0, s["glitches"]


def test_a_stretch_of_sound_is_analysed_once_in_the_window_whose_core_holds_it(monkeypatch):
    """A stretch of sound between two silences that lies wholly in a window's overlap (the end of
    the first 8 s window, the start of the second) is analysed only where it is core, once the tone
    has been seen: the click in it is found once, the silences around it are mutes of their own
    lengths, and no analysis is spent on the stretches a window would keep nothing of."""
    import harness.audio_check as audio_check

    analysed: list[int] = []
    analyze = audio_check.analyze_glitches

    def counting(x: Any, *args: Any, **kwargs: Any) -> Any:
        analysed.append(len(x))
        return analyze(x, *args, **kwargs)

    monkeypatch.setattr(audio_check, "analyze_glitches", counting)
    system = AudioSystem({}, seed=0)
    system.backend = _FakeBackend()  # type: ignore[assignment]
    check = AudioCheck.attach(system)
    n = 48_000 * 12
    tone = (0.25 * np.sin(2 * np.pi * 997 * np.arange(n) / 48_000)).astype(np.float32)
    # the first window's core ends at frame 396_032, its ring at 408_064 (overlap 12_032 frames);
    # the second window's ring starts at 384_000
    tone[393_216:396_288] = 0.0
    tone[407_552:419_840] = 0.0
    tone[401_925] += 0.05
    period = 256 / 48_000
    now = period
    for frame in range(0, n, 256):
        check._on_block(_FakeStream, tone[frame:frame + 256, None], now)
        now += period
    check.finish()
    assert check._o == 12_032
    # the first window's core, the stretch in the overlap (in the second window's core), the rest;
    # not the stretch again at the first window's end, nor 384_000..393_216 at the second's start
    assert analysed == [393_216, 11_264, 156_160]
    found = [(g["kind"], g["start_frame"], g["size"]) for g in check.glitches_between(0.0, 20.0)]
    assert found == [("mute", 393_216, 3_072), ("click", 401_925, 1), ("mute", 407_552, 12_288)]


def test_the_fast_analysis_options_find_the_same_glitches():
    """``measure_levels=False`` and ``frequency_known=True`` (what the audio check uses) change the
    cost, not the answer."""
    from harness import analysis

    x = analysis.sine(997.0, 3.0, 48_000, 0.25)
    x = analysis.drop_frames(x, 50_000, 7)
    x = analysis.mute_frames(x, 90_000, 300)
    x = analysis.add_pop(x, 120_000, 1, 0.05)
    full = analysis.analyze_glitches(x, 48_000, 997.0)
    fast = analysis.analyze_glitches(x, 48_000, 997.0, measure_levels=False, frequency_known=True)
    expected = [("dropped", 50_000, 7), ("mute", 90_000, 300), ("click", 120_000, 1)]
    assert [(g.kind, g.start_frame, g.size) for g in full.glitches] == expected
    assert [(g.kind, g.start_frame, g.size) for g in fast.glitches] == expected
    assert math.isnan(fast.snr_db) and not math.isnan(full.snr_db)


def test_damage_from_a_recovery_nobody_provoked_is_not_excused(tmp_path):
    """A window opened by the system leaving RUNNING on its own (no fault, no operation) does not
    excuse its glitches: a healthy system does not restart itself."""
    system = AudioSystem({}, seed=1)
    check = AudioCheck.attach(system)
    system.initialize()
    system.start()
    system.run_for(2.0)
    # the device reports a loss nobody caused (no fault injected): the system restarts its stream
    system._on_device_error(DeviceLostError("spurious loss", component="device"))
    system.run_for(2.0)
    system.stop()
    system.close()
    v = check.verdict()
    s = check.summary()
    assert s["glitches"]["by_window"].get("unexplained", 0) >= 1, s["windows"]["items"]
    assert not v.ok and "no fault explains" in v.message


@pytest.mark.parametrize("profile, seed", [("default", 1), ("hostile", 7)])
def test_a_stretch_heard_at_once_is_judged_as_heard_block_by_block(tmp_path, monkeypatch, profile, seed):
    """On the compiled chain the simulated device delivers stretches of blocks and the check hears
    each stretch in one call (``AudioCheck._on_blocks``); the judgement (every glitch, window,
    frame count and level) is the one of the same run with every block heard by ``_on_block``."""
    from system_under_test.devices.simulated import SimulatedBackend

    calls: list[int] = []
    bulk = AudioCheck._on_blocks

    def counted(self, stream, out, times):
        calls.append(len(times))
        return bulk(self, stream, out, times)

    def spec(name: str) -> RunSpec:
        return RunSpec(duration_s=10.0, seed=seed, faults=profile, run_dir=tmp_path / name, dsp_kernel="compiled")

    monkeypatch.setattr(AudioCheck, "_on_blocks", counted)
    stretched = ReliabilityRun(spec("stretched")).execute(reports=False).summary["audio"]
    assert len(calls) > 25 and max(calls) > 30  # stretches were heard at once
    plain_tap = SimulatedBackend.add_output_tap
    monkeypatch.setattr(SimulatedBackend, "add_output_tap",
                        lambda self, tap, *, blocks=None: plain_tap(self, tap))  # block by block
    n = len(calls)
    one_by_one = ReliabilityRun(spec("one-by-one")).execute(reports=False).summary["audio"]
    assert len(calls) == n
    assert stretched["glitches"]["total"] > 0
    assert json.dumps(stretched, sort_keys=True) == json.dumps(one_by_one, sort_keys=True)


def _tap_state(check: AudioCheck) -> tuple:
    return (list(check._anchor_f), list(check._anchor_t), check._len, check._next, check._t_next,
            check.frames_total, check._base, check._buf[:check._len].tobytes(), check.frames_analysed,
            check.frames_silent, check.gap_frames, [json.dumps(ep.__dict__, sort_keys=True, default=str)
                                                    for ep in check._episodes])


def test_blocks_heard_at_once_leave_the_check_as_heard_one_by_one():
    """``_on_blocks`` against ``_on_block`` on each block: runs of 1 to 70 blocks, across the
    ring's analyses, a gap (a late block), a grid half a block off and a mute: the same anchors,
    ring, counts and windows after every run, the same summary at the end; and most blocks
    appended at once (not each through ``_on_block``)."""
    tone = (0.25 * np.sin(2 * np.pi * 997 * np.arange(48_000 * 12) / 48_000)).astype(np.float32)
    tone[200_000:203_000] = 0.0  # a mute
    period = 256 / 48_000
    one, many = [], []
    for checks in (one, many):
        system = AudioSystem({}, seed=0)
        system.backend = _FakeBackend()  # type: ignore[assignment]
        checks.append(AudioCheck.attach(system))
    a, b = one[0], many[0]
    singles = [0]
    per_block = AudioCheck._on_block

    closed: list[int] = []  # the blocks heard alone at which b closed a window
    close = AudioCheck._close

    def counted(self, *args: Any, **kw: Any) -> None:
        if self is b:
            singles[0] += 1
        return per_block(self, *args, **kw)

    def closing(self, *args: Any, **kw: Any) -> None:
        if self is b:
            closed.append(singles[0])
        return close(self, *args, **kw)

    rng = np.random.default_rng(5)
    now, frame, k, runs = period, 0, 0, 0
    total = 48_000 * 12 // 256
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(AudioCheck, "_on_block", counted)
        mp.setattr(AudioCheck, "_close", closing)
        while k < total:
            m = min(int(rng.integers(1, 71)), total - k)
            times = []
            for j in range(m):
                if k + j == 700:
                    now += 3 * period  # a late block: a gap before it
                if k + j == 1200:
                    now += period / 2  # a new grid
                times.append(now)
                now += period  # accumulated like the virtual clock
            out = tone[frame:frame + m * 256, None]
            if runs in (12, 30):  # a window opens (a JACK-like xrun report): it closes a margin later
                for c in (a, b):
                    c.xrun(times[0])
            for j, t in enumerate(times):
                a._on_block(_FakeStream, out[j * 256:(j + 1) * 256], t)
            b._on_blocks(_FakeStream, out, times)
            frame += m * 256
            k += m
            runs += 1
            assert _tap_state(b) == _tap_state(a)
    assert singles[0] < total / 4 and runs > 31
    assert len(closed) >= 2  # both windows closed, each at the block _on_block closes it at
    for c in (a, b):
        c.finish()
    sa, sb = a.summary(), b.summary()
    assert sa["frames"]["device_gap"] > 0 and sa["frames"]["silent"] > 0  # the gap and mute were heard
    assert json.dumps(sb, sort_keys=True) == json.dumps(sa, sort_keys=True)


@pytest.mark.parametrize("case", ["five", "while_recovering", "behind_another"])
def test_callbacks_a_fault_corrupts_are_its_damage_however_long_the_blocks(case):
    """``callback_raises`` corrupts the device's next ``count`` callbacks whenever they come. Its
    record ends as it fires, and its window closed the settle margin (two blocks) after that: at
    8192-frame blocks (171 ms at 48 kHz) five raising callbacks outlast it, and fired while the
    system recovers from a dropout, its callbacks come after the recovery, past every window.
    Found by an outside user's run, ``soundcheck run --duration 10 --seed 23 --faults hostile``
    with ``stream.block_size = 8192`` and ``latency_ms = 200``: 3 silences outside every window,
    clean_audio violated on a healthy system. The window now lasts until that many blocks
    have played: behind another firing's (the device counts them down one callback at a time,
    so a second firing's come after the first's; seed 2 of the same command)."""
    from harness.faults import CallbackRaises

    config = {"stream": {"block_size": 8192, "latency_ms": 200.0}}
    system = AudioSystem(config, seed=1)
    faults = {"five": [(1.0, CallbackRaises(count=5))],
              "while_recovering": [(1.0, DeviceDropout(duration_s=0.6)), (1.2, CallbackRaises(count=2))],
              "behind_another": [(1.0, CallbackRaises(count=4)), (1.05, CallbackRaises(count=4))]}[case]
    injector = FaultInjector(system, Schedule.fixed(faults), 1)
    check = AudioCheck.attach(system, injector)
    system.initialize()
    system.start()
    injector.arm()
    system.run_for(4.0)
    system.stop()
    system.close()
    check.finish()
    v = check.verdict()
    errors = [e for e in system.coordinator.errors("input") if "expected" in e.error.message]
    assert errors, "the fault made no callback raise"
    assert v.ok and not v.inconclusive, v
    assert check.outside_count == 0 and check.glitch_total >= 1, check.outside


@pytest.mark.parametrize("counted, heard, lost", [
    ({"gap_frames": 512}, 0, (0, 0, 512)),
    ({"heard_dropped": 7}, 0, (7, 0, 0)),
    ({"heard_inserted": 9}, 0, (0, 9, 0)),
    ({"gap_frames": 512}, 1, None),  # heard: the counters and the audio agree
    ({"capture_gap_frames": 512}, 0, None),  # the rig's own miss is never asked to be heard
    ({"flushed_dropped": 64, "dropped": 64}, 0, None),  # a flush between blocks: judged at the seam by ear
    ({}, 0, None),
])
def test_a_window_whose_counted_loss_was_not_heard_is_inconsistent(counted, heard, lost):
    """Frames counted dropped or inserted before blocks the device played, or a device gap, in a
    fault's window where the analysis heard no glitch: the window's story does not hold."""
    from harness.audio_check import _Episode

    ep = _Episode(index=3, start=1.0, last_end=1.5, faults=[{"kind": "device_stall", "firing_id": 4}],
                  glitches=heard, **counted)
    if lost is None:
        assert ep.inconsistent() is None and ep.to_dict()["verdict"] == "judged"
        return
    assert ep.inconsistent() == (
        f"window 3 (device_stall, t=1.000..1.500 s): {lost[0]} frame(s) dropped and {lost[1]} inserted before "
        f"blocks the device played, {lost[2]} device-gap frame(s), but the analysis heard no glitch")
    assert ep.to_dict()["verdict"] == "violated"
    ep.blind = True  # a window the rig could not hear is inconclusive, not inconsistent
    assert ep.inconsistent() is None and ep.to_dict()["verdict"] == "inconclusive"
