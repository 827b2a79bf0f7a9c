"""Bounded ring buffers and a bounded block pool, all preallocated.

Nothing here allocates after construction, so the audio callback can use them freely. The ring
buffer is single-producer/single-consumer by design (the callback is both ends in the duplex path);
it reports how many frames it could not take so the caller can count them as dropped: frames are
never lost silently.
"""

from __future__ import annotations

import numpy as np


class RingBuffer:
    """A fixed-capacity FIFO of multichannel float32 frames."""

    __slots__ = ("capacity", "channels", "_data", "_read", "_fill")

    def __init__(self, capacity_frames: int, channels: int) -> None:
        if capacity_frames <= 0 or channels <= 0:
            raise ValueError("a ring buffer needs a positive capacity and channel count")
        self.capacity = capacity_frames
        self.channels = channels
        self._data = np.zeros((capacity_frames, channels), dtype=np.float32)
        self._read = 0
        self._fill = 0

    @property
    def fill(self) -> int:
        return self._fill

    @property
    def space(self) -> int:
        return self.capacity - self._fill

    def write(self, frames: np.ndarray) -> int:
        """Append as many frames as fit; returns how many were written (the rest are the caller's)."""
        # Called several times per block: plain int arithmetic, and no slice view of ``frames``
        # when all of it fits (same copies, same results as the min()/modulo form).
        cap = self.capacity
        fill = self._fill
        total = frames.shape[0]
        n = cap - fill
        if total < n:
            n = total
        if n <= 0:
            return 0
        start = self._read + fill
        if start >= cap:
            start -= cap
        end = start + n
        if end <= cap:
            self._data[start:end] = frames if n == total else frames[:n]
        else:
            first = cap - start
            self._data[start:] = frames[:first]
            self._data[:n - first] = frames[first:n]
        self._fill = fill + n
        return n

    def read(self, out: np.ndarray) -> int:
        """Fill ``out`` from the front; returns frames read (fewer than asked means underflow)."""
        fill = self._fill
        n = out.shape[0]
        if fill < n:
            n = fill
        if n <= 0:
            return 0
        cap = self.capacity
        start = self._read
        end = start + n
        if end <= cap:
            if n == out.shape[0]:
                out[...] = self._data[start:end]
            else:
                out[:n] = self._data[start:end]
            self._read = end if end < cap else 0
        else:
            first = cap - start
            out[:first] = self._data[start:]
            out[first:n] = self._data[:n - first]
            self._read = n - first
        self._fill = fill - n
        return n

    def discard(self, n: int) -> int:
        """Drop the ``n`` oldest frames (latency control); returns how many were dropped."""
        n = min(n, self._fill)
        self._read = (self._read + n) % self.capacity
        self._fill -= n
        return n

    def clear(self) -> int:
        n = self._fill
        self._read = 0
        self._fill = 0
        return n

    def pass_through(self, n: int, held: np.ndarray | None = None) -> None:
        """``n`` frames written to the ring and ``n`` read out again, in pieces, its fill the same
        before and after: the read position moves on exactly as those ``write`` and ``read`` calls
        would move it. An empty ring's storage is not touched (nothing reads it); a ring that holds
        frames holds ``held`` afterwards (the last ``fill`` frames of what it held and what was
        written: the caller's, who processed the frames elsewhere, ``Pipeline.end_stretch``), at
        the positions those writes would have left them."""
        fill = self._fill
        if (0 if held is None else held.shape[0]) != fill:
            raise ValueError(f"a ring holding {fill} frames must be given {fill} frames to hold")
        self._fill = fill + n
        self.discard(n)  # the read position moves on as the reads of those frames move it
        if fill:  # and the frames left are written where the writes would have left them
            self._fill = 0
            self.write(held)  # type: ignore[arg-type]

    def peek(self, out: np.ndarray) -> None:
        """Copy the frames the ring holds, oldest first, into ``out`` (exactly ``fill`` frames
        long), leaving the ring as it is: what the next reads would return."""
        fill = self._fill
        if out.shape[0] != fill:
            raise ValueError(f"peek needs room for exactly the {fill} frames held")
        start = self._read
        first = min(fill, self.capacity - start)
        out[:first] = self._data[start:start + first]
        out[first:] = self._data[:fill - first]


class BufferPool:
    """A fixed set of equally sized blocks handed out by index; ``acquire`` returns None when dry."""

    __slots__ = ("blocks", "_free", "_held")

    def __init__(self, n_blocks: int, block_frames: int, channels: int) -> None:
        self.blocks = np.zeros((n_blocks, block_frames, channels), dtype=np.float32)
        self._free = list(range(n_blocks - 1, -1, -1))
        self._held: set[int] = set()

    @property
    def size(self) -> int:
        return self.blocks.shape[0]

    @property
    def available(self) -> int:
        return len(self._free)

    @property
    def in_use(self) -> int:
        return len(self._held)

    def acquire(self) -> int | None:
        if not self._free:
            return None
        idx = self._free.pop()
        self._held.add(idx)
        return idx

    def release(self, idx: int) -> bool:
        """Return a block; releasing one that is not held is a no-op returning False."""
        if idx not in self._held:
            return False
        self._held.discard(idx)
        self._free.append(idx)
        return True

    def block(self, idx: int) -> np.ndarray:
        return self.blocks[idx]


__all__ = ["BufferPool", "RingBuffer"]
