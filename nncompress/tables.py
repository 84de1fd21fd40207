"""Integer lookup tables every component shares: squash, stretch and the bit-history states.

Contract: built at import from integer arithmetic only, so every machine builds the same tables;
they are part of the bitstream (docs/FORMAT.md) and changing one needs a new FORMAT_VERSION.
Probabilities are 12-bit (1..4095 of 4096) where they meet the mixer, 16-bit where they learn;
logits ("stretch domain") are 8-bit fixed point clamped to [-2047, 2047], i.e. +-8.0.
"""
from __future__ import annotations

import numpy as np

# round(4096 / (1 + exp(-x))) for x = -8, -7.5, ..., 8: squash is linear between these knots.
_SQUASH_KNOTS = np.array([
    1, 2, 4, 6, 10, 17, 27, 45, 74, 120, 194, 311, 488, 747, 1102, 1546, 2048,
    2550, 2994, 3349, 3608, 3785, 3902, 3976, 4022, 4051, 4069, 4079, 4086, 4090, 4092, 4094, 4095],
    dtype=np.int64)
LOGIT_LIMIT = 2047


def _squash_table() -> np.ndarray:
    """SQUASH[d + 2048] = 4096 / (1 + exp(-d / 256)) for d in [-2048, 2047], as an integer."""
    d = np.arange(-2048, 2048, dtype=np.int64)
    knot, frac = (d >> 7) + 16, d & 127
    return ((_SQUASH_KNOTS[knot] * (128 - frac) + _SQUASH_KNOTS[knot + 1] * frac + 64) >> 7).astype(np.int32)


def _stretch_table(squash: np.ndarray) -> np.ndarray:
    """STRETCH[p] = the smallest d with squash(d) >= p: the inverse of squash on 12-bit p."""
    d = np.arange(-LOGIT_LIMIT, LOGIT_LIMIT + 1)
    return d[np.searchsorted(squash[d + 2048], np.arange(4096), side="left").clip(max=len(d) - 1)].astype(np.int32)


SQUASH = _squash_table()
STRETCH = _stretch_table(SQUASH)


def _bit_history_states(cap: int = 30, run_cap: int = 48):
    """A bit history as a byte: the state is a pair of counts (n0, n1) of the zeros and ones seen.

    On a bit, its own count grows (to `run_cap` while the other count is 0, else to `cap`) and
    the other count, if above 2, is halved (+1): recent bits weigh more, so the state tracks
    drifting statistics. States are numbered in the order they are reached from (0, 0) = 0.
    Returns NEXT [S, 2] (state after a 0 or a 1), COUNTS [S, 2] and P1 [S], the initial
    16-bit probability of a 1 in each state: (n1 + 1/2) / (n0 + n1 + 1).
    """
    def discount(n: int) -> int:
        return n if n <= 2 else n // 2 + 1

    ids, order, nxt = {(0, 0): 0}, [(0, 0)], []
    for n0, n1 in order:  # grows while we walk it: a breadth-first walk
        after0 = (min(n0 + 1, run_cap if n1 == 0 else cap), discount(n1))
        after1 = (discount(n0), min(n1 + 1, run_cap if n0 == 0 else cap))
        for state in (after0, after1):
            if state not in ids:
                ids[state] = len(order)
                order.append(state)
        nxt.append((ids[after0], ids[after1]))
    assert len(order) <= 256
    counts = np.array(order, dtype=np.int64)
    p1 = ((2 * counts[:, 1] + 1) << 16) // (2 * counts.sum(axis=1) + 2)
    return np.array(nxt, dtype=np.uint8), counts, p1.astype(np.int64)


STATE_NEXT, STATE_COUNTS, STATE_P1 = _bit_history_states()
STATE_TOTAL = STATE_COUNTS.sum(axis=1)   # how much a slot has seen: its priority when a bucket is full
# The one bit a state has seen, coded like runs.run_bit: 1 only zeros, 2 only ones, 0 both or none.
_SEEN0, _SEEN1 = STATE_COUNTS[:, 0] > 0, STATE_COUNTS[:, 1] > 0
STATE_ONLY = np.select([_SEEN0 & ~_SEEN1, _SEEN1 & ~_SEEN0], [1, 2], 0).astype(np.int64)
STATES = len(STATE_NEXT)

# Adaptive rate 1 / (n + 1.5) in 16-bit fixed point, for n observations so far.
RECIPROCAL = (np.int64(2 << 16) // (2 * np.arange(1024, dtype=np.int64) + 3)).astype(np.int64)
