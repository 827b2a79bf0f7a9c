"""``soundcheck soak --rig-realtime``: the rig's server realtime for a soak as for a run
(``run --rig-realtime``, test_rig_realtime.py), kept in the journal so that ``--resume`` starts the
same rig, and refused where no rig starts, before a run folder exists. No jackd is started: the
soak's run is stopped where it is built."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cli_capture import cli

from harness import runner
from harness.soak import SoakRunner, SoakSpec


def test_a_soak_asked_for_a_realtime_rig_without_the_rig_is_refused_before_a_run_folder_exists(
        tmp_path: Path) -> None:
    code, out, err = cli("soak", "--backend", "sim", "--rig-realtime", "--duration", "10s", "--no-progress",
                         "--report-dir", tmp_path / "reports")
    assert code == 2, (code, out, err)
    assert "--rig-realtime" in err and "--backend jack" in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "reports").exists()


def test_a_realtime_rig_soak_s_journal_keeps_it_and_a_default_one_s_stays_as_it_was() -> None:
    spec = SoakSpec(backend="jack", duration_s=600.0, rig_realtime=True)
    assert spec.to_dict()["rig_realtime"] is True
    assert SoakSpec.from_dict(spec.to_dict()).rig_realtime is True  # what --resume reads back
    assert "rig_realtime" not in SoakSpec(backend="jack").to_dict()
    assert SoakSpec.from_dict(SoakSpec(backend="jack").to_dict()).rig_realtime is False


def test_a_resume_takes_the_rig_from_the_journal_and_refuses_the_option(tmp_path: Path) -> None:
    code, out, err = cli("soak", "--resume", tmp_path, "--rig-realtime", "--no-progress")
    assert code == 2, (code, out, err)
    assert "--rig-realtime" in err and "journal" in err, err
    assert "Traceback" not in err


class _Built(Exception):
    """Raised where the soak builds its run: the spec it was built with is seen, no rig started."""


# a soak whose run cannot be built leaves its journal's file to the collector (a ResourceWarning)
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("realtime", [True, False])
def test_the_soak_s_run_is_built_with_the_rig_it_was_asked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                realtime: bool) -> None:
    seen: list[Any] = []

    def built(spec: Any, **kw: Any) -> None:
        seen.append(spec)
        raise _Built

    monkeypatch.setattr(runner, "ReliabilityRun", built)
    spec = SoakSpec(backend="jack", duration_s=60.0, faults="none", run_dir=tmp_path / "soak", rig_realtime=realtime)
    with pytest.raises(_Built):
        SoakRunner(spec).start()
    assert len(seen) == 1 and seen[0].rig_realtime is realtime and seen[0].soak
