"""The catalogue of realistic bugs (``bench/bench_realistic_bugs.py``) stays applicable.

Each entry patches one snippet of system_under_test/ (or, for a path that starts with
``harness/``, of the harness's own checkers) that must occur exactly once. A change to
the code under test that rewrites such a snippet leaves the entry applying to no tree: the
bench then reports it as an error, and a batch tried again on a later main silently loses a
bug. This check fails at the change instead, so whoever changes the code also updates the
entry (its ``old`` and ``new`` as the code now reads)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench_scripts import load_bench_script

ROOT = Path(__file__).resolve().parents[2]


def _bench():
    """The bench module, loaded from its file (bench/ is no package)."""
    return load_bench_script("bench_realistic_bugs.py", "bench_realistic_bugs_judge")


def _catalogue() -> list:
    return list(_bench().BUGS)


def test_every_catalogued_bug_still_patches_exactly_one_place() -> None:
    bugs = _catalogue()
    assert len(bugs) > 300
    names = [b.name for b in bugs]
    assert len(set(names)) == len(names), "duplicate bug names"
    stale = []
    for b in bugs:
        # a path under harness/ (batch 17: the harness's own checkers) is from the root
        text = (ROOT / b.path if b.path.startswith("harness/") else ROOT / "system_under_test" / b.path).read_text()
        if text.count(b.old) != 1:
            stale.append(f"{b.name} ({b.path}): its 'old' snippet occurs {text.count(b.old)} time(s)")
    assert not stale, "\n".join(stale)
    assert all(b.old != b.new for b in bugs)




def test_a_run_at_the_timeout_is_a_hang_only_when_the_bug_not_the_machine_kept_it_from_finishing() -> None:
    """The bench's verdict on a run still going at its wall timeout (issue #12): a starved machine
    is not a detection. The unpatched tree's same selection needed 120 s of CPU to finish."""
    b = _bench()
    U, healthy = b.TreeUsage, b.TreeUsage(cpu_s=120.0, wait_s=30.0)
    # last round's starved rows: 1.9 % of a core over 875 s, runnable and waiting the rest
    assert b.judge_timeout(U(cpu_s=16.6, wait_s=858.0), healthy, True) == b.STARVED
    # the unpatched tree does not finish either: the machine, whatever the bug's tree did
    assert b.judge_timeout(U(cpu_s=900.0, wait_s=0.0), healthy, False) == b.STARVED
    assert b.judge_timeout(U(cpu_s=3.0, wait_s=0.5), healthy, False) == b.STARVED
    # a busy loop, or work that never ends: it had the CPU the healthy tree needed to finish
    assert b.judge_timeout(U(cpu_s=900.0, wait_s=400.0), healthy, True) == b.HANG
    assert b.judge_timeout(U(cpu_s=120.0, wait_s=None), healthy, True) == b.HANG
    # a deadlock: it hardly asked for a CPU (10 s on one, 2 s waiting for one, 888 s asleep)
    assert b.judge_timeout(U(cpu_s=10.0, wait_s=2.0), healthy, True) == b.HANG
    # it slept some, but its CPU time and runnable wait reach what the healthy tree needed: the
    # machine may have kept it from finishing
    assert b.judge_timeout(U(cpu_s=60.0, wait_s=60.0), healthy, True) == b.STARVED
    # no schedstat: sleep cannot be told from starvation, so only the CPU time can make a hang
    assert b.judge_timeout(U(cpu_s=10.0, wait_s=None), healthy, True) == b.STARVED
    assert not b.STARVED.startswith("caught")  # the summary counts verdicts starting "caught"


