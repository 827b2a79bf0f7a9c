"""Soaks: the journal, leak detection (healthy vs planted leak), kill -9 + --resume, Ctrl-C.

Short simulated soaks (36-120 simulated seconds, ~1-2 s of wall time each): the virtual clock and
the seed make every run here deterministic. The 8-hour figure is a benchmark (bench/bench_soak.py).
"""

from __future__ import annotations

import json
import mmap
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from harness import read_journal
from harness import SoakRunner, SoakSpec
from system_under_test import AudioSystem
from system_under_test.resources import ResourceType

from killed_soak import run_killed_soak

pytestmark = pytest.mark.soak
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _history_db(tmp_path, monkeypatch):
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))


def _soak(tmp_path, name="run", **kw) -> tuple:
    factory = kw.pop("system_factory", None)
    spec = SoakSpec(duration_s=kw.pop("duration_s", 60.0), seed=kw.pop("seed", 3),
                    checkpoint_s=kw.pop("checkpoint_s", 10.0), run_dir=tmp_path / name, **kw)
    result = SoakRunner(spec, system_factory=factory).start()
    report = json.loads((tmp_path / name / "report.json").read_text())
    return result, report


class LeakyOnRecovery(AudioSystem):
    """Planted leak: every successful recovery allocates a buffer it never releases and keeps
    1 MiB of fresh pages mapped - the leak a missing ``release()`` in an error path causes.

    The megabyte is an anonymous mapping with every page written, not a ``bytearray``: malloc may
    serve a bytearray from memory earlier tests in the same xdist worker freed, and then RSS does
    not grow at all (seen in CI order); a new mapping always adds its pages to RSS."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.hoard: list[mmap.mmap] = []

    def _finish_recovery(self, run):
        super()._finish_recovery(run)
        self.resources.allocate("dsp", ResourceType.BUFFERS, 1, "leaked on recovery")
        block = mmap.mmap(-1, 1 << 20)
        block.write(b"x" * (1 << 20))
        self.hoard.append(block)


def test_healthy_soak_writes_three_reports_and_finds_no_leak(tmp_path):
    result, report = _soak_in_its_own_process(tmp_path)
    assert result["status"] == "completed" and result["checkpoints"] == 9
    j = read_journal(tmp_path / "run")
    assert j.complete, j.problems
    assert [c["index"] for c in j.checkpoints] == list(range(9))
    assert set(report) >= {"schema_version", "stability", "performance", "recovery", "completeness"}
    assert report["completeness"] == {"complete": True, "missing": []}
    st, pf, rc = report["stability"], report["performance"], report["recovery"]
    assert st["sim_time_s"] == pytest.approx(90.0) and st["faults_injected"] > 20
    assert st["invariants_broken"] == [] and st["failure_count"] == 0
    assert st["leaks_found"] == [], st["leaks"]
    for metric in ("sut_live_allocations", "threads", "open_fds", "rss_bytes"):
        assert st["leaks"][metric]["verdict"] == "ok", st["leaks"][metric]
    assert pf["block_budget_s"] == pytest.approx(256 / 48_000)
    assert pf["callback_duration_s"]["count"] == st["counters"]["callbacks"]
    assert rc["episodes_total"] > 0 and rc["failed_count"] == 0
    assert rc["by_fault_type"]["dropout"]["recovered_share"] == 1.0
    assert report["verdict"]["ok"] and result["ok"]
    assert (tmp_path / "run" / "report.html").stat().st_size > 10_000


def _soak_in_its_own_process(tmp_path: Path, system_factory: str | None = None) -> tuple[dict, dict]:
    """A 90 s soak in a fresh interpreter: the RSS judge reads the whole process, and an xdist
    worker's RSS also moves with what earlier tests left behind (a worker returning their freed
    memory while the planted leak grew read "inconclusive" once on a fresh clone; memory an earlier
    test's leftovers took during a healthy soak read it "inconclusive" under ``-n 2``). Returns the
    runner's ``ok``, ``status`` and ``checkpoints``, and report.json. ``system_factory``: the name
    of a class in this module."""
    factory = f", system_factory=t.{system_factory}" if system_factory else ""
    code = ("import json, pathlib, sys; sys.path.insert(0, sys.argv[1]); import test_soak as t; "
            f"result, _ = t._soak(pathlib.Path(sys.argv[2]), duration_s=90.0{factory}); "
            "print(json.dumps({'ok': result.ok, 'status': result.status, 'checkpoints': result.checkpoints}))")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), str(tmp_path)],
                         env=env, capture_output=True, text=True, timeout=100)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result, json.loads((tmp_path / "run" / "report.json").read_text())


def test_planted_leak_is_flagged_by_its_slope(tmp_path):
    result, report = _soak_in_its_own_process(tmp_path, "LeakyOnRecovery")
    ok = result["ok"]
    leaks = report["stability"]["leaks"]
    assert leaks["sut_live_allocations"]["verdict"] == "leak", leaks["sut_live_allocations"]
    assert leaks["sut_live_allocations"]["slope_per_hour"] > 1000  # ~1 per recovery, ~1 recovery/s
    assert leaks["rss_bytes"]["verdict"] == "leak", leaks["rss_bytes"]
    assert leaks["threads"]["verdict"] == "ok"
    assert "sut_live_allocations" in report["stability"]["leaks_found"]
    assert not report["verdict"]["ok"] and not ok
    assert any("leak suspected" in r for r in report["verdict"]["reasons"])


def test_kill_9_then_resume_ends_with_a_complete_report_identical_to_an_uninterrupted_run(tmp_path, capsys):
    """12 checkpoints of 3 simulated seconds (36 s: more than 20 faults and their recoveries); the soak is
    killed before its fourth, resumed (replayed to the third, its digest verified, run on), and
    compared with the same soak never interrupted, checkpoint digest by checkpoint digest."""
    from harness.cli import main

    run_dir = tmp_path / "killed"
    killed = run_killed_soak(4, run_dir, "--duration", "36s", "--checkpoint", "3s", "--seed", "5")
    assert killed.returncode == -signal.SIGKILL, (killed.stdout, killed.stderr[-3000:])
    before = read_journal(run_dir)
    assert before.end is None and len(before.checkpoints) == 3
    assert not (run_dir / "report.json").exists() or \
        json.loads((run_dir / "report.json").read_text())["run"]["status"] != "completed"

    assert main(["soak", "--resume", str(run_dir), "--pace", "0", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "digest verified" in out

    after = read_journal(run_dir)
    assert after.complete, after.problems
    assert [c["index"] for c in after.checkpoints] == list(range(12))
    note = next(n for n in after.notes if n["what"] == "resumed")
    assert note["verified"] is True and note["mode"] == "replay"
    report = json.loads((run_dir / "report.json").read_text())
    assert report["completeness"]["complete"] and report["run"]["status"] == "completed"
    assert report["run"]["resumed"][0]["at_checkpoint"] == len(before.checkpoints) - 1
    assert report["stability"]["faults_injected"] > 20 and report["recovery"]["episodes_total"] > 0
    # its wall time spans two segments, of which the end record saw the last's load only
    assert report["performance"]["machine"] is None

    # the resumed soak is the same run as one never interrupted (deterministic replay)
    _, straight = _soak(tmp_path, "straight", duration_s=36.0, checkpoint_s=3.0, seed=5)
    for key in ("faults_by_type", "time_in_state_s", "errors_by_type", "failure_count"):
        assert report["stability"][key] == straight["stability"][key], key
    assert report["recovery"]["by_fault_type"] == straight["recovery"]["by_fault_type"]
    assert [c["digest"] for c in after.checkpoints] == [c["digest"] for c in read_journal(tmp_path / "straight").checkpoints]
    # a soak records the machine's load as a run does (``performance.machine``: compare's speed)
    machine = straight["performance"]["machine"]
    assert isinstance(machine["cpus"], int) and all(
        isinstance(machine[k], float) for k in ("load_1min_start", "load_1min_end")), machine


#: ``soundcheck soak ARGS`` in a child that sends itself SIGINT (a Ctrl-C, through the process's
#: signal handler as a key press goes) just after the soak wrote its second checkpoint: the signal
#: arrives at one simulated instant on every machine, however loaded, with no pacing, no polling
#: and no wait; a soak that ignored it would run its whole duration and end ``completed``
_CTRL_C_AFTER_THE_SECOND_CHECKPOINT = """
import os, signal, sys
from harness import journal
checkpoint = journal.JournalWriter.checkpoint
def then_ctrl_c(self, payload):
    out = checkpoint(self, payload)
    if self.checkpoints == 2:
        os.kill(os.getpid(), signal.SIGINT)
    return out
