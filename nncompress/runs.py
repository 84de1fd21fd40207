"""The run model: per context slot, the byte that followed the context last, and how often in a row.

Contract: `runs` [2^table_bits] int16 is parallel to the context memory's slots (memory.py); only
a byte's first slot (its high nibble's) holds a run: (length << 8) | byte, length 1..MAX_RUN, 0 =
none. A slot's run is cleared when the slot is claimed for another context. `run_after_byte`
gives a slot's run after the context's next byte; `run_bit` says whether the run's byte passes
through a node of the nibble being coded and which bit it expects there. Each context turns that
into a mixer input through an adaptive probability (predictor.py), as the match model does with
its expected byte; `run_entry` says which of the context's probabilities: by the run's length,
and by whether the slot's bit history at the node has seen only the bit the run expects. paq8's
run map; in a bit history (tables.py) the last byte a context saw is lost once it has seen several.
"""
from __future__ import annotations

import numpy as np
from numba import njit

MAX_RUN = 15   # lengths above it predict alike
RUN_ENTRIES = 2 * (MAX_RUN + 1)   # adaptive probabilities per context: run_entry
# An entry's rate 1 / (n + 1.5) stops falling at n = RUN_COUNT_LIMIT: 1023 until format 23, which keeps
# it faster (-9 on enwik8_1M: 127 -0.04%, 255 -0.02%, 63 -0.04%, 31 -0.03%).
RUN_COUNT_LIMIT = 127


@njit(inline="always")
def run_after_byte(run, byte):
    """-> the run after `byte`: one longer if it repeats the run's byte, else a run of 1."""
    length = run >> 8
    if length > 0 and (run & 255) == byte:
        return (min(length + 1, MAX_RUN) << 8) | byte
    return (1 << 8) | byte


@njit(inline="always")
def run_entry(run, expects, state_only):
    """-> the entry (0..RUN_ENTRIES - 1) of a context's run probabilities for a run that `expects`
    (run_bit) at a node whose bit history has seen only `state_only` (tables.STATE_ONLY)."""
    return (run >> 8) + (MAX_RUN + 1 if state_only == expects else 0)


@njit(inline="always")
def run_bit(run, half, high, j, depth):
    """-> 0 if the run's byte is not below nibble-tree node j (at `depth`) of the byte so far, else 1 + the
    bit it has there. half: 0 for the high nibble, 1 for the low one (whose high nibble is `high`)."""
    if run == 0:
        return 0
    byte = run & 255
    if half == 0:
        nibble = byte >> 4
    elif byte >> 4 == high:
        nibble = byte & 15
    else:
        return 0
    if (16 | nibble) >> (4 - depth) != j:
        return 0
    return 1 + (((16 | nibble) >> (3 - depth)) & 1)
