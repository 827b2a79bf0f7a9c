"""A window's reported members (JACK's xrun reports, the system's own xrun counts) are listed up to
``REPORTS_LISTED`` of each kind (``_Episode.add_fault``): on a loaded rig JACK reports tens of
xruns a second into one window that lasts the whole soak, and a list of every one grew the
soak's process without a bound, which its memory judge laid on the system. The simulated clock,
a scripted capture, seeded draws; no jackd."""

from __future__ import annotations

import math
import random
from collections import Counter
from typing import Any

import numpy as np

from harness.audio_check import AudioCheck, _Episode

from scripted_capture import ScriptedCapture, started_with_scripted_capture

FS = 48_000
N = 256


class _Spec:
    sample_rate = FS


def _dense_reports(cap: ScriptedCapture, t0: float, seconds: float, every_s: float) -> int:
    """The tone heard for ``seconds`` from ``t0``, with a JACK xrun report every ``every_s``: the
    number of reports scripted."""
    cycles = int(seconds * FS / N)
    reports = 0
    next_report = t0 + every_s
    for i in range(cycles):
        t = t0 + i * N / FS
        k = np.arange(i * N, (i + 1) * N)
        block = (0.25 * np.sin(2 * np.pi * 997.0 / FS * k)).astype(np.float32).reshape(N, 1)
        cap.pending.append(("feed", (_Spec, block, t, 0)))
        while next_report <= t:
            cap.pending.append(("xrun", (next_report,)))
            next_report += every_s
            reports += 1
    return reports


def _listed(check: AudioCheck) -> Counter[str]:
    return Counter(f["kind"] for ep in check._episodes for f in ep.faults)


def test_a_window_of_dense_xrun_reports_lists_a_bounded_number_of_them() -> None:
    system, cap, check, t0 = started_with_scripted_capture(seed=3)
    reports = _dense_reports(cap, t0, 8.0, 0.01)  # 100 reports a second: a loaded rig's rate
    system.run_for(9.0)
    check.poll()
    assert reports >= 790 and check.jack_xruns == reports
    assert len(check._episodes) == 1  # one window holds them all
    ep = check._episodes[0]
    assert _listed(check)["jack_xrun"] == 32  # the first 32 listed (all 799 without the bound)
    assert [f["firing_id"] for f in ep.faults] == [f"jack-xrun-{i}" for i in range(1, 33)]
    assert len(ep.xrun_reports) == reports and ep.reports_known_until == math.inf  # every report known
    row = ep.to_dict()
    assert row["label"] == "jack_xrun" and row["kind"] == "fault"
    assert row["faults"] == [f"jack-xrun-{i}" for i in range(1, 21)]
    system.stop()
    system.close()
    check.finish()
    assert check.kind_stats["jack_xrun"].windows == 1


def _reference(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every member, but each reported kind's past its first 32."""
    seen: Counter[str] = Counter()
    out = []
    for m in members:
        seen[m["kind"]] += 1
        if m["kind"] in ("jack_xrun", "system_xrun") and seen[m["kind"]] > 32:
            continue
        out.append(m)
    return out


def test_listing_and_merging_keep_every_injected_member_and_the_first_reports_of_each_kind() -> None:
    """Members drawn at random (seeded) into two windows, the second merged into the first: the
    merged list is the whole list with each reported kind's members past its 32nd left out, in
    order; members of other kinds (injected faults, outages, held deliveries) all kept."""
    kinds = ["jack_xrun"] * 6 + ["system_xrun"] * 3 + ["device_stall", "server_outage", "delivery_held"]
    for seed in range(20):
        rng = random.Random(seed)
        members = [{"firing_id": f"m{i}", "kind": rng.choice(kinds)} for i in range(rng.randrange(1, 400))]
        cut = rng.randrange(len(members) + 1)
        first, second = _Episode(0, 0.0), _Episode(1, 1.0)
        for m in members[:cut]:
            first.add_fault(m)
        for m in members[cut:]:
            second.add_fault(m)
        assert second.faults == _reference(members[cut:])
        first.absorb_faults(second)
        assert first.faults == _reference(members), seed
        assert first.to_dict()["faults"] == [m["firing_id"] for m in members][:20]
        assert first.label == "+".join(sorted({m["kind"] for m in members}))


def test_a_window_built_with_members_counts_them_toward_the_bound() -> None:
    ep = _Episode(0, 0.0, faults=[{"firing_id": f"jack-xrun-{i}", "kind": "jack_xrun"} for i in range(32)])
    ep.add_fault({"firing_id": "jack-xrun-33", "kind": "jack_xrun"})
    ep.add_fault({"firing_id": "stall-1", "kind": "device_stall"})
    assert [f["firing_id"] for f in ep.faults][-2:] == ["jack-xrun-31", "stall-1"]
