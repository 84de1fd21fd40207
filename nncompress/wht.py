"""The Walsh-Hadamard network: a small neural net over the mixers' logits and inputs, in integer arithmetic.

For one node, with x the 16 inputs (logits, 8-bit fixed point: the first layer's seven, then the
mixers' first inputs; predictor._net_inputs):

    v = a * x                 per-input gains a (12-bit fixed point, start at 1.0)
    u = WHT16(v) / 4          the fast transform: 64 additions, no weights, an orthogonal mix
    h = u * (s+ if u >= 0 else s-)   switched ReLU: learned slopes (12-bit, start 1.0 and 0.25)
    logit = sum(c * h)        readout (16-bit, starts as c = (1, 0, ..., 0): u0 = sum(v) / 4)

For a given input the switches fix one linear map, and a layer costs n log n, not n^2. The net
learns by backpropagation of the coding cost: it is the only part of the model that learns
interactions between its inputs (the mixers weigh each input alone). Every product is rounded
by an arithmetic shift of an exact int64, so results are the same on every machine.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .tables import LOGIT_LIMIT

WIDTH = 16
# Parameter rows per weight set: gains, positive slopes, negative slopes, readout.
GAIN, SLOPE_UP, SLOPE_DOWN, READOUT = range(4)


def net_parameters(sets: int) -> np.ndarray:
    """[sets, 4, 16] int64 initial parameters."""
    params = np.zeros((sets, 4, WIDTH), dtype=np.int64)
    params[:, GAIN] = 4096
    params[:, SLOPE_UP] = 4096
    params[:, SLOPE_DOWN] = 1024
    params[:, READOUT, 0] = 65536
    return params


@njit(inline="always")
def wht16(v):
    """In place, unnormalised: v <- H16 v, butterflies in a fixed order (exact in int64)."""
    half = 1
    while half < WIDTH:
        for start in range(0, WIDTH, 2 * half):
            for i in range(start, start + half):
                a, b = v[i], v[i + half]
                v[i], v[i + half] = a + b, a - b
        half *= 2


@njit(inline="always")
def net_forward(params, row, x, count, u, h):
    """-> the net's logit for inputs x[:count]; leaves the pre-activations in u, activations in h."""
    for i in range(WIDTH):
        u[i] = (params[row, GAIN, i] * x[i]) >> 12 if i < count else 0
    wht16(u)
    out = np.int64(0)
    for i in range(WIDTH):
        u[i] >>= 2
        slope = params[row, SLOPE_UP, i] if u[i] >= 0 else params[row, SLOPE_DOWN, i]
        h[i] = (u[i] * slope) >> 12
        out += params[row, READOUT, i] * h[i]
    return min(max(out >> 16, -LOGIT_LIMIT), LOGIT_LIMIT)


@njit(inline="always")
def net_train(params, row, x, count, u, h, error, rate, grad):
    """One step down the coding cost's gradient; error = (bit << 12) - p. grad: 16 int64 scratch."""
    step = error * rate
    for i in range(WIDTH):
        grad_h = (params[row, READOUT, i] * error) >> 16
        up = u[i] >= 0
        slope = params[row, SLOPE_UP, i] if up else params[row, SLOPE_DOWN, i]
        grad[i] = (grad_h * slope) >> 12
        params[row, READOUT, i] += (h[i] * step + 8192) >> 14
        slope_step = (u[i] * grad_h * rate + (1 << 17)) >> 18
        if up:
            params[row, SLOPE_UP, i] += slope_step
        else:
            params[row, SLOPE_DOWN, i] += slope_step
    wht16(grad)
    for i in range(count):
        params[row, GAIN, i] += (x[i] * (grad[i] >> 2) * rate + (1 << 17)) >> 18
