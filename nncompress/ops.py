"""Deterministic building blocks.

Contract: every function here gives bit-identical results for any torch thread count, CPU
instruction set or device, because it only uses correctly rounded + - * /, gathers, and sums in
a fixed order or in exact integer arithmetic (docs/FORMAT.md, "Determinism").
"""
from __future__ import annotations

import math

import torch

# Fixed-point scale for averaging float updates: integer sums are exact in any order.
_FIXED_ONE = 2.0 ** 32


def fixed_sum(x: torch.Tensor, dim: int) -> torch.Tensor:
    """Sum over `dim` (a power-of-two length) by pairwise halving, always in the same order."""
    n = x.shape[dim]
    assert n & (n - 1) == 0, "fixed_sum needs a power-of-two length"
    while n > 1:
        n //= 2
        x = x.narrow(dim, 0, n) + x.narrow(dim, n, n)
    return x.squeeze(dim)


def unique_groups(index: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(distinct indices, position of each input in them, how many inputs share each)."""
    return torch.unique(index, return_inverse=True, return_counts=True)


def scatter_mean_add_(flat: torch.Tensor, index: torch.Tensor, delta: torch.Tensor) -> None:
    """flat[i] += mean of the deltas aimed at i (float tables).

    Several lanes touching one entry in a step average their updates (summing them diverges).
    The sums are taken in 32.32 fixed point, so their order cannot change the result.
    """
    uniq, inverse, counts = unique_groups(index)
    fixed = torch.round(delta * _FIXED_ONE).to(torch.int64)
    sums = torch.zeros(uniq.numel(), dtype=torch.int64, device=flat.device).index_add_(0, inverse, fixed)
    flat[uniq] += sums.to(flat.dtype) / counts.to(flat.dtype) / _FIXED_ONE


def _grid(values: list[float], bits: int) -> list[float]:
    # Round libm results to a 2^-bits grid: a last-ulp difference between two machines' exp/log
    # cannot move a value across a grid point except in a vanishingly rare exact tie.
    scale = float(1 << bits)
    return [round(v * scale) / scale for v in values]


# stretch(p) = ln(p / (1 - p)) of a 12-bit probability p = (i + 0.5) / 4096.
STRETCH_BITS = 12
STRETCH_TABLE = torch.tensor(
    _grid([math.log((i + 0.5) / (4095.5 - i)) for i in range(1 << STRETCH_BITS)], 16),
    dtype=torch.float32,
)

# squash(x) = 1 / (1 + e^-x) on a 1/64 grid of x in [-12, 12], clipped away from 0 and 1.
SQUASH_STEPS = 64
SQUASH_LIMIT = 12 * SQUASH_STEPS
SQUASH_TABLE = torch.tensor(
    _grid([min(max(1.0 / (1.0 + math.exp(-i / SQUASH_STEPS)), 2.0 ** -16), 1 - 2.0 ** -16)
           for i in range(-SQUASH_LIMIT, SQUASH_LIMIT + 1)], 24),
    dtype=torch.float32,
)


def squash(x: torch.Tensor) -> torch.Tensor:
    """Logistic function by table lookup (x in natural-log odds); exact on every platform."""
    i = torch.round(x * SQUASH_STEPS).clamp_(-SQUASH_LIMIT, SQUASH_LIMIT).to(torch.int64)
    return SQUASH_TABLE.to(x.device)[i + SQUASH_LIMIT]


def stretch(p: torch.Tensor) -> torch.Tensor:
    """Inverse of squash for float probabilities, through the 12-bit table."""
    i = (p * (1 << STRETCH_BITS)).to(torch.int64).clamp_(0, (1 << STRETCH_BITS) - 1)
    return STRETCH_TABLE.to(p.device)[i]
