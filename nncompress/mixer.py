"""Logistic mixer: combines the stretched predictions of all inputs at every node of the tree.

Contract: `forward(inputs [B, 255, W], select [B, 255])` gives the mixed logit of each node from
the weight vector chosen by `select` (node position x context of that node); `update` takes one
online gradient step of log loss on the 8 nodes each lane actually passed, averaging the steps of
lanes that share a weight vector.
"""
from __future__ import annotations

import torch

from .ops import fixed_sum, scatter_mean_add_
from .tree import PATH_BIT, PATH_POS


class Mixer:
    def __init__(self, width: int, weight_sets: int, lr: float, init: torch.Tensor, device: torch.device):
        assert width & (width - 1) == 0
        self.width = width
        self.lr = lr
        self.junk_row = weight_sets            # absorbs finished lanes' updates
        self.weights = init.to(device).repeat(weight_sets + 1, 1)  # [sets + 1, W]
        self.flat = self.weights.view(-1)
        self.columns = torch.arange(width, device=device)
        self.path_pos, self.path_bit = PATH_POS.to(device), PATH_BIT.to(device)

    def forward(self, inputs: torch.Tensor, select: torch.Tensor) -> torch.Tensor:
        weights = torch.index_select(self.weights, 0, select.view(-1)).view_as(inputs)
        return fixed_sum(weights * inputs, dim=2)   # [B, 255]

    def update(self, inputs: torch.Tensor, select: torch.Tensor, p_one: torch.Tensor,
               symbols: torch.Tensor, active: torch.Tensor) -> None:
        pos = self.path_pos[symbols]                                     # [B, 8]
        error = self.path_bit[symbols].to(p_one.dtype) - p_one.gather(1, pos)
        x = inputs.gather(1, pos[:, :, None].expand(-1, -1, self.width))  # [B, 8, W]
        rows = torch.where(active[:, None], select.gather(1, pos), self.junk_row)
        index = rows[:, :, None] * self.width + self.columns
        scatter_mean_add_(self.flat, index.view(-1), ((error * self.lr)[:, :, None] * x).view(-1))
