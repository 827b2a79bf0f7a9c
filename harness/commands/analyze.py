"""``soundcheck analyze``: judge recordings (glitches, latency) and write the test signals.

    soundcheck analyze glitches FILE.wav [--frequency HZ] [--channel N]
    soundcheck analyze glitches REC.wav --reference REF.wav [--channel N] [--reference-channel N]
    soundcheck analyze latency --reference REF.wav --recorded REC.wav
    soundcheck analyze signal --kind sine|multitone|pulse|mls --out FILE.wav

Results go to stdout as one JSON object so scripts and CI can consume them; problems go to
stderr as one line. Exit status: 0 clean, 1 glitches found, 2 bad input or no trustworthy
answer (missing or malformed file, no sine, channel out of range, latency confidence too low),
3 inconclusive: ``--reference`` found no glitch but followed the reference through part of the
recording only (``partial``; the JSON says which frames were compared), never counted as clean;
or a WAV file holds fewer frames than its header promises (a recording cut short: the recorder
died, a copy stopped). Such a file is analysed as far as it goes and said to be on stderr (the
file, the frames promised and those present) and in the JSON (``cut_short``, one entry per file
cut short, empty when none): no glitch in what is there is inconclusive (3), the missing part was
never heard; glitches found are still 1; a latency measured on what is there is 3 too. A file
whose header gives no length (a streamed file's 0xFFFFFFFF, RF64) is not cut short. A test sine
with more than ``EDGE_BOUND_S`` (1 s) before or after it that holds no steady tone (a tone that
stopped halfway and never came back is trimmed as a recording's silent end is) is inconclusive
(3) when no glitch was found in the tone, those stretches named on stderr and in the JSON's
``unanalysed_edges``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from .. import analysis
from ..errors import AnalysisError, UsageError
from ..inputs import finite_float, int_in_range, refuse_unused, seed_arg

#: most samples (frames x channels) ``analyze signal`` writes: 2 GiB of float64 while it is built
#: (46 min of 48 kHz stereo); a typo like ``--duration 1e7`` is refused instead of exhausting memory
MAX_SIGNAL_SAMPLES = 2**28


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "analyze",
        help="analyse recordings: glitches, latency; write test signals",
        description=__doc__.split("\n\n", 1)[0],
    )
    sub = parser.add_subparsers(dest="analysis", metavar="ANALYSIS", parser_class=type(parser))
    sub.required = True

    g = sub.add_parser(
        "glitches",
        help="find dropped/inserted frames, clicks, mutes and clipping in a recorded test sine",
        description=(
            "Lock on to the test sine in FILE and report every place it was broken. Prints one "
            "JSON object; exits 0 when clean, 1 when glitches were found, 2 on bad input, 3 when "
            "--reference found none but compared only part of the recording, or when none was found "
            "in a file cut short (fewer frames than its header promises: analysed as far as it goes, "
            "named on stderr and in the JSON's cut_short), or none in the tone of a recording with more "
            "than 1 s without a steady tone before or after it (a mute to the end looks the same: "
            "unanalysed_edges) (inconclusive)."
        ),
    )
    g.add_argument("file", metavar="FILE.wav", help="recording of one steady sine")
    g.add_argument("--frequency", type=finite_float(lo=0, lo_open=True, what="frequency"), metavar="HZ",
                   help="nominal test frequency (default: estimate)")
    g.add_argument("--channel", type=int, default=0, metavar="N", help="channel to analyse, 0 = first (default 0)")
    g.add_argument(
        "--tolerance",
        type=finite_float(what="tolerance"),
        default=None,
        metavar="FRACTION",
        help="error, as a fraction of the sine's magnitude, that counts as a glitch (default 0.03; "
             "not with --reference)",
    )
    g.add_argument("--waveforms", action="store_true",
                   help="include the waveform around each glitch (not with --reference)")
    g.add_argument("--reference", metavar="REF.wav",
                   help="the program material that was played (music, speech): FILE is compared with it "
                        "instead of with a test sine. Tone bursts are placed by their envelope; steady tones "
                        "whose bursts repeat evenly (or a sustained chord) match themselves a period away and "
                        "are refused as 'no unique match' (exit 2, inconclusive); use material with onsets")
    g.add_argument("--reference-channel", type=int, default=None, metavar="N",
                   help="channel of REF to compare (default: the same as --channel; needed when REF and FILE "
                        "have different channel counts)")
    g.add_argument("--max-latency-ms", type=finite_float(lo=0, hi=600_000, what="latency in ms"), default=None,
                   metavar="MS", help="with --reference: how late the reference may start in FILE (default 10000)")
    g.set_defaults(func=_glitches)

    lat = sub.add_parser(
        "latency",
        help="delay of a recording behind its reference, in (fractional) frames",
        description=(
            "Cross-correlate REC with REF and print the delay as JSON. Exits 2 when the match is "
            "ambiguous (confidence below --min-confidence) instead of guessing, 3 when REF or REC is "
            "cut short (fewer frames than its header promises: measured on the frames present, named "
            "on stderr and in the JSON's cut_short)."
        ),
    )
    lat.add_argument("--reference", required=True, metavar="REF.wav", help="the signal that was played")
    lat.add_argument("--recorded", required=True, metavar="REC.wav", help="what came back")
    lat.add_argument("--channel", type=int, default=0, metavar="N", help="channel of REC, 0 = first (default 0)")
    lat.add_argument("--reference-channel", type=int, default=0, metavar="N", help="channel of REF (default 0)")
    lat.add_argument("--max-latency-ms", type=finite_float(lo=0, hi=86_400_000, what="latency in ms (at most a day)"),
                     metavar="MS",
                     help="search no further than this")
    lat.add_argument(
        "--min-confidence", type=finite_float(lo=0, hi=1, what="confidence"), default=0.5, metavar="C", help="refuse below this confidence (0..1, default 0.5)"
    )
    lat.set_defaults(func=_latency)

    s = sub.add_parser(
        "signal",
        help="write a test signal (sine, multitone, pulse, mls, linsweep, logsweep) to a WAV file",
        description="Write a test signal as WAV. The default sine (751 Hz) suits the glitch analyser.",
    )
    s.add_argument("--kind", required=True, choices=analysis.SIGNAL_KINDS)
    s.add_argument("--out", required=True, metavar="FILE.wav")
    s.add_argument(
        "--frequency",
        type=finite_float(lo=0, lo_open=True, what="frequency"),
        nargs="+",
        metavar="HZ",
        help=f"tone frequency (sine, default {analysis.DEFAULT_TEST_FREQUENCY_HZ:g}), frequencies (multitone) "
        "or start and end (linsweep, logsweep: default 20 Hz to 20 kHz or 45 %% of the rate)",
    )
    s.add_argument("--duration", type=finite_float(lo=0, lo_open=True, what="duration in seconds"), default=5.0,
                   metavar="SECONDS", help="default 5")
    s.add_argument("--rate", type=int_in_range(1_000, 768_000, what="sample rate"), default=48_000, metavar="HZ",
                   help="sample rate (default 48000)")
    s.add_argument("--amplitude", type=finite_float(lo=0, lo_open=True, hi=1, what="amplitude"),
                   default=analysis.DEFAULT_AMPLITUDE, help="peak, full scale 1.0 (default 0.5)")
    s.add_argument("--format", choices=analysis.SAMPLE_FORMATS, default="float32", help="sample format (default float32)")
    s.add_argument("--channels", type=int_in_range(1, 64, what="channel count"), default=1, metavar="N",
                   help="same signal on N channels, 1..64 (default 1)")
    s.add_argument("--seed", type=seed_arg, default=0, help="random seed for the pulse (default 0)")
    s.set_defaults(func=_signal)


def _emit(obj: dict[str, Any]) -> None:
    """Print one JSON object; a reader that went away early (``| head``) is not an error."""
    try:
        json.dump(obj, sys.stdout, indent=2)
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _cut_short(*audios: Any) -> list[dict[str, Any]]:
    """One entry per file of ``audios`` that holds fewer frames than its header promises."""
    out = []
    for audio in audios:
        header = getattr(audio, "header", None) or analysis.read_wav_header(audio.path)
        entry = header.cut_short(audio.path)
        if entry is not None:
            out.append(entry)
    return out


def _judged(code: int, cut_short: list[dict[str, Any]], found: str) -> int:
    """``code`` of an analysis, told on stderr about every file cut short: a clean answer from
    a file cut short is inconclusive (3); a failure (1) stays a failure."""
    for c in cut_short:
        print(f"soundcheck: {'inconclusive' if code == 0 else 'warning'}: {c['file']}: cut short: its header "
              f"promises {c['header_frames']} frames, the file holds {c['frames']} ({c['missing_frames']} frames, "
              f"{c['missing_s']:.3f} s missing); analysed as far as it goes"
              + (f": {found}, but the missing part was never heard; re-record or re-copy the file"
                 if code == 0 else ""), file=sys.stderr)
    return 3 if code == 0 and cut_short else code


def _reference_glitches(args: argparse.Namespace) -> int:
    """``analyze glitches REC --reference REF``: program material against what was played."""
    from .. import reference_compare

    if args.frequency is not None:
        raise UsageError("--frequency is for a test sine; with --reference the reference is the prediction "
                         "(drop --frequency)")
    refuse_unused([("--tolerance", args.tolerance is not None), ("--waveforms", args.waveforms)],
                  because="with --reference: they are the test sine's analysis",
                  fix="drop them, or drop --reference to analyse a test sine")
    max_latency_ms = 10_000.0 if args.max_latency_ms is None else args.max_latency_ms
    rec = analysis.open_wav(args.file)
    ref = analysis.open_wav(args.reference)
    if ref.sample_rate != rec.sample_rate:
        raise UsageError(f"sample rates differ: {ref.path} is {ref.sample_rate} Hz, {rec.path} is "
                         f"{rec.sample_rate} Hz; record at the reference's rate (or resample the reference "
                         "to the recording's)")
    ref_channel = args.reference_channel
    if ref_channel is None:
        if ref.channels != rec.channels:
            raise UsageError(f"channel counts differ: {ref.path} has {ref.channels} channel(s), {rec.path} has "
                             f"{rec.channels}; say which to compare with --reference-channel N (and --channel N)")
        ref_channel = args.channel
    analysis.read_frames(rec, 0, 1, args.channel)  # a bad channel is refused before any work
    analysis.read_frames(ref, 0, 1, ref_channel, "--reference-channel")
    try:
        report = reference_compare.compare_to_reference_stream(
            lambda a, b: analysis.read_frames(rec, a, b, args.channel), rec.frames,
            lambda a, b: analysis.read_frames(ref, a, b, ref_channel), ref.frames, rec.sample_rate,
            max_latency_s=max_latency_ms * 1e-3,
        )
    except AnalysisError as exc:
        raise AnalysisError(f"{rec.path} against {ref.path}: {exc}") from None
    short = _cut_short(rec, ref)
    _emit({"file": rec.path, "reference": ref.path, "channel": args.channel, "reference_channel": ref_channel,
           **report.to_dict(), "cut_short": short})
    if report.partial:
        # said whatever the verdict: a glitch in the stretch never compared is neither found nor ruled out
        print(f"soundcheck: {rec.path}: {_not_analysed(report, rec.sample_rate)}", file=sys.stderr)
    if report.glitches:
        return _judged(1, short, "")
    if short:
        return _judged(0, short, "no glitch found in the frames present")
    if report.partial:
        print(f"soundcheck: inconclusive: {rec.path}: no glitch found in the frames compared", file=sys.stderr)
        return 3
    return 0


def _not_analysed(report: Any, sr: int) -> str:
    """Where a reference comparison did not look, in milliseconds of the recording: the
    stretches before and after the span the delay track followed, with the loud reference
    material they held. A sweep past a converter's low-pass is followed only while the path
    passes it (a linear sweep through 0.05 fs at 44.1 kHz: its first ~0.3 s), and a track lost
    on very tonal low material under a drifting clock stops there: either way a drop outside the
    span is never seen, so the span is said, not left to the JSON. Inside the span, a 1-frame
    drop of a single swept tone can go unseen (0.2 s into that sweep, at 1.34 kHz, well inside
    the judged band): the message says so, since a clean verdict on a sweep covers less there."""
    head_ms = report.analysed_start_frame / sr * 1e3
    tail_ms = max(report.frames - report.analysed_end_frame, 0) / sr * 1e3
    return (f"not analysed: first {head_ms:.0f} ms and last {tail_ms:.0f} ms of the recording (frames "
            f"0..{report.analysed_start_frame} and {report.analysed_end_frame}..{report.frames}), holding "
            f"{report.unfollowed_frames / sr:.2f} s of loud reference material never compared (a sweep past the "
            "path's low-pass is followed only while the path passes it, and a 1-frame drop of a single swept "
            "tone can go unseen inside the span; a track lost on very tonal low material under a drifting clock "
            "stops where it lost it)")


def _glitches(args: argparse.Namespace) -> int:
    if args.reference is not None:
        return _reference_glitches(args)
    refuse_unused([("--reference-channel", args.reference_channel is not None),
                   ("--max-latency-ms", args.max_latency_ms is not None)],
                  because="without --reference: they place a reference, and none is given",
                  fix="add --reference REF.wav or drop them")
    if args.tolerance is None:
        args.tolerance = 0.03
    if not 0 < args.tolerance < 1:
        raise UsageError(f"--tolerance must be a fraction between 0 and 1, got {args.tolerance}")
    audio = analysis.open_wav(args.file)  # streamed: a long take is analysed a window at a time
    analysis.read_frames(audio, 0, 1, args.channel)  # a bad --channel is refused before any work
    if args.frequency is not None and not 0 < args.frequency < audio.sample_rate / 2:
        raise UsageError(
            f"--frequency {args.frequency:g} Hz is impossible at {audio.sample_rate} Hz "
            f"(must be below {audio.sample_rate / 2:g} Hz)"
        )
    try:
        report = analysis.analyze_glitches_stream(
            audio, args.channel, args.frequency, relative_tolerance=args.tolerance
        )
    except AnalysisError as exc:
        raise AnalysisError(f"{audio.path}: {exc}") from None
    out = report.to_dict(include_waveforms=args.waveforms)
    short = _cut_short(audio)
    edges = _unanalysed_edges(report)
    out = {"file": audio.path, "channel": args.channel, **out, "cut_short": short, "unanalysed_edges": edges}
    _emit(out)
    code = _judged(1 if report.glitches else 0, short, "no glitch found in the frames present")
    if code == 0 and edges:
        told = "; ".join(f"{e['seconds']:.2f} s {e['where']} (frames {e['start_frame']}..{e['end_frame']})"
                         for e in edges)
        print(f"soundcheck: inconclusive: {audio.path}: no glitch found in the tone, but {told} of the recording "
              "held no steady tone and was not analysed: a mute there cannot be told from the tone starting "
              f"late or stopping early; trim the recording to the tone (at most {EDGE_BOUND_S:g} s before and "
              "after it) or record the tone through to the end", file=sys.stderr)
        return 3
    return code


#: silence or fading at either end of a recording that ``analyze glitches`` leaves out without a
#: word (latency before the tone arrives, a recorder stopped a little after the player): beyond it
#: a clean answer is inconclusive, as a mute that never ended looks the same
EDGE_BOUND_S = 1.0


def _unanalysed_edges(report: Any) -> list[dict[str, Any]]:
    """The stretches before and after the analysed span longer than ``EDGE_BOUND_S``: the analyser
    trims what holds no steady tone at a recording's ends (``analysed_start_frame`` /
    ``analysed_end_frame``); a tone that stopped halfway and never came back is trimmed the same
    way, and "no glitch" then said nothing of most of the file."""
    fs = report.sample_rate
    out = []
    for where, a, b in (("before the tone", 0, report.analysed_start_frame),
                        ("after the tone", report.analysed_end_frame, report.frames)):
        if b - a > EDGE_BOUND_S * fs:
            out.append({"where": where, "start_frame": int(a), "end_frame": int(b), "seconds": round((b - a) / fs, 3)})
    return out


def _latency(args: argparse.Namespace) -> int:
    if not 0 <= args.min_confidence <= 1:
        raise UsageError(f"--min-confidence must be between 0 and 1, got {args.min_confidence}")
    ref = analysis.read_wav(args.reference)
    rec = analysis.open_wav(args.recorded)  # streamed: memory bounded by the search, not the file
    if ref.sample_rate != rec.sample_rate:
        raise UsageError(
            f"sample rates differ: {ref.path} is {ref.sample_rate} Hz, {rec.path} is "
            f"{rec.sample_rate} Hz; record at the reference's rate"
        )
    max_frames = None
    if args.max_latency_ms is not None:
        if args.max_latency_ms < 0:
            raise UsageError("--max-latency-ms must be >= 0")
        max_frames = int(args.max_latency_ms * 1e-3 * rec.sample_rate)
    reference = ref.channel(args.reference_channel, "--reference-channel")
    analysis.read_frames(rec, 0, 1, args.channel)  # a bad --channel is refused before any work
    try:
        result = analysis.measure_latency_stream(
            reference,
            lambda a, b: analysis.read_frames(rec, a, b, args.channel),
            rec.frames,
            rec.sample_rate,
            max_latency_frames=max_frames,
            min_confidence=args.min_confidence,
        )
    except AnalysisError as exc:  # a silent recording or reference: say which file it was
        raise AnalysisError(f"{rec.path} against {ref.path}: {exc}") from None
    short = _cut_short(ref, rec)
    _emit({"reference": ref.path, "recorded": rec.path, **result.to_dict(), "cut_short": short})
    if result.latency_frames is None:
        raise AnalysisError(f"{rec.path}: latency not measured: {result.reason}")
    return _judged(0, short, "the latency was measured on the frames present only")


def _refuse_overwriting_other_files(path: Path) -> None:
    """Refuse (exit 2) an ``--out`` that is an existing file other than a WAV: writing a signal again
    over an earlier one is the usual use, but a mistyped path (``--out notes.txt``, a recording's
    sidecar) would lose the user's file for good."""
    if not path.is_file():
        return
    with open(path, "rb") as fh:
        head = fh.read(12)
    if head[:4] not in (b"RIFF", b"RIFX") or head[8:12] != b"WAVE":
        raise UsageError(f"--out {path}: the file exists and is not a WAV file; writing the signal would replace "
                         "it: give a new path (or remove the file first if it is yours to lose)")


def _signal(args: argparse.Namespace) -> int:
    _refuse_overwriting_other_files(Path(args.out))
    samples = args.duration * args.rate * args.channels
    if samples > MAX_SIGNAL_SAMPLES:
        raise UsageError(f"--duration {args.duration:g} s at {args.rate} Hz on {args.channels} channel(s) is "
                         f"{samples:.3g} samples, more than the {MAX_SIGNAL_SAMPLES} this command writes; "
                         "write a shorter signal (or several)")
    data = analysis.make_signal(
        args.kind,
        sample_rate=args.rate,
        duration_s=args.duration,
        frequencies_hz=args.frequency,
        amplitude=args.amplitude,
        seed=args.seed,
    )
    if args.channels > 1:
        data = data[:, None].repeat(args.channels, axis=1)
    path = analysis.write_wav(args.out, data, args.rate, args.format)
    _emit(
        {
            "path": str(path),
            "kind": args.kind,
            "sample_rate": args.rate,
            "frames": int(data.shape[0]),
            "channels": args.channels,
            "format": args.format,
        }
    )
    return 0
