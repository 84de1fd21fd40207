"""The byte as a binary tree of 255 decisions, laid out as 17 nibble trees.

Nibble tree: 15 nodes in heap order (node m = 1..15; children of m are 2m and 2m+1), stored at
index m - 1. Slot 0 is the tree of the high nibble; slot 1 + h is the tree of the low nibble given
high nibble h. A node's *position* is slot * 15 + (m - 1), 0..254, the layout of every [..., 255]
tensor in the predictor.
"""
from __future__ import annotations

import torch

NIBBLE_NODES = 15
SLOTS = 17
POSITIONS = SLOTS * NIBBLE_NODES  # 255


def _paths() -> tuple[list[list[int]], list[list[int]], list[list[int]], list[list[int]]]:
    slot, node, bit, pos = [], [], [], []
    for byte in range(256):
        s_row, n_row, b_row, p_row = [], [], [], []
        for half, (sel, nib) in enumerate(((0, byte >> 4), (1 + (byte >> 4), byte & 15))):
            m = 1
            for depth in range(4):
                b = (nib >> (3 - depth)) & 1
                s_row.append(sel)
                n_row.append(m)
                b_row.append(b)
                p_row.append(sel * NIBBLE_NODES + m - 1)
                m = 2 * m + b
        slot.append(s_row), node.append(n_row), bit.append(b_row), pos.append(p_row)
    return slot, node, bit, pos


_slot, _node, _bit, _pos = _paths()
PATH_SLOT = torch.tensor(_slot, dtype=torch.int64)  # [256, 8] slot of each decision on the path
PATH_NODE = torch.tensor(_node, dtype=torch.int64)  # [256, 8] node 1..15 within that slot
PATH_BIT = torch.tensor(_bit, dtype=torch.int64)    # [256, 8] the bit taken
PATH_POS = torch.tensor(_pos, dtype=torch.int64)    # [256, 8] position 0..254


def leaf_probabilities(p_one: torch.Tensor) -> torch.Tensor:
    """[B, 255] probability that each node's bit is 1 -> [B, 256] probability of each byte.

    Products are taken level by level in a fixed order, so the result is exact everywhere.
    """
    b = p_one.shape[0]
    p = p_one.view(b, SLOTS, NIBBLE_NODES)
    leaf = torch.ones(b, SLOTS, 1, dtype=p.dtype, device=p.device)
    for depth in range(4):
        level = p[:, :, (1 << depth) - 1:(2 << depth) - 1]           # [B, 17, 2^depth]
        leaf = torch.stack((leaf * (1 - level), leaf * level), dim=3).view(b, SLOTS, 2 << depth)
    return (leaf[:, 0, :, None] * leaf[:, 1:, :]).reshape(b, 256)
