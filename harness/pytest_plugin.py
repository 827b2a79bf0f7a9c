"""soundcheck's pytest plugin (registered through the ``pytest11`` entry point). Cheap to import:
nothing from the system, numpy or Hypothesis is imported until a fixture or option needs it.

It is installed into every project that installs soundcheck, so it adds nothing a project did not
ask for: its fixtures all start with ``soundcheck_``, scenario files are collected only from the
folders the project names, its Hypothesis profiles have their own names, and its markers act only
on tests that carry them.

Options (group ``soundcheck``): ``--soundcheck-backend`` (sim), ``--soundcheck-seed`` (0),
``--soundcheck-report-dir`` (where failing tests' histories go), ``--soundcheck-hypothesis-profile``
(``ci``/``nightly``, i.e. ``soundcheck-ci``/``soundcheck-nightly``, for
``harness.stateful.profile_settings``), ``--soundcheck-system`` (``module:factory``, the system
the fixtures and scenario items build; default ``AudioSystem``).

ini options: ``soundcheck_scenarios`` (folders whose ``*.toml`` files are scenario items; none by
default: soundcheck's own ``pyproject.toml`` names ``scenarios``), ``soundcheck_system`` (as
``--soundcheck-system``).

Fixtures: ``soundcheck_seed``, ``soundcheck_clock`` (a ``VirtualClock``), ``soundcheck_backend``
(the simulated device), ``soundcheck_system`` (initialised, closed at teardown),
``soundcheck_history`` (attached to it), ``soundcheck_injector`` (on it, reporting to the history;
disarmed at teardown). The system, history and injector come from ``harness.compose``.

Markers: ``loopback`` / ``loopback(portaudio=True)``: the test needs the JACK loopback rig (and
PortAudio); skipped with the reason where it cannot run, and failed instead when ``CI`` is set (CI
must never silently skip the real-audio tests). ``soak`` and ``slow`` are labels for ``-m``.

On failure a test's report gets a ``soundcheck`` section with the seed and the exact command that
replays it; with ``--soundcheck-report-dir`` its history is written there as JSON Lines, and when
allure-pytest is active the history is attached to the test's own allure result, labelled with seed, backend and fault kinds.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .pytest_shared import SYSTEM_KEY, loopback_gate, loopback_unavailable, system_choice

if TYPE_CHECKING:  # pragma: no cover
    from system_under_test import SimulatedBackend, VirtualClock

    from .compose import Composition
    from .faults import FaultInjector
    from .history import History
    from .sut_protocol import SystemChoice, SystemUnderTest

SEED_KEY = pytest.StashKey[int]()
HISTORY_KEY = pytest.StashKey["History"]()
_PREVIOUS_PROFILE = pytest.StashKey[tuple[str | None, str | None]]()
MARKERS = (
    "loopback(portaudio=False): needs the JACK loopback rig (and PortAudio with portaudio=True); skipped "
    "with the reason where it cannot run, failed instead when CI is set",
    "soak: a long reliability run",
    "slow: slower than a second or two",
)
BACKENDS = ("sim", "portaudio", "jack")
FIXTURES = ("soundcheck_seed", "soundcheck_clock", "soundcheck_backend", "soundcheck_system",
            "soundcheck_history", "soundcheck_injector")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("soundcheck", "soundcheck reliability harness")
    group.addoption("--soundcheck-backend", choices=BACKENDS, default="sim",
                    help="device backend for the soundcheck_system fixture (default: sim)")
    group.addoption("--soundcheck-seed", type=int, default=0, metavar="N",
                    help="seed for the simulated device, fault schedules and storms (default: 0)")
    group.addoption("--soundcheck-report-dir", default=None, metavar="DIR",
                    help="write the history of every failing test here as JSON Lines")
    group.addoption("--soundcheck-hypothesis-profile", default=None, metavar="NAME",
                    help="Hypothesis settings profile for the stateful tests (ci, nightly)")
    group.addoption("--soundcheck-system", default=None, metavar="MODULE:FACTORY",
                    help="the system the soundcheck_system fixture and scenario items build "
                         "(default: the soundcheck_system ini value, else system_under_test:AudioSystem)")
    parser.addini("soundcheck_scenarios", type="paths", default=[],
                  help="folders whose *.toml files are soundcheck scenario items (default: none)")
    parser.addini("soundcheck_system", default="",
                  help="module:factory of the system under test (as --soundcheck-system)")


def pytest_configure(config: pytest.Config) -> None:
    for line in MARKERS:
        config.addinivalue_line("markers", line)
    profile = config.getoption("--soundcheck-hypothesis-profile", None)
    if profile:
        from .stateful import PROFILE_ENV, _active_profile, set_profile  # noqa: PLC0415 - only when asked
        config.stash[_PREVIOUS_PROFILE] = (os.environ.get(PROFILE_ENV), _active_profile[0])
        os.environ[PROFILE_ENV] = profile  # reaches xdist workers too
        set_profile(profile)


def pytest_unconfigure(config: pytest.Config) -> None:
    previous = config.stash.get(_PREVIOUS_PROFILE, None)
    if previous is None:
        return
    from .stateful import PROFILE_ENV, set_profile  # noqa: PLC0415
    env, active = previous
    if env is None:
        os.environ.pop(PROFILE_ENV, None)
    else:
        os.environ[PROFILE_ENV] = env
    set_profile(active)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """The ``loopback`` marker: before any fixture starts a rig, skip (or fail, with ``CI``)."""
    marker = item.get_closest_marker("loopback")
    if marker is not None:
        loopback_gate(portaudio=bool(marker.kwargs.get("portaudio", False)))


# ---------------------------------------------------------------------------------- fixtures ----

@pytest.fixture
def soundcheck_seed(request: pytest.FixtureRequest) -> int:
    """The seed of the simulated device, the system and the injector (``--soundcheck-seed``)."""
    seed = int(request.config.getoption("--soundcheck-seed"))
    request.node.stash[SEED_KEY] = seed
    return seed


@pytest.fixture
def soundcheck_clock() -> "VirtualClock":
    """The virtual clock the simulated device and the system run on."""
    from system_under_test.clock import VirtualClock  # noqa: PLC0415
    return VirtualClock()


@pytest.fixture
def soundcheck_backend(soundcheck_clock: "VirtualClock", soundcheck_seed: int) -> Iterator["SimulatedBackend"]:
    """The simulated audio device (seeded), closed at teardown."""
    from system_under_test.devices.simulated import SimulatedBackend  # noqa: PLC0415
    backend = SimulatedBackend(soundcheck_clock, seed=soundcheck_seed)
    yield backend
    backend.close()


@pytest.fixture
def _soundcheck_parts(request: pytest.FixtureRequest, soundcheck_seed: int) -> Iterator["Composition"]:
    """System, history and injector from the composition root, on the fixture's simulated device."""
    backend_name = request.config.getoption("--soundcheck-backend")
    if backend_name != "sim":
        pytest.skip(f"--soundcheck-backend={backend_name}: the soundcheck_system fixture drives the simulated "
                    "device; real-device tests use the loopback rig")
    from .compose import SystemSpec, compose  # noqa: PLC0415
    from .history import History  # noqa: PLC0415

    backend = request.getfixturevalue("soundcheck_backend")
    parts = compose(SystemSpec(seed=soundcheck_seed, config={}, system=system_choice(request.config)),
                    backend=backend,
                    history=lambda system: History(meta={"test": request.node.nodeid, "seed": soundcheck_seed}
                                                   ).attach(system))
    assert parts.history is not None
    request.node.stash[HISTORY_KEY] = parts.history
    parts.system.initialize()
    yield parts
    parts.injector.disarm()
    parts.system.close()
    parts.history.detach()


