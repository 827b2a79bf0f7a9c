"""A table of hostile files and arguments fed to the real CLI entry point (``harness.cli.main``),
each held to the whole of the CLI's contract for bad input, not to part of it:

- the exit status is exactly 2;
- stderr is one message (``soundcheck: error: ...``) naming the file and the field (or the
  option) that is wrong, with no traceback and no "internal error";
- nothing is created, changed or removed anywhere: not in the folder the command ran in (its
  working directory, where the run folders and the run-history database would go), not in
  ``$HOME``, not in the crash-log folder, and not in a folder outside beside them.

Each row is a file as a user could write it by hand: a number in quotes (``duration_s = "2"``), a
switch written as text or 0, a key given twice in a JSON object, a saved schedule that is binary,
too deep, not finite, misspelt or out of range. The commands run in-process, with ``$HOME``,
``$SOUNDCHECK_HISTORY_DB`` and ``$SOUNDCHECK_LOG_DIR`` pointed into the test's own folders, so the
snapshots compare only what the command could have touched.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.cli import main
from tests.harness.tree_snapshot import snapshot


@dataclass(frozen=True)
class Hostile:
    """One hostile input: the file to write (name and bytes), the command line (``{f}`` is the
    file's path, ``{out}`` a folder the command may create if it ran), and the words the message
    must hold besides the file's name (the field or option at fault)."""

    name: str
    content: bytes
    argv: tuple[str, ...]
    field: str


def _toml(text: str) -> bytes:
    return textwrap.dedent(text).encode()


SCENARIO_HEAD = """\
    format = 1
    [scenario]
    id = "hostile"
    title = "t"
    reproduces = "r"
"""


def _scenario(text: str) -> bytes:
    return _toml(SCENARIO_HEAD + textwrap.dedent(text))


def _schedule(**changes: object) -> bytes:
    doc = {"soundcheck": "soundcheck-schedule", "seed": 7, "invariant": "clean_audio", "mutant": None,
           "faults": "swarm", "duration_s": 1.0, "schedule": {"faults": []}}
    doc.update(changes)
    return json.dumps(doc).encode()


RUN = ("run", "--duration", "1", "--report-dir", "{out}")
SCHEDULE_SHRINK = ("scenario", "shrink", "{f}", "--max-runs", "1", "-o", "{out}")

#: each of these was read as something else before (a quoted number as the number, a switch's
#: text as a boolean, the second of two keys), or crashed, hung or ran on a misspelt name
HOSTILE: list[tuple[str, Hostile]] = [
    # -- a system configuration (``--config``): numbers and switches in quotes --------------------
    ("config-quoted-int", Hostile("c.toml", _toml('[stream]\nsample_rate = "48000"\n'),
                                  (*RUN, "--config", "{f}"), "stream.sample_rate")),
    ("config-quoted-float-json", Hostile("c.json", b'{"stream": {"latency_ms": "20"}}',
                                         (*RUN, "--config", "{f}"), "stream.latency_ms")),
    ("config-float-for-int", Hostile("c.toml", _toml("[stream]\nblock_size = 256.0\n"),
                                     (*RUN, "--config", "{f}"), "stream.block_size")),
    ("config-switch-as-text", Hostile("c.toml", _toml('[recovery]\ndegrade_on_exhaustion = "no"\n'),
                                      (*RUN, "--config", "{f}"), "recovery.degrade_on_exhaustion")),
    ("config-switch-as-number", Hostile("c.toml", _toml("[recovery]\ndegrade_on_exhaustion = 0\n"),
                                        (*RUN, "--config", "{f}"), "recovery.degrade_on_exhaustion")),
    ("config-quoted-gain", Hostile("c.toml", _toml('[[dsp]]\nkind = "gain"\ngain_db = "-3"\n'),
                                   (*RUN, "--config", "{f}"), "dsp[0].gain_db")),
    ("config-json-duplicate-key", Hostile("c.json", b'{"stream": {"sample_rate": 48000, "sample_rate": 44100}}',
                                          (*RUN, "--config", "{f}"), "'sample_rate' is given twice")),
    # -- a fault profile (``--faults FILE``) ----------------------------------------------------------
    ("profile-quoted-probability", Hostile("p.toml", _toml('[probabilities]\nxrun = "0.5"\n'),
                                           (*RUN, "--faults", "{f}"), "probabilities.xrun")),
    ("profile-quoted-interval", Hostile("p.toml", _toml('check_every_s = "0.25"\n[probabilities]\nxrun = 0.5\n'),
                                        (*RUN, "--faults", "{f}"), "check_every_s")),
    ("profile-quoted-parameter", Hostile("p.toml", _toml('[probabilities]\nconcurrent_transitions = 1\n'
                                                         '[params.concurrent_transitions]\nthreads = "8"\n'),
                                         (*RUN, "--faults", "{f}"), "params.concurrent_transitions.threads")),
    ("profile-quoted-range-end", Hostile("p.toml", _toml('[probabilities]\nconcurrent_transitions = 1\n'
                                                         '[params.concurrent_transitions]\nops_per_thread = [1, "5"]\n'),
                                         (*RUN, "--faults", "{f}"), "params.concurrent_transitions.ops_per_thread")),
    ("profile-switch-as-text", Hostile("p.toml", _toml('[probabilities]\ndropout = 0.5\n[params.dropout]\n'
                                                       'report = "no"\n'),
                                       (*RUN, "--faults", "{f}"), "params.dropout.report")),
    ("profile-quoted-gate", Hostile("p.toml", _toml('[probabilities]\nxrun = 0.5\n[gates]\n'
                                                    'recovery_p95_s_max = "0.5"\n'),
                                    (*RUN, "--faults", "{f}"), "gates.recovery_p95_s_max")),
    # -- a scenario (``scenario check``) --------------------------------------------------------------
    ("scenario-quoted-seed", Hostile("s.toml", _scenario('[run]\nseed = "7"\n[[steps]]\nop = "start"\n'
                                                         '[[expect]]\nstate = "running"\n'),
                                     ("scenario", "check", "{f}"), "run.seed")),
    ("scenario-quoted-metric-bound", Hostile("s.toml", _scenario('[[steps]]\nop = "start"\n[[expect]]\n'
                                                                 'metric = "xruns"\nmax = "1"\n'),
                                             ("scenario", "check", "{f}"), "expect[0].max")),
    ("scenario-switch-as-text", Hostile("s.toml", _scenario('[[steps]]\nop = "start"\n[[expect]]\n'
                                                            'state = "running"\nhealthy = "yes"\n'),
                                        ("scenario", "check", "{f}"), "expect[0].healthy")),
    ("scenario-cleanup-switch-as-number", Hostile("s.toml", _scenario('[[steps]]\nop = "start"\n[[expect]]\n'
                                                                      'state = "running"\n[cleanup]\n'
                                                                      'check_leaks = 0\n'),
                                                  ("scenario", "check", "{f}"), "cleanup.check_leaks")),
    ("scenario-quoted-fault-parameter", Hostile("s.toml", _scenario('[[steps]]\nop = "start"\n[[steps]]\n'
                                                                    'fault = "concurrent_transitions"\n'
                                                                    'threads = "4"\nat = "100ms"\n[[expect]]\n'
                                                                    'state = "running"\n'),
                                                ("scenario", "check", "{f}"), "steps[1].threads")),
    # -- a swarm's saved schedule (``scenario shrink FILE.schedule.json``) ----------------------------
    ("schedule-binary", Hostile("x.schedule.json", b"\xff\xfe\x00binary", SCHEDULE_SHRINK, "UTF-8")),
    ("schedule-deep", Hostile("x.schedule.json", b"[" * 5000 + b"]" * 5000, SCHEDULE_SHRINK, "nested")),
    ("schedule-nan-duration", Hostile("x.schedule.json", _schedule().replace(b"1.0", b"NaN"), SCHEDULE_SHRINK,
                                      "NaN")),
    ("schedule-huge-duration", Hostile("x.schedule.json", _schedule(duration_s=1e300), SCHEDULE_SHRINK,
                                       "duration_s")),
    ("schedule-negative-duration", Hostile("x.schedule.json", _schedule(duration_s=-5), SCHEDULE_SHRINK,
                                           "duration_s")),
    ("schedule-quoted-duration", Hostile("x.schedule.json", _schedule(duration_s="2"), SCHEDULE_SHRINK,
                                         "duration_s")),
    ("schedule-quoted-seed", Hostile("x.schedule.json", _schedule(seed="7"), SCHEDULE_SHRINK, "seed")),
    ("schedule-negative-seed", Hostile("x.schedule.json", _schedule(seed=-1), SCHEDULE_SHRINK, "seed")),
    ("schedule-misspelt-invariant", Hostile("x.schedule.json", _schedule(invariant="clean_audoi"), SCHEDULE_SHRINK,
                                            "did you mean 'clean_audio'")),
    ("schedule-misspelt-mutant", Hostile("x.schedule.json", _schedule(mutant="ring_loses_frames"), SCHEDULE_SHRINK,
                                         "did you mean 'ring_loses_frame'")),
    ("schedule-misspelt-profile", Hostile("x.schedule.json", _schedule(faults="defualt"), SCHEDULE_SHRINK,
                                          "did you mean 'default'")),
    ("schedule-misspelt-key", Hostile("x.schedule.json", _schedule(sead=3), SCHEDULE_SHRINK,
                                      "did you mean 'seed'")),
    # -- a swarm's options: each seed is a run, held to a run's longest duration ----------------------
    ("swarm-duration-beyond-a-run", Hostile("unused.txt", b"", ("swarm", "--seeds", "1", "--duration", "99999999d",
                                                                "--out", "{out}", "--no-history", "--quiet"),
                                            "--duration")),
]


@pytest.mark.parametrize("case", [h for _, h in HOSTILE], ids=[name for name, _ in HOSTILE])
def test_a_hostile_input_is_exit_2_naming_file_and_field_and_changes_nothing(tmp_path, monkeypatch, case):
    work, home, outside, logs = (tmp_path / n for n in ("work", "home", "outside", "logs"))
    for folder in (work, home, outside, logs):
        folder.mkdir()
    (home / ".profile").write_text("mine\n")
    (outside / "precious.txt").write_text("do not touch\n")
    os.symlink(outside, work / "link-out")  # a lure: a write through it would change ``outside``
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(work / "history.sqlite"))
    monkeypatch.setenv("SOUNDCHECK_LOG_DIR", str(logs))
    path = work / case.name
    path.write_bytes(case.content)
    before = snapshot(tmp_path)
    argv = [a.format(f=path, out=work / "out") for a in case.argv]

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    message = err.getvalue()

    assert code == 2, (code, message, out.getvalue())
    assert message.startswith("soundcheck: error: "), message
    assert message.count("soundcheck: error:") == 1, message
    assert "Traceback" not in message and "internal error" not in message, message
    if case.name != "unused.txt":
        assert case.name in message, message
    assert case.field in message, message
    assert snapshot(tmp_path) == before  # nothing created (no run folder, no database, no log)


