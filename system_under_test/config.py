"""Typed, validated, versioned configuration.

Three layers, each with one job:
1. ``migrate()`` lifts an older ``schema_version`` document to the current one (v1 was a flat
   dict, v2 had sections but a DSP chain of ``type`` entries, v3 is current). A migration renames
   what changed and adds nothing: what an older document leaves out takes the current default
   (a v2 document without ``dsp`` gets the default chain, like a v3 one; a v1 document always
   names its one gain stage, ``gain_db`` defaulting to 0 dB);
2. pydantic checks types and ranges, field by field;
3. ``cross_check()`` checks rules that span fields and the devices actually present
   (channels vs device, sample rate the device supports, block size vs latency, DSP parameters
   vs Nyquist and channel counts).
Every problem from every layer is collected into one ``ConfigValidationError`` with field paths, so
a user fixes a file in one round trip instead of one error at a time.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, ValidationError, ValidationInfo, field_validator

from .blocks import block_ms as _block_ms
from .blocks import block_seconds as _block_seconds
from .devices.base import DeviceBackend, DeviceInfo
from .errors import ConfigMigrationError, ConfigValidationError, DeviceNotFoundError

CURRENT_SCHEMA_VERSION = 3


def _refuse_bool(value: Any) -> Any:
    """Lax pydantic reads ``true`` as 1 for a number field: ``input_channels = true`` was one
    channel, ``latency_ms = true`` 1 ms. A boolean where a number is wanted is refused."""
    if isinstance(value, bool):
        raise ValueError(f"must be a number, got {'true' if value else 'false'} (a boolean is never "
                         "read as 1 or 0); write the number itself")
    return value


#: a number in a configuration (never a boolean, never text). Strict: lax pydantic read
#: ``sample_rate = "48000"`` as 48000 and ``block_size = 256.0`` as 256, so a value quoted by
#: mistake (or written by a tool that quotes everything) passed unnoticed; TOML and JSON have
#: numbers of their own, and a ``Float`` still takes an integer (``latency_ms = 20``).
Int = Annotated[int, BeforeValidator(_refuse_bool), Strict()]
Float = Annotated[float, BeforeValidator(_refuse_bool), Strict()]
#: a switch in a configuration: ``true`` or ``false`` only. Lax pydantic read ``"no"``, ``"off"``,
#: ``0`` and ``1`` as booleans; a TOML/JSON boolean is never quoted, so those are typos.
Bool = Annotated[bool, Strict()]


def wrong_type_message(kind: str, value: Any) -> str | None:
    """The refusal of a value of the wrong type where a strict number or switch is wanted, with the
    fix; None for any other error (``kind`` is pydantic's error type). Shared with the harness's
    file formats (``harness.inputs.validation_message``), so a quoted number reads the same in a
    configuration, a fault profile and a scenario."""
    if kind not in ("int_type", "float_type", "bool_type"):
        return None
    text = repr(value)
    shown = text if len(text) <= 60 else text[:45] + f"... ({len(text)} chars)"
    want = {"int_type": "a whole number", "float_type": "a number", "bool_type": "true or false"}[kind]
    if isinstance(value, str):
        bare = value.strip()
        if kind == "bool_type":
            fits = bare in ("true", "false")
        else:
            try:
                fits = math.isfinite(float(bare)) and (kind == "float_type" or float(bare).is_integer())
            except ValueError:
                fits = False
        fix = f"; write {bare} without the quotes" if fits else ""
        return f"must be {want}, got the text {shown}{fix}"
    if kind == "int_type" and isinstance(value, float) and math.isfinite(value):
        return f"must be a whole number, got {shown}; write it without a decimal point"
    return f"must be {want}, got {shown} ({type(value).__name__})"


class _Model(BaseModel):
    # allow_inf_nan=False: a NaN gain or mixer coefficient would pass every range check (NaN
    # compares false) and silence the audio; refuse it with the field's path instead
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, allow_inf_nan=False)


class DeviceConfig(_Model):
    backend: Literal["sim", "portaudio", "jack"] = "sim"
    input_device: str = Field("sim-in", min_length=1)
    output_device: str = Field("sim-out", min_length=1)
    input_channels: Int = Field(2, ge=1, le=64)
    output_channels: Int = Field(2, ge=1, le=64)
    fallback_devices: tuple[str, ...] = ()

    @field_validator("fallback_devices")
    @classmethod
    def _each_fallback_once(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        """Each fallback once, and never the input device itself.

        The recoverer tries the input device, then each fallback in order, every one with the
        policy's full back-off (``Recoverer.candidate_devices``): a name listed twice is tried
        twice, so a device that is gone delays the failure by a second round of back-off and
        brings nothing back; the input device among its own fallbacks is skipped there (it was
        tried first), so the entry stands for a fallback the system does not have. Both are
        refused, with the list to write instead."""
        primary = info.data.get("input_device")
        seen: dict[str, list[int]] = {}
        for i, name in enumerate(value):
            seen.setdefault(name, []).append(i)
        repeated = [f"{name!r} is listed {len(at)} times (positions {', '.join(str(i + 1) for i in at)}), "
                    "so the recoverer would try it again with its full back-off" for name, at in seen.items()
                    if len(at) > 1]
        itself = primary is not None and primary in seen
        problems = repeated + ([f"{primary!r} is the input device itself (device.input_device), which the "
                                "recoverer always tries first and skips among the fallbacks"] if itself else [])
        if problems:
            fix = " and ".join((["list each fallback once"] if repeated else [])
                               + (["leave the input device out"] if itself else []))
            keep = [name for name in seen if name != primary]
            raise ValueError("; ".join(problems) + f": {fix}, e.g. fallback_devices = "
                             f"[{', '.join(repr(n) for n in keep)}]")
        return value


#: the fewest frames a block may have (``stream.block_size``); a buffer of the system holds one
#: block or more, which bounds ``limits.buffers`` below
MIN_BLOCK_FRAMES = 16


class StreamConfig(_Model):
    sample_rate: Int = Field(48_000, ge=8_000, le=384_000)
    block_size: Int = Field(256, ge=MIN_BLOCK_FRAMES, le=8192)
    latency_ms: Float = Field(20.0, gt=0, le=2000)


class BufferConfig(_Model):
    ring_blocks: Int = Field(8, ge=2, le=1024)
    pool_blocks: Int = Field(8, ge=1, le=1024)


class GainStage(_Model):
    kind: Literal["gain"] = "gain"
    gain_db: Float = Field(0.0, ge=-120, le=40)


class BiquadStage(_Model):
    kind: Literal["biquad"] = "biquad"
    filter: Literal["lowpass", "highpass", "bandpass", "notch", "peaking"] = "lowpass"
    cutoff_hz: Float = Field(1000.0, gt=0)
    q: Float = Field(0.707, gt=0, le=100)
    gain_db: Float = Field(0.0, ge=-48, le=48)


class LimiterStage(_Model):
    kind: Literal["limiter"] = "limiter"
    threshold_db: Float = Field(-1.0, ge=-60, le=0)
    release_ms: Float = Field(50.0, gt=0, le=5000)


class MixerStage(_Model):
    kind: Literal["mixer"] = "mixer"
    #: rows = output channels, columns = input channels
    matrix: tuple[tuple[Float, ...], ...] = ((1.0, 0.0), (0.0, 1.0))


StageConfig = Annotated[Union[GainStage, BiquadStage, LimiterStage, MixerStage],
                        Field(discriminator="kind")]


class RecoveryConfig(_Model):
    max_attempts: Int = Field(10, ge=1, le=100)
    initial_backoff_ms: Float = Field(10.0, ge=0, le=60_000)
    backoff_factor: Float = Field(2.0, ge=1.0, le=10.0)
    max_backoff_ms: Float = Field(1000.0, ge=0, le=600_000)
    #: the longest a recovery stays RECOVERING before it gives up (FAILED, for the owner's
    #: ``recover()``): no attempt is made past it (``RecoveryPolicy.deadline_s``)
    deadline_ms: Float = Field(10_000.0, gt=0, le=3_600_000)
    degrade_on_exhaustion: Bool = True


class WatchdogConfig(_Model):
    stall_periods: Int = Field(4, ge=2, le=1000)
    supervisor_interval_ms: Float = Field(5.0, gt=0, le=1000)


#: the most ``limits.bytes`` may be: 2**47 bytes (128 TiB), the user address space of a 64-bit
#: process (x86-64 and arm64 Linux, 4-level page tables). No allocation can reach a limit beyond it,
#: so such a limit limits nothing (``99999999999999999999`` is a typo, not a budget). A fixed bound,
#: not this machine's memory: a configuration valid in CI stays valid on the rig it is meant for.
MAX_LIMIT_BYTES = 2**47
#: a frame of the system's buffers is at least one 4-byte (float32) sample: more frames than
#: 2**47 / 4 = 2**45 cannot be held in an address space, so a limit beyond limits nothing
MAX_LIMIT_FRAMES = MAX_LIMIT_BYTES // 4
#: a buffer (a ring or a pool block) holds at least one block of MIN_BLOCK_FRAMES frames of one
#: 4-byte sample, 64 bytes: more than 2**47 / 64 = 2**41 of them cannot be held in an address space
MAX_LIMIT_BUFFERS = MAX_LIMIT_BYTES // (MIN_BLOCK_FRAMES * 4)
#: Linux on a 64-bit machine runs at most PID_MAX_LIMIT = 2**22 threads at once, the whole machine's
#: (each thread takes a process id, and ``kernel.pid_max`` cannot be raised past it). The machine's
#: own ``threads-max`` is lower and varies: a fixed bound keeps a configuration valid everywhere.
MAX_LIMIT_THREADS = 2**22
#: a stream on a real device is driven by a callback thread of its own (PortAudio's stream thread,
#: a JACK client's process thread), so no more streams can be open than threads can run
MAX_LIMIT_STREAMS = MAX_LIMIT_THREADS

_MIB = 1024 * 1024

#: for each ``limits`` field: its bound, and why a limit beyond it would limit nothing, said in the
#: refusal (pydantic's own "less than or equal to" gives the number but not the reason)
LIMIT_BOUNDS: dict[str, tuple[int, str]] = {
    "buffers": (MAX_LIMIT_BUFFERS,
                f"a buffer holds at least one block ({MIN_BLOCK_FRAMES} frames of one 4-byte sample, 64 bytes), "
                f"and {MAX_LIMIT_BUFFERS} of them fill the {MAX_LIMIT_BYTES} bytes (128 TiB) a 64-bit process "
                "can address"),
    "frames": (MAX_LIMIT_FRAMES,
               f"a frame is at least one 4-byte sample, and {MAX_LIMIT_FRAMES} of them fill the "
               f"{MAX_LIMIT_BYTES} bytes (128 TiB) a 64-bit process can address"),
    "streams": (MAX_LIMIT_STREAMS,
                "a stream on a real device runs a callback thread of its own, and Linux runs at most "
                f"{MAX_LIMIT_THREADS} threads at once (PID_MAX_LIMIT on a 64-bit machine)"),
    "threads": (MAX_LIMIT_THREADS,
                f"Linux runs at most {MAX_LIMIT_THREADS} threads at once on a 64-bit machine (PID_MAX_LIMIT: "
                "each thread takes a process id)"),
    "bytes": (MAX_LIMIT_BYTES, f"{MAX_LIMIT_BYTES} bytes (128 TiB) is what a 64-bit process can address"),
}


class LimitsConfig(_Model):
    buffers: Int = Field(4096, ge=1, le=MAX_LIMIT_BUFFERS)
    frames: Int = Field(48_000 * 60, ge=1, le=MAX_LIMIT_FRAMES)
    streams: Int = Field(8, ge=1, le=MAX_LIMIT_STREAMS)
    threads: Int = Field(64, ge=1, le=MAX_LIMIT_THREADS)
    bytes: Int = Field(512 * _MIB, ge=1, le=MAX_LIMIT_BYTES)


def _beyond_limit_bound(name: str, value: Any) -> str:
    """The refusal of ``limits.<name> = value`` past its bound: the bound, why, and the default."""
    bound, why = LIMIT_BOUNDS[name]
    default = LimitsConfig.model_fields[name].default
    return (f"{value} {name} is beyond any that could be held: {why}; no allocation could reach such a limit, "
            f"so it would limit nothing; give at most {bound} (the default is {default})")


def _default_chain() -> tuple[Any, ...]:
    return (GainStage(gain_db=-3.0), BiquadStage(), LimiterStage())


class AudioConfig(_Model):
    schema_version: Literal[3] = 3
    device: DeviceConfig = DeviceConfig()
    stream: StreamConfig = StreamConfig()
    buffers: BufferConfig = BufferConfig()
    dsp: tuple[StageConfig, ...] = Field(default_factory=_default_chain)
    recovery: RecoveryConfig = RecoveryConfig()
    watchdog: WatchdogConfig = WatchdogConfig()
    limits: LimitsConfig = LimitsConfig()

    @property
    def block_seconds(self) -> float:
        return _block_seconds(self.stream.block_size, self.stream.sample_rate)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def replace(self, **changes: Any) -> "AudioConfig":
        """A validated copy with top-level sections replaced (dicts are merged into sections)."""
        data = self.to_dict()
        for key, value in changes.items():
            if isinstance(value, Mapping) and isinstance(data.get(key), dict):
                data[key] = {**data[key], **value}
            else:
                data[key] = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
        return load_config(data)


# -- migrations --------------------------------------------------------------------------------

def _v1_to_v2(doc: dict[str, Any]) -> dict[str, Any]:
    """v1 was flat: ``{"rate", "buffer_size", "channels", "device", "gain_db"}``."""
    known = {"schema_version", "rate", "buffer_size", "channels", "device", "gain_db", "latency_ms"}
    out: dict[str, Any] = {k: v for k, v in doc.items() if k not in known}  # unknowns surface later
    out["schema_version"] = 2
    dev = doc.get("device", "sim")
    ch = doc.get("channels", 2)
    out["device"] = {"input_device": f"{dev}-in" if dev == "sim" else dev,
                     "output_device": f"{dev}-out" if dev == "sim" else dev,
                     "input_channels": ch, "output_channels": ch}
    out["stream"] = {"sample_rate": doc.get("rate", 48_000), "block_size": doc.get("buffer_size", 256)}
    if "latency_ms" in doc:
        out["stream"]["latency_ms"] = doc["latency_ms"]
    out["dsp"] = [{"type": "gain", "gain_db": doc.get("gain_db", 0.0)}]
    return out


def _v2_to_v3(doc: dict[str, Any]) -> dict[str, Any]:
    """v2 named stages with ``type``; v3 calls it ``kind`` and the biquad's ``freq`` ``cutoff_hz``.

    Nothing else differs, so nothing else changes: a section a v2 document leaves out, ``dsp``
    included, is left out of the v3 document too and takes v3's default (a v2 file without ``dsp``
    plays through the default chain, as the same file at ``schema_version = 3`` does; it once
    became an empty chain here, which no v2 document said)."""
    out = dict(doc)
    out["schema_version"] = 3
    if not isinstance(doc.get("dsp", []), (list, tuple)):
        # no chain at all (null, a number, a table, a string): left as written, so validation
        # refuses it at ``dsp`` as it refuses the same value at schema_version 3, where reading
        # it as stages crashed (a number) or read it as something the file never said (null as
        # an empty chain, a table as its keys, a string as its letters)
        return out
    if "dsp" not in doc:
        return out
    chain = []
    for stage in doc.get("dsp", []) or []:
        if isinstance(stage, Mapping):
            stage = dict(stage)
            if "type" in stage and "kind" not in stage:
                stage["kind"] = stage.pop("type")
            if stage.get("kind") == "biquad" and "freq" in stage:
                stage["cutoff_hz"] = stage.pop("freq")
        chain.append(stage)
    out["dsp"] = chain
    return out


MIGRATIONS = {1: _v1_to_v2, 2: _v2_to_v3}
_V1_KEYS = {"rate", "buffer_size", "channels", "gain_db"}


def _guess_version(data: Mapping[str, Any]) -> int:
    """v1 files predate ``schema_version``; recognise them by their flat keys, else assume current."""
    if _V1_KEYS & set(data) or isinstance(data.get("device"), str):
        return 1
    return CURRENT_SCHEMA_VERSION


def migrate(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Lift a document of any known schema_version to the current one (a missing one means v1)."""
    data = copy.deepcopy(dict(doc))
    version = data.get("schema_version", _guess_version(data))
    if isinstance(version, bool) or not isinstance(version, int):
        raise ConfigValidationError([("schema_version", f"must be an integer, got {version!r}")])
    if version > CURRENT_SCHEMA_VERSION or version < 1:
        raise ConfigMigrationError(
            f"unknown schema_version {version}: this soundcheck reads versions 1 to "
            f"{CURRENT_SCHEMA_VERSION}; upgrade soundcheck or write schema_version = "
            f"{CURRENT_SCHEMA_VERSION}",
            component="config",
            details={"schema_version": version},
        )
    while version < CURRENT_SCHEMA_VERSION:
        data = MIGRATIONS[version](data)
        version = data["schema_version"]
    return data


