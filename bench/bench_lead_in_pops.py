"""Pops in the silence before the reference first sounds, and in its soft onset, over noise floors, dither and a DC offset.

A benchmark, not a test: it prints figures and never fails.

    python bench/bench_lead_in_pops.py [--materials speech,music] [--conditions noise80,noise60,noise40,dither16,dc]
                                       [--seeds 12] [--first-seed 92100] [--pop 0.01] [--lead-s 0.2]
                                       [--window-s 0.5] [--places lead,onset] [--onset-s 0.5]

Why (issue #18): the comparison judges from the first loud block the track matched, so the
reference's lead-in silence (speech's 0.2 s) was never compared, and a click there, the easiest
pop there is to hear, was missed. Judging the recording against silence there must not make a
false alarm of what a silent capture holds: a noise floor, a 16-bit file's dither, a device's DC
offset. A click in a soft onset (after the reference first sounds, before its first block loud
enough for the track to follow, 2 % of the head's level) was compared by nothing either: the lead-in
ends 10 ms before the first sound, the windows begin at the first matched block.

Each take (``numpy.random.default_rng([seed, material index])``): ``--lead-s`` of silence, then 2 s
of the material at 48 kHz, through ``through_system`` with the test suite's field impairments (a
delay of 200-3000 frames, gain 0.3-0.9, a clock -100..100 ppm off, an 8th-order low-pass at
15-20 kHz, a 10 % AGC swing) and the condition's floor: ``noise80`` / ``noise60`` / ``noise40``
white noise at that many dB under full scale; ``dither16`` no noise, the recording quantised to
16 bits with TPDF dither of +-1 LSB; ``dc`` -80 dBFS of noise and a DC offset of 0.01 over the
whole recording. The clean take is compared first (every glitch on it is a false one), then the
same take with a 1-frame pop of ``--pop`` (either sign) at 10-90 % of the lead-in (place ``lead``),
or (place ``onset``) with the material's first ``--onset-s`` from its first sound faded in linearly
in dB from -60 dB (a soft attack), at 10-90 % of the stretch from the first sound to the first
block of the reference at 2 % of the head's level (``soft_onset``; the analysis's own blocks begin
there or later, so the pop lies where main compared nothing).

One line per take (``take``), then per condition and place ``total``: clean takes, those with a
false glitch, pops found (a ``pop`` within ``PLACE`` frames of it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import analysis as A  # noqa: E402
from harness import reference_compare as R  # noqa: E402
from bench_fade_pops import FS, PLACE, judge_pair  # noqa: E402

DURATION_S = 2.0
CONDITIONS = ("noise80", "noise60", "noise40", "dither16", "dc")
MATERIALS = ("speech", "music")
DC_OFFSET = 0.01


PLACES = ("lead", "onset")
#: the soft onset's fade starts this far under the material's level (dB) and rises linearly in dB
ONSET_FLOOR_DB = -60.0
#: a block of the reference under this share of the head's RMS is a pause the track does not
#: follow (``reference_compare``'s tracking rule): the soft onset ends at the first block over it
LOUD_BLOCK = 0.02
#: the head whose level that share is of (``reference_compare``'s lock reads the first 1.5 s)
HEAD_S = 1.5


def soft_onset(ref: np.ndarray) -> tuple[int, int]:
    """The reference frames from its first sound (over ``_LEAD_IN_QUIET`` of its head's peak, as
    the analysis reads it) to the first block (on the grid from its frame 0) at ``LOUD_BLOCK`` of
    the head's RMS: where a quiet attack plays that no matched block holds."""
    head = ref[: int(HEAD_S * FS)]
    first = int(np.flatnonzero(np.abs(head) > R._LEAD_IN_QUIET * float(np.max(np.abs(head))))[0])
    level = float(np.sqrt(np.mean(head ** 2)))
    block = R._block_size(FS)
    k = first // block
    while float(np.sqrt(np.mean(ref[k * block: (k + 1) * block] ** 2))) < LOUD_BLOCK * level:
        k += 1
    return first, k * block


def faded_in(x: np.ndarray, seconds: float) -> np.ndarray:
    """``x`` with its first ``seconds`` from its first sound rising linearly in dB from
    ``ONSET_FLOOR_DB``: a soft attack, whose first blocks the track does not follow."""
    first = int(np.flatnonzero(np.abs(x) > 0.0)[0])
    n = min(int(seconds * FS), x.size - first)
    out = x.copy()
    out[first: first + n] *= 10 ** (np.linspace(ONSET_FLOOR_DB, 0.0, n) / 20)
    return out


