import pytest

from system_under_test.clock import VirtualClock
from system_under_test.config import CURRENT_SCHEMA_VERSION, AudioConfig, load_config, migrate
from system_under_test.devices.simulated import SimulatedBackend
from system_under_test.errors import ConfigMigrationError, ConfigValidationError


@pytest.fixture
def backend():
    return SimulatedBackend(VirtualClock())


def test_defaults_are_valid_against_the_simulated_device(backend):
    cfg = load_config({}, backend)
    assert cfg.schema_version == CURRENT_SCHEMA_VERSION
    assert cfg.stream.sample_rate == 48_000


def test_one_error_lists_every_problem_with_its_path():
    with pytest.raises(ConfigValidationError) as info:
        load_config({"stream": {"sample_rate": "fast", "block_size": 0},
                     "dsp": [{"kind": "gain", "gain_db": 500}, {"kind": "reverb"}],
                     "colour": "blue"}, source="my.toml")
    paths = [p for p, _ in info.value.problems]
    assert paths == ["stream.sample_rate", "stream.block_size", "dsp[0].gain_db", "dsp[1]", "colour"]
    assert "my.toml" in str(info.value)
    assert "unknown field" in str(info.value)


def test_cross_field_rules(backend):
    with pytest.raises(ConfigValidationError) as info:
        load_config({
            "device": {"input_channels": 4, "output_channels": 2},
            "stream": {"sample_rate": 22_050, "block_size": 2048, "latency_ms": 10},
            "dsp": [{"kind": "biquad", "cutoff_hz": 20_000}],
        }, backend)
    problems = dict(info.value.problems)
    assert "exceeds stream.latency_ms" in problems["stream.block_size"]
    assert "Nyquist" in problems["dsp[0].cutoff_hz"]
    assert "produces 4 channels" in problems["device.output_channels"]
    assert "'sim-in' has 2" in problems["device.input_channels"]
    assert "not supported" in problems["stream.sample_rate"]


def test_unknown_device_names_what_exists(backend):
    with pytest.raises(ConfigValidationError, match="available: sim-backup, sim-duplex, sim-in, sim-out"):
        load_config({"device": {"input_device": "usb-mic"}}, backend)


def test_mixer_shape_is_checked():
    with pytest.raises(ConfigValidationError, match=r"dsp\[0\].matrix.*3 columns but 2 channels"):
        load_config({"dsp": [{"kind": "mixer", "matrix": [[1, 0, 0], [0, 1, 0]]}]})
    cfg = load_config({"device": {"output_channels": 1},
                       "dsp": [{"kind": "mixer", "matrix": [[0.5, 0.5]]}]})
    assert cfg.device.output_channels == 1


def test_v1_and_v2_documents_migrate_to_current():
    v1 = {"rate": 44_100, "buffer_size": 128, "channels": 2, "gain_db": -6}
    cfg = load_config(v1)
    assert (cfg.stream.sample_rate, cfg.stream.block_size) == (44_100, 128)
    assert cfg.dsp[0].gain_db == -6
    v2 = {"schema_version": 2, "dsp": [{"type": "biquad", "freq": 500, "filter": "highpass"}]}
    cfg2 = load_config(v2)
    assert cfg2.dsp[0].kind == "biquad" and cfg2.dsp[0].cutoff_hz == 500
    assert migrate(v2)["schema_version"] == CURRENT_SCHEMA_VERSION
    assert v2["dsp"][0]["type"] == "biquad"  # the caller's document is not mutated


@pytest.mark.parametrize("sequence", [list, tuple])
def test_a_v2_chain_migrates_whatever_sequence_holds_it(sequence):
    """A document built in Python may hold its stages in a tuple (a TOML file gives a list): the
    v2 names (``type``, a biquad's ``freq``) are renamed in either, and both read as one config."""
    stages = [{"type": "gain", "gain_db": -3}, {"type": "biquad", "freq": 500, "filter": "highpass"}]
    cfg = load_config({"schema_version": 2, "dsp": sequence(stages)})
    assert [s.kind for s in cfg.dsp] == ["gain", "biquad"]
    assert cfg.dsp[0].gain_db == -3 and cfg.dsp[1].cutoff_hz == 500 and cfg.dsp[1].filter == "highpass"


@pytest.mark.parametrize("version", [0, 4, 99])
def test_unknown_versions_are_refused_clearly(version):
    with pytest.raises(ConfigMigrationError, match=f"unknown schema_version {version}"):
        load_config({"schema_version": version})


def test_non_integer_version_and_non_mapping_root():
    with pytest.raises(ConfigValidationError, match="schema_version"):
        load_config({"schema_version": "3"})
    with pytest.raises(ConfigValidationError, match="mapping"):
        load_config([1, 2])  # type: ignore[arg-type]


def test_configs_are_immutable_and_replace_validates():
    cfg = AudioConfig()
    with pytest.raises(Exception):
        cfg.stream.sample_rate = 1  # type: ignore[misc]
    new = cfg.replace(stream={"block_size": 128})
    assert new.stream.block_size == 128 and cfg.stream.block_size == 256
    with pytest.raises(ConfigValidationError):
        cfg.replace(stream={"block_size": -1})
