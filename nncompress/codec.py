"""Block coding: the one step routine that compression and decompression share.

Contract: `encode_block` codes one block (the predictor learns it) and returns its header and
payload, storing the block raw when coding would not shrink it; `decode_block` reverses it given
a predictor in the same state. Either way the predictor ends in the same state on both sides.
"""
from __future__ import annotations

import zlib
from typing import Callable

import numpy as np

from .coder import DecodingSource, EncodingSource
from .errors import NNCompressError
from .format import BLOCK_CODED, BLOCK_STORED, BlockHeader
from .lanes import LaneLayout, choose_lanes
from .predictor import Predictor

Progress = Callable[[int], None]  # called with the number of bytes just coded


def run_block(predictor: Predictor, layout: LaneLayout, source, progress: Progress | None = None) -> None:
    """Predict, code and learn one block: a step is one byte of each lane, coded two bits at a time."""
    predictor.start_block(layout)
    lengths = layout.lane_lengths()
    all_active = int(lengths.min())     # steps before the first lane ends: no mask needed
    reported = 0
    for step in range(layout.stride):
        mask = None if step < all_active else lengths > step
        for quarter in range(4):
            predictor.update(source.code(step, quarter, predictor.predict(), mask))
        if progress is not None and (step % 256 == 255 or step == layout.stride - 1):
            done = int(np.minimum(lengths, step + 1).sum())
            progress(done - reported)
            reported = done


def encode_block(predictor: Predictor, data: bytes, progress: Progress | None = None) -> tuple[BlockHeader, bytes]:
    layout = LaneLayout(len(data), choose_lanes(len(data), predictor.config))
    source = EncodingSource(layout.split(data))
    run_block(predictor, layout, source, progress)
    payload = source.payload()
    crc = zlib.crc32(data)
    if len(payload) >= len(data):
        return BlockHeader(BLOCK_STORED, len(data), layout.lanes, len(data), crc), data
    return BlockHeader(BLOCK_CODED, len(data), layout.lanes, len(payload), crc), payload


def decode_block(predictor: Predictor, header: BlockHeader, payload: bytes,
                 progress: Progress | None = None) -> bytes:
    layout = LaneLayout(header.length, header.lanes)
    if header.kind == BLOCK_STORED:
        if zlib.crc32(payload) != header.crc:
            raise NNCompressError("corrupt archive: stored block checksum mismatch")
        # The encoder learned this block before storing it; learn it the same way.
        run_block(predictor, layout, EncodingSource(layout.split(payload), code=False), progress)
        return payload
    source = DecodingSource(payload, layout.lanes, layout.stride)
    run_block(predictor, layout, source, progress)
    data = layout.join(source.grid)
    if zlib.crc32(data) != header.crc:
        raise NNCompressError("corrupt archive: block checksum mismatch")
    return data
