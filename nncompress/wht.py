"""Walsh-Hadamard fast-transform network.

Each layer is v = WHT(h * a) / sqrt(n) followed by a switched two-sided ReLU
h' = v * pos if v >= 0 else v * neg: for a given input the switches fix one linear map, and a
layer costs n log n additions instead of n^2 multiplies. The output is a residual added to the
mixer's node logits, scaled by a gain that starts at zero so the network starts silent.

Contract: `forward` returns [B, 255] and remembers what `backward` needs; `backward` takes
dLoss/dresidual and applies one AdaMax step, with gradients averaged over active lanes in a fixed
order. The transform is computed exactly (see `wht`) and every other op is a correctly rounded
+ - * /, so the result is the same on every device.
"""
from __future__ import annotations

import math

import torch

from .ops import fixed_sum

WIDTH = 256  # 255 node logits + 1 bias unit


# Exact transform: inputs are rounded to multiples of 2^-24 and bounded by 2^20, so every
# partial sum of the float64 matmuls is an integer below 2^53 and exact in any summation order
# (any BLAS, any device). H_256 = H_16 (x) H_16, so two 16x16 products do it.
_FIXED = 2.0 ** 24
_BOUND = 2.0 ** 20
_H16 = torch.ones(1, 1, dtype=torch.float64)
for _ in range(4):
    _H16 = torch.cat((torch.cat((_H16, _H16), 1), torch.cat((_H16, -_H16), 1)), 0)


def wht(x: torch.Tensor) -> torch.Tensor:
    """Unnormalised Walsh-Hadamard transform of [B, 256] rows, exact up to the 2^-24 rounding."""
    b = x.shape[0]
    h16 = _H16.to(x.device)
    q = torch.round(x.clamp(-_BOUND, _BOUND).to(torch.float64) * _FIXED).view(b, 16, 16)
    return ((h16 @ q @ h16) * (1 / _FIXED)).view(b, WIDTH).to(x.dtype)


class AdaMax:
    """AdaMax (Adam with the infinity norm) on a list of tensors.

    Chosen over Adam because it needs no sqrt: CUDA's torch.sqrt is not correctly rounded, so
    Adam would make GPU archives differ from CPU ones. The bias correction is a running product.
    """

    def __init__(self, params: list[torch.Tensor], lr: float, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-6):
        self.params, self.lr, self.beta1, self.beta2, self.eps = params, lr, beta1, beta2, eps
        self.m = [torch.zeros_like(p) for p in params]
        self.u = [torch.zeros_like(p) for p in params]
        self.beta1_t = 1.0

    def step(self, grads: list[torch.Tensor]) -> None:
        self.beta1_t *= self.beta1
        step_size = self.lr / (1 - self.beta1_t)
        for p, g, m, u in zip(self.params, grads, self.m, self.u):
            m.mul_(self.beta1).add_(g * (1 - self.beta1))
            torch.maximum(u * self.beta2, g.abs(), out=u)
            p.sub_(m / (u + self.eps) * step_size)


class WHTNetwork:
    def __init__(self, layers: int, lr: float, device: torch.device):
        self.layers = layers
        ones = torch.ones(layers, WIDTH, device=device)
        self.scale = ones.clone()            # a: elementwise scale before each transform
        self.pos = ones.clone()              # ReLU slope where v >= 0
        self.neg = ones * 0.25               # ReLU slope where v < 0
        self.gain = torch.zeros(WIDTH - 1, device=device)
        self.optimizer = AdaMax([self.scale, self.pos, self.neg, self.gain], lr)
        self.bias = torch.ones(1, 1, device=device)
        self.norm = 1 / math.sqrt(WIDTH)

    def forward(self, logits: torch.Tensor) -> torch.Tensor:
        """[B, 255] mixer logits -> [B, 255] residual."""
        h = torch.cat((logits * 0.125, self.bias.expand(logits.shape[0], 1)), dim=1)   # [B, 256]
        self.inputs, self.pre = [], []
        for layer in range(self.layers):
            self.inputs.append(h)
            v = wht(h * self.scale[layer]) * self.norm
            self.pre.append(v)
            h = v * torch.where(v >= 0, self.pos[layer], self.neg[layer])
        self.out = h[:, :WIDTH - 1]
        return self.out * self.gain

    def backward(self, grad_out: torch.Tensor, active_count: int) -> None:
        """grad_out: [B, 255] dLoss/dresidual, zero in finished lanes."""
        mean = 1.0 / active_count
        grad_gain = fixed_sum(grad_out * self.out, 0) * mean
        gh = torch.cat((grad_out * self.gain, torch.zeros_like(grad_out[:, :1])), dim=1)
        grad_scale, grad_pos, grad_neg = [None] * self.layers, [None] * self.layers, [None] * self.layers
        for layer in reversed(range(self.layers)):
            v = self.pre[layer]
            up = v >= 0
            gv_raw = gh * v
            grad_pos[layer] = fixed_sum(torch.where(up, gv_raw, 0.0), 0) * mean
            grad_neg[layer] = fixed_sum(torch.where(up, 0.0, gv_raw), 0) * mean
            gv = gh * torch.where(up, self.pos[layer], self.neg[layer])
            gz = wht(gv) * self.norm
            grad_scale[layer] = fixed_sum(gz * self.inputs[layer], 0) * mean
            gh = gz * self.scale[layer]
        self.optimizer.step([torch.stack(grad_scale), torch.stack(grad_pos), torch.stack(grad_neg), grad_gain])
