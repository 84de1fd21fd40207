"""The hashed associative context memory: contexts -> slots of bit histories.

Contract: a slot is 16 bytes, one row of `table` [2^bits, 16] uint8: byte 0 is a check tag
(1..255; 0 = never used), bytes 1..15 the bit-history states (tables.py) of the 15 nodes of one
nibble's binary tree (node j has children 2j and 2j+1; leaf 16 + v is nibble value v). A key
(hashing.py) and the nibble coded so far select a bucket of four slots (one cache line);
`find_slot` returns the slot whose tag matches, or -(victim + 1) when none does, and the tag: the victim is the
first slot whose root has seen least, and `claim_slot` clears it for the new context when the
nibble is learned.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .hashing import mix
from .tables import STATE_TOTAL

SLOT_BYTES = 16
BUCKET = 4           # slots searched per context: one 64-byte cache line


@njit(inline="always")
def slot_hash(key, salt):
    """-> (bucket index, tag) for a context key and the nibble salt (0: high nibble, 1 + high: low)."""
    h = mix(key, salt)
    return np.int64(h >> np.uint64(1)), np.int64((h >> np.uint64(56)) % np.uint64(255)) + 1


@njit(inline="always")
def find_slot(table, mask, key, salt):
    """-> (slot or -(victim + 1), the context's tag)."""
    index, tag = slot_hash(key, salt)
    first = index & mask & ~np.int64(BUCKET - 1)
    victim, least = first, np.int64(1 << 30)
    for slot in range(first, first + BUCKET):
        if table[slot, 0] == tag:
            return slot, tag
        seen = STATE_TOTAL[table[slot, 1]]
        if seen < least:
            victim, least = slot, seen
    return -(victim + 1), tag


@njit(inline="always")
def claim_slot(table, slot, tag):
    """Make `slot` the context's (it may have been claimed by another lane since find_slot)."""
    if table[slot, 0] != tag:
        table[slot, 0] = tag
        for j in range(1, SLOT_BYTES):
            table[slot, j] = 0