journal.JournalWriter.checkpoint = then_ctrl_c
from harness.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_sigint_stops_cleanly_and_still_writes_the_report(tmp_path):
    """Ctrl-C after the second checkpoint (10 simulated seconds of 60) ends the soak after the chunk
    it arrived in: exit 3 (inconclusive, never a failure of the system), the journal ended
    ``interrupted`` with no checkpoint past the second, the report written and marked so, the
    invariants still judged."""
    run_dir = tmp_path / "interrupted"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", _CTRL_C_AFTER_THE_SECOND_CHECKPOINT, "soak", "--duration", "60s",
                           "--checkpoint", "5s", "--seed", "1", "--pace", "0", "--run-dir", str(run_dir),
                           "--no-progress"], cwd=ROOT, env=env, capture_output=True, text=True)
    out, err = proc.stdout, proc.stderr
    assert proc.returncode == 3, (out, err[-3000:])  # inconclusive: the soak did not run to its end
    assert "Traceback" not in err and "interrupted" in out
    j = read_journal(run_dir)
    assert j.end is not None and j.end["status"] == "interrupted"
    assert len(j.checkpoints) == 2, [c.get("t") for c in j.checkpoints]
    report = json.loads((run_dir / "report.json").read_text())
    assert report["run"]["status"] == "interrupted"
    assert report["verdict"]["outcome"] == "inconclusive"
    assert "the run did not finish (interrupted)" in report["verdict"]["reasons"]
    assert report["stability"]["invariants"], "the invariants were still checked"


