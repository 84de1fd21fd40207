"""Incremental compressor and decompressor objects, shaped like lzma's and bz2's.

Contract: NNCompressor turns data given in any chunking into one frame (header, blocks of at most
the preset's block size, trailer); NNDecompressor turns one frame, given in any chunking, back
into the data, raising NNCompressError on anything invalid and holding at most one block of
input and output at a time.
"""
from __future__ import annotations

import zlib
from typing import Callable

from .codec import decode_block, encode_block
from .config import DEFAULT_PRESET, preset_config
from .device import resolve_device
from .errors import NNCompressError, TruncatedArchiveError
from .format import (MAX_BLOCK_LOG, MIN_BLOCK_LOG, BlockHeader, FrameHeader, Trailer, pack_block, pack_header,
                     pack_trailer, parse_header, parse_unit)
from .predictor import Predictor, only_block

Progress = Callable[[int], None]


def block_log(block_size: int) -> int:
    """log2 of a block size the format allows: a power of two from 1 KiB to 256 MiB."""
    log = block_size.bit_length() - 1
    if block_size != 1 << log or not MIN_BLOCK_LOG <= log <= MAX_BLOCK_LOG:
        raise ValueError(f"block size must be a power of two from {1 << MIN_BLOCK_LOG} to {1 << MAX_BLOCK_LOG}")
    return log


class NNCompressor:
    """Compress data incrementally: `compress()` as data arrives, then `flush()` once.

    `block_size` (default: the preset's, 16 MiB) bounds the memory for input, history and output;
    what the model learned carries over from block to block, so larger blocks only help a little.
    """

    def __init__(self, *, preset: int = DEFAULT_PRESET, block_size: int | None = None, device: str = "cpu",
                 progress: Progress | None = None):
        self.config = preset_config(preset)
        log = self.config.block_log if block_size is None else block_log(block_size)
        self._header = FrameHeader(preset, log)
        self._device = resolve_device(device)
        self._progress = progress
        self._predictor: Predictor | None = None   # built on the first block: empty input costs nothing
        self._pending = bytearray()
        self._started = False
        self._finished = False
        self._length = 0
        self._crc = 0

    def compress(self, data: bytes) -> bytes:
        if self._finished:
            raise ValueError("compressor has been flushed")
        data = memoryview(data).cast("B")
        self._pending += data
        self._length += len(data)
        self._crc = zlib.crc32(data, self._crc)
        out = bytearray(self._start())
        size = self._header.block_size
        while len(self._pending) >= size:
            out += self._encode(bytes(self._pending[:size]))
            del self._pending[:size]
        return bytes(out)

    def flush(self) -> bytes:
        if self._finished:
            raise ValueError("repeated call to flush()")
        self._finished = True
        out = bytearray(self._start())
        if self._pending:
            out += self._encode(bytes(self._pending))
            self._pending.clear()
        out += pack_trailer(Trailer(self._length, self._crc))
        return bytes(out)

    def _start(self) -> bytes:
        if self._started:
            return b""
        self._started = True
        return pack_header(self._header)

    def _encode(self, block: bytes) -> bytes:
        if self._predictor is None:
            self._predictor = Predictor(self.config, only_block=only_block(len(block), self._header.block_size))
        header, payload = encode_block(self._predictor, block, self._progress, self._device)
        return pack_block(header) + payload


class NNDecompressor:
    """Decompress one frame incrementally, like lzma.LZMADecompressor."""

    def __init__(self, *, device: str = "cpu", progress: Progress | None = None):
        self._device = resolve_device(device)
        self._progress = progress
        self._input = bytearray()
        self._output = bytearray()
        self._header: FrameHeader | None = None
        self._predictor: Predictor | None = None
        self._length = 0
        self._crc = 0
        self.eof = False
        self.unused_data = b""
        self.needs_input = True

    @property
    def header(self) -> FrameHeader | None:
        return self._header

    def decompress(self, data: bytes, max_length: int = -1) -> bytes:
        """Decode as much of the frame as `data` completes; return at most max_length bytes
        (all if negative); the rest is kept for the next call."""
        if self.eof:
            raise EOFError("already at end of stream")
        self._input += data
        while not self.eof and (max_length < 0 or len(self._output) < max_length) and self._advance():
            pass
        if max_length < 0:
            max_length = len(self._output)
        out = bytes(self._output[:max_length])
        del self._output[:max_length]
        self.needs_input = not self.eof and not self._output and not self._unit_ready()
        return out

    def _unit_ready(self) -> bool:
        """Does the buffered input hold the whole next unit?"""
        try:
            return self._next_unit() is not None
        except NNCompressError:
            return True   # the next call reports it

    def _next_unit(self):
        if self._header is None:
            return parse_header(self._input, 0)
        parsed = parse_unit(self._input, 0, self._header)
        if parsed is None:
            return None
        unit, offset = parsed
        if isinstance(unit, BlockHeader) and len(self._input) < offset + unit.payload:
            return None
        return parsed

    def _advance(self) -> bool:
        """Decode the next unit if it is complete; False when more input is needed."""
        parsed = self._next_unit()
        if parsed is None:
            return False
        unit, offset = parsed
        if isinstance(unit, FrameHeader):
            self._header = unit
        elif isinstance(unit, Trailer):
            if unit.length != self._length or unit.crc != self._crc:
                raise NNCompressError("corrupt archive: length or checksum of the whole data does not match")
            self.eof = True
            self.unused_data = bytes(self._input[offset:])
            offset = len(self._input)
        else:
            payload = bytes(self._input[offset:offset + unit.payload])
            offset += unit.payload
            if self._predictor is None:
                self._predictor = Predictor(preset_config(self._header.preset),
                                            only_block=only_block(unit.length, self._header.block_size))
            block = decode_block(self._predictor, unit, payload, self._progress, self._device)
            self._output += block
            self._length += len(block)
            self._crc = zlib.crc32(block, self._crc)
        del self._input[:offset]
        return True

    def finish(self) -> None:
        """Raise TruncatedArchiveError unless the frame ended (call when input is exhausted)."""
        if not self.eof:
            raise TruncatedArchiveError("compressed data ended before the end-of-archive marker")