@pytest.fixture
def soundcheck_system(_soundcheck_parts: "Composition") -> "SystemUnderTest":
    """An initialised system (default config) on the simulated device; closed at teardown."""
    return _soundcheck_parts.system


@pytest.fixture
def soundcheck_history(_soundcheck_parts: "Composition") -> "History":
    """The history of ``soundcheck_system`` (kept with a failing test's report)."""
    assert _soundcheck_parts.history is not None
    return _soundcheck_parts.history


@pytest.fixture
def soundcheck_injector(_soundcheck_parts: "Composition") -> "FaultInjector":
    """A fault injector on ``soundcheck_system``, reporting to ``soundcheck_history``."""
    return _soundcheck_parts.injector


def _allure_active(config: pytest.Config) -> bool:
    return bool(config.pluginmanager.hasplugin("allure_pytest")
                and getattr(config.option, "allure_report_dir", None))


def _attach_to_allure(item: pytest.Item, h: "History") -> None:
    """The history on the test's own Allure result (called in the test's call phase, so the
    attachment is not filed under a fixture's teardown), with labels Allure groups by: ``seed``,
    ``backend`` and one ``fault_kind`` per kind the test injected."""
    if not _allure_active(item.config):
        return
    import allure  # noqa: PLC0415
    seed = item.stash.get(SEED_KEY, None)
    if seed is not None:
        allure.dynamic.label("seed", str(seed))
    allure.dynamic.label("backend", str(item.config.getoption("--soundcheck-backend", "sim")))
    for kind in sorted({str(f.get("kind")) for f in h.faults() if f.get("kind")}):
        allure.dynamic.label("fault_kind", kind)
    allure.attach(h.to_jsonl(), name=f"history {item.nodeid}.jsonl", attachment_type="application/x-ndjson",
                  extension="jsonl")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    try:
        return (yield)
    finally:
        h = item.stash.get(HISTORY_KEY, None)
        if h is not None:
            _attach_to_allure(item, h)


