"""Fault injection: one vocabulary of fault kinds, a seeded injector, named profiles, thread storms.

A ``Fault`` has a *target* (a device or a component), a *trigger* (``At`` a clock time, ``Every``
period, ``WithProbability`` p per check from a seeded RNG, ``OnCall`` the n-th call of an operation
or the n-th audio callback), a *duration*, and, once fired, ``FaultRecord``s saying when it fired and
ended. Device faults go through the ``FaultTarget`` protocol, so the same fault runs against the
simulated backend (``SimulatedTarget``) or the JACK rig (``harness.rig.rig_target`` implements the
protocol; nothing here imports it); system-level faults (buffer exhaustion, invalid configuration,
concurrent transitions, slow DSP) act on the ``AudioSystem``.

One module, one job:

- ``kinds``: every fault kind, declared once (``FAULT_KINDS``): parameters, bounds, capabilities;
- ``targets``: the ``FaultTarget`` protocol, its capabilities, the simulated and uncontrolled targets;
- ``triggers``: when a fault fires;
- ``schedule``: the faults of one run (fixed, periodic, or drawn from probabilities);
- ``profiles``: built-in profiles and profile files (their format derived from ``kinds``);
- ``injector``: ``FaultInjector`` and ``FaultRecord``;
- ``storms`` / ``invalid_configs``: thread storms and invalid configurations the system kinds use.

Adding a fault kind
-------------------
Write one class in ``kinds.py``: a ``@dataclass(config=_CONFIG)`` subclass of ``Fault`` with a
``kind`` name, the target capabilities it ``needs`` (a new capability goes into
``targets.CAPABILITIES`` and onto the targets that have it), its parameters as typed, bounded
fields (their names are the TOML keys), ``start`` (and ``end`` if it lasts); then add it to
``FAULT_KINDS``. Profile files, scenario steps (``harness.scenarios.model``), the scenario
exporter, the stateful machines' fault rule and reports all follow from that declaration;
``tests/harness/test_fault_vocabulary.py`` checks that they do. A renamed kind or parameter keeps
its old spelling in ``former_names`` / ``renamed``.
"""

from .injector import RECORDS_KEPT, FaultInjector, FaultRecord
from .invalid_configs import INVALID_CONFIG_KINDS, invalid_config
from .kinds import (
    DEVICE_FAULT_KINDS,
    FAULT_KINDS,
    BufferExhaustion,
    CallbackRaises,
    ConcurrentTransitions,
    CoordinatorContention,
    DeviceDropout,
    DeviceStall,
    Fault,
    FaultContext,
    InputStarved,
    InvalidConfig,
    LateCallback,
    LifecycleCalls,
    SampleRateChange,
    SlowDsp,
    SlowStage,
    fault_from_dict,
    unsupported_reason,
)
from .profiles import _DEVICE_PARAMS, MIN_CHECK_EVERY_S, PROFILES, Profile, load_profile, profile_schedule
from .schedule import MAX_SCHEDULE_CHECKS, Schedule
from .storms import STORM_OPERATIONS, StormStats, coordinator_storm, restore_running, system_storm
from .targets import (
    CAPABILITIES,
    DEVICE_CAPABILITIES,
    FaultTarget,
    SimulatedTarget,
    UncontrolledDevice,
    reason_unsupported,
    target_for,
)
from .triggers import At, Every, OnCall, Trigger, WithProbability, trigger_from_dict

__all__ = [
    "At",
    "BufferExhaustion",
    "CAPABILITIES",
    "CallbackRaises",
    "ConcurrentTransitions",
    "CoordinatorContention",
    "DEVICE_CAPABILITIES",
    "DEVICE_FAULT_KINDS",
    "DeviceDropout",
    "DeviceStall",
    "Every",
    "FAULT_KINDS",
    "Fault",
    "FaultContext",
    "FaultInjector",
    "FaultRecord",
    "FaultTarget",
    "INVALID_CONFIG_KINDS",
    "InputStarved",
    "InvalidConfig",
    "LateCallback",
    "LifecycleCalls",
    "MAX_SCHEDULE_CHECKS",
    "MIN_CHECK_EVERY_S",
    "OnCall",
    "PROFILES",
    "Profile",
    "ProfileFile",
    "RECORDS_KEPT",
    "STORM_OPERATIONS",
    "SampleRateChange",
    "Schedule",
    "SimulatedTarget",
    "SlowDsp",
    "SlowStage",
    "StormStats",
    "Trigger",
    "UncontrolledDevice",
    "WithProbability",
    "coordinator_storm",
    "fault_from_dict",
    "invalid_config",
    "load_profile",
    "profile_schedule",
    "reason_unsupported",
    "restore_running",
    "system_storm",
    "target_for",
    "trigger_from_dict",
    "unsupported_reason",
]


def __getattr__(name: str) -> object:
    """``ProfileFile``, the profile file format's model, built on first use (``profiles._file_models``)."""
    if name == "ProfileFile":
        from . import profiles  # noqa: PLC0415

        return profiles.ProfileFile
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
