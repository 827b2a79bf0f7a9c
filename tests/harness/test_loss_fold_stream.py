"""``LossFold`` streamed on the virtual clock judges its losses at quiet points and lets them go:
its ``summary()`` must be the dict ``summary_of(result())`` of a fold that kept everything, with
the lists cut short, the machine's evidence asked at the end and losses past ``LOSSES_KEPT``.

The segment size is lowered so that runs of seconds have many quiet points; the soak's own size
(``LOSS_SEGMENT_ITEMS``) only makes them rarer."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from harness import ReliabilityRun, RunSpec, device_losses
from harness.device_losses import LossFold, summary_of
from harness.history import Entry, History


def _history(tmp_path: Path, seed: int, faults: str, duration_s: float = 30.0) -> History:
    ReliabilityRun(RunSpec(duration_s=duration_s, seed=seed, faults=faults, run_dir=tmp_path / "r")).execute()
    return History.open_jsonl(tmp_path / "r" / "history.jsonl")


def _both(history: History) -> tuple[LossFold, LossFold]:
    streamed, whole = LossFold(history.initial), LossFold(history.initial, streamed=False)
    for e in history:
        streamed.feed(e)
        whole.feed(e)
    return streamed, whole


def _machine(t0: float, t1: float) -> int | None:
    """JACK's xrun reports over a stretch, made up: one in every stretch that holds a whole second
    of odd number, so that some deferred stalls are the machine's and some are not."""
    return 1 if int(t1) % 2 == 1 and int(t1) - t0 > 0 else None


@pytest.mark.parametrize("seed", [2, 4, 5])
def test_a_streamed_summary_is_the_whole_historys(tmp_path, monkeypatch, seed):
    monkeypatch.setattr(device_losses, "LOSS_SEGMENT_ITEMS", 16)
    history = _history(tmp_path, seed, "default")
    streamed, whole = _both(history)
    assert streamed.streamed and not whole.streamed
    assert streamed.segments >= 2 and streamed.settled >= 1, "too few quiet points: nothing was tested"
    assert len(streamed.losses) < len(whole.losses)
    expected = summary_of(whole.result(history.end_time))
    assert expected["count"] >= 5, "too few losses to compare"
    assert streamed.summary(history.end_time) == expected


def _made_up(seed: int) -> list[Entry]:
    """A virtual clock's history drawn at random: device faults (some external, some never ended
    until late), the system leaving RUNNING and coming back, losses and stalls inside and outside
    the windows (some the system's own lateness), and metrics between them."""
    rng = random.Random(seed)
    out: list[Entry] = []
    t, seq, running = 0.0, 0, True

    def add(type_: str, data: dict[str, Any]) -> None:
        out.append(Entry(len(out), type_, round(t, 6), data=data))

    open_faults: list[str] = []
    for n in range(rng.randint(300, 700)):
        t += rng.expovariate(4.0) if rng.random() < 0.9 else rng.uniform(3.0, 12.0)
        r = rng.random()
        if r < 0.08 and len(open_faults) < 2:
            fid = f"f{n}"
            trigger = "external" if rng.random() < 0.2 else f"At(time={t})"
            add("fault_start", {"firing_id": fid, "kind": rng.choice(["xrun", "device_disconnect", "slow_dsp"]),
                                "trigger": trigger, "fired_at": t, "ended_at": None})
            open_faults.append(fid)
        elif r < 0.16 and open_faults:
            fid = open_faults.pop(rng.randrange(len(open_faults)))
            add("fault_end", {"firing_id": fid, "ended_at": t})
        elif r < 0.26:
            seq += 1
            new = "recovering" if running else "running"
            add("transition", {"seq": seq, "time": t, "component": "system",
                               "from_state": "running" if running else "recovering", "to_state": new})
            running = not running
        elif r < 0.40:
            stall = rng.random() < 0.7
            details: dict[str, Any] = {"device": rng.choice(["sim-in", "sim-out"])}
            if stall:
                details["stalled_for_s"] = rng.uniform(0.02, 0.6)
                if rng.random() < 0.2:  # the system's own callback held the silence
                    details.update({"callback_running_s": 0.6, "callback_cpu_wait_s": 0.0,
                                    "device_callbacks": 100, "period_s": 0.005})
            add("error", {"error": {"type": "DeviceStalledError" if stall else "DeviceLostError",
                                    "message": f"loss {n}", "details": details}})
        else:
            add("metrics", {})
    return out


class _Made:
    """A made-up history as the folds read it."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.initial = {"clock": "virtual"}
        self.end_time = entries[-1].time + 1.0

    def __iter__(self):
        return iter(self.entries)


@pytest.mark.parametrize("listed", [1, 3, 50])
def test_made_up_histories_are_summed_the_same(monkeypatch, listed):
    """200 drawn histories, with the lists cut at ``listed`` and the machine's evidence asked:
    the unexplained losses, the deferred stalls the machine explains, both kinds of window."""
    monkeypatch.setattr(device_losses, "LOSS_SEGMENT_ITEMS", 8)
    monkeypatch.setattr(device_losses, "LOSSES_LISTED", listed)
    segments = machine = unexplained = 0
    for seed in range(200):
        history = _Made(_made_up(seed))
        streamed, whole = _both(history)  # type: ignore[arg-type]
        expected = summary_of(whole.result(history.end_time, _machine))
        assert streamed.summary(history.end_time, _machine) == expected, seed
        segments += streamed.segments
        unexplained += expected["unexplained_count"]
        machine += sum(1 for x in whole.result(history.end_time, _machine)
                       if str(x.explained_by).startswith("the machine"))
    assert segments > 400 and unexplained > 200 and machine > 50, (segments, unexplained, machine)


def test_losses_past_those_kept_are_counted_the_same(monkeypatch):
    monkeypatch.setattr(device_losses, "LOSS_SEGMENT_ITEMS", 8)
    monkeypatch.setattr(device_losses, "LOSSES_KEPT", 20)
    dropped = 0
    for seed in range(40):
        history = _Made(_made_up(seed))
        streamed, whole = _both(history)  # type: ignore[arg-type]
        dropped += whole.dropped
        assert streamed.summary(history.end_time, _machine) == summary_of(whole.result(history.end_time, _machine))
    assert dropped > 0


def test_a_real_clocks_history_is_not_streamed_and_its_result_stays(tmp_path, monkeypatch):
    monkeypatch.setattr(device_losses, "LOSS_SEGMENT_ITEMS", 16)
    history = _history(tmp_path, 2, "default", duration_s=10.0)
    initial: dict[str, Any] = {**(history.initial or {}), "clock": "real"}
    fold = LossFold(initial)
    for e in history:
        fold.feed(e)
    assert not fold.streamed and fold.settled == 0
    assert fold.summary(history.end_time) == summary_of(fold.result(history.end_time))


def test_a_streamed_fold_refuses_the_list_it_let_go(tmp_path, monkeypatch):
    monkeypatch.setattr(device_losses, "LOSS_SEGMENT_ITEMS", 16)
    # seed 8: 10 s of default faults whose losses settle (seed 2's drew none since the xrun and
    # stall faults' lengths follow the watchdog's bound)
    history = _history(tmp_path, 8, "default", duration_s=10.0)
    streamed, _ = _both(history)
    assert streamed.settled
    with pytest.raises(RuntimeError, match="summary"):
        streamed.result(history.end_time)