# ----------------------------------------------------------------------------------- reports ----

def replay_command(item: pytest.Item, seed: int | None) -> str:
    """The command that replays ``item`` with the same seed (and Hypothesis profile, and system)."""
    args = [sys.executable, "-m", "pytest", item.nodeid, "-p", "no:cacheprovider"]
    if seed is not None:
        args.append(f"--soundcheck-seed={seed}")
    profile = item.config.getoption("--soundcheck-hypothesis-profile", None)
    if profile:
        args.append(f"--soundcheck-hypothesis-profile={profile}")
    backend = item.config.getoption("--soundcheck-backend", "sim")
    if backend != "sim":
        args.append(f"--soundcheck-backend={backend}")
    system = item.config.getoption("--soundcheck-system", None)
    if system:
        args.append(f"--soundcheck-system={system}")
    return shlex.join(args)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if not report.failed:
        return report
    seed = item.stash.get(SEED_KEY, None)
    h = item.stash.get(HISTORY_KEY, None)
    if seed is None and h is None and "soundcheck" not in item.keywords and not _uses_harness(item):
        return report
    lines = [f"seed: {seed if seed is not None else item.config.getoption('--soundcheck-seed')}",
             f"replay: {replay_command(item, seed if seed is not None else item.config.getoption('--soundcheck-seed'))}"]
    if h is not None:
        report_dir = item.config.getoption("--soundcheck-report-dir")
        if report_dir:
            safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in item.nodeid)
            path = Path(report_dir) / f"{safe}.{report.when}.history.jsonl"
            try:
                h.write_jsonl(path)
                lines.append(f"history: {path} ({len(h)} entries)")
            except OSError as exc:
                lines.append(f"history: could not write {path}: {exc}")
        else:
            lines.append(f"history: {len(h)} entries (pass --soundcheck-report-dir to keep it)")
    report.sections.append(("soundcheck", "\n".join(lines)))
    return report


def _uses_harness(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    return any(n in names for n in FIXTURES)


__all__ = ["FIXTURES", "HISTORY_KEY", "MARKERS", "SEED_KEY", "loopback_gate", "loopback_unavailable",
           "replay_command", "system_choice"]


# Scenario files in the configured folders are test items (the collector lives in its own module).
from .scenario_collect import (  # noqa: E402,F401
    pytest_collect_file,
    pytest_report_teststatus,
    pytest_terminal_summary,
)
