"""Fault injection (see ``kinds``): every public name of the former ``harness.faults`` module."""

from .kinds import *  # noqa: F403
from .kinds import __all__ as _kinds_all
from .kinds import _DEVICE_PARAMS, MAX_SCHEDULE_CHECKS, MIN_CHECK_EVERY_S, RECORDS_KEPT, ProfileFile  # noqa: F401

__all__ = list(_kinds_all)