def test_resume_refuses_a_finished_soak_and_bad_input_is_exit_2(tmp_path, capsys):
    from harness.cli import main

    _soak(tmp_path, duration_s=20.0, checkpoint_s=10.0)
    assert main(["soak", "--resume", str(tmp_path / "run")]) == 2
    assert "already ended" in capsys.readouterr().err
    assert main(["soak", "--resume", str(tmp_path / "nope")]) == 2
    assert "no such run folder" in capsys.readouterr().err
    assert main(["soak", "--duration", "8 fortnights"]) == 2
    assert "unknown unit" in capsys.readouterr().err
    assert main(["soak", "--duration", "10s", "--faults", "no-such-profile",
                 "--run-dir", str(tmp_path / "x")]) == 2
    assert "unknown fault profile" in capsys.readouterr().err
    assert main(["soak", "--duration", "20s", "--run-dir", str(tmp_path / "run")]) == 2
    assert "--resume" in capsys.readouterr().err


@pytest.mark.parametrize("option", [["--program", "program.toml"], ["--system", "growing_system:make"],
                                    ["--duration", "1h"], ["--run-dir", "elsewhere"]])
def test_resume_refuses_a_setting_it_would_ignore(tmp_path, capsys, option):
    """``--resume`` takes every setting from the journal: an option it would silently ignore (the
    soak resumed without the program or system the user named) is refused, exit 2, naming it."""
    from harness.cli import main

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    assert main(["soak", "--resume", str(run_dir), *option]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"soundcheck: error: {option[0]}: ignored with --resume: a resumed soak takes its "
                          "settings from its journal"), err
    assert "Traceback" not in err


