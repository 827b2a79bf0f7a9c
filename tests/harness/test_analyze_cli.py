"""``soundcheck analyze``: exit codes, JSON shape, and clear refusals on bad input.

Runs ``harness.cli.main`` in-process (fast) and, once, the real entry point in a subprocess to
prove that a bad file gives one line on stderr and no traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from harness import analysis as A
from harness.cli import main

FS = 48_000


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def noisy_tone(seconds: float, rate: int = FS, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = A.sine(A.DEFAULT_TEST_FREQUENCY_HZ, seconds, rate, 0.5)
    return x + rng.standard_normal(x.size) * 1e-3


def assert_report_shape(doc: dict[str, object]) -> None:
    for key in ("sample_rate", "frequency_hz", "magnitude", "snr_db", "thd_n_db", "rms_dbfs", "glitches"):
        assert key in doc, key
    assert isinstance(doc["glitches"], list)
    for g in doc["glitches"]:
        assert isinstance(g, dict)
        assert {"start_frame", "end_frame", "kind", "size"} <= set(g)
        assert g["kind"] in A.GLITCH_KINDS


# ---------------------------------------------------------------- glitches

def test_clean_take_exits_0_with_one_json_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = A.write_wav(tmp_path / "clean.wav", noisy_tone(1.0), FS, "int16")
    code, out, err = run(["analyze", "glitches", str(path)], capsys)
    assert code == 0, err
    doc = json.loads(out)  # one object, nothing else on stdout
    assert_report_shape(doc)
    assert doc["glitches"] == [] and doc["sample_rate"] == FS
    assert doc["frequency_hz"] == pytest.approx(A.DEFAULT_TEST_FREQUENCY_HZ, abs=0.01)
    assert doc["magnitude"] == pytest.approx(0.5, rel=1e-3)
    assert err == ""


def test_glitchy_take_exits_1_and_lists_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    x = A.add_pop(A.drop_frames(noisy_tone(1.0), 12_000, 9), 30_000, 2, 0.05)
    path = A.write_wav(tmp_path / "glitchy.wav", x, FS, "float32")
    code, out, _ = run(["analyze", "glitches", str(path), "--frequency", "751", "--waveforms"], capsys)
    assert code == 1
    doc = json.loads(out)
    assert_report_shape(doc)
    got = [(g["kind"], g["size"], g["start_frame"]) for g in doc["glitches"]]
    assert [(k, s) for k, s, _ in got] == [("dropped", 9), ("click", 2)]
    assert abs(got[0][2] - 12_000) <= 10 and abs(got[1][2] - 30_000) <= 10
    assert all(len(g["waveform"]) > 400 for g in doc["glitches"])  # +-5 ms kept with --waveforms


@pytest.mark.parametrize("fmt", A.SAMPLE_FORMATS)
@pytest.mark.parametrize("rate", [44_100, 48_000, 96_000])
@pytest.mark.parametrize("stereo", [False, True], ids=["mono", "stereo"])
def test_every_format_rate_and_layout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, rate: int, stereo: bool
) -> None:
    at = rate // 2 + 5
    damaged = A.drop_frames(noisy_tone(1.0, rate, seed=rate), at, 18)
    if stereo:  # damage only on channel 1; channel 0 is a clean tone of the same length
        data = np.stack((noisy_tone(1.0, rate, seed=1)[: damaged.size], damaged), axis=1)
        channel = "1"
    else:
        data, channel = damaged, "0"
    path = A.write_wav(tmp_path / f"t.{fmt}.wav", data, rate, fmt)
    code, out, err = run(["analyze", "glitches", str(path), "--channel", channel], capsys)
    assert code == 1, err
    doc = json.loads(out)
    assert doc["sample_rate"] == rate
    [g] = doc["glitches"]
    assert (g["kind"], g["size"]) == ("dropped", 18) and abs(g["start_frame"] - at) <= 10
    if stereo:
        code, out, err = run(["analyze", "glitches", str(path), "--channel", "0"], capsys)
        assert code == 0, err
        assert json.loads(out)["glitches"] == []


@pytest.mark.parametrize(
    ("make", "extra", "needle"),
    [
        ("missing", [], "no such file"),
        ("text", [], "not a readable WAV"),
        ("silent", [], "silent"),
        ("noise", [], "no steady sine"),
        ("tone", ["--channel", "2"], "channel 2 is out of range"),
        ("tone", ["--channel", "-1"], "out of range"),
        ("tone", ["--frequency", "30000"], "impossible"),
        ("tone", ["--frequency", "1000"], "no steady sine found at 1000 Hz"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: str, extra: list[str], needle: str
) -> None:
    path = tmp_path / "in.wav"
    if make == "text":
        path.write_text("this is not audio\n")
    elif make == "silent":
        A.write_wav(path, np.zeros(FS), FS, "int16")
    elif make == "noise":
        A.write_wav(path, np.random.default_rng(0).standard_normal(FS) * 0.1, FS)
    elif make == "tone":
        A.write_wav(path, np.stack([noisy_tone(1.0)] * 2, axis=1), FS)
    code, out, err = run(["analyze", "glitches", str(path), *extra], capsys)
    assert code == 2
    assert out == ""
    assert needle in err and err.startswith("soundcheck: error:")
    assert "Traceback" not in err and err.count("\n") == 1
    if make != "tone":
        assert str(path) in err  # the message names the file


def test_real_entry_point_prints_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "notes.wav"
    bad.write_text("hello")
    proc = subprocess.run(
        [sys.executable, "-m", "harness.cli", "analyze", "glitches", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert f"{bad}: not a readable WAV file" in proc.stderr


# ---------------------------------------------------------------- latency

def test_latency_exits_0_with_fractional_frames(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ref = A.mls(0.5, FS, 0.5, order=14)
    rng = np.random.default_rng(1)
    rec = 0.5 * A.fractional_delay(ref, 1234.5, ref.size + 5000) + rng.standard_normal(ref.size + 5000) * 0.01
    ref_path = A.write_wav(tmp_path / "ref.wav", ref, FS, "float32")
    rec_path = A.write_wav(tmp_path / "rec.wav", np.stack((np.zeros(rec.size), rec), axis=1), FS, "int24")
    code, out, err = run(
        ["analyze", "latency", "--reference", str(ref_path), "--recorded", str(rec_path), "--channel", "1"], capsys
    )
    assert code == 0, err
    doc = json.loads(out)
    assert abs(doc["latency_frames"] - 1234.5) <= 0.5
    assert doc["latency_ms"] == pytest.approx(1234.5 / 48, abs=0.02)
    assert 0.5 <= doc["confidence"] <= 1.0


def test_latency_on_noise_exits_2_and_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ref_path = A.write_wav(tmp_path / "ref.wav", A.mls(0.5, FS, 0.5, order=14), FS)
    rec_path = A.write_wav(tmp_path / "rec.wav", np.random.default_rng(2).standard_normal(FS) * 0.1, FS)
    code, out, err = run(["analyze", "latency", "--reference", str(ref_path), "--recorded", str(rec_path)], capsys)
    assert code == 2
    doc = json.loads(out)
    assert doc["latency_frames"] is None and doc["confidence"] < 0.5
    assert "latency not measured" in err and "Traceback" not in err


def test_latency_on_a_silent_recording_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A silent recording is refused naming it, as ``analyze glitches`` names its file."""
    ref = A.write_wav(tmp_path / "ref.wav", A.mls(0.5, FS, 0.5, order=12), FS)
    rec = A.write_wav(tmp_path / "silent.wav", np.zeros(FS), FS)
    code, _, err = run(["analyze", "latency", "--reference", str(ref), "--recorded", str(rec)], capsys)
    assert code == 2 and "silent.wav" in err and "silent" in err and "Traceback" not in err, err


