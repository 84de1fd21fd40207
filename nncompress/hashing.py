"""Context hashing: per lane, the preceding bytes as 64-bit context hashes.

Contract: `hashes()` gives one int64 hash per (lane, context) for the byte about to be coded;
`advance(symbols)` moves every lane past its coded byte. Integer arithmetic only (wrapping int64
multiplies), so every device computes the same hashes.
"""
from __future__ import annotations

import torch

_GOLD = 0x9E3779B97F4A7C15 - (1 << 64)   # 2^64 / golden ratio, as a signed int64
_WORD_PRIME = 0x2545F4914F6CDD1D
_TAG_SHIFT = 58                          # context kind tag above the 56 bits of an order-7 context


def _is_letter(c: torch.Tensor) -> torch.Tensor:
    folded = c | 32
    return (folded >= 97) & (folded <= 122)


class LaneContexts:
    """Rolling context state of B lanes."""

    def __init__(self, lanes: int, orders: tuple[int, ...], word_contexts: bool, device: torch.device):
        assert all(1 <= k <= 7 for k in orders), "orders must be 1..7 (56 bits of history)"
        self.masks = torch.tensor([(1 << (8 * k)) - 1 for k in orders], dtype=torch.int64, device=device)
        self.tags = torch.arange(1, len(orders) + 1, dtype=torch.int64, device=device) << _TAG_SHIFT
        self.word_contexts = word_contexts
        self.history = torch.zeros(lanes, dtype=torch.int64, device=device)  # last 8 bytes, newest lowest
        self.word = torch.zeros(lanes, dtype=torch.int64, device=device)      # hash of the current word
        self.prev_word = torch.zeros(lanes, dtype=torch.int64, device=device)
        self.word_tag = (len(orders) + 1) << _TAG_SHIFT

    @property
    def count(self) -> int:
        return self.masks.numel() + (2 if self.word_contexts else 0)

    def hashes(self) -> torch.Tensor:
        """-> [B, K] int64 hashes of the K contexts."""
        ctx = (self.history[:, None] & self.masks) | self.tags          # [B, orders]
        if self.word_contexts:
            last = self.history & 0xFF
            word0 = (self.word * _WORD_PRIME + last) ^ self.word_tag
            word1 = (self.word + self.prev_word * _GOLD) ^ (self.word_tag << 1)
            ctx = torch.cat((ctx, word0[:, None], word1[:, None]), dim=1)
        return ctx * _GOLD

    def advance(self, symbols: torch.Tensor) -> None:
        """symbols: [B] int64, the byte each lane just coded."""
        self.history = (self.history << 8) | symbols
        if self.word_contexts:
            letter = _is_letter(symbols)
            ended = (~letter) & (self.word != 0)
            self.prev_word = torch.where(ended, self.word, self.prev_word)
            self.word = torch.where(letter, (self.word + (symbols | 32)) * _WORD_PRIME, torch.zeros_like(self.word))