# ----------------------------------------------------------------- the loopback rig's inputs ----
def _cli(*argv: object) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, err.getvalue()


@pytest.fixture
def rig_hands_off(monkeypatch):
    """Whatever the code under test does, no jackd starts, no process is signalled and nothing
    under /dev/shm is removed: each is recorded instead (so the rows below are safe to run on a
    tree that would do them)."""
    from harness.rig import loopback

    done: list[tuple[str, object]] = []
    monkeypatch.setattr(loopback.LoopbackRig, "start", lambda self: done.append(("start", self.server_name)))
    monkeypatch.setattr(loopback, "_terminate_group", lambda pid, **kw: done.append(("kill", pid)))
    monkeypatch.setattr(loopback.shutil, "rmtree", lambda path, **kw: done.append(("rmtree", path)))
    monkeypatch.setattr(loopback.os, "unlink", lambda path, *a, **kw: done.append(("unlink", path)))
    monkeypatch.setattr(loopback.glob, "glob", lambda pattern, **kw: [pattern])
    return done


@pytest.mark.parametrize("state, field", [
    (b"[1, 2]", "must be a table"),
    (b"{}", "pid"),
    (b'{"pid": "x", "server_name": "soundcheck"}', "pid"),
    (b'{"pid": 1e400, "server_name": "soundcheck"}', "pid"),
    (b'{"pid": PID}', "server_name"),
    (b'{"pid": PID, "server_name": "."}', "server_name"),
    (b'{"pid": PID, "server_name": "../../home"}', "server_name"),
], ids=["list", "empty", "pid-text", "pid-infinite", "no-name", "name-dot", "name-climbs"])
@pytest.mark.parametrize("action", ["status", "down"])
def test_a_hostile_loopback_state_file_is_exit_2_and_nothing_is_killed_or_removed(tmp_path, rig_hands_off, action,
                                                                                 state, field):
    """``down`` kills the recorded pid and removes /dev/shm files named after the recorded server:
    ``"server_name": "."`` removed the whole of ``/dev/shm/jack_db-<uid>`` (every JACK server's
    shared metadata), and a file that was not an object or lacked a key was an internal error."""
    path = tmp_path / "state.json"
    path.write_bytes(state.replace(b"PID", str(os.getpid()).encode()))  # a live pid that is no jackd
    code, err = _cli("loopback", "--state", path, action)
    assert code == 2, (code, err)
    assert err.startswith("soundcheck: error: ") and "internal error" not in err, err
    assert str(path) in err and field in err, err
    assert rig_hands_off == []
    assert path.exists()  # a refused state file is left for the user to look at


