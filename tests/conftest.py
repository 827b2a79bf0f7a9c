"""Settings the whole test suite shares, applied before any test module imports numpy, and the
compiled kernels (the DSP chain's, the analyser's clipping search's) warmed once before any test runs.

OpenBLAS starts one thread per core and they spin between calls. The suite's matrix products
(the analyser's per-block fits, the latency search) are small, and pytest-xdist already runs one
worker per core, so BLAS threads only compete with the other worker: with two of them
tests/harness/test_analysis_latency.py's slowest test took 10.1-10.2 s of user CPU against
7.9-8.0 s with one (bench/RESULTS.md, "the suite's BLAS threads"). ``soundcheck`` itself sets the
same default (harness/cli.py); a value in the environment still wins.
"""

import gc
import os
from collections.abc import Iterator

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def pytest_configure(config) -> None:
    """Warm numba's cache of the DSP chain's kernels (``dsp_kernels.warm``) and the analyser's
    (``analysis_kernels.warm``) once, in the process
    that starts the session (pytest-xdist's controller, before it starts its workers), so no
    test pays their compilation inside its timeout.

    The cache lives beside ``system_under_test/dsp_kernels.py``, so every fresh tree (a clone, a
    worktree, a bug bench's copy) starts cold, and the first test to call a kernel compiled it
    within its 120 s timeout: ~23 s for the two fused kernels at load ~28, more at load ~34, and
    under ``-n 2`` once in each worker, both compiling at once. Warmed here, the workers load the
    compiled code from the cache (~0.5 s at a first call).

    And, in every process of the session (each xdist worker too), Hypothesis's pool of
    source-code constants pinned empty (``harness.hypothesis_constants``): it is otherwise built
    from the modules the earlier tests of the same process imported, so a derandomized search (the
    state machine's rare states, a mutant found within N examples) drew other values in a
    whole-suite run than alone, and a failure seen there did not replay alone. Its shrinking's
    wall-clock bound is lifted too (``pin_shrinking_time``): the example a search reports then
    does not depend on the machine's load."""
    from harness.hypothesis_constants import pin_local_constants, pin_shrinking_time

    pin_local_constants()
    pin_shrinking_time()
    if hasattr(config, "workerinput"):  # an xdist worker: its controller warmed the cache
        return
    from harness import analysis_kernels
    from system_under_test import dsp_kernels

    dsp_kernels.warm()
    analysis_kernels.warm()


import pytest  # noqa: E402 - after the BLAS setting above, which must precede numpy's import

#: what tools of the session itself may add to the working directory (their own caches), never a test
_TOOL_CACHES = frozenset({".hypothesis", ".pytest_cache", "allure-results", ".coverage", "__pycache__"})


def _entries(cwd: str) -> set[str]:
    """The names at the top of ``cwd`` and in its ``reports/`` (the run commands' default output
    folder and the run-history database's default place): where a test that forgot its own
    folder writes."""
    names = {n for n in os.listdir(cwd) if n not in _TOOL_CACHES and not n.startswith(".coverage")}
    reports = os.path.join(cwd, "reports")
    if os.path.isdir(reports):
        names |= {f"reports/{n}" for n in os.listdir(reports)}
    return names


@pytest.fixture(autouse=True)
def _history_db_of_its_own(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory):
    """Every test's run-history database in a folder of its own.

    Why: ``run``, ``soak``, ``report`` and ``scenario run --report-dir`` record each run in
    ``$SOUNDCHECK_HISTORY_DB``, by default ``reports/history.sqlite`` under the working directory,
    so a test that called them without setting it wrote into the checkout (the ignored
    ``reports/``), where runs of every test session piled up. A test that sets the variable itself
    still wins (its ``setenv`` comes later)."""
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path_factory.mktemp("history-db") / "history.sqlite"))


@pytest.fixture
def collector_off() -> Iterator[None]:
    """The cyclic collector off for the test (its garbage collected before, so nothing of an
    earlier test is counted), restored after: what a test of "freed at once, by reference counts
    alone" runs under."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def pytest_sessionstart(session: pytest.Session) -> None:
    """The working directory's entries when the session starts (``pytest_sessionfinish``)."""
    if not hasattr(session.config, "workerinput"):
        cwd = os.getcwd()
        session.config.stash[_CWD_AT_START] = (cwd, _entries(cwd))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A session whose tests left a new file in the directory pytest runs from fails, naming it.

    Checked once, at the end, in the process that started the session (pytest-xdist's controller,
    after its workers): a test that writes a file there and removes it again, while a test on the
    other worker runs, is nothing to judge, and only what is left is a leftover. To find the test
    that left it, run the suspect files without ``-n``, one by one."""
    start = session.config.stash.get(_CWD_AT_START, None)
    if start is None:
        return
    cwd, before = start
    new = sorted(_entries(cwd) - before)
    if new:
        session.config.get_terminal_writer().line(
            f"\nthe session's tests left {', '.join(new)} in the working directory {cwd}: a test should write "
            "under its tmp_path", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_CWD_AT_START = pytest.StashKey[tuple[str, set[str]]]()
