"""Node probabilities -> the integer frequencies the range coder is given for one nibble.

Contract: `nibble_frequencies` splits TOTAL = 2^24 - 16 down the nibble's binary tree: node j
gives floor(n_j * p_j / 4096) to its 1-child and the rest to its 0-child. The 16 leaves sum to
exactly TOTAL, and constriction then codes nibble v with probability exactly (q_v + 1) / 2^24
(docs/FORMAT.md): every value stays possible, and the arithmetic is exact integer arithmetic.
"""
from __future__ import annotations

import numpy as np
from numba import njit

TOTAL = (1 << 24) - 16


@njit(inline="always")
def nibble_frequencies(p_one, out, b, scratch):
    """p_one[b, 1..15]: 12-bit probability of a 1 at each node -> out[b, 0..15]."""
    scratch[1] = TOTAL
    for j in range(1, 16):
        ones = (scratch[j] * p_one[b, j]) >> 12
        scratch[2 * j + 1] = ones
        scratch[2 * j] = scratch[j] - ones
    for v in range(16):
        out[b, v] = scratch[16 + v]
