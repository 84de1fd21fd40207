"""Adaptive probability maps (APM/SSE): refine a probability given a small context.

Contract: a map row holds 33 16-bit probabilities at logits -2047, -1920, ..., 1920, 2047; `apm_refine`
interpolates between the two points around the input's logit and returns a 12-bit probability
and the index of the lower one; `apm_train` moves both toward the bit at 2^-rate per use.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .tables import SQUASH

POINTS = 33


def apm_rows(rows: int) -> np.ndarray:
    """[rows, 33] int32 (16-bit values), each row the identity map."""
    logits = np.clip((np.arange(POINTS) - 16) * 128, -2047, 2047)
    return np.tile(SQUASH[logits + 2048].astype(np.int32) * 16, (rows, 1))


@njit(inline="always")
def apm_refine(table, row, logit):
    x = logit + 2048                   # 1..4095
    lo, frac = x >> 7, x & 127
    p = (np.int64(table[row, lo]) * (128 - frac) + np.int64(table[row, lo + 1]) * frac) >> 11
    return p, lo


@njit(inline="always")
def apm_train(table, row, point, bit, rate):
    for i in range(point, point + 2):
        table[row, i] += ((bit << 16) - table[row, i]) >> rate
