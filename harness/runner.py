"""The reliability run: one system, one backend, a seeded fault schedule, a history, verdicts.

The system is ``AudioSystem`` unless ``--system module:factory`` names another
(``harness.sut_protocol``); ``harness.compose`` builds it with its backend and injector.

``soundcheck run`` is this module with a command line; soaks and scenarios reuse ``ReliabilityRun``.
A run advances in *chunks* (simulated seconds on the virtual clock, wall seconds on a real device);
after each chunk the cheap invariants are checked live and the caller's ``on_chunk`` hook runs (the
soak journals there). The history is streamed to ``history.jsonl`` in the run folder as it grows,
so a crash loses nothing that happened before it; the summary is written even when the run fails.

On the JACK loopback rig (``--backend jack``) the run owns the server. If it dies without the
harness killing it (a crash, a ``kill -9`` from outside), ``rig_target.ServerWatch`` records it as
a fault of its own (kind ``server_crash``, trigger ``external``) and starts the server again two
seconds later, so the system's recovery from it is exercised and judged like any device fault; a
server stopped from outside (``kill -STOP``) is recorded so too (kind ``server_stopped``), told
apart from one the loaded machine did not schedule by its ``/proc`` state. On
a JACK server the run does not own (PortAudio's JACK host API, ALSA's ``jack`` PCM), the outages
the rig's capture observes are recorded the same way (kind ``server_outage``,
``rig_target.ObservedOutages``), and a stop of that server from outside, which ends no client and
which the capture never hears, is read from its process's state (``rig_target.UnownedServerWatch``:
``server_stopped``). A start refused after a stop from outside is the environment's, as after a
kill. Every device loss in the history is then explained by a device
fault or such an external one, or it is a doubt of the run's (``harness.device_losses``); so is
a device stall (how ALSA's ``jack`` PCM loses its server) that neither they nor JACK's xrun
reports explain.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import json
import math
import os
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from system_under_test import AudioSystem, State
from system_under_test.clock import VirtualClock
from system_under_test.dsp import KERNELS, use_kernel
from system_under_test.devices.base import DeviceBackend
from system_under_test.devices.simulated import SimulatedBackend

from .analysis import use_kernel as use_analysis_kernel
from .audio_check import AudioCheck
from .blas import one_blas_thread
from .compose import SystemSpec, compose, system_meta
from .device_losses import LossFold
from .durations import format_duration
from .errors import HarnessError, RigError, ScenarioFileError, UsageError
from .inputs import closest
from .faults import PROFILES, FaultInjector, Profile, Schedule, load_profile, restore_running
from .faults.unfired import unfired_kinds
from .faults.refused import mostly_refused_of, not_applicable_of
from .faults.xrun_bound import period_of
from .fault_outcomes import fold_history, judged_kinds, never_served_count
from .gates import DEFAULT_STEADY_STATE_S, evaluate_gates
from .history import History, append_note, run_op
from .runfolder import LOCK_NAME, RunFolder, RunFolderError, remove_refused_run
from .histogram import CallbackDurations
from .replay import export_replay
from .reports import build_report, history_record, mtbf_record, run_data_from_run, write_reports
from .reports.machine_load import MachineLoad
from .reports.provenance import CpuPeak, run_provenance, system_identity
from .invariants import Verdict, check_all, check_frame_accounting, check_resources, latest_give_up
from .sut_protocol import SystemChoice, SystemUnderTest
from .steady_state import LISTEN_ON_WINDOWS, SteadyWatch
from .verdict import RunVerdict, check_status, describe_skips, judge_run

BACKENDS = ("sim", "jack", "portaudio")
#: Settle time after the last fault: long enough for the default recovery policy to finish.
SETTLE_S = 3.0
#: history entries kept in memory during a run (the rest stream to history.jsonl and are read back
#: from there): a long run's memory does not grow with its length
HISTORY_WINDOW = 5_000


@dataclass
class RunSpec:
    """Everything that defines a run; with ``backend="sim"`` the same spec gives the same run."""

    backend: str = "sim"
    duration_s: float = 60.0
    seed: int = 1
    faults: str = "default"
    config: Mapping[str, Any] | None = None
    device: str | None = None
    report_root: Path = Path("reports")
    run_dir: Path | None = None
    chunk_s: float = 1.0
    metrics_every_s: float = 1.0
    label: str = "run"
    #: a program file (WAV) played, looped, instead of the test sine, and judged against
    #: (``harness.program``); None: the sine
    program: Path | None = None
    #: the DSP chain's kernels (``system_under_test.dsp.KERNELS``), or "auto": ``dsp_kernel_for``
    dsp_kernel: str = "auto"
    #: ``--backend jack`` only: the rig's jackd runs realtime (``LoopbackRig.realtime``)
    rig_realtime: bool = False
    #: a soak's run (set by ``harness.soak``, never by a label): its outages spread over the whole
    #: soak (``schedule_for``) and no steady-state window before its faults (``steady_window_s``).
    #: ``label`` only names the run folder and the reports' kind
    soak: bool = False

    def to_dict(self) -> dict[str, Any]:
        d = {"backend": self.backend, "duration_s": self.duration_s, "seed": self.seed,
             "faults": self.faults, "config": dict(self.config) if self.config else None,
             "device": self.device, "chunk_s": self.chunk_s, "label": self.label}
        if self.program is not None:  # a sine run's record stays as it was
            d["program"] = str(self.program)
        if self.dsp_kernel != "auto":  # likewise an automatic choice's (the summary names it)
            d["dsp_kernel"] = self.dsp_kernel
        if self.rig_realtime:  # likewise a rig run's without it
            d["rig_realtime"] = True
        if self.soak != (self.label == "soak"):  # a run and a soak as the CLI makes them: as they were
            d["soak"] = self.soak
        return d


#: Simulated runs at least this long run the DSP chain's compiled kernels. Importing numba costs
#: ~0.35 s of CPU and the cached kernel's first call ~0.45 s (numba's target set-up); the kernel
#: saves ~5 us of a faulted 256-frame block (~1 ms a simulated second). Whole-process CPU measured
#: even at 600 s (8.56 s numpy, 8.57 s compiled; 60 s: 1.87 against 2.35), so shorter runs stay on
#: numpy (bench/RESULTS.md, 2026-12-02 seventh pass).
COMPILED_DSP_MIN_S = 600.0


def dsp_kernel_for(spec: RunSpec) -> str:
    """The DSP kernel a run uses, a function of its command alone: the spec's own choice, else
    "compiled" for a simulated run of at least ``COMPILED_DSP_MIN_S``, else "numpy" (short runs,
    and real devices, whose callback runs the code the system ships with by default)."""
    if spec.dsp_kernel != "auto":
        if spec.dsp_kernel not in KERNELS:
            raise UsageError(f"unknown DSP kernel {spec.dsp_kernel!r} (choose from auto, {', '.join(KERNELS)})")
        kernel = spec.dsp_kernel
    else:
        kernel = "compiled" if spec.backend == "sim" and spec.duration_s >= COMPILED_DSP_MIN_S else "numpy"
    if kernel == "compiled" and importlib.util.find_spec("numba") is None:  # never a silent other choice
        raise UsageError("the compiled DSP kernel needs numba, which is not installed: run scripts/bootstrap "
                         "(or pip install numba), or choose --dsp-kernel numpy")
    return kernel


@dataclass
class Progress:
    simulated_s: float
    duration_s: float
    wall_s: float
    faults: int
    recoveries: int
    violations: int
    state: str


@dataclass
class RunResult:
    spec: RunSpec
    run_dir: Path
    verdicts: list[Verdict]
    summary: dict[str, Any]
    history: History
    verdict: RunVerdict
    report_paths: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """A pass: every invariant checked and held (an inconclusive run is not ok)."""
        return self.verdict.ok

    @property
    def exit_code(self) -> int:
        return self.verdict.exit_code

    @property
    def no_fault_injected(self) -> str | None:
        """Why this run says nothing about fault handling, or None: its profile asked for faults
        (``summary["faults"]["asked"]``) and none was injected (``summary["faults"]["total"]``)."""
        faults = self.summary.get("faults") or {}
        if not faults.get("asked") or faults.get("total"):
            return None
        requested = faults.get("requested", 0)
        skipped = describe_skips(faults.get("skipped") or {})
        return (f"no fault injected: the profile asked for {', '.join(faults['asked'])} but "
                + (f"none of the {requested} drawn could act ({skipped})" if skipped
                   else f"its schedule drew {requested} fault(s) and none fired"))


def new_run_dir(root: Path, label: str, seed: int) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    path = Path(root) / f"{label}-{stamp}-seed{seed}"
    try:
        path.mkdir(parents=True, exist_ok=False)
    except OSError as exc:
        where = exc.filename or root
        raise UsageError(f"--report-dir {root}: cannot create a run folder in it ({where}: "
                         f"{exc.strerror or exc}); give a folder you can write to") from None
    return path


def profile_for(spec: RunSpec) -> Profile:
    """The spec's fault profile: a built-in name or a profile TOML file.

    Anything that is not a built-in name and looks like a file (exists, ends in ``.toml``, has a
    folder in it) is read as a profile file, so a wrong file is refused for what it is. On the
    simulated backend, device targets are checked against the simulated devices here, at load.
    """
    if spec.faults in PROFILES:
        return PROFILES[spec.faults]
    if spec.faults.endswith(".toml") or os.sep in spec.faults or _names_a_file(spec.faults):
        profile = load_profile(spec.faults)
        if spec.backend == "sim":
            unknown = profile.unknown_targets(d.name for d in SimulatedBackend(VirtualClock()).devices())
            if unknown:
                raise ScenarioFileError(spec.faults, "; ".join(unknown))
        return profile
    raise UsageError(f"--faults: unknown fault profile {spec.faults!r} "
                     f"(known: {', '.join(PROFILES)}, or a profile .toml file)")


def schedule_for(spec: RunSpec, profile: Profile | None = None) -> Schedule:
    """The spec's fault schedule: its profile's (``profile``, else read from the spec), seeded, its
    parameters fitted to the run's ``--config`` (``Profile.fitted``: an xrun stays an xrun); a
    soak's (``spec.soak``) with its outages over the whole soak (``Profile.schedule``)."""
    return (profile or profile_for(spec)).schedule(spec.duration_s, spec.seed, soak=spec.soak, config=spec.config)