def test_quick_false_alarm_matrix_a_healthy_five_minute_soak_is_never_judged_a_leak(tmp_path, monkeypatch):
    """The quick part of the soak false-alarm matrix (the long part: bench/bench_soak.py --matrix).
    Seed 3 is the seed whose 1 h soak was judged "leak suspected: rss_bytes". In its first five
    minutes the healthy system's bounded buffers are still filling; in a fresh process RSS grows
    steadily (50-120 MiB/h measured), which a window this short cannot tell from a leak
    ("inconclusive", tests/harness/test_leaks.py); in a test process, memory earlier tests freed
    may absorb it ("ok"), so which of the two it is depends on the tests run before it in the same
    worker. What must hold in both: no leak, no failure, no doubt but that one, and the system's
    own books flat."""
    import harness.reports.plots as plots

    monkeypatch.setattr(plots, "draw_all", lambda *a, **kw: {})  # figures are not what this is about
    result, report = _soak(tmp_path, duration_s=300.0, checkpoint_s=30.0, seed=3)
    st = report["stability"]
    assert st["leaks_found"] == [], st["leaks"]
    assert all(v["verdict"] == "ok" for k, v in st["leaks"].items() if k != "rss_bytes"), st["leaks"]
    rss = st["leaks"]["rss_bytes"]["verdict"]
    assert rss in ("ok", "inconclusive"), st["leaks"]["rss_bytes"]  # never "leak"
    verdict = report["verdict"]
    assert verdict["failures"] == [] and result.status == "completed", verdict
    assert verdict["outcome"] == ("pass" if rss == "ok" else "inconclusive"), verdict
    assert all(r.startswith("leak judgement inconclusive: rss_bytes ") for r in verdict["reasons"]), verdict


def test_the_soak_lets_its_run_go_before_it_builds_the_report_from_the_journal(tmp_path, monkeypatch):
    """The report is rebuilt from the journal alone, so the run's system, history window, fault
    schedule and listening check (~170 MB after 8 simulated hours) must be gone by then: held,
    they sat under the report's build at the soak's peak resident size."""
    import gc
    import weakref

    import harness.reports as reports

    systems: list[weakref.ref] = []

    class Watched(AudioSystem):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            systems.append(weakref.ref(self))

    alive_at_report: list[int] = []
    real_write = reports.write_reports

    def write_reports(run_dir, *a, **kw):
        if not kw.get("run_data") and not a:  # the soak's rebuild from the journal
            gc.collect()
            alive_at_report.append(sum(1 for r in systems if r() is not None))
        return real_write(run_dir, *a, **kw)

    monkeypatch.setattr(reports, "write_reports", write_reports)
    result, report = _soak(tmp_path, duration_s=20.0, system_factory=Watched, faults="gentle")
    assert systems and alive_at_report == [0], (len(systems), alive_at_report)
    assert result.status == "completed" and report["run"]["status"] == "completed"


