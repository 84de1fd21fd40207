"""Hostile archives: every failure is the error class, quickly; never a crash, hang or wrong bytes."""
from __future__ import annotations

import random

import pytest

import nncompress
from nncompress import NNCompressError
from nncompress.format import HEADER_SIZE

from .helpers import english_like

DATA = english_like(400, seed=21)


@pytest.fixture(scope="module")
def archive() -> bytes:
    return nncompress.compress(DATA, preset=1)


def _fails_cleanly(blob: bytes) -> None:
    try:
        out = nncompress.decompress(blob)
    except NNCompressError:
        return
    # Decoding may only succeed if the change did not touch the data it describes.
    assert out == DATA, "corrupt archive decoded to wrong bytes without an error"


def test_every_single_byte_change_of_the_header(archive):
    for i in range(HEADER_SIZE):
        for value in range(256):
            if value != archive[i]:
                blob = archive[:i] + bytes([value]) + archive[i + 1:]
                with pytest.raises(NNCompressError):
                    nncompress.decompress(blob)


def test_every_single_byte_change_of_the_block_header(archive):
    # The block header (kind .. header_crc) follows the frame header.
    for i in range(HEADER_SIZE, HEADER_SIZE + 14):
        for value in (archive[i] ^ 1, archive[i] ^ 0x80, 0, 255):
            if value != archive[i]:
                with pytest.raises(NNCompressError):
                    nncompress.decompress(archive[:i] + bytes([value]) + archive[i + 1:])


def test_random_bit_flips_in_the_body(archive):
    rng = random.Random(5)
    for _ in range(20):
        blob = bytearray(archive)
        i = rng.randrange(HEADER_SIZE, len(blob))
        blob[i] ^= 1 << rng.randrange(8)
        _fails_cleanly(bytes(blob))


def test_every_truncation(archive):
    for cut in range(len(archive)):
        with pytest.raises(EOFError if cut >= HEADER_SIZE or cut == 0 else NNCompressError):
            nncompress.decompress(archive[:cut])


@pytest.mark.parametrize("blob", [b"", b"\x00" * 64, b"PK\x03\x04" + bytes(40), b"\xfd7zXZ\x00" + bytes(30),
                                  b"\x89NNC", b"\x89NNC" + bytes(100), random.Random(3).randbytes(5000)])
def test_foreign_and_empty_inputs(blob):
    with pytest.raises(NNCompressError):
        nncompress.decompress(blob)


def test_huge_claimed_sizes_are_not_allocated(archive):
    # A block that claims 2^28 bytes: refused by its header checksum or the frame's block size,
    # before any allocation (a block's data is never allocated before its payload has arrived).
    from nncompress.format import BLOCK_STORED, BlockHeader, pack_block
    huge = pack_block(BlockHeader(BLOCK_STORED, 1 << 28, 1, 1 << 28, 0))
    with pytest.raises(NNCompressError):
        nncompress.decompress(archive[:HEADER_SIZE] + huge)


def test_a_block_promising_more_than_its_payload_codes_stops_when_the_words_run_out():
    # A forged header (valid checksums) claims 1 MiB for a payload that codes 400 bytes: the
    # decoder stops soon after the payload's words end, not after decoding a megabyte of noise
    # to find the checksum wrong.
    from nncompress.codec import encode_block
    from nncompress.config import preset_config
    from nncompress.format import BLOCK_CODED, BlockHeader, FrameHeader, Trailer, pack_block, pack_header, pack_trailer
    from nncompress.predictor import Predictor
    header, payload = encode_block(Predictor(preset_config(1)), DATA)
    assert header.kind == BLOCK_CODED
    forged = BlockHeader(BLOCK_CODED, 1 << 20, header.lanes, len(payload), header.crc)
    blob = (pack_header(FrameHeader(1, 20)) + pack_block(forged) + payload +
            pack_trailer(Trailer(1 << 20, header.crc)))
    with pytest.raises(NNCompressError, match="ends before the block does"):
        nncompress.decompress(blob)
