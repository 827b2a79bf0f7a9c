"""soundcheck's pytest plugin (registered through the ``pytest11`` entry point). Cheap to import:
nothing from the system, numpy or Hypothesis is imported until a fixture or option needs it.

Options (group ``soundcheck``): ``--soundcheck-backend`` (sim), ``--soundcheck-seed`` (0),
``--soundcheck-report-dir`` (where failing tests' histories go), ``--soundcheck-hypothesis-profile``
(``ci``/``nightly`` for ``harness.stateful.profile_settings``).

Fixtures: ``soundcheck_seed``, ``virtual_clock``, ``sim_backend``, ``audio_system`` (initialised,
closed at teardown), ``history`` (attached to ``audio_system``), ``fault_injector`` (on
``audio_system`` with ``history``; disarmed at teardown).

Markers: ``fault(kind)``, ``soak``, ``loopback``, ``slow``; ``require_loopback_rig()`` skips (or,
with ``CI`` set, fails) a loopback test on a machine without jackd.

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

if TYPE_CHECKING:  # pragma: no cover
    from system_under_test import AudioSystem, SimulatedBackend, VirtualClock

    from .faults import FaultInjector
    from .history import History

SEED_KEY = pytest.StashKey[int]()
HISTORY_KEY = pytest.StashKey["History"]()
_PREVIOUS_PROFILE = pytest.StashKey[tuple[str | None, str | None]]()
MARKERS = (
    "fault(kind): the fault type a test injects",
    "soak: a long reliability run",
    "loopback: needs the JACK loopback rig (jackd); skipped with a reason outside CI when jackd is "
    "missing, never skipped with CI set",
    "slow: slower than a second or two",
)
BACKENDS = ("sim", "portaudio", "jack")


def require_loopback_rig(*, portaudio: bool = False) -> None:
    """Skip the calling test, with the reason, when the JACK loopback rig cannot run here (jackd or
    JACK-Client missing; with ``portaudio=True`` also PortAudio). With ``CI`` set it fails instead:
    CI must never silently skip the real-audio tests."""
    from .loopback import rig_unavailable_reason

    reason = rig_unavailable_reason()
    if reason is None and portaudio:
        from system_under_test.devices.portaudio import PortAudioBackend
        ok, why = PortAudioBackend.available()
        reason = None if ok else why
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the loopback tests but {reason}")
        pytest.skip(reason)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("soundcheck", "soundcheck reliability harness")
    group.addoption("--soundcheck-backend", choices=BACKENDS, default="sim",
                    help="device backend for the audio_system fixture (default: sim)")
    group.addoption("--soundcheck-seed", type=int, default=0, metavar="N",
                    help="seed for the simulated device, fault schedules and storms (default: 0)")
    group.addoption("--soundcheck-report-dir", default=None, metavar="DIR",
                    help="write the history of every failing test here as JSON Lines")
    group.addoption("--soundcheck-hypothesis-profile", default=None, metavar="NAME",
                    help="Hypothesis settings profile for the stateful tests (ci, nightly)")


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


# ---------------------------------------------------------------------------------- fixtures ----

@pytest.fixture
def soundcheck_seed(request: pytest.FixtureRequest) -> int:
    seed = int(request.config.getoption("--soundcheck-seed"))
    request.node.stash[SEED_KEY] = seed
    return seed


@pytest.fixture
def virtual_clock() -> "VirtualClock":
    from system_under_test.clock import VirtualClock  # noqa: PLC0415
    return VirtualClock()


@pytest.fixture
def sim_backend(virtual_clock: "VirtualClock", soundcheck_seed: int) -> Iterator["SimulatedBackend"]:
    from system_under_test.devices.simulated import SimulatedBackend  # noqa: PLC0415
    backend = SimulatedBackend(virtual_clock, seed=soundcheck_seed)
    yield backend
    backend.close()


@pytest.fixture
def audio_system(request: pytest.FixtureRequest, soundcheck_seed: int) -> Iterator["AudioSystem"]:
    """An initialised ``AudioSystem`` (default config) on the selected backend; closed at teardown."""
    backend_name = request.config.getoption("--soundcheck-backend")
    if backend_name != "sim":
        pytest.skip(f"--soundcheck-backend={backend_name}: the audio_system fixture drives the simulated "
                    "device; real-device tests use the loopback rig")
    from system_under_test import AudioSystem  # noqa: PLC0415
    backend = request.getfixturevalue("sim_backend")
    system = AudioSystem({}, backend=backend, clock=backend.clock, seed=soundcheck_seed)
    system.initialize()
    yield system
    system.close()


@pytest.fixture
def history(request: pytest.FixtureRequest, audio_system: "AudioSystem") -> Iterator["History"]:
    from .history import History  # noqa: PLC0415
    h = History(meta={"test": request.node.nodeid, "seed": audio_system.seed}).attach(audio_system)
    request.node.stash[HISTORY_KEY] = h
    yield h
    h.detach()


@pytest.fixture
def fault_injector(audio_system: "AudioSystem", history: "History", soundcheck_seed: int
                   ) -> Iterator["FaultInjector"]:
    from .faults import FaultInjector  # noqa: PLC0415
    injector = FaultInjector(audio_system, seed=soundcheck_seed, history=history)
    yield injector
    injector.disarm()


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
    """The command that replays ``item`` with the same seed (and Hypothesis profile)."""
    args = [sys.executable, "-m", "pytest", item.nodeid, "-p", "no:cacheprovider"]
    if seed is not None:
        args.append(f"--soundcheck-seed={seed}")
    profile = item.config.getoption("--soundcheck-hypothesis-profile", None)
    if profile:
        args.append(f"--soundcheck-hypothesis-profile={profile}")
    backend = item.config.getoption("--soundcheck-backend", "sim")
    if backend != "sim":
        args.append(f"--soundcheck-backend={backend}")
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
    return any(n in names for n in ("audio_system", "fault_injector", "history", "soundcheck_seed"))


__all__ = ["HISTORY_KEY", "MARKERS", "SEED_KEY", "replay_command"]


# Scenario files under scenarios/ are test items (the collector lives in its own module).
from .scenario_collect import pytest_collect_file  # noqa: E402,F401