def test_a_resume_after_a_damaged_checkpoint_replays_every_chunk_journaled(tmp_path):
    """A soak killed after its fourth checkpoint (index 3) whose second checkpoint line was then
    damaged (its checksum fails: a gap the reader names): the resume replays the four chunks the
    soak ran, not the three checkpoints it could read, so its digest is compared with the chunk it
    belongs to (verified, not a false mismatch) and the chunks after it are journaled once each,
    none dropped as a repeat of the last one read."""
    _, _ = _soak(tmp_path, "run", duration_s=36.0, checkpoint_s=3.0, seed=5)
    run_dir = tmp_path / "run"
    whole = read_journal(run_dir)
    path = run_dir / "journal.jsonl"
    lines = path.read_bytes().split(b"\n")
    assert b'"type":"checkpoint"' in lines[4] and b'"index":3' in lines[4]
    at = lines[2].index(b'"digest":"') + len(b'"digest":"')
    lines[2] = lines[2][:at] + (b"0" if lines[2][at:at + 1] != b"0" else b"1") + lines[2][at + 1:]
    path.write_bytes(b"\n".join(lines[:5]) + b"\n")  # header, checkpoints 0-3: killed before the fourth
    (run_dir / "report.json").unlink()
    result = SoakRunner.resume(run_dir, pace=0)
    assert result.digest_verified is True and result.resumed_from == 3
    after = read_journal(run_dir)
    assert [c["index"] for c in after.checkpoints] == [0, *range(2, 12)]
    assert [c["digest"] for c in after.checkpoints] == [c["digest"] for c in whole.checkpoints if c["index"] != 1]
    assert len(after.problems) == 2, after.problems
    assert "line 3" in after.problems[0] and "checksum mismatch" in after.problems[0]
    assert "checkpoint 2 where 1 was expected" in after.problems[1]


def test_a_soak_stopped_part_way_journals_the_chunk_it_ran_last(tmp_path):
    """A soak stopped before its end (Ctrl-C, SIGTERM: ``request_stop``) journals a checkpoint at
    the stop: the chunk run since the previous checkpoint (its history, resource samples and
    glitches) is in the journal the report is rebuilt from, not lost. The stop comes from the
    simulated clock (a timer at 25.3 s), so the run is the same every time."""
    holder: dict = {}

    def system_with_a_stop(*args, **kw):
        system = AudioSystem(*args, **kw)
        system.clock.call_at(25.3, holder["soak"].request_stop)
        return system

    spec = SoakSpec(duration_s=60.0, seed=3, checkpoint_s=10.0, run_dir=tmp_path / "run")
    soak = holder["soak"] = SoakRunner(spec, system_factory=system_with_a_stop)
    result = soak.start()
    assert result.status == "interrupted"
    journal = read_journal(tmp_path / "run")
    assert journal.end is not None and journal.end["status"] == "interrupted"
    last = journal.checkpoints[-1]
    assert 25.3 <= last["sim_t1"] < 25.3 + spec.chunk_s + 1e-9, [c["sim_t1"] for c in journal.checkpoints]
    spans = [(c["sim_t0"], c["sim_t1"]) for c in journal.checkpoints]
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:])), spans  # one time line, no chunk left out
    assert any(e["time"] > last["sim_t0"] for e in last["entries"])


def test_a_segment_continued_after_a_resume_journals_its_history_on_the_soaks_time_line(
        tmp_path, make_system, attached):
    """A soak resumed on a real device continues (no replay) in a new process whose clock starts
    at 0; everything its recorder journals is placed on the soak's time line, offset by the time
    already done: the checkpoint's span, the resource samples and every history entry's time. A
    report rebuilt from the journal then reads one history in time order, the resumed segment
    after the first."""
    import threading
    from types import SimpleNamespace

    from harness.journal import JournalWriter, compact_entry
    from harness.soak import _Recorder

    done = 100.0
    spec = SoakSpec(duration_s=60.0, seed=3, checkpoint_s=10.0, run_dir=tmp_path / "run")
    journal = JournalWriter.create(tmp_path / "run", {"seed": 3})
    recorder = _Recorder(SoakRunner(spec), journal, segment=1, t_offset=done, replay_until=0,
                         expected_digest=None, wall_offset=0.0)
    system = make_system()
    history = attached(system, metrics_every_s=0.5)
    system.run_for(2.0)
    system.backend.remove_device("sim-in")  # something worth a line: an error, a recovery
    system.run_for(3.0)
    run = SimpleNamespace(spec=SimpleNamespace(duration_s=system.clock.now()), _stop=threading.Event(),
                          audio=None)
    recorder(run, system, history)  # the run's end: the last checkpoint
    journal.close()
    (cp,) = read_journal(tmp_path / "run", require_header=False).checkpoints
    now = system.clock.now()
    assert cp["sim_t1"] == pytest.approx(done + now)
    assert [s["t"] for s in cp["samples"]] == [pytest.approx(done + now)]
    kept = [c for c in (compact_entry(e) for e in history) if c is not None]
    assert len(kept) > 10 and len(cp["entries"]) == len(kept)
    assert [e["time"] for e in cp["entries"]] == [pytest.approx(done + c["time"]) for c in kept]


