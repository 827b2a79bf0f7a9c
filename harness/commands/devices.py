"""``soundcheck devices``: every backend and the devices it sees right now.

Backends: ``sim`` (the simulated devices), ``portaudio`` (everything PortAudio lists, each scan
in a fresh device host) and ``jack`` (PortAudio's JACK host API on the loopback rig recorded by
``soundcheck loopback up``, else ``$JACK_DEFAULT_SERVER``). A backend that cannot run here is
listed with the reason instead of failing the command.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from system_under_test.clock import VirtualClock
from system_under_test.devices.simulated import SimulatedBackend
from system_under_test.errors import AudioSystemError

from ..errors import RigError
from ..rig.loopback import read_state


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("devices", help="list backends and their devices")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--backend", choices=["sim", "portaudio", "jack"], action="append",
                        help="only these backends (repeatable)")
    parser.set_defaults(func=handler)


def _sim() -> list[dict[str, Any]]:
    return [_info(d) for d in SimulatedBackend(VirtualClock()).devices()]


def _portaudio() -> list[dict[str, Any]]:
    from system_under_test.devices.portaudio import PortAudioBackend

    backend = PortAudioBackend()
    rig = _rig_server()
    if rig:
        backend.jack_server = rig
    return [_info(d) for d in backend.devices()]


def _jack() -> list[dict[str, Any]]:
    from system_under_test.devices.jack import JackBackend

    return [_info(d) for d in JackBackend(server_name=_rig_server()).devices()]


def _rig_server() -> str | None:
    try:
        state = read_state()
    except RigError:
        return None
    return state.get("server_name") if state else None


def _info(d: Any) -> dict[str, Any]:
    return {"name": d.name, "inputs": d.max_input_channels, "outputs": d.max_output_channels,
            "rates": list(d.sample_rates), "default_rate": d.default_sample_rate}


LISTERS = {"sim": _sim, "portaudio": _portaudio, "jack": _jack}


def handler(args: argparse.Namespace) -> int:
    report: dict[str, Any] = {}
    for name in args.backend or list(LISTERS):
        try:
            report[name] = {"available": True, "devices": LISTERS[name]()}
        except (AudioSystemError, RuntimeError, TypeError) as exc:
            report[name] = {"available": False, "reason": str(exc), "devices": []}
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    for name, entry in report.items():
        if not entry["available"]:
            print(f"{name}: unavailable: {entry['reason']}")
            continue
        print(f"{name}: {len(entry['devices'])} device(s)")
        for d in entry["devices"]:
            print(f"  {d['name']:<24} in {d['inputs']:>2}  out {d['outputs']:>2}  rates {d['rates']}")
    return 0
