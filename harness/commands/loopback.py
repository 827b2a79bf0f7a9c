"""``soundcheck loopback up | down | status``: a JACK loopback rig that outlives the command.

``up`` starts a detached rig (its own ``jackd --no-realtime -d dummy``) and records it in a small
JSON state file (``$XDG_RUNTIME_DIR/soundcheck-loopback.json``, else
``/tmp/soundcheck-loopback-<uid>.json``; ``SOUNDCHECK_LOOPBACK_STATE`` or ``--state`` override),
so ``down`` can kill exactly that server later — after checking the recorded pid still is that
jackd, never a reused pid. ``status`` prints the state as JSON plus whether it is alive.
Point PortAudio at it with ``export JACK_DEFAULT_SERVER=<server_name>`` (``up`` prints it).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..errors import RigError
from ..inputs import finite_float, int_in_range
from ..rig.loopback import (LoopbackRig, check_server_name, pid_is_jackd, pooled_server_names, read_state, state_path,
                            stop_detached, write_state)

DEFAULT_SERVER = "soundcheck"


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("loopback", help="start/stop/inspect the JACK loopback rig")
    parser.add_argument("--state", type=Path, default=None, help="state file (default: %(default)s)")
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    up = sub.add_parser("up", help="start a detached jackd (dummy driver)")
    # bounded as a configuration's stream is (sample_rate, block_size): jackd was handed
    # ``--rate -1`` or ``--timeout nan`` as given, and a server name is spliced into the /dev/shm
    # paths ``down`` removes
    up.add_argument("--rate", type=int_in_range(8_000, 384_000, what="sample rate"), default=48000)
    up.add_argument("--period", type=int_in_range(16, 8192, what="period in frames"), default=256)
    up.add_argument("--server-name", type=_server_name, default=DEFAULT_SERVER)
    up.add_argument("--timeout", type=finite_float(lo=0, lo_open=True, hi=600, what="readiness timeout in seconds"),
                    default=10.0, help="seconds to wait for readiness")
    sub.add_parser("down", help="kill the rig started by 'up'")
    sub.add_parser("status", help="print the rig's state as JSON")
    parser.set_defaults(func=handler)


def _server_name(text: str) -> str:
    """argparse ``type=``: a server name the rig may use (``check_server_name``) and not one of the
    pool's: the next run that leases that name would stop this server as its orphan."""
    try:
        name = check_server_name(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    pool = pooled_server_names()
    if name in pool:
        raise argparse.ArgumentTypeError(
            f"{name!r} is one of the names the rig's own runs lease ({pool[0]} to {pool[-1]}): the next run "
            f"that leases it would stop this server as an orphan; give another name, or leave --server-name "
            f"out for {DEFAULT_SERVER!r}")
    return name


def handler(args: argparse.Namespace) -> int:
    path: Path = args.state or state_path()
    if args.action == "up":
        return _up(args, path)
    if args.action == "down":
        return _down(path)
    return _status(path)


def _alive(state: dict) -> bool:
    return pid_is_jackd(int(state["pid"]), state.get("server_name"))


def _up(args: argparse.Namespace, path: Path) -> int:
    state = read_state(path)
    if state is not None and _alive(state):
        raise RigError(f"a loopback rig is already up (pid {state['pid']}, server "
                       f"{state['server_name']!r}); run 'soundcheck loopback down' first")
    rig = LoopbackRig(rate=args.rate, period=args.period, server_name=args.server_name,
                      ready_timeout_s=args.timeout, detach=True, monitor=False)
    rig.start()
    state = rig.detach_state()
    write_state(state, path)
    print(json.dumps({**state, "state_file": str(path), "alive": True}, indent=2))
    print(f"export JACK_DEFAULT_SERVER={state['server_name']}")
    return 0


def _down(path: Path) -> int:
    state = read_state(path)
    if state is None:
        print(f"no loopback rig recorded in {path}")
        return 0
    killed = stop_detached(state)
    path.unlink(missing_ok=True)
    print(f"{'stopped' if killed else 'was not running:'} jackd pid {state['pid']} ({state['server_name']})")
    return 0


def _status(path: Path) -> int:
    state = read_state(path)
    if state is None:
        print(json.dumps({"state_file": str(path), "alive": False}, indent=2))
        return 1
    print(json.dumps({**state, "state_file": str(path), "alive": _alive(state)}, indent=2))
    return 0 if _alive(state) else 1
