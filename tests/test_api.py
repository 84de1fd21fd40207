"""One-shot and incremental API: round trips, chunking, concatenation, bad input."""
from __future__ import annotations

import os
import random
import sys
import zlib

import pytest

import nncompress
from nncompress import NNCompressError, NNCompressor, NNDecompressor

from .helpers import CANTERBURY, cuda_available, english_like, shared_file

SMALL_INPUTS = {
    "empty": b"",
    "one_byte": b"x",
    "all_byte_values": bytes(range(256)),
    "random": random.Random(1).randbytes(3000),
    "repetitive": b"abcabcabd" * 1500,
    "zeros": bytes(5000),
    "text": english_like(6000),
}


@pytest.mark.parametrize("name", sorted(SMALL_INPUTS))
def test_round_trip_small(name):
    data = SMALL_INPUTS[name]
    archive = nncompress.compress(data, preset=1)
    assert nncompress.decompress(archive) == data


def test_never_grows_by_more_than_a_constant():
    data = random.Random(2).randbytes(4000)
    assert len(nncompress.compress(data, preset=1)) <= len(data) + 50


def test_repetitive_data_shrinks():
    data = SMALL_INPUTS["repetitive"]
    assert len(nncompress.compress(data, preset=1)) < len(data) // 20


@pytest.mark.parametrize("path", CANTERBURY, ids=[p.name for p in CANTERBURY])
def test_round_trip_canterbury(path):
    data = path.read_bytes()
    archive = nncompress.compress(data, preset=1)
    assert nncompress.decompress(archive) == data
    if path.suffix in (".txt", ".c", ".html", ".lsp", ".1"):
        assert len(archive) < len(data) * 0.45


def test_round_trip_enwik8_1m_default_preset():
    data = shared_file("enwik8_1M")
    archive = nncompress.compress(data)
    assert nncompress.decompress(archive) == data
    assert len(archive) < 290_732  # xz -9e on the same file


def test_incremental_random_chunks_equal_one_shot():
    data = english_like(20000, seed=3)
    rng = random.Random(4)
    comp = NNCompressor(preset=1)
    out = bytearray()
    pos = 0
    while pos < len(data):
        step = rng.choice([0, 1, 7, 100, 4096])
        out += comp.compress(data[pos:pos + step])
        pos += step
    out += comp.flush()
    assert bytes(out) == nncompress.compress(data, preset=1)

    decomp = NNDecompressor()
    got = bytearray()
    pos = 0
    while pos < len(out):
        step = rng.choice([1, 13, 500])
        got += decomp.decompress(bytes(out[pos:pos + step]))
        pos += step
    assert decomp.eof and bytes(got) == data and decomp.unused_data == b""


def test_multiple_blocks_share_what_was_learned(monkeypatch):
    # Small blocks exercise block boundaries; the second block benefits from the first.
    from dataclasses import replace

    from nncompress import config
    small = replace(config.PRESETS[1], block_log=12)
    monkeypatch.setitem(config.PRESETS, 1, small)
    data = english_like(3 * 4096 + 123, seed=5)
    archive = nncompress.compress(data, preset=1)
    assert nncompress.decompress(archive) == data
    info = nncompress.archive_info(__import__("io").BytesIO(archive))
    assert len(info.blocks) == 4


def test_max_length_and_needs_input():
    data = english_like(5000, seed=6)
    archive = nncompress.compress(data, preset=1)
    decomp = NNDecompressor()
    first = decomp.decompress(archive, max_length=10)
    assert first == data[:10] and not decomp.needs_input
    rest = bytearray()
    while not decomp.eof or len(rest) < len(data) - 10:
        rest += decomp.decompress(b"", max_length=1000)
    assert first + rest == data
    with pytest.raises(EOFError):
        decomp.decompress(b"x")


def test_unused_data_after_frame():
    archive = nncompress.compress(b"hello", preset=1)
    decomp = NNDecompressor()
    assert decomp.decompress(archive + b"tail") == b"hello"
    assert decomp.eof and decomp.unused_data == b"tail"


