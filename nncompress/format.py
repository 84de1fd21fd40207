"""Reading and writing the container (the bitstream is specified in docs/FORMAT.md).

Contract: `pack_*` produce the bytes of one unit; `parse_*` read one unit from a buffer at an
offset and return (unit, next offset), or None when the buffer does not yet hold all of it.
Anything that cannot be valid raises NNCompressError, before any large allocation.
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from .config import PRESETS
from .errors import NNCompressError
from .lanes import MAX_LANES

MAGIC = b"\x89NNC"
FORMAT_VERSION = 25
MIN_BLOCK_LOG, MAX_BLOCK_LOG = 10, 28

BLOCK_CODED = 0x43   # 'C'
BLOCK_STORED = 0x53  # 'S'
FRAME_END = 0x45     # 'E'

_HEADER = struct.Struct("<4sBBBB")   # magic, version, preset, block_log, flags
HEADER_SIZE = _HEADER.size + 4       # + CRC-32 of those 8 bytes
_TRAILER = struct.Struct("<QI")      # total length, CRC-32 of all the frame's data
_MAX_VARINT_BYTES = 10


@dataclass(frozen=True)
class FrameHeader:
    preset: int
    block_log: int

    @property
    def block_size(self) -> int:
        return 1 << self.block_log


@dataclass(frozen=True)
class BlockHeader:
    kind: int          # BLOCK_CODED or BLOCK_STORED
    length: int        # bytes of data in the block
    lanes: int         # B; a stored block is still learned, with these lanes
    payload: int       # bytes that follow the header
    crc: int           # CRC-32 of the block's data


@dataclass(frozen=True)
class Trailer:
    length: int
    crc: int


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _read_varint(buf: bytes | bytearray, offset: int) -> tuple[int, int] | None:
    value = 0
    for i in range(_MAX_VARINT_BYTES):
        if offset + i >= len(buf):
            return None
        byte = buf[offset + i]
        value |= (byte & 0x7F) << (7 * i)
        if not byte & 0x80:
            if i and not byte:
                raise NNCompressError("corrupt archive: over-long number encoding")
            return value, offset + i + 1
    raise NNCompressError("corrupt archive: number too long")


def pack_header(header: FrameHeader) -> bytes:
    fixed = _HEADER.pack(MAGIC, FORMAT_VERSION, header.preset, header.block_log, 0)
    return fixed + struct.pack("<I", zlib.crc32(fixed))


def parse_header(buf: bytes | bytearray, offset: int = 0) -> tuple[FrameHeader, int] | None:
    avail = len(buf) - offset
    if bytes(buf[offset:offset + min(avail, 4)]) != MAGIC[:min(avail, 4)]:
        raise NNCompressError("not an nncompress archive (bad magic bytes)")
    if avail < HEADER_SIZE:
        return None
    magic, version, preset, block_log, flags = _HEADER.unpack_from(buf, offset)
    if version != FORMAT_VERSION:
        raise NNCompressError(
            f"archive format version {version} is not supported (this nncompress reads version {FORMAT_VERSION})")
    (crc,) = struct.unpack_from("<I", buf, offset + _HEADER.size)
    if crc != zlib.crc32(bytes(buf[offset:offset + _HEADER.size])):
        raise NNCompressError("corrupt archive: header checksum mismatch")
    if preset not in PRESETS or not MIN_BLOCK_LOG <= block_log <= MAX_BLOCK_LOG or flags:
        raise NNCompressError("corrupt archive: invalid header fields")
    return FrameHeader(preset, block_log), offset + HEADER_SIZE


def pack_block(block: BlockHeader) -> bytes:
    out = bytes([block.kind]) + _varint(block.length) + _varint(block.lanes)
    if block.kind == BLOCK_CODED:
        out += _varint(block.payload)
    out += struct.pack("<I", block.crc)
    return out + struct.pack("<I", zlib.crc32(out))


def pack_trailer(trailer: Trailer) -> bytes:
    return bytes([FRAME_END]) + _TRAILER.pack(trailer.length, trailer.crc)


def parse_unit(buf: bytes | bytearray, offset: int,
               header: FrameHeader) -> tuple[BlockHeader | Trailer, int] | None:
    """Parse the block header or trailer at `offset`."""
    if offset >= len(buf):
        return None
    kind = buf[offset]
    if kind == FRAME_END:
        if len(buf) - offset - 1 < _TRAILER.size:
            return None
        length, crc = _TRAILER.unpack_from(buf, offset + 1)
        return Trailer(length, crc), offset + 1 + _TRAILER.size
    if kind not in (BLOCK_CODED, BLOCK_STORED):
        raise NNCompressError("corrupt archive: unknown block type")
    fields = []
    pos = offset + 1
    for _ in range(3 if kind == BLOCK_CODED else 2):
        parsed = _read_varint(buf, pos)
        if parsed is None:
            return None
        value, pos = parsed
        fields.append(value)
    if len(buf) - pos < 8:
        return None
    crc, header_crc = struct.unpack_from("<II", buf, pos)
    if header_crc != zlib.crc32(bytes(buf[offset:pos + 4])):
        raise NNCompressError("corrupt archive: block header checksum mismatch")
    length, lanes = fields[0], fields[1]
    payload = fields[2] if kind == BLOCK_CODED else length
    if not 1 <= length <= header.block_size:
        raise NNCompressError("corrupt archive: invalid block length")
    if not 1 <= lanes <= min(MAX_LANES, length) or lanes & (lanes - 1) or payload > length or (
            kind == BLOCK_CODED and payload % 4):
        raise NNCompressError("corrupt archive: invalid block header")
    return BlockHeader(kind, length, lanes, payload, crc), pos + 8