def test_a_run_at_the_timeout_is_no_hang_when_the_unpatched_tree_failed_its_selection() -> None:
    """The unpatched tree's selection is the measure of what finishing takes only when it passed:
    one that failed early (a real-device test's bound that does not hold at load 35, ``-x``
    stopping there after 29 s of CPU) says nothing about a bug's tree still running at the timeout
    with 144 s of CPU and 788 s waiting for a CPU: inconclusive, not a caught hang."""
    b = _bench()
    U = b.TreeUsage
    starved = U(cpu_s=144.0, wait_s=788.0)
    failed = b.Result("(healthy tree)", "caught", ["tests/x.py::test_bound"], 300.0, usage=U(29.0, 40.0))
    assert b.timeout_verdict(starved, failed) == b.STARVED
    errored = b.Result("(healthy tree)", "error", [], 300.0, usage=U(29.0, 40.0))
    assert b.timeout_verdict(starved, errored) == b.STARVED
    unfinished = b.Result("(healthy tree)", "timeout", [], 900.0, usage=U(120.0, 30.0), finished=False)
    assert b.timeout_verdict(starved, unfinished) == b.STARVED
    # a healthy tree that passed on 120 s of CPU: the bug's tree had them and did not finish
    passed = b.Result("(healthy tree)", "passed", [], 500.0, usage=U(120.0, 30.0))
    assert b.timeout_verdict(starved, passed) == b.HANG
    assert b.timeout_verdict(U(cpu_s=60.0, wait_s=60.0), passed) == b.STARVED

def test_the_bench_reads_a_finished_run_s_process_tree_usage() -> None:
    """A finished run's CPU time is the exit's rusage (pytest and what it reaped) at least: the
    unpatched tree's figure a timed-out bug's tree is compared with."""
    b = _bench()
    code = "import time; t = time.process_time()\nwhile time.process_time() - t < 0.2: pass\nprint('done')"
    proc, usage = b._run_sampled([sys.executable, "-c", code], ROOT, dict(os.environ), timeout=600.0)
    assert proc is not None and proc.returncode == 0 and proc.stdout.strip() == "done"
    assert usage.cpu_s >= 0.2
    assert (usage.wait_s is None) == (not Path("/proc/self/task").exists() or not any(
        (p / "schedstat").exists() for p in Path("/proc/self/task").iterdir()))


_TIMEOUT_SUBJECTS = '''\
import threading

import pytest


@pytest.mark.timeout(0.5, method="signal")
def test_waits_for_ever_signal():
    threading.Event().wait()


@pytest.mark.timeout(0.5, method="thread")
def test_waits_for_ever_thread():
    threading.Event().wait()


def test_fails_of_its_own():
    assert 1 == 2
'''


def _pytest_run(tmp_path: Path, *args: str) -> "subprocess.CompletedProcess[str]":
    """pytest as the bench runs a selection (its flags), on ``_TIMEOUT_SUBJECTS``."""
    (tmp_path / "test_subjects.py").write_text(_TIMEOUT_SUBJECTS)
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfE", "--no-header",
                           "-p", "no:xdist", "--rootdir", str(tmp_path), "-c", "/dev/null", *args],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("method", ["signal", "thread"])
def test_a_run_whose_only_failure_is_pytest_timeouts_is_a_timeout_not_a_catch(tmp_path: Path, method: str) -> None:
    """A test stopped by pytest-timeout is no evidence that a bug broke a promise (a healthy test
    on a loaded machine reaches its timeout too): the bench counts it apart, neither caught nor
    missed. Both of pytest-timeout's methods: the signal's failure inside the test, the thread's
    banner before it ends the process with no summary."""
    b = _bench()
    proc = _pytest_run(tmp_path, "-x", f"test_subjects.py::test_waits_for_ever_{method}")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    verdict, by, detail = b.finished_verdict(proc, stop_first=True)
    assert verdict == b.TIMEOUT and "pytest-timeout" in detail
    expected = ["test_subjects.py::test_waits_for_ever_signal"] if method == "signal" \
        else ["(pytest-timeout ended the process)"]
    assert by == expected


