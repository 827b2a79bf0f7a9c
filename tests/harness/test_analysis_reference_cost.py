"""What the reference comparison's test for a step the track did not see costs on clean takes.

Each window's residual peak between 4 of the judge's sigmas and its threshold is a suspect
(``reference_compare._hidden_step``): on music and speech a transient's model error peaks there
3-5 times in 2 s. A suspect where the line alone leaves no more than the noise's error holds no
step to find, and is settled by that one fit; the coarse splits' fits are for the rest. Counted in
fits (deterministic), not in seconds.
"""

from __future__ import annotations

import pytest

from harness import reference_compare as R


@pytest.mark.parametrize(("kind", "seed"), [("music", 0), ("music", 1), ("speech", 0), ("speech", 2)])
def test_a_clean_takes_suspects_cost_one_fit_each(kind: str, seed: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    fs = 48_000
    ref = R.program_material(kind, 2.0, fs, seed=seed)  # type: ignore[arg-type]
    rec = R.through_system(ref, fs, delay_frames=777.3, drift_ppm=40.0, gain=0.5, gain_wobble=0.1,
                           lowpass_hz=0.35 * fs, noise_rms=1e-4, tail_frames=fs // 10, seed=seed)
    fits = {"suspects": 0, "fits": 0, "in_hidden": False}
    hidden, step_error = R._hidden_step, R._step_error

    def counted_hidden(*a, **k):  # type: ignore[no-untyped-def]
        fits["suspects"] += 1
        fits["in_hidden"] = True
        try:
            return hidden(*a, **k)
        finally:
            fits["in_hidden"] = False

    def counted_error(*a, **k):  # type: ignore[no-untyped-def]
        fits["fits"] += int(fits["in_hidden"])
        return step_error(*a, **k)

    monkeypatch.setattr(R, "_hidden_step", counted_hidden)
    monkeypatch.setattr(R, "_step_error", counted_error)
    rep = R.compare_to_reference(rec, ref, fs)
    assert rep.glitches == [], [g.to_dict() for g in rep.glitches]
    assert fits["suspects"] >= 1  # the test is reached (3-5 suspects per take)
    assert fits["fits"] == fits["suspects"], fits
