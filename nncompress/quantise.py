"""Probabilities -> the integer frequencies the range coder is given.

Contract: each row sums to exactly TOTAL = 2^24 - 256, every entry is >= 0, and constriction then
codes symbol i with probability exactly (q_i + 1) / 2^24 (no symbol is ever impossible). All
arithmetic is exact or correctly rounded, so encoder and decoder get identical rows.
"""
from __future__ import annotations

import torch

TOTAL = (1 << 24) - 256


def frequencies(probs: torch.Tensor) -> torch.Tensor:
    """[B, 256] float probabilities (summing to about 1) -> [B, 256] int64 frequencies."""
    q = torch.floor(probs * TOTAL).to(torch.int64)
    deficit = TOTAL - q.sum(dim=1, keepdim=True)  # exact integer sum; small, either sign
    top = q.argmax(dim=1, keepdim=True)           # first maximum: deterministic, and large enough
    return q.scatter_add_(1, top, deficit)
