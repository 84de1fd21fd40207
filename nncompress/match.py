"""Match model: finds the last place the current context occurred in the block and predicts
that the byte which followed it comes next.

Contract: `start_block` lays out a block of B lanes; `predicted()` gives, per lane, the predicted
byte and the current match length (0 = no prediction); `update(symbols, history)` records the
coded bytes. Candidates come from a hash table of positions shared by all lanes; a lane only reads
bytes that every lane has already coded, and concurrent writes resolve to the highest position,
so encoder and decoder see the same history.
"""
from __future__ import annotations

import torch

_GOLD = 0x9E3779B97F4A7C15 - (1 << 64)
MAX_LENGTH = 65535


class MatchModel:
    def __init__(self, min_len: int, table_bits: int, device: torch.device):
        self.min_len, self.table_bits, self.device = min_len, table_bits, device
        self.context_mask = (1 << (8 * min_len)) - 1
        # Positions + 1 of the byte after each hashed context; 0 = empty; last entry is junk.
        self.table = torch.zeros((1 << table_bits) + 1, dtype=torch.int64, device=device)

    def start_block(self, lanes: int, stride: int) -> None:
        self.table.zero_()
        self.stride = stride
        self.buffer = torch.zeros(lanes * stride + 1, dtype=torch.uint8, device=self.device)
        self.position = torch.arange(lanes, dtype=torch.int64, device=self.device) * stride  # next byte
        self.pointer = torch.zeros(lanes, dtype=torch.int64, device=self.device)
        self.length = torch.zeros(lanes, dtype=torch.int64, device=self.device)
        self.step = 0

    def predicted(self) -> tuple[torch.Tensor, torch.Tensor]:
        """-> (predicted byte [B], match length [B]; 0 where the pointer's byte is not yet known)."""
        known = (self.pointer % self.stride) < self.step
        self.guess = self.buffer[self.pointer].long()
        self.usable_length = torch.where(known, self.length, 0)
        return self.guess, self.usable_length

    def update(self, symbols: torch.Tensor, history: torch.Tensor, active: torch.Tensor) -> None:
        """symbols [B] just coded; history [B] the lanes' last bytes including them. Call after
        `predicted()` for this step."""
        predicted, length = self.guess, self.usable_length
        self.buffer[self.position] = symbols.to(torch.uint8)
        hit = (length > 0) & (predicted == symbols)
        self.length = torch.where(hit, (self.length + 1).clamp_(max=MAX_LENGTH), 0)
        self.pointer = torch.where(hit, (self.pointer + 1).clamp_(max=self.buffer.numel() - 1), self.pointer)
        self.position = self.position + 1
        self.step += 1
        # Look up a new candidate where the match broke, then record this context's position.
        key = ((((history & self.context_mask) * _GOLD) >> (64 - self.table_bits))
               & ((1 << self.table_bits) - 1))
        key = torch.where(active & (self.step >= self.min_len), key, 1 << self.table_bits)
        candidate = self.table[key]
        fresh = (self.length == 0) & (candidate > 0)
        self.pointer = torch.where(fresh, candidate - 1, self.pointer)
        self.length = torch.where(fresh, 1, self.length)
        self.table.scatter_reduce_(0, key, self.position + 1, reduce="amax", include_self=False)