def test_a_run_with_a_failure_of_its_own_beside_a_timeout_is_caught_by_that_failure(tmp_path: Path) -> None:
    b = _bench()
    proc = _pytest_run(tmp_path, "test_subjects.py::test_waits_for_ever_signal", "test_subjects.py::test_fails_of_its_own")
    assert proc.returncode == 1
    assert b.finished_verdict(proc, stop_first=False) == ("caught", ["test_subjects.py::test_fails_of_its_own"], "")


def test_the_summary_line_counts_timeouts_apart_from_catches_and_misses() -> None:
    b = _bench()
    results = [b.Result("a", "caught", ["t"], 1.0), b.Result("b", b.HANG, [], 1.0), b.Result("c", "missed", [], 1.0),
               b.Result("d", b.TIMEOUT, ["t"], 1.0), b.Result("e", b.TIMEOUT, ["t"], 1.0),
               b.Result("f", b.STARVED, [], 1.0), b.Result("g", "error", [], 1.0),
               b.Result("h", b.BASELINE_FAILING, ["t"], 1.0)]
    assert b.summary_line(results) == ("caught 2 / 8 (1 missed, 1 error(s), 1 inconclusive (starved), "
                                       "2 timeout(s), 1 baseline-failing)")


_BASELINE_SUBJECT = '''\
from pathlib import Path

VALUE = (Path(__file__).parents[1] / "system_under_test" / "subject.py").read_text()


def test_value_holds():
    assert VALUE == "VALUE = 1\\n"


def test_fails_whatever_the_code():
    assert False, "a bound the machine missed"
'''


def _baseline_bench(monkeypatch: pytest.MonkeyPatch):
    """The bench with its tree copy replaced by a two-test subject: one test that holds the
    subject's value, one that fails whatever the code (as a test failing by itself under load)."""
    b = _bench()

    def copy_tree(dst: Path) -> None:
        (dst / "system_under_test").mkdir()
        (dst / "system_under_test" / "subject.py").write_text("VALUE = 1\n")
        (dst / "tests").mkdir()
        (dst / "tests" / "test_subject.py").write_text(_BASELINE_SUBJECT)

    monkeypatch.setattr(b, "_copy_tree", copy_tree)
    monkeypatch.delenv("PYTEST_ADDOPTS", raising=False)
    return b, b.Bug("value_two", "subject.py", "VALUE = 1", "VALUE = 2", "a change", "a promise")