def check_rig_realtime(spec: RunSpec) -> None:
    """Refuse ``--rig-realtime`` where no rig starts (a run's or a soak's, before its folder exists)."""
    if spec.rig_realtime and spec.backend != "jack":
        raise UsageError(f"--rig-realtime: the JACK loopback rig's server runs realtime, and --backend "
                         f"{spec.backend} starts no rig: use --backend jack, or drop --rig-realtime")


def check_device(spec: RunSpec, backend: DeviceBackend | None = None) -> None:
    """Refuse, at load, a ``--device`` that cannot be the run's: on the simulated backend one that
    is not a simulated duplex device, on any backend one that contradicts ``--config``."""
    if spec.backend == "sim" and spec.device is not None and backend is None:
        _check_sim_device(spec.device)
    run_config(spec)


def run_config(spec: RunSpec) -> dict[str, Any]:
    """The system configuration of a run: ``--config`` with ``--backend`` and ``--device`` in it."""
    cfg: dict[str, Any] = json.loads(json.dumps(dict(spec.config or {})))
    name = spec.device or ("system" if spec.backend == "jack" else None)
    if spec.backend != "sim":
        cfg.setdefault("device", {})["backend"] = spec.backend
        if name is None:
            raise UsageError("--backend portaudio needs --device NAME (see `soundcheck devices`)")
    if name is not None:  # the simulated device's names too: a --device never goes unread
        device = cfg.setdefault("device", {})
        if spec.device is not None:
            clash = sorted(f"device.{k}={device[k]!r}" for k in ("input_device", "output_device")
                           if device.get(k, name) != name)
            if clash:
                raise UsageError(f"--device {name!r} contradicts --config's {', '.join(clash)}: "
                                 "give the device in one place")
        device.setdefault("input_device", name)
        device.setdefault("output_device", name)
    return cfg


#: PortAudio's device names for the two routes to a JACK server: the JACK host API's ``system``
#: and ALSA's ``jack`` PCM (which only the ALSA host API lists).
JACK_ROUTES: dict[str, str | None] = {"system": None, "jack": "ALSA"}


def jack_route(device: str | None, environ: Mapping[str, str]) -> tuple[str | None, str | None]:
    """``(jack_server, host_api)`` for a ``--backend portaudio`` run on ``device``.

    A user points PortAudio at a JACK server with ``JACK_DEFAULT_SERVER`` (what ``soundcheck
    loopback up`` prints); libjack in the device host reads it, but the harness did not, so a run
    on that server had no ears there: its audio was not analysed, and a server killed or stopped
    from outside was never observed, leaving the system's device losses unexplained. With the
    variable set and the device one of the routes to JACK (``JACK_ROUTES``), the backend is told
    the server, as ``harness.external_kills`` routes are, and the rig's capture listens on it.
    Any other device, or no variable (a server the harness cannot name), is left as it was:
    ``(None, None)``."""
    server = environ.get("JACK_DEFAULT_SERVER") or None
    if server is None or device not in JACK_ROUTES:
        return None, None
    return server, JACK_ROUTES[device]


def _check_sim_device(name: str) -> None:
    """``--device`` on the simulated backend names a simulated device that can both capture and
    play (it is the run's input and output device); anything else is a usage error."""
    duplex = sorted(d.name for d in SimulatedBackend(VirtualClock()).devices()
                    if d.max_input_channels > 0 and d.max_output_channels > 0)
    if name not in duplex:
        raise UsageError(f"--device {name!r}: the simulated backend has no duplex device of that name "
                         f"(choose from {', '.join(duplex)}, or leave --device out for sim-in/sim-out)")


def _names_a_file(text: str) -> bool:
    """``text`` is an existing path (a name too long or with a NUL byte is not)."""
    try:
        return Path(text).exists()
    except (OSError, ValueError):
        return False


def absent_fallbacks(config: Mapping[str, Any], backend: Any, backend_name: str) -> list[str]:
    """A warning for each of the configuration's fallback devices (``device.fallback_devices``)
    that names no device ``backend`` has now, at the start of the run; empty when all are there.

    Warned, not refused: a misspelt name is common, but so is a USB device unplugged when the run
    starts and plugged in later, and the recoverer looks for its fallbacks when it needs them
    (``Recoverer.candidate_devices``), so the configuration may be right. Refusing would stop the
    second case from running at all; saying nothing leaves the first to be found at the first
    dropout, as a recovery that "fails" for want of a device the user thought was there. So the
    run says it at the start (stderr, through ``ReliabilityRun.on_warning``), in the history (a
    ``config_warning`` note), in ``summary.json`` (``config_warnings``) and as a note of its
    verdict, naming the name, the devices present and the nearest of them (the likely typo)."""
    device = config.get("device") if isinstance(config, Mapping) else None
    wanted = list((device or {}).get("fallback_devices") or ())
    if not wanted or backend is None:
        return []
    try:
        present = sorted({str(d.name) for d in backend.devices()})
    except Exception as exc:  # noqa: BLE001 - a backend that cannot list its devices is said, not fatal
        return [f"device.fallback_devices {wanted!r}: the {backend_name} backend could not list its devices "
                f"at the start ({type(exc).__name__}: {exc}), so none of them could be checked"]
    out = []
    for name in wanted:
        if name in present:
            continue
        near = closest(name, present)
        out.append(f"fallback device {name!r} (device.fallback_devices) is not among the devices the "
                   f"{backend_name} backend has at the start ({', '.join(present) or 'none'}): a recovery "
                   "finds no fallback there unless it is plugged in by then"
                   + (f"; did you mean {near!r}?" if near else ""))
    return out


