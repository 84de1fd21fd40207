"""Logistic mixing in integer arithmetic: a weight set combines the inputs' logits.

Contract: weights are 16-bit fixed point (65536 = 1.0), inputs are stretch-domain logits
(tables.py). A row may hold its weights less a start that all rows share: `mix_dot` adds the inputs' dot
product with that start (0 if none) and returns the mixed logit clamped to +-LOGIT_LIMIT; `mix_train` moves the
weights down the coding cost's gradient: w += x * (bit - p) * rate / 2^shift. All of it is exact integer
arithmetic, so it gives the same result on every machine.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .tables import LOGIT_LIMIT


@njit(inline="always")
def mix_dot(weights, row, inputs, count, start):
    """`start`: the inputs' dot product with the weights' part that the row does not hold (predictor._start_dot)."""
    dot = np.int64(start)
    for i in range(count):
        dot += weights[row, i] * inputs[i]
    dot >>= 16
    return min(max(dot, -LOGIT_LIMIT), LOGIT_LIMIT)


@njit(inline="always")
def mix_train(weights, row, inputs, count, error, rate, shift):
    """error = (bit << 12) - p (12-bit); the step is inputs * error * rate / 2^shift, rounded."""
    step = error * rate
    for i in range(count):
        weights[row, i] += (inputs[i] * step + (1 << (shift - 1))) >> shift
