"""Block coding: the one step routine that compression and decompression share.

Contract: `encode_block` codes one block (the predictor learns it) and returns its header and
payload, storing the block raw when coding would not shrink it; `decode_block` reverses it given
a predictor in the same state. Either way the predictor ends in the same state on both sides.
"""
from __future__ import annotations

import zlib
from typing import Callable

import numpy as np

from .coder import Decoding, Encoding, Replay
from .device import block_steps
from .errors import NNCompressError
from .format import BLOCK_CODED, BLOCK_STORED, BlockHeader
from .lanes import LaneLayout, choose_lanes
from .predictor import Predictor

Progress = Callable[[int], None]  # called with the number of bytes just coded


CHUNK = 256   # steps per compiled call: progress is reported (and a stop signal seen) in between


def run_block(predictor: Predictor, layout: LaneLayout, grid: np.ndarray, direction,
              progress: Progress | None = None, device: str = "cpu") -> None:
    """Predict, code and learn one block (grid [B, stride] uint8) in the given direction (coder.py),
    on `device` (device.py)."""
    predictor.start_block(layout)
    lengths = layout.lane_lengths()
    steps = block_steps(device, predictor.kernel_state, grid)
    reported = 0
    try:
        for first in range(0, layout.stride, CHUNK):
            last = min(first + CHUNK, layout.stride)
            words = direction.words(4 * layout.lanes * (last - first))
            steps.run(direction.mode, lengths, first, last, direction.state, words)
            direction.chunk_done()
            if progress is not None:
                done = int(np.minimum(lengths, last).sum())
                progress(done - reported)
                reported = done
    finally:
        steps.close()


def encode_block(predictor: Predictor, data: bytes, progress: Progress | None = None,
                 device: str = "cpu") -> tuple[BlockHeader, bytes]:
    layout = LaneLayout(len(data), choose_lanes(len(data), predictor.config))
    encoding = Encoding()
    run_block(predictor, layout, layout.split(data), encoding, progress, device)
    payload = encoding.payload()
    crc = zlib.crc32(data)
    if len(payload) >= len(data):
        return BlockHeader(BLOCK_STORED, len(data), layout.lanes, len(data), crc), data
    return BlockHeader(BLOCK_CODED, len(data), layout.lanes, len(payload), crc), payload


def decode_block(predictor: Predictor, header: BlockHeader, payload: bytes,
                 progress: Progress | None = None, device: str = "cpu") -> bytes:
    layout = LaneLayout(header.length, header.lanes)
    if header.kind == BLOCK_STORED:
        if zlib.crc32(payload) != header.crc:
            raise NNCompressError("corrupt archive: stored block checksum mismatch")
        # The encoder learned this block before storing it; learn it the same way.
        run_block(predictor, layout, layout.split(payload), Replay(), progress, device)
        return payload
    grid = np.zeros((layout.lanes, layout.stride), dtype=np.uint8)
    run_block(predictor, layout, grid, Decoding(payload), progress, device)
    data = layout.join(grid)
    if zlib.crc32(data) != header.crc:
        raise NNCompressError("corrupt archive: block checksum mismatch")
    return data