class ReliabilityRun:
    """Build, run, check and summarise one reliability run."""

    #: called with each warning the run finds at its start (a fallback device that is not there):
    #: the CLI prints it on stderr as the run begins; None: only recorded
    on_warning: "Callable[[str], None] | None" = None

    def __init__(self, spec: RunSpec, *, backend: DeviceBackend | None = None,
                 system_factory: "Callable[..., SystemUnderTest] | SystemChoice | None" = None) -> None:
        """``system_factory``: the system to run (``--system``'s ``SystemChoice``, or a factory
        called as ``factory(config, backend=..., clock=..., seed=...)``); None: ``AudioSystem``."""
        if spec.backend not in BACKENDS:
            raise UsageError(f"unknown backend {spec.backend!r} (choose from {', '.join(BACKENDS)})")
        if spec.duration_s <= 0:
            raise UsageError(f"the duration must be positive, got {spec.duration_s}")
        check_holds_a_block(spec.duration_s, spec.config)
        if isinstance(spec.seed, bool) or not isinstance(spec.seed, int) or spec.seed < 0:
            raise UsageError(f"the seed must be a whole number >= 0, got {spec.seed!r}")
        if spec.backend == "portaudio" and not spec.device:
            raise UsageError("--backend portaudio needs --device NAME (see `soundcheck devices`)")
        check_rig_realtime(spec)
        if spec.backend == "jack" and backend is None:  # refuse before a run folder exists
            from .rig.loopback import rig_unavailable_reason  # noqa: PLC0415 - real devices only

            reason = rig_unavailable_reason()
            if reason is not None:
                raise RigError(f"--backend jack runs on the JACK loopback rig, but {reason}")
        self.spec = spec
        self._backend = backend
        check_device(spec, backend)  # refused at load, before a run folder exists
        self.system_choice = SystemChoice.of(system_factory)
        self._rig: Any = None
        self._stop = threading.Event()
        self.audio: AudioCheck | None = None
        #: the run's fault injector once composed: a soak's resource sampler reads the newest
        #: firings it keeps as a bounded log (``FaultInjector.bounded_logs``)
        self.injector: FaultInjector | None = None
        self.profile = profile_for(spec)  # validates --faults before anything starts
        self.dsp_kernel = dsp_kernel_for(spec)
        self.schedule = schedule_for(spec, self.profile)
        self.program = self._load_program()  # and --program

    @property
    def rig(self) -> Any:
        """The JACK loopback rig this run started (``backend="jack"``), while it runs; else None."""
        return self._rig

    def request_stop(self) -> None:
        """Ask the run to end after the current chunk (Ctrl-C): the report is still written."""
        self._stop.set()

    def _load_program(self) -> Any:
        """The spec's program, validated against the run's sample rate (exit 2 naming the file
        and the fix), or None. Only the simulated device and the JACK rig can play one."""
        spec = self.spec
        if spec.program is None:
            return None
        if spec.backend == "portaudio":
            raise UsageError(f"--program {spec.program}: a program is played through the simulated device "
                             "(--backend sim) or the JACK loopback rig (--backend jack); a PortAudio device "
                             "plays what its own input hears: drop --program")
        from .program import load_program  # noqa: PLC0415 - only runs that play a program

        return load_program(spec.program, _run_rate(self.spec.config))

    # -- backends -----------------------------------------------------------------------------
    def _make_backend(self) -> DeviceBackend | None:
        """The caller's backend, a real one (the JACK rig's server started here), or None: the
        composition root builds the simulated device."""
        if self._backend is not None:
            return self._backend
        spec = self.spec
        if spec.backend == "sim":
            return None
        # the real backends and the rig are imported only by the runs that use them (~50 ms of
        # every simulated run's start-up otherwise)
        if spec.backend == "jack":
            from system_under_test.devices.jack import JackBackend  # noqa: PLC0415

            from .rig.loopback import LoopbackRig  # noqa: PLC0415

            rig = LoopbackRig(realtime=spec.rig_realtime)
            try:
                rig.start()
            except BaseException:
                rig.close()  # releases the leased server name
                raise
            self._rig = rig
            return JackBackend(server_name=rig.server_name)
        from system_under_test.devices.portaudio import PortAudioBackend  # noqa: PLC0415

        server, host_api = jack_route(spec.device, os.environ)
        return PortAudioBackend(jack_server=server, host_api=host_api)

    def _config(self) -> dict[str, Any]:
        return run_config(self.spec)

    # -- the run ------------------------------------------------------------------------------
    def execute(self, *, on_progress: Callable[[Progress], None] | None = None,
                on_chunk: Callable[["ReliabilityRun", AudioSystem, History], None] | None = None,
                reports: bool = True, until: Callable[[], bool] | None = None,
                verdict_by_caller: bool = False) -> RunResult:
        """Run, check, summarise; ``reports=False`` leaves the reports to the caller (the soak writes
        them from its journal). The system's DSP stages are built with the run's kernel.

        ``verdict_by_caller``: the caller judges the run further (a soak: its leak slopes, from its
        journal) and notes the final verdict in the history itself (``note_verdict``); otherwise
        the run's verdict (its report's, when it writes one) ends the history.

        ``until``: a driver's own end, asked after each chunk. The run ends when it says so or at
        its duration, whichever comes first, and it is a completed run (a driver whose script of
        outside events takes as long as the machine makes it, such as a series of external server
        kills each awaited until the system is back, ends the run when the script is done instead
        of guessing a duration; a stop request is an interruption, this is not)."""
        # the listening check's clipping search runs compiled where the DSP chain does (numba is
        # loaded then anyway): the same numbers either way
        with use_kernel(self.dsp_kernel), use_analysis_kernel(self.dsp_kernel), one_blas_thread(), \
                contextlib.ExitStack() as closing:
            # What the run opens lives as long as the run. ``_execute`` closes it at the end of a
            # run it reached; a step between its opening and that point which raises (the rig's
            # capture refused, a configuration the composition rejects, a set-up step after
            # ``compose``) must still stop the rig's jackd, give its leased server name back and
            # close the history's file. Both ``close``s are idempotent; the history closes first.
            closing.callback(self._close_rig)
            return self._execute(on_progress=on_progress, on_chunk=on_chunk, reports=reports, until=until,
                                 verdict_by_caller=verdict_by_caller, closing=closing)

    def _close_rig(self) -> None:
        if self._rig is not None:
            self._rig.close()

    def _execute(self, *, on_progress: Callable[[Progress], None] | None,
                 on_chunk: Callable[["ReliabilityRun", AudioSystem, History], None] | None,
                 reports: bool, until: Callable[[], bool] | None = None,
                 verdict_by_caller: bool = False,
                 closing: contextlib.ExitStack | None = None) -> RunResult:
        """The run itself; ``closing``: where what it opens is registered to be closed on every path
        (``execute``'s stack)."""
        from .reports.history_db import run_db_path

        spec = self.spec
        history_db = run_db_path()  # where the run is recorded, fixed as it starts
        own_dir = spec.run_dir is None  # made here: removed again if the run is refused (exit 2)
        run_dir = spec.run_dir or new_run_dir(spec.report_root, spec.label, spec.seed)
        run_dir.mkdir(parents=True, exist_ok=True)
        if own_dir and closing is not None:
            # held to the end: `soundcheck report` of the folder meanwhile is refused, where it
            # would have judged the live run as one killed before its end (and recorded it so)
            closing.callback(RunFolder(run_dir).lock("a run still under way").release)
        backend = self._make_backend()
        # after the backend: the rig's lasting threads (its process spawner) are the harness's, not
        # the system's; threads the system starts from here on must be gone after close()
        threads_before = list(threading.enumerate())
        choice = self.system_choice

        def record(system: SystemUnderTest) -> History:
            history = History(clock=system.clock, meta={"run": spec.to_dict(), "schedule": self.schedule.to_dict(),
                                                        **run_provenance(), **system_identity(system),
                                                        **system_meta(choice)},
                              stream_to=run_dir / "history.jsonl", keep=HISTORY_WINDOW)
            if closing is not None:  # from the moment its file is open: ``compose`` may raise after this
                closing.callback(history.close)
            return history.attach(system, metrics_every_s=spec.metrics_every_s)

        # the composition root: system on the backend, history attached, and the injector on the
        # backend's fault target (simulated device, JACK rig, or a device we cannot act on), whose
        # schedule lost, with a note each, the faults that target cannot do
        # the faults wait for one steady-state window after the start (``harness.steady_state``);
        # on a real clock ``compose`` also moves the schedule to start now
        window = self.steady_window_s
        schedule = self.schedule.shifted(window) if window > 0 else self.schedule
        parts = compose(SystemSpec(seed=spec.seed, config=self._config(), system=choice, schedule=schedule),
                        backend=backend, rig=self._rig, history=record)
        system, injector = parts.system, parts.injector
        self.injector = injector
        history = parts.history
        assert history is not None
        config_warnings = absent_fallbacks(self._config(), parts.backend, spec.backend)
        for warning in config_warnings:
            history.note("config_warning", warning=warning)
            if self.on_warning is not None:
                self.on_warning(warning)
        target = injector.target
        clock = system.clock
        simulated = isinstance(clock, VirtualClock)
        # hears the tone the device plays (simulated: its output tap; a JACK server: the rig's ears)
        program = self.program
        if program is not None and isinstance(parts.backend, SimulatedBackend):
            parts.backend.program = program.at  # the device's input plays it (streams open at the start)
        capture = _rig_capture(backend, run_dir, program, self._rig)
        audio = self.audio = AudioCheck.attach(system, injector, program=program, capture=capture)
        if capture is not None and capture.failure is None and capture.start_outage is not None:
            # the server went away before the system touched it and the run starts on the one
            # started again: nothing of the system's to judge in that, but the run says so
            warning = f"the JACK server {capture.server!r} went away as the rig's capture opened: {capture.start_outage}"
            config_warnings.append(warning)
            history.note("server_lost_at_start", server=capture.server, why=capture.start_outage)
            if self.on_warning is not None:
                self.on_warning(warning)
        # The rig's server can also die without the harness killing it (a crash in the field):
        # the watch records that as a fault of its own and brings the server back.
        watch = _watch_rig(target, history)
        observed = None
        if watch is None:
            # on a server the run does not own, the outages the rig's capture observes are recorded
            # in the history all the same: external faults that explain the device losses in them
            observed = _record_observed_outages(audio, history)
            if observed is None and audio.available:
                # no capture hears this run's outages: the check learns of one from the history,
                # where whatever observed it from outside the run recorded it
                history.add_fault_listener(audio.external_fault)
            if observed is not None:
                # one poll while the server surely lives: the capture looks its jackd's pid up at
                # its first poll, and a server killed before that poll is watched by libjack's
                # word alone, which may never come (measured under -n 2: a kill as the system
                # was configured went unseen and the start's refusal was a usage error)
                audio.poll()
                # a stop of that server from outside ends no client, so the capture never hears
                # it: its process is watched for one, read-only, as the rig's own server is
                watch = _watch_unowned_server(capture, history, clock)
        if watch is not None:
            audio.server_stops = lambda: watch.stops
        live_violations: list[Verdict] = []
        callbacks = CallbackDurations()
        durations = system.monitoring.histogram("callback_duration_s")
        cpu_peak = CpuPeak()  # the process's CPU time over the run, and its busiest half second
        machine = MachineLoad()  # the machine's load as the run began (and, at its summary, ended)
        wall0 = cpu_peak.wall0
        t0 = clock.now()
        crashed: BaseException | None = None
        refused = False
        not_started: str | None = None
        steady = SteadyWatch(system, window, system.run_for if simulated else clock.sleep, injector=injector,
                             external_faults=lambda: [r.fired_at for r in (*watch.records, *watch.stops)] if watch is not None else [],
                             stop=self._stop.is_set, rollback=lambda: restore_running(system, history, injector.base_config),
                             margin_s=audio.margin if audio.available else 0.0, count_xruns=simulated,
                             give_up=lambda: latest_give_up(history),
                             listen_on_s=LISTEN_ON_WINDOWS * window if audio.available and not simulated else 0.0)

        def refused_by_environment(doing: str, error: Any) -> None:
            """Raise ``_ServerDiedAtStart`` when the system's ``doing`` failed for the environment's
            sake (the rig's own server died, the capture observed the user's server go or lost it
            as it opened, the device host was killed by a signal): never a usage error."""
            _raise_if_server_died(self._rig, watch, doing, error)
            _raise_if_server_stopped(watch, clock, doing, error)
            _raise_if_outage_observed(audio, observed, clock, doing, error)
            _raise_if_server_lost_at_start(capture, doing, error)
            _raise_if_device_host_killed(capture, doing, error)

        try:
            initialized = run_op(history, system, "initialize")
            if initialized.outcome != "ok":  # its configuration was refused: name why, not the start's refusal
                refused_by_environment("configured", initialized.error)
                hint = f" (--device {spec.device!r})" if spec.device else ""
                raise UsageError(f"the system could not be configured{hint}: {initialized.error}"
                                 + _unheard_server(audio))
            started = run_op(history, system, "start")
            if started.outcome != "ok":
                refused_by_environment("started", started.error)
                raise UsageError(f"the system did not start: {started.error}" + _unheard_server(audio))
            t_run = t0
            if not simulated:
                # the run's time line starts once the system runs: a real device's start (the
                # rig's capture waited for, a device host spawned, PortAudio initialised) took
                # seconds on a loaded machine, and a schedule counted from before it fired every
                # fault at once when armed (measured: 5 faults meant for 1.2-4.6 s into the run
                # within 0.27 s)
                t_run = clock.now()
                if parts.schedule_zero:
                    injector.postpone(t_run - parts.schedule_zero)
            steady.watch_before()
            if not simulated:
                # the faults' time line starts when the watch ends (on the rig it waits past its
                # first window, up to ``LISTEN_ON_WINDOWS`` windows with the counters quiet, so
                # that a later window of the wait may be judged heard clean). On a real clock a starved
                # machine can hold a step of the watch for seconds (measured at load 13-17, the
                # harness at nice 19 beside four busy loops: a 1 s window took 15.8 s, its steps
                # 0.25 s sleeps), and a run whose end was counted from before the watch then ran
                # no chunk at all: its faults and an external kill were never armed
                overrun = clock.now() - (t_run + window)
                if overrun > 0:
                    injector.postpone(overrun)
                    t_run += overrun
            injector.arm()
            end = t_run + window + spec.duration_s
            while clock.now() < end and not self._stop.is_set():
                step = min(spec.chunk_s, end - clock.now())
                if simulated:
                    system.run_for(step)
                else:
                    clock.sleep(step)
                    history.snapshot(system)
                    audio.poll()
                callbacks.fold(durations, _budget(system))  # every callback's duration, in constant memory
                cpu_peak.sample()
                for verdict in (check_frame_accounting(None, system), check_resources(None, system)):
                    if not verdict.ok:
                        live_violations.append(verdict)
                if on_progress is not None:
                    on_progress(self._progress(system, injector, t0, wall0, len(live_violations)))
                # the chunk's hook last: a stop requested before it (a signal, the progress
                # callback) is the one it sees, so a soak's recorder journals the chunk it ends on
                if on_chunk is not None:
                    on_chunk(self, system, history)
                if until is not None and until():
                    break  # the driver's script is done: a completed run, judged as any
            injector.disarm()
            settle_end = clock.now() + SETTLE_S
            while system.state == State.RECOVERING and clock.now() < settle_end:
                system.run_for(0.05) if simulated else clock.sleep(0.05)
            steady.watch_after()
            history.snapshot(system)
            run_op(history, system, "stop")
            callbacks.fold(durations, _budget(system))
        except UsageError:
            refused = True
            raise
        except _ServerDiedAtStart as exc:  # the environment's fault, not the command's: judged, inconclusive
            not_started = str(exc)
            steady.not_observed(f"the system never ran: {exc}")
        except BaseException as exc:  # report what we have, then re-raise below
            crashed = exc
            steady.not_observed("the run was interrupted before the check" if isinstance(exc, KeyboardInterrupt)
                                else f"the run crashed before the check: {type(exc).__name__}")
        finally:
            injector.disarm()
            if watch is not None:
                watch.stop()
            try:
                run_op(history, system, "close")
            except BaseException as exc:  # noqa: BLE001
                crashed = crashed or exc
            try:
                audio.finish()  # before the rig goes: the capture agent is read out and ended
            except BaseException as exc:  # noqa: BLE001
                crashed = crashed or exc
            if self._rig is not None:
                self._rig.close()
            if refused:  # no verdict follows: the history's stream is closed here
                history.close()
                if own_dir:  # a refused command leaves nothing behind: the folder held its history only
                    # and the rig's capture files (its agents record into the folder from the start)
                    written = tuple(p.name for p in run_dir.glob("rig-capture-*.f32rec"))
                    remove_refused_run(run_dir, ("history.jsonl", "program.f32", LOCK_NAME, *written), made=True)
        if history.write_error is not None:
            # the history file stopped part-way (a full disk): a verdict judged on the part that was
            # kept would be a guess, and "the run crashed" would blame soundcheck for the disk
            history.close()
            raise history.write_error
        cpu_s, wall = cpu_peak.stop()
        cpu_max = cpu_peak.peak_percent()  # over the same span as cpu_s / wall
        # the device losses are folded in the invariants' one pass over the history
        # (streamed on the virtual clock: a long soak's losses judged as it goes, not all kept)
        loss_fold = LossFold(getattr(history, "initial", None))
        verdicts = check_all(history, system, threads_before=threads_before, also=(loss_fold,))
        verdicts = _merge(verdicts, live_violations)
        # each loss or stall explained by a device fault, an outage or (a stall) JACK's xrun reports, or not
        losses = loss_fold.summary(getattr(history, "end_time", None),
                                   getattr(audio, "jack_xruns_between", None),
                                   getattr(audio, "server_idle_between", None))
        audio.finish()
        if audio.available:
            verdicts.append(audio.verdict())
        # an outage whose server was never seen back (the recovery invariant's doubt) leaves the
        # steady state after the faults unobservable, not absent
        never_back = outages_never_back(verdicts, observed)
        steady_state = steady.judge_audio(audio, outages_open=never_back)
        callbacks_summary = callbacks.summary()
        gates = evaluate_gates(self.profile.gates, gate_figures(system, callbacks_summary, clock.now() - t0))
        # Ctrl-C is the operator's, not a crash of the system: an interrupted run (inconclusive),
        # never a violated ``run_completed`` (a FAIL that the run-history would count against it)
        interrupted = self._stop.is_set() or isinstance(crashed, KeyboardInterrupt)
        crash = None
        if crashed is not None and not isinstance(crashed, KeyboardInterrupt):
            crash = crash_origin(crashed, system)
            verdicts.append(Verdict("run_completed", False, [repr(crashed), crash],
                                    f"the run crashed: {type(crashed).__name__}: {crashed} "
                                    f"(raised in the {crash['by']}'s code, {crash['where']})"))
        status = "interrupted" if interrupted else "completed"
        outcome_fold = fold_history((e.to_dict() for e in history), system.metrics().counters,
                                    period_of(self.spec.config), judged_kinds_of(system, spec.backend))
        fault_outcomes, missed, unseen = outcome_fold.by_kind(), outcome_fold.path_missed(), outcome_fold.path_unseen()
        verdict = judge_run(verdicts, status=status, path_missed=missed, path_unseen=unseen,
                            faults_wanted=self.profile.wants_faults, faults_injected=injector.fired,
                            faults_never_served=never_served_count(fault_outcomes),
                            gates=gates, steady=steady_state.to_dict(), faults_skipped=injector.skips(),
                            not_started=not_started, device_losses=losses, notes=config_warnings,
                            unfired=scheduled_unfired(injector), unfired_why=unfired_why(injector),
                            delivery_held=system.metrics().counters.get("delivery_held", 0),
                            mostly_refused=mostly_refused_of(injector), not_applicable=not_applicable_of(injector))
        summary = summarize(spec, system, history, injector, verdicts, wall, clock.now() - t0,
                            callbacks=callbacks, cpu_s=cpu_s, verdict=verdict,
                            faults_wanted=self.profile.wants_faults, fault_outcomes=fault_outcomes,
                            path_missed=missed, path_unseen=unseen)
        summary["status"] = status  # the reports read it: an interrupted run's report says so
        if not_started is not None:
            summary["not_started"] = not_started  # and why a system never ran (the reports' verdict too)
        summary["device_losses"] = losses  # the reports' verdict reads it
        if crash is not None:
            summary["crash"] = crash  # whose code raised: a swarm groups system and harness crashes apart
        # the run's set-up warnings, notes of its verdict: fallback devices absent, its JACK server
        # started again as the rig's capture opened
        summary["config_warnings"] = config_warnings
        summary["system_factory"] = choice.describe()
        summary["dsp_kernel"] = self.dsp_kernel
        summary["audio"] = audio.summary()
        summary["cpu"]["process_cpu_percent_max"] = cpu_max
        summary["machine"] = machine.stop()  # what compare needs before it judges a speed
        history.close()
        RunFolder(run_dir).write_text("summary.json", json.dumps(summary, indent=2) + "\n")
        result = RunResult(spec, run_dir, verdicts, summary, history, verdict)
        if reports:
            result.report_paths = _write_reports(run_dir, result, history_db)
            adopt_report_verdict(result, getattr(result.report_paths, "report", None))
            summary["history_db"] = history_record(result.report_paths)
            summary["mtbf"] = mtbf_record(result.report_paths)
            RunFolder(run_dir).write_text("summary.json", json.dumps(summary, indent=2) + "\n")
        if not verdict_by_caller:
            note_verdict(run_dir, result.verdict)
        if crashed is not None and not isinstance(crashed, Exception):
            raise crashed  # KeyboardInterrupt/SystemExit after the summary is safe on disk
        return result

    @property
    def steady_window_s(self) -> float:
        """The steady-state window: the profile's ``[gates] steady_state_s``, else the default.

        0 for a soak: its checkpoints and its resume read the run's clock as seconds since the start
        of the faults, which the window before them would shift; a soak's steady state is "not
        checked" until they read the shift too."""
        if self.spec.soak:
            return 0.0
        gates = self.profile.gates
        return float(gates.steady_state_s) if gates is not None else DEFAULT_STEADY_STATE_S

    def _progress(self, system: AudioSystem, injector: FaultInjector, t0: float, wall0: float,
                  violations: int) -> Progress:
        return Progress(system.clock.now() - t0, self.spec.duration_s, time.perf_counter() - wall0,
                        injector.fired, system.monitoring.value("recoveries"), violations,
                        system.state.value)


