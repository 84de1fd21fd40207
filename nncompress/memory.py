"""Hashed associative context memory.

Contract: a context hash addresses 17 slots of one shared table (the high-nibble tree, and the
low-nibble tree for each of the 16 high nibbles); each slot holds 15 adaptive bit counters, the
learned response of that context at each node of the byte's tree. `read` returns every counter a
lane can need for the next byte, stretched into the logistic domain; `update` moves the 8 counters
on the coded byte's path toward the bits taken. Only (context, high nibble) pairs that occur use
a slot, which keeps the memory dense.

A counter is an int32: bits 31..10 hold p(1) - 2^21 as a signed 22-bit fixed-point value, bits
9..0 the number of updates n (capped). Zero is p = 1/2, never seen. The update is
p += (bit - p) / (n + 1.5), in integers, averaged over lanes that hit the same counter in a step.
"""
from __future__ import annotations

import torch

from .ops import STRETCH_BITS, STRETCH_TABLE, unique_groups
from .tree import NIBBLE_NODES, PATH_BIT, PATH_NODE, PATH_SLOT, SLOTS

_P_BITS = 22
_COUNT_BITS = 10
_COUNT_MASK = (1 << _COUNT_BITS) - 1
_HALF = 1 << (_P_BITS - 1)
_RATE_SHIFT = 16
_GOLD = 0x9E3779B97F4A7C15 - (1 << 64)
_SLOT_STEP = 0x632BE59BD9B4E019  # separates the 17 slots of one context
_TAG_SHIFT, _TAG_MASK = 16, (1 << 30) - 1   # check tag: hash bits well away from the index bits
_EVICT_COUNT = 0   # a slot changes owner only once its root count has decayed to this


class ContextMemory:
    def __init__(self, table_bits: int, counter_limit: int, device: torch.device):
        assert counter_limit <= _COUNT_MASK
        self.table_bits = table_bits
        self.limit = counter_limit
        # One extra row at the end absorbs the updates of lanes that have finished their segment.
        self.junk_slot = 1 << table_bits
        self.table = torch.zeros(self.junk_slot + 1, NIBBLE_NODES + 1, dtype=torch.int32, device=device)
        self.flat = self.table.view(-1)
        n = torch.arange(_COUNT_MASK + 1, dtype=torch.float64)
        self.rate = torch.floor((1 << _RATE_SHIFT) / (n + 1.5)).to(torch.int64).to(device)
        self.stretch_table = STRETCH_TABLE.to(device)
        self.slot_offsets = torch.arange(SLOTS, dtype=torch.int64, device=device) * _SLOT_STEP
        self.path_slot, self.path_node, self.path_bit = (t.to(device) for t in (PATH_SLOT, PATH_NODE, PATH_BIT))

    def address(self, hashes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """[B, K] context hashes -> ([B, K, 17] slot indices, [B, K, 17] int32 check tags)."""
        mixed = (hashes[:, :, None] + self.slot_offsets) * _GOLD
        slots = (mixed >> (64 - self.table_bits)) & (self.junk_slot - 1)
        tags = (((mixed >> _TAG_SHIFT) & _TAG_MASK) | 1).to(torch.int32)   # never 0, the tag of an empty slot
        return slots, tags

    def read(self, slots: torch.Tensor, tags: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """-> stretch(p) [B, K, 255] float32 and the update counts n [B, K, 255] int32.

        A slot owned by another context (its tag differs) reads as never seen: p = 1/2, n = 0.
        """
        b, k, _ = slots.shape
        cells = torch.index_select(self.table, 0, slots.view(-1)).view(b, k, SLOTS, NIBBLE_NODES + 1)
        owned = (cells[..., :1] == tags[..., None])
        cells = torch.where(owned, cells[..., 1:], 0).reshape(b, k, SLOTS * NIBBLE_NODES)
        p12 = (cells >> (_COUNT_BITS + _P_BITS - STRETCH_BITS)) + (1 << (STRETCH_BITS - 1))
        stretched = torch.index_select(self.stretch_table, 0, p12.view(-1)).view(b, k, -1)
        return stretched, cells & _COUNT_MASK

    def update(self, slots: torch.Tensor, tags: torch.Tensor, symbols: torch.Tensor, active: torch.Tensor) -> None:
        """Move the 8 path counters of every (lane, context) toward the bits of `symbols` [B]."""
        b, k, _ = slots.shape
        which = self.path_slot[symbols][:, None, :].expand(b, k, 8)
        path_slot = torch.where(active[:, None, None], slots.gather(2, which), self.junk_slot).view(-1)
        path_tag = tags.gather(2, which).view(-1)
        # Claim the slots. The owner keeps its slot if it is among the claimants; otherwise the
        # highest claiming tag wins it, but only from an owner that has seen at most _EVICT_COUNT
        # updates at the root: each refused claim lowers that count, so stale owners give way.
        slots_u, slot_of = torch.unique(path_slot, return_inverse=True)
        rows = self.table[slots_u]
        owner_claims = torch.zeros(slots_u.numel(), dtype=torch.int32, device=path_tag.device).scatter_reduce_(
            0, slot_of, (path_tag == rows[slot_of, 0]).to(torch.int32), reduce="amax", include_self=False)
        highest = torch.zeros_like(owner_claims).scatter_reduce_(0, slot_of, path_tag, reduce="amax",
                                                                 include_self=False)
        winner = torch.where(owner_claims > 0, rows[:, 0], highest)
        contested = rows[:, 0] != winner
        taken = contested & ((rows[:, 1] & _COUNT_MASK) <= _EVICT_COUNT)
        refused = contested & ~taken
        cleared = torch.cat((winner[:, None], torch.zeros_like(rows[:, 1:])), dim=1)
        decayed = torch.cat((rows[:, :1], rows[:, 1:2] - 1, rows[:, 2:]), dim=1)
        self.table[slots_u] = torch.where(taken[:, None], cleared, torch.where(refused[:, None], decayed, rows))
        granted = (path_tag == winner[slot_of]) & ~refused[slot_of]
        path_slot = torch.where(granted, path_slot, self.junk_slot)
        index = path_slot * (NIBBLE_NODES + 1) + self.path_node[symbols][:, None, :].expand(b, k, 8).reshape(-1)
        bits = self.path_bit[symbols][:, None, :].expand(b, k, 8).reshape(-1)
        uniq, inverse, counts = unique_groups(index)
        cell = self.flat[uniq].long()
        p = (cell >> _COUNT_BITS) + _HALF
        n = cell & _COUNT_MASK
        # Every lane's step uses the counter's state before this step's updates.
        step = (((bits << _P_BITS) - p[inverse]) * self.rate[n[inverse]]) >> _RATE_SHIFT
        total = torch.zeros_like(p).index_add_(0, inverse, step)
        p = (p + torch.div(total, counts, rounding_mode="floor")).clamp_(0, (1 << _P_BITS) - 1)
        n = torch.clamp(n + 1, max=self.limit)
        self.flat[uniq] = (((p - _HALF) << _COUNT_BITS) | n).to(torch.int32)