# -- validation --------------------------------------------------------------------------------

def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("gain", "biquad", "limiter", "mixer") and out.endswith("]"):
            continue  # pydantic adds the union tag to the location; users never wrote it
        else:
            out += f".{part}" if out else str(part)
    return out or "(root)"


def structural_problems(data: Mapping[str, Any]) -> tuple[AudioConfig | None, list[tuple[str, str]]]:
    try:
        return AudioConfig.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            msg = err["msg"].removeprefix("Value error, ")
            loc = tuple(err["loc"])
            wrong_type = wrong_type_message(err["type"], err.get("input"))
            if err["type"] == "extra_forbidden":
                msg = _unknown_field(loc)
            elif wrong_type is not None:
                msg = wrong_type
            elif err["type"] == "less_than_equal" and len(loc) == 2 and loc[0] == "limits":
                msg = _beyond_limit_bound(str(loc[1]), err["input"])
            elif err["type"] == "union_tag_not_found":  # a stage without its kind
                msg = (f"a DSP stage needs kind = one of {', '.join(repr(k) for k in _STAGES)} (a file whose "
                       "stages say type = ... is version 2: write schema_version = 2 at its top)")
            problems.append((_path(tuple(err["loc"])), msg))
        return None, problems


_STAGES = {"gain": GainStage, "biquad": BiquadStage, "limiter": LimiterStage, "mixer": MixerStage}