def judged_kinds_of(system: Any, backend: str) -> frozenset[str]:
    """The fault kinds whose missed path the run of ``system`` on ``backend`` is judged on
    (``harness.fault_outcomes.judged_kinds``): ``stall`` for the stock system and its mutants
    (an ``AudioSystem``, whose watchdog reports a stall), ``sample_rate_change`` on the simulated
    device (which reports a switched rate as a ``SampleRateChangedError``)."""
    return judged_kinds(watchdog=isinstance(system, AudioSystem), rate_errors=backend == "sim")


def _code_files(system: Any) -> set[str]:
    """The source files of the system under test's own classes: every class of its type's MRO
    (a mutant's subclass, an adapter's ``--system`` module) and of its coordinator's, besides
    the ``system_under_test`` package, which ``crash_origin`` checks by folder."""
    import inspect  # noqa: PLC0415

    files: set[str] = set()
    for obj in (system, getattr(system, "coordinator", None)):
        if obj is None:
            continue
        for cls in type(obj).__mro__:
            if cls is object:
                continue
            try:
                files.add(os.path.realpath(inspect.getfile(cls)))
            except TypeError:  # a builtin class has no file
                continue
    return files


#: the system under test's package folder: a frame in it is the system's code
_SUT_ROOT = os.path.dirname(os.path.realpath(sys.modules[AudioSystem.__module__].__file__ or "")) + os.sep