def test_a_soak_stopped_from_its_progress_callback_journals_the_chunk_it_ran_last(tmp_path):
    """A stop requested while the progress is reported (the CLI's progress line, a caller's
    ``on_progress``; a Ctrl-C landing there) is seen by the chunk's recorder: the journal's last
    checkpoint ends where the run stopped, as the end record says, so the report rebuilt from
    the journal holds the run's last chunk."""
    spec = SoakSpec(duration_s=60.0, seed=3, checkpoint_s=10.0, run_dir=tmp_path / "run")
    soak = SoakRunner(spec)
    result = soak.start(on_progress=lambda p: soak.request_stop() if p.simulated_s >= 25.0 else None)
    assert result.status == "interrupted"
    journal = read_journal(tmp_path / "run")
    assert journal.problems == []
    assert [c["sim_t1"] for c in journal.checkpoints] == [10.0, 20.0, journal.end["sim_t"]]
    assert journal.end["sim_t"] >= 25.0


def test_a_soak_that_crashes_closes_its_journal_and_leaves_it_resumable(tmp_path, monkeypatch):
    """A run that ends by an exception the runner lets through (SystemExit, a test's timeout: a
    ``BaseException`` other than Ctrl-C's) must not leave the journal's file open for the garbage
    collector to close later (a ResourceWarning in whatever runs next): it is closed as the
    exception passes, with no end record, so ``--resume`` can still continue it."""
    import harness.journal as journal_mod
    import harness.runner as runner_mod

    class Timeout(BaseException):
        """What pytest-timeout raises in the main thread: not an ``Exception``."""

    writers: list = []
    create = journal_mod.JournalWriter.create.__func__

    def recording_create(cls, *a, **kw):
        writers.append(create(cls, *a, **kw))
        return writers[-1]

    monkeypatch.setattr(journal_mod.JournalWriter, "create", classmethod(recording_create))
    execute = runner_mod.ReliabilityRun.execute

    def crash_after_a_checkpoint(self, *, on_chunk=None, **kw):
        def chunk_then_crash(*a, **k):
            on_chunk(*a, **k)
            if len(read_journal(tmp_path / "run").checkpoints) >= 1:
                raise Timeout("the test's time is up")
        return execute(self, on_chunk=chunk_then_crash, **kw)

    monkeypatch.setattr(runner_mod.ReliabilityRun, "execute", crash_after_a_checkpoint)
    with pytest.raises(Timeout):
        _soak(tmp_path, duration_s=60.0, checkpoint_s=10.0)
    assert len(writers) == 1 and writers[0]._fh.closed
    j = read_journal(tmp_path / "run")
    assert j.end is None and len(j.checkpoints) >= 1


