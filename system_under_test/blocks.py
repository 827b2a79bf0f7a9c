"""How long a block of audio lasts: the one definition of frames / sample rate.

The block budget (what a callback may spend), the stream's latency check, the watchdog's period,
the harness's audio check and its reports all read a block's duration. Each used to divide on its
own (in seconds here, in milliseconds there), so two readers could disagree in the last bit about
one block: a configuration generated to have ``latency_ms`` just at its block's length could be
refused by the validator that computed the length another way. Everything divides here.
"""

from __future__ import annotations


def block_seconds(frames: int, sample_rate: float) -> float:
    """The duration of ``frames`` frames at ``sample_rate`` frames per second, in seconds."""
    return frames / sample_rate


def block_ms(frames: int, sample_rate: float) -> float:
    """The duration of ``frames`` frames at ``sample_rate``, in milliseconds (configurations write
    latencies in ms). Multiplied before it divides, so a block of a whole number of milliseconds
    (480 frames at 48 kHz) is exactly that number, never a hair over a latency of the same."""
    return 1000 * frames / sample_rate


__all__ = ["block_ms", "block_seconds"]
