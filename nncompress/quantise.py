"""Node probabilities -> the integer frequencies the range coder is given for two bits.

Contract: `pair_frequencies` splits TOTAL = 2^24 - 4 over the four values of the next two bits:
the round's first node `top` gives floor(n * p_top / 4096) to its 1-branch and the rest to its
0-branch, and each branch is split by its node (2 top, 2 top + 1) the same way. The four entries
sum to exactly TOTAL, and the range coder (rangecoder.py) then codes value v with probability exactly
(q_v + 1) / 2^24 (docs/FORMAT.md): every value stays possible, and the arithmetic is exact.
"""
from __future__ import annotations

from numba import njit

TOTAL = (1 << 24) - 4


@njit(inline="always")
def pair_frequencies(p_one, out, b, top):
    """p_one[b, j]: 12-bit probability of a 1 at nibble-tree node j -> out[b, 0..3]."""
    ones = (TOTAL * p_one[b, top]) >> 12
    zeros = TOTAL - ones
    low = (zeros * p_one[b, 2 * top]) >> 12
    high = (ones * p_one[b, 2 * top + 1]) >> 12
    out[b, 0], out[b, 1] = zeros - low, low
    out[b, 2], out[b, 3] = ones - high, high
