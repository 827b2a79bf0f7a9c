"""The run's own configuration, as the lifecycle faults must keep it: a storm's or an operator's
``configure``/``reconfigure`` is the run's configuration with one change laid over it
(``storm_config``), and the clean-up after them puts a system left on another configuration back on
the run's (``config_to_restore``).

Why: ``System.reconfigure`` applies a whole new configuration (a missing field takes its default),
so a storm drawing ``{"stream": {"block_size": 128}}`` used to replace the run's configuration with
the stock one plus that change, and nothing put the run's back: a run asked to test 1024-frame
blocks tested 256/128-frame blocks from its first lifecycle fault on (``bench/bench_sim.py
--block-mix`` measured 9.0 s of a 300 s run at 1024 frames).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def overlay(base: Mapping[str, Any], change: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``change`` laid over it: tables merged key by key, anything else (a value, or a
    list such as the ``dsp`` chain) replaced whole. Neither argument is modified."""
    out = dict(base)
    for key, value in change.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = overlay(out[key], value)
        else:
            out[key] = value
    return out


def storm_config(base: Mapping[str, Any] | None, change: Mapping[str, Any]) -> Mapping[str, Any]:
    """The configuration a storm applies for ``change``: ``change`` itself when the run's
    configuration is not known (``base`` None), else the run's configuration with ``change`` over it.

    A change the run's own other settings make invalid (a gain-only ``dsp`` chain where the run's
    chain has a mixer feeding fewer output channels, a block longer than the run's latency) gives
    the run's configuration unchanged: the faults apply configurations believed valid, and a
    refusal of one of those is a finding (``linearizable`` allows none), so the harness must not
    send one the schema check alone would refuse. Checked without devices: the changes drawn never
    touch the devices or the rate, so the device checks are those the run's configuration passed;
    a device that a dropout removed is a refusal the checkers already allow."""
    if base is None:
        return change
    merged = overlay(base, change)
    if merged == dict(base):
        return merged
    from system_under_test.config import load_config  # noqa: PLC0415
    from system_under_test.errors import ConfigError  # noqa: PLC0415

    try:
        load_config(merged)
    except ConfigError:
        return dict(base)
    return merged


def config_to_restore(system: Any, base: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """``base`` when ``system`` runs on a configuration other than the one ``base`` validates to;
    None when it runs on that one, or when there is nothing to compare (no ``base``, no config
    yet, or a ``base`` that does not validate on its own)."""
    config = getattr(system, "config", None)
    if base is None or config is None:
        return None
    from system_under_test.config import load_config  # noqa: PLC0415
    from system_under_test.errors import ConfigError  # noqa: PLC0415

    try:
        wanted = load_config(dict(base)).to_dict()
    except ConfigError:
        return None
    return None if config.to_dict() == wanted else base


__all__ = ["config_to_restore", "overlay", "storm_config"]
