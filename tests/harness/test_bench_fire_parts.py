"""``bench/fire_parts.py`` and ``bench/named_parts.py`` weigh parts that exist, and refuse a part
named wrongly with exit 2 and its name.

Their figures are read as "this part's CPU" (bench/RESULTS.md, issue #17): a part renamed in the
harness would drop out of the table silently and read as costing nothing, so every part
``fire_parts`` names must still be a function, and its per-kind rows must cover every fault kind
that does something when it fires."""

from __future__ import annotations

import importlib

import pytest

from bench_scripts import load_bench_script


def _fire_parts():
    return load_bench_script("fire_parts.py", "bench_fire_parts")


def _named_parts():
    return load_bench_script("named_parts.py", "bench_named_parts")


def _exists(module_name: str, owner_name: str | None, func_name: str) -> bool:
    module = importlib.import_module(module_name)
    owner = getattr(module, owner_name, None) if owner_name else module
    return owner is not None and callable(getattr(owner, func_name, None))


def test_every_fire_part_exists() -> None:
    missing = [part for part in _fire_parts().PARTS if not _exists(*part)]
    assert missing == []


def test_kind_parts_weigh_each_kind_that_defines_its_start() -> None:
    from harness.faults import kinds

    parts = _fire_parts().kind_parts()
    owners = {owner for _, owner, func in parts if func == "start"}
    assert {"LifecycleCalls", "InvalidConfig", "DeviceDropout", "LateCallback"} <= owners
    assert "Fault" not in owners  # the base's start only raises: not a kind's work
    for _, owner, _ in parts:
        assert "start" in vars(getattr(kinds, owner))


def test_named_parts_reads_methods_and_module_functions() -> None:
    parts, command = _named_parts().parse_parts(
        ["--part", "harness.audio_check:AudioCheck._process", "--part", "harness.analysis:analyze_glitches",
         "--", "soak", "--duration", "1m"])
    assert parts == (("harness.audio_check", "AudioCheck", "_process"), ("harness.analysis", None, "analyze_glitches"))
    assert command == ["soak", "--duration", "1m"]


@pytest.mark.parametrize(("argv", "named"), [
    (["--part", "harness.audio_check:AudioCheck._no_such", "--", "soak"], "harness.audio_check:AudioCheck._no_such"),
    (["--part", "harness.no_such_module:f", "--", "soak"], "harness.no_such_module"),
    (["--part", "harness.analysis", "--", "soak"], "harness.analysis"),
    (["--part", "harness.analysis:analyze_glitches", "soak"], "'--'"),
])
def test_a_part_named_wrongly_exits_2_naming_it(argv: list[str], named: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert _named_parts().main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("named_parts: ") and named in err


def test_fire_costs_alone_weighs_each_piece_and_refuses_no_calls(capsys: pytest.CaptureFixture[str]) -> None:
    module = load_bench_script("fire_costs_alone.py", "bench_fire_costs_alone")
    assert module.main(["--calls", "0"]) == 2
    assert "--calls" in capsys.readouterr().err
    assert module.main(["--calls", "3", "--rounds", "2"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert [row.split("  ")[0] for row in rows] == [
        "History.fault_started (one fault line)", "FaultRecord.to_dict", "Pipeline built and released",
        "DspChain.from_config", "ResourceSampler's /proc reads"]
    assert all(row.endswith(" us a call") and row.count(" / ") == 1 for row in rows)


@pytest.mark.parametrize("argv", [[], ["out.prof"], ["--callees", "out.prof"]])
def test_cprofile_thread_refuses_a_command_line_without_its_parts(argv: list[str],
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    module = load_bench_script("cprofile_thread.py", "bench_cprofile_thread")
    assert module.main(argv) == 2
    assert capsys.readouterr().err.startswith("cprofile_thread: ")


def test_cprofile_thread_names_a_file_that_is_no_profile(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    module = load_bench_script("cprofile_thread.py", "bench_cprofile_thread")
    bad = tmp_path / "not.prof"
    bad.write_text("no profile here\n")
    assert module.main(["--callees", str(bad), "_fire"]) == 2
    assert str(bad) in capsys.readouterr().err