def _unknown_field(loc: tuple[Any, ...]) -> str:
    """The message for an unknown key at ``loc``: the closest valid key there, and all of them."""
    import difflib  # noqa: PLC0415 - only on a bad file

    model: Any = AudioConfig
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if part in _STAGES:
            model = _STAGES[part]
            continue
        field = getattr(model, "model_fields", {}).get(part)
        ann = field.annotation if field is not None else None
        model = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None  # dsp: a stage's tag follows
    valid = sorted(getattr(model, "model_fields", {})) if model is not None else []
    near = difflib.get_close_matches(str(loc[-1]), valid, n=1, cutoff=0.6) if loc else []
    hint = f"; did you mean {near[0]!r}?" if near else "; check the spelling"
    listing = f" (valid here: {', '.join(valid)})" if valid else ""
    return f"unknown field{hint}{listing}"


def chain_output_channels(config: AudioConfig) -> tuple[int, list[tuple[str, str]]]:
    """Channel count after the DSP chain, and any mixer whose shape does not fit its input."""
    channels = config.device.input_channels
    problems = []
    for i, stage in enumerate(config.dsp):
        if isinstance(stage, MixerStage):
            cols = {len(r) for r in stage.matrix}
            if not stage.matrix or len(cols) != 1:
                problems.append((f"dsp[{i}].matrix", "must be a non-empty rectangular matrix"))
                continue
            (ncols,) = cols
            if ncols != channels:
                problems.append((f"dsp[{i}].matrix",
                                 f"has {ncols} columns but {channels} channels reach it"))
            channels = len(stage.matrix)
    return channels, problems


