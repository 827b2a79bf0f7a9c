"""Compiled passes of the glitch analyser's clipping search (numba), for runs that load numba anyway.

Why compiled: ``analysis._clipped_stretches`` reads every frame of a stretch of sound in about ten
numpy passes (a float64 copy, a mask of the middle half of the swing, three gathers for the noise's
second difference; a comparison against each block's bound, a difference and a search for the
held runs, at both extremes), each a full sweep of memory for one or two operations a frame: a
third of the listening check's analysis in a simulated soak (bench/RESULTS.md, issue #17). Each
kernel here is one of those groups as one loop over the frames.

Why not always: importing numba costs ~0.35 s of CPU and its first call ~0.45 s more, as long as
a one-minute run's whole analysis; the analyser uses these only under
``analysis.use_kernel("compiled")``, which the runner enters with the DSP chain's compiled kernel
(``harness.runner.dsp_kernel_for``: simulated runs of 600 s and more), and ``soundcheck analyze``
never does.

Each kernel computes the same float64 operations, in the same order, as the numpy expressions it
stands for (no ``fastmath``: no reassociation, no fused multiply-add), so every number is the same
to the bit; ``tests/harness/test_analysis_clipping.py`` holds them to the numpy path.
``cache=True`` keeps the compiled code beside this file (``__pycache__``), as ``dsp_kernels`` does.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, boundscheck=False, inline="always")
def _second_differences(seg: np.ndarray, dc: float, half: float, curve: float, out: np.ndarray, write: bool,
                        bound: float) -> tuple[int, int]:  # pragma: no cover - compiled: tested through the analyser
    """The one loop of both noise kernels: ``(k, within)``, at each frame ``n`` of ``seg`` but the
    first and last whose ``c[n] = float64(seg[n]) - dc`` lies in the middle of the swing
    (``|c[n]| < half``), ``d = c[n+1] - 2 c[n] + c[n-1] + curve c[n]``, in frame order: ``k`` of
    them, written to ``out[:k]`` when ``write``, ``within`` of them with ``|d| <= bound``.

    Why one loop: the count that screens the clipping search (``noise_second_difference_within``)
    must count exactly the numbers the search itself reads (``noise_second_difference``); two
    copies of the loop could drift apart (a frame's shift, the middle-half test) unnoticed."""
    n = seg.size
    if n < 3:
        return 0, 0
    k = 0
    within = 0
    prev = np.float64(seg[0]) - dc
    cur = np.float64(seg[1]) - dc
    for i in range(1, n - 1):
        nxt = np.float64(seg[i + 1]) - dc
        if abs(cur) < half:
            d = nxt - 2.0 * cur + prev + curve * cur
            if write:
                out[k] = d
            elif abs(d) <= bound:
                within += 1
            k += 1
        prev = cur
        cur = nxt
    return k, within


@njit(cache=True, nogil=True, boundscheck=False)
def noise_second_difference(seg: np.ndarray, dc: float, half: float, curve: float,
                            out: np.ndarray) -> int:  # pragma: no cover - compiled: tested through the analyser
    """Into ``out[:k]``, returns ``k``: at each frame ``n`` of ``seg`` but the first and last
    whose ``c[n] = float64(seg[n]) - dc`` lies in the middle of the swing (``|c[n]| < half``),
    ``c[n+1] - 2 c[n] + c[n-1] + curve c[n]``, in frame order: the numpy path's
    ``centred[2:][inner] - 2.0 * mid + centred[:-2][inner] + curve * mid``."""
    return _second_differences(seg, dc, half, curve, out, True, 0.0)[0]


@njit(cache=True, nogil=True, boundscheck=False)
def held_runs(seg: np.ndarray, block: int, bound: np.ndarray, empty: np.ndarray, top: bool, longest: float,
              starts: np.ndarray, ends: np.ndarray) -> int:  # pragma: no cover - compiled: tested through the analyser
    """Into ``starts[:k]`` and ``ends[:k]``, returns ``k``: the runs of frames of ``seg`` held at
    their block's extreme (at or above the block's float32 ``bound`` when ``top``, else at or
    below it; none in an ``empty`` block) that are at least ``longest`` frames long, over the
    whole stretch (a run may cross a block's edge): the numpy path's comparison, ``_runs`` and
    ``(e - s) >= longest``. ``seg`` is whole blocks (a partial last one is not read)."""
    n = (seg.size // block) * block
    k = 0
    run = -1  # the start of the run going on, or -1
    for b in range(n // block):
        lo = b * block
        holds = not empty[b]  # an empty block holds no frame: a run going on ends at its first
        level = bound[b]
        for i in range(lo, lo + block):
            held = holds and (seg[i] >= level if top else seg[i] <= level)
            if held:
                if run < 0:
                    run = i
            elif run >= 0:
                if i - run >= longest:
                    starts[k] = run
                    ends[k] = i
                    k += 1
                run = -1
    if run >= 0 and n - run >= longest:
        starts[k] = run
        ends[k] = n
        k += 1
    return k


@njit(cache=True, nogil=True, boundscheck=False)
def _triple_extremes(seg: np.ndarray, block: int, nb: int, highs: np.ndarray,
                     lows: np.ndarray) -> None:  # pragma: no cover - compiled: tested through the analyser
    """For each of the ``nb`` whole blocks of ``seg``, over the frame triples inside it: the
    largest of their least frames (``highs[b]``) and the least of their largest frames
    (``lows[b]``), in float32. Only comparisons, so exact whatever their order (but for which
    of two equal zeros is kept); four triples a step on independent accumulators, so the loop
    waits on no single chain of comparisons (the one sweep of ``held_gap`` did, a frame at a
    time). Every frame must be finite (``held_gap`` checks the blocks' extremes first)."""
    for b in range(nb):
        i = b * block + 2
        end = (b + 1) * block
        hi0 = hi1 = hi2 = hi3 = np.float32(-np.inf)
        lo0 = lo1 = lo2 = lo3 = np.float32(np.inf)
        while i + 4 <= end:
            p = seg[i - 2]
            q = seg[i - 1]
            r = seg[i]
            s = seg[i + 1]
            t = seg[i + 2]
            u = seg[i + 3]
            qr_lo = min(q, r)
            rs_lo = min(r, s)
            st_lo = min(s, t)
            qr_hi = max(q, r)
            rs_hi = max(r, s)
            st_hi = max(s, t)
            hi0 = max(hi0, min(p, qr_lo))
            hi1 = max(hi1, min(qr_lo, s))
            hi2 = max(hi2, min(rs_lo, t))
            hi3 = max(hi3, min(st_lo, u))
            lo0 = min(lo0, max(p, qr_hi))
            lo1 = min(lo1, max(qr_hi, s))
            lo2 = min(lo2, max(rs_hi, t))
            lo3 = min(lo3, max(st_hi, u))
            i += 4
        while i < end:
            hi0 = max(hi0, min(seg[i - 2], min(seg[i - 1], seg[i])))
            lo0 = min(lo0, max(seg[i - 2], max(seg[i - 1], seg[i])))
            i += 1
        highs[b] = max(max(hi0, hi1), max(hi2, hi3))
        lows[b] = min(min(lo0, lo1), min(lo2, lo3))


@njit(cache=True, nogil=True, boundscheck=False)
def held_gap(seg: np.ndarray, block: int, tops: np.ndarray, bottoms: np.ndarray) -> float:  # pragma: no cover - compiled: tested through the analyser
    """The least ``eps`` at which three consecutive frames of ``seg`` could all be held at an
    extreme of their own blocks: over every three consecutive frames, the largest of their
    distances from their block's top (``tops[b] - seg[n]`` in float64), and likewise from the
    bottom (``seg[n] - bottoms[b]``); the least of those over the whole stretch, at either
    extreme. -1.0 when an extreme is not finite: ``tops`` and ``bottoms`` are each block's
    largest and smallest frames as numpy's ``max``/``min`` find them (a NaN frame makes both NaN,
    an infinite one one of them infinite), so then a frame or an extreme is not finite and
    nothing can be proved. ``seg`` is whole blocks (a partial last one is not read).

    Why: a held run is at least three frames long (``_CLIP_RUN_MIN``), so when this is above the
    clipping search's ``eps``, no frame triple is held and the search has nothing to find.

    How: ``top - v`` in float64 never grows as ``v`` grows (each rounding keeps the order), so
    the largest distance of a triple inside one block is ``top`` less the triple's least frame,
    and the least of those over the block is ``top`` less the largest such frame
    (``_triple_extremes``, float32 comparisons only); the two triples that cross each block's
    first edge are taken frame by frame. The same number as a sweep of every triple's distances
    (but for the sign of a zero, which ``gap > 0`` does not read).
    """
    nb = seg.size // block
    for b in range(nb):
        top = np.float64(tops[b])
        bottom = np.float64(bottoms[b])
        if not (abs(top) < np.inf and abs(bottom) < np.inf):
            return -1.0
    best = np.inf
    if block >= 3:
        highs = np.empty(nb, dtype=np.float32)
        lows = np.empty(nb, dtype=np.float32)
        _triple_extremes(seg, block, nb, highs, lows)
        for b in range(nb):
            best = min(best, np.float64(tops[b]) - np.float64(highs[b]))
            best = min(best, np.float64(lows[b]) - np.float64(bottoms[b]))
    # the triples that hold frames of more than one block: those ending at a block's first two
    # frames (every frame when a block is shorter than three)
    for b in range(nb):
        for o in range(min(2, block)):
            n = b * block + o
            if n < 2:
                continue
            far = -np.inf
            near = -np.inf
            for j in range(n - 2, n + 1):
                c = j // block
                v = np.float64(seg[j])
                far = max(far, np.float64(tops[c]) - v)
                near = max(near, v - np.float64(bottoms[c]))
            best = min(best, far)
            best = min(best, near)
    return best


@njit(cache=True, nogil=True, boundscheck=False)
def noise_second_difference_within(seg: np.ndarray, dc: float, half: float, curve: float,
                                   bound: float) -> tuple[int, int]:  # pragma: no cover - compiled: tested through the analyser
    """``(k, within)``: how many numbers ``noise_second_difference`` would write (``k``) and how
    many of them lie within ``bound`` of zero (``|d| <= bound``), each computed by its loop
    (``_second_differences``), without writing them."""
    return _second_differences(seg, dc, half, curve, np.empty(0), False, bound)


@njit(cache=True, nogil=True, boundscheck=False)
def sliding_lines(phi: np.ndarray, w: np.ndarray, win: int, out: np.ndarray) -> None:  # pragma: no cover - compiled: tested through the analyser
    """Into ``out`` (6, n): ``analysis._sliding_lines``'s (value, weight sum, variance factor) of
    the side before (rows 0-2) and after (rows 3-5) every block, number for number: each of the
    five sums starts from 0.0 and adds its ``win`` terms in the order of the offsets (the padded
    zeros too, as the numpy path adds its padding), each term the same product."""
    n = phi.size
    pad_w = np.zeros(n + 2 * win)
    pad_y = np.zeros(n + 2 * win)
    for k in range(n):
        pad_w[win + k] = w[k]
        pad_y[win + k] = phi[k] * w[k]
    for side in range(2):
        sign = -1.0 if side == 0 else 1.0
        for k in range(n):
            s0 = 0.0
            s1 = 0.0
            s2 = 0.0
            sy = 0.0
            sjy = 0.0
            for jj in range(1, win + 1):
                at = win + k - jj if side == 0 else win + k + jj
                j1 = sign * jj
                j2 = j1 * j1
                wv = pad_w[at]
                yv = pad_y[at]
                s0 = s0 + wv
                s1 = s1 + j1 * wv
                s2 = s2 + j2 * wv
                sy = sy + yv
                sjy = sjy + j1 * yv
            det = s0 * s2 - s1 * s1
            if det > 1e-9:
                out[3 * side, k] = (s2 * sy - s1 * sjy) / det
                out[3 * side + 2, k] = s2 / det
            else:
                out[3 * side, k] = np.nan
                out[3 * side + 2, k] = np.inf
            out[3 * side + 1, k] = s0


def warm() -> None:
    """Each kernel called once with the argument types the analyser calls it with, so its compiled
    code is in numba's cache before anything times a first call (the test suite's conftest)."""
    seg = np.zeros(8, dtype=np.float32)
    noise_second_difference(seg, 0.0, 1.0, 0.1, np.empty(8))
    noise_second_difference_within(seg, 0.0, 1.0, 0.1, 1.0)
    held_gap(seg, 4, np.zeros(2, dtype=np.float32), np.zeros(2, dtype=np.float32))
    sliding_lines(np.zeros(8), np.ones(8), 2, np.empty((6, 8)))
    runs = np.empty(8, dtype=np.int64)
    for top in (True, False):
        held_runs(seg, 4, np.zeros(2, dtype=np.float32), np.zeros(2, dtype=np.bool_), top, 3.0, runs, runs.copy())


__all__ = ["held_gap", "held_runs", "noise_second_difference", "noise_second_difference_within", "sliding_lines",
           "warm"]
