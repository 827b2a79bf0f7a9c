"""A v1 document is recognised by any one of its flat keys, alone.

v1 files predate ``schema_version``, so ``migrate`` guesses their version from their keys. A file
that sets only one of them (just its gain, just its rate) is as much a v1 file as one that sets
all: it must migrate to the v3 document it means (v1's one-gain chain, its device names), not be
read as v3 and refused for a key v3 does not have.
"""

from __future__ import annotations

from typing import Any

import pytest

from system_under_test.config import CURRENT_SCHEMA_VERSION, AudioConfig, load_config, migrate

#: (the v1 document, then what it means: sample rate, block size, input device, channels each
#: way, the chain's kinds and its gain)
CASES: list[tuple[dict[str, Any], tuple[int, int, str, int, list[str], float]]] = [
    ({"rate": 44_100}, (44_100, 256, "sim-in", 2, ["gain"], 0.0)),
    ({"buffer_size": 128}, (48_000, 128, "sim-in", 2, ["gain"], 0.0)),
    ({"channels": 1}, (48_000, 256, "sim-in", 1, ["gain"], 0.0)),
    ({"gain_db": -6.0}, (48_000, 256, "sim-in", 2, ["gain"], -6.0)),
    ({"device": "sim-duplex"}, (48_000, 256, "sim-duplex", 2, ["gain"], 0.0)),
]


def _meaning(cfg: AudioConfig) -> tuple[int, int, str, int, list[str], float]:
    assert cfg.device.input_channels == cfg.device.output_channels  # v1 had one channel count
    return (cfg.stream.sample_rate, cfg.stream.block_size, cfg.device.input_device,
            cfg.device.input_channels, [s.kind for s in cfg.dsp], cfg.dsp[0].gain_db)


@pytest.mark.parametrize(("doc", "expected"), CASES, ids=[next(iter(d)) for d, _ in CASES])
def test_a_v1_document_of_one_key_migrates_to_what_it_means(doc: dict[str, Any],
                                                            expected: tuple[int, int, str, int, list[str], float]) -> None:
    assert migrate(doc)["schema_version"] == CURRENT_SCHEMA_VERSION
    assert _meaning(load_config(doc)) == expected
