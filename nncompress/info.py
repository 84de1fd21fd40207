"""Reading an archive's structure without decoding it (`nncompress info`, like `xz -l`).

Contract: `archive_info` walks the headers of every frame in a binary file and reports sizes,
preset, lanes, blocks and where each frame lies (parallel decoding starts from those); it never
runs the predictor and raises NNCompressError on anything invalid or truncated.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .errors import NNCompressError, TruncatedArchiveError
from .format import HEADER_SIZE, BlockHeader, Trailer, parse_header, parse_unit

_CHUNK = 1 << 16


@dataclass
class ArchiveInfo:
    spans: list[tuple[int, int]] = field(default_factory=list)   # each frame's byte range in the file
    compressed_size: int = 0
    original_size: int = 0
    presets: list[int] = field(default_factory=list)
    blocks: list[BlockHeader] = field(default_factory=list)

    @property
    def frames(self) -> int:
        return len(self.spans)

    @property
    def bits_per_byte(self) -> float:
        return 8 * self.compressed_size / self.original_size if self.original_size else 0.0


def archive_info(fp) -> ArchiveInfo:
    """Summarise every frame of the archive file `fp` (opened in binary mode)."""
    info = ArchiveInfo()
    buf = bytearray()
    exhausted = False

    def need(n: int) -> bool:
        nonlocal exhausted
        while len(buf) < n and not exhausted:
            chunk = fp.read(_CHUNK)
            exhausted = not chunk
            buf.extend(chunk)
        return len(buf) >= n

    while need(1):
        need(HEADER_SIZE)
        parsed = parse_header(buf, 0)
        if parsed is None:
            raise TruncatedArchiveError("archive ends inside a header")
        header, offset = parsed
        start = info.compressed_size
        info.presets.append(header.preset)
        info.compressed_size += offset
        del buf[:offset]
        while True:
            need(32)
            parsed = parse_unit(buf, 0, header)
            if parsed is None:
                raise TruncatedArchiveError("archive ends before its end marker")
            unit, offset = parsed
            if isinstance(unit, Trailer):
                info.original_size += unit.length
                info.compressed_size += offset
                info.spans.append((start, info.compressed_size))
                del buf[:offset]
                break
            info.blocks.append(unit)
            skip = offset + unit.payload
            info.compressed_size += skip
            while skip:
                if not need(1):
                    raise TruncatedArchiveError("archive ends inside a block")
                taken = min(skip, len(buf))
                del buf[:taken]
                skip -= taken
    if not info.frames:
        raise NNCompressError("empty file: not an nncompress archive")
    return info