def cross_check(config: AudioConfig, devices: list[DeviceInfo] | None = None) -> list[tuple[str, str]]:
    """Rules that span fields, and the devices actually present (when given)."""
    problems: list[tuple[str, str]] = []
    sr = config.stream.sample_rate
    nyquist = sr / 2
    block_ms = _block_ms(config.stream.block_size, sr)
    if block_ms > config.stream.latency_ms:
        problems.append(("stream.block_size",
                         f"{config.stream.block_size} frames = {block_ms:.2f} ms exceeds "
                         f"stream.latency_ms = {config.stream.latency_ms} ms; use a smaller block "
                         "or a larger latency"))
    for i, stage in enumerate(config.dsp):
        if isinstance(stage, BiquadStage) and stage.cutoff_hz >= nyquist:
            problems.append((f"dsp[{i}].cutoff_hz",
                             f"{stage.cutoff_hz} Hz must be below Nyquist ({nyquist:g} Hz)"))
    out_channels, mix_problems = chain_output_channels(config)
    problems += mix_problems
    if not mix_problems and out_channels != config.device.output_channels:
        problems.append(("device.output_channels",
                         f"the DSP chain produces {out_channels} channels but "
                         f"{config.device.output_channels} are configured; add a mixer stage"))
    if config.buffers.ring_blocks < 2:
        problems.append(("buffers.ring_blocks", "must hold at least 2 blocks"))
    if devices is not None:
        by_name = {d.name: d for d in devices}
        for role, name, ch, attr in (
            ("input", config.device.input_device, config.device.input_channels, "max_input_channels"),
            ("output", config.device.output_device, config.device.output_channels, "max_output_channels"),
        ):
            info = by_name.get(name)
            if info is None:
                avail = ", ".join(sorted(by_name)) or "none"
                problems.append((f"device.{role}_device", f"no device named {name!r} (available: {avail})"))
                continue
            if ch > getattr(info, attr):
                problems.append((f"device.{role}_channels",
                                 f"{ch} channels requested but {name!r} has {getattr(info, attr)}"))
            if not info.supports(sr):
                problems.append(("stream.sample_rate",
                                 f"{sr} Hz is not supported by {name!r} "
                                 f"(supported: {', '.join(map(str, info.sample_rates))})"))
    return problems


