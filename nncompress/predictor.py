"""The predictor: next-byte probabilities for B lanes, learned online.

Data flow per step: lane histories -> context hashes -> associative memory (stretched counters
of 17 nibble-tree slots per context) + match model -> logistic mixer per tree node -> WHT residual
network -> APM -> product along each byte's path -> [B, 256] probabilities.

Contract: after `start_block`, alternate `predict()` and `update(symbols)`. The predictor knows
nothing of the coder; two predictors built from the same config and fed the same symbols return
bit-identical probabilities (the lossless guarantee rests on this).
"""
from __future__ import annotations

import torch

from .apm import APM
from .config import ModelConfig
from .hashing import LaneContexts
from .lanes import LaneLayout
from .match import MatchModel
from .memory import ContextMemory
from .mixer import Mixer
from .ops import squash
from .tree import PATH_BIT, PATH_POS, POSITIONS, leaf_probabilities
from .wht import WHTNetwork

_MATCH_STATES = 3          # no match, short (< 16), long
_LONG_MATCH = 16


class Predictor:
    def __init__(self, config: ModelConfig, device: torch.device | str = "cpu"):
        self.config = config
        self.device = device = torch.device(device)
        self.n_orders = len(config.orders)
        self.contexts = self.n_orders + (2 if config.word_contexts else 0)
        width = 1
        while width < self.contexts + 1:  # + the match model's input
            width *= 2
        self.width = width
        self.memory = ContextMemory(config.table_bits, config.counter_limit, device)
        self.match = MatchModel(config.match_min_len, config.match_bits, device) if config.match_model else None
        init = torch.zeros(width)
        init[:self.contexts + 1] = config.mixer_init
        sets = _MATCH_STATES * (self.n_orders + 1) * POSITIONS
        self.mixer = Mixer(width, sets, config.mixer_lr, init, device)
        self.byte_mixer = Mixer(width, 256 * POSITIONS, config.mixer_lr, init, device) if config.byte_mixer else None
        self.net = WHTNetwork(config.net_layers, config.net_lr, device) if config.net_layers else None
        self.apm = APM(256, config.apm_rate, device) if config.apm else None
        self.positions = torch.arange(POSITIONS, device=device)
        self.order_rank = torch.arange(1, self.n_orders + 1, dtype=torch.int32, device=device)[None, :, None]
        self.path_pos, self.path_bit = PATH_POS.to(device), PATH_BIT.to(device)

    def start_block(self, layout: LaneLayout) -> None:
        """Begin a block: fresh lane histories; everything learned so far is kept."""
        b = layout.lanes
        self.lanes = LaneContexts(b, self.config.orders, self.config.word_contexts, self.device)
        if self.match is not None:
            self.match.start_block(b, layout.stride)
        self.lane_lengths = torch.from_numpy(layout.lane_lengths()).to(self.device)
        self.step = 0

    @property
    def active(self) -> torch.Tensor:
        """[B] bool: lanes that still have a byte to code."""
        return self.step < self.lane_lengths

    def predict(self) -> torch.Tensor:
        """-> [B, 256] float32 probabilities of the next byte of each lane."""
        b = self.lane_lengths.numel()
        self.slots, self.tags = self.memory.address(self.lanes.hashes())     # [B, K, 17] each
        stretched, counts = self.memory.read(self.slots, self.tags)           # [B, K, 255] each
        if self.match is not None:
            guess, length = self.match.predicted()                            # [B], [B]
        else:
            guess = length = torch.zeros(b, dtype=torch.int64, device=self.device)
        strength = torch.where(length > 0, length.clamp(max=_LONG_MATCH).to(torch.float32) * 0.25 + 0.5, 0.0)
        sign = self.path_bit[guess].to(torch.float32) * 2 - 1
        match_input = torch.zeros(b, POSITIONS, device=self.device).scatter_(
            1, self.path_pos[guess], sign * strength[:, None])
        columns = [stretched, match_input[:, None, :]]
        if self.width > self.contexts + 1:
            columns.append(torch.zeros(b, self.width - self.contexts - 1, POSITIONS, device=self.device))
        self.inputs = torch.cat(columns, dim=1).transpose(1, 2).contiguous()  # [B, 255, W]
        longest = ((counts[:, :self.n_orders] > 0) * self.order_rank).amax(dim=1)   # [B, 255]
        match_state = (length > 0).long() + (length >= _LONG_MATCH).long()
        self.select = ((match_state[:, None] * (self.n_orders + 1) + longest) * POSITIONS) + self.positions
        logit = self.mixer.forward(self.inputs, self.select)                  # [B, 255]
        self.p_mix = squash(logit)
        previous = self.lanes.history & 0xFF                                  # [B] last coded byte
        if self.byte_mixer is not None:
            self.byte_select = previous[:, None] * POSITIONS + self.positions
            byte_logit = self.byte_mixer.forward(self.inputs, self.byte_select)
            self.p_byte_mix = squash(byte_logit)
            logit = (logit + byte_logit) * 0.5
        if self.net is not None:
            logit = logit + self.net.forward(logit)
        self.p_net = squash(logit)
        p_one = self.p_net
        if self.apm is not None:
            p_one = (p_one + self.apm.forward(logit, previous) * 3) * 0.25
        return leaf_probabilities(p_one)

    def update(self, symbols: torch.Tensor) -> None:
        """symbols: [B] int64 bytes just coded (any value in finished lanes)."""
        active = self.active
        symbols = torch.where(active, symbols, 0)
        self.memory.update(self.slots, self.tags, symbols, active)
        self.mixer.update(self.inputs, self.select, self.p_mix, symbols, active)
        if self.byte_mixer is not None:
            self.byte_mixer.update(self.inputs, self.byte_select, self.p_byte_mix, symbols, active)
        if self.net is not None:
            pos = self.path_pos[symbols]
            error = (self.p_net.gather(1, pos) - self.path_bit[symbols].to(torch.float32)) * active[:, None]
            grad = torch.zeros_like(self.p_net).scatter_(1, pos, error)
            self.net.backward(grad, max(int(active.sum()), 1))
        if self.apm is not None:
            self.apm.update(symbols, active)
        self.lanes.advance(symbols)
        if self.match is not None:
            self.match.update(symbols, self.lanes.history, active)
        self.step += 1