def crash_origin(exc: BaseException, system: Any) -> dict[str, Any]:
    """Whose code raised ``exc``, the crash of a run: ``{"by": "system" | "harness", "type", "where"}``.

    Why: a swarm reports a crash of the system under test (a bug to shrink and keep as a
    scenario) apart from a crash of the harness itself (a bug of soundcheck's, which says nothing
    of the system). The innermost frame of the traceback that is either the system's code (the
    ``system_under_test`` package, or a file holding one of the system's own classes: a mutant,
    an adapted ``--system``) or the harness's decides; library frames (numpy, the standard
    library) under it are skipped, since they raise for whoever called them."""
    import traceback  # noqa: PLC0415

    own = _code_files(system)
    harness_dir = os.path.dirname(os.path.realpath(__file__)) + os.sep
    frames = traceback.extract_tb(exc.__traceback__)
    for frame in reversed(frames):
        path = os.path.realpath(frame.filename)
        by = ("system" if path in own or path.startswith(_SUT_ROOT)
              else "harness" if path.startswith(harness_dir) else None)
        if by is not None:
            return {"by": by, "type": type(exc).__name__,
                    "where": f"{os.path.basename(path)}:{frame.lineno} in {frame.name}"}
    return {"by": "harness", "type": type(exc).__name__, "where": "no frame of the system or the harness"}


def check_holds_a_block(duration_s: float, config: Mapping[str, Any] | None, option: str = "--duration") -> None:
    """Refuse (exit 2) a run or soak shorter than one audio block of its configuration: it would end
    before the system processed a block, its invariants judging nothing (it ended inconclusive,
    exit 3, where the user had made a typo). The minimum is named, rounded up to 0.01 ms."""
    frames, rate = _configured_block(config)
    block_s = frames / rate
    if duration_s < block_s:
        least_ms = math.ceil(block_s * 1e5) / 100
        raise UsageError(f"{option} {format_duration(duration_s)} is shorter than one audio block ({frames} "
                         f"frames at {rate} Hz = {block_s * 1e3:.3f} ms): the run would end before the system "
                         f"processed a block and could conclude nothing; give at least {least_ms:g}ms")


def _configured_block(config: Mapping[str, Any] | None) -> tuple[int, int]:
    """(block frames, sample rate) a run's configuration asks for, the system's defaults where it
    says none, or where it cannot be read here: a bad configuration is refused where it is loaded,
    and a --system's own format says its streams' blocks and rate later."""
    from system_under_test.config import load_config  # noqa: PLC0415

    try:
        stream = load_config(dict(config or {})).stream
    except Exception:  # noqa: BLE001 - see above: the defaults stand in
        stream = load_config({}).stream
    return int(stream.block_size), int(stream.sample_rate)


def _run_rate(config: Mapping[str, Any] | None) -> int:
    """The sample rate a run's configuration asks for (the system's default when it says none)."""
    return _configured_block(config)[1]


