"""One-shot compress() and decompress(), shaped like lzma's and bz2's, on one process or several.

Contract: compress(data) returns one archive: one frame, or with `threads` other than 1 and at least
2 MiB of data, one frame per member (parallel.py). decompress(data) returns the data of every
concatenated frame, the same bytes for any `threads`.
"""
from __future__ import annotations

from .config import DEFAULT_PRESET
from .device import resolve_device
from .parallel import compress_members, decompress_members, frame_spans, member_count
from .stream import NNCompressor, NNDecompressor


def compress(data: bytes, *, preset: int = DEFAULT_PRESET, block_size: int | None = None, device: str = "cpu",
             threads: int = 1) -> bytes:
    """Compress `data` into one archive; threads > 1 (0: one per core) codes members in parallel."""
    data = memoryview(data).cast("B")
    if member_count(len(data), threads) > 1:
        return b"".join(compress_members(data, len(data), threads=threads, preset=preset, block_size=block_size,
                                         device=device))
    comp = NNCompressor(preset=preset, block_size=block_size, device=device)
    return comp.compress(data) + comp.flush()


def decompress(data: bytes, *, device: str = "cpu", threads: int = 1) -> bytes:
    """Decompress one or more concatenated archives; threads > 1 (0: one per core) decodes them in parallel."""
    resolve_device(device)
    data = bytes(data)
    if len(spans := frame_spans(data, threads)) > 1:
        return b"".join(decompress_members(data, spans, threads=threads, device=device))
    results = []
    while True:
        decomp = NNDecompressor(device=device)
        results.append(decomp.decompress(data))
        decomp.finish()
        data = decomp.unused_data
        if not data:
            return b"".join(results)