def test_latency_refuses_mismatched_rates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ref = A.write_wav(tmp_path / "ref.wav", A.mls(0.5, FS, 0.5, order=12), FS)
    rec = A.write_wav(tmp_path / "rec.wav", A.mls(0.5, 44_100, 0.5, order=12), 44_100)
    code, _, err = run(["analyze", "latency", "--reference", str(ref), "--recorded", str(rec)], capsys)
    assert code == 2 and "sample rates differ" in err


def test_latency_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ref = A.write_wav(tmp_path / "ref.wav", A.mls(0.5, FS, 0.5, order=12), FS)
    code, _, err = run(["analyze", "latency", "--reference", str(ref), "--recorded", str(tmp_path / "x.wav")], capsys)
    assert code == 2 and "no such file" in err


# ---------------------------------------------------------------- signal

@pytest.mark.parametrize("kind", A.SIGNAL_KINDS)
def test_signal_writes_a_readable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    out_path = tmp_path / f"{kind}.wav"
    code, out, err = run(
        ["analyze", "signal", "--kind", kind, "--out", str(out_path), "--duration", "0.5", "--rate", "44100",
         "--format", "int24", "--channels", "2"],
        capsys,
    )
    assert code == 0, err
    doc = json.loads(out)
    audio = A.read_wav(out_path)
    assert audio.sample_rate == 44_100 and audio.channels == 2 and audio.frames == doc["frames"] >= 22_050
    peak = float(np.max(np.abs(audio.samples)))
    assert 0.45 <= peak <= 0.5 + 1e-6