def _rig_capture(backend: DeviceBackend, run_dir: Path, program: Any = None, rig: Any = None) -> Any:
    """The rig's ears on the JACK server a real backend plays on, capturing; None on the
    simulated device or a device the rig cannot hear. Waits (bounded) until its client is open,
    so the test tone reaches the system from its first block; one that did not open is closed
    and says why (``failure``): the run's audio is then not analysed, and says so. ``program``:
    played (looped) instead of the tone, written into the run folder at the server's rate."""
    from .rig.rig_audio import READY_TIMEOUT_S, RigCapture, jack_server_of  # noqa: PLC0415 - rig runs only

    server = jack_server_of(backend)
    if server is None:
        return None
    program_file = None
    if program is not None:
        rate = int(getattr(rig, "rate", 0) or program.sample_rate)
        program_file = RunFolder(run_dir).write_bytes("program.f32", program.at(rate).astype("<f4").tobytes())
    capture = RigCapture(server, run_dir, program=program_file).start()
    if not capture.wait_ready(READY_TIMEOUT_S):
        if capture.start_outage is not None:
            why = (f"the JACK server {server!r} went away as the rig's capture client opened ({capture.start_outage}) "
                   f"and no server served that name again within {READY_TIMEOUT_S:.0f} s")
        elif capture.start_failure is not None:
            why = f"the rig's capture client could not open on JACK server {server!r}: {capture.start_failure}"
        else:
            why = f"the rig's capture client did not open on JACK server {server!r} within {READY_TIMEOUT_S:.0f} s"
        capture.fail(why)
    return capture


class _ServerDiedAtStart(Exception):
    """The run's own JACK server died (not by the harness) while the system was being configured
    or started, and that is why it refused: the environment failed under a good command."""


def _raise_if_server_died(rig: Any, watch: Any, doing: str, error: Any) -> None:
    """Raise ``_ServerDiedAtStart`` when the run's rig server died unannounced before the system's
    ``doing`` failed (the watch recorded it, or the server's process is gone and not yet
    restarted): a kill from outside during start-up is a fault of the environment, judged and
    reported as inconclusive, not a usage error that blames the configuration (measured: "no
    device named 'system' (available: none)", exit 2, no report, after ``kill -9`` of jackd
    0.8 s into its start; "the system did not start", exit 2, at the system's start)."""
    if rig is None:
        return
    records = list(getattr(watch, "records", None) or [])
    status = rig.lost
    if not records and status is None:
        return
    if records:
        d = records[0].details
        what = f"pid {d.get('pid')}, exit status {d.get('exit_status')}"
    else:
        what = f"pid {rig.pid}, exit status {status}"
    raise _ServerDiedAtStart(f"the JACK server died unannounced ({what}) while the system was being {doing}, "
                             f"which then failed: {error}")


def _raise_if_server_stopped(watch: Any, clock: Any, doing: str, error: Any) -> None:
    """Raise ``_ServerDiedAtStart`` when the run's JACK server (its own rig's, or one it does not
    own) was seen stopped from outside (``kill -STOP``) before the system's ``doing`` failed: a
    server that runs no cycle answers no client, and the system's refusal is the environment's,
    judged and reported as inconclusive, never a usage error that blames the command. The watch
    looks once more first: a refusal may come before its next poll."""
    if watch is None:
        return
    look = getattr(watch, "look", None)
    if look is not None:
        look()
    now = clock.now()
    stops = [r for r in getattr(watch, "stops", None) or () if r.fired_at <= now]
    if not stops:
        return
    first = stops[0]
    until = "still stopped" if first.ended_at is None else f"continued at t={first.ended_at:.3f} s"
    raise _ServerDiedAtStart(f"the JACK server (pid {first.details.get('pid')}) was stopped from outside "
                             f"(seen stopped at t={first.fired_at:.3f} s, {until}) while the system was being "
                             f"{doing}, which then failed: {error}")


def _raise_if_server_lost_at_start(capture: Any, doing: str, error: Any) -> None:
    """Raise ``_ServerDiedAtStart`` when the rig's capture saw the run's JACK server go away as its
    first client opened and no server came back before it gave up (``RigCapture.start_outage``
    on a failed capture): the system's ``doing`` then failed for want of a server that was there
    when the run began, the environment's fault, never a usage error. A server that was not there
    at all stays a usage error (``_unheard_server`` says which server to start)."""
    if capture is None or not getattr(capture, "failure", None) or getattr(capture, "start_outage", None) is None:
        return
    raise _ServerDiedAtStart(f"{capture.failure}; the system was then being {doing}, which failed: {error}")