def load_config(data: Mapping[str, Any] | AudioConfig, backend: DeviceBackend | None = None,
                *, source: str | None = None) -> AudioConfig:
    """Migrate, validate and cross-check; one ``ConfigValidationError`` lists every problem."""
    if isinstance(data, AudioConfig):
        config, problems = data, []
    else:
        if not isinstance(data, Mapping):
            raise ConfigValidationError([("(root)", f"must be a table/mapping, got {type(data).__name__}")],
                                        source=source)
        try:
            migrated = migrate(data)
        except ConfigValidationError as exc:
            raise ConfigValidationError(exc.problems, source=source) from None
        except ConfigMigrationError as exc:
            if source is None:
                raise
            raise ConfigMigrationError(f"{source}: {exc.message}", component="config") from None
        config, problems = structural_problems(migrated)
    if config is not None:
        devices = None
        if backend is not None:
            try:
                devices = backend.devices()
            except DeviceNotFoundError:
                devices = []
        problems += cross_check(config, devices)
    if problems:
        raise ConfigValidationError(problems, source=source)
    assert config is not None
    return config


__all__ = [
    "AudioConfig",
    "BiquadStage",
    "BufferConfig",
    "CURRENT_SCHEMA_VERSION",
    "DeviceConfig",
    "GainStage",
    "LimiterStage",
    "LimitsConfig",
    "MixerStage",
    "RecoveryConfig",
    "StreamConfig",
    "WatchdogConfig",
    "cross_check",
    "load_config",
    "migrate",
]
