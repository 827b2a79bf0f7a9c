"""Configurations a system must reject: ``invalid_config(rng, kind)`` draws one of
``INVALID_CONFIG_KINDS`` (wrong types, out-of-range values, broken cross-field rules, unknown schema
versions, unknown fields, missing devices, a root that is not a table), with why it is invalid.

Used by the ``invalid_config`` fault, by lifecycle storms (``configure_invalid``) and by the
stateful machines' invalid-configuration rule.
"""

from __future__ import annotations

import random
from typing import Any

INVALID_CONFIG_KINDS = ("wrong_type", "out_of_range", "cross_field", "unknown_version", "unknown_field",
                        "missing_device", "not_a_mapping")



def invalid_config(rng: random.Random, kind: str | None = None) -> tuple[dict[str, Any], str]:
    """A configuration that must be rejected, and why: wrong types, out-of-range values, broken
    cross-field rules, unknown schema versions, unknown fields, missing devices."""
    kinds = INVALID_CONFIG_KINDS
    kind = kind or rng.choice(kinds)
    if kind == "wrong_type":
        section, key, value = rng.choice([
            ("stream", "sample_rate", "fast"), ("stream", "block_size", [256]),
            ("device", "input_channels", "two"), ("buffers", "ring_blocks", {"n": 8}),
            ("recovery", "max_attempts", "many"), ("device", "input_device", 7),
        ])
        return {section: {key: value}}, f"{section}.{key} has the wrong type"
    if kind == "out_of_range":
        section, key, value = rng.choice([
            ("stream", "sample_rate", rng.choice([0, -48_000, 7_999, 384_001, 10**9])),
            ("stream", "block_size", rng.choice([0, 15, 8193, -1])),
            ("stream", "latency_ms", rng.choice([0, -5.0, 2000.5])),
            ("device", "input_channels", rng.choice([0, 65])),
            ("buffers", "ring_blocks", rng.choice([1, 0, 1025])),
            ("recovery", "backoff_factor", rng.choice([0.5, 11.0])),
        ])
        return {section: {key: value}}, f"{section}.{key}={value!r} is out of range"
    if kind == "cross_field":
        choice = rng.randrange(4)
        if choice == 0:
            return {"stream": {"block_size": 4096, "latency_ms": 5.0}}, "block longer than latency"
        if choice == 1:
            return {"dsp": [{"kind": "biquad", "cutoff_hz": 250_000.0}]}, "cutoff above Nyquist"
        if choice == 2:
            return {"dsp": [{"kind": "mixer", "matrix": [[1.0, 0.0, 0.0]]}]}, "mixer shape mismatch"
        return {"stream": {"sample_rate": 32_000}}, "rate the device does not support"
    if kind == "unknown_version":
        return {"schema_version": rng.choice([0, 4, 99, -1])}, "unknown schema_version"
    if kind == "unknown_field":
        return {"stream": {"sample_rat": 48_000}}, "misspelt field"
    if kind == "missing_device":
        return {"device": {"input_device": "no-such-device"}}, "device not present"
    if kind == "not_a_mapping":
        return ["not", "a", "table"], "root is not a mapping"  # type: ignore[return-value]
    raise ValueError(f"unknown invalid-config kind {kind!r}")


def with_valid_change(config: Any, rng: random.Random) -> Any:
    """``config`` (one broken part) with one valid change beside it: ``recovery.max_attempts`` set
    to 13 or 17 (the watchdog's supervisor pace when the recovery section is the broken one). A
    correct system rejects the whole and changes nothing; one that applies what validated on its
    own shows it in its configuration. With the broken part alone there was nothing valid to
    apply: ``run --mutant half_reconfigure`` passed at 1 seed in 10 whose invalid configurations
    all broke the one section they had."""
    if not isinstance(config, dict):
        return config
    if "recovery" in config:
        return {**config, "watchdog": {"supervisor_interval_ms": rng.choice([7.0, 9.0])}}
    return {**config, "recovery": {"max_attempts": rng.choice([13, 17])}}


__all__ = ["INVALID_CONFIG_KINDS", "invalid_config", "with_valid_change"]
