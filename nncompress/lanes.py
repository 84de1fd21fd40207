"""Lanes: a block cut into B contiguous segments that are coded in lockstep as one batch.

Contract: the layout is a pure function of (block length, B), so the decoder rebuilds it from the
block header. Lane b holds bytes [b * stride, min(n, (b + 1) * stride)); the last lanes may be
shorter or empty and are masked once they run out.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import ModelConfig

MAX_LANES = 1024  # the format's limit; larger values in a header are rejected as corrupt


def choose_lanes(length: int, config: ModelConfig) -> int:
    """Largest power of two <= max_lanes that keeps each lane at least min_lane_len long."""
    lanes = 1
    while lanes * 2 <= config.max_lanes and lanes * 2 * config.min_lane_len <= length:
        lanes *= 2
    return lanes


@dataclass(frozen=True)
class LaneLayout:
    length: int   # bytes in the block
    lanes: int    # B

    @property
    def stride(self) -> int:
        return -(-self.length // self.lanes)  # ceil: the number of lockstep steps

    def lane_lengths(self) -> np.ndarray:
        starts = np.arange(self.lanes, dtype=np.int64) * self.stride
        return np.clip(self.length - starts, 0, self.stride)

    def split(self, data: bytes) -> np.ndarray:
        """bytes -> [B, stride] uint8, lane-major, zero padded."""
        grid = np.zeros(self.lanes * self.stride, dtype=np.uint8)
        grid[:self.length] = np.frombuffer(data, dtype=np.uint8)
        return grid.reshape(self.lanes, self.stride)

    def join(self, grid: np.ndarray) -> bytes:
        """Inverse of split."""
        return grid.reshape(-1)[:self.length].tobytes()
