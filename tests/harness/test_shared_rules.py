"""Rules said once: how a configuration is taken in, what ``recover()`` does, how long a block lasts.

``AudioSystem`` and ``harness.sut_kit.LifecycleAdapter`` (the base of every adapted application)
are judged by one lifecycle model, so they must take configurations in and decide ``recover()``
by the same code, not by two copies that can drift; and every reader of a block's duration
divides in one place (``system_under_test.blocks``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import harness.sut_kit as sut_kit
import system_under_test.recoverer as recoverer
import system_under_test.system as system_module
from system_under_test import blocks
from system_under_test.config import load_config
from system_under_test.lifecycle import State, recover_plan

ROOT = Path(__file__).resolve().parents[2]
S = State


def _defines(module: object, name: str) -> bool:
    tree = ast.parse(Path(module.__file__).read_text())  # type: ignore[attr-defined]
    return any(isinstance(n, ast.FunctionDef) and n.name == name for n in ast.walk(tree))


def _calls(module: object, name: str) -> bool:
    tree = ast.parse(Path(module.__file__).read_text())  # type: ignore[attr-defined]
    return any(isinstance(n, ast.Call) and getattr(n.func, "id", getattr(n.func, "attr", None)) == name
               for n in ast.walk(tree))


@pytest.mark.parametrize("module", [system_module, sut_kit])
def test_both_systems_take_a_configuration_in_by_the_shared_functions(module):
    assert _calls(module, "validate_config") and _calls(module, "apply_limits")
    assert "load_config(" not in Path(module.__file__).read_text()
    assert "set_limit(" not in Path(module.__file__).read_text()


@pytest.mark.parametrize("module", [recoverer, sut_kit])
def test_both_systems_decide_recover_by_the_shared_rule(module):
    assert _calls(module, "recover_plan")


@pytest.mark.parametrize("state, configured, healthy, pending, expected", [
    (S.RUNNING, False, True, None, False),      # no configuration: nothing to recover to
    (S.RUNNING, True, True, None, True),        # healthy: nothing to do
    (S.PAUSED, True, True, None, True),
    (S.RUNNING, True, False, None, S.RUNNING),  # an unhealthy component
    (S.PAUSED, True, False, None, S.PAUSED),
    (S.FAILED, True, False, None, S.RUNNING),
    (S.RECOVERING, True, False, S.PAUSED, S.PAUSED),  # the recovery under way keeps its target
    (S.STOPPED, True, False, None, False),
    (S.CONFIGURED, True, False, None, False),
    (S.CLOSED, True, False, None, False),
])
def test_recover_plan(state, configured, healthy, pending, expected):
    asked = []

    def is_healthy() -> bool:
        asked.append(state)
        return healthy

    assert recover_plan(state, configured=configured, healthy=is_healthy, pending=pending) == expected
    assert set(asked) <= {S.RUNNING, S.PAUSED}  # health is asked only where it decides


def test_a_latency_of_exactly_one_block_is_accepted_at_every_rate_and_block_the_explorer_draws():
    for rate in (44_100, 48_000, 96_000):  # harness.stateful's _RATES and _BLOCKS
        for block in (64, 128, 256, 512):
            cfg = {"stream": {"sample_rate": rate, "block_size": block,
                              "latency_ms": blocks.block_ms(block, rate)}}
            assert load_config(cfg).block_seconds == blocks.block_seconds(block, rate)


#: the modules that read a block's duration; none divides by a sample rate itself
READERS = ["harness/reports/build.py", "harness/stateful.py", "harness/audio_check.py",
           "system_under_test/config.py", "system_under_test/devices/base.py"]
_DIVIDES_BY_RATE = re.compile(r"(block\w*|\bn)\s*/\s*(?:[\w.]*\.)?(sample_rate|rate|sr|fs)\b")


@pytest.mark.parametrize("path", READERS)
def test_every_reader_of_a_block_duration_asks_blocks(path):
    text = (ROOT / path).read_text()
    assert "blocks" in text
    assert not _DIVIDES_BY_RATE.findall(text), f"{path} re-derives a block duration"
