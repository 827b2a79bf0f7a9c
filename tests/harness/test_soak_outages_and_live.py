"""A soak under ``outages`` meets its give-ups all along, and says when an invariant first broke.

A soak's outages are one per ``SOAK_OUTAGE_EVERY_S`` slice of its whole length (a run keeps its two
in the third quarter, drawn as before); the soak checks the invariants live at every chunk
(``LiveChecker``) and its report gives a broken invariant the time it was first seen broken.
Simulated soaks on the virtual clock at fixed seeds: every case here is deterministic.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from harness import SoakRunner, SoakSpec, read_journal
from harness.faults import PROFILES
from harness.faults.profiles import OUTAGE_EVERY_S, SOAK_OUTAGE_EVERY_S
from harness.soak import LIVE_EVERY_S, with_live_breaks
from system_under_test import AudioSystem
from system_under_test.recoverer import Recoverer

pytestmark = pytest.mark.soak

#: when the planted counting bug starts: well inside the soak, far from its end
LOSES_COUNT_FROM_S = 30.0


@pytest.fixture(autouse=True)
def _history_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))


#: the fault ids of the faults ``outages`` adds to default's draws (its outages, its starved inputs)
ADDED = ("dropout#outage", "input_starved#starve")


def _outages(schedule: Any) -> list[tuple[float, float]]:
    return [(f.trigger.time, f.trigger.time + f.duration_s) for f in schedule.faults
            if f.fault_id.startswith("dropout#outage")]


def _soak(tmp_path: Path, faults: str, duration_s: float, seed: int) -> tuple[Any, dict[str, Any], Any]:
    spec = SoakSpec(duration_s=duration_s, seed=seed, checkpoint_s=10.0, run_dir=tmp_path / "run", faults=faults)
    result = SoakRunner(spec).start()
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    return result, report, read_journal(tmp_path / "run")


# -- the outages of a soak -----------------------------------------------------------------------

@pytest.mark.parametrize("seed", [1, 2, 7])
def test_an_hour_s_soak_has_one_outage_in_each_slice_of_the_whole_hour(seed: int) -> None:
    profile = PROFILES["outages"]
    outages = _outages(profile.schedule(3600.0, seed, soak=True))
    assert len(outages) == int(3600.0 // SOAK_OUTAGE_EVERY_S) == 12
    # the k-th slice of the whole soak (from its first half second) holds the k-th outage, whole
    width = (3600.0 - 0.5) / len(outages)
    for k, (start, end) in enumerate(outages):
        assert 0.5 + k * width <= start < end <= 0.5 + (k + 1) * width, (k, start, end)
    # the run of the same length keeps its two in the third quarter
    run = _outages(profile.schedule(3600.0, seed))
    assert len(run) == 2 and all(1800.0 <= a < b <= 2700.0 for a, b in run)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_a_soak_s_outages_leave_the_profile_s_other_draws_and_every_run_as_they_were(seed: int) -> None:
    outages = PROFILES["outages"]
    soak = [(f.fault_id, f.to_dict()) for f in outages.schedule(600.0, seed, soak=True).faults
            if not f.fault_id.startswith(ADDED)]
    run = [(f.fault_id, f.to_dict()) for f in outages.schedule(600.0, seed).faults
           if not f.fault_id.startswith(ADDED)]
    # the default draws of both: only what the outages leave out differs (their overlaps)
    drawn = {f.fault_id: f.to_dict() for f in PROFILES["default"].schedule(600.0, seed).faults}
    assert len(soak) > 100 and all(drawn[i] == f for i, f in soak + run)
    # no outage in default, soak or not: the same schedule
    default = PROFILES["default"]
    assert default.schedule(600.0, seed, soak=True).to_dict() == default.schedule(600.0, seed).to_dict()
    assert default.outage_count(3600.0, soak=True) == 0
    # a short run's count is the profile's rule, a soak's at least one a slice
    assert outages.outage_count(60.0) == 2 and outages.outage_count(20.0) == 0
    assert outages.outage_count(45.0) == int(45.0 // OUTAGE_EVERY_S) == 1
    assert outages.outage_count(3600.0) == 2 and outages.outage_count(3600.0, soak=True) == 12


#: sha256 of the 60 s ``outages`` schedules' ``to_dict()`` (JSON, keys sorted) at seeds 1-3, its
#: starved inputs left out, taken before a soak's outages were spread over it and starved inputs
#: added: a run's outages and default's draws in it are not redrawn. Each ``xrun``'s ``delay_s`` and
#: each ``stall``'s ``duration_s`` are left out too: their ranges are drawn from the watchdog's
#: stall bound at the run's period (``harness.faults.xrun_bound``, ``stall_bound``), a later change
#: of how long a fault lasts, not of when or which fault; these hashes are the same on the tree
#: before those changes
RUN_SCHEDULES_60S = {1: "ee7193f4f26a5840ebb71b24cc1c136beb375b399526a3036fc93d03b07dffa6",
                     2: "b059b3dbe99deb009463daa33e8cfc100ff5bdd1a6b1165513b27fd23a0fa83d",
                     3: "c6a894a2465e73616433e6e90486098235bc1d22ca8b842c96a5fff30dcffd27"}


@pytest.mark.parametrize("seed", sorted(RUN_SCHEDULES_60S))
def test_a_60_s_outages_run_s_schedule_is_the_one_it_was(seed: int) -> None:
    d = PROFILES["outages"].schedule(60.0, seed).to_dict()
    starved = [f for f in d["faults"] if f["kind"] == "input_starved"]
    assert len(starved) == 2  # none in default's mix: the two the profile adds
    d["faults"] = [f for f in d["faults"] if f["kind"] != "input_starved"]
    xruns = [f for f in d["faults"] if f["kind"] == "xrun"]
    assert xruns and all(f.pop("delay_s") > 0 for f in xruns)
    stalls = [f for f in d["faults"] if f["kind"] == "stall"]
    assert stalls and all(f.pop("duration_s") > 0 for f in stalls)
    assert hashlib.sha256(json.dumps(d, sort_keys=True, default=str).encode()).hexdigest() == RUN_SCHEDULES_60S[seed]


def test_a_soak_under_outages_gives_up_in_its_first_half_too(tmp_path: Path) -> None:
    """A 90 s soak's two outages are spread over it: the first in its first half, where a run's
    third quarter never puts one; each reached a give-up the system announced, and the soak
    passed with nothing broken live."""
    result, report, journal = _soak(tmp_path, "outages", 90.0, 1)
    assert result.verdict.outcome.value == "pass", result.verdict
    starts = [e["time"] for cp in journal.checkpoints for e in cp["entries"]
              if e["type"] == "fault_start" and str((e.get("data") or {}).get("firing_id", "")).startswith("dropout#outage")]
    assert len(starts) == 2 and starts[0] < 45.0, starts
    gave_up = [e["time"] for cp in journal.checkpoints for e in cp["entries"]
               if e["type"] == "event" and e.get("value") == "recovery_failed"]
    assert any(t < 45.0 for t in gave_up), gave_up
    assert not [n for n in journal.notes if n.get("what") == "invariant_broke"]


# -- the live checks of a soak --------------------------------------------------------------------

def _lose_the_count_late(monkeypatch: pytest.MonkeyPatch) -> None:
    """``Recoverer.finish`` loses the ``recoveries`` count of each recovery from
    ``LOSES_COUNT_FROM_S`` on: announced, not counted."""
    finish = Recoverer.finish

    def uncounted(self: Recoverer, run: Any) -> None:
        counter = self.system.monitoring.counter("recoveries")
        before = counter.value
        finish(self, run)
        if self.system.clock.now() >= LOSES_COUNT_FROM_S:
            counter.value = before

    monkeypatch.setattr(Recoverer, "finish", uncounted)


def test_a_soak_names_the_time_an_invariant_first_broke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _lose_the_count_late(monkeypatch)
    result, report, journal = _soak(tmp_path, "default", 60.0, 3)
    assert result.verdict.outcome.value == "fail"
    notes = {n["name"]: n for n in journal.notes if n.get("what") == "invariant_broke"}
    # timed and not counted: the recovery_time_s histogram counts more than the counter too, seen at
    # the same live check
    assert sorted(notes) == ["recoveries_counted", "recoveries_timed"], notes
    note = notes["recoveries_counted"]
    assert notes["recoveries_timed"]["sim_t"] == note["sim_t"]
    # the first live check after the first uncounted recovery: not the soak's end
    assert LOSES_COUNT_FROM_S <= note["sim_t"] <= LOSES_COUNT_FROM_S + LIVE_EVERY_S + 1.0 < 60.0
    (failure,) = [f for f in report["stability"]["failures"] if f.get("invariant") == "recoveries_counted"]
    assert failure["time"] == pytest.approx(note["sim_t"])
    assert f"first broke at t={note['sim_t']:.2f} s" in failure["message"]


def test_a_healthy_system_breaks_nothing_live(tmp_path: Path) -> None:
    result, report, journal = _soak(tmp_path, "default", 60.0, 3)
    assert result.verdict.outcome.value == "pass", result.verdict
    assert not [n for n in journal.notes if n.get("what") == "invariant_broke"]
    assert all(f["kind"] != "invariant" for f in report["stability"]["failures"])  # none, or none an invariant's


def test_a_live_break_fails_the_soak_even_where_its_end_held() -> None:
    broke = {"frame_accounting": {"name": "frame_accounting", "sim_t": 612.0, "segment": 0,
                                  "message": "frames lost without being counted", "evidence": [{"missing": 256}]},
             "resources": {"name": "resources", "sim_t": 30.0, "segment": 0, "message": "held", "evidence": []}}
    end = [{"name": "frame_accounting", "ok": True, "inconclusive": False, "message": "balanced", "evidence": []},
           {"name": "legal_transitions", "ok": True, "inconclusive": False, "message": "ok", "evidence": []}]
    out = {v["name"]: v for v in with_live_breaks(end, broke)}
    assert out["frame_accounting"]["ok"] is False and out["frame_accounting"]["time"] == 612.0
    assert out["frame_accounting"]["message"].startswith("broke at t=612.00 s")
    assert out["frame_accounting"]["evidence"] == [{"missing": 256}]
    assert out["legal_transitions"] == end[1]  # nothing broke: as the end judged it
    assert out["resources"]["ok"] is False and out["resources"]["time"] == 30.0  # not judged at the end: added
    assert with_live_breaks(end, {}) == end

