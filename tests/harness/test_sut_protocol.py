"""The system-under-test protocol, ``--system`` loading and the composition root."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.compose import SystemSpec, compose, derive_seed
from harness.errors import UsageError
from harness.history import History
from harness.sut_protocol import (
    DEFAULT_SYSTEM,
    SystemUnderTest,
    load_system,
    missing_members,
    protocol_members,
)
from system_under_test import AudioSystem

BROKEN = '''
from system_under_test import AudioSystem


class Half:
    """Has a lifecycle of sorts but none of the harness's bookkeeping."""

    def __init__(self, config, *, backend, clock, seed):
        self.clock, self.backend, self.seed = clock, backend, seed

    def start(self):
        pass

    def close(self):
        pass


def make_half(config, *, backend, clock, seed):
    return Half(config, backend=backend, clock=clock, seed=seed)


def make_real(config, *, backend, clock, seed):
    return AudioSystem(config, backend=backend, clock=clock, seed=seed)


def needs_two(config):
    return None


NOT_CALLABLE = 3
'''


@pytest.fixture
def user_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "user_systems.py").write_text(BROKEN)
    monkeypatch.syspath_prepend(str(tmp_path))
    return "user_systems"


def test_the_shipped_system_has_every_member_the_protocol_names() -> None:
    members = protocol_members(SystemUnderTest)
    assert {"state", "coordinator", "frame_accounts", "recover", "add_event_listener"} <= set(members)
    system = AudioSystem()
    assert missing_members(system) == []
    assert isinstance(system, SystemUnderTest)


@pytest.mark.parametrize("text, words", [
    ("nothing_here", ["not of the form module:factory"]),
    ("a:b:c", ["not of the form module:factory"]),
    ("no_such_module_xyz:make", ["no module named 'no_such_module_xyz'"]),
    ("user_systems:absent", ["has no attribute 'absent'", "make_half", "make_real"]),
    ("user_systems:NOT_CALLABLE", ["is a int, not callable"]),
    ("user_systems:needs_two", ["raised TypeError"]),
])
def test_a_bad_system_is_a_usage_error_naming_the_option_and_the_fix(user_module: str, text: str,
                                                                     words: list[str]) -> None:
    with pytest.raises(UsageError) as err:
        load_system(text)
    message = str(err.value)
    assert message.startswith(f"--system {text!r}") or message.startswith(f"--system {text}")
    for w in words:
        assert w in message
    assert "factory(config, *, backend, clock, seed)" in message or "lacks" in message


def test_a_system_without_the_protocol_members_is_refused_listing_them(user_module: str) -> None:
    with pytest.raises(UsageError) as err:
        load_system("user_systems:make_half")
    listed = str(err.value).split("the harness needs: ", 1)[1].split(";", 1)[0].split(", ")
    for member in ("state", "coordinator", "monitoring", "resources", "frame_accounts", "initialize"):
        assert member in listed
    assert "start" not in listed and "close" not in listed and "clock" not in listed  # it has those


def test_a_conforming_factory_loads_and_the_default_is_audiosystem(user_module: str) -> None:
    assert load_system("user_systems:make_real").spec == "user_systems:make_real"
    assert load_system(None).spec == DEFAULT_SYSTEM and load_system(None).factory is AudioSystem


def test_cli_refuses_a_bad_system_with_exit_2_before_any_run_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                   user_module: str) -> None:
    reports = tmp_path / "reports"
    for cmd in (["run", "--duration", "5s"], ["soak", "--duration", "5s", "--no-progress"],
                ["scenario", "run", "scenarios/sim"], ["swarm", "--seeds", "1", "--duration", "5s"]):
        code = main([*cmd, "--system", "user_systems:make_half", "--report-dir", str(reports)]
                    if cmd[0] in ("run", "soak") else [*cmd, "--system", "user_systems:make_half"])
        assert code == 2, cmd
        err = capsys.readouterr().err
        assert "--system user_systems:make_half" in err and "lacks" in err and "Traceback" not in err
    assert not reports.exists()


def test_mutant_and_system_together_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--mutant", "leak_on_error", "--system", "examples.simple_player:make_system"]) == 2
    assert "--mutant and --system" in capsys.readouterr().err


def test_one_seed_derivation() -> None:
    assert derive_seed(7) == 7 and derive_seed(7, 0) == 7
    assert derive_seed(7, 2) == 7002  # a soak's continuation segment


def test_compose_wires_one_seed_into_backend_system_and_injector() -> None:
    made: list[History] = []

    def record(system: object) -> History:
        made.append(History(meta={}).attach(system))
        return made[-1]

    parts = compose(SystemSpec(seed=5, config={}), history=record)
    assert parts.backend.seed == parts.system.seed == parts.injector.seed == 5
    assert parts.system.backend is parts.backend and parts.system.clock is parts.clock
    assert parts.injector.history is made[0] and parts.history is made[0]
    assert parts.simulated
    segment = compose(SystemSpec(seed=5, segment=3))
    assert segment.backend.seed == segment.system.seed == segment.injector.seed == 5003


def test_a_named_system_is_checked_when_composed(user_module: str) -> None:
    from harness.sut_protocol import resolve_factory

    with pytest.raises(UsageError, match="lacks"):
        compose(SystemSpec(seed=1, system=resolve_factory("user_systems:make_half")))


def test_a_soak_journals_its_system_so_resume_runs_the_same_one(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.journal import read_journal
    from harness.soak import SoakRunner, SoakSpec

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2]))
    spec = SoakSpec(duration_s=4.0, checkpoint_s=2.0, run_dir=tmp_path / "soak",
                    system="examples.simple_player:make_fixed_system")
    result = SoakRunner(spec).start()
    assert result.summary["system_factory"] == spec.system
    journaled = (read_journal(tmp_path / "soak").header or {})["spec"]
    assert SoakSpec.from_dict(journaled).system == spec.system  # what --resume builds its runner from


def test_resume_takes_the_system_from_the_journal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "soak").mkdir()
    assert main(["soak", "--resume", str(tmp_path / "soak"), "--system", "examples.simple_player:make_system"]) == 2
    assert "--system" in capsys.readouterr().err
