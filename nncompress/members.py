"""Members coded at once, in one process: `-T N` on a device.

Contract: `compress_at_once(parts, preset=, block_size=, device=)` returns for each part the
complete frame that NNCompressor(preset=, block_size=) makes of it alone: the same bytes as `-T`
on processes. Block k of every member is coded in one call (codec.encode_blocks), which a device
runs as one launch with a program per member. `decompress_at_once(frames, device=)` returns
each frame's data, decoding block k of every member in one call; anything but exactly one valid
frame per entry raises NNCompressError. On the CPU, parallel.py codes members on processes
instead: there these functions would code them one after another.
"""
from __future__ import annotations

import zlib
from .codec import Progress, decode_blocks, encode_blocks
from .config import preset_config
from .errors import NNCompressError, TruncatedArchiveError
from .format import BlockHeader, FrameHeader, Trailer, pack_block, pack_header, pack_trailer, parse_header, parse_unit
from .predictor import Predictor, only_block
from .stream import block_log


def compress_at_once(parts: list[bytes], *, preset: int, block_size: int | None, device: str,
                     progress: Progress | None = None) -> list[bytes]:
    config = preset_config(preset)
    log = config.block_log if block_size is None else block_log(block_size)
    size = 1 << log
    blocks = [[part[i:i + size] for i in range(0, len(part), size)] for part in parts]
    frames = [bytearray(pack_header(FrameHeader(preset, log))) for _ in parts]
    predictors = [Predictor(config, only_block=only_block(len(member[0]), size)) if member else None
                  for member in blocks]
    for k in range(max((len(member) for member in blocks), default=0)):
        coding = [m for m, member in enumerate(blocks) if k < len(member)]
        finished = [k == len(blocks[m]) - 1 for m in coding]
        coded = encode_blocks([predictors[m] for m in coding], [blocks[m][k] for m in coding], progress, device,
                              finished)
        for m, (header, payload) in zip(coding, coded):
            frames[m] += pack_block(header) + payload
    for frame, part in zip(frames, parts):
        frame += pack_trailer(Trailer(len(part), zlib.crc32(part)))
    return [bytes(frame) for frame in frames]


def _units(frame: bytes) -> tuple[FrameHeader, list[tuple[BlockHeader, bytes]], Trailer]:
    """A frame's header, blocks (with their payloads) and trailer."""
    parsed = parse_header(frame, 0)
    if parsed is None:
        raise TruncatedArchiveError("compressed data ended before the end-of-archive marker")
    header, offset = parsed
    blocks = []
    while True:
        parsed = parse_unit(frame, offset, header)
        if parsed is None:
            raise TruncatedArchiveError("compressed data ended before the end-of-archive marker")
        unit, offset = parsed
        if isinstance(unit, Trailer):
            break
        if len(frame) < offset + unit.payload:
            raise TruncatedArchiveError("compressed data ended before the end-of-archive marker")
        blocks.append((unit, frame[offset:offset + unit.payload]))
        offset += unit.payload
    if offset != len(frame):
        raise NNCompressError("corrupt archive: a frame ends before its recorded end")
    return header, blocks, unit


def decompress_at_once(frames: list[bytes], *, device: str, progress: Progress | None = None) -> list[bytes]:
    units = [_units(frame) for frame in frames]
    predictors = [Predictor(preset_config(header.preset), only_block=only_block(blocks[0][0].length, header.block_size))
                  if blocks else None for header, blocks, _ in units]
    out = [bytearray() for _ in frames]
    for k in range(max((len(blocks) for _, blocks, _ in units), default=0)):
        coding = [m for m, (_, blocks, _) in enumerate(units) if k < len(blocks)]
        finished = [k == len(units[m][1]) - 1 for m in coding]
        decoded = decode_blocks([predictors[m] for m in coding], [units[m][1][k][0] for m in coding],
                                [units[m][1][k][1] for m in coding], progress, device, finished)
        for m, data in zip(coding, decoded):
            out[m] += data
    for data, (_, _, trailer) in zip(out, units):
        if trailer.length != len(data) or trailer.crc != zlib.crc32(data):
            raise NNCompressError("corrupt archive: length or checksum of the whole data does not match")
    return [bytes(data) for data in out]
