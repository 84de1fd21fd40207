"""Property-based round trips over arbitrary bytes, chunkings and presets."""
from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nncompress
import nncompress.parallel
from nncompress import NNCompressor, NNDecompressor

# Each example builds a predictor and codes byte by byte: keep inputs short, examples few.
_SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_DATA = st.one_of(st.binary(max_size=300), st.text(max_size=200).map(lambda s: s.encode("utf-8")),
                  st.binary(min_size=1, max_size=4).map(lambda b: b * 40))


@_SETTINGS
@given(data=_DATA, preset=st.sampled_from([1, 2, 6, 9]))
def test_one_shot_round_trip(data, preset):
    assert nncompress.decompress(nncompress.compress(data, preset=preset)) == data


@_SETTINGS
@given(data=_DATA, cuts=st.lists(st.integers(0, 300), max_size=6), read_sizes=st.lists(st.integers(1, 64), min_size=1))
def test_incremental_round_trip_any_chunking(data, cuts, read_sizes):
    comp = NNCompressor(preset=1)
    archive = bytearray()
    previous = 0
    for cut in sorted(cuts) + [len(data)]:
        cut = min(cut, len(data))
        archive += comp.compress(data[previous:cut])
        previous = max(previous, cut)
    archive += comp.flush()
    assert bytes(archive) == nncompress.compress(data, preset=1)

    decomp = NNDecompressor()
    out = bytearray()
    for i in range(0, len(archive), 7):
        out += decomp.decompress(bytes(archive[i:i + 7]), max_length=read_sizes[i % len(read_sizes)])
    while not decomp.eof:
        out += decomp.decompress(b"", max_length=read_sizes[0])
    out += decomp.decompress(b"") if not decomp.eof else b""
    assert bytes(out) == data


@_SETTINGS
@given(data=_DATA, read_size=st.integers(1, 100))
def test_file_object_round_trip(data, read_size):
    buf = io.BytesIO()
    with nncompress.open(buf, "wb", preset=1) as f:
        f.write(data)
    buf.seek(0)
    out = bytearray()
    with nncompress.open(buf, "rb") as f:
        while chunk := f.read(read_size):
            out += chunk
    assert bytes(out) == data


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=_DATA, threads=st.integers(2, 5), decode_threads=st.integers(0, 5), member=st.integers(1, 120))
def test_members_round_trip_with_any_processes(monkeypatch, data, threads, decode_threads, member):
    monkeypatch.setattr(nncompress.parallel, "MIN_MEMBER", member)
    archive = nncompress.compress(data, preset=1, threads=threads)
    assert nncompress.archive_info(io.BytesIO(archive)).frames == nncompress.parallel.member_count(len(data), threads)
    assert nncompress.decompress(archive, threads=decode_threads) == data