@pytest.mark.parametrize("option, value", [("--rate", "-1"), ("--rate", "0"), ("--period", "0"),
                                           ("--timeout", "nan"), ("--timeout", "-5"), ("--server-name", "."),
                                           ("--server-name", "../x"), ("--server-name", "")])
def test_loopback_up_refuses_a_hostile_option_before_any_server_starts(tmp_path, rig_hands_off, option, value):
    code, err = _cli("loopback", "--state", tmp_path / "state.json", "up", option, value)
    assert code == 2, (code, err)
    assert err.startswith("soundcheck: error: argument " + option), err
    assert rig_hands_off == []
    assert not (tmp_path / "state.json").exists()


@pytest.mark.parametrize("slot", ["0", "5"])
def test_loopback_up_refuses_a_pooled_server_name_naming_the_option_and_the_fix(tmp_path, rig_hands_off, slot):
    """A server started under a pooled name would be stopped as an orphan by the next run that
    leases that name. Fails without the refusal: the rig starts (recorded by ``rig_hands_off``)."""
    from harness.rig.loopback import pooled_server_names

    name = f"soundcheck-rig-{slot}"
    assert name in pooled_server_names()
    code, err = _cli("loopback", "--state", tmp_path / "state.json", "up", "--server-name", name)
    assert code == 2, (code, err)
    assert err.startswith("soundcheck: error: argument --server-name: "), err
    assert f"{name!r} is one of the names the rig's own runs lease" in err and "orphan" in err
    assert "give another name, or leave --server-name out" in err and "Traceback" not in err
    assert rig_hands_off == []
    assert not (tmp_path / "state.json").exists()


@pytest.mark.parametrize("name", ["soundcheck-rig", "soundcheck-rig-6", "soundcheck-rig-01", "my-rig-0"])
def test_loopback_up_takes_a_name_outside_the_pool(tmp_path, rig_hands_off, name, monkeypatch):
    """The refusal is the pool's names only: a name beside them starts its server (the start is
    recorded, not done)."""
    from harness.rig import loopback

    monkeypatch.setattr(loopback.LoopbackRig, "detach_state",
                        lambda self: {"pid": 1, "server_name": self.server_name}, raising=False)
    code, err = _cli("loopback", "--state", tmp_path / "state.json", "up", "--server-name", name)
    assert (code, err) == (0, ""), (code, err)
    assert rig_hands_off == [("start", name)]


@pytest.mark.parametrize("name", [".", "..", "../../tmp", "a/b", ""])
def test_cleaning_up_after_a_name_that_is_no_server_name_removes_nothing(rig_hands_off, name):
    from harness.rig.loopback import _cleanup_shm

    _cleanup_shm(name)
    assert rig_hands_off == []