def test_a_checkpoint_s_counters_are_the_snapshot_s_without_its_histogram_summaries() -> None:
    """The soak reads the counters for its checkpoints and state digests without the snapshot's
    histogram percentiles: the same dict, key for key and value for value, for the system's own
    registry; another registry's snapshot is asked as before."""
    from types import SimpleNamespace

    from harness.soak import _counter_values
    from system_under_test.monitoring import MonitoringCoordinator

    m = MonitoringCoordinator()
    m.counter("callbacks").inc(7)
    m.counter("a_counter_of_its_own").inc(3)
    for v in (0.1, 0.2, 0.3):
        m.histogram("callback_duration_s").observe(v)
    got = _counter_values(SimpleNamespace(monitoring=m), 1.5)
    want = m.snapshot(1.5).counters
    assert got == want and list(got) == list(want)

    class Registry:
        def snapshot(self, time: float) -> SimpleNamespace:
            return SimpleNamespace(counters={"callbacks": int(time)})

    assert _counter_values(SimpleNamespace(monitoring=Registry()), 4.0) == {"callbacks": 4}


def test_each_history_entry_is_journaled_once_across_checkpoints(tmp_path):
    """A checkpoint journals the history entries since the one before: none twice, none lost.
    The faults journaled are the history's, one for one (a report rebuilt from the
    journal counts each fault once)."""
    from harness.journal import read_journal

    _soak(tmp_path, duration_s=20.0, checkpoint_s=5.0)
    journal = read_journal(tmp_path / "run")
    assert len(journal.checkpoints) == 4
    journaled = [e for c in journal.checkpoints for e in c["entries"]]
    history = [json.loads(line) for line in (tmp_path / "run" / "history.jsonl").read_text().splitlines()]

    def of_type(entries, kind):
        return [(e["type"], round(e["time"], 9)) for e in entries if e.get("type") == kind]

    assert of_type(history, "fault_start"), "the soak injected no fault: nothing to count"
    for kind in ("fault_start", "fault_end"):
        assert of_type(journaled, kind) == of_type(history, kind), kind


def test_a_resumed_run_holds_no_reference_to_the_journal_it_replayed(tmp_path, monkeypatch):
    """The journal a resume parses (every checkpoint's history entries and samples: ~0.55 MB of
    small objects a checkpoint of a simulated soak) is let go once the resume has read what it
    needs from it: kept alive by the resume's frame for the whole resumed run, it stepped
    pymalloc's bytes up at each resume (a resumed soak's pymalloc read "leak" with a healthy
    system). Checked in every chunk of the resumed run, after a full collection; the resume's
    verdicts and journal stay those of the run resumed."""
    import gc
    import weakref

    import harness.journal as journal_mod
    import harness.runner as runner_mod

    _, _ = _soak(tmp_path, "run", duration_s=36.0, checkpoint_s=3.0, seed=5)
    run_dir = tmp_path / "run"
    whole = read_journal(run_dir)
    path = run_dir / "journal.jsonl"
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join(lines[:5]) + b"\n")  # header, checkpoints 0-3: killed before the fourth
    (run_dir / "report.json").unlink()

    parsed: list = []
    resume = journal_mod.JournalWriter.resume.__func__

    def recording_resume(cls, *a, **kw):
        writer, data = resume(cls, *a, **kw)
        parsed.append(weakref.ref(data))
        return writer, data

    alive_in_chunks: list[bool] = []
    execute = runner_mod.ReliabilityRun.execute

    def execute_watching(self, *, on_chunk=None, **kw):
        def chunk(*a, **k):
            on_chunk(*a, **k)
            gc.collect()
            alive_in_chunks.append(parsed[-1]() is not None)
        return execute(self, on_chunk=chunk, **kw)

    monkeypatch.setattr(journal_mod.JournalWriter, "resume", classmethod(recording_resume))
    monkeypatch.setattr(runner_mod.ReliabilityRun, "execute", execute_watching)
    result = SoakRunner.resume(run_dir, pace=0)
    assert len(parsed) == 1 and len(alive_in_chunks) == 36, (len(parsed), alive_in_chunks)  # 1-s chunks
    assert not any(alive_in_chunks), alive_in_chunks
    assert result.digest_verified is True and result.resumed_from == 3 and result.status == "completed"
    after = read_journal(run_dir)
    assert [c["digest"] for c in after.checkpoints] == [c["digest"] for c in whole.checkpoints]
