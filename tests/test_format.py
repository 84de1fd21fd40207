"""The container: varints, header checks and the documented sizes."""
from __future__ import annotations

from pathlib import Path

import pytest

import nncompress
from nncompress.errors import NNCompressError
from nncompress.format import (BLOCK_CODED, FORMAT_VERSION, HEADER_SIZE, BlockHeader, FrameHeader, _read_varint,
                               _varint, pack_block, pack_header, parse_header, parse_unit)

SPEC = Path(__file__).resolve().parents[1] / "docs" / "FORMAT.md"


@pytest.mark.parametrize("value", [0, 1, 127, 128, 300, 2**32, 2**63])
def test_varint_round_trip(value):
    encoded = _varint(value)
    assert _read_varint(encoded, 0) == (value, len(encoded))
    assert _read_varint(encoded[:-1], 0) is None


def test_varint_rejects_overlong_forms():
    with pytest.raises(NNCompressError):
        _read_varint(b"\x80\x00", 0)
    with pytest.raises(NNCompressError):
        _read_varint(b"\xff" * 11, 0)


def test_header_round_trip_and_partial_input():
    raw = pack_header(FrameHeader(6, 24))
    assert len(raw) == HEADER_SIZE
    assert parse_header(raw, 0) == (FrameHeader(6, 24), HEADER_SIZE)
    for n in range(HEADER_SIZE):
        assert parse_header(raw[:n], 0) is None


def test_the_specification_states_the_version_the_header_carries():
    # From format 11 to 18 the header's layout in docs/FORMAT.md still said version 11.
    spec = SPEC.read_text()
    assert spec.startswith(f"# nncompress archive format, version {FORMAT_VERSION}\n")
    assert f"version u8 = {FORMAT_VERSION}\n" in spec
    assert pack_header(FrameHeader(6, 24))[4] == FORMAT_VERSION


def test_every_header_byte_change_is_rejected():
    raw = pack_header(FrameHeader(6, 24))
    for i in range(HEADER_SIZE):
        for flip in (0x01, 0x80):
            bad = bytearray(raw)
            bad[i] ^= flip
            with pytest.raises(NNCompressError):
                parse_header(bytes(bad), 0)


def test_block_header_limits():
    header = FrameHeader(1, 12)
    ok = pack_block(BlockHeader(BLOCK_CODED, 4096, 4, 1000, 0))
    assert parse_unit(ok, 0, header)[0].lanes == 4
    for bad in (BlockHeader(BLOCK_CODED, 4097, 4, 1000, 0),     # longer than a block
                BlockHeader(BLOCK_CODED, 4096, 3, 1000, 0),     # lanes not a power of two
                BlockHeader(BLOCK_CODED, 4096, 2048, 1000, 0),  # too many lanes
                BlockHeader(BLOCK_CODED, 4096, 4, 5000, 0)):    # payload larger than the data
        with pytest.raises(NNCompressError):
            parse_unit(pack_block(bad), 0, header)


def test_empty_input_costs_25_bytes():
    assert len(nncompress.compress(b"", preset=6)) == 25


def test_sizes_beyond_4_gib_are_representable():
    from nncompress.format import Trailer, pack_trailer, parse_unit
    trailer = Trailer(length=(1 << 40) + 5, crc=0xDEADBEEF)
    raw = pack_trailer(trailer)
    assert parse_unit(raw, 0, FrameHeader(6, 24)) == (trailer, len(raw))


def test_block_size_option_sets_the_header_and_is_checked():
    archive = nncompress.compress(b"x" * 3000, preset=1, block_size=1024)
    assert parse_header(archive, 0)[0].block_log == 10
    assert nncompress.decompress(archive) == b"x" * 3000
    for bad in (1000, 512, 1 << 29):
        with pytest.raises(ValueError):
            nncompress.compress(b"x", preset=1, block_size=bad)


@pytest.mark.parametrize("lanes", [1, 4, 32])
def test_the_lanes_are_the_encoders_choice(lanes):
    # The decoder takes B from the block header, whatever the preset's max_lanes: archives from an
    # encoder that chose other lanes (an older release, another preset table) still decode.
    from dataclasses import replace

    from nncompress.codec import decode_block, encode_block
    from nncompress.config import preset_config
    from nncompress.predictor import Predictor

    from .helpers import english_like
    data = english_like(3000, seed=5)
    chosen = replace(preset_config(1), max_lanes=lanes, min_lane_len=64)
    header, payload = encode_block(Predictor(chosen), data)
    assert header.kind == BLOCK_CODED and header.lanes == lanes
    assert decode_block(Predictor(preset_config(1)), header, payload) == data