def take(material: str, condition: str, seed: int, lead_s: float, pop: float, place: str = "lead",
         onset_s: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The reference, the clean recording, the one with the pop, and the pop's frame: in the
    lead-in silence (``place`` ``lead``), or in the soft onset of the material faded in over
    ``onset_s`` (``onset``). The seed draws the same path for both places."""
    rng = np.random.default_rng([seed, MATERIALS.index(material)])
    lead = int(lead_s * FS)
    material_x = R.program_material(material, DURATION_S, FS, seed=seed)  # type: ignore[arg-type]
    if place == "onset":
        material_x = faded_in(material_x, onset_s)
    ref = np.concatenate((np.zeros(lead), material_x))
    noise = {"noise80": 1e-4, "noise60": 1e-3, "noise40": 1e-2, "dither16": 0.0, "dc": 1e-4}[condition]
    delay = float(rng.uniform(200, 3000))
    rec = R.through_system(ref, FS, delay_frames=delay, gain=float(rng.uniform(0.3, 0.9)),
                           drift_ppm=float(rng.uniform(-100, 100)), lowpass_hz=float(rng.uniform(15_000, 20_000)),
                           gain_wobble=0.1, noise_rms=noise, tail_frames=2000, seed=seed)
    if condition == "dither16":
        tpdf = rng.uniform(-0.5, 0.5, rec.size) + rng.uniform(-0.5, 0.5, rec.size)
        rec = np.round(rec * 32768 + tpdf) / 32768
    elif condition == "dc":
        rec = rec + DC_OFFSET
    u = float(rng.uniform(0.1, 0.9))
    if place == "onset":
        o0, o1 = soft_onset(ref)
        at = int(delay + o0 + u * (o1 - o0))
    else:
        at = int(delay + u * lead)
    sign = 1 if rng.random() < 0.5 else -1
    return ref, rec, A.add_pop(rec, at, 1, sign * pop), at


def _names(text: str, known: tuple[str, ...], option: str) -> list[str]:
    """``text``'s comma-separated names, each one of ``known``; exit 2 naming the option otherwise."""
    names = [n for n in text.split(",") if n]
    bad = [n for n in names if n not in known]
    if bad or not names:
        print(f"bench_lead_in_pops.py: {option} {text!r}: {', '.join(bad) or 'nothing'} is not one of "
              f"{','.join(known)}; give a comma-separated list of those", file=sys.stderr)
        raise SystemExit(2)
    return names


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--materials", default=",".join(MATERIALS))
    ap.add_argument("--conditions", default=",".join(CONDITIONS))
    ap.add_argument("--seeds", type=int, default=12)
    ap.add_argument("--first-seed", type=int, default=92100)
    ap.add_argument("--pop", type=float, default=0.01)
    ap.add_argument("--lead-s", type=float, default=0.2)
    ap.add_argument("--window-s", type=float, default=0.5)
    ap.add_argument("--places", default=",".join(PLACES))
    ap.add_argument("--onset-s", type=float, default=0.5)
    args = ap.parse_args()
    materials = _names(args.materials, MATERIALS, "--materials")
    conditions = _names(args.conditions, CONDITIONS, "--conditions")
    places = _names(args.places, PLACES, "--places")
    if (args.seeds < 1 or not 0.05 <= args.lead_s <= 1.0 or not 0 < args.pop <= 1 or args.window_s <= 0
            or not 0.05 <= args.onset_s <= 1.0):
        print("bench_lead_in_pops.py: --seeds must be 1 or more, --lead-s and --onset-s 0.05-1.0 s, --pop in "
              "(0, 1], --window-s over 0: give values in those ranges", file=sys.stderr)
        raise SystemExit(2)
    for place in places:
        for condition in conditions:
            takes = found = false = 0
            for material in materials:
                for seed in range(args.first_seed, args.first_seed + args.seeds):
                    ref, clean, damaged, at = take(material, condition, seed, args.lead_s, args.pop, place,
                                                   args.onset_s)
                    hit, words, clean_glitches = judge_pair(ref, damaged, clean, at, args.window_s)
                    false += bool(clean_glitches)
                    takes += 1
                    found += hit
                    print(f"take {place} {condition} {material} seed {seed} pop {at}: "
                          f"{'found' if hit else 'MISSED'}; damaged {words[0]}; clean {words[-1]}", flush=True)
            print(f"total {place} {condition} clean {takes} false {false} pop found {found}/{takes}", flush=True)


if __name__ == "__main__":
    main()
