"""The match model: the byte that followed the last occurrence of the lane's recent bytes.

Contract: after each byte, `match_after_byte` extends the lane's current match or looks for a
new one: the position after the last occurrence of the lane's last `min_len` bytes, found through
a hash table and verified byte by byte (up to 32 back). `expected_byte` is that position's byte
while it is already known to the decoder (position in its lane < step), else -1. Lookups are
salted with the lane: a lane's own past is the same article; the other lanes' are other ones.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .hashing import mix

MAX_VERIFY = 32
LENGTH_BUCKETS = 16   # the match input's adaptive probability is kept per min(length, 15)


@njit(inline="always")
def expected_byte(b, step, stride, match_ptr, match_len, history):
    if match_len[b] > 0 and match_ptr[b] % stride < step:
        return np.int64(history[match_ptr[b]])
    return np.int64(-1)


@njit(inline="always")
def match_after_byte(b, step, stride, context, min_len, match_ptr, match_len, history, table):
    """Lane b's byte at `step` is now history[b * stride + step]; context = its last 7 bytes."""
    pos = b * stride + step
    if match_len[b] > 0:
        ptr = match_ptr[b]
        if ptr % stride <= step and history[ptr] == history[pos] and (ptr + 1) % stride != 0:
            match_len[b] = min(match_len[b] + 1, 65535)
            match_ptr[b] = ptr + 1
        else:
            match_len[b] = 0
    if step + 1 < min_len:
        return
    slot = np.int64(mix(context & ((np.int64(1) << (8 * min_len)) - 1), b) >> np.uint64(8)) % table.shape[0]
    if match_len[b] == 0:
        candidate = table[slot] - 1     # 0 = empty
        if 0 <= candidate < history.shape[0]:   # (the table is cleared with each block)
            start = (candidate // stride) * stride
            n = 0
            while n < MAX_VERIFY and candidate - 1 - n >= start and n <= step and \
                    history[candidate - 1 - n] == history[pos - n]:
                n += 1
            if n >= min_len:
                match_len[b] = n
                match_ptr[b] = candidate
    if step + 1 < stride:
        table[slot] = pos + 2           # the position after this byte, + 1