def _device_host_signal(error: BaseException | None) -> str | None:
    """The signal that killed a device host before it could open the device, from ``error`` or the
    errors it was raised from (the system wraps its device's refusal); None when no host was killed."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        details = getattr(error, "details", None)
        if isinstance(details, dict) and details.get("host_signal"):
            return str(details["host_signal"])
        error = error.__cause__ or error.__context__
    return None


def _raise_if_device_host_killed(capture: Any, doing: str, error: Any) -> None:
    """Raise ``_ServerDiedAtStart`` when the system's ``doing`` failed because its device host was
    killed by a signal before it could open the device (``DeviceHost._exit_at_start``): a process of
    the environment crashed (libjack, inside PortAudio's initialisation), and the command was good.
    Measured in the suite under ``-n 2`` beside four busy loops: "the system did not start: [device]
    device host exited at start (install PortAudio ...)", a usage error. When the rig's capture did
    not open on the run's server either, the server may simply be absent: that stays a usage error
    (``_unheard_server`` says which server to start)."""
    name = _device_host_signal(error)
    if name is None or (capture is not None and getattr(capture, "failure", None)):
        return
    raise _ServerDiedAtStart(f"the device host was killed by {name} while the system was being {doing}, "
                             f"which then failed: {error}")


def _unheard_server(audio: AudioCheck) -> str:
    """What a refused start adds when the rig's capture could not open on the run's JACK server
    either (empty otherwise): the server named is not there, the likelier cause of "no device
    named 'system' (available: none)" than the device name (measured: jackd ``kill -9``ed 1 s into
    the CLI's start, before the capture's client opened)."""
    why = getattr(audio, "reason_capture", None)
    if not why:
        return ""
    return (f"; the rig's capture could not open on the JACK server either ({why}): is the server "
            "JACK_DEFAULT_SERVER names running? (`soundcheck loopback status`)")


#: how long a refused start waits for the rig's capture to report the loss of its JACK server
#: (its agent is told by libjack's shutdown callback, the harness reads that at a poll)
OUTAGE_REPORT_WAIT_S = 5.0


def _raise_if_outage_observed(audio: AudioCheck, observed: Any, clock: Any, doing: str, error: Any) -> None:
    """Raise ``_ServerDiedAtStart`` when the rig's capture saw the JACK server of a run that does
    not own it (``observed``: its ``ObservedOutages``) go away before the system's ``doing``
    failed: the user's server killed from outside during start-up is the environment's fault,
    judged and reported as inconclusive, as for a rig the run owns (``_raise_if_server_died``).
    Measured with the CLI on the user's rig (``run --backend portaudio --device system``, jackd
    ``kill -9``ed as the system was configured): exit 2, "the system could not be configured
    (--device 'system'): ... no device named 'system' (available: none)", a usage error blaming
    the command, and no report. The capture is polled for up to ``OUTAGE_REPORT_WAIT_S`` (its
    report follows the server's death by a poll)."""
    if observed is None or getattr(audio, "capture", None) is None:
        return
    until = clock.now() + OUTAGE_REPORT_WAIT_S
    while True:
        audio.poll()
        if observed.records or clock.now() >= until:
            break
        clock.sleep(0.05)
    if not observed.records:
        return
    record = observed.records[0]
    raise _ServerDiedAtStart(f"the JACK server {record.details.get('server')!r} went away ({record.details.get('why')}; "
                             f"observed by the rig's capture) while the system was being {doing}, which then failed: "
                             f"{error}")


def outages_never_back(verdicts: list[Verdict], observed: Any = None) -> list[str]:
    """The outages from outside the harness whose server it never saw back before the run ended,
    as ``"kind (firing id)"``: the ``recovery`` invariant's doubts, and every outage the rig's
    capture observed (``observed``: its ``ObservedOutages``) that never ended.

    The invariant doubts only an outage that hit a running system (one that hit a stopped system
    left it nothing to come back to); the steady state after the faults asks more: whether the
    system *could* be steady. Measured with the CLI on the user's rig (seed 24, ``kill -9`` of
    jackd 15 s in, its restart refused: "server already active"): the kill hit while a lifecycle
    storm had the system stopped, the storm's ``start`` and ``recover`` then found no device until
    the run's end, and the steady state after was "never back to RUNNING" with the outage named
    nowhere; a run steady before its faults would have FAILED the system for the server's
    absence."""
    named = [str(d["outage"]) for v in verdicts if v.name == "recovery" for d in v.evidence
             if isinstance(d, Mapping) and d.get("never_back")]
    for record in getattr(observed, "records", None) or ():
        label = f"{record.kind} ({record.firing_id})"
        if record.ended_at is None and label not in named:
            named.append(label)
    return named


def _record_observed_outages(audio: AudioCheck, history: History) -> Any:
    """Wire ``rig_target.ObservedOutages`` to the check's capture, when it has one (a JACK server
    the rig hears); returns it, or None."""
    capture = getattr(audio, "capture", None)
    if capture is None:
        return None
    from .rig.rig_target import ObservedOutages  # noqa: PLC0415 - rig runs only

    outages = ObservedOutages(history, getattr(capture, "server", None))
    audio.outage_listeners.append(outages)
    return outages


def _watch_unowned_server(capture: Any, history: History, clock: Any) -> Any:
    """A started ``UnownedServerWatch`` over the JACK server the rig's capture samples (found by its
    name in ``/proc``), for a run that does not own that server."""
    from .rig.rig_target import UnownedServerWatch  # noqa: PLC0415 - rig runs only

    runs = capture.server_runs
    return UnownedServerWatch(lambda: runs.pid, history, clock, server=getattr(capture, "server", None)).start()


def _watch_rig(target: Any, history: History) -> Any:
    """A started ``ServerWatch`` when the run owns a JACK loopback rig, else None."""
    if "harness.rig.rig_target" not in sys.modules:  # no rig target can exist: none was imported
        return None
    from .rig.rig_target import JackRigTarget, ServerWatch  # noqa: PLC0415

    if not isinstance(target, JackRigTarget):
        return None
    return ServerWatch(target, history).start()


def gate_figures(system: AudioSystem, callbacks: Mapping[str, Any], operating_s: float) -> dict[str, float | None]:
    """The figures the performance gates read (``harness.gates.GATE_FIGURES``); None where the run
    has none: xruns per hour of operating time, the 95th percentile of the system's own recovery
    times, the callback p99.9 as a share of the block budget."""
    import numpy as np

    xruns = system.metrics().counters.get("xruns", 0)
    rec = system.monitoring.histogram("recovery_time_s")
    samples = rec.samples() if rec.count else None
    p999, budget = callbacks.get("p99_9"), callbacks.get("budget_s")
    return {"xruns_per_hour": xruns / (operating_s / 3600.0) if operating_s > 0 else None,
            "recovery_p95_s": float(np.percentile(samples, 95)) if samples is not None and samples.size else None,
            "callback_p99_9_budget": p999 / budget if isinstance(p999, (int, float)) and budget else None}


def _merge(verdicts: list[Verdict], live: list[Verdict]) -> list[Verdict]:
    """A live violation fails its invariant even if the end state looks fine."""
    by_name = {v.name: v for v in verdicts}
    for v in live:
        prior = by_name.get(v.name)
        if prior is None or prior.ok:
            by_name[v.name] = Verdict(v.name, False, list(v.evidence), f"live: {v.message}")
    return list(by_name.values())


def summarize(spec: RunSpec, system: AudioSystem, history: History, injector: FaultInjector,
              verdicts: list[Verdict], wall_s: float, simulated_s: float, *,
              callbacks: CallbackDurations | None = None, cpu_s: float | None = None,
              verdict: RunVerdict | None = None, faults_wanted: bool = False,
              fault_outcomes: dict[str, dict[str, int]] | None = None,
              path_missed: dict[str, dict[str, Any]] | None = None,
              path_unseen: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The run in figures (``summary.json``). ``callbacks``: every callback's duration, folded during
    the run (without it, the system's reservoir of the last 65 536 is used); ``cpu_s``: the process's
    CPU time over the run; ``verdict``: the run's verdict (judged from ``verdicts`` when not given);
    ``fault_outcomes``: what each kind's firings became (``harness.fault_outcomes``; read from
    ``history`` when not given); ``path_missed``: the kinds whose judged firings never reached
    their path (``FaultOutcomeFold.path_missed``; read with the outcomes when not given);
    ``path_unseen``: the kinds none of whose firings was judged, one not observed
    (``FaultOutcomeFold.path_unseen``; likewise)."""
    if verdict is None:
        verdict = judge_run(verdicts)
    counters = system.metrics().counters
    if fault_outcomes is None or path_missed is None or path_unseen is None:
        outcome_fold = fold_history((e.to_dict() for e in history), counters, period_of(spec.config),
                                    judged_kinds_of(system, spec.backend))
        fault_outcomes = outcome_fold.by_kind() if fault_outcomes is None else fault_outcomes
        path_missed = outcome_fold.path_missed() if path_missed is None else path_missed
        path_unseen = outcome_fold.path_unseen() if path_unseen is None else path_unseen
    acc = system.frame_accounts()
    faults = Counter(injector.fired_by_kind)
    if callbacks is None:
        callbacks = CallbackDurations()
        callbacks.fold(system.monitoring.histogram("callback_duration_s"), _budget(system))
    cb = callbacks.summary()
    hours = simulated_s / 3600.0
    xruns = counters.get("xruns", 0)
    return {
        "soundcheck": "run-summary",
        "schema_version": 3,
        "ok": verdict.ok,
        "outcome": verdict.outcome.value,
        "verdict": verdict.to_dict(),
        "spec": spec.to_dict(),
        "backend": spec.backend,
        "seed": spec.seed,
        "simulated_s": round(simulated_s, 6),
        "wall_s": round(wall_s, 3),
        "speed_x_realtime": round(simulated_s / wall_s, 1) if wall_s > 0 else None,
        "frames": acc.to_dict(),
        "xruns": xruns,
        "xruns_per_hour": round(xruns / hours, 3) if hours > 0 else None,
        "callback_duration_s": cb,
        "cpu": {
            # the audio callback's share of real time: callback seconds / operating seconds
            "callback_load_mean": cb["budget_share"]["mean"],
            "callback_load_p99": cb["budget_share"]["p99"],
            "process_cpu_s": round(cpu_s, 3) if cpu_s is not None else None,
            "process_cpu_percent": round(100 * cpu_s / wall_s, 1) if cpu_s is not None and wall_s > 0 else None,
        },
        "callbacks": counters.get("callbacks", 0),
        "errors": counters.get("errors", 0),
        "faults": {"total": sum(faults.values()), "by_kind": dict(sorted(faults.items())),
                   "scheduled": len(injector.schedule), "wanted": faults_wanted,
                   # what the profile asked for (kind -> probability per check), how many faults its
                   # schedule drew (those the backend cannot inject included) and how many of those
                   # the backend could not inject: a run that asked and injected none is no pass
                   "asked": dict(injector.schedule.asked), "requested": injector.schedule.requested,
                   "unsupported": injector.schedule.unsupported,
                   # kinds the profile asked for of which not one fired: the run says nothing of them
                   "never_fired": sorted(k for k in injector.schedule.asked if not faults.get(k)),
                   # of those, the kinds its schedule drew for this run (kind -> faults drawn):
                   # promised, never fired, and not every one skipped (the verdict's doubt)
                   "scheduled_unfired": scheduled_unfired(injector),
                   # of those, why: still queued at the run's end, refused, or never reached
                   "unfired_why": unfired_why(injector),
                   # every fault not injected, kind -> reason -> count: the target could not
                   # inject it, or it had nothing to act on when it fired (no pipeline)
                   "skipped": injector.skips(),
                   # of the kinds that fired, those more of whose firings were refused than acted
                   # (kind -> fired, refused, reasons): barely tried, the verdict's doubt
                   "mostly_refused": mostly_refused_of(injector),
                   # kinds the system refused at every firing for its make (no pipeline while it
                   # runs): not applicable to this system, the verdict's note
                   "not_applicable": not_applicable_of(injector),
                   # kind -> faults held for the system's state, of them those that then acted and
                   # those still held at the run's end (``FaultInjector``'s hold)
                   "held": injector.held_summary(),
                   # kind -> what its firings became as the system saw them (a stall, an error, a
                   # counted late block, nothing): ``harness.fault_outcomes``
                   "outcomes": fault_outcomes,
                   # kinds that name a path (an xrun) none of whose firings reached it: the run
                   # tested nothing of that path (the verdict's doubt)
                   "path_missed": path_missed,
                   # kinds that name a path none of whose firings was judged, one at least acting
                   # past the history's samples (not observed): whether the run tested that path
                   # is not known (the verdict's doubt)
                   "path_unseen": path_unseen,
                   # the kinds judged so: a stall only on a system with the stock watchdog, a
                   # rate change only on a device that reports it as its own error
                   "judged_kinds": sorted(judged_kinds_of(system, spec.backend))},
        "recoveries": counters.get("recoveries", 0),
        "recovery_failures": counters.get("recovery_failures", 0),
        # silences the system's watchdog laid on the machine holding its delivery thread off a
        # CPU while the device kept calling back (``system.held_by_the_machine``): no stall, no
        # recovery, and the glitches they leave are the listening check's to judge
        "delivery_held": counters.get("delivery_held", 0),
        "final_state": system.state.value,
        "invariants": {v.name: v.ok for v in verdicts},
        "invariant_status": {v.name: check_status(v.to_dict()) for v in verdicts},
        "violations": [v.to_dict() for v in verdicts if not v.ok],
        "inconclusive": [v.to_dict() for v in verdicts if v.ok and v.inconclusive],
        "history": str(history.path) if history.path else None,
        "gates": [dict(g) for g in verdict.gates],
        "steady_state": verdict.steady,
    }


def scheduled_unfired(injector: FaultInjector) -> dict[str, int]:
    """Kind -> faults the run's schedule drew of it, for each kind of which none fired and not
    every drawn fault was skipped (``fault_skipped``: the target could not inject it, or it had
    nothing to act on: a note of its own); why each did not fire is ``unfired_why``.

    Why the schedule and not the profile's probabilities: the schedule is what the profile
    promised for this seed and this duration. A kind drawn with a small probability in a short
    run is often not drawn at all, and then the run never claimed to test it (summary.json's
    ``never_fired`` lists it, with no doubt); a kind that was drawn and never fired is a claim
    the run did not keep."""
    return {k: u.drawn for k, u in unfired_kinds(injector).items()}


def unfired_why(injector: FaultInjector) -> dict[str, dict[str, Any]]:
    """Kind -> why the drawn faults of each ``scheduled_unfired`` kind never fired: how many were
    still queued at the run's end, refused when they fired, or never reached, and the clause the
    verdict's doubt gives (``harness.faults.unfired``)."""
    return {k: u.to_dict() for k, u in unfired_kinds(injector).items()}


def _budget(system: AudioSystem) -> float | None:
    """The block budget (block size / sample rate), once the system has a config."""
    config = system.config
    return config.block_seconds if config is not None else None


def _run_data(result: RunResult) -> Any:
    """The run as the report builder reads it (``reports.RunData``)."""
    spec = result.spec
    meta = {"backend": spec.backend, "seed": spec.seed, "profile": spec.faults, "duration_s": spec.duration_s,
            "label": spec.label}
    return run_data_from_run(result.history, run_dir=result.run_dir, meta=meta, label=spec.label,
                             summary=result.summary, verdicts=result.verdicts)


def judge_as_its_report(result: RunResult) -> dict[str, Any]:
    """Adopt the verdict the run's report would give (``adopt_report_verdict``) without writing the
    report, and return that report's leak verdicts (metric -> ``leaks.LeakVerdict.to_dict``).

    Why: a driver that writes no report (a swarm's seed) judged its runs by the invariants alone,
    so a seed whose system held one buffer more after every recovery passed where ``soundcheck
    run`` of the same seed failed "leak suspected". The report builder is the one place that
    judges the slopes (``harness.leaks`` over the history's samples, the rule a soak's report uses)."""
    report = build_report(_run_data(result), run_dir=result.run_dir)
    adopt_report_verdict(result, report)
    return dict((report.get("stability") or {}).get("leaks") or {})


def _write_reports(run_dir: Path, result: RunResult, history_db: Path | None = None) -> dict[str, str]:
    """Hand the run to the report writer; a report failure never loses the run. ``history_db``:
    the run-history database the run is recorded in (None: the default, as the cwd is now)."""
    spec = result.spec
    try:
        run_data = _run_data(result)
        # a failing run leaves its replay scenario (exported and minimised) for the report to name
        mutant = result.history.meta.get("mutant")
        run_data.replay = export_replay(run_data.verdicts, run_dir=run_dir, history=run_dir / "history.jsonl",
                                        config=run_data.config, seed=spec.seed, mutant=mutant, profile=spec.faults)
        paths = write_reports(run_dir, run_data, history_db=history_db)
    except (RunFolderError, OSError) as exc:
        # the folder cannot take the reports (a full disk, a folder gone read-only): the user's to
        # mend, and said so; not a note beside a PASS that nobody reads (the report also judges
        # the leaks, so a run without it has not had all its checks)
        with contextlib.suppress(HarnessError, OSError):
            RunFolder(run_dir).write_text("report-error.txt", f"report generation failed: {exc!r}\n")
        raise ReportsNotWrittenError(run_dir, exc) from None
    except Exception as exc:  # noqa: BLE001 - the summary and history are already on disk
        RunFolder(run_dir).write_text("report-error.txt", f"report generation failed: {exc!r}\n")
        # said on the console and in summary.json (``history_db``): the run-history row is made
        # from the report, so this run is missing from it
        return _ReportPathStrings(report_error=f"{type(exc).__name__}: {exc}")
    out = _ReportPathStrings({k: str(v) for k, v in (paths or {}).items()})
    out.report = getattr(paths, "report", None)
    return out


class ReportsNotWrittenError(HarnessError):
    """A run's reports could not be written into its folder (exit 2): its summary and history are
    there, and ``soundcheck report`` rebuilds the reports from them once the cause is mended."""

    def __init__(self, run_dir: Path, cause: BaseException) -> None:
        self.run_dir = Path(run_dir)
        what = str(cause) if isinstance(cause, HarnessError) else f"{getattr(cause, 'filename', None) or run_dir}: " \
            f"{getattr(cause, 'strerror', None) or cause}"
        super().__init__(f"the run's reports could not be written: {what}; its summary.json and history.jsonl "
                         f"are in {self.run_dir} (the verdict there has not had the report's checks): mend that "
                         f"and rebuild the reports with `soundcheck report {self.run_dir}`")


class _ReportPathStrings(dict):  # type: ignore[type-arg]
    """The report paths as strings, with the report that was written (``report``): its verdict
    is the run's (``adopt_report_verdict``)."""

    report: dict[str, Any] | None = None


def adopt_report_verdict(result: Any, report: Mapping[str, Any] | None) -> None:
    """Make the report's verdict the run's: the console line, the exit code and ``summary.json``.

    Why: the report judges what the run alone does not (the slopes of what the system holds
    over the run, ``harness.leaks``; records of the history it could not read), with the same
    invariants, status, faults, gates and steady state, so its verdict holds every reason the
    run's has and may add more. The run had printed PASS and exited 0 while ``report.json``,
    ``report.html`` and the run-history database said "FAIL: leak suspected": one run, two
    verdicts. ``result`` is a ``RunResult`` or a ``SoakResult``-like object with ``run_dir``,
    ``summary`` and ``verdict``; without a report (its writing failed) nothing changes."""
    if not report or not isinstance(report.get("verdict"), Mapping):
        return
    stability = report.get("stability") or {}
    verdict = RunVerdict.from_dict(report["verdict"], stability.get("invariants") or ())
    verdict = dataclasses.replace(verdict, subject=result.verdict.subject)
    if verdict.to_dict() == result.verdict.to_dict():
        return
    result.verdict = verdict
    if result.summary:
        write_summary_verdict(Path(result.run_dir), result.summary, verdict)


def note_verdict(run_dir: Path, verdict: RunVerdict) -> None:
    """End the run folder's ``history.jsonl`` with the run's final verdict (its ``summary``
    note), the one summary.json, the reports, the console and the exit code give.

    Why: the note was written as the history closed, before the report judged the slopes of what
    the system held, so a run the report failed kept "pass" in its history beside a FAIL
    everywhere else. Written after the adoption instead (``history.append_note``)."""
    path = Path(run_dir) / "history.jsonl"
    if path.is_file():
        append_note(path, "summary", ok=verdict.ok, outcome=verdict.outcome.value)


def write_summary_verdict(run_dir: Path, summary: dict[str, Any], verdict: RunVerdict) -> None:
    """Rewrite ``summary.json`` (``summary``, the run's) with ``verdict``, the one the report, the
    console and the exit code give: never a PASS in it beside an INCONCLUSIVE or a FAIL of the
    same run."""
    summary.update(ok=verdict.ok, outcome=verdict.outcome.value, verdict=verdict.to_dict())
    RunFolder(run_dir).write_text("summary.json", json.dumps(summary, indent=2) + "\n")


__all__ = ["BACKENDS", "Progress", "ReliabilityRun", "RunResult", "RunSpec", "check_device", "gate_figures",
           "new_run_dir", "profile_for", "run_config", "schedule_for", "summarize"]


def install_stop_signals(target: Any) -> Callable[[], None]:
    """SIGINT (Ctrl-C) and SIGTERM call ``target.request_stop()``: a run or soak ends after its
    current chunk, its invariants are still checked and its reports written, marked interrupted
    (inconclusive, exit 3). A second Ctrl-C interrupts at once (``KeyboardInterrupt``; what was
    recorded is still written, marked so). Returns the function that puts the previous handlers
    back."""
    hits = {"n": 0}

    def handler(signum: int, _frame: Any) -> None:
        hits["n"] += 1
        if hits["n"] > 1 and signum == signal.SIGINT:
            raise KeyboardInterrupt
        target.request_stop()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for s, h in previous.items():
            signal.signal(s, h)

    return restore
