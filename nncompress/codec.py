"""Block coding: the one step routine that compression and decompression share.

Contract: `encode_block` codes one block (the predictor learns it) and returns its header and
payload, storing the block raw when coding would not shrink it; `decode_block` reverses it given
a predictor in the same state. Either way the predictor ends in the same state on both sides.
`encode_blocks` and `decode_blocks` do the same for a block of each of several members (each
with its own predictor of one configuration): one after another on the CPU, at once on a device.
Their `finished[m]` says that member m's predictor is not used again: on a device its model is
then left there instead of being copied back (hundreds of MB per member), and the predictor's
state is stale.
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


def run_blocks(predictors: list[Predictor], layouts: list[LaneLayout], grids: list[np.ndarray], directions: list,
               progress: Progress | None = None, device: str = "cpu", finished: list[bool] | None = None) -> None:
    """Predict, code and learn a block of each member (grids[m] [B, stride] uint8) in its direction
    (coder.py), on `device` (device.py)."""
    for predictor, layout in zip(predictors, layouts):
        predictor.start_block(layout)
    lengths = [layout.lane_lengths() for layout in layouts]
    steps = block_steps(device, [predictor.kernel_state for predictor in predictors], grids)
    reported = 0
    try:
        for first in range(0, max(layout.stride for layout in layouts), CHUNK):
            last = first + CHUNK
            words = [direction.words(4 * layout.lanes * max(0, min(last, layout.stride) - first))
                     for direction, layout in zip(directions, layouts)]
            steps.run([direction.mode for direction in directions], lengths, first, last,
                      [direction.state for direction in directions], words)
            for direction in directions:
                direction.chunk_done()
            if progress is not None:
                done = sum(int(np.minimum(lane_lengths, last).sum()) for lane_lengths in lengths)
                progress(done - reported)
                reported = done
    finally:
        steps.close(finished or [False] * len(predictors))


def encode_blocks(predictors: list[Predictor], blocks: list[bytes], progress: Progress | None = None,
                  device: str = "cpu", finished: list[bool] | None = None) -> list[tuple[BlockHeader, bytes]]:
    layouts = [LaneLayout(len(data), choose_lanes(len(data), predictor.config))
               for predictor, data in zip(predictors, blocks)]
    encodings = [Encoding() for _ in blocks]
    run_blocks(predictors, layouts, [layout.split(data) for layout, data in zip(layouts, blocks)], encodings,
               progress, device, finished)
    coded = []
    for data, layout, encoding in zip(blocks, layouts, encodings):
        payload = encoding.payload()
        crc = zlib.crc32(data)
        if len(payload) >= len(data):
            coded.append((BlockHeader(BLOCK_STORED, len(data), layout.lanes, len(data), crc), data))
        else:
            coded.append((BlockHeader(BLOCK_CODED, len(data), layout.lanes, len(payload), crc), payload))
    return coded


def decode_blocks(predictors: list[Predictor], headers: list[BlockHeader], payloads: list[bytes],
                  progress: Progress | None = None, device: str = "cpu", finished: list[bool] | None = None
                  ) -> list[bytes]:
    layouts = [LaneLayout(header.length, header.lanes) for header in headers]
    grids, directions = [], []
    for header, layout, payload in zip(headers, layouts, payloads):
        if header.kind == BLOCK_STORED:
            if zlib.crc32(payload) != header.crc:
                raise NNCompressError("corrupt archive: stored block checksum mismatch")
            # The encoder learned this block before storing it; learn it the same way.
            grids.append(layout.split(payload))
            directions.append(Replay())
        else:
            grids.append(np.zeros((layout.lanes, layout.stride), dtype=np.uint8))
            directions.append(Decoding(payload))
    run_blocks(predictors, layouts, grids, directions, progress, device, finished)
    blocks = []
    for header, layout, grid in zip(headers, layouts, grids):
        data = layout.join(grid)
        if header.kind != BLOCK_STORED and zlib.crc32(data) != header.crc:   # (a stored one was checked above)
            raise NNCompressError("corrupt archive: block checksum mismatch")
        blocks.append(data)
    return blocks


def encode_block(predictor: Predictor, data: bytes, progress: Progress | None = None,
                 device: str = "cpu") -> tuple[BlockHeader, bytes]:
    return encode_blocks([predictor], [data], progress, device)[0]


def decode_block(predictor: Predictor, header: BlockHeader, payload: bytes,
                 progress: Progress | None = None, device: str = "cpu") -> bytes:
    return decode_blocks([predictor], [header], [payload], progress, device)[0]