def test_a_catch_is_baseline_failing_when_its_test_also_fails_on_the_unpatched_tree_and_stands_when_it_holds(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that fails without the bug counts every bug its selection reaches as caught; the
    bench re-runs a catching test on the unpatched tree and reports such a bug apart."""
    b, bug = _baseline_bench(monkeypatch)
    r = b.try_bug(bug, ["tests/test_subject.py::test_fails_whatever_the_code"], whole=False, timeout=600.0,
                  stop_first=True)
    assert (r.verdict, r.by) == (b.BASELINE_FAILING, ["tests/test_subject.py::test_fails_whatever_the_code"])
    assert "unpatched tree" in r.detail
    assert b.summary_line([r]) == ("caught 0 / 1 (0 missed, 0 error(s), 0 inconclusive (starved), 0 timeout(s), "
                                   "1 baseline-failing)")
    # the same bug caught by a test that holds without it: the catch stands
    r = b.try_bug(bug, ["tests/test_subject.py::test_value_holds", "tests/test_subject.py::test_fails_whatever_the_code"],
                  whole=False, timeout=600.0, stop_first=True)
    assert (r.verdict, r.by, r.detail) == ("caught", ["tests/test_subject.py::test_value_holds"], "")


_SESSION_FAILS = '''\
def pytest_sessionfinish(session, exitstatus):
    session.config.get_terminal_writer().line("the session's tests left junk in the working directory")
    session.exitstatus = 1
'''


def test_an_unpatched_tree_s_failure_is_told_in_its_own_words_never_as_the_catching_test_s(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A clean run that failed keeps what it said (the evidence of a flaky test's cause, or of
    none); one whose session failed naming no test (the suite's check for files left in the
    working directory) is not reported as the catching test failing. Fails without
    ``failure_evidence``: the detail named the catching test and kept no output."""
    b, bug = _baseline_bench(monkeypatch)
    copy = b._copy_tree

    def copy_with_a_failing_session(dst: Path) -> None:
        copy(dst)
        (dst / "tests" / "conftest.py").write_text(_SESSION_FAILS)

    monkeypatch.setattr(b, "_copy_tree", copy_with_a_failing_session)
    b._CLEAN_FAILURES.clear()  # a module other tests loaded too: no clean failure of theirs reused
    r = b.try_bug(bug, ["tests/test_subject.py::test_value_holds"], whole=False, timeout=600.0, stop_first=True)
    assert (r.verdict, r.by) == (b.BASELINE_FAILING, ["tests/test_subject.py::test_value_holds"])
    assert "no test failed: the session itself ended failing" in r.detail, r.detail
    assert "left junk in the working directory" in r.detail, r.detail
    monkeypatch.setattr(b, "_copy_tree", copy)
    b._CLEAN_FAILURES.clear()
    r = b.try_bug(bug, ["tests/test_subject.py::test_fails_whatever_the_code"], whole=False, timeout=600.0,
                  stop_first=True)
    assert "FAILED tests/test_subject.py::test_fails_whatever_the_code - AssertionError: a bound the machine missed" \
        in r.detail, r.detail


def test_a_catch_the_unpatched_trees_rerun_gives_no_verdict_on_is_not_confirmed() -> None:
    b = _bench()
    caught = b.Result("bug", "caught", ["t::x"], 3.0)
    for clean, verdict in ((b.Result("(healthy tree)", b.TIMEOUT, ["t::x"], 1.0), b.STARVED),
                           (b.Result("(healthy tree)", "timeout", [], 1.0, finished=False), b.STARVED),
                           (b.Result("(healthy tree)", "error", [], 1.0, "pytest exit 4"), "error")):
        assert b.baseline_verdict(caught, clean).verdict == verdict
    assert b.baseline_verdict(caught, b.Result("(healthy tree)", "passed", [], 1.0)) is caught


def test_a_parametrized_id_with_spaces_is_read_whole_from_the_short_summary(tmp_path: Path) -> None:
    """The catching test's id is what the unpatched tree re-runs: cut at its first space it names
    no test (pytest exit 4), and the catch could never be confirmed."""
    (tmp_path / "test_params.py").write_text(
        "import pytest\n\n@pytest.mark.parametrize('text', ['must be at least 1, got 0'])\n"
        "def test_p(text):\n    assert text == '' \n")
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfE", "--no-header",
                           "-p", "no:xdist", "--rootdir", str(tmp_path), "-c", "/dev/null", "test_params.py"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1
    b = _bench()
    assert b.finished_verdict(proc, stop_first=False) == (
        "caught", ["test_params.py::test_p[must be at least 1, got 0]"], "")


def test_with_a_ref_the_bench_takes_that_commit_s_own_routes(tmp_path: Path) -> None:
    """``--ref``: a blind batch is judged by the test routes of the commit that holds it, so a
    route added after a miss was seen does not turn the blind result into a catch; a copy with no
    such bench (an older commit) leaves the working tree's routes."""
    b = _bench()
    (tmp_path / "bench").mkdir()
    text = (ROOT / "bench" / "bench_realistic_bugs.py").read_text()
    (tmp_path / "bench" / "bench_realistic_bugs.py").write_text(
        text + "\n\ndef selection_for(bug, default):\n    return ['tests/as_of_the_ref.py']\n")
    ref = b._bench_as_of(tmp_path)
    bug = next(x for x in b.BUGS if x.path.startswith("harness/"))
    assert ref.selection_for(bug, []) == ["tests/as_of_the_ref.py"]
    assert b.selection_for(bug, []) != ["tests/as_of_the_ref.py"]
    assert b._bench_as_of(tmp_path / "nothing") is None


def test_a_ref_that_is_no_commit_is_refused_with_exit_2_before_any_copy(capsys: pytest.CaptureFixture[str]) -> None:
    b = _bench()
    assert b.main(["--ref", "no-such-commit-here", "--list"]) == 2
    err = capsys.readouterr().err
    assert "--ref 'no-such-commit-here' is no commit" in err and "Traceback" not in err


def test_a_ref_is_read_once_as_its_commit_so_a_commit_made_during_the_batch_moves_nothing(
        capsys: pytest.CaptureFixture[str]) -> None:
    """``--ref HEAD`` names a commit as the batch starts; each bug's copy is made later, and a
    name read again there would take a commit made meanwhile (its new tests) for the blind one."""
    b = _bench()
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout.strip()
    assert b.main(["--ref", "HEAD", "--list"]) == 0
    capsys.readouterr()
    assert b._REF == head


def test_no_jack_leaves_out_the_tests_that_start_jackd_and_runs_the_rest(tmp_path: Path) -> None:
    """``--no-jack`` (a session that may not start a JACK server): the bench's pytest command
    deselects the ``loopback`` tests and still runs, and fails on, every other one. A tree of two
    tests stands in for the suite: the loopback one fails if it is run."""
    b = _bench()
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\nmarkers = ["loopback: starts jackd"]\n')
    (tmp_path / "test_two.py").write_text(
        "import os, pytest\n\n"
        "@pytest.mark.loopback\n"
        "def test_starts_jackd():\n    raise AssertionError('a jackd would have been started')\n\n"
        "def test_plain():\n    assert os.environ.get('PLAIN_FAILS') != '1'\n")
    env = dict(os.environ, PYTEST_ADDOPTS="")
    env.pop("PYTHONPATH", None)

    def run(no_jack: bool, **extra: str) -> subprocess.CompletedProcess:
        cmd = b.pytest_command(["test_two.py"], whole=False, stop_first=False, no_jack=no_jack)
        return subprocess.run(cmd, cwd=tmp_path, env={**env, **extra}, capture_output=True, text=True)

    with_jack = run(False)
    assert with_jack.returncode == 1 and "test_starts_jackd" in with_jack.stdout
    without = run(True)
    assert without.returncode == 0, without.stdout + without.stderr
    assert "1 passed, 1 deselected" in without.stdout
    # the other tests still judge: a failure among them is still a failure
    assert run(True, PLAIN_FAILS="1").returncode == 1
    # the option reaches the command line parser (exit 0 listing the catalogue)
    assert b.main(["--no-jack", "--list"]) == 0
    assert "--no-jack" in (b.__doc__ or "")


def test_a_test_routed_first_by_its_node_id_runs_first_though_its_file_is_given_whole_later(tmp_path: Path) -> None:
    """A route's node id whose file the route also gives whole later (an importer): pytest would
    collect the file once, where it stands, and run the routed test after every file before it.
    The bench's command keeps the order: the routed test fails first and ``-x`` stops there."""
    b = _bench()
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    (tmp_path / "test_a_slow.py").write_text("def test_first_file():\n    pass\n")
    (tmp_path / "test_b_near.py").write_text("def test_other():\n    pass\n\ndef test_routed():\n    assert False\n")
    env = dict(os.environ, PYTEST_ADDOPTS="", PYTHONPATH=str(ROOT))  # the harness's pytest plugin loads
    cmd = b.pytest_command(["test_b_near.py::test_routed", "test_a_slow.py", "test_b_near.py"], whole=False,
                           stop_first=True, no_jack=False)
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "1 failed" in proc.stdout and "passed" not in proc.stdout, proc.stdout