def test_signal_sine_feeds_the_glitch_analyser(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.wav"
    assert run(["analyze", "signal", "--kind", "sine", "--out", str(path), "--frequency", "997", "--duration", "1"], capsys)[0] == 0
    code, out, _ = run(["analyze", "glitches", str(path)], capsys)
    assert code == 0 and json.loads(out)["frequency_hz"] == pytest.approx(997, abs=0.01)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--kind", "sine", "--frequency", "30000"], "outside"),
        (["--kind", "sine", "--duration", "0"], "duration"),
        (["--kind", "sine", "--amplitude", "2"], "amplitude"),
    ],
)
def test_signal_bad_options_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], needle: str) -> None:
    code, _, err = run(["analyze", "signal", "--out", str(tmp_path / "x.wav"), *argv], capsys)
    assert code == 2 and needle in err


def test_signal_unwritable_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["analyze", "signal", "--kind", "sine", "--out", str(tmp_path / "no" / "dir" / "x.wav")], capsys)
    assert code == 2 and "cannot write" in err


def test_unknown_kind_is_an_argparse_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "signal", "--kind", "square", "--out", str(tmp_path / "x.wav")]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_analyze_signal_writes_again_over_an_earlier_wav(tmp_path):
    """Only a file that is no WAV is refused as ``--out``: a signal written again over an earlier
    one (the usual use) is written."""
    from harness.cli import main

    out = tmp_path / "s.wav"
    assert main(["analyze", "signal", "--kind", "sine", "--out", str(out), "--duration", "0.1"]) == 0
    first = out.read_bytes()
    assert main(["analyze", "signal", "--kind", "sine", "--out", str(out), "--duration", "0.2"]) == 0
    assert out.read_bytes()[:4] == b"RIFF" and len(out.read_bytes()) > len(first)


def test_analyze_signal_refuses_a_riff_file_that_is_no_wav(tmp_path, capsys):
    """A RIFF container of another form (an AVI, a WebP image) is no earlier signal: ``--out`` over
    it is exit 2 naming the file, and the file is kept byte for byte. The RIFF tag alone says
    nothing of the form; the form (bytes 8-12) must read WAVE too."""
    out = tmp_path / "clip.avi"
    riff_avi = b"RIFF" + (28).to_bytes(4, "little") + b"AVI LIST" + bytes(20)
    out.write_bytes(riff_avi)
    code, _, err = run(["analyze", "signal", "--kind", "sine", "--out", str(out), "--duration", "0.1"], capsys)
    assert code == 2 and "is not a WAV file" in err and "clip.avi" in err
    assert out.read_bytes() == riff_avi