def test_concatenated_archives_decode_to_concatenation():
    parts = [b"first part ", b"", b"third" * 100]
    archive = b"".join(nncompress.compress(p, preset=1) for p in parts)
    assert nncompress.decompress(archive) == b"".join(parts)


def test_truncated_archive_raises_eof_error_of_the_error_class():
    archive = nncompress.compress(english_like(3000), preset=1)
    for cut in (0, 3, 11, 20, len(archive) // 2, len(archive) - 1):
        with pytest.raises(NNCompressError) as excinfo:
            nncompress.decompress(archive[:cut])
        assert isinstance(excinfo.value, (EOFError, NNCompressError))
    with pytest.raises(EOFError):
        nncompress.decompress(archive[:len(archive) - 1])


def test_corrupt_archive_raises_error_class():
    data = english_like(3000)
    archive = bytearray(nncompress.compress(data, preset=1))
    archive[len(archive) // 2] ^= 0x10
    with pytest.raises(NNCompressError):
        nncompress.decompress(bytes(archive))


def test_foreign_and_trailing_data_raise():
    with pytest.raises(NNCompressError, match="not an nncompress archive"):
        nncompress.decompress(b"\x1f\x8b\x08\x00 this is gzip")
    with pytest.raises(NNCompressError):
        nncompress.decompress(nncompress.compress(b"abc", preset=1) + b"garbage")


@pytest.mark.parametrize("version", [v for v in range(nncompress.FORMAT_VERSION + 2) if v != nncompress.FORMAT_VERSION])
def test_other_format_versions_are_refused_clearly(version):
    # Earlier versions (nncompress 0.1-0.4) had other models: their archives must be refused, not misdecoded.
    archive = bytearray(nncompress.compress(b"abc", preset=1))
    archive[4] = version
    archive[8:12] = zlib.crc32(archive[:8]).to_bytes(4, "little")   # a well-formed header otherwise
    with pytest.raises(NNCompressError, match=f"format version {version} is not supported .*reads version {nncompress.FORMAT_VERSION}"):
        nncompress.decompress(bytes(archive))


def test_options_are_keyword_only_and_checked():
    with pytest.raises(TypeError):
        nncompress.compress(b"x", 1)
    with pytest.raises(ValueError):
        nncompress.compress(b"x", preset=10)
    comp = NNCompressor(preset=1)
    comp.flush()
    with pytest.raises(ValueError):
        comp.compress(b"more")


def test_accepts_bytes_like_objects():
    data = bytearray(b"bytes-like " * 50)
    assert nncompress.decompress(nncompress.compress(memoryview(data), preset=1)) == bytes(data)


def test_archive_info_reports_sizes():
    data = english_like(4000)
    archive = nncompress.compress(data, preset=1) * 2
    info = nncompress.archive_info(__import__("io").BytesIO(archive))
    assert info.frames == 2 and info.original_size == 2 * len(data)
    assert info.compressed_size == len(archive) and info.presets == [1, 1]


def test_available_in_package_namespace():
    for name in ("compress", "decompress", "NNCompressor", "NNDecompressor", "open", "NNCompressFile",
                 "NNCompressError", "archive_info"):
        assert hasattr(nncompress, name)
    assert os.path.basename(nncompress.__file__) == "__init__.py"


def test_device_is_checked_like_the_cli():
    assert nncompress.decompress(nncompress.compress(b"abc", preset=1, device="auto"), device="auto") == b"abc"
    if cuda_available():
        assert nncompress.decompress(nncompress.compress(b"abc", preset=1, device="cuda"), device="cuda") == b"abc"
    else:
        with pytest.raises(NNCompressError, match="--device cuda"):
            NNCompressor(device="cuda")
        with pytest.raises(NNCompressError, match="--device cuda"):
            NNDecompressor(device="cuda")
    with pytest.raises(ValueError):
        nncompress.compress(b"abc", device="tpu")


def test_cuda_without_torch_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)   # import torch now raises ImportError
    with pytest.raises(NNCompressError, match=r"pip install 'nncompress\[cuda\]'"):
        NNCompressor(device="cuda")
