"""Field-condition takes for ``soundcheck analyze``, judged through the CLI as a user would.

A benchmark, not a test: it writes WAV files, runs the command line on them and prints what was
found, missed and made up. It never fails on what it finds.

    python bench/field_takes.py generate OUT_DIR [--seed 1]   # WAVs and OUT_DIR/manifest.json
    python bench/field_takes.py table OUT_DIR [--only TEXT]   # run `soundcheck analyze` on each

The takes are synthesised here, independently of ``harness.analysis``'s own generators
(``field_tone``, ``program_material``, ``through_system``), so that what the analyser is judged on
is not the model it was built against:

- tone takes: a test sine at 8, 44.1, 48, 96 or 192 kHz (low tones at the high rates), written as
  16/24/32-bit int or float WAVs, through a converter chain: 2nd and 3rd harmonic distortion, white
  noise, a clock offset up to +-100 ppm, an AGC-like slow level change, DC, fades in and out, a
  band-limiting linear-phase low-pass;
- program takes: music-like (chords with struck envelopes, a bass line, kick/snare/hi-hat) and
  speech-like (a jittered glottal pulse train through moving formants, syllables, fricatives,
  pauses) material, recorded through a path with a fractional delay, gain, a slow gain change,
  clock drift (windowed-sinc resampling), a band-limiting converter and noise; the reference is
  written beside the recording;
- latency pairs: 10 s MLS (scipy's ``max_len_seq``), linear and log sweeps, recorded with a delay,
  +-50 ppm clock drift, either polarity, clean or at -20 dB SNR.

Every damaged take carries several glitches at seeded random positions (at least 0.35 s apart and
where the material is loud): 1-sample pops of 0.010-0.015 on a 0.5 sine and larger ones (0.03-0.1),
1-frame drops, inserted silences, repeated blocks and mutes. The damage is done in the system's
own stream, before the converter chain (so a pop is band-limited and distorted as the system's
output would be). Every condition also has clean takes. ``table`` prints one line per take and a
summary per condition: glitches planted, found (a reported glitch within 10 frames, plus the
damage's length and any position uncertainty the report states), named as planted, missed,
glitches that match nothing (on damaged takes) and false glitches on clean takes (which must be
0), refusals; for latency pairs the start-latency error, the drift error and the confidence.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
from numpy.typing import NDArray
from scipy import signal as ss

from harness.analysis import write_wav

FloatArray = NDArray[np.float64]

# --------------------------------------------------------------------------------------------- tools


def resample_at(x: FloatArray, t: FloatArray, half: int = 32) -> FloatArray:
    """``x`` evaluated at fractional frame times ``t`` by a Kaiser-windowed sinc of ``2 * half``
    taps (band-limited, as a converter's clock would see it); zero outside ``x``."""
    out = np.empty(t.size)
    k = np.arange(-half + 1, half + 1)
    w_beta = 8.0
    xp = np.concatenate([np.zeros(half), x, np.zeros(half + 1)])
    for a in range(0, t.size, 8192):
        tt = t[a:a + 8192]
        i0 = np.floor(tt).astype(np.int64)
        frac = tt - i0
        idx = i0[:, None] + k[None, :]
        d = frac[:, None] - k[None, :]
        win = np.i0(w_beta * np.sqrt(np.clip(1 - (d / (half + 1)) ** 2, 0, 1))) / np.i0(w_beta)
        taps = np.sinc(d) * win
        valid = (idx >= -half) & (idx < x.size + half)
        vals = xp[np.clip(idx + half, 0, xp.size - 1)] * valid
        out[a:a + 8192] = np.sum(vals * taps, axis=1)
    return out


def lowpass(x: FloatArray, fs: int, cutoff_hz: float, taps: int = 255) -> FloatArray:
    """A band-limiting converter: linear-phase FIR, its group delay taken out (positions stay)."""
    h = ss.firwin(taps, cutoff_hz, fs=fs, window=("kaiser", 9.0))
    return np.convolve(x, h, mode="same")


@dataclass
class Planted:
    kind: str  # pop, drop, silence, repeat, mute
    at: int  # frame in the system's stream (before the path)
    size: float  # frames (drop, silence, repeat, mute) or amplitude (pop)
    rec_at: float = 0.0  # where it lies in the recording


def plant(x: FloatArray, damages: list[Planted]) -> FloatArray:
    """Apply ``damages`` (sorted by position) to the system's stream; each ``rec_at`` is set to
    its place in the damaged stream (earlier drops and inserts move the later ones)."""
    y = x.copy()
    shift = 0
    for d in sorted(damages, key=lambda d: d.at):
        p = d.at + shift
        n = int(d.size) if d.kind != "pop" else 0
        d.rec_at = float(p)
        if d.kind == "pop":
            y[p] += d.size
        elif d.kind == "drop":
            y = np.delete(y, np.arange(p, p + n))
            shift -= n
        elif d.kind == "silence":
            y = np.insert(y, p, np.zeros(n))
            shift += n
        elif d.kind == "repeat":
            y = np.insert(y, p, y[p - n:p])
            shift += n
        elif d.kind == "mute":
            y[p:p + n] = 0.0
    return y


def positions(rng: np.random.Generator, n: int, lo: int, hi: int, gap: int,
              ok: Callable[[int], bool] = lambda _: True) -> list[int]:
    """``n`` seeded positions in [lo, hi) at least ``gap`` apart where ``ok`` holds."""
    out: list[int] = []
    for _ in range(10_000):
        if len(out) == n:
            break
        p = int(rng.integers(lo, hi))
        if ok(p) and all(abs(p - q) >= gap for q in out):
            out.append(p)
    return sorted(out)


def damages_for(rng: np.random.Generator, ats: list[int], fs: int, kinds: list[str]) -> list[Planted]:
    out = []
    for at, kind in zip(ats, kinds):
        if kind == "pop":
            size = float(rng.uniform(0.010, 0.015)) * (1 if rng.random() < 0.5 else -1)
        elif kind == "pop_large":
            size = float(rng.uniform(0.03, 0.1)) * (1 if rng.random() < 0.5 else -1)
            kind = "pop"
        elif kind == "drop":
            size = 1
        elif kind == "silence":
            size = int(rng.integers(1, 21))
        elif kind == "repeat":
            size = int(rng.integers(fs // 1000 * 2, fs // 1000 * 12))
        else:  # mute
            size = int(rng.integers(fs // 1000 * 1, fs // 1000 * 10))
        out.append(Planted(kind, at, size))
    return out


GLITCH_KINDS = ["pop", "pop_large", "drop", "silence", "repeat", "mute"]

# --------------------------------------------------------------------------------------- tone takes


@dataclass
class ToneCondition:
    rate: int
    freq: float
    fmt: str
    noise_dbfs: float = -90.0
    h2_db: float | None = None
    h3_db: float | None = None
    ppm: float = 0.0
    agc: float = 0.0  # depth of a slow level swing
    dc: float = 0.0
    fade_s: float = 0.0
    lowpass_frac: float | None = None  # of the rate


TONE_CONDITIONS: dict[str, ToneCondition] = {
    "tone 8 kHz, 1 kHz, int16": ToneCondition(8_000, 1000.0, "int16"),
    "tone 44.1 kHz, +100 ppm, int24": ToneCondition(44_100, 997.0, "int24", ppm=100.0),
    "tone 48 kHz, -100 ppm, float32": ToneCondition(48_000, 1000.0, "float32", ppm=-100.0),
    "tone 96 kHz, 60 Hz, int32": ToneCondition(96_000, 60.0, "int32", noise_dbfs=-100.0),
    "tone 192 kHz, 50 Hz, float32": ToneCondition(192_000, 50.0, "float32", noise_dbfs=-100.0),
    "tone 192 kHz, 1 kHz, int24": ToneCondition(192_000, 1000.0, "int24"),
    "tone converter -70 dBFS, h2 -50, h3 -60 dB": ToneCondition(48_000, 997.0, "int24", noise_dbfs=-70.0,
                                                              h2_db=-50.0, h3_db=-60.0),
    "tone converter -60 dBFS, h2 -40, h3 -46 dB": ToneCondition(44_100, 440.0, "int16", noise_dbfs=-60.0,
                                                              h2_db=-40.0, h3_db=-46.0),
    "tone AGC +-15 %, DC 0.05": ToneCondition(48_000, 1000.0, "float32", agc=0.15, dc=0.05),
    "tone fades 0.3 s": ToneCondition(48_000, 1000.0, "int16", fade_s=0.3),
    "tone 96 kHz, band-limited 0.2 fs": ToneCondition(96_000, 3000.0, "int24", lowpass_frac=0.2),
    "tone all: 44.1k, +73 ppm, AGC, DC, h2/h3, -66 dBFS, LP": ToneCondition(
        44_100, 1000.0, "int24", noise_dbfs=-66.0, h2_db=-45.0, h3_db=-55.0, ppm=73.0, agc=0.1, dc=0.02,
        fade_s=0.1, lowpass_frac=0.4),
    "tone 192 kHz, 100 Hz, -80 dBFS, h2 -50 dB": ToneCondition(192_000, 100.0, "int24", noise_dbfs=-80.0,
                                                             h2_db=-50.0),
    "tone 96 kHz, 40 Hz, -90 dBFS, int16": ToneCondition(96_000, 40.0, "int16"),
    "tone 8 kHz, 3 kHz, band-limited 0.45 fs, -100 ppm": ToneCondition(8_000, 3000.0, "int16", ppm=-100.0,
                                                                     lowpass_frac=0.45),
    "tone AGC +-30 %, -60 dBFS, h3 -50 dB": ToneCondition(48_000, 1000.0, "float32", noise_dbfs=-60.0,
                                                        h3_db=-50.0, agc=0.3),
    "tone fades 1 s, DC -0.1, -100 ppm, 44.1 kHz": ToneCondition(44_100, 440.0, "int24", ppm=-100.0, dc=-0.1,
                                                               fade_s=1.0),
}


def tone_take(c: ToneCondition, seconds: float, rng: np.random.Generator,
              damages: list[Planted]) -> FloatArray:
    fs = c.rate
    n = int(seconds * fs)
    frames = np.arange(n, dtype=np.float64)
    # the system plays a 0.5 sine at its own clock; the recorder's clock is c.ppm slow, so the
    # tone arrives c.ppm high in frequency
    phi0 = 2 * np.pi * rng.random()
    x = 0.5 * np.sin(2 * np.pi * np.mod(frames * c.freq * (1 + c.ppm * 1e-6) / fs, 1.0) + phi0)
    y = plant(x, damages)
    # converter nonlinearity (memoryless: the harmonics follow the stream and its damage)
    if c.h2_db is not None:
        a2 = 2 * 10 ** (c.h2_db / 20) / 0.5  # x^2 = A^2/2 (1 - cos 2): the 2nd harmonic at h2_db re a 0.5 tone
        y = y + a2 * (y * y - 0.125)
    if c.h3_db is not None:
        a3 = 4 * 10 ** (c.h3_db / 20) / 0.5 ** 2  # x^3 = (3/4)A^3 sin - (1/4)A^3 sin 3
        y = y - a3 * y ** 3
    m = y.size
    t = np.arange(m, dtype=np.float64) / fs
    if c.agc:
        y = y * (1 + c.agc * np.sin(2 * np.pi * 0.3 * t + 2 * np.pi * rng.random()))
    if c.fade_s:
        k = int(c.fade_s * fs)
        ramp = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, k))
        y[:k] *= ramp
        y[-k:] *= ramp[::-1]
    if c.lowpass_frac:
        y = lowpass(y, fs, c.lowpass_frac * fs)
    y = y + c.dc + rng.standard_normal(m) * 10 ** (c.noise_dbfs / 20)
    return y


# ------------------------------------------------------------------------------------ program takes


def _env(n: int, fs: int, attack_s: float, decay_s: float) -> FloatArray:
    t = np.arange(n) / fs
    return np.minimum(1.0, t / max(attack_s, 1e-4)) * np.exp(-t / decay_s)


def music_like(seconds: float, fs: int, rng: np.random.Generator) -> FloatArray:
    """Chords (struck, 3-4 notes of 5 partials), a bass line, kick, snare and hi-hat at 120 bpm."""
    n = int(seconds * fs)
    out = np.zeros(n)
    beat = int(0.5 * fs)
    roots = [220.0, 174.6, 196.0, 261.6]
    for b, a in enumerate(range(0, n, beat * 2)):
        root = roots[b % len(roots)] * (1 + 0.002 * rng.standard_normal())
        notes = [root, root * 1.26, root * 1.498] + ([root * 2] if rng.random() < 0.5 else [])
        k = min(beat * 2, n - a)
        t = np.arange(k) / fs
        e = _env(k, fs, 0.005, 0.6)
        for f in notes:
            for h in range(1, 6):
                if f * h < 0.45 * fs:
                    out[a:a + k] += 0.05 / h * e * np.sin(2 * np.pi * f * h * t + rng.random() * 6.28)
        # bass: two notes per chord
        for j in range(2):
            s = a + j * beat
            kk = min(beat, n - s)
            if kk <= 0:
                break
            tb = np.arange(kk) / fs
            fb = root / 4 * (1.5 if j else 1.0)
            eb = _env(kk, fs, 0.01, 0.4)
            out[s:s + kk] += 0.12 * eb * (np.sin(2 * np.pi * fb * tb) + 0.4 * np.sin(4 * np.pi * fb * tb)
                                          + 0.2 * np.sin(6 * np.pi * fb * tb))
    for i, s in enumerate(range(0, n, beat // 2)):
        k = min(int(0.25 * fs), n - s)
        t = np.arange(k) / fs
        if i % 4 == 0:  # kick: a falling sine
            f = 50 + 90 * np.exp(-t / 0.03)
            out[s:s + k] += 0.35 * np.exp(-t / 0.12) * np.sin(2 * np.pi * np.cumsum(f) / fs)
        elif i % 4 == 2:  # snare: noise through a band-pass, a tone under it
            b, a2 = ss.butter(2, [800, 6000], btype="band", fs=fs)
            out[s:s + k] += 0.2 * np.exp(-t / 0.06) * (ss.lfilter(b, a2, rng.standard_normal(k))
                                                       + 0.3 * np.sin(2 * np.pi * 190 * t))
        kh = min(int(0.05 * fs), n - s)
        bh, ah = ss.butter(2, min(7000, 0.4 * fs), btype="high", fs=fs)
        out[s:s + kh] += 0.06 * np.exp(-np.arange(kh) / fs / 0.012) * ss.lfilter(bh, ah, rng.standard_normal(kh))
    return out


def speech_like(seconds: float, fs: int, rng: np.random.Generator) -> FloatArray:
    """Syllables of a jittered glottal pulse train through moving formants, fricatives, pauses."""
    n = int(seconds * fs)
    out = np.zeros(n)
    s = int(0.05 * fs)
    vowels = [(730, 1090, 2440), (270, 2290, 3010), (300, 870, 2240), (530, 1840, 2480), (570, 840, 2410)]
    while s < n:
        dur = int(rng.uniform(0.12, 0.3) * fs)
        k = min(dur, n - s)
        if k <= 0:
            break
        f0 = rng.uniform(95, 190)
        # glottal pulses with jitter
        src = np.zeros(k)
        p = 0.0
        while p < k:
            src[int(p)] = 1.0
            p += fs / (f0 * (1 + 0.01 * rng.standard_normal()))
        src = ss.lfilter([1.0], [1.0, -0.95], src)  # spectral tilt
        v = vowels[int(rng.integers(len(vowels)))]
        y = np.zeros(k)
        for fi, bw in zip(v, (80, 100, 150)):
            if fi < 0.45 * fs:
                r = np.exp(-np.pi * bw / fs)
                y += ss.lfilter([1 - r], [1, -2 * r * np.cos(2 * np.pi * fi / fs), r * r], src)
        env = np.sin(np.pi * np.arange(k) / k) ** 0.7
        out[s:s + k] += 0.25 * y / (np.max(np.abs(y)) + 1e-9) * env
        s += k
        if rng.random() < 0.35:  # a fricative
            kf = min(int(rng.uniform(0.05, 0.12) * fs), n - s)
            if kf > 0:
                bh, ah = ss.butter(2, min(4000, 0.4 * fs), btype="high", fs=fs)
                out[s:s + kf] += 0.05 * np.sin(np.pi * np.arange(kf) / kf) * ss.lfilter(bh, ah, rng.standard_normal(kf))
                s += kf
        if rng.random() < 0.25:  # a pause
            s += int(rng.uniform(0.1, 0.3) * fs)
        else:
            s += int(rng.uniform(0.0, 0.03) * fs)
    return out


@dataclass
class PathCondition:
    material: str  # music, speech
    rate: int
    fmt: str
    delay: float = 0.0
    gain: float = 0.7
    ppm: float = 0.0
    slow_gain: float = 0.0  # depth of an AGC-like swing
    lowpass_hz: float | None = None
    noise_dbfs: float = -90.0
    polarity: int = 1


PROGRAM_CONDITIONS: dict[str, PathCondition] = {
    "music, plain path": PathCondition("music", 48_000, "float32", delay=1234.4),
    "music, +80 ppm, AGC, 16 kHz LP, -70 dBFS, int24": PathCondition(
        "music", 48_000, "int24", delay=2345.7, ppm=80.0, slow_gain=0.1, lowpass_hz=16_000, noise_dbfs=-70.0),
    "music, -50 ppm, inverted, 44.1 kHz, int16": PathCondition(
        "music", 44_100, "int16", delay=777.2, ppm=-50.0, polarity=-1, noise_dbfs=-80.0),
    "speech, plain path": PathCondition("speech", 48_000, "float32", delay=501.9),
    "speech, -90 ppm, 7 kHz LP, -60 dBFS, int16": PathCondition(
        "speech", 48_000, "int16", delay=3210.3, ppm=-90.0, lowpass_hz=7_000, noise_dbfs=-60.0),
    "music, +100 ppm, AGC 20 %, -50 dBFS, 96 kHz, int24": PathCondition(
        "music", 96_000, "int24", delay=4801.6, ppm=100.0, slow_gain=0.2, noise_dbfs=-50.0),
    "speech, +40 ppm, inverted, AGC 15 %, 44.1 kHz, int24": PathCondition(
        "speech", 44_100, "int24", delay=150.5, ppm=40.0, slow_gain=0.15, polarity=-1, noise_dbfs=-75.0),
}


def path_take(ref: FloatArray, c: PathCondition, rng: np.random.Generator, damages: list[Planted],
              tail: int) -> tuple[FloatArray, list[Planted]]:
    """The system plays ``ref`` with ``damages`` in its stream; the recorder, ``c.ppm`` slow,
    hears it ``c.delay`` frames late through the converter: returns the recording and the damage
    with ``rec_at`` in recording frames."""
    y = plant(ref, damages)
    ratio = 1 + c.ppm * 1e-6
    m = int(y.size * ratio + c.delay) + tail
    t = (np.arange(m, dtype=np.float64) - c.delay) / ratio
    rec = resample_at(y, t)
    for d in damages:
        d.rec_at = d.rec_at * ratio + c.delay
    g = c.gain * c.polarity * np.ones(m)
    if c.slow_gain:
        g *= 1 + c.slow_gain * np.sin(2 * np.pi * 0.25 * np.arange(m) / c.rate + 2 * np.pi * rng.random())
    rec = rec * g
    if c.lowpass_hz:
        rec = lowpass(rec, c.rate, c.lowpass_hz)
    return rec + rng.standard_normal(m) * 10 ** (c.noise_dbfs / 20), damages


# ------------------------------------------------------------------------------------ latency pairs


def sweep(n: int, fs: int, log: bool, t: FloatArray | None = None) -> FloatArray:
    """A 20 Hz..20 kHz sweep of ``n`` frames, evaluated at frame times ``t`` (default 0..n-1)."""
    tt = (np.arange(n, dtype=np.float64) if t is None else t) / fs
    T = n / fs
    f1, f2 = 20.0, min(20_000.0, 0.45 * fs)
    if log:
        k = T / np.log(f2 / f1)
        ph = 2 * np.pi * f1 * k * (np.exp(tt / k) - 1)
    else:
        ph = 2 * np.pi * (f1 * tt + (f2 - f1) * tt * tt / (2 * T))
    out = 0.5 * np.sin(ph)
    out[(tt < 0) | (tt >= T)] = 0.0
    return out


@dataclass
class LatencyCondition:
    stimulus: str  # mls, lin, log
    ppm: float
    polarity: int
    snr_db: float | None


LATENCY_CONDITIONS: dict[str, LatencyCondition] = {
    f"latency {s}, {ppm:+.0f} ppm, {'inverted' if pol < 0 else 'upright'}, {'clean' if snr is None else '-20 dB SNR'}":
        LatencyCondition(s, ppm, pol, snr)
    for s in ("mls", "lin", "log")
    for ppm, pol, snr in ((50.0, 1, None), (-50.0, -1, None), (50.0, -1, -20.0), (-50.0, 1, -20.0), (0.0, 1, -20.0))
}

# -------------------------------------------------------------------------------------- generation


def generate(out: Path, seed: int, tone_takes: int, clean_takes: int, program_takes: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    manifest: list[dict[str, Any]] = []
    for ci, (name, c) in enumerate(TONE_CONDITIONS.items()):
        for i in range(clean_takes + tone_takes):
            rng = np.random.default_rng([seed, 1, ci, i])
            seconds = 3.0 + 2 * c.fade_s  # the glitches go past the fades
            clean = i < clean_takes
            dam: list[Planted] = []
            if not clean:
                lo = int(max(0.4, c.fade_s + 0.2) * c.rate)
                hi = int((seconds - max(0.4, c.fade_s + 0.2)) * c.rate)
                ats = positions(rng, len(GLITCH_KINDS), lo, hi, int(0.35 * c.rate))
                kinds = list(rng.permutation(GLITCH_KINDS))[: len(ats)]
                dam = damages_for(rng, ats, c.rate, kinds)
            y = tone_take(c, seconds, rng, dam)
            f = out / f"tone{ci:02d}-{'clean' if clean else 'dmg'}{i}.wav"
            write_wav(f, y, c.rate, c.fmt)
            manifest.append({"mode": "tone", "condition": name, "file": f.name, "rate": c.rate, "clean": clean,
                             "planted": [d.__dict__ for d in dam]})
    for ci, (name, pc) in enumerate(PROGRAM_CONDITIONS.items()):
        for i in range(clean_takes + program_takes):
            rng = np.random.default_rng([seed, 2, ci, i])
            seconds = 4.0
            make = music_like if pc.material == "music" else speech_like
            ref = make(seconds, pc.rate, rng)
            clean = i < clean_takes
            dam = []
            if not clean:
                w = int(0.02 * pc.rate)
                loud = np.sqrt(np.convolve(ref ** 2, np.ones(w) / w, mode="same"))
                ats = positions(rng, len(GLITCH_KINDS), int(0.5 * pc.rate), int((seconds - 0.4) * pc.rate),
                                int(0.35 * pc.rate), ok=lambda p: bool(loud[p] > 0.03))
                kinds = list(rng.permutation(GLITCH_KINDS))[: len(ats)]
                dam = damages_for(rng, ats, pc.rate, kinds)
            rec, dam = path_take(ref, pc, rng, dam, tail=int(0.3 * pc.rate))
            fr = out / f"prog{ci:02d}-{i}-ref.wav"
            f = out / f"prog{ci:02d}-{'clean' if clean else 'dmg'}{i}.wav"
            write_wav(fr, ref, pc.rate, "float32")
            write_wav(f, rec, pc.rate, pc.fmt)
            manifest.append({"mode": "reference", "condition": name, "file": f.name, "reference": fr.name,
                             "rate": pc.rate, "clean": clean, "latency": pc.delay, "ppm": pc.ppm,
                             "polarity": pc.polarity, "planted": [d.__dict__ for d in dam]})
    fs = 48_000
    for ci, (name, lc) in enumerate(LATENCY_CONDITIONS.items()):
        rng = np.random.default_rng([seed, 3, ci])
        n = 10 * fs
        delay = float(rng.uniform(500, 5000))
        ratio = 1 + lc.ppm * 1e-6
        m = int(n * ratio + delay) + 4000
        t = (np.arange(m, dtype=np.float64) - delay) / ratio
        if lc.stimulus == "mls":
            ref = 0.5 * (2.0 * ss.max_len_seq(19, length=n)[0] - 1.0)  # one period longer than the take
            rec = resample_at(ref, t)
        else:
            ref = sweep(n, fs, lc.stimulus == "log")
            rec = sweep(n, fs, lc.stimulus == "log", t)
        rec = lc.polarity * 0.6 * rec
        if lc.snr_db is not None:
            p = float(np.sqrt(np.mean(rec[int(delay):int(delay) + n] ** 2)))
            rec = rec + rng.standard_normal(m) * p * 10 ** (-lc.snr_db / 20)
        fr, f = out / f"lat{ci:02d}-ref.wav", out / f"lat{ci:02d}-rec.wav"
        write_wav(fr, ref, fs, "float32")
        write_wav(f, rec, fs, "float32")
        manifest.append({"mode": "latency", "condition": name, "file": f.name, "reference": fr.name, "rate": fs,
                         "latency": delay, "ppm": lc.ppm, "polarity": lc.polarity})
    (out / "manifest.json").write_text(json.dumps({"seed": seed, "takes": manifest}, indent=1))
    print(f"{len(manifest)} takes in {out}")


# ------------------------------------------------------------------------------------------- judge


def soundcheck(*args: str) -> tuple[int, dict[str, Any] | None, str]:
    p = subprocess.run([sys.executable, "-m", "harness.cli", "analyze", *args], capture_output=True, text=True)
    try:
        return p.returncode, json.loads(p.stdout), p.stderr.strip()
    except json.JSONDecodeError:
        return p.returncode, None, (p.stderr.strip() or p.stdout.strip())[-300:]


EXPECTED = {"tone": {"pop": "click", "drop": "dropped", "silence": "inserted", "repeat": "inserted", "mute": "mute"},
            "reference": {"pop": "pop", "drop": "dropped", "silence": "inserted_silence", "repeat": "repeated",
                          "mute": "mute"}}


@dataclass
class Tally:
    takes: int = 0
    planted: int = 0
    found: int = 0
    named: int = 0
    unmatched: int = 0
    false_clean: int = 0
    clean_takes: int = 0
    refused: int = 0
    missed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    lat: list[tuple[float | None, float | None, float, int]] = field(default_factory=list)


def judge_take(d: Path, take: dict[str, Any], t: Tally) -> str:
    t.takes += 1
    f = str(d / take["file"])
    if take["mode"] == "latency":
        rc, js, err = soundcheck("latency", "--reference", str(d / take["reference"]), "--recorded", f)
        if js is None:
            t.refused += 1
            t.lat.append((None, None, 0.0, 0))
            return f"rc {rc}: {err}"
        lat, conf = js.get("latency_frames"), float(js.get("confidence") or 0.0)
        e = None if lat is None else lat - take["latency"]
        de = None if lat is None else float(js["drift_ppm"]) - take["ppm"]
        t.refused += lat is None
        t.lat.append((e, de, conf, int(js["polarity"]) == take["polarity"]))
        return (f"rc {rc} latency err {'refused' if e is None else f'{e:+.3f}'} fr, drift err "
                f"{'-' if de is None else f'{de:+.2f}'} ppm, conf {conf:.2f}, polarity {js['polarity']}"
                + (f" ({js.get('reason')})" if lat is None else ""))
    args = ["glitches", f]
    if take["mode"] == "reference":
        args += ["--reference", str(d / take["reference"])]
    rc, js, err = soundcheck(*args)
    if js is None:
        t.refused += 1
        t.planted += len(take["planted"])
        t.missed += [f"{p['kind']} {p['size']:.3g} at {p['rec_at']:.0f} (refused)" for p in take["planted"]]
        return f"rc {rc}: {err}"
    gs = js["glitches"]
    if take["clean"]:
        t.clean_takes += 1
        t.false_clean += len(gs)
        if gs:
            t.notes.append(f"{take['file']}: " + "; ".join(f"{g['kind']}@{g['start_frame']}" for g in gs[:4]))
        return f"rc {rc} clean take: {len(gs)} glitch(es)"
    used: set[int] = set()
    for p in take["planted"]:
        t.planted += 1
        length = 0 if p["kind"] in ("pop", "drop") else int(p["size"])
        hit = None
        for j, g in enumerate(gs):
            slack = 10 + int(g.get("position_uncertainty_frames", 0))
            if j not in used and p["rec_at"] - slack <= g["start_frame"] <= p["rec_at"] + length + slack:
                hit = j
                break
        if hit is None:
            t.missed.append(f"{take['file']}: {p['kind']} {p['size']:.3g} at {p['rec_at']:.0f}")
            continue
        used.add(hit)
        t.found += 1
        if gs[hit]["kind"] == EXPECTED[take["mode"]][p["kind"]]:
            t.named += 1
        else:
            t.notes.append(f"{take['file']}: {p['kind']} {p['size']:.3g} at {p['rec_at']:.0f} named "
                           f"{gs[hit]['kind']} (size {gs[hit].get('size', gs[hit].get('size_frames'))}) "
                           f"at {gs[hit]['start_frame']}")
    extra = [g for j, g in enumerate(gs) if j not in used]
    t.unmatched += len(extra)
    if extra:
        t.notes.append(f"{take['file']}: unmatched " + "; ".join(f"{g['kind']}@{g['start_frame']}" for g in extra[:4]))
    if take["mode"] == "reference" and js.get("latency_frames") is not None:
        t.lat.append((js["latency_frames"] - take["latency"], js["drift_ppm"] - take["ppm"], 1.0,
                      int(js["polarity"]) == take["polarity"]))
    return f"rc {rc} {len(gs)} reported, {len(take['planted'])} planted"


def table(d: Path, only: list[str], verbose: bool) -> None:
    man = json.loads((d / "manifest.json").read_text())
    tallies: dict[str, Tally] = {}
    t0 = time.time()
    for take in man["takes"]:
        if only and not any(o in take["condition"] for o in only):
            continue
        t = tallies.setdefault(take["condition"], Tally())
        line = judge_take(d, take, t)
        if verbose:
            print(f"  {take['file']:<22} {line}", flush=True)
    print(f"\nseed {man['seed']}, {time.time() - t0:.0f} s wall")
    print(f"{'condition':<58} {'planted':>7} {'found':>5} {'named':>5} {'missed':>6} {'unmatched':>9} "
          f"{'false/clean':>11} {'refused':>7}")
    for name, t in tallies.items():
        if t.lat and name.startswith("latency"):
            continue
        print(f"{name:<58} {t.planted:>7} {t.found:>5} {t.named:>5} {t.planted - t.found:>6} {t.unmatched:>9} "
              f"{t.false_clean:>7}/{t.clean_takes:<3} {t.refused:>7}")
        for m in t.missed:
            print(f"    missed: {m}")
        for m in t.notes:
            print(f"    {m}")
        if t.lat:
            le = [abs(x[0]) for x in t.lat if x[0] is not None]
            de = [abs(x[1]) for x in t.lat if x[1] is not None]
            print(f"    latency (damaged takes): max |err| {max(le):.2f} fr, max |drift err| {max(de):.2f} ppm, "
                  f"polarity right {sum(x[3] for x in t.lat)}/{len(t.lat)}")
    lat_rows = [(n, t) for n, t in tallies.items() if n.startswith("latency")]
    if lat_rows:
        print(f"\n{'latency pair':<50} {'err fr':>8} {'drift err ppm':>13} {'conf':>5} {'polarity':>8}")
        for name, t in lat_rows:
            e, de, conf, pol = t.lat[0]
            print(f"{name:<50} {'refused' if e is None else f'{e:+.3f}':>8} "
                  f"{'-' if de is None else f'{de:+.2f}':>13} {conf:>5.2f} {'right' if pol else 'WRONG':>8}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate")
    g.add_argument("out", type=Path)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--tone-takes", type=int, default=2, help="damaged takes per tone condition")
    g.add_argument("--clean-takes", type=int, default=2, help="clean takes per tone and program condition")
    g.add_argument("--program-takes", type=int, default=2, help="damaged takes per program condition")
    tb = sub.add_parser("table")
    tb.add_argument("out", type=Path)
    tb.add_argument("--only", action="append", default=[], metavar="TEXT")
    tb.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    if a.cmd == "generate":
        generate(a.out, a.seed, a.tone_takes, a.clean_takes, a.program_takes)
    else:
        table(a.out, a.only, a.verbose)


if __name__ == "__main__":
    main()
