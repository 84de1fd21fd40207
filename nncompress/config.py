"""Model configuration and the presets -1..-9.

A preset fully determines the predictor, so the archive stores only the preset number (see
docs/FORMAT.md). Changing any value of an existing preset changes the bitstream and therefore
requires a new FORMAT_VERSION.
"""
from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class ModelConfig:
    # Hashed context memory: slots of 16 counters (one nibble bit-tree), 64 B each.
    table_bits: int = 22          # 2^22 slots = 256 MiB: few collisions on 100 MB of text
    orders: tuple[int, ...] = (1, 2, 3, 4, 6)  # byte contexts; order 0 is the mixer's own bias
    word_contexts: bool = True    # current word and previous word + current word (text)
    counter_limit: int = 255      # count cap: rate 1/(n+1.5) never drops below ~1/256 (text drifts)
    # Match model over the block's history (all lanes).
    match_model: bool = True      # off only to measure what it adds (benchmarks/ablation.py)
    match_min_len: int = 6        # bytes hashed to find a match candidate
    match_bits: int = 20          # match hash table slots
    # Logistic mixer: one weight vector per (tree node, longest order that saw it).
    mixer_lr: float = 0.015       # per-lane step; averaged over lanes that share a weight set
    mixer_init: float = 0.3       # initial weight of each context input
    byte_mixer: bool = True       # a second weight set per (previous byte, node), logits averaged
    # WHT residual network on the 255 node logits.
    net_layers: int = 2           # 0 disables the network
    net_lr: float = 0.01          # AdaMax step size; 0.05 was better on 1 MB but diverged by 4 MB
    # Adaptive probability map after the network, keyed by (previous byte, node).
    apm: bool = True              # off only to measure what it adds
    apm_rate: float = 0.02        # step of the two interpolation points toward the bit
    # Lanes: the block is cut into B contiguous segments coded in lockstep.
    max_lanes: int = 64           # cap on B; enwik8_4M: 16 lanes coded worse (+0.03) and slower than 64
    min_lane_len: int = 4096      # fewer lanes on small inputs, so they still learn
    block_log: int = 24           # 16 MiB blocks bound memory on unbounded streams

    @property
    def block_size(self) -> int:
        return 1 << self.block_log


DEFAULT_PRESET = 6

# -1: fastest and smallest memory; -9: strongest. On the CPU the cost per byte grows with the
# number of contexts and with the network, hardly with lanes (benchmarks/results/enwik8_1M.md).
PRESETS: dict[int, ModelConfig] = {}
_BASE = ModelConfig()
_FAST = replace(_BASE, word_contexts=False, byte_mixer=False, net_layers=0, max_lanes=256, min_lane_len=1024)
PRESETS[1] = replace(_FAST, orders=(1, 2, 3), table_bits=18, match_bits=18)
PRESETS[2] = replace(_FAST, table_bits=20)
PRESETS[3] = replace(_BASE, table_bits=21, net_layers=0, max_lanes=256, min_lane_len=2048)
PRESETS[4] = replace(_BASE, net_layers=1, max_lanes=128)
PRESETS[5] = replace(_BASE, max_lanes=128)
PRESETS[6] = _BASE
# Above -6 the table grows: with check tags, more slots mean fewer evictions on long inputs
# (enwik8_4M: 2^23 slots -0.009 bits/byte against 2^22). Fewer lanes did not help (16: +0.03).
PRESETS[7] = replace(_BASE, table_bits=23)
PRESETS[8] = replace(_BASE, table_bits=24, match_bits=22)
PRESETS[9] = replace(_BASE, table_bits=25, match_bits=22)


def preset_config(level: int) -> ModelConfig:
    if level not in PRESETS:
        raise ValueError(f"preset must be 1..9, not {level}")
    return PRESETS[level]
