"""Adaptive probability map (SSE): recalibrates each node's probability in a small context.

Contract: `forward(logit [B, 255], context [B])` interpolates, per node, between the two of 33
learned points (over logits -8..8) around the node's logit, in a table keyed by
(context, node position); `update` moves the two points on each path node toward the bit.
"""
from __future__ import annotations

import torch

from .ops import scatter_mean_add_, squash
from .tree import PATH_BIT, PATH_POS, POSITIONS

POINTS = 33
_SPAN = 8.0


class APM:
    def __init__(self, contexts: int, rate: float, device: torch.device):
        grid = torch.linspace(-_SPAN, _SPAN, POINTS, dtype=torch.float64)
        rows = contexts * POSITIONS + 1                      # + junk row for finished lanes
        self.table = squash(grid.to(torch.float32)).repeat(rows, 1).to(device)
        self.flat = self.table.view(-1)
        self.junk_row = rows - 1
        self.rate = rate
        self.positions = torch.arange(POSITIONS, device=device)
        self.path_pos, self.path_bit = PATH_POS.to(device), PATH_BIT.to(device)

    def forward(self, logit: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        x = (logit.clamp(-_SPAN, _SPAN) + _SPAN) * ((POINTS - 1) / (2 * _SPAN))
        lo = x.floor().clamp_(max=POINTS - 2)
        self.weight_hi = x - lo
        self.row = context[:, None] * POSITIONS + self.positions                      # [B, 255]
        self.cell = self.row * POINTS + lo.to(torch.int64)
        a, b = self.flat[self.cell], self.flat[self.cell + 1]
        return a * (1 - self.weight_hi) + b * self.weight_hi

    def update(self, symbols: torch.Tensor, active: torch.Tensor) -> None:
        pos = self.path_pos[symbols]                                     # [B, 8]
        bit = self.path_bit[symbols].to(self.table.dtype)
        cell = torch.where(active[:, None], self.cell.gather(1, pos), self.junk_row * POINTS)
        w_hi = self.weight_hi.gather(1, pos)
        index = torch.stack((cell, cell + 1), dim=2).view(-1)
        weight = torch.stack((1 - w_hi, w_hi), dim=2).view(-1)
        delta = (bit[:, :, None] - self.flat[index].view(bit.shape[0], 8, 2)).view(-1) * weight * self.rate
        scatter_mean_add_(self.flat, index, delta)
