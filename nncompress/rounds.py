"""The step routine, compiled: predict, code and learn a run of steps, in either direction.

Contract: `code_steps(mode, grid, lane_lengths, first, last, coder, words, m)` runs steps
[first, last) of a block (a step is one byte of every lane, coded as four rounds of two bits):
each round the predictor (m: its kernel state) gives every lane's frequencies, the active lanes'
symbols are coded in lane order, and the predictor learns them. ENCODE reads the symbols from
`grid` [B, stride] (uint8) and writes words to `words`; DECODE reads `words`, ORs the symbols
into `grid` (zeroed by the caller) and, if the coder finds the data invalid
(coder[rangecoder.INVALID]), returns at the end of that round without learning it; LEARN only
replays `grid` (a stored block). Compression and decompression run this one loop, so they cannot
drift apart.
"""
from __future__ import annotations

import numpy as np

from .jit import kernel
from .predictor import ALL_NODES, ONE_CHILD, TOP_NODE, ZERO_CHILD, learn_round, predict_round
from .rangecoder import INVALID, decode_symbol, encode_symbol, point_in_upper_half

ENCODE, DECODE, LEARN = 0, 1, 2


@kernel
def code_steps(mode, grid, lane_lengths, first, last, coder, words, m):
    lanes = grid.shape[0]
    symbols = np.zeros(lanes, dtype=np.int32)
    active = np.zeros(lanes, dtype=np.bool_)
    wanted = np.zeros(lanes, dtype=np.int64)
    freqs = m.freqs
    # The round's first node, then only the child below the first bit: the other child's probability changes no
    # symbol's interval (predictor.predict_round). A decoder of several lanes learns lane b's first bit only after
    # it has decoded the lanes before it, so it predicts all three nodes of every lane at once.
    two_calls = mode != DECODE or lanes == 1
    for step in range(first, last):
        for b in range(lanes):
            active[b] = lane_lengths[b] > step
        for quarter in range(4):
            shift = 6 - 2 * quarter     # quarter q holds bits (7 - 2q, 6 - 2q) of the byte
            wanted[:] = TOP_NODE if two_calls else ALL_NODES
            predict_round(quarter, step, active, wanted, m)
            if two_calls:
                for b in range(lanes):
                    if mode == DECODE:
                        upper = point_in_upper_half(coder, freqs[b])
                    else:
                        upper = (grid[b, step] >> (shift + 1)) & 1 != 0
                    wanted[b] = ONE_CHILD if upper else ZERO_CHILD
                predict_round(quarter, step, active, wanted, m)
            for b in range(lanes):
                if not active[b]:
                    symbols[b] = 0
                elif mode == DECODE:
                    symbols[b] = decode_symbol(coder, words, freqs[b])
                    grid[b, step] |= np.uint8(symbols[b] << shift)
                else:
                    symbols[b] = (grid[b, step] >> shift) & 3
                    if mode == ENCODE:
                        encode_symbol(coder, words, freqs[b], symbols[b])
            if coder[INVALID] != 0:
                return
            learn_round(quarter, step, active, symbols, m)
